//! The keys a loader accepts, read from the loader's own serde structs, and the nearest known
//! name to a misspelt one ("did you mean `lease`?").
//!
//! The raw structs of each loader (`#[serde(deny_unknown_fields)]`) are the one list of the
//! keys it accepts: [`fields_of`] asks serde for a struct's field names, so the documentation
//! test and the error messages read the very list the loader enforces.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::error::LoadError;
use crate::mapping::keys::levenshtein;

/// The names of the fields (TOML keys, after renames) of a struct deriving `Deserialize`.
///
/// A derived `Deserialize` hands its field list to `deserialize_struct`; this deserializer
/// records the list and stops there. Empty for a type that is not a struct with named fields.
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

/// A deserializer that only records the fields a struct asks for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

/// The error [`FieldNames`] ends every deserialization with.
#[derive(Debug)]
struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<M: fmt::Display>(_: M) -> Stop {
        Stop
    }
}

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = fields;
        Err(Stop)
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// The known name nearest to `word`: the same name in another case, the one name the word
/// starts (4 characters or more), or the one fewest edits away (Levenshtein) within a third of
/// the word's length (at least 2 edits); `None` when
/// nothing is that close, or when two names are (`site-x`: `site-a` or `site-b`?).
pub fn closest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).max(2);
    // The nearest name, and whether another is as near: then neither is suggested.
    let mut best: Option<(usize, &'a str, bool)> = None;
    for candidate in known {
        if candidate == word {
            continue;
        }
        let candidate_lower = candidate.to_ascii_lowercase();
        let distance = if candidate_lower == lower {
            0
        } else if lower.len() >= 4 && candidate_lower.starts_with(&lower) {
            // A word cut short (`vds_refresh` for `vds_refresh_rate`) is one edit away.
            1
        } else {
            levenshtein(&lower, &candidate_lower)
        };
        if distance > limit {
            continue;
        }
        best = match best {
            Some((d, name, _)) if d == distance && name != candidate => Some((d, name, true)),
            Some((d, _, _)) if d <= distance => best,
            _ => Some((distance, candidate, false)),
        };
    }
    best.filter(|&(_, _, tied)| !tied).map(|(_, name, _)| name)
}

/// `did you mean `X`? ` (with the trailing space) when a known name is close to `word`, else
/// nothing: to put in front of the list of what was expected.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, known).map_or(String::new(), |name| format!("did you mean `{name}`? "))
}

/// A TOML deserialization error of `path` as a [`LoadError`] at its place, worded for the
/// reader of a TOML file: TOML's type names rather than Rust's, and for an unknown key or
/// value, the known one it most likely meant.
pub fn toml_error(path: &Path, text: &Arc<str>, error: &toml::de::Error) -> LoadError {
    let message = toml_message(error.message());
    match error.span() {
        Some(span) => LoadError::at(path, text, span, message),
        None => LoadError::file(path, message),
    }
}

/// [`toml_error`]'s wording of a serde message.
pub fn toml_message(message: &str) -> String {
    let message = message
        .trim_end()
        .replace("expected i64", "expected an integer")
        .replace("expected u64", "expected a whole number, 0 or more")
        .replace("expected f64", "expected a number");
    for (prefix, what) in [("unknown field `", "key"), ("unknown variant `", "value")] {
        let Some(rest) = message.strip_prefix(prefix) else {
            continue;
        };
        let Some((word, expected)) = rest.split_once('`') else {
            continue;
        };
        let known = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .collect::<Vec<&str>>();
        let expected = expected.trim_start_matches(',').trim();
        return format!(
            "unknown {what} `{word}`: {}{expected}",
            did_you_mean(word, known)
        );
    }
    message
}

/// The span of `key = value` for a value at `value` of `text`: the key written before the
/// value (a bare, quoted or dotted key), found by reading back from the value over the `=`.
/// Only the value's span when what precedes it is not a key (an element of an array).
pub fn key_span(text: &str, value: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let mut at = value.start.min(bytes.len());
    let skip_blanks = |mut at: usize| {
        while at > 0 && matches!(bytes[at - 1], b' ' | b'\t') {
            at -= 1;
        }
        at
    };
    at = skip_blanks(at);
    if at == 0 || bytes[at - 1] != b'=' {
        return value;
    }
    at = skip_blanks(at - 1);
    let end = at;
    loop {
        match at.checked_sub(1).map(|i| bytes[i]) {
            Some(b'"' | b'\'') => {
                let quote = bytes[at - 1];
                match bytes[..at - 1].iter().rposition(|&b| b == quote) {
                    Some(open) => at = open,
                    None => return value,
                }
            }
            Some(b) if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.') => at -= 1,
            _ => break,
        }
    }
    if at == end { value } else { at..value.end }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::{closest, fields_of, key_span, toml_message};

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Table {
        name: String,
        #[serde(rename = "type")]
        kind: Option<String>,
        lease: Option<toml::Spanned<String>>,
    }

    #[test]
    fn fields_come_from_the_struct() {
        assert_eq!(fields_of::<Table>(), ["name", "type", "lease"]);
        assert!(fields_of::<String>().is_empty());
    }

    #[test]
    fn nearest_name() {
        let known = ["lease", "ha", "ha_priority", "resume_behaviour"];
        assert_eq!(closest("leas", known), Some("lease"));
        assert_eq!(closest("Lease", known), Some("lease"));
        assert_eq!(closest("resume_behavior", known), Some("resume_behaviour"));
        assert_eq!(closest("colour", known), None);
        assert_eq!(closest("resume", known), Some("resume_behaviour"));
        assert_eq!(closest("ha_p", known), Some("ha_priority"));
        assert_eq!(closest("site-x", ["site-a", "site-b"]), None);
        assert_eq!(closest("site-x", ["site-a", "site-a"]), Some("site-a"));
    }

    #[test]
    fn unknown_key_message_names_the_nearest() {
        let message =
            toml_message("unknown field `leas`, expected one of `name`, `lease`, `cpus`\n");
        assert_eq!(
            message,
            "unknown key `leas`: did you mean `lease`? expected one of `name`, `lease`, `cpus`"
        );
        assert_eq!(
            toml_message("unknown field `zzz`, expected `name`"),
            "unknown key `zzz`: expected `name`"
        );
        assert_eq!(
            toml_message("invalid type: expected i64"),
            "invalid type: expected an integer"
        );
    }

    #[test]
    fn key_before_a_value() {
        let text = "lease = \"d1\"\nhosts_rule = { enforcing = true }\n\"quoted key\"='x'\nvms = [\"a\"]\na.b=1";
        let span = |needle: &str| {
            let start = text.rfind(needle).unwrap();
            &text[key_span(text, start..start + needle.len())]
        };
        assert_eq!(span("\"d1\""), "lease = \"d1\"");
        assert_eq!(span("true"), "enforcing = true");
        assert_eq!(span("'x'"), "\"quoted key\"='x'");
        assert_eq!(span("\"a\""), "\"a\"");
        assert_eq!(span("1"), "a.b=1");
    }
}
