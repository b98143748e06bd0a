//! The command line. Every command takes `--db FILE`; errors name the file,
//! row or field and exit non-zero.

mod access;
mod casework;
mod children;
mod exchange;
pub mod plugins;
mod records;
mod report;
mod setup;
mod user;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use hutong_core::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "hutong",
    version = hutong::VERSION,
    about = "护童：县级困境儿童关爱保护工作站 / county child-welfare workstation"
)]
pub struct Cli {
    /// Database file (default: the platform data directory).
    #[arg(long, global = true, env = "HUTONG_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// The account to log in with (or the `HUTONG_USER` environment
    /// variable). Every command that opens a county database needs one.
    #[arg(long, global = true, env = "HUTONG_USER", value_name = "NAME")]
    pub user: Option<String>,

    /// Read the log-in password from the first line of standard input
    /// (otherwise from a prompt, or `HUTONG_PASSWORD` for scripts).
    #[arg(long, global = true)]
    pub password_stdin: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a database for one county with its first administrator.
    Init(setup::InitArgs),
    /// Reset a county administrator's password with the county's recovery
    /// code (printed once at `init`).
    Recover(setup::RecoverArgs),
    /// Create (or extend) a realistic demo county.
    Demo(setup::DemoArgs),
    /// Children's files: list, show, add, close.
    #[command(subcommand)]
    Child(children::ChildCommand),
    /// Administrative divisions: show a code's name path and children.
    #[command(subcommand)]
    Division(setup::DivisionCommand),
    /// Export all case data.
    Export(setup::ExportArgs),
    /// Import an export file (all of it or nothing).
    Import(setup::ImportArgs),
    /// The audit log.
    #[command(subcommand)]
    Audit(setup::AuditCommand),
    /// Print a report template of an installed plugin to PDF.
    Report(report::ReportArgs),
    /// Province plugins: keys, signatures, install, list, test.
    #[command(subcommand)]
    Plugin(plugins::PluginCommand),
    /// Run a scale of the province plugin for one child or re-assess all.
    Assess(casework::AssessArgs),
    /// The visit schedule: due this week, overdue, escalations.
    Schedule(casework::ScheduleArgs),
    /// 摸排 rounds: start, status, record, close.
    #[command(subcommand)]
    Campaign(casework::CampaignCommand),
    /// Eligibility: the daily sweep, or check one child.
    #[command(subcommand)]
    Eligibility(casework::EligibilityCommand),
    /// Spreadsheets: import children from XLSX/CSV, export lists.
    #[command(subcommand)]
    Table(exchange::TableCommand),
    /// 数据比对: compare another department's list with our files.
    Compare(exchange::CompareArgs),
    /// Statistics per township and category (print, .xlsx or .pdf).
    Stats(exchange::StatsArgs),
    /// Online backup to a file, or the daily backup to a folder.
    Backup(exchange::BackupArgs),
    /// Restore a verified backup (the current file is kept as .bak).
    Restore(exchange::RestoreArgs),
    /// 强制报告 (mandatory reports): add, edit, list, feedback, custody, letter.
    #[command(subcommand)]
    Mreport(records::MreportCommand),
    /// Care services and referrals: add, list, coverage, refer.
    #[command(subcommand)]
    Service(records::ServiceCommand),
    /// 孤儿/事实无人抚养 allowances: standards, monthly ledger, roster; grants.
    #[command(subcommand)]
    Allowance(records::AllowanceCommand),
    /// 微心愿: add, publish, claim, fulfil, list.
    #[command(subcommand)]
    Wish(records::WishCommand),
    /// Psychological care: sessions, screenings, follow-ups.
    #[command(subcommand)]
    Care(records::CareCommand),
    /// 儿童督导员 and 儿童主任, training, 儿童之家, network gaps.
    #[command(subcommand)]
    Workforce(records::WorkforceCommand),
    /// A record's history (old → new) from the audit log.
    History(records::HistoryArgs),
    /// Accounts: add, list, disable, enable, reset-password, set-role, passwd.
    #[command(subcommand)]
    User(user::UserCommand),
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let is_default_db = cli.db.is_none();
    let db = cli.db.clone().unwrap_or_else(hutong::paths::default_db);
    let Some(command) = cli.command else {
        return hutong::gui::run(&db, is_default_db);
    };
    let session = match access::required(&command, &db) {
        access::Need::Nothing => None,
        access::Need::Login(action) => Some(access::log_in(
            &db,
            cli.user.as_deref(),
            cli.password_stdin,
            Some(action),
        )?),
        access::Need::LoginOnly => Some(access::log_in(
            &db,
            cli.user.as_deref(),
            cli.password_stdin,
            None,
        )?),
    };
    // `required` returned `Login` for every command below, so the session is
    // there; a missing one is a bug and must not run the command anonymously.
    let session = || {
        session
            .as_ref()
            .context("内部错误：此命令需要登录，但没有会话")
    };
    let result = match command {
        Command::Init(a) => setup::init(&db, a, cli.password_stdin),
        Command::Recover(a) => setup::recover(&db, a, cli.password_stdin),
        Command::Demo(a) => setup::demo(&db, a),
        Command::Child(c) => children::run(&db, session()?, c),
        Command::Division(c) => setup::division(&db, c),
        Command::Export(a) => setup::export(&db, session()?, a, cli.password_stdin),
        Command::Import(a) => setup::import(&db, session()?, a, cli.password_stdin),
        Command::Audit(c) => setup::audit(&db, session()?, c),
        Command::Plugin(c) => plugins::run(&db, session().ok(), c),
        Command::Report(a) => report::run(&db, session()?, a),
        Command::Assess(a) => casework::assess(&db, session()?, a),
        Command::Schedule(a) => casework::schedule(&db, session()?, a),
        Command::Campaign(c) => casework::campaign(&db, session()?, c),
        Command::Eligibility(c) => casework::eligibility(&db, session()?, c),
        Command::Table(c) => exchange::table(&db, session()?, c, cli.password_stdin),
        Command::Compare(a) => exchange::compare(&db, session()?, a),
        Command::Stats(a) => exchange::stats_cmd(&db, session()?, a),
        Command::Backup(a) => exchange::backup_cmd(&db, session()?, a),
        Command::Restore(a) => exchange::restore_cmd(&db, session()?, a, cli.password_stdin),
        Command::Mreport(c) => records::mreport(&db, session()?, c),
        Command::Service(c) => records::service(&db, session()?, c),
        Command::Allowance(c) => records::allowance(&db, session()?, c),
        Command::Wish(c) => records::wish(&db, session()?, c),
        Command::Care(c) => records::care(&db, session()?, c),
        Command::Workforce(c) => records::workforce(&db, session()?, c),
        Command::History(a) => records::history(&db, session()?, a),
        Command::User(c) => user::run(&db, session()?, c, cli.password_stdin),
    };
    if let (Err(e), Some(session)) = (&result, session().ok()) {
        audit_out_of_scope(&db, session, e);
    }
    result
}

/// A command that reached outside the user's division (core refused it) is
/// recorded as a refusal, whichever command it was.
fn audit_out_of_scope(db: &Path, session: &hutong_services::Session, err: &anyhow::Error) {
    // A `ServiceError` wrapping the same refusal was audited by the
    // services already (`Session::checked`), so only bare core errors count.
    let what = err
        .chain()
        .find_map(|e| match e.downcast_ref::<hutong_core::CoreError>() {
            Some(hutong_core::CoreError::OutOfScope {
                what,
                audited: false,
                ..
            }) => Some(what.clone()),
            _ => None,
        });
    if let (Some(what), Ok(mut store)) = (what, open(db)) {
        session.audit_refusal(&mut store, "out_of_scope", &what);
    }
}

/// Opens another connection to the database this command's log-in
/// unlocked, with the path in any error.
pub fn open(db: &Path) -> Result<Store> {
    let unlocked = access::unlocked(db)
        .with_context(|| format!("打开数据库 {}：尚未登录（内部错误）", db.display()))?;
    unlocked
        .open()
        .with_context(|| format!("打开数据库 {}", db.display()))
}
