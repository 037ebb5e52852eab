//! Where an entity came from: the file and line that defined it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(transparent)]
pub struct FileId(pub u32);

/// A loaded input file, kept so reports can show the line a finding points at.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as found under an export directory).
    pub path: PathBuf,
    pub text: Arc<str>,
    /// Where each line starts, built once when the file is added.
    pub lines: Arc<LineIndex>,
}

/// The byte offset at which each line of a text starts: built once per file in one pass,
/// it turns "which line is byte N on" into a binary search, so loaders and reports that
/// place thousands of entities stay linear in the size of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Offset of the first byte of each line; the first is 0.
    starts: Starts,
    /// Length of the text, for the end of the last line.
    len: usize,
}

/// Line starts as 32-bit offsets, half the memory of a 4.5 MB design's 260,000 lines, for
/// any text shorter than 4 GiB (the file budget allows more only when raised).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Starts {
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

impl Default for Starts {
    fn default() -> Starts {
        Starts::Narrow(Vec::new())
    }
}

impl Starts {
    fn len(&self) -> usize {
        match self {
            Starts::Narrow(starts) => starts.len(),
            Starts::Wide(starts) => starts.len(),
        }
    }

    fn get(&self, index: usize) -> Option<usize> {
        match self {
            Starts::Narrow(starts) => starts.get(index).map(|&s| s as usize),
            Starts::Wide(starts) => starts.get(index).copied(),
        }
    }

    /// How many lines start at or before `offset`.
    fn at_or_before(&self, offset: usize) -> usize {
        match self {
            Starts::Narrow(starts) => starts.partition_point(|&start| start as usize <= offset),
            Starts::Wide(starts) => starts.partition_point(|&start| start <= offset),
        }
    }
}

impl LineIndex {
    /// Indexes `text` (lines end at `\n`; a `\r` before it is part of the line ending).
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // Counted first, so the list is allocated once at its size.
        let lines = memchr::memchr_iter(b'\n', bytes).count() + 1;
        let ends = memchr::memchr_iter(b'\n', bytes).map(|i| i + 1);
        let starts = if u32::try_from(text.len()).is_ok() {
            let mut starts = Vec::with_capacity(lines);
            starts.push(0);
            starts.extend(ends.map(|start| start as u32));
            Starts::Narrow(starts)
        } else {
            let mut starts = Vec::with_capacity(lines);
            starts.push(0);
            starts.extend(ends);
            Starts::Wide(starts)
        };
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// 1-based line of byte `offset` (an offset past the end is on the last line).
    pub fn line(&self, offset: usize) -> u32 {
        let offset = offset.min(self.len);
        u32::try_from(self.starts.at_or_before(offset)).unwrap_or(u32::MAX)
    }

    /// Number of lines (a final line ending does not start another line to show).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Byte range of line `line` (1-based) of `text`, without its line ending.
    pub fn line_range(&self, text: &str, line: u32) -> Option<std::ops::Range<usize>> {
        let index = (line as usize).checked_sub(1)?;
        let start = self.starts.get(index)?;
        if start > text.len() || (start == text.len() && index > 0) {
            return None;
        }
        let end = self
            .starts
            .get(index + 1)
            .map_or(text.len(), |next| next - 1);
        let end = end.min(text.len());
        let end = if text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start {
            end - 1
        } else {
            end
        };
        Some(start..end)
    }

    /// 1-based column, in characters, of byte `offset` of `text`.
    pub fn column(&self, text: &str, offset: usize) -> u32 {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line(offset) as usize;
        let start = self.starts.get(line.saturating_sub(1)).unwrap_or(0);
        let chars = text.get(start..offset).map_or(0, |s| s.chars().count());
        u32::try_from(chars).map_or(u32::MAX, |c| c.saturating_add(1))
    }
}

/// The largest char boundary at or below `at`.
fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The files an inventory was loaded from, and where the keys of their tables were written.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Bytes of all files, kept as they are added (an export has tens of thousands).
    total_bytes: u64,
    /// Per table (its file and the offset of its defining text, as in the entity's
    /// [`Origin`]): the keys it writes. Shared, so cloning an inventory stays cheap.
    keys: Arc<TableKeys>,
}

/// The keys each table writes, by the table's file and the offset of its defining text.
type TableKeys = HashMap<(FileId, u32), Box<[KeySpan]>>;

/// Where one key of a table was written: `key = value`, as a byte range of the file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct KeySpan {
    /// The key's path in the table: `lease`, or `hosts_rule.enforcing` in an inline table.
    /// A thin reference (`&"lease"`): a key's place takes 16 bytes, not 24, and a design of
    /// 20,000 VMs records some 200,000.
    pub key: &'static &'static str,
    pub offset: u32,
    pub len: u32,
}

impl SourceMap {
    /// Registers a file and indexes its lines.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> FileId {
        let text = text.into();
        let lines = Arc::new(LineIndex::new(&text));
        self.add_indexed(path, text, lines)
    }

    /// Registers a file whose lines are indexed already (a file of another map).
    pub fn add_indexed(
        &mut self,
        path: impl Into<PathBuf>,
        text: Arc<str>,
        lines: Arc<LineIndex>,
    ) -> FileId {
        // A map of more than 2^32 files would be a hundred million times any real export;
        // the last id is shared rather than a panic.
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.total_bytes = self.total_bytes.saturating_add(text.len() as u64);
        self.files.push(SourceFile {
            path: path.into(),
            text,
            lines,
        });
        id
    }

    /// Bytes of all files together, for the budget of one export.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Where the byte range `span` of file `id` is.
    pub fn origin(&self, id: FileId, span: std::ops::Range<usize>) -> Origin {
        let file = self.file(id);
        Origin::indexed(id, &file.text, &file.lines, span)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.file(id).path
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Makes room for the keys of `more` tables, so recording thousands (a design's VMs)
    /// grows the map once.
    pub fn reserve_keys(&mut self, more: usize) {
        Arc::make_mut(&mut self.keys).reserve(more);
    }

    /// Records the keys the table defined at `table` writes (replacing what was recorded
    /// for it), so a finding can point at the key it judges ([`SourceMap::key_origin`]).
    pub fn add_keys(&mut self, table: Origin, keys: Vec<KeySpan>) {
        Arc::make_mut(&mut self.keys).insert((table.file, table.offset), keys.into());
    }

    /// Where the table defined at `table` writes `key` (`lease`, `hosts_rule.enforcing`);
    /// for a dotted key it does not write, where it writes the nearest enclosing key
    /// (`hosts_rule`). `None` when the table writes none of them (an entity of an export,
    /// or a key left to its default): the finding then points at the table.
    pub fn key_origin(&self, table: Origin, key: &str) -> Option<Origin> {
        let keys = self.keys.get(&(table.file, table.offset))?;
        let mut path = key;
        loop {
            if let Some(found) = keys.iter().find(|k| *k.key == path) {
                let start = found.offset as usize;
                return Some(self.origin(table.file, start..start + found.len as usize));
            }
            path = &path[..path.rfind('.')?];
        }
    }

    /// The text of line `line` (1-based) of a file, without its line ending.
    pub fn line_text(&self, id: FileId, line: u32) -> Option<&str> {
        let file = self.file(id);
        let range = file.lines.line_range(&file.text, line)?;
        file.text.get(range)
    }
}

/// Where an entity (or a field of one) was defined.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
pub struct Origin {
    pub file: FileId,
    /// 1-based line.
    pub line: u32,
    /// Byte offset of the start of the defining text in the file.
    pub offset: u32,
    /// Length in bytes of the defining text (0 when unknown).
    pub len: u32,
}

impl Origin {
    /// The origin of the byte range `span` in `text` (belonging to `file`). Counts the
    /// lines before it: for one origin; many origins in one file use [`Origin::indexed`].
    pub fn from_span(file: FileId, text: &str, span: std::ops::Range<usize>) -> Origin {
        let start = span.start.min(text.len());
        Origin {
            file,
            line: line_of(text, start),
            offset: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(span.end.saturating_sub(start)).unwrap_or(u32::MAX),
        }
    }

    /// The origin of the byte range `span` in `text`, whose lines `lines` indexes.
    /// Offsets past 4 GiB saturate (files that large are refused by the budget).
    pub fn indexed(
        file: FileId,
        text: &str,
        lines: &LineIndex,
        span: std::ops::Range<usize>,
    ) -> Origin {
        let start = span.start.min(text.len());
        Origin {
            file,
            line: lines.line(start),
            offset: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(span.end.saturating_sub(start)).unwrap_or(u32::MAX),
        }
    }
}

/// 1-based line number of byte `offset` in `text`, counted from the start: for one
/// error; use a [`LineIndex`] for many.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    let newlines = text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    u32::try_from(newlines).map_or(u32::MAX, |n| n.saturating_add(1))
}

/// 1-based column (in characters) of byte `offset` in `text`.
pub fn column_of(text: &str, offset: usize) -> u32 {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let chars = text
        .get(line_start..offset)
        .map_or(0, |s| s.chars().count());
    u32::try_from(chars).map_or(u32::MAX, |c| c.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::{LineIndex, column_of, line_of};

    #[test]
    fn index_agrees_with_counting() {
        let text = "a\r\nbé\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.line(offset),
                line_of(text, offset),
                "line at {offset}"
            );
            if text.is_char_boundary(offset.min(text.len())) {
                assert_eq!(
                    index.column(text, offset),
                    column_of(text, offset),
                    "{offset}"
                );
            }
        }
        assert_eq!(index.line_range(text, 1).map(|r| &text[r]), Some("a"));
        assert_eq!(index.line_range(text, 2).map(|r| &text[r]), Some("bé"));
        assert_eq!(index.line_range(text, 3).map(|r| &text[r]), Some(""));
        assert_eq!(index.line_range(text, 4).map(|r| &text[r]), Some("last"));
        assert_eq!(index.line_range(text, 5), None);
        assert_eq!(index.line_range(text, 0), None);
        let long: String = (0..200).map(|i| "ab\n".repeat(i % 7) + "é\r\n").collect();
        let index = LineIndex::new(&long);
        for offset in 0..=long.len() {
            assert_eq!(
                index.line(offset),
                line_of(&long, offset),
                "line at {offset}"
            );
        }
        let ended = "x\n";
        let index = LineIndex::new(ended);
        assert_eq!(index.line_range(ended, 1).map(|r| &ended[r]), Some("x"));
        assert_eq!(index.line_range(ended, 2), None);
    }
}
