//! 导入: children's files or their relatives (parents, guardians) from XLSX
//! or CSV. File → source and column mapping → preview → row report →
//! all-or-nothing import (or, explicitly, skipping the invalid rows). The
//! check and the import run as background jobs.

use super::sheet::{self, Kind, SheetPick, Site};
use crate::gui::HutongApp;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::Place;
use crate::t;
use eframe::egui;
use hutong_core::table::ImportPreview;
use hutong_core::table::import::RowProblem;
use hutong_core::table::persons::PersonsPreview;
use hutong_services::exchange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum What {
    #[default]
    Children,
    Persons,
}

/// A checked file, ready to import.
pub enum Checked {
    Children(Box<ImportPreview>),
    Persons(Box<PersonsPreview>),
}

impl Checked {
    fn counts(&self) -> (usize, usize, usize) {
        match self {
            Checked::Children(p) => (p.total_rows, p.valid.len(), p.invalid_lines.len()),
            Checked::Persons(p) => (p.total_rows, p.valid.len(), p.invalid_lines.len()),
        }
    }
    fn errors(&self) -> &[RowProblem] {
        match self {
            Checked::Children(p) => &p.errors,
            Checked::Persons(p) => &p.errors,
        }
    }
    fn warnings(&self) -> &[RowProblem] {
        match self {
            Checked::Children(p) => &p.warnings,
            Checked::Persons(p) => &p.warnings,
        }
    }
}

#[derive(Default)]
pub struct ImportState {
    what: What,
    sheet: SheetPick,
    checked: Option<Checked>,
    skip_invalid: bool,
}

impl ImportState {
    /// Whether the file dialog is open (the jobs run in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.sheet.busy()
    }
}

/// Where the import keeps its sheet.
const SHEET: Site = Site {
    job: JobName::ImportRead,
    place: Place::ExchangeImport,
    locate: import_sheet,
};

fn import_sheet(app: &mut HutongApp) -> (&mut SheetPick, Kind) {
    let s = &mut app.exchange.import;
    (&mut s.sheet, kind(s.what))
}

/// Whether a dialog or a job of the import runs.
fn busy(app: &HutongApp) -> bool {
    app.exchange.import.busy()
        || super::running(
            app,
            &[JobName::ImportRead, JobName::ImportCheck, JobName::Import],
        )
}

fn kind(what: What) -> Kind {
    match what {
        What::Children => Kind::Children,
        What::Persons => Kind::Persons,
    }
}

fn start_check(app: &mut HutongApp) {
    let s = &mut app.exchange.import;
    let (Some(l), Some(m)) = (&s.sheet.loaded, s.sheet.mapping()) else {
        return;
    };
    if m.name.is_empty() {
        let text = app_t(app.lang, "ex-need_source");
        app.notices.error(Place::ExchangeImport, text);
        return;
    }
    let db = app.store.database();
    let session = app.session.clone();
    let lang = app.lang;
    let (tbl, sha, what) = (l.table.clone(), l.sha256.clone(), s.what);
    s.checked = None;
    app.notices.clear(Place::ExchangeImport);
    app.jobs.start(
        JobName::ImportCheck,
        t!(lang, "ex-check"),
        move |p| {
            p.note(t!(lang, "xch-note_check_rows"));
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            let today = chrono::Local::now().date_naive();
            Ok(match what {
                What::Children => Checked::Children(Box::new(exchange::check_children(
                    &mut store, &session, &tbl, &m, &sha, today,
                )?)),
                What::Persons => Checked::Persons(Box::new(exchange::check_persons(
                    &mut store, &session, &tbl, &m, &sha, today,
                )?)),
            })
        },
        |app: &mut HutongApp, o: Outcome<Checked>| match o {
            Outcome::Finished(c) => app.exchange.import.checked = Some(c),
            Outcome::Failed(e) => app.notices.error(Place::ExchangeImport, e),
            Outcome::Cancelled => {}
        },
    );
}

fn app_t(lang: crate::i18n::Lang, key: &str) -> String {
    crate::i18n::tr(lang, key)
}

fn start_import(app: &mut HutongApp) {
    let session = app.session.clone();
    let db = app.store.database();
    let lang = app.lang;
    let s = &mut app.exchange.import;
    let Some(checked) = s.checked.take() else {
        return;
    };
    let skip = s.skip_invalid;
    app.jobs.start(
        JobName::Import,
        t!(lang, "ex-import"),
        move |p| {
            p.note(t!(lang, "xch-note_import_write"));
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            // The mapping is remembered for this source, for next time.
            Ok(match &checked {
                Checked::Children(pre) => {
                    let o = exchange::import_children(&mut store, &session, pre, skip, true)?;
                    t!(
                        lang,
                        "xch-imported_children",
                        inserted = o.inserted,
                        skipped = o.skipped_invalid,
                        categories = o.categories
                    )
                }
                Checked::Persons(pre) => {
                    let o = exchange::import_persons(&mut store, &session, pre, skip, true)?;
                    t!(
                        lang,
                        "xch-imported_persons",
                        relations = o.relations,
                        new = o.new_persons,
                        reused = o.reused_persons,
                        skipped = o.skipped_invalid
                    )
                }
            })
        },
        |app: &mut HutongApp, o: Outcome<String>| match o {
            Outcome::Finished(m) => {
                app.notices.success(Place::ExchangeImport, m);
                app.exchange.import.checked = None;
                app.list.dirty = true;
                app.home.fresh = false;
            }
            Outcome::Failed(e) => app.notices.error(Place::ExchangeImport, e),
            Outcome::Cancelled => {}
        },
    );
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    sheet::poll(app, SHEET);
    let before = app.exchange.import.what;
    ui.horizontal(|ui| {
        ui.label(app.t("ex-import_what"));
        let s = &mut app.exchange.import;
        ui.radio_value(
            &mut s.what,
            What::Children,
            app_t(app.lang, "ex-what_children"),
        );
        ui.radio_value(
            &mut s.what,
            What::Persons,
            app_t(app.lang, "ex-what_persons"),
        );
    });
    if app.exchange.import.what != before {
        // Different fields: start again from the file.
        app.exchange.import.sheet = SheetPick::default();
        app.jobs.cancel(JobName::ImportRead);
        app.exchange.import.checked = None;
    }
    let what = app.exchange.import.what;
    egui::ScrollArea::vertical()
        .id_salt("import-scroll")
        .show(ui, |ui| {
            let mut sheet = std::mem::take(&mut app.exchange.import.sheet);
            sheet.show(app, ui, kind(what), SHEET.job);
            let loaded = sheet.loaded.is_some();
            app.exchange.import.sheet = sheet;
            if loaded {
                ui.add_space(6.0);
                let busy = busy(app);
                if ui
                    .add_enabled(!busy, egui::Button::new(app.t("ex-check")))
                    .clicked()
                {
                    start_check(app);
                }
            }
            app.jobs.show(ui, JobName::ImportCheck);
            app.jobs.show(ui, JobName::Import);
            app.notices.show_here(ui, Place::ExchangeImport);
            report(app, ui);
        });
}

/// The row report and the import button.
fn report(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let importing = app.jobs.running(JobName::Import);
    let s = &mut app.exchange.import;
    let Some(c) = &s.checked else { return };
    let (total, valid, invalid) = c.counts();
    ui.separator();
    ui.heading(app_t(lang, "ex-report"));
    ui.label(t!(
        lang,
        "xch-report_summary",
        total = total,
        valid = valid,
        invalid = invalid,
        errors = c.errors().len(),
        warnings = c.warnings().len()
    ));
    problems(
        ui,
        lang,
        "errors",
        &app_t(lang, "ex-errors"),
        c.errors(),
        true,
    );
    problems(
        ui,
        lang,
        "warnings",
        &app_t(lang, "ex-warnings"),
        c.warnings(),
        false,
    );
    let clean = c.errors().is_empty();
    if !clean {
        ui.colored_label(crate::gui::theme::ERROR, app_t(lang, "ex-all_or_nothing"));
        ui.checkbox(&mut s.skip_invalid, app_t(lang, "ex-skip_invalid"));
    }
    let can = valid > 0 && (clean || s.skip_invalid) && !importing;
    let label = t!(
        lang,
        "xch-import_rows",
        label = app_t(
            lang,
            if clean {
                "ex-import"
            } else {
                "ex-import_valid"
            }
        ),
        n = valid
    );
    if ui.add_enabled(can, egui::Button::new(label)).clicked() {
        start_import(app);
    }
}

/// A list of row problems; long lists scroll and only visible rows are laid out.
fn problems(
    ui: &mut egui::Ui,
    lang: crate::i18n::Lang,
    id: &str,
    title: &str,
    list: &[RowProblem],
    error: bool,
) {
    if list.is_empty() {
        return;
    }
    let colour = if error {
        crate::gui::theme::ERROR
    } else {
        crate::gui::theme::WARNING
    };
    ui.colored_label(
        colour,
        t!(lang, "xch-label_count", label = title, n = list.len()),
    );
    let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    egui::ScrollArea::vertical()
        .id_salt(id)
        .max_height(180.0)
        .show_rows(ui, row_h, list.len(), |ui, range| {
            for p in &list[range] {
                ui.label(p.to_string());
            }
        });
}
