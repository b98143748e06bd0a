//! Fonts for the UI. System fonts are never consulted, so a caseworker's
//! screen matches the screenshots on every machine.
//!
//! Fallback goes glyph by glyph, in order (egui's own fonts are not built
//! in, see the workspace Cargo.toml):
//! 1. Noto Sans CJK SC (SIL OFL; the Simplified Chinese face of the
//!    collection, without Hangul and kana), which also has Latin, digits
//!    and the arrows and marks the screens use;
//! 2. Noto Serif Tibetan (SIL OFL), for names such as ཚེ་རིང་སྒྲོལ་མ. It sits
//!    about 0.3 em too high beside Chinese, so it is shifted down
//!    (TECH-NOTES);
//! 3. HanaMinB (CJK Extension B–F, for rare name characters such as 𡒄),
//!    through a font provider that egui asks only when no installed font has
//!    a character. It is decompressed (30 MB) on a background thread at
//!    start-up, so the first rare name does not stall a frame.
//!
//! The font files are the report engine's (`hutong_report::shared_faces`),
//! so the binary carries one copy of each.

use eframe::egui::{
    self, FontData, FontDefinitions, FontFamily, FontTweak,
    epaint::text::{FallbackRequest, FontInsert, FontPriority, InsertFontFamily},
};
use hutong_report::shared_faces;
use std::sync::Arc;

/// Whether egui's fallback should look in HanaMinB for `c`: the
/// supplementary ideographic plane (Extensions B–F and the compatibility
/// supplement). Extension A is in Noto Sans SC already.
pub fn needs_rare_han_font(c: char) -> bool {
    (0x20000..=0x2FFFF).contains(&(c as u32))
}

fn rare_han_provider(request: &FallbackRequest<'_>) -> Option<FontInsert> {
    let c = request.cluster.chars().next()?;
    if !needs_rare_han_font(c) {
        return None;
    }
    let bytes = shared_faces::hanamin_b()
        .map_err(|e| tracing::warn!("{e}"))
        .ok()?;
    Some(FontInsert::new(
        "hanamin-b",
        FontData::from_static(bytes),
        [FontFamily::Proportional, FontFamily::Monospace]
            .into_iter()
            .map(|family| InsertFontFamily {
                family,
                priority: FontPriority::Lowest,
            })
            .collect(),
    ))
}

pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    // The bundled faces are stored compressed; a failure to decompress
    // them means a damaged program file: say so in the log (the window
    // then has no text to draw, and reinstalling is the fix).
    let mut add = |name: &str, bytes: Result<&'static [u8], String>, tweak: FontTweak| match bytes {
        Ok(bytes) => {
            fonts.font_data.insert(
                name.into(),
                Arc::new(FontData::from_static(bytes).tweak(tweak)),
            );
            for family in [FontFamily::Proportional, FontFamily::Monospace] {
                fonts.families.entry(family).or_default().push(name.into());
            }
        }
        Err(e) => tracing::error!("界面字体 {name} 无法载入（程序文件可能已损坏）：{e}"),
    };
    add(
        "noto-sans-sc",
        shared_faces::noto_sans_sc(),
        FontTweak::default(),
    );
    add(
        "noto-serif-tibetan",
        shared_faces::noto_serif_tibetan(),
        FontTweak {
            y_offset_factor: 0.30,
            ..Default::default()
        },
    );
    ctx.set_fonts(fonts);
    ctx.set_font_providers(vec![Arc::new(rare_han_provider)]);
    // Warm the decompression off the UI thread; the provider then finds
    // the bytes ready.
    let _ = std::thread::Builder::new()
        .name("hutong-fonts".into())
        .spawn(|| {
            let _ = shared_faces::hanamin_b();
        });
}
