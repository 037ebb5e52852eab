//! The mapping file as YAML: a tree of nodes, each with its byte range and tag, read with
//! serde-saphyr (merge keys expanded, aliases resolved, `!vault` tags kept).
//!
//! The typed [`super::Mapping`] is built from this tree in a second stage, so that wrong
//! types point at the value's line and keys the role never reads are kept for AP012 rather
//! than rejected.

use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned, Tagged};

/// A YAML node with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    /// The node's explicit tag (`!vault`), if any.
    pub tag: Option<String>,
    /// Byte range in the file: where the node is used (for a merged key, the `<<` entry).
    pub span: Range<usize>,
}

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Keys in file order (merged keys after the mapping's own ones).
    Map(Vec<(Key, Node)>),
}

/// A mapping key and its byte range.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Range<usize>,
}

impl Value {
    /// What the value is, for "expected ..., found ..." messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// Parses a YAML document into a node tree; an empty document is `Null`.
///
/// The error is the parser's message and the byte offset it points at.
pub fn parse(text: &str) -> Result<Node, (String, usize)> {
    let options = serde_saphyr::options! { with_snippet: false };
    match serde_saphyr::from_str_with_options::<Spanned<Tagged<Raw>>>(text, options) {
        Ok(root) => Ok(node(text, root)),
        Err(error) => {
            let offset = error
                .location()
                .map_or(0, |location| byte_offset(text, &location));
            Err((message(&error.without_snippet().to_string()), offset))
        }
    }
}

/// The parser's message without the location it appends (the caller adds file:line).
fn message(text: &str) -> String {
    match text.rfind(" at line ") {
        Some(end) => text[..end].to_string(),
        None => text.to_string(),
    }
}

/// The byte offset of a location: the parser's when it has one, else from line and column.
fn byte_offset(text: &str, location: &Location) -> usize {
    if let Some(offset) = location.span().byte_offset() {
        return usize::try_from(offset)
            .unwrap_or(text.len())
            .min(text.len());
    }
    let line = usize::try_from(location.line()).unwrap_or(1).max(1);
    let column = usize::try_from(location.column()).unwrap_or(1).max(1);
    let line_start = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>()
        .min(text.len());
    let in_line = text[line_start..]
        .char_indices()
        .nth(column - 1)
        .map_or(0, |(i, _)| i);
    line_start + in_line
}

fn span(text: &str, location: &Location) -> Range<usize> {
    let start = byte_offset(text, location);
    let len = location
        .span()
        .byte_len()
        .and_then(|len| usize::try_from(len).ok())
        .unwrap_or(0);
    start..(start + len).min(text.len()).max(start)
}

fn node(text: &str, raw: Spanned<Tagged<Raw>>) -> Node {
    let Tagged(value, tag) = raw.value;
    let value = match value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(f) => Value::Float(f),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|item| node(text, item)).collect()),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(key, item)| {
                    let key = Key {
                        span: span(text, &key.referenced),
                        name: key.value,
                    };
                    (key, node(text, item))
                })
                .collect(),
        ),
    };
    Node {
        value,
        tag,
        span: span(text, &raw.referenced),
    }
}

/// What serde-saphyr hands over, before spans are turned into byte ranges.
enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Tagged<Raw>>>),
    Map(Vec<(Spanned<String>, Spanned<Tagged<Raw>>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Raw, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Raw, D::Error> {
        Raw::deserialize(deserializer)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Raw, E> {
        i64::try_from(v)
            .map(Raw::Int)
            .map_err(|_| E::custom("integer too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
}
