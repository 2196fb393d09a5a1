//! `mappings import` of a Prowler compliance catalogue (`prowler/compliance/<provider>/
//! *.json`: `{Framework, Version, Provider, Requirements: [{Id, Name, Checks}]}`, saying
//! which Prowler checks serve which requirement) into two library files: the provider's
//! checks as a framework (`prowler-<provider>-checks`, one requirement per check, none
//! assessable) and a mapping set from those checks to our edition of the catalogue's
//! framework, labelled as stated by that tool. All or nothing, every problem located.

use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::path::Path;

use crosswalk_core::framework::{Framework, FrameworkMeta, Requirement, RequirementKind};
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::{Mapping, MappingSet, MappingSetMeta, ProvenanceKind, Relationship};
use crosswalk_format::input::{self, Limit};
use crosswalk_library::Catalog;
use serde::Deserialize;

use crate::oscal::LibraryFile;
use crate::{Error, Result, bail, invalid};

/// Prowler's catalogues are well under 1 MiB.
const CATALOGUE: Limit = Limit::new(32 << 20, "Prowler compliance catalogues");

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Catalogue {
    framework: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    provider: String,
    requirements: Vec<CatalogueRequirement>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CatalogueRequirement {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    checks: Vec<String>,
}

/// What a catalogue became.
#[derive(Debug, Clone)]
pub struct ProwlerImported {
    /// `ISO27001 2022 (AWS)`, as the catalogue names itself.
    pub catalogue: String,
    /// Our framework edition the checks are mapped to.
    pub framework: String,
    /// The catalogue's requirements, and those listing checks.
    pub requirements: usize,
    pub with_checks: usize,
    /// Distinct checks the catalogue lists.
    pub checks: usize,
    /// Checks in the framework written: these and those converted into the directory
    /// before.
    pub checks_written: usize,
    /// (check, requirement) pairs written.
    pub mappings: usize,
    /// Requirements left out (`--skip-unknown`) because their ids are not in ours.
    pub skipped: Vec<String>,
    pub files: Vec<LibraryFile>,
}

/// The file's text when it holds JSON (an object), which `mappings import` reads as a
/// Prowler catalogue; `None` for a spreadsheet.
///
/// # Errors
/// The file cannot be read, is too large, or is JSON but not UTF-8.
pub(crate) fn json_text(path: &Path) -> Result<Option<String>> {
    let (file, _) = input::open(path, input::SPREADSHEET).map_err(|e| invalid!("{e}"))?;
    let mut head = Vec::new();
    file.take(64)
        .read_to_end(&mut head)
        .map_err(|e| invalid!("`{}` cannot be read: {e}", path.display()))?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    if head.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Ok(None);
    }
    let text = input::read_text(path, CATALOGUE).map_err(|e| invalid!("{e}"))?;
    Ok(Some(text.trim_start_matches('\u{feff}').to_owned()))
}

/// Converts a catalogue (`text`, read from `file`) into the files to write into `out`.
/// The checks framework already in `out` (from another catalogue of the provider) is
/// extended, never replaced. `to` names our framework instead of the catalogue's.
///
/// # Errors
/// Not a catalogue (with line and column), a framework the library does not hold, a
/// check id that cannot be an id, requirement ids absent from ours (unless
/// `skip_unknown`), or the files' ids in use by another `--library` directory.
pub(crate) fn convert(
    catalog: &Catalog,
    file: &Path,
    text: &str,
    out: &Path,
    to: Option<&str>,
    skip_unknown: bool,
) -> Result<ProwlerImported> {
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    let c: Catalogue = serde_json::from_str(text).map_err(|e| {
        invalid!(
            "{name}:{}:{}: not a Prowler compliance catalogue: {e}",
            e.line(),
            e.column()
        )
    })?;
    let label = format!("{} {}", c.framework, c.version).trim().to_owned();
    let lib = &catalog.library;
    let target = match to {
        Some(t) => crate::standards::resolve(catalog, t)?,
        None => crate::collect::tool_framework(lib, &label).ok_or_else(|| {
            invalid!(
                "{name}: the catalogue is for {label} ({}), which is not in the library; nothing was converted (add the framework with --library and name it with --to)",
                c.name.trim()
            )
        })?,
    };
    let provider: String = c
        .provider
        .trim()
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if provider.trim_matches('-').is_empty() {
        bail!("{name}: $.Provider `{}`: no provider named", c.provider);
    }
    let checks_id = FrameworkId::parse(&format!("prowler-{provider}-checks"))
        .map_err(|e| invalid!("{name}: $.Provider `{}`: {e}", c.provider))?;
    let set_id = FrameworkId::parse(&format!("{checks_id}--{}", target.id()))
        .map_err(|e| invalid!("{name}: {e}"))?;
    let earlier = earlier_checks(catalog, out, &checks_id, &set_id)?;

    let mut checks = BTreeSet::new();
    let mut pairs = Vec::new();
    let mut seen = HashSet::new();
    let (mut problems, mut unknown, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
    for (i, r) in c.requirements.iter().enumerate() {
        let at = format!("{name}: $.Requirements[{i}]");
        let mut listed = Vec::new();
        for (j, check) in r.checks.iter().enumerate() {
            match requirement_id(check) {
                Some(id) => listed.push((check.trim(), id)),
                None => problems.push(format!(
                    "{at}.Checks[{j}]: `{}` cannot be a check id (printable ASCII, no `:`)",
                    check.escape_debug()
                )),
            }
        }
        if listed.is_empty() {
            continue;
        }
        checks.extend(listed.iter().map(|(check, _)| *check));
        let Some(req) = ours(target, r) else {
            let shown = match named(r) {
                Some(n) => format!("`{n}` (Id `{}`)", r.id),
                None => format!("Id `{}`", r.id),
            };
            unknown.push(format!(
                "{at}: {shown} is not a requirement of {}; its {} check(s) would map to nothing",
                target.id(),
                listed.len()
            ));
            skipped.push(named(r).unwrap_or(&r.id).to_owned());
            continue;
        };
        for (_, id) in listed {
            if seen.insert((id.clone(), req.id.clone())) {
                pairs.push((id, req.id.clone()));
            }
        }
    }
    let mut hint = String::new();
    if !skip_unknown && !unknown.is_empty() {
        hint = format!(
            " (--skip-unknown leaves out requirements whose ids are not in {})",
            target.id()
        );
        problems.append(&mut unknown);
    }
    if !problems.is_empty() {
        return Err(crate::problems(
            format!("{} problem(s), nothing converted{hint}", problems.len()),
            problems,
            30,
        ));
    }
    if pairs.is_empty() {
        bail!(
            "{name}: no requirement lists a check that maps to {}; nothing was converted",
            target.id()
        );
    }
    let catalogue = format!("{label} ({})", c.provider.trim());
    let described = format!("{name} ({catalogue}: {})", c.name.trim());
    let mut notes = earlier
        .as_ref()
        .map(|f| f.meta.notes.clone())
        .unwrap_or_default();
    let note = format!("Holds the checks listed by {described}.");
    if !notes.contains(&note) {
        notes.push(note);
    }
    let all: BTreeSet<&str> = earlier
        .iter()
        .flat_map(|f| f.requirements().iter().map(|r| r.title.as_str()))
        .chain(checks.iter().copied())
        .collect();
    let mut requirements = Vec::with_capacity(all.len());
    for check in &all {
        requirements.push(Requirement {
            id: requirement_id(check)
                .ok_or_else(|| invalid!("{checks_id}: `{check}` cannot be a check id"))?,
            parent: None,
            title: (*check).to_owned(),
            summary: String::new(),
            kind: RequirementKind::Control,
            assessable: false,
            attributes: std::collections::BTreeMap::new(),
            excludable: None,
        });
    }
    let framework = Framework::new(
        FrameworkMeta {
            id: checks_id.clone(),
            family: checks_id.clone(),
            current: true,
            name: format!("Prowler checks ({})", c.provider.trim()),
            version: "1".into(),
            publisher: "Prowler".into(),
            published: None,
            aliases: Vec::new(),
            source: Some(
                "Check ids listed by Prowler's compliance catalogues (prowler/compliance/<provider>/*.json), converted by crosswalk (mappings import); each requirement's title is the check id as Prowler writes it.".into(),
            ),
            notes,
        },
        requirements,
    )
    .map_err(|issues| crate::issues(&issues))?;
    let mut set_notes = Vec::new();
    if !skipped.is_empty() {
        set_notes.push(format!(
            "Left out {} of the catalogue's requirements whose ids are not in {} (--skip-unknown): {}.",
            skipped.len(),
            target.id(),
            skipped.join(", ")
        ));
    }
    let mappings = pairs
        .into_iter()
        .map(|(from, to)| Mapping {
            from,
            to,
            relationship: Relationship::Related,
            rationale: None,
            strength: None,
            confidence: None,
            note: None,
        })
        .collect();
    let set = MappingSet::new(
        MappingSetMeta {
            id: set_id.clone(),
            from: checks_id.clone(),
            to: target.id().clone(),
            title: format!("Prowler checks ({}) to {}", c.provider.trim(), target.meta.name),
            provenance: ProvenanceKind::Tool,
            publisher: "Prowler".into(),
            source: format!("Prowler's compliance catalogue {described}"),
            date: None,
            licence: Some("Apache-2.0".into()),
            method: "Converted by crosswalk from Prowler's compliance catalogue: each check listed under a requirement is mapped to it as `related`; the requirement is read from the id its Name starts with (`CC6.1 …`, `GV.OC-1`), else its Id (`A.5.1`; `cc_6_1` read as CC6.1).".into(),
            review: "Not reviewed by this project (tool-stated).".into(),
            notes: set_notes,
        },
        mappings,
    )
    .map_err(|issues| crate::issues(&issues))?;
    let file = |id: &FrameworkId, text, kind, count| LibraryFile {
        path: out.join(format!("{id}.toml")),
        text,
        id: id.to_string(),
        kind,
        count,
        assessable: 0,
    };
    Ok(ProwlerImported {
        catalogue,
        framework: target.id().to_string(),
        requirements: c.requirements.len(),
        with_checks: c
            .requirements
            .iter()
            .filter(|r| !r.checks.is_empty())
            .count(),
        checks: checks.len(),
        checks_written: framework.requirements().len(),
        mappings: set.mappings().len(),
        skipped,
        files: vec![
            file(
                &checks_id,
                crosswalk_format::write_framework(&framework).map_err(Error::Invalid)?,
                "framework",
                framework.requirements().len(),
            ),
            file(
                &set_id,
                crosswalk_format::write_mapping_set(&set).map_err(Error::Invalid)?,
                "mapping-set",
                set.mappings().len(),
            ),
        ],
    })
}

/// The checks framework converted into `out` before, to extend. Files of these ids in
/// another `--library` directory would clash with the ones written: refused.
fn earlier_checks(
    catalog: &Catalog,
    out: &Path,
    checks_id: &FrameworkId,
    set_id: &FrameworkId,
) -> Result<Option<Framework>> {
    let lib = &catalog.library;
    let path = |id: &FrameworkId| out.join(format!("{id}.toml"));
    let elsewhere = |id: &FrameworkId, held: bool| {
        if held && !path(id).is_file() {
            bail!(
                "`{id}` is already in the library, outside {}: convert into the directory that holds it",
                out.display()
            );
        }
        Ok(())
    };
    elsewhere(checks_id, lib.index_of(checks_id).is_some())?;
    elsewhere(
        set_id,
        lib.mapping_sets().iter().any(|s| &s.meta.id == set_id),
    )?;
    let file = path(checks_id);
    if !file.is_file() {
        return Ok(None);
    }
    let text = input::read_text(&file, input::LIBRARY_FILE).map_err(|e| invalid!("{e}"))?;
    match crosswalk_format::parse_file(&file.display().to_string(), &text) {
        Ok(crosswalk_format::LibraryFile::Framework(f, _)) => Ok(Some(f)),
        Ok(_) => bail!("{} is not a framework file", file.display()),
        Err(diags) => Err(crate::problems(
            format!("{} cannot be extended", file.display()),
            diags.iter().map(ToString::to_string).collect(),
            30,
        )),
    }
}

/// The id a requirement's Name starts with, when it looks like one (holds a digit):
/// SOC 2 names start `CC6.1 …`, CSF names are `GV.OC-1`.
fn named(r: &CatalogueRequirement) -> Option<&str> {
    r.name
        .split_whitespace()
        .next()
        .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
}

/// Our requirement for one of the catalogue's: by the id its Name starts with, else by
/// its Id as written (`A.5.1`) or read as SOC 2 writes criteria (`cc_6_1` → `CC6.1`,
/// `cc_a_1_1` → `A1.1`, `pi_1_2` → `PI1.2`). The Name comes first: where the two
/// disagree (`cc_a_1_1` named `A1.2 …`), the Name carries the criterion's text.
fn ours<'f>(fw: &'f Framework, r: &CatalogueRequirement) -> Option<&'f Requirement> {
    let parts: Vec<&str> = r.id.trim().split('_').collect();
    let digits = parts
        .iter()
        .position(|p| p.chars().all(|c| c.is_ascii_digit()))
        .unwrap_or(parts.len());
    let (letters, numbers) = parts.split_at(digits);
    let letters = match letters {
        [cc, rest @ ..] if cc.eq_ignore_ascii_case("cc") && !rest.is_empty() => rest,
        all => all,
    };
    let criterion = format!(
        "{}{}",
        letters.concat().to_ascii_uppercase(),
        numbers.join(".")
    );
    named(r)
        .into_iter()
        .chain([r.id.trim(), criterion.as_str()])
        .find_map(|id| fw.find_loose(id))
}

/// A check's requirement id: the check id, or for one longer than an id may be (64),
/// its first 55 characters, `~` and 8 hex digits of its SHA-256 (its title keeps it
/// whole). `None` when it holds whitespace, `:` or non-ASCII.
fn requirement_id(check: &str) -> Option<RequirementId> {
    let check = check.trim();
    if let Ok(id) = RequirementId::parse(check) {
        return Some(id);
    }
    if check.len() <= 64 || !check.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return None;
    }
    let hash = crosswalk_core::evidence::Sha256::of(check.as_bytes()).to_string();
    RequirementId::parse(&format!("{}~{}", &check[..55], &hash[..8])).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn check_ids_become_requirement_ids() {
        assert_eq!(
            requirement_id(" accessanalyzer_enabled ").unwrap().as_str(),
            "accessanalyzer_enabled"
        );
        let long = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mysql_3306";
        let other = "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_redis_6379";
        let (a, b) = (
            requirement_id(long).unwrap(),
            requirement_id(other).unwrap(),
        );
        assert_eq!(a.as_str().len(), 64);
        assert!(a.as_str().starts_with(&long[..55]) && a.as_str()[55..].starts_with('~'));
        assert_ne!(a, b, "same first 55 characters, different ids");
        assert_eq!(requirement_id(long).unwrap(), a, "the same every time");
        for bad in ["", "two words", "a:b", "é"] {
            assert_eq!(requirement_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn requirements_are_found_by_name_then_id() {
        let catalog = crosswalk_library::builtin().unwrap();
        let soc2 = catalog.library.resolve("soc2").unwrap();
        let req = |id: &str, name: &str| CatalogueRequirement {
            id: id.into(),
            name: name.into(),
            checks: Vec::new(),
        };
        let found = |r: CatalogueRequirement| ours(soc2, &r).map(|q| q.id.to_string());
        assert_eq!(
            found(req("cc_6_1", "CC6.1 The entity …")).as_deref(),
            Some("CC6.1")
        );
        assert_eq!(
            found(req("cc_a_1_1", "A1.2 The entity …")).as_deref(),
            Some("A1.2")
        );
        assert_eq!(
            found(req("cc_a_1_1", "Availability")).as_deref(),
            Some("A1.1")
        );
        assert_eq!(found(req("pi_1_2", "")).as_deref(), Some("PI1.2"));
        assert_eq!(found(req("cc_99_1", "Unknown")), None);
        let csf = catalog.library.resolve("nist-csf-2.0").unwrap();
        assert_eq!(
            ours(csf, &req("oc_1", "GV.OC-1")).map(|q| q.id.as_str()),
            Some("GV.OC-01")
        );
    }
}
