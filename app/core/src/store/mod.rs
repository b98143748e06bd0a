//! The SQLite store: opening, migrating, and the one door every write uses.
//!
//! [`Store::write`] opens an IMMEDIATE transaction, hands the caller a
//! [`WriteTx`], and refuses to commit unless the caller appended at least one
//! audit entry. That makes DESIGN invariant 6 ("every write is one transaction
//! with its audit entry") something the code checks, not a convention.

mod migrations;
pub(crate) mod scope_guard;

pub use migrations::SCHEMA_VERSION;
/// The SQLite connection type, for callers that pass `store.conn()` along.
pub use rusqlite::Connection;

use crate::access::Scope;
use crate::audit::{self, AuditEntryInput};
use crate::error::{CoreError, Result};
use rusqlite::{OpenFlags, OptionalExtension, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};

/// Who performs a write, and within which division. The name is stored in
/// the audit log as text so entries stay readable after a user is
/// deactivated; the scope bounds every row the write may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<crate::RowId>,
    pub name: String,
    scope: Scope,
}

impl Actor {
    /// A named system job (the daily sweep, a scheduled backup, `hutong
    /// init`) acting within `scope`, usually [`Store::county_scope`].
    pub fn system(name: &str, scope: Scope) -> Self {
        Actor {
            user_id: None,
            name: name.to_string(),
            scope,
        }
    }

    /// A signed-in user, within their own scope.
    pub fn user(user: &crate::users::User) -> Self {
        Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            scope: user.scope.clone(),
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The scope the connection's triggers check writes against.
    write_scope: scope_guard::ScopeCell,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and runs pending
    /// migrations. A database written by a newer Hutong is refused untouched.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| CoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::configure(conn, path)
    }

    /// Opens an existing database; fails rather than creating an empty file.
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(CoreError::NotInitialised {
                path: path.to_path_buf(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| CoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let store = Self::configure(conn, path)?;
        if store.county_code()?.is_none() {
            return Err(CoreError::NotInitialised {
                path: path.to_path_buf(),
            });
        }
        Ok(store)
    }

    fn configure(conn: Connection, path: &Path) -> Result<Store> {
        let open_err = |source| CoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        // WAL lets the UI read while a background job writes; NORMAL sync is
        // durable across application crashes (a power cut may lose the last
        // transaction, never corrupt the file).
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        let mut conn = conn;
        migrations::migrate(&mut conn, path)?;
        let write_scope = scope_guard::install(&conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            write_scope,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read access for queries. Writes must use [`Store::write`].
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The county this database was set up for, if it has been initialised.
    pub fn county_code(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'county_code'",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The whole county as a scope, for system jobs and set-up. Fails on a
    /// database that has no county yet.
    pub fn county_scope(&self) -> Result<Scope> {
        match self.county_code()? {
            Some(code) => Scope::parse(&code),
            None => Err(CoreError::NotInitialised {
                path: self.path.clone(),
            }),
        }
    }

    /// Runs `f` inside one IMMEDIATE transaction. The transaction commits
    /// only if `f` succeeds *and* appended at least one audit entry. Every
    /// row it inserts or updates must lie inside the actor's scope (the
    /// connection's scope triggers refuse anything else).
    pub fn write<T>(
        &mut self,
        actor: &Actor,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_scope.set(actor.scope.glob());
        let out = self.write_in_scope(actor, f);
        self.write_scope.clear();
        match out {
            Err(CoreError::OutOfScope { what, .. }) => {
                // The write rolled back; the attempt itself is recorded in a
                // write of its own (it touches no case row, so the scope
                // triggers let it through), whichever face made it.
                let recorded = self.write_in_scope(actor, |tx| {
                    tx.audit(
                        AuditEntryInput::new(
                            "access.denied",
                            "permissions",
                            Some("out_of_scope".into()),
                        )
                        .reason(&what)
                        .detail(serde_json::json!({ "scope": actor.scope.code() })),
                    )
                });
                if let Err(e) = &recorded {
                    tracing::error!("could not audit a refused write: {e}");
                }
                Err(CoreError::OutOfScope {
                    what,
                    scope: actor.scope.code().to_string(),
                    audited: recorded.is_ok(),
                })
            }
            other => other,
        }
    }

    fn write_in_scope<T>(
        &mut self,
        actor: &Actor,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut wtx = WriteTx {
            tx,
            actor: actor.clone(),
            audited: 0,
            now: now_text(),
        };
        let out = f(&mut wtx)?;
        if wtx.audited == 0 {
            // Dropping the transaction rolls it back.
            return Err(CoreError::Internal(
                "写操作没有审计记录，已回滚（这是程序缺陷，请报告）".into(),
            ));
        }
        wtx.tx.commit()?;
        Ok(out)
    }
}

/// A write in progress. Obtained only from [`Store::write`].
pub struct WriteTx<'a> {
    tx: Transaction<'a>,
    actor: Actor,
    audited: usize,
    now: String,
}

impl WriteTx<'_> {
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The transaction's timestamp (RFC 3339, local offset). One write has
    /// one time, so all its rows and audit entries agree.
    pub fn now(&self) -> &str {
        &self.now
    }

    /// Appends an entry to the hash-chained audit log, inside this transaction.
    pub fn audit(&mut self, entry: AuditEntryInput<'_>) -> Result<()> {
        audit::append(&self.tx, &self.actor, &self.now, entry)?;
        self.audited += 1;
        Ok(())
    }
}

pub(crate) fn now_text() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
