//! The upward statistics bundle for the city or province: the figures as
//! JSON and the report as PDF, each with a detached Ed25519 signature.
//!
//! The county signs with its one signing key, the key that also signs the
//! audit anchors: kept inside the encrypted database (meta
//! `county_signing_key`, see `hutong_core::anchors::signing_key`), never in
//! a file. The signature files keep the plugin-signing format
//! (`key: <base64>`, `sig: <base64>`). The bundle's `county-public-key.txt`
//! is what the city adds to its trusted keys; `hutong stats --verify-bundle
//! DIR` checks a received bundle.
//!
//! Earlier versions kept a PEM key file beside the database
//! ([`county_key_path`]). The first bundle made now removes that file, with
//! an audit entry naming its public key and the key that replaces it (the
//! city must trust the new one).

use anyhow::{Context, Result, bail};
use hutong_core::audit::{AuditAction, AuditEntryInput};
use hutong_core::stats::{self, Statistics};
use hutong_core::{Actor, Store};
use hutong_plugin_host::signing;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where earlier versions kept the county's signing key: a PEM file beside
/// the database. Only read to retire it.
pub fn county_key_path(db: &Path) -> PathBuf {
    db.parent()
        .unwrap_or_else(|| Path::new("."))
        .join("county-signing-key.pem")
}

/// Removes a county key file left beside the database by an earlier
/// version (the key inside the database replaces it), auditing the change
/// of public key. Returns the retired public key, if there was a file.
fn retire_key_file(
    store: &mut Store,
    actor: &Actor,
    db: &Path,
    new_public_key: &str,
) -> Result<Option<String>> {
    let path = county_key_path(db);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let old = signing::public_key_of_file(&path).unwrap_or_else(|e| format!("（无法读取：{e}）"));
    store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new(AuditAction::CountySigningKeyFileRemoved, "meta", None)
                .reason("县级签名密钥改存于加密数据库内，删除数据库旁的旧密钥文件")
                .detail(serde_json::json!({
                    "file": path.display().to_string(),
                    "old_public_key": old,
                    "new_public_key": new_public_key,
                })),
        )
    })?;
    std::fs::remove_file(&path)
        .with_context(|| format!("删除旧的县级签名密钥文件 {}", path.display()))?;
    Ok(Some(old))
}

/// What a bundle holds, for the message and the audit entry.
#[derive(Debug, Clone)]
pub struct BundleInfo {
    pub json: PathBuf,
    pub pdf: PathBuf,
    pub public_key: String,
    pub json_sha256: String,
    pub pdf_sha256: String,
    /// The public key of a key file from an earlier version that this
    /// bundle retired: the city must now trust [`BundleInfo::public_key`].
    pub retired_public_key: Option<String>,
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
    session: &crate::session::Session,
    db: &Path,
    s: &Statistics,
    pdf: &[u8],
    dir: &Path,
) -> Result<BundleInfo> {
    // The upward bundle is the county's statistics, signed with its key.
    session.require(store, crate::permissions::Action::Statistics)?;
    let actor = &session.actor();
    std::fs::create_dir_all(dir).with_context(|| format!("创建 {}", dir.display()))?;
    let key = hutong_core::anchors::signing_key(store, actor)?;
    let public_key = signing::public_key_b64(&key);
    let retired_public_key = retire_key_file(store, actor, db, &public_key)?;
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
    for (path, bytes) in [
        (&json_path, json.as_slice()),
        (&pdf_path, pdf),
        (&anchor_path, anchor_json.as_slice()),
    ] {
        let sig = signing::sign_with_key(&key, path).map_err(|e| anyhow::anyhow!("{e}"))?;
        if key_of(&sig)? != public_key {
            bail!("签名文件 {} 中的公钥与县级签名密钥不符", sig.display());
        }
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
        retired_public_key,
    };
    store.write(actor, |tx| {
        tx.audit(
            AuditEntryInput::new(
                AuditAction::StatsBundle,
                "statistics",
                Some(s.county_code.clone()),
            )
            .reason("上报统计数据包")
            .detail(serde_json::json!({
                "json": info.json.display().to_string(),
                "json_sha256": info.json_sha256,
                "pdf": info.pdf.display().to_string(),
                "pdf_sha256": info.pdf_sha256,
                "public_key": info.public_key,
                "retired_public_key": info.retired_public_key,
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
