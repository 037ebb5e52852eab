use stretchdr_model::Inventory;
use stretchdr_model::inventory::Deployment;

use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds a standalone engine (not a self-hosted engine VM) that is not made highly available
    /// outside oVirt (`external_ha = false`).
    ///
    /// ## Why is this bad?
    /// The engine decides every failover: it detects unreachable hosts, fences them, and
    /// restarts HA VMs. A standalone engine machine lost with its site takes all of that with
    /// it: nothing fails over, VMs of the lost site stay down, and the surviving site cannot be
    /// managed until the engine is restored, typically from backup.
    ///
    /// ## Example
    /// ```toml
    /// [engine]
    /// deployment = "standalone"
    /// site = "site-a"
    /// external_ha = false
    /// ```
    ///
    /// Use instead: an engine clustered over both sites (e.g. a Pacemaker cluster or a VM in a
    /// separate HA environment), or a self-hosted engine with HA hosts in both sites.
    /// ```toml
    /// [engine]
    /// deployment = "standalone"
    /// external_ha = true
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": the standalone engine
    ///   stretch cluster configuration requires the engine to be highly available outside the
    ///   environment. https://ovirt.org/documentation/disaster_recovery_guide
    /// - oVirt "Migrating from a standalone Engine to a self-hosted engine": a standalone Engine
    ///   is only highly available when managed externally.
    pub struct StandaloneEngineNotHa {
        code: "AA009",
        name: "standalone-engine-not-ha",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let engine = &inventory.engine;
    if engine.deployment != Some(Deployment::Standalone) || engine.external_ha {
        return;
    }
    let place = engine.site.map_or(String::new(), |site| {
        format!(" in {}", inventory.sites[site].name)
    });
    sink.report_key(
        Subject::Engine,
        "external_ha",
        format!(
            "the standalone engine{place} has no external HA: if it goes down with its site, nothing fails over"
        ),
        "make the engine highly available outside oVirt (external_ha = true), or move to a self-hosted engine with HA hosts in both sites",
    );
}
