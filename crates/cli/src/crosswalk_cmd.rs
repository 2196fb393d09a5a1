//! `crosswalk map`, `overlap` and `mappings`: the crosswalk engine on the command line.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use crosswalk_core::crosswalk::{Found, Graph, Node, OverlapCount, Reach};
use crosswalk_core::framework::Framework;
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::library::Library;
use crosswalk_core::mapping::{Mapping, MappingSet, MappingSetMeta, ProvenanceKind, Relationship};
use crosswalk_library::Catalog;
use crosswalk_sheets::{Column, SheetOptions};
use serde::Serialize;

/// The rule behind every overlap figure, printed with it.
pub const OVERLAP_RULE: &str = "Counts the assessable requirements of the first framework. A requirement is \
fully covered when some requirement of the second framework is mapped to it as equal, equivalent, or \
broader (the first is a subset of it); partially covered when the best mapping is superset, intersects \
or related; not covered when no mapping links them. Mappings are the official and curated sets in the \
library, read in both directions (inverses derived). Several partial mappings never add up to full \
coverage.";

const INFERRED_RULE: &str = " Inferred mappings (chains through other frameworks, composed with the \
relationship algebra) are included.";

fn parse_target<'a>(catalog: &'a Catalog, target: &str) -> Result<(usize, &'a Framework, usize)> {
    let (fw, req) = target.split_once(':').ok_or_else(|| {
        anyhow!("`{target}`: expected FRAMEWORK:REQUIREMENT, e.g. iso27001:A.5.15")
    })?;
    let framework = catalog
        .library
        .resolve(fw)
        .ok_or_else(|| anyhow!("unknown framework `{fw}`"))?;
    let fi = catalog
        .library
        .index_of(framework.id())
        .ok_or_else(|| anyhow!("framework `{fw}` is not indexed"))?;
    let ri = framework
        .requirements()
        .iter()
        .position(|r| r.id.as_str() == req)
        .or_else(|| {
            let r = framework.find_loose(req)?;
            framework.requirements().iter().position(|x| x.id == r.id)
        })
        .ok_or_else(|| anyhow!("`{req}` is not a requirement of {}", framework.id()))?;
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
    kind: ProvenanceKind,
    publisher: &'a str,
    source: String,
}

#[derive(Serialize)]
pub struct HopJson<'a> {
    from: String,
    to: String,
    relationship: Relationship,
    set: &'a str,
    reversed: bool,
}

#[derive(Serialize)]
pub struct MapJson<'a> {
    from: String,
    to: String,
    title: &'a str,
    relationship: Relationship,
    rationale: Option<crosswalk_core::mapping::Rationale>,
    strength: Option<u8>,
    provenance: ProvenanceJson<'a>,
    path: Vec<HopJson<'a>>,
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
            let fw = catalog
                .library
                .resolve(id)
                .ok_or_else(|| anyhow!("unknown framework `{id}`"))?;
            Some(
                catalog
                    .library
                    .index_of(fw.id())
                    .ok_or_else(|| anyhow!("framework `{id}` is not indexed"))?
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

pub fn map_text(rows: &[MapJson<'_>], target: &str) -> String {
    if rows.is_empty() {
        return format!("no mappings for {target}\n");
    }
    let mut out = String::new();
    for r in rows {
        let kind = match r.provenance.kind {
            ProvenanceKind::Official => "official",
            ProvenanceKind::Curated => "curated",
            ProvenanceKind::Inferred => "INFERRED",
        };
        let _ = writeln!(
            out,
            "{} {} {}  {}  [{kind}: {}]",
            r.from,
            r.relationship.as_str(),
            r.to,
            r.title,
            r.provenance.source
        );
        for h in &r.path {
            let _ = writeln!(
                out,
                "    via {} {} {} ({}{})",
                h.from,
                h.relationship.as_str(),
                h.to,
                h.set,
                if h.reversed { ", inverse" } else { "" }
            );
        }
    }
    out
}

#[derive(Serialize)]
pub struct OverlapJson<'a> {
    a: &'a FrameworkId,
    b: &'a FrameworkId,
    rule: String,
    a_in_b: OverlapCount,
    b_in_a: OverlapCount,
}

fn reach_for(inferred: bool) -> Reach {
    Reach {
        max_depth: if inferred { 3 } else { 1 },
        include_related: true,
    }
}

pub fn rule(inferred: bool) -> String {
    if inferred {
        format!("{OVERLAP_RULE}{INFERRED_RULE}")
    } else {
        OVERLAP_RULE.to_owned()
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
    let fa = lib
        .resolve(a)
        .ok_or_else(|| anyhow!("unknown framework `{a}`"))?;
    let fb = lib
        .resolve(b)
        .ok_or_else(|| anyhow!("unknown framework `{b}`"))?;
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
        rule: rule(inferred),
        a_in_b: graph.overlap(lib, ia, ib, opts),
        b_in_a: graph.overlap(lib, ib, ia, opts),
    })
}

pub fn overlap_text(o: &OverlapJson<'_>) -> String {
    let line = |x: &FrameworkId, y: &FrameworkId, c: &OverlapCount| {
        format!(
            "{x} in {y}: {} of {} assessable requirements fully covered ({:.0}%), {} partially ({:.0}% at least partly), {} not covered\n",
            c.full,
            c.total,
            c.full_pct(),
            c.partial,
            c.any_pct(),
            c.none
        )
    };
    let mut out = line(o.a, o.b, &o.a_in_b);
    out.push_str(&line(o.b, o.a, &o.b_in_a));
    out.push_str("\nRule: ");
    out.push_str(&o.rule);
    out.push('\n');
    out
}

#[derive(Serialize)]
pub struct MatrixJson<'a> {
    frameworks: Vec<&'a FrameworkId>,
    rule: String,
    /// `cells[i][j]`: framework i's requirements covered by framework j.
    cells: Vec<Vec<OverlapCount>>,
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
        rule: rule(inferred),
        cells,
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The matrix as an SVG heatmap: rows are the covered framework, columns the covering one;
/// each cell shows the fully covered share and, shaded lighter, the partly covered share.
pub fn matrix_svg(m: &MatrixJson<'_>) -> String {
    let n = m.frameworks.len();
    let (cell, left, top) = (46usize, 150usize, 150usize);
    let (w, h) = (left + n * cell + 20, top + n * cell + 70);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Requirement coverage: row framework covered by column framework (full %)</text>\n"
    );
    for (i, fw) in m.frameworks.iter().enumerate() {
        let y = top + i * cell + cell / 2 + 4;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{y}\" text-anchor=\"end\">{}</text>",
            left - 6,
            xml_escape(fw.as_str())
        );
        let x = left + i * cell + cell / 2;
        let _ = writeln!(
            s,
            "<text transform=\"translate({x},{}) rotate(-60)\">{}</text>",
            top - 6,
            xml_escape(fw.as_str())
        );
    }
    for (i, row) in m.cells.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            let (x, y) = (left + j * cell, top + i * cell);
            let full = c.full_pct() / 100.0;
            let any = c.any_pct() / 100.0;
            // Blue for full coverage, pale blue for partial-only, white for none.
            let shade = |v: f64, base: (f64, f64, f64)| {
                let mix = |b: f64| (255.0 - (255.0 - b) * v).round() as u8;
                format!("#{:02x}{:02x}{:02x}", mix(base.0), mix(base.1), mix(base.2))
            };
            let fill = if i == j {
                "#d9dee7".to_owned()
            } else if full > 0.0 {
                shade(full.max(0.15), (31.0, 95.0, 191.0))
            } else {
                shade(any * 0.6, (120.0, 170.0, 230.0))
            };
            let ink = if full > 0.55 && i != j {
                "#ffffff"
            } else {
                "#1d2433"
            };
            let label = if i == j {
                "—".to_owned()
            } else {
                format!("{:.0}", c.full_pct())
            };
            let _ = writeln!(
                s,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{fill}\" stroke=\"#ffffff\"><title>{} in {}: {} full, {} partial, {} none of {}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{ink}\">{label}</text>",
                xml_escape(m.frameworks[i].as_str()),
                xml_escape(m.frameworks[j].as_str()),
                c.full,
                c.partial,
                c.none,
                c.total,
                x + cell / 2,
                y + cell / 2 + 4
            );
        }
    }
    let _ = writeln!(
        s,
        "<text x=\"10\" y=\"{}\" fill=\"#5b6475\">Full = equal, equivalent or subset mapping from the row's requirement; pale cells have partial mappings only. Generated by crosswalk.</text>\n</svg>",
        h - 20
    );
    s
}

pub fn matrix_text(m: &MatrixJson<'_>) -> String {
    let mut out = String::from("full % (row covered by column)\n");
    let _ = write!(out, "{:>18}", "");
    for (j, _) in m.frameworks.iter().enumerate() {
        let _ = write!(out, "{:>5}", j + 1);
    }
    out.push('\n');
    for (i, fw) in m.frameworks.iter().enumerate() {
        let _ = write!(out, "{:>2} {:<15}", i + 1, fw.as_str());
        for c in &m.cells[i] {
            let _ = write!(out, "{:>5.0}", c.full_pct());
        }
        out.push('\n');
    }
    out.push_str("\nRule: ");
    out.push_str(&m.rule);
    out.push('\n');
    out
}

/// Everything `crosswalk mappings import` needs besides the file.
pub struct ImportSpec {
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
pub fn import_sheet(catalog: &Catalog, spec: ImportSpec) -> Result<MappingSet> {
    let lib = &catalog.library;
    let from = lib
        .resolve(&spec.from)
        .ok_or_else(|| anyhow!("unknown framework `{}`", spec.from))?;
    let to = lib
        .resolve(&spec.to)
        .ok_or_else(|| anyhow!("unknown framework `{}`", spec.to))?;
    let name = spec.file.display().to_string();
    let spinner = if std::fs::metadata(&spec.file).is_ok_and(|m| m.len() > 1 << 20) {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(format!("reading {name}"));
        s.enable_steady_tick(std::time::Duration::from_millis(100));
        s
    } else {
        indicatif::ProgressBar::hidden()
    };
    let rows = crosswalk_sheets::read(&spec.file, &name, &spec.sheet);
    spinner.finish_and_clear();
    let rows = rows.map_err(|errs| {
        anyhow!(
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
    MappingSet::new(meta, mappings).map_err(|issues| crate::commands::issues_error(&issues))
}

pub fn write_set(set: &MappingSet, out: &Path) -> Result<()> {
    let text = crosswalk_format::write_mapping_set(set).map_err(|e| anyhow!(e))?;
    std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))
}

pub fn column(s: &str) -> Result<Column> {
    s.parse::<Column>()
        .map_err(|e| anyhow!("column `{s}`: {e}"))
}
