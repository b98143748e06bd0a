//! 强制报告: record, list (open / late filters), edit with history, feedback,
//! 临时监护 (未保法 第九十二条), referrals made from the report, and the
//! referral letter as a PDF (saved through the file dialog, audited).
//!
//! The reporter is confidential: the list and the detail read through the
//! core with the viewer's role, so a role that may not see the reporter gets
//! （保密） and cannot open the edit form (saving it would overwrite the
//! reporter with the redaction).

use super::{
    ChildPick, child_row, form_grid, history_ui, load_history, multi_row, opt, parse_date, role_of,
    section, text_row,
};
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::Place;
use crate::gui::{HutongApp, serve};
use crate::i18n::Lang;
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::mandatory_reports::{
    self as mr, Channel, MandatoryReport, ReportRow, ReportStatus, Reporter, Situation,
    TemporaryCustody,
};
use hutong_core::services::{Referral, ReferralInput};
use hutong_services::records as rec;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

#[derive(Default)]
pub struct State {
    open_only: bool,
    late_only: bool,
    include_voided: bool,
    rows: Vec<ReportRow>,
    loaded: bool,
    form: Option<Form>,
    selected: Option<Detail>,
    /// The part of the tab whose action caused the current notice.
    notice_at: Spot,
    /// The letter's save dialog: the report, and the answer to come.
    dialog: Option<(RowId, Receiver<Option<PathBuf>>)>,
}

/// Where the tab draws its notice: near the part whose action caused it,
/// or above the list once that part is closed.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum Spot {
    #[default]
    List,
    Form,
    Detail,
}

/// The tab's notices (saved, refused, the letter's outcome).
const PLACE: Place = Place::RecordsReports;

impl State {
    /// The save dialog is open (the letter itself runs in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }

    fn spot(&self) -> Spot {
        match self.notice_at {
            Spot::Form if self.form.is_some() => Spot::Form,
            Spot::Detail if self.selected.is_some() => Spot::Detail,
            _ => Spot::List,
        }
    }

    pub fn new_form(&mut self, child: ChildPick) {
        self.form = Some(Form {
            child,
            ..Form::blank()
        });
        self.selected = None;
    }
}

/// The create / edit form, as typed.
struct Form {
    editing: Option<RowId>,
    child: ChildPick,
    situations: BTreeSet<Situation>,
    reporter_unit: String,
    reporter_role: String,
    reporter_contact: String,
    found_at: String,
    reported_at: String,
    channel: Channel,
    agency: String,
    receipt: String,
    perpetrator: String,
    safety: String,
    reason: String,
}

impl Form {
    /// Times start empty: a guessed "now" would too easily be saved as the
    /// time the harm was found, and the statutory clock depends on it.
    fn blank() -> Self {
        Form {
            editing: None,
            child: ChildPick::default(),
            situations: BTreeSet::new(),
            reporter_unit: String::new(),
            reporter_role: String::new(),
            reporter_contact: String::new(),
            found_at: String::new(),
            reported_at: String::new(),
            channel: Channel::Police,
            agency: String::new(),
            receipt: String::new(),
            perpetrator: String::new(),
            safety: String::new(),
            reason: String::new(),
        }
    }

    fn of(r: &MandatoryReport, child_name: &str) -> Self {
        Form {
            editing: Some(r.id),
            child: ChildPick::chosen(r.child_id, child_name),
            situations: r.situations.iter().copied().collect(),
            reporter_unit: r.reporter.unit.clone(),
            reporter_role: r.reporter.role.clone(),
            reporter_contact: r.reporter.contact.clone().unwrap_or_default(),
            found_at: r.found_at.format("%Y-%m-%d %H:%M").to_string(),
            reported_at: r.reported_at.format("%Y-%m-%d %H:%M").to_string(),
            channel: r.channel,
            agency: r.receiving_agency.clone(),
            receipt: r.receipt_no.clone().unwrap_or_default(),
            perpetrator: r.perpetrator_relation.clone().unwrap_or_default(),
            safety: r.safety_action.clone().unwrap_or_default(),
            reason: String::new(),
        }
    }

    fn input(&self, lang: Lang) -> Result<mr::ReportInput, String> {
        let child_id = self.child.require()?;
        let err = |e: hutong_core::CoreError| e.to_string();
        Ok(mr::ReportInput {
            child_id,
            situations: self.situations.iter().copied().collect(),
            reporter: Reporter {
                unit: self.reporter_unit.clone(),
                role: self.reporter_role.clone(),
                contact: opt(&self.reporter_contact),
            },
            found_at: mr::parse_time(&t!(lang, "mreport-found_at"), &self.found_at).map_err(err)?,
            reported_at: mr::parse_time(&t!(lang, "mreport-reported_at"), &self.reported_at)
                .map_err(err)?,
            channel: self.channel,
            receiving_agency: self.agency.clone(),
            receipt_no: opt(&self.receipt),
            perpetrator_relation: opt(&self.perpetrator),
            safety_action: opt(&self.safety),
        })
    }
}

/// The selected report with what hangs off it.
struct Detail {
    report: MandatoryReport,
    child_name: String,
    history: Vec<AuditEntry>,
    referrals: Vec<Referral>,
    feedback: String,
    feedback_on: String,
    custody_agency: String,
    custody_from: String,
    custody_clause: u8,
    refer_department: String,
    refer_reason: String,
    refer_on: String,
    void_reason: String,
    letter_no: String,
}

fn detail(app: &mut HutongApp, report: MandatoryReport, child_name: String) -> Detail {
    let today = super::today().to_string();
    let custody_agency = t!(app.lang, "mreport-custody-default_agency");
    Detail {
        history: load_history(app, "mandatory_reports", report.id),
        referrals: app
            .call(|store, s| rec::mreport::referrals(store, s, report.id))
            .unwrap_or_default(),
        feedback: String::new(),
        feedback_on: today.clone(),
        custody_agency,
        custody_from: today.clone(),
        custody_clause: 6,
        refer_department: report.receiving_agency.clone(),
        refer_reason: String::new(),
        refer_on: today,
        void_reason: String::new(),
        letter_no: String::new(),
        report,
        child_name,
    }
}

/// Tells the outcome of an action taken at `at`.
fn tell(app: &mut HutongApp, at: Spot, ok: bool, text: String) {
    app.records.mreport.notice_at = at;
    if ok {
        app.notices.success(PLACE, text);
    } else {
        app.notices.error(PLACE, text);
    }
}

fn reload(app: &mut HutongApp) {
    let st = &app.records.mreport;
    let f = rec::mreport::Filter {
        division: None,
        open_only: st.open_only,
        late_only: st.late_only,
        include_voided: st.include_voided,
    };
    let rows = app.call(|store, s| rec::mreport::list(store, s, &f));
    match rows {
        Ok(rows) => app.records.mreport.rows = rows,
        Err(e) => {
            let text = t!(app.lang, "mreport-load-failed", error = e);
            tell(app, Spot::List, false, text);
        }
    }
    let st = &mut app.records.mreport;
    st.loaded = true;
    // Refresh the open detail (after a write).
    if let Some((id, name)) = st
        .selected
        .as_ref()
        .map(|d| (d.report.id, d.child_name.clone()))
        && let Ok(r) = app.call(|store, s| rec::mreport::get(store, s, id))
    {
        let d = detail(app, r, name);
        app.records.mreport.selected = Some(d);
    }
}

/// The late flag in the workstation's language (the child file's tab
/// shows it too; [`late_text_in`] where the language is at hand).
pub(crate) fn late_text(r: &MandatoryReport) -> String {
    late_text_in(crate::i18n::current(), r)
}

/// The late flag: how long after finding, and that it exceeds the clock.
pub(crate) fn late_text_in(lang: Lang, r: &MandatoryReport) -> String {
    t!(
        lang,
        "mreport-late_text",
        delay = delay_text(lang, r),
        hours = mr::REPORT_DEADLINE_HOURS
    )
}

/// "3 小时 20 分" / "2 天 4 小时" (the core's `delay_zh`, in the UI
/// language).
fn delay_text(lang: Lang, r: &MandatoryReport) -> String {
    let m = r.delay_minutes().max(0);
    let (d, h, mi) = (m / 1440, (m % 1440) / 60, m % 60);
    if d > 0 {
        t!(lang, "mreport-delay-days", d = d, h = h)
    } else if h > 0 {
        t!(lang, "mreport-delay-hours", h = h, m = mi)
    } else {
        t!(lang, "mreport-delay-minutes", m = mi)
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.mreport.loaded {
        reload(app);
    }
    let role = role_of(app);
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.horizontal(|ui| {
        let st = &mut app.records.mreport;
        let mut changed = false;
        changed |= ui.checkbox(&mut st.open_only, t("rec-open_only")).changed();
        changed |= ui.checkbox(&mut st.late_only, t("rec-late_only")).changed();
        changed |= ui
            .checkbox(&mut st.include_voided, t("rec-with_voided"))
            .changed();
        if changed {
            st.loaded = false;
        }
        if ui.button(t("rec-new_report")).clicked() {
            st.new_form(ChildPick::default());
        }
    });
    if !mr::can_see_reporter(role) {
        ui.weak(t("mreport-confidential"));
    }
    // The letter's progress and the notices show in the detail while it
    // is open, else here.
    if app.records.mreport.selected.is_none() {
        app.jobs.show(ui, JobName::ReportLetter);
    }
    if app.records.mreport.spot() == Spot::List {
        app.notices.show_here(ui, PLACE);
    }
    summary(lang, ui, &app.records.mreport.rows);
    list(app, ui);
    if app.records.mreport.form.is_some() {
        form(app, ui);
    }
    if app.records.mreport.selected.is_some() {
        detail_ui(app, ui);
    }
}

/// The report of this record type: counts by status and lateness.
fn summary(lang: Lang, ui: &mut egui::Ui, rows: &[ReportRow]) {
    let open = rows
        .iter()
        .filter(|r| r.report.status == ReportStatus::Open)
        .count();
    let late = rows.iter().filter(|r| r.late).count();
    ui.horizontal(|ui| {
        ui.label(t!(lang, "mreport-sum-total", n = rows.len()));
        ui.label(t!(lang, "mreport-sum-open", n = open));
        ui.colored_label(
            crate::gui::theme::ERROR,
            t!(lang, "mreport-sum-late", n = late),
        );
    });
}

fn list(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let mut open = None;
    egui::Grid::new("mreport-list")
        .striped(true)
        .num_columns(8)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "rec-child",
                "mreport-col-village",
                "mreport-col-situations",
                "mreport-found_at",
                "mreport-reported_at",
                "mreport-reporter",
                "mreport-status",
            ] {
                ui.strong(t(h));
            }
            ui.strong("");
            ui.end_row();
            for (i, r) in app.records.mreport.rows.iter().enumerate() {
                ui.label(&r.child_name);
                ui.label(&r.village_name);
                let codes: Vec<String> = r
                    .report
                    .situations
                    .iter()
                    .map(|&s| situation_short(lang, s))
                    .collect();
                ui.label(codes.join(&t("list-separator")));
                ui.label(r.report.found_at.format("%Y-%m-%d %H:%M").to_string());
                ui.horizontal(|ui| {
                    ui.label(r.report.reported_at.format("%Y-%m-%d %H:%M").to_string());
                    if r.late {
                        ui.colored_label(crate::gui::theme::ERROR, t("mreport-late"));
                    }
                });
                ui.label(&r.report.reporter.unit);
                ui.label(status_label(lang, r.report.status));
                if ui
                    .small_button(t!(lang, "mreport-view", n = i + 1))
                    .clicked()
                {
                    open = Some(i);
                }
                ui.end_row();
            }
        });
    if app.records.mreport.rows.is_empty() {
        ui.weak(t("mreport-none"));
    }
    if let Some(i) = open {
        let row = app.records.mreport.rows[i].clone();
        let d = detail(app, row.report, row.child_name);
        app.records.mreport.selected = Some(d);
        app.records.mreport.form = None;
    }
}

fn form(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let HutongApp {
        store,
        records,
        session,
        notices,
        ..
    } = app;
    let st = &mut records.mreport;
    let here = st.spot() == Spot::Form;
    let Some(f) = st.form.as_mut() else { return };
    let mut save = false;
    let mut cancel = false;
    let title = if f.editing.is_some() {
        t("mreport-edit-title")
    } else {
        t("mreport-new-title")
    };
    section(ui, &title, |ui| {
        form_grid("mreport-form", ui, |ui| {
            if f.editing.is_some() {
                ui.label(t("rec-child"));
                ui.strong(f.child.chosen.as_ref().map(|c| c.1.as_str()).unwrap_or(""));
                ui.end_row();
            } else {
                child_row(ui, store, session.as_ref(), &mut f.child);
            }
            ui.label(t("mreport-situations"));
            ui.vertical(|ui| {
                for s in Situation::ALL {
                    let mut on = f.situations.contains(&s);
                    if ui.checkbox(&mut on, situation_label(lang, s)).changed() {
                        if on {
                            f.situations.insert(s);
                        } else {
                            f.situations.remove(&s);
                        }
                    }
                }
            });
            ui.end_row();
            text_row(ui, &t("mreport-reporter_unit"), &mut f.reporter_unit);
            text_row(ui, &t("mreport-reporter_role"), &mut f.reporter_role);
            text_row(ui, &t("mreport-reporter_contact"), &mut f.reporter_contact);
            super::hint_row(
                ui,
                &t("mreport-found_at"),
                &mut f.found_at,
                "YYYY-MM-DD HH:MM",
            );
            super::hint_row(
                ui,
                &t("mreport-reported_at"),
                &mut f.reported_at,
                "YYYY-MM-DD HH:MM",
            );
            let l = ui.label(t("mreport-channel"));
            egui::ComboBox::from_id_salt("mreport-channel")
                .selected_text(channel_label(lang, f.channel))
                .show_ui(ui, |ui| {
                    for c in Channel::ALL {
                        ui.selectable_value(&mut f.channel, c, channel_label(lang, c));
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            text_row(ui, &t("mreport-agency"), &mut f.agency);
            text_row(ui, &t("mreport-receipt"), &mut f.receipt);
            text_row(ui, &t("mreport-perpetrator"), &mut f.perpetrator);
            multi_row(ui, &t("mreport-safety"), &mut f.safety);
            if f.editing.is_some() {
                text_row(ui, &t("mreport-edit_reason"), &mut f.reason);
            }
        });
        // The statutory clock, live while typing.
        if let (Ok(a), Ok(b)) = (
            mr::parse_time(&t("mreport-found_at"), &f.found_at),
            mr::parse_time(&t("mreport-reported_at"), &f.reported_at),
        ) && mr::is_late(a, b)
        {
            ui.colored_label(
                crate::gui::theme::ERROR,
                t!(
                    lang,
                    "mreport-will_be_late",
                    hours = mr::REPORT_DEADLINE_HOURS
                ),
            );
        }
        ui.horizontal(|ui| {
            if ui.button(t("rec-save_report")).clicked() {
                save = true;
            }
            if ui.button(t("common-cancel")).clicked() {
                cancel = true;
            }
        });
        if here {
            notices.show_here(ui, PLACE);
        }
    });
    if cancel {
        st.form = None;
        return;
    }
    if !save {
        return;
    }
    let Some(f) = app.records.mreport.form.as_ref() else {
        return;
    };
    let input = match f.input(lang) {
        Ok(i) => i,
        Err(e) => {
            tell(app, Spot::Form, false, e);
            return;
        }
    };
    let editing = f.editing;
    let reason = opt(&f.reason);
    let name = f.child.chosen.clone().map(|c| c.1).unwrap_or_default();
    let result = app.call(|store, s| match editing {
        Some(id) => rec::mreport::update(store, s, id, &input, reason.as_deref()),
        None => rec::mreport::add(store, s, &input),
    });
    match result {
        Ok(r) => {
            let text = if r.is_late() {
                t!(lang, "mreport-saved-late", name = name.as_str())
            } else {
                t!(lang, "mreport-saved", name = name.as_str())
            };
            // The detail opens in the form's place; the notice shows there.
            tell(app, Spot::Detail, true, text);
            let st = &mut app.records.mreport;
            st.form = None;
            st.loaded = false;
            let id = r.id;
            let shown = app
                .call(|store, s| rec::mreport::get(store, s, id))
                .unwrap_or(r);
            let d = detail(app, shown, name);
            app.records.mreport.selected = Some(d);
        }
        Err(e) => tell(app, Spot::Form, false, e),
    }
}

enum Action {
    Edit,
    Feedback,
    Custody,
    Refer,
    Void,
    Letter,
    Close,
}

fn detail_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let role = role_of(app);
    let busy = app.records.mreport.busy() || app.jobs.running(JobName::ReportLetter);
    let HutongApp {
        records,
        notices,
        jobs,
        ..
    } = app;
    let here = records.mreport.spot() == Spot::Detail;
    let Some(d) = records.mreport.selected.as_mut() else {
        return;
    };
    let r = &d.report;
    let mut action = None;
    let title = t!(lang, "mreport-detail-title", name = d.child_name.as_str());
    section(ui, &title, |ui| {
        if r.is_late() {
            ui.label(
                egui::RichText::new(late_text_in(lang, r))
                    .color(crate::gui::theme::ERROR)
                    .strong()
                    .size(18.0),
            );
        } else {
            ui.colored_label(
                crate::gui::theme::SUCCESS,
                t!(lang, "mreport-on_time", delay = delay_text(lang, r)),
            );
        }
        form_grid("mreport-detail", ui, |ui| {
            let mut kv = |k: &str, v: String| {
                ui.label(t(k));
                ui.label(v);
                ui.end_row();
            };
            kv("mreport-status", status_label(lang, r.status));
            kv(
                "mreport-situations",
                r.situations
                    .iter()
                    .map(|&s| situation_label(lang, s))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            kv(
                "mreport-reporter",
                t!(
                    lang,
                    "mreport-reporter-value",
                    unit = r.reporter.unit.as_str(),
                    role = r.reporter.role.as_str(),
                    contact = r.reporter.contact.clone().unwrap_or_default()
                ),
            );
            kv(
                "mreport-found_at",
                r.found_at.format("%Y-%m-%d %H:%M").to_string(),
            );
            kv(
                "mreport-reported_at",
                r.reported_at.format("%Y-%m-%d %H:%M").to_string(),
            );
            kv("mreport-channel", channel_label(lang, r.channel));
            kv("mreport-agency", r.receiving_agency.clone());
            kv("mreport-receipt", dash(&r.receipt_no));
            kv("mreport-perpetrator", dash(&r.perpetrator_relation));
            kv("mreport-safety", dash(&r.safety_action));
            kv(
                "mreport-feedback",
                match (&r.feedback, r.feedback_on) {
                    (Some(f), Some(on)) => t!(
                        lang,
                        "mreport-feedback-value",
                        on = on.to_string(),
                        text = f.as_str()
                    ),
                    _ => t("mreport-no_feedback"),
                },
            );
            kv(
                "mreport-custody",
                match &r.custody {
                    Some(c) => t!(
                        lang,
                        "mreport-custody-value",
                        agency = c.agency.as_str(),
                        from = c.from.to_string(),
                        clause = clause_label(lang, c.clause)
                    ),
                    None => t("mreport-custody-none"),
                },
            );
            if let Some(v) = &r.void_reason {
                kv("mreport-void_reason", v.clone());
            }
        });
        let live = r.status != ReportStatus::Voided;
        ui.horizontal(|ui| {
            let can_edit = live && mr::can_see_reporter(role);
            if ui
                .add_enabled(can_edit, egui::Button::new(t("mreport-edit")))
                .on_disabled_hover_text(t("mreport-edit-disabled"))
                .clicked()
            {
                action = Some(Action::Edit);
            }
            let l = ui.label(t("mreport-letter_no"));
            ui.add(egui::TextEdit::singleline(&mut d.letter_no).desired_width(160.0))
                .labelled_by(l.id);
            if ui
                .add_enabled(live && !busy, egui::Button::new(t("rec-letter")))
                .clicked()
            {
                action = Some(Action::Letter);
            }
            if ui.button(t("mreport-close")).clicked() {
                action = Some(Action::Close);
            }
        });
        jobs.show(ui, JobName::ReportLetter);
        if here {
            notices.show_here(ui, PLACE);
        }
        if live && r.status == ReportStatus::Open {
            ui.separator();
            ui.strong(t("mreport-feedback-heading"));
            form_grid("mreport-feedback", ui, |ui| {
                multi_row(ui, &t("mreport-feedback"), &mut d.feedback);
                text_row(ui, &t("mreport-feedback_on"), &mut d.feedback_on);
            });
            if ui.button(t("mreport-feedback-submit")).clicked() {
                action = Some(Action::Feedback);
            }
        }
        if live && r.custody.is_none() {
            ui.separator();
            ui.strong(t("mreport-custody-heading"));
            form_grid("mreport-custody", ui, |ui| {
                text_row(ui, &t("mreport-custody-agency"), &mut d.custody_agency);
                text_row(ui, &t("mreport-custody-from"), &mut d.custody_from);
                let l = ui.label(t("mreport-custody-clause"));
                egui::ComboBox::from_id_salt("custody-clause")
                    .width(420.0)
                    .selected_text(clause_label(lang, d.custody_clause))
                    .show_ui(ui, |ui| {
                        for c in 1..=7u8 {
                            ui.selectable_value(&mut d.custody_clause, c, clause_label(lang, c));
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            });
            if ui.button(t("mreport-custody-submit")).clicked() {
                action = Some(Action::Custody);
            }
        }
        ui.separator();
        ui.strong(t!(lang, "mreport-referrals", n = d.referrals.len()));
        for f in &d.referrals {
            ui.label(t!(
                lang,
                "mreport-referral-line",
                on = f.sent_on.to_string(),
                department = f.department.as_str(),
                reason = f.reason.as_str(),
                status = super::services::referral_status(lang, f.status)
            ));
        }
        if live {
            form_grid("mreport-refer", ui, |ui| {
                text_row(ui, &t("mreport-refer-department"), &mut d.refer_department);
                text_row(ui, &t("mreport-refer-reason"), &mut d.refer_reason);
                text_row(ui, &t("mreport-refer-on"), &mut d.refer_on);
            });
            if ui.button(t("mreport-refer-submit")).clicked() {
                action = Some(Action::Refer);
            }
            ui.separator();
            ui.horizontal(|ui| {
                let l = ui.label(t("mreport-void_reason"));
                ui.add(egui::TextEdit::singleline(&mut d.void_reason).desired_width(240.0))
                    .labelled_by(l.id);
                if ui.button(t("mreport-void")).clicked() {
                    action = Some(Action::Void);
                }
            });
        }
        history_ui(ui, &t("rec-history"), &d.history);
    });
    if let Some(a) = action {
        run(app, a);
    }
}

fn dash(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}

fn run(app: &mut HutongApp, action: Action) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let st = &mut app.records.mreport;
    let Some(d) = st.selected.as_ref() else {
        return;
    };
    let id = d.report.id;
    let result: Result<String, String> = match action {
        Action::Close => {
            st.selected = None;
            return;
        }
        Action::Edit => {
            st.form = Some(Form::of(&d.report, &d.child_name));
            return;
        }
        Action::Letter => {
            let name = t!(lang, "mreport-letter-file", name = d.child_name.as_str());
            let request = DialogRequest::new(DialogKind::SaveFile, t("mreport-letter-dialog"))
                .filter(t("mreport-pdf_files"), &["pdf"])
                .file_name(name);
            st.dialog = Some((
                id,
                super::super::ask_dialog(app.platform.dialogs.clone(), request),
            ));
            return;
        }
        Action::Feedback => parse_date(&t("mreport-feedback_on"), &d.feedback_on).and_then(|on| {
            let text = d.feedback.clone();
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::mreport::record_feedback(store, s, id, &text, on)
            })
            .map(|_| t("mreport-feedback-done"))
        }),
        Action::Custody => {
            parse_date(&t("mreport-custody-from"), &d.custody_from).and_then(|from| {
                let custody = TemporaryCustody {
                    agency: d.custody_agency.clone(),
                    from,
                    clause: d.custody_clause,
                };
                serve(&mut app.store, app.session.as_ref(), |store, s| {
                    rec::mreport::start_custody(store, s, id, &custody)
                })
                .map(|_| t("mreport-custody-done"))
            })
        }
        Action::Refer => parse_date(&t("mreport-refer-on"), &d.refer_on).and_then(|sent_on| {
            let input = ReferralInput {
                child_id: d.report.child_id,
                department: d.refer_department.clone(),
                item: None,
                reason: d.refer_reason.clone(),
                sent_on,
                mreport_id: Some(id),
            };
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::services::refer(store, s, &input)
            })
            .map(|r| t!(lang, "mreport-referred", department = r.department))
        }),
        Action::Void => {
            let reason = d.void_reason.clone();
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::mreport::void(store, s, id, &reason)
            })
            .map(|_| t("mreport-voided"))
        }
    };
    match result {
        Ok(m) => {
            tell(app, Spot::Detail, true, m);
            app.records.mreport.loaded = false;
            reload(app);
        }
        Err(e) => tell(app, Spot::Detail, false, e),
    }
}

/// The letter's save dialog: a path starts the letter, none is a cancel.
pub fn poll(app: &mut HutongApp) {
    if let Some((id, rx)) = &app.records.mreport.dialog
        && let Ok(answer) = rx.try_recv()
    {
        let id = *id;
        app.records.mreport.dialog = None;
        match answer {
            None => {
                let text = t!(app.lang, "mreport-cancelled");
                tell(app, Spot::Detail, false, text);
            }
            Some(path) => start_letter(app, id, path),
        }
    }
}

/// Renders the letter on a job thread (its own store), writes it and audits
/// the file's hash like every other print (all in the services).
fn start_letter(app: &mut HutongApp, id: RowId, path: PathBuf) {
    let lang = app.lang;
    let db = app.store.database();
    let session = app.session.clone();
    let letter_no = app
        .records
        .mreport
        .selected
        .as_ref()
        .and_then(|d| opt(&d.letter_no));
    let title = t!(lang, "mreport-letter-job");
    app.jobs.start(
        JobName::ReportLetter,
        title,
        move |p| {
            p.set_total(1);
            let session = session.ok_or_else(|| t!(lang, "mreport-not_logged_in"))?;
            let mut store = db.open()?;
            let letter = rec::mreport::letter(
                &mut store,
                &session,
                id,
                letter_no,
                super::today(),
                super::fonts(),
                &path,
            )?;
            p.step();
            Ok((path, letter.pages))
        },
        |app: &mut HutongApp, outcome| {
            let lang = app.lang;
            let (ok, text) = match outcome {
                Outcome::Finished((path, pages)) => (
                    true,
                    t!(
                        lang,
                        "mreport-letter-saved",
                        path = path.display().to_string(),
                        pages = pages
                    ),
                ),
                Outcome::Failed(e) => (false, t!(lang, "mreport-letter-failed", error = e)),
                Outcome::Cancelled => (false, t!(lang, "mreport-cancelled")),
            };
            tell(app, Spot::Detail, ok, text);
        },
    );
}

// ---------------------------------------------------------------- core labels

/// A reportable situation in full (the form and the detail).
fn situation_label(lang: Lang, s: Situation) -> String {
    let key = match s {
        Situation::GenitalInjury => "mreport-sit-genital_injury",
        Situation::Under14Sexual => "mreport-sit-under14_sexual",
        Situation::Over14SexualPreg => "mreport-sit-over14_sexual_preg",
        Situation::MultiInjuryNeglect => "mreport-sit-multi_injury_neglect",
        Situation::AbnormalDisabilityDeath => "mreport-sit-abnormal_disability_death",
        Situation::AbandonedUncared => "mreport-sit-abandoned_uncared",
        Situation::UnknownMissingTrafficked => "mreport-sit-unknown_missing_trafficked",
        Situation::OrganisedBegging => "mreport-sit-organised_begging",
        Situation::Hotline12349 => "mreport-sit-hotline_12349",
        Situation::OtherSerious => "mreport-sit-other_serious",
    };
    t!(lang, key)
}

/// A reportable situation in short (the list).
pub(super) fn situation_short(lang: Lang, s: Situation) -> String {
    let key = match s {
        Situation::GenitalInjury => "mreport-sit_short-genital_injury",
        Situation::Under14Sexual => "mreport-sit_short-under14_sexual",
        Situation::Over14SexualPreg => "mreport-sit_short-over14_sexual_preg",
        Situation::MultiInjuryNeglect => "mreport-sit_short-multi_injury_neglect",
        Situation::AbnormalDisabilityDeath => "mreport-sit_short-abnormal_disability_death",
        Situation::AbandonedUncared => "mreport-sit_short-abandoned_uncared",
        Situation::UnknownMissingTrafficked => "mreport-sit_short-unknown_missing_trafficked",
        Situation::OrganisedBegging => "mreport-sit_short-organised_begging",
        Situation::Hotline12349 => "mreport-sit_short-hotline_12349",
        Situation::OtherSerious => "mreport-sit_short-other_serious",
    };
    t!(lang, key)
}

fn channel_label(lang: Lang, c: Channel) -> String {
    let key = match c {
        Channel::Police110 => "mreport-channel-police110",
        Channel::Police => "mreport-channel-police",
        Channel::CivilAffairs => "mreport-channel-civil_affairs",
        Channel::Hotline12349 => "mreport-channel-hotline_12349",
        Channel::Education => "mreport-channel-education",
        Channel::Other => "mreport-channel-other",
    };
    t!(lang, key)
}

pub(super) fn status_label(lang: Lang, s: ReportStatus) -> String {
    let key = match s {
        ReportStatus::Open => "mreport-status-open",
        ReportStatus::Closed => "mreport-status-closed",
        ReportStatus::Voided => "mreport-status-voided",
    };
    t!(lang, key)
}

/// An item of 未保法 第九十二条 (the core's `custody_clause_label`); blank
/// for a number the statute does not have.
pub(super) fn clause_label(lang: Lang, clause: u8) -> String {
    let key = match clause {
        1 => "mreport-clause-1",
        2 => "mreport-clause-2",
        3 => "mreport-clause-3",
        4 => "mreport-clause-4",
        5 => "mreport-clause-5",
        6 => "mreport-clause-6",
        7 => "mreport-clause-7",
        _ => return mr::custody_clause_label(clause).unwrap_or("").to_string(),
    };
    t!(lang, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::services::ReferralStatus;

    /// The Chinese labels are the core's own, word for word.
    #[test]
    fn the_chinese_labels_are_the_cores() {
        let zh = Lang::ZH;
        for s in Situation::ALL {
            assert_eq!(situation_label(zh, s), s.label_zh());
            assert_eq!(situation_short(zh, s), s.short_zh());
        }
        for c in Channel::ALL {
            assert_eq!(channel_label(zh, c), c.label_zh());
        }
        for s in [
            ReportStatus::Open,
            ReportStatus::Closed,
            ReportStatus::Voided,
        ] {
            assert_eq!(status_label(zh, s), s.label_zh());
        }
        for s in ReferralStatus::ALL {
            assert_eq!(super::super::services::referral_status(zh, s), s.label_zh());
        }
        for c in 0..=8u8 {
            assert_eq!(
                clause_label(zh, c),
                mr::custody_clause_label(c).unwrap_or("")
            );
        }
    }
}
