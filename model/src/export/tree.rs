//! The generic document tree that both response formats are read into.
//!
//! The engine serves the same model as XML or JSON; reading both into one small tree
//! lets the entity mapping be written once. An XML element becomes a [`Node`] whose
//! attributes (`id`, `href`, `rel`) are child nodes with text; a JSON object becomes a
//! node whose members are children, an array becomes repeated children of the same name
//! (as repeated XML elements are), and a scalar becomes text (the engine sends numbers
//! and booleans as strings anyway).

use std::ops::Range;

/// One element (XML) or member (JSON) of an API response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Node {
    /// Element or member name; empty for the root of a JSON document, which has none.
    pub name: String,
    /// The text content; for XML elements with children, whatever text sits between them.
    pub text: String,
    pub children: Vec<Node>,
    /// Byte range of the element (XML) or of the enclosing object (JSON scalars and
    /// objects alike point at an object), for origins and error messages.
    pub span: Range<usize>,
}

/// A syntax error: where in the text and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

/// Documents nested deeper than this are rejected: real responses nest about ten levels,
/// and the limit keeps recursive drops and walks far from the stack's end.
pub const MAX_DEPTH: usize = 100;

impl Node {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children named `name`, in document order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The node at a path of child names (`["spm", "priority"]`).
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    /// The trimmed text of the node at `path`, when present and not empty.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|n| n.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// The engine id of this entity or reference (the `id` attribute / member).
    pub fn id(&self) -> Option<&str> {
        self.text_at(&["id"])
    }

    /// The items of the list `list` (`<nics><nic>..</nic></nics>`), none when it is absent.
    pub fn list<'a>(&'a self, list: &'a str, item: &'a str) -> impl Iterator<Item = &'a Node> {
        self.child(list)
            .into_iter()
            .flat_map(move |l| l.children_named(item))
    }

    /// The ids of the references listed under `list/item` (`<hosts><host id=".."/></hosts>`).
    pub fn ref_ids<'a>(&'a self, list: &'a str, item: &'a str) -> impl Iterator<Item = &'a str> {
        self.list(list, item).filter_map(Node::id)
    }
}
