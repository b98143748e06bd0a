//! `hutong child ...`: the 儿童档案 over the command line.

use super::open;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use hutong_core::children::{ChildInput, ChildQuery, ChildStatus, SortKey};
use hutong_core::national::category::CaseCategory;
use hutong_core::national::{dates, division, id_number};
use hutong_services::Session;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ChildCommand {
    /// List files, masked; filter by village, search, category or status.
    List(ListArgs),
    /// Show one child's whole file. ID numbers of the child and relatives
    /// are masked unless revealed with a purpose (audited).
    Show {
        /// The child's ID number.
        id_number: String,
        #[arg(long)]
        json: bool,
        /// Show full ID numbers and phones; the reveal is written to the audit log.
        #[arg(long, requires = "purpose")]
        reveal: bool,
        /// Why the full numbers are needed (required with --reveal).
        #[arg(long)]
        purpose: Option<String>,
    },
    /// Open a new file.
    Add(AddArgs),
    /// Close a file with a reason (files are never deleted).
    Close {
        id_number: String,
        #[arg(long)]
        reason: String,
        /// Date of closing (default today), e.g. 2025-05-22.
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// A division code (village, township or county) to list.
    #[arg(long)]
    village: Option<String>,
    /// Name, pinyin initials (zxy), full pinyin or ID-number prefix.
    #[arg(long)]
    search: Option<String>,
    /// A category code, e.g. LEFT_BEHIND_RURAL.
    #[arg(long)]
    category: Option<String>,
    /// active or closed.
    #[arg(long)]
    status: Option<String>,
    /// Sort by: village, name, birth, id.
    #[arg(long, default_value = "village")]
    sort: String,
    #[arg(long)]
    limit: Option<usize>,
    #[arg(long)]
    json: bool,
    /// Show full ID numbers; each reveal is written to the audit log.
    #[arg(long, requires = "purpose")]
    pub(crate) reveal: bool,
    /// Why the full ID numbers are needed (required with --reveal).
    #[arg(long)]
    purpose: Option<String>,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    id_number: String,
    #[arg(long)]
    name: String,
    /// 12-digit village code of the residence.
    #[arg(long)]
    village: String,
    #[arg(long)]
    hukou: Option<String>,
    #[arg(long)]
    address: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    ethnicity: Option<String>,
    #[arg(long)]
    schooling: Option<String>,
    /// Category code to record with the file, e.g. LEFT_BEHIND_RURAL.
    #[arg(long)]
    category: Option<String>,
    /// Basis for the category (required with --category).
    #[arg(long, requires = "category")]
    basis: Option<String>,
}

pub fn run(db: &Path, session: &Session, cmd: ChildCommand) -> Result<ExitCode> {
    match cmd {
        ChildCommand::List(a) => list(db, session, a),
        ChildCommand::Show {
            id_number,
            json,
            reveal,
            purpose,
        } => show(
            db,
            session,
            &id_number,
            json,
            reveal.then_some(purpose).flatten(),
        ),
        ChildCommand::Add(a) => add(db, session, a),
        ChildCommand::Close {
            id_number,
            reason,
            on,
        } => close(db, session, &id_number, &reason, on),
    }
}

fn parse_category(code: &str) -> Result<CaseCategory> {
    CaseCategory::from_code(code.trim()).with_context(|| {
        let known: Vec<_> = CaseCategory::ALL
            .iter()
            .map(|c| format!("{}（{}）", c.code(), c.label_zh()))
            .collect();
        format!("未知类别“{code}”，可用：{}", known.join("、"))
    })
}

fn list(db: &Path, session: &Session, a: ListArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let division = match &a.village {
        Some(v) => Some(
            division::normalize_code(v)
                .with_context(|| format!("--village：“{v}”不是有效的区划代码"))?,
        ),
        None => None,
    };
    let status = match a.status.as_deref() {
        Some(s) => Some(
            ChildStatus::from_code(s)
                .with_context(|| format!("--status：应为 active 或 closed，实际为“{s}”"))?,
        ),
        None => None,
    };
    let sort = match a.sort.as_str() {
        "village" => SortKey::Village,
        "name" => SortKey::Name,
        "birth" => SortKey::BirthDate,
        "id" => SortKey::IdNumber,
        other => bail!("--sort：应为 village、name、birth 或 id，实际为“{other}”"),
    };
    let query = ChildQuery {
        division,
        search: a.search.clone(),
        category: a.category.as_deref().map(parse_category).transpose()?,
        status,
        sort,
        limit: a.limit,
        ..Default::default()
    };
    let (rows, _) = hutong_services::children::list(&mut store, session, &query)?;
    let revealed = if a.reveal {
        let purpose = a.purpose.clone().unwrap_or_default();
        let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
        hutong_services::children::reveal_list(&mut store, session, &ids, &purpose)?;
        true
    } else {
        false
    };
    let shown_id = |n: &str| {
        if revealed {
            n.to_string()
        } else {
            id_number::mask(n)
        }
    };
    if a.json {
        let out: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id.to_string(),
                    "id_number": shown_id(&r.id_number),
                    "name": r.name,
                    "sex": r.sex.code(),
                    "birth_date": r.birth_date.to_string(),
                    "village_code": r.residence_division,
                    "village": r.village_name,
                    "categories": r.categories.iter().map(|c| c.code()).collect::<Vec<_>>(),
                    "status": r.status.code(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        for r in &rows {
            let cats: Vec<_> = r.categories.iter().map(|c| c.label_zh()).collect();
            println!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                r.name,
                r.sex.label_zh(),
                dates::format_zh(r.birth_date),
                shown_id(&r.id_number),
                r.village_name,
                if cats.is_empty() {
                    "—".to_string()
                } else {
                    cats.join("、")
                },
                r.status.label_zh()
            );
        }
        eprintln!("共 {} 条", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}

fn show(
    db: &Path,
    session: &Session,
    id: &str,
    json: bool,
    reveal_purpose: Option<String>,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let Some(mut file) = hutong_services::children::open_by_id_number(&mut store, session, id)?
    else {
        bail!(
            "未找到身份证号为 {} 的儿童档案",
            id_number::mask(&id_number::normalize(id))
        );
    };
    // Full numbers of the child and relatives are shown only through an
    // audited reveal with a purpose; otherwise every ID and phone is masked.
    match reveal_purpose {
        Some(purpose) => {
            hutong_services::children::reveal(&mut store, session, file.child.id, &purpose)?;
        }
        None => hutong_services::children::mask(&mut file),
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&file)?);
        return Ok(ExitCode::SUCCESS);
    }
    let hutong_services::children::ChildFile {
        child,
        relations,
        categories: cats,
        visits: visit_list,
        ..
    } = file;
    let today = chrono::Local::now().date_naive();
    println!(
        "姓名：{}{}",
        child.name,
        child
            .name_alt
            .as_deref()
            .map(|n| format!(" / {n}"))
            .unwrap_or_default()
    );
    println!("身份证号：{}", child.id_number);
    println!(
        "性别：{}　出生日期：{}　年龄：{}周岁",
        child.sex.label_zh(),
        dates::format_zh(child.birth_date),
        dates::age_on(child.birth_date, today)
    );
    println!(
        "现居住地：{}",
        hutong_services::divisions::full_name(&store, &child.residence_division)?
    );
    if let Some(h) = &child.hukou_division {
        let path = hutong_services::divisions::full_name(&store, h)?;
        println!("户籍地：{}", if path.is_empty() { h.clone() } else { path });
    }
    println!("状态：{}", child.status.label_zh());
    if let Some(reason) = &child.close_reason {
        println!("结案原因：{reason}");
    }
    println!("类别：");
    for c in &cats {
        println!(
            "  {}（{}）{}起{}：{}",
            c.category.label_zh(),
            if c.active { "有效" } else { "已终止" },
            dates::format_zh(c.effective_from),
            c.effective_until
                .map(|d| format!("，至{}", dates::format_zh(d)))
                .unwrap_or_default(),
            c.basis
        );
    }
    println!("家庭与监护：");
    for rp in &relations {
        let r = &rp.relation;
        let mut roles = Vec::new();
        if r.is_guardian {
            roles.push("监护人".to_string());
        }
        if r.is_entrusted_carer {
            roles.push("受委托照护人".to_string());
        }
        if let Some(s) = r.situation {
            roles.push(format!("情形：{}", s.label_zh()));
        }
        println!(
            "  {} {}{}",
            r.relation.label_zh(),
            rp.person.name,
            if roles.is_empty() {
                String::new()
            } else {
                format!("（{}）", roles.join("，"))
            }
        );
    }
    println!("走访记录：{} 条", visit_list.len());
    for v in visit_list.iter().take(5) {
        println!(
            "  {} {} {}：{}",
            dates::format_zh(v.visit_date),
            v.mode.label_zh(),
            v.visitor,
            v.findings
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn add(db: &Path, session: &Session, a: AddArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let category = a.category.as_deref().map(parse_category).transpose()?;
    let input = ChildInput {
        id_number: a.id_number,
        name: a.name,
        residence_division: a.village,
        hukou_division: a.hukou,
        residence_address: a.address,
        phone: a.phone,
        ethnicity: a.ethnicity,
        schooling: a.schooling,
        ..Default::default()
    };
    let basis = a.basis.clone().unwrap_or_else(|| "命令行登记".into());
    let (child, warnings) = hutong_services::children::add(
        &mut store,
        session,
        &input,
        category.map(|c| (c, basis.as_str())),
    )?;
    for w in &warnings {
        eprintln!("提示：{w}");
    }
    println!(
        "已建档：{}（{}）",
        child.name,
        id_number::mask(&child.id_number)
    );
    Ok(ExitCode::SUCCESS)
}

fn close(
    db: &Path,
    session: &Session,
    id: &str,
    reason: &str,
    on: Option<String>,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let on = match on {
        Some(s) => dates::parse_flexible(&s).with_context(|| format!("--on：“{s}”不是有效日期"))?,
        None => chrono::Local::now().date_naive(),
    };
    let child = hutong_services::records::child_by_id_number(&mut store, session, id)?;
    hutong_services::children::close(&mut store, session, child.id, on, reason)?;
    println!("已结案：{}，原因：{}", child.name, reason.trim());
    Ok(ExitCode::SUCCESS)
}
