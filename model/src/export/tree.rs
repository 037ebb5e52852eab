//! The generic document tree that both response formats are read into.
//!
//! The engine serves the same model as XML or JSON; reading both into one small tree
//! lets the entity mapping be written once. An XML element becomes a [`Node`] whose
//! attributes (`id`, `href`, `rel`) are child nodes with text; a JSON object becomes a
//! node whose members are children, an array becomes repeated children of the same name
//! (as repeated XML elements are), and a scalar becomes text (the engine sends numbers
//! and booleans as strings anyway).
//!
//! A 10,000-VM export holds millions of elements, so the tree is one flat table per
//! document: a node is an index into it, its name and text are byte ranges of the
//! document's own text (or, when they differ from it, of one buffer of decoded text), and
//! its children are linked from it. Building it allocates a handful of growing vectors,
//! not a string per name and value, and dropping it frees them at once.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A syntax error: where in the text and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

/// Documents nested deeper than this are rejected: real responses nest about ten levels,
/// and the limit keeps recursive walks far from the stack's end.
pub const MAX_DEPTH: usize = 100;

/// The most bytes of text a tree addresses (its offsets are 31 bits); the budget refuses
/// files this large long before.
const MAX_TEXT_BYTES: usize = (u32::MAX >> 1) as usize;

/// Marks a [`Str`] as a range of the decoded-text buffer rather than of the document.
const DECODED: u32 = 1 << 31;

/// "No node" in a child or sibling link: the root (index 0) is nobody's child or sibling.
pub(crate) const NONE: u32 = 0;

/// A string of the tree: a byte range of the document text, or with [`DECODED`] set in
/// `len`, of the tree's buffer of decoded text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Str {
    start: u32,
    len: u32,
}

impl Str {
    /// The empty string.
    pub(crate) const EMPTY: Str = Str { start: 0, len: 0 };

    /// The document's bytes `range`.
    pub(crate) fn source(range: Range<usize>) -> Str {
        // Callers check the text is at most MAX_TEXT_BYTES long.
        Str {
            start: range.start as u32,
            len: (range.end - range.start) as u32,
        }
    }

    fn is_decoded(self) -> bool {
        self.len & DECODED != 0
    }

    pub(crate) fn range(self) -> Range<usize> {
        let start = self.start as usize;
        start..start + (self.len & !DECODED) as usize
    }

    /// The same string in a tree whose decoded buffer is placed `decoded_offset` bytes on.
    fn shifted(self, decoded_offset: u32) -> Str {
        if self.is_decoded() {
            Str {
                start: self.start + decoded_offset,
                ..self
            }
        } else {
            self
        }
    }
}

/// One node of a tree's table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) name: Str,
    pub(crate) text: Str,
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) first_child: u32,
    pub(crate) next_sibling: u32,
}

impl Entry {
    /// A childless node.
    pub(crate) fn new(name: Str, text: Str, span: Range<usize>) -> Entry {
        Entry {
            name,
            text,
            start: span.start as u32,
            end: span.end as u32,
            first_child: NONE,
            next_sibling: NONE,
        }
    }

    pub(crate) fn span(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub(crate) fn set_span(&mut self, span: Range<usize>) {
        self.start = span.start as u32;
        self.end = span.end as u32;
    }

    /// The same entry in a table where its own table is placed at `nodes` and its decoded
    /// buffer at `decoded`.
    fn shifted(self, nodes: u32, decoded: u32) -> Entry {
        let link = |index: u32| if index == NONE { NONE } else { index + nodes };
        Entry {
            name: self.name.shifted(decoded),
            text: self.text.shifted(decoded),
            first_child: link(self.first_child),
            next_sibling: link(self.next_sibling),
            ..self
        }
    }
}

/// A parsed response: its text, and its nodes with the root first.
#[derive(Clone, PartialEq, Eq)]
pub struct Tree {
    source: Arc<str>,
    decoded: String,
    nodes: Vec<Entry>,
}

impl Tree {
    /// The root element (XML) or object (JSON).
    pub fn root(&self) -> Node<'_> {
        Node {
            tree: self,
            index: 0,
        }
    }

    /// The text the tree was parsed from.
    pub fn source(&self) -> &Arc<str> {
        &self.source
    }

    fn str(&self, s: Str) -> &str {
        let range = s.range();
        if s.is_decoded() {
            &self.decoded[range]
        } else {
            &self.source[range]
        }
    }

    fn bytes(&self, s: Str) -> &[u8] {
        let range = s.range();
        if s.is_decoded() {
            &self.decoded.as_bytes()[range]
        } else {
            &self.source.as_bytes()[range]
        }
    }
}

impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root().fmt(f)
    }
}

/// One element (XML) or member (JSON) of an API response: a place in its [`Tree`].
#[derive(Clone, Copy)]
pub struct Node<'a> {
    tree: &'a Tree,
    index: u32,
}

impl<'a> Node<'a> {
    fn entry(self) -> &'a Entry {
        &self.tree.nodes[self.index as usize]
    }

    /// Element or member name; empty for the root of a JSON document, which has none.
    pub fn name(self) -> &'a str {
        self.tree.str(self.entry().name)
    }

    /// The text content. For an XML element with children, whatever text sits between
    /// them, except whitespace before its first text that is not whitespace (the
    /// indentation of its children): trimmed, it is all of the element's text.
    pub fn text(self) -> &'a str {
        self.tree.str(self.entry().text)
    }

    /// Byte range of the element (XML) or of the enclosing object (JSON objects) or of the
    /// member's key (JSON scalars), for origins and error messages.
    pub fn span(self) -> Range<usize> {
        self.entry().span()
    }

    /// The children, in document order.
    pub fn children(self) -> Children<'a> {
        Children {
            tree: self.tree,
            next: self.entry().first_child,
        }
    }

    /// Whether the node has any child.
    pub fn has_children(self) -> bool {
        self.entry().first_child != NONE
    }

    /// The first child named `name`.
    pub fn child(self, name: &str) -> Option<Node<'a>> {
        self.children_named(name).next()
    }

    /// All children named `name`, in document order.
    pub fn children_named<'n>(self, name: &'n str) -> impl Iterator<Item = Node<'a>> + 'n
    where
        'a: 'n,
    {
        let tree = self.tree;
        self.children()
            .filter(move |c| tree.bytes(c.entry().name) == name.as_bytes())
    }

    /// The node at a path of child names (`["spm", "priority"]`).
    pub fn at(self, path: &[&str]) -> Option<Node<'a>> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The trimmed text of the node at `path`, when present and not empty.
    pub fn text_at(self, path: &[&str]) -> Option<&'a str> {
        self.at(path)
            .map(|n| n.text().trim())
            .filter(|t| !t.is_empty())
    }

    /// The engine id of this entity or reference (the `id` attribute / member).
    pub fn id(self) -> Option<&'a str> {
        self.text_at(&["id"])
    }

    /// The items of the list `list` (`<nics><nic>..</nic></nics>`), none when it is absent.
    pub fn list<'n>(self, list: &'n str, item: &'n str) -> impl Iterator<Item = Node<'a>> + 'n
    where
        'a: 'n,
    {
        self.child(list)
            .into_iter()
            .flat_map(move |l| l.children_named(item))
    }

    /// The ids of the references listed under `list/item` (`<hosts><host id=".."/></hosts>`).
    pub fn ref_ids<'n>(self, list: &'n str, item: &'n str) -> impl Iterator<Item = &'a str> + 'n
    where
        'a: 'n,
    {
        self.list(list, item).filter_map(Node::id)
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Node");
        out.field("name", &self.name())
            .field("text", &self.text())
            .field("span", &self.span());
        if self.has_children() {
            out.field("children", &self.children().collect::<Vec<_>>());
        }
        out.finish()
    }
}

/// The children of a [`Node`].
#[derive(Clone)]
pub struct Children<'a> {
    tree: &'a Tree,
    next: u32,
}

impl<'a> Iterator for Children<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        if self.next == NONE {
            return None;
        }
        let node = Node {
            tree: self.tree,
            index: self.next,
        };
        self.next = node.entry().next_sibling;
        Some(node)
    }
}

/// A tree being built: the table, the decoded-text buffer, and the document.
pub(crate) struct Builder<'s> {
    pub(crate) source: &'s str,
    pub(crate) nodes: Vec<Entry>,
    pub(crate) decoded: String,
}

impl<'s> Builder<'s> {
    /// An empty table over `source`, refused when `source` is too large to address.
    pub(crate) fn new(source: &'s str) -> Result<Builder<'s>, SyntaxError> {
        if source.len() > MAX_TEXT_BYTES {
            return Err(too_large());
        }
        Ok(Builder {
            source,
            nodes: Vec::new(),
            decoded: String::new(),
        })
    }

    /// Adds a node, returning its index.
    pub(crate) fn push(&mut self, entry: Entry) -> Result<u32, SyntaxError> {
        let index = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .ok_or_else(too_large)?;
        self.nodes.push(entry);
        Ok(index)
    }

    /// `text` as a string of the tree: a range of the document when it is a slice of it,
    /// else a copy in the decoded buffer.
    pub(crate) fn str(&mut self, text: &str) -> Result<Str, SyntaxError> {
        match self.source_str(text) {
            Some(s) => Ok(s),
            None => self.decoded_str(text),
        }
    }

    /// `text` as a range of the document, when it is a slice of it.
    pub(crate) fn source_str(&self, text: &str) -> Option<Str> {
        self.source_range(text.as_bytes())
    }

    /// `bytes` as a range of the document, when they are a slice of it cut at character
    /// boundaries.
    pub(crate) fn source_range(&self, bytes: &[u8]) -> Option<Str> {
        let start = (bytes.as_ptr() as usize).checked_sub(self.source.as_ptr() as usize)?;
        let end = start.checked_add(bytes.len())?;
        (end <= self.source.len()
            && self.source.is_char_boundary(start)
            && self.source.is_char_boundary(end))
        .then(|| Str::source(start..end))
    }

    /// A copy of `text` in the decoded buffer.
    pub(crate) fn decoded_str(&mut self, text: &str) -> Result<Str, SyntaxError> {
        let start = self.decoded.len();
        if start + text.len() > MAX_TEXT_BYTES {
            return Err(too_large());
        }
        self.decoded.push_str(text);
        Ok(Str {
            start: start as u32,
            len: text.len() as u32 | DECODED,
        })
    }

    /// The string `s` of this builder.
    pub(crate) fn get(&self, s: Str) -> &str {
        let range = s.range();
        if s.is_decoded() {
            &self.decoded[range]
        } else {
            &self.source[range]
        }
    }

    /// Makes `child` the last child of `parent`, whose last child so far is `last`
    /// (updated).
    pub(crate) fn link(&mut self, parent: u32, last: &mut u32, child: u32) {
        if *last == NONE {
            self.nodes[parent as usize].first_child = child;
        } else {
            self.nodes[*last as usize].next_sibling = child;
        }
        *last = child;
    }

    /// Appends the nodes of `part` (built over the same document) but its first, which
    /// stands for a node of this table: its children become children of `parent` (whose
    /// last child so far is `last`). Their links and decoded strings are moved along.
    pub(crate) fn append_children_of_first(
        &mut self,
        part: Builder<'_>,
        parent: u32,
        last: &mut u32,
    ) -> Result<(), SyntaxError> {
        let Some((first, rest)) = part.nodes.split_first() else {
            return Ok(());
        };
        // Indices of `part` from 1 up land at `self.nodes.len()` up.
        let node_offset = u32::try_from(self.nodes.len())
            .ok()
            .and_then(|n| n.checked_sub(1))
            .ok_or_else(too_large)?;
        if self.nodes.len() + rest.len() >= u32::MAX as usize
            || self.decoded.len() + part.decoded.len() > MAX_TEXT_BYTES
        {
            return Err(too_large());
        }
        let decoded_offset = self.decoded.len() as u32;
        self.decoded.push_str(&part.decoded);
        self.nodes.reserve(rest.len());
        self.nodes.extend(
            rest.iter()
                .map(|entry| entry.shifted(node_offset, decoded_offset)),
        );
        let mut child = first.first_child;
        while child != NONE {
            let index = child + node_offset;
            self.link(parent, last, index);
            child = part.nodes[child as usize].next_sibling;
        }
        Ok(())
    }

    /// The finished tree over `source` (the text this builder was made over).
    pub(crate) fn finish(self, source: Arc<str>) -> Tree {
        debug_assert!(std::ptr::eq(source.as_ptr(), self.source.as_ptr()));
        Tree {
            source,
            decoded: self.decoded,
            nodes: self.nodes,
        }
    }
}

fn too_large() -> SyntaxError {
    SyntaxError {
        span: 0..0,
        message: format!("more text than a document may hold ({MAX_TEXT_BYTES} bytes)"),
    }
}
