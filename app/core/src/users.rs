//! Users, roles and division scopes. Passwords are hashed with Argon2id.
//!
//! A user's scope is a division subtree: a village 儿童主任 sees only their
//! own village, a township 督导员 their township, county staff the county.

use crate::RowId;
use crate::audit::AuditEntryInput;
use crate::error::{CoreError, Result};
use crate::store::WriteTx;
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
    pub scope_code: String,
    pub phone: Option<String>,
    pub active: bool,
}

impl User {
    /// Whether a division lies inside this user's scope.
    pub fn can_see(&self, division_code: &str) -> bool {
        division::is_within(division_code, &self.scope_code)
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
}

const MIN_PASSWORD_CHARS: usize = 8;

fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Password(e.to_string()))
}

pub fn create(tx: &mut WriteTx<'_>, new: &NewUser<'_>) -> Result<User> {
    let username = new.username.trim();
    if username.is_empty() {
        return Err(CoreError::field("用户名", "不能为空"));
    }
    if new.display_name.trim().is_empty() {
        return Err(CoreError::field("姓名", "不能为空"));
    }
    if new.password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CoreError::field(
            "密码",
            format!("至少需要{MIN_PASSWORD_CHARS}个字符"),
        ));
    }
    if division::level_of(new.scope_code) != Some(new.role.scope_level()) {
        return Err(CoreError::field(
            "管辖范围",
            format!(
                "{}的管辖范围应为{}级区划，“{}”不是",
                new.role.label_zh(),
                new.role.scope_level().label_zh(),
                new.scope_code
            ),
        ));
    }
    if !crate::divisions::exists(tx.conn(), new.scope_code)? {
        return Err(CoreError::UnknownDivision(new.scope_code.to_string()));
    }
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
    let user = User {
        id: RowId::new(),
        username: username.to_string(),
        display_name: new.display_name.trim().to_string(),
        role: new.role,
        scope_code: new.scope_code.to_string(),
        phone: new.phone.map(str::to_string),
        active: true,
    };
    let hash = hash_password(new.password)?;
    tx.conn().execute(
        "INSERT INTO users (id, username, display_name, role, scope_code, phone, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            user.id,
            user.username,
            user.display_name,
            user.role.code(),
            user.scope_code,
            user.phone,
            hash,
            tx.now()
        ],
    )?;
    tx.audit(
        AuditEntryInput::new("user.create", "users", Some(user.id.to_string())).detail(
            serde_json::json!({ "username": user.username, "role": user.role.code(), "scope": user.scope_code }),
        ),
    )?;
    Ok(user)
}

fn row_to_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<(User, String)> {
    let role: String = r.get(3)?;
    let status: String = r.get(7)?;
    Ok((
        User {
            id: r.get(0)?,
            username: r.get(1)?,
            display_name: r.get(2)?,
            // An unknown role code can only come from tampering; treat it as
            // the least-privileged role rather than failing the whole list.
            role: Role::from_code(&role).unwrap_or(Role::Auditor),
            scope_code: r.get(4)?,
            phone: r.get(5)?,
            active: status == "active",
        },
        r.get(6)?,
    ))
}

const USER_COLUMNS: &str =
    "id, username, display_name, role, scope_code, phone, password_hash, status";

/// Checks a username and password. Both a wrong name and a wrong password
/// give the same error, so the message does not reveal which names exist.
pub fn authenticate(conn: &Connection, username: &str, password: &str) -> Result<User> {
    let found = conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
            [username.trim()],
            row_to_user,
        )
        .optional()?;
    let Some((user, hash)) = found else {
        return Err(CoreError::BadCredentials);
    };
    let parsed = PasswordHash::new(&hash).map_err(|e| CoreError::Password(e.to_string()))?;
    if !user.active
        || Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_err()
    {
        return Err(CoreError::BadCredentials);
    }
    Ok(user)
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY username"
    ))?;
    let rows = stmt.query_map([], row_to_user)?;
    Ok(rows
        .map(|r| r.map(|(u, _)| u))
        .collect::<rusqlite::Result<_>>()?)
}

pub fn get_by_username(conn: &Connection, username: &str) -> Result<Option<User>> {
    Ok(conn
        .query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
            [username],
            row_to_user,
        )
        .optional()?
        .map(|(u, _)| u))
}
