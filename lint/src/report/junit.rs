//! JUnit XML: one test case per rule that found nothing and one per finding; errors and warnings
//! are failures, notes pass with their message as output.

use std::fmt::Write as _;

use stretchdr_model::escape::xml as escape;

use crate::finding::{Finding, Level, Summary};
use crate::registry::RULES;

/// The JUnit report: a `testsuite` named `stretchdr lint`.
pub fn junit(findings: &[Finding]) -> String {
    let summary = Summary::of(findings);
    let quiet_rules: Vec<_> = RULES
        .iter()
        .filter(|rule| findings.iter().all(|f| f.code != rule.code()))
        .collect();
    let tests = quiet_rules.len() + findings.len();
    let failures = summary.error + summary.warning;
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"stretchdr\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"stretchdr lint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">"
    );
    for finding in findings {
        let location = match (&finding.file, finding.line) {
            (Some(file), Some(line)) => {
                format!(" file=\"{}\" line=\"{line}\"", escape(file.as_str()))
            }
            (Some(file), None) => format!(" file=\"{}\"", escape(file.as_str())),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    <testcase classname=\"{} {}\" name=\"{} {}\"{location}>",
            finding.code,
            finding.name,
            finding.entity.kind.as_str(),
            escape(finding.entity.name.as_str())
        );
        let body = format!("{}\nhelp: {}", finding.message, finding.help);
        match finding.level {
            Level::Error | Level::Warning => {
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    finding.level,
                    escape(finding.message.as_str()),
                    escape(body.as_str())
                );
            }
            Level::Note => {
                let _ = writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    escape(body.as_str())
                );
            }
        }
        out.push_str("    </testcase>\n");
    }
    for rule in quiet_rules {
        let _ = writeln!(
            out,
            "    <testcase classname=\"{} {}\" name=\"{}\"/>",
            rule.code(),
            rule.name(),
            rule.name()
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
