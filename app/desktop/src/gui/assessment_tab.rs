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
use super::child_file::{date_text, month_text, relation_label};
use super::notices::Place;
use crate::casework;
use crate::i18n::{Lang, zh_or_en};
use eframe::egui;
use hutong_core::RowId;
use hutong_core::assessments::{ReassessmentDue, StoredAssessment};
use hutong_core::eligibility::{
    CategoryChange, ChangeKind, EndBasis, FindingRecord, LifeEvent, LifeEventKind,
};
use hutong_core::national::category::{CaseCategory, ParentalSituation};
use hutong_core::persons::RelationKind;
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

pub(crate) fn colour_name(lang: Lang, c: Option<Colour>) -> String {
    match c {
        Some(_) => super::widgets::colour_label(lang, c),
        None => crate::t!(lang, "assess2-colour_none"),
    }
}

/// A small filled square in a result's colour, then its name.
pub(crate) fn swatch(ui: &mut egui::Ui, lang: Lang, c: Option<Colour>) {
    super::widgets::swatch(ui, c, &colour_name(lang, c));
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

fn category_label(lang: Lang, code: &str) -> String {
    CaseCategory::from_code(code)
        .map(|c| zh_or_en(lang, c.label_zh(), c.label_en()).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A plugin finding's status (core names it only in Chinese).
pub(crate) fn status_label(lang: Lang, s: FindingStatus) -> String {
    let key = match s {
        FindingStatus::Eligible => "assess2-status-eligible",
        FindingStatus::NotEligible => "assess2-status-not_eligible",
        FindingStatus::EvidenceMissing => "assess2-status-evidence_missing",
    };
    crate::t!(lang, key)
}

/// Reasons a plugin gives, joined into one line.
pub(crate) fn join_reasons(lang: Lang, reasons: &[String]) -> String {
    reasons.join(&crate::t!(lang, "assess2-reason_separator"))
}

/// Why a re-assessment is due (core words it only in Chinese).
fn due_text(lang: Lang, due: &ReassessmentDue) -> String {
    match due {
        ReassessmentDue::NeverAssessed => crate::t!(lang, "assess-never"),
        ReassessmentDue::DataChanged { since, changes } => {
            let since = since.get(..10).unwrap_or(since);
            if changes.is_empty() {
                crate::t!(lang, "assess2-due_changed", since = since)
            } else {
                let changes = changes.join(&crate::t!(lang, "list-separator"));
                crate::t!(
                    lang,
                    "assess2-due_changed_list",
                    since = since,
                    changes = changes
                )
            }
        }
    }
}

/// One line for a category change (as `CategoryChange::describe_zh`).
fn change_text(lang: Lang, c: &CategoryChange) -> String {
    let kind = match c.kind {
        ChangeKind::Started => "assess2-kind-started",
        ChangeKind::Ended => "assess2-kind-ended",
        ChangeKind::Rescheduled => "assess2-kind-rescheduled",
        ChangeKind::EvidenceMissing => "assess2-kind-evidence_missing",
        ChangeKind::NeedsReview => "assess2-kind-needs_review",
    };
    let mut s = crate::t!(
        lang,
        "assess2-change",
        name = c.child_name.as_str(),
        kind = crate::t!(lang, kind),
        category = change_category(lang, c),
        on = date_text(lang, c.on)
    );
    if let Some(m) = c.allowance_stops_from {
        s.push_str(&crate::t!(
            lang,
            "assess2-change_allowance",
            month = month_text(lang, m)
        ));
    }
    if !c.reasons.is_empty() {
        s.push_str(&crate::t!(
            lang,
            "assess2-change_reasons",
            reasons = join_reasons(lang, &c.reasons)
        ));
    }
    if !c.citation.is_empty() {
        s.push_str(&crate::t!(
            lang,
            "assess2-change_citation",
            citation = c.citation.as_str()
        ));
    }
    s
}

/// The category a change is about; core's label when the code is unknown.
fn change_category(lang: Lang, c: &CategoryChange) -> String {
    CaseCategory::from_code(&c.category)
        .map(|k| zh_or_en(lang, k.label_zh(), k.label_en()).to_string())
        .unwrap_or_else(|| c.category_label.clone())
}

/// Why a category will end (core's `EndBasis`); core's own reasons for a
/// change that carries none.
fn end_reason(lang: Lang, c: &CategoryChange) -> String {
    let date = crate::i18n::date(lang, c.on);
    match c.end_basis {
        Some(EndBasis::AgeLimit { years }) => {
            crate::t!(lang, "assess2-end-age_limit", limit = years, date = date)
        }
        Some(EndBasis::RecognisedUntil) => {
            crate::t!(lang, "assess2-end-recognised_until", date = date)
        }
        None => join_reasons(lang, &c.reasons),
    }
}

/// A coming life event (core words it only in Chinese).
fn event_text(lang: Lang, e: &LifeEvent) -> String {
    let on = date_text(lang, e.on);
    let relation = |code: &str| {
        RelationKind::from_code(code)
            .map(|r| relation_label(lang, r))
            .unwrap_or_else(|| code.to_string())
    };
    let situation = |code: &str| {
        ParentalSituation::from_code(code)
            .map(|s| zh_or_en(lang, s.label_zh(), s.label_en()).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    match &e.kind {
        LifeEventKind::Turns16 => crate::t!(lang, "assess2-ev-turns16", on = on),
        LifeEventKind::Turns18 => crate::t!(lang, "assess2-ev-turns18", on = on),
        LifeEventKind::SituationEnds {
            relation: r,
            situation: s,
        } => crate::t!(
            lang,
            "assess2-ev-situation_ends",
            on = on,
            relation = relation(r),
            situation = situation(s)
        ),
        LifeEventKind::SixMonthsReached {
            relation: r,
            situation: s,
        } => crate::t!(
            lang,
            "assess2-ev-six_months",
            on = on,
            relation = relation(r),
            situation = situation(s)
        ),
        LifeEventKind::CategoryEnds { category } => crate::t!(
            lang,
            "assess2-ev-category_ends",
            on = on,
            category = category_label(lang, category)
        ),
    }
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
        app.notices.clear(Place::FileAssessment);
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

/// The first unanswered item, as a message naming it.
pub fn unanswered(
    lang: Lang,
    scale: &ScaleDef,
    answers: &HashMap<String, String>,
) -> Option<(String, String)> {
    scale.items.iter().enumerate().find_map(|(i, item)| {
        let answered = answers.get(&item.id).is_some_and(|c| !c.trim().is_empty());
        (!answered).then(|| {
            let text = item.text.as_str();
            let msg = if item.group.is_empty() {
                crate::t!(lang, "assess2-unanswered", n = i + 1, text = text)
            } else {
                crate::t!(
                    lang,
                    "assess2-unanswered_group",
                    n = i + 1,
                    text = text,
                    group = item.group.as_str()
                )
            };
            (item.id.clone(), msg)
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
    let lang = app.lang;
    if let Some(p) = &app.assessment_tab.pending {
        match p.rx.try_recv() {
            Err(TryRecvError::Empty) => {
                ctx.request_repaint_after(std::time::Duration::from_millis(30))
            }
            answer => {
                let Some(p) = app.assessment_tab.pending.take() else {
                    return;
                };
                let result =
                    answer.unwrap_or_else(|_| Err(crate::t!(lang, "assess2-worker_stopped")));
                let manifest = app
                    .plugins
                    .infos()
                    .get(p.plugin)
                    .map(|i| i.manifest.clone());
                let (ok, text) = match (result, manifest) {
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
                            let level = stored.level_label.as_str();
                            let colour = colour_name(lang, stored.colour);
                            let plugin = stored.plugin_ref();
                            (
                                true,
                                match stored.score {
                                    Some(s) => crate::t!(
                                        lang,
                                        "assess2-saved_score",
                                        level = level,
                                        colour = colour,
                                        score = s.to_string(),
                                        plugin = plugin
                                    ),
                                    None => crate::t!(
                                        lang,
                                        "assess2-saved",
                                        level = level,
                                        colour = colour,
                                        plugin = plugin
                                    ),
                                },
                            )
                        }
                        Err(e) => (
                            false,
                            crate::t!(lang, "assess2-store_failed", error = e.to_string()),
                        ),
                    },
                    (Ok(_), None) => (false, crate::t!(lang, "assess2-plugin_reloaded")),
                    (Err(e), _) => (false, crate::t!(lang, "assess2-assess_failed", error = e)),
                };
                if ok {
                    app.notices.success(Place::FileAssessment, text);
                } else {
                    app.notices.error(Place::FileAssessment, text);
                }
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
                let result =
                    answer.unwrap_or_else(|_| Err(crate::t!(lang, "assess2-worker_stopped")));
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
                            Err(e) => app.notices.error(
                                Place::FileAssessment,
                                crate::t!(lang, "assess2-elig_store_failed", error = e.to_string()),
                            ),
                        }
                    }
                    (Ok(_), None) => {}
                    (Err(e), _) => app.notices.error(
                        Place::FileAssessment,
                        crate::t!(lang, "assess2-elig_failed", error = e),
                    ),
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
                    ui.strong(t("assess-due"));
                    ui.label(due_text(lang, due));
                });
            });
        ui.add_space(6.0);
    }

    ui.heading(t("assess-history"));
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
        ui.weak(t("assess-none"));
        return;
    }
    ui.label(t("assess-trend"));
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
                "assess-col-date",
                "assess-col-scale",
                "assess-col-level",
                "assess-col-colour",
                "assess-col-score",
                "assess-col-plugin",
                "assess-col-author",
            ] {
                ui.strong(t(k));
            }
            ui.end_row();
            for a in st.history.iter().rev() {
                ui.label(a.assessed_on.to_string());
                ui.label(scale_names.get(&a.scale_id).unwrap_or(&a.scale_id));
                ui.label(&a.level_label).on_hover_text(a.reasons.join("\n"));
                ui.horizontal(|ui| swatch(ui, lang, a.colour));
                ui.label(a.score.map(|s| s.to_string()).unwrap_or_else(|| "—".into()));
                ui.monospace(a.plugin_ref()).on_hover_text(crate::t!(
                    lang,
                    "assess2-input_hash",
                    hash = &a.input_sha256[..16]
                ));
                ui.label(&a.author);
                ui.end_row();
            }
        });
    if let Some(latest) = st.history.last()
        && !latest.reasons.is_empty()
    {
        ui.add_space(4.0);
        ui.weak(crate::t!(
            lang,
            "assess2-latest_reasons",
            reasons = join_reasons(lang, &latest.reasons)
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
    ui.heading(t("assess-run"));
    let county = app.store.county_code().ok().flatten().unwrap_or_default();
    let Some(plugin) = app.plugins.province_index(&county) else {
        ui.label(t("assess-no_plugin"));
        return;
    };
    let Some(info) = app.plugins.infos().get(plugin) else {
        return;
    };
    if info.scales.is_empty() {
        ui.label(t("assess-no_scales"));
        return;
    }
    let scales = info.scales.clone();
    let plugin_ref = info.reference.clone();
    let st = &mut app.assessment_tab;
    let before = st.scale;
    ui.horizontal_wrapped(|ui| {
        ui.label(t("assess-scale"));
        for (i, s) in scales.iter().enumerate() {
            ui.selectable_value(&mut st.scale, i, &s.name);
        }
        ui.weak(crate::t!(lang, "assess2-paren", text = plugin_ref.as_str()));
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
        ui.weak(crate::t!(
            lang,
            "assess2-credit",
            credit = scale.credit.as_str()
        ));
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
                            ui.weak(crate::t!(lang, "assess2-paren", text = item.help.as_str()));
                        }
                    });
                    ui.end_row();
                }
            });
    }
    ui.add_space(6.0);
    let waiting = st.pending.is_some();
    let submit = ui
        .add_enabled(!waiting, egui::Button::new(t("assess-submit")))
        .clicked();
    if waiting {
        ui.weak(t("assess-waiting"));
    }
    // What 提交评估 led to (and what a re-check of eligibility refused).
    app.notices.show_here(ui, Place::FileAssessment);
    if !submit {
        return;
    }
    if let Some((item, msg)) = unanswered(lang, scale, &st.answers) {
        st.invalid_item = Some(item);
        app.notices.error(Place::FileAssessment, msg);
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
            app.notices.error(Place::FileAssessment, e);
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
            app.notices.clear(Place::FileAssessment);
            app.assessment_tab.pending = Some(PendingAssess {
                rx,
                plugin,
                child_id,
                scale: scale.clone(),
                input,
            });
        }
        None => app.notices.error(
            Place::FileAssessment,
            crate::t!(lang, "assess2-worker_not_running"),
        ),
    }
}

/// The plugin's latest findings for the child, what the last check changed,
/// and what will change (category ends, coming life events).
fn eligibility_section(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.heading(t("elig-title"));
    let st = &app.assessment_tab;
    if st.findings.is_empty() {
        ui.weak(t("elig-none"));
    } else {
        egui::Grid::new("eligibility-findings")
            .striped(true)
            .num_columns(5)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                for k in [
                    "elig-col-category",
                    "elig-col-status",
                    "elig-col-dates",
                    "elig-col-reasons",
                    "elig-col-plugin",
                ] {
                    ui.strong(t(k));
                }
                ui.end_row();
                for f in &st.findings {
                    ui.label(category_label(lang, &f.category));
                    ui.colored_label(status_colour(f.status), status_label(lang, f.status));
                    ui.label(match (f.effective_from, f.effective_until) {
                        (Some(a), Some(b)) => crate::t!(
                            lang,
                            "assess2-from_until",
                            from = a.to_string(),
                            until = b.to_string()
                        ),
                        (Some(a), None) => crate::t!(lang, "assess2-from", from = a.to_string()),
                        (None, Some(b)) => crate::t!(lang, "assess2-until", until = b.to_string()),
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
                            ui.weak(crate::t!(
                                lang,
                                "assess2-citation",
                                citation = f.citation.as_str()
                            ));
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
            ui.label(t("elig-no_change"));
        } else {
            ui.strong(t("elig-changed"));
            for c in changes {
                ui.label(change_text(lang, c));
            }
        }
    }
    ui.add_space(6.0);
    ui.strong(t("elig-coming"));
    if st.coming.is_empty() && st.events.is_empty() {
        ui.weak(t("elig-coming_none"));
    }
    for c in &st.coming {
        ui.label(crate::t!(
            lang,
            "assess2-coming",
            category = change_category(lang, c),
            on = date_text(lang, c.on),
            reasons = end_reason(lang, c),
            month = c
                .allowance_stops_from
                .map(|m| month_text(lang, m))
                .unwrap_or_default()
        ));
    }
    for e in &st.events {
        ui.label(crate::t!(
            lang,
            "assess2-event_line",
            event = event_text(lang, e),
            then = t("elig-event_recheck")
        ));
    }
    ui.add_space(6.0);
    let waiting = st.classify.is_some();
    if ui
        .add_enabled(!waiting, egui::Button::new(t("elig-check_now")))
        .clicked()
        && let Some(id) = st.child
    {
        classify(app, id);
    }
    if waiting {
        ui.weak(t("assess-waiting"));
    }
}
