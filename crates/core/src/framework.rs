//! A framework edition: its metadata and its requirement tree.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::ids::{FrameworkId, RequirementId};

/// What kind of node a requirement is in its standard's tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKind {
    Group,
    Clause,
    Control,
    Objective,
    Criterion,
    PointOfFocus,
    Category,
    Subcategory,
    Article,
    Section,
    Standard,
    ImplementationSpecification,
    Requirement,
}

impl RequirementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Clause => "clause",
            Self::Control => "control",
            Self::Objective => "objective",
            Self::Criterion => "criterion",
            Self::PointOfFocus => "point-of-focus",
            Self::Category => "category",
            Self::Subcategory => "subcategory",
            Self::Article => "article",
            Self::Section => "section",
            Self::Standard => "standard",
            Self::ImplementationSpecification => "implementation-specification",
            Self::Requirement => "requirement",
        }
    }
}

/// One node of a standard's requirement tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: RequirementId,
    pub parent: Option<RequirementId>,
    pub title: String,
    /// Our own words; empty for catalogs imported without their publisher's text.
    #[serde(default)]
    pub summary: String,
    pub kind: RequirementKind,
    pub assessable: bool,
    #[serde(default)]
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Whether an organisation may declare it not applicable, with a justification. When
    /// absent, [`Framework::excludable`]'s rule decides.
    #[serde(default)]
    pub excludable: Option<bool>,
}

/// Edition metadata, as written in a framework file's `[framework]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkMeta {
    pub id: FrameworkId,
    pub family: FrameworkId,
    pub current: bool,
    pub name: String,
    pub version: String,
    pub publisher: String,
    pub published: Option<String>,
    #[serde(default)]
    pub aliases: Vec<FrameworkId>,
    pub source: Option<String>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A problem inside one framework's requirement tree. `index` is the position of the
/// offending requirement, so a parser can point at its line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreeIssue {
    #[error("duplicate requirement id `{id}`")]
    DuplicateId { index: usize, id: RequirementId },
    #[error("parent `{parent}` of `{id}` does not exist in this framework")]
    DanglingParent {
        index: usize,
        id: RequirementId,
        parent: RequirementId,
    },
    #[error("parent `{parent}` of `{id}` is defined after it; list parents before children")]
    ParentAfterChild {
        index: usize,
        id: RequirementId,
        parent: RequirementId,
    },
    #[error("requirement `{id}` has an empty {field}")]
    Empty {
        index: usize,
        id: RequirementId,
        field: &'static str,
    },
}

impl TreeIssue {
    pub fn index(&self) -> usize {
        match self {
            Self::DuplicateId { index, .. }
            | Self::DanglingParent { index, .. }
            | Self::ParentAfterChild { index, .. }
            | Self::Empty { index, .. } => *index,
        }
    }
    /// The field of the requirement the issue is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::DuplicateId { .. } => "id",
            Self::DanglingParent { .. } | Self::ParentAfterChild { .. } => "parent",
            Self::Empty { field, .. } => field,
        }
    }
}

/// Checks a requirement list: unique ids, parents that exist and come first, a title.
/// Because every parent must precede its child, the tree can have no cycles.
pub fn check_tree(requirements: &[Requirement]) -> Vec<TreeIssue> {
    let mut issues = Vec::new();
    let mut first_at: HashMap<&RequirementId, usize> = HashMap::new();
    for (index, r) in requirements.iter().enumerate() {
        if first_at.contains_key(&r.id) {
            issues.push(TreeIssue::DuplicateId {
                index,
                id: r.id.clone(),
            });
        } else {
            first_at.insert(&r.id, index);
        }
    }
    for (index, r) in requirements.iter().enumerate() {
        if let Some(parent) = &r.parent {
            match first_at.get(parent) {
                None => issues.push(TreeIssue::DanglingParent {
                    index,
                    id: r.id.clone(),
                    parent: parent.clone(),
                }),
                Some(&at) if at >= index => issues.push(TreeIssue::ParentAfterChild {
                    index,
                    id: r.id.clone(),
                    parent: parent.clone(),
                }),
                Some(_) => {}
            }
        }
        if r.title.trim().is_empty() {
            issues.push(TreeIssue::Empty {
                index,
                id: r.id.clone(),
                field: "title",
            });
        }
    }
    issues.sort_by_key(TreeIssue::index);
    issues
}

/// Titles that need their parent's to mean anything.
const GENERIC_TITLES: [&str; 9] = [
    "general",
    "generic",
    "general requirements",
    "overview",
    "introduction",
    "requirements",
    "scope",
    "other",
    "miscellaneous",
];

/// A framework edition with a checked requirement tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    pub meta: FrameworkMeta,
    requirements: Vec<Requirement>,
    /// Positions by id, built on first look-up (not part of the format).
    #[serde(skip)]
    index: PositionIndex,
}

/// Requirement positions by id. Derived from the requirements, so it never makes two
/// frameworks unequal.
#[derive(Debug, Clone, Default)]
struct PositionIndex(std::sync::OnceLock<HashMap<String, usize>>);

impl PartialEq for PositionIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Framework {
    /// Builds a framework, refusing a tree that [`check_tree`] finds fault with.
    pub fn new(
        meta: FrameworkMeta,
        requirements: Vec<Requirement>,
    ) -> Result<Self, Vec<TreeIssue>> {
        let issues = check_tree(&requirements);
        if issues.is_empty() {
            Ok(Self {
                meta,
                requirements,
                index: PositionIndex::default(),
            })
        } else {
            Err(issues)
        }
    }

    pub fn id(&self) -> &FrameworkId {
        &self.meta.id
    }

    pub fn requirements(&self) -> &[Requirement] {
        &self.requirements
    }

    /// Whether a requirement may be declared not applicable: as its `excludable` says,
    /// else by the kind of standard. Management-system clauses (ISO clauses 4–10, the
    /// `clause` kind) bind every organisation in scope and can never be excluded, except
    /// where the standard itself allows it: ISO 9001 (4.3) for requirements of clauses 7
    /// and 8, ISO 13485 (1, 4.2.2) for clauses 6, 7 and 8. SOC 2's criteria are never
    /// excluded one by one: the common criteria always apply and the category criteria are
    /// in or out with their category (the target). Annex controls and other requirements
    /// can be excluded, with a justification.
    pub fn excludable(&self, id: &str) -> bool {
        let Some(r) = self.requirement(id) else {
            return false;
        };
        if let Some(x) = r.excludable {
            return x;
        }
        let top = id.split('.').next().unwrap_or("");
        match self.meta.family.as_str() {
            "soc2" => false,
            "iso9001" if r.kind == RequirementKind::Clause => matches!(top, "7" | "8"),
            "iso13485" if r.kind == RequirementKind::Clause => matches!(top, "6" | "7" | "8"),
            _ => r.kind != RequirementKind::Clause,
        }
    }

    /// A requirement's position in document order, in O(1).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index
            .0
            .get_or_init(|| {
                self.requirements
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.id.as_str().to_owned(), i))
                    .collect()
            })
            .get(id)
            .copied()
    }

    /// A requirement's title as a reader needs it out of its tree: its own title, or,
    /// when that title says nothing on its own ("General", "Overview" …), its parent's
    /// title and its own joined by ` › ` ("Internal audit › General" for ISO/IEC
    /// 27001 9.2.1). Empty for an unknown id.
    pub fn title_in_context(&self, id: &str) -> String {
        let Some(r) = self.requirement(id) else {
            return String::new();
        };
        let generic = GENERIC_TITLES
            .iter()
            .any(|g| r.title.trim().eq_ignore_ascii_case(g));
        match r.parent.as_ref().and_then(|p| self.requirement(p.as_str())) {
            Some(parent) if generic => format!("{} › {}", parent.title, r.title),
            _ => r.title.clone(),
        }
    }

    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.position(id).map(|i| &self.requirements[i])
    }

    /// Finds a requirement by an id as spreadsheets write it: exact, then ignoring case and
    /// surrounding space, then without zero-padding of numbers (`AC-01(02)` → `AC-1(2)`).
    pub fn find_loose(&self, raw: &str) -> Option<&Requirement> {
        let raw = raw.trim();
        if let Some(r) = self.requirement(raw) {
            return Some(r);
        }
        let unpadded = strip_zero_padding(raw);
        self.requirements.iter().find(|r| {
            r.id.as_str().eq_ignore_ascii_case(raw)
                || strip_zero_padding(r.id.as_str()).eq_ignore_ascii_case(&unpadded)
        })
    }

    pub fn assessable_count(&self) -> usize {
        self.requirements.iter().filter(|r| r.assessable).count()
    }

    /// Indices of each requirement's children, in file order; roots under `None`.
    pub fn children(&self) -> HashMap<Option<&RequirementId>, Vec<usize>> {
        let mut map: HashMap<Option<&RequirementId>, Vec<usize>> = HashMap::new();
        for (i, r) in self.requirements.iter().enumerate() {
            map.entry(r.parent.as_ref()).or_default().push(i);
        }
        map
    }
}

/// Removes leading zeros from every run of digits: `AC-01(02)` → `AC-1(2)`, `A.05` → `A.5`.
pub fn strip_zero_padding(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    let mut in_digits = false;
    let mut pending_zero = false;
    for c in id.chars() {
        if c.is_ascii_digit() {
            if !in_digits && c == '0' {
                pending_zero = true;
                continue;
            }
            if pending_zero && !in_digits {
                pending_zero = false;
            }
            in_digits = true;
            out.push(c);
        } else {
            if pending_zero && !in_digits {
                out.push('0');
            }
            pending_zero = false;
            in_digits = false;
            out.push(c);
        }
    }
    if pending_zero && !in_digits {
        out.push('0');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_padding() {
        assert_eq!(strip_zero_padding("AC-01(02)"), "AC-1(2)");
        assert_eq!(strip_zero_padding("AC-10"), "AC-10");
        assert_eq!(strip_zero_padding("A.0"), "A.0");
        assert_eq!(strip_zero_padding("GV.OC-01"), "GV.OC-1");
        assert_eq!(strip_zero_padding("x-00"), "x-0");
    }

    pub(crate) fn req(id: &str, parent: Option<&str>) -> Requirement {
        Requirement {
            id: RequirementId::parse(id).unwrap_or_else(|e| unreachable!("{e}")),
            parent: parent.map(|p| RequirementId::parse(p).unwrap_or_else(|e| unreachable!("{e}"))),
            title: format!("Title {id}"),
            summary: format!("Summary {id}"),
            kind: RequirementKind::Control,
            assessable: true,
            attributes: BTreeMap::new(),
            excludable: None,
        }
    }

    #[test]
    fn finds_each_kind_of_tree_issue() {
        let mut empty = req("C", None);
        empty.title = " ".into();
        let reqs = vec![
            req("A", None),
            req("A.1", Some("A")),
            req("A.1", Some("A")),
            req("B.1", Some("B")),
            req("X.1", Some("X")),
            req("X", None),
            empty,
        ];
        let issues = check_tree(&reqs);
        let rendered: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            rendered,
            vec![
                "duplicate requirement id `A.1`",
                "parent `B` of `B.1` does not exist in this framework",
                "parent `X` of `X.1` is defined after it; list parents before children",
                "requirement `C` has an empty title",
            ]
        );
        assert_eq!(issues[1].index(), 3);
        assert_eq!(issues[1].field(), "parent");
    }

    proptest::proptest! {
        /// A tree built only from earlier parents always passes; removing any parent node
        /// that has children always yields a dangling-parent issue.
        #[test]
        fn generated_trees(parents in proptest::collection::vec(proptest::option::of(0usize..1000), 1..60), cut in 0usize..60) {
            let reqs: Vec<Requirement> = parents.iter().enumerate().map(|(i, p)| {
                let parent = p.filter(|_| i > 0).map(|p| format!("R{}", p % i));
                req(&format!("R{i}"), parent.as_deref())
            }).collect();
            proptest::prop_assert!(check_tree(&reqs).is_empty());
            let cut = cut % reqs.len();
            let has_children = reqs.iter().any(|r| r.parent.as_ref() == Some(&reqs[cut].id));
            let mut pruned = reqs.clone();
            pruned.remove(cut);
            let dangling = check_tree(&pruned).iter().any(|i| matches!(i, TreeIssue::DanglingParent { .. }));
            proptest::prop_assert_eq!(dangling, has_children);
        }
    }
}
