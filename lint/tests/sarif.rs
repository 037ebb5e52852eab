//! The SARIF report validates against the official 2.1.0 schema (tests/data).

use std::path::{Path, PathBuf};

use stretchdr_lint::{Policy, lint, report};
use stretchdr_model::design::load_design_str;

#[test]
fn sarif_of_the_bundled_example_is_valid_sarif_2_1_0() {
    let schema_text = include_str!("data/sarif-2.1.0.schema.json");
    let schema: serde_json::Value = serde_json::from_str(schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let relative = PathBuf::from("fixtures/demo/design.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(&relative),
    )
    .unwrap();
    let inventory = load_design_str(&relative, &text).unwrap();
    let findings = lint(&inventory, &Policy::default());
    assert!(!findings.is_empty());
    let log: serde_json::Value = serde_json::from_str(&report::sarif(&findings)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let result = &log["runs"][0]["results"][0];
    assert!(result["partialFingerprints"]["stretchdrFingerprint/v1"].is_string());
    assert!(result["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules
            .iter()
            .all(|r| r["help"]["text"].is_string() && r["helpUri"].is_string())
    );
}

#[test]
fn empty_sarif_is_valid_too() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-2.1.0.schema.json")).unwrap();
    let log: serde_json::Value = serde_json::from_str(&report::sarif(&[])).unwrap();
    assert!(jsonschema::is_valid(&schema, &log));
}
