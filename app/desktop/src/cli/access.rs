//! Who may run which command: the log-in and the one table from command to
//! permission. The permission itself is checked by the services layer
//! (`Session::require`), which also audits a refusal.

use super::Command;
use super::casework::{CampaignCommand, EligibilityCommand};
use super::children::ChildCommand;
use super::exchange::TableCommand;
use super::plugins::PluginCommand;
use super::records::{
    AllowanceCommand, CareCommand, GrantCommand, HomeCommand, MreportCommand, ServiceCommand,
    TrainingCommand, WishCommand, WorkforceCommand,
};
use super::setup::AuditCommand;
use super::user::UserCommand;
use anyhow::{Context, Result, bail};
use hutong_services::{Action, Session};
use std::io::{BufRead, IsTerminal};
use std::path::Path;

/// What a command needs before it runs.
pub enum Need {
    /// Nothing: it opens no county database (keys, signing, plugin tests),
    /// or it creates a new one (`init`, `demo` on a new file).
    Nothing,
    /// A log-in whose role grants this action.
    Login(Action),
    /// A log-in and nothing more: changing one's own password, which must
    /// work while a reset password forbids everything else.
    LoginOnly,
}

/// The permission each command needs. Listed per sub-command where they
/// differ (listing vs. changing, masked vs. full IDs).
pub fn required(command: &Command, db: &Path) -> Need {
    use Action::*;
    let action = match command {
        // The recovery code opens the database itself.
        Command::Init(_) | Command::Recover(_) => return Need::Nothing,
        // Extending an existing demo adds children: an administrator's job.
        Command::Demo(_) if !db.exists() => return Need::Nothing,
        Command::Demo(_) => ManageUsers,
        Command::Child(c) => match c {
            ChildCommand::List(a) if a.reveal => RevealId,
            ChildCommand::Show { reveal: true, .. } => RevealId,
            ChildCommand::List(_) | ChildCommand::Show { .. } => ViewCases,
            ChildCommand::Add(_) | ChildCommand::Close { .. } => EditCases,
        },
        Command::Division(_) => ViewCases,
        Command::Export(_) => ExportFullIds,
        Command::Import(_) => Import,
        Command::Audit(AuditCommand::Verify { .. }) => ViewAudit,
        Command::Plugin(p) => match p {
            PluginCommand::Keygen { .. }
            | PluginCommand::Sign { .. }
            | PluginCommand::Test { .. } => {
                return Need::Nothing;
            }
            PluginCommand::Verify { .. } | PluginCommand::List => ViewCases,
            PluginCommand::Trust { .. } | PluginCommand::Revoke { .. } => TrustKeys,
            PluginCommand::Install { .. } | PluginCommand::Remove { .. } => InstallPlugin,
            PluginCommand::DevMode { .. } => DeveloperMode,
        },
        Command::Report(_) => Print,
        Command::Assess(_) => EditCases,
        Command::Schedule(_) => ViewCases,
        Command::Campaign(c) => match c {
            CampaignCommand::Start { .. } | CampaignCommand::Close { .. } => ManageCampaigns,
            CampaignCommand::Status { .. } => ViewCases,
            CampaignCommand::Record { .. } => EditCases,
        },
        Command::Eligibility(c) => match c {
            EligibilityCommand::Sweep { .. } => CountyLists,
            EligibilityCommand::Check { .. } => EditCases,
        },
        Command::Table(t) => match t {
            TableCommand::Import(_) => Import,
            TableCommand::Export(a) if a.full_ids => ExportFullIds,
            TableCommand::Export(_) => ExportMasked,
            TableCommand::Mappings => Import,
        },
        Command::Compare(_) => Compare,
        Command::Stats(_) => Statistics,
        Command::Backup(_) => Backup,
        Command::Restore(_) => Restore,
        Command::Mreport(c) => match c {
            MreportCommand::List { .. } | MreportCommand::Codes => ViewCases,
            MreportCommand::Letter { .. } => Print,
            _ => EditCases,
        },
        Command::Service(c) => match c {
            ServiceCommand::List { .. }
            | ServiceCommand::Catalog
            | ServiceCommand::Referrals { .. } => ViewCases,
            ServiceCommand::Coverage { .. } => Statistics,
            _ => EditCases,
        },
        Command::Allowance(c) => match c {
            AllowanceCommand::Pay { .. } | AllowanceCommand::Void { .. } => EditCases,
            AllowanceCommand::Ledger { .. } => ViewCases,
            AllowanceCommand::Grant(GrantCommand::List { .. }) => ViewCases,
            AllowanceCommand::Grant(_) => EditCases,
            // Standards, monthly generation and the roster span the county.
            _ => CountyLists,
        },
        Command::Wish(WishCommand::List { .. }) => ViewCases,
        Command::Wish(_) => EditCases,
        Command::Care(CareCommand::List { .. } | CareCommand::Due { .. }) => ViewCases,
        Command::Care(_) => EditCases,
        Command::Workforce(c) => match c {
            WorkforceCommand::List { .. }
            | WorkforceCommand::Gaps { .. }
            | WorkforceCommand::Network { .. }
            | WorkforceCommand::Training(TrainingCommand::List { .. })
            | WorkforceCommand::Home(HomeCommand::List { .. }) => ViewCases,
            // The register, training and 儿童之家 are the county's to keep.
            _ => CountyLists,
        },
        Command::History(_) => ViewCases,
        // Changing one's own password needs only a log-in; the rest is the
        // administrator's (checked again by the services).
        Command::User(UserCommand::Passwd) => return Need::LoginOnly,
        Command::User(_) => ManageUsers,
    };
    Need::Login(action)
}

/// One line of standard input, without its line ending. Standard input is
/// buffered process-wide, so successive calls read successive lines (the
/// log-in password first, then e.g. a new account's password).
pub fn stdin_line(what: &str) -> Result<String> {
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .with_context(|| format!("从标准输入读取{what}"))?;
    if n == 0 {
        bail!("标准输入已结束，没有读到{what}");
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// The passphrase that seals an export with full ID numbers, or opens one:
/// the next stdin line with `--password-stdin`, else
/// `HUTONG_EXPORT_PASSPHRASE` (scripts), else a prompt (twice when sealing).
pub fn export_passphrase(from_stdin: bool, sealing: bool) -> Result<zeroize::Zeroizing<String>> {
    if from_stdin {
        return Ok(stdin_line("加密口令")?.into());
    }
    if let Ok(p) = std::env::var("HUTONG_EXPORT_PASSPHRASE") {
        return Ok(p.into());
    }
    if std::io::stdin().is_terminal() {
        let first: zeroize::Zeroizing<String> =
            rpassword::prompt_password("加密口令（含完整身份证号的文件须加密，至少8个字符）：")
                .context("读取口令")?
                .into();
        if sealing {
            let again: zeroize::Zeroizing<String> = rpassword::prompt_password("再次输入口令：")
                .context("读取口令")?
                .into();
            if *first != *again {
                bail!("两次输入的口令不一致");
            }
        }
        return Ok(first);
    }
    bail!(
        "需要加密口令：请在终端中输入，或用 --password-stdin（登录密码之后的一行）/ 环境变量 HUTONG_EXPORT_PASSPHRASE 提供"
    )
}

/// The log-in password: stdin when asked, else `HUTONG_PASSWORD`, else a
/// prompt on the terminal.
fn password(from_stdin: bool) -> Result<zeroize::Zeroizing<String>> {
    if from_stdin {
        return Ok(stdin_line("登录密码")?.into());
    }
    if let Ok(p) = std::env::var("HUTONG_PASSWORD") {
        return Ok(p.into());
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password("密码：")
            .context("读取密码")?
            .into());
    }
    bail!("需要登录密码：请在终端中输入，或用 --password-stdin / 环境变量 HUTONG_PASSWORD 提供")
}

/// The database the log-in unlocked. A command runs once per process, on
/// one database, so the opened key is kept here for the command's own
/// connections ([`super::open`]) and dropped (zeroised) when the process
/// ends.
static UNLOCKED: std::sync::OnceLock<hutong_core::Database> = std::sync::OnceLock::new();

/// The database this process unlocked, if it is the one at `db`.
pub fn unlocked(db: &Path) -> Option<&'static hutong_core::Database> {
    UNLOCKED.get().filter(|d| d.path() == db)
}

/// Logs in for a command and checks its permission. Without an account
/// name it prints how to log in and fails, reading nothing.
pub fn log_in(
    db: &Path,
    user: Option<&str>,
    password_stdin: bool,
    action: Option<Action>,
) -> Result<Session> {
    // A missing database is reported first: it says how to create one.
    if !db.exists() {
        return Err(hutong_core::CoreError::NotInitialised {
            path: db.to_path_buf(),
        })
        .with_context(|| format!("打开数据库 {}", db.display()));
    }
    let Some(user) = user.filter(|u| !u.trim().is_empty()) else {
        bail!(
            "需要登录：请用 --user 用户名（或环境变量 HUTONG_USER）指定账户；密码在提示时输入，脚本可用 --password-stdin 或环境变量 HUTONG_PASSWORD"
        );
    };
    let password = password(password_stdin)?;
    let opened = hutong_services::open_and_login(db, user, &password)
        .with_context(|| format!("以“{}”登录 {}", user.trim(), db.display()))?;
    let hutong_services::Opened {
        mut store,
        session,
        migrated,
    } = opened;
    if let Some(m) = migrated {
        report_migration(&m);
    }
    let _ = UNLOCKED.set(store.database());
    if let Some(action) = action {
        if session.must_change_password() {
            session.audit_refusal(&mut store, action.code(), "密码已重置，需先修改密码");
            bail!(
                "账户“{}”的密码已由管理员重置，请先运行 hutong user passwd 修改密码",
                session.username()
            );
        }
        session.require(&mut store, action)?;
    }
    Ok(session)
}

/// The one-time message after an old plaintext database was encrypted.
fn report_migration(m: &hutong_services::session::Migrated) {
    eprintln!("此数据库由旧版本创建，未加密；已在本次登录时加密，原明文文件已被替换。");
    eprintln!("县级恢复码（只显示这一次，请打印后妥善保管；忘记管理员密码时凭它重设）：");
    eprintln!("    {}", &*m.recovery_code);
    if !m.accounts_without_slot.is_empty() {
        eprintln!(
            "以下账户需由管理员重设密码后才能登录：{}",
            m.accounts_without_slot.join("、")
        );
    }
}
