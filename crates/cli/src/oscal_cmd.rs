//! `crosswalk oscal …`: resolve profiles, import catalogs and mapping collections as
//! library files, export frameworks and mapping sets as OSCAL documents.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::mapping::{Mapping, MappingSet};
use crosswalk_library::Catalog;
use crosswalk_oscal::{CatalogNode, ExportOptions, ImportOptions, Kind};
use serde_json::{Value, json};

use crate::commands::{emit, resolve};
use crate::{ExportCommand, OscalCommand};

/// The timestamp written as `last-modified`: now, to the second, in UTC.
fn now() -> String {
    jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn pretty(root: &str, body: &Value) -> Result<String> {
    let mut s = serde_json::to_string_pretty(&json!({ root: body }))?;
    s.push('\n');
    Ok(s)
}

/// Writes `text` to `out`, or to standard output without one.
fn write(out: Option<&Path>, text: &str) -> Result<()> {
    match out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        None => emit(text),
    }
}

/// Runs an `oscal` command; the library is loaded from `dirs` only where needed.
pub fn run(dirs: &[&Path], command: OscalCommand) -> Result<()> {
    match command {
        OscalCommand::Resolve {
            profile,
            catalog: source,
            output,
        } => {
            let mut body = crosswalk_oscal::resolve_profile(&profile, source.as_deref())?;
            let n = crosswalk_oscal::controls(&body).len();
            let doc = json!({ "catalog": body.take() });
            match &output {
                Some(out) => {
                    let file = std::fs::File::create(out)
                        .with_context(|| format!("cannot write {}", out.display()))?;
                    let mut w = std::io::BufWriter::with_capacity(1 << 16, file);
                    serde_json::to_writer_pretty(&mut w, &doc)
                        .map_err(std::io::Error::from)
                        .and_then(|()| w.write_all(b"\n"))
                        .and_then(|()| w.flush())
                        .with_context(|| format!("cannot write {}", out.display()))?;
                    eprintln!("resolved {n} controls into {}", out.display());
                }
                None => write(None, &pretty("catalog", &doc["catalog"])?)?,
            }
            // The process ends here: skip freeing the document tree piece by piece.
            std::mem::forget(doc);
            Ok(())
        }
        OscalCommand::Import(args) => import(dirs, &args),
        OscalCommand::Export { what } => export(&crosswalk_library::load(dirs)?, what),
    }
}

fn export(catalog: &Catalog, what: ExportCommand) -> Result<()> {
    let opts = ExportOptions { now: now() };
    match what {
        ExportCommand::Catalog { framework, output } => {
            let fw = resolve(catalog, &framework)?;
            let body = crosswalk_oscal::framework_to_catalog(fw, &opts);
            write(output.as_deref(), &pretty("catalog", &body)?)
        }
        ExportCommand::Mapping { from, to, output } => {
            let (a, b) = (resolve(catalog, &from)?, resolve(catalog, &to)?);
            let lib = &catalog.library;
            let set = match lib
                .mapping_sets()
                .iter()
                .find(|s| &s.meta.from == a.id() && &s.meta.to == b.id())
            {
                Some(s) => s.clone(),
                None => match lib
                    .mapping_sets()
                    .iter()
                    .find(|s| &s.meta.from == b.id() && &s.meta.to == a.id())
                {
                    Some(s) => inverted(s)?,
                    None => bail!(
                        "no mapping set between {} and {} (see `crosswalk mappings list`)",
                        a.id(),
                        b.id()
                    ),
                },
            };
            let body = crosswalk_oscal::mapping_collection(&set, a, b, &opts);
            write(output.as_deref(), &pretty("mapping-collection", &body)?)
        }
    }
}

/// A mapping set read the other way round, its relationships inverted.
fn inverted(set: &MappingSet) -> Result<MappingSet> {
    let mut meta = set.meta.clone();
    std::mem::swap(&mut meta.from, &mut meta.to);
    meta.id = FrameworkId::parse(&format!("{}--inverse", set.meta.id))?;
    meta.title = format!("{} (read in reverse)", set.meta.title);
    meta.notes.push(format!(
        "Derived from `{}` by inverting each relationship.",
        set.meta.id
    ));
    let mappings = set
        .mappings()
        .iter()
        .map(|m| Mapping {
            from: m.to.clone(),
            to: m.from.clone(),
            relationship: m.relationship.inverse(),
            ..m.clone()
        })
        .collect();
    MappingSet::new(meta, mappings).map_err(|issues| crate::commands::issues_error(&issues))
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
pub fn import(dirs: &[&Path], args: &crate::OscalImportArgs) -> Result<()> {
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
fn import_other(catalog: &Catalog, args: &crate::OscalImportArgs) -> Result<()> {
    let doc = crosswalk_oscal::read(&args.file)?;
    let body = match doc.kind {
        Kind::MappingCollection => return import_mappings(catalog, args, &doc.body),
        Kind::Catalog => doc.body,
        Kind::Profile => crosswalk_oscal::resolve_profile(&args.file, args.catalog.as_deref())?,
    };
    let node = CatalogNode::from_value(&body)
        .map_err(|e| anyhow!("{}: {e}; nothing imported", args.file.display()))?;
    import_catalog(&node, args, &|id| catalog.library.resolve(id).is_some())
}

fn import_catalog(
    node: &CatalogNode,
    args: &crate::OscalImportArgs,
    taken: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let id = match &args.id {
        Some(id) => id.clone(),
        None => slug(node.title()),
    };
    let id = FrameworkId::parse(&id).map_err(|e| anyhow!("--id {id}: {e}"))?;
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
    .map_err(|e| anyhow!("{}: {e}; nothing imported", args.file.display()))?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{id}.toml")));
    let text = crosswalk_format::write_framework(&fw).map_err(|e| anyhow!(e))?;
    write(Some(&out), &text)?;
    emit(&format!(
        "imported framework {id}: {} requirements, {} assessable → {}\nuse it with --library {}\n",
        fw.requirements().len(),
        fw.assessable_count(),
        out.display(),
        out.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .display()
    ))
}

fn import_mappings(catalog: &Catalog, args: &crate::OscalImportArgs, body: &Value) -> Result<()> {
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
        .map_err(|e| anyhow!("{}: {e}; nothing imported", args.file.display()))?;
    let mut problems = Vec::new();
    for set in &mut sets {
        if let Some(f) = from {
            set.meta.from = f.id().clone();
        }
        if let Some(t) = to {
            set.meta.to = t.id().clone();
        }
        let side = |id: &FrameworkId| {
            lib.resolve(id.as_str())
                .ok_or_else(|| anyhow!("framework `{id}` is not in the library (pass --from/--to)"))
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
    let mut texts = Vec::new();
    for set in &sets {
        let out = args
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.toml", set.meta.id)));
        let text = crosswalk_format::write_mapping_set(set).map_err(|e| anyhow!(e))?;
        texts.push((out, text, set.mappings().len()));
    }
    for (out, text, n) in &texts {
        write(Some(out), text)?;
        emit(&format!("imported {n} mappings → {}\n", out.display()))?;
    }
    Ok(())
}
