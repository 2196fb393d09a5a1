//! Collaboration use cases: assignments with due dates, comments, evidence requests and
//! their review, audit engagements, the activity feed, and outgoing webhooks signed with
//! HMAC-SHA256 and retried with backoff.
//!
//! What a caller sees is set once per request by [`Session::enter`] from its role: a
//! contributor sees what is assigned to it, an auditor the engagements naming it, others
//! the whole program. Every read goes through [`Session::program`], which confines.

use crosswalk_core::collab::{
    Assignment, Comment, Engagement, EvidenceRequest, Item, RequestState, Step, Subject, View, sees,
};
use crosswalk_core::ids::FrameworkId;
use crosswalk_core::program::check_title;
use crosswalk_store::Change;
use crosswalk_store::webhook::{Attempt, NewWebhook, Webhook};
use jiff::civil::Date;
use serde::Serialize;

use crate::access::Role;
use crate::program::Session;
use crate::{Error, Result, bail, invalid};

/// The longest comment or request detail accepted, in characters.
pub const MAX_TEXT: usize = 20_000;

fn text(what: &str, s: &str, required: bool) -> Result<String> {
    let s = s.trim();
    if required && s.is_empty() {
        bail!("{what} is empty");
    }
    if s.chars().count() > MAX_TEXT {
        bail!("{what} is longer than {MAX_TEXT} characters");
    }
    if s.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        bail!("{what} holds control characters");
    }
    Ok(s.to_owned())
}

/// A principal's name as assignments and engagements hold it: an email, or `token:<id>`.
///
/// # Errors
/// Anything else.
pub fn principal(who: &str) -> Result<String> {
    let who = who.trim();
    let token = who
        .strip_prefix("token:")
        .is_some_and(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    let email = who.len() <= 254
        && who.split_once('@').is_some_and(|(a, d)| {
            !a.is_empty()
                && d.contains('.')
                && !who.chars().any(|c| c.is_whitespace() || c.is_control())
        });
    if token || email {
        Ok(who.to_owned())
    } else {
        bail!(
            "`{}` names no one: give an account's email or token:<id>",
            who.escape_debug()
        )
    }
}

/// A request to raise.
#[derive(Debug, Clone, Default)]
pub struct NewRequest {
    /// `control:ID` or `requirement:FW:REQ`.
    pub subject: String,
    pub title: String,
    pub detail: String,
    pub assignee: Option<String>,
    pub due: Option<Date>,
    /// The engagement it belongs to (an auditor's own when it has one).
    pub engagement: Option<String>,
}

/// An engagement to record.
#[derive(Debug, Clone, Default)]
pub struct NewEngagement {
    /// Empty: a new one, numbered `AE-<n>`.
    pub id: String,
    pub name: String,
    pub frameworks: Vec<String>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub ends_on: Option<Date>,
    pub auditors: Vec<String>,
}

/// One line of the activity feed: who did what to what, when.
#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub seq: u64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
}

/// A webhook just added, with its signing secret (shown once).
#[derive(Debug, Clone, Serialize)]
pub struct NewHook {
    pub webhook: Webhook,
    pub secret: String,
}

/// One delivery: a signed POST of one audit entry.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub url: String,
    /// Header name and value pairs, signature included.
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// What a delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

/// `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<body>` with `secret`: the
/// `X-Crosswalk-Signature` header a receiver checks.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2_mac::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!(
        "sha256={}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// Seconds to wait after the `attempts`-th failure in a row: 30 s doubling, at most an
/// hour.
pub fn backoff(attempts: u64) -> i64 {
    (30_i64 << attempts.min(7)).min(3600)
}

/// Entries delivered per webhook per claim: with the client's 10 s timeout, a claim
/// ends well within its lease.
const BATCH: usize = 20;
/// How long a claim holds a webhook, in seconds.
const LEASE: i64 = 300;

impl Session<'_> {
    /// Sets what the acting principal sees from its role: a contributor what is assigned
    /// to it; an auditor the engagements in progress that name it (none: refused); the
    /// other roles everything. Call after [`Session::act_as`].
    ///
    /// # Errors
    /// [`Error::Forbidden`] for an auditor named by no engagement in progress.
    pub fn enter(&mut self, role: Role) -> Result<()> {
        self.view = View::Whole;
        self.role = Some(role);
        self.view = match role {
            Role::Contributor => View::Assigned(self.actor.clone()),
            Role::Auditor => {
                let program = self.program_cached()?;
                let today = self.clock.today;
                let ids: Vec<String> = program
                    .collab
                    .engagements
                    .iter()
                    .filter(|e| e.admits(&self.actor, today))
                    .map(|e| e.id.clone())
                    .collect();
                if ids.is_empty() {
                    return Err(Error::Forbidden(format!(
                        "no audit engagement in progress names {}: an auditor sees a program only through one",
                        self.actor
                    )));
                }
                View::Audit(ids)
            }
            _ => View::Whole,
        };
        Ok(())
    }

    /// Whether the acting principal's role allows `action` (a local user: always).
    pub fn role_allows(&self, action: crate::access::Action) -> bool {
        self.role.is_none_or(|r| r.allows(action))
    }

    /// What the acting principal sees.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// Whether the acting principal sees `subject`.
    ///
    /// # Errors
    /// No program, or a store failure.
    pub(crate) fn sees(&mut self, subject: &Subject) -> Result<bool> {
        if self.view == View::Whole {
            return Ok(true);
        }
        let program = self.program_cached()?;
        Ok(sees(&program, &self.view, subject))
    }

    /// A subject named by the caller, which must exist and be visible.
    fn subject(&mut self, s: &str) -> Result<Subject> {
        let subject = Subject::parse(s.trim()).map_err(|e| invalid!("{e}"))?;
        let program = self.program_cached()?;
        let exists = match &subject {
            Subject::Control(c) => program.controls.iter().any(|x| x.id == *c),
            Subject::Evidence(e) => program.evidence.iter().any(|x| x.id == *e),
            Subject::Request(r) => program.collab.requests.iter().any(|x| x.id == *r),
            Subject::Requirement(fw, r) => {
                program.frameworks.iter().any(|f| f.framework == *fw)
                    && crate::program::requirement(self.catalog, &format!("{fw}:{r}"))
                        .is_ok_and(|(_, id)| id == *r)
            }
        };
        if !exists || !sees(&program, &self.view, &subject) {
            return Err(Error::NotFound(format!(
                "no {} `{}` in this program{}",
                subject.kind(),
                subject.to_string().split_once(':').map_or("", |(_, id)| id),
                if subject.kind() == "requirement" {
                    " (its framework must be in scope)"
                } else {
                    ""
                }
            )));
        }
        Ok(subject)
    }

    fn now_text(&self) -> String {
        self.clock.now.to_string()
    }

    fn put_item(&mut self, item: Item) -> Result<String> {
        let key = item.key();
        let applied = self
            .store()
            .apply_returning(&[Change::Collab(item)])
            .map_err(|e| invalid!("{e}; nothing was changed"))?;
        Ok(applied.ids.into_iter().next().unwrap_or(key))
    }

    /// Every assignment the caller sees.
    ///
    /// # Errors
    /// No program, or a store failure.
    pub fn assignments(&mut self) -> Result<Vec<Assignment>> {
        Ok(self.program()?.collab.assignments.clone())
    }

    /// Assigns `subject` to `assignee` (replacing an earlier assignee), due on `due`.
    ///
    /// # Errors
    /// An unknown subject or a bad assignee; a store failure.
    pub fn assign(
        &mut self,
        subject: &str,
        assignee: &str,
        due: Option<Date>,
    ) -> Result<Assignment> {
        let subject = self.subject(subject)?;
        let a = Assignment {
            subject,
            assignee: principal(assignee)?,
            due,
            assigned_by: self.actor.clone(),
            assigned_on: self.clock.today,
        };
        self.put_item(Item::Assignment(a.clone()))?;
        Ok(a)
    }

    /// Removes the assignment of `subject`.
    ///
    /// # Errors
    /// A bad subject, or none assigned.
    pub fn unassign(&mut self, subject: &str) -> Result<()> {
        let subject = Subject::parse(subject.trim()).map_err(|e| invalid!("{e}"))?;
        self.store()
            .apply(&[Change::Unassign(subject)])
            .map_err(|e| match e {
                crosswalk_store::StoreError::NotFound(m) => Error::NotFound(m),
                e => invalid!("{e}"),
            })
    }

    /// Comments the caller sees, on `subject` when given, oldest first.
    ///
    /// # Errors
    /// A bad subject; no program.
    pub fn comments(&mut self, subject: Option<&str>) -> Result<Vec<Comment>> {
        let subject = subject
            .map(|s| Subject::parse(s.trim()).map_err(|e| invalid!("{e}")))
            .transpose()?;
        Ok(self
            .program()?
            .collab
            .comments
            .iter()
            .filter(|c| subject.as_ref().is_none_or(|s| c.subject == *s))
            .cloned()
            .collect())
    }

    /// Comments on a subject the caller sees.
    ///
    /// # Errors
    /// An unknown or hidden subject, an empty or oversized body.
    pub fn comment(&mut self, subject: &str, body: &str) -> Result<Comment> {
        let subject = self.subject(subject)?;
        let mut c = Comment {
            id: String::new(),
            subject,
            author: self.actor.clone(),
            at: self.now_text(),
            body: text("the comment", body, true)?,
        };
        c.id = self.put_item(Item::Comment(c.clone()))?;
        Ok(c)
    }

    /// Evidence requests the caller sees, in `state` when given.
    ///
    /// # Errors
    /// An unknown state; no program.
    pub fn requests(&mut self, state: Option<&str>) -> Result<Vec<EvidenceRequest>> {
        let state = state
            .map(|s| {
                RequestState::parse(s.trim()).ok_or_else(|| {
                    invalid!(
                        "unknown state `{}`: open, submitted, accepted or rejected",
                        s.escape_debug()
                    )
                })
            })
            .transpose()?;
        Ok(self
            .program()?
            .collab
            .requests
            .iter()
            .filter(|r| state.is_none_or(|s| r.state == s))
            .cloned()
            .collect())
    }

    /// One request the caller sees.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none (or it is hidden).
    pub fn request(&mut self, id: &str) -> Result<EvidenceRequest> {
        self.program()?
            .collab
            .requests
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no evidence request `{id}`")))
    }

    /// Raises an evidence request on a control or requirement the caller sees. An
    /// auditor's request belongs to its engagement (the first in progress when it does
    /// not name one).
    ///
    /// # Errors
    /// A bad subject, title, assignee or engagement.
    pub fn request_evidence(&mut self, r: NewRequest) -> Result<EvidenceRequest> {
        let subject = self.subject(&r.subject)?;
        if !matches!(subject, Subject::Control(_) | Subject::Requirement(..)) {
            bail!(
                "evidence is requested for a control or a requirement, not a {}",
                subject.kind()
            );
        }
        let engagement = match (&self.view, r.engagement) {
            (View::Audit(mine), None) => mine.first().cloned(),
            (View::Audit(mine), Some(e)) if !mine.contains(&e) => {
                return Err(Error::Forbidden(format!("engagement `{e}` is not yours")));
            }
            (_, Some(e)) => {
                if !self.program()?.collab.engagements.iter().any(|x| x.id == e) {
                    return Err(Error::NotFound(format!("no engagement `{e}`")));
                }
                Some(e)
            }
            (_, None) => None,
        };
        let mut req = EvidenceRequest {
            id: String::new(),
            subject,
            title: check_title("request title", &r.title).map_err(Error::Invalid)?,
            detail: text("the request's detail", &r.detail, false)?,
            assignee: r.assignee.as_deref().map(principal).transpose()?,
            due: r.due,
            engagement,
            state: RequestState::Open,
            evidence: Vec::new(),
            steps: vec![Step {
                state: RequestState::Open,
                actor: self.actor.clone(),
                at: self.now_text(),
                note: String::new(),
                evidence: Vec::new(),
            }],
        };
        req.id = self.put_item(Item::Request(req.clone()))?;
        Ok(req)
    }

    /// Moves a request: `submitted` with evidence (its assignee, or an editor);
    /// `accepted` or `rejected` (its requester's side: an auditor of its engagement, or an
    /// editor). The move is checked against the request as stored.
    ///
    /// # Errors
    /// A hidden or unknown request, a move the states do not allow, unknown evidence.
    pub fn move_request(
        &mut self,
        id: &str,
        to: &str,
        evidence: Vec<String>,
        note: &str,
    ) -> Result<EvidenceRequest> {
        let to = RequestState::parse(to.trim())
            .filter(|s| *s != RequestState::Open)
            .ok_or_else(|| {
                invalid!(
                    "a request moves to submitted, accepted or rejected, not `{}`",
                    to.escape_debug()
                )
            })?;
        if to == RequestState::Submitted && evidence.is_empty() {
            bail!("a submission to request `{id}` must hand in at least one evidence id");
        }
        if to == RequestState::Rejected && note.trim().is_empty() {
            bail!("a rejection of request `{id}` must say why (a note)");
        }
        let current = self.request(id)?;
        match (&self.view, to) {
            (View::Assigned(who), RequestState::Submitted)
                if current.assignee.as_deref() != Some(who.as_str()) =>
            {
                return Err(Error::Forbidden(format!(
                    "request `{id}` is not assigned to {who}"
                )));
            }
            (View::Assigned(_), RequestState::Accepted | RequestState::Rejected) => {
                return Err(Error::Forbidden(
                    "a contributor submits evidence; the requester accepts or rejects it".into(),
                ));
            }
            (View::Audit(_), RequestState::Submitted) => {
                return Err(Error::Forbidden(
                    "an auditor does not submit evidence".into(),
                ));
            }
            _ => {}
        }
        let whole = self.program_cached()?;
        for e in &evidence {
            if !whole.evidence.iter().any(|x| x.id == *e) {
                return Err(Error::NotFound(format!("no evidence `{e}`")));
            }
        }
        let step = Step {
            state: to,
            actor: self.actor.clone(),
            at: self.now_text(),
            note: text("the note", note, false)?,
            evidence,
        };
        self.store()
            .apply(&[Change::MoveRequest {
                id: id.to_owned(),
                step,
            }])
            .map_err(|e| match e {
                crosswalk_store::StoreError::NotFound(m) => Error::NotFound(m),
                e => Error::Store(e),
            })?;
        self.request(id)
    }

    /// The engagements the caller sees.
    ///
    /// # Errors
    /// No program.
    pub fn engagements(&mut self) -> Result<Vec<Engagement>> {
        Ok(self.program()?.collab.engagements.clone())
    }

    /// Records an engagement: frameworks in scope, a period, when access ends, and its
    /// auditors.
    ///
    /// # Errors
    /// A framework not in scope, dates out of order, a bad auditor, an unknown id.
    pub fn set_engagement(&mut self, e: NewEngagement) -> Result<Engagement> {
        let program = self.program_cached()?;
        if !e.id.is_empty() && !program.collab.engagements.iter().any(|x| x.id == e.id) {
            return Err(Error::NotFound(format!("no engagement `{}`", e.id)));
        }
        if e.frameworks.is_empty() {
            bail!("an engagement audits at least one framework");
        }
        let mut frameworks = Vec::new();
        for f in &e.frameworks {
            let id = FrameworkId::parse(f.trim()).map_err(|x| invalid!("{x}"))?;
            if !program.frameworks.iter().any(|s| s.framework == id) {
                bail!("framework `{id}` is not in the program's scope");
            }
            if !frameworks.contains(&id) {
                frameworks.push(id);
            }
        }
        let (Some(start), Some(end), Some(ends_on)) = (e.period_start, e.period_end, e.ends_on)
        else {
            bail!("an engagement needs its period (start and end) and the day access ends");
        };
        if start > end {
            bail!("the period starts ({start}) after it ends ({end})");
        }
        if ends_on < end {
            bail!("access ends ({ends_on}) before the period does ({end})");
        }
        let auditors = e
            .auditors
            .iter()
            .map(|a| principal(a))
            .collect::<Result<Vec<_>>>()?;
        let mut out = Engagement {
            id: e.id,
            name: check_title("engagement name", &e.name).map_err(Error::Invalid)?,
            frameworks,
            period_start: start,
            period_end: end,
            ends_on,
            auditors,
        };
        out.id = self.put_item(Item::Engagement(out.clone()))?;
        Ok(out)
    }

    /// The activity feed: changes after entry `after`, oldest first, at most `limit`,
    /// only those touching what the caller sees; with the last entry looked at (the
    /// cursor of the next page).
    ///
    /// # Errors
    /// A store failure.
    pub fn activity(&mut self, after: u64, limit: usize) -> Result<(Vec<Activity>, u64)> {
        let confined = (self.view != View::Whole)
            .then(|| self.program())
            .transpose()?;
        let mut out = Vec::new();
        let mut cursor = after;
        // A confined caller may see few entries: look at a bounded number.
        for _ in 0..20 {
            let entries = self.store().audit_entries(cursor, limit.max(100))?;
            let Some(last) = entries.last() else { break };
            let last = last.seq;
            for e in entries {
                cursor = e.seq;
                if confined
                    .as_ref()
                    .is_none_or(|p| touches(p, &e.action, &e.target))
                {
                    out.push(Activity {
                        seq: e.seq,
                        at: e.at,
                        actor: e.actor,
                        action: e.action,
                        target: e.target,
                    });
                    if out.len() == limit {
                        return Ok((out, cursor));
                    }
                }
            }
            cursor = last;
        }
        Ok((out, cursor))
    }

    /// The latest `n` changes touching what the caller sees, newest first.
    ///
    /// # Errors
    /// A store failure.
    pub fn recent_activity(&mut self, n: usize) -> Result<Vec<Activity>> {
        let (head, _) = self.store().audit_head()?;
        let window = (n * 20).max(200);
        let (mut items, _) = self.activity(head.saturating_sub(window as u64), window)?;
        items.reverse();
        items.truncate(n);
        Ok(items)
    }

    /// The program's webhooks.
    ///
    /// # Errors
    /// A store failure.
    pub fn webhooks(&mut self) -> Result<Vec<Webhook>> {
        Ok(self.store().webhooks()?)
    }

    /// Adds a webhook posting every change (or those whose action starts with one of
    /// `events`) to `url`, signed with a new secret returned once.
    ///
    /// # Errors
    /// A URL that is not http(s), a bad event prefix.
    pub fn add_webhook(&mut self, url: &str, events: &[String]) -> Result<NewHook> {
        let parsed = url::Url::parse(url.trim())
            .map_err(|e| invalid!("the webhook URL `{}`: {e}", url.escape_debug()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            bail!(
                "the webhook URL must be http(s) with a host, not `{}`",
                url.escape_debug()
            );
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            bail!("the webhook URL must not carry credentials: the signature authenticates");
        }
        for e in events {
            if e.is_empty()
                || e.len() > 64
                || !e
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'-')
            {
                bail!(
                    "`{}` is not an event prefix (e.g. control. or evidence.add)",
                    e.escape_debug()
                );
            }
        }
        let secret = format!("whsec_{}", crate::access::random_hex(24)?);
        let w = NewWebhook {
            id: String::new(),
            url: parsed.to_string(),
            secret: secret.clone(),
            events: events.to_vec(),
            created_by: self.actor.clone(),
            created_at: self.now_text(),
        };
        let applied = self
            .store()
            .apply_returning(&[Change::AddWebhook(w)])
            .map_err(|e| invalid!("{e}; nothing was changed"))?;
        let id = applied.ids.into_iter().next().unwrap_or_default();
        let webhook = self
            .webhooks()?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or_else(|| Error::NotFound(format!("webhook `{id}` vanished")))?;
        Ok(NewHook { webhook, secret })
    }

    /// Removes a webhook.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none.
    pub fn remove_webhook(&mut self, id: &str) -> Result<()> {
        self.store()
            .apply(&[Change::RemoveWebhook(id.to_owned())])
            .map_err(|e| match e {
                crosswalk_store::StoreError::NotFound(m) => Error::NotFound(m),
                e => Error::Store(e),
            })
    }

    /// Delivers what is due: for each webhook whose lease it takes, the audit entries
    /// after the last delivered, in order, each POSTed by `post` (which returns the HTTP
    /// status or why it failed). A failure stops that webhook and schedules a retry with
    /// [`backoff`]; `now` is Unix seconds.
    ///
    /// # Errors
    /// A store failure.
    pub fn deliver_webhooks(
        &mut self,
        program: &str,
        now: i64,
        post: &mut dyn FnMut(&Delivery) -> std::result::Result<u16, String>,
    ) -> Result<Delivered> {
        let mut done = Delivered::default();
        while let Some(hook) = self.store().webhook_claim(now, LEASE)? {
            let entries = self.store().audit_entries(hook.delivered_seq, BATCH)?;
            let mut last = hook.delivered_seq;
            let mut outcome = None;
            for e in entries {
                if hook.wants(&e.action) {
                    let body = serde_json::to_vec(&serde_json::json!({
                        "id": format!("{program}/{}", e.seq),
                        "program": program,
                        "seq": e.seq,
                        "at": e.at,
                        "actor": e.actor,
                        "action": e.action,
                        "target": e.target,
                        "after": e.after.as_deref().and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok()),
                    }))
                    .unwrap_or_default();
                    let delivery = Delivery {
                        url: hook.url.clone(),
                        headers: vec![
                            ("content-type", "application/json".into()),
                            ("x-crosswalk-event", e.action.clone()),
                            ("x-crosswalk-delivery", format!("{program}/{}", e.seq)),
                            ("x-crosswalk-timestamp", now.to_string()),
                            ("x-crosswalk-signature", signature(&hook.secret, now, &body)),
                        ],
                        body,
                    };
                    match post(&delivery) {
                        Ok(status) if (200..300).contains(&status) => {
                            done.sent += 1;
                            outcome = Some(i64::from(status));
                        }
                        result => {
                            done.failed += 1;
                            let (error, status) = match result {
                                Ok(s) => (format!("the receiver answered {s}"), Some(i64::from(s))),
                                Err(e) => (e, None),
                            };
                            if last > hook.delivered_seq {
                                self.store().webhook_record(
                                    &hook.id,
                                    &Attempt::Delivered {
                                        seq: last,
                                        status: outcome,
                                    },
                                )?;
                            }
                            self.store().webhook_record(
                                &hook.id,
                                &Attempt::Failed {
                                    error,
                                    status,
                                    retry_at: now + backoff(hook.attempts),
                                },
                            )?;
                            last = 0;
                            break;
                        }
                    }
                }
                last = e.seq;
            }
            if last > 0 {
                self.store().webhook_record(
                    &hook.id,
                    &Attempt::Delivered {
                        seq: last,
                        status: outcome,
                    },
                )?;
            }
        }
        Ok(done)
    }
}

/// Whether an audit entry (its action and target) touches only what the confined
/// program `p` holds. Each action's target has its own form; anything not listed
/// (risks, policies, records, checks, the program, its scope, webhooks) is not part of a
/// confined view.
pub(crate) fn touches(p: &crosswalk_core::program::Program, action: &str, target: &str) -> bool {
    let control = |id: &str| p.controls.iter().any(|c| c.id == id);
    let requirement = |t: &str| {
        t.split_once(':').is_some_and(|(fw, req)| {
            p.assessments
                .iter()
                .any(|a| a.framework.as_str() == fw && a.requirement.as_str() == req)
                || p.links.iter().any(|l| {
                    l.framework.as_str() == fw
                        && l.requirement.as_str() == req
                        && control(&l.control)
                })
        })
    };
    let (kind, _) = action.split_once('.').unwrap_or((action, ""));
    match kind {
        "control" => control(target),
        // `CONTROL FW:REQ`: the control decides.
        "link" if action != "link.review" => {
            target.split_once(' ').is_some_and(|(c, _)| control(c))
        }
        "link" => target.split(',').any(|id| {
            crosswalk_core::program::parse_link_id(id)
                .is_some_and(|n| p.links.iter().any(|l| l.id == Some(n)))
        }),
        "evidence" => p.evidence.iter().any(|e| e.id == target),
        "assessment" => requirement(target),
        "comment" => p.collab.comments.iter().any(|c| c.id == target),
        "request" => p.collab.requests.iter().any(|r| r.id == target),
        "engagement" => p.collab.engagements.iter().any(|e| e.id == target),
        "assignment" => p
            .collab
            .assignments
            .iter()
            .any(|a| a.subject.to_string() == target),
        _ => false,
    }
}
