//! The active-passive failover scenario: a golden timeline (text and JSON), the same run twice
//! identical, and scenario file errors at file:line.

use std::path::{Path, PathBuf};

use stretchdr_model::inventory::HostStatus;
use stretchdr_model::mapping::{Field, Mapping};
use stretchdr_model::{Inventory, units::parse_duration_ms};
use stretchdr_sim::active_passive::{
    ApResult, ApScenario, Phase, Reason, VmOutcome, load_inputs, load_scenario, load_scenario_str,
    render_text, run, to_json,
};

fn scenario_path() -> PathBuf {
    // Relative, so reports and snapshots name files the same on every machine.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root).unwrap();
    PathBuf::from("scenarios/active-passive-failover.toml")
}

fn simulate() -> ApResult {
    let (scenario, mapping, primary, secondary) = inputs();
    run(&scenario, &mapping, &primary, &secondary)
}

fn inputs() -> (ApScenario, Mapping, Inventory, Inventory) {
    let scenario = load_scenario(&scenario_path()).unwrap_or_else(|e| panic!("{e}"));
    let (mapping, primary, secondary) = load_inputs(&scenario).unwrap_or_else(|e| panic!("{e}"));
    (scenario, mapping, primary, secondary)
}

fn ms(text: &str) -> u64 {
    parse_duration_ms(text).unwrap()
}

/// A role variable as if the mapping file set it.
fn variable(mapping: &Mapping, value: bool) -> Option<Field<bool>> {
    Some(Field {
        value,
        origin: mapping.origin,
        vault: false,
    })
}

fn vm<'r>(result: &'r ApResult, name: &str) -> &'r stretchdr_sim::active_passive::VmResult {
    result.vms.iter().find(|v| v.name == name).unwrap()
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
    assert_eq!(&kinds[..3], ["wait", "login", "attach"]);
    assert_eq!(result.timeline[0].phase, Phase::Operator);
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
    // The shipped mapping sets dr_ignore_error_clean: true, so the failback goes through the
    // failing OVF store updates and brings the four VMs back.
    assert!(result.summary.failback_done_s.unwrap() > 4.0 * 3600.0 + 1800.0);
    assert_eq!(
        result
            .vms
            .iter()
            .filter(|v| v.failback_up_at_s.is_some())
            .count(),
        4
    );
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

#[test]
fn the_operator_wait_is_apart_from_the_role() {
    // operator_wait 80 s (the failover docs), then login 5 s: the master attach starts at
    // 85 s, after the locks are free at 80 s, and ends 85 + 120 = 205 s; db01 (HA, on data1)
    // is registered after data2's iSCSI login 10 s and attach 60 s (205 + 70 = 275 s), five
    // registrations of 5 s (300 s), then its start call 2 s and boot 60 s: up at 362 s.
    let result = simulate();
    assert_eq!(result.timeline[0].end_s, 80.0);
    assert_eq!(result.timeline[2].at_s, 85.0);
    assert_eq!(result.summary.spm_down_s, 205.0);
    assert_eq!(vm(&result, "db01").up_at_s, Some(362.0));
}

#[test]
fn running_the_role_before_the_locks_are_free_loses_that_domain() {
    // The operator starts after 30 s: login 5 s, the master data1 attach starts at 35 s,
    // before the locks free at 80 s, and fails after 60 s (95 s), ignored under the default
    // dr_ignore_error_recover. data2's iSCSI login (10 s) lets its attach start at 105 s: it
    // succeeds and becomes the master (105 + 120 = 225 s). db01 lives on data1: not restarted.
    let (mut scenario, mapping, primary, secondary) = inputs();
    scenario.parameters.operator_wait = ms("30s");
    let result = run(&scenario, &mapping, &primary, &secondary);
    let failed: Vec<_> = result
        .timeline
        .iter()
        .filter(|s| s.phase == Phase::Failover && s.failed.is_some())
        .collect();
    assert_eq!(failed.len(), 1, "{}", render_text(&result));
    assert_eq!((failed[0].at_s, failed[0].end_s), (35.0, 95.0));
    assert!(failed[0].failed.as_ref().unwrap().ignored);
    assert_eq!(result.summary.spm_down_s, 225.0);
    assert_eq!(vm(&result, "db01").outcome, VmOutcome::NotRestarted);
    assert_eq!(vm(&result, "db01").reason, Some(Reason::StorageUnavailable));
    assert_eq!(vm(&result, "web-01").outcome, VmOutcome::Restarted);
    assert!(result.stopped.is_empty());
}

#[test]
fn without_ignoring_recovery_errors_an_early_run_stops_the_failover() {
    // dr_ignore_error_recover: False: the failed data1 attach at 35 s ends the play; no
    // domain is attached, nothing is registered or started.
    let (mut scenario, mut mapping, primary, secondary) = inputs();
    scenario.parameters.operator_wait = ms("30s");
    scenario.failback_at_ms = None;
    mapping.role_variables.ignore_error_recover = variable(&mapping, false);
    let result = run(&scenario, &mapping, &primary, &secondary);
    assert_eq!(result.summary.restarted, 0);
    assert_eq!(result.stopped.len(), 1);
    assert!(result.stopped[0].contains("the failover play stopped at 0:01:35"));
}

#[test]
fn a_domain_needs_an_up_host_in_its_data_center() {
    // add_domain.yml searches `status=up and datacenter=Recovery`: with every secondary host
    // in maintenance no domain is added (each error ignored) and no VM is restarted.
    let (mut scenario, mapping, primary, mut secondary) = inputs();
    scenario.failback_at_ms = None;
    for (_, host) in secondary.hosts.iter_mut() {
        host.status = HostStatus::Maintenance;
    }
    let result = run(&scenario, &mapping, &primary, &secondary);
    let failed = result
        .timeline
        .iter()
        .filter(|s| s.failed.is_some())
        .count();
    assert_eq!(failed, 2);
    assert!(render_text(&result).contains("no Up host in data center Recovery"));
    assert_eq!(result.summary.restarted, 0);
}

#[test]
fn failback_runs_the_clean_up_play_first_and_stops_at_the_ovf_store_update() {
    // fail_back.py: the clean-up play of the primary engine (login 5 s, force-remove of the
    // two stale domains 2 x 60 s) from 4h, then the failback play: login 5 s at 4:02:05,
    // record, shut the 4 VMs down (4 x 30 s, to 4:04:10), then the OVF store update of data1
    // fails (15 s): under the role's default dr_ignore_error_clean: False the play stops at
    // 4:04:25 and the VMs stay down.
    let (scenario, mut mapping, primary, secondary) = inputs();
    mapping.role_variables.ignore_error_clean = None;
    let result = run(&scenario, &mapping, &primary, &secondary);
    let phases: Vec<Phase> = result.timeline.iter().map(|s| s.phase).collect();
    let cleanup = phases.iter().position(|p| *p == Phase::Cleanup).unwrap();
    let failback = phases.iter().position(|p| *p == Phase::Failback).unwrap();
    assert!(cleanup < failback);
    let last = result.timeline.last().unwrap();
    assert_eq!(last.kind, "ovf");
    assert_eq!(last.end_s, 4.0 * 3600.0 + 265.0);
    assert!(!last.failed.as_ref().unwrap().ignored);
    assert_eq!(result.stopped.len(), 2);
}

#[test]
fn failback_ignoring_clean_up_errors_goes_through() {
    // dr_ignore_error_clean: True: the OVF store updates of the two domains (15 s each) fail
    // and are ignored; each removal waits one 2 min delay (maintenance_failures 1 <= retries 3)
    // then removes (60 s); then the 30 min pause and the recovery onto the primary, which
    // starts the 4 VMs recorded as running.
    let (scenario, mut mapping, primary, secondary) = inputs();
    mapping.role_variables.ignore_error_clean = variable(&mapping, true);
    let result = run(&scenario, &mapping, &primary, &secondary);
    assert!(result.stopped.is_empty(), "{:?}", result.stopped);
    let back = result
        .vms
        .iter()
        .filter(|v| v.failback_up_at_s.is_some())
        .count();
    assert_eq!(back, 4);
    let ovf = result.timeline.iter().filter(|s| s.kind == "ovf").count();
    assert_eq!(ovf, 2);
    assert!(result.summary.failback_done_s.unwrap() > 4.0 * 3600.0 + 1800.0);
}

#[test]
fn exhausted_maintenance_retries_are_not_forced() {
    // maintenance_failures 4 > dr_cleanup_retries_maintenance 3: 4 tries fail, 3 waits of
    // 2 min; the domain stays active at the secondary (the force pass takes only inactive
    // domains). Ignored under dr_ignore_error_clean: True; the primary then cannot attach
    // it (the secondary's hosts hold its lockspace) and its VMs do not come back.
    let (mut scenario, mut mapping, primary, secondary) = inputs();
    scenario.parameters.maintenance_failures = 4;
    mapping.role_variables.ignore_error_clean = variable(&mapping, true);
    let result = run(&scenario, &mapping, &primary, &secondary);
    let removes: Vec<_> = result
        .timeline
        .iter()
        .filter(|s| s.kind == "remove" && s.phase == Phase::Failback)
        .collect();
    assert_eq!(removes.len(), 2);
    assert!(
        removes
            .iter()
            .all(|s| s.end_s - s.at_s == 360.0 && s.failed.is_some())
    );
    assert!(removes.iter().all(|s| !s.text.contains("force")));
    assert!(result.vms.iter().all(|v| v.failback_up_at_s.is_none()));
    // Under the default dr_ignore_error_clean: False the first exhausted removal stops it.
    mapping.role_variables.ignore_error_clean = variable(&mapping, false);
    let result = run(&scenario, &mapping, &primary, &secondary);
    assert_eq!(result.summary.failback_done_s, None);
}
