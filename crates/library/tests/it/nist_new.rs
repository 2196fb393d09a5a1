//! NIST SP 800-171 Rev. 3 and the NIST AI RMF 1.0: exact identifiers and counts, their
//! profiles and pair notes, the source-control mapping to SP 800-53 Rev. 5, and (with
//! `../shared/data`) agreement with NIST's OSCAL catalog of SP 800-171 Rev. 3.

use std::collections::{BTreeMap, BTreeSet};

use crosswalk_core::framework::RequirementKind as K;
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::mapping::{ProvenanceKind, Relationship};
use crosswalk_core::profile::{DisclosureKind, Nature, PenaltyKind};

use super::{builtin, framework, ids_where, mapping_set, set, shared_data};

/// SP 800-171 Rev. 3: (family, title, numbers of its requirements that are not withdrawn).
const SP171_FAMILIES: &[(&str, &str, &[u32])] = &[
    (
        "03.01",
        "Access Control",
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 18, 20, 22],
    ),
    ("03.02", "Awareness and Training", &[1, 2]),
    (
        "03.03",
        "Audit and Accountability",
        &[1, 2, 3, 4, 5, 6, 7, 8],
    ),
    (
        "03.04",
        "Configuration Management",
        &[1, 2, 3, 4, 5, 6, 8, 10, 11, 12],
    ),
    (
        "03.05",
        "Identification and Authentication",
        &[1, 2, 3, 4, 5, 7, 11, 12],
    ),
    ("03.06", "Incident Response", &[1, 2, 3, 4, 5]),
    ("03.07", "Maintenance", &[4, 5, 6]),
    ("03.08", "Media Protection", &[1, 2, 3, 4, 5, 7, 9]),
    ("03.09", "Personnel Security", &[1, 2]),
    ("03.10", "Physical Protection", &[1, 2, 6, 7, 8]),
    ("03.11", "Risk Assessment", &[1, 2, 4]),
    ("03.12", "Security Assessment and Monitoring", &[1, 2, 3, 5]),
    (
        "03.13",
        "System and Communications Protection",
        &[1, 4, 6, 8, 9, 10, 11, 12, 13, 15],
    ),
    (
        "03.14",
        "System and Information Integrity",
        &[1, 2, 3, 6, 8],
    ),
    ("03.15", "Planning", &[1, 2, 3]),
    ("03.16", "System and Services Acquisition", &[1, 2, 3]),
    ("03.17", "Supply Chain Risk Management", &[1, 2, 3]),
];

/// The 33 numbers NIST marks withdrawn in Rev. 3.
const SP171_WITHDRAWN: &[&str] = &[
    "03.01.13", "03.01.14", "03.01.15", "03.01.17", "03.01.19", "03.01.21", "03.02.03", "03.03.09",
    "03.04.07", "03.04.09", "03.05.06", "03.05.08", "03.05.09", "03.05.10", "03.07.01", "03.07.02",
    "03.07.03", "03.08.06", "03.08.08", "03.10.03", "03.10.04", "03.10.05", "03.11.03", "03.12.04",
    "03.13.02", "03.13.03", "03.13.05", "03.13.07", "03.13.14", "03.13.16", "03.14.04", "03.14.05",
    "03.14.07",
];

fn sp171_requirements() -> BTreeSet<String> {
    SP171_FAMILIES
        .iter()
        .flat_map(|(fam, _, nums)| nums.iter().map(move |n| format!("{fam}.{n:02}")))
        .collect()
}

/// AI RMF 1.0: (category, number of subcategories).
const AI_RMF_CATEGORIES: &[(&str, u32)] = &[
    ("GOVERN-1", 7),
    ("GOVERN-2", 3),
    ("GOVERN-3", 2),
    ("GOVERN-4", 3),
    ("GOVERN-5", 2),
    ("GOVERN-6", 2),
    ("MAP-1", 6),
    ("MAP-2", 3),
    ("MAP-3", 5),
    ("MAP-4", 2),
    ("MAP-5", 2),
    ("MEASURE-1", 3),
    ("MEASURE-2", 13),
    ("MEASURE-3", 3),
    ("MEASURE-4", 3),
    ("MANAGE-1", 4),
    ("MANAGE-2", 4),
    ("MANAGE-3", 2),
    ("MANAGE-4", 3),
];

fn ai_rmf_subcategories() -> BTreeSet<String> {
    AI_RMF_CATEGORIES
        .iter()
        .flat_map(|(cat, n)| (1..=*n).map(move |i| format!("{cat}.{i}")))
        .collect()
}

fn fid(s: &str) -> FrameworkId {
    FrameworkId::parse(s).unwrap()
}

#[test]
fn sp_800_171r3_has_97_requirements_in_17_families() {
    let fw = framework("nist-800-171");
    assert_eq!(fw.id().as_str(), "nist-800-171r3");
    assert!(fw.meta.current);
    assert_eq!(fw.meta.family.as_str(), "nist-800-171");
    assert_eq!(fw.meta.publisher, "NIST");
    assert_eq!(fw.meta.published.as_deref(), Some("2024-05-14"));
    assert!(fw.meta.source.as_deref().unwrap_or("").contains("NIST"));

    let families = set(SP171_FAMILIES.iter().map(|(f, _, _)| *f));
    assert_eq!(families.len(), 17);
    assert_eq!(ids_where(fw, |r| r.kind == K::Group), families);
    let reqs = sp171_requirements();
    assert_eq!(reqs.len(), 97);
    assert_eq!(ids_where(fw, |r| r.assessable), reqs);
    assert_eq!(ids_where(fw, |r| r.kind == K::Requirement), reqs);
    assert_eq!(fw.requirements().len(), 17 + 97);

    // Withdrawn numbers are left out: 97 + 33 = the 130 numbers NIST assigns.
    assert_eq!(SP171_WITHDRAWN.len(), 33);
    for w in SP171_WITHDRAWN {
        assert!(fw.requirement(w).is_none(), "{w} is withdrawn");
        assert!(!reqs.contains(*w), "{w}");
    }
    let notes = fw.meta.notes.join(" ");
    for w in SP171_WITHDRAWN {
        assert!(notes.contains(w), "the notes list withdrawn {w}");
    }

    // Family titles, parents, and order: families ascending, each followed by its own.
    for (fam, title, _) in SP171_FAMILIES {
        let r = fw.requirement(fam).unwrap();
        assert_eq!(r.title, *title, "{fam}");
        assert!(r.parent.is_none());
    }
    for r in fw.requirements().iter().filter(|r| r.assessable) {
        assert_eq!(
            r.parent.as_ref().map(|p| p.as_str()),
            Some(&r.id.as_str()[..5]),
            "{}",
            r.id
        );
    }
    let order: Vec<&str> = fw.requirements().iter().map(|r| r.id.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    assert_eq!(order, sorted, "NIST's numbering order");
    assert_eq!(order.first(), Some(&"03.01"));
    assert_eq!(order.get(1), Some(&"03.01.01"));
    assert_eq!(order.last(), Some(&"03.17.03"));

    for (id, title) in [
        ("03.01.01", "Account Management"),
        ("03.01.06", "Least Privilege – Privileged Accounts"),
        ("03.04.08", "Authorized Software – Allow by Exception"),
        ("03.05.03", "Multi-Factor Authentication"),
        ("03.12.02", "Plan of Action and Milestones"),
        (
            "03.13.06",
            "Network Communications – Deny by Default – Allow by Exception",
        ),
        ("03.15.02", "System Security Plan"),
        ("03.17.03", "Supply Chain Requirements and Processes"),
    ] {
        assert_eq!(fw.requirement(id).unwrap().title, title, "{id}");
    }
    // Every summary is crosswalk's own single sentence.
    for r in fw.requirements() {
        let s = r.summary.trim();
        assert!(s.ends_with('.'), "{}: {s}", r.id);
        assert!(
            !s[..s.len() - 1].contains(". "),
            "{}: one sentence: {s}",
            r.id
        );
    }
}

#[test]
fn ai_rmf_1_0_has_72_subcategories_in_19_categories() {
    let lib = &builtin().library;
    let fw = framework("nist-ai-rmf");
    assert_eq!(fw.id().as_str(), "nist-ai-rmf-1.0");
    assert_eq!(lib.resolve("nist-ai-100-1").unwrap().id(), fw.id());
    assert_eq!(lib.resolve("NIST-AI-RMF-1.0").unwrap().id(), fw.id());
    assert!(fw.meta.current);
    assert_eq!(fw.meta.publisher, "NIST");
    assert_eq!(fw.meta.version, "1.0");
    assert_eq!(fw.meta.published.as_deref(), Some("2023-01-26"));
    assert!(
        fw.meta
            .source
            .as_deref()
            .unwrap_or("")
            .contains("NIST AI 100-1")
    );

    assert_eq!(
        ids_where(fw, |r| r.kind == K::Group),
        set(["GOVERN", "MAP", "MEASURE", "MANAGE"])
    );
    let cats = set(AI_RMF_CATEGORIES.iter().map(|(c, _)| *c));
    assert_eq!(cats.len(), 19);
    assert_eq!(ids_where(fw, |r| r.kind == K::Category), cats);
    let subs = ai_rmf_subcategories();
    assert_eq!(subs.len(), 72);
    assert_eq!(ids_where(fw, |r| r.kind == K::Subcategory), subs);
    assert_eq!(ids_where(fw, |r| r.assessable), subs);
    assert_eq!(fw.requirements().len(), 4 + 19 + 72);

    // Per function: categories and subcategories as NIST AI 100-1 counts them.
    let mut per_function: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for r in fw.requirements() {
        let function = r.id.as_str().split('-').next().unwrap();
        let e = per_function.entry(function).or_default();
        match r.kind {
            K::Category => e.0 += 1,
            K::Subcategory => e.1 += 1,
            _ => {}
        }
    }
    assert_eq!(
        per_function,
        BTreeMap::from([
            ("GOVERN", (6, 19)),
            ("MANAGE", (4, 13)),
            ("MAP", (5, 18)),
            ("MEASURE", (4, 22)),
        ])
    );

    // Parents: subcategory -> category -> function; NIST's order.
    for r in fw.requirements() {
        let id = r.id.as_str();
        let parent = r.parent.as_ref().map(|p| p.as_str().to_owned());
        match r.kind {
            K::Group => assert_eq!(parent, None, "{id}"),
            K::Category => assert_eq!(parent.as_deref(), id.split('-').next(), "{id}"),
            K::Subcategory => assert_eq!(parent.as_deref(), id.rsplit_once('.').map(|p| p.0)),
            other => panic!("{id}: unexpected kind {other:?}"),
        }
        assert!(!id.contains(' ') && !id.contains(':'), "{id}");
    }
    let order: Vec<&str> = fw.requirements().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(&order[..3], ["GOVERN", "GOVERN-1", "GOVERN-1.1"]);
    assert_eq!(order.last(), Some(&"MANAGE-4.3"));
    let pos = |id: &str| order.iter().position(|o| *o == id).unwrap();
    assert!(pos("GOVERN-6.2") < pos("MAP") && pos("MAP-5.2") < pos("MEASURE"));
    assert!(pos("MEASURE-2.9") < pos("MEASURE-2.10") && pos("MEASURE-4.3") < pos("MANAGE"));
    for absent in [
        "MAP-1.7",
        "GOVERN-1.8",
        "MEASURE-2.14",
        "MANAGE-4.4",
        "GOVERN-7",
    ] {
        assert!(fw.requirement(absent).is_none(), "{absent}");
    }
    // Titles are short labels of our own, summaries one sentence each.
    for r in fw.requirements() {
        assert!(
            r.title.split_whitespace().count() <= 8,
            "{}: {}",
            r.id,
            r.title
        );
        let s = r.summary.trim();
        assert!(
            s.ends_with('.') && !s[..s.len() - 1].contains(". "),
            "{}",
            r.id
        );
    }
}

#[test]
fn both_have_profiles_that_match_their_catalogs() {
    let lib = &builtin().library;
    for (family, edition, nature, count) in [
        (
            "nist-800-171",
            "nist-800-171r3",
            Nature::ContractualStandard,
            97,
        ),
        (
            "nist-ai-rmf",
            "nist-ai-rmf-1.0",
            Nature::VoluntaryFramework,
            72,
        ),
    ] {
        let fw = lib.resolve(family).unwrap();
        assert_eq!(fw.id().as_str(), edition);
        let p = lib.profile(&fid(family)).unwrap();
        assert_eq!(p.nature, nature, "{family}");
        assert_eq!(p.publisher, "NIST");
        assert!(
            !p.timeline.is_empty()
                && !p.key_features.is_empty()
                && !p.choose_when.is_empty()
                && !p.facts.is_empty()
                && !p.faq.is_empty(),
            "{family}"
        );
        // The structure counts agree with the catalog we ship.
        let assessable = fw.requirements().iter().filter(|r| r.assessable).count();
        assert_eq!(assessable, count);
        assert!(
            p.structure
                .elements
                .iter()
                .any(|e| e.count == Some(u32::try_from(count).unwrap())),
            "{family}: structure states {count}"
        );
        for r in &p.related {
            assert!(lib.current_of(r).is_some(), "{family}: related {r}");
        }
    }
    let sp171 = lib.profile(&fid("nist-800-171")).unwrap();
    assert_eq!(sp171.penalties.kind, PenaltyKind::Contractual);
    assert_eq!(sp171.disclosure.kind, DisclosureKind::SelfDeclaration);
    let facts = format!("{:?}", sp171.facts);
    assert!(facts.contains("Rev. 2") && facts.contains("110"), "{facts}");
    let elements: BTreeMap<&str, Option<u32>> = sp171
        .structure
        .elements
        .iter()
        .map(|e| (e.name.as_str(), e.count))
        .collect();
    assert_eq!(elements["Families"], Some(17));
    assert_eq!(elements["Withdrawn requirement numbers"], Some(33));

    let ai = lib.profile(&fid("nist-ai-rmf")).unwrap();
    assert_eq!(ai.penalties.kind, PenaltyKind::Market);
    let ai_elements: BTreeMap<&str, Option<u32>> = ai
        .structure
        .elements
        .iter()
        .map(|e| (e.name.as_str(), e.count))
        .collect();
    assert_eq!(ai_elements["Functions"], Some(4));
    assert_eq!(ai_elements["Categories"], Some(19));
    assert_eq!(ai_elements["Subcategories"], Some(72));
    assert!(format!("{:?}", ai.facts).contains("certif"));

    // Curated pair notes for the obvious neighbours.
    assert!(
        lib.pair_notes(&fid("nist-800-171"), &fid("nist-800-53"))
            .is_some()
    );
    assert!(
        lib.pair_notes(&fid("iso42001"), &fid("nist-ai-rmf"))
            .is_some()
    );
}

#[test]
fn sp_800_171r3_maps_to_its_800_53_source_controls() {
    let s = mapping_set("nist-800-171r3--nist-800-53r5");
    assert_eq!(s.meta.from.as_str(), "nist-800-171r3");
    assert_eq!(s.meta.to.as_str(), "nist-800-53r5");
    assert_eq!(s.meta.provenance, ProvenanceKind::Curated);
    assert_eq!(s.mappings().len(), 157);
    let sources: BTreeSet<String> = s.mappings().iter().map(|m| m.from.to_string()).collect();
    assert_eq!(
        sources,
        sp171_requirements(),
        "every requirement has its source"
    );

    let mut by_req: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in s.mappings() {
        by_req
            .entry(m.from.as_str())
            .or_default()
            .push(m.to.as_str());
    }
    // The typing rule: one source control -> subset; several -> intersects each.
    for m in s.mappings() {
        let expected = if by_req[m.from.as_str()].len() == 1 {
            Relationship::Subset
        } else {
            Relationship::Intersects
        };
        assert_eq!(m.relationship, expected, "{} -> {}", m.from, m.to);
    }
    assert_eq!(
        by_req["03.01.01"],
        ["AC-2", "AC-2(3)", "AC-2(5)", "AC-2(13)"]
    );
    assert_eq!(by_req["03.05.03"], ["IA-2(1)", "IA-2(2)"]);
    assert_eq!(by_req["03.13.06"], ["SC-7(5)"]);
    assert_eq!(by_req["03.17.03"], ["SR-3"]);
    let policies: BTreeSet<&str> = by_req["03.15.01"].iter().copied().collect();
    assert_eq!(policies.len(), 17);
    assert!(policies.iter().all(|c| c.ends_with("-1")), "{policies:?}");
    let sp53 = framework("nist-800-53r5");
    for m in s.mappings() {
        assert!(sp53.requirement(m.to.as_str()).is_some(), "{}", m.to);
    }
}

/// NIST's OSCAL catalog of SP 800-171 Rev. 3, read independently of the importer:
/// (id, parent, title, withdrawn, statement text, source controls as crosswalk ids).
struct NistEntry {
    parent: Option<String>,
    title: String,
    withdrawn: bool,
    statement: String,
    sources: Vec<String>,
}

fn nist_171(xml: &str) -> BTreeMap<String, NistEntry> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let strip = |id: &str| id.trim_start_matches("SP_800_171_").to_owned();
    let child_text = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.tag_name().name() == name)
            .map(|t| t.text().unwrap_or("").trim().to_owned())
            .unwrap_or_default()
    };
    // Back-matter resources: uuid -> title (SP 800-53 controls are titled `AC-02(03)`).
    let resources: BTreeMap<&str, String> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "resource")
        .filter_map(|n| Some((n.attribute("uuid")?, child_text(n, "title"))))
        .collect();
    let control_id = |t: &str| -> Option<String> {
        let (fam, rest) = t.split_once('-')?;
        if fam.len() != 2 || !fam.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let (num, enh) = match rest.split_once('(') {
            Some((n, e)) => (n, Some(e.strip_suffix(')')?)),
            None => (rest, None),
        };
        let num: u32 = num.parse().ok()?;
        Some(match enh {
            Some(e) => format!("{fam}-{num}({})", e.parse::<u32>().ok()?),
            None => format!("{fam}-{num}"),
        })
    };
    let mut out = BTreeMap::new();
    for node in doc.descendants().filter(|n| {
        (n.tag_name().name() == "group" && n.attribute("class") == Some("family"))
            || (n.tag_name().name() == "control" && n.attribute("class") == Some("requirement"))
    }) {
        let id = strip(node.attribute("id").unwrap());
        let parent = node
            .parent_element()
            .filter(|p| p.tag_name().name() == "group")
            .and_then(|p| p.attribute("id"))
            .map(strip);
        let withdrawn = node.children().any(|c| {
            c.tag_name().name() == "prop"
                && c.attribute("name") == Some("status")
                && c.attribute("value") == Some("withdrawn")
        });
        let statement = node
            .descendants()
            .filter(|c| c.tag_name().name() == "control")
            .flat_map(|sr| sr.descendants())
            .filter(|p| {
                p.tag_name().name() == "part"
                    && matches!(p.attribute("name"), Some("statement" | "item"))
            })
            .flat_map(|p| p.children().filter(|c| c.tag_name().name() == "p"))
            .flat_map(|p| p.descendants().filter_map(|t| t.text()))
            .collect::<Vec<_>>()
            .join(" ");
        let sources = node
            .children()
            .filter(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("reference"))
            .filter_map(|l| resources.get(l.attribute("href")?.trim_start_matches('#')))
            .filter_map(|t| control_id(t))
            .collect();
        out.insert(
            id,
            NistEntry {
                parent,
                title: child_text(node, "title"),
                withdrawn,
                statement,
                sources,
            },
        );
    }
    out
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The longest run of consecutive words `a` shares with `b`.
fn longest_shared_run(a: &[String], b: &[String]) -> usize {
    let mut best = 0;
    let mut prev = vec![0usize; b.len() + 1];
    for x in a {
        let mut cur = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            if x == y {
                cur[j + 1] = prev[j] + 1;
                best = best.max(cur[j + 1]);
            }
        }
        prev = cur;
    }
    best
}

/// Our SP 800-171 Rev. 3 catalog is NIST's structure exactly (ids, parents, titles),
/// without the withdrawn requirements; the mapping set holds exactly NIST's source
/// controls; and no summary copies NIST's statement (no run of six or more words).
#[test]
fn sp_800_171r3_matches_nists_oscal_catalog() {
    let Some(data) = shared_data("sp_800_171r3_matches_nists_oscal_catalog") else {
        return;
    };
    let xml =
        std::fs::read_to_string(data.join("oscal/nist-800-171r3/NIST_SP800-171_rev3_catalog.xml"))
            .unwrap();
    let nist = nist_171(&xml);
    assert_eq!(nist.values().filter(|e| e.parent.is_none()).count(), 17);
    assert_eq!(nist.values().filter(|e| e.parent.is_some()).count(), 130);
    let withdrawn: BTreeSet<&str> = nist
        .iter()
        .filter(|(_, e)| e.withdrawn)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(withdrawn, SP171_WITHDRAWN.iter().copied().collect());

    let fw = framework("nist-800-171r3");
    let ours: BTreeSet<&str> = fw.requirements().iter().map(|r| r.id.as_str()).collect();
    let theirs: BTreeSet<&str> = nist
        .iter()
        .filter(|(_, e)| !e.withdrawn)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(ours, theirs);
    for r in fw.requirements() {
        let e = &nist[r.id.as_str()];
        assert_eq!(
            r.parent.as_ref().map(ToString::to_string),
            e.parent,
            "{}",
            r.id
        );
        assert_eq!(r.title, e.title, "title of {}", r.id);
        if r.assessable {
            assert!(!e.statement.is_empty(), "{}: NIST statement found", r.id);
            let run = longest_shared_run(&words(&r.summary), &words(&e.statement));
            assert!(
                run < 6,
                "{}: summary shares {run} words in a row with NIST",
                r.id
            );
        }
    }

    let expected: BTreeSet<(String, String)> = nist
        .iter()
        .filter(|(_, e)| !e.withdrawn)
        .flat_map(|(id, e)| e.sources.iter().map(move |c| (id.clone(), c.clone())))
        .collect();
    let got: BTreeSet<(String, String)> = mapping_set("nist-800-171r3--nist-800-53r5")
        .mappings()
        .iter()
        .map(|m| (m.from.to_string(), m.to.to_string()))
        .collect();
    assert_eq!(got, expected);

    // NIST's claim that the requirements come from the MODERATE baseline holds for every
    // source control (SP 800-53B, release 5.1.1).
    let moderate = std::fs::read_to_string(data.join(
        "oscal/nist-800-53r5-v5.1.1/NIST_SP-800-53_rev5_MODERATE-baseline-resolved-profile_catalog.json",
    ))
    .unwrap();
    for (_, control) in &got {
        let oscal_id = control
            .to_ascii_lowercase()
            .replace('(', ".")
            .replace(')', "");
        assert!(
            moderate.contains(&format!("\"id\": \"{oscal_id}\""))
                || moderate.contains(&format!("\"id\":\"{oscal_id}\"")),
            "{control} is in the MODERATE baseline"
        );
    }
}
