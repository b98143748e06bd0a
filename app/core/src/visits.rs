//! Visits (走访): date, mode, visitor, findings and follow-up. A wrong
//! visit is voided with a reason, never deleted. The next due date is derived
//! later from assessments and the plugin's visit policy; a visit may carry a
//! caseworker's override of it, with the reason.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::{WriteTx, today};
use hutong_national::NaiveDate;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitMode {
    Home,
    Phone,
    School,
}

impl VisitMode {
    pub const ALL: [VisitMode; 3] = [VisitMode::Home, VisitMode::Phone, VisitMode::School];
    pub fn code(self) -> &'static str {
        match self {
            VisitMode::Home => "home",
            VisitMode::Phone => "phone",
            VisitMode::School => "school",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        VisitMode::ALL.into_iter().find(|m| m.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            VisitMode::Home => "入户",
            VisitMode::Phone => "电话",
            VisitMode::School => "学校",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub id: RowId,
    pub child_id: RowId,
    pub visit_date: NaiveDate,
    pub mode: VisitMode,
    pub visitor: String,
    pub findings: String,
    pub follow_up: Option<String>,
    pub next_due_override: Option<NaiveDate>,
    pub override_reason: Option<String>,
    pub active: bool,
    pub void_reason: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone)]
pub struct VisitInput {
    pub child_id: RowId,
    pub visit_date: NaiveDate,
    pub mode: VisitMode,
    pub visitor: String,
    pub findings: String,
    pub follow_up: Option<String>,
    pub next_due_override: Option<NaiveDate>,
    pub override_reason: Option<String>,
}

pub(crate) fn insert_row(conn: &Connection, v: &Visit) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO visits (id, child_id, visit_date, mode, visitor, findings, follow_up, next_due_override,
            override_reason, status, void_reason, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        v.id,
        v.child_id,
        v.visit_date.to_string(),
        v.mode.code(),
        v.visitor,
        v.findings,
        v.follow_up,
        v.next_due_override.map(|d| d.to_string()),
        v.override_reason,
        if v.active { "active" } else { "voided" },
        v.void_reason,
        v.recorded_at
    ])?;
    Ok(())
}

pub fn add(tx: &mut WriteTx<'_>, input: &VisitInput) -> Result<Visit> {
    if crate::children::get(tx.conn(), tx.actor().scope(), input.child_id)?.is_none() {
        return Err(CoreError::NotFound {
            what: "儿童档案",
            key: input.child_id.to_string(),
        });
    }
    if input.visit_date > today() {
        return Err(CoreError::field("走访日期", "不能晚于今天"));
    }
    if input.visitor.trim().is_empty() {
        return Err(CoreError::field("走访人", "不能为空"));
    }
    if input.findings.trim().is_empty() {
        return Err(CoreError::field("走访情况", "不能为空"));
    }
    if input
        .next_due_override
        .is_some_and(|next| next <= input.visit_date)
    {
        return Err(CoreError::field("下次走访日期", "应晚于本次走访日期"));
    }
    if input.next_due_override.is_some()
        && input
            .override_reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        return Err(CoreError::field(
            "调整下次走访日期的原因",
            "调整日期时必须填写原因",
        ));
    }
    let visit = Visit {
        id: RowId::new(),
        child_id: input.child_id,
        visit_date: input.visit_date,
        mode: input.mode,
        visitor: input.visitor.trim().to_string(),
        findings: input.findings.trim().to_string(),
        follow_up: input.follow_up.clone(),
        next_due_override: input.next_due_override,
        override_reason: input.override_reason.clone(),
        active: true,
        void_reason: None,
        recorded_at: tx.now().to_string(),
    };
    insert_row(tx.conn(), &visit)?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::VisitAdd,
            "children",
            Some(visit.child_id.to_string()),
        )
        .detail(serde_json::json!({
            "visit": visit.id.to_string(),
            "date": visit.visit_date.to_string(),
            "mode": visit.mode.code(),
        })),
    )?;
    Ok(visit)
}

/// Voids a visit recorded in error: the row stays, marked voided with the
/// reason, and stops counting for the schedule. Never deleted.
pub fn void(tx: &mut WriteTx<'_>, visit_id: RowId, reason: &str) -> Result<Visit> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CoreError::field("作废原因", "不能为空"));
    }
    let visit = get(tx.conn(), visit_id)?.ok_or_else(|| CoreError::NotFound {
        what: "走访记录",
        key: visit_id.to_string(),
    })?;
    if !visit.active {
        return Err(CoreError::field("走访记录", "该记录已作废"));
    }
    tx.conn().execute(
        "UPDATE visits SET status = 'voided', void_reason = ?2 WHERE id = ?1",
        params![visit_id, reason],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::VisitVoid,
            "children",
            Some(visit.child_id.to_string()),
        )
        .reason(reason)
        .detail(serde_json::json!({
            "visit": visit.id.to_string(),
            "date": visit.visit_date.to_string(),
            "mode": visit.mode.code(),
        })),
    )?;
    Ok(Visit {
        active: false,
        void_reason: Some(reason.to_string()),
        ..visit
    })
}

/// One visit by id.
pub fn get(conn: &Connection, visit_id: RowId) -> Result<Option<Visit>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(&format!("SELECT {VISIT_COLUMNS} FROM visits WHERE id = ?1"))?
        .query_row([visit_id], row_to_visit)
        .optional()?)
}

pub(crate) const VISIT_COLUMNS: &str =
    "id, child_id, visit_date, mode, visitor, findings, follow_up,
    next_due_override, override_reason, status, void_reason, recorded_at";

pub(crate) fn row_to_visit(r: &rusqlite::Row<'_>) -> rusqlite::Result<Visit> {
    let date: String = r.get(2)?;
    let mode: String = r.get(3)?;
    let due: Option<String> = r.get(7)?;
    let status: String = r.get(9)?;
    Ok(Visit {
        id: r.get(0)?,
        child_id: r.get(1)?,
        visit_date: date.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e))
        })?,
        mode: VisitMode::from_code(&mode).unwrap_or(VisitMode::Home),
        visitor: r.get(4)?,
        findings: r.get(5)?,
        follow_up: r.get(6)?,
        next_due_override: due.and_then(|s| s.parse().ok()),
        override_reason: r.get(8)?,
        active: status == "active",
        void_reason: r.get(10)?,
        recorded_at: r.get(11)?,
    })
}

/// A child's visits, newest first.
pub fn for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Visit>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {VISIT_COLUMNS} FROM visits WHERE child_id = ?1 ORDER BY visit_date DESC, recorded_at DESC"
    ))?;
    let rows = stmt.query_map([child_id], row_to_visit)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Until the province plugin's visit policy drives schedules, "overdue"
/// means no visit in this many days (the monthly visit norm).
pub const DEFAULT_CADENCE_DAYS: i64 = 30;

/// Active children in `scope` whose latest visit is older than `days` (or
/// who were never visited), counted per village. Until the plugin's visit
/// policy drives the schedule, `days` is the caller's default cadence.
pub fn overdue_by_village(
    conn: &Connection,
    scope: &str,
    today: NaiveDate,
    days: i64,
) -> Result<Vec<(String, String, u64)>> {
    let cutoff = (today - chrono::Duration::days(days)).to_string();
    let mut stmt = conn.prepare_cached(
        "SELECT c.residence_division, coalesce(d.name, ''), count(*)
         FROM children c LEFT JOIN divisions d ON d.code = c.residence_division
         WHERE c.status = 'active' AND c.residence_division GLOB ?1
           AND coalesce((SELECT max(v.visit_date) FROM visits v WHERE v.child_id = c.id AND v.status = 'active'), '') < ?2
         GROUP BY c.residence_division ORDER BY count(*) DESC, c.residence_division",
    )?;
    let rows = stmt.query_map(params![format!("{scope}*"), cutoff], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)? as u64,
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
