//! 插件: installed province plugins, their versions and signature status.

use super::HutongApp;
use eframe::egui;
use hutong_core::plugin_registry;

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.heading(app.t("plugins.title"));
    let installed = plugin_registry::installed(app.store.conn()).unwrap_or_default();
    if installed.is_empty() {
        ui.label(app.t("plugins.none"));
    }
    egui::Grid::new("plugins")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for p in &installed {
                ui.label(&p.name);
                ui.monospace(&p.plugin_id);
                ui.label(&p.version);
                ui.label(format!("省份 {}", p.province_code));
                ui.label(if p.signed_by.is_some() {
                    app.t("plugins.signed")
                } else {
                    app.t("plugins.unsigned")
                });
                ui.end_row();
            }
        });
}
