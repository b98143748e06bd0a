//! 关爱服务: the province plugin's catalogue, per-child services (date,
//! provider, department, outcome; edit with history, void), referrals with
//! their status, and coverage per service area per township (computed on a
//! job: it counts every active child of the county).

use super::{
    ChildPick, child_row, form_grid, history_ui, load_history, opt, parse_date, section, text_row,
};
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::Place;
use crate::gui::{HutongApp, serve};
use crate::i18n::Lang;
use crate::t;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::province::ServiceItem;
use hutong_core::services::{
    self as sv, CoverageRow, ItemSnapshot, Referral, ReferralStatus, ServiceRecord, ServiceRow,
};
use hutong_services::records as rec;

/// A referral status in the UI language (every variant named, so a new one
/// fails to compile until it has a key).
pub(super) fn referral_status(lang: Lang, status: ReferralStatus) -> String {
    let key = match status {
        ReferralStatus::Sent => "svc-referral-sent",
        ReferralStatus::Accepted => "svc-referral-accepted",
        ReferralStatus::Done => "svc-referral-done",
        ReferralStatus::Declined => "svc-referral-declined",
        ReferralStatus::Voided => "svc-referral-voided",
    };
    t!(lang, key)
}

#[derive(Default)]
pub struct State {
    filter: String,
    from: String,
    to: String,
    rows: Vec<ServiceRow>,
    referrals: Vec<(Referral, String)>,
    loaded: bool,
    form: Option<Form>,
    selected: Option<(ServiceRecord, String, Vec<AuditEntry>, String)>,
    referral_history: Option<(RowId, Vec<AuditEntry>)>,
    coverage: Vec<CoverageRow>,
    status_on: String,
    refer: Option<ReferForm>,
}

impl State {
    pub fn new_form(&mut self, child: ChildPick) {
        self.form = Some(Form {
            child,
            ..Form::default()
        });
    }
}

#[derive(Default)]
struct Form {
    editing: Option<RowId>,
    child: ChildPick,
    item: Option<ItemSnapshot>,
    date: String,
    provider: String,
    department: String,
    outcome: String,
}

#[derive(Default)]
struct ReferForm {
    child: ChildPick,
    department: String,
    reason: String,
    on: String,
}

/// Every loaded plugin's catalogue items.
fn catalogue(app: &HutongApp) -> Vec<ServiceItem> {
    app.plugins
        .infos()
        .iter()
        .flat_map(|p| p.services.iter().cloned())
        .collect()
}

fn parse_range(s: &str, field: &str) -> Option<hutong_core::national::NaiveDate> {
    super::parse_opt_date(field, s).ok().flatten()
}

fn reload(app: &mut HutongApp) {
    let lang = app.lang;
    let st = &app.records.services;
    let from = parse_range(&st.from, &t!(lang, "svc-from-field"));
    let to = parse_range(&st.to, &t!(lang, "svc-to-field"));
    let rows = app.call(|store, s| rec::services::list(store, s, None, from, to));
    let referrals: Vec<_> = app
        .call(rec::services::open_referrals)
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let name = super::child_name(app, r.child_id);
            (r, name)
        })
        .collect();
    match rows {
        Ok(rows) => app.records.services.rows = rows,
        Err(e) => app.notices.error(
            Place::RecordsServices,
            t!(lang, "svc-load-failed", error = e),
        ),
    }
    let st = &mut app.records.services;
    st.referrals = referrals;
    st.loaded = true;
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.services.loaded {
        reload(app);
    }
    app.notices.show_here(ui, Place::RecordsServices);
    catalogue_ui(app, ui);
    if app.records.services.form.is_some() {
        form(app, ui);
    }
    services_list(app, ui);
    if app.records.services.selected.is_some() {
        selected(app, ui);
    }
    referrals_ui(app, ui);
    coverage_ui(app, ui);
}

fn catalogue_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let items = catalogue(app);
    let mut chosen = None;
    egui::CollapsingHeader::new(t!(lang, "svc-catalogue", n = items.len()))
        .id_salt("svc-catalogue")
        .show(ui, |ui| {
            if items.is_empty() {
                ui.weak(t!(lang, "svc-catalogue-none"));
            }
            egui::Grid::new("svc-cat-grid")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for key in [
                        "svc-col-code",
                        "svc-col-area",
                        "svc-col-item",
                        "svc-col-department",
                    ] {
                        ui.strong(t!(lang, key));
                    }
                    ui.strong("");
                    ui.end_row();
                    for i in &items {
                        ui.label(&i.code);
                        ui.label(&i.area);
                        ui.label(&i.name);
                        ui.label(&i.department);
                        if ui.small_button(t!(lang, "svc-record-this")).clicked() {
                            chosen = Some(i.clone());
                        }
                        ui.end_row();
                    }
                });
        });
    if let Some(i) = chosen {
        let st = &mut app.records.services;
        let child = st.form.take().map(|f| f.child).unwrap_or_default();
        st.form = Some(Form {
            child,
            item: Some(ItemSnapshot::from(&i)),
            department: i.department.clone(),
            date: super::today().to_string(),
            ..Form::default()
        });
    }
    if ui.button(t!(lang, "svc-add")).clicked() {
        let st = &mut app.records.services;
        st.form = Some(Form {
            date: super::today().to_string(),
            ..Form::default()
        });
    }
}

fn form(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let items = catalogue(app);
    let mut save = false;
    let mut cancel = false;
    {
        let HutongApp {
            store,
            records,
            session,
            ..
        } = &mut *app;
        let Some(f) = records.services.form.as_mut() else {
            return;
        };
        let title = if f.editing.is_some() {
            t!(lang, "svc-form-edit")
        } else {
            t!(lang, "svc-form-add")
        };
        section(ui, &title, |ui| {
            form_grid("svc-form", ui, |ui| {
                child_row(ui, store, session.as_ref(), &mut f.child);
                let l = ui.label(t!(lang, "svc-item"));
                let shown = f
                    .item
                    .as_ref()
                    .map(|i| format!("{}·{}", i.area, i.name))
                    .unwrap_or_else(|| t!(lang, "svc-item-choose"));
                egui::ComboBox::from_id_salt("svc-item")
                    .width(320.0)
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        for i in &items {
                            let snap = ItemSnapshot::from(i);
                            let on = f.item.as_ref() == Some(&snap);
                            if ui
                                .selectable_label(on, format!("{}·{}", i.area, i.name))
                                .clicked()
                            {
                                if f.department.trim().is_empty() {
                                    f.department = i.department.clone();
                                }
                                f.item = Some(snap);
                            }
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
                text_row(ui, &t!(lang, "svc-date"), &mut f.date);
                text_row(ui, &t!(lang, "svc-provider"), &mut f.provider);
                text_row(ui, &t!(lang, "svc-department"), &mut f.department);
                super::multi_row(ui, &t!(lang, "svc-outcome"), &mut f.outcome);
            });
            ui.horizontal(|ui| {
                save = ui.button(t!(lang, "svc-save")).clicked();
                cancel = ui.button(t!(lang, "common-cancel")).clicked();
            });
        });
    }
    if cancel {
        app.records.services.form = None;
    }
    if !save {
        return;
    }
    let st = &mut app.records.services;
    let Some(f) = st.form.as_ref() else { return };
    let input = (|| {
        let child_id = f.child.require()?;
        let item = f
            .item
            .clone()
            .ok_or_else(|| t!(lang, "svc-item-required"))?;
        Ok::<_, String>(sv::ServiceInput {
            child_id,
            item,
            service_date: parse_date(&t!(lang, "svc-date"), &f.date)?,
            provider: f.provider.clone(),
            department: f.department.clone(),
            outcome: opt(&f.outcome),
        })
    })();
    let input = match input {
        Ok(i) => i,
        Err(e) => {
            app.notices.error(Place::RecordsServices, e);
            return;
        }
    };
    let editing = f.editing;
    let today = super::today();
    let saved = app.call(|store, s| match editing {
        Some(id) => rec::services::update(store, s, id, &input, today),
        None => rec::services::add(store, s, &input, today),
    });
    match saved {
        Ok(r) => {
            app.notices.success(
                Place::RecordsServices,
                t!(lang, "svc-saved", item = r.item.name),
            );
            let st = &mut app.records.services;
            st.form = None;
            st.loaded = false;
            st.selected = None;
        }
        Err(e) => app.notices.error(Place::RecordsServices, e),
    }
}

fn services_list(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let mut open = None;
    section(ui, &t!(lang, "svc-list"), |ui| {
        let st = &mut app.records.services;
        ui.horizontal(|ui| {
            let l = ui.label(t!(lang, "svc-filter"));
            ui.add(
                egui::TextEdit::singleline(&mut st.filter)
                    .hint_text(t!(lang, "svc-filter-hint"))
                    .desired_width(160.0),
            )
            .labelled_by(l.id);
            let l = ui.label(t!(lang, "svc-date-from"));
            let a = ui
                .add(
                    egui::TextEdit::singleline(&mut st.from)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(90.0),
                )
                .labelled_by(l.id);
            let l = ui.label(t!(lang, "svc-date-to"));
            let b = ui
                .add(
                    egui::TextEdit::singleline(&mut st.to)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(90.0),
                )
                .labelled_by(l.id);
            if a.lost_focus() || b.lost_focus() {
                st.loaded = false;
            }
        });
        let needle = st.filter.trim().to_string();
        egui::Grid::new("svc-list")
            .striped(true)
            .num_columns(7)
            .show(ui, |ui| {
                for key in [
                    "svc-col-date",
                    "svc-col-child",
                    "svc-col-village",
                    "svc-item",
                    "svc-col-provider",
                    "svc-col-dept",
                ] {
                    ui.strong(t!(lang, key));
                }
                ui.strong("");
                ui.end_row();
                let mut shown = 0;
                for (i, r) in st.rows.iter().enumerate() {
                    let s = &r.service;
                    if !needle.is_empty()
                        && ![&r.child_name, &s.item.name, &s.department, &s.item.area]
                            .iter()
                            .any(|x| x.contains(&needle))
                    {
                        continue;
                    }
                    shown += 1;
                    if shown > 200 {
                        break;
                    }
                    ui.label(s.service_date.to_string());
                    ui.label(&r.child_name);
                    ui.label(&r.village_name);
                    ui.label(format!("{}·{}", s.item.area, s.item.name));
                    ui.label(&s.provider);
                    ui.label(&s.department);
                    if ui.small_button(t!(lang, "svc-view")).clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if st.rows.is_empty() {
            ui.weak(t!(lang, "svc-none"));
        }
    });
    if let Some(i) = open {
        let r = app.records.services.rows[i].clone();
        let history = load_history(app, "service_records", r.service.id);
        app.records.services.selected = Some((r.service, r.child_name, history, String::new()));
    }
}

fn selected(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let mut edit = false;
    let mut void = false;
    let mut close = false;
    if let Some((s, name, history, reason)) = app.records.services.selected.as_mut() {
        section(
            ui,
            &t!(
                lang,
                "svc-selected",
                name = name.as_str(),
                item = s.item.name.as_str()
            ),
            |ui| {
                ui.label(t!(
                    lang,
                    "svc-detail",
                    date = s.service_date.to_string(),
                    area = s.item.area.as_str(),
                    item = s.item.name.as_str(),
                    provider = s.provider.as_str(),
                    department = s.department.as_str(),
                    outcome = s.outcome.clone().unwrap_or_else(|| "—".into()),
                    voided = if s.active {
                        String::new()
                    } else {
                        t!(lang, "svc-voided-mark")
                    }
                ));
                ui.horizontal(|ui| {
                    edit = ui.button(t!(lang, "svc-edit")).clicked();
                    let l = ui.label(t!(lang, "svc-void-reason"));
                    ui.add(egui::TextEdit::singleline(reason).desired_width(200.0))
                        .labelled_by(l.id);
                    void = ui.button(t!(lang, "svc-void")).clicked();
                    close = ui.button(t!(lang, "svc-close")).clicked();
                });
                history_ui(ui, &t!(lang, "svc-history"), history);
            },
        );
    }
    let st = &mut app.records.services;
    if close {
        st.selected = None;
    }
    if edit && let Some((s, name, _, _)) = &st.selected {
        st.form = Some(Form {
            editing: Some(s.id),
            child: ChildPick::chosen(s.child_id, name),
            item: Some(s.item.clone()),
            date: s.service_date.to_string(),
            provider: s.provider.clone(),
            department: s.department.clone(),
            outcome: s.outcome.clone().unwrap_or_default(),
        });
    }
    if void && let Some((s, _, _, reason)) = &st.selected {
        let (id, reason) = (s.id, reason.clone());
        let result = app.call(|store, s| rec::services::void(store, s, id, &reason));
        match result {
            Ok(()) => {
                app.notices
                    .success(Place::RecordsServices, t!(lang, "svc-voided"));
                let st = &mut app.records.services;
                st.selected = None;
                st.loaded = false;
            }
            Err(e) => app.notices.error(Place::RecordsServices, e),
        }
    }
}

fn referrals_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let mut change = None;
    let mut show_history = None;
    let mut send = false;
    {
        let HutongApp {
            store,
            records,
            session,
            ..
        } = &mut *app;
        let st = &mut records.services;
        if st.status_on.is_empty() {
            st.status_on = super::today().to_string();
        }
        section(
            ui,
            &t!(lang, "svc-referrals", n = st.referrals.len()),
            |ui| {
                ui.horizontal(|ui| {
                    let l = ui.label(t!(lang, "svc-status-date"));
                    ui.add(egui::TextEdit::singleline(&mut st.status_on).desired_width(100.0))
                        .labelled_by(l.id);
                    if ui.button(t!(lang, "svc-new-referral")).clicked() {
                        st.refer = Some(ReferForm {
                            on: super::today().to_string(),
                            ..ReferForm::default()
                        });
                    }
                });
                egui::Grid::new("svc-referrals")
                    .striped(true)
                    .num_columns(6)
                    .show(ui, |ui| {
                        for key in [
                            "svc-referral-date",
                            "svc-col-child",
                            "svc-col-dept",
                            "svc-col-reason",
                            "svc-col-status",
                        ] {
                            ui.strong(t!(lang, key));
                        }
                        ui.strong("");
                        ui.end_row();
                        for (r, name) in &st.referrals {
                            ui.label(r.sent_on.to_string());
                            ui.label(name);
                            ui.label(&r.department);
                            ui.label(if r.mreport_id.is_some() {
                                t!(lang, "svc-reason-from-mreport", reason = r.reason.as_str())
                            } else {
                                r.reason.clone()
                            });
                            ui.label(referral_status(lang, r.status));
                            ui.horizontal(|ui| {
                                for next in r.status.next() {
                                    if *next == ReferralStatus::Voided {
                                        continue;
                                    }
                                    let label = t!(
                                        lang,
                                        "svc-referral-to",
                                        status = referral_status(lang, *next)
                                    );
                                    if ui.small_button(label).clicked() {
                                        change = Some((r.id, *next));
                                    }
                                }
                                if ui.small_button(t!(lang, "svc-history-button")).clicked() {
                                    show_history = Some(r.id);
                                }
                            });
                            ui.end_row();
                        }
                    });
                if let Some(f) = st.refer.as_mut() {
                    form_grid("svc-refer", ui, |ui| {
                        child_row(ui, store, session.as_ref(), &mut f.child);
                        text_row(ui, &t!(lang, "svc-refer-department"), &mut f.department);
                        text_row(ui, &t!(lang, "svc-refer-reason"), &mut f.reason);
                        text_row(ui, &t!(lang, "svc-referral-date"), &mut f.on);
                    });
                    send = ui.button(t!(lang, "svc-send")).clicked();
                }
                if let Some((_, h)) = &st.referral_history {
                    history_ui(ui, &t!(lang, "svc-referral-history"), h);
                }
            },
        );
    }
    if let Some(id) = show_history {
        let h = load_history(app, "referrals", id);
        app.records.services.referral_history = Some((id, h));
    }
    if let Some((id, status)) = change {
        let st = &app.records.services;
        let result = parse_date(&t!(lang, "svc-status-date"), &st.status_on).and_then(|on| {
            app.call(|store, s| rec::services::set_referral_status(store, s, id, status, on, None))
        });
        match result {
            Ok(r) => {
                app.notices.success(
                    Place::RecordsServices,
                    t!(
                        lang,
                        "svc-status-changed",
                        status = referral_status(lang, r.status)
                    ),
                );
                app.records.services.loaded = false;
            }
            Err(e) => app.notices.error(Place::RecordsServices, e),
        }
    }
    if send && let Some(f) = &app.records.services.refer {
        let result = (|| {
            let input = sv::ReferralInput {
                child_id: f.child.require()?,
                department: f.department.clone(),
                item: None,
                reason: f.reason.clone(),
                sent_on: parse_date(&t!(lang, "svc-referral-date"), &f.on)?,
                mreport_id: None,
            };
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::services::refer(store, s, &input)
            })
        })();
        match result {
            Ok(r) => {
                app.notices.success(
                    Place::RecordsServices,
                    t!(lang, "svc-referred", department = r.department.as_str()),
                );
                let st = &mut app.records.services;
                st.refer = None;
                st.loaded = false;
            }
            Err(e) => app.notices.error(Place::RecordsServices, e),
        }
    }
}

fn coverage_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    // Coverage is a statistic: offered to roles that may produce one (the
    // services check again).
    if !app.can(hutong_services::Action::Statistics) {
        return;
    }
    let lang = app.lang;
    let areas: Vec<String> = {
        let mut a: Vec<String> = catalogue(app).into_iter().map(|i| i.area).collect();
        a.dedup();
        let mut seen = std::collections::HashSet::new();
        a.retain(|x| seen.insert(x.clone()));
        a
    };
    let mut start = false;
    section(ui, &t!(lang, "svc-coverage"), |ui| {
        let st = &app.records.services;
        if app.jobs.running(JobName::ServiceCoverage) {
            app.jobs.show(ui, JobName::ServiceCoverage);
        } else {
            start = ui.button(t!(lang, "svc-coverage-run")).clicked();
        }
        if st.coverage.is_empty() {
            ui.weak(t!(lang, "svc-coverage-hint"));
            return;
        }
        let mut cols: Vec<String> = Vec::new();
        for r in &st.coverage {
            if !cols.contains(&r.area) {
                cols.push(r.area.clone());
            }
        }
        let mut towns: Vec<(String, String)> = Vec::new();
        for r in &st.coverage {
            if !towns.iter().any(|t| t.0 == r.township_code) {
                towns.push((r.township_code.clone(), r.township_name.clone()));
            }
        }
        egui::ScrollArea::horizontal()
            .id_salt("svc-coverage")
            .show(ui, |ui| {
                egui::Grid::new("svc-coverage-grid")
                    .striped(true)
                    .num_columns(cols.len() + 1)
                    .show(ui, |ui| {
                        ui.strong(t!(lang, "svc-col-township"));
                        for c in &cols {
                            ui.strong(c);
                        }
                        ui.end_row();
                        for (code, name) in &towns {
                            ui.label(name);
                            for c in &cols {
                                match st
                                    .coverage
                                    .iter()
                                    .find(|r| &r.township_code == code && &r.area == c)
                                {
                                    Some(r) => ui.label(t!(
                                        lang,
                                        "svc-coverage-cell",
                                        served = r.children_served,
                                        active = r.active_children,
                                        percent = format!("{:.0}", r.percent())
                                    )),
                                    None => ui.label("—"),
                                };
                            }
                            ui.end_row();
                        }
                    });
            });
        ui.weak(t!(lang, "svc-coverage-note"));
    });
    if start {
        let db = app.store.database();
        let session = app.session.clone();
        let title = t!(lang, "svc-coverage-job");
        app.jobs.start(
            JobName::ServiceCoverage,
            title,
            move |_| {
                let session = session.ok_or_else(|| t!(lang, "svc-signed-out"))?;
                let mut store = db.open()?;
                Ok(rec::services::coverage(
                    &mut store, &session, None, None, None, &areas,
                )?)
            },
            |app: &mut HutongApp, outcome| {
                let lang = app.lang;
                match outcome {
                    Outcome::Finished(rows) => app.records.services.coverage = rows,
                    Outcome::Failed(e) => app.notices.error(
                        Place::RecordsServices,
                        t!(lang, "svc-coverage-failed", error = e),
                    ),
                    Outcome::Cancelled => app
                        .notices
                        .error(Place::RecordsServices, t!(lang, "svc-cancelled")),
                }
            },
        );
    }
}
