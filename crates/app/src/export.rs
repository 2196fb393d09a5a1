//! Files auditors take: the Statement of Applicability, the SOC 2 control matrix, the gap
//! report, OSCAL assessment results and the evidence package (and its verification).
//! Each use case returns the document's bytes and a description; the interface decides
//! where they go.

pub use crosswalk_report::soa::SoaRow;
use std::io::Cursor;

use crosswalk_core::crosswalk::Graph;
use crosswalk_core::framework::Framework;
use crosswalk_core::program::{Evaluation, Freshness, Program, RequirementStatus};
use crosswalk_report::gap::ReportFormat;
use crosswalk_report::package::{Manifest, ManifestEntry, Verification};
use crosswalk_report::soa::{self, SoaFormat};
use crosswalk_store::Sha256;

use crate::program::Session;
use crate::standards::resolve;
use crate::{Result, invalid};

/// A document produced for the caller to write or send.
#[derive(Debug)]
pub struct Document {
    /// `soa`, `matrix`, `report`, `oscal-ar` or `evidence`.
    pub kind: &'static str,
    pub bytes: Vec<u8>,
    /// The file extension its format takes (`xlsx`, `pdf`, `html`, `md`, `json`, `zip`).
    pub extension: &'static str,
    /// What it holds, e.g. "the Statement of Applicability for iso27001-2022 (93 controls)".
    pub what: String,
}

impl Document {
    /// The media type of its bytes.
    pub fn media_type(&self) -> &'static str {
        match self.extension {
            "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "pdf" => "application/pdf",
            "html" => "text/html; charset=utf-8",
            "md" => "text/markdown; charset=utf-8",
            "json" => "application/json",
            "zip" => "application/zip",
            _ => "application/octet-stream",
        }
    }

    /// A file name for a download: `<kind>.<extension>`.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.kind, self.extension)
    }
}

/// A document asked for by name, as an interface without file names (the API) asks:
/// `soa` (needs a framework; format `xlsx` or `pdf`), `matrix`, `oscal-ar` (need a
/// framework), `risks`, `poam`, `report` (format `html`, `md` or `pdf`), `evidence`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Export {
    Soa {
        framework: String,
        format: SoaFormat,
    },
    Matrix {
        framework: String,
    },
    OscalAr {
        framework: String,
    },
    Risks,
    Poam,
    Report {
        format: ReportFormat,
    },
    Evidence,
}

impl Export {
    /// The kinds, for messages and documentation.
    pub const KINDS: [&'static str; 7] = [
        "soa", "matrix", "oscal-ar", "risks", "poam", "report", "evidence",
    ];

    /// An export from its kind, framework and format (an extension).
    ///
    /// # Errors
    /// An unknown kind or format; a framework missing where the kind needs one.
    pub fn parse(kind: &str, framework: Option<&str>, format: Option<&str>) -> Result<Self> {
        let framework = || {
            framework
                .map(str::to_owned)
                .ok_or_else(|| invalid!("the {kind} export needs a framework"))
        };
        Ok(match kind {
            "soa" => Export::Soa {
                framework: framework()?,
                format: SoaFormat::from_extension(format.unwrap_or("xlsx"))?,
            },
            "matrix" => Export::Matrix {
                framework: framework()?,
            },
            "oscal-ar" => Export::OscalAr {
                framework: framework()?,
            },
            "risks" => Export::Risks,
            "poam" => Export::Poam,
            "report" => Export::Report {
                format: ReportFormat::from_extension(format.unwrap_or("html"))?,
            },
            "evidence" => Export::Evidence,
            other => {
                return Err(crate::Error::NotFound(format!(
                    "no export `{}`: the exports are {}",
                    other.escape_debug(),
                    Export::KINDS.join(", ")
                )));
            }
        })
    }
}

/// The framework's statuses, which must be in the program's scope.
fn statuses<'a>(
    eval: &'a Evaluation<'_>,
    session: &Session<'_>,
    fw: &Framework,
) -> Result<&'a [RequirementStatus]> {
    let index = session
        .catalog
        .library
        .index_of(fw.id())
        .ok_or_else(|| invalid!("{} is not in the library", fw.id()))?;
    eval.frameworks
        .iter()
        .find(|(i, _)| *i == index)
        .map(|(_, s)| s.as_slice())
        .ok_or_else(|| {
            invalid!(
                "{} is not in the program's scope (crosswalk program add {})",
                fw.id(),
                fw.id()
            )
        })
}

impl Session<'_> {
    /// Produces the document `export` names.
    ///
    /// # Errors
    /// As the export's own use case.
    pub fn export(&mut self, export: &Export) -> Result<Document> {
        match export {
            Export::Soa { framework, format } => self.export_soa(framework, *format),
            Export::Matrix { framework } => self.export_matrix(framework),
            Export::OscalAr { framework } => self.export_oscal_ar(framework),
            Export::Risks => self.export_risks(),
            Export::Poam => self.export_poam(),
            Export::Report { format } => self.export_report(*format),
            Export::Evidence => self.export_evidence(),
        }
    }

    fn framework_export<T>(
        &mut self,
        framework: &str,
        f: impl FnOnce(&Framework, &Program, &[RequirementStatus], &Freshness<'_>) -> Result<T>,
    ) -> Result<T> {
        let program = self.program()?;
        let catalog = self.catalog;
        let fw = resolve(catalog, framework)?;
        let eval = Evaluation::new(&program, &catalog.library, self.clock.today);
        let statuses = statuses(&eval, self, fw)?;
        let fresh = Freshness::new(&program, self.clock.today);
        f(fw, &program, statuses, &fresh)
    }

    /// The Statement of Applicability's rows, as the documents list them (for a page).
    /// Rows are [`SoaRow`]s.
    ///
    /// # Errors
    /// Unknown framework, not in scope, no program.
    pub fn soa_rows(&mut self, framework: &str) -> Result<Vec<crosswalk_report::soa::SoaRow>> {
        let today = self.clock.today;
        self.framework_export(framework, |fw, program, statuses, fresh| {
            Ok(soa::build(fw, program, statuses, fresh, &[], today).rows)
        })
    }

    /// The Statement of Applicability (XLSX or PDF): a controlled document whose header
    /// comes from the policy register entry `SOA-<framework>` (version, owner, approval,
    /// change history).
    ///
    /// # Errors
    /// Unknown framework, not in scope, no program.
    pub fn export_soa(&mut self, framework: &str, format: SoaFormat) -> Result<Document> {
        let fw = resolve(self.catalog, framework)?;
        let history = self.store().policy_history(&soa::document_id(fw))?;
        let today = self.clock.today;
        self.framework_export(framework, |fw, program, statuses, fresh| {
            let doc = soa::build(fw, program, statuses, fresh, &history, today);
            let rows = doc.rows.len();
            let bytes = match format {
                SoaFormat::Xlsx => crosswalk_report::xlsx::soa(&doc)?.0,
                SoaFormat::Pdf => soa::pdf(&doc),
            };
            Ok(Document {
                kind: "soa",
                bytes,
                extension: match format {
                    SoaFormat::Xlsx => "xlsx",
                    SoaFormat::Pdf => "pdf",
                },
                what: format!(
                    "the Statement of Applicability for {} ({rows} controls)",
                    fw.id()
                ),
            })
        })
    }

    /// The risk register, treatment plan and matrix (XLSX).
    ///
    /// # Errors
    /// No program, a store failure.
    pub fn export_risks(&mut self) -> Result<Document> {
        let program = self.program()?;
        let fresh = Freshness::new(&program, self.clock.today);
        let (bytes, n) = crosswalk_report::xlsx::risks(&program, &fresh)?;
        Ok(Document {
            kind: "risks",
            bytes,
            extension: "xlsx",
            what: format!("the risk register ({n} risks)"),
        })
    }

    /// The risk register's treatment plan as an OSCAL plan of action and milestones.
    ///
    /// # Errors
    /// No program, a store failure.
    pub fn export_poam(&mut self) -> Result<Document> {
        let now = jiff::Timestamp::from_second(self.clock.now.as_second())
            .map_err(|e| invalid!("{e}"))?
            .to_string();
        let program = self.program()?;
        let fresh = Freshness::new(&program, self.clock.today);
        let body = crosswalk_oscal::poam(&program, &fresh, &crosswalk_oscal::ExportOptions { now });
        let items = body["poam-items"].as_array().map_or(0, Vec::len);
        Ok(Document {
            kind: "poam",
            bytes: crosswalk_report::oscal_json("plan-of-action-and-milestones", body).into_bytes(),
            extension: "json",
            what: format!(
                "the OSCAL plan of action and milestones ({} risks, {items} needing work)",
                program.risks.len()
            ),
        })
    }

    /// The control matrix (XLSX).
    ///
    /// # Errors
    /// Unknown framework, not in scope, no program.
    pub fn export_matrix(&mut self, framework: &str) -> Result<Document> {
        self.framework_export(framework, |fw, program, statuses, fresh| {
            let (bytes, rows) =
                crosswalk_report::xlsx::control_matrix(fw, program, statuses, fresh)?;
            Ok(Document {
                kind: "matrix",
                bytes,
                extension: "xlsx",
                what: format!("the control matrix for {} ({rows} rows)", fw.id()),
            })
        })
    }

    /// OSCAL assessment results (JSON) for one framework.
    ///
    /// # Errors
    /// Unknown framework, not in scope, no program.
    pub fn export_oscal_ar(&mut self, framework: &str) -> Result<Document> {
        let now = jiff::Timestamp::from_second(self.clock.now.as_second())
            .map_err(|e| invalid!("{e}"))?
            .to_string();
        self.framework_export(framework, |fw, program, statuses, _| {
            let body = crosswalk_oscal::assessment_results(
                fw,
                program,
                statuses,
                &crosswalk_oscal::ExportOptions { now },
            );
            Ok(Document {
                kind: "oscal-ar",
                bytes: crosswalk_report::oscal_json("assessment-results", body).into_bytes(),
                extension: "json",
                what: format!("OSCAL assessment results for {}", fw.id()),
            })
        })
    }

    /// The gap report as Markdown, HTML or PDF.
    ///
    /// # Errors
    /// No program.
    pub fn export_report(&mut self, format: ReportFormat) -> Result<Document> {
        let program = self.program()?;
        let lib = &self.catalog.library;
        let eval = Evaluation::new(&program, lib, self.clock.today);
        let gaps = eval.gaps(lib, &Graph::new(lib));
        let fresh = Freshness::new(&program, self.clock.today);
        let blocks = crosswalk_report::gap::blocks(lib, &eval, &gaps, &fresh);
        let title = crosswalk_report::gap::title(&program);
        Ok(Document {
            kind: "report",
            bytes: crosswalk_report::gap::render(&title, &blocks, format),
            extension: match format {
                ReportFormat::Markdown => "md",
                ReportFormat::Html => "html",
                ReportFormat::Pdf => "pdf",
            },
            what: "the gap report".into(),
        })
    }

    /// The evidence package: stored files by SHA-256 and `manifest.json`.
    ///
    /// # Errors
    /// No program, or a stored file missing or corrupt.
    pub fn export_evidence(&mut self) -> Result<Document> {
        let program = self.program()?;
        let manifest = Manifest {
            organization: program
                .info
                .as_ref()
                .map(|i| i.organization.clone())
                .unwrap_or_default(),
            created: self.clock.today.to_string(),
            evidence: program
                .evidence
                .iter()
                .map(|e| {
                    let sha = e.location.file().map(ToString::to_string);
                    ManifestEntry {
                        id: e.id.clone(),
                        title: e.title.clone(),
                        collected: e.collected.to_string(),
                        valid_until: e.valid_until.map(|d| d.to_string()),
                        controls: e.controls.clone(),
                        location: e.location.to_string(),
                        path: sha.as_ref().map(|h| format!("files/{h}")),
                        sha256: sha,
                    }
                })
                .collect(),
        };
        let mut out = Cursor::new(Vec::new());
        let store = self.store();
        let files = crosswalk_report::package::write(&mut out, &manifest, &mut |hex| {
            let sha = Sha256::parse(hex).map_err(|e| e.to_string())?;
            store.get_file(&sha).map_err(|e| e.to_string())
        })?;
        let n = manifest.evidence.len();
        Ok(Document {
            kind: "evidence",
            bytes: out.into_inner(),
            extension: "zip",
            what: format!(
                "{n} evidence items ({files} files, {} links) with manifest.json",
                n - files
            ),
        })
    }
}

/// Checks an evidence package read from `input`.
///
/// # Errors
/// Not a zip archive, or no readable manifest.
pub fn verify_package(input: impl std::io::Read + std::io::Seek) -> Result<Verification> {
    Ok(crosswalk_report::package::verify(input)?)
}
