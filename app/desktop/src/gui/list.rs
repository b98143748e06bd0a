//! 儿童档案: the virtualised list with search, filters, sorting and masked
//! ID numbers. Revealing an ID asks why and writes an audit entry.

use super::HutongApp;
use eframe::egui;
use egui_extras::{Column, TableBuilder};
use hutong_core::RowId;
use hutong_core::children::{ChildQuery, ChildRow, ChildStatus, SortKey};
use hutong_core::national::category::CaseCategory;
use hutong_core::national::id_number;
use std::collections::HashMap;

use super::notices::Place;
use crate::i18n::{Lang, zh_or_en};

/// Rows fetched per query. A county has up to ~100,000 children; nobody
/// scrolls them all, and search narrows any list within milliseconds.
const MAX_ROWS: usize = 5_000;

#[derive(Default)]
pub struct ListState {
    pub search: String,
    pub category: Option<CaseCategory>,
    pub status: Option<ChildStatus>,
    pub division: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    pub rows: Vec<ChildRow>,
    pub total: u64,
    pub dirty: bool,
    last_search: String,
    /// Revealed ID numbers, by child, for this session only.
    pub revealed: HashMap<RowId, String>,
    pub reveal_for: Option<RowId>,
    pub reveal_reason: String,
    /// The 乡镇/村（居） filter (the shared picker caches its lists).
    picker: super::widgets::DivisionPicker,
    /// The filter's full name, looked up on refresh rather than every frame.
    division_name: Option<String>,
}

fn refresh(app: &mut HutongApp) {
    let l = &app.list;
    let q = ChildQuery {
        division: l.division.clone(),
        search: Some(l.search.clone()).filter(|s| !s.trim().is_empty()),
        category: l.category,
        status: l.status,
        sort: l.sort,
        descending: l.descending,
        limit: Some(MAX_ROWS),
        offset: 0,
    };
    let listed = match &app.session {
        Some(session) => hutong_services::children::list(&mut app.store, session, &q),
        None => Ok((Vec::new(), 0)),
    };
    match listed {
        Ok((rows, total)) => {
            app.list.rows = rows;
            app.list.total = total;
            app.notices.clear(Place::List);
        }
        Err(e) => app.notices.error(Place::List, e.to_string()),
    }
    let l = &mut app.list;
    refresh_division_name(&app.store, l);
    l.last_search = l.search.clone();
    l.dirty = false;
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if app.list.dirty || app.list.search != app.list.last_search {
        refresh(app);
    }
    let lang = app.lang;
    ui.horizontal(|ui| {
        let l = ui.label(app.t("list-search"));
        let hint = app.t("list-search_hint");
        ui.add(
            egui::TextEdit::singleline(&mut app.list.search)
                .hint_text(hint)
                .desired_width(280.0),
        )
        .labelled_by(l.id);
        let l = ui.label(app.t("list-category"));
        let current = app
            .list
            .category
            .map(|c| zh_or_en(lang, c.label_zh(), c.label_en()).to_string())
            .unwrap_or_else(|| crate::i18n::tr(lang, "list-all"));
        egui::ComboBox::from_id_salt("category")
            .selected_text(current)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(
                        app.list.category.is_none(),
                        crate::i18n::tr(lang, "list-all"),
                    )
                    .clicked()
                {
                    app.list.category = None;
                    app.list.dirty = true;
                }
                for c in CaseCategory::ALL {
                    if ui
                        .selectable_label(
                            app.list.category == Some(c),
                            zh_or_en(lang, c.label_zh(), c.label_en()),
                        )
                        .clicked()
                    {
                        app.list.category = Some(c);
                        app.list.dirty = true;
                    }
                }
            })
            .response
            .labelled_by(l.id);
        let l = ui.label(app.t("list-status"));
        let status_text = app
            .list
            .status
            .map(|s| status_name(lang, s))
            .unwrap_or_else(|| crate::i18n::tr(lang, "list-all"));
        egui::ComboBox::from_id_salt("status")
            .selected_text(status_text)
            .show_ui(ui, |ui| {
                for (s, label) in [
                    (None, crate::i18n::tr(lang, "list-all")),
                    (
                        Some(ChildStatus::Active),
                        status_name(lang, ChildStatus::Active),
                    ),
                    (
                        Some(ChildStatus::Closed),
                        status_name(lang, ChildStatus::Closed),
                    ),
                ] {
                    if ui.selectable_label(app.list.status == s, label).clicked() {
                        app.list.status = s;
                        app.list.dirty = true;
                    }
                }
            })
            .response
            .labelled_by(l.id);
        division_filter(app, ui);
        if let Some(name) = app.list.division_name.clone()
            && ui
                .button(crate::t!(lang, "lst-clear_division", name = name))
                .clicked()
        {
            app.list.division = None;
            app.list.dirty = true;
        }
        if ui.button(app.t("list-export")).clicked() {
            export_filtered(app);
        }
    });
    app.notices.show_here(ui, Place::List);
    let shown = app.list.rows.len();
    let note = if shown >= MAX_ROWS {
        crate::t!(app.lang, "list-truncated", n = MAX_ROWS)
    } else {
        crate::t!(app.lang, "list-count", n = shown)
    };
    ui.weak(note);
    let mut open: Option<RowId> = None;
    let mut sort_by: Option<SortKey> = None;
    let mut reveal: Option<RowId> = None;
    let header =
        |ui: &mut egui::Ui, text: String, key: Option<SortKey>, sort_by: &mut Option<SortKey>| {
            match key {
                Some(k) => {
                    if ui.button(text).clicked() {
                        *sort_by = Some(k);
                    }
                }
                None => {
                    ui.strong(text);
                }
            }
        };
    let texts = [
        "list-name",
        "list-sex",
        "list-birth",
        "list-id",
        "list-village",
        "list-categories",
    ]
    .map(|k| app.t(k));
    let open_label = app.t("list-open");
    let separator = app.t("list-separator");
    let reveal_label = app.t("list-reveal");
    let may_reveal = app.can(hutong_services::Action::RevealId);
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(110.0))
        .column(Column::initial(50.0))
        .column(Column::initial(120.0))
        .column(Column::initial(210.0))
        .column(Column::initial(190.0))
        .column(Column::remainder().at_least(160.0))
        .column(Column::initial(60.0))
        .header(26.0, |mut h| {
            h.col(|ui| header(ui, texts[0].clone(), Some(SortKey::Name), &mut sort_by));
            h.col(|ui| header(ui, texts[1].clone(), None, &mut sort_by));
            h.col(|ui| header(ui, texts[2].clone(), Some(SortKey::BirthDate), &mut sort_by));
            h.col(|ui| header(ui, texts[3].clone(), Some(SortKey::IdNumber), &mut sort_by));
            h.col(|ui| header(ui, texts[4].clone(), Some(SortKey::Village), &mut sort_by));
            h.col(|ui| header(ui, texts[5].clone(), None, &mut sort_by));
            h.col(|_| {});
        })
        .body(|body| {
            // Only the visible rows are laid out, so 100,000 rows scroll smoothly.
            body.rows(26.0, app.list.rows.len(), |mut row| {
                let r = &app.list.rows[row.index()];
                row.col(|ui| {
                    if ui.link(&r.name).clicked() {
                        open = Some(r.id);
                    }
                });
                row.col(|ui| {
                    ui.label(zh_or_en(lang, r.sex.label_zh(), r.sex.label_en()));
                });
                row.col(|ui| {
                    ui.label(crate::i18n::date(lang, r.birth_date));
                });
                row.col(|ui| match app.list.revealed.get(&r.id) {
                    Some(full) => {
                        ui.monospace(full);
                    }
                    None => {
                        ui.monospace(id_number::mask(&r.id_number));
                        if may_reveal && ui.small_button(&reveal_label).clicked() {
                            reveal = Some(r.id);
                        }
                    }
                });
                row.col(|ui| {
                    ui.label(&r.village_name);
                });
                row.col(|ui| {
                    let cats: Vec<&str> = r
                        .categories
                        .iter()
                        .map(|c| zh_or_en(lang, c.label_zh(), c.label_en()))
                        .collect();
                    ui.label(cats.join(&separator));
                });
                row.col(|ui| {
                    if ui.small_button(&open_label).clicked() {
                        open = Some(r.id);
                    }
                });
            });
        });
    if let Some(k) = sort_by {
        if app.list.sort == k {
            app.list.descending = !app.list.descending;
        } else {
            app.list.sort = k;
            app.list.descending = false;
        }
        app.list.dirty = true;
    }
    if let Some(id) = reveal {
        app.list.reveal_for = Some(id);
        app.list.reveal_reason.clear();
    }
    if let Some(id) = open {
        app.push(super::commands::Command::OpenChild(id, None));
    }
}

/// 导出…: the export screen, with this list's filter and a purpose to state.
fn export_filtered(app: &mut HutongApp) {
    let l = &app.list;
    let lang = app.lang;
    let mut parts = Vec::new();
    if let Some(n) = &l.division_name {
        parts.push(n.clone());
    }
    if let Some(c) = l.category {
        parts.push(zh_or_en(lang, c.label_zh(), c.label_en()).to_string());
    }
    if let Some(s) = l.status {
        parts.push(status_name(lang, s));
    }
    if !l.search.trim().is_empty() {
        parts.push(crate::t!(lang, "lst-searched", text = l.search.trim()));
    }
    let label = if parts.is_empty() {
        crate::t!(lang, "lst-export_all", n = l.rows.len())
    } else {
        crate::t!(
            lang,
            "lst-export_filtered",
            filter = parts.join(&crate::t!(lang, "lst-filter_separator")),
            n = l.rows.len()
        )
    };
    let filter = super::exchange::export::ListFilter {
        search: l.search.clone(),
        category: l.category,
        status: l.status,
        division: l.division.clone(),
        label,
    };
    super::exchange::export::start_from_list(app, filter);
}

/// Asks why an ID number is needed, then reveals it with an audit entry.
pub fn reveal_prompt(app: &mut HutongApp, ctx: &egui::Context) {
    let Some(id) = app.list.reveal_for else {
        return;
    };
    let mut confirm = false;
    let mut cancel = false;
    egui::Modal::new(egui::Id::unique("hutong-reveal-modal")).show(ctx, |ui| {
        ui.heading(app.t("reveal-title"));
        let l = ui.label(app.t("reveal-reason"));
        ui.text_edit_singleline(&mut app.list.reveal_reason)
            .labelled_by(l.id);
        ui.horizontal(|ui| {
            let ok = !app.list.reveal_reason.trim().is_empty();
            if ui
                .add_enabled(ok, egui::Button::new(app.t("reveal-confirm")))
                .clicked()
            {
                confirm = true;
            }
            if ui.button(app.t("common-cancel")).clicked() {
                cancel = true;
            }
        });
    });
    if confirm {
        let reason = app.list.reveal_reason.trim().to_string();
        // One audited reveal covers the child's number and the relatives'
        // numbers the file and its province forms then show.
        let revealed = match &app.session {
            Some(session) => {
                hutong_services::children::reveal(&mut app.store, session, id, &reason)
            }
            None => Ok(String::new()),
        };
        match revealed {
            Ok(full) => {
                app.list.revealed.insert(id, full);
            }
            Err(e) => app.notices.error(Place::List, e.to_string()),
        }
        app.list.reveal_for = None;
    }
    if cancel {
        app.list.reveal_for = None;
    }
}

/// The filter's full name for the 清除 button.
fn refresh_division_name(store: &hutong_core::Store, l: &mut ListState) {
    l.division_name = l
        .division
        .as_ref()
        .map(|d| hutong_services::divisions::full_name(store, d).unwrap_or_else(|_| d.clone()));
}

/// 乡镇 and 村（居） pickers, limited to the user's scope.
fn division_filter(app: &mut HutongApp, ui: &mut egui::Ui) {
    let scope = app.scope();
    let l = &mut app.list;
    if l.picker
        .show(ui, "list", &app.store, scope.code(), &mut l.division)
    {
        l.dirty = true;
    }
}

/// 在档 / 已结案 in the UI language.
fn status_name(lang: Lang, s: ChildStatus) -> String {
    crate::t!(
        lang,
        match s {
            ChildStatus::Active => "lst-status_active",
            ChildStatus::Closed => "lst-status_closed",
        }
    )
}
