//! Shaping: text → positioned glyph ids, one font per character cluster.
//!
//! Text is split into runs by the first face in the role's fallback chain
//! that has each character (so 王堃 can mix faces), and each run is shaped
//! with rustybuzz. Shaping matters for Tibetan (stacks, vowel marks) and is
//! harmless for Chinese, so all text takes this one path.

use std::collections::BTreeSet;
use std::ops::Range;

use hutong_core::document::TextStyle;

use crate::error::ReportError;
use crate::fonts::{FaceId, FontSet};

/// A stretch of text in one style, as byte offsets into the shaped string.
#[derive(Debug, Clone)]
pub(crate) struct StyleSpan {
    pub range: Range<usize>,
    pub style: TextStyle,
    /// Extra advance after each character cluster, in points (GB/T 9704's
    /// 28-characters-per-line grid needs slightly negative tracking).
    pub letter_spacing: f32,
}

/// One shaped glyph. Lengths are in points; `y_offset` is up-positive.
#[derive(Debug, Clone)]
pub(crate) struct Glyph {
    pub face: FaceId,
    pub gid: u16,
    pub size: f32,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    /// Byte offset of the glyph's cluster in the text.
    pub cluster: usize,
    /// Index of the glyph's [`StyleSpan`].
    pub span: usize,
    /// Bold asked for but the face is not bold: the writer strokes it.
    pub fake_bold: bool,
}

/// Marks and joiners stay in the face of the character before them, so a
/// base letter and its vowel sign or stacked consonant are shaped together.
fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0F18}'..='\u{0F19}'
        | '\u{0F35}' | '\u{0F37}' | '\u{0F39}'
        | '\u{0F3E}'..='\u{0F3F}'
        | '\u{0F71}'..='\u{0F84}'
        | '\u{0F86}'..='\u{0F87}'
        | '\u{0F8D}'..='\u{0FBC}'
        | '\u{0FC6}'
        | '\u{200C}'..='\u{200D}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Shapes `text` in its style spans. Characters no face has are added to
/// `missing` and printed with the role's primary face (a visible box),
/// so the caller can warn instead of silently dropping a name character.
pub(crate) fn shape(
    text: &str,
    spans: &[StyleSpan],
    fonts: &FontSet,
    missing: &mut BTreeSet<char>,
) -> Result<Vec<Glyph>, ReportError> {
    let mut glyphs = Vec::with_capacity(text.len() / 2);
    for (span_idx, span) in spans.iter().enumerate() {
        let Some(span_text) = text.get(span.range.clone()) else {
            continue;
        };
        let style = &span.style;
        let primary = fonts.primary_face(style.font, style.bold)?;
        // Split the span into runs of one face each.
        let mut run_start = span.range.start;
        let mut run_face: Option<FaceId> = None;
        for (off, c) in span_text.char_indices() {
            let at = span.range.start + off;
            if c == '\n' {
                // Not printed: the line breaker ends the line here.
                if let Some(face) = run_face.take() {
                    shape_run(
                        text,
                        run_start..at,
                        face,
                        span_idx,
                        span,
                        fonts,
                        &mut glyphs,
                    )?;
                }
                run_start = at + c.len_utf8();
                continue;
            }
            let stay = run_face.is_some_and(|f| {
                is_combining(c)
                    || (c.is_whitespace() && fonts.slot(f).is_some_and(|s| s.has_char(c)))
            });
            if stay {
                continue;
            }
            let face = match fonts.face_for_char(style.font, style.bold, c) {
                Some(f) => f,
                None => {
                    missing.insert(c);
                    primary
                }
            };
            if run_face != Some(face) {
                if let Some(prev) = run_face {
                    shape_run(
                        text,
                        run_start..at,
                        prev,
                        span_idx,
                        span,
                        fonts,
                        &mut glyphs,
                    )?;
                }
                run_start = at;
                run_face = Some(face);
            }
        }
        if let Some(face) = run_face {
            shape_run(
                text,
                run_start..span.range.end,
                face,
                span_idx,
                span,
                fonts,
                &mut glyphs,
            )?;
        }
    }
    Ok(glyphs)
}

fn shape_run(
    text: &str,
    range: Range<usize>,
    face_id: FaceId,
    span_idx: usize,
    span: &StyleSpan,
    fonts: &FontSet,
    out: &mut Vec<Glyph>,
) -> Result<(), ReportError> {
    let Some(run) = text.get(range.clone()) else {
        return Ok(());
    };
    if run.is_empty() {
        return Ok(());
    }
    let slot = fonts
        .slot(face_id)
        .ok_or_else(|| ReportError::Layout(format!("字体编号 {face_id} 不存在")))?;
    let face = slot.load()?;
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(run);
    buffer.guess_segment_properties();
    // Every script we print (Han, Latin, Tibetan) runs left to right.
    buffer.set_direction(rustybuzz::Direction::LeftToRight);
    let shaped = rustybuzz::shape(&face.shaper, &[], buffer);
    let size = span.style.size_pt;
    let scale = size / face.units_per_em;
    let fake_bold = span.style.bold && !slot.bold;
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();
    let first = out.len();
    for (info, pos) in infos.iter().zip(positions) {
        out.push(Glyph {
            face: face_id,
            gid: u16::try_from(info.glyph_id).unwrap_or(0),
            size,
            advance: pos.x_advance as f32 * scale,
            x_offset: pos.x_offset as f32 * scale,
            y_offset: pos.y_offset as f32 * scale,
            cluster: range.start + info.cluster as usize,
            span: span_idx,
            fake_bold,
        });
    }
    if span.letter_spacing != 0.0 {
        // Track after the last glyph of each cluster, never between a base
        // and its marks.
        let added = &mut out[first..];
        for i in 0..added.len() {
            let last_of_cluster = added
                .get(i + 1)
                .is_none_or(|next| next.cluster != added[i].cluster);
            if last_of_cluster {
                added[i].advance += span.letter_spacing;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::document::FontRole;

    fn span(len: usize, font: FontRole) -> StyleSpan {
        StyleSpan {
            range: 0..len,
            style: TextStyle {
                font,
                size_pt: 10.0,
                bold: false,
                underline: false,
            },
            letter_spacing: 0.0,
        }
    }

    #[test]
    fn chinese_glyphs_are_one_em_wide() {
        let fonts = FontSet::bundled();
        let text = "儿童福利";
        let mut missing = BTreeSet::new();
        let g = shape(
            text,
            &[span(text.len(), FontRole::Song)],
            &fonts,
            &mut missing,
        )
        .unwrap();
        assert_eq!(g.len(), 4);
        for glyph in &g {
            assert!((glyph.advance - 10.0).abs() < 0.01, "{glyph:?}");
            assert_ne!(glyph.gid, 0);
        }
        assert!(missing.is_empty());
    }

    #[test]
    fn rare_name_mixes_faces_and_keeps_clusters() {
        let fonts = FontSet::bundled();
        let text = "王𡒄";
        let mut missing = BTreeSet::new();
        let g = shape(
            text,
            &[span(text.len(), FontRole::Song)],
            &fonts,
            &mut missing,
        )
        .unwrap();
        assert_eq!(g.len(), 2);
        assert_ne!(g[0].face, g[1].face);
        assert_eq!(g[1].cluster, "王".len());
        assert!(g.iter().all(|x| x.gid != 0));
    }

    #[test]
    fn tibetan_stack_shapes_to_fewer_glyphs_than_chars() {
        let fonts = FontSet::bundled();
        // སྒྲོལ: s + subjoined g + subjoined r + vowel o + l.
        let text = "སྒྲོལ";
        let mut missing = BTreeSet::new();
        let g = shape(
            text,
            &[span(text.len(), FontRole::Song)],
            &fonts,
            &mut missing,
        )
        .unwrap();
        assert!(missing.is_empty());
        assert!(g.iter().all(|x| x.gid != 0));
        // Marks have zero advance; the run is much narrower than 5 letters.
        let width: f32 = g.iter().map(|x| x.advance).sum();
        assert!(width < 5.0 * 10.0 * 0.6, "width {width}");
    }

    #[test]
    fn unknown_character_is_reported_missing() {
        let fonts = FontSet::bundled();
        let text = "甲\u{E000}";
        let mut missing = BTreeSet::new();
        shape(
            text,
            &[span(text.len(), FontRole::Song)],
            &fonts,
            &mut missing,
        )
        .unwrap();
        assert_eq!(missing.into_iter().collect::<Vec<_>>(), vec!['\u{E000}']);
    }
}
