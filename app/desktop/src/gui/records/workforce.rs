//! 工作队伍: the register of 儿童督导员 (township) and 儿童主任 (village) by
//! real name (add, edit with history, leave), training (date, topic, hours,
//! attendees), 儿童之家 and their activities, and the 县—乡—村 network with
//! its gaps (villages without a 主任, townships without a 督导员) listed
//! first, in red. The network walks every village of the county, so it is
//! built on a job.

use super::{form_grid, history_ui, load_history, opt, parse_date, section, text_row};
use crate::gui::HutongApp;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::{Notices, Place};
use crate::gui::serve;
use crate::i18n::Lang;
use crate::t;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::divisions::Division;
use hutong_core::workforce::{
    ChildHome, HomeActivity, Network, Training, Worker, WorkerInput, WorkerRole,
};
use hutong_services::records as rec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Part {
    #[default]
    Network,
    Register,
    Training,
    Homes,
}

#[derive(Default)]
pub struct State {
    part: Part,
    loaded: bool,
    workers: Vec<Worker>,
    role_filter: Option<WorkerRole>,
    name_filter: String,
    townships: Vec<Division>,
    villages: Vec<Division>,
    worker_form: Option<WorkerForm>,
    worker_selected: Option<(Worker, Vec<AuditEntry>, String, String)>,
    trainings: Vec<Training>,
    training_form: TrainingForm,
    homes: Vec<ChildHome>,
    home_form: HomeForm,
    home_selected: Option<(ChildHome, Vec<HomeActivity>, ActivityForm, String)>,
    network: Option<Network>,
    /// Set once the network was asked for, so a failure is not retried every frame.
    network_requested: bool,
    /// The part of the tab whose action caused the current notice.
    notice_at: Spot,
}

impl State {
    /// Where the current notice shows: a part that is closed hands it to
    /// the part around it.
    fn spot(&self) -> Spot {
        match self.notice_at {
            Spot::Home if self.home_selected.is_none() => Spot::Homes,
            at => at,
        }
    }
}

/// Where the tab draws its notice: near the part whose action caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Spot {
    /// The network's job (failed, cancelled).
    #[default]
    Network,
    /// The register: the worker form while it is open, else its top
    /// (leaving closes the selected worker).
    Register,
    Training,
    /// The 儿童之家 list's top.
    Homes,
    /// Adding a 儿童之家.
    HomeAdd,
    /// The selected 儿童之家 (activities, closing).
    Home,
}

/// The tab's notices (saved, left, closed, refused, the network's failure).
const PLACE: Place = Place::RecordsWorkforce;

/// Tells the outcome of an action, to be shown at `at`.
fn tell(app: &mut HutongApp, at: Spot, ok: bool, text: String) {
    app.records.workforce.notice_at = at;
    if ok {
        app.notices.success(PLACE, text);
    } else {
        app.notices.error(PLACE, text);
    }
}

/// Draws the tab's notice here when it belongs to `at` (`spot` is where
/// it belongs, read before the tab's state was borrowed for drawing).
fn notice_here(ui: &mut egui::Ui, notices: &mut Notices, spot: Spot, at: Spot) {
    if spot == at {
        notices.show_here(ui, PLACE);
    }
}

struct WorkerForm {
    editing: Option<RowId>,
    role: WorkerRole,
    name: String,
    division: String,
    phone: String,
    appointed: String,
    note: String,
}

#[derive(Default)]
struct TrainingForm {
    on: String,
    topic: String,
    hours: String,
    organiser: String,
    attendees: std::collections::BTreeSet<RowId>,
}

#[derive(Default)]
struct HomeForm {
    name: String,
    division: String,
    address: String,
    opened: String,
}

#[derive(Default)]
struct ActivityForm {
    on: String,
    title: String,
    participants: String,
    organiser: String,
}

/// A worker's post in the UI language.
fn role_label(lang: Lang, role: WorkerRole) -> String {
    t!(
        lang,
        match role {
            WorkerRole::Supervisor => "workforce-role-supervisor",
            WorkerRole::Director => "workforce-role-director",
        }
    )
}

fn reload(app: &mut HutongApp) {
    let lang = app.lang;
    let workers = app.call(|store, s| rec::workforce::list_workers(store, s, None, None, None));
    let trainings = app.call(rec::workforce::list_trainings).unwrap_or_default();
    let homes = app
        .call(|store, s| rec::workforce::list_homes(store, s, None))
        .unwrap_or_default();
    let places = if app.records.workforce.townships.is_empty() {
        app.call(rec::workforce::divisions_in_scope).ok()
    } else {
        None
    };
    match workers {
        Ok(w) => app.records.workforce.workers = w.into_iter().map(|(w, _)| w).collect(),
        Err(e) => tell(
            app,
            Spot::Register,
            false,
            t!(lang, "workforce-load_failed", error = e),
        ),
    }
    let st = &mut app.records.workforce;
    st.trainings = trainings;
    st.homes = homes.into_iter().map(|(h, _, _)| h).collect();
    if let Some((townships, villages)) = places {
        st.townships = townships;
        st.villages = villages;
    }
    st.loaded = true;
}

fn start_network(app: &mut HutongApp) {
    let db = app.store.database();
    let session = app.session.clone();
    let signed_out = app.t("workforce-signed_out");
    let title = app.t("workforce-job-network");
    app.records.workforce.network_requested = true;
    app.jobs.start(
        JobName::WorkforceNetwork,
        title,
        move |_| {
            let session = session.ok_or(signed_out)?;
            let mut store = db.open()?;
            Ok(rec::workforce::network(
                &mut store,
                &session,
                None,
                super::today(),
            )?)
        },
        |app: &mut HutongApp, outcome: Outcome<Network>| {
            let lang = app.lang;
            match outcome {
                Outcome::Finished(n) => app.records.workforce.network = Some(n),
                Outcome::Failed(e) => tell(
                    app,
                    Spot::Network,
                    false,
                    t!(lang, "workforce-network_failed", error = e),
                ),
                Outcome::Cancelled => {
                    tell(app, Spot::Network, false, t!(lang, "workforce-cancelled"))
                }
            }
        },
    );
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.workforce.loaded {
        reload(app);
    }
    if !app.records.workforce.network_requested {
        start_network(app);
    }
    let lang = app.lang;
    ui.horizontal(|ui| {
        let st = &mut app.records.workforce;
        for (p, key) in [
            (Part::Network, "rec-wf-network"),
            (Part::Register, "rec-wf-register"),
            (Part::Training, "rec-wf-training"),
            (Part::Homes, "rec-wf-homes"),
        ] {
            ui.selectable_value(&mut st.part, p, crate::i18n::tr(lang, key));
        }
    });
    ui.separator();
    match app.records.workforce.part {
        Part::Network => network_ui(app, ui),
        Part::Register => register_ui(app, ui),
        Part::Training => training_ui(app, ui),
        Part::Homes => homes_ui(app, ui),
    }
}

fn division_name(list: &[Division], code: &str) -> String {
    list.iter()
        .find(|d| d.code == code)
        .map(|d| d.name.clone())
        .unwrap_or_else(|| code.to_string())
}

/// A labelled division chooser over `list`, as a grid row.
fn division_row(ui: &mut egui::Ui, lang: Lang, label: &str, list: &[Division], value: &mut String) {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(("div", label))
        .width(320.0)
        .selected_text(if value.is_empty() {
            t!(lang, "workforce-choose")
        } else {
            division_name(list, value)
        })
        .show_ui(ui, |ui| {
            for d in list {
                ui.selectable_value(
                    value,
                    d.code.clone(),
                    t!(
                        lang,
                        "workforce-division_option",
                        name = d.name.as_str(),
                        code = d.code.as_str()
                    ),
                );
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
}

fn network_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut refresh = false;
    let lang = app.lang;
    {
        let st = &app.records.workforce;
        app.jobs.show(ui, JobName::WorkforceNetwork);
        notice_here(ui, &mut app.notices, st.spot(), Spot::Network);
        let Some(n) = &st.network else {
            return;
        };
        let gaps = n.villages_without_director();
        let no_sup = n.townships_without_supervisor();
        ui.horizontal(|ui| {
            ui.label(t!(
                lang,
                "workforce-network-summary",
                townships = n.townships.len(),
                villages = n.village_count(),
                on = n.on.to_string()
            ));
            refresh = ui.button(t!(lang, "rec-refresh")).clicked();
        });
        section(
            ui,
            &t!(lang, "workforce-gaps-title", n = gaps.len()),
            |ui| {
                if gaps.is_empty() {
                    ui.colored_label(crate::gui::theme::SUCCESS, t!(lang, "workforce-gaps-none"));
                }
                // A long gap list scrolls on its own so the tree stays in reach.
                egui::ScrollArea::vertical()
                    .id_salt("wf-gaps")
                    .max_height(220.0)
                    .show(ui, |ui| {
                        for (code, name, town) in &gaps {
                            ui.colored_label(
                                crate::gui::theme::ERROR,
                                t!(
                                    lang,
                                    "workforce-gap-village",
                                    town = *town,
                                    name = *name,
                                    code = *code
                                ),
                            );
                        }
                    });
                if !no_sup.is_empty() {
                    ui.separator();
                    for (code, name) in &no_sup {
                        ui.colored_label(
                            crate::gui::theme::ERROR,
                            t!(lang, "workforce-gap-township", name = *name, code = *code),
                        );
                    }
                }
            },
        );
        let separator = t!(lang, "list-separator");
        for t in &n.townships {
            let sups: Vec<String> = t
                .supervisors
                .iter()
                .map(|w| format!("{} {}", w.name, w.phone.clone().unwrap_or_default()))
                .collect();
            let missing = t.villages.iter().filter(|v| v.directors.is_empty()).count();
            let supervisors = if sups.is_empty() {
                t!(lang, "workforce-no_supervisor")
            } else {
                sups.join(separator.as_str())
            };
            egui::CollapsingHeader::new(t!(
                lang,
                if missing > 0 {
                    "workforce-township-missing"
                } else {
                    "workforce-township"
                },
                name = t.name.as_str(),
                supervisors = supervisors,
                villages = t.villages.len(),
                missing = missing
            ))
            .id_salt(("net", &t.code))
            .show(ui, |ui| {
                egui::Grid::new(("net-grid", &t.code))
                    .striped(true)
                    .num_columns(2)
                    .show(ui, |ui| {
                        for v in &t.villages {
                            ui.label(&v.name);
                            if v.directors.is_empty() {
                                ui.colored_label(
                                    crate::gui::theme::ERROR,
                                    t!(lang, "workforce-no_director"),
                                );
                            } else {
                                let d: Vec<String> = v
                                    .directors
                                    .iter()
                                    .map(|w| {
                                        format!(
                                            "{} {}",
                                            w.name,
                                            w.phone.clone().unwrap_or_default()
                                        )
                                    })
                                    .collect();
                                ui.label(d.join(separator.as_str()));
                            }
                            ui.end_row();
                        }
                    });
            });
        }
    }
    if refresh {
        start_network(app);
    }
}

fn register_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut open = None;
    let mut save = false;
    let mut leave = false;
    let mut edit = false;
    let lang = app.lang;
    {
        let notices = &mut app.notices;
        let st = &mut app.records.workforce;
        let spot = st.spot();
        // The register's outcomes show in the worker form while it is open.
        let form_open = st.worker_form.is_some();
        ui.horizontal(|ui| {
            ui.selectable_value(&mut st.role_filter, None, t!(lang, "list-all"));
            for role in [WorkerRole::Supervisor, WorkerRole::Director] {
                ui.selectable_value(&mut st.role_filter, Some(role), role_label(lang, role));
            }
            let l = ui.label(t!(lang, "workforce-name"));
            ui.add(egui::TextEdit::singleline(&mut st.name_filter).desired_width(120.0))
                .labelled_by(l.id);
            if ui.button(t!(lang, "workforce-add")).clicked() {
                st.worker_form = Some(WorkerForm {
                    editing: None,
                    role: WorkerRole::Director,
                    name: String::new(),
                    division: String::new(),
                    phone: String::new(),
                    appointed: super::today().to_string(),
                    note: String::new(),
                });
            }
        });
        if !form_open {
            notice_here(ui, notices, spot, Spot::Register);
        }
        if let Some(f) = st.worker_form.as_mut() {
            section(ui, &t!(lang, "workforce-form-title"), |ui| {
                ui.horizontal(|ui| {
                    if f.editing.is_none() {
                        ui.radio_value(
                            &mut f.role,
                            WorkerRole::Supervisor,
                            t!(lang, "workforce-role-supervisor_level"),
                        );
                        ui.radio_value(
                            &mut f.role,
                            WorkerRole::Director,
                            t!(lang, "workforce-role-director_level"),
                        );
                    }
                });
                form_grid("wf-worker", ui, |ui| {
                    text_row(ui, &t!(lang, "workforce-name"), &mut f.name);
                    let list = match f.role {
                        WorkerRole::Supervisor => &st.townships,
                        WorkerRole::Director => &st.villages,
                    };
                    division_row(
                        ui,
                        lang,
                        &t!(lang, "workforce-division"),
                        list,
                        &mut f.division,
                    );
                    text_row(ui, &t!(lang, "workforce-phone"), &mut f.phone);
                    text_row(ui, &t!(lang, "workforce-appointed"), &mut f.appointed);
                    text_row(ui, &t!(lang, "workforce-note"), &mut f.note);
                });
                save = ui.button(t!(lang, "workforce-save")).clicked();
                if form_open {
                    notice_here(ui, notices, spot, Spot::Register);
                }
            });
        }
        let needle = st.name_filter.trim().to_string();
        let all_divisions: Vec<&Division> = st.townships.iter().chain(&st.villages).collect();
        egui::Grid::new("wf-workers")
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                for h in [
                    t!(lang, "workforce-col-role"),
                    t!(lang, "workforce-name"),
                    t!(lang, "workforce-col-division"),
                    t!(lang, "workforce-col-phone"),
                    t!(lang, "workforce-col-appointed"),
                    String::new(),
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, w) in st.workers.iter().enumerate() {
                    if st.role_filter.is_some_and(|r| r != w.role)
                        || (!needle.is_empty() && !w.name.contains(&needle))
                    {
                        continue;
                    }
                    ui.label(role_label(lang, w.role));
                    ui.label(&w.name);
                    ui.label(
                        all_divisions
                            .iter()
                            .find(|d| d.code == w.division_code)
                            .map(|d| d.name.clone())
                            .unwrap_or_else(|| w.division_code.clone()),
                    );
                    ui.label(w.phone.clone().unwrap_or_default());
                    ui.label(match w.left_on {
                        Some(left) => t!(
                            lang,
                            "workforce-term",
                            from = w.appointed_on.to_string(),
                            to = left.to_string()
                        ),
                        None => w.appointed_on.to_string(),
                    });
                    if ui.small_button(t!(lang, "workforce-view")).clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if let Some((w, h, on, reason)) = st.worker_selected.as_mut() {
            let title = t!(
                lang,
                "workforce-worker-title",
                role = role_label(lang, w.role),
                name = w.name.as_str()
            );
            section(ui, &title, |ui| {
                ui.horizontal(|ui| {
                    edit = ui.button(t!(lang, "workforce-edit")).clicked();
                });
                if w.left_on.is_none() {
                    form_grid("wf-leave", ui, |ui| {
                        text_row(ui, &t!(lang, "workforce-left_on"), on);
                        text_row(ui, &t!(lang, "workforce-leave_reason"), reason);
                    });
                    leave = ui.button(t!(lang, "workforce-leave")).clicked();
                }
                history_ui(ui, &t!(lang, "workforce-history"), h);
            });
        }
    }
    if let Some(i) = open {
        let w = app.records.workforce.workers[i].clone();
        let h = load_history(app, "workers", w.id);
        app.records.workforce.worker_selected =
            Some((w, h, super::today().to_string(), String::new()));
    }
    let st = &mut app.records.workforce;
    if edit && let Some((w, _, _, _)) = &st.worker_selected {
        st.worker_form = Some(WorkerForm {
            editing: Some(w.id),
            role: w.role,
            name: w.name.clone(),
            division: w.division_code.clone(),
            phone: w.phone.clone().unwrap_or_default(),
            appointed: w.appointed_on.to_string(),
            note: w.note.clone().unwrap_or_default(),
        });
    }
    if save && let Some(f) = &app.records.workforce.worker_form {
        let result =
            parse_date(&t!(lang, "workforce-appointed"), &f.appointed).and_then(|appointed_on| {
                let input = WorkerInput {
                    role: f.role,
                    name: f.name.clone(),
                    division_code: f.division.clone(),
                    phone: opt(&f.phone),
                    appointed_on,
                    note: opt(&f.note),
                };
                serve(&mut app.store, app.session.as_ref(), |store, s| {
                    match f.editing {
                        Some(id) => rec::workforce::update_worker(store, s, id, &input),
                        None => rec::workforce::add_worker(store, s, &input),
                    }
                })
            });
        let saved = finish(
            app,
            Spot::Register,
            result.map(|w| {
                t!(
                    lang,
                    "workforce-saved",
                    role = role_label(lang, w.role),
                    name = w.name
                )
            }),
        );
        if saved {
            app.records.workforce.worker_form = None;
            app.records.workforce.worker_selected = None;
        }
    }
    if leave && let Some((w, _, on, reason)) = &app.records.workforce.worker_selected {
        let id = w.id;
        let result = parse_date(&t!(lang, "workforce-left_on"), on).and_then(|on| {
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::workforce::leave(store, s, id, on, reason)
            })
        });
        finish(
            app,
            Spot::Register,
            result.map(|w| t!(lang, "workforce-left", name = w.name)),
        );
        app.records.workforce.worker_selected = None;
    }
}

/// Shows the outcome at `at`; a write changes the register and the
/// network. Returns whether it worked.
fn finish(app: &mut HutongApp, at: Spot, result: Result<String, String>) -> bool {
    match result {
        Ok(m) => {
            let st = &mut app.records.workforce;
            st.loaded = false;
            st.network_requested = false;
            tell(app, at, true, m);
            true
        }
        Err(e) => {
            tell(app, at, false, e);
            false
        }
    }
}

fn training_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut save = false;
    let lang = app.lang;
    {
        let notices = &mut app.notices;
        let st = &mut app.records.workforce;
        let spot = st.spot();
        let names: std::collections::HashMap<RowId, &str> =
            st.workers.iter().map(|w| (w.id, w.name.as_str())).collect();
        let total: f64 = st.trainings.iter().map(|t| t.hours).sum();
        ui.label(t!(
            lang,
            "workforce-training-summary",
            n = st.trainings.len(),
            hours = total.to_string()
        ));
        let separator = t!(lang, "list-separator");
        egui::Grid::new("wf-trainings")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for h in [
                    "workforce-col-date",
                    "workforce-col-topic",
                    "workforce-hours",
                    "workforce-organiser",
                    "workforce-col-attendees",
                ] {
                    ui.strong(t!(lang, h));
                }
                ui.end_row();
                for t in &st.trainings {
                    ui.label(t.held_on.to_string());
                    ui.label(&t.topic);
                    ui.label(t.hours.to_string());
                    ui.label(t.organiser.clone().unwrap_or_default());
                    let who: Vec<&str> = t
                        .attendees
                        .iter()
                        .filter_map(|a| names.get(a).copied())
                        .take(8)
                        .collect();
                    ui.label(t!(
                        lang,
                        "workforce-attendees",
                        n = t.attendees.len(),
                        names = who.join(separator.as_str()),
                        more = if t.attendees.len() > who.len() {
                            "…"
                        } else {
                            ""
                        }
                    ));
                    ui.end_row();
                }
            });
        let f = &mut st.training_form;
        if f.on.is_empty() {
            f.on = super::today().to_string();
        }
        section(ui, &t!(lang, "workforce-training-add"), |ui| {
            form_grid("wf-training", ui, |ui| {
                text_row(ui, &t!(lang, "workforce-training-on"), &mut f.on);
                text_row(ui, &t!(lang, "workforce-training-topic"), &mut f.topic);
                text_row(ui, &t!(lang, "workforce-hours"), &mut f.hours);
                text_row(ui, &t!(lang, "workforce-organiser"), &mut f.organiser);
            });
            ui.label(t!(
                lang,
                "workforce-attendees-chosen",
                n = f.attendees.len()
            ));
            egui::ScrollArea::vertical()
                .id_salt("wf-attendees")
                .max_height(160.0)
                .show(ui, |ui| {
                    for w in st.workers.iter().filter(|w| w.left_on.is_none()) {
                        let mut on = f.attendees.contains(&w.id);
                        if ui
                            .checkbox(&mut on, format!("{} {}", role_label(lang, w.role), w.name))
                            .changed()
                        {
                            if on {
                                f.attendees.insert(w.id);
                            } else {
                                f.attendees.remove(&w.id);
                            }
                        }
                    }
                });
            save = ui.button(t!(lang, "workforce-training-save")).clicked();
            notice_here(ui, notices, spot, Spot::Training);
        });
    }
    if save {
        let f = &app.records.workforce.training_form;
        let result = (|| {
            let on = parse_date(&t!(lang, "workforce-training-on"), &f.on)?;
            let hours: f64 = f
                .hours
                .trim()
                .parse()
                .map_err(|_| t!(lang, "workforce-hours_not_number", value = f.hours.clone()))?;
            let attendees: Vec<RowId> = f.attendees.iter().copied().collect();
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::workforce::add_training(
                    store,
                    s,
                    on,
                    &f.topic,
                    hours,
                    opt(&f.organiser).as_deref(),
                    &attendees,
                )
            })
        })();
        let saved = finish(
            app,
            Spot::Training,
            result.map(|t| t!(lang, "workforce-training-saved", topic = t.topic)),
        );
        if saved {
            app.records.workforce.training_form = TrainingForm::default();
        }
    }
}

fn homes_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut save = false;
    let mut open = None;
    let mut add_activity = false;
    let mut close = false;
    let lang = app.lang;
    {
        let notices = &mut app.notices;
        let st = &mut app.records.workforce;
        let spot = st.spot();
        notice_here(ui, notices, spot, Spot::Homes);
        egui::Grid::new("wf-homes")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for h in [
                    t!(lang, "workforce-col-name"),
                    t!(lang, "workforce-col-village"),
                    t!(lang, "workforce-address"),
                    t!(lang, "workforce-col-opened"),
                    String::new(),
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, h) in st.homes.iter().enumerate() {
                    ui.label(&h.name);
                    ui.label(division_name(&st.villages, &h.division_code));
                    ui.label(h.address.clone().unwrap_or_default());
                    ui.label(match h.closed_on {
                        Some(closed) => t!(
                            lang,
                            "workforce-home-opened_closed",
                            opened = h.opened_on.to_string(),
                            closed = closed.to_string()
                        ),
                        None => h.opened_on.to_string(),
                    });
                    if ui.small_button(t!(lang, "workforce-activities")).clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if st.homes.is_empty() {
            ui.weak(t!(lang, "workforce-no_homes"));
        }
        if let Some((h, acts, f, reason)) = st.home_selected.as_mut() {
            section(
                ui,
                &t!(
                    lang,
                    "workforce-home-activities",
                    name = h.name.as_str(),
                    n = acts.len()
                ),
                |ui| {
                    for a in acts.iter() {
                        ui.label(t!(
                            lang,
                            "workforce-activity",
                            on = a.held_on.to_string(),
                            title = a.title.as_str(),
                            participants = a
                                .participants
                                .map(|p| t!(lang, "workforce-activity-participants", n = p))
                                .unwrap_or_default(),
                            organiser = a
                                .organiser
                                .as_ref()
                                .map(|o| {
                                    t!(lang, "workforce-activity-organiser", organiser = o.as_str())
                                })
                                .unwrap_or_default()
                        ));
                    }
                    if h.closed_on.is_none() {
                        form_grid("wf-activity", ui, |ui| {
                            text_row(ui, &t!(lang, "workforce-activity-on"), &mut f.on);
                            text_row(ui, &t!(lang, "workforce-activity-title"), &mut f.title);
                            text_row(
                                ui,
                                &t!(lang, "workforce-activity-participants_field"),
                                &mut f.participants,
                            );
                            text_row(
                                ui,
                                &t!(lang, "workforce-activity-organiser_field"),
                                &mut f.organiser,
                            );
                        });
                        add_activity = ui.button(t!(lang, "workforce-activity-add")).clicked();
                        ui.horizontal(|ui| {
                            let l = ui.label(t!(lang, "workforce-close_reason"));
                            ui.add(egui::TextEdit::singleline(reason).desired_width(200.0))
                                .labelled_by(l.id);
                            close = ui.button(t!(lang, "workforce-home-close")).clicked();
                        });
                    }
                    notice_here(ui, notices, spot, Spot::Home);
                },
            );
        }
        let f = &mut st.home_form;
        if f.opened.is_empty() {
            f.opened = super::today().to_string();
        }
        section(ui, &t!(lang, "workforce-home-add"), |ui| {
            form_grid("wf-home", ui, |ui| {
                text_row(ui, &t!(lang, "workforce-home-name"), &mut f.name);
                division_row(
                    ui,
                    lang,
                    &t!(lang, "workforce-home-village"),
                    &st.villages,
                    &mut f.division,
                );
                text_row(ui, &t!(lang, "workforce-address"), &mut f.address);
                text_row(ui, &t!(lang, "workforce-home-opened"), &mut f.opened);
            });
            save = ui.button(t!(lang, "workforce-home-save")).clicked();
            notice_here(ui, notices, spot, Spot::HomeAdd);
        });
    }
    if let Some(i) = open {
        let h = app.records.workforce.homes[i].clone();
        let id = h.id;
        let acts = app
            .call(|store, s| rec::workforce::activities(store, s, id))
            .unwrap_or_default();
        let f = ActivityForm {
            on: super::today().to_string(),
            ..ActivityForm::default()
        };
        app.records.workforce.home_selected = Some((h, acts, f, String::new()));
    }
    if save {
        let f = &app.records.workforce.home_form;
        let result = parse_date(&t!(lang, "workforce-home-opened"), &f.opened).and_then(|on| {
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::workforce::add_home(
                    store,
                    s,
                    &f.name,
                    &f.division,
                    opt(&f.address).as_deref(),
                    on,
                )
            })
        });
        let saved = finish(
            app,
            Spot::HomeAdd,
            result.map(|h| t!(lang, "workforce-home-saved", name = h.name)),
        );
        if saved {
            app.records.workforce.home_form = HomeForm::default();
        }
    }
    if (add_activity || close)
        && let Some((h, _, f, reason)) = &app.records.workforce.home_selected
    {
        let id = h.id;
        let result = if close {
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::workforce::close_home(store, s, id, super::today(), reason)
            })
            .map(|h| t!(lang, "workforce-home-closed", name = h.name))
        } else {
            (|| {
                let on = parse_date(&t!(lang, "workforce-activity-on"), &f.on)?;
                let n = if f.participants.trim().is_empty() {
                    None
                } else {
                    Some(f.participants.trim().parse::<u32>().map_err(|_| {
                        t!(
                            lang,
                            "workforce-participants_not_integer",
                            value = f.participants.clone()
                        )
                    })?)
                };
                serve(&mut app.store, app.session.as_ref(), |store, s| {
                    rec::workforce::add_activity(
                        store,
                        s,
                        id,
                        on,
                        &f.title,
                        n,
                        opt(&f.organiser).as_deref(),
                    )
                })
                .map(|a| t!(lang, "workforce-activity-saved", title = a.title))
            })()
        };
        // Closing closes the home's part: its outcome shows above the list.
        let at = if close { Spot::Homes } else { Spot::Home };
        if finish(app, at, result) {
            let HutongApp {
                store,
                session,
                records,
                ..
            } = &mut *app;
            let st = &mut records.workforce;
            if let Some((h, acts, f, _)) = st.home_selected.as_mut() {
                let id = h.id;
                *acts = serve(store, session.as_ref(), |store, s| {
                    rec::workforce::activities(store, s, id)
                })
                .unwrap_or_default();
                *f = ActivityForm {
                    on: super::today().to_string(),
                    ..ActivityForm::default()
                };
            }
            if close {
                st.home_selected = None;
            }
        }
    }
}

// Jobs complete through app.jobs; kept until mod.rs stops calling it.
