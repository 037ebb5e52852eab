//! Baseline files: the fingerprints of accepted findings, so CI fails only on new ones.
//!
//! A baseline is a JSON array of fingerprint strings ([`Finding::fingerprint`]), sorted.

use std::collections::BTreeSet;
use std::path::Path;

use stretchdr_model::LoadError;

use crate::finding::Finding;

/// The baseline text for `findings`: a sorted JSON array of their fingerprints, one per line.
pub fn render(findings: &[Finding]) -> String {
    let prints: BTreeSet<String> = findings.iter().map(Finding::fingerprint).collect();
    let prints: Vec<String> = prints.into_iter().collect();
    let mut text = serde_json::to_string_pretty(&prints).expect("strings serialize");
    text.push('\n');
    text
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<BTreeSet<String>, LoadError> {
    let text = stretchdr_model::read::read_text(path, "baseline")?;
    parse(path, &text)
}

/// Parses baseline text (`path` names it in errors).
pub fn parse(path: &Path, text: &str) -> Result<BTreeSet<String>, LoadError> {
    serde_json::from_str::<Vec<String>>(text)
        .map(|prints| prints.into_iter().collect())
        .map_err(|e| {
            LoadError::at_line(
                path,
                u32::try_from(e.line()).unwrap_or(u32::MAX),
                format!("invalid baseline: {e}; expected a JSON array of fingerprint strings"),
            )
        })
}

/// The findings whose fingerprint is not in the baseline.
pub fn new_findings(findings: Vec<Finding>, baseline: &BTreeSet<String>) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|finding| !baseline.contains(&finding.fingerprint()))
        .collect()
}
