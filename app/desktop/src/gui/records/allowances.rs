//! 补贴发放: the county standard per category (set and corrected with
//! history), the month's generation and payment, the roster as PDF or XLSX
//! (IDs masked unless the user asks for the full-ID official copy with a
//! reason, which is audited), a child's ledger with its payment window
//! (first month = the month after confirmation, last month = the month the
//! category ends), and 福彩圆梦 / 明天计划 grants.

use super::{
    ChildPick, child_row, form_grid, history_ui, load_history, opt, parse_date, parse_opt_yuan,
    section, text_row,
};
use crate::gui::HutongApp;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::{Level, Notices, Place};
use crate::gui::serve;
use crate::i18n::{Lang, zh_or_en};
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::allowances::{
    self as al, ALLOWANCE_CATEGORIES, Grant, GrantInput, IdDisplay, PaymentStatus, Programme,
    Roster, Standard, YearMonth, format_yuan,
};
use hutong_core::audit::AuditEntry;
use hutong_core::national::category::CaseCategory;
use hutong_core::national::id_number;
use hutong_services::records as rec;
use rec::allowances::{Ledger, RosterFormat as Format};
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

#[derive(Default)]
pub struct State {
    loaded: bool,
    standards: Vec<Standard>,
    std_form: StdForm,
    std_selected: Option<(Standard, Vec<AuditEntry>, String, String)>,
    month: String,
    roster: Option<Roster>,
    paid_on: String,
    pay_ref: String,
    full_ids: bool,
    full_reason: String,
    /// Seals an XLSX roster with full ID numbers (never stored).
    passphrase: zeroize::Zeroizing<String>,
    dialog: Option<(Format, IdDisplay, String, Receiver<Option<PathBuf>>)>,
    child: ChildPick,
    ledger: Option<Ledger>,
    grants: Vec<(Grant, String)>,
    grant_form: Option<GrantForm>,
    grant_selected: Option<(Grant, String, Vec<AuditEntry>, String)>,
    /// The part of the tab whose action caused the current notice.
    notice_at: Spot,
}

/// Where the tab draws its notice: near the part whose action caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Spot {
    /// Setting a standard (and loading the tab).
    #[default]
    Standards,
    /// Correcting the selected standard.
    StandardEdit,
    /// Generating the month and showing its roster.
    Month,
    /// The roster's payment and export.
    Roster,
    Grants,
}

/// The tab's notices (set, generated, paid, exported, refused).
const PLACE: Place = Place::RecordsAllowances;

impl State {
    /// The roster's file dialog (the jobs run in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }

    pub fn pick_child(&mut self, child: ChildPick) {
        self.child = child;
        self.ledger = None;
    }

    /// Where the current notice shows: a part that is closed hands it to
    /// the part around it.
    fn spot(&self) -> Spot {
        match self.notice_at {
            Spot::StandardEdit if self.std_selected.is_none() => Spot::Standards,
            Spot::Roster if self.roster.is_none() => Spot::Month,
            at => at,
        }
    }
}

/// Tells the outcome of an action, to be shown at `at`.
fn tell(app: &mut HutongApp, at: Spot, level: Level, text: String) {
    app.records.allowances.notice_at = at;
    app.notices.push(PLACE, level, text);
}

/// Draws the tab's notice here when it belongs to `at` (`spot` is where
/// it belongs, read before the tab's state was borrowed for drawing).
fn notice_here(ui: &mut egui::Ui, notices: &mut Notices, spot: Spot, at: Spot) {
    if spot == at {
        notices.show_here(ui, PLACE);
    }
}

struct StdForm {
    category: CaseCategory,
    amount: String,
    from: String,
    basis: String,
}

impl Default for StdForm {
    fn default() -> Self {
        StdForm {
            category: CaseCategory::OrphanScattered,
            amount: String::new(),
            from: String::new(),
            basis: String::new(),
        }
    }
}

struct GrantForm {
    editing: Option<RowId>,
    child: ChildPick,
    programme: Programme,
    on: String,
    item: String,
    amount: String,
    provider: String,
    note: String,
}

/// A category's name in the UI language.
fn category_label(lang: Lang, c: CaseCategory) -> &'static str {
    zh_or_en(lang, c.label_zh(), c.label_en())
}

/// A payment's status in the UI language.
pub(super) fn status_label(lang: Lang, s: PaymentStatus) -> String {
    t!(
        lang,
        match s {
            PaymentStatus::Due => "allow-status-due",
            PaymentStatus::Paid => "allow-status-paid",
            PaymentStatus::Voided => "allow-status-voided",
        }
    )
}

/// A grant programme's name in the UI language.
pub(super) fn programme_label(lang: Lang, p: Programme) -> String {
    t!(
        lang,
        match p {
            Programme::FucaiDream => "allow-programme-fucai_dream",
            Programme::TomorrowPlan => "allow-programme-tomorrow_plan",
        }
    )
}

/// A month as people read it ("2027年6月").
fn month_label(lang: Lang, m: YearMonth) -> String {
    t!(
        lang,
        "allow-month",
        year = m.year,
        month = m.month,
        iso = m.to_string()
    )
}

fn reload(app: &mut HutongApp) {
    let lang = app.lang;
    let st = &mut app.records.allowances;
    if st.month.is_empty() {
        st.month = YearMonth::of(super::today()).to_string();
        st.paid_on = super::today().to_string();
    }
    let month = YearMonth::parse(&st.month);
    let child = st.child.id();
    let standards = app.call(rec::allowances::standards);
    let grants = app
        .call(|store, s| rec::allowances::list_grants(store, s, None, None))
        .unwrap_or_default();
    let roster = month.and_then(|m| {
        app.call(|store, s| rec::allowances::roster(store, s, m, None))
            .ok()
    });
    let ledger = child.and_then(|id| {
        app.call(|store, s| rec::allowances::ledger(store, s, id))
            .ok()
    });
    match standards {
        Ok(s) => app.records.allowances.standards = s,
        Err(e) => tell(
            app,
            Spot::Standards,
            Level::Error,
            t!(lang, "allow-load_failed", error = e),
        ),
    }
    let st = &mut app.records.allowances;
    st.grants = grants;
    st.roster = roster;
    if child.is_some() {
        st.ledger = ledger;
    }
    st.loaded = true;
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.allowances.loaded {
        reload(app);
    }
    standards_ui(app, ui);
    month_ui(app, ui);
    ledger_ui(app, ui);
    grants_ui(app, ui);
}

fn standards_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut add = false;
    let mut open = None;
    let mut save_edit = false;
    let lang = app.lang;
    {
        let notices = &mut app.notices;
        let st = &mut app.records.allowances;
        let spot = st.spot();
        section(ui, &t!(lang, "allow-standards"), |ui| {
            egui::Grid::new("al-standards")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in [
                        t!(lang, "allow-category"),
                        t!(lang, "allow-col-standard"),
                        t!(lang, "allow-col-from"),
                        t!(lang, "allow-col-basis"),
                        String::new(),
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for (i, s) in st.standards.iter().enumerate() {
                        ui.label(category_label(lang, s.category));
                        ui.label(format_yuan(s.amount_cents));
                        ui.label(s.effective_from.to_string());
                        ui.label(if s.active {
                            s.basis.clone()
                        } else {
                            t!(lang, "allow-basis_voided", basis = s.basis.as_str())
                        });
                        if ui.small_button(t!(lang, "allow-edit")).clicked() {
                            open = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if st.standards.is_empty() {
                ui.colored_label(crate::gui::theme::ERROR, t!(lang, "allow-no_standards"));
            }
            let f = &mut st.std_form;
            ui.horizontal(|ui| {
                ui.label(t!(lang, "allow-category"));
                for c in ALLOWANCE_CATEGORIES {
                    ui.radio_value(&mut f.category, c, category_label(lang, c));
                }
            });
            form_grid("al-std-form", ui, |ui| {
                text_row(ui, &t!(lang, "allow-std-amount"), &mut f.amount);
                text_row(ui, &t!(lang, "allow-std-from"), &mut f.from);
                text_row(ui, &t!(lang, "allow-std-basis"), &mut f.basis);
            });
            add = ui.button(t!(lang, "allow-std-set")).clicked();
            notice_here(ui, notices, spot, Spot::Standards);
            if let Some((s, history, amount, basis)) = st.std_selected.as_mut() {
                ui.separator();
                ui.strong(t!(
                    lang,
                    "allow-std-edit_title",
                    category = category_label(lang, s.category),
                    from = s.effective_from.to_string()
                ));
                form_grid("al-std-edit", ui, |ui| {
                    text_row(ui, &t!(lang, "allow-std-new_amount"), amount);
                    text_row(ui, &t!(lang, "allow-std-new_basis"), basis);
                });
                save_edit = ui.button(t!(lang, "allow-save_changes")).clicked();
                notice_here(ui, notices, spot, Spot::StandardEdit);
                history_ui(ui, &t!(lang, "allow-std-history"), history);
            }
        });
    }
    if let Some(i) = open {
        let s = app.records.allowances.standards[i].clone();
        let h = load_history(app, "allowance_standards", s.id);
        let amount = format_yuan(s.amount_cents).replace(',', "");
        let basis = s.basis.clone();
        app.records.allowances.std_selected = Some((s, h, amount, basis));
    }
    if add {
        let f = &app.records.allowances.std_form;
        let result = (|| {
            let amount = al::parse_yuan(&t!(lang, "allow-std-amount_field"), &f.amount)
                .map_err(|e| e.to_string())?;
            let from = parse_date(&t!(lang, "allow-std-from"), &f.from)?;
            let (category, basis) = (f.category, f.basis.clone());
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::allowances::set_standard(store, s, category, amount, from, &basis)
            })
        })();
        match result {
            Ok(s) => {
                let text = t!(
                    lang,
                    "allow-std-set_done",
                    category = category_label(lang, s.category),
                    amount = format_yuan(s.amount_cents)
                );
                tell(app, Spot::Standards, Level::Success, text);
                let st = &mut app.records.allowances;
                st.std_form = StdForm::default();
                st.loaded = false;
            }
            Err(e) => tell(app, Spot::Standards, Level::Error, e),
        }
    }
    if save_edit && let Some((s, _, amount, basis)) = &app.records.allowances.std_selected {
        let (id, basis) = (s.id, basis.clone());
        let result = al::parse_yuan(&t!(lang, "allow-std-amount_field"), amount)
            .map_err(|e| e.to_string())
            .and_then(|a| {
                app.call(|store, s| rec::allowances::update_standard(store, s, id, a, &basis))
            });
        match result {
            Ok(s) => {
                let h = load_history(app, "allowance_standards", s.id);
                let amount = format_yuan(s.amount_cents).replace(',', "");
                let basis = s.basis.clone();
                let st = &mut app.records.allowances;
                st.std_selected = Some((s, h, amount, basis));
                st.loaded = false;
                tell(
                    app,
                    Spot::StandardEdit,
                    Level::Success,
                    t!(lang, "allow-std-edited"),
                );
            }
            Err(e) => tell(app, Spot::StandardEdit, Level::Error, e),
        }
    }
}

fn month_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut generate = false;
    let mut show_roster = false;
    let mut mark = false;
    let mut export = None;
    let lang = app.lang;
    {
        let HutongApp {
            records,
            jobs,
            notices,
            ..
        } = &mut *app;
        let st = &mut records.allowances;
        let spot = st.spot();
        section(ui, &t!(lang, "allow-month-title"), |ui| {
            form_grid("al-month", ui, |ui| {
                text_row(ui, &t!(lang, "allow-month-field"), &mut st.month);
            });
            ui.horizontal(|ui| {
                let idle = !jobs.running(JobName::AllowanceGenerate);
                generate = ui
                    .add_enabled(idle, egui::Button::new(t!(lang, "allow-generate")))
                    .clicked();
                show_roster = ui.button(t!(lang, "allow-show_roster")).clicked();
            });
            jobs.show(ui, JobName::AllowanceGenerate);
            notice_here(ui, notices, spot, Spot::Month);
            let Some(roster) = &st.roster else {
                return;
            };
            ui.label(t!(
                lang,
                "allow-roster-summary",
                month = month_label(lang, roster.month),
                n = roster.rows.len(),
                total = format_yuan(roster.total_cents)
            ));
            egui::ScrollArea::vertical()
                .id_salt("al-roster")
                .max_height(260.0)
                .show(ui, |ui| {
                    egui::Grid::new("al-roster-grid")
                        .striped(true)
                        .num_columns(7)
                        .show(ui, |ui| {
                            for h in [
                                "allow-col-name",
                                "allow-col-id",
                                "allow-col-township",
                                "allow-col-village",
                                "allow-category",
                                "allow-col-amount",
                                "allow-col-status",
                            ] {
                                ui.strong(t!(lang, h));
                            }
                            ui.end_row();
                            for r in &roster.rows {
                                ui.label(&r.child_name);
                                ui.monospace(id_number::mask(&r.id_number));
                                ui.label(&r.township_name);
                                ui.label(&r.village_name);
                                ui.label(category_label(lang, r.payment.category));
                                ui.label(format_yuan(r.payment.amount_cents));
                                ui.label(status_label(lang, r.payment.status));
                                ui.end_row();
                            }
                        });
                });
            form_grid("al-paid", ui, |ui| {
                text_row(ui, &t!(lang, "allow-paid_on"), &mut st.paid_on);
                text_row(ui, &t!(lang, "allow-pay_ref"), &mut st.pay_ref);
            });
            mark = ui.button(t!(lang, "allow-mark_paid")).clicked();
            ui.separator();
            ui.checkbox(&mut st.full_ids, t!(lang, "allow-full_ids"));
            if st.full_ids {
                form_grid("al-full", ui, |ui| {
                    text_row(ui, &t!(lang, "allow-full_reason"), &mut st.full_reason);
                    let l = ui.label(t!(lang, "allow-passphrase"));
                    ui.add(egui::TextEdit::singleline(&mut *st.passphrase).password(true))
                        .labelled_by(l.id);
                    ui.end_row();
                });
                ui.weak(t!(lang, "allow-full_note"));
            }
            let idle = !jobs.running(JobName::AllowanceExport) && st.dialog.is_none();
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(idle, egui::Button::new(t!(lang, "allow-export_pdf")))
                    .clicked()
                {
                    export = Some(Format::Pdf);
                }
                if ui
                    .add_enabled(idle, egui::Button::new(t!(lang, "allow-export_xlsx")))
                    .clicked()
                {
                    export = Some(Format::Xlsx);
                }
            });
            jobs.show(ui, JobName::AllowanceExport);
            notice_here(ui, notices, spot, Spot::Roster);
        });
    }
    let month = YearMonth::parse(&app.records.allowances.month);
    let Some(month) = month else {
        let at = if mark || export.is_some() {
            Spot::Roster
        } else {
            Spot::Month
        };
        if generate || show_roster || mark || export.is_some() {
            let text = t!(
                lang,
                "allow-bad_month",
                value = app.records.allowances.month.clone()
            );
            tell(app, at, Level::Error, text);
        }
        return;
    };
    if show_roster {
        app.records.allowances.roster = app
            .call(|store, s| rec::allowances::roster(store, s, month, None))
            .ok();
    }
    if generate {
        start_generate(app, month);
    }
    if mark {
        let st = &app.records.allowances;
        let result = parse_date(&t!(lang, "allow-paid_on"), &st.paid_on).and_then(|on| {
            let pay_ref = opt(&st.pay_ref);
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::allowances::mark_paid(store, s, month, None, on, pay_ref.as_deref())
            })
        });
        match result {
            Ok(n) => {
                tell(
                    app,
                    Spot::Roster,
                    Level::Success,
                    t!(lang, "allow-marked", n = n),
                );
                app.records.allowances.loaded = false;
            }
            Err(e) => tell(app, Spot::Roster, Level::Error, e),
        }
    }
    if let Some(format) = export {
        let st = &app.records.allowances;
        let ids = if st.full_ids {
            IdDisplay::Full
        } else {
            IdDisplay::Masked
        };
        // Refuse a full-ID copy without its purpose (or, for XLSX, its
        // passphrase) before asking for a file.
        if let Err(e) = al::check_full_id_reason(ids, &st.full_reason) {
            tell(app, Spot::Roster, Level::Error, e.to_string());
            return;
        }
        if ids == IdDisplay::Full
            && format == Format::Xlsx
            && let Err(e) = hutong_core::sealed::check_passphrase(&st.passphrase)
        {
            tell(app, Spot::Roster, Level::Error, e.to_string());
            return;
        }
        if st.roster.as_ref().is_none_or(|r| r.rows.is_empty()) {
            let text = t!(lang, "allow-roster-empty", month = month_label(lang, month));
            tell(app, Spot::Roster, Level::Error, text);
            return;
        }
        let st = &mut app.records.allowances;
        let (ext, label) = match format {
            Format::Pdf => ("pdf", t!(lang, "allow-filter-pdf")),
            Format::Xlsx => ("xlsx", t!(lang, "allow-filter-xlsx")),
        };
        let request = DialogRequest::new(DialogKind::SaveFile, t!(lang, "allow-save_dialog"))
            .filter(&label, &[ext])
            .file_name(t!(
                lang,
                "allow-roster_file",
                month = month.to_string(),
                ext = ext
            ));
        let reason = st.full_reason.clone();
        st.dialog = Some((
            format,
            ids,
            reason,
            super::super::ask_dialog(app.platform.dialogs.clone(), request),
        ));
    }
}

fn ledger_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut load = false;
    let lang = app.lang;
    {
        let HutongApp {
            store,
            records,
            session,
            ..
        } = &mut *app;
        let st = &mut records.allowances;
        section(ui, &t!(lang, "allow-ledger-title"), |ui| {
            form_grid("al-ledger-pick", ui, |ui| {
                child_row(ui, store, session.as_ref(), &mut st.child);
            });
            if st.child.id().is_some() && st.ledger.as_ref().map(|l| l.child) != st.child.id() {
                load = true;
            }
            let Some(l) = &st.ledger else {
                return;
            };
            if l.windows.is_empty() {
                ui.weak(t!(lang, "allow-ledger-no_window"));
            }
            for w in &l.windows {
                ui.label(t!(
                    lang,
                    "allow-ledger-window",
                    category = category_label(lang, w.category),
                    confirmed = w.confirmed.to_string(),
                    first = month_label(lang, w.first),
                    end = w.end.to_string(),
                    last = month_label(lang, w.last),
                    stop = month_label(lang, w.last.next())
                ));
            }
            egui::Grid::new("al-ledger")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in [
                        "allow-col-month",
                        "allow-category",
                        "allow-col-amount",
                        "allow-col-status",
                        "allow-paid_on",
                    ] {
                        ui.strong(t!(lang, h));
                    }
                    ui.end_row();
                    for p in &l.payments {
                        ui.label(p.month.to_string());
                        ui.label(category_label(lang, p.category));
                        ui.label(format_yuan(p.amount_cents));
                        ui.label(status_label(lang, p.status));
                        ui.label(p.paid_on.map(|d| d.to_string()).unwrap_or_default());
                        ui.end_row();
                    }
                });
            if l.payments.is_empty() {
                ui.weak(t!(lang, "allow-ledger-empty"));
            }
        });
    }
    if load && let Some(id) = app.records.allowances.child.id() {
        app.records.allowances.ledger = app
            .call(|store, s| rec::allowances::ledger(store, s, id))
            .ok();
    }
}

fn grants_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut save = false;
    let mut open = None;
    let mut void = false;
    let mut edit = false;
    let lang = app.lang;
    {
        let HutongApp {
            store,
            records,
            session,
            notices,
            ..
        } = &mut *app;
        let st = &mut records.allowances;
        let spot = st.spot();
        section(ui, &t!(lang, "allow-grants-title"), |ui| {
            if ui.button(t!(lang, "allow-grant-add")).clicked() {
                st.grant_form = Some(GrantForm {
                    editing: None,
                    child: st.child.clone(),
                    programme: Programme::TomorrowPlan,
                    on: super::today().to_string(),
                    item: String::new(),
                    amount: String::new(),
                    provider: String::new(),
                    note: String::new(),
                });
            }
            egui::Grid::new("al-grants")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    for h in [
                        t!(lang, "allow-col-date"),
                        t!(lang, "allow-col-programme"),
                        t!(lang, "allow-col-child"),
                        t!(lang, "allow-col-item"),
                        t!(lang, "allow-col-amount"),
                        String::new(),
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for (i, (g, name)) in st.grants.iter().enumerate() {
                        ui.label(g.granted_on.to_string());
                        ui.label(programme_label(lang, g.programme));
                        ui.label(name);
                        ui.label(&g.item);
                        ui.label(g.amount_cents.map(format_yuan).unwrap_or_default());
                        if ui.small_button(t!(lang, "allow-view")).clicked() {
                            open = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if let Some(f) = st.grant_form.as_mut() {
                ui.separator();
                ui.horizontal(|ui| {
                    for p in [Programme::FucaiDream, Programme::TomorrowPlan] {
                        ui.radio_value(&mut f.programme, p, programme_label(lang, p));
                    }
                });
                form_grid("al-grant-form", ui, |ui| {
                    if f.editing.is_none() {
                        child_row(ui, store, session.as_ref(), &mut f.child);
                    }
                    text_row(ui, &t!(lang, "allow-grant-on"), &mut f.on);
                    text_row(ui, &t!(lang, "allow-grant-item"), &mut f.item);
                    text_row(ui, &t!(lang, "allow-grant-amount"), &mut f.amount);
                    text_row(ui, &t!(lang, "allow-grant-provider"), &mut f.provider);
                    text_row(ui, &t!(lang, "allow-note"), &mut f.note);
                });
                save = ui.button(t!(lang, "allow-grant-save")).clicked();
            }
            if let Some((g, name, history, reason)) = st.grant_selected.as_mut() {
                ui.separator();
                ui.strong(t!(
                    lang,
                    "allow-grant-title",
                    programme = programme_label(lang, g.programme),
                    name = name.as_str(),
                    item = g.item.as_str()
                ));
                ui.horizontal(|ui| {
                    edit = ui.button(t!(lang, "allow-edit")).clicked();
                    let l = ui.label(t!(lang, "allow-void_reason"));
                    ui.add(egui::TextEdit::singleline(reason).desired_width(200.0))
                        .labelled_by(l.id);
                    void = ui.button(t!(lang, "allow-void")).clicked();
                });
                history_ui(ui, &t!(lang, "allow-grant-history"), history);
            }
            notice_here(ui, notices, spot, Spot::Grants);
        });
    }
    let st = &mut app.records.allowances;
    if let Some(i) = open {
        let (g, name) = st.grants[i].clone();
        let h = load_history(app, "grants", g.id);
        app.records.allowances.grant_selected = Some((g, name, h, String::new()));
    }
    let st = &mut app.records.allowances;
    if edit && let Some((g, name, _, _)) = &st.grant_selected {
        st.grant_form = Some(GrantForm {
            editing: Some(g.id),
            child: ChildPick::chosen(g.child_id, name),
            programme: g.programme,
            on: g.granted_on.to_string(),
            item: g.item.clone(),
            amount: g.amount_cents.map(format_yuan).unwrap_or_default(),
            provider: g.provider.clone().unwrap_or_default(),
            note: g.note.clone().unwrap_or_default(),
        });
    }
    if void && let Some((g, _, _, reason)) = &app.records.allowances.grant_selected {
        let (id, reason) = (g.id, reason.clone());
        let result = app.call(|store, s| rec::allowances::void_grant(store, s, id, &reason));
        match result {
            Ok(()) => {
                let st = &mut app.records.allowances;
                st.grant_selected = None;
                st.loaded = false;
                tell(
                    app,
                    Spot::Grants,
                    Level::Success,
                    t!(lang, "allow-grant-voided"),
                );
            }
            Err(e) => tell(app, Spot::Grants, Level::Error, e),
        }
    }
    if save && let Some(f) = &app.records.allowances.grant_form {
        let result = (|| {
            let input = GrantInput {
                child_id: f.child.require()?,
                programme: f.programme,
                granted_on: parse_date(&t!(lang, "allow-grant-on"), &f.on)?,
                item: f.item.clone(),
                amount_cents: parse_opt_yuan(&t!(lang, "allow-grant-amount_field"), &f.amount)?,
                provider: opt(&f.provider),
                note: opt(&f.note),
            };
            let editing = f.editing;
            serve(
                &mut app.store,
                app.session.as_ref(),
                |store, s| match editing {
                    Some(id) => rec::allowances::update_grant(store, s, id, &input),
                    None => rec::allowances::add_grant(store, s, &input),
                },
            )
        })();
        match result {
            Ok(g) => {
                let st = &mut app.records.allowances;
                st.grant_form = None;
                st.grant_selected = None;
                st.loaded = false;
                let text = t!(
                    lang,
                    "allow-grant-saved",
                    programme = programme_label(lang, g.programme)
                );
                tell(app, Spot::Grants, Level::Success, text);
            }
            Err(e) => tell(app, Spot::Grants, Level::Error, e),
        }
    }
}

/// Generates the month's payments on a job; the outcome shows under the
/// month's buttons and the tab reloads.
fn start_generate(app: &mut HutongApp, month: YearMonth) {
    let db = app.store.database();
    let session = app.session.clone();
    let signed_out = t!(app.lang, "allow-signed_out");
    let title = t!(app.lang, "allow-job-generate");
    app.jobs.start(
        JobName::AllowanceGenerate,
        title,
        move |_| {
            let session = session.ok_or(signed_out)?;
            let mut store = db.open()?;
            Ok(rec::allowances::generate(&mut store, &session, month)?)
        },
        |app: &mut HutongApp, outcome: Outcome<al::GenerateSummary>| {
            let lang = app.lang;
            let (level, text) = match outcome {
                Outcome::Finished(s) => {
                    let missing: Vec<&str> = s
                        .missing_standard
                        .iter()
                        .map(|c| category_label(lang, *c))
                        .collect();
                    let (level, key) = if missing.is_empty() {
                        (Level::Success, "allow-generated")
                    } else {
                        (Level::Warning, "allow-generated_missing")
                    };
                    let text = t!(
                        lang,
                        key,
                        month = s.month.clone(),
                        created = s.created,
                        already = s.already,
                        total = format_yuan(s.total_cents),
                        missing = missing.join(&t!(lang, "list-separator"))
                    );
                    (level, text)
                }
                Outcome::Failed(e) => (Level::Error, t!(lang, "allow-generate_failed", error = e)),
                Outcome::Cancelled => (Level::Error, t!(lang, "allow-cancelled")),
            };
            tell(app, Spot::Month, level, text);
            app.records.allowances.loaded = false;
        },
    );
}

/// Writes the roster to `path` on a job; the outcome shows under the
/// export buttons.
fn start_export(
    app: &mut HutongApp,
    roster: Roster,
    (format, ids, reason): (Format, IdDisplay, String),
    path: PathBuf,
) {
    let db = app.store.database();
    let session = app.session.clone();
    let passphrase = app.records.allowances.passphrase.clone();
    let signed_out = t!(app.lang, "allow-signed_out");
    let title = t!(app.lang, "allow-job-export");
    app.jobs.start(
        JobName::AllowanceExport,
        title,
        move |_| {
            let session = session.ok_or(signed_out)?;
            let mut store = db.open()?;
            let export = rec::allowances::RosterExport {
                format,
                ids,
                reason: &reason,
                passphrase: Some(&passphrase),
                today: super::today(),
            };
            let done = rec::allowances::export_roster(
                &mut store,
                &session,
                &roster,
                &export,
                super::fonts(),
                &path,
            )?;
            Ok(done.path)
        },
        |app: &mut HutongApp, outcome: Outcome<PathBuf>| {
            let lang = app.lang;
            let (level, text) = match outcome {
                Outcome::Finished(p) => (
                    Level::Success,
                    t!(lang, "allow-exported", path = p.display().to_string()),
                ),
                Outcome::Failed(e) => (Level::Error, t!(lang, "allow-export_failed", error = e)),
                Outcome::Cancelled => (Level::Error, t!(lang, "allow-cancelled")),
            };
            tell(app, Spot::Roster, level, text);
        },
    );
}

/// Collects the roster's file-dialog answer and starts the export (the
/// jobs complete through `app.jobs`).
pub fn poll(app: &mut HutongApp) {
    let st = &mut app.records.allowances;
    if let Some((format, ids, reason, rx)) = &st.dialog
        && let Ok(answer) = rx.try_recv()
    {
        let choice = (*format, *ids, reason.clone());
        st.dialog = None;
        let lang = app.lang;
        match (answer, app.records.allowances.roster.clone()) {
            (None, _) => tell(app, Spot::Roster, Level::Error, t!(lang, "allow-cancelled")),
            (Some(_), None) => tell(app, Spot::Roster, Level::Error, t!(lang, "allow-no_roster")),
            (Some(path), Some(roster)) => start_export(app, roster, choice, path),
        }
    }
}
