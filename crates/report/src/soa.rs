//! The Statement of Applicability (ISO/IEC 27001 6.1.3 d; the same for the Annex A of
//! ISO/IEC 27701 and ISO/IEC 42001) as data — a controlled document's header and one row
//! per annex control — then as a workbook ([`crate::xlsx::soa`]) or a PDF ([`pdf`]).
//!
//! Per control: applicable or not; the justification for including it (reasons and the
//! company's words) or for excluding it; whether it is implemented (from its result and
//! the planned date); the implementing controls (accepted links only); their evidence
//! (under the one freshness rule) and their owners.

use std::collections::HashMap;

use crosswalk_core::framework::Framework;
use crosswalk_core::program::{
    Assessment, Freshness, Implementation, Inclusion, Outcome, Policy, Program, RequirementStatus,
};
use jiff::civil::Date;

use crate::doc::Block;
use crate::xlsx::EvidenceCells;

/// The row's columns, with relative widths (the workbook's first sheet and the PDF table).
pub const COLUMNS: [(&str, f32); 12] = [
    ("Control", 2.5),
    ("Title", 8.0),
    ("Applicable", 2.8),
    ("Justification for inclusion", 10.0),
    ("Justification for exclusion", 8.0),
    ("Implementation status", 5.0),
    ("Implementing controls", 4.5),
    ("Evidence", 10.0),
    ("Owner", 4.0),
    ("Maturity", 3.5),
    ("Audit grade", 4.0),
    ("Last assessed", 3.5),
];

/// Columns of the PDF table (the first nine: maturity, grade and date stay in the
/// workbook).
const PDF_COLUMNS: usize = 9;

pub const HISTORY_COLUMNS: [&str; 5] = ["Version", "Status", "Approved by", "Approved on", "Owner"];

/// The rule the document states.
pub const SOA_RULE: &str = "Justification for inclusion cites the risks in the register that the implementing controls treat, then the reasons and words recorded with the assessment; an applicable control with none is flagged for review. Implementing controls are the controls linked to the requirement by accepted links only: links a person made, and crosswalk proposals a person accepted; proposed and rejected links are not listed. Implementation status follows the requirement's result (an assessor's recorded result, else the one derived from the implementing controls' status and current evidence): compliant is implemented, partially compliant is partially implemented, otherwise planned when a date is recorded, else not implemented. Evidence is current until its valid-until date or, without one, for its control's cadence plus a margin; stale items are marked.";

/// The inclusion column of an applicable control that no risk, law, contract or business
/// need is recorded for.
pub const REVIEW: &str =
    "Review: no risk, law, contract or business need recorded for this control";

/// One annex control's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoaRow {
    pub control: String,
    pub title: String,
    pub applicable: bool,
    pub inclusion: String,
    pub exclusion: String,
    pub status: String,
    pub implementing: Vec<String>,
    pub evidence: String,
    pub owner: String,
    pub maturity: String,
    pub grade: String,
    pub assessed: String,
}

impl SoaRow {
    /// The row's cells in [`COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.control.clone(),
            self.title.clone(),
            if self.applicable { "Yes" } else { "No" }.into(),
            self.inclusion.clone(),
            self.exclusion.clone(),
            self.status.clone(),
            self.implementing.join(", "),
            self.evidence.clone(),
            self.owner.clone(),
            self.maturity.clone(),
            self.grade.clone(),
            self.assessed.clone(),
        ]
    }
}

/// One version in the document's change history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: String,
    pub approved_by: String,
    pub approved_on: Option<Date>,
    pub owner: String,
}

impl Version {
    /// The version's cells in [`HISTORY_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.version.clone(),
            if self.approved_on.is_some() {
                "approved"
            } else {
                "draft"
            }
            .into(),
            self.approved_by.clone(),
            self.approved_on.map(|d| d.to_string()).unwrap_or_default(),
            self.owner.clone(),
        ]
    }
}

/// The controlled document's header: what it is, its version and approval, its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoaHeader {
    pub title: String,
    pub organization: String,
    pub scope: String,
    /// The register id the document is kept under (`SOA-<framework>`).
    pub document_id: String,
    /// The current version as recorded in the policy register, if it is.
    pub current: Option<Version>,
    pub next_review: Option<Date>,
    pub history: Vec<Version>,
    pub generated: Date,
}

impl SoaHeader {
    /// Field and value pairs, in the order a document-control table shows them.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let not_recorded = format!(
            "not recorded: record the document with `crosswalk policy set {} --title \"Statement of Applicability\" --version V --approved-by NAME --approved-on DATE`",
            self.document_id
        );
        let (version, status, owner, by, on) = match &self.current {
            Some(v) => (
                v.version.clone(),
                if v.approved_on.is_some() {
                    "Approved".to_owned()
                } else {
                    "Draft, awaiting approval".to_owned()
                },
                v.owner.clone(),
                v.approved_by.clone(),
                v.approved_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            None => (
                not_recorded,
                "Draft, not approved".into(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        vec![
            ("Document", self.title.clone()),
            ("Document id", self.document_id.clone()),
            ("Version", version),
            ("Status", status),
            ("Owner", owner),
            ("Approved by", by),
            ("Approved on", on),
            (
                "Next review",
                self.next_review.map(|d| d.to_string()).unwrap_or_default(),
            ),
            ("Organisation", self.organization.clone()),
            ("Scope", self.scope.clone()),
            ("Generated on", self.generated.to_string()),
            ("Rule", SOA_RULE.to_owned()),
        ]
    }
}

/// The formats a Statement of Applicability is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoaFormat {
    Xlsx,
    Pdf,
}

impl SoaFormat {
    /// From a file extension (`xlsx`, `pdf`, any case).
    ///
    /// # Errors
    /// For any other extension.
    pub fn from_extension(ext: &str) -> Result<Self, crate::ReportError> {
        match ext.to_ascii_lowercase().as_str() {
            "xlsx" => Ok(Self::Xlsx),
            "pdf" => Ok(Self::Pdf),
            other => Err(crate::ReportError::Invalid(format!(
                "unknown Statement of Applicability format `.{other}`: use .xlsx or .pdf"
            ))),
        }
    }
}

/// A Statement of Applicability ready to write.
pub struct Soa<'p> {
    pub header: SoaHeader,
    pub rows: Vec<SoaRow>,
    pub(crate) cells: EvidenceCells<'p>,
    pub(crate) program: &'p Program,
}

/// The register id of a framework's Statement of Applicability: `SOA-iso27001-2022`.
pub fn document_id(fw: &Framework) -> String {
    format!("SOA-{}", fw.id())
}

/// Requirements a Statement of Applicability lists: the annex controls when the framework
/// has them (`A.…`, `B.…`), else every assessable requirement.
pub fn soa_rows(statuses: &[RequirementStatus]) -> Vec<&RequirementStatus> {
    let annex = |s: &&RequirementStatus| {
        let id = s.requirement.as_str();
        id.starts_with("A.") || id.starts_with("B.")
    };
    let rows: Vec<&RequirementStatus> = statuses.iter().filter(annex).collect();
    if rows.is_empty() {
        statuses.iter().collect()
    } else {
        rows
    }
}

/// Builds the document. `history` is every recorded version of the document
/// ([`document_id`]) in the policy register, oldest first; the last is the current one.
pub fn build<'p>(
    fw: &Framework,
    program: &'p Program,
    statuses: &[RequirementStatus],
    fresh: &'p Freshness<'p>,
    history: &[Policy],
    today: Date,
) -> Soa<'p> {
    let mut cells = EvidenceCells::new(program, fresh);
    let scale = program.maturity_scale();
    let owners: HashMap<&str, &str> = program
        .controls
        .iter()
        .map(|c| (c.id.as_str(), c.owner.as_str()))
        .collect();
    let assessed: HashMap<&str, &Assessment> = program
        .assessments
        .iter()
        .filter(|a| &a.framework == fw.id())
        .map(|a| (a.requirement.as_str(), a))
        .collect();
    let treats = crosswalk_core::risk::risks_by_control(&program.risks);
    let order: HashMap<&str, usize> = program
        .risks
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    for s in soa_rows(statuses) {
        let a = assessed.get(s.requirement.as_str()).copied();
        let applicable = s.result != Outcome::NotApplicable;
        let words = a.map(|a| a.justification.trim()).unwrap_or_default();
        let (inclusion, exclusion) = if applicable {
            let mut cited: Vec<&crosswalk_core::risk::Risk> = Vec::new();
            for c in &s.controls {
                for r in treats.get(c.as_str()).map_or(&[][..], Vec::as_slice) {
                    if !cited.iter().any(|x| x.id == r.id) {
                        cited.push(r);
                    }
                }
            }
            cited.sort_by_key(|r| order.get(r.id.as_str()).copied().unwrap_or(usize::MAX));
            let mut reasons: Vec<String> = Vec::new();
            if !cited.is_empty() {
                reasons.push(format!(
                    "Risk treatment ({})",
                    cited
                        .iter()
                        .map(|r| format!("{} {}", r.id, r.title))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            for i in a.map(|a| a.included_for.as_slice()).unwrap_or_default() {
                if cited.is_empty() || *i != Inclusion::RiskTreatment {
                    reasons.push(i.label().to_owned());
                }
            }
            let text = match (reasons.is_empty(), words.is_empty()) {
                (true, true) => REVIEW.to_owned(),
                (false, true) => reasons.join("; "),
                (true, false) => words.to_owned(),
                (false, false) => format!("{}: {words}", reasons.join("; ")),
            };
            (text, String::new())
        } else {
            (String::new(), words.to_owned())
        };
        let controls: Vec<&str> = s.controls.iter().map(String::as_str).collect();
        let mut owner: Vec<&str> = controls
            .iter()
            .filter_map(|c| owners.get(c).copied())
            .filter(|o| !o.is_empty())
            .collect();
        owner.sort_unstable();
        owner.dedup();
        rows.push(SoaRow {
            control: s.requirement.to_string(),
            title: fw.title_in_context(s.requirement.as_str()),
            applicable,
            inclusion,
            exclusion,
            status: Implementation::of(s.result, a.and_then(|a| a.planned)).label(),
            implementing: s.controls.clone(),
            evidence: cells.list(&controls),
            owner: owner.join(", "),
            maturity: a
                .and_then(|a| a.maturity)
                .map(|m| {
                    scale
                        .iter()
                        .find(|l| l.level == m)
                        .map_or_else(|| m.to_string(), |l| format!("{m} {}", l.name))
                })
                .unwrap_or_default(),
            grade: a
                .and_then(|a| a.grade)
                .map(|g| g.as_str().replace('-', " "))
                .unwrap_or_default(),
            assessed: a.map(|a| a.assessed_on.to_string()).unwrap_or_default(),
        });
    }
    let versions: Vec<Version> = history
        .iter()
        .map(|p| Version {
            version: p.version.clone(),
            approved_by: p.approved_by.clone(),
            approved_on: p.approved_on,
            owner: p.owner.clone(),
        })
        .collect();
    let (organization, scope) = program.info.as_ref().map_or_else(Default::default, |i| {
        (i.organization.clone(), i.scope.clone())
    });
    Soa {
        header: SoaHeader {
            title: format!("Statement of Applicability — {}", fw.meta.name),
            organization,
            scope,
            document_id: document_id(fw),
            current: versions.last().cloned(),
            next_review: history.last().and_then(|p| p.next_review),
            history: versions,
            generated: today,
        },
        rows,
        cells,
        program,
    }
}

/// The document as report blocks: header, change history, summary, rule, the table.
pub fn blocks(doc: &Soa<'_>) -> Vec<Block> {
    let h = &doc.header;
    let mut out = vec![
        Block::Title(h.title.clone()),
        Block::Table {
            headers: vec!["Document control".into(), String::new()],
            widths: vec![1.0, 4.0],
            rows: h
                .fields()
                .into_iter()
                .filter(|(k, _)| *k != "Rule")
                .map(|(k, v)| vec![k.to_owned(), v])
                .collect(),
        },
        Block::Heading("Change history".into()),
    ];
    if h.history.is_empty() {
        out.push(Block::Para(
            "No version recorded in the policy register yet.".into(),
        ));
    } else {
        out.push(Block::Table {
            headers: HISTORY_COLUMNS.iter().map(|s| (*s).to_owned()).collect(),
            widths: vec![1.0, 1.0, 2.0, 1.2, 2.0],
            rows: h.history.iter().map(Version::cells).collect(),
        });
    }
    let count = |f: &dyn Fn(&SoaRow) -> bool| doc.rows.iter().filter(|r| f(r)).count();
    let applicable = count(&|r| r.applicable);
    out.push(Block::Heading("Summary".into()));
    out.push(Block::Bullets(vec![
        format!(
            "{} controls: {applicable} applicable, {} excluded",
            doc.rows.len(),
            doc.rows.len() - applicable
        ),
        format!(
            "{} implemented, {} partially implemented, {} planned, {} not implemented",
            count(&|r| r.status == "Implemented"),
            count(&|r| r.status.starts_with("Partially")),
            count(&|r| r.status.starts_with("Planned")),
            count(&|r| r.status == "Not implemented"),
        ),
        format!(
            "{} applicable controls flagged for review: no risk, law, contract or business need is recorded for them",
            count(&|r| r.applicable && r.inclusion == REVIEW)
        ),
    ]));
    out.push(Block::Para(format!("Rule: {SOA_RULE}")));
    out.push(Block::Heading("Controls".into()));
    out.push(Block::Table {
        headers: COLUMNS[..PDF_COLUMNS]
            .iter()
            .map(|(n, _)| (*n).to_owned())
            .collect(),
        widths: COLUMNS[..PDF_COLUMNS].iter().map(|(_, w)| *w).collect(),
        rows: doc
            .rows
            .iter()
            .map(|r| {
                let mut c = r.cells();
                c.truncate(PDF_COLUMNS);
                c
            })
            .collect(),
    });
    out
}

/// The document as a landscape PDF.
pub fn pdf(doc: &Soa<'_>) -> Vec<u8> {
    crate::pdf::render_landscape(&doc.header.title, &blocks(doc))
}
