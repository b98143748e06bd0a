//! An entry for the fuzzer (`fuzz/fuzz_targets/plugin_document.rs`), built
//! only with `--cfg fuzzing`: turns any bytes into a report document as a
//! plugin would return it, and runs the host's conversion on it. The
//! conversion is what stands between a hostile plugin and the layout
//! engine (indices, cycles, depth, sizes, non-finite numbers), so the fuzzer
//! drives it through the same private types the real calls use.

use crate::bindings::hutong::province::types as w;
use crate::convert::{self, Budget};
use crate::error::CallFailure;
use crate::limits::Limits;
use hutong_core::document::Document;

/// Reads the fuzzer's bytes as a stream of small values; past the end every
/// read gives zero, so any input decodes to some document.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        // Mostly small indices, now and then any value at all.
        if self.u8() < 240 {
            u32::from(self.u8())
        } else {
            u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
        }
    }
    fn f32(&mut self) -> f32 {
        match self.u8() {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => -1.0,
            3 => f32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()]),
            n => f32::from(n) / 4.0,
        }
    }
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    /// Text drawn from a few scripts, so the layout sees Chinese, Tibetan,
    /// rare characters and characters no font has.
    fn string(&mut self) -> String {
        let len = usize::from(self.u8() % 24);
        (0..len)
            .map(|_| match self.u8() % 6 {
                0 => char::from_u32(0x4E00 + u32::from(self.u16()) % 0x5200).unwrap_or('字'),
                1 => char::from_u32(0x0F40 + u32::from(self.u8()) % 0x40).unwrap_or('ཀ'),
                2 => '𡒄',
                3 => '\u{202E}',
                4 => '\n',
                _ => char::from(b'a' + self.u8() % 26),
            })
            .collect()
    }
    fn option_string(&mut self) -> Option<String> {
        self.bool().then(|| self.string())
    }
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let len = usize::from(self.u8() % 12);
        (0..len).map(|_| item(self)).collect()
    }
    fn align(&mut self) -> w::Align {
        match self.u8() % 4 {
            0 => w::Align::Left,
            1 => w::Align::Center,
            2 => w::Align::Right,
            _ => w::Align::Justify,
        }
    }
    fn style(&mut self) -> w::TextStyle {
        w::TextStyle {
            font: match self.u8() % 5 {
                0 => w::FontRole::Song,
                1 => w::FontRole::Hei,
                2 => w::FontRole::Kai,
                3 => w::FontRole::Fangsong,
                _ => w::FontRole::XiaoBiaoSong,
            },
            size_pt: self.f32(),
            bold: self.bool(),
            underline: self.bool(),
        }
    }
    fn runs(&mut self) -> Vec<w::Run> {
        self.list(|b| w::Run {
            text: b.string(),
            style: b.style(),
        })
    }
    fn kind(&mut self) -> w::NodeKind {
        match self.u8() % 13 {
            0 => w::NodeKind::Heading(w::Heading {
                level: self.u8(),
                runs: self.runs(),
                align: self.align(),
            }),
            1 => w::NodeKind::Paragraph(w::Paragraph {
                runs: self.runs(),
                align: self.align(),
                first_line_indent_chars: self.f32(),
                space_before_pt: self.f32(),
                space_after_pt: self.f32(),
            }),
            2 => w::NodeKind::KeyValue(w::KeyValueGrid {
                pairs_per_row: self.u16(),
                label_fraction: self.f32(),
                items: self.list(|b| w::KeyValueItem {
                    label: b.string(),
                    value: b.string(),
                    span: b.u16(),
                }),
                style: self.style(),
            }),
            3 => w::NodeKind::Table(w::TableInfo {
                column_fractions: self.list(|b| b.f32()),
                header_rows: self.u16(),
            }),
            4 => w::NodeKind::TableRow,
            5 => w::NodeKind::TableCell(w::CellInfo {
                col_span: self.u16(),
                align: self.align(),
            }),
            6 => w::NodeKind::Checkboxes(w::CheckboxList {
                label: self.option_string(),
                options: self.list(|b| w::CheckboxOption {
                    label: b.string(),
                    checked: b.bool(),
                }),
                style: self.style(),
            }),
            7 => w::NodeKind::SignatureLine(w::SignatureLine {
                items: self.list(|b| w::SignatureItem {
                    label: b.string(),
                    kind: if b.bool() {
                        w::SignatureKind::Date
                    } else {
                        w::SignatureKind::Signature
                    },
                }),
                align: self.align(),
                style: self.style(),
            }),
            8 => w::NodeKind::SealPlaceholder(self.string()),
            9 => w::NodeKind::Rule(self.f32()),
            10 => w::NodeKind::Spacer(self.f32()),
            11 => w::NodeKind::PageBreak,
            _ => w::NodeKind::Image(w::ImageRef {
                reference: self.string(),
                width_mm: self.f32(),
                height_mm: self.f32(),
                caption: self.option_string(),
            }),
        }
    }
}

/// Decodes `data` into a plugin's document and converts it as the host
/// converts every report a plugin returns.
pub fn document_from_bytes(data: &[u8]) -> Result<Document, CallFailure> {
    let mut b = Bytes { data, pos: 0 };
    let page = w::PageSetup {
        orientation: if b.bool() {
            w::Orientation::Landscape
        } else {
            w::Orientation::Portrait
        },
        margins: w::Margins {
            top_mm: b.f32(),
            bottom_mm: b.f32(),
            left_mm: b.f32(),
            right_mm: b.f32(),
        },
        header: b.option_string(),
        footer: b.option_string(),
        page_number: b.option_string(),
        preset: b.bool().then_some(w::Preset::Gbt9704),
    };
    let title = b.string();
    let node_count = usize::from(b.u8());
    let nodes = (0..node_count)
        .map(|_| w::Node {
            kind: b.kind(),
            children: b.list(|b| b.u32()),
        })
        .collect();
    let body = b.list(|b| b.u32());
    let limits = Limits::default();
    let mut budget = Budget::new(&limits);
    convert::document(
        &mut budget,
        w::Document {
            title,
            page,
            nodes,
            body,
        },
    )
}
