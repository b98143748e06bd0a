//! 备份与恢复: an online backup (SQLite backup API) to a chosen file; a
//! daily backup to a folder (the folder is stored in the database, and the
//! backup runs in the background at most once a day while the app is open);
//! restore with verification and an explicit confirmation.

use super::Pending;
use crate::gui::HutongApp;
use crate::gui::jobs::{JobName, Outcome};
use crate::gui::notices::{Level, Place};
use crate::platform::{DialogKind, DialogRequest};
use crate::t;
use eframe::egui;
use hutong_core::Store;
use hutong_core::national::NaiveDate;
use hutong_core::restore::{RestorePreview, RestoreReport};
use hutong_services::backup as services_backup;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    BackupFile,
    DailyFolder,
    RestoreFile,
}

/// A backup file checked and waiting for the user's confirmation: what
/// would change, the acknowledgement, and the password typed again.
struct Candidate {
    path: PathBuf,
    preview: RestorePreview,
    understood: bool,
    password: zeroize::Zeroizing<String>,
}

#[derive(Default)]
pub struct BackupState {
    dialog: Option<Pending<Ask>>,
    candidate: Option<Candidate>,
    /// The daily backup: the day it last ran (or was found done) in this
    /// session (its job is [`JobName::BackupDaily`]).
    daily_checked: Option<NaiveDate>,
}

impl BackupState {
    /// Whether a file dialog is open (the jobs run in `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }
}

/// The jobs of this tab.
const JOBS: [JobName; 4] = [
    JobName::Backup,
    JobName::BackupVerify,
    JobName::Restore,
    JobName::BackupDaily,
];

/// Every frame: starts today's scheduled backup once (it ends through
/// `app.jobs`).
pub fn tick(app: &mut HutongApp) {
    if app.session.is_none() {
        return;
    }
    let today = chrono::Local::now().date_naive();
    let lang = app.lang;
    if app.exchange.backup.daily_checked == Some(today) || app.jobs.running(JobName::Restore) {
        return;
    }
    app.exchange.backup.daily_checked = Some(today);
    // Cheap check first: no folder set, no job.
    if !matches!(services_backup::folder(&app.store), Ok(Some(_))) {
        return;
    }
    let db = app.store.database();
    // The daily backup is a system job, audited under its own name.
    let system = match hutong_services::Session::system(
        &app.store,
        hutong_services::SystemJob::ScheduledBackup,
    ) {
        Ok(session) => session,
        Err(e) => {
            app.notices.error(
                Place::ExchangeBackup,
                t!(lang, "xch-daily_failed", error = e.to_string()),
            );
            return;
        }
    };
    app.jobs.start(
        JobName::BackupDaily,
        t!(lang, "xch-job_daily"),
        move |_| {
            let mut store = db.open()?;
            Ok(
                services_backup::run_scheduled(&mut store, &system, today)?.map(|i| {
                    t!(
                        lang,
                        "xch-daily_written",
                        path = i.path.display().to_string(),
                        bytes = i.bytes
                    )
                }),
            )
        },
        move |app: &mut HutongApp, o: Outcome<Option<String>>| match o {
            Outcome::Finished(Some(m)) => app.notices.success(Place::ExchangeBackup, m),
            Outcome::Finished(None) | Outcome::Cancelled => {}
            Outcome::Failed(e) => app.notices.error(
                Place::ExchangeBackup,
                t!(lang, "xch-daily_failed", error = e),
            ),
        },
    );
}

fn poll(app: &mut HutongApp) {
    if let Some((ask, answer)) = super::take_answer(&mut app.exchange.backup.dialog) {
        let Some(path) = answer else {
            let text = app.t("xch-cancelled");
            app.notices.error(Place::ExchangeBackup, text);
            return;
        };
        match ask {
            Ask::BackupFile => start_backup(app, path),
            Ask::DailyFolder => {
                match app
                    .call(|store, session| services_backup::set_folder(store, session, Some(&path)))
                {
                    Ok(()) => {
                        // Run today's at once if it is not there yet.
                        app.exchange.backup.daily_checked = None;
                        let text = t!(app.lang, "xch-daily_set", path = path.display().to_string());
                        app.notices.success(Place::ExchangeBackup, text);
                    }
                    Err(e) => app.notices.error(Place::ExchangeBackup, e),
                }
            }
            Ask::RestoreFile => start_verify(app, path),
        }
    }
}

fn start_backup(app: &mut HutongApp, path: PathBuf) {
    let session = app.session.clone();
    let db = app.store.database();
    let lang = app.lang;
    app.jobs.start(
        JobName::Backup,
        t!(lang, "xch-job_backup"),
        move |p| {
            p.note(t!(lang, "xch-note_backup"));
            let session = session.ok_or_else(|| t!(lang, "xch-not_logged_in"))?;
            let mut store = db.open()?;
            let i = services_backup::backup_to(&mut store, &session, &path)?;
            Ok(t!(
                lang,
                "xch-backed_up",
                path = i.path.display().to_string(),
                bytes = i.bytes,
                children = i.verification.children,
                entries = i.verification.audit.entries_checked
            ))
        },
        |app: &mut HutongApp, o: Outcome<String>| match o {
            Outcome::Finished(m) => app.notices.success(Place::ExchangeBackup, m),
            Outcome::Failed(m) => app.notices.error(Place::ExchangeBackup, m),
            Outcome::Cancelled => app.notices.clear(Place::ExchangeBackup),
        },
    );
}

fn start_verify(app: &mut HutongApp, path: PathBuf) {
    app.exchange.backup.candidate = None;
    let Some(session) = app.session.clone() else {
        return;
    };
    let db = app.store.database();
    let lang = app.lang;
    app.jobs.start(
        JobName::BackupVerify,
        t!(lang, "xch-job_verify"),
        move |p| {
            p.note(t!(lang, "xch-note_verify"));
            let mut store = db.open()?;
            let preview = hutong_services::restore::preview(&session, &mut store, &path)?;
            Ok((path, preview))
        },
        move |app: &mut HutongApp, o: Outcome<(PathBuf, RestorePreview)>| match o {
            Outcome::Finished((path, preview)) => {
                app.exchange.backup.candidate = Some(Candidate {
                    path,
                    preview,
                    understood: false,
                    password: Default::default(),
                })
            }
            Outcome::Failed(m) => app.notices.error(
                Place::ExchangeBackup,
                t!(lang, "xch-verify_failed", error = m),
            ),
            Outcome::Cancelled => {}
        },
    );
}

/// Hands this window's connection to the restore on a job thread (the
/// file is replaced under it); the screen reopens it when the job ends.
fn start_restore(app: &mut HutongApp) {
    let Some(c) = app.exchange.backup.candidate.take() else {
        return;
    };
    let Some(session) = app.session.clone() else {
        return;
    };
    let placeholder = match Store::open_unencrypted(std::path::Path::new(":memory:")) {
        Ok(s) => s,
        Err(e) => {
            let text = t!(app.lang, "xch-cannot_close_db", error = e.to_string());
            app.notices.error(Place::ExchangeBackup, text);
            return;
        }
    };
    let store = std::mem::replace(&mut app.store, placeholder);
    let lang = app.lang;
    app.jobs.start(
        JobName::Restore,
        t!(lang, "xch-job_restore"),
        move |p| {
            p.note(t!(lang, "xch-note_restore"));
            Ok(hutong_services::restore::restore(
                &session,
                store,
                &c.path,
                &c.password,
            )?)
        },
        finish_restore,
    );
}

fn finish_restore(app: &mut HutongApp, o: Outcome<RestoreReport>) {
    // Reopen whatever is at the path now: the restored file, or the
    // untouched original when the restore was refused.
    let reopened = match &app.database {
        Some(db) => db.open(),
        None => Err(hutong_core::CoreError::NotInitialised {
            path: app.db_path.clone(),
        }),
    };
    match reopened {
        Ok(s) => app.store = s,
        Err(e) => {
            let text = t!(app.lang, "xch-cannot_reopen_db", error = e.to_string());
            app.notices.error(Place::ExchangeBackup, text);
            return;
        }
    }
    app.file = None;
    app.list.dirty = true;
    app.home.fresh = false;
    app.reload_plugins();
    let lang = app.lang;
    let (ok, text) = match o {
        Outcome::Finished(r) => (
            r.audit_after.is_intact(),
            t!(
                lang,
                "xch-restored",
                from = r.restored_from.display().to_string(),
                children = r.verification.children,
                entries = r.audit_after.entries_checked,
                chain = t!(
                    lang,
                    if r.audit_after.is_intact() {
                        "xch-chain_verified"
                    } else {
                        "xch-chain_broken_alarm"
                    }
                ),
                kept = r
                    .previous_kept_as
                    .map(|p| t!(lang, "xch-kept_as", path = p.display().to_string()))
                    .unwrap_or_default()
            ),
        ),
        Outcome::Failed(e) => (false, t!(lang, "xch-restore_failed", error = e)),
        Outcome::Cancelled => (false, t!(lang, "xch-restore_cancelled")),
    };
    let level = if ok { Level::Success } else { Level::Error };
    app.notices.push(Place::ExchangeBackup, level, text);
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll(app);
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let mut ask = None;
    let idle = !app.exchange.backup.busy() && !super::running(app, &JOBS);
    let may_restore = app.can(hutong_services::Action::Restore);
    ui.heading(t("ex-backup_now_title"));
    if ui
        .add_enabled(idle, egui::Button::new(t("ex-backup_now")))
        .clicked()
    {
        ask = Some(Ask::BackupFile);
    }
    ui.add_space(8.0);
    ui.heading(t("ex-daily_title"));
    let folder = services_backup::folder(&app.store).ok().flatten();
    ui.horizontal(|ui| {
        match &folder {
            Some(f) => ui.label(t!(
                lang,
                "xch-label_value",
                label = t("ex-daily_folder"),
                value = f.display().to_string()
            )),
            None => ui.label(t("ex-daily_off")),
        };
        if ui
            .add_enabled(idle, egui::Button::new(t("ex-daily_choose")))
            .clicked()
        {
            ask = Some(Ask::DailyFolder);
        }
        if folder.is_some() && ui.button(t("ex-daily_stop")).clicked() {
            match app.call(|store, session| services_backup::set_folder(store, session, None)) {
                Ok(()) => app
                    .notices
                    .success(Place::ExchangeBackup, t("xch-daily_stopped")),
                Err(e) => app.notices.error(Place::ExchangeBackup, e),
            }
        }
    });
    ui.weak(t("ex-daily_hint"));
    ui.add_space(8.0);
    // Only an administrator restores; others do not see the control.
    if may_restore {
        ui.heading(t("ex-restore_title"));
        ui.weak(t("ex-restore_hint"));
        if ui
            .add_enabled(idle, egui::Button::new(t("ex-restore_choose")))
            .clicked()
        {
            ask = Some(Ask::RestoreFile);
        }
    }
    for job in JOBS {
        app.jobs.show(ui, job);
    }
    app.notices.show_here(ui, Place::ExchangeBackup);
    let b = &mut app.exchange.backup;
    let mut confirm = false;
    let mut cancel = false;
    if let Some(c) = &mut b.candidate {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.strong(t("ex-restore_confirm_title"));
            let v = &c.preview.verification;
            ui.label(t!(
                lang,
                "xch-backup_file",
                path = c.path.display().to_string()
            ));
            ui.label(t!(
                lang,
                "xch-backup_summary",
                county = v.county_code.to_string(),
                schema = v.schema_version,
                children = v.children,
                entries = v.audit.entries_checked,
                chain = t(if v.audit.is_intact() {
                    "xch-chain_intact"
                } else {
                    "xch-chain_broken"
                })
            ));
            ui.label(t!(
                lang,
                "xch-entries_carried",
                n = c.preview.entries_carried
            ));
            if c.preview.changes.is_empty() {
                ui.label(t("ex-restore_no_changes"));
            } else {
                ui.strong(t("ex-restore_changes"));
                for line in &c.preview.changes {
                    ui.label(format!("· {line}"));
                }
            }
            ui.colored_label(crate::gui::theme::ERROR, t("ex-restore_warning"));
            ui.checkbox(&mut c.understood, t("ex-restore_understood"));
            ui.horizontal(|ui| {
                let l = ui.label(t("ex-restore_password"));
                ui.add(egui::TextEdit::singleline(&mut *c.password).password(true))
                    .labelled_by(l.id);
            });
            ui.horizontal(|ui| {
                let ready = c.understood && !c.password.is_empty();
                if ui
                    .add_enabled(ready, egui::Button::new(t("ex-restore_confirm")))
                    .clicked()
                {
                    confirm = true;
                }
                if ui.button(t("common-cancel")).clicked() {
                    cancel = true;
                }
            });
        });
    }
    if cancel {
        b.candidate = None;
    }
    if confirm {
        start_restore(app);
    }
    if let Some(ask) = ask {
        let request = match ask {
            Ask::BackupFile => DialogRequest::new(DialogKind::SaveFile, t("ex-backup_now"))
                .filter(t("xch-filter_db"), &["db", "sqlite"])
                .file_name(super::suggested_name(&t("xch-default_backup_name"), "db")),
            Ask::DailyFolder => DialogRequest::new(DialogKind::PickFolder, t("ex-daily_choose")),
            Ask::RestoreFile => DialogRequest::new(DialogKind::OpenFile, t("ex-restore_choose"))
                .filter(t("xch-filter_db"), &["db", "sqlite"]),
        };
        app.exchange.backup.dialog = Some(Pending::ask(app, ask, request));
    }
}
