//! 摸底排查: start a round over a division subtree, track coverage per village, close it with a summary (#8).

use super::HutongApp;
use eframe::egui;

#[derive(Default)]
pub struct CampaignsState {}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.heading(app.t("nav.campaigns"));
}
