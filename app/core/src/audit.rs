//! The chained audit log.
//!
//! Each entry stores the hash of the entry before it, and its own hash
//! covers all of its fields plus that link. In an encrypted database the
//! hash is an HMAC-SHA256 keyed from the data key (stored as `m1:<hex>`), so
//! recomputing the chain after an edit needs the key, not just SQL. Changing,
//! inserting or removing any row breaks the chain from that row on, and
//! [`verify`] names the first broken entry. Signed anchors
//! ([`crate::anchors`]) kept outside the database catch the rest: a cut-off
//! tail, or a chain rewritten by someone who holds the key.
//!
//! The MAC key reaches the code through the connection: an encrypted
//! store registers the SQL function `hutong_audit_mac` on each connection
//! it opens ([`install_mac`]), so every path that appends or verifies on
//! that connection uses the key, and a connection without it cannot.

use crate::RowId;
use crate::access::Scope;
use crate::error::{CoreError, Result};
use crate::store::Actor;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first entry links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a write records about itself.
#[derive(Debug, Clone)]
pub struct AuditEntryInput<'a> {
    /// A dotted verb such as `child.create`, `child.reveal_id`, `export`.
    pub action: &'a str,
    /// The table or kind of thing acted on.
    pub entity: &'a str,
    pub entity_id: Option<String>,
    /// Why: a close reason, an export purpose, a reveal justification.
    pub reason: Option<&'a str>,
    /// Structured detail, e.g. `{"changes": {"name": ["旧", "新"]}}`.
    pub detail: serde_json::Value,
}

impl<'a> AuditEntryInput<'a> {
    pub fn new(action: &'a str, entity: &'a str, entity_id: Option<String>) -> Self {
        AuditEntryInput {
            action,
            entity,
            entity_id,
            reason: None,
            detail: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn reason(mut self, reason: &'a str) -> Self {
        self.reason = Some(reason);
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// A stored audit entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: RowId,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub reason: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The SQL function an encrypted store's connections carry: HMAC-SHA256 of
/// its argument under the audit-chain sub-key.
const MAC_FUNCTION: &str = "hutong_audit_mac";
/// Stored hashes made with the key start with this.
const MAC_PREFIX: &str = "m1:";

/// Binds the audit-chain key to a connection (see the module comment).
pub(crate) fn install_mac(
    conn: &Connection,
    key: zeroize::Zeroizing<[u8; 32]>,
) -> rusqlite::Result<()> {
    use hmac::Mac;
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        MAC_FUNCTION,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let text: String = ctx.get(0)?;
            let mut mac = hmac::Hmac::<Sha256>::new_from_slice(key.as_ref())
                .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?;
            mac.update(text.as_bytes());
            Ok(hex::encode(mac.finalize().into_bytes()))
        },
    )
}

/// The keyed hash of `canonical`, or `None` on a connection without the key.
fn keyed_hash(conn: &Connection, canonical: &str) -> Result<Option<String>> {
    let mut stmt = match conn.prepare_cached(&format!("SELECT {MAC_FUNCTION}(?1)")) {
        Ok(stmt) => stmt,
        Err(e) if e.to_string().contains("no such function") => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mac: String = stmt.query_row([canonical], |r| r.get(0))?;
    Ok(Some(format!("{MAC_PREFIX}{mac}")))
}

/// Whether this connection carries the audit-chain key.
pub(crate) fn has_mac(conn: &Connection) -> Result<bool> {
    Ok(keyed_hash(conn, "")?.is_some())
}

/// The canonical bytes an entry's hash covers. JSON of a fixed-order array
/// is unambiguous (strings are escaped), unlike plain concatenation.
fn canonical(e: &AuditEntry) -> String {
    let canonical = serde_json::json!([
        e.seq,
        e.id.to_string(),
        e.at,
        e.actor,
        e.action,
        e.entity,
        e.entity_id,
        e.reason,
        e.detail,
        e.prev_hash,
    ]);
    canonical.to_string()
}

/// The unkeyed hash (plain SHA-256) of an unencrypted store's entries.
fn plain_hash(e: &AuditEntry) -> String {
    hex::encode(Sha256::digest(canonical(e).as_bytes()))
}

/// An entry's hash as this connection writes it: keyed when it can be.
fn entry_hash(conn: &Connection, e: &AuditEntry) -> Result<String> {
    Ok(match keyed_hash(conn, &canonical(e))? {
        Some(mac) => mac,
        None => plain_hash(e),
    })
}

/// Keys whose values are full ID numbers or phone numbers wherever they
/// appear in an entry's detail (a record's fields, `changes` pairs).
const SENSITIVE_KEYS: &[&str] = &[
    "id_number",
    "phone",
    "reporter_phone",
    "guardian_id_number",
    "guardian_phone",
    "carer_phone",
    "contact_phone",
];

/// The per-database secret of the keyed hash in masked audit values,
/// created on first use. A keyed hash (not a plain one) because an ID
/// number has few enough unknown digits to be guessed from a plain hash.
fn audit_secret(conn: &Connection) -> Result<Vec<u8>> {
    let found: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'audit_hash_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(hex_key) = found
        && let Ok(bytes) = hex::decode(hex_key)
    {
        return Ok(bytes);
    }
    let mut key = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut key);
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_hash_key', ?1)",
        [hex::encode(key)],
    )?;
    Ok(key.to_vec())
}

/// A full number as the audit log keeps it: masked, plus a short keyed
/// hash so 历史 can still tell that (and when) a number changed.
fn masked_with_hash(secret: &[u8], value: &str, is_phone: bool) -> String {
    use hmac::Mac;
    let shown = if is_phone {
        hutong_national::id_number::mask_phone(value)
    } else {
        hutong_national::id_number::mask(value)
    };
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret) else {
        return shown;
    };
    mac.update(value.as_bytes());
    let tag = hex::encode(mac.finalize().into_bytes());
    format!("{shown}#{}", &tag[..8])
}

/// Masks every full ID number and phone in a detail, in place.
fn mask_sensitive(secret: &[u8], value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if SENSITIVE_KEYS.contains(&key.as_str()) {
                    let is_phone = key.contains("phone");
                    mask_leaf(secret, v, is_phone);
                } else {
                    mask_sensitive(secret, v);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                mask_sensitive(secret, v);
            }
        }
        _ => {}
    }
}

fn mask_leaf(secret: &[u8], value: &mut serde_json::Value, is_phone: bool) {
    match value {
        // Already masked text (a reveal's own record) stays as it is.
        serde_json::Value::String(s) if !s.contains('*') && !s.trim().is_empty() => {
            *s = masked_with_hash(secret, s.trim(), is_phone);
        }
        serde_json::Value::Array(items) => {
            for v in items {
                mask_leaf(secret, v, is_phone);
            }
        }
        _ => {}
    }
}

pub(crate) fn append(
    conn: &Connection,
    actor: &Actor,
    at: &str,
    input: AuditEntryInput<'_>,
) -> Result<()> {
    let mut input = input;
    // The audit log never holds a full ID number or phone (SECURITY.md §4).
    if input.detail.is_object() || input.detail.is_array() {
        let secret = audit_secret(conn)?;
        mask_sensitive(&secret, &mut input.detail);
    }
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let mut entry = AuditEntry {
        seq,
        id: RowId::new(),
        at: at.to_string(),
        actor: actor.name.clone(),
        action: input.action.to_string(),
        entity: input.entity.to_string(),
        entity_id: input.entity_id,
        reason: input.reason.map(str::to_string),
        detail: input.detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(conn, &entry)?;
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, id, at, actor, action, entity, entity_id, reason, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        entry.seq,
        entry.id,
        entry.at,
        entry.actor,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.reason,
        entry.detail,
        entry.prev_hash,
        entry.hash
    ])?;
    Ok(())
}

/// Where the chain first breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenEntry {
    pub seq: i64,
    pub id: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub entries_checked: u64,
    pub first_broken: Option<BrokenEntry>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// Walks the whole chain in order and reports the first entry whose stored
/// hash, link or sequence number does not match.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut stmt = conn.prepare(
        "SELECT seq, id, at, actor, action, entity, entity_id, reason, detail, prev_hash, hash
         FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let keyed = has_mac(conn)?;
    // Unkeyed entries may only come first: those written before an old
    // plaintext database was encrypted.
    let mut seen_keyed = false;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1i64;
    let mut checked = 0u64;
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        // A damaged id blob must be reported as a broken entry, not abort the walk.
        let id: Option<RowId> = row.get(1).ok();
        let entry = AuditEntry {
            seq,
            id: id.unwrap_or(RowId(uuid::Uuid::nil())),
            at: row.get(2)?,
            actor: row.get(3)?,
            action: row.get(4)?,
            entity: row.get(5)?,
            entity_id: row.get(6)?,
            reason: row.get(7)?,
            detail: row.get(8)?,
            prev_hash: row.get(9)?,
            hash: row.get(10)?,
        };
        let broken = |reason: String| BrokenEntry {
            seq,
            id: entry.id.to_string(),
            reason,
        };
        let problem = if id.is_none() {
            Some("记录编号已损坏".to_string())
        } else if seq != expected_seq {
            Some(format!(
                "序号不连续：应为 {expected_seq}，实际为 {seq}（有记录被删除或插入）"
            ))
        } else if entry.prev_hash != expected_prev {
            Some("与上一条记录的链接哈希不符（上一条或本条被改动）".to_string())
        } else if let Some(stored) = entry.hash.strip_prefix(MAC_PREFIX) {
            seen_keyed = true;
            match keyed_hash(conn, &canonical(&entry))? {
                None => Some("本条记录由密钥签名，须在已解锁的数据库中校验".to_string()),
                Some(mac) if mac.strip_prefix(MAC_PREFIX) != Some(stored) => {
                    Some("内容与密钥签名不符（本条记录被改动）".to_string())
                }
                Some(_) => None,
            }
        } else if seen_keyed {
            Some("密钥签名的记录之后出现未签名的记录（审计链被改写）".to_string())
        } else if plain_hash(&entry) != entry.hash {
            Some("内容与哈希不符（本条记录被改动）".to_string())
        } else {
            None
        };
        if let Some(reason) = problem {
            return Ok(VerifyReport {
                entries_checked: checked,
                first_broken: Some(broken(reason)),
            });
        }
        checked += 1;
        expected_seq += 1;
        expected_prev = entry.hash;
    }
    if keyed && checked > 0 && !seen_keyed {
        // An encrypted database writes only keyed entries; a chain with none
        // was rebuilt by someone without the key.
        return Ok(VerifyReport {
            entries_checked: 0,
            first_broken: Some(BrokenEntry {
                seq: 1,
                id: String::new(),
                reason: "加密数据库的审计链没有一条密钥签名（整条链被改写）".into(),
            }),
        });
    }
    Ok(VerifyReport {
        entries_checked: checked,
        first_broken: None,
    })
}

/// Every entry after `seq`, in order (what a restore to a backup whose chain
/// ends at `seq` would drop).
pub fn entries_after(conn: &Connection, seq: i64) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, id, at, actor, action, entity, entity_id, reason, detail, prev_hash, hash
         FROM audit_log WHERE seq > ?1 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map([seq], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                id: r.get(1)?,
                at: r.get(2)?,
                actor: r.get(3)?,
                action: r.get(4)?,
                entity: r.get(5)?,
                entity_id: r.get(6)?,
                reason: r.get(7)?,
                detail: r.get(8)?,
                prev_hash: r.get(9)?,
                hash: r.get(10)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Entries about one record, newest first, if the record lies inside
/// `scope`: a child's own file, or a record with a `child_id` or
/// `division_code` inside it. Records of neither kind (accounts, plugins,
/// settings) are the county's: only a county-wide scope sees them.
pub fn history_in_scope(
    conn: &Connection,
    scope: &Scope,
    entity: &str,
    entity_id: &str,
) -> Result<Vec<AuditEntry>> {
    let refused = || CoreError::OutOfScope {
        what: "该记录的历史".to_string(),
        scope: scope.code().to_string(),
        audited: false,
    };
    let id: RowId = entity_id.parse().map_err(|_| refused())?;
    // The entity names a table; take it from the schema, never from text.
    let table: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [entity],
            |r| r.get(0),
        )
        .optional()?;
    let columns: Vec<String> = match &table {
        Some(t) => {
            let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
            stmt.query_map([t], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
        None => Vec::new(),
    };
    let division: Option<String> = match table.as_deref() {
        Some("children") => conn
            .query_row(
                "SELECT residence_division FROM children WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?,
        Some(t) if columns.iter().any(|c| c == "child_id") => conn
            .query_row(
                &format!(
                    "SELECT c.residence_division FROM \"{t}\" x JOIN children c ON c.id = x.child_id WHERE x.id = ?1"
                ),
                [id],
                |r| r.get(0),
            )
            .optional()?,
        Some(t) if columns.iter().any(|c| c == "division_code") => conn
            .query_row(
                &format!("SELECT division_code FROM \"{t}\" WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )
            .optional()?,
        _ => None,
    };
    let allowed = match division {
        Some(d) => scope.contains(&d),
        None => scope.level() == hutong_national::division::DivisionLevel::County,
    };
    if !allowed {
        return Err(refused());
    }
    history(conn, entity, entity_id)
}

/// The table an id belongs to, from the first audit entry about it
/// (`hutong history ID` names a record by its id alone).
pub fn entity_of(conn: &Connection, entity_id: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT entity FROM audit_log WHERE entity_id = ?1 ORDER BY seq LIMIT 1",
            [entity_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Entries about one entity, newest first, whatever the scope: for core's
/// own use and callers that checked the record first.
pub fn history(conn: &Connection, entity: &str, entity_id: &str) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, id, at, actor, action, entity, entity_id, reason, detail, prev_hash, hash
         FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq DESC",
    )?;
    let rows = stmt.query_map(params![entity, entity_id], |row| {
        Ok(AuditEntry {
            seq: row.get(0)?,
            id: row.get(1)?,
            at: row.get(2)?,
            actor: row.get(3)?,
            action: row.get(4)?,
            entity: row.get(5)?,
            entity_id: row.get(6)?,
            reason: row.get(7)?,
            detail: row.get(8)?,
            prev_hash: row.get(9)?,
            hash: row.get(10)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
