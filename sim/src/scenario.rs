//! Scenario files (FORMATS.md "Scenario file"): parsed with spans, unknown keys rejected, names
//! resolved against the inventory; every error is a [`LoadError`] naming the file and line.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use stretchdr_model::inventory::SiteRole;
use stretchdr_model::keys::did_you_mean;
use stretchdr_model::units::{format_duration_ms, parse_bandwidth_bps, parse_duration_ms};
use stretchdr_model::{HostId, Inventory, LoadError, SiteId, StorageDomainId};
use toml::Spanned;

use crate::des::SimTime;
use crate::ovirt::params::{self, Kind, Parameters};
use crate::slo::Slo;

/// What happens to a target.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Action {
    Fail,
    Recover,
    /// Planned: hosts to maintenance, their VMs live-migrate away.
    Maintenance,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Fail => "fail",
            Action::Recover => "recover",
            Action::Maintenance => "maintenance",
        }
    }
}

/// What an event acts on, resolved against the inventory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Target {
    Site(SiteId),
    Host(HostId),
    Link(SiteId, SiteId),
    Replication(StorageDomainId),
    Engine,
}

/// One event of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioEvent {
    pub at: SimTime,
    pub action: Action,
    pub target: Target,
    /// The target as written (`site:site-a`), for reports.
    pub label: String,
}

pub use crate::des::dist::Distribution;

/// `[variation]` key: each `fail = "site:NAME"` takes down only this fraction of the site's
/// hosts (drawn per run, the hosts chosen at random); the site's storage and network stay up.
pub const SITE_LOSS_FRACTION: &str = "site_loss_fraction";
/// `[variation]` key: independent host failures, per host and hour (drawn per run); each host
/// fails at an exponentially distributed time, when that falls within the run.
pub const HOST_FAILURE_RATE: &str = "host_failure_rate";

/// How the amounts of a `[variation]` entry are written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Amount {
    /// `"60s"`, in ms.
    Duration,
    /// `"52MiB/s"`, in bits per second.
    Bandwidth,
    /// A plain number.
    Number,
}

/// The seed of a scenario file without `seed` and of the audit without `--seed`: the same
/// scenario gives the same figures either way.
pub const DEFAULT_SEED: u64 = 0;

/// A failure scenario bound to an inventory.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    /// The design file, when loaded from a scenario file.
    pub design: Option<PathBuf>,
    pub seed: u64,
    /// More than one: Monte Carlo.
    pub runs: u32,
    /// In time order (stable for equal times).
    pub events: Vec<ScenarioEvent>,
    pub parameters: Parameters,
    /// Per parameter name (in its base unit: ms, bits per second), or [`SITE_LOSS_FRACTION`]
    /// and [`HOST_FAILURE_RATE`]; drawn per run (`vm_boot_time` per start, `detection_jitter`
    /// per host lost).
    pub variation: BTreeMap<String, Distribution>,
    /// The `[slo]` table: objectives `stretchdr sim` gates on.
    pub slo: Vec<Slo>,
}

impl Scenario {
    /// A scenario with default parameters and the given events.
    pub fn new(name: impl Into<String>, events: Vec<ScenarioEvent>) -> Scenario {
        let mut events = events;
        events.sort_by_key(|e| e.at);
        Scenario {
            name: name.into(),
            design: None,
            seed: DEFAULT_SEED,
            runs: 1,
            events,
            parameters: Parameters::default(),
            variation: BTreeMap::new(),
            slo: Vec::new(),
        }
    }
}

impl Scenario {
    /// This scenario with every failed or maintained target recovering `after_ms` after the
    /// last event, and a horizon of at least a day so failback can finish.
    pub fn with_recovery(&self, inv: &Inventory, after_ms: u64) -> Scenario {
        let last = self.events.last().map_or(SimTime::ZERO, |e| e.at);
        let at = last.after(after_ms).as_ms();
        let mut events = self.events.clone();
        for e in &self.events {
            if e.action != Action::Recover
                && !events
                    .iter()
                    .any(|r| r.action == Action::Recover && r.target == e.target && r.at >= e.at)
            {
                events.push(event(inv, at, Action::Recover, e.target));
            }
        }
        events.sort_by_key(|e| e.at);
        let mut parameters = self.parameters.clone();
        parameters.horizon = parameters.horizon.max(24 * 3_600_000);
        Scenario {
            name: format!(
                "{}, recovered after {}",
                self.name,
                format_duration_ms(after_ms)
            ),
            events,
            parameters,
            ..self.clone()
        }
    }
}

/// One event of a scenario built in code: `at_ms`, action and target, labelled from the inventory.
pub fn event(inv: &Inventory, at_ms: u64, action: Action, target: Target) -> ScenarioEvent {
    let label = match target {
        Target::Site(s) => format!("site:{}", inv.sites[s].name),
        Target::Host(h) => format!("host:{}", inv.hosts[h].name),
        Target::Link(a, b) => format!("link:{}/{}", inv.sites[a].name, inv.sites[b].name),
        Target::Replication(d) => format!("replication:{}", inv.storage_domains[d].name),
        Target::Engine => "engine".to_string(),
    };
    ScenarioEvent {
        at: SimTime::from_ms(at_ms),
        action,
        target,
        label,
    }
}

/// The scenarios `stretchdr audit` runs: the loss of each non-witness site, and the partition
/// of each link between two non-witness sites. Each with default parameters and [`DEFAULT_SEED`].
pub fn standard_scenarios(inv: &Inventory) -> Vec<Scenario> {
    let data_sites: Vec<SiteId> = inv
        .sites
        .iter()
        .filter(|(_, s)| s.role != SiteRole::Witness)
        .map(|(id, _)| id)
        .collect();
    let mut scenarios = Vec::new();
    for &site in &data_sites {
        let name = format!("loss of {}", inv.sites[site].name);
        scenarios.push(Scenario::new(
            name,
            vec![event(inv, 0, Action::Fail, Target::Site(site))],
        ));
    }
    for link in &inv.links {
        let (a, b) = link.sites;
        if data_sites.contains(&a) && data_sites.contains(&b) {
            let name = format!("partition {}/{}", inv.sites[a].name, inv.sites[b].name);
            scenarios.push(Scenario::new(
                name,
                vec![event(inv, 0, Action::Fail, Target::Link(a, b))],
            ));
        }
    }
    scenarios
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    scenario: Spanned<RawHeader>,
    #[serde(default)]
    event: Vec<Spanned<RawEvent>>,
    #[serde(default)]
    parameters: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    variation: BTreeMap<Spanned<String>, Spanned<RawDistribution>>,
    #[serde(default)]
    slo: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    /// Which simulator: the engine's (the default) or another (`georep`, its own loader).
    mode: Option<Spanned<String>>,
    name: String,
    design: Spanned<String>,
    seed: Option<u64>,
    runs: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    at: Spanned<String>,
    fail: Option<Spanned<String>>,
    recover: Option<Spanned<String>>,
    maintenance: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDistribution {
    distribution: Spanned<String>,
    value: Option<Spanned<toml::Value>>,
    min: Option<Spanned<toml::Value>>,
    max: Option<Spanned<toml::Value>>,
    mean: Option<Spanned<toml::Value>>,
    sd: Option<Spanned<toml::Value>>,
    median: Option<Spanned<toml::Value>>,
    p95: Option<Spanned<toml::Value>>,
    shape: Option<Spanned<toml::Value>>,
    scale: Option<Spanned<toml::Value>>,
}

/// Every key this loader accepts, per table (the top level as `""`): read from its own
/// structs ([`stretchdr_model::keys::fields_of`]), so it is the list the loader enforces.
/// `[parameters]` takes the names of [`params::PARAMETERS`], `[variation]` those and
/// [`SITE_LOSS_FRACTION`] and [`HOST_FAILURE_RATE`], each a table of `"variation.*"`'s keys;
/// `[slo]` any metric.
pub fn keys() -> Vec<(&'static str, &'static [&'static str])> {
    use stretchdr_model::keys::fields_of;
    vec![
        ("", fields_of::<RawScenario>()),
        ("scenario", fields_of::<RawHeader>()),
        ("event", fields_of::<RawEvent>()),
        ("variation.*", fields_of::<RawDistribution>()),
    ]
}

/// The `mode` of a scenario file's `[scenario]` table, if it has one (`"georep"` selects the
/// geo-replication simulator); `None` also when the text is not TOML (the loader reports that).
pub fn mode_of(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    Some(table.get("scenario")?.get("mode")?.as_str()?.to_string())
}

/// Reads a scenario file and loads the design it names (relative to the scenario file).
pub fn load_scenario(path: &Path) -> Result<(Scenario, Inventory), LoadError> {
    let text = stretchdr_model::read::read_text(path, "scenario file")?;
    load_scenario_str(path, &text, stretchdr_model::load_source)
}

/// Parses scenario `text` (named `path` in errors); `load_design` loads the design path,
/// already resolved relative to `path`.
pub fn load_scenario_str(
    path: &Path,
    text: &str,
    load_design: impl FnOnce(&Path) -> Result<Inventory, LoadError>,
) -> Result<(Scenario, Inventory), LoadError> {
    let source: Arc<str> = Arc::from(text);
    let at = |span: Range<usize>, message: String| LoadError::at(path, &source, span, message);
    let raw: RawScenario =
        toml::from_str(text).map_err(|e| stretchdr_model::keys::toml_error(path, &source, &e))?;
    let header = raw.scenario.get_ref();
    if let Some(mode) = &header.mode
        && mode.get_ref() != "engine"
    {
        return Err(at(
            mode.span(),
            format!(
                "mode {:?}: this loader reads engine scenarios (no `mode`, or mode = \"engine\")",
                mode.get_ref()
            ),
        ));
    }
    let design_path = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(header.design.get_ref());
    let inv = load_design(&design_path)?;

    let runs = match &header.runs {
        None => 1,
        Some(runs) => u32::try_from(*runs.get_ref())
            .ok()
            .filter(|r| *r >= 1)
            .ok_or_else(|| {
                at(
                    runs.span(),
                    "`runs` must be a whole number, 1 or more".into(),
                )
            })?,
    };

    let mut events = Vec::new();
    for raw_event in &raw.event {
        let e = raw_event.get_ref();
        let time = parse_duration_ms(e.at.get_ref()).map_err(|m| at(e.at.span(), m))?;
        let given: Vec<(Action, &Spanned<String>)> = [
            (Action::Fail, &e.fail),
            (Action::Recover, &e.recover),
            (Action::Maintenance, &e.maintenance),
        ]
        .into_iter()
        .filter_map(|(a, t)| Some((a, t.as_ref()?)))
        .collect();
        let [(action, target)] = given.as_slice() else {
            return Err(at(
                raw_event.span(),
                "an event needs exactly one of `fail`, `recover` or `maintenance`".into(),
            ));
        };
        let resolved = resolve_target(&inv, target.get_ref()).map_err(|m| at(target.span(), m))?;
        if *action == Action::Maintenance && !matches!(resolved, Target::Site(_) | Target::Host(_))
        {
            return Err(at(
                target.span(),
                "`maintenance` applies to `site:NAME` or `host:NAME`".into(),
            ));
        }
        events.push(ScenarioEvent {
            at: SimTime::from_ms(time),
            action: *action,
            target: resolved,
            label: target.get_ref().clone(),
        });
    }
    events.sort_by_key(|e| e.at);

    let mut parameters = Parameters::default();
    for (name, value) in &raw.parameters {
        if params::kind_of(name.get_ref()).is_none() {
            return Err(at(name.span(), unknown_parameter(name.get_ref(), &[])));
        }
        parameters
            .set(name.get_ref(), value.get_ref())
            .map_err(|m| {
                let span = if params::kind_of(name.get_ref()).is_some() {
                    value.span()
                } else {
                    name.span()
                };
                at(span, m)
            })?;
    }

    let mut variation = BTreeMap::new();
    for (name, raw_dist) in &raw.variation {
        let amount = match name.get_ref().as_str() {
            SITE_LOSS_FRACTION | HOST_FAILURE_RATE => Amount::Number,
            other => match params::kind_of(other) {
                Some(Kind::Duration) => Amount::Duration,
                Some(Kind::Bandwidth) => Amount::Bandwidth,
                Some(Kind::Count) => {
                    return Err(at(
                        name.span(),
                        format!(
                            "`{other}` cannot vary: only duration and bandwidth parameters, \
                             `{SITE_LOSS_FRACTION}` and `{HOST_FAILURE_RATE}` can"
                        ),
                    ));
                }
                None => {
                    return Err(at(
                        name.span(),
                        unknown_parameter(other, &[SITE_LOSS_FRACTION, HOST_FAILURE_RATE]),
                    ));
                }
            },
        };
        let dist = distribution(raw_dist.get_ref(), raw_dist.span(), amount, &at)?;
        variation.insert(name.get_ref().clone(), dist);
    }

    if raw.event.is_empty() {
        return Err(at(
            raw.scenario.span(),
            "the scenario has no [[event]]: nothing would happen, so nothing would be checked"
                .into(),
        ));
    }
    let mut slo = Vec::new();
    for (metric, value) in &raw.slo {
        slo.push(
            crate::slo::parse_entry(metric.get_ref(), value.get_ref())
                .map_err(|e| at(metric.span(), format!("[slo] {e}")))?,
        );
    }

    let scenario = Scenario {
        name: header.name.clone(),
        design: Some(design_path),
        seed: header.seed.unwrap_or(DEFAULT_SEED),
        runs,
        events,
        parameters,
        variation,
        slo,
    };
    Ok((scenario, inv))
}

fn distribution(
    raw: &RawDistribution,
    span: Range<usize>,
    amount: Amount,
    at: &impl Fn(Range<usize>, String) -> LoadError,
) -> Result<Distribution, LoadError> {
    let field = |field: &Option<Spanned<toml::Value>>, name: &str, how: Amount| {
        let value = field
            .as_ref()
            .ok_or_else(|| at(span.clone(), format!("this distribution needs `{name}`")))?;
        let converted = match (how, value.get_ref()) {
            (Amount::Duration, toml::Value::String(t)) => parse_duration_ms(t).map(|v| v as f64),
            (Amount::Bandwidth, toml::Value::String(t)) => parse_bandwidth_bps(t).map(|v| v as f64),
            (Amount::Number, toml::Value::Float(f)) if *f >= 0.0 => Ok(*f),
            (Amount::Number, toml::Value::Integer(i)) if *i >= 0 => Ok(*i as f64),
            (Amount::Duration, _) => Err("expected a duration such as \"60s\"".to_string()),
            (Amount::Bandwidth, _) => Err("expected a bandwidth such as \"52MiB/s\"".to_string()),
            (Amount::Number, _) => Err("expected a number, 0 or more".to_string()),
        };
        converted.map_err(|m| at(value.span(), m))
    };
    let positive = |value: f64, what: &str| {
        if value > 0.0 {
            Ok(value)
        } else {
            Err(at(span.clone(), format!("`{what}` must be more than 0")))
        }
    };
    let (allowed, dist): (&[&str], Distribution) = match raw.distribution.get_ref().as_str() {
        "fixed" => (
            &["value"],
            Distribution::Fixed {
                value: field(&raw.value, "value", amount)?,
            },
        ),
        "uniform" => {
            let min = field(&raw.min, "min", amount)?;
            let max = field(&raw.max, "max", amount)?;
            if max < min {
                return Err(at(span, "a uniform distribution needs min <= max".into()));
            }
            (&["min", "max"], Distribution::Uniform { min, max })
        }
        "normal" => {
            let mean = field(&raw.mean, "mean", amount)?;
            let sd = positive(field(&raw.sd, "sd", amount)?, "sd")?;
            (&["mean", "sd"], Distribution::Normal { mean, sd })
        }
        "lognormal" => {
            let median = field(&raw.median, "median", amount)?;
            let p95 = field(&raw.p95, "p95", amount)?;
            if median <= 0.0 || p95 < median {
                return Err(at(
                    span,
                    format!("a lognormal needs 0 < median <= p95 (median {median}, p95 {p95})"),
                ));
            }
            (&["median", "p95"], Distribution::LogNormal { median, p95 })
        }
        "exponential" => {
            let mean = positive(field(&raw.mean, "mean", amount)?, "mean")?;
            (&["mean"], Distribution::Exponential { mean })
        }
        "weibull" => {
            let shape = positive(field(&raw.shape, "shape", Amount::Number)?, "shape")?;
            let scale = positive(field(&raw.scale, "scale", amount)?, "scale")?;
            (&["shape", "scale"], Distribution::Weibull { shape, scale })
        }
        other => {
            return Err(at(
                raw.distribution.span(),
                format!(
                    "unknown distribution {other:?}; {}expected \"fixed\", \"uniform\", \"normal\", \
                     \"lognormal\", \"exponential\" or \"weibull\"",
                    did_you_mean(other, DISTRIBUTIONS.iter().copied())
                ),
            ));
        }
    };
    for (name, field) in [
        ("value", &raw.value),
        ("min", &raw.min),
        ("max", &raw.max),
        ("mean", &raw.mean),
        ("sd", &raw.sd),
        ("median", &raw.median),
        ("p95", &raw.p95),
        ("shape", &raw.shape),
        ("scale", &raw.scale),
    ] {
        if let Some(field) = field
            && !allowed.contains(&name)
        {
            return Err(at(
                field.span(),
                format!("`{name}` does not apply to this distribution"),
            ));
        }
    }
    Ok(dist)
}

/// Resolves `site:NAME`, `host:NAME`, `link:A/B`, `replication:DOMAIN` or `engine`.
fn resolve_target(inv: &Inventory, text: &str) -> Result<Target, String> {
    if text == "engine" {
        return Ok(Target::Engine);
    }
    let expected =
        "expected `site:NAME`, `host:NAME`, `link:SITE/SITE`, `replication:DOMAIN` or `engine`";
    let Some((kind, name)) = text.split_once(':') else {
        return Err(format!("invalid target {text:?}: {expected}"));
    };
    let site = |name: &str| {
        inv.sites
            .find(name)
            .ok_or_else(|| format!("no site named {name:?} in the design"))
    };
    match kind {
        "site" => site(name).map(Target::Site),
        "host" => inv
            .hosts
            .find(name)
            .map(Target::Host)
            .ok_or_else(|| format!("no host named {name:?} in the design")),
        "link" => {
            let (a, b) = name
                .split_once('/')
                .ok_or_else(|| format!("invalid link {name:?}: expected `link:SITE/SITE`"))?;
            let (a, b) = (site(a)?, site(b)?);
            if a == b {
                return Err(format!("a link joins two different sites, not {name:?}"));
            }
            Ok(Target::Link(a, b))
        }
        "replication" => inv
            .storage_domains
            .find(name)
            .map(Target::Replication)
            .ok_or_else(|| format!("no storage domain named {name:?} in the design")),
        _ => Err(format!(
            "invalid target {text:?}: {}{expected}",
            did_you_mean(kind, ["site", "host", "link", "replication"])
        )),
    }
}

/// The names of the distributions a `[variation]` entry takes.
const DISTRIBUTIONS: &[&str] = &[
    "fixed",
    "uniform",
    "normal",
    "lognormal",
    "exponential",
    "weibull",
];

/// An unknown `[parameters]` (or `[variation]`, with `extra` names) key: the nearest known
/// name and the list of them.
fn unknown_parameter(name: &str, extra: &[&str]) -> String {
    let names: Vec<&str> = params::PARAMETERS
        .iter()
        .map(|(n, _, _)| *n)
        .chain(extra.iter().copied())
        .collect();
    format!(
        "unknown parameter `{name}`; {}expected one of: {}",
        did_you_mean(name, names.iter().copied()),
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use stretchdr_model::design::load_design_str;

    use super::{Action, Distribution, Target, load_scenario_str};

    const DESIGN: &str = "[[site]]\nname = \"a\"\nrole = \"primary\"\n[[site]]\nname = \"b\"\nrole = \"secondary\"\n";

    fn load(text: &str) -> Result<super::Scenario, String> {
        load_scenario_str(Path::new("s.toml"), text, |p| load_design_str(p, DESIGN))
            .map(|(s, _)| s)
            .map_err(|e| e.to_string())
    }

    const HEAD: &str = "[scenario]\nname = \"n\"\ndesign = \"d.toml\"\n";

    #[test]
    fn misspelt_keys_and_values_name_the_nearest() {
        let event = "[[event]]\nat = \"0s\"\nfail = \"site:a\"\n";
        for (text, line, hint) in [
            (format!("{HEAD}sed = 3\n{event}"), 4, "did you mean `seed`?"),
            (
                format!("{HEAD}{event}[parameters]\nvm_boot_tim = \"60s\"\n"),
                8,
                "did you mean `vm_boot_time`?",
            ),
            (
                format!(
                    "{HEAD}runs = 2\n{event}[variation]\nsite_loss_fractio = {{ distribution = \"fixed\", value = 0.5 }}\n"
                ),
                9,
                "did you mean `site_loss_fraction`?",
            ),
            (
                format!(
                    "{HEAD}runs = 2\n{event}[variation]\nvm_boot_time = {{ distribution = \"lognorml\", median = \"60s\", p95 = \"90s\" }}\n"
                ),
                9,
                "did you mean `lognormal`?",
            ),
            (
                format!("{HEAD}[[event]]\nat = \"0s\"\nfail = \"sit:a\"\n"),
                6,
                "did you mean `site`?",
            ),
            (
                format!("{HEAD}[[event]]\nat = \"0s\"\nfial = \"site:a\"\n"),
                6,
                "did you mean `fail`?",
            ),
        ] {
            let err = load(&text).unwrap_err();
            assert!(err.starts_with(&format!("s.toml:{line}:")), "{err}\n{text}");
            assert!(err.contains(hint), "{err}");
        }
    }

    #[test]
    fn events_parameters_and_variation() {
        let s = load(&format!(
            "{HEAD}seed = 3\nruns = 10\n[[event]]\nat = \"4h\"\nrecover = \"site:a\"\n[[event]]\nat = \"0s\"\nfail = \"link:a/b\"\n\
             [parameters]\nvm_boot_time = \"90s\"\nha_retry_short_tries = 3\n\
             [variation]\nvm_boot_time = {{ distribution = \"lognormal\", median = \"60s\", p95 = \"180s\" }}\n"
        ))
        .unwrap();
        assert_eq!((s.seed, s.runs), (3, 10));
        assert_eq!(s.events[0].action, Action::Fail, "sorted by time");
        assert!(matches!(s.events[0].target, Target::Link(_, _)));
        assert_eq!(s.events[1].at.as_ms(), 4 * 3_600_000);
        assert_eq!(s.parameters.vm_boot_time, 90_000);
        assert_eq!(s.parameters.ha_retry_short_tries, 3);
        assert_eq!(
            s.variation["vm_boot_time"],
            Distribution::LogNormal {
                median: 60_000.0,
                p95: 180_000.0
            }
        );
        assert!(s.design.unwrap().ends_with("d.toml"));
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                "[[event]]\nat = \"soon\"\nfail = \"site:a\"\n",
                "s.toml:5:",
                "expected a number followed by a unit",
            ),
            (
                "[[event]]\nat = \"0s\"\nfail = \"site:a\"\nrecover = \"site:a\"\n",
                "s.toml:4:",
                "exactly one of",
            ),
            (
                "[[event]]\nat = \"0s\"\nmaintenance = \"link:a/b\"\n",
                "s.toml:6:",
                "`maintenance` applies to",
            ),
            (
                "[[event]]\nat = \"0s\"\nfail = \"rack:r1\"\n",
                "s.toml:6:",
                "invalid target",
            ),
            (
                "[[event]]\nat = \"0s\"\nfail = \"link:a/a\"\n",
                "s.toml:6:",
                "two different sites",
            ),
            (
                "[parameters]\nvm_boot_time = 60\n",
                "s.toml:5:",
                "expected a duration",
            ),
            (
                "[variation]\nvm_boot_time = { distribution = \"lognormal\", median = \"3m\", p95 = \"1m\" }\n",
                "s.toml:5:",
                "median <= p95",
            ),
            (
                "[variation]\nvm_boot_time = { distribution = \"pareto\" }\n",
                "s.toml:5:",
                "unknown distribution",
            ),
            (
                "[variation]\nha_retry_short_tries = { distribution = \"uniform\", min = \"1s\", max = \"2s\" }\n",
                "s.toml:5:",
                "cannot vary",
            ),
            (
                "[variation]\nvm_boot_time = { distribution = \"uniform\", min = \"1s\", max = \"2s\", p95 = \"2s\" }\n",
                "s.toml:5:",
                "does not apply",
            ),
        ];
        for (body, at, message) in cases {
            let err = load(&format!("{HEAD}{body}")).unwrap_err();
            assert!(
                err.contains(at) && err.contains(message),
                "{body}\n=> {err}"
            );
        }
        let err = load(&format!("{HEAD}runs = 0\n")).unwrap_err();
        assert!(
            err.contains("s.toml:4:") && err.contains("1 or more"),
            "{err}"
        );
    }
}
