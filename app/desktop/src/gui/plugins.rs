//! 插件: installed province plugins, their versions and signature status,
//! and installing a plugin from a file (signature checked before any of its
//! code is compiled; see `crate::installed::install_from_file`).

use super::HutongApp;
use super::notices::Place;
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;
use hutong_core::plugin_registry;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// The install dialog, running off the UI thread.
#[derive(Default)]
pub struct PluginsState {
    dialog: Option<Receiver<Option<PathBuf>>>,
}

impl PluginsState {
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }
}

fn install(app: &mut HutongApp, path: &std::path::Path) {
    let what = path.display().to_string();
    install_with(app, &what, |app, session| {
        crate::installed::install_from_file(&app.db_path, &mut app.store, session, path)
    });
}

/// Installs the plugin the program carries for a province (demo databases
/// only; the use case refuses a county database).
fn install_bundled(app: &mut HutongApp, bundled: &hutong_services::demo::BundledPlugin) {
    let what = t!(app.lang, "plugin-bundled_what", province = bundled.province);
    let not_bundled = t!(app.lang, "plugin-not_bundled", province = bundled.province);
    install_with(app, &what, |app, session| {
        hutong_services::demo::install_bundled(
            &app.db_path,
            &mut app.store,
            session,
            bundled.province_code,
        )?
        .ok_or_else(|| anyhow::anyhow!(not_bundled))
    });
}

/// The permission check, the installation, and what follows it: the
/// message, reloading the plugins, and re-assessing everyone when the
/// county's province plugin changed version.
fn install_with(
    app: &mut HutongApp,
    what: &str,
    run: impl FnOnce(
        &mut HutongApp,
        &hutong_services::Session,
    ) -> anyhow::Result<crate::installed::Installed>,
) {
    // The use case checks InstallPlugin (and TrustKeys) itself; signed out,
    // there is no session to install under.
    let Some(session) = app.session.clone() else {
        let text = app.t("login-required");
        app.notices.error(Place::Plugins, text);
        return;
    };
    let before = crate::installed::installed(&app.store).unwrap_or_default();
    let result = run(app, &session);
    let mut upgraded_from = None;
    let lang = app.lang;
    match result {
        Ok(done) => {
            let m = &done.manifest;
            let mut msg = t!(
                lang,
                "plugin-installed",
                id = m.id.as_str(),
                version = m.version.to_string(),
                name = m.name.as_str()
            );
            if let Some(w) = done.warning {
                msg.push_str(&t!(lang, "plugin-dev_warning", warning = w));
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
                msg.push_str(&t!(lang, "plugin-reassessing"));
            }
            app.notices.success(Place::Plugins, msg);
        }
        Err(e) => app.notices.error(
            Place::Plugins,
            t!(
                lang,
                "plugin-install_failed",
                what = what,
                error = format!("{e:#}")
            ),
        ),
    }
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
    ui.heading(app.t("plugins-title"));
    if let Some(e) = &app.plugin_error {
        ui.colored_label(crate::gui::theme::ERROR, e);
    }
    let installed = crate::installed::installed(&app.store).unwrap_or_default();
    if installed.is_empty() {
        ui.label(app.t("plugins-none"));
    }
    egui::Grid::new("plugins")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            for p in &installed {
                ui.label(&p.name);
                ui.monospace(&p.plugin_id);
                ui.label(&p.version);
                ui.label(t!(
                    app.lang,
                    "plugin-province",
                    code = p.province_code.as_str()
                ));
                ui.label(if p.signed_by.is_some() {
                    app.t("plugins-signed")
                } else {
                    app.t("plugins-unsigned")
                });
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    let waiting = app.plugins_screen.dialog.is_some();
    let may_install = app.can(hutong_services::Action::InstallPlugin);
    if may_install
        && ui
            .add_enabled(!waiting, egui::Button::new(app.t("plugin-install_file")))
            .clicked()
    {
        let request = DialogRequest::new(DialogKind::OpenFile, app.t("plugin-choose_file"))
            .filter(app.t("plugin-filter"), &["wasm"]);
        app.plugins_screen.dialog = Some(super::ask_dialog(app.platform.dialogs.clone(), request));
    }
    if waiting {
        ui.weak(app.t("plugin-waiting_dialog"));
    }
    ui.weak(app.t("plugin-sig_hint"));
    if may_install && hutong_core::demo::is_demo(&app.store).unwrap_or(false) {
        bundled_section(app, ui, &installed);
    }
    app.notices.show_here(ui, Place::Plugins);
    super::upgrade_review::show(app, ui);
}

/// In a demo database: the plugins the program carries, each installable
/// with one click (they are signed with the public demo key, which only a
/// demo database trusts; a county installs the files its province signed).
fn bundled_section(
    app: &mut HutongApp,
    ui: &mut egui::Ui,
    installed: &[plugin_registry::InstalledPlugin],
) {
    ui.add_space(8.0);
    ui.separator();
    let lang = app.lang;
    ui.strong(t!(lang, "plugin-bundled_title"));
    let mut chosen = None;
    egui::Grid::new("bundled_plugins")
        .striped(true)
        .num_columns(3)
        .show(ui, |ui| {
            for bundled in hutong_services::demo::bundled_plugins() {
                ui.label(bundled.province);
                let here = installed
                    .iter()
                    .find(|p| p.province_code == bundled.province_code);
                match here {
                    Some(p) => ui.weak(t!(
                        lang,
                        "plugin-bundled_version",
                        version = p.version.as_str()
                    )),
                    None => ui.weak(t!(lang, "plugin-not_installed")),
                };
                if ui
                    .button(t!(
                        lang,
                        "plugin-install_bundled",
                        province = bundled.province
                    ))
                    .clicked()
                {
                    chosen = Some(*bundled);
                }
                ui.end_row();
            }
        });
    if let Some(bundled) = chosen {
        install_bundled(app, &bundled);
    }
}
