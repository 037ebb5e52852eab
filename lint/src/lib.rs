//! The stretchdr rules engine and rule catalogue.
//!
//! [`lint`] runs every rule of the [`registry`] that the [`Policy`] does not allow, drops the
//! findings the policy ignores, and returns the rest in a stable order. Reporters in [`report`]
//! render them (human, JSON, SARIF, JUnit, GitHub annotations); [`docs`] renders the catalogue
//! from the rules' own doc comments.

pub mod baseline;
pub mod docs;
pub mod dr;
pub mod finding;
pub mod fix;
pub mod policy;
pub mod registry;
pub mod report;
pub mod rule;
pub mod rules;

use stretchdr_model::Inventory;

pub use dr::{DrContext, lint_mapping};
pub use finding::{EntityKind, EntityRef, Finding, Level, Summary};
pub use policy::{Policy, Setting};
pub use rule::{Rule, Sink, Subject};

/// Lints an inventory: the findings of every rule at the level the policy gives it, minus
/// ignored ones, sorted by file, line, code and entity.
///
/// Rules that need sites are skipped when the inventory has none; the `sites-unknown` rule
/// then says so once. Rules that read an ovirt-dr mapping run in [`lint_mapping`] instead.
pub fn lint(inventory: &Inventory, policy: &Policy) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in registry::RULES {
        let Some(level) = policy.level_of(*rule) else {
            continue;
        };
        if rule.reads_mapping() || (rule.requires_sites() && !inventory.has_sites()) {
            continue;
        }
        let mut sink = Sink::new(inventory, *rule, level);
        rule.check(inventory, policy, &mut sink);
        findings.extend(
            sink.into_findings()
                .into_iter()
                .filter(|finding| policy.ignore_for(finding).is_none()),
        );
    }
    sort(&mut findings);
    findings
}

/// Sorts findings into report order (by file, line, code, entity).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// True when some finding is at or above `level` (the exit status of `lint --fail-on`).
pub fn fails(findings: &[Finding], level: Level) -> bool {
    findings.iter().any(|finding| finding.level >= level)
}
