//! Hostile input found by fuzzing, kept as regressions: each is refused with an error
//! naming the file (never a crash, a hang or a partial result).

use std::path::{Path, PathBuf};

use crosswalk_core::ids::FrameworkId;
use crosswalk_oscal::{
    ImportOptions, MAX_IMPORT_DEPTH, MAX_XML_DEPTH, OscalError, catalog_meta, node_to_framework,
    read, read_catalog, resolve_profile,
};
use crosswalk_testkit::hostile::{bounded, fifo, sparse_file, write};
use serde_json::{Value, json};

const META: &str = r#"{"title": "T", "last-modified": "2026-01-01T00:00:00Z", "version": "1", "oscal-version": "1.2.1"}"#;

fn catalog(body: Value) -> String {
    let mut c = json!({"uuid": "8b2f4c1e-0000-4000-8000-000000000001", "metadata": serde_json::from_str::<Value>(META).unwrap()});
    for (k, v) in body.as_object().unwrap() {
        c[k] = v.clone();
    }
    json!({ "catalog": c }).to_string()
}

fn profile(imports: Value) -> String {
    json!({"profile": {"uuid": "8b2f4c1e-0000-4000-8000-000000000002", "metadata": serde_json::from_str::<Value>(META).unwrap(), "imports": imports}}).to_string()
}

const CATALOG_XML_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<catalog xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="8b2f4c1e-0000-4000-8000-000000000001">
<metadata><title>T</title><last-modified>2026-01-01T00:00:00Z</last-modified><version>1</version><oscal-version>1.2.1</oscal-version></metadata>
"#;

/// An XML catalog with `n` `element`s nested in one another, each with a title.
fn nested_xml(element: &str, n: usize) -> String {
    let mut s = String::from(CATALOG_XML_HEAD);
    for i in 0..n {
        s.push_str(&format!("<{element} id=\"x-{i}\"><title>X {i}</title>\n"));
    }
    for _ in 0..n {
        s.push_str(&format!("</{element}>"));
    }
    s.push_str("\n</catalog>\n");
    s
}

/// A catalog with a chain of `n` controls (or groups, or statement parts under one
/// control), each holding the next. Written as text: a value this deep would overflow
/// the test's own stack when built or dropped.
fn nested(key: &str, n: usize) -> String {
    let mut s = format!(
        r#"{{"catalog": {{"uuid": "8b2f4c1e-0000-4000-8000-000000000001", "metadata": {META}, "#
    );
    if key == "parts" {
        s.push_str(r#""controls": [{"id": "c-1", "title": "C", "parts": ["#);
    } else {
        s.push_str(&format!(r#""{key}": ["#));
    }
    for i in 0..n {
        if key == "parts" {
            s.push_str(&format!(
                r#"{{"id": "p-{i}", "name": "statement", "prose": "Part {i}.", "parts": ["#
            ));
        } else {
            s.push_str(&format!(r#"{{"id": "x-{i}", "title": "X {i}", "{key}": ["#));
        }
    }
    s.push_str(&"]}".repeat(n));
    s.push_str(if key == "parts" { "]}]}}" } else { "]}}" });
    s
}

fn import_options() -> ImportOptions {
    super::import_options("deep-1", "Deep", false)
}

#[test]
fn special_files_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = fifo(dir.path(), "pipe.json");
    let p = write(
        dir.path(),
        "p.json",
        &profile(json!([{"href": "https://example.org/cat.json", "include-all": {}}])),
    );
    for special in [PathBuf::from("/dev/zero"), pipe, dir.path().to_owned()] {
        let shown = format!("`{}` is not a regular file", special.display());
        let (s, p) = (special.clone(), p.clone());
        let errors = bounded(move || {
            [
                read(&s).unwrap_err(),
                read_catalog(&s).map(|_| ()).unwrap_err(),
                resolve_profile(&s, None).unwrap_err(),
                // As the catalog standing in for a remote import.
                resolve_profile(&p, Some(&s)).unwrap_err(),
            ]
        });
        for err in errors {
            assert!(matches!(err, OscalError::Input(_)), "{err:?}");
            assert!(err.to_string().starts_with(&shown), "{err}");
        }
    }
}

#[test]
fn an_oversized_document_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("x.json");
    sparse_file(&big, 300 << 20);
    let err = read(&big).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` is 300 MiB, over the 256 MiB limit for OSCAL documents",
            big.display()
        )
    );
}

#[test]
fn deeply_nested_xml_is_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (name, element, n) in [
        ("controls.xml", "control", 5_000),
        ("groups.xml", "group", 100_000),
        ("parts.xml", "part", 10_000),
        ("prose.xml", "em", 50_000),
    ] {
        let cat = write(dir.path(), name, &nested_xml(element, n));
        let p = write(
            dir.path(),
            "p.json",
            &profile(json!([{"href": name, "include-all": {}}])),
        );
        let errors = bounded(move || {
            [
                read(&cat).unwrap_err(),
                read_catalog(&cat).map(|_| ()).unwrap_err(),
                resolve_profile(&p, None).unwrap_err(),
            ]
        });
        for err in errors {
            // The root is line 2; the first element too deep is on line 4 + the limit − 2.
            let want = format!(
                "{}:{}: elements are nested more than {MAX_XML_DEPTH} levels deep",
                dir.path().join(name).display(),
                4 + MAX_XML_DEPTH - 2
            );
            assert_eq!(err.to_string(), want, "{name}");
            assert!(matches!(err, OscalError::TooDeep { .. }), "{err:?}");
        }
    }
}

#[test]
fn xml_at_the_depth_limit_is_read_resolved_and_imported() {
    let dir = tempfile::tempdir().unwrap();
    for (name, element) in [("controls.xml", "control"), ("groups.xml", "group")] {
        // catalog, then the elements, then `title` inside the deepest.
        let cat = write(dir.path(), name, &nested_xml(element, MAX_XML_DEPTH - 2));
        let p = write(
            dir.path(),
            "p.json",
            &profile(json!([{"href": name, "include-all": {}}])),
        );
        let err = bounded(move || {
            let doc = read(&cat).unwrap();
            let node = read_catalog(&cat).unwrap().unwrap();
            catalog_meta(&node, FrameworkId::parse("deep-1").unwrap());
            let resolved = resolve_profile(&p, None).unwrap();
            assert_eq!(
                crosswalk_oscal::controls(&resolved).len(),
                crosswalk_oscal::controls(&doc.body).len()
            );
            let _ = crosswalk_oscal::catalog_to_framework(&resolved, import_options());
            // Deeper than a framework may be.
            node_to_framework(&node, import_options()).unwrap_err()
        });
        assert!(err.contains("requirements nest at most"), "{name}: {err}");
    }
}

/// JSON is bounded by the JSON parser (128 levels); documents just under that bound go
/// through every recursive walk on a small stack, and documents over it are refused.
#[test]
fn deeply_nested_json_is_walked_or_refused_without_overflow() {
    let dir = tempfile::tempdir().unwrap();
    for key in ["controls", "groups", "parts"] {
        for n in [60, 5_000] {
            let name = format!("{key}-{n}.json");
            let cat = write(dir.path(), &name, &nested(key, n));
            // The general path (with-child-controls) and the lazy one (include-all).
            let structural = write(
                dir.path(),
                "structural.json",
                &profile(
                    json!([{"href": name, "include-controls": [{"with-ids": ["x-0"], "with-child-controls": "yes"}]}]),
                ),
            );
            let all = write(
                dir.path(),
                "all.json",
                &profile(json!([{"href": name, "include-all": {}}])),
            );
            let alter = write(
                dir.path(),
                "alter.json",
                &json!({"profile": {"uuid": "8b2f4c1e-0000-4000-8000-000000000003", "metadata": serde_json::from_str::<Value>(META).unwrap(),
                    "imports": [{"href": name, "include-all": {}}], "merge": {"as-is": true},
                    "modify": {"alters": [{"control-id": if key == "parts" { "c-1" } else { "x-0" }, "removes": [{"by-name": "nothing"}], "adds": [{"by-id": if key == "parts" { "p-30" } else { "x-0" }, "props": [{"name": "a", "value": "b"}]}]}]}}}).to_string(),
            );
            let outcome = bounded(move || -> Result<usize, String> {
                let doc = read(&cat).map_err(|e| e.to_string())?;
                let node = read_catalog(&cat).map_err(|e| e.to_string())?.unwrap();
                // Deeper than a framework may be (but parts are not requirements).
                let deep = |r: Result<_, String>| match r {
                    Err(e) if key != "parts" && e.contains("requirements nest at most") => Ok(()),
                    Err(e) => Err(e),
                    Ok(_) if key == "parts" => Ok(()),
                    Ok(_) => Err("a framework nested 60 deep".to_owned()),
                };
                deep(node_to_framework(&node, import_options()).map(|_| ()))?;
                deep(
                    crosswalk_oscal::catalog_to_framework(&doc.body, import_options()).map(|_| ()),
                )?;
                for p in [&structural, &all, &alter] {
                    let applies = match key {
                        "controls" => true,
                        "groups" => p == &all,
                        _ => p != &structural,
                    };
                    if !applies {
                        continue;
                    }
                    let r = resolve_profile(p, None).map_err(|e| e.to_string())?;
                    crosswalk_oscal::catalog_json(&r);
                }
                Ok(crosswalk_oscal::controls(&doc.body).len())
            });
            match (n, outcome) {
                (60, Ok(_)) => {}
                (5_000, Err(e)) => {
                    assert!(e.contains(&name) && e.contains("recursion limit"), "{e}");
                }
                (_, other) => panic!("{name}: {other:?}"),
            }
        }
    }
}

fn chain(dir: &Path, n: usize, imports_per_profile: usize) -> PathBuf {
    write(
        dir,
        "p0.json",
        &catalog(
            json!({"groups": [{"id": "g", "title": "G", "controls": [{"id": "c-1", "title": "One"}, {"id": "c-2", "title": "Two"}]}]}),
        ),
    );
    for i in 1..=n {
        let imports: Vec<Value> = (0..imports_per_profile)
            .map(|_| json!({"href": format!("p{}.json", i - 1), "include-all": {}}))
            .collect();
        write(dir, &format!("p{i}.json"), &profile(Value::Array(imports)));
    }
    dir.join(format!("p{n}.json"))
}

#[test]
fn long_profile_chains_resolve_once_per_profile() {
    for per in [1, 2, 3] {
        let dir = tempfile::tempdir().unwrap();
        let top = chain(dir.path(), 24, per);
        let out = bounded(move || resolve_profile(&top, None).map_err(|e| e.to_string()));
        let out = out.unwrap();
        // `keep` merging keeps a copy per import of the catalog; above that, each
        // resolved profile holds each id once per import.
        assert_eq!(super::control_ids(&out).len(), 2 * per, "{per}");
    }
}

#[test]
fn profile_chains_over_the_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let top = chain(dir.path(), MAX_IMPORT_DEPTH + 1, 1);
    let err = bounded(move || resolve_profile(&top, None).unwrap_err());
    assert!(matches!(err, OscalError::ImportDepth { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: profiles import one another more than {MAX_IMPORT_DEPTH} levels deep",
            dir.path().join("p1.json").display()
        )
    );
    let ok = chain(dir.path(), MAX_IMPORT_DEPTH, 1);
    bounded(move || resolve_profile(&ok, None).unwrap());
}

/// Frameworks nest at most `MAX_REQUIREMENT_DEPTH` levels, whatever they come from, so
/// one at the limit exports and reads back, and deeper catalogs are refused on import.
#[test]
fn frameworks_at_the_depth_limit_round_trip_and_deeper_ones_are_refused() {
    use crosswalk_core::framework::{Framework, Requirement, RequirementKind};
    use crosswalk_core::ids::RequirementId;
    use crosswalk_format::MAX_REQUIREMENT_DEPTH;
    let reqs: Vec<Requirement> = (0..MAX_REQUIREMENT_DEPTH)
        .map(|i| Requirement {
            id: RequirementId::parse(&format!("R{i}")).unwrap(),
            parent: (i > 0).then(|| RequirementId::parse(&format!("R{}", i - 1)).unwrap()),
            title: format!("R{i}"),
            summary: "s".into(),
            kind: if i % 3 == 0 {
                RequirementKind::Group
            } else {
                RequirementKind::Control
            },
            assessable: i % 3 != 0,
            attributes: Default::default(),
            excludable: None,
        })
        .collect();
    let fw = Framework::new(import_options().meta, reqs).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.json");
    let body = crosswalk_oscal::framework_to_catalog(
        &fw,
        &crosswalk_oscal::ExportOptions {
            now: "2026-01-01T00:00:00Z".into(),
        },
    );
    std::fs::write(&path, crosswalk_oscal::catalog_json(&body)).unwrap();
    let p = path.clone();
    let n = bounded(move || {
        let node = read_catalog(&p).unwrap().unwrap();
        node_to_framework(&node, import_options())
            .unwrap()
            .requirements()
            .len()
    });
    assert_eq!(n, MAX_REQUIREMENT_DEPTH);
    // One level more, as an OSCAL catalog of nested controls.
    let deeper = write(
        dir.path(),
        "deeper.json",
        &nested("controls", MAX_REQUIREMENT_DEPTH + 1),
    );
    let err = bounded(move || {
        let node = read_catalog(&deeper).unwrap().unwrap();
        node_to_framework(&node, import_options()).unwrap_err()
    });
    assert_eq!(
        err,
        format!(
            "`x-{MAX_REQUIREMENT_DEPTH}` is nested {} levels deep; a framework's requirements nest at most {MAX_REQUIREMENT_DEPTH} levels",
            MAX_REQUIREMENT_DEPTH + 1
        )
    );
}
