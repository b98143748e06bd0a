//! Layout: the document tree → pages of draw items.
//!
//! Engine-independent: it measures with the fonts' own metrics (through
//! shaping), breaks lines, paginates, and hands `draw::PageDraw`s to the
//! PDF writer. Blocks flow top to bottom; a block that does not fit moves
//! to the next page (paragraphs split between lines, tables between rows,
//! with header rows repeated). Headers, footers and page numbers are drawn
//! last, when the page count is known.

mod blocks;
mod page;
mod table;
pub(crate) mod text;

use std::collections::BTreeSet;

use hutong_core::document::{Block, Document, Preset, TextStyle};

use crate::draw::{DrawItem, PageDraw};
use crate::error::ReportError;
use crate::fonts::FontSet;
use crate::gbt9704;

pub(crate) use page::PageGeometry;

/// State shared by everything laid out for one document.
pub(crate) struct Ctx<'a> {
    pub fonts: &'a FontSet,
    /// Characters no font could print (reported to the caller).
    pub missing: BTreeSet<char>,
    /// GB/T 9704 preset in force.
    pub gbt: bool,
    /// Snap line heights to the GB/T line pitch (main flow only, not cells).
    pub grid: bool,
    /// Inside a table cell: tighter lines.
    pub compact: bool,
}

impl Ctx<'_> {
    /// Height of a line whose largest text is `size`. Lines holding Tibetan
    /// get at least 1.8 × the size: its stacks reach far below the
    /// baseline (and 1.8 × 三号 still fits one GB/T grid line).
    pub fn line_height(&self, size: f32, factor: f32, tibetan: bool) -> f32 {
        let mut h = size * factor.max(1.0);
        if tibetan {
            h = h.max(size * 1.8);
        }
        if self.grid {
            let p = gbt9704::LINE_PITCH;
            h = (h / p).ceil().max(1.0) * p;
        }
        h
    }

    /// Character tracking for a run of `style` in the main flow.
    pub fn tracking(&self, style: &TextStyle) -> f32 {
        if self.gbt && self.grid {
            gbt9704::tracking(style.size_pt)
        } else {
            0.0
        }
    }
}

/// A column of content being filled: the page body, or (unpaged) a table
/// cell measured at the origin.
pub(crate) struct Flow {
    pub paged: bool,
    pub pages: Vec<Vec<DrawItem>>,
    pub items: Vec<DrawItem>,
    pub left: f32,
    pub width: f32,
    pub top: f32,
    pub bottom: f32,
    pub y: f32,
}

impl Flow {
    pub fn paged(geo: &PageGeometry) -> Flow {
        Flow {
            paged: true,
            pages: Vec::new(),
            items: Vec::new(),
            left: geo.left,
            width: geo.right - geo.left,
            top: geo.top,
            bottom: geo.bottom,
            y: geo.top,
        }
    }

    /// A flow with no page breaks, for measuring cell contents.
    pub fn unpaged(width: f32) -> Flow {
        Flow {
            paged: false,
            pages: Vec::new(),
            items: Vec::new(),
            left: 0.0,
            width,
            top: 0.0,
            bottom: f32::INFINITY,
            y: 0.0,
        }
    }

    pub fn at_top(&self) -> bool {
        self.y <= self.top + 0.01
    }

    pub fn new_page(&mut self) {
        if self.paged {
            self.pages.push(std::mem::take(&mut self.items));
            self.y = self.top;
        }
    }

    /// Starts a new page unless `h` more points fit (or the page is fresh,
    /// where moving on would not help).
    pub fn ensure(&mut self, h: f32) {
        if self.paged && self.y + h > self.bottom + 0.01 && !self.at_top() {
            self.new_page();
        }
    }

    /// Puts items laid out at the origin at (left + dx, y) and advances.
    pub fn place(&mut self, items: Vec<DrawItem>, dx: f32, h: f32) {
        let (x, y) = (self.left + dx, self.y);
        self.items.extend(items.into_iter().map(|mut i| {
            i.translate(x, y);
            i
        }));
        self.y += h;
    }

    /// Vertical space; at a page top it is dropped, at a page end it ends
    /// the page.
    pub fn space(&mut self, h: f32) {
        if h <= 0.0 || (self.paged && self.at_top()) {
            return;
        }
        if self.paged && self.y + h > self.bottom {
            self.new_page();
        } else {
            self.y += h;
        }
    }

    pub fn finish(mut self) -> Vec<Vec<DrawItem>> {
        self.pages.push(self.items);
        self.pages
    }
}

/// Lays a sequence of blocks into `flow`.
pub(crate) fn layout_blocks(
    ctx: &mut Ctx,
    flow: &mut Flow,
    blocks: &[Block],
    depth: usize,
) -> Result<(), ReportError> {
    for (i, block) in blocks.iter().enumerate() {
        let next = blocks.get(i + 1);
        blocks::layout_block(ctx, flow, block, next, depth)?;
    }
    Ok(())
}

/// Lays `blocks` out at the origin, `width` wide, with no page breaks:
/// returns the items and the height they take.
pub(crate) fn layout_unpaged(
    ctx: &mut Ctx,
    blocks: &[Block],
    width: f32,
    depth: usize,
) -> Result<(Vec<DrawItem>, f32), ReportError> {
    let (grid, compact) = (ctx.grid, ctx.compact);
    ctx.grid = false;
    ctx.compact = true;
    let mut flow = Flow::unpaged(width);
    let result = layout_blocks(ctx, &mut flow, blocks, depth);
    ctx.grid = grid;
    ctx.compact = compact;
    result?;
    let h = flow.y;
    Ok((flow.items, h))
}

/// The whole document → pages, plus characters no font had.
pub(crate) fn layout_document(
    doc: &Document,
    fonts: &FontSet,
) -> Result<(Vec<PageDraw>, BTreeSet<char>), ReportError> {
    let gbt = doc.page.preset == Some(Preset::GbT9704);
    let geo = PageGeometry::new(&doc.page)?;
    let mut ctx = Ctx {
        fonts,
        missing: BTreeSet::new(),
        gbt,
        grid: gbt,
        compact: false,
    };
    let mut flow = Flow::paged(&geo);
    layout_blocks(&mut ctx, &mut flow, &doc.body, 0)?;
    let bodies = flow.finish();
    let pages = page::decorate(&mut ctx, &doc.page, &geo, bodies)?;
    Ok((pages, ctx.missing))
}
