//! Turns library errors into miette reports that show the offending line.

use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};
use stretchdr_model::LoadError;

/// A report for a load error: `file:line:column: message`, with the source line underlined when known.
pub fn load_error(error: LoadError) -> Report {
    let title = error.to_string();
    let mut diagnostic = MietteDiagnostic::new(title);
    if let (Some(span), Some(_)) = (&error.span, &error.source_text) {
        diagnostic = diagnostic.with_label(LabeledSpan::at(span.clone(), "here"));
    }
    let report = Report::new(diagnostic);
    match error.source_text {
        Some(text) if error.span.is_some() => report.with_source_code(NamedSource::new(
            error.path.display().to_string(),
            text.to_string(),
        )),
        _ => report,
    }
}
