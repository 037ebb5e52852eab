//! The active-passive scenario file: parsed with spans, unknown keys rejected, every error a
//! [`LoadError`] at the file and line.
//!
//! ```toml
//! [scenario]
//! mode = "active-passive"
//! name = "primary site lost, failback after 4h"
//! seed = 7
//! mapping = "../fixtures/ap/mapping.yml"     # relative to this file
//! primary = "../fixtures/ap/primary.toml"    # a design or an export directory
//! secondary = "../fixtures/ap/secondary.toml"
//! failback_at = "4h"                         # optional
//!
//! [parameters]                               # optional, see `Parameters`
//! vm_register = "5s"
//! maintenance_failures = 1
//! ```

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use stretchdr_model::LoadError;
use stretchdr_model::units::parse_duration_ms;
use toml::{Spanned, Value};

use super::{ApScenario, Parameters};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: Spanned<RawScenario>,
    #[serde(default)]
    parameters: Option<Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    mode: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    seed: Option<Spanned<i64>>,
    mapping: Spanned<String>,
    primary: Spanned<String>,
    secondary: Spanned<String>,
    failback_at: Option<Spanned<String>>,
}

/// The `mode` of this kind of scenario.
pub const MODE: &str = "active-passive";

/// Loads an active-passive scenario file.
pub fn load_scenario(path: &Path) -> Result<ApScenario, LoadError> {
    let text = stretchdr_model::read::read_text(path, "scenario file")?;
    load_scenario_str(path, &text)
}

/// Every key this loader accepts, per table (the top level as `""`): read from its own
/// structs ([`stretchdr_model::keys::fields_of`]), so it is the list the loader enforces.
/// `[parameters]` takes the names of [`Parameters::NAMES`].
pub fn keys() -> Vec<(&'static str, &'static [&'static str])> {
    use stretchdr_model::keys::fields_of;
    vec![
        ("", fields_of::<RawFile>()),
        ("scenario", fields_of::<RawScenario>()),
    ]
}

/// Loads an active-passive scenario from text; `path` names it in errors and resolves the
/// files it names.
pub fn load_scenario_str(path: &Path, text: &str) -> Result<ApScenario, LoadError> {
    let source: Arc<str> = Arc::from(text);
    let at = |span: Range<usize>, message: String| LoadError::at(path, &source, span, message);
    let raw: RawFile =
        toml::from_str(text).map_err(|e| stretchdr_model::keys::toml_error(path, &source, &e))?;
    let scenario = raw.scenario.into_inner();
    if scenario.mode.get_ref() != MODE {
        return Err(at(
            scenario.mode.span(),
            format!(
                "expected mode = \"{MODE}\", found {:?}",
                scenario.mode.get_ref()
            ),
        ));
    }
    let seed = match scenario.seed {
        None => 0,
        Some(seed) => u64::try_from(*seed.get_ref())
            .map_err(|_| at(seed.span(), "expected a seed of 0 or more".to_string()))?,
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let failback_at_ms = match &scenario.failback_at {
        None => None,
        Some(text) => Some(
            parse_duration_ms(text.get_ref())
                .map_err(|e| at(text.span(), format!("invalid failback_at: {e}")))?,
        ),
    };
    let mut parameters = Parameters::default();
    if let Some(table) = raw.parameters {
        let span = table.span();
        for (name, value) in table.into_inner() {
            let Some(&(_, count)) = Parameters::NAMES.iter().find(|(n, _)| *n == name) else {
                let names: Vec<&str> = Parameters::NAMES.iter().map(|(n, _)| *n).collect();
                return Err(at(
                    key_span(text, &span, &name),
                    format!(
                        "unknown parameter {name:?}: {}expected one of {}",
                        stretchdr_model::keys::did_you_mean(&name, names.iter().copied()),
                        names.join(", ")
                    ),
                ));
            };
            let parsed = match (&value, count) {
                (Value::Integer(n), true) => u64::try_from(*n).ok(),
                (Value::String(s), false) => parse_duration_ms(s).ok(),
                _ => None,
            };
            let Some(parsed) = parsed else {
                let expected = if count {
                    "a count (0 or more)"
                } else {
                    "a duration such as \"90s\""
                };
                return Err(at(
                    key_span(text, &span, &name),
                    format!("invalid {name}: expected {expected}, found {value}"),
                ));
            };
            *parameters.slot(&name).expect("listed in NAMES") = parsed;
        }
    }
    Ok(ApScenario {
        name: scenario.name.into_inner(),
        seed,
        mapping: dir.join(scenario.mapping.get_ref()),
        primary: dir.join(scenario.primary.get_ref()),
        secondary: dir.join(scenario.secondary.get_ref()),
        failback_at_ms,
        parameters,
    })
}

/// Where `key` is first written after the start of the table at `table` (the table's span
/// when not found).
fn key_span(text: &str, table: &Range<usize>, key: &str) -> Range<usize> {
    text[table.start..]
        .lines()
        .scan(table.start, |offset, line| {
            let start = *offset;
            *offset += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, line)| {
            line.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map_or(table.clone(), |(start, line)| {
            let indent = line.len() - line.trim_start().len();
            start + indent..start + indent + key.len()
        })
}
