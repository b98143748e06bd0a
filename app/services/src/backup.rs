//! Backups (`Backup`), once for the workstation and the command line: a
//! backup to a file, the daily backup's folder, and the daily run itself,
//! which is a system job under its own audited session. Backups are
//! encrypted under the database key and verified after writing (core).
//! Restoring is [`crate::restore`], for administrators only.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::Store;
use hutong_core::backup::{self, BackupInfo};
use hutong_core::national::NaiveDate;
use std::path::{Path, PathBuf};

/// Backs the open database up to `dest` (which must not exist).
pub fn backup_to(store: &mut Store, session: &Session, dest: &Path) -> Result<BackupInfo> {
    session.require(store, Action::Backup)?;
    let done = backup::backup_to(store, &session.actor(), dest);
    session.checked(store, done)
}

/// Writes `folder/hutong-YYYYMMDD.db` unless today's backup is there.
pub fn backup_due(
    store: &mut Store,
    session: &Session,
    folder: &Path,
    today: NaiveDate,
) -> Result<Option<BackupInfo>> {
    session.require(store, Action::Backup)?;
    let done = backup::backup_due(store, &session.actor(), folder, today);
    session.checked(store, done)
}

/// The folder of the daily backup, if the county set one (a setting, not
/// case data).
pub fn folder(store: &Store) -> Result<Option<PathBuf>> {
    Ok(backup::schedule(store.conn())?)
}

/// Sets (or, with `None`, stops) the daily backup.
pub fn set_folder(store: &mut Store, session: &Session, folder: Option<&Path>) -> Result<()> {
    session.require(store, Action::Backup)?;
    let done = backup::set_schedule(store, &session.actor(), folder);
    session.checked(store, done)
}

/// The daily backup, if a folder is set and today's is not written yet.
/// Run under `Session::system(.., SystemJob::ScheduledBackup)`.
pub fn run_scheduled(
    store: &mut Store,
    session: &Session,
    today: NaiveDate,
) -> Result<Option<BackupInfo>> {
    session.require(store, Action::Backup)?;
    let done = backup::run_scheduled(store, &session.actor(), today);
    session.checked(store, done)
}
