//! `hutong report`: prints a plugin's report template for one child or a
//! village roster to PDF, and records the print (with the file's SHA-256)
//! in the audit log.

use super::open;
use anyhow::{Context, Result, bail};
use clap::Args;
use hutong::installed::{load_installed, runtime_for};
use hutong::printing::{Destination, PrintRecord, pdf_sha256, record_print, report_input};
use hutong_core::children::{ChildQuery, ChildStatus};
use hutong_core::national::division;
use hutong_services::Session;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// List the templates of the installed plugins.
    #[arg(long)]
    list: bool,
    /// Template id, e.g. card or roster.
    #[arg(long, required_unless_present = "list")]
    template: Option<String>,
    /// One child's ID number (for one-child templates).
    #[arg(long, conflicts_with = "village")]
    child: Option<String>,
    /// A division code (for rosters): every active child within it.
    #[arg(long)]
    village: Option<String>,
    /// Output PDF file.
    #[arg(long, required_unless_present = "list")]
    out: Option<PathBuf>,
}

pub fn run(db: &Path, session: &Session, a: ReportArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let runtime = runtime_for(Some(db))?;
    let mut plugins = load_installed(db, &store, &runtime)?;
    if plugins.is_empty() {
        bail!("没有已安装的省级插件：请先用 hutong plugin install 安装");
    }
    if a.list {
        for plugin in &mut plugins {
            let reference = plugin.reference();
            for t in plugin.report_templates()? {
                println!("{}\t{}\t{:?}\t{}", t.id, t.name, t.kind, reference);
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(template), Some(out)) = (a.template, a.out) else {
        bail!("需要 --template 和 --out");
    };
    let mut found = None;
    for (i, plugin) in plugins.iter_mut().enumerate() {
        if let Some(t) = plugin
            .report_templates()?
            .into_iter()
            .find(|t| t.id == template)
        {
            found = Some((i, t));
            break;
        }
    }
    let Some((index, info)) = found else {
        bail!("已安装插件中没有报表模板“{template}”（用 hutong report --list 查看）");
    };
    let children_ids = match (&a.child, &a.village) {
        (Some(id), _) => {
            vec![hutong_services::records::child_by_id_number(&mut store, session, id)?.id]
        }
        (None, Some(v)) => {
            let code = division::normalize_code(v)
                .with_context(|| format!("--village：“{v}”不是有效的区划代码"))?;
            let (rows, _) = hutong_services::children::list(
                &mut store,
                session,
                &ChildQuery {
                    division: Some(code),
                    status: Some(ChildStatus::Active),
                    ..Default::default()
                },
            )?;
            rows.into_iter().map(|r| r.id).collect()
        }
        (None, None) => bail!("需要 --child 或 --village"),
    };
    if children_ids.is_empty() {
        bail!("所选范围内没有在档儿童");
    }
    let today = chrono::Local::now().date_naive();
    let input = report_input(
        &mut store,
        session,
        &children_ids,
        a.village.as_deref(),
        today,
    )?;
    let plugin = &mut plugins[index];
    let doc = plugin.render_report(&template, &input)?;
    let fonts = hutong_report::FontSet::with_system_fonts();
    let pdf = hutong_report::render(&doc, &fonts).context("排版报表")?;
    std::fs::write(&out, &pdf).with_context(|| format!("写入 {}", out.display()))?;
    let sha = pdf_sha256(&pdf);
    let reference = plugin.reference();
    record_print(
        &mut store,
        session,
        &PrintRecord {
            template_id: &template,
            template_name: &info.name,
            plugin: &reference,
            children: &children_ids,
            file: &out.display().to_string(),
            pdf: &pdf,
            destination: Destination::File,
        },
    )?;
    println!(
        "已生成 {}（{}，{} 字节，SHA-256 {}）",
        out.display(),
        info.name,
        pdf.len(),
        &sha[..16]
    );
    Ok(ExitCode::SUCCESS)
}
