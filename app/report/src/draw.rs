//! The drawing interface between layout and the PDF engine.
//!
//! Layout produces pages of [`DrawItem`]s in points with a top-left origin
//! (y grows downwards, as layout thinks); `pdf_writer` turns them into PDF.
//! Nothing here knows about printpdf, so the engine can be swapped (krilla
//! was a measured alternative) without touching layout.

use crate::fonts::FaceId;

/// One glyph at an absolute position (x, baseline y).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedGlyph {
    pub gid: u16,
    pub x: f32,
    pub y: f32,
    /// The characters this glyph shows (first glyph of a cluster only);
    /// used for the font's ToUnicode map.
    pub chars: Option<String>,
}

/// Glyphs of one face and size, plus the text they spell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextRun {
    pub face: FaceId,
    pub size: f32,
    pub fake_bold: bool,
    pub glyphs: Vec<PlacedGlyph>,
    /// Written as /ActualText so extraction returns exactly this.
    pub actual_text: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stroke {
    pub width: f32,
    /// (dash, gap) in points; `None` is solid.
    pub dash: Option<(f32, f32)>,
    /// 0 = black, 1 = white.
    pub gray: f32,
}

impl Stroke {
    pub fn solid(width: f32) -> Stroke {
        Stroke {
            width,
            dash: None,
            gray: 0.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DrawItem {
    Text(TextRun),
    Line {
        from: (f32, f32),
        to: (f32, f32),
        stroke: Stroke,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        stroke: Option<Stroke>,
        /// Fill gray level, if filled.
        fill: Option<f32>,
    },
    Circle {
        cx: f32,
        cy: f32,
        r: f32,
        stroke: Stroke,
    },
}

impl DrawItem {
    /// Moves the item by (dx, dy): cell contents are laid out at the origin
    /// and then placed.
    pub fn translate(&mut self, dx: f32, dy: f32) {
        match self {
            DrawItem::Text(run) => {
                for g in &mut run.glyphs {
                    g.x += dx;
                    g.y += dy;
                }
            }
            DrawItem::Line { from, to, .. } => {
                from.0 += dx;
                from.1 += dy;
                to.0 += dx;
                to.1 += dy;
            }
            DrawItem::Rect { x, y, .. } => {
                *x += dx;
                *y += dy;
            }
            DrawItem::Circle { cx, cy, .. } => {
                *cx += dx;
                *cy += dy;
            }
        }
    }
}

/// A laid-out page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageDraw {
    pub width: f32,
    pub height: f32,
    pub items: Vec<DrawItem>,
}
