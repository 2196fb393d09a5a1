//! Reading a library file item by item, so that one bad item does not hide the problems
//! of the others, and finding every problem of a bad item.
//!
//! The text is parsed once into a spanned TOML document (broken syntax stops there: TOML
//! gives one error for it). Each top-level table and each element of a top-level array
//! (each `[[requirements]]`, each `[[mappings]]` …) is then deserialised on its own. That
//! is the whole cost of a file without problems.
//!
//! An item that fails is read again from a second parse of the text, repeatedly, each
//! time past the problem just found, until it deserialises (or a budget runs out):
//!
//! - an unknown field is dropped, and so is a bad value (a bad array element drops from
//!   its array);
//! - a field that is missing, or whose bad value was dropped, gets a stand-in value
//!   (a string, a number, `false`, an empty array or table, an enum's first variant …,
//!   whichever its type takes). Stand-ins have spans past the end of the text, so their
//!   own errors are never reported, and a missing field caused by a drop is not either.
//!
//! Serde stops at the first error of a table but reports its missing fields only after
//! reading all its entries, so this finds every unknown field, every bad value and every
//! missing field of the item.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeArray, DeString, DeTable, DeValue, ValueDeserializer};

use crate::{Diagnostic, Locator};

type Value<'i> = Spanned<DeValue<'i>>;

/// How many TOML nodes (tables, arrays, scalars) the repeated reads of the bad items of
/// one file may visit in total, so a file with many problems is still read in bounded time
/// (about a second, or a tenth in a release build). Past it, a bad item reports its first
/// problem only.
const NODE_BUDGET: usize = 1 << 22;
/// How many times one bad item may be read.
const MAX_TRIES: usize = 1024;

/// Stand-in values, tried in turn until the field's type takes one.
const STAND_INS: [&str; 7] = ["\"x\"", "1", "false", "[]", "{}", "1.5", "2000-01-01"];

/// One step of a path into a TOML value.
enum Step {
    Key(String),
    Index(usize),
}

/// The dotted field path of `path` below `base`, e.g. `requirements[1].attributes.role`.
fn field_name(base: &str, path: &[Step]) -> String {
    let mut out = base.to_owned();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn within(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end && outer.start < outer.end
}

/// The path from `v` to the key, value or table that `span` points at: the deepest node
/// whose span is `span`, else the deepest that contains it. Keys count as their entry.
fn find_path(v: &Value<'_>, span: &Range<usize>) -> Option<Vec<Step>> {
    fn walk(v: &Value<'_>, span: &Range<usize>, exact: bool, path: &mut Vec<Step>) -> bool {
        let hit = |s: Range<usize>| if exact { s == *span } else { within(&s, span) };
        match v.get_ref() {
            DeValue::Table(t) => {
                for (k, child) in t.iter() {
                    path.push(Step::Key(k.get_ref().to_string()));
                    if hit(k.span()) || walk(child, span, exact, path) {
                        return true;
                    }
                    path.pop();
                }
            }
            DeValue::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    path.push(Step::Index(i));
                    if walk(child, span, exact, path) {
                        return true;
                    }
                    path.pop();
                }
            }
            _ => {}
        }
        hit(v.span())
    }
    [true, false].into_iter().find_map(|exact| {
        let mut path = Vec::new();
        walk(v, span, exact, &mut path).then_some(path)
    })
}

/// How many nodes `v` has.
fn size(v: &Value<'_>) -> usize {
    1 + match v.get_ref() {
        DeValue::Table(t) => t.iter().map(|(_, c)| size(c)).sum(),
        DeValue::Array(a) => a.iter().map(size).sum(),
        _ => 0,
    }
}

/// The node at `path` in `v`.
fn node_at<'v, 'i>(v: &'v mut Value<'i>, path: &[Step]) -> Option<&'v mut Value<'i>> {
    let mut node = v;
    for step in path {
        node = match (node.get_mut(), step) {
            (DeValue::Table(t), Step::Key(k)) => t.get_mut(k.as_str())?,
            (DeValue::Array(a), Step::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Removes the node at `path` (not empty) from `v`. Returns whether it was removed and,
/// when it was an entry of a table, that table's span and the key.
fn remove_at(v: &mut Value<'_>, path: &[Step]) -> Option<Option<(Range<usize>, String)>> {
    let (last, parents) = path.split_last()?;
    let node = node_at(v, parents)?;
    let span = node.span();
    match (node.get_mut(), last) {
        (DeValue::Table(t), Step::Key(k)) => {
            t.remove(k.as_str())?;
            Some(Some((span, k.clone())))
        }
        (DeValue::Array(a), Step::Index(i)) if *i < a.len() => {
            let items = std::mem::replace(a, DeArray::new());
            *a = items
                .into_iter()
                .enumerate()
                .filter(|(j, _)| j != i)
                .map(|(_, item)| item)
                .collect();
            Some(None)
        }
        _ => None,
    }
}

/// The first variant an `unknown variant` message offers.
fn first_variant(message: &str) -> Option<&str> {
    let (_, expected) = message.split_once(", expected ")?;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    expected.strip_prefix('`')?.split('`').next()
}

/// The stand-ins put into one item, each at the span `first + its index`.
struct StandIns {
    first: usize,
    /// For each stand-in, which of [`STAND_INS`] it is now.
    tried: Vec<usize>,
}

impl StandIns {
    fn is_stand_in(&self, span: &Range<usize>) -> bool {
        span.start >= self.first
    }

    fn value<'i>(&self, n: usize, choice: usize) -> Option<Value<'i>> {
        let text = STAND_INS.get(choice)?;
        let value = DeValue::parse(text).ok()?.into_inner();
        Some(Spanned::new(self.first + n..self.first + n + 1, value))
    }

    /// A new stand-in value.
    fn add<'i>(&mut self) -> Option<Value<'i>> {
        self.tried.push(0);
        self.value(self.tried.len() - 1, 0)
    }

    /// The stand-in at `span` replaced by the next one to try: the variant the `message`
    /// of its error offers, else the next of [`STAND_INS`].
    fn next<'i>(&mut self, span: &Range<usize>, message: &str) -> Option<Value<'i>> {
        let n = span.start.checked_sub(self.first)?;
        if let Some(variant) = message
            .starts_with("unknown variant")
            .then(|| first_variant(message))
            .flatten()
        {
            let span = self.first + n..self.first + n + 1;
            return Some(Spanned::new(
                span,
                DeValue::String(DeString::Owned(variant.to_owned())),
            ));
        }
        let tried = self.tried.get_mut(n)?;
        *tried += 1;
        let choice = *tried;
        self.value(n, choice)
    }
}

/// Every problem that deserialising `item` as a `T` runs into, each located and named
/// below `base` (the field path of `item`). Empty when `item` deserialises or the budget
/// does not allow a read.
/// Each read costs `budget` the size of the item; none is made that `budget` cannot pay.
fn collect_errors<T: DeserializeOwned>(
    loc: &Locator<'_>,
    base: &str,
    item: &Value<'_>,
    budget: &mut usize,
) -> Vec<Diagnostic> {
    let cost = size(item);
    let tries = (*budget / cost).min(MAX_TRIES);
    let mut work = item.clone();
    let mut stand_ins = StandIns {
        first: loc.text.len() + 1,
        tried: Vec::new(),
    };
    let mut dropped: Vec<(Range<usize>, String)> = Vec::new();
    let mut diags = Vec::new();
    for _ in 0..tries {
        *budget -= cost;
        let Err(e) = T::deserialize(ValueDeserializer::from(work.clone())) else {
            break;
        };
        let span = e.span().unwrap_or_else(|| work.span());
        let message = e.message().trim();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'));
        let Some(path) = find_path(&work, &span) else {
            break;
        };
        let done = match missing {
            // A table (perhaps a stand-in) lacks a field: give it a stand-in.
            Some(field) => {
                let dropped_here = dropped.iter().any(|(s, k)| *s == span && k == field);
                if !stand_ins.is_stand_in(&span) && !dropped_here {
                    diags.push(loc.at(span.start, Some(field_of(base, item, &span)), message));
                }
                let key = Spanned::new(usize::MAX..usize::MAX, DeString::Owned(field.to_owned()));
                match (
                    node_at(&mut work, &path).map(Spanned::get_mut),
                    stand_ins.add(),
                ) {
                    (Some(DeValue::Table(t)), Some(value)) => t.insert(key, value).is_some(),
                    _ => true,
                }
            }
            // A stand-in the field's type does not take: try the next.
            None if stand_ins.is_stand_in(&span) => {
                match (node_at(&mut work, &path), stand_ins.next(&span, message)) {
                    (Some(node), Some(value)) => {
                        *node = value;
                        false
                    }
                    _ => true,
                }
            }
            // A problem of the text: report it and drop what it is about.
            None => {
                diags.push(loc.at(span.start, Some(field_of(base, item, &span)), message));
                match remove_at(&mut work, &path) {
                    Some(Some(entry)) => {
                        dropped.push(entry);
                        false
                    }
                    Some(None) => false,
                    None => true,
                }
            }
        };
        if done {
            break;
        }
    }
    diags
}

/// The field path of what `span` points at in `item`, below `base`.
fn field_of(base: &str, item: &Value<'_>, span: &Range<usize>) -> String {
    find_path(item, span).map_or_else(|| base.to_owned(), |p| field_name(base, &p))
}

/// One element of a top-level array: its span and the element, or (when it does not
/// deserialise, its problems already reported) its TOML value if one could be had.
pub(crate) struct Element<'i, T> {
    pub(crate) span: Range<usize>,
    pub(crate) value: Result<T, Option<Value<'i>>>,
}

/// Where to read a failed item again from.
enum Again<'k, 'i> {
    /// A copy made beforehand.
    Copy(Value<'i>),
    /// The top-level entry `key` (element `index` of it) of a second parse of the text.
    Entry(&'k str, Option<usize>),
}

/// Reads the top-level entries of one parsed file, collecting diagnostics.
pub(crate) struct Reader<'a, 'i> {
    loc: &'a Locator<'a>,
    text: &'i str,
    span: Range<usize>,
    /// The top-level entries not read yet.
    entries: Vec<(Spanned<DeString<'i>>, Value<'i>)>,
    /// A second parse of the text, made when an item fails, to read it again from.
    fresh: Option<Option<DeTable<'i>>>,
    /// What is left of [`NODE_BUDGET`].
    budget: usize,
    diags: Vec<Diagnostic>,
}

impl<'a, 'i> Reader<'a, 'i> {
    /// Parses `text`; a syntax error is the one diagnostic.
    pub(crate) fn parse(loc: &'a Locator<'a>, text: &'i str) -> Result<Self, Vec<Diagnostic>> {
        let root = DeTable::parse(text).map_err(|e| vec![loc.toml_error(&e)])?;
        let span = root.span();
        let mut entries: Vec<_> = root.into_inner().into_iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        Ok(Self {
            loc,
            text,
            span,
            entries,
            fresh: None,
            budget: NODE_BUDGET,
            diags: Vec::new(),
        })
    }

    /// The diagnostics so far, in the order of the text.
    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        let mut diags = self.diags;
        diags.sort_by_key(|d| (d.line, d.column));
        diags
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.diags.is_empty()
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn take(&mut self, key: &str) -> Option<Value<'i>> {
        let at = self.entries.iter().position(|(k, _)| k.get_ref() == key)?;
        Some(self.entries.remove(at).1)
    }

    /// The top-level fields `fields` (all optional, other entries left alone) as a `T`.
    pub(crate) fn fields<T: DeserializeOwned>(&mut self, fields: &[&str]) -> Option<T> {
        let mut table = DeTable::new();
        for field in fields {
            if let Some(at) = self.entries.iter().position(|(k, _)| k.get_ref() == field) {
                let (k, v) = self.entries.remove(at);
                table.insert(k, v);
            }
        }
        let value = Spanned::new(self.span.clone(), DeValue::Table(table));
        let copy = value.clone();
        self.read(value, "", Again::Copy(copy))
    }

    /// The required top-level table `key` as a `T`, with its span.
    pub(crate) fn item<T: DeserializeOwned>(&mut self, key: &str) -> Option<(T, Range<usize>)> {
        let Some(value) = self.take(key) else {
            self.diags.push(self.loc.at(
                self.span.start,
                Some(String::new()),
                format!("missing field `{key}`"),
            ));
            return None;
        };
        let span = value.span();
        self.read(value, key, Again::Entry(key, None))
            .map(|t| (t, span))
    }

    /// The optional top-level array `key`, each element read on its own.
    pub(crate) fn list<T: DeserializeOwned>(&mut self, key: &str) -> Vec<Element<'i, T>> {
        let Some(value) = self.take(key) else {
            return Vec::new();
        };
        let span = value.span();
        let items = match value.into_inner() {
            DeValue::Array(items) => items,
            other => {
                // Not an array: the error deserialising it as one says so.
                let value = Spanned::new(span, other);
                let _: Option<Vec<T>> = self.read(value, key, Again::Entry(key, None));
                return Vec::new();
            }
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let span = item.span();
                let value = match T::deserialize(ValueDeserializer::from(item)) {
                    Ok(t) => Ok(t),
                    Err(e) => {
                        Err(self.report::<T>(e, &format!("{key}[{i}]"), Again::Entry(key, Some(i))))
                    }
                };
                Element { span, value }
            })
            .collect()
    }

    /// Reports every top-level entry not read yet as an unknown field of a file with
    /// `fields`.
    pub(crate) fn unknown_fields(&mut self, fields: &'static [&'static str]) {
        for (k, _) in std::mem::take(&mut self.entries) {
            let message =
                <serde::de::value::Error as serde::de::Error>::unknown_field(k.get_ref(), fields);
            self.diags.push(self.loc.at(
                k.span().start,
                Some(k.get_ref().to_string()),
                message.to_string(),
            ));
        }
    }

    fn fresh(&mut self, key: &str, index: Option<usize>) -> Option<Value<'i>> {
        let text = self.text;
        let root = self
            .fresh
            .get_or_insert_with(|| DeTable::parse(text).ok().map(Spanned::into_inner))
            .as_mut()?;
        let mut value = root.get_mut(key)?;
        if let Some(i) = index {
            value = match value.get_mut() {
                DeValue::Array(a) => a.get_mut(i)?,
                _ => return None,
            };
        }
        let placeholder = Spanned::new(0..0, DeValue::Boolean(false));
        Some(std::mem::replace(value, placeholder))
    }

    fn read<T: DeserializeOwned>(
        &mut self,
        value: Value<'i>,
        base: &str,
        again: Again<'_, 'i>,
    ) -> Option<T> {
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(t) => Some(t),
            Err(e) => {
                self.report::<T>(e, base, again);
                None
            }
        }
    }

    /// Reports every problem of an item that failed with `first`, reading it again from
    /// a second copy. Returns that copy.
    fn report<T: DeserializeOwned>(
        &mut self,
        first: toml::de::Error,
        base: &str,
        again: Again<'_, 'i>,
    ) -> Option<Value<'i>> {
        let copy = match again {
            Again::Copy(copy) => Some(copy),
            Again::Entry(key, index) => self.fresh(key, index),
        };
        let diags = copy
            .as_ref()
            .map(|item| collect_errors::<T>(self.loc, base, item, &mut self.budget))
            .unwrap_or_default();
        if diags.is_empty() {
            let offset = first.span().map_or(self.span.start, |s| s.start);
            self.diags.push(
                self.loc
                    .at(offset, Some(base.to_owned()), first.message().trim()),
            );
        } else {
            self.diags.extend(diags);
        }
        copy
    }
}

/// Reads `key` of a failed item's table as a `T`, if it is there and valid.
pub(crate) fn salvage<T: DeserializeOwned>(item: &Value<'_>, key: &str) -> Option<T> {
    match item.get_ref() {
        DeValue::Table(t) => T::deserialize(ValueDeserializer::from(t.get(key)?.clone())).ok(),
        _ => None,
    }
}
