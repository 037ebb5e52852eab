//! `--tolerance`: how much worse a scenario may get before `stretchdr diff` fails.
//!
//! A comma-separated list of `METRIC+AMOUNT`: `rto_p95+2m`, `not_restarted+0`,
//! `peak_memory+5`. Counts take a whole number, times a duration (`90s`, `2m`), memory a
//! number of percentage points. A metric not listed may not get worse at all. Metric names
//! and amounts are read as the objectives of `--slo` are ([`stretchdr_sim::slo`]).

use std::collections::BTreeMap;
use std::fmt;

pub use stretchdr_sim::slo::Unit;
use stretchdr_sim::slo::{did_you_mean, parse_value};

/// A figure of a scenario that `diff` compares; higher is worse for every one.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Metric {
    /// VMs not restarted.
    NotRestarted,
    /// VMs exposed to split brain.
    SplitBrain,
    RtoP50,
    RtoP95,
    RtoMax,
    EngineDown,
    SpmDown,
    /// Time from the recovery of what failed to the end of failback.
    Failback,
    /// The highest peak memory use of a surviving site, in percent.
    PeakMemory,
    /// Monte Carlo (`--runs`): the mean number of VMs not restarted per run.
    ExpectedNotRestarted,
}

impl Metric {
    pub const ALL: [Metric; 10] = [
        Metric::NotRestarted,
        Metric::SplitBrain,
        Metric::RtoP50,
        Metric::RtoP95,
        Metric::RtoMax,
        Metric::EngineDown,
        Metric::SpmDown,
        Metric::Failback,
        Metric::PeakMemory,
        Metric::ExpectedNotRestarted,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::NotRestarted => "not_restarted",
            Metric::SplitBrain => "split_brain",
            Metric::RtoP50 => "rto_p50",
            Metric::RtoP95 => "rto_p95",
            Metric::RtoMax => "rto_max",
            Metric::EngineDown => "engine_down",
            Metric::SpmDown => "spm_down",
            Metric::Failback => "failback",
            Metric::PeakMemory => "peak_memory",
            Metric::ExpectedNotRestarted => "expected_not_restarted",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Metric::NotRestarted | Metric::SplitBrain | Metric::ExpectedNotRestarted => Unit::Count,
            Metric::PeakMemory => Unit::Percent,
            _ => Unit::Duration,
        }
    }

    fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The allowed worsening per metric (seconds, VMs or percentage points); 0 when not given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tolerance {
    allowed: BTreeMap<Metric, f64>,
}

impl Tolerance {
    /// Parses `rto_p95+2m,not_restarted+0`; the error names the item and what was expected.
    pub fn parse(text: &str) -> Result<Tolerance, String> {
        let mut tolerance = Tolerance::default();
        for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (name, amount) = item.split_once('+').ok_or_else(|| {
                format!("invalid tolerance {item:?}: expected METRIC+AMOUNT, e.g. rto_p95+2m")
            })?;
            let name = name.trim();
            let metric = Metric::parse(name).ok_or_else(|| {
                let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                format!(
                    "invalid tolerance {item:?}: unknown metric {name:?}; {}expected one of {}",
                    did_you_mean(name, names.iter().copied()),
                    names.join(", ")
                )
            })?;
            let value = parse_value(metric.unit(), amount)
                .map_err(|e| format!("invalid tolerance {item:?}: {e}"))?;
            if metric.unit() == Unit::Count && value.fract() != 0.0 {
                return Err(format!(
                    "invalid tolerance {item:?}: expected a whole number of VMs"
                ));
            }
            tolerance.allowed.insert(metric, value);
        }
        Ok(tolerance)
    }

    /// Adds the items of `other` (a later item for the same metric wins).
    pub fn extend(&mut self, other: Tolerance) {
        self.allowed.extend(other.allowed);
    }

    /// The worsening allowed for `metric`.
    pub fn allowed(&self, metric: Metric) -> f64 {
        self.allowed.get(&metric).copied().unwrap_or(0.0)
    }

    /// The tolerance as given, e.g. `rto_p95+120s`, for reports.
    pub fn describe(&self) -> Vec<String> {
        self.allowed
            .iter()
            .map(|(metric, value)| match metric.unit() {
                Unit::Duration => format!("{metric}+{value}s"),
                Unit::Count => format!("{metric}+{value}"),
                Unit::Percent => format!("{metric}+{value}%"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::{Metric, Tolerance};

    #[test]
    fn parses_durations_counts_and_points() {
        let t = Tolerance::parse("rto_p95+2m, not_restarted+0,peak_memory+5%").unwrap();
        assert_eq!(t.allowed(Metric::RtoP95), 120.0);
        assert_eq!(t.allowed(Metric::NotRestarted), 0.0);
        assert_eq!(t.allowed(Metric::PeakMemory), 5.0);
        assert_eq!(t.allowed(Metric::SpmDown), 0.0);
        assert_eq!(
            t.describe(),
            ["not_restarted+0", "rto_p95+120s", "peak_memory+5%"]
        );
    }

    #[test]
    fn errors_name_the_item_and_what_was_expected() {
        let e = Tolerance::parse("rto_p95+2").unwrap_err();
        assert!(e.contains("\"rto_p95+2\"") && e.contains("duration"), "{e}");
        let e = Tolerance::parse("rto_p99+2m").unwrap_err();
        assert!(e.contains("unknown metric \"rto_p99\""), "{e}");
        let e = Tolerance::parse("not_restarted").unwrap_err();
        assert!(e.contains("METRIC+AMOUNT"), "{e}");
        let e = Tolerance::parse("not_restarted+1.5").unwrap_err();
        assert!(e.contains("whole number"), "{e}");
    }
}
