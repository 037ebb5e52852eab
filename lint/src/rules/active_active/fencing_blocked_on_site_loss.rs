use stretchdr_model::{EntityId, Inventory};

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds stretch clusters whose fencing policy skips fencing when connectivity is broken
    /// (`skip_if_connectivity_broken`) with a threshold at or below the share of the cluster's
    /// hosts that one site holds.
    ///
    /// ## Why is this bad?
    /// With the option on, the engine does not fence hosts while at least `threshold` percent
    /// of the cluster's hosts are unreachable, assuming a network problem. A site loss makes
    /// exactly that share unreachable, so fencing is skipped: HA VMs without a lease are not
    /// restarted, and the SPM of the lost site is not released.
    ///
    /// ## Example
    /// ```toml
    /// [[cluster]]
    /// name = "stretch"   # 4 hosts in site-a, 4 in site-b: one site is 50 %
    /// fencing = { enabled = true, skip_if_connectivity_broken = true, threshold = 50 }
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[cluster]]
    /// name = "stretch"
    /// fencing = { enabled = true, skip_if_connectivity_broken = false, threshold = 50 }
    /// ```
    ///
    /// ## References
    /// - oVirt REST API model, `FencingPolicy.skip_if_connectivity_broken`: fencing is skipped
    ///   when the percentage of hosts with broken connectivity reaches the threshold.
    ///   https://ovirt.github.io/ovirt-engine-api-model/master/#types/skip_if_connectivity_broken
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview".
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    pub struct FencingBlockedOnSiteLoss {
        code: "AA015",
        name: "fencing-blocked-on-site-loss",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    // Hosts per cluster, and per cluster and active site.
    let mut total = vec![0usize; inventory.clusters.len()];
    let mut per_site = vec![vec![0usize; inventory.sites.len()]; inventory.clusters.len()];
    for (id, host) in inventory.hosts.iter() {
        if let Some(cluster) = host.cluster {
            total[cluster.index()] += 1;
            if let Some(site) = sites.of_host(id) {
                per_site[cluster.index()][site.index()] += 1;
            }
        }
    }
    for (cluster_id, cluster) in inventory.clusters.iter() {
        let fencing = cluster.fencing;
        if !fencing.enabled
            || !fencing.skip_if_connectivity_broken
            || !sites.is_stretch(Some(cluster_id))
        {
            continue;
        }
        let all = total[cluster_id.index()];
        let largest = sites
            .of_cluster(cluster_id)
            .iter()
            .map(|&site| (site, per_site[cluster_id.index()][site.index()]))
            .max_by_key(|&(site, hosts)| (hosts, std::cmp::Reverse(site)));
        let Some((site, hosts)) = largest else {
            continue;
        };
        let share = hosts * 100 / all.max(1);
        if hosts * 100 < fencing.threshold as usize * all {
            continue;
        }
        sink.report_key(
            Subject::Cluster(cluster_id),
            "fencing.skip_if_connectivity_broken",
            format!(
                "cluster {} skips fencing when {}% of its hosts are unreachable, and {} holds {hosts} of its {all} hosts ({share}%): losing it blocks fencing",
                cluster.name,
                fencing.threshold,
                sites.name(site)
            ),
            "turn skip_if_connectivity_broken off, or raise its threshold above the largest site's share of the cluster's hosts",
        );
    }
}
