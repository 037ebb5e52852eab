//! CLI tests of `stretchdr sim`.

use std::path::PathBuf;

use crate::support::{root, run, stderr, stdout};

const SITE_A_LOSS: &str = "scenarios/site-a-loss.toml";

/// A scenario file in a fresh temporary directory, its design pointing at the bundled example.
fn temp_scenario(name: &str, body: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stretchdr-cli-sim-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let design = root().join("fixtures/demo/design.toml");
    let text = body.replace("DESIGN", &design.display().to_string().replace('\\', "/"));
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The diagnostic's words without the line wrapping and frame.
fn flat(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn help_is_stable() {
    let output = run(&["sim", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("sim_help", stdout(&output));
}

#[test]
fn text_report_has_summary_table_and_timeline() {
    let output = run(&["sim", SITE_A_LOSS]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("scenario: loss of site-a\nseed: 7"),
        "{text}"
    );
    assert!(text.contains("not restarted by reason:"), "{text}");
    assert!(
        text.contains("legacy-app-01    not_restarted  no_lease_no_fencing"),
        "{text}"
    );
    assert!(
        text.contains("timeline:\n  00:00:00  scenario   fail site:site-a"),
        "{text}"
    );
}

#[test]
fn json_follows_the_documented_format() {
    let output = run(&["sim", SITE_A_LOSS, "--format", "json", "--seed", "11"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["scenario"], "loss of site-a");
    assert_eq!(json["seed"], 11);
    assert_eq!(json["runs"], 1);
    let summary = &json["summary"];
    for key in [
        "vms",
        "restarted",
        "not_restarted",
        "unaffected",
        "engine_down_s",
        "spm_down_s",
    ] {
        assert!(summary[key].is_number(), "{key}: {summary}");
    }
    for key in ["p50", "p95", "max"] {
        assert!(summary["rto_s"][key].is_number(), "{key}");
    }
    assert!(summary.get("failback_done_s").is_some());
    let vms = json["vms"].as_array().unwrap();
    assert_eq!(vms.len() as u64, summary["vms"].as_u64().unwrap());
    let outcomes = [
        "unaffected",
        "restarted",
        "migrated",
        "not_restarted",
        "split_brain",
    ];
    for vm in vms {
        let outcome = vm["outcome"].as_str().unwrap();
        assert!(outcomes.contains(&outcome), "{vm}");
        assert_eq!(
            vm.get("reason").is_some(),
            outcome == "not_restarted",
            "{vm}"
        );
    }
    let restarted = vms.iter().find(|v| v["outcome"] == "restarted").unwrap();
    for key in ["down_at_s", "up_at_s", "site", "host"] {
        assert!(restarted.get(key).is_some(), "{key}: {restarted}");
    }
}

#[test]
fn the_same_run_twice_is_identical() {
    let a = run(&["sim", "scenarios/partition-a-b.toml", "--format", "json"]);
    let b = run(&["sim", "scenarios/partition-a-b.toml", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn html_report_is_one_self_contained_page() {
    let path = std::env::temp_dir().join(format!("stretchdr-cli-sim-{}.html", std::process::id()));
    let output = run(&[
        "sim",
        "scenarios/site-a-loss-and-return.toml",
        "--html",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg"), "an inline SVG timeline");
    assert!(
        html.contains("recover site:site-a"),
        "site recovery is marked"
    );
    for fetch in ["<script", "<link", "src=", "@import", "url("] {
        assert!(!html.contains(fetch), "{fetch} in the page");
    }
}

#[test]
fn unknown_parameter_is_an_error_with_file_and_line() {
    let path = temp_scenario(
        "param",
        "[scenario]\nname = \"x\"\ndesign = \"DESIGN\"\n\n[parameters]\nvds_refresh = \"3s\"\n",
    );
    let output = run(&["sim", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("scenario.toml:6:1"), "{err}");
    assert!(
        flat(&err).contains(
            "unknown parameter `vds_refresh`; did you mean `vds_refresh_rate`? expected one of: vds_refresh_rate"
        ),
        "{err}"
    );
}

#[test]
fn unknown_key_and_unknown_target_are_errors_with_the_line() {
    let path = temp_scenario(
        "key",
        "[scenario]\nname = \"x\"\ndesign = \"DESIGN\"\nsed = 1\n",
    );
    let output = run(&["sim", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("scenario.toml:4"),
        "{}",
        stderr(&output)
    );

    let path = temp_scenario(
        "target",
        "[scenario]\nname = \"x\"\ndesign = \"DESIGN\"\n\n[[event]]\nat = \"0s\"\nfail = \"site:site-z\"\n",
    );
    let output = run(&["sim", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("scenario.toml:7"), "{err}");
    assert!(flat(&err).contains("no site named"), "{err}");
    assert!(
        err.contains("fail = \"site:site-z\""),
        "the line is shown: {err}"
    );
}

#[test]
fn missing_scenario_file_exits_2() {
    let output = run(&["sim", "scenarios/no-such-file.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no-such-file.toml"));
}

#[test]
fn georep_scenarios_run_the_geo_replication_simulator() {
    let output = run(&["sim", "scenarios/georep-weekly.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("georep scenario"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_unknown_mode_is_an_error_with_the_line() {
    let path = temp_scenario(
        "mode",
        "[scenario]\nmode = \"weather\"\nname = \"x\"\ndesign = \"DESIGN\"\n",
    );
    let output = run(&["sim", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("scenario.toml:2"), "{err}");
    assert!(flat(&err).contains("mode \"weather\""), "{err}");
}

#[test]
fn monte_carlo_json_is_the_same_on_one_and_two_threads() {
    let args = |threads: &'static str| {
        [
            "sim",
            "scenarios/site-a-loss-monte-carlo.toml",
            "--runs",
            "24",
            "--format",
            "json",
            "--threads",
            threads,
        ]
    };
    let one = run(&args("1"));
    let two = run(&args("2"));
    assert_eq!(one.status.code(), Some(0), "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout);
    assert!(stderr(&one).is_empty(), "no progress bar when piped");
    let json: serde_json::Value = serde_json::from_str(&stdout(&one)).unwrap();
    assert_eq!(json["runs"], 24);
    let vm = &json["vms"][0];
    assert!(vm["p_not_restarted"].is_number(), "{vm}");
    for key in ["p50", "p95", "max"] {
        assert!(vm["rto_s"].get(key).is_some(), "{vm}");
        assert!(json["summary"]["all_ha_back_s"].get(key).is_some());
    }
    assert!(json["summary"]["expected_not_restarted"].is_number());
}

#[test]
fn monte_carlo_text_and_html_show_histograms() {
    let path = std::env::temp_dir().join(format!("stretchdr-cli-mc-{}.html", std::process::id()));
    let output = run(&[
        "sim",
        "scenarios/site-a-loss-monte-carlo.toml",
        "--runs",
        "12",
        "--quiet",
        "--html",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("seed: 7   runs: 12"), "{text}");
    assert!(text.contains("all HA VMs back (runs):"), "{text}");
    assert!(text.contains("P(NOT RESTARTED)"), "{text}");
    assert!(text.contains('#'), "a histogram bar: {text}");
    let html = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg"));
    assert!(!html.contains("<script"));
}

#[test]
fn active_passive_scenarios_run_the_role_failover() {
    let output = crate::support::run(&[
        "sim",
        "--format",
        "json",
        "scenarios/active-passive-failover.toml",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        crate::support::stderr(&output)
    );
    let json: serde_json::Value = serde_json::from_str(&crate::support::stdout(&output)).unwrap();
    assert!(json["vms"].as_array().is_some_and(|vms| !vms.is_empty()));
    let with_engine = crate::support::run(&[
        "sim",
        "--engine",
        "https://127.0.0.1:9",
        "scenarios/active-passive-failover.toml",
    ]);
    assert_eq!(with_engine.status.code(), Some(2));
    assert!(crate::support::stderr(&with_engine).contains("name the designs of their sites"));
}

#[test]
fn sim_slo_gates_from_the_flag_and_the_scenario_table() {
    let output = run(&["sim", "scenarios/site-a-loss.toml", "--slo", "rto_p95<=1m"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}\n{}", stderr(&output));
    assert!(
        text.contains("missed rto_p95<=1m in loss of site-a: "),
        "{text}"
    );
    let output = run(&["sim", "scenarios/site-a-loss.toml", "--slo", "rto_p95<=24h"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // With --format json the SLO lines go to stderr: stdout stays one JSON document.
    let output = run(&[
        "sim",
        "scenarios/site-a-loss.toml",
        "--format",
        "json",
        "--slo",
        "rto_p95<=1m",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(serde_json::from_slice::<serde_json::Value>(&output.stdout).is_ok());
    assert!(stderr(&output).contains("missed rto_p95<=1m"));

    let dir = std::env::temp_dir().join(format!("stretchdr-cli-sim-slo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let design = crate::support::root().join("fixtures/demo/design.toml");
    let head = format!(
        "[scenario]\nname = \"loss of site-a\"\ndesign = {:?}\n",
        design.display().to_string()
    );
    let gated = dir.join("gated.toml");
    std::fs::write(
        &gated,
        format!(
            "{head}[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n[slo]\nnot_restarted_ha = 0\n"
        ),
    )
    .unwrap();
    let output = run(&["sim", gated.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("missed not_restarted_ha<=0 in loss of site-a"));
    // A scenario in which nothing happens checks nothing: an error.
    let idle = dir.join("idle.toml");
    std::fs::write(&idle, &head).unwrap();
    let output = run(&["sim", idle.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no [[event]]"),
        "{}",
        stderr(&output)
    );
}
