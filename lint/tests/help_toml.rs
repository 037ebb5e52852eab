//! What the rules show as TOML is TOML the design loader takes: every `key = value` in the help
//! and messages of their findings (on their fixtures and the bundled example) is a TOML value
//! under a key the loader knows, and every ```toml example of their documentation parses with
//! known keys in known tables. The keys are the loader's own ([`design::keys`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use stretchdr_lint::registry::RULES;
use stretchdr_lint::{Finding, Policy, lint};
use stretchdr_model::design::{self, load_design_str};

/// The design's tables by path (`""`, `vm`, `cluster.fencing`) with their keys.
fn tables() -> BTreeMap<&'static str, &'static [&'static str]> {
    design::keys().into_iter().collect()
}

/// Every key of any table: what a fragment without its table header may hold.
fn any_key() -> BTreeSet<&'static str> {
    design::keys()
        .into_iter()
        .flat_map(|(_, keys)| keys.iter().copied())
        .collect()
}

fn findings_of(relative: &str) -> Vec<Finding> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{relative}: {e}"));
    let inventory = load_design_str(&PathBuf::from(relative), &text)
        .unwrap_or_else(|e| panic!("{relative} loads: {e}"));
    lint(&inventory, &Policy::default())
}

/// The `key = value` snippets of a text: the key before each ` = ` and the longest TOML value
/// after it. `Err` names a snippet whose value is no TOML value.
fn snippets(text: &str) -> Vec<Result<(String, String), String>> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(" = ") {
        let key: String = text[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect::<Vec<char>>()
            .into_iter()
            .rev()
            .collect();
        let rest = &text[at + 3..];
        let value = rest
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .rev()
            .map(|end| &rest[..end])
            .find(|value| toml::from_str::<toml::Table>(&format!("v = {value}")).is_ok());
        out.push(match value {
            Some(value) if !key.is_empty() => Ok((key, value.to_string())),
            _ => Err(format!("`{key} = {rest}`")),
        });
    }
    out
}

#[test]
fn help_and_messages_show_toml_with_known_keys() {
    let known = any_key();
    let mut sources = vec!["fixtures/demo/design.toml".to_string()];
    for rule in RULES.iter().filter(|rule| !rule.reads_mapping()) {
        sources.push(format!("fixtures/lint/{}-fires.toml", rule.code()));
    }
    let mut seen = 0;
    let mut bad = Vec::new();
    for source in &sources {
        for finding in findings_of(source) {
            for text in [&finding.help, &finding.message] {
                for snippet in snippets(text) {
                    seen += 1;
                    match snippet {
                        Ok((key, _)) if known.contains(key.rsplit('.').next().unwrap()) => {}
                        Ok((key, value)) => {
                            bad.push(format!("{}: unknown key `{key} = {value}`", finding.code))
                        }
                        Err(snippet) => bad.push(format!("{}: not TOML: {snippet}", finding.code)),
                    }
                }
            }
        }
    }
    assert!(
        seen > 10,
        "only {seen} snippets: the extraction finds nothing"
    );
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Checks the keys of `value`, found at table `path`, against the design's tables.
fn check_table(path: &str, value: &toml::Value, out: &mut Vec<String>) {
    let tables = tables();
    let items: Vec<&toml::Table> = match value {
        toml::Value::Table(table) => vec![table],
        toml::Value::Array(items) => items.iter().filter_map(toml::Value::as_table).collect(),
        _ => return,
    };
    if path == "slo" {
        return;
    }
    for table in items {
        for (key, value) in table {
            let nested = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let known_here = tables
                .get(path)
                .is_some_and(|keys| keys.contains(&key.as_str()));
            if known_here {
                check_table(&nested, value, out);
                continue;
            }
            // A fragment without its table header (`lease = "data1"`): the key of some table,
            // whose nested keys are then checked in that table.
            match tables
                .iter()
                .find(|(table, keys)| !table.is_empty() && keys.contains(&key.as_str()))
            {
                Some((table, _)) if path.is_empty() => {
                    check_table(&format!("{table}.{key}"), value, out)
                }
                _ => out.push(format!("[{path}] has no key `{key}`")),
            }
        }
    }
}

#[test]
fn documentation_examples_are_toml_with_known_keys() {
    let mut bad = Vec::new();
    let mut blocks = 0;
    for rule in RULES.iter() {
        let mut block: Option<String> = None;
        for line in rule.raw_doc().lines() {
            let line = line.strip_prefix(' ').unwrap_or(line);
            match (&mut block, line.trim_start().starts_with("```")) {
                (None, true) if line.trim() == "```toml" => block = Some(String::new()),
                (Some(text), true) => {
                    blocks += 1;
                    match toml::from_str::<toml::Table>(text) {
                        Ok(table) => {
                            let mut problems = Vec::new();
                            check_table("", &toml::Value::Table(table), &mut problems);
                            for problem in problems {
                                bad.push(format!("{}: {problem}\n{text}", rule.code()));
                            }
                        }
                        Err(e) => bad.push(format!("{}: not TOML: {e}\n{text}", rule.code())),
                    }
                    block = None;
                }
                (Some(text), false) => {
                    text.push_str(line);
                    text.push('\n');
                }
                _ => {}
            }
        }
    }
    assert!(blocks > 20, "only {blocks} TOML examples found");
    assert!(bad.is_empty(), "{}", bad.join("\n\n"));
}
