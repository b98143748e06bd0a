//! The one implementation the casework-record modules (强制报告, services,
//! allowances, wishes, counselling, workforce) share: input trimming, row
//! mapping and reads ([`Record`], [`get`], [`load`], [`select`]), edits
//! with their history ([`update`], [`step`]: the old → new diff in the
//! audit entry), and voiding ([`void`]). Each module keeps only what is
//! its own: validation, its SQL columns and its status rules.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A required text field, trimmed; empty is an error naming the field.
pub(crate) fn required(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(CoreError::field(field, "不能为空"));
    }
    Ok(v.to_string())
}

/// An optional text field, trimmed; blank becomes `None`.
pub(crate) fn optional(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Fails unless the child's file exists.
pub(crate) fn ensure_child(conn: &Connection, child_id: RowId) -> Result<()> {
    if crate::children::get_any(conn, child_id)?.is_none() {
        return Err(not_found("儿童档案", child_id));
    }
    Ok(())
}

/// The error for a record that is not there, naming it as `what`.
pub(crate) fn not_found(what: &'static str, id: RowId) -> CoreError {
    CoreError::NotFound {
        what,
        key: id.to_string(),
    }
}

/// A kind of casework record: where its rows live, how one is read, and
/// what its errors and audit entries call it. Implementing it gives the
/// kind the shared reads and edits of this module.
pub(crate) trait Record: Sized + Serialize {
    /// The table, which is also the `entity` of its audit entries.
    const TABLE: &'static str;
    /// The columns [`Record::from_row`] reads, in its order.
    const COLUMNS: &'static str;
    /// What a not-found error calls the record ("服务记录").
    const WHAT: &'static str;
    /// Fields whose edits the audit log reports without their values
    /// (a confidential reporter).
    const SECRET: &'static [&'static str] = &[];

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
    /// The record's own id, and the child it is about (named in its audit
    /// entries; `None` for the county's own records).
    fn ids(&self) -> (RowId, Option<RowId>);
}

/// One record by id.
pub(crate) fn get<T: Record>(conn: &Connection, id: RowId) -> Result<Option<T>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {} FROM {} WHERE id = ?1",
            T::COLUMNS,
            T::TABLE
        ))?
        .query_row([id], T::from_row)
        .optional()?)
}

/// One record by id; not-found is an error naming it.
pub(crate) fn load<T: Record>(conn: &Connection, id: RowId) -> Result<T> {
    get(conn, id)?.ok_or_else(|| not_found(T::WHAT, id))
}

/// The records `clause` (`WHERE …`, `ORDER BY …`) selects from the table.
pub(crate) fn select<T: Record>(
    conn: &Connection,
    clause: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>> {
    query_rows(
        conn,
        &format!("SELECT {} FROM {} {clause}", T::COLUMNS, T::TABLE),
        params,
        T::from_row,
    )
}

/// Every row of a query, mapped (for lists that join other tables).
pub(crate) fn query_rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A record's columns under a table alias (`s.id, s.child_id, …`), for a
/// join whose first columns [`Record::from_row`] then reads.
pub(crate) fn columns_as<T: Record>(alias: &str) -> String {
    T::COLUMNS
        .split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A `status` column of a record that is either active or voided.
pub(crate) fn active_col(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<bool> {
    let status: String = r.get(idx)?;
    Ok(status == "active")
}

fn conversion(idx: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, message.into())
}

/// Reads an ISO date column.
pub(crate) fn date_col(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    let s: String = r.get(idx)?;
    s.parse()
        .map_err(|_| conversion(idx, format!("日期格式无效：{s}")))
}

/// Reads an optional ISO date column.
pub(crate) fn opt_date_col(
    r: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<NaiveDate>> {
    let s: Option<String> = r.get(idx)?;
    s.map(|s| {
        s.parse()
            .map_err(|_| conversion(idx, format!("日期格式无效：{s}")))
    })
    .transpose()
}

/// A text column that must hold one of a closed set of codes.
pub(crate) fn code_col<T>(
    r: &rusqlite::Row<'_>,
    idx: usize,
    parse: impl Fn(&str) -> Option<T>,
) -> rusqlite::Result<T> {
    let s: String = r.get(idx)?;
    parse(&s).ok_or_else(|| conversion(idx, format!("未知代码：{s}")))
}

/// Field-by-field changes between two versions of a record, as
/// `{field: [old, new]}`. Fields in `skip` are left out; fields in `secret`
/// are reported as changed without their values (the audit log must not
/// leak a confidential reporter's identity).
pub(crate) fn diff<T: Serialize>(
    old: &T,
    new: &T,
    skip: &[&str],
    secret: &[&str],
) -> serde_json::Map<String, serde_json::Value> {
    let a = serde_json::to_value(old).unwrap_or_default();
    let b = serde_json::to_value(new).unwrap_or_default();
    let mut out = serde_json::Map::new();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return out;
    };
    for (key, new_value) in b {
        if skip.contains(&key.as_str()) {
            continue;
        }
        let old_value = a.get(key).cloned().unwrap_or_default();
        if &old_value != new_value {
            let pair = if secret.contains(&key.as_str()) {
                serde_json::json!(["（保密）", "（保密，已更改）"])
            } else {
                serde_json::json!([old_value, new_value])
            };
            out.insert(key.clone(), pair);
        }
    }
    out
}

/// Writes the audit entry of an edit: `{"child": .., "changes": {..}}`.
pub(crate) fn audit_edit(
    tx: &mut WriteTx<'_>,
    action: AuditAction,
    entity: &str,
    id: RowId,
    child_id: Option<RowId>,
    changes: serde_json::Map<String, serde_json::Value>,
    reason: Option<&str>,
) -> Result<()> {
    let mut entry =
        AuditEntryInput::new(action, entity, Some(id.to_string())).detail(serde_json::json!({
            "child": child_id.map(|c| c.to_string()),
            "changes": changes,
        }));
    if let Some(r) = reason {
        entry = entry.reason(r);
    }
    tx.audit(entry)
}

/// Writes the audit entry of a new record.
pub(crate) fn audit_add(
    tx: &mut WriteTx<'_>,
    action: AuditAction,
    entity: &str,
    id: RowId,
    detail: serde_json::Value,
) -> Result<()> {
    tx.audit(AuditEntryInput::new(action, entity, Some(id.to_string())).detail(detail))
}

/// Saves an edit of a record with its history. When `new` equals `old`
/// field by field nothing is written and `old` comes back (an edit that
/// changes nothing leaves no trace); otherwise `write` runs the UPDATE and
/// the audit entry names each changed field old → new.
pub(crate) fn update<T: Record>(
    tx: &mut WriteTx<'_>,
    action: AuditAction,
    reason: Option<&str>,
    old: T,
    new: T,
    write: impl FnOnce(&Connection, &T) -> rusqlite::Result<usize>,
) -> Result<T> {
    if diff(&old, &new, &[], T::SECRET).is_empty() {
        return Ok(old);
    }
    step(tx, action, reason, &old, new, write)
}

/// Records a step in a record's life (a status move, closing, leaving):
/// unlike [`update`] it always writes, since the caller has checked that
/// the step is allowed. `write` runs the UPDATE, and the audit entry names
/// what changed old → new.
pub(crate) fn step<T: Record>(
    tx: &mut WriteTx<'_>,
    action: AuditAction,
    reason: Option<&str>,
    old: &T,
    new: T,
    write: impl FnOnce(&Connection, &T) -> rusqlite::Result<usize>,
) -> Result<T> {
    write(tx.conn(), &new)?;
    let changes = diff(old, &new, &[], T::SECRET);
    let (id, child) = old.ids();
    audit_edit(tx, action, T::TABLE, id, child, changes, reason)?;
    Ok(new)
}

/// How voiding shows in the audit entry: as the record shows it, its
/// `active` flag (true → false) or its status code (old → `voided`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum VoidShown {
    Active,
    Status,
}

/// A kind of record that is voided with a reason, never deleted. Its
/// tables have `child_id`, `status` and `void_reason` columns.
#[derive(Debug)]
pub(crate) struct Voidable {
    /// Where the id is looked for, in order: one kind may span tables
    /// (counselling sessions and screenings are voided as one).
    pub tables: &'static [&'static str],
    /// What a not-found error calls it.
    pub what: &'static str,
    /// The error for a record voided already.
    pub already_voided: &'static str,
    pub shown: VoidShown,
    pub action: AuditAction,
}

/// Voids a record entered in error: the reason is required, the record
/// must exist and not be voided already; its status and reason are set
/// and the audit entry (with the reason) written in the same transaction.
pub(crate) fn void(tx: &mut WriteTx<'_>, kind: &Voidable, id: RowId, reason: &str) -> Result<()> {
    let reason = required("作废原因", reason)?;
    let mut found = None;
    for &table in kind.tables {
        let row: Option<(RowId, String)> = tx
            .conn()
            .query_row(
                &format!("SELECT child_id, status FROM {table} WHERE id = ?1"),
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((child, status)) = row {
            found = Some((table, child, status));
            break;
        }
    }
    let (table, child, status) = found.ok_or_else(|| not_found(kind.what, id))?;
    if status == "voided" {
        return Err(CoreError::field("状态", kind.already_voided));
    }
    tx.conn().execute(
        &format!("UPDATE {table} SET status='voided', void_reason=?2 WHERE id=?1"),
        params![id, reason],
    )?;
    let mut changes = serde_json::Map::new();
    match kind.shown {
        VoidShown::Active => changes.insert("active".into(), serde_json::json!([true, false])),
        VoidShown::Status => changes.insert("status".into(), serde_json::json!([status, "voided"])),
    };
    audit_edit(
        tx,
        kind.action,
        table,
        id,
        Some(child),
        changes,
        Some(&reason),
    )
}

/// Money in 分 as "1,174.00".
pub fn format_yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let yuan = (c / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in yuan.chars().enumerate() {
        if i > 0 && (yuan.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", c % 100)
}

/// Parses "1174", "1174.5" or "1,174.50" (元) into 分.
pub fn parse_yuan(field: &str, s: &str) -> Result<i64> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    let bad = || CoreError::field(field, format!("“{s}”不是有效的金额（元，最多两位小数）"));
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 2 {
        return Err(bad());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac_cents: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse().map_err(|_| bad())?,
    };
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac_cents))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_round_trips() {
        assert_eq!(parse_yuan("金额", "1174").unwrap(), 117_400);
        assert_eq!(parse_yuan("金额", "1,651.5").unwrap(), 165_150);
        assert_eq!(parse_yuan("金额", "0.05").unwrap(), 5);
        assert!(parse_yuan("金额", "-3").is_err());
        assert!(parse_yuan("金额", "1.234").is_err());
        assert!(parse_yuan("金额", "abc").is_err());
        assert_eq!(format_yuan(117_400), "1,174.00");
        assert_eq!(format_yuan(123_456_789), "1,234,567.89");
        assert_eq!(format_yuan(5), "0.05");
    }

    #[test]
    fn diff_names_changed_fields_and_hides_secrets() {
        #[derive(Serialize)]
        struct R {
            a: String,
            b: i32,
            s: String,
        }
        let old = R {
            a: "x".into(),
            b: 1,
            s: "张三".into(),
        };
        let new = R {
            a: "y".into(),
            b: 1,
            s: "李四".into(),
        };
        let d = diff(&old, &new, &[], &["s"]);
        assert_eq!(d["a"], serde_json::json!(["x", "y"]));
        assert!(!d.contains_key("b"));
        let text = serde_json::Value::Object(d).to_string();
        assert!(!text.contains("张三") && !text.contains("李四"), "{text}");
    }
}
