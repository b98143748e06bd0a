//! 数据比对 workbench: another department's list (学籍库, 低保, 残联, 公安户籍,
//! 医保) with its column mapping, compared in a background job and saved
//! (audited); then the four groups, field-level accept/reject (provenance
//! kept by the core), the flags, and an XLSX of the result.

use super::Pending;
use super::sheet::{self, Kind, SheetPick, Site, field_label};
use crate::gui::HutongApp;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::Place;
use crate::i18n::Lang;
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;

use hutong_core::compare::{
    Comparison, ComparisonSummary, Counts, FlagKind, Group, MatchMethod, Source, StoredRow,
};
use hutong_core::national::id_number;
use hutong_core::table::mapping::Field;
use hutong_services::exchange;

/// A comparison on screen: its stored rows (and the full result, when it
/// was run in this session, for the XLSX).
pub struct Shown {
    title: String,
    counts: Counts,
    rows: Vec<StoredRow>,
    full: Option<Box<Comparison>>,
}

pub struct CompareState {
    source: Source,
    sheet: SheetPick,
    shown: Option<Shown>,
    group: Group,
    history: Option<Vec<ComparisonSummary>>,
    dialog: Option<Pending<()>>,
}

impl Default for CompareState {
    fn default() -> Self {
        CompareState {
            source: Source::StudentRegistry,
            sheet: SheetPick {
                source: Source::StudentRegistry.label_zh().into(),
                ..Default::default()
            },
            shown: None,
            group: Group::Different,
            history: None,
            dialog: None,
        }
    }
}

impl CompareState {
    /// Whether a dialog is open (the jobs run in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.sheet.busy() || self.dialog.is_some()
    }
}

/// Where the comparison keeps its sheet.
const SHEET: Site = Site {
    job: JobName::CompareRead,
    place: Place::ExchangeCompare,
    locate: compare_sheet,
};

fn compare_sheet(app: &mut HutongApp) -> (&mut SheetPick, Kind) {
    (&mut app.exchange.compare.sheet, Kind::Other)
}

/// Whether a dialog or a job of the comparison runs.
fn busy(app: &HutongApp) -> bool {
    app.exchange.compare.busy()
        || super::running(
            app,
            &[
                JobName::CompareRead,
                JobName::Compare,
                JobName::CompareExport,
            ],
        )
}

fn poll(app: &mut HutongApp) {
    sheet::poll(app, SHEET);
    if let Some((_, answer)) = super::take_answer(&mut app.exchange.compare.dialog)
        && let Some(path) = answer
    {
        start_export(app, path);
    }
}

/// A comparison run or opened: shown on the workbench.
fn finish_shown(app: &mut HutongApp, o: Outcome<Shown>) {
    match o {
        Outcome::Finished(shown) => {
            app.notices.clear(Place::ExchangeCompare);
            let s = &mut app.exchange.compare;
            s.shown = Some(shown);
            s.history = None;
        }
        Outcome::Failed(e) => app.notices.error(Place::ExchangeCompare, e),
        Outcome::Cancelled => {}
    }
}

fn start_run(app: &mut HutongApp) {
    let session = app.session.clone();
    let db = app.store.database();
    let lang = app.lang;
    let s = &mut app.exchange.compare;
    let (Some(l), Some(m)) = (&s.sheet.loaded, s.sheet.mapping()) else {
        return;
    };
    if m.name.is_empty() {
        app.notices
            .error(Place::ExchangeCompare, t!(lang, "xch-need_source_compare"));
        return;
    }
    let (tbl, sha, source) = (l.table.clone(), l.sha256.clone(), s.source);
    app.notices.clear(Place::ExchangeCompare);
    app.jobs.start(
        JobName::Compare,
        t!(lang, "ex-tab-compare"),
        move |p| {
            p.set_total(3);
            p.note(t!(lang, "xch-note_matching"));
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            let today = chrono::Local::now().date_naive();
            let cmp = exchange::compare(&mut store, &session, source, &tbl, &m, &sha, today)?;
            p.step();
            if p.cancelled() {
                return Err(String::new().into());
            }
            p.note(t!(lang, "xch-note_saving_result"));
            exchange::save_comparison(&mut store, &session, &cmp, Some(&m))?;
            p.step();
            let rows = exchange::comparison_rows(&mut store, &session, cmp.id, None)?;
            p.step();
            Ok(Shown {
                title: t!(
                    lang,
                    "xch-compare_title",
                    source = source_label(lang, source),
                    file = cmp.file_name.as_str(),
                    date = cmp.run_on.to_string()
                ),
                counts: cmp.counts(),
                rows,
                full: Some(Box::new(cmp)),
            })
        },
        finish_shown,
    );
}

fn open_saved(app: &mut HutongApp, summary: ComparisonSummary) {
    let db = app.store.database();
    let session = app.session.clone();
    let lang = app.lang;
    // Under the run's name: the workbench shows one comparison.
    app.jobs.start(
        JobName::Compare,
        t!(lang, "xch-job_open_comparison"),
        move |_| {
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            let rows = exchange::comparison_rows(&mut store, &session, summary.id, None)?;
            Ok(Shown {
                title: t!(
                    lang,
                    "xch-compare_title",
                    source = summary_source(lang, &summary.source),
                    file = summary.file_name.as_str(),
                    date = summary.run_on.as_str()
                ),
                counts: summary.counts,
                rows,
                full: None,
            })
        },
        finish_shown,
    );
}

fn start_export(app: &mut HutongApp, path: std::path::PathBuf) {
    let session = app.session.clone();
    let db = app.store.database();
    let lang = app.lang;
    let s = &mut app.exchange.compare;
    let Some(cmp) = s.shown.as_ref().and_then(|x| x.full.clone()) else {
        return;
    };
    app.jobs.start(
        JobName::CompareExport,
        t!(lang, "xch-job_export_comparison"),
        move |_| {
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            let shown_path = path.display().to_string();
            exchange::export_comparison(&mut store, &session, &cmp, &path).map_err(|e| {
                t!(
                    lang,
                    "xch-export_failed_to",
                    path = shown_path.clone(),
                    error = e.to_string()
                )
            })?;
            Ok(t!(lang, "xch-comparison_exported", path = shown_path))
        },
        |app: &mut HutongApp, o: Outcome<String>| match o {
            Outcome::Finished(m) => app.notices.success(Place::ExchangeCompare, m),
            Outcome::Failed(m) => app.notices.error(Place::ExchangeCompare, m),
            Outcome::Cancelled => app.notices.clear(Place::ExchangeCompare),
        },
    );
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll(app);
    if app.exchange.compare.shown.is_some() {
        workbench(app, ui);
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("compare-setup")
        .show(ui, |ui| setup(app, ui));
}

fn setup(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.horizontal(|ui| {
        let l = ui.label(t("ex-their_list"));
        let s = &mut app.exchange.compare;
        let before = s.source;
        egui::ComboBox::from_id_salt("compare-source")
            .selected_text(source_label(lang, s.source))
            .show_ui(ui, |ui| {
                for src in Source::ALL {
                    ui.selectable_value(&mut s.source, src, source_label(lang, src));
                }
            })
            .response
            .labelled_by(l.id);
        if s.source != before {
            // The mapping is saved under the source's Chinese name, as the
            // core names it; it is data, the same in every UI language.
            s.sheet.source = s.source.label_zh().into();
        }
    });
    let mut sheet = std::mem::take(&mut app.exchange.compare.sheet);
    let source = app.exchange.compare.source;
    // The field shows the source's own name in the UI language; what is
    // kept (and read, saved and looked up as the mapping's name) stays
    // the Chinese one, which `hutong compare` also looks for.
    sheet.source = shown_name(lang, source, std::mem::take(&mut sheet.source));
    sheet.show(app, ui, Kind::Other, SHEET.job);
    sheet.source = stored_name(lang, source, std::mem::take(&mut sheet.source));
    let loaded = sheet.loaded.is_some();
    app.exchange.compare.sheet = sheet;
    if loaded {
        let busy = busy(app);
        if ui
            .add_enabled(!busy, egui::Button::new(t("ex-run_compare")))
            .clicked()
        {
            start_run(app);
        }
    }
    app.jobs.show(ui, JobName::Compare);
    app.notices.show_here(ui, Place::ExchangeCompare);
    ui.separator();
    ui.strong(t("ex-saved_comparisons"));
    if app.exchange.compare.history.is_none() {
        app.exchange.compare.history = Some(
            app.call(hutong_services::exchange::comparisons)
                .unwrap_or_default(),
        );
    }
    let mut open = None;
    if app
        .exchange
        .compare
        .history
        .as_ref()
        .is_some_and(Vec::is_empty)
    {
        ui.weak(t("xch-none_yet"));
    }
    for c in app.exchange.compare.history.iter().flatten().take(20) {
        ui.horizontal(|ui| {
            ui.label(t!(
                lang,
                "xch-history_line",
                date = c.run_on.as_str(),
                source = summary_source(lang, &c.source),
                file = c.file_name.as_str(),
                same = c.counts.same,
                different = c.counts.different,
                ours = c.counts.only_ours,
                theirs = c.counts.only_theirs,
                flags = c.counts.flags
            ));
            if ui.small_button(t("ex-open")).clicked() {
                open = Some(c.clone());
            }
        });
    }
    if let Some(c) = open {
        open_saved(app, c);
    }
}

fn count_of(c: &Counts, g: Group) -> usize {
    match g {
        Group::Same => c.same,
        Group::Different => c.different,
        Group::OnlyOurs => c.only_ours,
        Group::OnlyTheirs => c.only_theirs,
    }
}

fn workbench(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let mut close = false;
    let mut export = false;
    let exporting = app.jobs.running(JobName::CompareExport);
    {
        let s = &mut app.exchange.compare;
        let Some(shown) = &s.shown else { return };
        ui.horizontal(|ui| {
            if ui.button(t("ex-back")).clicked() {
                close = true;
            }
            ui.strong(&shown.title);
            let can = shown.full.is_some() && !exporting && s.dialog.is_none();
            let b = ui.add_enabled(can, egui::Button::new(t("ex-export_result")));
            if shown.full.is_none() {
                b.on_disabled_hover_text(t("xch-only_this_run"));
            } else if b.clicked() {
                export = true;
            }
        });
        ui.horizontal(|ui| {
            for g in Group::ALL {
                let label = t!(
                    lang,
                    "xch-label_count",
                    label = group_label(lang, g),
                    n = count_of(&shown.counts, g)
                );
                if ui.selectable_label(s.group == g, label).clicked() {
                    s.group = g;
                }
            }
            ui.separator();
            ui.label(t!(lang, "xch-flags_count", n = shown.counts.flags));
        });
        app.jobs.show(ui, JobName::CompareExport);
        app.notices.show_here(ui, Place::ExchangeCompare);
    }
    if close {
        app.exchange.compare.shown = None;
        return;
    }
    if export {
        let request = DialogRequest::new(DialogKind::SaveFile, t("ex-export_result"))
            .filter(t("xch-filter_excel"), &["xlsx"])
            .file_name(super::suggested_name(
                &t("xch-default_compare_name"),
                "xlsx",
            ));
        app.exchange.compare.dialog = Some(Pending::ask(app, (), request));
    }
    flags(app, ui);
    ui.separator();
    let group = app.exchange.compare.group;
    if group == Group::Different {
        differences(app, ui);
    } else {
        plain_rows(app, ui, group);
    }
}

/// Dropout risks and eligibility re-checks, across all groups.
fn flags(app: &HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let Some(shown) = &app.exchange.compare.shown else {
        return;
    };
    let list: Vec<_> = shown.rows.iter().flat_map(|r| r.flags.iter()).collect();
    if list.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(t!(
        lang,
        "xch-label_count",
        label = t!(lang, "xch-flags"),
        n = list.len()
    ))
    .default_open(true)
    .show(ui, |ui| {
        let h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical()
            .id_salt("flags")
            .max_height(140.0)
            .show_rows(ui, h, list.len(), |ui, range| {
                for f in &list[range] {
                    ui.label(t!(
                        lang,
                        "xch-flag_line",
                        kind = flag_label(lang, f.kind),
                        message = f.message.as_str()
                    ));
                }
            });
    });
}

fn masked(s: Option<&str>) -> String {
    s.map(id_number::mask).unwrap_or_default()
}

fn shown_value(lang: Lang, field: Field, v: &Option<String>) -> String {
    match (field, v) {
        (Field::IdNumber, Some(s)) => id_number::mask(s),
        (_, Some(s)) => s.clone(),
        (_, None) => t!(lang, "xch-empty_value"),
    }
}

/// 不一致: each differing field with 采纳 / 不采纳, or the decision taken.
fn differences(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let mut decision: Option<(usize, Field, bool)> = None;
    {
        let Some(shown) = &app.exchange.compare.shown else {
            return;
        };
        let rows: Vec<usize> = shown
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.group == Group::Different)
            .map(|(i, _)| i)
            .collect();
        egui::ScrollArea::vertical()
            .id_salt("diffs")
            .show(ui, |ui| {
                // Only the first 300 rows are laid out; decisions remove rows
                // from view, and the XLSX holds them all.
                for &i in rows.iter().take(300) {
                    let r = &shown.rows[i];
                    let their = r.theirs.as_ref();
                    ui.horizontal(|ui| {
                        ui.strong(r.child_name.clone().unwrap_or_default());
                        ui.weak(t!(
                            lang,
                            "xch-their_line_match",
                            line = r.their_line.unwrap_or_default(),
                            id = masked(their.and_then(|t| t.id_raw.as_deref())),
                            method = r
                                .method
                                .map(|m| method_label(lang, m))
                                .unwrap_or_else(|| "—".into())
                        ));
                    });
                    egui::Grid::new(("diff", i)).striped(true).show(ui, |ui| {
                        for d in &r.diffs {
                            ui.label(t!(
                                lang,
                                "xch-diff_field",
                                field = field_label(lang, d.field)
                            ));
                            ui.label(t!(
                                lang,
                                "xch-ours",
                                value = shown_value(lang, d.field, &d.ours)
                            ));
                            ui.label(t!(
                                lang,
                                "xch-theirs",
                                value = shown_value(lang, d.field, &d.theirs)
                            ));
                            match r.decisions.iter().rev().find(|(f, _)| *f == d.field) {
                                Some((_, true)) => {
                                    ui.colored_label(
                                        crate::gui::theme::SUCCESS,
                                        t!(lang, "xch-accepted"),
                                    );
                                }
                                Some((_, false)) => {
                                    ui.weak(t!(lang, "xch-rejected"));
                                }
                                None => {
                                    ui.horizontal(|ui| {
                                        if ui.small_button(t!(lang, "xch-accept")).clicked() {
                                            decision = Some((i, d.field, true));
                                        }
                                        if ui.small_button(t!(lang, "xch-reject")).clicked() {
                                            decision = Some((i, d.field, false));
                                        }
                                    });
                                }
                            }
                            ui.end_row();
                        }
                    });
                    ui.add_space(4.0);
                }
                if rows.len() > 300 {
                    ui.weak(t!(lang, "xch-more_rows", n = rows.len() - 300));
                }
            });
    }
    let Some((i, field, accept)) = decision else {
        return;
    };
    let Some(row_id) = app
        .exchange
        .compare
        .shown
        .as_ref()
        .map(|s| s.rows[i].row_id)
    else {
        return;
    };
    // One small audited write: fast enough for the frame.
    match app.call(|store, session| exchange::decide(store, session, row_id, field, accept, None)) {
        Ok(d) => {
            if let Some(s) = &mut app.exchange.compare.shown {
                s.rows[i].decisions.push((field, accept));
            }
            app.notices.success(
                Place::ExchangeCompare,
                t!(
                    lang,
                    if accept {
                        "xch-decided_accept"
                    } else {
                        "xch-decided_reject"
                    },
                    field = field_label(lang, field),
                    value = shown_value(lang, field, &d.theirs)
                ),
            );
            app.list.dirty = true;
        }
        Err(e) => app.notices.error(Place::ExchangeCompare, e.to_string()),
    }
}

/// 一致, 仅我方, 仅对方: one line per row, virtualised.
fn plain_rows(app: &HutongApp, ui: &mut egui::Ui, group: Group) {
    let lang = app.lang;
    let Some(shown) = &app.exchange.compare.shown else {
        return;
    };
    let rows: Vec<&StoredRow> = shown.rows.iter().filter(|r| r.group == group).collect();
    if rows.is_empty() {
        ui.weak(t!(lang, "xch-none"));
        return;
    }
    let h = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    egui::ScrollArea::vertical()
        .id_salt(("plain", group.code()))
        .show_rows(ui, h, rows.len(), |ui, range| {
            for r in &rows[range] {
                let their = r.theirs.as_ref();
                let name = r
                    .child_name
                    .clone()
                    .or_else(|| their.and_then(|t| t.name.clone()))
                    .unwrap_or_default();
                let line = match r.their_line {
                    Some(l) => t!(lang, "xch-their_line", line = l),
                    None => "—".into(),
                };
                let extra = their
                    .map(|t| {
                        t.fields
                            .iter()
                            .filter(|(f, _)| !matches!(f, Field::IdNumber | Field::Name))
                            .map(|(f, v)| {
                                t!(
                                    lang,
                                    "xch-label_value",
                                    label = field_label(lang, *f),
                                    value = v.as_str()
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(&t!(lang, "xch-field_sep"))
                    })
                    .unwrap_or_default();
                ui.horizontal(|ui| {
                    ui.label(name);
                    ui.weak(line);
                    ui.monospace(masked(their.and_then(|t| t.id_raw.as_deref())));
                    ui.weak(r.method.map(|m| method_label(lang, m)).unwrap_or_default());
                    ui.weak(extra);
                });
            }
        });
}

/// A department's name in the UI language.
fn source_label(lang: Lang, source: Source) -> String {
    let key = match source {
        Source::StudentRegistry => "xch-source-student_registry",
        Source::Dibao => "xch-source-dibao",
        Source::DisabledFederation => "xch-source-disabled_federation",
        Source::PoliceHukou => "xch-source-police_hukou",
        Source::MedicalInsurance => "xch-source-medical_insurance",
    };
    t!(lang, key)
}

/// The source name as the field shows it: the source's default (Chinese)
/// name in the UI language, any other name as typed.
fn shown_name(lang: Lang, source: Source, stored: String) -> String {
    if stored == source.label_zh() {
        source_label(lang, source)
    } else {
        stored
    }
}

/// The source name as kept, from the field: the source's name in the UI
/// language back to the Chinese one the mapping is saved under.
fn stored_name(lang: Lang, source: Source, shown: String) -> String {
    if shown == source_label(lang, source) {
        source.label_zh().to_string()
    } else {
        shown
    }
}

/// A saved comparison's source, which the core gives by its Chinese name
/// (or its code, for a source it no longer knows).
fn summary_source(lang: Lang, stored: &str) -> String {
    Source::ALL
        .into_iter()
        .find(|s| s.label_zh() == stored || s.code() == stored)
        .map(|s| source_label(lang, s))
        .unwrap_or_else(|| stored.to_string())
}

fn group_label(lang: Lang, group: Group) -> String {
    let key = match group {
        Group::Same => "xch-group-same",
        Group::Different => "xch-group-different",
        Group::OnlyOurs => "xch-group-only_ours",
        Group::OnlyTheirs => "xch-group-only_theirs",
    };
    t!(lang, key)
}

fn method_label(lang: Lang, method: MatchMethod) -> String {
    let key = match method {
        MatchMethod::IdNumber => "xch-method-id_number",
        MatchMethod::PersonId => "xch-method-person_id",
        MatchMethod::NameBirth => "xch-method-name_birth",
    };
    t!(lang, key)
}

fn flag_label(lang: Lang, kind: FlagKind) -> String {
    let key = match kind {
        FlagKind::DropoutRisk => "xch-flag-dropout_risk",
        FlagKind::EligibilityRecheck => "xch-flag-eligibility_recheck",
        FlagKind::TheirIdInvalid => "xch-flag-their_id_invalid",
    };
    t!(lang, key)
}
