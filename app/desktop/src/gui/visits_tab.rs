//! The child's 走访 tab: the next visit (due date, why, escalation), a form
//! to record a visit (date, mode 入户/电话/学校, visitor, findings,
//! follow-up, an optional next-visit date with its mandatory reason), and
//! the visit log, where a visit recorded in error is voided with a reason
//! (never deleted). Every write is one audited transaction in the core.
//!
//! The province plugin contract (`hutong:province@1.0.0`) has no way to
//! mark a form as the visit form, and no shipped plugin defines one, so the
//! form here is the core's.

use super::HutongApp;
use super::date_picker::date_picker;
use super::widgets;
use eframe::egui;
use hutong_core::national::{NaiveDate, dates};
use hutong_core::schedule::{DueStatus, Escalation, ScheduleEntry};
use hutong_core::visits::{Visit, VisitInput, VisitMode};
use hutong_core::{CoreError, RowId};

/// What the user is typing.
#[derive(Clone, PartialEq)]
struct VisitForm {
    date: Option<NaiveDate>,
    mode: VisitMode,
    visitor: String,
    findings: String,
    follow_up: String,
    override_next: bool,
    next_on: Option<NaiveDate>,
    reason: String,
}

impl VisitForm {
    fn new(visitor: String, today: NaiveDate) -> Self {
        VisitForm {
            date: Some(today),
            mode: VisitMode::Home,
            visitor,
            findings: String::new(),
            follow_up: String::new(),
            override_next: false,
            next_on: None,
            reason: String::new(),
        }
    }
}

/// The tab's state, kept with the open file (a new file starts afresh).
#[derive(Default)]
pub struct VisitsTab {
    child: Option<RowId>,
    visits: Vec<Visit>,
    next: Option<ScheduleEntry>,
    /// Why there is no next date (no province plugin, closed file).
    next_note: Option<String>,
    form: Option<VisitForm>,
    void_for: Option<RowId>,
    void_reason: String,
    message: Option<(bool, String)>,
}

/// Loads the child's visits and next due date (one child: a few queries).
fn load(app: &mut HutongApp, child: RowId) {
    let policy = widgets::province_manifest(app).map(|(_, m)| m.visit_policy);
    let today = chrono::Local::now().date_naive();
    let visits = app
        .call(|store, session| hutong_services::visits::for_child(store, session, child))
        .unwrap_or_default();
    let (next, note) = match &policy {
        Some(p) => match app.call(|store, session| {
            hutong_services::visits::next_due(store, session, p, today, child)
        }) {
            Ok(Some(e)) => (Some(e), None),
            Ok(None) => (None, Some("档案已结案，不再安排走访".to_string())),
            Err(e) => (None, Some(e)),
        },
        None => (None, Some(app.t("visit.no_plugin"))),
    };
    let Some(file) = &mut app.file else { return };
    let tab = &mut file.visits;
    tab.child = Some(child);
    tab.visits = visits;
    tab.next = next;
    tab.next_note = note;
}

/// Checks what the core cannot see (an empty date picker) and builds the input.
fn input_of(child: RowId, f: &VisitForm) -> Result<VisitInput, CoreError> {
    let Some(date) = f.date else {
        return Err(CoreError::field("走访日期", "请选择日期"));
    };
    let next = if f.override_next {
        match f.next_on {
            Some(d) => Some(d),
            None => return Err(CoreError::field("下次走访日期", "请选择日期")),
        }
    } else {
        None
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(VisitInput {
        child_id: child,
        visit_date: date,
        mode: f.mode,
        visitor: f.visitor.clone(),
        findings: f.findings.clone(),
        follow_up: opt(&f.follow_up),
        next_due_override: next,
        override_reason: if f.override_next {
            opt(&f.reason)
        } else {
            None
        },
    })
}

fn after_write(app: &mut HutongApp, child: RowId, message: String) {
    load(app, child);
    if let Some(f) = &mut app.file {
        f.visits.message = Some((true, message));
    }
    // Plugins' rules read the visits too.
    app.push(super::commands::Command::ChildChanged(child));
}

fn save(app: &mut HutongApp, child: RowId) {
    let Some(form) = app.file.as_ref().and_then(|f| f.visits.form.clone()) else {
        return;
    };
    let result = input_of(child, &form)
        .map_err(|e| e.to_string())
        .and_then(|input| {
            app.call(|store, session| hutong_services::visits::add(store, session, &input))
        });
    match result {
        Ok(v) => {
            if let Some(f) = &mut app.file {
                f.visits.form = None;
            }
            after_write(
                app,
                child,
                format!(
                    "已记录 {} 的{}走访",
                    dates::format_zh(v.visit_date),
                    v.mode.label_zh()
                ),
            );
        }
        Err(e) => {
            if let Some(f) = &mut app.file {
                f.visits.message = Some((false, e.to_string()));
            }
        }
    }
}

fn void(app: &mut HutongApp, child: RowId, visit: RowId) {
    let Some(reason) = app.file.as_ref().map(|f| f.visits.void_reason.clone()) else {
        return;
    };
    match app.call(|store, session| hutong_services::visits::void(store, session, visit, &reason)) {
        Ok(v) => {
            if let Some(f) = &mut app.file {
                f.visits.void_for = None;
                f.visits.void_reason.clear();
            }
            after_write(
                app,
                child,
                format!("已作废 {} 的走访记录", dates::format_zh(v.visit_date)),
            );
        }
        Err(e) => {
            if let Some(f) = &mut app.file {
                f.visits.message = Some((false, e.to_string()));
            }
        }
    }
}

fn next_visit(ui: &mut egui::Ui, tab: &VisitsTab, township: &str, county: &str) {
    let Some(e) = &tab.next else {
        if let Some(n) = &tab.next_note {
            ui.colored_label(crate::gui::theme::ERROR, n);
        }
        return;
    };
    ui.horizontal(|ui| {
        ui.strong("下次走访：");
        ui.label(dates::format_zh(e.due_on));
        match e.status {
            DueStatus::Overdue => {
                ui.colored_label(
                    crate::gui::theme::ERROR,
                    format!("已超期 {} 天", e.days_overdue),
                );
            }
            DueStatus::DueThisWeek => {
                ui.colored_label(crate::gui::theme::WARNING, "本周到期");
            }
            DueStatus::Upcoming => {}
        }
        match e.escalation {
            Escalation::Township => {
                ui.colored_label(crate::gui::theme::WARNING, township);
            }
            Escalation::County => {
                ui.colored_label(crate::gui::theme::ERROR, county);
            }
            Escalation::None => {}
        }
    });
    ui.horizontal(|ui| {
        widgets::swatch(ui, e.colour, widgets::colour_label(e.colour));
        ui.weak(format!("依据：{}", e.basis.label_zh()));
    });
}

/// Draws the form; `action` becomes Some(true) to save, Some(false) to give up.
fn form_ui(ui: &mut egui::Ui, f: &mut VisitForm, today: NaiveDate, action: &mut Option<bool>) {
    egui::Grid::new("visit-form")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            ui.label("走访日期 *");
            date_picker(ui, "visit-date", &mut f.date, today);
            ui.end_row();
            ui.label("走访方式 *");
            ui.horizontal(|ui| {
                for m in VisitMode::ALL {
                    ui.radio_value(&mut f.mode, m, m.label_zh());
                }
            });
            ui.end_row();
            let l = ui.label("走访人 *");
            ui.add(egui::TextEdit::singleline(&mut f.visitor).desired_width(320.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("走访情况 *");
            ui.add(
                egui::TextEdit::multiline(&mut f.findings)
                    .desired_rows(3)
                    .desired_width(520.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label("后续跟进");
            ui.add(
                egui::TextEdit::multiline(&mut f.follow_up)
                    .desired_rows(2)
                    .desired_width(520.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut f.override_next, "调整下次走访日期");
            ui.end_row();
            if f.override_next {
                ui.label("下次走访日期 *");
                date_picker(ui, "visit-next", &mut f.next_on, today);
                ui.end_row();
                let l = ui.label("调整原因 *");
                ui.add(egui::TextEdit::singleline(&mut f.reason).desired_width(520.0))
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        if ui.button("保存走访").clicked() {
            *action = Some(true);
        }
        if ui.button("放弃").clicked() {
            *action = Some(false);
        }
    });
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let Some(child) = app.file.as_ref().map(|f| f.child.id) else {
        return;
    };
    if app.file.as_ref().and_then(|f| f.visits.child) != Some(child) {
        load(app, child);
    }
    let today = chrono::Local::now().date_naive();
    let visitor = app
        .current_user()
        .map(|u| u.display_name.clone())
        .unwrap_or_default();
    let township = app.t("visit.escalated_township");
    let county = app.t("visit.escalated_county");
    let mut do_save = false;
    let mut do_void: Option<RowId> = None;
    let Some(file) = &mut app.file else { return };
    let tab = &mut file.visits;
    next_visit(ui, tab, &township, &county);
    ui.separator();
    match &mut tab.form {
        None => {
            super::status_message(ui, tab.message.as_ref());
            if ui.button("记录走访").clicked() {
                tab.form = Some(VisitForm::new(visitor, today));
                tab.message = None;
            }
        }
        Some(f) => {
            ui.strong("记录走访");
            let mut action = None;
            form_ui(ui, f, today, &mut action);
            // Refusals show under the button that was pressed.
            super::status_message(ui, tab.message.as_ref());
            match action {
                Some(true) => do_save = true,
                Some(false) => {
                    tab.form = None;
                    tab.message = None;
                }
                None => {}
            }
        }
    }
    ui.separator();
    ui.strong(format!("走访记录（{} 条）", tab.visits.len()));
    if tab.visits.is_empty() {
        ui.weak("尚无走访记录");
    }
    for v in &tab.visits {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let head = format!(
                    "{} · {} · {}",
                    dates::format_zh(v.visit_date),
                    v.mode.label_zh(),
                    v.visitor
                );
                if v.active {
                    ui.strong(head);
                } else {
                    ui.weak(egui::RichText::new(head).strikethrough());
                    ui.colored_label(
                        crate::gui::theme::ERROR,
                        format!("已作废：{}", v.void_reason.as_deref().unwrap_or("")),
                    );
                }
                if v.active && tab.void_for != Some(v.id) && ui.small_button("作废").clicked() {
                    tab.void_for = Some(v.id);
                    tab.void_reason.clear();
                }
            });
            ui.label(format!("走访情况：{}", v.findings));
            if let Some(f) = &v.follow_up {
                ui.label(format!("后续跟进：{f}"));
            }
            if let Some(d) = v.next_due_override {
                ui.label(format!(
                    "下次走访日期调整为 {}：{}",
                    dates::format_zh(d),
                    v.override_reason.as_deref().unwrap_or("")
                ));
            }
            if tab.void_for == Some(v.id) {
                ui.horizontal(|ui| {
                    let l = ui.label("作废原因 *");
                    ui.add(egui::TextEdit::singleline(&mut tab.void_reason).desired_width(360.0))
                        .labelled_by(l.id);
                    if ui.button("确认作废").clicked() {
                        do_void = Some(v.id);
                    }
                    if ui.button("取消作废").clicked() {
                        tab.void_for = None;
                    }
                });
            }
        });
    }
    if do_save {
        save(app, child);
    }
    if let Some(v) = do_void {
        void(app, child, v);
    }
}
