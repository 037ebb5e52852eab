//! The comparison of BASE and HEAD: findings by fingerprint, standard scenarios by name.

use std::collections::{BTreeMap, HashMap, HashSet};

use miette::Report;
use rayon::prelude::{IntoParallelRefIterator, ParallelIterator};
use serde::Serialize;
use stretchdr_lint::{Finding, Level, Policy};
use stretchdr_model::Inventory;
use stretchdr_sim::montecarlo::MonteCarloResult;
use stretchdr_sim::{
    Assessment, Scenario, VmOutcome, VmResult, assess, monte_carlo, standard_scenarios,
};

use super::tolerance::{Metric, Tolerance, Unit};

/// What decides the verdict.
pub struct Settings<'a> {
    pub policy: &'a Policy,
    pub tolerance: &'a Tolerance,
    /// Added findings at or above this level fail the change.
    pub fail_on: Level,
    /// Monte Carlo runs per scenario and side, when asked for.
    pub runs: Option<u32>,
    pub seed: u64,
}

/// The result of `stretchdr diff` (docs/formats.md, "Diff result").
#[derive(Serialize)]
pub struct Comparison {
    pub base: String,
    pub head: String,
    pub verdict: Verdict,
    /// The exit status is 1: a finding at the failing level was added or a scenario got worse
    /// beyond the tolerance.
    pub fails: bool,
    pub fail_on: Level,
    /// The tolerance, as `METRIC+AMOUNT` items (metrics not listed: no worsening allowed).
    pub tolerance: Vec<String>,
    pub findings: FindingChanges,
    pub scenarios: Vec<ScenarioChange>,
    /// Every finding of HEAD (for `--sarif`).
    #[serde(skip)]
    pub head_findings: Vec<Finding>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Fails: see `fails`.
    Worse,
    /// Something improved and nothing got worse.
    Better,
    /// Figures moved, none beyond the tolerance, and not only for the better.
    Changed,
    Unchanged,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Worse => "worse",
            Verdict::Better => "better",
            Verdict::Changed => "changed within tolerance",
            Verdict::Unchanged => "unchanged",
        }
    }
}

#[derive(Serialize)]
pub struct FindingChanges {
    /// In HEAD, not in BASE (by fingerprint), in report order.
    pub added: Vec<Finding>,
    /// In BASE, not in HEAD.
    pub resolved: Vec<Finding>,
    /// In both.
    pub unchanged: usize,
    /// Added findings at or above the failing level.
    pub failing: usize,
}

/// One standard scenario on both sides.
#[derive(Serialize)]
pub struct ScenarioChange {
    pub name: String,
    /// `compared`, or `only_base` / `only_head` when the change adds or removes what the
    /// scenario fails (a site, a link).
    pub status: &'static str,
    /// Some figure got worse beyond the tolerance.
    pub worse: bool,
    pub metrics: Vec<MetricChange>,
    /// Peak memory use of each surviving site's hosts, percent.
    pub peak_memory_percent: BTreeMap<String, Pair>,
    /// VMs whose outcome or reason changed, in HEAD's order (then BASE-only VMs).
    pub vms: Vec<VmChange>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Pair {
    pub base: Option<f64>,
    pub head: Option<f64>,
}

/// One figure of a scenario on both sides; higher is worse.
#[derive(Clone, Debug, Serialize)]
pub struct MetricChange {
    pub metric: &'static str,
    /// `vms`, `s` or `percent`.
    pub unit: &'static str,
    /// `null`: not applicable (no VM restarted) or, for `failback`, not done within a day.
    pub base: Option<f64>,
    pub head: Option<f64>,
    /// `head - base` when both are known.
    pub delta: Option<f64>,
    /// The worsening the tolerance allows.
    pub allowed: f64,
    pub worse: bool,
    pub better: bool,
}

/// A VM whose outcome changed.
#[derive(Clone, Debug, Serialize)]
pub struct VmChange {
    pub name: String,
    /// `now_down` (HEAD does not restart it; BASE did or it was unaffected), `now_restarts`
    /// (BASE left it down), `changed` (another outcome or reason), `added`, `removed`.
    pub change: &'static str,
    pub base: Option<VmSide>,
    pub head: Option<VmSide>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VmSide {
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rto_s: Option<f64>,
}

/// What one side of one scenario gave.
struct Run {
    assessment: Assessment,
    monte_carlo: Option<MonteCarloResult>,
}

/// Compares BASE and HEAD.
pub fn compare(
    base: &Inventory,
    head: &Inventory,
    settings: &Settings<'_>,
    base_name: String,
    head_name: String,
) -> Result<Comparison, Report> {
    let (base_findings, head_findings) = rayon::join(
        || stretchdr_lint::lint(base, settings.policy),
        || stretchdr_lint::lint(head, settings.policy),
    );
    let findings = finding_changes(&base_findings, &head_findings, settings.fail_on);

    let base_scenarios = scenarios(base);
    let head_scenarios = scenarios(head);
    // Every (side, scenario) run in parallel; results come back in order.
    let mut jobs: Vec<(&Inventory, &Scenario)> = Vec::new();
    for scenario in &base_scenarios {
        jobs.push((base, scenario));
    }
    for scenario in &head_scenarios {
        jobs.push((head, scenario));
    }
    let runs: Vec<Run> = jobs
        .par_iter()
        .map(|&(inventory, scenario)| simulate(inventory, scenario, settings))
        .collect::<Result<_, Report>>()?;
    let (base_runs, head_runs) = runs.split_at(base_scenarios.len());

    let mut changes = Vec::new();
    for (scenario, head_run) in head_scenarios.iter().zip(head_runs) {
        let base_run = base_scenarios
            .iter()
            .position(|s| s.name == scenario.name)
            .map(|i| &base_runs[i]);
        changes.push(match base_run {
            Some(base_run) => scenario_change(&scenario.name, base_run, head_run, settings),
            None => one_sided(&scenario.name, "only_head"),
        });
    }
    for scenario in &base_scenarios {
        if !head_scenarios.iter().any(|s| s.name == scenario.name) {
            changes.push(one_sided(&scenario.name, "only_base"));
        }
    }

    let worse = changes.iter().any(|c| c.worse);
    let fails = worse || findings.failing > 0;
    let any_worse = !findings.added.is_empty()
        || changes.iter().any(|c| {
            c.metrics
                .iter()
                .any(|m| m.worse || m.delta.is_some_and(|d| d > EPSILON))
                || c.vms.iter().any(|v| v.change == "now_down")
        });
    let any_better = !findings.resolved.is_empty()
        || changes.iter().any(|c| {
            c.metrics.iter().any(|m| m.better) || c.vms.iter().any(|v| v.change == "now_restarts")
        });
    let any_change = any_worse
        || any_better
        || changes
            .iter()
            .any(|c| !c.vms.is_empty() || c.status != "compared");
    let verdict = if fails {
        Verdict::Worse
    } else if any_better && !any_worse {
        Verdict::Better
    } else if any_change {
        Verdict::Changed
    } else {
        Verdict::Unchanged
    };
    Ok(Comparison {
        base: base_name,
        head: head_name,
        verdict,
        fails,
        fail_on: settings.fail_on,
        tolerance: settings.tolerance.describe(),
        findings,
        scenarios: changes,
        head_findings,
    })
}

/// Differences below this are rounding, not change.
const EPSILON: f64 = 1e-6;

fn scenarios(inventory: &Inventory) -> Vec<Scenario> {
    if inventory.has_sites() {
        standard_scenarios(inventory)
    } else {
        Vec::new()
    }
}

fn simulate(
    inventory: &Inventory,
    scenario: &Scenario,
    settings: &Settings<'_>,
) -> Result<Run, Report> {
    let failed =
        |e: stretchdr_sim::SimError| miette::miette!("simulating {:?}: {e}", scenario.name);
    let assessment = assess(inventory, scenario).map_err(failed)?;
    let monte_carlo = match settings.runs {
        Some(runs) => {
            let mut varied = scenario.clone();
            varied.seed = settings.seed;
            varied.runs = runs;
            Some(monte_carlo(inventory, &varied, runs, &|_, _| {}).map_err(failed)?)
        }
        None => None,
    };
    Ok(Run {
        assessment,
        monte_carlo,
    })
}

fn finding_changes(base: &[Finding], head: &[Finding], fail_on: Level) -> FindingChanges {
    let base_prints: HashSet<String> = base.iter().map(Finding::fingerprint).collect();
    let head_prints: HashSet<String> = head.iter().map(Finding::fingerprint).collect();
    let added: Vec<Finding> = head
        .iter()
        .filter(|f| !base_prints.contains(&f.fingerprint()))
        .cloned()
        .collect();
    let resolved: Vec<Finding> = base
        .iter()
        .filter(|f| !head_prints.contains(&f.fingerprint()))
        .cloned()
        .collect();
    let failing = added.iter().filter(|f| f.level >= fail_on).count();
    FindingChanges {
        unchanged: head.len() - added.len(),
        added,
        resolved,
        failing,
    }
}

fn one_sided(name: &str, status: &'static str) -> ScenarioChange {
    ScenarioChange {
        name: name.to_string(),
        status,
        worse: false,
        metrics: Vec::new(),
        peak_memory_percent: BTreeMap::new(),
        vms: Vec::new(),
    }
}

/// A metric's value on one side.
fn value(run: &Run, metric: Metric) -> Option<f64> {
    let summary = &run.assessment.result.summary;
    match metric {
        Metric::NotRestarted => Some(summary.not_restarted as f64),
        Metric::SplitBrain => Some(summary.split_brain as f64),
        Metric::RtoP50 => summary.rto_s.p50,
        Metric::RtoP95 => summary.rto_s.p95,
        Metric::RtoMax => summary.rto_s.max,
        Metric::EngineDown => Some(summary.engine_down_s),
        Metric::SpmDown => Some(summary.spm_down_s),
        Metric::Failback => run.assessment.failback_s,
        Metric::PeakMemory => summary
            .peak_memory_percent
            .values()
            .copied()
            .fold(None, |max: Option<f64>, v| {
                Some(max.map_or(v, |m| m.max(v)))
            }),
        Metric::ExpectedNotRestarted => run
            .monte_carlo
            .as_ref()
            .map(|mc| mc.summary.expected_not_restarted),
    }
}

fn scenario_change(name: &str, base: &Run, head: &Run, settings: &Settings<'_>) -> ScenarioChange {
    let mut metrics = Vec::new();
    for metric in Metric::ALL {
        if metric == Metric::ExpectedNotRestarted && settings.runs.is_none() {
            continue;
        }
        let (b, h) = (value(base, metric), value(head, metric));
        let allowed = settings.tolerance.allowed(metric);
        let delta = b.zip(h).map(|(b, h)| h - b);
        // Failback not done within a day is worse than any time.
        let never_is_worst = metric == Metric::Failback;
        let (worse, better) = match (b, h) {
            (Some(_), Some(_)) => {
                let d = delta.unwrap_or(0.0);
                (d > allowed + EPSILON, d < -EPSILON)
            }
            (Some(_), None) if never_is_worst => (true, false),
            (None, Some(_)) if never_is_worst => (false, true),
            _ => (false, false),
        };
        metrics.push(MetricChange {
            metric: metric.name(),
            unit: match metric.unit() {
                Unit::Count => "vms",
                Unit::Duration => "s",
                Unit::Percent => "percent",
            },
            base: b,
            head: h,
            delta,
            allowed,
            worse,
            better,
        });
    }
    let mut peak = BTreeMap::new();
    for (site, percent) in &base.assessment.result.summary.peak_memory_percent {
        peak.entry(site.clone()).or_insert_with(Pair::default).base = Some(*percent);
    }
    for (site, percent) in &head.assessment.result.summary.peak_memory_percent {
        peak.entry(site.clone()).or_insert_with(Pair::default).head = Some(*percent);
    }
    ScenarioChange {
        name: name.to_string(),
        status: "compared",
        worse: metrics.iter().any(|m| m.worse),
        metrics,
        peak_memory_percent: peak,
        vms: vm_changes(&base.assessment.result.vms, &head.assessment.result.vms),
    }
}

fn side(vm: &VmResult) -> VmSide {
    VmSide {
        outcome: vm.outcome.as_str(),
        reason: vm.reason.map(|r| r.as_str()),
        rto_s: vm.up_at_s.zip(vm.down_at_s).map(|(up, down)| up - down),
    }
}

fn is_down(outcome: VmOutcome) -> bool {
    matches!(outcome, VmOutcome::NotRestarted | VmOutcome::SplitBrain)
}

fn vm_changes(base: &[VmResult], head: &[VmResult]) -> Vec<VmChange> {
    let by_name: HashMap<&str, &VmResult> = base.iter().map(|v| (v.name.as_str(), v)).collect();
    let mut out = Vec::new();
    for h in head {
        match by_name.get(h.name.as_str()) {
            Some(b) if b.outcome == h.outcome && b.reason == h.reason => {}
            Some(b) => out.push(VmChange {
                name: h.name.clone(),
                change: if is_down(h.outcome) && !is_down(b.outcome) {
                    "now_down"
                } else if is_down(b.outcome) && !is_down(h.outcome) {
                    "now_restarts"
                } else {
                    "changed"
                },
                base: Some(side(b)),
                head: Some(side(h)),
            }),
            None => out.push(VmChange {
                name: h.name.clone(),
                change: "added",
                base: None,
                head: Some(side(h)),
            }),
        }
    }
    let head_names: HashSet<&str> = head.iter().map(|v| v.name.as_str()).collect();
    for b in base {
        if !head_names.contains(b.name.as_str()) {
            out.push(VmChange {
                name: b.name.clone(),
                change: "removed",
                base: Some(side(b)),
                head: None,
            });
        }
    }
    out
}
