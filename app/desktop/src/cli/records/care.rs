//! `hutong care`: psychological care (sessions, screenings, follow-ups).

use super::*;
// `care::` names the core module here; the command is this module.
use hutong_core::counselling as care;

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

pub fn care(db: &Path, session: &Session, cmd: CareCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        CareCommand::Session {
            child,
            date,
            counsellor,
            mode,
            summary,
        } => {
            let child = child_of(&mut store, session, &child)?;
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
            let s = rec::care::save_session(&mut store, session, None, &input)?;
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
            let child = child_of(&mut store, session, &child)?;
            let input = care::ScreeningInput {
                child_id: child.id,
                screened_on: date_or_today("--date", &date)?,
                scale,
                score,
                level,
                screener,
                note,
            };
            let s = rec::care::save_screening(&mut store, session, None, &input)?;
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
            let old = rec::care::get_screening(&mut store, session, id)?;
            let input = care::ScreeningInput {
                child_id: old.child_id,
                screened_on: old.screened_on,
                scale: old.scale,
                score: score.or(old.score),
                level: level.unwrap_or(old.level),
                screener: old.screener,
                note: note.or(old.note),
            };
            rec::care::save_screening(&mut store, session, Some(id), &input)?;
            println!("已修改筛查记录 {id}");
        }
        CareCommand::Followup {
            child,
            due,
            action,
            source,
        } => {
            let child = child_of(&mut store, session, &child)?;
            let due = parse_date("--due", &due)?;
            let source = source
                .as_deref()
                .map(|s| parse_row_id("--source", s))
                .transpose()?;
            let f = rec::care::add_followup(&mut store, session, child.id, source, due, &action)?;
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
            rec::care::close_followup(&mut store, session, id, status, on, &note)?;
            println!("随访 {id}：{}", status.label_zh());
        }
        CareCommand::List { child, json } => {
            let child = child_of(&mut store, session, &child)?;
            let rec::care::ChildCare {
                sessions,
                screenings,
                followups,
            } = rec::care::for_child(&mut store, session, child.id)?;
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
            let division = division_arg(&scope)?;
            for f in rec::care::due_followups(&mut store, session, division.as_deref(), by)? {
                println!(
                    "{}\t{}\t{}\t{}",
                    f.id,
                    f.due_on,
                    rec::child_name(&store, session, f.child_id),
                    f.action
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
