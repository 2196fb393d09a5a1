//! Bounded fuzzing of the OSCAL readers, conversion and profile resolution: small valid
//! documents (`tests/fixtures/`), randomly mutated (byte flips, truncation, duplicated
//! and deleted slices, inserted deep nesting and stray tokens, ids swapped), must give a
//! result or an error, never a panic.

use std::path::Path;

use crosswalk_core::ids::FrameworkId;
use crosswalk_oscal::{ImportOptions, Kind, read_str, resolve_profile};
use crosswalk_testkit::fuzz::{Mix, Mutator, config};
use crosswalk_testkit::hostile::bounded;
use proptest::prelude::*;

const CATALOG_JSON: &str = include_str!("../fixtures/catalog.json");
const CATALOG_XML: &str = include_str!("../fixtures/catalog.xml");
const MAPPINGS: &str = include_str!("../fixtures/mapping-collection.json");

/// Profile bodies (after `"imports": `), each exercising a different part of resolution;
/// `CAT` is replaced by the catalog's file name.
const PROFILES: &[&str] = &[
    r#"[{"href": "CAT", "include-all": {}}]"#,
    r#"[{"href": "CAT", "include-controls": [{"with-ids": ["ac-1"], "with-child-controls": "yes"}]}], "merge": {"as-is": true}"#,
    r#"[{"href": "CAT", "include-controls": [{"matching": [{"pattern": "a?-*"}]}], "exclude-controls": [{"with-ids": ["ac-2"]}]}], "merge": {"flat": {}},
       "modify": {"set-parameters": [{"param-id": "ac-1_prm_1", "values": ["yearly"], "constraints": [{"description": "c"}]}],
                  "alters": [{"control-id": "ac-1", "removes": [{"by-name": "sort-id"}], "adds": [{"position": "after", "by-id": "ac-1_smt.a", "parts": [{"id": "n", "name": "item", "prose": "New."}]}, {"position": "starting", "by-id": "ac-1_smt", "props": [{"name": "p", "value": "v"}]}]}]}"#,
    r##"[{"href": "CAT", "include-all": {}}, {"href": "#8b2f4c1e-0000-4000-8000-0000000000cc", "include-controls": [{"with-ids": ["au-1"], "with-parent-controls": "yes"}]}], "merge": {"combine": {"method": "use-first"}, "as-is": true},
       "back-matter": {"resources": [{"uuid": "8b2f4c1e-0000-4000-8000-0000000000cc", "rlinks": [{"href": "CAT", "media-type": "application/oscal.catalog+json"}]}]}"##,
];

fn profile(imports: &str, catalog: &str) -> String {
    format!(
        r#"{{"profile": {{"uuid": "8b2f4c1e-0000-4000-8000-000000000002", "metadata": {{"title": "P", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.1"}}, "imports": {}}}}}"#,
        imports.replace("CAT", catalog)
    )
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "null",
    "true",
    "-1e999",
    "\\u0000",
    "\\ud800",
    "<",
    ">",
    "</group>",
    "<control id=\"ac-1\">",
    "<group>",
    "&amp;",
    "&#0;",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "&a;",
    "<![CDATA[",
    "{{ insert: param, ",
    "}}",
    "\"controls\": [",
    "\"groups\": [{}],",
    "\"id\": \"ac-1\",",
    "\"parts\": [{\"name\": \"statement\"}],",
    "é",
    "\u{0}",
];

const IDS: &[&str] = &[
    "ac-1",
    "ac-2",
    "ac-1.1",
    "ac",
    "au",
    "au-1",
    "ac-1_smt",
    "ac-1_prm_1",
    "g_prm",
    "",
];

const MUTATOR: Mutator = Mutator {
    tokens: &[TOKENS],
    nests: &[
        ("[", "]"),
        ("{\"a\":", "}"),
        ("{\"id\": \"x\", \"controls\": [", "]}"),
        ("<group id=\"g\">", "</group>"),
        (
            "<control id=\"c\"><part name=\"statement\">",
            "</part></control>",
        ),
    ],
    names: IDS,
    // Weighted towards changes that keep the document well formed, so that resolution
    // and conversion see odd but parseable input, not only parse errors.
    mix: Mix {
        duplicate: 2,
        insert: 2,
        swap: 6,
        duplicate_len: 0..800,
        delete_len: 0..400,
        nest_depth: 1..3_000,
        ..Mix::EVEN
    },
};

fn options() -> ImportOptions {
    super::import_options("fuzz-1", "Fuzz", true)
}

/// Everything done with a document once read: conversions and walks.
fn use_document(path: &Path, text: &str) {
    let Ok(doc) = read_str(path, text) else {
        return;
    };
    match doc.kind {
        Kind::Catalog => {
            let _ = crosswalk_oscal::catalog_to_framework(&doc.body, options());
            let _ = crosswalk_oscal::controls(&doc.body);
            let _ = crosswalk_oscal::catalog_json(&doc.body);
        }
        Kind::MappingCollection => {
            let _ = crosswalk_oscal::read_mapping_collection(&doc.body, &|href| {
                FrameworkId::parse(href.rsplit('/').next().unwrap_or("")).ok()
            });
        }
        Kind::Profile => {}
    }
}

#[test]
fn the_seeds_are_valid() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cat.json"), CATALOG_JSON).unwrap();
    std::fs::write(dir.path().join("cat.xml"), CATALOG_XML).unwrap();
    for cat in ["cat.json", "cat.xml"] {
        for (i, imports) in PROFILES.iter().enumerate() {
            let p = dir.path().join(format!("p{i}.json"));
            std::fs::write(&p, profile(imports, cat)).unwrap();
            let out = resolve_profile(&p, None).unwrap_or_else(|e| panic!("{cat} {i}: {e}"));
            assert!(!crosswalk_oscal::controls(&out).is_empty(), "{cat} {i}");
            crosswalk_oscal::catalog_to_framework(&out, options()).unwrap();
        }
    }
    for (name, text) in [("c.json", CATALOG_JSON), ("c.xml", CATALOG_XML)] {
        let doc = read_str(Path::new(name), text).unwrap();
        let fw = crosswalk_oscal::catalog_to_framework(&doc.body, options()).unwrap();
        assert_eq!(fw.requirements().len(), 6, "{name}");
    }
    let doc = read_str(Path::new("m.json"), MAPPINGS).unwrap();
    let sets = crosswalk_oscal::read_mapping_collection(&doc.body, &|_| None).unwrap();
    assert_eq!(sets[0].mappings().len(), 2);
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_documents_are_read_or_refused(
        seed in 0..3usize,
        mutations in MUTATOR.mutations(1..5),
    ) {
        let (name, text) = [("c.json", CATALOG_JSON), ("c.xml", CATALOG_XML), ("m.json", MAPPINGS)][seed];
        let text = MUTATOR.apply_str(text, &mutations);
        // On a small stack, as a test thread has: deep documents must be refused, not
        // walked into an overflow.
        bounded(move || use_document(Path::new(name), &text));
    }

    #[test]
    fn mutated_catalogs_and_profiles_resolve_or_fail(
        xml in any::<bool>(),
        which in 0..PROFILES.len(),
        mutate_profile in any::<bool>(),
        mutations in MUTATOR.mutations(1..5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (cat, seed) = if xml { ("cat.xml", CATALOG_XML) } else { ("cat.json", CATALOG_JSON) };
        let mut p = profile(PROFILES[which], cat);
        let mut c = seed.to_owned();
        if mutate_profile {
            p = MUTATOR.apply_str(&p, &mutations);
        } else {
            c = MUTATOR.apply_str(&c, &mutations);
        }
        std::fs::write(dir.path().join(cat), c).unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, p).unwrap();
        let outcome = bounded(move || match resolve_profile(&path, None) {
            Ok(out) => {
                let _ = crosswalk_oscal::catalog_to_framework(&out, options());
                crosswalk_oscal::catalog_json(&out);
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        });
        if let Err(e) = outcome {
            prop_assert!(e.contains(".json") || e.contains(".xml") || e.contains("cycle"), "{}", e);
        }
    }
}
