use stretchdr_model::Inventory;

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks that the sites holding hosts of one cluster are joined by a link that carries L2:
    /// one broadcast domain stretched over both sites.
    ///
    /// ## Why is this bad?
    /// A VM that fails over or live-migrates to the other site keeps its MAC and IP addresses.
    /// Over a routed link its networks are not there: the VM restarts but nothing can reach it,
    /// and live migration between the sites breaks the VM's connections.
    ///
    /// ## Example
    /// ```toml
    /// [[link]]
    /// sites = ["site-a", "site-b"]
    /// rtt_ms = 2.0
    /// l2 = false
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[link]]
    /// sites = ["site-a", "site-b"]
    /// rtt_ms = 2.0
    /// l2 = true
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview", network considerations: all
    ///   hosts of the stretch cluster must be in the same broadcast domain over an L2 network.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    /// - Oracle Linux Virtualization Manager Administration Guide, "Active-Active Disaster
    ///   Recovery", Network Considerations.
    pub struct HostsSplitL2 {
        code: "AA001",
        name: "hosts-split-l2",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    for (cluster_id, cluster) in inventory.clusters.iter() {
        let cluster_sites = sites.of_cluster(cluster_id);
        for (i, &a) in cluster_sites.iter().enumerate() {
            for &b in &cluster_sites[i + 1..] {
                if inventory.link(a, b).is_none_or(|link| link.l2) {
                    continue;
                }
                sink.report(
                    Subject::Cluster(cluster_id),
                    format!(
                        "cluster {} has hosts in {} and {}, whose link is routed (l2 = false)",
                        cluster.name,
                        sites.name(a),
                        sites.name(b)
                    ),
                    "stretch the cluster's networks over an L2 link between the sites, or keep the cluster in one site",
                )
                .discriminator = Some(format!("{}/{}", sites.name(a), sites.name(b)));
            }
        }
    }
}
