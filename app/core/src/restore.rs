//! Restoring a backup over the county database, so that a restore cannot
//! be used against the county (SECURITY §4, §6).
//!
//! Before anything is touched, a private copy of the backup is opened
//! read-only and defensively (`SQLITE_DBCONFIG_DEFENSIVE`, no trusted
//! schema, triggers and views off) and checked:
//! - its schema (tables, indexes, triggers, views) equals exactly what this
//!   build's migrations make for its version: anything extra, missing or
//!   changed is refused by name (a planted trigger, a dropped guard);
//! - pages, county, audit chain (keyed), and the chain is a prefix of the
//!   current one: the backup cannot carry a history the county never had.
//!
//! [`preview`] lists what would change in accounts, trusted keys and
//! settings, for the administrator to see before confirming.
//!
//! The swap is crash-safe: the current file is checkpointed and kept under a
//! second name (a hard link, or a synced copy), the checked copy is synced,
//! and one atomic rename puts it over the live path. Killed at any step,
//! the path holds the old database or the new one. Audit entries written
//! after the backup was taken are carried into the restored database
//! (`audit_carried`), and the restore's own entry names them.

use crate::audit::{self, AuditAction, AuditEntryInput};
use crate::backup::{Verification, verify_conn};
use crate::error::{CoreError, Result};
use crate::files;
use crate::store::migrations::{schema_at, schema_of};
use crate::store::{Actor, DataKey, Database, SCHEMA_VERSION};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn bad(path: &Path, message: impl Into<String>) -> CoreError {
    CoreError::BadFile {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CoreError + '_ {
    move |source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Fault injection for the crash tests: `HUTONG_RESTORE_CRASH_AT=<step>`
/// aborts the process at that step, as a power cut or a kill would.
fn crash_point(step: &str) {
    if std::env::var("HUTONG_RESTORE_CRASH_AT").is_ok_and(|s| s == step) {
        std::process::abort();
    }
}

/// Opens a file read-only and defensively, with the key: nothing in it can
/// run (no triggers, no views, no functions from its schema) while it is
/// being checked.
fn open_defensively(path: &Path, key: Option<&DataKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| CoreError::Open {
        path: path.to_path_buf(),
        source,
    })?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false)?;
    if let Some(key) = key {
        crate::backup::apply_key(&conn, path, key)?;
    }
    Ok(conn)
}

/// The schema must be exactly its version's: names what differs.
fn check_schema(conn: &Connection, path: &Path) -> Result<i64> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if !(1..=SCHEMA_VERSION).contains(&version) {
        return Err(bad(
            path,
            format!("数据结构版本 {version} 不是本程序认识的版本（1–{SCHEMA_VERSION}）"),
        ));
    }
    let expected = schema_at(version)?;
    let actual = schema_of(conn, "main")?;
    let mut problems = Vec::new();
    for (kind, name, sql) in &actual {
        match expected.iter().find(|(k, n, _)| k == kind && n == name) {
            None => problems.push(format!("多出{}“{name}”", kind_zh(kind))),
            Some((_, _, want)) if want != sql => {
                problems.push(format!("{}“{name}”的定义被改动", kind_zh(kind)))
            }
            Some(_) => {}
        }
    }
    for (kind, name, _) in &expected {
        if !actual.iter().any(|(k, n, _)| k == kind && n == name) {
            problems.push(format!("缺少{}“{name}”", kind_zh(kind)));
        }
    }
    if !problems.is_empty() {
        return Err(bad(
            path,
            format!(
                "数据结构与版本 {version} 不符，拒绝恢复：{}",
                problems.join("；")
            ),
        ));
    }
    Ok(version)
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "table" => "表",
        "index" => "索引",
        "trigger" => "触发器",
        "view" => "视图",
        _ => "对象",
    }
}

/// The last entry of a chain: (seq, hash).
fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// What a restore would change, shown before the administrator confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestorePreview {
    pub verification: Verification,
    /// Changes to accounts, trusted keys and settings, one line each, in
    /// Chinese ("账户 li：县级管理员 → 已不存在").
    pub changes: Vec<String>,
    /// The backup's last audit entry.
    pub backup_head: i64,
    /// Entries written since the backup, carried into the restored file.
    pub entries_carried: i64,
}

fn rows(conn: &Connection, sql: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(out)
}

/// Lines naming every difference between two `(key, value)` lists.
fn differences(what: &str, now: &[(String, String)], then: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in now {
        match then.iter().find(|(k2, _)| k2 == k) {
            None => out.push(format!("{what} {k}：{v} → 恢复后不存在")),
            Some((_, v2)) if v2 != v => out.push(format!("{what} {k}：{v} → {v2}")),
            Some(_) => {}
        }
    }
    for (k, v) in then {
        if !now.iter().any(|(k2, _)| k2 == k) {
            out.push(format!("{what} {k}：现在不存在 → {v}"));
        }
    }
    out
}

const ACCOUNTS: &str =
    "SELECT username, role || ' / ' || scope_code || ' / ' || status FROM users ORDER BY username";
const KEYS: &str = "SELECT province_code || ' ' || substr(public_key, 1, 16) || '…', status FROM trusted_keys ORDER BY 1";
/// Settings that change what the workstation allows or where data goes.
const SETTINGS: &str = "SELECT key, value FROM meta
    WHERE key IN ('developer_mode', 'idle_lock_minutes', 'daily_backup_folder', 'county_signing_key', 'demo')
    ORDER BY key";

fn changes(current: &Connection, backup: &Connection) -> Result<Vec<String>> {
    let mut out = differences("账户", &rows(current, ACCOUNTS)?, &rows(backup, ACCOUNTS)?);
    out.extend(differences(
        "受信任密钥",
        &rows(current, KEYS)?,
        &rows(backup, KEYS)?,
    ));
    let mask = |mut v: Vec<(String, String)>| {
        // The signing key itself is never shown.
        for (k, val) in &mut v {
            if k == "county_signing_key" {
                *val = format!("{}…", &hex::encode(Sha256::digest(val.as_bytes()))[..8]);
            }
        }
        v
    };
    out.extend(differences(
        "设置",
        &mask(rows(current, SETTINGS)?),
        &mask(rows(backup, SETTINGS)?),
    ));
    Ok(out)
}

/// Everything checked before a restore, on a private copy of the backup.
struct Checked {
    verification: Verification,
    backup_head: i64,
    entries_carried: i64,
    changes: Vec<String>,
}

fn check_copy(database: &Database, staged: &Path, backup: &Path) -> Result<Checked> {
    let key = database.key();
    let conn = open_defensively(staged, key)?;
    check_schema(&conn, backup)?;
    let problems = if key.is_some() {
        crate::store::encrypt::cipher_problems(&conn)?
    } else {
        Vec::new()
    };
    if !problems.is_empty() {
        return Err(bad(
            backup,
            format!("页校验未通过：{}", problems.join("；")),
        ));
    }
    let verification = verify_conn(&conn, backup)?;
    let current = open_defensively(database.path(), key)?;
    let county: Option<String> = current
        .query_row(
            "SELECT value FROM meta WHERE key = 'county_code'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(c) = county.filter(|c| *c != verification.county_code) {
        return Err(bad(
            backup,
            format!(
                "备份属于县 {}，当前数据库属于县 {c}，不能用它恢复",
                verification.county_code
            ),
        ));
    }
    // The backup's chain must be the start of the current one.
    let (backup_head, entries_carried) = match head(&conn)? {
        None => (
            0,
            current.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?,
        ),
        Some((seq, hash)) => {
            let ours: Option<String> = current
                .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
                    r.get(0)
                })
                .optional()?;
            if ours.as_deref() != Some(hash.as_str()) {
                return Err(bad(
                    backup,
                    format!(
                        "备份的审计日志（到第 {seq} 条）不是当前审计日志的前段：它记录了本数据库没有的历史，拒绝恢复"
                    ),
                ));
            }
            let after: i64 = current.query_row(
                "SELECT count(*) FROM audit_log WHERE seq > ?1",
                [seq],
                |r| r.get(0),
            )?;
            (seq, after)
        }
    };
    let changes = changes(&current, &conn)?;
    Ok(Checked {
        verification,
        backup_head,
        entries_carried,
        changes,
    })
}

/// A private scratch folder beside the database (same file system, so the
/// final rename is atomic).
fn scratch(db: &Path) -> Result<(PathBuf, PathBuf)> {
    let dir = crate::backup::tempfile_dir(db)?;
    let staged = dir.join("restore.db");
    Ok((dir, staged))
}

fn stage(backup: &Path, staged: &Path) -> Result<String> {
    if !backup.is_file() {
        return Err(bad(backup, "备份文件不存在"));
    }
    let bytes = std::fs::read(backup).map_err(io(backup))?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let mut f = files::create_new_private(staged)?;
    std::io::Write::write_all(&mut f, &bytes).map_err(io(staged))?;
    f.sync_all().map_err(io(staged))?;
    Ok(sha)
}

/// A refused backup's message says that nothing changed.
fn refused(e: CoreError) -> CoreError {
    match e {
        CoreError::BadFile { path, message } => CoreError::BadFile {
            path,
            message: format!("备份未通过校验，未恢复，当前数据库未改动：{message}"),
        },
        other => other,
    }
}

/// What would change if `backup` were restored over the database; nothing
/// is touched. Refuses a backup that a restore would refuse.
pub fn preview(database: &Database, backup: &Path) -> Result<RestorePreview> {
    let (dir, staged) = scratch(database.path())?;
    let out = stage(backup, &staged).and_then(|_| check_copy(database, &staged, backup));
    let _ = std::fs::remove_dir_all(&dir);
    let c = out.map_err(refused)?;
    Ok(RestorePreview {
        verification: c.verification,
        changes: c.changes,
        backup_head: c.backup_head,
        entries_carried: c.entries_carried,
    })
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    pub restored_from: PathBuf,
    pub backup_sha256: String,
    /// Where the replaced database was kept.
    pub previous_kept_as: Option<PathBuf>,
    pub verification: Verification,
    pub changes: Vec<String>,
    /// Entries written after the backup, carried into the restored file.
    pub entries_carried: i64,
    /// The audit chain of the restored database, after the restore entry.
    pub audit_after: audit::VerifyReport,
}

/// `county.db` → `county.db.bak`, or `.bak.1`, … if taken.
pub fn free_bak_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".bak");
    let base = PathBuf::from(name);
    if !base.exists() {
        return base;
    }
    (1..)
        .map(|n| PathBuf::from(format!("{}.{n}", base.display())))
        .find(|p| !p.exists())
        .unwrap_or(base)
}

/// Copies of the database a restore kept (`county.db.bak*`), newest last:
/// what a start that finds no database offers to recover from.
pub fn kept_copies(db: &Path) -> Vec<PathBuf> {
    let Some(name) = db.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Vec::new();
    };
    let dir = db
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n.starts_with(&format!("{name}.bak")) && !n.ends_with("-wal") && !n.ends_with("-shm")
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

/// Keeps the current file under `bak`: a hard link (instant, same bytes)
/// where the file system allows, else a synced copy.
fn keep_current(db: &Path, bak: &Path) -> Result<()> {
    if std::fs::hard_link(db, bak).is_err() {
        std::fs::copy(db, bak).map_err(io(db))?;
        if let Ok(f) = std::fs::File::open(bak) {
            let _ = f.sync_all();
        }
    }
    files::restrict(bak)
}

fn side_file(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Replaces the database with a checked copy of `backup`. The database must
/// not be open elsewhere in this process (the GUI closes its store first).
pub fn restore(database: &Database, backup: &Path, actor: &Actor) -> Result<RestoreReport> {
    let db = database.path();
    let (dir, staged) = scratch(db)?;
    let cleanup = |dir: &Path| {
        let _ = std::fs::remove_dir_all(dir);
    };
    let checked = match stage(backup, &staged)
        .and_then(|sha| Ok((sha, check_copy(database, &staged, backup)?)))
    {
        Ok(c) => c,
        Err(e) => {
            cleanup(&dir);
            return Err(refused(e));
        }
    };
    let (backup_sha256, checked) = checked;
    crash_point("checked");

    // The entries the restore would drop, read before the swap.
    let carried = match read_entries_after(database, checked.backup_head) {
        Ok(c) => c,
        Err(e) => {
            cleanup(&dir);
            return Err(e);
        }
    };
    // Fold the WAL into the file so the kept copy is complete and no old
    // WAL frames can be replayed onto the restored file.
    let prepared = (|| -> Result<PathBuf> {
        let current = database.open_raw_connection()?;
        current.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        drop(current);
        crash_point("checkpointed");
        let bak = free_bak_path(db);
        keep_current(db, &bak)?;
        if let Some(parent) = db.parent() {
            files::sync_dir(parent);
        }
        crash_point("kept");
        for suffix in ["-wal", "-shm"] {
            let side = side_file(db, suffix);
            if side.exists() {
                std::fs::remove_file(&side).map_err(io(&side))?;
            }
        }
        crash_point("side-files-removed");
        Ok(bak)
    })();
    let bak = match prepared {
        Ok(b) => b,
        Err(e) => {
            cleanup(&dir);
            return Err(e);
        }
    };
    // The one step that changes the live path: atomic.
    if let Err(e) = std::fs::rename(&staged, db) {
        cleanup(&dir);
        return Err(io(db)(e));
    }
    if let Some(parent) = db.parent() {
        files::sync_dir(parent);
    }
    cleanup(&dir);
    crash_point("renamed");

    let mut store = database.open()?;
    store.write(actor, |tx| {
        let restore_seq = head(tx.conn())?.map(|(s, _)| s + 1).unwrap_or(1);
        for e in &carried {
            tx.conn().execute(
                "INSERT INTO audit_carried (restore_seq, seq, id, at, actor, action, entity, entity_id, reason, detail, prev_hash, hash, row_digest)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![restore_seq, e.seq, e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.reason, e.detail, e.prev_hash, e.hash, e.row_digest],
            )?;
        }
        tx.audit(
            AuditEntryInput::new(AuditAction::Restore, "database", None).detail(serde_json::json!({
                "from": backup.display().to_string(),
                "sha256": backup_sha256,
                "audit_entries_verified": checked.verification.audit.entries_checked,
                "previous_kept_as": bak.display().to_string(),
                "changes": checked.changes,
                "carried": {
                    "count": carried.len(),
                    "first_seq": carried.first().map(|e| e.seq),
                    "last_seq": carried.last().map(|e| e.seq),
                    "last_hash": carried.last().map(|e| e.hash.clone()),
                },
            })),
        )
    })?;
    let audit_after = audit::verify(store.conn())?;
    Ok(RestoreReport {
        restored_from: backup.to_path_buf(),
        backup_sha256,
        previous_kept_as: Some(bak),
        verification: checked.verification,
        changes: checked.changes,
        entries_carried: carried.len() as i64,
        audit_after,
    })
}

fn read_entries_after(database: &Database, seq: i64) -> Result<Vec<audit::AuditEntry>> {
    let conn = open_defensively(database.path(), database.key())?;
    audit::entries_after(&conn, seq)
}
