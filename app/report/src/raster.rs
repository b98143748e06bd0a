//! The preview backend: laid-out pages → RGBA pixels with tiny-skia.
//!
//! A second consumer of `draw::PageDraw`, beside `pdf_writer`, so the
//! desktop's 打印中心 can show pages without a PDF viewer or poppler. It
//! draws exactly what the PDF draws: glyph outlines (from the same faces
//! and glyph ids, through ttf-parser), lines, rectangles and circles, on a
//! white page. It knows nothing of egui; the app turns a [`RasterPage`]
//! into a texture.
//!
//! Coordinates: layout and tiny-skia both put the origin top-left with y
//! growing downwards; font outlines are in font units with y growing
//! *upwards*, so each glyph is drawn through a transform that flips y
//! about its baseline.
//!
//! Strokes thinner than one device pixel are drawn one pixel wide, as PDF
//! viewers do, so 0.5 pt table rules stay visible at small scales.

use std::collections::HashMap;

use hutong_core::document::Document;
use tiny_skia::{
    Color, FillRule, Paint, Path, PathBuilder, Pixmap, Rect, Stroke as SkStroke, StrokeDash,
    Transform,
};

use crate::draw::{DrawItem, PageDraw, Stroke, TextRun};
use crate::error::ReportError;
use crate::fonts::{FaceId, FontSet};

/// Largest raster accepted, in pixels per side. A4 at 4096 px tall is
/// about 350 dpi: plenty for a preview, and at most 64 MB of RGBA.
pub const MAX_RASTER_SIDE: u32 = 4096;

/// Synthetic bold: the glyph outline is also stroked this wide, as a share
/// of the font size (the PDF writer uses the same figure).
const FAKE_BOLD_STROKE: f32 = 0.03;

/// One page as pixels: `width × height`, row by row from the top, four
/// bytes (R, G, B, A) per pixel, not premultiplied (what egui's
/// `ColorImage::from_rgba_unmultiplied` takes). The page is opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RasterPage {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// A document laid out once, ready to rasterise page by page.
///
/// Holds its own (cheap) clone of the [`FontSet`], so it can live in the
/// app's state next to the document it previews. Rasterising is
/// deterministic: the same page and scale give the same pixels.
#[derive(Debug, Clone)]
pub struct Preview {
    fonts: FontSet,
    pages: Vec<PageDraw>,
    missing: Vec<char>,
}

impl Preview {
    /// Validates and lays out `doc` (the same checks and layout as
    /// [`crate::render`], so the preview shows the pages that will print).
    pub fn new(doc: &Document, fonts: &FontSet) -> Result<Preview, ReportError> {
        crate::validate(doc)?;
        let (pages, missing) = crate::layout::layout_document(doc, fonts)?;
        Ok(Preview {
            fonts: fonts.clone(),
            pages,
            missing: missing.into_iter().collect(),
        })
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Page `page` (0-based)'s size in points, (width, height).
    pub fn page_size_pt(&self, page: usize) -> Option<(f32, f32)> {
        self.pages.get(page).map(|p| (p.width, p.height))
    }

    /// Characters no available font has (they show as empty boxes).
    pub fn missing_chars(&self) -> &[char] {
        &self.missing
    }

    /// Rasterises page `page` (0-based) at `pixels_per_point` (1.0 is
    /// 72 dpi; egui's `pixels_per_point` times a zoom is the usual value).
    ///
    /// Fails, without allocating, if the page does not exist or the scale
    /// is not a positive number or would make a side longer than
    /// [`MAX_RASTER_SIDE`] pixels.
    pub fn rasterize(&self, page: usize, pixels_per_point: f32) -> Result<RasterPage, ReportError> {
        let p = self.pages.get(page).ok_or_else(|| {
            ReportError::Preview(format!(
                "第 {} 页不存在（共 {} 页）",
                page.saturating_add(1),
                self.pages.len()
            ))
        })?;
        let (width, height) = raster_size(p.width, p.height, pixels_per_point)?;
        rasterize_page(p, &self.fonts, width, height, pixels_per_point)
    }
}

/// The pixel size of a `w × h` pt page at `scale`, or an error if the scale
/// is unusable or the raster would be too large.
fn raster_size(w: f32, h: f32, scale: f32) -> Result<(u32, u32), ReportError> {
    if !scale.is_finite() || scale <= 0.0 {
        return Err(ReportError::Preview(format!(
            "缩放比例 {scale} 无效，须为正数"
        )));
    }
    if !(w.is_finite() && h.is_finite() && w > 0.0 && h > 0.0) {
        return Err(ReportError::Preview(format!("页面尺寸 {w} × {h} 无效")));
    }
    let (pw, ph) = ((w * scale).round(), (h * scale).round());
    let max = MAX_RASTER_SIDE as f32;
    if pw > max || ph > max {
        return Err(ReportError::Preview(format!(
            "预览图 {pw} × {ph} 像素超过上限 {MAX_RASTER_SIDE} × {MAX_RASTER_SIDE}，请减小缩放比例"
        )));
    }
    // In range, so the casts are exact; a tiny scale still gives one pixel.
    Ok(((pw as u32).max(1), (ph as u32).max(1)))
}

/// Glyph outlines in font units (y up), built once per rasterisation.
/// `None`: the glyph has no outline (a space) or the face does not load.
type GlyphCache = HashMap<(FaceId, u16), Option<(Path, f32)>>;

fn rasterize_page(
    page: &PageDraw,
    fonts: &FontSet,
    width: u32,
    height: u32,
    scale: f32,
) -> Result<RasterPage, ReportError> {
    let mut pixmap = Pixmap::new(width, height)
        .ok_or_else(|| ReportError::Preview(format!("无法分配 {width} × {height} 的预览图")))?;
    pixmap.fill(Color::WHITE);
    let base = Transform::from_scale(scale, scale);
    // One device pixel, in points: the thinnest stroke drawn.
    let min_width = 1.0 / scale;
    let mut glyphs = GlyphCache::new();
    for item in &page.items {
        match item {
            DrawItem::Text(run) => draw_text(&mut pixmap, run, fonts, &mut glyphs, base),
            DrawItem::Line { from, to, stroke } => {
                let mut pb = PathBuilder::new();
                pb.move_to(from.0, from.1);
                pb.line_to(to.0, to.1);
                if let Some(path) = pb.finish() {
                    stroke_path(&mut pixmap, &path, stroke, min_width, base);
                }
            }
            DrawItem::Rect {
                x,
                y,
                w,
                h,
                stroke,
                fill,
            } => {
                let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                    continue;
                };
                let path = PathBuilder::from_rect(rect);
                // Fill first, then stroke on top: PDF's `B` order.
                if let Some(level) = fill {
                    let paint = gray_paint(*level);
                    pixmap.fill_path(&path, &paint, FillRule::Winding, base, None);
                }
                if let Some(s) = stroke {
                    stroke_path(&mut pixmap, &path, s, min_width, base);
                }
            }
            DrawItem::Circle { cx, cy, r, stroke } => {
                if let Some(path) = PathBuilder::from_circle(*cx, *cy, *r) {
                    stroke_path(&mut pixmap, &path, stroke, min_width, base);
                }
            }
        }
    }
    // Premultiplied → straight alpha. Everything drawn is opaque on an
    // opaque page, so this changes nothing today, but it keeps the
    // documented format true if a translucent item is ever added.
    let mut rgba = Vec::with_capacity(pixmap.data().len());
    for px in pixmap.pixels() {
        let c = px.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    Ok(RasterPage {
        width,
        height,
        rgba,
    })
}

fn gray_paint(level: f32) -> Paint<'static> {
    let v = if level.is_finite() {
        (level.clamp(0.0, 1.0) * 255.0).round() as u8
    } else {
        0
    };
    let mut paint = Paint::default();
    paint.set_color_rgba8(v, v, v, 255);
    paint.anti_alias = true;
    paint
}

fn stroke_path(pixmap: &mut Pixmap, path: &Path, s: &Stroke, min_width: f32, t: Transform) {
    let width = if s.width.is_finite() {
        s.width.max(min_width)
    } else {
        min_width
    };
    let dash = s
        .dash
        .filter(|(on, off)| on.is_finite() && off.is_finite() && *on > 0.0 && *off > 0.0)
        .and_then(|(on, off)| StrokeDash::new(vec![on, off], 0.0));
    let stroke = SkStroke {
        width,
        dash,
        ..SkStroke::default()
    };
    pixmap.stroke_path(path, &gray_paint(s.gray), &stroke, t, None);
}

fn draw_text(
    pixmap: &mut Pixmap,
    run: &TextRun,
    fonts: &FontSet,
    cache: &mut GlyphCache,
    base: Transform,
) {
    let paint = gray_paint(0.0);
    for g in &run.glyphs {
        let Some((path, units_per_em)) = cache
            .entry((run.face, g.gid))
            .or_insert_with(|| glyph_outline(fonts, run.face, g.gid))
        else {
            continue;
        };
        let k = run.size / *units_per_em;
        // Font units (y up) → points on the page (y down), about the
        // glyph's origin on the baseline.
        let t = base.pre_concat(Transform::from_row(k, 0.0, 0.0, -k, g.x, g.y));
        pixmap.fill_path(path, &paint, FillRule::Winding, t, None);
        if run.fake_bold {
            let stroke = SkStroke {
                width: FAKE_BOLD_STROKE * *units_per_em,
                ..SkStroke::default()
            };
            pixmap.stroke_path(path, &paint, &stroke, t, None);
        }
    }
}

/// The outline of glyph `gid` of `face` in font units, with the face's
/// units per em.
fn glyph_outline(fonts: &FontSet, face: FaceId, gid: u16) -> Option<(Path, f32)> {
    let loaded = fonts.slot(face)?.load().ok()?;
    let mut b = Outline(PathBuilder::new());
    loaded
        .shaper
        .outline_glyph(ttf_parser::GlyphId(gid), &mut b)?;
    Some((b.0.finish()?, loaded.units_per_em))
}

/// ttf-parser's outline callbacks onto a tiny-skia path, unchanged (still
/// in font units, y up).
struct Outline(PathBuilder);

impl ttf_parser::OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.quad_to(x1, y1, x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.cubic_to(x1, y1, x2, y2, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::PlacedGlyph;
    use hutong_core::document::FontRole;

    const W: f32 = 200.0;
    const H: f32 = 100.0;

    fn page(items: Vec<DrawItem>) -> PageDraw {
        PageDraw {
            width: W,
            height: H,
            items,
        }
    }

    fn raster(items: Vec<DrawItem>, scale: f32) -> RasterPage {
        let p = page(items);
        let (w, h) = raster_size(p.width, p.height, scale).unwrap();
        rasterize_page(&p, &FontSet::bundled(), w, h, scale).unwrap()
    }

    /// Luminance (0 black … 255 white) of pixel (x, y).
    fn lum(r: &RasterPage, x: u32, y: u32) -> u8 {
        let i = ((y * r.width + x) * 4) as usize;
        r.rgba[i]
    }

    fn dark_rows(r: &RasterPage) -> Vec<u32> {
        (0..r.height)
            .filter(|&y| (0..r.width).any(|x| lum(r, x, y) < 128))
            .collect()
    }

    fn glyph_run(c: char, size: f32, x: f32, baseline: f32, fake_bold: bool) -> DrawItem {
        let fonts = FontSet::bundled();
        let face = fonts.face_for_char(FontRole::Song, false, c).unwrap();
        let gid = fonts
            .slot(face)
            .unwrap()
            .load()
            .unwrap()
            .shaper
            .glyph_index(c)
            .unwrap()
            .0;
        DrawItem::Text(TextRun {
            face,
            size,
            fake_bold,
            glyphs: vec![PlacedGlyph {
                gid,
                x,
                y: baseline,
                chars: Some(c.to_string()),
            }],
            actual_text: c.to_string(),
        })
    }

    #[test]
    fn glyphs_stand_on_their_baseline_right_side_up() {
        // 王 at 40 pt on a baseline at y = 60: its ink lies above the
        // baseline (y < 60), within one em, and its bottom stroke is
        // longer than its top one (the character is not upside down).
        let r = raster(vec![glyph_run('王', 40.0, 20.0, 60.0, false)], 1.0);
        let rows = dark_rows(&r);
        let (top, bottom) = (rows[0], rows[rows.len() - 1]);
        assert!(bottom <= 61 && bottom >= 52, "ink ends at row {bottom}");
        assert!(top >= 20 && top < 35, "ink starts at row {top}");
        let ink = |y: u32| (0..r.width).filter(|&x| lum(&r, x, y) < 128).count();
        let widest_top = (top..top + 5).map(ink).max().unwrap();
        let widest_bottom = (bottom - 4..=bottom).map(ink).max().unwrap();
        assert!(
            widest_bottom > widest_top,
            "王's bottom stroke ({widest_bottom} px) should outreach its top ({widest_top} px)"
        );
        // Horizontally: from the pen position, within one em.
        let cols: Vec<u32> = (0..r.width)
            .filter(|&x| (0..r.height).any(|y| lum(&r, x, y) < 128))
            .collect();
        assert!(cols[0] >= 20 && cols[cols.len() - 1] <= 60, "{cols:?}");
    }

    #[test]
    fn fake_bold_adds_ink() {
        let count = |r: &RasterPage| r.rgba.chunks(4).filter(|p| p[0] < 128).count();
        let plain = count(&raster(vec![glyph_run('国', 40.0, 20.0, 60.0, false)], 1.0));
        let bold = count(&raster(vec![glyph_run('国', 40.0, 20.0, 60.0, true)], 1.0));
        assert!(
            bold as f32 > plain as f32 * 1.15,
            "bold {bold} px vs plain {plain} px"
        );
    }

    #[test]
    fn lines_respect_width_gray_and_dash() {
        let line = |y: f32, stroke: Stroke| DrawItem::Line {
            from: (10.0, y),
            to: (190.0, y),
            stroke,
        };
        let r = raster(
            vec![
                // A 4 pt black rule centred on y = 20.
                line(20.0, Stroke::solid(4.0)),
                // A gray one on y = 50.
                line(
                    50.0,
                    Stroke {
                        width: 2.0,
                        dash: None,
                        gray: 0.5,
                    },
                ),
                // A dashed one on y = 80: 10 on, 10 off.
                line(
                    80.0,
                    Stroke {
                        width: 2.0,
                        dash: Some((10.0, 10.0)),
                        gray: 0.0,
                    },
                ),
            ],
            2.0,
        );
        // Width: at 2 px/pt the rule covers rows 36..44.
        for y in 37..43 {
            assert_eq!(lum(&r, 100, y), 0, "row {y} of the 4 pt rule");
        }
        assert_eq!(lum(&r, 100, 33), 255);
        assert_eq!(lum(&r, 100, 46), 255);
        // Butt caps: nothing left of x = 10 pt.
        assert_eq!(lum(&r, 18, 40), 255);
        // Gray 0.5.
        let g = lum(&r, 200, 100);
        assert!((120..=135).contains(&g), "gray line is {g}");
        // Dash: on from 10–20 pt, off 20–30, on 30–40 …
        assert_eq!(lum(&r, 30, 160), 0, "first dash");
        assert_eq!(lum(&r, 50, 160), 255, "first gap");
        assert_eq!(lum(&r, 70, 160), 0, "second dash");
    }

    #[test]
    fn rects_fill_then_stroke_and_circles_stroke() {
        let r = raster(
            vec![
                DrawItem::Rect {
                    x: 10.0,
                    y: 10.0,
                    w: 50.0,
                    h: 50.0,
                    stroke: Some(Stroke::solid(2.0)),
                    fill: Some(0.8),
                },
                DrawItem::Circle {
                    cx: 140.0,
                    cy: 50.0,
                    r: 30.0,
                    stroke: Stroke::solid(2.0),
                },
            ],
            1.0,
        );
        let inside = lum(&r, 35, 35);
        assert!((200..=208).contains(&inside), "fill is {inside}");
        assert_eq!(lum(&r, 10, 35), 0, "border over the fill");
        assert_eq!(lum(&r, 110, 50), 0, "circle's left edge");
        assert_eq!(lum(&r, 140, 50), 255, "circle is not filled");
        assert_eq!(lum(&r, 140, 20), 0, "circle's top");
    }

    #[test]
    fn sizes_are_checked_before_allocating() {
        assert_eq!(raster_size(595.28, 841.89, 1.0).unwrap(), (595, 842));
        assert_eq!(raster_size(595.28, 841.89, 2.0).unwrap(), (1191, 1684));
        assert_eq!(raster_size(595.28, 841.89, 1e-6).unwrap(), (1, 1));
        for bad in [0.0, -1.0, f32::NAN, f32::INFINITY, 5.0, 1e30] {
            assert!(raster_size(595.28, 841.89, bad).is_err(), "scale {bad}");
        }
        assert!(raster_size(f32::NAN, 841.89, 1.0).is_err());
        assert!(raster_size(0.0, 841.89, 1.0).is_err());
    }

    #[test]
    fn hostile_items_do_not_panic() {
        let nan = f32::NAN;
        let r = raster(
            vec![
                DrawItem::Line {
                    from: (nan, 0.0),
                    to: (f32::INFINITY, 1e30),
                    stroke: Stroke {
                        width: nan,
                        dash: Some((nan, -1.0)),
                        gray: nan,
                    },
                },
                DrawItem::Rect {
                    x: 0.0,
                    y: 0.0,
                    w: -5.0,
                    h: nan,
                    stroke: Some(Stroke::solid(1e30)),
                    fill: Some(f32::INFINITY),
                },
                DrawItem::Circle {
                    cx: 1e38,
                    cy: 0.0,
                    r: -3.0,
                    stroke: Stroke::solid(1.0),
                },
                DrawItem::Text(TextRun {
                    face: 999,
                    size: nan,
                    fake_bold: true,
                    glyphs: vec![PlacedGlyph {
                        gid: u16::MAX,
                        x: 0.0,
                        y: 0.0,
                        chars: None,
                    }],
                    actual_text: String::new(),
                }),
            ],
            1.0,
        );
        assert_eq!(r.rgba.len(), (r.width * r.height * 4) as usize);
    }
}
