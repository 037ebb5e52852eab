//! What-if sweeps on a design whose answer is arithmetic: every host holds exactly four VMs.

use std::path::{Path, PathBuf};

use stretchdr_model::Inventory;
use stretchdr_sim::scenario::{Action, Scenario, Target, event};
use stretchdr_sim::slo::parse;
use stretchdr_sim::whatif::{parse_vary, sweep};

fn capacity() -> (Inventory, Scenario) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/designs/capacity.toml");
    let inv = stretchdr_model::load_source(Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    let site_a = inv.sites.find("site-a").unwrap();
    let mut scenario = Scenario::new(
        "loss of site-a",
        vec![event(&inv, 0, Action::Fail, Target::Site(site_a))],
    );
    scenario.seed = 3;
    (inv, scenario)
}

#[test]
fn hosts_added_to_site_b_restart_four_vms_each() {
    let (inv, scenario) = capacity();
    let vary = parse_vary(&inv, "hosts.site-b=+0..+3").unwrap();
    let target = parse("not_restarted<=0").unwrap();
    let result = sweep(&inv, &scenario, &[vary], 4, Some(&target), &|_, _| {}).unwrap();
    let lost: Vec<f64> = result
        .points
        .iter()
        .map(|p| p.expected_not_restarted)
        .collect();
    // 12 VMs, 4 per site-b host: 12 - 4 (1 + k), never below 0.
    assert_eq!(lost, [8.0, 4.0, 0.0, 0.0]);
    let labels: Vec<&str> = result
        .points
        .iter()
        .map(|p| p.settings["hosts.site-b"].as_str())
        .collect();
    assert_eq!(labels, ["+0", "+1", "+2", "+3"]);
    assert_eq!(result.points[2].memory_added_bytes, 2 * (64 << 30));
    assert_eq!(
        result.cheapest,
        Some(Some(2)),
        "two hosts are the cheapest answer"
    );
    let never = parse("not_restarted<0").unwrap();
    let result = sweep(
        &inv,
        &scenario,
        &[parse_vary(&inv, "hosts.site-b=+0..+1").unwrap()],
        1,
        Some(&never),
        &|_, _| {},
    )
    .unwrap();
    assert_eq!(result.cheapest, Some(None));
}

#[test]
fn host_memory_and_engine_parameters_sweep_as_a_grid() {
    let (inv, scenario) = capacity();
    let varies = [
        parse_vary(&inv, "host_memory.site-b=64GiB..192GiB:64GiB").unwrap(),
        parse_vary(&inv, "vds_refresh_rate=3s,20s").unwrap(),
    ];
    let result = sweep(&inv, &scenario, &varies, 2, None, &|_, _| {}).unwrap();
    assert_eq!(result.points.len(), 6);
    let lost: Vec<f64> = result
        .points
        .iter()
        .map(|p| p.expected_not_restarted)
        .collect();
    assert_eq!(lost, [8.0, 8.0, 4.0, 4.0, 0.0, 0.0]);
    // With 3 s cycles the host is NonResponsive about 60 s after the loss and its leased VMs
    // run directly 9 cycles later (about 87 s); the start waits for the leases, free 140 s after
    // the host's last renewal (120 s to 140 s after the loss), then boots 60 s: 180 s to 200 s.
    // With 20 s cycles NonResponsive comes at the first cycle past 60 s of grace (60 s to 80 s)
    // and the direct run 9 cycles (180 s) later, after the leases are free: 300 s to 320 s.
    let p50 = |i: usize| result.points[i].rto_p50_s.unwrap();
    assert!((180.0..=200.0).contains(&p50(0)), "{}", p50(0));
    assert!((300.0..=330.0).contains(&p50(1)), "{}", p50(1));
    assert_eq!(result.points[5].settings["vds_refresh_rate"], "20s");
    assert_eq!(result.points[5].settings["host_memory.site-b"], "192GiB");
}

#[test]
fn bad_vary_and_target_say_what_was_expected() {
    let (inv, _) = capacity();
    for (text, message) in [
        ("hosts.site-z=+0..+2", "no site named"),
        ("hosts.site-b", "PARAM=RANGE"),
        ("vds_refresh=3s..5s:1s", "unknown parameter"),
        ("ha_priority.web-*=1..100:10", "no VM name matches"),
        ("ha_priority.app-*=50..200:50", "above 100"),
        ("migration_policy=fast", "unknown migration policy"),
        ("vds_refresh_rate=0s,3s", "more than 0"),
    ] {
        let err = parse_vary(&inv, text).unwrap_err();
        assert!(err.contains(message), "{text}: {err}");
    }
    assert!(parse_vary(&inv, "migration_policy=minimal_downtime,very_large_vms").is_ok());
    assert!(parse_vary(&inv, "ha_priority.app-0?=1..100:33").is_ok());
}
