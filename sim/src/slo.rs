//! Service-level objectives: the one grammar of `--slo` (audit, sim), `--target` (whatif) and
//! the `[slo]` tables of design and scenario files, and their evaluation against a run.
//!
//! `METRIC OP VALUE`, several joined by `,` (all must hold): `rto_p95<=15m`,
//! `not_restarted_ha==0`, `failback<=4h`, `engine_down<=10m`. OP is `<=`, `<`, `>=`, `>` or
//! `==`. Durations are written like every duration of the tool (`90s`, `15m`, `4h`); counts
//! are numbers. A time that never came (no VM restarted, failback not done) is infinite: it
//! meets only `>` and `>=`.

use std::fmt;

pub use stretchdr_model::keys::did_you_mean;
use stretchdr_model::units::{format_seconds_human, parse_duration_ms};

use crate::montecarlo::MonteCarloResult;
use crate::outcome::{Reason, SimResult, VmOutcome, VmResult};

/// What a metric measures, and so how its value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds; written `15m`.
    Duration,
    /// A number of VMs.
    Count,
    /// Percentage points; written `5` or `5%` (`stretchdr diff --tolerance peak_memory+5`).
    Percent,
}

/// Reads a value written in `unit`: a duration (`90s`, `15m`, `4h`) as seconds, a count of
/// VMs, or percentage points; never negative. The message says what was expected (callers
/// name the item it came from).
pub fn parse_value(unit: Unit, text: &str) -> Result<f64, String> {
    let text = text.trim();
    let number = |text: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    match unit {
        Unit::Duration => parse_duration_ms(text).map(|ms| ms as f64 / 1000.0),
        Unit::Count => number(text).ok_or_else(|| "expected a number such as 0".to_string()),
        Unit::Percent => number(text.trim_end_matches('%'))
            .ok_or_else(|| "expected percentage points, e.g. 5".to_string()),
    }
}

/// A metric an objective can bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Metric {
    /// RTO percentile (50, 95) or maximum (100) over the restarted VMs.
    Rto(u8),
    /// Time from the first affected HA VM going down to the last one up (50th or 95th
    /// percentile over Monte Carlo runs; the run itself for one run).
    AllBack(u8),
    /// Affected HA VMs (not `not_ha`) that were not restarted.
    NotRestartedHa,
    /// VMs with this outcome (FORMATS.md "Simulation result" `outcome`).
    Outcome(&'static str),
    /// Failback after the failed targets recover, seconds.
    Failback,
    /// How long the engine was down.
    EngineDown,
    /// The longest time a data center was without an SPM.
    SpmDown,
}

/// The metrics by name, with what each measures (for `--help` and docs/formats.md).
pub const METRICS: [(&str, &str); 16] = [
    ("rto_p50", "RTO, median over restarted VMs"),
    ("rto_p95", "RTO, 95th percentile over restarted VMs"),
    ("rto_max", "RTO, the slowest restarted VM"),
    (
        "all_back_p50",
        "time until every affected HA VM is back (median over runs)",
    ),
    (
        "all_back_p95",
        "time until every affected HA VM is back (95th percentile over runs)",
    ),
    (
        "failback",
        "failback after the failed targets recover 4h later",
    ),
    ("engine_down", "how long the engine was down"),
    ("spm_down", "the longest time a data center had no SPM"),
    (
        "not_restarted_ha",
        "affected highly available VMs not restarted",
    ),
    (
        "not_restarted",
        "VMs not restarted (expected count with Monte Carlo)",
    ),
    ("split_brain", "VMs exposed to split brain"),
    ("restarted", "VMs restarted"),
    ("migrated", "VMs live-migrated"),
    ("resumed", "VMs paused and resumed in place"),
    ("not_migrated", "VMs a planned failover could not move"),
    ("unaffected", "VMs nothing happened to"),
];

impl Metric {
    fn from_name(name: &str) -> Option<Metric> {
        Some(match name {
            "rto_p50" => Metric::Rto(50),
            "rto_p95" => Metric::Rto(95),
            "rto_max" => Metric::Rto(100),
            "all_back_p50" => Metric::AllBack(50),
            "all_back_p95" => Metric::AllBack(95),
            "failback" => Metric::Failback,
            "engine_down" => Metric::EngineDown,
            "spm_down" => Metric::SpmDown,
            "not_restarted_ha" => Metric::NotRestartedHa,
            _ => Metric::Outcome(METRICS.iter().skip(9).find(|(n, _)| *n == name)?.0),
        })
    }

    /// The metric's name in the grammar.
    pub fn name(&self) -> &'static str {
        match self {
            Metric::Rto(50) => "rto_p50",
            Metric::Rto(95) => "rto_p95",
            Metric::Rto(_) => "rto_max",
            Metric::AllBack(50) => "all_back_p50",
            Metric::AllBack(_) => "all_back_p95",
            Metric::NotRestartedHa => "not_restarted_ha",
            Metric::Outcome(name) => name,
            Metric::Failback => "failback",
            Metric::EngineDown => "engine_down",
            Metric::SpmDown => "spm_down",
        }
    }

    /// How its value is written.
    pub fn unit(&self) -> Unit {
        match self {
            Metric::NotRestartedHa | Metric::Outcome(_) => Unit::Count,
            _ => Unit::Duration,
        }
    }
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Le,
    Lt,
    Ge,
    Gt,
    Eq,
}

impl Op {
    /// Longest first, so `<=` is not read as `<`.
    const ALL: [(&'static str, Op); 5] = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];

    fn symbol(self) -> &'static str {
        Op::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map_or("", |(s, _)| s)
    }

    fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Op::Le => value <= limit,
            Op::Lt => value < limit,
            Op::Ge => value >= limit,
            Op::Gt => value > limit,
            Op::Eq => value == limit,
        }
    }
}

/// One `METRIC OP VALUE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub metric: Metric,
    pub op: Op,
    /// Seconds for durations, a number of VMs for counts.
    pub limit: f64,
}

impl Condition {
    /// True when `value` (`None`: a time that never came) meets the condition.
    pub fn met_by(&self, value: Option<f64>) -> bool {
        self.op.holds(value.unwrap_or(f64::INFINITY), self.limit)
    }

    /// A value of this condition's metric as people read it (`9m 1s`, `3`, `never`).
    pub fn show(&self, value: Option<f64>) -> String {
        match (value, self.metric.unit()) {
            (None, _) => "never".to_string(),
            (Some(v), Unit::Duration) => format_seconds_human(v),
            (Some(v), Unit::Count) if v.fract() == 0.0 => format!("{v:.0}"),
            (Some(v), Unit::Count) => format!("{v:.2}"),
            (Some(v), Unit::Percent) => format!("{v:.1}%"),
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.metric.name(),
            self.op.symbol(),
            self.show(Some(self.limit)).replace(' ', "")
        )
    }
}

/// An objective as written, with its conditions (all must hold).
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    /// As written.
    pub text: String,
    pub conditions: Vec<Condition>,
}

/// Why an objective could not be read; the message names the part at fault and what was
/// expected (callers add which flag or file it came from).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SloError(pub String);

/// Parses `METRIC OP VALUE[, METRIC OP VALUE...]`.
pub fn parse(text: &str) -> Result<Slo, SloError> {
    let conditions = text
        .split(',')
        .map(parse_condition)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Slo {
        text: text.trim().to_string(),
        conditions,
    })
}

/// One entry of an `[slo]` table: `rto_p95 = "<=15m"`, `rto_p95 = "15m"` (`<=` implied),
/// `not_restarted_ha = 0` (`<=` implied, a number for counts).
pub fn parse_entry(metric: &str, value: &toml::Value) -> Result<Slo, SloError> {
    let written = match value {
        toml::Value::String(s) => s.trim().to_string(),
        toml::Value::Integer(n) => n.to_string(),
        toml::Value::Float(x) => x.to_string(),
        _ => {
            return Err(SloError(format!(
                "`{metric}`: expected a string such as \"<=15m\" or a number"
            )));
        }
    };
    let op = if Op::ALL.iter().any(|(s, _)| written.starts_with(s)) {
        ""
    } else {
        "<="
    };
    parse(&format!("{metric}{op}{written}"))
}

fn parse_condition(part: &str) -> Result<Condition, SloError> {
    let part = part.trim();
    let (at, op, len) = Op::ALL
        .iter()
        .filter_map(|(s, op)| part.find(s).map(|i| (i, *op, s.len())))
        .min_by_key(|(i, _, len)| (*i, usize::MAX - len))
        .ok_or_else(|| {
            SloError(format!(
                "{part:?}: expected METRIC OP VALUE with OP one of <=, <, >=, >, ==, e.g. rto_p95<=15m"
            ))
        })?;
    let (name, value) = (part[..at].trim(), part[at + len..].trim());
    let metric = Metric::from_name(name).ok_or_else(|| unknown_metric(name))?;
    let limit = parse_value(metric.unit(), value).map_err(|m| match metric.unit() {
        Unit::Count => SloError(format!("{part:?}: `{name}` counts VMs; {m}")),
        _ => SloError(format!("{part:?}: {m}")),
    })?;
    Ok(Condition { metric, op, limit })
}

fn unknown_metric(name: &str) -> SloError {
    let names: Vec<&str> = METRICS.iter().map(|(n, _)| *n).collect();
    let hint = did_you_mean(name, names.iter().copied());
    SloError(format!(
        "unknown metric {name:?}; {hint}expected one of {}",
        names.join(", ")
    ))
}

/// The figures of a run (or of Monte Carlo runs) that objectives bound.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// RTO p50, p95, max (seconds).
    pub rto: [Option<f64>; 3],
    /// Every affected HA VM back: p50, p95 over runs (seconds).
    pub all_back: [Option<f64>; 2],
    pub failback_s: Option<f64>,
    pub engine_down_s: f64,
    pub spm_down_s: f64,
    pub not_restarted_ha: f64,
    /// VMs per outcome name (expected count with Monte Carlo for `not_restarted`).
    pub outcomes: Vec<(String, f64)>,
}

impl Figures {
    /// The figures of one run, with the failback measured after recovery.
    pub fn of_run(result: &SimResult, failback_s: Option<f64>) -> Figures {
        let s = &result.summary;
        let back = all_back(&result.vms);
        let mut outcomes: Vec<(String, f64)> = Vec::new();
        for vm in &result.vms {
            let name = vm.outcome.as_str();
            match outcomes.iter_mut().find(|(n, _)| n == name) {
                Some((_, n)) => *n += 1.0,
                None => outcomes.push((name.to_string(), 1.0)),
            }
        }
        Figures {
            rto: [s.rto_s.p50, s.rto_s.p95, s.rto_s.max],
            all_back: [back, back],
            failback_s,
            engine_down_s: s.engine_down_s,
            spm_down_s: s.spm_down_s,
            not_restarted_ha: result.vms.iter().filter(|v| ha_not_restarted(v)).count() as f64,
            outcomes,
        }
    }

    /// The figures of Monte Carlo runs: RTO over every restart, downtimes at their 95th
    /// percentile over runs, counts of each VM's most frequent outcome except
    /// `not_restarted`, the expected count.
    pub fn of_monte_carlo(result: &MonteCarloResult, failback_s: Option<f64>) -> Figures {
        let s = &result.summary;
        let mut outcomes: Vec<(String, f64)> = Vec::new();
        for vm in &result.vms {
            let name = vm.outcome.as_str();
            match outcomes.iter_mut().find(|(n, _)| n == name) {
                Some((_, n)) => *n += 1.0,
                None => outcomes.push((name.to_string(), 1.0)),
            }
        }
        outcomes.retain(|(n, _)| n != VmOutcome::NotRestarted.as_str());
        outcomes.push((
            VmOutcome::NotRestarted.as_str().to_string(),
            s.expected_not_restarted,
        ));
        Figures {
            rto: [s.rto_s.p50, s.rto_s.p95, s.rto_s.max],
            all_back: [s.all_ha_back_s.p50, s.all_ha_back_s.p95],
            failback_s,
            engine_down_s: s.engine_down_per_run_s.p95.unwrap_or(s.engine_down_s),
            spm_down_s: s.spm_down_per_run_s.p95.unwrap_or(s.spm_down_s),
            not_restarted_ha: result
                .vms
                .iter()
                .filter(|v| v.reason != Some(Reason::NotHa))
                .map(|v| v.p_not_restarted)
                .sum(),
            outcomes,
        }
    }

    /// The value of `metric` (`None`: a time that never came).
    pub fn value(&self, metric: &Metric) -> Option<f64> {
        match metric {
            Metric::Rto(50) => self.rto[0],
            Metric::Rto(95) => self.rto[1],
            Metric::Rto(_) => self.rto[2],
            Metric::AllBack(50) => self.all_back[0],
            Metric::AllBack(_) => self.all_back[1],
            Metric::Failback => self.failback_s,
            Metric::EngineDown => Some(self.engine_down_s),
            Metric::SpmDown => Some(self.spm_down_s),
            Metric::NotRestartedHa => Some(self.not_restarted_ha),
            Metric::Outcome(name) => Some(
                self.outcomes
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(0.0, |(_, v)| *v),
            ),
        }
    }
}

impl Slo {
    /// True when the figures meet every condition.
    pub fn met_by(&self, figures: &Figures) -> bool {
        self.conditions
            .iter()
            .all(|c| c.met_by(figures.value(&c.metric)))
    }
}

/// One condition judged against one scenario's run.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Check {
    /// The condition, normalised (`rto_p95<=15m`).
    pub slo: String,
    pub scenario: String,
    pub metric: &'static str,
    /// The figure (`null`: a time that never came).
    pub value: Option<f64>,
    pub limit: f64,
    pub met: bool,
    /// The figure as people read it (`18m 2s`, `3`, `never`).
    pub shown: String,
    /// The VMs that cause a miss: restarted later than the limit, or not back (empty when met,
    /// or when the figure is not about VMs).
    pub vms: Vec<String>,
}

/// Judges every condition of `slos` against one run of `scenario` (and the failback measured
/// after its recovery).
pub fn evaluate(slos: &[Slo], result: &SimResult, failback_s: Option<f64>) -> Vec<Check> {
    let figures = Figures::of_run(result, failback_s);
    let mut checks = Vec::new();
    for condition in slos.iter().flat_map(|s| &s.conditions) {
        let value = figures.value(&condition.metric);
        let met = condition.met_by(value);
        checks.push(Check {
            slo: condition.to_string(),
            scenario: result.scenario.clone(),
            metric: condition.metric.name(),
            value,
            limit: condition.limit,
            met,
            shown: condition.show(value),
            vms: if met {
                Vec::new()
            } else {
                culprits(condition, &result.vms)
            },
        });
    }
    checks
}

/// Judges every condition of `slos` against a Monte Carlo batch: one line per condition,
/// `met CONDITION: FIGURE` or `missed ...`, with whether it was met (the lines `sim --runs`
/// and `merge` print, the same for a batch and its merged shards).
pub fn monte_carlo_lines(
    slos: &[Slo],
    result: &MonteCarloResult,
    failback_s: Option<f64>,
) -> Vec<(String, bool)> {
    let figures = Figures::of_monte_carlo(result, failback_s);
    slos.iter()
        .flat_map(|s| &s.conditions)
        .map(|c| {
            let value = figures.value(&c.metric);
            let met = c.met_by(value);
            let verdict = if met { "met" } else { "missed" };
            (format!("{verdict} {c}: {}", c.show(value)), met)
        })
        .collect()
}

/// True when some condition of `slos` needs the failback time (a second run, recovered).
pub fn needs_failback(slos: &[Slo]) -> bool {
    slos.iter()
        .flat_map(|s| &s.conditions)
        .any(|c| c.metric == Metric::Failback)
}

/// The VMs behind a missed condition, worst first.
fn culprits(condition: &Condition, vms: &[VmResult]) -> Vec<String> {
    let rto = |v: &VmResult| Some(v.up_at_s? - v.down_at_s?);
    let mut named: Vec<(f64, &str)> = match &condition.metric {
        Metric::Rto(_) => vms
            .iter()
            .filter(|v| v.outcome == VmOutcome::Restarted)
            .filter_map(|v| Some((rto(v)?, v.name.as_str())))
            .filter(|(r, _)| !condition.met_by(Some(*r)))
            .collect(),
        Metric::AllBack(_) => vms
            .iter()
            .filter(|v| ha_not_restarted(v))
            .map(|v| (f64::INFINITY, v.name.as_str()))
            .chain(
                vms.iter()
                    .filter(|v| v.outcome == VmOutcome::Restarted)
                    .filter_map(|v| Some((v.up_at_s?, v.name.as_str())))
                    .filter(|(up, _)| !condition.met_by(Some(*up))),
            )
            .collect(),
        Metric::NotRestartedHa => vms
            .iter()
            .filter(|v| ha_not_restarted(v))
            .map(|v| (0.0, v.name.as_str()))
            .collect(),
        Metric::Outcome(name) => vms
            .iter()
            .filter(|v| v.outcome.as_str() == *name)
            .map(|v| (0.0, v.name.as_str()))
            .collect(),
        Metric::Failback | Metric::EngineDown | Metric::SpmDown => Vec::new(),
    };
    named.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    named.into_iter().map(|(_, n)| n.to_string()).collect()
}

/// An affected HA VM (one that went down, not for lack of HA) that did not come back.
fn ha_not_restarted(vm: &VmResult) -> bool {
    vm.outcome == VmOutcome::NotRestarted && vm.reason != Some(Reason::NotHa)
}

/// From the first affected HA VM down to the last one up; `None` when one stayed down.
fn all_back(vms: &[VmResult]) -> Option<f64> {
    if vms.iter().any(ha_not_restarted) {
        return None;
    }
    let restarted = vms
        .iter()
        .filter(|v| v.outcome == VmOutcome::Restarted && v.reason.is_none());
    let first = restarted
        .clone()
        .filter_map(|v| v.down_at_s)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))));
    let last = restarted
        .filter_map(|v| v.up_at_s)
        .fold(None, |m: Option<f64>, u| Some(m.map_or(u, |m| m.max(u))));
    Some(match (first, last) {
        (Some(first), Some(last)) => (last - first).max(0.0),
        _ => 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::{Metric, Op, parse, parse_entry};

    #[test]
    fn the_grammar() {
        let slo = parse("rto_p95<=15m").unwrap();
        assert_eq!(slo.conditions[0].metric, Metric::Rto(95));
        assert_eq!(slo.conditions[0].op, Op::Le);
        assert_eq!(slo.conditions[0].limit, 900.0);
        let slo = parse("not_restarted_ha==0, failback <= 4h,engine_down<10m").unwrap();
        assert_eq!(slo.conditions.len(), 3);
        assert_eq!(slo.conditions[0].op, Op::Eq);
        assert_eq!(slo.conditions[1].limit, 4.0 * 3600.0);
        assert_eq!(slo.conditions[2].op, Op::Lt);
        assert_eq!(parse("split_brain>=1").unwrap().conditions[0].op, Op::Ge);
        assert_eq!(slo.conditions[1].to_string(), "failback<=4h");
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse("rto_95<=15m").unwrap_err().0;
        assert!(e.contains("did you mean `rto_p95`"), "{e}");
        assert!(parse("rto_p95=15m").unwrap_err().0.contains("OP"));
        assert!(parse("rto_p95<=fast").is_err());
        assert!(parse("not_restarted<=-1").unwrap_err().0.contains("number"));
        assert!(parse("not_restarted<=1h").is_err());
    }

    #[test]
    fn table_entries() {
        let op = |v: toml::Value| parse_entry("rto_p95", &v).unwrap().conditions[0].clone();
        assert_eq!(op(toml::Value::String("15m".into())).op, Op::Le);
        assert_eq!(op(toml::Value::String(">1m".into())).op, Op::Gt);
        let count = parse_entry("not_restarted_ha", &toml::Value::Integer(0)).unwrap();
        assert_eq!(count.conditions[0].limit, 0.0);
        assert!(parse_entry("rto_p95", &toml::Value::Boolean(true)).is_err());
    }
}
