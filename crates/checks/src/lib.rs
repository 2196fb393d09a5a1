//! Our own checks over exported system data. A check selects items from a dataset
//! snapshot (an AWS credential report, GitHub branch protections, Okta users, Kubernetes
//! RBAC objects, an HR roster …) and gives each a status; checks are written as
//! declarative rules or as Rego policies, behind one trait ([`Evaluate`]). The built-in
//! checks ship with pass and fail fixtures that `crosswalk checks test` runs.

pub mod path;
mod rego;
pub mod rule;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::BufRead;

use crosswalk_core::monitor::Status;
use jiff::Timestamp;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::path::Path;
use crate::rule::{Cond, RawCond};

/// The built-in check files, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("aws.yaml", include_str!("../builtin/aws.yaml")),
    ("github.yaml", include_str!("../builtin/github.yaml")),
    ("okta.yaml", include_str!("../builtin/okta.yaml")),
    (
        "kubernetes.yaml",
        include_str!("../builtin/kubernetes.yaml"),
    ),
    ("hr.yaml", include_str!("../builtin/hr.yaml")),
];

/// The time fixtures are evaluated at, unless a fixture set names its own `now`.
pub const FIXTURE_NOW: &str = "2026-12-01T00:00:00Z";

/// What a check decided on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub message: Option<String>,
    /// Overrides the resource named by the check's `resource` path.
    pub resource: Option<String>,
}

/// What an evaluation sees besides the items.
pub struct Ctx<'a> {
    pub now: Timestamp,
    pub params: &'a Map<String, Value>,
    /// Every dataset document of the run, by name.
    pub datasets: &'a BTreeMap<String, &'a Value>,
    /// The primary dataset's document (for `^.` paths).
    pub root: &'a Value,
    /// Rego: one query over all items (true) or one query per item.
    pub rego_bulk: bool,
    /// Say why an item fails (rules; [`Check::explain`] can say it later).
    pub explain: bool,
}

/// How a check decides: one verdict per item, `None` when the item is out of scope.
pub trait Evaluate: Send + Sync {
    fn verdicts(&self, items: &[&Value], ctx: &Ctx<'_>) -> Vec<Option<Verdict>>;

    /// Why a failing item fails, when the verdict was given without saying.
    fn explain(&self, _item: &Value, _now: Timestamp) -> Option<String> {
        None
    }
}

struct Rule {
    test: Cond,
    message: Option<String>,
}

impl Rule {
    fn why(&self, item: &Value, root: &Value, now: Timestamp) -> String {
        let why = self.test.why_not(item, root, now);
        match &self.message {
            Some(m) => format!("{m}: {why}"),
            None => why,
        }
    }
}

impl Evaluate for Rule {
    fn explain(&self, item: &Value, now: Timestamp) -> Option<String> {
        (!self.test.holds(item, &Value::Null, now)).then(|| self.why(item, &Value::Null, now))
    }

    fn verdicts(&self, items: &[&Value], ctx: &Ctx<'_>) -> Vec<Option<Verdict>> {
        items
            .iter()
            .map(|item| {
                Some(if self.test.holds(item, ctx.root, ctx.now) {
                    Verdict {
                        status: Status::Pass,
                        message: None,
                        resource: None,
                    }
                } else {
                    Verdict {
                        status: Status::Fail,
                        message: ctx.explain.then(|| self.why(item, ctx.root, ctx.now)),
                        resource: None,
                    }
                })
            })
            .collect()
    }
}

/// A check as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: String,
    title: String,
    #[serde(default)]
    summary: String,
    dataset: String,
    #[serde(default)]
    datasets: Vec<String>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    requirements: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    for_each: Option<String>,
    #[serde(default)]
    decode: Option<String>,
    #[serde(default)]
    resource: Option<String>,
    #[serde(default, rename = "where")]
    filter: Option<RawCond>,
    #[serde(default)]
    all: Option<Vec<RawCond>>,
    #[serde(default)]
    any: Option<Vec<RawCond>>,
    #[serde(default)]
    not: Option<Box<RawCond>>,
    #[serde(default)]
    params: Map<String, Value>,
    #[serde(default)]
    on_empty: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    rego: Option<String>,
    #[serde(default)]
    fixtures: Option<Fixtures>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    checks: Vec<RawCheck>,
}

/// Pass and fail documents, by dataset name.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub pass: BTreeMap<String, Value>,
    pub fail: BTreeMap<String, Value>,
    /// The time the fixtures are evaluated at (default [`FIXTURE_NOW`]).
    #[serde(default)]
    pub now: Option<Timestamp>,
}

/// The two engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Rule,
    Rego,
}

/// A compiled check.
pub struct Check {
    pub id: String,
    pub title: String,
    pub summary: String,
    /// The dataset its items come from.
    pub dataset: String,
    /// Other datasets it reads (Rego).
    pub datasets: Vec<String>,
    pub engine: Engine,
    pub severity: Option<String>,
    /// Requirement ids by library framework id.
    pub requirements: BTreeMap<String, Vec<String>>,
    pub fixtures: Option<Fixtures>,
    /// The file it came from.
    pub source: String,
    for_each: Path,
    decode_csv: bool,
    resource: Option<Path>,
    filter: Option<Cond>,
    on_empty: Status,
    params: Map<String, Value>,
    eval: Box<dyn Evaluate>,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// One result of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub check: String,
    pub resource: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
}

/// Reads a check file: every check compiled, or an error naming the file, the check and
/// what is wrong.
///
/// # Errors
/// YAML that does not parse (with line and column), an unknown key, a bad condition or
/// policy, a duplicate id.
pub fn load(name: &str, text: &str) -> Result<Vec<Check>, String> {
    if text.len() > 16 * 1024 * 1024 {
        return Err(format!("{name}: over 16 MiB"));
    }
    let raw: RawFile = serde_yaml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
    let mut seen = std::collections::HashSet::new();
    raw.checks
        .into_iter()
        .enumerate()
        .map(|(n, c)| {
            let at = format!("{name}: check {} (`{}`)", n + 1, c.id);
            if !seen.insert(c.id.clone()) {
                return Err(format!("{at}: the id is used twice"));
            }
            compile(c, name).map_err(|e| format!("{at}: {e}"))
        })
        .collect()
}

/// Every built-in check, compiled once per process (the Rego policies included).
///
/// # Errors
/// A built-in file that does not compile (a bug, caught by the crate's tests).
pub fn builtin() -> Result<&'static [Check], String> {
    static BUILT: std::sync::OnceLock<Result<Vec<Check>, String>> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(compile_builtin)
        .as_deref()
        .map_err(Clone::clone)
}

fn compile_builtin() -> Result<Vec<Check>, String> {
    let mut out = Vec::new();
    for (name, text) in BUILTIN {
        out.extend(load(name, text)?);
    }
    let mut ids = std::collections::HashSet::new();
    if let Some(c) = out.iter().find(|c| !ids.insert(c.id.clone())) {
        return Err(format!("check `{}` is defined twice", c.id));
    }
    Ok(out)
}

fn compile(c: RawCheck, source: &str) -> Result<Check, String> {
    if !valid_name(&c.id) {
        return Err("an id is lowercase letters, digits, dots and dashes".into());
    }
    if c.title.trim().is_empty() {
        return Err("a check has a title".into());
    }
    for d in std::iter::once(&c.dataset).chain(&c.datasets) {
        if !valid_name(d) {
            return Err(format!(
                "dataset `{d}`: a dataset name is lowercase letters, digits, dots and dashes"
            ));
        }
    }
    let engine = match c.engine.as_deref().unwrap_or("rule") {
        "rule" => Engine::Rule,
        "rego" => Engine::Rego,
        other => return Err(format!("engine `{other}`: use rule or rego")),
    };
    let for_each = Path::parse(c.for_each.as_deref().unwrap_or("[]"))?;
    let decode_csv = match c.decode.as_deref() {
        None => false,
        Some("csv") => true,
        Some(other) => return Err(format!("decode `{other}`: the one decoding is csv")),
    };
    let resource = c.resource.as_deref().map(Path::parse).transpose()?;
    let filter = c
        .filter
        .as_ref()
        .map(|f| f.compile(&c.params, "where"))
        .transpose()?;
    let on_empty = match c.on_empty.as_deref() {
        None => Status::NotApplicable,
        Some(w) => Status::parse(w)
            .filter(|s| !matches!(s, Status::Muted))
            .ok_or_else(|| {
                format!("on_empty `{w}`: use pass, fail, error, manual or not-applicable")
            })?,
    };
    let tests =
        usize::from(c.all.is_some()) + usize::from(c.any.is_some()) + usize::from(c.not.is_some());
    let eval: Box<dyn Evaluate> = match engine {
        Engine::Rule => {
            if c.rego.is_some() {
                return Err("`rego` is for engine: rego".into());
            }
            if !c.datasets.is_empty() {
                return Err("extra `datasets` are read by rego checks only".into());
            }
            if tests != 1 {
                return Err("a rule check has exactly one test: all, any or not".into());
            }
            let raw = RawCond {
                all: c.all.clone(),
                any: c.any.clone(),
                not: c.not.clone(),
                ..RawCond::default()
            };
            Box::new(Rule {
                test: raw.compile(&c.params, "test")?,
                message: c.message.clone(),
            })
        }
        Engine::Rego => {
            if tests != 0 {
                return Err("a rego check decides in its policy, not with all/any/not".into());
            }
            let source = c
                .rego
                .as_deref()
                .ok_or("a rego check has a `rego` policy")?;
            let mut reads = vec![c.dataset.clone()];
            reads.extend(c.datasets.iter().cloned());
            Box::new(rego::Rego::compile(&c.id, source, reads)?)
        }
    };
    Ok(Check {
        id: c.id,
        title: c.title.trim().to_owned(),
        summary: c.summary.trim().to_owned(),
        dataset: c.dataset,
        datasets: c.datasets,
        engine,
        severity: c.severity,
        requirements: c.requirements,
        fixtures: c.fixtures,
        source: source.to_owned(),
        for_each,
        decode_csv,
        resource,
        filter,
        on_empty,
        params: c.params,
        eval,
    })
}

/// CSV text (or base64 of it, as the AWS CLI returns a credential report) as row objects.
fn decode_csv(v: &Value) -> Result<Vec<Value>, String> {
    use base64::Engine as _;
    let text = v.as_str().ok_or("decode csv: the value is not text")?;
    let decoded;
    let text = if !text.contains(',')
        && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text.trim())
    {
        decoded = String::from_utf8(bytes).map_err(|_| "decode csv: base64 of non-UTF-8 text")?;
        decoded.as_str()
    } else {
        text
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| format!("decode csv: {e}"))?.clone();
    r.records()
        .map(|rec| {
            let rec = rec.map_err(|e| format!("decode csv: {e}"))?;
            Ok(Value::Object(
                headers
                    .iter()
                    .zip(rec.iter())
                    .map(|(h, v)| (h.to_owned(), Value::String(v.to_owned())))
                    .collect(),
            ))
        })
        .collect()
}

fn resource_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Check {
    /// Every dataset the check reads.
    pub fn reads(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.dataset.as_str()).chain(self.datasets.iter().map(String::as_str))
    }

    /// Whether the check can run item by item over an NDJSON stream of its dataset.
    pub fn streams(&self) -> bool {
        self.for_each.to_string() == "[]"
            && !self.decode_csv
            && self.datasets.is_empty()
            && !self.filter.as_ref().is_some_and(Cond::reads_root)
    }

    fn items<'a>(&self, doc: &'a Value) -> Result<Vec<Cow<'a, Value>>, String> {
        // `[]` over a Kubernetes list (`kubectl get … -o json`) means its items.
        let doc = match doc {
            Value::Object(m)
                if self.for_each.to_string() == "[]"
                    && m.get("kind")
                        .and_then(Value::as_str)
                        .is_some_and(|k| k.ends_with("List")) =>
            {
                m.get("items").unwrap_or(doc)
            }
            _ => doc,
        };
        let selected = self.for_each.all(doc);
        if !self.decode_csv {
            return Ok(selected.into_iter().map(Cow::Borrowed).collect());
        }
        let mut out = Vec::new();
        for v in selected {
            out.extend(decode_csv(v)?.into_iter().map(Cow::Owned));
        }
        Ok(out)
    }

    /// The resource an item names (its `resource` path), else `DATASET[n]`.
    pub fn resource_of(&self, item: &Value, n: usize) -> String {
        self.resource
            .as_ref()
            .and_then(|p| p.one(item))
            .and_then(resource_text)
            .unwrap_or_else(|| format!("{}[{n}]", self.dataset))
    }

    /// Why an item of a stream fails (rules checked without explaining).
    pub fn explain(&self, item: &Value, now: Timestamp) -> Option<String> {
        self.eval.explain(item, now)
    }

    /// Runs the check over its dataset's document (and the others it reads).
    ///
    /// # Errors
    /// A dataset it reads is missing; the items cannot be decoded.
    pub fn run(
        &self,
        datasets: &BTreeMap<String, &Value>,
        now: Timestamp,
        rego_bulk: bool,
    ) -> Result<Vec<Outcome>, String> {
        let missing: Vec<&str> = self
            .reads()
            .filter(|d| !datasets.contains_key(*d))
            .collect();
        if !missing.is_empty() {
            return Err(format!("no snapshot of {}", missing.join(", ")));
        }
        let root = datasets.get(&self.dataset).copied().unwrap_or(&Value::Null);
        let items = match self.items(root) {
            Ok(i) => i,
            Err(e) => {
                return Ok(vec![Outcome {
                    check: self.id.clone(),
                    resource: self.dataset.clone(),
                    status: Status::Error,
                    message: Some(e),
                }]);
            }
        };
        let ctx = Ctx {
            now,
            params: &self.params,
            datasets,
            root,
            rego_bulk,
            explain: true,
        };
        let chosen: Vec<(usize, &Value)> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| {
                self.filter
                    .as_ref()
                    .is_none_or(|f| f.holds(item, root, now))
            })
            .map(|(n, item)| (n, item.as_ref()))
            .collect();
        let refs: Vec<&Value> = chosen.iter().map(|(_, v)| *v).collect();
        let verdicts = self.eval.verdicts(&refs, &ctx);
        let out: Vec<Outcome> = chosen
            .iter()
            .zip(verdicts)
            .filter_map(|((n, item), v)| {
                let v = v?;
                Some(Outcome {
                    check: self.id.clone(),
                    resource: v.resource.unwrap_or_else(|| self.resource_of(item, *n)),
                    status: v.status,
                    message: v.message,
                })
            })
            .collect();
        if out.is_empty() {
            return Ok(vec![Outcome {
                check: self.id.clone(),
                resource: self.dataset.clone(),
                status: self.on_empty,
                message: Some(format!("no {} item is in scope", self.dataset)),
            }]);
        }
        Ok(out)
    }

    /// Runs the pass and fail fixtures: the pass documents give at least one result and
    /// all pass; the fail documents give at least one failure.
    ///
    /// # Errors
    /// No fixtures, or what went wrong, with the results.
    pub fn test(&self) -> Result<(), String> {
        let f = self.fixtures.as_ref().ok_or("no fixtures")?;
        let now = match f.now {
            Some(t) => t,
            None => FIXTURE_NOW.parse().map_err(|e| format!("{e}"))?,
        };
        let show = |o: &[Outcome]| -> String {
            o.iter()
                .map(|x| {
                    format!(
                        "{} {}{}",
                        x.resource,
                        x.status.as_str(),
                        x.message
                            .as_deref()
                            .map(|m| format!(" ({m})"))
                            .unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        for (bulk, mode) in [(true, "bulk"), (false, "per item")] {
            if !bulk && self.engine == Engine::Rule {
                continue;
            }
            let docs: BTreeMap<String, &Value> =
                f.pass.iter().map(|(k, v)| (k.clone(), v)).collect();
            let pass = self
                .run(&docs, now, bulk)
                .map_err(|e| format!("pass fixture: {e}"))?;
            if pass.is_empty() || pass.iter().any(|o| o.status != Status::Pass) {
                return Err(format!("pass fixture ({mode}): {}", show(&pass)));
            }
            let docs: BTreeMap<String, &Value> =
                f.fail.iter().map(|(k, v)| (k.clone(), v)).collect();
            let fail = self
                .run(&docs, now, bulk)
                .map_err(|e| format!("fail fixture: {e}"))?;
            if !fail.iter().any(|o| o.status == Status::Fail) {
                return Err(format!(
                    "fail fixture ({mode}) has no failure: {}",
                    show(&fail)
                ));
            }
            if let Some(e) = fail.iter().find(|o| o.status == Status::Error) {
                return Err(format!(
                    "fail fixture ({mode}) errs: {}",
                    show(std::slice::from_ref(e))
                ));
            }
        }
        Ok(())
    }
}

/// A run of many checks over the datasets at hand.
#[derive(Debug, Default)]
pub struct Run {
    pub outcomes: Vec<Outcome>,
    /// Checks not run, with why (a dataset without a snapshot).
    pub skipped: Vec<(String, String)>,
}

/// Runs every check whose datasets are present, in parallel; results in check order.
pub fn run_all(checks: &[&Check], datasets: &BTreeMap<String, &Value>, now: Timestamp) -> Run {
    let results: Vec<(String, Result<Vec<Outcome>, String>)> = checks
        .par_iter()
        .map(|c| (c.id.clone(), c.run(datasets, now, true)))
        .collect();
    let mut run = Run::default();
    for (id, r) in results {
        match r {
            Ok(o) => run.outcomes.extend(o),
            Err(why) => run.skipped.push((id, why)),
        }
    }
    run
}

/// Counts of a streamed run.
#[derive(Debug, Default, Clone, Serialize)]
pub struct StreamStats {
    pub resources: u64,
    pub results: u64,
    pub by_status: crosswalk_core::monitor::ByStatus,
}

/// Lines read and checked at a time.
const CHUNK: usize = 8192;

/// Items every rule check looks at in turn, while they are in cache.
const BLOCK: usize = 32;

/// Runs checks item by item over an NDJSON stream of one dataset (one JSON value per
/// line), `CHUNK` lines at a time across the cores, handing each result to `sink` with the
/// item and its line number (a chunk's rule results block by block, then its Rego ones). Rule failures come without a message
/// (ask [`Check::explain`] for the ones kept). Memory stays bounded by the chunk, whatever
/// the file's size.
///
/// # Errors
/// A line that is not JSON (with its number), a check that cannot stream (it decodes
/// CSV, reads other datasets or the document root), a read failure.
pub fn stream(
    checks: &[&Check],
    name: &str,
    reader: impl BufRead + Send,
    now: Timestamp,
    rego_bulk: bool,
    mut sink: impl FnMut(&Check, &Value, u64, &Verdict),
) -> Result<StreamStats, String> {
    if let Some(c) = checks.iter().find(|c| !c.streams()) {
        return Err(format!(
            "check `{}` cannot run over a stream: it needs the whole document",
            c.id
        ));
    }
    let mut stats = StreamStats::default();
    // A reader thread fills the next chunk while this one is checked.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<(u64, String)>, String>>(1);
    std::thread::scope(|scope| -> Result<(), String> {
        scope.spawn(move || {
            let mut reader = reader;
            let mut line_no = 0_u64;
            loop {
                let chunk = next_chunk(&mut reader, name, &mut line_no);
                let last = !matches!(&chunk, Ok(c) if !c.is_empty());
                if tx.send(chunk).is_err() || last {
                    break;
                }
            }
        });
        for chunk in rx {
            let chunk = chunk?;
            if chunk.is_empty() {
                break;
            }
            check_chunk(checks, name, &chunk, now, rego_bulk, &mut stats, &mut sink)?;
        }
        Ok(())
    })?;
    Ok(stats)
}

/// Longest line a stream may hold.
const LINE_LIMIT: u64 = 16 << 20;

/// The next `CHUNK` non-blank lines (empty at the end), each with its number.
fn next_chunk(
    reader: &mut impl BufRead,
    name: &str,
    line_no: &mut u64,
) -> Result<Vec<(u64, String)>, String> {
    use std::io::Read as _;
    let mut chunk = Vec::with_capacity(CHUNK);
    while chunk.len() < CHUNK {
        let mut buf = Vec::new();
        let n = reader
            .by_ref()
            .take(LINE_LIMIT + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("{name} line {}: {e}", *line_no + 1))?;
        if n == 0 {
            break;
        }
        *line_no += 1;
        if buf.len() as u64 > LINE_LIMIT {
            return Err(format!("{name} line {line_no}: a line over 16 MiB"));
        }
        let line =
            String::from_utf8(buf).map_err(|_| format!("{name} line {line_no}: not UTF-8 text"))?;
        if !line.trim().is_empty() {
            chunk.push((*line_no, line));
        }
    }
    Ok(chunk)
}

/// Checks one chunk of lines, handing the results to `sink`.
fn check_chunk(
    checks: &[&Check],
    name: &str,
    chunk: &[(u64, String)],
    now: Timestamp,
    rego_bulk: bool,
    stats: &mut StreamStats,
    sink: &mut impl FnMut(&Check, &Value, u64, &Verdict),
) -> Result<(), String> {
    let datasets = BTreeMap::new();
    {
        let items: Vec<Value> = chunk
            .par_iter()
            .map(|(n, l)| serde_json::from_str(l).map_err(|e| format!("{name} line {n}: {e}")))
            .collect::<Result<_, String>>()?;
        // Rule checks go block by block, every check on a block of items while it is in
        // cache; Rego checks take the whole chunk in one query each.
        let verdicts_of = |c: &Check, offset: usize, block: &[Value]| -> Vec<(usize, Verdict)> {
            let ctx = Ctx {
                now,
                params: &c.params,
                datasets: &datasets,
                root: &Value::Null,
                rego_bulk,
                explain: false,
            };
            let chosen: Vec<(usize, &Value)> = block
                .iter()
                .enumerate()
                .filter(|(_, item)| {
                    c.filter
                        .as_ref()
                        .is_none_or(|f| f.holds(item, &Value::Null, now))
                })
                .collect();
            let refs: Vec<&Value> = chosen.iter().map(|(_, v)| *v).collect();
            chosen
                .iter()
                .zip(c.eval.verdicts(&refs, &ctx))
                .filter_map(|((n, _), v)| Some((offset + *n, v?)))
                .collect()
        };
        type Numbered<'a> = Vec<(usize, &'a &'a Check)>;
        let (rules, regos): (Numbered<'_>, Numbered<'_>) = checks
            .iter()
            .enumerate()
            .partition(|(_, c)| c.engine == Engine::Rule);
        let mut found: Vec<(usize, usize, Verdict)> = items
            .par_chunks(BLOCK)
            .enumerate()
            .flat_map_iter(|(b, block)| {
                rules
                    .iter()
                    .flat_map(|(i, c)| {
                        verdicts_of(c, b * BLOCK, block)
                            .into_iter()
                            .map(|(n, v)| (n, *i, v))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let rego_found: Vec<Vec<(usize, usize, Verdict)>> = regos
            .par_iter()
            .map(|(i, c)| {
                verdicts_of(c, 0, &items)
                    .into_iter()
                    .map(|(n, v)| (n, *i, v))
                    .collect()
            })
            .collect();
        found.extend(rego_found.into_iter().flatten());
        stats.resources += items.len() as u64;
        for (n, i, v) in &found {
            let (Some(item), Some((line, _)), Some(c)) =
                (items.get(*n), chunk.get(*n), checks.get(*i))
            else {
                continue;
            };
            stats.results += 1;
            stats.by_status.add(v.status);
            sink(c, item, *line, v);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
