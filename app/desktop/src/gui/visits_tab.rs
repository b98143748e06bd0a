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
use super::child_file::date_text;
use super::date_picker::date_picker;
use super::notices::Place;
use super::widgets;
use crate::i18n::Lang;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::national::NaiveDate;
use hutong_core::schedule::{DueBasis, DueStatus, Escalation, ScheduleEntry};
use hutong_core::visits::{Visit, VisitInput, VisitMode};

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
            Ok(None) => (None, Some(app.t("visit-file_closed"))),
            Err(e) => (None, Some(e)),
        },
        None => (None, Some(app.t("visit-no_plugin"))),
    };
    let Some(file) = &mut app.file else { return };
    let tab = &mut file.visits;
    tab.child = Some(child);
    tab.visits = visits;
    tab.next = next;
    tab.next_note = note;
}

/// Checks what the core cannot see (an empty date picker) and builds the input.
fn input_of(lang: Lang, child: RowId, f: &VisitForm) -> Result<VisitInput, String> {
    let Some(date) = f.date else {
        return Err(crate::t!(lang, "visit-err_no_date"));
    };
    let next = if f.override_next {
        match f.next_on {
            Some(d) => Some(d),
            None => return Err(crate::t!(lang, "visit-err_no_next_date")),
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
    app.notices.success(Place::FileVisits, message);
    // Plugins' rules read the visits too.
    app.push(super::commands::Command::ChildChanged(child));
}

fn save(app: &mut HutongApp, child: RowId) {
    let Some(form) = app.file.as_ref().and_then(|f| f.visits.form.clone()) else {
        return;
    };
    let lang = app.lang;
    let result = input_of(lang, child, &form).and_then(|input| {
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
                crate::t!(
                    lang,
                    "visit-recorded",
                    date = date_text(lang, v.visit_date),
                    mode = mode_label(lang, v.mode)
                ),
            );
        }
        Err(e) => app.notices.error(Place::FileVisits, e),
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
                crate::t!(
                    app.lang,
                    "visit-voided",
                    date = date_text(app.lang, v.visit_date)
                ),
            );
        }
        Err(e) => app.notices.error(Place::FileVisits, e),
    }
}

/// A visit mode's name (core names it only in Chinese).
fn mode_label(lang: Lang, m: VisitMode) -> String {
    let key = match m {
        VisitMode::Home => "visit-mode-home",
        VisitMode::Phone => "visit-mode-phone",
        VisitMode::School => "visit-mode-school",
    };
    crate::t!(lang, key)
}

/// Where the next date's cadence came from (core words it only in Chinese).
fn basis_label(lang: Lang, b: &DueBasis) -> String {
    match b {
        DueBasis::PolicyLevel { level, days } => crate::t!(
            lang,
            "visit-basis-level",
            level = level.as_str(),
            days = *days
        ),
        DueBasis::AssessmentDays { days } => {
            crate::t!(lang, "visit-basis-assessment", days = *days)
        }
        DueBasis::PolicyDefault { days } => crate::t!(lang, "visit-basis-default", days = *days),
        DueBasis::Override { reason } => {
            crate::t!(lang, "visit-basis-override", reason = reason.as_str())
        }
    }
}

fn next_visit(ui: &mut egui::Ui, lang: Lang, tab: &VisitsTab, township: &str, county: &str) {
    let Some(e) = &tab.next else {
        if let Some(n) = &tab.next_note {
            ui.colored_label(crate::gui::theme::ERROR, n);
        }
        return;
    };
    ui.horizontal(|ui| {
        ui.strong(crate::t!(lang, "visit-next"));
        ui.label(date_text(lang, e.due_on));
        match e.status {
            DueStatus::Overdue => {
                ui.colored_label(
                    crate::gui::theme::ERROR,
                    crate::t!(lang, "visit-overdue_days", n = e.days_overdue),
                );
            }
            DueStatus::DueThisWeek => {
                ui.colored_label(
                    crate::gui::theme::WARNING,
                    crate::t!(lang, "visit-filter_week"),
                );
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
        widgets::swatch(ui, e.colour, &widgets::colour_label(lang, e.colour));
        ui.weak(crate::t!(
            lang,
            "visit-basis",
            basis = basis_label(lang, &e.basis)
        ));
    });
}

/// Draws the form; `action` becomes Some(true) to save, Some(false) to give up.
fn form_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    f: &mut VisitForm,
    today: NaiveDate,
    action: &mut Option<bool>,
) {
    let t = |k: &str| crate::t!(lang, k);
    egui::Grid::new("visit-form")
        .num_columns(2)
        .spacing([12.0, 8.0])
        .show(ui, |ui| {
            ui.label(t("visit-f-date"));
            date_picker(ui, "visit-date", &mut f.date, today);
            ui.end_row();
            ui.label(t("visit-f-mode"));
            ui.horizontal(|ui| {
                for m in VisitMode::ALL {
                    ui.radio_value(&mut f.mode, m, mode_label(lang, m));
                }
            });
            ui.end_row();
            let l = ui.label(t("visit-f-visitor"));
            ui.add(egui::TextEdit::singleline(&mut f.visitor).desired_width(320.0))
                .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(t("visit-f-findings"));
            ui.add(
                egui::TextEdit::multiline(&mut f.findings)
                    .desired_rows(3)
                    .desired_width(520.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(t("visit-f-follow_up"));
            ui.add(
                egui::TextEdit::multiline(&mut f.follow_up)
                    .desired_rows(2)
                    .desired_width(520.0),
            )
            .labelled_by(l.id);
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut f.override_next, t("visit-f-override"));
            ui.end_row();
            if f.override_next {
                ui.label(t("visit-f-next"));
                date_picker(ui, "visit-next", &mut f.next_on, today);
                ui.end_row();
                let l = ui.label(t("visit-f-reason"));
                ui.add(egui::TextEdit::singleline(&mut f.reason).desired_width(520.0))
                    .labelled_by(l.id);
                ui.end_row();
            }
        });
    ui.horizontal(|ui| {
        if ui.button(t("visit-save")).clicked() {
            *action = Some(true);
        }
        if ui.button(t("visit-discard")).clicked() {
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
    let lang = app.lang;
    let t = |k: &str| crate::t!(lang, k);
    let township = app.t("visit-escalated_township");
    let county = app.t("visit-escalated_county");
    let mut do_save = false;
    let mut do_void: Option<RowId> = None;
    let Some(file) = &mut app.file else { return };
    let notices = &mut app.notices;
    let tab = &mut file.visits;
    next_visit(ui, lang, tab, &township, &county);
    ui.separator();
    match &mut tab.form {
        None => {
            notices.show_here(ui, Place::FileVisits);
            if ui.button(t("visit-record")).clicked() {
                tab.form = Some(VisitForm::new(visitor, today));
                notices.clear(Place::FileVisits);
            }
        }
        Some(f) => {
            ui.strong(t("visit-record"));
            let mut action = None;
            form_ui(ui, lang, f, today, &mut action);
            // Refusals show under the button that was pressed.
            notices.show_here(ui, Place::FileVisits);
            match action {
                Some(true) => do_save = true,
                Some(false) => {
                    tab.form = None;
                    notices.clear(Place::FileVisits);
                }
                None => {}
            }
        }
    }
    ui.separator();
    ui.strong(crate::t!(lang, "visit-log", n = tab.visits.len()));
    if tab.visits.is_empty() {
        ui.weak(t("visit-none"));
    }
    for v in &tab.visits {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let head = crate::t!(
                    lang,
                    "visit-head",
                    date = date_text(lang, v.visit_date),
                    mode = mode_label(lang, v.mode),
                    visitor = v.visitor.as_str()
                );
                if v.active {
                    ui.strong(head);
                } else {
                    ui.weak(egui::RichText::new(head).strikethrough());
                    ui.colored_label(
                        crate::gui::theme::ERROR,
                        crate::t!(
                            lang,
                            "visit-void_shown",
                            reason = v.void_reason.as_deref().unwrap_or("")
                        ),
                    );
                }
                if v.active
                    && tab.void_for != Some(v.id)
                    && ui.small_button(t("visit-void")).clicked()
                {
                    tab.void_for = Some(v.id);
                    tab.void_reason.clear();
                }
            });
            ui.label(crate::t!(
                lang,
                "visit-findings_shown",
                text = v.findings.as_str()
            ));
            if let Some(f) = &v.follow_up {
                ui.label(crate::t!(lang, "visit-follow_up_shown", text = f.as_str()));
            }
            if let Some(d) = v.next_due_override {
                ui.label(crate::t!(
                    lang,
                    "visit-override_shown",
                    date = date_text(lang, d),
                    reason = v.override_reason.as_deref().unwrap_or("")
                ));
            }
            if tab.void_for == Some(v.id) {
                ui.horizontal(|ui| {
                    let l = ui.label(t("visit-void_reason"));
                    ui.add(egui::TextEdit::singleline(&mut tab.void_reason).desired_width(360.0))
                        .labelled_by(l.id);
                    if ui.button(t("visit-void_confirm")).clicked() {
                        do_void = Some(v.id);
                    }
                    if ui.button(t("visit-void_cancel")).clicked() {
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
