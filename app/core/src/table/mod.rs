//! Spreadsheet exchange: reading messy XLSX/CSV files ([`read`]), column
//! mappings saved per source ([`mapping`]), importing children with a row
//! report ([`import`]), and exporting lists with a stated purpose
//! ([`export`]). The 数据比对 workbench ([`crate::compare`]) reads other
//! departments' lists through the same reader and mappings.

pub mod export;
pub mod import;
pub mod mapping;
pub mod persons;
mod prescan;
pub mod read;

pub use export::{ExportOutcome, ExportRequest, FileFormat, ListKind, export_list};
pub use import::{ImportOutcome, ImportPreview, RowProblem, import_children, prepare_children};
pub use mapping::{Field, Mapping};
pub use read::{Cell, RawTable, read_file};

use crate::error::{CoreError, Result};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::path::Path;

/// SHA-256 of a file, hex.
pub fn file_sha256(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

/// The mapping to use for a table: the saved one called `name`, or, when
/// there is none by that name (or no name), one proposed from the headers.
/// The flag is true when the mapping was proposed rather than loaded.
pub fn mapping_for(
    conn: &Connection,
    name: Option<&str>,
    table: &RawTable,
) -> Result<(Mapping, bool)> {
    if let Some(n) = name
        && let Some(m) = mapping::load(conn, n)?
    {
        return Ok((m, false));
    }
    let proposed_name = name.unwrap_or("自动识别");
    Ok((mapping::auto_map(proposed_name, &table.headers), true))
}

/// The mapping for a persons file: the saved one called `name`, else one
/// proposed from the headers (儿童身份证号 links the child).
pub fn mapping_for_persons(
    conn: &Connection,
    name: Option<&str>,
    table: &RawTable,
) -> Result<(Mapping, bool)> {
    if let Some(n) = name
        && let Some(m) = mapping::load(conn, n)?
    {
        return Ok((m, false));
    }
    Ok((
        mapping::auto_map_persons(name.unwrap_or("亲属名单"), &table.headers),
        true,
    ))
}

/// Reads a file and validates it as children's files: the preview the
/// import screen shows. Writes nothing.
pub fn preview_children_file(
    conn: &Connection,
    path: &Path,
    mapping_name: Option<&str>,
    today: hutong_national::NaiveDate,
) -> Result<ImportPreview> {
    let table = read_with_mapping(conn, path, mapping_name)?;
    let (mapping, _) = mapping_for(conn, mapping_name, &table)?;
    let sha = file_sha256(path)?;
    prepare_children(conn, &table, &mapping, &sha, today)
}

/// Reads a file, recognising the header row by the usual header names and
/// by the headers of the saved mapping `mapping_name`.
pub fn read_with_mapping(
    conn: &Connection,
    path: &Path,
    mapping_name: Option<&str>,
) -> Result<RawTable> {
    let saved: Vec<String> = match mapping_name {
        Some(n) => mapping::load(conn, n)?
            .map(|m| m.columns.into_iter().map(|c| c.header).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let known = |h: &str| -> bool { mapping::is_known_header(h) || saved.iter().any(|s| s == h) };
    read_file(path, &known)
}
