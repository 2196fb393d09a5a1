//! The risk register's use cases: the matrix (shown, imported from CISO Assistant), risks
//! added, updated, accepted and listed with their levels and whether their treatment is
//! effective today.

use std::collections::HashSet;

use crosswalk_core::program::{Freshness, Program, check_id, check_title};
use crosswalk_core::risk::{
    Acceptance, Action, Axis, Effectiveness, Rating, Risk, RiskMatrix, Treatment, check_risk,
    effectiveness,
};
use crosswalk_store::Change;
use jiff::civil::Date;
use serde::Serialize;

use crate::program::Session;
use crate::{Error, Result, bail, invalid};

/// A risk as `risk list --json` gives it.
#[derive(Debug, Clone, Serialize)]
pub struct RiskView {
    pub id: String,
    pub title: String,
    pub owner: String,
    /// Inherent likelihood and impact, 1-based on the matrix.
    pub likelihood: u8,
    pub impact: u8,
    /// The inherent risk level's name.
    pub level: String,
    pub treatment: Treatment,
    pub controls: Vec<String>,
    /// The residual level as it stands (current rating, else inherent).
    pub residual: String,
    /// The target residual level, once the plan is done.
    pub target: Option<String>,
    /// Whether the residual risk is within the acceptance criteria.
    pub acceptable: bool,
    pub effectiveness: Effectiveness,
    pub scope: String,
    pub category: String,
    pub acceptance: Option<Acceptance>,
    pub actions: Vec<Action>,
    pub review: Option<Date>,
}

/// `risk show --json`: the risk and every version of it, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct RiskDetail {
    #[serde(flatten)]
    pub risk: RiskView,
    pub history: Vec<Risk>,
}

/// `risk matrix import --json`.
#[derive(Debug, Clone, Serialize)]
pub struct MatrixSummary {
    pub id: String,
    pub name: String,
    pub likelihood_levels: usize,
    pub impact_levels: usize,
    pub risk_levels: usize,
    pub likelihood: Vec<String>,
    pub impact: Vec<String>,
    pub risk: Vec<String>,
    /// `grid[likelihood][impact]`: risk level names.
    pub grid: Vec<Vec<String>>,
    /// The highest level that may be retained without treatment.
    pub acceptable: String,
}

impl From<&RiskMatrix> for MatrixSummary {
    fn from(m: &RiskMatrix) -> Self {
        let names = |l: &[crosswalk_core::risk::Level]| l.iter().map(|x| x.name.clone()).collect();
        Self {
            id: m.id.clone(),
            name: m.name.clone(),
            likelihood_levels: m.likelihood.len(),
            impact_levels: m.impact.len(),
            risk_levels: m.risk.len(),
            likelihood: names(&m.likelihood),
            impact: names(&m.impact),
            risk: names(&m.risk),
            grid: m
                .grid
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|i| m.risk.get(*i).map(|l| l.name.clone()).unwrap_or_default())
                        .collect()
                })
                .collect(),
            acceptable: m
                .risk
                .get(m.acceptable)
                .map(|l| l.name.clone())
                .unwrap_or_default(),
        }
    }
}

/// `risk add` and `risk update`: fields as typed; `None` leaves a field as it is (update)
/// or empty (add).
#[derive(Debug, Clone, Default)]
pub struct RiskInput {
    pub id: Option<String>,
    pub title: Option<String>,
    pub scope: Option<String>,
    pub threat: Option<String>,
    pub vulnerability: Option<String>,
    pub owner: Option<String>,
    pub category: Option<String>,
    /// Inherent rating: level numbers (1-based) or names.
    pub likelihood: Option<String>,
    pub impact: Option<String>,
    pub current: Option<(String, String)>,
    pub target: Option<(String, String)>,
    pub treatment: Option<String>,
    /// Replaces the controls when given (an empty list clears them on update).
    pub controls: Option<Vec<String>>,
    pub accepted_by: Option<String>,
    pub accepted_until: Option<Date>,
    pub review: Option<Date>,
    /// Treatment-plan actions to add: title, owner, due date.
    pub actions: Vec<(String, String, Option<Date>)>,
}

fn rating(m: &RiskMatrix, (l, i): (&str, &str), what: &str) -> Result<Rating> {
    let axis = |axis: Axis, v: &str, name: &str, levels: &[crosswalk_core::risk::Level]| {
        m.value(axis, v).ok_or_else(|| {
            invalid!(
                "{what} {name} `{v}`: use 1–{} or a level name ({})",
                levels.len(),
                levels
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    };
    Ok(Rating {
        likelihood: axis(Axis::Likelihood, l, "likelihood", &m.likelihood)?,
        impact: axis(Axis::Impact, i, "impact", &m.impact)?,
    })
}

fn view(risk: &Risk, m: &RiskMatrix, program: &Program, fresh: &Freshness<'_>) -> RiskView {
    let name = |r: Rating| m.level_name(r).unwrap_or_default().to_owned();
    RiskView {
        id: risk.id.clone(),
        title: risk.title.clone(),
        owner: risk.owner.clone(),
        likelihood: risk.inherent.likelihood,
        impact: risk.inherent.impact,
        level: name(risk.inherent),
        treatment: risk.treatment,
        controls: risk.controls.clone(),
        residual: name(risk.residual()),
        target: risk.target.map(name),
        acceptable: m.acceptable(risk.residual()),
        effectiveness: effectiveness(risk, program, fresh),
        scope: risk.scope.clone(),
        category: risk.category.clone(),
        acceptance: risk.acceptance.clone(),
        actions: risk.actions.clone(),
        review: risk.review,
    }
}

impl Session<'_> {
    /// The risk matrix in force.
    ///
    /// # Errors
    /// No program, a store failure.
    pub fn risk_matrix(&mut self) -> Result<MatrixSummary> {
        Ok(MatrixSummary::from(&self.program()?.risk_matrix()))
    }

    /// Replaces the risk matrix with the first one of a CISO Assistant library file.
    /// `acceptable` names the highest risk level that may be retained (default the
    /// lowest).
    ///
    /// # Errors
    /// A bad file, an unknown level, or risks whose ratings fall off the new matrix.
    pub fn import_risk_matrix(
        &mut self,
        name: &str,
        text: &str,
        acceptable: Option<&str>,
    ) -> Result<MatrixSummary> {
        let mut matrices =
            crosswalk_format::risk_matrix::ciso_assistant(name, text, 0).map_err(Error::Invalid)?;
        let mut m = matrices.remove(0);
        if let Some(a) = acceptable {
            m.acceptable = m
                .risk
                .iter()
                .position(|l| {
                    l.name.eq_ignore_ascii_case(a.trim())
                        || l.abbreviation.eq_ignore_ascii_case(a.trim())
                })
                .ok_or_else(|| {
                    invalid!(
                        "--acceptable `{a}`: use one of {}",
                        m.risk
                            .iter()
                            .map(|l| l.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
        }
        let program = self.program()?;
        if let Some(r) = program.risks.iter().find(|r| {
            [Some(r.inherent), r.current, r.target]
                .into_iter()
                .flatten()
                .any(|x| m.level(x).is_none())
        }) {
            bail!(
                "risk {} is rated off the new {} × {} matrix; re-rate it first; nothing was changed",
                r.id,
                m.likelihood.len(),
                m.impact.len()
            );
        }
        let summary = MatrixSummary::from(&m);
        self.apply(&[Change::SetRiskMatrix(Some(m))])?;
        Ok(summary)
    }

    /// The risk register with levels and effectiveness on today's date.
    ///
    /// # Errors
    /// No program, a store failure.
    pub fn risks(&mut self) -> Result<Vec<RiskView>> {
        let program = self.program()?;
        let m = program.risk_matrix();
        let fresh = Freshness::new(&program, self.clock.today);
        Ok(program
            .risks
            .iter()
            .map(|r| view(r, &m, &program, &fresh))
            .collect())
    }

    /// One risk, with every version recorded.
    ///
    /// # Errors
    /// No such risk, no program.
    pub fn risk(&mut self, id: &str) -> Result<RiskDetail> {
        let risk = self
            .risks()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| invalid!("no risk `{id}` (see `crosswalk risk list`)"))?;
        Ok(RiskDetail {
            risk,
            history: self.store().risk_history(id)?,
        })
    }

    /// Adds a risk (the store numbers it `R-<n>` unless an id is given).
    ///
    /// # Errors
    /// Missing title or rating, a rating off the matrix, a retained risk without an
    /// acceptance, a modified risk without controls, unknown controls, a duplicate id.
    pub fn add_risk(&mut self, input: RiskInput) -> Result<RiskView> {
        let program = self.program()?;
        let id = input
            .id
            .as_deref()
            .map(|i| check_id("risk id", i))
            .transpose()
            .map_err(Error::Invalid)?
            .unwrap_or_default();
        if !id.is_empty() && program.risks.iter().any(|r| r.id == id) {
            bail!("risk `{id}` already exists (change it with `crosswalk risk update {id}`)");
        }
        let (Some(l), Some(i)) = (input.likelihood.as_deref(), input.impact.as_deref()) else {
            bail!("a risk needs --likelihood and --impact");
        };
        let m = program.risk_matrix();
        let risk = Risk {
            id,
            title: check_title("risk title", input.title.as_deref().unwrap_or_default())
                .map_err(Error::Invalid)?,
            scope: String::new(),
            threat: String::new(),
            vulnerability: String::new(),
            owner: String::new(),
            category: String::new(),
            inherent: rating(&m, (l, i), "inherent")?,
            current: None,
            target: None,
            treatment: Treatment::Modify,
            controls: Vec::new(),
            acceptance: None,
            actions: Vec::new(),
            review: None,
        };
        self.save_risk(&program, &m, risk, input)
    }

    /// Changes the fields given of a risk; a new version goes in its history.
    ///
    /// # Errors
    /// As [`Session::add_risk`], or no such risk.
    pub fn update_risk(&mut self, id: &str, input: RiskInput) -> Result<RiskView> {
        let program = self.program()?;
        let Some(risk) = program.risks.iter().find(|r| r.id == id).cloned() else {
            bail!("no risk `{id}` (see `crosswalk risk list`)");
        };
        let m = program.risk_matrix();
        let mut risk = risk;
        if let Some(t) = input.title.as_deref() {
            risk.title = check_title("risk title", t).map_err(Error::Invalid)?;
        }
        match (input.likelihood.as_deref(), input.impact.as_deref()) {
            (Some(l), Some(i)) => risk.inherent = rating(&m, (l, i), "inherent")?,
            (None, None) => {}
            _ => bail!("give --likelihood and --impact together"),
        }
        self.save_risk(&program, &m, risk, input)
    }

    fn save_risk(
        &mut self,
        program: &Program,
        m: &RiskMatrix,
        mut risk: Risk,
        input: RiskInput,
    ) -> Result<RiskView> {
        let text = |s: Option<String>, old: &mut String| {
            if let Some(s) = s {
                *old = s.trim().to_owned();
            }
        };
        text(input.scope, &mut risk.scope);
        text(input.threat, &mut risk.threat);
        text(input.vulnerability, &mut risk.vulnerability);
        text(input.owner, &mut risk.owner);
        text(input.category, &mut risk.category);
        if let Some((l, i)) = &input.current {
            risk.current = Some(rating(m, (l, i), "current")?);
        }
        if let Some((l, i)) = &input.target {
            risk.target = Some(rating(m, (l, i), "target")?);
        }
        if let Some(t) = input.treatment.as_deref() {
            risk.treatment = Treatment::parse(t.trim()).ok_or_else(|| {
                invalid!(
                    "--treatment `{t}`: use {}",
                    Treatment::ALL.map(Treatment::as_str).join(", ")
                )
            })?;
        }
        if let Some(c) = input.controls {
            risk.controls = c.into_iter().map(|c| c.trim().to_owned()).collect();
            risk.controls.dedup();
        }
        if let Some(by) = input.accepted_by {
            risk.acceptance = Some(Acceptance {
                by: by.trim().to_owned(),
                on: self.clock.today,
                until: input.accepted_until,
            });
        } else if input.accepted_until.is_some() {
            bail!("--accepted-until goes with --accepted-by");
        }
        if input.review.is_some() {
            risk.review = input.review;
        }
        for (title, owner, due) in input.actions {
            risk.actions.push(Action {
                title: check_title("action", &title).map_err(Error::Invalid)?,
                owner,
                due,
                done: false,
            });
        }
        let controls: HashSet<&str> = program.controls.iter().map(|c| c.id.as_str()).collect();
        check_risk(&risk, m, &controls)
            .map_err(|p| invalid!("{}; nothing was changed", p.join("; ")))?;
        let applied = self
            .store()
            .apply_returning(&[Change::SetRisk(risk.clone())])
            .map_err(|e| invalid!("{e}; nothing was changed"))?;
        if let Some(id) = applied.ids.into_iter().next() {
            risk.id = id;
        }
        let program = self.program()?;
        let fresh = Freshness::new(&program, self.clock.today);
        Ok(view(&risk, m, &program, &fresh))
    }
}

/// What a register import read.
#[derive(Debug, Clone, Serialize)]
pub struct RisksImported {
    /// The ids of the risks added, in file order.
    pub ids: Vec<String>,
    /// Each column read: its header and the field it filled.
    pub columns: Vec<(String, &'static str)>,
    /// Headers that name no field: read by nothing (said, never silent).
    pub ignored: Vec<String>,
}

/// The fields a register column can fill, with the headers (normalised: lowercase, words
/// separated by single spaces) that name each.
const RISK_COLUMNS: [(&str, &[&str]); 18] = [
    ("id", &["id", "risk id", "ref", "reference"]),
    (
        "title",
        &["title", "risk", "name", "risk title", "description"],
    ),
    (
        "likelihood",
        &["likelihood", "probability", "inherent likelihood"],
    ),
    (
        "impact",
        &["impact", "severity", "consequence", "inherent impact"],
    ),
    (
        "current likelihood",
        &["current likelihood", "residual likelihood"],
    ),
    ("current impact", &["current impact", "residual impact"]),
    ("target likelihood", &["target likelihood"]),
    ("target impact", &["target impact"]),
    ("owner", &["owner", "risk owner"]),
    ("treatment", &["treatment", "strategy", "treatment option"]),
    ("controls", &["controls", "control", "treating controls"]),
    ("scope", &["scope", "asset", "assets", "process"]),
    ("threat", &["threat", "threats"]),
    ("vulnerability", &["vulnerability", "vulnerabilities"]),
    ("category", &["category", "type"]),
    ("accepted by", &["accepted by", "acceptance by"]),
    ("accepted until", &["accepted until", "acceptance until"]),
    ("review", &["review", "next review", "review date"]),
];

fn normalise(header: &str) -> String {
    header
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Session<'_> {
    /// Imports a risk register from CSV or XLSX (columns named by their headers, see
    /// `docs/cli.md`): all or nothing, every problem reported with its row.
    ///
    /// # Errors
    /// An unreadable file, no title/likelihood/impact column, or row problems.
    pub fn import_risks(
        &mut self,
        file: &std::path::Path,
        sheet: Option<&str>,
    ) -> Result<RisksImported> {
        let name = file.display().to_string();
        let table =
            crosswalk_sheets::read_table(file, &name, sheet, 1).map_err(|e| invalid!("{e}"))?;
        let mut at: std::collections::HashMap<&'static str, usize> =
            std::collections::HashMap::new();
        let mut columns = Vec::new();
        let mut ignored = Vec::new();
        for (i, h) in table.headers.iter().enumerate() {
            let n = normalise(h);
            match RISK_COLUMNS
                .iter()
                .find(|(_, names)| names.contains(&n.as_str()))
            {
                Some((field, _)) if !at.contains_key(field) => {
                    at.insert(field, i);
                    columns.push((h.clone(), *field));
                }
                _ if !h.trim().is_empty() => ignored.push(h.clone()),
                _ => {}
            }
        }
        for needed in ["title", "likelihood", "impact"] {
            if !at.contains_key(needed) {
                bail!(
                    "{name}: no `{needed}` column; the header row has: {}",
                    table.headers.join(" | ")
                );
            }
        }
        let program = self.program()?;
        let m = program.risk_matrix();
        let controls: HashSet<&str> = program.controls.iter().map(|c| c.id.as_str()).collect();
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut problems = Vec::new();
        let mut changes = Vec::new();
        for (row_no, row) in &table.rows {
            let cell = |f: &str| {
                at.get(f)
                    .map_or("", |i| crosswalk_sheets::Table::cell(row, *i))
                    .to_owned()
            };
            let here = format!("{name}: row {row_no}");
            let mut problem = |p: String| problems.push(format!("{here}: {p}"));
            let id = cell("id");
            if !id.is_empty() {
                if let Some(first) = seen.insert(id.clone(), *row_no) {
                    problem(format!("risk `{id}` is also on row {first}"));
                    continue;
                }
                if program.risks.iter().any(|r| r.id == id) {
                    problem(format!("risk `{id}` is already in the register"));
                    continue;
                }
            }
            let title = match check_title("title", &cell("title")) {
                Ok(t) => t,
                Err(e) => {
                    problem(e);
                    continue;
                }
            };
            let pair =
                |l: &str, i: &str, what: &str| -> std::result::Result<Option<Rating>, String> {
                    match (cell(l), cell(i)) {
                        (a, b) if a.is_empty() && b.is_empty() => Ok(None),
                        (a, b) => rating(&m, (&a, &b), what)
                            .map(Some)
                            .map_err(|e| e.to_string()),
                    }
                };
            let ratings = (
                pair("likelihood", "impact", "inherent"),
                pair("current likelihood", "current impact", "current"),
                pair("target likelihood", "target impact", "target"),
            );
            let (inherent, current, target) = match ratings {
                (Ok(Some(a)), Ok(b), Ok(c)) => (a, b, c),
                (Ok(None), _, _) => {
                    problem("no likelihood and impact".into());
                    continue;
                }
                (a, b, c) => {
                    for e in [a.err(), b.err(), c.err()].into_iter().flatten() {
                        problem(e);
                    }
                    continue;
                }
            };
            let treatment = match cell("treatment").to_lowercase().as_str() {
                "" | "modify" | "mitigate" | "reduce" | "treat" => Treatment::Modify,
                "retain" | "accept" => Treatment::Retain,
                "avoid" | "terminate" => Treatment::Avoid,
                "share" | "transfer" => Treatment::Share,
                other => {
                    problem(format!(
                        "treatment `{other}`: use modify, retain, avoid or share"
                    ));
                    continue;
                }
            };
            let day = |f: &str| -> std::result::Result<Option<Date>, String> {
                let v = cell(f);
                if v.is_empty() {
                    return Ok(None);
                }
                v.parse()
                    .map(Some)
                    .map_err(|_| format!("{f} `{v}` is not a date (YYYY-MM-DD)"))
            };
            let (until, review) = match (day("accepted until"), day("review")) {
                (Ok(u), Ok(r)) => (u, r),
                (u, r) => {
                    for e in [u.err(), r.err()].into_iter().flatten() {
                        problem(e);
                    }
                    continue;
                }
            };
            let by = cell("accepted by");
            let risk = Risk {
                id: id.clone(),
                title,
                scope: cell("scope"),
                threat: cell("threat"),
                vulnerability: cell("vulnerability"),
                owner: cell("owner"),
                category: cell("category"),
                inherent,
                current,
                target,
                treatment,
                controls: cell("controls")
                    .split([',', ';', '\n'])
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
                acceptance: (!by.is_empty()).then_some(Acceptance {
                    by,
                    on: self.clock.today,
                    until,
                }),
                actions: Vec::new(),
                review,
            };
            if let Err(p) = check_risk(&risk, &m, &controls) {
                for p in p {
                    problem(p);
                }
                continue;
            }
            changes.push(Change::SetRisk(risk));
        }
        if !problems.is_empty() {
            return Err(crate::problems(
                format!("{name}: nothing was imported",),
                problems,
                50,
            ));
        }
        let applied = self
            .store()
            .apply_returning(&changes)
            .map_err(|e| invalid!("{e}; nothing was imported"))?;
        let mut generated = applied.ids.into_iter();
        let ids = changes
            .iter()
            .filter_map(|c| match c {
                Change::SetRisk(r) if r.id.is_empty() => generated.next(),
                Change::SetRisk(r) => Some(r.id.clone()),
                _ => None,
            })
            .collect();
        Ok(RisksImported {
            ids,
            columns,
            ignored,
        })
    }
}
