//! 导出: the children list (the 儿童档案 list as filtered, or the whole
//! scope) to XLSX or CSV. A purpose is required and goes into the audit
//! log with the file's hash; cells starting with = + - @ are neutralised by
//! the core; ID numbers are masked unless the user asks for full ones.

use super::Pending;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::Place;
use crate::gui::{HutongApp, Screen};
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;
use hutong_core::children::ChildStatus;
use hutong_core::national::category::CaseCategory;
use hutong_core::table::{ExportRequest, ListKind};

/// The 儿童档案 list's filter at the moment 导出 was pressed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListFilter {
    pub search: String,
    pub category: Option<CaseCategory>,
    pub status: Option<ChildStatus>,
    pub division: Option<String>,
    /// What the filter shows, for the screen.
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Xlsx,
    Csv,
}

#[derive(Default)]
pub struct ExportState {
    /// `None`: every active child in the user's scope.
    pub filter: Option<ListFilter>,
    format: Format,
    purpose: String,
    full_ids: bool,
    /// Seals a list with full ID numbers (typed twice; never stored).
    passphrase: zeroize::Zeroizing<String>,
    passphrase_again: zeroize::Zeroizing<String>,
    dialog: Option<Pending<()>>,
}

impl ExportState {
    /// Whether the file dialog is open (the export runs in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }
}

/// The 儿童档案 list's 导出 button: carries its filter here.
pub fn start_from_list(app: &mut HutongApp, filter: ListFilter) {
    let e = &mut app.exchange.export;
    e.filter = Some(filter);
    app.notices.clear(Place::ExchangeExport);
    app.exchange.tab = super::Tab::Export;
    app.navigate(Screen::Exchange);
}

fn poll(app: &mut HutongApp) {
    if let Some((_, answer)) = super::take_answer(&mut app.exchange.export.dialog) {
        match answer {
            Some(path) => start(app, path),
            None => {
                let text = app.t("xch-cancelled_not_exported");
                app.notices.error(Place::ExchangeExport, text);
            }
        }
    }
}

fn start(app: &mut HutongApp, path: std::path::PathBuf) {
    let needed = if app.exchange.export.full_ids {
        hutong_services::Action::ExportFullIds
    } else {
        hutong_services::Action::ExportMasked
    };
    if let Err(refusal) = app.require(needed) {
        app.notices.error(Place::ExchangeExport, refusal);
        return;
    }
    let session = app.session.clone();
    let db = app.store.database();
    let lang = app.lang;
    let e = &mut app.exchange.export;
    let f = e.filter.clone().unwrap_or_default();
    let req = ExportRequest {
        list: ListKind::Children,
        division: f.division.clone(),
        include_closed: f.status == Some(ChildStatus::Closed),
        purpose: e.purpose.trim().to_string(),
        full_ids: e.full_ids,
        search: Some(f.search.clone()).filter(|s| !s.trim().is_empty()),
        category: f.category,
        status: f.status,
    };
    let passphrase = req.full_ids.then(|| e.passphrase.clone());
    app.jobs.start(
        JobName::Export,
        t!(lang, "ex-tab-export"),
        move |p| {
            p.note(t!(lang, "xch-note_writing_file"));
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            let out = hutong_services::exchange::export_list(
                &mut store,
                &session,
                &req,
                &path,
                passphrase.as_deref().map(String::as_str),
            )?;
            Ok(t!(
                lang,
                if req.full_ids {
                    "xch-exported_full"
                } else {
                    "xch-exported_masked"
                },
                rows = out.rows,
                path = out.written.display().to_string()
            ))
        },
        |app: &mut HutongApp, o: Outcome<String>| match o {
            Outcome::Finished(m) => app.notices.success(Place::ExchangeExport, m),
            Outcome::Failed(m) => app.notices.error(Place::ExchangeExport, m),
            Outcome::Cancelled => app.notices.clear(Place::ExchangeExport),
        },
    );
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll(app);
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.heading(t("ex-export_title"));
    let may_export_full_ids = app.can(hutong_services::Action::ExportFullIds);
    let exporting = app.jobs.running(JobName::Export);
    let e = &mut app.exchange.export;
    match &e.filter {
        Some(f) => {
            ui.label(t!(
                lang,
                "xch-label_value",
                label = t("ex-export_scope"),
                value = f.label.as_str()
            ));
            if ui.button(t("ex-export_all")).clicked() {
                e.filter = None;
            }
        }
        None => {
            ui.label(t!(
                lang,
                "xch-label_value",
                label = t("ex-export_scope"),
                value = t("ex-export_everyone")
            ));
            ui.weak(t("ex-export_hint"));
        }
    }
    ui.horizontal(|ui| {
        ui.label(t("ex-format"));
        ui.radio_value(&mut e.format, Format::Xlsx, t("xch-format_xlsx"));
        ui.radio_value(&mut e.format, Format::Csv, "CSV");
    });
    let l = ui.label(t("ex-purpose"));
    ui.add(
        egui::TextEdit::singleline(&mut e.purpose)
            .hint_text(t("ex-purpose_hint"))
            .desired_width(420.0),
    )
    .labelled_by(l.id);
    // Full ID numbers are offered only to roles that may export them.
    if may_export_full_ids {
        ui.checkbox(&mut e.full_ids, t("ex-full_ids"));
    } else {
        e.full_ids = false;
    }
    // A file with full ID numbers leaves the office encrypted.
    let mut passphrase_ok = true;
    if e.full_ids {
        ui.weak(t("ex-seal_hint"));
        egui::Grid::new("export-passphrase")
            .num_columns(2)
            .show(ui, |ui| {
                let l = ui.label(t("ex-passphrase"));
                ui.add(egui::TextEdit::singleline(&mut *e.passphrase).password(true))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(t("ex-passphrase_again"));
                ui.add(egui::TextEdit::singleline(&mut *e.passphrase_again).password(true))
                    .labelled_by(l.id);
                ui.end_row();
            });
        let long_enough = e.passphrase.chars().count() >= hutong_core::sealed::MIN_PASSPHRASE_CHARS;
        passphrase_ok = long_enough && *e.passphrase == *e.passphrase_again;
        if !long_enough {
            ui.weak(t("ex-passphrase_short"));
        } else if !passphrase_ok {
            ui.weak(t("ex-passphrase_mismatch"));
        }
    }
    let ready = !e.purpose.trim().is_empty() && !e.busy() && !exporting && passphrase_ok;
    if e.purpose.trim().is_empty() {
        ui.weak(t("ex-purpose_required"));
    }
    let clicked = ui
        .add_enabled(ready, egui::Button::new(t("ex-export_button")))
        .clicked();
    app.jobs.show(ui, JobName::Export);
    app.notices.show_here(ui, Place::ExchangeExport);
    if clicked {
        let ext = match e.format {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        };
        let request = DialogRequest::new(DialogKind::SaveFile, t("ex-export_title"))
            .filter(
                t(if ext == "xlsx" {
                    "xch-filter_excel"
                } else {
                    "xch-filter_csv"
                }),
                &[ext],
            )
            .file_name(super::suggested_name(&t("xch-default_list_name"), ext));
        app.exchange.export.dialog = Some(Pending::ask(app, (), request));
    }
}
