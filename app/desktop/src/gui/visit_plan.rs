//! 走访计划: the visits due this week and overdue, from each child's latest
//! colour and the province plugin's visit policy, with their escalation
//! (township 督导员 after N days, county after M). The schedule is computed
//! for the whole scope in a background job (100,000 children take longer
//! than a frame); filtering and sorting then run on the loaded rows, and the
//! table lays out only the visible rows. A click opens the child's 走访 tab.

use super::jobs::{self, Job, Outcome};
use super::{HutongApp, Screen};
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use hutong_core::divisions::Division;
use hutong_core::national::division::{DivisionLevel, level_of};
use hutong_core::national::{NaiveDate, id_number};
use hutong_core::province::{Colour, Manifest, VisitPolicy};
use hutong_core::schedule::{DueStatus, Escalation, ScheduleEntry, ScheduleFilter};
use hutong_services::divisions;

/// Which rows to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Due this week or overdue.
    #[default]
    All,
    DueThisWeek,
    Overdue,
    /// Overdue long enough to have gone to the township or the county.
    Escalated,
}

impl StatusFilter {
    const ALL: [StatusFilter; 4] = [
        StatusFilter::All,
        StatusFilter::DueThisWeek,
        StatusFilter::Overdue,
        StatusFilter::Escalated,
    ];

    fn key(self) -> &'static str {
        match self {
            StatusFilter::All => "visit.filter_all",
            StatusFilter::DueThisWeek => "visit.filter_week",
            StatusFilter::Overdue => "visit.filter_overdue",
            StatusFilter::Escalated => "visit.filter_escalated",
        }
    }

    fn keeps(self, e: &ScheduleEntry) -> bool {
        match self {
            StatusFilter::All => e.status != DueStatus::Upcoming,
            StatusFilter::DueThisWeek => e.status == DueStatus::DueThisWeek,
            StatusFilter::Overdue => e.status == DueStatus::Overdue,
            StatusFilter::Escalated => e.escalation != Escalation::None,
        }
    }
}

/// The schedule as computed by the background job.
pub struct PlanData {
    pub as_of: NaiveDate,
    pub plugin: String,
    pub policy: VisitPolicy,
    pub entries: Vec<ScheduleEntry>,
}

#[derive(Default)]
pub struct VisitPlanState {
    /// Recompute on the next frame the screen is shown (set after a visit
    /// is recorded or voided, and by 刷新).
    pub stale: bool,
    job: Option<Job<PlanData>>,
    data: Option<PlanData>,
    error: Option<String>,
    pub status: StatusFilter,
    pub division: Option<String>,
    /// Most overdue first unless switched.
    ascending: bool,
    /// Indices into `data.entries` after filtering and sorting.
    shown: Vec<usize>,
    shown_dirty: bool,
    picker: DivisionPicker,
}

impl VisitPlanState {
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }
}

impl HutongApp {
    /// Names listed on 走访计划 as currently filtered (for tests).
    pub fn visit_plan_names(&self) -> Vec<String> {
        let Some(d) = &self.visit_plan.data else {
            return Vec::new();
        };
        self.visit_plan
            .shown
            .iter()
            .filter_map(|i| d.entries.get(*i))
            .map(|e| e.name.clone())
            .collect()
    }
}

// ------------------------------------------------------------ shared helpers

/// The county's province plugin among the loaded ones: its manifest holds
/// the visit policy and the screening cycle.
pub(super) fn province_manifest(app: &HutongApp) -> Option<(String, Manifest)> {
    let county = app.store.county_code().ok().flatten().unwrap_or_default();
    let infos = app.plugins.infos();
    let manifests: Vec<&Manifest> = infos.iter().map(|i| &i.manifest).collect();
    let i = crate::casework::province_plugin_index(&manifests, &county)?;
    infos
        .get(i)
        .map(|info| (info.reference.clone(), info.manifest.clone()))
}

/// The colour's swatch.
pub(super) fn colour_fill(c: Option<Colour>) -> egui::Color32 {
    crate::gui::theme::risk_colour(c)
}

pub(super) fn colour_label(c: Option<Colour>) -> &'static str {
    match c {
        Some(c) => c.label_zh(),
        None => "未评估",
    }
}

/// A small filled square in the colour, then its label.
pub(super) fn swatch(ui: &mut egui::Ui, c: Option<Colour>, text: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 2.0, colour_fill(c));
        ui.label(text)
    })
    .inner
}

pub(super) fn escalation_text(app: &HutongApp, e: Escalation) -> String {
    match e {
        Escalation::None => String::new(),
        Escalation::Township => app.t("visit.escalated_township"),
        Escalation::County => app.t("visit.escalated_county"),
    }
}

/// 乡镇 and 村（居） pickers within the user's scope; the villages of the
/// chosen township are looked up when it changes, never every frame.
#[derive(Default)]
pub(super) struct DivisionPicker {
    scope: Option<String>,
    townships: Vec<Division>,
    villages_of: Option<String>,
    villages: Vec<Division>,
}

impl DivisionPicker {
    /// Draws the pickers; returns true when `value` changed.
    pub(super) fn show(
        &mut self,
        ui: &mut egui::Ui,
        salt: &str,
        store: &hutong_core::Store,
        scope: &str,
        value: &mut Option<String>,
    ) -> bool {
        if self.scope.as_deref() != Some(scope) {
            self.townships =
                divisions::within(store, scope, DivisionLevel::Township).unwrap_or_default();
            self.scope = Some(scope.to_string());
        }
        let current = value.clone().unwrap_or_default();
        let township = match level_of(&current) {
            Some(DivisionLevel::Township) => Some(current.clone()),
            Some(DivisionLevel::Village) => current.get(..9).map(str::to_string),
            _ => None,
        };
        if self.villages_of != township {
            self.villages = township
                .as_deref()
                .map(|t| divisions::children(store, t).unwrap_or_default())
                .unwrap_or_default();
            self.villages_of = township.clone();
        }
        // A village director's scope is one village: nothing to pick.
        if level_of(scope) == Some(DivisionLevel::Village) {
            return false;
        }
        let mut picked: Option<Option<String>> = None;
        let l = ui.label("乡镇");
        let selected = township
            .as_ref()
            .and_then(|c| self.townships.iter().find(|t| &t.code == c))
            .map(|t| t.name.clone())
            .unwrap_or_else(|| "全部".into());
        egui::ComboBox::from_id_salt((salt, "township"))
            .selected_text(selected)
            .show_ui(ui, |ui| {
                if ui.selectable_label(township.is_none(), "全部").clicked() {
                    picked = Some(None);
                }
                for t in &self.townships {
                    if ui
                        .selectable_label(township.as_deref() == Some(&t.code), &t.name)
                        .clicked()
                    {
                        picked = Some(Some(t.code.clone()));
                    }
                }
            })
            .response
            .labelled_by(l.id);
        if let Some(t) = &township {
            let l = ui.label("村（居）");
            let selected = self
                .villages
                .iter()
                .find(|v| v.code == current)
                .map(|v| v.name.clone())
                .unwrap_or_else(|| "全部".into());
            egui::ComboBox::from_id_salt((salt, "village"))
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(current == *t, "全部").clicked() {
                        picked = Some(Some(t.clone()));
                    }
                    for v in &self.villages {
                        if ui.selectable_label(current == v.code, &v.name).clicked() {
                            picked = Some(Some(v.code.clone()));
                        }
                    }
                })
                .response
                .labelled_by(l.id);
        }
        match picked {
            Some(p) if p != *value => {
                *value = p;
                true
            }
            _ => false,
        }
    }
}

/// Opens a child's file on its 走访 tab.
pub(super) fn open_visits(app: &mut HutongApp, child: hutong_core::RowId) {
    super::child_file::open(app, child);
    if let Some(f) = &mut app.file {
        f.tab = super::child_file::Tab::Visits;
    }
    app.navigate(Screen::ChildFile);
}

// ------------------------------------------------------------ the screen

fn start(app: &mut HutongApp) {
    app.visit_plan.stale = false;
    app.visit_plan.error = None;
    let Some((plugin, manifest)) = province_manifest(app) else {
        app.visit_plan.data = None;
        app.visit_plan.error = Some(app.t("visit.no_plugin"));
        return;
    };
    let path = app.store.database();
    let session = app.session.clone();
    app.visit_plan.job = Some(jobs::spawn(app.t("visit.computing"), move |p| {
        p.set_total(1);
        let session = session.ok_or_else(|| "未登录".to_string())?;
        let mut store = path.open().map_err(|e| e.to_string())?;
        let as_of = chrono::Local::now().date_naive();
        let entries = hutong_services::visits::plan(
            &mut store,
            &session,
            &manifest.visit_policy,
            as_of,
            &ScheduleFilter {
                division: None,
                due_or_overdue_only: true,
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())?;
        p.step();
        Ok(PlanData {
            as_of,
            plugin,
            policy: manifest.visit_policy,
            entries,
        })
    }));
}

fn poll(app: &mut HutongApp) {
    let Some(job) = &app.visit_plan.job else {
        return;
    };
    match job.poll() {
        Some(Outcome::Finished(d)) => {
            app.visit_plan.data = Some(d);
            app.visit_plan.shown_dirty = true;
        }
        Some(Outcome::Failed(e)) => app.visit_plan.error = Some(format!("计算走访计划失败：{e}")),
        Some(Outcome::Cancelled) => app.visit_plan.error = Some("已取消".into()),
        None => return,
    }
    app.visit_plan.job = None;
}

/// Filters and sorts the loaded rows (on a change, not every frame).
fn refilter(s: &mut VisitPlanState) {
    s.shown_dirty = false;
    let Some(d) = &s.data else {
        s.shown.clear();
        return;
    };
    let prefix = s.division.clone().unwrap_or_default();
    let mut shown: Vec<usize> = d
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.village_code.starts_with(&prefix) && s.status.keeps(e))
        .map(|(i, _)| i)
        .collect();
    let asc = s.ascending;
    shown.sort_by(|a, b| {
        let (a, b) = (&d.entries[*a], &d.entries[*b]);
        let by_days = if asc {
            a.days_overdue.cmp(&b.days_overdue)
        } else {
            b.days_overdue.cmp(&a.days_overdue)
        };
        by_days
            .then(a.due_on.cmp(&b.due_on))
            .then_with(|| a.village_code.cmp(&b.village_code))
            .then_with(|| a.name.cmp(&b.name))
    });
    s.shown = shown;
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll(app);
    // Start when asked (stale), or the first time unless it already failed
    // (no plugin): a failure is not retried every frame.
    let s = &app.visit_plan;
    if s.job.is_none() && (s.stale || (s.data.is_none() && s.error.is_none())) {
        start(app);
    }
    ui.heading(app.t("nav.visit_plan"));
    if let Some(job) = &app.visit_plan.job {
        job.show(ui, &app.t("common.cancel"));
    }
    if let Some(e) = &app.visit_plan.error {
        ui.colored_label(crate::gui::theme::ERROR, e);
    }
    let scope = app.scope();
    ui.horizontal(|ui| {
        let mut division = app.visit_plan.division.clone();
        if app
            .visit_plan
            .picker
            .show(ui, "plan", &app.store, scope.code(), &mut division)
        {
            app.visit_plan.division = division;
            app.visit_plan.shown_dirty = true;
        }
        ui.separator();
        for f in StatusFilter::ALL {
            if ui
                .selectable_label(app.visit_plan.status == f, app.t(f.key()))
                .clicked()
            {
                app.visit_plan.status = f;
                app.visit_plan.shown_dirty = true;
            }
        }
        ui.separator();
        if ui
            .add_enabled(
                app.visit_plan.job.is_none(),
                egui::Button::new(app.t("visit.refresh")),
            )
            .clicked()
        {
            app.visit_plan.stale = true;
        }
    });
    if app.visit_plan.shown_dirty {
        refilter(&mut app.visit_plan);
    }
    let Some(data) = &app.visit_plan.data else {
        return;
    };
    let p = &data.policy;
    ui.weak(format!(
        "截至 {}，依据 {} 的走访规则：超期 {} 天以上上报乡镇督导员，{} 天以上上报县民政局。共 {} 条。",
        data.as_of,
        data.plugin,
        p.escalate_township_after_days,
        p.escalate_county_after_days,
        app.visit_plan.shown.len()
    ));
    let mut open: Option<hutong_core::RowId> = None;
    let mut toggle_sort = false;
    let heads = [
        "visit.col_name",
        "visit.col_id",
        "visit.col_village",
        "visit.col_colour",
        "visit.col_due",
        "visit.col_days",
        "visit.col_status",
        "visit.col_escalation",
    ]
    .map(|k| app.t(k));
    let arrow = if app.visit_plan.ascending {
        "▲"
    } else {
        "▼"
    };
    let township_label = app.t("visit.escalated_township");
    let county_label = app.t("visit.escalated_county");
    let (week_label, overdue_label) = (app.t("visit.filter_week"), app.t("visit.filter_overdue"));
    let shown = &app.visit_plan.shown;
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(100.0))
        .column(Column::initial(180.0))
        .column(Column::initial(170.0))
        .column(Column::initial(130.0))
        .column(Column::initial(100.0))
        .column(Column::initial(90.0))
        .column(Column::initial(80.0))
        .column(Column::remainder().at_least(130.0))
        .header(26.0, |mut h| {
            for (i, text) in heads.iter().enumerate() {
                h.col(|ui| {
                    if i == 5 {
                        if ui.button(format!("{text} {arrow}")).clicked() {
                            toggle_sort = true;
                        }
                    } else {
                        ui.strong(text);
                    }
                });
            }
        })
        .body(|body| {
            body.rows(26.0, shown.len(), |mut row| {
                let Some(e) = shown.get(row.index()).and_then(|i| data.entries.get(*i)) else {
                    return;
                };
                row.col(|ui| {
                    if ui.link(&e.name).clicked() {
                        open = Some(e.child_id);
                    }
                });
                row.col(|ui| {
                    ui.monospace(id_number::mask(&e.id_number));
                });
                row.col(|ui| {
                    ui.label(&e.village_name);
                });
                row.col(|ui| {
                    let text = match &e.level_label {
                        Some(l) if e.colour.is_some() => {
                            format!("{}（{l}）", colour_label(e.colour))
                        }
                        _ => colour_label(e.colour).to_string(),
                    };
                    swatch(ui, e.colour, &text);
                });
                row.col(|ui| {
                    ui.label(e.due_on.to_string());
                });
                row.col(|ui| {
                    if e.days_overdue > 0 {
                        ui.colored_label(
                            crate::gui::theme::ERROR,
                            format!("{} 天", e.days_overdue),
                        );
                    }
                });
                row.col(|ui| {
                    match e.status {
                        DueStatus::Overdue => {
                            ui.colored_label(crate::gui::theme::ERROR, &overdue_label)
                        }
                        DueStatus::DueThisWeek => {
                            ui.colored_label(crate::gui::theme::WARNING, &week_label)
                        }
                        DueStatus::Upcoming => ui.label(""),
                    };
                });
                row.col(|ui| match e.escalation {
                    Escalation::County => {
                        ui.colored_label(crate::gui::theme::ERROR, &county_label);
                    }
                    Escalation::Township => {
                        ui.colored_label(crate::gui::theme::WARNING, &township_label);
                    }
                    Escalation::None => {}
                });
            });
        });
    if toggle_sort {
        app.visit_plan.ascending = !app.visit_plan.ascending;
        app.visit_plan.shown_dirty = true;
    }
    if let Some(id) = open {
        open_visits(app, id);
    }
}
