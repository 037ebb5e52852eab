//! Errors of loading an inventory: each names the file, the line and what was expected.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::escape;
use crate::origin::{column_of, line_of};

/// A problem with an input file (or with the way inputs refer to each other).
#[derive(Debug, Clone, thiserror::Error)]
pub struct LoadError {
    pub path: PathBuf,
    /// 1-based line, when the problem is at a place in the file.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Byte range in `source_text`, for rendering the offending line.
    pub span: Option<Range<usize>>,
    /// What is wrong and what was expected: escaped, with long quotes of input cut
    /// (see [`escape::message`]).
    pub message: String,
    /// The file's text, when the error points into it.
    pub source_text: Option<Arc<str>>,
}

impl LoadError {
    /// An error about a whole file (unreadable, missing, not a directory).
    pub fn file(path: impl AsRef<Path>, message: impl Into<String>) -> LoadError {
        LoadError {
            path: path.as_ref().to_path_buf(),
            line: None,
            column: None,
            span: None,
            message: escape::message(&message.into()),
            source_text: None,
        }
    }

    /// An error at byte range `span` of `text`, the content of `path`.
    pub fn at(
        path: impl AsRef<Path>,
        text: &Arc<str>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> LoadError {
        let start = span.start.min(text.len());
        let end = span.end.clamp(start, text.len());
        LoadError {
            path: path.as_ref().to_path_buf(),
            line: Some(line_of(text, start)),
            column: Some(column_of(text, start)),
            span: Some(start..end),
            message: escape::message(&message.into()),
            source_text: Some(Arc::clone(text)),
        }
    }

    /// An error at a known line (when no byte span is available).
    pub fn at_line(path: impl AsRef<Path>, line: u32, message: impl Into<String>) -> LoadError {
        LoadError {
            path: path.as_ref().to_path_buf(),
            line: Some(line),
            column: None,
            span: None,
            message: escape::message(&message.into()),
            source_text: None,
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}
