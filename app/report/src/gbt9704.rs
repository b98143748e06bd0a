//! GB/T 9704-2012 《党政机关公文格式》: the numbers the preset imposes.
//!
//! A4; 天头 37 mm, 订口 28 mm; text block 156 × 225 mm; 22 lines × 28
//! characters of 三号 (16 pt) 仿宋; title 二号 (22 pt) 小标宋; level-1
//! headings 「一、」 黑体, level-2 「（一）」 楷体, lower levels 仿宋; page
//! numbers 「— 1 —」 in 四号 (14 pt) 宋体, 7 mm below the text block, odd
//! pages right and even pages left, each one character in from the edge.

use hutong_core::document::{Align, FontRole, Margins, TextStyle, zihao};

pub(crate) const MM: f32 = 72.0 / 25.4;

const TOP_MM: f32 = 37.0;
const LEFT_MM: f32 = 28.0;
const BLOCK_W_MM: f32 = 156.0;
const BLOCK_H_MM: f32 = 225.0;
const A4_W_MM: f32 = 210.0;
const A4_H_MM: f32 = 297.0;

/// Line pitch: Word templates' "固定值 28.95 磅" (225 mm / 22 ≈ 28.99 pt).
pub(crate) const LINE_PITCH: f32 = 28.95;
const CHARS_PER_LINE: f32 = 28.0;
/// Page numbers sit this far below the text block.
const PAGE_NUMBER_GAP_MM: f32 = 7.0;
pub(crate) const PAGE_NUMBER_SIZE: f32 = zihao::SI;

/// Margins that give the 156 × 225 mm text block (bottom 35, right 26).
pub(crate) fn margins() -> Margins {
    Margins {
        top_mm: TOP_MM,
        left_mm: LEFT_MM,
        bottom_mm: A4_H_MM - TOP_MM - BLOCK_H_MM,
        right_mm: A4_W_MM - LEFT_MM - BLOCK_W_MM,
    }
}

/// Extra advance per character so that 28 三号 characters fill a line
/// (156 mm / 28 = 15.79 pt, slightly less than 16 pt). Other sizes keep
/// their natural width.
pub(crate) fn tracking(size_pt: f32) -> f32 {
    if (size_pt - zihao::SAN).abs() < 0.01 {
        BLOCK_W_MM * MM / CHARS_PER_LINE - zihao::SAN
    } else {
        0.0
    }
}

/// The style every run of a heading takes, by level (1 = title).
pub(crate) fn heading_style(level: u8, underline: bool) -> TextStyle {
    let (font, size) = match level {
        0 | 1 => (FontRole::XiaoBiaoSong, zihao::ER),
        2 => (FontRole::Hei, zihao::SAN),
        3 => (FontRole::Kai, zihao::SAN),
        _ => (FontRole::Fangsong, zihao::SAN),
    };
    TextStyle {
        font,
        size_pt: size,
        bold: false,
        underline,
    }
}

/// Titles are centred; numbered headings start two characters in, like
/// body paragraphs (they keep the document's alignment otherwise).
pub(crate) fn heading_align(level: u8, requested: Align) -> (Align, f32) {
    if level <= 1 {
        (Align::Center, 0.0)
    } else {
        (requested, 2.0)
    }
}

/// The page number text: 「— n —」 with half-width digits.
pub(crate) fn page_number_text(n: usize) -> String {
    format!("— {n} —")
}

/// Where the page number line goes: (left x of the number box, right x,
/// alignment, top y of the text), given the text block's edges. Odd pages
/// right-aligned, even pages left-aligned, one character in.
pub(crate) fn page_number_box(
    n: usize,
    block_left: f32,
    block_right: f32,
    block_bottom: f32,
) -> (f32, f32, Align, f32) {
    let inset = PAGE_NUMBER_SIZE;
    let top = block_bottom + PAGE_NUMBER_GAP_MM * MM;
    let align = if n % 2 == 1 {
        Align::Right
    } else {
        Align::Left
    };
    (block_left + inset, block_right - inset, align, top)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_block_is_156_by_225_mm() {
        let m = margins();
        assert!((A4_W_MM - m.left_mm - m.right_mm - 156.0).abs() < 1e-4);
        assert!((A4_H_MM - m.top_mm - m.bottom_mm - 225.0).abs() < 1e-4);
        assert!((m.bottom_mm - 35.0).abs() < 1e-4);
        assert!((m.right_mm - 26.0).abs() < 1e-4);
    }

    #[test]
    fn twenty_eight_characters_fill_the_line_and_22_lines_fit() {
        let pitch = zihao::SAN + tracking(zihao::SAN);
        assert!((pitch * 28.0 - 156.0 * MM).abs() < 0.01);
        const { assert!(LINE_PITCH * 22.0 <= 225.0 * MM) };
        const { assert!(LINE_PITCH * 23.0 > 225.0 * MM) };
    }

    #[test]
    fn odd_pages_right_even_pages_left() {
        assert_eq!(page_number_box(1, 0.0, 100.0, 0.0).2, Align::Right);
        assert_eq!(page_number_box(2, 0.0, 100.0, 0.0).2, Align::Left);
        assert_eq!(page_number_text(3), "— 3 —");
    }
}
