//! The `crosswalk` command-line tool: argument parsing, loading, and output.

mod commands;
mod monitor;
mod program;
mod registers;
mod serve;

pub use monitor::{ChecksCommand, CollectCommand, MonitorCommand};
pub use serve::{AccountCommand, AuditCommand, MemberCommand, TokenCommand};
mod text;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

// Parsing OSCAL catalogs builds hundreds of thousands of small maps: mimalloc makes that
// (and freeing them) several times cheaper than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Compliance standards as structured data: browse, search and compare them.
#[derive(Debug, Parser)]
#[command(name = "crosswalk", version, about, max_term_width = 100)]
pub struct Cli {
    /// Extra library directory with framework, profile or comparison files (repeatable).
    #[arg(
        long = "library",
        global = true,
        value_name = "DIR",
        env = "CROSSWALK_LIBRARY"
    )]
    pub library: Vec<PathBuf>,

    /// The program database: a SQLite file path or a postgres:// URL (default: program.db
    /// in the user's data directory).
    #[arg(
        long,
        global = true,
        value_name = "SQLITE_PATH|postgres://…",
        env = "CROSSWALK_DB"
    )]
    pub db: Option<String>,

    /// The program to work on, when the database holds more than one (see `program list`;
    /// with one, it is implied).
    #[arg(long, global = true, value_name = "ID", env = "CROSSWALK_PROGRAM")]
    pub program: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare two standards side by side.
    Compare {
        /// First standard: a short id (soc2, iso27001) or an edition id (iso27001-2013).
        a: String,
        /// Second standard.
        b: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List and show frameworks.
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
    /// Ranked full-text search over the ids, titles and summaries of every catalog.
    Search {
        /// Words or an id to look for.
        #[arg(required = true)]
        text: Vec<String>,
        /// Only search this framework.
        #[arg(long, value_name = "ID")]
        framework: Option<String>,
        /// How many results at most.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Direct and inferred mappings of one requirement to other frameworks.
    Map {
        /// FRAMEWORK:REQUIREMENT, e.g. iso27001:A.5.15 or soc2:CC6.1.
        target: String,
        /// Only mappings into this framework.
        #[arg(long, value_name = "FW")]
        to: Option<String>,
        /// Longest chain of mappings to follow (1 = direct only).
        #[arg(long, default_value_t = 3)]
        depth: usize,
        /// Print JSON: [{from, to, relationship, rationale, strength, provenance, path}].
        #[arg(long)]
        json: bool,
    },
    /// How much of one framework another covers, in each direction, with the counting rule.
    Overlap {
        /// First framework.
        #[arg(required_unless_present = "matrix")]
        a: Option<String>,
        /// Second framework.
        #[arg(required_unless_present = "matrix")]
        b: Option<String>,
        /// Every framework against every other; writes an SVG heatmap (see --output).
        #[arg(long, conflicts_with_all = ["a", "b"])]
        matrix: bool,
        /// Also count mappings inferred through other frameworks.
        #[arg(long)]
        inferred: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// SVG file for --matrix.
        #[arg(short, long, value_name = "FILE", default_value = "overlap-matrix.svg")]
        output: PathBuf,
    },
    /// Mapping sets: list them, import one from a spreadsheet.
    Mappings {
        #[command(subcommand)]
        command: MappingsCommand,
    },
    /// OSCAL: resolve profiles, import catalogs and mapping collections, export.
    Oscal {
        #[command(subcommand)]
        command: OscalCommand,
    },
    /// Build a sample program (a SaaS company pursuing SOC 2 Type 2, ISO 27001 and ISO
    /// 27701) and show readiness, gaps and what the crosswalk carried over.
    Demo {
        /// Instead, build a synthetic program of N controls (10 evidence items each, 10
        /// frameworks in scope), the same for the same N, for benchmarks.
        #[arg(long, value_name = "N")]
        scale: Option<usize>,
    },
    /// Create (or update) the program in the database.
    Init {
        /// The organisation's name.
        #[arg(long)]
        organization: String,
        /// The scope statement (systems, products, locations, teams).
        #[arg(long, default_value = "")]
        scope: String,
        /// A system or product in scope (repeatable).
        #[arg(long = "system")]
        systems: Vec<String>,
        /// Print the program description as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The program: show it, add frameworks to its scope.
    Program {
        #[command(subcommand)]
        command: ProgramCommand,
    },
    /// The company's own controls.
    Control {
        #[command(subcommand)]
        command: ControlCommand,
    },
    /// Review the links between controls and requirements: only accepted links count.
    Links {
        #[command(subcommand)]
        command: LinksCommand,
    },
    /// Evidence that controls operate.
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// Management-system records: internal audits and findings, nonconformities and
    /// their correction, management reviews.
    Ms {
        #[command(subcommand)]
        command: MsCommand,
    },
    /// Continuous monitoring: import scanner results, add snapshots of exported data.
    Collect {
        #[command(subcommand)]
        command: CollectCommand,
    },
    /// Our own checks over exported system data: list them, test them on their
    /// fixtures, run them over files.
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// Continuous monitoring: run the checks over the program's snapshots.
    Monitor {
        #[command(subcommand)]
        command: MonitorCommand,
    },
    /// The risk register: the matrix, risks, their treatment and acceptance.
    Risk {
        #[command(subcommand)]
        command: RiskCommand,
    },
    /// Policy documents: versions, approval, review dates.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Assessment results and readiness.
    Assess {
        #[command(subcommand)]
        command: AssessCommand,
    },
    /// Open requirements ranked by how many in-scope frameworks each fix advances.
    Gaps {
        /// How many to list.
        #[arg(long, default_value_t = 25)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A phased plan per framework (from each standard's typical timeline and the
    /// program's readiness), the audit calendar, and a Gantt chart as SVG.
    Plan {
        /// Write the Gantt chart here.
        #[arg(short, long, value_name = "FILE.svg")]
        output: Option<PathBuf>,
        /// Plan the SOC 2 Type 2 with this observation window (3–12 months).
        #[arg(long, value_name = "MONTHS")]
        window_months: Option<u8>,
        /// Plan for this audit or deadline date instead of the target's (repeatable):
        /// FW=YYYY-MM-DD, e.g. iso27001=2027-09-30.
        #[arg(long = "audit", value_name = "FW=DATE")]
        audits: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Files auditors take: Statement of Applicability, SOC 2 control matrix, gap report,
    /// OSCAL assessment results, evidence package.
    Export {
        #[command(subcommand)]
        what: ProgramExport,
        /// Print {kind, output, message} as JSON.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Serve the REST API (and its docs at /api/docs) for every program in the database.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
        addr: String,
        /// Build the sample program first (into demo.db unless --db is given).
        #[arg(long)]
        demo: bool,
        /// Run every program's checks over its snapshots this often, in minutes (0: never);
        /// a run with drift reaches webhooks as `monitor.drift`.
        #[arg(long, default_value_t = 60, value_name = "MINUTES")]
        monitor_every: u64,
    },
    /// API tokens: scoped to one program and one role, hashed at rest.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// A program's members and their roles.
    Member {
        #[command(subcommand)]
        command: MemberCommand,
    },
    /// Accounts: an administrator's password reset.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
    /// The program's audit trail: every change, hash-chained.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Work with library files.
    Library {
        #[command(subcommand)]
        command: LibraryCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum FrameworksCommand {
    /// Every framework in the library.
    List {
        /// Print JSON: [{id, name, version, publisher, requirement_count, ...}].
        #[arg(long)]
        json: bool,
    },
    /// One framework with its requirement tree.
    Show {
        /// Short id, edition id or alias.
        id: String,
        /// Print JSON: {id, name, version, publisher, profile, requirements}.
        #[arg(long)]
        json: bool,
        /// Only show the tree down to this depth (1 = top level).
        #[arg(long)]
        depth: Option<usize>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MappingsCommand {
    /// Every mapping set in the library.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Convert a CSV or XLSX crosswalk into a mapping-set file, or a Prowler compliance
    /// catalogue (JSON) into a checks framework and a mapping set (all or nothing).
    Import(Box<ImportArgs>),
}

#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The spreadsheet (.csv, .xlsx), or a Prowler compliance catalogue (.json).
    pub file: PathBuf,
    /// Framework of the source column (spreadsheets).
    #[arg(long)]
    pub from: Option<String>,
    /// Framework of the target column (a Prowler catalogue names its own).
    #[arg(long)]
    pub to: Option<String>,
    /// Mapping-set file to write; for a Prowler catalogue, the directory to write into.
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: PathBuf,
    /// Id of the new mapping set (default FROM--TO).
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// official, curated, or tool (stated by another tool's library, not reviewed here).
    #[arg(long, default_value = "curated")]
    pub provenance: String,
    #[arg(long, default_value = "unknown")]
    pub publisher: String,
    /// Document the mappings come from.
    #[arg(long)]
    pub source: Option<String>,
    #[arg(long)]
    pub date: Option<String>,
    #[arg(long)]
    pub licence: Option<String>,
    #[arg(long, default_value = "imported from a spreadsheet")]
    pub method: String,
    #[arg(long, default_value = "not reviewed")]
    pub review: String,
    /// Worksheet name (XLSX).
    #[arg(long)]
    pub sheet: Option<String>,
    /// 1-based header row.
    #[arg(long, default_value_t = 1)]
    pub header_row: usize,
    /// Source id column: header text, letter or 1-based number.
    #[arg(long, default_value = "from_id")]
    pub from_column: String,
    #[arg(long, default_value = "to_id")]
    pub to_column: String,
    /// Relationship column (values such as subset, intersects-with, related).
    #[arg(long)]
    pub relationship_column: Option<String>,
    #[arg(long)]
    pub strength_column: Option<String>,
    #[arg(long)]
    pub note_column: Option<String>,
    /// Relationship when there is no relationship column or the cell is empty.
    #[arg(long, default_value = "intersects")]
    pub default_relationship: String,
    /// An empty source cell repeats the row above.
    #[arg(long)]
    pub fill_down: bool,
    /// Skip rows with no source id instead of failing.
    #[arg(long)]
    pub skip_empty_source: bool,
    /// Split cells into several ids on this separator (use '\n' for line breaks).
    #[arg(long)]
    pub split: Option<String>,
    /// Regular expression picking the id out of a source cell (first group, else the match).
    #[arg(long)]
    pub from_pattern: Option<String>,
    #[arg(long)]
    pub to_pattern: Option<String>,
    /// Drop rows whose ids are not in the frameworks instead of failing; the dropped ids
    /// are listed in the mapping set's notes.
    #[arg(long)]
    pub skip_unknown: bool,
    /// A known layout setting the column options left at their defaults: `scf-strm`, the
    /// Secure Controls Framework's set theory relationship mapping spreadsheets (FDE # →
    /// SCF #, STRM Relationship, strength; several SCF controls per cell; N/A rows left out).
    #[arg(long)]
    pub preset: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ProgramCommand {
    /// The programs the database holds: `[{id, name}]` with --json.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Create another program in the database (its own controls, evidence and trail).
    Create {
        /// 1–40 lowercase letters, digits and inner hyphens.
        id: String,
        /// The organisation or business unit.
        #[arg(long)]
        name: String,
    },
    /// The program, its frameworks and counts.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Add a framework to the scope; links from existing controls are proposed through
    /// the crosswalk (direct mappings first, then inferred), and the report says what they
    /// would cover, partly cover, and what is new once accepted.
    Add {
        /// Short id or edition id.
        framework: String,
        /// soc2-type1, soc2-type2, certification or compliance (default by framework).
        #[arg(long)]
        target: Option<String>,
        /// SOC 2 category besides Security (repeatable): availability, confidentiality,
        /// processing-integrity, privacy.
        #[arg(long)]
        category: Vec<String>,
        /// Target audit or deadline date (YYYY-MM-DD).
        #[arg(long)]
        date: Option<String>,
        /// Only report the proposal; link nothing (the framework is still added: see
        /// `program remove`).
        #[arg(long)]
        no_links: bool,
        /// `direct` accepts the official and curated proposals at once; with `none` (the
        /// default) every proposal waits for `links accept`.
        #[arg(long, default_value = "none", value_parser = ["direct", "none"])]
        accept: String,
        /// SOC 2 Type 2: the observation window in months (3–12; default 6).
        #[arg(long, value_name = "MONTHS")]
        window_months: Option<u8>,
        #[arg(long)]
        json: bool,
    },
    /// Take a framework out of the scope (its links and assessments are kept).
    Remove {
        /// Short id or edition id.
        framework: String,
    },
    /// The maturity scale assessments use; `--set FILE.json` replaces it with
    /// `[{level, name, description}]` (levels 0, 1, 2 …), `--reset` restores the default.
    Maturity {
        #[arg(long, value_name = "FILE.json", conflicts_with = "reset")]
        set: Option<PathBuf>,
        #[arg(long)]
        reset: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ControlCommand {
    /// Every control with its status and owner.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a control.
    Add {
        id: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long, default_value = "")]
        owner: String,
        /// not-started, in-progress, implemented or operating.
        #[arg(long, default_value = "not-started")]
        status: String,
        #[arg(long, default_value = "")]
        frequency: String,
    },
    /// Link a control to requirements (FW:REQ …), in full unless --partial.
    Link {
        id: String,
        #[arg(required = true)]
        targets: Vec<String>,
        #[arg(long)]
        partial: bool,
    },
    /// A control with every link (origin, state, path) and its evidence.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a control's links to requirements (FW:REQ …), whatever made them.
    Unlink {
        id: String,
        #[arg(required = true)]
        targets: Vec<String>,
    },
    /// Change a control's status.
    Status { id: String, status: String },
    /// Import a control list from CSV or XLSX (all or nothing, row-numbered errors).
    Import(Box<ControlImportArgs>),
}

#[derive(Debug, Subcommand)]
pub enum LinksCommand {
    /// Links with origin and state: [{id, control, framework, requirement, coverage,
    /// origin, state, path}] with --json.
    List {
        #[command(flatten)]
        filter: LinkFilterArgs,
        #[arg(long)]
        json: bool,
    },
    /// Accept links: those named (L-<n>), or without ids every official and curated
    /// proposal the filter takes (tool-stated ones with --origin tool; inferred ones only
    /// by id).
    Accept {
        #[command(flatten)]
        filter: LinkFilterArgs,
        ids: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Reject links: those named (L-<n>), or without ids every proposal the filter takes.
    /// A rejected link stays on record and is never proposed again.
    Reject {
        #[command(flatten)]
        filter: LinkFilterArgs,
        ids: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum RiskCommand {
    /// The risk register: [{id, title, owner, likelihood, impact, level, treatment,
    /// controls, residual, …}] with --json.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One risk, with its treatment's effectiveness today.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Add a risk, rated on the matrix (levels by number or name).
    Add(Box<RiskArgs>),
    /// Change a risk's fields; the history keeps every version.
    Update {
        #[arg(value_name = "ID")]
        risk: String,
        #[command(flatten)]
        args: Box<RiskArgs>,
    },
    /// Import a risk register from CSV or XLSX, all or nothing with row-numbered errors;
    /// columns are found by their headers (title, likelihood, impact, owner, treatment,
    /// controls …, see docs/cli.md).
    Import {
        file: PathBuf,
        /// Worksheet name (XLSX; default the first).
        #[arg(long)]
        sheet: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The risk matrix: show it, or import one.
    Matrix {
        #[command(subcommand)]
        command: MatrixCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum MsCommand {
    /// Every record: audits with findings, nonconformities (open, overdue), reviews
    /// (with the clause 9.3.2 inputs they did not record).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Plan or record an internal audit (clause 9.2); prints its id (IA-<n>).
    Audit {
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        scope: String,
        /// What it audits against.
        #[arg(long, default_value = "")]
        criteria: String,
        #[arg(long, default_value = "")]
        auditor: String,
        #[arg(long)]
        planned: Option<String>,
        #[arg(long)]
        performed: Option<String>,
    },
    /// Add a finding to an audit; a major or minor nonconformity also raises a
    /// nonconformity record (NC-<n>) unless --no-nonconformity.
    Finding {
        audit: String,
        #[command(flatten)]
        finding: FindingArgs,
        #[arg(long)]
        no_nonconformity: bool,
    },
    /// Raise a nonconformity (clause 10.2) found elsewhere (an incident, a review).
    Nc {
        #[command(flatten)]
        finding: FindingArgs,
        /// Where it was found.
        #[arg(long, default_value = "")]
        source: String,
    },
    /// Record a nonconformity's root cause or add a corrective action.
    Correct {
        nc: String,
        #[arg(long)]
        root_cause: Option<String>,
        /// "TITLE|OWNER|YYYY-MM-DD".
        #[arg(long)]
        action: Option<String>,
    },
    /// Record the effectiveness check of a correction; an effective one closes it.
    Check {
        nc: String,
        #[arg(long)]
        by: String,
        #[arg(
            long,
            conflicts_with = "not_effective",
            required_unless_present = "not_effective"
        )]
        effective: bool,
        #[arg(long)]
        not_effective: bool,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Record an impact assessment against its template: an AI system impact assessment
    /// (ISO/IEC 42001 6.1.4) or a DPIA (GDPR Article 35) of a processing activity.
    Impact {
        /// ai-system or dpia.
        #[arg(long)]
        kind: String,
        /// The AI system, or for a DPIA the processing activity's ROPA id.
        #[arg(long)]
        subject: String,
        #[arg(long, default_value = "")]
        owner: String,
        #[arg(long)]
        performed: Option<String>,
        /// KEY=TEXT, keys from `ms template KIND` (repeatable).
        #[arg(long = "answer")]
        answers: Vec<String>,
        /// "TEXT|R-1,R-2": a finding and the register risks that carry it (repeatable).
        #[arg(long = "finding")]
        findings: Vec<String>,
        #[arg(long, default_value = "")]
        conclusion: String,
        #[arg(long, default_value = "")]
        approved_by: String,
        #[arg(long)]
        review: Option<String>,
    },
    /// The questions of an impact assessment template (ai-system or dpia).
    Template {
        kind: String,
        #[arg(long)]
        json: bool,
    },
    /// Add a processing activity to the records of processing (GDPR Article 30(1)).
    Processing {
        #[arg(long)]
        name: String,
        #[arg(long)]
        purposes: String,
        #[arg(long, default_value = "")]
        controller: String,
        #[arg(long, default_value = "")]
        data_subjects: String,
        #[arg(long, default_value = "")]
        personal_data: String,
        #[arg(long, default_value = "")]
        recipients: String,
        #[arg(long, default_value = "")]
        transfers: String,
        #[arg(long, default_value = "")]
        retention: String,
        #[arg(long, default_value = "")]
        security: String,
        #[arg(long, default_value = "")]
        lawful_basis: String,
    },
    /// Record a management review (clause 9.3).
    Review {
        #[arg(long)]
        held_on: String,
        #[arg(long = "attendee")]
        attendees: Vec<String>,
        /// KEY=TEXT with KEY one of previous-actions, context-changes, interested-parties,
        /// performance, feedback, risk-assessment, improvement, resources (repeatable).
        #[arg(long = "input")]
        inputs: Vec<String>,
        #[arg(long = "decision")]
        decisions: Vec<String>,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct FindingArgs {
    /// major-nonconformity, minor-nonconformity, observation,
    /// opportunity-for-improvement.
    #[arg(long)]
    pub grade: String,
    #[arg(long)]
    pub description: String,
    /// Requirements it concerns, FW:REQ (repeatable).
    #[arg(long = "requirement")]
    pub requirements: Vec<String>,
    #[arg(long = "control")]
    pub controls: Vec<String>,
    #[arg(long, default_value = "")]
    pub owner: String,
    #[arg(long)]
    pub due: Option<String>,
    #[arg(long, default_value = "")]
    pub root_cause: String,
}

#[derive(Debug, Subcommand)]
pub enum MatrixCommand {
    /// The matrix in force (by default 5 × 5, Low acceptable).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Import a matrix: `ciso-assistant FILE.yaml` (a CISO Assistant risk-matrix library).
    Import {
        #[arg(value_parser = ["ciso-assistant"])]
        format: String,
        file: PathBuf,
        /// The highest risk level that may be retained without treatment (default the
        /// lowest).
        #[arg(long)]
        acceptable: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct RiskArgs {
    /// With `add`: an id of your own (default R-<n>).
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// Inherent likelihood and impact: a level number (1 = lowest) or name.
    #[arg(long)]
    pub likelihood: Option<String>,
    #[arg(long)]
    pub impact: Option<String>,
    /// Residual rating today and target once treated: LIKELIHOOD,IMPACT.
    #[arg(long, value_name = "L,I")]
    pub current: Option<String>,
    #[arg(long, value_name = "L,I")]
    pub target: Option<String>,
    #[arg(long)]
    pub owner: Option<String>,
    /// modify (through --control), retain (with --accepted-by), avoid or share.
    #[arg(long)]
    pub treatment: Option<String>,
    /// Controls that treat it (`--control A B` or repeated; replaces the list on update).
    #[arg(long = "control", num_args = 1..)]
    pub controls: Vec<String>,
    /// The risk owner accepting the residual risk (today), until --accepted-until.
    #[arg(long)]
    pub accepted_by: Option<String>,
    #[arg(long)]
    pub accepted_until: Option<String>,
    /// Assets, processes or AI systems concerned.
    #[arg(long)]
    pub scope: Option<String>,
    #[arg(long)]
    pub threat: Option<String>,
    #[arg(long)]
    pub vulnerability: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// Next review date.
    #[arg(long)]
    pub review: Option<String>,
    /// A treatment-plan action: "TITLE|OWNER|YYYY-MM-DD" (repeatable).
    #[arg(long = "action")]
    pub actions: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct LinkFilterArgs {
    /// Only links to this framework (short id or edition id).
    #[arg(long)]
    pub framework: Option<String>,
    /// proposed, accepted or rejected.
    #[arg(long)]
    pub state: Option<String>,
    /// manual, official, curated, tool or inferred.
    #[arg(long)]
    pub origin: Option<String>,
    /// Only links of this control.
    #[arg(long)]
    pub control: Option<String>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ControlImportArgs {
    /// The list (.csv, .xlsx).
    pub file: PathBuf,
    /// Worksheet name (XLSX; default the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// 1-based header row.
    #[arg(long, default_value_t = 1)]
    pub header_row: usize,
    /// Columns by header text, letter or 1-based number.
    #[arg(long, default_value = "id")]
    pub id_column: String,
    #[arg(long, default_value = "title")]
    pub title_column: String,
    #[arg(long)]
    pub description_column: Option<String>,
    #[arg(long)]
    pub owner_column: Option<String>,
    /// Status values: not started / in progress / implemented / operating (and common
    /// synonyms such as planned, done, effective).
    #[arg(long)]
    pub status_column: Option<String>,
    #[arg(long)]
    pub frequency_column: Option<String>,
    /// Requirements each control meets, linked in full (ids of --framework).
    #[arg(long, requires = "framework")]
    pub requirements_column: Option<String>,
    #[arg(long)]
    pub framework: Option<String>,
    /// Separator between ids in the requirements column.
    #[arg(long, default_value = ",")]
    pub split: String,
}

#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Every piece of evidence, current or stale.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check an evidence package: exit 0 only when every file matches its SHA-256.
    Verify { package: PathBuf },
    /// Record evidence: a file (stored by SHA-256 beside the database) or a link.
    Add {
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        title: String,
        #[arg(long, conflicts_with = "url")]
        file: Option<PathBuf>,
        #[arg(long)]
        url: Option<String>,
        /// Controls it proves (repeatable).
        #[arg(long = "control", required = true)]
        controls: Vec<String>,
        /// YYYY-MM-DD (default today).
        #[arg(long)]
        collected: Option<String>,
        /// YYYY-MM-DD (default: one year after collection).
        #[arg(long)]
        valid_until: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProgramExport {
    /// Statement of Applicability (XLSX or PDF): every annex control with applicability,
    /// justification for inclusion or exclusion, implementation status, implementing
    /// controls (accepted links), evidence and owner, under a document-control header.
    Soa {
        #[arg(long)]
        framework: String,
        #[arg(short, long, value_name = "FILE.{xlsx,pdf}")]
        output: PathBuf,
    },
    /// The risk register and treatment plan (XLSX).
    Risks {
        #[arg(short, long, value_name = "FILE.xlsx")]
        output: PathBuf,
    },
    /// The treatment plan as an OSCAL plan of action and milestones (JSON).
    Poam {
        #[arg(short, long, value_name = "FILE.json")]
        output: PathBuf,
    },
    /// Control matrix (XLSX): criterion, control, owner, evidence, test, result.
    Matrix {
        #[arg(long, default_value = "soc2-2017")]
        framework: String,
        #[arg(short, long, value_name = "FILE.xlsx")]
        output: PathBuf,
    },
    /// Gap report: readiness (with a chart in HTML), domains, ranked gaps, stale evidence.
    Report {
        #[arg(short, long, value_name = "FILE.{md,html}")]
        output: PathBuf,
    },
    /// OSCAL assessment-results (JSON) for one framework.
    OscalAr {
        #[arg(long)]
        framework: String,
        #[arg(short, long, value_name = "FILE.json")]
        output: PathBuf,
    },
    /// Evidence package: a zip of the stored files plus manifest.json with each SHA-256.
    Evidence {
        #[arg(short, long, value_name = "FILE.zip")]
        output: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Every policy, its version, approval and review date (overdue ones flagged).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add a policy or record a new version of it.
    Set {
        id: String,
        #[arg(long)]
        title: String,
        #[arg(long)]
        version: String,
        #[arg(long, default_value = "")]
        owner: String,
        #[arg(long, default_value = "")]
        approved_by: String,
        /// YYYY-MM-DD; leave out while the version awaits approval.
        #[arg(long)]
        approved_on: Option<String>,
        /// YYYY-MM-DD (default: a year after approval).
        #[arg(long)]
        next_review: Option<String>,
        /// Where the document lives.
        #[arg(long, default_value = "")]
        url: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AssessCommand {
    /// Readiness per framework: {framework, total, compliant, partial, non_compliant,
    /// not_applicable, not_assessed, readiness} with --json.
    Status {
        #[arg(long)]
        json: bool,
        /// Also break each framework down by domain.
        #[arg(long)]
        domains: bool,
    },
    /// A reviewer signs off the current assessment of FW:REQ.
    SignOff {
        target: String,
        #[arg(long)]
        reviewer: String,
    },
    /// Record today's readiness of every framework as a dated snapshot.
    Snapshot,
    /// Readiness over time, from the snapshots.
    Trend {
        #[arg(long)]
        json: bool,
    },
    /// Record an assessment of FW:REQ.
    Set {
        target: String,
        /// Assessor's result, overriding the derived one: compliant, partially-compliant,
        /// non-compliant, not-assessed.
        #[arg(long)]
        result: Option<String>,
        /// Why (required with --result).
        #[arg(long, default_value = "")]
        reason: String,
        /// Not applicable (Statement of Applicability), with --justification.
        #[arg(long)]
        not_applicable: bool,
        /// Why the control is excluded (with --not-applicable) or included, in your words.
        #[arg(long, default_value = "")]
        justification: String,
        /// Why an applicable control is included (Statement of Applicability, ISO/IEC
        /// 27001 6.1.3 d): risk-treatment, legal, contractual, business; comma-separated
        /// or repeated.
        #[arg(long, value_delimiter = ',', conflicts_with = "not_applicable")]
        included_for: Vec<String>,
        /// When a control not yet implemented is planned to be (YYYY-MM-DD).
        #[arg(long, conflicts_with = "not_applicable")]
        planned: Option<String>,
        /// Maturity level on the program's scale (default 0–5; see `program maturity`).
        #[arg(long)]
        maturity: Option<u8>,
        /// Audit grading of a finding: major-nonconformity, minor-nonconformity,
        /// observation, opportunity-for-improvement.
        #[arg(long)]
        grade: Option<String>,
        #[arg(long, default_value = "")]
        assessor: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OscalCommand {
    /// Resolve a profile (JSON or XML) into a catalog (JSON), per NIST's specification.
    Resolve {
        /// The profile.
        profile: PathBuf,
        /// Local catalog to use for an import that is remote or missing (a URL, say).
        #[arg(long, value_name = "CATALOG")]
        catalog: Option<PathBuf>,
        /// Write the resolved catalog here instead of standard output.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Turn an OSCAL catalog, profile or mapping collection into a library file (all or
    /// nothing); load it with --library.
    Import(Box<OscalImportArgs>),
    /// Write a framework as an OSCAL catalog or a mapping set as an OSCAL mapping collection.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
}

#[derive(Debug, Clone, clap::Args)]
pub struct OscalImportArgs {
    /// Catalog, profile or mapping collection, JSON or XML.
    pub file: PathBuf,
    /// Framework id for an imported catalog (default: from its title).
    #[arg(long)]
    pub id: Option<String>,
    /// Library file to write (default: ID.toml in the current directory).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Catalog for a profile's remote or missing import.
    #[arg(long, value_name = "CATALOG")]
    pub catalog: Option<PathBuf>,
    /// Copy the publisher's statement text into summaries (for your own installation).
    #[arg(long)]
    pub include_text: bool,
    /// Keep controls marked withdrawn.
    #[arg(long)]
    pub keep_withdrawn: bool,
    /// Mapping collections: framework of the sources.
    #[arg(long, value_name = "FW")]
    pub from: Option<String>,
    /// Mapping collections: framework of the targets.
    #[arg(long, value_name = "FW")]
    pub to: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A framework as an OSCAL 1.2 catalog (JSON).
    Catalog {
        /// Short id, edition id or alias.
        framework: String,
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// The mapping set between two frameworks as an OSCAL 1.2 mapping collection (JSON);
    /// a set stored the other way round is exported inverted.
    Mapping {
        from: String,
        to: String,
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// Check the library files under DIR, alone and together with the built-in library.
    Validate {
        /// Directory to check (every *.toml under it).
        dir: PathBuf,
    },
    /// Convert another tool's libraries into library files in DIR (use them with
    /// --library DIR): `ciso-assistant FILE.yaml…` (frameworks and requirement mapping
    /// sets). All or nothing.
    Import {
        #[arg(value_parser = ["ciso-assistant"])]
        format: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
        /// Copy the nodes' descriptions (the publisher's text, which you hold) into
        /// summaries and titles.
        #[arg(long)]
        include_text: bool,
        /// Print {frameworks: [{id, requirements, assessable}], mapping_sets: [{from, to,
        /// mappings}]}.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Md,
    Html,
    Json,
}

/// The one reader of the clock in the process: a command reads it once and passes the
/// `Clock` down; the server calls it once per request.
fn read_clock() -> crosswalk_app::Clock {
    #[allow(clippy::disallowed_methods)]
    let now = jiff::Zoned::now();
    crosswalk_app::Clock {
        today: now.date(),
        now: now.timestamp(),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli, read_clock) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", commands::terminal_safe(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every command's flags are consistent (unique names, valid defaults), checked by clap
    /// for the whole tree at once rather than when a command first runs.
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
