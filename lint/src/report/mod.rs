//! Reporters: the same findings for people (human), programs (JSON), code scanning (SARIF 2.1.0),
//! test dashboards (JUnit XML) and GitHub Actions (workflow annotations).

mod github;
mod human;
mod junit;
mod sarif;

use serde::Serialize;

use crate::finding::{Finding, Summary};

pub use github::github;
pub use human::{FINDINGS_SHOWN_PER_RULE, HumanOptions, human, human_sources, human_with};
pub use junit::junit;
pub use sarif::sarif;

/// One line: `2 errors, 1 warning, 30 notes`, or `no findings`.
pub fn summary_line(findings: &[Finding]) -> String {
    let summary = Summary::of(findings);
    if findings.is_empty() {
        return "no findings".to_string();
    }
    let part = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        part(summary.error, "error"),
        part(summary.warning, "warning"),
        part(summary.note, "note")
    )
}

/// The JSON report of FORMATS.md ("Lint result"): `findings` and a `summary` per level.
pub fn json(findings: &[Finding]) -> String {
    // A struct rather than `json!`, so fields keep the documented order.
    #[derive(Serialize)]
    struct LintResult<'a> {
        findings: &'a [Finding],
        summary: Summary,
    }
    let result = LintResult {
        findings,
        summary: Summary::of(findings),
    };
    let mut text = serde_json::to_string_pretty(&result).expect("findings serialize");
    text.push('\n');
    text
}

/// A finding's file relative to the working directory, with forward slashes.
pub(crate) fn relative_path(file: &str) -> String {
    let path = std::path::Path::new(file);
    let relative = std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.to_path_buf()))
        .unwrap_or_else(|| path.to_path_buf());
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_string()
}
