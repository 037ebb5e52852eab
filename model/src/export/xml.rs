//! XML responses into the generic [`Tree`], keeping the byte span of every element.
//!
//! A large collection (`vms.xml` of a 10,000-VM engine is about 100 MB) is parsed in
//! parts on every core: the text is cut before top-level items (`<vm` right after a
//! `</vm>`), each part is parsed on its own with the positions of the whole
//! text, and the parts' nodes are joined in order. A part parses only when the cut before
//! and after it fall between two items (a cut inside a comment, a value or a nested
//! element leaves a part that does not parse), so the joined tree is the one the whole
//! parse gives; when any part does not parse, the whole text is parsed on one thread, so
//! that errors are found and reported by one parse.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use rayon::iter::{IntoParallelIterator, ParallelIterator};

use crate::escape::{QUOTE_CHARS, clip, control, quote};
use crate::export::tree::{Builder, Entry, MAX_DEPTH, NONE, Str, SyntaxError, Tree};

/// Texts at least this long are parsed in parts when there is more than one thread.
const PARALLEL_BYTES: usize = 4 << 20;

/// Parts are at least this long.
const PART_BYTES: usize = 1 << 20;

/// Parses an XML document into a tree whose root is its root element.
pub fn parse_xml(text: impl Into<Arc<str>>) -> Result<Tree, SyntaxError> {
    let text: Arc<str> = text.into();
    let threads = rayon::current_num_threads();
    let parts = if text.len() >= PARALLEL_BYTES && threads > 1 {
        (threads * 4).min(text.len() / PART_BYTES)
    } else {
        1
    };
    let builder = parse_builder(&text, parts)?;
    Ok(builder.finish(Arc::clone(&text)))
}

/// The document parsed in up to `parts` parts, or in one when it cannot be cut.
fn parse_builder(text: &str, parts: usize) -> Result<Builder<'_>, SyntaxError> {
    if parts > 1
        && let Some(builder) = parse_in_parts(text, parts)
    {
        return Ok(builder);
    }
    parse_whole(text)
}

fn parse_whole(text: &str) -> Result<Builder<'_>, SyntaxError> {
    let mut parser = Parser::new(text, Part::Whole)?;
    parser.run(0..text.len())?;
    parser.finish()
}

/// Which part of the document a [`Parser`] reads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part<'s> {
    /// From the start: the whole document, or its head up to the first cut.
    Whole,
    /// Top-level items between two cuts; node 0 stands for the root element.
    Middle,
    /// From the last cut: items, then the end tag of the root (named so) and the end.
    Last { root_name: &'s [u8] },
}

/// Text gathered for an open element.
enum Text {
    None,
    /// One run, a slice of the document.
    Run(Str),
    /// Several runs, or a decoded one.
    Owned(String),
}

/// An element whose end tag is not read yet.
struct Open {
    index: u32,
    last_child: u32,
    text: Text,
}

struct Parser<'s> {
    tree: Builder<'s>,
    /// Open elements, innermost last.
    open: Vec<Open>,
    part: Part<'s>,
    /// The root element was read (closed, in the last part).
    root_done: bool,
    /// Where the root element ends, when its end tag is in this part.
    root_end: Option<usize>,
    /// Attribute names of the element being read, for the duplicate check.
    attributes: Vec<Str>,
    /// Key and value ranges of the plain attributes of the element being read.
    plain: Vec<(Range<usize>, Range<usize>)>,
}

impl<'s> Parser<'s> {
    fn new(text: &'s str, part: Part<'s>) -> Result<Parser<'s>, SyntaxError> {
        let mut parser = Parser {
            tree: Builder::new(text)?,
            open: Vec::new(),
            part,
            root_done: false,
            root_end: None,
            attributes: Vec::new(),
            plain: Vec::new(),
        };
        if part != Part::Whole {
            let index = parser.tree.push(Entry::default())?;
            parser.open.push(Open {
                index,
                last_child: NONE,
                text: Text::None,
            });
        }
        Ok(parser)
    }

    /// Reads the events of `range` of the text.
    fn run(&mut self, range: Range<usize>) -> Result<(), SyntaxError> {
        let source = self.tree.source;
        let offset = range.start;
        let mut reader = Reader::from_str(&source[range]);
        reader.config_mut().check_end_names = true;
        // The end tag of the root, in the last part, has no start tag in that part.
        reader.config_mut().allow_unmatched_ends = self.part != Part::Whole;
        let at =
            |position: u64| offset.saturating_add(usize::try_from(position).unwrap_or(usize::MAX));
        loop {
            let start = at(reader.buffer_position());
            let event = reader.read_event().map_err(|e| SyntaxError {
                span: at(reader.error_position())..at(reader.buffer_position()),
                message: format!("malformed XML: {e}"),
            })?;
            let end = at(reader.buffer_position());
            match event {
                Event::Start(tag) => {
                    let (index, last_child) = self.element(&tag, start..end)?;
                    self.open.push(Open {
                        index,
                        last_child,
                        text: Text::None,
                    });
                }
                Event::Empty(tag) => {
                    self.element(&tag, start..end)?;
                }
                Event::End(tag) => self.end(tag.name().as_ref(), start..end)?,
                Event::Text(content) => {
                    // ASCII text without a carriage return is its own content: nothing to
                    // decode and no line ends to normalise.
                    let plain = content
                        .iter()
                        .all(|&b| b.is_ascii() && b != b'\r')
                        .then(|| self.tree.source_range(&content))
                        .flatten();
                    let content = match plain {
                        Some(run) => Cow::Borrowed(&source[run.range()]),
                        None => content.xml_content().map_err(|e| SyntaxError {
                            span: start..end,
                            message: format!("malformed text: {e}"),
                        })?,
                    };
                    self.append_text(content, start..end)?;
                }
                Event::CData(content) => {
                    let content = content.xml_content().map_err(|e| SyntaxError {
                        span: start..end,
                        message: format!("malformed CDATA: {e}"),
                    })?;
                    self.append_text(content, start..end)?;
                }
                Event::GeneralRef(reference) => {
                    let resolved = resolve_reference(&reference, start..end)?;
                    self.append_text(Cow::Owned(resolved), start..end)?;
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
                Event::Eof => return Ok(()),
            }
        }
    }

    /// The tree of a whole document, once all of it is read.
    fn finish(mut self) -> Result<Builder<'s>, SyntaxError> {
        if let Some(unclosed) = self.open.pop() {
            let entry = self.tree.nodes[unclosed.index as usize];
            return Err(SyntaxError {
                message: format!(
                    "<{}> is never closed (the file ends early)",
                    control(self.tree.get(entry.name))
                ),
                span: entry.span(),
            });
        }
        if !self.root_done {
            return Err(SyntaxError {
                span: 0..0,
                message: "no XML element in the file".to_string(),
            });
        }
        Ok(self.tree)
    }

    /// A new node for a start or empty tag, its attributes as child nodes, linked to its
    /// parent: its index and that of its last attribute.
    fn element(
        &mut self,
        tag: &BytesStart<'_>,
        span: Range<usize>,
    ) -> Result<(u32, u32), SyntaxError> {
        if self.open.is_empty() && self.root_done {
            return Err(second_root(span));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(SyntaxError {
                span,
                message: format!("elements nested deeper than {MAX_DEPTH} levels"),
            });
        }
        let malformed = |what: String| SyntaxError {
            span: span.clone(),
            message: format!("malformed XML: {what}"),
        };
        let name = self
            .name(tag.local_name().into_inner())
            .map_err(|e| malformed(e.to_string()))?;
        let index = self.tree.push(Entry::new(name, Str::EMPTY, span.clone()))?;
        match self.open.last_mut() {
            Some(parent) => {
                if let Text::Run(_) | Text::Owned(_) = parent.text
                    && is_blank(&self.tree, &parent.text)
                {
                    // The indentation before the first child is not text of the parent.
                    parent.text = Text::None;
                }
                self.tree.link(parent.index, &mut parent.last_child, index);
            }
            None => self.root_done = true,
        }
        // quick-xml's own duplicate check compares each attribute with all before it, which
        // is quadratic in an element of 160,000 attributes; the check below is linear.
        self.attributes.clear();
        let mut last = NONE;
        let raw = tag.attributes_raw();
        if let Some(base) = self.tree.source_range(raw)
            && plain_attributes(raw, &mut self.plain)
        {
            let base = base.range().start;
            for (key, value) in &self.plain {
                let key = Str::source(base + key.start..base + key.end);
                let value = Str::source(base + value.start..base + value.end);
                let child = self.tree.push(Entry::new(key, value, span.clone()))?;
                self.tree.link(index, &mut last, child);
                self.attributes.push(key);
            }
        } else {
            self.quick_xml_attributes(tag, index, &mut last, span.clone())?;
        }
        if let Some(duplicate) = self.duplicate_attribute() {
            return Err(malformed(format!(
                "the attribute {} appears twice in <{}>",
                quote(self.tree.get(duplicate), QUOTE_CHARS),
                control(self.tree.get(name))
            )));
        }
        Ok((index, last))
    }

    /// The attributes of `tag` as quick-xml reads them, as children of node `index`.
    fn quick_xml_attributes(
        &mut self,
        tag: &BytesStart<'_>,
        index: u32,
        last: &mut u32,
        span: Range<usize>,
    ) -> Result<(), SyntaxError> {
        let malformed = |what: String| SyntaxError {
            span: span.clone(),
            message: format!("malformed XML: {what}"),
        };
        for attribute in tag.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| malformed(e.to_string()))?;
            let key = self
                .name(attribute.key.local_name().into_inner())
                .map_err(|e| malformed(e.to_string()))?;
            let value = attribute
                .unescape_value()
                .map_err(|e| malformed(e.to_string()))?;
            let value = self.tree.str(&value)?;
            let child = self.tree.push(Entry::new(key, value, span.clone()))?;
            self.tree.link(index, last, child);
            self.attributes.push(key);
        }
        Ok(())
    }

    /// A tag or attribute name (a slice of the text) as a string of the tree.
    fn name(&mut self, bytes: &[u8]) -> Result<Str, std::str::Utf8Error> {
        // quick-xml gives names as slices of the text, cut at ASCII bytes, so they are
        // whole characters; a name that is not is checked and copied.
        if let Some(name) = self.tree.source_range(bytes) {
            return Ok(name);
        }
        let name = std::str::from_utf8(bytes)?;
        Ok(self.tree.decoded_str(name).unwrap_or(Str::EMPTY))
    }

    /// A name two attributes of the element just read share, if any.
    fn duplicate_attribute(&self) -> Option<Str> {
        let names = &self.attributes;
        let text = |s: &Str| self.tree.get(*s);
        if names.len() <= 8 {
            return names
                .iter()
                .enumerate()
                .find_map(|(i, a)| names[..i].iter().any(|b| text(a) == text(b)).then_some(*a));
        }
        let mut seen = HashSet::with_capacity(names.len());
        names.iter().find(|a| !seen.insert(text(a))).copied()
    }

    fn end(&mut self, name: &[u8], span: Range<usize>) -> Result<(), SyntaxError> {
        // quick-xml has checked that the name matches the innermost open element, except
        // for the root's end tag in the last part.
        if self.open.len() == 1 && self.part != Part::Whole {
            return match self.part {
                Part::Last { root_name }
                    if name == root_name
                        && !self.root_done
                        && matches!(self.open[0].text, Text::None) =>
                {
                    self.root_done = true;
                    self.root_end = Some(span.end);
                    self.open.pop();
                    Ok(())
                }
                _ => Err(SyntaxError {
                    span,
                    message: "a part ends outside the root element".to_string(),
                }),
            };
        }
        let Some(open) = self.open.pop() else {
            return Err(SyntaxError {
                span,
                message: "closing tag without an opening tag".to_string(),
            });
        };
        let text = match open.text {
            Text::None => Str::EMPTY,
            Text::Run(run) => run,
            Text::Owned(text) => self.tree.decoded_str(&text)?,
        };
        let entry = &mut self.tree.nodes[open.index as usize];
        entry.text = text;
        entry.end = span.end as u32;
        Ok(())
    }

    fn append_text(
        &mut self,
        content: Cow<'_, str>,
        span: Range<usize>,
    ) -> Result<(), SyntaxError> {
        let Some(open) = self.open.last_mut() else {
            if is_blank_str(&content) {
                return Ok(());
            }
            return Err(SyntaxError {
                span,
                message: "text outside the root element".to_string(),
            });
        };
        match &mut open.text {
            Text::None => {
                // Indentation between children is not text of the parent.
                if open.last_child != NONE && is_blank_str(&content) {
                    return Ok(());
                }
                open.text = match self.tree.source_str(&content) {
                    Some(run) => Text::Run(run),
                    None => Text::Owned(content.into_owned()),
                };
            }
            Text::Run(run) => {
                let mut text = self.tree.get(*run).to_string();
                text.push_str(&content);
                open.text = Text::Owned(text);
            }
            Text::Owned(text) => text.push_str(&content),
        }
        Ok(())
    }
}

/// Whether an element's text so far is only whitespace.
fn is_blank(tree: &Builder<'_>, text: &Text) -> bool {
    match text {
        Text::None => true,
        Text::Run(run) => is_blank_str(tree.get(*run)),
        Text::Owned(text) => is_blank_str(text),
    }
}

/// Whether `text` is only whitespace (as [`str::trim`] sees it), ASCII checked first.
fn is_blank_str(text: &str) -> bool {
    match text
        .bytes()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
    {
        None => true,
        Some(b) if b.is_ascii() => false,
        Some(_) => text.trim().is_empty(),
    }
}

/// The attributes of a tag (the bytes after its name) when all are written the plain way,
/// ` name="value"` with no reference in the value: key (local name) and value ranges in
/// `raw`, as quick-xml would read them. `false` for anything else, left to quick-xml.
fn plain_attributes(raw: &[u8], out: &mut Vec<(Range<usize>, Range<usize>)>) -> bool {
    out.clear();
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = 0;
    loop {
        let before = i;
        while raw.get(i).copied().is_some_and(space) {
            i += 1;
        }
        if i == raw.len() {
            return true;
        }
        if i == before {
            return false;
        }
        let key_start = i;
        while raw.get(i).is_some_and(|&b| {
            !space(b) && !matches!(b, b'=' | b'"' | b'\'' | b'<' | b'>' | b'&' | b'/')
        }) {
            i += 1;
        }
        let key = key_start..i;
        if key.is_empty() || raw.get(i) != Some(&b'=') {
            return false;
        }
        let Some(&quote) = raw.get(i + 1).filter(|&&q| q == b'"' || q == b'\'') else {
            return false;
        };
        let value_start = i + 2;
        let Some(len) = memchr::memchr(quote, &raw[value_start..]) else {
            return false;
        };
        let value = value_start..value_start + len;
        if memchr::memchr2(b'&', b'<', &raw[value.clone()]).is_some() {
            return false;
        }
        // The local name: after the first `:`, as quick-xml's `local_name`.
        let local = match raw[key.clone()].iter().position(|&b| b == b':') {
            Some(colon) => key.start + colon + 1..key.end,
            None => key,
        };
        out.push((local, value.clone()));
        i = value.end + 1;
    }
}

/// Where to cut `text` into up to `parts` parts: before top-level items, recognised as
/// start tags named as the first item right after an end tag of that name (a guess: a
/// wrong one leaves a part that does not parse). `None` when the root has no children.
fn cuts(text: &str, parts: usize) -> Option<(&[u8], Vec<usize>)> {
    let mut reader = Reader::from_str(text);
    let slice = |bytes: &[u8]| {
        let start = (bytes.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
        text.as_bytes().get(start..start + bytes.len())
    };
    let mut root_name = None;
    let (first_name, first) = loop {
        let start = usize::try_from(reader.buffer_position()).ok()?;
        match reader.read_event().ok()? {
            Event::Start(tag) if root_name.is_none() => {
                root_name = Some(slice(tag.name().as_ref())?)
            }
            Event::Start(tag) | Event::Empty(tag) if root_name.is_some() => {
                break (slice(tag.name().as_ref())?, start);
            }
            Event::Empty(_) | Event::End(_) | Event::Eof => return None,
            _ => {}
        }
    };
    // `</vm>\n    <vm`: the start tag of an item right after the end tag of another.
    let pattern = format!("<{}", std::str::from_utf8(first_name).ok()?);
    let closing = format!("</{}>", &pattern[1..]);
    let step = (text.len() - first) / parts;
    let mut cuts = Vec::with_capacity(parts);
    let mut from = first + 1;
    'cuts: for i in 1..parts {
        from = from.max(first + i * step);
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let cut = loop {
            let Some(found) = text[from..].find(&pattern).map(|at| from + at) else {
                break 'cuts;
            };
            let after = text.as_bytes().get(found + pattern.len());
            let delimited = matches!(after, Some(b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/'));
            if delimited && text[..found].trim_end().ends_with(&closing) {
                break found;
            }
            from = found + 1;
        };
        cuts.push(cut);
        from = cut + 1;
    }
    Some((root_name?, cuts))
}

/// The document parsed in parts on every core and joined, or `None` when a part does not
/// parse on its own (the whole text is then parsed in one).
fn parse_in_parts(text: &str, parts: usize) -> Option<Builder<'_>> {
    let (root_name, cuts) = cuts(text, parts)?;
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(text.len());
    let last = bounds.len() - 2;
    let parsed: Vec<Option<Parser<'_>>> = (0..=last)
        .into_par_iter()
        .map(|i| {
            let part = match i {
                0 => Part::Whole,
                _ if i == last => Part::Last { root_name },
                _ => Part::Middle,
            };
            let mut parser = Parser::new(text, part).ok()?;
            parser.run(bounds[i]..bounds[i + 1]).ok()?;
            Some(parser)
        })
        .collect();
    let mut parsed = parsed.into_iter();
    let mut head = parsed.next()??;
    // The head ends inside the root, which has had children and no text.
    if head.open.len() != 1 || !matches!(head.open[0].text, Text::None) {
        return None;
    }
    let root = head.open.pop()?;
    let mut last_child = root.last_child;
    for part in parsed {
        let part = part?;
        let complete = match part.part {
            Part::Middle => part.open.len() == 1 && matches!(part.open[0].text, Text::None),
            _ => part.open.is_empty() && part.root_end.is_some(),
        };
        if !complete {
            return None;
        }
        if let Some(end) = part.root_end {
            head.tree.nodes[root.index as usize].end = u32::try_from(end).ok()?;
        }
        head.tree
            .append_children_of_first(part.tree, root.index, &mut last_child)
            .ok()?;
    }
    Some(head.tree)
}

fn second_root(span: Range<usize>) -> SyntaxError {
    SyntaxError {
        span,
        message: "a second root element (a response holds exactly one)".to_string(),
    }
}

/// `&amp;`, `&#38;` and the other references XML itself defines; the API uses no others.
fn resolve_reference(
    reference: &quick_xml::events::BytesRef<'_>,
    span: Range<usize>,
) -> Result<String, SyntaxError> {
    let unknown = |what: String| SyntaxError {
        span: span.clone(),
        message: format!("unknown entity reference: {what}"),
    };
    if let Some(ch) = reference
        .resolve_char_ref()
        .map_err(|e| unknown(e.to_string()))?
    {
        return Ok(ch.to_string());
    }
    let name = reference.decode().map_err(|e| unknown(e.to_string()))?;
    resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| unknown(clip(&format!("&{name};"), QUOTE_CHARS)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{parse_builder, parse_in_parts, parse_whole};
    use crate::export::tree::{SyntaxError, Tree};

    /// A collection of `n` VMs with what a part must carry over exactly: attributes,
    /// escaped and CDATA text, comments, nested lists and a nested `<vm>` reference.
    fn collection(n: usize) -> String {
        let mut text = String::from("<?xml version=\"1.0\"?>\n<vms>\n");
        for i in 0..n {
            text.push_str(&format!(
                "    <vm href=\"/vms/{i}\" id=\"{i}\">\n        <name>vm-{i} &amp; co</name>\n\
                 \x20       <description><![CDATA[a <b>]]> and more</description>\n\
                 \x20       <!-- <vm id=\"not\"> -->\n        <memory>{}</memory>\n\
                 \x20       <snapshots>\n            <snapshot id=\"s{i}\"><vm id=\"{i}\"/></snapshot>\n\
                 \x20       </snapshots>\n        <status>up</status>\n    </vm>\n",
                i * 1024
            ));
        }
        text.push_str("</vms>\n");
        text
    }

    fn whole(text: &Arc<str>) -> Result<Tree, SyntaxError> {
        parse_whole(text).map(|b| b.finish(Arc::clone(text)))
    }

    #[test]
    fn parts_give_the_tree_of_the_whole() {
        let text: Arc<str> = collection(40).into();
        let expected = whole(&text).unwrap();
        assert_eq!(expected.root().children_named("vm").count(), 40);
        for parts in 2..=9 {
            let joined = parse_in_parts(&text, parts)
                .unwrap_or_else(|| panic!("{parts} parts parse"))
                .finish(Arc::clone(&text));
            assert_eq!(joined, expected, "{parts} parts");
        }
    }

    #[test]
    fn a_part_that_does_not_parse_leaves_the_error_to_the_whole_parse() {
        let good = collection(40);
        // A broken item, a root closed by the wrong name, an unclosed item at the end.
        let item = good.match_indices("<status>up</status>").nth(29).unwrap().0;
        let mut in_item = good.clone();
        in_item.replace_range(item..item + 19, "<status>up</stats>");
        let broken = [
            in_item,
            good.replace("</vms>", "</vmz>"),
            good.replace("</vms>\n", ""),
            good.replacen("    </vm>\n", "", 40),
        ];
        for text in broken {
            let text: Arc<str> = text.into();
            let expected = whole(&text).unwrap_err();
            for parts in 2..=6 {
                assert!(parse_in_parts(&text, parts).is_none(), "{parts} parts");
                let error = parse_builder(&text, parts).map(drop).unwrap_err();
                assert_eq!(error, expected, "{parts} parts");
            }
        }
    }

    #[test]
    fn cuts_inside_comments_nested_items_or_stray_text_fall_back_to_the_whole_parse() {
        let good = collection(6);
        // Lines that look like item starts inside a comment, inside an item at the items'
        // indentation, and text between items.
        let fake: String = (0..200)
            .map(|i| format!("\n    <vm id=\"c{i}\"></vm>"))
            .collect();
        let texts = [
            good.replacen(
                "    </vm>\n",
                &format!("    </vm>\n    <!--{fake}\n    -->\n"),
                1,
            ),
            good.replacen(
                "    </vm>",
                &format!("<nested>{fake}</nested>\n    </vm>"),
                1,
            ),
            good.replacen(
                "    <vm href",
                &format!("{}\n    <vm href", "stray text ".repeat(500)),
                3,
            ),
        ];
        for (case, text) in texts.into_iter().enumerate() {
            let text: Arc<str> = text.into();
            let expected = whole(&text).unwrap();
            assert!(parse_in_parts(&text, 2).is_none(), "case {case}");
            for parts in 2..=6 {
                let tree = parse_builder(&text, parts)
                    .unwrap()
                    .finish(Arc::clone(&text));
                assert_eq!(tree, expected, "{parts} parts");
            }
        }
    }

    #[test]
    fn attributes_read_plainly_or_by_quick_xml_are_the_same() {
        let text: Arc<str> =
            "<a b=\"1\" ns:c='2'>\n<d e=\"x &amp; y\" f = \"3\"/><g\th=\"\"\n/></a>".into();
        let tree = whole(&text).unwrap();
        let attributes = |node: crate::export::tree::Node<'_>| -> Vec<(String, String)> {
            node.children()
                .filter(|c| c.span().start == node.span().start)
                .map(|c| (c.name().to_string(), c.text().to_string()))
                .collect()
        };
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let root = tree.root();
        assert_eq!(attributes(root), pairs(&[("b", "1"), ("c", "2")]));
        let d = root.child("d").unwrap();
        assert_eq!(attributes(d), pairs(&[("e", "x & y"), ("f", "3")]));
        assert_eq!(attributes(root.child("g").unwrap()), pairs(&[("h", "")]));
        let duplicate = whole(&"<a b=\"1\" b=\"2\"/>".into()).unwrap_err();
        assert!(duplicate.message.contains("appears twice"), "{duplicate:?}");
    }

    #[test]
    fn text_is_the_elements_own_and_indentation_is_left_out() {
        let text: Arc<str> =
            "<a>\n  <b> x &lt; y </b>\n  <c>one<d/>two<d/> </c>\n  <e>   </e>\n</a>".into();
        let tree = whole(&text).unwrap();
        let root = tree.root();
        assert_eq!(root.text(), "");
        assert_eq!(root.child("b").unwrap().text(), " x < y ");
        assert_eq!(root.child("c").unwrap().text(), "onetwo ");
        assert_eq!(root.child("e").unwrap().text(), "   ");
        assert_eq!(root.child("b").unwrap().span(), 6..23);
    }
}
