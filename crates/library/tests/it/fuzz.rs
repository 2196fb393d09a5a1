//! Bounded fuzzing of library loading: a small valid user library (two frameworks, a
//! profile, a mapping set between them) with one file randomly mutated (byte flips,
//! truncation, duplicated and deleted slices, inserted nesting and stray tokens, ids
//! swapped) must load or fail with diagnostics naming that file, never panic.

use std::path::Path;

use crosswalk_format::Loaded;
use proptest::prelude::*;

const ACME: &str = r#"kind = "framework"
version = 1

[framework]
id = "acme-2024"
family = "acme"
current = true
name = "ACME Baseline 2024"
version = "2024"
publisher = "ACME Corp"

[[requirements]]
id = "A"
title = "Access"
summary = "Access control."
kind = "group"
assessable = false

[[requirements]]
id = "A.1"
parent = "A"
title = "Access reviews"
summary = "Review who can reach production every quarter."
kind = "control"
assessable = true
"#;

const BETA: &str = r#"kind = "framework"
version = 1

[framework]
id = "beta-1"
family = "beta"
current = true
name = "Beta 1"
version = "1"
publisher = "Beta"

[[requirements]]
id = "B-1"
title = "Reviews"
summary = "Review access."
kind = "control"
assessable = true
"#;

const MAPPINGS: &str = r#"kind = "mapping-set"
version = 1

[mapping_set]
id = "acme-2024--beta-1"
from = "acme-2024"
to = "beta-1"
title = "ACME to Beta"
provenance = "curated"
publisher = "crosswalk"
source = "test"
method = "by hand"
review = "none"

[[mappings]]
from = "A.1"
to = "B-1"
relationship = "subset"
strength = 6
"#;

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

const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"",
    "=",
    "\n",
    "#",
    "\u{0}",
    "\u{1b}[2J",
    "\n[[requirements]]\nid = \"A.1\"\ntitle = \"t\"\nsummary = \"s\"\nkind = \"control\"\nassessable = true\n",
    "\n[[mappings]]\nfrom = \"A.1\"\nto = \"Z-9\"\nrelationship = \"equal\"\n",
    "parent = \"A.1\"\n",
    "current = false\n",
    "acme-2024",
    "beta-1",
    "soc2-2017",
    "iso27001",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Duplicate(usize, usize, usize),
    Delete(usize, usize),
    Insert(usize, usize),
    Nest(usize, usize),
    /// Replaces every occurrence of one id with another, across the file.
    Swap(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0..400usize, any::<usize>())
            .prop_map(|(i, n, at)| Mutation::Duplicate(i, n, at)),
        (any::<usize>(), 0..400usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, t)| Mutation::Insert(at, t)),
        (any::<usize>(), 1..1_000usize).prop_map(|(at, n)| Mutation::Nest(at, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
    ]
}

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

fn apply(seed: &str, mutations: &[Mutation]) -> String {
    let mut b = seed.as_bytes().to_vec();
    for m in mutations {
        let len = b.len().max(1);
        match *m {
            Mutation::Flip(i, x) if !b.is_empty() => b[i % len] ^= x,
            Mutation::Truncate(i) => b.truncate(i % len),
            Mutation::Duplicate(i, n, at) if !b.is_empty() => {
                let start = i % len;
                let end = (start + n).min(b.len());
                let slice = b[start..end].to_vec();
                let at = at % (b.len() + 1);
                b.splice(at..at, slice);
            }
            Mutation::Delete(i, n) if !b.is_empty() => {
                let start = i % len;
                let end = (start + n).min(b.len());
                b.drain(start..end);
            }
            Mutation::Insert(at, t) => {
                let at = at % (b.len() + 1);
                b.splice(at..at, TOKENS[t % TOKENS.len()].bytes());
            }
            Mutation::Nest(at, n) => {
                let at = at % (b.len() + 1);
                let deep = format!("{}{}", "[".repeat(n), "]".repeat(n));
                b.splice(at..at, deep.bytes());
            }
            Mutation::Swap(x, y) => {
                let text = String::from_utf8_lossy(&b).replace(
                    &format!("\"{}\"", IDS[x % IDS.len()]),
                    &format!("\"{}\"", IDS[y % IDS.len()]),
                );
                b = text.into_bytes();
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// The four files, the one at `target` mutated.
fn files(target: usize, mutations: &[Mutation]) -> Vec<(&'static str, String)> {
    let mut files = vec![
        ("acme.toml", ACME.to_owned()),
        ("beta.toml", BETA.to_owned()),
        ("maps.toml", MAPPINGS.to_owned()),
        ("profile.toml", profile()),
    ];
    let t = target % files.len();
    files[t].1 = apply(&files[t].1, mutations);
    files
}

fn write(dir: &Path, files: &[(&str, String)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn the_unmutated_library_loads() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files(0, &[]));
    assert_eq!(crosswalk_library::validate_dir(dir.path()).unwrap(), vec![]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Parsing and the cross-file checks of the user files on their own.
    #[test]
    fn mutated_user_files_parse_and_cross_check_or_fail_cleanly(
        target in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mut loaded = Loaded::default();
        let mut diags = Vec::new();
        for (name, text) in files(target, &mutations) {
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
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// The same files loaded on top of the built-in library.
    #[test]
    fn mutated_user_libraries_load_or_fail_cleanly(
        target in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &files(target, &mutations));
        let diags = crosswalk_library::validate_dir(dir.path()).unwrap();
        for d in &diags {
            prop_assert!(!d.message.is_empty(), "{}", d);
        }
    }
}
