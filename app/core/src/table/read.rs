//! Reading spreadsheets as county offices really send them.
//!
//! Files come from Excel, WPS and other departments' systems. This module
//! turns XLSX/XLS (calamine) and CSV (any encoding Excel writes: UTF-8 with
//! or without BOM, UTF-16 with BOM, GBK) into a [`RawTable`]: the header row
//! (found even when titles sit above it), and the data rows with their real
//! line numbers so every message can name the file, row and column.
//!
//! - Merged cells: calamine reports a merged region's value only in its
//!   top-left cell. Below the header we copy that value into every cell of the
//!   region (a village written once for ten rows means ten rows in that
//!   village) and say so in [`RawTable::notes`].
//! - Empty rows anywhere (including the hundreds of formatted but empty
//!   trailing rows Excel keeps) are skipped.
//! - Nothing here interprets values; [`Cell`] keeps what the file held so the
//!   field converters can recognise Excel's damage (IDs stored as numbers,
//!   date serials).

use crate::error::{CoreError, Result};
use hutong_national::NaiveDate;
use std::path::Path;

/// One cell as the file held it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A cell Excel formatted as a date (its serial already converted).
    Date(NaiveDate),
    Bool(bool),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as a person would read it in the sheet.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(f) => format_number(*f),
            Cell::Date(d) => d.to_string(),
            Cell::Bool(b) => if *b { "是" } else { "否" }.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// Integers without a decimal point (codes, counts); other numbers as Rust prints them.
pub fn format_number(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// What kind of file a table came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFormat {
    /// CSV text, with the encoding it was decoded from.
    Csv { encoding: String },
    /// A workbook sheet.
    Workbook { sheet: String },
}

/// A data row: its 1-based line (row number in Excel, line in the CSV file)
/// and its cells up to the row's last non-empty one (never wider than the
/// header; use [`RawRow::get`], which reads missing cells as empty).
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    pub line: usize,
    pub cells: Vec<Cell>,
}

impl RawRow {
    pub fn get(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }
}

/// A sheet read from a file: header and data rows.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTable {
    /// The file name, for messages.
    pub source: String,
    pub format: SourceFormat,
    /// 1-based line of the header row.
    pub header_line: usize,
    /// Header texts, normalised ([`normalize_header`]); a column without a
    /// header is called 第N列.
    pub headers: Vec<String>,
    pub rows: Vec<RawRow>,
    /// What the reader did that the user should know: the encoding, a title
    /// above the header, merged cells filled, undecodable characters.
    pub notes: Vec<String>,
}

impl RawTable {
    /// "C列（身份证号）" for messages.
    pub fn column_label(&self, col: usize) -> String {
        match self.headers.get(col) {
            Some(h) => format!("{}列（{h}）", column_letter(col)),
            None => format!("{}列", column_letter(col)),
        }
    }
}

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// Header text as compared against mappings: whitespace and required-field
/// stars removed, full-width brackets made ASCII.
pub fn normalize_header(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// Rows a file may have before its header (titles, notes, blank lines).
const HEADER_SEARCH_ROWS: usize = 30;
/// Biggest file we read into memory.
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// The readers' limits (SECURITY.md §7, issue #18). Each is checked before
/// the data it bounds is stored, so a hostile file is refused with a
/// message rather than allowed to exhaust memory.
///
/// - rows: the last line or sheet row holding data (titles and header
///   included), so 500,000 data rows always fit;
/// - columns: the last column holding data, on any row;
/// - cell length: Excel's own limit per cell;
/// - cells: every cell kept, empty ones inside a row included (rows are
///   kept only up to their last non-empty cell: nothing is sized to the
///   widest row);
/// - the uncompressed size of each zip entry of an XLSX/XLSB/ODS file, and
///   of all of them together, checked from the zip directory before any
///   entry is inflated (the zip reader stops at the declared size);
/// - XLS and ODS sheets are pre-scanned, because calamine builds a dense
///   grid for them: their extent (rows × columns) is bounded too.
pub mod limits {
    /// Highest row (line) number that may hold data.
    pub const MAX_ROWS: usize = 600_000;
    /// Highest column number that may hold data.
    pub const MAX_COLUMNS: usize = 1_000;
    /// Characters in one cell (Excel's own limit).
    pub const MAX_CELL_CHARS: usize = 32_767;
    /// Cells kept for one sheet (≈ 500,000 rows of 10 columns).
    pub const MAX_CELLS: usize = 5_000_000;
    /// Rows × columns of a sheet that the workbook library stores densely (XLS, ODS).
    pub const MAX_DENSE_CELLS: u64 = 6_000_000;
    /// Uncompressed size of one worksheet in an XLSX/XLSB (streamed, never held whole).
    pub const MAX_SHEET_ENTRY_BYTES: u64 = 512 * 1024 * 1024;
    /// Uncompressed size of any other zip entry (shared strings, styles, ODS
    /// content), which the workbook library holds in memory.
    pub const MAX_OTHER_ENTRY_BYTES: u64 = 160 * 1024 * 1024;
    /// Uncompressed size of all zip entries together.
    pub const MAX_TOTAL_UNCOMPRESSED_BYTES: u64 = 1024 * 1024 * 1024;
    /// Entries in one zip container.
    pub const MAX_ZIP_ENTRIES: usize = 10_000;
}
use limits::*;

/// A limit was passed while reading `name` (sheet `sheet`).
fn too_large(
    name: &str,
    sheet: Option<&str>,
    what: impl Into<String>,
    limit: impl Into<String>,
) -> CoreError {
    CoreError::LimitExceeded {
        path: name.into(),
        sheet: sheet.map(str::to_string),
        what: what.into(),
        limit: limit.into(),
    }
}

/// Counts the cells a sheet keeps and refuses past [`MAX_CELLS`].
struct CellBudget {
    name: String,
    sheet: Option<String>,
    used: usize,
}

impl CellBudget {
    fn take(&mut self, n: usize, line: usize) -> Result<()> {
        self.used = self.used.saturating_add(n);
        if self.used > MAX_CELLS {
            return Err(too_large(
                &self.name,
                self.sheet.as_deref(),
                format!("单元格总数（读到第{line}行时已超过 {MAX_CELLS} 个）"),
                format!("每个表最多 {MAX_CELLS} 个单元格"),
            ));
        }
        Ok(())
    }
}

/// Checks one row's position against the row limit.
fn check_row(name: &str, sheet: Option<&str>, line: usize) -> Result<()> {
    if line > MAX_ROWS {
        return Err(too_large(
            name,
            sheet,
            format!("行数（第{line}行仍有数据）"),
            format!("最多 {MAX_ROWS} 行"),
        ));
    }
    Ok(())
}

/// Checks a cell's column and length. `col` is 0-based.
fn check_cell(name: &str, sheet: Option<&str>, line: usize, col: usize, text: &str) -> Result<()> {
    if col >= MAX_COLUMNS {
        return Err(too_large(
            name,
            sheet,
            format!("列数（第{line}行第{}列有数据）", col + 1),
            format!("每行最多 {MAX_COLUMNS} 列"),
        ));
    }
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        return Err(too_large(
            name,
            sheet,
            format!(
                "单元格 {}{line} 的长度（{} 个字符）",
                column_letter(col),
                text.chars().count()
            ),
            format!("每个单元格最多 {MAX_CELL_CHARS} 个字符"),
        ));
    }
    Ok(())
}

/// Reads a CSV or workbook file. `is_known_header` recognises header texts
/// (the mapping's aliases) so the header row can be found below titles.
pub fn read_file(path: &Path, is_known_header: &dyn Fn(&str) -> bool) -> Result<RawTable> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let meta = std::fs::metadata(path).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large(
            &path.display().to_string(),
            None,
            format!("文件大小（{} MB）", meta.len() / 1_048_576),
            format!("最大 {} MB", MAX_FILE_BYTES / 1_048_576),
        ));
    }
    let bytes = std::fs::read(path).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let result = match ext.as_str() {
        "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => {
            read_workbook_bytes(&bytes, &name, is_known_header)
        }
        "csv" | "txt" | "tsv" => read_csv_owned(bytes, &name, is_known_header),
        _ if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) => {
            read_workbook_bytes(&bytes, &name, is_known_header)
        }
        _ => read_csv_owned(bytes, &name, is_known_header),
    };
    result.map_err(|e| match e {
        CoreError::BadFile { message, .. } => CoreError::BadFile {
            path: path.to_path_buf(),
            message,
        },
        CoreError::LimitExceeded {
            sheet, what, limit, ..
        } => CoreError::LimitExceeded {
            path: path.to_path_buf(),
            sheet,
            what,
            limit,
        },
        other => other,
    })
}

fn bad(name: &str, message: impl Into<String>) -> CoreError {
    CoreError::BadFile {
        path: name.into(),
        message: message.into(),
    }
}

/// Decodes text the way Excel may have written it. A BOM decides; else valid
/// UTF-8 is UTF-8; else it is GBK (decoded as GB18030, its superset), which
/// is what Excel on a Chinese Windows writes for "CSV (逗号分隔)".
/// Returns the text, the encoding's name, and whether some bytes could not
/// be decoded (they become U+FFFD).
pub fn decode_text(bytes: &[u8]) -> (String, &'static str, bool) {
    let (text, name, had_errors) = decode_cow(bytes);
    (text.into_owned(), name, had_errors)
}

/// [`decode_text`] without copying valid UTF-8.
fn decode_cow(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static str, bool) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = bytes.get(bom_len..).unwrap_or_default();
        let (text, had_errors) = enc.decode_without_bom_handling(rest);
        let name = if enc == encoding_rs::UTF_8 {
            "UTF-8（带 BOM）"
        } else if enc == encoding_rs::UTF_16LE {
            "UTF-16LE"
        } else {
            "UTF-16BE"
        };
        return (text, name, had_errors);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), "UTF-8", false),
        Err(_) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            (text, "GBK", had_errors)
        }
    }
}

/// Reads CSV from an owned buffer: when the text had to be decoded, the raw
/// bytes are freed before the rows are read.
fn read_csv_owned(
    bytes: Vec<u8>,
    name: &str,
    is_known_header: &dyn Fn(&str) -> bool,
) -> Result<RawTable> {
    let (text, encoding, had_errors) = decode_cow(&bytes);
    match text {
        std::borrow::Cow::Borrowed(_) => {
            read_csv_text(&bytes, None, encoding, had_errors, name, is_known_header)
        }
        std::borrow::Cow::Owned(text) => {
            drop(bytes);
            read_csv_text(&[], Some(text), encoding, had_errors, name, is_known_header)
        }
    }
}

/// Reads CSV bytes (any of the encodings [`decode_text`] knows). Comma,
/// tab or semicolon separated, whichever the header-area lines use most.
pub fn read_csv_bytes(
    bytes: &[u8],
    name: &str,
    is_known_header: &dyn Fn(&str) -> bool,
) -> Result<RawTable> {
    let (text, encoding, had_errors) = decode_cow(bytes);
    let owned = match text {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(t) => Some(t),
    };
    read_csv_text(bytes, owned, encoding, had_errors, name, is_known_header)
}

/// `owned` is the decoded text when it is not `raw` itself (valid UTF-8).
fn read_csv_text(
    raw: &[u8],
    owned: Option<String>,
    encoding: &str,
    had_errors: bool,
    name: &str,
    is_known_header: &dyn Fn(&str) -> bool,
) -> Result<RawTable> {
    let text: &str = match &owned {
        Some(t) => t,
        // Only called with `raw` valid UTF-8 when nothing was decoded.
        None => std::str::from_utf8(raw).map_err(|e| bad(name, format!("编码错误：{e}")))?,
    };
    let head: String = text
        .lines()
        .take(HEADER_SEARCH_ROWS)
        .collect::<Vec<_>>()
        .join("\n");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| head.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut grid: Vec<(usize, Vec<Cell>)> = Vec::new();
    let mut lines = LineCounter::new(text.as_bytes());
    let mut budget = CellBudget {
        name: name.to_string(),
        sheet: None,
        used: 0,
    };
    let mut record = csv::StringRecord::new();
    let mut i = 0usize;
    loop {
        i += 1;
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| lines.line_at(p.byte() as usize))
                    .unwrap_or(i);
                return Err(bad(name, format!("第{line}行不是有效的 CSV：{e}")));
            }
        }
        // The csv crate counts lines by '\n' but starts a record right after
        // the '\r' of a CRLF, so with Excel's CRLF its line numbers lag one
        // behind from the second record on; count from the byte offset instead.
        let line = record
            .position()
            .map(|p| lines.line_at(p.byte() as usize))
            .unwrap_or(i);
        // Keep the row only up to its last non-empty field; an empty row is
        // not kept at all (it would be dropped below anyway).
        let Some(last) = (0..record.len())
            .rev()
            .find(|&i| record.get(i).is_some_and(|s| !s.trim().is_empty()))
        else {
            continue;
        };
        check_row(name, None, line)?;
        check_cell(name, None, line, last, "")?;
        budget.take(last + 1, line)?;
        let mut cells = Vec::with_capacity(last + 1);
        for (col, s) in record.iter().take(last + 1).enumerate() {
            check_cell(name, None, line, col, s)?;
            cells.push(if s.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s.to_string())
            });
        }
        grid.push((line, cells));
    }
    drop(reader);
    drop(owned);
    let mut notes = vec![format!("文件编码：{encoding}")];
    if had_errors {
        notes.push(format!(
            "部分字节无法按 {encoding} 解码，已显示为“�”；含这些字符的行会被报告"
        ));
    }
    build_table(
        grid,
        name,
        SourceFormat::Csv {
            encoding: encoding.to_string(),
        },
        notes,
        &[],
        &mut budget,
        is_known_header,
    )
}

/// 1-based line numbers of byte offsets, for offsets given in increasing order.
struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            pos: 0,
            line: 1,
        }
    }

    /// The line a record starting at `byte` is on: line breaks before it
    /// count, and so does a break the record's offset points into (the '\n'
    /// of a CRLF, or blank lines the reader skipped).
    fn line_at(&mut self, byte: usize) -> usize {
        let mut start = byte.min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start < self.pos {
            return self.line;
        }
        self.line += self.bytes[self.pos..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        // A lone '\r' (old Mac line ends) also ends a line.
        self.line += self.bytes[self.pos..start]
            .windows(2)
            .filter(|w| w[0] == b'\r' && w[1] != b'\n')
            .count();
        self.pos = start;
        self.line
    }
}

/// A merged region in 0-based absolute sheet coordinates (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merged {
    pub first_row: usize,
    pub first_col: usize,
    pub last_row: usize,
    pub last_col: usize,
}

/// A sheet's name, its rows (1-based line, cells) and its merged regions.
type SheetGrid = (String, Vec<(usize, Vec<Cell>)>, Vec<Merged>);

/// Reads the first non-empty sheet of a workbook (XLSX, XLS, XLSB, ODS).
///
/// Before calamine parses anything, the container is checked
/// ([`super::prescan`]): zip entries' uncompressed sizes from the zip
/// directory, and for XLS and ODS (which calamine stores as a dense grid)
/// the extent of every sheet. XLSX and XLSB sheets are then streamed cell by
/// cell, so a sheet whose only cells are A1 and XFD1048576 costs two cells,
/// not seventeen billion.
pub fn read_workbook_bytes(
    bytes: &[u8],
    name: &str,
    is_known_header: &dyn Fn(&str) -> bool,
) -> Result<RawTable> {
    // calamine has panicked on some corrupt containers in the past; a bad
    // file must become an error message, never a crash.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> Result<(SheetGrid, usize)> {
            use calamine::Reader;
            let kind = super::prescan::check_container(bytes, name)?;
            let mut budget = CellBudget {
                name: name.to_string(),
                sheet: None,
                used: 0,
            };
            let grid = match kind {
                super::prescan::Kind::Xlsx => read_xlsx(bytes, name, &mut budget)?,
                super::prescan::Kind::Xlsb => read_xlsb(bytes, name, &mut budget)?,
                super::prescan::Kind::Ods => {
                    let wb: calamine::Ods<_> = calamine::Ods::new(std::io::Cursor::new(bytes))
                        .map_err(|e| open_error(name, e))?;
                    read_dense(calamine::Sheets::Ods(wb), name, &mut budget)?
                }
                super::prescan::Kind::Xls => {
                    let wb: calamine::Xls<_> = calamine::Xls::new(std::io::Cursor::new(bytes))
                        .map_err(|e| open_error(name, e))?;
                    read_dense(calamine::Sheets::Xls(wb), name, &mut budget)?
                }
            };
            Ok((grid, budget.used))
        },
    ));
    let ((sheet, grid, merged), used) = match outcome {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err(bad(name, "文件已损坏，无法读取（解析器中止）")),
    };
    let notes = vec![format!("工作表：{sheet}")];
    let mut budget = CellBudget {
        name: name.to_string(),
        sheet: Some(sheet.clone()),
        used,
    };
    build_table(
        grid,
        name,
        SourceFormat::Workbook { sheet },
        notes,
        &merged,
        &mut budget,
        is_known_header,
    )
}

fn open_error(name: &str, e: impl std::fmt::Display) -> CoreError {
    bad(name, format!("无法作为 Excel 工作簿打开：{e}"))
}

/// Rows of a sheet being read: sparse by row, each row only as wide as its
/// last cell.
struct SheetRows<'a> {
    name: &'a str,
    sheet: String,
    rows: std::collections::BTreeMap<u32, Vec<Cell>>,
}

impl SheetRows<'_> {
    fn add(&mut self, budget: &mut CellBudget, (r, c): (u32, u32), value: Cell) -> Result<()> {
        if value.is_empty() {
            return Ok(());
        }
        let line = r as usize + 1;
        let col = c as usize;
        let sheet = Some(self.sheet.as_str());
        check_row(self.name, sheet, line)?;
        let text = match &value {
            Cell::Text(t) | Cell::Error(t) => t.as_str(),
            _ => "",
        };
        check_cell(self.name, sheet, line, col, text)?;
        let row = self.rows.entry(r).or_default();
        if col >= row.len() {
            budget.take(col + 1 - row.len(), line)?;
            row.resize(col + 1, Cell::Empty);
        }
        row[col] = value;
        Ok(())
    }

    fn into_grid(self) -> Vec<(usize, Vec<Cell>)> {
        self.rows
            .into_iter()
            .map(|(r, cells)| (r as usize + 1, cells))
            .collect()
    }
}

/// Refuses a sheet whose declared dimension is beyond the limits.
fn check_declared(name: &str, sheet: &str, d: calamine::Dimensions) -> Result<()> {
    let rows = d.end.0 as usize + 1;
    let cols = d.end.1 as usize + 1;
    if rows > MAX_ROWS || cols > MAX_COLUMNS {
        return Err(too_large(
            name,
            Some(sheet),
            format!(
                "声明的范围 {}{}:{}{}（{rows} 行 × {cols} 列）",
                column_letter(d.start.1 as usize),
                d.start.0 as usize + 1,
                column_letter(d.end.1 as usize),
                rows
            ),
            format!("最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列"),
        ));
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], name: &str, budget: &mut CellBudget) -> Result<SheetGrid> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| open_error(name, e))?;
    let sheets = wb.sheet_names();
    if sheets.is_empty() {
        return Err(bad(name, "工作簿中没有工作表"));
    }
    for sheet in &sheets {
        budget.sheet = Some(sheet.clone());
        let mut rows = SheetRows {
            name,
            sheet: sheet.clone(),
            rows: Default::default(),
        };
        {
            let mut reader = match wb.worksheet_cells_reader(sheet) {
                Ok(r) => r,
                Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(bad(name, format!("工作表“{sheet}”无法读取：{e}"))),
            };
            check_declared(name, sheet, reader.dimensions())?;
            while let Some(cell) = reader
                .next_cell()
                .map_err(|e| bad(name, format!("工作表“{sheet}”无法读取：{e}")))?
            {
                rows.add(budget, cell.get_position(), convert_ref(cell.get_value()))?;
            }
        }
        if rows.rows.is_empty() {
            budget.used = 0;
            continue;
        }
        let merged = wb
            .merge_cells_by_sheet_name(sheet)
            .unwrap_or_default()
            .into_iter()
            .map(merged_of)
            .collect();
        return Ok((sheet.clone(), rows.into_grid(), merged));
    }
    Err(bad(name, "工作簿中所有工作表都是空的"))
}

fn read_xlsb(bytes: &[u8], name: &str, budget: &mut CellBudget) -> Result<SheetGrid> {
    use calamine::Reader;
    let mut wb: calamine::Xlsb<_> =
        calamine::Xlsb::new(std::io::Cursor::new(bytes)).map_err(|e| open_error(name, e))?;
    let sheets = wb.sheet_names();
    if sheets.is_empty() {
        return Err(bad(name, "工作簿中没有工作表"));
    }
    for sheet in &sheets {
        budget.sheet = Some(sheet.clone());
        let mut rows = SheetRows {
            name,
            sheet: sheet.clone(),
            rows: Default::default(),
        };
        let mut reader = wb
            .worksheet_cells_reader(sheet)
            .map_err(|e| bad(name, format!("工作表“{sheet}”无法读取：{e}")))?;
        check_declared(name, sheet, reader.dimensions())?;
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| bad(name, format!("工作表“{sheet}”无法读取：{e}")))?
        {
            rows.add(budget, cell.get_position(), convert_ref(cell.get_value()))?;
        }
        if rows.rows.is_empty() {
            budget.used = 0;
            continue;
        }
        return Ok((sheet.clone(), rows.into_grid(), Vec::new()));
    }
    Err(bad(name, "工作簿中所有工作表都是空的"))
}

/// XLS and ODS: calamine reads them whole into dense ranges; the prescan
/// has already bounded every sheet's extent.
fn read_dense<RS: std::io::Read + std::io::Seek>(
    mut wb: calamine::Sheets<RS>,
    name: &str,
    budget: &mut CellBudget,
) -> Result<SheetGrid> {
    use calamine::Reader;
    let sheets = wb.sheet_names();
    if sheets.is_empty() {
        return Err(bad(name, "工作簿中没有工作表"));
    }
    for sheet in &sheets {
        let range = wb
            .worksheet_range(sheet)
            .map_err(|e| bad(name, format!("工作表“{sheet}”无法读取：{e}")))?;
        budget.sheet = Some(sheet.clone());
        let mut rows = SheetRows {
            name,
            sheet: sheet.clone(),
            rows: Default::default(),
        };
        for (r, c, value) in range.used_cells() {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            rows.add(
                budget,
                (r0.saturating_add(r as u32), c0.saturating_add(c as u32)),
                convert_cell(value),
            )?;
        }
        if rows.rows.is_empty() {
            budget.used = 0;
            continue;
        }
        let merged = merged_regions(&mut wb, sheet);
        return Ok((sheet.clone(), rows.into_grid(), merged));
    }
    Err(bad(name, "工作簿中所有工作表都是空的"))
}

fn merged_of(d: calamine::Dimensions) -> Merged {
    Merged {
        first_row: d.start.0 as usize,
        first_col: d.start.1 as usize,
        last_row: d.end.0 as usize,
        last_col: d.end.1 as usize,
    }
}

fn merged_regions<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Sheets<RS>,
    sheet: &str,
) -> Vec<Merged> {
    let dims: Vec<calamine::Dimensions> = match wb {
        calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        _ => Vec::new(),
    };
    dims.into_iter().map(merged_of).collect()
}

fn convert_cell(d: &calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => {
            if s.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s.clone())
            }
        }
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match excel_serial_to_date(dt.as_f64()) {
            Some(date) if dt.is_datetime() => Cell::Date(date),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => match s.get(..10).and_then(|p| p.parse().ok()) {
            Some(date) => Cell::Date(date),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

fn convert_ref(d: &calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match d {
        DataRef::SharedString(s) => {
            if s.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text((*s).to_string())
            }
        }
        DataRef::String(s) => convert_cell(&calamine::Data::String(s.clone())),
        DataRef::Empty => Cell::Empty,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => convert_cell(&calamine::Data::DateTime(*dt)),
        DataRef::DateTimeIso(s) => convert_cell(&calamine::Data::DateTimeIso(s.clone())),
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(format!("{e}")),
    }
}

/// Converts an Excel (1900 date system) serial to a date. Serial 1 is
/// 1900-01-01; Excel's fictitious 1900-02-29 (serial 60) is not a date.
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    if days == 60 {
        return None;
    }
    let base = if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    base.checked_add_signed(chrono::Duration::days(days))
}

/// Finds the header among the first rows: the row with the most known
/// header texts (at least two); failing that, the first row with two or
/// more non-empty cells that are all text (a title is usually one merged cell).
fn detect_header(
    grid: &[(usize, Vec<Cell>)],
    is_known_header: &dyn Fn(&str) -> bool,
) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, (_, cells)) in grid.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let score = cells
            .iter()
            .filter(|c| matches!(c, Cell::Text(t) if is_known_header(&normalize_header(t))))
            .count();
        if score >= 2 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    if let Some((i, _)) = best {
        return Some(i);
    }
    grid.iter().take(HEADER_SEARCH_ROWS).position(|(_, cells)| {
        let filled: Vec<&Cell> = cells.iter().filter(|c| !c.is_empty()).collect();
        filled.len() >= 2 && filled.iter().all(|c| matches!(c, Cell::Text(_)))
    })
}

fn build_table(
    mut grid: Vec<(usize, Vec<Cell>)>,
    name: &str,
    format: SourceFormat,
    mut notes: Vec<String>,
    merged: &[Merged],
    budget: &mut CellBudget,
    is_known_header: &dyn Fn(&str) -> bool,
) -> Result<RawTable> {
    // Drop empty rows first: blank lines above a header and the formatted
    // but empty rows Excel keeps at the end are not data.
    grid.retain(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    if grid.is_empty() {
        return Err(bad(name, "文件中没有任何数据"));
    }
    let Some(h) = detect_header(&grid, is_known_header) else {
        return Err(bad(
            name,
            format!("前{HEADER_SEARCH_ROWS}行中找不到表头行（应有“姓名”“身份证号”等列名）"),
        ));
    };
    let (header_line, header_cells) = grid[h].clone();
    if h > 0 || header_line > 1 {
        notes.push(format!(
            "表头在第{header_line}行，其上{}行（标题或说明）已忽略",
            header_line - 1
        ));
    }
    // Header width: up to the last non-empty header cell, but at least as
    // wide as the widest data row so no value is silently dropped.
    let header_width = header_cells
        .iter()
        .rposition(|c| !c.is_empty())
        .map(|p| p + 1)
        .unwrap_or(0);
    let data_width = grid[h + 1..]
        .iter()
        .map(|(_, c)| {
            c.iter()
                .rposition(|x| !x.is_empty())
                .map(|p| p + 1)
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    let width = header_width.max(data_width);
    let mut seen = std::collections::HashMap::new();
    let headers: Vec<String> = (0..width)
        .map(|i| {
            let h = header_cells.get(i).map(Cell::display).unwrap_or_default();
            let h = normalize_header(&h);
            let h = if h.is_empty() {
                format!("第{}列", i + 1)
            } else {
                h
            };
            // Two columns with one name: the second gets a suffix so a
            // mapping can tell them apart.
            let n = seen.entry(h.clone()).or_insert(0usize);
            *n += 1;
            if *n > 1 { format!("{h}#{n}") } else { h }
        })
        .collect();
    // Rows stay as wide as their own last cell ([`RawRow::get`] reads
    // anything further right as empty): nothing is sized to the widest row.
    let mut rows: Vec<RawRow> = grid
        .into_iter()
        .skip(h + 1)
        .map(|(line, cells)| RawRow { line, cells })
        .collect();

    // Merged regions below the header: copy the top-left value down and across.
    let mut filled_regions = Vec::new();
    if !merged.is_empty() {
        let index: std::collections::HashMap<usize, usize> =
            rows.iter().enumerate().map(|(i, r)| (r.line, i)).collect();
        for m in merged {
            // `line` is 1-based, region rows 0-based.
            let top_line = m.first_row + 1;
            if top_line <= header_line {
                continue;
            }
            let Some(&top) = index.get(&top_line) else {
                continue;
            };
            let value = rows[top].get(m.first_col).clone();
            if value.is_empty() {
                continue;
            }
            let mut any = false;
            // A hostile region may claim four billion rows: stop at the last row read.
            let last_line = rows.last().map_or(0, |r| r.line);
            for line in top_line..=(m.last_row + 1).min(last_line) {
                let Some(&ri) = index.get(&line) else {
                    continue;
                };
                let last_col = m.last_col.min(width.saturating_sub(1));
                if m.first_col > last_col {
                    continue;
                }
                let row = &mut rows[ri].cells;
                if row.len() <= last_col {
                    // Filling widens the row: those cells count too.
                    budget.take(last_col + 1 - row.len(), line)?;
                    row.resize(last_col + 1, Cell::Empty);
                }
                for col in m.first_col..=last_col {
                    if (line, col) != (top_line, m.first_col)
                        && let Some(cell) = row.get_mut(col)
                        && cell.is_empty()
                    {
                        *cell = value.clone();
                        any = true;
                    }
                }
            }
            if any {
                filled_regions.push(format!(
                    "{}{}:{}{}",
                    column_letter(m.first_col),
                    m.first_row + 1,
                    column_letter(m.last_col),
                    m.last_row + 1
                ));
            }
        }
    }
    if !filled_regions.is_empty() {
        let shown: Vec<&str> = filled_regions.iter().take(10).map(String::as_str).collect();
        notes.push(format!(
            "{}处合并单元格已按左上角的值填充：{}{}",
            filled_regions.len(),
            shown.join("、"),
            if filled_regions.len() > 10 {
                " 等"
            } else {
                ""
            }
        ));
    }
    rows.retain(|r| r.cells.iter().any(|c| !c.is_empty()));
    Ok(RawTable {
        source: name.to_string(),
        format,
        header_line,
        headers,
        rows,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(h: &str) -> bool {
        ["姓名", "身份证号", "村(居)"].contains(&h)
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn excel_serials() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(excel_serial_to_date(1.0), d(1900, 1, 1));
        assert_eq!(excel_serial_to_date(59.0), d(1900, 2, 28));
        assert_eq!(excel_serial_to_date(60.0), None);
        assert_eq!(excel_serial_to_date(61.0), d(1900, 3, 1));
        assert_eq!(excel_serial_to_date(41379.0), d(2013, 4, 15));
        assert_eq!(excel_serial_to_date(f64::NAN), None);
        assert_eq!(excel_serial_to_date(-3.0), None);
    }

    #[test]
    fn encodings_are_detected() {
        let text = "姓名,身份证号\n张小雨,411525201304150124\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let (s, enc, err) = decode_text(&gbk);
        assert_eq!((s.as_str(), enc, err), (text, "GBK", false));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        let (s, enc, _) = decode_text(&bom);
        assert_eq!((s.as_str(), enc), (text, "UTF-8（带 BOM）"));
        let (s, enc, _) = decode_text(text.as_bytes());
        assert_eq!((s.as_str(), enc), (text, "UTF-8"));
    }

    #[test]
    fn header_below_a_title_and_blank_rows_are_handled() {
        let csv = "固始县困境儿童花名册,,\n,,\n姓名,身份证号,村（居）\n张小雨,411525201304150124,插花村\n,,\n李浩然,411525201508220251,插花村\n,,\n,,\n";
        let t = read_csv_bytes(csv.as_bytes(), "a.csv", &known).unwrap();
        assert_eq!(t.header_line, 3);
        assert_eq!(t.headers, vec!["姓名", "身份证号", "村(居)"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].line, 6);
        assert!(t.notes.iter().any(|n| n.contains("表头在第3行")));
    }

    #[test]
    fn crlf_files_keep_their_real_line_numbers() {
        // Excel writes CRLF; a quoted cell may hold a line break of its own.
        let csv = "名单,,\r\n制表：黎集镇,,\r\n姓名,身份证号,村（居）\r\n张小雨,411525201304150124,\"插花\r\n村\"\r\n\r\n李浩然,411525201508220251,插花村\r\n";
        let t = read_csv_bytes(csv.as_bytes(), "a.csv", &known).unwrap();
        assert_eq!(t.header_line, 3);
        assert_eq!(t.rows[0].line, 4);
        assert_eq!(t.rows[1].line, 7, "after a two-line cell and a blank line");
        assert!(t.notes.iter().any(|n| n.contains("表头在第3行")));
    }

    #[test]
    fn merged_cells_are_filled_and_date_cells_converted() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.merge_range(0, 0, 0, 2, "花名册", &Format::new())
            .unwrap();
        for (c, h) in ["姓名", "村（居）", "出生日期"].iter().enumerate() {
            ws.write_string(1, c as u16, *h).unwrap();
        }
        ws.merge_range(2, 1, 4, 1, "插花村", &Format::new())
            .unwrap();
        for r in 2..5 {
            ws.write_string(r, 0, format!("儿童{r}")).unwrap();
        }
        let date = ExcelDateTime::from_ymd(2013, 4, 15).unwrap();
        ws.write_datetime_with_format(2, 2, &date, &Format::new().set_num_format("yyyy-mm-dd"))
            .unwrap();
        ws.write_number(3, 2, 41379.0).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let t = read_workbook_bytes(&bytes, "m.xlsx", &known).unwrap();
        assert_eq!(t.header_line, 2);
        assert_eq!(t.rows.len(), 3);
        for r in &t.rows {
            assert_eq!(r.get(1), &Cell::Text("插花村".into()), "line {}", r.line);
        }
        assert_eq!(
            t.rows[0].get(2),
            &Cell::Date(NaiveDate::from_ymd_opt(2013, 4, 15).unwrap())
        );
        assert_eq!(t.rows[1].get(2), &Cell::Number(41379.0));
        assert!(t.notes.iter().any(|n| n.contains("B3:B5")), "{:?}", t.notes);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_csv_bytes(b"", "x.csv", &known).is_err());
        assert!(read_workbook_bytes(b"PK\x03\x04garbage", "x.xlsx", &known).is_err());
        let _ = read_csv_bytes(&[0xff, 0xfe, 0x00], "x.csv", &known);
    }
}
