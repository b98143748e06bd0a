//! 工作队伍: the register of 儿童督导员 (township) and 儿童主任 (village) by
//! real name (add, edit with history, leave), training (date, topic, hours,
//! attendees), 儿童之家 and their activities, and the 县—乡—村 network with
//! its gaps (villages without a 主任, townships without a 督导员) listed
//! first, in red. The network walks every village of the county, so it is
//! built on a job.

use super::{form_grid, history_ui, load_history, opt, parse_date, section, text_row};
use crate::gui::jobs::{self, Job, Outcome};
use crate::gui::{HutongApp, serve, status_message};
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
    network_job: Option<Job<Network>>,
    /// Set once the network was asked for, so a failure is not retried every frame.
    network_requested: bool,
    message: Option<(bool, String)>,
}

impl State {
    pub fn busy(&self) -> bool {
        self.network_job.is_some()
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

fn reload(app: &mut HutongApp) {
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
    let st = &mut app.records.workforce;
    match workers {
        Ok(w) => st.workers = w.into_iter().map(|(w, _)| w).collect(),
        Err(e) => st.message = Some((false, format!("读取工作队伍失败：{e}"))),
    }
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
    app.records.workforce.network_requested = true;
    app.records.workforce.network_job = Some(jobs::spawn("构建县乡村网络", move |_| {
        let session = session.ok_or_else(|| "未登录".to_string())?;
        let mut store = db.open().map_err(|e| e.to_string())?;
        rec::workforce::network(&mut store, &session, None, super::today())
            .map_err(|e| e.to_string())
    }));
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.workforce.loaded {
        reload(app);
    }
    if !app.records.workforce.network_requested {
        start_network(app);
    }
    status_message(ui, app.records.workforce.message.as_ref());
    let lang = app.lang;
    ui.horizontal(|ui| {
        let st = &mut app.records.workforce;
        for (p, key) in [
            (Part::Network, "rec.wf.network"),
            (Part::Register, "rec.wf.register"),
            (Part::Training, "rec.wf.training"),
            (Part::Homes, "rec.wf.homes"),
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
fn division_row(ui: &mut egui::Ui, label: &str, list: &[Division], value: &mut String) {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(("div", label))
        .width(320.0)
        .selected_text(if value.is_empty() {
            "请选择".to_string()
        } else {
            division_name(list, value)
        })
        .show_ui(ui, |ui| {
            for d in list {
                ui.selectable_value(value, d.code.clone(), format!("{}（{}）", d.name, d.code));
            }
        })
        .response
        .labelled_by(l.id);
    ui.end_row();
}

fn network_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut refresh = false;
    {
        let st = &app.records.workforce;
        if let Some(job) = &st.network_job {
            job.show(ui, "取消");
        }
        let Some(n) = &st.network else {
            return;
        };
        let gaps = n.villages_without_director();
        let no_sup = n.townships_without_supervisor();
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} 个乡镇（街道），{} 个村（居），截至 {}",
                n.townships.len(),
                n.village_count(),
                n.on
            ));
            refresh = ui.button("刷新").clicked();
        });
        section(
            ui,
            &format!("缺口：没有儿童主任的村（居）{} 个", gaps.len()),
            |ui| {
                if gaps.is_empty() {
                    ui.colored_label(crate::gui::theme::SUCCESS, "每个村（居）都有在岗的儿童主任");
                }
                // A long gap list scrolls on its own so the tree stays in reach.
                egui::ScrollArea::vertical()
                    .id_salt("wf-gaps")
                    .max_height(220.0)
                    .show(ui, |ui| {
                        for (code, name, town) in &gaps {
                            ui.colored_label(
                                crate::gui::theme::ERROR,
                                format!("⚠ {town} {name}（{code}）：无儿童主任"),
                            );
                        }
                    });
                if !no_sup.is_empty() {
                    ui.separator();
                    for (code, name) in &no_sup {
                        ui.colored_label(
                            crate::gui::theme::ERROR,
                            format!("⚠ {name}（{code}）：无儿童督导员"),
                        );
                    }
                }
            },
        );
        for t in &n.townships {
            let sups: Vec<String> = t
                .supervisors
                .iter()
                .map(|w| format!("{} {}", w.name, w.phone.clone().unwrap_or_default()))
                .collect();
            let missing = t.villages.iter().filter(|v| v.directors.is_empty()).count();
            egui::CollapsingHeader::new(format!(
                "{}　督导员：{}　{} 个村（居）{}",
                t.name,
                if sups.is_empty() {
                    "（缺）".to_string()
                } else {
                    sups.join("、")
                },
                t.villages.len(),
                if missing > 0 {
                    format!("，{missing} 个无主任")
                } else {
                    String::new()
                }
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
                                ui.colored_label(crate::gui::theme::ERROR, "无儿童主任");
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
                                ui.label(d.join("、"));
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
    {
        let st = &mut app.records.workforce;
        ui.horizontal(|ui| {
            ui.selectable_value(&mut st.role_filter, None, "全部");
            ui.selectable_value(
                &mut st.role_filter,
                Some(WorkerRole::Supervisor),
                "儿童督导员",
            );
            ui.selectable_value(&mut st.role_filter, Some(WorkerRole::Director), "儿童主任");
            let l = ui.label("姓名");
            ui.add(egui::TextEdit::singleline(&mut st.name_filter).desired_width(120.0))
                .labelled_by(l.id);
            if ui.button("＋ 登记人员").clicked() {
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
        if let Some(f) = st.worker_form.as_mut() {
            section(ui, "登记督导员 / 主任", |ui| {
                ui.horizontal(|ui| {
                    if f.editing.is_none() {
                        ui.radio_value(&mut f.role, WorkerRole::Supervisor, "儿童督导员（乡镇）");
                        ui.radio_value(&mut f.role, WorkerRole::Director, "儿童主任（村居）");
                    }
                });
                form_grid("wf-worker", ui, |ui| {
                    text_row(ui, "姓名", &mut f.name);
                    let list = match f.role {
                        WorkerRole::Supervisor => &st.townships,
                        WorkerRole::Director => &st.villages,
                    };
                    division_row(ui, "所在区划", list, &mut f.division);
                    text_row(ui, "联系电话", &mut f.phone);
                    text_row(ui, "任职日期", &mut f.appointed);
                    text_row(ui, "备注", &mut f.note);
                });
                save = ui.button("保存人员").clicked();
            });
        }
        let needle = st.name_filter.trim().to_string();
        let all_divisions: Vec<&Division> = st.townships.iter().chain(&st.villages).collect();
        egui::Grid::new("wf-workers")
            .striped(true)
            .num_columns(6)
            .show(ui, |ui| {
                for h in ["岗位", "姓名", "区划", "电话", "任职", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, w) in st.workers.iter().enumerate() {
                    if st.role_filter.is_some_and(|r| r != w.role)
                        || (!needle.is_empty() && !w.name.contains(&needle))
                    {
                        continue;
                    }
                    ui.label(w.role.label_zh());
                    ui.label(&w.name);
                    ui.label(
                        all_divisions
                            .iter()
                            .find(|d| d.code == w.division_code)
                            .map(|d| d.name.clone())
                            .unwrap_or_else(|| w.division_code.clone()),
                    );
                    ui.label(w.phone.clone().unwrap_or_default());
                    ui.label(format!(
                        "{}{}",
                        w.appointed_on,
                        w.left_on.map(|d| format!(" 至 {d}")).unwrap_or_default()
                    ));
                    if ui.small_button("查看").clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if let Some((w, h, on, reason)) = st.worker_selected.as_mut() {
            section(ui, &format!("{}：{}", w.role.label_zh(), w.name), |ui| {
                ui.horizontal(|ui| {
                    edit = ui.button("修改").clicked();
                });
                if w.left_on.is_none() {
                    form_grid("wf-leave", ui, |ui| {
                        text_row(ui, "离任日期", on);
                        text_row(ui, "离任原因", reason);
                    });
                    leave = ui.button("登记离任").clicked();
                }
                history_ui(ui, "人员修改历史", h);
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
        let result = parse_date("任职日期", &f.appointed).and_then(|appointed_on| {
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
        finish(
            app,
            result.map(|w| format!("已保存{}：{}", w.role.label_zh(), w.name)),
        );
        if app.records.workforce.message.as_ref().is_some_and(|m| m.0) {
            app.records.workforce.worker_form = None;
            app.records.workforce.worker_selected = None;
        }
    }
    if leave && let Some((w, _, on, reason)) = &app.records.workforce.worker_selected {
        let id = w.id;
        let result = parse_date("离任日期", on).and_then(|on| {
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::workforce::leave(store, s, id, on, reason)
            })
        });
        finish(app, result.map(|w| format!("{} 已离任", w.name)));
        app.records.workforce.worker_selected = None;
    }
}

/// Shows the outcome; a write changes the register and the network.
fn finish(app: &mut HutongApp, result: Result<String, String>) {
    let st = &mut app.records.workforce;
    match result {
        Ok(m) => {
            st.message = Some((true, m));
            st.loaded = false;
            st.network_requested = false;
        }
        Err(e) => st.message = Some((false, e)),
    }
}

fn training_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut save = false;
    {
        let st = &mut app.records.workforce;
        let names: std::collections::HashMap<RowId, &str> =
            st.workers.iter().map(|w| (w.id, w.name.as_str())).collect();
        let total: f64 = st.trainings.iter().map(|t| t.hours).sum();
        ui.label(format!("共 {} 次培训，{} 学时", st.trainings.len(), total));
        egui::Grid::new("wf-trainings")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for h in ["日期", "主题", "学时", "组织单位", "参训人员"] {
                    ui.strong(h);
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
                    ui.label(format!(
                        "{} 人：{}{}",
                        t.attendees.len(),
                        who.join("、"),
                        if t.attendees.len() > who.len() {
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
        section(ui, "登记培训", |ui| {
            form_grid("wf-training", ui, |ui| {
                text_row(ui, "培训日期", &mut f.on);
                text_row(ui, "培训主题", &mut f.topic);
                text_row(ui, "学时", &mut f.hours);
                text_row(ui, "组织单位", &mut f.organiser);
            });
            ui.label(format!("参训人员（已选 {}）", f.attendees.len()));
            egui::ScrollArea::vertical()
                .id_salt("wf-attendees")
                .max_height(160.0)
                .show(ui, |ui| {
                    for w in st.workers.iter().filter(|w| w.left_on.is_none()) {
                        let mut on = f.attendees.contains(&w.id);
                        if ui
                            .checkbox(&mut on, format!("{} {}", w.role.label_zh(), w.name))
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
            save = ui.button("保存培训").clicked();
        });
    }
    if save {
        let f = &app.records.workforce.training_form;
        let result = (|| {
            let on = parse_date("培训日期", &f.on)?;
            let hours: f64 = f
                .hours
                .trim()
                .parse()
                .map_err(|_| format!("字段“学时”：“{}”不是数字", f.hours))?;
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
        finish(app, result.map(|t| format!("已登记培训：{}", t.topic)));
        if app.records.workforce.message.as_ref().is_some_and(|m| m.0) {
            app.records.workforce.training_form = TrainingForm::default();
        }
    }
}

fn homes_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut save = false;
    let mut open = None;
    let mut add_activity = false;
    let mut close = false;
    {
        let st = &mut app.records.workforce;
        egui::Grid::new("wf-homes")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for h in ["名称", "村（居）", "地址", "启用", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for (i, h) in st.homes.iter().enumerate() {
                    ui.label(&h.name);
                    ui.label(division_name(&st.villages, &h.division_code));
                    ui.label(h.address.clone().unwrap_or_default());
                    ui.label(format!(
                        "{}{}",
                        h.opened_on,
                        h.closed_on
                            .map(|d| format!("（{d} 关闭）"))
                            .unwrap_or_default()
                    ));
                    if ui.small_button("活动").clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if st.homes.is_empty() {
            ui.weak("尚未登记儿童之家");
        }
        if let Some((h, acts, f, reason)) = st.home_selected.as_mut() {
            section(
                ui,
                &format!("{} 的活动（{}）", h.name, acts.len()),
                |ui| {
                    for a in acts.iter() {
                        ui.label(format!(
                            "{} {}　{}{}",
                            a.held_on,
                            a.title,
                            a.participants
                                .map(|p| format!("{p} 人参加"))
                                .unwrap_or_default(),
                            a.organiser
                                .as_ref()
                                .map(|o| format!("　组织：{o}"))
                                .unwrap_or_default()
                        ));
                    }
                    if h.closed_on.is_none() {
                        form_grid("wf-activity", ui, |ui| {
                            text_row(ui, "活动日期", &mut f.on);
                            text_row(ui, "活动名称", &mut f.title);
                            text_row(ui, "参加人数", &mut f.participants);
                            text_row(ui, "活动组织者", &mut f.organiser);
                        });
                        add_activity = ui.button("登记活动").clicked();
                        ui.horizontal(|ui| {
                            let l = ui.label("关闭原因");
                            ui.add(egui::TextEdit::singleline(reason).desired_width(200.0))
                                .labelled_by(l.id);
                            close = ui.button("关闭儿童之家").clicked();
                        });
                    }
                },
            );
        }
        let f = &mut st.home_form;
        if f.opened.is_empty() {
            f.opened = super::today().to_string();
        }
        section(ui, "登记儿童之家", |ui| {
            form_grid("wf-home", ui, |ui| {
                text_row(ui, "儿童之家名称", &mut f.name);
                division_row(ui, "所在村（居）", &st.villages, &mut f.division);
                text_row(ui, "地址", &mut f.address);
                text_row(ui, "启用日期", &mut f.opened);
            });
            save = ui.button("保存儿童之家").clicked();
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
        let result = parse_date("启用日期", &f.opened).and_then(|on| {
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
        finish(app, result.map(|h| format!("已登记儿童之家：{}", h.name)));
        if app.records.workforce.message.as_ref().is_some_and(|m| m.0) {
            app.records.workforce.home_form = HomeForm::default();
        }
    }
    if (add_activity || close)
        && let Some((h, _, f, reason)) = &app.records.workforce.home_selected
    {
        let id = h.id;
        let result =
            if close {
                serve(&mut app.store, app.session.as_ref(), |store, s| {
                    rec::workforce::close_home(store, s, id, super::today(), reason)
                })
                .map(|h| format!("已关闭 {}", h.name))
            } else {
                (|| {
                    let on = parse_date("活动日期", &f.on)?;
                    let n =
                        if f.participants.trim().is_empty() {
                            None
                        } else {
                            Some(f.participants.trim().parse::<u32>().map_err(|_| {
                                format!("字段“参加人数”：“{}”不是整数", f.participants)
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
                    .map(|a| format!("已登记活动：{}", a.title))
                })()
            };
        let ok = result.is_ok();
        finish(app, result);
        if ok {
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

pub fn poll(app: &mut HutongApp) {
    let st = &mut app.records.workforce;
    if let Some(job) = &st.network_job
        && let Some(outcome) = job.poll()
    {
        st.network_job = None;
        match outcome {
            Outcome::Finished(n) => st.network = Some(n),
            Outcome::Failed(e) => st.message = Some((false, format!("网络构建失败：{e}"))),
            Outcome::Cancelled => st.message = Some((false, "已取消".into())),
        }
    }
}
