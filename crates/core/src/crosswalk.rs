//! The crosswalk graph: every stated mapping and its inverse, direct look-ups, inference
//! by composing mappings across frameworks, and coverage (overlap) between frameworks.

use std::collections::HashMap;

use crate::library::Library;
use crate::mapping::{Coverage, ProvenanceKind, Relationship};

/// The rule behind every overlap figure, printed with it.
pub const OVERLAP_RULE: &str = "Counts the assessable requirements of the first framework. A requirement is \
fully covered when some requirement of the second framework is mapped to it as equal, equivalent, or \
broader (the first is a subset of it); partially covered when the best mapping is superset, intersects \
or related; not covered when no mapping links them. Mappings are the official and curated sets in the \
library, read in both directions (inverses derived). Several partial mappings never add up to full \
coverage.";

pub const INFERRED_RULE: &str = " Inferred mappings (chains through other frameworks, composed with the \
relationship algebra) are included.";

/// The overlap rule, with the inferred-mapping clause when inferred mappings count.
pub fn overlap_rule(inferred: bool) -> String {
    if inferred {
        format!("{OVERLAP_RULE}{INFERRED_RULE}")
    } else {
        OVERLAP_RULE.to_owned()
    }
}

/// A requirement: indices into the library's frameworks and that framework's requirements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Node {
    pub framework: u32,
    pub requirement: u32,
}

/// One stated mapping, possibly read backwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    pub from: Node,
    pub to: Node,
    pub relationship: Relationship,
    /// Index into [`Library::mapping_sets`].
    pub set: u32,
    /// Index into that set's mappings.
    pub mapping: u32,
    /// True when the set states the mapping from `to` to `from` and this hop is its inverse.
    pub reversed: bool,
}

/// A mapping found for a requirement: direct (one hop) or inferred (several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub from: Node,
    pub to: Node,
    pub relationship: Relationship,
    pub hops: Vec<Hop>,
}

impl Found {
    pub fn is_inferred(&self) -> bool {
        self.hops.len() > 1
    }

    /// Official or curated for a direct mapping (from its set), inferred otherwise.
    pub fn provenance(&self, lib: &Library) -> ProvenanceKind {
        match self.hops.as_slice() {
            [one] => lib.mapping_sets()[one.set as usize].meta.provenance,
            _ => ProvenanceKind::Inferred,
        }
    }
}

/// Options for following mappings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// Longest chain of mappings to follow; 1 means direct mappings only.
    pub max_depth: usize,
    /// Follow concept crosswalks (`related`), which compose only with equality.
    pub include_related: bool,
}

impl Default for Reach {
    fn default() -> Self {
        Self {
            max_depth: 3,
            include_related: true,
        }
    }
}

/// All mappings of a library, indexed by requirement in both directions.
#[derive(Debug, Clone)]
pub struct Graph {
    edges: HashMap<Node, Vec<Hop>>,
}

impl Graph {
    pub fn new(lib: &Library) -> Self {
        let mut edges: HashMap<Node, Vec<Hop>> = HashMap::new();
        let fw_index: HashMap<&str, usize> = lib
            .frameworks()
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id().as_str(), i))
            .collect();
        for (si, set) in lib.mapping_sets().iter().enumerate() {
            let (Some(&fa), Some(&fb)) = (
                fw_index.get(set.meta.from.as_str()),
                fw_index.get(set.meta.to.as_str()),
            ) else {
                continue;
            };
            let index_a = requirement_index(lib, fa);
            let index_b = requirement_index(lib, fb);
            for (mi, m) in set.mappings().iter().enumerate() {
                let (Some(&ra), Some(&rb)) =
                    (index_a.get(m.from.as_str()), index_b.get(m.to.as_str()))
                else {
                    continue;
                };
                let a = Node {
                    framework: fa as u32,
                    requirement: ra,
                };
                let b = Node {
                    framework: fb as u32,
                    requirement: rb,
                };
                let hop = Hop {
                    from: a,
                    to: b,
                    relationship: m.relationship,
                    set: si as u32,
                    mapping: mi as u32,
                    reversed: false,
                };
                edges.entry(a).or_default().push(hop);
                edges.entry(b).or_default().push(Hop {
                    from: b,
                    to: a,
                    relationship: m.relationship.inverse(),
                    reversed: true,
                    ..hop
                });
            }
        }
        Self { edges }
    }

    /// Mappings stated for `node` (both directions), in set order.
    pub fn direct(&self, node: Node) -> &[Hop] {
        self.edges.get(&node).map_or(&[], Vec::as_slice)
    }

    /// Direct and inferred mappings from `from`, optionally only into framework `to`.
    /// Every stated mapping is returned (sets may disagree, and each keeps its
    /// provenance); for targets reached only by inference the strongest conclusion is kept
    /// (by coverage, then fewer hops). Paths never revisit a framework.
    pub fn reach(&self, from: Node, to: Option<u32>, opts: Reach) -> Vec<Found> {
        let usable = |h: &Hop| {
            h.relationship != Relationship::NoRelationship
                && (opts.include_related || h.relationship != Relationship::Related)
                && h.to.framework != from.framework
        };
        let mut direct: Vec<Found> = self
            .direct(from)
            .iter()
            .filter(|h| usable(h) && to.is_none_or(|t| t == h.to.framework))
            .map(|h| Found {
                from,
                to: h.to,
                relationship: h.relationship,
                hops: vec![*h],
            })
            .collect();
        let mut inferred: HashMap<Node, Found> = HashMap::new();
        let mut frontier: Vec<(Node, Relationship, Vec<Hop>)> =
            vec![(from, Relationship::Equal, Vec::new())];
        for depth in 0..opts.max_depth.max(1) {
            let mut next = Vec::new();
            for (node, rel, path) in frontier {
                for hop in self.direct(node) {
                    if !usable(hop) || path.iter().any(|h| h.from.framework == hop.to.framework) {
                        continue;
                    }
                    let Some(composed) = rel.compose(hop.relationship) else {
                        continue;
                    };
                    let mut hops = path.clone();
                    hops.push(*hop);
                    let in_target = to.is_none_or(|t| t == hop.to.framework);
                    if depth > 0 && in_target && !direct.iter().any(|d| d.to == hop.to) {
                        let found = Found {
                            from,
                            to: hop.to,
                            relationship: composed,
                            hops: hops.clone(),
                        };
                        match inferred.get(&hop.to) {
                            Some(old) if !stronger(&found, old) => {}
                            _ => {
                                inferred.insert(hop.to, found);
                            }
                        }
                    }
                    // A chain through the target framework ends there.
                    if to != Some(hop.to.framework) {
                        next.push((hop.to, composed, hops));
                    }
                }
            }
            frontier = next;
        }
        let mut rest: Vec<Found> = inferred.into_values().collect();
        rest.sort_by(|a, b| {
            a.hops
                .len()
                .cmp(&b.hops.len())
                .then(b.relationship.coverage().cmp(&a.relationship.coverage()))
                .then(a.to.cmp(&b.to))
        });
        direct.extend(rest);
        direct
    }

    /// How far framework `b` covers each assessable requirement of framework `a`.
    pub fn overlap(&self, lib: &Library, a: u32, b: u32, opts: Reach) -> OverlapCount {
        let fw = &lib.frameworks()[a as usize];
        let mut count = OverlapCount::default();
        for (ri, r) in fw.requirements().iter().enumerate() {
            if !r.assessable {
                continue;
            }
            let node = Node {
                framework: a,
                requirement: ri as u32,
            };
            let coverage = if opts.max_depth <= 1 {
                self.direct(node)
                    .iter()
                    .filter(|h| h.to.framework == b)
                    .filter(|h| opts.include_related || h.relationship != Relationship::Related)
                    .map(|h| h.relationship.coverage())
                    .max()
            } else {
                self.reach(node, Some(b), opts)
                    .iter()
                    .map(|f| f.relationship.coverage())
                    .max()
            };
            count.total += 1;
            match coverage.unwrap_or(Coverage::None) {
                Coverage::Full => count.full += 1,
                Coverage::Partial => count.partial += 1,
                Coverage::None => count.none += 1,
            }
        }
        count
    }
}

fn stronger(new: &Found, old: &Found) -> bool {
    (
        new.relationship.coverage(),
        std::cmp::Reverse(new.hops.len()),
    ) > (
        old.relationship.coverage(),
        std::cmp::Reverse(old.hops.len()),
    )
}

fn requirement_index(lib: &Library, fw: usize) -> HashMap<&str, u32> {
    lib.frameworks()[fw]
        .requirements()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i as u32))
        .collect()
}

/// Counts of one framework's assessable requirements by how another covers them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OverlapCount {
    pub total: usize,
    pub full: usize,
    pub partial: usize,
    pub none: usize,
}

impl OverlapCount {
    /// Share fully covered, in percent.
    pub fn full_pct(&self) -> f64 {
        pct(self.full, self.total)
    }
    /// Share fully or partly covered, in percent.
    pub fn any_pct(&self) -> f64 {
        pct(self.full + self.partial, self.total)
    }
}

fn pct(n: usize, total: usize) -> f64 {
    if total == 0 {
        0.0
    } else {
        100.0 * n as f64 / total as f64
    }
}
