//! The AP (active-passive) rules against their fixtures in `fixtures/ap/`: the clean trio
//! (`mapping.yml`, `primary.toml`, `secondary.toml`) fires none of them; each rule's variant
//! (a mapping `APxxx-fires.yml` or a design `APxxx-primary.toml` / `APxxx-secondary.toml`)
//! fires it, and the rendered findings are snapshots. The role's own example mapping, against
//! designs that have every entity it names, shows what the role would trip on.
//!
//! Rules that need what only an engine's API says (ids, storage connections, roles, LUNs,
//! snapshots) run against the export pair `fixtures/exports/dr_primary` and `dr_secondary`,
//! whose clean mapping is `fixtures/ap/exports-mapping.yml`.

use std::path::{Path, PathBuf};

use stretchdr_lint::dr::mapping_rules;
use stretchdr_lint::{DrContext, Finding, Policy, lint, lint_mapping, report};
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;
use stretchdr_model::export::load_export;
use stretchdr_model::mapping::{Mapping, load_mapping_str};

/// Every finding in full: a fixture's snapshot shows all its rule finds.
const ALL: report::HumanOptions = report::HumanOptions {
    color: false,
    verbose: true,
};

fn text(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {relative}: {e}"))
}

/// A site: a design file, or an export directory.
fn design(relative: &str) -> Inventory {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    if path.is_dir() {
        let mut inventory = load_export(&path).unwrap_or_else(|e| panic!("export loads: {e}"));
        // Report paths as the fixtures name them, not as the test found them.
        let prefix = path.to_string_lossy().into_owned();
        let mut sources = stretchdr_model::SourceMap::default();
        for file in inventory.sources.files() {
            let shown = file.path.to_string_lossy().replacen(&prefix, relative, 1);
            sources.add(PathBuf::from(shown), file.text.clone());
        }
        inventory.sources = sources;
        return inventory;
    }
    load_design_str(&PathBuf::from(relative), &text(relative))
        .unwrap_or_else(|e| panic!("fixture loads: {e}"))
}

/// The export pair of the rules that need an engine's data, and its clean mapping.
const EXPORT_PRIMARY: &str = "fixtures/exports/dr_primary";
const EXPORT_SECONDARY: &str = "fixtures/exports/dr_secondary";
const EXPORT_MAPPING: &str = "fixtures/ap/exports-mapping.yml";
/// The rules whose fixture runs against the export pair.
const EXPORT_RULES: [&str; 3] = ["AP015", "AP016", "AP018"];
/// Checks of older rules that need the export pair: (code, fixture).
const EXPORT_CHECKS: [(&str, &str); 3] = [
    ("AP001", "fixtures/ap/AP001-exports-fires.yml"),
    ("AP003", "fixtures/ap/AP003-exports-fires.yml"),
    ("AP010", "fixtures/ap/AP010-exports-fires.yml"),
];

fn mapping(relative: &str) -> Mapping {
    load_mapping_str(Path::new(relative), &text(relative))
        .unwrap_or_else(|e| panic!("fixture loads: {e}"))
}

/// The inputs of one case: the variant file replaces its part of the clean trio.
fn inputs(code: &str) -> (String, String, String) {
    if EXPORT_RULES.contains(&code) {
        return (
            format!("fixtures/ap/{code}-fires.yml"),
            EXPORT_PRIMARY.to_string(),
            EXPORT_SECONDARY.to_string(),
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/ap");
    let pick = |suffix: &str, clean: &str| {
        let name = format!("{code}-{suffix}");
        let chosen = if dir.join(&name).exists() {
            name
        } else {
            clean.to_string()
        };
        format!("fixtures/ap/{chosen}")
    };
    (
        pick("fires.yml", "mapping.yml"),
        pick("primary.toml", "primary.toml"),
        pick("secondary.toml", "secondary.toml"),
    )
}

/// The findings of every AP rule, rendered as people read them.
fn run(
    mapping_file: &str,
    primary: &str,
    secondary: &str,
    policy: &Policy,
) -> (Vec<Finding>, String) {
    let (mapping, primary, secondary) = (mapping(mapping_file), design(primary), design(secondary));
    let dr = DrContext::new(&mapping, &primary, &secondary);
    let findings = lint_mapping(&dr, policy);
    let rendered =
        report::human_with(&findings, dr.sources(), ALL) + &report::summary_line(&findings);
    (findings, rendered)
}

fn ap_codes() -> Vec<&'static str> {
    mapping_rules().map(|rule| rule.code()).collect()
}

#[test]
fn the_ap_rules_are_registered_and_read_the_mapping() {
    let codes = ap_codes();
    let expected: Vec<String> = (1..=18)
        .chain(20..=23)
        .map(|n| format!("AP{n:03}"))
        .collect();
    assert_eq!(codes, expected);
    // They never run on one inventory alone.
    let inventory = design("fixtures/ap/primary.toml");
    assert!(
        lint(&inventory, &Policy::default())
            .iter()
            .all(|f| !f.code.starts_with("AP"))
    );
}

#[test]
fn the_clean_fixtures_fire_no_ap_rule() {
    let (findings, rendered) = run(
        "fixtures/ap/mapping.yml",
        "fixtures/ap/primary.toml",
        "fixtures/ap/secondary.toml",
        &Policy::default(),
    );
    assert!(findings.is_empty(), "{rendered}");
}

#[test]
fn the_clean_export_fixtures_fire_no_ap_rule() {
    let (findings, rendered) = run(
        EXPORT_MAPPING,
        EXPORT_PRIMARY,
        EXPORT_SECONDARY,
        &Policy::default(),
    );
    assert!(findings.is_empty(), "{rendered}");
}

#[test]
fn checks_on_engine_data_fire_on_their_export_fixtures() {
    for (code, fixture) in EXPORT_CHECKS {
        let (findings, rendered) = run(
            fixture,
            EXPORT_PRIMARY,
            EXPORT_SECONDARY,
            &Policy::default(),
        );
        let own: Vec<Finding> = findings.into_iter().filter(|f| f.code == code).collect();
        assert!(
            !own.is_empty(),
            "{code} does not fire on {fixture}:\n{rendered}"
        );
        let (mapping, primary, secondary) = (
            mapping(fixture),
            design(EXPORT_PRIMARY),
            design(EXPORT_SECONDARY),
        );
        let dr = DrContext::new(&mapping, &primary, &secondary);
        let rendered = report::human_with(&own, dr.sources(), ALL) + &report::summary_line(&own);
        let name = Path::new(fixture)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        insta::assert_snapshot!(name, rendered);
    }
}

#[test]
fn every_ap_rule_fires_on_its_fixture() {
    for code in ap_codes() {
        let (mapping_file, primary, secondary) = inputs(code);
        let (findings, rendered) = run(&mapping_file, &primary, &secondary, &Policy::default());
        assert!(
            findings.iter().any(|f| f.code == code),
            "{code} does not fire on its fixture:\n{rendered}"
        );
        let own: Vec<Finding> = findings.into_iter().filter(|f| f.code == code).collect();
        for finding in &own {
            let first = finding.message.chars().next().unwrap();
            assert!(!first.is_uppercase(), "{code}: {}", finding.message);
        }
        let (mapping, primary, secondary) =
            (mapping(&mapping_file), design(&primary), design(&secondary));
        let dr = DrContext::new(&mapping, &primary, &secondary);
        let rendered = report::human_with(&own, dr.sources(), ALL) + &report::summary_line(&own);
        insta::assert_snapshot!(format!("{code}-fires"), rendered);
    }
}

#[test]
fn policy_levels_and_ignores_apply_to_ap_findings() {
    let (mapping_file, primary, secondary) = inputs("AP004");
    let mut policy = Policy::default();
    policy.set("AP004", stretchdr_lint::Setting::Warn).unwrap();
    let (findings, _) = run(&mapping_file, &primary, &secondary, &policy);
    assert!(
        findings
            .iter()
            .any(|f| f.code == "AP004" && f.level == stretchdr_lint::Level::Warning)
    );
    policy
        .apply_str(
            Path::new("policy.toml"),
            "[[ignore]]\ncode = \"AP004\"\ncluster = \"prod\"\nreason = \"upgrade planned\"\n",
        )
        .unwrap();
    let (findings, _) = run(&mapping_file, &primary, &secondary, &policy);
    assert!(findings.iter().all(|f| f.code != "AP004"));
    policy.set("AP012", stretchdr_lint::Setting::Allow).unwrap();
    // The AP012 fixture keeps the role's default dr_ignore_error_clean.
    policy.set("AP021", stretchdr_lint::Setting::Allow).unwrap();
    let (mapping_file, primary, secondary) = inputs("AP012");
    let (findings, _) = run(&mapping_file, &primary, &secondary, &policy);
    assert!(findings.is_empty());
}

#[test]
fn json_findings_point_at_the_mapping_line() {
    let (mapping_file, primary, secondary) = inputs("AP012");
    let (findings, _) = run(&mapping_file, &primary, &secondary, &Policy::default());
    let json: serde_json::Value = serde_json::from_str(&report::json(&findings)).unwrap();
    let first = &json["findings"][0];
    assert_eq!(first["file"], "fixtures/ap/AP012-fires.yml");
    assert_eq!(first["entity"]["kind"], "mapping_key");
    let line = first["line"].as_u64().unwrap() as usize;
    assert!(
        text(&mapping_file)
            .lines()
            .nth(line - 1)
            .unwrap()
            .contains("dr_master_domain")
    );
}

#[test]
fn the_role_example_against_a_matching_design() {
    let (findings, rendered) = run(
        "fixtures/ap/role-examples/collection_disaster_recovery_vars.yml",
        "fixtures/ap/role-examples/primary.toml",
        "fixtures/ap/role-examples/secondary.toml",
        &Policy::default(),
    );
    // The example's entries lack fields its own tasks read.
    assert!(
        findings.iter().filter(|f| f.code == "AP007").count() >= 3,
        "{rendered}"
    );
    insta::assert_snapshot!("role-example", rendered);
}

#[test]
fn ignores_select_mapping_only_entities() {
    let (mapping_file, primary, secondary) = inputs("AP012");
    let (findings, _) = run(&mapping_file, &primary, &secondary, &Policy::default());
    let key = findings
        .iter()
        .find(|f| f.code == "AP012")
        .map(|f| f.entity.name.clone())
        .expect("AP012 fires on its fixture");
    let mut policy = Policy::default();
    policy
        .apply_str(
            Path::new("policy.toml"),
            &format!("[[ignore]]\ncode = \"AP012\"\nmapping_key = \"{key}\"\nreason = \"kept for the old playbook\"\n"),
        )
        .unwrap();
    let (findings, _) = run(&mapping_file, &primary, &secondary, &policy);
    assert!(
        findings
            .iter()
            .all(|f| f.code != "AP012" || f.entity.name != key)
    );
}
