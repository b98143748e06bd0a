//! Statistics per township and category (统计报表): children in care, the
//! colour distribution, visits done versus due.
//!
//! Seams, stated plainly:
//! - **Colours.** Assessments (四色) are stored by another part of the
//!   system. If the database has an `assessments` table with `child_id` and
//!   `colour` columns, the latest colour per child is counted; otherwise
//!   every child counts as 未评估 and [`Statistics::colour_note`] says why.
//! - **Visits due.** Until the province plugin's visit policy drives the
//!   schedule, a child is due when not visited within `cadence_days`
//!   (default [`crate::visits::DEFAULT_CADENCE_DAYS`]).
//! - **Services delivered**: the `service_records` of this calendar year
//!   that are not voided (services to children in care, per township).
//!
//! Output: [`to_document`] (a core default report for `hutong-report`; a
//! plugin's statistics template replaces it when the plugin has one),
//! [`to_xlsx`] and [`bundle_json`] (the signed upward bundle's figures).

use crate::RowId;
use crate::access::Scope;
use crate::document::{
    Align, Block, Document, Orientation, Paragraph, Run, Table, TableCell, TableRow, TextStyle,
    zihao,
};
use crate::error::{CoreError, Result};
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use hutong_national::division::{self, DivisionLevel};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One line of the table: a township, or the total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatsRow {
    pub code: String,
    pub name: String,
    pub children: u64,
    pub by_category: BTreeMap<CaseCategory, u64>,
    /// Colour label → children (未评估 for those without an assessment).
    pub colours: BTreeMap<String, u64>,
    /// Visited within the cadence.
    pub visited: u64,
    /// Not visited within the cadence (includes never visited).
    pub due: u64,
    pub never_visited: u64,
    /// Services delivered this calendar year (not voided).
    pub services: u64,
}

impl StatsRow {
    fn add(&mut self, other: &StatsRow) {
        self.children += other.children;
        for (k, v) in &other.by_category {
            *self.by_category.entry(*k).or_default() += v;
        }
        for (k, v) in &other.colours {
            *self.colours.entry(k.clone()).or_default() += v;
        }
        self.visited += other.visited;
        self.due += other.due;
        self.never_visited += other.never_visited;
        self.services += other.services;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub county_code: String,
    pub county_name: String,
    pub today: NaiveDate,
    pub cadence_days: i64,
    pub townships: Vec<StatsRow>,
    pub total: StatsRow,
    /// Categories that occur, in national order (the table's columns).
    pub categories: Vec<CaseCategory>,
    pub colour_note: Option<String>,
    pub services_note: String,
}

/// Latest colour per child, if assessments are stored in this database.
fn colours(conn: &Connection) -> Option<HashMap<RowId, String>> {
    let cols: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('assessments')")
        .ok()?
        .query_map([], |r| r.get(0))
        .ok()?
        .filter_map(|r| r.ok())
        .collect();
    if !(cols.iter().any(|c| c == "child_id") && cols.iter().any(|c| c == "colour")) {
        return None;
    }
    let mut stmt = conn
        .prepare(
            "SELECT child_id, colour FROM assessments a WHERE colour IS NOT NULL
             AND rowid = (SELECT max(rowid) FROM assessments b WHERE b.child_id = a.child_id AND b.colour IS NOT NULL)",
        )
        .ok()?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, RowId>(0)?, r.get::<_, String>(1)?)))
        .ok()?;
    Some(rows.filter_map(|r| r.ok()).collect())
}

pub const UNASSESSED: &str = "未评估";

/// Computes the statistics of active children within `scope`.
pub fn compute(
    conn: &Connection,
    scope: &Scope,
    today: NaiveDate,
    cadence_days: i64,
) -> Result<Statistics> {
    let scope = scope.code().to_string();
    let county_name = crate::divisions::full_name(conn, &scope)?;
    let mut townships: BTreeMap<String, StatsRow> = BTreeMap::new();
    for d in crate::divisions::within(conn, &scope, DivisionLevel::Township)? {
        townships.insert(
            d.code.clone(),
            StatsRow {
                code: d.code,
                name: d.name,
                ..Default::default()
            },
        );
    }
    let colour_of = colours(conn);
    let mut cats: HashMap<RowId, Vec<CaseCategory>> = HashMap::new();
    {
        let mut stmt = conn.prepare(
            "SELECT k.child_id, k.category FROM categories k JOIN children c ON c.id = k.child_id
             WHERE k.status = 'active' AND c.status = 'active' AND c.residence_division GLOB ?1",
        )?;
        let rows = stmt.query_map([format!("{scope}*")], |r| {
            Ok((r.get::<_, RowId>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (id, code) = row?;
            if let Some(c) = CaseCategory::from_code(&code) {
                let v = cats.entry(id).or_default();
                if !v.contains(&c) {
                    v.push(c);
                }
            }
        }
    }
    let year_start = format!("{}-01-01", today.format("%Y"));
    let services: HashMap<RowId, u64> = {
        let mut stmt = conn.prepare(
            "SELECT s.child_id, count(*) FROM service_records s JOIN children c ON c.id = s.child_id
             WHERE s.status = 'active' AND s.service_date >= ?1 AND s.service_date <= ?2
               AND c.status = 'active' AND c.residence_division GLOB ?3
             GROUP BY s.child_id",
        )?;
        let rows = stmt.query_map(
            rusqlite::params![year_start, today.to_string(), format!("{scope}*")],
            |r| Ok((r.get::<_, RowId>(0)?, r.get::<_, i64>(1)? as u64)),
        )?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let cutoff = (today - chrono::Duration::days(cadence_days)).to_string();
    let mut stmt = conn.prepare(
        "SELECT c.id, c.residence_division,
                (SELECT max(v.visit_date) FROM visits v WHERE v.child_id = c.id AND v.status = 'active')
         FROM children c WHERE c.status = 'active' AND c.residence_division GLOB ?1",
    )?;
    let rows = stmt.query_map([format!("{scope}*")], |r| {
        Ok((
            r.get::<_, RowId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (id, village, last) = row?;
        let township = division::parent_code(&village)
            .unwrap_or(&village)
            .to_string();
        let t = townships
            .entry(township.clone())
            .or_insert_with(|| StatsRow {
                code: township.clone(),
                name: format!("（{township}）"),
                ..Default::default()
            });
        t.children += 1;
        t.services += services.get(&id).copied().unwrap_or(0);
        for c in cats.get(&id).map(Vec::as_slice).unwrap_or_default() {
            *t.by_category.entry(*c).or_default() += 1;
        }
        let colour = colour_of
            .as_ref()
            .and_then(|m| m.get(&id).cloned())
            .unwrap_or_else(|| UNASSESSED.to_string());
        *t.colours.entry(colour).or_default() += 1;
        match last {
            Some(d) if d >= cutoff => t.visited += 1,
            Some(_) => t.due += 1,
            None => {
                t.due += 1;
                t.never_visited += 1;
            }
        }
    }
    let townships: Vec<StatsRow> = townships.into_values().filter(|t| t.children > 0).collect();
    let mut total = StatsRow {
        code: scope.clone(),
        name: "合计".into(),
        ..Default::default()
    };
    for t in &townships {
        total.add(t);
    }
    let categories = CaseCategory::ALL
        .into_iter()
        .filter(|c| total.by_category.contains_key(c))
        .collect();
    Ok(Statistics {
        county_code: scope.get(..6).unwrap_or(&scope).to_string(),
        county_name,
        today,
        cadence_days,
        townships,
        total,
        categories,
        colour_note: colour_of
            .is_none()
            .then(|| "本库尚无四色评估记录，全部计为“未评估”".to_string()),
        services_note: format!(
            "服务人次为{}年1月1日至今登记的关爱服务（不含已作废）",
            today.format("%Y")
        ),
    })
}

impl Statistics {
    /// Headers and rows of the main table (numbers as text for the PDF).
    pub fn table(&self) -> (Vec<String>, Vec<(String, Vec<u64>)>) {
        let mut headers = vec!["乡镇（街道）".to_string(), "在档儿童".to_string()];
        headers.extend(self.categories.iter().map(|c| c.label_zh().to_string()));
        headers.extend([
            "已走访".into(),
            "待走访".into(),
            "从未走访".into(),
            "本年服务人次".into(),
        ]);
        let line = |r: &StatsRow| {
            let mut v = vec![r.children];
            v.extend(
                self.categories
                    .iter()
                    .map(|c| r.by_category.get(c).copied().unwrap_or(0)),
            );
            v.extend([r.visited, r.due, r.never_visited, r.services]);
            (r.name.clone(), v)
        };
        let mut rows: Vec<_> = self.townships.iter().map(line).collect();
        rows.push(line(&self.total));
        (headers, rows)
    }

    pub fn colour_table(&self) -> (Vec<String>, Vec<(String, Vec<u64>)>) {
        let colours: Vec<String> = self.total.colours.keys().cloned().collect();
        let mut headers = vec!["乡镇（街道）".to_string()];
        headers.extend(colours.iter().cloned());
        let line = |r: &StatsRow| {
            (
                r.name.clone(),
                colours
                    .iter()
                    .map(|c| r.colours.get(c).copied().unwrap_or(0))
                    .collect(),
            )
        };
        let mut rows: Vec<_> = self.townships.iter().map(line).collect();
        rows.push(line(&self.total));
        (headers, rows)
    }
}

fn doc_table(headers: &[String], rows: &[(String, Vec<u64>)]) -> Block {
    let small = TextStyle {
        size_pt: zihao::XIAO_WU,
        ..Default::default()
    };
    let bold = TextStyle {
        bold: true,
        font: crate::document::FontRole::Hei,
        ..small
    };
    let n = headers.len();
    let mut fractions = vec![2.0];
    fractions.extend(std::iter::repeat_n(1.0, n.saturating_sub(1)));
    let mut table_rows = vec![TableRow {
        cells: headers
            .iter()
            .map(|h| TableCell::text(h, bold, Align::Center))
            .collect(),
    }];
    for (name, values) in rows {
        let mut cells = vec![TableCell::text(name, small, Align::Left)];
        cells.extend(
            values
                .iter()
                .map(|v| TableCell::text(v.to_string(), small, Align::Right)),
        );
        table_rows.push(TableRow { cells });
    }
    Block::Table(Table {
        column_fractions: fractions,
        header_rows: 1,
        rows: table_rows,
    })
}

/// The core default statistics report as a document tree.
pub fn to_document(s: &Statistics) -> Document {
    let mut doc = Document::new(format!("{} 儿童关爱保护统计表", s.county_name));
    if s.categories.len() > 4 {
        doc.page.orientation = Orientation::Landscape;
    }
    let title = TextStyle {
        font: crate::document::FontRole::Hei,
        size_pt: zihao::XIAO_ER,
        bold: true,
        underline: false,
    };
    let body = TextStyle::default();
    doc.body.push(Block::Heading {
        level: 1,
        runs: vec![Run::new("儿童关爱保护工作统计表", title)],
        align: Align::Center,
    });
    doc.body.push(Block::Paragraph(Paragraph {
        align: Align::Center,
        ..Paragraph::text(
            format!(
                "{}　统计日期：{}",
                s.county_name,
                hutong_national::dates::format_zh(s.today)
            ),
            body,
        )
    }));
    let h2 = |t: &str| Block::Heading {
        level: 2,
        runs: vec![Run::new(
            t,
            TextStyle {
                font: crate::document::FontRole::Hei,
                size_pt: zihao::SI,
                ..Default::default()
            },
        )],
        align: Align::Left,
    };
    doc.body.push(h2("一、在档儿童、类别与走访"));
    let (headers, rows) = s.table();
    doc.body.push(doc_table(&headers, &rows));
    doc.body.push(Block::Paragraph(Paragraph::text(
        format!(
            "注：“已走访”指近{}天内有走访记录；一名儿童可属多个类别。",
            s.cadence_days
        ),
        TextStyle {
            size_pt: zihao::XIAO_WU,
            ..Default::default()
        },
    )));
    doc.body.push(h2("二、分级分色"));
    let (headers, rows) = s.colour_table();
    doc.body.push(doc_table(&headers, &rows));
    for note in s
        .colour_note
        .iter()
        .chain(std::iter::once(&s.services_note))
    {
        doc.body.push(Block::Paragraph(Paragraph::text(
            format!("注：{note}。"),
            TextStyle {
                size_pt: zihao::XIAO_WU,
                ..Default::default()
            },
        )));
    }
    doc
}

/// The statistics as a workbook (numbers as numbers).
pub fn to_xlsx(s: &Statistics) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err =
        |e: rust_xlsxwriter::XlsxError| CoreError::Internal(format!("生成 Excel 文件失败：{e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for (sheet_name, (headers, rows)) in [("类别与走访", s.table()), ("分级分色", s.colour_table())]
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name).map_err(err)?;
        ws.write_string(0, 0, format!("{}　统计日期 {}", s.county_name, s.today))
            .map_err(err)?;
        for (c, h) in headers.iter().enumerate() {
            ws.write_string_with_format(1, c as u16, h, &bold)
                .map_err(err)?;
        }
        for (r, (name, values)) in rows.iter().enumerate() {
            let r = r as u32 + 2;
            ws.write_string(r, 0, crate::table::export::neutralise(name).as_ref())
                .map_err(err)?;
            for (c, v) in values.iter().enumerate() {
                ws.write_number(r, c as u16 + 1, *v as f64).map_err(err)?;
            }
        }
        ws.set_column_width(0, 20).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// The upward bundle's format name (JSON beside its PDF, both signed).
pub const BUNDLE_FORMAT: &str = "hutong-statistics";

/// The statistics as the JSON an upward bundle carries to the city or
/// province: the figures, who sent them and when.
pub fn bundle_json(s: &Statistics, office: &str, generated_at: &str) -> serde_json::Value {
    serde_json::json!({
        "format": BUNDLE_FORMAT,
        "format_version": 1,
        "county_code": s.county_code,
        "county_name": s.county_name,
        "office": office,
        "generated_at": generated_at,
        "statistics": s,
    })
}
