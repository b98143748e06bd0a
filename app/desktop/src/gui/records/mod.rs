//! 业务台账: 强制报告, services and referrals, allowances, 微心愿, psychological care and the workforce (#9).

use super::HutongApp;
use eframe::egui;

#[derive(Default)]
pub struct RecordsState {}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.heading(app.t("nav.records"));
}

/// The child file's 服务与记录 tab.
pub fn child_tab(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.label(app.t("file.records"));
}
