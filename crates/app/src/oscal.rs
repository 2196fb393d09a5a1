//! OSCAL: resolve profiles, import catalogs, profiles and mapping collections as library
//! files, export frameworks and mapping sets as OSCAL documents.

use std::path::{Path, PathBuf};

use crosswalk_core::ids::FrameworkId;
use crosswalk_core::mapping::MappingSet;
use crosswalk_library::Catalog;
use crosswalk_oscal::{CatalogNode, ExportOptions, ImportOptions, Kind};
use jiff::Timestamp;
use serde_json::Value;

use crate::standards::resolve;
use crate::{Error, Result, bail, invalid};

/// `oscal import`: the document and how to convert it.
#[derive(Debug, Clone)]
pub struct OscalImport {
    /// Catalog, profile or mapping collection, JSON or XML.
    pub file: PathBuf,
    /// Framework id for an imported catalog (default: from its title).
    pub id: Option<String>,
    /// Library file to write (default: ID.toml in the current directory).
    pub output: Option<PathBuf>,
    /// Catalog for a profile's remote or missing import.
    pub catalog: Option<PathBuf>,
    /// Copy the publisher's statement text into summaries.
    pub include_text: bool,
    /// Keep controls marked withdrawn.
    pub keep_withdrawn: bool,
    /// Mapping collections: frameworks of the sources and targets.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A library file an import produced, for the caller to write.
#[derive(Debug, Clone)]
pub struct LibraryFile {
    pub path: PathBuf,
    pub text: String,
    pub id: String,
    /// `framework` or `mapping-set`.
    pub kind: &'static str,
    /// Requirements or mappings.
    pub count: usize,
    /// Assessable requirements (frameworks).
    pub assessable: usize,
}

/// The OSCAL timestamp of `now`, to the second.
fn stamp(now: Timestamp) -> String {
    Timestamp::from_second(now.as_second())
        .map_or_else(|_| "1970-01-01T00:00:00Z".into(), |t| t.to_string())
}

/// Resolves a profile into the body of a catalog, per NIST's specification.
///
/// # Errors
/// An unreadable or invalid profile, a missing import, a cycle.
pub fn resolve_profile(profile: &Path, catalog: Option<&Path>) -> Result<Value> {
    Ok(crosswalk_oscal::resolve_profile(profile, catalog)?)
}

/// A framework as an OSCAL catalog document (JSON text).
///
/// # Errors
/// An unknown framework.
pub fn export_catalog(catalog: &Catalog, framework: &str, now: Timestamp) -> Result<String> {
    let fw = resolve(catalog, framework)?;
    let body = crosswalk_oscal::framework_to_catalog(fw, &ExportOptions { now: stamp(now) });
    Ok(crosswalk_report::oscal_json("catalog", body))
}

/// The mapping set between two frameworks as an OSCAL mapping collection (JSON text); a
/// set stored the other way round is exported inverted.
///
/// # Errors
/// An unknown framework, or no set between the two.
pub fn export_mapping(catalog: &Catalog, from: &str, to: &str, now: Timestamp) -> Result<String> {
    let (a, b) = (resolve(catalog, from)?, resolve(catalog, to)?);
    let set = mapping_between(catalog, a.id(), b.id())?;
    let body = crosswalk_oscal::mapping_collection(&set, a, b, &ExportOptions { now: stamp(now) });
    Ok(crosswalk_report::oscal_json("mapping-collection", body))
}

/// The stored set from `a` to `b`, or the one from `b` to `a` inverted.
///
/// # Errors
/// When the library has no set between them.
pub fn mapping_between(catalog: &Catalog, a: &FrameworkId, b: &FrameworkId) -> Result<MappingSet> {
    let sets = catalog.library.mapping_sets();
    if let Some(s) = sets.iter().find(|s| &s.meta.from == a && &s.meta.to == b) {
        return Ok(s.clone());
    }
    match sets.iter().find(|s| &s.meta.from == b && &s.meta.to == a) {
        Some(s) => s.inverted().map_err(|issues| crate::issues(&issues)),
        None => bail!("no mapping set between {a} and {b} (see `crosswalk mappings list`)"),
    }
}

/// A framework id made from a title: lowercase words joined by `-`.
fn slug(title: &str) -> String {
    let mut s = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
        .filter(|w| !w.is_empty())
    {
        if s.len() + word.len() > 40 {
            break;
        }
        if !s.is_empty() {
            s.push('-');
        }
        s.push_str(&word.to_ascii_lowercase());
    }
    if s.is_empty() { "imported".into() } else { s }
}

/// `oscal import`: a catalog is converted without decoding the library (its id is
/// checked against the built-in id list and any --library directories); profiles and
/// mapping collections load the library.
pub fn import(dirs: &[&Path], args: &OscalImport) -> Result<Vec<LibraryFile>> {
    match crosswalk_oscal::read_catalog(&args.file)? {
        Some(node) => {
            let user = if dirs.is_empty() {
                None
            } else {
                Some(crosswalk_library::load(dirs)?)
            };
            let taken = |id: &str| {
                crosswalk_library::builtin_ids().any(|b| b == id)
                    || user
                        .as_ref()
                        .is_some_and(|c| c.library.resolve(id).is_some())
            };
            import_catalog(&node, args, &taken)
        }
        None => import_other(&crosswalk_library::load(dirs)?, args),
    }
}

/// A profile (resolved, then converted) or a mapping collection.
fn import_other(catalog: &Catalog, args: &OscalImport) -> Result<Vec<LibraryFile>> {
    let doc = crosswalk_oscal::read(&args.file)?;
    let body = match doc.kind {
        Kind::MappingCollection => return import_mappings(catalog, args, &doc.body),
        Kind::Catalog => doc.body,
        Kind::Profile => crosswalk_oscal::resolve_profile(&args.file, args.catalog.as_deref())?,
    };
    let node = CatalogNode::from_value(&body)
        .map_err(|e| invalid!("{}: {e}; nothing imported", args.file.display()))?;
    import_catalog(&node, args, &|id| catalog.library.resolve(id).is_some())
}

fn import_catalog(
    node: &CatalogNode,
    args: &OscalImport,
    taken: &dyn Fn(&str) -> bool,
) -> Result<Vec<LibraryFile>> {
    let id = match &args.id {
        Some(id) => id.clone(),
        None => slug(node.title()),
    };
    let id = FrameworkId::parse(&id).map_err(|e| invalid!("--id {id}: {e}"))?;
    if taken(id.as_str()) {
        bail!("a framework `{id}` is already in the library; choose another with --id");
    }
    let meta = crosswalk_oscal::catalog_meta(node, id.clone());
    let fw = crosswalk_oscal::node_to_framework(
        node,
        ImportOptions {
            meta,
            include_text: args.include_text,
            skip_withdrawn: !args.keep_withdrawn,
        },
    )
    .map_err(|e| invalid!("{}: {e}; nothing imported", args.file.display()))?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{id}.toml")));
    let text = crosswalk_format::write_framework(&fw).map_err(Error::Invalid)?;
    Ok(vec![LibraryFile {
        path: out,
        text,
        id: id.to_string(),
        kind: "framework",
        count: fw.requirements().len(),
        assessable: fw.assessable_count(),
    }])
}

fn import_mappings(
    catalog: &Catalog,
    args: &OscalImport,
    body: &Value,
) -> Result<Vec<LibraryFile>> {
    let lib = &catalog.library;
    let from = args
        .from
        .as_deref()
        .map(|f| resolve(catalog, f))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|t| resolve(catalog, t))
        .transpose()?;
    // A resource that is not a crosswalk URN is recognised by a framework id in its href;
    // --from and --to name the frameworks outright and win over both.
    let fallback = from.or(to).map(|f| f.id().clone());
    let guess = |href: &str| -> Option<FrameworkId> {
        lib.frameworks()
            .iter()
            .find(|f| href.contains(f.id().as_str()))
            .map(|f| f.id().clone())
            .or_else(|| fallback.clone())
    };
    let mut sets = crosswalk_oscal::read_mapping_collection(body, &guess)
        .map_err(|e| invalid!("{}: {e}; nothing imported", args.file.display()))?;
    let mut problems = Vec::new();
    for set in &mut sets {
        if let Some(f) = from {
            set.meta.from = f.id().clone();
        }
        if let Some(t) = to {
            set.meta.to = t.id().clone();
        }
        let side = |id: &FrameworkId| {
            lib.resolve(id.as_str()).ok_or_else(|| {
                invalid!("framework `{id}` is not in the library (pass --from/--to)")
            })
        };
        let (a, b) = (side(&set.meta.from)?, side(&set.meta.to)?);
        for m in set.mappings() {
            if a.requirement(m.from.as_str()).is_none() {
                problems.push(format!(
                    "{}: source `{}` is not in {}",
                    set.meta.id,
                    m.from,
                    a.id()
                ));
            }
            if b.requirement(m.to.as_str()).is_none() {
                problems.push(format!(
                    "{}: target `{}` is not in {}",
                    set.meta.id,
                    m.to,
                    b.id()
                ));
            }
        }
    }
    if !problems.is_empty() {
        let more = problems.len().saturating_sub(20);
        problems.truncate(20);
        if more > 0 {
            problems.push(format!("… and {more} more"));
        }
        bail!(
            "{}: {} problem(s), nothing imported:\n{}",
            args.file.display(),
            problems.len() + more - usize::from(more > 0),
            problems.join("\n")
        );
    }
    if sets.len() > 1 && args.output.is_some() {
        bail!(
            "the collection holds {} mapping sets; leave out -o to write one file each",
            sets.len()
        );
    }
    let mut files = Vec::new();
    for set in &sets {
        let path = args
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.toml", set.meta.id)));
        files.push(LibraryFile {
            path,
            text: crosswalk_format::write_mapping_set(set).map_err(Error::Invalid)?,
            id: set.meta.id.to_string(),
            kind: "mapping-set",
            count: set.mappings().len(),
            assessable: 0,
        });
    }
    Ok(files)
}
