//! Hostile files for the importers (issue #18): each is built here, written
//! to a real file, read through `table::read_file` / `exchange::read_file`,
//! and must be refused with a Chinese message naming the file, the sheet
//! (for workbooks) and the limit — never a crash, never gigabytes of memory.

use hutong_core::table::read::limits::*;
use hutong_core::table::{self, mapping};
use hutong_core::{Actor, CoreError, Store, children, exchange, setup};
use std::io::Write;
use std::path::{Path, PathBuf};

fn read(path: &Path) -> Result<table::RawTable, CoreError> {
    table::read_file(path, &mapping::is_known_header)
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The refusal must be the limit error, naming the file and what it says.
fn assert_limit(err: CoreError, file: &str, sheet: Option<&str>, needles: &[&str]) -> String {
    let text = err.to_string();
    match &err {
        CoreError::LimitExceeded { path, sheet: s, .. } => {
            assert!(path.ends_with(file), "path {path:?} in {text}");
            assert_eq!(s.as_deref(), sheet, "{text}");
        }
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
    assert!(text.contains(file), "{text}");
    assert!(text.contains("上限"), "{text}");
    for n in needles {
        assert!(text.contains(n), "“{n}” missing in: {text}");
    }
    text
}

/// A zip file written by hand, entry by entry.
fn zip_file(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in entries {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap();
    }
    out.into_inner()
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// A minimal XLSX whose sheet XML is `sheet_data` (inline strings), with
/// the declared dimension `dimension`.
fn xlsx_by_hand(dimension: &str, sheet_data: &str) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>"#
    );
    zip_file(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

fn inline(cell: &str, text: &str) -> String {
    format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

#[test]
fn an_xlsx_with_only_a1_and_xfd1048576_is_refused_by_its_declared_dimension() {
    // The file of the issue: 1.6 KB, two cells, a declared 17-billion-cell grid.
    let dir = tempfile::tempdir().unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("花名册").unwrap();
    ws.write_string(0, 0, "姓名").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert!(bytes.len() < 10_000, "a tiny file: {} bytes", bytes.len());
    let path = write(&dir, "两格.xlsx", &bytes);
    let err = read(&path).unwrap_err();
    assert_limit(
        err,
        "两格.xlsx",
        Some("花名册"),
        &[
            "A1:XFD1048576",
            "1048576 行",
            "16384 列",
            &MAX_ROWS.to_string(),
        ],
    );
}

#[test]
fn an_xlsx_that_lies_about_its_dimension_is_stopped_at_the_far_cell() {
    // Declares A1:B2 but holds a cell at XFD1048576: the streamed cells are
    // checked one by one, so the lie does not help.
    let dir = tempfile::tempdir().unwrap();
    let data = format!(
        r#"<row r="1">{}{}</row><row r="1048576">{}</row>"#,
        inline("A1", "姓名"),
        inline("B1", "身份证号"),
        inline("XFD1048576", "x")
    );
    let path = write(&dir, "说谎.xlsx", &xlsx_by_hand("A1:B2", &data));
    let err = read(&path).unwrap_err();
    assert_limit(err, "说谎.xlsx", Some("花名册"), &["第1048576行"]);

    // Same row, far column: the column limit names the row and the column.
    let data = format!(
        r#"<row r="1">{}{}</row><row r="2">{}</row>"#,
        inline("A1", "姓名"),
        inline("B1", "身份证号"),
        inline("XFD2", "x")
    );
    let path = write(&dir, "宽.xlsx", &xlsx_by_hand("A1:B2", &data));
    let err = read(&path).unwrap_err();
    assert_limit(err, "宽.xlsx", Some("花名册"), &["第2行第16384列"]);
}

#[test]
fn an_honest_sparse_xlsx_reads_and_rows_are_not_padded_to_the_widest_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = format!(
        r#"<row r="1">{}{}{}</row><row r="2">{}</row><row r="3">{}{}</row>"#,
        inline("A1", "姓名"),
        inline("B1", "身份证号"),
        inline("C1", "备注"),
        inline("A2", "张小雨"),
        inline("A3", "李浩然"),
        inline("E3", "右边"),
    );
    let path = write(&dir, "稀疏.xlsx", &xlsx_by_hand("A1:E3", &data));
    let t = read(&path).unwrap();
    assert_eq!(t.headers.len(), 5, "{:?}", t.headers);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[0].cells.len(), 1, "row 2 holds one cell only");
    assert_eq!(t.rows[0].get(4), &table::Cell::Empty);
    assert_eq!(t.rows[1].get(4), &table::Cell::Text("右边".into()));
}

#[test]
fn a_csv_with_a_cell_at_column_1000001_and_200000_short_rows_is_refused() {
    // The CSV of the issue: 1.4 MB that grew to 3.9 GB.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("姓名,身份证号\n");
    csv.push_str(&",".repeat(1_000_000));
    csv.push_str("远\n");
    for i in 0..200_000 {
        csv.push_str(&format!("{i},1\n"));
    }
    assert!(csv.len() < 3_000_000);
    let path = write(&dir, "宽.csv", csv.as_bytes());
    let err = read(&path).unwrap_err();
    assert_limit(
        err,
        "宽.csv",
        None,
        &["第2行第1000001列", &format!("每行最多 {MAX_COLUMNS} 列")],
    );
}

#[test]
fn a_csv_row_of_empty_fields_is_not_a_wide_row() {
    // A million separators with nothing between them hold no data.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("姓名,身份证号\n张小雨,411525201304150124");
    csv.push_str(&",".repeat(1_000_000));
    csv.push('\n');
    let path = write(&dir, "空列.csv", csv.as_bytes());
    let t = read(&path).unwrap();
    assert_eq!(t.headers.len(), 2);
    assert_eq!(t.rows[0].cells.len(), 2);
}

#[test]
fn a_csv_past_the_row_limit_is_refused_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("姓名,身份证号\n");
    // Blank lines are not data but they count as lines of the file.
    csv.push_str(&"\n".repeat(MAX_ROWS));
    csv.push_str("迟到,1\n");
    let path = write(&dir, "长.csv", csv.as_bytes());
    let err = read(&path).unwrap_err();
    assert_limit(
        err,
        "长.csv",
        None,
        &[
            &format!("第{}行", MAX_ROWS + 2),
            &format!("最多 {MAX_ROWS} 行"),
        ],
    );
    // One row fewer reads.
    let mut csv = String::from("姓名,身份证号\n");
    csv.push_str(&"\n".repeat(MAX_ROWS - 2));
    csv.push_str("准时,1\n");
    let path = write(&dir, "刚好.csv", csv.as_bytes());
    let t = read(&path).unwrap();
    assert_eq!(t.rows.last().map(|r| r.line), Some(MAX_ROWS));
}

#[test]
fn a_csv_cell_longer_than_excel_allows_is_refused_naming_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    let csv = format!("姓名,备注\n张小雨,{}\n", "长".repeat(MAX_CELL_CHARS + 1));
    let path = write(&dir, "长格.csv", csv.as_bytes());
    let err = read(&path).unwrap_err();
    assert_limit(
        err,
        "长格.csv",
        None,
        &["单元格 B2", &format!("{} 个字符", MAX_CELL_CHARS + 1)],
    );
    // Exactly at the limit is fine (characters, not bytes).
    let csv = format!("姓名,备注\n张小雨,{}\n", "长".repeat(MAX_CELL_CHARS));
    let path = write(&dir, "刚好.csv", csv.as_bytes());
    assert!(read(&path).is_ok());
}

#[test]
fn a_csv_with_too_many_cells_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cols = 600;
    let rows = MAX_CELLS / cols + 1;
    let mut csv = String::with_capacity(rows * cols * 2 + 100);
    for r in 0..=rows {
        for c in 0..cols {
            if r == 0 {
                csv.push_str(&format!("列{c}"));
            } else {
                csv.push('1');
            }
            csv.push(if c + 1 == cols { '\n' } else { ',' });
        }
    }
    let path = write(&dir, "多.csv", csv.as_bytes());
    let err = read(&path).unwrap_err();
    assert_limit(
        err,
        "多.csv",
        None,
        &["单元格总数", &format!("每个表最多 {MAX_CELLS} 个单元格")],
    );
}

#[test]
fn a_zip_entry_that_inflates_past_its_limit_is_refused_before_inflating() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b' '; (MAX_OTHER_ENTRY_BYTES + 1) as usize];
    let bytes = zip_file(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/sharedStrings.xml", &big),
    ]);
    drop(big);
    assert!(bytes.len() < 2_000_000, "{} bytes", bytes.len());
    let path = write(&dir, "炸弹.xlsx", &bytes);
    let err = read(&path).unwrap_err();
    assert_limit(err, "炸弹.xlsx", None, &["xl/sharedStrings.xml", "解压后"]);
}

fn ods(content: &str) -> Vec<u8> {
    zip_file(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("META-INF/manifest.xml", ODS_MANIFEST.as_bytes()),
        ("content.xml", content.as_bytes()),
    ])
}

const ODS_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

fn ods_content(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="名单">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    )
}

fn ods_cell(text: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
    )
}

#[test]
fn an_ods_that_repeats_a_value_a_million_times_is_refused_before_calamine_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"<table:table-row>{}{}</table:table-row><table:table-row table:number-rows-repeated="1000000">{}</table:table-row>"#,
        ods_cell("姓名"),
        ods_cell("身份证号"),
        ods_cell("重复")
    );
    let path = write(&dir, "重复.ods", &ods(&ods_content(&rows)));
    let err = read(&path).unwrap_err();
    assert_limit(err, "重复.ods", Some("名单"), &["行数"]);

    // A value repeated across 16,384 columns.
    let rows = format!(
        r#"<table:table-row>{}{}</table:table-row><table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="float" office:value="1"/></table:table-row>"#,
        ods_cell("姓名"),
        ods_cell("身份证号"),
    );
    let path = write(&dir, "宽.ods", &ods(&ods_content(&rows)));
    let err = read(&path).unwrap_err();
    assert_limit(err, "宽.ods", Some("名单"), &["列数"]);
}

#[test]
fn an_ods_with_the_usual_trailing_blank_rows_reads() {
    // LibreOffice writes a million blank rows and a thousand blank columns
    // after the data; they hold no value and must not count.
    let dir = tempfile::tempdir().unwrap();
    let rows = format!(
        r#"<table:table-row>{}{}<table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row>{}{}<table:table-cell table:number-columns-repeated="1022"/></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
        ods_cell("姓名"),
        ods_cell("身份证号"),
        ods_cell("张小雨"),
        ods_cell("411525201304150124"),
    );
    let path = write(&dir, "正常.ods", &ods(&ods_content(&rows)));
    let t = read(&path).unwrap();
    assert_eq!(t.headers, vec!["姓名", "身份证号"]);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].get(0), &table::Cell::Text("张小雨".into()));
}

// ---- XLS: a compound file written by hand ----

fn biff(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut r = typ.to_le_bytes().to_vec();
    r.extend_from_slice(&(data.len() as u16).to_le_bytes());
    r.extend_from_slice(data);
    r
}

fn biff_number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut d = row.to_le_bytes().to_vec();
    d.extend_from_slice(&col.to_le_bytes());
    d.extend_from_slice(&0u16.to_le_bytes());
    d.extend_from_slice(&value.to_le_bytes());
    biff(0x0203, &d)
}

/// A BIFF8 workbook stream: one sheet holding numbers at `cells`, with a
/// DIMENSIONS record declaring `dims` (first row, last row + 1, first col,
/// last col + 1).
fn workbook_stream(cells: &[(u16, u16)], dims: (u32, u32, u16, u16)) -> Vec<u8> {
    let bof = |dt: u16| {
        let mut d = 0x0600u16.to_le_bytes().to_vec();
        d.extend_from_slice(&dt.to_le_bytes());
        d.extend_from_slice(&[0; 12]);
        biff(0x0809, &d)
    };
    let mut globals = bof(0x0005);
    let boundsheet_at = globals.len();
    let name = b"Sheet1";
    let mut bs = 0u32.to_le_bytes().to_vec();
    bs.extend_from_slice(&[0, 0, name.len() as u8, 0]);
    bs.extend_from_slice(name);
    globals.extend(biff(0x0085, &bs));
    globals.extend(biff(0x000A, &[]));
    let sheet_pos = globals.len() as u32;
    globals[boundsheet_at + 4..boundsheet_at + 8].copy_from_slice(&sheet_pos.to_le_bytes());
    let mut sheet = bof(0x0010);
    let mut dim = dims.0.to_le_bytes().to_vec();
    dim.extend_from_slice(&dims.1.to_le_bytes());
    dim.extend_from_slice(&dims.2.to_le_bytes());
    dim.extend_from_slice(&dims.3.to_le_bytes());
    dim.extend_from_slice(&[0, 0]);
    sheet.extend(biff(0x0200, &dim));
    for (i, (r, c)) in cells.iter().enumerate() {
        sheet.extend(biff_number(*r, *c, i as f64 + 1.0));
    }
    sheet.extend(biff(0x000A, &[]));
    globals.extend(sheet);
    // Keep the stream out of the mini stream (at least 4096 bytes).
    globals.resize(globals.len().max(4096), 0);
    globals
}

/// A compound file of 512-byte sectors: the stream, one FAT sector, one
/// directory sector.
fn compound_file(stream: &[u8]) -> Vec<u8> {
    const SECT: usize = 512;
    let stream_sectors = stream.len().div_ceil(SECT);
    let fat_sector = stream_sectors as u32;
    let dir_sector = fat_sector + 1;
    let mut header = vec![0u8; SECT];
    header[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    header[0x18..0x1A].copy_from_slice(&0x003Eu16.to_le_bytes());
    header[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes());
    header[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes());
    header[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
    header[0x20..0x22].copy_from_slice(&6u16.to_le_bytes());
    header[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
    header[0x30..0x34].copy_from_slice(&dir_sector.to_le_bytes());
    header[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes());
    header[0x3C..0x40].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    header[0x44..0x48].copy_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
    for i in 0..109 {
        let v = if i == 0 { fat_sector } else { 0xFFFF_FFFF };
        header[0x4C + 4 * i..0x50 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }
    let mut body = stream.to_vec();
    body.resize(stream_sectors * SECT, 0);
    let mut fat = Vec::new();
    for i in 0..stream_sectors as u32 {
        let next = if i + 1 == stream_sectors as u32 {
            0xFFFF_FFFE
        } else {
            i + 1
        };
        fat.extend_from_slice(&next.to_le_bytes());
    }
    fat.extend_from_slice(&0xFFFF_FFFDu32.to_le_bytes()); // the FAT sector itself
    fat.extend_from_slice(&0xFFFF_FFFEu32.to_le_bytes()); // the directory
    fat.resize(SECT, 0xFF);
    let entry = |name: &str, typ: u8, start: u32, size: u32| {
        let mut e = vec![0u8; 128];
        let units: Vec<u16> = name.encode_utf16().collect();
        for (k, u) in units.iter().enumerate() {
            e[2 * k..2 * k + 2].copy_from_slice(&u.to_le_bytes());
        }
        e[64..66].copy_from_slice(&((units.len() as u16 + 1) * 2).to_le_bytes());
        e[66] = typ;
        e[67] = 1;
        e[68..72].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        e[72..76].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        e[76..80].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        e[116..120].copy_from_slice(&start.to_le_bytes());
        e[120..124].copy_from_slice(&size.to_le_bytes());
        e
    };
    let mut root = entry("Root Entry", 5, 0xFFFF_FFFE, 0);
    root[76..80].copy_from_slice(&1u32.to_le_bytes()); // child: the Workbook entry
    let mut dir = root;
    dir.extend(entry("Workbook", 2, 0, stream.len() as u32));
    dir.resize(SECT, 0);
    for i in 2..4 {
        // unused entries
        dir[i * 128 + 68..i * 128 + 80].copy_from_slice(&[0xFF; 12]);
    }
    let mut out = header;
    out.extend(body);
    out.extend(fat);
    out.extend(dir);
    out
}

#[test]
fn an_xls_whose_cells_span_a_huge_grid_is_refused_before_calamine_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    // Honest: two cells, and calamine reads the hand-made file.
    let ok = compound_file(&workbook_stream(&[(0, 0), (1, 1)], (0, 2, 0, 2)));
    let path = write(&dir, "正常.xls", &ok);
    let t = table::read::read_workbook_bytes(&ok, "正常.xls", &|_| true);
    // Numbers only: no header row can be found, which is a message, not a limit.
    match t {
        Err(CoreError::BadFile { message, .. }) => {
            assert!(message.contains("表头"), "{message}")
        }
        other => panic!("expected the header message, got {other:?}"),
    }
    assert!(!matches!(read(&path), Err(CoreError::LimitExceeded { .. })));

    // Cells at A1 and (65535, 255): a dense grid of 16.7 million cells.
    let wide = compound_file(&workbook_stream(&[(0, 0), (65_535, 255)], (0, 2, 0, 2)));
    let path = write(&dir, "大.xls", &wide);
    let err = read(&path).unwrap_err();
    assert_limit(err, "大.xls", Some("Sheet1"), &["数据范围"]);

    // A DIMENSIONS record that asks calamine to reserve a huge grid.
    let declared = compound_file(&workbook_stream(&[(0, 0)], (0, 4_000_000, 0, 200)));
    let path = write(&dir, "声明.xls", &declared);
    let err = read(&path).unwrap_err();
    assert_limit(err, "声明.xls", Some("Sheet1"), &["声明的范围"]);
}

#[test]
fn an_xls_whose_sheet_starts_past_the_end_of_its_stream_is_a_message_naming_the_sheet() {
    // Found by fuzzing: calamine sliced the stream at the BoundSheet offset
    // and panicked. The guard around calamine would have caught it as
    // "解析器中止"; the check names the sheet and the offset instead.
    let mut stream = workbook_stream(&[(0, 0)], (0, 1, 0, 1));
    // The BoundSheet8 record follows the 20-byte BOF; its first 4 data
    // bytes are the sheet's offset in the stream.
    assert_eq!(&stream[20..22], &0x0085u16.to_le_bytes());
    stream[24..28].copy_from_slice(&620_757_034u32.to_le_bytes());
    let bytes = compound_file(&stream);
    match table::read::read_workbook_bytes(&bytes, "越界.xls", &|_| true) {
        Err(CoreError::BadFile { path, message }) => {
            assert_eq!(path, std::path::Path::new("越界.xls"));
            assert!(message.contains("Sheet1"), "{message}");
            assert!(message.contains("620757034"), "{message}");
        }
        other => panic!("expected a bad-file message, got {other:?}"),
    }
}

// ---- JSON bundles ----

/// The test's actor: a system actor over the database's whole county.
fn actor(store: &hutong_core::Store) -> Actor {
    Actor::system(
        "测试员",
        store.county_scope().expect("an initialised county"),
    )
}

#[test]
fn a_10_mb_json_bomb_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    // Deep nesting inside a valid-looking bundle.
    let depth = 5_000_000;
    let mut json = String::from(r#"{"format":"hutong-export","format_version":1,"children":"#);
    json.push_str(&"[".repeat(depth));
    json.push_str(&"]".repeat(depth));
    json.push('}');
    assert!(json.len() >= 10_000_000);
    let path = write(&dir, "深.json", json.as_bytes());
    // Refused at the first bracket where a child record should start (the
    // typed reader never builds the nested arrays).
    let err = exchange::read_file(&path).unwrap_err().to_string();
    assert!(
        err.contains("深.json") && err.contains("不符合导出格式") && err.contains("第1行"),
        "{err}"
    );
    // Deep nesting in a form record's values: they are typed field values
    // now, so the reader refuses the first bracket where a field id should
    // be, without building anything.
    let mut json = String::from(
        r#"{"format":"hutong-export","format_version":1,"exported_at":"x","county_code":"411525","children":[],"persons":[],"relations":[],"categories":[],"visits":[],"form_records":[{"id":"0190a8b0-0000-7000-8000-000000000000","child_id":"0190a8b0-0000-7000-8000-000000000001","plugin_id":"p","plugin_version":"1","form_id":"f","form_version":"1","values":"#,
    );
    json.push_str(&"[".repeat(depth));
    json.push_str(&"]".repeat(depth));
    json.push_str("}]}");
    let path = write(&dir, "深2.json", json.as_bytes());
    let err = exchange::read_file(&path).unwrap_err().to_string();
    assert!(
        err.contains("深2.json") && err.contains("不符合导出格式") && err.contains("第1行"),
        "{err}"
    );

    // A huge array of the wrong thing.
    let mut json = String::from(
        r#"{"format":"hutong-export","format_version":1,"exported_at":"x","county_code":"411525","persons":[],"relations":[],"categories":[],"form_records":[],"visits":[],"children":["#,
    );
    json.push_str(&"0,".repeat(5_000_000));
    json.push_str("0]}");
    let path = write(&dir, "宽.json", json.as_bytes());
    let err = exchange::read_file(&path).unwrap_err().to_string();
    assert!(
        err.contains("宽.json") && err.contains("不符合导出格式"),
        "{err}"
    );
}

#[test]
fn a_bundle_past_the_size_limit_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("巨.json");
    let f = std::fs::File::create(&path).unwrap();
    // Sparse: no disk space is used and nothing could be read in time.
    f.set_len(exchange::MAX_BUNDLE_BYTES + 1).unwrap();
    let err = exchange::read_file(&path).unwrap_err();
    assert_limit(err, "巨.json", None, &["文件大小", "256 MB"]);
}

fn county() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_unencrypted(&dir.path().join("county.db")).unwrap();
    setup::initialise_county(&mut store, "测试员", "411525").unwrap();
    (dir, store)
}

#[test]
fn every_person_relation_and_visit_of_a_bundle_is_validated_and_named() {
    use hutong_core::national::NaiveDate;
    use hutong_core::persons::{PersonInput, RelationInput, RelationKind};
    use hutong_core::visits::{VisitInput, VisitMode};
    let (_dir, mut store) = county();
    let test_actor = actor(&store);
    let (child, _) = store
        .write(&test_actor, |tx| {
            children::add(
                tx,
                &children::ChildInput {
                    id_number: "411525201304150124".into(),
                    name: "张小雨".into(),
                    residence_division: "411525102201".into(),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let test_actor = actor(&store);
    store
        .write(&test_actor, |tx| {
            hutong_core::persons::add_relation(
                tx,
                child.id,
                &PersonInput {
                    name: "张建国".into(),
                    id_number: Some("411525198001010015".into()),
                    phone: Some("13800001111".into()),
                    ..Default::default()
                },
                &RelationInput::new(RelationKind::Father),
            )
        })
        .unwrap();
    let test_actor = actor(&store);
    store
        .write(&test_actor, |tx| {
            hutong_core::visits::add(
                tx,
                &VisitInput {
                    child_id: child.id,
                    visit_date: NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
                    mode: VisitMode::Home,
                    visitor: "李主任".into(),
                    findings: "在家，情况良好".into(),
                    follow_up: None,
                    next_due_override: None,
                    override_reason: None,
                },
            )
        })
        .unwrap();
    let test_actor = actor(&store);
    let good = exchange::export(&mut store, &test_actor, "测试").unwrap();
    let test_actor = actor(&store);
    // The untouched bundle is valid (re-import: unchanged).
    exchange::import(&mut store, &test_actor, &good, "x").unwrap();

    let (_dir2, mut fresh) = county();
    let count = |s: &Store| -> i64 {
        s.conn()
            .query_row(
                "SELECT (SELECT COUNT(*) FROM persons) + (SELECT COUNT(*) FROM child_relations) + (SELECT COUNT(*) FROM visits) + (SELECT COUNT(*) FROM children)",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let mut refuse = |bundle: exchange::Bundle, needles: &[&str]| {
        let test_actor = actor(&fresh);
        let err = match exchange::import(&mut fresh, &test_actor, &bundle, "x") {
            Ok(r) => panic!("accepted ({r:?}) a bundle that should fail with {needles:?}"),
            Err(e) => e.to_string(),
        };
        for n in needles {
            assert!(err.contains(n), "“{n}” missing in: {err}");
        }
        assert_eq!(count(&fresh), 0, "nothing written after: {err}");
    };

    let mut b = good.clone();
    b.persons[0].id_number = Some("411525198001010019".into());
    refuse(b, &["persons[0] 张建国", "身份证号"]);

    let mut b = good.clone();
    b.persons[0].name = "张\u{202E}国".into();
    refuse(b, &["persons[0]", "双向控制符", "U+202E"]);

    let mut b = good.clone();
    b.persons[0].name = "张'国".into();
    refuse(b, &["persons[0]", "引号"]);

    let mut b = good.clone();
    b.persons[0].phone = Some("call me; rm -rf".into());
    refuse(b, &["persons[0] 张建国", "电话"]);

    let mut b = good.clone();
    b.relations[0].person_id = hutong_core::RowId::new();
    refuse(b, &["relations[0]", "不在本库中"]);

    let mut b = good.clone();
    b.relations[0].child_id = hutong_core::RowId::new();
    refuse(b, &["relations[0]", "儿童"]);

    let mut b = good.clone();
    b.relations[0].relation = RelationKind::PaternalGrandfather;
    b.relations[0].situation = Some(hutong_core::national::category::ParentalSituation::Dead);
    refuse(b, &["relations[0]", "只有父亲或母亲"]);

    let mut b = good.clone();
    b.visits[0].visit_date = NaiveDate::from_ymd_opt(2999, 1, 1).unwrap();
    refuse(b, &["visits[0] 2999-01-01", "晚于今天"]);

    let mut b = good.clone();
    b.visits[0].findings = "  ".into();
    refuse(b, &["visits[0]", "走访情况不能为空"]);

    let mut b = good.clone();
    b.visits[0].child_id = hutong_core::RowId::new();
    refuse(b, &["visits[0]", "儿童"]);

    let mut b = good.clone();
    b.visits[0].active = false;
    refuse(b, &["visits[0]", "作废原因"]);

    // And the good bundle goes into the fresh county whole (a name with
    // the middle dot of Uyghur names is a name).
    let mut good = good;
    good.persons[0].name = "买买提·艾力".into();
    let test_actor = actor(&fresh);
    let report = exchange::import(&mut fresh, &test_actor, &good, "x").unwrap();
    assert_eq!(report.inserted, 4);
}
