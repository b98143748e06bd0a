//! The upward statistics bundle for the city or province: the figures as
//! JSON and the report as PDF, each with a detached Ed25519 signature.
//!
//! The county signs with its own key, kept next to the database
//! (`county-signing-key.pem`, created on first use with the same PKCS#8
//! format and the same signature files the plugin signing uses). The
//! bundle's `county-public-key.txt` is what the city adds to its trusted
//! keys; `hutong stats --verify-bundle DIR` checks a received bundle.

use anyhow::{Context, Result, bail};
use hutong_core::audit::AuditEntryInput;
use hutong_core::stats::{self, Statistics};
use hutong_core::{Actor, Store};
use hutong_plugin_host::signing;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The county's signing key file for a database.
pub fn county_key_path(db: &Path) -> PathBuf {
    db.parent()
        .unwrap_or_else(|| Path::new("."))
        .join("county-signing-key.pem")
}

/// What a bundle holds, for the message and the audit entry.
#[derive(Debug, Clone)]
pub struct BundleInfo {
    pub json: PathBuf,
    pub pdf: PathBuf,
    pub public_key: String,
    pub json_sha256: String,
    pub pdf_sha256: String,
}

/// The public key named in a signature file.
fn key_of(sig: &Path) -> Result<String> {
    let text = std::fs::read_to_string(sig).with_context(|| format!("读取 {}", sig.display()))?;
    text.lines()
        .find_map(|l| l.strip_prefix("key: "))
        .map(|k| k.trim().to_string())
        .with_context(|| format!("{} 中没有公钥", sig.display()))
}

/// Writes and signs `DIR/统计-<county>-<date>.json` and `.pdf`, verifies
/// both signatures, and records the bundle in the audit log.
pub fn write_bundle(
    store: &mut Store,
    actor: &Actor,
    db: &Path,
    s: &Statistics,
    pdf: &[u8],
    dir: &Path,
) -> Result<BundleInfo> {
    std::fs::create_dir_all(dir).with_context(|| format!("创建 {}", dir.display()))?;
    let key = county_key_path(db);
    if !key.exists() {
        signing::keygen(&key).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let stem = format!("统计-{}-{}", s.county_code, s.today.format("%Y%m%d"));
    let json_path = dir.join(format!("{stem}.json"));
    let pdf_path = dir.join(format!("{stem}.pdf"));
    let office = format!(
        "{}民政局",
        s.county_name.split_whitespace().last().unwrap_or("")
    );
    let generated = chrono::Local::now().to_rfc3339();
    let json = serde_json::to_vec_pretty(&stats::bundle_json(s, &office, &generated))?;
    std::fs::write(&json_path, &json).with_context(|| format!("写入 {}", json_path.display()))?;
    std::fs::write(&pdf_path, pdf).with_context(|| format!("写入 {}", pdf_path.display()))?;
    // The upward bundle carries a signed anchor of the audit chain, so the
    // city holds a copy of the county's chain head that no one at the
    // county can roll back. It is signed with the bundle like every file.
    let anchor = hutong_core::anchors::make(store, actor, "统计上报")?;
    let anchor_path = hutong_core::anchors::write_file(&anchor, dir)?;
    let anchor_json = anchor.to_json()?;
    let mut public_key = String::new();
    for (path, bytes) in [
        (&json_path, json.as_slice()),
        (&pdf_path, pdf),
        (&anchor_path, anchor_json.as_slice()),
    ] {
        let sig = signing::sign(&key, path).map_err(|e| anyhow::anyhow!("{e}"))?;
        public_key = key_of(&sig)?;
        // Check what was written before anyone relies on it.
        signing::verify(path, bytes, std::slice::from_ref(&public_key))
            .map_err(|e| anyhow::anyhow!("签名校验失败：{e}"))?;
    }
    std::fs::write(dir.join("county-public-key.txt"), format!("{public_key}\n"))
        .context("写入公钥文件")?;
    let info = BundleInfo {
        json_sha256: hex::encode(Sha256::digest(&json)),
        pdf_sha256: hex::encode(Sha256::digest(pdf)),
        json: json_path,
        pdf: pdf_path,
        public_key,
    };
    store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new("stats.bundle", "statistics", Some(s.county_code.clone()))
                .reason("上报统计数据包")
                .detail(serde_json::json!({
                    "json": info.json.display().to_string(),
                    "json_sha256": info.json_sha256,
                    "pdf": info.pdf.display().to_string(),
                    "pdf_sha256": info.pdf_sha256,
                    "public_key": info.public_key,
                })),
        )
    })?;
    Ok(info)
}

/// Verifies every signed file in a received bundle folder against the
/// given public key (base64). Returns the files checked.
pub fn verify_bundle(dir: &Path, public_key: &str) -> Result<Vec<PathBuf>> {
    let mut checked = Vec::new();
    let entries = std::fs::read_dir(dir).with_context(|| format!("读取 {}", dir.display()))?;
    for e in entries {
        let path = e?.path();
        let ext = path.extension().and_then(|x| x.to_str()).unwrap_or("");
        if ext != "json" && ext != "pdf" {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("读取 {}", path.display()))?;
        signing::verify(&path, &bytes, &[public_key.trim().to_string()])
            .map_err(|e| anyhow::anyhow!("{}：{e}", path.display()))?;
        checked.push(path);
    }
    if checked.is_empty() {
        bail!("{} 中没有统计数据包文件", dir.display());
    }
    checked.sort();
    Ok(checked)
}
