//! The active-passive failover scenario: a golden timeline (text and JSON), the same run twice
//! identical, and scenario file errors at file:line.

use std::path::{Path, PathBuf};

use stretchdr_sim::active_passive::{
    ApResult, Reason, VmOutcome, load_inputs, load_scenario, load_scenario_str, render_text, run,
    to_json,
};

fn scenario_path() -> PathBuf {
    // Relative, so reports and snapshots name files the same on every machine.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root).unwrap();
    PathBuf::from("scenarios/active-passive-failover.toml")
}

fn simulate() -> ApResult {
    let scenario = load_scenario(&scenario_path()).unwrap_or_else(|e| panic!("{e}"));
    let (mapping, primary, secondary) = load_inputs(&scenario).unwrap_or_else(|e| panic!("{e}"));
    run(&scenario, &mapping, &primary, &secondary)
}

#[test]
fn the_failover_timeline_is_golden() {
    let result = simulate();
    insta::assert_snapshot!("ap_failover_text", render_text(&result));
    insta::assert_snapshot!("ap_failover_json", to_json(&result));
}

#[test]
fn the_role_order_and_outcomes() {
    let result = simulate();
    let kinds: Vec<&str> = result.timeline.iter().map(|s| s.kind).collect();
    assert_eq!(&kinds[..3], ["sanlock", "login", "attach"]);
    assert!(result.timeline[2].text.contains("(master)"));
    let outcome = |name: &str| result.vms.iter().find(|v| v.name == name).unwrap();
    assert_eq!(outcome("db01").outcome, VmOutcome::Restarted);
    // HA first: db01 is up before the other VMs.
    let db = outcome("db01").up_at_s.unwrap();
    assert!(
        result
            .vms
            .iter()
            .filter(|v| v.name.starts_with("web"))
            .all(|v| v.up_at_s.unwrap() > db)
    );
    assert_eq!(outcome("batch01").reason, Some(Reason::StorageUnavailable));
    assert_eq!(outcome("test01").outcome, VmOutcome::Unaffected);
    assert!(result.summary.failback_done_s.unwrap() > 4.0 * 3600.0 + 1800.0);
    assert_eq!(
        result.summary.rto_s.max,
        result.vms.iter().filter_map(|v| v.up_at_s).reduce(f64::max)
    );
}

#[test]
fn the_same_scenario_twice_is_identical() {
    assert_eq!(to_json(&simulate()), to_json(&simulate()));
}

#[test]
fn scenario_errors_name_the_file_and_line() {
    let path = Path::new("ap.toml");
    let base = "[scenario]\nmode = \"active-passive\"\nname = \"x\"\nmapping = \"m.yml\"\nprimary = \"p.toml\"\nsecondary = \"s.toml\"\n";
    let ok = load_scenario_str(path, base).unwrap();
    assert_eq!(ok.seed, 0);
    assert_eq!(ok.failback_at_ms, None);
    let unknown = load_scenario_str(path, &format!("{base}[parameters]\nvm_regster = \"5s\"\n"))
        .unwrap_err()
        .to_string();
    assert!(
        unknown.starts_with("ap.toml:8:1: unknown parameter \"vm_regster\""),
        "{unknown}"
    );
    let bad = load_scenario_str(path, &format!("{base}[parameters]\nvm_register = 5\n"))
        .unwrap_err()
        .to_string();
    assert!(
        bad.starts_with("ap.toml:8:1: invalid vm_register: expected a duration"),
        "{bad}"
    );
    let mode = load_scenario_str(path, &base.replace("active-passive", "georep"))
        .unwrap_err()
        .to_string();
    assert!(
        mode.starts_with("ap.toml:2:8: expected mode = \"active-passive\""),
        "{mode}"
    );
    let missing = load_scenario_str(path, "[scenario]\nmode = \"active-passive\"\n")
        .unwrap_err()
        .to_string();
    assert!(missing.starts_with("ap.toml:1:1"), "{missing}");
}
