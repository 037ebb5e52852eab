//! XML responses into the generic [`Node`] tree, keeping the byte span of every element.

use std::collections::HashSet;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use crate::escape::{QUOTE_CHARS, clip, control, quote};
use crate::export::tree::{MAX_DEPTH, Node, SyntaxError};

/// Parses an XML document and returns its root element.
pub fn parse_xml(text: &str) -> Result<Node, SyntaxError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Open elements, innermost last.
    let mut open: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let start = position(reader.buffer_position());
        let event = reader.read_event().map_err(|e| SyntaxError {
            span: position(reader.error_position())..position(reader.buffer_position()),
            message: format!("malformed XML: {e}"),
        })?;
        let end = position(reader.buffer_position());
        match event {
            Event::Start(tag) => {
                if root.is_some() {
                    return Err(second_root(start..end));
                }
                if open.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        span: start..end,
                        message: format!("elements nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                open.push(element(&tag, start..end)?);
            }
            Event::Empty(tag) => {
                let node = element(&tag, start..end)?;
                close(node, &mut open, &mut root, start..end)?;
            }
            Event::End(_) => {
                // quick-xml has checked that the name matches the innermost open element.
                let Some(mut node) = open.pop() else {
                    return Err(SyntaxError {
                        span: start..end,
                        message: "closing tag without an opening tag".to_string(),
                    });
                };
                node.span.end = end;
                close(node, &mut open, &mut root, start..end)?;
            }
            Event::Text(content) => {
                let content = content.xml_content().map_err(|e| SyntaxError {
                    span: start..end,
                    message: format!("malformed text: {e}"),
                })?;
                append_text(&mut open, &content, start..end)?;
            }
            Event::CData(content) => {
                let content = content.xml_content().map_err(|e| SyntaxError {
                    span: start..end,
                    message: format!("malformed CDATA: {e}"),
                })?;
                append_text(&mut open, &content, start..end)?;
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference, start..end)?;
                append_text(&mut open, &resolved, start..end)?;
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(unclosed) = open.pop() {
        return Err(SyntaxError {
            message: format!(
                "<{}> is never closed (the file ends early)",
                control(&unclosed.name)
            ),
            span: unclosed.span,
        });
    }
    root.ok_or_else(|| SyntaxError {
        span: 0..0,
        message: "no XML element in the file".to_string(),
    })
}

fn position(offset: u64) -> usize {
    usize::try_from(offset).unwrap_or(usize::MAX)
}

fn second_root(span: std::ops::Range<usize>) -> SyntaxError {
    SyntaxError {
        span,
        message: "a second root element (a response holds exactly one)".to_string(),
    }
}

/// A new node for a start or empty tag, its attributes as child nodes.
fn element(tag: &BytesStart<'_>, span: std::ops::Range<usize>) -> Result<Node, SyntaxError> {
    let malformed = |what: String| SyntaxError {
        span: span.clone(),
        message: format!("malformed XML: {what}"),
    };
    let name = std::str::from_utf8(tag.local_name().into_inner())
        .map_err(|e| malformed(e.to_string()))?
        .to_string();
    let mut node = Node {
        name,
        span: span.clone(),
        ..Node::default()
    };
    // quick-xml's own duplicate check compares each attribute with all before it, which
    // is quadratic in an element of 160,000 attributes; the check below is linear.
    for attribute in tag.attributes().with_checks(false) {
        let attribute = attribute.map_err(|e| malformed(e.to_string()))?;
        let key = std::str::from_utf8(attribute.key.local_name().into_inner())
            .map_err(|e| malformed(e.to_string()))?
            .to_string();
        let value = attribute
            .unescape_value()
            .map_err(|e| malformed(e.to_string()))?;
        node.children.push(Node {
            name: key,
            text: value.into_owned(),
            children: Vec::new(),
            span: span.clone(),
        });
    }
    if let Some(duplicate) = duplicate_name(&node.children) {
        return Err(malformed(format!(
            "the attribute {} appears twice in <{}>",
            quote(duplicate, QUOTE_CHARS),
            control(&node.name)
        )));
    }
    Ok(node)
}

/// A name two of `attributes` share, if any.
fn duplicate_name(attributes: &[Node]) -> Option<&str> {
    if attributes.len() <= 8 {
        return attributes.iter().enumerate().find_map(|(i, a)| {
            attributes[..i]
                .iter()
                .any(|b| b.name == a.name)
                .then_some(a.name.as_str())
        });
    }
    let mut seen = HashSet::with_capacity(attributes.len());
    attributes
        .iter()
        .find(|a| !seen.insert(a.name.as_str()))
        .map(|a| a.name.as_str())
}

/// Attaches a finished element to its parent, or makes it the root.
fn close(
    node: Node,
    open: &mut [Node],
    root: &mut Option<Node>,
    span: std::ops::Range<usize>,
) -> Result<(), SyntaxError> {
    match open.last_mut() {
        Some(parent) => parent.children.push(node),
        None if root.is_some() => return Err(second_root(span)),
        None => *root = Some(node),
    }
    Ok(())
}

fn append_text(
    open: &mut [Node],
    content: &str,
    span: std::ops::Range<usize>,
) -> Result<(), SyntaxError> {
    match open.last_mut() {
        Some(node) => node.text.push_str(content),
        None if content.trim().is_empty() => {}
        None => {
            return Err(SyntaxError {
                span,
                message: "text outside the root element".to_string(),
            });
        }
    }
    Ok(())
}

/// `&amp;`, `&#38;` and the other references XML itself defines; the API uses no others.
fn resolve_reference(
    reference: &quick_xml::events::BytesRef<'_>,
    span: std::ops::Range<usize>,
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
