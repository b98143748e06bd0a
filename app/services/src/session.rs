//! Sessions: who is working, in which role and division.
//!
//! Every use case that reads or writes case data takes a [`Session`]. A
//! session comes only from [`login`] (a user who proved their password) or
//! [`Session::system`] (a named job such as the daily sweep, audited under
//! its own name). There is no anonymous path.

use crate::error::{Result, ServiceError};
use crate::permissions::{self, Action};
use hutong_core::audit::{AuditAction, AuditEntryInput};
use hutong_core::users::{self, LoginCheck, Role, User};
use hutong_core::{Actor, CoreError, Scope, Store};
use std::path::Path;

/// A job the workstation runs by itself, with what it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemJob {
    /// The daily eligibility sweep: reads and re-classifies children.
    EligibilitySweep,
    /// The daily backup into the county's backup folder.
    ScheduledBackup,
    /// Building a demo county (`hutong demo`, the first run): before any
    /// account exists, it trusts the demo key and installs the plugin the
    /// program carries. The use cases refuse a database not marked as demo.
    BuildDemo,
}

impl SystemJob {
    /// The name the audit log records as the actor.
    pub fn actor_name(self) -> &'static str {
        match self {
            SystemJob::EligibilitySweep => "系统：每日资格复核",
            SystemJob::ScheduledBackup => "系统：每日自动备份",
            SystemJob::BuildDemo => "hutong demo",
        }
    }

    fn permits(self, action: Action) -> bool {
        match self {
            SystemJob::EligibilitySweep => {
                matches!(action, Action::ViewCases | Action::EditCases)
            }
            SystemJob::ScheduledBackup => matches!(action, Action::Backup),
            SystemJob::BuildDemo => matches!(
                action,
                Action::ViewCases | Action::EditCases | Action::InstallPlugin | Action::TrustKeys
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    User(User),
    System(SystemJob),
}

/// An authenticated session. Cheap to clone; carries no password or key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    who: Who,
    scope: Scope,
}

impl Session {
    /// A system job's session over the whole county, audited under the
    /// job's name.
    pub fn system(store: &Store, job: SystemJob) -> Result<Session> {
        Ok(Session {
            who: Who::System(job),
            scope: store.county_scope()?,
        })
    }

    /// The signed-in user (`None` for a system job).
    pub fn user(&self) -> Option<&User> {
        match &self.who {
            Who::User(u) => Some(u),
            Who::System(_) => None,
        }
    }

    /// The role the permission table is read for. A system job has none of
    /// its own: [`Session::can`] asks the job.
    pub fn role(&self) -> Option<Role> {
        self.user().map(|u| u.role)
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The name shown in the top bar and stored in the audit log.
    pub fn display_name(&self) -> &str {
        match &self.who {
            Who::User(u) => &u.display_name,
            Who::System(job) => job.actor_name(),
        }
    }

    pub fn username(&self) -> &str {
        match &self.who {
            Who::User(u) => &u.username,
            Who::System(job) => job.actor_name(),
        }
    }

    /// The audit log's actor for this session's writes, bounded by its scope.
    pub fn actor(&self) -> Actor {
        match &self.who {
            Who::User(u) => Actor::user(u),
            Who::System(job) => Actor::system(job.actor_name(), self.scope.clone()),
        }
    }

    /// Whether the password must be changed before anything else.
    pub fn must_change_password(&self) -> bool {
        self.user().is_some_and(|u| u.must_change_password)
    }

    /// Whether the session may do `action` (for showing or hiding a
    /// control; the use case checks again with [`Session::require`]).
    pub fn can(&self, action: Action) -> bool {
        match &self.who {
            Who::User(u) => !u.must_change_password && permissions::permits(u.role, action),
            Who::System(job) => job.permits(action),
        }
    }

    /// Refuses `action` unless the table grants it, recording the refusal
    /// in the audit log (`access.denied`, with the action and the role).
    pub fn require(&self, store: &mut Store, action: Action) -> Result<()> {
        if self.can(action) {
            return Ok(());
        }
        let role = self.role().unwrap_or(Role::Auditor);
        self.audit_refusal(store, action.code(), action.label_zh());
        if self.must_change_password() {
            return Err(ServiceError::MustChangePassword(
                self.username().to_string(),
            ));
        }
        Err(ServiceError::Denied { action, role })
    }

    /// Records a refused attempt. A refusal must never fail the caller's
    /// error path, so a failure to write it is logged and dropped.
    pub fn audit_refusal(&self, store: &mut Store, code: &str, what: &str) {
        let role = self.role().map(Role::code).unwrap_or("system");
        let written = store.write(&self.actor(), |tx| {
            tx.audit(
                AuditEntryInput::new(
                    AuditAction::AccessDenied,
                    "permissions",
                    Some(code.to_string()),
                )
                .reason(what)
                .detail(serde_json::json!({ "role": role, "scope": self.scope.code() })),
            )
        });
        if let Err(e) = written {
            tracing::error!("could not audit a refusal: {e}");
        }
    }

    /// The session's scope, narrowed to `division_code` when one is given
    /// (it must lie inside the scope; a division outside it is refused and
    /// the attempt audited).
    pub fn narrowed(&self, store: &mut Store, division_code: Option<&str>) -> Result<Scope> {
        match division_code.map(str::trim).filter(|d| !d.is_empty()) {
            None => Ok(self.scope().clone()),
            Some(d) => {
                let code = hutong_core::national::division::normalize_code(d)
                    .ok_or_else(|| CoreError::field("区划", format!("“{d}”不是有效的区划代码")))?;
                let narrowed = self.scope().narrow_to(&code);
                self.checked(store, narrowed)
            }
        }
    }

    /// Refuses, audited, unless the session's scope is the whole county:
    /// for work whose other side is every child there (imports, 数据比对,
    /// the county sweep), which a narrower account may not do even when
    /// its role holds the permission. `what` names the work in the refusal.
    pub fn require_county_wide(&self, store: &mut Store, what: &str) -> Result<()> {
        let county = store.county_code()?.unwrap_or_default();
        if self.scope().contains(&county) {
            return Ok(());
        }
        self.checked(
            store,
            Err(CoreError::OutOfScope {
                what: what.to_string(),
                scope: self.scope().code().to_string(),
                audited: false,
            }),
        )
    }

    /// Audits an out-of-scope refusal that core returned, then hands the
    /// error on. Use on every result of a call that names a child or a
    /// division the user chose.
    pub fn checked<T>(
        &self,
        store: &mut Store,
        result: std::result::Result<T, CoreError>,
    ) -> Result<T> {
        match result {
            Err(CoreError::OutOfScope {
                what,
                scope,
                audited,
            }) => {
                if !audited {
                    self.audit_refusal(store, "out_of_scope", &what);
                }
                Err(ServiceError::Core(CoreError::OutOfScope {
                    what,
                    scope,
                    audited: true,
                }))
            }
            other => Ok(other?),
        }
    }
}

/// Logs in: checks the password (as long for an unknown name as for a
/// wrong password), records the attempt and any lock in the audit log, and
/// returns the session. Five wrong passwords in a row lock the account.
pub fn login(store: &mut Store, username: &str, password: &str) -> Result<Session> {
    let now = chrono::Local::now().fixed_offset();
    let check = users::check_login(store.conn(), username, password, now)?;
    let recorder = Actor::system("登录", store.county_scope()?);
    let locked_now = store.write(&recorder, |tx| {
        users::record_login(tx, username, &check, password, now)
    })?;
    match check {
        LoginCheck::Ok(user) => Ok(Session {
            scope: user.scope.clone(),
            who: Who::User(user),
        }),
        LoginCheck::Locked { until } => Err(CoreError::AccountLocked {
            username: username.trim().to_string(),
            until,
        }
        .into()),
        LoginCheck::WrongPassword { .. } => match locked_now {
            Some(until) => Err(CoreError::AccountLocked {
                username: username.trim().to_string(),
                until,
            }
            .into()),
            None => Err(CoreError::BadCredentials.into()),
        },
        LoginCheck::Refused => Err(CoreError::BadCredentials.into()),
    }
}

/// An unlocked database and the session of the user who unlocked it.
pub struct Opened {
    pub store: Store,
    pub session: Session,
    /// Set when this log-in encrypted an old plaintext database: the
    /// county's new recovery code (shown once), and the accounts that need a
    /// password reset before they can log in.
    pub migrated: Option<Migrated>,
}

pub struct Migrated {
    pub recovery_code: zeroize::Zeroizing<String>,
    pub accounts_without_slot: Vec<String>,
}

/// Opens the encrypted database at `db` with a user's password and logs the
/// user in. The password opens the account's key slot (counting wrong
/// passwords toward a lock in the key file, which the next successful open
/// writes into the audit log); the account must then be active and
/// unlocked in the database. An old plaintext database is encrypted on the
/// first log-in of a county administrator; anyone else is refused.
pub fn open_and_login(db: &Path, username: &str, password: &str) -> Result<Opened> {
    let now = chrono::Local::now().fixed_offset();
    let (mut store, account, migrated) = match Store::unlock(db, username, password) {
        Ok((store, account)) => (store, account, None),
        Err(CoreError::Unencrypted { .. }) => encrypt_old_database(db, username, password)?,
        Err(e) => return Err(e.into()),
    };
    let check = users::check_unlocked(store.conn(), username, &account, now)?;
    let recorder = Actor::system("登录", store.county_scope()?);
    store.write(&recorder, |tx| {
        users::record_login(tx, username, &check, password, now)
    })?;
    let session = match check {
        LoginCheck::Ok(user) => Session {
            scope: user.scope.clone(),
            who: Who::User(user),
        },
        LoginCheck::Locked { until } => {
            return Err(CoreError::AccountLocked {
                username: username.trim().to_string(),
                until,
            }
            .into());
        }
        LoginCheck::WrongPassword { .. } | LoginCheck::Refused => {
            return Err(CoreError::BadCredentials.into());
        }
    };
    sign_daily_anchor(&mut store);
    Ok(Opened {
        store,
        session,
        migrated,
    })
}

/// The chain's head is signed at least daily; the first log-in of the day
/// does it. A failure is logged and does not stop the log-in (the next one
/// tries again; `audit verify` reports how old the latest anchor is).
fn sign_daily_anchor(store: &mut Store) {
    let now = chrono::Local::now().fixed_offset();
    let due = hutong_core::anchors::daily_due(store.conn(), now);
    if !matches!(due, Ok(true)) {
        return;
    }
    let made = store
        .county_scope()
        .map(|scope| Actor::system("系统：每日审计锚点", scope))
        .and_then(|actor| hutong_core::anchors::make(store, &actor, "每日"));
    if let Err(e) = made {
        tracing::warn!("could not sign the daily audit anchor: {e}");
    }
}

fn encrypt_old_database(
    db: &Path,
    username: &str,
    password: &str,
) -> Result<(Store, String, Option<Migrated>)> {
    let plain = Store::open_existing_unencrypted(db)?;
    let now = chrono::Local::now().fixed_offset();
    let user = match users::check_login(plain.conn(), username, password, now)? {
        LoginCheck::Ok(user) if user.role == Role::CountyAdmin => user,
        LoginCheck::Ok(_) => {
            return Err(CoreError::Unencrypted {
                path: db.to_path_buf(),
            }
            .into());
        }
        LoginCheck::Locked { until } => {
            return Err(CoreError::AccountLocked {
                username: username.trim().to_string(),
                until,
            }
            .into());
        }
        _ => return Err(CoreError::BadCredentials.into()),
    };
    drop(plain);
    let account = user.id.to_string();
    let done =
        hutong_core::store::encrypt::encrypt_plaintext(db, &account, &user.username, password)?;
    let mut store = done.store;
    let actor = Actor::user(&user);
    store.write(&actor, |tx| {
        tx.audit(
            AuditEntryInput::new(AuditAction::DbEncrypt, "meta", None)
                .reason("旧版本明文数据库首次由县级管理员登录，已加密")
                .detail(
                    serde_json::json!({ "accounts_needing_reset": done.accounts_without_slot }),
                ),
        )
    })?;
    Ok((
        store,
        account,
        Some(Migrated {
            recovery_code: done.recovery_code,
            accounts_without_slot: done.accounts_without_slot,
        }),
    ))
}

/// Re-reads the session's account, e.g. after a password change, so the
/// session reflects the stored role, scope and flags.
pub fn refresh(store: &Store, session: &Session) -> Result<Session> {
    match &session.who {
        Who::System(_) => Ok(session.clone()),
        Who::User(u) => {
            let user = users::get_by_username(store.conn(), &u.username)?
                .filter(|u| u.active)
                .ok_or(CoreError::BadCredentials)?;
            Ok(Session {
                scope: user.scope.clone(),
                who: Who::User(user),
            })
        }
    }
}

/// Records a log-out (退出登录) in the audit log. Best effort: a failure is
/// logged, and the face drops the session whatever happens.
pub fn record_log_out(store: &mut Store, session: &Session) {
    record_session_end(
        store,
        session,
        AuditAction::UserLogout,
        serde_json::json!({}),
    );
}

/// Records the idle lock: the session ended after `idle_minutes` without
/// input.
pub fn record_idle_lock(store: &mut Store, session: &Session, idle_minutes: u32) {
    record_session_end(
        store,
        session,
        AuditAction::UserLockedIdle,
        serde_json::json!({ "idle_minutes": idle_minutes }),
    );
}

fn record_session_end(
    store: &mut Store,
    session: &Session,
    action: AuditAction,
    detail: serde_json::Value,
) {
    let written = store.write(&session.actor(), |tx| {
        tx.audit(
            hutong_core::audit::AuditEntryInput::new(
                action,
                "users",
                session.user().map(|u| u.id.to_string()),
            )
            .detail(detail),
        )
    });
    if let Err(e) = written {
        tracing::error!("could not audit {action}: {e}");
    }
}
