//! Installed province plugins: where their files live, the shared plugin
//! runtime, and loading them with a hash check. Used by the CLI and the UI.

use anyhow::{Context, Result, bail};
use hutong_core::{Store, plugin_registry};
use hutong_plugin_host::{Plugin, Runtime, RuntimeConfig};
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
