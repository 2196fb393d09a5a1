//! Declarative rules: conditions over an item's values, combined with all/any/not.

use std::fmt::Write as _;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::path::Path;

/// A condition as written in YAML: a leaf `{path, op, value, every}` or a combination.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCond {
    pub path: Option<String>,
    pub op: Option<String>,
    pub value: Option<Value>,
    #[serde(default)]
    pub every: bool,
    pub all: Option<Vec<RawCond>>,
    pub any: Option<Vec<RawCond>>,
    pub not: Option<Box<RawCond>>,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Leaf(Leaf),
}

#[derive(Debug, Clone)]
pub struct Leaf {
    path: Path,
    op: Op,
    every: bool,
}

#[derive(Debug, Clone)]
enum Op {
    Eq(Value),
    Ne(Value),
    In(Vec<Value>),
    NotIn(Vec<Value>),
    Gt(Value),
    Ge(Value),
    Lt(Value),
    Le(Value),
    Contains(Value),
    Matches(regex::Regex),
    Exists,
    Absent,
    Empty,
    NotEmpty,
    Truthy,
    Falsy,
    OlderThanDays(i64),
    NewerThanDays(i64),
    LenEq(u64),
    LenGe(u64),
    LenLe(u64),
}

/// The op names a leaf may use.
pub const OPS: &[&str] = &[
    "eq",
    "ne",
    "in",
    "not_in",
    "gt",
    "ge",
    "lt",
    "le",
    "contains",
    "matches",
    "exists",
    "absent",
    "empty",
    "not_empty",
    "truthy",
    "falsy",
    "older_than_days",
    "newer_than_days",
    "len_eq",
    "len_ge",
    "len_le",
];

impl RawCond {
    /// Compiles the condition, resolving `{param: NAME}` values from `params`.
    ///
    /// # Errors
    /// Neither a leaf nor one combination, an unknown op, a value of the wrong kind, an
    /// unknown parameter, a bad regex or path; the message names where (`at`).
    pub fn compile(&self, params: &Map<String, Value>, at: &str) -> Result<Cond, String> {
        let forms = usize::from(self.path.is_some())
            + usize::from(self.all.is_some())
            + usize::from(self.any.is_some())
            + usize::from(self.not.is_some());
        if forms != 1 {
            return Err(format!(
                "{at}: a condition is one of {{path, op, value}}, {{all: […]}}, {{any: […]}} or {{not: …}}"
            ));
        }
        if let Some(list) = &self.all {
            return Ok(Cond::All(compile_list(list, params, &format!("{at}.all"))?));
        }
        if let Some(list) = &self.any {
            return Ok(Cond::Any(compile_list(list, params, &format!("{at}.any"))?));
        }
        if let Some(c) = &self.not {
            return Ok(Cond::Not(Box::new(
                c.compile(params, &format!("{at}.not"))?,
            )));
        }
        let path_text = self.path.as_deref().unwrap_or_default();
        let path = Path::parse(path_text).map_err(|e| format!("{at}: {e}"))?;
        let op_name = self
            .op
            .as_deref()
            .ok_or_else(|| format!("{at}: `path: {path_text}` needs an `op`"))?;
        let value = match &self.value {
            Some(Value::Object(m)) if m.len() == 1 && m.contains_key("param") => {
                let name = m.get("param").and_then(Value::as_str).unwrap_or_default();
                Some(params.get(name).cloned().ok_or_else(|| {
                    format!("{at}: no parameter `{name}` (declare it under `params`)")
                })?)
            }
            v => v.clone(),
        };
        let need = |v: Option<Value>| -> Result<Value, String> {
            v.ok_or_else(|| format!("{at}: op `{op_name}` needs a `value`"))
        };
        let list = |v: Option<Value>| -> Result<Vec<Value>, String> {
            match need(v)? {
                Value::Array(a) => Ok(a),
                _ => Err(format!("{at}: op `{op_name}` takes a list as its value")),
            }
        };
        let int = |v: Option<Value>| -> Result<u64, String> {
            need(v)?
                .as_u64()
                .ok_or_else(|| format!("{at}: op `{op_name}` takes a whole number ≥ 0"))
        };
        let days = |v: Option<Value>| -> Result<i64, String> {
            i64::try_from(int(v)?).map_err(|_| format!("{at}: too many days"))
        };
        let op = match op_name {
            "eq" => Op::Eq(need(value)?),
            "ne" => Op::Ne(need(value)?),
            "in" => Op::In(list(value)?),
            "not_in" => Op::NotIn(list(value)?),
            "gt" => Op::Gt(need(value)?),
            "ge" => Op::Ge(need(value)?),
            "lt" => Op::Lt(need(value)?),
            "le" => Op::Le(need(value)?),
            "contains" => Op::Contains(need(value)?),
            "matches" => {
                let v = need(value)?;
                let text = v
                    .as_str()
                    .ok_or_else(|| format!("{at}: op `matches` takes a regex string"))?;
                Op::Matches(
                    regex::RegexBuilder::new(text)
                        .size_limit(8 << 20)
                        .build()
                        .map_err(|e| format!("{at}: regex `{text}`: {e}"))?,
                )
            }
            "exists" => Op::Exists,
            "absent" => Op::Absent,
            "empty" => Op::Empty,
            "not_empty" => Op::NotEmpty,
            "truthy" => Op::Truthy,
            "falsy" => Op::Falsy,
            "older_than_days" => Op::OlderThanDays(days(value)?),
            "newer_than_days" => Op::NewerThanDays(days(value)?),
            "len_eq" => Op::LenEq(int(value)?),
            "len_ge" => Op::LenGe(int(value)?),
            "len_le" => Op::LenLe(int(value)?),
            other => {
                return Err(format!(
                    "{at}: unknown op `{other}` (use one of {})",
                    OPS.join(", ")
                ));
            }
        };
        Ok(Cond::Leaf(Leaf {
            path,
            op,
            every: self.every,
        }))
    }
}

fn compile_list(
    list: &[RawCond],
    params: &Map<String, Value>,
    at: &str,
) -> Result<Vec<Cond>, String> {
    if list.is_empty() {
        return Err(format!("{at}: an empty list"));
    }
    list.iter()
        .enumerate()
        .map(|(n, c)| c.compile(params, &format!("{at}[{n}]")))
        .collect()
}

impl Cond {
    /// Whether the condition holds on an item (paths with `^.` read `root`).
    pub fn holds(&self, item: &Value, root: &Value, now: Timestamp) -> bool {
        match self {
            Self::All(cs) => cs.iter().all(|c| c.holds(item, root, now)),
            Self::Any(cs) => cs.iter().any(|c| c.holds(item, root, now)),
            Self::Not(c) => !c.holds(item, root, now),
            Self::Leaf(l) => l.holds(item, root, now),
        }
    }

    /// Why the condition fails on an item, for the result's message.
    pub fn why_not(&self, item: &Value, root: &Value, now: Timestamp) -> String {
        match self {
            Self::All(cs) => cs
                .iter()
                .find(|c| !c.holds(item, root, now))
                .map_or_else(String::new, |c| c.why_not(item, root, now)),
            Self::Any(cs) => {
                let parts: Vec<String> = cs.iter().map(|c| c.why_not(item, root, now)).collect();
                format!("none of: {}", parts.join("; "))
            }
            Self::Not(c) => format!("not expected: {}", c.describe()),
            Self::Leaf(l) => {
                let src = if l.path.root { root } else { item };
                let found: Vec<String> = l
                    .path
                    .all(src)
                    .into_iter()
                    .take(3)
                    .map(|v| {
                        let mut s = v.to_string();
                        if s.len() > 80 {
                            let cut = (0..=80).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
                            s.truncate(cut);
                            s.push('…');
                        }
                        s
                    })
                    .collect();
                let mut out = l.describe();
                if found.is_empty() {
                    out.push_str(" (absent)");
                } else {
                    let _ = write!(out, " (found {})", found.join(", "));
                }
                out
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::All(cs) => cs
                .iter()
                .map(Self::describe)
                .collect::<Vec<_>>()
                .join(" and "),
            Self::Any(cs) => cs
                .iter()
                .map(Self::describe)
                .collect::<Vec<_>>()
                .join(" or "),
            Self::Not(c) => format!("not ({})", c.describe()),
            Self::Leaf(l) => l.describe(),
        }
    }

    /// Whether any leaf reads from the document root (`^.`).
    pub fn reads_root(&self) -> bool {
        match self {
            Self::All(cs) | Self::Any(cs) => cs.iter().any(Self::reads_root),
            Self::Not(c) => c.reads_root(),
            Self::Leaf(l) => l.path.root,
        }
    }
}

impl Leaf {
    fn describe(&self) -> String {
        let (name, value) = match &self.op {
            Op::Eq(v) => ("=", Some(v.to_string())),
            Op::Ne(v) => ("≠", Some(v.to_string())),
            Op::In(v) => ("in", Some(Value::Array(v.clone()).to_string())),
            Op::NotIn(v) => ("not in", Some(Value::Array(v.clone()).to_string())),
            Op::Gt(v) => (">", Some(v.to_string())),
            Op::Ge(v) => ("≥", Some(v.to_string())),
            Op::Lt(v) => ("<", Some(v.to_string())),
            Op::Le(v) => ("≤", Some(v.to_string())),
            Op::Contains(v) => ("contains", Some(v.to_string())),
            Op::Matches(r) => ("matches", Some(format!("/{}/", r.as_str()))),
            Op::Exists => ("exists", None),
            Op::Absent => ("is absent", None),
            Op::Empty => ("is empty", None),
            Op::NotEmpty => ("is not empty", None),
            Op::Truthy => ("is true", None),
            Op::Falsy => ("is false", None),
            Op::OlderThanDays(d) => ("older than days", Some(d.to_string())),
            Op::NewerThanDays(d) => ("within days", Some(d.to_string())),
            Op::LenEq(n) => ("length =", Some(n.to_string())),
            Op::LenGe(n) => ("length ≥", Some(n.to_string())),
            Op::LenLe(n) => ("length ≤", Some(n.to_string())),
        };
        let every = if self.every { "every " } else { "" };
        match value {
            Some(v) => format!("{every}{} {name} {v}", self.path),
            None => format!("{every}{} {name}", self.path),
        }
    }

    fn holds(&self, item: &Value, root: &Value, now: Timestamp) -> bool {
        let src = if self.path.root { root } else { item };
        if !self.path.many() {
            return match self.path.one(src) {
                Some(v) => self.test(v, now),
                None => matches!(self.op, Op::Absent | Op::Empty),
            };
        }
        let values = self.path.all(src);
        if values.is_empty() {
            return matches!(self.op, Op::Absent | Op::Empty);
        }
        if self.every {
            values.iter().all(|v| self.test(v, now))
        } else {
            values.iter().any(|v| self.test(v, now))
        }
    }

    fn test(&self, v: &Value, now: Timestamp) -> bool {
        match &self.op {
            Op::Eq(x) => same(v, x),
            Op::Ne(x) => !same(v, x),
            Op::In(xs) => xs.iter().any(|x| same(v, x)),
            Op::NotIn(xs) => !xs.iter().any(|x| same(v, x)),
            Op::Gt(x) => order(v, x).is_some_and(std::cmp::Ordering::is_gt),
            Op::Ge(x) => order(v, x).is_some_and(std::cmp::Ordering::is_ge),
            Op::Lt(x) => order(v, x).is_some_and(std::cmp::Ordering::is_lt),
            Op::Le(x) => order(v, x).is_some_and(std::cmp::Ordering::is_le),
            Op::Contains(x) => match (v, x) {
                (Value::String(s), Value::String(sub)) => s.contains(sub.as_str()),
                (Value::Array(a), x) => a.iter().any(|e| same(e, x)),
                _ => false,
            },
            Op::Matches(r) => v.as_str().is_some_and(|s| r.is_match(s)),
            Op::Exists => !v.is_null(),
            Op::Absent => v.is_null(),
            Op::Empty => empty(v),
            Op::NotEmpty => !empty(v),
            Op::Truthy => truthy(v),
            Op::Falsy => !truthy(v),
            Op::OlderThanDays(d) => age_days(v, now).is_some_and(|a| a > *d),
            Op::NewerThanDays(d) => age_days(v, now).is_some_and(|a| a <= *d),
            Op::LenEq(n) => len(v) == Some(*n),
            Op::LenGe(n) => len(v).is_some_and(|l| l >= *n),
            Op::LenLe(n) => len(v).is_some_and(|l| l <= *n),
        }
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Equality, numbers compared by value (1 = 1.0).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// Numbers (or numeric strings against a number) by value, strings as text.
fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty() && !s.eq_ignore_ascii_case("false"),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        Value::Null => false,
    }
}

fn len(v: &Value) -> Option<u64> {
    let n = match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(m) => m.len(),
        _ => return None,
    };
    u64::try_from(n).ok()
}

/// Whole days from a date or timestamp to `now` (None: not a date).
pub fn age_days(v: &Value, now: Timestamp) -> Option<i64> {
    let s = v.as_str()?.trim();
    let at: Timestamp = match s.parse::<Timestamp>() {
        Ok(t) => t,
        Err(_) => s
            .parse::<jiff::civil::Date>()
            .ok()?
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp(),
    };
    Some(now.duration_since(at).as_secs().div_euclid(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(yaml: &str) -> Result<Cond, String> {
        let raw: RawCond = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
        let params = json!({"n": 90}).as_object().cloned().unwrap_or_default();
        raw.compile(&params, "test")
    }

    #[test]
    fn ops_decide() -> Result<(), String> {
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().map_err(|e| format!("{e}"))?;
        let item = json!({"mfa": "true", "n": 14, "s": "14", "when": "2026-01-01T00:00:00+00:00",
            "day": "2026-11-30", "tags": ["a", "b"], "rules": [{"port": 22, "cidr": "0.0.0.0/0"}, {"port": 443, "cidr": "10.0.0.0/8"}], "none": null, "na": "N/A"});
        let yes = |y: &str| -> Result<bool, String> { Ok(cond(y)?.holds(&item, &item, now)) };
        assert!(yes("{path: mfa, op: eq, value: 'true'}")?);
        assert!(!yes("{path: mfa, op: eq, value: true}")?);
        assert!(yes("{path: n, op: ge, value: 14}")?);
        assert!(yes("{path: s, op: ge, value: 14}")?);
        assert!(yes("{path: n, op: lt, value: {param: n}}")?);
        assert!(yes("{path: when, op: older_than_days, value: {param: n}}")?);
        assert!(!yes("{path: day, op: older_than_days, value: 1}")?);
        assert!(yes("{path: day, op: newer_than_days, value: 1}")?);
        assert!(!yes("{path: na, op: older_than_days, value: 1}")?);
        assert!(!yes("{path: na, op: newer_than_days, value: 1}")?);
        assert!(yes("{path: tags, op: contains, value: b}")?);
        assert!(yes("{path: missing, op: absent}")?);
        assert!(yes("{path: none, op: empty}")?);
        assert!(!yes("{path: none, op: exists}")?);
        assert!(yes("{path: 'rules[].port', op: eq, value: 22}")?);
        assert!(!yes(
            "{path: 'rules[].port', op: eq, value: 22, every: true}"
        )?);
        assert!(yes(
            "{not: {all: [{path: 'rules[].cidr', op: eq, value: 1.2.3.4/32}]}}"
        )?);
        assert!(yes(
            "{any: [{path: mfa, op: falsy}, {path: tags, op: len_eq, value: 2}]}"
        )?);
        assert!(yes("{path: mfa, op: matches, value: '^t.*e$'}")?);
        assert!(yes("{path: mfa, op: in, value: ['true', 'yes']}")?);
        assert!(!yes("{path: 'missing[].x', op: eq, value: 1}")?);
        assert!(yes("{path: 'missing[].x', op: empty}")?);
        Ok(())
    }

    #[test]
    fn bad_conditions_are_named() {
        let e = |y: &str| cond(y).err().unwrap_or_default();
        assert!(e("{path: a, op: nope, value: 1}").contains("unknown op `nope`"));
        assert!(e("{path: a, op: eq}").contains("needs a `value`"));
        assert!(e("{path: a, op: in, value: 1}").contains("takes a list"));
        assert!(e("{path: a, op: eq, value: {param: zz}}").contains("no parameter `zz`"));
        assert!(e("{path: a, op: matches, value: '('}").contains("regex"));
        assert!(e("{path: a, all: [{path: b, op: exists}]}").contains("one of"));
        assert!(e("{all: []}").contains("empty list"));
    }

    #[test]
    fn failures_say_why() -> Result<(), String> {
        let now = Timestamp::UNIX_EPOCH;
        let c = cond("{all: [{path: a, op: eq, value: 1}, {path: b, op: eq, value: 'x'}]}")?;
        let item = json!({"a": 1, "b": "y"});
        assert_eq!(c.why_not(&item, &item, now), "b = \"x\" (found \"y\")");
        Ok(())
    }
}
