//! CLI tests of `stretchdr whatif`, on the capacity design where every site-b host holds
//! exactly four of the twelve VMs of site-a.

use crate::support::{run, stderr, stdout};

const CAPACITY: &str = "sim/tests/designs/capacity.toml";
const SITE_A_LOSS: &str = "scenarios/site-a-loss.toml";

#[test]
fn help_is_stable() {
    let output = run(&["whatif", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("whatif_help", stdout(&output));
}

#[test]
fn hosts_added_lower_the_vms_not_restarted_and_target_picks_the_cheapest() {
    let output = run(&[
        "whatif",
        CAPACITY,
        "--scenario",
        SITE_A_LOSS,
        "--vary",
        "hosts.site-b=+0..+3",
        "--runs",
        "3",
        "--target",
        "not_restarted<=0",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let lost: Vec<f64> = json["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["expected_not_restarted"].as_f64().unwrap())
        .collect();
    assert_eq!(lost, [8.0, 4.0, 0.0, 0.0]);
    assert_eq!(json["cheapest"], 2);
    assert_eq!(json["points"][2]["settings"]["hosts.site-b"], "+2");
    assert_eq!(json["runs"], 3);
}

#[test]
fn text_and_csv_have_one_row_per_point() {
    let args = |format: &'static str| {
        [
            "whatif",
            CAPACITY,
            "--scenario",
            SITE_A_LOSS,
            "--vary",
            "hosts.site-b=+0,+2",
            "--vary",
            "vds_refresh_rate=3s..6s:3s",
            "--runs",
            "2",
            "--target",
            "rto_p95<=6m",
            "--format",
            format,
        ]
    };
    let text = run(&args("text"));
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let text = stdout(&text);
    assert!(
        text.contains("hosts.site-b  vds_refresh_rate  memory added"),
        "{text}"
    );
    assert!(text.contains("\n  +2            6s  "), "{text}");
    assert!(
        text.contains("cheapest point meeting rto_p95<=6m:"),
        "{text}"
    );
    let csv = stdout(&run(&args("csv")));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert!(lines[0].starts_with("hosts.site-b,vds_refresh_rate,memory_added_bytes,rto_p50_s"));
    assert!(lines[4].starts_with("+2,6s,137438953472,"), "{csv}");
}

#[test]
fn html_report_plots_the_sweep() {
    let path =
        std::env::temp_dir().join(format!("stretchdr-cli-whatif-{}.html", std::process::id()));
    let output = run(&[
        "whatif",
        CAPACITY,
        "--scenario",
        SITE_A_LOSS,
        "--vary",
        "host_memory.site-b=64GiB..128GiB:64GiB",
        "--runs",
        "1",
        "--quiet",
        "--html",
        path.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("<path"), "a plot");
    assert!(!html.contains("<script"));
}

#[test]
fn bad_vary_or_target_exits_2_and_says_what_was_expected() {
    for (flag, value, message) in [
        ("--vary", "hosts.site-z=+0..+2", "no site named \"site-z\""),
        ("--vary", "vds_refresh_rate=3s..9s", "needs :STEP"),
        ("--target", "speed<=1", "unknown metric"),
    ] {
        let mut args = vec!["whatif", CAPACITY, "--scenario", SITE_A_LOSS, "--runs", "1"];
        if flag == "--target" {
            args.extend(["--vary", "hosts.site-b=+0..+1"]);
        }
        args.extend([flag, value]);
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{value}");
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
    let output = run(&["whatif", CAPACITY, "--scenario", SITE_A_LOSS]);
    assert_eq!(output.status.code(), Some(2), "--vary is required");
}
