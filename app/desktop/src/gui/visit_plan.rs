//! 走访计划: the visits due this week and overdue, from the latest colour and the plugin's visit policy, with escalations (#8).

use super::HutongApp;
use eframe::egui;

#[derive(Default)]
pub struct VisitPlanState {}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.heading(app.t("nav.visit_plan"));
}
