//! The lexical layer of the fast reader: whitespace, comments, keys and scalars, read from
//! a position in the text. Whatever falls outside the subset the fast reader takes (see
//! [`super`]) is a [`Bail`], never a guess.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

/// "Not for the fast reader": the text is not TOML, or uses TOML the fast reader leaves to
/// the `toml` crate. Also the serde error type of the reader, whose messages nobody reads:
/// the whole parse reports errors.
#[derive(Debug)]
pub struct Bail;

impl fmt::Display for Bail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to the full TOML parser")
    }
}

impl std::error::Error for Bail {}

impl serde::de::Error for Bail {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Bail
    }
}

pub type Read<T> = Result<T, Bail>;

/// A number, string or boolean as written, decoded.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// A position in `text`, reading no further than the end of a range.
#[derive(Clone)]
pub struct Cursor<'a> {
    pub text: &'a str,
    /// The bytes of `text` up to the end of the range.
    bytes: &'a [u8],
    pub pos: usize,
    /// Arrays and inline tables open around the position.
    depth: usize,
}

/// Arrays and inline tables nested deeper than this are left to the full parser: serde
/// reads a nested value by recursion (a `[slo]` value may be any TOML).
pub const MAX_DEPTH: usize = 32;

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str, range: Range<usize>) -> Cursor<'a> {
        Cursor {
            text,
            bytes: &text.as_bytes()[..range.end],
            pos: range.start,
            depth: 0,
        }
    }

    /// Enters an array or inline table; bails past [`MAX_DEPTH`].
    pub fn enter(&mut self) -> Read<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        Ok(())
    }

    /// Leaves what [`Cursor::enter`] entered.
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// Consumes `byte` or bails.
    pub fn expect(&mut self, byte: u8) -> Read<()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    pub fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    /// A comment, if one starts here, up to (not including) its newline. TOML allows no
    /// control character in a comment but the tab.
    fn skip_comment(&mut self) -> Read<()> {
        if self.peek() != Some(b'#') {
            return Ok(());
        }
        let rest = &self.bytes()[self.pos..];
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let mut comment = &rest[..len];
        if len < rest.len() {
            comment = comment.strip_suffix(b"\r").unwrap_or(comment);
        }
        if comment.iter().any(|&b| is_control(b)) {
            return Err(Bail);
        }
        self.pos += comment.len();
        Ok(())
    }

    /// A newline (`\n` or `\r\n`), if one is here.
    fn newline(&mut self) -> bool {
        match (self.peek(), self.peek_at(1)) {
            (Some(b'\n'), _) => self.pos += 1,
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            _ => return false,
        }
        true
    }

    /// The end of a line: spaces, a comment, then a newline or the end of the text.
    pub fn line_end(&mut self) -> Read<()> {
        self.skip_spaces();
        self.skip_comment()?;
        if self.at_end() || self.newline() {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// Spaces, comments and newlines: what may sit between lines, and between the
    /// elements of an array.
    pub fn skip_blank(&mut self) -> Read<()> {
        loop {
            self.skip_spaces();
            self.skip_comment()?;
            if !self.newline() {
                return Ok(());
            }
        }
    }

    /// A key and its span: bare, `"basic"` or `'literal'`. A dotted key is not taken: the
    /// caller bails on the `.` that follows.
    pub fn key(&mut self) -> Read<(Cow<'a, str>, Range<usize>)> {
        let start = self.pos;
        let key = match self.peek() {
            Some(b'"') => self.basic_string()?,
            Some(b'\'') => self.literal_string()?,
            Some(b) if is_bare(b) => {
                let len = self.bytes[start..]
                    .iter()
                    .position(|&b| !is_bare(b))
                    .unwrap_or(self.bytes.len() - start);
                self.pos += len;
                Cow::Borrowed(&self.text[start..self.pos])
            }
            _ => return Err(Bail),
        };
        Ok((key, start..self.pos))
    }

    /// `key =` with the spaces around the `=`; the cursor is left at the value.
    pub fn key_and_equals(&mut self) -> Read<(Cow<'a, str>, Range<usize>)> {
        let key = self.key()?;
        self.skip_spaces();
        self.expect(b'=')?;
        self.skip_spaces();
        Ok(key)
    }

    /// A string, integer, float or boolean.
    pub fn scalar(&mut self) -> Read<Scalar<'a>> {
        match self.peek() {
            Some(b'"') => self.basic_string().map(Scalar::Str),
            Some(b'\'') => self.literal_string().map(Scalar::Str),
            Some(b't') => self.word("true").map(|()| Scalar::Bool(true)),
            Some(b'f') => self.word("false").map(|()| Scalar::Bool(false)),
            Some(b'+' | b'-' | b'0'..=b'9') => self.number(),
            _ => Err(Bail),
        }
    }

    fn word(&mut self, word: &str) -> Read<()> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A `"basic string"` on one line. A `"""` opener reads as the empty string followed by
    /// a quote, on which the caller bails.
    fn basic_string(&mut self) -> Read<Cow<'a, str>> {
        self.expect(b'"')?;
        let start = self.pos;
        let bytes = self.bytes();
        loop {
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Borrowed(&self.text[start..self.pos - 1]));
                }
                Some(b'\\') => break,
                Some(&b) if is_control(b) => return Err(Bail),
                Some(_) => self.pos += 1,
                None => return Err(Bail),
            }
        }
        let mut out = String::from(&self.text[start..self.pos]);
        loop {
            let segment = self.pos;
            while let Some(&b) = bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || is_control(b) {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[segment..self.pos]);
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                _ => return Err(Bail),
            }
        }
    }

    /// The character of an escape, after its backslash. Only TOML 1.0's escapes; the
    /// newer `\e` and `\xHH` are left to the full parser.
    fn escape(&mut self) -> Read<char> {
        let code = self.peek().ok_or(Bail)?;
        self.pos += 1;
        Ok(match code {
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'"' => '"',
            b'\\' => '\\',
            b'u' => self.unicode(4)?,
            b'U' => self.unicode(8)?,
            _ => return Err(Bail),
        })
    }

    fn unicode(&mut self, digits: usize) -> Read<char> {
        let hex = self.text.get(self.pos..self.pos + digits).ok_or(Bail)?;
        if self.pos + digits > self.bytes.len() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Bail);
        }
        self.pos += digits;
        let code = u32::from_str_radix(hex, 16).map_err(|_| Bail)?;
        char::from_u32(code).ok_or(Bail)
    }

    /// A `'literal string'` on one line.
    fn literal_string(&mut self) -> Read<Cow<'a, str>> {
        self.expect(b'\'')?;
        let start = self.pos;
        let bytes = self.bytes();
        loop {
            match bytes.get(self.pos) {
                Some(b'\'') => {
                    self.pos += 1;
                    return Ok(Cow::Borrowed(&self.text[start..self.pos - 1]));
                }
                Some(&b) if is_control(b) => return Err(Bail),
                Some(_) => self.pos += 1,
                None => return Err(Bail),
            }
        }
    }

    /// A decimal integer or float. Hexadecimal, octal and binary integers, `inf`, `nan`
    /// and dates (which also start with digits) are left to the full parser.
    fn number(&mut self) -> Read<Scalar<'a>> {
        let start = self.pos;
        let bytes = self.bytes();
        while bytes
            .get(self.pos)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'+' | b'-' | b'.'))
        {
            self.pos += 1;
        }
        let token = &bytes[start..self.pos];
        let mut at = usize::from(matches!(token.first(), Some(b'+' | b'-')));
        let int_digits = digits(&token[at..]).ok_or(Bail)?;
        // No leading zeros: `0` alone or a digit 1-9 first.
        if token[at] == b'0' && int_digits > 1 {
            return Err(Bail);
        }
        at += int_digits;
        let mut float = false;
        if token.get(at) == Some(&b'.') {
            at += 1 + digits(&token[at + 1..]).ok_or(Bail)?;
            float = true;
        }
        if matches!(token.get(at), Some(b'e' | b'E')) {
            at += 1;
            at += usize::from(matches!(token.get(at), Some(b'+' | b'-')));
            at += digits(&token[at..]).ok_or(Bail)?;
            float = true;
        }
        if at != token.len() {
            return Err(Bail);
        }
        let plain: String = self.text[start..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        if float {
            plain.parse().map(Scalar::Float).map_err(|_| Bail)
        } else {
            plain.parse().map(Scalar::Int).map_err(|_| Bail)
        }
    }

    /// The end of the array or inline table that starts here, found by matching brackets
    /// outside strings and comments, without decoding it.
    pub fn compound_end(&self) -> Read<usize> {
        let bytes = self.bytes();
        let mut at = self.pos;
        let mut depth = 0usize;
        while let Some(&b) = bytes.get(at) {
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth = depth.checked_sub(1).ok_or(Bail)?;
                    if depth == 0 {
                        return Ok(at + 1);
                    }
                }
                b'"' | b'\'' => {
                    if bytes[at..].starts_with(&[b, b, b]) {
                        return Err(Bail);
                    }
                    at += 1;
                    while let Some(&c) = bytes.get(at) {
                        if c == b {
                            break;
                        }
                        if c == b'\n' {
                            return Err(Bail);
                        }
                        // A backslash escapes the next byte in a basic string only.
                        at += if c == b'\\' && b == b'"' { 2 } else { 1 };
                    }
                }
                b'#' => {
                    while bytes.get(at).is_some_and(|&c| c != b'\n') {
                        at += 1;
                    }
                    continue;
                }
                _ => {}
            }
            at += 1;
        }
        Err(Bail)
    }
}

/// How many bytes of digits, with single underscores between digits, `token` starts with;
/// `None` when it starts with none or an underscore is misplaced.
fn digits(token: &[u8]) -> Option<usize> {
    let mut len = 0;
    while let Some(&b) = token.get(len) {
        let separator = b == b'_' && len > 0 && token.get(len + 1).is_some_and(u8::is_ascii_digit);
        if !b.is_ascii_digit() && !separator {
            break;
        }
        len += 1;
    }
    (len > 0).then_some(len)
}

fn is_bare(b: u8) -> bool {
    BARE[b as usize]
}

/// [`is_bare`] as a table: one load a byte (the first pass and the decoding read some
/// 500,000 keys of a 20,000-VM design).
static BARE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    table
};

/// A control character TOML allows in no string or comment (all but the tab).
fn is_control(b: u8) -> bool {
    (b < 0x20 && b != b'\t') || b == 0x7f
}

#[cfg(test)]
mod tests {
    use super::{Cursor, Scalar};

    fn scalar(text: &str) -> Option<Scalar<'_>> {
        let mut cursor = Cursor::new(text, 0..text.len());
        let value = cursor.scalar().ok()?;
        cursor.at_end().then_some(value)
    }

    #[test]
    fn numbers_as_toml_reads_them() {
        assert_eq!(scalar("0"), Some(Scalar::Int(0)));
        assert_eq!(scalar("-17"), Some(Scalar::Int(-17)));
        assert_eq!(scalar("+1_000"), Some(Scalar::Int(1000)));
        assert_eq!(scalar("1.5e-3"), Some(Scalar::Float(0.0015)));
        assert_eq!(scalar("0e5"), Some(Scalar::Float(0.0)));
        assert_eq!(scalar("-0.5"), Some(Scalar::Float(-0.5)));
        for left in [
            "01",
            "1__0",
            "_1",
            "1_",
            "1.",
            ".5",
            "1e",
            "0x10",
            "inf",
            "nan",
            "1979-05-27",
            "07:32:00",
            "9223372036854775808",
            "1.5.2",
        ] {
            assert_eq!(scalar(left), None, "{left}");
        }
    }

    #[test]
    fn strings_with_and_without_escapes() {
        assert_eq!(scalar("\"a b\""), Some(Scalar::Str("a b".into())));
        assert_eq!(
            scalar(r#""tab\there \u00e9 \"q\"""#),
            Some(Scalar::Str("tab\there é \"q\"".into()))
        );
        assert_eq!(scalar(r"'C:\dir'"), Some(Scalar::Str(r"C:\dir".into())));
        for left in [
            "\"a\nb\"",
            "\"\\e\"",
            "\"\\x41\"",
            "\"\\ud800\"",
            "\"open",
            "'a\u{7f}'",
        ] {
            assert_eq!(scalar(left), None, "{left:?}");
        }
    }

    #[test]
    fn compound_ends_skip_strings_and_comments() {
        let text = "[\"]\", '[', # ]\n {a = \"}\"}] tail";
        let cursor = Cursor::new(text, 0..text.len());
        assert_eq!(cursor.compound_end().ok(), Some(text.len() - " tail".len()));
        let triple = "[\"\"\"a\"\"\"]";
        assert!(Cursor::new(triple, 0..triple.len()).compound_end().is_err());
    }
}
