//! OSCAL XML to OSCAL JSON shape, for the catalogs and profiles we read.
//!
//! Follows OSCAL's XML-to-JSON conventions as far as catalogs and profiles need them:
//! repeated elements become arrays under plural keys, attributes become fields, prose
//! (`p`, lists, tables) becomes Markdown text.

use std::path::Path;

use roxmltree::{Document, Node};
use serde_json::{Map, Value};

use crate::OscalError;

/// Element name → JSON key of the array it belongs in.
const ARRAYS: &[(&str, &str)] = &[
    ("control", "controls"),
    ("group", "groups"),
    ("param", "params"),
    ("prop", "props"),
    ("link", "links"),
    ("part", "parts"),
    ("import", "imports"),
    ("with-id", "with-ids"),
    ("matching", "matching"),
    ("include-controls", "include-controls"),
    ("exclude-controls", "exclude-controls"),
    ("set-parameter", "set-parameters"),
    ("alter", "alters"),
    ("add", "adds"),
    ("remove", "removes"),
    ("resource", "resources"),
    ("rlink", "rlinks"),
    ("constraint", "constraints"),
    ("guideline", "guidelines"),
    ("value", "values"),
    ("choice", "choice"),
    ("party", "parties"),
    ("role", "roles"),
    ("responsible-party", "responsible-parties"),
    ("location", "locations"),
    ("revision", "revisions"),
    ("document-id", "document-ids"),
    ("test", "tests"),
    ("addr-line", "addr-lines"),
    ("email-address", "email-addresses"),
    ("party-uuid", "party-uuids"),
];

/// Elements whose content is a string (plain or markup).
const STRINGS: &[&str] = &[
    "title",
    "label",
    "usage",
    "published",
    "last-modified",
    "version",
    "oscal-version",
    "with-id",
    "value",
    "choice",
    "remarks",
    "description",
    "short-name",
    "name",
    "citation",
    "expression",
    "party-uuid",
    "email-address",
    "addr-line",
    "city",
    "state",
    "postal-code",
    "country",
    "document-id",
    "text",
];

const PROSE: &[&str] = &[
    "p",
    "ol",
    "ul",
    "table",
    "pre",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
];

fn inline(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    for c in node.children() {
        if c.is_text() {
            out.push_str(c.text().unwrap_or(""));
        } else if c.is_element() {
            let inner = inline(c);
            match c.tag_name().name() {
                "em" | "i" => out.push_str(&format!("*{inner}*")),
                "strong" | "b" => out.push_str(&format!("**{inner}**")),
                "code" => out.push_str(&format!("`{inner}`")),
                "insert" => out.push_str(&format!(
                    "{{{{ insert: {}, {} }}}}",
                    c.attribute("type").unwrap_or("param"),
                    c.attribute("id-ref").unwrap_or("")
                )),
                _ => out.push_str(&inner),
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn prose(node: Node<'_, '_>, out: &mut Vec<String>) {
    match node.tag_name().name() {
        "ol" | "ul" => {
            for (i, li) in node.children().filter(|c| c.is_element()).enumerate() {
                let bullet = if node.tag_name().name() == "ol" {
                    format!("{}.", i + 1)
                } else {
                    "-".into()
                };
                out.push(format!("{bullet} {}", inline(li)));
            }
        }
        "table" => {
            for tr in node.descendants().filter(|d| d.tag_name().name() == "tr") {
                let cells: Vec<String> = tr
                    .children()
                    .filter(|c| c.is_element())
                    .map(inline)
                    .collect();
                out.push(format!("| {} |", cells.join(" | ")));
            }
        }
        _ => out.push(inline(node)),
    }
}

fn element(node: Node<'_, '_>) -> Value {
    let mut o = Map::new();
    for a in node.attributes() {
        o.insert(a.name().to_owned(), Value::String(a.value().to_owned()));
    }
    let mut paragraphs = Vec::new();
    for c in node.children().filter(|c| c.is_element()) {
        let name = c.tag_name().name();
        if PROSE.contains(&name) {
            prose(c, &mut paragraphs);
            continue;
        }
        let value = if STRINGS.contains(&name)
            && c.attributes().len() == 0
            && !c.children().any(|x| {
                x.is_element()
                    && !PROSE.contains(&x.tag_name().name())
                    && ![
                        "em", "strong", "code", "insert", "a", "i", "b", "sub", "sup", "q",
                    ]
                    .contains(&x.tag_name().name())
            }) {
            let mut ps = Vec::new();
            if c.children()
                .any(|x| x.is_element() && PROSE.contains(&x.tag_name().name()))
            {
                for p in c.children().filter(|x| x.is_element()) {
                    prose(p, &mut ps);
                }
                Value::String(ps.join("\n\n"))
            } else {
                Value::String(inline(c))
            }
        } else if name == "as-is" {
            Value::Bool(c.text().is_none_or(|t| t.trim() != "false"))
        } else {
            element(c)
        };
        match ARRAYS.iter().find(|(e, _)| *e == name) {
            Some((_, key)) => {
                let entry = o
                    .entry((*key).to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Some(a) = entry.as_array_mut() {
                    a.push(value);
                }
            }
            None => {
                o.insert(name.to_owned(), value);
            }
        }
    }
    if !paragraphs.is_empty() {
        o.insert("prose".into(), Value::String(paragraphs.join("\n\n")));
    }
    Value::Object(o)
}

/// Parses OSCAL XML into the JSON shape `{"catalog": {...}}` (or `profile`).
pub(crate) fn to_json(path: &Path, text: &str) -> Result<Value, OscalError> {
    let doc = Document::parse(text).map_err(|e| OscalError::Xml {
        file: path.to_owned(),
        line: e.pos().row,
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    // The conversion below recurses once per level: refuse deep documents first, with
    // an explicit stack (roxmltree itself parses any depth without recursing).
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > crate::MAX_XML_DEPTH {
            return Err(OscalError::TooDeep {
                file: path.to_owned(),
                line: doc.text_pos_at(node.range().start).row,
                limit: crate::MAX_XML_DEPTH,
            });
        }
        // Children reversed, so the first in document order is looked at first.
        stack.extend(
            node.children()
                .rev()
                .filter(Node::is_element)
                .map(|c| (c, depth + 1)),
        );
    }
    let mut o = Map::new();
    o.insert(root.tag_name().name().to_owned(), element(root));
    Ok(Value::Object(o))
}
