//! Assessment results (评估): one row per run of a province scale for a
//! child, stored immutably with the plugin's id@version and hashes of what
//! went in. The database refuses UPDATE and DELETE on them; a new result is
//! a new row, so each child's colour trend is simply their history.
//!
//! The core never calls a plugin: the desktop's casework service runs the
//! scale and hands the result here.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::province::{Answer, AssessInput, Assessment, ChildSnapshot, Colour, SubScore};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A stored result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAssessment {
    pub id: RowId,
    pub child_id: RowId,
    pub scale_id: String,
    pub scale_version: String,
    pub plugin_id: String,
    pub plugin_version: String,
    /// SHA-256 of the canonical input (scale, answers, child snapshot), not the date.
    pub input_sha256: String,
    /// SHA-256 of the child's data without visits, at the time of assessment.
    pub data_sha256: String,
    pub answers: Vec<Answer>,
    pub level_code: String,
    pub level_label: String,
    pub colour: Option<Colour>,
    pub score: Option<f64>,
    pub sub_scores: Vec<SubScore>,
    pub reasons: Vec<String>,
    pub next_visit_days: Option<u32>,
    pub suggested_services: Vec<String>,
    /// The "today" the plugin was given.
    pub assessed_on: NaiveDate,
    /// When the row was written (RFC 3339).
    pub assessed_at: String,
    pub author: String,
}

impl StoredAssessment {
    /// `plugin-id@version`.
    pub fn plugin_ref(&self) -> String {
        format!("{}@{}", self.plugin_id, self.plugin_version)
    }
}

/// What a caller stores: the plugin's answer and what produced it.
#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    pub child_id: RowId,
    pub scale_id: &'a str,
    pub scale_version: &'a str,
    pub plugin_id: &'a str,
    pub plugin_version: &'a str,
    pub input: &'a AssessInput,
    pub result: &'a Assessment,
}

pub fn colour_code(c: Colour) -> &'static str {
    match c {
        Colour::Red => "red",
        Colour::Orange => "orange",
        Colour::Yellow => "yellow",
        Colour::Blue => "blue",
        Colour::Green => "green",
    }
}

pub fn colour_from_code(s: &str) -> Option<Colour> {
    [
        Colour::Red,
        Colour::Orange,
        Colour::Yellow,
        Colour::Blue,
        Colour::Green,
    ]
    .into_iter()
    .find(|c| colour_code(*c) == s)
}

fn sha256_json<T: Serialize>(value: &T) -> Result<String> {
    let bytes = serde_json::to_vec(value)?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// SHA-256 of what determines a result: plugin, scale, answers and the child
/// snapshot (canonical JSON: fixed field order). The date is left out, so an
/// unchanged child re-assessed on another day hashes the same.
pub fn input_hash(
    plugin_ref: &str,
    scale_id: &str,
    answers: &[Answer],
    child: Option<&ChildSnapshot>,
) -> Result<String> {
    sha256_json(&(plugin_ref, scale_id, answers, child))
}

/// SHA-256 of a child's data as rules see it, without visits: a visit is
/// not a change in the child's situation. When it differs from the hash
/// stored with the latest assessment, a re-assessment is due.
pub fn data_hash(child: &ChildSnapshot) -> Result<String> {
    let mut c = child.clone();
    c.visits.clear();
    sha256_json(&c)
}

/// Stores a result with its audit entry (one per result).
pub fn record(tx: &mut WriteTx<'_>, new: &NewAssessment<'_>) -> Result<StoredAssessment> {
    let stored = build(tx.conn(), tx.now(), &tx.actor().name, new)?;
    insert_row(tx.conn(), &stored)?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::AssessmentAdd,
            "children",
            Some(stored.child_id.to_string()),
        )
        .detail(serde_json::json!({
            "assessment": stored.id.to_string(),
            "scale": stored.scale_id,
            "plugin": stored.plugin_ref(),
            "level": stored.level_code,
            "colour": stored.colour.map(colour_code),
            "input_sha256": stored.input_sha256,
        })),
    )?;
    Ok(stored)
}

/// Stores many results in one transaction with a single audit entry that
/// lists them (batch re-assessment; one entry per child would double the
/// cost of a 100,000-child run for no extra information).
pub fn record_batch(
    tx: &mut WriteTx<'_>,
    reason: &str,
    items: &[NewAssessment<'_>],
) -> Result<Vec<StoredAssessment>> {
    let author = tx.actor().name.clone();
    let mut out = Vec::with_capacity(items.len());
    for new in items {
        let stored = build(tx.conn(), tx.now(), &author, new)?;
        insert_row(tx.conn(), &stored)?;
        out.push(stored);
    }
    let plugins: std::collections::BTreeSet<String> = out.iter().map(|s| s.plugin_ref()).collect();
    tx.audit(
        AuditEntryInput::new(AuditAction::AssessmentBatch, "assessments", None)
            .reason(reason)
            .detail(serde_json::json!({
                "count": out.len(),
                "plugins": plugins,
                "children": out.iter().map(|s| s.child_id.to_string()).collect::<Vec<_>>(),
            })),
    )?;
    Ok(out)
}

fn build(
    conn: &Connection,
    now: &str,
    author: &str,
    new: &NewAssessment<'_>,
) -> Result<StoredAssessment> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM children WHERE id = ?1")?
        .query_row([new.child_id], |r| r.get(0))
        .optional()?;
    if exists.is_none() {
        return Err(CoreError::NotFound {
            what: "儿童档案",
            key: new.child_id.to_string(),
        });
    }
    let assessed_on: NaiveDate =
        new.input.today.parse().map_err(|_| {
            CoreError::field("评估日期", format!("“{}”不是有效日期", new.input.today))
        })?;
    if new.result.level_code.trim().is_empty() {
        return Err(CoreError::field(
            "评估结果",
            format!(
                "插件 {}@{} 的量表“{}”返回了空的等级代码",
                new.plugin_id, new.plugin_version, new.scale_id
            ),
        ));
    }
    let plugin_ref = format!("{}@{}", new.plugin_id, new.plugin_version);
    let input_sha256 = input_hash(
        &plugin_ref,
        new.scale_id,
        &new.input.answers,
        new.input.child.as_ref(),
    )?;
    let data_sha256 = match &new.input.child {
        Some(c) => data_hash(c)?,
        None => sha256_json(&())?,
    };
    let r = new.result;
    Ok(StoredAssessment {
        id: RowId::new(),
        child_id: new.child_id,
        scale_id: new.scale_id.to_string(),
        scale_version: new.scale_version.to_string(),
        plugin_id: new.plugin_id.to_string(),
        plugin_version: new.plugin_version.to_string(),
        input_sha256,
        data_sha256,
        answers: new.input.answers.clone(),
        level_code: r.level_code.clone(),
        level_label: r.level_label.clone(),
        colour: r.colour,
        score: r.score.filter(|s| s.is_finite()),
        sub_scores: r.sub_scores.clone(),
        reasons: r.reasons.clone(),
        next_visit_days: r.next_visit_days,
        suggested_services: r.suggested_services.clone(),
        assessed_on,
        assessed_at: now.to_string(),
        author: author.to_string(),
    })
}

fn insert_row(conn: &Connection, a: &StoredAssessment) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO assessments (id, child_id, scale_id, scale_version, plugin_id, plugin_version,
            input_sha256, data_sha256, answers_json, level_code, level_label, colour, score,
            sub_scores_json, reasons_json, next_visit_days, services_json, assessed_on, assessed_at, author)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?
    .execute(params![
        a.id,
        a.child_id,
        a.scale_id,
        a.scale_version,
        a.plugin_id,
        a.plugin_version,
        a.input_sha256,
        a.data_sha256,
        serde_json::to_string(&a.answers)?,
        a.level_code,
        a.level_label,
        a.colour.map(colour_code),
        a.score,
        serde_json::to_string(&a.sub_scores)?,
        serde_json::to_string(&a.reasons)?,
        a.next_visit_days,
        serde_json::to_string(&a.suggested_services)?,
        a.assessed_on.to_string(),
        a.assessed_at,
        a.author,
    ])?;
    Ok(())
}

const COLUMNS: &str = "id, child_id, scale_id, scale_version, plugin_id, plugin_version, input_sha256,
    data_sha256, answers_json, level_code, level_label, colour, score, sub_scores_json, reasons_json,
    next_visit_days, services_json, assessed_on, assessed_at, author";

fn json_col<T: serde::de::DeserializeOwned>(idx: usize, text: String) -> rusqlite::Result<T> {
    serde_json::from_str(&text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn row_to_assessment(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAssessment> {
    row_to_assessment_at(r, 0)
}

/// Reads the assessment columns starting at column `o`.
fn row_to_assessment_at(r: &rusqlite::Row<'_>, o: usize) -> rusqlite::Result<StoredAssessment> {
    let colour: Option<String> = r.get(o + 11)?;
    let on: String = r.get(o + 17)?;
    Ok(StoredAssessment {
        id: r.get(o)?,
        child_id: r.get(o + 1)?,
        scale_id: r.get(o + 2)?,
        scale_version: r.get(o + 3)?,
        plugin_id: r.get(o + 4)?,
        plugin_version: r.get(o + 5)?,
        input_sha256: r.get(o + 6)?,
        data_sha256: r.get(o + 7)?,
        answers: json_col(o + 8, r.get(o + 8)?)?,
        level_code: r.get(o + 9)?,
        level_label: r.get(o + 10)?,
        colour: colour.as_deref().and_then(colour_from_code),
        score: r.get(o + 12)?,
        sub_scores: json_col(o + 13, r.get(o + 13)?)?,
        reasons: json_col(o + 14, r.get(o + 14)?)?,
        next_visit_days: r.get(o + 15)?,
        suggested_services: json_col(o + 16, r.get(o + 16)?)?,
        assessed_on: on.parse().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(
                o + 17,
                rusqlite::types::Type::Text,
                Box::new(e),
            )
        })?,
        assessed_at: r.get(o + 18)?,
        author: r.get(o + 19)?,
    })
}

/// A child's results, oldest first: the colour trend.
pub fn for_child(conn: &Connection, child_id: RowId) -> Result<Vec<StoredAssessment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM assessments WHERE child_id = ?1 ORDER BY assessed_at, id"
    ))?;
    let rows = stmt.query_map([child_id], row_to_assessment)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The child's latest result (of any scale, or of one scale).
pub fn latest(
    conn: &Connection,
    child_id: RowId,
    scale_id: Option<&str>,
) -> Result<Option<StoredAssessment>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM assessments WHERE child_id = ?1 AND (?2 IS NULL OR scale_id = ?2)
             ORDER BY assessed_at DESC, id DESC LIMIT 1"
        ))?
        .query_row(params![child_id, scale_id], row_to_assessment)
        .optional()?)
}

/// One point of a child's colour trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub assessed_on: NaiveDate,
    pub scale_id: String,
    pub level_code: String,
    pub level_label: String,
    pub colour: Option<Colour>,
    pub plugin: String,
}

/// The colour trend, oldest first.
pub fn trend(conn: &Connection, child_id: RowId) -> Result<Vec<TrendPoint>> {
    Ok(for_child(conn, child_id)?
        .into_iter()
        .map(|a| TrendPoint {
            assessed_on: a.assessed_on,
            plugin: a.plugin_ref(),
            scale_id: a.scale_id,
            level_code: a.level_code,
            level_label: a.level_label,
            colour: a.colour,
        })
        .collect())
}

/// Why a re-assessment is due, if it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ReassessmentDue {
    /// Never assessed.
    NeverAssessed,
    /// The child's data changed after the latest assessment; the audit
    /// actions that changed it since then are listed.
    DataChanged { since: String, changes: Vec<String> },
}

impl ReassessmentDue {
    pub fn label_zh(&self) -> String {
        match self {
            ReassessmentDue::NeverAssessed => "尚未评估".into(),
            ReassessmentDue::DataChanged { since, changes } => {
                let since = since.get(..10).unwrap_or(since);
                if changes.is_empty() {
                    format!("{since} 评估后档案有变动，需重新评估")
                } else {
                    format!(
                        "{since} 评估后档案有变动（{}），需重新评估",
                        changes.join("、")
                    )
                }
            }
        }
    }
}

/// Compares the child's current data with the latest assessment: due when
/// there is none, or when the data hash differs. `current` is the child's
/// snapshot now (see [`crate::snapshot::child_snapshot`]).
pub fn reassessment_due(
    conn: &Connection,
    child_id: RowId,
    current: &ChildSnapshot,
) -> Result<Option<ReassessmentDue>> {
    let Some(latest) = latest(conn, child_id, None)? else {
        return Ok(Some(ReassessmentDue::NeverAssessed));
    };
    if data_hash(current)? == latest.data_sha256 {
        return Ok(None);
    }
    // Name what changed, from the audit log, for the caseworker. "After
    // the assessment" is decided by the log's sequence, not its clock: the
    // clock has millisecond resolution, so an edit made in the same
    // millisecond as the assessment (or a clock set back) would be missed by
    // `at > assessed_at`. The assessment's own entry shares its transaction's
    // time, so it is found by that time and by what it names.
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT action FROM audit_log WHERE entity = 'children' AND entity_id = ?1
           AND seq > coalesce(
                 (SELECT max(seq) FROM audit_log a WHERE a.at = ?2
                    AND ((a.action = ?3 AND a.entity = 'children' AND a.entity_id = ?1)
                      OR (a.action = ?4 AND a.entity = 'assessments'
                          AND EXISTS (SELECT 1 FROM json_each(a.detail, '$.children') WHERE value = ?1)))),
                 (SELECT max(seq) FROM audit_log a WHERE a.at <= ?2), 0)
         ORDER BY action",
    )?;
    let changes = stmt
        .query_map(
            params![
                child_id.to_string(),
                latest.assessed_at,
                AuditAction::AssessmentAdd.as_str(),
                AuditAction::AssessmentBatch.as_str(),
            ],
            |r| r.get::<_, String>(0),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter(|action| AuditAction::parse(action).is_none_or(changes_assessed_data))
        .collect();
    Ok(Some(ReassessmentDue::DataChanged {
        since: latest.assessed_at,
        changes,
    }))
}

/// Whether an action on a child's file can change what an assessment
/// reads. Assessments themselves, visits and reveals of the ID number do
/// not; an action this build does not know is named, to be safe.
fn changes_assessed_data(action: AuditAction) -> bool {
    !matches!(
        action,
        AuditAction::AssessmentAdd
            | AuditAction::AssessmentBatch
            | AuditAction::VisitAdd
            | AuditAction::VisitVoid
            | AuditAction::ChildRevealId
    )
}

/// Every active child in a division subtree with their latest result (of
/// `scale_id`, or of any scale), for batch re-assessment. Ordered by child.
pub fn latest_per_child(
    conn: &Connection,
    division: Option<&str>,
    scale_id: Option<&str>,
) -> Result<Vec<(RowId, Option<StoredAssessment>)>> {
    let cols: String = COLUMNS
        .split(',')
        .map(|c| format!("a.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT c.id, {cols} FROM children c
         LEFT JOIN assessments a ON a.id = (SELECT a2.id FROM assessments a2 WHERE a2.child_id = c.id
               AND (?2 IS NULL OR a2.scale_id = ?2) ORDER BY a2.assessed_at DESC, a2.id DESC LIMIT 1)
         WHERE c.status = 'active' AND c.residence_division GLOB ?1
         ORDER BY c.id"
    ))?;
    let pattern = format!("{}*", division.unwrap_or("").replace(['*', '?', '['], ""));
    let rows = stmt.query_map(params![pattern, scale_id], |r| {
        let id: RowId = r.get(0)?;
        let has: Option<RowId> = r.get(1)?;
        let latest = match has {
            Some(_) => Some(row_to_assessment_at(r, 1)?),
            None => None,
        };
        Ok((id, latest))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
