//! The standards and the crosswalk: compare, list, show, search, map, overlap, mapping
//! sets (list, import from spreadsheets) and library validation.

use std::path::{Path, PathBuf};

use crosswalk_core::compare::{Comparison, compare as compare_pair};
use crosswalk_core::crosswalk::{Found, Graph, Node, OverlapCount, Reach, overlap_rule};
use crosswalk_core::framework::Framework;
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::library::Library;
use crosswalk_core::mapping::{Mapping, MappingSet, MappingSetMeta, ProvenanceKind, Relationship};
use crosswalk_library::Catalog;
use crosswalk_sheets::{Column, SheetOptions};
use serde::Serialize;

use crate::{Error, Result, bail, invalid};

/// A framework by short id, edition id or alias.
///
/// # Errors
/// An unknown id, with the known short ids.
pub fn resolve<'a>(catalog: &'a Catalog, id: &str) -> Result<&'a Framework> {
    catalog.library.resolve(id).ok_or_else(|| {
        let known: std::collections::BTreeSet<&str> = catalog
            .library
            .frameworks()
            .iter()
            .map(|f| f.meta.family.as_str())
            .collect();
        invalid!(
            "unknown framework `{id}`; known short ids: {} (see `crosswalk frameworks list` for editions)",
            known.into_iter().collect::<Vec<_>>().join(", ")
        )
    })
}

/// The comparison page of two standards, as data.
///
/// # Errors
/// An unknown id, or a pair that cannot be compared.
pub fn compare<'a>(catalog: &'a Catalog, a: &str, b: &str) -> Result<Comparison<'a>> {
    let (fa, fb) = (resolve(catalog, a)?, resolve(catalog, b)?);
    compare_pair(&catalog.library, fa, fb).map_err(|e| invalid!("{e}"))
}

/// One search hit (`search --json`).
#[derive(Serialize)]
pub struct SearchRow<'a> {
    pub framework: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub summary: &'a str,
    pub score: f64,
}

/// Ranked full-text search, optionally within one framework.
///
/// # Errors
/// An unknown framework.
pub fn search<'a>(
    catalog: &'a Catalog,
    query: &str,
    framework: Option<&str>,
    limit: usize,
) -> Result<Vec<SearchRow<'a>>> {
    let only = match framework {
        Some(id) => {
            let fw = resolve(catalog, id)?;
            catalog
                .library
                .frameworks()
                .iter()
                .position(|f| f.id() == fw.id())
        }
        None => None,
    };
    Ok(catalog
        .index()
        .search(query, only, limit)
        .iter()
        .map(|h| {
            let fw = &catalog.library.frameworks()[h.framework];
            let r = &fw.requirements()[h.requirement];
            SearchRow {
                framework: fw.id().as_str(),
                id: r.id.as_str(),
                title: &r.title,
                summary: &r.summary,
                score: (f64::from(h.score) * 1000.0).round() / 1000.0,
            }
        })
        .collect())
}

#[derive(Serialize)]
pub struct ListRow<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    pub publisher: &'a str,
    pub requirement_count: usize,
    pub family: &'a str,
    pub current: bool,
    pub assessable_count: usize,
}

/// `frameworks list --json`.
pub fn frameworks(catalog: &Catalog) -> Vec<ListRow<'_>> {
    catalog
        .library
        .frameworks()
        .iter()
        .map(|f| ListRow {
            id: f.id().as_str(),
            name: &f.meta.name,
            version: &f.meta.version,
            publisher: &f.meta.publisher,
            requirement_count: f.requirements().len(),
            family: f.meta.family.as_str(),
            current: f.meta.current,
            assessable_count: f.assessable_count(),
        })
        .collect()
}

#[derive(Serialize)]
pub struct ShowRequirement<'a> {
    pub id: &'a str,
    pub parent: Option<&'a str>,
    pub title: &'a str,
    pub summary: &'a str,
    pub kind: &'a str,
    pub assessable: bool,
    pub attributes: &'a std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
pub struct Show<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: &'a str,
    pub publisher: &'a str,
    pub family: &'a str,
    pub current: bool,
    pub published: Option<&'a str>,
    pub source: Option<&'a str>,
    pub notes: &'a [String],
    pub profile: Option<&'a crosswalk_core::profile::Profile>,
    pub requirements: Vec<ShowRequirement<'a>>,
}

/// `frameworks show --json`.
pub fn show<'a>(catalog: &'a Catalog, f: &'a Framework) -> Show<'a> {
    Show {
        id: f.id().as_str(),
        name: &f.meta.name,
        version: &f.meta.version,
        publisher: &f.meta.publisher,
        family: f.meta.family.as_str(),
        current: f.meta.current,
        published: f.meta.published.as_deref(),
        source: f.meta.source.as_deref(),
        notes: &f.meta.notes,
        profile: catalog.library.profile(&f.meta.family),
        requirements: f
            .requirements()
            .iter()
            .map(|r| ShowRequirement {
                id: r.id.as_str(),
                parent: r.parent.as_ref().map(|p| p.as_str()),
                title: &r.title,
                summary: &r.summary,
                kind: r.kind.as_str(),
                assessable: r.assessable,
                attributes: &r.attributes,
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub struct SetRow<'a> {
    pub id: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub provenance: crosswalk_core::mapping::ProvenanceKind,
    pub publisher: &'a str,
    pub mappings: usize,
    pub title: &'a str,
}

/// `mappings list`.
pub fn mapping_sets(catalog: &Catalog) -> Vec<SetRow<'_>> {
    catalog
        .library
        .mapping_sets()
        .iter()
        .map(|s| SetRow {
            id: s.meta.id.as_str(),
            from: s.meta.from.as_str(),
            to: s.meta.to.as_str(),
            provenance: s.meta.provenance,
            publisher: &s.meta.publisher,
            mappings: s.mappings().len(),
            title: &s.meta.title,
        })
        .collect()
}

/// What `library validate` found in a directory.
#[derive(Debug, Serialize)]
pub struct Validation {
    /// Every problem, located (file, line, column, field).
    pub problems: Vec<String>,
    pub frameworks_added: usize,
    pub profiles_added: usize,
}

/// Checks the library files under `dir`, alone and together with the built-in library.
///
/// # Errors
/// When `dir` is not a directory or cannot be read.
pub fn validate(dir: &Path) -> Result<Validation> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let diags = crosswalk_library::validate_dir(dir)?;
    if !diags.is_empty() {
        return Ok(Validation {
            problems: diags.iter().map(ToString::to_string).collect(),
            frameworks_added: 0,
            profiles_added: 0,
        });
    }
    let catalog = crosswalk_library::load(&[dir])?;
    let builtin = crosswalk_library::builtin()?;
    Ok(Validation {
        problems: Vec::new(),
        frameworks_added: catalog.library.frameworks().len() - builtin.library.frameworks().len(),
        profiles_added: catalog.library.parts().profiles.len()
            - builtin.library.parts().profiles.len(),
    })
}

fn parse_target<'a>(catalog: &'a Catalog, target: &str) -> Result<(usize, &'a Framework, usize)> {
    let (framework, id) = crate::program::requirement(catalog, target)?;
    let fi = catalog
        .library
        .index_of(framework.id())
        .ok_or_else(|| invalid!("framework `{}` is not indexed", framework.id()))?;
    let ri = framework
        .position(id.as_str())
        .ok_or_else(|| invalid!("`{id}` is not a requirement of {}", framework.id()))?;
    Ok((fi, framework, ri))
}

fn node_name(lib: &Library, n: Node) -> String {
    let fw = &lib.frameworks()[n.framework as usize];
    format!(
        "{}:{}",
        fw.id(),
        fw.requirements()[n.requirement as usize].id
    )
}

#[derive(Serialize)]
pub struct ProvenanceJson<'a> {
    pub kind: ProvenanceKind,
    pub publisher: &'a str,
    pub source: String,
}

#[derive(Serialize)]
pub struct HopJson<'a> {
    pub from: String,
    pub to: String,
    pub relationship: Relationship,
    pub set: &'a str,
    pub reversed: bool,
}

#[derive(Serialize)]
pub struct MapJson<'a> {
    pub from: String,
    pub to: String,
    pub title: &'a str,
    pub relationship: Relationship,
    pub rationale: Option<crosswalk_core::mapping::Rationale>,
    pub strength: Option<u8>,
    pub provenance: ProvenanceJson<'a>,
    pub path: Vec<HopJson<'a>>,
}

fn map_json<'a>(lib: &'a Library, f: &Found) -> MapJson<'a> {
    let set_of = |h: &crosswalk_core::crosswalk::Hop| &lib.mapping_sets()[h.set as usize];
    let mapping_of = |h: &crosswalk_core::crosswalk::Hop| &set_of(h).mappings()[h.mapping as usize];
    let to_fw = &lib.frameworks()[f.to.framework as usize];
    let (rationale, strength, provenance) = match f.hops.as_slice() {
        [one] => {
            let set = set_of(one);
            let m = mapping_of(one);
            (
                m.rationale,
                m.strength,
                ProvenanceJson {
                    kind: set.meta.provenance,
                    publisher: &set.meta.publisher,
                    source: set.meta.source.clone(),
                },
            )
        }
        hops => (
            None,
            None,
            ProvenanceJson {
                kind: ProvenanceKind::Inferred,
                publisher: "crosswalk (inferred)",
                source: format!(
                    "composed from {}",
                    hops.iter()
                        .map(|h| set_of(h).meta.id.as_str())
                        .collect::<Vec<_>>()
                        .join(" + ")
                ),
            },
        ),
    };
    MapJson {
        from: node_name(lib, f.from),
        to: node_name(lib, f.to),
        title: &to_fw.requirements()[f.to.requirement as usize].title,
        relationship: f.relationship,
        rationale,
        strength,
        provenance,
        path: if f.is_inferred() {
            f.hops
                .iter()
                .map(|h| HopJson {
                    from: node_name(lib, h.from),
                    to: node_name(lib, h.to),
                    relationship: h.relationship,
                    set: set_of(h).meta.id.as_str(),
                    reversed: h.reversed,
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// `crosswalk map FW:REQ [--to FW] [--depth N]`.
pub fn map<'a>(
    catalog: &'a Catalog,
    target: &str,
    to: Option<&str>,
    depth: usize,
) -> Result<Vec<MapJson<'a>>> {
    let (fi, _fw, ri) = parse_target(catalog, target)?;
    let to_index = match to {
        Some(id) => {
            let fw = resolve(catalog, id)?;
            Some(
                catalog
                    .library
                    .index_of(fw.id())
                    .ok_or_else(|| invalid!("framework `{id}` is not indexed"))?
                    as u32,
            )
        }
        None => None,
    };
    let graph = Graph::new(&catalog.library);
    let node = Node {
        framework: fi as u32,
        requirement: ri as u32,
    };
    let found = graph.reach(
        node,
        to_index,
        Reach {
            max_depth: depth.max(1),
            include_related: true,
        },
    );
    Ok(found
        .iter()
        .map(|f| map_json(&catalog.library, f))
        .collect())
}

#[derive(Serialize)]
pub struct OverlapJson<'a> {
    pub a: &'a FrameworkId,
    pub b: &'a FrameworkId,
    pub rule: String,
    pub a_in_b: OverlapCount,
    pub b_in_a: OverlapCount,
}

fn reach_for(inferred: bool) -> Reach {
    Reach {
        max_depth: if inferred { 3 } else { 1 },
        include_related: true,
    }
}

/// `crosswalk overlap A B`.
pub fn overlap<'a>(
    catalog: &'a Catalog,
    a: &str,
    b: &str,
    inferred: bool,
) -> Result<OverlapJson<'a>> {
    let lib = &catalog.library;
    let (fa, fb) = (resolve(catalog, a)?, resolve(catalog, b)?);
    let (ia, ib) = (
        lib.index_of(fa.id()).unwrap_or(0) as u32,
        lib.index_of(fb.id()).unwrap_or(0) as u32,
    );
    if ia == ib {
        bail!("`{a}` and `{b}` are the same framework");
    }
    let graph = Graph::new(lib);
    let opts = reach_for(inferred);
    Ok(OverlapJson {
        a: fa.id(),
        b: fb.id(),
        rule: overlap_rule(inferred),
        a_in_b: graph.overlap(lib, ia, ib, opts),
        b_in_a: graph.overlap(lib, ib, ia, opts),
    })
}

#[derive(Serialize)]
pub struct MatrixJson<'a> {
    pub frameworks: Vec<&'a FrameworkId>,
    pub rule: String,
    /// `cells[i][j]`: framework i's requirements covered by framework j.
    pub cells: Vec<Vec<OverlapCount>>,
}

/// Overlap of every framework with assessable requirements against every other.
pub fn matrix(catalog: &Catalog, inferred: bool) -> MatrixJson<'_> {
    let lib = &catalog.library;
    let graph = Graph::new(lib);
    let opts = reach_for(inferred);
    let idx: Vec<usize> = (0..lib.frameworks().len())
        .filter(|&i| lib.frameworks()[i].assessable_count() > 0)
        .collect();
    let cells = idx
        .iter()
        .map(|&i| {
            idx.iter()
                .map(|&j| {
                    if i == j {
                        let t = lib.frameworks()[i].assessable_count();
                        OverlapCount {
                            total: t,
                            full: t,
                            partial: 0,
                            none: 0,
                        }
                    } else {
                        graph.overlap(lib, i as u32, j as u32, opts)
                    }
                })
                .collect()
        })
        .collect();
    MatrixJson {
        frameworks: idx.iter().map(|&i| lib.frameworks()[i].id()).collect(),
        rule: overlap_rule(inferred),
        cells,
    }
}

/// The matrix as an SVG heatmap.
pub fn matrix_svg(m: &MatrixJson<'_>) -> String {
    let names: Vec<&str> = m.frameworks.iter().map(|f| f.as_str()).collect();
    crosswalk_report::svg::heatmap(&names, &m.cells)
}

/// Everything `crosswalk mappings import` needs besides the file.
struct ImportSpec {
    pub file: PathBuf,
    pub from: String,
    pub to: String,
    pub meta: MappingSetMeta,
    pub sheet: SheetOptions,
    pub skip_unknown: bool,
}

/// Reads a spreadsheet into a checked mapping set: every id must exist (zero-padding,
/// case and a `framework:` prefix are forgiven), every problem is reported with its row,
/// and nothing is produced unless the whole file is right.
fn import_sheet(catalog: &Catalog, spec: ImportSpec) -> Result<ImportedSet> {
    let lib = &catalog.library;
    let (from, to) = (resolve(catalog, &spec.from)?, resolve(catalog, &spec.to)?);
    let name = spec.file.display().to_string();
    let read = crosswalk_sheets::read_summarised(&spec.file, &name, &spec.sheet);
    let (rows, summary) = read.map_err(|errs| {
        invalid!(
            "{} problem(s), nothing imported:\n{}",
            errs.len(),
            errs.iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })?;
    let strip = |raw: &str, fw: &Framework| -> String {
        match raw.split_once(':') {
            Some((prefix, rest))
                if lib
                    .resolve(prefix.trim())
                    .is_some_and(|f| f.id() == fw.id()) =>
            {
                rest.trim().to_owned()
            }
            _ => raw.trim().to_owned(),
        }
    };
    let mut errors = Vec::new();
    let mut mappings: Vec<Mapping> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        let f = from.find_loose(&strip(&row.from, from));
        let t = to.find_loose(&strip(&row.to, to));
        match (f, t) {
            (Some(f), Some(t)) => {
                if seen.insert((f.id.clone(), t.id.clone())) {
                    mappings.push(Mapping {
                        from: f.id.clone(),
                        to: t.id.clone(),
                        relationship: row.relationship,
                        rationale: None,
                        strength: row.strength,
                        confidence: None,
                        note: row.note,
                    });
                }
            }
            (f, t) => {
                if f.is_none() {
                    errors.push(format!(
                        "  {name}: row {}: `{}` is not a requirement of {}",
                        row.row,
                        row.from.trim(),
                        from.id()
                    ));
                }
                if t.is_none() {
                    errors.push(format!(
                        "  {name}: row {}: `{}` is not a requirement of {}",
                        row.row,
                        row.to.trim(),
                        to.id()
                    ));
                }
            }
        }
    }
    let mut meta = spec.meta;
    if !errors.is_empty() && spec.skip_unknown {
        let rows: Vec<&str> = errors
            .iter()
            .map(|e| e.trim().rsplit_once(": row ").map_or(e.trim(), |(_, r)| r))
            .collect();
        meta.notes.push(format!(
            "{} source row(s) were left out because they name ids absent from the catalogs: {}",
            errors.len(),
            rows.join("; ")
        ));
    } else if !errors.is_empty() {
        bail!(
            "{} problem(s), nothing imported:\n{}",
            errors.len(),
            errors.join("\n")
        );
    }
    meta.from = from.id().clone();
    meta.to = to.id().clone();
    let default_relationship = spec.sheet.default_relationship;
    let set = MappingSet::new(meta, mappings).map_err(|issues| crate::issues(&issues))?;
    let mut read = summary
        .columns
        .iter()
        .map(|(field, header)| format!("{field} from column \"{header}\""))
        .collect::<Vec<_>>();
    if !summary.columns.iter().any(|(f, _)| *f == "relationship") {
        read.push(format!(
            "no relationship column, so every mapping is `{}` (--default-relationship)",
            default_relationship.as_str()
        ));
    }
    Ok(ImportedSet {
        rows: summary.rows,
        read,
        set,
    })
}

/// A mapping set as a library file (TOML).
///
/// # Errors
/// When the set cannot be written in the library format.
pub fn set_toml(set: &MappingSet) -> Result<String> {
    crosswalk_format::write_mapping_set(set).map_err(Error::Invalid)
}

/// A spreadsheet column by header text, letter or 1-based number.
///
/// # Errors
/// An empty or malformed column name.
pub fn column(s: &str) -> Result<Column> {
    s.parse::<Column>()
        .map_err(|e| invalid!("column `{s}`: {e}"))
}

/// What a spreadsheet import read and produced.
#[derive(Debug)]
pub struct ImportedSet {
    /// Data rows read.
    pub rows: usize,
    /// How each field was read ("relationship from column \"Relationship\"" …).
    pub read: Vec<String>,
    pub set: MappingSet,
}

/// `mappings import`: a spreadsheet and how to read it, as the flags give it, or a
/// Prowler compliance catalogue (JSON).
#[derive(Debug, Clone)]
pub struct MappingImport {
    pub file: PathBuf,
    /// The frameworks of the source and target columns (a Prowler catalogue names its
    /// own; `to` then overrides it).
    pub from: Option<String>,
    pub to: Option<String>,
    /// The mapping-set file a spreadsheet becomes; the directory a Prowler catalogue's
    /// two files go to.
    pub output: PathBuf,
    pub id: Option<String>,
    pub title: Option<String>,
    /// `official` or `curated`.
    pub provenance: String,
    pub publisher: String,
    pub source: Option<String>,
    pub date: Option<String>,
    pub licence: Option<String>,
    pub method: String,
    pub review: String,
    pub sheet: Option<String>,
    pub header_row: usize,
    pub from_column: String,
    pub to_column: String,
    pub relationship_column: Option<String>,
    pub strength_column: Option<String>,
    pub note_column: Option<String>,
    pub default_relationship: String,
    pub fill_down: bool,
    pub skip_empty_source: bool,
    pub split: Option<String>,
    pub from_pattern: Option<String>,
    pub to_pattern: Option<String>,
    pub skip_unknown: bool,
    /// A known spreadsheet layout that sets the column options left at their defaults:
    /// `scf-strm` (the Secure Controls Framework's set theory relationship mappings).
    pub preset: Option<String>,
}

/// The Secure Controls Framework's STRM spreadsheets (NIST IR 8477 set theory): one row
/// per focal document element (`FDE #`) and SCF control (`SCF #`, several on separate
/// lines), the relationship in `STRM Relationship` (Equal, Subset Of, Superset Of,
/// Intersects With, No Relationship), a 1–10 strength; rows with no SCF control (`N/A`)
/// state that nothing maps and are left out.
fn apply_preset(mut a: MappingImport) -> Result<MappingImport> {
    match a.preset.as_deref() {
        None => {}
        Some("scf-strm") => {
            if a.from_column == "from_id" {
                a.from_column = "FDE #".into();
            }
            if a.to_column == "to_id" {
                a.to_column = "SCF #".into();
            }
            a.relationship_column
                .get_or_insert_with(|| "STRM Relationship".into());
            a.strength_column
                .get_or_insert_with(|| "Strength of Relationship (optional)".into());
            a.split.get_or_insert_with(|| "\\n".into());
            a.to_pattern
                .get_or_insert_with(|| r"^[A-Z]{2,4}-\d{2}(?:\.\d{1,2})?$".into());
            if a.publisher == "unknown" {
                a.publisher = "Secure Controls Framework Council".into();
            }
            if a.method == "imported from a spreadsheet" {
                a.method = "the Secure Controls Framework's set theory relationship mapping (STRM, NIST IR 8477), imported as published".into();
            }
        }
        Some(other) => bail!("--preset `{other}`: the known layout is scf-strm"),
    }
    Ok(a)
}

/// What `mappings import` produced.
#[derive(Debug)]
pub enum Imported {
    /// A spreadsheet's mapping set, for the caller to write to `output`.
    Sheet(ImportedSet),
    /// A Prowler catalogue's checks framework and mapping set, files in `output`.
    Prowler(crate::prowler::ProwlerImported),
}

/// Reads a spreadsheet crosswalk into a checked mapping set, or a Prowler compliance
/// catalogue (a JSON file, recognised by its content) into its two library files (all
/// or nothing).
///
/// # Errors
/// Bad options, or every row (or requirement) problem located.
pub fn import_mappings(catalog: &Catalog, request: MappingImport) -> Result<Imported> {
    if let Some(text) = crate::prowler::json_text(&request.file)? {
        if request.from.is_some() {
            bail!("--from: a Prowler catalogue maps Prowler's checks; leave --from out");
        }
        return crate::prowler::convert(
            catalog,
            &request.file,
            &text,
            &request.output,
            request.to.as_deref(),
            request.skip_unknown,
        )
        .map(Imported::Prowler);
    }
    import_sheet(catalog, import_spec(request)?).map(Imported::Sheet)
}

fn import_spec(a: MappingImport) -> Result<ImportSpec> {
    let a = apply_preset(a)?;
    let (Some(from), Some(to)) = (a.from.clone(), a.to.clone()) else {
        bail!("a spreadsheet needs --from and --to: the frameworks of its two columns");
    };
    let provenance = match ProvenanceKind::parse(&a.provenance) {
        Some(p) if p != ProvenanceKind::Inferred => p,
        _ => bail!(
            "--provenance `{}`: use official, curated or tool (a mapping stated by another tool's library)",
            a.provenance
        ),
    };
    let relationship =
        crosswalk_sheets::parse_relationship(&a.default_relationship).ok_or_else(|| {
            invalid!(
                "--default-relationship `{}` is not a relationship",
                a.default_relationship
            )
        })?;
    let regex = |p: &Option<String>, flag: &str| -> Result<Option<regex::Regex>> {
        p.as_deref()
            .map(|p| regex::Regex::new(p).map_err(|e| invalid!("{flag}: {e}")))
            .transpose()
    };
    let mut sheet = SheetOptions::new(column(&a.from_column)?, column(&a.to_column)?);
    sheet.sheet = a.sheet.clone();
    sheet.header_row = a.header_row;
    sheet.relationship = a.relationship_column.as_deref().map(column).transpose()?;
    sheet.strength = a.strength_column.as_deref().map(column).transpose()?;
    sheet.note = a.note_column.as_deref().map(column).transpose()?;
    sheet.default_relationship = relationship;
    sheet.fill_down = a.fill_down;
    sheet.skip_empty_source = a.skip_empty_source;
    sheet.split = a.split.as_ref().map(|s| s.replace("\\n", "\n"));
    sheet.from_pattern = regex(&a.from_pattern, "--from-pattern")?;
    sheet.to_pattern = regex(&a.to_pattern, "--to-pattern")?;
    let id = a.id.clone().unwrap_or_else(|| format!("{from}--{to}"));
    let id = FrameworkId::parse(&id).map_err(|e| invalid!("--id: {e}"))?;
    let placeholder = FrameworkId::parse("x").map_err(|e| invalid!("{e}"))?;
    Ok(ImportSpec {
        file: a.file.clone(),
        from: from.clone(),
        to: to.clone(),
        meta: MappingSetMeta {
            id,
            from: placeholder.clone(),
            to: placeholder,
            title: a.title.clone().unwrap_or_else(|| format!("{from} to {to}")),
            provenance,
            publisher: a.publisher.clone(),
            source: a
                .source
                .clone()
                .unwrap_or_else(|| a.file.display().to_string()),
            date: a.date.clone(),
            licence: a.licence.clone(),
            method: a.method.clone(),
            review: a.review.clone(),
            notes: Vec::new(),
        },
        sheet,
        skip_unknown: a.skip_unknown,
    })
}
