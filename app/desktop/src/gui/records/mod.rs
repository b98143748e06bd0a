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
use crate::i18n::Lang;
use crate::t;
use eframe::egui;
use hutong_core::audit::AuditAction;
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
        (Sub::Reports, "rec-tab-reports"),
        (Sub::Services, "rec-tab-services"),
        (Sub::Allowances, "rec-tab-allowances"),
        (Sub::Wishes, "rec-tab-wishes"),
        (Sub::Care, "rec-tab-care"),
        (Sub::Workforce, "rec-tab-workforce"),
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
    /// Background work not in `app.jobs` (file dialogs, and the jobs of
    /// the tabs that still hold their own).
    pub fn busy(&self) -> bool {
        self.mreport.busy() || self.allowances.busy()
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

/// Collects file-dialog answers (and the results of the jobs the tabs still
/// hold themselves; the others complete through `app.jobs`). Runs every
/// frame, whatever the screen, so an answer that arrives after the user
/// moved on is not left waiting until they come back.
pub fn poll(app: &mut HutongApp) {
    mreport::poll(app);
    allowances::poll(app);
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    ui.horizontal(|ui| {
        ui.heading(app.t("nav-records"));
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

// The helpers below that draw take the UI language from the egui context
// (`ui_lang`, set by the window every frame: two windows in one process,
// as in the UI tests, each keep their own); those called without a `ui`
// (the date error, the picker's required message) take the workstation's
// (`crate::i18n::current`).

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
    t.parse().map_err(|_| {
        t!(
            crate::i18n::current(),
            "rec-bad_date",
            field = field,
            value = s
        )
    })
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
    let heading = t!(
        super::ui_lang(ui),
        "rec-hist-title",
        title = title,
        n = entries.len()
    );
    egui::CollapsingHeader::new(heading)
        .id_salt(("history", title))
        .default_open(true)
        .show(ui, |ui| history_entries(ui, entries));
}

/// Each entry as a sentence, "2025-05-22 14:03 · caseworker 修改了基本信息"
/// (when in the county's time: stored times are UTC; who by user name: no
/// use case gives every role the accounts' display names), and each changed
/// field old → new (the child file's 历史 tab draws the same lines).
pub(crate) fn history_entries(ui: &mut egui::Ui, entries: &[AuditEntry]) {
    let lang = super::ui_lang(ui);
    for h in entries {
        ui.label(
            egui::RichText::new(t!(
                lang,
                "rec-hist-line",
                at = crate::i18n::local_time(&h.at),
                actor = actor_text(ui, lang, &h.actor),
                action = action_text(lang, &h.action)
            ))
            .strong(),
        );
        if let Ok(detail) = serde_json::from_str::<serde_json::Value>(&h.detail)
            && let Some(changes) = detail.get("changes").and_then(|c| c.as_object())
        {
            for (field, pair) in changes {
                ui.label(t!(
                    lang,
                    "rec-hist-change",
                    field = field_text(lang, field),
                    old = show_value(lang, pair.get(0)),
                    new = show_value(lang, pair.get(1))
                ));
            }
        }
        if let Some(r) = &h.reason {
            ui.label(t!(lang, "rec-hist-reason", reason = r.as_str()));
        }
    }
}

/// Who acted, as people read it: a colleague's display name, or the
/// system job's name in the UI language.
fn actor_text(ui: &egui::Ui, lang: Lang, actor: &str) -> String {
    use hutong_services::SystemJob;
    let jobs = [
        SystemJob::EligibilitySweep,
        SystemJob::ScheduledBackup,
        SystemJob::BuildDemo,
    ];
    match jobs.into_iter().find(|j| j.actor_name() == actor) {
        Some(job) => t!(
            lang,
            match job {
                SystemJob::EligibilitySweep => "rec-actor-sweep",
                SystemJob::ScheduledBackup => "rec-actor-backup",
                SystemJob::BuildDemo => "rec-actor-demo",
            }
        ),
        None => super::display_name(ui, actor),
    }
}

fn show_value(lang: Lang, v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => t!(lang, "rec-hist-empty"),
        Some(other) => other.to_string(),
    }
}

/// The audit actions of the record types, in the UI language (an unknown one
/// as stored).
fn action_text(lang: Lang, action: &str) -> String {
    let key = match AuditAction::parse(action) {
        Some(AuditAction::MreportAdd) => "rec-act-mreport-add",
        Some(AuditAction::MreportUpdate) => "rec-act-mreport-update",
        Some(AuditAction::MreportFeedback) => "rec-act-mreport-feedback",
        Some(AuditAction::MreportCustody) => "rec-act-mreport-custody",
        Some(AuditAction::MreportVoid) => "rec-act-mreport-void",
        Some(AuditAction::ServiceAdd) => "rec-act-service-add",
        Some(AuditAction::ServiceUpdate) => "rec-act-service-update",
        Some(AuditAction::ServiceVoid) => "rec-act-service-void",
        Some(AuditAction::ReferralAdd) => "rec-act-referral-add",
        Some(AuditAction::ReferralStatus) => "rec-act-referral-status",
        Some(AuditAction::AllowanceStandard) => "rec-act-allowance-standard",
        Some(AuditAction::AllowanceStandardUpdate) => "rec-act-allowance-standard-update",
        Some(AuditAction::GrantAdd) => "rec-act-grant-add",
        Some(AuditAction::GrantUpdate) => "rec-act-grant-update",
        Some(AuditAction::GrantVoid) => "rec-act-grant-void",
        Some(AuditAction::WishAdd) => "rec-act-wish-add",
        Some(AuditAction::WishUpdate) => "rec-act-wish-update",
        Some(AuditAction::WishPublish) => "rec-act-wish-publish",
        Some(AuditAction::WishClaim) => "rec-act-wish-claim",
        Some(AuditAction::WishFulfil) => "rec-act-wish-fulfil",
        Some(AuditAction::WishCancel) => "rec-act-wish-cancel",
        Some(AuditAction::WorkerAdd) => "rec-act-worker-add",
        Some(AuditAction::WorkerUpdate) => "rec-act-worker-update",
        Some(AuditAction::WorkerLeave) => "rec-act-worker-leave",
        Some(AuditAction::CounsellingAdd) => "rec-act-counselling-add",
        Some(AuditAction::CounsellingUpdate) => "rec-act-counselling-update",
        Some(AuditAction::ScreeningAdd) => "rec-act-screening-add",
        Some(AuditAction::ScreeningUpdate) => "rec-act-screening-update",
        Some(AuditAction::CareVoid) => "rec-act-care-void",
        Some(AuditAction::FollowupAdd) => "rec-act-followup-add",
        Some(AuditAction::FollowupClose) => "rec-act-followup-close",
        Some(AuditAction::HomeAdd) => "rec-act-home-add",
        Some(AuditAction::HomeClose) => "rec-act-home-close",
        Some(AuditAction::HomeActivity) => "rec-act-home-activity",
        Some(AuditAction::TrainingAdd) => "rec-act-training-add",
        Some(AuditAction::TrainingAttendees) => "rec-act-training-attendees",
        // The child file's own entries.
        Some(AuditAction::ChildCreate) => "rec-act-child-create",
        Some(AuditAction::ChildUpdate) => "rec-act-child-update",
        Some(AuditAction::ChildClose) => "rec-act-child-close",
        Some(AuditAction::ChildRevealId) => "rec-act-child-reveal_id",
        Some(AuditAction::PersonRevealId) => "rec-act-person-reveal_id",
        Some(AuditAction::RelationAdd) => "rec-act-relation-add",
        Some(AuditAction::FormSave) => "rec-act-form-save",
        Some(AuditAction::EligibilityClassify) => "rec-act-eligibility-classify",
        Some(AuditAction::CategoryAdd) => "rec-act-category-add",
        Some(AuditAction::CategoryEnd) => "rec-act-category-end",
        Some(AuditAction::CategoryReschedule) => "rec-act-category-reschedule",
        Some(AuditAction::VisitAdd) => "rec-act-visit-add",
        Some(AuditAction::VisitVoid) => "rec-act-visit-void",
        Some(AuditAction::CampaignRecord) => "rec-act-campaign-record",
        Some(AuditAction::TableImport) => "rec-act-table-import",
        Some(AuditAction::TableExport) => "rec-act-table-export",
        // Other actions (and any from a newer version) as stored.
        _ => return action.to_string(),
    };
    t!(lang, key)
}

/// Record field names as the audit detail stores them, in the UI language
/// (an unknown one as stored).
fn field_text(lang: Lang, field: &str) -> String {
    let key = match field {
        "situations" => "rec-field-situations",
        "reporter" => "rec-field-reporter",
        "found_at" => "rec-field-found_at",
        "reported_at" => "rec-field-reported_at",
        "channel" => "rec-field-channel",
        "receiving_agency" => "rec-field-receiving_agency",
        "receipt_no" => "rec-field-receipt_no",
        "perpetrator_relation" => "rec-field-perpetrator_relation",
        "safety_action" => "rec-field-safety_action",
        "feedback" => "rec-field-feedback",
        "feedback_on" => "rec-field-feedback_on",
        "custody" => "rec-field-custody",
        "status" => "rec-field-status",
        "item" => "rec-field-item",
        "service_date" => "rec-field-service_date",
        "provider" => "rec-field-provider",
        "department" => "rec-field-department",
        "outcome" => "rec-field-outcome",
        "active" => "rec-field-active",
        "status_on" => "rec-field-status_on",
        "note" => "rec-field-note",
        "amount_cents" => "rec-field-amount_cents",
        "basis" => "rec-field-basis",
        "wish" => "rec-field-wish",
        "estimate_cents" => "rec-field-estimate_cents",
        "sponsor" => "rec-field-sponsor",
        "claimed_on" => "rec-field-claimed_on",
        "published_on" => "rec-field-published_on",
        "fulfilled_on" => "rec-field-fulfilled_on",
        "photo_ref" => "rec-field-photo_ref",
        "name" => "rec-field-name",
        "phone" => "rec-field-phone",
        "division_code" => "rec-field-division_code",
        "appointed_on" => "rec-field-appointed_on",
        "left_on" => "rec-field-left_on",
        "summary" => "rec-field-summary",
        "counsellor" => "rec-field-counsellor",
        "mode" => "rec-field-mode",
        "score" => "rec-field-score",
        "level" => "rec-field-level",
        // 基本信息 (child.update).
        "id_number" => "rec-field-id_number",
        "name_alt" => "rec-field-name_alt",
        "ethnicity" => "rec-field-ethnicity",
        "hukou_division" => "rec-field-hukou_division",
        "hukou_address" => "rec-field-hukou_address",
        "residence_division" => "rec-field-residence_division",
        "residence_address" => "rec-field-residence_address",
        "schooling" => "rec-field-schooling",
        "school" => "rec-field-school",
        "grade" => "rec-field-grade",
        "health" => "rec-field-health",
        "disability_type" => "rec-field-disability_type",
        "disability_grade" => "rec-field-disability_grade",
        other => return other.to_string(),
    };
    t!(lang, key)
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
            .ok_or_else(|| t!(crate::i18n::current(), "rec-pick-required"))
    }
}

/// Draws the picker as one grid row labelled 儿童.
pub(crate) fn child_row(
    ui: &mut egui::Ui,
    store: &mut Store,
    session: Option<&Session>,
    pick: &mut ChildPick,
) {
    let lang = super::ui_lang(ui);
    let l = ui.label(t!(lang, "rec-child"));
    ui.vertical(|ui| {
        if let Some((_, name)) = pick.chosen.clone() {
            ui.horizontal(|ui| {
                ui.strong(&name).labelled_by(l.id);
                if ui.small_button(t!(lang, "rec-pick-change")).clicked() {
                    pick.chosen = None;
                    pick.text.clear();
                }
            });
            return;
        }
        ui.add(
            egui::TextEdit::singleline(&mut pick.text)
                .hint_text(t!(lang, "rec-pick-hint"))
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
                    t!(
                        lang,
                        "rec-pick-match",
                        name = r.name.as_str(),
                        id = hutong_core::national::id_number::mask(&r.id_number),
                        village = r.village_name.as_str()
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
            ui.weak(t!(lang, "rec-pick-none"));
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
