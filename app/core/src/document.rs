//! The report document tree (DESIGN §3): what a report *says*, not where it
//! goes on the page. Province plugins return it (through the plugin host,
//! which converts WIT's flat arena into this tree after validating bounds,
//! cycles and depth); `hutong-report` measures, breaks lines, paginates and
//! writes PDF. Rust code (fixtures, core default reports) builds it directly.
//!
//! Sizes are in points; Chinese 字号 names are available in [`zihao`].

use serde::{Deserialize, Serialize};

/// Chinese type sizes (字号) in points.
pub mod zihao {
    pub const CHU: f32 = 42.0; // 初号
    pub const XIAO_CHU: f32 = 36.0; // 小初
    pub const YI: f32 = 26.0; // 一号
    pub const XIAO_YI: f32 = 24.0; // 小一
    pub const ER: f32 = 22.0; // 二号
    pub const XIAO_ER: f32 = 18.0; // 小二
    pub const SAN: f32 = 16.0; // 三号
    pub const XIAO_SAN: f32 = 15.0; // 小三
    pub const SI: f32 = 14.0; // 四号
    pub const XIAO_SI: f32 = 12.0; // 小四
    pub const WU: f32 = 10.5; // 五号
    pub const XIAO_WU: f32 = 9.0; // 小五
}

/// A typeface role. The report engine maps each role to the official font
/// when the machine has it, else to a bundled open font.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FontRole {
    /// 宋体
    #[default]
    Song,
    /// 黑体
    Hei,
    /// 楷体
    Kai,
    /// 仿宋
    Fangsong,
    /// 小标宋 (GB/T 9704 titles)
    XiaoBiaoSong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    Justify,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TextStyle {
    pub font: FontRole,
    pub size_pt: f32,
    pub bold: bool,
    pub underline: bool,
}

impl Default for TextStyle {
    fn default() -> Self {
        TextStyle {
            font: FontRole::Song,
            size_pt: zihao::XIAO_SI,
            bold: false,
            underline: false,
        }
    }
}

/// A stretch of text in one style.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub text: String,
    pub style: TextStyle,
}

impl Run {
    pub fn new(text: impl Into<String>, style: TextStyle) -> Self {
        Run {
            text: text.into(),
            style,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Paragraph {
    pub runs: Vec<Run>,
    pub align: Align,
    /// First-line indent in character widths (Chinese body text uses 2).
    pub first_line_indent_chars: f32,
    pub space_before_pt: f32,
    pub space_after_pt: f32,
}

/// A label and its value, laid out as a bordered form grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyValueItem {
    pub label: String,
    pub value: String,
    /// How many label/value pairs of width this item takes (1 = normal).
    pub span: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyValueGrid {
    /// Label/value pairs per row (usually 2 or 3).
    pub pairs_per_row: u16,
    /// Fraction of each pair's width given to the label.
    pub label_fraction: f32,
    pub items: Vec<KeyValueItem>,
    pub style: TextStyle,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableCell {
    pub blocks: Vec<Block>,
    pub col_span: u16,
    pub align: Align,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    pub cells: Vec<TableCell>,
}

/// A ruled table. Header rows repeat on every page; a row never splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Column widths as fractions of the text width (normalised by the engine).
    pub column_fractions: Vec<f32>,
    pub header_rows: u16,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckboxOption {
    pub label: String,
    pub checked: bool,
}

/// "□ 入户  ■ 电话  □ 学校".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckboxList {
    pub label: Option<String>,
    pub options: Vec<CheckboxOption>,
    pub style: TextStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// "签名：__________"
    Signature,
    /// "日期：____年__月__日"
    Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignatureItem {
    pub label: String,
    pub kind: SignatureKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Heading {
        /// 1 = document title; 2.. = 「一、」「（一）」levels.
        level: u8,
        runs: Vec<Run>,
        align: Align,
    },
    Paragraph(Paragraph),
    KeyValue(KeyValueGrid),
    Table(Table),
    Checkboxes(CheckboxList),
    SignatureLine {
        items: Vec<SignatureItem>,
        align: Align,
        style: TextStyle,
    },
    /// A dashed circle where the office stamps its seal.
    SealPlaceholder {
        label: String,
    },
    Rule {
        thickness_pt: f32,
    },
    Spacer {
        height_pt: f32,
    },
    PageBreak,
    /// An image the host resolves by reference (e.g. a stored photo).
    Image {
        reference: String,
        width_mm: f32,
        height_mm: f32,
        caption: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Margins {
    pub top_mm: f32,
    pub bottom_mm: f32,
    pub left_mm: f32,
    pub right_mm: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// GB/T 9704-2012 党政机关公文格式: 37/28 mm margins, 156×225 mm text
    /// block, 22 lines × 28 characters of 三号仿宋, "— n —" page numbers.
    GbT9704,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageSetup {
    /// Only A4 is supported (GB/T 148); kept explicit for the future.
    pub orientation: Orientation,
    pub margins: Margins,
    pub header: Option<String>,
    pub footer: Option<String>,
    /// e.g. "第 {n} 页 共 {total} 页"; `None` prints no page numbers.
    pub page_number: Option<String>,
    pub preset: Option<Preset>,
}

impl Default for PageSetup {
    fn default() -> Self {
        PageSetup {
            orientation: Orientation::Portrait,
            margins: Margins {
                top_mm: 25.0,
                bottom_mm: 25.0,
                left_mm: 25.0,
                right_mm: 25.0,
            },
            header: None,
            footer: None,
            page_number: Some("第 {n} 页 共 {total} 页".into()),
            preset: None,
        }
    }
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Document {
    /// Stored in the PDF's metadata.
    pub title: String,
    pub page: PageSetup,
    pub body: Vec<Block>,
}

impl Document {
    pub fn new(title: impl Into<String>) -> Self {
        Document {
            title: title.into(),
            ..Default::default()
        }
    }

    /// Number of blocks, counting nested ones (for output caps).
    pub fn block_count(&self) -> usize {
        fn count(blocks: &[Block]) -> usize {
            blocks
                .iter()
                .map(|b| {
                    1 + match b {
                        Block::Table(t) => t
                            .rows
                            .iter()
                            .flat_map(|r| &r.cells)
                            .map(|c| count(&c.blocks))
                            .sum(),
                        _ => 0,
                    }
                })
                .sum()
        }
        count(&self.body)
    }
}

impl Paragraph {
    /// A paragraph of one run.
    pub fn text(text: impl Into<String>, style: TextStyle) -> Self {
        Paragraph {
            runs: vec![Run::new(text, style)],
            ..Default::default()
        }
    }
}

impl TableCell {
    /// A cell holding one paragraph of text.
    pub fn text(text: impl Into<String>, style: TextStyle, align: Align) -> Self {
        TableCell {
            blocks: vec![Block::Paragraph(Paragraph {
                align,
                ..Paragraph::text(text, style)
            })],
            col_span: 1,
            align,
        }
    }
}
