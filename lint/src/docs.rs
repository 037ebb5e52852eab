//! The rule catalogue rendered from the rules' doc comments: `stretchdr rules`, `stretchdr
//! explain CODE` and `docs/rules.md` all come from here.

use std::fmt::Write as _;

use crate::registry::RULES;
use crate::rule::Rule;

/// The sections every rule's documentation has, in order.
pub const SECTIONS: [&str; 4] = ["What it does", "Why is this bad?", "Example", "References"];

/// A rule's documentation as Markdown (the doc comment without rustdoc's leading spaces).
pub fn doc(rule: &dyn Rule) -> String {
    let mut text = String::new();
    for line in rule.raw_doc().lines() {
        text.push_str(line.strip_prefix(' ').unwrap_or(line));
        text.push('\n');
    }
    text.trim().to_string() + "\n"
}

/// The body of a `## heading` section, trimmed; `None` when the section is missing or empty.
pub fn section(rule: &dyn Rule, heading: &str) -> Option<String> {
    let doc = doc(rule);
    let marker = format!("## {heading}\n");
    let start = doc.find(&marker)? + marker.len();
    let rest = &doc[start..];
    let end = rest.find("\n## ").map_or(rest.len(), |i| i + 1);
    let body = rest[..end].trim();
    (!body.is_empty()).then(|| body.to_string())
}

/// One line saying what the rule checks: the first sentence of "What it does".
pub fn summary(rule: &dyn Rule) -> String {
    let body = section(rule, "What it does").unwrap_or_default();
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(end) => flat[..=end].to_string(),
        None => flat,
    }
}

/// The first link of "References": where a reader learns more (SARIF `helpUri`).
pub fn help_uri(rule: &dyn Rule) -> Option<String> {
    let references = section(rule, "References")?;
    let start = references.find("https://")?;
    let uri: String = references[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '>' | ']' | '"'))
        .collect();
    Some(uri)
}

/// `stretchdr explain CODE`: the heading line and the full documentation.
pub fn explain(rule: &dyn Rule) -> String {
    format!(
        "{} {} (default level: {}{})\n\n{}",
        rule.code(),
        rule.name(),
        rule.default_level(),
        input_note(rule),
        doc(rule)
    )
}

/// What a rule needs beyond one inventory, as a clause after its level.
fn input_note(rule: &dyn Rule) -> &'static str {
    if rule.reads_mapping() {
        "; reads an ovirt-dr mapping (stretchdr mapping validate)"
    } else if rule.requires_sites() {
        "; needs sites"
    } else {
        ""
    }
}

/// `docs/rules.md`: an index table, then every rule's documentation.
pub fn catalogue_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Lint rules\n\n");
    out.push_str(
        "<!-- Generated from the rules' doc comments (lint/src/rules/); do not edit. \
         Regenerate with `UPDATE_DOCS=1 cargo test -p stretchdr-lint --test catalogue`. -->\n\n",
    );
    out.push_str(
        "Levels are the defaults of the `ovirt` profile (`rules/ovirt.toml`); `rules/strict.toml` \
         and a user policy (`--policy`) change them. Rules marked \"needs sites\" run only when the \
         inventory knows which host sits in which site (a design, or an export with an overlay). \
         Rules that read an ovirt-dr mapping (the AP family) run in `stretchdr mapping validate`, \
         against the mapping file and both sites.\n\n",
    );
    out.push_str("| code | name | level | summary |\n|---|---|---|---|\n");
    for rule in RULES {
        let _ = writeln!(
            out,
            "| [{code}](#{anchor}) | {name} | {level} | {summary} |",
            code = rule.code(),
            anchor = anchor(*rule),
            name = rule.name(),
            level = rule.default_level(),
            summary = summary(*rule).replace('|', "\\|"),
        );
    }
    for rule in RULES {
        let _ = write!(
            out,
            "\n## {} {}\n\nDefault level: {}{}.\n\n",
            rule.code(),
            rule.name(),
            rule.default_level(),
            input_note(*rule)
        );
        // The rule's own `##` sections become `###` under its heading.
        for line in doc(*rule).lines() {
            if line.starts_with("## ") {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The Markdown anchor of a rule's heading in `docs/rules.md`.
pub fn anchor(rule: &dyn Rule) -> String {
    format!("{}-{}", rule.code().to_ascii_lowercase(), rule.name())
}
