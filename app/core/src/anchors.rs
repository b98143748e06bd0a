//! Signed anchors of the audit chain, kept inside and outside the database.
//!
//! The chain (see [`crate::audit`]) shows an edited or inserted entry, but
//! not a cut-off tail, nor a chain rewritten by someone holding the key. An
//! anchor fixes the chain's head: the county, the last entry's sequence
//! number and hash, and the time, signed with the county's Ed25519 key
//! (created on first use and kept inside the encrypted database). Anchors
//! are made at least daily, at every backup and in every statistics bundle,
//! and each is also written as a small file outside the database: in a
//! folder beside it, beside the backup, and inside the upward bundle.
//! [`check`] compares the chain with the latest anchor it is given, so a
//! chain shorter than an anchor, or one whose entry differs from it, fails
//! and the message names what is missing.

use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::files;
use crate::store::{Actor, Store};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One signed head of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub format: String,
    pub county: String,
    /// The last entry covered.
    pub seq: i64,
    pub hash: String,
    pub at: String,
    /// Why it was made: 每日, 备份, 统计上报.
    pub reason: String,
    /// The county's public key (hex), so the file can be checked alone.
    pub public_key: String,
    pub signature: String,
}

const FORMAT: &str = "hutong-audit-anchor-v1";
/// Anchor files larger than this are not ours.
const MAX_ANCHOR_FILE_BYTES: u64 = 64 * 1024;
/// An anchor is due when the last is older than this.
const DAILY: chrono::Duration = chrono::Duration::hours(24);

impl Anchor {
    fn message(&self) -> Vec<u8> {
        serde_json::json!([
            FORMAT,
            self.county,
            self.seq,
            self.hash,
            self.at,
            self.reason
        ])
        .to_string()
        .into_bytes()
    }

    /// Whether the signature is valid for the public key the anchor names.
    fn signed_by_its_key(&self) -> Option<VerifyingKey> {
        let key: [u8; 32] = hex::decode(&self.public_key).ok()?.try_into().ok()?;
        let key = VerifyingKey::from_bytes(&key).ok()?;
        let sig: [u8; 64] = hex::decode(&self.signature).ok()?.try_into().ok()?;
        key.verify(&self.message(), &Signature::from_bytes(&sig))
            .ok()
            .map(|()| key)
    }

    /// `anchor-411525-00001234.json`
    pub fn file_name(&self) -> String {
        format!("anchor-{}-{:08}.json", self.county, self.seq)
    }

    pub fn to_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec_pretty(self).map_err(|e| CoreError::Internal(format!("锚点序列化：{e}")))
    }
}

/// The folder beside the database that keeps its anchors:
/// `county.db` → `county.db.anchors/`.
pub fn anchors_dir(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".anchors");
    PathBuf::from(name)
}

/// The county signing key, created (inside the encrypted database, in a
/// write of its own) on first use. The county has this one key: it signs
/// the audit anchors and the statistics bundle.
pub fn signing_key(store: &mut Store, actor: &Actor) -> Result<SigningKey> {
    if let Some(key) = stored_key(store.conn())? {
        return Ok(key);
    }
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let secret = zeroize::Zeroizing::new(hex::encode(key.to_bytes()));
    store.write(actor, |tx| {
        tx.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('county_signing_key', ?1)",
            [secret.as_str()],
        )?;
        tx.audit(
            AuditEntryInput::new(AuditAction::CountySigningKey, "meta", None)
                .reason("生成县级签名密钥（用于审计锚点）")
                .detail(serde_json::json!({ "public_key": hex::encode(key.verifying_key().to_bytes()) })),
        )
    })?;
    Ok(key)
}

fn stored_key(conn: &Connection) -> Result<Option<SigningKey>> {
    let hex_key: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'county_signing_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(hex_key) = hex_key.map(zeroize::Zeroizing::new) else {
        return Ok(None);
    };
    let bytes: [u8; 32] = hex::decode(hex_key.as_str())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CoreError::Internal("县级签名密钥已损坏".into()))?;
    Ok(Some(SigningKey::from_bytes(&bytes)))
}

/// The county's public key, if it has made one.
pub fn county_public_key(conn: &Connection) -> Result<Option<String>> {
    Ok(stored_key(conn)?.map(|k| hex::encode(k.verifying_key().to_bytes())))
}

/// Signs the chain's current head, records the anchor inside the database
/// (table and audit entry) and writes its file into the folder beside the
/// database. Returns the anchor for copies elsewhere (backups, bundles).
pub fn make(store: &mut Store, actor: &Actor, reason: &str) -> Result<Anchor> {
    let key = signing_key(store, actor)?;
    let county = store
        .county_code()?
        .ok_or_else(|| CoreError::NotInitialised {
            path: store.path().to_path_buf(),
        })?;
    let head: Option<(i64, String)> = store
        .conn()
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, hash) = head.unwrap_or((0, crate::audit::GENESIS_HASH.to_string()));
    let mut anchor = Anchor {
        format: FORMAT.into(),
        county,
        seq,
        hash,
        at: crate::store::now_text(),
        reason: reason.to_string(),
        public_key: hex::encode(key.verifying_key().to_bytes()),
        signature: String::new(),
    };
    anchor.signature = hex::encode(key.sign(&anchor.message()).to_bytes());
    store.write(actor, |tx| {
        tx.conn().execute(
            "INSERT INTO audit_anchors (seq, hash, at, reason, public_key, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                anchor.seq,
                anchor.hash,
                anchor.at,
                anchor.reason,
                anchor.public_key,
                anchor.signature
            ],
        )?;
        tx.audit(
            AuditEntryInput::new(
                AuditAction::AuditAnchor,
                "audit_anchors",
                Some(anchor.seq.to_string()),
            )
            .reason(reason)
            .detail(serde_json::json!({ "seq": anchor.seq, "hash": anchor.hash })),
        )
    })?;
    if store.path() != Path::new(":memory:") {
        write_file(&anchor, &anchors_dir(store.path()))?;
    }
    Ok(anchor)
}

/// Writes an anchor file (owner-only) into `dir`.
pub fn write_file(anchor: &Anchor, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let path = dir.join(anchor.file_name());
    files::write_atomic(&path, &anchor.to_json()?)?;
    Ok(path)
}

/// Reads an anchor file; a file that is too big, not JSON, or not validly
/// signed by the key it names is refused, naming the file.
pub fn read_file(path: &Path) -> Result<Anchor> {
    let bad = |message: String| CoreError::BadFile {
        path: path.to_path_buf(),
        message,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| bad(format!("无法读取：{e}")))?
        .len();
    if len > MAX_ANCHOR_FILE_BYTES {
        return Err(bad("文件过大，不是审计锚点".into()));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(format!("无法读取：{e}")))?;
    let anchor: Anchor =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("不是审计锚点：{e}")))?;
    if anchor.format != FORMAT || anchor.signed_by_its_key().is_none() {
        return Err(bad("审计锚点的签名无效".into()));
    }
    Ok(anchor)
}

/// The anchors recorded inside the database.
pub fn stored(conn: &Connection) -> Result<Vec<Anchor>> {
    let county: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'county_code'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default();
    let mut stmt = conn.prepare(
        "SELECT seq, hash, at, reason, public_key, signature FROM audit_anchors ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Anchor {
                format: FORMAT.into(),
                county: county.clone(),
                seq: r.get(0)?,
                hash: r.get(1)?,
                at: r.get(2)?,
                reason: r.get(3)?,
                public_key: r.get(4)?,
                signature: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every anchor file in a folder (unreadable or forged files are skipped
/// and returned as problems).
pub fn files_in(dir: &Path) -> (Vec<Anchor>, Vec<String>) {
    let mut anchors = Vec::new();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (anchors, problems);
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("anchor-") && name.ends_with(".json") {
            match read_file(&e.path()) {
                Ok(a) => anchors.push(a),
                Err(err) => problems.push(err.to_string()),
            }
        }
    }
    (anchors, problems)
}

/// Whether a daily anchor is due (none yet, or the last older than a day).
pub fn daily_due(conn: &Connection, now: chrono::DateTime<chrono::FixedOffset>) -> Result<bool> {
    let last: Option<String> = conn
        .query_row("SELECT max(at) FROM audit_anchors", [], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(
        match last.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()) {
            Some(at) => now - at >= DAILY,
            None => true,
        },
    )
}

/// What the chain looks like against the anchors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorCheck {
    /// The latest anchor that was checked (highest sequence).
    pub latest: Option<Anchor>,
    pub anchors_checked: usize,
    /// Each disagreement, in Chinese, naming the anchor and what is missing.
    pub problems: Vec<String>,
}

/// Checks the chain against every anchor given (from the database, the
/// folder beside it, backups, bundles). An anchor signed by a key other
/// than the county's is itself a problem. The chain must reach each
/// anchor's sequence number with the same hash there.
pub fn check(conn: &Connection, anchors: &[Anchor]) -> Result<AnchorCheck> {
    let county_key = county_public_key(conn)?;
    let county: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'county_code'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let last_seq: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM audit_log", [], |r| {
        r.get(0)
    })?;
    let mut problems = Vec::new();
    let mut latest: Option<&Anchor> = None;
    for a in anchors {
        let label = format!("{}（{}，{}）", a.file_name(), a.reason, a.at);
        if a.signed_by_its_key().is_none() {
            problems.push(format!("锚点 {label} 的签名无效"));
            continue;
        }
        if county.as_deref() != Some(a.county.as_str()) {
            problems.push(format!(
                "锚点 {label} 属于县 {}，不是本数据库的县",
                a.county
            ));
            continue;
        }
        if county_key.as_deref() != Some(a.public_key.as_str()) {
            problems.push(format!(
                "锚点 {label} 由另一把密钥签名：本数据库的县级签名密钥被替换过，或锚点不属于本数据库"
            ));
            continue;
        }
        if a.seq > last_seq {
            problems.push(format!(
                "审计日志被截断：锚点 {label} 记录到第 {} 条，现在只有 {last_seq} 条；缺少第 {}–{} 条",
                a.seq,
                last_seq + 1,
                a.seq
            ));
        } else if a.seq > 0 {
            let hash: Option<String> = conn
                .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [a.seq], |r| {
                    r.get(0)
                })
                .optional()?;
            if hash.as_deref() != Some(a.hash.as_str()) {
                problems.push(format!(
                    "审计链被改写：第 {} 条记录与锚点 {label} 不符",
                    a.seq
                ));
            }
        }
        if latest.is_none_or(|l| a.seq > l.seq) {
            latest = Some(a);
        }
    }
    Ok(AnchorCheck {
        latest: latest.cloned(),
        anchors_checked: anchors.len(),
        problems,
    })
}
