//! CLI tests of `stretchdr diff` on pairs of designs whose difference has a known effect. The
//! simulator's figures change as its model does: the tests check directions, not seconds.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::{run, run_in, stderr, stdout};

const BASE: &str = "fixtures/diff/base.toml";

fn diff_json(head: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["diff", BASE, head, "--format", "json"];
    args.extend_from_slice(extra);
    let output = run(&args);
    let json = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("JSON ({e}): {}{}", stdout(&output), stderr(&output)));
    (output.status.code(), json)
}

fn scenario<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("scenario {name}"))
}

/// `(base, head)` of a metric of a scenario.
fn metric(scenario: &Value, name: &str) -> (Option<f64>, Option<f64>) {
    let m = scenario["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == name)
        .unwrap_or_else(|| panic!("metric {name}"));
    (m["base"].as_f64(), m["head"].as_f64())
}

fn added_codes(json: &Value) -> Vec<(String, String)> {
    json["findings"]["added"]
        .as_array()
        .expect("added")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_string(),
                f["entity"]["name"].as_str().expect("name").to_string(),
            )
        })
        .collect()
}

fn vm_change<'a>(scenario: &'a Value, vm: &str) -> Option<&'a Value> {
    scenario["vms"]
        .as_array()
        .expect("vms")
        .iter()
        .find(|v| v["name"] == vm)
}

#[test]
fn the_same_design_is_unchanged() {
    let (code, json) = diff_json(BASE, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(json["verdict"], "unchanged");
    assert_eq!(json["findings"]["added"], Value::Array(vec![]));
    for s in json["scenarios"].as_array().expect("scenarios") {
        assert_eq!(s["status"], "compared");
        assert_eq!(s["vms"], Value::Array(vec![]), "{}", s["name"]);
    }
}

#[test]
fn a_host_removed_from_site_b_leaves_more_vms_down_after_losing_site_a() {
    let (code, json) = diff_json("fixtures/diff/host-removed.toml", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(json["verdict"], "worse");
    let loss = scenario(&json, "loss of site-a");
    let (base_down, head_down) = metric(loss, "not_restarted");
    let (base_rto, head_rto) = metric(loss, "rto_p95");
    assert!(
        head_down > base_down || (head_down == base_down && head_rto >= base_rto),
        "{loss}"
    );
    assert_eq!(loss["worse"], true);
    let (base_peak, head_peak) = metric(loss, "peak_memory");
    assert!(head_peak >= base_peak, "{loss}");
    assert!(added_codes(&json).contains(&("AA013".into(), "stretch".into())));
}

#[test]
fn a_dropped_lease_leaves_that_vm_down() {
    let (code, json) = diff_json("fixtures/diff/lease-dropped.toml", &[]);
    assert_eq!(code, Some(1), "one more VM down is beyond not_restarted+0");
    assert_eq!(
        added_codes(&json),
        [("AA003".to_string(), "app-01".to_string())]
    );
    let loss = scenario(&json, "loss of site-a");
    let app = vm_change(loss, "app-01").expect("app-01 changed");
    assert_eq!(app["change"], "now_down");
    assert_eq!(app["head"]["outcome"], "not_restarted");
    let (base_down, head_down) = metric(loss, "not_restarted");
    assert_eq!(head_down, base_down.map(|n| n + 1.0));
}

#[test]
fn a_tolerance_lets_a_small_worsening_through() {
    let (code, json) = diff_json(
        "fixtures/diff/lease-dropped.toml",
        &[
            "--tolerance",
            "not_restarted+1,rto_p50+10m,rto_p95+10m,rto_max+10m",
            "--tolerance",
            "engine_down+10m,spm_down+10m,failback+2h,peak_memory+50",
        ],
    );
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["fails"], false);
    assert_eq!(json["verdict"], "changed");
    assert!(
        json["tolerance"]
            .as_array()
            .expect("tolerance")
            .contains(&Value::from("not_restarted+1"))
    );
}

#[test]
fn a_soft_rule_made_hard_adds_aa005_and_keeps_its_vms_down() {
    let (code, json) = diff_json("fixtures/diff/hard-rule.toml", &[]);
    assert_eq!(code, Some(1));
    assert_eq!(json["findings"]["failing"], 1);
    assert_eq!(
        added_codes(&json),
        [("AA005".to_string(), "prefer-site-a".to_string())]
    );
    let loss = scenario(&json, "loss of site-a");
    let (base_down, head_down) = metric(loss, "not_restarted");
    assert!(head_down >= base_down, "{loss}");
    for s in json["scenarios"].as_array().expect("scenarios") {
        let (b, h) = metric(s, "not_restarted");
        assert!(h >= b, "no scenario gets better: {s}");
    }
}

#[test]
fn swapped_spm_priorities_add_aa007() {
    let (_, json) = diff_json("fixtures/diff/spm-swapped.toml", &[]);
    let added = added_codes(&json);
    for host in ["b1", "b2", "b3"] {
        assert!(
            added.contains(&("AA007".to_string(), host.to_string())),
            "{added:?}"
        );
    }
}

#[test]
fn markdown_has_a_verdict_line_and_a_table_per_scenario() {
    let output = run(&[
        "diff",
        BASE,
        "fixtures/diff/hard-rule.toml",
        "--format",
        "markdown",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.starts_with("### :x: stretchdr diff: worse\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("| metric | base | head | change | allowed |")
            .count(),
        3
    );
    assert!(text.contains("| added | error | AA005 | affinity_group prefer-site-a |"));
    assert!(
        text.contains("<details><summary>VMs: 12 now down</summary>") || text.contains("now down")
    );
}

#[test]
fn monte_carlo_figures_with_runs() {
    let (_, json) = diff_json("fixtures/diff/lease-dropped.toml", &["--runs", "3"]);
    let loss = scenario(&json, "loss of site-a");
    let (base, head) = metric(loss, "expected_not_restarted");
    assert!(head > base, "{loss}");
}

#[test]
fn a_bad_tolerance_is_a_usage_error() {
    let output = run(&["diff", BASE, BASE, "--tolerance", "rto_p99+2m"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown metric \"rto_p99\""),
        "{}",
        stderr(&output)
    );
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("stretchdr-cli-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `git` in `dir` with a fixed identity; `None` when git is not installed.
fn git(dir: &Path, args: &[&str]) -> Option<()> {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=stretchdr",
            "-c",
            "user.email=stretchdr@example.com",
        ])
        .args(args)
        .output()
        .ok()?;
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    Some(())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copied");
        }
    }
}

#[test]
fn git_reads_base_from_a_revision() {
    let dir = temp_dir("git");
    if git(&dir, &["init", "-q"]).is_none() {
        eprintln!("skipped: git is not installed");
        return;
    }
    std::fs::create_dir_all(dir.join("designs")).expect("dir");
    std::fs::copy(BASE, dir.join("designs/cluster.toml")).expect("copied");
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    std::fs::copy(
        "fixtures/diff/hard-rule.toml",
        dir.join("designs/cluster.toml"),
    )
    .expect("copied");
    let output = run_in(
        &dir.join("designs"),
        &["diff", "--git", "HEAD", "cluster.toml", "--format", "json"],
    );
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_eq!(json["base"], "HEAD:cluster.toml");
    assert_eq!(
        added_codes(&json),
        [("AA005".to_string(), "prefer-site-a".to_string())]
    );
}

#[test]
fn git_reads_the_export_an_overlay_names_at_the_same_revision() {
    let dir = temp_dir("git-export");
    if git(&dir, &["init", "-q"]).is_none() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let root = crate::support::root();
    copy_dir(
        &root.join("fixtures/exports/miq_ovirt_lans_refresh"),
        &dir.join("exports/miq_ovirt_lans_refresh"),
    );
    std::fs::create_dir_all(dir.join("design")).expect("dir");
    std::fs::copy(
        root.join("fixtures/design/overlay_miq.toml"),
        dir.join("design/overlay.toml"),
    )
    .expect("copied");
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    // The change: bodh2's SPM priority above bodh1's.
    let text = std::fs::read_to_string(dir.join("design/overlay.toml")).expect("read");
    std::fs::write(
        dir.join("design/overlay.toml"),
        text.replace("spm_priority = 2", "spm_priority = 10"),
    )
    .expect("written");
    let output = run_in(
        &dir.join("design"),
        &["diff", "--git", "HEAD", "overlay.toml", "--format", "json"],
    );
    std::fs::remove_dir_all(&dir).ok();
    let json: Value = serde_json::from_str(&stdout(&output))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
    assert!(
        added_codes(&json).contains(&("AA007".to_string(), "bodh2".to_string())),
        "{json}"
    );
    assert_eq!(json["findings"]["resolved"], Value::Array(vec![]));
}

#[test]
fn help_is_stable() {
    let output = run(&["diff", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("diff_help", stdout(&output));
}
