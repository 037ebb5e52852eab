//! Monte Carlo: the same seed gives byte-identical JSON whatever the thread count, and the
//! scenario's `[variation]` shows in the spread of the results.

use std::path::PathBuf;

use stretchdr_model::Inventory;
use stretchdr_sim::scenario::{Distribution, HOST_FAILURE_RATE};
use stretchdr_sim::{Scenario, load_scenario, monte_carlo, report};

fn varied() -> (Scenario, Inventory) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/site-a-loss-monte-carlo.toml");
    load_scenario(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn json_on(threads: usize, scenario: &Scenario, inv: &Inventory, runs: u32) -> String {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let result = pool.install(|| monte_carlo(inv, scenario, runs, &|_, _| {}).unwrap());
    report::monte_carlo_json(&result)
}

#[test]
fn the_same_seed_gives_the_same_json_on_one_and_two_threads() {
    let (scenario, inv) = varied();
    // 70 runs: more than one batch of 32 on one thread, so batching is exercised too.
    let one = json_on(1, &scenario, &inv, 70);
    let two = json_on(2, &scenario, &inv, 70);
    assert_eq!(one, two);
    let json: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(json["runs"], 70);
    assert_eq!(json["seed"], 7);
    let mut other = scenario.clone();
    other.seed = 8;
    assert_ne!(one, json_on(2, &other, &inv, 70), "the seed matters");
}

#[test]
fn variation_spreads_outcomes_and_times() {
    let (scenario, inv) = varied();
    let result = monte_carlo(&inv, &scenario, 60, &|_, _| {}).unwrap();
    let s = &result.summary;
    assert_eq!(result.runs, 60);
    assert_eq!(s.vms, inv.vms.len());
    // Partial site loss: some VMs of site-a are lost in some runs only.
    assert!(
        result
            .vms
            .iter()
            .any(|v| v.p_not_restarted > 0.0 && v.p_not_restarted < 1.0),
        "{:?}",
        result.vms
    );
    // Log-normal boot times: the RTO spreads.
    let rto = s.rto_s;
    assert!(rto.p95.unwrap() > rto.p50.unwrap(), "{rto:?}");
    let per_run = s.not_restarted_per_run;
    assert!(per_run.max.unwrap() > per_run.p50.unwrap() || s.expected_not_restarted > 0.0);
    let binned: u32 = result.histograms.not_restarted.iter().map(|b| b.runs).sum();
    assert_eq!(binned, 60, "every run in the histogram");
    let back: u32 = result.histograms.all_ha_back_s.iter().map(|b| b.runs).sum();
    assert_eq!(back + result.histograms.all_ha_back_never, 60);
    assert_eq!(back, s.runs_all_ha_back);
}

#[test]
fn without_variation_every_run_is_the_scenario_as_written() {
    let (mut scenario, inv) = varied();
    scenario.variation.clear();
    let single = stretchdr_sim::simulate(&inv, &scenario).unwrap();
    let result = monte_carlo(&inv, &scenario, 1, &|_, _| {}).unwrap();
    assert_eq!(result.summary.not_restarted, single.summary.not_restarted);
    assert_eq!(result.summary.restarted, single.summary.restarted);
    for (mc, one) in result.vms.iter().zip(&single.vms) {
        assert_eq!(
            (mc.outcome, mc.reason),
            (one.outcome, one.reason),
            "{}",
            one.name
        );
    }
}

#[test]
fn random_host_failures_take_hosts_down() {
    let (mut scenario, inv) = varied();
    scenario.events.clear();
    scenario.variation.clear();
    scenario.parameters.horizon = 3_600_000;
    let quiet = monte_carlo(&inv, &scenario, 10, &|_, _| {}).unwrap();
    assert_eq!(quiet.summary.expected_not_restarted, 0.0);
    assert_eq!(quiet.summary.restarted, 0);
    // About 0.5 failures per host in the hour: most runs restart something.
    scenario
        .variation
        .insert(HOST_FAILURE_RATE.into(), Distribution::Fixed { value: 0.7 });
    let busy = monte_carlo(&inv, &scenario, 10, &|_, _| {}).unwrap();
    assert!(busy.summary.rto_s.p50.is_some(), "{:?}", busy.summary);
}
