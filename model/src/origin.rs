//! Where an entity came from: the file and line that defined it.

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
}

/// The files an inventory was loaded from.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(SourceFile {
            path: path.into(),
            text: text.into(),
        });
        id
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

    /// The text of line `line` (1-based) of a file, without its line ending.
    pub fn line_text(&self, id: FileId, line: u32) -> Option<&str> {
        let text = &self.file(id).text;
        text.lines().nth(line.checked_sub(1)? as usize)
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
    /// The origin of the byte range `span` in `text` (belonging to `file`).
    pub fn from_span(file: FileId, text: &str, span: std::ops::Range<usize>) -> Origin {
        let start = span.start.min(text.len());
        let line = line_of(text, start);
        Origin {
            file,
            line,
            offset: start as u32,
            len: span.end.saturating_sub(start) as u32,
        }
    }
}

/// 1-based line number of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    1 + text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u32
}

/// 1-based column (in characters) of byte `offset` in `text`.
pub fn column_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    1 + text
        .get(line_start..offset)
        .map_or(0, |s| s.chars().count()) as u32
}
