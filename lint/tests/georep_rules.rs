//! The GR (gluster geo-replication) rules against their fixtures: `fixtures/lint/GR00x-fires.toml`
//! triggers the rule (the rendered findings are snapshots), `-clean.toml` does not; the example
//! georep design is clean; the RPO of GR005 is the arithmetic of the schedule.

use std::path::{Path, PathBuf};

use stretchdr_lint::registry::RULES;
use stretchdr_lint::{Finding, Level, Policy, lint, report};
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;

/// Loads a file of the repository under the relative name reports show.
fn load(relative: &str) -> Inventory {
    let relative = PathBuf::from(relative);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(&relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", relative.display()));
    load_design_str(&relative, &text).unwrap_or_else(|e| panic!("fixture loads: {e}"))
}

fn findings_of(code: &str, inventory: &Inventory, policy: &Policy) -> Vec<Finding> {
    lint(inventory, policy)
        .into_iter()
        .filter(|finding| finding.code == code)
        .collect()
}

fn georep_codes() -> Vec<&'static str> {
    RULES
        .iter()
        .map(|rule| rule.code())
        .filter(|code| code.starts_with("GR"))
        .collect()
}

#[test]
fn the_six_georep_rules_are_registered() {
    assert_eq!(
        georep_codes(),
        ["GR001", "GR002", "GR003", "GR004", "GR005", "GR006"]
    );
}

#[test]
fn every_georep_rule_fires_on_its_fixture() {
    for code in georep_codes() {
        let inventory = load(&format!("fixtures/lint/{code}-fires.toml"));
        let findings = findings_of(code, &inventory, &Policy::default());
        assert!(
            !findings.is_empty(),
            "{code} does not fire on {code}-fires.toml"
        );
        let rendered =
            report::human(&findings, &inventory, false) + &report::summary_line(&findings);
        insta::assert_snapshot!(format!("{code}-fires"), rendered);
    }
}

#[test]
fn no_georep_rule_fires_on_its_clean_fixture() {
    for code in georep_codes() {
        let inventory = load(&format!("fixtures/lint/{code}-clean.toml"));
        let findings = findings_of(code, &inventory, &Policy::default());
        assert!(
            findings.is_empty(),
            "{code} fires on {code}-clean.toml:\n{}",
            report::human(&findings, &inventory, false)
        );
    }
}

#[test]
fn the_example_georep_design_is_clean_of_gr_findings() {
    let inventory = load("fixtures/georep/design.toml");
    let findings: Vec<Finding> = lint(&inventory, &Policy::default())
        .into_iter()
        .filter(|finding| finding.code.starts_with("GR"))
        .collect();
    assert!(
        findings.is_empty(),
        "{}",
        report::human(&findings, &inventory, false)
    );
}

#[test]
fn findings_point_at_the_session_and_tell_sessions_apart() {
    let inventory = load("fixtures/lint/GR006-fires.toml");
    let findings = findings_of("GR006", &inventory, &Policy::default());
    let lines: Vec<Option<u32>> = findings.iter().map(|f| f.line).collect();
    assert_eq!(lines, [Some(24), Some(28)]);
    assert_ne!(findings[0].fingerprint(), findings[1].fingerprint());
    assert!(findings[1].message.contains("cron \"0 */6 * * *\""));
}

#[test]
fn rpo_over_target_gives_the_arithmetic() {
    // Every 6h, 20 GiB/h over 1 Gbps: 120 GiB ship in 1030.8 s, so the worst RPO is 6h 17m 11s.
    let text = r#"
[[storage_domain]]
name = "vmstore"
storage = "glusterfs"
gluster = { volume = "vmstore" }

[[storage_domain.georep]]
secondary_volume = "vmstore-dr"
schedule = "6h"
change_rate = "20GiB/h"
bandwidth = "1Gbps"
rpo_target = "6h"
"#;
    let inventory = load_design_str(Path::new("design.toml"), text).unwrap();
    let findings = findings_of("GR005", &inventory, &Policy::default());
    let [finding] = findings.as_slice() else {
        panic!("one finding: {findings:?}")
    };
    assert_eq!(
        finding.message,
        "geo-replication session vmstore -> vmstore-dr has a worst-case RPO of 6h 17m 11s \
         (6h between syncs plus 17m 11s to ship 120GiB at 1Gbps), above its 6h target"
    );
}

#[test]
fn strict_denies_the_georep_warnings() {
    let strict = Policy::profile("strict").unwrap();
    for code in ["GR001", "GR003"] {
        let inventory = load(&format!("fixtures/lint/{code}-fires.toml"));
        let findings = findings_of(code, &inventory, &strict);
        assert!(findings.iter().all(|f| f.level == Level::Error), "{code}");
        let ovirt = findings_of(code, &inventory, &Policy::default());
        assert!(ovirt.iter().all(|f| f.level == Level::Warning), "{code}");
    }
}
