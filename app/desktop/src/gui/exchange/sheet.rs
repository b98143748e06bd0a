//! The file-and-mapping step shared by the import and the comparison:
//! choose a file, name its source, map our fields to their columns (saved
//! per source in `column_mappings`), and preview the first rows.

use super::Pending;
use crate::gui::HutongApp;
use crate::gui::jobs::{self, Job, Outcome};
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

#[derive(Default)]
pub struct SheetPick {
    pub(super) dialog: Option<Pending<()>>,
    pub(super) job: Option<Job<Loaded>>,
    pub loaded: Option<Loaded>,
    /// The source (and mapping) name, e.g. 学籍库 or 某镇花名册.
    pub source: String,
    /// Our field ← their column (index into the headers).
    pub assign: Vec<(Field, Option<usize>)>,
    pub(super) saved_names: Vec<String>,
    pub(super) names_loaded: bool,
    pub error: Option<String>,
}

impl SheetPick {
    pub fn busy(&self) -> bool {
        self.dialog.is_some() || self.job.is_some()
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

    /// Polls the dialog and the read job.
    pub fn poll(&mut self, app_db: &hutong_core::Database, kind: Kind, lang: Lang) {
        if let Some((_, answer)) = super::take_answer(&mut self.dialog)
            && let Some(path) = answer
        {
            let db = app_db.clone();
            let name = self.source.trim().to_string();
            self.error = None;
            self.job = Some(jobs::spawn(t!(lang, "xch-job_read_file"), move |p| {
                p.note(t!(lang, "xch-note_read_headers"));
                let store = db.open().map_err(|e| e.to_string())?;
                let name = Some(name.as_str()).filter(|n| !n.is_empty());
                let table = exchange::read_table(&store, &path, name).map_err(|e| e.to_string())?;
                let sha256 = table::file_sha256(&path).map_err(|e| e.to_string())?;
                let saved = match name {
                    Some(n) => exchange::saved_mapping(&store, n).map_err(|e| e.to_string())?,
                    None => None,
                };
                Ok(Loaded {
                    path,
                    table,
                    sha256,
                    saved,
                })
            }));
        }
        if let Some(job) = &self.job
            && let Some(outcome) = job.poll()
        {
            self.job = None;
            match outcome {
                Outcome::Finished(l) => {
                    let proposal = match &l.saved {
                        Some(m) => m.clone(),
                        None => kind.propose(&self.source, &l.table.headers),
                    };
                    self.loaded = Some(l);
                    self.apply(&proposal, kind);
                }
                Outcome::Failed(e) => self.error = Some(e),
                Outcome::Cancelled => {}
            }
        }
    }

    /// Source name, saved mappings, the file button; then, once a file is
    /// read, the mapping grid and the preview.
    pub fn show(&mut self, app: &HutongApp, ui: &mut egui::Ui, kind: Kind) {
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
            let can_pick = !self.busy();
            if ui
                .add_enabled(can_pick, egui::Button::new(app.t("ex-choose_file")))
                .clicked()
            {
                self.dialog = Some(Pending::ask(
                    app,
                    (),
                    DialogRequest::new(DialogKind::OpenFile, app.t("ex-choose_file"))
                        .filter(&app.t("xch-filter_sheets"), &["xlsx", "xls", "csv", "txt"]),
                ));
            }
        });
        if let Some(job) = &self.job {
            job.show(ui, &app.t("common-cancel"));
        }
        if let Some(e) = &self.error {
            crate::gui::status_message(ui, Some(&(false, e.clone())));
        }
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
