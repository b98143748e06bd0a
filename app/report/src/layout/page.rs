//! Page geometry and the page furniture drawn after pagination: header,
//! footer and page numbers ("第 {n} 页 共 {total} 页", or GB/T 9704's
//! 「— n —」), which need the final page count.

use hutong_core::document::{Align, FontRole, Orientation, PageSetup, Preset, TextStyle, zihao};

use crate::draw::{DrawItem, PageDraw, Stroke};
use crate::error::ReportError;
use crate::gbt9704::{self, MM};
use crate::layout::Ctx;
use crate::layout::text::{ParaFormat, StyledText, layout_text};

const A4_SHORT: f32 = 210.0 * MM;
const A4_LONG: f32 = 297.0 * MM;
/// Smallest text block we accept, so hostile margins cannot make every
/// line one character wide (or negative).
const MIN_BLOCK: f32 = 40.0 * MM;

/// Page size and the text block's edges, in points from the top-left.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageGeometry {
    pub width: f32,
    pub height: f32,
    pub left: f32,
    pub right: f32,
    pub top: f32,
    pub bottom: f32,
}

impl PageGeometry {
    pub fn new(setup: &PageSetup) -> Result<PageGeometry, ReportError> {
        let (width, height) = match setup.orientation {
            Orientation::Portrait => (A4_SHORT, A4_LONG),
            Orientation::Landscape => (A4_LONG, A4_SHORT),
        };
        let m = if setup.preset == Some(Preset::GbT9704)
            && setup.orientation == Orientation::Portrait
        {
            gbt9704::margins()
        } else {
            setup.margins
        };
        let all = [m.top_mm, m.bottom_mm, m.left_mm, m.right_mm];
        if all.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(ReportError::InvalidDocument("页边距必须是非负数".into()));
        }
        let geo = PageGeometry {
            width,
            height,
            left: m.left_mm * MM,
            right: width - m.right_mm * MM,
            top: m.top_mm * MM,
            bottom: height - m.bottom_mm * MM,
        };
        if geo.right - geo.left < MIN_BLOCK || geo.bottom - geo.top < MIN_BLOCK {
            return Err(ReportError::InvalidDocument(
                "页边距过大，版心不足 40 毫米".into(),
            ));
        }
        Ok(geo)
    }
}

fn furniture_style(size: f32) -> TextStyle {
    TextStyle {
        font: FontRole::Song,
        size_pt: size,
        bold: false,
        underline: false,
    }
}

/// One line of text in a box from `x1` to `x2` with its top at `top`.
fn text_line(
    ctx: &mut Ctx,
    text: &str,
    style: TextStyle,
    align: Align,
    x1: f32,
    x2: f32,
    top: f32,
) -> Result<Vec<DrawItem>, ReportError> {
    let styled = StyledText::single(text, style, 0.0);
    let format = ParaFormat {
        align,
        first_line_indent: 0.0,
        line_factor: 1.0,
        empty_size: style.size_pt,
    };
    let grid = ctx.grid;
    ctx.grid = false;
    let lines = layout_text(ctx, &styled, format, (x2 - x1).max(1.0));
    ctx.grid = grid;
    // Furniture is one line: anything longer is cut, not allowed to
    // spill into the body.
    let mut items = lines?
        .into_iter()
        .next()
        .map(|l| l.items)
        .unwrap_or_default();
    for i in &mut items {
        i.translate(x1, top);
    }
    Ok(items)
}

/// Adds header, footer and page numbers to each page body.
pub(crate) fn decorate(
    ctx: &mut Ctx,
    setup: &PageSetup,
    geo: &PageGeometry,
    bodies: Vec<Vec<DrawItem>>,
) -> Result<Vec<PageDraw>, ReportError> {
    let total = bodies.len();
    let gbt = setup.preset == Some(Preset::GbT9704);
    let small = zihao::XIAO_WU;
    let mut pages = Vec::with_capacity(total);
    for (i, mut items) in bodies.into_iter().enumerate() {
        let n = i + 1;
        if let Some(header) = setup.header.as_deref().filter(|h| !h.trim().is_empty()) {
            // In the top margin, just above a hairline over the text block.
            let rule_y = geo.top - 4.0 * MM;
            let top = rule_y - small * 1.4;
            items.extend(text_line(
                ctx,
                header,
                furniture_style(small),
                Align::Center,
                geo.left,
                geo.right,
                top,
            )?);
            items.push(DrawItem::Line {
                from: (geo.left, rule_y),
                to: (geo.right, rule_y),
                stroke: Stroke::solid(0.5),
            });
        }
        let number = setup.page_number.as_deref().map(|template| {
            if gbt {
                gbt9704::page_number_text(n)
            } else {
                template
                    .replace("{n}", &n.to_string())
                    .replace("{total}", &total.to_string())
            }
        });
        let footer = setup.footer.as_deref().filter(|f| !f.trim().is_empty());
        if gbt {
            if let Some(number) = number {
                let (x1, x2, align, top) =
                    gbt9704::page_number_box(n, geo.left, geo.right, geo.bottom);
                items.extend(text_line(
                    ctx,
                    &number,
                    furniture_style(gbt9704::PAGE_NUMBER_SIZE),
                    align,
                    x1,
                    x2,
                    top,
                )?);
            }
            if let Some(footer) = footer {
                let top = geo.bottom + 7.0 * MM + gbt9704::PAGE_NUMBER_SIZE * 1.6;
                items.extend(text_line(
                    ctx,
                    footer,
                    furniture_style(small),
                    Align::Center,
                    geo.left,
                    geo.right,
                    top,
                )?);
            }
        } else {
            // Footer left and number right when both are given; either
            // alone is centred.
            let top = geo.bottom + 6.0 * MM;
            let style = furniture_style(small);
            match (footer, number) {
                (Some(f), Some(num)) => {
                    items.extend(text_line(
                        ctx,
                        f,
                        style,
                        Align::Left,
                        geo.left,
                        geo.right,
                        top,
                    )?);
                    items.extend(text_line(
                        ctx,
                        &num,
                        style,
                        Align::Right,
                        geo.left,
                        geo.right,
                        top,
                    )?);
                }
                (Some(f), None) => {
                    items.extend(text_line(
                        ctx,
                        f,
                        style,
                        Align::Center,
                        geo.left,
                        geo.right,
                        top,
                    )?);
                }
                (None, Some(num)) => {
                    items.extend(text_line(
                        ctx,
                        &num,
                        style,
                        Align::Center,
                        geo.left,
                        geo.right,
                        top,
                    )?);
                }
                (None, None) => {}
            }
        }
        pages.push(PageDraw {
            width: geo.width,
            height: geo.height,
            items,
        });
    }
    Ok(pages)
}
