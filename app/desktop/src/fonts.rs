//! Fonts for the UI. System fonts are never consulted, so a caseworker's
//! screen matches the screenshots on every machine.
//!
//! Fallback goes glyph by glyph, in order:
//! 1. egui's Latin font;
//! 2. Noto Sans CJK SC (SIL OFL; the Simplified Chinese face of the
//!    collection, without Hangul and kana);
//! 3. Noto Serif Tibetan (SIL OFL), for names such as ཚེ་རིང་སྒྲོལ་མ. It sits
//!    about 0.3 em too high beside Chinese, so it is shifted down
//!    (TECH-NOTES).
//!
//! Not yet: CJK Extension B–F (HanaMinB) in the UI; the PDF engine has it.

use eframe::egui::{self, FontData, FontDefinitions, FontFamily, FontTweak};
use std::sync::Arc;

const NOTO_SANS_SC: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Regular.otf");
const NOTO_SERIF_TIBETAN: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSerifTibetan-Regular.ttf");

pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto-sans-sc".into(),
        Arc::new(FontData::from_static(NOTO_SANS_SC)),
    );
    fonts.font_data.insert(
        "noto-serif-tibetan".into(),
        Arc::new(FontData::from_static(NOTO_SERIF_TIBETAN).tweak(FontTweak {
            y_offset_factor: 0.30,
            ..Default::default()
        })),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        let list = fonts.families.entry(family).or_default();
        list.push("noto-sans-sc".into());
        list.push("noto-serif-tibetan".into());
    }
    ctx.set_fonts(fonts);
}
