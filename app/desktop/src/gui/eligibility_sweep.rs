//! The daily eligibility sweep (#8): started once per day at log-in when
//! the last recorded sweep is older than today, run as a background job
//! (`casework::eligibility_sweep`: the plugin re-classifies the children
//! with a life event since the last sweep; the core applies and audits the
//! changes), then a summary bar says what changed and why.

use super::HutongApp;
use super::jobs::{self, Job, Outcome};
use crate::casework::{self, SweepReport};
use eframe::egui;
use hutong_core::national::NaiveDate;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub struct SweepState {
    /// The day this session last considered a sweep (once per day).
    checked_on: Option<NaiveDate>,
    job: Option<Job<SweepReport>>,
    /// The finished sweep's report, until the user closes the bar.
    pub report: Option<SweepReport>,
    pub message: Option<(bool, String)>,
    details: bool,
}

impl SweepState {
    pub fn busy(&self) -> bool {
        self.job.is_some()
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
    if app.sweep.checked_on != Some(today) && app.sweep.job.is_none() {
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
    if let Some(job) = &app.sweep.job
        && let Some(outcome) = job.poll()
    {
        app.sweep.job = None;
        match outcome {
            Outcome::Finished(r) => {
                app.sweep.report = Some(r);
                app.sweep.message = None;
            }
            Outcome::Failed(e) => app.sweep.message = Some((false, format!("资格核查未完成：{e}"))),
            Outcome::Cancelled => {
                app.sweep.message = Some((
                    false,
                    "资格核查已取消：已作出的变更保留，明天（或下次登录）将重新核查同一时段".into(),
                ))
            }
        }
        // The sweep may have changed the open file's categories.
        if let Some(child) = app.file.as_ref().map(|f| f.child.id) {
            app.push(super::commands::Command::ChildReadAgain(child));
        }
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
            app.sweep.message = Some((false, format!("资格核查未能开始：{e}")));
            return;
        }
    };
    app.sweep.job = Some(jobs::spawn("每日资格核查", move |p| {
        let mut store = db.open().map_err(|e| e.to_string())?;
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
        .map_err(|e| e.to_string())
    }));
}

/// The bar at the bottom of the window: progress while the sweep runs, then
/// its summary with the list of changes (and their reasons) on request.
pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    if app.sweep.job.is_none() && app.sweep.report.is_none() && app.sweep.message.is_none() {
        return;
    }
    // The sweep covers the county; its figures are a county list, which a
    // township 督导员 or village 儿童主任 is not shown (the job still runs).
    if !app.can(hutong_services::Action::CountyLists) {
        return;
    }
    egui::Panel::bottom("eligibility-sweep").show(ui, |ui| {
        if let Some(job) = &app.sweep.job {
            job.show(ui, &t("common.cancel"));
            return;
        }
        let mut close = false;
        if let Some((ok, msg)) = &app.sweep.message {
            ui.horizontal(|ui| {
                super::status_message(ui, Some(&(*ok, msg.clone())));
                if ui.small_button(t("sweep.close")).clicked() {
                    close = true;
                }
            });
        }
        if let Some(r) = &app.sweep.report {
            ui.horizontal_wrapped(|ui| {
                ui.strong(t("sweep.title"));
                ui.label(summary(r));
                if !r.changes.is_empty() || !r.failed.is_empty() {
                    let key = if app.sweep.details {
                        "sweep.hide"
                    } else {
                        "sweep.details"
                    };
                    if ui.small_button(t(key)).clicked() {
                        app.sweep.details = !app.sweep.details;
                    }
                }
                if ui.small_button(t("sweep.close")).clicked() {
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
                            ui.colored_label(crate::gui::theme::ERROR, format!("· {id}：{e}"));
                        }
                    });
            }
        }
        if close {
            app.sweep.report = None;
            app.sweep.message = None;
            app.sweep.details = false;
        }
    });
}

/// One line: what the sweep looked at and what it changed.
pub fn summary(r: &SweepReport) -> String {
    let since = r
        .previous
        .map(|d| format!("自上次核查（{d}）以来有生活事件或从未核查的"))
        .unwrap_or_else(|| "首次核查：".into());
    let mut s = format!(
        "{}{}名儿童已由省级插件重新认定，{}项变动",
        since,
        r.checked,
        r.changes.len()
    );
    if !r.failed.is_empty() {
        s.push_str(&format!("，{}名失败", r.failed.len()));
    }
    s.push_str(&format!("（{} 毫秒）", r.millis));
    s
}
