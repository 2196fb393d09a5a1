//! `serve`, and the commands that manage who reaches the server: programs, members,
//! accounts and API tokens.

use anyhow::{Result, anyhow};
use crosswalk_app::access::{self, Role};
use crosswalk_library::Catalog;

use crate::commands::{emit, emit_json};
use clap::Subcommand;

use crate::{Command, ProgramCommand};

/// Runs a server or access command.
pub fn run(
    catalog: Catalog,
    db: &str,
    db_given: bool,
    program: Option<&str>,
    command: Command,
    read_clock: crosswalk_server::Now,
) -> Result<()> {
    let clock = read_clock();
    match command {
        Command::Serve {
            addr,
            demo,
            monitor_every,
        } => serve(
            catalog,
            db,
            db_given,
            &addr,
            demo,
            monitor_every,
            read_clock,
        ),
        Command::Program {
            command: ProgramCommand::List { json },
        } => {
            let mut reg = access::open(db)?;
            let rows = access::programs(&mut reg)?;
            if json {
                return emit_json(&rows);
            }
            let mut out = String::new();
            for r in &rows {
                out.push_str(&format!("{}  {}\n", r.id, r.name));
            }
            emit(&crate::commands::terminal_safe(&out))
        }
        Command::Program {
            command: ProgramCommand::Create { id, name },
        } => {
            let mut reg = access::open(db)?;
            access::create_program(&mut reg, &id, &name, &crate::program::actor(), clock)?;
            emit(&format!(
                "created program `{id}` ({}); work on it with --program {id}\n",
                name.trim()
            ))
        }
        Command::Token { command } => {
            let mut reg = access::open(db)?;
            match command {
                TokenCommand::Create {
                    role,
                    expires,
                    label,
                } => {
                    let Some(chosen) = program else {
                        return Err(anyhow!(
                            "name the program the token reaches: token create --program ID --role ROLE"
                        ));
                    };
                    let (slug, _) = access::program_target(&mut reg, Some(chosen))?;
                    let expires = crosswalk_app::program::date(expires.as_deref(), "--expires")?;
                    let t = access::create_token(
                        &mut reg,
                        &slug,
                        None,
                        Role::parse(&role)?,
                        expires,
                        &label,
                        "cli",
                        clock,
                    )?;
                    emit(&format!("{}\n", t.token))
                }
                TokenCommand::List { json } => {
                    let (slug, _) = access::program_target(&mut reg, program)?;
                    let tokens = access::tokens(&mut reg, &slug)?;
                    if json {
                        return emit_json(&tokens);
                    }
                    let mut out = String::new();
                    for t in &tokens {
                        out.push_str(&format!(
                            "{}  {}  expires {}  {}{}\n",
                            t.id,
                            t.role,
                            t.expires_on.as_deref().unwrap_or("never"),
                            t.label,
                            if t.revoked_at.is_some() {
                                "  (revoked)"
                            } else {
                                ""
                            }
                        ));
                    }
                    emit(&crate::commands::terminal_safe(&out))
                }
                TokenCommand::Revoke { id } => {
                    let (slug, _) = access::program_target(&mut reg, program)?;
                    access::revoke_token(&mut reg, &slug, &id, clock)?;
                    emit(&format!("revoked token {id}\n"))
                }
            }
        }
        Command::Member { command } => {
            let mut reg = access::open(db)?;
            let (slug, _) = access::program_target(&mut reg, program)?;
            match command {
                MemberCommand::Add { email, role, name } => {
                    let (m, password) = access::add_member(
                        &mut reg,
                        &slug,
                        None,
                        &email,
                        &name,
                        Role::parse(&role)?,
                        None,
                        clock,
                    )?;
                    let mut out = format!("{} is {} of program `{slug}`\n", m.email, m.role);
                    if let Some(p) = password {
                        out.push_str(&format!("new account; its password (shown once): {p}\n"));
                    }
                    emit(&out)
                }
                MemberCommand::List { json } => {
                    let members = access::members(&mut reg, &slug)?;
                    if json {
                        return emit_json(&members);
                    }
                    let mut out = String::new();
                    for m in &members {
                        out.push_str(&format!("{}  {}  {}\n", m.email, m.role, m.name));
                    }
                    emit(&crate::commands::terminal_safe(&out))
                }
            }
        }
        Command::Account {
            command: AccountCommand::Password { email },
        } => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            let mut reg = access::open(db)?;
            access::reset_password(&mut reg, &email, line.trim_end_matches(['\r', '\n']))?;
            emit(&format!(
                "set a new password for {email}; its sessions have ended\n"
            ))
        }
        _ => Ok(()),
    }
}

fn serve(
    catalog: Catalog,
    db: &str,
    db_given: bool,
    addr: &str,
    demo: bool,
    monitor_every: u64,
    read_clock: crosswalk_server::Now,
) -> Result<()> {
    let db = if demo {
        crate::program::build_demo(&catalog, db_given.then_some(db), read_clock())?
    } else {
        db.to_owned()
    };
    // One catalog for the life of the process, shared by every request.
    let catalog: &'static Catalog = Box::leak(Box::new(catalog));
    let config = crosswalk_server::Config {
        addr: addr.to_owned(),
        db: db.clone(),
        admin_email: std::env::var("CROSSWALK_ADMIN_EMAIL")
            .ok()
            .filter(|e| !e.is_empty()),
        admin_password: std::env::var("CROSSWALK_ADMIN_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty()),
    };
    let (state, started) = crosswalk_server::prepare(catalog, &config, read_clock)?;
    if let Some((email, password)) = &started.admin {
        match password {
            Some(p) => emit(&format!(
                "Created the first administrator: {email} with password {p} (shown once; change it with `crosswalk account password {email}`)\n"
            ))?,
            None => emit(&format!("Created the first administrator: {email}\n"))?,
        }
    }
    let shown = crosswalk_app::shown_db(&db);
    let every = (monitor_every > 0).then(|| std::time::Duration::from_secs(monitor_every * 60));
    crosswalk_server::serve(state, addr, every, |bound| {
        let _ = emit(&format!(
            "crosswalk is serving {shown} at http://{bound} (open it and sign in; API docs: http://{bound}/api/docs)\n"
        ));
    })
    .map_err(|e| anyhow!(e))
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it on stdout (shown this once).
    /// The program it reaches is the global `--program ID` (required here).
    Create {
        /// owner, admin, editor, contributor, auditor or viewer.
        #[arg(long)]
        role: String,
        /// The last day it is valid (YYYY-MM-DD); none: until revoked.
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        /// What it is for.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// The program's tokens (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Give an account a role in the program (creating the account with a generated
    /// password, printed once, when it is new).
    Add {
        email: String,
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// The program's members.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Set an account's password, read from the first line of standard input; its
    /// sessions end.
    Password { email: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the chain: exit 0 when intact, non-zero naming the first bad entry.
    Verify {
        /// Print {intact, entries, head, first_bad: {seq, problem}}.
        #[arg(long)]
        json: bool,
    },
    /// The entries of the trail, oldest first.
    Log {
        /// Only entries numbered after N.
        #[arg(long, value_name = "N", default_value_t = 0)]
        after: u64,
        /// How many at most.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Print [{seq, at, actor, action, target, before, after, prev, hash}].
        #[arg(long)]
        json: bool,
    },
}
