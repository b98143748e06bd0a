//! Data exchange over the command line: spreadsheet import and export, the
//! 数据比对 workbench, statistics, backup and restore. All logic lives in
//! `hutong_core::{table, compare, stats, backup}`; this module parses
//! arguments and prints.

use super::open;
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use hutong_core::compare::{Group, Source};
use hutong_core::national::{division, id_number};
use hutong_core::stats;
use hutong_core::table::{self, ExportRequest, ListKind, mapping};
use hutong_services::{Session, exchange};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

#[derive(Debug, Subcommand)]
pub enum TableCommand {
    /// Import children's files from an XLSX or CSV file (all rows or none).
    Import(ImportArgs),
    /// Export a list to XLSX or CSV, with a stated purpose (audited).
    Export(ExportArgs),
    /// List the saved column mappings.
    Mappings,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The spreadsheet: .xlsx, .xls or .csv (UTF-8 or GBK).
    file: PathBuf,
    /// A saved column mapping; if none has this name, one is proposed from
    /// the headers and saved under it after a successful import.
    #[arg(long)]
    mapping: Option<String>,
    /// Validate and print the report; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows even if some rows are invalid.
    #[arg(long)]
    skip_invalid: bool,
    /// Show at most this many problems of each kind.
    #[arg(long, default_value_t = 200)]
    max_problems: usize,
    /// The file lists parents, guardians and other relatives (linked by
    /// the column 儿童身份证号), not children.
    #[arg(long)]
    persons: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Which list: children.
    #[arg(long, default_value = "children")]
    list: String,
    /// A division code (village, township or county) to restrict to.
    #[arg(long)]
    village: Option<String>,
    /// Why the list is exported (recorded in the audit log).
    #[arg(long)]
    purpose: String,
    /// Output file, .xlsx or .csv.
    #[arg(long)]
    out: PathBuf,
    /// Full ID numbers instead of masked ones (the purpose justifies it).
    #[arg(long)]
    pub(crate) full_ids: bool,
    /// Include closed files.
    #[arg(long)]
    include_closed: bool,
}

pub fn table(
    db: &Path,
    session: &Session,
    cmd: TableCommand,
    password_stdin: bool,
) -> Result<ExitCode> {
    match cmd {
        TableCommand::Import(a) => import(db, session, a),
        TableCommand::Export(a) => export(db, session, a, password_stdin),
        TableCommand::Mappings => {
            let store = open(db)?;
            for name in exchange::mapping_names(&store)? {
                let m = exchange::saved_mapping(&store, &name)?;
                let cols = m
                    .map(|m| {
                        m.columns
                            .iter()
                            .map(|c| format!("{}→{}", c.header, c.field.label_zh()))
                            .collect::<Vec<_>>()
                            .join("，")
                    })
                    .unwrap_or_default();
                println!("{name}\t{cols}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_problems(title: &str, list: &[table::import::RowProblem], max: usize) {
    if list.is_empty() {
        return;
    }
    println!("{title}：");
    for p in list.iter().take(max) {
        println!("  {p}");
    }
    if list.len() > max {
        println!("  ……另有 {} 处", list.len() - max);
    }
}

/// `table import --persons`: relatives linked to children by ID number.
fn import_persons(db: &Path, session: &Session, a: ImportArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let file = &a.file;
    let tbl = exchange::read_table(&store, file, a.mapping.as_deref())
        .with_context(|| format!("读取 {}", file.display()))?;
    let (mapping, proposed) = exchange::mapping_for_persons(&store, a.mapping.as_deref(), &tbl)?;
    let sha = table::file_sha256(file)?;
    let preview = exchange::check_persons(&mut store, session, &tbl, &mapping, &sha, today())
        .with_context(|| format!("检查 {}", file.display()))?;
    println!("文件：{}", file.display());
    for note in &tbl.notes {
        println!("  {note}");
    }
    println!(
        "共 {} 行：有效 {} 行，有错误 {} 行（{} 处）",
        preview.total_rows,
        preview.valid.len(),
        preview.invalid_lines.len(),
        preview.errors.len()
    );
    print_problems("错误", &preview.errors, a.max_problems);
    if a.dry_run {
        println!("试运行：未写入任何数据");
        return Ok(if preview.is_clean() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    if !preview.is_clean() && !a.skip_invalid {
        eprintln!(
            "错误：{} 行有错误，未导入任何数据（改正后重试，或加 --skip-invalid 只导入有效行）",
            preview.invalid_lines.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let remember = proposed && a.mapping.is_some();
    let o = exchange::import_persons(&mut store, session, &preview, a.skip_invalid, remember)?;
    println!(
        "已导入亲属关系 {} 条（新登记 {} 人，沿用已有 {} 人，跳过错误行 {} 行），已记入审计日志",
        o.relations, o.new_persons, o.reused_persons, o.skipped_invalid
    );
    if remember && let Some(name) = &a.mapping {
        println!("列映射已保存为“{name}”");
    }
    Ok(ExitCode::SUCCESS)
}

fn import(db: &Path, session: &Session, a: ImportArgs) -> Result<ExitCode> {
    if a.persons {
        return import_persons(db, session, a);
    }
    let mut store = open(db)?;
    let file = &a.file;
    let table = exchange::read_table(&store, file, a.mapping.as_deref())
        .with_context(|| format!("读取 {}", file.display()))?;
    let (mapping, proposed) = exchange::mapping_for_children(&store, a.mapping.as_deref(), &table)?;
    let sha = table::file_sha256(file)?;
    let preview = exchange::check_children(&mut store, session, &table, &mapping, &sha, today())
        .with_context(|| format!("检查 {}", file.display()))?;

    println!("文件：{}", file.display());
    for note in &preview.notes {
        println!("  {note}");
    }
    println!(
        "列映射“{}”{}：{}",
        mapping.name,
        if proposed {
            "（按表头自动识别）"
        } else {
            ""
        },
        mapping
            .columns
            .iter()
            .map(|c| format!("{}→{}", c.header, c.field.label_zh()))
            .collect::<Vec<_>>()
            .join("，")
    );
    println!(
        "共 {} 行：有效 {} 行，有错误 {} 行（{} 处），警告 {} 处",
        preview.total_rows,
        preview.valid.len(),
        preview.invalid_lines.len(),
        preview.errors.len(),
        preview.warnings.len()
    );
    if !preview.errors.is_empty() {
        println!("错误：");
        for p in preview.errors.iter().take(a.max_problems) {
            println!("  {p}");
        }
        if preview.errors.len() > a.max_problems {
            println!("  ……另有 {} 处", preview.errors.len() - a.max_problems);
        }
    }
    if !preview.warnings.is_empty() {
        println!("警告：");
        for p in preview.warnings.iter().take(a.max_problems) {
            println!("  {p}");
        }
        if preview.warnings.len() > a.max_problems {
            println!("  ……另有 {} 处", preview.warnings.len() - a.max_problems);
        }
    }
    if !preview.valid.is_empty() {
        println!("预览（前5行）：");
        for p in preview.valid.iter().take(5) {
            let c = &p.child;
            println!(
                "  第{}行\t{}\t{}\t{}\t{}\t{}",
                p.line,
                c.name,
                c.sex.label_zh(),
                c.birth_date,
                id_number::mask(&c.id_number),
                c.residence_division
            );
        }
    }
    if a.dry_run {
        println!("试运行：未写入任何数据");
        return Ok(if preview.is_clean() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    if !preview.is_clean() && !a.skip_invalid {
        eprintln!(
            "错误：{} 行有错误，未导入任何数据（改正后重试，或加 --skip-invalid 只导入有效行）",
            preview.invalid_lines.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let remember = proposed && a.mapping.is_some();
    let outcome =
        exchange::import_children(&mut store, session, &preview, a.skip_invalid, remember)
            .with_context(|| format!("导入 {}", file.display()))?;
    println!(
        "已导入 {} 名儿童（跳过错误行 {} 行，记录类别 {} 条），已记入审计日志",
        outcome.inserted, outcome.skipped_invalid, outcome.categories
    );
    if remember && let Some(name) = &a.mapping {
        println!("列映射已保存为“{name}”");
    }
    Ok(ExitCode::SUCCESS)
}

fn export(db: &Path, session: &Session, a: ExportArgs, password_stdin: bool) -> Result<ExitCode> {
    let mut store = open(db)?;
    let list = ListKind::from_name(&a.list)
        .with_context(|| format!("--list：不支持“{}”，可用：children", a.list))?;
    let division = match &a.village {
        Some(v) => Some(
            division::normalize_code(v)
                .with_context(|| format!("--village：“{v}”不是有效的区划代码"))?,
        ),
        None => None,
    };
    let req = ExportRequest {
        list,
        division,
        include_closed: a.include_closed,
        purpose: a.purpose.clone(),
        full_ids: a.full_ids,
        search: None,
        category: None,
        status: None,
    };
    let passphrase = if a.full_ids {
        Some(super::access::export_passphrase(password_stdin, true)?)
    } else {
        None
    };
    let out = exchange::export_list(
        &mut store,
        session,
        &req,
        &a.out,
        passphrase.as_deref().map(String::as_str),
    )
    .with_context(|| format!("导出到 {}", a.out.display()))?;
    println!(
        "已导出 {} 行到 {}（身份证号{}；用途已记入审计日志；SHA-256 {}）",
        out.rows,
        out.written.display(),
        if a.full_ids {
            "完整，文件已用口令加密（AES-256 ZIP）"
        } else {
            "已脱敏"
        },
        &out.sha256[..16]
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The other department's list (.xlsx, .xls or .csv).
    file: PathBuf,
    /// 学籍库, 低保, 残联, 公安户籍 or 医保.
    #[arg(long)]
    source: String,
    /// A saved column mapping (default: the one saved under the source's
    /// name, else proposed from the headers).
    #[arg(long)]
    mapping: Option<String>,
    /// Write the four groups and the flags to this .xlsx (IDs masked).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the whole result as JSON.
    #[arg(long)]
    json: bool,
    /// Rows to list per group.
    #[arg(long, default_value_t = 20)]
    show: usize,
}

pub fn compare(db: &Path, session: &Session, a: CompareArgs) -> Result<ExitCode> {
    let source = Source::from_name(&a.source).with_context(|| {
        format!(
            "--source：未知来源“{}”，可用：{}",
            a.source,
            Source::ALL.map(|s| s.label_zh()).join("、")
        )
    })?;
    let mut store = open(db)?;
    let started = std::time::Instant::now();
    let cmp = exchange::compare_file(
        &mut store,
        session,
        &a.file,
        source,
        a.mapping.as_deref(),
        today(),
    )
    .with_context(|| format!("比对 {}", a.file.display()))?;
    let elapsed = started.elapsed();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&cmp)?);
    } else {
        let c = cmp.counts();
        println!(
            "与{}《{}》比对（{:.2} 秒）：对方 {} 行",
            source.label_zh(),
            cmp.file_name,
            elapsed.as_secs_f64(),
            c.their_rows
        );
        println!(
            "  一致 {}，匹配但有差异 {}，仅我方有 {}，仅对方有 {}，提示 {}",
            c.same, c.different, c.only_ours, c.only_theirs, c.flags
        );
        println!("  比对编号 {}", cmp.id);
        for g in [Group::Different, Group::OnlyTheirs] {
            let rows: Vec<_> = cmp.group(g).collect();
            if rows.is_empty() {
                continue;
            }
            println!("{}：", g.label_zh());
            for r in rows.iter().take(a.show) {
                let t = r.theirs.as_ref();
                let diffs = r
                    .diffs
                    .iter()
                    .map(|d| {
                        let show = |v: &Option<String>| match (d.field, v) {
                            (mapping::Field::IdNumber, Some(s)) => id_number::mask(s),
                            (_, Some(s)) => s.clone(),
                            (_, None) => "（空）".into(),
                        };
                        format!(
                            "{} 我方“{}”/对方“{}”",
                            d.field.label_zh(),
                            show(&d.ours),
                            show(&d.theirs)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；");
                println!(
                    "  对方第{}行\t{}\t{}\t{}",
                    t.map(|t| t.line).unwrap_or_default(),
                    r.child_name
                        .clone()
                        .or_else(|| t.and_then(|t| t.name.clone()))
                        .unwrap_or_default(),
                    r.method.map(|m| m.label_zh()).unwrap_or(""),
                    diffs
                );
            }
            if rows.len() > a.show {
                println!("  ……另有 {} 行", rows.len() - a.show);
            }
        }
        let flags: Vec<_> = cmp.flags().collect();
        if !flags.is_empty() {
            println!("提示：");
            for (_, f) in flags.iter().take(a.show * 5) {
                println!("  [{}] {}", f.kind.label_zh(), f.message);
            }
            if flags.len() > a.show * 5 {
                println!("  ……另有 {} 条", flags.len() - a.show * 5);
            }
        }
        for p in &cmp.problems {
            println!("  无法比对：{p}");
        }
    }
    if let Some(out) = &a.out {
        exchange::export_comparison(&mut store, session, &cmp, out)
            .with_context(|| format!("写入 {}", out.display()))?;
        if !a.json {
            println!("结果已写入 {}", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Write to .xlsx or .pdf instead of printing.
    #[arg(long)]
    out: Option<PathBuf>,
    /// A township or village code to restrict to.
    #[arg(long)]
    village: Option<String>,
    /// Days within which a visit counts as done.
    #[arg(long, default_value_t = hutong_core::visits::DEFAULT_CADENCE_DAYS)]
    cadence_days: i64,
    #[arg(long)]
    json: bool,
    /// Write the signed upward bundle (JSON + PDF + .sig files + the
    /// county's public key) into this folder.
    #[arg(long, conflicts_with = "verify_bundle")]
    bundle: Option<PathBuf>,
    /// Verify a received bundle folder against --key.
    #[arg(long, requires = "key")]
    verify_bundle: Option<PathBuf>,
    /// The sending county's public key (base64), for --verify-bundle.
    #[arg(long)]
    key: Option<String>,
}

pub fn stats_cmd(db: &Path, session: &hutong_services::Session, a: StatsArgs) -> Result<ExitCode> {
    if let (Some(dir), Some(key)) = (&a.verify_bundle, &a.key) {
        let files = hutong::bundle::verify_bundle(dir, key)?;
        for f in &files {
            println!("签名有效：{}", f.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut store = open(db)?;
    let s = hutong_services::statistics::compute(
        &mut store,
        session,
        a.village.as_deref(),
        today(),
        a.cadence_days,
    )?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    }
    if let Some(dir) = &a.bundle {
        let doc = stats::to_document(&s);
        let fonts = hutong_report::FontSet::with_system_fonts();
        let pdf = hutong_report::render(&doc, &fonts).context("排版统计表")?;
        let info = hutong::bundle::write_bundle(&mut store, session, db, &s, &pdf, dir)?;
        println!(
            "统计数据包已写入 {}：{}、{}（均已签名并校验；公钥 {}）",
            dir.display(),
            info.json.display(),
            info.pdf.display(),
            info.public_key
        );
        if let Some(old) = &info.retired_public_key {
            println!(
                "注意：县级签名密钥现存于加密数据库内，数据库旁的旧密钥文件已删除；上级原先信任的公钥 {old} 不再使用，请改为信任新公钥 {}",
                info.public_key
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some(out) = a.out else {
        if !a.json {
            println!("{}　{}", s.county_name, s.today);
            let cats: Vec<&str> = s.categories.iter().map(|c| c.label_zh()).collect();
            println!("乡镇\t在档\t{}\t已走访\t待走访\t从未走访", cats.join("\t"));
            for r in s.townships.iter().chain(std::iter::once(&s.total)) {
                let by: Vec<String> = s
                    .categories
                    .iter()
                    .map(|c| r.by_category.get(c).copied().unwrap_or(0).to_string())
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    r.name,
                    r.children,
                    by.join("\t"),
                    r.visited,
                    r.due,
                    r.never_visited
                );
            }
            for note in s
                .colour_note
                .iter()
                .chain(std::iter::once(&s.services_note))
            {
                println!("注：{note}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let bytes = match ext.as_str() {
        "xlsx" => stats::to_xlsx(&s)?,
        "pdf" => {
            let doc = stats::to_document(&s);
            let fonts = hutong_report::FontSet::with_system_fonts();
            hutong_report::render(&doc, &fonts).context("排版统计表")?
        }
        _ => bail!("--out：只支持 .xlsx 和 .pdf（{}）", out.display()),
    };
    let template = if ext == "xlsx" {
        "xlsx"
    } else {
        "核心默认统计表"
    };
    hutong_services::statistics::export(&mut store, session, &s, &out, &bytes, template)
        .with_context(|| format!("写入 {}", out.display()))?;
    println!("统计表已写入 {}（{} 字节）", out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (must not exist).
    #[arg(long, required_unless_present = "folder", conflicts_with = "folder")]
    out: Option<PathBuf>,
    /// Daily backup: write FOLDER/hutong-YYYYMMDD.db unless today's exists.
    #[arg(long)]
    folder: Option<PathBuf>,
}

pub fn backup_cmd(db: &Path, session: &Session, a: BackupArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let info = match (&a.out, &a.folder) {
        (Some(out), _) => Some(
            hutong_services::backup::backup_to(&mut store, session, out)
                .with_context(|| format!("备份到 {}", out.display()))?,
        ),
        (None, Some(folder)) => {
            hutong_services::backup::backup_due(&mut store, session, folder, today())
                .with_context(|| format!("每日备份到 {}", folder.display()))?
        }
        (None, None) => bail!("需要 --out 或 --folder"),
    };
    match info {
        Some(i) => println!(
            "已备份到 {}（{} 字节，{} 名儿童，审计日志 {} 条已校验，SHA-256 {}）",
            i.path.display(),
            i.bytes,
            i.verification.children,
            i.verification.audit.entries_checked,
            &i.sha256[..16]
        ),
        None => println!("今天的备份已存在，未重复备份"),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file to restore from.
    file: PathBuf,
    /// Restore even though accounts, trusted keys or settings differ from
    /// the current database (they are listed first either way).
    #[arg(long)]
    yes: bool,
}

/// The password typed again to confirm a restore: a prompt on a terminal,
/// the next stdin line with `--password-stdin`, else `HUTONG_PASSWORD`.
fn confirm_password(password_stdin: bool) -> Result<zeroize::Zeroizing<String>> {
    use std::io::IsTerminal;
    if password_stdin {
        return Ok(super::access::stdin_line("确认密码")?.into());
    }
    if std::io::stdin().is_terminal() {
        return Ok(rpassword::prompt_password("为确认恢复，请再次输入密码：")
            .context("读取密码")?
            .into());
    }
    std::env::var("HUTONG_PASSWORD")
        .map(Into::into)
        .context("恢复前需再次输入密码：请在终端中输入，或用 --password-stdin 提供")
}

pub fn restore_cmd(
    db: &Path,
    session: &hutong_services::Session,
    a: RestoreArgs,
    password_stdin: bool,
) -> Result<ExitCode> {
    let mut store = open(db)?;
    let preview = hutong_services::restore::preview(session, &mut store, &a.file)
        .with_context(|| format!("从 {} 恢复", a.file.display()))?;
    println!(
        "备份 {}：{} 名儿童，审计日志到第 {} 条；此后的 {} 条审计记录将随恢复保留",
        a.file.display(),
        preview.verification.children,
        preview.backup_head,
        preview.entries_carried
    );
    if !preview.changes.is_empty() {
        println!("恢复将改变以下账户、密钥或设置：");
        for c in &preview.changes {
            println!("  {c}");
        }
        if !a.yes {
            bail!("未恢复：以上变化需确认，确认无误请加 --yes 再运行");
        }
    }
    let password = confirm_password(password_stdin)?;
    let report = hutong_services::restore::restore(session, store, &a.file, &password)
        .with_context(|| format!("从 {} 恢复", a.file.display()))?;
    println!(
        "已从 {} 恢复（{} 名儿童；审计日志 {} 条校验通过）",
        report.restored_from.display(),
        report.verification.children,
        report.verification.audit.entries_checked
    );
    if let Some(bak) = &report.previous_kept_as {
        println!("原数据库已保留为 {}", bak.display());
    }
    if report.entries_carried > 0 {
        println!(
            "备份之后的 {} 条审计记录已转入恢复后的数据库（audit_carried），恢复记录中列明",
            report.entries_carried
        );
    }
    println!(
        "恢复后审计日志：{} 条，{}",
        report.audit_after.entries_checked,
        if report.audit_after.is_intact() {
            "完整"
        } else {
            "有断裂！"
        }
    );
    Ok(if report.audit_after.is_intact() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
