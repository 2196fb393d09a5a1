//! The risk register: a likelihood × impact matrix with its acceptance criteria (ISO/IEC
//! 27001 6.1.2 a) 1)), risks rated on it (inherent, current and target residual), their
//! treatment (modify through controls, retain with a recorded acceptance, avoid, share)
//! and treatment plan, and whether a treatment is effective given the controls' status
//! and evidence. Pure: dates come in as parameters.

use std::collections::{BTreeMap, HashSet};

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::program::{ControlStatus, Freshness, Program};

/// One level of a matrix axis or of the risk scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub name: String,
    #[serde(default)]
    pub abbreviation: String,
    #[serde(default)]
    pub description: String,
    /// `#RRGGBB`, for charts.
    #[serde(default)]
    pub color: Option<String>,
}

/// A likelihood × impact matrix: each cell gives a risk level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskMatrix {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// From the least to the most likely.
    pub likelihood: Vec<Level>,
    /// From the least to the most severe.
    pub impact: Vec<Level>,
    /// Risk levels, from the lowest.
    pub risk: Vec<Level>,
    /// `grid[likelihood][impact]`: the index of the cell's risk level.
    pub grid: Vec<Vec<usize>>,
    /// The acceptance criterion: risks at or below this level (an index into `risk`) may
    /// be retained without treatment.
    pub acceptable: usize,
}

/// Axis sizes a matrix may have.
pub const AXIS: std::ops::RangeInclusive<usize> = 3..=6;

impl RiskMatrix {
    /// Checks the shape: 3 to 6 likelihood and impact levels, 2 to 6 risk levels, a full
    /// grid of valid risk levels, an acceptance level on the scale, names present.
    ///
    /// # Errors
    /// Every problem found, each located.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for (axis, levels, range) in [
            ("likelihood", &self.likelihood, AXIS),
            ("impact", &self.impact, AXIS),
            ("risk", &self.risk, 2..=6),
        ] {
            if !range.contains(&levels.len()) {
                problems.push(format!(
                    "{} {axis} levels: a matrix has {} to {}",
                    levels.len(),
                    range.start(),
                    range.end()
                ));
            }
            for (i, l) in levels.iter().enumerate() {
                if l.name.trim().is_empty() {
                    problems.push(format!("{axis} level {} has no name", i + 1));
                }
            }
        }
        if self.grid.len() != self.likelihood.len() {
            problems.push(format!(
                "the grid has {} rows for {} likelihood levels",
                self.grid.len(),
                self.likelihood.len()
            ));
        }
        for (r, row) in self.grid.iter().enumerate() {
            if row.len() != self.impact.len() {
                problems.push(format!(
                    "grid row {} has {} cells for {} impact levels",
                    r + 1,
                    row.len(),
                    self.impact.len()
                ));
            }
            for (c, v) in row.iter().enumerate() {
                if *v >= self.risk.len() {
                    problems.push(format!(
                        "grid row {}, column {}: risk level {v} is not on the scale (0–{})",
                        r + 1,
                        c + 1,
                        self.risk.len().saturating_sub(1)
                    ));
                }
            }
        }
        if self.acceptable >= self.risk.len() {
            problems.push(format!(
                "the acceptable level {} is not on the risk scale",
                self.acceptable
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The risk level of a rating (an index into `risk`), when the rating is on the matrix.
    pub fn level(&self, r: Rating) -> Option<usize> {
        self.grid
            .get(usize::from(r.likelihood).checked_sub(1)?)?
            .get(usize::from(r.impact).checked_sub(1)?)
            .copied()
    }

    /// The risk level's name.
    pub fn level_name(&self, r: Rating) -> Option<&str> {
        self.level(r)
            .and_then(|i| self.risk.get(i))
            .map(|l| l.name.as_str())
    }

    /// Whether a rating is within the acceptance criteria.
    pub fn acceptable(&self, r: Rating) -> bool {
        self.level(r).is_some_and(|l| l <= self.acceptable)
    }

    /// An axis value (1-based) from a number or a level's name or abbreviation, as people
    /// type it.
    pub fn value(&self, axis: Axis, s: &str) -> Option<u8> {
        let levels = match axis {
            Axis::Likelihood => &self.likelihood,
            Axis::Impact => &self.impact,
        };
        let s = s.trim();
        if let Ok(n) = s.parse::<usize>() {
            return (1..=levels.len())
                .contains(&n)
                .then(|| u8::try_from(n).ok())
                .flatten();
        }
        levels
            .iter()
            .position(|l| {
                l.name.eq_ignore_ascii_case(s)
                    || (!l.abbreviation.is_empty() && l.abbreviation.eq_ignore_ascii_case(s))
            })
            .and_then(|i| u8::try_from(i + 1).ok())
    }
}

/// A matrix axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Likelihood,
    Impact,
}

/// The default matrix: 5 × 5 with four risk levels; Low may be retained.
pub fn default_matrix() -> RiskMatrix {
    let levels = |names: [(&str, &str); 5]| -> Vec<Level> {
        names
            .iter()
            .map(|(name, description)| Level {
                name: (*name).into(),
                abbreviation: name.chars().take(1).collect(),
                description: (*description).into(),
                color: None,
            })
            .collect()
    };
    let risk = [
        (
            "Low",
            "Acceptable: monitor at the yearly review.",
            "#63BE7B",
        ),
        (
            "Medium",
            "Treat within the year, or accept with the owner's sign-off.",
            "#FFEB84",
        ),
        (
            "High",
            "Treat within the quarter; report to management.",
            "#F8A45B",
        ),
        (
            "Critical",
            "Treat now; escalate to the executive sponsor.",
            "#E0474C",
        ),
    ]
    .iter()
    .map(|(name, description, color)| Level {
        name: (*name).into(),
        abbreviation: name.chars().take(1).collect(),
        description: (*description).into(),
        color: Some((*color).into()),
    })
    .collect();
    // Level by likelihood + impact (2–10): 2–4 low, 5–6 medium, 7–8 high, 9–10 critical.
    let grid = (1..=5)
        .map(|l| {
            (1..=5)
                .map(|i| match l + i {
                    0..=4 => 0,
                    5..=6 => 1,
                    7..=8 => 2,
                    _ => 3,
                })
                .collect()
        })
        .collect();
    RiskMatrix {
        id: "crosswalk-5x5".into(),
        name: "crosswalk 5 × 5".into(),
        description:
            "Five likelihood and five impact levels; a cell's level follows the sum of the two."
                .into(),
        likelihood: levels([
            ("Rare", "Less than once in ten years."),
            ("Unlikely", "Once in three to ten years."),
            ("Possible", "Once in one to three years."),
            ("Likely", "Once or more a year."),
            (
                "Almost certain",
                "Several times a year, or already happening.",
            ),
        ]),
        impact: levels([
            (
                "Negligible",
                "No effect customers or regulators would notice.",
            ),
            (
                "Minor",
                "Limited disruption or exposure, handled within a team.",
            ),
            (
                "Moderate",
                "Customer-visible disruption or a reportable exposure of limited data.",
            ),
            (
                "Major",
                "Serious outage, breach of customer data, regulatory action.",
            ),
            (
                "Severe",
                "Existential: large breach, long outage, loss of certification.",
            ),
        ]),
        risk,
        grid,
        acceptable: 0,
    }
}

/// A position on the matrix: likelihood and impact, each 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub likelihood: u8,
    pub impact: u8,
}

/// What is done about a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Treatment {
    /// Reduce it through controls.
    Modify,
    /// Keep it, accepted by its owner.
    Retain,
    /// Stop the activity that causes it.
    Avoid,
    /// Transfer part of it (insurance, a contract).
    Share,
}

impl Treatment {
    pub const ALL: [Self; 4] = [Self::Modify, Self::Retain, Self::Avoid, Self::Share];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Modify => "modify",
            Self::Retain => "retain",
            Self::Avoid => "avoid",
            Self::Share => "share",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A risk owner's acceptance of the residual risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub by: String,
    pub on: Date,
    /// When the acceptance lapses and must be renewed.
    #[serde(default)]
    pub until: Option<Date>,
}

/// A step of the treatment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    pub title: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub due: Option<Date>,
    #[serde(default)]
    pub done: bool,
}

/// One risk in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    pub id: String,
    pub title: String,
    /// Assets, processes or AI systems the risk concerns.
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub threat: String,
    #[serde(default)]
    pub vulnerability: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub category: String,
    /// Before any control.
    pub inherent: Rating,
    /// With the controls in place today.
    #[serde(default)]
    pub current: Option<Rating>,
    /// Once the treatment plan is done.
    #[serde(default)]
    pub target: Option<Rating>,
    pub treatment: Treatment,
    /// The program's controls that treat it.
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub acceptance: Option<Acceptance>,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// When the risk is next reviewed.
    #[serde(default)]
    pub review: Option<Date>,
}

impl Risk {
    /// The residual risk as it stands: the current rating, else the inherent one.
    pub fn residual(&self) -> Rating {
        self.current.unwrap_or(self.inherent)
    }
}

/// Checks a risk against the matrix and the program's controls.
///
/// # Errors
/// Every problem: a rating off the matrix, a retained risk with no acceptance or one
/// above the acceptance criteria without an owner's acceptance, a modified risk with no
/// control, unknown controls.
pub fn check_risk(
    risk: &Risk,
    matrix: &RiskMatrix,
    controls: &HashSet<&str>,
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    for (what, r) in [
        ("inherent", Some(risk.inherent)),
        ("current", risk.current),
        ("target", risk.target),
    ] {
        if let Some(r) = r
            && matrix.level(r).is_none()
        {
            problems.push(format!(
                "{what} rating likelihood {} × impact {} is off the {} × {} matrix",
                r.likelihood,
                r.impact,
                matrix.likelihood.len(),
                matrix.impact.len()
            ));
        }
    }
    match risk.treatment {
        Treatment::Retain if risk.acceptance.is_none() => problems.push(
            "a retained risk needs its owner's recorded acceptance (--accepted-by NAME)".into(),
        ),
        Treatment::Modify if risk.controls.is_empty() => problems.push(
            "a risk treated by modification names the controls that treat it (--control ID)".into(),
        ),
        _ => {}
    }
    if let Some(a) = &risk.acceptance {
        if a.by.trim().is_empty() {
            problems.push("an acceptance names who accepted".into());
        }
        if a.until.is_some_and(|u| u < a.on) {
            problems.push("an acceptance cannot lapse before it was given".into());
        }
    }
    for c in &risk.controls {
        if !controls.contains(c.as_str()) {
            problems.push(format!("no control `{c}`"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Whether a risk's treatment works as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Effectiveness {
    /// Every control treating it is in place with current evidence; or the risk is
    /// retained with an acceptance in force, avoided or shared.
    Effective,
    /// Some control is not in place or lacks current evidence, or an acceptance lapsed.
    NotEffective { reasons: Vec<String> },
}

/// Judges each risk's treatment on `fresh`'s date: a modified risk is effective only when
/// every control treating it is implemented or operating and has current evidence; a
/// retained risk only while its acceptance is in force.
pub fn effectiveness(risk: &Risk, program: &Program, fresh: &Freshness<'_>) -> Effectiveness {
    let mut reasons = Vec::new();
    match risk.treatment {
        Treatment::Modify => {
            for c in &risk.controls {
                match program.controls.iter().find(|x| &x.id == c) {
                    None => reasons.push(format!("{c} no longer exists")),
                    Some(x)
                        if !matches!(
                            x.status,
                            ControlStatus::Implemented | ControlStatus::Operating
                        ) =>
                    {
                        reasons.push(format!("{c} is {}", x.status.as_str()));
                    }
                    Some(_) if !fresh.has_current(c) => {
                        reasons.push(format!("{c} has no current evidence"));
                    }
                    Some(_) => {}
                }
            }
        }
        Treatment::Retain => match &risk.acceptance {
            Some(a) if a.until.is_some_and(|u| u < fresh.today()) => {
                reasons.push(format!("the acceptance by {} lapsed", a.by));
            }
            None => reasons.push("no recorded acceptance".into()),
            Some(_) => {}
        },
        Treatment::Avoid | Treatment::Share => {}
    }
    if reasons.is_empty() {
        Effectiveness::Effective
    } else {
        Effectiveness::NotEffective { reasons }
    }
}

/// The risks each control treats, by control id.
pub fn risks_by_control(risks: &[Risk]) -> BTreeMap<&str, Vec<&Risk>> {
    let mut out: BTreeMap<&str, Vec<&Risk>> = BTreeMap::new();
    for r in risks {
        for c in &r.controls {
            out.entry(c.as_str()).or_default().push(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_matrix_is_well_formed_and_symmetric() {
        let m = default_matrix();
        m.check().unwrap();
        for l in 1..=5u8 {
            for i in 1..=5u8 {
                let a = m.level(Rating {
                    likelihood: l,
                    impact: i,
                });
                let b = m.level(Rating {
                    likelihood: i,
                    impact: l,
                });
                assert_eq!(a, b);
            }
        }
        assert_eq!(
            m.level_name(Rating {
                likelihood: 5,
                impact: 5
            }),
            Some("Critical")
        );
        assert!(m.acceptable(Rating {
            likelihood: 1,
            impact: 2
        }));
        assert!(
            m.level(Rating {
                likelihood: 0,
                impact: 1
            })
            .is_none()
        );
        assert_eq!(m.value(Axis::Likelihood, "likely"), Some(4));
        assert_eq!(m.value(Axis::Impact, "3"), Some(3));
        assert_eq!(m.value(Axis::Impact, "6"), None);
    }

    #[test]
    fn a_treatment_stops_working_when_its_evidence_goes_stale() {
        use crate::evidence::Location;
        use crate::program::{Control, Evidence};
        use jiff::civil::date;
        let program = Program {
            controls: vec![Control {
                id: "IAM-1".into(),
                title: "SSO".into(),
                description: String::new(),
                owner: "IT".into(),
                status: ControlStatus::Operating,
                frequency: "yearly".into(),
            }],
            evidence: vec![Evidence {
                id: "EV-1".into(),
                title: "Review".into(),
                location: Location::parse("https://e.example/1").unwrap(),
                collected: date(2026, 1, 10),
                valid_until: None,
                controls: vec!["IAM-1".into()],
            }],
            ..Program::default()
        };
        let risk = Risk {
            id: "R-1".into(),
            title: "Account takeover".into(),
            scope: String::new(),
            threat: String::new(),
            vulnerability: String::new(),
            owner: String::new(),
            category: String::new(),
            inherent: Rating {
                likelihood: 4,
                impact: 4,
            },
            current: None,
            target: None,
            treatment: Treatment::Modify,
            controls: vec!["IAM-1".into()],
            acceptance: None,
            actions: vec![],
            review: None,
        };
        let on = |d| effectiveness(&risk, &program, &Freshness::new(&program, d));
        assert_eq!(on(date(2026, 6, 1)), Effectiveness::Effective);
        assert_eq!(
            on(date(2027, 6, 1)),
            Effectiveness::NotEffective {
                reasons: vec!["IAM-1 has no current evidence".into()]
            }
        );
        // A retained risk works while its acceptance is in force.
        let retained = Risk {
            treatment: Treatment::Retain,
            controls: vec![],
            acceptance: Some(Acceptance {
                by: "CEO".into(),
                on: date(2026, 1, 1),
                until: Some(date(2026, 12, 31)),
            }),
            ..risk.clone()
        };
        let fresh = Freshness::new(&program, date(2027, 1, 1));
        assert!(matches!(
            effectiveness(&retained, &program, &fresh),
            Effectiveness::NotEffective { .. }
        ));
        let controls: HashSet<&str> = ["IAM-1"].into();
        check_risk(&retained, &default_matrix(), &controls).unwrap();
        let unaccepted = Risk {
            acceptance: None,
            ..retained
        };
        assert!(check_risk(&unaccepted, &default_matrix(), &controls).is_err());
    }

    #[test]
    fn a_bad_matrix_lists_every_problem() {
        let mut m = default_matrix();
        m.grid[1].pop();
        m.grid[2][0] = 9;
        m.acceptable = 7;
        m.impact.truncate(2);
        let problems = m.check().unwrap_err();
        assert_eq!(problems.len(), 8, "{problems:?}");
        assert_eq!(problems[0], "2 impact levels: a matrix has 3 to 6");
        assert!(
            problems.contains(
                &"grid row 3, column 1: risk level 9 is not on the scale (0–3)".to_owned()
            )
        );
        assert!(problems.contains(&"the acceptable level 7 is not on the risk scale".to_owned()));
    }
}
