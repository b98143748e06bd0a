//! `hutong wish`: 微心愿.

use super::*;

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

pub fn wish(db: &Path, session: &Session, cmd: WishCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    match cmd {
        WishCommand::Add {
            child,
            wish,
            estimate,
            on,
            json,
        } => {
            let child = child_of(&mut store, session, &child)?;
            let est = estimate
                .as_deref()
                .map(|e| yuan("--estimate", e))
                .transpose()?;
            let on = date_or_today("--on", &on)?;
            let w = rec::wishes::add(&mut store, session, child.id, &wish, est, on)?;
            if json {
                print_json(&w)?;
            } else {
                println!("已登记微心愿 {}：{}“{}”", w.id, child.name, w.wish);
            }
        }
        WishCommand::Edit { id, wish, estimate } => {
            let id = parse_row_id("记录编号", &id)?;
            let old = rec::wishes::get(&mut store, session, id)?;
            let est = match estimate {
                Some(e) => Some(yuan("--estimate", &e)?),
                None => old.estimate_cents,
            };
            let text = wish.unwrap_or(old.wish);
            rec::wishes::edit(&mut store, session, id, &text, est)?;
            println!("已修改微心愿 {id}");
        }
        WishCommand::Publish { id, on } => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            rec::wishes::publish(&mut store, session, id, on)?;
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
            rec::wishes::claim(&mut store, session, id, &s, on)?;
            println!("微心愿 {id} 已由{}“{}”认领", kind.label_zh(), s.name.trim());
        }
        WishCommand::Fulfil { id, on, photo } => {
            let id = parse_row_id("记录编号", &id)?;
            let on = date_or_today("--on", &on)?;
            rec::wishes::fulfil(&mut store, session, id, on, photo.as_deref())?;
            println!("微心愿 {id} 已实现");
        }
        WishCommand::Cancel { id, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            rec::wishes::cancel(&mut store, session, id, &reason)?;
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
            let division = division_arg(&scope)?;
            let rows = rec::wishes::list(&mut store, session, division.as_deref(), status)?;
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
                let counts = rec::wishes::counts(&mut store, session, division.as_deref())?;
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
