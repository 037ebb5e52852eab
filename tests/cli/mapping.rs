//! CLI tests of `stretchdr mapping`: generate writes a file that loads and validates clean
//! against a secondary with the same names; validate reports like `lint` (formats, --fail-on,
//! levels) with its exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad input.

use std::path::PathBuf;

use crate::support::{run, stderr, stdout};

const PRIMARY: &str = "fixtures/ap/primary.toml";
const SECONDARY: &str = "fixtures/ap/secondary.toml";

fn validate(mapping: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "mapping",
        "validate",
        mapping,
        "--primary",
        PRIMARY,
        "--secondary",
        SECONDARY,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mapping-cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn generate_then_validate_round_trips_clean() {
    let out = scratch("generated.yml");
    let output = run(&[
        "mapping",
        "generate",
        "--primary",
        PRIMARY,
        "--secondary",
        "fixtures/ap/secondary-same-names.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("dr_primary_name: \"data1\""), "{text}");
    assert!(text.contains("# TODO"), "placeholders are marked: {text}");
    let output = run(&[
        "mapping",
        "validate",
        out.to_str().unwrap(),
        "--primary",
        PRIMARY,
        "--secondary",
        "fixtures/ap/secondary-same-names.toml",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(stdout(&output), "no findings\n");
}

#[test]
fn generate_without_a_secondary_marks_every_secondary_name() {
    let output = run(&["mapping", "generate", "--primary", PRIMARY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("secondary_name: \"prod\"  # TODO: the secondary's cluster"),
        "{text}"
    );
    // Against the real secondary, the guessed names are reported.
    let out = scratch("unmatched.yml");
    std::fs::write(&out, &text).unwrap();
    let output = validate(out.to_str().unwrap(), &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains(
            "error[AP001]: secondary cluster prod is not in the secondary site's inventory"
        )
    );
}

#[test]
fn validate_is_clean_on_the_complete_mapping() {
    let output = validate("fixtures/ap/mapping.yml", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output), "no findings\n");
}

#[test]
fn validate_errors_exit_1_and_show_the_mapping_line() {
    let output = validate("fixtures/ap/AP001-fires.yml", &[]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.contains("--> fixtures/ap/AP001-fires.yml:55"),
        "{text}"
    );
    assert!(
        text.contains("55 |     secondary_name: \"recovry\""),
        "{text}"
    );
    assert!(text.ends_with("5 errors, 0 warnings, 0 notes\n"), "{text}");
}

#[test]
fn validate_warnings_fail_only_with_fail_on_warning_and_levels_apply() {
    let output = validate("fixtures/ap/AP012-fires.yml", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = validate("fixtures/ap/AP012-fires.yml", &["--fail-on", "warning"]);
    assert_eq!(output.status.code(), Some(1));
    let output = validate(
        "fixtures/ap/AP012-fires.yml",
        &["--fail-on", "warning", "--allow", "AP012"],
    );
    assert_eq!(output.status.code(), Some(0));
    let output = validate("fixtures/ap/AP012-fires.yml", &["--profile", "strict"]);
    assert_eq!(output.status.code(), Some(1), "strict denies AP012");
}

#[test]
fn validate_formats() {
    let output = validate("fixtures/ap/AP012-fires.yml", &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["summary"]["warning"], 3);
    assert_eq!(json["findings"][0]["code"], "AP012");
    assert_eq!(json["findings"][0]["file"], "fixtures/ap/AP012-fires.yml");
    assert_eq!(json["findings"][0]["line"], 23);
    let output = validate("fixtures/ap/AP012-fires.yml", &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let output = validate("fixtures/ap/AP012-fires.yml", &["--format", "github"]);
    assert!(
        stdout(&output).contains("file=fixtures/ap/AP012-fires.yml,line=23"),
        "{}",
        stdout(&output)
    );
    let output = validate("fixtures/ap/AP012-fires.yml", &["--format", "junit"]);
    assert!(stdout(&output).starts_with("<?xml"), "{}", stdout(&output));
}

#[test]
fn validate_baseline_keeps_only_new_findings() {
    let baseline = scratch("baseline.json");
    let output = validate(
        "fixtures/ap/AP001-fires.yml",
        &["--write-baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0));
    let output = validate(
        "fixtures/ap/AP001-fires.yml",
        &["--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn bad_input_exits_2_with_file_and_line() {
    let bad = scratch("bad.yml");
    std::fs::write(
        &bad,
        "dr_import_storages:\n  - dr_domain_type: nfs\n    dr_backup: maybe\n",
    )
    .unwrap();
    let output = validate(bad.to_str().unwrap(), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("bad.yml:3:16: expected dr_backup to be a"),
        "{}",
        stderr(&output)
    );
    let output = run(&[
        "mapping",
        "validate",
        "fixtures/ap/mapping.yml",
        "--primary",
        PRIMARY,
    ]);
    assert_eq!(output.status.code(), Some(2), "--secondary is required");
    let output = validate("fixtures/ap/no-such.yml", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no-such.yml: cannot read mapping file"),
        "{}",
        stderr(&output)
    );
}
