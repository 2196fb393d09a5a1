//! Continuous monitoring with our own checks: snapshots of exported system data are
//! added to the program, the built-in checks (and any the user writes) run over the
//! newest snapshot of each dataset, and a run is recorded like a scanner's results —
//! status per (check, resource), drift from the run before, evidence for the controls
//! its checks are mapped to.

use std::collections::{BTreeMap, HashMap, HashSet};

use crosswalk_checks::Check;
pub use crosswalk_checks::{Engine, Outcome};
use crosswalk_core::monitor::{Batch, ByStatus, CheckResult, DataSnapshot, Status};
use crosswalk_store::{Change, Sha256};
use serde::Serialize;
use serde_json::Value;

use crate::program::Session;
use crate::{Error, Result, bail, invalid};

/// The tool name our own checks' runs are recorded under.
pub const TOOL: &str = "crosswalk";

/// A snapshot document held whole is at most this large.
pub const SNAPSHOT_LIMIT: u64 = 256 << 20;

/// `checks list --json`: one check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckInfo {
    pub id: String,
    pub title: String,
    pub dataset: String,
    pub engine: Engine,
    /// The program's controls it is mapped to (empty without a program).
    pub controls: Vec<String>,
    pub summary: String,
    pub severity: Option<String>,
    /// Other datasets it reads.
    pub datasets: Vec<String>,
    /// Requirement ids by framework, as the check states them.
    pub requirements: BTreeMap<String, Vec<String>>,
    /// The file it comes from (`aws.yaml` …, or the user's file).
    pub source: String,
}

/// `checks test`: one check's fixtures.
#[derive(Debug, Clone, Serialize)]
pub struct FixtureResult {
    pub id: String,
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `collect snapshot --json`.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotSummary {
    pub dataset: String,
    pub sha256: String,
    pub items: u64,
    pub collected_at: jiff::Timestamp,
    /// False when the dataset had this snapshot already: nothing changed.
    pub added: bool,
}

pub use crosswalk_core::monitor::Drift;

/// `monitor run --json`.
#[derive(Debug, Clone, Serialize)]
pub struct MonitorRun {
    /// The run's id: the SHA-256 of its recorded results.
    pub run: String,
    /// Checks that ran.
    pub checks: usize,
    /// Distinct resources they ran on.
    pub resources: usize,
    pub by_status: ByStatus,
    /// Status changes since the run before.
    pub drift: Vec<Drift>,
    /// Checks not run, and why (no snapshot of a dataset they read).
    pub skipped: Vec<Skipped>,
    /// The snapshots the run read.
    pub snapshots: Vec<DataSnapshot>,
    /// False when the same results were recorded before: nothing changed.
    pub recorded: bool,
    /// The evidence item the run became, for the controls its checks are mapped to.
    pub evidence: Option<String>,
    pub controls: Vec<String>,
    /// Failing results, with why.
    pub failures: Vec<crosswalk_checks::Outcome>,
    /// Every result, as recorded (see [`Session::run_oscal`]).
    #[serde(skip)]
    pub results: Vec<CheckResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub check: String,
    pub why: String,
}

/// The checks at hand: the built-in ones (compiled once per process) and the user's.
pub struct Catalog {
    builtin: &'static [Check],
    extra: Vec<Check>,
}

impl Catalog {
    /// Every check; a user's check replaces a built-in one with the same id.
    pub fn checks(&self) -> Vec<&Check> {
        self.builtin
            .iter()
            .filter(|b| !self.extra.iter().any(|e| e.id == b.id))
            .chain(&self.extra)
            .collect()
    }
}

/// The built-in checks and those in the user's files (`(name, text)`), or only the
/// user's (`only_extra`).
///
/// # Errors
/// A file that does not compile, with where.
pub fn catalog(extra: &[(String, String)], only_extra: bool) -> Result<Catalog> {
    let builtin = if only_extra {
        &[]
    } else {
        crosswalk_checks::builtin().map_err(Error::Invalid)?
    };
    let mut loaded: Vec<Check> = Vec::new();
    for (name, text) in extra {
        for c in crosswalk_checks::load(name, text).map_err(Error::Invalid)? {
            loaded.retain(|b| b.id != c.id);
            loaded.push(c);
        }
    }
    Ok(Catalog {
        builtin,
        extra: loaded,
    })
}

/// Every check as `checks list` shows it, with the program's controls mapped to each
/// (`mapped`: (check, control) pairs).
///
/// # Errors
/// A file that does not compile.
pub fn check_list(
    extra: &[(String, String)],
    mapped: &[(String, String)],
) -> Result<Vec<CheckInfo>> {
    let catalog = catalog(extra, false)?;
    Ok(catalog
        .checks()
        .into_iter()
        .map(|c| CheckInfo {
            id: c.id.clone(),
            title: c.title.clone(),
            dataset: c.dataset.clone(),
            engine: c.engine,
            controls: mapped
                .iter()
                .filter(|(check, _)| *check == c.id)
                .map(|(_, control)| control.clone())
                .collect(),
            summary: c.summary.clone(),
            severity: c.severity.clone(),
            datasets: c.datasets.clone(),
            requirements: c.requirements.clone(),
            source: c.source.clone(),
        })
        .collect())
}

/// Runs every check's fixtures (in parallel).
///
/// # Errors
/// A file that does not compile.
pub fn test_fixtures(extra: &[(String, String)]) -> Result<Vec<FixtureResult>> {
    use rayon::prelude::*;
    let catalog = catalog(extra, false)?;
    Ok(catalog
        .checks()
        .par_iter()
        .map(|c| {
            let r = c.test();
            FixtureResult {
                id: c.id.clone(),
                passed: r.is_ok(),
                error: r.err(),
            }
        })
        .collect())
}

/// A snapshot's document: one JSON value, or NDJSON as an array of its lines.
///
/// # Errors
/// Neither, with the line and column of the JSON error (or the NDJSON line).
pub fn parse_snapshot(name: &str, bytes: &[u8]) -> Result<Value> {
    let ndjson_name = [".ndjson", ".jsonl"].iter().any(|e| name.ends_with(e));
    if !ndjson_name {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => return Ok(v),
            Err(e)
                if e.classify() != serde_json::error::Category::Syntax
                    || e.line() == 1 && !bytes.contains(&b'\n') =>
            {
                return Err(invalid!("{name}: not JSON: {e}"));
            }
            Err(e) => {
                // Several documents, one per line, read as NDJSON; else the JSON error.
                return parse_lines(name, bytes).map_err(|_| invalid!("{name}: not JSON: {e}"));
            }
        }
    }
    parse_lines(name, bytes)
}

fn parse_lines(name: &str, bytes: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(bytes).map_err(|e| invalid!("{name}: not UTF-8 text: {e}"))?;
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        items.push(
            serde_json::from_str(line)
                .map_err(|e| invalid!("{name} line {}: not JSON: {e}", n + 1))?,
        );
    }
    if items.is_empty() {
        bail!("{name}: no JSON document");
    }
    Ok(Value::Array(items))
}

fn dataset_name(s: &str) -> Result<String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    if !ok {
        bail!(
            "--dataset `{s}`: a dataset name is lowercase letters, digits, dots and dashes (aws-iam-credential-report)"
        );
    }
    Ok(s.to_owned())
}

impl Session<'_> {
    /// Every check, with the program's controls mapped to it (none without a program).
    ///
    /// # Errors
    /// A check file that does not compile.
    pub fn checks_list(&mut self, extra: &[(String, String)]) -> Result<Vec<CheckInfo>> {
        let mapped = self
            .program()
            .map(|p| p.monitoring.mapped.clone())
            .unwrap_or_default();
        check_list(extra, &mapped)
    }

    /// Adds a snapshot of a dataset: the file is kept as it is (by its SHA-256) and read
    /// by the next `monitor run`. The dataset's latest snapshot again changes nothing.
    ///
    /// # Errors
    /// A bad dataset name, a file that is neither JSON nor NDJSON (with where), a
    /// collection time in the future, no program.
    pub fn collect_snapshot(
        &mut self,
        name: &str,
        bytes: &[u8],
        dataset: &str,
        source: Option<&str>,
        collected_at: Option<jiff::Timestamp>,
    ) -> Result<SnapshotSummary> {
        let dataset = dataset_name(dataset)?;
        let doc = parse_snapshot(name, bytes)?;
        let items = match &doc {
            Value::Array(a) => a.len() as u64,
            _ => 1,
        };
        drop(doc);
        let collected_at = collected_at.unwrap_or(self.clock.now);
        if collected_at > self.clock.now {
            bail!("--collected-at {collected_at} is in the future");
        }
        self.require_program()?;
        let sha256 = Sha256::of(bytes).to_string();
        let out = |added| SnapshotSummary {
            dataset: dataset.clone(),
            sha256: sha256.clone(),
            items,
            collected_at,
            added,
        };
        let program = self.program()?;
        // The dataset's latest snapshot already: nothing changes. (The same content after
        // another is a new snapshot: the system went back to an earlier state.)
        if let Some(had) = program
            .monitoring
            .latest_snapshots()
            .get(dataset.as_str())
            .filter(|s| s.sha256 == sha256)
        {
            return Ok(SnapshotSummary {
                collected_at: had.collected_at,
                ..out(false)
            });
        }
        self.store().put_file(bytes)?;
        self.apply(&[Change::AddSnapshot(DataSnapshot {
            dataset: dataset.clone(),
            sha256: sha256.clone(),
            source: source.map_or_else(|| name.to_owned(), str::to_owned),
            collected_at,
            added_at: self.clock.now,
            items,
        })])?;
        Ok(out(true))
    }

    /// Runs every check over the newest snapshot of each dataset and records the run:
    /// results per (check, resource), drift from the run before, evidence for the
    /// controls the checks are mapped to, and proposed links to the requirements the
    /// checks state. The same results again change nothing.
    ///
    /// # Errors
    /// No snapshot at all, a check file that does not compile, a stored snapshot that no
    /// longer reads, no program.
    pub fn monitor_run(&mut self, extra: &[(String, String)]) -> Result<MonitorRun> {
        let catalog = catalog(extra, false)?;
        let checks = catalog.checks();
        let program = self.program()?;
        let latest: Vec<DataSnapshot> = program
            .monitoring
            .latest_snapshots()
            .into_values()
            .cloned()
            .collect();
        if latest.is_empty() {
            bail!(
                "no snapshots to check: add one with `crosswalk collect snapshot FILE --dataset NAME` (see docs/checks.md)"
            );
        }
        let wanted: HashSet<&str> = checks.iter().flat_map(|c| c.reads()).collect();
        let mut docs: BTreeMap<String, Value> = BTreeMap::new();
        for s in latest
            .iter()
            .filter(|s| wanted.contains(s.dataset.as_str()))
        {
            let sha: Sha256 = s
                .sha256
                .parse()
                .map_err(|_| invalid!("snapshot of {}: a bad SHA-256", s.dataset))?;
            let bytes = self.store().get_file(&sha)?;
            docs.insert(s.dataset.clone(), parse_snapshot(&s.dataset, &bytes)?);
        }
        let refs: BTreeMap<String, &Value> = docs.iter().map(|(k, v)| (k.clone(), v)).collect();
        let run = crosswalk_checks::run_all(&checks, &refs, self.clock.now);
        let by_id: HashMap<&str, &Check> = checks.iter().map(|c| (c.id.as_str(), *c)).collect();
        let collected: HashMap<&str, jiff::Timestamp> = latest
            .iter()
            .map(|s| (s.dataset.as_str(), s.collected_at))
            .collect();
        let results: Vec<CheckResult> = run
            .outcomes
            .iter()
            .map(|o| {
                let c = by_id.get(o.check.as_str());
                CheckResult {
                    check: o.check.clone(),
                    title: c.map(|c| c.title.clone()).unwrap_or_default(),
                    resource: o.resource.clone(),
                    status: o.status,
                    observed: c.and_then(|c| collected.get(c.dataset.as_str()).copied()),
                    severity: c.and_then(|c| c.severity.clone()),
                    requirements: c.map(|c| c.requirements.clone()).unwrap_or_default(),
                    message: o.message.clone(),
                }
            })
            .collect();
        let before: HashMap<(String, String), Status> = self
            .store()
            .latest_statuses(TOOL)?
            .into_iter()
            .map(|(c, r, s)| ((c, r), s))
            .collect();
        let drift: Vec<Drift> = results
            .iter()
            .filter_map(|r| {
                let from = *before.get(&(r.check.clone(), r.resource.clone()))?;
                (from != r.status).then(|| Drift {
                    check: r.check.clone(),
                    resource: r.resource.clone(),
                    from,
                    to: r.status,
                })
            })
            .collect();
        let used: Vec<DataSnapshot> = latest
            .into_iter()
            .filter(|s| docs.contains_key(&s.dataset))
            .collect();
        let batch = Batch {
            format: "crosswalk-checks".into(),
            tool: TOOL.into(),
            tool_version: Some(env!("CARGO_PKG_VERSION").into()),
            results,
        };
        // The run's record: what ran over which snapshots, and every result. Kept as the
        // evidence file; its SHA-256 is the run's id.
        let record = serde_json::to_vec_pretty(&serde_json::json!({
            "tool": TOOL,
            "snapshots": used,
            "results": batch.results,
        }))
        .map_err(|e| invalid!("{e}"))?;
        let ran: HashSet<&str> = run.outcomes.iter().map(|o| o.check.as_str()).collect();
        let resources: HashSet<(&str, &str)> = run
            .outcomes
            .iter()
            .map(|o| {
                (
                    by_id
                        .get(o.check.as_str())
                        .map_or("", |c| c.dataset.as_str()),
                    o.resource.as_str(),
                )
            })
            .collect();
        let mut out = MonitorRun {
            run: Sha256::of(&record).to_string(),
            checks: ran.len(),
            resources: resources.len(),
            by_status: ByStatus::count(&batch.results),
            drift,
            skipped: run
                .skipped
                .iter()
                .map(|(check, why)| Skipped {
                    check: check.clone(),
                    why: why.clone(),
                })
                .collect(),
            snapshots: used,
            recorded: false,
            evidence: None,
            controls: Vec::new(),
            failures: run
                .outcomes
                .iter()
                .filter(|o| matches!(o.status, Status::Fail | Status::Error))
                .cloned()
                .collect(),
            results: batch.results.clone(),
        };
        let also = if out.drift.is_empty() {
            Vec::new()
        } else {
            vec![Change::RecordDrift {
                run: out.run.clone(),
                drift: out.drift.clone(),
            }]
        };
        let summary = self.record_results(batch, &record, also)?;
        out.recorded = summary.imported;
        out.evidence = summary.evidence;
        out.controls = summary.controls;
        if !out.recorded {
            out.drift.clear();
        }
        Ok(out)
    }
}

/// A dataset handed to [`check_files`]: its name, the file's name (for messages and to
/// tell NDJSON) and a reader over it.
pub struct DatasetInput {
    pub dataset: String,
    pub name: String,
    pub reader: Box<dyn std::io::BufRead + Send>,
}

/// `checks run --json`: checks run over files, outside any program.
#[derive(Debug, Clone, Serialize)]
pub struct FileRun {
    /// Checks that ran.
    pub checks: usize,
    /// Items checked (per dataset, summed).
    pub resources: u64,
    pub results: u64,
    pub by_status: ByStatus,
    /// Whether the one NDJSON dataset was checked as a stream, chunk by chunk.
    pub streamed: bool,
    /// Checks whose dataset was given but that read another one that was not.
    pub skipped: Vec<Skipped>,
    /// The first failing results (up to 100).
    pub failures: Vec<crosswalk_checks::Outcome>,
}

/// Runs the checks that read the given datasets over them (the user's only, with
/// `only_extra`), outside any program. One
/// NDJSON dataset whose checks all go item by item is streamed, so its size is not
/// bounded by memory; otherwise each file is read whole (up to [`SNAPSHOT_LIMIT`]).
/// Every result goes to `out` as a JSON line when given.
///
/// # Errors
/// A check file that does not compile, a file that does not read as JSON (with where),
/// a dataset named twice, a failure writing `out`.
pub fn check_files(
    inputs: Vec<DatasetInput>,
    extra: &[(String, String)],
    only_extra: bool,
    now: jiff::Timestamp,
    rego_bulk: bool,
    mut out: Option<&mut dyn std::io::Write>,
) -> Result<FileRun> {
    use std::io::Read;
    let catalog = catalog(extra, only_extra)?;
    let checks = catalog.checks();
    let given: HashSet<&str> = inputs.iter().map(|i| i.dataset.as_str()).collect();
    if given.len() != inputs.len() {
        bail!("a dataset is named twice");
    }
    let relevant: Vec<&Check> = checks
        .into_iter()
        .filter(|c| given.contains(c.dataset.as_str()))
        .collect();
    let mut run = FileRun {
        checks: 0,
        resources: 0,
        results: 0,
        by_status: ByStatus::default(),
        streamed: false,
        skipped: Vec::new(),
        failures: Vec::new(),
    };
    let mut write_err = None;
    let keep_all = out.is_some();
    let mut emit = |o: &crosswalk_checks::Outcome, run: &mut FileRun| {
        if matches!(o.status, Status::Fail | Status::Error) && run.failures.len() < 100 {
            run.failures.push(o.clone());
        }
        if let Some(w) = out.as_deref_mut()
            && write_err.is_none()
            && let Err(e) = serde_json::to_writer(&mut *w, o)
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
        {
            write_err = Some(e);
        }
    };
    let streaming = inputs.len() == 1
        && inputs
            .first()
            .is_some_and(|i| [".ndjson", ".jsonl"].iter().any(|e| i.name.ends_with(e)))
        && relevant.iter().all(|c| c.streams());
    if streaming {
        let Some(input) = inputs.into_iter().next() else {
            bail!("no dataset");
        };
        run.streamed = true;
        run.checks = relevant.len();
        let mut kept = 0_usize;
        let mut failures = Vec::new();
        let stats = crosswalk_checks::stream(
            &relevant,
            &input.name,
            input.reader,
            now,
            rego_bulk,
            |c, item, line, v| {
                let failing = matches!(v.status, Status::Fail | Status::Error);
                if !(keep_all || failing && kept < 100) {
                    return;
                }
                kept += usize::from(failing);
                let o = crosswalk_checks::Outcome {
                    check: c.id.clone(),
                    resource: v
                        .resource
                        .clone()
                        .unwrap_or_else(|| c.resource_of(item, usize::try_from(line).unwrap_or(0))),
                    status: v.status,
                    message: v
                        .message
                        .clone()
                        .or_else(|| failing.then(|| c.explain(item, now)).flatten()),
                };
                failures.push(o);
                if failures.len() >= 1024 {
                    for o in failures.drain(..) {
                        emit(&o, &mut run);
                    }
                }
            },
        )
        .map_err(Error::Invalid)?;
        for o in failures.drain(..) {
            emit(&o, &mut run);
        }
        run.resources = stats.resources;
        run.results = stats.results;
        run.by_status = stats.by_status;
    } else {
        let mut docs: BTreeMap<String, Value> = BTreeMap::new();
        for mut input in inputs {
            let mut bytes = Vec::new();
            (&mut input.reader)
                .take(SNAPSHOT_LIMIT + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| invalid!("{}: {e}", input.name))?;
            if bytes.len() as u64 > SNAPSHOT_LIMIT {
                bail!(
                    "{}: over {} MiB; give it as NDJSON (one item per line) to stream it",
                    input.name,
                    SNAPSHOT_LIMIT >> 20
                );
            }
            let doc = parse_snapshot(&input.name, &bytes)?;
            run.resources += match &doc {
                Value::Array(a) => a.len() as u64,
                _ => 1,
            };
            docs.insert(input.dataset, doc);
        }
        let refs: BTreeMap<String, &Value> = docs.iter().map(|(k, v)| (k.clone(), v)).collect();
        let mut ran = HashSet::new();
        for c in relevant {
            match c.run(&refs, now, rego_bulk) {
                Ok(outcomes) => {
                    ran.insert(c.id.as_str());
                    for o in outcomes {
                        run.results += 1;
                        run.by_status.add(o.status);
                        emit(&o, &mut run);
                    }
                }
                Err(why) => run.skipped.push(Skipped {
                    check: c.id.clone(),
                    why,
                }),
            }
        }
        run.checks = ran.len();
    }
    if let Some(e) = write_err {
        bail!("writing the results: {e}");
    }
    Ok(run)
}

/// The monitoring page: the latest snapshot of each dataset and the latest result of
/// every check on every resource, from our own checks' runs.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    pub snapshots: Vec<DataSnapshot>,
    /// Failing and erring results first, then by check and resource.
    pub results: Vec<LatestResult>,
    pub by_status: ByStatus,
    /// Checks in the catalog.
    pub checks: usize,
    /// Checks without a snapshot of every dataset they read.
    pub waiting: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct LatestResult {
    pub check: String,
    pub title: String,
    pub severity: Option<String>,
    pub resource: String,
    pub status: Status,
    /// The program's controls the check is mapped to.
    pub controls: Vec<String>,
}

impl Session<'_> {
    /// A run as OSCAL assessment results: an observation per check and resource, a
    /// finding per check and requirement it states.
    ///
    /// # Errors
    /// No program.
    pub fn run_oscal(&mut self, run: &MonitorRun) -> Result<crate::export::Document> {
        let program = self.program()?;
        let org = program
            .info
            .as_ref()
            .map_or("the organisation", |i| i.organization.as_str());
        let now = jiff::Timestamp::from_second(self.clock.now.as_second())
            .map_err(|e| invalid!("{e}"))?
            .to_string();
        let body = crosswalk_oscal::check_run_results(
            &run.run,
            org,
            &run.results,
            &self.catalog.library,
            &crosswalk_oscal::ExportOptions { now },
        );
        Ok(crate::export::Document {
            kind: "oscal-ar",
            bytes: crosswalk_report::oscal_json("assessment-results", body).into_bytes(),
            extension: "json",
            what: format!(
                "OSCAL assessment results of run {}",
                &run.run[..12.min(run.run.len())]
            ),
        })
    }

    /// What the monitoring page shows.
    ///
    /// # Errors
    /// No program, a store failure.
    pub fn monitor_overview(&mut self) -> Result<Overview> {
        let catalog = catalog(&[], false)?;
        let checks = catalog.checks();
        let program = self.program()?;
        let latest = program.monitoring.latest_snapshots();
        let waiting = checks
            .iter()
            .filter(|c| c.reads().any(|d| !latest.contains_key(d)))
            .count();
        let snapshots: Vec<DataSnapshot> = latest.into_values().cloned().collect();
        let by_id: HashMap<&str, &Check> = checks.iter().map(|c| (c.id.as_str(), *c)).collect();
        let mut results: Vec<LatestResult> = self
            .store()
            .latest_statuses(TOOL)?
            .into_iter()
            .map(|(check, resource, status)| {
                let c = by_id.get(check.as_str());
                LatestResult {
                    title: c.map(|c| c.title.clone()).unwrap_or_default(),
                    severity: c.and_then(|c| c.severity.clone()),
                    controls: program
                        .monitoring
                        .mapped
                        .iter()
                        .filter(|(m, _)| m == &check)
                        .map(|(_, control)| control.clone())
                        .collect(),
                    check,
                    resource,
                    status,
                }
            })
            .collect();
        let rank = |s: Status| match s {
            Status::Fail => 0,
            Status::Error => 1,
            Status::Manual => 2,
            _ => 3,
        };
        results.sort_by(|a, b| {
            (rank(a.status), &a.check, &a.resource).cmp(&(rank(b.status), &b.check, &b.resource))
        });
        let mut by_status = ByStatus::default();
        for r in &results {
            by_status.add(r.status);
        }
        Ok(Overview {
            snapshots,
            results,
            by_status,
            checks: checks.len(),
            waiting,
        })
    }
}
