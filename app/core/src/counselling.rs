//! Psychological care: counselling sessions, screening results (a scale,
//! its score and level), and follow-ups with due dates. Scale scoring itself
//! belongs to the province plugins (`assess`); this module records results,
//! whether they came from a plugin or from a paper questionnaire.

use crate::RowId;
use crate::access::Scope;
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::record_util::{
    audit_add, audit_edit, code_col, date_col, diff, ensure_child, opt_date_col, optional, required,
};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    Individual,
    Group,
    Phone,
    Online,
}

impl SessionMode {
    pub const ALL: [SessionMode; 4] = [
        SessionMode::Individual,
        SessionMode::Group,
        SessionMode::Phone,
        SessionMode::Online,
    ];
    pub fn code(self) -> &'static str {
        match self {
            SessionMode::Individual => "individual",
            SessionMode::Group => "group",
            SessionMode::Phone => "phone",
            SessionMode::Online => "online",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        SessionMode::ALL.into_iter().find(|m| m.code() == s.trim())
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            SessionMode::Individual => "个体辅导",
            SessionMode::Group => "团体辅导",
            SessionMode::Phone => "电话",
            SessionMode::Online => "线上",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: RowId,
    pub child_id: RowId,
    pub session_date: NaiveDate,
    pub counsellor: String,
    pub mode: SessionMode,
    pub summary: String,
    pub active: bool,
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionInput {
    pub child_id: RowId,
    pub session_date: NaiveDate,
    pub counsellor: String,
    pub mode: SessionMode,
    pub summary: String,
}

pub fn add_session(tx: &mut WriteTx<'_>, input: &SessionInput) -> Result<Session> {
    ensure_child(tx.conn(), input.child_id)?;
    let s = Session {
        id: RowId::new(),
        child_id: input.child_id,
        session_date: input.session_date,
        counsellor: required("辅导人员", &input.counsellor)?,
        mode: input.mode,
        summary: required("辅导情况", &input.summary)?,
        active: true,
        void_reason: None,
    };
    tx.conn().execute(
        "INSERT INTO counselling_sessions (id, child_id, session_date, counsellor, mode, summary, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7)",
        params![
            s.id,
            s.child_id,
            s.session_date.to_string(),
            s.counsellor,
            s.mode.code(),
            s.summary,
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::CounsellingAdd,
        "counselling_sessions",
        s.id,
        serde_json::json!({ "child": s.child_id.to_string(), "date": s.session_date.to_string() }),
    )?;
    Ok(s)
}

pub fn update_session(tx: &mut WriteTx<'_>, id: RowId, input: &SessionInput) -> Result<Session> {
    let old = get_session(tx.conn(), id)?.ok_or_else(|| CoreError::NotFound {
        what: "心理辅导记录",
        key: id.to_string(),
    })?;
    if !old.active {
        return Err(CoreError::field("状态", "该记录已作废"));
    }
    let new = Session {
        session_date: input.session_date,
        counsellor: required("辅导人员", &input.counsellor)?,
        mode: input.mode,
        summary: required("辅导情况", &input.summary)?,
        ..old.clone()
    };
    let changes = diff(&old, &new, &[], &[]);
    if changes.is_empty() {
        return Ok(old);
    }
    tx.conn().execute(
        "UPDATE counselling_sessions SET session_date=?2, counsellor=?3, mode=?4, summary=?5 WHERE id=?1",
        params![
            id,
            new.session_date.to_string(),
            new.counsellor,
            new.mode.code(),
            new.summary
        ],
    )?;
    audit_edit(
        tx,
        AuditAction::CounsellingUpdate,
        "counselling_sessions",
        id,
        Some(old.child_id),
        changes,
        None,
    )?;
    Ok(new)
}

fn row_to_session(r: &rusqlite::Row<'_>) -> rusqlite::Result<Session> {
    let status: String = r.get(6)?;
    Ok(Session {
        id: r.get(0)?,
        child_id: r.get(1)?,
        session_date: date_col(r, 2)?,
        counsellor: r.get(3)?,
        mode: code_col(r, 4, SessionMode::from_code)?,
        summary: r.get(5)?,
        active: status == "active",
        void_reason: r.get(7)?,
    })
}

const SESSION_COLUMNS: &str =
    "id, child_id, session_date, counsellor, mode, summary, status, void_reason";

pub fn get_session(conn: &Connection, id: RowId) -> Result<Option<Session>> {
    Ok(conn
        .query_row(
            &format!("SELECT {SESSION_COLUMNS} FROM counselling_sessions WHERE id=?1"),
            [id],
            row_to_session,
        )
        .optional()?)
}

pub fn sessions_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Session>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SESSION_COLUMNS} FROM counselling_sessions WHERE child_id=?1 ORDER BY session_date DESC"
    ))?;
    let rows = stmt.query_map([child_id], row_to_session)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------- screenings

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screening {
    pub id: RowId,
    pub child_id: RowId,
    pub screened_on: NaiveDate,
    /// Scale name and version, e.g. "PSC-17".
    pub scale: String,
    pub score: Option<f64>,
    /// The band the scale assigns, e.g. "阳性" / "需关注".
    pub level: String,
    pub screener: String,
    pub note: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct ScreeningInput {
    pub child_id: RowId,
    pub screened_on: NaiveDate,
    pub scale: String,
    pub score: Option<f64>,
    pub level: String,
    pub screener: String,
    pub note: Option<String>,
}

fn check_score(score: Option<f64>) -> Result<()> {
    if score.is_some_and(|s| !s.is_finite()) {
        return Err(CoreError::field("得分", "不是有效数字"));
    }
    Ok(())
}

pub fn add_screening(tx: &mut WriteTx<'_>, input: &ScreeningInput) -> Result<Screening> {
    ensure_child(tx.conn(), input.child_id)?;
    check_score(input.score)?;
    let s = Screening {
        id: RowId::new(),
        child_id: input.child_id,
        screened_on: input.screened_on,
        scale: required("量表", &input.scale)?,
        score: input.score,
        level: required("筛查结果", &input.level)?,
        screener: required("筛查人", &input.screener)?,
        note: optional(&input.note),
        active: true,
    };
    tx.conn().execute(
        "INSERT INTO screenings (id, child_id, screened_on, scale, score, level, screener, note, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', ?9)",
        params![
            s.id,
            s.child_id,
            s.screened_on.to_string(),
            s.scale,
            s.score,
            s.level,
            s.screener,
            s.note,
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::ScreeningAdd,
        "screenings",
        s.id,
        serde_json::json!({
            "child": s.child_id.to_string(),
            "scale": s.scale,
            "score": s.score,
            "level": s.level,
        }),
    )?;
    Ok(s)
}

pub fn update_screening(
    tx: &mut WriteTx<'_>,
    id: RowId,
    input: &ScreeningInput,
) -> Result<Screening> {
    let old = get_screening(tx.conn(), id)?.ok_or_else(|| CoreError::NotFound {
        what: "筛查记录",
        key: id.to_string(),
    })?;
    if !old.active {
        return Err(CoreError::field("状态", "该记录已作废"));
    }
    check_score(input.score)?;
    let new = Screening {
        screened_on: input.screened_on,
        scale: required("量表", &input.scale)?,
        score: input.score,
        level: required("筛查结果", &input.level)?,
        screener: required("筛查人", &input.screener)?,
        note: optional(&input.note),
        ..old.clone()
    };
    let changes = diff(&old, &new, &[], &[]);
    if changes.is_empty() {
        return Ok(old);
    }
    tx.conn().execute(
        "UPDATE screenings SET screened_on=?2, scale=?3, score=?4, level=?5, screener=?6, note=?7 WHERE id=?1",
        params![
            id,
            new.screened_on.to_string(),
            new.scale,
            new.score,
            new.level,
            new.screener,
            new.note
        ],
    )?;
    audit_edit(
        tx,
        AuditAction::ScreeningUpdate,
        "screenings",
        id,
        Some(old.child_id),
        changes,
        None,
    )?;
    Ok(new)
}

const SCREENING_COLUMNS: &str =
    "id, child_id, screened_on, scale, score, level, screener, note, status";

fn row_to_screening(r: &rusqlite::Row<'_>) -> rusqlite::Result<Screening> {
    let status: String = r.get(8)?;
    Ok(Screening {
        id: r.get(0)?,
        child_id: r.get(1)?,
        screened_on: date_col(r, 2)?,
        scale: r.get(3)?,
        score: r.get(4)?,
        level: r.get(5)?,
        screener: r.get(6)?,
        note: r.get(7)?,
        active: status == "active",
    })
}

pub fn get_screening(conn: &Connection, id: RowId) -> Result<Option<Screening>> {
    Ok(conn
        .query_row(
            &format!("SELECT {SCREENING_COLUMNS} FROM screenings WHERE id=?1"),
            [id],
            row_to_screening,
        )
        .optional()?)
}

pub fn screenings_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Screening>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SCREENING_COLUMNS} FROM screenings WHERE child_id=?1 ORDER BY screened_on DESC"
    ))?;
    let rows = stmt.query_map([child_id], row_to_screening)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Voids a session or a screening entered in error.
pub fn void(tx: &mut WriteTx<'_>, id: RowId, reason: &str) -> Result<()> {
    let reason = required("作废原因", reason)?;
    let (table, child) = if let Some(s) = get_session(tx.conn(), id)? {
        if !s.active {
            return Err(CoreError::field("状态", "该记录已作废"));
        }
        ("counselling_sessions", s.child_id)
    } else if let Some(s) = get_screening(tx.conn(), id)? {
        if !s.active {
            return Err(CoreError::field("状态", "该记录已作废"));
        }
        ("screenings", s.child_id)
    } else {
        return Err(CoreError::NotFound {
            what: "心理关爱记录",
            key: id.to_string(),
        });
    };
    tx.conn().execute(
        &format!("UPDATE {table} SET status='voided', void_reason=?2 WHERE id=?1"),
        params![id, reason],
    )?;
    let mut changes = serde_json::Map::new();
    changes.insert("active".into(), serde_json::json!([true, false]));
    audit_edit(
        tx,
        AuditAction::CareVoid,
        table,
        id,
        Some(child),
        changes,
        Some(&reason),
    )
}

// ---------------------------------------------------------------- follow-ups

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    Open,
    Done,
    Cancelled,
}

impl FollowUpStatus {
    pub fn code(self) -> &'static str {
        match self {
            FollowUpStatus::Open => "open",
            FollowUpStatus::Done => "done",
            FollowUpStatus::Cancelled => "cancelled",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [
            FollowUpStatus::Open,
            FollowUpStatus::Done,
            FollowUpStatus::Cancelled,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            FollowUpStatus::Open => "待随访",
            FollowUpStatus::Done => "已完成",
            FollowUpStatus::Cancelled => "已取消",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUp {
    pub id: RowId,
    pub child_id: RowId,
    /// The session or screening that asked for it.
    pub source_id: Option<RowId>,
    pub due_on: NaiveDate,
    pub action: String,
    pub done_on: Option<NaiveDate>,
    pub done_note: Option<String>,
    pub status: FollowUpStatus,
}

impl FollowUp {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == FollowUpStatus::Open && self.due_on < today
    }
}

pub fn add_followup(
    tx: &mut WriteTx<'_>,
    child_id: RowId,
    source_id: Option<RowId>,
    due_on: NaiveDate,
    action: &str,
) -> Result<FollowUp> {
    ensure_child(tx.conn(), child_id)?;
    let f = FollowUp {
        id: RowId::new(),
        child_id,
        source_id,
        due_on,
        action: required("随访事项", action)?,
        done_on: None,
        done_note: None,
        status: FollowUpStatus::Open,
    };
    tx.conn().execute(
        "INSERT INTO care_followups (id, child_id, source_id, due_on, action, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6)",
        params![
            f.id,
            child_id,
            source_id,
            due_on.to_string(),
            f.action,
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::FollowupAdd,
        "care_followups",
        f.id,
        serde_json::json!({ "child": child_id.to_string(), "due_on": due_on.to_string(), "action": f.action }),
    )?;
    Ok(f)
}

/// Closes a follow-up as done (or cancelled) with a note.
pub fn close_followup(
    tx: &mut WriteTx<'_>,
    id: RowId,
    status: FollowUpStatus,
    on: NaiveDate,
    note: &str,
) -> Result<FollowUp> {
    let old = get_followup(tx.conn(), id)?.ok_or_else(|| CoreError::NotFound {
        what: "随访记录",
        key: id.to_string(),
    })?;
    if old.status != FollowUpStatus::Open {
        return Err(CoreError::field(
            "随访状态",
            format!("该随访已{}", old.status.label_zh()),
        ));
    }
    if status == FollowUpStatus::Open {
        return Err(CoreError::field("随访状态", "应为 done 或 cancelled"));
    }
    let new = FollowUp {
        status,
        done_on: Some(on),
        done_note: Some(required("随访情况", note)?),
        ..old.clone()
    };
    tx.conn().execute(
        "UPDATE care_followups SET status=?2, done_on=?3, done_note=?4 WHERE id=?1",
        params![id, status.code(), on.to_string(), new.done_note],
    )?;
    let changes = diff(&old, &new, &[], &[]);
    audit_edit(
        tx,
        AuditAction::FollowupClose,
        "care_followups",
        id,
        Some(old.child_id),
        changes,
        None,
    )?;
    Ok(new)
}

const FOLLOWUP_COLUMNS: &str =
    "id, child_id, source_id, due_on, action, done_on, done_note, status";

fn row_to_followup(r: &rusqlite::Row<'_>) -> rusqlite::Result<FollowUp> {
    Ok(FollowUp {
        id: r.get(0)?,
        child_id: r.get(1)?,
        source_id: r.get(2)?,
        due_on: date_col(r, 3)?,
        action: r.get(4)?,
        done_on: opt_date_col(r, 5)?,
        done_note: r.get(6)?,
        status: code_col(r, 7, FollowUpStatus::from_code)?,
    })
}

pub fn get_followup(conn: &Connection, id: RowId) -> Result<Option<FollowUp>> {
    Ok(conn
        .query_row(
            &format!("SELECT {FOLLOWUP_COLUMNS} FROM care_followups WHERE id=?1"),
            [id],
            row_to_followup,
        )
        .optional()?)
}

pub fn followups_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<FollowUp>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FOLLOWUP_COLUMNS} FROM care_followups WHERE child_id=?1 ORDER BY due_on"
    ))?;
    let rows = stmt.query_map([child_id], row_to_followup)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Open follow-ups due on or before `by`, within `scope`, oldest first.
pub fn due_followups(conn: &Connection, scope: &Scope, by: NaiveDate) -> Result<Vec<FollowUp>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM care_followups f JOIN children c ON c.id = f.child_id
         WHERE f.status='open' AND f.due_on <= ?1 AND c.residence_division GLOB ?2
         ORDER BY f.due_on",
        FOLLOWUP_COLUMNS
            .split(',')
            .map(|c| format!("f.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    let rows = stmt.query_map(params![by.to_string(), scope.glob()], row_to_followup)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
