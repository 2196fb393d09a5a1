//! Parsers for crosswalk's library files (TOML, format version 1; see
//! `docs/library-format.md`). Every problem becomes a [`Diagnostic`] naming the file,
//! line, column and field, and a file either parses whole or yields nothing.

pub mod ciso_library;
pub mod input;
mod recover;
pub mod risk_matrix;

use std::fmt;
use std::ops::Range;
use std::path::Path;

use crosswalk_core::framework::{
    Framework, FrameworkMeta, Requirement, RequirementKind, TreeIssue, check_tree,
};
use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::library::{Library, LibraryIssue, LibraryParts};
use crosswalk_core::mapping::{
    Mapping, MappingIssue, MappingSet, MappingSetMeta, ProvenanceKind, Relationship,
};
use crosswalk_core::profile::{PairNotes, Profile};
use recover::Reader;
use serde::Deserialize;
use toml::Spanned;

/// The one file-format version this build reads and writes.
pub const FORMAT_VERSION: i64 = 1;

/// How deep a framework's requirements may nest (a top-level requirement is level 1).
/// The deepest built-in framework has 4 levels; the limit keeps every tree shallow enough
/// for recursive walks and for formats that nest (OSCAL export and re-import).
pub const MAX_REQUIREMENT_DEPTH: usize = 32;

/// The first requirement nested deeper than [`MAX_REQUIREMENT_DEPTH`]: its index and
/// depth. Requirements whose parent is unknown or listed later count as top level (the
/// framework checks report those).
pub fn too_deep<'a>(
    requirements: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Option<(usize, usize)> {
    let mut depth: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, (id, parent)) in requirements.into_iter().enumerate() {
        let d = parent.and_then(|p| depth.get(p)).map_or(1, |d| d + 1);
        if d > MAX_REQUIREMENT_DEPTH {
            return Some((i, d));
        }
        depth.insert(id, d);
    }
    None
}

/// A located problem in a library file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted path of the field, e.g. `requirements[3].parent`; empty when unknown.
    pub field: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// What a library file holds. Each item comes with the line of its table, so later
/// cross-file checks can point at it.
#[derive(Debug, Clone, PartialEq)]
pub enum LibraryFile {
    Framework(Framework, usize),
    Profile(Box<Profile>, usize),
    Comparisons(Vec<(PairNotes, usize)>),
    /// A mapping set, the line of its header table and the line of each mapping.
    MappingSet(MappingSet, usize, Vec<usize>),
}

#[derive(Deserialize)]
struct Header {
    kind: Spanned<String>,
    version: Spanned<i64>,
}

/// The top-level fields of each kind of file.
const FRAMEWORK_FIELDS: &[&str] = &["kind", "version", "framework", "requirements"];
const PROFILE_FIELDS: &[&str] = &["kind", "version", "profile"];
const COMPARISONS_FIELDS: &[&str] = &["kind", "version", "pairs"];
const MAPPING_SET_FIELDS: &[&str] = &["kind", "version", "mapping_set", "mappings"];

/// Maps byte offsets of one file to lines, columns and TOML key paths.
struct Locator<'a> {
    file: &'a str,
    text: &'a str,
    /// Byte offset of each `\n`, so a position is found by binary search (a file with
    /// many items or many problems is located in n log n, not n²).
    newlines: Vec<usize>,
}

impl<'a> Locator<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        let newlines = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Self {
            file,
            text,
            newlines,
        }
    }

    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        // Newlines strictly before `offset`.
        let before = self.newlines.partition_point(|nl| *nl < offset);
        let column = match before {
            0 => offset,
            n => offset - self.newlines[n - 1] - 1,
        } + 1;
        (before + 1, column)
    }

    /// The dotted key path at `offset`: the innermost table header above it, with array
    /// tables numbered, and the key on that line.
    fn field_at(&self, offset: usize) -> String {
        let offset = offset.min(self.text.len());
        let mut table = String::new();
        let mut counts: Vec<(String, usize)> = Vec::new();
        let line_end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        for line in self.text[..line_end].split_inclusive('\n') {
            let t = line.trim();
            if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
                let name = name.trim().to_owned();
                let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                    Some((_, n)) => {
                        *n += 1;
                        *n
                    }
                    None => {
                        counts.push((name.clone(), 0));
                        0
                    }
                };
                table = format!("{name}[{n}]");
            } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
                table = name.trim().to_owned();
            }
        }
        // The key on the line that holds `offset`.
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = self.text[start..].lines().next().unwrap_or("");
        let key = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_owned())
            .filter(|k| !k.starts_with('['))
            .unwrap_or_default();
        match (table.is_empty(), key.is_empty()) {
            (true, _) => key,
            (false, true) => table,
            (false, false) => format!("{table}.{key}"),
        }
    }

    fn at(&self, offset: usize, field: Option<String>, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.line_col(offset);
        Diagnostic {
            file: self.file.to_owned(),
            line,
            column,
            field: field.unwrap_or_else(|| self.field_at(offset)),
            message: message.into(),
        }
    }

    fn toml_error(&self, e: &toml::de::Error) -> Diagnostic {
        let offset = e.span().map_or(0, |s| s.start);
        self.at(offset, None, e.message().trim().to_owned())
    }

    /// The offset of `key = ...` in the table whose header starts at `span.start`, or the
    /// header itself. (toml spans an array-of-tables element by its header only.)
    fn key_in(&self, span: &Range<usize>, key: &str) -> usize {
        let start = span.start.min(self.text.len());
        let mut pos = start;
        for (i, line) in self.text[start..].split_inclusive('\n').enumerate() {
            let t = line.trim_start();
            if i > 0 && t.starts_with('[') {
                break;
            }
            if t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
            {
                return pos + (line.len() - t.len());
            }
            pos += line.len();
        }
        start
    }
}

/// Parses one library file. `file` is the name used in diagnostics.
///
/// Every problem found is reported, not only the first: the top-level tables and each
/// element of the top-level arrays are read on their own (see the `recover` module), and
/// the checks across requirements or mappings run over the elements that could be read.
/// Broken TOML syntax is the exception: it is one diagnostic.
pub fn parse_file(file: &str, text: &str) -> Result<LibraryFile, Vec<Diagnostic>> {
    let loc = Locator::new(file, text);
    let mut r = Reader::parse(&loc, text)?;
    let Some(header) = r.fields::<Header>(&["kind", "version"]) else {
        return Err(r.into_diagnostics());
    };
    if *header.version.get_ref() != FORMAT_VERSION {
        return Err(vec![loc.at(
            header.version.span().start,
            Some("version".into()),
            format!(
                "format version {} is not supported; this build reads version {FORMAT_VERSION}",
                header.version.get_ref()
            ),
        )]);
    }
    match header.kind.get_ref().as_str() {
        "framework" => framework(&loc, r),
        "profile" => {
            let profile = r.item::<Profile>("profile");
            r.unknown_fields(PROFILE_FIELDS);
            match profile {
                Some((p, span)) if !r.has_errors() => {
                    Ok(LibraryFile::Profile(Box::new(p), loc.line_col(span.start).0))
                }
                _ => Err(r.into_diagnostics()),
            }
        }
        "comparisons" => {
            let pairs = r.list::<PairNotes>("pairs");
            r.unknown_fields(COMPARISONS_FIELDS);
            let pairs: Option<Vec<(PairNotes, usize)>> = pairs
                .into_iter()
                .map(|p| Some((p.value.ok()?, loc.line_col(p.span.start).0)))
                .collect();
            match pairs {
                Some(pairs) if !r.has_errors() => Ok(LibraryFile::Comparisons(pairs)),
                _ => Err(r.into_diagnostics()),
            }
        }
        "mapping-set" => mapping_set(&loc, r),
        other => Err(vec![loc.at(
            header.kind.span().start,
            Some("kind".into()),
            format!(
                "unknown kind `{other}`, expected one of `framework`, `profile`, `comparisons`, `mapping-set`"
            ),
        )]),
    }
}

/// A stand-in for a requirement that did not deserialise, for the checks across
/// requirements: its id (without one it is left out), its parent and its title when they
/// are valid. The stand-in title of a requirement with an invalid one is not empty, so
/// only real problems are reported.
fn salvage_requirement(item: &toml::Spanned<toml::de::DeValue<'_>>) -> Option<Requirement> {
    Some(Requirement {
        id: recover::salvage(item, "id")?,
        parent: recover::salvage(item, "parent"),
        title: recover::salvage(item, "title").unwrap_or_else(|| "?".to_owned()),
        summary: String::new(),
        kind: RequirementKind::Group,
        assessable: false,
        attributes: Default::default(),
        excludable: None,
    })
}

fn framework(loc: &Locator<'_>, mut r: Reader<'_, '_>) -> Result<LibraryFile, Vec<Diagnostic>> {
    let meta = r.item::<FrameworkMeta>("framework");
    let elements = r.list::<Requirement>("requirements");
    r.unknown_fields(FRAMEWORK_FIELDS);
    let spans: Vec<Range<usize>> = elements.iter().map(|e| e.span.clone()).collect();
    let tree_issue = |index: usize, issue: &TreeIssue| {
        let field = format!("requirements[{index}].{}", issue.field());
        loc.at(
            loc.key_in(&spans[index], issue.field()),
            Some(field),
            issue.to_string(),
        )
    };
    let depth_issue = |index: usize, depth: usize, id: &RequirementId| {
        loc.at(
            loc.key_in(&spans[index], "parent"),
            Some(format!("requirements[{index}].parent")),
            format!(
                "`{id}` is nested {depth} levels deep; requirements nest at most {MAX_REQUIREMENT_DEPTH} levels"
            ),
        )
    };
    let too_deep_in = |reqs: &[Requirement]| {
        too_deep(
            reqs.iter()
                .map(|r| (r.id.as_str(), r.parent.as_ref().map(|p| p.as_str()))),
        )
    };
    match meta {
        Some((meta, span)) if !r.has_errors() => {
            // Every element deserialised: the requirements exactly as written.
            let reqs: Vec<Requirement> =
                elements.into_iter().filter_map(|e| e.value.ok()).collect();
            if let Some((i, depth)) = too_deep_in(&reqs) {
                return Err(vec![depth_issue(i, depth, &reqs[i].id)]);
            }
            let line = loc.line_col(span.start).0;
            Framework::new(meta, reqs)
                .map(|fw| LibraryFile::Framework(fw, line))
                .map_err(|issues| {
                    issues
                        .iter()
                        .map(|issue| tree_issue(issue.index(), issue))
                        .collect()
                })
        }
        _ => {
            // The tree checks over what could be read, with stand-ins for the rest.
            let (index, reqs): (Vec<usize>, Vec<Requirement>) = elements
                .into_iter()
                .enumerate()
                .filter_map(|(i, e)| match e.value {
                    Ok(req) => Some((i, req)),
                    Err(item) => Some((i, salvage_requirement(item.as_ref()?)?)),
                })
                .unzip();
            if let Some((i, depth)) = too_deep_in(&reqs) {
                r.push(depth_issue(index[i], depth, &reqs[i].id));
            }
            for issue in check_tree(&reqs) {
                r.push(tree_issue(index[issue.index()], &issue));
            }
            Err(r.into_diagnostics())
        }
    }
}

/// A stand-in for a mapping that did not deserialise, for the checks across mappings:
/// its ends (without both it is left out) and its strength when valid.
fn salvage_mapping(item: &toml::Spanned<toml::de::DeValue<'_>>) -> Option<Mapping> {
    Some(Mapping {
        from: recover::salvage(item, "from")?,
        to: recover::salvage(item, "to")?,
        relationship: Relationship::Related,
        rationale: None,
        strength: recover::salvage(item, "strength"),
        confidence: None,
        note: None,
    })
}

/// A stand-in header for the checks across the mappings of a set whose header did not
/// deserialise; it raises no problem of its own.
fn stand_in_meta() -> Option<MappingSetMeta> {
    let id = FrameworkId::parse("stand-in").ok()?;
    Some(MappingSetMeta {
        id: id.clone(),
        from: id.clone(),
        to: id,
        title: String::new(),
        provenance: ProvenanceKind::Curated,
        publisher: String::new(),
        source: String::new(),
        date: None,
        licence: None,
        method: String::new(),
        review: String::new(),
        notes: Vec::new(),
    })
}

fn mapping_set(loc: &Locator<'_>, mut r: Reader<'_, '_>) -> Result<LibraryFile, Vec<Diagnostic>> {
    let meta = r.item::<MappingSetMeta>("mapping_set");
    let elements = r.list::<Mapping>("mappings");
    r.unknown_fields(MAPPING_SET_FIELDS);
    let spans: Vec<Range<usize>> = elements.iter().map(|e| e.span.clone()).collect();
    let mapping_issue = |index: Option<usize>, issue: &MappingIssue| match (index, issue.location())
    {
        (Some(index), Some((_, field))) => loc.at(
            loc.key_in(&spans[index], field),
            Some(format!("mappings[{index}].{field}")),
            issue.to_string(),
        ),
        _ => loc.at(0, Some("mapping_set".into()), issue.to_string()),
    };
    let all_read = !r.has_errors();
    match meta {
        Some((meta, span)) if all_read => {
            let line = loc.line_col(span.start).0;
            let lines: Vec<usize> = spans.iter().map(|s| loc.line_col(s.start).0).collect();
            let mappings = elements.into_iter().filter_map(|e| e.value.ok()).collect();
            MappingSet::new(meta, mappings)
                .map(|set| LibraryFile::MappingSet(set, line, lines))
                .map_err(|issues| {
                    issues
                        .iter()
                        .map(|issue| mapping_issue(issue.location().map(|(i, _)| i), issue))
                        .collect()
                })
        }
        meta => {
            // The checks over what could be read, with stand-ins for the rest.
            let (index, mappings): (Vec<usize>, Vec<Mapping>) = elements
                .into_iter()
                .enumerate()
                .filter_map(|(i, e)| match e.value {
                    Ok(m) => Some((i, m)),
                    Err(item) => Some((i, salvage_mapping(item.as_ref()?)?)),
                })
                .unzip();
            if let Some(meta) = meta.map(|(m, _)| m).or_else(stand_in_meta)
                && let Err(issues) = MappingSet::new(meta, mappings)
            {
                for issue in &issues {
                    let at = issue.location().map(|(i, _)| index[i]);
                    r.push(mapping_issue(at, issue));
                }
            }
            Err(r.into_diagnostics())
        }
    }
}

/// Where each item of a [`LibraryParts`] was defined, index for index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins {
    frameworks: Vec<(String, usize)>,
    profiles: Vec<(String, usize)>,
    pairs: Vec<(String, usize)>,
    /// File, header line and the line of each mapping.
    mapping_sets: Vec<(String, usize, Vec<usize>)>,
}

impl Origins {
    pub fn extend(&mut self, other: Origins) {
        self.frameworks.extend(other.frameworks);
        self.profiles.extend(other.profiles);
        self.pairs.extend(other.pairs);
        self.mapping_sets.extend(other.mapping_sets);
    }
}

/// Parsed library files with where each item came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub parts: LibraryParts,
    pub origins: Origins,
}

impl Loaded {
    /// Wraps parts that were checked elsewhere (the built-in image); every item is
    /// attributed to `name`.
    pub fn from_parts(parts: LibraryParts, name: &str) -> Self {
        let at = |n: usize| vec![(name.to_owned(), 1); n];
        let origins = Origins {
            frameworks: at(parts.frameworks.len()),
            profiles: at(parts.profiles.len()),
            pairs: at(parts.pairs.len()),
            mapping_sets: parts
                .mapping_sets
                .iter()
                .map(|m| (name.to_owned(), 1, vec![1; m.mappings().len()]))
                .collect(),
        };
        Self { parts, origins }
    }

    pub fn extend(&mut self, other: Loaded) {
        self.parts.extend(other.parts);
        self.origins.extend(other.origins);
    }

    /// Adds one parsed file.
    pub fn add(&mut self, name: &str, file: LibraryFile) {
        match file {
            LibraryFile::Framework(fw, line) => {
                self.parts.frameworks.push(fw);
                self.origins.frameworks.push((name.to_owned(), line));
            }
            LibraryFile::Profile(p, line) => {
                self.parts.profiles.push(*p);
                self.origins.profiles.push((name.to_owned(), line));
            }
            LibraryFile::MappingSet(set, line, lines) => {
                self.parts.mapping_sets.push(set);
                self.origins
                    .mapping_sets
                    .push((name.to_owned(), line, lines));
            }
            LibraryFile::Comparisons(pairs) => {
                for (p, line) in pairs {
                    self.parts.pairs.push(p);
                    self.origins.pairs.push((name.to_owned(), line));
                }
            }
        }
    }

    /// Cross-checks the whole set and builds a [`Library`], or says where each problem is.
    pub fn into_library(self) -> Result<Library, Vec<Diagnostic>> {
        let Loaded { parts, origins } = self;
        let lookup = parts.clone();
        Library::new(parts).map_err(|issues| {
            issues
                .into_iter()
                .map(|issue| {
                    let (file, line, field) = origin_of(&issue, &lookup, &origins);
                    Diagnostic {
                        file,
                        line,
                        column: 1,
                        field,
                        message: issue.to_string(),
                    }
                })
                .collect()
        })
    }
}

fn origin_of(issue: &LibraryIssue, parts: &LibraryParts, o: &Origins) -> (String, usize, String) {
    let mapping_set = |id: &crosswalk_core::ids::FrameworkId| {
        parts
            .mapping_sets
            .iter()
            .zip(&o.mapping_sets)
            .rev()
            .find(|(m, _)| &m.meta.id == id)
            .map(|(_, origin)| origin.clone())
    };
    let fw = |pred: &dyn Fn(&Framework) -> bool, last: bool| {
        let mut hits = parts
            .frameworks
            .iter()
            .zip(&o.frameworks)
            .filter(|(f, _)| pred(f));
        let hit = if last { hits.last() } else { hits.next() };
        hit.map(|(_, origin)| origin.clone())
    };
    let profile = |family: &crosswalk_core::ids::FrameworkId| {
        parts
            .profiles
            .iter()
            .zip(&o.profiles)
            .rev()
            .find(|(p, _)| &p.family == family)
            .map(|(_, origin)| origin.clone())
    };
    let pair = |f: &dyn Fn(&PairNotes) -> bool| {
        parts
            .pairs
            .iter()
            .zip(&o.pairs)
            .rev()
            .find(|(p, _)| f(p))
            .map(|(_, origin)| origin.clone())
    };
    let (origin, field) = match issue {
        LibraryIssue::DuplicateFramework(id) => (fw(&|f| f.id() == id, true), "framework.id"),
        LibraryIssue::AliasClash { framework, .. } => {
            (fw(&|f| f.id() == framework, false), "framework.aliases")
        }
        LibraryIssue::CurrentEdition { family, .. } => (
            fw(&|f| &f.meta.family == family, false),
            "framework.current",
        ),
        LibraryIssue::DuplicateProfile(f) | LibraryIssue::ProfileWithoutFramework(f) => {
            (profile(f), "profile.family")
        }
        LibraryIssue::UnknownRelated { profile: p, .. } => (profile(p), "profile.related"),
        LibraryIssue::BadPhase { profile: p, .. } => (profile(p), "profile.timeline"),
        LibraryIssue::UnknownPairFamily(f) => (pair(&|p| &p.a == f || &p.b == f), "pairs"),
        LibraryIssue::DuplicateMappingSet(id) => {
            (mapping_set(id).map(|(f, l, _)| (f, l)), "mapping_set.id")
        }
        LibraryIssue::Mapping { set, issue } => {
            let found = mapping_set(set);
            return match (found, issue.location()) {
                (Some((file, _, lines)), Some((index, field))) => (
                    file,
                    lines.get(index).copied().unwrap_or(1),
                    field_name(index, field),
                ),
                (Some((file, line, _)), None) => (file, line, "mapping_set".to_owned()),
                (None, _) => ("<library>".to_owned(), 1, String::new()),
            };
        }
        LibraryIssue::DuplicatePair(a, b) => (
            pair(&|p| (&p.a == a && &p.b == b) || (&p.a == b && &p.b == a)),
            "pairs",
        ),
    };
    let (file, line) = origin.unwrap_or_else(|| ("<library>".to_owned(), 1));
    (file, line, field.to_owned())
}

fn field_name(index: usize, field: &str) -> String {
    format!("mappings[{index}].{field}")
}

/// How many directory levels below the root [`read_dir`] descends.
pub const MAX_DIR_DEPTH: usize = 32;

/// Reads every `*.toml` file under `root` (recursively, in sorted order, at most
/// [`MAX_DIR_DEPTH`] levels down). Names in diagnostics are relative to `root`, prefixed
/// with `prefix`. Each file must be a regular file within [`input::LIBRARY_FILE`]. Files
/// that fail to parse are all reported; nothing is returned unless every file parses.
pub fn read_dir(root: &Path, prefix: &str) -> Result<Loaded, Vec<Diagnostic>> {
    let mut paths = Vec::new();
    let mut diags = Vec::new();
    collect_toml(root, &mut paths, &mut diags, prefix, root, 0);
    paths.sort();
    let mut loaded = Loaded::default();
    for path in paths {
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let name = format!("{prefix}{}", rel.display());
        match input::read_text(&path, input::LIBRARY_FILE) {
            Ok(text) => match parse_file(&name, &text) {
                Ok(file) => loaded.add(&name, file),
                Err(d) => diags.extend(d),
            },
            Err(input::InputError::NotUtf8 { line, column, .. }) => diags.push(Diagnostic {
                line,
                column,
                ..file_diag(&name, "not UTF-8 text".into())
            }),
            Err(e) => diags.push(file_diag(&name, e.reason())),
        }
    }
    if diags.is_empty() {
        Ok(loaded)
    } else {
        Err(diags)
    }
}

fn file_diag(name: &str, message: String) -> Diagnostic {
    Diagnostic {
        file: name.to_owned(),
        line: 0,
        column: 0,
        field: String::new(),
        message,
    }
}

fn collect_toml(
    dir: &Path,
    out: &mut Vec<std::path::PathBuf>,
    diags: &mut Vec<Diagnostic>,
    prefix: &str,
    root: &Path,
    depth: usize,
) {
    let name = || match dir.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => format!("{prefix}{}", rel.display()),
        _ => dir.display().to_string(),
    };
    if depth > MAX_DIR_DEPTH {
        diags.push(file_diag(
            &name(),
            format!("directories are nested more than {MAX_DIR_DEPTH} levels deep"),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(file_diag(&name(), format!("cannot read: {e}")));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_toml(&path, out, diags, prefix, root, depth + 1);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// Writes a framework as a library file that `parse_file` reads back unchanged.
///
/// # Errors
/// When TOML serialisation fails (it does not for frameworks built by `Framework::new`).
pub fn write_framework(fw: &Framework) -> Result<String, String> {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        kind: &'static str,
        version: i64,
        framework: &'a FrameworkMeta,
        requirements: &'a [Requirement],
    }
    toml::to_string(&Out {
        kind: "framework",
        version: FORMAT_VERSION,
        framework: &fw.meta,
        requirements: fw.requirements(),
    })
    .map_err(|e| e.to_string())
}

/// Writes a mapping set in the library format (the inverse of [`parse_file`]).
pub fn write_mapping_set(set: &MappingSet) -> Result<String, String> {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        kind: &'static str,
        version: i64,
        mapping_set: &'a MappingSetMeta,
        mappings: &'a [Mapping],
    }
    toml::to_string(&Out {
        kind: "mapping-set",
        version: FORMAT_VERSION,
        mapping_set: &set.meta,
        mappings: set.mappings(),
    })
    .map_err(|e| e.to_string())
}
