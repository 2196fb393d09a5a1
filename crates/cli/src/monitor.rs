//! Our own checks and continuous monitoring: `checks list|test|run`, `monitor run`.
//! Flags become `crosswalk-app` requests; results are shown as terminal text or JSON.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use crosswalk_app::program::Session;

use crate::commands::{emit, emit_json, read_input};

#[derive(Debug, Subcommand)]
pub enum CollectCommand {
    /// Add a snapshot of exported system data (JSON, or NDJSON: one item per line) for the
    /// checks to run over: {dataset, sha256, items, collected_at, added} with --json.
    Snapshot {
        file: PathBuf,
        /// The dataset it is a snapshot of (see `crosswalk checks list` and docs/checks.md).
        #[arg(long)]
        dataset: String,
        /// Where it came from (default: the file's name).
        #[arg(long)]
        source: Option<String>,
        /// When it was collected (RFC 3339; default now).
        #[arg(long)]
        collected_at: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Import a scanner's results: {format, tool, results, by_status: {pass, fail, error,
    /// manual, muted, not_applicable}, checks, resources, imported, sha256} with --json.
    /// A file is imported once; again, it changes nothing.
    Import {
        file: PathBuf,
        /// auto (detected), ocsf, sarif, hdf, oscal-ar, powerpipe (Powerpipe or Steampipe
        /// benchmark JSON), prowler-csv, or csv (any CSV with check, resource and status
        /// columns).
        #[arg(long, default_value = "auto")]
        format: String,
        /// A CSV's columns, FIELD=HEADER (fields: check, resource, status, severity, time,
        /// title), repeatable or comma-separated; implies --format csv.
        #[arg(long = "column", value_name = "FIELD=HEADER", value_delimiter = ',')]
        columns: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Map a scanner check to the controls it tests: its runs become their evidence, and
    /// while it fails their requirements cannot be compliant.
    Map {
        check: String,
        #[arg(long = "control", required = true, num_args = 1..)]
        controls: Vec<String>,
    },
    /// Accept a failing check until a date, on one resource or all, with why and by whom:
    /// while in force its failures do not count against its controls.
    Except {
        check: String,
        /// The resource (default: every resource).
        #[arg(long)]
        resource: Option<String>,
        #[arg(long)]
        justification: String,
        #[arg(long)]
        approved_by: String,
        /// Expiry (YYYY-MM-DD), after today.
        #[arg(long)]
        until: String,
    },
    /// Remove a check's mapping to a control.
    Unmap {
        check: String,
        #[arg(long)]
        control: String,
    },
    /// The latest status of every mapped check on every resource, with drift since the
    /// run before: [{check, resource, status, previous, drift, at, controls}] with --json.
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// Every check: [{id, title, dataset, engine, controls, summary, severity, datasets,
    /// requirements, source}] with --json (controls: the program's, when there is one).
    List {
        /// More check files (YAML) besides the built-in ones.
        #[arg(long = "checks", value_name = "FILE")]
        checks: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Run every check on its pass and fail fixtures; exits 0 when all behave.
    Test {
        #[arg(long = "checks", value_name = "FILE")]
        checks: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Run the checks over files, outside any program: {checks, resources, results,
    /// by_status, streamed, skipped, failures} with --json. One NDJSON file (.ndjson or
    /// .jsonl) is checked as a stream.
    Run {
        /// DATASET=FILE, as many as needed (aws-iam-credential-report=report.json).
        #[arg(long = "dataset", value_name = "DATASET=FILE", required = true)]
        datasets: Vec<String>,
        #[arg(long = "checks", value_name = "FILE")]
        checks: Vec<PathBuf>,
        /// Only the checks in the --checks files.
        #[arg(long)]
        only_given: bool,
        /// Write every result as a JSON line here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Evaluate Rego policies one item per query instead of one query per batch.
        #[arg(long)]
        rego_per_item: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Run every check over the newest snapshot of each dataset and record the run:
    /// {run, checks, resources, by_status, drift, skipped, snapshots, recorded, evidence,
    /// controls, failures} with --json.
    Run {
        #[arg(long = "checks", value_name = "FILE")]
        checks: Vec<PathBuf>,
        /// Also write the run as OSCAL assessment results (observations and findings).
        #[arg(long, value_name = "FILE")]
        oscal: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

/// The user's check files, as (name, text).
pub fn check_files(paths: &[std::path::PathBuf]) -> Result<Vec<(String, String)>> {
    paths
        .iter()
        .map(|p| {
            let bytes = read_input(p, "check file", 16 << 20)?;
            let text = String::from_utf8(bytes)
                .map_err(|_| anyhow!("check file {}: not UTF-8 text", p.display()))?;
            Ok((p.display().to_string(), text))
        })
        .collect()
}

/// `checks list` (with the program's mappings when `s` is given), `checks test`,
/// `checks run`.
pub fn checks(
    s: Option<&mut Session<'_>>,
    command: ChecksCommand,
    now: jiff::Timestamp,
) -> Result<()> {
    use crosswalk_app::monitor;
    match command {
        ChecksCommand::List { checks, json } => {
            let extra = check_files(&checks)?;
            let rows = match s {
                Some(s) => s.checks_list(&extra)?,
                None => monitor::check_list(&extra, &[])?,
            };
            if json {
                return emit_json(&rows);
            }
            let mut out = String::new();
            for r in &rows {
                out.push_str(&format!(
                    "{:<40} {:<4} {:<30} {}{}\n",
                    r.id,
                    match r.engine {
                        crosswalk_app::monitor::Engine::Rule => "rule",
                        crosswalk_app::monitor::Engine::Rego => "rego",
                    },
                    r.dataset,
                    r.title,
                    if r.controls.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", r.controls.join(", "))
                    }
                ));
            }
            out.push_str(&format!("{} checks\n", rows.len()));
            emit(&out)
        }
        ChecksCommand::Test { checks, json } => {
            let extra = check_files(&checks)?;
            let results = monitor::test_fixtures(&extra)?;
            let failed: Vec<&monitor::FixtureResult> =
                results.iter().filter(|r| !r.passed).collect();
            if json {
                emit_json(&results)?;
            } else {
                let mut out = String::new();
                for r in &failed {
                    out.push_str(&format!(
                        "FAIL {}: {}\n",
                        r.id,
                        r.error.as_deref().unwrap_or("")
                    ));
                }
                out.push_str(&format!(
                    "{} of {} checks pass and fail on their fixtures\n",
                    results.len() - failed.len(),
                    results.len()
                ));
                emit(&out)?;
            }
            if !failed.is_empty() {
                bail!("{} check(s) do not behave on their fixtures", failed.len());
            }
            Ok(())
        }
        ChecksCommand::Run {
            datasets,
            checks,
            only_given,
            out,
            rego_per_item,
            json,
        } => {
            let extra = check_files(&checks)?;
            let mut inputs = Vec::new();
            for d in &datasets {
                let (name, path) = d
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--dataset `{d}`: write DATASET=FILE"))?;
                let file = std::fs::File::open(path)
                    .map_err(|e| anyhow!("cannot read dataset file {path}: {e}"))?;
                if !file.metadata().map(|m| m.is_file()).unwrap_or(false) {
                    bail!("dataset file {path}: not a regular file");
                }
                inputs.push(monitor::DatasetInput {
                    dataset: name.trim().to_owned(),
                    name: path.to_owned(),
                    reader: Box::new(std::io::BufReader::with_capacity(1 << 20, file)),
                });
            }
            let mut writer = match &out {
                Some(p) => Some(std::io::BufWriter::new(
                    std::fs::File::create(p)
                        .map_err(|e| anyhow!("cannot write {}: {e}", p.display()))?,
                )),
                None => None,
            };
            let run = monitor::check_files(
                inputs,
                &extra,
                only_given,
                now,
                !rego_per_item,
                writer.as_mut().map(|w| w as &mut dyn std::io::Write),
            )?;
            if let Some(mut w) = writer {
                use std::io::Write as _;
                w.flush()?;
            }
            if json {
                return emit_json(&run);
            }
            let b = &run.by_status;
            let mut text = format!(
                "{} checks on {} items{}: {} results, {} pass, {} fail, {} error, {} not applicable\n",
                run.checks,
                run.resources,
                if run.streamed { " (streamed)" } else { "" },
                run.results,
                b.pass,
                b.fail,
                b.error,
                b.not_applicable
            );
            failure_lines(&mut text, &run.failures);
            for sk in &run.skipped {
                text.push_str(&format!("skipped {}: {}\n", sk.check, sk.why));
            }
            emit(&text)
        }
    }
}

/// A line per failing result: status, check, resource and why.
fn failure_lines(out: &mut String, failures: &[crosswalk_app::monitor::Outcome]) {
    for f in failures {
        out.push_str(&format!(
            "{:<5} {} on {}{}\n",
            f.status.as_str().to_uppercase(),
            f.check,
            f.resource,
            f.message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ));
    }
}

pub fn monitor(s: &mut Session<'_>, command: MonitorCommand) -> Result<()> {
    let MonitorCommand::Run {
        checks,
        oscal,
        json,
    } = command;
    let extra = check_files(&checks)?;
    let run = s.monitor_run(&extra)?;
    if let Some(path) = &oscal {
        let doc = s.run_oscal(&run)?;
        std::fs::write(path, &doc.bytes)
            .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
    }
    if json {
        return emit_json(&run);
    }
    let b = &run.by_status;
    let mut out = format!(
        "{} run {}: {} checks on {} resources from {} snapshot(s): {} pass, {} fail, {} error, {} not applicable\n",
        if run.recorded {
            "recorded"
        } else {
            "same results as before, nothing changed:"
        },
        run.run.get(..12).unwrap_or(&run.run),
        run.checks,
        run.resources,
        run.snapshots.len(),
        b.pass,
        b.fail,
        b.error,
        b.not_applicable
    );
    failure_lines(&mut out, &run.failures);
    for d in &run.drift {
        out.push_str(&format!(
            "DRIFT {} on {}: {} → {}\n",
            d.check,
            d.resource,
            d.from.as_str(),
            d.to.as_str()
        ));
    }
    if let Some(e) = &run.evidence {
        out.push_str(&format!(
            "recorded as evidence {e} for {}\n",
            run.controls.join(", ")
        ));
    }
    if !run.skipped.is_empty() {
        out.push_str(&format!(
            "{} checks not run for want of a snapshot (see `crosswalk checks list`)\n",
            run.skipped.len()
        ));
    }
    emit(&out)
}
