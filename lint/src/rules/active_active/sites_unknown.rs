use stretchdr_model::Inventory;

use crate::policy::Policy;
use crate::registry::RULES;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Says, once, that the inventory does not tell which host sits in which site, so the rules
    /// that need sites did not run. This is what linting a bare export gives.
    ///
    /// ## Why is this bad?
    /// Most stretch-cluster requirements are about sites: one L2 domain across them, storage
    /// writable at both, SPM and hosted-engine hosts in each, capacity to survive the loss of
    /// either. An oVirt engine knows nothing of sites, so without them those checks cannot be
    /// made, and guessing (from host names, say) would report problems that are not there.
    /// Nothing checked is not a pass: it is a warning, so a pipeline on `--fail-on warning`
    /// fails until the sites are given.
    ///
    /// ## Example
    /// ```sh
    /// stretchdr lint exports/prod
    /// ```
    ///
    /// Use instead: an overlay that assigns the exported hosts to sites.
    /// ```toml
    /// [source]
    /// export = "exports/prod"
    ///
    /// [[site]]
    /// name = "site-a"
    /// role = "primary"
    /// hosts = ["a*"]
    ///
    /// [[site]]
    /// name = "site-b"
    /// role = "secondary"
    /// hosts = ["b*"]
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": a stretch cluster has hosts in
    ///   a primary and a secondary site. https://ovirt.org/documentation/disaster_recovery_guide
    pub struct SitesUnknown {
        code: "AA000",
        name: "sites-unknown",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, policy: &Policy, sink: &mut Sink) {
    if inventory.has_sites() {
        return;
    }
    let skipped: Vec<&str> = RULES
        .iter()
        .filter(|rule| rule.requires_sites() && policy.level_of(**rule).is_some())
        .map(|rule| rule.code())
        .collect();
    sink.report(
        Subject::Inventory,
        format!(
            "sites are unknown: {} hosts are in no site, so {} site rules did not run ({})",
            inventory.hosts.len(),
            skipped.len(),
            skipped.join(", ")
        ),
        "add a design overlay with [source] export = \"...\" and [[site]] tables assigning hosts by name glob or affinity label",
    );
}
