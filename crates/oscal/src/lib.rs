//! OSCAL for crosswalk: read catalogs, profiles and mapping collections (JSON or XML),
//! resolve profiles into catalogs, convert catalogs to frameworks, and export frameworks
//! and mapping sets as OSCAL documents.
//!
//! Documents are handled as JSON values in OSCAL's own JSON shape, so every field a
//! publisher wrote survives resolution untouched; XML input is converted to that shape.

mod convert;
mod lazy;
mod poam;
mod resolve;
mod results;
mod xml;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use convert::{
    CatalogNode, ExportOptions, ImportOptions, catalog_meta, catalog_to_framework,
    framework_to_catalog, mapping_collection, node_to_framework, read_mapping_collection,
};
pub use poam::poam;
pub use resolve::resolve_profile;
pub use results::{assessment_results, check_run_results};

/// The array under `key`, or nothing.
pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The string under `key`, or empty.
pub(crate) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The OSCAL version written on documents we produce.
pub const OSCAL_VERSION: &str = "1.2.1";

/// The deepest element nesting accepted in an OSCAL XML document (the root is level 1).
/// NIST's catalogs and the profile-resolution test suite are at most 9 deep (catalog,
/// group, control, enhancement, parts, prose, inline markup). JSON documents are bounded the same way by the JSON parser, which
/// refuses more than 128 levels of arrays and objects (64 levels of groups or controls),
/// so every document in memory is shallow enough for the recursive walks over it.
pub const MAX_XML_DEPTH: usize = 64;

/// The longest chain of profiles importing profiles that is resolved (NIST's baselines
/// and FedRAMP's are one or two deep).
pub const MAX_IMPORT_DEPTH: usize = 32;

/// Largest OSCAL document read, in bytes (see [`crosswalk_format::input::OSCAL_DOCUMENT`]).
pub const MAX_BYTES: u64 = crosswalk_format::input::OSCAL_DOCUMENT.bytes;

/// What went wrong, always naming the file and the place.
#[derive(Debug, thiserror::Error)]
pub enum OscalError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}:{line}: not valid XML: {message}")]
    Xml {
        file: PathBuf,
        line: u32,
        message: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: PathBuf, message: String },
    #[error("{file}: import `{href}` cannot be loaded: {reason}")]
    MissingImport {
        file: PathBuf,
        href: String,
        reason: String,
    },
    #[error("profile import cycle: {}", .0.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" → "))]
    Cycle(Vec<PathBuf>),
    #[error("{file}: {what} `{id}` does not exist in the imported controls")]
    UnknownId {
        file: PathBuf,
        what: &'static str,
        id: String,
    },
    /// Not a regular file, over [`MAX_BYTES`], or not UTF-8; the message names the file.
    #[error(transparent)]
    Input(#[from] crosswalk_format::input::InputError),
    /// XML elements nested deeper than [`MAX_XML_DEPTH`].
    #[error("{file}:{line}: elements are nested more than {limit} levels deep")]
    TooDeep {
        file: PathBuf,
        line: u32,
        limit: usize,
    },
    /// Profiles importing profiles more than [`MAX_IMPORT_DEPTH`] levels deep; `file` is
    /// the import that would go one level further.
    #[error("{file}: profiles import one another more than {limit} levels deep")]
    ImportDepth { file: PathBuf, limit: usize },
}

/// Reads an OSCAL document's text: a regular file within [`MAX_BYTES`], in UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, OscalError> {
    crosswalk_format::input::read_text(path, crosswalk_format::input::OSCAL_DOCUMENT).map_err(|e| {
        match e {
            crosswalk_format::input::InputError::Io { path, source } => {
                OscalError::Io { file: path, source }
            }
            other => OscalError::Input(other),
        }
    })
}

/// The kind of OSCAL document at the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Catalog,
    Profile,
    MappingCollection,
}

/// A document: its kind and its root object (the value under `catalog`, `profile` …).
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: Kind,
    pub body: Value,
}

/// Reads an OSCAL document from a file, JSON or XML (decided by content). The file must
/// be a regular file of at most [`MAX_BYTES`].
pub fn read(path: &Path) -> Result<Document, OscalError> {
    read_str(path, &read_text(path)?)
}

/// Reads an OSCAL document from text; `path` names it in errors.
pub fn read_str(path: &Path, text: &str) -> Result<Document, OscalError> {
    let mut root = if text.trim_start().starts_with('<') {
        xml::to_json(path, text)?
    } else {
        serde_json::from_str::<Value>(text).map_err(|e| OscalError::Json {
            file: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?
    };
    let invalid = |message: &str| OscalError::Invalid {
        file: path.to_owned(),
        message: message.to_owned(),
    };
    let obj = root
        .as_object_mut()
        .ok_or_else(|| invalid("the document is not a JSON object"))?;
    for (key, kind) in [
        ("catalog", Kind::Catalog),
        ("profile", Kind::Profile),
        ("mapping-collection", Kind::MappingCollection),
    ] {
        if let Some(body) = obj.shift_remove(key) {
            if !body.is_object() {
                return Err(invalid(&format!("`{key}` is not an object")));
            }
            return Ok(Document { kind, body });
        }
    }
    Err(invalid(
        "not an OSCAL catalog, profile or mapping-collection (no such root)",
    ))
}

/// Reads a catalog for conversion to a framework, building only what a framework needs
/// (JSON is read straight into [`CatalogNode`]; XML goes through the document tree).
/// `None` when the file holds a profile or a mapping collection instead.
///
/// # Errors
/// Unreadable file, bad JSON or XML, or a document that is not OSCAL.
pub fn read_catalog(path: &Path) -> Result<Option<CatalogNode>, OscalError> {
    let text = read_text(path)?;
    let invalid = |message: String| OscalError::Invalid {
        file: path.to_owned(),
        message,
    };
    if !text.trim_start().starts_with('<') {
        #[derive(serde::Deserialize)]
        struct Root {
            catalog: Option<CatalogNode>,
        }
        // Whatever fails here is reported by the full reader below, with its position.
        if let Ok(Root { catalog: Some(c) }) = serde_json::from_str::<Root>(&text) {
            return Ok(Some(c));
        }
    }
    let doc = read_str(path, &text)?;
    match doc.kind {
        Kind::Catalog => CatalogNode::from_value(&doc.body)
            .map(Some)
            .map_err(|e| invalid(e.to_string())),
        _ => Ok(None),
    }
}

/// Wraps a catalog body as a complete JSON document.
pub fn catalog_json(catalog: &Value) -> String {
    let mut s = serde_json::to_string_pretty(&serde_json::json!({ "catalog": catalog }))
        .unwrap_or_default();
    s.push('\n');
    s
}

/// Every control in a catalog body (recursively through groups and enhancements).
pub fn controls(catalog: &Value) -> Vec<&Value> {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        for g in v
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            walk(g, out);
        }
        for c in v
            .get("controls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push(c);
            walk(c, out);
        }
    }
    let mut out = Vec::new();
    walk(catalog, &mut out);
    out
}
