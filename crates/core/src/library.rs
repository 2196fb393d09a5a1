//! A checked set of frameworks, profiles and pair notes, with id resolution.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::framework::Framework;
use crate::ids::FrameworkId;
use crate::mapping::{MappingIssue, MappingSet};
use crate::profile::{PairNotes, Profile};

/// A cross-file problem in a library. Each names the ids involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LibraryIssue {
    #[error("framework id `{0}` is defined more than once")]
    DuplicateFramework(FrameworkId),
    #[error("id or alias `{id}` of `{framework}` is already used by `{other}`")]
    AliasClash {
        id: FrameworkId,
        framework: FrameworkId,
        other: FrameworkId,
    },
    #[error("family `{family}` has {count} editions marked current; exactly one must be")]
    CurrentEdition { family: FrameworkId, count: usize },
    #[error("profile for family `{0}` is defined more than once")]
    DuplicateProfile(FrameworkId),
    #[error("profile `{0}` has no framework of that family")]
    ProfileWithoutFramework(FrameworkId),
    #[error("profile `{profile}` lists unknown related family `{related}`")]
    UnknownRelated {
        profile: FrameworkId,
        related: FrameworkId,
    },
    #[error("profile `{profile}`: timeline phase `{phase}` has min_weeks above max_weeks")]
    BadPhase { profile: FrameworkId, phase: String },
    #[error("pair notes name unknown family `{0}`")]
    UnknownPairFamily(FrameworkId),
    #[error("pair notes for `{0}` and `{1}` are defined more than once")]
    DuplicatePair(FrameworkId, FrameworkId),
    #[error("mapping set id `{0}` is defined more than once")]
    DuplicateMappingSet(FrameworkId),
    #[error("mapping set `{set}`: {issue}")]
    Mapping {
        set: FrameworkId,
        issue: MappingIssue,
    },
}

/// The parts a library is made of, before cross-checking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LibraryParts {
    pub frameworks: Vec<Framework>,
    pub profiles: Vec<Profile>,
    pub pairs: Vec<PairNotes>,
    #[serde(default)]
    pub mapping_sets: Vec<MappingSet>,
}

impl LibraryParts {
    /// Appends another set of parts (a user library on top of the built-in one).
    pub fn extend(&mut self, other: LibraryParts) {
        self.frameworks.extend(other.frameworks);
        self.profiles.extend(other.profiles);
        self.pairs.extend(other.pairs);
        self.mapping_sets.extend(other.mapping_sets);
    }
}

/// A library whose cross-references are known to hold.
#[derive(Debug, Clone)]
pub struct Library {
    parts: LibraryParts,
    by_id: HashMap<FrameworkId, usize>,
}

impl Library {
    pub fn new(parts: LibraryParts) -> Result<Self, Vec<LibraryIssue>> {
        let mut issues = Vec::new();
        let mut by_id: HashMap<FrameworkId, usize> = HashMap::new();
        let mut current: HashMap<&FrameworkId, (usize, usize)> = HashMap::new();
        for (i, fw) in parts.frameworks.iter().enumerate() {
            let meta = &fw.meta;
            if by_id.insert(meta.id.clone(), i).is_some() {
                issues.push(LibraryIssue::DuplicateFramework(meta.id.clone()));
            }
            let entry = current.entry(&meta.family).or_insert((0, i));
            if meta.current {
                entry.0 += 1;
                entry.1 = i;
            }
        }
        // Aliases: each family's short id and each edition's extra aliases.
        let mut aliases: Vec<(FrameworkId, usize)> = Vec::new();
        for (family, &(count, index)) in &current {
            if count != 1 {
                issues.push(LibraryIssue::CurrentEdition {
                    family: (*family).clone(),
                    count,
                });
            }
            aliases.push(((*family).clone(), index));
        }
        for (i, fw) in parts.frameworks.iter().enumerate() {
            aliases.extend(fw.meta.aliases.iter().map(|a| (a.clone(), i)));
        }
        aliases.sort();
        for (alias, index) in aliases {
            match by_id.get(&alias) {
                Some(&other) if other != index => issues.push(LibraryIssue::AliasClash {
                    id: alias,
                    framework: parts.frameworks[index].meta.id.clone(),
                    other: parts.frameworks[other].meta.id.clone(),
                }),
                Some(_) => {}
                None => {
                    by_id.insert(alias, index);
                }
            }
        }
        let families: HashSet<&FrameworkId> = current.keys().copied().collect();
        let mut seen_profiles = HashSet::new();
        for p in &parts.profiles {
            if !seen_profiles.insert(&p.family) {
                issues.push(LibraryIssue::DuplicateProfile(p.family.clone()));
            }
            if !families.contains(&p.family) {
                issues.push(LibraryIssue::ProfileWithoutFramework(p.family.clone()));
            }
            for r in &p.related {
                if !families.contains(r) {
                    issues.push(LibraryIssue::UnknownRelated {
                        profile: p.family.clone(),
                        related: r.clone(),
                    });
                }
            }
            for ph in &p.timeline {
                if ph.min_weeks > ph.max_weeks {
                    issues.push(LibraryIssue::BadPhase {
                        profile: p.family.clone(),
                        phase: ph.phase.clone(),
                    });
                }
            }
        }
        let mut seen_pairs = HashSet::new();
        for pair in &parts.pairs {
            for f in [&pair.a, &pair.b] {
                if !families.contains(f) {
                    issues.push(LibraryIssue::UnknownPairFamily(f.clone()));
                }
            }
            let key = if pair.a <= pair.b {
                (&pair.a, &pair.b)
            } else {
                (&pair.b, &pair.a)
            };
            if !seen_pairs.insert(key) {
                issues.push(LibraryIssue::DuplicatePair(key.0.clone(), key.1.clone()));
            }
        }
        check_mapping_sets(&parts, &mut issues);
        if issues.is_empty() {
            Ok(Self { parts, by_id })
        } else {
            Err(issues)
        }
    }

    pub fn mapping_sets(&self) -> &[MappingSet] {
        &self.parts.mapping_sets
    }

    /// Position of an edition (exact id, not an alias) in [`Library::frameworks`].
    pub fn index_of(&self, id: &FrameworkId) -> Option<usize> {
        self.parts.frameworks.iter().position(|f| f.id() == id)
    }

    pub fn frameworks(&self) -> &[Framework] {
        &self.parts.frameworks
    }

    pub fn parts(&self) -> &LibraryParts {
        &self.parts
    }

    /// Resolves an edition id, a family short id (to the current edition) or an alias.
    pub fn resolve(&self, id: &str) -> Option<&Framework> {
        let id = FrameworkId::parse(&id.to_ascii_lowercase()).ok()?;
        self.by_id.get(&id).map(|&i| &self.parts.frameworks[i])
    }

    pub fn profile(&self, family: &FrameworkId) -> Option<&Profile> {
        self.parts.profiles.iter().find(|p| &p.family == family)
    }

    pub fn pair_notes(&self, a: &FrameworkId, b: &FrameworkId) -> Option<&PairNotes> {
        self.parts
            .pairs
            .iter()
            .find(|p| (&p.a == a && &p.b == b) || (&p.a == b && &p.b == a))
    }

    /// The current edition of a family.
    pub fn current_of(&self, family: &FrameworkId) -> Option<&Framework> {
        self.parts
            .frameworks
            .iter()
            .find(|f| &f.meta.family == family && f.meta.current)
    }
}

/// Mapping sets must name editions by their exact ids, and every requirement they map
/// must exist on its side.
fn check_mapping_sets(parts: &LibraryParts, issues: &mut Vec<LibraryIssue>) {
    // The first definition of an id wins; a duplicate is reported once, elsewhere.
    let mut fw_ids: HashMap<&FrameworkId, HashSet<&str>> = HashMap::new();
    for f in &parts.frameworks {
        fw_ids
            .entry(f.id())
            .or_insert_with(|| f.requirements().iter().map(|r| r.id.as_str()).collect());
    }
    let mut seen = HashSet::new();
    for set in &parts.mapping_sets {
        let meta = &set.meta;
        if !seen.insert(&meta.id) {
            issues.push(LibraryIssue::DuplicateMappingSet(meta.id.clone()));
        }
        let (Some(from), Some(to)) = (fw_ids.get(&meta.from), fw_ids.get(&meta.to)) else {
            for f in [&meta.from, &meta.to] {
                if !fw_ids.contains_key(f) {
                    issues.push(LibraryIssue::Mapping {
                        set: meta.id.clone(),
                        issue: MappingIssue::UnknownFramework(f.clone()),
                    });
                }
            }
            continue;
        };
        for (index, m) in set.mappings().iter().enumerate() {
            for (field, id, ids, fw) in [
                ("from", &m.from, from, &meta.from),
                ("to", &m.to, to, &meta.to),
            ] {
                if !ids.contains(id.as_str()) {
                    issues.push(LibraryIssue::Mapping {
                        set: meta.id.clone(),
                        issue: MappingIssue::UnknownRequirement {
                            index,
                            field,
                            id: id.clone(),
                            framework: fw.clone(),
                        },
                    });
                }
            }
        }
    }
}
