//! 数据交换: import with a column mapping, export with a purpose, the 数据比对 workbench, statistics and backups (#10).

use super::HutongApp;
use eframe::egui;

#[derive(Default)]
pub struct ExchangeState {}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.heading(app.t("nav.exchange"));
}
