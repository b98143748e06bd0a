//! 强制报告: record, list (open / late filters), edit with history, feedback,
//! 临时监护 (未保法 第九十二条), referrals made from the report, and the
//! referral letter as a PDF (saved through the file dialog, audited).
//!
//! The reporter is confidential: the list and the detail read through the
//! core with the viewer's role, so a role that may not see the reporter gets
//! （保密） and cannot open the edit form (saving it would overwrite the
//! reporter with the redaction).

use super::{
    ChildPick, child_row, form_grid, history_ui, load_history, multi_row, opt, parse_date, role_of,
    section, text_row,
};
use crate::gui::jobs::{self, Job, Outcome};
use crate::gui::{HutongApp, serve, status_message};
use crate::platform::{DialogKind, DialogRequest};
use eframe::egui;
use hutong_core::RowId;
use hutong_core::audit::AuditEntry;
use hutong_core::mandatory_reports::{
    self as mr, Channel, MandatoryReport, ReportRow, ReportStatus, Reporter, Situation,
    TemporaryCustody,
};
use hutong_core::services::{Referral, ReferralInput};
use hutong_services::records as rec;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

#[derive(Default)]
pub struct State {
    open_only: bool,
    late_only: bool,
    include_voided: bool,
    rows: Vec<ReportRow>,
    loaded: bool,
    form: Option<Form>,
    selected: Option<Detail>,
    message: Option<(bool, String)>,
    dialog: Option<(RowId, Receiver<Option<PathBuf>>)>,
    letter_job: Option<Job<(PathBuf, usize)>>,
}

impl State {
    pub fn busy(&self) -> bool {
        self.dialog.is_some() || self.letter_job.is_some()
    }

    pub fn new_form(&mut self, child: ChildPick) {
        self.form = Some(Form {
            child,
            ..Form::blank()
        });
        self.selected = None;
    }
}

/// The create / edit form, as typed.
struct Form {
    editing: Option<RowId>,
    child: ChildPick,
    situations: BTreeSet<Situation>,
    reporter_unit: String,
    reporter_role: String,
    reporter_contact: String,
    found_at: String,
    reported_at: String,
    channel: Channel,
    agency: String,
    receipt: String,
    perpetrator: String,
    safety: String,
    reason: String,
}

impl Form {
    /// Times start empty: a guessed "now" would too easily be saved as the
    /// time the harm was found, and the statutory clock depends on it.
    fn blank() -> Self {
        Form {
            editing: None,
            child: ChildPick::default(),
            situations: BTreeSet::new(),
            reporter_unit: String::new(),
            reporter_role: String::new(),
            reporter_contact: String::new(),
            found_at: String::new(),
            reported_at: String::new(),
            channel: Channel::Police,
            agency: String::new(),
            receipt: String::new(),
            perpetrator: String::new(),
            safety: String::new(),
            reason: String::new(),
        }
    }

    fn of(r: &MandatoryReport, child_name: &str) -> Self {
        Form {
            editing: Some(r.id),
            child: ChildPick::chosen(r.child_id, child_name),
            situations: r.situations.iter().copied().collect(),
            reporter_unit: r.reporter.unit.clone(),
            reporter_role: r.reporter.role.clone(),
            reporter_contact: r.reporter.contact.clone().unwrap_or_default(),
            found_at: r.found_at.format("%Y-%m-%d %H:%M").to_string(),
            reported_at: r.reported_at.format("%Y-%m-%d %H:%M").to_string(),
            channel: r.channel,
            agency: r.receiving_agency.clone(),
            receipt: r.receipt_no.clone().unwrap_or_default(),
            perpetrator: r.perpetrator_relation.clone().unwrap_or_default(),
            safety: r.safety_action.clone().unwrap_or_default(),
            reason: String::new(),
        }
    }

    fn input(&self) -> Result<mr::ReportInput, String> {
        let child_id = self.child.require()?;
        let err = |e: hutong_core::CoreError| e.to_string();
        Ok(mr::ReportInput {
            child_id,
            situations: self.situations.iter().copied().collect(),
            reporter: Reporter {
                unit: self.reporter_unit.clone(),
                role: self.reporter_role.clone(),
                contact: opt(&self.reporter_contact),
            },
            found_at: mr::parse_time("发现时间", &self.found_at).map_err(err)?,
            reported_at: mr::parse_time("报告时间", &self.reported_at).map_err(err)?,
            channel: self.channel,
            receiving_agency: self.agency.clone(),
            receipt_no: opt(&self.receipt),
            perpetrator_relation: opt(&self.perpetrator),
            safety_action: opt(&self.safety),
        })
    }
}

/// The selected report with what hangs off it.
struct Detail {
    report: MandatoryReport,
    child_name: String,
    history: Vec<AuditEntry>,
    referrals: Vec<Referral>,
    feedback: String,
    feedback_on: String,
    custody_agency: String,
    custody_from: String,
    custody_clause: u8,
    refer_department: String,
    refer_reason: String,
    refer_on: String,
    void_reason: String,
    letter_no: String,
}

fn detail(app: &mut HutongApp, report: MandatoryReport, child_name: String) -> Detail {
    let today = super::today().to_string();
    Detail {
        history: load_history(app, "mandatory_reports", report.id),
        referrals: app
            .call(|store, s| rec::mreport::referrals(store, s, report.id))
            .unwrap_or_default(),
        feedback: String::new(),
        feedback_on: today.clone(),
        custody_agency: "县民政局（未成年人救助保护中心）".into(),
        custody_from: today.clone(),
        custody_clause: 6,
        refer_department: report.receiving_agency.clone(),
        refer_reason: String::new(),
        refer_on: today,
        void_reason: String::new(),
        letter_no: String::new(),
        report,
        child_name,
    }
}

fn reload(app: &mut HutongApp) {
    let st = &app.records.mreport;
    let f = rec::mreport::Filter {
        division: None,
        open_only: st.open_only,
        late_only: st.late_only,
        include_voided: st.include_voided,
    };
    let rows = app.call(|store, s| rec::mreport::list(store, s, &f));
    let st = &mut app.records.mreport;
    match rows {
        Ok(rows) => st.rows = rows,
        Err(e) => st.message = Some((false, format!("读取强制报告失败：{e}"))),
    }
    st.loaded = true;
    // Refresh the open detail (after a write).
    if let Some((id, name)) = st
        .selected
        .as_ref()
        .map(|d| (d.report.id, d.child_name.clone()))
        && let Ok(r) = app.call(|store, s| rec::mreport::get(store, s, id))
    {
        let d = detail(app, r, name);
        app.records.mreport.selected = Some(d);
    }
}

/// The late flag: how long after finding, and that it exceeds the clock.
pub(crate) fn late_text(r: &MandatoryReport) -> String {
    format!(
        "⚠ 迟报：发现后 {} 才报告（超过 {} 小时）",
        r.delay_zh(),
        mr::REPORT_DEADLINE_HOURS
    )
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.mreport.loaded {
        reload(app);
    }
    let role = role_of(app);
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.horizontal(|ui| {
        let st = &mut app.records.mreport;
        let mut changed = false;
        changed |= ui.checkbox(&mut st.open_only, t("rec.open_only")).changed();
        changed |= ui.checkbox(&mut st.late_only, t("rec.late_only")).changed();
        changed |= ui
            .checkbox(&mut st.include_voided, t("rec.with_voided"))
            .changed();
        if changed {
            st.loaded = false;
        }
        if ui.button(t("rec.new_report")).clicked() {
            st.new_form(ChildPick::default());
        }
    });
    if !mr::can_see_reporter(role) {
        ui.weak("报告人信息依法保密：您的角色只能看到“（保密）”。");
    }
    status_message(ui, app.records.mreport.message.as_ref());
    if let Some(job) = &app.records.mreport.letter_job {
        job.show(ui, "取消");
    }
    summary(ui, &app.records.mreport.rows);
    list(app, ui);
    if app.records.mreport.form.is_some() {
        form(app, ui);
    }
    if app.records.mreport.selected.is_some() {
        detail_ui(app, ui);
    }
}

/// The report of this record type: counts by status and lateness.
fn summary(ui: &mut egui::Ui, rows: &[ReportRow]) {
    let open = rows
        .iter()
        .filter(|r| r.report.status == ReportStatus::Open)
        .count();
    let late = rows.iter().filter(|r| r.late).count();
    ui.horizontal(|ui| {
        ui.label(format!("共 {} 件", rows.len()));
        ui.label(format!("待反馈 {open} 件"));
        ui.colored_label(crate::gui::theme::ERROR, format!("迟报 {late} 件"));
    });
}

fn list(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut open = None;
    egui::Grid::new("mreport-list")
        .striped(true)
        .num_columns(8)
        .spacing([14.0, 4.0])
        .show(ui, |ui| {
            for h in [
                "儿童",
                "村（居）",
                "情形",
                "发现时间",
                "报告时间",
                "报告人",
                "状态",
                "",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for (i, r) in app.records.mreport.rows.iter().enumerate() {
                ui.label(&r.child_name);
                ui.label(&r.village_name);
                let codes: Vec<&str> = r.report.situations.iter().map(|s| s.short_zh()).collect();
                ui.label(codes.join("、"));
                ui.label(r.report.found_at.format("%Y-%m-%d %H:%M").to_string());
                ui.horizontal(|ui| {
                    ui.label(r.report.reported_at.format("%Y-%m-%d %H:%M").to_string());
                    if r.late {
                        ui.colored_label(crate::gui::theme::ERROR, "迟报");
                    }
                });
                ui.label(&r.report.reporter.unit);
                ui.label(r.report.status.label_zh());
                if ui.small_button(format!("查看 #{}", i + 1)).clicked() {
                    open = Some(i);
                }
                ui.end_row();
            }
        });
    if app.records.mreport.rows.is_empty() {
        ui.weak("没有符合条件的强制报告");
    }
    if let Some(i) = open {
        let row = app.records.mreport.rows[i].clone();
        let d = detail(app, row.report, row.child_name);
        app.records.mreport.selected = Some(d);
        app.records.mreport.form = None;
    }
}

fn form(app: &mut HutongApp, ui: &mut egui::Ui) {
    let HutongApp {
        store,
        records,
        session,
        ..
    } = app;
    let st = &mut records.mreport;
    let Some(f) = st.form.as_mut() else { return };
    let mut save = false;
    let mut cancel = false;
    let title = if f.editing.is_some() {
        "修改强制报告"
    } else {
        "登记强制报告"
    };
    section(ui, title, |ui| {
        form_grid("mreport-form", ui, |ui| {
            if f.editing.is_some() {
                ui.label("儿童");
                ui.strong(f.child.chosen.as_ref().map(|c| c.1.as_str()).unwrap_or(""));
                ui.end_row();
            } else {
                child_row(ui, store, session.as_ref(), &mut f.child);
            }
            ui.label("报告情形");
            ui.vertical(|ui| {
                for s in Situation::ALL {
                    let mut on = f.situations.contains(&s);
                    if ui.checkbox(&mut on, s.label_zh()).changed() {
                        if on {
                            f.situations.insert(s);
                        } else {
                            f.situations.remove(&s);
                        }
                    }
                }
            });
            ui.end_row();
            text_row(ui, "报告人单位", &mut f.reporter_unit);
            text_row(ui, "报告人身份", &mut f.reporter_role);
            text_row(ui, "报告人联系方式", &mut f.reporter_contact);
            super::hint_row(ui, "发现时间", &mut f.found_at, "YYYY-MM-DD HH:MM");
            super::hint_row(ui, "报告时间", &mut f.reported_at, "YYYY-MM-DD HH:MM");
            let l = ui.label("报告渠道");
            egui::ComboBox::from_id_salt("mreport-channel")
                .selected_text(f.channel.label_zh())
                .show_ui(ui, |ui| {
                    for c in Channel::ALL {
                        ui.selectable_value(&mut f.channel, c, c.label_zh());
                    }
                })
                .response
                .labelled_by(l.id);
            ui.end_row();
            text_row(ui, "接报机关", &mut f.agency);
            text_row(ui, "接报回执号", &mut f.receipt);
            text_row(ui, "疑似侵害人关系", &mut f.perpetrator);
            multi_row(ui, "已采取的安全措施", &mut f.safety);
            if f.editing.is_some() {
                text_row(ui, "修改原因", &mut f.reason);
            }
        });
        // The statutory clock, live while typing.
        if let (Ok(a), Ok(b)) = (
            mr::parse_time("发现时间", &f.found_at),
            mr::parse_time("报告时间", &f.reported_at),
        ) && mr::is_late(a, b)
        {
            ui.colored_label(
                crate::gui::theme::ERROR,
                format!(
                    "⚠ 将标记为迟报：发现与报告相隔超过 {} 小时",
                    mr::REPORT_DEADLINE_HOURS
                ),
            );
        }
        ui.horizontal(|ui| {
            if ui.button("保存强制报告").clicked() {
                save = true;
            }
            if ui.button("取消").clicked() {
                cancel = true;
            }
        });
    });
    if cancel {
        st.form = None;
        return;
    }
    if !save {
        return;
    }
    let st = &mut app.records.mreport;
    let Some(f) = st.form.as_ref() else { return };
    let input = match f.input() {
        Ok(i) => i,
        Err(e) => {
            st.message = Some((false, e));
            return;
        }
    };
    let editing = f.editing;
    let reason = opt(&f.reason);
    let name = f.child.chosen.clone().map(|c| c.1).unwrap_or_default();
    let result = app.call(|store, s| match editing {
        Some(id) => rec::mreport::update(store, s, id, &input, reason.as_deref()),
        None => rec::mreport::add(store, s, &input),
    });
    let st = &mut app.records.mreport;
    match result {
        Ok(r) => {
            let late = r.is_late();
            st.message = Some((
                true,
                if late {
                    format!("已保存 {name} 的强制报告（迟报）")
                } else {
                    format!("已保存 {name} 的强制报告")
                },
            ));
            st.form = None;
            st.loaded = false;
            let id = r.id;
            let shown = app
                .call(|store, s| rec::mreport::get(store, s, id))
                .unwrap_or(r);
            let d = detail(app, shown, name);
            app.records.mreport.selected = Some(d);
        }
        Err(e) => st.message = Some((false, e)),
    }
}

enum Action {
    Edit,
    Feedback,
    Custody,
    Refer,
    Void,
    Letter,
    Close,
}

fn detail_ui(app: &mut HutongApp, ui: &mut egui::Ui) {
    let role = role_of(app);
    let busy = app.records.mreport.busy();
    let Some(d) = app.records.mreport.selected.as_mut() else {
        return;
    };
    let r = &d.report;
    let mut action = None;
    section(ui, &format!("强制报告：{}", d.child_name), |ui| {
        if r.is_late() {
            ui.label(
                egui::RichText::new(late_text(r))
                    .color(crate::gui::theme::ERROR)
                    .strong()
                    .size(18.0),
            );
        } else {
            ui.colored_label(
                crate::gui::theme::SUCCESS,
                format!("及时报告：发现后 {} 报告", r.delay_zh()),
            );
        }
        form_grid("mreport-detail", ui, |ui| {
            let mut kv = |k: &str, v: String| {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            };
            kv("状态", r.status.label_zh().to_string());
            kv(
                "报告情形",
                r.situations
                    .iter()
                    .map(|s| s.label_zh())
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            kv(
                "报告人",
                format!(
                    "{}　{}　{}",
                    r.reporter.unit,
                    r.reporter.role,
                    r.reporter.contact.clone().unwrap_or_default()
                ),
            );
            kv("发现时间", r.found_at.format("%Y-%m-%d %H:%M").to_string());
            kv(
                "报告时间",
                r.reported_at.format("%Y-%m-%d %H:%M").to_string(),
            );
            kv("报告渠道", r.channel.label_zh().to_string());
            kv("接报机关", r.receiving_agency.clone());
            kv("接报回执号", dash(&r.receipt_no));
            kv("疑似侵害人关系", dash(&r.perpetrator_relation));
            kv("已采取的安全措施", dash(&r.safety_action));
            kv(
                "反馈情况",
                match (&r.feedback, r.feedback_on) {
                    (Some(f), Some(on)) => format!("{on}：{f}"),
                    _ => "尚未反馈（报告保持待反馈状态）".into(),
                },
            );
            kv(
                "临时监护",
                match &r.custody {
                    Some(c) => format!(
                        "{} 自 {} 起，未保法第九十二条{}",
                        c.agency,
                        c.from,
                        mr::custody_clause_label(c.clause).unwrap_or("")
                    ),
                    None => "未启动".into(),
                },
            );
            if let Some(v) = &r.void_reason {
                kv("作废原因", v.clone());
            }
        });
        let live = r.status != ReportStatus::Voided;
        ui.horizontal(|ui| {
            let can_edit = live && mr::can_see_reporter(role);
            if ui
                .add_enabled(can_edit, egui::Button::new("修改"))
                .on_disabled_hover_text("报告人信息保密：只有县级管理员和个案工作者可以修改")
                .clicked()
            {
                action = Some(Action::Edit);
            }
            let l = ui.label("文号");
            ui.add(egui::TextEdit::singleline(&mut d.letter_no).desired_width(160.0))
                .labelled_by(l.id);
            if ui
                .add_enabled(live && !busy, egui::Button::new("生成转介函 PDF…"))
                .clicked()
            {
                action = Some(Action::Letter);
            }
            if ui.button("关闭").clicked() {
                action = Some(Action::Close);
            }
        });
        if live && r.status == ReportStatus::Open {
            ui.separator();
            ui.strong("登记反馈（反馈后报告办结）");
            form_grid("mreport-feedback", ui, |ui| {
                multi_row(ui, "反馈情况", &mut d.feedback);
                text_row(ui, "反馈日期", &mut d.feedback_on);
            });
            if ui.button("登记反馈").clicked() {
                action = Some(Action::Feedback);
            }
        }
        if live && r.custody.is_none() {
            ui.separator();
            ui.strong("启动临时监护（未保法 第九十二条）");
            form_grid("mreport-custody", ui, |ui| {
                text_row(ui, "临时监护机构", &mut d.custody_agency);
                text_row(ui, "临时监护开始日期", &mut d.custody_from);
                let l = ui.label("第九十二条情形");
                egui::ComboBox::from_id_salt("custody-clause")
                    .width(420.0)
                    .selected_text(mr::custody_clause_label(d.custody_clause).unwrap_or(""))
                    .show_ui(ui, |ui| {
                        for c in 1..=7u8 {
                            ui.selectable_value(
                                &mut d.custody_clause,
                                c,
                                mr::custody_clause_label(c).unwrap_or(""),
                            );
                        }
                    })
                    .response
                    .labelled_by(l.id);
                ui.end_row();
            });
            if ui.button("启动临时监护").clicked() {
                action = Some(Action::Custody);
            }
        }
        ui.separator();
        ui.strong(format!("由本报告转介（{}）", d.referrals.len()));
        for f in &d.referrals {
            ui.label(format!(
                "{} → {}：{}（{}）",
                f.sent_on,
                f.department,
                f.reason,
                f.status.label_zh()
            ));
        }
        if live {
            form_grid("mreport-refer", ui, |ui| {
                text_row(ui, "转介部门", &mut d.refer_department);
                text_row(ui, "转介事由", &mut d.refer_reason);
                text_row(ui, "转介日期", &mut d.refer_on);
            });
            if ui.button("转介").clicked() {
                action = Some(Action::Refer);
            }
            ui.separator();
            ui.horizontal(|ui| {
                let l = ui.label("作废原因");
                ui.add(egui::TextEdit::singleline(&mut d.void_reason).desired_width(240.0))
                    .labelled_by(l.id);
                if ui.button("作废").clicked() {
                    action = Some(Action::Void);
                }
            });
        }
        history_ui(ui, "修改历史", &d.history);
    });
    if let Some(a) = action {
        run(app, a);
    }
}

fn dash(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}

fn run(app: &mut HutongApp, action: Action) {
    let st = &mut app.records.mreport;
    let Some(d) = st.selected.as_ref() else {
        return;
    };
    let id = d.report.id;
    let result: Result<String, String> = match action {
        Action::Close => {
            st.selected = None;
            return;
        }
        Action::Edit => {
            st.form = Some(Form::of(&d.report, &d.child_name));
            return;
        }
        Action::Letter => {
            let name = format!("强制报告转介函-{}.pdf", d.child_name);
            let request = DialogRequest::new(DialogKind::SaveFile, "保存转介函 PDF")
                .filter("PDF 文件", &["pdf"])
                .file_name(name);
            st.dialog = Some((
                id,
                super::super::ask_dialog(app.platform.dialogs.clone(), request),
            ));
            return;
        }
        Action::Feedback => parse_date("反馈日期", &d.feedback_on).and_then(|on| {
            let text = d.feedback.clone();
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::mreport::record_feedback(store, s, id, &text, on)
            })
            .map(|_| "已登记反馈，报告已办结".to_string())
        }),
        Action::Custody => parse_date("临时监护开始日期", &d.custody_from).and_then(|from| {
            let custody = TemporaryCustody {
                agency: d.custody_agency.clone(),
                from,
                clause: d.custody_clause,
            };
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::mreport::start_custody(store, s, id, &custody)
            })
            .map(|_| "已登记临时监护".to_string())
        }),
        Action::Refer => parse_date("转介日期", &d.refer_on).and_then(|sent_on| {
            let input = ReferralInput {
                child_id: d.report.child_id,
                department: d.refer_department.clone(),
                item: None,
                reason: d.refer_reason.clone(),
                sent_on,
                mreport_id: Some(id),
            };
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::services::refer(store, s, &input)
            })
            .map(|r| format!("已转介到{}", r.department))
        }),
        Action::Void => {
            let reason = d.void_reason.clone();
            serve(&mut app.store, app.session.as_ref(), |store, s| {
                rec::mreport::void(store, s, id, &reason)
            })
            .map(|_| "已作废".to_string())
        }
    };
    let st = &mut app.records.mreport;
    match result {
        Ok(m) => {
            st.message = Some((true, m));
            st.loaded = false;
            reload(app);
        }
        Err(e) => st.message = Some((false, e)),
    }
}

/// Dialog answers and the letter job.
pub fn poll(app: &mut HutongApp) {
    if let Some((id, rx)) = &app.records.mreport.dialog
        && let Ok(answer) = rx.try_recv()
    {
        let id = *id;
        app.records.mreport.dialog = None;
        match answer {
            None => app.records.mreport.message = Some((false, "已取消".into())),
            Some(path) => start_letter(app, id, path),
        }
    }
    if let Some(job) = &app.records.mreport.letter_job
        && let Some(outcome) = job.poll()
    {
        app.records.mreport.letter_job = None;
        app.records.mreport.message = Some(match outcome {
            Outcome::Finished((path, pages)) => (
                true,
                format!("已保存转介函 {}（{} 页）", path.display(), pages),
            ),
            Outcome::Failed(e) => (false, format!("转介函生成失败：{e}")),
            Outcome::Cancelled => (false, "已取消".into()),
        });
    }
}

/// Renders the letter on a job thread (its own store), writes it and audits
/// the file's hash like every other print (all in the services).
fn start_letter(app: &mut HutongApp, id: RowId, path: PathBuf) {
    let db = app.store.database();
    let session = app.session.clone();
    let letter_no = app
        .records
        .mreport
        .selected
        .as_ref()
        .and_then(|d| opt(&d.letter_no));
    app.records.mreport.letter_job = Some(jobs::spawn("生成转介函", move |p| {
        p.set_total(1);
        let session = session.ok_or_else(|| "未登录".to_string())?;
        let mut store = db.open().map_err(|e| e.to_string())?;
        let letter = rec::mreport::letter(
            &mut store,
            &session,
            id,
            letter_no,
            super::today(),
            super::fonts(),
            &path,
        )
        .map_err(|e| e.to_string())?;
        p.step();
        Ok((path, letter.pages))
    }));
}
