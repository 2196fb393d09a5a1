//! The process's shared state: connections to the registry, and per program a pool of
//! sessions and the dashboard as last computed with the program version it came from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use crosswalk_app::access::{self, Action, Principal, Refused, Registry, Role};
use crosswalk_app::program::Session;
use crosswalk_library::Catalog;

use crate::Now;
use crate::api::Problem;

/// Idle values, handed out one at a time and put back after use.
struct Pool<T>(Mutex<Vec<T>>);

impl<T> Pool<T> {
    fn new() -> Self {
        Self(Mutex::new(Vec::new()))
    }

    fn lock(&self) -> MutexGuard<'_, Vec<T>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self) -> Option<T> {
        self.lock().pop()
    }

    fn put(&self, t: T) {
        let mut free = self.lock();
        if free.len() < 64 {
            free.push(t);
        }
    }
}

/// One program served by this process.
pub struct ProgramSlot {
    pub slug: String,
    target: String,
    sessions: Pool<Session<'static>>,
    /// The program as loaded at its latest version, shared by the slot's sessions.
    cache: crosswalk_app::program::ProgramCache,
    /// The dashboard's JSON and the program version it was computed at.
    pub dashboard: Mutex<Option<(u64, Arc<Vec<u8>>)>>,
}

/// Everything the handlers share.
pub struct AppState {
    pub catalog: &'static Catalog,
    pub db: String,
    pub now: Now,
    registries: Pool<Registry>,
    programs: Mutex<HashMap<String, Arc<ProgramSlot>>>,
}

impl Drop for AppState {
    /// Connections are closed on a plain thread: the synchronous PostgreSQL client must
    /// not be dropped inside the async runtime, where the last reference often goes.
    fn drop(&mut self) {
        let registries = std::mem::take(&mut *self.registries.lock());
        let programs = std::mem::take(
            &mut *self
                .programs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        let _ = std::thread::spawn(move || drop((registries, programs))).join();
    }
}

/// How a request presented itself.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `Authorization: Bearer …`
    pub bearer: Option<String>,
    /// The session cookie.
    pub session: Option<String>,
    /// `X-CSRF-Token`.
    pub csrf: Option<String>,
    /// Whether the method changes state (POST, PUT, PATCH, DELETE).
    pub unsafe_method: bool,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
}

impl AppState {
    pub fn new(catalog: &'static Catalog, db: String, now: Now, reg: Registry) -> Arc<Self> {
        let state = Self {
            catalog,
            db,
            now,
            registries: Pool::new(),
            programs: Mutex::new(HashMap::new()),
        };
        state.registries.put(reg);
        Arc::new(state)
    }

    /// Runs `f` on a registry connection (opened when none is idle).
    pub fn registry<T>(
        &self,
        f: impl FnOnce(&mut Registry) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        let mut reg = match self.registries.take() {
            Some(r) => r,
            None => access::open(&self.db).map_err(Problem::from)?,
        };
        let out = f(&mut reg);
        self.registries.put(reg);
        out
    }

    /// Who the credentials stand for: a bearer token first, else the session cookie (whose
    /// CSRF token must come with a state-changing request). 401 without either.
    pub fn authenticate(&self, c: &Credentials) -> Result<Caller, Problem> {
        let clock = (self.now)();
        if let Some(bearer) = &c.bearer {
            let principal = self.registry(|reg| {
                access::authenticate_token(reg, bearer, clock).map_err(Problem::from)
            })?;
            return principal
                .map(|principal| Caller { principal })
                .map_err(Problem::unauthorized);
        }
        if let Some(session) = &c.session {
            let (principal, csrf) = self
                .registry(|reg| {
                    access::authenticate_session(reg, session, clock).map_err(Problem::from)
                })?
                .map_err(Problem::unauthorized)?;
            if c.unsafe_method
                && !c
                    .csrf
                    .as_deref()
                    .is_some_and(|p| access::csrf_matches(&csrf, p))
            {
                return Err(Problem::forbidden(
                    "a state-changing request signed in by cookie must carry the session's X-CSRF-Token header",
                ));
            }
            return Ok(Caller { principal });
        }
        Err(Problem::unauthorized(Refused::Session).with_detail(
            "no credentials: send Authorization: Bearer TOKEN, or sign in at POST /api/v1/session",
        ))
    }

    /// The signed-in account behind a session cookie, with the session's CSRF token (for
    /// the forms of the web pages); none without a valid session.
    pub fn page_session(&self, c: &Credentials) -> Result<Option<(Caller, String)>, Problem> {
        let Some(session) = &c.session else {
            return Ok(None);
        };
        let clock = (self.now)();
        let found = self.registry(|reg| {
            access::authenticate_session(reg, session, clock).map_err(Problem::from)
        })?;
        Ok(found
            .ok()
            .map(|(principal, csrf)| (Caller { principal }, csrf)))
    }

    /// The caller's role in `program`, requiring `action`: 404 when the caller cannot
    /// reach the program at all (so programs of others are not even confirmed to exist),
    /// 403 when its role does not allow the action.
    pub fn authorize(
        &self,
        caller: &Caller,
        program: &str,
        action: Action,
    ) -> Result<Role, Problem> {
        let role = self.registry(|reg| {
            caller
                .principal
                .role_in(reg, program)
                .map_err(Problem::from)
        })?;
        let Some(role) = role else {
            return Err(Problem::not_found(format!("no program `{program}`")));
        };
        if !role.allows(action) {
            return Err(Problem::forbidden(&format!(
                "the role {role} may not do this in program `{program}`"
            )));
        }
        Ok(role)
    }

    fn slot(&self, program: &str) -> Result<Arc<ProgramSlot>, Problem> {
        if let Some(s) = self
            .programs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(program)
        {
            return Ok(Arc::clone(s));
        }
        let target = self.registry(|reg| access::target_of(reg, program).map_err(Problem::from))?;
        let slot = Arc::new(ProgramSlot {
            slug: program.to_owned(),
            target,
            sessions: Pool::new(),
            cache: crosswalk_app::program::ProgramCache::default(),
            dashboard: Mutex::new(None),
        });
        let mut all = self
            .programs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(Arc::clone(all.entry(program.to_owned()).or_insert(slot)))
    }

    /// An idle session of the slot's program (opened when none is), acting as `actor`.
    fn session(
        &self,
        slot: &ProgramSlot,
        actor: &str,
        clock: crosswalk_app::Clock,
    ) -> Result<Session<'static>, Problem> {
        let mut session = match slot.sessions.take() {
            Some(s) => s,
            None => {
                let mut s = Session::open(self.catalog, &slot.target, clock, actor)
                    .map_err(Problem::from)?;
                s.share_cache(slot.cache.clone());
                s
            }
        };
        session.act_as(actor, clock);
        Ok(session)
    }

    /// Delivers the webhooks due in every program (see
    /// [`Session::deliver_webhooks`]), posting with `post`.
    ///
    /// # Errors
    /// A registry or store failure (a failed delivery is recorded, not an error).
    pub fn deliver_webhooks(
        &self,
        post: &mut dyn FnMut(&crosswalk_app::collab::Delivery) -> Result<u16, String>,
    ) -> Result<crosswalk_app::collab::Delivered, Problem> {
        let programs = self.registry(|reg| access::programs(reg).map_err(Problem::from))?;
        let clock = (self.now)();
        let mut all = crosswalk_app::collab::Delivered::default();
        for p in programs {
            let slot = self.slot(&p.id)?;
            let mut session = self.session(&slot, "webhooks", clock)?;
            let done = session.deliver_webhooks(&p.id, clock.now.as_second(), post);
            slot.sessions.put(session);
            let done = done.map_err(Problem::from)?;
            all.sent += done.sent;
            all.failed += done.failed;
        }
        Ok(all)
    }

    /// Runs the checks of every program that has snapshots, as the actor `monitor`.
    pub fn monitor_programs(
        &self,
    ) -> Vec<(String, Result<crosswalk_app::monitor::MonitorRun, Problem>)> {
        let programs = match self.registry(|reg| access::programs(reg).map_err(Problem::from)) {
            Ok(p) => p,
            Err(e) => return vec![(String::new(), Err(e))],
        };
        let clock = (self.now)();
        let mut out = Vec::new();
        for p in programs {
            let run = self.slot(&p.id).and_then(|slot| {
                let mut session = self.session(&slot, "monitor", clock)?;
                let has = session
                    .program()
                    .map(|prog| !prog.monitoring.snapshots.is_empty())
                    .map_err(Problem::from);
                let run = match has {
                    Ok(true) => Some(session.monitor_run(&[]).map_err(Problem::from)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                };
                slot.sessions.put(session);
                run.transpose()
            });
            match run {
                Ok(Some(r)) => out.push((p.id, Ok(r))),
                Ok(None) => {}
                Err(e) => out.push((p.id, Err(e))),
            }
        }
        out
    }

    /// Runs `f` on a session of `program` acting as the caller, at this moment.
    pub fn with_program<T>(
        &self,
        program: &str,
        caller: &Caller,
        role: Role,
        f: impl FnOnce(&mut Session<'static>, &ProgramSlot) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        let slot = self.slot(program)?;
        let clock = (self.now)();
        let mut session = self.session(&slot, &caller.principal.name, clock)?;
        let out = session
            .enter(role)
            .map_err(Problem::from)
            .and_then(|()| f(&mut session, &slot));
        slot.sessions.put(session);
        out
    }
}
