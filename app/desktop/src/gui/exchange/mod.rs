//! 数据交换: import with a column mapping, export with a purpose, the 数据比对
//! workbench, statistics and backups (#10).
//!
//! Each tab is its own module; `sheet` is the file-and-mapping step the
//! import and the comparison share. Everything that reads a whole file or
//! the whole county runs as a background job with its own `Store`.

pub(crate) mod backup;
mod compare;
pub(crate) mod export;
mod import;
mod sheet;
mod stats;

use super::HutongApp;
use super::jobs::JobName;
use eframe::egui;
use hutong_services::Action;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Import,
    Export,
    Compare,
    Stats,
    Backup,
}

#[derive(Default)]
pub struct ExchangeState {
    pub tab: Tab,
    import: import::ImportState,
    pub(crate) export: export::ExportState,
    compare: compare::CompareState,
    stats: stats::StatsState,
    backup: backup::BackupState,
}

impl ExchangeState {
    /// Whether a dialog of this screen is open (its jobs run in
    /// `app.jobs`; UI tests wait for both).
    pub fn busy(&self) -> bool {
        self.import.busy()
            || self.export.busy()
            || self.compare.busy()
            || self.stats.busy()
            || self.backup.busy()
    }
}

/// The background jobs this screen starts.
const JOBS: [JobName; 13] = [
    JobName::ImportRead,
    JobName::ImportCheck,
    JobName::Import,
    JobName::Export,
    JobName::CompareRead,
    JobName::Compare,
    JobName::CompareExport,
    JobName::StatsCompute,
    JobName::StatsOutput,
    JobName::BackupDaily,
    JobName::Backup,
    JobName::BackupVerify,
    JobName::Restore,
];

/// Runs every frame, whichever screen is shown: runs the daily backup when
/// it is due, and keeps frames coming while a dialog or a job of this
/// screen runs (its completion comes through `app.jobs`).
pub fn tick(app: &mut HutongApp, ctx: &egui::Context) {
    backup::tick(app);
    if app.exchange.busy() || running(app, &JOBS) {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
}

/// Whether any of these jobs runs.
fn running(app: &HutongApp, names: &[JobName]) -> bool {
    names.iter().any(|n| app.jobs.running(*n))
}

/// The permission each tab needs; a tab the role lacks is not offered.
fn tab_action(tab: Tab) -> Action {
    match tab {
        Tab::Import => Action::Import,
        Tab::Export => Action::ExportMasked,
        Tab::Compare => Action::Compare,
        Tab::Stats => Action::Statistics,
        Tab::Backup => Action::Backup,
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let tabs: Vec<(Tab, &str)> = [
        (Tab::Import, "ex-tab-import"),
        (Tab::Export, "ex-tab-export"),
        (Tab::Compare, "ex-tab-compare"),
        (Tab::Stats, "ex-tab-stats"),
        (Tab::Backup, "ex-tab-backup"),
    ]
    .into_iter()
    .filter(|(tab, _)| app.can(tab_action(*tab)))
    .collect();
    if !tabs.iter().any(|(t, _)| *t == app.exchange.tab)
        && let Some((first, _)) = tabs.first()
    {
        app.exchange.tab = *first;
    }
    ui.horizontal(|ui| {
        ui.heading(app.t("nav-exchange"));
        ui.separator();
        for (tab, key) in tabs {
            let label = app.t(key);
            if ui
                .selectable_label(app.exchange.tab == tab, label)
                .clicked()
            {
                app.exchange.tab = tab;
            }
        }
    });
    ui.separator();
    // Reached without the permission only through a stale screen: refuse
    // through the services (audited) instead of drawing the tab.
    if !app.can(tab_action(app.exchange.tab)) {
        if let Err(refusal) = app.require(tab_action(app.exchange.tab)) {
            ui.colored_label(crate::gui::theme::ERROR, refusal);
        }
        return;
    }
    match app.exchange.tab {
        Tab::Import => import::show(app, ui),
        Tab::Export => export::show(app, ui),
        Tab::Compare => compare::show(app, ui),
        Tab::Stats => stats::show(app, ui),
        Tab::Backup => backup::show(app, ui),
    }
}

/// A file dialog in flight, with what its answer is for.
pub(crate) struct Pending<P> {
    pub purpose: P,
    rx: Receiver<Option<PathBuf>>,
}

impl<P: Copy> Pending<P> {
    /// Asks the platform's dialogs (off the UI thread).
    pub fn ask(app: &HutongApp, purpose: P, request: crate::platform::DialogRequest) -> Self {
        Pending {
            purpose,
            rx: super::ask_dialog(app.platform.dialogs.clone(), request),
        }
    }

    /// `None` while the dialog is open; then the purpose and the answer
    /// (`None` inside: cancelled).
    pub fn answer(&self) -> Option<(P, Option<PathBuf>)> {
        match self.rx.try_recv() {
            Ok(a) => Some((self.purpose, a)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some((self.purpose, None)),
        }
    }
}

/// Takes the answer of a pending dialog, clearing it once answered.
pub(crate) fn take_answer<P: Copy>(slot: &mut Option<Pending<P>>) -> Option<(P, Option<PathBuf>)> {
    let answer = slot.as_ref()?.answer()?;
    *slot = None;
    Some(answer)
}

/// A file name safe on every system, from a title and today's date.
pub(crate) fn suggested_name(title: &str, ext: &str) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect();
    format!(
        "{clean}-{}.{ext}",
        chrono::Local::now().date_naive().format("%Y%m%d")
    )
}
