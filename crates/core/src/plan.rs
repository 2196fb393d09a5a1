//! A phased plan per framework in scope and the audit calendar that follows from it.
//!
//! Each framework's phases come from its profile's typical timeline; a phase takes its
//! minimum duration when the program is fully ready and its maximum when nothing is done,
//! in proportion to readiness between. Plans run back from the target date when there is
//! one (forward from today when there is none, or when the target is too close), and the
//! calendar follows each target's cycle.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;

use crate::ids::FrameworkId;
use crate::library::Library;
use crate::program::{FrameworkStatus, InScope, Target};

/// The planning rule, stated with every plan.
pub const PLAN_RULE: &str = "Phases follow each standard's typical timeline. A phase lasts its typical minimum when the program is fully ready and its maximum when nothing is in place, in proportion to readiness between (weeks = min + (max − min) × (1 − readiness)). A SOC 2 Type 2 skips the optional Type 1 phase and its observation window takes the target's months. Plans end on the target date when there is one and it can be met; otherwise they start today and the plan says how late they finish.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedPhase {
    pub phase: String,
    pub start: Date,
    pub end: Date,
    pub weeks: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub date: Date,
    pub event: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkPlan {
    pub framework: FrameworkId,
    pub readiness: f64,
    pub target_date: Option<Date>,
    pub phases: Vec<PlannedPhase>,
    pub calendar: Vec<Event>,
    /// Set when the plan cannot finish by the target date.
    pub late_by_weeks: Option<i64>,
}

fn weeks_for(min: u32, max: u32, readiness: f64) -> i64 {
    let span = f64::from(max.saturating_sub(min));
    #[allow(clippy::cast_possible_truncation)]
    let w = (f64::from(min) + span * (1.0 - readiness.clamp(0.0, 1.0))).round() as i64;
    w.max(1)
}

fn plus_weeks(d: Date, w: i64) -> Date {
    d.checked_add(w.weeks()).unwrap_or(d)
}

pub fn plus_months(d: Date, m: i64) -> Date {
    d.checked_add(m.months()).unwrap_or(d)
}

/// Plans every framework in scope that has a profile timeline.
pub fn plan(
    lib: &Library,
    scope: &[InScope],
    status: &[FrameworkStatus],
    today: Date,
) -> Vec<FrameworkPlan> {
    let mut out = Vec::new();
    for s in scope {
        let Some(fw) = lib.resolve(s.framework.as_str()) else {
            continue;
        };
        let Some(profile) = lib.profile(&fw.meta.family) else {
            continue;
        };
        let readiness = status
            .iter()
            .find(|x| x.framework == s.framework)
            .map_or(0.0, |x| x.readiness);
        let mut phases: Vec<(String, i64)> = Vec::new();
        for p in &profile.timeline {
            let name = p.phase.clone();
            let weeks = match &s.target {
                Target::Soc2 { report_type: 2, .. } if name.contains("Type 1") => continue,
                Target::Soc2 { report_type: 1, .. } if name.contains("Type 2") => continue,
                Target::Soc2 {
                    window_months: Some(m),
                    ..
                } if name.contains("observation") => (i64::from(*m) * 13 + 1) / 3,
                _ => weeks_for(p.min_weeks, p.max_weeks, readiness),
            };
            phases.push((name, weeks));
        }
        if phases.is_empty() {
            continue;
        }
        let total: i64 = phases.iter().map(|(_, w)| w).sum();
        let (start, late) = match s.target_date {
            Some(t) => {
                let start = t.checked_sub(total.weeks()).unwrap_or(today);
                if start >= today {
                    (start, None)
                } else {
                    let days = today.since(start).map_or(0, |sp| i64::from(sp.get_days()));
                    (today, Some((days + 6) / 7))
                }
            }
            None => (today, None),
        };
        let mut at = start;
        let mut planned = Vec::new();
        for (phase, weeks) in phases {
            let end = plus_weeks(at, weeks);
            planned.push(PlannedPhase {
                phase,
                start: at,
                end,
                weeks,
            });
            at = end;
        }
        let finish = at;
        let find = |needle: &str| planned.iter().find(|p| p.phase.contains(needle));
        let mut calendar = Vec::new();
        let mut ev = |date: Date, event: String| calendar.push(Event { date, event });
        match &s.target {
            Target::Soc2 { report_type: 2, .. } => {
                if let Some(p) = find("observation") {
                    ev(p.start, "Type 2 observation window opens".into());
                    ev(p.end, "Type 2 observation window closes".into());
                    ev(finish, "SOC 2 Type 2 report issued".into());
                    ev(
                        plus_months(p.end, 12),
                        "Next 12-month window closes (annual renewal); a bridge letter covers the gap until that report".into(),
                    );
                }
            }
            Target::Soc2 { .. } => {
                ev(
                    finish,
                    "SOC 2 Type 1 report issued (controls as of one date)".into(),
                );
                ev(
                    plus_months(finish, 3),
                    "Earliest sensible Type 2 window close (3 months of operation)".into(),
                );
            }
            Target::Certification => {
                if let Some(p) = find("Stage 1") {
                    ev(
                        p.start,
                        "Stage 1 audit (documentation and readiness)".into(),
                    );
                }
                if let Some(p) = find("Stage 2") {
                    ev(
                        p.start,
                        "Stage 2 audit (implementation and effectiveness)".into(),
                    );
                }
                ev(finish, "Certificate issued (valid 3 years)".into());
                ev(plus_months(finish, 12), "Surveillance audit 1".into());
                ev(plus_months(finish, 24), "Surveillance audit 2".into());
                ev(
                    plus_months(finish, 33),
                    "Recertification audit (before the certificate expires)".into(),
                );
            }
            Target::Compliance => {
                ev(finish, "Plan complete: obligations met".into());
                ev(plus_months(finish, 12), "Yearly reassessment".into());
            }
        }
        calendar.sort_by_key(|e| e.date);
        out.push(FrameworkPlan {
            framework: s.framework.clone(),
            readiness,
            target_date: s.target_date,
            phases: planned,
            calendar,
            late_by_weeks: late,
        });
    }
    out
}
