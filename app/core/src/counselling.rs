//! Psychological care: counselling sessions, screening results (a scale,
//! its score and level), and follow-ups with due dates. Scale scoring itself
//! belongs to the province plugins (`assess`); this module records results,
//! whether they came from a plugin or from a paper questionnaire.

use crate::RowId;
use crate::access::Scope;
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::record_util::{
    self, Record, VoidShown, Voidable, active_col, audit_add, code_col, columns_as, date_col,
    ensure_child, load, opt_date_col, optional, query_rows, required, select,
};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::{Connection, params};
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
    let old: Session = load(tx.conn(), id)?;
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
    record_util::update(
        tx,
        AuditAction::CounsellingUpdate,
        None,
        old,
        new,
        |conn, new| {
            conn.execute(
                "UPDATE counselling_sessions SET session_date=?2, counsellor=?3, mode=?4, summary=?5 WHERE id=?1",
                params![
                    id,
                    new.session_date.to_string(),
                    new.counsellor,
                    new.mode.code(),
                    new.summary
                ],
            )
        },
    )
}

impl Record for Session {
    const TABLE: &'static str = "counselling_sessions";
    const COLUMNS: &'static str =
        "id, child_id, session_date, counsellor, mode, summary, status, void_reason";
    const WHAT: &'static str = "心理辅导记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Session {
            id: r.get(0)?,
            child_id: r.get(1)?,
            session_date: date_col(r, 2)?,
            counsellor: r.get(3)?,
            mode: code_col(r, 4, SessionMode::from_code)?,
            summary: r.get(5)?,
            active: active_col(r, 6)?,
            void_reason: r.get(7)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

pub fn get_session(conn: &Connection, id: RowId) -> Result<Option<Session>> {
    record_util::get(conn, id)
}

pub fn sessions_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Session>> {
    select(
        conn,
        "WHERE child_id=?1 ORDER BY session_date DESC",
        [child_id],
    )
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
    let old: Screening = load(tx.conn(), id)?;
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
    record_util::update(
        tx,
        AuditAction::ScreeningUpdate,
        None,
        old,
        new,
        |conn, new| {
            conn.execute(
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
            )
        },
    )
}

impl Record for Screening {
    const TABLE: &'static str = "screenings";
    const COLUMNS: &'static str =
        "id, child_id, screened_on, scale, score, level, screener, note, status";
    const WHAT: &'static str = "筛查记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Screening {
            id: r.get(0)?,
            child_id: r.get(1)?,
            screened_on: date_col(r, 2)?,
            scale: r.get(3)?,
            score: r.get(4)?,
            level: r.get(5)?,
            screener: r.get(6)?,
            note: r.get(7)?,
            active: active_col(r, 8)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

pub fn get_screening(conn: &Connection, id: RowId) -> Result<Option<Screening>> {
    record_util::get(conn, id)
}

pub fn screenings_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Screening>> {
    select(
        conn,
        "WHERE child_id=?1 ORDER BY screened_on DESC",
        [child_id],
    )
}

/// Sessions and screenings are voided alike, by id, wherever it is.
const VOID: Voidable = Voidable {
    tables: &[Session::TABLE, Screening::TABLE],
    what: "心理关爱记录",
    already_voided: "该记录已作废",
    shown: VoidShown::Active,
    action: AuditAction::CareVoid,
};

/// Voids a session or a screening entered in error.
pub fn void(tx: &mut WriteTx<'_>, id: RowId, reason: &str) -> Result<()> {
    record_util::void(tx, &VOID, id, reason)
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
    let old: FollowUp = load(tx.conn(), id)?;
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
    record_util::step(
        tx,
        AuditAction::FollowupClose,
        None,
        &old,
        new,
        |conn, new| {
            conn.execute(
                "UPDATE care_followups SET status=?2, done_on=?3, done_note=?4 WHERE id=?1",
                params![id, status.code(), on.to_string(), new.done_note],
            )
        },
    )
}

impl Record for FollowUp {
    const TABLE: &'static str = "care_followups";
    const COLUMNS: &'static str =
        "id, child_id, source_id, due_on, action, done_on, done_note, status";
    const WHAT: &'static str = "随访记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
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

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

pub fn get_followup(conn: &Connection, id: RowId) -> Result<Option<FollowUp>> {
    record_util::get(conn, id)
}

pub fn followups_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<FollowUp>> {
    select(conn, "WHERE child_id=?1 ORDER BY due_on", [child_id])
}

/// Open follow-ups due on or before `by`, within `scope`, oldest first.
pub fn due_followups(conn: &Connection, scope: &Scope, by: NaiveDate) -> Result<Vec<FollowUp>> {
    let cols = columns_as::<FollowUp>("f");
    query_rows(
        conn,
        &format!(
            "SELECT {cols} FROM care_followups f JOIN children c ON c.id = f.child_id
             WHERE f.status='open' AND f.due_on <= ?1 AND c.residence_division GLOB ?2
             ORDER BY f.due_on"
        ),
        params![by.to_string(), scope.glob()],
        FollowUp::from_row,
    )
}
