//! One block at a time: headings, paragraphs, checkbox lists, signature
//! lines, seal placeholder, rules, spacers, page breaks and images.
//! Tables and key-value grids live in `table.rs`.

use hutong_core::document::{
    Align, Block, CheckboxList, FontRole, Paragraph, Run, SignatureItem, SignatureKind, TextStyle,
    zihao,
};

use crate::draw::{DrawItem, Stroke};
use crate::error::ReportError;
use crate::gbt9704::{self, MM};
use crate::layout::text::{ParaFormat, StyledText, TextLine, layout_text, measure};
use crate::layout::{Ctx, Flow, table};

/// Tables nest through cells; deeper than this is refused (hostile input).
const MAX_DEPTH: usize = crate::MAX_NESTING;
/// Body text line height, as a multiple of the size.
const BODY_LINE: f32 = 1.5;
/// Table cells are set tighter: their padding already separates rows.
const CELL_LINE: f32 = 1.3;
/// Official round seals are 42 mm (40 mm for some offices).
const SEAL_DIAMETER: f32 = 42.0 * MM;

pub(crate) fn layout_block(
    ctx: &mut Ctx,
    flow: &mut Flow,
    block: &Block,
    next: Option<&Block>,
    depth: usize,
) -> Result<(), ReportError> {
    if depth > MAX_DEPTH {
        return Err(ReportError::InvalidDocument(format!(
            "表格嵌套超过 {MAX_DEPTH} 层"
        )));
    }
    match block {
        Block::Heading { level, runs, align } => heading(ctx, flow, *level, runs, *align, next),
        Block::Paragraph(p) => paragraph(ctx, flow, p),
        Block::KeyValue(grid) => table::key_value(ctx, flow, grid, depth),
        Block::Table(t) => table::table(ctx, flow, t, depth),
        Block::Checkboxes(list) => checkboxes(ctx, flow, list),
        Block::SignatureLine {
            items,
            align,
            style,
        } => signature_line(ctx, flow, items, *align, *style),
        Block::SealPlaceholder { label } => seal(ctx, flow, label),
        Block::Rule { thickness_pt } => {
            let t = clamp(*thickness_pt, 0.1, 10.0, 0.5);
            flow.ensure(t + 6.0);
            let y = flow.y + 3.0 + t / 2.0;
            let (x1, x2) = (flow.left, flow.left + flow.width);
            flow.items.push(DrawItem::Line {
                from: (x1, y),
                to: (x2, y),
                stroke: Stroke::solid(t),
            });
            flow.y += t + 6.0;
            Ok(())
        }
        Block::Spacer { height_pt } => {
            flow.space(clamp(*height_pt, 0.0, flow.bottom - flow.top, 0.0));
            Ok(())
        }
        Block::PageBreak => {
            if flow.paged && !flow.items.is_empty() {
                flow.new_page();
            }
            Ok(())
        }
        Block::Image {
            reference,
            width_mm,
            height_mm,
            caption,
        } => image_placeholder(
            ctx,
            flow,
            reference,
            *width_mm,
            *height_mm,
            caption.as_deref(),
        ),
    }
}

/// A finite value inside [lo, hi], or `default` for NaN/inf.
pub(crate) fn clamp(v: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if v.is_finite() {
        v.clamp(lo, hi.max(lo))
    } else {
        default
    }
}

/// Sizes outside 2–200 pt are clamped: a plugin asking for 0 pt or 10⁹ pt
/// text must not break layout.
pub(crate) fn sane_style(mut s: TextStyle) -> TextStyle {
    s.size_pt = clamp(s.size_pt, 2.0, 200.0, zihao::XIAO_SI);
    s
}

pub(crate) fn styled_runs(ctx: &Ctx, runs: &[Run], force: Option<TextStyle>) -> StyledText {
    let mut t = StyledText::default();
    for r in runs {
        let style = match force {
            Some(mut f) => {
                f.underline = r.style.underline;
                f
            }
            None => sane_style(r.style),
        };
        t.push(&r.text, style, ctx.tracking(&style));
    }
    t
}

fn max_size(runs: &[Run], default: f32) -> f32 {
    runs.iter()
        .map(|r| sane_style(r.style).size_pt)
        .fold(None, |m: Option<f32>, s| Some(m.map_or(s, |m| m.max(s))))
        .unwrap_or(default)
}

/// Places lines one by one, moving to a new page between lines as needed.
fn place_lines(flow: &mut Flow, lines: Vec<TextLine>) {
    for line in lines {
        flow.ensure(line.height);
        let h = line.height;
        flow.place(line.items, 0.0, h);
    }
}

fn heading(
    ctx: &mut Ctx,
    flow: &mut Flow,
    level: u8,
    runs: &[Run],
    align: Align,
    next: Option<&Block>,
) -> Result<(), ReportError> {
    let (force, align, indent_chars) = if ctx.gbt {
        let (a, indent) = gbt9704::heading_align(level, align);
        (Some(gbt9704::heading_style(level, false)), a, indent)
    } else {
        (None, align, 0.0)
    };
    let text = styled_runs(ctx, runs, force);
    let size = force.map_or_else(|| max_size(runs, zihao::SAN), |f| f.size_pt);
    let format = ParaFormat {
        align,
        first_line_indent: indent_chars * size,
        // On the GB/T grid a 二号 title line takes one 28.95 pt line.
        line_factor: if ctx.grid { 1.25 } else { 1.4 },
        empty_size: size,
    };
    let mut lines = layout_text(ctx, &text, format, flow.width)?;
    if align == Align::Center && lines.len() > 1 {
        // Balance a wrapped centred title: the narrowest width that keeps
        // the line count, so it never ends with one lonely character.
        let count = lines.len();
        let (mut lo, mut hi) = (flow.width * 0.3, flow.width);
        for _ in 0..8 {
            let mid = (lo + hi) / 2.0;
            if layout_text(ctx, &text, format, mid)?.len() > count {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let balanced = layout_text(ctx, &text, format, hi)?;
        let shift = (flow.width - hi) / 2.0;
        lines = balanced
            .into_iter()
            .map(|mut l| {
                for it in &mut l.items {
                    it.translate(shift, 0.0);
                }
                l
            })
            .collect();
    }
    let height: f32 = lines.iter().map(|l| l.height).sum();
    // The GB/T grid has no room for extra space: one blank line after the
    // title, nothing around numbered headings.
    let (before, after) = match (ctx.grid, level) {
        (true, 0 | 1) => (0.0, gbt9704::LINE_PITCH),
        (true, _) => (0.0, 0.0),
        (false, 0 | 1) => (0.0, size * 0.8),
        (false, _) => (size * 0.6, size * 0.3),
    };
    // Keep with next: never leave a heading alone at the bottom of a page.
    // Room for one line of what follows (two when not on the GB/T grid).
    let follow = match next {
        Some(Block::Paragraph(_) | Block::Table(_) | Block::KeyValue(_)) => {
            if ctx.grid {
                gbt9704::LINE_PITCH
            } else {
                2.0 * size
            }
        }
        _ => 0.0,
    };
    flow.space(before);
    flow.ensure(height + after + follow);
    place_lines(flow, lines);
    flow.space(after);
    Ok(())
}

fn paragraph(ctx: &mut Ctx, flow: &mut Flow, p: &Paragraph) -> Result<(), ReportError> {
    let text = styled_runs(ctx, &p.runs, None);
    let size = max_size(&p.runs, zihao::XIAO_SI);
    // The indent is in characters of the paragraph's (first) size.
    let first = p.runs.first().map_or(size, |r| sane_style(r.style).size_pt);
    let indent_chars = clamp(p.first_line_indent_chars, 0.0, 20.0, 0.0);
    let char_w = first
        + ctx.tracking(&TextStyle {
            size_pt: first,
            ..TextStyle::default()
        });
    let format = ParaFormat {
        align: p.align,
        first_line_indent: indent_chars * char_w,
        line_factor: if ctx.compact { CELL_LINE } else { BODY_LINE },
        empty_size: size,
    };
    let lines = layout_text(ctx, &text, format, flow.width)?;
    let page_h = flow.bottom - flow.top;
    flow.space(clamp(p.space_before_pt, 0.0, page_h, 0.0));
    place_lines(flow, lines);
    flow.space(clamp(p.space_after_pt, 0.0, page_h, 0.0));
    Ok(())
}

/// "□ 入户　■ 电话　□ 学校" as one wrapping paragraph. The box and its
/// label are joined by a no-break space so they never part.
fn checkboxes(ctx: &mut Ctx, flow: &mut Flow, list: &CheckboxList) -> Result<(), ReportError> {
    let style = sane_style(list.style);
    let tracking = ctx.tracking(&style);
    let mut text = StyledText::default();
    if let Some(label) = list.label.as_deref().filter(|l| !l.is_empty()) {
        let bold = TextStyle {
            bold: true,
            ..style
        };
        text.push(&format!("{label}："), bold, tracking);
    }
    for (i, opt) in list.options.iter().enumerate() {
        let mark = if opt.checked { '■' } else { '□' };
        if i > 0 {
            text.push("\u{3000}", style, tracking);
        }
        text.push_unbreakable(&format!("{mark}\u{00A0}{}", opt.label), style, tracking);
    }
    let format = ParaFormat {
        align: Align::Left,
        first_line_indent: 0.0,
        line_factor: if ctx.compact { CELL_LINE } else { BODY_LINE },
        empty_size: style.size_pt,
    };
    let lines = layout_text(ctx, &text, format, flow.width)?;
    place_lines(flow, lines);
    Ok(())
}

/// A piece of a signature item: text, or a blank to write on.
enum Piece {
    Text(String),
    Blank(f32),
}

fn signature_pieces(item: &SignatureItem, em: f32) -> Vec<Piece> {
    let label = if item.label.is_empty() {
        match item.kind {
            SignatureKind::Signature => "签名",
            SignatureKind::Date => "日期",
        }
    } else {
        item.label.as_str()
    };
    let mut v = vec![Piece::Text(format!("{label}："))];
    match item.kind {
        SignatureKind::Signature => v.push(Piece::Blank(8.0 * em)),
        SignatureKind::Date => {
            v.push(Piece::Blank(3.0 * em));
            v.push(Piece::Text("年".into()));
            v.push(Piece::Blank(2.0 * em));
            v.push(Piece::Text("月".into()));
            v.push(Piece::Blank(2.0 * em));
            v.push(Piece::Text("日".into()));
        }
    }
    v
}

/// Signature and date lines: each item is a label and underlined blanks;
/// items sit side by side, wrapping to another row when they do not fit.
fn signature_line(
    ctx: &mut Ctx,
    flow: &mut Flow,
    items: &[SignatureItem],
    align: Align,
    style: TextStyle,
) -> Result<(), ReportError> {
    let style = sane_style(style);
    let em = style.size_pt;
    let gap = 2.0 * em;
    let line_h = ctx.line_height(em, 2.0, false);
    // Measure each item as (width, pieces with widths).
    let mut measured = Vec::new();
    for item in items {
        let mut pieces = Vec::new();
        let mut w = 0.0;
        for p in signature_pieces(item, em) {
            let pw = match &p {
                Piece::Text(t) => measure(ctx, &StyledText::single(t, style, 0.0))?,
                Piece::Blank(b) => *b,
            };
            w += pw;
            pieces.push((p, pw));
        }
        measured.push((w, pieces));
    }
    // Rows of items that fit the width.
    let mut rows: Vec<Vec<usize>> = Vec::new();
    let mut row_w = 0.0;
    for (i, (w, _)) in measured.iter().enumerate() {
        let need = if rows.last().is_some_and(|r| !r.is_empty()) {
            row_w + gap + w
        } else {
            *w
        };
        if rows.is_empty() || need > flow.width {
            rows.push(vec![i]);
            row_w = *w;
        } else if let Some(r) = rows.last_mut() {
            r.push(i);
            row_w = need;
        }
    }
    let baseline = (line_h - em) / 2.0 + crate::layout::text::ASCENT * em;
    for row in rows {
        let total: f32 = row.iter().map(|&i| measured[i].0).sum::<f32>()
            + gap * row.len().saturating_sub(1) as f32;
        let slack = (flow.width - total).max(0.0);
        let (mut x, extra_gap) = match align {
            Align::Left => (0.0, 0.0),
            Align::Center => (slack / 2.0, 0.0),
            Align::Right => (slack, 0.0),
            Align::Justify if row.len() > 1 => (0.0, slack / (row.len() - 1) as f32),
            Align::Justify => (0.0, 0.0),
        };
        let mut out = Vec::new();
        for (k, &i) in row.iter().enumerate() {
            if k > 0 {
                x += gap + extra_gap;
            }
            for (piece, pw) in &measured[i].1 {
                match piece {
                    Piece::Text(t) => {
                        let styled = StyledText::single(t, style, 0.0);
                        let format = ParaFormat {
                            align: Align::Left,
                            first_line_indent: 0.0,
                            line_factor: 2.0,
                            empty_size: em,
                        };
                        let grid = ctx.grid;
                        ctx.grid = false;
                        let lines = layout_text(ctx, &styled, format, pw + 1.0);
                        ctx.grid = grid;
                        if let Some(line) = lines?.into_iter().next() {
                            // layout_text centred the text in a 2×em line;
                            // move it onto this row's baseline.
                            let own_base =
                                (line.height - em) / 2.0 + crate::layout::text::ASCENT * em;
                            for mut it in line.items {
                                it.translate(x, baseline - own_base);
                                out.push(it);
                            }
                        }
                    }
                    Piece::Blank(_) => {
                        let y = baseline + 0.15 * em;
                        out.push(DrawItem::Line {
                            from: (x + 1.0, y),
                            to: (x + pw - 1.0, y),
                            stroke: Stroke::solid(0.6),
                        });
                    }
                }
                x += pw;
            }
        }
        flow.ensure(line_h);
        flow.place(out, 0.0, line_h);
    }
    Ok(())
}

/// A dashed circle where the office stamps its seal, at the right of the
/// text block, with its label inside.
fn seal(ctx: &mut Ctx, flow: &mut Flow, label: &str) -> Result<(), ReportError> {
    let d = SEAL_DIAMETER.min(flow.width);
    let h = d + 6.0;
    flow.ensure(h);
    let r = d / 2.0;
    let cx = flow.width - r - 2.0 * zihao::XIAO_SI;
    let mut items = vec![DrawItem::Circle {
        cx,
        cy: 3.0 + r,
        r,
        stroke: Stroke {
            width: 0.8,
            dash: Some((4.0, 3.0)),
            gray: 0.45,
        },
    }];
    if !label.is_empty() {
        let style = TextStyle {
            font: FontRole::Song,
            size_pt: zihao::XIAO_SI,
            bold: false,
            underline: false,
        };
        let format = ParaFormat {
            align: Align::Center,
            first_line_indent: 0.0,
            line_factor: 1.3,
            empty_size: style.size_pt,
        };
        let grid = ctx.grid;
        ctx.grid = false;
        let lines = layout_text(ctx, &StyledText::single(label, style, 0.0), format, d * 0.8);
        ctx.grid = grid;
        let lines = lines?;
        let total: f32 = lines.iter().map(|l| l.height).sum();
        let mut y = 3.0 + r - total / 2.0;
        for line in lines {
            for mut it in line.items {
                it.translate(cx - d * 0.4, y);
                items.push(it);
            }
            y += line.height;
        }
    }
    flow.place(items, 0.0, h);
    Ok(())
}

/// Images are resolved by the host; until then (or when the reference is
/// unknown) a labelled box of the requested size stands in.
fn image_placeholder(
    ctx: &mut Ctx,
    flow: &mut Flow,
    reference: &str,
    width_mm: f32,
    height_mm: f32,
    caption: Option<&str>,
) -> Result<(), ReportError> {
    let w = clamp(width_mm * MM, 10.0, flow.width, 40.0 * MM);
    let page_h = if flow.paged {
        flow.bottom - flow.top
    } else {
        1000.0
    };
    let h = clamp(height_mm * MM, 10.0, page_h * 0.8, 30.0 * MM);
    let style = TextStyle {
        font: FontRole::Song,
        size_pt: zihao::XIAO_WU,
        bold: false,
        underline: false,
    };
    let format = ParaFormat {
        align: Align::Center,
        first_line_indent: 0.0,
        line_factor: 1.3,
        empty_size: style.size_pt,
    };
    let grid = ctx.grid;
    ctx.grid = false;
    let label = layout_text(
        ctx,
        &StyledText::single(&format!("［图片：{reference}］"), style, 0.0),
        format,
        (w - 6.0).max(1.0),
    );
    let cap = caption
        .filter(|c| !c.is_empty())
        .map(|c| layout_text(ctx, &StyledText::single(c, style, 0.0), format, flow.width));
    ctx.grid = grid;
    let label = label?;
    let cap = cap.transpose()?.unwrap_or_default();
    let cap_h: f32 = cap.iter().map(|l| l.height).sum();
    flow.ensure(h + cap_h + 6.0);
    let x = (flow.width - w) / 2.0;
    let mut items = vec![DrawItem::Rect {
        x,
        y: 3.0,
        w,
        h,
        stroke: Some(Stroke {
            width: 0.6,
            dash: Some((3.0, 2.0)),
            gray: 0.4,
        }),
        fill: Some(0.96),
    }];
    let label_h: f32 = label.iter().map(|l| l.height).sum();
    let mut y = 3.0 + (h - label_h) / 2.0;
    for line in label {
        for mut it in line.items {
            it.translate(x + 3.0, y);
            items.push(it);
        }
        y += line.height;
    }
    let mut y = 3.0 + h + 2.0;
    for line in cap {
        for mut it in line.items {
            it.translate(0.0, y);
            items.push(it);
        }
        y += line.height;
    }
    flow.place(items, 0.0, h + cap_h + 6.0);
    Ok(())
}
