//! What-if sweeps: a scenario run (Monte Carlo) at every point of a grid over design and
//! engine parameters, one row per point, and the cheapest point meeting a target.
//!
//! `PARAM=RANGE` (docs/formats.md "What-if sweeps"):
//! - `hosts.SITE=+0..+6`: hosts added to SITE, copies of its last host;
//! - `host_memory=256GiB..1TiB:256GiB` (every host) or `host_memory.SITE=...`;
//! - `ha_priority.GLOB=1..100:10`: the HA priority of the VMs whose names match GLOB;
//! - `migration_policy=minimal_downtime,very_large_vms`: every cluster's policy;
//! - any engine parameter by its documented name: `vds_refresh_rate=3s..10s:1s`.
//!
//! RANGE is `A..B` (inclusive; `:STEP`, needed for sizes and durations, 1 for counts) or a
//! list `A,B,C`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use stretchdr_model::budget::Budget;
use stretchdr_model::inventory::{Host, MigrationPolicy, SpmStatus};
use stretchdr_model::units::{
    format_duration_ms, format_size, parse_bandwidth_bps, parse_duration_ms, parse_size,
};
use stretchdr_model::{Inventory, SiteId};

use crate::montecarlo::accumulate;
use crate::ovirt::SimError;
use crate::ovirt::params::{self, Kind, MUST_BE_POSITIVE};
use crate::scenario::Scenario;
use crate::slo::{Figures, Slo};

/// The most points a sweep may have.
pub const MAX_POINTS: usize = 10_000;

/// What a `--vary` changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Knob {
    /// Hosts added to a site.
    HostsAdded(SiteId),
    /// The memory of every host, or of a site's hosts.
    HostMemory(Option<SiteId>),
    /// The HA priority of the VMs whose names match a glob.
    HaPriority(String),
    /// Every cluster's migration policy (and the concurrent migrations it allows).
    MigrationPolicy,
    /// An engine parameter.
    Parameter(String, Kind),
}

/// One value of a knob (in the base unit: count, bytes, ms, bits per second).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Setting {
    Amount(u64),
    Policy(MigrationPolicy),
}

/// One `--vary PARAM=RANGE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// PARAM as written.
    pub param: String,
    pub knob: Knob,
    pub values: Vec<Setting>,
}

const POLICIES: [(&str, MigrationPolicy); 5] = [
    ("minimal_downtime", MigrationPolicy::MinimalDowntime),
    ("post_copy", MigrationPolicy::PostCopy),
    ("suspend_workload", MigrationPolicy::SuspendWorkload),
    ("very_large_vms", MigrationPolicy::VeryLargeVms),
    ("legacy", MigrationPolicy::Legacy),
];

/// Concurrent migrations per host of a built-in policy (`maxMigrations` of ovirt-engine's
/// `MigrationPolicies` configuration: 1 for "Very large VMs", 2 for the others).
fn policy_migrations(policy: MigrationPolicy) -> u64 {
    match policy {
        MigrationPolicy::VeryLargeVms => 1,
        _ => 2,
    }
}

/// Parses `PARAM=RANGE` against the inventory.
pub fn parse_vary(inv: &Inventory, text: &str) -> Result<Vary, String> {
    let (param, range) = text.split_once('=').ok_or_else(|| {
        format!("--vary {text:?}: expected PARAM=RANGE, e.g. hosts.site-b=+0..+6")
    })?;
    let (param, range) = (param.trim(), range.trim());
    let site = |name: &str| {
        inv.sites
            .find(name)
            .ok_or_else(|| format!("--vary {param}: no site named {name:?}"))
    };
    let (knob, how) = match param.split_once('.') {
        Some(("hosts", s)) => (Knob::HostsAdded(site(s)?), Unit::Added),
        Some(("host_memory", s)) => (Knob::HostMemory(Some(site(s)?)), Unit::Size),
        None if param == "host_memory" => (Knob::HostMemory(None), Unit::Size),
        Some(("ha_priority", glob)) => {
            if !inv.vms.values().any(|v| glob_match(glob, &v.name)) {
                return Err(format!("--vary {param}: no VM name matches {glob:?}"));
            }
            (Knob::HaPriority(glob.to_string()), Unit::Count)
        }
        None if param == "migration_policy" => (Knob::MigrationPolicy, Unit::Policy),
        _ => {
            let kind = params::kind_of(param).ok_or_else(|| {
                format!(
                    "--vary {param}: expected hosts.SITE, host_memory[.SITE], ha_priority.GLOB, \
                     migration_policy or an engine parameter; {}",
                    params::unknown(param)
                )
            })?;
            let unit = match kind {
                Kind::Duration => Unit::Duration,
                Kind::Count => Unit::Count,
                Kind::Bandwidth => Unit::Bandwidth,
            };
            (Knob::Parameter(param.to_string(), kind), unit)
        }
    };
    let values = range_values(range, how).map_err(|m| format!("--vary {param}={range}: {m}"))?;
    for v in &values {
        match (&knob, v) {
            (Knob::HaPriority(_), Setting::Amount(p)) if *p > 100 => {
                return Err(format!("--vary {param}: HA priority {p} is above 100"));
            }
            (Knob::Parameter(name, _), Setting::Amount(0))
                if MUST_BE_POSITIVE.contains(&name.as_str()) =>
            {
                return Err(format!("--vary {param}: `{name}` must be more than 0"));
            }
            _ => {}
        }
    }
    Ok(Vary {
        param: param.to_string(),
        knob,
        values,
    })
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Unit {
    /// `+3`, or `3`.
    Added,
    Count,
    Size,
    Duration,
    Bandwidth,
    Policy,
}

fn one_value(text: &str, unit: Unit) -> Result<Setting, String> {
    let text = text.trim();
    let count = |t: &str| {
        t.parse::<u64>()
            .map_err(|_| format!("expected a whole number, not {t:?}"))
    };
    Ok(match unit {
        Unit::Added => Setting::Amount(count(text.strip_prefix('+').unwrap_or(text))?),
        Unit::Count => Setting::Amount(count(text)?),
        Unit::Size => Setting::Amount(parse_size(text)?),
        Unit::Duration => Setting::Amount(parse_duration_ms(text)?),
        Unit::Bandwidth => Setting::Amount(parse_bandwidth_bps(text)?),
        Unit::Policy => Setting::Policy(
            POLICIES
                .iter()
                .find(|(n, _)| *n == text)
                .map(|(_, p)| *p)
                .ok_or_else(|| {
                    let names: Vec<&str> = POLICIES.iter().map(|(n, _)| *n).collect();
                    format!(
                        "unknown migration policy {text:?}; expected one of {}",
                        names.join(", ")
                    )
                })?,
        ),
    })
}

fn range_values(range: &str, unit: Unit) -> Result<Vec<Setting>, String> {
    let Some((from, to)) = range.split_once("..") else {
        return range.split(',').map(|v| one_value(v, unit)).collect();
    };
    if unit == Unit::Policy {
        return Err("policies are listed: minimal_downtime,very_large_vms".into());
    }
    let (to, step) = match to.split_once(':') {
        Some((to, step)) => (to, Some(step)),
        None => (to, None),
    };
    let amount = |t: &str| -> Result<u64, String> {
        match one_value(t, unit)? {
            Setting::Amount(a) => Ok(a),
            Setting::Policy(_) => Err("policies have no ranges".into()),
        }
    };
    let (from, to) = (amount(from)?, amount(to)?);
    let step = match (step, unit) {
        (Some(step), _) => amount(step)?,
        (None, Unit::Added | Unit::Count) => 1,
        (None, _) => return Err("a range of sizes, durations or bandwidths needs :STEP".into()),
    };
    if step == 0 || to < from {
        return Err("expected FROM..TO with FROM <= TO and a STEP above 0".into());
    }
    let n = (to - from) / step + 1;
    if n as usize > MAX_POINTS {
        return Err(format!("{n} values; at most {MAX_POINTS}"));
    }
    Ok((0..n).map(|i| Setting::Amount(from + i * step)).collect())
}

/// `*` any run of characters, `?` one character.
fn glob_match(glob: &str, name: &str) -> bool {
    fn go(g: &[char], n: &[char]) -> bool {
        match g.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let g: Vec<char> = glob.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&g, &n)
}

/// A value as people write it.
fn label(knob: &Knob, setting: Setting) -> String {
    match (knob, setting) {
        (_, Setting::Policy(p)) => POLICIES
            .iter()
            .find(|(_, q)| *q == p)
            .map_or("legacy", |(n, _)| n)
            .to_string(),
        (Knob::HostsAdded(_), Setting::Amount(n)) => format!("+{n}"),
        (Knob::HostMemory(_), Setting::Amount(b)) => format_size(b),
        (Knob::Parameter(_, Kind::Duration), Setting::Amount(ms)) => format_duration_ms(ms),
        (Knob::Parameter(_, Kind::Bandwidth), Setting::Amount(bps)) => {
            format!("{}MiB/s", round1(bps as f64 / 8.0 / 1_048_576.0))
        }
        (_, Setting::Amount(n)) => n.to_string(),
    }
}

/// The inventory and scenario of one point, and the memory it adds (bytes; negative when the
/// point removes memory).
pub fn apply(
    inv: &Inventory,
    scenario: &Scenario,
    point: &[(&Knob, Setting)],
) -> Result<(Inventory, Scenario, i128), String> {
    let mut inv = inv.clone();
    let mut scenario = scenario.clone();
    let mut added: i128 = 0;
    for (knob, setting) in point {
        match (knob, *setting) {
            (Knob::HostsAdded(site), Setting::Amount(n)) => {
                let (_, template) = inv
                    .site_hosts(*site)
                    .last()
                    .ok_or_else(|| format!("site {} has no host to copy", inv.sites[*site].name))?;
                let template: Host = template.clone();
                let budget = Budget::current()?;
                budget.check_entities(
                    stretchdr_model::budget::entities(&inv) + u128::from(n),
                    &format!("adding {n} hosts to site {}", inv.sites[*site].name),
                )?;
                for i in 1..=n {
                    added += i128::from(template.memory_bytes);
                    inv.hosts.push(Host {
                        id: None,
                        name: format!("{}-whatif-{i}", inv.sites[*site].name),
                        spm_status: SpmStatus::None,
                        hosted_engine: false,
                        labels: Vec::new(),
                        origin: None,
                        ..template.clone()
                    });
                }
            }
            (Knob::HostMemory(site), Setting::Amount(bytes)) => {
                for (_, host) in inv.hosts.iter_mut() {
                    if site.is_none() || host.site == *site {
                        added += i128::from(bytes) - i128::from(host.memory_bytes);
                        host.memory_bytes = bytes;
                    }
                }
            }
            (Knob::HaPriority(glob), Setting::Amount(priority)) => {
                for (_, vm) in inv.vms.iter_mut() {
                    if glob_match(glob, &vm.name) {
                        vm.ha_priority = priority as u32;
                    }
                }
            }
            (Knob::MigrationPolicy, Setting::Policy(policy)) => {
                for (_, cluster) in inv.clusters.iter_mut() {
                    cluster.migration_policy = policy;
                }
                scenario
                    .parameters
                    .set_base("migrations_per_host", policy_migrations(policy))?;
            }
            (Knob::Parameter(name, _), Setting::Amount(value)) => {
                scenario.parameters.set_base(name, value)?;
            }
            _ => return Err("a setting of the wrong kind".into()),
        }
    }
    Ok((inv, scenario, added))
}

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Each varied PARAM and its value here, in `--vary` order.
    pub settings: IndexMap<String, String>,
    /// Memory added to the design (bytes; negative when removed): the cost `--target` minimises.
    pub memory_added_bytes: i128,
    /// RTO over every restart of every run.
    pub rto_p50_s: Option<f64>,
    pub rto_p95_s: Option<f64>,
    pub rto_max_s: Option<f64>,
    /// Mean VMs not restarted per run.
    pub expected_not_restarted: f64,
    /// Time until every affected HA VM is back (`null`: never, in that share of runs).
    pub all_ha_back_p50_s: Option<f64>,
    pub all_ha_back_p95_s: Option<f64>,
    /// Failback after the failed targets recover 4 h later (run 0), seconds.
    pub failback_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meets_target: Option<bool>,
}

/// The result of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sweep {
    pub scenario: String,
    pub seed: u64,
    pub runs: u32,
    /// The varied PARAMs, in `--vary` order.
    pub varied: Vec<String>,
    pub points: Vec<Point>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Index into `points` of the cheapest point meeting the target (least memory added; the
    /// first in sweep order among equals); `null` when none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cheapest: Option<Option<usize>>,
}

/// Every point of the grid of `varies` (the first `--vary` changes slowest).
pub fn grid(varies: &[Vary]) -> Result<Vec<Vec<(&Knob, Setting)>>, String> {
    let total = varies
        .iter()
        .try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
        .filter(|n| *n <= MAX_POINTS)
        .ok_or_else(|| format!("the sweep has more than {MAX_POINTS} points"))?;
    let mut points = Vec::with_capacity(total);
    for i in 0..total {
        let mut rest = i;
        let mut point = vec![(&varies[0].knob, varies[0].values[0]); varies.len()];
        for (slot, vary) in point.iter_mut().zip(varies).rev() {
            let n = vary.values.len();
            *slot = (&vary.knob, vary.values[rest % n]);
            rest /= n;
        }
        points.push(point);
    }
    Ok(points)
}

/// Runs the sweep: `runs` Monte Carlo runs of `scenario` at every point, on the current rayon
/// pool; `progress(done, total)` counts runs over the whole sweep.
pub fn sweep(
    inv: &Inventory,
    scenario: &Scenario,
    varies: &[Vary],
    runs: u32,
    target: Option<&Slo>,
    progress: &(dyn Fn(u32, u32) + Sync),
) -> Result<Sweep, WhatifError> {
    let all = 0..u32::try_from(grid(varies).map_err(WhatifError::Sweep)?.len()).unwrap_or(u32::MAX);
    let points = sweep_points(inv, scenario, varies, runs, target, all, progress)?;
    Ok(assemble(
        &scenario.name,
        scenario.seed,
        runs,
        varies.iter().map(|v| v.param.clone()).collect(),
        target.map(|t| t.text.clone()),
        points,
    ))
}

/// The points of the grid with indices in `range` (`whatif --shard`), each as in a whole
/// sweep; `progress` counts runs of these points.
pub fn sweep_points(
    inv: &Inventory,
    scenario: &Scenario,
    varies: &[Vary],
    runs: u32,
    target: Option<&Slo>,
    range: std::ops::Range<u32>,
    progress: &(dyn Fn(u32, u32) + Sync),
) -> Result<Vec<Point>, WhatifError> {
    let grid = grid(varies).map_err(WhatifError::Sweep)?;
    let selected = grid
        .iter()
        .enumerate()
        .skip(range.start as usize)
        .take(range.end.saturating_sub(range.start) as usize);
    let total = range.end.saturating_sub(range.start).saturating_mul(runs);
    let mut points = Vec::with_capacity(range.len());
    for (n, (_, point)) in selected.enumerate() {
        let (inv, scenario, added) = apply(inv, scenario, point).map_err(WhatifError::Sweep)?;
        let base = (n as u32).saturating_mul(runs);
        let result = accumulate(&inv, &scenario, runs, &|done, _| {
            progress(base + done, total)
        })?
        .finish(&inv, &scenario);
        let failback_s = crate::failback_s(&inv, &scenario)?;
        let figures = Figures::of_monte_carlo(&result, failback_s);
        let s = &result.summary;
        let p = Point {
            settings: point
                .iter()
                .zip(varies)
                .map(|((knob, setting), vary)| (vary.param.clone(), label(knob, *setting)))
                .collect(),
            memory_added_bytes: added,
            rto_p50_s: s.rto_s.p50,
            rto_p95_s: s.rto_s.p95,
            rto_max_s: s.rto_s.max,
            expected_not_restarted: s.expected_not_restarted,
            all_ha_back_p50_s: s.all_ha_back_s.p50,
            all_ha_back_p95_s: s.all_ha_back_s.p95,
            failback_s,
            meets_target: target.map(|t| t.met_by(&figures)),
        };
        points.push(p);
    }
    Ok(points)
}

/// The sweep of all its points (in grid order): picks the cheapest point meeting the target.
pub fn assemble(
    scenario: &str,
    seed: u64,
    runs: u32,
    varied: Vec<String>,
    target: Option<String>,
    points: Vec<Point>,
) -> Sweep {
    let cheapest = target.as_ref().map(|_| {
        points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.meets_target == Some(true))
            .min_by_key(|(i, p)| (p.memory_added_bytes, *i))
            .map(|(i, _)| i)
    });
    Sweep {
        scenario: scenario.to_string(),
        seed,
        runs,
        varied,
        points,
        target,
        cheapest,
    }
}

/// Why a sweep could not run.
#[derive(Debug, thiserror::Error)]
pub enum WhatifError {
    #[error("{0}")]
    Sweep(String),
    #[error(transparent)]
    Sim(#[from] SimError),
}

fn round1(x: f64) -> f64 {
    libm::round(x * 10.0) / 10.0
}

#[cfg(test)]
mod tests {
    use super::{Setting, Unit, glob_match, range_values};

    #[test]
    fn ranges_and_lists() {
        let amounts = |r: &str, u| {
            range_values(r, u)
                .unwrap()
                .into_iter()
                .map(|s| match s {
                    Setting::Amount(a) => a,
                    Setting::Policy(_) => panic!(),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(amounts("+0..+3", Unit::Added), [0, 1, 2, 3]);
        assert_eq!(amounts("1..100:50", Unit::Count), [1, 51]);
        assert_eq!(amounts("3s..10s:3s", Unit::Duration), [3_000, 6_000, 9_000]);
        assert_eq!(amounts("1,5,2", Unit::Count), [1, 5, 2]);
        assert_eq!(
            amounts("256GiB..512GiB:256GiB", Unit::Size),
            [256 << 30, 512 << 30]
        );
        assert!(
            range_values("3s..10s", Unit::Duration)
                .unwrap_err()
                .contains(":STEP")
        );
        assert!(range_values("5..1", Unit::Count).is_err());
        assert!(range_values("x", Unit::Count).is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_match("web-*", "web-01"));
        assert!(glob_match("db-0?", "db-07"));
        assert!(!glob_match("web-*", "app-01"));
        assert!(glob_match("*", ""));
    }
}
