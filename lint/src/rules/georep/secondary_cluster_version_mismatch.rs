use stretchdr_model::Inventory;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions whose secondary volume's cluster has another compatibility
    /// version than the primary volume's.
    ///
    /// ## Why is this bad?
    /// The engine offers only secondaries whose cluster has the same compatibility version
    /// (`SLAVE_CLUSTER_AND_MASTER_CLUSTER_COMPATIBILITY_VERSIONS_DO_NOT_MATCH`): the session cannot
    /// be created or recreated from the engine.
    ///
    /// ## Example
    /// ```toml
    /// # cluster gluster-a compatibility 4.7, cluster gluster-b 4.6
    /// secondary_cluster = "gluster-b"
    /// ```
    ///
    /// Use instead: raise the secondary cluster to the primary's compatibility version.
    ///
    /// ## References
    /// - ovirt-engine `backend/manager/modules/bll/src/main/java/org/ovirt/engine/core/bll/utils/GlusterGeoRepUtil.java`,
    ///   `getEligibilityPredicates` (`SLAVE_CLUSTER_AND_MASTER_CLUSTER_COMPATIBILITY_VERSIONS_DO_NOT_MATCH`). https://github.com/oVirt/ovirt-engine
    pub struct SecondaryClusterVersionMismatch {
        code: "GR009",
        name: "secondary-cluster-version-mismatch",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        let (Some(primary), Some(secondary)) = (s.volume.cluster, s.session.secondary_cluster)
        else {
            continue;
        };
        let (p, q) = (&inventory.clusters[primary], &inventory.clusters[secondary]);
        let (Some(pv), Some(qv)) = (&p.compatibility, &q.compatibility) else {
            continue;
        };
        if pv == qv {
            continue;
        }
        s.report(
            sink,
            "secondary_cluster",
            format!(
                "geo-replication session {}: cluster {} is at compatibility {pv}, secondary cluster {} at {qv}",
                s.label(),
                p.name,
                q.name
            ),
            "give both clusters the same compatibility version",
        );
    }
}
