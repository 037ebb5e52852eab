use stretchdr_model::Inventory;
use stretchdr_model::inventory::GeoRepMode;

use super::{ENGINE_SYNC_FREQUENCIES, sessions};
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds scheduled geo-replication sessions (the design's default `mode = "scheduled"`)
    /// without a sync schedule, or any session with one the engine's remote data sync cannot run: it schedules syncs daily or weekly (on chosen days), each at one
    /// time of day, and nothing else (no hourly or every-N-hours syncs).
    ///
    /// ## Why is this bad?
    /// Without a schedule the secondary is only as recent as the last sync someone ran by hand:
    /// the RPO grows without bound. A schedule the engine cannot express is not what will run;
    /// syncs driven from outside the engine skip the VM snapshots that make the copy
    /// consistent, and the RPO estimates for it do not hold.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// schedule = "0 */6 * * *"      # every 6 hours
    /// ```
    ///
    /// Use instead: a daily or weekly schedule, as "Setup Remote Data Sync" offers.
    /// ```toml
    /// schedule = "0 0 1 * * ? *"    # daily at 01:00
    /// ```
    ///
    /// ## References
    /// - ovirt-engine `StorageSyncSchedule`: frequencies `NONE`, `DAILY`, `WEEKLY`, at an hour
    ///   and minute. https://github.com/oVirt/ovirt-engine
    /// - oVirt feature "Disaster Recovery for Gluster based storage domains".
    ///   https://www.ovirt.org/develop/release-management/features/gluster/gluster-dr.html
    pub struct ScheduleMissing {
        code: "GR006",
        name: "schedule-missing",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        let message = match &s.session.schedule {
            // A continuous session (created and started) runs without the engine's schedule.
            None if s.session.mode == GeoRepMode::Continuous => continue,
            None => format!(
                "geo-replication session {} has no sync schedule: the secondary is only as recent as the last manual sync",
                s.label()
            ),
            Some(schedule) if !ENGINE_SYNC_FREQUENCIES.contains(&schedule.frequency()) => format!(
                "geo-replication session {} runs {schedule}, which the engine cannot schedule: remote data sync runs daily or weekly at one time of day",
                s.label()
            ),
            Some(_) => continue,
        };
        s.report(
            sink,
            "schedule",
            message,
            "schedule the sync daily or weekly in the domain's Remote Data Sync Setup",
        );
    }
}
