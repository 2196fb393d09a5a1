//! Who may do what: programs on one database, accounts, roles, API tokens, web sessions and
//! sign-in throttling. The server and the CLI call these; secrets are hashed here and never
//! leave in clear except once, to the caller that created them.

use std::fmt;

use crosswalk_store::registry::{self, Account, ProgramEntry, Token, WebSession};
pub use crosswalk_store::registry::{MAIN, Registry};
use serde::Serialize;
use sha2::Digest;

use crate::{Clock, Error, Result, bail, invalid};

/// A member's role in a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything, including the program's members and tokens.
    Owner,
    /// Everything, including members and tokens.
    Admin,
    /// Controls, links, evidence, policies, assessments, risks.
    Editor,
    /// Sees and answers only what is assigned to it: controls, requirements, evidence
    /// requests; adds evidence to those and comments on them.
    Contributor,
    /// Sees the frameworks of the engagements in progress that name it, with their
    /// accepted links and evidence; comments and requests evidence.
    Auditor,
    /// Reads the program.
    Viewer,
}

/// What a request does, as far as roles are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read the program: status, controls, links, evidence, gaps, plans, exports.
    Read,
    /// Add or change controls, links, policies, assessments, risks.
    Edit,
    /// Add evidence.
    AddEvidence,
    /// Read or verify the audit trail.
    ReadAudit,
    /// Add, change or remove members; create or revoke tokens; engagements and webhooks.
    Manage,
    /// Comment on what the caller sees.
    Comment,
    /// Raise evidence requests, and accept or reject what is submitted to them.
    Request,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Owner,
        Role::Admin,
        Role::Editor,
        Role::Contributor,
        Role::Auditor,
        Role::Viewer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Contributor => "contributor",
            Role::Auditor => "auditor",
            Role::Viewer => "viewer",
        }
    }

    /// A role by name.
    ///
    /// # Errors
    /// An unknown name, listing the roles.
    pub fn parse(s: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                invalid!(
                    "unknown role `{s}`: expected one of {}",
                    Role::ALL.map(Role::as_str).join(", ")
                )
            })
    }

    /// Whether this role may do `action`: the one rule every interface applies.
    pub fn allows(self, action: Action) -> bool {
        use Action::*;
        match self {
            Role::Owner | Role::Admin => true,
            Role::Editor => matches!(
                action,
                Read | Edit | AddEvidence | ReadAudit | Comment | Request
            ),
            Role::Contributor => matches!(action, Read | AddEvidence | Comment),
            Role::Auditor => matches!(action, Read | ReadAudit | Comment | Request),
            Role::Viewer => matches!(action, Read),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is calling, once authenticated: an account (signed in, or through a token) and its
/// role in the program asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The account's email, or `token:<id>` for an API token.
    pub name: String,
    pub account: Option<i64>,
    /// A server administrator (may create programs; is owner of every program).
    pub admin: bool,
    /// A token's program and role: it reaches nothing else.
    pub scope: Option<(String, Role)>,
}

impl Principal {
    /// The caller's role in `program`, if it may reach it at all (none for a program that
    /// does not exist: a membership or a token names an existing one).
    ///
    /// # Errors
    /// A registry failure.
    pub fn role_in(&self, reg: &mut Registry, program: &str) -> Result<Option<Role>> {
        if let Some((p, role)) = &self.scope {
            return Ok((p == program).then_some(*role));
        }
        if self.admin {
            return Ok(program_exists(reg, program)?.then_some(Role::Owner));
        }
        let Some(account) = self.account else {
            return Ok(None);
        };
        reg.role_of(program, account)?
            .map(|r| Role::parse(&r))
            .transpose()
    }
}

pub(crate) fn random_hex(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| invalid!("the system's random source failed: {e}"))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a secret, as stored.
pub fn secret_hash(secret: &str) -> String {
    hex(&sha2::Sha256::digest(secret.as_bytes()))
}

fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// An Argon2id hash of a password (PHC string, random salt).
///
/// # Errors
/// A password shorter than 12 characters or longer than 1,024 bytes.
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    if password.chars().count() < 12 {
        bail!("the password is too short: use at least 12 characters");
    }
    if password.len() > 1024 {
        bail!("the password is too long: at most 1,024 bytes");
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| invalid!("the system's random source failed: {e}"))?;
    let salt = argon2::password_hash::SaltString::encode_b64(&salt)
        .map_err(|e| invalid!("cannot encode a salt: {e}"))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| invalid!("cannot hash the password: {e}"))
}

fn password_matches(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A program's public id: lowercase letters, digits and inner hyphens, 1–40 characters.
///
/// # Errors
/// Anything else.
pub fn check_slug(slug: &str) -> Result<&str> {
    let ok = !slug.is_empty()
        && slug.len() <= 40
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !ok {
        bail!(
            "`{}` is not a program id: use 1–40 lowercase letters, digits and inner hyphens",
            slug.escape_debug()
        );
    }
    Ok(slug)
}

/// A program in a listing: `{id, name}` (`program list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgramRow {
    pub id: String,
    pub name: String,
}

impl From<ProgramEntry> for ProgramRow {
    fn from(e: ProgramEntry) -> Self {
        ProgramRow {
            id: e.slug,
            name: e.name,
        }
    }
}

/// Every program the database holds.
///
/// # Errors
/// A registry failure.
pub fn programs(reg: &mut Registry) -> Result<Vec<ProgramRow>> {
    Ok(reg.programs()?.into_iter().map(ProgramRow::from).collect())
}

/// A program a principal may reach, with its role there.
#[derive(Debug, Clone, Serialize)]
pub struct Reachable {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// The programs `principal` may reach, in the registry's order, with its role in each.
///
/// # Errors
/// A registry failure.
pub fn reachable(reg: &mut Registry, principal: &Principal) -> Result<Vec<Reachable>> {
    let mut out = Vec::new();
    for p in programs(reg)? {
        if let Some(role) = principal.role_in(reg, &p.id)? {
            out.push(Reachable {
                id: p.id,
                name: p.name,
                role,
            });
        }
    }
    Ok(out)
}

/// The store target of a program, checking it exists. With no program named, the only
/// program when there is one; otherwise the caller must name one.
///
/// # Errors
/// An unknown program, or none named among several.
pub fn program_target(reg: &mut Registry, program: Option<&str>) -> Result<(String, String)> {
    let all = reg.programs()?;
    let slug = match program {
        Some(p) => {
            let p = check_slug(p.trim())?;
            if !all.iter().any(|e| e.slug == p) {
                bail!(
                    "no program `{p}` in this database: it holds {}",
                    all.iter()
                        .map(|e| e.slug.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            p.to_owned()
        }
        None if all.len() <= 1 => registry::MAIN.to_owned(),
        None => bail!(
            "this database holds {} programs ({}): name one with --program ID",
            all.len(),
            all.iter()
                .map(|e| e.slug.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let target = reg.program_target(&slug)?;
    Ok((slug, target))
}

/// Creates program `slug`: its own store, described with `name` as its organisation (the
/// change recorded under `actor` in its audit trail), then its entry in the registry. The
/// main program exists from the start.
///
/// # Errors
/// A bad or taken id, an empty name, a store failure.
pub fn create_program(
    reg: &mut Registry,
    slug: &str,
    name: &str,
    actor: &str,
    clock: Clock,
) -> Result<()> {
    let slug = check_slug(slug.trim())?;
    let name =
        crosswalk_core::program::check_title("program name", name).map_err(Error::Invalid)?;
    if program_exists(reg, slug)? {
        return Err(Error::Store(crosswalk_store::StoreError::Conflict(
            format!("a program `{slug}` exists already"),
        )));
    }
    let mut store = crosswalk_store::open(&reg.program_target(slug)?)?;
    store.act_as(crate::program::audit_actor(actor, clock));
    store.apply(&[crosswalk_store::Change::SetProgram(
        crosswalk_core::program::ProgramInfo {
            organization: name.clone(),
            scope: String::new(),
            systems: Vec::new(),
        },
    )])?;
    reg.add_program(slug, &name, &clock.now.to_string())?;
    Ok(())
}

/// The first administrator, when the database has no account yet: the given email and
/// password, or `admin@localhost` with a generated one (returned so it can be shown once).
/// They are owner of the main program.
///
/// # Errors
/// A bad email or password, a registry failure.
pub fn ensure_admin(
    reg: &mut Registry,
    email: Option<&str>,
    password: Option<&str>,
    clock: Clock,
) -> Result<Option<(String, Option<String>)>> {
    if reg.account_count()? > 0 {
        return Ok(None);
    }
    let email = check_email(email.unwrap_or("admin@localhost"))?;
    let (password, generated) = match password {
        Some(p) => (p.to_owned(), None),
        None => {
            let p = random_hex(12)?;
            (p.clone(), Some(p))
        }
    };
    let id = reg.add_account(
        &email,
        "Administrator",
        &hash_password(&password)?,
        true,
        &clock.now.to_string(),
    )?;
    reg.set_member(registry::MAIN, id, Role::Owner.as_str())?;
    Ok(Some((email, generated)))
}

fn check_email(email: &str) -> Result<String> {
    let e = email.trim().to_lowercase();
    let valid = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if !valid {
        bail!("`{}` is not an email address", email.escape_debug());
    }
    Ok(e)
}

/// An account in a listing (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub account: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// Refuses to hand out more than the grantor holds: only an owner makes an owner, and a
/// token never has more rights than its creator. `by` is none for the machine's own
/// administrator (the CLI).
fn check_grant(by: Option<Role>, role: Role, what: &str) -> Result<()> {
    match by {
        Some(by) if role < by || (role == Role::Owner && by != Role::Owner) => {
            Err(Error::Forbidden(format!(
                "{what} cannot have more rights than its grantor ({by})"
            )))
        }
        _ => Ok(()),
    }
}

/// Adds an account (or finds it by email) and gives it `role` in `program`, granted by a
/// member with role `by`; the generated password when the account was created without one.
///
/// # Errors
/// A bad email, role or password; a role above the grantor's.
#[allow(clippy::too_many_arguments)]
pub fn add_member(
    reg: &mut Registry,
    program: &str,
    by: Option<Role>,
    email: &str,
    name: &str,
    role: Role,
    password: Option<&str>,
    clock: Clock,
) -> Result<(Member, Option<String>)> {
    check_grant(by, role, "a member")?;
    let email = check_email(email)?;
    let (account, generated) = match reg.account_by_email(&email)? {
        Some(a) => (a, None),
        None => {
            let (pw, generated) = match password {
                Some(p) => (p.to_owned(), None),
                None => {
                    let p = random_hex(12)?;
                    (p.clone(), Some(p))
                }
            };
            let name = if name.trim().is_empty() {
                email.clone()
            } else {
                name.trim().to_owned()
            };
            let id = reg.add_account(
                &email,
                &name,
                &hash_password(&pw)?,
                false,
                &clock.now.to_string(),
            )?;
            (
                reg.account(id)?
                    .ok_or_else(|| invalid!("the new account {id} is missing"))?,
                generated,
            )
        }
    };
    reg.set_member(program, account.id, role.as_str())?;
    Ok((
        Member {
            account: account.id,
            email: account.email,
            name: account.name,
            role,
        },
        generated,
    ))
}

/// A program's members.
///
/// # Errors
/// A registry failure, or a stored role that is not one.
pub fn members(reg: &mut Registry, program: &str) -> Result<Vec<Member>> {
    reg.members(program)?
        .into_iter()
        .map(|(a, role)| {
            Ok(Member {
                account: a.id,
                email: a.email,
                name: a.name,
                role: Role::parse(&role)?,
            })
        })
        .collect()
}

/// Sets a new password for an account (an administrator's reset); its sessions end.
///
/// # Errors
/// No such account, a bad password.
pub fn reset_password(reg: &mut Registry, email: &str, password: &str) -> Result<()> {
    let email = check_email(email)?;
    let account = reg
        .account_by_email(&email)?
        .ok_or_else(|| invalid!("no account for {email}"))?;
    reg.set_password(account.id, &hash_password(password)?)?;
    Ok(())
}

/// A token just created: the secret is in `token`, shown this once.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub token: String,
    #[serde(flatten)]
    pub record: Token,
}

/// Creates an API token for `program` with `role`, valid through `expires_on` when given,
/// by a member with role `by` (none: the machine's own administrator).
///
/// # Errors
/// An expiry in the past, a role above the creator's, a registry failure.
#[allow(clippy::too_many_arguments)]
pub fn create_token(
    reg: &mut Registry,
    program: &str,
    by: Option<Role>,
    role: Role,
    expires_on: Option<jiff::civil::Date>,
    label: &str,
    created_by: &str,
    clock: Clock,
) -> Result<NewToken> {
    check_grant(by, role, "a token")?;
    if let Some(d) = expires_on
        && d < clock.today
    {
        bail!("the expiry {d} is in the past");
    }
    let id = random_hex(6)?;
    let secret = random_hex(24)?;
    let record = Token {
        id: id.clone(),
        hash: secret_hash(&secret),
        program: program.to_owned(),
        role: role.as_str().to_owned(),
        label: label.trim().to_owned(),
        created_by: created_by.to_owned(),
        created_at: clock.now.to_string(),
        expires_on: expires_on.map(|d| d.to_string()),
        revoked_at: None,
    };
    reg.add_token(&record)?;
    Ok(NewToken {
        token: format!("cw_{id}_{secret}"),
        record,
    })
}

/// Why credentials were refused (one message for every cause of a bad token, so that a
/// caller learns nothing about which tokens exist).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the token is not valid (unknown, wrong, revoked or expired)")]
    Token,
    #[error("the email or password is wrong")]
    Password,
    #[error("too many failed sign-ins: try again in {minutes} minutes")]
    Throttled { minutes: i64 },
    #[error("the session has ended: sign in again")]
    Session,
}

/// The caller an `Authorization: Bearer` token stands for.
///
/// # Errors
/// [`Refused::Token`] for any bad token; registry failures as [`Error`].
pub fn authenticate_token(
    reg: &mut Registry,
    bearer: &str,
    clock: Clock,
) -> Result<std::result::Result<Principal, Refused>> {
    let Some((id, secret)) = bearer
        .strip_prefix("cw_")
        .and_then(|rest| rest.split_once('_'))
    else {
        return Ok(Err(Refused::Token));
    };
    if id.len() != 12 || secret.len() != 48 {
        return Ok(Err(Refused::Token));
    }
    let Some(token) = reg.token(id)? else {
        return Ok(Err(Refused::Token));
    };
    let expired = token
        .expires_on
        .as_deref()
        .and_then(|d| d.parse::<jiff::civil::Date>().ok())
        .is_some_and(|d| d < clock.today);
    if !same(&secret_hash(secret), &token.hash) || token.revoked_at.is_some() || expired {
        return Ok(Err(Refused::Token));
    }
    let role = Role::parse(&token.role)?;
    Ok(Ok(Principal {
        name: format!("token:{}", token.id),
        account: None,
        admin: false,
        scope: Some((token.program, role)),
    }))
}

/// Failed sign-ins allowed per account and per address within [`THROTTLE_WINDOW`].
pub const THROTTLE_LIMIT: u64 = 5;
/// The throttling window, in seconds.
pub const THROTTLE_WINDOW: i64 = 15 * 60;
/// How long a web session lasts, in seconds.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// A session just opened: the cookie value (shown once) and its CSRF token.
#[derive(Debug, Clone)]
pub struct Opened {
    pub session_id: String,
    pub csrf: String,
    pub principal: Principal,
}

/// Signs in with email and password from `address`: a new session (a fresh id, never one
/// the client offered), or why not. Failures count against the account and the address;
/// past [`THROTTLE_LIMIT`] in [`THROTTLE_WINDOW`] either is refused before the password
/// is checked.
///
/// # Errors
/// Registry failures.
pub fn sign_in(
    reg: &mut Registry,
    email: &str,
    password: &str,
    address: &str,
    clock: Clock,
) -> Result<std::result::Result<Opened, Refused>> {
    let now = clock.now.as_second();
    let email = email.trim().to_lowercase();
    let keys = [format!("account:{email}"), format!("address:{address}")];
    for k in &keys {
        if reg.failures(k, now - THROTTLE_WINDOW)? >= THROTTLE_LIMIT {
            return Ok(Err(Refused::Throttled {
                minutes: THROTTLE_WINDOW / 60,
            }));
        }
    }
    let account: Option<Account> = reg.account_by_email(&email)?;
    // Hash even for an unknown email, so timing does not tell which accounts exist.
    let ok = match &account {
        Some(a) => password_matches(password, &a.password_hash),
        None => {
            let _ = password_matches(password, &DUMMY_HASH);
            false
        }
    };
    let Some(account) = account.filter(|_| ok) else {
        reg.note_failure(&[&keys[0], &keys[1]], now, now - THROTTLE_WINDOW)?;
        return Ok(Err(Refused::Password));
    };
    reg.clear_failures(&keys[0])?;
    let session_id = random_hex(32)?;
    let csrf = random_hex(32)?;
    reg.add_session(&WebSession {
        hash: secret_hash(&session_id),
        account: account.id,
        csrf: csrf.clone(),
        created_at: clock.now.to_string(),
        expires_at: now + SESSION_SECONDS,
    })?;
    Ok(Ok(Opened {
        session_id,
        csrf,
        principal: Principal {
            name: account.email,
            account: Some(account.id),
            admin: account.admin,
            scope: None,
        },
    }))
}

/// An Argon2id hash of a random password, verified against for unknown emails.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    random_hex(16)
        .and_then(|p| hash_password(&p))
        .unwrap_or_default()
});

/// The caller a session cookie stands for, with the session's CSRF token.
///
/// # Errors
/// Registry failures.
pub fn authenticate_session(
    reg: &mut Registry,
    session_id: &str,
    clock: Clock,
) -> Result<std::result::Result<(Principal, String), Refused>> {
    if session_id.len() != 64 {
        return Ok(Err(Refused::Session));
    }
    let Some(s) = reg.session(&secret_hash(session_id))? else {
        return Ok(Err(Refused::Session));
    };
    if s.expires_at < clock.now.as_second() {
        reg.delete_session(&s.hash)?;
        return Ok(Err(Refused::Session));
    }
    let Some(a) = reg.account(s.account)? else {
        return Ok(Err(Refused::Session));
    };
    Ok(Ok((
        Principal {
            name: a.email,
            account: Some(a.id),
            admin: a.admin,
            scope: None,
        },
        s.csrf,
    )))
}

/// Ends a session.
///
/// # Errors
/// Registry failures.
pub fn sign_out(reg: &mut Registry, session_id: &str) -> Result<()> {
    reg.delete_session(&secret_hash(session_id))?;
    Ok(())
}

/// Whether a presented CSRF token is the session's.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    same(expected, presented)
}

/// Opens the registry of the database `db`.
///
/// # Errors
/// When the database cannot be opened.
pub fn open(db: &str) -> Result<Registry> {
    Registry::open(db).map_err(Error::from)
}

/// Whether the database holds program `slug`.
///
/// # Errors
/// A registry failure.
pub fn program_exists(reg: &mut Registry, slug: &str) -> Result<bool> {
    Ok(reg.programs()?.iter().any(|p| p.slug == slug))
}

/// Where program `slug` is stored (see [`Registry::program_target`]).
///
/// # Errors
/// A bad slug, a registry failure.
pub fn target_of(reg: &mut Registry, slug: &str) -> Result<String> {
    let slug = check_slug(slug)?;
    Ok(reg.program_target(slug)?)
}

/// A program's tokens, newest first (never their secrets).
///
/// # Errors
/// A registry failure.
pub fn tokens(reg: &mut Registry, program: &str) -> Result<Vec<Token>> {
    Ok(reg.tokens(program)?)
}

/// Revokes a program's live token.
///
/// # Errors
/// [`Error::NotFound`] when the program has no live token with that id; a registry failure.
pub fn revoke_token(reg: &mut Registry, program: &str, id: &str, clock: Clock) -> Result<()> {
    if !reg.revoke_token(program, id, &clock.now.to_string())? {
        return Err(Error::NotFound(format!(
            "no live token `{}` in program `{program}`",
            id.escape_debug()
        )));
    }
    Ok(())
}
