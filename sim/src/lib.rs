//! stretchdr's simulator: replays failure scenarios against an inventory and predicts what
//! the oVirt engine does — which VMs restart where and when, which do not and why, how long
//! the engine and the SPM are gone, how long failback takes.
//!
//! - [`des`]: the discrete-event core (time, queue, RNG, step loop); knows nothing of oVirt.
//! - [`ovirt`]: the engine's behaviour, every constant a [`Parameters`] field.
//! - [`scenario`]: scenario files and the standard scenarios of `stretchdr audit`.
//! - [`outcome`]: what a run predicts; [`report`]: text, JSON and HTML renderings.
//!
//! ```no_run
//! # use stretchdr_model::Inventory;
//! # fn audit(inventory: &Inventory) -> Result<(), stretchdr_sim::SimError> {
//! for scenario in stretchdr_sim::standard_scenarios(inventory) {
//!     let result = stretchdr_sim::simulate(inventory, &scenario)?;
//!     println!("{}: {} restarted", result.scenario, result.summary.restarted);
//! }
//! # Ok(()) }
//! ```

pub mod active_passive;
pub mod des;
pub mod georep;
pub mod montecarlo;
pub mod outcome;
pub mod ovirt;
pub mod report;
pub mod scenario;
pub mod shard;
pub mod slo;
pub mod trace;
pub mod variation;
pub mod whatif;

use stretchdr_model::Inventory;

use crate::des::{EventQueue, SimTime};
pub use crate::montecarlo::{MonteCarloResult, monte_carlo};
pub use crate::outcome::{Reason, SimResult, Summary, VmOutcome, VmResult};
pub use crate::ovirt::{Event, Ovirt, Parameters, SimError};
pub use crate::scenario::{DEFAULT_SEED, Scenario, load_scenario, standard_scenarios};

/// What `stretchdr audit` reports for one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// The run of the scenario as given (no recovery): restarts, reasons, RTO.
    pub result: SimResult,
    /// Seconds from the failed targets' recovery (4 h after the last event) to the end of
    /// failback; `None` when failback did not finish within a day.
    pub failback_s: Option<f64>,
    /// What the run's HTML timeline draws beside the hosts.
    pub lanes: trace::Lanes,
}

/// How long after recovery [`assess`] measures failback.
pub const ASSESS_RECOVERY_AFTER_MS: u64 = 4 * 3_600_000;

/// Runs `scenario` as given, then again with its targets recovering after 4 h to time the
/// failback.
pub fn assess(inventory: &Inventory, scenario: &Scenario) -> Result<Assessment, SimError> {
    let (result, lanes) = simulate_traced(inventory, scenario)?;
    let failback_s = failback_s(inventory, scenario)?;
    Ok(Assessment {
        result,
        failback_s,
        lanes,
    })
}

/// Seconds from the recovery of `scenario`'s failed targets, 4 h after its last event, to the
/// end of failback (run 0); `None` when failback did not finish within a day.
pub fn failback_s(inventory: &Inventory, scenario: &Scenario) -> Result<Option<f64>, SimError> {
    let recovered = scenario.with_recovery(inventory, ASSESS_RECOVERY_AFTER_MS);
    let recovery_at = recovered
        .events
        .iter()
        .filter(|e| e.action == scenario::Action::Recover)
        .map(|e| e.at)
        .max()
        .unwrap_or(SimTime::ZERO);
    Ok(simulate(inventory, &recovered)?
        .summary
        .failback_done_s
        .map(|done| (done - recovery_at.as_secs_f64()).max(0.0)))
}

/// Runs `scenario` once (run 0, the scenario's seed and parameters) against `inventory`.
pub fn simulate(inventory: &Inventory, scenario: &Scenario) -> Result<SimResult, SimError> {
    simulate_run(inventory, scenario, 0)
}

/// Runs run number `run` of `scenario`: the RNG is the scenario's seed on stream `run`, so
/// Monte Carlo runs are independent and reproducible whatever the order they run in.
pub fn simulate_run(
    inventory: &Inventory,
    scenario: &Scenario,
    run: u64,
) -> Result<SimResult, SimError> {
    simulate_observed(inventory, scenario, run, |_| {})
}

/// [`simulate`] and the lanes its HTML timeline draws beside the hosts (engine and SPM
/// downtime, the enforcer's migrations).
pub fn simulate_traced(
    inventory: &Inventory,
    scenario: &Scenario,
) -> Result<(SimResult, trace::Lanes), SimError> {
    // Both the watch after every event and the end of the run use the tracer.
    let tracer = std::cell::RefCell::new(trace::Tracer::default());
    run_model(
        inventory,
        scenario,
        0,
        true,
        |model, now| tracer.borrow_mut().observe(model, now),
        |model, end| {
            let result = model.finish(&scenario.name, scenario.seed, 1, end);
            let lanes = tracer.take().finish(model, end, &result);
            (result, lanes)
        },
    )
}

/// [`simulate_run`], calling `observe` with the model after every event (for tests that check
/// invariants along the way).
pub fn simulate_observed(
    inventory: &Inventory,
    scenario: &Scenario,
    run: u64,
    observe: impl FnMut(&Ovirt<'_>),
) -> Result<SimResult, SimError> {
    let mut observe = observe;
    run_model(
        inventory,
        scenario,
        run,
        true,
        |model, _| observe(model),
        |model, end| model.finish(&scenario.name, scenario.seed, 1, end),
    )
}

/// Run number `run` of `scenario` as Monte Carlo keeps it: outcomes and times, no timeline.
pub fn simulate_record(
    inventory: &Inventory,
    scenario: &Scenario,
    run: u64,
) -> Result<montecarlo::RunRecord, SimError> {
    run_model(
        inventory,
        scenario,
        run,
        false,
        |_, _| {},
        |model, end| model.run_record(end),
    )
}

/// Runs run `run` of `scenario` (its variation drawn first, from the run's RNG) and hands the
/// final model to `finish`.
fn run_model<R>(
    inventory: &Inventory,
    scenario: &Scenario,
    run: u64,
    record_timeline: bool,
    mut observe: impl FnMut(&Ovirt<'_>, SimTime),
    finish: impl FnOnce(&Ovirt<'_>, SimTime) -> R,
) -> Result<R, SimError> {
    let mut rng = des::rng(scenario.seed, run);
    let last = scenario.events.last().map_or(SimTime::ZERO, |e| e.at);
    let end = last.after(scenario.parameters.horizon);
    let setup = variation::draw(inventory, scenario, end, &mut rng);
    let mut model = Ovirt::new(inventory, &setup.parameters, &setup.events, &mut rng);
    model.draws = setup.per_use;
    model.record_timeline = record_timeline;
    observe(&model, SimTime::ZERO);
    let mut queue = EventQueue::new();
    for (i, event) in setup.events.iter().enumerate() {
        queue.schedule(event.at, Event::Scenario(i))?;
    }
    while des::step(&mut model, &mut queue, &mut rng, end)? {
        observe(&model, queue.now());
    }
    Ok(finish(&model, end))
}
