use stretchdr_model::Inventory;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions whose secondary volume is in the primary volume's own
    /// gluster cluster.
    ///
    /// ## Why is this bad?
    /// The engine refuses such a secondary (`SLAVE_AND_MASTER_VOLUMES_SHOULD_NOT_BE_IN_SAME_CLUSTER`);
    /// a copy in the same cluster shares the primary's servers and is lost with them.
    ///
    /// ## Example
    /// ```toml
    /// gluster = { volume = "vmstore", cluster = "gluster-a" }
    /// # [[storage_domain.georep]]
    /// secondary_cluster = "gluster-a"
    /// ```
    ///
    /// Use instead: a secondary volume in a cluster at the secondary site.
    ///
    /// ## References
    /// - ovirt-engine `backend/manager/modules/bll/src/main/java/org/ovirt/engine/core/bll/utils/GlusterGeoRepUtil.java`,
    ///   `getEligibilityPredicates` (`SLAVE_AND_MASTER_VOLUMES_SHOULD_NOT_BE_IN_SAME_CLUSTER`). https://github.com/oVirt/ovirt-engine
    pub struct SecondaryInSameCluster {
        code: "GR008",
        name: "secondary-in-same-cluster",
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
        if primary != secondary {
            continue;
        }
        s.report(
            sink,
            "secondary_cluster",
            format!(
                "geo-replication session {} replicates within cluster {}: the engine refuses a secondary volume in the primary volume's cluster",
                s.label(),
                inventory.clusters[primary].name
            ),
            "replicate to a volume of a gluster cluster at the secondary site",
        );
    }
}
