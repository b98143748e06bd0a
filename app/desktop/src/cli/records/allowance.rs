//! `hutong allowance`: 孤儿/事实无人抚养 allowances (standards, monthly ledger, roster) and grants.

use super::*;

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

pub fn allowance(db: &Path, session: &Session, cmd: AllowanceCommand) -> Result<ExitCode> {
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
                let s =
                    rec::allowances::set_standard(&mut store, session, cat, cents, from, &basis)?;
                println!(
                    "已设定标准 {}：{} 每人每月 {} 元，自{}起",
                    s.id,
                    cat.label_zh(),
                    al::format_yuan(cents),
                    dates::format_zh(from)
                );
            } else {
                let list = rec::allowances::standards(&mut store, session)?;
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
            let old = rec::allowances::get_standard(&mut store, session, id)?;
            let cents = match amount {
                Some(a) => yuan("--amount", &a)?,
                None => old.amount_cents,
            };
            let basis = basis.unwrap_or(old.basis);
            rec::allowances::update_standard(&mut store, session, id, cents, &basis)?;
            println!("已修改补贴标准 {id}");
        }
        AllowanceCommand::Generate { month, json } => {
            let month = parse_month(&month)?;
            let s = rec::allowances::generate(&mut store, session, month)?;
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
            let n = rec::allowances::mark_paid(
                &mut store,
                session,
                month,
                ids.as_deref(),
                on,
                pay_ref.as_deref(),
            )?;
            println!("{}：已标记 {} 条为已发放", month.label_zh(), n);
        }
        AllowanceCommand::Void { id, reason } => {
            let id = parse_row_id("记录编号", &id)?;
            rec::allowances::void_payment(&mut store, session, id, &reason)?;
            println!("已作废发放记录 {id}");
        }
        AllowanceCommand::Ledger { child, json } => {
            let child = child_of(&mut store, session, &child)?;
            let rows = rec::allowances::ledger(&mut store, session, child.id)?.payments;
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
            let division = division_arg(&scope)?;
            let ids = if full_ids.is_some() {
                al::IdDisplay::Full
            } else {
                al::IdDisplay::Masked
            };
            let reason = full_ids.unwrap_or_default();
            al::check_full_id_reason(ids, &reason)?;
            let roster = rec::allowances::roster(&mut store, session, month, division.as_deref())?;
            if roster.rows.is_empty() {
                bail!(
                    "{}没有发放记录：请先运行 hutong allowance generate --month {}",
                    month.label_zh(),
                    month
                );
            }
            let ext = out
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let format = match ext.as_deref() {
                Some("pdf") => rec::allowances::RosterFormat::Pdf,
                Some("xlsx") => rec::allowances::RosterFormat::Xlsx,
                _ => bail!("--out：文件扩展名应为 .pdf 或 .xlsx"),
            };
            // A spreadsheet with full ID numbers leaves sealed (FILE.xlsx.zip);
            // the PDF is the paper copy for signing and stays as it is.
            let passphrase =
                if ids == al::IdDisplay::Full && format == rec::allowances::RosterFormat::Xlsx {
                    Some(crate::cli::access::export_passphrase(false, true)?)
                } else {
                    None
                };
            let export = rec::allowances::RosterExport {
                format,
                ids,
                reason: &reason,
                passphrase: passphrase.as_deref().map(String::as_str),
                today: today(),
            };
            let fonts = hutong_report::FontSet::with_system_fonts();
            let done = rec::allowances::export_roster(
                &mut store, session, &roster, &export, &fonts, &out,
            )?;
            printed(&done.path, "基本生活费发放花名册", done.bytes, &done.sha256);
        }
        AllowanceCommand::Grant(g) => grant(&mut store, session, g)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn grant(store: &mut Store, session: &Session, cmd: GrantCommand) -> Result<()> {
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
            let child = child_of(store, session, &child)?;
            let input = al::GrantInput {
                child_id: child.id,
                programme: parse_programme(&programme)?,
                granted_on: date_or_today("--on", &on)?,
                item,
                amount_cents: amount.as_deref().map(|a| yuan("--amount", a)).transpose()?,
                provider,
                note,
            };
            let g = rec::allowances::add_grant(store, session, &input)?;
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
            let old = rec::allowances::get_grant(store, session, id)?;
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
            rec::allowances::update_grant(store, session, id, &input)?;
            println!("已修改资助记录 {id}");
        }
        GrantCommand::List {
            programme,
            year,
            json,
        } => {
            let p = programme.as_deref().map(parse_programme).transpose()?;
            let rows = rec::allowances::list_grants(store, session, p, year)?;
            if json {
                print_json(&rows.iter().map(|(g, _)| g).collect::<Vec<_>>())?;
            } else {
                println!("编号\t项目\t日期\t儿童\t内容\t金额（元）\t机构");
                for (g, name) in &rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        g.id,
                        g.programme.label_zh(),
                        g.granted_on,
                        name,
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
