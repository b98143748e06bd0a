//! 省级表单: renders a province plugin's form from its definition, runs the
//! plugin's `evaluate-form` as the user types, shows errors and warnings
//! beside each field, and saves a new form version. Saving is blocked only
//! by errors.
//!
//! Evaluation runs on the plugin worker thread (`worker.rs`); the form shows
//! 正在检查… and blocks saving until the answer for the latest edit arrives.

use super::HutongApp;
use super::notices::Place;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::forms::FormInput;
use hutong_core::province::{FieldKind, FieldValue, FormDef, FormEvaluation, Severity, Value};
use hutong_services::child_casework;

pub struct FormEditor {
    pub plugin: usize,
    pub form: FormDef,
    pub values: Vec<FieldValue>,
    saved: Vec<FieldValue>,
    pub evaluation: Option<FormEvaluation>,
    pub error: Option<String>,
    /// The worker job whose evaluation is awaited.
    pub pending: Option<u64>,
    /// Rows per repeat group.
    rows: std::collections::HashMap<String, u32>,
}

impl FormEditor {
    pub fn is_dirty(&self) -> bool {
        self.values != self.saved
    }
}

fn get<'a>(values: &'a [FieldValue], id: &str, row: Option<u32>) -> Option<&'a Value> {
    values
        .iter()
        .find(|v| v.field_id == id && v.row == row)
        .map(|v| &v.value)
}

fn set(values: &mut Vec<FieldValue>, id: &str, row: Option<u32>, value: Value) {
    values.retain(|v| !(v.field_id == id && v.row == row));
    if value != Value::Empty {
        values.push(FieldValue {
            field_id: id.to_string(),
            row,
            value,
        });
    }
}

/// Opens a form for the current child, with its latest saved values.
pub fn open(app: &mut HutongApp, plugin: usize, form: FormDef) {
    let Some(child) = app.file.as_ref().map(|f| f.child.id) else {
        return;
    };
    let Some(p) = app.plugins.infos().get(plugin) else {
        return;
    };
    let plugin_id = p.manifest.id.clone();
    let saved: Vec<FieldValue> = app
        .call(|store, session| {
            child_casework::latest_form(store, session, child, &plugin_id, &form.id)
        })
        .ok()
        .flatten()
        .map(|r| r.values)
        .unwrap_or_default();
    // Fields bound to core fields start from the child's file, so nothing
    // is typed twice; saved values win.
    let mut values = saved.clone();
    let snap = app.call(|store, session| child_casework::snapshot(store, session, child));
    let Some(file) = &mut app.file else { return };
    if let Ok(snap) = snap {
        for (f, binding) in form
            .fields
            .iter()
            .filter(|f| f.group.is_empty())
            .filter_map(|f| Some((f, f.binding()?)))
        {
            if get(&values, &f.id, None).is_some() {
                continue;
            }
            let bound = snap.bound(binding).to_string();
            if !bound.is_empty()
                && !matches!(
                    f.kind,
                    FieldKind::SingleChoice(_) | FieldKind::MultiChoice(_) | FieldKind::Boolean
                )
            {
                set(&mut values, &f.id, None, Value::Text(bound));
            }
        }
    }
    let mut rows = std::collections::HashMap::new();
    for v in &saved {
        if let Some(r) = v.row {
            let group = form
                .fields
                .iter()
                .find(|f| f.id == v.field_id)
                .map(|f| f.group.clone())
                .unwrap_or_default();
            let e = rows.entry(group).or_insert(0);
            *e = (*e).max(r + 1);
        }
    }
    // Prefilled values are not an unsaved change: leaving a form the user
    // never touched must not prompt.
    let saved = if saved.is_empty() {
        values.clone()
    } else {
        saved
    };
    file.form = Some(FormEditor {
        plugin,
        form,
        values,
        saved,
        evaluation: None,
        error: None,
        pending: None,
        rows,
    });
    evaluate(app);
}

/// Sends the current values to the plugin worker for evaluation.
fn evaluate(app: &mut HutongApp) {
    let lang = app.lang;
    let today = chrono::Local::now().date_naive().to_string();
    let Some(child) = app.file.as_ref().map(|f| f.child.id) else {
        return;
    };
    let snapshot = app
        .call(|store, session| child_casework::snapshot(store, session, child))
        .ok();
    let Some(file) = &mut app.file else { return };
    let Some(ed) = &mut file.form else { return };
    match app
        .plugins
        .evaluate(ed.plugin, &ed.form.id, ed.values.clone(), today, snapshot)
    {
        Some(id) => ed.pending = Some(id),
        None => ed.error = Some(crate::t!(lang, "pform-worker_stopped")),
    }
}

/// Applies a finished evaluation, if it is the one awaited.
fn poll(app: &mut HutongApp) {
    while let Some(done) = app.plugins.try_result() {
        let Some(ed) = app.file.as_mut().and_then(|f| f.form.as_mut()) else {
            continue;
        };
        if ed.pending != Some(done.id) {
            continue; // superseded by a newer edit
        }
        ed.pending = None;
        match done.result {
            Ok(ev) => {
                for c in &ev.computed {
                    set(&mut ed.values, &c.field_id, c.row, c.value.clone());
                }
                ed.evaluation = Some(ev);
                ed.error = None;
            }
            Err(e) => {
                ed.evaluation = None;
                ed.error = Some(e);
            }
        }
    }
}

fn issues_for<'a>(
    ev: &'a Option<FormEvaluation>,
    id: &str,
    row: Option<u32>,
) -> Vec<&'a hutong_core::province::FieldIssue> {
    ev.as_ref()
        .map(|e| {
            e.issues
                .iter()
                .filter(|i| i.field_id == id && i.row == row)
                .collect()
        })
        .unwrap_or_default()
}

/// Draws one field; returns whether its value changed. An ID-number field
/// with a value shows it masked, read-only, until the child's file has been
/// revealed (`wants_reveal` asks for the audited prompt).
fn field_ui(
    ui: &mut egui::Ui,
    f: &hutong_core::province::Field,
    values: &mut Vec<FieldValue>,
    row: Option<u32>,
    (revealed, may_reveal): (bool, bool),
    wants_reveal: &mut bool,
) -> bool {
    let lang = super::ui_lang(ui);
    let label = if f.required {
        format!("{} *", f.label)
    } else {
        f.label.clone()
    };
    let l = ui.label(label);
    if !f.help.is_empty() {
        l.clone().on_hover_text(&f.help);
    }
    let current = get(values, &f.id, row).cloned().unwrap_or(Value::Empty);
    let mut changed = false;
    let is_id = f.kind == FieldKind::IdNumber
        || f.binding() == Some(hutong_core::province::CoreBinding::IdNumber);
    if is_id
        && !revealed
        && let Value::Text(number) = &current
        && !number.trim().is_empty()
    {
        ui.horizontal(|ui| {
            ui.monospace(hutong_core::national::id_number::mask(number.trim()))
                .labelled_by(l.id);
            if may_reveal && ui.small_button(crate::t!(lang, "list-reveal")).clicked() {
                *wants_reveal = true;
            }
        });
        return false;
    }
    match &f.kind {
        FieldKind::Boolean => {
            let mut b = matches!(current, Value::Boolean(true));
            if ui.checkbox(&mut b, "").labelled_by(l.id).changed() {
                set(values, &f.id, row, Value::Boolean(b));
                changed = true;
            }
        }
        FieldKind::SingleChoice(c) => {
            let parent_code = if c.parent.is_empty() {
                None
            } else {
                match get(values, &c.parent, row) {
                    Some(Value::Choice(p)) => Some(p.clone()),
                    _ => Some(String::new()),
                }
            };
            let selected = match &current {
                Value::Choice(code) => c
                    .options
                    .iter()
                    .find(|o| &o.code == code)
                    .map(|o| o.label.clone())
                    .unwrap_or_else(|| code.clone()),
                _ => crate::t!(lang, "pform-choose"),
            };
            egui::ComboBox::from_id_salt((&f.id, row))
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    for o in c.options.iter().filter(|o| {
                        o.parent_code.is_empty()
                            || parent_code.as_deref() == Some(o.parent_code.as_str())
                    }) {
                        if ui
                            .selectable_label(current == Value::Choice(o.code.clone()), &o.label)
                            .clicked()
                        {
                            set(values, &f.id, row, Value::Choice(o.code.clone()));
                            changed = true;
                        }
                    }
                })
                .response
                .labelled_by(l.id);
        }
        FieldKind::MultiChoice(c) => {
            let mut chosen: Vec<String> = match &current {
                Value::Choices(v) => v.clone(),
                _ => vec![],
            };
            ui.horizontal_wrapped(|ui| {
                for o in &c.options {
                    let mut on = chosen.contains(&o.code);
                    if ui.checkbox(&mut on, &o.label).changed() {
                        if on {
                            chosen.push(o.code.clone());
                        } else {
                            chosen.retain(|x| x != &o.code);
                        }
                        changed = true;
                    }
                }
            });
            if changed {
                set(
                    values,
                    &f.id,
                    row,
                    if chosen.is_empty() {
                        Value::Empty
                    } else {
                        Value::Choices(chosen)
                    },
                );
            }
        }
        kind => {
            let mut text = match &current {
                Value::Text(s) | Value::Choice(s) => s.clone(),
                Value::Integer(i) => i.to_string(),
                Value::Decimal(d) => d.to_string(),
                _ => String::new(),
            };
            let parsed_date = hutong_core::national::dates::parse_flexible(&text);
            let edit = if *kind == FieldKind::LongText {
                egui::TextEdit::multiline(&mut text).desired_rows(3)
            } else {
                egui::TextEdit::singleline(&mut text)
            };
            let hint = match kind {
                FieldKind::Date => crate::t!(lang, "pform-date_hint"),
                FieldKind::IdNumber => crate::t!(lang, "pform-id_hint"),
                _ => String::new(),
            };
            let mut picked_date = None;
            let response = ui
                .horizontal(|ui| {
                    let r = ui
                        .add(edit.hint_text(hint).desired_width(220.0))
                        .labelled_by(l.id);
                    if *kind == FieldKind::Date {
                        let today = chrono::Local::now().date_naive();
                        let mut d = parsed_date;
                        if super::date_picker::date_picker(ui, (&f.id, row, "date"), &mut d, today)
                        {
                            picked_date = d;
                        }
                    }
                    r
                })
                .inner;
            if let Some(d) = picked_date {
                set(values, &f.id, row, Value::Text(d.to_string()));
                changed = true;
            } else if response.changed() {
                let t = text.trim();
                let v = if t.is_empty() {
                    Value::Empty
                } else {
                    match kind {
                        // Keep unparseable numbers as text: the plugin and the
                        // store see exactly what was typed and can name the problem.
                        FieldKind::Integer => t
                            .parse()
                            .map(Value::Integer)
                            .unwrap_or(Value::Text(text.clone())),
                        FieldKind::Decimal => t
                            .parse()
                            .map(Value::Decimal)
                            .unwrap_or(Value::Text(text.clone())),
                        _ => Value::Text(text.clone()),
                    }
                };
                set(values, &f.id, row, v);
                changed = true;
            }
        }
    }
    changed
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    poll(app);
    if app.form_pending() {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(5));
    }
    let Some(file) = &app.file else { return };
    if app.plugins.infos().is_empty() {
        ui.label(
            app.plugin_error
                .clone()
                .unwrap_or_else(|| app.t("pform-no_plugin")),
        );
        return;
    }
    // Form picker.
    let mut pick: Option<(usize, FormDef)> = None;
    ui.horizontal_wrapped(|ui| {
        for (i, p) in app.plugins.infos().iter().enumerate() {
            for f in p.forms.iter().cloned() {
                let selected = file
                    .form
                    .as_ref()
                    .is_some_and(|e| e.plugin == i && e.form.id == f.id);
                if ui.selectable_label(selected, &f.title).clicked() {
                    pick = Some((i, f));
                }
            }
        }
    });
    if let Some((i, f)) = pick {
        open(app, i, f);
        return;
    }
    let mut changed = false;
    let mut save = false;
    // ID numbers in a form are shown only after the audited reveal of this
    // child's file (the same prompt as 基本信息, with a purpose).
    let child_id = file.child.id;
    let revealed = app.list.revealed.contains_key(&child_id);
    let may_reveal = app.can(hutong_services::Action::RevealId);
    let mut wants_reveal = false;
    {
        let Some(file) = &mut app.file else { return };
        let Some(ed) = &mut file.form else {
            ui.weak(crate::t!(lang, "pform-choose_form"));
            return;
        };
        ui.separator();
        if let Some(e) = &ed.error {
            ui.colored_label(crate::gui::theme::ERROR, e);
        }
        let hidden: Vec<String> = ed
            .evaluation
            .as_ref()
            .map(|e| e.hidden.clone())
            .unwrap_or_default();
        let form = ed.form.clone();
        for section in &form.sections {
            ui.strong(&section.title);
            egui::Grid::new(("form", &section.id))
                .num_columns(2)
                .spacing([12.0, 6.0])
                .show(ui, |ui| {
                    for f in form.fields.iter().filter(|f| {
                        f.section == section.id && f.group.is_empty() && !hidden.contains(&f.id)
                    }) {
                        if f.kind == FieldKind::RepeatGroup {
                            ui.label(&f.label);
                            let n = ed.rows.get(&f.id).copied().unwrap_or(0);
                            if ui.button(crate::t!(lang, "pform-add_row")).clicked() {
                                ed.rows.insert(f.id.clone(), n + 1);
                            }
                            ui.end_row();
                            for row in 0..n {
                                for member in form.fields.iter().filter(|m| m.group == f.id) {
                                    changed |= field_ui(
                                        ui,
                                        member,
                                        &mut ed.values,
                                        Some(row),
                                        (revealed, may_reveal),
                                        &mut wants_reveal,
                                    );
                                    ui.end_row();
                                    for issue in issues_for(&ed.evaluation, &member.id, Some(row)) {
                                        ui.label("");
                                        issue_label(ui, issue);
                                        ui.end_row();
                                    }
                                }
                            }
                            continue;
                        }
                        changed |= field_ui(
                            ui,
                            f,
                            &mut ed.values,
                            None,
                            (revealed, may_reveal),
                            &mut wants_reveal,
                        );
                        ui.end_row();
                        for issue in issues_for(&ed.evaluation, &f.id, None) {
                            ui.label("");
                            issue_label(ui, issue);
                            ui.end_row();
                        }
                    }
                });
        }
        let blocked = ed.pending.is_some() || ed.evaluation.as_ref().is_none_or(|e| e.has_errors());
        if ed.pending.is_some() {
            ui.weak(crate::t!(lang, "pform-checking"));
        }
        ui.add_space(8.0);
        if ui
            .add_enabled(!blocked, egui::Button::new(crate::t!(lang, "pform-save")))
            .clicked()
        {
            save = true;
        }
        if blocked {
            ui.weak(crate::t!(lang, "pform-fix_errors"));
        }
    }
    app.notices.show_here(ui, Place::FileForm);
    if wants_reveal {
        app.list.reveal_for = Some(child_id);
        app.list.reveal_reason.clear();
    }
    if changed {
        evaluate(app);
    }
    if save {
        save_form(app);
    }
}

fn issue_label(ui: &mut egui::Ui, issue: &hutong_core::province::FieldIssue) {
    let lang = super::ui_lang(ui);
    let (colour, key) = match issue.severity {
        Severity::Error => (crate::gui::theme::ERROR, "pform-issue_error"),
        Severity::Warning => (crate::gui::theme::WARNING, "pform-issue_warning"),
    };
    ui.colored_label(
        colour,
        crate::t!(lang, key, message = issue.message.as_str()),
    );
}

fn save_form(app: &mut HutongApp) {
    let lang = app.lang;
    let Some(file) = &app.file else { return };
    let child_id: RowId = file.child.id;
    let Some(ed) = &file.form else { return };
    let Some(plugin) = app.plugins.infos().get(ed.plugin) else {
        return;
    };
    let (pid, pver) = (plugin.manifest.id.clone(), plugin.manifest.version.clone());
    let (form_id, form_version) = (ed.form.id.clone(), ed.form.version.clone());
    let values = ed.values.clone();
    let definition = ed.form.clone();
    let result = app.call(|store, session| {
        child_casework::save_form(
            store,
            session,
            FormInput {
                child_id,
                plugin_id: &pid,
                plugin_version: &pver,
                form_id: &form_id,
                form_version: &form_version,
                values,
                definition: Some(&definition),
            },
        )
    });
    let Some(file) = &mut app.file else { return };
    let Some(ed) = &mut file.form else { return };
    match result {
        Ok(rec) => {
            ed.saved = ed.values.clone();
            let saved = crate::t!(
                lang,
                "pform-saved",
                form = ed.form.title.as_str(),
                version = rec.version
            );
            app.notices.success(Place::FileForm, saved);
            // Plugins classify on form values too (河南's 流动 facts come
            // from its monitoring form): the command classifies again and
            // shows the new categories and the form's 历史.
            app.push(super::commands::Command::ChildChanged(child_id));
        }
        Err(e) => app.notices.error(Place::FileForm, e),
    }
}
