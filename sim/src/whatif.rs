//! What-if sweeps: a scenario run (Monte Carlo) at every point of a grid over design and
//! engine parameters, one row per point, and the cheapest point meeting a target.
//!
//! `PARAM=RANGE` (docs/formats.md "What-if sweeps"):
//! - `hosts.SITE=+0..+6`: hosts added to SITE, copies of a host of the cluster that runs most of
//!   SITE's HA VMs (of the cluster with most hosts in SITE when none runs there);
//!   `hosts.SITE.CLUSTER=+0..+6`: copies of a host of CLUSTER in SITE;
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
use stretchdr_model::mapping::keys::levenshtein;
use stretchdr_model::units::{
    format_duration_ms, format_size, parse_bandwidth_bps, parse_duration_ms, parse_size,
};
use stretchdr_model::{ClusterId, Inventory, SiteId};

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
    /// Hosts added to a site, copies of a host of the given cluster (`None`: of the cluster
    /// that runs most of the site's HA VMs, see [`template_host`]).
    HostsAdded(SiteId, Option<ClusterId>),
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
        inv.sites.find(name).ok_or_else(|| {
            let names = inv.sites.iter().map(|(_, s)| s.name.as_str());
            format!(
                "--vary {param}: no site named {name:?}; {}",
                known(name, names, "sites")
            )
        })
    };
    let (knob, how) = match param.split_once('.') {
        Some(("hosts", rest)) => (hosts_knob(inv, param, rest)?, Unit::Added),
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

/// The knob of `hosts.REST`: REST is a site, or `SITE.CLUSTER` (a site name is tried whole
/// first, so site names with dots work).
fn hosts_knob(inv: &Inventory, param: &str, rest: &str) -> Result<Knob, String> {
    if let Some(site) = inv.sites.find(rest) {
        template_host(inv, site, None).map_err(|m| format!("--vary {param}: {m}"))?;
        return Ok(Knob::HostsAdded(site, None));
    }
    let site_names = || inv.sites.iter().map(|(_, s)| s.name.as_str());
    let Some((site_name, cluster_name)) = rest
        .split_once('.')
        .filter(|(s, _)| inv.sites.find(s).is_some())
    else {
        return Err(format!(
            "--vary {param}: no site named {rest:?}; {}",
            known(rest, site_names(), "sites")
        ));
    };
    let site = inv.sites.find(site_name).expect("checked above");
    let cluster = inv.clusters.find(cluster_name).ok_or_else(|| {
        let names = inv.clusters.iter().map(|(_, c)| c.name.as_str());
        format!(
            "--vary {param}: no cluster named {cluster_name:?}; {}",
            known(cluster_name, names, "clusters")
        )
    })?;
    template_host(inv, site, Some(cluster)).map_err(|m| format!("--vary {param}: {m}"))?;
    Ok(Knob::HostsAdded(site, Some(cluster)))
}

/// "did you mean `x`? known …: a, b, c" for an unknown `name` among `names`.
fn known<'a>(name: &str, names: impl Iterator<Item = &'a str>, what: &str) -> String {
    let names: Vec<&str> = names.collect();
    let nearest = names
        .iter()
        .map(|n| (levenshtein(name, n), *n))
        .filter(|(d, _)| *d <= (name.chars().count() / 3).max(2))
        .min();
    let hint = nearest.map_or(String::new(), |(_, n)| format!("did you mean `{n}`? "));
    const SHOWN: usize = 10;
    let mut list = names
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        list.push_str(&format!(", and {} more", names.len() - SHOWN));
    }
    if names.is_empty() {
        format!("{hint}the source has no {what}")
    } else {
        format!("{hint}known {what}: {list}")
    }
}

/// The host that `hosts.SITE[.CLUSTER]` copies: the last host of `cluster` in `site`; without
/// a cluster, of the cluster whose hosts in `site` run most HA VMs (ties: the cluster with
/// more hosts there, then the first in the source), so added hosts serve the VMs a loss of
/// the other site sends there. A hosted-engine host is copied only when it is the only one.
pub fn template_host(
    inv: &Inventory,
    site: SiteId,
    cluster: Option<ClusterId>,
) -> Result<&Host, String> {
    let site_name = &inv.sites[site].name;
    let cluster = match cluster {
        Some(c) => Some(c),
        None => {
            // (cluster, HA VMs, hosts) per cluster of the site's hosts, in source order.
            let mut tally: Vec<(Option<ClusterId>, usize, usize)> = Vec::new();
            fn slot(
                tally: &mut Vec<(Option<ClusterId>, usize, usize)>,
                c: Option<ClusterId>,
            ) -> usize {
                tally.iter().position(|t| t.0 == c).unwrap_or_else(|| {
                    tally.push((c, 0, 0));
                    tally.len() - 1
                })
            }
            for (_, h) in inv.site_hosts(site) {
                let i = slot(&mut tally, h.cluster);
                tally[i].2 += 1;
            }
            for (_, vm) in inv.vms.iter() {
                if let Some(host) = vm.host.map(|h| &inv.hosts[h])
                    && vm.ha
                    && host.site == Some(site)
                {
                    let i = slot(&mut tally, host.cluster);
                    tally[i].1 += 1;
                }
            }
            let best = tally
                .iter()
                .enumerate()
                .max_by_key(|(i, (_, ha, hosts))| (*ha, *hosts, std::cmp::Reverse(*i)))
                .map(|(_, t)| t.0);
            match best {
                Some(c) => c,
                None => return Err(format!("site {site_name} has no host to copy")),
            }
        }
    };
    let candidates: Vec<&Host> = inv
        .site_hosts(site)
        .map(|(_, h)| h)
        .filter(|h| h.cluster == cluster)
        .collect();
    candidates
        .iter()
        .rev()
        .find(|h| !h.hosted_engine)
        .or(candidates.last())
        .copied()
        .ok_or_else(|| match cluster {
            Some(c) => format!(
                "cluster {} has no host in site {site_name} to copy",
                inv.clusters[c].name
            ),
            None => format!("site {site_name} has no host to copy"),
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

/// `*` any run of characters, `?` one character. Iterative: on a mismatch only the last `*`
/// is retried one character further, so the work is at most glob length x name length
/// whatever the pattern (no backtracking over every earlier `*`).
fn glob_match(glob: &str, name: &str) -> bool {
    let g: Vec<char> = glob.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut gi, mut ni) = (0, 0);
    // The last `*` seen and the name position it is matched up to.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match g.get(gi) {
            Some('*') => {
                star = Some((gi, ni));
                gi += 1;
            }
            Some(c) if *c == '?' || *c == n[ni] => {
                gi += 1;
                ni += 1;
            }
            _ => match star {
                Some((s, matched)) => {
                    gi = s + 1;
                    ni = matched + 1;
                    star = Some((s, matched + 1));
                }
                None => return false,
            },
        }
    }
    g[gi..].iter().all(|c| *c == '*')
}

/// A value as people write it.
fn label(knob: &Knob, setting: Setting) -> String {
    match (knob, setting) {
        (_, Setting::Policy(p)) => POLICIES
            .iter()
            .find(|(_, q)| *q == p)
            .map_or("legacy", |(n, _)| n)
            .to_string(),
        (Knob::HostsAdded(..), Setting::Amount(n)) => format!("+{n}"),
        (Knob::HostMemory(_), Setting::Amount(b)) => format_size(b),
        (Knob::Parameter(_, Kind::Duration), Setting::Amount(ms)) => format_duration_ms(ms),
        (Knob::Parameter(_, Kind::Bandwidth), Setting::Amount(bps)) => {
            format!("{}MiB/s", round1(bps as f64 / 8.0 / 1_048_576.0))
        }
        (_, Setting::Amount(n)) => n.to_string(),
    }
}

/// What a point adds to the design: its cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Memory added (bytes; negative when the point removes memory), added hosts included.
    pub memory_bytes: i128,
    /// Hosts added.
    pub hosts: u64,
}

/// The inventory and scenario of one point, and what it adds.
pub fn apply(
    inv: &Inventory,
    scenario: &Scenario,
    point: &[(&Knob, Setting)],
) -> Result<(Inventory, Scenario, Cost), String> {
    let mut inv = inv.clone();
    let mut scenario = scenario.clone();
    let mut added: i128 = 0;
    let mut hosts_added: u64 = 0;
    for (knob, setting) in point {
        match (knob, *setting) {
            (Knob::HostsAdded(site, cluster), Setting::Amount(n)) => {
                let template: Host = template_host(&inv, *site, *cluster)?.clone();
                hosts_added = hosts_added.saturating_add(n);
                let budget = Budget::current()?;
                budget.check_entities(
                    stretchdr_model::budget::entities(&inv) + u128::from(n),
                    &format!("adding {n} hosts to site {}", inv.sites[*site].name),
                )?;
                let prefix = match cluster {
                    Some(c) => format!("{}-{}", inv.sites[*site].name, inv.clusters[*c].name),
                    None => inv.sites[*site].name.clone(),
                };
                for i in 1..=n {
                    added += i128::from(template.memory_bytes);
                    inv.hosts.push(Host {
                        id: None,
                        name: format!("{prefix}-whatif-{i}"),
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
    Ok((
        inv,
        scenario,
        Cost {
            memory_bytes: added,
            hosts: hosts_added,
        },
    ))
}

/// One point of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Each varied PARAM and its value here, in `--vary` order.
    pub settings: IndexMap<String, String>,
    /// Memory added to the design (bytes; negative when removed), added hosts' memory
    /// included: the cost `--target` minimises first.
    pub memory_added_bytes: i128,
    /// Hosts added to the design: the cost `--target` minimises next.
    #[serde(default)]
    pub hosts_added: u64,
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
    /// Index into `points` of the cheapest point meeting the target (least memory added, then
    /// fewest hosts added; the first in sweep order among equals); `null` when none does.
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
            memory_added_bytes: added.memory_bytes,
            hosts_added: added.hosts,
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
            .min_by_key(|(i, p)| (p.memory_added_bytes, p.hosts_added, *i))
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
        assert!(glob_match("a*b*c", "a-x-b-y-c"));
        assert!(!glob_match("a*b*c", "a-x-b-y-d"));
        assert!(glob_match("*-0?", "web-07"));
        assert!(glob_match("**", "x"));
        assert!(!glob_match("", "x"));
        assert!(glob_match("é*", "été"));
    }

    #[test]
    fn hostile_globs_take_work_in_proportion_to_their_size() {
        // Recursive matching tries every split of the name for every `*`: 25 stars over 100
        // characters would not finish. The greedy matcher is done at once.
        let glob = format!("{}b", "a*".repeat(25));
        let name = "a".repeat(100);
        assert!(!glob_match(&glob, &name));
        assert!(glob_match(&glob, &format!("{name}b")));
        let long = "a".repeat(2_000);
        assert!(!glob_match(&format!("{}b", "*a".repeat(500)), &long));
    }
}
