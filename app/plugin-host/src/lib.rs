//! hutong-plugin-host: runs province plugins safely and fast.
//!
//! A province plugin is a WebAssembly component built against the contract
//! in `schemas/wit/v1` (`hutong:province@1.0.0`). This crate:
//! - loads it (with an on-disk cache of compiled code keyed by the wasm hash
//!   and wasmtime's compatibility hash, whose entries are loaded only when
//!   the caller's [`CacheTrust`] recorded their hash), refusing incompatible
//!   contracts and manifests whose id or version could name a path;
//! - runs every call in a sandbox: WASI that grants nothing, a fuel budget,
//!   an epoch deadline, a memory cap, and caps on output size;
//! - turns a trap, panic, timeout, memory flood or malformed output into a
//!   typed [`PluginError`] naming the plugin, its version and the export,
//!   then replaces the poisoned instance with a fresh one;
//! - converts WIT types into `hutong_core::province` and
//!   `hutong_core::document` types, so no other crate sees wasmtime;
//! - signs and verifies plugins with Ed25519 ([`signing`]).
//!
//! It depends on hutong-core alone among our crates and knows nothing of
//! egui. Calls are synchronous; callers run them off the UI thread.

pub mod answers;
mod bindings;
mod cache;
mod convert;
mod error;
#[cfg(fuzzing)]
pub mod fuzzing;
pub mod ids;
mod limits;
mod plugin;
mod runtime;
mod sandbox;
pub mod signing;

pub use answers::{MissingItem, missing_required_items};
pub use cache::{CacheOutcome, CacheTrust, MemoryTrust, sha256_hex};
pub use error::{CallFailure, PluginError};
pub use limits::Limits;
pub use plugin::{LoadInfo, Plugin};
pub use runtime::{Runtime, RuntimeConfig};

/// The contract version this host implements.
pub const CONTRACT_VERSION: &str = contract_version!();

/// The contract version as a literal, for `concat!` in version strings.
#[macro_export]
macro_rules! contract_version {
    () => {
        "1.0.0"
    };
}
/// The contract's WIT package name.
pub const CONTRACT_PACKAGE: &str = "hutong:province";
