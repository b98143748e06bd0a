//! Users, roles and division scopes. Passwords are hashed with Argon2id.
//!
//! A user's scope is a division subtree: a village 儿童主任 sees only their
//! own village, a township 督导员 their township, county staff the county.

use crate::RowId;
use crate::access::Scope;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::{SlotChange, WriteTx};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hutong_national::division::{self, DivisionLevel};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CountyAdmin,
    Caseworker,
    TownshipSupervisor,
    VillageDirector,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::CountyAdmin,
        Role::Caseworker,
        Role::TownshipSupervisor,
        Role::VillageDirector,
        Role::Auditor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::CountyAdmin => "county_admin",
            Role::Caseworker => "caseworker",
            Role::TownshipSupervisor => "township_supervisor",
            Role::VillageDirector => "village_director",
            Role::Auditor => "auditor",
        }
    }

    pub fn from_code(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Role::CountyAdmin => "县级管理员",
            Role::Caseworker => "县级业务人员",
            Role::TownshipSupervisor => "乡镇儿童督导员",
            Role::VillageDirector => "村（居）儿童主任",
            Role::Auditor => "审计员",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::CountyAdmin => "County administrator",
            Role::Caseworker => "County caseworker",
            Role::TownshipSupervisor => "Township child-welfare supervisor",
            Role::VillageDirector => "Village child-welfare director",
            Role::Auditor => "Auditor",
        }
    }

    /// The division level a scope of this role must have.
    pub fn scope_level(self) -> DivisionLevel {
        match self {
            Role::CountyAdmin | Role::Caseworker | Role::Auditor => DivisionLevel::County,
            Role::TownshipSupervisor => DivisionLevel::Township,
            Role::VillageDirector => DivisionLevel::Village,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: RowId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The division subtree this account works in. Read from the account's
    /// row; callers cannot make one up.
    #[serde(rename = "scope_code")]
    pub scope: Scope,
    pub phone: Option<String>,
    pub active: bool,
    /// Set by an administrator's reset: the user must choose a new password
    /// before doing anything else.
    pub must_change_password: bool,
    /// The 工作队伍 register entry (督导员 or 主任) this account belongs to.
    pub worker_id: Option<RowId>,
}

impl User {
    /// Whether a division lies inside this user's scope.
    pub fn can_see(&self, division_code: &str) -> bool {
        self.scope.contains(division_code)
    }
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    pub scope_code: &'a str,
    pub phone: Option<&'a str>,
    pub password: &'a str,
    /// Link to the 工作队伍 register entry of this 督导员 or 主任, if any.
    pub worker_id: Option<RowId>,
    /// A password set by someone else (an administrator) must be changed
    /// at the first log-in.
    pub must_change_password: bool,
}

pub const MIN_PASSWORD_CHARS: usize = 8;

/// Failed log-ins in a row before the account locks.
pub const LOCK_AFTER_FAILURES: i64 = 5;
/// The first lock lasts this long; each further lock doubles it (at most a day).
pub const FIRST_LOCK_MINUTES: i64 = 5;
const MAX_LOCK_MINUTES: i64 = 24 * 60;

/// Argon2id with at least 64 MiB and 3 passes (SECURITY.md §2).
fn argon2() -> Argon2<'static> {
    let params = argon2::Params::new(64 * 1024, 3, 1, None).unwrap_or_default();
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Password(e.to_string()))
}

fn check_password_rules(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CoreError::field(
            "密码",
            format!("至少需要{MIN_PASSWORD_CHARS}个字符"),
        ));
    }
    Ok(())
}

fn check_scope(conn: &Connection, role: Role, scope_code: &str) -> Result<()> {
    if division::level_of(scope_code) != Some(role.scope_level()) {
        return Err(CoreError::field(
            "管辖范围",
            format!(
                "{}的管辖范围应为{}级区划，“{}”不是",
                role.label_zh(),
                role.scope_level().label_zh(),
                scope_code
            ),
        ));
    }
    if !crate::divisions::exists(conn, scope_code)? {
        return Err(CoreError::UnknownDivision(scope_code.to_string()));
    }
    Ok(())
}

pub fn create(tx: &mut WriteTx<'_>, new: &NewUser<'_>) -> Result<User> {
    let username = new.username.trim();
    if username.is_empty() {
        return Err(CoreError::field("用户名", "不能为空"));
    }
    if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(CoreError::field("用户名", "不能含空格或控制字符"));
    }
    if new.display_name.trim().is_empty() {
        return Err(CoreError::field("姓名", "不能为空"));
    }
    check_password_rules(new.password)?;
    check_scope(tx.conn(), new.role, new.scope_code)?;
    let taken: bool = tx
        .conn()
        .query_row(
            "SELECT 1 FROM users WHERE username = ?1",
            [username],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if taken {
        return Err(CoreError::field("用户名", format!("“{username}”已被使用")));
    }
    if let Some(worker) = new.worker_id {
        check_worker(tx.conn(), worker, new.scope_code)?;
    }
    let user = User {
        id: RowId::new(),
        username: username.to_string(),
        display_name: new.display_name.trim().to_string(),
        role: new.role,
        scope: Scope::parse(new.scope_code)?,
        phone: new.phone.map(str::to_string),
        active: true,
        must_change_password: new.must_change_password,
        worker_id: new.worker_id,
    };
    let hash = hash_password(new.password)?;
    tx.change_key_slot(SlotChange::Set {
        account: user.id.to_string(),
        username: user.username.clone(),
        password: new.password.to_string().into(),
    });
    tx.conn().execute(
        "INSERT INTO users (id, username, display_name, role, scope_code, phone, password_hash, created_at,
                            must_change_password, worker_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            user.id,
            user.username,
            user.display_name,
            user.role.code(),
            user.scope.code(),
            user.phone,
            hash,
            tx.now(),
            user.must_change_password,
            user.worker_id,
        ],
    )?;
    tx.audit(
        AuditEntryInput::new(AuditAction::UserCreate, "users", Some(user.id.to_string())).detail(
            serde_json::json!({ "username": user.username, "role": user.role.code(), "scope": user.scope.code(),
                                "worker": user.worker_id.map(|w| w.to_string()) }),
        ),
    )?;
    Ok(user)
}

/// The register entry must exist and work inside the account's scope.
fn check_worker(conn: &Connection, worker: RowId, scope_code: &str) -> Result<()> {
    let division: Option<String> = conn
        .query_row(
            "SELECT division_code FROM workers WHERE id = ?1",
            [worker],
            |r| r.get(0),
        )
        .optional()?;
    match division {
        None => Err(CoreError::NotFound {
            what: "工作队伍登记",
            key: worker.to_string(),
        }),
        Some(d) if d != scope_code => Err(CoreError::field(
            "工作队伍登记",
            format!("该人员登记在区划 {d}，与账户管辖范围 {scope_code} 不一致"),
        )),
        Some(_) => Ok(()),
    }
}

/// A stored account row with what only log-in needs.
struct Row {
    user: User,
    hash: String,
    /// Wrong passwords in a row since the last success or lock.
    failed_logins: i64,
    locked_until: Option<String>,
    lockouts: i64,
}

fn row_to_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let role: String = r.get(3)?;
    let status: String = r.get(7)?;
    let scope_code: String = r.get(4)?;
    // The CHECK constraint and `create` admit only valid codes; a row that
    // fails here was edited outside Hutong. Refuse it rather than guess.
    let scope = Scope::parse(&scope_code).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(Row {
        user: User {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: r.get(2)?,
            // An unknown role code can only come from tampering; treat it as
            // the least-privileged role rather than failing the whole list.
            role: Role::from_code(&role).unwrap_or(Role::Auditor),
            scope,
            phone: r.get(5)?,
            active: status == "active",
            must_change_password: r.get(8)?,
            worker_id: r.get(9)?,
        },
        hash: r.get(6)?,
        failed_logins: r.get(10)?,
        locked_until: r.get(11)?,
        lockouts: r.get(12)?,
    })
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, scope_code, phone, password_hash, status,
     must_change_password, worker_id, failed_logins, locked_until, lockouts";

fn find(conn: &Connection, username: &str) -> Result<Option<Row>> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
            [username.trim()],
            row_to_user,
        )
        .optional()?)
}

/// A fixed hash to verify against when the user name is unknown, so an
/// unknown name costs as much time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("hutong-no-such-user").unwrap_or_default())
}

fn verify(hash: &str, password: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// What a log-in attempt found, before it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginCheck {
    /// Name and password match an active, unlocked account.
    Ok(User),
    /// Wrong password for a known account (counted toward the lock).
    WrongPassword { user_id: RowId },
    /// Unknown name or disabled account: the same message, nothing counted.
    Refused,
    /// The account is locked until this time.
    Locked { until: String },
}

/// Checks a name and password without writing. The caller records the
/// outcome with [`record_login`] in one audited write. Every path verifies
/// one Argon2 hash, so timing does not reveal which names exist.
pub fn check_login(
    conn: &Connection,
    username: &str,
    password: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<LoginCheck> {
    let Some(row) = find(conn, username)? else {
        let _ = verify(dummy_hash(), password);
        return Ok(LoginCheck::Refused);
    };
    let locked = row
        .locked_until
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .filter(|until| *until > now);
    let password_ok = verify(&row.hash, password);
    if let Some(until) = locked {
        return Ok(LoginCheck::Locked {
            until: until.format("%Y-%m-%d %H:%M:%S").to_string(),
        });
    }
    if !row.user.active {
        return Ok(LoginCheck::Refused);
    }
    if !password_ok {
        return Ok(LoginCheck::WrongPassword {
            user_id: row.user.id,
        });
    }
    Ok(LoginCheck::Ok(row.user))
}

/// Checks an account whose password already opened its key slot (the slot
/// proves the password, so it is not verified a second time): the account
/// must exist, be the slot's account, be active and not locked.
pub fn check_unlocked(
    conn: &Connection,
    username: &str,
    slot_account: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<LoginCheck> {
    let Some(row) = find(conn, username)? else {
        return Ok(LoginCheck::Refused);
    };
    if row.user.id.to_string() != slot_account || !row.user.active {
        return Ok(LoginCheck::Refused);
    }
    let locked = row
        .locked_until
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .filter(|until| *until > now);
    if let Some(until) = locked {
        return Ok(LoginCheck::Locked {
            until: until.format("%Y-%m-%d %H:%M:%S").to_string(),
        });
    }
    Ok(LoginCheck::Ok(row.user))
}

/// Records a log-in attempt and its consequences in one audited write:
/// a success clears the failure count (and rehashes an old-parameter
/// hash); a wrong password counts, and the 5th in a row locks the account
/// for 5 minutes, then 10, 20 … (at most a day); every attempt is audited
/// (`user.login`, `user.login_failed`, `user.locked`). Returns the lock's
/// end when this attempt locked the account.
pub fn record_login(
    tx: &mut WriteTx<'_>,
    username: &str,
    check: &LoginCheck,
    password: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Option<String>> {
    let name = username.trim();
    match check {
        LoginCheck::Ok(user) => {
            let needs_rehash = find(tx.conn(), name)?
                .map(|r| !r.hash.contains("m=65536,t=3"))
                .unwrap_or(false);
            if needs_rehash {
                let hash = hash_password(password)?;
                tx.conn().execute(
                    "UPDATE users SET password_hash = ?1 WHERE id = ?2",
                    params![hash, user.id],
                )?;
            }
            tx.conn().execute(
                "UPDATE users SET failed_logins = 0 WHERE id = ?1",
                [user.id],
            )?;
            tx.audit(
                AuditEntryInput::new(AuditAction::UserLogin, "users", Some(user.id.to_string()))
                    .detail(serde_json::json!({ "username": user.username })),
            )?;
            Ok(None)
        }
        LoginCheck::WrongPassword { user_id } => {
            let row = find(tx.conn(), name)?.ok_or(CoreError::BadCredentials)?;
            let failures = row.failed_logins + 1;
            tx.audit(
                AuditEntryInput::new(
                    AuditAction::UserLoginFailed,
                    "users",
                    Some(user_id.to_string()),
                )
                .detail(serde_json::json!({ "username": name, "failures_in_a_row": failures })),
            )?;
            if failures >= LOCK_AFTER_FAILURES {
                let minutes =
                    (FIRST_LOCK_MINUTES << row.lockouts.clamp(0, 10)).min(MAX_LOCK_MINUTES);
                let until = now + chrono::Duration::minutes(minutes);
                let until_text = until.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
                tx.conn().execute(
                    "UPDATE users SET failed_logins = 0, locked_until = ?1, lockouts = lockouts + 1 WHERE id = ?2",
                    params![until_text, user_id],
                )?;
                tx.audit(
                    AuditEntryInput::new(AuditAction::UserLocked, "users", Some(user_id.to_string()))
                        .detail(serde_json::json!({ "username": name, "minutes": minutes, "until": until_text })),
                )?;
                return Ok(Some(until.format("%Y-%m-%d %H:%M:%S").to_string()));
            }
            tx.conn().execute(
                "UPDATE users SET failed_logins = ?1 WHERE id = ?2",
                params![failures, user_id],
            )?;
            Ok(None)
        }
        LoginCheck::Refused => {
            // The name is recorded so an administrator can see guessing, but
            // no account row changes (it may not exist).
            tx.audit(
                AuditEntryInput::new(AuditAction::UserLoginFailed, "users", None)
                    .detail(serde_json::json!({ "username": name })),
            )?;
            Ok(None)
        }
        LoginCheck::Locked { until } => {
            tx.audit(
                AuditEntryInput::new(AuditAction::UserLoginFailed, "users", None)
                    .reason("账户已锁定")
                    .detail(serde_json::json!({ "username": name, "locked_until": until })),
            )?;
            Ok(None)
        }
    }
}

/// Checks a username and password (no lock accounting: use
/// [`check_login`] and [`record_login`] for a real log-in). Both a wrong
/// name and a wrong password give the same error.
pub fn authenticate(conn: &Connection, username: &str, password: &str) -> Result<User> {
    match check_login(
        conn,
        username,
        password,
        chrono::Local::now().fixed_offset(),
    )? {
        LoginCheck::Ok(user) => Ok(user),
        LoginCheck::Locked { until } => Err(CoreError::AccountLocked {
            username: username.trim().to_string(),
            until,
        }),
        _ => Err(CoreError::BadCredentials),
    }
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    ))?;
    let rows = stmt.query_map([], row_to_user)?;
    Ok(rows
        .map(|r| r.map(|row| row.user))
        .collect::<rusqlite::Result<_>>()?)
}

pub fn get_by_username(conn: &Connection, username: &str) -> Result<Option<User>> {
    Ok(find(conn, username)?.map(|r| r.user))
}

fn require(conn: &Connection, username: &str) -> Result<User> {
    get_by_username(conn, username)?.ok_or_else(|| CoreError::NotFound {
        what: "用户",
        key: username.trim().to_string(),
    })
}

/// Active county administrators other than `except`.
fn other_active_admins(conn: &Connection, except: RowId) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM users WHERE role = 'county_admin' AND status = 'active' AND id <> ?1",
        [except],
        |r| r.get(0),
    )?)
}

fn refuse_last_admin(conn: &Connection, user: &User, doing: &str) -> Result<()> {
    if user.role == Role::CountyAdmin && user.active && other_active_admins(conn, user.id)? == 0 {
        return Err(CoreError::field(
            "用户",
            format!(
                "“{}”是唯一启用的县级管理员，不能{doing}；请先为另一人建立县级管理员账户",
                user.username
            ),
        ));
    }
    Ok(())
}

/// Disables or enables an account. The last active county administrator
/// cannot be disabled. Audited (`user.disable` / `user.enable`).
pub fn set_active(tx: &mut WriteTx<'_>, username: &str, active: bool) -> Result<User> {
    let user = require(tx.conn(), username)?;
    if !active {
        refuse_last_admin(tx.conn(), &user, "停用")?;
    }
    tx.conn().execute(
        "UPDATE users SET status = ?1, failed_logins = 0, locked_until = NULL WHERE id = ?2",
        params![if active { "active" } else { "disabled" }, user.id],
    )?;
    if !active {
        // A disabled account's password must not open a copy of the file
        // either; enabling it again needs a password reset (a new slot).
        tx.change_key_slot(SlotChange::Remove {
            account: user.id.to_string(),
        });
    }
    let action = if active {
        AuditAction::UserEnable
    } else {
        AuditAction::UserDisable
    };
    tx.audit(
        AuditEntryInput::new(action, "users", Some(user.id.to_string()))
            .detail(serde_json::json!({ "username": user.username })),
    )?;
    require(tx.conn(), username)
}

/// An administrator sets a new password for someone; the user must change
/// it at the next log-in, and any lock is lifted. Audited without the
/// password (`user.reset_password`).
pub fn reset_password(tx: &mut WriteTx<'_>, username: &str, new_password: &str) -> Result<User> {
    let user = require(tx.conn(), username)?;
    check_password_rules(new_password)?;
    let hash = hash_password(new_password)?;
    tx.conn().execute(
        "UPDATE users SET password_hash = ?1, must_change_password = 1, failed_logins = 0,
                          locked_until = NULL, lockouts = 0 WHERE id = ?2",
        params![hash, user.id],
    )?;
    tx.change_key_slot(SlotChange::Set {
        account: user.id.to_string(),
        username: user.username.clone(),
        password: new_password.to_string().into(),
    });
    tx.audit(
        AuditEntryInput::new(
            AuditAction::UserResetPassword,
            "users",
            Some(user.id.to_string()),
        )
        .detail(serde_json::json!({ "username": user.username })),
    )?;
    require(tx.conn(), username)
}

/// A user changes their own password, proving the old one. Audited
/// (`user.change_password`).
pub fn change_password(
    tx: &mut WriteTx<'_>,
    username: &str,
    old_password: &str,
    new_password: &str,
) -> Result<User> {
    let row = find(tx.conn(), username)?.ok_or(CoreError::BadCredentials)?;
    if !verify(&row.hash, old_password) {
        return Err(CoreError::field("原密码", "不正确"));
    }
    check_password_rules(new_password)?;
    if new_password == old_password {
        return Err(CoreError::field("新密码", "不能与原密码相同"));
    }
    let hash = hash_password(new_password)?;
    tx.conn().execute(
        "UPDATE users SET password_hash = ?1, must_change_password = 0 WHERE id = ?2",
        params![hash, row.user.id],
    )?;
    tx.change_key_slot(SlotChange::Set {
        account: row.user.id.to_string(),
        username: row.user.username.clone(),
        password: new_password.to_string().into(),
    });
    tx.audit(
        AuditEntryInput::new(
            AuditAction::UserChangePassword,
            "users",
            Some(row.user.id.to_string()),
        )
        .detail(serde_json::json!({ "username": row.user.username })),
    )?;
    require(tx.conn(), username)
}

/// Changes an account's role and scope. The last active county
/// administrator cannot be demoted. Audited with old → new.
pub fn set_role(
    tx: &mut WriteTx<'_>,
    username: &str,
    role: Role,
    scope_code: &str,
) -> Result<User> {
    let user = require(tx.conn(), username)?;
    if role != Role::CountyAdmin {
        refuse_last_admin(tx.conn(), &user, "改为其他角色")?;
    }
    check_scope(tx.conn(), role, scope_code)?;
    tx.conn().execute(
        "UPDATE users SET role = ?1, scope_code = ?2 WHERE id = ?3",
        params![role.code(), scope_code, user.id],
    )?;
    tx.audit(
        AuditEntryInput::new(AuditAction::UserSetRole, "users", Some(user.id.to_string())).detail(
            serde_json::json!({ "username": user.username,
                "changes": { "role": [user.role.code(), role.code()], "scope": [user.scope.code(), scope_code] } }),
        ),
    )?;
    require(tx.conn(), username)
}

/// Minutes without input before a workstation locks, unless the county set
/// another value.
pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 15;
/// The idle lock can be set between these (a lock that never comes would
/// leave an unattended desk open).
pub const IDLE_LOCK_RANGE: std::ops::RangeInclusive<u32> = 1..=240;

/// The county's idle-lock setting (`meta.idle_lock_minutes`).
pub fn idle_lock_minutes(conn: &Connection) -> Result<u32> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'idle_lock_minutes'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(stored
        .and_then(|v| v.parse().ok())
        .filter(|m| IDLE_LOCK_RANGE.contains(m))
        .unwrap_or(DEFAULT_IDLE_LOCK_MINUTES))
}

/// Sets the idle lock, audited with old → new.
pub fn set_idle_lock_minutes(tx: &mut WriteTx<'_>, minutes: u32) -> Result<()> {
    if !IDLE_LOCK_RANGE.contains(&minutes) {
        return Err(CoreError::field(
            "空闲锁定时间",
            format!(
                "应在 {} 到 {} 分钟之间",
                IDLE_LOCK_RANGE.start(),
                IDLE_LOCK_RANGE.end()
            ),
        ));
    }
    let old = idle_lock_minutes(tx.conn())?;
    tx.conn().execute(
        "INSERT INTO meta (key, value) VALUES ('idle_lock_minutes', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [minutes.to_string()],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::SettingsIdleLock,
            "meta",
            Some("idle_lock_minutes".into()),
        )
        .detail(serde_json::json!({ "changes": { "idle_lock_minutes": [old, minutes] } })),
    )?;
    Ok(())
}

/// A user's own display choices, kept in the database so they follow the
/// user to any workstation on it: the UI language (a locale code such as
/// `zh-CN`, `en` or `bo`) and the body text size in points.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    pub language: Option<String>,
    pub text_size: Option<f32>,
}

/// The body text sizes a preference may hold (points).
pub const TEXT_SIZE_RANGE: std::ops::RangeInclusive<f32> = 10.0..=32.0;

fn preferences_key(username: &str) -> String {
    format!("user_preferences.{username}")
}

/// A user's preferences; none saved reads as the defaults.
pub fn preferences(conn: &Connection, username: &str) -> Result<Preferences> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [preferences_key(username)],
            |r| r.get(0),
        )
        .optional()?;
    // A damaged value reads as the defaults rather than locking the user
    // out of the workstation.
    Ok(stored
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// Saves a user's preferences, audited old → new. (The caller skips the
/// write when nothing changed: a write must carry its audit entry.)
pub fn set_preferences(tx: &mut WriteTx<'_>, username: &str, new: &Preferences) -> Result<()> {
    if let Some(lang) = &new.language
        && (lang.is_empty()
            || lang.len() > 16
            || !lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(CoreError::field(
            "界面语言",
            format!("“{lang}”不是语言代码"),
        ));
    }
    if let Some(size) = new.text_size
        && !TEXT_SIZE_RANGE.contains(&size)
    {
        return Err(CoreError::field(
            "字号",
            format!(
                "应在 {} 到 {} 磅之间",
                TEXT_SIZE_RANGE.start(),
                TEXT_SIZE_RANGE.end()
            ),
        ));
    }
    let old = preferences(tx.conn(), username)?;
    let value = serde_json::to_string(new)
        .map_err(|e| CoreError::Internal(format!("偏好设置无法保存：{e}")))?;
    tx.conn().execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![preferences_key(username), value],
    )?;
    tx.audit(
        AuditEntryInput::new(AuditAction::UserPreferences, "users", Some(username.into())).detail(
            serde_json::json!({ "changes": {
                "language": [old.language, new.language],
                "text_size": [old.text_size, new.text_size],
            } }),
        ),
    )?;
    Ok(())
}
