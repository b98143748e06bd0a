//! Restoring a backup: the county administrator's, with the password typed
//! again, after seeing what would change. Written once for both faces.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::restore::{self, RestorePreview, RestoreReport};
use hutong_core::{CoreError, Database, KeyRing, Store};
use std::path::Path;

/// Checks the backup (everything a restore checks) and lists what would
/// change in accounts, trusted keys and settings. Changes nothing.
pub fn preview(session: &Session, store: &mut Store, backup: &Path) -> Result<RestorePreview> {
    session.require(store, Action::Restore)?;
    Ok(restore::preview(&store.database(), backup)?)
}

/// The administrator's password, typed again, must open their own key
/// slot (a wrong one counts toward the lock like a log-in).
fn confirm_password(session: &Session, db: &Path, password: &str) -> Result<()> {
    let user = session.user().ok_or(CoreError::BadCredentials)?;
    KeyRing::locked(db, |ring| {
        ring.unlock(
            &user.username,
            password,
            chrono::Local::now().fixed_offset(),
        )
    })
    .map_err(|e| match e {
        CoreError::BadCredentials => CoreError::field("密码", "不正确，未恢复"),
        other => other,
    })?;
    Ok(())
}

/// Restores `backup` over the database. The caller's store is consumed:
/// the file is replaced under it, and the caller reopens afterwards.
pub fn restore(
    session: &Session,
    mut store: Store,
    backup: &Path,
    password: &str,
) -> Result<RestoreReport> {
    session.require(&mut store, Action::Restore)?;
    let database: Database = store.database();
    if store.is_encrypted() {
        confirm_password(session, database.path(), password)?;
    }
    drop(store);
    Ok(restore::restore(&database, backup, &session.actor())?)
}
