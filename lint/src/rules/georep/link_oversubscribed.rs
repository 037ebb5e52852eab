use std::collections::BTreeMap;

use stretchdr_model::{Inventory, SiteId};

use super::rpo_over_target::format_bandwidth;
use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds site links whose geo-replication sessions are given more bandwidth, together, than
    /// the link has.
    ///
    /// ## Why is this bad?
    /// Sessions sharing one link share its bandwidth: each ships slower than its `bandwidth`
    /// says, its syncs run longer and its RPO is worse than estimated.
    ///
    /// ## Example
    /// ```toml
    /// [[link]]
    /// sites = ["site-a", "site-b"]
    /// rtt_ms = 20.0
    /// bandwidth = "1Gbps"
    ///
    /// [[storage_domain]]
    /// name = "vmstore"
    /// storage = "glusterfs"
    /// gluster = { volume = "vmstore" }
    ///
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// secondary_site = "site-b"
    /// bandwidth = "800Mbps"
    ///
    /// [[storage_domain]]
    /// name = "data"
    /// storage = "glusterfs"
    /// gluster = { volume = "data" }
    ///
    /// [[storage_domain.georep]]
    /// secondary_volume = "data-dr"
    /// secondary_site = "site-b"
    /// bandwidth = "800Mbps"       # 1.6Gbps together over a 1Gbps link
    /// ```
    ///
    /// Use instead: session bandwidths that add up to at most the link's.
    ///
    /// ## References
    /// - ovirt-engine `GlusterGeoRepUtil`; gluster geo-replication shares the network between
    ///   sessions. https://github.com/oVirt/ovirt-engine
    pub struct LinkOversubscribed {
        code: "GR015",
        name: "link-oversubscribed",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let mut given: BTreeMap<(SiteId, SiteId), (u64, Vec<String>)> = BTreeMap::new();
    for s in sessions(inventory) {
        let (Some(own), [primary], Some(secondary)) = (
            s.session.bandwidth_bps,
            s.domain.writable_at.as_slice(),
            s.session.secondary_site,
        ) else {
            continue;
        };
        let key = if *primary <= secondary {
            (*primary, secondary)
        } else {
            (secondary, *primary)
        };
        let entry = given.entry(key).or_default();
        entry.0 += own;
        entry.1.push(s.label());
    }
    for ((a, b), (total, labels)) in given {
        let Some(site_link) = inventory.link(a, b) else {
            continue;
        };
        let Some(link) = site_link.bandwidth_bps else {
            continue;
        };
        if total <= link || labels.len() < 2 {
            continue;
        }
        let _ = sink.report_key(
            Subject::Link(site_link),
            "bandwidth",
            format!(
                "the geo-replication sessions over link {}/{} ({}) are given {} together, more than the link's {}",
                inventory.sites[a].name,
                inventory.sites[b].name,
                labels.join(", "),
                format_bandwidth(total),
                format_bandwidth(link)
            ),
            "lower the sessions' bandwidths to fit the link",
        );
    }
}
