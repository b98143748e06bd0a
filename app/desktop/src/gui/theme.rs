//! The workstation's named colours and sizes. Screens use these names, so
//! one red means one thing everywhere and a change is made once.

use eframe::egui::{self, Color32};
use hutong_core::province::Colour;

/// Errors, refusals, overdue and late items.
pub const ERROR: Color32 = Color32::from_rgb(200, 30, 30);
/// Something done: saved, imported, printed.
pub const SUCCESS: Color32 = Color32::from_rgb(20, 120, 40);
/// Needs attention but is not wrong: unsaved edits, due soon, a plugin's
/// 提示, evidence missing.
pub const WARNING: Color32 = Color32::from_rgb(190, 110, 0);
/// Not applicable or inactive (a finding of 不符合).
pub const MUTED: Color32 = Color32::from_rgb(120, 120, 120);
/// The developer-mode banner across the top.
pub const DEV_BANNER: Color32 = Color32::from_rgb(180, 30, 30);
/// A notice box (a reassessment falls due): its fill and border.
pub const NOTICE_FILL: Color32 = Color32::from_rgb(255, 240, 210);
pub const NOTICE_STROKE: Color32 = Color32::from_rgb(220, 140, 0);

/// The 四色 (and a plugin's blue) as swatches; grey when unassessed.
pub fn risk_colour(c: Option<Colour>) -> Color32 {
    match c {
        Some(Colour::Red) => Color32::from_rgb(205, 40, 40),
        Some(Colour::Orange) => Color32::from_rgb(235, 130, 20),
        Some(Colour::Yellow) => Color32::from_rgb(225, 190, 20),
        Some(Colour::Blue) => Color32::from_rgb(40, 110, 200),
        Some(Colour::Green) => Color32::from_rgb(40, 150, 60),
        None => Color32::from_gray(190),
    }
}

/// The colour of an outcome message: success or error.
pub fn outcome(ok: bool) -> Color32 {
    if ok { SUCCESS } else { ERROR }
}

/// Body text sizes the user can choose in 设置 (points), the first being
/// egui's own. The choice is kept per user.
pub const TEXT_SIZES: [f32; 4] = [13.0, 15.0, 17.0, 20.0];

/// Applies a body text size: every text style (headings, buttons, small
/// print) scales with it, in light and dark mode.
pub fn apply_text_size(ctx: &egui::Context, body: f32) {
    let base = egui::style::default_text_styles();
    let scale = body / TEXT_SIZES[0];
    ctx.all_styles_mut(|style| {
        for (text_style, font) in style.text_styles.iter_mut() {
            if let Some(default) = base.get(text_style) {
                font.size = default.size * scale;
            }
        }
    });
}
