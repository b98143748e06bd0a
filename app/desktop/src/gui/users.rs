//! 用户与权限 (administrators) and 修改密码 (everyone). Every action goes
//! through `hutong_services::accounts`, which checks the permission and
//! audits; this screen only offers what the session may do.

use super::HutongApp;
use super::notices::Place;
use eframe::egui;
use hutong_core::divisions::Division;
use hutong_core::users::{Role, User};
use hutong_services::accounts::{self, AccountRequest};
use hutong_services::{Action, permissions};
use zeroize::Zeroize;

#[derive(Default)]
pub struct UsersState {
    /// Accounts as last loaded, with their division's name; `None` until
    /// the screen is opened.
    users: Option<Vec<(User, String)>>,
    new: NewAccount,
    /// Divisions offered for the new account's role, loaded when it changes.
    choices: Option<(Role, Vec<Division>)>,
    workers: Vec<hutong_core::workforce::Worker>,
    /// The row whose password is being reset, and the typed new password.
    resetting: Option<(String, String)>,
    /// The row whose role is being changed: user, role, scope code.
    changing: Option<(String, Role, String)>,
    idle_minutes: Option<u32>,
}

struct NewAccount {
    username: String,
    name: String,
    role: Role,
    scope: String,
    phone: String,
    password: String,
    worker: Option<hutong_core::RowId>,
}

impl Default for NewAccount {
    fn default() -> Self {
        NewAccount {
            username: String::new(),
            name: String::new(),
            role: Role::Caseworker,
            scope: String::new(),
            phone: String::new(),
            password: String::new(),
            worker: None,
        }
    }
}

fn role_label(app: &HutongApp, role: Role) -> &'static str {
    // Role names come from core in Chinese and English; other locales
    // fall back to Chinese, as their files do.
    if app.lang == crate::i18n::Lang::EN {
        role.label_en()
    } else {
        role.label_zh()
    }
}

fn reload(app: &mut HutongApp) {
    let Some(session) = app.session.clone() else {
        return;
    };
    match accounts::list_with_scope_names(&mut app.store, &session) {
        Ok(list) => app.users_screen.users = Some(list),
        Err(e) => {
            let outcome = (false, e.to_string());
            tell(app, outcome);
        }
    }
    if let Ok(workers) = accounts::linkable_workers(&mut app.store, &session) {
        app.users_screen.workers = workers;
    }
    app.users_screen.idle_minutes = accounts::idle_lock_minutes(&app.store).ok();
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.heading(app.t("users-title"));
    if !app.can(Action::ManageUsers) {
        // Reached only through a stale screen: refuse through the services
        // so the attempt is audited and the message names the role.
        if app.notices.get(Place::Users).is_none()
            && let Err(refusal) = app.require(Action::ManageUsers)
        {
            app.notices.error(Place::Users, refusal);
        }
        app.notices.show_here(ui, Place::Users);
        return;
    }
    if app.users_screen.users.is_none() {
        reload(app);
    }
    app.notices.show_here(ui, Place::Users);
    egui::ScrollArea::vertical().show(ui, |ui| {
        account_table(app, ui);
        ui.separator();
        new_account_form(app, ui);
        ui.separator();
        idle_lock_setting(app, ui);
        ui.separator();
        permission_table(app, ui);
    });
}

fn account_table(app: &mut HutongApp, ui: &mut egui::Ui) {
    let users = app.users_screen.users.clone().unwrap_or_default();
    // (user name, enable?) of a row's 停用/启用, applied after the table.
    let mut toggle_to: Option<(String, bool)> = None;
    egui::Grid::new("users-table")
        .striped(true)
        .num_columns(6)
        .show(ui, |ui| {
            for key in [
                "users-username",
                "users-name",
                "users-role",
                "users-scope",
                "users-state",
            ] {
                ui.strong(app.t(key));
            }
            ui.label("");
            ui.end_row();
            for (u, scope_name) in &users {
                ui.label(&u.username);
                ui.label(&u.display_name);
                ui.label(role_label(app, u.role));
                ui.label(crate::t!(
                    app.lang,
                    "users2-name_and_code",
                    name = scope_name.as_str(),
                    code = u.scope.code()
                ));
                let mut state = app.t(if u.active {
                    "users-active"
                } else {
                    "users-disabled"
                });
                if u.must_change_password {
                    state = crate::t!(
                        app.lang,
                        "users2-state_and_note",
                        state = state,
                        note = app.t("users-must_change")
                    );
                }
                ui.label(state);
                ui.horizontal(|ui| {
                    let name = u.username.clone();
                    let toggle = if u.active {
                        "users-disable"
                    } else {
                        "users-enable"
                    };
                    if ui.button(app.t(toggle)).clicked() {
                        toggle_to = Some((name, !u.active));
                    }
                    if ui.button(app.t("users-reset")).clicked() {
                        app.users_screen.resetting = Some((u.username.clone(), String::new()));
                    }
                    if ui.button(app.t("users-set_role")).clicked() {
                        app.users_screen.changing =
                            Some((u.username.clone(), u.role, u.scope.code().to_string()));
                    }
                });
                ui.end_row();
            }
        });
    if let Some((name, active)) = toggle_to {
        set_active(app, &name, active);
    }
    reset_row(app, ui);
    role_row(app, ui);
}

fn set_active(app: &mut HutongApp, username: &str, active: bool) {
    let Some(session) = app.session.clone() else {
        return;
    };
    {
        let outcome = match accounts::set_active(&mut app.store, &session, username, active) {
            Ok(u) => (
                true,
                crate::t!(
                    app.lang,
                    "users2-done_for",
                    user = u.username.as_str(),
                    what = app.t(if active {
                        "users-active"
                    } else {
                        "users-disabled"
                    })
                ),
            ),
            Err(e) => (false, e.to_string()),
        };
        tell(app, outcome);
    };
    reload(app);
}

fn reset_row(app: &mut HutongApp, ui: &mut egui::Ui) {
    let Some((name, mut password)) = app.users_screen.resetting.take() else {
        return;
    };
    let mut keep = true;
    ui.horizontal(|ui| {
        ui.label(format!("{} · {}", name, app.t("users-reset")));
        let l = ui.label(app.t("users-new_password"));
        ui.add(egui::TextEdit::singleline(&mut password).password(true))
            .labelled_by(l.id);
        if ui.button(app.t("users-apply")).clicked() {
            keep = false;
            if let Some(session) = app.session.clone() {
                {
                    let outcome = match accounts::reset_password(
                        &mut app.store,
                        &session,
                        &name,
                        &password,
                    ) {
                        Ok(u) => (
                            true,
                            crate::t!(
                                app.lang,
                                "users2-done_for",
                                user = u.username.as_str(),
                                what = app.t("users-must_change")
                            ),
                        ),
                        Err(e) => (false, e.to_string()),
                    };
                    tell(app, outcome);
                };
            }
            reload(app);
        }
        if ui.button(app.t("common-cancel")).clicked() {
            keep = false;
        }
    });
    if keep {
        app.users_screen.resetting = Some((name, password));
    } else {
        password.zeroize();
    }
}

fn role_row(app: &mut HutongApp, ui: &mut egui::Ui) {
    let Some((name, mut role, mut scope)) = app.users_screen.changing.take() else {
        return;
    };
    let mut keep = true;
    ui.horizontal(|ui| {
        ui.label(format!("{} · {}", name, app.t("users-set_role")));
        let l = ui.label(app.t("users-role"));
        role_combo(app, ui, "change-role", &mut role).labelled_by(l.id);
        let l = ui.label(app.t("users-scope"));
        scope_combo(app, ui, "change-scope", role, &mut scope).labelled_by(l.id);
        if ui.button(app.t("users-apply")).clicked() {
            keep = false;
            if let Some(session) = app.session.clone() {
                {
                    let outcome =
                        match accounts::set_role(&mut app.store, &session, &name, role, &scope) {
                            Ok(u) => (
                                true,
                                crate::t!(
                                    app.lang,
                                    "users2-done_for",
                                    user = u.username.as_str(),
                                    what = role_label(app, u.role)
                                ),
                            ),
                            Err(e) => (false, e.to_string()),
                        };
                    tell(app, outcome);
                };
            }
            reload(app);
        }
        if ui.button(app.t("common-cancel")).clicked() {
            keep = false;
        }
    });
    if keep {
        app.users_screen.changing = Some((name, role, scope));
    }
}

fn role_combo(app: &HutongApp, ui: &mut egui::Ui, id: &str, role: &mut Role) -> egui::Response {
    egui::ComboBox::from_id_salt(id)
        .selected_text(role_label(app, *role))
        .show_ui(ui, |ui| {
            for r in Role::ALL {
                ui.selectable_value(role, r, role_label(app, r));
            }
        })
        .response
}

/// The divisions a role may be scoped to; keeps `scope` among them.
fn scope_combo(
    app: &mut HutongApp,
    ui: &mut egui::Ui,
    id: &str,
    role: Role,
    scope: &mut String,
) -> egui::Response {
    let stale = app
        .users_screen
        .choices
        .as_ref()
        .is_none_or(|(r, _)| *r != role);
    if stale && let Some(session) = app.session.clone() {
        let list = accounts::scope_choices(&mut app.store, &session, role).unwrap_or_default();
        app.users_screen.choices = Some((role, list));
    }
    let lang = app.lang;
    let choices = app
        .users_screen
        .choices
        .as_ref()
        .map(|(_, c)| c.clone())
        .unwrap_or_default();
    if !choices.iter().any(|d| d.code == *scope)
        && let Some(first) = choices.first()
    {
        *scope = first.code.clone();
    }
    let shown = choices
        .iter()
        .find(|d| d.code == *scope)
        .map(|d| {
            crate::t!(
                lang,
                "users2-name_and_code",
                name = d.name.as_str(),
                code = d.code.as_str()
            )
        })
        .unwrap_or_default();
    egui::ComboBox::from_id_salt(id)
        .selected_text(shown)
        .width(260.0)
        .show_ui(ui, |ui| {
            for d in &choices {
                let text = crate::t!(
                    lang,
                    "users2-name_and_code",
                    name = d.name.as_str(),
                    code = d.code.as_str()
                );
                ui.selectable_value(scope, d.code.clone(), text);
            }
        })
        .response
}

fn new_account_form(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.strong(app.t("users-new"));
    let mut new = std::mem::take(&mut app.users_screen.new);
    let mut create = false;
    egui::Grid::new("new-account")
        .num_columns(2)
        .show(ui, |ui| {
            let l = ui.label(app.t("users-username"));
            ui.text_edit_singleline(&mut new.username).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("users-name"));
            ui.text_edit_singleline(&mut new.name).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("users-role"));
            role_combo(app, ui, "new-role", &mut new.role).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("users-scope"));
            scope_combo(app, ui, "new-scope", new.role, &mut new.scope).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("users-worker"));
            let matching: Vec<_> = app
                .users_screen
                .workers
                .iter()
                .filter(|w| w.division_code == new.scope)
                .cloned()
                .collect();
            if new
                .worker
                .is_some_and(|id| !matching.iter().any(|w| w.id == id))
            {
                new.worker = None;
            }
            let shown = matching
                .iter()
                .find(|w| Some(w.id) == new.worker)
                .map(|w| w.name.clone())
                .unwrap_or_else(|| app.t("users-no_worker"));
            egui::ComboBox::from_id_salt("new-worker")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut new.worker, None, app.t("users-no_worker"));
                    for w in &matching {
                        ui.selectable_value(&mut new.worker, Some(w.id), &w.name);
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("users-phone"));
            ui.text_edit_singleline(&mut new.phone).labelled_by(l.id);
            ui.end_row();
            let l = ui.label(app.t("users-initial_password"));
            ui.horizontal(|ui| {
                ui.add(egui::TextEdit::singleline(&mut new.password).password(true))
                    .labelled_by(l.id);
                ui.weak(app.t("users-initial_hint"));
            });
            ui.end_row();
        });
    if ui.button(app.t("users-create")).clicked() {
        create = true;
    }
    if create && let Some(session) = app.session.clone() {
        let request = AccountRequest {
            username: new.username.clone(),
            display_name: new.name.clone(),
            role: new.role,
            scope_code: new.scope.clone(),
            phone: Some(new.phone.trim().to_string()).filter(|p| !p.is_empty()),
            initial_password: new.password.clone(),
            worker_id: new.worker,
        };
        match accounts::create(&mut app.store, &session, &request) {
            Ok(u) => {
                {
                    let outcome = (
                        true,
                        crate::t!(app.lang, "users2-created", user = u.username.as_str()),
                    );
                    tell(app, outcome);
                };
                new.password.zeroize();
                new = NewAccount::default();
                reload(app);
            }
            Err(e) => {
                let outcome = (false, e.to_string());
                tell(app, outcome);
            }
        }
    }
    app.users_screen.new = new;
}

fn idle_lock_setting(app: &mut HutongApp, ui: &mut egui::Ui) {
    let Some(mut minutes) = app.users_screen.idle_minutes else {
        return;
    };
    ui.horizontal(|ui| {
        let l = ui.label(app.t("users-idle_lock"));
        ui.add(egui::DragValue::new(&mut minutes).range(hutong_core::users::IDLE_LOCK_RANGE))
            .labelled_by(l.id);
        if ui.button(app.t("common-save")).clicked()
            && let Some(session) = app.session.clone()
        {
            {
                let outcome =
                    match accounts::set_idle_lock_minutes(&mut app.store, &session, minutes) {
                        Ok(()) => {
                            app.idle_lock_minutes = minutes;
                            (true, app.t("users-saved"))
                        }
                        Err(e) => (false, e.to_string()),
                    };
                tell(app, outcome);
            };
        }
    });
    app.users_screen.idle_minutes = Some(minutes);
}

/// The permission table itself, so an administrator sees what a role means.
fn permission_table(app: &HutongApp, ui: &mut egui::Ui) {
    ui.collapsing(app.t("users-permissions"), |ui| {
        egui::Grid::new("permission-table")
            .striped(true)
            .show(ui, |ui| {
                ui.label("");
                for r in Role::ALL {
                    ui.strong(role_label(app, r));
                }
                ui.end_row();
                for a in Action::ALL {
                    ui.label(if app.lang == crate::i18n::Lang::EN {
                        a.label_en()
                    } else {
                        a.label_zh()
                    });
                    for r in Role::ALL {
                        ui.label(if permissions::permits(r, a) {
                            "✓"
                        } else {
                            ""
                        });
                    }
                    ui.end_row();
                }
            });
    });
}

#[derive(Default)]
pub struct PasswordForm {
    old: String,
    new: String,
    again: String,
}

impl Drop for PasswordForm {
    fn drop(&mut self) {
        self.old.zeroize();
        self.new.zeroize();
        self.again.zeroize();
    }
}

/// 修改密码: the whole screen after an administrator's reset, and a
/// section of 设置 otherwise.
pub fn password_form(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut form = std::mem::take(&mut app.password_form);
    egui::Grid::new("change-password")
        .num_columns(2)
        .show(ui, |ui| {
            for (key, field) in [
                ("pw-old", &mut form.old),
                ("pw-new", &mut form.new),
                ("pw-again", &mut form.again),
            ] {
                let l = ui.label(app.t(key));
                ui.add(egui::TextEdit::singleline(field).password(true))
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    if ui.button(app.t("pw-submit")).clicked() {
        let outcome = if form.new != form.again {
            (false, app.t("pw-mismatch"))
        } else if let Some(session) = app.session.clone() {
            match accounts::change_own_password(&mut app.store, &session, &form.old, &form.new) {
                Ok(refreshed) => {
                    app.session = Some(refreshed);
                    form.old.zeroize();
                    form.new.zeroize();
                    form.again.zeroize();
                    (true, app.t("pw-changed"))
                }
                Err(e) => (false, e.to_string()),
            }
        } else {
            (false, app.t("login-required"))
        };
        match outcome {
            (true, text) => app.notices.success(Place::Password, text),
            (false, text) => app.notices.error(Place::Password, text),
        }
    }
    app.notices.show_here(ui, Place::Password);
    app.password_form = form;
}

pub fn change_password_screen(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.vertical_centered(|ui| {
        ui.add_space(80.0);
        ui.heading(app.t("pw-title"));
        ui.add_space(12.0);
        ui.label(app.t("pw-reset_notice"));
        ui.add_space(12.0);
    });
    password_form(app, ui);
    ui.add_space(12.0);
    if ui.button(app.t("nav-logout")).clicked() {
        app.log_out();
    }
}

/// An account action's outcome, shown on 用户与权限.
fn tell(app: &mut HutongApp, (ok, text): (bool, String)) {
    if ok {
        app.notices.success(Place::Users, text);
    } else {
        app.notices.error(Place::Users, text);
    }
}
