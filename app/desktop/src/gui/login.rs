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
    // The file is opened (and its password checked) at log-in; here only
    // that it is one of ours: an encrypted database with its key file, or
    // an old plaintext one the administrator's log-in will encrypt.
    if !path.is_file()
        || !(hutong_core::KeyRing::exists(&path) || hutong_core::store::is_plaintext(&path))
    {
        app.login.error = Some(format!(
            "无法打开 {}：不是护童数据库，或缺少同名的 .keys 密钥文件",
            path.display()
        ));
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
            ui.colored_label(crate::gui::theme::ERROR, err);
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
            app.last_activity = std::time::Instant::now();
            app.list.dirty = true;
            app.home.fresh = false;
        }
        Err(e) => app.login.error = Some(e.to_string()),
    }
}

/// The one-time recovery code after an old database was encrypted.
pub(crate) fn recovery_notice(app: &mut HutongApp, ctx: &egui::Context) {
    let Some((code, needing_reset)) = &app.recovery_notice else {
        return;
    };
    let mut close = false;
    egui::Window::new("数据库已加密")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label("此数据库由旧版本创建，未加密；本次登录已将其加密，原明文文件已被替换。");
            ui.label("县级恢复码（只显示这一次，请抄写或打印后锁好）：");
            ui.add(
                egui::Label::new(egui::RichText::new(code.as_str()).monospace().size(20.0))
                    .selectable(true),
            );
            if !needing_reset.is_empty() {
                ui.label(format!(
                    "以下账户需由管理员在“用户与权限”中重设密码后才能登录：{}",
                    needing_reset.join("、")
                ));
            }
            close = ui.button("我已记下恢复码").clicked();
        });
    if close {
        app.recovery_notice = None;
    }
}
