//! Errors from laying out or writing a report. Messages are Chinese because
//! they reach county staff through the desktop app unchanged.

/// Errors from laying out or writing a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A layout rule could not be satisfied (e.g. a table with no columns).
    #[error("报表排版失败：{0}")]
    Layout(String),

    /// A font could not be read or parsed. `name` is the face's name.
    #[error("字体“{name}”无法加载：{reason}")]
    Font { name: String, reason: String },

    /// No usable font at all for a role (every face in its chain failed).
    #[error("没有可用的字体来排版“{0}”")]
    NoFont(String),

    /// The document is outside what the engine accepts (sizes, counts).
    #[error("报表内容无效：{0}")]
    InvalidDocument(String),

    /// The PDF writer reported an error.
    #[error("PDF 生成失败：{0}")]
    Pdf(String),

    /// The preview could not be rasterised (no such page, unusable scale,
    /// raster too large).
    #[error("预览生成失败：{0}")]
    Preview(String),
}
