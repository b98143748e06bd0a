//! hutong-plugin-host: the only crate that will know wasmtime.
//!
//! It loads province plugins (WebAssembly components built against
//! `schemas/wit`), verifies their signatures, runs every call under fuel,
//! memory and output limits, and converts WIT types into hutong-core types so
//! no other crate sees wasmtime. Depends on hutong-core alone among our
//! crates and knows nothing of egui.
//!
//! Status: the contract and the runtime arrive with the plugin-contract
//! issue. Until then this crate only names the error type callers will see.

/// Errors a plugin call can end with. Each names the plugin and export.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("插件 {plugin}@{version} 的 {export} 调用失败：{message}")]
    Call {
        plugin: String,
        version: String,
        export: String,
        message: String,
    },
}
