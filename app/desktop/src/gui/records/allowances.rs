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
use crate::gui::jobs::{self, Job, Outcome};
use crate::gui::{HutongApp, serve, status_message};
use crate::platform::{DialogKind, DialogRequest};
use eframe::egui;
use hutong_core::RowId;
use hutong_core::allowances::{
    self as al, ALLOWANCE_CATEGORIES, Grant, GrantInput, IdDisplay, Programme, Roster, Standard,
    YearMonth, format_yuan,
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
    generate_job: Option<Job<al::GenerateSummary>>,
    dialog: Option<(Format, IdDisplay, String, Receiver<Option<PathBuf>>)>,
    export_job: Option<Job<PathBuf>>,
    child: ChildPick,
    ledger: Option<Ledger>,
    grants: Vec<(Grant, String)>,
    grant_form: Option<GrantForm>,
    grant_selected: Option<(Grant, String, Vec<AuditEntry>, String)>,
    message: Option<(bool, String)>,
}

impl State {
    pub fn busy(&self) -> bool {
        self.generate_job.is_some() || self.dialog.is_some() || self.export_job.is_some()
    }

    pub fn pick_child(&mut self, child: ChildPick) {
        self.child = child;
        self.ledger = None;
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

fn reload(app: &mut HutongApp) {
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
    let st = &mut app.records.allowances;
    match standards {
        Ok(s) => st.standards = s,
        Err(e) => st.message = Some((false, format!("读取标准失败：{e}"))),
    }
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
    status_message(ui, app.records.allowances.message.as_ref());
    standards_ui(app, ui);
    month_ui(app, ui);
    ledger_ui(app, ui);
    grants_ui(app, ui);
}

fn standards_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut add = false;
    let mut open = None;
    let mut save_edit = false;
    {
        let st = &mut app.records.allowances;
        section(ui, "县级保障标准（元/人·月）", |ui| {
            egui::Grid::new("al-standards")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in ["类别", "标准（元）", "执行起始", "依据", ""] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for (i, s) in st.standards.iter().enumerate() {
                        ui.label(s.category.label_zh());
                        ui.label(format_yuan(s.amount_cents));
                        ui.label(s.effective_from.to_string());
                        ui.label(format!(
                            "{}{}",
                            s.basis,
                            if s.active { "" } else { "（已作废）" }
                        ));
                        if ui.small_button("修改").clicked() {
                            open = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if st.standards.is_empty() {
                ui.colored_label(crate::gui::theme::ERROR, "尚未设定保障标准：发放前请先设定");
            }
            let f = &mut st.std_form;
            ui.horizontal(|ui| {
                ui.label("类别");
                for c in ALLOWANCE_CATEGORIES {
                    ui.radio_value(&mut f.category, c, c.label_zh());
                }
            });
            form_grid("al-std-form", ui, |ui| {
                text_row(ui, "标准金额（元）", &mut f.amount);
                text_row(ui, "执行起始日期", &mut f.from);
                text_row(ui, "标准依据", &mut f.basis);
            });
            add = ui.button("设定标准").clicked();
            if let Some((s, history, amount, basis)) = st.std_selected.as_mut() {
                ui.separator();
                ui.strong(format!(
                    "修改标准：{}（{}起）",
                    s.category.label_zh(),
                    s.effective_from
                ));
                form_grid("al-std-edit", ui, |ui| {
                    text_row(ui, "新标准金额（元）", amount);
                    text_row(ui, "新标准依据", basis);
                });
                save_edit = ui.button("保存修改").clicked();
                history_ui(ui, "标准修改历史", history);
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
            let amount = al::parse_yuan("标准金额", &f.amount).map_err(|e| e.to_string())?;
            let from = parse_date("执行起始日期", &f.from)?;
            let (category, basis) = (f.category, f.basis.clone());
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::allowances::set_standard(store, s, category, amount, from, &basis)
            })
        })();
        let st = &mut app.records.allowances;
        match result {
            Ok(s) => {
                st.message = Some((
                    true,
                    format!(
                        "已设定{}标准 {} 元",
                        s.category.label_zh(),
                        format_yuan(s.amount_cents)
                    ),
                ));
                st.std_form = StdForm::default();
                st.loaded = false;
            }
            Err(e) => st.message = Some((false, e)),
        }
    }
    if save_edit && let Some((s, _, amount, basis)) = &app.records.allowances.std_selected {
        let (id, basis) = (s.id, basis.clone());
        let result = al::parse_yuan("标准金额", amount)
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
                st.message = Some((true, "已修改标准".into()));
                st.loaded = false;
            }
            Err(e) => app.records.allowances.message = Some((false, e)),
        }
    }
}

fn month_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut generate = false;
    let mut show_roster = false;
    let mut mark = false;
    let mut export = None;
    {
        let st = &mut app.records.allowances;
        section(ui, "月度发放与花名册", |ui| {
            form_grid("al-month", ui, |ui| {
                text_row(ui, "发放月份", &mut st.month);
            });
            ui.horizontal(|ui| {
                let idle = st.generate_job.is_none();
                generate = ui
                    .add_enabled(idle, egui::Button::new("生成本月发放记录"))
                    .clicked();
                show_roster = ui.button("显示花名册").clicked();
            });
            if let Some(job) = &st.generate_job {
                job.show(ui, "取消");
            }
            let Some(roster) = &st.roster else {
                return;
            };
            ui.label(format!(
                "{}：{} 人，合计 {} 元",
                roster.month.label_zh(),
                roster.rows.len(),
                format_yuan(roster.total_cents)
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
                                "姓名",
                                "身份证号",
                                "乡镇（街道）",
                                "村（居）",
                                "类别",
                                "金额（元）",
                                "状态",
                            ] {
                                ui.strong(h);
                            }
                            ui.end_row();
                            for r in &roster.rows {
                                ui.label(&r.child_name);
                                ui.monospace(id_number::mask(&r.id_number));
                                ui.label(&r.township_name);
                                ui.label(&r.village_name);
                                ui.label(r.payment.category.label_zh());
                                ui.label(format_yuan(r.payment.amount_cents));
                                ui.label(r.payment.status.label_zh());
                                ui.end_row();
                            }
                        });
                });
            form_grid("al-paid", ui, |ui| {
                text_row(ui, "发放日期", &mut st.paid_on);
                text_row(ui, "发放批次号", &mut st.pay_ref);
            });
            mark = ui.button("本月待发放全部标记为已发放").clicked();
            ui.separator();
            ui.checkbox(
                &mut st.full_ids,
                "正式报送件：显示完整身份证号（须填写用途，记入审计日志）",
            );
            if st.full_ids {
                form_grid("al-full", ui, |ui| {
                    text_row(ui, "完整身份证号用途", &mut st.full_reason);
                    let l = ui.label("XLSX 加密口令");
                    ui.add(egui::TextEdit::singleline(&mut *st.passphrase).password(true))
                        .labelled_by(l.id);
                    ui.end_row();
                });
                ui.weak(
                    "含完整身份证号的 XLSX 将用口令加密（AES-256 ZIP）；PDF 供打印盖章，不加密",
                );
            }
            let idle = st.export_job.is_none() && st.dialog.is_none();
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(idle, egui::Button::new("导出花名册 PDF…"))
                    .clicked()
                {
                    export = Some(Format::Pdf);
                }
                if ui
                    .add_enabled(idle, egui::Button::new("导出花名册 XLSX…"))
                    .clicked()
                {
                    export = Some(Format::Xlsx);
                }
            });
            if let Some(job) = &st.export_job {
                job.show(ui, "取消");
            }
        });
    }
    let month = YearMonth::parse(&app.records.allowances.month);
    let Some(month) = month else {
        if generate || show_roster || mark || export.is_some() {
            app.records.allowances.message = Some((
                false,
                format!(
                    "字段“发放月份”：“{}”不是有效的月份，应为 YYYY-MM",
                    app.records.allowances.month
                ),
            ));
        }
        return;
    };
    if show_roster {
        app.records.allowances.roster = app
            .call(|store, s| rec::allowances::roster(store, s, month, None))
            .ok();
    }
    if generate {
        let db = app.store.database();
        let session = app.session.clone();
        app.records.allowances.generate_job = Some(jobs::spawn("生成发放记录", move |_| {
            let session = session.ok_or_else(|| "未登录".to_string())?;
            let mut store = db.open().map_err(|e| e.to_string())?;
            rec::allowances::generate(&mut store, &session, month).map_err(|e| e.to_string())
        }));
    }
    if mark {
        let st = &app.records.allowances;
        let result = parse_date("发放日期", &st.paid_on).and_then(|on| {
            let pay_ref = opt(&st.pay_ref);
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::allowances::mark_paid(store, s, month, None, on, pay_ref.as_deref())
            })
        });
        let st = &mut app.records.allowances;
        match result {
            Ok(n) => {
                st.message = Some((true, format!("已标记 {n} 条为已发放")));
                st.loaded = false;
            }
            Err(e) => st.message = Some((false, e)),
        }
    }
    if let Some(format) = export {
        let st = &mut app.records.allowances;
        let ids = if st.full_ids {
            IdDisplay::Full
        } else {
            IdDisplay::Masked
        };
        // Refuse a full-ID copy without its purpose (or, for XLSX, its
        // passphrase) before asking for a file.
        if let Err(e) = al::check_full_id_reason(ids, &st.full_reason) {
            st.message = Some((false, e.to_string()));
            return;
        }
        if ids == IdDisplay::Full
            && format == Format::Xlsx
            && let Err(e) = hutong_core::sealed::check_passphrase(&st.passphrase)
        {
            st.message = Some((false, e.to_string()));
            return;
        }
        if st.roster.as_ref().is_none_or(|r| r.rows.is_empty()) {
            st.message = Some((
                false,
                format!("{}没有发放记录：请先生成本月发放记录", month.label_zh()),
            ));
            return;
        }
        let (ext, label) = match format {
            Format::Pdf => ("pdf", "PDF 文件"),
            Format::Xlsx => ("xlsx", "Excel 工作簿"),
        };
        let request = DialogRequest::new(DialogKind::SaveFile, "保存发放花名册")
            .filter(label, &[ext])
            .file_name(format!("基本生活费发放花名册-{month}.{ext}"));
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
    {
        let HutongApp {
            store,
            records,
            session,
            ..
        } = &mut *app;
        let st = &mut records.allowances;
        section(ui, "儿童发放台账", |ui| {
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
                ui.weak("该儿童没有发放基本生活费的类别（孤儿、事实无人抚养儿童等）");
            }
            for w in &l.windows {
                ui.label(format!(
                    "{}：{}认定，{}起发放；类别至{}终止，末次发放 {}，{}起停发",
                    w.category.label_zh(),
                    w.confirmed,
                    w.first.label_zh(),
                    w.end,
                    w.last.label_zh(),
                    w.last.next().label_zh()
                ));
            }
            egui::Grid::new("al-ledger")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in ["月份", "类别", "金额（元）", "状态", "发放日期"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for p in &l.payments {
                        ui.label(p.month.to_string());
                        ui.label(p.category.label_zh());
                        ui.label(format_yuan(p.amount_cents));
                        ui.label(p.status.label_zh());
                        ui.label(p.paid_on.map(|d| d.to_string()).unwrap_or_default());
                        ui.end_row();
                    }
                });
            if l.payments.is_empty() {
                ui.weak("台账中还没有发放记录：在上方生成月度发放记录");
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
    {
        let HutongApp {
            store,
            records,
            session,
            ..
        } = &mut *app;
        let st = &mut records.allowances;
        section(ui, "福彩圆梦 · 明天计划", |ui| {
            if ui.button("＋ 登记资助").clicked() {
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
                    for h in ["日期", "项目", "儿童", "内容", "金额（元）", ""] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for (i, (g, name)) in st.grants.iter().enumerate() {
                        ui.label(g.granted_on.to_string());
                        ui.label(g.programme.label_zh());
                        ui.label(name);
                        ui.label(&g.item);
                        ui.label(g.amount_cents.map(format_yuan).unwrap_or_default());
                        if ui.small_button("查看").clicked() {
                            open = Some(i);
                        }
                        ui.end_row();
                    }
                });
            if let Some(f) = st.grant_form.as_mut() {
                ui.separator();
                ui.horizontal(|ui| {
                    for p in [Programme::FucaiDream, Programme::TomorrowPlan] {
                        ui.radio_value(&mut f.programme, p, p.label_zh());
                    }
                });
                form_grid("al-grant-form", ui, |ui| {
                    if f.editing.is_none() {
                        child_row(ui, store, session.as_ref(), &mut f.child);
                    }
                    text_row(ui, "资助日期", &mut f.on);
                    text_row(ui, "资助内容", &mut f.item);
                    text_row(ui, "资助金额（元）", &mut f.amount);
                    text_row(ui, "实施单位", &mut f.provider);
                    text_row(ui, "备注", &mut f.note);
                });
                save = ui.button("保存资助").clicked();
            }
            if let Some((g, name, history, reason)) = st.grant_selected.as_mut() {
                ui.separator();
                ui.strong(format!("{}：{} · {}", g.programme.label_zh(), name, g.item));
                ui.horizontal(|ui| {
                    edit = ui.button("修改").clicked();
                    let l = ui.label("作废原因");
                    ui.add(egui::TextEdit::singleline(reason).desired_width(200.0))
                        .labelled_by(l.id);
                    void = ui.button("作废").clicked();
                });
                history_ui(ui, "资助修改历史", history);
            }
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
        let st = &mut app.records.allowances;
        match result {
            Ok(()) => {
                st.message = Some((true, "已作废资助记录".into()));
                st.grant_selected = None;
                st.loaded = false;
            }
            Err(e) => st.message = Some((false, e)),
        }
    }
    if save && let Some(f) = &app.records.allowances.grant_form {
        let result = (|| {
            let input = GrantInput {
                child_id: f.child.require()?,
                programme: f.programme,
                granted_on: parse_date("资助日期", &f.on)?,
                item: f.item.clone(),
                amount_cents: parse_opt_yuan("资助金额", &f.amount)?,
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
        let st = &mut app.records.allowances;
        match result {
            Ok(g) => {
                st.message = Some((true, format!("已保存{}记录", g.programme.label_zh())));
                st.grant_form = None;
                st.grant_selected = None;
                st.loaded = false;
            }
            Err(e) => st.message = Some((false, e)),
        }
    }
}

pub fn poll(app: &mut HutongApp) {
    let st = &mut app.records.allowances;
    if let Some(job) = &st.generate_job
        && let Some(outcome) = job.poll()
    {
        st.generate_job = None;
        st.message = Some(match outcome {
            Outcome::Finished(s) => {
                let missing: Vec<&str> = s.missing_standard.iter().map(|c| c.label_zh()).collect();
                (
                    missing.is_empty(),
                    format!(
                        "{}：新生成 {} 条，已有 {} 条，合计 {} 元{}",
                        s.month,
                        s.created,
                        s.already,
                        format_yuan(s.total_cents),
                        if missing.is_empty() {
                            String::new()
                        } else {
                            format!("；以下类别没有标准，未生成：{}", missing.join("、"))
                        }
                    ),
                )
            }
            Outcome::Failed(e) => (false, format!("生成失败：{e}")),
            Outcome::Cancelled => (false, "已取消".into()),
        });
        st.loaded = false;
    }
    if let Some((format, ids, reason, rx)) = &st.dialog
        && let Ok(answer) = rx.try_recv()
    {
        let (format, ids, reason) = (*format, *ids, reason.clone());
        st.dialog = None;
        match (answer, st.roster.clone()) {
            (None, _) => st.message = Some((false, "已取消".into())),
            (Some(_), None) => st.message = Some((false, "没有花名册".into())),
            (Some(path), Some(roster)) => {
                let db = app.store.database();
                let session = app.session.clone();
                let passphrase = app.records.allowances.passphrase.clone();
                app.records.allowances.export_job =
                    Some(jobs::spawn("导出花名册", move |_| {
                        let session = session.ok_or_else(|| "未登录".to_string())?;
                        let mut store = db.open().map_err(|e| e.to_string())?;
                        let export = rec::allowances::RosterExport {
                            format,
                            ids,
                            reason: &reason,
                            passphrase: Some(&passphrase),
                            today: super::today(),
                        };
                        rec::allowances::export_roster(
                            &mut store,
                            &session,
                            &roster,
                            &export,
                            super::fonts(),
                            &path,
                        )
                        .map(|done| done.path)
                        .map_err(|e| e.to_string())
                    }));
            }
        }
    }
    let st = &mut app.records.allowances;
    if let Some(job) = &st.export_job
        && let Some(outcome) = job.poll()
    {
        st.export_job = None;
        st.message = Some(match outcome {
            Outcome::Finished(p) => (true, format!("已保存花名册 {}", p.display())),
            Outcome::Failed(e) => (false, format!("导出失败：{e}")),
            Outcome::Cancelled => (false, "已取消".into()),
        });
    }
}
