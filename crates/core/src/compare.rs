//! Side-by-side comparison of two standards, generated from their profiles.
//!
//! The result is plain data with a stable JSON shape (documented in `docs/cli.md`);
//! renderers turn it into text, Markdown or HTML.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::crosswalk::{Found, Graph, Node, OverlapCount, Reach, overlap_rule};
use crate::framework::Framework;
use crate::ids::FrameworkId;
use crate::library::Library;
use crate::mapping::{Coverage, ProvenanceKind, Relationship};
use crate::profile::{Nature, Profile, Theme};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompareError {
    #[error("`{0}` and `{1}` are the same edition; compare two different standards or editions")]
    Same(FrameworkId, FrameworkId),
    #[error("family `{0}` has no profile in the library, so there is nothing to compare")]
    NoProfile(FrameworkId),
}

/// One row of the key-differences table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub aspect: &'static str,
    pub a: String,
    pub b: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChooseWhen {
    pub a: Vec<String>,
    pub b: Vec<String>,
}

/// A comparison page worth reading next.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub a: FrameworkId,
    pub b: FrameworkId,
    pub title: String,
}

/// What the page says about one side: its edition, catalog size and profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side<'a> {
    pub id: &'a FrameworkId,
    pub family: &'a FrameworkId,
    pub name: &'a str,
    pub version: &'a str,
    pub publisher: &'a str,
    pub requirement_count: usize,
    pub assessable_count: usize,
    pub edition_notes: &'a [String],
    pub profile: &'a Profile,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standards<'a> {
    pub a: Side<'a>,
    pub b: Side<'a>,
}

/// Computed requirement coverage between the two editions, with its counting rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    pub rule: String,
    /// True when no mapping links the two editions directly, so every figure comes from
    /// chains of mappings through one other framework (see `via`).
    pub inferred: bool,
    /// The frameworks inferred chains pass through, most used first (empty when direct).
    pub via: Vec<FrameworkId>,
    pub a_in_b: OverlapCount,
    pub b_in_a: OverlapCount,
    /// What a round "N% overlap" claim amounts to under this data, in plain words.
    pub claim: String,
}

/// One domain (top-level group) of `a` and how `b` covers its requirements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainRow {
    pub domain: String,
    pub title: String,
    pub count: OverlapCount,
    /// Domains of `b` its requirements map to, most mappings first: (domain id, mappings).
    pub mapped_to: Vec<(String, usize)>,
}

pub use crate::crosswalk::OVERLAP_RULE;

/// A requirement of the other edition that one requirement maps to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappedTarget {
    pub id: String,
    pub title: String,
    pub relationship: Relationship,
    /// Official, curated or tool for a stated mapping; inferred for a chain.
    pub provenance: ProvenanceKind,
    /// For an inferred mapping, the framework its chain passes through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<FrameworkId>,
}

/// One assessable requirement of `a` and everything of `b` it maps to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingRow {
    pub id: String,
    pub title: String,
    /// How far `b` covers it: the best relationship's coverage.
    pub coverage: Coverage,
    pub targets: Vec<MappedTarget>,
    /// Inferred targets left out of `targets` (at most [`INFERRED_TARGETS`] are listed).
    #[serde(skip_serializing_if = "is_zero")]
    pub more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The rows of one domain of `a`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingGroup {
    pub domain: String,
    pub title: String,
    pub rows: Vec<MappingRow>,
}

/// An assessable requirement of `b` that nothing in `a` reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unreached {
    pub id: String,
    pub title: String,
}

/// The requirement-level mapping of `a` to `b`: every assessable requirement of `a`, by
/// domain, with its typed targets; then `b`'s assessable requirements left unreached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MappingTable {
    pub groups: Vec<MappingGroup>,
    pub unreached: Vec<Unreached>,
}

/// Inferred targets listed per requirement; the rest are counted in `more`.
pub const INFERRED_TARGETS: usize = 6;

/// A generated comparison page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison<'a> {
    pub a: &'a FrameworkId,
    pub b: &'a FrameworkId,
    pub title: String,
    pub verdict: String,
    pub differences: Vec<Difference>,
    pub similarities: Vec<String>,
    pub choose_when: ChooseWhen,
    pub combined_strategy: Vec<String>,
    pub related: Vec<Related>,
    pub notes: Vec<String>,
    /// `None` when no mapping links the two editions.
    pub overlap: Option<Overlap>,
    /// Requirement-by-domain coverage of `a` by `b`, then of `b` by `a`.
    pub domains: (Vec<DomainRow>, Vec<DomainRow>),
    /// `None` when no mapping, stated or inferred, links the two editions.
    pub mapping_table: Option<MappingTable>,
    pub standards: Standards<'a>,
}

fn side<'a>(fw: &'a Framework, profile: &'a Profile) -> Side<'a> {
    Side {
        id: &fw.meta.id,
        family: &fw.meta.family,
        name: &fw.meta.name,
        version: &fw.meta.version,
        publisher: &fw.meta.publisher,
        requirement_count: fw.requirements().len(),
        assessable_count: fw.assessable_count(),
        edition_notes: &fw.meta.notes,
        profile,
    }
}

/// Joins items as an English list: "a", "a and b", "a, b and c".
pub fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn months(weeks: u32) -> String {
    let m = (f64::from(weeks) / 4.345).round() as u32;
    if m <= 1 {
        format!("{weeks} weeks")
    } else {
        format!("{m} months")
    }
}

fn timeline(p: &Profile) -> String {
    if p.timeline.is_empty() {
        return "no typical timeline recorded".into();
    }
    let (lo, hi) = p.timeline_weeks();
    let phases: Vec<String> = p
        .timeline
        .iter()
        .map(|ph| format!("{} {}–{} wk", ph.phase, ph.min_weeks, ph.max_weeks))
        .collect();
    format!(
        "about {} to {} in all ({})",
        months(lo),
        months(hi),
        phases.join("; ")
    )
}

fn structure(fw: &Framework, p: &Profile) -> String {
    if fw.requirements().is_empty() {
        p.structure.summary.clone()
    } else {
        format!(
            "{} (crosswalk's {} catalog: {} requirements, {} assessable)",
            p.structure.summary,
            fw.meta.id,
            fw.requirements().len(),
            fw.assessable_count()
        )
    }
}

fn differences(fa: &Framework, a: &Profile, fb: &Framework, b: &Profile) -> Vec<Difference> {
    let forms = |p: &Profile| {
        if p.assurance.forms.is_empty() {
            "none".to_owned()
        } else {
            p.assurance
                .forms
                .iter()
                .map(|f| format!("{}: {}", f.name, f.description))
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let penalties = |p: &Profile| match &p.penalties.maximum {
        Some(max) => format!("{} Maximum: {max}.", p.penalties.summary),
        None => p.penalties.summary.clone(),
    };
    let row = |aspect, f: &dyn Fn(&Framework, &Profile) -> String| Difference {
        aspect,
        a: f(fa, a),
        b: f(fb, b),
    };
    vec![
        row("Scope", &|_, p| p.scope.clone()),
        row("Industry", &|_, p| p.industries.join(", ")),
        row("Nature", &|_, p| p.nature.label().to_owned()),
        row("Testing", &|_, p| p.testing.clone()),
        row("Penalties", &|_, p| penalties(p)),
        row("Audit authority", &|_, p| {
            format!("{} ({})", p.assurance.assessor, p.assurance.basis)
        }),
        row("Cycle", &|_, p| p.cycle.summary.clone()),
        row("Report or certificate", &|_, p| forms(p)),
        row("Public disclosure", &|_, p| p.disclosure.summary.clone()),
        row("Region", &|_, p| p.regions.join(", ")),
        row("Typical timeline", &|_, p| timeline(p)),
        row("Structure", &|f, p| structure(f, p)),
        row("Level of detail", &|_, p| p.level_of_detail.clone()),
        row("Customization", &|_, p| p.customization.clone()),
        row("Publisher", &|f, p| {
            format!("{} ({})", p.publisher, f.meta.version)
        }),
    ]
}

fn themes(p: &Profile) -> BTreeSet<Theme> {
    p.themes.iter().copied().collect()
}

fn labels(set: &BTreeSet<Theme>) -> String {
    let v: Vec<&str> = set.iter().map(|t| t.label()).collect();
    join_and(&v)
}

/// Management-system themes: the plan-do-check-act loop shared by ISO management systems.
const PDCA: [Theme; 4] = [
    Theme::InternalAudit,
    Theme::ManagementReview,
    Theme::ContinualImprovement,
    Theme::CorrectiveAction,
];

fn shared_items<'x>(x: &'x [String], y: &[String]) -> Vec<&'x str> {
    x.iter()
        .filter(|i| y.iter().any(|j| j.eq_ignore_ascii_case(i)))
        .map(String::as_str)
        .collect()
}

fn similarities(a: &Profile, b: &Profile, curated: &[String]) -> Vec<String> {
    let mut out: Vec<String> = curated.to_vec();
    if a.nature == b.nature {
        out.push(format!(
            "Both are of the same nature: {}.",
            a.nature.label().to_lowercase()
        ));
    }
    let (ta, tb) = (themes(a), themes(b));
    let shared: BTreeSet<Theme> = ta.intersection(&tb).copied().collect();
    if shared.contains(&Theme::RiskManagement) {
        out.push(
            "Both are risk-based: each expects risks to be identified and assessed, and \
             safeguards chosen in proportion to them."
                .into(),
        );
    }
    let loop_shared: BTreeSet<Theme> = PDCA
        .iter()
        .copied()
        .filter(|t| shared.contains(t))
        .collect();
    if loop_shared.len() >= 3 {
        out.push(format!(
            "Both require a check-and-improve loop: {}.",
            labels(&loop_shared)
        ));
    }
    let rest: BTreeSet<Theme> = shared
        .iter()
        .copied()
        .filter(|t| *t != Theme::RiskManagement && !(loop_shared.len() >= 3 && PDCA.contains(t)))
        .collect();
    if !rest.is_empty() {
        out.push(format!("Both address {}.", labels(&rest)));
    }
    let regions = shared_items(&a.regions, &b.regions);
    if !regions.is_empty() {
        out.push(format!(
            "Both apply or are used in: {}.",
            join_and(&regions)
        ));
    }
    let industries = shared_items(&a.industries, &b.industries);
    if !industries.is_empty() {
        out.push(format!(
            "Both are common in these industries: {}.",
            join_and(&industries)
        ));
    }
    if shared.len() <= 2 {
        out.push(format!(
            "Beyond that they have little in common: {} is about {}, {} about {}.",
            a.name,
            lowercase_first(&a.tagline),
            b.name,
            lowercase_first(&b.tagline)
        ));
    }
    out
}

fn lowercase_first(s: &str) -> String {
    let s = s.trim_end_matches('.');
    let first_word = s.split_whitespace().next().unwrap_or("");
    // Keep acronyms and names with inner capitals ("ISO", "EU", "SaaS", "GDPR") as they are.
    if first_word
        .chars()
        .skip(1)
        .any(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        return s.to_owned();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn article(word: &str) -> &'static str {
    match word.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

fn verdict(a: &Profile, b: &Profile) -> String {
    let one = |p: &Profile| {
        let nature = p.nature.label().to_lowercase();
        format!(
            "{} is {} {nature}: {}.",
            p.name,
            article(&nature),
            lowercase_first(&p.tagline)
        )
    };
    let mut v = format!(
        "{} {} {} is typically adopted by {}; {} by {}.",
        one(a),
        one(b),
        a.name,
        lowercase_first(&a.typical_adopters),
        b.name,
        lowercase_first(&b.typical_adopters)
    );
    match (a.nature.is_law(), b.nature.is_law()) {
        (true, false) | (false, true) => {
            let (law, other) = if a.nature.is_law() { (a, b) } else { (b, a) };
            v.push_str(&format!(
                " Only {} is binding law where it applies; {} does not exempt anyone from it, \
                 though its controls can serve as evidence for parts of it.",
                law.name, other.name
            ));
        }
        (true, true) => v.push_str(
            " Both are binding where they apply, so the question is which apply to you, not which to pick.",
        ),
        (false, false) => {}
    }
    v
}

fn combined_strategy(a: &Profile, b: &Profile, curated: &[String]) -> Vec<String> {
    if !curated.is_empty() {
        return curated.to_vec();
    }
    let mut out = Vec::new();
    for p in [a, b].into_iter().filter(|p| p.nature.is_law()) {
        out.push(format!(
            "Start with {}: establish whether and how it applies to you (which entities, data, \
             products and countries), since its duties are not optional.",
            p.name
        ));
    }
    let ms = |p: &Profile| p.nature == Nature::CertifiableManagementSystem;
    if ms(a) && ms(b) {
        out.push(format!(
            "Run one integrated management system for {} and {}: one scope statement, policy \
             set, risk process, internal audit programme and management review serve both.",
            a.name, b.name
        ));
    } else if let Some((m, o)) = [(a, b), (b, a)].into_iter().find(|(m, _)| ms(m)) {
        out.push(format!(
            "Use the {} management system as the backbone (scope, risk process, policies, \
             internal audit) and run the {} work inside it.",
            m.name, o.name
        ));
    }
    out.push(format!(
        "Keep one set of your own controls mapped to the requirements of both {} and {}, so \
         each control is designed, operated and evidenced once.",
        a.name, b.name
    ));
    let (ta, tb) = (themes(a), themes(b));
    let shared: BTreeSet<Theme> = ta.intersection(&tb).copied().collect();
    if !shared.is_empty() {
        out.push(format!(
            "Collect evidence once for the shared ground ({}) and file it against both.",
            labels(&shared)
        ));
    }
    for (p, only) in [
        (a, ta.difference(&tb).copied().collect::<BTreeSet<_>>()),
        (b, tb.difference(&ta).copied().collect::<BTreeSet<_>>()),
    ] {
        if !only.is_empty() {
            out.push(format!(
                "Plan the work only {} asks for: {}.",
                p.name,
                labels(&only)
            ));
        }
    }
    let audited = |p: &Profile| !p.assurance.forms.is_empty();
    if audited(a) && audited(b) {
        out.push(format!(
            "Align the assessment calendars ({}: {} / {}: {}) so fieldwork and evidence \
             requests overlap instead of repeating.",
            a.name,
            lowercase_first(&a.cycle.summary),
            b.name,
            lowercase_first(&b.cycle.summary)
        ));
    }
    out
}

fn related(lib: &Library, a: &Profile, b: &Profile) -> Vec<Related> {
    let mut out: Vec<Related> = Vec::new();
    for (p, other) in [(a, b), (b, a)] {
        for r in &p.related {
            if r == &other.family || r == &p.family {
                continue;
            }
            let name = lib.profile(r).map_or(r.as_str(), |q| q.name.as_str());
            if out
                .iter()
                .any(|x| (&x.a == r && x.b == p.family) || (x.a == p.family && &x.b == r))
            {
                continue;
            }
            out.push(Related {
                a: p.family.clone(),
                b: r.clone(),
                title: format!("{} vs {}", p.name, name),
            });
        }
    }
    out
}

/// The domain of every requirement, by position: its root, or the root's child when the
/// root only groups other groups (an annex grouping themes, a function grouping
/// categories). One pass over the tree.
fn domains(fw: &Framework) -> Vec<usize> {
    let reqs = fw.requirements();
    let parent = |i: usize| {
        reqs[i]
            .parent
            .as_ref()
            .and_then(|p| fw.position(p.as_str()))
    };
    let mut assessable_child = vec![false; reqs.len()];
    for (i, r) in reqs.iter().enumerate() {
        if let (true, Some(p)) = (r.assessable, parent(i)) {
            assessable_child[p] = true;
        }
    }
    (0..reqs.len())
        .map(|i| {
            let mut chain = vec![i];
            while let Some(p) = chain.last().and_then(|&c| parent(c)) {
                if chain.contains(&p) {
                    break;
                }
                chain.push(p);
            }
            let root = chain[chain.len() - 1];
            if !assessable_child[root] && chain.len() >= 2 {
                chain[chain.len() - 2]
            } else {
                root
            }
        })
        .collect()
}

/// Every mapping found from each assessable requirement of framework `from` into `to`.
type Finds = Vec<(usize, Vec<Found>)>;

fn finds(lib: &Library, graph: &Graph, from: usize, to: usize, opts: Reach) -> Finds {
    lib.frameworks()[from]
        .requirements()
        .iter()
        .enumerate()
        .filter(|(_, r)| r.assessable)
        .map(|(ri, _)| {
            let node = Node {
                framework: from as u32,
                requirement: ri as u32,
            };
            (ri, graph.reach(node, Some(to as u32), opts))
        })
        .collect()
}

fn best(found: &[Found]) -> Coverage {
    found
        .iter()
        .map(|f| f.relationship.coverage())
        .max()
        .unwrap_or(Coverage::None)
}

fn tally(count: &mut OverlapCount, coverage: Coverage) {
    count.total += 1;
    match coverage {
        Coverage::Full => count.full += 1,
        Coverage::Partial => count.partial += 1,
        Coverage::None => count.none += 1,
    }
}

fn count(finds: &Finds) -> OverlapCount {
    let mut c = OverlapCount::default();
    for (_, f) in finds {
        tally(&mut c, best(f));
    }
    c
}

/// Groups `a`'s requirements by domain, in the standard's order: (domain index, items).
fn by_domain<T>(
    domain: &[usize],
    items: impl IntoIterator<Item = (usize, T)>,
) -> Vec<(usize, Vec<T>)> {
    let mut groups: Vec<(usize, Vec<T>)> = Vec::new();
    for (ri, item) in items {
        let d = domain[ri];
        match groups.iter_mut().find(|(x, _)| *x == d) {
            Some((_, v)) => v.push(item),
            None => groups.push((d, vec![item])),
        }
    }
    groups
}

fn domain_rows(lib: &Library, a: usize, b: usize, finds: &Finds) -> Vec<DomainRow> {
    let fa = &lib.frameworks()[a];
    let fb = &lib.frameworks()[b];
    let db = domains(fb);
    by_domain(&domains(fa), finds.iter().map(|(ri, f)| (*ri, f)))
        .into_iter()
        .map(|(d, items)| {
            let mut count = OverlapCount::default();
            let mut targets: std::collections::BTreeMap<usize, usize> = Default::default();
            for found in items {
                tally(&mut count, best(found));
                for f in found {
                    *targets.entry(db[f.to.requirement as usize]).or_default() += 1;
                }
            }
            let mut mapped_to: Vec<(String, usize)> = targets
                .into_iter()
                .map(|(d, n)| (fb.requirements()[d].id.to_string(), n))
                .collect();
            mapped_to.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            mapped_to.truncate(4);
            let dr = &fa.requirements()[d];
            DomainRow {
                domain: dr.id.to_string(),
                title: dr.title.clone(),
                count,
                mapped_to,
            }
        })
        .collect()
}

fn mapping_table(lib: &Library, a: usize, b: usize, ab: &Finds, ba: &Finds) -> MappingTable {
    let fa = &lib.frameworks()[a];
    let fb = &lib.frameworks()[b];
    let target = |f: &Found| {
        let r =
            &lib.frameworks()[f.to.framework as usize].requirements()[f.to.requirement as usize];
        MappedTarget {
            id: r.id.to_string(),
            title: r.title.clone(),
            relationship: f.relationship,
            provenance: f.provenance(lib),
            via: f.is_inferred().then(|| {
                lib.frameworks()[f.hops[0].to.framework as usize]
                    .meta
                    .id
                    .clone()
            }),
        }
    };
    let row = |ri: usize, found: &Vec<Found>| {
        let r = &fa.requirements()[ri];
        let direct = found.iter().filter(|f| !f.is_inferred()).count();
        let keep = direct + INFERRED_TARGETS.min(found.len() - direct);
        MappingRow {
            id: r.id.to_string(),
            title: r.title.clone(),
            coverage: best(found),
            targets: found.iter().take(keep).map(target).collect(),
            more: found.len() - keep,
        }
    };
    let groups = by_domain(&domains(fa), ab.iter().map(|(ri, f)| (*ri, row(*ri, f))))
        .into_iter()
        .map(|(d, rows)| MappingGroup {
            domain: fa.requirements()[d].id.to_string(),
            title: fa.requirements()[d].title.clone(),
            rows,
        })
        .collect();
    let unreached = ba
        .iter()
        .filter(|(_, f)| f.is_empty())
        .map(|(ri, _)| {
            let r = &fb.requirements()[*ri];
            Unreached {
                id: r.id.to_string(),
                title: r.title.clone(),
            }
        })
        .collect();
    MappingTable { groups, unreached }
}

/// The frameworks inferred chains pass through, most used first.
fn via(lib: &Library, finds: &[&Finds]) -> Vec<FrameworkId> {
    let mut n: std::collections::BTreeMap<usize, usize> = Default::default();
    for f in finds.iter().flat_map(|x| x.iter()).flat_map(|(_, f)| f) {
        if f.is_inferred() {
            *n.entry(f.hops[0].to.framework as usize).or_default() += 1;
        }
    }
    let mut v: Vec<(usize, usize)> = n.into_iter().collect();
    v.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    v.into_iter()
        .map(|(i, _)| lib.frameworks()[i].meta.id.clone())
        .collect()
}

/// The names of the frameworks inferred chains pass through, as an English list.
fn via_names(lib: &Library, via: &[FrameworkId]) -> String {
    let names: Vec<&str> = via
        .iter()
        .filter_map(|id| lib.resolve(id.as_str()))
        .map(|f| f.meta.name.as_str())
        .collect();
    join_and(&names)
}

/// How the two editions are linked: overlap both ways, domain rows and the mapping table,
/// from stated mappings when any link them, else inferred through one other framework.
struct Linkage {
    overlap: Option<Overlap>,
    domains: (Vec<DomainRow>, Vec<DomainRow>),
    table: Option<MappingTable>,
    ab: Finds,
    ba: Finds,
}

fn linkage(lib: &Library, ia: usize, ib: usize, names: (&str, &str)) -> Linkage {
    let graph = Graph::new(lib);
    let linked = |ab: &Finds, ba: &Finds| ab.iter().chain(ba).any(|(_, f)| !f.is_empty());
    let mut opts = Reach {
        max_depth: 1,
        include_related: true,
    };
    let mut ab = finds(lib, &graph, ia, ib, opts);
    let mut ba = finds(lib, &graph, ib, ia, opts);
    let inferred = !linked(&ab, &ba);
    if inferred {
        opts.max_depth = 2;
        ab = finds(lib, &graph, ia, ib, opts);
        ba = finds(lib, &graph, ib, ia, opts);
        if !linked(&ab, &ba) {
            return Linkage {
                overlap: None,
                domains: (Vec::new(), Vec::new()),
                table: None,
                ab,
                ba,
            };
        }
    }
    let via = via(lib, &[&ab, &ba]);
    let mut rule = overlap_rule(inferred);
    if inferred {
        rule.push_str(&format!(
            " No mapping links these two directly, so every figure here is inferred through one \
             other framework ({}) and is an estimate, not a stated mapping.",
            via_names(lib, &via)
        ));
    }
    let mut o = Overlap {
        rule,
        inferred,
        via,
        a_in_b: count(&ab),
        b_in_a: count(&ba),
        claim: String::new(),
    };
    o.claim = claim(names.0, names.1, &o);
    Linkage {
        overlap: Some(o),
        domains: (domain_rows(lib, ia, ib, &ab), domain_rows(lib, ib, ia, &ba)),
        table: Some(mapping_table(lib, ia, ib, &ab, &ba)),
        ab,
        ba,
    }
}

fn claim(a: &str, b: &str, o: &Overlap) -> String {
    let inferred = if o.inferred {
        " These figures are inferred through other frameworks' mappings: read them as a first estimate."
    } else {
        ""
    };
    format!(
        "A round claim such as \"{a} and {b} overlap 80%\" needs a counting rule. Under ours, {:.0}% of {a}'s \
         assessable requirements are fully covered by {b} and {:.0}% at least partly; in the other direction \
         {:.0}% fully and {:.0}% at least partly. Partial coverage still leaves work to do and evidence to collect.{inferred}",
        o.a_in_b.full_pct(),
        o.a_in_b.any_pct(),
        o.b_in_a.full_pct(),
        o.b_in_a.any_pct()
    )
}

mod facts;

/// Builds the comparison page for two editions of the library.
pub fn compare<'a>(
    lib: &'a Library,
    fa: &'a Framework,
    fb: &'a Framework,
) -> Result<Comparison<'a>, CompareError> {
    if fa.meta.id == fb.meta.id {
        return Err(CompareError::Same(fa.meta.id.clone(), fb.meta.id.clone()));
    }
    let profile = |f: &'a Framework| {
        lib.profile(&f.meta.family)
            .ok_or_else(|| CompareError::NoProfile(f.meta.family.clone()))
    };
    let (a, b) = (profile(fa)?, profile(fb)?);
    let pair = lib.pair_notes(&fa.meta.family, &fb.meta.family);
    let same_family = fa.meta.family == fb.meta.family;
    let verdict = match (same_family, pair.and_then(|p| p.verdict.clone())) {
        (true, _) => format!(
            "{} and {} are two editions of {}. The profile is shared; what differs is the \
             requirement tree and the edition notes below.",
            fa.meta.name, fb.meta.name, a.name
        ),
        (false, Some(v)) => v,
        (false, None) => verdict(a, b),
    };
    let empty: &[String] = &[];
    let mut notes: Vec<String> = pair.map_or(empty, |p| &p.notes).to_vec();
    for f in [fa, fb] {
        notes.extend(f.meta.notes.iter().map(|n| format!("{}: {n}", f.meta.name)));
    }
    let profiles: &[&Profile] = if same_family { &[a] } else { &[a, b] };
    for p in profiles {
        notes.extend(p.facts.iter().map(|f| {
            format!(
                "{}: often said “{}” — in fact {}",
                p.name,
                f.claim.trim_end_matches('.'),
                lowercase_first(&f.fact)
            )
        }));
    }
    let (ia, ib) = (lib.index_of(fa.id()), lib.index_of(fb.id()));
    let link = match (ia, ib) {
        (Some(ia), Some(ib)) => Some(linkage(lib, ia, ib, (&a.name, &b.name))),
        _ => None,
    };
    let mut choose_when = ChooseWhen {
        a: a.choose_when.clone(),
        b: b.choose_when.clone(),
    };
    let mut combined = combined_strategy(a, b, pair.map_or(empty, |p| &p.combined_strategy));
    if let Some(link) = &link {
        facts::add(lib, (fa, fb), (a, b), link, &mut choose_when, &mut combined);
    }
    let (overlap, domains, mapping_table) = match link {
        Some(l) => (l.overlap, l.domains, l.table),
        None => (None, (Vec::new(), Vec::new()), None),
    };
    Ok(Comparison {
        a: &fa.meta.id,
        b: &fb.meta.id,
        title: format!("{} vs {}", fa.meta.name, fb.meta.name),
        verdict,
        differences: differences(fa, a, fb, b),
        similarities: similarities(a, b, pair.map_or(empty, |p| &p.similarities)),
        choose_when,
        combined_strategy: combined,
        related: related(lib, a, b),
        notes,
        overlap,
        domains,
        mapping_table,
        standards: Standards {
            a: side(fa, a),
            b: side(fb, b),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lists() {
        assert_eq!(join_and(&[]), "");
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_and(&["a", "b", "c"]), "a, b and c");
    }

    #[test]
    fn lowercases_words_not_acronyms() {
        assert_eq!(lowercase_first("Enterprise buyers."), "enterprise buyers");
        assert_eq!(lowercase_first("EU regulators"), "EU regulators");
        assert_eq!(lowercase_first("ISO"), "ISO");
        assert_eq!(lowercase_first("SaaS vendors"), "SaaS vendors");
    }

    #[test]
    fn month_rounding() {
        assert_eq!(months(4), "4 weeks");
        assert_eq!(months(26), "6 months");
    }
}
