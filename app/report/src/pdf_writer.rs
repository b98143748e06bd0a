//! The PDF engine adapter: `draw::PageDraw`s → PDF bytes via printpdf.
//!
//! This is the only module that knows printpdf. What it must get right:
//! - glyph ids, not text, are shown (the layout already shaped them), and
//!   every run is wrapped in an `/ActualText` span so text extraction
//!   returns exactly the source string (Tibetan included);
//! - fonts are subset (printpdf's `text_layout` feature) so a 3-page file
//!   stays small;
//! - output is deterministic: printpdf draws its ids from a process-wide
//!   counter, so we name fonts ourselves and overwrite the trailer /ID.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use printpdf::{
    Codepoint, Color, DictItem, FontId, Greyscale, Line, LineDashPattern, LinePoint, Op, PaintMode,
    ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect,
    TextItem, TextMatrix, TextRenderingMode, WindingOrder,
};

use crate::draw::{DrawItem, PageDraw, Stroke, TextRun};
use crate::error::ReportError;
use crate::fonts::{FaceId, FaceSlot, FontSet};

/// printpdf's parsed copy of a face, made once per process on first use
/// (parsing a 15 MB CJK font is not free).
#[derive(Default)]
pub(crate) struct EngineFont(OnceLock<Result<ParsedFont, String>>);

impl EngineFont {
    fn get(&self, slot: &FaceSlot) -> Result<&ParsedFont, ReportError> {
        self.0
            .get_or_init(|| {
                let face = slot.load().map_err(|e| e.to_string())?;
                let mut warnings = Vec::new();
                ParsedFont::from_bytes(face.bytes, face.index as usize, &mut warnings)
                    .ok_or_else(|| "PDF 引擎无法解析该字体".to_string())
            })
            .as_ref()
            .map_err(|reason| ReportError::Font {
                name: slot.name.clone(),
                reason: reason.clone(),
            })
    }
}

/// FNV-1a: small, stable across Rust versions (unlike `DefaultHasher`).
fn fnv1a(data: &[u8], mut h: u64) -> u64 {
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Six capital letters: the PDF subset tag ("ABCDEF+Name"). Derived from
/// the face and the glyphs used, so equal input gives equal tags.
fn subset_tag(name: &str, glyphs: &BTreeSet<u16>) -> String {
    let mut h = fnv1a(name.as_bytes(), FNV_OFFSET);
    for g in glyphs {
        h = fnv1a(&g.to_be_bytes(), h);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect()
}

/// /ActualText wants a text string: UTF-16BE with a byte-order mark.
fn utf16_text_string(s: &str) -> Vec<u8> {
    let mut v = vec![0xFE, 0xFF];
    for unit in s.encode_utf16() {
        v.extend_from_slice(&unit.to_be_bytes());
    }
    v
}

fn pt(x: f32, y: f32) -> Point {
    Point { x: Pt(x), y: Pt(y) }
}

fn gray(level: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: level,
        icc_profile: None,
    })
}

/// Emits stroke state only when it changes (tables draw thousands of
/// rectangles with the same pen).
#[derive(Default)]
struct PenState {
    stroke: Option<Stroke>,
    fill: Option<f32>,
}

impl PenState {
    fn stroke(&mut self, ops: &mut Vec<Op>, s: Stroke) {
        let old = self.stroke;
        if old.is_none_or(|o| o.width != s.width) {
            ops.push(Op::SetOutlineThickness { pt: Pt(s.width) });
        }
        if old.is_none_or(|o| o.gray != s.gray) {
            ops.push(Op::SetOutlineColor { col: gray(s.gray) });
        }
        if old.is_none_or(|o| o.dash != s.dash) {
            let dash = match s.dash {
                Some((on, off)) => LineDashPattern::new(0.0, &[on, off]),
                None => LineDashPattern::solid(),
            };
            ops.push(Op::SetLineDashPattern { dash });
        }
        self.stroke = Some(s);
    }

    fn fill(&mut self, ops: &mut Vec<Op>, level: f32) {
        if self.fill != Some(level) {
            ops.push(Op::SetFillColor { col: gray(level) });
            self.fill = Some(level);
        }
    }
}

struct FontIds {
    ids: BTreeMap<FaceId, FontId>,
}

fn text_ops(ops: &mut Vec<Op>, pen: &mut PenState, run: &TextRun, ids: &FontIds, page_h: f32) {
    let Some(font_id) = ids.ids.get(&run.face) else {
        return;
    };
    pen.fill(ops, 0.0);
    let props = DictItem::Dict {
        map: BTreeMap::from([(
            "ActualText".to_string(),
            DictItem::String {
                data: utf16_text_string(&run.actual_text),
                literal: false,
            },
        )]),
    };
    ops.push(Op::BeginMarkedContentWithProperties {
        tag: "Span".into(),
        properties: props,
    });
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(font_id.clone()),
        size: Pt(run.size),
    });
    if run.fake_bold {
        // Synthetic bold: fill and stroke the outline with black.
        pen.stroke(ops, Stroke::solid(run.size * 0.03));
        ops.push(Op::SetTextRenderingMode {
            mode: TextRenderingMode::FillStroke,
        });
    }
    for g in &run.glyphs {
        // printpdf merges consecutive same-baseline glyphs into one TJ.
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(Pt(g.x), Pt(page_h - g.y)),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(vec![Codepoint {
                gid: g.gid,
                offset: 0.0,
                cid: g.chars.clone(),
            }])],
        });
    }
    if run.fake_bold {
        ops.push(Op::SetTextRenderingMode {
            mode: TextRenderingMode::Fill,
        });
    }
    ops.push(Op::EndTextSection);
    ops.push(Op::EndMarkedContentWithProperties);
}

/// A circle as four Bézier arcs.
fn circle_line(cx: f32, cy: f32, r: f32) -> Line {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let p = |x: f32, y: f32, bezier: bool| LinePoint {
        p: pt(x, y),
        bezier,
    };
    Line {
        points: vec![
            p(cx + r, cy, false),
            p(cx + r, cy + k, true),
            p(cx + k, cy + r, true),
            p(cx, cy + r, false),
            p(cx - k, cy + r, true),
            p(cx - r, cy + k, true),
            p(cx - r, cy, false),
            p(cx - r, cy - k, true),
            p(cx - k, cy - r, true),
            p(cx, cy - r, false),
            p(cx + k, cy - r, true),
            p(cx + r, cy - k, true),
            p(cx + r, cy, false),
        ],
        is_closed: true,
    }
}

fn page_ops(page: &PageDraw, ids: &FontIds) -> Vec<Op> {
    let h = page.height;
    let mut ops = Vec::with_capacity(page.items.len() * 4);
    let mut pen = PenState::default();
    for item in &page.items {
        match item {
            DrawItem::Text(run) => text_ops(&mut ops, &mut pen, run, ids, h),
            DrawItem::Line { from, to, stroke } => {
                pen.stroke(&mut ops, *stroke);
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: pt(from.0, h - from.1),
                                bezier: false,
                            },
                            LinePoint {
                                p: pt(to.0, h - to.1),
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
            DrawItem::Rect {
                x,
                y,
                w,
                h: rh,
                stroke,
                fill,
            } => {
                let mode = match (stroke, fill) {
                    (Some(_), Some(_)) => PaintMode::FillStroke,
                    (Some(_), None) => PaintMode::Stroke,
                    (None, Some(_)) => PaintMode::Fill,
                    (None, None) => continue,
                };
                if let Some(s) = stroke {
                    pen.stroke(&mut ops, *s);
                }
                if let Some(f) = fill {
                    pen.fill(&mut ops, *f);
                }
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(*x),
                        y: Pt(h - y - rh),
                        width: Pt(*w),
                        height: Pt(*rh),
                        mode: Some(mode),
                        winding_order: Some(WindingOrder::NonZero),
                    },
                });
            }
            DrawItem::Circle { cx, cy, r, stroke } => {
                pen.stroke(&mut ops, *stroke);
                ops.push(Op::DrawLine {
                    line: circle_line(*cx, h - cy, *r),
                });
            }
        }
    }
    ops
}

/// Writes the pages as a PDF. `title` goes into the document info.
pub(crate) fn write_pdf(
    title: &str,
    pages: &[PageDraw],
    fonts: &FontSet,
) -> Result<Vec<u8>, ReportError> {
    // Which glyphs of which faces are used: names the subset tags.
    let mut used: BTreeMap<FaceId, BTreeSet<u16>> = BTreeMap::new();
    for page in pages {
        for item in &page.items {
            if let DrawItem::Text(run) = item {
                used.entry(run.face)
                    .or_default()
                    .extend(run.glyphs.iter().map(|g| g.gid));
            }
        }
    }
    let mut doc = PdfDocument::new(title);
    let mut ids = FontIds {
        ids: BTreeMap::new(),
    };
    for (face, glyphs) in &used {
        let slot = fonts
            .slot(*face)
            .ok_or_else(|| ReportError::Pdf(format!("字体编号 {face} 不存在")))?;
        let parsed = slot.engine.get(slot)?;
        // The first six letters become the subset tag printpdf writes.
        let id = FontId(format!("{}F{face}", subset_tag(&slot.name, glyphs)));
        doc.resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new(parsed.clone()));
        ids.ids.insert(*face, id);
    }
    for page in pages {
        let ops = page_ops(page, &ids);
        doc.pages.push(PdfPage::new(
            printpdf::Mm(page.width * 25.4 / 72.0),
            printpdf::Mm(page.height * 25.4 / 72.0),
            ops,
        ));
    }
    let opts = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut bytes = doc.save(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.msg.contains("NOT be embedded") || w.msg.contains("Failed to subset"))
    {
        return Err(ReportError::Pdf(w.msg.clone()));
    }
    fix_trailer_id(&mut bytes);
    Ok(bytes)
}

/// printpdf fills the trailer /ID with two 32-letter strings from a
/// process-wide counter, so two renders of one document differ. Overwrite
/// both (same length, so no offsets move) with a hash of everything else.
fn fix_trailer_id(bytes: &mut [u8]) {
    let Some(pos) = find_last(bytes, b"/ID") else {
        return;
    };
    let tail = &bytes[pos..];
    let mut spans = Vec::new();
    let mut i = 0;
    while i < tail.len() && spans.len() < 2 {
        if tail[i] == b'('
            && let Some(len) = tail[i + 1..].iter().position(|b| *b == b')')
        {
            spans.push((pos + i + 1, len));
            i += len + 2;
            continue;
        }
        i += 1;
    }
    let mut h = FNV_OFFSET;
    h = fnv1a(&bytes[..pos], h);
    for (start, len) in spans {
        let mut x = h;
        for k in 0..len {
            x = fnv1a(&[k as u8], x);
            bytes[start + k] = b'A' + (x % 26) as u8;
        }
        h = x;
    }
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subset_tags_are_six_capitals_and_stable() {
        let g: BTreeSet<u16> = [3, 5, 8].into();
        let a = subset_tag("NotoSerifSC", &g);
        assert_eq!(a.len(), 6);
        assert!(a.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(a, subset_tag("NotoSerifSC", &g));
        assert_ne!(a, subset_tag("NotoSansSC", &g));
    }

    #[test]
    fn actual_text_is_utf16be_with_bom() {
        assert_eq!(utf16_text_string("王"), vec![0xFE, 0xFF, 0x73, 0x8B]);
        // A supplementary-plane character becomes a surrogate pair.
        assert_eq!(utf16_text_string("𡒄").len(), 2 + 4);
    }

    #[test]
    fn trailer_id_is_replaced_in_place() {
        let mut pdf = b"%PDF-1.7 body trailer<</ID[(ABCDEFGH)(IJKLMNOP)]>>".to_vec();
        let len = pdf.len();
        fix_trailer_id(&mut pdf);
        assert_eq!(pdf.len(), len);
        let s = String::from_utf8(pdf.clone()).unwrap();
        assert!(!s.contains("ABCDEFGH"));
        let mut again = b"%PDF-1.7 body trailer<</ID[(ZZZZZZZZ)(YYYYYYYY)]>>".to_vec();
        fix_trailer_id(&mut again);
        assert_eq!(pdf, again, "the ID depends only on the rest of the file");
    }
}
