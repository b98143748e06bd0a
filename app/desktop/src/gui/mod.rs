//! The egui workstation: application state, navigation, and the screens.
//!
//! State is plain data (`HutongApp`); each screen is a module with a
//! `show` function that reads and changes that state and calls core
//! services. Nothing here touches SQL or holds a business rule.

mod assessment_tab;
mod audit_check;
mod campaigns;
mod child_file;
mod commands;
mod date_picker;
mod eligibility_sweep;
mod exchange;
mod first_run;
pub use first_run::{FirstRun, Root};
mod home;
pub mod jobs;
mod list;
mod login;
pub mod notices;
mod plugins;
mod print_centre;
mod province_form;
mod records;
pub(crate) mod theme;
pub mod typed_path;
mod upgrade_review;
mod users;
mod visit_plan;
mod visits_tab;
mod widgets;
mod worker;

use crate::i18n::{Lang, tr};
use anyhow::{Context, Result};
use eframe::egui;
use hutong_core::users::User;
use hutong_core::{Scope, Store, demo};
use hutong_services::{Action, Session};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Number of generated children in the demo created on first run.
pub const FIRST_RUN_DEMO_CHILDREN: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Home,
    Children,
    ChildFile,
    /// 走访计划: due and overdue visits, escalations (#8).
    VisitPlan,
    /// 摸底排查: screening rounds and their coverage (#8).
    Campaigns,
    /// 业务台账: 强制报告, services, allowances, wishes, care, workforce (#9).
    Records,
    /// 数据交换: import, export, 数据比对, statistics, backup (#10).
    Exchange,
    Print,
    Plugins,
    /// 用户与权限 (administrators, #16).
    Users,
    Settings,
}

impl Screen {
    /// The screens of the navigation, in its order.
    const NAVIGATION: [Screen; 10] = [
        Screen::Home,
        Screen::Children,
        Screen::VisitPlan,
        Screen::Campaigns,
        Screen::Records,
        Screen::Exchange,
        Screen::Print,
        Screen::Plugins,
        Screen::Users,
        Screen::Settings,
    ];

    /// The key of the screen's name (a child's file is reached from the
    /// 儿童档案 list, and named by it).
    pub(crate) fn name_key(self) -> &'static str {
        match self {
            Screen::Home => "nav-home",
            Screen::Children | Screen::ChildFile => "nav-children",
            Screen::VisitPlan => "nav-visit_plan",
            Screen::Campaigns => "nav-campaigns",
            Screen::Records => "nav-records",
            Screen::Exchange => "nav-exchange",
            Screen::Print => "nav-print",
            Screen::Plugins => "nav-plugins",
            Screen::Users => "nav-users",
            Screen::Settings => "nav-settings",
        }
    }
}

pub struct HutongApp {
    /// The unlocked county database; before log-in an empty in-memory
    /// placeholder (the file cannot be read without a password).
    pub(crate) store: Store,
    pub(crate) db_path: PathBuf,
    /// The unlocked database's path and key, for jobs that open their own
    /// connection; `None` until log-in.
    pub(crate) database: Option<hutong_core::Database>,
    /// A recovery code made by this log-in (an old plaintext database was
    /// encrypted), shown once in a window until the user closes it.
    pub(crate) recovery_notice: Option<(zeroize::Zeroizing<String>, Vec<String>)>,
    pub(crate) lang: Lang,
    /// The signed-in user's body text size (设置), applied when it changes.
    pub(crate) text_size: f32,
    applied_text_size: Option<f32>,
    pub(crate) screen: Screen,
    /// The signed-in user's session; `None` shows the log-in screen. Every
    /// per-user field below is dropped with it at log-out (see `log_out`).
    pub(crate) session: Option<Session>,
    pub(crate) login: login::LoginState,
    pub(crate) list: list::ListState,
    pub(crate) file: Option<child_file::FileState>,
    /// Where to go once the user answers the unsaved-changes prompt.
    pub(crate) pending_nav: Option<Screen>,
    /// Where the open file was opened from: 返回 goes back there, with that
    /// screen's filters as the user left them.
    pub(crate) file_origin: Screen,
    /// Staff display names by user name, read at log-in for the history.
    display_names: std::sync::Arc<std::collections::HashMap<String, String>>,
    /// 退出登录 is waiting for that answer.
    pending_log_out: bool,
    /// When the user last touched the keyboard or mouse (the idle lock).
    pub(crate) last_activity: std::time::Instant,
    /// Minutes without input before the workstation locks (county setting).
    pub(crate) idle_lock_minutes: u32,
    /// The 用户与权限 screen (administrators).
    pub(crate) users_screen: users::UsersState,
    /// Whether this database was made as a demo (read once: the log-in
    /// screen names the demo accounts only then).
    pub(crate) is_demo: bool,
    /// 修改密码 (设置, or the whole screen after a reset).
    pub(crate) password_form: users::PasswordForm,
    pub(crate) home: home::HomeStats,
    pub(crate) developer_mode: bool,
    /// Installed province plugins, running on the plugin worker thread.
    pub(crate) plugins: worker::PluginWorker,
    pub(crate) plugin_error: Option<String>,
    pub(crate) print: print_centre::PrintCentre,
    pub(crate) plugins_screen: plugins::PluginsState,
    pub(crate) assessment_tab: assessment_tab::AssessmentTabState,
    /// The daily eligibility sweep and its summary (#8).
    pub(crate) sweep: eligibility_sweep::SweepState,
    /// A plugin upgrade's re-assessment review (#8).
    pub(crate) upgrade: upgrade_review::UpgradeState,
    pub(crate) visit_plan: visit_plan::VisitPlanState,
    pub(crate) campaigns: campaigns::CampaignsState,
    pub(crate) records: records::RecordsState,
    pub(crate) exchange: exchange::ExchangeState,
    /// 审计校验 in 设置.
    pub(crate) audit_check: audit_check::AuditCheckState,
    /// Set when the user opened another database: the window's root swaps
    /// this workstation for that one.
    pub(crate) replace_with: Option<Box<HutongApp>>,
    /// What screens asked for during this frame (`commands`), applied
    /// after it.
    pub(crate) commands: Vec<commands::Command>,
    /// File dialogs and the printer; tests replace them.
    pub(crate) platform: crate::platform::Platform,
    /// Every background job, polled once per frame.
    pub(crate) jobs: jobs::JobRegistry,
    /// Every outcome the user is told about.
    pub(crate) notices: notices::Notices,
    /// UI time per frame, when `HUTONG_FRAME_STATS` is set (for measuring
    /// the 8 ms bar in a release build).
    frame_stats: Option<FrameStats>,
}

/// When `run` was called, for the start-up figure (first frame within 1 s).
static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Collects how long `App::ui` takes and prints percentiles every 300 frames.
#[derive(Default)]
struct FrameStats {
    samples: Vec<f64>,
    first_frame_reported: bool,
}

impl FrameStats {
    fn record(&mut self, millis: f64, screen: Screen, rows: usize) {
        if !self.first_frame_reported {
            self.first_frame_reported = true;
            if let Some(t0) = STARTED.get() {
                eprintln!(
                    "first frame drawn {:.0} ms after start-up",
                    t0.elapsed().as_secs_f64() * 1000.0
                );
            }
        }
        self.samples.push(millis);
        if self.samples.len() >= 300 {
            let mut s = std::mem::take(&mut self.samples);
            s.sort_by(|a, b| a.total_cmp(b));
            let pct = |p: f64| s[((s.len() - 1) as f64 * p) as usize];
            eprintln!(
                "frame ui time over {} frames on {:?} ({} rows): p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                s.len(),
                screen,
                rows,
                pct(0.5),
                pct(0.95),
                pct(0.99),
                pct(1.0)
            );
        }
    }
}

/// Loads the installed plugins and starts the worker that runs them.
fn start_plugins(store: &Store, db_path: &Path) -> (worker::PluginWorker, Option<String>) {
    let (runtime, plugins, plugin_error) = match crate::installed::runtime_for(Some(db_path)) {
        Ok(rt) => match crate::installed::load_installed(db_path, store, &rt) {
            Ok(p) => (Some(rt), p, None),
            Err(e) => (Some(rt), Vec::new(), Some(format!("{e:#}"))),
        },
        Err(e) => (None, Vec::new(), Some(format!("{e:#}"))),
    };
    let (plugins, worker_errors) = worker::PluginWorker::start(plugins, runtime);
    let plugin_error = plugin_error.or_else(|| worker_errors.into_iter().next());
    (plugins, plugin_error)
}

/// The store a locked workstation holds: empty, in memory, no county.
fn placeholder_store() -> Store {
    match Store::open_unencrypted(Path::new(":memory:")) {
        Ok(s) => s,
        // Migrating an empty in-memory database cannot fail short of a
        // broken build; without it nothing can be shown at all.
        Err(e) => panic!("in-memory placeholder database: {e}"),
    }
}

/// Runs a use case of the services on `store` under `session` (for code
/// that holds other parts of the app borrowed); signed out, refuses.
pub(crate) fn serve<T>(
    store: &mut Store,
    session: Option<&Session>,
    f: impl FnOnce(&mut Store, &Session) -> hutong_services::Result<T>,
) -> Result<T, String> {
    match session {
        Some(s) => f(store, s).map_err(|e| e.to_string()),
        None => Err(tr(Lang::ZH, "login-required")),
    }
}

/// Opens a file dialog on its own thread; the answer arrives on the
/// receiver (`None`: cancelled). The UI thread never blocks on a dialog.
use crate::platform::DialogAnswer;

pub(crate) fn ask_dialog(
    dialogs: std::sync::Arc<dyn crate::platform::FileDialogs>,
    request: crate::platform::DialogRequest,
) -> std::sync::mpsc::Receiver<Option<PathBuf>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let answer = tx.clone();
    let owner = dialogs.clone();
    let spawned = std::thread::Builder::new()
        .name("hutong-dialog".into())
        .spawn(move || match dialogs.answer(&request) {
            DialogAnswer::Picked(p) => {
                let _ = answer.send(Some(p));
            }
            DialogAnswer::Cancelled => {
                let _ = answer.send(None);
            }
            // The window asks for the path instead, and answers the
            // screen that asked through the same channel.
            DialogAnswer::Unavailable => typed_path::ask(&dialogs, request, answer),
        });
    if spawned.is_err() {
        // No thread for the dialog: ask for the path in the window.
        typed_path::ask(
            &owner,
            crate::platform::DialogRequest::new(crate::platform::DialogKind::OpenFile, ""),
            tx,
        );
    }
    rx
}

impl HutongApp {
    /// The workstation on `db_path`, locked: the log-in screen, with
    /// nothing of the county read (the file is encrypted; the password
    /// opens it). The demo hint comes from the key file.
    pub fn new(db_path: PathBuf) -> Self {
        let store = placeholder_store();
        let is_demo = hutong_core::KeyRing::load(&db_path)
            .map(|ring| ring.is_demo())
            .unwrap_or(false);
        let (plugins, _) = worker::PluginWorker::start(Vec::new(), None);
        HutongApp {
            store,
            db_path,
            database: None,
            recovery_notice: None,
            lang: Lang::ZH,
            screen: Screen::Home,
            session: None,
            login: login::LoginState::default(),
            list: list::ListState::default(),
            file: None,
            pending_nav: None,
            file_origin: Screen::Children,
            display_names: Default::default(),
            pending_log_out: false,
            last_activity: std::time::Instant::now(),
            idle_lock_minutes: hutong_core::users::DEFAULT_IDLE_LOCK_MINUTES,
            users_screen: Default::default(),
            password_form: Default::default(),
            is_demo,
            home: home::HomeStats::default(),
            developer_mode: false,
            plugins,
            plugin_error: None,
            print: Default::default(),
            plugins_screen: Default::default(),
            assessment_tab: Default::default(),
            sweep: Default::default(),
            upgrade: Default::default(),
            visit_plan: Default::default(),
            campaigns: Default::default(),
            records: Default::default(),
            exchange: Default::default(),
            audit_check: Default::default(),
            replace_with: None,
            jobs: Default::default(),
            notices: Default::default(),
            commands: Vec::new(),
            text_size: theme::TEXT_SIZES[0],
            applied_text_size: None,
            platform: Default::default(),
            frame_stats: std::env::var_os("HUTONG_FRAME_STATS").map(|_| FrameStats::default()),
        }
    }

    /// After a log-in opened the database: read the county's settings and
    /// start its plugins.
    pub(crate) fn unlocked(&mut self, store: Store, session: Session) {
        self.database = Some(store.database());
        self.store = store;
        self.idle_lock_minutes = hutong_services::accounts::idle_lock_minutes(&self.store)
            .unwrap_or(hutong_core::users::DEFAULT_IDLE_LOCK_MINUTES);
        self.is_demo = demo::is_demo(&self.store).unwrap_or(false);
        // The user's own language and text size, from any workstation.
        // A user who never chose keeps the language the log-in screen had.
        if let Ok(p) = hutong_services::accounts::my_preferences(&self.store, &session) {
            if let Some(lang) = p.language.as_deref().and_then(Lang::from_code) {
                self.lang = lang;
            }
            self.text_size = p.text_size.unwrap_or(theme::TEXT_SIZES[0]);
        }
        // The history names people, not user names; without the names it
        // still shows the user names.
        self.display_names = std::sync::Arc::new(
            hutong_services::accounts::display_names(&mut self.store, &session).unwrap_or_default(),
        );
        self.session = Some(session);
        self.reload_plugins();
    }

    /// Reloads the installed plugins (after an installation) on a new
    /// worker; the old worker ends when its queue is dropped.
    pub(crate) fn reload_plugins(&mut self) {
        let (plugins, error) = start_plugins(&self.store, &self.db_path);
        self.plugins = plugins;
        self.plugin_error = error;
        self.developer_mode = crate::installed::developer_mode(&self.store).unwrap_or(false);
        self.print = Default::default();
        if let Some(f) = &mut self.file {
            f.form = None;
        }
    }

    /// Replaces the file dialogs and printer (UI tests use fakes).
    /// Runs the completions of the jobs that ended since the last frame.
    fn poll_jobs(&mut self) {
        for done in self.jobs.take_finished() {
            done(self);
        }
    }

    /// The current outcome shown for a place (tests read it here).
    pub fn notice(&self, place: notices::Place) -> Option<&str> {
        self.notices.text(place)
    }

    /// Whether the window asks for a path because no file dialog opened.
    pub fn asks_for_typed_path(&self) -> bool {
        typed_path::waiting(&self.platform.dialogs)
    }

    pub fn set_platform(&mut self, platform: crate::platform::Platform) {
        self.platform = platform;
    }

    /// Whether background work is running (工作台 figures, plugin form
    /// checks, print jobs, dialogs); UI tests wait for it to end.
    pub fn busy(&self) -> bool {
        self.jobs.any_running()
            || self.form_pending()
            || self.print.busy()
            || self.plugins_screen.busy()
            || self.campaigns.busy()
            || self.exchange.busy()
            || self.assessment_tab.busy()
            || self.records.busy()
    }

    /// Moves the last input back by `idle`, as if no one had touched the
    /// workstation for that long (UI tests of the idle lock).
    pub fn pretend_idle_for(&mut self, idle: std::time::Duration) {
        if let Some(earlier) = self.last_activity.checked_sub(idle) {
            self.last_activity = earlier;
        }
    }

    /// Which background work is running, by name (for a test that waited
    /// too long to say what it waited for).
    pub fn busy_report(&self) -> String {
        [
            ("province form", self.form_pending()),
            ("print centre", self.print.busy()),
            ("plugins", self.plugins_screen.busy()),
            ("screening", self.campaigns.busy()),
            ("data exchange", self.exchange.busy()),
            ("assessment", self.assessment_tab.busy()),
            ("records", self.records.busy()),
        ]
        .iter()
        .filter(|(_, b)| *b)
        .map(|(n, _)| n.to_string())
        .chain(self.jobs.names().iter().map(|n| format!("{n:?}")))
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// The 数据交换 screen's latest message (imported, refused, restored …).
    pub fn exchange_message(&self) -> Option<&str> {
        use notices::Place::*;
        self.notices.latest_of(&[
            ExchangeImport,
            ExchangeExport,
            ExchangeCompare,
            ExchangeStats,
            ExchangeBackup,
        ])
    }

    /// The upgrade review's children, when the review is shown.
    pub fn upgrade_review_children(&self) -> Option<Vec<String>> {
        self.upgrade.listed()
    }

    /// The database this workstation has open.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Pages in the print centre's preview, once rendered.
    pub fn print_preview_pages(&self) -> Option<usize> {
        self.print.preview_pages()
    }

    /// The print centre's last message (saved, failed, cancelled …).
    pub fn print_message(&self) -> Option<&str> {
        self.notices.text(notices::Place::Print)
    }

    /// The signed-in user, if any.
    pub fn current_user(&self) -> Option<&User> {
        self.session.as_ref().and_then(Session::user)
    }

    /// Whether the signed-in user may do `action` (for offering controls;
    /// the use case checks again).
    pub(crate) fn can(&self, action: Action) -> bool {
        self.session.as_ref().is_some_and(|s| s.can(action))
    }

    /// Checks `action` through the services (a refusal is audited) and
    /// returns the refusal's message.
    pub(crate) fn require(&mut self, action: Action) -> Result<(), String> {
        match &self.session {
            Some(s) => s
                .require(&mut self.store, action)
                .map_err(|e| e.to_string()),
            None => Err(self.t("login-required")),
        }
    }

    /// Runs a use case of the services under the signed-in session (which
    /// checks the permission and audits a refusal); signed out, refuses.
    /// The error is the message to show.
    pub(crate) fn call<T>(
        &mut self,
        f: impl FnOnce(&mut Store, &Session) -> hutong_services::Result<T>,
    ) -> Result<T, String> {
        match &self.session {
            Some(s) => f(&mut self.store, s).map_err(|e| e.to_string()),
            None => Err(self.t("login-required")),
        }
    }

    /// 退出登录: asks first when the open file has unsaved edits.
    pub(crate) fn request_log_out(&mut self) {
        if self.screen == Screen::ChildFile && self.file.as_ref().is_some_and(|f| f.is_dirty()) {
            self.pending_log_out = true;
            self.pending_nav = Some(Screen::Home);
            return;
        }
        self.log_out();
    }

    /// Whether the idle lock is due; otherwise notes any input and asks for
    /// a repaint when it would fall due, so it happens without input too.
    fn idle_lock_due(&mut self, ctx: &egui::Context) -> bool {
        let touched = ctx.input(|i| {
            i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::Key { .. }
                        | egui::Event::Text(_)
                        | egui::Event::PointerButton { .. }
                        | egui::Event::PointerMoved(_)
                        | egui::Event::MouseWheel { .. }
                )
            })
        });
        if touched {
            self.last_activity = std::time::Instant::now();
        }
        let limit = std::time::Duration::from_secs(u64::from(self.idle_lock_minutes.max(1)) * 60);
        let idle = self.last_activity.elapsed();
        if idle >= limit {
            return true;
        }
        ctx.request_repaint_after(limit - idle);
        false
    }

    /// The idle lock: like 退出登录 (everything of the session is dropped,
    /// unsaved edits included, since no one is there to ask), with the user
    /// name kept so the same person signs in again quickly.
    pub(crate) fn lock(&mut self) {
        let username = self.current_user().map(|u| u.username.clone());
        if let Some(session) = &self.session {
            hutong_services::session::record_idle_lock(
                &mut self.store,
                session,
                self.idle_lock_minutes,
            );
        }
        self.session = None;
        self.log_out();
        if let Some(name) = username {
            self.login.username = name;
        }
        let locked = self.t("login-locked_idle");
        self.notices.error(notices::Place::Login, locked);
    }

    /// Ends the session: the whole workstation is rebuilt on a fresh
    /// connection, so nothing the last user loaded, revealed or typed
    /// (lists, files, rosters, statistics, previews, comparison rows)
    /// survives for the next person at the desk. The log-out is audited.
    pub(crate) fn log_out(&mut self) {
        if let Some(session) = &self.session {
            hutong_services::session::record_log_out(&mut self.store, session);
        }
        // The connection and its key go too: the next person unlocks the
        // file with their own password.
        // The language was the user's own (设置): the log-in screen goes
        // back to the default for whoever comes next.
        let mut fresh = HutongApp::new(self.db_path.clone());
        fresh.platform = self.platform.clone();
        *self = fresh;
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The name of the child whose file is open.
    pub fn open_child_name(&self) -> Option<&str> {
        self.file.as_ref().map(|f| f.child.name.as_str())
    }

    /// Whether a province-form evaluation is still running on the worker.
    pub fn form_pending(&self) -> bool {
        self.file
            .as_ref()
            .and_then(|f| f.form.as_ref())
            .is_some_and(|e| e.pending.is_some())
    }

    /// Names in the list as currently shown.
    pub fn listed_names(&self) -> Vec<String> {
        self.list.rows.iter().map(|r| r.name.clone()).collect()
    }

    pub(crate) fn t(&self, key: &str) -> String {
        tr(self.lang, key)
    }

    /// The signed-in user's division scope (signed out: nothing).
    pub(crate) fn scope(&self) -> Scope {
        self.session
            .as_ref()
            .map(|s| s.scope().clone())
            .unwrap_or_else(Scope::nothing)
    }

    /// Navigates, unless the open file has unsaved changes: then the user is
    /// asked first (nothing is lost silently).
    pub(crate) fn navigate(&mut self, to: Screen) {
        if self.screen == Screen::ChildFile
            && to != Screen::ChildFile
            && self.file.as_ref().is_some_and(|f| f.is_dirty())
        {
            self.pending_nav = Some(to);
            return;
        }
        if to == Screen::Children {
            self.list.dirty = true;
        }
        if to == Screen::Home {
            self.home.fresh = false;
        }
        self.screen = to;
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        // Wrapped: with a larger text size (设置 → 字号) or in English the
        // navigation may need a second row at 1366 px rather than run under
        // the user's name.
        ui.horizontal_wrapped(|ui| {
            ui.heading(self.t("app-title"));
            ui.separator();
            for screen in Screen::NAVIGATION {
                let key = screen.name_key();
                if !self.offers(screen) {
                    continue;
                }
                let selected = self.screen == screen
                    || (screen == Screen::Children && self.screen == Screen::ChildFile);
                if ui.selectable_label(selected, self.t(key)).clicked() {
                    self.navigate(screen);
                }
            }
            let logout = self.t("nav-logout");
            let user = self.current_user().map(|u| {
                let role = crate::i18n::zh_or_en(self.lang, u.role.label_zh(), u.role.label_en());
                crate::t!(
                    self.lang,
                    "ws-user_and_role",
                    name = u.display_name.as_str(),
                    role = role
                )
            });
            let font = egui::TextStyle::Body.resolve(ui.style());
            let width = |text: &str| {
                ui.painter()
                    .layout_no_wrap(text.to_string(), font.clone(), egui::Color32::PLACEHOLDER)
                    .size()
                    .x
            };
            let needed = width(&logout)
                + user.as_deref().map_or(0.0, width)
                + 2.0 * ui.spacing().button_padding.x
                + 3.0 * ui.spacing().item_spacing.x;
            // What is left of the current row (a wrapped layout's
            // `available_width` is the whole row).
            if ui.available_size_before_wrap().x >= needed {
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.button(&logout).clicked() {
                        self.request_log_out();
                    }
                    if let Some(user) = &user {
                        ui.label(user);
                    }
                });
            } else {
                // Not room on this row: the name and 退出登录 follow on
                // the next, in reading order.
                ui.end_row();
                if let Some(user) = &user {
                    ui.label(user);
                }
                if ui.button(&logout).clicked() {
                    self.request_log_out();
                }
            }
        });
    }

    /// Whether the navigation offers a screen to this session: a screen
    /// whose every action the role lacks is not shown (the use cases refuse
    /// anyway).
    fn offers(&self, screen: Screen) -> bool {
        match screen {
            Screen::Exchange => [
                Action::Import,
                Action::ExportMasked,
                Action::Compare,
                Action::Statistics,
                Action::Backup,
                Action::Restore,
            ]
            .iter()
            .any(|a| self.can(*a)),
            Screen::Print => self.can(Action::Print),
            Screen::Users => self.can(Action::ManageUsers),
            _ => self.can(Action::ViewCases),
        }
    }

    fn settings(&mut self, ui: &mut egui::Ui) {
        ui.heading(self.t("nav-settings"));
        let (lang, size) = (self.lang, self.text_size);
        ui.horizontal(|ui| {
            ui.label(self.t("settings-language"));
            for lang in Lang::all() {
                ui.radio_value(&mut self.lang, lang, lang.name());
            }
        });
        ui.horizontal(|ui| {
            ui.label(self.t("settings-text_size"));
            for s in theme::TEXT_SIZES {
                ui.radio_value(&mut self.text_size, s, format!("{s:.0}"));
            }
        });
        if (lang, size) != (self.lang, self.text_size) {
            // Kept per user, so the choice follows them to any workstation.
            let prefs = hutong_core::users::Preferences {
                language: Some(self.lang.code().to_string()),
                text_size: Some(self.text_size),
            };
            match self
                .call(|store, s| hutong_services::accounts::set_my_preferences(store, s, &prefs))
            {
                Ok(_) => self.notices.clear(notices::Place::Settings),
                Err(e) => self.notices.error(notices::Place::Settings, e),
            }
        }
        self.notices.show_here(ui, notices::Place::Settings);
        let setting = |label: &str, value: &str| {
            crate::t!(self.lang, "ws-setting", label = label, value = value)
        };
        ui.label(setting(
            &self.t("settings-db"),
            &self.db_path.display().to_string(),
        ));
        let version = crate::t!(
            self.lang,
            "ws-version",
            version = env!("CARGO_PKG_VERSION"),
            commit = crate::GIT_COMMIT,
            contract = crate::CONTRACT_VERSION
        );
        ui.label(setting(&self.t("settings-version"), &version));
        let renderer = match RENDERER.get() {
            Some(Renderer::Gl { version, renderer }) => {
                crate::t!(
                    self.lang,
                    "ws-renderer_gl",
                    version = version.as_str(),
                    renderer = renderer.as_str()
                )
            }
            Some(Renderer::Wgpu {
                backend,
                adapter,
                software,
            }) => crate::t!(
                self.lang,
                if *software {
                    "ws-renderer_wgpu_software"
                } else {
                    "ws-renderer_wgpu"
                },
                backend = backend.as_str(),
                adapter = adapter.as_str()
            ),
            None => self.t("ws-renderer_unknown"),
        };
        ui.label(setting(&self.t("settings-renderer"), &renderer));
        ui.separator();
        ui.strong(self.t("pw-title"));
        users::password_form(self, ui);
        audit_check::show(self, ui);
    }

    fn unsaved_prompt(&mut self, ctx: &egui::Context) {
        let Some(to) = self.pending_nav else { return };
        let mut choice = None;
        egui::Modal::new(egui::Id::unique("hutong-unsaved-modal")).show(ctx, |ui| {
            ui.heading(self.t("file-unsaved"));
            ui.label(self.t("file-unsaved_body"));
            ui.horizontal(|ui| {
                if ui.button(self.t("common-save")).clicked() {
                    choice = Some(1);
                }
                if ui.button(self.t("file-discard")).clicked() {
                    choice = Some(2);
                }
                if ui.button(self.t("common-cancel")).clicked() {
                    choice = Some(3);
                }
            });
        });
        match choice {
            Some(1) => {
                let saved = child_file::save(self);
                self.pending_nav = None;
                if saved {
                    if std::mem::take(&mut self.pending_log_out) {
                        self.log_out();
                    } else {
                        self.navigate(to);
                    }
                }
            }
            Some(2) => {
                self.file = None;
                self.pending_nav = None;
                if std::mem::take(&mut self.pending_log_out) {
                    self.log_out();
                } else {
                    self.navigate(to);
                }
            }
            Some(3) => {
                self.pending_nav = None;
                self.pending_log_out = false;
            }
            _ => {}
        }
    }
}

impl eframe::App for HutongApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let started = std::time::Instant::now();
        self.draw(ui);
        if let Some(stats) = &mut self.frame_stats {
            stats.record(
                started.elapsed().as_secs_f64() * 1000.0,
                self.screen,
                self.list.rows.len(),
            );
            // Keep frames coming so the numbers reflect continuous use.
            ui.ctx().request_repaint();
        }
    }
}

impl HutongApp {
    fn draw(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        set_ui_lang(&ctx, self.lang);
        ctx.data_mut(|d| {
            d.insert_temp(egui::Id::unique("hutong-names"), self.display_names.clone())
        });
        crate::i18n::set_current(self.lang);
        self.notices.next_frame();
        typed_path::show(&ctx, self.lang, &self.platform.dialogs);
        if self.session.is_none() {
            egui::CentralPanel::default().show(ui, |ui| login::show(self, ui));
            return;
        }
        if self
            .session
            .as_ref()
            .is_some_and(Session::must_change_password)
        {
            egui::CentralPanel::default().show(ui, |ui| users::change_password_screen(self, ui));
            return;
        }
        if self.idle_lock_due(&ctx) {
            self.lock();
            return;
        }
        if self.developer_mode {
            egui::Panel::top("dev-banner")
                .frame(
                    egui::Frame::new()
                        .fill(crate::gui::theme::DEV_BANNER)
                        .inner_margin(6.0),
                )
                .show(ui, |ui| {
                    ui.colored_label(egui::Color32::WHITE, self.t("banner-dev_mode"));
                });
        }
        if self.applied_text_size != Some(self.text_size) {
            theme::apply_text_size(&ctx, self.text_size);
            self.applied_text_size = Some(self.text_size);
        }
        self.poll_jobs();
        exchange::tick(self, &ctx);
        // Casework results arrive from the plugin worker and background jobs.
        assessment_tab::poll(self, &ctx);
        eligibility_sweep::poll(self);
        records::poll(self);
        egui::Panel::top("nav").show(ui, |ui| self.top_bar(ui));
        if self.session.is_none() {
            // 退出登录 in the top bar rebuilt the workstation: nothing of the
            // ended session is drawn (or started) for the rest of the frame.
            return;
        }
        eligibility_sweep::show(self, ui);
        if self.notices.has_unshown() {
            egui::Panel::bottom("notices").show(ui, |ui| self.notices.show_unshown(ui));
        }
        egui::CentralPanel::default().show(ui, |ui| match self.screen {
            Screen::Home => home::show(self, ui),
            Screen::Children => list::show(self, ui),
            Screen::ChildFile => child_file::show(self, ui),
            Screen::VisitPlan => visit_plan::show(self, ui),
            Screen::Campaigns => campaigns::show(self, ui),
            Screen::Records => records::show(self, ui),
            Screen::Exchange => exchange::show(self, ui),
            Screen::Print => print_centre::show(self, ui),
            Screen::Plugins => plugins::show(self, ui),
            Screen::Users => users::show(self, ui),
            Screen::Settings => self.settings(ui),
        });
        list::reveal_prompt(self, &ctx);
        login::recovery_notice(self, &ctx);
        self.unsaved_prompt(&ctx);
        self.apply_commands();
    }
}

/// The UI language, kept in the egui context for shared widgets that are
/// drawn without the app at hand (the 乡镇/村 picker). Set every frame.
fn set_ui_lang(ctx: &egui::Context, lang: Lang) {
    ctx.data_mut(|d| d.insert_temp(egui::Id::unique("hutong-ui-lang"), lang));
}

/// A staff member's display name, from the names read at log-in (kept in
/// the egui context for the history lines); the user name when unknown.
pub(crate) fn display_name(ui: &egui::Ui, username: &str) -> String {
    ui.ctx()
        .data(|d| {
            d.get_temp::<std::sync::Arc<std::collections::HashMap<String, String>>>(
                egui::Id::unique("hutong-names"),
            )
        })
        .and_then(|names| names.get(username).cloned())
        .unwrap_or_else(|| username.to_string())
}

/// The language [`set_ui_lang`] stored for this frame.
pub(crate) fn ui_lang(ui: &egui::Ui) -> Lang {
    ui.ctx()
        .data(|d| d.get_temp::<Lang>(egui::Id::unique("hutong-ui-lang")))
        .unwrap_or_default()
}

/// The graphics driver the window draws with, read on the first frame.
/// 设置 shows it: office PCs reached over remote desktop or in VMs often
/// have only a software renderer, and support needs to know.
static RENDERER: std::sync::OnceLock<Renderer> = std::sync::OnceLock::new();

/// What the graphics driver said about itself.
enum Renderer {
    Gl {
        version: String,
        renderer: String,
    },
    #[cfg_attr(not(windows), allow(dead_code))]
    Wgpu {
        backend: String,
        adapter: String,
        software: bool,
    },
}

pub(crate) fn note_renderer(frame: &eframe::Frame) {
    if RENDERER.get().is_some() {
        return;
    }
    if let Some(r) = gl_renderer(frame).or_else(|| wgpu_renderer(frame)) {
        // Set once, on the first frame; a second set cannot happen.
        let _ = RENDERER.set(r);
    }
}

fn gl_renderer(frame: &eframe::Frame) -> Option<Renderer> {
    use eframe::glow::HasContext as _;
    let gl = frame.gl()?;
    // SAFETY: called on the UI thread during a frame, while the window's
    // GL context is current; these queries only read driver strings.
    let (version, renderer) = unsafe {
        (
            gl.get_parameter_string(eframe::glow::VERSION),
            gl.get_parameter_string(eframe::glow::RENDERER),
        )
    };
    Some(Renderer::Gl { version, renderer })
}

/// Windows draws with wgpu (Direct3D 12, or WARP without a 3D driver).
#[cfg(windows)]
fn wgpu_renderer(frame: &eframe::Frame) -> Option<Renderer> {
    let info = frame.wgpu_render_state()?.adapter.get_info();
    Some(Renderer::Wgpu {
        backend: format!("{:?}", info.backend),
        adapter: info.name,
        software: info.device_type == eframe::wgpu::DeviceType::Cpu,
    })
}

#[cfg(not(windows))]
fn wgpu_renderer(_frame: &eframe::Frame) -> Option<Renderer> {
    None
}

/// The demo county the first run opens: 固始县, its children, a year of
/// casework, and the 河南 plugin the program carries with its assessments,
/// so every screen has something to show.
pub(crate) fn make_first_run_demo(db: &Path, store: &mut Store) -> anyhow::Result<()> {
    let request = hutong_services::demo::DemoRequest {
        options: demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: FIRST_RUN_DEMO_CHILDREN,
            seed: 20250522,
            today: chrono::Local::now().date_naive(),
        },
        history: true,
        plugin: true,
    };
    hutong_services::demo::build(db, store, &request, |_, _| true)?;
    Ok(())
}

/// Opens the workstation on `db`. On the default database's first run the
/// demo county is created at once (the README's first command); a new
/// `--db FILE` that does not exist yet gets the first-run chooser.
pub fn run(db: &Path, is_default: bool) -> Result<ExitCode> {
    let _ = STARTED.set(std::time::Instant::now());
    // What a crash may have left: scratch folders of backups and restores,
    // print files waiting for a spooler.
    hutong_core::backup::remove_leftover_temp_dirs(db);
    print_centre::clean_spool(db);
    let root = if db.exists() {
        Root::App(Box::new(HutongApp::new(db.to_path_buf())))
    } else if FirstRun::has_leftovers(db) {
        // Remains of a database (its key file, a copy a restore kept): offer
        // recovery; never a new demo county over them.
        // Before any log-in: the workstation's default language.
        eprintln!(
            "{}",
            crate::t!(
                Lang::ZH,
                "ws-leftovers_found",
                path = db.display().to_string()
            )
        );
        Root::FirstRun(Box::new(FirstRun::new(db.to_path_buf())))
    } else if is_default {
        let path = db.display().to_string();
        eprintln!(
            "{}",
            crate::t!(Lang::ZH, "ws-first_run", path = path.as_str())
        );
        let mut store = Store::create_encrypted(db, true)
            .with_context(|| crate::t!(Lang::ZH, "ws-creating_database", path = path.as_str()))?;
        make_first_run_demo(db, &mut store).context(tr(Lang::ZH, "ws-making_demo"))?;
        drop(store);
        Root::App(Box::new(HutongApp::new(db.to_path_buf())))
    } else {
        Root::FirstRun(Box::new(FirstRun::new(db.to_path_buf())))
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(tr(Lang::ZH, "ws-window_title"))
            // Opens maximised; un-maximised it still fits a 1366×768 office
            // screen with its task bar.
            .with_inner_size([1280.0, 720.0])
            .with_min_inner_size([1024.0, 600.0])
            .with_maximized(true)
            .with_icon(window_icon()),
        persist_window: false,
        // Our own fallback chain (fonts.rs); never a locale-dependent system font.
        system_font_fallback: false,
        #[cfg(windows)]
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    eframe::run_native(
        // The window class (X11 WM_CLASS): matches hutong.desktop, so the
        // dock shows the running window under the installed launcher.
        "hutong",
        options,
        Box::new(|cc| {
            setup_context(&cc.egui_ctx);
            Ok(Box::new(root))
        }),
    )
    .map_err(|e| anyhow::anyhow!(crate::t!(Lang::ZH, "ws-no_window", error = e.to_string())))?;
    Ok(ExitCode::SUCCESS)
}

/// The application icon (assets/icon/hutong.png, also in the packages).
fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../../../../assets/icon/hutong.png"))
        .unwrap_or_default()
}

/// Fonts and theme; also used by the UI tests before their first frame.
pub fn setup_context(ctx: &egui::Context) {
    crate::fonts::install(ctx);
    // Offices work in daylight on printed forms: light by default.
    ctx.set_theme(egui::ThemePreference::Light);
}
