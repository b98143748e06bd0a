//! Installed province plugins: where their files live, the shared plugin
//! runtime, and loading them. Used by the CLI and the UI.
//!
//! Every load re-checks, from the bytes on disk: the file's SHA-256 against
//! the one recorded at installation, and its signature against the keys
//! the county trusts *now* for the plugin's province (a revoked key stops
//! its plugins). Installed files are named by their hash
//! (`plugins/<sha256>.wasm`), so a manifest never chooses a path. The
//! compiled-code cache beside the database is trusted only for entries
//! whose hash Hutong recorded in the encrypted database ([`StoreCacheTrust`]).

use crate::permissions::Action;
use crate::session::Session;
use anyhow::{Context, Result, bail};
use hutong_core::audit::{AuditAction, AuditEntryInput};
use hutong_core::{Actor, Store, files, plugin_registry};
use hutong_plugin_host::{CacheTrust, Plugin, Runtime, RuntimeConfig, ids, sha256_hex, signing};
use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// A plugin file larger than this is refused before it is read (the
/// province plugins are a few hundred KB).
pub const MAX_PLUGIN_BYTES: u64 = 64 * 1024 * 1024;

/// Plugins are kept next to the database they were installed into.
pub fn plugin_dir(db: &Path) -> PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("plugins")
}

/// The compiled-code cache next to the database.
pub fn cache_dir(db: &Path) -> PathBuf {
    db.parent()
        .unwrap_or(Path::new("."))
        .join("cache")
        .join("plugins")
}

/// A runtime whose compiled-code cache sits next to the database. The
/// cache is used only by loads given a [`StoreCacheTrust`].
pub fn runtime_for(db: Option<&Path>) -> Result<Runtime> {
    Runtime::new(RuntimeConfig {
        cache_dir: db.map(cache_dir),
        ..Default::default()
    })
    .context("启动插件引擎")
}

/// The compiled-code cache entries Hutong wrote, as recorded in the
/// encrypted database (`plugin_cache`). Checking needs only a read;
/// recording opens a second connection to the same database (the loads run
/// with a shared `&Store`) and writes through `Store::write` with an audit
/// entry, as the system job 插件缓存.
pub struct StoreCacheTrust<'a> {
    store: &'a Store,
}

impl<'a> StoreCacheTrust<'a> {
    pub fn new(store: &'a Store) -> Self {
        StoreCacheTrust { store }
    }
}

impl CacheTrust for StoreCacheTrust<'_> {
    fn is_trusted(&self, wasm_sha256: &str, entry_sha256: &str) -> bool {
        plugin_registry::cache_entry_trusted(self.store.conn(), wasm_sha256, entry_sha256)
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read plugin cache records");
                false
            })
    }

    fn record(&self, wasm_sha256: &str, entry_sha256: &str) -> Result<(), String> {
        let mut store = self
            .store
            .database()
            .open()
            .map_err(|e| format!("记录插件缓存：{e}"))?;
        let actor = Actor::system("插件缓存", store.county_scope().map_err(|e| e.to_string())?);
        store
            .write(&actor, |tx| {
                plugin_registry::record_cache_entry(tx, wasm_sha256, entry_sha256)
            })
            .map_err(|e| format!("记录插件缓存：{e}"))
    }
}

/// Reads a plugin file, refusing one larger than [`MAX_PLUGIN_BYTES`].
fn read_plugin(path: &Path) -> Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("读取插件 {}", path.display()))?
        .len();
    if len > MAX_PLUGIN_BYTES {
        bail!(
            "插件文件 {} 有 {} MiB，超过上限 {} MiB",
            path.display(),
            len / (1024 * 1024),
            MAX_PLUGIN_BYTES / (1024 * 1024)
        );
    }
    std::fs::read(path).with_context(|| format!("读取插件 {}", path.display()))
}

/// The installed copy's path. The name comes from the registry inside the
/// encrypted database; it must still be a bare file name.
fn installed_path(db: &Path, i: &plugin_registry::InstalledPlugin) -> Result<PathBuf> {
    let name = &i.file_name;
    let bare = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', ':'])
        && !name.chars().any(char::is_control);
    if !bare {
        bail!(
            "已安装插件 {}@{} 记录的文件名“{}”不是单纯的文件名，拒绝加载",
            i.plugin_id,
            i.version,
            name.escape_default()
        );
    }
    Ok(plugin_dir(db).join(name))
}

/// `cn.hutong.henan@1.0.0（河南省……）`
fn label(i: &plugin_registry::InstalledPlugin) -> String {
    format!("{}@{}（{}）", i.plugin_id, i.version, i.name)
}

/// The revocation of `key`, if the county revoked it for `province` (or,
/// with `None`, for any province).
fn revocation_of(
    store: &Store,
    key: &str,
    province: Option<&str>,
) -> Result<Option<plugin_registry::RevokedKey>> {
    Ok(plugin_registry::revoked_keys(store.conn())?
        .into_iter()
        .find(|r| r.public_key == key && province.is_none_or(|p| p == r.province_code)))
}

fn revoked_message(what: &str, key: &str, r: &plugin_registry::RevokedKey) -> String {
    format!(
        "{what}的签名公钥 {key}{} 已于 {} 被本县吊销（省份 {}），拒绝加载；请安装由有效密钥签名的版本",
        r.label
            .as_deref()
            .map(|l| format!("（{l}）"))
            .unwrap_or_default(),
        r.revoked_at.as_deref().unwrap_or("（时间不详）"),
        r.province_code
    )
}

/// Checks one installed plugin's bytes before any of its code is compiled:
/// the recorded hash, then the signature against the keys trusted now for
/// its province. Returns a developer-mode warning, if any.
fn verify_installed(
    store: &Store,
    i: &plugin_registry::InstalledPlugin,
    path: &Path,
    bytes: &[u8],
) -> Result<Option<String>> {
    if sha256_hex(bytes) != i.sha256 {
        bail!(
            "已安装插件 {} 的文件 {} 已被改动（SHA-256 不符），拒绝加载，请重新安装",
            label(i),
            path.display()
        );
    }
    let keys: Vec<String> = plugin_registry::trusted_keys(store.conn(), Some(&i.province_code))?
        .into_iter()
        .map(|k| k.public_key)
        .collect();
    match signing::verify(path, bytes, &keys) {
        Ok(_) => Ok(None),
        Err(e) => {
            // A revoked key is refused even in developer mode.
            let claimed = signing::claimed_key(path).or_else(|| i.signed_by.clone());
            if let Some(key) = &claimed
                && let Some(r) = revocation_of(store, key, Some(&i.province_code))?
            {
                bail!(revoked_message(&format!("插件 {}", label(i)), key, &r));
            }
            if plugin_registry::developer_mode(store.conn())? {
                return Ok(Some(format!("插件 {}：{e}", label(i))));
            }
            bail!(
                "插件 {} 未通过签名校验，拒绝加载：{e}（本县为省份 {} 信任 {} 个公钥；未签名或签名无效的插件只能在开发者模式下加载）",
                label(i),
                i.province_code,
                keys.len()
            )
        }
    }
}

/// Loads every installed plugin. Each is checked from its bytes on disk
/// (hash, then signature against the currently trusted keys of its
/// province, see [`verify_installed`]) before its code is compiled or taken
/// from the authenticated cache. The first plugin refused fails the load,
/// naming the plugin and why (and the key, when it was revoked).
pub fn load_installed(db: &Path, store: &Store, runtime: &Runtime) -> Result<Vec<Plugin>> {
    let trust = StoreCacheTrust::new(store);
    let mut out = Vec::new();
    for i in plugin_registry::installed(store.conn())? {
        let path = installed_path(db, &i)?;
        let bytes = read_plugin(&path).with_context(|| format!("已安装插件 {}", label(&i)))?;
        if let Some(w) = verify_installed(store, &i, &path, &bytes)? {
            tracing::warn!("开发者模式：{w}");
        }
        let plugin = runtime.load_bytes_cached(&path, &bytes, &trust)?;
        let m = plugin.manifest();
        if m.id != i.plugin_id || m.version != i.version || m.province_code != i.province_code {
            bail!(
                "已安装插件 {} 的清单（{}@{}，省份 {}）与安装记录不符，拒绝加载",
                label(&i),
                m.id,
                m.version,
                m.province_code
            );
        }
        out.push(plugin);
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
/// unsigned or tampered plugin is refused unless developer mode is on; one
/// signed by a revoked key is refused even then.
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
        Err(e) => {
            if let Some(key) = signing::claimed_key(path)
                && let Some(r) = revocation_of(store, &key, None)?
                && !all.contains(&key)
            {
                bail!(revoked_message(
                    &format!("插件文件 {}", path.display()),
                    &key,
                    &r
                ));
            }
            if plugin_registry::developer_mode(store.conn())? {
                return Ok(Signer {
                    key: None,
                    warning: Some(e.to_string()),
                });
            }
            Err(e).context(format!(
                "本县共信任 {} 个公钥；未签名或被篡改的插件只能在开发者模式下安装",
                all.len()
            ))
        }
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
    /// The version this one replaced, when it was a downgrade (allowed by
    /// [`InstallOptions::downgrade_reason`], and audited).
    pub downgraded_from: Option<String>,
}

/// Choices for an installation.
#[derive(Debug, Clone, Default)]
pub struct InstallOptions {
    /// Installing a lower version than the one installed is refused unless
    /// this gives the reason; the downgrade is then audited with it.
    pub downgrade_reason: Option<String>,
}

/// Installs a plugin file, refusing a downgrade. See [`install_from_file_with`].
pub fn install_from_file(
    db: &Path,
    store: &mut Store,
    session: &Session,
    plugin: &Path,
) -> Result<Installed> {
    install_from_file_with(db, store, session, plugin, &InstallOptions::default())
}

/// Installs a plugin file: verifies its signature before compiling it,
/// checks its manifest id and version and the key's province, refuses a
/// downgrade without an audited reason, keeps a copy named by its hash
/// (and its signature) next to the database and records the installation
/// with its SHA-256 and an audit entry. The compiled code goes into the
/// authenticated cache, so the next start does not compile it. Used by
/// `hutong plugin install` and the 插件 screen. Needs `InstallPlugin`.
pub fn install_from_file_with(
    db: &Path,
    store: &mut Store,
    session: &Session,
    plugin: &Path,
    options: &InstallOptions,
) -> Result<Installed> {
    session.require(store, Action::InstallPlugin)?;
    let actor = &session.actor();
    let bytes = read_plugin(plugin)?;
    let signer = verify_before_load(store, plugin, &bytes)?;
    let loaded =
        runtime_for(Some(db))?.load_bytes_cached(plugin, &bytes, &StoreCacheTrust::new(store))?;
    let m = loaded.manifest().clone();
    // The host checks these when it reads the manifest; nothing below may
    // rely on that alone.
    ids::validate_plugin_id(&m.id)
        .and_then(|()| ids::validate_version(&m.version))
        .map_err(|e| anyhow::anyhow!("插件 {}：{e}", plugin.display()))?;
    let signed_by = check_province(&signer, &m.province_code)?;
    let current = plugin_registry::installed(store.conn())?
        .into_iter()
        .find(|i| i.plugin_id == m.id);
    let downgrade = current
        .as_ref()
        .filter(|c| ids::compare_versions(&m.version, &c.version) == Some(Ordering::Less));
    let downgrade_reason = options
        .downgrade_reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if let Some(c) = downgrade
        && downgrade_reason.is_none()
    {
        bail!(
            "插件 {} 已安装版本 {}，{} 是较低的版本 {}：降级须明确确认并写明原因（命令行：hutong plugin install --allow-downgrade \"原因\"），且会记入审计日志",
            m.id,
            c.version,
            plugin.display(),
            m.version
        );
    }
    let sha = sha256_hex(&bytes);
    let dir = plugin_dir(db);
    std::fs::create_dir_all(&dir).with_context(|| format!("创建 {}", dir.display()))?;
    let file_name = format!("{sha}.wasm");
    let dest = dir.join(&file_name);
    files::write_atomic(&dest, &bytes)?;
    let sig = signing::signature_path(plugin);
    let dest_sig = signing::signature_path(&dest);
    if signed_by.is_some() || sig.exists() {
        let text = std::fs::read(&sig).with_context(|| format!("读取 {}", sig.display()))?;
        files::write_atomic(&dest_sig, &text)?;
    } else if dest_sig.exists() {
        // The same bytes installed before with a signature: this
        // installation is unsigned, so is its copy.
        std::fs::remove_file(&dest_sig).with_context(|| format!("删除 {}", dest_sig.display()))?;
    }
    let downgraded_from = downgrade.map(|c| c.version.clone());
    store.write(actor, |tx| {
        let rec = plugin_registry::record_install(
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
        )?;
        if let (Some(from), Some(reason)) = (&downgraded_from, downgrade_reason) {
            tx.audit(
                AuditEntryInput::new(
                    AuditAction::PluginDowngrade,
                    "installed_plugins",
                    Some(rec.id.to_string()),
                )
                .reason(reason)
                .detail(serde_json::json!({
                    "plugin": m.id,
                    "from": from,
                    "to": m.version,
                    "sha256": sha,
                })),
            )?;
        }
        Ok(rec)
    })?;
    Ok(Installed {
        manifest: m,
        signed_by,
        warning: signer.warning,
        downgraded_from,
    })
}

/// The installed plugins (not case data: any signed-in face may list them).
pub fn installed(store: &Store) -> Result<Vec<plugin_registry::InstalledPlugin>> {
    Ok(plugin_registry::installed(store.conn())?)
}

/// Whether developer mode (unsigned plugins load) is on.
pub fn developer_mode(store: &Store) -> Result<bool> {
    Ok(plugin_registry::developer_mode(store.conn())?)
}

/// The public keys the county trusts, for every province or one.
pub fn trusted_keys(
    store: &Store,
    province: Option<&str>,
) -> Result<Vec<plugin_registry::TrustedKey>> {
    Ok(plugin_registry::trusted_keys(store.conn(), province)?)
}

/// Trusts a province's plugin signing key. Needs `TrustKeys`.
pub fn trust_key(
    store: &mut Store,
    session: &Session,
    province: &str,
    public_key: &str,
    label: Option<&str>,
) -> Result<plugin_registry::TrustedKey> {
    session.require(store, Action::TrustKeys)?;
    signing::parse_public_key(public_key)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("公钥 {}", public_key.trim()))?;
    let written = store.write(&session.actor(), |tx| {
        plugin_registry::trust_key(tx, province, public_key, label)
    });
    Ok(session.checked(store, written)?)
}

/// Uninstalls a plugin (its record stays). Needs `InstallPlugin`.
pub fn remove(store: &mut Store, session: &Session, plugin_id: &str) -> Result<()> {
    session.require(store, Action::InstallPlugin)?;
    let written = store.write(&session.actor(), |tx| {
        plugin_registry::remove(tx, plugin_id)
    });
    Ok(session.checked(store, written)?)
}

/// Turns developer mode on or off. Needs `DeveloperMode`.
pub fn set_developer_mode(store: &mut Store, session: &Session, on: bool) -> Result<()> {
    session.require(store, Action::DeveloperMode)?;
    let written = store.write(&session.actor(), |tx| {
        plugin_registry::set_developer_mode(tx, on)
    });
    Ok(session.checked(store, written)?)
}

/// Revokes a trusted plugin signing key (for one province, or all it is
/// trusted for), audited with the reason; returns the installed plugins it
/// stops. Used by `hutong plugin revoke`. Needs `TrustKeys`.
pub fn revoke_key(
    store: &mut Store,
    session: &Session,
    public_key: &str,
    province: Option<&str>,
    reason: &str,
) -> Result<plugin_registry::Revocation> {
    session.require(store, Action::TrustKeys)?;
    signing::parse_public_key(public_key)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("公钥 {}", public_key.trim()))?;
    let written = store.write(&session.actor(), |tx| {
        plugin_registry::revoke_key(tx, public_key, province, reason)
    });
    Ok(session.checked(store, written)?)
}
