//! hutong-report: document tree → paginated, print-grade PDF.
//!
//! **Owns:** everything between a [`hutong_core::document::Document`] and
//! PDF bytes — font selection with per-glyph fallback (rare name characters
//! such as 堃 䶮 𡒄, and Tibetan), shaping, UAX #14 line breaking with the
//! Chinese punctuation rules, alignment and justification, pagination
//! (tables repeat their header rows and never split a row), headers,
//! footers and page numbers, the GB/T 9704 公文 preset, and a PDF whose text
//! extracts exactly (/ActualText) with subset fonts.
//!
//! **Must never:** depend on egui, wasmtime or any other Hutong crate than
//! hutong-core; read or write files (fonts are compiled in; the official
//! fonts of the machine are only read, never copied anywhere but into the
//! subset inside a PDF); embed the time or randomness in output (the same
//! input gives the same bytes); panic on malformed input (plugins produce
//! documents, so every size and count is checked or clamped).
//!
//! Layout is independent of the PDF engine: `layout` produces pages of
//! `draw::DrawItem`s, and only `pdf_writer` knows printpdf. A second
//! backend, `raster` ([`Preview`]), paints the same pages to RGBA pixels
//! with tiny-skia for the app's in-window print preview (no PDF viewer or
//! poppler needed); only it knows tiny-skia.
//!
//! ```no_run
//! use hutong_core::document::{Block, Document, Paragraph, TextStyle};
//! let fonts = hutong_report::FontSet::bundled(); // once per process
//! let mut doc = Document::new("走访记录");
//! doc.body.push(Block::Paragraph(Paragraph::text("王堃，男，9 岁。", TextStyle::default())));
//! let pdf: Vec<u8> = hutong_report::render(&doc, &fonts)?;
//! # Ok::<(), hutong_report::ReportError>(())
//! ```
//!
//! The preview lays out once and rasterises pages on demand:
//!
//! ```no_run
//! # let fonts = hutong_report::FontSet::bundled();
//! # let doc = hutong_core::document::Document::new("走访记录");
//! let preview = hutong_report::Preview::new(&doc, &fonts)?;
//! let page = preview.rasterize(0, 1.5)?; // 1.5 px per pt = 108 dpi
//! assert_eq!(page.rgba.len(), (page.width * page.height * 4) as usize);
//! # Ok::<(), hutong_report::ReportError>(())
//! ```

mod draw;
mod error;
mod fonts;
mod gbt9704;
mod layout;
mod linebreak;
mod pdf_writer;
mod raster;
mod shaping;

use hutong_core::document::Document;

pub use error::ReportError;
pub use fonts::FontSet;
pub use raster::{MAX_RASTER_SIDE, Preview, RasterPage};

/// Documents larger than this (in blocks, counting nested ones) are
/// refused: a hostile plugin must not be able to exhaust memory here.
pub const MAX_BLOCKS: usize = 2_000_000;
/// Deepest nesting of tables in table cells accepted.
pub const MAX_NESTING: usize = 8;
/// Longest text accepted in one run or label.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// A rendered report with what the caller should know about it.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub page_count: usize,
    /// Characters no available font has; they print as empty boxes. The
    /// app should warn, since they are usually in a child's name.
    pub missing_chars: Vec<char>,
}

/// Renders `doc` to PDF bytes. Deterministic: the same document and fonts
/// give the same bytes.
pub fn render(doc: &Document, fonts: &FontSet) -> Result<Vec<u8>, ReportError> {
    render_detailed(doc, fonts).map(|r| r.pdf)
}

/// Like [`render`], also reporting the page count and unprintable characters.
pub fn render_detailed(doc: &Document, fonts: &FontSet) -> Result<Rendered, ReportError> {
    validate(doc)?;
    let (pages, missing) = layout::layout_document(doc, fonts)?;
    let pdf = pdf_writer::write_pdf(&doc.title, &pages, fonts)?;
    Ok(Rendered {
        pdf,
        page_count: pages.len(),
        missing_chars: missing.into_iter().collect(),
    })
}

fn validate(doc: &Document) -> Result<(), ReportError> {
    use hutong_core::document::Block;
    fn too_long(s: &str) -> bool {
        s.len() > MAX_TEXT_BYTES
    }
    fn check(blocks: &[Block], depth: usize) -> Result<(), ReportError> {
        if depth > MAX_NESTING {
            return Err(ReportError::InvalidDocument(format!(
                "表格嵌套超过 {MAX_NESTING} 层"
            )));
        }
        let bad = |what: &str| {
            Err(ReportError::InvalidDocument(format!(
                "{what}超过 {MAX_TEXT_BYTES} 字节"
            )))
        };
        for b in blocks {
            match b {
                Block::Heading { runs, .. } => {
                    if runs.iter().any(|r| too_long(&r.text)) {
                        return bad("标题文字");
                    }
                }
                Block::Paragraph(p) => {
                    if p.runs.iter().any(|r| too_long(&r.text)) {
                        return bad("段落文字");
                    }
                }
                Block::KeyValue(g) => {
                    if g.items
                        .iter()
                        .any(|i| too_long(&i.label) || too_long(&i.value))
                    {
                        return bad("表单文字");
                    }
                }
                Block::Table(t) => {
                    for row in &t.rows {
                        for cell in &row.cells {
                            check(&cell.blocks, depth + 1)?;
                        }
                    }
                }
                Block::Checkboxes(c) => {
                    if c.options.iter().any(|o| too_long(&o.label)) {
                        return bad("选项文字");
                    }
                }
                Block::SignatureLine { items, .. } => {
                    if items.iter().any(|i| too_long(&i.label)) {
                        return bad("签名栏文字");
                    }
                }
                Block::SealPlaceholder { label } => {
                    if too_long(label) {
                        return bad("印章说明");
                    }
                }
                Block::Image { reference, .. } => {
                    if too_long(reference) {
                        return bad("图片引用");
                    }
                }
                Block::Rule { .. } | Block::Spacer { .. } | Block::PageBreak => {}
            }
        }
        Ok(())
    }
    // Depth first: counting blocks recurses, so it must not meet a
    // pathologically deep tree.
    check(&doc.body, 0)?;
    let blocks = doc.block_count();
    if blocks > MAX_BLOCKS {
        return Err(ReportError::InvalidDocument(format!(
            "块数 {blocks} 超过上限 {MAX_BLOCKS}"
        )));
    }
    Ok(())
}
