//! hutong-core: the part of Hutong that is the same in every county.
//!
//! It owns the domain types, the SQLite store (schema, migrations, every
//! write), the hash-chained audit log, import/export and the demo county.
//! It re-exports [`hutong_national`] so callers see one set of national rules.
//!
//! It must never depend on egui, wasmtime or printpdf: the desktop, the plugin
//! host and the report engine depend on this crate, not the other way round.
//! Every write goes through [`store::Store::write`], which commits the change
//! and its audit entry in one SQLite transaction.

pub mod access;
pub mod allowances;
pub mod anchors;
pub mod assessments;
pub mod audit;
pub mod backup;
pub mod campaigns;
pub mod categories;
pub mod children;
pub mod compare;
pub mod counselling;
pub mod demo;
pub mod divisions;
pub mod document;
pub mod eligibility;
pub mod error;
pub mod exchange;
pub mod files;
pub mod forms;
pub mod ids;
pub mod mandatory_reports;
pub mod names;
pub mod persons;
pub mod plugin_registry;
pub mod province;
pub(crate) mod record_util;
pub mod restore;
pub mod schedule;
pub mod sealed;
pub mod services;
pub mod setup;
pub mod snapshot;
pub mod stats;
pub mod store;
pub mod table;
pub mod users;
pub mod visits;
pub mod wishes;
pub mod workforce;

pub use access::Scope;
pub use error::{CoreError, Result};
pub use hutong_national as national;
pub use ids::RowId;
pub use store::{Actor, Database, KeyRing, Store, WriteTx};
