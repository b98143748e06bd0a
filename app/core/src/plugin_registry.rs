//! The county's record of province plugins: which signing keys it trusts
//! (per province) or has revoked, which plugins are installed, which
//! compiled-code cache entries Hutong wrote, and developer mode.
//!
//! Cryptography lives in the plugin host; this module only stores what the
//! county decided, with audit entries.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::WriteTx;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// The public half of the demo plugin key (base64). The plugins the
/// program carries (`hutong-bundled-plugins`) are signed with it, and its
/// private half is in the sources, so only a demo database (`meta.demo`)
/// may trust it: [`trust_key`] refuses it elsewhere and [`trusted_keys`]
/// leaves it out, even if a county file somehow lists it.
pub const DEMO_PLUGIN_KEY: &str = "2V0ouNH8Ih+9jMLtomtgkMKZx0KKtFftuGm6JjAgYt8=";

fn is_demo_database(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = 'demo'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .is_some_and(|v| v == "1"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedKey {
    pub id: RowId,
    pub province_code: String,
    pub public_key: String,
    pub label: Option<String>,
    pub added_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstalledPlugin {
    pub id: RowId,
    pub plugin_id: String,
    pub version: String,
    pub province_code: String,
    pub name: String,
    pub file_name: String,
    pub sha256: String,
    /// The trusted key that signed it; `None` when installed unsigned in developer mode.
    pub signed_by: Option<String>,
    pub installed_at: String,
}

pub fn trust_key(
    tx: &mut WriteTx<'_>,
    province_code: &str,
    public_key: &str,
    label: Option<&str>,
) -> Result<TrustedKey> {
    if province_code.len() != 2 || !province_code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CoreError::field(
            "省级代码",
            format!("“{province_code}”应为两位数字"),
        ));
    }
    if public_key.trim() == DEMO_PLUGIN_KEY && !is_demo_database(tx.conn())? {
        return Err(CoreError::field(
            "公钥",
            "这是护童随程序附带的示例插件公钥，只有示例数据库可以信任；县级数据库请信任本省民政厅提供的公钥",
        ));
    }
    let existing: Option<RowId> = tx
        .conn()
        .query_row(
            "SELECT id FROM trusted_keys WHERE province_code=?1 AND public_key=?2 AND status='active'",
            params![province_code, public_key],
            |r| r.get(0),
        )
        .optional()?;
    if existing.is_some() {
        return Err(CoreError::field("公钥", "该省已信任此公钥"));
    }
    let revoked: Option<Option<String>> = tx
        .conn()
        .query_row(
            "SELECT revoked_at FROM trusted_keys WHERE public_key=?1 AND status='revoked' LIMIT 1",
            [public_key.trim()],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(at) = revoked {
        return Err(CoreError::field(
            "公钥",
            format!(
                "公钥 {} 已于 {} 吊销，吊销的公钥不能再次信任；请让省级部门换用新密钥",
                public_key.trim(),
                at.as_deref().unwrap_or("（时间不详）")
            ),
        ));
    }
    let key = TrustedKey {
        id: RowId::new(),
        province_code: province_code.into(),
        public_key: public_key.trim().into(),
        label: label.map(str::to_string),
        added_at: tx.now().to_string(),
    };
    tx.conn().execute(
        "INSERT INTO trusted_keys (id, province_code, public_key, label, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![key.id, key.province_code, key.public_key, key.label, key.added_at],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::PluginTrustKey,
            "trusted_keys",
            Some(key.id.to_string()),
        )
        .detail(serde_json::json!({ "province": province_code, "public_key": key.public_key })),
    )?;
    Ok(key)
}

/// Active keys trusted for a province. The demo key counts only in a demo
/// database.
pub fn trusted_keys(conn: &Connection, province_code: Option<&str>) -> Result<Vec<TrustedKey>> {
    let demo = is_demo_database(conn)?;
    let mut stmt = conn.prepare(
        "SELECT id, province_code, public_key, label, added_at FROM trusted_keys
         WHERE status='active' AND (?1 IS NULL OR province_code = ?1) ORDER BY added_at",
    )?;
    let rows = stmt.query_map([province_code], |r| {
        Ok(TrustedKey {
            id: r.get(0)?,
            province_code: r.get(1)?,
            public_key: r.get(2)?,
            label: r.get(3)?,
            added_at: r.get(4)?,
        })
    })?;
    let keys: Vec<TrustedKey> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(keys
        .into_iter()
        .filter(|k| demo || k.public_key != DEMO_PLUGIN_KEY)
        .collect())
}

/// A key the county revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevokedKey {
    pub province_code: String,
    pub public_key: String,
    pub label: Option<String>,
    pub revoked_at: Option<String>,
}

/// Keys the county has revoked (for messages naming why a plugin stopped
/// loading).
pub fn revoked_keys(conn: &Connection) -> Result<Vec<RevokedKey>> {
    let mut stmt = conn.prepare(
        "SELECT province_code, public_key, label, revoked_at FROM trusted_keys
         WHERE status='revoked' ORDER BY revoked_at",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(RevokedKey {
            province_code: r.get(0)?,
            public_key: r.get(1)?,
            label: r.get(2)?,
            revoked_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What a revocation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revocation {
    /// The provinces the key was trusted for, now revoked.
    pub provinces: Vec<String>,
    /// Installed plugins (`id@version`) signed by the key: they no longer load.
    pub plugins: Vec<String>,
}

/// Revokes a trusted key, for one province or (`None`) for every province
/// it is trusted for. The rows stay, marked `revoked` with the time, and
/// the revocation is audited with the plugins it stops. Plugins are
/// re-verified at every load, so those signed by the key stop loading.
pub fn revoke_key(
    tx: &mut WriteTx<'_>,
    public_key: &str,
    province_code: Option<&str>,
    reason: &str,
) -> Result<Revocation> {
    let public_key = public_key.trim();
    if reason.trim().is_empty() {
        return Err(CoreError::field("吊销原因", "请写明吊销原因"));
    }
    let rows: Vec<(RowId, String)> = {
        let mut stmt = tx.conn().prepare(
            "SELECT id, province_code FROM trusted_keys
             WHERE public_key=?1 AND status='active' AND (?2 IS NULL OR province_code=?2)
             ORDER BY province_code",
        )?;
        stmt.query_map(params![public_key, province_code], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    if rows.is_empty() {
        return Err(CoreError::NotFound {
            what: "受信任的公钥",
            key: match province_code {
                Some(p) => format!("{public_key}（省份 {p}）"),
                None => public_key.to_string(),
            },
        });
    }
    let now = tx.now().to_string();
    for (id, _) in &rows {
        tx.conn().execute(
            "UPDATE trusted_keys SET status='revoked', revoked_at=?2 WHERE id=?1",
            params![id, now],
        )?;
    }
    let provinces: Vec<String> = rows.into_iter().map(|(_, p)| p).collect();
    let plugins: Vec<String> = {
        let mut stmt = tx.conn().prepare(
            "SELECT plugin_id || '@' || version FROM installed_plugins
             WHERE status='active' AND signed_by=?1 ORDER BY plugin_id",
        )?;
        stmt.query_map([public_key], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    tx.audit(
        AuditEntryInput::new(
            AuditAction::PluginRevokeKey,
            "trusted_keys",
            Some(public_key.to_string()),
        )
        .reason(reason)
        .detail(serde_json::json!({
            "public_key": public_key,
            "provinces": provinces,
            "plugins_stopped": plugins,
        })),
    )?;
    Ok(Revocation { provinces, plugins })
}

/// Whether Hutong recorded `entry_sha256` as a compiled-code cache entry
/// of the wasm `wasm_sha256`.
pub fn cache_entry_trusted(
    conn: &Connection,
    wasm_sha256: &str,
    entry_sha256: &str,
) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM plugin_cache WHERE wasm_sha256=?1 AND entry_sha256=?2",
            [wasm_sha256, entry_sha256],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Records a compiled-code cache entry Hutong has just written (audited).
/// Recording the same entry again changes nothing.
pub fn record_cache_entry(
    tx: &mut WriteTx<'_>,
    wasm_sha256: &str,
    entry_sha256: &str,
) -> Result<()> {
    let hex64 = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex64(wasm_sha256) || !hex64(entry_sha256) {
        return Err(CoreError::field("插件缓存", "哈希应为 64 位十六进制"));
    }
    let now = tx.now().to_string();
    tx.conn().execute(
        "INSERT INTO plugin_cache (wasm_sha256, entry_sha256, recorded_at) VALUES (?1, ?2, ?3)
         ON CONFLICT DO NOTHING",
        params![wasm_sha256, entry_sha256, now],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::PluginCacheEntry,
            "plugin_cache",
            Some(wasm_sha256.to_string()),
        )
        .detail(serde_json::json!({ "wasm_sha256": wasm_sha256, "entry_sha256": entry_sha256 })),
    )
}

pub fn developer_mode(conn: &Connection) -> Result<bool> {
    let v: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key='developer_mode'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(v.as_deref() == Some("on"))
}

pub fn set_developer_mode(tx: &mut WriteTx<'_>, on: bool) -> Result<()> {
    tx.conn().execute(
        "INSERT INTO meta (key, value) VALUES ('developer_mode', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [if on { "on" } else { "off" }],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::PluginDeveloperMode,
            "meta",
            Some("developer_mode".into()),
        )
        .detail(serde_json::json!({ "on": on })),
    )
}

pub struct NewInstall<'a> {
    pub plugin_id: &'a str,
    pub version: &'a str,
    pub province_code: &'a str,
    pub name: &'a str,
    pub file_name: &'a str,
    pub sha256: &'a str,
    pub signed_by: Option<&'a str>,
}

/// Records an installation. An earlier active version of the same plugin is
/// marked removed in the same transaction (one active version per plugin).
pub fn record_install(tx: &mut WriteTx<'_>, new: &NewInstall<'_>) -> Result<InstalledPlugin> {
    tx.conn().execute(
        "UPDATE installed_plugins SET status='removed' WHERE plugin_id=?1 AND status='active'",
        [new.plugin_id],
    )?;
    let rec = InstalledPlugin {
        id: RowId::new(),
        plugin_id: new.plugin_id.into(),
        version: new.version.into(),
        province_code: new.province_code.into(),
        name: new.name.into(),
        file_name: new.file_name.into(),
        sha256: new.sha256.into(),
        signed_by: new.signed_by.map(str::to_string),
        installed_at: tx.now().to_string(),
    };
    tx.conn().execute(
        "INSERT INTO installed_plugins (id, plugin_id, version, province_code, name, file_name, sha256, signed_by, installed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![rec.id, rec.plugin_id, rec.version, rec.province_code, rec.name, rec.file_name, rec.sha256, rec.signed_by, rec.installed_at],
    )?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::PluginInstall,
            "installed_plugins",
            Some(rec.id.to_string()),
        )
        .detail(serde_json::json!({
            "plugin": format!("{}@{}", rec.plugin_id, rec.version),
            "sha256": rec.sha256,
            "signed_by": rec.signed_by,
        })),
    )?;
    Ok(rec)
}

pub fn installed(conn: &Connection) -> Result<Vec<InstalledPlugin>> {
    let mut stmt = conn.prepare(
        "SELECT id, plugin_id, version, province_code, name, file_name, sha256, signed_by, installed_at
         FROM installed_plugins WHERE status='active' ORDER BY province_code, plugin_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(InstalledPlugin {
            id: r.get(0)?,
            plugin_id: r.get(1)?,
            version: r.get(2)?,
            province_code: r.get(3)?,
            name: r.get(4)?,
            file_name: r.get(5)?,
            sha256: r.get(6)?,
            signed_by: r.get(7)?,
            installed_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Uninstalls a plugin (the record stays, marked removed).
pub fn remove(tx: &mut WriteTx<'_>, plugin_id: &str) -> Result<()> {
    let n = tx.conn().execute(
        "UPDATE installed_plugins SET status='removed' WHERE plugin_id=?1 AND status='active'",
        [plugin_id],
    )?;
    if n == 0 {
        return Err(CoreError::NotFound {
            what: "已安装插件",
            key: plugin_id.to_string(),
        });
    }
    tx.audit(AuditEntryInput::new(
        AuditAction::PluginRemove,
        "installed_plugins",
        Some(plugin_id.to_string()),
    ))
}
