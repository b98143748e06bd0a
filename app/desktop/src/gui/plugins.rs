//! 插件: installed province plugins, their versions and signature status,
//! and installing a plugin from a file (signature checked before any of its
//! code is compiled; see `crate::installed::install_from_file`).

use super::HutongApp;
use crate::platform::{DialogKind, DialogRequest};
use eframe::egui;
use hutong_core::plugin_registry;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// The install dialog, running off the UI thread.
#[derive(Default)]
pub struct PluginsState {
    dialog: Option<Receiver<Option<PathBuf>>>,
    pub message: Option<(bool, String)>,
}

impl PluginsState {
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }
}

fn install(app: &mut HutongApp, path: &std::path::Path) {
    if let Err(refusal) = app.require(hutong_services::Action::InstallPlugin) {
        app.plugins_screen.message = Some((false, refusal));
        return;
    }
    let actor = super::actor_of(app);
    let before = plugin_registry::installed(app.store.conn()).unwrap_or_default();
    let result = crate::installed::install_from_file(&app.db_path, &mut app.store, &actor, path);
    let mut upgraded_from = None;
    app.plugins_screen.message = Some(match result {
        Ok(done) => {
            let m = &done.manifest;
            let mut msg = format!("已安装 {}@{}（{}）", m.id, m.version, m.name);
            if let Some(w) = done.warning {
                msg.push_str(&format!("；开发者模式：{w}"));
            }
            app.reload_plugins();
            // A new version of the county's province plugin: its colours and
            // findings may differ, so everyone is re-checked for review.
            let county = app.store.county_code().ok().flatten().unwrap_or_default();
            let is_province = app
                .plugins
                .province_index(&county)
                .and_then(|i| app.plugins.infos().get(i))
                .is_some_and(|i| i.manifest.id == m.id);
            upgraded_from = before
                .iter()
                .find(|p| p.plugin_id == m.id && p.version != m.version)
                .filter(|_| is_province)
                .map(|p| format!("{}@{}", p.plugin_id, p.version));
            if upgraded_from.is_some() {
                msg.push_str("；正在用新版本重新评估全部儿童，完成后请复核变化");
            }
            (true, msg)
        }
        Err(e) => (false, format!("安装 {} 失败：{e:#}", path.display())),
    });
    if let Some(from) = upgraded_from {
        super::upgrade_review::start_preview(app, from);
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if let Some(rx) = &app.plugins_screen.dialog {
        match rx.try_recv() {
            Ok(answer) => {
                app.plugins_screen.dialog = None;
                if let Some(path) = answer {
                    install(app, &path);
                }
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => ui
                .ctx()
                .request_repaint_after(std::time::Duration::from_millis(50)),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => app.plugins_screen.dialog = None,
        }
    }
    ui.heading(app.t("plugins.title"));
    if let Some(e) = &app.plugin_error {
        ui.colored_label(egui::Color32::from_rgb(200, 30, 30), e);
    }
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
    ui.add_space(8.0);
    let waiting = app.plugins_screen.dialog.is_some();
    let may_install = app.can(hutong_services::Action::InstallPlugin);
    if may_install
        && ui
            .add_enabled(!waiting, egui::Button::new("从文件安装插件…"))
            .clicked()
    {
        let request = DialogRequest::new(DialogKind::OpenFile, "选择省级插件（.wasm）")
            .filter("省级插件", &["wasm"]);
        app.plugins_screen.dialog = Some(super::ask_dialog(app.platform.dialogs.clone(), request));
    }
    if waiting {
        ui.weak("等待文件对话框…");
    }
    ui.weak("插件须附带同名 .wasm.sig 签名文件，且签名公钥已被本县信任（开发者模式除外）。");
    super::status_message(ui, app.plugins_screen.message.as_ref());
    super::upgrade_review::show(app, ui);
}
