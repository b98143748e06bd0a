//! 心理关爱: counselling sessions and screening results per child (create,
//! edit with history, void), follow-ups with due dates (closed as done or
//! cancelled), and the county's follow-ups due within two weeks.

use super::{
    ChildPick, child_row, form_grid, history_ui, multi_row, opt, parse_date, section, text_row,
};
use crate::gui::notices::Place;
use crate::gui::{HutongApp, serve};
use crate::i18n::Lang;
use crate::t;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::counselling::{
    self as cs, FollowUp, FollowUpStatus, Screening, Session, SessionMode,
};
use hutong_services::records as rec;

/// A counselling mode in the UI language (every variant named).
pub(super) fn session_mode(lang: Lang, mode: SessionMode) -> String {
    let key = match mode {
        SessionMode::Individual => "care-mode-individual",
        SessionMode::Group => "care-mode-group",
        SessionMode::Phone => "care-mode-phone",
        SessionMode::Online => "care-mode-online",
    };
    t!(lang, key)
}

/// A follow-up's status in the UI language (every variant named).
pub(super) fn followup_status(lang: Lang, status: FollowUpStatus) -> String {
    let key = match status {
        FollowUpStatus::Open => "care-followup-open",
        FollowUpStatus::Done => "care-followup-done",
        FollowUpStatus::Cancelled => "care-followup-cancelled",
    };
    t!(lang, key)
}

#[derive(Default)]
pub struct State {
    child: ChildPick,
    loaded_for: Option<RowId>,
    sessions: Vec<Session>,
    screenings: Vec<Screening>,
    followups: Vec<FollowUp>,
    due: Vec<(FollowUp, String)>,
    due_loaded: bool,
    session: SessionForm,
    screening: ScreeningForm,
    followup: FollowForm,
    history: Option<(String, Vec<AuditEntry>)>,
    close_note: String,
    void_reason: String,
}

impl State {
    pub fn pick_child(&mut self, child: ChildPick) {
        self.child = child;
        self.loaded_for = None;
    }
}

struct SessionForm {
    editing: Option<RowId>,
    date: String,
    counsellor: String,
    mode: SessionMode,
    summary: String,
}

impl Default for SessionForm {
    fn default() -> Self {
        SessionForm {
            editing: None,
            date: super::today().to_string(),
            counsellor: String::new(),
            mode: SessionMode::Individual,
            summary: String::new(),
        }
    }
}

struct ScreeningForm {
    editing: Option<RowId>,
    date: String,
    scale: String,
    score: String,
    level: String,
    screener: String,
    note: String,
}

impl Default for ScreeningForm {
    fn default() -> Self {
        ScreeningForm {
            editing: None,
            date: super::today().to_string(),
            scale: "PSC-17".into(),
            score: String::new(),
            level: String::new(),
            screener: String::new(),
            note: String::new(),
        }
    }
}

struct FollowForm {
    due: String,
    action: String,
}

impl Default for FollowForm {
    fn default() -> Self {
        FollowForm {
            due: (super::today() + chrono::Duration::days(14)).to_string(),
            action: String::new(),
        }
    }
}

enum Act {
    SaveSession,
    SaveScreening,
    AddFollowUp,
    Close(RowId, FollowUpStatus),
    Void(RowId),
    EditSession(usize),
    EditScreening(usize),
    History(&'static str, RowId, String),
}

fn load(app: &mut HutongApp) {
    if !app.records.care.due_loaded {
        let by = super::today() + chrono::Duration::days(14);
        let due = app
            .call(|store, s| rec::care::due_followups(store, s, None, by))
            .unwrap_or_default()
            .into_iter()
            .map(|f| {
                let n = super::child_name(app, f.child_id);
                (f, n)
            })
            .collect();
        app.records.care.due = due;
        app.records.care.due_loaded = true;
    }
    let chosen = app.records.care.child.id();
    if chosen != app.records.care.loaded_for {
        app.records.care.loaded_for = chosen;
        if let Some(id) = chosen {
            let care = app
                .call(|store, s| rec::care::for_child(store, s, id))
                .unwrap_or_default();
            let st = &mut app.records.care;
            st.sessions = care.sessions;
            st.screenings = care.screenings;
            st.followups = care.followups;
        }
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    load(app);
    let lang = app.lang;
    let today = super::today();
    let mut act = None;
    {
        let HutongApp {
            store,
            records,
            session,
            notices,
            ..
        } = &mut *app;
        let st = &mut records.care;
        notices.show_here(ui, Place::RecordsCare);
        section(ui, &t!(lang, "care-due", n = st.due.len()), |ui| {
            for (f, name) in &st.due {
                let text = t!(
                    lang,
                    "care-due-line",
                    date = f.due_on.to_string(),
                    name = name.as_str(),
                    action = f.action.as_str()
                );
                if f.is_overdue(today) {
                    ui.colored_label(
                        crate::gui::theme::ERROR,
                        t!(lang, "care-due-overdue", text = text),
                    );
                } else {
                    ui.label(text);
                }
            }
            if st.due.is_empty() {
                ui.weak(t!(lang, "care-due-none"));
            }
        });
        form_grid("care-pick", ui, |ui| {
            child_row(ui, store, session.as_ref(), &mut st.child);
        });
        if st.child.id().is_none() {
            ui.weak(t!(lang, "care-pick-hint"));
            return;
        }
        let voided = |active: bool| {
            if active {
                String::new()
            } else {
                t!(lang, "care-voided-mark")
            }
        };
        section(ui, &t!(lang, "care-sessions"), |ui| {
            for (i, s) in st.sessions.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.label(t!(
                        lang,
                        "care-session-line",
                        date = s.session_date.to_string(),
                        mode = session_mode(lang, s.mode),
                        counsellor = s.counsellor.as_str(),
                        summary = s.summary.as_str(),
                        voided = voided(s.active)
                    ));
                    if s.active && ui.small_button(t!(lang, "care-edit")).clicked() {
                        act = Some(Act::EditSession(i));
                    }
                    if ui.small_button(t!(lang, "care-history")).clicked() {
                        act = Some(Act::History(
                            "counselling_sessions",
                            s.id,
                            t!(
                                lang,
                                "care-session-title",
                                date = s.session_date.to_string()
                            ),
                        ));
                    }
                    if s.active && ui.small_button(t!(lang, "care-void")).clicked() {
                        act = Some(Act::Void(s.id));
                    }
                });
            }
            let f = &mut st.session;
            form_grid("care-session", ui, |ui| {
                text_row(ui, &t!(lang, "care-session-date"), &mut f.date);
                text_row(ui, &t!(lang, "care-counsellor"), &mut f.counsellor);
                let l = ui.label(t!(lang, "care-mode"));
                egui::ComboBox::from_id_salt("care-mode")
                    .selected_text(session_mode(lang, f.mode))
                    .show_ui(ui, |ui| {
                        for m in SessionMode::ALL {
                            ui.selectable_value(&mut f.mode, m, session_mode(lang, m));
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                multi_row(ui, &t!(lang, "care-summary"), &mut f.summary);
            });
            let label = if f.editing.is_some() {
                t!(lang, "care-session-save-edit")
            } else {
                t!(lang, "care-session-add")
            };
            if ui.button(label).clicked() {
                act = Some(Act::SaveSession);
            }
        });
        section(ui, &t!(lang, "care-screenings"), |ui| {
            for (i, s) in st.screenings.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.label(t!(
                        lang,
                        "care-screening-line",
                        date = s.screened_on.to_string(),
                        scale = s.scale.as_str(),
                        score = s.score.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                        level = s.level.as_str(),
                        screener = s.screener.as_str(),
                        voided = voided(s.active)
                    ));
                    if s.active && ui.small_button(t!(lang, "care-edit")).clicked() {
                        act = Some(Act::EditScreening(i));
                    }
                    if ui.small_button(t!(lang, "care-history")).clicked() {
                        act = Some(Act::History(
                            "screenings",
                            s.id,
                            t!(
                                lang,
                                "care-screening-title",
                                date = s.screened_on.to_string()
                            ),
                        ));
                    }
                    if s.active && ui.small_button(t!(lang, "care-void")).clicked() {
                        act = Some(Act::Void(s.id));
                    }
                });
            }
            let f = &mut st.screening;
            form_grid("care-screening", ui, |ui| {
                text_row(ui, &t!(lang, "care-screening-date"), &mut f.date);
                text_row(ui, &t!(lang, "care-scale"), &mut f.scale);
                text_row(ui, &t!(lang, "care-score"), &mut f.score);
                text_row(ui, &t!(lang, "care-level"), &mut f.level);
                text_row(ui, &t!(lang, "care-screener"), &mut f.screener);
                text_row(ui, &t!(lang, "care-screening-note"), &mut f.note);
            });
            let label = if f.editing.is_some() {
                t!(lang, "care-screening-save-edit")
            } else {
                t!(lang, "care-screening-add")
            };
            if ui.button(label).clicked() {
                act = Some(Act::SaveScreening);
            }
        });
        section(ui, &t!(lang, "care-followups"), |ui| {
            for f in &st.followups {
                ui.horizontal(|ui| {
                    let text = t!(
                        lang,
                        "care-followup-line",
                        date = f.due_on.to_string(),
                        status = followup_status(lang, f.status),
                        action = f.action.as_str(),
                        note = f
                            .done_note
                            .as_ref()
                            .map(|n| t!(lang, "care-followup-note", note = n.as_str()))
                            .unwrap_or_default()
                    );
                    if f.is_overdue(today) {
                        ui.colored_label(
                            crate::gui::theme::ERROR,
                            t!(lang, "care-followup-overdue", text = text),
                        );
                    } else {
                        ui.label(text);
                    }
                    if f.status == FollowUpStatus::Open {
                        if ui.small_button(t!(lang, "care-done")).clicked() {
                            act = Some(Act::Close(f.id, FollowUpStatus::Done));
                        }
                        if ui.small_button(t!(lang, "care-cancel")).clicked() {
                            act = Some(Act::Close(f.id, FollowUpStatus::Cancelled));
                        }
                    }
                });
            }
            form_grid("care-follow", ui, |ui| {
                text_row(ui, &t!(lang, "care-followup-due"), &mut st.followup.due);
                text_row(
                    ui,
                    &t!(lang, "care-followup-action"),
                    &mut st.followup.action,
                );
                text_row(ui, &t!(lang, "care-close-note"), &mut st.close_note);
                text_row(ui, &t!(lang, "care-void-reason"), &mut st.void_reason);
            });
            if ui.button(t!(lang, "care-followup-add")).clicked() {
                act = Some(Act::AddFollowUp);
            }
        });
        if let Some((title, h)) = &st.history {
            history_ui(ui, title, h);
        }
    }
    if let Some(a) = act {
        run(app, a);
    }
}

fn run(app: &mut HutongApp, act: Act) {
    let lang = app.lang;
    let HutongApp {
        store,
        records,
        session,
        notices,
        ..
    } = &mut *app;
    let session = session.as_ref();
    let st = &mut records.care;
    let Some(child) = st.child.id() else { return };
    let today = super::today();
    let result: Result<String, String> = match act {
        Act::EditSession(i) => {
            if let Some(s) = st.sessions.get(i) {
                st.session = SessionForm {
                    editing: Some(s.id),
                    date: s.session_date.to_string(),
                    counsellor: s.counsellor.clone(),
                    mode: s.mode,
                    summary: s.summary.clone(),
                };
            }
            return;
        }
        Act::EditScreening(i) => {
            if let Some(s) = st.screenings.get(i) {
                st.screening = ScreeningForm {
                    editing: Some(s.id),
                    date: s.screened_on.to_string(),
                    scale: s.scale.clone(),
                    score: s.score.map(|x| x.to_string()).unwrap_or_default(),
                    level: s.level.clone(),
                    screener: s.screener.clone(),
                    note: s.note.clone().unwrap_or_default(),
                };
            }
            return;
        }
        Act::History(entity, id, title) => {
            let h = serve(store, session, |store, s| {
                rec::history(store, s, entity, id)
            })
            .unwrap_or_default();
            st.history = Some((t!(lang, "care-history-title", title = title), h));
            return;
        }
        Act::SaveSession => {
            let f = &st.session;
            (|| {
                let input = cs::SessionInput {
                    child_id: child,
                    session_date: parse_date(&t!(lang, "care-session-date"), &f.date)?,
                    counsellor: f.counsellor.clone(),
                    mode: f.mode,
                    summary: f.summary.clone(),
                };
                serve(store, session, |store, s| {
                    rec::care::save_session(store, s, f.editing, &input)
                })
                .map(|_| t!(lang, "care-session-saved"))
            })()
        }
        Act::SaveScreening => {
            let f = &st.screening;
            (|| {
                let score =
                    if f.score.trim().is_empty() {
                        None
                    } else {
                        Some(f.score.trim().parse::<f64>().map_err(|_| {
                            t!(lang, "care-score-invalid", value = f.score.as_str())
                        })?)
                    };
                let input = cs::ScreeningInput {
                    child_id: child,
                    screened_on: parse_date(&t!(lang, "care-screening-date"), &f.date)?,
                    scale: f.scale.clone(),
                    score,
                    level: f.level.clone(),
                    screener: f.screener.clone(),
                    note: opt(&f.note),
                };
                serve(store, session, |store, s| {
                    rec::care::save_screening(store, s, f.editing, &input)
                })
                .map(|_| t!(lang, "care-screening-saved"))
            })()
        }
        Act::AddFollowUp => {
            let f = &st.followup;
            // A follow-up belongs to the latest screening (else session).
            let source = st
                .screenings
                .iter()
                .find(|s| s.active)
                .map(|s| s.id)
                .or_else(|| st.sessions.iter().find(|s| s.active).map(|s| s.id));
            parse_date(&t!(lang, "care-followup-due"), &f.due).and_then(|due| {
                serve(store, session, |store, s| {
                    rec::care::add_followup(store, s, child, source, due, &f.action)
                })
                .map(|_| t!(lang, "care-followup-added"))
            })
        }
        Act::Close(id, status) => {
            let note = st.close_note.clone();
            serve(store, session, |store, s| {
                rec::care::close_followup(store, s, id, status, today, &note)
            })
            .map(|f| {
                t!(
                    lang,
                    "care-followup-closed",
                    status = followup_status(lang, f.status)
                )
            })
        }
        Act::Void(id) => {
            let reason = st.void_reason.clone();
            serve(store, session, |store, s| {
                rec::care::void(store, s, id, &reason)
            })
            .map(|_| t!(lang, "care-voided"))
        }
    };
    match result {
        Ok(m) => {
            notices.success(Place::RecordsCare, m);
            st.loaded_for = None;
            st.due_loaded = false;
            st.session = SessionForm::default();
            st.screening = ScreeningForm::default();
            st.followup = FollowForm::default();
            st.close_note.clear();
            st.void_reason.clear();
        }
        Err(e) => notices.error(Place::RecordsCare, e),
    }
}
