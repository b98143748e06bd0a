//! The child's file: tabs 基本信息 (editable, ID checked as typed),
//! 家庭与监护, 类别, 走访 and 历史 (every change: who, when, old → new).

use super::HutongApp;
use super::notices::Place;
use crate::i18n::{Lang, zh_or_en};
use chrono::Datelike;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::categories::CategoryRecord;
use hutong_core::children::{Child, ChildInput};
use hutong_core::national::id_number::IdWarning;
use hutong_core::national::{NaiveDate, dates, id_number};
use hutong_core::persons::{RelatedPerson, RelationKind};
use hutong_services::Session;

pub use super::commands::FileTab as Tab;

pub struct FileState {
    pub child: Child,
    pub input: ChildInput,
    saved_input: ChildInput,
    pub tab: Tab,
    relations: Vec<RelatedPerson>,
    categories: Vec<CategoryRecord>,
    /// The 走访 tab (drawn by `visits_tab`).
    pub visits: super::visits_tab::VisitsTab,
    history: Vec<AuditEntry>,
    /// Full name path of the residence, looked up once when the file opens.
    residence_name: String,
    /// The province form being edited in the 省级表单 tab.
    pub form: Option<super::province_form::FormEditor>,
    /// The UI language when the file opened, for messages written where
    /// the app is not at hand ([`FileState::read_again`]).
    lang: Lang,
}

impl FileState {
    pub fn is_dirty(&self) -> bool {
        self.input != self.saved_input || self.form.as_ref().is_some_and(|f| f.is_dirty())
    }

    /// Reads what others may have changed since the file opened (its
    /// categories, relatives and history), keeping the user's unsaved
    /// edits, the tab and the form being filled in. The error is the
    /// message to show (at `Place::File`).
    pub fn read_again(
        &mut self,
        store: &mut hutong_core::Store,
        session: &Session,
    ) -> Result<(), String> {
        match hutong_services::children::open(store, session, self.child.id) {
            Ok(Some(file)) => {
                self.relations = file.relations;
                self.categories = file.categories;
                self.history = file.history;
                if self.input == self.saved_input {
                    self.input = input_of(&file.child);
                    self.saved_input = self.input.clone();
                }
                self.child = file.child;
                Ok(())
            }
            Ok(None) => Err(crate::t!(self.lang, "cfile-unreadable")),
            Err(e) => Err(e.to_string()),
        }
    }
}

fn input_of(c: &Child) -> ChildInput {
    ChildInput {
        id_number: c.id_number.clone(),
        name: c.name.clone(),
        name_alt: c.name_alt.clone(),
        ethnicity: c.ethnicity.clone(),
        hukou_division: c.hukou_division.clone(),
        hukou_address: c.hukou_address.clone(),
        residence_division: c.residence_division.clone(),
        residence_address: c.residence_address.clone(),
        phone: c.phone.clone(),
        schooling: c.schooling.clone(),
        school: c.school.clone(),
        grade: c.grade.clone(),
        health: c.health.clone(),
        disability_type: c.disability_type.clone(),
        disability_grade: c.disability_grade,
    }
}

/// Loads a child's file into the app.
pub fn open(app: &mut HutongApp, id: RowId) {
    // A file outside the user's division (a stale list, a link from another
    // screen) is refused by the services and the attempt audited.
    let found = match &app.session {
        Some(session) => {
            hutong_services::children::open(&mut app.store, session, id).map_err(|e| e.to_string())
        }
        None => Err(app.t("login-required")),
    };
    let file = match found {
        Ok(Some(file)) => file,
        // The file did not open: the screen the user is on says why.
        Ok(None) => {
            let text = app.t("cfile-not_found");
            app.notices.error(Place::List, text);
            return;
        }
        Err(e) => {
            app.notices.error(Place::List, e);
            return;
        }
    };
    let input = input_of(&file.child);
    // A file opens without the outcomes of the one open before.
    // (The 评估 tab's go with its state, when another child's loads.)
    for place in [Place::File, Place::FileForm, Place::FileVisits] {
        app.notices.clear(place);
    }
    app.file = Some(FileState {
        relations: file.relations,
        categories: file.categories,
        visits: Default::default(),
        history: file.history,
        residence_name: file.residence_path,
        saved_input: input.clone(),
        input,
        child: file.child,
        tab: Tab::Basic,
        form: None,
        lang: app.lang,
    });
}

/// A date as the screens show it (`2025年5月22日`; ISO in English).
pub(crate) fn date_text(lang: Lang, d: NaiveDate) -> String {
    crate::t!(
        lang,
        "cfile-date",
        y = d.year(),
        m = d.month(),
        d = d.day(),
        iso = d.format("%Y-%m-%d").to_string()
    )
}

/// A month as the screens show it (`2025年5月`; ISO in English).
pub(crate) fn month_text(lang: Lang, d: NaiveDate) -> String {
    crate::t!(
        lang,
        "cfile-month",
        y = d.year(),
        m = d.month(),
        iso = d.format("%Y-%m").to_string()
    )
}

/// A relative's relation to the child (core names it only in Chinese).
pub(crate) fn relation_label(lang: Lang, r: RelationKind) -> String {
    let key = match r {
        RelationKind::Father => "cfile-rel-father",
        RelationKind::Mother => "cfile-rel-mother",
        RelationKind::PaternalGrandfather => "cfile-rel-paternal_grandfather",
        RelationKind::PaternalGrandmother => "cfile-rel-paternal_grandmother",
        RelationKind::MaternalGrandfather => "cfile-rel-maternal_grandfather",
        RelationKind::MaternalGrandmother => "cfile-rel-maternal_grandmother",
        RelationKind::Sibling => "cfile-rel-sibling",
        RelationKind::OtherRelative => "cfile-rel-other_relative",
        RelationKind::Other => "cfile-rel-other",
    };
    crate::t!(lang, key)
}

/// A warning about a saved ID number (core words it only in Chinese).
fn warning_text(lang: Lang, w: &IdWarning) -> String {
    match w {
        IdWarning::UnknownAddressCode { code } => {
            crate::t!(lang, "cfile-warn-unknown_address", code = code.as_str())
        }
    }
}

/// Saves the basic-information tab. Returns whether it saved.
pub fn save(app: &mut HutongApp) -> bool {
    let Some(file) = &app.file else {
        return false;
    };
    let id = file.child.id;
    let input = file.input.clone();
    let Some(session) = app.session.clone() else {
        return false;
    };
    match hutong_services::children::update(&mut app.store, &session, id, &input) {
        Ok((child, warnings)) => {
            let note = if warnings.is_empty() {
                crate::i18n::tr(app.lang, "file-saved")
            } else {
                let warnings = warnings
                    .iter()
                    .map(|w| warning_text(app.lang, w))
                    .collect::<Vec<_>>()
                    .join(&app.t("cfile-warning_separator"));
                crate::t!(app.lang, "cfile-saved_warnings", warnings = warnings)
            };
            open(app, child.id);
            app.notices.success(Place::File, note);
            // Eligibility follows the data: the plugin classifies again.
            app.push(super::commands::Command::ChildChanged(child.id));
            true
        }
        Err(e) => {
            app.notices.error(Place::File, e.to_string());
            false
        }
    }
}

fn text_field(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .add(egui::TextEdit::singleline(value).desired_width(320.0))
        .labelled_by(l.id);
    ui.end_row();
    r
}

fn opt_field(ui: &mut egui::Ui, label: &str, value: &mut Option<String>) {
    let mut text = value.clone().unwrap_or_default();
    if text_field(ui, label, &mut text).changed() {
        *value = Some(text).filter(|t| !t.is_empty());
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let mut do_save = false;
    let mut back = false;
    let mut reveal = false;
    let may_reveal = app.can(hutong_services::Action::RevealId);
    let revealed = app
        .file
        .as_ref()
        .is_some_and(|f| app.list.revealed.contains_key(&f.child.id));
    {
        let Some(file) = &mut app.file else {
            app.screen = super::Screen::Children;
            return;
        };
        ui.horizontal(|ui| {
            let back_label = match app.file_origin {
                super::Screen::Children | super::Screen::ChildFile => t("common-back"),
                other => crate::t!(app.lang, "common-back_to", screen = t(other.name_key())),
            };
            if ui.button(back_label).clicked() {
                back = true;
            }
            ui.heading(format!(
                "{}{}  {}",
                file.child.name,
                file.child
                    .name_alt
                    .as_deref()
                    .map(|n| format!(" / {n}"))
                    .unwrap_or_default(),
                id_number::mask(&file.child.id_number)
            ));
            if file.is_dirty() {
                ui.colored_label(crate::gui::theme::WARNING, t("file-unsaved"));
            }
        });
        ui.horizontal(|ui| {
            for (tab, key) in [
                (Tab::Basic, "file-basic"),
                (Tab::ProvinceForms, "file-province_forms"),
                (Tab::Family, "file-family"),
                (Tab::Categories, "file-categories"),
                (Tab::Visits, "file-visits"),
                (Tab::Assessments, "file-assessments"),
                (Tab::Records, "file-records"),
                (Tab::History, "file-history"),
            ] {
                ui.selectable_value(&mut file.tab, tab, t(key));
            }
        });
        ui.separator();
        app.notices.show_here(ui, Place::File);
        egui::ScrollArea::vertical().show(ui, |ui| match file.tab {
            // Drawn below, outside this borrow of the file.
            Tab::ProvinceForms | Tab::Assessments | Tab::Records | Tab::Visits => {}
            Tab::Basic => {
                egui::Grid::new("basic")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        // The full number shows only once revealed with a
                        // reason (audited, like the list); until then the
                        // field is masked and read-only.
                        if revealed || file.input.id_number != file.child.id_number {
                            text_field(ui, &t("list-id"), &mut file.input.id_number);
                        } else {
                            let l = ui.label(t("list-id"));
                            ui.horizontal(|ui| {
                                ui.monospace(id_number::mask(&file.child.id_number))
                                    .labelled_by(l.id);
                                if may_reveal && ui.small_button(t("cfile-reveal_edit")).clicked() {
                                    reveal = true;
                                }
                            });
                            ui.end_row();
                        }
                        // Validate as the user types; the store checks again on save.
                        let today = chrono::Local::now().date_naive();
                        ui.label("");
                        match id_number::parse(&file.input.id_number, today) {
                            Ok(p) => ui.weak(crate::t!(
                                lang,
                                "cfile-id_parsed",
                                sex = zh_or_en(lang, p.sex.label_zh(), p.sex.label_en()),
                                birth = date_text(lang, p.birth_date),
                                age = dates::age_on(p.birth_date, today)
                            )),
                            Err(e) => ui.colored_label(crate::gui::theme::ERROR, e.to_string()),
                        };
                        ui.end_row();
                        text_field(ui, &t("list-name"), &mut file.input.name);
                        opt_field(ui, &t("cfile-name_alt"), &mut file.input.name_alt);
                        opt_field(ui, &t("cfile-ethnicity"), &mut file.input.ethnicity);
                        opt_field(ui, &t("cfile-phone"), &mut file.input.phone);
                        opt_field(ui, &t("cfile-hukou_address"), &mut file.input.hukou_address);
                        opt_field(
                            ui,
                            &t("cfile-residence_address"),
                            &mut file.input.residence_address,
                        );
                        opt_field(ui, &t("cfile-schooling"), &mut file.input.schooling);
                        opt_field(ui, &t("cfile-school"), &mut file.input.school);
                        opt_field(ui, &t("cfile-grade"), &mut file.input.grade);
                        opt_field(ui, &t("cfile-health"), &mut file.input.health);
                        opt_field(
                            ui,
                            &t("cfile-disability_type"),
                            &mut file.input.disability_type,
                        );
                    });
                ui.add_space(8.0);
                if ui
                    .add_enabled(file.is_dirty(), egui::Button::new(t("common-save")))
                    .clicked()
                {
                    do_save = true;
                }
            }
            Tab::Family => {
                for rp in &file.relations {
                    let r = &rp.relation;
                    let mut parts = vec![crate::t!(
                        lang,
                        "cfile-relation_person",
                        relation = relation_label(lang, r.relation),
                        name = rp.person.name.as_str()
                    )];
                    if r.is_guardian {
                        parts.push(t("cfile-guardian"));
                    }
                    if r.is_entrusted_carer {
                        parts.push(match r.entrustment_confirmed_on {
                            Some(d) => {
                                crate::t!(lang, "cfile-carer_confirmed", date = date_text(lang, d))
                            }
                            None => t("cfile-carer"),
                        });
                    }
                    if let Some(s) = r.situation {
                        let situation = zh_or_en(lang, s.label_zh(), s.label_en());
                        parts.push(match r.situation_since {
                            Some(d) => crate::t!(
                                lang,
                                "cfile-situation_since",
                                situation = situation,
                                date = date_text(lang, d)
                            ),
                            None => crate::t!(lang, "cfile-situation", situation = situation),
                        });
                    }
                    if let Some(p) = &rp.person.phone {
                        parts.push(crate::t!(lang, "cfile-phone_shown", phone = p.as_str()));
                    }
                    ui.label(parts.join(&t("cfile-part_separator")));
                }
            }
            Tab::Categories => {
                for c in &file.categories {
                    let category = zh_or_en(lang, c.category.label_zh(), c.category.label_en());
                    let state = t(if c.active {
                        "cfile-active"
                    } else {
                        "cfile-ended"
                    });
                    let from = date_text(lang, c.effective_from);
                    ui.label(match c.effective_until {
                        Some(d) => crate::t!(
                            lang,
                            "cfile-category_line_until",
                            category = category,
                            state = state,
                            from = from,
                            until = date_text(lang, d),
                            basis = c.basis.as_str()
                        ),
                        None => crate::t!(
                            lang,
                            "cfile-category_line",
                            category = category,
                            state = state,
                            from = from,
                            basis = c.basis.as_str()
                        ),
                    });
                }
            }
            Tab::History => super::records::history_entries(ui, &file.history),
        });
    }
    if app
        .file
        .as_ref()
        .is_some_and(|f| f.tab == Tab::ProvinceForms)
    {
        egui::ScrollArea::vertical()
            .id_salt("province-form")
            .show(ui, |ui| super::province_form::show(app, ui));
    }
    match app.file.as_ref().map(|f| f.tab) {
        Some(Tab::Assessments) => {
            egui::ScrollArea::vertical()
                .id_salt("assessments")
                .show(ui, |ui| super::assessment_tab::show(app, ui));
        }
        Some(Tab::Visits) => {
            egui::ScrollArea::vertical()
                .id_salt("visits")
                .show(ui, |ui| super::visits_tab::show(app, ui));
        }
        Some(Tab::Records) => {
            egui::ScrollArea::vertical()
                .id_salt("records")
                .show(ui, |ui| super::records::child_tab(app, ui));
        }
        _ => {}
    }
    if let Some(f) = &app.file
        && f.tab == Tab::Basic
    {
        ui.weak(&f.residence_name);
    }
    if reveal && let Some(f) = &app.file {
        app.list.reveal_for = Some(f.child.id);
        app.list.reveal_reason.clear();
    }
    if do_save {
        save(app);
    }
    if back {
        let origin = app.file_origin;
        app.navigate(origin);
    }
}
