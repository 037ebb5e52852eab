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

/// The lines of a generated mapping that hold a placeholder value (the `# TODO` lines
/// whose value is one, not those that only comment on a guessed name).
fn placeholder_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            !line.trim_start().starts_with('#')
                && (line.contains("\"TODO\"")
                    || line.contains("00000000-0000-0000-0000-000000000000")
                    || line.contains(".example.com"))
        })
        .map(|(i, _)| i + 1)
        .collect()
}

/// Replaces every placeholder value of a generated mapping with a value of the fixtures.
fn fill(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line
                .replace("engine-primary.example.com", "engine.dc1.lab")
                .replace("engine-secondary.example.com", "engine.dc2.lab");
            let Some((key, _)) = line.split_once(": ") else {
                return line;
            };
            let value = if key.ends_with("_ca_file") {
                "\"/etc/pki/ovirt-engine/ca.pem\""
            } else if key.ends_with("_target") {
                "[\"iqn.2026-01.lab.dc2:data2\"]"
            } else if key.trim_start().starts_with("secondary_profile_id") {
                "\"8d2e3f4a-5b6c-4d7e-9f8a-0b1c2d3e4f5a\""
            } else if key.ends_with("_id") {
                "\"7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f\""
            } else if key.ends_with("_path") {
                "\"/export/data1\""
            } else {
                "\"storage.dc2.lab\""
            };
            if placeholder_lines(&line).is_empty() {
                line
            } else {
                format!("{key}: {value}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn generate_then_validate_fails_on_every_placeholder_until_filled() {
    let out = scratch("generated.yml");
    let secondary = "fixtures/ap/secondary-same-names.toml";
    let output = run(&[
        "mapping",
        "generate",
        "--primary",
        PRIMARY,
        "--secondary",
        secondary,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("dr_primary_name: \"data1\""), "{text}");
    let lines = placeholder_lines(&text);
    assert!(
        lines.len() >= 6,
        "a design holds no addresses or ids: {text}"
    );
    let validate_against = |path: &PathBuf| {
        run(&[
            "mapping",
            "validate",
            path.to_str().unwrap(),
            "--primary",
            PRIMARY,
            "--secondary",
            secondary,
            "--verbose",
        ])
    };
    let output = validate_against(&out);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let report = stdout(&output);
    for line in &lines {
        assert!(
            report.contains(&format!("generated.yml:{line}\n")),
            "placeholder line {line} is not reported:\n{report}"
        );
    }
    let filled = scratch("filled.yml");
    std::fs::write(&filled, fill(&text)).unwrap();
    let output = validate_against(&filled);
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
fn generate_from_two_exports_writes_no_todo_for_what_they_hold() {
    let output = run(&[
        "mapping",
        "generate",
        "--primary",
        "fixtures/exports/dr_primary",
        "--secondary",
        "fixtures/exports/dr_secondary",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    // Only what neither export holds is left to fill: the engines' URLs and CA files, and
    // the secondary's side of domains and LUNs the secondary does not know yet.
    for line in text
        .lines()
        .filter(|l| l.contains("TODO") && !l.starts_with('#'))
    {
        let key = line
            .trim_start_matches([' ', '-'])
            .split(':')
            .next()
            .unwrap();
        assert!(
            key.starts_with("dr_sites_")
                || key.starts_with("dr_secondary_")
                || key.starts_with("secondary_logical_unit")
                || key == "secondary_name",
            "a TODO for a value an export holds: {line}"
        );
    }
    // The replica the secondary already knows gives its connection; the primary's come
    // from the primary export.
    assert!(
        text.contains("dr_secondary_address: \"nfs-b.dc2.lab\""),
        "{text}"
    );
    assert!(
        text.contains("dr_primary_address: \"gluster-a1.dc1.lab\""),
        "{text}"
    );
    assert!(
        text.contains("secondary_profile_id: \"b2e40000-0000-4d00-8000-000000000401\""),
        "{text}"
    );
    insta::assert_snapshot!("mapping_generate_from_exports", text);
    // Filled in (fixtures/ap/exports-mapping.yml), it validates clean.
    let output = run(&[
        "mapping",
        "validate",
        "fixtures/ap/exports-mapping.yml",
        "--primary",
        "fixtures/exports/dr_primary",
        "--secondary",
        "fixtures/exports/dr_secondary",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn a_partly_filled_mapping_from_exports_names_every_placeholder_line() {
    let output = run(&[
        "mapping",
        "generate",
        "--primary",
        "fixtures/exports/dr_primary",
        "--secondary",
        "fixtures/exports/dr_secondary",
    ]);
    // The engines' URLs filled in, nothing else.
    let text = stdout(&output)
        .replace("engine-primary.example.com", "engine.dc1.lab")
        .replace("engine-secondary.example.com", "engine.dc2.lab");
    let partly = scratch("partly.yml");
    std::fs::write(&partly, &text).unwrap();
    let output = run(&[
        "mapping",
        "validate",
        partly.to_str().unwrap(),
        "--primary",
        "fixtures/exports/dr_primary",
        "--secondary",
        "fixtures/exports/dr_secondary",
        "--verbose",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    let lines = placeholder_lines(&text);
    assert!(!lines.is_empty());
    for line in lines {
        assert!(
            report.contains(&format!("partly.yml:{line}\n")),
            "placeholder line {line} is not reported:\n{report}"
        );
    }
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
