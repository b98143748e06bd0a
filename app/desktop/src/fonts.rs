//! Fonts for the UI. The bundled Noto Sans CJK SC (SIL OFL, the Simplified
//! Chinese face extracted from the collection, without Hangul and kana) is
//! pushed after egui's Latin font, so Latin text keeps its look and every
//! Chinese glyph renders identically on every machine. System fonts are
//! never consulted, so a caseworker's screen matches the screenshots.

use eframe::egui::{self, FontData, FontDefinitions, FontFamily};
use std::sync::Arc;

const NOTO_SANS_SC: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Regular.otf");

pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "noto-sans-sc".into(),
        Arc::new(FontData::from_static(NOTO_SANS_SC)),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .push("noto-sans-sc".into());
    }
    ctx.set_fonts(fonts);
}
