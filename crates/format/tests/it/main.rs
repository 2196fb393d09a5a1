//! Library-file parsing: every kind of error names the file, line and field.

// Test code: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod every_error;
mod fuzz;
mod input;
mod risk_matrix;

use crosswalk_format::{LibraryFile, parse_file};

const GOOD: &str = r#"kind = "framework"
version = 1

[framework]
id = "acme-2024"
family = "acme"
current = true
name = "ACME Security Baseline 2024"
version = "2024"
publisher = "ACME"

[[requirements]]
id = "A"
title = "Access"
summary = "Controls on who may use what."
kind = "group"
assessable = false

[[requirements]]
id = "A.1"
parent = "A"
title = "Access reviews"
summary = "Review access rights every quarter."
kind = "control"
assessable = true
"#;

/// Parses `text` as `acme.toml` and compares the rendered diagnostics with `expected`.
fn check_errors(text: &str, expected: &[&str]) {
    match parse_file("acme.toml", text) {
        Ok(_) => panic!("expected errors {expected:?}, got a parsed file"),
        Err(diags) => {
            let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
            assert_eq!(got, expected);
        }
    }
}

#[test]
fn parses_a_good_framework() {
    let LibraryFile::Framework(fw, line) = parse_file("acme.toml", GOOD).unwrap() else {
        panic!("not a framework")
    };
    assert_eq!(line, 4);
    assert_eq!(fw.id().as_str(), "acme-2024");
    assert_eq!(fw.requirements().len(), 2);
    assert_eq!(fw.assessable_count(), 1);
    assert_eq!(fw.requirements()[1].parent.as_ref().unwrap().as_str(), "A");
}

#[test]
fn duplicate_id() {
    let text = GOOD.replace("id = \"A.1\"", "id = \"A\"");
    check_errors(
        &text,
        &["acme.toml:20:1: requirements[1].id: duplicate requirement id `A`"],
    );
}

#[test]
fn dangling_parent() {
    let text = GOOD.replace("parent = \"A\"", "parent = \"B\"");
    check_errors(
        &text,
        &[
            "acme.toml:21:1: requirements[1].parent: parent `B` of `A.1` does not exist in this framework",
        ],
    );
}

#[test]
fn unknown_field() {
    let text = GOOD.replace("assessable = true", "assessable = true\nweight = 3");
    check_errors(
        &text,
        &[
            "acme.toml:26:1: requirements[1].weight: unknown field `weight`, expected one of `id`, `parent`, `title`, `summary`, `kind`, `assessable`, `attributes`, `excludable`",
        ],
    );
}

#[test]
fn bad_enum_value() {
    let text = GOOD.replace("kind = \"control\"", "kind = \"contrl\"");
    let diags = parse_file("acme.toml", &text).unwrap_err();
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(
        (d.file.as_str(), d.line, d.field.as_str()),
        ("acme.toml", 24, "requirements[1].kind")
    );
    assert!(
        d.message
            .starts_with("unknown variant `contrl`, expected one of `group`, `clause`"),
        "{}",
        d.message
    );
}

#[test]
fn bad_requirement_id() {
    let text = GOOD.replace("id = \"A.1\"", "id = \"A 1\"");
    check_errors(
        &text,
        &[
            "acme.toml:20:6: requirements[1].id: `A 1` is not a valid requirement id: use printable ASCII without spaces or `:`",
        ],
    );
}

#[test]
fn missing_field() {
    let text = GOOD.replace("publisher = \"ACME\"\n", "");
    let diags = parse_file("acme.toml", &text).unwrap_err();
    assert_eq!(diags[0].line, 4);
    assert_eq!(diags[0].field, "framework");
    assert_eq!(diags[0].message, "missing field `publisher`");
}

#[test]
fn unsupported_version_and_kind() {
    check_errors(
        &GOOD.replace("version = 1", "version = 2"),
        &["acme.toml:2:11: version: format version 2 is not supported; this build reads version 1"],
    );
    check_errors(
        &GOOD.replace("kind = \"framework\"", "kind = \"catalog\""),
        &[
            "acme.toml:1:8: kind: unknown kind `catalog`, expected one of `framework`, `profile`, `comparisons`, `mapping-set`",
        ],
    );
}

#[test]
fn syntax_error() {
    let text = GOOD.replace("title = \"Access\"", "title = \"Access");
    let diags = parse_file("acme.toml", &text).unwrap_err();
    assert_eq!(
        (diags[0].line, diags[0].field.as_str()),
        (14, "requirements[0].title")
    );
}

#[test]
fn parent_after_child() {
    let text = r#"kind = "framework"
version = 1
[framework]
id = "x-1"
family = "x"
current = true
name = "X"
version = "1"
publisher = "X"
[[requirements]]
id = "B.1"
parent = "B"
title = "t"
summary = "s"
kind = "control"
assessable = true
[[requirements]]
id = "B"
title = "t"
summary = "s"
kind = "group"
assessable = false
"#;
    check_errors(
        text,
        &[
            "acme.toml:12:1: requirements[0].parent: parent `B` of `B.1` is defined after it; list parents before children",
        ],
    );
}

const MAPPING_SET: &str = r#"kind = "mapping-set"
version = 1

[mapping_set]
id = "a--b"
from = "a-1"
to = "b-1"
title = "A to B"
provenance = "curated"
publisher = "us"
source = "our review"
method = "read both"
review = "second reader"

[[mappings]]
from = "X.1"
to = "Y-1"
relationship = "subset"
rationale = "semantic"
strength = 6

[[mappings]]
from = "X.2"
to = "Y-2"
relationship = "intersects"
"#;

#[test]
fn mapping_sets_round_trip_and_report_bad_rows() {
    let text = MAPPING_SET;
    let LibraryFile::MappingSet(set, line, lines) = parse_file("m.toml", text).unwrap() else {
        panic!("not a mapping set")
    };
    assert_eq!((line, lines), (4, vec![15, 22]));
    let written = crosswalk_format::write_mapping_set(&set).unwrap();
    let LibraryFile::MappingSet(again, _, _) = parse_file("m.toml", &written).unwrap() else {
        panic!("not a mapping set")
    };
    assert_eq!(again, set);
    check_errors(
        &text.replace("strength = 6", "strength = 12"),
        &["m.toml:20:1: mappings[0].strength: strength 12 of `X.1` → `Y-1` is outside 1–10"]
            .map(|s| s.replacen("m.toml", "acme.toml", 1))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    check_errors(
        &text.replace("relationship = \"subset\"", "relationship = \"subset-of\""),
        &[
            "acme.toml:18:16: mappings[0].relationship: unknown variant `subset-of`, expected one of `equal`, `equivalent`, `subset`, `superset`, `intersects`, `related`, `no-relationship`",
        ],
    );
}

#[test]
fn requirements_nest_at_most_the_limit() {
    use crosswalk_format::{MAX_REQUIREMENT_DEPTH, too_deep};
    let ids: Vec<String> = (0..=MAX_REQUIREMENT_DEPTH)
        .map(|i| format!("R{i}"))
        .collect();
    let chain = |n: usize| {
        (0..n)
            .map(|i| (ids[i].as_str(), (i > 0).then(|| ids[i - 1].as_str())))
            .collect::<Vec<_>>()
    };
    assert_eq!(too_deep(chain(MAX_REQUIREMENT_DEPTH)), None);
    assert_eq!(
        too_deep(chain(MAX_REQUIREMENT_DEPTH + 1)),
        Some((MAX_REQUIREMENT_DEPTH, MAX_REQUIREMENT_DEPTH + 1))
    );
    let mut text = GOOD.to_owned();
    for i in 2..=MAX_REQUIREMENT_DEPTH {
        let parent = if i == 2 {
            "A.1".to_owned()
        } else {
            format!("A.{}", i - 1)
        };
        text.push_str(&format!(
            "\n[[requirements]]\nid = \"A.{i}\"\nparent = \"{parent}\"\ntitle = \"t\"\nsummary = \"s\"\nkind = \"control\"\nassessable = true\n"
        ));
    }
    // A, A.1 … A.32: 33 levels.
    let diags = parse_file("acme.toml", &text).unwrap_err();
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0].to_string().ends_with(
            "requirements[32].parent: `A.32` is nested 33 levels deep; requirements nest at most 32 levels"
        ),
        "{}",
        diags[0]
    );
}
