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

fn plus_months(d: Date, m: i64) -> Date {
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

/// A Gantt chart of the plans, with the calendar's events as diamonds, as SVG.
pub fn gantt_svg(plans: &[FrameworkPlan], today: Date) -> String {
    const LEFT: f64 = 330.0;
    const WIDTH: f64 = 760.0;
    const ROW: f64 = 22.0;
    let first = plans
        .iter()
        .flat_map(|p| p.phases.first().map(|x| x.start))
        .min()
        .unwrap_or(today)
        .min(today);
    // The chart runs to a year past the last phase, so the first renewal or surveillance
    // shows; later events are in the calendar text.
    let last = plus_months(
        plans
            .iter()
            .filter_map(|p| p.phases.last().map(|x| x.end))
            .max()
            .unwrap_or(today),
        13,
    );
    let days = |d: Date| first.until(d).map_or(0.0, |s| f64::from(s.get_days()));
    let span = days(last).max(30.0);
    let x = |d: Date| LEFT + WIDTH * days(d) / span;
    let rows: usize = plans.iter().map(|p| p.phases.len() + 2).sum();
    #[allow(clippy::cast_precision_loss)]
    let height = 40.0 + ROW * rows as f64;
    let colours = [
        "#2f6db5", "#2e8b57", "#b5651d", "#7b4fa0", "#b03a48", "#3a8fa0",
    ];
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" font-family="sans-serif" font-size="11" role="img" aria-label="Plan and audit calendar">"##,
        LEFT + WIDTH + 20.0
    );
    // Month grid, labelled every few months so labels never collide.
    let months = (span / 30.4).ceil().max(1.0);
    #[allow(clippy::cast_possible_truncation)]
    let every = ((months * 52.0 / WIDTH).ceil() as i64).max(1);
    let mut m = Date::new(first.year(), first.month(), 1).unwrap_or(first);
    let mut n = 0i64;
    while m <= last {
        let gx = x(m);
        n += 1;
        if gx >= LEFT && (n - 1) % every == 0 {
            svg.push_str(&format!(
                r##"<line x1="{gx:.1}" y1="20" x2="{gx:.1}" y2="{height}" stroke="#e3e3e3"/><text x="{:.1}" y="14" fill="#666">{}</text>"##,
                gx + 2.0,
                m.strftime("%b %y")
            ));
        }
        match m.checked_add(1.month()) {
            Ok(next) if next > m => m = next,
            _ => break,
        }
    }
    let tx = x(today);
    svg.push_str(&format!(
        r##"<line x1="{tx:.1}" y1="20" x2="{tx:.1}" y2="{height}" stroke="#c00" stroke-dasharray="3,3"/>"##
    ));
    let mut y = 30.0;
    for (i, p) in plans.iter().enumerate() {
        let c = colours[i % colours.len()];
        svg.push_str(&format!(
            r##"<text x="4" y="{:.1}" font-weight="bold">{}{}</text>"##,
            y + 14.0,
            esc(p.framework.as_str()),
            p.late_by_weeks
                .map(|w| format!(" — {w} weeks late"))
                .unwrap_or_default()
        ));
        y += ROW;
        for ph in &p.phases {
            let (x0, x1) = (x(ph.start), x(ph.end));
            svg.push_str(&format!(
                r##"<text x="14" y="{:.1}">{}</text><rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="14" rx="2" fill="{c}"/>"##,
                y + 14.0,
                esc(&ph.phase.chars().take(52).collect::<String>()),
                y + 3.0,
                (x1 - x0).max(2.0)
            ));
            y += ROW;
        }
        for e in p.calendar.iter().filter(|e| e.date <= last) {
            let ex = x(e.date);
            svg.push_str(&format!(
                r##"<path d="M{ex:.1},{:.1} l6,7 l-6,7 l-6,-7 z" fill="{c}"><title>{} {}</title></path>"##,
                y + 3.0,
                e.date,
                esc(&e.event)
            ));
        }
        svg.push_str(&format!(
            r##"<text x="14" y="{:.1}" fill="#555">audit calendar</text>"##,
            y + 14.0
        ));
        y += ROW;
    }
    svg.push_str("</svg>\n");
    svg
}
