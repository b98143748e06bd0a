//! 工作台: children by category, the colour distribution, the visits due
//! this week and overdue (from the latest colour and the province plugin's
//! visit policy), and the escalation alerts. Each item opens the list or
//! 走访计划, already filtered.

use super::jobs::{JobError, JobName, Outcome};
use super::notices::Place;
use super::visit_plan::StatusFilter;
use super::widgets;
use super::{HutongApp, Screen};
use eframe::egui;
use hutong_core::schedule::Escalation;
use hutong_services::dashboard::{self, Figures, ScheduleFigures};

/// The figures on the 工作台. Computing them scans the county (the schedule
/// reads every child's latest visit and assessment), so they are computed in
/// the background, on a second read-only connection (WAL lets it read while
/// the UI writes), when the screen is entered.
#[derive(Default)]
pub struct HomeStats {
    pub fresh: bool,
    figures: Option<Figures>,
}

fn start(app: &mut HutongApp) {
    let path = app.store.database();
    let session = app.session.clone();
    let plugin = widgets::province_manifest(app).map(|(r, m)| (r, m.visit_policy));
    app.home.fresh = true;
    app.notices.clear(Place::Home);
    let lang = app.lang;
    let title = app.t("home-computing");
    app.jobs.start(
        JobName::HomeFigures,
        title,
        move |p| {
            let session =
                session.ok_or_else(|| JobError::from(crate::t!(lang, "login-required")))?;
            let mut store = path.open()?;
            p.set_total(3);
            Ok(dashboard::figures(&mut store, &session, plugin, || {
                p.step()
            })?)
        },
        // Runs whatever the screen is when the figures arrive.
        |app, outcome| match outcome {
            Outcome::Finished(f) => app.home.figures = Some(f),
            Outcome::Failed(e) => {
                let text = crate::t!(app.lang, "home-failed", error = e);
                app.notices.error(Place::Home, text)
            }
            Outcome::Cancelled => {
                let text = app.t("home-cancelled");
                app.notices
                    .push(Place::Home, super::notices::Level::Info, text)
            }
        },
    );
}

/// A large figure with its label; clicking it opens 走访计划 filtered.
fn tile(app: &HutongApp, ui: &mut egui::Ui, label: &str, n: u64, colour: egui::Color32) -> bool {
    egui::Frame::group(ui.style())
        .inner_margin(10.0)
        .show(ui, |ui| {
            ui.set_min_width(150.0);
            ui.vertical(|ui| {
                ui.label(label);
                let r = ui.add(
                    egui::Label::new(
                        egui::RichText::new(crate::t!(app.lang, "home-people", n = n))
                            .size(24.0)
                            .color(colour),
                    )
                    .sense(egui::Sense::click()),
                );
                r.on_hover_text(app.t("home-see_in_plan")).clicked()
            })
            .inner
        })
        .inner
}

fn go_plan(app: &mut HutongApp, status: StatusFilter, division: Option<String>) {
    app.visit_plan.status = status;
    app.visit_plan.division = division;
    app.visit_plan.stale = true;
    app.navigate(Screen::VisitPlan);
}

fn schedule_panel(app: &mut HutongApp, ui: &mut egui::Ui, s: &ScheduleFigures) {
    ui.horizontal(|ui| {
        ui.strong(app.t("home-colours"));
        for (c, n) in &s.colours {
            widgets::swatch(
                ui,
                *c,
                &format!("{} {n}", widgets::colour_label(app.lang, *c)),
            );
            ui.add_space(6.0);
        }
    });
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        if tile(
            app,
            ui,
            &app.t("home-due_week"),
            s.due_this_week,
            crate::gui::theme::WARNING,
        ) {
            go_plan(app, StatusFilter::DueThisWeek, None);
        }
        if tile(
            app,
            ui,
            &app.t("home-overdue_now"),
            s.overdue,
            crate::gui::theme::ERROR,
        ) {
            go_plan(app, StatusFilter::Overdue, None);
        }
        if tile(
            app,
            ui,
            &app.t("home-escalated_township"),
            s.township,
            crate::gui::theme::WARNING,
        ) {
            go_plan(app, StatusFilter::Escalated, None);
        }
        if tile(
            app,
            ui,
            &app.t("home-escalated_county"),
            s.county,
            crate::gui::theme::ERROR,
        ) {
            go_plan(app, StatusFilter::Escalated, None);
        }
    });
    ui.weak(crate::t!(
        app.lang,
        "home-policy",
        plugin = s.plugin.as_str(),
        days = s.policy.default_days,
        township = s.policy.escalate_township_after_days,
        county = s.policy.escalate_county_after_days
    ));
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.home.fresh {
        start(app);
    }
    app.jobs.show(ui, JobName::HomeFigures);
    app.notices.show_here(ui, Place::Home);
    let Some(f) = app.home.figures.clone() else {
        if app.jobs.running(JobName::HomeFigures) {
            ui.heading(app.t("home-total_computing"));
        }
        return;
    };
    ui.heading(crate::t!(app.lang, "home-total_n", n = f.total));
    ui.add_space(6.0);
    match &f.schedule {
        Some(s) => schedule_panel(app, ui, s),
        None => {
            ui.colored_label(crate::gui::theme::ERROR, app.t("visit-no_plugin"));
        }
    }
    ui.add_space(8.0);
    ui.separator();
    ui.columns(3, |cols| {
        cols[0].strong(app.t("home-by_category"));
        for (cat, n) in &f.counts {
            if cols[0]
                .link(crate::t!(
                    app.lang,
                    "home-category_n",
                    category = crate::i18n::zh_or_en(app.lang, cat.label_zh(), cat.label_en()),
                    n = *n
                ))
                .clicked()
            {
                app.list = Default::default();
                app.list.category = Some(*cat);
                app.navigate(Screen::Children);
            }
        }
        let Some(s) = &f.schedule else { return };
        cols[1].strong(app.t("home-alerts"));
        if s.alerts.is_empty() {
            cols[1].label(app.t("home-no_alerts"));
        }
        egui::ScrollArea::vertical()
            .id_salt("alerts")
            .max_height(460.0)
            .show(&mut cols[1], |ui| {
                for a in &s.alerts {
                    // Wrapped within the column: at a larger text size a
                    // row would otherwise run into the next column.
                    ui.horizontal_wrapped(|ui| {
                        let (rect, _) =
                            ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                        ui.painter()
                            .rect_filled(rect, 2.0, super::theme::risk_colour(a.colour));
                        if ui.link(&a.name).clicked() {
                            app.push(super::commands::Command::OpenChild(
                                a.child_id,
                                Some(super::commands::FileTab::Visits),
                            ));
                        }
                        ui.label(&a.village);
                        let colour = if a.escalation == Escalation::County {
                            crate::gui::theme::ERROR
                        } else {
                            crate::gui::theme::WARNING
                        };
                        ui.colored_label(
                            colour,
                            crate::t!(
                                app.lang,
                                "home-overdue_days",
                                days = a.days_overdue,
                                escalation = widgets::escalation_text(app, a.escalation)
                            ),
                        );
                    });
                }
            });
        cols[2].strong(app.t("home-overdue_villages"));
        if s.villages.is_empty() {
            cols[2].label(app.t("home-no_overdue_villages"));
        }
        egui::ScrollArea::vertical()
            .id_salt("overdue")
            .max_height(460.0)
            .show(&mut cols[2], |ui| {
                for v in &s.villages {
                    if ui
                        .link(crate::t!(
                            app.lang,
                            "home-village_overdue",
                            village = v.village_name.as_str(),
                            overdue = v.overdue,
                            escalated = v.escalated_township + v.escalated_county
                        ))
                        .clicked()
                    {
                        go_plan(app, StatusFilter::Overdue, Some(v.village_code.clone()));
                    }
                }
            });
    });
}
