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
//! Horizontal and vertical strokes are snapped to whole pixels and are
//! never thinner than one pixel (poppler's "stroke adjustment"), so 0.5 pt
//! table rules stay crisp and visible at small scales.

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
    let mut glyphs = GlyphCache::new();
    for item in &page.items {
        match item {
            DrawItem::Text(run) => draw_text(&mut pixmap, run, fonts, &mut glyphs, base),
            DrawItem::Line { from, to, stroke } => {
                let (a, b) = (
                    (from.0 * scale, from.1 * scale),
                    (to.0 * scale, to.1 * scale),
                );
                let pen = Pen::new(stroke, scale);
                if a.1 == b.1 {
                    pen.horizontal(&mut pixmap, a.1, a.0.min(b.0), a.0.max(b.0));
                } else if a.0 == b.0 {
                    pen.vertical(&mut pixmap, a.0, a.1.min(b.1), a.1.max(b.1));
                } else {
                    let mut pb = PathBuilder::new();
                    pb.move_to(a.0, a.1);
                    pb.line_to(b.0, b.1);
                    if let Some(path) = pb.finish() {
                        pen.stroke(&mut pixmap, &path);
                    }
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
                // Fill first, then stroke on top: PDF's `B` order.
                if let Some(level) = fill
                    && let Some(rect) = Rect::from_xywh(*x, *y, *w, *h)
                {
                    let path = PathBuilder::from_rect(rect);
                    pixmap.fill_path(&path, &gray_paint(*level), FillRule::Winding, base, None);
                }
                if let Some(s) = stroke {
                    let (l, t) = (x * scale, y * scale);
                    let (r, b) = (l + w * scale, t + h * scale);
                    if l <= r && t <= b {
                        Pen::new(s, scale).rect(&mut pixmap, l, t, r, b);
                    }
                }
            }
            DrawItem::Circle { cx, cy, r, stroke } => {
                if let Some(path) = PathBuilder::from_circle(cx * scale, cy * scale, r * scale) {
                    Pen::new(stroke, scale).stroke(&mut pixmap, &path);
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

/// A stroke in device pixels. Horizontal and vertical strokes (table
/// rules, underlines, frames) are snapped to whole pixels as poppler's
/// "stroke adjustment" does: each edge of the stroke is rounded to the
/// nearest pixel boundary, and a stroke never gets thinner than one pixel.
/// So a 0.5 pt rule is one crisp black pixel row, not two gray ones.
struct Pen {
    /// Width in device pixels (unsnapped).
    width: f32,
    dash: Option<(f32, f32)>,
    paint: Paint<'static>,
}

impl Pen {
    fn new(s: &Stroke, scale: f32) -> Pen {
        let width = if s.width.is_finite() && s.width > 0.0 {
            s.width * scale
        } else {
            0.0
        };
        let dash = s
            .dash
            .map(|(on, off)| (on * scale, off * scale))
            .filter(|(on, off)| on.is_finite() && off.is_finite() && *on > 0.0 && *off > 0.0);
        Pen {
            width,
            dash,
            paint: gray_paint(s.gray),
        }
    }

    /// The pixel rows (or columns) `[r0, r1)` a stroke centred on `c`
    /// covers after snapping; `None` for a non-finite position.
    fn snap(&self, c: f32) -> Option<(f32, f32)> {
        let r0 = (c - self.width / 2.0).round();
        let r1 = (c + self.width / 2.0).round().max(r0 + 1.0);
        (r0.is_finite() && r1.is_finite()).then_some((r0, r1))
    }

    /// A horizontal stroke centred on row `y` from `x0` to `x1` (butt caps).
    fn horizontal(&self, pixmap: &mut Pixmap, y: f32, x0: f32, x1: f32) {
        if let Some((r0, r1)) = self.snap(y) {
            self.band(pixmap, true, r0, r1, x0, x1);
        }
    }

    fn vertical(&self, pixmap: &mut Pixmap, x: f32, y0: f32, y1: f32) {
        if let Some((r0, r1)) = self.snap(x) {
            self.band(pixmap, false, r0, r1, y0, y1);
        }
    }

    /// A rectangle's outline; each edge snapped, the corners filled square
    /// (a mitred join of a rectangle).
    fn rect(&self, pixmap: &mut Pixmap, l: f32, t: f32, r: f32, b: f32) {
        let (Some(ls), Some(rs), Some(ts), Some(bs)) =
            (self.snap(l), self.snap(r), self.snap(t), self.snap(b))
        else {
            return;
        };
        self.band(pixmap, true, ts.0, ts.1, ls.0, rs.1);
        self.band(pixmap, true, bs.0, bs.1, ls.0, rs.1);
        self.band(pixmap, false, ls.0, ls.1, ts.0, bs.1);
        self.band(pixmap, false, rs.0, rs.1, ts.0, bs.1);
    }

    /// Covers rows (`horizontal`) or columns `[r0, r1)` from `a0` to `a1`
    /// along the other axis, dashed if the pen is.
    fn band(&self, pixmap: &mut Pixmap, horizontal: bool, r0: f32, r1: f32, a0: f32, a1: f32) {
        // Also refuses NaN.
        if a0.partial_cmp(&a1) != Some(std::cmp::Ordering::Less) {
            return;
        }
        if self.dash.is_none() {
            let rect = if horizontal {
                Rect::from_ltrb(a0, r0, a1, r1)
            } else {
                Rect::from_ltrb(r0, a0, r1, a1)
            };
            if let Some(rect) = rect {
                pixmap.fill_rect(rect, &self.paint, Transform::identity(), None);
            }
            return;
        }
        let c = (r0 + r1) / 2.0;
        let mut pb = PathBuilder::new();
        if horizontal {
            pb.move_to(a0, c);
            pb.line_to(a1, c);
        } else {
            pb.move_to(c, a0);
            pb.line_to(c, a1);
        }
        if let Some(path) = pb.finish() {
            self.stroke_with(pixmap, &path, r1 - r0);
        }
    }

    /// Any other path, at least one pixel wide.
    fn stroke(&self, pixmap: &mut Pixmap, path: &Path) {
        self.stroke_with(pixmap, path, self.width.max(1.0));
    }

    fn stroke_with(&self, pixmap: &mut Pixmap, path: &Path, width: f32) {
        let stroke = SkStroke {
            width,
            dash: self
                .dash
                .and_then(|(on, off)| StrokeDash::new(vec![on, off], 0.0)),
            ..SkStroke::default()
        };
        pixmap.stroke_path(path, &self.paint, &stroke, Transform::identity(), None);
    }
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
        assert!((52..=61).contains(&bottom), "ink ends at row {bottom}");
        assert!((20..35).contains(&top), "ink starts at row {top}");
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
