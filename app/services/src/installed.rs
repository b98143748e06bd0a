//! Installed province plugins: where their files live, the shared plugin
//! runtime, and loading them with a hash check. Used by the CLI and the UI.

use anyhow::{Context, Result, bail};
use hutong_core::{Actor, Store, plugin_registry};
use hutong_plugin_host::{Plugin, Runtime, RuntimeConfig, signing};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Plugins are kept next to the database they were installed into.
pub fn plugin_dir(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("plugins")
}

/// A runtime whose compiled-code cache sits next to the database.
pub fn runtime_for(db: Option<&Path>) -> Result<Runtime> {
    let cache_dir = db.map(|d| {
        d.parent()
            .unwrap_or(Path::new("."))
            .join("cache")
            .join("plugins")
    });
    Runtime::new(RuntimeConfig {
        cache_dir,
        ..Default::default()
    })
    .context("启动插件引擎")
}

/// Loads every installed plugin, checking each stored copy against the
/// hash recorded at installation.
pub fn load_installed(db: &Path, store: &Store, runtime: &Runtime) -> Result<Vec<Plugin>> {
    let mut out = Vec::new();
    for i in plugin_registry::installed(store.conn())? {
        let path = plugin_dir(db).join(&i.file_name);
        let bytes =
            std::fs::read(&path).with_context(|| format!("读取已安装插件 {}", path.display()))?;
        let sha = hex::encode(Sha256::digest(&bytes));
        if sha != i.sha256 {
            bail!(
                "已安装插件 {} 的文件已被改动（SHA-256 不符），请重新安装",
                path.display()
            );
        }
        out.push(runtime.load_bytes(&path, &bytes)?);
    }
    Ok(out)
}

/// Who signed a plugin, as far as this county is concerned.
#[derive(Debug, Clone, Default)]
pub struct Signer {
    /// The trusted key that verified the signature, with the provinces it
    /// is trusted for; `None` when developer mode let an unsigned or
    /// untrusted plugin through.
    pub key: Option<(String, Vec<String>)>,
    /// Why the signature did not verify, when developer mode accepted it.
    pub warning: Option<String>,
}

/// Checks a plugin's signature before any of its code is compiled. An
/// unsigned or tampered plugin is refused unless developer mode is on.
pub fn verify_before_load(store: &Store, path: &Path, bytes: &[u8]) -> Result<Signer> {
    let keys = plugin_registry::trusted_keys(store.conn(), None)?;
    let all: Vec<String> = keys.iter().map(|k| k.public_key.clone()).collect();
    match signing::verify(path, bytes, &all) {
        Ok(key) => {
            let provinces = keys
                .into_iter()
                .filter(|k| k.public_key == key)
                .map(|k| k.province_code)
                .collect();
            Ok(Signer {
                key: Some((key, provinces)),
                warning: None,
            })
        }
        Err(e) if plugin_registry::developer_mode(store.conn())? => Ok(Signer {
            key: None,
            warning: Some(e.to_string()),
        }),
        Err(e) => Err(e).context(format!(
            "本县共信任 {} 个公钥；未签名或被篡改的插件只能在开发者模式下安装",
            all.len()
        )),
    }
}

/// After loading: the signing key must be trusted for the plugin's own
/// province. Returns the key (or `None` in developer mode).
pub fn check_province(signer: &Signer, province: &str) -> Result<Option<String>> {
    match &signer.key {
        None => Ok(None),
        Some((key, provinces)) if provinces.iter().any(|p| p == province) => Ok(Some(key.clone())),
        Some((key, provinces)) => bail!(
            "签名公钥 {key} 受信任的省份为 {}，但插件声明的省份是 {province}",
            provinces.join("、")
        ),
    }
}

/// What an installation did.
#[derive(Debug, Clone)]
pub struct Installed {
    pub manifest: hutong_core::province::Manifest,
    pub signed_by: Option<String>,
    /// Set when developer mode accepted an unsigned or untrusted plugin.
    pub warning: Option<String>,
}

/// Installs a plugin file: verifies its signature before compiling it,
/// checks the key's province, keeps a copy (and its signature) next to the
/// database and records the installation with its SHA-256 and an audit
/// entry. Used by `hutong plugin install` and the 插件 screen.
pub fn install_from_file(
    db: &Path,
    store: &mut Store,
    actor: &Actor,
    plugin: &Path,
) -> Result<Installed> {
    let bytes = std::fs::read(plugin).with_context(|| format!("读取 {}", plugin.display()))?;
    let signer = verify_before_load(store, plugin, &bytes)?;
    let loaded = runtime_for(Some(db))?.load_bytes(plugin, &bytes)?;
    let m = loaded.manifest().clone();
    let signed_by = check_province(&signer, &m.province_code)?;
    let dir = plugin_dir(db);
    std::fs::create_dir_all(&dir).with_context(|| format!("创建 {}", dir.display()))?;
    let file_name = format!("{}-{}.wasm", m.id, m.version);
    let dest = dir.join(&file_name);
    std::fs::write(&dest, &bytes).with_context(|| format!("写入 {}", dest.display()))?;
    let sig = signing::signature_path(plugin);
    if sig.exists() {
        std::fs::copy(&sig, signing::signature_path(&dest))
            .with_context(|| format!("复制 {}", sig.display()))?;
    }
    let sha = hex::encode(Sha256::digest(&bytes));
    store.write(actor, |tx| {
        plugin_registry::record_install(
            tx,
            &plugin_registry::NewInstall {
                plugin_id: &m.id,
                version: &m.version,
                province_code: &m.province_code,
                name: &m.name,
                file_name: &file_name,
                sha256: &sha,
                signed_by: signed_by.as_deref(),
            },
        )
    })?;
    Ok(Installed {
        manifest: m,
        signed_by,
        warning: signer.warning,
    })
}
