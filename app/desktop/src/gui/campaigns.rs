//! 摸底排查: start a round over a division subtree on the province plugin's
//! cycle, follow its coverage per village (late villages highlighted),
//! record each child as 已核实 / 已更新 / 已销档, and close the round: the
//! snapshot is locked and the summary report is rendered (in the
//! background), saved through the file dialog and audited like a print.

use super::HutongApp;
use super::jobs::{self, Job, Outcome as JobOutcome};
use super::widgets::{self, DivisionPicker};
use crate::platform::{DialogKind, DialogRequest};
use crate::printing::{self, Destination, PrintRecord};
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use hutong_core::RowId;
use hutong_core::campaigns::{
    self, Campaign, CampaignState, CampaignStatus, NewCampaign, Outcome, VillageChild,
};
use hutong_core::national::{NaiveDate, dates};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// A rendered summary waiting for its file name.
pub struct Summary {
    pdf: Vec<u8>,
    title: String,
    plugin: String,
}

#[derive(Default)]
pub struct CampaignsState {
    loaded: bool,
    list: Vec<Campaign>,
    selected: Option<RowId>,
    status_job: Option<Job<CampaignStatus>>,
    status: Option<CampaignStatus>,
    village: Option<String>,
    village_children: Vec<VillageChild>,
    note: String,
    new_division: Option<String>,
    new_start: Option<NaiveDate>,
    picker: DivisionPicker,
    confirm_close: bool,
    render_job: Option<Job<Summary>>,
    dialog: Option<(Receiver<Option<PathBuf>>, Summary)>,
    pub message: Option<(bool, String)>,
}

impl CampaignsState {
    pub fn busy(&self) -> bool {
        self.status_job.is_some() || self.render_job.is_some() || self.dialog.is_some()
    }
}

impl HutongApp {
    /// The 摸底排查 screen's last message (started, recorded, saved …).
    pub fn campaign_message(&self) -> Option<&str> {
        self.campaigns.message.as_ref().map(|(_, m)| m.as_str())
    }

    /// The shown coverage of a village: (children, confirmed, updated,
    /// closed, pending, late).
    pub fn campaign_village(&self, code: &str) -> Option<(u64, u64, u64, u64, u64, bool)> {
        let s = self.campaigns.status.as_ref()?;
        s.villages.iter().find(|v| v.village_code == code).map(|v| {
            (
                v.children,
                v.confirmed,
                v.updated,
                v.closed,
                v.pending,
                v.late,
            )
        })
    }
}

fn reload_list(app: &mut HutongApp) {
    match app.call(hutong_services::campaigns::list) {
        Ok(l) => app.campaigns.list = l,
        Err(e) => app.campaigns.message = Some((false, e)),
    }
    app.campaigns.loaded = true;
    if app.campaigns.selected.is_none() {
        app.campaigns.selected = app
            .campaigns
            .list
            .iter()
            .find(|c| c.state == CampaignState::Open)
            .or(app.campaigns.list.first())
            .map(|c| c.id);
        if app.campaigns.selected.is_some() {
            start_status(app);
        }
    }
}

/// Coverage is counted over the whole subtree: in the background.
fn start_status(app: &mut HutongApp) {
    let Some(id) = app.campaigns.selected else {
        return;
    };
    let path = app.store.database();
    let session = app.session.clone();
    app.campaigns.status_job = Some(jobs::spawn(app.t("campaign.counting"), move |p| {
        p.set_total(1);
        let session = session.ok_or_else(|| "未登录".to_string())?;
        let mut store = path.open().map_err(|e| e.to_string())?;
        let today = chrono::Local::now().date_naive();
        let s = hutong_services::campaigns::status(&mut store, &session, id, today)
            .map_err(|e| e.to_string())?;
        p.step();
        Ok(s)
    }));
}

fn load_village(app: &mut HutongApp) {
    let (Some(id), Some(v)) = (app.campaigns.selected, app.campaigns.village.clone()) else {
        app.campaigns.village_children.clear();
        return;
    };
    match app
        .call(|store, session| hutong_services::campaigns::village_children(store, session, id, &v))
    {
        Ok(c) => app.campaigns.village_children = c,
        Err(e) => app.campaigns.message = Some((false, e)),
    }
}

fn start_round(app: &mut HutongApp) {
    let Some((plugin, manifest)) = widgets::province_manifest(app) else {
        app.campaigns.message = Some((false, app.t("campaign.no_plugin")));
        return;
    };
    let division = app
        .campaigns
        .new_division
        .clone()
        .unwrap_or_else(|| app.scope().code().to_string());
    let start = app
        .campaigns
        .new_start
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let result = app.call(|store, session| {
        hutong_services::campaigns::start(
            store,
            session,
            &NewCampaign {
                division_code: &division,
                cycle: &manifest.screening_cycle,
                start,
                plugin_ref: Some(&plugin),
            },
        )
    });
    match result {
        Ok(c) => {
            app.campaigns.message = Some((
                true,
                format!(
                    "已开始：{}（{}，{} 至 {}）",
                    c.title, c.cycle, c.period_start, c.period_end
                ),
            ));
            app.campaigns.selected = Some(c.id);
            app.campaigns.village = None;
            app.campaigns.village_children.clear();
            reload_list(app);
            start_status(app);
        }
        Err(e) => app.campaigns.message = Some((false, e)),
    }
}

fn record(app: &mut HutongApp, child: RowId, outcome: Outcome) {
    let Some(id) = app.campaigns.selected else {
        return;
    };
    let note = app.campaigns.note.trim().to_string();
    let today = chrono::Local::now().date_naive();
    let result = app.call(|store, session| {
        hutong_services::campaigns::record(store, session, id, child, outcome, Some(&note), today)
    });
    match result {
        Ok(_) => {
            let name = app
                .campaigns
                .village_children
                .iter()
                .find(|c| c.child_id == child)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            app.campaigns.message = Some((true, format!("{name}：{}", outcome.label_zh())));
            app.campaigns.note.clear();
            app.list.dirty = true;
            app.home.fresh = false;
            load_village(app);
            start_status(app);
        }
        Err(e) => app.campaigns.message = Some((false, e)),
    }
}

/// Renders the summary of a round in the background, then asks where to
/// save it.
fn start_summary(app: &mut HutongApp, status: CampaignStatus) {
    let c = &status.campaign;
    let (title, plugin) = (
        format!("{}总结", c.title),
        c.plugin_ref.clone().unwrap_or_default(),
    );
    app.campaigns.render_job = Some(jobs::spawn(app.t("campaign.rendering"), move |p| {
        p.set_total(1);
        let doc = campaigns::summary_document(&status);
        let pdf = hutong_report::render(&doc, super::print_centre::fonts())
            .map_err(|e| format!("排版摸排总结：{e}"))?;
        p.step();
        Ok(Summary { pdf, title, plugin })
    }));
}

fn close_round(app: &mut HutongApp) {
    let Some(id) = app.campaigns.selected else {
        return;
    };
    let today = chrono::Local::now().date_naive();
    match app.call(|store, session| hutong_services::campaigns::close(store, session, id, today)) {
        Ok(s) => {
            app.campaigns.message = Some((
                true,
                format!("{}已结束并锁定快照，正在生成总结…", s.campaign.title),
            ));
            app.campaigns.status = Some(s.clone());
            reload_list(app);
            start_summary(app, s);
        }
        Err(e) => app.campaigns.message = Some((false, e)),
    }
}

fn save_summary(app: &mut HutongApp, path: &std::path::Path, s: &Summary) {
    let record = PrintRecord {
        template_id: "campaign.summary",
        template_name: &s.title,
        plugin: &s.plugin,
        children: &[],
        file: &path.display().to_string(),
        pdf: &s.pdf,
        destination: Destination::File,
    };
    let result = std::fs::write(path, &s.pdf)
        .map_err(|e| format!("写入 {}：{e}", path.display()))
        .and_then(|_| match &app.session {
            Some(session) => printing::record_print(&mut app.store, session, &record)
                .map_err(|e| format!("{e:#}")),
            None => Err("未登录".to_string()),
        });
    app.campaigns.message = Some(match result {
        Ok(()) => (true, format!("已保存 {}", path.display())),
        Err(e) => (false, e),
    });
}

fn poll(app: &mut HutongApp, ctx: &egui::Context) {
    if let Some(job) = &app.campaigns.status_job
        && let Some(o) = job.poll()
    {
        app.campaigns.status_job = None;
        match o {
            JobOutcome::Finished(s) => {
                // A late answer for a round no longer selected is dropped.
                if Some(s.campaign.id) == app.campaigns.selected {
                    app.campaigns.status = Some(s);
                }
            }
            JobOutcome::Failed(e) => app.campaigns.message = Some((false, e)),
            JobOutcome::Cancelled => {}
        }
    }
    if let Some(job) = &app.campaigns.render_job
        && let Some(o) = job.poll()
    {
        app.campaigns.render_job = None;
        match o {
            JobOutcome::Finished(s) => {
                let request = DialogRequest::new(DialogKind::SaveFile, "保存摸排总结")
                    .filter("PDF 文件", &["pdf"])
                    .file_name(format!("{}.pdf", s.title));
                let rx = super::ask_dialog(app.platform.dialogs.clone(), request);
                app.campaigns.dialog = Some((rx, s));
            }
            JobOutcome::Failed(e) => app.campaigns.message = Some((false, e)),
            JobOutcome::Cancelled => app.campaigns.message = Some((false, "已取消".into())),
        }
    }
    if let Some((rx, _)) = &app.campaigns.dialog
        && let Ok(answer) = rx.try_recv()
        && let Some((_, summary)) = app.campaigns.dialog.take()
    {
        match answer {
            Some(path) => save_summary(app, &path, &summary),
            None => {
                app.campaigns.message = Some((
                    false,
                    "未保存总结；可随时点击“保存总结 PDF…”重新生成".into(),
                ))
            }
        }
    }
    if app.campaigns.busy() {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
}

fn start_form(app: &mut HutongApp, ui: &mut egui::Ui) {
    let manifest = widgets::province_manifest(app);
    ui.strong(app.t("campaign.new"));
    let Some((plugin, manifest)) = manifest else {
        ui.colored_label(crate::gui::theme::ERROR, app.t("campaign.no_plugin"));
        return;
    };
    let today = chrono::Local::now().date_naive();
    let scope = app.scope();
    ui.horizontal(|ui| {
        ui.label(app.t("campaign.scope"));
        let mut d = app.campaigns.new_division.clone();
        if app
            .campaigns
            .picker
            .show(ui, "campaign", &app.store, scope.code(), &mut d)
        {
            app.campaigns.new_division = d;
        }
    });
    ui.horizontal(|ui| {
        ui.label(app.t("campaign.start_date"));
        if app.campaigns.new_start.is_none() {
            app.campaigns.new_start = Some(today);
        }
        super::date_picker::date_picker(ui, "campaign-start", &mut app.campaigns.new_start, today);
    });
    let start = app.campaigns.new_start.unwrap_or(today);
    let cycle = &manifest.screening_cycle;
    ui.weak(format!(
        "周期：{}（{}）；本轮 {} 至 {}",
        cycle.label_zh(),
        plugin,
        dates::format_zh(start),
        dates::format_zh(campaigns::period_end(start, cycle))
    ));
    // A plain button, not stretched across the column.
    let clicked = ui
        .horizontal(|ui| ui.button(app.t("campaign.start")).clicked())
        .inner;
    if clicked {
        start_round(app);
    }
}

fn round_list(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.strong(app.t("campaign.rounds"));
    if app.campaigns.list.is_empty() {
        ui.weak(app.t("campaign.none"));
    }
    let mut picked = None;
    for c in &app.campaigns.list {
        let state = match c.state {
            CampaignState::Open => "进行中",
            CampaignState::Closed => "已结束",
        };
        let text = format!(
            "{}（{} 至 {}，{}）",
            c.title, c.period_start, c.period_end, state
        );
        if ui
            .selectable_label(app.campaigns.selected == Some(c.id), text)
            .clicked()
        {
            picked = Some(c.id);
        }
    }
    if let Some(id) = picked
        && app.campaigns.selected != Some(id)
    {
        app.campaigns.selected = Some(id);
        app.campaigns.status = None;
        app.campaigns.village = None;
        app.campaigns.village_children.clear();
        start_status(app);
    }
}

fn summary_line(s: &CampaignStatus) -> String {
    format!(
        "应排查 {}，已核实 {}，已更新 {}，已销档 {}，未排查 {}；覆盖率 {:.1}%（按进度应完成 {:.1}%）；滞后村（居）{} 个",
        s.children,
        s.confirmed,
        s.updated,
        s.closed,
        s.pending,
        s.coverage * 100.0,
        s.expected_share * 100.0,
        s.late_villages().len()
    )
}

fn village_table(app: &mut HutongApp, ui: &mut egui::Ui, s: &CampaignStatus) -> Option<String> {
    let mut picked = None;
    let heads = [
        "村（居）",
        "应排查",
        "已核实",
        "已更新",
        "已销档",
        "未排查",
        "覆盖率",
        "进度",
    ];
    let selected = app.campaigns.village.clone();
    ui.push_id("campaign-villages", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .max_scroll_height(260.0)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(200.0))
            .columns(Column::initial(70.0), 6)
            .column(Column::remainder().at_least(80.0))
            .header(24.0, |mut h| {
                for t in heads {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(24.0, s.villages.len(), |mut row| {
                    let Some(v) = s.villages.get(row.index()) else {
                        return;
                    };
                    row.col(|ui| {
                        let name = egui::RichText::new(&v.village_name);
                        let name = if v.late {
                            name.color(crate::gui::theme::ERROR)
                        } else {
                            name
                        };
                        if ui
                            .selectable_label(selected.as_deref() == Some(&v.village_code), name)
                            .clicked()
                        {
                            picked = Some(v.village_code.clone());
                        }
                    });
                    for n in [v.children, v.confirmed, v.updated, v.closed, v.pending] {
                        row.col(|ui| {
                            ui.label(n.to_string());
                        });
                    }
                    row.col(|ui| {
                        ui.label(format!("{:.1}%", v.coverage * 100.0));
                    });
                    row.col(|ui| {
                        if v.late {
                            ui.colored_label(crate::gui::theme::ERROR, "滞后");
                        }
                    });
                });
            });
    });
    picked
}

fn children_table(app: &mut HutongApp, ui: &mut egui::Ui, open_round: bool) {
    let mut action: Option<(RowId, Outcome)> = None;
    let mut open: Option<RowId> = None;
    if open_round {
        ui.horizontal(|ui| {
            let l = ui.label("备注 / 结案原因（销档时必填）");
            ui.add(egui::TextEdit::singleline(&mut app.campaigns.note).desired_width(420.0))
                .labelled_by(l.id);
        });
    }
    let rows = &app.campaigns.village_children;
    ui.push_id("campaign-children", |ui| {
        TableBuilder::new(ui)
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(100.0))
            .column(Column::initial(180.0))
            .column(Column::initial(90.0))
            .column(Column::initial(200.0))
            .column(Column::remainder().at_least(200.0))
            .header(24.0, |mut h| {
                for t in ["姓名", "身份证号", "本轮结果", "备注", ""] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(26.0, rows.len(), |mut row| {
                    let Some(c) = rows.get(row.index()) else {
                        return;
                    };
                    row.col(|ui| {
                        if ui.link(&c.name).clicked() {
                            open = Some(c.child_id);
                        }
                    });
                    row.col(|ui| {
                        ui.monospace(&c.id_number);
                    });
                    row.col(|ui| match c.outcome {
                        Some(o) => {
                            ui.label(o.label_zh());
                        }
                        None => {
                            ui.colored_label(crate::gui::theme::ERROR, "未排查");
                        }
                    });
                    row.col(|ui| {
                        ui.label(c.note.as_deref().unwrap_or(""));
                    });
                    row.col(|ui| {
                        if open_round && c.outcome != Some(Outcome::Closed) {
                            for (o, label) in [
                                (Outcome::Confirmed, "核实"),
                                (Outcome::Updated, "更新"),
                                (Outcome::Closed, "销档"),
                            ] {
                                if ui
                                    .small_button(label)
                                    .on_hover_text(format!("{}：{}", c.name, o.label_zh()))
                                    .clicked()
                                {
                                    action = Some((c.child_id, o));
                                }
                            }
                        }
                    });
                });
            });
    });
    if let Some((child, o)) = action {
        record(app, child, o);
    }
    if let Some(id) = open {
        app.push(super::commands::Command::OpenChild(id, None));
    }
}

fn close_prompt(app: &mut HutongApp, ctx: &egui::Context) {
    if !app.campaigns.confirm_close {
        return;
    }
    let title = app
        .campaigns
        .status
        .as_ref()
        .map(|s| s.campaign.title.clone())
        .unwrap_or_default();
    let mut choice = None;
    egui::Modal::new(egui::Id::unique("hutong-campaign-close")).show(ctx, |ui| {
        ui.heading(format!("结束“{title}”？"));
        ui.label("结束后锁定本轮快照，不能再登记；随后生成总结报告并选择保存位置。");
        ui.horizontal(|ui| {
            if ui.button("确认结束").clicked() {
                choice = Some(true);
            }
            if ui.button(app.t("common.cancel")).clicked() {
                choice = Some(false);
            }
        });
    });
    match choice {
        Some(true) => {
            app.campaigns.confirm_close = false;
            close_round(app);
        }
        Some(false) => app.campaigns.confirm_close = false,
        None => {}
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    poll(app, &ctx);
    if !app.campaigns.loaded {
        reload_list(app);
    }
    ui.heading(app.t("nav.campaigns"));
    super::status_message(ui, app.campaigns.message.as_ref());
    let cancel = app.t("common.cancel");
    if let Some(j) = &app.campaigns.status_job {
        j.show(ui, &cancel);
    }
    if let Some(j) = &app.campaigns.render_job {
        j.show(ui, &cancel);
    }
    // Starting and closing a round is ManageCampaigns: a 儿童主任 records
    // outcomes in her village and is not offered either.
    let manages = app.can(hutong_services::Action::ManageCampaigns);
    if manages {
        ui.columns(2, |cols| {
            start_form(app, &mut cols[0]);
            round_list(app, &mut cols[1]);
        });
    } else {
        round_list(app, ui);
    }
    ui.separator();
    let Some(s) = app.campaigns.status.clone() else {
        return;
    };
    let open_round = s.campaign.state == CampaignState::Open;
    ui.horizontal(|ui| {
        ui.strong(&s.campaign.title);
        ui.label(format!("（{}）", s.campaign.cycle));
        let busy = app.campaigns.busy();
        if ui
            .add_enabled(!busy, egui::Button::new(app.t("campaign.refresh")))
            .clicked()
        {
            start_status(app);
            load_village(app);
        }
        if open_round {
            if manages
                && ui
                    .add_enabled(!busy, egui::Button::new(app.t("campaign.close")))
                    .clicked()
            {
                app.campaigns.confirm_close = true;
            }
        } else if ui
            .add_enabled(!busy, egui::Button::new(app.t("campaign.save_summary")))
            .clicked()
        {
            start_summary(app, s.clone());
        }
    });
    ui.label(summary_line(&s));
    if !open_round {
        ui.weak(format!(
            "已于 {} 由 {} 结束并锁定",
            s.campaign
                .closed_at
                .as_deref()
                .unwrap_or("")
                .get(..16)
                .unwrap_or(""),
            s.campaign.closed_by.as_deref().unwrap_or("")
        ));
    }
    if let Some(v) = village_table(app, ui, &s) {
        app.campaigns.village = Some(v);
        load_village(app);
    }
    if let Some(code) = &app.campaigns.village {
        let name = s
            .villages
            .iter()
            .find(|v| &v.village_code == code)
            .map(|v| v.village_name.clone())
            .unwrap_or_default();
        ui.separator();
        ui.strong(format!("{name}：本轮应排查的儿童"));
        children_table(app, ui, open_round);
    } else {
        ui.weak(app.t("campaign.pick_village"));
    }
    close_prompt(app, &ctx);
}
