//! JSON export and import of a county's case data.
//!
//! The bundle (schema: `schemas/json/export-bundle.schema.json`) holds every
//! synced table: children, persons, relations, categories, form records and
//! visits, keyed by their UUIDs. Users and the audit log stay behind: the
//! audit chain belongs to the machine that wrote it, and password hashes do
//! not travel in files.
//!
//! Import is one transaction: every row goes in, or none does. A row whose
//! id already exists with identical content is skipped (so importing the
//! same file twice is harmless); a row that exists with *different* content
//! aborts the import, naming the table and id, rather than silently picking
//! a winner.

use crate::RowId;
use crate::audit::AuditEntryInput;
use crate::categories::{self, CategoryRecord};
use crate::children::{self, Child};
use crate::error::{CoreError, Result};
use crate::forms::{self, FormRecord};
use crate::persons::{self, Person, Relation};
use crate::store::{Actor, Store};
use crate::visits::{self, Visit};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

pub const FORMAT: &str = "hutong-export";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub format: String,
    pub format_version: u32,
    pub exported_at: String,
    pub county_code: String,
    pub children: Vec<Child>,
    pub persons: Vec<Person>,
    pub relations: Vec<Relation>,
    pub categories: Vec<CategoryRecord>,
    pub form_records: Vec<FormRecord>,
    pub visits: Vec<Visit>,
}

fn all<T>(
    conn: &Connection,
    sql: &str,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], map)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const PERSON_SELECT: &str = "SELECT p.id, p.name, p.id_number, p.sex, p.birth_date, p.phone, p.hukou_address,
    p.address, p.health, p.disability_type, p.disability_grade, p.occupation, p.created_at FROM persons p";
const RELATION_SELECT: &str = "SELECT r.id, r.child_id, r.person_id, r.relation, r.is_guardian,
    r.is_entrusted_carer, r.situation, r.situation_since, r.situation_until, r.situation_evidence,
    r.entrustment_reason, r.entrustment_confirmed_on, r.status, r.ended_on FROM child_relations r";

/// Exports everything, recording the export and its stated purpose in the
/// audit log in the same transaction that reads the data.
pub fn export(store: &mut Store, actor: &Actor, purpose: &str) -> Result<Bundle> {
    if purpose.trim().is_empty() {
        return Err(CoreError::field("导出用途", "导出前必须说明用途"));
    }
    let county_code = store
        .county_code()?
        .ok_or_else(|| CoreError::NotInitialised {
            path: store.path().to_path_buf(),
        })?;
    store.write(actor, |tx| {
        let conn = tx.conn();
        let bundle = Bundle {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            exported_at: tx.now().to_string(),
            county_code: county_code.clone(),
            children: all(
                conn,
                &format!(
                    "SELECT {} FROM children ORDER BY id",
                    children::CHILD_COLUMNS
                ),
                children::row_to_child,
            )?,
            persons: all(conn, &format!("{PERSON_SELECT} ORDER BY p.id"), |r| {
                persons::row_to_person(r, 0)
            })?,
            relations: all(conn, &format!("{RELATION_SELECT} ORDER BY r.id"), |r| {
                persons::row_to_relation(r, 0)
            })?,
            categories: all(
                conn,
                &format!(
                    "SELECT {} FROM categories ORDER BY id",
                    categories::CATEGORY_COLUMNS
                ),
                categories::row_to_category,
            )?,
            form_records: all(
                conn,
                &format!(
                    "SELECT {} FROM form_records ORDER BY id",
                    forms::FORM_COLUMNS
                ),
                forms::row_to_form,
            )?,
            visits: all(
                conn,
                &format!("SELECT {} FROM visits ORDER BY id", visits::VISIT_COLUMNS),
                visits::row_to_visit,
            )?,
        };
        let counts = serde_json::json!({
            "children": bundle.children.len(),
            "persons": bundle.persons.len(),
            "relations": bundle.relations.len(),
            "categories": bundle.categories.len(),
            "form_records": bundle.form_records.len(),
            "visits": bundle.visits.len(),
        });
        tx.audit(
            AuditEntryInput::new("export", "database", None)
                .reason(purpose.trim())
                .detail(serde_json::json!({ "format": "json", "counts": counts })),
        )?;
        Ok(bundle)
    })
}

/// Writes a bundle as pretty JSON.
pub fn write_file(bundle: &Bundle, path: &Path) -> Result<()> {
    let json = serde_json::to_vec_pretty(bundle)?;
    std::fs::write(path, json).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads and checks a bundle file. Errors name the file and, for JSON
/// problems, the line and column.
pub fn read_file(path: &Path) -> Result<(Bundle, String)> {
    let bytes = std::fs::read(path).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let hash = hex::encode(Sha256::digest(&bytes));
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| CoreError::BadFile {
            path: path.to_path_buf(),
            message: format!("不是有效的 JSON（第{}行第{}列）：{e}", e.line(), e.column()),
        })?;
    if value.get("format").and_then(|v| v.as_str()) != Some(FORMAT) {
        return Err(CoreError::BadFile {
            path: path.to_path_buf(),
            message: "不是护童导出文件（缺少 \"format\": \"hutong-export\"）".into(),
        });
    }
    let version = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if version != u64::from(FORMAT_VERSION) {
        return Err(CoreError::BadFile {
            path: path.to_path_buf(),
            message: format!("导出格式版本 {version} 不受支持（本程序支持版本 {FORMAT_VERSION}）"),
        });
    }
    let bundle: Bundle = serde_json::from_value(value).map_err(|e| CoreError::BadFile {
        path: path.to_path_buf(),
        message: format!("内容不符合导出格式：{e}"),
    })?;
    Ok((bundle, hash))
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub inserted: u64,
    pub unchanged: u64,
}

/// How to read and write one table's rows during import.
struct Table<T> {
    name: &'static str,
    select_by_id: String,
    map: fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    insert: fn(&Connection, &T) -> Result<()>,
}

impl<T: PartialEq> Table<T> {
    /// Inserts `row` unless a row with its id exists; identical rows are
    /// counted as unchanged, different ones abort with a named conflict.
    fn upsert(
        &self,
        conn: &Connection,
        id: RowId,
        row: &T,
        report: &mut ImportReport,
    ) -> Result<()> {
        let existing = conn
            .prepare_cached(&self.select_by_id)?
            .query_row([id], self.map)
            .optional()?;
        match existing {
            Some(e) if &e == row => report.unchanged += 1,
            Some(_) => {
                return Err(CoreError::field(
                    format!("{} {id}", self.name),
                    "本库已有同一编号但内容不同的记录，导入已取消，未写入任何数据",
                ));
            }
            None => {
                (self.insert)(conn, row)?;
                report.inserted += 1;
            }
        }
        Ok(())
    }
}

/// Imports a bundle into an initialised database of the same county.
pub fn import(
    store: &mut Store,
    actor: &Actor,
    bundle: &Bundle,
    file_hash: &str,
) -> Result<ImportReport> {
    let county = store
        .county_code()?
        .ok_or_else(|| CoreError::NotInitialised {
            path: store.path().to_path_buf(),
        })?;
    if county != bundle.county_code {
        return Err(CoreError::field(
            "县级区划代码",
            format!("导出文件属于 {}，本数据库属于 {county}", bundle.county_code),
        ));
    }
    // Validate everything before writing anything, so errors name the record.
    for (i, c) in bundle.children.iter().enumerate() {
        let parsed = hutong_national::id_number::parse(&c.id_number, crate::store::today())
            .map_err(|e| CoreError::field(format!("children[{i}] 身份证号"), e.to_string()))?;
        if parsed.number != c.id_number || parsed.birth_date != c.birth_date || parsed.sex != c.sex
        {
            return Err(CoreError::field(
                format!("children[{i}] {}", c.name),
                "出生日期或性别与身份证号不一致",
            ));
        }
        if !crate::divisions::exists(store.conn(), &c.residence_division)? {
            return Err(CoreError::field(
                format!("children[{i}] {}", c.name),
                format!("现居住地 {} 不在本县区划表中", c.residence_division),
            ));
        }
    }
    store.write(actor, |tx| {
        let mut report = ImportReport::default();
        let conn = tx.conn();
        let children_t = Table {
            name: "children",
            select_by_id: format!(
                "SELECT {} FROM children WHERE id = ?1",
                children::CHILD_COLUMNS
            ),
            map: children::row_to_child,
            insert: children::insert_row,
        };
        for c in &bundle.children {
            children_t.upsert(conn, c.id, c, &mut report)?;
        }
        let persons_t = Table {
            name: "persons",
            select_by_id: format!("{PERSON_SELECT} WHERE p.id = ?1"),
            map: |r| persons::row_to_person(r, 0),
            insert: persons::insert_person,
        };
        for p in &bundle.persons {
            persons_t.upsert(conn, p.id, p, &mut report)?;
        }
        let relations_t = Table {
            name: "child_relations",
            select_by_id: format!("{RELATION_SELECT} WHERE r.id = ?1"),
            map: |r| persons::row_to_relation(r, 0),
            insert: persons::insert_relation,
        };
        for r in &bundle.relations {
            relations_t.upsert(conn, r.id, r, &mut report)?;
        }
        let categories_t = Table {
            name: "categories",
            select_by_id: format!(
                "SELECT {} FROM categories WHERE id = ?1",
                categories::CATEGORY_COLUMNS
            ),
            map: categories::row_to_category,
            insert: categories::insert_row,
        };
        for c in &bundle.categories {
            categories_t.upsert(conn, c.id, c, &mut report)?;
        }
        // Form versions must go in oldest first: a version names the one it supersedes.
        let mut forms_sorted: Vec<&FormRecord> = bundle.form_records.iter().collect();
        forms_sorted.sort_by_key(|f| f.version);
        let forms_t = Table {
            name: "form_records",
            select_by_id: format!(
                "SELECT {} FROM form_records WHERE id = ?1",
                forms::FORM_COLUMNS
            ),
            map: forms::row_to_form,
            insert: forms::insert_row,
        };
        for f in forms_sorted {
            forms_t.upsert(conn, f.id, f, &mut report)?;
        }
        let visits_t = Table {
            name: "visits",
            select_by_id: format!("SELECT {} FROM visits WHERE id = ?1", visits::VISIT_COLUMNS),
            map: visits::row_to_visit,
            insert: visits::insert_row,
        };
        for v in &bundle.visits {
            visits_t.upsert(conn, v.id, v, &mut report)?;
        }
        tx.audit(
            AuditEntryInput::new("import", "database", None).detail(serde_json::json!({
                "format": "json",
                "file_sha256": file_hash,
                "exported_at": bundle.exported_at,
                "inserted": report.inserted,
                "unchanged": report.unchanged,
            })),
        )?;
        Ok(report)
    })
}
