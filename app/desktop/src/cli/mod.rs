//! The command line. Every command takes `--db FILE`; errors name the file,
//! row or field and exit non-zero.

mod casework;
mod children;
mod exchange;
pub mod plugins;
mod records;
mod report;
mod setup;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use hutong_core::{Actor, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "hutong",
    version,
    about = "护童：县级困境儿童关爱保护工作站 / county child-welfare workstation"
)]
pub struct Cli {
    /// Database file (default: the platform data directory).
    #[arg(long, global = true, env = "HUTONG_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Name recorded in the audit log for command-line writes.
    #[arg(
        long = "as",
        global = true,
        value_name = "NAME",
        default_value = "命令行"
    )]
    pub actor: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a database for one county with its first administrator.
    Init(setup::InitArgs),
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
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let is_default_db = cli.db.is_none();
    let db = cli.db.clone().unwrap_or_else(hutong::paths::default_db);
    let actor = Actor::system(&cli.actor);
    match cli.command {
        None => hutong::gui::run(&db, is_default_db),
        Some(Command::Init(a)) => setup::init(&db, a),
        Some(Command::Demo(a)) => setup::demo(&db, a),
        Some(Command::Child(c)) => children::run(&db, &actor, c),
        Some(Command::Division(c)) => setup::division(&db, c),
        Some(Command::Export(a)) => setup::export(&db, &actor, a),
        Some(Command::Import(a)) => setup::import(&db, &actor, a),
        Some(Command::Audit(c)) => setup::audit(&db, c),
        Some(Command::Plugin(c)) => plugins::run(&db, &actor, c),
        Some(Command::Report(a)) => report::run(&db, &actor, a),
        Some(Command::Assess(a)) => casework::assess(&db, &actor, a),
        Some(Command::Schedule(a)) => casework::schedule(&db, a),
        Some(Command::Campaign(c)) => casework::campaign(&db, &actor, c),
        Some(Command::Eligibility(c)) => casework::eligibility(&db, &actor, c),
        Some(Command::Table(c)) => exchange::table(&db, &actor, c),
        Some(Command::Compare(a)) => exchange::compare(&db, &actor, a),
        Some(Command::Stats(a)) => exchange::stats_cmd(&db, &actor, a),
        Some(Command::Backup(a)) => exchange::backup_cmd(&db, &actor, a),
        Some(Command::Restore(a)) => exchange::restore_cmd(&db, &actor, a),
        Some(Command::Mreport(c)) => records::mreport(&db, &actor, c),
        Some(Command::Service(c)) => records::service(&db, &actor, c),
        Some(Command::Allowance(c)) => records::allowance(&db, &actor, c),
        Some(Command::Wish(c)) => records::wish(&db, &actor, c),
        Some(Command::Care(c)) => records::care(&db, &actor, c),
        Some(Command::Workforce(c)) => records::workforce(&db, &actor, c),
        Some(Command::History(a)) => records::history(&db, a),
    }
}

/// Opens an initialised database, with the path in any error.
pub fn open(db: &Path) -> Result<Store> {
    Store::open_existing(db).with_context(|| format!("打开数据库 {}", db.display()))
}
