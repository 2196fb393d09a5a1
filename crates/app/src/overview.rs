//! What the program's home page shows besides the caller's own work: the dashboard,
//! readiness by domain, the audit calendar and the trend. Computed once per program
//! version and day for the whole program, and kept with the cached program.

use std::sync::Arc;

use crosswalk_core::program::{FrameworkStatus, Snapshot};
use jiff::civil::Date;

use crate::Result;
use crate::program::{Dashboard, PlanOptions, Session};

/// The home page's figures.
#[derive(Debug, Clone)]
pub struct Overview {
    pub dashboard: Dashboard,
    /// Per framework (its name), each top-level domain's counts.
    pub domains: Vec<(String, Vec<(String, FrameworkStatus)>)>,
    /// Coming audit-calendar events: date, framework, event.
    pub calendar: Vec<(Date, String, String)>,
    /// Readiness snapshots, oldest first.
    pub trend: Vec<Snapshot>,
    /// The snapshots as a line chart (SVG), empty without any.
    pub trend_svg: String,
}

impl Session<'_> {
    /// The overview of the program as the caller sees it (cached per version and day for
    /// the whole program).
    ///
    /// # Errors
    /// No program, or a store failure.
    pub fn overview(&mut self) -> Result<Arc<Overview>> {
        let whole = self.view == crosswalk_core::collab::View::Whole;
        let today = self.clock.today;
        let version = self.version()?;
        if whole
            && let Some((v, day, o)) = self.cache_overview().as_ref()
            && *v == version
            && *day == today
        {
            return Ok(Arc::clone(o));
        }
        let dashboard = self.dashboard()?;
        let (domains, calendar) = if dashboard.frameworks.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let status = self.status(true)?;
            let mut calendar: Vec<(Date, String, String)> = self
                .plan(&PlanOptions::default())?
                .plans
                .iter()
                .flat_map(|p| {
                    p.calendar
                        .iter()
                        .filter(|e| e.date >= today)
                        .map(|e| (e.date, p.framework.to_string(), e.event.clone()))
                })
                .collect();
            calendar.sort();
            (status.domains, calendar)
        };
        let trend = self.trend()?;
        let overview = Arc::new(Overview {
            dashboard,
            domains,
            calendar,
            trend_svg: trend_chart(&trend),
            trend,
        });
        if whole {
            *self.cache_overview() = Some((version, today, Arc::clone(&overview)));
        }
        Ok(overview)
    }
}

/// The snapshots as a line chart: a line per framework of the latest snapshot.
fn trend_chart(trend: &[Snapshot]) -> String {
    let Some(last) = trend.last() else {
        return String::new();
    };
    let dates: Vec<String> = trend.iter().map(|s| s.taken_on.to_string()).collect();
    let series: Vec<(String, Vec<f64>)> = last
        .status
        .iter()
        .map(|f| {
            let values = trend
                .iter()
                .map(|s| {
                    s.status
                        .iter()
                        .find(|x| x.framework == f.framework)
                        .map_or(0.0, |x| x.readiness)
                })
                .collect();
            (f.framework.to_string(), values)
        })
        .collect();
    crosswalk_report::svg::trend(&dates, &series)
}
