//! Backups and restores.
//!
//! - [`backup_to`] takes an online backup with SQLite's backup API (the UI
//!   may keep reading and writing meanwhile), into a temporary file that is
//!   verified and then renamed into place. The backup is audited first, so
//!   the copy holds the entry that records it.
//! - [`backup_due`] is the daily helper: `hutong-YYYYMMDD.db` in a folder,
//!   written only if today's does not exist yet.
//! - Restoring is [`crate::restore`]'s.

use crate::audit::{self, AuditAction, AuditEntryInput, VerifyReport};
use crate::error::{CoreError, Result};
use crate::store::{Actor, DataKey, KeyRing, SCHEMA_VERSION, Store, keyfile_path};
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
pub(crate) fn verify_conn(conn: &Connection, path: &Path) -> Result<Verification> {
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
        apply_key(&conn, path, key)?;
    }
    Ok(conn)
}

/// Keys a connection to a sibling file (a backup, a staging copy) with the
/// county's data key and its audit-chain key, and checks that the key opens
/// it: a file of another county, or a damaged one, is named as such.
pub(crate) fn apply_key(conn: &Connection, path: &Path, key: &DataKey) -> Result<()> {
    conn.pragma_update(None, "key", &*key.pragma_value())?;
    // The copy's audit chain is checked with the same key.
    audit::install_mac(conn, key.derive("audit-chain"))?;
    let readable = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    });
    if readable.is_err() {
        return Err(bad(
            path,
            "无法用本县数据库的密钥打开：文件已损坏，或不是本数据库的备份",
        ));
    }
    Ok(())
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
pub(crate) fn tempfile_dir(near: &Path) -> Result<PathBuf> {
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
            AuditEntryInput::new(AuditAction::Backup, "database", None)
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
            AuditEntryInput::new(
                AuditAction::BackupSchedule,
                "meta",
                Some(SCHEDULE_KEY.into()),
            )
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
