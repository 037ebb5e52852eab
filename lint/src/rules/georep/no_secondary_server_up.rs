use stretchdr_model::Inventory;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions whose secondary cluster has no server up
    /// (`secondary_servers_up = 0`).
    ///
    /// ## Why is this bad?
    /// Without an up server at the secondary the engine cannot check or create the session
    /// (`NO_UP_SLAVE_SERVER`), and gsyncd has nowhere to write: every sync fails.
    ///
    /// ## Example
    /// ```toml
    /// secondary_servers_up = 0
    /// ```
    ///
    /// Use instead: bring a server of the secondary cluster up.
    ///
    /// ## References
    /// - ovirt-engine `backend/manager/modules/bll/src/main/java/org/ovirt/engine/core/bll/utils/GlusterGeoRepUtil.java`,
    ///   `getEligibilityPredicates` (`NO_UP_SLAVE_SERVER`, `getUpServerId`). https://github.com/oVirt/ovirt-engine
    pub struct NoSecondaryServerUp {
        code: "GR012",
        name: "no-secondary-server-up",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        if s.session.secondary_servers_up != Some(0) {
            continue;
        }
        s.report(
            sink,
            "secondary_servers_up",
            format!(
                "geo-replication session {} has no server up at the secondary: every sync fails",
                s.label()
            ),
            "bring a server of the secondary gluster cluster up",
        );
    }
}
