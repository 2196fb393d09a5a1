//! Side-by-side comparison of two standards, generated from their profiles.
//!
//! The result is plain data with a stable JSON shape (documented in `docs/cli.md`);
//! renderers turn it into text, Markdown or HTML.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::framework::Framework;
use crate::ids::FrameworkId;
use crate::library::Library;
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
    Ok(Comparison {
        a: &fa.meta.id,
        b: &fb.meta.id,
        title: format!("{} vs {}", fa.meta.name, fb.meta.name),
        verdict,
        differences: differences(fa, a, fb, b),
        similarities: similarities(a, b, pair.map_or(empty, |p| &p.similarities)),
        choose_when: ChooseWhen {
            a: a.choose_when.clone(),
            b: b.choose_when.clone(),
        },
        combined_strategy: combined_strategy(a, b, pair.map_or(empty, |p| &p.combined_strategy)),
        related: related(lib, a, b),
        notes,
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
