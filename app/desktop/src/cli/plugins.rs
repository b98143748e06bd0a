//! `hutong plugin ...`: keys, signatures, installation and testing of
//! province plugins.

use super::open;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use hutong_core::province as p;
use hutong_plugin_host::signing;
use hutong_services::Session;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a signing key (keep the file secret; share the printed public key).
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a plugin, writing PLUGIN.wasm.sig next to it.
    Sign {
        #[arg(long)]
        key: PathBuf,
        plugin: PathBuf,
    },
    /// Check a plugin's signature against the county's trusted keys.
    Verify { plugin: PathBuf },
    /// Trust a province's public key (base64).
    Trust {
        public_key: String,
        #[arg(long)]
        province: String,
        #[arg(long)]
        label: Option<String>,
    },
    /// Revoke a trusted public key (base64): plugins signed by it stop
    /// loading. The key's record stays, marked revoked; the reason is audited.
    Revoke {
        public_key: String,
        /// Only for this province (default: every province it is trusted for).
        #[arg(long)]
        province: Option<String>,
        /// Why the key is revoked (recorded in the audit log).
        #[arg(long)]
        reason: String,
    },
    /// Install a plugin (a copy named by its hash is kept next to the database).
    Install {
        plugin: PathBuf,
        /// Allow installing a lower version than the installed one; the
        /// reason is recorded in the audit log.
        #[arg(long, value_name = "REASON")]
        allow_downgrade: Option<String>,
    },
    /// List installed plugins with their version and signature status.
    List,
    /// Uninstall a plugin by id (its record stays).
    Remove { plugin_id: String },
    /// Turn developer mode on or off (unsigned plugins load only when on).
    DevMode {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Run a plugin against fixture cases (JSON) and write its reports.
    Test {
        plugin: PathBuf,
        #[arg(long)]
        cases: PathBuf,
        /// Where reports are written (default: CASES/out).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub use hutong::installed::{check_province, runtime_for, verify_before_load};

/// `actor` is the signed-in user; `None` only for the commands that open
/// no database (keygen, sign, test), which need no log-in.
pub fn run(db: &Path, session: Option<&Session>, cmd: PluginCommand) -> Result<ExitCode> {
    let session = || session.context("内部错误：此命令需要登录");
    match cmd {
        PluginCommand::Keygen { out } => {
            let public = signing::keygen(&out)?;
            println!("已生成签名密钥：{}（请妥善保管，勿外传）", out.display());
            println!("公钥（提供给各县信任）：{public}");
        }
        PluginCommand::Sign { key, plugin } => {
            let sig = signing::sign(&key, &plugin)?;
            println!("已签名：{}", sig.display());
        }
        PluginCommand::Verify { plugin } => {
            let store = open(db)?;
            let bytes =
                std::fs::read(&plugin).with_context(|| format!("读取 {}", plugin.display()))?;
            let keys: Vec<String> = hutong::installed::trusted_keys(&store, None)?
                .into_iter()
                .map(|k| k.public_key)
                .collect();
            signing::verify(&plugin, &bytes, &keys)?;
            let signer = verify_before_load(&store, &plugin, &bytes)?;
            if let Some(w) = &signer.warning {
                eprintln!("警告（开发者模式）：{w}");
            }
            let loaded = runtime_for(Some(db))?.load_bytes(&plugin, &bytes)?;
            let province = loaded.manifest().province_code.clone();
            let key = check_province(&signer, &province)?.unwrap_or_default();
            println!(
                "签名有效：{}（省份 {province}，公钥 {key}）",
                loaded.reference()
            );
        }
        PluginCommand::Trust {
            public_key,
            province,
            label,
        } => {
            let mut store = open(db)?;
            hutong::installed::trust_key(
                &mut store,
                session()?,
                &province,
                &public_key,
                label.as_deref(),
            )?;
            println!("已信任省份 {province} 的公钥");
        }
        PluginCommand::Revoke {
            public_key,
            province,
            reason,
        } => {
            let mut store = open(db)?;
            let done = hutong::installed::revoke_key(
                &mut store,
                session()?,
                &public_key,
                province.as_deref(),
                &reason,
            )?;
            println!(
                "已吊销公钥 {}（省份 {}）",
                public_key.trim(),
                done.provinces.join("、")
            );
            if done.plugins.is_empty() {
                println!("没有已安装的插件由此公钥签名");
            } else {
                println!("以下插件将停止加载：{}", done.plugins.join("、"));
            }
        }
        PluginCommand::Install {
            plugin,
            allow_downgrade,
        } => {
            let mut store = open(db)?;
            let options = hutong::installed::InstallOptions {
                downgrade_reason: allow_downgrade,
            };
            let done = hutong::installed::install_from_file_with(
                db,
                &mut store,
                session()?,
                &plugin,
                &options,
            )?;
            if let Some(w) = &done.warning {
                eprintln!("警告（开发者模式）：{w}");
            }
            let m = &done.manifest;
            println!("已安装 {}@{}（{}）", m.id, m.version, m.name);
            if let Some(from) = &done.downgraded_from {
                println!("已从 {from} 降级到 {}（原因已记入审计日志）", m.version);
            }
        }
        PluginCommand::List => {
            let store = open(db)?;
            let dev = hutong::installed::developer_mode(&store)?;
            if dev {
                println!("【开发者模式已开启：可加载未签名插件】");
            }
            for i in hutong::installed::installed(&store)? {
                let status = match &i.signed_by {
                    Some(_) => "已签名".to_string(),
                    None => "未签名（开发者模式安装）".to_string(),
                };
                println!(
                    "{}\t{}\t{}\t省份 {}\t{}",
                    i.plugin_id, i.version, i.name, i.province_code, status
                );
            }
        }
        PluginCommand::Remove { plugin_id } => {
            let mut store = open(db)?;
            hutong::installed::remove(&mut store, session()?, &plugin_id)?;
            println!("已卸载 {plugin_id}");
        }
        PluginCommand::DevMode { state } => {
            let mut store = open(db)?;
            let on = state == "on";
            hutong::installed::set_developer_mode(&mut store, session()?, on)?;
            println!(
                "开发者模式：{}",
                if on {
                    "开启（界面将显示提示横幅）"
                } else {
                    "关闭"
                }
            );
        }
        PluginCommand::Test { plugin, cases, out } => return test(&plugin, &cases, out),
    }
    Ok(ExitCode::SUCCESS)
}

/// One fixture case for `hutong plugin test`.
#[derive(Debug, serde::Deserialize)]
struct Case {
    name: String,
    today: String,
    #[serde(default)]
    child: p::ChildSnapshot,
    #[serde(default)]
    forms: Vec<FormCase>,
    #[serde(default)]
    assess: Vec<AssessCase>,
    #[serde(default)]
    reports: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
struct FormCase {
    form: String,
    values: Vec<p::FieldValue>,
}

#[derive(Debug, serde::Deserialize)]
struct AssessCase {
    scale: String,
    answers: Vec<p::Answer>,
}

/// Fonts are parsed once per process.
fn fonts() -> &'static hutong_report::FontSet {
    static FONTS: std::sync::OnceLock<hutong_report::FontSet> = std::sync::OnceLock::new();
    FONTS.get_or_init(hutong_report::FontSet::bundled)
}

fn test(plugin_path: &Path, cases_dir: &Path, out: Option<PathBuf>) -> Result<ExitCode> {
    let mut plugin = runtime_for(None)?.load_file(plugin_path)?;
    println!("插件：{}（{}）", plugin.reference(), plugin.manifest().name);
    let out = out.unwrap_or_else(|| cases_dir.join("out"));
    std::fs::create_dir_all(&out).with_context(|| format!("创建 {}", out.display()))?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir)
        .with_context(|| format!("读取用例目录 {}", cases_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("用例目录 {} 中没有 .json 用例", cases_dir.display());
    }
    let mut failures = 0;
    for file in files {
        let text =
            std::fs::read_to_string(&file).with_context(|| format!("读取 {}", file.display()))?;
        let case: Case = serde_json::from_str(&text)
            .with_context(|| format!("用例 {} 格式错误", file.display()))?;
        println!("== 用例：{}（{}）", case.name, file.display());
        for f in &case.forms {
            match plugin.evaluate_form(&f.form, &f.values, &case.today, Some(&case.child)) {
                Ok(e) => {
                    println!(
                        "  表单 {}：隐藏 {:?}，{} 条提示",
                        f.form,
                        e.hidden,
                        e.issues.len()
                    );
                    for i in &e.issues {
                        println!("    [{:?}] {}：{}", i.severity, i.field_id, i.message);
                    }
                }
                Err(e) => {
                    failures += 1;
                    println!("  表单 {}：失败：{e}", f.form);
                }
            }
        }
        for a in &case.assess {
            let input = p::AssessInput {
                today: case.today.clone(),
                answers: a.answers.clone(),
                child: Some(case.child.clone()),
            };
            match plugin.assess(&a.scale, &input) {
                Ok(r) => println!(
                    "  量表 {}：{}（{}）颜色 {} 得分 {:?}；{}",
                    a.scale,
                    r.level_label,
                    r.level_code,
                    r.colour.map(|c| c.label_zh()).unwrap_or("—"),
                    r.score,
                    r.reasons.join("；")
                ),
                Err(e) => {
                    failures += 1;
                    println!("  量表 {}：失败：{e}", a.scale);
                }
            }
        }
        match plugin.classify(&case.child, &case.today) {
            Ok(findings) => {
                for f in findings {
                    println!(
                        "  认定 {}：{:?}；{}（{}）",
                        f.category,
                        f.status,
                        f.reasons.join("；"),
                        f.citation
                    );
                }
            }
            Err(e) => {
                failures += 1;
                println!("  认定：失败：{e}");
            }
        }
        for template in &case.reports {
            let input = p::ReportInput {
                today: case.today.clone(),
                county_name: String::new(),
                office_name: "（测试）".into(),
                children: vec![case.child.clone()],
                params: vec![],
            };
            match plugin.render_report(template, &input) {
                Ok(doc) => {
                    let stem = file
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    // Template ids come from the plugin: the name is made from an
                    // allow-list, as every report file name is.
                    let stem = hutong_services::printing::file_stem(&[&stem, template]);
                    let json = out.join(format!("{stem}.json"));
                    std::fs::write(&json, serde_json::to_vec_pretty(&doc)?)
                        .with_context(|| format!("写入 {}", json.display()))?;
                    match hutong_report::render(&doc, fonts()) {
                        Ok(pdf) => {
                            let path = out.join(format!("{stem}.pdf"));
                            std::fs::write(&path, pdf)
                                .with_context(|| format!("写入 {}", path.display()))?;
                            println!(
                                "  报表 {template}：{} 个块 → {}",
                                doc.block_count(),
                                path.display()
                            );
                        }
                        Err(e) => {
                            failures += 1;
                            println!("  报表 {template}：排版失败：{e}");
                        }
                    }
                }
                Err(e) => {
                    failures += 1;
                    println!("  报表 {template}：失败：{e}");
                }
            }
        }
    }
    if failures > 0 {
        eprintln!("{failures} 项失败");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
