//! Checks a workbook container before calamine parses it (SECURITY.md §7).
//!
//! - **Zip** (XLSX, XLSB, ODS): the uncompressed size of every entry and of
//!   all of them, read from the zip directory. The zip reader stops at the
//!   declared size, so a lying entry cannot inflate further.
//! - **ODS**: calamine reads `content.xml` whole into a dense grid per
//!   sheet. The XML is streamed here first and each sheet's extent (the
//!   last row and column holding a value, with `number-rows-repeated` and
//!   `number-columns-repeated` counted) is bounded.
//! - **XLS**: calamine parses every sheet into a dense grid when the file is
//!   opened, and reserves what a sheet's DIMENSIONS record declares. The
//!   compound file is walked here (with loop checks on every sector chain),
//!   and every sheet's cell records and DIMENSIONS are bounded.

use super::read::limits::*;
use crate::error::{CoreError, Result};
use std::io::Cursor;

/// The workbook format found in the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const MIB: u64 = 1024 * 1024;

fn bad(name: &str, message: impl Into<String>) -> CoreError {
    CoreError::BadFile {
        path: name.into(),
        message: message.into(),
    }
}

fn too_large(name: &str, sheet: Option<&str>, what: String, limit: String) -> CoreError {
    CoreError::LimitExceeded {
        path: name.into(),
        sheet: sheet.map(str::to_string),
        what,
        limit,
    }
}

/// Checks the container and says which format it holds.
pub(crate) fn check_container(bytes: &[u8], name: &str) -> Result<Kind> {
    if bytes.starts_with(b"PK") {
        let kind = check_zip(bytes, name)?;
        if kind == Kind::Ods {
            check_ods(bytes, name)?;
        }
        Ok(kind)
    } else if bytes.starts_with(&CFB_MAGIC) {
        check_xls(bytes, name)?;
        Ok(Kind::Xls)
    } else {
        Err(bad(
            name,
            "无法作为 Excel 工作簿打开：不是 XLSX、XLS 或 ODS 文件",
        ))
    }
}

fn check_zip(bytes: &[u8], name: &str) -> Result<Kind> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(name, format!("无法作为 Excel 工作簿打开：{e}")))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(too_large(
            name,
            None,
            format!("压缩包内的文件数（{}）", zip.len()),
            format!("最多 {MAX_ZIP_ENTRIES} 个"),
        ));
    }
    let mut total: u64 = 0;
    let mut kind = Kind::Xlsx;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| bad(name, format!("压缩包已损坏：{e}")))?;
        let entry_name = entry
            .name()
            .map(|n| n.into_owned())
            .map_err(|e| bad(name, format!("压缩包已损坏：{e}")))?;
        let size = entry.size();
        let streamed = entry_name.starts_with("xl/worksheets/");
        let cap = if streamed {
            MAX_SHEET_ENTRY_BYTES
        } else {
            MAX_OTHER_ENTRY_BYTES
        };
        if size > cap {
            return Err(too_large(
                name,
                None,
                format!("压缩包内“{entry_name}”解压后的大小（{} MB）", size / MIB),
                format!(
                    "每个{}最大 {} MB",
                    if streamed { "工作表" } else { "部件" },
                    cap / MIB
                ),
            ));
        }
        total = total.saturating_add(size);
        if total > MAX_TOTAL_UNCOMPRESSED_BYTES {
            return Err(too_large(
                name,
                None,
                "压缩包解压后的总大小".to_string(),
                format!("最大 {} MB", MAX_TOTAL_UNCOMPRESSED_BYTES / MIB),
            ));
        }
        if entry_name == "content.xml" {
            kind = Kind::Ods;
        } else if entry_name == "xl/workbook.bin" {
            kind = Kind::Xlsb;
        }
    }
    Ok(kind)
}

/// The extent of one sheet as a dense grid would hold it.
#[derive(Default)]
struct Extent {
    /// One past the last row with a value (0-based rows).
    rows: u64,
    /// One past the last column with a value.
    cols: u64,
    /// Cells with a value (repeats counted).
    cells: u64,
    /// The smallest row and column holding a value (for the dense box).
    min_row: Option<u64>,
    min_col: Option<u64>,
}

impl Extent {
    fn add(&mut self, row: u64, col: u64, rows: u64, cols: u64) {
        self.rows = self.rows.max(row.saturating_add(rows));
        self.cols = self.cols.max(col.saturating_add(cols));
        self.cells = self.cells.saturating_add(rows.saturating_mul(cols));
        self.min_row = Some(self.min_row.map_or(row, |m| m.min(row)));
        self.min_col = Some(self.min_col.map_or(col, |m| m.min(col)));
    }

    fn check(&self, name: &str, sheet: &str) -> Result<()> {
        let sheet = Some(sheet);
        if self.rows > MAX_ROWS as u64 {
            return Err(too_large(
                name,
                sheet,
                format!("行数（第{}行仍有数据）", self.rows),
                format!("最多 {MAX_ROWS} 行"),
            ));
        }
        if self.cols > MAX_COLUMNS as u64 {
            return Err(too_large(
                name,
                sheet,
                format!("列数（第{}列有数据）", self.cols),
                format!("每行最多 {MAX_COLUMNS} 列"),
            ));
        }
        if self.cells > MAX_CELLS as u64 {
            return Err(too_large(
                name,
                sheet,
                format!("单元格总数（{}）", self.cells),
                format!("每个表最多 {MAX_CELLS} 个单元格"),
            ));
        }
        let height = self.rows - self.min_row.unwrap_or(0);
        let width = self.cols - self.min_col.unwrap_or(0);
        let dense = height.saturating_mul(width);
        if dense > MAX_DENSE_CELLS {
            return Err(too_large(
                name,
                sheet,
                format!("数据范围（{height} 行 × {width} 列）"),
                format!("最多 {MAX_DENSE_CELLS} 个单元格的范围"),
            ));
        }
        Ok(())
    }
}

fn attr_u64(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<u64> {
    attr_string(e, key)?.trim().parse().ok()
}

fn attr_string(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value.to_string())
}

/// Streams `content.xml` and bounds every sheet's extent.
fn check_ods(bytes: &[u8], name: &str) -> Result<()> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(name, format!("无法作为 ODS 工作簿打开：{e}")))?;
    let entry = match zip.by_name("content.xml") {
        Ok(e) => e,
        Err(e) => return Err(bad(name, format!("无法作为 ODS 工作簿打开：{e}"))),
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
    let mut buf = Vec::new();
    let mut sheet = String::new();
    let mut extent = Extent::default();
    let mut row: u64 = 0;
    let mut col: u64 = 0;
    let mut row_repeat: u64 = 1;
    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| bad(name, format!("ODS 内容无法解析：{e}")))?;
        // A cell with content is a start tag (its <text:p> follows) or an
        // empty tag with a value type; an empty tag without one is blank.
        let (e, open) = match event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) => {
                match e.name().as_ref() {
                    "table:table-row" => row = row.saturating_add(row_repeat),
                    "table:table" => extent.check(name, &sheet)?,
                    _ => {}
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.name().as_ref() {
            "table:table" => {
                sheet = attr_string(&e, "table:name").unwrap_or_default();
                extent = Extent::default();
                row = 0;
            }
            "table:table-row" => {
                row_repeat = attr_u64(&e, "table:number-rows-repeated")
                    .unwrap_or(1)
                    .max(1);
                col = 0;
                if !open {
                    row = row.saturating_add(row_repeat);
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let repeat = attr_u64(&e, "table:number-columns-repeated")
                    .unwrap_or(1)
                    .max(1);
                if open || attr_string(&e, "office:value-type").is_some() {
                    extent.add(row, col, row_repeat, repeat);
                    extent.check(name, &sheet)?;
                }
                col = col.saturating_add(repeat);
            }
            _ => {}
        }
    }
    Ok(())
}

/// A compound file (the container of XLS), read with bounds and loop checks.
struct Cfb<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    fat: Vec<u32>,
    max_sectors: usize,
}

const ENDOFCHAIN_MIN: u32 = 0xFFFF_FFFA;

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    let s = b.get(o..o.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    let s = b.get(o..o.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

impl<'a> Cfb<'a> {
    fn sector(&self, n: u32) -> Option<&'a [u8]> {
        let start = (n as usize).checked_add(1)?.checked_mul(self.sector_size)?;
        self.bytes.get(start..start.checked_add(self.sector_size)?)
    }

    /// A chain of sectors through `table`, refusing loops and bad links.
    fn chain(
        &self,
        start: u32,
        table: &[u32],
        limit: usize,
    ) -> std::result::Result<Vec<u32>, String> {
        let mut out = Vec::new();
        let mut cur = start;
        while cur < ENDOFCHAIN_MIN {
            if out.len() >= limit {
                return Err("扇区链过长或循环".into());
            }
            out.push(cur);
            cur = *table
                .get(cur as usize)
                .ok_or_else(|| "扇区链指向文件之外".to_string())?;
        }
        Ok(out)
    }

    fn read_chain(&self, start: u32, len: Option<usize>) -> std::result::Result<Vec<u8>, String> {
        let mut out = Vec::new();
        for s in self.chain(start, &self.fat, self.max_sectors)? {
            out.extend_from_slice(self.sector(s).ok_or("扇区超出文件范围")?);
            if len.is_some_and(|l| out.len() >= l) {
                break;
            }
        }
        if let Some(l) = len {
            if out.len() < l {
                return Err("数据流比声明的短".into());
            }
            out.truncate(l);
        }
        Ok(out)
    }
}

/// The workbook stream of an XLS file.
fn xls_workbook_stream(b: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let header_err = || "文件头已损坏".to_string();
    let shift = u16_at(b, 0x1E).ok_or_else(header_err)?;
    if !(7..=12).contains(&shift) {
        return Err(header_err());
    }
    let sector_size = 1usize << shift;
    let mini_shift = u16_at(b, 0x20).ok_or_else(header_err)?;
    if mini_shift > shift {
        return Err(header_err());
    }
    let mini_size = 1usize << mini_shift;
    let dir_start = u32_at(b, 0x30).ok_or_else(header_err)?;
    let cutoff = u32_at(b, 0x38).ok_or_else(header_err)? as u64;
    let minifat_start = u32_at(b, 0x3C).ok_or_else(header_err)?;
    let difat_start = u32_at(b, 0x44).ok_or_else(header_err)?;
    let max_sectors = b.len() / sector_size + 1;
    let mut cfb = Cfb {
        bytes: b,
        sector_size,
        fat: Vec::new(),
        max_sectors,
    };
    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors whose
    // last entry links to the next (calamine follows it without a loop check).
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(b, 0x4C + 4 * i))
        .filter(|s| *s < ENDOFCHAIN_MIN)
        .collect();
    let mut d = difat_start;
    let mut hops = 0usize;
    while d < ENDOFCHAIN_MIN {
        hops += 1;
        if hops > max_sectors {
            return Err("DIFAT 扇区链循环".into());
        }
        let sec = cfb.sector(d).ok_or("DIFAT 扇区超出文件范围")?;
        let n = sector_size / 4;
        for i in 0..n - 1 {
            if let Some(s) = u32_at(sec, 4 * i).filter(|s| *s < ENDOFCHAIN_MIN) {
                fat_sectors.push(s);
            }
        }
        d = u32_at(sec, 4 * (n - 1)).ok_or("DIFAT 扇区已损坏")?;
    }
    if fat_sectors.len() > max_sectors {
        return Err("FAT 扇区数超出文件大小".into());
    }
    let mut fat = Vec::with_capacity(fat_sectors.len() * (sector_size / 4));
    for s in fat_sectors {
        let sec = cfb.sector(s).ok_or("FAT 扇区超出文件范围")?;
        fat.extend(
            sec.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
    }
    cfb.fat = fat;
    let dirs = cfb.read_chain(dir_start, None)?;
    let entry = |i: usize| dirs.get(i * 128..i * 128 + 128);
    let root = entry(0).ok_or("目录为空")?;
    let name_of = |e: &[u8]| -> String {
        let len = u16_at(e, 64).unwrap_or(0) as usize;
        let units: Vec<u16> = (0..(len.min(64) / 2).saturating_sub(1))
            .filter_map(|k| u16_at(e, 2 * k))
            .collect();
        String::from_utf16_lossy(&units)
    };
    let size_of = |e: &[u8]| -> u64 {
        let lo = u32_at(e, 120).unwrap_or(0) as u64;
        let hi = u32_at(e, 124).unwrap_or(0) as u64;
        if shift == 9 { lo } else { lo | (hi << 32) }
    };
    let mut found = None;
    for i in 0..dirs.len() / 128 {
        let Some(e) = entry(i) else { break };
        if e.get(66) == Some(&2) {
            let n = name_of(e).to_ascii_lowercase();
            if n == "workbook" || n == "book" {
                found = Some(e);
                break;
            }
        }
    }
    let e = found.ok_or("找不到 Workbook 数据流")?;
    let size = size_of(e);
    if size > b.len() as u64 {
        return Err("Workbook 数据流比文件还大".into());
    }
    let start = u32_at(e, 116).ok_or("目录项已损坏")?;
    if size >= cutoff {
        return cfb.read_chain(start, Some(size as usize));
    }
    // A small stream lives in the mini stream, in 64-byte sectors.
    let root_size = size_of(root);
    if root_size > b.len() as u64 {
        return Err("迷你流比文件还大".into());
    }
    let ministream = cfb.read_chain(
        u32_at(root, 116).ok_or("根目录已损坏")?,
        Some(root_size as usize),
    )?;
    let minifat_bytes = cfb.read_chain(minifat_start, None)?;
    let minifat: Vec<u32> = minifat_bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut out = Vec::new();
    for m in cfb.chain(start, &minifat, ministream.len() / mini_size + 1)? {
        let from = (m as usize).checked_mul(mini_size).ok_or("迷你扇区越界")?;
        out.extend_from_slice(
            ministream
                .get(from..from + mini_size)
                .ok_or("迷你扇区超出迷你流范围")?,
        );
        if out.len() as u64 >= size {
            break;
        }
    }
    if (out.len() as u64) < size {
        return Err("Workbook 数据流比声明的短".into());
    }
    out.truncate(size as usize);
    Ok(out)
}

/// Walks the BIFF records of every sheet as calamine will, bounding each
/// sheet's cells and declared dimensions.
fn check_xls(bytes: &[u8], name: &str) -> Result<()> {
    let stream = xls_workbook_stream(bytes)
        .map_err(|m| bad(name, format!("无法作为 XLS 工作簿打开：{m}")))?;
    let records = |from: usize| BiffRecords {
        stream: stream.get(from..).unwrap_or_default(),
    };
    // The globals: BoundSheet8 records give each sheet's offset and name.
    let mut sheets: Vec<(usize, String)> = Vec::new();
    for (typ, data) in records(0) {
        match typ {
            0x0085 => {
                let pos = u32_at(data, 0).unwrap_or(u32::MAX) as usize;
                let sheet_name = data
                    .get(8..)
                    .map(|raw| {
                        let cch = data.get(6).copied().unwrap_or(0) as usize;
                        let wide = data.get(7).is_some_and(|f| f & 1 == 1);
                        if wide {
                            let units: Vec<u16> =
                                (0..cch).filter_map(|k| u16_at(raw, 2 * k)).collect();
                            String::from_utf16_lossy(&units)
                        } else {
                            raw.iter().take(cch).map(|b| *b as char).collect()
                        }
                    })
                    .unwrap_or_default();
                sheets.push((pos, sheet_name));
            }
            0x000A => break,
            _ => {}
        }
    }
    for (pos, sheet) in sheets {
        // calamine slices the stream at the sheet's offset without a check
        // (a fuzzed file made it panic): refuse an offset past the end.
        if pos > stream.len() {
            return Err(bad(
                name,
                format!(
                    "工作表“{sheet}”的起始位置（{pos}）超出 Workbook 数据流（{} 字节）",
                    stream.len()
                ),
            ));
        }
        let mut extent = Extent::default();
        let mut depth = 0usize;
        let mut seen_bof = false;
        for (typ, data) in records(pos) {
            if depth > 0 {
                match typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let cell = |extent: &mut Extent, first: u16, last: u16| {
                if let Some(row) = u16_at(data, 0) {
                    let (first, last) = (first.min(last), first.max(last));
                    extent.add(row as u64, first as u64, 1, (last - first) as u64 + 1);
                }
            };
            match typ {
                0x0809 => {
                    if seen_bof {
                        depth += 1;
                    } else {
                        seen_bof = true;
                    }
                }
                0x0200 => {
                    // DIMENSIONS: calamine reserves rows × columns for it.
                    let (rf, rl, cf, cl) = match data.len() {
                        10 => (
                            u16_at(data, 0).unwrap_or(0) as u64,
                            u16_at(data, 2).unwrap_or(0) as u64,
                            u16_at(data, 4).unwrap_or(0) as u64,
                            u16_at(data, 6).unwrap_or(0) as u64,
                        ),
                        14 | 16 => (
                            u32_at(data, 0).unwrap_or(0) as u64,
                            u32_at(data, 4).unwrap_or(0) as u64,
                            u16_at(data, 8).unwrap_or(0) as u64,
                            u16_at(data, 10).unwrap_or(0) as u64,
                        ),
                        _ => continue,
                    };
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    let declared = if rl >= 1 && cl >= 1 {
                        (rl.saturating_sub(rf), cl.saturating_sub(cf))
                    } else {
                        (1, 1)
                    };
                    if rl >= 1 && (rl - 1 < rf || cl.saturating_sub(1) < cf) {
                        return Err(bad(name, format!("工作表“{sheet}”的范围记录无效")));
                    }
                    if declared.0.saturating_mul(declared.1) > MAX_DENSE_CELLS
                        || rl > MAX_ROWS as u64
                    {
                        return Err(too_large(
                            name,
                            Some(&sheet),
                            format!("声明的范围（{} 行 × {} 列）", declared.0, declared.1),
                            format!("最多 {MAX_ROWS} 行、{MAX_DENSE_CELLS} 个单元格的范围"),
                        ));
                    }
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                    let col = u16_at(data, 2).unwrap_or(0);
                    cell(&mut extent, col, col);
                }
                0x00BD => {
                    let first = u16_at(data, 2).unwrap_or(0);
                    let last = data
                        .len()
                        .checked_sub(2)
                        .and_then(|o| u16_at(data, o))
                        .unwrap_or(first);
                    cell(&mut extent, first, last);
                }
                0x000A => break,
                _ => {}
            }
            if extent.cells > MAX_CELLS as u64 || extent.rows > MAX_ROWS as u64 {
                break;
            }
        }
        extent.check(name, &sheet)?;
    }
    Ok(())
}

/// BIFF records: (type, data), stopping at the first malformed one (calamine
/// then reports the damage itself).
struct BiffRecords<'a> {
    stream: &'a [u8],
}

impl<'a> Iterator for BiffRecords<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let typ = u16_at(self.stream, 0)?;
        let len = u16_at(self.stream, 2)? as usize;
        let data = self.stream.get(4..4 + len)?;
        self.stream = self.stream.get(4 + len..)?;
        Some((typ, data))
    }
}
