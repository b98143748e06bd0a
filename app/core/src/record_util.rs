//! Small helpers shared by the casework-record modules (强制报告, services,
//! allowances, wishes, counselling, workforce): input trimming, date
//! columns, and the old → new diff that edits write to the audit log.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::Connection;
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
        return Err(CoreError::NotFound {
            what: "儿童档案",
            key: child_id.to_string(),
        });
    }
    Ok(())
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
