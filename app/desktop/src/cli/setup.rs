//! Commands that set up, move or check a whole database.

use super::open;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use hutong_core::national::division;
use hutong_core::{Actor, Store, demo, exchange, setup};
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The county's 6-digit code, e.g. 411525 (固始县).
    #[arg(long)]
    county: String,
    /// Username of the first county administrator. Their password comes
    /// from a prompt (twice), or the first line of stdin with the global
    /// `--password-stdin`.
    #[arg(long)]
    admin: String,
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("从标准输入读取密码")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("管理员密码：").context("读取密码")?;
    let second = rpassword::prompt_password("再次输入密码：").context("读取密码")?;
    if first != second {
        bail!("两次输入的密码不一致");
    }
    Ok(first)
}

pub fn init(db: &Path, a: InitArgs, password_stdin: bool) -> Result<ExitCode> {
    // A county's database is set up once. A new administrator is added by
    // an administrator (`hutong user add`), never by re-running set-up.
    if db.exists() {
        bail!(
            "数据库 {} 已存在，不能再次初始化；新增账户请由管理员用 hutong user add 办理",
            db.display()
        );
    }
    let county = division::normalize_code(&a.county)
        .with_context(|| format!("--county：“{}”不是有效的区划代码", a.county))?;
    let password = zeroize::Zeroizing::new(read_password(password_stdin)?);
    let made = Store::create_encrypted(db, false)
        .map_err(anyhow::Error::new)
        .and_then(|mut store| {
            let admin = setup::init(&mut store, &county, &a.admin, &password)?;
            let code = setup::issue_recovery_code(&mut store, &Actor::user(&admin))?;
            Ok((store, admin, code))
        });
    let (store, admin, code) = match made {
        Ok(made) => made,
        Err(e) => {
            // A refused set-up leaves no half-made file behind (the next
            // attempt would otherwise find it "already existing").
            remove_database_files(db);
            return Err(e.context(format!("初始化数据库 {}", db.display())));
        }
    };
    let name = hutong_services::divisions::full_name(&store, &county)?;
    println!("已为 {name}（{county}）建立加密数据库 {}", db.display());
    println!(
        "密钥文件：{}（与数据库放在一起，不可删除）",
        hutong_core::store::keyfile_path(db).display()
    );
    println!("管理员：{}（{}）", admin.username, admin.role.label_zh());
    println!();
    println!(
        "县级恢复码（只显示这一次，请打印后锁好；忘记管理员密码时用 hutong recover 凭它重设）："
    );
    println!("    {}", &*code);
    Ok(ExitCode::SUCCESS)
}

/// Removes a half-made database, its SQLite side files and its key file.
fn remove_database_files(db: &Path) {
    for suffix in ["", "-wal", "-shm", ".keys"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The county administrator whose password is reset.
    #[arg(long)]
    admin: String,
}

/// `hutong recover`: the county's recovery code resets an administrator's
/// password (it must be changed at the next log-in). Reads the code, then
/// the new password, from the terminal or from stdin lines.
pub fn recover(db: &Path, a: RecoverArgs, password_stdin: bool) -> Result<ExitCode> {
    let code = zeroize::Zeroizing::new(if password_stdin || !std::io::stdin().is_terminal() {
        super::access::stdin_line("恢复码")?
    } else {
        rpassword::prompt_password("恢复码：").context("读取恢复码")?
    });
    let password = zeroize::Zeroizing::new(read_password(password_stdin)?);
    let mut store = Store::unlock_with_recovery(db, &code)
        .with_context(|| format!("用恢复码打开 {}", db.display()))?;
    let user = setup::recover_admin(&mut store, &a.admin, &password)?;
    println!(
        "已用恢复码重设管理员“{}”的密码；下次登录时须修改密码。",
        user.username
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// County code of the demo county.
    #[arg(long, default_value = "411525")]
    county: String,
    /// Number of generated children, besides the seven reference cases.
    #[arg(long, default_value_t = 1000)]
    children: usize,
    /// Seed for the generator: the same seed gives the same county.
    #[arg(long, default_value_t = 20250522)]
    seed: u64,
    /// Children and visits only: no year of 强制报告, services, allowances,
    /// wishes, counselling or 摸排 round (for scripts that make their own).
    #[arg(long)]
    no_history: bool,
    /// Do not install the province plugin the program carries (a demo
    /// database only ever trusts the demo key it is signed with).
    #[arg(long)]
    no_plugin: bool,
}

pub fn demo(db: &Path, a: DemoArgs) -> Result<ExitCode> {
    let county = division::normalize_code(&a.county)
        .with_context(|| format!("--county：“{}”不是有效的区划代码", a.county))?;
    // A new file becomes an encrypted demo database; an existing one was
    // unlocked by the administrator's log-in.
    let mut store = if db.exists() {
        open(db)?
    } else {
        Store::create_encrypted(db, true).with_context(|| format!("创建数据库 {}", db.display()))?
    };
    let started = std::time::Instant::now();
    let request = hutong::demo::DemoRequest {
        options: demo::DemoOptions {
            county_code: county.clone(),
            generated_children: a.children,
            seed: a.seed,
            today: chrono::Local::now().date_naive(),
        },
        history: !a.no_history,
        plugin: !a.no_plugin,
    };
    let report = hutong::demo::build(db, &mut store, &request, |done, total| {
        eprint!("\r生成示例数据：{done}/{total}");
        true
    })?;
    eprintln!();
    let summary = report.summary;
    if let Some(h) = report.history {
        println!(
            "一年业务记录：强制报告 {} 件、服务 {} 次、转介 {} 件、补贴发放 {} 笔、微心愿 {} 个、心理辅导 {} 次、随访 {} 次、摸排已记录 {} 名",
            h.mandatory_reports,
            h.services,
            h.referrals,
            h.payments,
            h.wishes,
            h.counselling_sessions,
            h.followups,
            h.campaign_recorded
        );
    }
    match &report.plugin {
        Some(p) => println!(
            "已安装随程序附带的省级插件 {}@{}（{}，示例公钥签名，仅示例数据库信任）",
            p.manifest.id, p.manifest.version, p.manifest.name
        ),
        None if a.no_plugin => {}
        None => println!("本程序没有附带该省的省级插件：请安装本省签名的插件文件"),
    }
    if let Some(done) = &report.assessments {
        let colours: Vec<String> = done
            .by_colour
            .iter()
            .map(|(c, n)| format!("{} {n}", c.map_or("无颜色", |c| c.label_zh())))
            .collect();
        println!(
            "插件评估：{} 名儿童（{}）",
            done.children,
            colours.join("、")
        );
    }
    let name = hutong_services::divisions::full_name(&store, &county)?;
    println!(
        "示例县 {name}：新增 {} 名儿童、{} 名相关人员、{} 条走访记录，用时 {:.1} 秒",
        summary.children,
        summary.persons,
        summary.visits,
        started.elapsed().as_secs_f64()
    );
    println!("示例账号（密码均为 {}）：", demo::DEMO_PASSWORD);
    for (user, role) in &summary.users {
        println!("  {user}\t{}", role.label_zh());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum DivisionCommand {
    /// The full name path of a code.
    Show { code: String },
    /// The direct children of a code.
    Children { code: String },
}

pub fn division(db: &Path, c: DivisionCommand) -> Result<ExitCode> {
    let store = open(db)?;
    let code = match &c {
        DivisionCommand::Show { code } | DivisionCommand::Children { code } => code,
    };
    let normalized =
        division::normalize_code(code).with_context(|| format!("“{code}”不是有效的区划代码"))?;
    let Some(d) = hutong_services::divisions::get(&store, &normalized)? else {
        bail!("区划代码 {normalized} 不在本数据库中（只载入了本县的乡镇和村）");
    };
    match c {
        DivisionCommand::Show { .. } => {
            println!(
                "{}\t{}\t{}",
                d.code,
                d.level.label_zh(),
                hutong_services::divisions::full_name(&store, &d.code)?
            );
        }
        DivisionCommand::Children { .. } => {
            for child in hutong_services::divisions::children(&store, &d.code)? {
                println!("{}\t{}", child.code, child.name);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "json")]
    format: ExportFormat,
    /// Why the data leaves the office; recorded in the audit log.
    #[arg(long, default_value = "命令行导出（未说明用途）")]
    purpose: String,
    file: PathBuf,
}

/// The whole county's records with full ID numbers: always sealed with a
/// passphrase (an AES-256 ZIP, `FILE.zip`).
pub fn export(
    db: &Path,
    session: &hutong_services::Session,
    a: ExportArgs,
    password_stdin: bool,
) -> Result<ExitCode> {
    let passphrase = super::access::export_passphrase(password_stdin, true)?;
    hutong_core::sealed::check_passphrase(&passphrase)?;
    let mut store = open(db)?;
    let ExportFormat::Json = a.format;
    let bundle = hutong_services::exchange::export_county(&mut store, session, &a.purpose)?;
    let written = exchange::write_sealed(&bundle, &a.file, &passphrase)?;
    println!(
        "已导出 {} 名儿童、{} 名相关人员、{} 条类别、{} 条表单、{} 条走访记录到 {}（已用口令加密，AES-256 ZIP）",
        bundle.children.len(),
        bundle.persons.len(),
        bundle.categories.len(),
        bundle.form_records.len(),
        bundle.visits.len(),
        written.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    file: PathBuf,
}

pub fn import(
    db: &Path,
    session: &hutong_services::Session,
    a: ImportArgs,
    password_stdin: bool,
) -> Result<ExitCode> {
    let passphrase = if hutong_core::sealed::is_zip(&a.file) {
        Some(super::access::export_passphrase(password_stdin, false)?)
    } else {
        None
    };
    let (bundle, hash) = exchange::read_any(&a.file, passphrase.as_deref().map(String::as_str))?;
    let mut store = open(db)?;
    let report = hutong_services::exchange::import_county(&mut store, session, &bundle, &hash)
        .with_context(|| format!("导入 {}", a.file.display()))?;
    println!(
        "导入完成：新增 {} 条记录，{} 条已存在且相同",
        report.inserted, report.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit chain and its signed anchors (those in the database,
    /// beside it, in the daily-backup folder, and any `--anchor` given);
    /// name the first broken entry or the missing tail.
    Verify {
        /// More anchors: an anchor file, a backup folder, a bundle folder.
        #[arg(long = "anchor")]
        anchors: Vec<PathBuf>,
        /// Also check every page of the file (SQLCipher page MACs and
        /// SQLite's integrity check), and every row against the digest its
        /// latest audit entry recorded (rows edited outside Hutong).
        #[arg(long)]
        deep: bool,
    },
}

pub fn audit(db: &Path, session: &hutong_services::Session, c: AuditCommand) -> Result<ExitCode> {
    let mut store = open(db)?;
    let AuditCommand::Verify { anchors, deep } = c;
    let check = hutong_services::audit_check::verify(session, &mut store, &anchors, deep)?;
    match &check.chain.first_broken {
        None => println!("审计链完整：共校验 {} 条记录", check.chain.entries_checked),
        Some(b) => eprintln!(
            "审计链在第 {} 条记录（编号 {}）处断裂：{}。此前 {} 条记录完整。",
            b.seq, b.id, b.reason, check.chain.entries_checked
        ),
    }
    match &check.anchors.latest {
        Some(a) => println!(
            "最新审计锚点：第 {} 条（{}，{}），共核对锚点 {} 个",
            a.seq, a.reason, a.at, check.anchors.anchors_checked
        ),
        None => println!(
            "没有找到审计锚点（查找了数据库和 {} 处文件夹）",
            check.searched.len()
        ),
    }
    for p in check
        .anchors
        .problems
        .iter()
        .chain(&check.unreadable_anchors)
    {
        eprintln!("{p}");
    }
    if let Some(pages) = &check.damaged_pages {
        if pages.is_empty() {
            println!("逐页校验：文件完好");
        } else {
            eprintln!(
                "逐页校验发现损坏：{}",
                pages
                    .iter()
                    .take(10)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("；")
            );
        }
    }
    if let Some(rows) = &check.rows {
        if rows.problems.is_empty() {
            println!("逐条记录校验：{} 条记录与审计记录一致", rows.rows_checked);
            if rows.legacy_rows > 0 {
                println!(
                    "另有 {} 条记录写于记录摘要启用之前（数据库由旧版本升级），无法逐条核对",
                    rows.legacy_rows
                );
            }
        } else {
            eprintln!(
                "逐条记录校验发现 {} 条记录在护童之外被改动（共校验 {} 条）：",
                rows.problems.len(),
                rows.rows_checked
            );
            for p in rows.problems.iter().take(50) {
                eprintln!("  {} {}：{}", p.table, p.id, p.reason);
            }
            if rows.problems.len() > 50 {
                eprintln!("  ……另有 {} 条", rows.problems.len() - 50);
            }
        }
    }
    Ok(if check.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
