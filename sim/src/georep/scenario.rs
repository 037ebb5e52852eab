//! The georep scenario file: parsed with spans, unknown keys rejected, names checked against the
//! design it names; every error is a [`LoadError`] at the file and line.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use stretchdr_model::design::load_design;
use stretchdr_model::inventory::WEEK_MS;
use stretchdr_model::units::parse_duration_ms;
use stretchdr_model::{Inventory, LoadError};
use toml::Spanned;

use super::{Action, GeorepEvent, GeorepScenario, Target, defaults};

/// The longest simulation a scenario may ask for: a year of weeks.
const MAX_DURATION_MS: u64 = 52 * WEEK_MS;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: Spanned<RawScenario>,
    #[serde(default)]
    event: Vec<Spanned<RawEvent>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    mode: Spanned<String>,
    name: Spanned<String>,
    design: Spanned<String>,
    duration: Option<Spanned<String>>,
    domain: Option<Spanned<String>>,
    rpo_step: Option<Spanned<String>>,
    status_refresh: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    at: Spanned<String>,
    fail: Option<Spanned<String>>,
    recover: Option<Spanned<String>>,
}

/// Every key this loader accepts, per table (the top level as `""`): read from its own
/// structs ([`stretchdr_model::keys::fields_of`]), so it is the list the loader enforces.
pub fn keys() -> Vec<(&'static str, &'static [&'static str])> {
    use stretchdr_model::keys::fields_of;
    vec![
        ("", fields_of::<RawFile>()),
        ("scenario", fields_of::<RawScenario>()),
        ("event", fields_of::<RawEvent>()),
    ]
}

/// Loads a georep scenario file and checks its names against the design it names.
pub fn load_scenario(path: &Path) -> Result<GeorepScenario, LoadError> {
    let text = stretchdr_model::read::read_text(path, "scenario file")?;
    load_scenario_str(path, &text)
}

/// Loads a georep scenario from text; `path` names it in errors and resolves the design.
pub fn load_scenario_str(path: &Path, text: &str) -> Result<GeorepScenario, LoadError> {
    let source: Arc<str> = Arc::from(text);
    let at = |span: Range<usize>, message: String| LoadError::at(path, &source, span, message);
    let raw: RawFile =
        toml::from_str(text).map_err(|e| stretchdr_model::keys::toml_error(path, &source, &e))?;
    let scenario = raw.scenario.get_ref();
    if scenario.mode.get_ref() != "georep" {
        return Err(at(
            scenario.mode.span(),
            format!(
                "mode {:?}: this loader reads georep scenarios (mode = \"georep\")",
                scenario.mode.get_ref()
            ),
        ));
    }
    if scenario.name.get_ref().trim().is_empty() {
        return Err(at(scenario.name.span(), "name: must not be empty".into()));
    }
    let duration = |field: &str, value: &Spanned<String>| {
        parse_duration_ms(value.get_ref()).map_err(|e| at(value.span(), format!("{field}: {e}")))
    };
    let duration_ms = match &scenario.duration {
        None => defaults::DURATION_MS,
        Some(value) => match duration("duration", value)? {
            ms if ms == 0 || ms > MAX_DURATION_MS => {
                return Err(at(
                    value.span(),
                    format!(
                        "duration {:?} is out of range: expected more than 0s and at most 364d",
                        value.get_ref()
                    ),
                ));
            }
            ms => ms,
        },
    };
    let rpo_step_ms = match &scenario.rpo_step {
        None => defaults::RPO_STEP_MS,
        Some(value) => match duration("rpo_step", value)? {
            ms if ms < 1000 => {
                return Err(at(
                    value.span(),
                    format!(
                        "rpo_step {:?} is out of range: expected at least 1s",
                        value.get_ref()
                    ),
                ));
            }
            ms => ms,
        },
    };
    let status_refresh_ms = match &scenario.status_refresh {
        None => defaults::STATUS_REFRESH_MS,
        Some(value) => match duration("status_refresh", value)? {
            ms if ms < 1000 => {
                return Err(at(
                    value.span(),
                    format!(
                        "status_refresh {:?} is out of range: expected at least 1s",
                        value.get_ref()
                    ),
                ));
            }
            ms => ms,
        },
    };
    let design = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(scenario.design.get_ref());
    let inventory = load_design(&design)?;
    if let Some(domain) = &scenario.domain {
        let has_sessions = inventory
            .storage_domains
            .find(domain.get_ref())
            .and_then(|id| inventory.storage_domains[id].gluster.as_ref())
            .is_some_and(|volume| !volume.georep.is_empty());
        if !has_sessions {
            return Err(at(
                domain.span(),
                format!(
                    "domain: the design has no storage domain {:?} with a geo-replication session",
                    domain.get_ref()
                ),
            ));
        }
    }
    let mut events = Vec::with_capacity(raw.event.len());
    for event in &raw.event {
        events.push(event_of(&at, &inventory, event, duration_ms)?);
    }
    events.sort_by_key(|e| e.at_ms);
    Ok(GeorepScenario {
        name: scenario.name.get_ref().clone(),
        design,
        duration_ms,
        domain: scenario.domain.as_ref().map(|d| d.get_ref().clone()),
        rpo_step_ms,
        status_refresh_ms,
        events,
    })
}

fn event_of(
    at: &impl Fn(Range<usize>, String) -> LoadError,
    inventory: &Inventory,
    raw: &Spanned<RawEvent>,
    duration_ms: u64,
) -> Result<GeorepEvent, LoadError> {
    let header = raw.span();
    let raw = raw.get_ref();
    let at_ms =
        parse_duration_ms(raw.at.get_ref()).map_err(|e| at(raw.at.span(), format!("at: {e}")))?;
    if at_ms >= duration_ms {
        return Err(at(
            raw.at.span(),
            format!(
                "at: {:?} is not before the end of the scenario's duration",
                raw.at.get_ref()
            ),
        ));
    }
    let (action, label) = match (&raw.fail, &raw.recover) {
        (Some(target), None) => (Action::Fail, target),
        (None, Some(target)) => (Action::Recover, target),
        _ => {
            return Err(at(
                header,
                "an event needs exactly one of `fail` or `recover`".into(),
            ));
        }
    };
    let target = target_of(inventory, label.get_ref()).map_err(|e| {
        let field = match action {
            Action::Fail => "fail",
            Action::Recover => "recover",
        };
        at(label.span(), format!("{field}: {e}"))
    })?;
    Ok(GeorepEvent {
        at_ms,
        action,
        target,
        label: label.get_ref().clone(),
    })
}

/// `link:SITE/SITE`, `brick:DOMAIN` or `site:NAME`, with its names in the inventory.
fn target_of(inventory: &Inventory, text: &str) -> Result<Target, String> {
    let site = |name: &str| {
        inventory
            .sites
            .find(name)
            .map(|_| name.to_string())
            .ok_or_else(|| format!("no site named {name:?} in the design"))
    };
    match text.split_once(':') {
        Some(("link", sites)) => match sites.split_once('/') {
            Some((a, b)) if a != b => Ok(Target::Link(site(a)?, site(b)?)),
            _ => Err(format!(
                "invalid link {sites:?}: expected two different sites, as link:SITE/SITE"
            )),
        },
        Some(("brick", domain)) => {
            let id = inventory
                .storage_domains
                .find(domain)
                .ok_or_else(|| format!("no storage domain named {domain:?} in the design"))?;
            if inventory.storage_domains[id].gluster.is_none() {
                return Err(format!(
                    "storage domain {domain:?} has no gluster volume, so no bricks"
                ));
            }
            Ok(Target::Brick(domain.to_string()))
        }
        Some(("site", name)) => Ok(Target::Site(site(name)?)),
        _ => Err(format!(
            "invalid target {text:?}: expected link:SITE/SITE, brick:DOMAIN or site:NAME"
        )),
    }
}
