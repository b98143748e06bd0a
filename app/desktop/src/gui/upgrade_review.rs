//! Plugin upgrade review (#8): after a new version of the county's
//! province plugin is installed, every child is re-assessed and
//! re-classified with it in the background WITHOUT writing
//! (`casework::preview_upgrade`), the children whose colour or eligibility
//! would change are listed (old → new, and why), and only the caseworker's
//! confirmation applies them (`casework::apply_upgrade`). 取消 leaves every
//! assessment and category as it was.

use super::HutongApp;
use super::jobs::{self, Job, Outcome};
use crate::casework::{self, ApplyReport, UpgradePreview};
use eframe::egui;
use hutong_core::eligibility;
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
    preview_job: Option<Job<Review>>,
    apply_job: Option<Job<ApplyReport>>,
    pub review: Option<Review>,
    pub message: Option<(bool, String)>,
}

impl UpgradeState {
    pub fn busy(&self) -> bool {
        self.preview_job.is_some() || self.apply_job.is_some()
    }

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
    app.upgrade.message = None;
    app.upgrade.preview_job = Some(jobs::spawn(
        "新版插件重新评估（预览，不写入）",
        move |p| {
            let store = db.open().map_err(|e| e.to_string())?;
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
    ));
}

fn start_apply(app: &mut HutongApp) {
    let Some(review) = &app.upgrade.review else {
        return;
    };
    let preview = review.preview.clone();
    let db = app.store.database();
    let session = app.session.clone();
    app.upgrade.apply_job = Some(jobs::spawn(
        "应用新版插件的评估与资格认定",
        move |p| {
            let session = session.ok_or_else(|| "未登录".to_string())?;
            let mut store = db.open().map_err(|e| e.to_string())?;
            let (_runtime, mut plugin) = casework::load_province_plugin(db.path(), &store)?;
            if plugin.reference() != preview.plugin {
                return Err(format!(
                    "已安装的插件（{}）与复核时的版本（{}）不同，请重新复核",
                    plugin.reference(),
                    preview.plugin
                ));
            }
            let cancel = AtomicBool::new(false);
            casework::apply_upgrade(
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
            .map_err(|e| e.to_string())
        },
    ));
}

/// Collects finished jobs. Called every frame.
pub fn poll(app: &mut HutongApp) {
    if let Some(job) = &app.upgrade.preview_job
        && let Some(outcome) = job.poll()
    {
        app.upgrade.preview_job = None;
        match outcome {
            Outcome::Finished(r) => {
                if r.preview.diffs.is_empty() {
                    app.upgrade.message = Some((
                        true,
                        format!(
                            "已用 {} 重新评估 {} 名儿童：颜色与资格认定均无变化，无需复核",
                            r.preview.plugin, r.preview.checked
                        ),
                    ));
                } else {
                    app.upgrade.review = Some(r);
                }
            }
            Outcome::Failed(e) => {
                app.upgrade.message = Some((false, format!("新版插件重新评估失败：{e}")))
            }
            Outcome::Cancelled => {
                app.upgrade.message = Some((true, "已取消重新评估：评估与资格认定均未更改".into()))
            }
        }
    }
    if let Some(job) = &app.upgrade.apply_job
        && let Some(outcome) = job.poll()
    {
        app.upgrade.apply_job = None;
        app.upgrade.message = Some(match outcome {
            Outcome::Finished(r) => {
                app.upgrade.review = None;
                let mut msg = format!(
                    "已应用：{} 名儿童的新评估结果已保存，{} 项资格变动",
                    r.assessed,
                    r.changes.len()
                );
                if !r.failed.is_empty() {
                    msg.push_str(&format!("；{} 名失败：{}", r.failed.len(), r.failed[0].1));
                }
                (r.failed.is_empty(), msg)
            }
            Outcome::Failed(e) => (false, format!("应用失败：{e}")),
            Outcome::Cancelled => (
                false,
                "应用已中途取消：已保存的结果保留，其余儿童未更改".into(),
            ),
        });
    }
}

fn status_text(s: Option<hutong_core::province::FindingStatus>) -> &'static str {
    s.map(eligibility::status_label_zh).unwrap_or("未认定")
}

/// The review list and its two buttons, on the 插件 screen.
pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    if let Some(job) = &app.upgrade.preview_job {
        job.show(ui, &t("common.cancel"));
    }
    if let Some(job) = &app.upgrade.apply_job {
        job.show(ui, &t("common.cancel"));
    }
    super::status_message(ui, app.upgrade.message.as_ref());
    let Some(review) = &app.upgrade.review else {
        // After a cancelled review (or any time): compare the stored results
        // with what the installed version says now.
        let county = app.store.county_code().ok().flatten().unwrap_or_default();
        let installed = app.plugins.province_index(&county).is_some();
        if installed
            && !app.upgrade.busy()
            && ui
                .button(t("upgrade.again"))
                .on_hover_text(t("upgrade.again_hint"))
                .clicked()
        {
            start_preview(app, "此前的评估与认定".into());
        }
        return;
    };
    let p = &review.preview;
    ui.add_space(8.0);
    ui.heading(t("upgrade.title"));
    ui.label(format!(
        "{} → {}：已重新评估 {} 名儿童（{} 毫秒），以下 {} 名儿童的颜色或资格认定将会改变。确认前不会写入任何数据。",
        review.from,
        p.plugin,
        p.checked,
        p.millis,
        p.diffs.len()
    ));
    let colour_changes = p.diffs.iter().filter(|d| d.level_changed()).count();
    let elig_changes = p.diffs.iter().filter(|d| !d.eligibility.is_empty()).count();
    ui.weak(format!(
        "颜色变化 {colour_changes} 名；资格认定变化 {elig_changes} 名"
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
                        "upgrade.col.name",
                        "upgrade.col.village",
                        "upgrade.col.colour",
                        "upgrade.col.eligibility",
                        "upgrade.col.reason",
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
                                super::assessment_tab::swatch(ui, d.old_colour);
                                ui.label("→");
                                super::assessment_tab::swatch(ui, d.new_colour);
                            } else {
                                ui.weak("不变");
                            }
                        });
                        ui.vertical(|ui| {
                            if d.eligibility.is_empty() {
                                ui.weak("不变");
                            }
                            for (cat, old, new) in &d.eligibility {
                                let label = CaseCategory::from_code(cat)
                                    .map(|c| c.label_zh().to_string())
                                    .unwrap_or_else(|| cat.clone());
                                ui.label(format!(
                                    "{label}：{} → {}",
                                    status_text(*old),
                                    status_text(Some(*new))
                                ));
                            }
                        });
                        ui.vertical(|ui| {
                            ui.set_max_width(460.0);
                            if let Some(e) = &d.error {
                                ui.colored_label(crate::gui::theme::ERROR, e);
                            }
                            let reasons = d.reasons.join("；");
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
    let busy = app.upgrade.apply_job.is_some();
    let mut apply = false;
    let mut cancel = false;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(t("upgrade.apply")))
            .clicked()
        {
            apply = true;
        }
        if ui
            .add_enabled(!busy, egui::Button::new(t("upgrade.cancel")))
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
        app.upgrade.message = Some((
            true,
            "已取消：评估结果与资格认定均未更改（新版插件仍为已安装版本，此后的新评估将使用它）"
                .into(),
        ));
    }
}
