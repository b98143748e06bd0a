//! Province form records: the values a caseworker entered in a plugin's
//! form, stored as JSON with the plugin and form versions that defined them.
//!
//! Records are append-only (a trigger refuses UPDATE and DELETE). Saving a
//! form writes version n+1 that names the version it supersedes, so the
//! whole history of a form stays readable.

use crate::RowId;
use crate::audit::AuditEntryInput;
use crate::error::{CoreError, Result};
use crate::store::WriteTx;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormRecord {
    pub id: RowId,
    pub child_id: RowId,
    pub plugin_id: String,
    pub plugin_version: String,
    pub form_id: String,
    pub form_version: String,
    pub version: u32,
    pub supersedes: Option<RowId>,
    pub values: serde_json::Value,
    pub author: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone)]
pub struct FormInput<'a> {
    pub child_id: RowId,
    pub plugin_id: &'a str,
    pub plugin_version: &'a str,
    pub form_id: &'a str,
    pub form_version: &'a str,
    pub values: serde_json::Value,
}

pub(crate) fn insert_row(conn: &Connection, f: &FormRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO form_records (id, child_id, plugin_id, plugin_version, form_id, form_version, version,
            supersedes, values_json, author, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        f.id,
        f.child_id,
        f.plugin_id,
        f.plugin_version,
        f.form_id,
        f.form_version,
        f.version,
        f.supersedes,
        f.values.to_string(),
        f.author,
        f.recorded_at
    ])?;
    Ok(())
}

/// Saves a new version of a form for a child.
pub fn save(tx: &mut WriteTx<'_>, input: FormInput<'_>) -> Result<FormRecord> {
    if !input.values.is_object() {
        return Err(CoreError::field("表单值", "应为键值对象"));
    }
    if crate::children::get(tx.conn(), tx.actor().scope(), input.child_id)?.is_none() {
        return Err(CoreError::NotFound {
            what: "儿童档案",
            key: input.child_id.to_string(),
        });
    }
    let previous = latest(tx.conn(), input.child_id, input.plugin_id, input.form_id)?;
    let record = FormRecord {
        id: RowId::new(),
        child_id: input.child_id,
        plugin_id: input.plugin_id.to_string(),
        plugin_version: input.plugin_version.to_string(),
        form_id: input.form_id.to_string(),
        form_version: input.form_version.to_string(),
        version: previous.as_ref().map(|p| p.version + 1).unwrap_or(1),
        supersedes: previous.as_ref().map(|p| p.id),
        values: input.values,
        author: tx.actor().name.clone(),
        recorded_at: tx.now().to_string(),
    };
    insert_row(tx.conn(), &record)?;
    // Record which fields changed, old → new, for the 历史 tab.
    let old_values = previous.map(|p| p.values).unwrap_or_default();
    let mut changes = serde_json::Map::new();
    if let Some(new_obj) = record.values.as_object() {
        for (k, v) in new_obj {
            let old = old_values
                .get(k)
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            if &old != v {
                changes.insert(k.clone(), serde_json::json!([old, v]));
            }
        }
    }
    tx.audit(
        AuditEntryInput::new("form.save", "children", Some(record.child_id.to_string())).detail(
            serde_json::json!({
                "plugin": format!("{}@{}", record.plugin_id, record.plugin_version),
                "form": record.form_id,
                "version": record.version,
                "changes": changes,
            }),
        ),
    )?;
    Ok(record)
}

pub(crate) const FORM_COLUMNS: &str =
    "id, child_id, plugin_id, plugin_version, form_id, form_version,
    version, supersedes, values_json, author, recorded_at";

pub(crate) fn row_to_form(r: &rusqlite::Row<'_>) -> rusqlite::Result<FormRecord> {
    let values: String = r.get(8)?;
    Ok(FormRecord {
        id: r.get(0)?,
        child_id: r.get(1)?,
        plugin_id: r.get(2)?,
        plugin_version: r.get(3)?,
        form_id: r.get(4)?,
        form_version: r.get(5)?,
        version: r.get(6)?,
        supersedes: r.get(7)?,
        values: serde_json::from_str(&values).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Text, Box::new(e))
        })?,
        author: r.get(9)?,
        recorded_at: r.get(10)?,
    })
}

pub fn latest(
    conn: &Connection,
    child_id: RowId,
    plugin_id: &str,
    form_id: &str,
) -> Result<Option<FormRecord>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {FORM_COLUMNS} FROM form_records WHERE child_id=?1 AND plugin_id=?2 AND form_id=?3
             ORDER BY version DESC LIMIT 1"
        ))?
        .query_row(params![child_id, plugin_id, form_id], row_to_form)
        .optional()?)
}

pub fn history(conn: &Connection, child_id: RowId) -> Result<Vec<FormRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FORM_COLUMNS} FROM form_records WHERE child_id=?1 ORDER BY form_id, version"
    ))?;
    let rows = stmt.query_map([child_id], row_to_form)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
