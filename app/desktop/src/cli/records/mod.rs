//! Casework records over the command line (issue #9): `hutong mreport`,
//! `service`, `allowance`, `wish`, `care`, `workforce` and `history`.
//!
//! Children are named by ID number (`--child`); records by the id printed
//! when they were added (also in `--json` output).

use super::open;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use hutong_core::allowances::{self as al, Programme, YearMonth};
use hutong_core::audit::{self, AuditEntryInput};
use hutong_core::counselling::{FollowUpStatus, SessionMode};
use hutong_core::mandatory_reports::{self as mr, Channel, Reporter, Situation};
use hutong_core::national::NaiveDate;
use hutong_core::national::category::CaseCategory;
use hutong_core::national::{dates, division, id_number};
use hutong_core::services::{self as sv, ItemSnapshot, ReferralStatus};
use hutong_core::users::Role;
use hutong_core::wishes::{self, SponsorKind, WishStatus};
use hutong_core::workforce::{self as wf, WorkerRole};
use hutong_core::{Actor, RowId, Scope, Store, children, divisions};
use hutong_services::{Action, Session};
use sha2::{Digest, Sha256};
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

fn child_of(store: &Store, scope: &Scope, id: &str) -> Result<children::Child> {
    children::get_by_id_number(store.conn(), scope, id)?.with_context(|| {
        format!(
            "--child：未找到身份证号为 {} 的儿童档案",
            id_number::mask(&id_number::normalize(id))
        )
    })
}

/// The user's scope, narrowed to `--scope` when given (which must lie
/// inside it).
fn scope_of(actor: &Actor, scope: &Option<String>) -> Result<Scope> {
    match scope {
        Some(s) => {
            let code = division::normalize_code(s)
                .with_context(|| format!("--scope：“{s}”不是有效的区划代码"))?;
            Ok(actor.scope().narrow_to(&code)?)
        }
        None => Ok(actor.scope().clone()),
    }
}

fn office_name(store: &Store) -> Result<String> {
    let county = store.county_code()?.unwrap_or_default();
    let path = divisions::name_path(store.conn(), &county)?;
    Ok(format!(
        "{}民政局",
        path.last().cloned().unwrap_or_default()
    ))
}

fn yuan(flag: &str, s: &str) -> Result<i64> {
    Ok(al::parse_yuan(flag, s)?)
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn child_name(store: &Store, scope: &Scope, id: RowId) -> String {
    children::get(store.conn(), scope, id)
        .ok()
        .flatten()
        .map(|c| c.name)
        .unwrap_or_else(|| "?".into())
}

/// Writes a rendered file and records the print (with its SHA-256).
fn write_and_audit(
    store: &mut Store,
    actor: &Actor,
    out: &Path,
    bytes: &[u8],
    what: &str,
    entity_id: String,
) -> Result<()> {
    std::fs::write(out, bytes).with_context(|| format!("写入 {}", out.display()))?;
    let sha = hex::encode(Sha256::digest(bytes));
    store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new("report.print", "report", Some(entity_id.clone())).detail(
                serde_json::json!({
                    "template": what,
                    "file": out.display().to_string(),
                    "sha256": sha,
                }),
            ),
        )
    })?;
    println!(
        "已生成 {}（{}，{} 字节，SHA-256 {}）",
        out.display(),
        what,
        bytes.len(),
        &sha[..16]
    );
    Ok(())
}

fn render_pdf(doc: &hutong_core::document::Document) -> Result<Vec<u8>> {
    let fonts = hutong_report::FontSet::with_system_fonts();
    hutong_report::render(doc, &fonts).context("排版 PDF")
}

fn dash(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}
