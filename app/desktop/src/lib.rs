//! The Hutong desktop workstation (egui). This crate is the only one that
//! knows egui. It holds no business rule: screens call core services
//! (hutong-core, hutong-plugin-host, hutong-report) and never touch SQL.
//!
//! The binary (`src/main.rs`) adds the command line over the same services.

pub mod fonts;
pub mod gui;
pub mod i18n;
pub mod platform;

/// The egui version the workstation is built with, for UI tests.
pub use eframe::egui;

/// The use cases the faces share (moved out of this crate in #16).
pub use hutong_services::{bundle, casework, demo, installed, paths, printing, session, xlsx};

/// The commit the program was built from (build.rs), "unknown" outside git.
pub const GIT_COMMIT: &str = env!("HUTONG_GIT_COMMIT");

/// The plugin contract the program speaks.
pub const CONTRACT_VERSION: &str = hutong_plugin_host::contract_version!();

/// `0.1.0 (commit 1a2b3c4d5e6f, 插件协议 1.0.0)`: the program's version, the
/// commit it was built from, and the plugin contract it speaks.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("HUTONG_GIT_COMMIT"),
    ", 插件协议 ",
    hutong_plugin_host::contract_version!(),
    ")"
);
