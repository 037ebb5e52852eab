//! The GR (gluster geo-replication) rules against their fixtures: `fixtures/lint/GR00x-fires.toml`
//! triggers the rule (the rendered findings are snapshots), `-clean.toml` does not; the example
//! georep design is clean; the RPO of GR005 is the arithmetic of the schedule.

use std::path::{Path, PathBuf};

use stretchdr_lint::registry::RULES;
use stretchdr_lint::{Finding, Level, Policy, lint, report};
use stretchdr_model::Inventory;
use stretchdr_model::design::{load_design_str, overlay_design_str};
use stretchdr_model::export::load_export;

/// Every finding in full: a fixture's snapshot shows all its rule finds.
const ALL: report::HumanOptions = report::HumanOptions {
    color: false,
    verbose: true,
};

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
fn the_georep_rules_are_registered() {
    assert_eq!(
        georep_codes(),
        [
            "GR001", "GR002", "GR003", "GR004", "GR005", "GR006", "GR007", "GR008", "GR009",
            "GR010", "GR011", "GR012", "GR013", "GR014", "GR015"
        ]
    );
}

#[test]
fn a_continuous_session_needs_no_schedule_and_has_its_own_rpo() {
    // Continuous, 24 GiB/h from 09:00 to 17:00 and 2 GiB/h otherwise, over 50 Mbps
    // (20.955 GiB/h): 224 GiB a day against 503 GiB, so the backlog is bounded (no GR013). By
    // 17:00 it has shipped 8 x 20.955 = 167.6 GiB of the day's changes, those up to 15:59;
    // the 192 GiB of 09:00-17:00 are all shipped 24.4 GiB / 20.955 GiB/h = 1h 9.75m after
    // 17:00, when the oldest waiting change is from 17:00: the lag tops 1h 9m 45s plus the
    // 15 s changelog rollover, 1h 10m, above a 1h target. GR005 fires, GR006 does not.
    let text = r#"
[[storage_domain]]
name = "vmstore"
storage = "glusterfs"
gluster = { volume = "vmstore" }

[[storage_domain.georep]]
secondary_volume = "vmstore-dr"
mode = "continuous"
change_rate_by_hour = [2, 2, 2, 2, 2, 2, 2, 2, 2, 24, 24, 24, 24, 24, 24, 24, 24, 2, 2, 2, 2, 2, 2, 2]
bandwidth = "50Mbps"
rpo_target = "1h"
"#;
    let inventory = load_design_str(Path::new("design.toml"), text).unwrap();
    assert!(findings_of("GR006", &inventory, &Policy::default()).is_empty());
    assert!(findings_of("GR013", &inventory, &Policy::default()).is_empty());
    let findings = findings_of("GR005", &inventory, &Policy::default());
    let [finding] = findings.as_slice() else {
        panic!("one finding: {findings:?}")
    };
    assert!(
        finding
            .message
            .starts_with("continuous geo-replication session vmstore -> vmstore-dr lags up to"),
        "{}",
        finding.message
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
        let rendered = report::human_with(&findings, &inventory.sources, ALL)
            + &report::summary_line(&findings);
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
            report::human_with(&findings, &inventory.sources, ALL)
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
        report::human_with(&findings, &inventory.sources, ALL)
    );
}

#[test]
fn findings_point_at_the_session_and_tell_sessions_apart() {
    let inventory = load("fixtures/lint/GR006-fires.toml");
    let findings = findings_of("GR006", &inventory, &Policy::default());
    let lines: Vec<Option<u32>> = findings.iter().map(|f| f.line).collect();
    // The first session has no schedule: its table; the second's schedule: that key.
    assert_eq!(lines, [Some(24), Some(31)]);
    assert_eq!(findings[1].origin.map(|o| o.line), Some(28));
    assert_ne!(findings[0].fingerprint(), findings[1].fingerprint());
    assert!(findings[1].message.contains("cron \"0 */6 * * *\""));
}

#[test]
fn rpo_over_target_gives_the_arithmetic() {
    // Every 6h, 20 GiB/h over 1 Gbps: 120 GiB ship in 1030.8 s, seen complete at the engine's
    // status refresh 1200 s after the start (refreshes every 300 s): the worst RPO is 6h 20m.
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
        "geo-replication session vmstore -> vmstore-dr has a worst-case RPO of 6h 20m \
         (6h between syncs plus 17m 11s to ship 120GiB at 1Gbps and 2m 49s until the engine's \
         status refresh sees it), above its 6h target"
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

#[test]
fn a_session_known_only_from_glusters_status_is_judged_once_a_design_gives_its_sharding() {
    // The export's sharded `vmstore` replicates to `vmstore-dr` on a cluster the export does
    // not hold: gluster's saved status names the session, not the secondary's options.
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/exports/gluster_hci_json");
    let inventory = load_export(&export).unwrap_or_else(|e| panic!("export loads: {e}"));
    let sessions: usize = inventory
        .storage_domains
        .iter()
        .filter_map(|(_, d)| d.gluster.as_ref())
        .map(|g| g.georep.len())
        .sum();
    assert!(sessions > 0, "the export's saved status gives a session");
    assert!(findings_of("GR002", &inventory, &Policy::default()).is_empty());
    // An overlay that says the secondary is unsharded: now it is an error.
    let domain = inventory
        .storage_domains
        .iter()
        .find(|(_, d)| d.gluster.as_ref().is_some_and(|g| !g.georep.is_empty()))
        .map(|(_, d)| d.name.clone())
        .unwrap();
    let overlay = format!(
        "[[storage_domain]]\nname = \"{domain}\"\n\n[[storage_domain.georep]]\nsecondary_volume = \"vmstore-dr\"\nsecondary_sharding = false\n"
    );
    let overlaid = overlay_design_str(inventory, Path::new("overlay.toml"), &overlay)
        .unwrap_or_else(|e| panic!("overlay loads: {e}"));
    assert_eq!(findings_of("GR002", &overlaid, &Policy::default()).len(), 1);
}
