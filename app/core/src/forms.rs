//! Province form records: the values a caseworker entered in a plugin's
//! form, a typed list of [`FieldValue`]s kept with the plugin and form
//! versions that defined them. The database (and the county JSON bundle)
//! hold them as `{"values": [FieldValue…]}`, the shape of the first
//! version, so nothing needed migrating.
//!
//! Records are append-only (a trigger refuses UPDATE and DELETE). Saving a
//! form writes version n+1 that names the version it supersedes, so the
//! whole history of a form stays readable, and its audit entry names each
//! changed field (and table row) old → new.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::province::{Field, FieldKind, FieldValue, FormDef, Value};
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
    #[serde(with = "stored_values")]
    pub values: Vec<FieldValue>,
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
    pub values: Vec<FieldValue>,
    /// The plugin's definition of the form, when the caller has it: the
    /// 历史 then names fields and choices by their labels, not their ids.
    pub definition: Option<&'a FormDef>,
}

/// The stored shape of a form's values: `{"values": [FieldValue…]}`.
pub(crate) mod stored_values {
    use super::FieldValue;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Stored<T> {
        values: T,
    }

    pub fn serialize<S: Serializer>(values: &[FieldValue], s: S) -> Result<S::Ok, S::Error> {
        Stored { values }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<FieldValue>, D::Error> {
        Ok(Stored::<Vec<FieldValue>>::deserialize(d)?.values)
    }

    pub(crate) fn to_json(values: &[FieldValue]) -> String {
        serde_json::json!({ "values": values }).to_string()
    }

    pub(crate) fn from_json(text: &str) -> serde_json::Result<Vec<FieldValue>> {
        Ok(serde_json::from_str::<Stored<Vec<FieldValue>>>(text)?.values)
    }
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
        stored_values::to_json(&f.values),
        f.author,
        f.recorded_at
    ])?;
    Ok(())
}

/// A value as the 历史 tab shows it: `None` for an empty field; choices by
/// their labels when the field's definition is known.
fn shown(value: &Value, field: Option<&Field>) -> Option<String> {
    let choice = |code: &String| {
        let options = match field.map(|f| &f.kind) {
            Some(FieldKind::SingleChoice(c) | FieldKind::MultiChoice(c)) => c.options.as_slice(),
            _ => &[],
        };
        options
            .iter()
            .find(|o| &o.code == code)
            .map_or_else(|| code.clone(), |o| o.label.clone())
    };
    match value {
        Value::Empty => None,
        Value::Text(t) if t.trim().is_empty() => None,
        Value::Text(t) => Some(t.clone()),
        Value::Integer(n) => Some(n.to_string()),
        Value::Decimal(x) => Some(x.to_string()),
        Value::Boolean(true) => Some("是".into()),
        Value::Boolean(false) => Some("否".into()),
        Value::Choice(c) => Some(choice(c)),
        Value::Choices(cs) if cs.is_empty() => None,
        Value::Choices(cs) => Some(cs.iter().map(choice).collect::<Vec<_>>().join("、")),
    }
}

/// The changed fields between two versions, each `[old, new]` (null when
/// empty), in the order of the new version and then of fields it no longer
/// has. A field is named by its label when the definition is given (its
/// id otherwise), and a table's row as `（第n行）`.
pub fn changes(
    old: &[FieldValue],
    new: &[FieldValue],
    definition: Option<&FormDef>,
) -> serde_json::Map<String, serde_json::Value> {
    let field =
        |v: &FieldValue| definition.and_then(|d| d.fields.iter().find(|f| f.id == v.field_id));
    let key = |v: &FieldValue| {
        let name = field(v).map_or_else(|| v.field_id.clone(), |f| f.label.clone());
        match v.row {
            Some(row) => format!("{name}（第{}行）", row + 1),
            None => name,
        }
    };
    let find = |list: &[FieldValue], v: &FieldValue| {
        list.iter()
            .find(|o| o.field_id == v.field_id && o.row == v.row)
            .and_then(|o| shown(&o.value, field(o)))
    };
    let mut out = serde_json::Map::new();
    for v in new {
        let (before, after) = (find(old, v), shown(&v.value, field(v)));
        if before != after {
            out.insert(key(v), serde_json::json!([before, after]));
        }
    }
    for o in old {
        let gone = !new
            .iter()
            .any(|v| v.field_id == o.field_id && v.row == o.row);
        if gone && let Some(before) = shown(&o.value, field(o)) {
            out.insert(key(o), serde_json::json!([before, null]));
        }
    }
    out
}

/// Saves a new version of a form for a child.
pub fn save(tx: &mut WriteTx<'_>, input: FormInput<'_>) -> Result<FormRecord> {
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
    // One line per changed field for the 历史 tab. Full ID numbers and
    // phones among the values are masked by the audit log itself.
    let changes = changes(
        previous
            .as_ref()
            .map(|p| p.values.as_slice())
            .unwrap_or(&[]),
        &record.values,
        input.definition,
    );
    tx.audit(
        AuditEntryInput::new(
            AuditAction::FormSave,
            "children",
            Some(record.child_id.to_string()),
        )
        .detail(serde_json::json!({
            "plugin": format!("{}@{}", record.plugin_id, record.plugin_version),
            "form": record.form_id,
            "version": record.version,
            "changes": changes,
        })),
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
        values: stored_values::from_json(&values).map_err(|e| {
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
