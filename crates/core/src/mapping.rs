//! Typed relationships between requirements of two frameworks (NIST IR 8477, OSCAL 1.2
//! mapping-collection), their inverses, and the algebra for composing them.
//!
//! A relationship always reads from the source requirement to the target requirement:
//! `A subset B` means everything A asks for is also asked for by B (B is broader), so
//! meeting B meets A.

use serde::{Deserialize, Serialize};

use crate::ids::{FrameworkId, RequirementId};

/// Set-theory relationship of a source requirement to a target requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relationship {
    /// Same requirement, same wording.
    Equal,
    /// Same requirement in different words.
    Equivalent,
    /// The source asks for part of what the target asks for.
    Subset,
    /// The source asks for everything the target asks for, and more.
    Superset,
    /// They share some content; neither contains the other.
    Intersects,
    /// Related concepts; the publisher did not type the relationship (concept crosswalks).
    Related,
    /// Explicitly no relationship.
    NoRelationship,
}

impl Relationship {
    pub const ALL: [Relationship; 7] = [
        Self::Equal,
        Self::Equivalent,
        Self::Subset,
        Self::Superset,
        Self::Intersects,
        Self::Related,
        Self::NoRelationship,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "equal",
            Self::Equivalent => "equivalent",
            Self::Subset => "subset",
            Self::Superset => "superset",
            Self::Intersects => "intersects",
            Self::Related => "related",
            Self::NoRelationship => "no-relationship",
        }
    }

    /// The same fact read from target to source.
    pub fn inverse(self) -> Self {
        match self {
            Self::Subset => Self::Superset,
            Self::Superset => Self::Subset,
            other => other,
        }
    }

    /// How much of the source requirement meeting the target covers.
    pub fn coverage(self) -> Coverage {
        match self {
            Self::Equal | Self::Equivalent | Self::Subset => Coverage::Full,
            Self::Superset | Self::Intersects | Self::Related => Coverage::Partial,
            Self::NoRelationship => Coverage::None,
        }
    }

    /// Composes `self` (A to B) with `next` (B to C) into what can be concluded of A to C,
    /// or `None` when nothing can. Reasoning on sets, with every requirement non-empty:
    /// equality passes the other relation through; subset chains and superset chains keep
    /// their direction; `A ⊇ B ⊆ C` and chains ending in containment of a shared part give
    /// intersection; `A ⊆ B ⊇ C` and `intersects ∘ intersects` tell nothing.
    pub fn compose(self, next: Relationship) -> Option<Relationship> {
        use Relationship::*;
        let strongest_same = |a: Relationship, b: Relationship| {
            if a == Equal && b == Equal {
                Equal
            } else {
                Equivalent
            }
        };
        Some(match (self, next) {
            (NoRelationship, _) | (_, NoRelationship) => return None,
            (Related, Equal | Equivalent) | (Equal | Equivalent, Related) => Related,
            (Related, _) | (_, Related) => return None,
            (Equal | Equivalent, Equal | Equivalent) => strongest_same(self, next),
            (Equal | Equivalent, r) | (r, Equal | Equivalent) => r,
            (Subset, Subset) => Subset,
            (Superset, Superset) => Superset,
            // A ⊇ B ⊆ C: B lies in both A and C.
            (Superset, Subset) => Intersects,
            // A ⊆ B ⊇ C: A and C may be disjoint parts of B.
            (Subset, Superset) => return None,
            // A ∩ B ≠ ∅ and B ⊆ C: A ∩ C ⊇ A ∩ B.
            (Intersects, Subset) => Intersects,
            // A ⊇ B and B ∩ C ≠ ∅: A ∩ C ⊇ B ∩ C.
            (Superset, Intersects) => Intersects,
            (Subset, Intersects) | (Intersects, Superset) | (Intersects, Intersects) => {
                return None;
            }
        })
    }
}

/// How far meeting a target requirement goes toward meeting the source requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coverage {
    None,
    Partial,
    Full,
}

impl Coverage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Partial => "partial",
            Self::Full => "full",
        }
    }
}

/// Why the relationship holds (NIST IR 8477).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rationale {
    Syntactic,
    Semantic,
    Functional,
}

/// Who stands behind a mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProvenanceKind {
    /// Published by the standard's owner or a government body.
    Official,
    /// Written and reviewed by this project.
    Curated,
    /// Stated by another tool's library (an imported mapping this project has not
    /// reviewed).
    Tool,
    /// Computed by composing other mappings; never shown as official.
    Inferred,
}

impl ProvenanceKind {
    pub const ALL: [Self; 4] = [Self::Official, Self::Curated, Self::Tool, Self::Inferred];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Official => "official",
            Self::Curated => "curated",
            Self::Tool => "tool",
            Self::Inferred => "inferred",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

/// One mapping between two requirements, as stated in a mapping set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub from: RequirementId,
    pub to: RequirementId,
    pub relationship: Relationship,
    pub rationale: Option<Rationale>,
    pub strength: Option<u8>,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
}

/// Header of a mapping set: which frameworks, who says so, how it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingSetMeta {
    pub id: FrameworkId,
    pub from: FrameworkId,
    pub to: FrameworkId,
    pub title: String,
    pub provenance: ProvenanceKind,
    pub publisher: String,
    pub source: String,
    pub date: Option<String>,
    pub licence: Option<String>,
    pub method: String,
    pub review: String,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A mapping set whose strengths are in range (1–10) and whose provenance is not
/// `inferred` (inferred mappings are computed, never stored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingSet {
    pub meta: MappingSetMeta,
    mappings: Vec<Mapping>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingIssue {
    #[error("strength {strength} of `{from}` → `{to}` is outside 1–10")]
    Strength {
        index: usize,
        from: RequirementId,
        to: RequirementId,
        strength: u8,
    },
    #[error("`{from}` → `{to}` is listed more than once")]
    Duplicate {
        index: usize,
        from: RequirementId,
        to: RequirementId,
    },
    #[error("a stored mapping set cannot have provenance `inferred`")]
    Inferred,
    #[error("`{id}` is not a requirement of `{framework}`")]
    UnknownRequirement {
        index: usize,
        field: &'static str,
        id: RequirementId,
        framework: FrameworkId,
    },
    #[error("mapping set names unknown framework `{0}`")]
    UnknownFramework(FrameworkId),
}

impl MappingIssue {
    /// Index of the mapping concerned, if any, and the field.
    pub fn location(&self) -> Option<(usize, &'static str)> {
        match self {
            Self::Strength { index, .. } => Some((*index, "strength")),
            Self::Duplicate { index, .. } => Some((*index, "to")),
            Self::UnknownRequirement { index, field, .. } => Some((*index, field)),
            Self::Inferred | Self::UnknownFramework(_) => None,
        }
    }
}

impl MappingSet {
    /// The set read the other way round: sides swapped, each relationship inverted, with
    /// an id and title that say so.
    ///
    /// # Errors
    /// When the inverted set does not check (it always does for a checked set).
    pub fn inverted(&self) -> Result<Self, Vec<MappingIssue>> {
        let mut meta = self.meta.clone();
        std::mem::swap(&mut meta.from, &mut meta.to);
        if let Ok(id) = FrameworkId::parse(&format!("{}--inverse", self.meta.id)) {
            meta.id = id;
        }
        meta.title = format!("{} (read in reverse)", self.meta.title);
        meta.notes.push(format!(
            "Derived from `{}` by inverting each relationship.",
            self.meta.id
        ));
        let mappings = self
            .mappings()
            .iter()
            .map(|m| Mapping {
                from: m.to.clone(),
                to: m.from.clone(),
                relationship: m.relationship.inverse(),
                ..m.clone()
            })
            .collect();
        Self::new(meta, mappings)
    }

    pub fn new(meta: MappingSetMeta, mappings: Vec<Mapping>) -> Result<Self, Vec<MappingIssue>> {
        let mut issues = Vec::new();
        if meta.provenance == ProvenanceKind::Inferred {
            issues.push(MappingIssue::Inferred);
        }
        let mut seen = std::collections::HashSet::new();
        for (index, m) in mappings.iter().enumerate() {
            if let Some(s) = m.strength.filter(|s| !(1..=10).contains(s)) {
                issues.push(MappingIssue::Strength {
                    index,
                    from: m.from.clone(),
                    to: m.to.clone(),
                    strength: s,
                });
            }
            if !seen.insert((&m.from, &m.to)) {
                issues.push(MappingIssue::Duplicate {
                    index,
                    from: m.from.clone(),
                    to: m.to.clone(),
                });
            }
        }
        if issues.is_empty() {
            Ok(Self { meta, mappings })
        } else {
            Err(issues)
        }
    }

    pub fn mappings(&self) -> &[Mapping] {
        &self.mappings
    }
}

#[cfg(test)]
mod tests {
    use super::Relationship::{self, *};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The relationship of two non-empty finite sets.
    fn relation(a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> Relationship {
        if a == b {
            Equal
        } else if a.is_subset(b) {
            Subset
        } else if a.is_superset(b) {
            Superset
        } else if a.intersection(b).next().is_some() {
            Intersects
        } else {
            NoRelationship
        }
    }

    /// Does `claim` hold of `a` and `b`? Weaker claims than the truth also hold.
    fn holds(claim: Relationship, a: &BTreeSet<u8>, b: &BTreeSet<u8>) -> bool {
        match claim {
            Equal | Equivalent => a == b,
            Subset => a.is_subset(b),
            Superset => a.is_superset(b),
            Intersects | Related => a.intersection(b).next().is_some(),
            NoRelationship => a.intersection(b).next().is_none(),
        }
    }

    fn non_empty() -> impl Strategy<Value = BTreeSet<u8>> {
        proptest::collection::btree_set(0u8..8, 1..6)
    }

    proptest! {
        /// Every conclusion the algebra draws is true of real sets.
        #[test]
        fn composition_is_sound(a in non_empty(), b in non_empty(), c in non_empty()) {
            let (ab, bc) = (relation(&a, &b), relation(&b, &c));
            if let Some(ac) = ab.compose(bc) {
                prop_assert!(holds(ac, &a, &c), "{ab:?} ∘ {bc:?} = {ac:?} but A={a:?} C={c:?}");
            }
        }

        /// Inverting both hops and the order gives the inverse conclusion.
        #[test]
        fn composition_commutes_with_inverse(i in 0usize..7, j in 0usize..7) {
            let (r, s) = (Relationship::ALL[i], Relationship::ALL[j]);
            prop_assert_eq!(r.compose(s).map(Relationship::inverse), s.inverse().compose(r.inverse()));
        }

        /// Equality is a two-sided identity.
        #[test]
        fn equal_is_identity(i in 0usize..7) {
            let r = Relationship::ALL[i];
            let expect = if r == NoRelationship { None } else { Some(r) };
            prop_assert_eq!(Equal.compose(r), expect);
            prop_assert_eq!(r.compose(Equal), expect);
        }
    }

    #[test]
    fn the_rules_the_issue_names() {
        assert_eq!(Subset.compose(Subset), Some(Subset));
        assert_eq!(Superset.compose(Superset), Some(Superset));
        assert_eq!(Subset.compose(Superset), None);
        for r in Relationship::ALL {
            if let Some(c) = Intersects.compose(r) {
                assert!(
                    c.coverage() <= Intersects.coverage(),
                    "intersects ∘ {r:?} = {c:?}"
                );
            }
            if let Some(c) = r.compose(Intersects) {
                assert!(
                    c.coverage() <= Intersects.coverage(),
                    "{r:?} ∘ intersects = {c:?}"
                );
            }
        }
    }

    #[test]
    fn inverses() {
        assert_eq!(Subset.inverse(), Superset);
        assert_eq!(Intersects.inverse(), Intersects);
        for r in Relationship::ALL {
            assert_eq!(r.inverse().inverse(), r);
        }
    }
}
