//! 摸底排查: start a round over a division subtree on the province plugin's
//! cycle, follow its coverage per village (late villages highlighted),
//! record each child as 已核实 / 已更新 / 已销档, and close the round: the
//! snapshot is locked and the summary report is rendered (in the
//! background), saved through the file dialog and audited like a print.

use super::HutongApp;
use super::jobs::{JobName, Outcome as JobOutcome, Progress};
use super::notices::Place;
use super::widgets::{self, DivisionPicker};
use crate::i18n::Lang;
use crate::platform::{DialogKind, DialogRequest};
use crate::printing::{self, Destination, PrintRecord};
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use hutong_core::RowId;
use hutong_core::campaigns::{
    self, Campaign, CampaignState, CampaignStatus, NewCampaign, Outcome, VillageChild,
};
use hutong_core::national::NaiveDate;
use hutong_core::province::ScreeningCycle;
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
    status: Option<CampaignStatus>,
    village: Option<String>,
    village_children: Vec<VillageChild>,
    note: String,
    new_division: Option<String>,
    new_start: Option<NaiveDate>,
    picker: DivisionPicker,
    confirm_close: bool,
    dialog: Option<(Receiver<Option<PathBuf>>, Summary)>,
}

impl CampaignsState {
    /// The save dialog for a rendered summary is open (the jobs are in
    /// `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }
}

impl HutongApp {
    /// The 摸底排查 screen's last message (started, recorded, saved …).
    pub fn campaign_message(&self) -> Option<&str> {
        self.notices.text(Place::Campaigns)
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
        Err(e) => app.notices.error(Place::Campaigns, e),
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
    let lang = app.lang;
    app.jobs.start(
        JobName::CampaignStatus,
        app.t("campaign-counting"),
        move |p: &Progress| {
            p.set_total(1);
            let session = session.ok_or_else(|| crate::t!(lang, "camp-not_logged_in"))?;
            let mut store = path.open()?;
            let today = chrono::Local::now().date_naive();
            let s = hutong_services::campaigns::status(&mut store, &session, id, today)?;
            p.step();
            Ok(s)
        },
        |app: &mut HutongApp, outcome: JobOutcome<CampaignStatus>| match outcome {
            JobOutcome::Finished(s) => {
                // A late answer for a round no longer selected is dropped.
                if Some(s.campaign.id) == app.campaigns.selected {
                    app.campaigns.status = Some(s);
                }
            }
            JobOutcome::Failed(e) => app.notices.error(Place::Campaigns, e),
            JobOutcome::Cancelled => {}
        },
    );
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
        Err(e) => app.notices.error(Place::Campaigns, e),
    }
}

fn start_round(app: &mut HutongApp) {
    let Some((plugin, manifest)) = widgets::province_manifest(app) else {
        let text = app.t("campaign-no_plugin");
        app.notices.error(Place::Campaigns, text);
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
            let text = crate::t!(
                app.lang,
                "camp-started",
                title = c.title.as_str(),
                cycle = c.cycle.as_str(),
                from = c.period_start.to_string(),
                until = c.period_end.to_string()
            );
            app.notices.success(Place::Campaigns, text);
            app.campaigns.selected = Some(c.id);
            app.campaigns.village = None;
            app.campaigns.village_children.clear();
            reload_list(app);
            start_status(app);
        }
        Err(e) => app.notices.error(Place::Campaigns, e),
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
            let outcome = outcome_label(app.lang, outcome);
            let text = crate::t!(app.lang, "camp-recorded", name = name, outcome = outcome);
            app.notices.success(Place::Campaigns, text);
            app.campaigns.note.clear();
            app.list.dirty = true;
            app.home.fresh = false;
            load_village(app);
            start_status(app);
        }
        Err(e) => app.notices.error(Place::Campaigns, e),
    }
}

/// Renders the summary of a round in the background, then asks where to
/// save it.
fn start_summary(app: &mut HutongApp, status: CampaignStatus) {
    let c = &status.campaign;
    let lang = app.lang;
    let (title, plugin) = (
        crate::t!(lang, "camp-summary_title", title = c.title.as_str()),
        c.plugin_ref.clone().unwrap_or_default(),
    );
    app.jobs.start(
        JobName::CampaignSummary,
        app.t("campaign-rendering"),
        move |p: &Progress| {
            p.set_total(1);
            let doc = campaigns::summary_document(&status);
            let pdf = hutong_report::render(&doc, super::print_centre::fonts())
                .map_err(|e| crate::t!(lang, "camp-render_failed", error = e.to_string()))?;
            p.step();
            Ok(Summary { pdf, title, plugin })
        },
        |app: &mut HutongApp, outcome: JobOutcome<Summary>| match outcome {
            JobOutcome::Finished(s) => {
                let request = DialogRequest::new(DialogKind::SaveFile, app.t("camp-save_dialog"))
                    .filter(app.t("camp-pdf_files"), &["pdf"])
                    .file_name(format!("{}.pdf", s.title));
                let rx = super::ask_dialog(app.platform.dialogs.clone(), request);
                app.campaigns.dialog = Some((rx, s));
            }
            JobOutcome::Failed(e) => app.notices.error(Place::Campaigns, e),
            JobOutcome::Cancelled => {
                let text = app.t("camp-cancelled");
                app.notices.error(Place::Campaigns, text);
            }
        },
    );
}

fn close_round(app: &mut HutongApp) {
    let Some(id) = app.campaigns.selected else {
        return;
    };
    let today = chrono::Local::now().date_naive();
    match app.call(|store, session| hutong_services::campaigns::close(store, session, id, today)) {
        Ok(s) => {
            let text = crate::t!(app.lang, "camp-closed", title = s.campaign.title.as_str());
            app.notices.success(Place::Campaigns, text);
            app.campaigns.status = Some(s.clone());
            reload_list(app);
            start_summary(app, s);
        }
        Err(e) => app.notices.error(Place::Campaigns, e),
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
    let lang = app.lang;
    let result = std::fs::write(path, &s.pdf)
        .map_err(|e| {
            crate::t!(
                lang,
                "camp-write_failed",
                path = path.display().to_string(),
                error = e.to_string()
            )
        })
        .and_then(|_| match &app.session {
            Some(session) => printing::record_print(&mut app.store, session, &record)
                .map_err(|e| format!("{e:#}")),
            None => Err(crate::t!(lang, "camp-not_logged_in")),
        });
    match result {
        Ok(()) => app.notices.success(
            Place::Campaigns,
            crate::t!(lang, "camp-saved", path = path.display().to_string()),
        ),
        Err(e) => app.notices.error(Place::Campaigns, e),
    }
}

/// The summary's save dialog answers (the jobs complete through
/// `app.jobs`).
fn poll_dialog(app: &mut HutongApp, ctx: &egui::Context) {
    if let Some((rx, _)) = &app.campaigns.dialog
        && let Ok(answer) = rx.try_recv()
        && let Some((_, summary)) = app.campaigns.dialog.take()
    {
        match answer {
            Some(path) => save_summary(app, &path, &summary),
            None => {
                let button = app.t("campaign-save_summary");
                let text = crate::t!(app.lang, "camp-summary_not_saved", button = button);
                app.notices.error(Place::Campaigns, text);
            }
        }
    }
    if app.campaigns.busy() {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
}

fn start_form(app: &mut HutongApp, ui: &mut egui::Ui) {
    let manifest = widgets::province_manifest(app);
    ui.strong(app.t("campaign-new"));
    let Some((plugin, manifest)) = manifest else {
        ui.colored_label(crate::gui::theme::ERROR, app.t("campaign-no_plugin"));
        return;
    };
    let today = chrono::Local::now().date_naive();
    let scope = app.scope();
    ui.horizontal(|ui| {
        ui.label(app.t("campaign-scope"));
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
        ui.label(app.t("campaign-start_date"));
        if app.campaigns.new_start.is_none() {
            app.campaigns.new_start = Some(today);
        }
        super::date_picker::date_picker(ui, "campaign-start", &mut app.campaigns.new_start, today);
    });
    let start = app.campaigns.new_start.unwrap_or(today);
    let cycle = &manifest.screening_cycle;
    ui.weak(crate::t!(
        app.lang,
        "camp-cycle_line",
        cycle = cycle_label(app.lang, cycle),
        plugin = plugin,
        from = super::child_file::date_text(app.lang, start),
        until = super::child_file::date_text(app.lang, campaigns::period_end(start, cycle))
    ));
    // A plain button, not stretched across the column.
    let clicked = ui
        .horizontal(|ui| ui.button(app.t("campaign-start")).clicked())
        .inner;
    if clicked {
        start_round(app);
    }
}

fn round_list(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.strong(app.t("campaign-rounds"));
    if app.campaigns.list.is_empty() {
        ui.weak(app.t("campaign-none"));
    }
    let lang = app.lang;
    let mut picked = None;
    for c in &app.campaigns.list {
        let state = match c.state {
            CampaignState::Open => crate::t!(lang, "camp-state-open"),
            CampaignState::Closed => crate::t!(lang, "camp-state-closed"),
        };
        let text = crate::t!(
            lang,
            "camp-round_item",
            title = c.title.as_str(),
            from = c.period_start.to_string(),
            until = c.period_end.to_string(),
            state = state
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

fn summary_line(lang: Lang, s: &CampaignStatus) -> String {
    crate::t!(
        lang,
        "camp-summary_line",
        children = s.children,
        confirmed = s.confirmed,
        updated = s.updated,
        closed = s.closed,
        pending = s.pending,
        coverage = format!("{:.1}", s.coverage * 100.0),
        expected = format!("{:.1}", s.expected_share * 100.0),
        late = s.late_villages().len()
    )
}

/// An outcome's name (core names it only in Chinese).
fn outcome_label(lang: Lang, o: Outcome) -> String {
    let key = match o {
        Outcome::Confirmed => "camp-outcome-confirmed",
        Outcome::Updated => "camp-outcome-updated",
        Outcome::Closed => "camp-outcome-closed",
    };
    crate::t!(lang, key)
}

/// The province plugin's screening cycle, in words.
fn cycle_label(lang: Lang, c: &ScreeningCycle) -> String {
    match c {
        ScreeningCycle::Monthly => crate::t!(lang, "camp-cycle-monthly"),
        ScreeningCycle::HalfYearly => crate::t!(lang, "camp-cycle-half_yearly"),
        ScreeningCycle::Yearly => crate::t!(lang, "camp-cycle-yearly"),
        ScreeningCycle::EveryMonths(n) => crate::t!(lang, "camp-cycle-every_months", n = *n),
    }
}

fn village_table(app: &mut HutongApp, ui: &mut egui::Ui, s: &CampaignStatus) -> Option<String> {
    let lang = app.lang;
    let mut picked = None;
    let heads = [
        "list-village",
        "camp-col-children",
        "camp-outcome-confirmed",
        "camp-outcome-updated",
        "camp-outcome-closed",
        "camp-pending",
        "camp-col-coverage",
        "camp-col-progress",
    ]
    .map(|k| crate::t!(lang, k));
    let late = crate::t!(lang, "camp-late");
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
                for t in &heads {
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
                            ui.colored_label(crate::gui::theme::ERROR, &late);
                        }
                    });
                });
            });
    });
    picked
}

fn children_table(app: &mut HutongApp, ui: &mut egui::Ui, open_round: bool) {
    let lang = app.lang;
    let mut action: Option<(RowId, Outcome)> = None;
    let mut open: Option<RowId> = None;
    if open_round {
        ui.horizontal(|ui| {
            let l = ui.label(crate::t!(lang, "camp-note_label"));
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
                for k in ["list-name", "list-id", "camp-col-outcome", "camp-col-note"] {
                    h.col(|ui| {
                        ui.strong(crate::t!(lang, k));
                    });
                }
                h.col(|ui| {
                    ui.strong("");
                });
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
                            ui.label(outcome_label(lang, o));
                        }
                        None => {
                            ui.colored_label(
                                crate::gui::theme::ERROR,
                                crate::t!(lang, "camp-pending"),
                            );
                        }
                    });
                    row.col(|ui| {
                        ui.label(c.note.as_deref().unwrap_or(""));
                    });
                    row.col(|ui| {
                        if open_round && c.outcome != Some(Outcome::Closed) {
                            for (o, key) in [
                                (Outcome::Confirmed, "camp-do-confirm"),
                                (Outcome::Updated, "camp-do-update"),
                                (Outcome::Closed, "camp-do-close"),
                            ] {
                                if ui
                                    .small_button(crate::t!(lang, key))
                                    .on_hover_text(crate::t!(
                                        lang,
                                        "camp-recorded",
                                        name = c.name.as_str(),
                                        outcome = outcome_label(lang, o)
                                    ))
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
        ui.heading(crate::t!(
            app.lang,
            "camp-close_title",
            title = title.as_str()
        ));
        ui.label(app.t("camp-close_body"));
        ui.horizontal(|ui| {
            if ui.button(app.t("camp-close_confirm")).clicked() {
                choice = Some(true);
            }
            if ui.button(app.t("common-cancel")).clicked() {
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
    poll_dialog(app, &ctx);
    if !app.campaigns.loaded {
        reload_list(app);
    }
    ui.heading(app.t("nav-campaigns"));
    app.notices.show_here(ui, Place::Campaigns);
    app.jobs.show(ui, JobName::CampaignStatus);
    app.jobs.show(ui, JobName::CampaignSummary);
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
        ui.label(crate::t!(
            app.lang,
            "camp-cycle_paren",
            cycle = s.campaign.cycle.as_str()
        ));
        let busy = app.jobs.running(JobName::CampaignStatus)
            || app.jobs.running(JobName::CampaignSummary)
            || app.campaigns.busy();
        if ui
            .add_enabled(!busy, egui::Button::new(app.t("campaign-refresh")))
            .clicked()
        {
            start_status(app);
            load_village(app);
        }
        if open_round {
            if manages
                && ui
                    .add_enabled(!busy, egui::Button::new(app.t("campaign-close")))
                    .clicked()
            {
                app.campaigns.confirm_close = true;
            }
        } else if ui
            .add_enabled(!busy, egui::Button::new(app.t("campaign-save_summary")))
            .clicked()
        {
            start_summary(app, s.clone());
        }
    });
    ui.label(summary_line(app.lang, &s));
    if !open_round {
        ui.weak(crate::t!(
            app.lang,
            "camp-closed_by",
            at = s
                .campaign
                .closed_at
                .as_deref()
                .unwrap_or("")
                .get(..16)
                .unwrap_or(""),
            by = s.campaign.closed_by.as_deref().unwrap_or("")
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
        ui.strong(crate::t!(app.lang, "camp-village_children", village = name));
        children_table(app, ui, open_round);
    } else {
        ui.weak(app.t("campaign-pick_village"));
    }
    close_prompt(app, &ctx);
}
