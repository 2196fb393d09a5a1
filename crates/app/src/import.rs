//! `library import ciso-assistant`: CISO Assistant's YAML libraries converted into library
//! files — a framework with one requirement per node (ids the nodes' `ref_id`s, else a
//! stable id from the node's urn), and requirement mapping sets with their
//! relationships, labelled as stated by that tool. Each node's urn is kept as its `urn`
//! attribute, so mapping libraries imported later find their requirements.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crosswalk_core::framework::{Framework, FrameworkMeta, Requirement, RequirementKind};
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::{Mapping, MappingSet, MappingSetMeta, ProvenanceKind, Rationale};
use crosswalk_format::ciso_library::{self, Library};
use serde::Serialize;

use crate::oscal::LibraryFile;
use crate::{Error, Result, bail, invalid};

/// What an import produced, for `--json`.
#[derive(Debug, Clone, Serialize)]
pub struct CisoImported {
    pub frameworks: Vec<FrameworkSummary>,
    pub mapping_sets: Vec<MappingSummary>,
    #[serde(skip)]
    pub files: Vec<LibraryFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkSummary {
    pub id: String,
    pub requirements: usize,
    pub assessable: usize,
    /// Nodes whose `ref_id` could not serve as an id (missing, repeated, or holding a
    /// colon or a space), identified by their urn instead.
    pub ids_from_urn: usize,
    /// The id the framework would have had, when the library already used it.
    pub renamed_from: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MappingSummary {
    pub id: String,
    pub from: String,
    pub to: String,
    /// Mappings written (each pair once).
    pub mappings: usize,
    /// Pairs the library stated more than once with the same relationship, kept once.
    pub repeated: usize,
}

/// The last `:`-separated part of a urn.
fn tail(urn: &str) -> &str {
    urn.rsplit(':').next().unwrap_or(urn)
}

/// A framework id from a urn's last part: lowercase, other characters as `-`.
fn framework_id(urn: &str) -> String {
    let mut s: String = tail(urn)
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    s = s.trim_matches('-').to_owned();
    s.truncate(60);
    if s.is_empty() { "imported".into() } else { s }
}

/// Converts CISO Assistant libraries (`(name, text)` each) into library files for
/// `out`. Frameworks are converted first, so mapping sets in the same call find them;
/// mapping sets also find frameworks imported earlier into `out` or any `--library`
/// directory. `taken` says whether a framework id is already in use.
///
/// # Errors
/// A file that is not such a library, a framework id in use, a mapping naming a
/// requirement no imported framework holds, an unknown relationship: every problem,
/// and nothing is produced.
pub fn import_ciso(
    files: &[(String, String)],
    out: &Path,
    known: &[&Framework],
    taken: &dyn Fn(&str) -> bool,
    include_text: bool,
) -> Result<CisoImported> {
    let mut libraries = Vec::new();
    for (name, text) in files {
        let lib = ciso_library::read(name, text).map_err(Error::Invalid)?;
        // Library files record the file's name, not where it lay on this machine.
        let short = Path::new(name)
            .file_name()
            .map_or_else(|| name.clone(), |f| f.to_string_lossy().into_owned());
        libraries.push((short, lib));
    }
    let mut frameworks = Vec::new();
    let mut summaries = Vec::new();
    for (name, lib) in &libraries {
        let name = name.as_str();
        if let Some(fw) = &lib.objects.framework {
            let (framework, from_urn, renamed_from) =
                convert_framework(name, lib, fw, include_text, taken)?;
            summaries.push(FrameworkSummary {
                id: framework.id().to_string(),
                requirements: framework.requirements().len(),
                assessable: framework.assessable_count(),
                ids_from_urn: from_urn,
                renamed_from,
            });
            frameworks.push(framework);
        }
    }
    // Every requirement urn any framework at hand knows: framework id and requirement id.
    let mut by_urn: HashMap<String, (FrameworkId, RequirementId)> = HashMap::new();
    let mut fw_by_urn: HashMap<String, FrameworkId> = HashMap::new();
    for f in frameworks.iter().chain(known.iter().copied()) {
        if let Some(src) = f.meta.source.as_deref().and_then(framework_urn_of) {
            fw_by_urn.insert(src.to_owned(), f.id().clone());
        }
        for r in f.requirements() {
            if let Some(u) = r.attributes.get("urn").and_then(|v| v.first()) {
                by_urn.insert(u.clone(), (f.id().clone(), r.id.clone()));
            }
        }
    }
    let mut sets = Vec::new();
    let mut problems = Vec::new();
    for (name, lib) in &libraries {
        let name = name.as_str();
        for set in &lib.objects.requirement_mapping_sets {
            match convert_set(name, lib, set, &fw_by_urn, &by_urn) {
                Ok(s) => sets.push(s),
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    if !problems.is_empty() {
        return Err(crate::problems("nothing was imported", problems, 30));
    }
    let mut files = Vec::new();
    for f in &frameworks {
        files.push(LibraryFile {
            path: out.join(format!("{}.toml", f.id())),
            text: crosswalk_format::write_framework(f).map_err(Error::Invalid)?,
            id: f.id().to_string(),
            kind: "framework",
            count: f.requirements().len(),
            assessable: f.assessable_count(),
        });
    }
    let mut mapping_sets = Vec::new();
    for (s, repeated) in &sets {
        mapping_sets.push(MappingSummary {
            id: s.meta.id.to_string(),
            from: s.meta.from.to_string(),
            to: s.meta.to.to_string(),
            mappings: s.mappings().len(),
            repeated: *repeated,
        });
        files.push(LibraryFile {
            path: out.join(format!("{}.toml", s.meta.id)),
            text: crosswalk_format::write_mapping_set(s).map_err(Error::Invalid)?,
            id: s.meta.id.to_string(),
            kind: "mapping-set",
            count: s.mappings().len(),
            assessable: 0,
        });
    }
    Ok(CisoImported {
        frameworks: summaries,
        mapping_sets,
        files,
    })
}

/// The framework urn recorded in an imported framework's `source`.
fn framework_urn_of(source: &str) -> Option<&str> {
    let start = source.find("framework urn:")? + "framework ".len();
    source[start..]
        .split_whitespace()
        .next()
        .map(|u| u.trim_end_matches([';', ',', ')']))
}

fn convert_framework(
    name: &str,
    lib: &Library,
    fw: &ciso_library::Framework,
    include_text: bool,
    taken: &dyn Fn(&str) -> bool,
) -> Result<(Framework, usize, Option<String>)> {
    let natural = framework_id(&fw.urn);
    // A framework the library already has under this id (built in, say) is imported
    // beside it as `<id>-ca`, and the summary says so; twice is an error.
    let id = if taken(&natural) {
        format!("{natural}-ca")
    } else {
        natural.clone()
    };
    let id = FrameworkId::parse(&id).map_err(|e| invalid!("{name}: framework id `{id}`: {e}"))?;
    if taken(id.as_str()) {
        bail!(
            "{name}: frameworks `{natural}` and `{id}` are both in the library already (imported before?); nothing was imported"
        );
    }
    let mut used: HashSet<String> = HashSet::new();
    let mut ids: HashMap<&str, RequirementId> = HashMap::new();
    let mut from_urn = 0;
    let mut requirements = Vec::with_capacity(fw.requirement_nodes.len());
    for (i, n) in fw.requirement_nodes.iter().enumerate() {
        let candidate = n
            .ref_id
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty() && !used.contains(*r) && RequirementId::parse(r).is_ok());
        let rid = match candidate {
            Some(r) => r.to_owned(),
            None => {
                from_urn += 1;
                let t = tail(&n.urn).to_owned();
                if !used.contains(&t) && RequirementId::parse(&t).is_ok() {
                    t
                } else {
                    format!("node-{}", i + 1)
                }
            }
        };
        used.insert(rid.clone());
        let rid =
            RequirementId::parse(&rid).map_err(|e| invalid!("{name}: node {}: {e}", n.urn))?;
        let parent = match &n.parent_urn {
            Some(p) => Some(ids.get(p.as_str()).cloned().ok_or_else(|| {
                invalid!(
                    "{name}: node {} names parent {p}, which does not come before it",
                    n.urn
                )
            })?),
            None => None,
        };
        ids.insert(n.urn.as_str(), rid.clone());
        let description = n.description.as_deref().unwrap_or_default().trim();
        let title = match n.name.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => t.to_owned(),
            None if include_text && !description.is_empty() => short(description),
            None => n.ref_id.clone().unwrap_or_else(|| rid.to_string()),
        };
        let mut attributes = std::collections::BTreeMap::new();
        attributes.insert("urn".to_owned(), vec![n.urn.clone()]);
        requirements.push(Requirement {
            id: rid,
            parent,
            title,
            summary: if include_text {
                description.to_owned()
            } else {
                String::new()
            },
            kind: if n.assessable {
                RequirementKind::Requirement
            } else {
                RequirementKind::Group
            },
            assessable: n.assessable,
            attributes,
            excludable: None,
        });
    }
    let meta = FrameworkMeta {
        family: id.clone(),
        id: id.clone(),
        current: true,
        name: [fw.name.as_str(), lib.name.as_str()]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .unwrap_or(id.as_str())
            .trim()
            .to_owned(),
        version: if lib.version.is_empty() {
            "1".into()
        } else {
            lib.version.clone()
        },
        publisher: [lib.provider.as_str(), lib.packager.as_str()]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .unwrap_or("unknown")
            .to_owned(),
        published: (!lib.publication_date.is_empty()).then(|| lib.publication_date.clone()),
        aliases: Vec::new(),
        source: Some(format!(
            "Imported from the CISO Assistant library {} ({name}), framework {}{}",
            lib.urn,
            fw.urn,
            if lib.copyright.is_empty() {
                String::new()
            } else {
                format!("; copyright: {}", lib.copyright.trim())
            }
        )),
        notes: vec![format!(
            "Imported by crosswalk from a CISO Assistant library file held by the user; {} of {} requirement ids come from node urns (no usable ref_id).",
            from_urn,
            fw.requirement_nodes.len()
        )],
    };
    let framework = Framework::new(meta, requirements).map_err(|issues| {
        invalid!(
            "{name}: {}",
            issues
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    })?;
    Ok((
        framework,
        from_urn,
        (natural != id.as_str()).then_some(natural),
    ))
}

/// A title from a description: its first sentence, at most about 100 characters.
fn short(text: &str) -> String {
    let first = text.split(['\n', '.']).next().unwrap_or(text).trim();
    if first.chars().count() <= 100 {
        return first.to_owned();
    }
    let mut out: String = first.chars().take(97).collect();
    if let Some(cut) = out.rfind(' ') {
        out.truncate(cut);
    }
    out.push('…');
    out
}

fn convert_set(
    name: &str,
    lib: &Library,
    set: &ciso_library::MappingSet,
    fw_by_urn: &HashMap<String, FrameworkId>,
    by_urn: &HashMap<String, (FrameworkId, RequirementId)>,
) -> std::result::Result<(MappingSet, usize), Vec<String>> {
    let side = |urn: &str| {
        fw_by_urn.get(urn).cloned().ok_or_else(|| {
            format!("{name}: mapping set {}: framework {urn} is not imported; import its library first (or in the same command)", set.urn)
        })
    };
    let (from, to) = match (
        side(&set.source_framework_urn),
        side(&set.target_framework_urn),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => return Err([a.err(), b.err()].into_iter().flatten().collect()),
    };
    let mut problems = Vec::new();
    let mut mappings: Vec<Mapping> = Vec::new();
    let mut seen: HashMap<(RequirementId, RequirementId), usize> = HashMap::new();
    let mut repeated = 0;
    for (i, m) in set.requirement_mappings.iter().enumerate() {
        let at = format!(
            "{name}: mapping {} ({} → {})",
            i + 1,
            m.source_requirement_urn,
            m.target_requirement_urn
        );
        let req = |urn: &str, fw: &FrameworkId| match by_urn.get(urn) {
            Some((f, r)) if f == fw => Ok(r.clone()),
            _ => Err(format!("{at}: {urn} is not a requirement of {fw}")),
        };
        let relationship = crosswalk_sheets::parse_relationship(&m.relationship)
            .ok_or_else(|| format!("{at}: unknown relationship `{}`", m.relationship));
        match (
            req(&m.source_requirement_urn, &from),
            req(&m.target_requirement_urn, &to),
            relationship,
        ) {
            (Ok(a), Ok(b), Ok(rel)) => {
                if let Some(&first) = seen.get(&(a.clone(), b.clone())) {
                    // The same pair stated again: merged when it says the same, an
                    // error when it contradicts the first statement.
                    if mappings[first].relationship == rel {
                        repeated += 1;
                    } else {
                        problems.push(format!(
                            "{at}: the pair is stated again as `{}`, first as `{}`",
                            rel.as_str(),
                            mappings[first].relationship.as_str()
                        ));
                    }
                } else {
                    seen.insert((a.clone(), b.clone()), mappings.len());
                    mappings.push(Mapping {
                        from: a,
                        to: b,
                        relationship: rel,
                        rationale: match m.rationale.as_deref() {
                            Some("syntactic") => Some(Rationale::Syntactic),
                            Some("semantic") => Some(Rationale::Semantic),
                            Some("functional") => Some(Rationale::Functional),
                            _ => None,
                        },
                        strength: m
                            .strength_of_relationship
                            .and_then(|s| u8::try_from(s).ok())
                            .filter(|s| (1..=10).contains(s)),
                        confidence: None,
                        note: None,
                    });
                }
            }
            (a, b, r) => problems.extend([a.err(), b.err(), r.err()].into_iter().flatten()),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let id = framework_id(&set.urn);
    let id =
        FrameworkId::parse(&id).map_err(|e| vec![format!("{name}: mapping set id `{id}`: {e}")])?;
    let meta = MappingSetMeta {
        id,
        from,
        to,
        title: if set.name.trim().is_empty() {
            lib.name.clone()
        } else {
            set.name.trim().to_owned()
        },
        provenance: ProvenanceKind::Tool,
        publisher: [lib.provider.as_str(), lib.packager.as_str()]
            .into_iter()
            .find(|s| !s.trim().is_empty())
            .unwrap_or("unknown")
            .to_owned(),
        source: format!(
            "CISO Assistant library {} ({name}), mapping set {}",
            lib.urn, set.urn
        ),
        date: (!lib.publication_date.is_empty()).then(|| lib.publication_date.clone()),
        licence: None,
        method: "Stated by the CISO Assistant library; converted by crosswalk without review."
            .into(),
        review: "Not reviewed by this project (tool-stated).".into(),
        notes: if repeated > 0 {
            vec![format!(
                "The library states {repeated} pair(s) more than once with the same relationship; each is kept once."
            )]
        } else {
            Vec::new()
        },
    };
    MappingSet::new(meta, mappings)
        .map(|s| (s, repeated))
        .map_err(|issues| issues.iter().map(|i| format!("{name}: {i}")).collect())
}
