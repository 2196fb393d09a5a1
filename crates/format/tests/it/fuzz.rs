//! Bounded fuzzing of the library-file parser: real small files, randomly mutated
//! (byte flips, truncation, duplicated and deleted slices, inserted deep nesting and
//! stray tokens), must parse or fail with diagnostics, never panic.

use crosswalk_format::parse_file;
use crosswalk_testkit::fuzz::{Mix, Mutator, TOML_TOKENS, config};
use proptest::prelude::*;

use super::{GOOD, MAPPING_SET};

/// Text inserted at random places, besides TOML's syntax.
const TOKENS: &[&str] = &[
    "\n[[requirements]]\nid = \"A\"\n",
    "\n[[mappings]]\nfrom = \"A.1\"\nto = \"A.1\"\n",
    "parent = \"A.1\"\n",
    "kind = \"profile\"\n",
    "version = 2\n",
    "strength = 99999999999999999999\n",
    "x = 1979-05-27T07:32:00Z\n",
];

const MUTATOR: Mutator = Mutator {
    tokens: &[TOML_TOKENS, TOKENS],
    nests: &[("[", "]"), ("{a=", "}")],
    names: &[],
    mix: Mix::EVEN,
};

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_library_files_parse_or_fail_cleanly(
        seed in prop::sample::select(vec![GOOD, MAPPING_SET]),
        mutations in MUTATOR.mutations(1..6),
    ) {
        let text = MUTATOR.apply_str(seed, &mutations);
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
