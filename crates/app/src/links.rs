//! Link review: every link between a control and a requirement has an origin (manual,
//! official, curated, tool or inferred, with its path through the crosswalk) and a state
//! (proposed, accepted, rejected). Only accepted links count. People list links, accept
//! or reject them, unlink them, and see a control with its links.

use crosswalk_core::ids::{FrameworkId, RequirementId};
use crosswalk_core::mapping::{Coverage, ProvenanceKind, Relationship};
use crosswalk_core::program::{
    Control, ControlLink, Evidence, Freshness, LinkOrigin, LinkState, Program, parse_link_id,
};
use crosswalk_store::Change;
use jiff::civil::Date;
use serde::Serialize;

use crate::program::{Session, requirement};
use crate::standards::resolve;
use crate::{Result, bail, invalid};

/// One link as `links list --json` and `control show --json` give it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkView {
    /// `L-<n>`.
    pub id: String,
    pub control: String,
    pub framework: FrameworkId,
    pub requirement: RequirementId,
    pub coverage: Coverage,
    /// `manual`, `official`, `curated`, `tool` or `inferred`.
    pub origin: &'static str,
    pub state: LinkState,
    /// The requirements the mapping passes through (`FW:REQ`), from the one the control
    /// served to this one; empty for a manual link.
    pub path: Vec<String>,
    /// The requirement's title (with its parent's when its own is generic).
    pub title: String,
    /// The mapping's relationship, read from the served requirement to this one.
    pub relationship: Option<Relationship>,
    pub reviewer: Option<String>,
    pub reviewed_on: Option<Date>,
}

impl LinkView {
    fn new(s: &Session<'_>, l: &ControlLink) -> Self {
        let (path, relationship) = match &l.origin {
            LinkOrigin::Manual => (Vec::new(), None),
            LinkOrigin::Crosswalk {
                from,
                relationship,
                path,
                ..
            } => (
                if path.is_empty() {
                    vec![from.clone(), format!("{}:{}", l.framework, l.requirement)]
                } else {
                    path.clone()
                },
                Some(*relationship),
            ),
        };
        let lib = &s.catalog.library;
        let title = lib
            .index_of(&l.framework)
            .map(|i| lib.frameworks()[i].title_in_context(l.requirement.as_str()))
            .unwrap_or_default();
        Self {
            id: l.label(),
            control: l.control.clone(),
            framework: l.framework.clone(),
            requirement: l.requirement.clone(),
            coverage: l.coverage,
            origin: l.origin.label(),
            state: l.state,
            path,
            title,
            relationship,
            reviewer: l.reviewer.clone(),
            reviewed_on: l.reviewed_on,
        }
    }
}

/// Which links a listing or a review takes; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct LinkFilter {
    /// A framework as the user names it (`iso27001`, `iso27001-2022`).
    pub framework: Option<String>,
    pub state: Option<String>,
    pub origin: Option<String>,
    pub control: Option<String>,
}

/// A filter checked against the library and the vocabularies.
struct Checked {
    framework: Option<FrameworkId>,
    state: Option<LinkState>,
    origin: Option<&'static str>,
    control: Option<String>,
}

impl Checked {
    fn matches(&self, l: &ControlLink) -> bool {
        self.framework.as_ref().is_none_or(|f| &l.framework == f)
            && self.state.is_none_or(|s| l.state == s)
            && self.origin.is_none_or(|o| l.origin.label() == o)
            && self.control.as_ref().is_none_or(|c| &l.control == c)
    }
}

const ORIGINS: [&str; 5] = ["manual", "official", "curated", "tool", "inferred"];

fn check(s: &Session<'_>, f: &LinkFilter) -> Result<Checked> {
    let framework = f
        .framework
        .as_deref()
        .map(|fw| resolve(s.catalog, fw).map(|fw| fw.id().clone()))
        .transpose()?;
    let state = f
        .state
        .as_deref()
        .map(|st| {
            LinkState::parse(st).ok_or_else(|| {
                invalid!(
                    "--state `{st}`: use {}",
                    LinkState::ALL.map(LinkState::as_str).join(", ")
                )
            })
        })
        .transpose()?;
    let origin = f
        .origin
        .as_deref()
        .map(|o| {
            ORIGINS
                .into_iter()
                .find(|x| *x == o)
                .ok_or_else(|| invalid!("--origin `{o}`: use {}", ORIGINS.join(", ")))
        })
        .transpose()?;
    Ok(Checked {
        framework,
        state,
        origin,
        control: f.control.clone(),
    })
}

/// What a review changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reviewed {
    pub state: LinkState,
    /// The links whose state changed, `L-<n>` each.
    pub changed: Vec<String>,
    /// Proposals the review left as they were because they must be reviewed one by one
    /// (inferred, and tool-stated unless named with `--origin tool`), when no id was given.
    pub left_proposed: usize,
}

/// A control with its links and evidence.
#[derive(Debug, Clone, Serialize)]
pub struct ControlDetail {
    #[serde(flatten)]
    pub control: Control,
    pub links: Vec<LinkView>,
    pub evidence: Vec<ControlEvidence>,
    /// The register's risks it treats: `R-<n> title`.
    pub risks: Vec<String>,
    /// The scanner checks mapped to it.
    pub checks: Vec<String>,
}

/// Evidence of a control, with whether it counts for that control today.
#[derive(Debug, Clone, Serialize)]
pub struct ControlEvidence {
    #[serde(flatten)]
    pub evidence: Evidence,
    pub current: bool,
}

impl Session<'_> {
    /// The links the filter takes, by framework, requirement and control.
    ///
    /// # Errors
    /// A bad filter value, no program, a store failure.
    pub fn links(&mut self, filter: &LinkFilter) -> Result<Vec<LinkView>> {
        let checked = check(self, filter)?;
        let program = self.program()?;
        let lib = &self.catalog.library;
        let mut chosen: Vec<(&str, usize, &ControlLink)> = program
            .links
            .iter()
            .filter(|l| checked.matches(l))
            .map(|l| {
                let pos = lib
                    .index_of(&l.framework)
                    .and_then(|i| lib.frameworks()[i].position(l.requirement.as_str()))
                    .unwrap_or(usize::MAX);
                (l.framework.as_str(), pos, l)
            })
            .collect();
        // Document order within each framework, then by control.
        chosen.sort_by(|a, b| (a.0, a.1, &a.2.control).cmp(&(b.0, b.1, &b.2.control)));
        Ok(chosen
            .into_iter()
            .map(|(_, _, l)| LinkView::new(self, l))
            .collect())
    }

    /// Accepts or rejects links, recording the acting user and today's date.
    ///
    /// Named links (`L-<n>`) change whatever their state, and must match the filter.
    /// Without ids, the filter's proposed links change; accepting that way takes the
    /// official and curated proposals (tool-stated ones too with `--origin tool`) and
    /// refuses inferred ones, which a person accepts one by one.
    ///
    /// # Errors
    /// An unknown id, an id outside the filter, a bulk accept of inferred links, no
    /// program, a store failure. Nothing changes then.
    pub fn review_links(
        &mut self,
        filter: &LinkFilter,
        ids: &[String],
        state: LinkState,
    ) -> Result<Reviewed> {
        if state == LinkState::Proposed {
            bail!("a link is accepted or rejected; the crosswalk alone proposes");
        }
        let checked = check(self, filter)?;
        if state == LinkState::Rejected
            && ids.is_empty()
            && filter.framework.is_none()
            && filter.origin.is_none()
            && filter.control.is_none()
        {
            bail!(
                "rejecting every proposal at once needs a --framework, --origin or --control (or the links' ids)"
            );
        }
        let program = self.program()?;
        let mut left_proposed = 0;
        let chosen: Vec<&ControlLink> = if ids.is_empty() {
            if state == LinkState::Accepted && checked.origin == Some("inferred") {
                bail!(
                    "inferred links are accepted one by one, after reading each path: name them (see `crosswalk links list --origin inferred --state proposed`)"
                );
            }
            let mut out = Vec::new();
            for l in program
                .links
                .iter()
                .filter(|l| l.state == LinkState::Proposed && checked.matches(l))
            {
                let one_by_one = match &l.origin {
                    LinkOrigin::Crosswalk { provenance, .. } => {
                        *provenance == ProvenanceKind::Inferred
                            || (*provenance == ProvenanceKind::Tool
                                && checked.origin != Some("tool"))
                    }
                    LinkOrigin::Manual => false,
                };
                if state == LinkState::Accepted && one_by_one {
                    left_proposed += 1;
                } else {
                    out.push(l);
                }
            }
            out
        } else {
            by_ids(&program, ids, &checked)?
        };
        let changed: Vec<&ControlLink> = chosen.into_iter().filter(|l| l.state != state).collect();
        let numbers: Vec<u64> = changed.iter().filter_map(|l| l.id).collect();
        if !numbers.is_empty() {
            let change = Change::ReviewLinks {
                ids: numbers,
                state,
                reviewer: self.actor.clone(),
                on: self.clock.today,
            };
            self.apply(&[change])?;
        }
        Ok(Reviewed {
            state,
            changed: changed.iter().map(|l| l.label()).collect(),
            left_proposed,
        })
    }

    /// Removes the link between a control and a requirement (`FW:REQ`), whatever made it.
    ///
    /// # Errors
    /// An unknown requirement, no such link, no program.
    pub fn unlink(&mut self, control: &str, target: &str) -> Result<LinkView> {
        let (fw, req) = requirement(self.catalog, target)?;
        let framework = fw.id().clone();
        let program = self.program()?;
        let Some(link) = program
            .links
            .iter()
            .find(|l| l.control == control && l.framework == framework && l.requirement == req)
        else {
            if !program.controls.iter().any(|c| c.id == control) {
                bail!("no control `{control}`");
            }
            bail!("control `{control}` is not linked to {framework}:{req}");
        };
        let view = LinkView::new(self, link);
        self.apply(&[Change::Unlink {
            control: control.to_owned(),
            framework,
            requirement: req,
        }])?;
        Ok(view)
    }

    /// A control with every link (any state) and its evidence.
    ///
    /// # Errors
    /// No such control, no program.
    pub fn control(&mut self, id: &str) -> Result<ControlDetail> {
        let program = self.program()?;
        let Some(control) = program.controls.iter().find(|c| c.id == id).cloned() else {
            bail!("no control `{id}` (see `crosswalk control list`)");
        };
        let links = program
            .links
            .iter()
            .filter(|l| l.control == id)
            .map(|l| LinkView::new(self, l))
            .collect();
        let fresh = Freshness::new(&program, self.clock.today);
        let evidence = fresh
            .evidence_of(id)
            .iter()
            .map(|e| ControlEvidence {
                evidence: (*e).clone(),
                current: fresh.current_for(e, id),
            })
            .collect();
        let risks = program
            .risks
            .iter()
            .filter(|r| r.controls.iter().any(|c| c == id))
            .map(|r| format!("{} {}", r.id, r.title))
            .collect();
        let checks = program
            .monitoring
            .mapped
            .iter()
            .filter(|(_, c)| c == id)
            .map(|(check, _)| check.clone())
            .collect();
        Ok(ControlDetail {
            control,
            links,
            evidence,
            risks,
            checks,
        })
    }
}

/// The links named by `L-<n>`, each required to exist and to match the filter.
fn by_ids<'p>(program: &'p Program, ids: &[String], f: &Checked) -> Result<Vec<&'p ControlLink>> {
    let by_number: std::collections::HashMap<u64, &ControlLink> = program
        .links
        .iter()
        .filter_map(|l| l.id.map(|n| (n, l)))
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for raw in ids {
        let n = parse_link_id(raw).ok_or_else(|| {
            invalid!("`{raw}` is not a link id (L-<number>, see `crosswalk links list`)")
        })?;
        let l = by_number
            .get(&n)
            .ok_or_else(|| invalid!("no link L-{n} (see `crosswalk links list`)"))?;
        if !f.matches(l) {
            bail!(
                "L-{n} ({} {}, {} → {}:{}) is outside the --framework/--origin/--state given",
                l.origin.label(),
                l.state.as_str(),
                l.control,
                l.framework,
                l.requirement
            );
        }
        out.push(*l);
    }
    Ok(out)
}

/// One requirement of a framework in scope, as the program stands on it
/// (`GET …/frameworks/{fw}/requirements`).
#[derive(Debug, Clone, Serialize)]
pub struct RequirementRow {
    pub requirement: RequirementId,
    pub title: String,
    pub parent: Option<RequirementId>,
    /// What the linked controls and their evidence give.
    pub derived: crosswalk_core::program::Outcome,
    /// The result in force: the assessor's, else the derived one.
    pub result: crosswalk_core::program::Outcome,
    /// Controls whose accepted links count for it.
    pub controls: Vec<String>,
    /// The current assessment, if any.
    pub assessment: Option<crosswalk_core::program::Assessment>,
}

impl Session<'_> {
    /// Each assessable requirement of `framework` (in scope) with its result today.
    ///
    /// # Errors
    /// An unknown framework, or one not in scope; no program.
    pub fn requirements(&mut self, framework: &str) -> Result<Vec<RequirementRow>> {
        let fw = resolve(self.catalog, framework)?;
        let program = self.program()?;
        if !program.frameworks.iter().any(|s| s.framework == *fw.id()) {
            return Err(crate::Error::NotFound(format!(
                "{} is not in the program's scope",
                fw.id()
            )));
        }
        let lib = &self.catalog.library;
        let eval = crosswalk_core::program::Evaluation::new(&program, lib, self.clock.today);
        let Some((_, statuses)) = eval
            .frameworks
            .iter()
            .find(|(i, _)| lib.frameworks()[*i].id() == fw.id())
        else {
            return Ok(Vec::new());
        };
        Ok(statuses
            .iter()
            .map(|s| {
                let r = fw.find_loose(s.requirement.as_str());
                RequirementRow {
                    requirement: s.requirement.clone(),
                    title: r.map(|r| r.title.clone()).unwrap_or_default(),
                    parent: r.and_then(|r| r.parent.clone()),
                    derived: s.derived,
                    result: s.result,
                    controls: s.controls.clone(),
                    assessment: program
                        .assessments
                        .iter()
                        .find(|a| a.framework == *fw.id() && a.requirement == s.requirement)
                        .cloned(),
                }
            })
            .collect())
    }
}

impl Session<'_> {
    /// Every assessment ever recorded for `FW:REQ`, oldest first.
    ///
    /// # Errors
    /// An unknown requirement; a store failure.
    pub fn assessment_history(
        &mut self,
        target: &str,
    ) -> Result<Vec<crosswalk_core::program::Assessment>> {
        let (fw, req) = requirement(self.catalog, target)?;
        let subject = crosswalk_core::collab::Subject::Requirement(fw.id().clone(), req.clone());
        if !self.sees(&subject)? {
            return Ok(Vec::new());
        }
        Ok(self
            .store()
            .history()?
            .into_iter()
            .filter(|a| a.framework == *fw.id() && a.requirement == req)
            .collect())
    }
}
