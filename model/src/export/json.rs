//! JSON responses into the generic [`Node`] tree.
//!
//! serde_json checks the syntax and reports errors with a line and column; it does not
//! give the position of values. Each object's byte range comes from a light scan of the
//! text for braces outside strings: serde visits objects in the order their `{` appear,
//! so the n-th object visited is the n-th `{` found by the scan.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::export::tree::{Builder, Entry, MAX_DEPTH, NONE, Str, SyntaxError, Tree};

/// Parses a JSON document (an object) into a tree whose root has an empty name.
pub fn parse_json(text: impl Into<Arc<str>>) -> Result<Tree, SyntaxError> {
    let text: Arc<str> = text.into();
    let builder = build(&text)?;
    Ok(builder.finish(Arc::clone(&text)))
}

fn build(text: &str) -> Result<Builder<'_>, SyntaxError> {
    let objects = object_spans(text);
    let visited = Cell::new(0);
    let tree = RefCell::new(Builder::new(text)?);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let seed = ValueSeed {
        objects: &objects,
        visited: &visited,
        tree: &tree,
        depth: 0,
    };
    let value = seed
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| syntax_error(text, &e))?;
    let mut tree = tree.into_inner();
    match value {
        // The first object visited is the top-level one: node 0.
        Value::Object(0) => {
            tree.nodes[0].name = Str::EMPTY;
            place_members(text, &mut tree, 0);
            Ok(tree)
        }
        _ => Err(SyntaxError {
            span: 0..text.len().min(1),
            message: "expected a JSON object at the top level".to_string(),
        }),
    }
}

/// A JSON value on its way into the tree: arrays are flattened into their parent.
enum Value {
    Null,
    Scalar(Str),
    /// The object's node.
    Object(u32),
    Array(Vec<Value>),
}

/// Adds `value` as children named `name` of `parent` (whose last child so far is `last`).
fn add_member(
    tree: &mut Builder<'_>,
    parent: u32,
    last: &mut u32,
    name: Str,
    value: Value,
) -> Result<(), SyntaxError> {
    match value {
        Value::Null => {}
        Value::Scalar(text) => {
            let span = tree.nodes[parent as usize].span();
            let child = tree.push(Entry::new(name, text, span))?;
            tree.link(parent, last, child);
        }
        Value::Object(child) => {
            tree.nodes[child as usize].name = name;
            tree.link(parent, last, child);
        }
        Value::Array(items) => {
            for item in items {
                add_member(tree, parent, last, name, item)?;
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy)]
struct ValueSeed<'a, 's> {
    objects: &'a [Range<usize>],
    visited: &'a Cell<usize>,
    tree: &'a RefCell<Builder<'s>>,
    depth: usize,
}

impl ValueSeed<'_, '_> {
    fn nested<E: serde::de::Error>(self) -> Result<Self, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!(
                "values nested deeper than {MAX_DEPTH} levels"
            )));
        }
        Ok(ValueSeed {
            depth: self.depth + 1,
            ..self
        })
    }

    fn scalar<E: serde::de::Error>(self, text: &str) -> Result<Value, E> {
        let mut tree = self.tree.borrow_mut();
        tree.str(text)
            .map(Value::Scalar)
            .map_err(|e| E::custom(e.message))
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        self.scalar(&v.to_string())
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        self.scalar(&v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        self.scalar(&v.to_string())
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        self.scalar(&v.to_string())
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        self.scalar(v)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let seed = self.nested()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(seed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde::de::Error;
        let seed = self.nested()?;
        let index = self.visited.get();
        self.visited.set(index + 1);
        let span = self.objects.get(index).cloned().unwrap_or(0..0);
        let node = self
            .tree
            .borrow_mut()
            .push(Entry::new(Str::EMPTY, Str::EMPTY, span))
            .map_err(|e| A::Error::custom(e.message))?;
        let mut last = NONE;
        while let Some(key) = map.next_key_seed(KeySeed { tree: self.tree })? {
            let value = map.next_value_seed(seed)?;
            add_member(&mut self.tree.borrow_mut(), node, &mut last, key, value)
                .map_err(|e| A::Error::custom(e.message))?;
        }
        Ok(Value::Object(node))
    }
}

/// A member's key, as a string of the tree.
struct KeySeed<'a, 's> {
    tree: &'a RefCell<Builder<'s>>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Str;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Str, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Str, E> {
        self.tree
            .borrow_mut()
            .str(v)
            .map_err(|e| E::custom(e.message))
    }
}

/// Byte ranges of all objects, in the order of their opening brace.
fn object_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => {
                open.push(spans.len());
                spans.push(i..text.len());
            }
            b'}' => {
                if let Some(span) = open.pop().and_then(|index| spans.get_mut(index)) {
                    span.end = i + 1;
                }
            }
            _ => {}
        }
    }
    spans
}

/// Points each scalar member at its key (`"memory": ...`) rather than at the enclosing
/// object, so an unreadable value is reported on its own line.
///
/// The keys are queued by name, so an object of 200,000 members is placed in one pass: each
/// scalar takes the first unused key of its name (an array of scalars has one key for all
/// its items; the first item gets it, the others keep the object's span).
fn place_members(text: &str, tree: &mut Builder<'_>, object: u32) {
    let span = tree.nodes[object as usize].span();
    let mut keys: HashMap<&str, VecDeque<Range<usize>>> = HashMap::new();
    for (key, span) in member_keys(text, span.clone()) {
        keys.entry(key).or_default().push_back(span);
    }
    let mut child = tree.nodes[object as usize].first_child;
    while child != NONE {
        let entry = tree.nodes[child as usize];
        if entry.span() != span {
            place_members(text, tree, child);
        } else if let Some(key) = keys
            .get_mut(tree.get(entry.name))
            .and_then(VecDeque::pop_front)
        {
            tree.nodes[child as usize].set_span(key);
        }
        child = entry.next_sibling;
    }
}

/// The keys of an object's own members (not of nested ones) with their byte ranges, in order.
fn member_keys(text: &str, object: Range<usize>) -> Vec<(&str, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut i = object.start + 1;
    while i < object.end.min(bytes.len()) {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let end = (i + 1).min(bytes.len());
                let after = text.get(end..).unwrap_or("").trim_start();
                if depth == 0
                    && after.starts_with(':')
                    && let Some(key) = text.get(start + 1..end - 1)
                {
                    keys.push((key, start..end));
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    keys
}

/// Converts serde_json's line and column into a byte span.
fn syntax_error(text: &str, error: &serde_json::Error) -> SyntaxError {
    let line_start = text
        .split_inclusive('\n')
        .take(error.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let offset = (line_start + error.column().saturating_sub(1)).min(text.len());
    SyntaxError {
        span: offset..offset,
        message: format!("malformed JSON: {}", strip_position(&error.to_string())),
    }
}

/// serde_json appends " at line L column C"; the error's own position says that already.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}
