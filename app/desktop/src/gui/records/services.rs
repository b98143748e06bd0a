//! 关爱服务: the province plugin's catalogue, per-child services (date,
//! provider, department, outcome; edit with history, void), referrals with
//! their status, and coverage per service area per township (computed on a
//! job: it counts every active child of the county).

use super::{
    ChildPick, child_row, form_grid, history_ui, load_history, opt, parse_date, section, text_row,
};
use crate::gui::jobs::{self, Job, Outcome};
use crate::gui::{HutongApp, serve, status_message};
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::province::ServiceItem;
use hutong_core::services::{
    self as sv, CoverageRow, ItemSnapshot, Referral, ReferralStatus, ServiceRecord, ServiceRow,
};
use hutong_services::records as rec;

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
    message: Option<(bool, String)>,
    coverage: Vec<CoverageRow>,
    coverage_job: Option<Job<Vec<CoverageRow>>>,
    status_on: String,
    refer: Option<ReferForm>,
}

impl State {
    pub fn busy(&self) -> bool {
        self.coverage_job.is_some()
    }

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
    let st = &app.records.services;
    let from = parse_range(&st.from, "起始日期");
    let to = parse_range(&st.to, "截止日期");
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
    let st = &mut app.records.services;
    match rows {
        Ok(rows) => st.rows = rows,
        Err(e) => st.message = Some((false, format!("读取服务记录失败：{e}"))),
    }
    st.referrals = referrals;
    st.loaded = true;
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.services.loaded {
        reload(app);
    }
    status_message(ui, app.records.services.message.as_ref());
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
    let items = catalogue(app);
    let mut chosen = None;
    egui::CollapsingHeader::new(format!("服务清单（省级插件，{} 项）", items.len()))
        .id_salt("svc-catalogue")
        .show(ui, |ui| {
            if items.is_empty() {
                ui.weak("没有加载省级插件，或插件没有提供服务清单");
            }
            egui::Grid::new("svc-cat-grid")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in ["编码", "领域", "项目", "责任部门", ""] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for i in &items {
                        ui.label(&i.code);
                        ui.label(&i.area);
                        ui.label(&i.name);
                        ui.label(&i.department);
                        if ui.small_button("记录此项服务").clicked() {
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
    if ui.button("＋ 登记服务").clicked() {
        let st = &mut app.records.services;
        st.form = Some(Form {
            date: super::today().to_string(),
            ..Form::default()
        });
    }
}

fn form(app: &mut HutongApp, ui: &mut egui::Ui) {
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
            "修改服务记录"
        } else {
            "登记服务"
        };
        section(ui, title, |ui| {
            form_grid("svc-form", ui, |ui| {
                child_row(ui, store, session.as_ref(), &mut f.child);
                let l = ui.label("服务项目");
                let shown = f
                    .item
                    .as_ref()
                    .map(|i| format!("{}·{}", i.area, i.name))
                    .unwrap_or_else(|| "请选择".into());
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
                text_row(ui, "服务日期", &mut f.date);
                text_row(ui, "服务提供者", &mut f.provider);
                text_row(ui, "责任部门", &mut f.department);
                super::multi_row(ui, "服务结果", &mut f.outcome);
            });
            ui.horizontal(|ui| {
                save = ui.button("保存服务").clicked();
                cancel = ui.button("取消").clicked();
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
        let item = f.item.clone().ok_or("字段“服务项目”：请从服务清单中选择")?;
        Ok::<_, String>(sv::ServiceInput {
            child_id,
            item,
            service_date: parse_date("服务日期", &f.date)?,
            provider: f.provider.clone(),
            department: f.department.clone(),
            outcome: opt(&f.outcome),
        })
    })();
    let input = match input {
        Ok(i) => i,
        Err(e) => {
            st.message = Some((false, e));
            return;
        }
    };
    let editing = f.editing;
    let today = super::today();
    let saved = app.call(|store, s| match editing {
        Some(id) => rec::services::update(store, s, id, &input, today),
        None => rec::services::add(store, s, &input, today),
    });
    let st = &mut app.records.services;
    match saved {
        Ok(r) => {
            st.message = Some((true, format!("已保存服务：{}", r.item.name)));
            st.form = None;
            st.loaded = false;
            st.selected = None;
        }
        Err(e) => st.message = Some((false, e)),
    }
}

fn services_list(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut open = None;
    section(ui, "服务记录", |ui| {
        let st = &mut app.records.services;
        ui.horizontal(|ui| {
            let l = ui.label("筛选");
            ui.add(
                egui::TextEdit::singleline(&mut st.filter)
                    .hint_text("儿童、项目、部门")
                    .desired_width(160.0),
            )
            .labelled_by(l.id);
            let l = ui.label("日期自");
            let a = ui
                .add(
                    egui::TextEdit::singleline(&mut st.from)
                        .hint_text("YYYY-MM-DD")
                        .desired_width(90.0),
                )
                .labelled_by(l.id);
            let l = ui.label("至");
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
                for h in ["日期", "儿童", "村（居）", "服务项目", "提供者", "部门", ""]
                {
                    ui.strong(h);
                }
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
                    if ui.small_button("查看").clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if st.rows.is_empty() {
            ui.weak("没有服务记录");
        }
    });
    if let Some(i) = open {
        let r = app.records.services.rows[i].clone();
        let history = load_history(app, "service_records", r.service.id);
        app.records.services.selected = Some((r.service, r.child_name, history, String::new()));
    }
}

fn selected(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut edit = false;
    let mut void = false;
    let mut close = false;
    if let Some((s, name, history, reason)) = app.records.services.selected.as_mut() {
        section(
            ui,
            &format!("服务记录：{name} · {}", s.item.name),
            |ui| {
                ui.label(format!(
                    "{}　{}·{}　提供者：{}　部门：{}　结果：{}{}",
                    s.service_date,
                    s.item.area,
                    s.item.name,
                    s.provider,
                    s.department,
                    s.outcome.clone().unwrap_or_else(|| "—".into()),
                    if s.active { "" } else { "（已作废）" }
                ));
                ui.horizontal(|ui| {
                    edit = ui.button("修改").clicked();
                    let l = ui.label("作废原因");
                    ui.add(egui::TextEdit::singleline(reason).desired_width(200.0))
                        .labelled_by(l.id);
                    void = ui.button("作废").clicked();
                    close = ui.button("关闭").clicked();
                });
                history_ui(ui, "修改历史", history);
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
        let st = &mut app.records.services;
        match result {
            Ok(()) => {
                st.message = Some((true, "已作废服务记录".into()));
                st.selected = None;
                st.loaded = false;
            }
            Err(e) => st.message = Some((false, e)),
        }
    }
}

fn referrals_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
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
            &format!("转介（未办结 {} 件）", st.referrals.len()),
            |ui| {
                ui.horizontal(|ui| {
                    let l = ui.label("状态日期");
                    ui.add(egui::TextEdit::singleline(&mut st.status_on).desired_width(100.0))
                        .labelled_by(l.id);
                    if ui.button("＋ 新转介").clicked() {
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
                        for h in ["转介日期", "儿童", "部门", "事由", "状态", ""] {
                            ui.strong(h);
                        }
                        ui.end_row();
                        for (r, name) in &st.referrals {
                            ui.label(r.sent_on.to_string());
                            ui.label(name);
                            ui.label(&r.department);
                            ui.label(format!(
                                "{}{}",
                                r.reason,
                                if r.mreport_id.is_some() {
                                    "（来自强制报告）"
                                } else {
                                    ""
                                }
                            ));
                            ui.label(r.status.label_zh());
                            ui.horizontal(|ui| {
                                for next in r.status.next() {
                                    if *next == ReferralStatus::Voided {
                                        continue;
                                    }
                                    if ui.small_button(format!("→{}", next.label_zh())).clicked()
                                    {
                                        change = Some((r.id, *next));
                                    }
                                }
                                if ui.small_button("历史").clicked() {
                                    show_history = Some(r.id);
                                }
                            });
                            ui.end_row();
                        }
                    });
                if let Some(f) = st.refer.as_mut() {
                    form_grid("svc-refer", ui, |ui| {
                        child_row(ui, store, session.as_ref(), &mut f.child);
                        text_row(ui, "转介部门", &mut f.department);
                        text_row(ui, "转介事由", &mut f.reason);
                        text_row(ui, "转介日期", &mut f.on);
                    });
                    send = ui.button("发出转介").clicked();
                }
                if let Some((_, h)) = &st.referral_history {
                    history_ui(ui, "转介历史", h);
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
        let result = parse_date("状态日期", &st.status_on).and_then(|on| {
            app.call(|store, s| rec::services::set_referral_status(store, s, id, status, on, None))
        });
        let st = &mut app.records.services;
        match result {
            Ok(r) => {
                st.message = Some((true, format!("转介已改为“{}”", r.status.label_zh())));
                st.loaded = false;
            }
            Err(e) => st.message = Some((false, e)),
        }
    }
    if send && let Some(f) = &app.records.services.refer {
        let result = (|| {
            let input = sv::ReferralInput {
                child_id: f.child.require()?,
                department: f.department.clone(),
                item: None,
                reason: f.reason.clone(),
                sent_on: parse_date("转介日期", &f.on)?,
                mreport_id: None,
            };
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::services::refer(store, s, &input)
            })
        })();
        let st = &mut app.records.services;
        match result {
            Ok(r) => {
                st.message = Some((true, format!("已转介到{}", r.department)));
                st.refer = None;
                st.loaded = false;
            }
            Err(e) => st.message = Some((false, e)),
        }
    }
}

fn coverage_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    // Coverage is a statistic: offered to roles that may produce one (the
    // services check again).
    if !app.can(hutong_services::Action::Statistics) {
        return;
    }
    let areas: Vec<String> = {
        let mut a: Vec<String> = catalogue(app).into_iter().map(|i| i.area).collect();
        a.dedup();
        let mut seen = std::collections::HashSet::new();
        a.retain(|x| seen.insert(x.clone()));
        a
    };
    let mut start = false;
    section(ui, "服务覆盖（各乡镇各服务领域）", |ui| {
        let st = &app.records.services;
        if let Some(job) = &st.coverage_job {
            job.show(ui, "取消");
        } else {
            start = ui.button("统计覆盖情况").clicked();
        }
        if st.coverage.is_empty() {
            ui.weak("点击“统计覆盖情况”生成本县各乡镇的服务覆盖表");
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
                        ui.strong("乡镇（街道）");
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
                                    Some(r) => ui.label(format!(
                                        "{}/{}（{:.0}%）",
                                        r.children_served,
                                        r.active_children,
                                        r.percent()
                                    )),
                                    None => ui.label("—"),
                                };
                            }
                            ui.end_row();
                        }
                    });
            });
        ui.weak("单元格：接受过该领域服务的儿童数 / 在册儿童数（覆盖率）");
    });
    if start {
        let db = app.store.database();
        let session = app.session.clone();
        app.records.services.coverage_job = Some(jobs::spawn("统计服务覆盖", move |_| {
            let session = session.ok_or_else(|| "未登录".to_string())?;
            let mut store = db.open().map_err(|e| e.to_string())?;
            rec::services::coverage(&mut store, &session, None, None, None, &areas)
                .map_err(|e| e.to_string())
        }));
    }
}

pub fn poll(app: &mut HutongApp) {
    let st = &mut app.records.services;
    if let Some(job) = &st.coverage_job
        && let Some(outcome) = job.poll()
    {
        st.coverage_job = None;
        match outcome {
            Outcome::Finished(rows) => st.coverage = rows,
            Outcome::Failed(e) => st.message = Some((false, format!("统计失败：{e}"))),
            Outcome::Cancelled => st.message = Some((false, "已取消".into())),
        }
    }
}
