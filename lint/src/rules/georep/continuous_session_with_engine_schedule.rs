use stretchdr_model::Inventory;
use stretchdr_model::inventory::GeoRepMode;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds continuous geo-replication sessions that also have the engine's remote data sync
    /// schedule.
    ///
    /// ## Why is this bad?
    /// The engine's sync sets a checkpoint on the active session and, once it completes, stops
    /// the session (`GlusterStorageGeoRepSyncCallback.stopGeoRepSessionCommand`): after the first
    /// scheduled sync the session no longer runs continuously, and the RPO is the schedule's.
    ///
    /// ## Example
    /// ```toml
    /// mode = "continuous"
    /// schedule = "0 0 1 * * ? *"
    /// ```
    ///
    /// Use instead: one of the two: a continuous session without a sync schedule, or the engine's scheduled
    /// sync.
    ///
    /// ## References
    /// - ovirt-engine `bll/storage/dr/GlusterStorageGeoRepSyncCallback.java` and
    ///   `GlusterStorageGeoRepSyncInternalCommand.java`. https://github.com/oVirt/ovirt-engine
    pub struct ContinuousSessionWithEngineSchedule {
        code: "GR014",
        name: "continuous-session-with-engine-schedule",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        if s.session.mode != GeoRepMode::Continuous {
            continue;
        }
        let Some(schedule) = &s.session.schedule else {
            continue;
        };
        s.report(
            sink,
            "schedule",
            format!(
                "continuous geo-replication session {} also has the engine's sync schedule ({schedule}): its first sync stops the session",
                s.label()
            ),
            "remove the engine's sync schedule, or treat the session as scheduled",
        );
    }
}
