//! Policy files: spans in errors, unknown keys rejected, ignores with reasons, baselines.

use std::path::{Path, PathBuf};

use stretchdr_lint::{Policy, Setting, baseline, lint};
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;

fn fixture(name: &str) -> Inventory {
    let relative = PathBuf::from("fixtures/lint").join(name);
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(&relative),
    )
    .unwrap();
    load_design_str(&relative, &text).unwrap()
}

fn apply(text: &str) -> Result<Policy, String> {
    let mut policy = Policy::default();
    policy
        .apply_str(Path::new("policy.toml"), text)
        .map_err(|e| e.to_string())?;
    Ok(policy)
}

#[test]
fn unknown_keys_are_errors_with_the_line() {
    let err = apply("[levels]\nAA004 = \"warn\"\n\n[thresholds]\nrtt = 5\n").unwrap_err();
    assert!(err.starts_with("policy.toml:5:"), "{err}");
    assert!(err.contains("rtt"), "{err}");
    let err = apply("[level]\nAA004 = \"warn\"\n").unwrap_err();
    assert!(err.starts_with("policy.toml:1:"), "{err}");
}

#[test]
fn unknown_codes_and_levels_are_errors() {
    let err = apply("[levels]\nAA004 = \"warn\"\nAA404 = \"deny\"\n").unwrap_err();
    assert!(err.starts_with("policy.toml:3:"), "{err}");
    assert!(err.contains("AA019"), "lists the known codes: {err}");
    let err = apply("[levels]\nAA004 = \"forbid\"\n").unwrap_err();
    assert!(
        err.contains("\"allow\", \"note\", \"warn\" or \"deny\""),
        "{err}"
    );
}

#[test]
fn thresholds_override_the_profile() {
    let inventory = fixture("AA002-clean.toml");
    let policy = apply("[thresholds]\nself_hosted_max_rtt_ms = 5\n").unwrap();
    assert!(lint(&inventory, &policy).iter().any(|f| f.code == "AA002"));
    assert!(
        apply("[thresholds]\nvcpus_per_cpu = -1\n")
            .unwrap_err()
            .contains("positive")
    );
}

#[test]
fn ignores_need_one_entity_and_a_reason() {
    let err = apply("[[ignore]]\ncode = \"AA006\"\nvm = \"x\"\n").unwrap_err();
    assert!(err.contains("needs a reason"), "{err}");
    let err = apply("[[ignore]]\ncode = \"AA006\"\nreason = \"r\"\n").unwrap_err();
    assert!(err.contains("needs one entity"), "{err}");
    let err = apply("[[ignore]]\ncode = \"AA006\"\nvm = \"x\"\nhost = \"y\"\nreason = \"r\"\n")
        .unwrap_err();
    assert!(err.contains("more than one entity"), "{err}");
}

#[test]
fn ignores_suppress_matching_entities_only() {
    let inventory = fixture("AA006-fires.toml");
    let policy =
        apply("[[ignore]]\ncode = \"AA006\"\nvm = \"db*\"\nreason = \"rebuilt, not restarted\"\n")
            .unwrap();
    assert!(!lint(&inventory, &policy).iter().any(|f| f.code == "AA006"));
    let policy =
        apply("[[ignore]]\ncode = \"AA006\"\nvm = \"web*\"\nreason = \"rebuilt\"\n").unwrap();
    assert!(lint(&inventory, &policy).iter().any(|f| f.code == "AA006"));
}

#[test]
fn allowed_rules_do_not_run() {
    let inventory = fixture("AA006-fires.toml");
    let mut policy = Policy::default();
    policy.set("aa006", Setting::Allow).unwrap();
    assert!(!lint(&inventory, &policy).iter().any(|f| f.code == "AA006"));
    assert!(policy.set("AA404", Setting::Deny).is_err());
}

#[test]
fn baseline_round_trip_keeps_only_new_findings() {
    let old = lint(&fixture("AA006-fires.toml"), &Policy::default());
    let text = baseline::render(&old);
    let known = baseline::parse(Path::new("baseline.json"), &text).unwrap();
    assert!(baseline::new_findings(old.clone(), &known).is_empty());
    let now = lint(&fixture("AA003-fires.toml"), &Policy::default());
    let new = baseline::new_findings(now, &known);
    assert!(new.iter().any(|f| f.code == "AA003"));
    assert!(baseline::parse(Path::new("baseline.json"), "{\"a\": 1}").is_err());
}

#[test]
fn fingerprints_survive_line_moves() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/lint/AA003-fires.toml"),
    )
    .unwrap();
    let moved = format!("# a new comment\n\n{text}");
    let name = Path::new("fixtures/lint/AA003-fires.toml");
    let before = lint(&load_design_str(name, &text).unwrap(), &Policy::default());
    let after = lint(&load_design_str(name, &moved).unwrap(), &Policy::default());
    assert_ne!(before[0].line, after[0].line);
    let prints =
        |f: &[stretchdr_lint::Finding]| f.iter().map(|f| f.fingerprint()).collect::<Vec<_>>();
    assert_eq!(prints(&before), prints(&after));
}

#[test]
fn misspelt_keys_and_levels_name_the_nearest() {
    let err = apply("[level]\nAA004 = \"warn\"\n").unwrap_err();
    assert!(err.contains("did you mean `levels`?"), "{err}");
    let err = apply("[thresholds]\nvcpu_per_cpu = 4.0\n").unwrap_err();
    assert!(err.starts_with("policy.toml:2:"), "{err}");
    assert!(err.contains("did you mean `vcpus_per_cpu`?"), "{err}");
    let err = apply("[[ignore]]\ncode = \"AA004\"\nvn = \"db*\"\nreason = \"x\"\n").unwrap_err();
    assert!(err.starts_with("policy.toml:3:"), "{err}");
    assert!(err.contains("did you mean `vm`?"), "{err}");
    let err = apply("[levels]\nAA004 = \"dney\"\n").unwrap_err();
    assert!(err.starts_with("policy.toml:2:"), "{err}");
    assert!(err.contains("did you mean `deny`?"), "{err}");
    // `warning` is the level `warn`, as on the command line.
    let policy = apply("[levels]\nAA004 = \"warning\"\n").unwrap();
    let rule = stretchdr_lint::registry::find("AA004").unwrap();
    assert_eq!(policy.level_of(rule), Some(stretchdr_lint::Level::Warning));
}
