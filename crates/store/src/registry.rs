//! The server's registry, kept in the main database beside the first program: the programs
//! one database holds, accounts, memberships with their role, API tokens, web sessions and
//! failed sign-ins. Every program's own data lives in its own store (see
//! [`Registry::program_target`]), so nothing of one program is reachable through another's
//! store handle. Secrets are never stored: passwords as Argon2id hashes, tokens and session
//! ids as SHA-256 hashes (computed by the caller).

use crate::{PgStore, SqliteStore, StoreError, Tx, Val, query_all, query_one};

/// The registry's migrations, recorded in `schema_version` from 1001 on (program
/// migrations are numbered from 1); run by [`Registry::open`] only. Append only.
const MIGRATIONS: &[(i64, &str)] = &[(1001, include_str!("registry_1.sql"))];

/// The slug of the program kept in the main database's own tables.
pub const MAIN: &str = "main";

/// A program the database holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgramEntry {
    pub slug: String,
    pub name: String,
    pub created_at: String,
}

/// A local account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// The Argon2id PHC string.
    pub password_hash: String,
    /// A server administrator: may create programs and accounts.
    pub admin: bool,
    pub created_at: String,
}

/// An API token: scoped to one program and one role.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Token {
    /// The public part of the token, by which it is found and revoked.
    pub id: String,
    #[serde(skip)]
    pub hash: String,
    pub program: String,
    pub role: String,
    pub label: String,
    pub created_by: String,
    pub created_at: String,
    pub expires_on: Option<String>,
    pub revoked_at: Option<String>,
}

/// A signed-in web session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// SHA-256 of the session id the cookie carries.
    pub hash: String,
    pub account: i64,
    /// The CSRF token forms and state-changing requests must carry.
    pub csrf: String,
    pub created_at: String,
    /// Epoch seconds.
    pub expires_at: i64,
}

enum Db {
    Sqlite(SqliteStore),
    Pg(Box<PgStore>),
}

/// The registry in the main database (a SQLite file or a `postgres://` URL).
pub struct Registry {
    db: Db,
    target: String,
}

fn t(s: &str) -> Val {
    Val::Text(s.to_owned())
}

fn opt(s: Option<&str>) -> Val {
    s.map_or(Val::Null, t)
}

impl Registry {
    /// Opens the main database (creating the first program's tables when missing) and
    /// brings the registry's tables up to date.
    ///
    /// # Errors
    /// When the database cannot be opened or a migration fails.
    pub fn open(target: &str) -> Result<Self, StoreError> {
        let db = if is_postgres(target) {
            Db::Pg(Box::new(PgStore::connect(target)?))
        } else {
            Db::Sqlite(SqliteStore::open(std::path::Path::new(target))?)
        };
        let mut r = Self {
            db,
            target: target.to_owned(),
        };
        let pending = r.read(|tx| {
            let applied = crate::applied_migrations(tx)?;
            Ok(MIGRATIONS.iter().any(|(v, _)| !applied.contains(v)))
        })?;
        if pending {
            r.write(|tx| {
                let applied = crate::applied_migrations(tx)?;
                for (version, sql) in MIGRATIONS {
                    if applied.contains(version) {
                        continue;
                    }
                    tx.batch(sql)?;
                    tx.exec(
                        "INSERT INTO schema_version (version) VALUES ($1)",
                        &[Val::Int(*version)],
                    )?;
                }
                Ok(())
            })?;
        }
        Ok(r)
    }

    fn read<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &mut self.db {
            Db::Sqlite(s) => s.read(f),
            Db::Pg(s) => s.read(f),
        }
    }

    fn write<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match &mut self.db {
            Db::Sqlite(s) => s.write(f),
            Db::Pg(s) => s.write(f),
        }
    }

    /// Where program `slug` is stored: the main database itself for [`MAIN`]; otherwise,
    /// for SQLite, `<db>.programs/<slug>/program.db` beside the main file (its evidence
    /// files beside it), and for PostgreSQL the schema `cw_program_<slug>` (created when
    /// missing) on the same server. The slug must be checked by the caller.
    ///
    /// # Errors
    /// When the schema cannot be created.
    pub fn program_target(&mut self, slug: &str) -> Result<String, StoreError> {
        if slug == MAIN {
            return Ok(self.target.clone());
        }
        let name = slug.replace('-', "_");
        if is_postgres(&self.target) {
            let schema = format!("cw_program_{name}");
            self.write(|tx| tx.batch(&format!("CREATE SCHEMA IF NOT EXISTS {schema}")))?;
            let sep = if self.target.contains('?') { '&' } else { '?' };
            Ok(format!(
                "{}{sep}options=-csearch_path%3D{schema}",
                self.target
            ))
        } else {
            Ok(format!("{}.programs/{slug}/program.db", self.target))
        }
    }

    /// Every program, the main one first, then in the order created.
    ///
    /// # Errors
    /// Database failures.
    pub fn programs(&mut self) -> Result<Vec<ProgramEntry>, StoreError> {
        self.read(|tx| {
            query_all(
                tx,
                // The main program's name is its organisation, as `init` last set it.
                "SELECT slug, COALESCE(CASE WHEN slug = 'main' THEN (SELECT organization FROM program WHERE id = 1) END, name), created_at FROM program_entry ORDER BY position",
                &[],
                |r| {
                    Ok(ProgramEntry {
                        slug: r.string(0)?,
                        name: r.string(1)?,
                        created_at: r.string(2)?,
                    })
                },
            )
        })
    }

    /// Records a program (a conflict when the slug is taken).
    ///
    /// # Errors
    /// A taken slug, database failures.
    pub fn add_program(&mut self, slug: &str, name: &str, at: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            if crate::exists(tx, "SELECT 1 FROM program_entry WHERE slug = $1", &[t(slug)])? {
                return Err(StoreError::Conflict(format!(
                    "a program `{slug}` exists already"
                )));
            }
            let pos = crate::apply::next_position(tx, "program_entry", "position")?;
            tx.exec(
                "INSERT INTO program_entry (slug, name, position, created_at) VALUES ($1, $2, $3, $4)",
                &[t(slug), t(name), Val::Int(pos), t(at)],
            )?;
            Ok(())
        })
    }

    /// Renames a program.
    ///
    /// # Errors
    /// Database failures.
    pub fn rename_program(&mut self, slug: &str, name: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec(
                "UPDATE program_entry SET name = $1 WHERE slug = $2",
                &[t(name), t(slug)],
            )
            .map(drop)
        })
    }

    /// The number of accounts.
    ///
    /// # Errors
    /// Database failures.
    pub fn account_count(&mut self) -> Result<u64, StoreError> {
        self.read(|tx| {
            Ok(
                query_one(tx, "SELECT COUNT(*) FROM account", &[], |r| r.int(0))?
                    .map_or(0, |n| u64::try_from(n).unwrap_or(0)),
            )
        })
    }

    /// The account with this email (compared as given: callers store it lowercased).
    ///
    /// # Errors
    /// Database failures.
    pub fn account_by_email(&mut self, email: &str) -> Result<Option<Account>, StoreError> {
        self.read(|tx| {
            query_one(
                tx,
                &format!("SELECT {ACCOUNT} FROM account WHERE email = $1"),
                &[t(email)],
                account,
            )
        })
    }

    /// The account numbered `id`.
    ///
    /// # Errors
    /// Database failures.
    pub fn account(&mut self, id: i64) -> Result<Option<Account>, StoreError> {
        self.read(|tx| {
            query_one(
                tx,
                &format!("SELECT {ACCOUNT} FROM account WHERE id = $1"),
                &[Val::Int(id)],
                account,
            )
        })
    }

    /// Adds an account; its number.
    ///
    /// # Errors
    /// A taken email, database failures.
    pub fn add_account(
        &mut self,
        email: &str,
        name: &str,
        password_hash: &str,
        admin: bool,
        at: &str,
    ) -> Result<i64, StoreError> {
        self.write(|tx| {
            if crate::exists(tx, "SELECT 1 FROM account WHERE email = $1", &[t(email)])? {
                return Err(StoreError::Conflict(format!(
                    "an account for {email} exists already"
                )));
            }
            let id = query_one(tx, "SELECT COALESCE(MAX(id), 0) + 1 FROM account", &[], |r| {
                r.int(0)
            })?
            .unwrap_or(1);
            tx.exec(
                "INSERT INTO account (id, email, name, password_hash, admin, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    Val::Int(id),
                    t(email),
                    t(name),
                    t(password_hash),
                    Val::Int(i64::from(admin)),
                    t(at),
                ],
            )?;
            Ok(id)
        })
    }

    /// Replaces an account's password hash and ends its sessions.
    ///
    /// # Errors
    /// No such account, database failures.
    pub fn set_password(&mut self, id: i64, password_hash: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.exec(
                "UPDATE account SET password_hash = $1 WHERE id = $2",
                &[t(password_hash), Val::Int(id)],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("no account {id}")));
            }
            tx.exec(
                "DELETE FROM web_session WHERE account = $1",
                &[Val::Int(id)],
            )?;
            Ok(())
        })
    }

    /// Gives an account a role in a program (replacing its role there).
    ///
    /// # Errors
    /// Database failures.
    pub fn set_member(
        &mut self,
        program: &str,
        account: i64,
        role: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec(
                "DELETE FROM membership WHERE program = $1 AND account = $2",
                &[t(program), Val::Int(account)],
            )?;
            tx.exec(
                "INSERT INTO membership (program, account, role) VALUES ($1, $2, $3)",
                &[t(program), Val::Int(account), t(role)],
            )?;
            Ok(())
        })
    }

    /// Takes an account out of a program; whether it was a member.
    ///
    /// # Errors
    /// Database failures.
    pub fn remove_member(&mut self, program: &str, account: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            Ok(tx.exec(
                "DELETE FROM membership WHERE program = $1 AND account = $2",
                &[t(program), Val::Int(account)],
            )? > 0)
        })
    }

    /// A program's members with their role, by email.
    ///
    /// # Errors
    /// Database failures.
    pub fn members(&mut self, program: &str) -> Result<Vec<(Account, String)>, StoreError> {
        self.read(|tx| {
            query_all(
                tx,
                &format!(
                    "SELECT {ACCOUNT_A}, m.role FROM membership m JOIN account a ON a.id = m.account WHERE m.program = $1 ORDER BY a.email"
                ),
                &[t(program)],
                |r| Ok((account(r)?, r.string(6)?)),
            )
        })
    }

    /// An account's role in a program, if it is a member.
    ///
    /// # Errors
    /// Database failures.
    pub fn role_of(&mut self, program: &str, account: i64) -> Result<Option<String>, StoreError> {
        self.read(|tx| {
            query_one(
                tx,
                "SELECT role FROM membership WHERE program = $1 AND account = $2",
                &[t(program), Val::Int(account)],
                |r| r.string(0),
            )
        })
    }

    /// The programs an account belongs to, with its role in each.
    ///
    /// # Errors
    /// Database failures.
    pub fn memberships(&mut self, account: i64) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|tx| {
            query_all(
                tx,
                "SELECT m.program, m.role FROM membership m JOIN program_entry p ON p.slug = m.program WHERE m.account = $1 ORDER BY p.position",
                &[Val::Int(account)],
                |r| Ok((r.string(0)?, r.string(1)?)),
            )
        })
    }

    /// Records a token.
    ///
    /// # Errors
    /// Database failures.
    pub fn add_token(&mut self, k: &Token) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec(
                "INSERT INTO api_token (id, hash, program, role, label, created_by, created_at, expires_on, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    t(&k.id),
                    t(&k.hash),
                    t(&k.program),
                    t(&k.role),
                    t(&k.label),
                    t(&k.created_by),
                    t(&k.created_at),
                    opt(k.expires_on.as_deref()),
                    opt(k.revoked_at.as_deref()),
                ],
            )
            .map(drop)
        })
    }

    /// The token with this public id.
    ///
    /// # Errors
    /// Database failures.
    pub fn token(&mut self, id: &str) -> Result<Option<Token>, StoreError> {
        self.read(|tx| {
            query_one(
                tx,
                &format!("SELECT {TOKEN} FROM api_token WHERE id = $1"),
                &[t(id)],
                token,
            )
        })
    }

    /// A program's tokens, newest first.
    ///
    /// # Errors
    /// Database failures.
    pub fn tokens(&mut self, program: &str) -> Result<Vec<Token>, StoreError> {
        self.read(|tx| {
            query_all(
                tx,
                &format!(
                    "SELECT {TOKEN} FROM api_token WHERE program = $1 ORDER BY created_at DESC, id"
                ),
                &[t(program)],
                token,
            )
        })
    }

    /// Revokes a program's token; whether it was live.
    ///
    /// # Errors
    /// Database failures.
    pub fn revoke_token(&mut self, program: &str, id: &str, at: &str) -> Result<bool, StoreError> {
        self.write(|tx| {
            Ok(tx.exec(
                "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND program = $3 AND revoked_at IS NULL",
                &[t(at), t(id), t(program)],
            )? > 0)
        })
    }

    /// Records a web session.
    ///
    /// # Errors
    /// Database failures.
    pub fn add_session(&mut self, s: &WebSession) -> Result<(), StoreError> {
        self.write(|tx| {
            // Expired sessions go as new ones come.
            tx.exec(
                "DELETE FROM web_session WHERE expires_at < $1",
                &[Val::Int(s.expires_at - 31 * 86_400)],
            )?;
            tx.exec(
                "INSERT INTO web_session (hash, account, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[
                    t(&s.hash),
                    Val::Int(s.account),
                    t(&s.csrf),
                    t(&s.created_at),
                    Val::Int(s.expires_at),
                ],
            )
            .map(drop)
        })
    }

    /// The session with this hash.
    ///
    /// # Errors
    /// Database failures.
    pub fn session(&mut self, hash: &str) -> Result<Option<WebSession>, StoreError> {
        self.read(|tx| {
            query_one(
                tx,
                "SELECT hash, account, csrf, created_at, expires_at FROM web_session WHERE hash = $1",
                &[t(hash)],
                |r| {
                    Ok(WebSession {
                        hash: r.string(0)?,
                        account: r.int(1)?,
                        csrf: r.string(2)?,
                        created_at: r.string(3)?,
                        expires_at: r.int(4)?,
                    })
                },
            )
        })
    }

    /// Ends a session.
    ///
    /// # Errors
    /// Database failures.
    pub fn delete_session(&mut self, hash: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec("DELETE FROM web_session WHERE hash = $1", &[t(hash)])
                .map(drop)
        })
    }

    /// Failed sign-ins recorded under `key` at or after `since` (epoch seconds).
    ///
    /// # Errors
    /// Database failures.
    pub fn failures(&mut self, key: &str, since: i64) -> Result<u64, StoreError> {
        self.read(|tx| {
            Ok(query_one(
                tx,
                "SELECT COUNT(*) FROM signin_failure WHERE key = $1 AND at >= $2",
                &[t(key), Val::Int(since)],
                |r| r.int(0),
            )?
            .map_or(0, |n| u64::try_from(n).unwrap_or(0)))
        })
    }

    /// Records a failed sign-in under each key, dropping those older than `forget_before`.
    ///
    /// # Errors
    /// Database failures.
    pub fn note_failure(
        &mut self,
        keys: &[&str],
        at: i64,
        forget_before: i64,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec(
                "DELETE FROM signin_failure WHERE at < $1",
                &[Val::Int(forget_before)],
            )?;
            for k in keys {
                tx.exec(
                    "INSERT INTO signin_failure (key, at) VALUES ($1, $2)",
                    &[t(k), Val::Int(at)],
                )?;
            }
            Ok(())
        })
    }

    /// Forgets the failures under `key` (after a successful sign-in).
    ///
    /// # Errors
    /// Database failures.
    pub fn clear_failures(&mut self, key: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec("DELETE FROM signin_failure WHERE key = $1", &[t(key)])
                .map(drop)
        })
    }
}

fn is_postgres(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

const ACCOUNT: &str = "id, email, name, password_hash, admin, created_at";
const ACCOUNT_A: &str = "a.id, a.email, a.name, a.password_hash, a.admin, a.created_at";

fn account(r: &dyn crate::Row) -> Result<Account, StoreError> {
    Ok(Account {
        id: r.int(0)?,
        email: r.string(1)?,
        name: r.string(2)?,
        password_hash: r.string(3)?,
        admin: r.int(4)? != 0,
        created_at: r.string(5)?,
    })
}

const TOKEN: &str =
    "id, hash, program, role, label, created_by, created_at, expires_on, revoked_at";

fn token(r: &dyn crate::Row) -> Result<Token, StoreError> {
    Ok(Token {
        id: r.string(0)?,
        hash: r.string(1)?,
        program: r.string(2)?,
        role: r.string(3)?,
        label: r.string(4)?,
        created_by: r.string(5)?,
        created_at: r.string(6)?,
        expires_on: r.opt_text(7)?.map(str::to_owned),
        revoked_at: r.opt_text(8)?.map(str::to_owned),
    })
}
