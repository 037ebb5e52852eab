//! SARIF 2.1.0, with the fields GitHub code scanning reads: rule metadata with help text,
//! results with a location and region, and partial fingerprints that survive line moves.

use serde_json::{Value, json};

use crate::docs;
use crate::finding::Finding;
use crate::registry::RULES;
use crate::report::relative_path;

/// The key of the fingerprint in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "stretchdrFingerprint/v1";

/// The SARIF log of one lint run.
pub fn sarif(findings: &[Finding]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            let mut descriptor = json!({
                "id": rule.code(),
                "name": rule.name(),
                "shortDescription": { "text": docs::summary(*rule) },
                "fullDescription": {
                    "text": docs::section(*rule, "What it does").unwrap_or_default()
                },
                "help": { "text": docs::doc(*rule), "markdown": docs::doc(*rule) },
                "defaultConfiguration": { "level": rule.default_level().as_str() },
                "properties": { "tags": ["disaster-recovery", "ovirt"] },
            });
            if let Some(uri) = docs::help_uri(*rule) {
                descriptor["helpUri"] = json!(uri);
            }
            descriptor
        })
        .collect();
    let results: Vec<Value> = findings.iter().map(result).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "stretchdr",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    text.push('\n');
    text
}

fn result(finding: &Finding) -> Value {
    let rule_index = RULES
        .iter()
        .position(|rule| rule.code() == finding.code)
        .expect("findings come from registered rules");
    let logical = json!({
        "name": finding.entity.name,
        "kind": finding.entity.kind.as_str(),
    });
    let mut location = json!({ "logicalLocations": [logical] });
    if let Some(file) = &finding.file {
        let mut physical = json!({ "artifactLocation": { "uri": uri(file) } });
        if let Some(line) = finding.line {
            physical["region"] = json!({ "startLine": line });
        }
        location["physicalLocation"] = physical;
    }
    json!({
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": finding.level.as_str(),
        "message": { "text": format!("{}\nhelp: {}", finding.message, finding.help) },
        "locations": [location],
        "partialFingerprints": { FINGERPRINT_KEY: finding.fingerprint() },
    })
}

/// A relative URI reference for a file path.
fn uri(file: &str) -> String {
    relative_path(file)
        .replace('%', "%25")
        .replace(' ', "%20")
        .replace('#', "%23")
        .replace('?', "%3F")
}
