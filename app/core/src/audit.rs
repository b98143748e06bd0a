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

mod action;

pub use action::{AuditAction, UnknownAuditAction};

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
    /// What was done; stored as its dotted text (`child.create`).
    pub action: AuditAction,
    /// The table or kind of thing acted on.
    pub entity: &'a str,
    pub entity_id: Option<String>,
    /// Why: a close reason, an export purpose, a reveal justification.
    pub reason: Option<&'a str>,
    /// Structured detail, e.g. `{"changes": {"name": ["旧", "新"]}}`.
    pub detail: serde_json::Value,
}

impl<'a> AuditEntryInput<'a> {
    pub fn new(action: AuditAction, entity: &'a str, entity_id: Option<String>) -> Self {
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
    /// On the last entry of each write that changed rows: a digest over
    /// the digests of every row the write changed, as it left them, which
    /// are kept in `audit_rows` under this entry's `seq` (schema version 11;
    /// see [`ChangedRow`] and [`verify_rows`]). `None` on the other entries.
    pub row_digest: Option<String>,
}

impl AuditEntry {
    /// The action this entry records; `None` for a text this build does
    /// not know (written by a newer version), which stays readable as
    /// [`AuditEntry::action`].
    pub fn audit_action(&self) -> Option<AuditAction> {
        AuditAction::parse(&self.action)
    }

    /// Whether this entry records `action`.
    pub fn is(&self, action: AuditAction) -> bool {
        self.action == action.as_str()
    }
}

/// The columns every query of whole entries reads, in [`entry_from_row`]'s
/// order.
const ENTRY_COLUMNS: &str =
    "seq, id, at, actor, action, entity, entity_id, reason, detail, prev_hash, hash, row_digest";

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
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
        row_digest: r.get(11)?,
    })
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
/// is unambiguous (strings are escaped), unlike plain concatenation. The row
/// digest is appended only when there is one, so entries written before
/// digests existed keep their hashes.
fn canonical(e: &AuditEntry) -> String {
    let mut canonical = serde_json::json!([
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
    if let (Some(digest), Some(items)) = (&e.row_digest, canonical.as_array_mut()) {
        items.push(serde_json::Value::String(digest.clone()));
    }
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
        // Under any other key (a province form's own field ids, say), text
        // that is a whole ID number or mobile number is masked too.
        serde_json::Value::String(s) => {
            if let Some(is_phone) = sensitive_text(s) {
                *s = masked_with_hash(secret, s.trim(), is_phone);
            }
        }
        _ => {}
    }
}

/// Whether text is a full 18-digit ID number (`Some(false)`: its check
/// character must match) or an 11-digit mobile number (`Some(true)`).
fn sensitive_text(text: &str) -> Option<bool> {
    let t = text.trim();
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if t.len() == 18
        && let Some(body) = t.get(..17)
        && hutong_national::id_number::check_char(body)
            .is_some_and(|c| t.ends_with(c) || (c == 'X' && t.ends_with('x')))
    {
        return Some(false);
    }
    (t.len() == 11 && t.starts_with('1') && digits(t)).then_some(true)
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
    row_digest: Option<String>,
) -> Result<RowId> {
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
        action: input.action.as_str().to_string(),
        entity: input.entity.to_string(),
        entity_id: input.entity_id,
        reason: input.reason.map(str::to_string),
        detail: input.detail.to_string(),
        prev_hash,
        hash: String::new(),
        row_digest,
    };
    entry.hash = entry_hash(conn, &entry)?;
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, id, at, actor, action, entity, entity_id, reason, detail, prev_hash, hash, row_digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
        entry.hash,
        entry.row_digest
    ])?;
    Ok(entry.id)
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
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY seq"
    ))?;
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
            row_digest: row.get(11)?,
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
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq"
    ))?;
    let rows = stmt
        .query_map([seq], entry_from_row)?
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
    let mut stmt = conn.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE entity = ?1 AND entity_id = ?2 ORDER BY seq DESC"
    ))?;
    let rows = stmt.query_map(params![entity, entity_id], entry_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Tables whose changes are not themselves digested: the log and its
/// companions are checked by the chain and the anchors.
const UNDIGESTED_TABLES: &[&str] = &["audit_log", "audit_rows", "audit_carried", "audit_anchors"];

/// Whether a change to `table` is digested (see [`ChangedRow`]).
pub(crate) fn digests_table(table: &str) -> bool {
    !UNDIGESTED_TABLES.contains(&table)
}

/// One row a write changed, as the write left it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangedRow {
    pub table: String,
    /// The row's `id` column, as stored (a 16-byte id, or text).
    pub id: rusqlite::types::Value,
    /// The first 16 bytes of the row's digest.
    pub digest: Vec<u8>,
}

impl ChangedRow {
    /// The order and the line of the canonical list a write's digest covers.
    fn canonical_line(&self) -> (String, String, String) {
        (
            self.table.clone(),
            value_key(&self.id),
            hex::encode(&self.digest),
        )
    }
}

fn value_text(v: &rusqlite::types::Value) -> String {
    use rusqlite::types::Value;
    match v {
        Value::Blob(b) => match <[u8; 16]>::try_from(b.as_slice()) {
            Ok(bytes) => uuid::Uuid::from_bytes(bytes).to_string(),
            Err(_) => hex::encode(b),
        },
        Value::Text(t) => t.clone(),
        Value::Integer(n) => n.to_string(),
        Value::Real(x) => x.to_string(),
        Value::Null => String::new(),
    }
}

/// An id with its type, so a text id and a blob id never compare equal.
fn value_key(v: &rusqlite::types::Value) -> String {
    use rusqlite::types::Value;
    match v {
        Value::Blob(b) => format!("b:{}", hex::encode(b)),
        Value::Text(t) => format!("t:{t}"),
        Value::Integer(n) => format!("i:{n}"),
        Value::Real(x) => format!("r:{x}"),
        Value::Null => "n:".into(),
    }
}

/// Which tables have an `id` column, asked once per table per use.
#[derive(Default)]
struct IdTables(std::collections::HashMap<String, bool>);

impl IdTables {
    fn has_id(&mut self, conn: &Connection, table: &str) -> Result<bool> {
        if let Some(known) = self.0.get(table) {
            return Ok(*known);
        }
        let has: i64 = conn
            .prepare_cached("SELECT count(*) FROM pragma_table_info(?1) WHERE name = 'id'")?
            .query_row([table], |r| r.get(0))?;
        self.0.insert(table.to_string(), has > 0);
        Ok(has > 0)
    }
}

/// Reads one row (by rowid, or by its `id`) and returns its id and digest;
/// `None` when `table` has no `id` column or no such row.
///
/// The digest is SHA-256 over the row's non-NULL columns by name, in name
/// order, each value tagged with its SQLite type and length-prefixed, so a
/// migration that adds a nullable column leaves existing digests unchanged.
/// It need not be keyed: the list of a write's digests is covered by a
/// keyed digest in its audit entry, so rewriting a row's digest to match an
/// edit breaks that entry. And the list never leaves the encrypted file.
fn read_row_digest(
    conn: &Connection,
    tables: &mut IdTables,
    table: &str,
    by: RowLookup<'_>,
) -> Result<Option<ChangedRow>> {
    use rusqlite::types::{Value, ValueRef};
    if !tables.has_id(conn, table)? {
        return Ok(None);
    }
    let quoted = table.replace('"', "\"\"");
    let sql = match by {
        RowLookup::Rowid(_) => format!("SELECT * FROM \"{quoted}\" WHERE rowid = ?1"),
        RowLookup::Id(_) => format!("SELECT * FROM \"{quoted}\" WHERE id = ?1"),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut names: Vec<(usize, String)> = stmt
        .column_names()
        .into_iter()
        .map(str::to_string)
        .enumerate()
        .collect();
    names.sort_by(|a, b| a.1.cmp(&b.1));
    let mut rows = match by {
        RowLookup::Rowid(rowid) => stmt.query([rowid])?,
        RowLookup::Id(id) => stmt.query([id])?,
    };
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut hasher = Sha256::new();
    hasher.update(b"row\0");
    hasher.update((table.len() as u64).to_le_bytes());
    hasher.update(table.as_bytes());
    let mut id = Value::Null;
    for (i, name) in &names {
        let value = row.get_ref(*i)?;
        if name == "id" {
            id = Value::from(value);
        }
        let (tag, bytes): (u8, std::borrow::Cow<'_, [u8]>) = match value {
            ValueRef::Null => continue,
            ValueRef::Integer(n) => (b'i', n.to_le_bytes().to_vec().into()),
            ValueRef::Real(x) => (b'r', x.to_bits().to_le_bytes().to_vec().into()),
            ValueRef::Text(t) => (b't', t.into()),
            ValueRef::Blob(b) => (b'b', b.into()),
        };
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update([tag]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let mut digest = hasher.finalize().to_vec();
    digest.truncate(16);
    Ok(Some(ChangedRow {
        table: table.to_string(),
        id,
        digest,
    }))
}

#[derive(Clone, Copy)]
enum RowLookup<'a> {
    Rowid(i64),
    Id(&'a rusqlite::types::Value),
}

/// The rows a write changed (tables and rowids, from SQLite's update hook),
/// read back as the write leaves them, each once; rows of tables without an
/// `id` are left out.
pub(crate) fn changed_rows(
    conn: &Connection,
    mut changes: Vec<(String, i64)>,
) -> Result<Vec<ChangedRow>> {
    changes.sort_unstable();
    changes.dedup();
    let mut tables = IdTables::default();
    let mut rows = Vec::with_capacity(changes.len());
    for (table, rowid) in changes {
        if let Some(row) = read_row_digest(conn, &mut tables, &table, RowLookup::Rowid(rowid))? {
            rows.push(row);
        }
    }
    Ok(rows)
}

/// The digest a write's last entry carries over the rows it changed.
fn rows_digest(conn: &Connection, rows: &[ChangedRow]) -> Result<String> {
    let mut lines: Vec<(String, String, String)> =
        rows.iter().map(ChangedRow::canonical_line).collect();
    lines.sort();
    let canonical = format!(
        "rows:{}",
        serde_json::to_string(&lines).map_err(|e| CoreError::Internal(e.to_string()))?
    );
    Ok(match keyed_hash(conn, &canonical)? {
        Some(mac) => mac,
        None => hex::encode(Sha256::digest(canonical.as_bytes())),
    })
}

/// Appends a write's entries, the last one carrying the digest of `rows`,
/// and keeps each row's digest in `audit_rows` under that entry.
pub(crate) fn append_write(
    conn: &Connection,
    actor: &Actor,
    at: &str,
    entries: Vec<AuditEntryInput<'_>>,
    rows: &[ChangedRow],
) -> Result<()> {
    let last = entries.len().saturating_sub(1);
    let mut last_id = None;
    for (i, input) in entries.into_iter().enumerate() {
        let digest = if i == last && !rows.is_empty() {
            Some(rows_digest(conn, rows)?)
        } else {
            None
        };
        last_id = Some(append(conn, actor, at, input, digest)?);
    }
    let Some(entry_id) = last_id.filter(|_| !rows.is_empty()) else {
        return Ok(());
    };
    let seq: i64 = conn.query_row("SELECT seq FROM audit_log WHERE id = ?1", [entry_id], |r| {
        r.get(0)
    })?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO audit_rows (tbl, row_id, seq, entry_id, digest) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for row in rows {
        insert.execute(params![row.table, row.id, seq, entry_id, row.digest])?;
    }
    Ok(())
}

/// A row that differs from what the audit log last recorded of it, or a
/// write whose list of row digests was altered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub table: String,
    pub id: String,
    /// The audit entry whose digest no longer matches.
    pub seq: i64,
    pub reason: String,
}

/// What [`verify_rows`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowReport {
    /// Rows whose digest was recomputed and compared.
    pub rows_checked: u64,
    /// Rows edited or deleted outside Hutong, and altered digest lists.
    pub problems: Vec<RowProblem>,
    /// Rows no write has digested, in a database whose log began before
    /// schema version 11: written before digests existed, or inserted
    /// without Hutong (the two cannot be told apart). In a database born
    /// with digests every such row is a problem instead, named.
    pub legacy_rows: u64,
}

/// `audit verify --deep`. First, each write's list of row digests must
/// match the digest its audit entry carries (which the chain covers).
/// Then every row's current digest is compared with the latest one
/// recorded: a difference means the row was changed without Hutong, which
/// records a new digest with every change; a missing row was deleted. Run
/// it on a chain that [`verify`] found intact: the digests are only as
/// trustworthy as the entries that carry them.
pub fn verify_rows(conn: &Connection) -> Result<RowReport> {
    use rusqlite::types::Value;
    let keyed = has_mac(conn)?;
    let mut report = RowReport::default();

    // 1. Each write's list against the digest in its entry, found by the
    // entry's id (a list whose entry is gone belonged to a cut tail).
    {
        let mut entries =
            conn.prepare("SELECT id, seq, row_digest FROM audit_log WHERE row_digest IS NOT NULL")?;
        let mut carrying: std::collections::HashMap<Vec<u8>, (i64, String)> = entries
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = conn.prepare(
            "SELECT seq, entry_id, tbl, row_id, digest FROM audit_rows ORDER BY seq, entry_id",
        )?;
        let mut rows = stmt.query([])?;
        let mut group: Vec<ChangedRow> = Vec::new();
        let mut group_key: Option<(i64, Vec<u8>)> = None;
        let mut check_group = |(seq, entry): (i64, Vec<u8>),
                               group: &[ChangedRow],
                               report: &mut RowReport|
         -> Result<()> {
            let problem = |reason: String| RowProblem {
                table: "audit_rows".into(),
                id: seq.to_string(),
                seq,
                reason,
            };
            match carrying.remove(&entry) {
                None => report.problems.push(problem(format!(
                    "第 {seq} 条审计记录所记的改动记录清单还在，记录本身已不在（审计链尾部被截去或被改写）"
                ))),
                Some((_, expected)) => {
                    if expected.starts_with(MAC_PREFIX) && !keyed {
                        return Err(CoreError::Internal(
                            "记录摘要由密钥签名，须在已解锁的数据库中校验".into(),
                        ));
                    }
                    if expected != rows_digest(conn, group)? {
                        report.problems.push(problem(format!(
                            "第 {seq} 条审计记录所记的改动记录清单被改动（摘要不符）"
                        )));
                    }
                }
            }
            Ok(())
        };
        while let Some(r) = rows.next()? {
            let key: (i64, Vec<u8>) = (r.get(0)?, r.get(1)?);
            if group_key.as_ref().is_some_and(|k| *k != key) {
                if let Some(k) = group_key.take() {
                    check_group(k, &group, &mut report)?;
                }
                group.clear();
            }
            group_key = Some(key);
            group.push(ChangedRow {
                table: r.get(2)?,
                id: r.get(3)?,
                digest: r.get(4)?,
            });
        }
        if let Some(k) = group_key {
            check_group(k, &group, &mut report)?;
        }
        for (_, (seq, _)) in carrying {
            report.problems.push(RowProblem {
                table: "audit_rows".into(),
                id: seq.to_string(),
                seq,
                reason: format!("第 {seq} 条审计记录所记的改动记录清单已被删除"),
            });
        }
    }

    // 2. Every digested row against its latest digest. SQLite returns the
    // other columns of the row holding max(seq).
    let mut id_tables = IdTables::default();
    let mut stmt =
        conn.prepare("SELECT tbl, row_id, digest, max(seq) FROM audit_rows GROUP BY tbl, row_id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let table: String = r.get(0)?;
        let id: Value = r.get(1)?;
        let recorded: Vec<u8> = r.get(2)?;
        let seq: i64 = r.get(3)?;
        let now = read_row_digest(conn, &mut id_tables, &table, RowLookup::Id(&id))?;
        let reason = match now {
            None => Some(format!(
                "该记录已不存在，第 {seq} 条审计记录时还在（在护童之外被删除）"
            )),
            Some(now) if now.digest != recorded => Some(format!(
                "内容与第 {seq} 条审计记录写下时不同（在护童之外被改动）"
            )),
            Some(_) => None,
        };
        report.rows_checked += 1;
        if let Some(reason) = reason {
            report.problems.push(RowProblem {
                table: table.clone(),
                id: value_text(&id),
                seq,
                reason,
            });
        }
    }
    // 3. Rows no write has digested, in every table that has an `id`.
    // Migration 11 noted the first seq written with digests: 1 means every
    // row of the database was written by a Hutong that digests.
    let digests_from: i64 = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'row_digests_from_seq'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut all_tables = conn.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
    )?;
    let names: Vec<String> = all_tables
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in names.into_iter().filter(|t| digests_table(t)) {
        if !id_tables.has_id(conn, &table)? {
            continue;
        }
        let mut stmt = conn.prepare(&format!(
            "SELECT id FROM \"{}\" WHERE id NOT IN (SELECT row_id FROM audit_rows WHERE tbl = ?1)",
            table.replace('"', "\"\"")
        ))?;
        let mut rows = stmt.query([&table])?;
        while let Some(r) = rows.next()? {
            if digests_from > 1 {
                report.legacy_rows += 1;
                continue;
            }
            let id: Value = r.get(0)?;
            report.problems.push(RowProblem {
                table: table.clone(),
                id: value_text(&id),
                seq: 0,
                reason: "没有任何审计记录写下过该记录（在护童之外插入）".into(),
            });
        }
    }
    report
        .problems
        .sort_by(|a, b| (&a.table, &a.id).cmp(&(&b.table, &b.id)));
    Ok(report)
}
