//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding.

use std::fmt::Write as _;

use stretchdr_model::escape::{control, multiline};

use crate::finding::{Finding, Level};
use crate::report::relative_path;

/// One annotation line per finding: `::error file=design.toml,line=88,title=AA005 ...::message`.
pub fn github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let command = match finding.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        let mut properties = Vec::new();
        if let Some(file) = &finding.file {
            properties.push(format!(
                "file={}",
                escape_property(&control(&relative_path(file)))
            ));
        }
        if let Some(line) = finding.line {
            properties.push(format!("line={line}"));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("{} {}", finding.code, finding.name))
        ));
        // Line breaks become %0A below; every other control character is escaped here.
        let message = format!(
            "{}\nhelp: {}",
            multiline(&finding.message),
            multiline(&finding.help)
        );
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    out
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
