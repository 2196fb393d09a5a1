//! A file with several problems reports all of them, each located; a clean file parses
//! to exactly the value a one-pass read of the whole file gives.

use std::path::{Path, PathBuf};

use crosswalk_core::framework::{Framework, FrameworkMeta, Requirement};
use crosswalk_core::mapping::{Mapping, MappingSet, MappingSetMeta};
use crosswalk_core::profile::{PairNotes, Profile};
use crosswalk_format::{LibraryFile, parse_file};
use serde::Deserialize;
use toml::Spanned;

use super::{GOOD, MAPPING_SET};

/// Five problems: an unknown field in one requirement; in the next an empty title, an
/// unknown kind, a parent that does not exist and no `assessable`.
const FOUR_PROBLEMS: &str = r#"kind = "framework"
version = 1

[framework]
id = "acme-2024"
family = "acme"
current = true
name = "Acme"
version = "2024"
publisher = "Acme"

[[requirements]]
id = "1"
title = "One"
kind = "clause"
assessable = true
bogus_field = 1

[[requirements]]
id = "2"
title = ""
kind = "contrl"
parent = "9"
"#;

fn rendered(name: &str, text: &str) -> Vec<String> {
    match parse_file(name, text) {
        Ok(_) => panic!("expected errors, got a parsed file"),
        Err(diags) => diags.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_problem_of_a_framework_is_reported() {
    assert_eq!(
        rendered("acme.toml", FOUR_PROBLEMS),
        [
            "acme.toml:17:1: requirements[0].bogus_field: unknown field `bogus_field`, expected one of `id`, `parent`, `title`, `summary`, `kind`, `assessable`, `attributes`, `excludable`",
            "acme.toml:19:1: requirements[1]: missing field `assessable`",
            "acme.toml:21:1: requirements[1].title: requirement `2` has an empty title",
            "acme.toml:22:8: requirements[1].kind: unknown variant `contrl`, expected one of `group`, `clause`, `control`, `objective`, `criterion`, `point-of-focus`, `category`, `subcategory`, `article`, `section`, `standard`, `implementation-specification`, `requirement`",
            "acme.toml:23:1: requirements[1].parent: parent `9` of `2` does not exist in this framework",
        ]
    );
}

#[test]
fn problems_in_the_header_table_the_top_level_and_several_requirements() {
    let text = GOOD
        .replace("current = true", "current = \"yes\"")
        .replace("publisher = \"ACME\"\n", "")
        .replace("version = 1\n", "version = 1\ncolour = \"red\"\n")
        .replace("kind = \"group\"", "kind = \"grup\"\nweight = 2")
        .replace("title = \"Access reviews\"", "title = 7")
        .replace("assessable = true", "assessable = \"yes\"");
    assert_eq!(
        rendered("acme.toml", &text),
        [
            "acme.toml:3:1: colour: unknown field `colour`, expected one of `kind`, `version`, `framework`, `requirements`",
            "acme.toml:5:1: framework: missing field `publisher`",
            "acme.toml:8:11: framework.current: invalid type: string \"yes\", expected a boolean",
            "acme.toml:16:8: requirements[0].kind: unknown variant `grup`, expected one of `group`, `clause`, `control`, `objective`, `criterion`, `point-of-focus`, `category`, `subcategory`, `article`, `section`, `standard`, `implementation-specification`, `requirement`",
            "acme.toml:17:1: requirements[0].weight: unknown field `weight`, expected one of `id`, `parent`, `title`, `summary`, `kind`, `assessable`, `attributes`, `excludable`",
            "acme.toml:23:9: requirements[1].title: invalid type: integer `7`, expected a string",
            "acme.toml:26:14: requirements[1].assessable: invalid type: string \"yes\", expected a boolean",
        ]
    );
}

#[test]
fn checks_across_requirements_see_the_ones_that_did_not_read() {
    // `A` does not read (bad kind) but still defines `A`; `A.1` does not read either
    // and is still a duplicate of the later `A.1`.
    let text = GOOD
        .replace("kind = \"group\"", "kind = \"grup\"")
        .replace("kind = \"control\"", "kind = \"ctrl\"")
        + "\n[[requirements]]\nid = \"A.1\"\nparent = \"B\"\ntitle = \"Again\"\nkind = \"control\"\nassessable = true\n";
    assert_eq!(
        rendered("acme.toml", &text),
        [
            "acme.toml:16:8: requirements[0].kind: unknown variant `grup`, expected one of `group`, `clause`, `control`, `objective`, `criterion`, `point-of-focus`, `category`, `subcategory`, `article`, `section`, `standard`, `implementation-specification`, `requirement`",
            "acme.toml:24:8: requirements[1].kind: unknown variant `ctrl`, expected one of `group`, `clause`, `control`, `objective`, `criterion`, `point-of-focus`, `category`, `subcategory`, `article`, `section`, `standard`, `implementation-specification`, `requirement`",
            "acme.toml:28:1: requirements[2].id: duplicate requirement id `A.1`",
            "acme.toml:29:1: requirements[2].parent: parent `B` of `A.1` does not exist in this framework",
        ]
    );
}

#[test]
fn every_problem_of_a_mapping_set_is_reported() {
    let text = MAPPING_SET
        .replace("title = \"A to B\"", "title = \"A to B\"\nlicense = \"x\"")
        .replace("relationship = \"subset\"", "relationship = \"subset-of\"")
        .replace("strength = 6", "strength = 12\nconfidence = \"sure\"")
        .replace(
            "relationship = \"intersects\"",
            "relationship = \"intersects\"\nstrength = 0",
        )
        + "\n[[mappings]]\nfrom = \"X.1\"\nto = \"Y-1\"\nrelationship = \"equal\"\nstrength = -1\n";
    assert_eq!(
        rendered("m.toml", &text),
        [
            "m.toml:9:1: mapping_set.license: unknown field `license`, expected one of `id`, `from`, `to`, `title`, `provenance`, `publisher`, `source`, `date`, `licence`, `method`, `review`, `notes`",
            "m.toml:19:16: mappings[0].relationship: unknown variant `subset-of`, expected one of `equal`, `equivalent`, `subset`, `superset`, `intersects`, `related`, `no-relationship`",
            "m.toml:21:1: mappings[0].strength: strength 12 of `X.1` → `Y-1` is outside 1–10",
            "m.toml:22:14: mappings[0].confidence: unknown variant `sure`, expected one of `low`, `medium`, `high`",
            "m.toml:28:1: mappings[1].strength: strength 0 of `X.2` → `Y-2` is outside 1–10",
            "m.toml:32:1: mappings[2].to: `X.1` → `Y-1` is listed more than once",
            "m.toml:34:12: mappings[2].strength: invalid value: integer `-1`, expected u8",
        ]
    );
}

#[test]
fn every_problem_of_a_profile_is_reported_section_by_section() {
    let text = std::fs::read_to_string(data().join("profiles/soc2.toml")).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let nature = line_of("nature = ");
    let structure = line_of("[profile.structure]");
    let second_phase = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("min_weeks = "))
        .nth(1)
        .unwrap()
        .0
        + 1;
    let proves = line_of("proves = ");
    let profile = line_of("[profile]");
    // A required field with a bad value, a required field missing, an unknown field in
    // one section and a bad value in the second element of an array of tables.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[nature - 1] = "nature = \"optional\"".into();
    lines[proves - 1] = String::new();
    lines[structure - 1] = "[profile.structure]\nsize = 3".into();
    lines[second_phase - 1] = "min_weeks = \"four\"".into();
    let bad = lines.join("\n") + "\n";
    let got = rendered("soc2.toml", &bad);
    assert_eq!(got.len(), 4, "{got:#?}");
    assert_eq!(
        got[0],
        format!("soc2.toml:{profile}:1: profile: missing field `proves`")
    );
    assert!(
        got[1].starts_with(&format!(
            "soc2.toml:{nature}:10: profile.nature: unknown variant `optional`, expected one of"
        )),
        "{}",
        got[1]
    );
    assert_eq!(
        got[2],
        format!(
            "soc2.toml:{}:1: profile.structure.size: unknown field `size`, expected `summary` or `elements`",
            structure + 1
        )
    );
    assert_eq!(
        got[3],
        format!(
            "soc2.toml:{}:13: profile.timeline[1].min_weeks: invalid type: string \"four\", expected u32",
            second_phase + 1
        )
    );
}

#[test]
fn a_missing_header_field_and_a_bad_kind_are_reported_together() {
    assert_eq!(
        rendered("x.toml", "kind = 3\n[framework]\n"),
        [
            "x.toml:1:1: missing field `version`",
            "x.toml:1:8: kind: invalid type: integer `3`, expected a string",
        ]
    );
}

#[test]
fn a_huge_item_with_many_problems_is_read_in_bounded_time() {
    // One requirement with 200 000 bad attribute values: the repeated reads stop early.
    let values = vec!["1"; 200_000].join(", ");
    let text = GOOD.replace(
        "assessable = false",
        &format!("assessable = false\nattributes = {{ a = [{values}] }}"),
    );
    let diags =
        crosswalk_testkit::hostile::bounded(move || parse_file("x.toml", &text)).unwrap_err();
    assert!((2..=1024).contains(&diags.len()), "{}", diags.len());
    assert!(
        diags[0]
            .to_string()
            .starts_with("x.toml:18:21: requirements[0].attributes.a[0]: invalid type: integer `1`, expected a string"),
        "{}",
        diags[0]
    );
}

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../library/data")
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// What the parser gave when it read a whole file in one serde pass.
fn one_pass(text: &str) -> LibraryFile {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct File {
        kind: String,
        version: i64,
        framework: Option<Spanned<FrameworkMeta>>,
        #[serde(default)]
        requirements: Vec<Requirement>,
        profile: Option<Spanned<Profile>>,
        #[serde(default)]
        pairs: Vec<Spanned<PairNotes>>,
        mapping_set: Option<Spanned<MappingSetMeta>>,
        #[serde(default)]
        mappings: Vec<Spanned<Mapping>>,
    }
    let line = |offset: usize| text[..offset].matches('\n').count() + 1;
    let f: File = toml::from_str(text).unwrap();
    match f.kind.as_str() {
        "framework" => {
            let meta = f.framework.unwrap();
            let at = line(meta.span().start);
            LibraryFile::Framework(
                Framework::new(meta.into_inner(), f.requirements).unwrap(),
                at,
            )
        }
        "profile" => {
            let p = f.profile.unwrap();
            let at = line(p.span().start);
            LibraryFile::Profile(Box::new(p.into_inner()), at)
        }
        "comparisons" => LibraryFile::Comparisons(
            f.pairs
                .into_iter()
                .map(|p| (line(p.span().start), p.into_inner()))
                .map(|(at, p)| (p, at))
                .collect(),
        ),
        "mapping-set" => {
            let meta = f.mapping_set.unwrap();
            let at = line(meta.span().start);
            let lines = f.mappings.iter().map(|m| line(m.span().start)).collect();
            let mappings = f.mappings.into_iter().map(Spanned::into_inner).collect();
            LibraryFile::MappingSet(
                MappingSet::new(meta.into_inner(), mappings).unwrap(),
                at,
                lines,
            )
        }
        other => panic!("kind {other}"),
    }
}

#[test]
fn clean_files_parse_to_exactly_the_one_pass_value() {
    let mut paths = Vec::new();
    toml_files(&data(), &mut paths);
    assert!(paths.len() > 40, "{}", paths.len());
    for text in paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .chain([GOOD.to_owned(), MAPPING_SET.to_owned()])
    {
        assert_eq!(parse_file("x.toml", &text).unwrap(), one_pass(&text));
    }
}

#[test]
fn a_file_with_many_bad_items_is_read_in_bounded_time() {
    // 600 requirements with 100 unknown fields each: the first ones report all their
    // problems; once the file's budget is spent, the others report their first.
    let fields: String = (0..100).map(|i| format!("f{i:03} = 1\n")).collect();
    let mut text = GOOD[..GOOD.find("[[requirements]]").unwrap()].to_owned();
    for i in 0..600 {
        text.push_str(&format!(
            "[[requirements]]\nid = \"R{i}\"\ntitle = \"t\"\nkind = \"control\"\nassessable = true\n{fields}\n"
        ));
    }
    let started = std::time::Instant::now();
    let diags =
        crosswalk_testkit::hostile::bounded(move || parse_file("x.toml", &text)).unwrap_err();
    let elapsed = started.elapsed();
    let items: std::collections::BTreeSet<&str> = diags
        .iter()
        .map(|d| d.field.split('.').next().unwrap())
        .collect();
    assert_eq!(items.len(), 600);
    assert!(
        diags[..100]
            .iter()
            .all(|d| d.field.starts_with("requirements[0].f"))
    );
    assert!(
        diags.len() > 10_000 && diags.len() < 60_000,
        "{}",
        diags.len()
    );
    println!("{} diagnostics in {elapsed:?}", diags.len());
}
