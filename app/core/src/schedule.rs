//! The visit schedule (走访计划), derived, never stored.
//!
//! For each active child: the next visit is due `cadence` days after the
//! later of the latest visit and the latest assessment (or after the file
//! was opened, if there is neither). The cadence comes from the province
//! plugin's visit policy: the row for the latest assessment's level code
//! (or its colour name), else the assessment's own next-visit days, else the
//! policy default. A visit may override the next date with a reason; the
//! override holds until a later visit or assessment.
//!
//! Overdue visits escalate: more than `escalate_township_after_days` days
//! late goes to the township 督导员, more than `escalate_county_after_days`
//! to the county. Both numbers come from the plugin's policy.

use crate::RowId;
use crate::access::Scope;
use crate::assessments::colour_from_code;
use crate::error::Result;
use crate::province::{Colour, VisitPolicy};
use chrono::{Datelike, Duration};
use hutong_national::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;

/// Where the cadence came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DueBasis {
    /// The policy row for the latest level or colour.
    PolicyLevel { level: String, days: u32 },
    /// The assessment's own next-visit days (no policy row matched).
    AssessmentDays { days: u32 },
    /// The policy default (never assessed, or the level has no row).
    PolicyDefault { days: u32 },
    /// A visit set the next date, with this reason.
    Override { reason: String },
}

impl DueBasis {
    pub fn label_zh(&self) -> String {
        match self {
            DueBasis::PolicyLevel { level, days } => format!("等级 {level}：每{days}天"),
            DueBasis::AssessmentDays { days } => format!("评估建议：每{days}天"),
            DueBasis::PolicyDefault { days } => format!("默认：每{days}天"),
            DueBasis::Override { reason } => format!("人工调整：{reason}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    Overdue,
    DueThisWeek,
    Upcoming,
}

impl DueStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            DueStatus::Overdue => "已逾期",
            DueStatus::DueThisWeek => "本周到期",
            DueStatus::Upcoming => "未到期",
        }
    }
}

/// Who must be told about an overdue visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    None,
    /// The township 督导员.
    Township,
    /// The county office.
    County,
}

impl Escalation {
    pub fn label_zh(self) -> &'static str {
        match self {
            Escalation::None => "",
            Escalation::Township => "已上报乡镇督导员",
            Escalation::County => "已上报县民政局",
        }
    }
}

/// One child's next visit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleEntry {
    pub child_id: RowId,
    pub id_number: String,
    pub name: String,
    pub village_code: String,
    pub village_name: String,
    pub last_visit: Option<NaiveDate>,
    pub last_assessment: Option<NaiveDate>,
    pub level_code: Option<String>,
    pub level_label: Option<String>,
    pub colour: Option<Colour>,
    pub basis: DueBasis,
    pub due_on: NaiveDate,
    pub status: DueStatus,
    /// Days past the due date (0 when not overdue).
    pub days_overdue: i64,
    pub escalation: Escalation,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ScheduleFilter {
    /// A division subtree (the user's scope, a township or a village).
    pub division: Option<String>,
    /// Only overdue visits.
    pub overdue_only: bool,
    /// Only visits due this week or overdue.
    pub due_or_overdue_only: bool,
}

/// The last day (Sunday) of the calendar week holding `today`.
pub fn week_end(today: NaiveDate) -> NaiveDate {
    today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()))
}

/// The cadence for a level: the policy row (by level code, then colour
/// name), else the assessment's days, else the default.
pub fn cadence(
    policy: &VisitPolicy,
    level_code: Option<&str>,
    colour: Option<Colour>,
    next_visit_days: Option<u32>,
) -> DueBasis {
    if let Some(level) = level_code {
        let colour_name = colour.map(crate::assessments::colour_code);
        let row = policy
            .by_level
            .iter()
            .find(|r| r.level == level)
            .or_else(|| colour_name.and_then(|c| policy.by_level.iter().find(|r| r.level == c)));
        if let Some(row) = row {
            return DueBasis::PolicyLevel {
                level: row.level.clone(),
                days: row.days,
            };
        }
        if let Some(days) = next_visit_days {
            return DueBasis::AssessmentDays { days };
        }
    }
    DueBasis::PolicyDefault {
        days: policy.default_days,
    }
}

/// Escalation for a number of days overdue (strictly more than N or M).
pub fn escalation(policy: &VisitPolicy, days_overdue: i64) -> Escalation {
    if days_overdue > i64::from(policy.escalate_county_after_days) {
        Escalation::County
    } else if days_overdue > i64::from(policy.escalate_township_after_days) {
        Escalation::Township
    } else {
        Escalation::None
    }
}

struct Row {
    child_id: RowId,
    id_number: String,
    name: String,
    village_code: String,
    village_name: String,
    opened_on: Option<NaiveDate>,
    visit_date: Option<NaiveDate>,
    override_on: Option<NaiveDate>,
    override_reason: Option<String>,
    level_code: Option<String>,
    level_label: Option<String>,
    colour: Option<Colour>,
    next_visit_days: Option<u32>,
    assessed_on: Option<NaiveDate>,
}

fn date_opt(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| s.get(..10).and_then(|d| d.parse().ok()))
}

fn entry(policy: &VisitPolicy, today: NaiveDate, r: Row) -> ScheduleEntry {
    let base = match (r.visit_date, r.assessed_on) {
        (Some(v), Some(a)) => v.max(a),
        (Some(v), None) => v,
        (None, Some(a)) => a,
        (None, None) => r.opened_on.unwrap_or(today),
    };
    let override_holds = match (r.visit_date, r.override_on) {
        (Some(visit), Some(_)) => r.assessed_on.is_none_or(|a| a <= visit),
        _ => false,
    };
    let (basis, due_on) = match (override_holds, r.override_on) {
        (true, Some(on)) => (
            DueBasis::Override {
                reason: r.override_reason.clone().unwrap_or_default(),
            },
            on,
        ),
        _ => {
            let basis = cadence(policy, r.level_code.as_deref(), r.colour, r.next_visit_days);
            let days = match &basis {
                DueBasis::PolicyLevel { days, .. }
                | DueBasis::AssessmentDays { days }
                | DueBasis::PolicyDefault { days } => *days,
                DueBasis::Override { .. } => policy.default_days,
            };
            (basis, base + Duration::days(i64::from(days)))
        }
    };
    let days_overdue = (today - due_on).num_days().max(0);
    let status = if due_on < today {
        DueStatus::Overdue
    } else if due_on <= week_end(today) {
        DueStatus::DueThisWeek
    } else {
        DueStatus::Upcoming
    };
    ScheduleEntry {
        child_id: r.child_id,
        id_number: r.id_number,
        name: r.name,
        village_code: r.village_code,
        village_name: r.village_name,
        last_visit: r.visit_date,
        last_assessment: r.assessed_on,
        level_code: r.level_code,
        level_label: r.level_label,
        colour: r.colour,
        basis,
        due_on,
        status,
        days_overdue,
        escalation: escalation(policy, days_overdue),
    }
}

const QUERY: &str = "SELECT c.id, c.id_number, c.name, c.residence_division, coalesce(d.name, ''), c.created_at,
        v.visit_date, v.next_due_override, v.override_reason,
        a.level_code, a.level_label, a.colour, a.next_visit_days, a.assessed_on
    FROM children c
    LEFT JOIN divisions d ON d.code = c.residence_division
    LEFT JOIN visits v ON v.id = (SELECT v2.id FROM visits v2 WHERE v2.child_id = c.id AND v2.status = 'active'
                                  ORDER BY v2.visit_date DESC, v2.recorded_at DESC LIMIT 1)
    LEFT JOIN assessments a ON a.id = (SELECT a2.id FROM assessments a2 WHERE a2.child_id = c.id
                                       ORDER BY a2.assessed_at DESC, a2.id DESC LIMIT 1)
    WHERE c.status = 'active' AND c.residence_division GLOB ?1 AND (?2 IS NULL OR c.id = ?2)";

fn rows(conn: &Connection, division: &str, child: Option<RowId>) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(QUERY)?;
    let pattern = format!("{}*", division.replace(['*', '?', '['], ""));
    let out = stmt.query_map(params![pattern, child], |r| {
        let colour: Option<String> = r.get(11)?;
        Ok(Row {
            child_id: r.get(0)?,
            id_number: r.get(1)?,
            name: r.get(2)?,
            village_code: r.get(3)?,
            village_name: r.get(4)?,
            opened_on: date_opt(r.get(5)?),
            visit_date: date_opt(r.get(6)?),
            override_on: date_opt(r.get(7)?),
            override_reason: r.get(8)?,
            level_code: r.get(9)?,
            level_label: r.get(10)?,
            colour: colour.as_deref().and_then(colour_from_code),
            next_visit_days: r.get(12)?,
            assessed_on: date_opt(r.get(13)?),
        })
    })?;
    Ok(out.collect::<rusqlite::Result<_>>()?)
}

/// The schedule of every active child within `scope` (narrowed to the
/// filter's division, which must lie inside it), ordered by due date (most
/// overdue first), then village and name.
pub fn compute(
    conn: &Connection,
    scope: &Scope,
    policy: &VisitPolicy,
    today: NaiveDate,
    filter: &ScheduleFilter,
) -> Result<Vec<ScheduleEntry>> {
    let within = match filter.division.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => scope.narrow_to(d)?,
        None => scope.clone(),
    };
    let mut out: Vec<ScheduleEntry> = rows(conn, within.code(), None)?
        .into_iter()
        .map(|r| entry(policy, today, r))
        .filter(|e| !filter.overdue_only || e.status == DueStatus::Overdue)
        .filter(|e| !filter.due_or_overdue_only || e.status != DueStatus::Upcoming)
        .collect();
    out.sort_by(|a, b| {
        a.due_on
            .cmp(&b.due_on)
            .then_with(|| a.village_code.cmp(&b.village_code))
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

/// One child's next visit (None if the file is closed or unknown).
pub fn for_child(
    conn: &Connection,
    policy: &VisitPolicy,
    today: NaiveDate,
    child_id: RowId,
) -> Result<Option<ScheduleEntry>> {
    Ok(rows(conn, "", Some(child_id))?
        .into_iter()
        .next()
        .map(|r| entry(policy, today, r)))
}

/// Counts per village, for 工作台 and 走访计划.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageSchedule {
    pub village_code: String,
    pub village_name: String,
    pub children: u64,
    pub due_this_week: u64,
    pub overdue: u64,
    pub escalated_township: u64,
    pub escalated_county: u64,
}

/// Groups entries by village, villages with the most overdue first.
pub fn by_village(entries: &[ScheduleEntry]) -> Vec<VillageSchedule> {
    let mut map: std::collections::BTreeMap<&str, VillageSchedule> = Default::default();
    for e in entries {
        let v = map
            .entry(e.village_code.as_str())
            .or_insert_with(|| VillageSchedule {
                village_code: e.village_code.clone(),
                village_name: e.village_name.clone(),
                children: 0,
                due_this_week: 0,
                overdue: 0,
                escalated_township: 0,
                escalated_county: 0,
            });
        v.children += 1;
        match e.status {
            DueStatus::Overdue => v.overdue += 1,
            DueStatus::DueThisWeek => v.due_this_week += 1,
            DueStatus::Upcoming => {}
        }
        match e.escalation {
            Escalation::Township => v.escalated_township += 1,
            Escalation::County => v.escalated_county += 1,
            Escalation::None => {}
        }
    }
    let mut out: Vec<VillageSchedule> = map.into_values().collect();
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| a.village_code.cmp(&b.village_code))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::province::LevelCadence;

    fn policy() -> VisitPolicy {
        VisitPolicy {
            default_days: 30,
            by_level: vec![
                LevelCadence {
                    level: "red".into(),
                    days: 7,
                },
                LevelCadence {
                    level: "yellow".into(),
                    days: 14,
                },
            ],
            escalate_township_after_days: 7,
            escalate_county_after_days: 30,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn cadence_prefers_the_policy_row_then_colour_then_assessment_then_default() {
        let p = policy();
        assert_eq!(
            cadence(&p, Some("red"), None, Some(3)),
            DueBasis::PolicyLevel {
                level: "red".into(),
                days: 7
            }
        );
        assert_eq!(
            cadence(&p, Some("L2"), Some(Colour::Yellow), Some(3)),
            DueBasis::PolicyLevel {
                level: "yellow".into(),
                days: 14
            }
        );
        assert_eq!(
            cadence(&p, Some("L9"), None, Some(3)),
            DueBasis::AssessmentDays { days: 3 }
        );
        assert_eq!(
            cadence(&p, None, None, None),
            DueBasis::PolicyDefault { days: 30 }
        );
    }

    #[test]
    fn escalation_is_strictly_after_the_set_days() {
        let p = policy();
        assert_eq!(escalation(&p, 0), Escalation::None);
        assert_eq!(escalation(&p, 7), Escalation::None);
        assert_eq!(escalation(&p, 8), Escalation::Township);
        assert_eq!(escalation(&p, 30), Escalation::Township);
        assert_eq!(escalation(&p, 31), Escalation::County);
    }

    #[test]
    fn week_ends_on_sunday() {
        // 2026-12-07 is a Monday.
        assert_eq!(week_end(d("2026-12-07")), d("2026-12-13"));
        assert_eq!(week_end(d("2026-12-13")), d("2026-12-13"));
    }
}
