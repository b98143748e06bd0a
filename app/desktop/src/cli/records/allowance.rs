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
            // A spreadsheet with full ID numbers leaves sealed (FILE.xlsx.zip);
            // the PDF is the paper copy for signing and stays as it is.
            let out = if ids == al::IdDisplay::Full && ext.as_deref() == Some("xlsx") {
                let passphrase = crate::cli::access::export_passphrase(false, true)?;
                hutong_core::sealed::write(&out, &bytes, &passphrase)?
            } else {
                hutong_core::files::write_atomic(&out, &bytes)?;
                out
            };
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
