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
    /// Whether a job or a dialog of this screen is running (UI tests wait).
    pub fn busy(&self) -> bool {
        self.import.busy()
            || self.export.busy()
            || self.compare.busy()
            || self.stats.busy()
            || self.backup.busy()
    }

    /// The latest message of the current tab, for tests and the status line.
    pub fn message(&self) -> Option<&str> {
        let m = match self.tab {
            Tab::Import => &self.import.message,
            Tab::Export => &self.export.message,
            Tab::Compare => &self.compare.message,
            Tab::Stats => &self.stats.message,
            Tab::Backup => &self.backup.message,
        };
        m.as_ref().map(|(_, s)| s.as_str())
    }
}

/// Runs every frame, whichever screen is shown: finishes jobs started here
/// and runs the daily backup when it is due.
pub fn tick(app: &mut HutongApp, ctx: &egui::Context) {
    backup::tick(app);
    if app.exchange.busy() {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
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
