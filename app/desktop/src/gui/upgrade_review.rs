//! Plugin upgrade review (#8): after a new version of the county's
//! province plugin is installed, every child is re-assessed and
//! re-classified with it in the background WITHOUT writing
//! (`casework::preview_upgrade`), the children whose colour or eligibility
//! would change are listed (old → new, and why), and only the caseworker's
//! confirmation applies them (`casework::apply_upgrade`). 取消 leaves every
//! assessment and category as it was.

use super::HutongApp;
use super::jobs::{JobName, Outcome, Progress};
use super::notices::Place;
use crate::casework::{self, ApplyReport, UpgradePreview};
use crate::i18n::{Lang, zh_or_en};
use eframe::egui;
use hutong_core::national::category::CaseCategory;
use hutong_services::divisions;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// A finished preview with the village names looked up (off the UI thread).
pub struct Review {
    pub preview: UpgradePreview,
    /// The version the county used before (`id@version`).
    pub from: String,
    villages: HashMap<String, String>,
}

#[derive(Default)]
pub struct UpgradeState {
    pub review: Option<Review>,
}

impl UpgradeState {
    /// Children listed in the review, when one is shown.
    pub fn listed(&self) -> Option<Vec<String>> {
        self.review
            .as_ref()
            .map(|r| r.preview.diffs.iter().map(|d| d.name.clone()).collect())
    }
}

/// Starts the re-assessment preview with the newly installed version.
/// `from` is the version it replaces.
pub fn start_preview(app: &mut HutongApp, from: String) {
    let db = app.store.database();
    app.upgrade.review = None;
    app.notices.clear(Place::Upgrade);
    app.jobs.start(
        JobName::UpgradePreview,
        app.t("upgrade-preview_job"),
        move |p: &Progress| {
            let store = db.open()?;
            let (_runtime, mut plugin) = casework::load_province_plugin(db.path(), &store)?;
            let today = chrono::Local::now().date_naive();
            let cancel = AtomicBool::new(false);
            let preview = casework::preview_upgrade(
                &store,
                &mut plugin,
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
            .map_err(|e| e.to_string())?;
            let mut villages = HashMap::new();
            for d in &preview.diffs {
                if !villages.contains_key(&d.village_code) {
                    // Township and village: the county is the same for everyone.
                    let full = divisions::full_name(&store, &d.village_code).unwrap_or_default();
                    let parts: Vec<&str> = full.split_whitespace().collect();
                    let name = parts[parts.len().saturating_sub(2)..].join(" ");
                    villages.insert(d.village_code.clone(), name);
                }
            }
            Ok(Review {
                preview,
                from,
                villages,
            })
        },
        |app: &mut HutongApp, outcome: Outcome<Review>| {
            let lang = app.lang;
            match outcome {
                Outcome::Finished(r) => {
                    if r.preview.diffs.is_empty() {
                        app.notices.success(
                            Place::Upgrade,
                            crate::t!(
                                lang,
                                "upgrade-no_changes",
                                plugin = r.preview.plugin.as_str(),
                                n = r.preview.checked
                            ),
                        );
                    } else {
                        app.upgrade.review = Some(r);
                    }
                }
                Outcome::Failed(e) => app.notices.error(
                    Place::Upgrade,
                    crate::t!(lang, "upgrade-preview_failed", error = e),
                ),
                Outcome::Cancelled => app
                    .notices
                    .success(Place::Upgrade, crate::t!(lang, "upgrade-preview_cancelled")),
            }
        },
    );
}

fn start_apply(app: &mut HutongApp) {
    let Some(review) = &app.upgrade.review else {
        return;
    };
    let preview = review.preview.clone();
    let db = app.store.database();
    let session = app.session.clone();
    let lang = app.lang;
    app.jobs.start(
        JobName::UpgradeApply,
        app.t("upgrade-apply_job"),
        move |p: &Progress| {
            let session = session.ok_or_else(|| crate::t!(lang, "upgrade-not_logged_in"))?;
            let mut store = db.open()?;
            let (_runtime, mut plugin) = casework::load_province_plugin(db.path(), &store)?;
            if plugin.reference() != preview.plugin {
                return Err(crate::t!(
                    lang,
                    "upgrade-version_mismatch",
                    installed = plugin.reference().to_string(),
                    reviewed = preview.plugin.as_str()
                )
                .into());
            }
            let cancel = AtomicBool::new(false);
            let report = casework::apply_upgrade(
                &mut store,
                &mut plugin,
                &session,
                &preview,
                &mut |done, total| {
                    p.set_total(total);
                    p.set_done(done);
                    if p.cancelled() {
                        cancel.store(true, Ordering::Relaxed);
                    }
                },
                &cancel,
            )
            .map_err(|e| e.to_string())?;
            Ok(report)
        },
        |app: &mut HutongApp, outcome: Outcome<ApplyReport>| {
            let lang = app.lang;
            match outcome {
                Outcome::Finished(r) => {
                    app.upgrade.review = None;
                    match r.failed.first() {
                        None => app.notices.success(
                            Place::Upgrade,
                            crate::t!(
                                lang,
                                "upgrade-applied",
                                assessed = r.assessed,
                                changes = r.changes.len()
                            ),
                        ),
                        Some((_, error)) => app.notices.error(
                            Place::Upgrade,
                            crate::t!(
                                lang,
                                "upgrade-applied_with_failures",
                                assessed = r.assessed,
                                changes = r.changes.len(),
                                failed = r.failed.len(),
                                error = error.as_str()
                            ),
                        ),
                    }
                }
                Outcome::Failed(e) => app.notices.error(
                    Place::Upgrade,
                    crate::t!(lang, "upgrade-apply_failed", error = e),
                ),
                Outcome::Cancelled => app
                    .notices
                    .error(Place::Upgrade, crate::t!(lang, "upgrade-apply_cancelled")),
            }
        },
    );
}

fn status_text(lang: Lang, s: Option<hutong_core::province::FindingStatus>) -> String {
    match s {
        Some(s) => super::assessment_tab::status_label(lang, s),
        None => crate::t!(lang, "upgrade-not_classified"),
    }
}

/// The review list and its two buttons, on the 插件 screen.
pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    app.jobs.show(ui, JobName::UpgradePreview);
    app.jobs.show(ui, JobName::UpgradeApply);
    app.notices.show_here(ui, Place::Upgrade);
    let Some(review) = &app.upgrade.review else {
        // After a cancelled review (or any time): compare the stored results
        // with what the installed version says now.
        let county = app.store.county_code().ok().flatten().unwrap_or_default();
        let installed = app.plugins.province_index(&county).is_some();
        if installed
            && !app.jobs.running(JobName::UpgradePreview)
            && !app.jobs.running(JobName::UpgradeApply)
            && ui
                .button(t("upgrade-again"))
                .on_hover_text(t("upgrade-again_hint"))
                .clicked()
        {
            start_preview(app, t("upgrade-from_stored"));
        }
        return;
    };
    let p = &review.preview;
    ui.add_space(8.0);
    ui.heading(t("upgrade-title"));
    ui.label(crate::t!(
        lang,
        "upgrade-summary",
        from = review.from.as_str(),
        plugin = p.plugin.as_str(),
        checked = p.checked,
        millis = p.millis,
        n = p.diffs.len()
    ));
    let colour_changes = p.diffs.iter().filter(|d| d.level_changed()).count();
    let elig_changes = p.diffs.iter().filter(|d| !d.eligibility.is_empty()).count();
    ui.weak(crate::t!(
        lang,
        "upgrade-counts",
        colour = colour_changes,
        eligibility = elig_changes
    ));
    ui.add_space(4.0);
    egui::ScrollArea::vertical()
        .id_salt("upgrade-review")
        .max_height(420.0)
        .show(ui, |ui| {
            egui::Grid::new("upgrade-review-grid")
                .striped(true)
                .num_columns(5)
                .spacing([14.0, 4.0])
                .show(ui, |ui| {
                    for k in [
                        "upgrade-col-name",
                        "upgrade-col-village",
                        "upgrade-col-colour",
                        "upgrade-col-eligibility",
                        "upgrade-col-reason",
                    ] {
                        ui.strong(t(k));
                    }
                    ui.end_row();
                    for d in &p.diffs {
                        ui.label(&d.name);
                        ui.label(
                            review
                                .villages
                                .get(&d.village_code)
                                .filter(|n| !n.is_empty())
                                .unwrap_or(&d.village_code),
                        );
                        ui.horizontal(|ui| {
                            if d.level_changed() {
                                super::assessment_tab::swatch(ui, lang, d.old_colour);
                                ui.label("→");
                                super::assessment_tab::swatch(ui, lang, d.new_colour);
                            } else {
                                ui.weak(t("upgrade-unchanged"));
                            }
                        });
                        ui.vertical(|ui| {
                            if d.eligibility.is_empty() {
                                ui.weak(t("upgrade-unchanged"));
                            }
                            for (cat, old, new) in &d.eligibility {
                                let label = CaseCategory::from_code(cat)
                                    .map(|c| zh_or_en(lang, c.label_zh(), c.label_en()).to_string())
                                    .unwrap_or_else(|| cat.clone());
                                ui.label(crate::t!(
                                    lang,
                                    "upgrade-elig_change",
                                    category = label,
                                    old = status_text(lang, *old),
                                    new = status_text(lang, Some(*new))
                                ));
                            }
                        });
                        ui.vertical(|ui| {
                            ui.set_max_width(460.0);
                            if let Some(e) = &d.error {
                                ui.colored_label(crate::gui::theme::ERROR, e);
                            }
                            let reasons = super::assessment_tab::join_reasons(lang, &d.reasons);
                            ui.label(if reasons.is_empty() {
                                "—".into()
                            } else {
                                reasons
                            });
                        });
                        ui.end_row();
                    }
                });
        });
    ui.add_space(6.0);
    let busy = app.jobs.running(JobName::UpgradeApply);
    let mut apply = false;
    let mut cancel = false;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(t("upgrade-apply")))
            .clicked()
        {
            apply = true;
        }
        if ui
            .add_enabled(!busy, egui::Button::new(t("upgrade-cancel")))
            .clicked()
        {
            cancel = true;
        }
    });
    if apply {
        start_apply(app);
    }
    if cancel {
        app.upgrade.review = None;
        app.notices.success(Place::Upgrade, t("upgrade-cancelled"));
    }
}
