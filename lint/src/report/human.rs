//! The report for people: rustc/miette style, with the source line and a caret under it.

use std::collections::HashMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use stretchdr_model::escape::{control, excerpt};
use stretchdr_model::{FileId, Inventory, SourceMap};

use crate::finding::{Finding, Level};

/// The most characters of a source line shown under a finding.
const SOURCE_WINDOW: usize = 120;

/// How many findings of one rule the human report shows in full; the rest are counted in one
/// line (`... and 12 more AA004 findings`), unless the report is verbose.
pub const FINDINGS_SHOWN_PER_RULE: usize = 5;

/// How the human report is written.
#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    /// ANSI colour.
    pub color: bool,
    /// Every finding in full, however many one rule has.
    pub verbose: bool,
}

/// Renders findings with the source line each points at; ANSI colour only when `color`.
/// More than [`FINDINGS_SHOWN_PER_RULE`] findings of one rule are counted after the first ones
/// (see [`human_with`] for every finding). [`crate::report::summary_line`] gives the line to
/// print after them.
pub fn human(findings: &[Finding], inventory: &Inventory, color: bool) -> String {
    human_sources(findings, &inventory.sources, color)
}

/// [`human`] for findings whose origins point into `sources` (a mapping check's files).
pub fn human_sources(findings: &[Finding], sources: &SourceMap, color: bool) -> String {
    let options = HumanOptions {
        color,
        verbose: false,
    };
    human_with(findings, sources, options)
}

/// The human report of findings whose origins point into `sources`, as `options` say.
pub fn human_with(findings: &[Finding], sources: &SourceMap, options: HumanOptions) -> String {
    let mut per_rule: HashMap<&str, usize> = HashMap::new();
    for finding in findings {
        *per_rule.entry(finding.code).or_default() += 1;
    }
    let mut shown: HashMap<&str, usize> = HashMap::new();
    let mut out = String::new();
    let mut lines = LineIndex::default();
    for finding in findings {
        let total = per_rule[finding.code];
        let count = shown.entry(finding.code).or_default();
        if options.verbose || total <= FINDINGS_SHOWN_PER_RULE {
            render(&mut out, finding, sources, &mut lines, options.color);
            continue;
        }
        if *count == FINDINGS_SHOWN_PER_RULE {
            continue;
        }
        render(&mut out, finding, sources, &mut lines, options.color);
        *count += 1;
        if *count == FINDINGS_SHOWN_PER_RULE {
            let more = total - FINDINGS_SHOWN_PER_RULE;
            let _ = writeln!(
                out,
                "... and {more} more {} finding{} (use --verbose to list all)\n",
                finding.code,
                if more == 1 { "" } else { "s" }
            );
        }
    }
    out
}

/// One finding: its message, where it is, the source line with the key (or table) it points
/// at underlined, and its help. Each finding is written whole, whatever line it shares with
/// another.
fn render(
    out: &mut String,
    finding: &Finding,
    sources: &SourceMap,
    lines: &mut LineIndex,
    color: bool,
) {
    let paint = |style: Style, text: &str| {
        if color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    };
    let bold = Style::new().bold();
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into())).bold();
    let level_style = Style::new()
        .fg_color(Some(
            match finding.level {
                Level::Error => AnsiColor::Red,
                Level::Warning => AnsiColor::Yellow,
                Level::Note => AnsiColor::Cyan,
            }
            .into(),
        ))
        .bold();
    let _ = writeln!(
        out,
        "{}{} {}",
        paint(level_style, &format!("{}[{}]", finding.level, finding.code)),
        paint(bold, ":"),
        paint(bold, &control(&finding.message))
    );
    let source = finding.span().and_then(|origin| {
        let text = &sources.file(origin.file).text;
        let line = lines.line(sources, origin.file, origin.line)?;
        Some((origin, line, text))
    });
    let shown_line = source.as_ref().map(|(origin, _, _)| origin.line);
    let gutter = shown_line
        .or(finding.line)
        .map_or(1, |l| l.to_string().len());
    let pad = " ".repeat(gutter);
    if let (Some(file), Some(line)) = (&finding.file, finding.line) {
        let _ = writeln!(out, "{pad}{} {}:{line}", paint(blue, "-->"), control(file));
    }
    if let Some((origin, line_text, text)) = source {
        let (start, width) =
            underline(text, origin.offset as usize, origin.len as usize, line_text);
        // A window of the line, escaped: a minified file's line is cut around the span.
        let shown = excerpt(line_text, start, width, SOURCE_WINDOW);
        let (line_text, start, width) = (shown.text, shown.start, shown.width);
        let _ = writeln!(out, "{pad} {}", paint(blue, "|"));
        let _ = writeln!(
            out,
            "{} {} {line_text}",
            paint(blue, &origin.line.to_string()),
            paint(blue, "|")
        );
        let _ = writeln!(
            out,
            "{pad} {} {}{}",
            paint(blue, "|"),
            " ".repeat(start),
            paint(level_style, &"^".repeat(width))
        );
    }
    let _ = writeln!(
        out,
        "{pad} {} help: {}",
        paint(blue, "="),
        control(&finding.help)
    );
    out.push('\n');
}

/// The start of every line of each file, built the first time a finding points into it, so
/// the report takes time linear in the findings and the files (not findings times file size).
#[derive(Default)]
struct LineIndex {
    starts: HashMap<FileId, Vec<usize>>,
}

impl LineIndex {
    /// Line `line` (1-based) of a file, without its line ending.
    fn line<'a>(&mut self, sources: &'a SourceMap, file: FileId, line: u32) -> Option<&'a str> {
        let text: &'a str = &sources.file(file).text;
        let starts = self.starts.entry(file).or_insert_with(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let start = *starts.get(line.checked_sub(1)? as usize)?;
        if start >= text.len() && start > 0 {
            return None;
        }
        let end = starts
            .get(line as usize)
            .map_or(text.len(), |next| next - 1);
        Some(
            text[start..end]
                .strip_suffix('\r')
                .unwrap_or(&text[start..end]),
        )
    }
}

/// Column (in characters) and width of the caret under `line_text` for the span
/// `offset..offset + len` of `text`; the whole line's content when the span is unknown.
fn underline(text: &str, offset: usize, len: usize, line_text: &str) -> (usize, usize) {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let content_start = line_text.len() - line_text.trim_start().len();
    let content_width = line_text.trim().chars().count().max(1);
    let Some(column) = text.get(line_start..offset).map(|s| s.chars().count()) else {
        return (content_start, content_width);
    };
    let rest = line_text.chars().count().saturating_sub(column);
    if len == 0 || rest == 0 {
        return (content_start, content_width);
    }
    let span_chars = text
        .get(offset..(offset + len).min(text.len()))
        .map_or(len, |s| s.chars().count());
    (column, span_chars.min(rest).max(1))
}
