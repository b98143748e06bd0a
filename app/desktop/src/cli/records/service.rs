//! `hutong service`: care services and referrals.

use super::*;

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

pub fn service(db: &Path, session: &Session, cmd: ServiceCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        ServiceCommand::Add(a) => {
            let child = child_of(&mut store, session, &a.child)?;
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
            let record = rec::services::add(&mut store, session, &input, today())?;
            if a.json {
                print_json(&record)?;
            } else {
                println!(
                    "已登记服务 {}：{} {}（{}）",
                    record.id, child.name, record.item.name, record.item.area
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
            let old = rec::services::get(&mut store, session, id)?;
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
            rec::services::update(&mut store, session, id, &input, today())?;
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
                    let child = child_of(&mut store, session, c)?;
                    rec::services::for_child(&mut store, session, child.id, from, to)?
                }
                None => {
                    let division = division_arg(&scope)?;
                    rec::services::list(&mut store, session, division.as_deref(), from, to)?
                }
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
            let division = division_arg(&scope)?;
            let rows =
                rec::services::coverage(&mut store, session, division.as_deref(), from, to, &[])?;
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
            let child = child_of(&mut store, session, &child)?;
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
            let r = rec::services::refer(&mut store, session, &input)?;
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
            let r = rec::services::set_referral_status(
                &mut store,
                session,
                id,
                status,
                on,
                note.as_deref(),
            )?;
            println!("转介 {} 状态：{}", r.id, r.status.label_zh());
        }
        ServiceCommand::Referrals { child, json } => {
            let child = child_of(&mut store, session, &child)?;
            let rows = rec::services::referrals_for_child(&mut store, session, child.id)?;
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
