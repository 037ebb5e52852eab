//! The georep simulation (issue 8): the shipped scenario as a golden JSON and text, the same run
//! twice byte-identical, the worst RPO equal to the arithmetic and to lint's estimate, overlapping
//! runs skipped, failures and a site loss during a sync, and scenario errors at file:line.

use std::path::{Path, PathBuf};

use stretchdr_model::Inventory;
use stretchdr_model::design::{load_design, load_design_str};
use stretchdr_model::inventory::GeoRepMode;
use stretchdr_model::inventory::{HOUR_MS, WEEK_MS};
use stretchdr_sim::georep::{
    Action, GeorepEvent, GeorepResult, GeorepScenario, RecoveryPoint, RunOutcome, SessionResult,
    Target, load_scenario, load_scenario_str, render_text, run, to_json,
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
fn site_loss_during_a_sync_leaves_no_consistent_point() {
    let (scenario, inventory) = weekly();
    let result = run(&inventory, &scenario);
    let vmstore = &result.sessions[0];
    let [loss] = vmstore.site_losses.as_slice() else {
        panic!("one site loss: {:?}", vmstore.site_losses)
    };
    // Lost on Saturday 01:15 while Saturday's 01:00 sync wrote the secondary in place: no
    // consistent point, and no silent fall-back to Friday's snapshot.
    assert!(loss.sync_in_progress);
    assert_eq!(loss.at_s, 121.25 * 3600.0);
    assert_eq!(loss.point, RecoveryPoint::None);
    assert_eq!(
        (loss.last_consistent_s, loss.rpo_s, loss.loss_gib),
        (None, None, None)
    );
    let run_at = |session: &SessionResult, hour: f64| {
        session
            .runs
            .iter()
            .find(|r| r.start_s == hour * 3600.0)
            .unwrap()
            .clone()
    };
    assert_eq!(run_at(vmstore, 121.0).outcome, RunOutcome::Interrupted);
    // Tuesday 01:00's run starts with the link down since 00:30; the engine's refresh at 01:05
    // sees the session Faulty and the command fails. The session runs on: once the link is
    // back at 02:30 it ships the backlog, so Wednesday's run has nothing left to ship and is
    // seen complete at the first refresh, 01:05.
    let tuesday = run_at(vmstore, 25.0);
    assert_eq!(tuesday.outcome, RunOutcome::Failed);
    assert_eq!(tuesday.end_s, Some(25.0 * 3600.0 + 300.0));
    assert_eq!(
        tuesday.reason.as_deref(),
        Some("link site-a/site-b is down")
    );
    let wednesday = run_at(vmstore, 49.0);
    assert_eq!(wednesday.outcome, RunOutcome::Completed);
    assert_eq!(wednesday.backlog_gib, 0.0);
    assert_eq!(wednesday.end_s, Some(49.0 * 3600.0 + 300.0));
    // Thursday 02:30's data sync meets one brick offline (02:00-03:00) in a replica 3 volume:
    // its subvolume keeps an active brick, the session stays healthy, the run completes.
    let data = &result.sessions[1];
    assert_eq!(run_at(data, 74.5).outcome, RunOutcome::Completed);
    assert_eq!(data.counts.failed, 0);
}

/// A design with one session every `every` of `rate` over `bandwidth`, replayed for a week with
/// `events`.
fn constant(
    every: &str,
    rate: &str,
    bandwidth: &str,
    events: Vec<GeorepEvent>,
) -> (GeorepResult, Inventory) {
    session_design(
        &format!("schedule = \"{every}\""),
        "",
        rate,
        bandwidth,
        events,
    )
}

/// The same design with the session's own `schedule`/`mode` lines and the volume's extra
/// fields.
fn session_design(
    session: &str,
    volume: &str,
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
gluster = {{ volume = "vmstore"{volume} }}

[[storage_domain.georep]]
secondary_volume = "vmstore-dr"
secondary_site = "site-b"
{session}
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
        status_refresh_ms: 300_000,
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
    // Every 6h, 20 GiB/h: 120 GiB over 1 Gbps = 120 * 2^30 * 8 / 1e9 s = 1030.793 s; the
    // engine's status refresh (every 300 s) sees the checkpoint complete at 1200 s. Worst
    // RPO = 6h + 1200 s.
    let (result, inventory) = constant("6h", "20GiB/h", "1Gbps", Vec::new());
    let session = &result.sessions[0];
    let expected_ms = 6 * HOUR_MS + 1_200_000;
    assert_eq!(session.rpo_s.unwrap().max, expected_ms as f64 / 1000.0);
    let worst = session.worst.as_ref().unwrap();
    assert_eq!(worst.rpo_s, expected_ms as f64 / 1000.0);
    // The first run of the week is seen complete 1200 s after Monday 00:00; the secondary
    // held Sunday 18:00's snapshot until then.
    assert_eq!(worst.at_s, 1200.0);
    assert_eq!(worst.last_consistent_s, -6.0 * 3600.0);
    // What a disaster then loses: 20 GiB/h over 6h + 1200 s.
    let loss = 20.0 * (6.0 + 1200.0 / 3600.0);
    assert!((worst.loss_gib - loss).abs() < 0.001, "{}", worst.loss_gib);
    assert_eq!(session.counts.completed, 28);
    assert_eq!(session.meets_target, Some(true));
    // Lint's estimate (GR005) is the same number.
    let domain = inventory.storage_domains.values().next().unwrap();
    let georep = &domain.gluster.as_ref().unwrap().georep[0];
    let estimate = georep
        .worst_case_rpo(georep.shared_bandwidth(&inventory, domain))
        .unwrap();
    assert_eq!(estimate.rpo_ms, expected_ms);
    assert_eq!(estimate.refresh_wait_ms, 1_200_000 - 1_030_793);
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
fn a_failed_run_leaves_the_session_shipping() {
    // Every 6h, 20 GiB/h over 1 Gbps (125 MB/s); the link fails at 06:12, 12 minutes into
    // Monday 06:00's 120 GiB sync, and is back at 07:00. The refresh at 06:15 sees the
    // session Faulty: the run fails then. The session is not stopped: from 07:00 it ships
    // what is left (120 GiB - 12 min x 125 MB/s = 36.18 GiB, plus the changes) at 419 GiB/h,
    // so 12:00's run finds nothing left and is seen complete at 12:05.
    let events = vec![
        link_event(372 * 60_000, Action::Fail),
        link_event(7 * HOUR_MS, Action::Recover),
    ];
    let (result, _) = constant("6h", "20GiB/h", "1Gbps", events);
    let session = &result.sessions[0];
    let runs = &session.runs;
    assert_eq!(runs[1].outcome, RunOutcome::Failed);
    assert_eq!(runs[1].end_s, Some(375.0 * 60.0));
    assert_eq!(
        runs[1].reason.as_deref(),
        Some("link site-a/site-b is down")
    );
    assert_eq!(runs[2].backlog_gib, 0.0);
    assert_eq!(runs[2].outcome, RunOutcome::Completed);
    assert_eq!(runs[2].end_s, Some(12.0 * 3600.0 + 300.0));
    // Worst: just before 12:05, the secondary still holds Monday 00:00's snapshot; from
    // 06:00 to 12:05 it was written in place, with no consistent point.
    let worst = session.worst.as_ref().unwrap();
    assert_eq!(worst.last_consistent_s, 0.0);
    assert_eq!(worst.rpo_s, 12.0 * 3600.0 + 300.0);
    assert!(session.in_place_s >= 6.0 * 3600.0 + 300.0);
}

#[test]
fn an_outage_between_two_refreshes_goes_unseen() {
    // The link is down from 06:06:00 to 06:09:50, between the refreshes at 06:05 and 06:10:
    // the engine never sees the session Faulty. The run ships what changed since the previous
    // run was seen complete at 00:20 (gsyncd ships until the engine stops it): 20 GiB/h x
    // 5h40m = 113.33 GiB, 973.5 s at 125 MB/s; 230 s late, the transfer ends at 1203.5 s,
    // after the 06:20 refresh, and is seen at 06:25.
    let events = vec![
        link_event(366 * 60_000, Action::Fail),
        link_event(366 * 60_000 + 230_000, Action::Recover),
    ];
    let (result, _) = constant("6h", "20GiB/h", "1Gbps", events);
    let run = &result.sessions[0].runs[1];
    assert_eq!(run.outcome, RunOutcome::Completed);
    assert_eq!(run.end_s, Some(6.0 * 3600.0 + 1500.0));
}

fn brick_event(at_ms: u64, action: Action) -> GeorepEvent {
    GeorepEvent {
        at_ms,
        action,
        target: Target::Brick("vmstore".into()),
        label: "brick:vmstore".into(),
    }
}

#[test]
fn a_replicated_subvolume_rides_out_a_brick() {
    // Replica 3: one or two bricks offline leave an active brick; the third fails the sync
    // (taken in one subvolume, the worst case).
    let two = vec![
        brick_event(5 * HOUR_MS, Action::Fail),
        brick_event(5 * HOUR_MS, Action::Fail),
        brick_event(8 * HOUR_MS, Action::Recover),
        brick_event(8 * HOUR_MS, Action::Recover),
    ];
    let (result, _) = session_design(
        "schedule = \"6h\"",
        ", replica = 3",
        "20GiB/h",
        "1Gbps",
        two.clone(),
    );
    assert_eq!(result.sessions[0].counts.failed, 0);
    let mut three = two;
    three.push(brick_event(5 * HOUR_MS, Action::Fail));
    three.push(brick_event(8 * HOUR_MS, Action::Recover));
    let (result, _) = session_design(
        "schedule = \"6h\"",
        ", replica = 3",
        "20GiB/h",
        "1Gbps",
        three,
    );
    let run = &result.sessions[0].runs[1];
    assert_eq!(run.outcome, RunOutcome::Failed);
    assert_eq!(
        run.reason.as_deref(),
        Some("3 bricks of vmstore are offline: a replica 3 subvolume has no active brick")
    );
    // Without a replica count any offline brick fails it, as for a distribute volume.
    let (result, _) = constant(
        "6h",
        "20GiB/h",
        "1Gbps",
        vec![brick_event(5 * HOUR_MS, Action::Fail)],
    );
    assert_eq!(result.sessions[0].runs[1].outcome, RunOutcome::Failed);
}

#[test]
fn a_continuous_session_lags_by_its_backlog() {
    // Continuous, 20 GiB/h over 1 Gbps (419 GiB/h): caught up all the time, the lag is one
    // changelog rollover, 15 s. A link outage from 06:00 to 07:00 holds back an hour of
    // changes: when the link returns, the oldest unshipped change is an hour old (+15 s);
    // 20 GiB drain in under 3 minutes.
    let events = vec![
        link_event(6 * HOUR_MS, Action::Fail),
        link_event(7 * HOUR_MS, Action::Recover),
    ];
    let (result, _) = session_design("mode = \"continuous\"", "", "20GiB/h", "1Gbps", events);
    let session = &result.sessions[0];
    assert_eq!(session.mode, GeoRepMode::Continuous);
    assert!(session.runs.is_empty());
    let rpo = session.rpo_s.unwrap();
    assert_eq!(rpo.p50, 15.0);
    assert_eq!(rpo.max, 3600.0 + 15.0);
    assert_eq!(session.worst.as_ref().unwrap().at_s, 7.0 * 3600.0);
}

#[test]
fn the_engines_first_sync_stops_a_continuous_session() {
    // A continuous session that also has the engine's daily sync at 01:00: the sync sets a
    // checkpoint on the active session and, seen complete at the 01:05 refresh, stops it.
    // Warm-up week first: the stop happens before the scenario, so from its start the
    // session is scheduled and its RPO is the daily snapshot's age.
    let (result, _) = session_design(
        "mode = \"continuous\"\nschedule = \"0 0 1 * * ? *\"",
        "",
        "20GiB/h",
        "1Gbps",
        Vec::new(),
    );
    let session = &result.sessions[0];
    assert_eq!(session.stopped_by_engine_s, None);
    assert_eq!(session.counts.completed, 7);
    assert!(session.rpo_s.unwrap().max > 24.0 * 3600.0);
    // With no warm-up to hide it: a continuous session lost at 00:30 on Monday is
    // crash-consistent with a 15 s lag.
    let (result, _) = session_design(
        "mode = \"continuous\"",
        "",
        "20GiB/h",
        "1Gbps",
        vec![GeorepEvent {
            at_ms: 30 * 60_000,
            action: Action::Fail,
            target: Target::Site("site-a".into()),
            label: "site:site-a".into(),
        }],
    );
    let loss = &result.sessions[0].site_losses[0];
    assert_eq!(loss.point, RecoveryPoint::CrashConsistent);
    assert_eq!(loss.rpo_s, Some(15.0));
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
