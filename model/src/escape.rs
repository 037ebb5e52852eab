//! Text from inputs, made safe to show: every human output, report and error passes names,
//! messages and quoted lines through here.
//!
//! A name in a design or an engine may hold anything: an ANSI or OSC escape sequence sets
//! the terminal's title or clears the screen, a newline forges a finding line, a NUL or
//! a bidirectional override hides text. Each such character is shown as a visible escape
//! (`\u{1b}`, `\n`), never sent raw. Quotes of input are cut to a short window, so an error
//! never prints a whole file.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal or a report raw: C0 and C1 control characters,
/// DEL, the line and paragraph separators, and the bidirectional embeddings, overrides
/// and isolates (which reorder what a reader sees).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every character of [`is_unsafe`] replaced by a visible escape: `\n`, `\r`,
/// `\t`, `\\u{1b}`. Borrowed when nothing needs escaping, as for almost all text.
pub fn control(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`control`] for text whose line breaks are the output's own business (a GitHub
/// annotation encodes them as `%0A`): `\n` and `\r` are kept, every other unsafe character
/// escaped.
pub fn multiline(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_unsafe(c) && c != '\n' && c != '\r';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `c`, escaped when [`is_unsafe`].
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        c => out.push(c),
    }
}

/// Whether XML 1.0 allows `c` in a document (its `Char` production).
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// `text` for XML text or an attribute value: `& < > " '` escaped, tab and line endings as
/// character references (an attribute keeps them), and characters XML forbids (NUL, the
/// other C0 controls, U+FFFE/U+FFFF) or a terminal would obey (C1, bidi controls) replaced by
/// their visible escape, so the document stays well-formed and shows what was there.
pub fn xml(text: &str) -> Cow<'_, str> {
    let plain =
        |c: char| xml_allowed(c) && !is_unsafe(c) && !matches!(c, '&' | '<' | '>' | '"' | '\'');
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if plain(c) => out.push(c),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// A quote of input for a message: `"value"`, escaped, cut to `max_chars` characters
/// with `…` when longer, so an error about a million-character value stays one line.
pub fn quote(text: &str, max_chars: usize) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars();
    for c in chars.by_ref().take(max_chars) {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => push_escaped(&mut out, c),
        }
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

/// `text` escaped as [`control`] does and cut to `max_chars` characters with `…`: input
/// shown inside a message without quotes.
pub fn clip(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(max_chars) {
        push_escaped(&mut out, c);
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// The longest message an error carries, in characters.
pub const MESSAGE_CHARS: usize = 1_000;

/// A message safe and short whatever it quotes: control characters escaped, every run of
/// more than [`QUOTE_CHARS`] characters without white space (a parser quoting a hostile
/// name or value whole) cut with `…`, and the whole at most [`MESSAGE_CHARS`].
pub fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MESSAGE_CHARS + 8));
    let mut run = 0usize;
    let mut shown = 0usize;
    for c in text.chars() {
        if shown >= MESSAGE_CHARS {
            out.push('…');
            break;
        }
        if c == ' ' {
            run = 0;
        } else {
            run += 1;
            if run > QUOTE_CHARS {
                if run == QUOTE_CHARS + 1 {
                    out.push('…');
                    shown += 1;
                }
                continue;
            }
        }
        push_escaped(&mut out, c);
        shown += 1;
    }
    out
}

/// The longest quote of input an error shows, in characters.
pub const QUOTE_CHARS: usize = 80;

/// A short window of one source line around a span, escaped, for showing under an error
/// or a finding; `start` and `width` locate the span in `text`, in characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    /// Characters of `text` before the span.
    pub start: usize,
    /// Characters of `text` the span covers (at least 1).
    pub width: usize,
}

/// The window of at most about `max` characters of `line` around the span that starts
/// `start` characters into the line and is `width` characters wide; `…` marks what was
/// cut, and unsafe characters are escaped (the span moves with them).
pub fn excerpt(line: &str, start: usize, width: usize, max: usize) -> Excerpt {
    let max = max.max(8);
    let count = line.chars().count();
    let start = start.min(count);
    let (lo, hi) = if count <= max {
        (0, count)
    } else {
        let lo = start.saturating_sub(max / 3);
        let hi = (lo + max).min(count);
        (hi.saturating_sub(max).min(lo), hi)
    };
    let end = start.saturating_add(width.max(1)).min(hi.max(start));
    let mut text = String::new();
    let mut out_chars = 0usize;
    let mut at_start = None;
    let mut at_end = None;
    if lo > 0 {
        text.push('…');
        out_chars += 1;
    }
    for (i, c) in line.chars().enumerate().skip(lo).take(hi - lo) {
        if i == start {
            at_start = Some(out_chars);
        }
        if i == end {
            at_end = Some(out_chars);
        }
        let before = text.len();
        push_escaped(&mut text, c);
        out_chars += text[before..].chars().count();
    }
    let span_start = at_start.unwrap_or(out_chars);
    let span_end = at_end.unwrap_or(out_chars);
    if hi < count {
        text.push('…');
    }
    Excerpt {
        text,
        start: span_start,
        width: span_end.saturating_sub(span_start).max(1),
    }
}

#[cfg(test)]
mod tests {
    use super::{clip, control, excerpt, message, multiline, quote, xml};

    #[test]
    fn terminal_escapes_are_made_visible() {
        assert_eq!(control("web-01"), "web-01");
        assert_eq!(
            control("a\u{1b}]0;pwned\u{7}\nerror[AA001]: forged\0"),
            "a\\u{1b}]0;pwned\\u{7}\\nerror[AA001]: forged\\u{0}"
        );
        assert_eq!(control("\u{9b}2J\u{202e}"), "\\u{9b}2J\\u{202e}");
        assert_eq!(multiline("a\nb\u{1b}[2J"), "a\nb\\u{1b}[2J");
    }

    #[test]
    fn xml_text_is_well_formed() {
        assert_eq!(xml("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml("x\0y\u{1b}[2J\n"), "x\\u{0}y\\u{1b}[2J&#10;");
        assert_eq!(xml("\u{fffe}"), "\\u{fffe}");
    }

    #[test]
    fn messages_cut_long_runs_and_stay_short() {
        assert_eq!(message("unknown field `site`"), "unknown field `site`");
        let long = format!("unknown field `{}`, expected one of", "A".repeat(5_000));
        let cut = message(&long);
        assert!(cut.len() < 200, "{cut}");
        assert!(cut.ends_with("A… expected one of"), "{cut}");
        assert!(message(&"a ".repeat(10_000)).chars().count() <= 1_001);
        assert_eq!(message("a\u{1b}[2J"), "a\\u{1b}[2J");
    }

    #[test]
    fn clips_are_short_and_escaped() {
        assert_eq!(clip("&nbsp;", 80), "&nbsp;");
        assert_eq!(clip("ab\ncd", 3), "ab\\n…");
    }

    #[test]
    fn quotes_are_short_and_escaped() {
        assert_eq!(quote("abc", 10), "\"abc\"");
        assert_eq!(quote("a\"b\n", 10), "\"a\\\"b\\n\"");
        let long = "x".repeat(1_000_000);
        assert_eq!(quote(&long, 5), "\"xxxxx…\"");
    }

    #[test]
    fn excerpt_cuts_around_the_span() {
        let short = excerpt("name = \"a\"", 7, 3, 100);
        assert_eq!(
            (short.text.as_str(), short.start, short.width),
            ("name = \"a\"", 7, 3)
        );
        let line = format!("x = \"{}\" garbage", "A".repeat(70_000));
        let cut = excerpt(&line, 70_007, 1, 120);
        assert!(cut.text.chars().count() <= 122, "{}", cut.text.len());
        assert!(cut.text.starts_with('…'));
        assert_eq!(cut.text.chars().nth(cut.start), Some('g'));
        let escaped = excerpt("a\u{1b}b", 2, 1, 100);
        assert_eq!(escaped.text, "a\\u{1b}b");
        assert_eq!(escaped.text.chars().nth(escaped.start), Some('b'));
        let at_end = excerpt("abc", 3, 0, 100);
        assert_eq!((at_end.start, at_end.width), (3, 1));
    }
}
