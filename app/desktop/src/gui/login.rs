//! The log-in screen.

use super::HutongApp;
use eframe::egui;

#[derive(Default)]
pub struct LoginState {
    pub username: String,
    pub password: String,
    pub error: Option<String>,
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
    match hutong_core::Store::open_existing(&path) {
        Ok(store) => {
            let mut next = HutongApp::new(store, path);
            next.platform = app.platform.clone();
            next.lang = app.lang;
            app.replace_with = Some(Box::new(next));
        }
        Err(e) => app.login.error = Some(format!("无法打开 {}：{e}", path.display())),
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll_open_dialog(app, ui);
    ui.vertical_centered(|ui| {
        ui.add_space(80.0);
        ui.heading(app.t("app.title"));
        ui.add_space(24.0);
        // Centre the two-column form under the title.
        let form_width = 360.0;
        ui.horizontal(|ui| {
            ui.add_space(((ui.available_width() - form_width) / 2.0).max(0.0));
            login_grid(app, ui);
        });
        ui.add_space(12.0);
        if ui.button(app.t("login.submit")).clicked() {
            attempt(app);
        }
        if let Some(err) = &app.login.error {
            ui.colored_label(egui::Color32::from_rgb(200, 30, 30), err);
        }
        // The demo accounts exist only in a demo database; naming them on a
        // county's real log-in screen would invite guessing.
        if app.is_demo {
            ui.add_space(24.0);
            ui.weak(app.t("login.demo_hint"));
        }
        ui.add_space(24.0);
        ui.weak(format!(
            "{}：{}",
            app.t("settings.db"),
            app.db_path.display()
        ));
        let waiting = app.login.open_dialog.is_some();
        if ui
            .add_enabled(!waiting, egui::Button::new("打开其他数据库…"))
            .clicked()
        {
            let request = crate::platform::DialogRequest::new(
                crate::platform::DialogKind::OpenFile,
                "打开县数据库",
            )
            .filter("护童数据库", &["db", "sqlite"]);
            app.login.open_dialog = Some(super::ask_dialog(app.platform.dialogs.clone(), request));
        }
    });
}

fn login_grid(app: &mut HutongApp, ui: &mut egui::Ui) {
    egui::Grid::new("login")
        .num_columns(2)
        .spacing([12.0, 10.0])
        .show(ui, |ui| {
            let l = ui.label(app.t("login.username"));
            ui.text_edit_singleline(&mut app.login.username)
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("login.password"));
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
    // The services check the password, count failures toward the lock and
    // audit the attempt either way.
    let result = hutong_services::login(&mut app.store, &app.login.username, &app.login.password);
    // The typed password is not kept a moment longer than the check.
    zeroize::Zeroize::zeroize(&mut app.login.password);
    match result {
        Ok(session) => {
            app.idle_lock_minutes = hutong_services::accounts::idle_lock_minutes(&app.store)
                .unwrap_or(hutong_core::users::DEFAULT_IDLE_LOCK_MINUTES);
            app.session = Some(session);
            app.login = LoginState::default();
            app.last_activity = std::time::Instant::now();
            app.list.dirty = true;
            app.home.fresh = false;
        }
        Err(e) => app.login.error = Some(e.to_string()),
    }
}
