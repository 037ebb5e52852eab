//! Turns library errors into miette reports that show the offending line.
//!
//! Only a window of that one line is handed to miette, never the whole file: a line of a
//! million characters (a minified JSON response, a hostile TOML value) is cut around the
//! span, and control characters in it are escaped, so the report stays short, cannot drive
//! the terminal, and cannot make miette's renderer fail on columns past 65,535.

use std::ops::Range;

use miette::{
    LabeledSpan, MietteDiagnostic, MietteError, MietteSpanContents, Report, SourceCode, SourceSpan,
    SpanContents,
};
use stretchdr_model::LoadError;
use stretchdr_model::escape::{self, excerpt};

/// The most characters of a source line a report shows.
const WINDOW_CHARS: usize = 120;
/// The most characters of a message a report shows.
const TITLE_CHARS: usize = 2_000;

/// A report for a load error: `file:line:column: message`, with the source line underlined when known.
pub fn load_error(error: LoadError) -> Report {
    let title = short_title(&error.to_string());
    let mut diagnostic = MietteDiagnostic::new(title);
    let line = match (&error.span, &error.source_text) {
        (Some(span), Some(text)) => Some(SourceLine::around(
            error.path.display().to_string(),
            text,
            span.clone(),
        )),
        _ => None,
    };
    if let Some(line) = &line {
        diagnostic = diagnostic.with_label(LabeledSpan::at(line.span.clone(), "here"));
    }
    let report = Report::new(diagnostic);
    match line {
        Some(line) => report.with_source_code(line),
        None => report,
    }
}

/// A message, escaped and cut to [`TITLE_CHARS`].
fn short_title(message: &str) -> String {
    let escaped = escape::control(message);
    match escaped.char_indices().nth(TITLE_CHARS) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped.into_owned(),
    }
}

/// The window of the one line a span starts on, as the source miette renders.
#[derive(Debug)]
struct SourceLine {
    name: String,
    /// The window, escaped.
    text: String,
    /// 0-based line and column (in characters) of the span in the file.
    line: usize,
    column: usize,
    /// The span, in bytes of `text`.
    span: Range<usize>,
}

impl SourceLine {
    fn around(name: String, text: &str, span: Range<usize>) -> SourceLine {
        let start = floor_boundary(text, span.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_text = text[line_start..line_end]
            .strip_suffix('\r')
            .unwrap_or(&text[line_start..line_end]);
        let end = floor_boundary(text, span.end.clamp(start, line_start + line_text.len()));
        let column = text[line_start..start].chars().count();
        let width = text[start..end].chars().count();
        let line_number = text.as_bytes()[..line_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let cut = excerpt(line_text, column, width, WINDOW_CHARS);
        let byte_of = |chars: usize| {
            cut.text
                .char_indices()
                .nth(chars)
                .map_or(cut.text.len(), |(i, _)| i)
        };
        let span_start = byte_of(cut.start);
        let span_end = if width == 0 {
            span_start
        } else {
            byte_of(cut.start + cut.width)
        };
        SourceLine {
            name,
            text: cut.text,
            line: line_number,
            column,
            span: span_start..span_end,
        }
    }
}

impl SourceCode for SourceLine {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            (0, self.text.len()).into(),
            self.line,
            self.column,
            1,
        )))
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use stretchdr_model::LoadError;

    use super::{SourceLine, load_error};

    #[test]
    fn a_long_line_is_cut_around_the_span() {
        let text: Arc<str> = format!("a = 1\nx = \"{}\" garbage\n", "A".repeat(70_000)).into();
        let at = text.find("garbage").unwrap();
        let line = SourceLine::around("t.toml".into(), &text, at..at + 7);
        assert_eq!(line.line, 1);
        assert_eq!(line.column, 70_007);
        assert!(line.text.chars().count() <= 122, "{}", line.text.len());
        assert_eq!(&line.text[line.span.clone()], "garbage");
        let error = LoadError::at(Path::new("t.toml"), &text, at..at + 7, "unexpected key");
        let shown = format!("{:?}", load_error(error));
        assert!(shown.contains("t.toml:2:70008"), "{shown}");
        assert!(shown.len() < 2_000, "{}", shown.len());
    }

    #[test]
    fn escapes_in_the_line_are_shown_not_obeyed() {
        let text: Arc<str> = "name = \"\u{1b}]0;pwned\u{7}\" x".into();
        let at = text.rfind('x').unwrap();
        let error = LoadError::at(Path::new("t.toml"), &text, at..at + 1, "bad \u{1b}[2J");
        let shown = format!("{:?}", load_error(error));
        assert!(!shown.contains('\u{7}'), "{shown:?}");
        assert!(shown.contains("\\u{1b}]0;pwned"), "{shown}");
        assert!(shown.contains("bad \\u{1b}[2J"), "{shown}");
    }
}
