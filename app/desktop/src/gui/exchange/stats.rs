//! 统计: per township and category, the colour distribution, visits done
//! versus due and services delivered; exported as XLSX or PDF (the province
//! plugin's statistics template when it has one, else the core default),
//! and the signed upward bundle for the city or province.

use super::Pending;
use crate::gui::HutongApp;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::Place;
use crate::gui::widgets::colour_label;
use crate::gui::worker::RenderHandle;
use crate::i18n::{Lang, zh_or_en};
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;
use hutong_core::Store;
use hutong_core::assessments::colour_from_code;
use hutong_core::province::TemplateKind;
use hutong_core::stats::{self, Statistics, StatsRow};
use hutong_services::Session;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Xlsx,
    Pdf,
    Bundle,
}

#[derive(Default)]
pub struct StatsState {
    stats: Option<Statistics>,
    dialog: Option<Pending<Want>>,
}

impl StatsState {
    /// Whether the file dialog is open (the jobs run in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }
}

/// An installed plugin's statistics template.
struct StatsTemplate {
    /// The plugin's index on the worker.
    plugin: usize,
    id: String,
    name: String,
    plugin_name: String,
}

impl StatsTemplate {
    /// The template and its plugin, as the screen and the audit log name it.
    fn label(&self, lang: Lang) -> String {
        t!(
            lang,
            "xch-template_label",
            template = self.name.as_str(),
            plugin = self.plugin_name.as_str()
        )
    }
}

/// The plugin's statistics template, if an installed plugin has one.
fn plugin_template(app: &HutongApp) -> Option<StatsTemplate> {
    app.plugins
        .infos()
        .iter()
        .enumerate()
        .find_map(|(i, info)| {
            info.templates
                .iter()
                .find(|t| t.kind == TemplateKind::Statistics)
                .map(|t| StatsTemplate {
                    plugin: i,
                    id: t.id.clone(),
                    name: t.name.clone(),
                    plugin_name: info.manifest.name.clone(),
                })
        })
}

fn poll(app: &mut HutongApp) {
    if let Some((want, answer)) = super::take_answer(&mut app.exchange.stats.dialog) {
        match answer {
            Some(path) => start_output(app, want, path),
            None => {
                let text = app.t("xch-cancelled");
                app.notices.error(Place::ExchangeStats, text);
            }
        }
    }
}

fn start_compute(app: &mut HutongApp) {
    let db = app.store.database();
    let session = app.session.clone();
    let lang = app.lang;
    app.notices.clear(Place::ExchangeStats);
    app.jobs.start(
        JobName::StatsCompute,
        t!(lang, "ex-tab-stats"),
        move |p| {
            p.note(t!(lang, "xch-note_by_township"));
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            let today = chrono::Local::now().date_naive();
            Ok(hutong_services::statistics::compute(
                &mut store,
                &session,
                None,
                today,
                hutong_core::visits::DEFAULT_CADENCE_DAYS,
            )?)
        },
        |app: &mut HutongApp, o: Outcome<Statistics>| match o {
            Outcome::Finished(st) => app.exchange.stats.stats = Some(st),
            Outcome::Failed(e) => app.notices.error(Place::ExchangeStats, e),
            Outcome::Cancelled => {}
        },
    );
}

/// The PDF: the plugin's template over the children in scope, else the
/// core default. Runs on a job thread (the plugin call goes to its worker).
fn render_pdf(
    store: &mut Store,
    session: &Session,
    s: &Statistics,
    template: Option<&StatsTemplate>,
    render: &RenderHandle,
) -> Result<Vec<u8>, String> {
    let doc = match template {
        Some(StatsTemplate { plugin, id, .. }) => {
            let ids = hutong_services::statistics::children_in_scope(store, session)
                .map_err(|e| e.to_string())?;
            let input =
                crate::printing::report_input(store, session, &ids, Some(&s.total.code), s.today)
                    .map_err(|e| format!("{e:#}"))?;
            render.render_blocking(*plugin, id, input)?
        }
        None => stats::to_document(s),
    };
    let fonts = hutong_report::FontSet::with_system_fonts();
    hutong_report::render(&doc, &fonts).map_err(|e| e.to_string())
}

fn start_output(app: &mut HutongApp, want: Want, path: PathBuf) {
    let Some(s) = app.exchange.stats.stats.clone() else {
        return;
    };
    let session = app.session.clone();
    let db = app.store.database();
    let template = plugin_template(app);
    let render = app.plugins.render_handle();
    let lang = app.lang;
    app.jobs.start(
        JobName::StatsOutput,
        t!(lang, "xch-job_stats_output"),
        move |p| {
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            // The audit log names the template in Chinese, whatever the UI
            // language; the message names it in the user's.
            let label_in = |lang: Lang| {
                template
                    .as_ref()
                    .map(|t| t.label(lang))
                    .unwrap_or_else(|| t!(lang, "xch-default_stats_label"))
            };
            let (label, audit_label) = (label_in(lang), label_in(Lang::ZH));
            match want {
                Want::Xlsx => {
                    let bytes = stats::to_xlsx(&s)?;
                    hutong_services::statistics::export(
                        &mut store, &session, &s, &path, &bytes, "xlsx",
                    )?;
                    Ok(t!(
                        lang,
                        "xch-exported_stats_xlsx",
                        path = path.display().to_string()
                    ))
                }
                Want::Pdf => {
                    p.note(t!(lang, "xch-note_layout"));
                    let pdf = render_pdf(&mut store, &session, &s, template.as_ref(), &render)?;
                    hutong_services::statistics::export(
                        &mut store,
                        &session,
                        &s,
                        &path,
                        &pdf,
                        &audit_label,
                    )?;
                    Ok(t!(
                        lang,
                        "xch-exported_stats_pdf",
                        label = label,
                        path = path.display().to_string()
                    ))
                }
                Want::Bundle => {
                    p.note(t!(lang, "xch-note_layout_sign"));
                    let pdf = render_pdf(&mut store, &session, &s, template.as_ref(), &render)?;
                    let info = crate::bundle::write_bundle(
                        &mut store,
                        &session,
                        db.path(),
                        &s,
                        &pdf,
                        &path,
                    )?;
                    Ok(t!(
                        lang,
                        "xch-bundle_written",
                        path = path.display().to_string(),
                        json = info
                            .json
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        pdf = info
                            .pdf
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    ))
                }
            }
        },
        |app: &mut HutongApp, o: Outcome<String>| match o {
            Outcome::Finished(m) => app.notices.success(Place::ExchangeStats, m),
            Outcome::Failed(m) => app.notices.error(Place::ExchangeStats, m),
            Outcome::Cancelled => app.notices.clear(Place::ExchangeStats),
        },
    );
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll(app);
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    if app.exchange.stats.stats.is_none() && !app.jobs.running(JobName::StatsCompute) {
        start_compute(app);
    }
    let template = plugin_template(app);
    let mut ask: Option<Want> = None;
    ui.horizontal(|ui| {
        let idle = !app.exchange.stats.busy()
            && !super::running(app, &[JobName::StatsCompute, JobName::StatsOutput]);
        if ui
            .add_enabled(idle, egui::Button::new(t("ex-stats_refresh")))
            .clicked()
        {
            start_compute(app);
        }
        let ready = idle && app.exchange.stats.stats.is_some();
        for (want, key) in [
            (Want::Xlsx, "ex-stats_xlsx"),
            (Want::Pdf, "ex-stats_pdf"),
            (Want::Bundle, "ex-stats_bundle"),
        ] {
            if ui.add_enabled(ready, egui::Button::new(t(key))).clicked() {
                ask = Some(want);
            }
        }
    });
    ui.weak(match &template {
        Some(template) => t!(lang, "xch-pdf_plugin_template", name = template.label(lang)),
        None => t("xch-pdf_core_template"),
    });
    app.jobs.show(ui, JobName::StatsCompute);
    app.jobs.show(ui, JobName::StatsOutput);
    app.notices.show_here(ui, Place::ExchangeStats);
    let s = &app.exchange.stats;
    if let Some(st) = &s.stats {
        egui::ScrollArea::both()
            .id_salt("stats-tables")
            .show(ui, |ui| tables(ui, st, lang));
    }
    if let Some(want) = ask {
        let request = match want {
            Want::Xlsx => DialogRequest::new(DialogKind::SaveFile, t("ex-stats_xlsx"))
                .filter(t("xch-filter_excel"), &["xlsx"])
                .file_name(super::suggested_name(
                    &t("xch-default_stats_xlsx_name"),
                    "xlsx",
                )),
            Want::Pdf => DialogRequest::new(DialogKind::SaveFile, t("ex-stats_pdf"))
                .filter(t("xch-filter_pdf"), &["pdf"])
                .file_name(super::suggested_name(
                    &t("xch-default_stats_pdf_name"),
                    "pdf",
                )),
            Want::Bundle => DialogRequest::new(DialogKind::PickFolder, t("ex-stats_bundle")),
        };
        app.exchange.stats.dialog = Some(Pending::ask(app, want, request));
    }
}

fn grid(ui: &mut egui::Ui, id: &str, headers: &[String], rows: &[(String, Vec<u64>)]) {
    egui::Grid::new(id)
        .striped(true)
        .min_col_width(48.0)
        .show(ui, |ui| {
            for h in headers {
                ui.strong(h);
            }
            ui.end_row();
            for (name, values) in rows {
                ui.label(name);
                for v in values {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(v.to_string());
                    });
                }
                ui.end_row();
            }
        });
}

/// The main table as the screen shows it: core's figures, headed in the
/// UI language (core's own `Statistics::table` heads the XLSX and the PDF
/// in Chinese, for the official copies).
fn main_table(s: &Statistics, lang: Lang) -> (Vec<String>, Vec<(String, Vec<u64>)>) {
    let mut headers = vec![t!(lang, "xch-col-township"), t!(lang, "xch-col-children")];
    headers.extend(
        s.categories
            .iter()
            .map(|c| zh_or_en(lang, c.label_zh(), c.label_en()).to_string()),
    );
    headers.extend([
        t!(lang, "xch-col-visited"),
        t!(lang, "xch-col-due"),
        t!(lang, "xch-col-never_visited"),
        t!(lang, "xch-col-services"),
    ]);
    let line = |r: &StatsRow| {
        let mut v = vec![r.children];
        v.extend(
            s.categories
                .iter()
                .map(|c| r.by_category.get(c).copied().unwrap_or(0)),
        );
        v.extend([r.visited, r.due, r.never_visited, r.services]);
        v
    };
    (headers, rows(s, lang, line))
}

/// The colour table as the screen shows it: a column per colour that
/// occurs, named as the colour swatches name it.
fn colour_table(s: &Statistics, lang: Lang) -> (Vec<String>, Vec<(String, Vec<u64>)>) {
    let colours: Vec<&String> = s.total.colours.keys().collect();
    let mut headers = vec![t!(lang, "xch-col-township")];
    headers.extend(colours.iter().map(|c| colour_header(lang, c)));
    let line = |r: &StatsRow| {
        colours
            .iter()
            .map(|c| r.colours.get(*c).copied().unwrap_or(0))
            .collect()
    };
    (headers, rows(s, lang, line))
}

/// A colour as core counts it: a stored colour code, or 未评估
/// ([`stats::UNASSESSED`]); anything else as stored.
fn colour_header(lang: Lang, stored: &str) -> String {
    if stored == stats::UNASSESSED {
        colour_label(lang, None)
    } else {
        match colour_from_code(stored) {
            Some(c) => colour_label(lang, Some(c)),
            None => stored.to_string(),
        }
    }
}

/// One row per township (its name is data), then the total.
fn rows(
    s: &Statistics,
    lang: Lang,
    line: impl Fn(&StatsRow) -> Vec<u64>,
) -> Vec<(String, Vec<u64>)> {
    let mut rows: Vec<_> = s
        .townships
        .iter()
        .map(|r| (r.name.clone(), line(r)))
        .collect();
    rows.push((t!(lang, "xch-total"), line(&s.total)));
    rows
}

fn tables(ui: &mut egui::Ui, s: &Statistics, lang: Lang) {
    ui.strong(t!(
        lang,
        "xch-stats_heading",
        county = s.county_name.as_str(),
        date = crate::i18n::date(lang, s.today),
        days = s.cadence_days
    ));
    let (h, rows) = main_table(s, lang);
    grid(ui, "stats-main", &h, &rows);
    ui.add_space(8.0);
    ui.strong(t!(lang, "xch-colour_grades"));
    let (h, rows) = colour_table(s, lang);
    grid(ui, "stats-colours", &h, &rows);
    // Core words these notes in Chinese for the printed report; the
    // screen says the same from the figures.
    let mut notes = Vec::new();
    if s.colour_note.is_some() {
        notes.push(t!(lang, "xch-colour_note"));
    }
    notes.push(t!(
        lang,
        "xch-services_note",
        year = s.today.format("%Y").to_string()
    ));
    for note in notes {
        ui.weak(t!(lang, "xch-note", note = note));
    }
}
