//! The workforce (DOMAIN §2.5): 儿童督导员 (one or two per township) and 儿童主任
//! (one per village), registered by real name; their training; 儿童之家
//! venues and activities; and the 县—乡—村 network view with its gaps.
//!
//! A worker is "in post" on a day when appointed on or before it and not yet
//! left. Leaving is recorded (date and reason); records are never deleted.

use crate::RowId;
use crate::access::Scope;
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::record_util::{
    self, Record, active_col, audit_add, audit_edit, code_col, date_col, load, not_found,
    opt_date_col, optional, required, select,
};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use hutong_national::division::{self, DivisionLevel};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerRole {
    /// 儿童督导员, township level.
    Supervisor,
    /// 儿童主任, village level.
    Director,
}

impl WorkerRole {
    pub fn code(self) -> &'static str {
        match self {
            WorkerRole::Supervisor => "supervisor",
            WorkerRole::Director => "director",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s.trim() {
            "supervisor" => Some(WorkerRole::Supervisor),
            "director" => Some(WorkerRole::Director),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            WorkerRole::Supervisor => "儿童督导员",
            WorkerRole::Director => "儿童主任",
        }
    }
    pub fn level(self) -> DivisionLevel {
        match self {
            WorkerRole::Supervisor => DivisionLevel::Township,
            WorkerRole::Director => DivisionLevel::Village,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worker {
    pub id: RowId,
    pub role: WorkerRole,
    pub name: String,
    pub division_code: String,
    pub phone: Option<String>,
    pub appointed_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub left_reason: Option<String>,
    pub note: Option<String>,
}

impl Worker {
    pub fn in_post_on(&self, day: NaiveDate) -> bool {
        self.appointed_on <= day && self.left_on.is_none_or(|l| l > day)
    }
}

#[derive(Debug, Clone)]
pub struct WorkerInput {
    pub role: WorkerRole,
    pub name: String,
    pub division_code: String,
    pub phone: Option<String>,
    pub appointed_on: NaiveDate,
    pub note: Option<String>,
}

fn validate_worker(conn: &Connection, i: &WorkerInput) -> Result<WorkerInput> {
    let name = required("姓名", &i.name)?;
    let code = division::normalize_code(&i.division_code).ok_or_else(|| {
        CoreError::field(
            "所在区划",
            format!("“{}”不是有效的区划代码", i.division_code),
        )
    })?;
    if division::level_of(&code) != Some(i.role.level()) {
        return Err(CoreError::field(
            "所在区划",
            format!(
                "{}应登记在{}级区划，{} 不是",
                i.role.label_zh(),
                i.role.level().label_zh(),
                code
            ),
        ));
    }
    if !crate::divisions::exists(conn, &code)? {
        return Err(CoreError::UnknownDivision(code));
    }
    let phone = optional(&i.phone);
    if let Some(p) = &phone
        && !(p.len() >= 7 && p.chars().all(|c| c.is_ascii_digit() || c == '-'))
    {
        return Err(CoreError::field(
            "联系电话",
            format!("“{p}”不是有效的电话号码"),
        ));
    }
    Ok(WorkerInput {
        role: i.role,
        name,
        division_code: code,
        phone,
        appointed_on: i.appointed_on,
        note: optional(&i.note),
    })
}

pub fn add_worker(tx: &mut WriteTx<'_>, input: &WorkerInput) -> Result<Worker> {
    let i = validate_worker(tx.conn(), input)?;
    let w = Worker {
        id: RowId::new(),
        role: i.role,
        name: i.name,
        division_code: i.division_code,
        phone: i.phone,
        appointed_on: i.appointed_on,
        left_on: None,
        left_reason: None,
        note: i.note,
    };
    insert_worker(tx.conn(), &w, tx.now())?;
    audit_add(
        tx,
        AuditAction::WorkerAdd,
        "workers",
        w.id,
        serde_json::json!({
            "role": w.role.code(),
            "name": w.name,
            "division": w.division_code,
            "appointed_on": w.appointed_on.to_string(),
        }),
    )?;
    Ok(w)
}

pub(crate) fn insert_worker(conn: &Connection, w: &Worker, now: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO workers (id, role, name, division_code, phone, appointed_on, left_on, left_reason, note, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        w.id,
        w.role.code(),
        w.name,
        w.division_code,
        w.phone,
        w.appointed_on.to_string(),
        w.left_on.map(|d| d.to_string()),
        w.left_reason,
        w.note,
        now
    ])?;
    Ok(())
}

/// Corrects a worker's details; audited old → new.
pub fn update_worker(tx: &mut WriteTx<'_>, id: RowId, input: &WorkerInput) -> Result<Worker> {
    let old: Worker = load(tx.conn(), id)?;
    let i = validate_worker(tx.conn(), input)?;
    let new = Worker {
        role: i.role,
        name: i.name,
        division_code: i.division_code,
        phone: i.phone,
        appointed_on: i.appointed_on,
        note: i.note,
        ..old.clone()
    };
    record_util::update(
        tx,
        AuditAction::WorkerUpdate,
        None,
        old,
        new,
        |conn, new| {
            conn.execute(
            "UPDATE workers SET role=?2, name=?3, division_code=?4, phone=?5, appointed_on=?6, note=?7 WHERE id=?1",
            params![
                id,
                new.role.code(),
                new.name,
                new.division_code,
                new.phone,
                new.appointed_on.to_string(),
                new.note
            ],
        )
        },
    )
}

/// Records that a worker left the post.
pub fn leave(tx: &mut WriteTx<'_>, id: RowId, on: NaiveDate, reason: &str) -> Result<Worker> {
    let reason = required("离任原因", reason)?;
    let old: Worker = load(tx.conn(), id)?;
    if old.left_on.is_some() {
        return Err(CoreError::field("离任日期", "该人员已登记离任"));
    }
    if on < old.appointed_on {
        return Err(CoreError::field("离任日期", "早于任职日期"));
    }
    let new = Worker {
        left_on: Some(on),
        left_reason: Some(reason.clone()),
        ..old.clone()
    };
    record_util::step(
        tx,
        AuditAction::WorkerLeave,
        Some(&reason),
        &old,
        new,
        |conn, _| {
            conn.execute(
                "UPDATE workers SET left_on=?2, left_reason=?3 WHERE id=?1",
                params![id, on.to_string(), reason],
            )
        },
    )
}

impl Record for Worker {
    const TABLE: &'static str = "workers";
    const COLUMNS: &'static str =
        "id, role, name, division_code, phone, appointed_on, left_on, left_reason, note";
    const WHAT: &'static str = "人员记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Worker {
            id: r.get(0)?,
            role: code_col(r, 1, WorkerRole::from_code)?,
            name: r.get(2)?,
            division_code: r.get(3)?,
            phone: r.get(4)?,
            appointed_on: date_col(r, 5)?,
            left_on: opt_date_col(r, 6)?,
            left_reason: r.get(7)?,
            note: r.get(8)?,
        })
    }

    /// Workers are the county's, about no child.
    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, None)
    }
}

pub fn get_worker(conn: &Connection, id: RowId) -> Result<Option<Worker>> {
    record_util::get(conn, id)
}

/// Workers within `scope`, optionally of one role and only those in post on `on`.
pub fn list_workers(
    conn: &Connection,
    scope: &Scope,
    role: Option<WorkerRole>,
    in_post_on: Option<NaiveDate>,
) -> Result<Vec<Worker>> {
    let all: Vec<Worker> = select(
        conn,
        "WHERE division_code GLOB ?1 AND (?2 IS NULL OR role = ?2)
         ORDER BY division_code, role, appointed_on",
        params![scope.glob(), role.map(|r| r.code())],
    )?;
    Ok(match in_post_on {
        Some(day) => all.into_iter().filter(|w| w.in_post_on(day)).collect(),
        None => all,
    })
}

// ---------------------------------------------------------------- network

/// One village and who covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageCoverage {
    pub code: String,
    pub name: String,
    pub directors: Vec<Worker>,
}

/// One township, its 督导员 and its villages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TownshipCoverage {
    pub code: String,
    pub name: String,
    pub supervisors: Vec<Worker>,
    pub villages: Vec<VillageCoverage>,
}

/// The 县—乡—村 network on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Network {
    pub on: NaiveDate,
    pub townships: Vec<TownshipCoverage>,
}

impl Network {
    /// Villages with no 儿童主任 in post: `(village code, village name, township name)`.
    pub fn villages_without_director(&self) -> Vec<(&str, &str, &str)> {
        self.townships
            .iter()
            .flat_map(|t| {
                t.villages
                    .iter()
                    .filter(|v| v.directors.is_empty())
                    .map(move |v| (v.code.as_str(), v.name.as_str(), t.name.as_str()))
            })
            .collect()
    }

    /// Townships with no 儿童督导员 in post: `(code, name)`.
    pub fn townships_without_supervisor(&self) -> Vec<(&str, &str)> {
        self.townships
            .iter()
            .filter(|t| t.supervisors.is_empty())
            .map(|t| (t.code.as_str(), t.name.as_str()))
            .collect()
    }

    pub fn village_count(&self) -> usize {
        self.townships.iter().map(|t| t.villages.len()).sum()
    }
}

/// Builds the network within `scope` (a county or township) on `on`.
pub fn network(conn: &Connection, scope: &Scope, on: NaiveDate) -> Result<Network> {
    let workers = list_workers(conn, scope, None, Some(on))?;
    let scope = scope.code();
    let township_list = if division::level_of(scope) == Some(DivisionLevel::Township) {
        crate::divisions::get(conn, scope)?.into_iter().collect()
    } else {
        crate::divisions::within(conn, scope, DivisionLevel::Township)?
    };
    let villages = crate::divisions::within(conn, scope, DivisionLevel::Village)?;
    let mut townships = Vec::new();
    for t in township_list {
        let supervisors = workers
            .iter()
            .filter(|w| w.role == WorkerRole::Supervisor && w.division_code == t.code)
            .cloned()
            .collect();
        let vs = villages
            .iter()
            .filter(|v| division::parent_code(&v.code) == Some(t.code.as_str()))
            .map(|v| VillageCoverage {
                code: v.code.clone(),
                name: v.name.clone(),
                directors: workers
                    .iter()
                    .filter(|w| w.role == WorkerRole::Director && w.division_code == v.code)
                    .cloned()
                    .collect(),
            })
            .collect();
        townships.push(TownshipCoverage {
            code: t.code,
            name: t.name,
            supervisors,
            villages: vs,
        });
    }
    Ok(Network { on, townships })
}

// ---------------------------------------------------------------- training

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Training {
    pub id: RowId,
    pub held_on: NaiveDate,
    pub topic: String,
    pub hours: f64,
    pub organiser: Option<String>,
    pub attendees: Vec<RowId>,
    pub active: bool,
}

pub fn add_training(
    tx: &mut WriteTx<'_>,
    held_on: NaiveDate,
    topic: &str,
    hours: f64,
    organiser: Option<&str>,
    attendees: &[RowId],
) -> Result<Training> {
    if !(hours.is_finite() && hours > 0.0 && hours <= 200.0) {
        return Err(CoreError::field("学时", "应为 0 到 200 之间的数"));
    }
    let mut attendees = attendees.to_vec();
    attendees.sort();
    attendees.dedup();
    for a in &attendees {
        if get_worker(tx.conn(), *a)?.is_none() {
            return Err(CoreError::NotFound {
                what: "参训人员",
                key: a.to_string(),
            });
        }
    }
    let t = Training {
        id: RowId::new(),
        held_on,
        topic: required("培训主题", topic)?,
        hours,
        organiser: organiser
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        attendees,
        active: true,
    };
    tx.conn().execute(
        "INSERT INTO trainings (id, held_on, topic, hours, organiser, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6)",
        params![
            t.id,
            held_on.to_string(),
            t.topic,
            hours,
            t.organiser,
            tx.now().to_string()
        ],
    )?;
    for a in &t.attendees {
        tx.conn().execute(
            "INSERT INTO training_attendees (training_id, worker_id) VALUES (?1, ?2)",
            params![t.id, a],
        )?;
    }
    audit_add(
        tx,
        AuditAction::TrainingAdd,
        "trainings",
        t.id,
        serde_json::json!({
            "topic": t.topic,
            "held_on": held_on.to_string(),
            "hours": hours,
            "attendees": t.attendees.len(),
        }),
    )?;
    Ok(t)
}

/// Adds attendees to a training (sign-in sheets arrive late).
pub fn add_attendees(tx: &mut WriteTx<'_>, training_id: RowId, workers: &[RowId]) -> Result<u64> {
    let t = get_training(tx.conn(), training_id)?
        .ok_or_else(|| not_found(Training::WHAT, training_id))?;
    let mut added = Vec::new();
    for w in workers {
        if get_worker(tx.conn(), *w)?.is_none() {
            return Err(CoreError::NotFound {
                what: "参训人员",
                key: w.to_string(),
            });
        }
        if !t.attendees.contains(w) && !added.contains(w) {
            tx.conn().execute(
                "INSERT INTO training_attendees (training_id, worker_id) VALUES (?1, ?2)",
                params![training_id, w],
            )?;
            added.push(*w);
        }
    }
    if !added.is_empty() {
        let mut changes = serde_json::Map::new();
        changes.insert(
            "attendees".into(),
            serde_json::json!([t.attendees.len(), t.attendees.len() + added.len()]),
        );
        audit_edit(
            tx,
            AuditAction::TrainingAttendees,
            "trainings",
            training_id,
            None,
            changes,
            None,
        )?;
    }
    Ok(added.len() as u64)
}

/// The row alone: the attendees live in `training_attendees` and are read
/// by [`get_training`] and [`list_trainings`].
impl Record for Training {
    const TABLE: &'static str = "trainings";
    const COLUMNS: &'static str = "id, held_on, topic, hours, organiser, status";
    const WHAT: &'static str = "培训记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Training {
            id: r.get(0)?,
            held_on: date_col(r, 1)?,
            topic: r.get(2)?,
            hours: r.get(3)?,
            organiser: r.get(4)?,
            attendees: Vec::new(),
            active: active_col(r, 5)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, None)
    }
}

fn attendees_of(conn: &Connection, id: RowId) -> Result<Vec<RowId>> {
    record_util::query_rows(
        conn,
        "SELECT worker_id FROM training_attendees WHERE training_id=?1 ORDER BY worker_id",
        [id],
        |r| r.get(0),
    )
}

pub fn get_training(conn: &Connection, id: RowId) -> Result<Option<Training>> {
    let Some(mut t) = record_util::get::<Training>(conn, id)? else {
        return Ok(None);
    };
    t.attendees = attendees_of(conn, id)?;
    Ok(Some(t))
}

/// All trainings, newest first.
pub fn list_trainings(conn: &Connection) -> Result<Vec<Training>> {
    let mut out: Vec<Training> = select(conn, "ORDER BY held_on DESC", [])?;
    for t in &mut out {
        t.attendees = attendees_of(conn, t.id)?;
    }
    Ok(out)
}

/// Training hours per worker in a year: `(worker, hours)`, most first.
pub fn training_hours(conn: &Connection, year: i32) -> Result<Vec<(RowId, f64)>> {
    record_util::query_rows(
        conn,
        "SELECT a.worker_id, sum(t.hours) FROM training_attendees a JOIN trainings t ON t.id = a.training_id
         WHERE t.status='active' AND substr(t.held_on, 1, 4) = ?1
         GROUP BY a.worker_id ORDER BY sum(t.hours) DESC",
        [format!("{year:04}")],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

// ---------------------------------------------------------------- 儿童之家

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildHome {
    pub id: RowId,
    pub name: String,
    pub division_code: String,
    pub address: Option<String>,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
}

pub fn add_home(
    tx: &mut WriteTx<'_>,
    name: &str,
    division_code: &str,
    address: Option<&str>,
    opened_on: NaiveDate,
) -> Result<ChildHome> {
    let code = division::normalize_code(division_code)
        .filter(|c| division::level_of(c) == Some(DivisionLevel::Village))
        .ok_or_else(|| {
            CoreError::field("所在村（居）", format!("“{division_code}”不是村级区划代码"))
        })?;
    if !crate::divisions::exists(tx.conn(), &code)? {
        return Err(CoreError::UnknownDivision(code));
    }
    let h = ChildHome {
        id: RowId::new(),
        name: required("儿童之家名称", name)?,
        division_code: code,
        address: address
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        opened_on,
        closed_on: None,
        close_reason: None,
    };
    tx.conn().execute(
        "INSERT INTO child_homes (id, name, division_code, address, opened_on, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            h.id,
            h.name,
            h.division_code,
            h.address,
            opened_on.to_string(),
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::HomeAdd,
        "child_homes",
        h.id,
        serde_json::json!({ "name": h.name, "division": h.division_code }),
    )?;
    Ok(h)
}

pub fn close_home(
    tx: &mut WriteTx<'_>,
    id: RowId,
    on: NaiveDate,
    reason: &str,
) -> Result<ChildHome> {
    let reason = required("关闭原因", reason)?;
    let old: ChildHome = load(tx.conn(), id)?;
    if old.closed_on.is_some() {
        return Err(CoreError::field("关闭日期", "该儿童之家已关闭"));
    }
    let new = ChildHome {
        closed_on: Some(on),
        close_reason: Some(reason.clone()),
        ..old.clone()
    };
    record_util::step(
        tx,
        AuditAction::HomeClose,
        Some(&reason),
        &old,
        new,
        |conn, _| {
            conn.execute(
                "UPDATE child_homes SET closed_on=?2, close_reason=?3 WHERE id=?1",
                params![id, on.to_string(), reason],
            )
        },
    )
}

impl Record for ChildHome {
    const TABLE: &'static str = "child_homes";
    const COLUMNS: &'static str =
        "id, name, division_code, address, opened_on, closed_on, close_reason";
    const WHAT: &'static str = "儿童之家";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(ChildHome {
            id: r.get(0)?,
            name: r.get(1)?,
            division_code: r.get(2)?,
            address: r.get(3)?,
            opened_on: date_col(r, 4)?,
            closed_on: opt_date_col(r, 5)?,
            close_reason: r.get(6)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, None)
    }
}

pub fn get_home(conn: &Connection, id: RowId) -> Result<Option<ChildHome>> {
    record_util::get(conn, id)
}

pub fn list_homes(conn: &Connection, scope: &Scope) -> Result<Vec<ChildHome>> {
    select(
        conn,
        "WHERE division_code GLOB ?1 ORDER BY division_code",
        [scope.glob()],
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeActivity {
    pub id: RowId,
    pub home_id: RowId,
    pub held_on: NaiveDate,
    pub title: String,
    pub participants: Option<u32>,
    pub organiser: Option<String>,
    pub active: bool,
}

pub fn add_activity(
    tx: &mut WriteTx<'_>,
    home_id: RowId,
    held_on: NaiveDate,
    title: &str,
    participants: Option<u32>,
    organiser: Option<&str>,
) -> Result<HomeActivity> {
    let home: ChildHome = load(tx.conn(), home_id)?;
    if held_on < home.opened_on || home.closed_on.is_some_and(|c| held_on > c) {
        return Err(CoreError::field("活动日期", "不在该儿童之家的开放期间内"));
    }
    let a = HomeActivity {
        id: RowId::new(),
        home_id,
        held_on,
        title: required("活动名称", title)?,
        participants,
        organiser: organiser
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        active: true,
    };
    tx.conn().execute(
        "INSERT INTO home_activities (id, home_id, held_on, title, participants, organiser, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7)",
        params![
            a.id,
            home_id,
            held_on.to_string(),
            a.title,
            participants,
            a.organiser,
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::HomeActivity,
        "home_activities",
        a.id,
        serde_json::json!({ "home": home_id.to_string(), "title": a.title, "held_on": held_on.to_string() }),
    )?;
    Ok(a)
}

impl Record for HomeActivity {
    const TABLE: &'static str = "home_activities";
    const COLUMNS: &'static str = "id, home_id, held_on, title, participants, organiser, status";
    const WHAT: &'static str = "儿童之家活动";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(HomeActivity {
            id: r.get(0)?,
            home_id: r.get(1)?,
            held_on: date_col(r, 2)?,
            title: r.get(3)?,
            participants: r.get(4)?,
            organiser: r.get(5)?,
            active: active_col(r, 6)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, None)
    }
}

pub fn activities(conn: &Connection, home_id: RowId) -> Result<Vec<HomeActivity>> {
    select(conn, "WHERE home_id=?1 ORDER BY held_on DESC", [home_id])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_post_counts_the_appointment_day_and_not_the_leaving_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let w = Worker {
            id: RowId::new(),
            role: WorkerRole::Director,
            name: "张敏".into(),
            division_code: "411525102201".into(),
            phone: None,
            appointed_on: d("2020-03-01"),
            left_on: Some(d("2025-06-30")),
            left_reason: Some("调任".into()),
            note: None,
        };
        assert!(!w.in_post_on(d("2020-02-29")));
        assert!(w.in_post_on(d("2020-03-01")));
        assert!(w.in_post_on(d("2025-06-29")));
        assert!(!w.in_post_on(d("2025-06-30")));
    }
}
