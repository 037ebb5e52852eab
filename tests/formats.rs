//! docs/formats.md documents every key the loaders accept. The keys come from the loaders'
//! own structs (`keys()` of each loader), so a key added to a loader and not to the document
//! fails here; so does a `[parameters]` name, whose table (default and source) is generated
//! from the simulator's parameter list: `UPDATE_DOCS=1 cargo test --test formats` rewrites it.

use std::collections::BTreeSet;
use std::path::Path;

use stretchdr_model::units::format_duration_ms;
use stretchdr_sim::ovirt::params::{Kind, PARAMETERS, Parameters};
use stretchdr_sim::scenario::{HOST_FAILURE_RATE, SITE_LOSS_FRACTION};

fn doc_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/formats.md")
}

fn doc() -> String {
    std::fs::read_to_string(doc_path()).expect("docs/formats.md")
}

/// The sections whose heading starts with one of `headings` (`## Design`), each up to the next
/// heading of its level or above.
fn sections(doc: &str, headings: &[&str]) -> String {
    let mut out = String::new();
    let mut level = None;
    let mut in_code = false;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        let heading = (!in_code && line.starts_with('#'))
            .then(|| line.chars().take_while(|&c| c == '#').count());
        if let (Some(current), Some(found)) = (level, heading)
            && found <= current
        {
            level = None;
        }
        if let Some(found) = heading
            && headings.iter().any(|h| line.starts_with(h))
        {
            level = Some(found);
        }
        if level.is_some() {
            out.push_str(line);
            out.push('\n');
        }
    }
    assert!(
        !out.is_empty(),
        "no section {headings:?} in docs/formats.md"
    );
    out
}

/// The key paths a text documents: every key of its ```toml blocks (a commented-out
/// `# key = value` line counts), as `table.key` (arrays of tables and inline tables alike),
/// and the backticked names in the first cell of its table rows (`` `gluster.volume` ``).
fn documented(text: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut block: Option<String> = None;
    for line in text.lines() {
        match (&mut block, line.trim_start().starts_with("```")) {
            (None, true) if line.trim() == "```toml" => block = Some(String::new()),
            (Some(toml), true) => {
                let table: toml::Table = toml::from_str(toml)
                    .unwrap_or_else(|e| panic!("a TOML example does not parse: {e}\n{toml}"));
                walk("", &toml::Value::Table(table), &mut paths);
                block = None;
            }
            (Some(toml), false) => {
                let uncommented = line.trim_start().strip_prefix("# ").unwrap_or(line);
                let line = if toml::from_str::<toml::Table>(uncommented).is_ok() {
                    uncommented
                } else {
                    line
                };
                toml.push_str(line);
                toml.push('\n');
            }
            _ => {
                if let Some(cell) = line.strip_prefix('|').and_then(|l| l.split('|').next()) {
                    for name in cell.split('`').skip(1).step_by(2) {
                        paths.insert(format!("|{name}"));
                    }
                }
            }
        }
    }
    paths
}

fn walk(prefix: &str, value: &toml::Value, paths: &mut BTreeSet<String>) {
    let tables: Vec<&toml::Table> = match value {
        toml::Value::Table(table) => vec![table],
        toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_table).collect(),
        _ => Vec::new(),
    };
    for table in tables {
        for (key, value) in table {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            walk(&path, value, paths);
            paths.insert(path);
        }
    }
}

/// Whether `path` (`vm.lease`, `variation.*.median`) is documented in `paths`: a TOML example
/// holds it (`*` stands for any one key), or a table row names it by its last one or two keys.
fn is_documented(path: &str, paths: &BTreeSet<String>) -> bool {
    let wanted: Vec<&str> = path.split('.').collect();
    let in_example = paths.iter().any(|p| {
        let found: Vec<&str> = p.split('.').collect();
        found.len() == wanted.len() && wanted.iter().zip(&found).all(|(w, f)| w == f || *w == "*")
    });
    let last = wanted[wanted.len() - 1];
    let last_two = wanted[wanted.len().saturating_sub(2)..].join(".");
    in_example || paths.contains(&format!("|{last}")) || paths.contains(&format!("|{last_two}"))
}

/// The keys of `loader` not documented in `text`.
fn missing(loader: &str, keys: &[(&str, &[&str])], text: &str) -> Vec<String> {
    let paths = documented(text);
    let mut missing = Vec::new();
    for (table, fields) in keys {
        assert!(!fields.is_empty(), "{loader}: no fields read for [{table}]");
        for field in *fields {
            let path = if table.is_empty() {
                field.to_string()
            } else {
                format!("{table}.{field}")
            };
            if !is_documented(&path, &paths) {
                missing.push(format!("{loader}: {path}"));
            }
        }
    }
    missing
}

#[test]
fn every_key_the_loaders_accept_is_documented() {
    let doc = doc();
    let mut undocumented = Vec::new();
    undocumented.extend(missing(
        "design",
        &stretchdr_model::design::keys(),
        &sections(&doc, &["## Design", "## Gluster geo-replication"]),
    ));
    undocumented.extend(missing(
        "scenario",
        &stretchdr_sim::scenario::keys(),
        &sections(&doc, &["## Scenario file", "### Monte Carlo"]),
    ));
    undocumented.extend(missing(
        "georep scenario",
        &stretchdr_sim::georep::scenario_keys(),
        &sections(&doc, &["### Geo-replication scenario"]),
    ));
    undocumented.extend(missing(
        "active-passive scenario",
        &stretchdr_sim::active_passive::scenario_keys(),
        &sections(&doc, &["### Active-passive scenario"]),
    ));
    undocumented.extend(missing(
        "policy",
        &stretchdr_lint::policy::keys(),
        &sections(&doc, &["## Policy file"]),
    ));
    assert!(
        undocumented.is_empty(),
        "keys the loaders accept that docs/formats.md does not document:\n{}",
        undocumented.join("\n")
    );
    let baseline = sections(&doc, &["## Baseline file"]);
    assert!(baseline.contains("fingerprint"), "{baseline}");
}

#[test]
fn every_variation_name_and_active_passive_parameter_is_documented() {
    let doc = doc();
    let monte_carlo = sections(&doc, &["### Monte Carlo"]);
    for name in [SITE_LOSS_FRACTION, HOST_FAILURE_RATE] {
        assert!(monte_carlo.contains(&format!("`{name}`")), "{name}");
    }
    let ap = sections(&doc, &["### Active-passive scenario"]);
    let defaults = stretchdr_sim::active_passive::Parameters::default();
    for (name, count) in stretchdr_sim::active_passive::Parameters::NAMES {
        let mut parameters = defaults.clone();
        let value = *parameters.slot(name).expect("a listed name");
        let default = if count {
            value.to_string()
        } else {
            format_duration_ms(value)
        };
        let row = ap
            .lines()
            .find(|line| line.starts_with(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("no row for the active-passive parameter {name}"));
        assert!(
            row.contains(&format!("| {default} |")),
            "the row of {name} does not give its default {default}: {row}"
        );
    }
}

/// The `[parameters]` table: name, default and what it is with its source, one row each.
fn parameters_table() -> String {
    let defaults = Parameters::default();
    let mut out = String::from("| name | default | what it is, and its source |\n|---|---|---|\n");
    for (name, kind, doc) in PARAMETERS {
        let value = defaults.get_base(name).expect("a listed parameter");
        let default = match kind {
            Kind::Duration => format_duration_ms(value),
            Kind::Count => value.to_string(),
            Kind::Bandwidth if value % (8 * 1024 * 1024) == 0 => {
                format!("{}MiB/s", value / (8 * 1024 * 1024))
            }
            Kind::Bandwidth => format!("{value}bps"),
        };
        let what = doc
            .lines()
            .map(str::trim)
            .collect::<Vec<&str>>()
            .join(" ")
            .trim()
            .replace('|', "\\|");
        out.push_str(&format!("| `{name}` | {default} | {what} |\n"));
    }
    out
}

#[test]
fn the_parameters_table_is_current() {
    const START: &str = "<!-- parameters: generated by tests/formats.rs -->\n";
    const END: &str = "<!-- /parameters -->";
    let doc = doc();
    let (before, rest) = doc
        .split_once(START)
        .expect("docs/formats.md marks the [parameters] table");
    let (current, after) = rest.split_once(END).expect("the table's end marker");
    let table = parameters_table();
    if current != table && std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(doc_path(), format!("{before}{START}{table}{END}{after}")).unwrap();
        return;
    }
    assert_eq!(
        current, table,
        "the [parameters] table of docs/formats.md is stale: run `UPDATE_DOCS=1 cargo test --test formats`"
    );
}
