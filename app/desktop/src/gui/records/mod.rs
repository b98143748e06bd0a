//! 业务台账: 强制报告, services and referrals, allowances, 微心愿, psychological care and the workforce (#9).
//!
//! One module per record type; each draws its list (filterable), its form
//! (create and edit, with the field named in every error), the selected
//! record's history (who, when, old → new, read from the audit log) and its
//! report. The rules live in the core modules of the same names; this code
//! only carries values between the widgets and those services.

mod allowances;
mod care;
mod child_tab;
mod mreport;
mod services;
mod wishes;
mod workforce;

pub use child_tab::child_tab;

use super::HutongApp;
use eframe::egui;
use hutong_core::audit::AuditEntry;
use hutong_core::national::NaiveDate;
use hutong_core::users::Role;
use hutong_core::{RowId, Store};
use hutong_services::Session;
use hutong_services::records as rec;

/// The sub-tabs of 业务台账.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sub {
    #[default]
    Reports,
    Services,
    Allowances,
    Wishes,
    Care,
    Workforce,
}

impl Sub {
    const ALL: [(Sub, &'static str); 6] = [
        (Sub::Reports, "rec.tab.reports"),
        (Sub::Services, "rec.tab.services"),
        (Sub::Allowances, "rec.tab.allowances"),
        (Sub::Wishes, "rec.tab.wishes"),
        (Sub::Care, "rec.tab.care"),
        (Sub::Workforce, "rec.tab.workforce"),
    ];

    /// The permission a sub-tab needs. The allowance ledger and roster and
    /// the workforce register are the county's; the other tabs list only
    /// the children within the user's scope.
    fn action(self) -> hutong_services::Action {
        match self {
            Sub::Allowances | Sub::Workforce => hutong_services::Action::CountyLists,
            _ => hutong_services::Action::ViewCases,
        }
    }
}

#[derive(Default)]
pub struct RecordsState {
    pub sub: Sub,
    mreport: mreport::State,
    services: services::State,
    allowances: allowances::State,
    wishes: wishes::State,
    care: care::State,
    workforce: workforce::State,
    /// The child file's 服务与记录 tab, read once per child.
    child_cache: Option<child_tab::Cache>,
}

impl RecordsState {
    /// Background work (PDF and roster exports, county-wide sweeps, dialogs).
    pub fn busy(&self) -> bool {
        self.mreport.busy()
            || self.services.busy()
            || self.allowances.busy()
            || self.workforce.busy()
    }

    /// Opens a sub-tab with its form's child set (the child file's quick-add).
    pub(crate) fn quick_add(&mut self, sub: Sub, child: RowId, name: &str) {
        self.sub = sub;
        let pick = ChildPick::chosen(child, name);
        match sub {
            Sub::Reports => self.mreport.new_form(pick),
            Sub::Services => self.services.new_form(pick),
            Sub::Allowances => self.allowances.pick_child(pick),
            Sub::Wishes => self.wishes.new_form(pick),
            Sub::Care => self.care.pick_child(pick),
            Sub::Workforce => {}
        }
    }
}

/// Collects finished background work of the 业务台账 tabs. Runs every frame,
/// whatever the screen, so a job that ends after the user moved on is not
/// left running (and holding its result) until they come back.
pub fn poll(app: &mut HutongApp) {
    mreport::poll(app);
    services::poll(app);
    allowances::poll(app);
    workforce::poll(app);
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading(app.t("nav.records"));
        ui.separator();
        for (sub, key) in Sub::ALL {
            if !app.can(sub.action()) {
                continue;
            }
            let label = app.t(key);
            if ui.selectable_label(app.records.sub == sub, label).clicked() {
                app.records.sub = sub;
            }
        }
    });
    ui.separator();
    if !app.can(app.records.sub.action()) {
        if let Err(refusal) = app.require(app.records.sub.action()) {
            ui.colored_label(crate::gui::theme::ERROR, refusal);
        }
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("records-screen")
        .auto_shrink([false, false])
        .show(ui, |ui| match app.records.sub {
            Sub::Reports => mreport::show(app, ui),
            Sub::Services => services::show(app, ui),
            Sub::Allowances => allowances::show(app, ui),
            Sub::Wishes => wishes::show(app, ui),
            Sub::Care => care::show(app, ui),
            Sub::Workforce => workforce::show(app, ui),
        });
}

// ---------------------------------------------------------------- shared helpers

/// Today, local time.
pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The signed-in user's role (a signed-out app sees nothing confidential).
pub(crate) fn role_of(app: &HutongApp) -> Role {
    app.current_user().map(|u| u.role).unwrap_or(Role::Auditor)
}

/// A date typed as YYYY-MM-DD; the error names the field.
pub(crate) fn parse_date(field: &str, s: &str) -> Result<NaiveDate, String> {
    let t = s.trim().replace('/', "-");
    t.parse()
        .map_err(|_| format!("字段“{field}”：“{s}”不是有效的日期，应为 YYYY-MM-DD"))
}

/// An optional date: blank is `None`.
pub(crate) fn parse_opt_date(field: &str, s: &str) -> Result<Option<NaiveDate>, String> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, s).map(Some)
    }
}

/// Money in 元, optional: blank is `None`.
pub(crate) fn parse_opt_yuan(field: &str, s: &str) -> Result<Option<i64>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    hutong_core::allowances::parse_yuan(field, s)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Blank becomes `None`.
pub(crate) fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A labelled one-line text field in a two-column grid; the label names the
/// field for screen readers and for the UI tests.
pub(crate) fn text_row(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .add(egui::TextEdit::singleline(value).desired_width(320.0))
        .labelled_by(l.id);
    ui.end_row();
    r
}

/// A labelled one-line field with a hint of the expected format.
pub(crate) fn hint_row(ui: &mut egui::Ui, label: &str, value: &mut String, hint: &str) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(320.0),
    )
    .labelled_by(l.id);
    ui.end_row();
}

/// A labelled multi-line text field in a grid.
pub(crate) fn multi_row(ui: &mut egui::Ui, label: &str, value: &mut String) -> egui::Response {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::multiline(value)
                .desired_rows(2)
                .desired_width(320.0),
        )
        .labelled_by(l.id);
    ui.end_row();
    r
}

/// A grid for a form.
pub(crate) fn form_grid(id: &str, ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
    egui::Grid::new(id)
        .num_columns(2)
        .spacing([12.0, 6.0])
        .show(ui, add);
}

/// A framed section with a heading.
pub(crate) fn section(ui: &mut egui::Ui, title: &str, add: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.strong(title);
        add(ui);
    });
    ui.add_space(6.0);
}

/// The audit history of one record, newest first (empty signed out or
/// when the record lies outside the scope; that refusal is audited).
pub(crate) fn load_history(app: &mut HutongApp, entity: &str, id: RowId) -> Vec<AuditEntry> {
    app.call(|store, s| rec::history(store, s, entity, id))
        .unwrap_or_default()
}

/// Draws a record's history: who, when, what, and each field old → new.
pub(crate) fn history_ui(ui: &mut egui::Ui, title: &str, entries: &[AuditEntry]) {
    egui::CollapsingHeader::new(format!("{title}（{}）", entries.len()))
        .id_salt(("history", title))
        .default_open(true)
        .show(ui, |ui| history_entries(ui, entries));
}

/// Each entry's who, when and what, and each changed field old → new (the
/// child file's 历史 tab draws the same lines).
pub(crate) fn history_entries(ui: &mut egui::Ui, entries: &[AuditEntry]) {
    for h in entries {
        ui.label(
            egui::RichText::new(format!(
                "{} · {} · {}",
                &h.at[..16.min(h.at.len())].replace('T', " "),
                h.actor,
                action_zh(&h.action)
            ))
            .strong(),
        );
        if let Ok(detail) = serde_json::from_str::<serde_json::Value>(&h.detail)
            && let Some(changes) = detail.get("changes").and_then(|c| c.as_object())
        {
            for (field, pair) in changes {
                ui.label(format!(
                    "　{}：{} → {}",
                    field_zh(field),
                    show_value(pair.get(0)),
                    show_value(pair.get(1))
                ));
            }
        }
        if let Some(r) = &h.reason {
            ui.label(format!("　原因：{r}"));
        }
    }
}

fn show_value(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => "（空）".into(),
        Some(other) => other.to_string(),
    }
}

/// The audit actions of the record types, in Chinese.
fn action_zh(action: &str) -> &str {
    match action {
        "mreport.add" => "登记强制报告",
        "mreport.update" => "修改强制报告",
        "mreport.feedback" => "登记反馈",
        "mreport.custody" => "启动临时监护",
        "mreport.void" => "作废",
        "service.add" => "登记服务",
        "service.update" => "修改服务",
        "service.void" => "作废",
        "referral.add" => "转介",
        "referral.status" => "转介状态变更",
        "allowance.standard" => "设定标准",
        "allowance.standard.update" => "修改标准",
        "grant.add" => "登记",
        "grant.update" => "修改",
        "grant.void" => "作废",
        "wish.add" => "登记心愿",
        "wish.update" => "修改心愿",
        "wish.publish" => "发布",
        "wish.claim" => "认领",
        "wish.fulfil" => "实现",
        "wish.cancel" => "取消",
        "worker.add" => "登记",
        "worker.update" => "修改",
        "worker.leave" => "离任",
        "counselling.add" => "登记辅导",
        "counselling.update" => "修改辅导",
        "screening.add" => "登记筛查",
        "screening.update" => "修改筛查",
        "care.void" => "作废",
        "followup.add" => "安排随访",
        "followup.close" => "随访结束",
        "home.add" => "登记儿童之家",
        "home.close" => "关闭",
        "home.activity" => "登记活动",
        "training.add" => "登记培训",
        "training.attendees" => "补录参训人员",
        // The child file's own entries.
        "child.create" => "建档",
        "child.update" => "修改基本信息",
        "child.close" => "销档",
        "child.reveal_id" => "显示完整证件号",
        "person.reveal_id" => "显示亲属证件号",
        "relation.add" => "登记亲属",
        "form.save" => "保存省级表单",
        "eligibility.classify" => "资格核查",
        "category.add" => "认定类别",
        "category.end" => "终止类别",
        "category.reschedule" => "类别截止日期变更",
        "visit.add" => "登记走访",
        "visit.void" => "作废走访",
        "campaign.record" => "摸底排查核实",
        "table.import" => "批量导入",
        "table.export" => "导出",
        other => other,
    }
}

/// Record field names as the audit detail stores them, in Chinese.
fn field_zh(field: &str) -> &str {
    match field {
        "situations" => "报告情形",
        "reporter" => "报告人",
        "found_at" => "发现时间",
        "reported_at" => "报告时间",
        "channel" => "报告渠道",
        "receiving_agency" => "接报机关",
        "receipt_no" => "回执号",
        "perpetrator_relation" => "疑似侵害人关系",
        "safety_action" => "安全措施",
        "feedback" => "反馈情况",
        "feedback_on" => "反馈日期",
        "custody" => "临时监护",
        "status" => "状态",
        "item" => "服务项目",
        "service_date" => "服务日期",
        "provider" => "服务提供者",
        "department" => "责任部门",
        "outcome" => "服务结果",
        "active" => "有效",
        "status_on" => "状态日期",
        "note" => "备注",
        "amount_cents" => "金额（分）",
        "basis" => "依据",
        "wish" => "心愿内容",
        "estimate_cents" => "预估金额（分）",
        "sponsor" => "认领人",
        "claimed_on" => "认领日期",
        "published_on" => "发布日期",
        "fulfilled_on" => "实现日期",
        "photo_ref" => "照片编号",
        "name" => "姓名",
        "phone" => "联系电话",
        "division_code" => "区划",
        "appointed_on" => "任职日期",
        "left_on" => "离任日期",
        "summary" => "辅导摘要",
        "counsellor" => "辅导员",
        "mode" => "方式",
        "score" => "得分",
        "level" => "结果等级",
        // 基本信息 (child.update).
        "id_number" => "身份证号",
        "name_alt" => "民族文字姓名",
        "ethnicity" => "民族",
        "hukou_division" => "户籍地",
        "hukou_address" => "户籍地址",
        "residence_division" => "现居住地",
        "residence_address" => "现居住地址",
        "schooling" => "就学情况",
        "school" => "学校",
        "grade" => "年级",
        "health" => "健康状况",
        "disability_type" => "残疾类别",
        "disability_grade" => "残疾等级",
        other => other,
    }
}

/// Choosing a child for a form: type a name, pinyin or ID prefix, pick one
/// of the matches (IDs masked).
#[derive(Default, Clone)]
pub(crate) struct ChildPick {
    pub text: String,
    pub chosen: Option<(RowId, String)>,
    matches: Vec<(RowId, String, String)>,
    searched: String,
}

impl ChildPick {
    pub fn chosen(id: RowId, name: &str) -> Self {
        ChildPick {
            text: name.to_string(),
            chosen: Some((id, name.to_string())),
            ..Default::default()
        }
    }

    pub fn id(&self) -> Option<RowId> {
        self.chosen.as_ref().map(|c| c.0)
    }

    /// The chosen child, or the message naming the field.
    pub fn require(&self) -> Result<RowId, String> {
        self.id()
            .ok_or_else(|| "字段“儿童”：请先输入姓名或身份证号并选择一名儿童".to_string())
    }
}

/// Draws the picker as one grid row labelled 儿童.
pub(crate) fn child_row(
    ui: &mut egui::Ui,
    store: &mut Store,
    session: Option<&Session>,
    pick: &mut ChildPick,
) {
    let l = ui.label("儿童");
    ui.vertical(|ui| {
        if let Some((_, name)) = pick.chosen.clone() {
            ui.horizontal(|ui| {
                ui.strong(&name).labelled_by(l.id);
                if ui.small_button("更换").clicked() {
                    pick.chosen = None;
                    pick.text.clear();
                }
            });
            return;
        }
        ui.add(
            egui::TextEdit::singleline(&mut pick.text)
                .hint_text("姓名、拼音或身份证号")
                .desired_width(320.0),
        )
        .labelled_by(l.id);
        if pick.text.trim() != pick.searched {
            pick.searched = pick.text.trim().to_string();
            pick.matches = match session {
                Some(session) if !pick.searched.is_empty() => {
                    rec::find_children(store, session, &pick.searched, 8).unwrap_or_default()
                }
                _ => Vec::new(),
            }
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    r.name.clone(),
                    format!(
                        "{}（{}，{}）",
                        r.name,
                        hutong_core::national::id_number::mask(&r.id_number),
                        r.village_name
                    ),
                )
            })
            .collect();
        }
        let mut picked = None;
        for (id, name, label) in &pick.matches {
            if ui.small_button(label).clicked() {
                picked = Some((*id, name.clone()));
            }
        }
        if picked.is_some() {
            pick.chosen = picked;
        } else if !pick.searched.is_empty() && pick.matches.is_empty() {
            ui.weak("没有找到匹配的儿童");
        }
    });
    ui.end_row();
}

/// The child's name, for rows that hold only the id (rows already listed
/// within the user's scope; outside it the name is not shown).
pub(crate) fn child_name(app: &HutongApp, id: RowId) -> String {
    match &app.session {
        Some(s) => rec::child_name(&app.store, s, id),
        None => "?".into(),
    }
}

/// PDF fonts, loaded once.
pub(crate) fn fonts() -> &'static hutong_report::FontSet {
    static FONTS: std::sync::OnceLock<hutong_report::FontSet> = std::sync::OnceLock::new();
    FONTS.get_or_init(hutong_report::FontSet::with_system_fonts)
}
