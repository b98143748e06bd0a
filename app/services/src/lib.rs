//! hutong-services: Hutong's use cases, written once and reached from both
//! faces, the egui workstation (`app/desktop/src/gui`) and the command line
//! (`app/desktop/src/cli`).
//!
//! Every use case that touches case data takes an authenticated
//! [`Session`] and checks the permission table ([`permissions`]) here; the
//! division scope is enforced below, in core. This crate knows no egui and
//! no clap.

pub mod accounts;
pub mod audit_check;
pub mod backup;
pub mod bundle;
pub mod campaigns;
pub mod casework;
pub mod child_casework;
pub mod children;
pub mod dashboard;
pub mod demo;
pub mod divisions;
pub mod error;
pub mod exchange;
pub mod installed;
pub mod paths;
pub mod permissions;
pub mod printing;
pub mod records;
pub mod restore;
pub mod session;
pub mod statistics;
pub mod visits;
pub mod xlsx;

pub use error::{Context, Result, ServiceError};
pub use permissions::Action;
pub use session::{Opened, Session, SystemJob, login, open_and_login};

/// The core, plugin host and report engine, for the faces' domain types.
pub use hutong_core as core;
pub use hutong_plugin_host as plugin_host;
pub use hutong_report as report;
