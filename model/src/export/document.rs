//! One response file of an export, read into a tree, with typed access to its values
//! whose errors name the file and line.

use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use crate::budget::Budget;
use crate::error::LoadError;
use crate::escape::{self, QUOTE_CHARS, quote};
use crate::export::json::parse_json;
use crate::export::layout::Response;
use crate::export::tree::{Node, Tree};
use crate::export::xml::parse_xml;
use crate::origin::{FileId, LineIndex, Origin, SourceMap};
use crate::read::{read_confined, read_text};

/// Files at least this long have their lines indexed on another thread while parsed.
const INDEX_ASIDE_BYTES: usize = 1 << 20;

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

/// A response file read and parsed, not yet registered in a [`SourceMap`].
pub struct Parsed {
    path: PathBuf,
    text: Arc<str>,
    lines: Arc<LineIndex>,
    tree: Tree,
}

/// A parsed response file, registered in the inventory's [`SourceMap`].
pub struct Document {
    pub path: PathBuf,
    pub text: Arc<str>,
    pub file: FileId,
    /// The line index of `text`, shared with the source map.
    pub lines: Arc<LineIndex>,
    pub tree: Tree,
}

impl Document {
    /// Reads and parses a response file (only inside the export, only a regular file, at
    /// most the budget's bytes), registering its text in `sources` so reports can quote it.
    pub fn read(response: &Response, sources: &mut SourceMap) -> Result<Document, LoadError> {
        Document::register(Document::parse(response)?, sources)
    }

    /// Reads and parses a response file without registering it: the first half of
    /// [`Document::read`], which may run on several threads for many files.
    pub fn parse(response: &Response) -> Result<Parsed, LoadError> {
        let path = response.path.as_path();
        let text = if response.inside {
            read_text(path, "response file")?
        } else {
            read_confined(&response.within, path, "response file")?
        };
        let parse = || match response.format {
            Format::Xml => parse_xml(Arc::clone(&text)),
            Format::Json => parse_json(Arc::clone(&text)),
        };
        // A large file's lines are indexed while it is parsed.
        let (parsed, lines) = if text.len() >= INDEX_ASIDE_BYTES {
            rayon::join(parse, || LineIndex::new(&text))
        } else {
            (parse(), LineIndex::new(&text))
        };
        let tree =
            parsed.map_err(|e| LoadError::at(path, &text, char_span(&text, e.span), e.message))?;
        Ok(Parsed {
            path: path.to_path_buf(),
            lines: Arc::new(lines),
            text,
            tree,
        })
    }

    /// Registers a parsed file in `sources`, refused when the export's files together pass
    /// the budget's input size.
    pub fn register(parsed: Parsed, sources: &mut SourceMap) -> Result<Document, LoadError> {
        let Parsed {
            path,
            text,
            lines,
            tree,
        } = parsed;
        let budget = Budget::current().map_err(|e| LoadError::file(&path, e))?;
        if sources.total_bytes().saturating_add(text.len() as u64) > budget.max_input_bytes {
            return Err(LoadError::file(
                &path,
                budget.input_too_large("the files of this export"),
            ));
        }
        let file = sources.add_indexed(&path, Arc::clone(&text), Arc::clone(&lines));
        Ok(Document {
            path,
            text,
            file,
            lines,
            tree,
        })
    }

    /// The root element (XML) or object (JSON).
    pub fn root(&self) -> Node<'_> {
        self.tree.root()
    }

    /// Where `node` is, for an entity's origin: a binary search in the file's line index.
    pub fn origin(&self, node: Node<'_>) -> Origin {
        Origin::indexed(self.file, &self.text, &self.lines, node.span())
    }

    /// An error at `node`.
    pub fn error(&self, node: Node<'_>, message: impl Into<String>) -> LoadError {
        self.error_at(node.span(), message)
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
    ) -> Result<impl Iterator<Item = Node<'a>>, LoadError> {
        let root = self.root();
        let is_collection = if root.name().is_empty() {
            !root.has_children() || root.child(item).is_some()
        } else {
            root.name() == wrapper
        };
        if !is_collection {
            let found = if root.name().is_empty() {
                let mut keys: Vec<String> = root
                    .children()
                    .take(5)
                    .map(|c| quote(c.name(), QUOTE_CHARS))
                    .collect();
                let members = root.children().count();
                if members > keys.len() {
                    keys.push(format!("and {} more", members - keys.len()));
                }
                format!("an object with members {}", keys.join(", "))
            } else {
                format!("<{}>", escape::control(root.name()))
            };
            return Err(self.error(
                root,
                format!("expected a collection of {item} (<{wrapper}>), found {found}"),
            ));
        }
        Ok(root.children_named(item))
    }

    /// The entity's `name`, which every entity the loader keeps must have.
    pub fn name(&self, node: Node<'_>, kind: &str) -> Result<String, LoadError> {
        node.text_at(&["name"])
            .map(str::to_string)
            .ok_or_else(|| self.error(node, format!("{kind} without a <name>")))
    }

    /// A boolean at `path`: `true`/`false` in any case, as text or as a JSON boolean.
    pub fn bool(&self, node: Node<'_>, path: &[&str]) -> Result<Option<bool>, LoadError> {
        self.value(node, path, "true or false", |text| {
            match text.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            }
        })
    }

    /// A number at `path`, as text or as a JSON number.
    pub fn number<T: FromStr>(
        &self,
        node: Node<'_>,
        path: &[&str],
    ) -> Result<Option<T>, LoadError> {
        self.value(node, path, "a number", |text| text.parse().ok())
    }

    /// A value at `path` read by `parse`; absent or empty is `None`, unreadable an error
    /// saying what was `expected`.
    pub fn value<T>(
        &self,
        node: Node<'_>,
        path: &[&str],
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, LoadError> {
        let Some(field) = node.at(path) else {
            return Ok(None);
        };
        let text = field.text().trim();
        if text.is_empty() {
            return Ok(None);
        }
        parse(text).map(Some).ok_or_else(|| {
            self.error(
                field,
                format!(
                    "<{}> is {}, expected {expected}",
                    path.join("/"),
                    quote(text, QUOTE_CHARS)
                ),
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
