//! CLI tests of `stretchdr lint`, `stretchdr rules` and `stretchdr explain`.

use std::path::PathBuf;

use crate::support::{run, stderr, stdout};

const DEMO: &str = "fixtures/demo/design.toml";
const CLEAN: &str = "fixtures/lint/AA019-clean.toml";

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("stretchdr-cli-lint-{}-{name}", std::process::id()))
}

#[test]
fn help_is_stable() {
    let output = run(&["lint", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("lint_help", stdout(&output));
}

#[test]
fn errors_exit_1_and_show_the_source_line() {
    let output = run(&["lint", DEMO]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("error[AA005]"), "{text}");
    assert!(text.contains("--> fixtures/demo/design.toml:"), "{text}");
    // The caret stands under the key at fault, not the table header.
    assert!(
        text.contains("| hosts_rule = { enabled = true, positive = true, enforcing = true }"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when piped");
    assert!(text.trim_end().ends_with("notes"), "{text}");
}

#[test]
fn clean_source_exits_0() {
    let output = run(&["lint", CLEAN]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn fail_on_lowers_the_bar() {
    let only_notes = "fixtures/lint/AA004-fires.toml";
    assert_eq!(run(&["lint", only_notes]).status.code(), Some(0));
    assert_eq!(
        run(&["lint", only_notes, "--fail-on", "warning"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&["lint", only_notes, "--fail-on", "note"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn command_line_levels_override_the_policy() {
    let warning_only = "fixtures/lint/AA014-fires.toml";
    assert_eq!(run(&["lint", warning_only]).status.code(), Some(0));
    assert_eq!(
        run(&["lint", warning_only, "--deny", "AA014"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&[
            "lint", DEMO, "--allow", "AA005", "--allow", "AA012", "--allow", "AA016"
        ])
        .status
        .code(),
        Some(0)
    );
    let output = run(&["lint", DEMO, "--deny", "AA999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("AA999"), "{}", stderr(&output));
}

#[test]
fn strict_profile_fails_on_warnings() {
    let warning_only = "fixtures/lint/AA014-fires.toml";
    assert_eq!(
        run(&["lint", warning_only, "--profile", "strict"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn missing_source_exits_2() {
    let output = run(&["lint", "no/such/design.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/design.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn policy_with_an_unknown_key_exits_2_naming_file_and_line() {
    let path = temp_file("bad-policy.toml");
    std::fs::write(
        &path,
        "[thresholds]\nself_hosted_max_rtt_ms = 5\nmax_rtt = 3\n",
    )
    .unwrap();
    let output = run(&["lint", CLEAN, "--policy", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("bad-policy.toml:3"), "{err}");
    assert!(err.contains("max_rtt"), "{err}");
}

#[test]
fn policy_ignores_need_a_reason_and_suppress_findings() {
    let path = temp_file("ignore-policy.toml");
    std::fs::write(
        &path,
        "[[ignore]]\ncode = \"AA014\"\nvm = \"db*\"\nreason = \"cache VM, data is disposable\"\n",
    )
    .unwrap();
    let output = run(&[
        "lint",
        "fixtures/lint/AA014-fires.toml",
        "--policy",
        path.to_str().unwrap(),
        "--fail-on",
        "warning",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    std::fs::write(&path, "[[ignore]]\ncode = \"AA014\"\nvm = \"db*\"\n").unwrap();
    let output = run(&["lint", CLEAN, "--policy", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("reason"), "{}", stderr(&output));
}

#[test]
fn baseline_hides_known_findings() {
    let path = temp_file("baseline.json");
    let written = run(&["lint", DEMO, "--write-baseline", path.to_str().unwrap()]);
    assert_eq!(written.status.code(), Some(0), "{}", stderr(&written));
    let output = run(&[
        "lint",
        DEMO,
        "--baseline",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn json_format_follows_the_lint_result_contract() {
    let output = run(&["lint", "fixtures/lint/AA005-fires.toml", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "AA005");
    assert_eq!(finding["name"], "hard-vm-host-affinity");
    assert_eq!(finding["level"], "error");
    assert_eq!(finding["entity"]["kind"], "affinity_group");
    assert_eq!(finding["file"], "fixtures/lint/AA005-fires.toml");
    assert!(finding["line"].is_u64());
    assert!(finding["help"].is_string());
    assert_eq!(json["summary"]["error"], 1);
}

#[test]
fn sarif_format_is_a_sarif_log() {
    let output = run(&["lint", DEMO, "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["version"], "2.1.0");
    let result = &json["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/demo/design.toml"
    );
}

#[test]
fn junit_and_github_formats() {
    let junit = stdout(&run(&["lint", DEMO, "--format", "junit"]));
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(junit.contains("<failure type=\"error\""), "{junit}");
    let github = stdout(&run(&["lint", DEMO, "--format", "github"]));
    assert!(
        github.lines().any(
            |l| l.starts_with("::error file=fixtures/demo/design.toml,line=")
                && l.contains("title=AA005 hard-vm-host-affinity::")
        ),
        "{github}"
    );
    assert!(github.lines().all(|l| l.starts_with("::")), "{github}");
}

#[test]
fn rules_lists_every_code() {
    let output = run(&["rules"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for code in ["AA000", "AA001", "AA013", "AA019"] {
        assert!(text.contains(code), "{text}");
    }
}

#[test]
fn explain_shows_the_rule_doc_and_rejects_unknown_codes() {
    let output = run(&["explain", "AA005"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.starts_with("AA005 hard-vm-host-affinity"), "{text}");
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## References",
    ] {
        assert!(text.contains(section), "{text}");
    }
    let output = run(&["explain", "AA999"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("AA019"), "{}", stderr(&output));
}

#[test]
fn explain_takes_a_name_and_lint_without_source_lints_the_example() {
    let by_name = run(&["explain", "hard-vm-host-affinity"]);
    assert_eq!(by_name.status.code(), Some(0));
    assert_eq!(by_name.stdout, run(&["explain", "AA005"]).stdout);
    let typo = run(&["explain", "hard-vm-host-afinity"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("did you mean hard-vm-host-affinity?"),
        "{}",
        stderr(&typo)
    );
    let output = run(&["lint"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("fixtures/demo/design.toml"));
    // `warn` and `warning` name the same level.
    let warn = run(&["lint", "--fail-on", "warn", "--format", "json"]);
    assert_eq!(warn.status.code(), Some(1));
}
