//! The child file's 评估 tab: run any scale of the province plugin from
//! its definition, see each stored result and the colour trend (#8).

use super::HutongApp;
use eframe::egui;

#[derive(Default)]
pub struct AssessmentTabState {}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.label(app.t("file.assessments"));
}
