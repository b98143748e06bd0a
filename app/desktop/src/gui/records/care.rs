//! 心理关爱: counselling sessions and screening results per child (create,
//! edit with history, void), follow-ups with due dates (closed as done or
//! cancelled), and the county's follow-ups due within two weeks.

use super::{
    ChildPick, child_row, form_grid, history_ui, multi_row, opt, parse_date, section, text_row,
};
use crate::gui::{HutongApp, serve, status_message};
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::counselling::{
    self as cs, FollowUp, FollowUpStatus, Screening, Session, SessionMode,
};
use hutong_services::records as rec;

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
    message: Option<(bool, String)>,
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
    let today = super::today();
    let mut act = None;
    {
        let HutongApp {
            store,
            records,
            session,
            ..
        } = &mut *app;
        let st = &mut records.care;
        status_message(ui, st.message.as_ref());
        section(
            ui,
            &format!("两周内到期的随访（{}）", st.due.len()),
            |ui| {
                for (f, name) in &st.due {
                    let text = format!("{} {}：{}", f.due_on, name, f.action);
                    if f.is_overdue(today) {
                        ui.colored_label(crate::gui::theme::ERROR, format!("{text}（已逾期）"));
                    } else {
                        ui.label(text);
                    }
                }
                if st.due.is_empty() {
                    ui.weak("没有到期的随访");
                }
            },
        );
        form_grid("care-pick", ui, |ui| {
            child_row(ui, store, session.as_ref(), &mut st.child);
        });
        if st.child.id().is_none() {
            ui.weak("选择一名儿童，查看并登记心理辅导、筛查和随访");
            return;
        }
        section(ui, "心理辅导记录", |ui| {
            for (i, s) in st.sessions.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{} {} {}：{}{}",
                        s.session_date,
                        s.mode.label_zh(),
                        s.counsellor,
                        s.summary,
                        if s.active { "" } else { "（已作废）" }
                    ));
                    if s.active && ui.small_button("修改").clicked() {
                        act = Some(Act::EditSession(i));
                    }
                    if ui.small_button("历史").clicked() {
                        act = Some(Act::History(
                            "counselling_sessions",
                            s.id,
                            format!("辅导 {}", s.session_date),
                        ));
                    }
                    if s.active && ui.small_button("作废").clicked() {
                        act = Some(Act::Void(s.id));
                    }
                });
            }
            let f = &mut st.session;
            form_grid("care-session", ui, |ui| {
                text_row(ui, "辅导日期", &mut f.date);
                text_row(ui, "辅导员", &mut f.counsellor);
                let l = ui.label("辅导方式");
                egui::ComboBox::from_id_salt("care-mode")
                    .selected_text(f.mode.label_zh())
                    .show_ui(ui, |ui| {
                        for m in SessionMode::ALL {
                            ui.selectable_value(&mut f.mode, m, m.label_zh());
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                multi_row(ui, "辅导摘要", &mut f.summary);
            });
            let label = if f.editing.is_some() {
                "保存辅导修改"
            } else {
                "登记辅导"
            };
            if ui.button(label).clicked() {
                act = Some(Act::SaveSession);
            }
        });
        section(ui, "心理筛查结果", |ui| {
            for (i, s) in st.screenings.iter().enumerate() {
                ui.horizontal(|ui| {
                    ui.label(format!(
                        "{} {} 得分 {} 结果：{}（{}）{}",
                        s.screened_on,
                        s.scale,
                        s.score.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                        s.level,
                        s.screener,
                        if s.active { "" } else { "（已作废）" }
                    ));
                    if s.active && ui.small_button("修改").clicked() {
                        act = Some(Act::EditScreening(i));
                    }
                    if ui.small_button("历史").clicked() {
                        act = Some(Act::History(
                            "screenings",
                            s.id,
                            format!("筛查 {}", s.screened_on),
                        ));
                    }
                    if s.active && ui.small_button("作废").clicked() {
                        act = Some(Act::Void(s.id));
                    }
                });
            }
            let f = &mut st.screening;
            form_grid("care-screening", ui, |ui| {
                text_row(ui, "筛查日期", &mut f.date);
                text_row(ui, "量表", &mut f.scale);
                text_row(ui, "得分", &mut f.score);
                text_row(ui, "结果等级", &mut f.level);
                text_row(ui, "筛查人", &mut f.screener);
                text_row(ui, "筛查备注", &mut f.note);
            });
            let label = if f.editing.is_some() {
                "保存筛查修改"
            } else {
                "登记筛查"
            };
            if ui.button(label).clicked() {
                act = Some(Act::SaveScreening);
            }
        });
        section(ui, "随访安排", |ui| {
            for f in &st.followups {
                ui.horizontal(|ui| {
                    let text = format!(
                        "{} {}：{}{}",
                        f.due_on,
                        f.status.label_zh(),
                        f.action,
                        f.done_note
                            .as_ref()
                            .map(|n| format!("（{n}）"))
                            .unwrap_or_default()
                    );
                    if f.is_overdue(today) {
                        ui.colored_label(crate::gui::theme::ERROR, format!("{text}　已逾期"));
                    } else {
                        ui.label(text);
                    }
                    if f.status == FollowUpStatus::Open {
                        if ui.small_button("完成").clicked() {
                            act = Some(Act::Close(f.id, FollowUpStatus::Done));
                        }
                        if ui.small_button("取消").clicked() {
                            act = Some(Act::Close(f.id, FollowUpStatus::Cancelled));
                        }
                    }
                });
            }
            form_grid("care-follow", ui, |ui| {
                text_row(ui, "随访到期日", &mut st.followup.due);
                text_row(ui, "随访事项", &mut st.followup.action);
                text_row(ui, "完成/取消说明", &mut st.close_note);
                text_row(ui, "作废原因", &mut st.void_reason);
            });
            if ui.button("安排随访").clicked() {
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
    let HutongApp {
        store,
        records,
        session,
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
            st.history = Some((format!("{title} 修改历史"), h));
            return;
        }
        Act::SaveSession => {
            let f = &st.session;
            (|| {
                let input = cs::SessionInput {
                    child_id: child,
                    session_date: parse_date("辅导日期", &f.date)?,
                    counsellor: f.counsellor.clone(),
                    mode: f.mode,
                    summary: f.summary.clone(),
                };
                serve(store, session, |store, s| {
                    rec::care::save_session(store, s, f.editing, &input)
                })
                .map(|_| "已保存心理辅导记录".to_string())
            })()
        }
        Act::SaveScreening => {
            let f = &st.screening;
            (|| {
                let score = if f.score.trim().is_empty() {
                    None
                } else {
                    Some(
                        f.score
                            .trim()
                            .parse::<f64>()
                            .map_err(|_| format!("字段“得分”：“{}”不是数字", f.score))?,
                    )
                };
                let input = cs::ScreeningInput {
                    child_id: child,
                    screened_on: parse_date("筛查日期", &f.date)?,
                    scale: f.scale.clone(),
                    score,
                    level: f.level.clone(),
                    screener: f.screener.clone(),
                    note: opt(&f.note),
                };
                serve(store, session, |store, s| {
                    rec::care::save_screening(store, s, f.editing, &input)
                })
                .map(|_| "已保存筛查结果".to_string())
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
            parse_date("随访到期日", &f.due).and_then(|due| {
                serve(store, session, |store, s| {
                    rec::care::add_followup(store, s, child, source, due, &f.action)
                })
                .map(|_| "已安排随访".to_string())
            })
        }
        Act::Close(id, status) => {
            let note = st.close_note.clone();
            serve(store, session, |store, s| {
                rec::care::close_followup(store, s, id, status, today, &note)
            })
            .map(|f| format!("随访{}", f.status.label_zh()))
        }
        Act::Void(id) => {
            let reason = st.void_reason.clone();
            serve(store, session, |store, s| {
                rec::care::void(store, s, id, &reason)
            })
            .map(|_| "已作废".to_string())
        }
    };
    match result {
        Ok(m) => {
            st.message = Some((true, m));
            st.loaded_for = None;
            st.due_loaded = false;
            st.session = SessionForm::default();
            st.screening = ScreeningForm::default();
            st.followup = FollowForm::default();
            st.close_note.clear();
            st.void_reason.clear();
        }
        Err(e) => st.message = Some((false, e)),
    }
}
