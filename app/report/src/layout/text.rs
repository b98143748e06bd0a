//! Paragraph layout: shaped glyphs → lines, by greedy filling at UAX #14
//! break opportunities, then alignment (justify spreads the slack over the
//! gaps between character clusters, which is how Chinese text justifies).

use hutong_core::document::{Align, TextStyle};

use crate::draw::{DrawItem, PlacedGlyph, Stroke, TextRun};
use crate::error::ReportError;
use crate::layout::Ctx;
use crate::linebreak;
use crate::shaping::{self, Glyph, StyleSpan};

/// Share of the em above the baseline in CJK fonts' ideographic em box;
/// used to put every face on one baseline regardless of its own metrics.
pub(crate) const ASCENT: f32 = 0.88;

/// A finished line, with items relative to its top-left corner.
#[derive(Debug, Clone)]
pub(crate) struct TextLine {
    pub items: Vec<DrawItem>,
    pub height: f32,
}

/// Text with styles, built from document runs.
#[derive(Debug, Default, Clone)]
pub(crate) struct StyledText {
    pub text: String,
    pub spans: Vec<StyleSpan>,
    /// Byte ranges that must not be broken across lines (a checkbox and
    /// its label, "□ 流动儿童").
    pub keep_together: Vec<std::ops::Range<usize>>,
}

impl StyledText {
    pub fn push(&mut self, text: &str, style: TextStyle, letter_spacing: f32) {
        let start = self.text.len();
        // Normalise: one kind of newline, tabs as spaces, no other controls
        // (they have no glyph and would print as boxes).
        for c in text.chars() {
            match c {
                '\r' => {}
                '\t' => self.text.push(' '),
                '\n' => self.text.push('\n'),
                c if c.is_control() => {}
                c => self.text.push(c),
            }
        }
        if self.text.len() > start {
            self.spans.push(StyleSpan {
                range: start..self.text.len(),
                style,
                letter_spacing,
            });
        }
    }

    /// Appends text that must stay on one line (when it fits at all).
    pub fn push_unbreakable(&mut self, text: &str, style: TextStyle, letter_spacing: f32) {
        let start = self.text.len();
        self.push(text, style, letter_spacing);
        self.keep_together.push(start..self.text.len());
    }

    pub fn single(text: &str, style: TextStyle, letter_spacing: f32) -> StyledText {
        let mut s = StyledText::default();
        s.push(text, style, letter_spacing);
        s
    }
}

/// How a block of text is set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParaFormat {
    pub align: Align,
    pub first_line_indent: f32,
    /// Line height as a multiple of the largest size on the line.
    pub line_factor: f32,
    /// Size used for an empty paragraph's blank line.
    pub empty_size: f32,
}

fn char_at(text: &str, at: usize) -> char {
    text.get(at..).and_then(|s| s.chars().next()).unwrap_or(' ')
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\u{00A0}' || c == '\n'
}

fn is_tibetan(c: char) -> bool {
    ('\u{0F00}'..='\u{0FFF}').contains(&c)
}

/// Lays `text` out in lines at most `width` wide.
pub(crate) fn layout_text(
    ctx: &mut Ctx,
    text: &StyledText,
    format: ParaFormat,
    width: f32,
) -> Result<Vec<TextLine>, ReportError> {
    let glyphs = shaping::shape(&text.text, &text.spans, ctx.fonts, &mut ctx.missing)?;
    if glyphs.is_empty() {
        let h = ctx.line_height(format.empty_size, format.line_factor, false);
        return Ok(vec![TextLine {
            items: Vec::new(),
            height: h,
        }]);
    }
    let ranges = break_lines(text, &glyphs, width, format.first_line_indent);
    let mut lines = Vec::with_capacity(ranges.len());
    let count = ranges.len();
    for (i, r) in ranges.into_iter().enumerate() {
        let indent = if i == 0 {
            format.first_line_indent
        } else {
            0.0
        };
        let justify = format.align == Align::Justify && !r.hard_end && i + 1 < count;
        lines.push(build_line(
            ctx,
            text,
            &glyphs,
            &r,
            LineGeometry {
                indent,
                width,
                align: format.align,
                justify,
                line_factor: format.line_factor,
            },
        ));
    }
    Ok(lines)
}

/// A line as a glyph index range (trailing spaces already trimmed).
#[derive(Debug, Clone)]
struct LineRange {
    start: usize,
    end: usize,
    /// Ended by a newline or the end of the text: never justified.
    hard_end: bool,
}

/// Greedy line filling over break opportunities.
fn break_lines(styled: &StyledText, glyphs: &[Glyph], width: f32, indent: f32) -> Vec<LineRange> {
    let text = styled.text.as_str();
    let breaks = linebreak::opportunities(text).into_iter().filter(|b| {
        b.mandatory
            || !styled
                .keep_together
                .iter()
                .any(|r| r.start < b.at && b.at < r.end)
    });
    let mut lines = Vec::new();
    let mut line_start = 0usize; // glyph index
    let mut line_width = 0.0f32; // width up to the last committed segment, w/o trailing spaces
    let mut pending_space = 0.0f32; // trailing space width of the committed part
    let mut g = 0usize;
    let avail = |lines: &Vec<LineRange>| {
        if lines.is_empty() {
            (width - indent).max(1.0)
        } else {
            width
        }
    };
    for b in breaks {
        // The segment: glyphs whose cluster lies before the break.
        let seg_start = g;
        while g < glyphs.len() && glyphs[g].cluster < b.at {
            g += 1;
        }
        let seg_end = g;
        let mut seg_width: f32 = glyphs[seg_start..seg_end].iter().map(|x| x.advance).sum();
        let mut trail = 0.0;
        for x in glyphs[seg_start..seg_end].iter().rev() {
            if is_space(char_at(text, x.cluster)) {
                trail += x.advance;
            } else {
                break;
            }
        }
        seg_width -= trail;
        let fits = line_width + pending_space + seg_width <= avail(&lines) + 0.01;
        if !fits && seg_start > line_start {
            // Close the line before this segment.
            lines.push(trimmed(text, glyphs, line_start, seg_start, false));
            line_start = seg_start;
            line_width = 0.0;
            pending_space = 0.0;
        }
        if line_width + pending_space + seg_width > avail(&lines) + 0.01 {
            // A segment wider than a whole line (a long number or word):
            // break it between clusters.
            let mut i = seg_start;
            let mut w = 0.0;
            while i < seg_end {
                let cluster_end = cluster_end_index(glyphs, i);
                let cw: f32 = glyphs[i..cluster_end].iter().map(|x| x.advance).sum();
                if w + cw > avail(&lines) + 0.01 && i > line_start {
                    lines.push(trimmed(text, glyphs, line_start, i, false));
                    line_start = i;
                    w = 0.0;
                }
                w += cw;
                i = cluster_end;
            }
            line_width = w - trail;
            pending_space = trail;
        } else {
            line_width += pending_space + seg_width;
            pending_space = trail;
        }
        if b.mandatory {
            if seg_end > line_start || lines.is_empty() || b.at < text.len() {
                lines.push(trimmed(text, glyphs, line_start, seg_end, true));
            }
            line_start = seg_end;
            line_width = 0.0;
            pending_space = 0.0;
        }
    }
    if line_start < glyphs.len() {
        lines.push(trimmed(text, glyphs, line_start, glyphs.len(), true));
    }
    lines
}

fn cluster_end_index(glyphs: &[Glyph], i: usize) -> usize {
    let c = glyphs[i].cluster;
    let mut j = i + 1;
    while j < glyphs.len() && glyphs[j].cluster == c {
        j += 1;
    }
    j
}

/// Spaces where a line was broken are dropped (they would upset
/// justification and right alignment). At a paragraph's end they stay:
/// 「正定县民政局　　　　」 right-aligned is how one indents from the right.
fn trimmed(text: &str, glyphs: &[Glyph], start: usize, mut end: usize, hard: bool) -> LineRange {
    while end > start && !hard && is_space(char_at(text, glyphs[end - 1].cluster)) {
        end -= 1;
    }
    LineRange {
        start,
        end,
        hard_end: hard,
    }
}

struct LineGeometry {
    indent: f32,
    width: f32,
    align: Align,
    justify: bool,
    line_factor: f32,
}

fn build_line(
    ctx: &Ctx,
    text: &StyledText,
    glyphs: &[Glyph],
    r: &LineRange,
    geo: LineGeometry,
) -> TextLine {
    let line = &glyphs[r.start..r.end];
    let max_size = line.iter().map(|g| g.size).fold(0.0f32, f32::max).max(1.0);
    let tibetan = line
        .iter()
        .any(|g| is_tibetan(char_at(&text.text, g.cluster)));
    let height = ctx.line_height(max_size, geo.line_factor, tibetan);
    let baseline = (height - max_size) / 2.0 + ASCENT * max_size;
    let natural: f32 = line.iter().map(|g| g.advance).sum();
    let slack = (geo.width - geo.indent - natural).max(0.0);
    let mut x0 = geo.indent;
    match geo.align {
        Align::Center => x0 += slack / 2.0,
        Align::Right => x0 += slack,
        Align::Left | Align::Justify => {}
    }
    // Justify: the slack is shared by the gaps between clusters.
    let gaps = line
        .windows(2)
        .filter(|w| w[0].cluster != w[1].cluster)
        .count();
    let per_gap = if geo.justify && gaps > 0 {
        slack / gaps as f32
    } else {
        0.0
    };

    let mut items = Vec::new();
    let mut pen = x0;
    let mut run: Option<TextRun> = None;
    let mut run_text_start = 0usize;
    let mut underline: Option<(f32, f32, f32)> = None; // (x1, x2, size)
    let mut underlines = Vec::new();
    for (i, g) in line.iter().enumerate() {
        if i > 0 && line[i - 1].cluster != g.cluster {
            pen += per_gap;
        }
        let new_cluster = i == 0 || line[i - 1].cluster != g.cluster;
        let same_run = run
            .as_ref()
            .is_some_and(|r| r.face == g.face && r.size == g.size && r.fake_bold == g.fake_bold);
        if !same_run {
            if let Some(mut done) = run.take() {
                done.actual_text = clean(text.text.get(run_text_start..g.cluster));
                items.push(DrawItem::Text(done));
            }
            run_text_start = g.cluster;
            run = Some(TextRun {
                face: g.face,
                size: g.size,
                fake_bold: g.fake_bold,
                glyphs: Vec::new(),
                actual_text: String::new(),
            });
        }
        let chars = new_cluster.then(|| {
            let end = glyphs
                .get(cluster_end_index(glyphs, r.start + i))
                .map_or(text.text.len(), |n| n.cluster);
            clean(text.text.get(g.cluster..end))
        });
        if let Some(current) = run.as_mut() {
            current.glyphs.push(PlacedGlyph {
                gid: g.gid,
                x: pen + g.x_offset,
                y: baseline - g.y_offset,
                chars,
            });
        }
        let wants_underline = text.spans.get(g.span).is_some_and(|s| s.style.underline);
        match (&mut underline, wants_underline) {
            (Some(u), true) => {
                u.1 = pen + g.advance;
                u.2 = u.2.max(g.size);
            }
            (None, true) => underline = Some((pen, pen + g.advance, g.size)),
            (Some(_), false) => underlines.extend(underline.take()),
            (None, false) => {}
        }
        pen += g.advance;
    }
    if let Some(mut done) = run.take() {
        let end = glyphs
            .get(r.end)
            .map_or(text.text.len(), |n| n.cluster)
            .max(run_text_start);
        done.actual_text = clean(text.text.get(run_text_start..end));
        items.push(DrawItem::Text(done));
    }
    underlines.extend(underline.take());
    for (x1, x2, size) in underlines {
        let y = baseline + 0.14 * size;
        items.push(DrawItem::Line {
            from: (x1, y),
            to: (x2, y),
            stroke: Stroke::solid((0.06 * size).max(0.4)),
        });
    }
    TextLine { items, height }
}

/// Text for /ActualText: no newlines, trailing spaces kept out.
fn clean(s: Option<&str>) -> String {
    s.unwrap_or_default()
        .trim_end_matches(['\n', ' '])
        .replace('\n', "")
}

/// Natural width of `text` on one line (for right-aligning labels etc.).
pub(crate) fn measure(ctx: &mut Ctx, text: &StyledText) -> Result<f32, ReportError> {
    let glyphs = shaping::shape(&text.text, &text.spans, ctx.fonts, &mut ctx.missing)?;
    Ok(glyphs.iter().map(|g| g.advance).sum())
}
