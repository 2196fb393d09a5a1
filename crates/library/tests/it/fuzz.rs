//! Bounded fuzzing of library loading: a small valid user library (two frameworks, a
//! profile, a mapping set between them) with one file randomly mutated (byte flips,
//! truncation, duplicated and deleted slices, inserted nesting and stray tokens, ids
//! swapped) must load or fail with diagnostics naming that file, never panic.

use std::path::Path;

use crosswalk_format::Loaded;
use crosswalk_testkit::fuzz::{Mix, Mutation, Mutator, TOML_TOKENS, config};
use proptest::prelude::*;

/// The text of a mapping-set file from framework `from` to `to`, with mappings given as
/// (from, to, relationship, strength).
fn mapping_set_file(from: &str, to: &str, mappings: &[(&str, &str, &str, Option<u8>)]) -> String {
    let mut text = format!(
        "kind = \"mapping-set\"\nversion = 1\n\n[mapping_set]\nid = \"{from}--{to}\"\nfrom = \"{from}\"\nto = \"{to}\"\ntitle = \"{from} to {to}\"\nprovenance = \"curated\"\npublisher = \"crosswalk\"\nsource = \"test\"\nmethod = \"by hand\"\nreview = \"none\"\n"
    );
    for (f, t, relationship, strength) in mappings {
        text.push_str(&format!(
            "\n[[mappings]]\nfrom = \"{f}\"\nto = \"{t}\"\nrelationship = \"{relationship}\"\n"
        ));
        if let Some(strength) = strength {
            text.push_str(&format!("strength = {strength}\n"));
        }
    }
    text
}

/// The profile of the built-in CIS Controls, moved to the `acme` family.
fn profile() -> String {
    let text = include_str!("../../data/profiles/cis-controls.toml");
    let mut out = String::new();
    for line in text.lines() {
        let line = if line.starts_with("family = ") {
            "family = \"acme\""
        } else if line.starts_with("related = ") {
            "related = [\"beta\"]"
        } else {
            line
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Text inserted at random places, besides TOML's syntax.
const TOKENS: &[&str] = &[
    "\n[[requirements]]\nid = \"A.1\"\ntitle = \"t\"\nsummary = \"s\"\nkind = \"control\"\nassessable = true\n",
    "\n[[mappings]]\nfrom = \"A.1\"\nto = \"Z-9\"\nrelationship = \"equal\"\n",
    "parent = \"A.1\"\n",
    "current = false\n",
    "acme-2024",
    "beta-1",
    "soc2-2017",
    "iso27001",
];

const IDS: &[&str] = &[
    "acme-2024",
    "beta-1",
    "acme",
    "beta",
    "A.1",
    "B-1",
    "A",
    "soc2",
];

const MUTATOR: Mutator = Mutator {
    tokens: &[TOML_TOKENS, TOKENS],
    nests: &[("[", "]")],
    names: IDS,
    mix: Mix {
        swap: 1,
        duplicate_len: 0..400,
        delete_len: 0..400,
        nest_depth: 1..1_000,
        ..Mix::EVEN
    },
};

/// The four files, the one at `target` mutated.
fn files(target: usize, mutations: &[Mutation]) -> Vec<(&'static str, String)> {
    let mut files = vec![
        (
            "acme.toml",
            super::framework_file(
                "acme-2024",
                "acme",
                &[("A", None, "group"), ("A.1", Some("A"), "control")],
            ),
        ),
        (
            "beta.toml",
            super::framework_file("beta-1", "beta", &[("B-1", None, "control")]),
        ),
        (
            "maps.toml",
            mapping_set_file("acme-2024", "beta-1", &[("A.1", "B-1", "subset", Some(6))]),
        ),
        ("profile.toml", profile()),
    ];
    let t = target % files.len();
    files[t].1 = MUTATOR.apply_str(&files[t].1, mutations);
    files
}

fn write(dir: &Path, files: &[(&str, String)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// The four files, one of them mutated.
fn mutated_files() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    (any::<usize>(), MUTATOR.mutations(1..5))
        .prop_map(|(target, mutations)| files(target, &mutations))
}

#[test]
fn the_unmutated_library_loads() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files(0, &[]));
    assert_eq!(crosswalk_library::validate_dir(dir.path()).unwrap(), vec![]);
}

proptest! {
    #![proptest_config(config(256))]

    /// Parsing and the cross-file checks of the user files on their own.
    #[test]
    fn mutated_user_files_parse_and_cross_check_or_fail_cleanly(files in mutated_files()) {
        let mut loaded = Loaded::default();
        let mut diags = Vec::new();
        for (name, text) in files {
            match crosswalk_format::parse_file(name, &text) {
                Ok(file) => loaded.add(name, file),
                Err(d) => diags.extend(d),
            }
        }
        if diags.is_empty()
            && let Err(d) = loaded.into_library()
        {
            diags = d;
            prop_assert!(!diags.is_empty());
        }
        for d in &diags {
            prop_assert!(d.file.ends_with(".toml") || d.file == "<library>", "{}", d);
        }
    }
}

proptest! {
    // Each case loads the built-in library too (about 50 ms in a debug build).
    #![proptest_config(config(48))]

    /// The same files loaded on top of the built-in library.
    #[test]
    fn mutated_user_libraries_load_or_fail_cleanly(files in mutated_files()) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &files);
        let diags = crosswalk_library::validate_dir(dir.path()).unwrap();
        for d in &diags {
            prop_assert!(!d.message.is_empty(), "{}", d);
        }
    }
}
