//! Casework on the command line: `assess`, `schedule`, `campaign` and
//! `eligibility`. Each prints a readable table; `--json` prints the same
//! data as JSON. ID numbers are masked.

use super::open;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use hutong::casework::{self, BatchOptions};
use hutong::installed::{load_installed, runtime_for};
use hutong_core::campaigns::{self, CampaignState, NewCampaign, Outcome};
use hutong_core::national::{NaiveDate, dates, division, id_number};
use hutong_core::province::{Answer, Colour};
use hutong_core::schedule::{self, DueStatus, ScheduleFilter};
use hutong_core::{RowId, Store, eligibility};
use hutong_plugin_host::Plugin;
use hutong_services::{Session, child_casework};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

// ------------------------------------------------------------------ tables

/// Display width: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 })
        .sum()
}

/// A plain-text table with a header rule; columns padded to display width.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(width(c));
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i].saturating_sub(width(c))));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(headers.to_vec());
    out.push('\n');
    out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1)));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

fn colour_zh(c: Option<Colour>) -> String {
    c.map(|c| c.label_zh().to_string())
        .unwrap_or_else(|| "—".into())
}

fn parse_today(s: &Option<String>) -> Result<NaiveDate> {
    match s {
        Some(s) => dates::parse_flexible(s).with_context(|| format!("--today：“{s}”不是有效日期")),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

fn parse_division(flag: &str, v: &Option<String>) -> Result<Option<String>> {
    v.as_deref()
        .map(|v| {
            division::normalize_code(v).with_context(|| format!("{flag}：“{v}”不是有效的区划代码"))
        })
        .transpose()
}

/// The county's province plugin among the installed ones.
fn province_plugin(db: &Path, store: &Store) -> Result<Plugin> {
    let runtime = runtime_for(Some(db))?;
    let plugins = load_installed(db, store, &runtime)?;
    let county = store.county_code()?.unwrap_or_default();
    Ok(casework::take_province_plugin(plugins, &county)?)
}

fn progress_bar(label: &'static str) -> impl FnMut(usize, usize) {
    move |done, total| eprint!("\r{label}：{done}/{total}")
}

// ------------------------------------------------------------------ assess

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// One child's ID number.
    #[arg(long, conflicts_with = "all", required_unless_present = "all")]
    child: Option<String>,
    /// Every active child (reusing each child's latest answers).
    #[arg(long)]
    all: bool,
    /// Scale id (default: the child's latest scale, else the plugin's first).
    #[arg(long)]
    scale: Option<String>,
    /// An answer as ITEM=CODE; repeat for each item. Without answers, the
    /// child's latest answers for the scale are reused.
    #[arg(long = "answer", value_name = "ITEM=CODE")]
    answers: Vec<String>,
    /// With --all: also assess children never assessed (no answers: the
    /// plugin scores the file and counts unanswered items as 0).
    #[arg(long, requires = "all")]
    include_unassessed: bool,
    /// With --all: only children within this division.
    #[arg(long, requires = "all")]
    village: Option<String>,
    /// The date given to the plugin (default today).
    #[arg(long)]
    today: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn assess(db: &Path, session: &Session, a: AssessArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let mut plugin = province_plugin(db, &store)?;
    let today = parse_today(&a.today)?;
    if a.all {
        let opts = BatchOptions {
            scale: a.scale.clone(),
            include_unassessed: a.include_unassessed,
            division: parse_division("--village", &a.village)?,
        };
        let cancel = AtomicBool::new(false);
        let mut progress = progress_bar("重新评估");
        let report = casework::assess_all(
            &mut store,
            &mut plugin,
            session,
            today,
            &opts,
            &mut progress,
            &cancel,
        )?;
        eprintln!();
        if a.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!(
                "插件 {}：在档儿童 {} 人，新评估 {} 人，未变化 {} 人，从未评估 {} 人，缺少答案未评估 {} 人，失败 {} 人；用时 {} 毫秒",
                plugin.reference(),
                report.children,
                report.assessed,
                report.unchanged,
                report.not_assessed_before,
                report.without_answers,
                report.failed.len(),
                report.millis
            );
            if !report.level_changes.is_empty() {
                let rows: Vec<Vec<String>> = report
                    .level_changes
                    .iter()
                    .take(50)
                    .map(|c| {
                        let name =
                            hutong_services::records::child_name(&store, session, c.child_id);
                        vec![
                            name,
                            format!(
                                "{}（{}）",
                                c.from.clone().unwrap_or_else(|| "—".into()),
                                colour_zh(c.from_colour)
                            ),
                            format!("{}（{}）", c.to, colour_zh(c.to_colour)),
                        ]
                    })
                    .collect();
                print!("{}", table(&["儿童", "原等级", "新等级"], &rows));
                if report.level_changes.len() > 50 {
                    println!("……共 {} 人等级变化", report.level_changes.len());
                }
            }
            for (id, msg) in report.failed.iter().take(20) {
                eprintln!("失败：{id}：{msg}");
            }
        }
        return Ok(if report.failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(2)
        });
    }
    let Some(id) = &a.child else {
        bail!("需要 --child 或 --all");
    };
    let child = hutong_services::records::child_by_id_number(&mut store, session, id)?;
    let latest =
        child_casework::latest_assessment(&mut store, session, child.id, a.scale.as_deref())?;
    let scale_id = a
        .scale
        .clone()
        .or_else(|| latest.as_ref().map(|l| l.scale_id.clone()));
    let scale = casework::pick_scale(&mut plugin, scale_id.as_deref())?;
    let answers: Vec<Answer> = if a.answers.is_empty() {
        latest
            .filter(|l| l.scale_id == scale.id)
            .map(|l| l.answers)
            .unwrap_or_default()
    } else {
        a.answers
            .iter()
            .map(|s| {
                let (item, code) = s
                    .split_once('=')
                    .with_context(|| format!("--answer：“{s}”应为 题目=选项，如 g_harm=no"))?;
                Ok(Answer {
                    item_id: item.trim().to_string(),
                    code: code.trim().to_string(),
                })
            })
            .collect::<Result<_>>()?
    };
    let stored = casework::assess_child(
        &mut store,
        &mut plugin,
        session,
        child.id,
        &scale,
        answers,
        today,
    )
    .with_context(|| format!("评估 {}（量表 {}）", child.name, scale.id))?;
    let trend = child_casework::trend(&mut store, session, child.id)?;
    if a.json {
        let out = serde_json::json!({
            "child": { "id": child.id.to_string(), "name": child.name, "id_number": id_number::mask(&child.id_number) },
            "assessment": stored,
            "trend": trend,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}（{}）{}：{}",
        child.name,
        id_number::mask(&child.id_number),
        scale.name,
        stored.level_label
    );
    print!(
        "{}",
        table(
            &["等级", "颜色", "得分", "建议走访间隔", "插件", "输入哈希"],
            &[vec![
                stored.level_code.clone(),
                colour_zh(stored.colour),
                stored
                    .score
                    .map(|s| format!("{s}"))
                    .unwrap_or_else(|| "—".into()),
                stored
                    .next_visit_days
                    .map(|d| format!("{d}天"))
                    .unwrap_or_else(|| "—".into()),
                stored.plugin_ref(),
                stored.input_sha256[..12].to_string(),
            ]]
        )
    );
    for r in &stored.reasons {
        println!("  · {r}");
    }
    println!("颜色趋势：");
    let rows: Vec<Vec<String>> = trend
        .iter()
        .map(|t| {
            vec![
                t.assessed_on.to_string(),
                t.scale_id.clone(),
                t.level_code.clone(),
                colour_zh(t.colour),
                t.plugin.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["日期", "量表", "等级", "颜色", "插件"], &rows)
    );
    Ok(ExitCode::SUCCESS)
}

// ------------------------------------------------------------------ schedule

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// Only overdue visits.
    #[arg(long)]
    overdue: bool,
    /// Only visits due this week or overdue.
    #[arg(long, conflicts_with = "overdue")]
    week: bool,
    /// A division (village, township or county) to list.
    #[arg(long)]
    village: Option<String>,
    /// Compute as of this date (default today).
    #[arg(long)]
    today: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn schedule(db: &Path, session: &Session, a: ScheduleArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let plugin = province_plugin(db, &store)?;
    let policy = plugin.manifest().visit_policy.clone();
    let today = parse_today(&a.today)?;
    let filter = ScheduleFilter {
        division: parse_division("--village", &a.village)?,
        overdue_only: a.overdue,
        due_or_overdue_only: a.week,
    };
    let entries = hutong_services::visits::plan(&mut store, session, &policy, today, &filter)?;
    let villages = schedule::by_village(&entries);
    if a.json {
        let masked: Vec<_> = entries
            .iter()
            .map(|e| {
                let mut e = e.clone();
                e.id_number = id_number::mask(&e.id_number);
                e
            })
            .collect();
        let out = serde_json::json!({
            "as_of": today.to_string(),
            "plugin": plugin.reference(),
            "policy": policy,
            "entries": masked,
            "villages": villages,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            vec![
                e.village_name.clone(),
                e.name.clone(),
                id_number::mask(&e.id_number),
                match (&e.level_code, e.colour) {
                    (Some(l), c) => format!("{l}（{}）", colour_zh(c)),
                    (None, _) => "未评估".into(),
                },
                e.last_visit
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "—".into()),
                e.due_on.to_string(),
                e.status.label_zh().to_string(),
                if e.days_overdue > 0 {
                    e.days_overdue.to_string()
                } else {
                    String::new()
                },
                e.escalation.label_zh().to_string(),
                e.basis.label_zh(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "村（居）",
                "姓名",
                "身份证号",
                "等级",
                "上次走访",
                "应走访日期",
                "状态",
                "逾期天数",
                "上报",
                "依据"
            ],
            &rows
        )
    );
    let overdue = entries
        .iter()
        .filter(|e| e.status == DueStatus::Overdue)
        .count();
    let week = entries
        .iter()
        .filter(|e| e.status == DueStatus::DueThisWeek)
        .count();
    println!(
        "截至 {today}：共 {} 人，本周到期 {week} 人，已逾期 {overdue} 人（逾期超过{}天上报乡镇督导员，超过{}天上报县民政局；插件 {}）",
        entries.len(),
        policy.escalate_township_after_days,
        policy.escalate_county_after_days,
        plugin.reference()
    );
    Ok(ExitCode::SUCCESS)
}

// ------------------------------------------------------------------ campaign

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Start a round over a division subtree on the province plugin's cycle.
    Start {
        #[arg(long)]
        division: String,
        /// First day of the round (default today).
        #[arg(long)]
        today: Option<String>,
    },
    /// Coverage per village of the open round (or --id).
    Status {
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Record one child's outcome in the open round.
    Record {
        #[arg(long)]
        child: String,
        /// confirmed, updated or closed.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        id: Option<String>,
    },
    /// Close the open round (or --id): lock the snapshot, print the summary.
    Close {
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        today: Option<String>,
        /// Also print the summary report to this PDF.
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

/// The round named by --id, else the only open one.
fn pick_campaign(
    store: &mut Store,
    session: &Session,
    id: &Option<String>,
) -> Result<campaigns::Campaign> {
    let id = match id {
        Some(id) => Some(
            id.parse::<RowId>()
                .with_context(|| format!("--id：“{id}”不是有效的摸排编号"))?,
        ),
        None => None,
    };
    Ok(hutong_services::campaigns::pick(store, session, id)?)
}

fn print_status(s: &campaigns::CampaignStatus) {
    let c = &s.campaign;
    println!(
        "{}（{}，{} 至 {}，{}）",
        c.title,
        c.cycle,
        c.period_start,
        c.period_end,
        match c.state {
            CampaignState::Open => "进行中",
            CampaignState::Closed => "已结束",
        }
    );
    let rows: Vec<Vec<String>> = s
        .villages
        .iter()
        .map(|v| {
            vec![
                v.village_code.clone(),
                v.village_name.clone(),
                v.children.to_string(),
                v.confirmed.to_string(),
                v.updated.to_string(),
                v.closed.to_string(),
                v.pending.to_string(),
                format!("{:.1}%", v.coverage * 100.0),
                if v.late {
                    "滞后".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &[
                "代码",
                "村（居）",
                "应排查",
                "已核实",
                "已更新",
                "已销档",
                "未排查",
                "覆盖率",
                "进度"
            ],
            &rows
        )
    );
    println!(
        "合计：应排查 {}，已核实 {}，已更新 {}，已销档 {}，未排查 {}，覆盖率 {:.1}%（截至 {}，应完成 {:.1}%）；滞后村（居）{} 个",
        s.children,
        s.confirmed,
        s.updated,
        s.closed,
        s.pending,
        s.coverage * 100.0,
        s.as_of,
        s.expected_share * 100.0,
        s.late_villages().len()
    );
}

pub fn campaign(db: &Path, session: &Session, cmd: CampaignCommand) -> Result<ExitCode> {
    use hutong_services::campaigns as rounds;
    let mut store = open(db)?;
    match cmd {
        CampaignCommand::Start { division, today } => {
            let code = division::normalize_code(&division)
                .with_context(|| format!("--division：“{division}”不是有效的区划代码"))?;
            let plugin = province_plugin(db, &store)?;
            let cycle = plugin.manifest().screening_cycle.clone();
            let start = parse_today(&today)?;
            let reference = plugin.reference();
            let c = rounds::start(
                &mut store,
                session,
                &NewCampaign {
                    division_code: &code,
                    cycle: &cycle,
                    start,
                    plugin_ref: Some(&reference),
                },
            )?;
            println!(
                "已开始：{}（{}，{} 至 {}），编号 {}",
                c.title, c.cycle, c.period_start, c.period_end, c.id
            );
        }
        CampaignCommand::Status { id, today, json } => {
            let c = pick_campaign(&mut store, session, &id)?;
            let s = rounds::status(&mut store, session, c.id, parse_today(&today)?)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                print_status(&s);
            }
        }
        CampaignCommand::Record {
            child,
            outcome,
            note,
            id,
        } => {
            let c = pick_campaign(&mut store, session, &id)?;
            let o = Outcome::from_code(outcome.trim()).with_context(|| {
                format!("--outcome：应为 confirmed、updated 或 closed，实际为“{outcome}”")
            })?;
            let ch = hutong_services::records::child_by_id_number(&mut store, session, &child)?;
            let today = chrono::Local::now().date_naive();
            rounds::record(&mut store, session, c.id, ch.id, o, note.as_deref(), today)?;
            println!("{}：{} {}", c.title, ch.name, o.label_zh());
        }
        CampaignCommand::Close {
            id,
            today,
            out,
            json,
        } => {
            let c = pick_campaign(&mut store, session, &id)?;
            let today = parse_today(&today)?;
            let s = rounds::close(&mut store, session, c.id, today)?;
            if let Some(out) = out {
                let doc = campaigns::summary_document(&s);
                let fonts = hutong_report::FontSet::with_system_fonts();
                let pdf = hutong_report::render(&doc, &fonts).context("排版摸排总结")?;
                hutong_core::files::write_atomic(&out, &pdf)
                    .with_context(|| format!("写入 {}", out.display()))?;
                eprintln!("已生成摸排总结 {}", out.display());
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                print_status(&s);
                println!("已结束并锁定快照。");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ------------------------------------------------------------------ eligibility

#[derive(Debug, Subcommand)]
pub enum EligibilityCommand {
    /// The daily sweep: re-check children with a life event since the last sweep.
    Sweep {
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run classify on one child now and apply it.
    Check {
        #[arg(long)]
        child: String,
        #[arg(long)]
        today: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

fn print_changes(changes: &[eligibility::CategoryChange]) {
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            vec![
                c.child_name.clone(),
                c.category_label.clone(),
                c.kind.label_zh().to_string(),
                c.on.to_string(),
                c.allowance_stops_from
                    .map(dates::format_zh_month)
                    .unwrap_or_default(),
                c.reasons.join("；"),
                c.citation.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["儿童", "类别", "变化", "日期", "补贴停发", "原因", "依据"],
            &rows
        )
    );
}

pub fn eligibility(db: &Path, session: &Session, cmd: EligibilityCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    let mut plugin = province_plugin(db, &store)?;
    match cmd {
        EligibilityCommand::Sweep { today, json } => {
            let today = parse_today(&today)?;
            let cancel = AtomicBool::new(false);
            let mut progress = progress_bar("资格复核");
            let report = casework::eligibility_sweep(
                &mut store,
                &mut plugin,
                session,
                today,
                &mut progress,
                &cancel,
            )?;
            eprintln!();
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print_changes(&report.changes);
                println!(
                    "{today} 资格复核（插件 {}）：复核 {} 人，变化 {} 项，失败 {} 人；上次复核：{}",
                    plugin.reference(),
                    report.checked,
                    report.changes.len(),
                    report.failed.len(),
                    report
                        .previous
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "无".into())
                );
            }
        }
        EligibilityCommand::Check { child, today, json } => {
            let today = parse_today(&today)?;
            let ch = hutong_services::records::child_by_id_number(&mut store, session, &child)?;
            let changes = casework::classify_child(&mut store, &mut plugin, session, ch.id, today)?;
            let findings = child_casework::findings(&mut store, session, ch.id)?;
            if json {
                let out = serde_json::json!({ "changes": changes, "findings": findings });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let rows: Vec<Vec<String>> = findings
                    .iter()
                    .map(|f| {
                        vec![
                            f.category.clone(),
                            eligibility::status_label_zh(f.status).to_string(),
                            f.effective_until.map(|d| d.to_string()).unwrap_or_default(),
                            f.reasons.join("；"),
                            f.citation.clone(),
                        ]
                    })
                    .collect();
                println!("{} 的资格认定：", ch.name);
                print!(
                    "{}",
                    table(&["类别", "结论", "截止", "理由", "依据"], &rows)
                );
                if !changes.is_empty() {
                    println!("本次变化：");
                    print_changes(&changes);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
