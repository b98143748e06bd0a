//! The province plugins the program carries, so a demo county shows its
//! province's forms, scales, colours and templates without any set-up.
//!
//! `build.rs` builds `plugins/` for wasm32-wasip2 and signs each plugin with
//! the demo key. That key is public (it is in this crate's sources), so only
//! a demo database trusts it: `hutong_core::plugin_registry` refuses to
//! trust it in a county database and ignores it when verifying. A county
//! installs the files its province signed.

/// One embedded plugin with its detached signature.
#[derive(Debug, Clone, Copy)]
pub struct BundledPlugin {
    /// The file name it is installed from (`hutong_plugin_henan.wasm`).
    pub file_name: &'static str,
    /// The two-digit province code its manifest declares.
    pub province_code: &'static str,
    /// The province's name, for the 插件 screen.
    pub province: &'static str,
    pub wasm: &'static [u8],
    /// The `.wasm.sig` text, signed with the demo key.
    pub signature: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/bundled.rs"));

/// The embedded plugin for a province, if the program carries one.
pub fn for_province(province_code: &str) -> Option<&'static BundledPlugin> {
    ALL.iter().find(|p| p.province_code == province_code)
}
