//! 走访计划: the visits due this week and overdue, from each child's latest
//! colour and the province plugin's visit policy, with their escalation
//! (township 督导员 after N days, county after M). The schedule is computed
//! for the whole scope in a background job (100,000 children take longer
//! than a frame); filtering and sorting then run on the loaded rows, and the
//! table lays out only the visible rows. A click opens the child's 走访 tab.

use super::HutongApp;
use super::jobs::{self, JobError, JobName, Outcome};
use super::notices::Place;
use super::widgets::{DivisionPicker, colour_label, province_manifest, swatch};
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use hutong_core::national::{NaiveDate, id_number};
use hutong_core::province::VisitPolicy;
use hutong_core::schedule::{DueStatus, Escalation, ScheduleEntry, ScheduleFilter};

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
            StatusFilter::All => "visit-filter_all",
            StatusFilter::DueThisWeek => "visit-filter_week",
            StatusFilter::Overdue => "visit-filter_overdue",
            StatusFilter::Escalated => "visit-filter_escalated",
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
    data: Option<PlanData>,
    /// The last computation failed (no plugin, an error): not retried every
    /// frame, only when asked.
    failed: bool,
    pub status: StatusFilter,
    pub division: Option<String>,
    /// Most overdue first unless switched.
    ascending: bool,
    /// Indices into `data.entries` after filtering and sorting.
    shown: Vec<usize>,
    shown_dirty: bool,
    picker: DivisionPicker,
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

// ------------------------------------------------------------ the screen

fn start(app: &mut HutongApp) {
    app.visit_plan.stale = false;
    app.visit_plan.failed = false;
    app.notices.clear(Place::VisitPlan);
    let Some((plugin, manifest)) = province_manifest(app) else {
        app.visit_plan.data = None;
        app.visit_plan.failed = true;
        let text = app.t("visit-no_plugin");
        app.notices.error(Place::VisitPlan, text);
        return;
    };
    let path = app.store.database();
    let session = app.session.clone();
    let lang = app.lang;
    let title = app.t("visit-computing");
    let work = move |p: &jobs::Progress| -> Result<PlanData, JobError> {
        p.set_total(1);
        let session = session.ok_or_else(|| JobError::from(crate::t!(lang, "login-required")))?;
        let mut store = path.open()?;
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
        )?;
        p.step();
        Ok(PlanData {
            as_of,
            plugin,
            policy: manifest.visit_policy,
            entries,
        })
    };
    app.jobs.start(
        JobName::VisitPlan,
        title,
        work,
        |app, outcome| match outcome {
            Outcome::Finished(d) => {
                app.visit_plan.data = Some(d);
                app.visit_plan.shown_dirty = true;
            }
            Outcome::Failed(e) => {
                app.visit_plan.failed = true;
                let text = crate::t!(app.lang, "plan-failed", error = e);
                app.notices.error(Place::VisitPlan, text);
            }
            Outcome::Cancelled => {
                app.visit_plan.failed = true;
                let text = app.t("plan-cancelled");
                app.notices
                    .push(Place::VisitPlan, super::notices::Level::Info, text);
            }
        },
    );
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
    let lang = app.lang;
    // Start when asked (stale), or the first time unless it already failed
    // (no plugin): a failure is not retried every frame.
    let running = app.jobs.running(JobName::VisitPlan);
    let s = &app.visit_plan;
    if !running && (s.stale || (s.data.is_none() && !s.failed)) {
        start(app);
    }
    ui.heading(app.t("nav-visit_plan"));
    app.jobs.show(ui, JobName::VisitPlan);
    app.notices.show_here(ui, Place::VisitPlan);
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
                !app.jobs.running(JobName::VisitPlan),
                egui::Button::new(app.t("visit-refresh")),
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
    ui.weak(crate::t!(
        app.lang,
        "plan-policy",
        date = crate::i18n::date(app.lang, data.as_of),
        plugin = data.plugin.as_str(),
        township = p.escalate_township_after_days,
        county = p.escalate_county_after_days,
        n = app.visit_plan.shown.len()
    ));
    let mut open: Option<hutong_core::RowId> = None;
    let mut toggle_sort = false;
    let heads = [
        "visit-col_name",
        "visit-col_id",
        "visit-col_village",
        "visit-col_colour",
        "visit-col_due",
        "visit-col_days",
        "visit-col_status",
        "visit-col_escalation",
    ]
    .map(|k| app.t(k));
    let arrow = if app.visit_plan.ascending {
        "▲"
    } else {
        "▼"
    };
    let township_label = app.t("visit-escalated_township");
    let county_label = app.t("visit-escalated_county");
    let (week_label, overdue_label) = (app.t("visit-filter_week"), app.t("visit-filter_overdue"));
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
                    let colour = colour_label(lang, e.colour);
                    let text = match &e.level_label {
                        Some(l) if e.colour.is_some() => crate::t!(
                            lang,
                            "plan-colour_and_level",
                            colour = colour,
                            level = l.as_str()
                        ),
                        _ => colour,
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
                            crate::t!(lang, "plan-days", n = e.days_overdue),
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
        app.push(super::commands::Command::OpenChild(
            id,
            Some(super::commands::FileTab::Visits),
        ));
    }
}
