//! The log-in screen.

use super::HutongApp;
use super::notices::Place;
use eframe::egui;

#[derive(Default)]
pub struct LoginState {
    pub username: String,
    pub password: String,
    /// The "open another database" dialog, running off the UI thread.
    open_dialog: Option<std::sync::mpsc::Receiver<Option<std::path::PathBuf>>>,
}

/// Opens another county database chosen in a file dialog; the window's
/// root swaps the workstation for one on that file.
fn poll_open_dialog(app: &mut HutongApp, ui: &egui::Ui) {
    let Some(rx) = &app.login.open_dialog else {
        return;
    };
    let answer = match rx.try_recv() {
        Ok(a) => a,
        Err(std::sync::mpsc::TryRecvError::Empty) => {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
            return;
        }
        Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
    };
    app.login.open_dialog = None;
    let Some(path) = answer else { return };
    // The file is opened (and its password checked) at log-in; here only
    // that it is one of ours: an encrypted database with its key file, or
    // an old plaintext one the administrator's log-in will encrypt.
    if !path.is_file()
        || !(hutong_core::KeyRing::exists(&path) || hutong_core::store::is_plaintext(&path))
    {
        let text = crate::t!(
            app.lang,
            "login-not_a_database",
            path = path.display().to_string()
        );
        app.notices.error(Place::Login, text);
        return;
    }
    let mut next = HutongApp::new(path);
    next.platform = app.platform.clone();
    next.lang = app.lang;
    app.replace_with = Some(Box::new(next));
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll_open_dialog(app, ui);
    ui.vertical_centered(|ui| {
        ui.add_space(80.0);
        ui.heading(app.t("app-title"));
        ui.add_space(24.0);
        // Centre the two-column form under the title.
        let form_width = 360.0;
        ui.horizontal(|ui| {
            ui.add_space(((ui.available_width() - form_width) / 2.0).max(0.0));
            login_grid(app, ui);
        });
        ui.add_space(12.0);
        if ui.button(app.t("login-submit")).clicked() {
            attempt(app);
        }
        app.notices.show_here(ui, Place::Login);
        // The demo accounts exist only in a demo database; naming them on a
        // county's real log-in screen would invite guessing.
        if app.is_demo {
            ui.add_space(24.0);
            ui.weak(app.t("login-demo_hint"));
        }
        ui.add_space(24.0);
        ui.weak(crate::t!(
            app.lang,
            "login-database",
            path = app.db_path.display().to_string()
        ));
        language_picker(app, ui);
        let waiting = app.login.open_dialog.is_some();
        if ui
            .add_enabled(!waiting, egui::Button::new(app.t("login-open_other")))
            .clicked()
        {
            let request = crate::platform::DialogRequest::new(
                crate::platform::DialogKind::OpenFile,
                app.t("login-open_dialog_title"),
            )
            .filter(app.t("login-database_files"), &["db", "sqlite"]);
            app.login.open_dialog = Some(super::ask_dialog(app.platform.dialogs.clone(), request));
        }
    });
}

/// Every embedded locale, each named in itself; the choice carries over to
/// a user who never chose one (设置 saves it per user).
fn language_picker(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.add_space(((ui.available_width() - 360.0) / 2.0).max(0.0));
        ui.label(app.t("login-language"));
        for lang in crate::i18n::Lang::all() {
            ui.selectable_value(&mut app.lang, lang, lang.name());
        }
    });
}

fn login_grid(app: &mut HutongApp, ui: &mut egui::Ui) {
    egui::Grid::new("login")
        .num_columns(2)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            let l = ui.label(app.t("login-username"));
            ui.text_edit_singleline(&mut app.login.username)
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("login-password"));
            let pw = ui
                .add(egui::TextEdit::singleline(&mut app.login.password).password(true))
                .labelled_by(l.id);
            ui.end_row();
            if pw.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                attempt(app);
            }
        });
}

fn attempt(app: &mut HutongApp) {
    // The password opens the database (its key slot) and the services
    // check the account, count failures toward the lock and audit the
    // attempt either way.
    let result =
        hutong_services::open_and_login(&app.db_path, &app.login.username, &app.login.password);
    // The typed password is not kept a moment longer than the check.
    zeroize::Zeroize::zeroize(&mut app.login.password);
    match result {
        Ok(opened) => {
            if let Some(m) = opened.migrated {
                app.recovery_notice = Some((m.recovery_code, m.accounts_without_slot));
            }
            app.unlocked(opened.store, opened.session);
            app.login = LoginState::default();
            app.notices.clear(Place::Login);
            app.last_activity = std::time::Instant::now();
            app.list.dirty = true;
            app.home.fresh = false;
        }
        Err(e) => app.notices.error(Place::Login, e.to_string()),
    }
}

/// The one-time recovery code after an old database was encrypted.
pub(crate) fn recovery_notice(app: &mut HutongApp, ctx: &egui::Context) {
    let Some((code, needing_reset)) = &app.recovery_notice else {
        return;
    };
    let mut close = false;
    egui::Window::new(app.t("login-encrypted_title"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(app.t("login-encrypted_body"));
            ui.label(app.t("login-recovery_code"));
            ui.add(
                egui::Label::new(egui::RichText::new(code.as_str()).monospace().size(20.0))
                    .selectable(true),
            );
            if !needing_reset.is_empty() {
                ui.label(crate::t!(
                    app.lang,
                    "login-needing_reset",
                    names = needing_reset.join(&app.t("list-separator"))
                ));
            }
            close = ui.button(app.t("login-recovery_noted")).clicked();
        });
    if close {
        app.recovery_notice = None;
    }
}
