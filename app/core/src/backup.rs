//! Backups and restores.
//!
//! - [`backup_to`] takes an online backup with SQLite's backup API (the UI
//!   may keep reading and writing meanwhile), into a temporary file that is
//!   verified and then renamed into place. The backup is audited first, so
//!   the copy holds the entry that records it.
//! - [`backup_due`] is the daily helper: `hutong-YYYYMMDD.db` in a folder,
//!   written only if today's does not exist yet.
//! - [`restore`] copies the backup next to the database, verifies the copy
//!   (`PRAGMA integrity_check`, schema version, county, and the whole audit
//!   chain) *before* touching anything, keeps the current file as `.bak`,
//!   moves the copy into place, and records the restore in the restored
//!   database's audit log. A backup that fails any check is refused and the
//!   current database is left as it was.

use crate::audit::{self, AuditEntryInput, VerifyReport};
use crate::error::{CoreError, Result};
use crate::store::{Actor, DataKey, Database, KeyRing, SCHEMA_VERSION, Store, keyfile_path};
use hutong_national::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    pub sha256: String,
    pub verification: Verification,
}

/// The checks a database file passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub schema_version: i64,
    pub county_code: String,
    pub children: u64,
    pub audit: VerifyReport,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CoreError + '_ {
    move |source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn bad(path: &Path, message: impl Into<String>) -> CoreError {
    CoreError::BadFile {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    Ok((bytes.len() as u64, hex::encode(Sha256::digest(&bytes))))
}

/// Checks an open database: integrity, schema version, county, audit chain.
fn verify_conn(conn: &Connection, path: &Path) -> Result<Verification> {
    let not_db = |e: rusqlite::Error| bad(path, format!("不是有效的护童数据库：{e}"));
    let integrity: Vec<String> = {
        let mut stmt = conn.prepare("PRAGMA integrity_check").map_err(not_db)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(not_db)?;
        rows.collect::<rusqlite::Result<_>>().map_err(not_db)?
    };
    if integrity != ["ok"] {
        return Err(bad(
            path,
            format!(
                "完整性检查未通过：{}",
                integrity.into_iter().take(5).collect::<Vec<_>>().join("；")
            ),
        ));
    }
    let schema_version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(not_db)?;
    if schema_version == 0 {
        return Err(bad(path, "不是护童数据库（没有数据结构版本）"));
    }
    if schema_version > SCHEMA_VERSION {
        return Err(bad(
            path,
            format!(
                "由较新版本的护童创建（数据结构版本 {schema_version}，本程序支持 {SCHEMA_VERSION}）"
            ),
        ));
    }
    let county_code: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'county_code'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(not_db)?
        .ok_or_else(|| bad(path, "数据库尚未初始化（没有县级区划代码）"))?;
    let children: i64 = conn
        .query_row("SELECT count(*) FROM children", [], |r| r.get(0))
        .map_err(not_db)?;
    let report = audit::verify(conn)?;
    if let Some(b) = &report.first_broken {
        return Err(bad(
            path,
            format!("审计日志校验未通过：第{}条记录：{}", b.seq, b.reason),
        ));
    }
    Ok(Verification {
        schema_version,
        county_code,
        children: children as u64,
        audit: report,
    })
}

/// Opens a database file, with the data key when there is one. A key that
/// does not open the file is reported as such, naming the file.
fn open_file(path: &Path, key: Option<&DataKey>) -> Result<Connection> {
    let conn = Connection::open(path).map_err(|source| CoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(key) = key {
        conn.pragma_update(None, "key", &*key.pragma_value())?;
        // The copy's audit chain is checked with the same key.
        audit::install_mac(&conn, key.derive("audit-chain"))?;
        if conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .is_err()
        {
            return Err(bad(
                path,
                "无法用本县数据库的密钥打开：文件已损坏，或不是本数据库的备份",
            ));
        }
    }
    Ok(conn)
}

/// Verifies a database file without changing it (a temporary copy is
/// checked, so even a WAL-mode file is never written to). An encrypted
/// backup needs the key of the database it was taken from.
pub fn verify_file(path: &Path, key: Option<&DataKey>) -> Result<Verification> {
    if !path.is_file() {
        return Err(bad(path, "文件不存在"));
    }
    let dir = tempfile_dir(path)?;
    let copy = dir.join("verify.db");
    let out = std::fs::copy(path, &copy)
        .map_err(io(path))
        .and_then(|_| crate::files::restrict(&copy))
        .and_then(|()| open_file(&copy, key))
        .and_then(|conn| verify_conn(&conn, path));
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// Scratch folders are named so a later start can find and remove the
/// ones a crash left behind ([`remove_leftover_temp_dirs`]).
const TEMP_DIR_PREFIX: &str = ".hutong-tmp-";

/// Removes scratch folders a crashed backup, restore or check left beside
/// the database (they may hold decrypted-by-key copies).
pub fn remove_leftover_temp_dirs(near: &Path) {
    let parent = near
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(TEMP_DIR_PREFIX) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// A private scratch directory beside `near` (same filesystem, so renames work).
fn tempfile_dir(near: &Path) -> Result<PathBuf> {
    let parent = near
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = parent.join(format!("{TEMP_DIR_PREFIX}{}", crate::RowId::new()));
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(io(&dir))?;
    }
    Ok(dir)
}

/// Writes an online backup of `store` to `dest` (which must not exist).
pub fn backup_to(store: &mut Store, actor: &Actor, dest: &Path) -> Result<BackupInfo> {
    if dest.exists() {
        // Also what keeps a backup from overwriting the database itself.
        return Err(bad(dest, "文件已存在，不覆盖；请换一个文件名"));
    }
    if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new("backup", "database", None)
                .detail(serde_json::json!({ "file": dest.display().to_string() })),
        )
    })?;
    // The chain's head is signed now, so the backup holds the anchor and a
    // copy of it lies beside the backup, apart from the database.
    let anchor = crate::anchors::make(store, actor, "备份")?;
    let dir = tempfile_dir(dest)?;
    let tmp = dir.join("backup.db");
    let key = store.data_key().cloned();
    let result = (|| {
        // An empty owner-only file first: the store's connection was opened
        // without SQLITE_OPEN_CREATE, so ATTACH cannot create one.
        drop(crate::files::create_new_private(&tmp)?);
        match &key {
            // An encrypted database is exported under the same key: the
            // backup is as unreadable without a password as the database.
            Some(key) => export_encrypted(store.conn(), &tmp, key)
                .map_err(|e| bad(dest, format!("备份失败：{e}")))?,
            None => store
                .conn()
                .backup(rusqlite::MAIN_DB, &tmp, None)
                .map_err(|e| bad(dest, format!("备份失败：{e}")))?,
        }
        crate::files::restrict(&tmp)?;
        {
            // A single self-contained file: no WAL beside it.
            let conn = open_file(&tmp, key.as_ref())?;
            conn.pragma_update(None, "journal_mode", "DELETE")?;
            verify_conn(&conn, dest)?;
        }
        // The key file travels with the backup: without it only the
        // recovery code opens the copy.
        if key.is_some() {
            KeyRing::load(store.path())?.save_copy(&keyfile_path(dest))?;
        }
        std::fs::rename(&tmp, dest).map_err(io(dest))?;
        let folder = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        crate::files::sync_dir(folder);
        crate::anchors::write_file(&anchor, folder)?;
        let verification = verify_file(dest, key.as_ref())?;
        let (bytes, sha256) = sha256_file(dest)?;
        Ok(BackupInfo {
            path: dest.to_path_buf(),
            bytes,
            sha256,
            verification,
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Copies the open encrypted database into a new file under the same key
/// (`sqlcipher_export`, one read transaction, so the copy is consistent).
fn export_encrypted(conn: &Connection, dest: &Path, key: &DataKey) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    conn.execute(
        "ATTACH DATABASE ?1 AS backup_copy KEY ?2",
        rusqlite::params![dest.to_string_lossy(), &*key.pragma_value()],
    )?;
    let exported = conn
        .query_row("SELECT sqlcipher_export('backup_copy')", [], |_| Ok(()))
        .and_then(|()| {
            conn.execute_batch(&format!("PRAGMA backup_copy.user_version = {version};"))
        });
    let detached = conn.execute("DETACH DATABASE backup_copy", []);
    exported?;
    detached.map(|_| ())
}

/// The daily backup's file name.
pub fn daily_name(today: NaiveDate) -> String {
    format!("hutong-{}.db", today.format("%Y%m%d"))
}

/// Writes `folder/hutong-YYYYMMDD.db` unless today's backup exists already.
pub fn backup_due(
    store: &mut Store,
    actor: &Actor,
    folder: &Path,
    today: NaiveDate,
) -> Result<Option<BackupInfo>> {
    let path = folder.join(daily_name(today));
    if path.exists() {
        return Ok(None);
    }
    backup_to(store, actor, &path).map(Some)
}

/// The meta key holding the daily backup folder.
const SCHEDULE_KEY: &str = "daily_backup_folder";

/// The folder daily backups go to, if the county set one.
pub fn schedule(conn: &Connection) -> Result<Option<PathBuf>> {
    Ok(conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [SCHEDULE_KEY],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .filter(|v| !v.trim().is_empty())
        .map(PathBuf::from))
}

/// Sets (or, with `None`, turns off) the daily backup folder, audited.
pub fn set_schedule(store: &mut Store, actor: &Actor, folder: Option<&Path>) -> Result<()> {
    if let Some(f) = folder
        && !f.is_dir()
    {
        return Err(bad(f, "每日备份的文件夹不存在"));
    }
    let value = folder.map(|f| f.display().to_string()).unwrap_or_default();
    store.write(actor, |tx| {
        tx.conn().execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![SCHEDULE_KEY, value],
        )?;
        tx.audit(
            AuditEntryInput::new("backup.schedule", "meta", Some(SCHEDULE_KEY.into()))
                .detail(serde_json::json!({ "folder": folder.map(|f| f.display().to_string()) })),
        )
    })
}

/// The scheduled daily backup: writes today's file to the configured
/// folder unless it exists (at most one a day). `None` when no folder is
/// set or today's backup is already there.
pub fn run_scheduled(
    store: &mut Store,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Option<BackupInfo>> {
    match schedule(store.conn())? {
        Some(folder) => backup_due(store, actor, &folder, today),
        None => Ok(None),
    }
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    pub restored_from: PathBuf,
    pub backup_sha256: String,
    /// Where the replaced database was kept, if there was one.
    pub previous_kept_as: Option<PathBuf>,
    pub verification: Verification,
    /// The audit chain of the restored database, after the restore entry.
    pub audit_after: VerifyReport,
}

fn free_bak_path(db: &Path) -> PathBuf {
    let base = db.with_extension(match db.extension() {
        Some(e) => format!("{}.bak", e.to_string_lossy()),
        None => "bak".to_string(),
    });
    if !base.exists() {
        return base;
    }
    (1..)
        .map(|n| PathBuf::from(format!("{}.{n}", base.display())))
        .find(|p| !p.exists())
        .unwrap_or(base)
}

/// Replaces the database at `db` with a verified copy of `backup`. The
/// database must not be open elsewhere in this process (the GUI closes its
/// store first).
pub fn restore(database: &Database, backup: &Path, actor: &Actor) -> Result<RestoreReport> {
    let db = database.path();
    let key = database.key();
    if !backup.is_file() {
        return Err(bad(backup, "备份文件不存在"));
    }
    let (_, backup_sha256) = sha256_file(backup)?;
    let dir = tempfile_dir(db)?;
    let staged = dir.join("restore.db");
    let cleanup = |dir: &Path| {
        let _ = std::fs::remove_dir_all(dir);
    };
    if let Err(e) = std::fs::copy(backup, &staged) {
        cleanup(&dir);
        return Err(io(backup)(e));
    }
    // Verify the copy before anything else is touched.
    let verification = {
        let conn = match open_file(&staged, key) {
            Ok(c) => c,
            Err(e) => {
                cleanup(&dir);
                return Err(e);
            }
        };
        let v = verify_conn(&conn, backup).and_then(|v| {
            conn.pragma_update(None, "journal_mode", "DELETE")?;
            Ok(v)
        });
        match v {
            Ok(v) => v,
            Err(e) => {
                drop(conn);
                cleanup(&dir);
                return Err(CoreError::BadFile {
                    path: backup.to_path_buf(),
                    message: format!("备份未通过校验，未恢复，当前数据库未改动：{e}"),
                });
            }
        }
    };
    // The current database: same county only, checkpointed, kept as .bak.
    let mut previous_kept_as = None;
    if db.exists() {
        let current = (|| -> Result<Option<String>> {
            let conn = open_file(db, key)?;
            let county: Option<String> = conn
                .query_row(
                    "SELECT value FROM meta WHERE key = 'county_code'",
                    [],
                    |r| r.get(0),
                )
                .optional()
                .unwrap_or(None);
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(county)
        })();
        match current {
            Ok(Some(c)) if c != verification.county_code => {
                cleanup(&dir);
                return Err(bad(
                    backup,
                    format!(
                        "备份属于县 {}，当前数据库属于县 {c}，不能用它恢复；当前数据库未改动",
                        verification.county_code
                    ),
                ));
            }
            Ok(_) => {}
            // An unreadable current file is exactly when one restores.
            Err(e) => tracing::warn!("current database unreadable before restore: {e}"),
        }
        let bak = free_bak_path(db);
        if let Err(e) = std::fs::rename(db, &bak) {
            cleanup(&dir);
            return Err(io(db)(e));
        }
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", db.display()));
            if side.exists() {
                let _ = std::fs::rename(&side, format!("{}{suffix}", bak.display()));
            }
        }
        previous_kept_as = Some(bak);
    }
    if let Err(e) = std::fs::rename(&staged, db) {
        // Put the old file back.
        if let Some(bak) = &previous_kept_as {
            let _ = std::fs::rename(bak, db);
        }
        cleanup(&dir);
        return Err(io(db)(e));
    }
    cleanup(&dir);
    let mut store = database.open()?;
    store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new("restore", "database", None).detail(serde_json::json!({
                "from": backup.display().to_string(),
                "sha256": backup_sha256,
                "audit_entries_verified": verification.audit.entries_checked,
                "previous_kept_as": previous_kept_as.as_ref().map(|p| p.display().to_string()),
            })),
        )
    })?;
    let audit_after = audit::verify(store.conn())?;
    Ok(RestoreReport {
        restored_from: backup.to_path_buf(),
        backup_sha256,
        previous_kept_as,
        verification,
        audit_after,
    })
}
