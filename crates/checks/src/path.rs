//! Paths into JSON documents: `a.b`, `list[]` (each element), `*` (each value of an
//! object), `$` (the item itself), `^.` (from the dataset's root), `\.` (a literal dot).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Each,
    Values,
}

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Read from the dataset document's root rather than the item.
    pub root: bool,
    segs: Vec<Seg>,
    /// The path can yield several values (it has `[]` or `*`).
    many: bool,
    text: String,
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Path {
    /// Parses a path.
    ///
    /// # Errors
    /// An empty segment (`a..b`), text after `[]` that is not a dot, an unfinished escape.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let (root, body) = match t.strip_prefix("^.") {
            Some(rest) => (true, rest),
            None if t == "^" => (true, ""),
            None => (false, t),
        };
        let mut segs = Vec::new();
        if !(body.is_empty() || body == "$") {
            let mut parts = Vec::new();
            let mut cur = String::new();
            let mut chars = body.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some(n) => cur.push(n),
                        None => return Err(format!("path `{text}`: `\\` at the end")),
                    },
                    '.' => parts.push(std::mem::take(&mut cur)),
                    c => cur.push(c),
                }
            }
            parts.push(cur);
            for p in parts {
                let (key, each) = match p.strip_suffix("[]") {
                    Some(k) => (k, true),
                    None => (p.as_str(), false),
                };
                if key.contains("[]") {
                    return Err(format!("path `{text}`: `[]` ends a segment"));
                }
                match key {
                    "" if !each => return Err(format!("path `{text}`: an empty segment")),
                    "" => {}
                    "*" => segs.push(Seg::Values),
                    k => segs.push(Seg::Key(k.to_owned())),
                }
                if each {
                    segs.push(Seg::Each);
                }
            }
        }
        let many = segs.iter().any(|s| !matches!(s, Seg::Key(_)));
        Ok(Self {
            root,
            segs,
            many,
            text: t.to_owned(),
        })
    }

    /// The one value a path without `[]` or `*` names, if present.
    pub fn one<'a>(&self, v: &'a Value) -> Option<&'a Value> {
        let mut cur = v;
        for s in &self.segs {
            match s {
                Seg::Key(k) => cur = field(cur, k)?,
                Seg::Each | Seg::Values => return self.all(v).into_iter().next(),
            }
        }
        Some(cur)
    }

    /// Whether the path can name several values.
    pub fn many(&self) -> bool {
        self.many
    }

    /// Every value the path names (`null` values included; missing keys skipped).
    pub fn all<'a>(&self, v: &'a Value) -> Vec<&'a Value> {
        let mut out = Vec::new();
        walk(&self.segs, v, &mut out);
        out
    }
}

/// A member of an object. Small objects (most items' are) are scanned in order, which
/// is faster than hashing the key.
fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    let Value::Object(m) = v else {
        return None;
    };
    if m.len() <= 24 {
        m.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
    } else {
        m.get(key)
    }
}

fn walk<'a>(segs: &[Seg], v: &'a Value, out: &mut Vec<&'a Value>) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(v);
        return;
    };
    match first {
        Seg::Key(k) => {
            if let Some(x) = field(v, k) {
                walk(rest, x, out);
            }
        }
        Seg::Each => {
            if let Value::Array(a) = v {
                for x in a {
                    walk(rest, x, out);
                }
            }
        }
        Seg::Values => {
            if let Value::Object(m) = v {
                for x in m.values() {
                    walk(rest, x, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_values() -> Result<(), String> {
        let doc = json!({"a": {"b": [{"c": 1}, {"c": 2}, {"d": 3}]}, "k.x": {"y": true}, "m": {"p": 1, "q": 2}});
        assert_eq!(
            Path::parse("a.b[].c")?.all(&doc),
            vec![&json!(1), &json!(2)]
        );
        assert_eq!(Path::parse("k\\.x.y")?.one(&doc), Some(&json!(true)));
        assert_eq!(Path::parse("m.*")?.all(&doc).len(), 2);
        assert_eq!(Path::parse("$")?.one(&doc), Some(&doc));
        assert!(Path::parse("^.a")?.root);
        assert_eq!(Path::parse("a.missing.c")?.one(&doc), None);
        assert!(Path::parse("a..b").is_err());
        assert!(Path::parse("a[]b").is_err());
        assert_eq!(Path::parse("[]")?.all(&json!([1, 2])).len(), 2);
        Ok(())
    }
}
