//! The raster preview backend: pages of the fixture documents painted to
//! pixels, checked for size, ink, margins and ruling lines, and compared
//! with poppler's rendering of the PDF of the same document.
//!
//! Set HUTONG_REPORT_OUT=/some/dir to keep the preview pages as PNGs (and
//! poppler's greyscale renderings beside them) for a look.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::fixtures;
use common::poppler;
use hutong_core::document::{
    Align, Block, Document, FontRole, PageSetup, Paragraph, Table, TableCell, TableRow, TextStyle,
};
use hutong_report::{FontSet, MAX_RASTER_SIDE, Preview, RasterPage, ReportError, render};

const A4_W: f32 = 595.28;
const A4_H: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;

fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(FontSet::bundled)
}

fn child_preview() -> &'static Preview {
    static P: OnceLock<Preview> = OnceLock::new();
    P.get_or_init(|| Preview::new(&fixtures::child_file(), fonts()).expect("child file lays out"))
}

/// A greyscale view of a raster page (the preview only paints grays, so
/// R = G = B; the test checks that too).
struct Gray {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Gray {
    fn of(r: &RasterPage) -> Gray {
        assert_eq!(r.rgba.len(), r.width as usize * r.height as usize * 4);
        let pixels = r
            .rgba
            .chunks_exact(4)
            .map(|p| {
                assert!(p[0] == p[1] && p[1] == p[2], "not gray: {p:?}");
                assert_eq!(p[3], 255, "the page must be opaque");
                p[0]
            })
            .collect();
        Gray {
            width: r.width as usize,
            height: r.height as usize,
            pixels,
        }
    }

    fn from_poppler(g: poppler::Gray) -> Gray {
        Gray {
            width: g.width,
            height: g.height,
            pixels: g.pixels,
        }
    }

    fn at(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    /// Dark (< 128) pixels in the rectangle [x0, x1) × [y0, y1), in pixels.
    fn dark_in(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> usize {
        (y0..y1.min(self.height))
            .flat_map(|y| (x0..x1.min(self.width)).map(move |x| (x, y)))
            .filter(|&(x, y)| self.at(x, y) < 128)
            .count()
    }

    /// Whether every pixel of the rectangle is pure white.
    fn white_in(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> Result<(), String> {
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let v = self.at(x, y);
                if v != 255 {
                    return Err(format!("pixel ({x}, {y}) is {v}, not white"));
                }
            }
        }
        Ok(())
    }

    /// Ink (255 − value) summed over blocks of `bw × bh` pixels, row-major,
    /// over the first `w × h` pixels.
    fn ink_blocks(&self, w: usize, h: usize, bw: usize, bh: usize) -> Vec<f64> {
        let (nx, ny) = (w.div_ceil(bw), h.div_ceil(bh));
        let mut v = vec![0.0; nx * ny];
        for y in 0..h {
            for x in 0..w {
                v[(y / bh) * nx + x / bw] += f64::from(255 - self.at(x, y));
            }
        }
        v
    }

    fn save_png(&self, path: &Path) {
        let file = std::fs::File::create(path).unwrap();
        let mut enc = png::Encoder::new(file, self.width as u32, self.height as u32);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&self.pixels).unwrap();
    }
}

/// Where to keep pictures for a look, if anywhere.
fn keep_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("HUTONG_REPORT_OUT")?);
    std::fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        cov += (x - ma) * (y - mb);
        va += (x - ma) * (x - ma);
        vb += (y - mb) * (y - mb);
    }
    cov / (va * vb).sqrt()
}

#[test]
fn child_file_pages_have_a4_size_at_each_scale() {
    let p = child_preview();
    assert_eq!(p.page_count(), 3);
    assert!(p.missing_chars().is_empty(), "{:?}", p.missing_chars());
    for page in 0..3 {
        let (w, h) = p.page_size_pt(page).expect("page exists");
        assert!(
            (w - A4_W).abs() < 0.1 && (h - A4_H).abs() < 0.1,
            "{w} × {h}"
        );
    }
    assert_eq!(p.page_size_pt(3), None);
    for (scale, want) in [(1.0, (595, 842)), (2.0, (1191, 1684)), (0.5, (298, 421))] {
        let r = p.rasterize(0, scale).expect("rasterise");
        assert_eq!((r.width, r.height), want, "at {scale} px/pt");
        assert_eq!(r.rgba.len(), (r.width * r.height * 4) as usize);
    }
}

#[test]
fn page_one_is_printed_on_inside_white_margins() {
    for scale in [1.0f32, 2.0] {
        let g = Gray::of(&child_preview().rasterize(0, scale).expect("rasterise"));
        let px = |pt: f32| (pt * scale).round() as usize;
        let (left, right) = (25.0 * MM, A4_W - 25.0 * MM);
        let (top, bottom) = (25.0 * MM, A4_H - 25.0 * MM);
        // Text block: clearly printed on, and not a black page.
        let area = (px(right) - px(left)) * (px(bottom) - px(top));
        let dark = g.dark_in(px(left), px(top), px(right), px(bottom));
        let ratio = dark as f64 / area as f64;
        assert!(
            (0.02..0.35).contains(&ratio),
            "at {scale} px/pt the text block is {:.2} % dark",
            ratio * 100.0
        );
        // Page 1 holds the title, the form grid and two sections, and ends
        // early (a page break follows): its upper half carries most of the
        // ink and its last quarter is empty.
        let half = (px(bottom) - px(top)) / 2;
        let upper = g.dark_in(px(left), px(top), px(right), px(top) + half);
        let lower = g.dark_in(px(left), px(top) + half, px(right), px(bottom));
        assert!(
            upper as f64 > 0.04 * ((px(right) - px(left)) * half) as f64 && upper > 2 * lower,
            "at {scale} px/pt: {upper} dark pixels in the upper half, {lower} in the lower"
        );
        let last_quarter = px(bottom) - half / 2;
        if let Err(e) = g.white_in(0, last_quarter, g.width, px(bottom)) {
            panic!("last quarter of the text block at {scale} px/pt: {e}");
        }
        // Margins: nothing in the left and right margins (2 px clear of the
        // text block for anti-aliasing of the grid's border), nor above the
        // header or below the footer.
        let edge = 2;
        for (name, rect) in [
            ("left margin", (0, 0, px(left) - edge, g.height)),
            ("right margin", (px(right) + edge, 0, g.width, g.height)),
            ("top edge", (0, 0, g.width, px(40.0))),
            ("bottom edge", (0, px(A4_H - 35.0), g.width, g.height)),
        ] {
            if let Err(e) = g.white_in(rect.0, rect.1, rect.2, rect.3) {
                panic!("{name} at {scale} px/pt: {e}");
            }
        }
    }
}

#[test]
fn header_rule_is_drawn_where_layout_puts_it() {
    // The page header sits over a 0.5 pt hairline 4 mm above the text
    // block, from its left edge to its right (default 25 mm margins).
    for scale in [1.0f32, 2.0, 3.0] {
        let g = Gray::of(&child_preview().rasterize(0, scale).expect("rasterise"));
        let y = (25.0 - 4.0) * MM * scale;
        let (x0, x1) = (25.0 * MM * scale, (A4_W - 25.0 * MM) * scale);
        let row = y.floor() as usize;
        // Darkest pixel within a pixel of the rule, per column.
        let darkest = |x: usize| (row - 1..=row + 1).map(|r| g.at(x, r)).min().unwrap_or(255);
        let cols: Vec<usize> = (x0.ceil() as usize + 1..x1.floor() as usize - 1).collect();
        let on_rule = cols.iter().filter(|&&x| darkest(x) < 140).count();
        assert!(
            on_rule == cols.len(),
            "at {scale} px/pt only {on_rule} of {} columns are dark at y = {y}",
            cols.len()
        );
        // Nothing else is there: just outside the rule's ends, and a few
        // points below it (the gap before the text block), the page is white.
        let beyond = |x: usize| darkest(x) == 255;
        assert!(beyond(x0 as usize - 3) && beyond(x1 as usize + 3));
        let below = (y + 3.0 * scale) as usize;
        if let Err(e) = g.white_in(0, below, g.width, (25.0 * MM * scale) as usize - 2) {
            panic!("gap under the header rule at {scale} px/pt: {e}");
        }
    }
}

/// Compares our raster of `page` (0-based) with pdftoppm's rendering of the
/// PDF of the same document at the same resolution: ink per horizontal
/// band, per vertical band and per small block must agree.
fn agrees_with_poppler(name: &str, doc: &Document, page: usize) {
    // 1.5 px/pt = 108 dpi.
    const SCALE: f32 = 1.5;
    const DPI: u32 = 108;
    let ours = Gray::of(
        &Preview::new(doc, fonts())
            .expect("preview")
            .rasterize(page, SCALE)
            .expect("rasterise"),
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = poppler::write_pdf(dir.path(), "doc.pdf", &render(doc, fonts()).unwrap());
    let theirs = Gray::from_poppler(poppler::gray_page(&pdf, dir.path(), page + 1, DPI));
    if let Some(keep) = keep_dir() {
        ours.save_png(&keep.join(format!("{name}-p{}-preview.png", page + 1)));
        theirs.save_png(&keep.join(format!("{name}-p{}-poppler.png", page + 1)));
    }
    assert!(
        ours.width.abs_diff(theirs.width) <= 1 && ours.height.abs_diff(theirs.height) <= 1,
        "{name}: ours {} × {}, poppler's {} × {}",
        ours.width,
        ours.height,
        theirs.width,
        theirs.height
    );
    let (w, h) = (ours.width.min(theirs.width), ours.height.min(theirs.height));
    let total = |g: &Gray| g.ink_blocks(w, h, w, h)[0];
    let (a, b) = (total(&ours), total(&theirs));
    assert!(
        (a / b - 1.0).abs() < 0.15,
        "{name}: total ink {a:.0} against poppler's {b:.0}"
    );
    // Rows 2 px high: a glyph upside down or off its baseline by a few
    // points moves ink between rows.
    let rows = pearson(&ours.ink_blocks(w, h, w, 2), &theirs.ink_blocks(w, h, w, 2));
    let cols = pearson(&ours.ink_blocks(w, h, 2, h), &theirs.ink_blocks(w, h, 2, h));
    let blocks = pearson(&ours.ink_blocks(w, h, 6, 6), &theirs.ink_blocks(w, h, 6, 6));
    println!(
        "{name} p{}: rows {rows:.4}, columns {cols:.4}, 6 px blocks {blocks:.4}; ink {a:.0} vs {b:.0}",
        page + 1
    );
    // Measured: rows ≥ 0.988, columns ≥ 0.982, blocks ≥ 0.980 on these
    // fixtures; glyphs upside down or shifted by a couple of points fall
    // well below.
    assert!(rows > 0.98, "{name}: row profiles correlate only {rows:.4}");
    assert!(
        cols > 0.97,
        "{name}: column profiles correlate only {cols:.4}"
    );
    assert!(
        blocks > 0.96,
        "{name}: 6 px blocks correlate only {blocks:.4}"
    );
}

#[test]
fn child_file_agrees_with_poppler() {
    let doc = fixtures::child_file();
    for page in 0..3 {
        agrees_with_poppler("child", &doc, page);
    }
}

#[test]
fn roster_with_rare_and_tibetan_names_agrees_with_poppler() {
    agrees_with_poppler("roster", &fixtures::roster(40), 0);
}

#[test]
fn gbt9704_notice_agrees_with_poppler() {
    agrees_with_poppler("notice", &fixtures::gbt_notice(), 0);
}

#[test]
fn synthetic_bold_agrees_with_poppler_and_is_heavier() {
    // 黑体 bold has no bold face: it is emboldened by stroking the outline.
    let doc = |bold: bool| {
        let mut d = Document::new("粗体");
        for _ in 0..6 {
            d.body.push(Block::Paragraph(Paragraph::text(
                "困境儿童一人一档信息表，王堃，刘䶮，李㛃。",
                TextStyle {
                    font: FontRole::Hei,
                    size_pt: 16.0,
                    bold,
                    underline: false,
                },
            )));
        }
        d
    };
    agrees_with_poppler("bold", &doc(true), 0);
    let ink = |bold: bool| {
        let g = Gray::of(
            &Preview::new(&doc(bold), fonts())
                .unwrap()
                .rasterize(0, 2.0)
                .unwrap(),
        );
        g.dark_in(0, 0, g.width, g.height)
    };
    let (plain, bold) = (ink(false), ink(true));
    assert!(
        bold as f64 > plain as f64 * 1.1,
        "bold {bold} dark px against plain {plain}"
    );
}

#[test]
fn out_of_range_pages_and_absurd_scales_are_errors() {
    let p = child_preview();
    for page in [3, 4, usize::MAX] {
        match p.rasterize(page, 1.0) {
            Err(ReportError::Preview(msg)) => assert!(msg.contains("共 3 页"), "{msg}"),
            other => panic!("page {page}: {other:?}"),
        }
    }
    for scale in [
        0.0,
        -1.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        100.0,
        4.9,
    ] {
        assert!(
            matches!(p.rasterize(0, scale), Err(ReportError::Preview(_))),
            "scale {scale} accepted"
        );
    }
    // The largest scale that fits MAX_RASTER_SIDE works.
    let biggest = MAX_RASTER_SIDE as f32 / A4_H;
    let r = p.rasterize(0, biggest).expect("largest scale");
    assert!(r.height <= MAX_RASTER_SIDE && r.height > MAX_RASTER_SIDE - 2);
    // A tiny scale still gives a (1-pixel) image rather than an error.
    let r = p.rasterize(0, 1e-6).expect("tiny scale");
    assert_eq!((r.width, r.height), (1, 1));
}

#[test]
fn preview_refuses_what_render_refuses() {
    let mut doc = Document::new("坏页边距");
    doc.page = PageSetup::default();
    doc.page.margins.left_mm = f32::NAN;
    assert!(matches!(
        Preview::new(&doc, fonts()),
        Err(ReportError::InvalidDocument(_))
    ));
    let mut deep = Block::Paragraph(Paragraph::text("深", TextStyle::default()));
    for _ in 0..20 {
        deep = Block::Table(Table {
            column_fractions: vec![1.0],
            header_rows: 0,
            rows: vec![TableRow {
                cells: vec![TableCell {
                    blocks: vec![deep],
                    col_span: 1,
                    align: Align::Left,
                }],
            }],
        });
    }
    let mut doc = Document::new("嵌套");
    doc.body.push(deep);
    assert!(matches!(
        Preview::new(&doc, fonts()),
        Err(ReportError::InvalidDocument(_))
    ));
}

#[test]
fn rasterising_is_deterministic() {
    let a = child_preview().rasterize(1, 1.5).unwrap();
    let b = child_preview().rasterize(1, 1.5).unwrap();
    assert!(a == b, "two rasterisations differ");
    let c = Preview::new(&fixtures::child_file(), &FontSet::bundled())
        .unwrap()
        .rasterize(1, 1.5)
        .unwrap();
    assert!(a == c, "a fresh preview and font set changed the pixels");
}

#[test]
fn preview_can_be_rasterised_on_a_worker_thread() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Preview>();
    send_sync::<RasterPage>();
    let preview = child_preview().clone();
    let page = std::thread::spawn(move || preview.rasterize(2, 0.5))
        .join()
        .expect("worker")
        .expect("rasterise");
    assert_eq!((page.width, page.height), (298, 421));
}
