//! `hutong workforce`: 儿童督导员 and 儿童主任, training, 儿童之家, network gaps.

use super::*;

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

pub fn workforce(db: &Path, session: &Session, cmd: WorkforceCommand) -> Result<ExitCode> {
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
            let w = rec::workforce::add_worker(&mut store, session, &input)?;
            println!(
                "已登记{} {}：{}（{}）",
                w.role.label_zh(),
                w.id,
                w.name,
                rec::workforce::division_full_name(&mut store, session, &w.division_code)?
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
            let old = rec::workforce::get_worker(&mut store, session, id)?;
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
            rec::workforce::update_worker(&mut store, session, id, &input)?;
            println!("已修改人员 {id}");
        }
        WorkforceCommand::Leave { id, on, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            let w = rec::workforce::leave(&mut store, session, id, on, &reason)?;
            println!("{} {} 已登记离任（{}）", w.role.label_zh(), w.name, on);
        }
        WorkforceCommand::List {
            scope,
            role,
            all,
            json,
        } => {
            let division = division_arg(&scope)?;
            let role = role.as_deref().map(parse_worker_role).transpose()?;
            let rows = rec::workforce::list_workers(
                &mut store,
                session,
                division.as_deref(),
                role,
                if all { None } else { Some(today()) },
            )?;
            if json {
                print_json(&rows.iter().map(|(w, _)| w).collect::<Vec<_>>())?;
            } else {
                println!("编号\t职务\t姓名\t区划\t电话\t任职日期\t离任");
                for (w, place) in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        w.id,
                        w.role.label_zh(),
                        w.name,
                        place,
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
            let division = division_arg(&scope)?;
            let on = date_or_today("--on", &on)?;
            let net = rec::workforce::network(&mut store, session, division.as_deref(), on)?;
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
            let division = division_arg(&scope)?;
            let on = date_or_today("--on", &on)?;
            let net = rec::workforce::network(&mut store, session, division.as_deref(), on)?;
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
            let t = rec::workforce::add_training(
                &mut store,
                session,
                on,
                &topic,
                hours,
                organiser.as_deref(),
                &ids,
            )?;
            println!(
                "已登记培训 {}：{}，{} 学时，{} 人参训",
                t.id,
                t.topic,
                t.hours,
                t.attendees.len()
            );
        }
        WorkforceCommand::Training(TrainingCommand::List { json }) => {
            let rows = rec::workforce::list_trainings(&mut store, session)?;
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
            let h = rec::workforce::add_home(
                &mut store,
                session,
                &name,
                &village,
                address.as_deref(),
                opened,
            )?;
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
            let a = rec::workforce::add_activity(
                &mut store,
                session,
                id,
                on,
                &title,
                participants,
                organiser.as_deref(),
            )?;
            println!("已登记活动 {}：{}", a.id, a.title);
        }
        WorkforceCommand::Home(HomeCommand::List { scope }) => {
            let division = division_arg(&scope)?;
            println!("编号\t名称\t村（居）\t开放日期\t活动次数\t状态");
            for (h, place, acts) in
                rec::workforce::list_homes(&mut store, session, division.as_deref())?
            {
                let n = acts.len();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    h.id,
                    h.name,
                    place,
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
