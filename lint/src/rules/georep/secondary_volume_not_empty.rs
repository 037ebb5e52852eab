use stretchdr_model::Inventory;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions whose secondary volume was not empty when the session was
    /// created (`secondary_empty = false`).
    ///
    /// ## Why is this bad?
    /// The engine offers only empty volumes as secondaries (`SLAVE_VOLUME_TO_BE_EMPTY`, checked
    /// on a secondary server): files already there are not the primary's and survive in the copy
    /// the secondary site recovers from.
    ///
    /// ## Example
    /// ```toml
    /// secondary_empty = false
    /// ```
    ///
    /// Use instead: an empty secondary volume.
    ///
    /// ## References
    /// - ovirt-engine `backend/manager/modules/bll/src/main/java/org/ovirt/engine/core/bll/utils/GlusterGeoRepUtil.java`,
    ///   `getEligibilityPredicates` (`SLAVE_VOLUME_TO_BE_EMPTY`, `checkEmptyGlusterVolume`). https://github.com/oVirt/ovirt-engine
    pub struct SecondaryVolumeNotEmpty {
        code: "GR011",
        name: "secondary-volume-not-empty",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        if s.session.secondary_empty != Some(false) {
            continue;
        }
        s.report(
            sink,
            "secondary_empty",
            format!(
                "geo-replication session {} writes volume {}, which was not empty: the engine only offers empty secondaries",
                s.label(),
                s.session.secondary_volume
            ),
            "recreate the session to an empty volume",
        );
    }
}
