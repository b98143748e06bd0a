//! Casework records over the command line (issue #9): `hutong mreport`,
//! `service`, `allowance`, `wish`, `care`, `workforce` and `history`.
//!
//! Children are named by ID number (`--child`); records by the id printed
//! when they were added (also in `--json` output).

use super::open;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use hutong_core::allowances::{self as al, Programme, YearMonth};
use hutong_core::counselling::{FollowUpStatus, SessionMode};
use hutong_core::mandatory_reports::{self as mr, Channel, Reporter, Situation};
use hutong_core::national::NaiveDate;
use hutong_core::national::category::CaseCategory;
use hutong_core::national::{dates, division};
use hutong_core::services::{self as sv, ItemSnapshot, ReferralStatus};
use hutong_core::wishes::{self, SponsorKind, WishStatus};
use hutong_core::workforce::{self as wf, WorkerRole};
use hutong_core::{RowId, Store, children};
use hutong_services::Session;
use hutong_services::records as rec;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod allowance;
mod care;
mod history;
mod mreport;
mod service;
mod wish;
mod workforce;

pub use allowance::{AllowanceCommand, GrantCommand, allowance};
pub use care::{CareCommand, care};
pub use history::{HistoryArgs, history};
pub use mreport::{MreportCommand, mreport};
pub use service::{ServiceCommand, service};
pub use wish::{WishCommand, wish};
pub use workforce::{HomeCommand, TrainingCommand, WorkforceCommand, workforce};

// ---------------------------------------------------------------- helpers shared by the sub-commands

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn parse_date(flag: &str, s: &str) -> Result<NaiveDate> {
    dates::parse_flexible(s).with_context(|| format!("{flag}：“{s}”不是有效日期"))
}

fn date_or_today(flag: &str, s: &Option<String>) -> Result<NaiveDate> {
    match s {
        Some(s) => parse_date(flag, s),
        None => Ok(today()),
    }
}

fn parse_row_id(flag: &str, s: &str) -> Result<RowId> {
    s.trim()
        .parse()
        .with_context(|| format!("{flag}：“{s}”不是有效的记录编号"))
}

fn child_of(store: &mut Store, session: &Session, id: &str) -> Result<children::Child> {
    Ok(rec::child_by_id_number(store, session, id)?)
}

/// `--scope`, checked as a division code here; the services narrow the
/// session's scope to it (it must lie inside).
fn division_arg(scope: &Option<String>) -> Result<Option<String>> {
    scope
        .as_deref()
        .map(|s| {
            division::normalize_code(s).with_context(|| format!("--scope：“{s}”不是有效的区划代码"))
        })
        .transpose()
}

fn yuan(flag: &str, s: &str) -> Result<i64> {
    Ok(al::parse_yuan(flag, s)?)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Prints what a command wrote: the file, its kind, size and hash.
fn printed(out: &Path, what: &str, bytes: usize, sha256: &str) {
    println!(
        "已生成 {}（{}，{} 字节，SHA-256 {}）",
        out.display(),
        what,
        bytes,
        sha256.get(..16).unwrap_or(sha256)
    );
}

fn dash(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}
