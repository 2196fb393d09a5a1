//! GDPR (Regulation (EU) 2016/679): articles, their numbered paragraphs and lettered points,
//! and which of them bind controllers and processors.

use std::collections::BTreeSet;

use crate::{framework, ids_where, set};
use crosswalk_core::framework::{Framework, Requirement, RequirementKind};

/// Numbered children `Art.N(k)` of each article 1–99, as in the Official Journal. For
/// Article 4 these are the 26 numbered definitions; single-paragraph articles have none.
const PARAGRAPHS: [(u32, usize); 99] = [
    (1, 3),
    (2, 4),
    (3, 3),
    (4, 26),
    (5, 2),
    (6, 4),
    (7, 4),
    (8, 3),
    (9, 4),
    (10, 0),
    (11, 2),
    (12, 8),
    (13, 4),
    (14, 5),
    (15, 4),
    (16, 0),
    (17, 3),
    (18, 3),
    (19, 0),
    (20, 4),
    (21, 6),
    (22, 4),
    (23, 2),
    (24, 3),
    (25, 3),
    (26, 3),
    (27, 5),
    (28, 10),
    (29, 0),
    (30, 5),
    (31, 0),
    (32, 4),
    (33, 5),
    (34, 4),
    (35, 11),
    (36, 5),
    (37, 7),
    (38, 6),
    (39, 2),
    (40, 11),
    (41, 6),
    (42, 8),
    (43, 9),
    (44, 0),
    (45, 9),
    (46, 5),
    (47, 3),
    (48, 0),
    (49, 6),
    (50, 0),
    (51, 4),
    (52, 6),
    (53, 4),
    (54, 2),
    (55, 3),
    (56, 6),
    (57, 4),
    (58, 6),
    (59, 0),
    (60, 12),
    (61, 9),
    (62, 7),
    (63, 0),
    (64, 8),
    (65, 6),
    (66, 4),
    (67, 0),
    (68, 6),
    (69, 2),
    (70, 4),
    (71, 2),
    (72, 2),
    (73, 2),
    (74, 2),
    (75, 6),
    (76, 2),
    (77, 2),
    (78, 4),
    (79, 2),
    (80, 2),
    (81, 3),
    (82, 6),
    (83, 9),
    (84, 2),
    (85, 3),
    (86, 0),
    (87, 0),
    (88, 3),
    (89, 4),
    (90, 2),
    (91, 2),
    (92, 5),
    (93, 3),
    (94, 2),
    (95, 0),
    (96, 0),
    (97, 5),
    (98, 0),
    (99, 2),
];

fn gdpr() -> &'static Framework {
    framework("gdpr-2016")
}

fn children(fw: &Framework, parent: &str) -> Vec<String> {
    fw.requirements()
        .iter()
        .filter(|r| r.parent.as_ref().map(|p| p.as_str()) == Some(parent))
        .map(|r| r.id.to_string())
        .collect()
}

fn binds(r: &Requirement) -> Vec<String> {
    r.attributes
        .get("binds")
        .map(|v| v.iter().map(ToString::to_string).collect())
        .unwrap_or_default()
}

fn article_of(id: &str) -> u32 {
    let rest = id.strip_prefix("Art.").unwrap();
    rest.split('(').next().unwrap().parse().unwrap()
}

fn letters(prefix: &str, last: char) -> Vec<String> {
    ('a'..=last).map(|c| format!("{prefix}({c})")).collect()
}

#[test]
fn gdpr_has_99_articles_with_their_numbered_paragraphs() {
    let fw = gdpr();
    let articles = ids_where(fw, |r| r.kind == RequirementKind::Article);
    assert_eq!(articles, set((1..=99).map(|n| format!("Art.{n}"))));
    let mut total = 0;
    for (n, count) in PARAGRAPHS {
        let art = format!("Art.{n}");
        let numbered: Vec<String> = (1..=count).map(|k| format!("{art}({k})")).collect();
        let kids: Vec<String> = children(fw, &art)
            .into_iter()
            .filter(|id| id[art.len() + 1..].starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        assert_eq!(kids, numbered, "{art}");
        total += count;
    }
    assert_eq!(
        total, 398,
        "372 paragraphs and the 26 definitions of Article 4"
    );
    // Points hanging directly on an article: Article 50 only.
    assert_eq!(children(fw, "Art.50"), letters("Art.50", 'd'));
    // Articles with a single unnumbered paragraph have no children at all.
    for n in [10, 16, 19, 29, 31, 44, 48, 59, 63, 67, 86, 87, 95, 96, 98] {
        assert!(children(fw, &format!("Art.{n}")).is_empty(), "Art.{n}");
    }
}

#[test]
fn gdpr_points_of_key_articles() {
    let fw = gdpr();
    let points = |art: &str| -> BTreeSet<String> {
        ids_where(fw, |r| {
            r.id.as_str().starts_with(&format!("{art}(")) && r.id.as_str().matches('(').count() == 2
        })
    };
    assert_eq!(points("Art.5"), set(letters("Art.5(1)", 'f')));
    let mut six = letters("Art.6(1)", 'f');
    six.extend(letters("Art.6(3)", 'b'));
    six.extend(letters("Art.6(4)", 'e'));
    assert_eq!(points("Art.6"), set(six));
    assert_eq!(points("Art.9"), set(letters("Art.9(2)", 'j')));
    assert_eq!(points("Art.28"), set(letters("Art.28(3)", 'h')));
    assert_eq!(points("Art.32"), set(letters("Art.32(1)", 'd')));
    assert_eq!(points("Art.33"), set(letters("Art.33(3)", 'd')));
    // Definitions with points of their own.
    assert_eq!(children(fw, "Art.4(16)"), letters("Art.4(16)", 'b'));
    assert_eq!(children(fw, "Art.4(22)"), letters("Art.4(22)", 'c'));
    assert_eq!(children(fw, "Art.4(23)"), letters("Art.4(23)", 'b'));
    // Totals: 398 numbered paragraphs and definitions, 255 lettered points.
    let all = fw.requirements();
    let req = |r: &&Requirement| r.kind == RequirementKind::Requirement;
    assert_eq!(all.iter().filter(req).count(), 398 + 255);
    assert_eq!(all.len(), 11 + 99 + 398 + 255);
}

#[test]
fn gdpr_assessable_nodes_bind_controllers_or_processors() {
    let fw = gdpr();
    let mut by = std::collections::BTreeMap::<Vec<String>, usize>::new();
    for r in fw.requirements() {
        let b = binds(r);
        assert_eq!(
            r.assessable,
            !b.is_empty(),
            "{}: binds iff assessable",
            r.id
        );
        if r.assessable {
            *by.entry(b).or_default() += 1;
        }
    }
    let key = |v: &[&str]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(by.get(&key(&["controller"])), Some(&128));
    assert_eq!(by.get(&key(&["processor"])), Some(&8));
    assert_eq!(by.get(&key(&["controller", "processor"])), Some(&42));
    assert_eq!(by.values().sum::<usize>(), 178);
    // Spot checks.
    let get = |id: &str| fw.requirement(id).unwrap();
    assert_eq!(binds(get("Art.5(2)")), key(&["controller"]));
    assert_eq!(binds(get("Art.28(2)")), key(&["processor"]));
    assert_eq!(binds(get("Art.33(2)")), key(&["processor"]));
    assert_eq!(
        binds(get("Art.32(1)(a)")),
        key(&["controller", "processor"])
    );
    assert!(get("Art.6(1)").assessable && !get("Art.6(1)(a)").assessable);
    assert!(!get("Art.4(1)").assessable && !get("Art.23(1)").assessable);
    // Only childless articles are assessable.
    let articles = ids_where(fw, |r| r.kind == RequirementKind::Article && r.assessable);
    assert_eq!(
        articles,
        set([
            "Art.10", "Art.16", "Art.19", "Art.29", "Art.31", "Art.44", "Art.48"
        ])
    );
    // No assessable node has an assessable ancestor.
    for r in fw.requirements().iter().filter(|r| r.assessable) {
        let mut p = r.parent.clone();
        while let Some(id) = p {
            let parent = fw.requirement(id.as_str()).unwrap();
            assert!(!parent.assessable, "{} under {}", r.id, parent.id);
            p = parent.parent.clone();
        }
    }
}

#[test]
fn gdpr_authorities_and_board_chapters_are_not_assessable() {
    let fw = gdpr();
    let mut seen = 0;
    for r in fw.requirements() {
        let id = r.id.as_str();
        let in_vi_vii = matches!(id, "Ch.VI" | "Ch.VII")
            || (id.starts_with("Art.") && (51..=76).contains(&article_of(id)));
        if in_vi_vii {
            seen += 1;
            assert!(!r.assessable, "{id}");
        }
    }
    // 2 chapters, 26 articles, 109 paragraphs (their points are not listed).
    assert_eq!(seen, 2 + 26 + 109);
    // Nor remedies, liability and penalties (Chapter VIII).
    assert!(
        ids_where(fw, |r| r.assessable
            && r.id.as_str().starts_with("Art.")
            && (77..=84).contains(&article_of(r.id.as_str())))
        .is_empty()
    );
}
