//! The second pass: serde reads each table's text as it asks for it. Spans come as the
//! `toml` crate gives them ([`serde_spanned::de::SpannedDeserializer`]): a value's own
//! text (strings with their quotes), a table's header, a key's text.

use std::borrow::Cow;
use std::ops::Range;

use serde::de::{DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_spanned::de::{SpannedDeserializer, is_spanned};

use super::cursor::{Bail, Cursor, Scalar};
use super::{Document, Node, ROOT};

/// Maps with more keys than this are left to the full parser: the duplicate check below
/// compares each key with those before it.
const MAX_KEYS: usize = 64;

/// Who checks that no key is given twice: a struct derived by serde refuses a field given
/// twice itself; a map (`[slo]`, any `toml::Value` table) would keep the last, so the
/// reader checks its keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Duplicates {
    StructChecks,
    ReaderChecks,
}

/// A table given by a header, or the root.
pub struct TableDe<'d, 'a> {
    document: &'d Document<'a>,
    id: usize,
}

impl<'d, 'a> TableDe<'d, 'a> {
    pub fn new(document: &'d Document<'a>, id: usize) -> Self {
        TableDe { document, id }
    }
}

impl<'a> Deserializer<'a> for TableDe<'_, 'a> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_map(self.access(Duplicates::ReaderChecks))
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        if is_spanned(name) {
            let span = self.document.tables[self.id].header.range();
            return visitor.visit_map(SpannedDeserializer::new(self, span));
        }
        visitor.visit_map(self.access(Duplicates::StructChecks))
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_some(self)
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

impl<'d, 'a> TableDe<'d, 'a> {
    fn access(self, duplicates: Duplicates) -> TableAccess<'d, 'a> {
        let table = &self.document.tables[self.id];
        TableAccess {
            document: self.document,
            id: self.id,
            cursor: Cursor::new(self.document.text, table.body.range()),
            child: None,
            seen: Seen::new(duplicates),
            pending: Pending::Nothing,
        }
    }
}

impl<'a> IntoDeserializer<'a, Bail> for TableDe<'_, 'a> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// What `next_value_seed` reads: the value after the key just read.
enum Pending {
    Nothing,
    /// A `key = value` line of the body; the cursor is at the value.
    Line,
    Child(usize),
}

/// A table's keys: its `key = value` lines, then the tables named under it.
struct TableAccess<'d, 'a> {
    document: &'d Document<'a>,
    id: usize,
    cursor: Cursor<'a>,
    /// The next child table to give, once the body is read.
    child: Option<usize>,
    seen: Seen,
    pending: Pending,
}

impl<'a> MapAccess<'a> for TableAccess<'_, 'a> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, Bail> {
        let table = &self.document.tables[self.id];
        if self.child.is_none() {
            self.cursor.skip_blank()?;
            if !self.cursor.at_end() {
                let (key, span) = self.cursor.key_and_equals()?;
                self.seen.add(&key)?;
                self.pending = Pending::Line;
                return seed.deserialize(KeyDe { key, span }).map(Some);
            }
            self.child = Some(0);
        }
        let next = self.child.unwrap_or(0);
        let Some(child) = table.children.get(next) else {
            self.document.table_read();
            return Ok(None);
        };
        self.child = Some(next + 1);
        self.seen.add(&child.key)?;
        self.pending = Pending::Child(next);
        seed.deserialize(KeyDe {
            key: child.key.clone(),
            span: child.key_span.clone(),
        })
        .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        match std::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Nothing => Err(Bail),
            Pending::Line => {
                let value = seed.deserialize(ValueDe {
                    cursor: &mut self.cursor,
                })?;
                self.cursor.line_end()?;
                Ok(value)
            }
            Pending::Child(index) => {
                let split = self.id == ROOT && self.document.split == Some(index);
                match &self.document.tables[self.id].children[index].node {
                    Node::Table(id) => seed.deserialize(TableDe::new(self.document, *id)),
                    // Read apart: seen here as present (a key giving it too is still
                    // refused as given twice) and empty.
                    Node::Array(_) if split => seed.deserialize(ArrayOfTablesDe {
                        document: self.document,
                        ids: &[],
                    }),
                    Node::Array(ids) => seed.deserialize(ArrayOfTablesDe {
                        document: self.document,
                        ids,
                    }),
                }
            }
        }
    }
}

/// The keys of a map read so far, when the reader checks them.
struct Seen {
    duplicates: Duplicates,
    keys: Vec<String>,
}

impl Seen {
    fn new(duplicates: Duplicates) -> Self {
        Seen {
            duplicates,
            keys: Vec::new(),
        }
    }

    /// Adds a key; a key given twice, or too many keys, bail.
    fn add(&mut self, key: &str) -> Result<(), Bail> {
        if self.duplicates == Duplicates::StructChecks {
            return Ok(());
        }
        if self.keys.len() >= MAX_KEYS || self.keys.iter().any(|k| k == key) {
            return Err(Bail);
        }
        self.keys.push(key.to_owned());
        Ok(())
    }
}

/// The tables of `[[name]]` headers.
struct ArrayOfTablesDe<'d, 'a> {
    document: &'d Document<'a>,
    ids: &'d [usize],
}

impl<'a> Deserializer<'a> for ArrayOfTablesDe<'_, 'a> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        let document = self.document;
        let tables = self.ids.iter().map(|&id| TableDe::new(document, id));
        let mut access = serde::de::value::SeqDeserializer::new(tables);
        let value = visitor.visit_seq(&mut access)?;
        access.end()?;
        Ok(value)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_some(self)
    }

    // A span over several headers: the full parser decides what it is.
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        if is_spanned(name) {
            return Err(Bail);
        }
        self.deserialize_any(visitor)
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// A key; spanned when serde asks.
struct KeyDe<'a> {
    key: Cow<'a, str>,
    span: Range<usize>,
}

impl<'a> Deserializer<'a> for KeyDe<'a> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_str(&self.key)
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        if is_spanned(name) {
            let span = self.span.clone();
            return visitor.visit_map(SpannedDeserializer::new(
                ScalarDe(Scalar::Str(self.key)),
                span,
            ));
        }
        Err(Bail)
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// A decoded scalar.
struct ScalarDe<'a>(Scalar<'a>);

impl<'a> Deserializer<'a> for ScalarDe<'a> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.0 {
            // Borrowed from the text: a type that borrows (the VM tables' strings) allocates
            // nothing.
            Scalar::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Scalar::Str(Cow::Owned(s)) => visitor.visit_string(s),
            Scalar::Int(n) => visitor.visit_i64(n),
            Scalar::Float(x) => visitor.visit_f64(x),
            Scalar::Bool(b) => visitor.visit_bool(b),
        }
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_some(self)
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'a> IntoDeserializer<'a, Bail> for ScalarDe<'a> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// The value at the cursor, decoded as serde asks; the cursor ends after it.
struct ValueDe<'c, 'a> {
    cursor: &'c mut Cursor<'a>,
}

impl<'a> Deserializer<'a> for ValueDe<'_, 'a> {
    type Error = Bail;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        match self.cursor.peek() {
            Some(b'[') => {
                self.cursor.pos += 1;
                self.cursor.enter()?;
                let value = visitor.visit_seq(ArrayAccess {
                    cursor: &mut *self.cursor,
                    first: true,
                })?;
                self.cursor.leave();
                Ok(value)
            }
            Some(b'{') => self.inline_table(Duplicates::ReaderChecks, visitor),
            _ => ScalarDe(self.cursor.scalar()?).deserialize_any(visitor),
        }
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Bail> {
        if !is_spanned(name) {
            return match self.cursor.peek() {
                Some(b'{') => self.inline_table(Duplicates::StructChecks, visitor),
                _ => self.deserialize_any(visitor),
            };
        }
        let start = self.cursor.pos;
        if !matches!(self.cursor.peek(), Some(b'[' | b'{')) {
            let scalar = self.cursor.scalar()?;
            let span = start..self.cursor.pos;
            return visitor.visit_map(SpannedDeserializer::new(ScalarDe(scalar), span));
        }
        let end = self.cursor.compound_end()?;
        let value = visitor.visit_map(SpannedDeserializer::new(
            ValueDe {
                cursor: &mut *self.cursor,
            },
            start..end,
        ))?;
        // The brackets matched where the decoding ended, or the span would be wrong.
        if self.cursor.pos != end {
            return Err(Bail);
        }
        Ok(value)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Bail> {
        visitor.visit_some(self)
    }

    forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

impl<'c, 'a> ValueDe<'c, 'a> {
    /// The inline table that opens here, read by `visitor`.
    fn inline_table<V: Visitor<'a>>(
        self,
        duplicates: Duplicates,
        visitor: V,
    ) -> Result<V::Value, Bail> {
        self.cursor.expect(b'{')?;
        self.cursor.enter()?;
        let value = visitor.visit_map(InlineAccess {
            cursor: &mut *self.cursor,
            first: true,
            seen: Seen::new(duplicates),
        })?;
        self.cursor.leave();
        Ok(value)
    }
}

impl<'a> IntoDeserializer<'a, Bail> for ValueDe<'_, 'a> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// The elements of an array, over lines and comments, a trailing comma allowed.
struct ArrayAccess<'c, 'a> {
    cursor: &'c mut Cursor<'a>,
    first: bool,
}

impl<'a> SeqAccess<'a> for ArrayAccess<'_, 'a> {
    type Error = Bail;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Bail> {
        self.cursor.skip_blank()?;
        if !self.first {
            if self.cursor.peek() == Some(b']') {
                self.cursor.pos += 1;
                return Ok(None);
            }
            self.cursor.expect(b',')?;
            self.cursor.skip_blank()?;
        }
        self.first = false;
        if self.cursor.peek() == Some(b']') {
            self.cursor.pos += 1;
            return Ok(None);
        }
        seed.deserialize(ValueDe {
            cursor: &mut *self.cursor,
        })
        .map(Some)
    }
}

/// The keys of a one-line inline table, without a trailing comma.
struct InlineAccess<'c, 'a> {
    cursor: &'c mut Cursor<'a>,
    first: bool,
    seen: Seen,
}

impl<'a> MapAccess<'a> for InlineAccess<'_, 'a> {
    type Error = Bail;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, Bail> {
        self.cursor.skip_spaces();
        if self.cursor.peek() == Some(b'}') {
            self.cursor.pos += 1;
            return Ok(None);
        }
        if !self.first {
            self.cursor.expect(b',')?;
            self.cursor.skip_spaces();
        }
        self.first = false;
        let (key, span) = self.cursor.key_and_equals()?;
        self.seen.add(&key)?;
        seed.deserialize(KeyDe { key, span }).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, Bail> {
        seed.deserialize(ValueDe {
            cursor: &mut *self.cursor,
        })
    }
}
