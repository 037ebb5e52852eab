use stretchdr_model::Inventory;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions whose secondary volume is not up (`secondary_status = "down"`).
    ///
    /// ## Why is this bad?
    /// The engine offers only an up volume as a secondary (`SLAVE_VOLUME_SHOULD_BE_UP`), and a
    /// session to a down volume goes Faulty: every sync fails and the secondary falls behind
    /// without bound.
    ///
    /// ## Example
    /// ```toml
    /// secondary_volume = "vmstore-dr"
    /// secondary_status = "down"
    /// ```
    ///
    /// Use instead: start the secondary volume (`gluster volume start vmstore-dr`).
    ///
    /// ## References
    /// - ovirt-engine `backend/manager/modules/bll/src/main/java/org/ovirt/engine/core/bll/utils/GlusterGeoRepUtil.java`,
    ///   `getEligibilityPredicates` (`SLAVE_VOLUME_SHOULD_BE_UP`). https://github.com/oVirt/ovirt-engine
    pub struct SecondaryVolumeDown {
        code: "GR007",
        name: "secondary-volume-down",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        if s.session.secondary_up != Some(false) {
            continue;
        }
        s.report(
            sink,
            "secondary_status",
            format!(
                "geo-replication session {} replicates to volume {}, which is down: every sync fails",
                s.label(),
                s.session.secondary_volume
            ),
            "start the secondary volume",
        );
    }
}
