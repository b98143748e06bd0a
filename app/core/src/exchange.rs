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
use crate::audit::{AuditAction, AuditEntryInput};
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
            AuditEntryInput::new(AuditAction::Export, "database", None)
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

/// Writes the bundle (it carries full ID numbers) as an AES-256 ZIP sealed
/// with `passphrase`; returns the path written (`FILE.zip`).
pub fn write_sealed(bundle: &Bundle, path: &Path, passphrase: &str) -> Result<std::path::PathBuf> {
    crate::sealed::check_passphrase(passphrase)?;
    let json = serde_json::to_vec_pretty(bundle)?;
    crate::sealed::write(path, &json, passphrase)
}

/// Reads a bundle written by [`write_sealed`] (passphrase needed) or a
/// plain one from an older version.
pub fn read_any(path: &Path, passphrase: Option<&str>) -> Result<(Bundle, String)> {
    if !crate::sealed::is_zip(path) {
        return read_file(path);
    }
    let passphrase = passphrase.ok_or_else(|| CoreError::BadFile {
        path: path.to_path_buf(),
        message: "这是加密的导出文件，需要导出时设置的加密口令".into(),
    })?;
    let bytes = crate::sealed::read(path, passphrase, MAX_BUNDLE_BYTES)?;
    let hash = hex::encode(Sha256::digest(&bytes));
    Ok((parse_bundle(&bytes, path)?, hash))
}

/// Biggest bundle file read (SECURITY.md §7): checked from the file's size
/// before anything is read. The bundle is parsed straight into its types
/// (never into a generic JSON tree), so memory stays close to the data's
/// own size, and serde_json's nesting limit (128) stops a deeply nested file.
pub const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

/// Reads and checks a bundle file. Errors name the file and, for JSON
/// problems, the line and column.
pub fn read_file(path: &Path) -> Result<(Bundle, String)> {
    use std::io::Read;
    let io = |source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let too_big = |size: u64| CoreError::LimitExceeded {
        path: path.to_path_buf(),
        sheet: None,
        what: format!("文件大小（{} MB）", size / 1_048_576),
        limit: format!("导出文件最大 {} MB", MAX_BUNDLE_BYTES / 1_048_576),
    };
    if size > MAX_BUNDLE_BYTES {
        return Err(too_big(size));
    }
    // The file may grow while we read: never read more than the limit.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_BUNDLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    let hash = hex::encode(Sha256::digest(&bytes));
    let bundle = parse_bundle(&bytes, path)?;
    Ok((bundle, hash))
}

/// Parses a bundle from bytes already read (at most [`MAX_BUNDLE_BYTES`]);
/// `path` names the file in messages. Used by [`read_file`] and the fuzzer.
pub fn parse_bundle(bytes: &[u8], path: &Path) -> Result<Bundle> {
    if bytes.len() as u64 > MAX_BUNDLE_BYTES {
        return Err(CoreError::LimitExceeded {
            path: path.to_path_buf(),
            sheet: None,
            what: format!("文件大小（{} MB）", bytes.len() / 1_048_576),
            limit: format!("导出文件最大 {} MB", MAX_BUNDLE_BYTES / 1_048_576),
        });
    }
    let bad_json = |e: serde_json::Error| CoreError::BadFile {
        path: path.to_path_buf(),
        message: format!("不是有效的 JSON（第{}行第{}列）：{e}", e.line(), e.column()),
    };
    /// The two fields that say what the file is; everything else is skipped
    /// without being stored.
    #[derive(Deserialize)]
    struct Probe {
        format: Option<serde_json::Value>,
        format_version: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(bad_json)?;
    if probe.format.as_ref().and_then(|v| v.as_str()) != Some(FORMAT) {
        return Err(CoreError::BadFile {
            path: path.to_path_buf(),
            message: "不是护童导出文件（缺少 \"format\": \"hutong-export\"）".into(),
        });
    }
    let version = probe
        .format_version
        .as_ref()
        .and_then(|v| v.as_u64())
        .unwrap_or(0);
    if version != u64::from(FORMAT_VERSION) {
        return Err(CoreError::BadFile {
            path: path.to_path_buf(),
            message: format!("导出格式版本 {version} 不受支持（本程序支持版本 {FORMAT_VERSION}）"),
        });
    }
    serde_json::from_slice(bytes).map_err(|e| CoreError::BadFile {
        path: path.to_path_buf(),
        message: format!(
            "内容不符合导出格式（第{}行第{}列）：{e}",
            e.line(),
            e.column()
        ),
    })
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
    validate(store.conn(), bundle, crate::store::today())?;
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
            AuditEntryInput::new(AuditAction::Import, "database", None).detail(serde_json::json!({
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

/// Longest free text accepted in a bundle field (characters).
const MAX_TEXT_CHARS: usize = 10_000;

fn check_name(what: &str, name: &str) -> Result<()> {
    match crate::names::name_problem(name) {
        Some(problem) => Err(CoreError::field(what, format!("姓名{problem}"))),
        None => Ok(()),
    }
}

fn check_text(what: &str, field: &str, text: Option<&str>) -> Result<()> {
    if let Some(t) = text
        && t.chars().count() > MAX_TEXT_CHARS
    {
        return Err(CoreError::field(
            what,
            format!("{field}超过 {MAX_TEXT_CHARS} 个字符"),
        ));
    }
    Ok(())
}

fn child_on_file(conn: &Connection, id: RowId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM children WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

fn person_on_file(conn: &Connection, id: RowId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM persons WHERE id = ?1")?
        .query_row([id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Validates every record of a bundle as the table importers and the
/// store's own writes do, naming the first bad record ("persons[3] 张三").
/// References must point at a record in the bundle or already on file.
pub fn validate(
    conn: &Connection,
    bundle: &Bundle,
    today: hutong_national::NaiveDate,
) -> Result<()> {
    use std::collections::HashSet;
    let children: HashSet<RowId> = bundle.children.iter().map(|c| c.id).collect();
    let persons: HashSet<RowId> = bundle.persons.iter().map(|p| p.id).collect();
    let child_known =
        |id: RowId| -> Result<bool> { Ok(children.contains(&id) || child_on_file(conn, id)?) };
    for (i, c) in bundle.children.iter().enumerate() {
        let what = format!("children[{i}] {}", c.name);
        check_name(&what, &c.name)?;
        let parsed = hutong_national::id_number::parse(&c.id_number, today)
            .map_err(|e| CoreError::field(format!("children[{i}] 身份证号"), e.to_string()))?;
        if parsed.number != c.id_number || parsed.birth_date != c.birth_date || parsed.sex != c.sex
        {
            return Err(CoreError::field(what, "出生日期或性别与身份证号不一致"));
        }
        if !crate::divisions::exists(conn, &c.residence_division)? {
            return Err(CoreError::field(
                what,
                format!("现居住地 {} 不在本县区划表中", c.residence_division),
            ));
        }
    }
    for (i, p) in bundle.persons.iter().enumerate() {
        let what = format!("persons[{i}] {}", p.name);
        check_name(&what, &p.name)?;
        if let Some(raw) = p.id_number.as_deref() {
            let parsed = hutong_national::id_number::parse(raw, today)
                .map_err(|e| CoreError::field(format!("{what} 身份证号"), e.to_string()))?;
            if parsed.number != raw
                || p.birth_date.is_some_and(|d| d != parsed.birth_date)
                || p.sex.is_some_and(|s| s != parsed.sex)
            {
                return Err(CoreError::field(what, "出生日期或性别与身份证号不一致"));
            }
        }
        if let Some(phone) = p.phone.as_deref() {
            let digits = phone.chars().filter(|c| c.is_ascii_digit()).count();
            if !(5..=20).contains(&digits)
                || !phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'))
            {
                return Err(CoreError::field(
                    what,
                    format!("电话“{phone}”不是有效的号码"),
                ));
            }
        }
        if p.disability_grade.is_some_and(|g| !(1..=4).contains(&g)) {
            return Err(CoreError::field(what, "残疾等级应为 1 至 4 级"));
        }
        for (field, text) in [
            ("户籍地址", p.hukou_address.as_deref()),
            ("现住址", p.address.as_deref()),
            ("健康状况", p.health.as_deref()),
            ("残疾类别", p.disability_type.as_deref()),
            ("职业", p.occupation.as_deref()),
        ] {
            check_text(&what, field, text)?;
        }
    }
    for (i, r) in bundle.relations.iter().enumerate() {
        let what = format!("relations[{i}] {}", r.id);
        if !child_known(r.child_id)? {
            return Err(CoreError::field(
                what,
                format!("儿童 {} 既不在文件中，也不在本库中", r.child_id),
            ));
        }
        if !persons.contains(&r.person_id) && !person_on_file(conn, r.person_id)? {
            return Err(CoreError::field(
                what,
                format!("人员 {} 既不在文件中，也不在本库中", r.person_id),
            ));
        }
        if r.situation.is_some() && !r.relation.is_parent() {
            return Err(CoreError::field(what, "只有父亲或母亲可以登记父母情形"));
        }
        if let (Some(since), Some(until)) = (r.situation_since, r.situation_until)
            && until < since
        {
            return Err(CoreError::field(what, "情形结束日期早于开始日期"));
        }
        if r.active && r.ended_on.is_some() {
            return Err(CoreError::field(what, "仍有效的关系不应有结束日期"));
        }
        for (field, text) in [
            ("情形证明", r.situation_evidence.as_deref()),
            ("委托原因", r.entrustment_reason.as_deref()),
        ] {
            check_text(&what, field, text)?;
        }
    }
    for (i, c) in bundle.categories.iter().enumerate() {
        if !child_known(c.child_id)? {
            return Err(CoreError::field(
                format!("categories[{i}] {}", c.id),
                format!("儿童 {} 既不在文件中，也不在本库中", c.child_id),
            ));
        }
    }
    for (i, f) in bundle.form_records.iter().enumerate() {
        if !child_known(f.child_id)? {
            return Err(CoreError::field(
                format!("form_records[{i}] {}", f.id),
                format!("儿童 {} 既不在文件中，也不在本库中", f.child_id),
            ));
        }
    }
    for (i, v) in bundle.visits.iter().enumerate() {
        let what = format!("visits[{i}] {} {}", v.visit_date, v.id);
        if !child_known(v.child_id)? {
            return Err(CoreError::field(
                what,
                format!("儿童 {} 既不在文件中，也不在本库中", v.child_id),
            ));
        }
        if v.visit_date > today {
            return Err(CoreError::field(what, "走访日期晚于今天"));
        }
        if v.visitor.trim().is_empty() {
            return Err(CoreError::field(what, "走访人不能为空"));
        }
        check_name(&format!("{what} 走访人"), &v.visitor)?;
        if v.findings.trim().is_empty() {
            return Err(CoreError::field(what, "走访情况不能为空"));
        }
        if v.next_due_override.is_some_and(|next| next <= v.visit_date) {
            return Err(CoreError::field(what, "下次走访日期应晚于本次走访日期"));
        }
        if v.next_due_override.is_some()
            && v.override_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            return Err(CoreError::field(what, "调整下次走访日期时必须填写原因"));
        }
        if !v.active && v.void_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(CoreError::field(what, "作废的走访必须有作废原因"));
        }
        for (field, text) in [
            ("走访情况", Some(v.findings.as_str())),
            ("后续措施", v.follow_up.as_deref()),
        ] {
            check_text(&what, field, text)?;
        }
    }
    Ok(())
}
