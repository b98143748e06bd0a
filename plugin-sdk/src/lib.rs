//! hutong-plugin-sdk: the crate a provincial IT team writes plugins against.
//!
//! It depends only on `schemas/wit` (through wit-bindgen, with the plugin
//! contract issue) and on hutong-national, so a national rule such as the ID
//! check digit or "the day a child turns 16" is written once and runs on
//! both sides of the sandbox. It never depends on the other `app/*` crates.

pub use hutong_national as national;
