//! Every pair of built-in frameworks gets a comparison page: Markdown and HTML render
//! without error, every contents link lands on a heading, and pairs the library links
//! (directly or through one other framework) carry a complete requirement-level table.

use std::collections::BTreeSet;

use crosswalk_core::compare::compare;
use crosswalk_core::mapping::Coverage;

#[test]
fn every_pair_of_frameworks_has_a_page() {
    let lib = &crosswalk_library::builtin().unwrap().library;
    let fws = lib.frameworks();
    assert!(fws.len() >= 30, "{} frameworks", fws.len());
    let (mut pages, mut linked, mut inferred) = (0, 0, 0);
    for (i, fa) in fws.iter().enumerate() {
        for fb in &fws[i + 1..] {
            let c =
                compare(lib, fa, fb).unwrap_or_else(|e| panic!("{} vs {}: {e}", fa.id(), fb.id()));
            let html = crosswalk_report::comparison_html(&c);
            let ids: BTreeSet<&str> = html
                .split(" id=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .collect();
            for link in html.split("href=\"#").skip(1) {
                let target = link.split('"').next().unwrap();
                assert!(
                    ids.contains(target),
                    "{} vs {}: #{target} has no heading",
                    fa.id(),
                    fb.id()
                );
            }
            assert!(!html.contains("<script"), "{} vs {}", fa.id(), fb.id());
            pages += 1;
            let Some(t) = &c.mapping_table else {
                continue;
            };
            linked += 1;
            let o = c.overlap.as_ref().unwrap();
            inferred += usize::from(o.inferred);
            // Complete: one row per assessable requirement of `a`, none left out.
            let rows: usize = t.groups.iter().map(|g| g.rows.len()).sum();
            assert_eq!(rows, fa.assessable_count(), "{} vs {}", fa.id(), fb.id());
            assert_eq!(rows, o.a_in_b.total);
            let full = t
                .groups
                .iter()
                .flat_map(|g| &g.rows)
                .filter(|r| r.coverage == Coverage::Full)
                .count();
            assert_eq!(full, o.a_in_b.full, "{} vs {}", fa.id(), fb.id());
            assert_eq!(
                t.unreached.len(),
                o.b_in_a.none,
                "{} vs {}",
                fa.id(),
                fb.id()
            );
            assert!(html.contains("id=\"requirement-level-mapping\""));
        }
    }
    let n = fws.len();
    assert_eq!(pages, n * (n - 1) / 2);
    assert!(linked > 60, "{linked} of {pages} pairs linked");
    assert!(inferred > 20, "{inferred} pairs linked only by inference");
}

#[test]
fn soc2_vs_iso42001_is_linked_and_soc2_vs_iso27701_suggests_the_privacy_category() {
    let lib = &crosswalk_library::builtin().unwrap().library;
    let f = |id: &str| lib.resolve(id).unwrap();
    let c = compare(lib, f("soc2"), f("iso42001")).unwrap();
    assert!(
        c.overlap.is_some(),
        "SOC 2 vs ISO/IEC 42001 shows an overlap"
    );
    let c = compare(lib, f("soc2"), f("iso27701")).unwrap();
    assert!(
        c.combined_strategy
            .iter()
            .any(|s| s.starts_with("Add the Privacy category to the SOC 2 scope")),
        "{:#?}",
        c.combined_strategy
    );
    let c = compare(lib, f("iso13485"), f("soc2")).unwrap();
    let o = c.overlap.as_ref().map(|o| o.inferred);
    assert_ne!(
        o,
        Some(false),
        "no direct mapping links ISO 13485 and SOC 2"
    );
}
