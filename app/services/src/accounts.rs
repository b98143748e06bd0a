//! Accounts: the 用户与权限 use cases, for the screen and `hutong user`.
//!
//! Only a county administrator manages accounts; everyone changes their own
//! password. Every change is audited by core; refusals are audited here.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::{self, Session};
use hutong_core::users::{self, NewUser, Role, User};
use hutong_core::{RowId, Store};

/// A new account as the administrator enters it.
#[derive(Debug, Clone)]
pub struct AccountRequest {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// County code for county roles, township for 督导员, village for 主任.
    pub scope_code: String,
    pub phone: Option<String>,
    /// The first password; the user must change it at the first log-in.
    pub initial_password: String,
    /// The 工作队伍 register entry of this 督导员 or 主任, if any.
    pub worker_id: Option<RowId>,
}

pub fn list(store: &mut Store, session: &Session) -> Result<Vec<User>> {
    session.require(store, Action::ManageUsers)?;
    Ok(users::list(store.conn())?)
}

/// Each account's display name by username ("caseworker" → "王芳"), so the
/// history a user reads names the people who acted. Anyone who may read
/// case files may read these names; nothing else of the accounts is given.
pub fn display_names(
    store: &mut Store,
    session: &Session,
) -> Result<std::collections::HashMap<String, String>> {
    session.require(store, Action::ViewCases)?;
    Ok(users::list(store.conn())?
        .into_iter()
        .map(|u| (u.username, u.display_name))
        .collect())
}

/// The accounts with the name of each one's division ("插花村民委员会"),
/// for the 用户与权限 table (people read names, not codes).
pub fn list_with_scope_names(store: &mut Store, session: &Session) -> Result<Vec<(User, String)>> {
    let list = list(store, session)?;
    list.into_iter()
        .map(|u| {
            let name = hutong_core::divisions::get(store.conn(), u.scope.code())?
                .map(|d| d.name)
                .unwrap_or_default();
            Ok((u, name))
        })
        .collect()
}

pub fn create(store: &mut Store, session: &Session, req: &AccountRequest) -> Result<User> {
    session.require(store, Action::ManageUsers)?;
    let user = store.write(&session.actor(), |tx| {
        users::create(
            tx,
            &NewUser {
                username: &req.username,
                display_name: &req.display_name,
                role: req.role,
                scope_code: &req.scope_code,
                phone: req.phone.as_deref(),
                password: &req.initial_password,
                worker_id: req.worker_id,
                must_change_password: true,
            },
        )
    })?;
    Ok(user)
}

pub fn set_active(
    store: &mut Store,
    session: &Session,
    username: &str,
    active: bool,
) -> Result<User> {
    session.require(store, Action::ManageUsers)?;
    Ok(store.write(&session.actor(), |tx| {
        users::set_active(tx, username, active)
    })?)
}

pub fn reset_password(
    store: &mut Store,
    session: &Session,
    username: &str,
    new_password: &str,
) -> Result<User> {
    session.require(store, Action::ManageUsers)?;
    Ok(store.write(&session.actor(), |tx| {
        users::reset_password(tx, username, new_password)
    })?)
}

pub fn set_role(
    store: &mut Store,
    session: &Session,
    username: &str,
    role: Role,
    scope_code: &str,
) -> Result<User> {
    session.require(store, Action::ManageUsers)?;
    Ok(store.write(&session.actor(), |tx| {
        users::set_role(tx, username, role, scope_code)
    })?)
}

/// Everyone changes their own password (also when a reset forces it).
/// Returns the refreshed session.
pub fn change_own_password(
    store: &mut Store,
    session: &Session,
    old_password: &str,
    new_password: &str,
) -> Result<Session> {
    let Some(user) = session.user() else {
        return Err(hutong_core::CoreError::field("账户", "系统任务没有密码").into());
    };
    let username = user.username.clone();
    store.write(&session.actor(), |tx| {
        users::change_password(tx, &username, old_password, new_password)
    })?;
    session::refresh(store, session)
}

/// The register's 督导员 and 主任 who could be given an account: active
/// workers inside the administrator's scope.
pub fn linkable_workers(
    store: &mut Store,
    session: &Session,
) -> Result<Vec<hutong_core::workforce::Worker>> {
    session.require(store, Action::ManageUsers)?;
    let today = chrono::Local::now().date_naive();
    Ok(hutong_core::workforce::list_workers(
        store.conn(),
        session.scope(),
        None,
        Some(today),
    )?)
}

/// The signed-in user's own preferences (language, text size); a system
/// session has none.
pub fn my_preferences(store: &Store, session: &Session) -> Result<users::Preferences> {
    match session.user() {
        Some(user) => Ok(users::preferences(store.conn(), &user.username)?),
        None => Ok(users::Preferences::default()),
    }
}

/// Saves the signed-in user's own preferences. Everyone may, for
/// themselves only; nothing else changes with them.
pub fn set_my_preferences(
    store: &mut Store,
    session: &Session,
    preferences: &users::Preferences,
) -> Result<()> {
    let Some(user) = session.user() else {
        return Err(hutong_core::CoreError::field("账户", "系统任务没有界面偏好").into());
    };
    let username = user.username.clone();
    if users::preferences(store.conn(), &username)? == *preferences {
        return Ok(());
    }
    store.write(&session.actor(), |tx| {
        users::set_preferences(tx, &username, preferences)
    })?;
    Ok(())
}

/// The county's idle-lock minutes (any signed-in user may read it).
pub fn idle_lock_minutes(store: &Store) -> Result<u32> {
    Ok(users::idle_lock_minutes(store.conn())?)
}

/// Sets the idle lock for every workstation on this database.
pub fn set_idle_lock_minutes(store: &mut Store, session: &Session, minutes: u32) -> Result<()> {
    session.require(store, Action::ManageUsers)?;
    Ok(store.write(&session.actor(), |tx| {
        users::set_idle_lock_minutes(tx, minutes)
    })?)
}

/// The divisions an account of `role` may be scoped to: the county for
/// county roles, its townships for a 督导员, its villages for a 主任.
pub fn scope_choices(
    store: &mut Store,
    session: &Session,
    role: Role,
) -> Result<Vec<hutong_core::divisions::Division>> {
    session.require(store, Action::ManageUsers)?;
    let scope = session.scope().code();
    Ok(match role.scope_level() {
        hutong_core::national::division::DivisionLevel::County => {
            hutong_core::divisions::get(store.conn(), scope)?
                .into_iter()
                .collect()
        }
        level => hutong_core::divisions::within(store.conn(), scope, level)?,
    })
}
