//! The child's file: tabs 基本信息 (editable, ID checked as typed),
//! 家庭与监护, 类别, 走访 and 历史 (every change: who, when, old → new).

use super::HutongApp;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::categories::CategoryRecord;
use hutong_core::children::{Child, ChildInput};
use hutong_core::national::{dates, id_number};
use hutong_core::persons::RelatedPerson;
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
    pub message: Option<(bool, String)>,
    /// The province form being edited in the 省级表单 tab.
    pub form: Option<super::province_form::FormEditor>,
}

impl FileState {
    pub fn is_dirty(&self) -> bool {
        self.input != self.saved_input || self.form.as_ref().is_some_and(|f| f.is_dirty())
    }

    /// Reads what others may have changed since the file opened (its
    /// categories, relatives and history), keeping the user's unsaved
    /// edits, the tab and the form being filled in.
    pub fn read_again(&mut self, store: &mut hutong_core::Store, session: &Session) {
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
            }
            Ok(None) => self.message = Some((false, "该档案已无法读取".into())),
            Err(e) => self.message = Some((false, e.to_string())),
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
        None => Err(app.t("login.required")),
    };
    let file = match found {
        Ok(Some(file)) => file,
        Ok(None) => {
            app.list.error = Some("未找到该儿童档案".into());
            return;
        }
        Err(e) => {
            app.list.error = Some(e);
            return;
        }
    };
    let input = input_of(&file.child);
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
        message: None,
        form: None,
    });
}

/// Saves the basic-information tab. Returns whether it saved.
pub fn save(app: &mut HutongApp) -> bool {
    let Some(file) = &mut app.file else {
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
                crate::i18n::tr(app.lang, "file.saved")
            } else {
                format!(
                    "{}（{}）",
                    crate::i18n::tr(app.lang, "file.saved"),
                    warnings
                        .iter()
                        .map(|w| w.to_string())
                        .collect::<Vec<_>>()
                        .join("；")
                )
            };
            open(app, child.id);
            if let Some(f) = &mut app.file {
                f.message = Some((true, note));
            }
            // Eligibility follows the data: the plugin classifies again.
            app.push(super::commands::Command::ChildChanged(child.id));
            true
        }
        Err(e) => {
            file.message = Some((false, e.to_string()));
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
            if ui.button(t("common.back")).clicked() {
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
                ui.colored_label(crate::gui::theme::WARNING, t("file.unsaved"));
            }
        });
        ui.horizontal(|ui| {
            for (tab, key) in [
                (Tab::Basic, "file.basic"),
                (Tab::ProvinceForms, "file.province_forms"),
                (Tab::Family, "file.family"),
                (Tab::Categories, "file.categories"),
                (Tab::Visits, "file.visits"),
                (Tab::Assessments, "file.assessments"),
                (Tab::Records, "file.records"),
                (Tab::History, "file.history"),
            ] {
                ui.selectable_value(&mut file.tab, tab, t(key));
            }
        });
        ui.separator();
        if let Some((ok, msg)) = &file.message {
            let colour = crate::gui::theme::outcome(*ok);
            ui.colored_label(colour, msg);
        }
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
                            text_field(ui, "身份证号", &mut file.input.id_number);
                        } else {
                            let l = ui.label("身份证号");
                            ui.horizontal(|ui| {
                                ui.monospace(id_number::mask(&file.child.id_number))
                                    .labelled_by(l.id);
                                if may_reveal && ui.small_button("显示并修改").clicked() {
                                    reveal = true;
                                }
                            });
                            ui.end_row();
                        }
                        // Validate as the user types; the store checks again on save.
                        let today = chrono::Local::now().date_naive();
                        ui.label("");
                        match id_number::parse(&file.input.id_number, today) {
                            Ok(p) => ui.weak(format!(
                                "{} · {} · {}周岁",
                                p.sex.label_zh(),
                                dates::format_zh(p.birth_date),
                                dates::age_on(p.birth_date, today)
                            )),
                            Err(e) => ui.colored_label(crate::gui::theme::ERROR, e.to_string()),
                        };
                        ui.end_row();
                        text_field(ui, "姓名", &mut file.input.name);
                        opt_field(ui, "其他文字姓名（如藏文）", &mut file.input.name_alt);
                        opt_field(ui, "民族", &mut file.input.ethnicity);
                        opt_field(ui, "联系电话", &mut file.input.phone);
                        opt_field(ui, "户籍地址", &mut file.input.hukou_address);
                        opt_field(ui, "现住址", &mut file.input.residence_address);
                        opt_field(ui, "就学情况", &mut file.input.schooling);
                        opt_field(ui, "学校", &mut file.input.school);
                        opt_field(ui, "年级", &mut file.input.grade);
                        opt_field(ui, "健康状况", &mut file.input.health);
                        opt_field(ui, "残疾类型", &mut file.input.disability_type);
                    });
                ui.add_space(8.0);
                if ui
                    .add_enabled(file.is_dirty(), egui::Button::new(t("common.save")))
                    .clicked()
                {
                    do_save = true;
                }
            }
            Tab::Family => {
                for rp in &file.relations {
                    let r = &rp.relation;
                    let mut parts = vec![format!("{} {}", r.relation.label_zh(), rp.person.name)];
                    if r.is_guardian {
                        parts.push("监护人".into());
                    }
                    if r.is_entrusted_carer {
                        parts.push(format!(
                            "受委托照护人{}",
                            r.entrustment_confirmed_on
                                .map(|d| format!("（确认书 {}）", dates::format_zh(d)))
                                .unwrap_or_default()
                        ));
                    }
                    if let Some(s) = r.situation {
                        parts.push(format!(
                            "情形：{}{}",
                            s.label_zh(),
                            r.situation_since
                                .map(|d| format!("（自{}）", dates::format_zh(d)))
                                .unwrap_or_default()
                        ));
                    }
                    if let Some(p) = &rp.person.phone {
                        parts.push(format!("电话 {p}"));
                    }
                    ui.label(parts.join("　"));
                }
            }
            Tab::Categories => {
                for c in &file.categories {
                    ui.label(format!(
                        "{}（{}）{}起{}：{}",
                        c.category.label_zh(),
                        if c.active { "有效" } else { "已终止" },
                        dates::format_zh(c.effective_from),
                        c.effective_until
                            .map(|d| format!("，至{}", dates::format_zh(d)))
                            .unwrap_or_default(),
                        c.basis
                    ));
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
        app.navigate(super::Screen::Children);
    }
}
