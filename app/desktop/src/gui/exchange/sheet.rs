//! The file-and-mapping step shared by the import and the comparison:
//! choose a file, name its source, map our fields to their columns (saved
//! per source in `column_mappings`), and preview the first rows.

use super::Pending;
use crate::gui::HutongApp;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::Place;
use crate::i18n::Lang;
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;
use hutong_core::table::mapping::{self, ColumnMap, Field, Mapping};
use hutong_core::table::{self, RawTable};
use hutong_services::exchange;
use std::path::PathBuf;

/// Which mapping proposal suits the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Children,
    Persons,
    /// Another department's list.
    Other,
}

impl Kind {
    pub fn fields(self) -> Vec<Field> {
        match self {
            Kind::Persons => Field::PERSON_FIELDS.to_vec(),
            _ => Field::ALL
                .into_iter()
                .filter(|f| {
                    !matches!(
                        f,
                        Field::ChildIdNumber
                            | Field::Relation
                            | Field::Guardian
                            | Field::Occupation
                    )
                })
                .collect(),
        }
    }

    fn propose(self, name: &str, headers: &[String]) -> Mapping {
        match self {
            Kind::Persons => mapping::auto_map_persons(name, headers),
            _ => mapping::auto_map(name, headers),
        }
    }
}

/// A file read in the background.
pub struct Loaded {
    pub path: PathBuf,
    pub table: RawTable,
    pub sha256: String,
    /// The mapping saved under the source name, if any.
    saved: Option<Mapping>,
}

/// Where a screen keeps its sheet: the job that reads its file, the place
/// of its notices, and the sheet with the kind its file is read as now.
#[derive(Clone, Copy)]
pub struct Site {
    pub job: JobName,
    pub place: Place,
    pub locate: fn(&mut HutongApp) -> (&mut SheetPick, Kind),
}

#[derive(Default)]
pub struct SheetPick {
    pub(super) dialog: Option<Pending<()>>,
    pub loaded: Option<Loaded>,
    /// The source (and mapping) name, e.g. 学籍库 or 某镇花名册.
    pub source: String,
    /// Our field ← their column (index into the headers).
    pub assign: Vec<(Field, Option<usize>)>,
    pub(super) saved_names: Vec<String>,
    pub(super) names_loaded: bool,
}

impl SheetPick {
    /// Whether the file dialog is open (the read runs in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }

    /// The mapping as assigned on screen, named after the source.
    pub fn mapping(&self) -> Option<Mapping> {
        let t = &self.loaded.as_ref()?.table;
        Some(Mapping {
            name: self.source.trim().to_string(),
            columns: self
                .assign
                .iter()
                .filter_map(|(f, c)| {
                    c.and_then(|c| t.headers.get(c)).map(|h| ColumnMap {
                        header: h.clone(),
                        field: *f,
                    })
                })
                .collect(),
        })
    }

    fn apply(&mut self, m: &Mapping, kind: Kind) {
        let Some(l) = &self.loaded else { return };
        self.assign = kind
            .fields()
            .into_iter()
            .map(|f| {
                let col = m.column_for(f).and_then(|h| {
                    let want = table::read::normalize_header(h);
                    l.table.headers.iter().position(|x| *x == want)
                });
                (f, col)
            })
            .collect();
    }

    /// Source name, saved mappings, the file button; then, once a file is
    /// read, the mapping grid and the preview. `job` reads the file.
    pub fn show(&mut self, app: &HutongApp, ui: &mut egui::Ui, kind: Kind, job: JobName) {
        if !self.names_loaded {
            self.saved_names = exchange::mapping_names(&app.store).unwrap_or_default();
            self.names_loaded = true;
        }
        ui.horizontal(|ui| {
            let l = ui.label(app.t("ex-source"));
            ui.add(egui::TextEdit::singleline(&mut self.source).desired_width(160.0))
                .labelled_by(l.id);
            if !self.saved_names.is_empty() {
                let mut picked = None;
                egui::ComboBox::from_id_salt(("saved-mappings", kind == Kind::Other))
                    .selected_text(app.t("ex-saved_mappings"))
                    .show_ui(ui, |ui| {
                        for n in &self.saved_names {
                            if ui.selectable_label(*n == self.source, n).clicked() {
                                picked = Some(n.clone());
                            }
                        }
                    });
                if let Some(n) = picked {
                    self.source = n.clone();
                    if let Ok(Some(m)) = exchange::saved_mapping(&app.store, &n) {
                        self.apply(&m, kind);
                    }
                }
            }
            let can_pick = !self.busy() && !app.jobs.running(job);
            if ui
                .add_enabled(can_pick, egui::Button::new(app.t("ex-choose_file")))
                .clicked()
            {
                self.dialog = Some(Pending::ask(
                    app,
                    (),
                    DialogRequest::new(DialogKind::OpenFile, app.t("ex-choose_file"))
                        .filter(app.t("xch-filter_sheets"), &["xlsx", "xls", "csv", "txt"]),
                ));
            }
        });
        app.jobs.show(ui, job);
        let Some(l) = &self.loaded else {
            ui.weak(app.t("ex-no_file"));
            return;
        };
        let lang = app.lang;
        ui.label(t!(
            lang,
            "xch-file_line",
            label = app.t("ex-file"),
            path = l.path.display().to_string(),
            detail = t!(
                lang,
                "ex-rows_header",
                rows = l.table.rows.len(),
                line = l.table.header_line
            )
        ));
        for n in &l.table.notes {
            ui.weak(n);
        }
        ui.add_space(4.0);
        ui.strong(app.t("ex-mapping"));
        let headers = l.table.headers.clone();
        let letter = |i: usize| {
            t!(
                lang,
                "xch-column",
                letter = table::read::column_letter(i),
                header = headers[i].as_str()
            )
        };
        let none = app.t("ex-not_mapped");
        egui::Grid::new(("mapping-grid", kind == Kind::Other))
            .num_columns(6)
            .striped(true)
            .show(ui, |ui| {
                for (i, (field, col)) in self.assign.iter_mut().enumerate() {
                    let l = ui.label(t!(
                        lang,
                        "xch-field_arrow",
                        field = field_label(lang, *field)
                    ));
                    let text = col.map(letter).unwrap_or_else(|| none.clone());
                    egui::ComboBox::from_id_salt(("map", kind == Kind::Other, i))
                        .width(180.0)
                        .selected_text(text)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(col, None, none.as_str());
                            for c in 0..headers.len() {
                                ui.selectable_value(col, Some(c), letter(c));
                            }
                        })
                        .response
                        .labelled_by(l.id);
                    // Three pairs a row keeps the grid short enough to see the report.
                    if i % 3 == 2 {
                        ui.end_row();
                    }
                }
            });
        preview(ui, &l.table, lang);
    }
}

/// Starts reading the file the site's dialog chose; the read ends in the
/// site's sheet (or, failed, in its notices).
pub fn poll(app: &mut HutongApp, site: Site) {
    let (sheet, kind) = (site.locate)(app);
    let Some((_, Some(path))) = super::take_answer(&mut sheet.dialog) else {
        return;
    };
    let name = sheet.source.trim().to_string();
    let db = app.store.database();
    let lang = app.lang;
    app.notices.clear(site.place);
    app.jobs.start(
        site.job,
        t!(lang, "xch-job_read_file"),
        move |p| {
            p.note(t!(lang, "xch-note_read_headers"));
            let store = db.open()?;
            let name = Some(name.as_str()).filter(|n| !n.is_empty());
            let table = exchange::read_table(&store, &path, name)?;
            let sha256 = table::file_sha256(&path)?;
            let saved = match name {
                Some(n) => exchange::saved_mapping(&store, n)?,
                None => None,
            };
            Ok(Loaded {
                path,
                table,
                sha256,
                saved,
            })
        },
        move |app: &mut HutongApp, outcome: Outcome<Loaded>| match outcome {
            Outcome::Finished(l) => {
                let (sheet, now) = (site.locate)(app);
                // The screen went on to other fields meanwhile.
                if now != kind {
                    return;
                }
                let proposal = match &l.saved {
                    Some(m) => m.clone(),
                    None => kind.propose(&sheet.source, &l.table.headers),
                };
                sheet.loaded = Some(l);
                sheet.apply(&proposal, kind);
            }
            Outcome::Failed(e) => app.notices.error(site.place, e),
            Outcome::Cancelled => {}
        },
    );
}

/// The first rows as the file holds them.
fn preview(ui: &mut egui::Ui, t: &RawTable, lang: Lang) {
    ui.add_space(4.0);
    ui.strong(t!(lang, "xch-preview", n = t.rows.len().min(5)));
    egui::ScrollArea::horizontal()
        .id_salt("sheet-preview")
        .max_height(150.0)
        .show(ui, |ui| {
            egui::Grid::new("sheet-preview-grid")
                .striped(true)
                .show(ui, |ui| {
                    ui.strong(t!(lang, "xch-preview_line"));
                    for h in &t.headers {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for r in t.rows.iter().take(5) {
                        ui.label(r.line.to_string());
                        for c in 0..t.headers.len() {
                            ui.label(masked(&r.get(c).display()));
                        }
                        ui.end_row();
                    }
                });
        });
}

/// ID numbers stay masked on screen, even in the user's own file.
fn masked(text: &str) -> String {
    let n = text.chars().count();
    let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
    if (n == 18 || n == 15) && digits + 1 >= n {
        hutong_core::national::id_number::mask(text)
    } else {
        text.to_string()
    }
}

/// A field's name in the UI language (core names it in Chinese only).
pub(super) fn field_label(lang: Lang, field: Field) -> String {
    let key = match field {
        Field::IdNumber => "xch-field-id_number",
        Field::Name => "xch-field-name",
        Field::Sex => "xch-field-sex",
        Field::BirthDate => "xch-field-birth_date",
        Field::Village => "xch-field-village",
        Field::Township => "xch-field-township",
        Field::Ethnicity => "xch-field-ethnicity",
        Field::HukouDivision => "xch-field-hukou_division",
        Field::HukouAddress => "xch-field-hukou_address",
        Field::ResidenceAddress => "xch-field-residence_address",
        Field::Phone => "xch-field-phone",
        Field::Schooling => "xch-field-schooling",
        Field::School => "xch-field-school",
        Field::Grade => "xch-field-grade",
        Field::Health => "xch-field-health",
        Field::DisabilityType => "xch-field-disability_type",
        Field::DisabilityGrade => "xch-field-disability_grade",
        Field::Category => "xch-field-category",
        Field::Status => "xch-field-status",
        Field::ChildIdNumber => "xch-field-child_id_number",
        Field::Relation => "xch-field-relation",
        Field::Guardian => "xch-field-guardian",
        Field::Occupation => "xch-field-occupation",
    };
    t!(lang, key)
}
