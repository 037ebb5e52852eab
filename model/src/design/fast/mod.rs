//! A fast reader for the TOML a design is written in, with the `toml` crate's spans.
//!
//! A design of thousands of VMs is a few megabytes of `[[vm]]` tables, which the `toml`
//! crate parses at about 20 MB/s. This reader takes the subset of TOML designs are written
//! in and hands it straight to serde, at several times that speed:
//!
//! - `[table]` and `[[array]]` headers without spaces, under tables or arrays of tables
//!   already there (`[cluster.fencing]` under the last `[[cluster]]`);
//! - `key = value` with bare or quoted keys; single-line strings; decimal integers and
//!   floats; booleans; arrays (over several lines, with comments); one-line inline tables.
//!
//! Anything else (dotted keys, multi-line strings, dates, `inf`, hexadecimal numbers, a
//! header that creates a table implicitly, and every error: a syntax error, a duplicate
//! key, a value of the wrong type for the struct) makes it give up, and the caller parses
//! with the `toml` crate, which reports errors as always. So this reader never decides an
//! error, and what it accepts it reads as the `toml` crate does: a test compares the two
//! on every design in the repository and on thousands of mutated ones, and debug builds
//! compare them on every design they load.
//!
//! Two passes: [`structure`] finds the table headers and what text belongs to each table
//! (skipping values without decoding them), then [`de`] decodes each table's text as serde
//! asks for it, with no tree in between, its strings borrowed from the text where serde's
//! type takes them borrowed. The tables of one large array (`[[vm]]`) are left in the text
//! ([`from_str_split`], [`Split`]), for the caller to decode one by one as it reaches them
//! (so they never all exist at once) or all together on all cores.

mod cursor;
mod de;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::iter::{IndexedParallelIterator, IntoParallelRefIterator, ParallelIterator};
use rayon::slice::ParallelSlice;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;

use cursor::{Bail, Cursor, Read, Scalar};

/// Tables of one array decoded per task: enough to spread over the cores, few enough that
/// a task is worth its scheduling.
const TABLES_PER_TASK: usize = 512;

/// `text` read into `T`, except the top-level array of tables `array` (`[[vm]]`), which `T`
/// sees as empty and which is left in the text, its tables to be decoded one by one or all
/// together ([`Split`]); the split is `None` when there are no such headers (`vm = [...]` is
/// read into `T` as any key). `None` when the fast reader leaves the text to the `toml`
/// crate.
pub fn from_str_split<'a, T>(text: &'a str, array: &str) -> Option<(T, Option<Split<'a>>)>
where
    T: DeserializeOwned,
{
    let mut document = structure(text).ok()?;
    let at = document.tables[ROOT]
        .children
        .iter()
        .position(|c| c.key == array && matches!(c.node, Node::Array(_)));
    document.split = at;
    let value = T::deserialize(de::TableDe::new(&document, ROOT)).ok()?;
    let items = match at.map(|at| &mut document.tables[ROOT].children[at].node) {
        Some(Node::Array(items)) => Some(std::mem::take(items)),
        _ => None,
    };
    match items {
        None => document.all_read().then_some((value, None)),
        Some(items) => Some((value, Some(Split { document, items }))),
    }
}

/// The tables of a top-level array of tables, left in the text by [`from_str_split`]:
/// decoded as the caller reaches them, so the tables of 20,000 VMs (some 30 MB as serde
/// values) never all exist at once.
pub struct Split<'a> {
    document: Document<'a>,
    /// The array's tables, in file order.
    items: Vec<usize>,
}

impl<'a> Split<'a> {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Table `i`'s header, `[[name]]`: its span as the `toml` crate gives it.
    pub fn header(&self, i: usize) -> Range<usize> {
        self.document.tables[self.items[i]].header.range()
    }

    /// Table `i`'s `name = "..."` string and its span (with the quotes), as the first pass
    /// saw it; `None` if it has none the first pass could read.
    pub fn name(&self, i: usize) -> Option<(Cow<'a, str>, Range<usize>)> {
        let span = self.document.tables[self.items[i]].name?.range();
        match Cursor::new(self.document.text, span.clone()).scalar() {
            Ok(Scalar::Str(name)) => Some((name, span)),
            _ => None,
        }
    }

    /// Table `i` decoded; `None` when the fast reader leaves it (and so the text) to the
    /// `toml` crate.
    pub fn decode<E: Deserialize<'a>>(&self, i: usize) -> Option<Spanned<E>> {
        Spanned::<E>::deserialize(de::TableDe::new(&self.document, self.items[i])).ok()
    }

    /// Every table decoded on all cores, each into its place in one list; `None` as for
    /// [`Split::decode`], or when some text of the document went unread.
    pub fn decode_all<E: DeserializeOwned + Send>(&self) -> Option<Vec<Spanned<E>>> {
        let mut decoded: Vec<Option<Spanned<E>>> = Vec::new();
        self.items
            .par_iter()
            .with_min_len(TABLES_PER_TASK)
            .map(|&id| Spanned::<E>::deserialize(de::TableDe::new(&self.document, id)).ok())
            .collect_into_vec(&mut decoded);
        let decoded = decoded.into_iter().collect::<Option<Vec<_>>>()?;
        self.all_read().then_some(decoded)
    }

    /// Whether every table of the document was read to its end once, the array's tables
    /// included: if not, some text went unchecked (or a table was read twice) and the
    /// caller leaves the document to the `toml` crate.
    pub fn all_read(&self) -> bool {
        self.document.all_read()
    }
}

/// The root table's index.
const ROOT: usize = 0;

/// The tables of a document, the root first.
struct Document<'a> {
    text: &'a str,
    tables: Vec<Table<'a>>,
    /// How many tables have been read to their end.
    read: AtomicUsize,
    /// The root's child (by index) read apart by [`from_str_split`].
    split: Option<usize>,
}

impl Document<'_> {
    fn table_read(&self) {
        self.read.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether every table's text was read: if not, some of it went unchecked.
    fn all_read(&self) -> bool {
        self.read.load(Ordering::Relaxed) == self.tables.len()
    }
}

/// A table given by a header (or the root): its own `key = value` lines, and the tables
/// whose headers name it as parent.
struct Table<'a> {
    /// The header, `[name]` or `[[name]]`: the span the `toml` crate gives such a table.
    header: Span,
    body: Span,
    children: Vec<Child<'a>>,
    /// The span of the string of a `name = "..."` line of the body, with its quotes.
    name: Option<Span>,
}

/// A byte range of the text in 32 bits (the reader leaves texts of 4 GiB and more to the
/// `toml` crate): the tables of 20,000 VMs take 56 bytes each instead of 80.
#[derive(Clone, Copy)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// `range` of a text shorter than 4 GiB.
    fn of(range: Range<usize>) -> Span {
        Span {
            start: range.start as u32,
            end: range.end as u32,
        }
    }

    fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

struct Child<'a> {
    key: Cow<'a, str>,
    key_span: Range<usize>,
    node: Node,
}

enum Node {
    Table(usize),
    /// The tables of `[[name]]` headers, in order.
    Array(Vec<usize>),
}

/// Texts at least this long have their first pass cut into pieces read on all cores.
const PARALLEL_SCAN: usize = 1 << 20;

/// The first pass: headers and table bodies. Values are skipped: a scalar ends at its line's
/// end (none of those taken spans lines), an array or inline table at its closing bracket.
/// A long text is read in pieces on all cores ([`structure_in`]).
fn structure(text: &str) -> Read<Document<'_>> {
    let pieces = if text.len() >= PARALLEL_SCAN {
        2 * rayon::current_num_threads()
    } else {
        1
    };
    structure_in(text, pieces)
}

/// The first pass over (up to) `pieces` pieces of the text at once, each cut just before a
/// line that starts with `[`, then the headers linked in file order. Such a line starts a
/// table, unless it is inside a multi-line array: then the piece before it does not read
/// alone (its array does not close), and the text is read again in one piece. The tables
/// are the same either way (a test compares them).
fn structure_in(text: &str, pieces: usize) -> Read<Document<'_>> {
    // Offsets are kept in 32 bits.
    if u32::try_from(text.len()).is_err() {
        return Err(Bail);
    }
    if text.starts_with('\u{feff}') {
        return Err(Bail);
    }
    let cuts = cuts(text, pieces);
    let whole = || scan(text, 0..text.len()).map(|scan| vec![scan]);
    let scans = if cuts.len() > 2 {
        let scans: Read<Vec<Scan<'_>>> = cuts
            .par_windows(2)
            .map(|piece| scan(text, piece[0]..piece[1]))
            .collect();
        scans.or_else(|Bail| whole())?
    } else {
        whole()?
    };
    link(text, scans)
}

/// Where the pieces of the text start and end: 0, the start of the first line beginning with
/// `[` after each `len * i / pieces`, and the text's end.
fn cuts(text: &str, pieces: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut cuts = vec![0];
    for i in 1..pieces {
        let target = (text.len() * i / pieces).max(*cuts.last().unwrap_or(&0));
        let Some(at) = memchr::memmem::find(&bytes[target..], b"\n[") else {
            break;
        };
        let cut = target + at + 1;
        if cut > *cuts.last().unwrap_or(&0) {
            cuts.push(cut);
        }
    }
    cuts.push(text.len());
    cuts
}

/// What a piece of the text holds: the `key = value` lines before its first header (the
/// root table's, in the first piece; none in the others, which start at a header), then
/// its headers, each with its body.
struct Scan<'a> {
    /// Where the piece starts.
    start: usize,
    /// Where the piece's first header starts, or the piece's end.
    lead_end: usize,
    /// A `name = "..."` line before the first header.
    lead_name: Option<Span>,
    headers: Vec<Header<'a>>,
}

/// A header as read: its span, its path of keys, whether it is `[[...]]`, and its table's
/// body and `name` line.
struct Header<'a> {
    span: Range<usize>,
    path: Vec<(Cow<'a, str>, Range<usize>)>,
    array: bool,
    body: Span,
    name: Option<Span>,
}

/// Reads the piece `range` of the text.
fn scan(text: &str, range: Range<usize>) -> Read<Scan<'_>> {
    let mut scan = Scan {
        start: range.start,
        lead_end: range.end,
        lead_name: None,
        headers: Vec::new(),
    };
    let mut cursor = Cursor::new(text, range.clone());
    loop {
        cursor.skip_blank()?;
        if cursor.at_end() {
            break;
        }
        if cursor.peek() == Some(b'[') {
            match scan.headers.last_mut() {
                Some(last) => last.body.end = cursor.pos as u32,
                None => scan.lead_end = cursor.pos,
            }
            scan.headers.push(header(&mut cursor)?);
            continue;
        }
        let (key, _) = cursor.key_and_equals()?;
        match cursor.peek() {
            Some(b'[' | b'{') => cursor.pos = cursor.compound_end()?,
            // Multi-line strings are left to the full parser.
            Some(q @ (b'"' | b'\'')) if text.as_bytes()[cursor.pos..].starts_with(&[q, q, q]) => {
                return Err(Bail);
            }
            Some(b'"' | b'\'') if key == "name" => {
                let mut value = cursor.clone();
                if let Ok(Scalar::Str(_)) = value.scalar() {
                    let name = Some(Span::of(cursor.pos..value.pos));
                    match scan.headers.last_mut() {
                        Some(last) => last.name = name,
                        None => scan.lead_name = name,
                    }
                }
            }
            _ => {}
        }
        let rest = &text.as_bytes()[cursor.pos..range.end];
        cursor.pos += memchr::memchr(b'\n', rest).map_or(rest.len(), |n| n + 1);
    }
    if let Some(last) = scan.headers.last_mut() {
        last.body.end = range.end as u32;
    }
    Ok(scan)
}

/// Reads a header line; the cursor ends at its table's body.
fn header<'a>(cursor: &mut Cursor<'a>) -> Read<Header<'a>> {
    let start = cursor.pos;
    cursor.expect(b'[')?;
    let array = cursor.peek() == Some(b'[');
    if array {
        cursor.pos += 1;
    }
    let mut path = vec![cursor.key()?];
    while cursor.peek() == Some(b'.') {
        cursor.pos += 1;
        path.push(cursor.key()?);
        // serde reads nested tables by recursion: deep ones are the full parser's.
        if path.len() > cursor::MAX_DEPTH {
            return Err(Bail);
        }
    }
    cursor.expect(b']')?;
    if array {
        cursor.expect(b']')?;
    }
    let span = start..cursor.pos;
    cursor.line_end()?;
    Ok(Header {
        span,
        path,
        array,
        body: Span::of(cursor.pos..cursor.pos),
        name: None,
    })
}

/// The tables of the pieces' headers, in file order, each under its parent.
fn link<'a>(text: &'a str, scans: Vec<Scan<'a>>) -> Read<Document<'a>> {
    let count = scans.iter().map(|scan| scan.headers.len()).sum::<usize>();
    let mut tables = Vec::with_capacity(count + 1);
    let first = scans.first().ok_or(Bail)?;
    tables.push(Table {
        header: Span::of(0..0),
        body: Span::of(0..first.lead_end),
        children: Vec::new(),
        name: first.lead_name,
    });
    for (n, scan) in scans.into_iter().enumerate() {
        // Every piece but the first starts at a header.
        if n > 0 && (scan.lead_end != scan.start || scan.headers.is_empty()) {
            return Err(Bail);
        }
        for header in scan.headers {
            add_table(&mut tables, header)?;
        }
    }
    Ok(Document {
        text,
        tables,
        read: AtomicUsize::new(0),
        split: None,
    })
}

/// Adds the table of a header under its parent.
fn add_table<'a>(tables: &mut Vec<Table<'a>>, header: Header<'a>) -> Read<()> {
    let Header {
        span,
        mut path,
        array,
        body,
        name,
    } = header;
    let id = tables.len();
    tables.push(Table {
        header: Span::of(span),
        body,
        children: Vec::new(),
        name,
    });
    let (last, last_span) = path.pop().ok_or(Bail)?;
    let mut parent = ROOT;
    for (key, _) in &path {
        let child = tables[parent]
            .children
            .iter()
            .find(|c| c.key == *key)
            .ok_or(Bail)?;
        parent = match &child.node {
            Node::Table(table) => *table,
            Node::Array(items) => *items.last().ok_or(Bail)?,
        };
    }
    let children = &mut tables[parent].children;
    match children.iter_mut().find(|c| c.key == last) {
        None => children.push(Child {
            key: last,
            key_span: last_span,
            node: if array {
                Node::Array(vec![id])
            } else {
                Node::Table(id)
            },
        }),
        Some(Child {
            node: Node::Array(items),
            ..
        }) if array => items.push(id),
        // A table named twice, or a table and an array of the same name.
        Some(_) => return Err(Bail),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
