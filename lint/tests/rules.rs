//! Every rule against its fixtures: `fixtures/lint/<code>-fires.toml` triggers it (the rendered
//! findings are snapshots), `<code>-clean.toml` does not.

use std::path::{Path, PathBuf};

use stretchdr_lint::registry::RULES;
use stretchdr_lint::{Finding, Policy, lint, report};
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;

/// Every finding in full: a fixture's snapshot shows all its rule finds.
const ALL: report::HumanOptions = report::HumanOptions {
    color: false,
    verbose: true,
};

/// Loads a fixture under the relative name reports show.
fn fixture(name: &str) -> Inventory {
    let relative = PathBuf::from("fixtures/lint").join(name);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(&relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", relative.display()));
    load_design_str(&relative, &text).unwrap_or_else(|e| panic!("fixture loads: {e}"))
}

fn findings_of(code: &str, inventory: &Inventory) -> Vec<Finding> {
    lint(inventory, &Policy::default())
        .into_iter()
        .filter(|finding| finding.code == code)
        .collect()
}

#[test]
fn every_rule_fires_on_its_fixture() {
    // Mapping rules (AP) read a mapping and two sites: lint/tests/ap_rules.rs covers them.
    for rule in RULES.iter().filter(|rule| !rule.reads_mapping()) {
        let code = rule.code();
        let inventory = fixture(&format!("{code}-fires.toml"));
        let findings = findings_of(code, &inventory);
        assert!(
            !findings.is_empty(),
            "{code} does not fire on {code}-fires.toml"
        );
        let rendered = report::human_with(&findings, &inventory.sources, ALL)
            + &report::summary_line(&findings);
        insta::assert_snapshot!(format!("{code}-fires"), rendered);
    }
}

#[test]
fn no_rule_fires_on_its_clean_fixture() {
    // Mapping rules (AP) read a mapping and two sites: lint/tests/ap_rules.rs covers them.
    for rule in RULES.iter().filter(|rule| !rule.reads_mapping()) {
        let code = rule.code();
        let inventory = fixture(&format!("{code}-clean.toml"));
        let findings = findings_of(code, &inventory);
        assert!(
            findings.is_empty(),
            "{code} fires on {code}-clean.toml:\n{}",
            report::human_with(&findings, &inventory.sources, ALL)
        );
    }
}

#[test]
fn messages_start_lowercase() {
    // Mapping rules (AP) read a mapping and two sites: lint/tests/ap_rules.rs covers them.
    for rule in RULES.iter().filter(|rule| !rule.reads_mapping()) {
        let inventory = fixture(&format!("{}-fires.toml", rule.code()));
        for finding in findings_of(rule.code(), &inventory) {
            let first = finding
                .message
                .chars()
                .next()
                .expect("message is not empty");
            assert!(first.is_lowercase(), "{}: {}", rule.code(), finding.message);
        }
    }
}
