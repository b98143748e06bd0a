//! A child's case categories (DOMAIN §1.7). A child may hold several at
//! once (留守 and 重残). Each has a basis, a source (manual entry, a plugin
//! finding, an import), effective dates and evidence. Categories end; they
//! are never deleted, so the history of eligibility stays visible.

use crate::RowId;
use crate::access::Scope;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategorySource {
    Manual,
    Plugin,
    Import,
}

impl CategorySource {
    pub fn code(self) -> &'static str {
        match self {
            CategorySource::Manual => "manual",
            CategorySource::Plugin => "plugin",
            CategorySource::Import => "import",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "manual" => Some(CategorySource::Manual),
            "plugin" => Some(CategorySource::Plugin),
            "import" => Some(CategorySource::Import),
            _ => None,
        }
    }
}

/// A stored category. Also the export format's category record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryRecord {
    pub id: RowId,
    pub child_id: RowId,
    pub category: CaseCategory,
    pub basis: String,
    pub source: CategorySource,
    /// For plugin findings, `plugin-id@version`.
    pub source_ref: Option<String>,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub evidence: Option<String>,
    pub active: bool,
    pub end_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub category: CaseCategory,
    pub basis: String,
    pub source: CategorySource,
    pub source_ref: Option<String>,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub evidence: Option<String>,
}

pub(crate) fn insert_row(conn: &Connection, c: &CategoryRecord) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO categories (id, child_id, category, basis, source, source_ref, effective_from,
            effective_until, evidence, status, end_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        c.id,
        c.child_id,
        c.category.code(),
        c.basis,
        c.source.code(),
        c.source_ref,
        c.effective_from.to_string(),
        c.effective_until.map(|d| d.to_string()),
        c.evidence,
        if c.active { "active" } else { "ended" },
        c.end_reason
    ])?;
    Ok(())
}

pub fn add(tx: &mut WriteTx<'_>, child_id: RowId, input: &CategoryInput) -> Result<CategoryRecord> {
    if crate::children::get(tx.conn(), tx.actor().scope(), child_id)?.is_none() {
        return Err(CoreError::NotFound {
            what: "儿童档案",
            key: child_id.to_string(),
        });
    }
    if input.basis.trim().is_empty() {
        return Err(CoreError::field("认定依据", "不能为空"));
    }
    if let Some(until) = input.effective_until
        && until < input.effective_from
    {
        return Err(CoreError::field("截止日期", "早于起始日期"));
    }
    let active_same = for_child(tx.conn(), child_id)?
        .into_iter()
        .any(|c| c.active && c.category == input.category);
    if active_same {
        return Err(CoreError::field(
            "类别",
            format!("该儿童已有有效的“{}”类别", input.category.label_zh()),
        ));
    }
    let rec = CategoryRecord {
        id: RowId::new(),
        child_id,
        category: input.category,
        basis: input.basis.trim().to_string(),
        source: input.source,
        source_ref: input.source_ref.clone(),
        effective_from: input.effective_from,
        effective_until: input.effective_until,
        evidence: input.evidence.clone(),
        active: true,
        end_reason: None,
    };
    insert_row(tx.conn(), &rec)?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::CategoryAdd,
            "children",
            Some(child_id.to_string()),
        )
        .detail(serde_json::json!({
            "category": rec.category.code(),
            "basis": rec.basis,
            "source": rec.source.code(),
            "effective_from": rec.effective_from.to_string(),
        })),
    )?;
    Ok(rec)
}

/// Ends a category on a date with a reason (turned 18, parent released...).
pub fn end(tx: &mut WriteTx<'_>, id: RowId, on: NaiveDate, reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(CoreError::field("终止原因", "不能为空"));
    }
    let row: Option<(RowId, String, String)> = {
        use rusqlite::OptionalExtension;
        tx.conn()
            .query_row(
                "SELECT child_id, category, status FROM categories WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
    };
    let Some((child_id, category, status)) = row else {
        return Err(CoreError::NotFound {
            what: "类别记录",
            key: id.to_string(),
        });
    };
    if status != "active" {
        return Err(CoreError::field("类别", "该类别已终止"));
    }
    tx.conn().execute(
        "UPDATE categories SET status='ended', effective_until=?2, end_reason=?3 WHERE id=?1",
        params![id, on.to_string(), reason.trim()],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::CategoryEnd,
            "children",
            Some(child_id.to_string()),
        )
        .reason(reason.trim())
        .detail(serde_json::json!({ "category": category, "ended_on": on.to_string() })),
    )?;
    Ok(())
}

pub(crate) const CATEGORY_COLUMNS: &str = "id, child_id, category, basis, source, source_ref,
    effective_from, effective_until, evidence, status, end_reason";

pub(crate) fn row_to_category(r: &rusqlite::Row<'_>) -> rusqlite::Result<CategoryRecord> {
    let cat: String = r.get(2)?;
    let source: String = r.get(4)?;
    let from: String = r.get(6)?;
    let until: Option<String> = r.get(7)?;
    let status: String = r.get(9)?;
    let bad = |idx: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, what.into())
    };
    Ok(CategoryRecord {
        id: r.get(0)?,
        child_id: r.get(1)?,
        category: CaseCategory::from_code(&cat).ok_or_else(|| bad(2, format!("未知类别 {cat}")))?,
        basis: r.get(3)?,
        source: CategorySource::from_code(&source).unwrap_or(CategorySource::Manual),
        source_ref: r.get(5)?,
        effective_from: from.parse().map_err(|_| bad(6, from.clone()))?,
        effective_until: until.and_then(|s| s.parse().ok()),
        evidence: r.get(8)?,
        active: status == "active",
        end_reason: r.get(10)?,
    })
}

pub fn for_child(conn: &Connection, child_id: RowId) -> Result<Vec<CategoryRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CATEGORY_COLUMNS} FROM categories WHERE child_id = ?1 ORDER BY effective_from, category"
    ))?;
    let rows = stmt.query_map([child_id], row_to_category)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Active files per category, for the 工作台 counts.
pub fn counts(conn: &Connection, scope: &Scope) -> Result<Vec<(CaseCategory, u64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT k.category, count(DISTINCT k.child_id) FROM categories k
         JOIN children c ON c.id = k.child_id
         WHERE k.status = 'active' AND c.status = 'active' AND c.residence_division GLOB ?1
         GROUP BY k.category",
    )?;
    let pattern = scope.glob();
    let rows = stmt.query_map([pattern], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (code, n) = row?;
        if let Some(cat) = CaseCategory::from_code(&code) {
            out.push((cat, n as u64));
        }
    }
    out.sort();
    Ok(out)
}
