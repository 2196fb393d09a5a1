//! Bounded fuzzing of the library-file parser: real small files, randomly mutated
//! (byte flips, truncation, duplicated and deleted slices, inserted deep nesting and
//! stray tokens), must parse or fail with diagnostics, never panic.

use proptest::prelude::*;

use crosswalk_format::parse_file;

const FRAMEWORK: &str = super::GOOD;

const MAPPING_SET: &str = r#"kind = "mapping-set"
version = 1

[mapping_set]
id = "acme-2024--other-1"
from = "acme-2024"
to = "other-1"
title = "ACME to Other"
provenance = "curated"
publisher = "crosswalk"
source = "test"
method = "by hand"
review = "none"

[[mappings]]
from = "A.1"
to = "X-1"
relationship = "subset"
strength = 6

[[mappings]]
from = "A.2"
to = "X-2"
relationship = "intersects"
"#;

/// Text inserted at random places.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'''",
    "\"\"\"",
    "=",
    "\n",
    "#",
    "\\u{0}",
    "\u{0}",
    "\u{feff}",
    "é",
    "\n[[requirements]]\nid = \"A\"\n",
    "\n[[mappings]]\nfrom = \"A.1\"\nto = \"A.1\"\n",
    "parent = \"A.1\"\n",
    "kind = \"profile\"\n",
    "version = 2\n",
    "strength = 99999999999999999999\n",
    "x = 1979-05-27T07:32:00Z\n",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Duplicate(usize, usize, usize),
    Delete(usize, usize),
    Insert(usize, usize),
    Nest(usize, usize, bool),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0..200usize, any::<usize>())
            .prop_map(|(i, n, at)| Mutation::Duplicate(i, n, at)),
        (any::<usize>(), 0..200usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, t)| Mutation::Insert(at, t)),
        (any::<usize>(), 1..2_000usize, any::<bool>())
            .prop_map(|(at, n, table)| Mutation::Nest(at, n, table)),
    ]
}

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
            Mutation::Nest(at, n, table) => {
                let at = at % (b.len() + 1);
                let (open, close) = if table { ("{a=", "}") } else { ("[", "]") };
                let deep = format!("{}{}", open.repeat(n), close.repeat(n));
                b.splice(at..at, deep.bytes());
            }
            _ => {}
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_library_files_parse_or_fail_cleanly(
        seed in prop::sample::select(vec![FRAMEWORK, MAPPING_SET]),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let text = apply(seed, &mutations);
        match parse_file("x.toml", &text) {
            Ok(_) => {}
            Err(diags) => {
                prop_assert!(!diags.is_empty());
                for d in &diags {
                    prop_assert_eq!(&d.file, "x.toml");
                    prop_assert!(!d.message.is_empty());
                }
            }
        }
    }
}
