//! The daily eligibility sweep (#8): started once per day at log-in when
//! the last recorded sweep is older than today, run as a background job
//! (`casework::eligibility_sweep`: the plugin re-classifies the children
//! with a life event since the last sweep; the core applies and audits the
//! changes), then a summary bar says what changed and why.

use super::HutongApp;
use super::jobs::{JobError, JobName, Outcome};
use super::notices::{Level, Place};
use crate::casework::{self, SweepReport};
use eframe::egui;
use hutong_core::national::NaiveDate;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub struct SweepState {
    /// The day this session last considered a sweep (once per day).
    checked_on: Option<NaiveDate>,
    /// The finished sweep's report, until the user closes the bar.
    pub report: Option<SweepReport>,
    details: bool,
}

/// A failed or cancelled sweep, told to those who see the county's lists
/// (the sweep's figures are a county list).
fn tell(app: &mut HutongApp, level: Level, text: String) {
    if app.can(hutong_services::Action::CountyLists) {
        app.notices.push(Place::Sweep, level, text);
    }
}

/// Starts today's sweep if none has run today and a province plugin is
/// installed; collects a finished sweep. Called every frame once signed in.
pub fn poll(app: &mut HutongApp) {
    if app.session.is_none() {
        // A new log-in looks again.
        app.sweep.checked_on = None;
        return;
    }
    let today = chrono::Local::now().date_naive();
    if app.sweep.checked_on != Some(today) && !app.jobs.running(JobName::EligibilitySweep) {
        app.sweep.checked_on = Some(today);
        let last = app
            .call(hutong_services::child_casework::last_sweep)
            .ok()
            .flatten();
        let county = app.store.county_code().ok().flatten().unwrap_or_default();
        if last.is_none_or(|d| d < today) && app.plugins.province_index(&county).is_some() {
            start(app, today);
        }
    }
}

fn finished(app: &mut HutongApp, outcome: Outcome<SweepReport>) {
    match outcome {
        Outcome::Finished(r) => {
            app.sweep.report = Some(r);
            app.notices.clear(Place::Sweep);
        }
        Outcome::Failed(e) => {
            let text = crate::t!(app.lang, "sweep-failed", error = e);
            tell(app, Level::Error, text);
        }
        Outcome::Cancelled => {
            let text = app.t("sweep-cancelled");
            tell(app, Level::Warning, text);
        }
    }
    // The sweep may have changed the open file's categories.
    if let Some(child) = app.file.as_ref().map(|f| f.child.id) {
        app.push(super::commands::Command::ChildReadAgain(child));
    }
}

fn start(app: &mut HutongApp, today: NaiveDate) {
    let db = app.store.database();
    // The sweep is the county's daily job, not the signed-in user's work:
    // it runs over the whole county under its own name in the audit log,
    // whoever's log-in started it.
    let system = match hutong_services::Session::system(
        &app.store,
        hutong_services::SystemJob::EligibilitySweep,
    ) {
        Ok(session) => session,
        Err(e) => {
            let text = crate::t!(app.lang, "sweep-cannot_start", error = e.to_string());
            tell(app, Level::Error, text);
            return;
        }
    };
    let title = app.t("sweep-job_title");
    let work = move |p: &super::jobs::Progress| -> Result<SweepReport, JobError> {
        let mut store = db.open()?;
        let (_runtime, mut plugin) = casework::load_province_plugin(db.path(), &store)?;
        p.note(plugin.reference());
        let cancel = AtomicBool::new(false);
        casework::eligibility_sweep(
            &mut store,
            &mut plugin,
            &system,
            today,
            &mut |done, total| {
                p.set_total(total);
                p.set_done(done);
                if p.cancelled() {
                    cancel.store(true, Ordering::Relaxed);
                }
            },
            &cancel,
        )
        .map_err(JobError::from)
    };
    app.jobs
        .start(JobName::EligibilitySweep, title, work, finished);
}

/// The bar at the bottom of the window: progress while the sweep runs, then
/// its summary with the list of changes (and their reasons) on request.
pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let running = app.jobs.running(JobName::EligibilitySweep);
    if !running && app.sweep.report.is_none() && app.notices.get(Place::Sweep).is_none() {
        return;
    }
    // The sweep covers the county; its figures are a county list, which a
    // township 督导员 or village 儿童主任 is not shown (the job still runs).
    if !app.can(hutong_services::Action::CountyLists) {
        return;
    }
    egui::Panel::bottom("eligibility-sweep").show(ui, |ui| {
        if running {
            app.jobs.show(ui, JobName::EligibilitySweep);
            return;
        }
        let mut close = false;
        app.notices.show_here(ui, Place::Sweep);
        if let Some(r) = &app.sweep.report {
            ui.horizontal_wrapped(|ui| {
                ui.strong(t("sweep-title"));
                ui.label(summary(app.lang, r));
                if !r.changes.is_empty() || !r.failed.is_empty() {
                    let key = if app.sweep.details {
                        "sweep-hide"
                    } else {
                        "sweep-details"
                    };
                    if ui.small_button(t(key)).clicked() {
                        app.sweep.details = !app.sweep.details;
                    }
                }
                if ui.small_button(t("sweep-close")).clicked() {
                    close = true;
                }
            });
            if app.sweep.details {
                egui::ScrollArea::vertical()
                    .id_salt("sweep-changes")
                    .min_scrolled_height(160.0)
                    .max_height(220.0)
                    .show(ui, |ui| {
                        for c in &r.changes {
                            ui.label(format!("· {}", c.describe_zh()));
                        }
                        for (id, e) in &r.failed {
                            ui.colored_label(
                                crate::gui::theme::ERROR,
                                crate::t!(
                                    app.lang,
                                    "sweep-failed_child",
                                    child = id.to_string(),
                                    error = e.as_str()
                                ),
                            );
                        }
                    });
            }
        }
        if close {
            app.sweep.report = None;
            app.notices.clear(Place::Sweep);
            app.sweep.details = false;
        }
    });
}

/// One line: what the sweep looked at and what it changed.
pub fn summary(lang: crate::i18n::Lang, r: &SweepReport) -> String {
    let checked = match r.previous {
        Some(d) => crate::t!(
            lang,
            "sweep-checked_since",
            date = d.to_string(),
            n = r.checked,
            changes = r.changes.len()
        ),
        None => crate::t!(
            lang,
            "sweep-checked_first",
            n = r.checked,
            changes = r.changes.len()
        ),
    };
    crate::t!(
        lang,
        "sweep-summary",
        checked = checked,
        failed = r.failed.len(),
        millis = r.millis
    )
}
