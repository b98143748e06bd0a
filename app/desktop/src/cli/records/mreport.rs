//! `hutong mreport`: 强制报告 (mandatory reports): add, edit, list, feedback, custody, letter.

use super::*;

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
            let child = child_of(&mut store, session, &a.child)?;
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
            let r = rec::mreport::add(&mut store, session, &input)?;
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
            let old = rec::mreport::get(&mut store, session, id)?;
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
            let r = rec::mreport::update(&mut store, session, id, &input, a.reason.as_deref())?;
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
            let f = rec::mreport::Filter {
                division: division_arg(&scope)?,
                open_only: open,
                late_only: late,
                include_voided: false,
            };
            let rows = rec::mreport::list(&mut store, session, &f)?;
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
            rec::mreport::record_feedback(&mut store, session, id, &text, on)?;
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
            let custody = mr::TemporaryCustody {
                agency: agency.clone(),
                from,
                clause,
            };
            rec::mreport::start_custody(&mut store, session, id, &custody)?;
            println!(
                "已登记临时监护：{}，自{}起（未保法第九十二条{}）",
                agency.trim(),
                dates::format_zh(from),
                mr::custody_clause_label(clause).unwrap_or("")
            );
        }
        MreportCommand::Letter { id, out, number } => {
            let id = parse_row_id("记录编号", &id)?;
            let fonts = hutong_report::FontSet::with_system_fonts();
            let letter =
                rec::mreport::letter(&mut store, session, id, number, today(), &fonts, &out)?;
            printed(&out, "强制报告转介函", letter.bytes, &letter.sha256);
        }
        MreportCommand::Void { id, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            rec::mreport::void(&mut store, session, id, &reason)?;
            println!("已作废");
        }
    }
    Ok(ExitCode::SUCCESS)
}
