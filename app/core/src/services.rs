//! Care services and referrals (DOMAIN §2.6).
//!
//! A service record is one service a child received, recorded against an
//! item of the province plugin's `service-catalog`. The item's code, name and
//! area are copied into the record, so the record still reads correctly after
//! the province revises its list. Referrals track a request to a department
//! through sent → accepted → done (or declined). Coverage counts, per
//! township and service area, how many active children received a service.

use crate::RowId;
use crate::access::Scope;
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::province::ServiceItem;
use crate::record_util::{
    self, Record, VoidShown, Voidable, active_col, audit_add, code_col, columns_as, date_col,
    ensure_child, load, opt_date_col, optional, query_rows, required, select,
};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// The catalogue item as recorded with the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSnapshot {
    pub code: String,
    pub name: String,
    pub area: String,
}

impl From<&ServiceItem> for ItemSnapshot {
    fn from(i: &ServiceItem) -> Self {
        ItemSnapshot {
            code: i.code.clone(),
            name: i.name.clone(),
            area: i.area.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRecord {
    pub id: RowId,
    pub child_id: RowId,
    pub item: ItemSnapshot,
    pub service_date: NaiveDate,
    pub provider: String,
    pub department: String,
    pub outcome: Option<String>,
    pub active: bool,
    pub void_reason: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone)]
pub struct ServiceInput {
    pub child_id: RowId,
    pub item: ItemSnapshot,
    pub service_date: NaiveDate,
    pub provider: String,
    pub department: String,
    pub outcome: Option<String>,
}

fn validate(input: &ServiceInput, today: NaiveDate) -> Result<ServiceInput> {
    if input.service_date > today {
        return Err(CoreError::field("服务日期", "不能晚于今天"));
    }
    Ok(ServiceInput {
        child_id: input.child_id,
        item: ItemSnapshot {
            code: required("服务项目编码", &input.item.code)?,
            name: required("服务项目名称", &input.item.name)?,
            area: required("服务领域", &input.item.area)?,
        },
        service_date: input.service_date,
        provider: required("服务提供者", &input.provider)?,
        department: required("责任部门", &input.department)?,
        outcome: optional(&input.outcome),
    })
}

pub fn add(tx: &mut WriteTx<'_>, input: &ServiceInput, today: NaiveDate) -> Result<ServiceRecord> {
    ensure_child(tx.conn(), input.child_id)?;
    let i = validate(input, today)?;
    let rec = ServiceRecord {
        id: RowId::new(),
        child_id: i.child_id,
        item: i.item,
        service_date: i.service_date,
        provider: i.provider,
        department: i.department,
        outcome: i.outcome,
        active: true,
        void_reason: None,
        recorded_at: tx.now().to_string(),
    };
    tx.conn().execute(
        "INSERT INTO service_records (id, child_id, item_code, item_name, item_area, service_date,
            provider, department, outcome, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10)",
        params![
            rec.id,
            rec.child_id,
            rec.item.code,
            rec.item.name,
            rec.item.area,
            rec.service_date.to_string(),
            rec.provider,
            rec.department,
            rec.outcome,
            rec.recorded_at
        ],
    )?;
    audit_add(
        tx,
        AuditAction::ServiceAdd,
        "service_records",
        rec.id,
        serde_json::json!({
            "child": rec.child_id.to_string(),
            "item": rec.item.code,
            "name": rec.item.name,
            "date": rec.service_date.to_string(),
        }),
    )?;
    Ok(rec)
}

/// Replaces the entered fields; changes are audited old → new.
pub fn update(
    tx: &mut WriteTx<'_>,
    id: RowId,
    input: &ServiceInput,
    today: NaiveDate,
) -> Result<ServiceRecord> {
    let old: ServiceRecord = load(tx.conn(), id)?;
    if !old.active {
        return Err(CoreError::field("状态", "该服务记录已作废，不能修改"));
    }
    let i = validate(input, today)?;
    let new = ServiceRecord {
        item: i.item,
        service_date: i.service_date,
        provider: i.provider,
        department: i.department,
        outcome: i.outcome,
        ..old.clone()
    };
    record_util::update(
        tx,
        AuditAction::ServiceUpdate,
        None,
        old,
        new,
        |conn, new| {
            conn.execute(
            "UPDATE service_records SET item_code=?2, item_name=?3, item_area=?4, service_date=?5,
                provider=?6, department=?7, outcome=?8 WHERE id=?1",
            params![
                id,
                new.item.code,
                new.item.name,
                new.item.area,
                new.service_date.to_string(),
                new.provider,
                new.department,
                new.outcome
            ],
        )
        },
    )
}

const VOID: Voidable = Voidable {
    tables: &[ServiceRecord::TABLE],
    what: ServiceRecord::WHAT,
    already_voided: "该服务记录已作废",
    shown: VoidShown::Active,
    action: AuditAction::ServiceVoid,
};

pub fn void(tx: &mut WriteTx<'_>, id: RowId, reason: &str) -> Result<()> {
    record_util::void(tx, &VOID, id, reason)
}

impl Record for ServiceRecord {
    const TABLE: &'static str = "service_records";
    const COLUMNS: &'static str = "id, child_id, item_code, item_name, item_area, service_date,
        provider, department, outcome, status, void_reason, recorded_at";
    const WHAT: &'static str = "服务记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(ServiceRecord {
            id: r.get(0)?,
            child_id: r.get(1)?,
            item: ItemSnapshot {
                code: r.get(2)?,
                name: r.get(3)?,
                area: r.get(4)?,
            },
            service_date: date_col(r, 5)?,
            provider: r.get(6)?,
            department: r.get(7)?,
            outcome: r.get(8)?,
            active: active_col(r, 9)?,
            void_reason: r.get(10)?,
            recorded_at: r.get(11)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

pub fn get(conn: &Connection, id: RowId) -> Result<Option<ServiceRecord>> {
    record_util::get(conn, id)
}

/// A child's services, newest first (voided ones included, marked).
pub fn for_child(conn: &Connection, child_id: RowId) -> Result<Vec<ServiceRecord>> {
    select(
        conn,
        "WHERE child_id = ?1 ORDER BY service_date DESC, recorded_at DESC",
        [child_id],
    )
}

/// A service with the child's name and village, for lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceRow {
    pub service: ServiceRecord,
    pub child_name: String,
    pub village_name: String,
}

/// Active services of children within `scope`, optionally in a date range.
pub fn list(
    conn: &Connection,
    scope: &Scope,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<ServiceRow>> {
    let cols = columns_as::<ServiceRecord>("s");
    query_rows(
        conn,
        &format!(
            "SELECT {cols}, c.name, coalesce(d.name, '')
             FROM service_records s JOIN children c ON c.id = s.child_id
             LEFT JOIN divisions d ON d.code = c.residence_division
             WHERE s.status = 'active' AND c.residence_division GLOB ?1
               AND s.service_date >= ?2 AND s.service_date <= ?3
             ORDER BY s.service_date DESC, s.recorded_at DESC"
        ),
        params![
            scope.glob(),
            from.map(|d| d.to_string()).unwrap_or_default(),
            to.map(|d| d.to_string())
                .unwrap_or_else(|| "9999-12-31".into())
        ],
        |r| {
            Ok(ServiceRow {
                service: ServiceRecord::from_row(r)?,
                child_name: r.get(12)?,
                village_name: r.get(13)?,
            })
        },
    )
}

/// Coverage of one service area in one township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    pub township_code: String,
    pub township_name: String,
    pub area: String,
    /// Active children living in the township.
    pub active_children: u64,
    /// Of them, how many received at least one service in the area.
    pub children_served: u64,
    /// Service records in the area.
    pub services: u64,
}

impl CoverageRow {
    /// Percentage of active children served, 0–100.
    pub fn percent(&self) -> f64 {
        if self.active_children == 0 {
            0.0
        } else {
            self.children_served as f64 * 100.0 / self.active_children as f64
        }
    }
}

/// Coverage per service area per township within `scope` (a county or
/// township code), over services dated `from..=to` (both optional).
/// `areas` lists the areas to report even when nothing was delivered (the
/// plugin catalogue's areas); areas found in records are added.
pub fn coverage(
    conn: &Connection,
    scope: &Scope,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    areas: &[String],
) -> Result<Vec<CoverageRow>> {
    let pattern = scope.glob();
    let townships: Vec<(String, String, u64)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT substr(c.residence_division, 1, 9) AS t, coalesce(d.name, ''), count(*)
             FROM children c LEFT JOIN divisions d ON d.code = substr(c.residence_division, 1, 9)
             WHERE c.status = 'active' AND c.residence_division GLOB ?1
             GROUP BY t ORDER BY t",
        )?;
        let rows = stmt.query_map([&pattern], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let served: Vec<(String, String, u64, u64)> = {
        let mut stmt = conn.prepare_cached(
            "SELECT substr(c.residence_division, 1, 9) AS t, s.item_area,
                    count(DISTINCT s.child_id), count(*)
             FROM service_records s JOIN children c ON c.id = s.child_id
             WHERE s.status = 'active' AND c.status = 'active' AND c.residence_division GLOB ?1
               AND s.service_date >= ?2 AND s.service_date <= ?3
             GROUP BY t, s.item_area",
        )?;
        let rows = stmt.query_map(
            params![
                pattern,
                from.map(|d| d.to_string()).unwrap_or_default(),
                to.map(|d| d.to_string())
                    .unwrap_or_else(|| "9999-12-31".into())
            ],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(3)? as u64,
                ))
            },
        )?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut all_areas: Vec<String> = areas.to_vec();
    for (_, area, _, _) in &served {
        if !all_areas.contains(area) {
            all_areas.push(area.clone());
        }
    }
    let mut out = Vec::new();
    for (code, name, active) in &townships {
        for area in &all_areas {
            let hit = served.iter().find(|(t, a, _, _)| t == code && a == area);
            out.push(CoverageRow {
                township_code: code.clone(),
                township_name: name.clone(),
                area: area.clone(),
                active_children: *active,
                children_served: hit.map(|h| h.2).unwrap_or(0),
                services: hit.map(|h| h.3).unwrap_or(0),
            });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- referrals

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Sent,
    Accepted,
    Done,
    Declined,
    Voided,
}

impl ReferralStatus {
    pub const ALL: [ReferralStatus; 5] = [
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Done,
        ReferralStatus::Declined,
        ReferralStatus::Voided,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Done => "done",
            ReferralStatus::Declined => "declined",
            ReferralStatus::Voided => "voided",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        ReferralStatus::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ReferralStatus::Sent => "已转介",
            ReferralStatus::Accepted => "已受理",
            ReferralStatus::Done => "已办结",
            ReferralStatus::Declined => "未受理",
            ReferralStatus::Voided => "已作废",
        }
    }
    /// The statuses a referral may move to from this one.
    pub fn next(self) -> &'static [ReferralStatus] {
        match self {
            ReferralStatus::Sent => &[
                ReferralStatus::Accepted,
                ReferralStatus::Declined,
                ReferralStatus::Done,
                ReferralStatus::Voided,
            ],
            ReferralStatus::Accepted => &[ReferralStatus::Done, ReferralStatus::Voided],
            ReferralStatus::Done | ReferralStatus::Declined | ReferralStatus::Voided => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: RowId,
    pub child_id: RowId,
    pub department: String,
    pub item: Option<ItemSnapshot>,
    pub reason: String,
    pub sent_on: NaiveDate,
    pub status: ReferralStatus,
    pub status_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub recorded_at: String,
    /// The 强制报告 this referral came from, if any.
    #[serde(default)]
    pub mreport_id: Option<RowId>,
}

#[derive(Debug, Clone)]
pub struct ReferralInput {
    pub child_id: RowId,
    pub department: String,
    pub item: Option<ItemSnapshot>,
    pub reason: String,
    pub sent_on: NaiveDate,
    /// The 强制报告 this referral came from; it must be the same child's.
    pub mreport_id: Option<RowId>,
}

pub fn refer(tx: &mut WriteTx<'_>, input: &ReferralInput) -> Result<Referral> {
    ensure_child(tx.conn(), input.child_id)?;
    if let Some(m) = input.mreport_id {
        let owner: Option<RowId> = tx
            .conn()
            .query_row(
                "SELECT child_id FROM mandatory_reports WHERE id = ?1",
                [m],
                |r| r.get(0),
            )
            .optional()?;
        match owner {
            None => {
                return Err(CoreError::NotFound {
                    what: "强制报告",
                    key: m.to_string(),
                });
            }
            Some(c) if c != input.child_id => {
                return Err(CoreError::field("来源强制报告", "不是该儿童的报告"));
            }
            Some(_) => {}
        }
    }
    let rec = Referral {
        id: RowId::new(),
        child_id: input.child_id,
        department: required("转介部门", &input.department)?,
        item: input.item.clone(),
        reason: required("转介事由", &input.reason)?,
        sent_on: input.sent_on,
        status: ReferralStatus::Sent,
        status_on: None,
        note: None,
        recorded_at: tx.now().to_string(),
        mreport_id: input.mreport_id,
    };
    tx.conn().execute(
        "INSERT INTO referrals (id, child_id, department, item_code, item_name, reason, sent_on,
            status, recorded_at, mreport_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'sent', ?8, ?9)",
        params![
            rec.id,
            rec.child_id,
            rec.department,
            rec.item.as_ref().map(|i| i.code.clone()),
            rec.item.as_ref().map(|i| i.name.clone()),
            rec.reason,
            rec.sent_on.to_string(),
            rec.recorded_at,
            rec.mreport_id,
        ],
    )?;
    audit_add(
        tx,
        AuditAction::ReferralAdd,
        "referrals",
        rec.id,
        serde_json::json!({
            "child": rec.child_id.to_string(),
            "department": rec.department,
            "sent_on": rec.sent_on.to_string(),
            "mreport": rec.mreport_id.map(|m| m.to_string()),
        }),
    )?;
    Ok(rec)
}

/// Moves a referral on (sent → accepted → done, or declined), refusing
/// moves the status does not allow.
pub fn set_referral_status(
    tx: &mut WriteTx<'_>,
    id: RowId,
    status: ReferralStatus,
    on: NaiveDate,
    note: Option<&str>,
) -> Result<Referral> {
    let old: Referral = load(tx.conn(), id)?;
    if !old.status.next().contains(&status) {
        return Err(CoreError::field(
            "转介状态",
            format!(
                "不能从“{}”改为“{}”",
                old.status.label_zh(),
                status.label_zh()
            ),
        ));
    }
    if on < old.sent_on {
        return Err(CoreError::field("状态日期", "早于转介日期"));
    }
    let note = note.map(str::trim).filter(|s| !s.is_empty());
    let new = Referral {
        status,
        status_on: Some(on),
        note: note.map(str::to_string).or(old.note.clone()),
        ..old.clone()
    };
    record_util::step(
        tx,
        AuditAction::ReferralStatus,
        note,
        &old,
        new,
        |conn, _| {
            conn.execute(
                "UPDATE referrals SET status=?2, status_on=?3, note=coalesce(?4, note) WHERE id=?1",
                params![id, status.code(), on.to_string(), note],
            )
        },
    )
}

impl Record for Referral {
    const TABLE: &'static str = "referrals";
    const COLUMNS: &'static str = "id, child_id, department, item_code, item_name, reason, sent_on,
        status, status_on, note, recorded_at, mreport_id";
    const WHAT: &'static str = "转介记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let code: Option<String> = r.get(3)?;
        let name: Option<String> = r.get(4)?;
        Ok(Referral {
            id: r.get(0)?,
            child_id: r.get(1)?,
            department: r.get(2)?,
            item: code.map(|code| ItemSnapshot {
                code,
                name: name.unwrap_or_default(),
                area: String::new(),
            }),
            reason: r.get(5)?,
            sent_on: date_col(r, 6)?,
            status: code_col(r, 7, ReferralStatus::from_code)?,
            status_on: opt_date_col(r, 8)?,
            note: r.get(9)?,
            recorded_at: r.get(10)?,
            mreport_id: r.get(11)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

pub fn get_referral(conn: &Connection, id: RowId) -> Result<Option<Referral>> {
    record_util::get(conn, id)
}

pub fn referrals_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Referral>> {
    select(
        conn,
        "WHERE child_id = ?1 ORDER BY sent_on DESC",
        [child_id],
    )
}

/// Referrals made from one 强制报告, oldest first.
pub fn referrals_for_report(conn: &Connection, mreport_id: RowId) -> Result<Vec<Referral>> {
    select(conn, "WHERE mreport_id = ?1 ORDER BY sent_on", [mreport_id])
}

/// Referrals not yet closed (sent or accepted) within `scope`, oldest first.
pub fn open_referrals(conn: &Connection, scope: &Scope) -> Result<Vec<Referral>> {
    let cols = columns_as::<Referral>("r");
    query_rows(
        conn,
        &format!(
            "SELECT {cols} FROM referrals r JOIN children c ON c.id = r.child_id
             WHERE r.status IN ('sent','accepted') AND c.residence_division GLOB ?1
             ORDER BY r.sent_on"
        ),
        [scope.glob()],
        Referral::from_row,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referral_moves_are_one_way() {
        assert!(
            ReferralStatus::Sent
                .next()
                .contains(&ReferralStatus::Accepted)
        );
        assert!(
            ReferralStatus::Accepted
                .next()
                .contains(&ReferralStatus::Done)
        );
        assert!(ReferralStatus::Done.next().is_empty());
        assert!(
            !ReferralStatus::Accepted
                .next()
                .contains(&ReferralStatus::Sent)
        );
    }
}
