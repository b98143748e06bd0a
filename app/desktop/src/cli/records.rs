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
use hutong_core::counselling::{self as care, FollowUpStatus, SessionMode};
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

// ---------------------------------------------------------------- helpers

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

// ---------------------------------------------------------------- history

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A record id (强制报告, service, wish, worker...).
    id: String,
    #[arg(long)]
    json: bool,
}

pub fn history(db: &Path, actor: &Actor, a: HistoryArgs) -> Result<ExitCode> {
    let store = open(db)?;
    let id = parse_row_id("记录编号", &a.id)?.to_string();
    let mut stmt = store
        .conn()
        .prepare("SELECT entity FROM audit_log WHERE entity_id = ?1 ORDER BY seq LIMIT 1")?;
    let entity: Option<String> = stmt.query_map([&id], |r| r.get(0))?.next().transpose()?;
    let Some(entity) = entity else {
        bail!("审计日志中没有记录 {id} 的历史");
    };
    let entries = audit::history_in_scope(store.conn(), actor.scope(), &entity, &id)?;
    if a.json {
        return print_json(&entries).map(|_| ExitCode::SUCCESS);
    }
    for e in entries.iter().rev() {
        let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
        let mut line = format!("{}\t{}\t{}", e.at, e.actor, e.action);
        if let Some(changes) = detail.get("changes").and_then(|c| c.as_object()) {
            let parts: Vec<String> = changes
                .iter()
                .map(|(k, v)| {
                    let show = |x: Option<&serde_json::Value>| match x {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(serde_json::Value::Null) | None => "（空）".into(),
                        Some(other) => other.to_string(),
                    };
                    format!("{k}: {} → {}", show(v.get(0)), show(v.get(1)))
                })
                .collect();
            line.push('\t');
            line.push_str(&parts.join("；"));
        }
        if let Some(r) = &e.reason {
            line.push_str(&format!("\t原因：{r}"));
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- 强制报告

#[derive(Debug, Subcommand)]
pub enum MreportCommand {
    /// Record a 强制报告.
    Add(MreportAddArgs),
    /// Correct a report's fields (each change is kept in its history).
    Edit(MreportEditArgs),
    /// List reports; the reporter is shown only to county_admin and caseworker.
    List {
        /// Division code (default: the county).
        #[arg(long)]
        scope: Option<String>,
        /// Only reports still waiting for feedback.
        #[arg(long)]
        open: bool,
        /// Only reports flagged late.
        #[arg(long)]
        late: bool,
        #[arg(long)]
        json: bool,
    },
    /// Record the receiving agency's feedback; the report closes.
    Feedback {
        id: String,
        #[arg(long)]
        text: String,
        #[arg(long)]
        on: Option<String>,
    },
    /// Record that 民政 started 临时监护 (未保法 第九十二条).
    Custody {
        id: String,
        #[arg(long)]
        agency: String,
        #[arg(long)]
        from: Option<String>,
        /// The item of 第九十二条, 1–7 (6 = 遭受监护人严重伤害需紧急安置).
        #[arg(long)]
        clause: u8,
    },
    /// Print the referral letter (转介函) to PDF.
    Letter {
        id: String,
        #[arg(long)]
        out: PathBuf,
        /// Letter number, e.g. 固民函〔2025〕12号.
        #[arg(long)]
        number: Option<String>,
    },
    /// Void a report entered in error.
    Void {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// The situation and channel codes.
    Codes,
}

#[derive(Debug, Args)]
pub struct MreportAddArgs {
    /// The child's ID number.
    #[arg(long)]
    child: String,
    /// Situation codes, comma-separated, e.g. MULTI_INJURY_NEGLECT.
    #[arg(long, value_delimiter = ',', required = true)]
    situation: Vec<String>,
    #[arg(long)]
    reporter_unit: String,
    #[arg(long)]
    reporter_role: String,
    #[arg(long)]
    reporter_contact: Option<String>,
    /// When the harm was found: "YYYY-MM-DD HH:MM".
    #[arg(long)]
    found: String,
    /// When it was reported: "YYYY-MM-DD HH:MM".
    #[arg(long)]
    reported: String,
    /// 110, police, civil_affairs, 12349, education or other.
    #[arg(long)]
    channel: String,
    /// The receiving agency, e.g. 固始县公安局.
    #[arg(long)]
    agency: String,
    #[arg(long)]
    receipt: Option<String>,
    #[arg(long)]
    perpetrator: Option<String>,
    /// The immediate safety action taken.
    #[arg(long)]
    action: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct MreportEditArgs {
    id: String,
    #[arg(long, value_delimiter = ',')]
    situation: Option<Vec<String>>,
    #[arg(long)]
    reporter_unit: Option<String>,
    #[arg(long)]
    reporter_role: Option<String>,
    #[arg(long)]
    reporter_contact: Option<String>,
    #[arg(long)]
    found: Option<String>,
    #[arg(long)]
    reported: Option<String>,
    #[arg(long)]
    channel: Option<String>,
    #[arg(long)]
    agency: Option<String>,
    #[arg(long)]
    receipt: Option<String>,
    #[arg(long)]
    perpetrator: Option<String>,
    #[arg(long)]
    action: Option<String>,
    /// Why the report is corrected (kept in the history).
    #[arg(long)]
    reason: Option<String>,
}

fn parse_situations(codes: &[String]) -> Result<Vec<Situation>> {
    codes
        .iter()
        .map(|c| {
            Situation::from_code(c).with_context(|| {
                format!(
                    "--situation：未知情形“{c}”，可用：{}",
                    Situation::ALL.map(|s| s.code()).join("、")
                )
            })
        })
        .collect()
}

fn parse_channel(s: &str) -> Result<Channel> {
    Channel::from_code(s).with_context(|| {
        format!(
            "--channel：未知渠道“{s}”，可用：{}",
            Channel::ALL.map(|c| c.code()).join("、")
        )
    })
}

fn report_json(r: &mr::MandatoryReport) -> serde_json::Value {
    serde_json::json!({
        "id": r.id.to_string(),
        "child_id": r.child_id.to_string(),
        "situations": r.situations.iter().map(|s| s.code()).collect::<Vec<_>>(),
        "reporter": r.reporter,
        "reporter_redacted": r.reporter_redacted,
        "found_at": r.found_at.format("%Y-%m-%d %H:%M").to_string(),
        "reported_at": r.reported_at.format("%Y-%m-%d %H:%M").to_string(),
        "delay_minutes": r.delay_minutes(),
        "late": r.is_late(),
        "channel": r.channel.code(),
        "receiving_agency": r.receiving_agency,
        "receipt_no": r.receipt_no,
        "safety_action": r.safety_action,
        "feedback": r.feedback,
        "feedback_on": r.feedback_on.map(|d| d.to_string()),
        "custody": r.custody,
        "status": r.status.code(),
    })
}

pub fn mreport(db: &Path, session: &Session, cmd: MreportCommand) -> Result<ExitCode> {
    let actor = &session.actor();
    let mut store = open(db)?;
    match cmd {
        MreportCommand::Codes => {
            println!("报告情形：");
            for s in Situation::ALL {
                println!("  {}\t{}", s.code(), s.label_zh());
            }
            println!("报告渠道：");
            for c in Channel::ALL {
                println!("  {}\t{}", c.code(), c.label_zh());
            }
        }
        MreportCommand::Add(a) => {
            let child = child_of(&store, actor.scope(), &a.child)?;
            let input = mr::ReportInput {
                child_id: child.id,
                situations: parse_situations(&a.situation)?,
                reporter: Reporter {
                    unit: a.reporter_unit,
                    role: a.reporter_role,
                    contact: a.reporter_contact,
                },
                found_at: mr::parse_time("--found", &a.found)?,
                reported_at: mr::parse_time("--reported", &a.reported)?,
                channel: parse_channel(&a.channel)?,
                receiving_agency: a.agency,
                receipt_no: a.receipt,
                perpetrator_relation: a.perpetrator,
                safety_action: a.action,
            };
            let r = store.write(actor, |tx| mr::add(tx, &input))?;
            if a.json {
                print_json(&report_json(&r))?;
            } else {
                println!("已登记强制报告 {}（{}）", r.id, child.name);
                if r.is_late() {
                    println!(
                        "警告：发现后 {} 才报告，超过 {} 小时，已标记为迟报",
                        r.delay_zh(),
                        mr::REPORT_DEADLINE_HOURS
                    );
                }
            }
        }
        MreportCommand::Edit(a) => {
            let id = parse_row_id("记录编号", &a.id)?;
            let old = mr::get(store.conn(), id, Role::CountyAdmin)?
                .with_context(|| format!("未找到强制报告 {id}"))?;
            let input = mr::ReportInput {
                child_id: old.child_id,
                situations: match &a.situation {
                    Some(s) => parse_situations(s)?,
                    None => old.situations.clone(),
                },
                reporter: Reporter {
                    unit: a.reporter_unit.unwrap_or(old.reporter.unit),
                    role: a.reporter_role.unwrap_or(old.reporter.role),
                    contact: a.reporter_contact.or(old.reporter.contact),
                },
                found_at: match &a.found {
                    Some(s) => mr::parse_time("--found", s)?,
                    None => old.found_at,
                },
                reported_at: match &a.reported {
                    Some(s) => mr::parse_time("--reported", s)?,
                    None => old.reported_at,
                },
                channel: match &a.channel {
                    Some(s) => parse_channel(s)?,
                    None => old.channel,
                },
                receiving_agency: a.agency.unwrap_or(old.receiving_agency),
                receipt_no: a.receipt.or(old.receipt_no),
                perpetrator_relation: a.perpetrator.or(old.perpetrator_relation),
                safety_action: a.action.or(old.safety_action),
            };
            let r = store.write(actor, |tx| mr::update(tx, id, &input, a.reason.as_deref()))?;
            println!(
                "已修改强制报告 {}{}",
                r.id,
                if r.is_late() { "（迟报）" } else { "" }
            );
        }
        MreportCommand::List {
            scope,
            open,
            late,
            json,
        } => {
            // The reporter is redacted unless the signed-in role may see it.
            let viewer = if session.can(Action::ViewReporter) {
                session.role().unwrap_or(Role::Auditor)
            } else {
                Role::Auditor
            };
            let q = mr::ReportQuery {
                scope: scope_of(actor, &scope)?,
                open_only: open,
                late_only: late,
                include_voided: false,
            };
            let rows = mr::list(store.conn(), &q, viewer)?;
            if json {
                let out: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        let mut v = report_json(&r.report);
                        v["child"] = r.child_name.clone().into();
                        v["village"] = r.village_name.clone().into();
                        v
                    })
                    .collect();
                print_json(&out)?;
            } else {
                println!(
                    "编号\t儿童\t村（居）\t情形\t发现时间\t报告时间\t时效\t接报机关\t报告人\t状态"
                );
                for r in &rows {
                    let m = &r.report;
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        m.id,
                        r.child_name,
                        r.village_name,
                        m.situations
                            .iter()
                            .map(|s| s.short_zh())
                            .collect::<Vec<_>>()
                            .join("、"),
                        m.found_at.format("%Y-%m-%d %H:%M"),
                        m.reported_at.format("%Y-%m-%d %H:%M"),
                        if r.late {
                            format!("迟报（{}）", m.delay_zh())
                        } else {
                            "及时".into()
                        },
                        m.receiving_agency,
                        if m.reporter_redacted {
                            mr::REDACTED.to_string()
                        } else {
                            format!("{} {}", m.reporter.unit, m.reporter.role)
                        },
                        m.status.label_zh()
                    );
                }
                eprintln!("共 {} 条", rows.len());
            }
        }
        MreportCommand::Feedback { id, text, on } => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            store.write(actor, |tx| mr::record_feedback(tx, id, &text, on))?;
            println!("已记录反馈，报告已办结");
        }
        MreportCommand::Custody {
            id,
            agency,
            from,
            clause,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let from = date_or_today("--from", &from)?;
            store.write(actor, |tx| {
                mr::start_custody(
                    tx,
                    id,
                    &mr::TemporaryCustody {
                        agency: agency.clone(),
                        from,
                        clause,
                    },
                )
            })?;
            println!(
                "已登记临时监护：{}，自{}起（未保法第九十二条{}）",
                agency.trim(),
                dates::format_zh(from),
                mr::custody_clause_label(clause).unwrap_or("")
            );
        }
        MreportCommand::Letter { id, out, number } => {
            let id = parse_row_id("记录编号", &id)?;
            let ctx = mr::LetterContext {
                office_name: office_name(&store)?,
                today: today(),
                letter_no: number,
            };
            let doc = mr::referral_letter(store.conn(), id, &ctx)?;
            let pdf = render_pdf(&doc)?;
            write_and_audit(
                &mut store,
                actor,
                &out,
                &pdf,
                "强制报告转介函",
                id.to_string(),
            )?;
        }
        MreportCommand::Void { id, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            store.write(actor, |tx| mr::void(tx, id, &reason))?;
            println!("已作废");
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- services

#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Record a service a child received.
    Add(ServiceAddArgs),
    /// Correct a service record.
    Edit {
        id: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        outcome: Option<String>,
    },
    /// List services (one child, or everything in a scope).
    List {
        #[arg(long)]
        child: Option<String>,
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Coverage per service area per township.
    Coverage {
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The installed plugins' service catalogue.
    Catalog,
    /// Refer a child to a department.
    Refer {
        #[arg(long)]
        child: String,
        #[arg(long)]
        department: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        on: Option<String>,
        /// Catalogue item code, if the referral is for one.
        #[arg(long)]
        code: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// The 强制报告 this referral comes from (its record id).
        #[arg(long)]
        mreport: Option<String>,
    },
    /// Move a referral on: accepted, done or declined.
    Referral {
        id: String,
        #[arg(long)]
        status: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// A child's referrals.
    Referrals {
        #[arg(long)]
        child: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServiceAddArgs {
    #[arg(long)]
    child: String,
    /// Catalogue item code. Name and area come from the installed plugin's
    /// catalogue unless given.
    #[arg(long)]
    code: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    area: Option<String>,
    #[arg(long)]
    date: Option<String>,
    #[arg(long)]
    provider: String,
    /// Responsible department (default: the catalogue's).
    #[arg(long)]
    department: Option<String>,
    #[arg(long)]
    outcome: Option<String>,
    #[arg(long)]
    json: bool,
}

fn catalog(db: &Path, store: &Store) -> Result<Vec<hutong_core::province::ServiceItem>> {
    let runtime = hutong::installed::runtime_for(Some(db))?;
    let mut out = Vec::new();
    for mut p in hutong::installed::load_installed(db, store, &runtime)? {
        out.extend(p.service_catalog()?);
    }
    Ok(out)
}

pub fn service(db: &Path, actor: &Actor, cmd: ServiceCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        ServiceCommand::Add(a) => {
            let child = child_of(&store, actor.scope(), &a.child)?;
            let (item, default_department) = match (&a.name, &a.area) {
                (Some(n), Some(ar)) => (
                    ItemSnapshot {
                        code: a.code.clone(),
                        name: n.clone(),
                        area: ar.clone(),
                    },
                    None,
                ),
                _ => {
                    let found = catalog(db, &store)?
                        .into_iter()
                        .find(|i| i.code == a.code.trim())
                        .with_context(|| {
                            format!(
                                "--code：已安装插件的服务清单中没有“{}”（或用 --name 和 --area 直接给出）",
                                a.code
                            )
                        })?;
                    (ItemSnapshot::from(&found), Some(found.department))
                }
            };
            let department = a
                .department
                .or(default_department)
                .context("需要 --department（责任部门）")?;
            let input = sv::ServiceInput {
                child_id: child.id,
                item,
                service_date: date_or_today("--date", &a.date)?,
                provider: a.provider,
                department,
                outcome: a.outcome,
            };
            let rec = store.write(actor, |tx| sv::add(tx, &input, today()))?;
            if a.json {
                print_json(&rec)?;
            } else {
                println!(
                    "已登记服务 {}：{} {}（{}）",
                    rec.id, child.name, rec.item.name, rec.item.area
                );
            }
        }
        ServiceCommand::Edit {
            id,
            date,
            provider,
            department,
            outcome,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let old = sv::get(store.conn(), id)?.with_context(|| format!("未找到服务记录 {id}"))?;
            let input = sv::ServiceInput {
                child_id: old.child_id,
                item: old.item.clone(),
                service_date: match &date {
                    Some(d) => parse_date("--date", d)?,
                    None => old.service_date,
                },
                provider: provider.unwrap_or(old.provider),
                department: department.unwrap_or(old.department),
                outcome: outcome.or(old.outcome),
            };
            store.write(actor, |tx| sv::update(tx, id, &input, today()))?;
            println!("已修改服务记录 {id}");
        }
        ServiceCommand::List {
            child,
            scope,
            from,
            to,
            json,
        } => {
            let from = from
                .as_deref()
                .map(|s| parse_date("--from", s))
                .transpose()?;
            let to = to.as_deref().map(|s| parse_date("--to", s)).transpose()?;
            let rows: Vec<sv::ServiceRow> = match &child {
                Some(c) => {
                    let child = child_of(&store, actor.scope(), c)?;
                    let village = divisions::get(store.conn(), &child.residence_division)?
                        .map(|d| d.name)
                        .unwrap_or_default();
                    sv::for_child(store.conn(), child.id)?
                        .into_iter()
                        .filter(|s| s.active)
                        .filter(|s| from.is_none_or(|f| s.service_date >= f))
                        .filter(|s| to.is_none_or(|t| s.service_date <= t))
                        .map(|s| sv::ServiceRow {
                            service: s,
                            child_name: child.name.clone(),
                            village_name: village.clone(),
                        })
                        .collect()
                }
                None => sv::list(store.conn(), &scope_of(actor, &scope)?, from, to)?,
            };
            if json {
                print_json(&rows)?;
            } else {
                println!("编号\t日期\t儿童\t村（居）\t领域\t项目\t提供者\t部门\t结果");
                for r in &rows {
                    let s = &r.service;
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        s.id,
                        s.service_date,
                        r.child_name,
                        r.village_name,
                        s.item.area,
                        s.item.name,
                        s.provider,
                        s.department,
                        dash(&s.outcome)
                    );
                }
                eprintln!("共 {} 条", rows.len());
            }
        }
        ServiceCommand::Coverage {
            scope,
            from,
            to,
            json,
        } => {
            let from = from
                .as_deref()
                .map(|s| parse_date("--from", s))
                .transpose()?;
            let to = to.as_deref().map(|s| parse_date("--to", s)).transpose()?;
            let scope = scope_of(actor, &scope)?;
            let rows = sv::coverage(store.conn(), &scope, from, to, &[])?;
            if json {
                print_json(&rows)?;
            } else {
                println!("乡镇（街道）\t服务领域\t在档儿童\t已服务儿童\t覆盖率\t服务人次");
                for r in rows.iter().filter(|r| r.services > 0) {
                    println!(
                        "{}\t{}\t{}\t{}\t{:.1}%\t{}",
                        r.township_name,
                        r.area,
                        r.active_children,
                        r.children_served,
                        r.percent(),
                        r.services
                    );
                }
                let empty: Vec<_> = {
                    let mut seen = Vec::new();
                    for r in &rows {
                        let any = rows
                            .iter()
                            .any(|x| x.township_code == r.township_code && x.services > 0);
                        if !any && !seen.contains(&r.township_name) {
                            seen.push(r.township_name.clone());
                        }
                    }
                    seen
                };
                if !empty.is_empty() {
                    println!("尚无服务记录的乡镇：{}", empty.join("、"));
                }
            }
        }
        ServiceCommand::Catalog => {
            let items = catalog(db, &store)?;
            if items.is_empty() {
                bail!("没有已安装的省级插件或插件未提供服务清单");
            }
            println!("编码\t领域\t项目\t责任部门");
            for i in items {
                println!("{}\t{}\t{}\t{}", i.code, i.area, i.name, i.department);
            }
        }
        ServiceCommand::Refer {
            child,
            department,
            reason,
            on,
            code,
            name,
            mreport,
        } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let mreport_id = mreport
                .as_deref()
                .map(|m| parse_row_id("--mreport", m))
                .transpose()?;
            let input = sv::ReferralInput {
                child_id: child.id,
                department,
                item: code.map(|code| ItemSnapshot {
                    code,
                    name: name.unwrap_or_default(),
                    area: String::new(),
                }),
                reason,
                sent_on: date_or_today("--on", &on)?,
                mreport_id,
            };
            let r = store.write(actor, |tx| sv::refer(tx, &input))?;
            println!("已转介 {}：{} → {}", r.id, child.name, r.department);
        }
        ServiceCommand::Referral {
            id,
            status,
            on,
            note,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let status = ReferralStatus::from_code(&status).with_context(|| {
                format!("--status：应为 accepted、done、declined 或 voided，实际为“{status}”")
            })?;
            let on = date_or_today("--on", &on)?;
            let r = store.write(actor, |tx| {
                sv::set_referral_status(tx, id, status, on, note.as_deref())
            })?;
            println!("转介 {} 状态：{}", r.id, r.status.label_zh());
        }
        ServiceCommand::Referrals { child, json } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let rows = sv::referrals_for_child(store.conn(), child.id)?;
            if json {
                print_json(&rows)?;
            } else {
                for r in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r.id,
                        r.sent_on,
                        r.department,
                        r.reason,
                        r.status.label_zh()
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- allowances

#[derive(Debug, Subcommand)]
pub enum AllowanceCommand {
    /// Set a county standard (with --category), or list the standards.
    Standard {
        /// ORPHAN_INSTITUTIONAL, ORPHAN_SCATTERED, DE_FACTO_UNSUPPORTED or HIV_AFFECTED.
        #[arg(long, requires_all = ["amount", "from", "basis"])]
        category: Option<String>,
        /// 元 per month, e.g. 1174 or 1651.50.
        #[arg(long)]
        amount: Option<String>,
        /// First day of the month it applies from, e.g. 2025-01-01.
        #[arg(long)]
        from: Option<String>,
        /// The county document setting it.
        #[arg(long)]
        basis: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Correct a standard's amount or basis.
    StandardEdit {
        id: String,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        basis: Option<String>,
    },
    /// Create the month's due payments (idempotent).
    Generate {
        #[arg(long)]
        month: String,
        #[arg(long)]
        json: bool,
    },
    /// Mark the month's due payments paid.
    Pay {
        #[arg(long)]
        month: String,
        /// Only these payment ids (default: all due).
        #[arg(long, value_delimiter = ',')]
        ids: Option<Vec<String>>,
        #[arg(long)]
        on: Option<String>,
        /// Bank batch or voucher number.
        #[arg(long = "ref")]
        pay_ref: Option<String>,
    },
    /// Void one payment.
    Void {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// One child's ledger.
    Ledger {
        #[arg(long)]
        child: String,
        #[arg(long)]
        json: bool,
    },
    /// The month's payment roster as PDF or XLSX (by the file extension).
    Roster {
        #[arg(long)]
        month: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        scope: Option<String>,
        /// Print full ID numbers (the official copy for the bank); the
        /// purpose given here is kept in the audit log.
        #[arg(long, value_name = "PURPOSE")]
        full_ids: Option<String>,
    },
    /// 福彩圆梦 and 明天计划 records.
    #[command(subcommand)]
    Grant(GrantCommand),
}

#[derive(Debug, Subcommand)]
pub enum GrantCommand {
    Add {
        #[arg(long)]
        child: String,
        /// fucai_dream (福彩圆梦) or tomorrow_plan (明天计划).
        #[arg(long)]
        programme: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        item: String,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    Edit {
        id: String,
        #[arg(long)]
        item: Option<String>,
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        provider: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    List {
        #[arg(long)]
        programme: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        json: bool,
    },
}

fn parse_month(s: &str) -> Result<YearMonth> {
    YearMonth::parse(s).with_context(|| format!("--month：“{s}”不是有效月份，应为 YYYY-MM"))
}

fn parse_allowance_category(s: &str) -> Result<CaseCategory> {
    CaseCategory::from_code(s.trim())
        .filter(|c| al::ALLOWANCE_CATEGORIES.contains(c))
        .with_context(|| {
            format!(
                "--category：应为 {}，实际为“{s}”",
                al::ALLOWANCE_CATEGORIES.map(|c| c.code()).join("、")
            )
        })
}

fn parse_programme(s: &str) -> Result<Programme> {
    Programme::from_code(s).with_context(|| {
        format!(
            "--programme：应为 fucai_dream（福彩圆梦）或 tomorrow_plan（明天计划），实际为“{s}”"
        )
    })
}

pub fn allowance(db: &Path, actor: &Actor, cmd: AllowanceCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        AllowanceCommand::Standard {
            category,
            amount,
            from,
            basis,
            json,
        } => {
            if let Some(cat) = category {
                let cat = parse_allowance_category(&cat)?;
                let cents = yuan("--amount", amount.as_deref().unwrap_or_default())?;
                let from = parse_date("--from", from.as_deref().unwrap_or_default())?;
                let basis = basis.unwrap_or_default();
                let s = store.write(actor, |tx| al::set_standard(tx, cat, cents, from, &basis))?;
                println!(
                    "已设定标准 {}：{} 每人每月 {} 元，自{}起",
                    s.id,
                    cat.label_zh(),
                    al::format_yuan(cents),
                    dates::format_zh(from)
                );
            } else {
                let list = al::standards(store.conn())?;
                if json {
                    print_json(&list)?;
                } else {
                    println!("编号\t类别\t金额（元/月）\t起始\t依据\t状态");
                    for s in list {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}",
                            s.id,
                            s.category.label_zh(),
                            al::format_yuan(s.amount_cents),
                            s.effective_from,
                            s.basis,
                            if s.active { "有效" } else { "已作废" }
                        );
                    }
                }
            }
        }
        AllowanceCommand::StandardEdit { id, amount, basis } => {
            let id = parse_row_id("记录编号", &id)?;
            let old = al::get_standard(store.conn(), id)?
                .with_context(|| format!("未找到补贴标准 {id}"))?;
            let cents = match amount {
                Some(a) => yuan("--amount", &a)?,
                None => old.amount_cents,
            };
            let basis = basis.unwrap_or(old.basis);
            store.write(actor, |tx| al::update_standard(tx, id, cents, &basis))?;
            println!("已修改补贴标准 {id}");
        }
        AllowanceCommand::Generate { month, json } => {
            let month = parse_month(&month)?;
            let s = store.write(actor, |tx| al::generate(tx, month))?;
            if json {
                print_json(&s)?;
            } else {
                println!(
                    "{}：新生成 {} 条待发放记录，合计 {} 元；已有 {} 条未重复生成",
                    month.label_zh(),
                    s.created,
                    al::format_yuan(s.total_cents),
                    s.already
                );
                for c in &s.missing_standard {
                    println!("警告：{}没有适用于该月的标准，未生成", c.label_zh());
                }
            }
        }
        AllowanceCommand::Pay {
            month,
            ids,
            on,
            pay_ref,
        } => {
            let month = parse_month(&month)?;
            let on = date_or_today("--on", &on)?;
            let ids: Option<Vec<RowId>> = ids
                .map(|v| v.iter().map(|s| parse_row_id("--ids", s)).collect())
                .transpose()?;
            let n = store.write(actor, |tx| {
                al::mark_paid(tx, month, ids.as_deref(), on, pay_ref.as_deref())
            })?;
            println!("{}：已标记 {} 条为已发放", month.label_zh(), n);
        }
        AllowanceCommand::Void { id, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            store.write(actor, |tx| al::void_payment(tx, id, &reason))?;
            println!("已作废发放记录 {id}");
        }
        AllowanceCommand::Ledger { child, json } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let rows = al::ledger(store.conn(), child.id)?;
            if json {
                print_json(&rows)?;
            } else {
                println!("月份\t类别\t金额（元）\t状态\t发放日期");
                for p in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        p.month,
                        p.category.label_zh(),
                        al::format_yuan(p.amount_cents),
                        p.status.label_zh(),
                        p.paid_on
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into())
                    );
                }
            }
        }
        AllowanceCommand::Roster {
            month,
            out,
            scope,
            full_ids,
        } => {
            let month = parse_month(&month)?;
            let scope = scope_of(actor, &scope)?;
            let ids = if full_ids.is_some() {
                al::IdDisplay::Full
            } else {
                al::IdDisplay::Masked
            };
            let reason = full_ids.unwrap_or_default();
            al::check_full_id_reason(ids, &reason)?;
            let roster = al::roster(store.conn(), month, &scope)?;
            if roster.rows.is_empty() {
                bail!(
                    "{}没有发放记录：请先运行 hutong allowance generate --month {}",
                    month.label_zh(),
                    month
                );
            }
            let office = office_name(&store)?;
            let ext = out
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let bytes = match ext.as_deref() {
                Some("pdf") => {
                    render_pdf(&al::roster_document_with(&roster, &office, today(), ids))?
                }
                Some("xlsx") => hutong::xlsx::allowance_roster_with(&roster, &office, ids)?,
                _ => bail!("--out：文件扩展名应为 .pdf 或 .xlsx"),
            };
            std::fs::write(&out, &bytes).with_context(|| format!("写入 {}", out.display()))?;
            let sha = hex::encode(Sha256::digest(&bytes));
            let file = out.display().to_string();
            store.write(actor, |tx| {
                al::audit_roster_export(tx, &roster, &file, &sha, ids, &reason)
            })?;
            println!(
                "已生成 {}（基本生活费发放花名册，{} 字节，SHA-256 {}）",
                out.display(),
                bytes.len(),
                &sha[..16]
            );
        }
        AllowanceCommand::Grant(g) => grant(&mut store, actor, g)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn grant(store: &mut Store, actor: &Actor, cmd: GrantCommand) -> Result<()> {
    match cmd {
        GrantCommand::Add {
            child,
            programme,
            on,
            item,
            amount,
            provider,
            note,
        } => {
            let child = child_of(store, actor.scope(), &child)?;
            let input = al::GrantInput {
                child_id: child.id,
                programme: parse_programme(&programme)?,
                granted_on: date_or_today("--on", &on)?,
                item,
                amount_cents: amount.as_deref().map(|a| yuan("--amount", a)).transpose()?,
                provider,
                note,
            };
            let g = store.write(actor, |tx| al::add_grant(tx, &input))?;
            println!(
                "已登记{} {}：{} {}",
                g.programme.label_zh(),
                g.id,
                child.name,
                g.item
            );
        }
        GrantCommand::Edit {
            id,
            item,
            amount,
            provider,
            note,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let old =
                al::get_grant(store.conn(), id)?.with_context(|| format!("未找到资助记录 {id}"))?;
            let input = al::GrantInput {
                child_id: old.child_id,
                programme: old.programme,
                granted_on: old.granted_on,
                item: item.unwrap_or(old.item),
                amount_cents: match amount {
                    Some(a) => Some(yuan("--amount", &a)?),
                    None => old.amount_cents,
                },
                provider: provider.or(old.provider),
                note: note.or(old.note),
            };
            store.write(actor, |tx| al::update_grant(tx, id, &input))?;
            println!("已修改资助记录 {id}");
        }
        GrantCommand::List {
            programme,
            year,
            json,
        } => {
            let p = programme.as_deref().map(parse_programme).transpose()?;
            let rows = al::list_grants(store.conn(), p, year)?;
            if json {
                print_json(&rows)?;
            } else {
                println!("编号\t项目\t日期\t儿童\t内容\t金额（元）\t机构");
                for g in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        g.id,
                        g.programme.label_zh(),
                        g.granted_on,
                        child_name(store, actor.scope(), g.child_id),
                        g.item,
                        g.amount_cents
                            .map(al::format_yuan)
                            .unwrap_or_else(|| "—".into()),
                        dash(&g.provider)
                    );
                }
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- 微心愿

#[derive(Debug, Subcommand)]
pub enum WishCommand {
    /// Record a child's wish.
    Add {
        #[arg(long)]
        child: String,
        #[arg(long)]
        wish: String,
        /// Estimated cost in 元.
        #[arg(long)]
        estimate: Option<String>,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Change the wish text or estimate (before it is claimed).
    Edit {
        id: String,
        #[arg(long)]
        wish: Option<String>,
        #[arg(long)]
        estimate: Option<String>,
    },
    Publish {
        id: String,
        #[arg(long)]
        on: Option<String>,
    },
    Claim {
        id: String,
        /// The sponsor's name (a company or a person).
        #[arg(long)]
        sponsor: String,
        /// company or person.
        #[arg(long, default_value = "person")]
        kind: String,
        #[arg(long)]
        contact: Option<String>,
        #[arg(long)]
        on: Option<String>,
    },
    Fulfil {
        id: String,
        #[arg(long)]
        on: Option<String>,
        /// Photo reference (file name or archive number).
        #[arg(long)]
        photo: Option<String>,
    },
    Cancel {
        id: String,
        #[arg(long)]
        reason: String,
    },
    List {
        #[arg(long)]
        scope: Option<String>,
        /// recorded, published, claimed, fulfilled or cancelled.
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn wish(db: &Path, actor: &Actor, cmd: WishCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        WishCommand::Add {
            child,
            wish,
            estimate,
            on,
            json,
        } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let est = estimate
                .as_deref()
                .map(|e| yuan("--estimate", e))
                .transpose()?;
            let on = date_or_today("--on", &on)?;
            let w = store.write(actor, |tx| wishes::add(tx, child.id, &wish, est, on))?;
            if json {
                print_json(&w)?;
            } else {
                println!("已登记微心愿 {}：{}“{}”", w.id, child.name, w.wish);
            }
        }
        WishCommand::Edit { id, wish, estimate } => {
            let id = parse_row_id("记录编号", &id)?;
            let old =
                wishes::get(store.conn(), id)?.with_context(|| format!("未找到微心愿 {id}"))?;
            let est = match estimate {
                Some(e) => Some(yuan("--estimate", &e)?),
                None => old.estimate_cents,
            };
            let text = wish.unwrap_or(old.wish);
            store.write(actor, |tx| wishes::edit(tx, id, &text, est))?;
            println!("已修改微心愿 {id}");
        }
        WishCommand::Publish { id, on } => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            store.write(actor, |tx| wishes::publish(tx, id, on))?;
            println!("已发布微心愿 {id}");
        }
        WishCommand::Claim {
            id,
            sponsor,
            kind,
            contact,
            on,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let kind = SponsorKind::from_code(&kind).with_context(|| {
                format!("--kind：应为 company（单位）或 person（个人），实际为“{kind}”")
            })?;
            let on = date_or_today("--on", &on)?;
            let s = wishes::Sponsor {
                kind,
                name: sponsor,
                contact,
            };
            store.write(actor, |tx| wishes::claim(tx, id, &s, on))?;
            println!("微心愿 {id} 已由{}“{}”认领", kind.label_zh(), s.name.trim());
        }
        WishCommand::Fulfil { id, on, photo } => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            store.write(actor, |tx| wishes::fulfil(tx, id, on, photo.as_deref()))?;
            println!("微心愿 {id} 已实现");
        }
        WishCommand::Cancel { id, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            store.write(actor, |tx| wishes::cancel(tx, id, &reason))?;
            println!("已取消微心愿 {id}");
        }
        WishCommand::List {
            scope,
            status,
            json,
        } => {
            let status = status
                .as_deref()
                .map(|s| {
                    WishStatus::from_code(s).with_context(|| format!("--status：未知状态“{s}”"))
                })
                .transpose()?;
            let scope = scope_of(actor, &scope)?;
            let rows = wishes::list(store.conn(), scope.code(), status)?;
            if json {
                print_json(&rows)?;
            } else {
                println!("编号\t儿童\t村（居）\t心愿\t状态\t认领人\t实现日期");
                for r in &rows {
                    let w = &r.wish;
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        w.id,
                        r.child_name,
                        r.village_name,
                        w.wish,
                        w.status.label_zh(),
                        w.sponsor
                            .as_ref()
                            .map(|s| format!("{}（{}）", s.name, s.kind.label_zh()))
                            .unwrap_or_else(|| "—".into()),
                        w.fulfilled_on
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into())
                    );
                }
                let counts = wishes::counts(store.conn(), scope.code())?;
                eprintln!(
                    "{}",
                    counts
                        .iter()
                        .map(|(s, n)| format!("{} {n}", s.label_zh()))
                        .collect::<Vec<_>>()
                        .join("，")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- 心理关爱

#[derive(Debug, Subcommand)]
pub enum CareCommand {
    /// Record a counselling session.
    Session {
        #[arg(long)]
        child: String,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        counsellor: String,
        /// individual, group, phone or online.
        #[arg(long, default_value = "individual")]
        mode: String,
        #[arg(long)]
        summary: String,
    },
    /// Record a screening result.
    Screening {
        #[arg(long)]
        child: String,
        #[arg(long)]
        date: Option<String>,
        /// Scale, e.g. PSC-17.
        #[arg(long)]
        scale: String,
        #[arg(long)]
        score: Option<f64>,
        /// The band, e.g. 阳性 / 需关注 / 正常.
        #[arg(long)]
        level: String,
        #[arg(long)]
        screener: String,
        #[arg(long)]
        note: Option<String>,
    },
    /// Correct a screening's score or level.
    ScreeningEdit {
        id: String,
        #[arg(long)]
        score: Option<f64>,
        #[arg(long)]
        level: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Schedule a follow-up.
    Followup {
        #[arg(long)]
        child: String,
        #[arg(long)]
        due: String,
        #[arg(long)]
        action: String,
        /// The session or screening that asked for it.
        #[arg(long)]
        source: Option<String>,
    },
    /// Close a follow-up (done or cancelled).
    Close {
        id: String,
        #[arg(long, default_value = "done")]
        status: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        note: String,
    },
    /// A child's sessions, screenings and follow-ups.
    List {
        #[arg(long)]
        child: String,
        #[arg(long)]
        json: bool,
    },
    /// Open follow-ups due by a date (default today).
    Due {
        #[arg(long)]
        by: Option<String>,
        #[arg(long)]
        scope: Option<String>,
    },
}

pub fn care(db: &Path, actor: &Actor, cmd: CareCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        CareCommand::Session {
            child,
            date,
            counsellor,
            mode,
            summary,
        } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let mode = SessionMode::from_code(&mode).with_context(|| {
                format!("--mode：应为 individual、group、phone 或 online，实际为“{mode}”")
            })?;
            let input = care::SessionInput {
                child_id: child.id,
                session_date: date_or_today("--date", &date)?,
                counsellor,
                mode,
                summary,
            };
            let s = store.write(actor, |tx| care::add_session(tx, &input))?;
            println!("已登记心理辅导 {}：{}", s.id, child.name);
        }
        CareCommand::Screening {
            child,
            date,
            scale,
            score,
            level,
            screener,
            note,
        } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let input = care::ScreeningInput {
                child_id: child.id,
                screened_on: date_or_today("--date", &date)?,
                scale,
                score,
                level,
                screener,
                note,
            };
            let s = store.write(actor, |tx| care::add_screening(tx, &input))?;
            println!(
                "已登记筛查 {}：{} {} {}",
                s.id, child.name, s.scale, s.level
            );
        }
        CareCommand::ScreeningEdit {
            id,
            score,
            level,
            note,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let old = care::get_screening(store.conn(), id)?
                .with_context(|| format!("未找到筛查记录 {id}"))?;
            let input = care::ScreeningInput {
                child_id: old.child_id,
                screened_on: old.screened_on,
                scale: old.scale,
                score: score.or(old.score),
                level: level.unwrap_or(old.level),
                screener: old.screener,
                note: note.or(old.note),
            };
            store.write(actor, |tx| care::update_screening(tx, id, &input))?;
            println!("已修改筛查记录 {id}");
        }
        CareCommand::Followup {
            child,
            due,
            action,
            source,
        } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let due = parse_date("--due", &due)?;
            let source = source
                .as_deref()
                .map(|s| parse_row_id("--source", s))
                .transpose()?;
            let f = store.write(actor, |tx| {
                care::add_followup(tx, child.id, source, due, &action)
            })?;
            println!("已安排随访 {}：{}，{}前", f.id, child.name, due);
        }
        CareCommand::Close {
            id,
            status,
            on,
            note,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let status = FollowUpStatus::from_code(status.trim())
                .with_context(|| format!("--status：应为 done 或 cancelled，实际为“{status}”"))?;
            let on = date_or_today("--on", &on)?;
            store.write(actor, |tx| care::close_followup(tx, id, status, on, &note))?;
            println!("随访 {id}：{}", status.label_zh());
        }
        CareCommand::List { child, json } => {
            let child = child_of(&store, actor.scope(), &child)?;
            let sessions = care::sessions_for_child(store.conn(), child.id)?;
            let screenings = care::screenings_for_child(store.conn(), child.id)?;
            let followups = care::followups_for_child(store.conn(), child.id)?;
            if json {
                print_json(&serde_json::json!({
                    "sessions": sessions,
                    "screenings": screenings,
                    "followups": followups,
                }))?;
            } else {
                println!("心理辅导：");
                for s in &sessions {
                    println!(
                        "  {}\t{}\t{}\t{}\t{}",
                        s.id,
                        s.session_date,
                        s.mode.label_zh(),
                        s.counsellor,
                        s.summary
                    );
                }
                println!("筛查：");
                for s in &screenings {
                    println!(
                        "  {}\t{}\t{}\t{}\t{}",
                        s.id,
                        s.screened_on,
                        s.scale,
                        s.score.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                        s.level
                    );
                }
                println!("随访：");
                let t = today();
                for f in &followups {
                    println!(
                        "  {}\t{}\t{}\t{}{}",
                        f.id,
                        f.due_on,
                        f.action,
                        f.status.label_zh(),
                        if f.is_overdue(t) { "（逾期）" } else { "" }
                    );
                }
            }
        }
        CareCommand::Due { by, scope } => {
            let by = date_or_today("--by", &by)?;
            let scope = scope_of(actor, &scope)?;
            for f in care::due_followups(store.conn(), &scope, by)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    f.id,
                    f.due_on,
                    child_name(&store, actor.scope(), f.child_id),
                    f.action
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------- workforce

#[derive(Debug, Subcommand)]
pub enum WorkforceCommand {
    /// Register a 儿童督导员 (township) or 儿童主任 (village).
    Add {
        /// supervisor (督导员) or director (主任).
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: String,
        /// Township code for a supervisor, village code for a director.
        #[arg(long)]
        division: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        appointed: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Correct a worker's details.
    Edit {
        id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        division: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        appointed: Option<String>,
    },
    /// Record that a worker left the post.
    Leave {
        id: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        reason: String,
    },
    /// The register (in post today unless --all).
    List {
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// The network's gaps: villages without a 主任, townships without a 督导员.
    Gaps {
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The 县—乡—村 network: who covers each village.
    Network {
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        on: Option<String>,
    },
    /// Training records.
    #[command(subcommand)]
    Training(TrainingCommand),
    /// 儿童之家 venues and activities.
    #[command(subcommand)]
    Home(HomeCommand),
}

#[derive(Debug, Subcommand)]
pub enum TrainingCommand {
    Add {
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        topic: String,
        #[arg(long)]
        hours: f64,
        #[arg(long)]
        organiser: Option<String>,
        /// Worker ids, comma-separated.
        #[arg(long, value_delimiter = ',')]
        attendees: Vec<String>,
    },
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum HomeCommand {
    Add {
        #[arg(long)]
        name: String,
        /// Village code.
        #[arg(long)]
        village: String,
        #[arg(long)]
        address: Option<String>,
        #[arg(long)]
        opened: Option<String>,
    },
    Activity {
        /// The 儿童之家 id.
        id: String,
        #[arg(long)]
        on: Option<String>,
        #[arg(long)]
        title: String,
        #[arg(long)]
        participants: Option<u32>,
        #[arg(long)]
        organiser: Option<String>,
    },
    List {
        #[arg(long)]
        scope: Option<String>,
    },
}

fn parse_worker_role(s: &str) -> Result<WorkerRole> {
    WorkerRole::from_code(s).with_context(|| {
        format!("--role：应为 supervisor（儿童督导员）或 director（儿童主任），实际为“{s}”")
    })
}

pub fn workforce(db: &Path, actor: &Actor, cmd: WorkforceCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        WorkforceCommand::Add {
            role,
            name,
            division,
            phone,
            appointed,
            note,
        } => {
            let input = wf::WorkerInput {
                role: parse_worker_role(&role)?,
                name,
                division_code: division,
                phone,
                appointed_on: date_or_today("--appointed", &appointed)?,
                note,
            };
            let w = store.write(actor, |tx| wf::add_worker(tx, &input))?;
            println!(
                "已登记{} {}：{}（{}）",
                w.role.label_zh(),
                w.id,
                w.name,
                divisions::full_name(store.conn(), &w.division_code)?
            );
        }
        WorkforceCommand::Edit {
            id,
            name,
            division,
            phone,
            appointed,
        } => {
            let id = parse_row_id("记录编号", &id)?;
            let old =
                wf::get_worker(store.conn(), id)?.with_context(|| format!("未找到人员 {id}"))?;
            let input = wf::WorkerInput {
                role: old.role,
                name: name.unwrap_or(old.name),
                division_code: division.unwrap_or(old.division_code),
                phone: phone.or(old.phone),
                appointed_on: match appointed {
                    Some(a) => parse_date("--appointed", &a)?,
                    None => old.appointed_on,
                },
                note: old.note,
            };
            store.write(actor, |tx| wf::update_worker(tx, id, &input))?;
            println!("已修改人员 {id}");
        }
        WorkforceCommand::Leave { id, on, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            let w = store.write(actor, |tx| wf::leave(tx, id, on, &reason))?;
            println!("{} {} 已登记离任（{}）", w.role.label_zh(), w.name, on);
        }
        WorkforceCommand::List {
            scope,
            role,
            all,
            json,
        } => {
            let scope = scope_of(actor, &scope)?;
            let role = role.as_deref().map(parse_worker_role).transpose()?;
            let rows = wf::list_workers(
                store.conn(),
                &scope,
                role,
                if all { None } else { Some(today()) },
            )?;
            if json {
                print_json(&rows)?;
            } else {
                println!("编号\t职务\t姓名\t区划\t电话\t任职日期\t离任");
                for w in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        w.id,
                        w.role.label_zh(),
                        w.name,
                        divisions::get(store.conn(), &w.division_code)?
                            .map(|d| d.name)
                            .unwrap_or_else(|| w.division_code.clone()),
                        dash(&w.phone),
                        w.appointed_on,
                        w.left_on
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "—".into())
                    );
                }
                eprintln!("共 {} 人", rows.len());
            }
        }
        WorkforceCommand::Gaps { scope, on, json } => {
            let scope = scope_of(actor, &scope)?;
            let on = date_or_today("--on", &on)?;
            let net = wf::network(store.conn(), &scope, on)?;
            let villages = net.villages_without_director();
            let townships = net.townships_without_supervisor();
            if json {
                print_json(&serde_json::json!({
                    "on": on.to_string(),
                    "villages_total": net.village_count(),
                    "townships_total": net.townships.len(),
                    "villages_without_director": villages.iter().map(|(c, n, t)| serde_json::json!({"code": c, "name": n, "township": t})).collect::<Vec<_>>(),
                    "townships_without_supervisor": townships.iter().map(|(c, n)| serde_json::json!({"code": c, "name": n})).collect::<Vec<_>>(),
                }))?;
            } else {
                println!(
                    "没有儿童督导员的乡镇（街道）：{} / {}",
                    townships.len(),
                    net.townships.len()
                );
                for (c, n) in &townships {
                    println!("  {c}\t{n}");
                }
                println!(
                    "没有儿童主任的村（居）：{} / {}",
                    villages.len(),
                    net.village_count()
                );
                for (c, n, t) in &villages {
                    println!("  {c}\t{t}\t{n}");
                }
            }
        }
        WorkforceCommand::Network { scope, on } => {
            let scope = scope_of(actor, &scope)?;
            let on = date_or_today("--on", &on)?;
            let net = wf::network(store.conn(), &scope, on)?;
            for t in &net.townships {
                let sup: Vec<_> = t.supervisors.iter().map(|w| w.name.as_str()).collect();
                println!(
                    "{} {}\t督导员：{}",
                    t.code,
                    t.name,
                    if sup.is_empty() {
                        "（空缺）".to_string()
                    } else {
                        sup.join("、")
                    }
                );
                for v in &t.villages {
                    let dirs: Vec<_> = v.directors.iter().map(|w| w.name.as_str()).collect();
                    println!(
                        "  {} {}\t主任：{}",
                        v.code,
                        v.name,
                        if dirs.is_empty() {
                            "（空缺）".to_string()
                        } else {
                            dirs.join("、")
                        }
                    );
                }
            }
        }
        WorkforceCommand::Training(TrainingCommand::Add {
            on,
            topic,
            hours,
            organiser,
            attendees,
        }) => {
            let on = date_or_today("--on", &on)?;
            let ids: Vec<RowId> = attendees
                .iter()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_row_id("--attendees", s))
                .collect::<Result<_>>()?;
            let t = store.write(actor, |tx| {
                wf::add_training(tx, on, &topic, hours, organiser.as_deref(), &ids)
            })?;
            println!(
                "已登记培训 {}：{}，{} 学时，{} 人参训",
                t.id,
                t.topic,
                t.hours,
                t.attendees.len()
            );
        }
        WorkforceCommand::Training(TrainingCommand::List { json }) => {
            let rows = wf::list_trainings(store.conn())?;
            if json {
                print_json(&rows)?;
            } else {
                println!("编号\t日期\t主题\t学时\t参训人数\t组织者");
                for t in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        t.id,
                        t.held_on,
                        t.topic,
                        t.hours,
                        t.attendees.len(),
                        dash(&t.organiser)
                    );
                }
            }
        }
        WorkforceCommand::Home(HomeCommand::Add {
            name,
            village,
            address,
            opened,
        }) => {
            let opened = date_or_today("--opened", &opened)?;
            let h = store.write(actor, |tx| {
                wf::add_home(tx, &name, &village, address.as_deref(), opened)
            })?;
            println!("已登记儿童之家 {}：{}", h.id, h.name);
        }
        WorkforceCommand::Home(HomeCommand::Activity {
            id,
            on,
            title,
            participants,
            organiser,
        }) => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            let a = store.write(actor, |tx| {
                wf::add_activity(tx, id, on, &title, participants, organiser.as_deref())
            })?;
            println!("已登记活动 {}：{}", a.id, a.title);
        }
        WorkforceCommand::Home(HomeCommand::List { scope }) => {
            let scope = scope_of(actor, &scope)?;
            println!("编号\t名称\t村（居）\t开放日期\t活动次数\t状态");
            for h in wf::list_homes(store.conn(), &scope)? {
                let n = wf::activities(store.conn(), h.id)?.len();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    h.id,
                    h.name,
                    divisions::get(store.conn(), &h.division_code)?
                        .map(|d| d.name)
                        .unwrap_or_default(),
                    h.opened_on,
                    n,
                    if h.closed_on.is_some() {
                        "已关闭"
                    } else {
                        "开放"
                    }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
