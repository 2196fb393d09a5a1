//! Bounded fuzzing by mutation: a small valid seed document changed by a few random
//! [`Mutation`]s (byte flips, truncation, duplicated and deleted slices, inserted tokens
//! and deep nesting, names swapped), for a parser to read or refuse, never panic on.
//!
//! What a format's mutations insert and swap, and how often each kind is drawn, is a
//! [`Mutator`]; each crate's fuzz tests declare theirs as a constant.

use std::ops::Range;

use proptest::prelude::*;
use proptest::strategy::Union;

/// One change to a seed document. Positions and lengths are reduced to the document as it
/// is when the change is applied, and indexes to the [`Mutator`]'s lists, so that every
/// value applies to every seed.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// XORs the byte at a position with a value.
    Flip(usize, u8),
    /// Cuts the document at a position.
    Truncate(usize),
    /// Copies up to `n` bytes from the first position to the last: `(from, n, to)`.
    Duplicate(usize, usize, usize),
    /// Removes up to `n` bytes from a position: `(at, n)`.
    Delete(usize, usize),
    /// Inserts one of the [`Mutator::tokens`]: `(at, token)`.
    Insert(usize, usize),
    /// Inserts one of the [`Mutator::nests`] nested `n` deep: `(at, n, pair)`.
    Nest(usize, usize, usize),
    /// Replaces every quoted occurrence of one of the [`Mutator::names`] with another,
    /// across the document.
    Swap(usize, usize),
}

/// How often each kind of [`Mutation`] is drawn (relative weights, 0 for never) and the
/// sizes drawn for it.
#[derive(Debug, Clone)]
pub struct Mix {
    pub flip: u32,
    pub truncate: u32,
    pub duplicate: u32,
    pub delete: u32,
    pub insert: u32,
    pub nest: u32,
    pub swap: u32,
    /// How many bytes one [`Mutation::Duplicate`] copies (fewer at the document's end).
    pub duplicate_len: Range<usize>,
    /// How many bytes one [`Mutation::Delete`] removes (fewer at the document's end).
    pub delete_len: Range<usize>,
    /// How deep one [`Mutation::Nest`] nests.
    pub nest_depth: Range<usize>,
}

impl Mix {
    /// Every kind but [`Mutation::Swap`] alike; slices of under 200 bytes, nesting under
    /// 2,000 deep.
    pub const EVEN: Self = Self {
        flip: 1,
        truncate: 1,
        duplicate: 1,
        delete: 1,
        insert: 1,
        nest: 1,
        swap: 0,
        duplicate_len: 0..200,
        delete_len: 0..200,
        nest_depth: 1..2_000,
    };

    /// One mutation, drawn by the weights (kinds of weight 0 never).
    pub fn mutation(&self) -> impl Strategy<Value = Mutation> + use<> {
        let kinds: Vec<(u32, BoxedStrategy<Mutation>)> = vec![
            (
                self.flip,
                (any::<usize>(), any::<u8>())
                    .prop_map(|(i, x)| Mutation::Flip(i, x))
                    .boxed(),
            ),
            (
                self.truncate,
                any::<usize>().prop_map(Mutation::Truncate).boxed(),
            ),
            (
                self.duplicate,
                (any::<usize>(), self.duplicate_len.clone(), any::<usize>())
                    .prop_map(|(i, n, at)| Mutation::Duplicate(i, n, at))
                    .boxed(),
            ),
            (
                self.delete,
                (any::<usize>(), self.delete_len.clone())
                    .prop_map(|(i, n)| Mutation::Delete(i, n))
                    .boxed(),
            ),
            (
                self.insert,
                (any::<usize>(), any::<usize>())
                    .prop_map(|(at, t)| Mutation::Insert(at, t))
                    .boxed(),
            ),
            (
                self.nest,
                (any::<usize>(), self.nest_depth.clone(), any::<usize>())
                    .prop_map(|(at, n, k)| Mutation::Nest(at, n, k))
                    .boxed(),
            ),
            (
                self.swap,
                (any::<usize>(), any::<usize>())
                    .prop_map(|(x, y)| Mutation::Swap(x, y))
                    .boxed(),
            ),
        ];
        Union::new_weighted(kinds.into_iter().filter(|(w, _)| *w > 0).collect())
    }
}

/// What a format's mutations insert and swap, and how they are drawn.
#[derive(Debug, Clone)]
pub struct Mutator {
    /// Text [`Mutation::Insert`] inserts (stray syntax, odd characters, fragments), in
    /// lists drawn from as one: a shared one such as [`TOML_TOKENS`] and the format's own.
    pub tokens: &'static [&'static [&'static str]],
    /// Open and close pairs [`Mutation::Nest`] nests.
    pub nests: &'static [(&'static str, &'static str)],
    /// Names (ids, references) [`Mutation::Swap`] swaps, where they stand in quotes.
    pub names: &'static [&'static str],
    pub mix: Mix,
}

impl Mutator {
    /// A list of mutations of a length in `count`.
    pub fn mutations(&self, count: Range<usize>) -> impl Strategy<Value = Vec<Mutation>> + use<> {
        prop::collection::vec(self.mix.mutation(), count)
    }

    /// `seed` with `mutations` applied in order.
    pub fn apply(&self, seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
        let mut b = seed.to_vec();
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
                    let mut tokens = self.tokens.iter().flat_map(|list| list.iter());
                    let count = tokens.clone().count();
                    if let Some(token) = tokens.nth(t % count.max(1)) {
                        let at = at % (b.len() + 1);
                        b.splice(at..at, token.bytes());
                    }
                }
                Mutation::Nest(at, n, k) if !self.nests.is_empty() => {
                    let at = at % (b.len() + 1);
                    let (open, close) = self.nests[k % self.nests.len()];
                    let deep = format!("{}{}", open.repeat(n), close.repeat(n));
                    b.splice(at..at, deep.bytes());
                }
                Mutation::Swap(x, y) if !self.names.is_empty() => {
                    let name = |i: usize| format!("\"{}\"", self.names[i % self.names.len()]);
                    b = String::from_utf8_lossy(&b)
                        .replace(&name(x), &name(y))
                        .into_bytes();
                }
                _ => {}
            }
        }
        b
    }

    /// [`Mutator::apply`] to text, giving text (invalid UTF-8 replaced, as a reader of
    /// text would see it).
    pub fn apply_str(&self, seed: &str, mutations: &[Mutation]) -> String {
        String::from_utf8_lossy(&self.apply(seed.as_bytes(), mutations)).into_owned()
    }
}

/// Stray TOML syntax and odd characters, to insert into TOML files.
pub const TOML_TOKENS: &[&str] = &[
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
    "\u{1b}[2J",
    "é",
];

/// The configuration of a fuzz test: `cases` cases, no regression files written.
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Mutator = Mutator {
        tokens: &[&[], &["<t>"]],
        nests: &[("(", ")")],
        names: &["a", "b"],
        mix: Mix::EVEN,
    };

    #[test]
    fn each_mutation_changes_the_seed_as_documented() {
        let apply = |m: Mutation| M.apply_str(r#"x "a" y"#, &[m]);
        assert_eq!(apply(Mutation::Flip(7, 1)), r#"y "a" y"#);
        assert_eq!(apply(Mutation::Truncate(5)), r#"x "a""#);
        assert_eq!(apply(Mutation::Duplicate(2, 3, 0)), r#""a"x "a" y"#);
        assert_eq!(apply(Mutation::Delete(1, 99)), "x");
        assert_eq!(apply(Mutation::Insert(3, 5)), r#"x "<t>a" y"#);
        assert_eq!(apply(Mutation::Nest(0, 2, 7)), r#"(())x "a" y"#);
        assert_eq!(apply(Mutation::Swap(0, 3)), r#"x "b" y"#);
        assert_eq!(
            M.apply(b"", &[Mutation::Flip(0, 1), Mutation::Delete(0, 1)]),
            b""
        );
        let none = Mutator {
            tokens: &[&[]],
            names: &[],
            ..M
        };
        assert_eq!(
            none.apply_str("x", &[Mutation::Insert(0, 0), Mutation::Swap(0, 1)]),
            "x"
        );
    }

    #[test]
    fn kinds_of_weight_0_are_never_drawn() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let strategy = M.mutations(1..6);
        for _ in 0..1_000 {
            let ms = strategy.new_tree(&mut runner).unwrap().current();
            assert!((1..6).contains(&ms.len()));
            assert!(
                !ms.iter().any(|m| matches!(m, Mutation::Swap(..))),
                "{ms:?}"
            );
        }
    }
}
