//! Exporting lists to XLSX and CSV.
//!
//! Every export states a purpose, which the audit log records together with
//! the file's SHA-256, the row count and whether full ID numbers left the
//! building. ID numbers are masked unless the caller asks for full numbers
//! (the purpose is then the justification). Any cell that starts with
//! `= + - @` (or a tab or carriage return) gets a leading apostrophe, so a
//! name like `=HYPERLINK(...)` typed into a file never runs as a formula in
//! the office's Excel.

use crate::access::Scope;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::children::{self, ChildQuery, ChildStatus};
use crate::error::{CoreError, Result};
use crate::store::{Actor, Store};
use hutong_national::category::CaseCategory;
use hutong_national::id_number;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::path::Path;

/// XLSX or CSV, from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn from_path(path: &Path) -> Result<FileFormat> {
        match path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref()
        {
            Some("xlsx") => Ok(FileFormat::Xlsx),
            Some("csv") => Ok(FileFormat::Csv),
            _ => Err(CoreError::field(
                "输出文件",
                format!("{}：只支持 .xlsx 和 .csv", path.display()),
            )),
        }
    }
}

/// Neutralises a cell against formula injection (CSV/XLSX): text starting
/// with `=`, `+`, `-`, `@`, tab or CR gets a leading apostrophe.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

/// A table to write: headers and text rows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sheet {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Writes sheets as XLSX bytes. Every cell is written as text, so ID
/// numbers and codes keep all their digits.
pub fn xlsx_bytes(sheets: &[Sheet]) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let err =
        |e: rust_xlsxwriter::XlsxError| CoreError::Internal(format!("生成 Excel 文件失败：{e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&sheet.name).map_err(err)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, neutralise(h).as_ref(), &bold)
                .map_err(err)?;
            let width = sheet
                .rows
                .iter()
                .take(200)
                .map(|r| r.get(c).map(|s| s.chars().count()).unwrap_or(0))
                .max()
                .unwrap_or(0)
                .max(h.chars().count() * 2)
                .clamp(6, 40);
            ws.set_column_width(c as u16, width as f64 * 1.2)
                .map_err(err)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string_with_format(
                        r as u32 + 1,
                        c as u16,
                        neutralise(v).as_ref(),
                        &text,
                    )
                    .map_err(err)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// Writes one sheet as CSV bytes: UTF-8 with a BOM, which Excel on Chinese
/// Windows opens correctly.
pub fn csv_bytes(sheet: &Sheet) -> Result<Vec<u8>> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let row_err = |e: csv::Error| CoreError::Internal(format!("生成 CSV 失败：{e}"));
        w.write_record(sheet.headers.iter().map(|h| neutralise(h).into_owned()))
            .map_err(row_err)?;
        for row in &sheet.rows {
            w.write_record(row.iter().map(|v| neutralise(v).into_owned()))
                .map_err(row_err)?;
        }
        w.flush()
            .map_err(|e| CoreError::Internal(format!("生成 CSV 失败：{e}")))?;
    }
    Ok(out)
}

/// Which list to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ListKind {
    Children,
}

impl ListKind {
    pub fn from_name(s: &str) -> Option<ListKind> {
        match s.trim() {
            "children" | "儿童" | "儿童档案" => Some(ListKind::Children),
            _ => None,
        }
    }
}

/// An export request.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub list: ListKind,
    /// A division code (county, township or village) to restrict to; the
    /// exporting user's own scope is always applied as well.
    pub division: Option<String>,
    /// Closed files too.
    pub include_closed: bool,
    /// Why the list leaves the system; required, recorded in the audit log.
    pub purpose: String,
    /// Full ID numbers instead of masked ones.
    pub full_ids: bool,
    /// The 儿童档案 list's filters, so "export what I see" exports exactly it.
    pub search: Option<String>,
    pub category: Option<CaseCategory>,
    /// A status filter; overrides `include_closed` when set.
    pub status: Option<ChildStatus>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportOutcome {
    pub rows: usize,
    /// Of the sheet's bytes (before any encryption).
    pub sha256: String,
    pub format: FileFormat,
    /// The file written: `path`, or `path.zip` when sealed.
    pub written: std::path::PathBuf,
}

/// The columns of the children export; its headers re-import with the
/// automatic mapping.
pub const CHILD_HEADERS: [&str; 12] = [
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "乡镇（街道）",
    "村（居）",
    "村（居）代码",
    "儿童类别",
    "就学情况",
    "联系电话",
    "状态",
];

/// The children list within `scope` as a sheet. IDs and phones are
/// masked unless `full_ids`; a masked sheet shows the birth date, so the
/// ID mask must leave it ambiguous (`id_number::mask`).
pub fn children_sheet(store: &Store, scope: &Scope, req: &ExportRequest) -> Result<Sheet> {
    let conn = store.conn();
    let rows = children::list(
        conn,
        scope,
        &ChildQuery {
            division: req.division.clone(),
            status: req
                .status
                .or((!req.include_closed).then_some(ChildStatus::Active)),
            search: req.search.clone().filter(|s| !s.trim().is_empty()),
            category: req.category,
            ..Default::default()
        },
    )?;
    let mut townships = std::collections::HashMap::new();
    let mut stmt = conn.prepare_cached("SELECT code, name FROM divisions WHERE level = 4")?;
    for r in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let (c, n) = r?;
        townships.insert(c, n);
    }
    let mut extra = conn.prepare_cached("SELECT schooling, phone FROM children WHERE id = ?1")?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let (schooling, phone): (Option<String>, Option<String>) =
            extra.query_row([r.id], |x| Ok((x.get(0)?, x.get(1)?)))?;
        let township = r
            .residence_division
            .get(..9)
            .and_then(|t| townships.get(t))
            .cloned()
            .unwrap_or_default();
        out.push(vec![
            (i + 1).to_string(),
            r.name.clone(),
            r.sex.label_zh().to_string(),
            r.birth_date.to_string(),
            if req.full_ids {
                r.id_number.clone()
            } else {
                id_number::mask(&r.id_number)
            },
            township,
            r.village_name.clone(),
            r.residence_division.clone(),
            r.categories
                .iter()
                .map(|c: &CaseCategory| c.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
            schooling.unwrap_or_default(),
            match phone {
                Some(p) if !req.full_ids => id_number::mask_phone(&p),
                other => other.unwrap_or_default(),
            },
            r.status.label_zh().to_string(),
        ]);
    }
    Ok(Sheet {
        name: "儿童名单".into(),
        headers: CHILD_HEADERS.iter().map(|s| s.to_string()).collect(),
        rows: out,
    })
}

/// Writes `path` (format from its extension) and records the export, its
/// purpose and the file's hash in the audit log. If the audit entry cannot
/// be written the file is removed again.
///
/// A list with full ID numbers is sealed with `passphrase` (an AES-256 ZIP,
/// `FILE.xlsx.zip`, see [`crate::sealed`]); without one it is refused. A
/// masked list is written as it is.
pub fn export_list(
    store: &mut Store,
    actor: &Actor,
    req: &ExportRequest,
    path: &Path,
    passphrase: Option<&str>,
) -> Result<ExportOutcome> {
    let purpose = req.purpose.trim();
    if purpose.is_empty() {
        return Err(CoreError::field("导出用途", "导出前必须说明用途"));
    }
    if req.full_ids {
        crate::sealed::check_passphrase(passphrase.unwrap_or_default())?;
    }
    let format = FileFormat::from_path(path)?;
    let sheet = match req.list {
        ListKind::Children => children_sheet(store, actor.scope(), req)?,
    };
    let bytes = match format {
        FileFormat::Xlsx => xlsx_bytes(std::slice::from_ref(&sheet))?,
        FileFormat::Csv => csv_bytes(&sheet)?,
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let written = match (req.full_ids, passphrase) {
        (true, Some(p)) => crate::sealed::write(path, &bytes, p)?,
        _ => {
            crate::files::write_atomic(path, &bytes)?;
            path.to_path_buf()
        }
    };
    let path = written.as_path();
    let audited = store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new(AuditAction::TableExport, "children", None)
                .reason(purpose)
                .detail(serde_json::json!({
                    "list": "children",
                    "division": req.division,
                    "scope": actor.scope().code(),
                    "search": req.search,
                    "category": req.category.map(|c| c.code()),
                    "status": req.status.map(|s| s.label_zh()),
                    "rows": sheet.rows.len(),
                    "full_ids": req.full_ids,
                    "file": path.display().to_string(),
                    "format": format,
                    "sha256": sha256,
                    "encrypted": req.full_ids,
                })),
        )
    });
    if let Err(e) = audited {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(ExportOutcome {
        rows: sheet.rows.len(),
        sha256,
        format,
        written: written.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=1+1"), "'=1+1");
        assert_eq!(neutralise("+86 138"), "'+86 138");
        assert_eq!(neutralise("-5"), "'-5");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("张小雨"), "张小雨");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn csv_has_a_bom_and_neutralised_cells() {
        let s = Sheet {
            name: "x".into(),
            headers: vec!["姓名".into()],
            rows: vec![vec!["=cmd|' /C calc'!A0".into()]],
        };
        let b = csv_bytes(&s).unwrap();
        assert!(b.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(b[3..].to_vec()).unwrap();
        assert!(text.contains("'=cmd"), "{text}");
    }
}
