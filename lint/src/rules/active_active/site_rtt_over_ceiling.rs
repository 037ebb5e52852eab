use stretchdr_model::Inventory;
use stretchdr_model::inventory::{Deployment, SiteRole};

use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks the round-trip time of every link between active sites against the ceiling for
    /// the engine's deployment: `self_hosted_max_rtt_ms` (7 ms) with a self-hosted engine,
    /// `standalone_max_rtt_ms` (100 ms) with a standalone one. When the deployment is unknown
    /// the standalone ceiling, which every deployment must meet, applies.
    ///
    /// ## Why is this bad?
    /// Hosts, storage replication and the engine talk over this link. Beyond the ceiling the
    /// engine's host monitoring, storage leases and synchronous replication time out under
    /// load: hosts flap to NonResponsive and get fenced, VMs pause on storage errors, and a
    /// self-hosted engine VM on the far site loses its lockspace. A failover then starts from
    /// an unstable cluster.
    ///
    /// ## Example
    /// ```toml
    /// [engine]
    /// deployment = "self-hosted"
    ///
    /// [[link]]
    /// sites = ["site-a", "site-b"]
    /// rtt_ms = 12.0
    /// l2 = true
    /// ```
    ///
    /// Use instead: sites within the ceiling, or a standalone engine if the sites are further
    /// apart (up to 100 ms).
    /// ```toml
    /// [[link]]
    /// sites = ["site-a", "site-b"]
    /// rtt_ms = 4.0
    /// l2 = true
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview", network considerations: a
    ///   maximum latency of 7 ms between sites for a self-hosted engine environment and of
    ///   100 ms for a standalone engine environment.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    pub struct SiteRttOverCeiling {
        code: "AA002",
        name: "site-rtt-over-ceiling",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, policy: &Policy, sink: &mut Sink) {
    let (ceiling, engine) = match inventory.engine.deployment {
        Some(Deployment::SelfHosted) => (
            policy.thresholds.self_hosted_max_rtt_ms,
            "a self-hosted engine",
        ),
        Some(Deployment::Standalone) => (
            policy.thresholds.standalone_max_rtt_ms,
            "a standalone engine",
        ),
        None => (
            policy.thresholds.standalone_max_rtt_ms,
            "any engine deployment",
        ),
    };
    for link in &inventory.links {
        let (a, b) = (
            &inventory.sites[link.sites.0],
            &inventory.sites[link.sites.1],
        );
        if a.role == SiteRole::Witness || b.role == SiteRole::Witness || link.rtt_ms <= ceiling {
            continue;
        }
        sink.report_key(
            Subject::Link(link),
            "rtt_ms",
            format!(
                "link {}/{} has a round-trip time of {} ms, above the {} ms ceiling for {engine}",
                a.name, b.name, link.rtt_ms, ceiling
            ),
            "bring the sites closer (lower latency), or deploy a standalone engine where up to 100 ms is supported",
        );
    }
}
