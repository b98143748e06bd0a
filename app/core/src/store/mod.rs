//! The SQLite store: opening, migrating, and the one door every write uses.
//!
//! [`Store::write`] opens an IMMEDIATE transaction, hands the caller a
//! [`WriteTx`], and refuses to commit unless the caller appended at least one
//! audit entry. That makes DESIGN invariant 6 ("every write is one transaction
//! with its audit entry") something the code checks, not a convention.

pub mod encrypt;
pub mod keys;
pub(crate) mod migrations;
pub(crate) mod scope_guard;

pub use keys::{DataKey, KeyRing, keyfile_path};

pub use migrations::SCHEMA_VERSION;
/// The SQLite connection type, for callers that pass `store.conn()` along.
pub use rusqlite::Connection;

use crate::access::Scope;
use crate::audit::{self, AuditAction, AuditEntryInput};
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
    /// The SQLCipher data key; `None` only for unencrypted stores (tests,
    /// and the source of a plaintext migration).
    key: Option<DataKey>,
    /// The scope the connection's triggers check writes against.
    write_scope: scope_guard::ScopeCell,
    /// Writes committed through this handle: screens that keep what they
    /// read compare it to know their copy is stale (see [`Store::commits`]).
    commits: u64,
}

/// An unlocked database: its path and data key, enough to open more
/// connections (background jobs open their own). Cloning it clones the key;
/// every copy is zeroised when dropped.
#[derive(Debug, Clone)]
pub struct Database {
    path: PathBuf,
    key: Option<DataKey>,
}

impl Database {
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn key(&self) -> Option<&DataKey> {
        self.key.as_ref()
    }

    /// A bare SQLCipher connection with the key and nothing else: no
    /// migrations, no scope triggers, no audit key. What an outside tool
    /// holding the key would have; for forensics and for tests that edit
    /// the file behind Hutong's back.
    pub fn open_raw_connection(&self) -> Result<Connection> {
        let conn = Connection::open(&self.path).map_err(|source| CoreError::Open {
            path: self.path.clone(),
            source,
        })?;
        if let Some(key) = &self.key {
            conn.pragma_update(None, "key", &*key.pragma_value())?;
        }
        Ok(conn)
    }

    /// Opens another connection to the same initialised database.
    pub fn open(&self) -> Result<Store> {
        match &self.key {
            Some(key) => Store::open_with_key(&self.path, key),
            None => Store::open_existing_unencrypted(&self.path),
        }
    }
}

/// The first 16 bytes of every plaintext SQLite file. An SQLCipher file
/// starts with random salt instead.
const PLAINTEXT_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` is a plaintext SQLite database.
pub fn is_plaintext(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|()| &head == PLAINTEXT_HEADER)
        .unwrap_or(false)
}

/// With SQLite's default 2 MB cache, encrypted reads are 3–6× slower; a
/// 128 MiB cache keeps warm reads equal to plain SQLite (TECH-NOTES,
/// SECURITY §3). It is a ceiling, filled only by pages actually read.
const ENCRYPTED_CACHE_KIB: i64 = 131_072;

impl Store {
    /// Opens (creating if needed) an **unencrypted** database at `path` and
    /// runs pending migrations. Only for tests, benchmarks and reading an
    /// old plaintext file: the county's database is always encrypted
    /// ([`Store::create_encrypted`], [`Store::unlock`]).
    pub fn open_unencrypted(path: &Path) -> Result<Store> {
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
        Self::configure(conn, path, None)
    }

    /// Opens an existing unencrypted database; fails rather than creating
    /// an empty file.
    pub fn open_existing_unencrypted(path: &Path) -> Result<Store> {
        let conn = Self::connect_existing(path)?;
        let store = Self::configure(conn, path, None)?;
        store.require_initialised()?;
        Ok(store)
    }

    fn connect_existing(path: &Path) -> Result<Connection> {
        if !path.exists() {
            return Err(CoreError::NotInitialised {
                path: path.to_path_buf(),
            });
        }
        Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| CoreError::Open {
            path: path.to_path_buf(),
            source,
        })
    }

    fn require_initialised(&self) -> Result<()> {
        if self.county_code()?.is_none() {
            return Err(CoreError::NotInitialised {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// Creates a new encrypted database at `path` with a fresh random data
    /// key and an empty key file beside it. Accounts made in it get key
    /// slots as they are created. Refuses a path that already exists.
    pub fn create_encrypted(path: &Path, demo: bool) -> Result<Store> {
        if path.exists() || KeyRing::exists(path) {
            return Err(CoreError::field(
                "数据库",
                format!("{} 已存在，不会覆盖", path.display()),
            ));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let key = DataKey::random();
        KeyRing::new(path, demo).save()?;
        let conn = Connection::open(path).map_err(|source| CoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::configure(conn, path, Some(key))
    }

    /// Opens an existing encrypted database with its data key.
    pub fn open_with_key(path: &Path, key: &DataKey) -> Result<Store> {
        if is_plaintext(path) {
            return Err(CoreError::Unencrypted {
                path: path.to_path_buf(),
            });
        }
        let conn = Self::connect_existing(path)?;
        let store = Self::configure(conn, path, Some(key.clone()))?;
        store.require_initialised()?;
        Ok(store)
    }

    /// Opens the encrypted database at `path` with an account's password:
    /// the password opens the account's key slot, the slot gives the data
    /// key. Failed attempts recorded in the key file since the last open are
    /// written into the audit log now. Returns the store and the account id
    /// the slot belongs to (the caller checks the account itself).
    pub fn unlock(path: &Path, username: &str, password: &str) -> Result<(Store, String)> {
        if !path.exists() {
            return Err(CoreError::NotInitialised {
                path: path.to_path_buf(),
            });
        }
        if is_plaintext(path) {
            return Err(CoreError::Unencrypted {
                path: path.to_path_buf(),
            });
        }
        let unlocked = KeyRing::locked(path, |ring| {
            ring.unlock(username, password, chrono::Local::now().fixed_offset())
        })?;
        let mut store = Self::open_with_key(path, &unlocked.key)?;
        store.record_failed_attempts()?;
        Ok((store, unlocked.account))
    }

    /// Opens the encrypted database with the county's recovery code.
    pub fn unlock_with_recovery(path: &Path, code: &str) -> Result<Store> {
        let ring = KeyRing::load(path)?;
        let key = ring.unlock_with_recovery(code)?;
        Self::open_with_key(path, &key)
    }

    /// Writes the key file's pending failed log-ins into the audit log, then
    /// clears them from the file.
    fn record_failed_attempts(&mut self) -> Result<()> {
        let attempts = KeyRing::load(&self.path)?.pending_attempts().to_vec();
        if attempts.is_empty() {
            return Ok(());
        }
        let actor = Actor::system("登录", self.county_scope()?);
        self.write(&actor, |tx| {
            for a in &attempts {
                let mut entry = AuditEntryInput::new(AuditAction::UserLoginFailed, "users", None)
                    .detail(serde_json::json!({ "username": a.username, "at": a.at }));
                if a.while_locked {
                    entry = entry.reason("账户已锁定");
                }
                tx.audit(entry)?;
                if let Some(until) = &a.locked_until {
                    tx.audit(
                        AuditEntryInput::new(AuditAction::UserLocked, "users", None)
                            .reason("连续输错密码，账户已锁定")
                            .detail(serde_json::json!({ "username": a.username, "at": a.at, "until": until })),
                    )?;
                }
            }
            Ok(())
        })?;
        KeyRing::locked(&self.path, |ring| {
            ring.clear_pending_attempts(attempts.len());
            ring.save()
        })
    }

    /// A handle other threads use to open their own connections.
    pub fn database(&self) -> Database {
        Database {
            path: self.path.clone(),
            key: self.key.clone(),
        }
    }

    /// Damaged pages found by SQLCipher's page check (`PRAGMA
    /// cipher_integrity_check`) and SQLite's own (`PRAGMA
    /// integrity_check`); empty when the file is sound.
    pub fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut problems = if self.key.is_some() {
            encrypt::cipher_problems(&self.conn)?
        } else {
            Vec::new()
        };
        // A page that fails its MAC can stop SQLite's own check part-way
        // with an error: that is a finding too, not a reason to report none.
        let checked = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut stmt| {
                stmt.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            });
        match checked {
            Ok(rows) => problems.extend(rows.into_iter().filter(|r| r != "ok")),
            Err(e) => problems.push(format!("完整性检查未能完成：{e}")),
        }
        Ok(problems)
    }

    /// The data key, for code in core that opens sibling files (backups,
    /// restore staging copies) under the same key.
    pub(crate) fn data_key(&self) -> Option<&DataKey> {
        self.key.as_ref()
    }

    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// Makes a new recovery code for the county, replacing any old one.
    /// Shown once to the administrator; the caller audits it.
    pub fn new_recovery_code(&self) -> Result<zeroize::Zeroizing<String>> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| CoreError::KeyFile("未加密的数据库没有恢复码".into()))?;
        KeyRing::locked(&self.path, |ring| {
            let code = ring.new_recovery(key)?;
            ring.save()?;
            Ok(code)
        })
    }

    fn configure(conn: Connection, path: &Path, key: Option<DataKey>) -> Result<Store> {
        let open_err = |source| CoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        // SQLCipher's own log lines (English, on stderr) would sit beside
        // our Chinese message for a wrong key or a damaged page; the error
        // itself still reaches the caller. A build without the pragma
        // ignores it.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        if let Some(key) = &key {
            // The key must be the first statement on the connection.
            conn.pragma_update(None, "key", &*key.pragma_value())
                .map_err(open_err)?;
            // A wrong key or a damaged first page shows here, before any
            // pragma could write to the file.
            let readable: rusqlite::Result<i64> =
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
            if readable.is_err() {
                return Err(CoreError::Damaged {
                    path: path.to_path_buf(),
                });
            }
        }
        // Every store gets the same page cache, so a plain store (tests,
        // benchmarks) compares like for like with an encrypted one.
        conn.pragma_update(None, "cache_size", -ENCRYPTED_CACHE_KIB)
            .map_err(open_err)?;
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
        if let Some(key) = &key {
            audit::install_mac(&conn, key.derive("audit-chain")).map_err(open_err)?;
        }
        let mut conn = conn;
        migrations::migrate(&mut conn, path)?;
        if path != Path::new(":memory:") {
            crate::files::restrict_database(path)?;
        }
        let write_scope = scope_guard::install(&conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            key,
            write_scope,
            commits: 0,
        })
    }

    /// How many writes this handle has committed. A screen that caches
    /// rows notes the count when it reads them and reads again once the
    /// count moves, so what was just written shows without a 刷新 button.
    pub fn commits(&self) -> u64 {
        self.commits
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
        if out.is_ok() {
            self.commits += 1;
        }
        match out {
            Err(CoreError::OutOfScope { what, .. }) => {
                // The write rolled back; the attempt itself is recorded in a
                // write of its own (it touches no case row, so the scope
                // triggers let it through), whichever face made it.
                let recorded = self.write_in_scope(actor, |tx| {
                    tx.audit(
                        AuditEntryInput::new(
                            AuditAction::AccessDenied,
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

    /// Runs a write with SQLite's update hook noting every row it changes,
    /// so that its audit entries can carry their digests; the hook is
    /// removed again whatever the outcome.
    fn write_in_scope<T>(
        &mut self,
        actor: &Actor,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T>,
    ) -> Result<T> {
        let changed: ChangedRows = Default::default();
        let noted = std::sync::Arc::clone(&changed);
        self.conn.update_hook(Some(
            move |action: rusqlite::hooks::Action, _db: &str, table: &str, rowid: i64| {
                if action != rusqlite::hooks::Action::SQLITE_DELETE
                    && audit::digests_table(table)
                    && let Ok(mut rows) = noted.lock()
                {
                    rows.push((table.to_string(), rowid));
                }
            },
        ));
        let out = self.write_tracked(actor, changed, f);
        self.conn
            .update_hook(None::<fn(rusqlite::hooks::Action, &str, &str, i64)>);
        out
    }

    fn write_tracked<T>(
        &mut self,
        actor: &Actor,
        changed: ChangedRows,
        f: impl FnOnce(&mut WriteTx<'_>) -> Result<T>,
    ) -> Result<T> {
        let Store {
            conn, path, key, ..
        } = self;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut wtx = WriteTx {
            tx,
            actor: actor.clone(),
            pending: Vec::new(),
            changed,
            now: now_text(),
            slot_changes: Vec::new(),
        };
        let out = f(&mut wtx)?;
        if wtx.pending.is_empty() {
            // Dropping the transaction rolls it back.
            return Err(CoreError::Internal(
                "写操作没有审计记录，已回滚（这是程序缺陷，请报告）".into(),
            ));
        }
        wtx.append_audit_entries()?;
        let WriteTx {
            tx, slot_changes, ..
        } = wtx;
        if slot_changes.is_empty() || key.is_none() {
            tx.commit()?;
            return Ok(out);
        }
        // Key slots live in the key file, outside the transaction: the new
        // file is written first, and put back if the commit fails, so the
        // file and the account table agree either way.
        let key = key.as_ref().ok_or(CoreError::Internal("密钥缺失".into()))?;
        KeyRing::locked(path, |ring| {
            let before = ring.clone();
            for change in &slot_changes {
                match change {
                    SlotChange::Set {
                        account,
                        username,
                        password,
                    } => ring.set_slot(key, account, username, password)?,
                    SlotChange::Remove { account } => ring.remove_slot(account),
                }
            }
            ring.save()?;
            if let Err(e) = tx.commit() {
                if let Err(restore) = before.save() {
                    tracing::error!(
                        "could not put the key file back after a failed commit: {restore}"
                    );
                }
                return Err(e.into());
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// A change to the key file that takes effect when a write commits.
pub(crate) enum SlotChange {
    /// Seal the data key for this account with this password.
    Set {
        account: String,
        username: String,
        password: zeroize::Zeroizing<String>,
    },
    /// The account can no longer open the database.
    Remove { account: String },
}

/// A write in progress. Obtained only from [`Store::write`].
pub struct WriteTx<'a> {
    tx: Transaction<'a>,
    actor: Actor,
    /// Audit entries of this write, appended just before it commits.
    pending: Vec<PendingAudit>,
    /// Rows this write changed (from the update hook).
    changed: ChangedRows,
    now: String,
    slot_changes: Vec<SlotChange>,
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

    /// Queues a key-slot change, applied to the key file when this write
    /// commits (ignored by an unencrypted store).
    pub(crate) fn change_key_slot(&mut self, change: SlotChange) {
        self.slot_changes.push(change);
    }

    /// Records an entry for the hash-chained audit log. It is appended in
    /// this transaction, after the write's own statements, so that it can
    /// carry the digest of its row as the write leaves it (`audit verify
    /// --deep`); entries keep the order they were recorded in.
    pub fn audit(&mut self, entry: AuditEntryInput<'_>) -> Result<()> {
        self.pending.push(PendingAudit {
            action: entry.action,
            entity: entry.entity.to_string(),
            entity_id: entry.entity_id,
            reason: entry.reason.map(str::to_string),
            detail: entry.detail,
        });
        Ok(())
    }

    /// Appends the recorded entries; the last carries the digest of every
    /// row this write changed, as it leaves them (`audit verify --deep`).
    fn append_audit_entries(&mut self) -> Result<()> {
        let changes = match self.changed.lock() {
            Ok(mut rows) => std::mem::take(&mut *rows),
            Err(_) => return Err(CoreError::Internal("改动记录清单不可用".into())),
        };
        let rows = audit::changed_rows(&self.tx, changes)?;
        let mut pending = std::mem::take(&mut self.pending);
        let entries = pending
            .iter_mut()
            .map(|p| AuditEntryInput {
                action: p.action,
                entity: &p.entity,
                entity_id: p.entity_id.take(),
                reason: p.reason.as_deref(),
                detail: std::mem::take(&mut p.detail),
            })
            .collect();
        audit::append_write(&self.tx, &self.actor, &self.now, entries, &rows)
    }
}

/// The rows a write changed: (table, rowid), noted by SQLite's update hook.
type ChangedRows = std::sync::Arc<std::sync::Mutex<Vec<(String, i64)>>>;

/// An audit entry recorded during a write, appended when it commits.
struct PendingAudit {
    action: AuditAction,
    entity: String,
    entity_id: Option<String>,
    reason: Option<String>,
    detail: serde_json::Value,
}

pub(crate) fn now_text() -> String {
    chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
