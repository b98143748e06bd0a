//! The log-in screen.

use super::HutongApp;
use eframe::egui;
use hutong_core::users;

#[derive(Default)]
pub struct LoginState {
    pub username: String,
    pub password: String,
    pub error: Option<String>,
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
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
        ui.add_space(24.0);
        ui.weak(app.t("login.demo_hint"));
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
    match users::authenticate(app.store.conn(), &app.login.username, &app.login.password) {
        Ok(user) => {
            app.user = Some(user);
            app.login = LoginState::default();
            app.list.dirty = true;
            app.home.fresh = false;
        }
        Err(e) => {
            app.login.error = Some(e.to_string());
            app.login.password.clear();
        }
    }
}
