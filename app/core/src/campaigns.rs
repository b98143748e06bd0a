//! 摸排 (screening) campaigns: a round over a division subtree on the
//! province plugin's cycle. Each child in the subtree is confirmed, updated
//! or closed during the round; coverage is counted per village, and villages
//! behind the round's pace are listed as late. Closing the round locks a
//! snapshot of the coverage and every child's outcome (the database refuses
//! any later change) and yields a summary [`Document`] for printing.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::document::{
    Align, Block, Document, FontRole, KeyValueGrid, KeyValueItem, Paragraph, Table, TableCell,
    TableRow, TextStyle, zihao,
};
use crate::error::{CoreError, Result};
use crate::province::ScreeningCycle;
use crate::store::WriteTx;
use crate::{children, divisions};
use chrono::Duration;
use hutong_national::NaiveDate;
use hutong_national::dates;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Seen; the file is right.
    Confirmed,
    /// Seen; the file was corrected.
    Updated,
    /// No longer in care here (moved, turned 18...); the file is closed.
    Closed,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Confirmed, Outcome::Updated, Outcome::Closed];
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Updated => "updated",
            Outcome::Closed => "closed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Outcome::ALL.into_iter().find(|o| o.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Outcome::Confirmed => "已核实",
            Outcome::Updated => "已更新",
            Outcome::Closed => "已销档",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: RowId,
    pub division_code: String,
    pub title: String,
    /// e.g. "每半年一次（一年两排）".
    pub cycle: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub plugin_ref: Option<String>,
    pub state: CampaignState,
    pub started_by: String,
    pub started_at: String,
    pub closed_by: Option<String>,
    pub closed_at: Option<String>,
}

/// What starting a round needs.
#[derive(Debug, Clone)]
pub struct NewCampaign<'a> {
    pub division_code: &'a str,
    pub cycle: &'a ScreeningCycle,
    pub start: NaiveDate,
    /// The plugin whose cycle is used, `id@version`.
    pub plugin_ref: Option<&'a str>,
}

/// The last day of a round that starts on `start`.
pub fn period_end(start: NaiveDate, cycle: &ScreeningCycle) -> NaiveDate {
    dates::add_months(start, cycle.months()) - Duration::days(1)
}

fn overlaps(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Starts a round. Refused when an open round already covers any part of
/// the same subtree.
pub fn start(tx: &mut WriteTx<'_>, new: &NewCampaign<'_>) -> Result<Campaign> {
    let code = new.division_code.trim();
    let Some(div) = divisions::get(tx.conn(), code)? else {
        return Err(CoreError::field(
            "摸排范围",
            format!("区划代码 {code} 不在本县的区划表中"),
        ));
    };
    if let Some(open) = list(tx.conn())?
        .into_iter()
        .find(|c| c.state == CampaignState::Open && overlaps(&c.division_code, code))
    {
        return Err(CoreError::field(
            "摸排范围",
            format!(
                "“{}”尚未结束（{} 至 {}），范围与本次重叠；请先结束该轮摸排",
                open.title, open.period_start, open.period_end
            ),
        ));
    }
    let end = period_end(new.start, new.cycle);
    let campaign = Campaign {
        id: RowId::new(),
        division_code: code.to_string(),
        title: format!("{}{}摸排", div.name, dates::format_zh_month(new.start)),
        cycle: new.cycle.label_zh(),
        period_start: new.start,
        period_end: end,
        plugin_ref: new.plugin_ref.map(str::to_string),
        state: CampaignState::Open,
        started_by: tx.actor().name.clone(),
        started_at: tx.now().to_string(),
        closed_by: None,
        closed_at: None,
    };
    tx.conn().execute(
        "INSERT INTO campaigns (id, division_code, title, cycle, period_start, period_end, plugin_ref,
            status, started_by, started_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8, ?9)",
        params![
            campaign.id,
            campaign.division_code,
            campaign.title,
            campaign.cycle,
            campaign.period_start.to_string(),
            campaign.period_end.to_string(),
            campaign.plugin_ref,
            campaign.started_by,
            campaign.started_at
        ],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::CampaignStart,
            "campaigns",
            Some(campaign.id.to_string()),
        )
        .detail(serde_json::json!({
            "division": campaign.division_code,
            "title": campaign.title,
            "cycle": campaign.cycle,
            "period": [campaign.period_start.to_string(), campaign.period_end.to_string()],
            "plugin": campaign.plugin_ref,
        })),
    )?;
    Ok(campaign)
}

const COLUMNS: &str =
    "id, division_code, title, cycle, period_start, period_end, plugin_ref, status,
    started_by, started_at, closed_by, closed_at";

fn row_to_campaign(r: &rusqlite::Row<'_>) -> rusqlite::Result<Campaign> {
    let bad = |idx: usize, e: chrono::ParseError| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    };
    let start: String = r.get(4)?;
    let end: String = r.get(5)?;
    let status: String = r.get(7)?;
    Ok(Campaign {
        id: r.get(0)?,
        division_code: r.get(1)?,
        title: r.get(2)?,
        cycle: r.get(3)?,
        period_start: start.parse().map_err(|e| bad(4, e))?,
        period_end: end.parse().map_err(|e| bad(5, e))?,
        plugin_ref: r.get(6)?,
        state: if status == "closed" {
            CampaignState::Closed
        } else {
            CampaignState::Open
        },
        started_by: r.get(8)?,
        started_at: r.get(9)?,
        closed_by: r.get(10)?,
        closed_at: r.get(11)?,
    })
}

/// All rounds, newest first.
pub fn list(conn: &Connection) -> Result<Vec<Campaign>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM campaigns ORDER BY started_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], row_to_campaign)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn get(conn: &Connection, id: RowId) -> Result<Option<Campaign>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM campaigns WHERE id = ?1"))?
        .query_row([id], row_to_campaign)
        .optional()?)
}

/// The open rounds, newest first.
pub fn open(conn: &Connection) -> Result<Vec<Campaign>> {
    Ok(list(conn)?
        .into_iter()
        .filter(|c| c.state == CampaignState::Open)
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CampaignItem {
    pub id: RowId,
    pub campaign_id: RowId,
    pub child_id: RowId,
    pub village_code: String,
    pub outcome: Outcome,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// Records a child's outcome in an open round. A later record for the same
/// child supersedes the earlier one (both are kept).
pub fn record(
    tx: &mut WriteTx<'_>,
    campaign_id: RowId,
    child_id: RowId,
    outcome: Outcome,
    note: Option<&str>,
) -> Result<CampaignItem> {
    let campaign = get(tx.conn(), campaign_id)?.ok_or_else(|| CoreError::NotFound {
        what: "摸排",
        key: campaign_id.to_string(),
    })?;
    if campaign.state == CampaignState::Closed {
        return Err(CoreError::field(
            "摸排",
            format!("“{}”已结束并锁定，不能再登记", campaign.title),
        ));
    }
    let child = children::get(tx.conn(), tx.actor().scope(), child_id)?.ok_or_else(|| {
        CoreError::NotFound {
            what: "儿童档案",
            key: child_id.to_string(),
        }
    })?;
    if !child
        .residence_division
        .starts_with(&campaign.division_code)
    {
        return Err(CoreError::field(
            "儿童",
            format!(
                "{} 的现居住地 {} 不在“{}”的范围（{}）内",
                child.name, child.residence_division, campaign.title, campaign.division_code
            ),
        ));
    }
    let item = CampaignItem {
        id: RowId::new(),
        campaign_id,
        child_id,
        village_code: child.residence_division.clone(),
        outcome,
        note: note
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        recorded_by: tx.actor().name.clone(),
        recorded_at: tx.now().to_string(),
    };
    tx.conn().execute(
        "INSERT INTO campaign_items (id, campaign_id, child_id, village_code, outcome, note, recorded_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            item.id,
            item.campaign_id,
            item.child_id,
            item.village_code,
            item.outcome.code(),
            item.note,
            item.recorded_by,
            item.recorded_at
        ],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::CampaignRecord,
            "children",
            Some(child_id.to_string()),
        )
        .detail(serde_json::json!({
            "campaign": campaign_id.to_string(),
            "outcome": outcome.code(),
            "note": item.note,
        })),
    )?;
    Ok(item)
}

/// One child of a village in a round, with the latest outcome recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VillageChild {
    pub child_id: RowId,
    pub name: String,
    pub id_number: String,
    /// None: not reached yet.
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: Option<String>,
}

/// The children a round counts in one village, by name: those recorded
/// there (latest record wins, as in [`status`]) and the active children
/// living there not reached yet.
pub fn village_children(
    conn: &Connection,
    campaign_id: RowId,
    village_code: &str,
) -> Result<Vec<VillageChild>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.name, c.id_number, i.outcome, i.note, i.recorded_by, i.recorded_at
         FROM children c
         LEFT JOIN campaign_items i ON i.id = (SELECT i2.id FROM campaign_items i2
             WHERE i2.campaign_id = ?1 AND i2.child_id = c.id ORDER BY i2.recorded_at DESC, i2.id DESC LIMIT 1)
         WHERE (c.residence_division = ?2
                OR c.id IN (SELECT child_id FROM campaign_items WHERE campaign_id = ?1 AND village_code = ?2))
           AND ((i.id IS NOT NULL AND i.village_code = ?2)
                OR (i.id IS NULL AND c.status = 'active' AND c.residence_division = ?2))
         ORDER BY c.name_pinyin, c.name",
    )?;
    let rows = stmt.query_map(params![campaign_id, village_code], |r| {
        let outcome: Option<String> = r.get(3)?;
        Ok(VillageChild {
            child_id: r.get(0)?,
            name: r.get(1)?,
            id_number: r.get(2)?,
            outcome: outcome.as_deref().and_then(Outcome::from_code),
            note: r.get(4)?,
            recorded_by: r.get(5)?,
            recorded_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One village's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageCoverage {
    pub village_code: String,
    pub village_name: String,
    pub children: u64,
    pub confirmed: u64,
    pub updated: u64,
    pub closed: u64,
    pub pending: u64,
    /// Covered share, 0–1.
    pub coverage: f64,
    /// Behind the round's pace: covered share below the elapsed share of the
    /// period (after the period, any child still pending).
    pub late: bool,
}

/// A round's coverage on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignStatus {
    pub campaign: Campaign,
    pub as_of: NaiveDate,
    /// Share of the period elapsed, 0–1.
    pub expected_share: f64,
    pub children: u64,
    pub confirmed: u64,
    pub updated: u64,
    pub closed: u64,
    pub pending: u64,
    pub coverage: f64,
    pub villages: Vec<VillageCoverage>,
}

impl CampaignStatus {
    pub fn late_villages(&self) -> Vec<&VillageCoverage> {
        self.villages.iter().filter(|v| v.late).collect()
    }
}

/// One child's line in the locked snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildOutcome {
    pub child_id: RowId,
    pub village_code: String,
    /// None: not reached in this round.
    pub outcome: Option<Outcome>,
}

/// What closing locks in the campaign row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockedSnapshot {
    pub status: CampaignStatus,
    pub children: Vec<ChildOutcome>,
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

fn outcomes(conn: &Connection, c: &Campaign) -> Result<Vec<ChildOutcome>> {
    // Active children in the subtree now...
    let mut map: BTreeMap<RowId, ChildOutcome> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT id, residence_division FROM children WHERE status = 'active' AND residence_division GLOB ?1",
    )?;
    let pattern = format!("{}*", c.division_code.replace(['*', '?', '['], ""));
    for row in stmt.query_map([pattern], |r| {
        Ok((r.get::<_, RowId>(0)?, r.get::<_, String>(1)?))
    })? {
        let (id, village) = row?;
        map.insert(
            id,
            ChildOutcome {
                child_id: id,
                village_code: village,
                outcome: None,
            },
        );
    }
    // ...plus everyone recorded in the round (a closed file stays counted);
    // the latest record per child wins.
    let mut stmt = conn.prepare_cached(
        "SELECT child_id, village_code, outcome FROM campaign_items WHERE campaign_id = ?1
         ORDER BY recorded_at, id",
    )?;
    for row in stmt.query_map([c.id], |r| {
        Ok((
            r.get::<_, RowId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })? {
        let (id, village, outcome) = row?;
        map.insert(
            id,
            ChildOutcome {
                child_id: id,
                village_code: village,
                outcome: Outcome::from_code(&outcome),
            },
        );
    }
    Ok(map.into_values().collect())
}

fn summarise(
    conn: &Connection,
    c: &Campaign,
    rows: &[ChildOutcome],
    as_of: NaiveDate,
) -> Result<CampaignStatus> {
    let total_days = (c.period_end - c.period_start).num_days() + 1;
    let elapsed = (as_of - c.period_start).num_days() + 1;
    let expected_share = (elapsed as f64 / total_days.max(1) as f64).clamp(0.0, 1.0);
    let mut villages: BTreeMap<String, VillageCoverage> = BTreeMap::new();
    for r in rows {
        let v = villages
            .entry(r.village_code.clone())
            .or_insert_with(|| VillageCoverage {
                village_code: r.village_code.clone(),
                village_name: String::new(),
                children: 0,
                confirmed: 0,
                updated: 0,
                closed: 0,
                pending: 0,
                coverage: 0.0,
                late: false,
            });
        v.children += 1;
        match r.outcome {
            Some(Outcome::Confirmed) => v.confirmed += 1,
            Some(Outcome::Updated) => v.updated += 1,
            Some(Outcome::Closed) => v.closed += 1,
            None => v.pending += 1,
        }
    }
    let mut names: HashMap<String, String> = HashMap::new();
    for code in villages.keys() {
        if let Some(d) = divisions::get(conn, code)? {
            names.insert(code.clone(), d.name);
        }
    }
    let mut list: Vec<VillageCoverage> = villages
        .into_values()
        .map(|mut v| {
            v.village_name = names.get(&v.village_code).cloned().unwrap_or_default();
            v.coverage = share(v.children - v.pending, v.children);
            // Late means fewer children covered than the pace asks for in
            // whole children: on a round's first days the pace rounds down
            // to none, so no village is late before any work was due.
            let due_by_now = (expected_share * v.children as f64 + 1e-9).floor() as u64;
            v.late = v.children - v.pending < due_by_now;
            v
        })
        .collect();
    list.sort_by(|a, b| {
        b.late
            .cmp(&a.late)
            .then(a.coverage.total_cmp(&b.coverage))
            .then_with(|| a.village_code.cmp(&b.village_code))
    });
    let sum = |f: fn(&VillageCoverage) -> u64| list.iter().map(f).sum::<u64>();
    let children = sum(|v| v.children);
    let pending = sum(|v| v.pending);
    Ok(CampaignStatus {
        campaign: c.clone(),
        as_of,
        expected_share,
        children,
        confirmed: sum(|v| v.confirmed),
        updated: sum(|v| v.updated),
        closed: sum(|v| v.closed),
        pending,
        coverage: share(children - pending, children),
        villages: list,
    })
}

/// A round's coverage. For a closed round this is the locked snapshot.
pub fn status(conn: &Connection, campaign_id: RowId, today: NaiveDate) -> Result<CampaignStatus> {
    let c = get(conn, campaign_id)?.ok_or_else(|| CoreError::NotFound {
        what: "摸排",
        key: campaign_id.to_string(),
    })?;
    if c.state == CampaignState::Closed {
        return Ok(locked_snapshot(conn, campaign_id)?.status);
    }
    let rows = outcomes(conn, &c)?;
    summarise(conn, &c, &rows, today)
}

/// The snapshot locked when the round closed.
pub fn locked_snapshot(conn: &Connection, campaign_id: RowId) -> Result<LockedSnapshot> {
    let text: Option<String> = conn
        .query_row(
            "SELECT snapshot_json FROM campaigns WHERE id = ?1",
            [campaign_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let text = text.ok_or_else(|| CoreError::NotFound {
        what: "摸排结束快照",
        key: campaign_id.to_string(),
    })?;
    Ok(serde_json::from_str(&text)?)
}

/// Closes a round: computes the coverage, locks it with every child's
/// outcome in the campaign row, and audits. Returns the locked status.
pub fn close(tx: &mut WriteTx<'_>, campaign_id: RowId, today: NaiveDate) -> Result<CampaignStatus> {
    let c = get(tx.conn(), campaign_id)?.ok_or_else(|| CoreError::NotFound {
        what: "摸排",
        key: campaign_id.to_string(),
    })?;
    if c.state == CampaignState::Closed {
        return Err(CoreError::field("摸排", format!("“{}”已结束", c.title)));
    }
    let rows = outcomes(tx.conn(), &c)?;
    let mut status = summarise(tx.conn(), &c, &rows, today)?;
    let closed_by = tx.actor().name.clone();
    let closed_at = tx.now().to_string();
    status.campaign.state = CampaignState::Closed;
    status.campaign.closed_by = Some(closed_by.clone());
    status.campaign.closed_at = Some(closed_at.clone());
    let snapshot = LockedSnapshot {
        status: status.clone(),
        children: rows,
    };
    tx.conn().execute(
        "UPDATE campaigns SET status = 'closed', closed_by = ?2, closed_at = ?3, snapshot_json = ?4 WHERE id = ?1",
        params![campaign_id, closed_by, closed_at, serde_json::to_string(&snapshot)?],
    )?;
    tx.audit(
        AuditEntryInput::new(AuditAction::CampaignClose, "campaigns", Some(campaign_id.to_string())).detail(
            serde_json::json!({
                "title": c.title,
                "children": status.children,
                "covered": status.children - status.pending,
                "pending": status.pending,
                "late_villages": status.late_villages().iter().map(|v| v.village_code.clone()).collect::<Vec<_>>(),
            }),
        ),
    )?;
    Ok(status)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The summary report of a round, for the report engine.
pub fn summary_document(s: &CampaignStatus) -> Document {
    let title_style = TextStyle {
        font: FontRole::XiaoBiaoSong,
        size_pt: zihao::ER,
        ..Default::default()
    };
    let body = TextStyle {
        font: FontRole::Fangsong,
        size_pt: zihao::XIAO_SI,
        ..Default::default()
    };
    let head = TextStyle {
        font: FontRole::Hei,
        size_pt: zihao::WU,
        ..Default::default()
    };
    let cell = TextStyle {
        font: FontRole::Song,
        size_pt: zihao::WU,
        ..Default::default()
    };
    let c = &s.campaign;
    let mut doc = Document::new(format!("{}总结", c.title));
    doc.body.push(Block::Heading {
        level: 1,
        runs: vec![crate::document::Run::new(
            format!("{}总结", c.title),
            title_style,
        )],
        align: Align::Center,
    });
    let kv = |label: &str, value: String| KeyValueItem {
        label: label.to_string(),
        value,
        span: 1,
    };
    doc.body.push(Block::KeyValue(KeyValueGrid {
        pairs_per_row: 2,
        label_fraction: 0.35,
        items: vec![
            kv("摸排范围", c.division_code.clone()),
            kv("周期", c.cycle.clone()),
            kv(
                "起止日期",
                format!(
                    "{} 至 {}",
                    dates::format_zh(c.period_start),
                    dates::format_zh(c.period_end)
                ),
            ),
            kv(
                "状态",
                match c.state {
                    CampaignState::Open => format!("进行中（截至{}）", dates::format_zh(s.as_of)),
                    CampaignState::Closed => {
                        format!("已结束（{}）", c.closed_by.clone().unwrap_or_default())
                    }
                },
            ),
            kv("应排查儿童", s.children.to_string()),
            kv("覆盖率", pct(s.coverage)),
            kv("已核实", s.confirmed.to_string()),
            kv("已更新", s.updated.to_string()),
            kv("已销档", s.closed.to_string()),
            kv("未排查", s.pending.to_string()),
        ],
        style: body,
    }));
    let late = s.late_villages();
    doc.body.push(Block::Paragraph(Paragraph {
        first_line_indent_chars: 2.0,
        space_before_pt: 6.0,
        ..Paragraph::text(
            if late.is_empty() {
                "各村（居）进度均符合要求。".to_string()
            } else {
                format!(
                    "进度滞后的村（居）{}个：{}。",
                    late.len(),
                    late.iter()
                        .map(|v| v.village_name.clone())
                        .collect::<Vec<_>>()
                        .join("、")
                )
            },
            body,
        )
    }));
    let mut rows = vec![TableRow {
        cells: [
            "村（居）",
            "应排查",
            "已核实",
            "已更新",
            "已销档",
            "未排查",
            "覆盖率",
        ]
        .iter()
        .map(|h| TableCell::text(*h, head, Align::Center))
        .collect(),
    }];
    for v in &s.villages {
        let mut name = v.village_name.clone();
        if v.late {
            name.push_str("（滞后）");
        }
        rows.push(TableRow {
            cells: vec![
                TableCell::text(name, cell, Align::Left),
                TableCell::text(v.children.to_string(), cell, Align::Right),
                TableCell::text(v.confirmed.to_string(), cell, Align::Right),
                TableCell::text(v.updated.to_string(), cell, Align::Right),
                TableCell::text(v.closed.to_string(), cell, Align::Right),
                TableCell::text(v.pending.to_string(), cell, Align::Right),
                TableCell::text(pct(v.coverage), cell, Align::Right),
            ],
        });
    }
    doc.body.push(Block::Table(Table {
        column_fractions: vec![0.31, 0.115, 0.115, 0.115, 0.115, 0.115, 0.115],
        header_rows: 1,
        rows,
    }));
    doc
}
