//! Eligibility: the province plugin's `classify` findings, stored with their
//! reasons and citations, and what they do to a child's categories.
//!
//! The core never calls the plugin. The desktop's casework service runs
//! `classify` (on save, and in the daily sweep for children with a life
//! event) and hands the findings to [`apply_classification`], which in one
//! transaction:
//! - stores each finding that differs from the latest one for its category;
//! - starts a category the plugin finds eligible, with its dates;
//! - moves a plugin-sourced category's end date when the plugin says so;
//! - ends a plugin-sourced category the plugin finds no longer eligible
//!   (a manual or imported one is flagged for review instead);
//! - applies the national rule that a category ends on its end date, or at
//!   the age limit (16 for 留守/流动, 18 otherwise) when it has none;
//! - writes the audit entry, and returns what changed and why.
//!
//! [`due_for_review`] picks the children the daily sweep must re-check:
//! those never classified, and those with a life event since the last
//! sweep (turning 16 or 18, a parent's release date, a 6-month threshold
//! such as 失联 counted from the day 公安 accepted the report, a category's
//! end date).

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::categories::{self, CategoryInput, CategorySource};
use crate::children;
use crate::error::{CoreError, Result};
use crate::province::{Finding, FindingStatus};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use hutong_national::category::{CaseCategory, ParentalSituation};
use hutong_national::dates;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

pub fn status_code(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Eligible => "eligible",
        FindingStatus::NotEligible => "not_eligible",
        FindingStatus::EvidenceMissing => "evidence_missing",
    }
}

pub fn status_from_code(s: &str) -> Option<FindingStatus> {
    match s {
        "eligible" => Some(FindingStatus::Eligible),
        "not_eligible" => Some(FindingStatus::NotEligible),
        "evidence_missing" => Some(FindingStatus::EvidenceMissing),
        _ => None,
    }
}

pub fn status_label_zh(s: FindingStatus) -> &'static str {
    match s {
        FindingStatus::Eligible => "符合",
        FindingStatus::NotEligible => "不符合",
        FindingStatus::EvidenceMissing => "缺少证明材料",
    }
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRecord {
    pub id: RowId,
    pub child_id: RowId,
    pub plugin_id: String,
    pub plugin_version: String,
    pub category: String,
    pub status: FindingStatus,
    pub reasons: Vec<String>,
    pub citation: String,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub classified_on: NaiveDate,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A category started.
    Started,
    /// A category ended.
    Ended,
    /// A category's end date moved.
    Rescheduled,
    /// The plugin needs evidence before it can decide.
    EvidenceMissing,
    /// The plugin disagrees with a manual or imported category; a person must look.
    NeedsReview,
}

impl ChangeKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ChangeKind::Started => "认定",
            ChangeKind::Ended => "终止",
            ChangeKind::Rescheduled => "调整截止日期",
            ChangeKind::EvidenceMissing => "缺少证明材料",
            ChangeKind::NeedsReview => "需人工核实",
        }
    }
}

/// What changed for one child and category, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryChange {
    pub child_id: RowId,
    pub child_name: String,
    pub category: String,
    pub category_label: String,
    pub kind: ChangeKind,
    /// The day the change takes effect (start date, end date, new end date).
    pub on: NaiveDate,
    pub reasons: Vec<String>,
    pub citation: String,
    /// For an ended category: allowances stop from the first day of the
    /// following month (民发〔2019〕62号 终止 rule; allowances are paid elsewhere).
    pub allowance_stops_from: Option<NaiveDate>,
    /// Why a category ends under the national end-date rule (`None` for a
    /// plugin's finding, whose reasons say why).
    pub end_basis: Option<EndBasis>,
}

/// Why an active category ends on its date (the national end-date rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "basis", rename_all = "snake_case")]
pub enum EndBasis {
    /// The child reaches the category's age limit.
    AgeLimit { years: u32 },
    /// The recognition's own end date.
    RecognisedUntil,
}

impl EndBasis {
    /// The national end-date rule: an active category ends on its end date,
    /// or, without one, on the day the child reaches its age limit.
    pub fn of(rec: &categories::CategoryRecord, birth: NaiveDate) -> (NaiveDate, EndBasis) {
        let limit = rec.category.age_limit();
        let age_day = dates::anniversary(birth, limit);
        let end = rec.effective_until.unwrap_or(age_day);
        let basis = if end == age_day {
            EndBasis::AgeLimit { years: limit }
        } else {
            EndBasis::RecognisedUntil
        };
        (end, basis)
    }

    /// The reason as stored and printed: "年满18周岁（2042年2月2日）".
    pub fn reason_zh(self, end: NaiveDate) -> String {
        match self {
            EndBasis::AgeLimit { years } => format!("年满{years}周岁（{}）", dates::format_zh(end)),
            EndBasis::RecognisedUntil => format!("认定有效期至{}", dates::format_zh(end)),
        }
    }
}

impl CategoryChange {
    /// One line for lists and the CLI.
    pub fn describe_zh(&self) -> String {
        let mut s = format!(
            "{} {}“{}”（{}）",
            self.child_name,
            self.kind.label_zh(),
            self.category_label,
            dates::format_zh(self.on)
        );
        if let Some(m) = self.allowance_stops_from {
            s.push_str(&format!("，补贴自{}起停发", dates::format_zh_month(m)));
        }
        if !self.reasons.is_empty() {
            s.push('：');
            s.push_str(&self.reasons.join("；"));
        }
        if !self.citation.is_empty() {
            s.push_str(&format!("［{}］", self.citation));
        }
        s
    }
}

/// Allowances stop from the first day of the month after a category ends.
pub fn allowance_stops_from(ended_on: NaiveDate) -> NaiveDate {
    dates::first_of_next_month(ended_on)
}

fn category_label(code: &str) -> String {
    CaseCategory::from_code(code)
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|| code.to_string())
}

fn parse_opt(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(dates::parse_flexible)
}

const FINDING_COLUMNS: &str =
    "id, child_id, plugin_id, plugin_version, category, status, reasons_json,
    citation, effective_from, effective_until, classified_on, recorded_at";

fn row_to_finding(r: &rusqlite::Row<'_>) -> rusqlite::Result<FindingRecord> {
    let status: String = r.get(5)?;
    let reasons: String = r.get(6)?;
    let from: Option<String> = r.get(8)?;
    let until: Option<String> = r.get(9)?;
    let on: String = r.get(10)?;
    let bad = |idx: usize, what: String| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, what.into())
    };
    Ok(FindingRecord {
        id: r.get(0)?,
        child_id: r.get(1)?,
        plugin_id: r.get(2)?,
        plugin_version: r.get(3)?,
        category: r.get(4)?,
        status: status_from_code(&status).ok_or_else(|| bad(5, status.clone()))?,
        reasons: serde_json::from_str(&reasons).map_err(|e| bad(6, e.to_string()))?,
        citation: r.get(7)?,
        effective_from: from.and_then(|s| s.parse().ok()),
        effective_until: until.and_then(|s| s.parse().ok()),
        classified_on: on.parse().map_err(|_| bad(10, on.clone()))?,
        recorded_at: r.get(11)?,
    })
}

/// The latest finding per category for a child.
pub fn latest_findings(conn: &Connection, child_id: RowId) -> Result<Vec<FindingRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FINDING_COLUMNS} FROM eligibility_findings f WHERE child_id = ?1
           AND recorded_at || hex(id) = (SELECT max(recorded_at || hex(id)) FROM eligibility_findings g
                                          WHERE g.child_id = f.child_id AND g.category = f.category)
         ORDER BY category"
    ))?;
    let rows = stmt.query_map([child_id], row_to_finding)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every stored finding of a child, oldest first.
pub fn finding_history(conn: &Connection, child_id: RowId) -> Result<Vec<FindingRecord>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {FINDING_COLUMNS} FROM eligibility_findings WHERE child_id = ?1 ORDER BY recorded_at, id"
    ))?;
    let rows = stmt.query_map([child_id], row_to_finding)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn same_finding(old: &FindingRecord, f: &Finding, plugin_version: &str) -> bool {
    old.status == f.status
        && old.reasons == f.reasons
        && old.citation == f.citation
        && old.effective_from == parse_opt(&f.effective_from)
        && old.effective_until == parse_opt(&f.effective_until)
        && old.plugin_version == plugin_version
}

/// Applies a plugin's findings for one child, then the national end-date
/// rule, in the caller's transaction, with one audit entry. Returns what
/// changed. Findings for categories the core does not know are stored but
/// change nothing.
pub fn apply_classification(
    tx: &mut WriteTx<'_>,
    child_id: RowId,
    plugin_id: &str,
    plugin_version: &str,
    today: NaiveDate,
    findings: &[Finding],
) -> Result<Vec<CategoryChange>> {
    let child = children::get(tx.conn(), tx.actor().scope(), child_id)?.ok_or_else(|| {
        CoreError::NotFound {
            what: "儿童档案",
            key: child_id.to_string(),
        }
    })?;
    let plugin_ref = format!("{plugin_id}@{plugin_version}");
    let previous: HashMap<String, FindingRecord> = latest_findings(tx.conn(), child_id)?
        .into_iter()
        .map(|f| (f.category.clone(), f))
        .collect();
    let mut changes = Vec::new();
    let mut stored = 0usize;
    for f in findings {
        let changed = previous
            .get(&f.category)
            .is_none_or(|old| !same_finding(old, f, plugin_version));
        if changed {
            tx.conn()
                .prepare_cached(
                    "INSERT INTO eligibility_findings (id, child_id, plugin_id, plugin_version, category, status,
                        reasons_json, citation, effective_from, effective_until, classified_on, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    RowId::new(),
                    child_id,
                    plugin_id,
                    plugin_version,
                    f.category,
                    status_code(f.status),
                    serde_json::to_string(&f.reasons)?,
                    f.citation,
                    parse_opt(&f.effective_from).map(|d| d.to_string()),
                    parse_opt(&f.effective_until).map(|d| d.to_string()),
                    today.to_string(),
                    tx.now(),
                ])?;
            stored += 1;
        }
        let Some(cat) = CaseCategory::from_code(&f.category) else {
            continue;
        };
        let active = categories::for_child(tx.conn(), child_id)?
            .into_iter()
            .find(|c| c.active && c.category == cat);
        let change = |kind: ChangeKind, on: NaiveDate, reasons: Vec<String>| CategoryChange {
            child_id,
            child_name: child.name.clone(),
            category: f.category.clone(),
            category_label: cat.label_zh().to_string(),
            kind,
            on,
            reasons,
            citation: f.citation.clone(),
            allowance_stops_from: (kind == ChangeKind::Ended).then(|| allowance_stops_from(on)),
            end_basis: None,
        };
        let until = parse_opt(&f.effective_until);
        match (f.status, active) {
            (FindingStatus::Eligible, None) => {
                let from = parse_opt(&f.effective_from).unwrap_or(today);
                if until.is_some_and(|u| u <= today || u < from) {
                    // Eligible, yet already past its end: nothing to start.
                    continue;
                }
                let basis = if f.reasons.is_empty() {
                    format!("{plugin_ref} 认定符合")
                } else {
                    f.reasons.join("；")
                };
                categories::add(
                    tx,
                    child_id,
                    &CategoryInput {
                        category: cat,
                        basis,
                        source: CategorySource::Plugin,
                        source_ref: Some(plugin_ref.clone()),
                        effective_from: from,
                        effective_until: until,
                        evidence: (!f.citation.is_empty()).then(|| f.citation.clone()),
                    },
                )?;
                changes.push(change(ChangeKind::Started, from, f.reasons.clone()));
            }
            (FindingStatus::Eligible, Some(rec)) => {
                if let Some(u) = until
                    && rec.effective_until != Some(u)
                    && u >= rec.effective_from
                    && rec.source == CategorySource::Plugin
                {
                    tx.conn().execute(
                        "UPDATE categories SET effective_until = ?2 WHERE id = ?1",
                        params![rec.id, u.to_string()],
                    )?;
                    tx.audit(
                        AuditEntryInput::new(AuditAction::CategoryReschedule, "children", Some(child_id.to_string()))
                            .reason("省级插件认定的截止日期变化")
                            .detail(serde_json::json!({
                                "category": cat.code(),
                                "effective_until": [rec.effective_until.map(|d| d.to_string()), u.to_string()],
                                "plugin": plugin_ref,
                            })),
                    )?;
                    changes.push(change(ChangeKind::Rescheduled, u, f.reasons.clone()));
                }
            }
            (FindingStatus::NotEligible, Some(rec)) => {
                if rec.source == CategorySource::Plugin {
                    let on = [rec.effective_until, until]
                        .into_iter()
                        .flatten()
                        .filter(|d| *d <= today && *d >= rec.effective_from)
                        .min()
                        .unwrap_or(today);
                    let reason = format!(
                        "省级插件 {plugin_ref} 认定不再符合：{}",
                        f.reasons.join("；")
                    );
                    categories::end(tx, rec.id, on, &reason)?;
                    changes.push(change(ChangeKind::Ended, on, f.reasons.clone()));
                } else if changed {
                    changes.push(change(ChangeKind::NeedsReview, today, f.reasons.clone()));
                }
            }
            (FindingStatus::EvidenceMissing, _) if changed => {
                changes.push(change(
                    ChangeKind::EvidenceMissing,
                    today,
                    f.reasons.clone(),
                ));
            }
            _ => {}
        }
    }
    let expired = expire(tx, &child, today)?;
    // A disagreement about a category that just ended anyway is not news.
    changes.retain(|c| {
        !(c.kind == ChangeKind::NeedsReview && expired.iter().any(|e| e.category == c.category))
    });
    changes.extend(expired);
    tx.audit(
        AuditEntryInput::new(AuditAction::EligibilityClassify, "children", Some(child_id.to_string()))
            .detail(serde_json::json!({
                "plugin": plugin_ref,
                "today": today.to_string(),
                "findings": findings.iter().map(|f| (f.category.clone(), status_code(f.status))).collect::<Vec<_>>(),
                "stored": stored,
                "changes": changes.iter().map(|c| format!("{}:{}", c.category, c.kind.label_zh())).collect::<Vec<_>>(),
            })),
    )?;
    Ok(changes)
}

/// The national end-date rule: an active category ends on its end date, or,
/// without one, on the day the child reaches the category's age limit.
fn expire(
    tx: &mut WriteTx<'_>,
    child: &children::Child,
    today: NaiveDate,
) -> Result<Vec<CategoryChange>> {
    let mut out = Vec::new();
    for rec in categories::for_child(tx.conn(), child.id)? {
        if !rec.active {
            continue;
        }
        let (end, basis) = EndBasis::of(&rec, child.birth_date);
        if end > today {
            continue;
        }
        let reason = basis.reason_zh(end);
        categories::end(tx, rec.id, end, &reason)?;
        out.push(CategoryChange {
            child_id: child.id,
            child_name: child.name.clone(),
            category: rec.category.code().to_string(),
            category_label: rec.category.label_zh().to_string(),
            kind: ChangeKind::Ended,
            on: end,
            reasons: vec![reason],
            citation: String::new(),
            allowance_stops_from: Some(allowance_stops_from(end)),
            end_basis: Some(basis),
        });
    }
    Ok(out)
}

/// What will end for a child if nothing else changes: each active
/// category's end under the national rule (its end date, else the age
/// limit), after `today`, with the month allowances stop. For the child's
/// file, so a caseworker sees the coming changes before the sweep makes them.
pub fn projected_ends(
    conn: &Connection,
    child_id: RowId,
    today: NaiveDate,
) -> Result<Vec<CategoryChange>> {
    let child = children::get_any(conn, child_id)?.ok_or_else(|| CoreError::NotFound {
        what: "儿童档案",
        key: child_id.to_string(),
    })?;
    let mut out = Vec::new();
    for rec in categories::for_child(conn, child_id)? {
        if !rec.active {
            continue;
        }
        let (end, basis) = EndBasis::of(&rec, child.birth_date);
        if end <= today {
            // Already due: the next classification or sweep ends it.
            continue;
        }
        let reason = basis.reason_zh(end);
        out.push(CategoryChange {
            child_id,
            child_name: child.name.clone(),
            category: rec.category.code().to_string(),
            category_label: rec.category.label_zh().to_string(),
            kind: ChangeKind::Ended,
            on: end,
            reasons: vec![reason],
            citation: String::new(),
            allowance_stops_from: Some(allowance_stops_from(end)),
            end_basis: Some(basis),
        });
    }
    out.sort_by_key(|c| c.on);
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LifeEventKind {
    Turns16,
    Turns18,
    /// A parent's situation ends (e.g. release from prison).
    SituationEnds {
        relation: String,
        situation: String,
    },
    /// A situation reaches 6 months (sentence, rehabilitation, 失联 counted from 公安 acceptance).
    SixMonthsReached {
        relation: String,
        situation: String,
    },
    /// A category reaches its end date.
    CategoryEnds {
        category: String,
    },
}

/// A dated event that can change a child's eligibility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LifeEvent {
    pub child_id: RowId,
    pub on: NaiveDate,
    pub kind: LifeEventKind,
}

impl LifeEvent {
    pub fn label_zh(&self) -> String {
        let on = dates::format_zh(self.on);
        match &self.kind {
            LifeEventKind::Turns16 => format!("{on} 年满16周岁"),
            LifeEventKind::Turns18 => format!("{on} 年满18周岁"),
            LifeEventKind::SituationEnds {
                relation,
                situation,
            } => format!(
                "{on} {}{}情形结束",
                relation_label(relation),
                situation_label(situation)
            ),
            LifeEventKind::SixMonthsReached {
                relation,
                situation,
            } => format!(
                "{on} {}{}满6个月",
                relation_label(relation),
                situation_label(situation)
            ),
            LifeEventKind::CategoryEnds { category } => {
                format!("{on} “{}”认定到期", category_label(category))
            }
        }
    }
}

fn relation_label(code: &str) -> String {
    crate::persons::RelationKind::from_code(code)
        .map(|r| r.label_zh().to_string())
        .unwrap_or_else(|| code.to_string())
}

fn situation_label(code: &str) -> String {
    ParentalSituation::from_code(code)
        .map(|s| s.label_zh().to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A child's relation as the sweep reads it: (child, relation code,
/// situation code, situation since, situation until).
type RelationFact = (RowId, String, String, Option<NaiveDate>, Option<NaiveDate>);

struct Facts {
    birth: HashMap<RowId, NaiveDate>,
    relations: Vec<RelationFact>,
    category_ends: Vec<(RowId, String, NaiveDate)>,
}

fn load_facts(conn: &Connection, child: Option<RowId>) -> Result<Facts> {
    let mut birth = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, birth_date FROM children WHERE status = 'active' AND (?1 IS NULL OR id = ?1)",
    )?;
    for row in stmt.query_map([child], |r| {
        Ok((r.get::<_, RowId>(0)?, r.get::<_, String>(1)?))
    })? {
        let (id, b) = row?;
        if let Ok(d) = b.parse() {
            birth.insert(id, d);
        }
    }
    let mut relations = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT child_id, relation, situation, situation_since, situation_until FROM child_relations
         WHERE status = 'active' AND situation IS NOT NULL AND (?1 IS NULL OR child_id = ?1)",
    )?;
    for row in stmt.query_map([child], |r| {
        Ok((
            r.get::<_, RowId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })? {
        let (c, rel, sit, since, until) = row?;
        relations.push((
            c,
            rel,
            sit,
            since.and_then(|s| s.parse().ok()),
            until.and_then(|s| s.parse().ok()),
        ));
    }
    let mut category_ends = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT child_id, category, effective_until FROM categories
         WHERE status = 'active' AND effective_until IS NOT NULL AND (?1 IS NULL OR child_id = ?1)",
    )?;
    for row in stmt.query_map([child], |r| {
        Ok((
            r.get::<_, RowId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (c, cat, until) = row?;
        if let Ok(d) = until.parse() {
            category_ends.push((c, cat, d));
        }
    }
    Ok(Facts {
        birth,
        relations,
        category_ends,
    })
}

fn events_of(facts: &Facts) -> Vec<LifeEvent> {
    let mut out = Vec::new();
    for (id, b) in &facts.birth {
        out.push(LifeEvent {
            child_id: *id,
            on: dates::turns_16_on(*b),
            kind: LifeEventKind::Turns16,
        });
        out.push(LifeEvent {
            child_id: *id,
            on: dates::turns_18_on(*b),
            kind: LifeEventKind::Turns18,
        });
    }
    for (c, rel, sit, since, until) in &facts.relations {
        if !facts.birth.contains_key(c) {
            continue;
        }
        if let Some(u) = until {
            out.push(LifeEvent {
                child_id: *c,
                on: *u,
                kind: LifeEventKind::SituationEnds {
                    relation: rel.clone(),
                    situation: sit.clone(),
                },
            });
        }
        if let (Some(s), Some(p)) = (since, ParentalSituation::from_code(sit))
            && p.needs_six_months()
        {
            out.push(LifeEvent {
                child_id: *c,
                on: p.counts_from(*s),
                kind: LifeEventKind::SixMonthsReached {
                    relation: rel.clone(),
                    situation: sit.clone(),
                },
            });
        }
    }
    for (c, cat, until) in &facts.category_ends {
        if facts.birth.contains_key(c) {
            out.push(LifeEvent {
                child_id: *c,
                on: *until,
                kind: LifeEventKind::CategoryEnds {
                    category: cat.clone(),
                },
            });
        }
    }
    out
}

/// Every dated life event of one active child, in date order (past and future).
pub fn life_events(conn: &Connection, child_id: RowId) -> Result<Vec<LifeEvent>> {
    let mut out = events_of(&load_facts(conn, Some(child_id))?);
    out.sort_by_key(|a| a.on);
    Ok(out)
}

/// A child the sweep must re-check, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDue {
    pub child_id: RowId,
    pub never_classified: bool,
    /// Events in (last sweep, today].
    pub events: Vec<LifeEvent>,
}

/// Active children to re-check on `today`: never classified, or with a
/// life event after `after` (the previous sweep's date) and on or before
/// `today`. Without a previous sweep every event up to today counts.
pub fn due_for_review(
    conn: &Connection,
    after: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<Vec<ReviewDue>> {
    let facts = load_facts(conn, None)?;
    let classified: HashSet<RowId> = {
        let mut stmt = conn.prepare("SELECT DISTINCT child_id FROM eligibility_findings")?;
        let rows = stmt.query_map([], |r| r.get::<_, RowId>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut by_child: HashMap<RowId, Vec<LifeEvent>> = HashMap::new();
    for e in events_of(&facts) {
        if e.on <= today && after.is_none_or(|a| e.on > a) {
            by_child.entry(e.child_id).or_default().push(e);
        }
    }
    let mut out: Vec<ReviewDue> = facts
        .birth
        .keys()
        .filter_map(|id| {
            let never = !classified.contains(id);
            let mut events = by_child.remove(id).unwrap_or_default();
            events.sort_by_key(|a| a.on);
            (never || !events.is_empty()).then_some(ReviewDue {
                child_id: *id,
                never_classified: never,
                events,
            })
        })
        .collect();
    out.sort_by_key(|r| r.child_id);
    Ok(out)
}

/// The date of the last completed sweep.
pub fn last_sweep(conn: &Connection) -> Result<Option<NaiveDate>> {
    let s: Option<String> = conn
        .query_row("SELECT max(swept_on) FROM eligibility_sweeps", [], |r| {
            r.get(0)
        })
        .optional()?
        .flatten();
    Ok(s.and_then(|s| s.parse().ok()))
}

/// Records a finished sweep (with its audit entry).
pub fn record_sweep(
    tx: &mut WriteTx<'_>,
    swept_on: NaiveDate,
    plugin_id: &str,
    plugin_version: &str,
    checked: usize,
    changes: usize,
) -> Result<()> {
    let id = RowId::new();
    tx.conn().execute(
        "INSERT INTO eligibility_sweeps (id, swept_on, plugin_id, plugin_version, children_checked, changes, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            swept_on.to_string(),
            plugin_id,
            plugin_version,
            checked as i64,
            changes as i64,
            tx.now()
        ],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::EligibilitySweep,
            "eligibility_sweeps",
            Some(id.to_string()),
        )
        .detail(serde_json::json!({
            "swept_on": swept_on.to_string(),
            "plugin": format!("{plugin_id}@{plugin_version}"),
            "checked": checked,
            "changes": changes,
        })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowance_stops_the_month_after_the_end() {
        let end: NaiveDate = "2027-06-12".parse().unwrap();
        assert_eq!(allowance_stops_from(end).to_string(), "2027-07-01");
    }
}
