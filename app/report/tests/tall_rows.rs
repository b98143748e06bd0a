//! A table row taller than a page (a long 走访 finding) is split across
//! pages with the header repeated (issue #18): every character survives,
//! nothing is drawn below the bottom margin, and nothing is printed twice.
//! Checked on the real PDF with pdftotext.

mod common;

use common::poppler;
use hutong_core::document::*;
use hutong_report::{FontSet, Preview, render_detailed};

const A4_HEIGHT: f32 = 841.89;
const MM: f32 = 72.0 / 25.4;

fn cell(t: &str) -> TableCell {
    TableCell::text(t, TextStyle::default(), Align::Left)
}

/// Numbered sentences, so a lost or repeated line is visible.
fn finding(sentences: usize) -> Vec<String> {
    (1..=sentences)
        .map(|i| format!("第{i:04}句：入户走访，儿童在家，祖母陪同，记录编号{i:04}。"))
        .collect()
}

fn table_doc(rows: Vec<TableRow>) -> Document {
    Document {
        title: "走访记录".into(),
        page: PageSetup::default(),
        body: vec![
            Block::Paragraph(Paragraph::text("走访记录表", TextStyle::default())),
            Block::Table(Table {
                column_fractions: vec![1.0, 4.0],
                header_rows: 1,
                rows,
            }),
            Block::Paragraph(Paragraph::text("表后文字：完", TextStyle::default())),
        ],
    }
}

struct Printed {
    _dir: tempfile::TempDir,
    pdf: std::path::PathBuf,
    pages: usize,
}

fn print(doc: &Document) -> Printed {
    let fonts = FontSet::bundled();
    let r = render_detailed(doc, &fonts).unwrap();
    // The preview lays out the same pages.
    let p = Preview::new(doc, &fonts).unwrap();
    assert_eq!(p.page_count(), r.page_count);
    let dir = tempfile::tempdir().unwrap();
    let pdf = poppler::write_pdf(dir.path(), "tall.pdf", &r.pdf);
    // As in render_pdf.rs: keep the file for a look when asked.
    if let Ok(keep) = std::env::var("HUTONG_REPORT_OUT") {
        std::fs::create_dir_all(&keep).unwrap();
        let name = format!("tall-{}.pdf", r.page_count);
        std::fs::write(std::path::Path::new(&keep).join(name), &r.pdf).unwrap();
    }
    Printed {
        _dir: dir,
        pdf,
        pages: r.page_count,
    }
}

/// The text of one column across all pages: the words whose left edge
/// lies in `x_from..x_to`, in reading order, whitespace removed.
fn column_text(out: &Printed, x_from: f32, x_to: f32) -> String {
    let mut text = String::new();
    for page in 1..=out.pages {
        for (w, x_min, y_min, ..) in poppler::words(&out.pdf, page) {
            // The repeated header cells are not part of the column's text,
            // nor is the page number in the bottom margin (text drawn
            // there by mistake is caught by the margin check instead).
            if (x_from..x_to).contains(&x_min)
                && y_min < bottom_limit()
                && w != "摘要"
                && w != "日期"
            {
                text.push_str(&w);
            }
        }
    }
    poppler::squeezed(&text)
}

/// `printed` holds all of `text`, in order, without a gap.
fn assert_whole(printed: &str, text: &str) {
    let want = poppler::squeezed(text);
    if printed.contains(&want) {
        return;
    }
    let start = want.chars().take(10).collect::<String>();
    let from = printed.find(&start).unwrap_or(0);
    let got = &printed[from..];
    let at = got
        .chars()
        .zip(want.chars())
        .position(|(a, b)| a != b)
        .unwrap_or(0);
    let show = |t: &str| {
        t.chars()
            .skip(at.saturating_sub(30))
            .take(80)
            .collect::<String>()
    };
    panic!(
        "not whole and in order; from character {at}:\nprinted: {}\nwanted:  {}",
        show(got),
        show(&want)
    );
}

const LEFT: f32 = 25.0 * MM;
const TEXT_WIDTH: f32 = 595.28 - 50.0 * MM;

fn bottom_limit() -> f32 {
    A4_HEIGHT - PageSetup::default().margins.bottom_mm * MM + 1.0
}

#[test]
fn a_row_taller_than_a_page_is_split_and_every_character_survives() {
    let sentences = finding(300);
    let long = sentences.concat();
    let doc = table_doc(vec![
        TableRow {
            cells: vec![cell("日期"), cell("摘要")],
        },
        TableRow {
            cells: vec![cell("2025-03-18"), cell(&long)],
        },
        TableRow {
            cells: vec![cell("2025-04-02"), cell("电话回访，情况稳定。")],
        },
    ]);
    let out = print(&doc);
    assert!(
        out.pages >= 3,
        "300 sentences cannot fit on {} pages",
        out.pages
    );
    let all = poppler::squeezed(&poppler::text(&out.pdf, false, None));
    // The record column starts a fifth of the way across.
    let record = column_text(&out, LEFT + TEXT_WIDTH / 5.0, 600.0);
    assert_whole(&record, &long);
    for s in &sentences {
        let s = poppler::squeezed(s);
        assert_eq!(
            record.matches(&s).count(),
            1,
            "“{s}” must be printed exactly once"
        );
    }
    for tail in [
        "2025-03-18",
        "2025-04-02",
        "电话回访，情况稳定。",
        "表后文字：完",
    ] {
        assert!(all.contains(tail), "{tail} missing");
    }
    // The header starts every page the row runs over, and no text of the
    // table is drawn in the bottom margin.
    let limit = bottom_limit();
    let mut continued = 0;
    for page in 1..=out.pages {
        let text = poppler::squeezed(&poppler::text(&out.pdf, false, Some(page)));
        let words = poppler::words(&out.pdf, page);
        let has_sentence = text.contains('句');
        if has_sentence {
            assert!(
                text.contains("日期") && text.contains("摘要"),
                "page {page} continues the row without the header: {text}"
            );
            continued += 1;
        }
        for (w, _, _, _, y_max) in &words {
            if w.contains('句') || w.contains("摘要") || w.contains("日期") {
                assert!(
                    *y_max <= limit,
                    "page {page}: “{w}” ends at y={y_max}, below the margin at {limit}"
                );
            }
        }
    }
    assert!(continued >= 3, "the row spans {continued} pages");
}

#[test]
fn a_tall_row_without_a_header_and_two_tall_cells_side_by_side_lose_nothing() {
    let left = finding(120);
    let right: Vec<String> = (1..=150)
        .map(|i| format!("右栏第{i:03}条：随访意见。"))
        .collect();
    let mut doc = table_doc(vec![TableRow {
        cells: vec![cell(&left.concat()), cell(&right.concat())],
    }]);
    if let Block::Table(t) = &mut doc.body[1] {
        t.header_rows = 0;
        t.column_fractions = vec![1.0, 1.0];
    }
    let out = print(&doc);
    assert!(out.pages >= 2);
    let middle = LEFT + TEXT_WIDTH / 2.0;
    let left_text = column_text(&out, 0.0, middle);
    let right_text = column_text(&out, middle, 600.0);
    assert_whole(&left_text, &left.concat());
    assert_whole(&right_text, &right.concat());
    for s in &left {
        assert_eq!(left_text.matches(&poppler::squeezed(s)).count(), 1, "“{s}”");
    }
    for s in &right {
        assert_eq!(
            right_text.matches(&poppler::squeezed(s)).count(),
            1,
            "“{s}”"
        );
    }
    let limit = bottom_limit();
    for page in 1..=out.pages {
        for (w, _, _, _, y_max) in poppler::words(&out.pdf, page) {
            if w.contains('句') || w.contains('条') {
                assert!(y_max <= limit, "page {page}: “{w}” at {y_max} > {limit}");
            }
        }
    }
}
