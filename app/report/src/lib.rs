//! hutong-report: document tree → paginated PDF.
//!
//! It measures text with real font metrics, breaks lines by Unicode and
//! Chinese rules, paginates (repeating table headers), and writes PDF with
//! subset fonts. Depends on hutong-core alone among our crates; knows
//! nothing of egui or wasmtime.
//!
//! Status: the engine arrives with the report-engine issue.

/// Errors from laying out or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("报表生成失败：{0}")]
    Layout(String),
}
