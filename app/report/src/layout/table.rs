//! Ruled tables and key-value form grids.
//!
//! A row that fits on a page is never split: when the next row does not
//! fit, the table continues on a new page, which starts with the header
//! rows again. A row taller than a whole page (a long 走访 finding) is split
//! between lines of its cells' content, each part ruled as a row of its own
//! and each continuation page starting with the header, so nothing is drawn
//! past the bottom margin and no text is lost.
//! Key-value grids are tables too (label, value, label, value …), so they
//! share the ruling and pagination.

use hutong_core::document::{
    Align, Block, KeyValueGrid, Paragraph, Table, TableCell, TableRow, TextStyle,
};

use crate::draw::{DrawItem, Stroke};
use crate::error::ReportError;
use crate::layout::blocks::{clamp, sane_style};
use crate::layout::text::{StyledText, measure};
use crate::layout::{Ctx, Flow, layout_unpaged};

const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 2.5;
const RULE: f32 = 0.5;
/// More columns than this is not a table a person can read on A4.
const MAX_COLUMNS: usize = 64;
/// The least room worth starting a split row in (about two lines of text).
const MIN_SLICE: f32 = 36.0;

/// A laid-out row: items relative to the row's top-left, and its height.
/// `cells` keeps each cell's span and its content top-aligned (relative to
/// the row's top-left, padding included, no ruling) for splitting.
struct RowBox {
    items: Vec<DrawItem>,
    height: f32,
    cells: Vec<(f32, f32, Vec<DrawItem>)>,
}

/// Column edges (x offsets from the text block's left, `n + 1` of them).
fn column_edges(fractions: &[f32], n: usize, width: f32) -> Vec<f32> {
    let mut f: Vec<f32> = (0..n)
        .map(|i| {
            let v = fractions.get(i).copied().unwrap_or(0.0);
            if v.is_finite() && v > 0.0 { v } else { 0.0 }
        })
        .collect();
    let sum: f32 = f.iter().sum();
    if sum <= 0.0 {
        f = vec![1.0; n];
    } else {
        // Columns given no width get an average share rather than vanishing.
        let avg = sum / f.iter().filter(|v| **v > 0.0).count().max(1) as f32;
        for v in &mut f {
            if *v == 0.0 {
                *v = avg;
            }
        }
    }
    let sum: f32 = f.iter().sum();
    let mut edges = Vec::with_capacity(n + 1);
    let mut x = 0.0;
    edges.push(0.0);
    for v in f {
        x += v / sum * width;
        edges.push(x);
    }
    edges
}

/// Lays out one row: each cell's blocks in its column span, vertically
/// centred, with a ruled border.
fn layout_row(
    ctx: &mut Ctx,
    row: &TableRow,
    edges: &[f32],
    depth: usize,
) -> Result<RowBox, ReportError> {
    let ncols = edges.len() - 1;
    let mut cells = Vec::new();
    let mut col = 0usize;
    for cell in &row.cells {
        if col >= ncols {
            break; // extra cells have nowhere to go
        }
        let span = usize::from(cell.col_span.max(1)).min(ncols - col);
        let (x1, x2) = (edges[col], edges[col + span]);
        let inner = (x2 - x1 - 2.0 * PAD_X).max(4.0);
        let blocks = aligned_blocks(cell);
        let (items, h) = layout_unpaged(ctx, &blocks, inner, depth + 1)?;
        cells.push((x1, x2, items, h));
        col += span;
    }
    if col < ncols {
        // A short row: the rest is one empty cell, so the ruling stays whole.
        cells.push((edges[col], edges[ncols], Vec::new(), 0.0));
    }
    let content_h = cells.iter().map(|c| c.3).fold(0.0f32, f32::max);
    let height = content_h + 2.0 * PAD_Y;
    let mut items = Vec::new();
    let mut top_aligned = Vec::with_capacity(cells.len());
    for (x1, x2, cell_items, h) in cells {
        let dy = PAD_Y + (content_h - h) / 2.0;
        top_aligned.push((
            x1,
            x2,
            cell_items
                .iter()
                .cloned()
                .map(|mut it| {
                    it.translate(x1 + PAD_X, PAD_Y);
                    it
                })
                .collect(),
        ));
        items.extend(cell_items.into_iter().map(|mut it| {
            it.translate(x1 + PAD_X, dy);
            it
        }));
        items.push(DrawItem::Rect {
            x: x1,
            y: 0.0,
            w: x2 - x1,
            h: height,
            stroke: Some(Stroke::solid(RULE)),
            fill: None,
        });
    }
    Ok(RowBox {
        items,
        height,
        cells: top_aligned,
    })
}

/// The vertical extent (top, bottom) of an item, relative to its row.
fn extent(item: &DrawItem) -> (f32, f32) {
    match item {
        DrawItem::Text(run) => {
            let (lo, hi) = run.glyphs.iter().fold((f32::MAX, f32::MIN), |(lo, hi), g| {
                (lo.min(g.y), hi.max(g.y))
            });
            if lo > hi {
                return (0.0, 0.0);
            }
            // Baselines: the ascent is about 0.9 em, the descent 0.25 em.
            (lo - run.size * 0.9, hi + run.size * 0.25)
        }
        DrawItem::Line { from, to, .. } => (from.1.min(to.1), from.1.max(to.1)),
        DrawItem::Rect { y, h, .. } => (*y, *y + h.max(0.0)),
        DrawItem::Circle { cy, r, .. } => (cy - r, cy + r),
    }
}

/// Where to end a slice that may reach down to `limit` (row coordinates,
/// starting at `from`): the lowest point at or above `limit` that cuts
/// through no item. If a single item is taller than the whole slice, the
/// cut is forced at `limit`.
fn cut_at(items: &[(f32, f32)], from: f32, limit: f32) -> f32 {
    let mut cut = limit;
    // Moving the cut up to a straddling item's top may make it straddle
    // another one; a few rounds settle it (each round only moves up).
    for _ in 0..64 {
        let straddler = items
            .iter()
            .filter(|(top, bottom)| *top < cut - 0.01 && *bottom > cut + 0.01 && *top >= from)
            .map(|(top, _)| *top)
            .fold(f32::MAX, f32::min);
        if straddler == f32::MAX {
            break;
        }
        cut = straddler;
    }
    if cut <= from + 0.01 { limit } else { cut }
}

/// Places a row too tall for any page in parts: each part holds the items
/// that end above its cut, is ruled like a row, and is followed by a new
/// page (with the header repeated when `header` is given).
fn place_split_row(flow: &mut Flow, r: RowBox, header: Option<&[RowBox]>) {
    let extents: Vec<(f32, f32)> = r
        .cells
        .iter()
        .flat_map(|(_, _, items)| items.iter().map(extent))
        .collect();
    let mut from = 0.0f32;
    let mut first = true;
    while from < r.height - 0.01 {
        let pad_top = if first { 0.0 } else { PAD_Y };
        let avail = (flow.bottom - flow.y - pad_top - PAD_Y).max(1.0);
        let last = from + avail + PAD_Y >= r.height;
        let cut = if last {
            r.height
        } else {
            cut_at(&extents, from, from + avail)
        };
        let height = cut - from + pad_top + if last { 0.0 } else { PAD_Y };
        let mut items = Vec::new();
        for (x1, x2, cell) in &r.cells {
            for item in cell {
                // Each item goes to the one part its top falls in; the cut
                // passes through no item (unless one is taller than a page).
                let (top, _) = extent(item);
                if (first || top >= from - 0.01) && (last || top < cut - 0.01) {
                    let mut it = item.clone();
                    it.translate(0.0, pad_top - from);
                    items.push(it);
                }
            }
            items.push(DrawItem::Rect {
                x: *x1,
                y: 0.0,
                w: x2 - x1,
                h: height,
                stroke: Some(Stroke::solid(RULE)),
                fill: None,
            });
        }
        flow.place(items, 0.0, height);
        if last {
            break;
        }
        from = cut;
        first = false;
        flow.new_page();
        if let Some(h) = header {
            place_rows(flow, h);
        }
    }
}

/// The cell's alignment applies to paragraphs that did not choose one.
fn aligned_blocks(cell: &TableCell) -> std::borrow::Cow<'_, [Block]> {
    let needs = cell.align != Align::Left
        && cell
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Paragraph(p) if p.align == Align::Left));
    if !needs {
        return std::borrow::Cow::Borrowed(&cell.blocks);
    }
    std::borrow::Cow::Owned(
        cell.blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph(p) if p.align == Align::Left => Block::Paragraph(Paragraph {
                    align: cell.align,
                    ..p.clone()
                }),
                other => other.clone(),
            })
            .collect(),
    )
}

fn place_rows(flow: &mut Flow, rows: &[RowBox]) {
    for r in rows {
        flow.place(r.items.clone(), 0.0, r.height);
    }
}

pub(crate) fn table(
    ctx: &mut Ctx,
    flow: &mut Flow,
    t: &Table,
    depth: usize,
) -> Result<(), ReportError> {
    let widest_row = t
        .rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| usize::from(c.col_span.max(1)))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    let ncols = if t.column_fractions.is_empty() {
        widest_row
    } else {
        t.column_fractions.len()
    };
    if ncols == 0 || t.rows.is_empty() {
        return Ok(());
    }
    if ncols > MAX_COLUMNS {
        return Err(ReportError::InvalidDocument(format!(
            "表格列数 {ncols} 超过上限 {MAX_COLUMNS}"
        )));
    }
    let edges = column_edges(&t.column_fractions, ncols, flow.width);
    let nhead = usize::from(t.header_rows).min(t.rows.len());
    let mut header = Vec::with_capacity(nhead);
    for row in &t.rows[..nhead] {
        header.push(layout_row(ctx, row, &edges, depth)?);
    }
    let header_h: f32 = header.iter().map(|r| r.height).sum();
    let page_h = flow.bottom - flow.top;
    // Repeating a header that fills most of a page would leave no room for
    // rows; such a header is printed once only.
    let repeat = flow.paged && header_h < page_h * 0.5;

    let body = &t.rows[nhead..];
    // The room a row has on a page that starts with the header.
    let room = page_h - if repeat { header_h } else { 0.0 };
    let mut first = true;
    for row in body {
        let r = layout_row(ctx, row, &edges, depth)?;
        let too_tall = flow.paged && r.height > room + 0.01;
        if first {
            // Keep the header with the first row (a row too tall for any
            // page starts right below the header instead).
            flow.ensure(header_h + if too_tall { 3.0 * MIN_SLICE } else { r.height });
            place_rows(flow, &header);
            first = false;
        } else if flow.paged
            && flow.y + if too_tall { MIN_SLICE } else { r.height } > flow.bottom + 0.01
        {
            flow.new_page();
            if repeat {
                place_rows(flow, &header);
            }
        }
        if too_tall {
            place_split_row(flow, r, repeat.then_some(header.as_slice()));
        } else {
            flow.place(r.items, 0.0, r.height);
        }
    }
    if first {
        flow.ensure(header_h);
        place_rows(flow, &header);
    }
    flow.space(4.0);
    Ok(())
}

/// A key-value grid as a table: `pairs_per_row` × (label, value) columns.
/// Labels are centred (as on printed forms), values left-aligned.
pub(crate) fn key_value(
    ctx: &mut Ctx,
    flow: &mut Flow,
    grid: &KeyValueGrid,
    depth: usize,
) -> Result<(), ReportError> {
    let pairs = usize::from(grid.pairs_per_row.clamp(1, 8));
    let lf = clamp(grid.label_fraction, 0.05, 0.95, 0.35);
    let mut fractions = Vec::with_capacity(pairs * 2);
    for _ in 0..pairs {
        fractions.push(lf);
        fractions.push(1.0 - lf);
    }
    let style: TextStyle = sane_style(grid.style);
    let label_width = flow.width * lf / pairs as f32 - 2.0 * PAD_X;
    let mut rows = Vec::new();
    let mut cells: Vec<TableCell> = Vec::new();
    let mut used = 0usize; // pairs used in the current row
    for item in &grid.items {
        let span = usize::from(item.span.max(1)).min(pairs);
        if used + span > pairs {
            close_row(&mut rows, &mut cells, pairs - used);
            used = 0;
        }
        cells.push(TableCell::text(
            item.label.clone(),
            label_style(ctx, &item.label, style, label_width)?,
            Align::Center,
        ));
        let mut value = TableCell::text(item.value.clone(), style, Align::Left);
        value.col_span = u16::try_from(2 * span - 1).unwrap_or(1);
        cells.push(value);
        used += span;
        if used == pairs {
            close_row(&mut rows, &mut cells, 0);
            used = 0;
        }
    }
    if !cells.is_empty() {
        close_row(&mut rows, &mut cells, pairs - used);
    }
    let table_def = Table {
        column_fractions: fractions,
        header_rows: 0,
        rows,
    };
    table(ctx, flow, &table_def, depth)
}

/// Form labels read best on one line: a label slightly too long for its
/// cell is set up to 25% smaller rather than wrapped ("残疾类型及等/级").
fn label_style(
    ctx: &mut Ctx,
    label: &str,
    style: TextStyle,
    width: f32,
) -> Result<TextStyle, ReportError> {
    let natural = measure(ctx, &StyledText::single(label, style, 0.0))?;
    if natural <= width || natural <= 0.0 {
        return Ok(style);
    }
    let scale = (width / natural).max(0.75);
    Ok(TextStyle {
        size_pt: style.size_pt * scale,
        ..style
    })
}

/// Ends a grid row, padding `free_pairs` unused pairs with one empty cell.
fn close_row(rows: &mut Vec<TableRow>, cells: &mut Vec<TableCell>, free_pairs: usize) {
    if free_pairs > 0 {
        cells.push(TableCell {
            blocks: Vec::new(),
            col_span: u16::try_from(free_pairs * 2).unwrap_or(1),
            align: Align::Left,
        });
    }
    rows.push(TableRow {
        cells: std::mem::take(cells),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_normalised_and_bad_ones_repaired() {
        let e = column_edges(&[1.0, 3.0], 2, 100.0);
        assert_eq!(e, vec![0.0, 25.0, 100.0]);
        let e = column_edges(&[f32::NAN, -1.0], 2, 100.0);
        assert_eq!(e, vec![0.0, 50.0, 100.0]);
        let e = column_edges(&[2.0], 3, 90.0);
        assert_eq!(e, vec![0.0, 30.0, 60.0, 90.0]);
    }
}
