//! The georep simulation (issue 8): the shipped scenario as a golden JSON and text, the same run
//! twice byte-identical, the worst RPO equal to the arithmetic and to lint's estimate, overlapping
//! runs skipped, failures and a site loss during a sync, and scenario errors at file:line.

use std::path::{Path, PathBuf};

use stretchdr_model::Inventory;
use stretchdr_model::design::{load_design, load_design_str};
use stretchdr_model::inventory::{HOUR_MS, WEEK_MS};
use stretchdr_sim::georep::{
    Action, GeorepEvent, GeorepResult, GeorepScenario, RunOutcome, Target, load_scenario,
    load_scenario_str, render_text, run, to_json,
};

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

fn weekly() -> (GeorepScenario, Inventory) {
    let scenario =
        load_scenario(&repo("scenarios/georep-weekly.toml")).unwrap_or_else(|e| panic!("{e}"));
    let inventory = load_design(&scenario.design).unwrap_or_else(|e| panic!("{e}"));
    (scenario, inventory)
}

#[test]
fn weekly_scenario_golden_json() {
    let (scenario, inventory) = weekly();
    insta::assert_snapshot!("georep_weekly_json", to_json(&run(&inventory, &scenario)));
}

#[test]
fn weekly_scenario_golden_text() {
    let (scenario, inventory) = weekly();
    insta::assert_snapshot!(
        "georep_weekly_text",
        render_text(&run(&inventory, &scenario))
    );
}

#[test]
fn same_run_twice_is_byte_identical() {
    let (scenario, inventory) = weekly();
    let first = to_json(&run(&inventory, &scenario));
    let second = to_json(&run(&inventory, &scenario));
    assert_eq!(first, second);
    assert_eq!(
        render_text(&run(&inventory, &scenario)),
        render_text(&run(&inventory, &scenario))
    );
}

#[test]
fn site_loss_during_a_sync_uses_the_last_consistent_point() {
    let (scenario, inventory) = weekly();
    let result = run(&inventory, &scenario);
    let vmstore = &result.sessions[0];
    let [loss] = vmstore.site_losses.as_slice() else {
        panic!("one site loss: {:?}", vmstore.site_losses)
    };
    // Lost on Saturday 01:15 while Saturday's 01:00 sync shipped: Friday's 01:00 snapshot holds.
    assert!(loss.sync_in_progress);
    assert_eq!(loss.at_s, 121.25 * 3600.0);
    assert_eq!(loss.last_consistent_s, 97.0 * 3600.0);
    assert_eq!(loss.rpo_s, 24.25 * 3600.0);
    let saturday = vmstore
        .runs
        .iter()
        .find(|r| r.start_s == 121.0 * 3600.0)
        .unwrap();
    assert_eq!(saturday.outcome, RunOutcome::Interrupted);
    // Tuesday's run met the link outage; Wednesday's shipped two days of changes.
    let tuesday = vmstore
        .runs
        .iter()
        .find(|r| r.start_s == 25.0 * 3600.0)
        .unwrap();
    assert_eq!(tuesday.outcome, RunOutcome::Failed);
    let data = &result.sessions[1];
    let thursday = data
        .runs
        .iter()
        .find(|r| r.start_s == 74.5 * 3600.0)
        .unwrap();
    assert_eq!(thursday.outcome, RunOutcome::Failed);
    assert_eq!(
        thursday.reason.as_deref(),
        Some("a brick of data is offline")
    );
}

/// A design with one session every `every` of `rate` over `bandwidth`, replayed for a week with
/// `events`.
fn constant(
    every: &str,
    rate: &str,
    bandwidth: &str,
    events: Vec<GeorepEvent>,
) -> (GeorepResult, Inventory) {
    let design = format!(
        r#"
[[site]]
name = "site-a"
role = "primary"

[[site]]
name = "site-b"
role = "secondary"

[[storage_domain]]
name = "vmstore"
storage = "glusterfs"
writable_at = ["site-a"]
gluster = {{ volume = "vmstore" }}

[[storage_domain.georep]]
secondary_volume = "vmstore-dr"
secondary_site = "site-b"
schedule = "{every}"
change_rate = "{rate}"
bandwidth = "{bandwidth}"
rpo_target = "8h"
"#
    );
    let inventory = load_design_str(Path::new("design.toml"), &design).unwrap();
    let scenario = GeorepScenario {
        name: "arithmetic".into(),
        design: PathBuf::from("design.toml"),
        duration_ms: WEEK_MS,
        domain: None,
        rpo_step_ms: 60_000,
        events,
    };
    (run(&inventory, &scenario), inventory)
}

fn link_event(at_ms: u64, action: Action) -> GeorepEvent {
    GeorepEvent {
        at_ms,
        action,
        target: Target::Link("site-a".into(), "site-b".into()),
        label: "link:site-a/site-b".into(),
    }
}

#[test]
fn worst_rpo_matches_the_arithmetic_and_lint() {
    // Every 6h, 20 GiB/h: 120 GiB over 1 Gbps = 120 * 2^30 * 8 / 1e9 s = 1030.792 s (1030.793 s
    // rounded up to the millisecond). Worst RPO = 6h + 1030.793 s.
    let (result, inventory) = constant("6h", "20GiB/h", "1Gbps", Vec::new());
    let session = &result.sessions[0];
    let expected_ms = 6 * HOUR_MS + 1_030_793;
    assert_eq!(session.rpo_s.unwrap().max, expected_ms as f64 / 1000.0);
    let worst = session.worst.as_ref().unwrap();
    assert_eq!(worst.rpo_s, expected_ms as f64 / 1000.0);
    // The first run of the week completes 1030.793 s after Monday 00:00; the secondary held
    // Sunday 18:00's snapshot until then.
    assert_eq!(worst.at_s, 1030.793);
    assert_eq!(worst.last_consistent_s, -6.0 * 3600.0);
    // What a disaster then loses: 20 GiB/h over 6h + 1030.793 s.
    let loss = 20.0 * (6.0 + 1030.793 / 3600.0);
    assert!((worst.loss_gib - loss).abs() < 0.001, "{}", worst.loss_gib);
    assert_eq!(session.counts.completed, 28);
    assert_eq!(session.meets_target, Some(true));
    // Lint's estimate (GR005) is the same number.
    let domain = inventory.storage_domains.values().next().unwrap();
    let georep = &domain.gluster.as_ref().unwrap().georep[0];
    let estimate = georep
        .worst_case_rpo(georep.bandwidth(&inventory, domain))
        .unwrap();
    assert_eq!(estimate.rpo_ms, expected_ms);
}

#[test]
fn a_run_due_while_the_previous_ships_is_skipped() {
    // Every 1h, 20 GiB/h over 20 Mbps: 20 GiB take 2.4h to ship, so runs overlap.
    let (result, _) = constant("1h", "20GiB/h", "20Mbps", Vec::new());
    let session = &result.sessions[0];
    assert!(session.counts.skipped > 0, "{:?}", session.counts);
    assert!(
        session
            .runs
            .iter()
            .any(|r| r.outcome == RunOutcome::Skipped)
    );
    // The engine never runs two syncs of one domain at once.
    let started: Vec<_> = session
        .runs
        .iter()
        .filter(|r| r.outcome == RunOutcome::Completed)
        .collect();
    for pair in started.windows(2) {
        assert!(pair[0].end_s.unwrap() <= pair[1].start_s);
    }
}

#[test]
fn a_link_outage_fails_the_running_sync_and_the_next_ships_the_rest() {
    // Every 6h, 20 GiB/h over 1 Gbps; the link fails 10 minutes into Monday 06:00's sync.
    let events = vec![
        link_event(370 * 60_000, Action::Fail),
        link_event(7 * HOUR_MS, Action::Recover),
    ];
    let (result, _) = constant("6h", "20GiB/h", "1Gbps", events);
    let runs = &result.sessions[0].runs;
    assert_eq!(runs[1].outcome, RunOutcome::Failed);
    assert_eq!(runs[1].end_s, Some(370.0 * 60.0));
    assert_eq!(
        runs[1].reason.as_deref(),
        Some("link site-a/site-b is down")
    );
    // 10 minutes at 125 MB/s shipped 69.85 GiB of 120; the 12:00 run ships the rest and 6h more.
    let shipped = 600.0 * 125e6 / (1u64 << 30) as f64;
    let expected = 120.0 - shipped + 120.0;
    assert!(
        (runs[2].backlog_gib - expected).abs() < 0.001,
        "{}",
        runs[2].backlog_gib
    );
    assert_eq!(runs[2].outcome, RunOutcome::Completed);
    // Worst: just before 12:00's run completes, the secondary still holds Monday 00:00.
    let worst = result.sessions[0].worst.as_ref().unwrap();
    assert_eq!(worst.last_consistent_s, 0.0);
}

#[test]
fn scenario_errors_name_file_and_line() {
    // Relative to the test's working directory (the crate), as a user would name it.
    let error = |text: &str| {
        load_scenario_str(Path::new("../scenarios/bad.toml"), text)
            .unwrap_err()
            .to_string()
    };
    let head = "[scenario]\nmode = \"georep\"\nname = \"x\"\ndesign = \"../fixtures/georep/design.toml\"\n";
    insta::assert_snapshot!(
        "georep_scenario_errors",
        [
            error("[scenario]\nmode = \"failover\"\nname = \"x\"\ndesign = \"d.toml\"\n"),
            error(&format!("{head}seed = 7\n")),
            error(&format!("{head}duration = \"a week\"\n")),
            error(&format!("{head}domain = \"nfs1\"\n")),
            error(&format!("{head}\n[[event]]\nat = \"1h\"\nfail = \"link:site-a/site-c\"\n")),
            error(&format!("{head}\n[[event]]\nat = \"1h\"\nfail = \"host:a1\"\n")),
            error(&format!("{head}\n[[event]]\nat = \"1h\"\nfail = \"site:site-a\"\nrecover = \"site:site-a\"\n")),
            error(&format!("{head}\n[[event]]\nat = \"8d\"\nfail = \"site:site-a\"\n")),
            error(&format!("{head}\n[[event]]\nat = \"1h\"\nfail = \"brick:nope\"\n")),
        ]
        .join("\n")
    );
}
