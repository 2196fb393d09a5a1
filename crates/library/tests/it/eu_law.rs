//! The EU regulations DORA (Regulation (EU) 2022/2554) and the AI Act (Regulation (EU)
//! 2024/1689): every article and annex by exact id, chapters and sections as grouping
//! nodes, published titles, which articles are assessable, and the AI Act's role and
//! risk-class tags.

use std::collections::BTreeSet;

use crosswalk_core::framework::{Framework, Requirement, RequirementKind as K};

use super::{builtin, framework, ids_where, seq, set};

const ROMAN: [&str; 13] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
];

fn roman(prefix: &str, n: usize) -> Vec<String> {
    ROMAN[..n].iter().map(|r| format!("{prefix}{r}")).collect()
}

fn title<'a>(fw: &'a Framework, id: &str) -> &'a str {
    fw.requirement(id)
        .unwrap_or_else(|| panic!("{}: {id} exists", fw.id()))
        .title
        .as_str()
}

/// The ids of `kind`, in file order.
fn in_order(fw: &Framework, kind: K) -> Vec<&str> {
    fw.requirements()
        .iter()
        .filter(|r| r.kind == kind)
        .map(|r| r.id.as_str())
        .collect()
}

fn parent(r: &Requirement) -> Option<&str> {
    r.parent.as_ref().map(|p| p.as_str())
}

fn attr<'a>(r: &'a Requirement, name: &str) -> BTreeSet<&'a str> {
    r.attributes
        .get(name)
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Articles hang under a section or a chapter, sections under a chapter, chapters are roots.
fn assert_chapter_structure(fw: &Framework) {
    for r in fw.requirements() {
        match r.kind {
            K::Group => {
                assert!(r.id.as_str().starts_with("Ch."), "{}", r.id);
                assert_eq!(parent(r), None, "{}", r.id);
                assert!(!r.assessable, "{}", r.id);
            }
            K::Section if r.id.as_str().starts_with("Ch.") => {
                let p = parent(r).unwrap_or_else(|| panic!("{} has a parent", r.id));
                assert_eq!(fw.requirement(p).unwrap().kind, K::Group, "{}", r.id);
                assert!(r.id.as_str().starts_with(&format!("{p}.Sec.")), "{}", r.id);
                assert!(!r.assessable, "{}", r.id);
            }
            K::Article => {
                let p = parent(r).unwrap_or_else(|| panic!("{} has a parent", r.id));
                let pk = fw.requirement(p).unwrap().kind;
                assert!(pk == K::Group || pk == K::Section, "{}", r.id);
            }
            _ => {}
        }
    }
}

#[test]
fn dora_2022_has_all_64_articles_in_9_chapters() {
    let fw = framework("dora");
    assert_eq!(fw.id().as_str(), "dora-2022");
    let articles = in_order(fw, K::Article);
    assert_eq!(articles.len(), 64);
    assert_eq!(set(articles.iter().copied()), set(seq("Art.", 1..=64)));
    assert_eq!(articles.first(), Some(&"Art.1"));
    assert_eq!(articles.last(), Some(&"Art.64"));
    // File order is the regulation's order.
    let numbers: Vec<u32> = articles
        .iter()
        .map(|a| a.trim_start_matches("Art.").parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] + 1 == w[1]), "{numbers:?}");

    assert_eq!(ids_where(fw, |r| r.kind == K::Group), set(roman("Ch.", 9)));
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Section),
        set(["Ch.II.Sec.I", "Ch.II.Sec.II", "Ch.V.Sec.I", "Ch.V.Sec.II"])
    );
    assert_chapter_structure(fw);
    for (article, chapter) in [
        ("Art.4", "Ch.I"),
        ("Art.5", "Ch.II.Sec.I"),
        ("Art.16", "Ch.II.Sec.II"),
        ("Art.23", "Ch.III"),
        ("Art.27", "Ch.IV"),
        ("Art.30", "Ch.V.Sec.I"),
        ("Art.31", "Ch.V.Sec.II"),
        ("Art.44", "Ch.V.Sec.II"),
        ("Art.45", "Ch.VI"),
        ("Art.56", "Ch.VII"),
        ("Art.57", "Ch.VIII"),
        ("Art.64", "Ch.IX"),
    ] {
        assert_eq!(
            parent(fw.requirement(article).unwrap()),
            Some(chapter),
            "{article}"
        );
    }

    for (id, expected) in [
        ("Art.1", "Subject matter"),
        ("Art.5", "Governance and organisation"),
        ("Art.16", "Simplified ICT risk management framework"),
        (
            "Art.19",
            "Reporting of major ICT-related incidents and voluntary notification of significant cyber threats",
        ),
        (
            "Art.27",
            "Requirements for testers for the carrying out of TLPT",
        ),
        ("Art.28", "General principles"),
        (
            "Art.31",
            "Designation of critical ICT third-party service providers",
        ),
        (
            "Art.45",
            "Information-sharing arrangements on cyber threat information and intelligence",
        ),
        (
            "Art.47",
            "Cooperation with structures and authorities established by Directive (EU) 2022/2555",
        ),
        ("Art.56", "Data Protection"),
        ("Art.61", "Amendments to Regulation (EU) No 909/2014"),
        ("Art.62", "Amendments to Regulation (EU) No 600/2014"),
        ("Art.63", "Amendment to Regulation (EU) 2016/1011"),
        ("Art.64", "Entry into force and application"),
        ("Ch.V", "Managing of ICT third-party risk"),
        (
            "Ch.V.Sec.II",
            "Oversight Framework of critical ICT third-party service providers",
        ),
        ("Ch.IX", "Transitional and final provisions"),
    ] {
        assert_eq!(title(fw, id), expected, "{id}");
    }

    // Assessable: the articles that bind financial entities.
    let assessable = set([
        seq("Art.", 5..=14),
        seq("Art.", 16..=19),
        seq("Art.", 23..=30),
        vec!["Art.45".to_string()],
    ]
    .concat());
    assert_eq!(assessable.len(), 23);
    assert_eq!(ids_where(fw, |r| r.assessable), assessable);
    assert_eq!(fw.assessable_count(), 23);
    for oversight in seq("Art.", 31..=44) {
        assert!(
            !fw.requirement(&oversight).unwrap().assessable,
            "{oversight}"
        );
    }
    assert!(
        fw.meta
            .source
            .as_deref()
            .unwrap_or("")
            .contains("2022/2554")
    );
    assert!(fw.meta.notes.iter().any(|n| n.contains("64 articles")));
}

#[test]
fn ai_act_2024_has_all_113_articles_and_13_annexes() {
    let fw = framework("eu-ai-act");
    assert_eq!(fw.id().as_str(), "eu-ai-act-2024");
    let articles = in_order(fw, K::Article);
    assert_eq!(articles.len(), 113);
    assert_eq!(set(articles.iter().copied()), set(seq("Art.", 1..=113)));
    assert_eq!(articles.first(), Some(&"Art.1"));
    assert_eq!(articles.last(), Some(&"Art.113"));
    let numbers: Vec<u32> = articles
        .iter()
        .map(|a| a.trim_start_matches("Art.").parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] + 1 == w[1]), "{numbers:?}");

    let annexes: Vec<&str> = fw
        .requirements()
        .iter()
        .filter(|r| r.id.as_str().starts_with("Annex."))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        annexes,
        roman("Annex.", 13)
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    for a in &annexes {
        let r = fw.requirement(a).unwrap();
        assert!(!r.assessable && r.parent.is_none(), "{a}");
        assert_eq!(r.kind, K::Section, "{a}");
    }
    // Annexes come after the last article.
    assert!(fw.position("Annex.I").unwrap() > fw.position("Art.113").unwrap());

    assert_eq!(ids_where(fw, |r| r.kind == K::Group), set(roman("Ch.", 13)));
    let mut sections = Vec::new();
    for (chapter, n) in [("Ch.III", 5), ("Ch.V", 4), ("Ch.VII", 2), ("Ch.IX", 5)] {
        sections.extend(seq(&format!("{chapter}.Sec."), 1..=n));
    }
    assert_eq!(
        ids_where(fw, |r| r.kind == K::Section
            && r.id.as_str().starts_with("Ch.")),
        set(sections)
    );
    assert_chapter_structure(fw);
    for (article, parent_id) in [
        ("Art.4", "Ch.I"),
        ("Art.5", "Ch.II"),
        ("Art.7", "Ch.III.Sec.1"),
        ("Art.8", "Ch.III.Sec.2"),
        ("Art.27", "Ch.III.Sec.3"),
        ("Art.39", "Ch.III.Sec.4"),
        ("Art.49", "Ch.III.Sec.5"),
        ("Art.50", "Ch.IV"),
        ("Art.55", "Ch.V.Sec.3"),
        ("Art.56", "Ch.V.Sec.4"),
        ("Art.70", "Ch.VII.Sec.2"),
        ("Art.71", "Ch.VIII"),
        ("Art.73", "Ch.IX.Sec.2"),
        ("Art.94", "Ch.IX.Sec.5"),
        ("Art.101", "Ch.XII"),
        ("Art.113", "Ch.XIII"),
    ] {
        assert_eq!(
            parent(fw.requirement(article).unwrap()),
            Some(parent_id),
            "{article}"
        );
    }

    for (id, expected) in [
        ("Art.1", "Subject matter"),
        ("Art.4", "AI literacy"),
        ("Art.5", "Prohibited AI practices"),
        ("Art.6", "Classification rules for high-risk AI systems"),
        (
            "Art.33",
            "Subsidiaries of notified bodies and subcontracting",
        ),
        (
            "Art.50",
            "Transparency obligations for providers and deployers of certain AI systems",
        ),
        (
            "Art.55",
            "Obligations of providers of general-purpose AI models with systemic risk",
        ),
        (
            "Art.70",
            "Designation of national competent authorities and single points of contact",
        ),
        (
            "Art.79",
            "Procedure at national level for dealing with AI systems presenting a risk",
        ),
        (
            "Art.87",
            "Reporting of infringements and protection of reporting persons",
        ),
        (
            "Art.100",
            "Administrative fines on Union institutions, bodies, offices and agencies",
        ),
        (
            "Art.111",
            "AI systems already placed on the market or put into service and general-purpose AI models already placed on the marked",
        ),
        ("Art.113", "Entry into force and application"),
        ("Ch.III.Sec.2", "Requirements for high-risk AI systems"),
        (
            "Ch.IX.Sec.5",
            "Supervision, investigation, enforcement and monitoring in respect of providers of general-purpose AI models",
        ),
        ("Annex.I", "List of Union harmonisation legislation"),
        (
            "Annex.III",
            "High-risk AI systems referred to in Article 6(2)",
        ),
        (
            "Annex.XIII",
            "Criteria for the designation of general-purpose AI models with systemic risk referred to in Article 51",
        ),
    ] {
        assert_eq!(title(fw, id), expected, "{id}");
    }
    assert!(
        fw.meta
            .source
            .as_deref()
            .unwrap_or("")
            .contains("2024/1689")
    );
}

#[test]
fn every_assessable_ai_act_article_names_the_roles_it_binds() {
    let fw = framework("eu-ai-act-2024");
    let roles = set([
        "provider",
        "deployer",
        "importer",
        "distributor",
        "authorised-representative",
    ]);
    let risk_classes = set([
        "prohibited",
        "high-risk",
        "transparency",
        "general-purpose-ai",
        "general-purpose-ai-systemic-risk",
    ]);
    let assessable = set([
        vec!["Art.4".to_string(), "Art.5".into(), "Art.6".into()],
        seq("Art.", 8..=27),
        seq("Art.", 47..=50),
        seq("Art.", 52..=55),
        vec![
            "Art.43".to_string(),
            "Art.60".into(),
            "Art.61".into(),
            "Art.72".into(),
            "Art.73".into(),
            "Art.86".into(),
        ],
    ]
    .concat());
    assert_eq!(assessable.len(), 37);
    assert_eq!(ids_where(fw, |r| r.assessable), assessable);

    for r in fw.requirements() {
        let r_roles = attr(r, "role");
        let r_risk = attr(r, "risk_class");
        if r.assessable {
            assert_eq!(r.kind, K::Article, "{}", r.id);
            assert!(!r_roles.is_empty(), "{} has no role", r.id);
            assert!(
                r_roles.iter().all(|x| roles.contains(*x)),
                "{}: {r_roles:?}",
                r.id
            );
            assert!(r_risk.len() <= 1, "{}: {r_risk:?}", r.id);
            assert!(
                r_risk.iter().all(|x| risk_classes.contains(*x)),
                "{}: {r_risk:?}",
                r.id
            );
            assert!(
                r.attributes
                    .keys()
                    .all(|k| k == "role" || k == "risk_class"),
                "{}",
                r.id
            );
        } else {
            assert!(r.attributes.is_empty(), "{} is not assessable", r.id);
        }
    }

    let tags = |id: &str| {
        let r = fw.requirement(id).unwrap();
        (attr(r, "role"), attr(r, "risk_class"))
    };
    for (id, expected_roles, expected_risk) in [
        ("Art.4", vec!["provider", "deployer"], vec![]),
        ("Art.5", vec!["provider", "deployer"], vec!["prohibited"]),
        ("Art.9", vec!["provider"], vec!["high-risk"]),
        (
            "Art.22",
            vec!["provider", "authorised-representative"],
            vec!["high-risk"],
        ),
        ("Art.23", vec!["importer"], vec!["high-risk"]),
        ("Art.24", vec!["distributor"], vec!["high-risk"]),
        (
            "Art.25",
            vec!["provider", "deployer", "importer", "distributor"],
            vec!["high-risk"],
        ),
        ("Art.26", vec!["deployer"], vec!["high-risk"]),
        ("Art.27", vec!["deployer"], vec!["high-risk"]),
        ("Art.49", vec!["provider", "deployer"], vec!["high-risk"]),
        ("Art.50", vec!["provider", "deployer"], vec!["transparency"]),
        ("Art.53", vec!["provider"], vec!["general-purpose-ai"]),
        (
            "Art.54",
            vec!["provider", "authorised-representative"],
            vec!["general-purpose-ai"],
        ),
        (
            "Art.55",
            vec!["provider"],
            vec!["general-purpose-ai-systemic-risk"],
        ),
        ("Art.86", vec!["deployer"], vec!["high-risk"]),
    ] {
        let expected: (BTreeSet<&str>, BTreeSet<&str>) = (
            expected_roles.into_iter().collect(),
            expected_risk.into_iter().collect(),
        );
        assert_eq!(tags(id), expected, "{id}");
    }
    // Every role the regulation addresses is bound by at least one article.
    let used: BTreeSet<String> = fw
        .requirements()
        .iter()
        .flat_map(|r| attr(r, "role"))
        .map(str::to_string)
        .collect();
    assert_eq!(used, roles);
    // Authorities' and notified bodies' articles are reference only.
    for id in [
        "Art.28", "Art.31", "Art.34", "Art.64", "Art.74", "Art.88", "Art.99",
    ] {
        assert!(!fw.requirement(id).unwrap().assessable, "{id}");
    }
}

/// Ids other parts of the library may point at: the articles of the earlier, partial
/// editions, and every id any mapping set uses on the DORA or AI Act side.
#[test]
fn ids_referenced_elsewhere_still_exist() {
    let dora = framework("dora-2022");
    let earlier_dora = [
        seq("Art.", 5..=14),
        seq("Art.", 17..=19),
        seq("Art.", 24..=26),
        seq("Art.", 28..=30),
        vec![
            "Ch.II".into(),
            "Ch.III".into(),
            "Ch.IV".into(),
            "Ch.V".into(),
        ],
    ]
    .concat();
    for id in &earlier_dora {
        let r = dora.requirement(id).unwrap_or_else(|| panic!("dora {id}"));
        assert_eq!(r.assessable, id.starts_with("Art."), "dora {id}");
    }
    let ai = framework("eu-ai-act-2024");
    let earlier_ai = [
        seq("Art.", 9..=17),
        vec![
            "Art.26".into(),
            "Art.27".into(),
            "Art.43".into(),
            "Art.49".into(),
            "Art.50".into(),
            "Art.72".into(),
            "Art.73".into(),
        ],
    ]
    .concat();
    for id in &earlier_ai {
        let r = ai
            .requirement(id)
            .unwrap_or_else(|| panic!("eu-ai-act {id}"));
        assert!(r.assessable, "eu-ai-act {id}");
    }

    let lib = &builtin().library;
    for s in lib.mapping_sets() {
        let sides = [
            (lib.resolve(s.meta.from.as_str()).unwrap(), true),
            (lib.resolve(s.meta.to.as_str()).unwrap(), false),
        ];
        for (fw, from_side) in sides {
            if !["dora-2022", "eu-ai-act-2024"].contains(&fw.id().as_str()) {
                continue;
            }
            for m in s.mappings() {
                let id = if from_side { &m.from } else { &m.to };
                assert!(
                    fw.requirement(id.as_str()).is_some(),
                    "{}: {} has no {id}",
                    s.meta.id,
                    fw.id()
                );
            }
        }
    }
}
