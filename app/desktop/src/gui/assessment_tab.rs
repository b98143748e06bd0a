//! The child file's 评估 tab (#8): run any scale of the province plugin
//! from its definition, see each stored result and the colour trend, the
//! "需要重新评估" notice, and the plugin's eligibility findings with their
//! reasons, citations and the coming category ends.
//!
//! The plugin runs on the worker thread (`worker.rs`); this tab sends the
//! answers and polls for the result, then stores it through
//! `casework::store_result` (immutable, with id@version and input hash).
//! What the tab shows is loaded once per child and after each write, never
//! queried per frame.

use super::HutongApp;
use crate::casework;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::assessments::{ReassessmentDue, StoredAssessment};
use hutong_core::eligibility::{self, CategoryChange, FindingRecord, LifeEvent};
use hutong_core::national::category::CaseCategory;
use hutong_core::national::dates;
use hutong_core::province::{
    Answer, AssessInput, Assessment, Colour, Finding, FindingStatus, ScaleDef,
};
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, TryRecvError};

/// A scale run waiting for the worker.
struct PendingAssess {
    rx: Receiver<Result<Assessment, String>>,
    plugin: usize,
    child_id: RowId,
    scale: ScaleDef,
    input: AssessInput,
}

/// A `classify` waiting for the worker (on save, or on request).
struct PendingClassify {
    rx: Receiver<Result<Vec<Finding>, String>>,
    plugin: usize,
    child_id: RowId,
    today: hutong_core::national::NaiveDate,
}

#[derive(Default)]
pub struct AssessmentTabState {
    /// The child this state was loaded for.
    pub(super) child: Option<RowId>,
    /// The chosen scale (index into the province plugin's scales).
    scale: usize,
    /// item id → chosen option code, for the chosen scale.
    answers: HashMap<String, String>,
    /// The item the last validation named (highlighted).
    invalid_item: Option<String>,
    pending: Option<PendingAssess>,
    classify: Option<PendingClassify>,
    pub message: Option<(bool, String)>,
    history: Vec<StoredAssessment>,
    due: Option<ReassessmentDue>,
    findings: Vec<FindingRecord>,
    coming: Vec<CategoryChange>,
    events: Vec<LifeEvent>,
    /// What the last classification changed, and why.
    last_changes: Option<Vec<CategoryChange>>,
}

impl AssessmentTabState {
    pub fn busy(&self) -> bool {
        self.pending.is_some() || self.classify.is_some()
    }
}

pub(crate) fn colour_name(c: Option<Colour>) -> &'static str {
    c.map(|c| c.label_zh()).unwrap_or("无颜色")
}

/// A small filled square in a result's colour, then its name.
pub(crate) fn swatch(ui: &mut egui::Ui, c: Option<Colour>) {
    super::widgets::swatch(ui, c, colour_name(c));
}

/// Severity for the trend chart: red highest.
fn severity(c: Option<Colour>) -> f32 {
    match c {
        Some(Colour::Red) => 4.0,
        Some(Colour::Orange) => 3.0,
        Some(Colour::Yellow) => 2.0,
        Some(Colour::Blue) => 1.0,
        Some(Colour::Green) | None => 0.0,
    }
}

fn status_colour(s: FindingStatus) -> egui::Color32 {
    match s {
        FindingStatus::Eligible => crate::gui::theme::SUCCESS,
        FindingStatus::NotEligible => crate::gui::theme::MUTED,
        FindingStatus::EvidenceMissing => crate::gui::theme::WARNING,
    }
}

fn category_label(code: &str) -> String {
    CaseCategory::from_code(code)
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|| code.to_string())
}

fn today() -> hutong_core::national::NaiveDate {
    chrono::Local::now().date_naive()
}

/// Loads what the tab shows for a child (on open and after each write).
pub(super) fn reload(app: &mut HutongApp, child_id: RowId) {
    let view = app
        .call(|store, session| {
            hutong_services::child_casework::assessment_view(store, session, child_id, today())
        })
        .unwrap_or_default();
    let st = &mut app.assessment_tab;
    if st.child != Some(child_id) {
        *st = AssessmentTabState {
            child: Some(child_id),
            // A result arriving for the old child is still stored by its id.
            pending: st.pending.take(),
            classify: st.classify.take(),
            ..Default::default()
        };
    }
    st.history = view.history;
    st.due = view.due;
    st.findings = view.findings;
    st.coming = view.coming;
    st.events = view.events;
}

/// Pre-fills the questionnaire with the child's latest answers to a scale,
/// so a re-assessment only changes what changed.
fn prefill(st: &mut AssessmentTabState, scale: &ScaleDef) {
    st.answers = st
        .history
        .iter()
        .rev()
        .find(|a| a.scale_id == scale.id)
        .map(|a| {
            a.answers
                .iter()
                .map(|x| (x.item_id.clone(), x.code.clone()))
                .collect()
        })
        .unwrap_or_default();
    st.invalid_item = None;
}

/// The first unanswered item, as a Chinese message naming it.
pub fn unanswered(scale: &ScaleDef, answers: &HashMap<String, String>) -> Option<(String, String)> {
    scale.items.iter().enumerate().find_map(|(i, item)| {
        let answered = answers.get(&item.id).is_some_and(|c| !c.trim().is_empty());
        (!answered).then(|| {
            let group = if item.group.is_empty() {
                String::new()
            } else {
                format!("（{}）", item.group)
            };
            (
                item.id.clone(),
                format!("第{}项“{}”{}尚未填写，请先回答", i + 1, item.text, group),
            )
        })
    })
}

/// Called after the child's file is saved: `classify` runs on the worker
/// (one child, cheap) and its findings are applied when they arrive.
/// Asks the province plugin to classify a child; the findings are stored
/// when the worker answers (`poll`). Reached through
/// `Command::ChildChanged`, after any write to the child.
pub(super) fn classify(app: &mut HutongApp, child_id: RowId) {
    let county = app.store.county_code().ok().flatten().unwrap_or_default();
    let Some(plugin) = app.plugins.province_index(&county) else {
        return;
    };
    let Ok(child) = app
        .call(|store, session| hutong_services::child_casework::snapshot(store, session, child_id))
    else {
        return;
    };
    let t = today();
    if let Some(rx) = app.plugins.classify(plugin, child, t.to_string()) {
        app.assessment_tab.classify = Some(PendingClassify {
            rx,
            plugin,
            child_id,
            today: t,
        });
    }
}

/// Stores results the worker sent back. Runs every frame while something
/// is pending (also from other screens, so a save's classification lands).
pub fn poll(app: &mut HutongApp, ctx: &egui::Context) {
    // Results are stored under the session that asked; after a log-out the
    // workstation (and what was pending) is rebuilt, so none is left.
    let Some(session) = app.session.clone() else {
        return;
    };
    if let Some(p) = &app.assessment_tab.pending {
        match p.rx.try_recv() {
            Err(TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(30))
            }
            answer => {
                let Some(p) = app.assessment_tab.pending.take() else {
                    return;
                };
                let result = answer.unwrap_or_else(|_| Err("插件线程已停止".into()));
                let manifest = app
                    .plugins
                    .infos()
                    .get(p.plugin)
                    .map(|i| i.manifest.clone());
                app.assessment_tab.message = Some(match (result, manifest) {
                    (Ok(result), Some(m)) => match casework::store_result(
                        &mut app.store,
                        &session,
                        &m,
                        p.child_id,
                        &p.scale,
                        &p.input,
                        &result,
                    ) {
                        Ok(stored) => {
                            app.assessment_tab.answers.clear();
                            (
                                true,
                                format!(
                                    "已保存评估：{}（{}色）{}，{}",
                                    stored.level_label,
                                    colour_name(stored.colour),
                                    stored.score.map(|s| format!("，{s}分")).unwrap_or_default(),
                                    stored.plugin_ref()
                                ),
                            )
                        }
                        Err(e) => (false, format!("评估结果未能保存：{e}")),
                    },
                    (Ok(_), None) => (false, "插件已重新加载，请重新提交".into()),
                    (Err(e), _) => (false, format!("插件评估失败，未保存：{e}")),
                });
                app.push(super::commands::Command::ChildReadAgain(p.child_id));
            }
        }
    }
    if let Some(c) = &app.assessment_tab.classify {
        match c.rx.try_recv() {
            Err(TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(30))
            }
            answer => {
                let Some(c) = app.assessment_tab.classify.take() else {
                    return;
                };
                let result = answer.unwrap_or_else(|_| Err("插件线程已停止".into()));
                let manifest = app
                    .plugins
                    .infos()
                    .get(c.plugin)
                    .map(|i| i.manifest.clone());
                match (result, manifest) {
                    (Ok(findings), Some(m)) => {
                        match casework::apply_findings(
                            &mut app.store,
                            &session,
                            &m,
                            c.child_id,
                            c.today,
                            &findings,
                        ) {
                            Ok(changes) => {
                                app.assessment_tab.last_changes = Some(changes);
                                app.push(super::commands::Command::ChildReadAgain(c.child_id));
                            }
                            Err(e) => {
                                app.assessment_tab.message =
                                    Some((false, format!("资格核查结果未能保存：{e}")))
                            }
                        }
                    }
                    (Ok(_), None) => {}
                    (Err(e), _) => {
                        app.assessment_tab.message = Some((false, format!("资格核查失败：{e}")))
                    }
                }
                // Stored findings reach the tab through ChildReadAgain.
            }
        }
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let Some(child_id) = app.file.as_ref().map(|f| f.child.id) else {
        return;
    };
    if app.assessment_tab.child != Some(child_id) {
        reload(app, child_id);
    }
    poll(app, &ui.ctx().clone());
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);

    if let Some(due) = &app.assessment_tab.due {
        egui::Frame::new()
            .fill(crate::gui::theme::NOTICE_FILL)
            .stroke(egui::Stroke::new(1.0, crate::gui::theme::NOTICE_STROKE))
            .inner_margin(8.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.strong(t("assess.due"));
                    ui.label(match due {
                        ReassessmentDue::NeverAssessed => t("assess.never"),
                        d => d.label_zh(),
                    });
                });
            });
        ui.add_space(6.0);
    }
    super::status_message(ui, app.assessment_tab.message.as_ref());

    ui.heading(t("assess.history"));
    history(app, ui);
    ui.add_space(10.0);
    ui.separator();
    questionnaire(app, ui);
    ui.add_space(10.0);
    ui.separator();
    eligibility_section(app, ui);
}

/// The colour trend (a small chart, oldest left) and the table of results.
fn history(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let st = &app.assessment_tab;
    if st.history.is_empty() {
        ui.weak(t("assess.none"));
        return;
    }
    ui.label(t("assess.trend"));
    trend_chart(ui, &st.history);
    ui.add_space(6.0);
    let scale_names: HashMap<String, String> = app
        .plugins
        .infos()
        .iter()
        .flat_map(|i| i.scales.iter())
        .map(|s| (s.id.clone(), s.name.clone()))
        .collect();
    egui::Grid::new("assessment-history")
        .striped(true)
        .num_columns(7)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for k in [
                "assess.col.date",
                "assess.col.scale",
                "assess.col.level",
                "assess.col.colour",
                "assess.col.score",
                "assess.col.plugin",
                "assess.col.author",
            ] {
                ui.strong(t(k));
            }
            ui.end_row();
            for a in st.history.iter().rev() {
                ui.label(a.assessed_on.to_string());
                ui.label(scale_names.get(&a.scale_id).unwrap_or(&a.scale_id));
                ui.label(&a.level_label).on_hover_text(a.reasons.join("\n"));
                ui.horizontal(|ui| swatch(ui, a.colour));
                ui.label(a.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into()));
                ui.monospace(a.plugin_ref())
                    .on_hover_text(format!("输入哈希 {}", &a.input_sha256[..16]));
                ui.label(&a.author);
                ui.end_row();
            }
        });
    if let Some(latest) = st.history.last()
        && !latest.reasons.is_empty()
    {
        ui.add_space(4.0);
        ui.weak(format!(
            "{}：{}",
            t("assess.latest_reasons"),
            latest.reasons.join("；")
        ));
    }
}

/// Coloured points joined by a line, one per result, higher = more severe,
/// with the date under each point.
fn trend_chart(ui: &mut egui::Ui, history: &[StoredAssessment]) {
    // The last 24 results are enough for a trend and keep the chart narrow.
    let shown = &history[history.len().saturating_sub(24)..];
    let step = 78.0;
    let height = 92.0;
    let width = (shown.len() as f32 * step).max(step) + 40.0;
    let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height + 22.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let top = rect.top() + 8.0;
    let plot_h = height - 16.0;
    let y_of = |c: Option<Colour>| top + plot_h - severity(c) / 4.0 * plot_h;
    // Faint bands for the five colours.
    for c in [
        Colour::Red,
        Colour::Orange,
        Colour::Yellow,
        Colour::Blue,
        Colour::Green,
    ] {
        let y = y_of(Some(c));
        painter.line_segment(
            [egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)],
            egui::Stroke::new(
                1.0,
                crate::gui::theme::risk_colour(Some(c)).gamma_multiply(0.25),
            ),
        );
    }
    let points: Vec<egui::Pos2> = shown
        .iter()
        .enumerate()
        .map(|(i, a)| egui::pos2(rect.left() + 30.0 + i as f32 * step, y_of(a.colour)))
        .collect();
    if points.len() > 1 {
        painter.add(egui::Shape::line(
            points.clone(),
            egui::Stroke::new(2.0, egui::Color32::from_gray(120)),
        ));
    }
    let font = egui::FontId::proportional(11.0);
    for (p, a) in points.iter().zip(shown) {
        painter.circle_filled(*p, 7.0, crate::gui::theme::risk_colour(a.colour));
        painter.circle_stroke(*p, 7.0, egui::Stroke::new(1.0, egui::Color32::WHITE));
        painter.text(
            egui::pos2(p.x, rect.top() + height + 4.0),
            egui::Align2::CENTER_TOP,
            a.assessed_on.to_string(),
            font.clone(),
            ui.visuals().text_color(),
        );
    }
}

/// The chosen scale's questionnaire, rendered from its definition.
fn questionnaire(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.heading(t("assess.run"));
    let county = app.store.county_code().ok().flatten().unwrap_or_default();
    let Some(plugin) = app.plugins.province_index(&county) else {
        ui.label(t("assess.no_plugin"));
        return;
    };
    let Some(info) = app.plugins.infos().get(plugin) else {
        return;
    };
    if info.scales.is_empty() {
        ui.label(t("assess.no_scales"));
        return;
    }
    let scales = info.scales.clone();
    let plugin_ref = info.reference.clone();
    let st = &mut app.assessment_tab;
    let before = st.scale;
    ui.horizontal_wrapped(|ui| {
        ui.label(t("assess.scale"));
        for (i, s) in scales.iter().enumerate() {
            ui.selectable_value(&mut st.scale, i, &s.name);
        }
        ui.weak(format!("（{plugin_ref}）"));
    });
    st.scale = st.scale.min(scales.len() - 1);
    let scale = &scales[st.scale];
    if before != st.scale || st.answers.is_empty() && st.invalid_item.is_none() {
        prefill(st, scale);
    }
    if !scale.description.is_empty() {
        ui.weak(&scale.description);
    }
    if !scale.credit.is_empty() {
        ui.weak(format!("{}：{}", t("assess.credit"), scale.credit));
    }
    ui.add_space(4.0);
    // One grid per group: the item in the first column, its options in
    // the second, so the options line up down the page.
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, item) in scale.items.iter().enumerate() {
        match groups.last_mut() {
            Some((g, items)) if *g == item.group.as_str() => items.push(i),
            _ => groups.push((item.group.as_str(), vec![i])),
        }
    }
    for (gi, (group, items)) in groups.iter().enumerate() {
        if !group.is_empty() {
            ui.add_space(4.0);
            ui.strong(*group);
        }
        egui::Grid::new(("questionnaire", gi))
            .num_columns(2)
            .spacing([16.0, 6.0])
            .striped(true)
            .show(ui, |ui| {
                for &i in items {
                    let item = &scale.items[i];
                    let invalid = st.invalid_item.as_deref() == Some(item.id.as_str());
                    let text = format!("{}. {}", i + 1, item.text);
                    let mut rich = egui::RichText::new(text);
                    if invalid {
                        rich = rich.color(crate::gui::theme::ERROR);
                    }
                    // Not wrapped: the grid's first column takes the item's width.
                    let mut label =
                        ui.add(egui::Label::new(rich).wrap_mode(egui::TextWrapMode::Extend));
                    if !item.text_alt.is_empty() {
                        label = label.on_hover_text(&item.text_alt);
                    }
                    ui.horizontal_wrapped(|ui| {
                        let answer = st.answers.entry(item.id.clone()).or_default();
                        if item.options.is_empty() {
                            // A free answer: the plugin reads the text as the code.
                            ui.add(egui::TextEdit::singleline(answer).desired_width(200.0))
                                .labelled_by(label.id);
                        } else {
                            for o in &item.options {
                                ui.radio_value(answer, o.code.clone(), &o.label);
                            }
                        }
                        if !item.help.is_empty() {
                            ui.weak(format!("（{}）", item.help));
                        }
                    });
                    ui.end_row();
                }
            });
    }
    ui.add_space(6.0);
    let waiting = st.pending.is_some();
    let submit = ui
        .add_enabled(!waiting, egui::Button::new(t("assess.submit")))
        .clicked();
    if waiting {
        ui.weak(t("assess.waiting"));
    }
    if !submit {
        return;
    }
    if let Some((item, msg)) = unanswered(scale, &st.answers) {
        st.invalid_item = Some(item);
        st.message = Some((false, msg));
        return;
    }
    st.invalid_item = None;
    let answers: Vec<Answer> = scale
        .items
        .iter()
        .map(|i| Answer {
            item_id: i.id.clone(),
            code: st.answers.get(&i.id).cloned().unwrap_or_default(),
        })
        .collect();
    let Some(child_id) = st.child else { return };
    let child = match app
        .call(|store, session| hutong_services::child_casework::snapshot(store, session, child_id))
    {
        Ok(c) => c,
        Err(e) => {
            app.assessment_tab.message = Some((false, e));
            return;
        }
    };
    let input = AssessInput {
        today: today().to_string(),
        answers,
        child: Some(child),
    };
    match app.plugins.assess(plugin, &scale.id, input.clone()) {
        Some(rx) => {
            app.assessment_tab.message = None;
            app.assessment_tab.pending = Some(PendingAssess {
                rx,
                plugin,
                child_id,
                scale: scale.clone(),
                input,
            });
        }
        None => app.assessment_tab.message = Some((false, "插件线程未运行".into())),
    }
}

/// The plugin's latest findings for the child, what the last check changed,
/// and what will change (category ends, coming life events).
fn eligibility_section(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.heading(t("elig.title"));
    let st = &app.assessment_tab;
    if st.findings.is_empty() {
        ui.weak(t("elig.none"));
    } else {
        egui::Grid::new("eligibility-findings")
            .striped(true)
            .num_columns(5)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for k in [
                    "elig.col.category",
                    "elig.col.status",
                    "elig.col.dates",
                    "elig.col.reasons",
                    "elig.col.plugin",
                ] {
                    ui.strong(t(k));
                }
                ui.end_row();
                for f in &st.findings {
                    ui.label(category_label(&f.category));
                    ui.colored_label(
                        status_colour(f.status),
                        eligibility::status_label_zh(f.status),
                    );
                    ui.label(match (f.effective_from, f.effective_until) {
                        (Some(a), Some(b)) => format!("{a} 至 {b}"),
                        (Some(a), None) => format!("{a} 起"),
                        (None, Some(b)) => format!("至 {b}"),
                        (None, None) => "—".into(),
                    });
                    ui.vertical(|ui| {
                        ui.set_max_width(520.0);
                        if f.reasons.is_empty() {
                            ui.label("—");
                        }
                        for r in &f.reasons {
                            ui.label(r);
                        }
                        if !f.citation.is_empty() {
                            ui.weak(format!("依据：{}", f.citation));
                        }
                    });
                    ui.vertical(|ui| {
                        ui.monospace(format!("{}@{}", f.plugin_id, f.plugin_version));
                        ui.weak(f.classified_on.to_string());
                    });
                    ui.end_row();
                }
            });
    }
    if let Some(changes) = &st.last_changes {
        ui.add_space(4.0);
        if changes.is_empty() {
            ui.label(t("elig.no_change"));
        } else {
            ui.strong(t("elig.changed"));
            for c in changes {
                ui.label(format!("· {}", c.describe_zh()));
            }
        }
    }
    ui.add_space(6.0);
    ui.strong(t("elig.coming"));
    if st.coming.is_empty() && st.events.is_empty() {
        ui.weak(t("elig.coming_none"));
    }
    for c in &st.coming {
        ui.label(format!(
            "· “{}”将于{}终止：{}；补贴自{}起停发",
            c.category_label,
            dates::format_zh(c.on),
            c.reasons.join("；"),
            c.allowance_stops_from
                .map(dates::format_zh_month)
                .unwrap_or_default()
        ));
    }
    for e in &st.events {
        ui.label(format!("· {}：{}", e.label_zh(), t("elig.event_recheck")));
    }
    ui.add_space(6.0);
    let waiting = st.classify.is_some();
    if ui
        .add_enabled(!waiting, egui::Button::new(t("elig.check_now")))
        .clicked()
        && let Some(id) = st.child
    {
        classify(app, id);
    }
    if waiting {
        ui.weak(t("assess.waiting"));
    }
}
