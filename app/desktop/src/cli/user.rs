//! `hutong user …`: accounts, over the services' 用户与权限 use cases.

use super::access::stdin_line;
use super::open;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use hutong_core::national::division;
use hutong_core::users::{Role, User};
use hutong_services::Session;
use hutong_services::accounts::{self, AccountRequest};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; its first password must be changed at the first log-in.
    Add {
        /// The log-in name.
        username: String,
        /// The person's name as shown and printed.
        #[arg(long)]
        name: String,
        /// county_admin, caseworker, township_supervisor, village_director or auditor.
        #[arg(long)]
        role: String,
        /// The division the account works in: the county for county roles,
        /// the township for a 督导员, the village for a 主任 (default: the county).
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// Link to the 工作队伍 register entry (its id, from `workforce list --json`).
        #[arg(long)]
        worker: Option<String>,
    },
    /// List accounts with role, scope and state.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable an account (it can no longer log in; nothing is deleted).
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
    /// Set a new password for someone; they must change it at the next log-in.
    ResetPassword { username: String },
    /// Change an account's role and scope.
    SetRole {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: Option<String>,
    },
    /// Change your own password.
    Passwd,
}

fn parse_role(code: &str) -> Result<Role> {
    Role::from_code(code.trim()).with_context(|| {
        let known: Vec<_> = Role::ALL
            .iter()
            .map(|r| format!("{}（{}）", r.code(), r.label_zh()))
            .collect();
        format!("--role：未知角色“{code}”，可用：{}", known.join("、"))
    })
}

/// The scope for a role: the given code, or the county for county roles.
fn scope_for(session: &Session, role: Role, given: Option<&str>) -> Result<String> {
    match given {
        Some(code) => division::normalize_code(code)
            .with_context(|| format!("--scope：“{code}”不是有效的区划代码")),
        None if role.scope_level() == session.scope().level() => {
            Ok(session.scope().code().to_string())
        }
        None => bail!(
            "--scope：{}需要指定{}级区划代码",
            role.label_zh(),
            role.scope_level().label_zh()
        ),
    }
}

/// A new password, typed twice at a prompt or read from the next line of
/// standard input (scripts and tests).
fn new_password(what: &str, password_stdin: bool) -> Result<zeroize::Zeroizing<String>> {
    if password_stdin || !std::io::stdin().is_terminal() {
        return Ok(stdin_line(what)?.into());
    }
    let first = rpassword::prompt_password(format!("{what}：")).context("读取密码")?;
    let second = rpassword::prompt_password("再次输入：").context("读取密码")?;
    if first != second {
        bail!("两次输入的密码不一致");
    }
    Ok(first.into())
}

fn print_user(u: &User) {
    println!(
        "{}\t{}\t{}\t{}\t{}{}",
        u.username,
        u.display_name,
        u.role.label_zh(),
        u.scope,
        if u.active { "启用" } else { "停用" },
        if u.must_change_password {
            "（待改密码）"
        } else {
            ""
        }
    );
}

pub fn run(
    db: &Path,
    session: &Session,
    cmd: UserCommand,
    password_stdin: bool,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        UserCommand::Add {
            username,
            name,
            role,
            scope,
            phone,
            worker,
        } => {
            let role = parse_role(&role)?;
            let scope_code = scope_for(session, role, scope.as_deref())?;
            let worker_id = worker
                .as_deref()
                .map(|w| {
                    w.parse()
                        .map_err(|_| anyhow::anyhow!("--worker：“{w}”不是有效的登记编号"))
                })
                .transpose()?;
            let password = new_password("初始密码", password_stdin)?;
            let user = accounts::create(
                &mut store,
                session,
                &AccountRequest {
                    username,
                    display_name: name,
                    role,
                    scope_code,
                    phone,
                    initial_password: password.to_string(),
                    worker_id,
                },
            )?;
            println!("已建立账户（首次登录须修改密码）：");
            print_user(&user);
        }
        UserCommand::List { json } => {
            let list = accounts::list(&mut store, session)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for u in &list {
                    print_user(u);
                }
            }
        }
        UserCommand::Disable { username } => {
            let u = accounts::set_active(&mut store, session, &username, false)?;
            println!("已停用：{}", u.username);
        }
        UserCommand::Enable { username } => {
            let u = accounts::set_active(&mut store, session, &username, true)?;
            println!("已启用：{}", u.username);
        }
        UserCommand::ResetPassword { username } => {
            let password = new_password("新密码", password_stdin)?;
            let u = accounts::reset_password(&mut store, session, &username, &password)?;
            println!("已重置“{}”的密码，该用户下次登录时须修改密码", u.username);
        }
        UserCommand::SetRole {
            username,
            role,
            scope,
        } => {
            let role = parse_role(&role)?;
            let scope_code = scope_for(session, role, scope.as_deref())?;
            let u = accounts::set_role(&mut store, session, &username, role, &scope_code)?;
            print_user(&u);
        }
        UserCommand::Passwd => {
            let old = if password_stdin || !std::io::stdin().is_terminal() {
                zeroize::Zeroizing::new(stdin_line("原密码")?)
            } else {
                rpassword::prompt_password("原密码：")
                    .context("读取密码")?
                    .into()
            };
            let new = new_password("新密码", password_stdin)?;
            accounts::change_own_password(&mut store, session, &old, &new)?;
            println!("密码已修改");
        }
    }
    Ok(ExitCode::SUCCESS)
}
