//! Setting up a database for one county: record the county, load its
//! divisions, create the first administrator. One transaction, audited.

use crate::access::Scope;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::divisions;
use crate::error::{CoreError, Result};
use crate::store::{Actor, Store};
use crate::users::{self, NewUser, Role, User};
use rusqlite::params;

/// Records the county and loads its divisions. Safe to call again for the
/// same county; refuses a different one. Audited under `actor_name` (a
/// set-up step, not a user: no one can log in before the county exists).
pub fn initialise_county(store: &mut Store, actor_name: &str, county_code: &str) -> Result<()> {
    if let Some(existing) = store.county_code()? {
        if existing == county_code {
            return Ok(());
        }
        return Err(CoreError::field(
            "县级区划代码",
            format!("该数据库已为 {existing} 建立，不能改为 {county_code}"),
        ));
    }
    let actor = Actor::system(actor_name, Scope::parse(county_code)?);
    store.write(&actor, |tx| {
        divisions::load_county(tx, county_code)?;
        tx.conn().execute(
            "INSERT INTO meta (key, value) VALUES ('county_code', ?1), ('created_at', ?2)",
            params![county_code, tx.now()],
        )?;
        let name = divisions::full_name(tx.conn(), county_code)?;
        tx.audit(
            AuditEntryInput::new(
                AuditAction::CountyInit,
                "meta",
                Some(county_code.to_string()),
            )
            .detail(serde_json::json!({ "county": name })),
        )?;
        Ok(())
    })
}

/// `hutong init`: a county database with its first administrator.
pub fn init(
    store: &mut Store,
    county_code: &str,
    admin_username: &str,
    admin_password: &str,
) -> Result<User> {
    if let Some(existing) = store.county_code()? {
        // A second administrator is made by an administrator (`hutong user
        // add`), never by re-running set-up on a county's database.
        return Err(CoreError::field(
            "数据库",
            format!(
                "已为县 {existing} 初始化，不能再次初始化；新增账户请由管理员在“用户与权限”中办理"
            ),
        ));
    }
    let actor = Actor::system("hutong init", Scope::parse(county_code)?);
    if users::get_by_username(store.conn(), admin_username)?.is_some() {
        return Err(CoreError::field(
            "管理员用户名",
            format!("“{admin_username}”已存在"),
        ));
    }
    initialise_county(store, &actor.name, county_code)?;
    store.write(&actor, |tx| {
        users::create(
            tx,
            &NewUser {
                username: admin_username,
                display_name: admin_username,
                role: Role::CountyAdmin,
                scope_code: county_code,
                phone: None,
                password: admin_password,
                worker_id: None,
                must_change_password: false,
            },
        )
    })
}

/// Makes the county's recovery code (replacing any earlier one) and audits
/// that it was issued (never the code itself). Shown once by the caller.
pub fn issue_recovery_code(store: &mut Store, actor: &Actor) -> Result<zeroize::Zeroizing<String>> {
    let code = store.new_recovery_code()?;
    store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new(AuditAction::CountyRecoveryCode, "meta", None)
                .reason("生成县级恢复码（旧恢复码作废）"),
        )
    })?;
    Ok(code)
}

/// With the database opened by the recovery code: sets a new password for
/// an active county administrator (to be changed at the next log-in), and
/// gives the account its key slot again. Audited as `user.recover`.
pub fn recover_admin(store: &mut Store, username: &str, new_password: &str) -> Result<User> {
    let user = users::get_by_username(store.conn(), username)?
        .filter(|u| u.active && u.role == Role::CountyAdmin)
        .ok_or_else(|| {
            CoreError::field("管理员", format!("“{username}”不是在用的县级管理员账户"))
        })?;
    let actor = Actor::system("恢复码", store.county_scope()?);
    store.write(&actor, |tx| {
        let user = users::reset_password(tx, &user.username, new_password)?;
        tx.audit(
            AuditEntryInput::new(AuditAction::UserRecover, "users", Some(user.id.to_string()))
                .reason("凭县级恢复码重设管理员密码")
                .detail(serde_json::json!({ "username": user.username })),
        )?;
        Ok(user)
    })
}
