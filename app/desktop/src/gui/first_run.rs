//! First run on a database that does not exist yet: create a county (chosen
//! by its code, checked against the division list) with its administrator,
//! or open the demo county. Then the normal workstation takes over.

use super::HutongApp;
use eframe::egui;
use hutong_core::{Store, divisions, setup};
use std::path::PathBuf;

pub struct FirstRun {
    db: PathBuf,
    county: String,
    admin: String,
    password: String,
    error: Option<String>,
    /// A new county's recovery code, shown once before the workstation
    /// opens; zeroised when the screen moves on.
    recovery_code: Option<zeroize::Zeroizing<String>>,
    /// What a crash or an interrupted restore left where the database
    /// should be (its key file, kept copies): nothing is created over them.
    leftovers: Vec<PathBuf>,
    /// The last code looked up and its name: the lookup reads the embedded
    /// dataset, so it runs when the code changes, not every frame.
    looked_up: Option<(String, Option<String>)>,
}

/// The window's root: the first-run chooser, then the workstation.
pub enum Root {
    FirstRun(Box<FirstRun>),
    App(Box<HutongApp>),
}

impl FirstRun {
    pub fn new(db: PathBuf) -> Self {
        FirstRun {
            leftovers: leftovers(&db),
            db,
            county: "411525".into(),
            admin: "admin".into(),
            password: String::new(),
            error: None,
            recovery_code: None,
            looked_up: None,
        }
    }

    /// Whether a start on `db` found remains of a database instead of
    /// nothing: then the first run offers recovery, never a new county.
    pub fn has_leftovers(db: &std::path::Path) -> bool {
        !leftovers(db).is_empty()
    }

    /// The recovery offer: the kept copy goes back to the database's name
    /// (its key file is still beside it, so the accounts' passwords open it).
    fn show_recovery(&mut self, ui: &mut egui::Ui) -> Option<HutongApp> {
        // Before any log-in: the language the window was given.
        let lang = super::ui_lang(ui);
        let t = |k: &str| crate::t!(lang, k);
        let mut recover = None;
        ui.vertical_centered(|ui| {
            ui.add_space(60.0);
            ui.heading(t("firstrun-recover_title"));
            ui.label(crate::t!(
                lang,
                "firstrun-recover_found",
                path = self.db.display().to_string()
            ));
            for p in &self.leftovers {
                ui.monospace(p.display().to_string());
            }
            ui.label(t("firstrun-recover_why"));
            let copies: Vec<PathBuf> = self
                .leftovers
                .iter()
                .filter(|p| !p.to_string_lossy().ends_with(".keys"))
                .cloned()
                .collect();
            if let Some(newest) = copies.last()
                && hutong_core::KeyRing::exists(&self.db)
                && ui
                    .button(crate::t!(
                        lang,
                        "firstrun-recover_with",
                        path = newest.display().to_string()
                    ))
                    .clicked()
            {
                recover = Some(newest.clone());
            }
            ui.weak(t("firstrun-restore_hint"));
            if let Some(e) = &self.error {
                ui.colored_label(crate::gui::theme::ERROR, e);
            }
        });
        let copy = recover?;
        match std::fs::rename(&copy, &self.db) {
            Ok(()) => Some(HutongApp::new(self.db.clone())),
            Err(e) => {
                self.error = Some(crate::t!(
                    lang,
                    "firstrun-rename_failed",
                    path = copy.display().to_string(),
                    error = e.to_string()
                ));
                None
            }
        }
    }

    /// Draws the chooser; returns the workstation once a database exists.
    fn show(&mut self, ui: &mut egui::Ui) -> Option<HutongApp> {
        if !self.leftovers.is_empty() {
            return self.show_recovery(ui);
        }
        let lang = super::ui_lang(ui);
        let t = |k: &str| crate::t!(lang, k);
        if let Some(code) = &self.recovery_code {
            let mut go_on = false;
            ui.vertical_centered(|ui| {
                ui.add_space(60.0);
                ui.heading(t("firstrun-code_title"));
                ui.label(t("firstrun-code_keep"));
                ui.label(t("firstrun-code_use"));
                ui.add_space(16.0);
                ui.add(
                    egui::Label::new(egui::RichText::new(code.as_str()).monospace().size(22.0))
                        .selectable(true),
                );
                ui.add_space(16.0);
                go_on = ui.button(t("firstrun-code_noted")).clicked();
            });
            if go_on {
                self.recovery_code = None;
                return Some(HutongApp::new(self.db.clone()));
            }
            return None;
        }
        let mut result = None;
        ui.vertical_centered(|ui| {
            ui.add_space(60.0);
            ui.heading(t("firstrun-title"));
            ui.label(crate::t!(
                lang,
                "firstrun-no_database",
                path = self.db.display().to_string()
            ));
            ui.add_space(16.0);
            if ui.button(t("firstrun-demo")).clicked() {
                result = self.create(true);
            }
            ui.add_space(16.0);
            ui.strong(t("firstrun-or_new"));
            let code = self.county.trim().to_string();
            if self.looked_up.as_ref().is_none_or(|(c, _)| *c != code) {
                let name = divisions::dataset_county(&code)
                    .ok()
                    .flatten()
                    .map(|r| r.name);
                self.looked_up = Some((code, name));
            }
            let county_name = self.looked_up.as_ref().and_then(|(_, n)| n.clone());
            egui::Grid::new("first-run").num_columns(2).show(ui, |ui| {
                let l = ui.label(t("firstrun-county_code"));
                ui.text_edit_singleline(&mut self.county).labelled_by(l.id);
                ui.end_row();
                ui.label("");
                match &county_name {
                    Some(name) => ui.weak(name),
                    None => ui.colored_label(crate::gui::theme::ERROR, t("firstrun-code_unknown")),
                };
                ui.end_row();
                let l = ui.label(t("firstrun-admin"));
                ui.text_edit_singleline(&mut self.admin).labelled_by(l.id);
                ui.end_row();
                let l = ui.label(t("firstrun-password"));
                ui.add(egui::TextEdit::singleline(&mut self.password).password(true))
                    .labelled_by(l.id);
                ui.end_row();
            });
            if ui
                .add_enabled(
                    county_name.is_some(),
                    egui::Button::new(t("firstrun-create")),
                )
                .clicked()
            {
                result = self.create(false);
            }
            if let Some(e) = &self.error {
                ui.colored_label(crate::gui::theme::ERROR, e);
            }
        });
        result
    }

    fn create(&mut self, demo_county: bool) -> Option<HutongApp> {
        let outcome = (|| -> anyhow::Result<Option<zeroize::Zeroizing<String>>> {
            let mut store = Store::create_encrypted(&self.db, demo_county)?;
            if demo_county {
                super::make_first_run_demo(&self.db, &mut store)?;
                Ok(None)
            } else {
                let admin = setup::init(
                    &mut store,
                    self.county.trim(),
                    self.admin.trim(),
                    &self.password,
                )?;
                let code =
                    setup::issue_recovery_code(&mut store, &hutong_core::Actor::user(&admin))?;
                Ok(Some(code))
            }
        })();
        match outcome {
            Ok(None) => Some(HutongApp::new(self.db.clone())),
            Ok(Some(code)) => {
                // The password is not kept once the county exists.
                zeroize::Zeroize::zeroize(&mut self.password);
                self.recovery_code = Some(code);
                None
            }
            Err(e) => {
                // A failed set-up must not leave a half-made file behind that
                // the next start would mistake for a database.
                for suffix in ["", "-wal", "-shm", ".keys"] {
                    let mut p = self.db.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                self.error = Some(format!("{e:#}"));
                None
            }
        }
    }
}

/// The key file and kept copies of a database that is not there.
fn leftovers(db: &std::path::Path) -> Vec<PathBuf> {
    if db.exists() {
        return Vec::new();
    }
    let mut found = hutong_core::restore::kept_copies(db);
    let keys = hutong_core::store::keyfile_path(db);
    if keys.exists() {
        found.push(keys);
    }
    found
}

impl eframe::App for Root {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        super::note_renderer(frame);
        match self {
            Root::App(app) => {
                app.ui(ui, frame);
                if let Some(next) = app.replace_with.take() {
                    *self = Root::App(next);
                }
            }
            Root::FirstRun(first) => {
                let mut next = None;
                egui::CentralPanel::default().show(ui, |ui| next = first.show(ui));
                if let Some(app) = next {
                    *self = Root::App(Box::new(app));
                }
            }
        }
    }
}
