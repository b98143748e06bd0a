//! Encrypting a plaintext database left by an older Hutong, in place.
//!
//! The county administrator's first log-in does it: `sqlcipher_export`
//! copies every table, index, trigger and the schema version into a new
//! encrypted file beside the old one; the copy is checked table by table
//! and page by page; the key file is written; then one rename replaces the
//! plaintext file. A crash before the rename leaves the plaintext database
//! as it was, and the next log-in starts again.

use super::keys::{DataKey, KeyRing};
use super::{Store, is_plaintext};
use crate::error::{CoreError, Result};
use crate::files;
use rusqlite::Connection;
use std::path::Path;
use zeroize::Zeroizing;

/// What the migration produced.
pub struct Encrypted {
    pub store: Store,
    /// The county's new recovery code, to be shown once.
    pub recovery_code: Zeroizing<String>,
    /// Accounts that have no key slot yet: they need a password reset by
    /// the administrator before they can log in.
    pub accounts_without_slot: Vec<String>,
}

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> CoreError + '_ {
    move |source| CoreError::Open {
        path: path.to_path_buf(),
        source,
    }
}

/// Encrypts the plaintext database at `path`. The caller has checked that
/// `admin_username` / `password` belong to an active county administrator
/// (account `admin_account`); the new key file gives that account a slot.
pub fn encrypt_plaintext(
    path: &Path,
    admin_account: &str,
    admin_username: &str,
    password: &str,
) -> Result<Encrypted> {
    if !is_plaintext(path) {
        return Err(CoreError::field("数据库", "已经加密，无需迁移"));
    }
    let tmp = {
        let mut name = path.as_os_str().to_os_string();
        name.push(".encrypting");
        std::path::PathBuf::from(name)
    };
    let _ = std::fs::remove_file(&tmp);
    let key = DataKey::random();
    let err = sql_err(path);
    {
        let plain = Connection::open(path).map_err(&err)?;
        // Fold the WAL into the file, so the export sees every commit and
        // no plaintext -wal file is left behind.
        plain
            .pragma_update(None, "journal_mode", "DELETE")
            .map_err(&err)?;
        let version: i64 = plain
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(&err)?;
        let target = tmp.to_string_lossy().into_owned();
        plain
            .execute(
                "ATTACH DATABASE ?1 AS encrypted KEY ?2",
                rusqlite::params![target, &*key.pragma_value()],
            )
            .map_err(&err)?;
        plain
            .query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))
            .map_err(&err)?;
        plain
            .execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))
            .map_err(&err)?;
        plain
            .execute("DETACH DATABASE encrypted", [])
            .map_err(&err)?;
        verify_copy(&plain, &tmp, &key)?;
    }
    files::restrict(&tmp)?;
    let accounts_without_slot = {
        let enc = open_raw(&tmp, &key)?;
        let mut stmt = enc
            .prepare("SELECT id, username FROM users WHERE status = 'active' ORDER BY username")
            .map_err(&err)?;
        let rows: Vec<(String, String)> = stmt
            .query_map([], |r| {
                Ok((r.get::<_, crate::RowId>(0)?.to_string(), r.get(1)?))
            })
            .map_err(&err)?
            .collect::<rusqlite::Result<_>>()
            .map_err(&err)?;
        rows.into_iter()
            .filter(|(id, _)| id != admin_account)
            .map(|(_, name)| name)
            .collect()
    };
    let demo = {
        let enc = open_raw(&tmp, &key)?;
        enc.query_row("SELECT 1 FROM meta WHERE key = 'demo'", [], |_| Ok(()))
            .is_ok()
    };
    let mut ring = KeyRing::new(path, demo);
    ring.set_slot(&key, admin_account, admin_username, password)?;
    let recovery_code = ring.new_recovery(&key)?;
    ring.save()?;
    if let Ok(f) = std::fs::File::open(&tmp) {
        let _ = f.sync_all();
    }
    std::fs::rename(&tmp, path).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if let Some(dir) = path.parent() {
        files::sync_dir(dir);
    }
    let store = Store::open_with_key(path, &key)?;
    Ok(Encrypted {
        store,
        recovery_code,
        accounts_without_slot,
    })
}

fn open_raw(path: &Path, key: &DataKey) -> Result<Connection> {
    let conn = Connection::open(path).map_err(sql_err(path))?;
    conn.pragma_update(None, "key", &*key.pragma_value())
        .map_err(sql_err(path))?;
    Ok(conn)
}

/// The encrypted copy must hold every table with the same number of rows,
/// the same schema version, and pass SQLCipher's page check.
fn verify_copy(plain: &Connection, copy: &Path, key: &DataKey) -> Result<()> {
    let enc = open_raw(copy, key)?;
    let failed =
        |what: String| CoreError::Internal(format!("加密迁移校验失败（{what}），原数据库未改动"));
    let tables: Vec<String> = plain
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in &tables {
        let q = format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\""));
        let a: i64 = plain.query_row(&q, [], |r| r.get(0))?;
        let b: i64 = enc
            .query_row(&q, [], |r| r.get(0))
            .map_err(|e| failed(format!("表 {table}：{e}")))?;
        if a != b {
            return Err(failed(format!("表 {table} 有 {a} 行，加密副本有 {b} 行")));
        }
    }
    let v1: i64 = plain.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let v2: i64 = enc.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if v1 != v2 {
        return Err(failed(format!("数据结构版本 {v1} ≠ {v2}")));
    }
    let problems = cipher_problems(&enc)?;
    if !problems.is_empty() {
        return Err(failed(problems.join("；")));
    }
    Ok(())
}

/// `PRAGMA cipher_integrity_check`: one row per damaged page, none when
/// every page's MAC matches.
pub(crate) fn cipher_problems(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
