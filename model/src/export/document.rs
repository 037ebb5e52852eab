//! One response file of an export, read into a tree, with typed access to its values
//! whose errors name the file and line.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use crate::error::LoadError;
use crate::export::json::parse_json;
use crate::export::tree::Node;
use crate::export::xml::parse_xml;
use crate::origin::{FileId, Origin, SourceMap};

/// The two formats the engine answers in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Json => "json",
        }
    }
}

/// A parsed response file, registered in the inventory's [`SourceMap`].
pub struct Document {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub file: FileId,
    pub root: Node,
}

impl Document {
    /// Reads and parses `path`, registering its text in `sources` so reports can quote it.
    pub fn read(
        path: &Path,
        format: Format,
        sources: &mut SourceMap,
    ) -> Result<Document, LoadError> {
        let bytes =
            std::fs::read(path).map_err(|e| LoadError::file(path, format!("cannot read: {e}")))?;
        let text: Arc<str> = match String::from_utf8(bytes) {
            // A byte order mark is legal at the start of a saved file but is not content.
            Ok(text) => match text.strip_prefix('\u{feff}') {
                Some(rest) => rest.into(),
                None => text.into(),
            },
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let lossy: Arc<str> = String::from_utf8_lossy(e.as_bytes()).into();
                return Err(LoadError::at(
                    path,
                    &lossy,
                    offset..offset + 1,
                    "not UTF-8 text (the API answers in UTF-8)",
                ));
            }
        };
        let file = sources.add(path, Arc::clone(&text));
        let parsed = match format {
            Format::Xml => parse_xml(&text),
            Format::Json => parse_json(&text),
        };
        let root =
            parsed.map_err(|e| LoadError::at(path, &text, char_span(&text, e.span), e.message))?;
        Ok(Document {
            path: path.to_path_buf(),
            text,
            file,
            root,
        })
    }

    /// Where `node` is, for an entity's origin.
    pub fn origin(&self, node: &Node) -> Origin {
        Origin::from_span(self.file, &self.text, node.span.clone())
    }

    /// An error at `node`.
    pub fn error(&self, node: &Node, message: impl Into<String>) -> LoadError {
        self.error_at(node.span.clone(), message)
    }

    fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> LoadError {
        LoadError::at(&self.path, &self.text, char_span(&self.text, span), message)
    }

    /// The items of a collection response: `<vms><vm>..</vm></vms>` in XML,
    /// `{"vm": [..]}` (or `{}` when empty) in JSON. Anything else, such as a `<fault>`
    /// saved instead of the collection, is an error.
    pub fn items<'a>(
        &'a self,
        wrapper: &str,
        item: &'a str,
    ) -> Result<impl Iterator<Item = &'a Node>, LoadError> {
        let root = &self.root;
        let is_collection = if root.name.is_empty() {
            root.children.is_empty() || root.child(item).is_some()
        } else {
            root.name == wrapper
        };
        if !is_collection {
            let found = if root.name.is_empty() {
                let keys: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
                format!("an object with members {}", keys.join(", "))
            } else {
                format!("<{}>", root.name)
            };
            return Err(self.error(
                root,
                format!("expected a collection of {item} (<{wrapper}>), found {found}"),
            ));
        }
        Ok(root.children_named(item))
    }

    /// The entity's `name`, which every entity the loader keeps must have.
    pub fn name(&self, node: &Node, kind: &str) -> Result<String, LoadError> {
        node.text_at(&["name"])
            .map(str::to_string)
            .ok_or_else(|| self.error(node, format!("{kind} without a <name>")))
    }

    /// A boolean at `path`: `true`/`false` in any case, as text or as a JSON boolean.
    pub fn bool(&self, node: &Node, path: &[&str]) -> Result<Option<bool>, LoadError> {
        self.value(node, path, "true or false", |text| {
            match text.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            }
        })
    }

    /// A number at `path`, as text or as a JSON number.
    pub fn number<T: FromStr>(&self, node: &Node, path: &[&str]) -> Result<Option<T>, LoadError> {
        self.value(node, path, "a number", |text| text.parse().ok())
    }

    /// A value at `path` read by `parse`; absent or empty is `None`, unreadable an error
    /// saying what was `expected`.
    pub fn value<T>(
        &self,
        node: &Node,
        path: &[&str],
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, LoadError> {
        let Some(field) = node.at(path) else {
            return Ok(None);
        };
        let text = field.text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse(text).map(Some).ok_or_else(|| {
            self.error(
                field,
                format!("<{}> is {text:?}, expected {expected}", path.join("/")),
            )
        })
    }
}

/// `span` widened to whole characters: parsers may report a position inside a multi-byte
/// character, and the text is sliced at the span to show the line.
fn char_span(text: &str, span: Range<usize>) -> Range<usize> {
    let floor = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = floor(span.start);
    let mut end = floor(span.end.max(start));
    if end < span.end.min(text.len()) {
        end += text[end..].chars().next().map_or(0, char::len_utf8);
    }
    start..end
}
