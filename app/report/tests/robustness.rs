//! Malformed or extreme documents (plugins produce them) must give a PDF
//! or a typed error, never a panic — and the same for the raster preview.

use hutong_core::document::*;
use hutong_report::{FontSet, Preview, Rendered, ReportError, render_detailed};

fn fonts() -> FontSet {
    FontSet::bundled()
}

fn doc(body: Vec<Block>) -> Document {
    Document {
        title: "测试".into(),
        page: PageSetup::default(),
        body,
    }
}

/// Renders `d` to PDF and through the preview, which must agree on the
/// pages and missing characters, and rasterises every preview page.
fn render_both(d: &Document) -> Rendered {
    let r = render_detailed(d, &fonts()).unwrap();
    let p = Preview::new(d, &fonts()).unwrap();
    assert_eq!(p.page_count(), r.page_count);
    assert_eq!(p.missing_chars(), &r.missing_chars[..]);
    for page in 0..p.page_count() {
        let img = p.rasterize(page, 0.5).unwrap();
        assert_eq!(img.rgba.len(), (img.width * img.height * 4) as usize);
    }
    r
}

fn text_cell(t: &str) -> TableCell {
    TableCell::text(t, TextStyle::default(), Align::Left)
}

#[test]
fn empty_document_is_one_page() {
    let r = render_both(&doc(vec![]));
    assert_eq!(r.page_count, 1);
    assert!(r.pdf.starts_with(b"%PDF-"));
}

#[test]
fn absurd_sizes_are_clamped_not_fatal() {
    let mut body = Vec::new();
    for size in [f32::NAN, f32::INFINITY, -5.0, 0.0, 1e9] {
        body.push(Block::Paragraph(Paragraph {
            first_line_indent_chars: f32::NAN,
            space_before_pt: f32::INFINITY,
            ..Paragraph::text(
                "儿童福利",
                TextStyle {
                    size_pt: size,
                    ..TextStyle::default()
                },
            )
        }));
    }
    body.push(Block::Spacer { height_pt: 1e12 });
    body.push(Block::Rule {
        thickness_pt: f32::NAN,
    });
    body.push(Block::Image {
        reference: "x".into(),
        width_mm: -1.0,
        height_mm: f32::NAN,
        caption: None,
    });
    let r = render_both(&doc(body));
    assert!(r.page_count >= 1);
}

#[test]
fn margins_leaving_no_text_block_are_an_error() {
    let mut d = doc(vec![]);
    d.page.margins.left_mm = 150.0;
    d.page.margins.right_mm = 150.0;
    assert!(matches!(
        render_detailed(&d, &fonts()),
        Err(ReportError::InvalidDocument(_))
    ));
    assert!(matches!(
        Preview::new(&d, &fonts()),
        Err(ReportError::InvalidDocument(_))
    ));
    d.page.margins.left_mm = f32::NAN;
    assert!(render_detailed(&d, &fonts()).is_err());
    assert!(Preview::new(&d, &fonts()).is_err());
}

#[test]
fn degenerate_tables_render() {
    let body = vec![
        Block::Table(Table {
            column_fractions: vec![],
            header_rows: 9,
            rows: vec![],
        }),
        Block::Table(Table {
            column_fractions: vec![f32::NAN, -1.0, 0.0],
            header_rows: 200,
            rows: vec![
                TableRow { cells: vec![] },
                TableRow {
                    cells: vec![TableCell {
                        col_span: 60_000,
                        ..text_cell("跨越全部列")
                    }],
                },
                TableRow {
                    cells: (0..10).map(|i| text_cell(&i.to_string())).collect(),
                },
            ],
        }),
        Block::KeyValue(KeyValueGrid {
            pairs_per_row: 0,
            label_fraction: 7.0,
            items: vec![KeyValueItem {
                label: "姓名".into(),
                value: "王堃".into(),
                span: 99,
            }],
            style: TextStyle::default(),
        }),
    ];
    render_both(&doc(body));
}

#[test]
fn deeply_nested_tables_are_refused() {
    let mut block = Block::Paragraph(Paragraph::text("底", TextStyle::default()));
    for _ in 0..20 {
        block = Block::Table(Table {
            column_fractions: vec![1.0],
            header_rows: 0,
            rows: vec![TableRow {
                cells: vec![TableCell {
                    blocks: vec![block],
                    col_span: 1,
                    align: Align::Left,
                }],
            }],
        });
    }
    assert!(matches!(
        render_detailed(&doc(vec![block]), &fonts()),
        Err(ReportError::InvalidDocument(_))
    ));
}

#[test]
fn a_row_taller_than_a_page_still_renders() {
    let long = "很长的走访记录。".repeat(800);
    let body = vec![Block::Table(Table {
        column_fractions: vec![1.0, 4.0],
        header_rows: 1,
        rows: vec![
            TableRow {
                cells: vec![text_cell("日期"), text_cell("记录")],
            },
            TableRow {
                cells: vec![text_cell("2025-03-18"), text_cell(&long)],
            },
        ],
    })];
    let r = render_both(&doc(body));
    assert!(r.page_count >= 1);
}

#[test]
fn unbreakable_latin_wraps_and_unknown_characters_are_reported() {
    let body = vec![Block::Paragraph(Paragraph::text(
        format!("{}\u{E000}", "A".repeat(2000)),
        TextStyle::default(),
    ))];
    let r = render_both(&doc(body));
    assert_eq!(r.missing_chars, vec!['\u{E000}']);
}

#[test]
fn landscape_and_page_breaks() {
    let mut d = doc(vec![
        Block::PageBreak,
        Block::Paragraph(Paragraph::text("第一页", TextStyle::default())),
        Block::PageBreak,
        Block::PageBreak,
        Block::Paragraph(Paragraph::text("第二页", TextStyle::default())),
    ]);
    d.page.orientation = Orientation::Landscape;
    let r = render_both(&d);
    // A break at the start and a repeated break make no blank pages.
    assert_eq!(r.page_count, 2);
}
