//! End-to-end: render the fixture documents and check the PDFs with
//! poppler (text, pages, page size, fonts, positions, rasterisation).
//!
//! Set HUTONG_REPORT_OUT=/some/dir to keep the PDFs for a look.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::fixtures::{self, EXT_B_NAME, ROSTER_HEADER, TIBETAN_NAME};
use common::poppler;
use hutong_report::{FontSet, Rendered, render, render_detailed};

const A4_SHORT: f32 = 595.28;
const A4_LONG: f32 = 841.89;
/// Rows that make the roster exactly 40 pages (landscape, 五号, 1 header row).
const ROSTER_ROWS: usize = 980;
const ROSTER_PAGES: usize = 40;

fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(FontSet::bundled)
}

struct Out {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    pdf: PathBuf,
    rendered: Rendered,
}

fn render_to_file(name: &str, doc: &hutong_core::document::Document) -> Out {
    let rendered = render_detailed(doc, fonts()).expect("render");
    let dir = tempfile::tempdir().unwrap();
    let path = poppler::write_pdf(dir.path(), &format!("{name}.pdf"), &rendered.pdf);
    if let Ok(keep) = std::env::var("HUTONG_REPORT_OUT") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::write(
            PathBuf::from(keep).join(format!("{name}.pdf")),
            &rendered.pdf,
        )
        .unwrap();
    }
    Out {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        pdf: path,
        rendered,
    }
}

fn assert_a4(info: &poppler::Info, landscape: bool) {
    let (w, h) = if landscape {
        (A4_LONG, A4_SHORT)
    } else {
        (A4_SHORT, A4_LONG)
    };
    assert!(
        (info.width_pt - w).abs() < 0.5 && (info.height_pt - h).abs() < 0.5,
        "page is {} x {} pt, want A4 {w} x {h}",
        info.width_pt,
        info.height_pt
    );
}

fn assert_fonts_embedded_and_subset(pdf: &std::path::Path) {
    let fonts = poppler::fonts(pdf);
    assert!(!fonts.is_empty(), "no fonts listed");
    for f in &fonts {
        assert!(f.emb, "font {} is not embedded", f.name);
        assert!(f.sub, "font {} is not a subset", f.name);
        let (tag, rest) = f.name.split_once('+').unwrap_or(("", ""));
        assert!(
            tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()) && !rest.is_empty(),
            "font name {} lacks the ABCDEF+ subset prefix",
            f.name
        );
    }
}

#[test]
fn child_file_has_three_a4_pages_and_exact_text() {
    let out = render_to_file("child_file", &fixtures::child_file());
    let info = poppler::info(&out.pdf);
    assert_eq!(info.pages, 3);
    assert_eq!(out.rendered.page_count, 3);
    assert_a4(&info, false);
    assert!(
        out.rendered.missing_chars.is_empty(),
        "{:?}",
        out.rendered.missing_chars
    );

    let raw = poppler::text(&out.pdf, false, None);
    let text = poppler::squeezed(&raw);
    for needle in [
        "困境儿童一人一档信息表",
        "王堃",
        "刘䶮",
        "李㛃（祖母）",
        "赵赟",
        "130123201406120035",
        "河北省石家庄市正定县新安镇吴兴村三组17号",
        "每月1,380元",
        "■事实无人抚养儿童",
        "□孤儿",
        "三、家庭成员情况",
        "调查人：",
        "年",
        "正定县民政局（盖章）",
        "［图片：photo:child/42/front］",
        "正定县民政局·儿童福利档案",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{raw}");
    }
    // Tibetan comes out exactly, in reading order (not scrambled by shaping).
    assert!(
        raw.contains(TIBETAN_NAME),
        "Tibetan name not extracted exactly:\n{raw}"
    );
    // Page numbers with the real total.
    for n in 1..=3 {
        let page = poppler::text(&out.pdf, false, Some(n));
        assert!(
            page.contains(&format!("第 {n} 页 共 3 页")),
            "page {n} number missing:\n{page}"
        );
    }
}

#[test]
fn child_file_is_small_with_embedded_subset_fonts() {
    let out = render_to_file("child_file_fonts", &fixtures::child_file());
    let size = out.rendered.pdf.len();
    assert!(
        size < 135 * 1024,
        "child file is {size} bytes, bar is 135 KB"
    );
    assert_fonts_embedded_and_subset(&out.pdf);
}

#[test]
fn layout_text_keeps_table_cells_and_labels_apart() {
    let out = render_to_file("child_file_layout", &fixtures::child_file());
    let page1 = poppler::text(&out.pdf, true, Some(1));
    // In the form grid, a label and its value sit on one line, apart.
    let line = page1
        .lines()
        .find(|l| l.contains("公民身份号码"))
        .unwrap_or_else(|| panic!("no ID line in:\n{page1}"));
    assert!(line.contains("130123201406120035"), "{line}");
    let page2 = poppler::text(&out.pdf, true, Some(2));
    let member = page2
        .lines()
        .find(|l| l.contains("王玥"))
        .unwrap_or_else(|| panic!("no member row in:\n{page2}"));
    for cell in ["女", "姐姐", "15", "在读初中"] {
        assert!(member.contains(cell), "row lacks {cell}: {member}");
    }
}

#[test]
fn roster_spans_forty_pages_with_header_on_each() {
    let out = render_to_file("roster", &fixtures::roster(ROSTER_ROWS));
    let info = poppler::info(&out.pdf);
    assert_eq!(info.pages, ROSTER_PAGES);
    assert_a4(&info, true);
    assert_fonts_embedded_and_subset(&out.pdf);
    let mut next_row = 1usize;
    for n in 1..=ROSTER_PAGES {
        let page = poppler::text(&out.pdf, true, Some(n));
        let header_line = page
            .lines()
            .find(|l| l.contains("序号"))
            .unwrap_or_else(|| panic!("page {n} has no header row:\n{page}"));
        for h in ROSTER_HEADER {
            assert!(
                header_line.contains(h),
                "page {n} header lacks {h}: {header_line}"
            );
        }
        assert!(
            page.contains(&format!("第 {n} 页 共 {ROSTER_PAGES} 页")),
            "page {n} number missing"
        );
        // Rows continue in order and none is split: each row's serial
        // number is first in its line, and the next page picks up at the
        // next number.
        for line in page.lines() {
            let first = line.split_whitespace().next().unwrap_or("");
            if first == next_row.to_string() {
                assert!(line.contains("130123"), "row {next_row} split: {line}");
                next_row += 1;
            }
        }
    }
    assert_eq!(next_row, ROSTER_ROWS + 1, "rows missing or out of order");
    let page1 = poppler::text(&out.pdf, false, Some(1));
    for name in ["刘䶮", EXT_B_NAME, TIBETAN_NAME] {
        assert!(page1.contains(name), "{name} not extracted:\n{page1}");
    }
}

#[test]
fn gbt9704_notice_follows_the_standard() {
    let out = render_to_file("gbt9704_notice", &fixtures::gbt_notice());
    let info = poppler::info(&out.pdf);
    assert_a4(&info, false);
    assert!(info.pages >= 2, "notice should run to two pages");
    assert_fonts_embedded_and_subset(&out.pdf);
    let mm = 72.0 / 25.4;
    let raw = poppler::text(&out.pdf, false, None);
    let text = poppler::squeezed(&raw);
    assert!(text.contains("关于做好2025年困境儿童摸底排查工作的通知"));
    assert!(raw.contains(TIBETAN_NAME), "Tibetan not extracted:\n{raw}");
    assert!(text.contains("“堃”“䶮”“㛃”"));

    for n in 1..=info.pages {
        let words = poppler::words(&out.pdf, n);
        // Page number 「— n —」, 7 mm below the 225 mm text block.
        let num = words
            .iter()
            .find(|w| w.0.replace(' ', "") == format!("—{n}—"))
            .unwrap_or_else(|| panic!("page {n}: no 「— {n} —」 in {words:?}"));
        let block_bottom = (37.0 + 225.0) * mm;
        assert!(
            num.2 > block_bottom + 5.0 * mm && num.2 < block_bottom + 12.0 * mm,
            "page {n}: number top at {} pt, text block ends at {block_bottom}",
            num.2
        );
        // Odd pages right, even pages left, one 14 pt character in.
        if n % 2 == 1 {
            let want = (28.0 + 156.0) * mm - 14.0;
            assert!(
                (num.3 - want).abs() < 2.0,
                "page {n}: right edge {}, want {want}",
                num.3
            );
        } else {
            let want = 28.0 * mm + 14.0;
            assert!(
                (num.1 - want).abs() < 2.0,
                "page {n}: left edge {}, want {want}",
                num.1
            );
        }
    }
    let words = poppler::words(&out.pdf, 1);
    // Body text starts at the 28 mm binding margin.
    let salutation = words
        .iter()
        .find(|w| w.0.starts_with("各乡镇"))
        .expect("salutation");
    assert!(
        (salutation.1 - 28.0 * mm).abs() < 1.0,
        "left margin {}",
        salutation.1
    );
    // 28 characters of 三号 fill the 156 mm line: each is 156/28 mm wide.
    let chars = salutation.0.chars().count() as f32;
    let pitch = (salutation.3 - salutation.1) / chars;
    assert!(
        (pitch - 156.0 * mm / 28.0).abs() < 0.05,
        "character pitch {pitch} pt"
    );
    // Justified body lines end exactly at the right edge of the text block.
    let right = (28.0 + 156.0) * mm;
    let full_lines = words.iter().filter(|w| (w.3 - right).abs() < 0.5).count();
    assert!(
        full_lines >= 5,
        "only {full_lines} lines reach the right edge"
    );
    // 22 lines a page: consecutive body lines are 28.95 pt apart.
    let mut tops: Vec<f32> = words
        .iter()
        .filter(|w| (w.1 - 28.0 * mm).abs() < 1.0)
        .map(|w| w.2)
        .collect();
    tops.sort_by(f32::total_cmp);
    let pitches: Vec<f32> = tops.windows(2).map(|p| p[1] - p[0]).collect();
    assert!(
        pitches.iter().any(|p| (p - 28.95).abs() < 0.05),
        "no 28.95 pt line pitch among {pitches:?}"
    );
    assert!(
        pitches
            .iter()
            .all(|p| (p / 28.95 - (p / 28.95).round()).abs() < 0.01),
        "lines off the 28.95 pt grid: {pitches:?}"
    );
    // The title: 二号, centred, within the text block, not ending in a
    // lonely character.
    let title: Vec<_> = words.iter().filter(|w| w.2 < salutation.2 - 1.0).collect();
    assert!(!title.is_empty());
    for t in &title {
        // poppler's boxes use the font's ascent (1.16 em), taller than the
        // ink, so compare the box's middle with the 37 mm top margin.
        assert!(
            (t.2 + t.4) / 2.0 > 37.0 * mm,
            "title above the text block: {}",
            t.2
        );
        // Box heights scale with the size: 二号 (22 pt) against 三号 (16 pt).
        let ratio = (t.4 - t.2) / (salutation.4 - salutation.2);
        assert!(
            (ratio - 22.0 / 16.0).abs() < 0.03,
            "title/body size ratio {ratio}"
        );
        let centre = (t.1 + t.3) / 2.0;
        assert!(
            (centre - (28.0 + 78.0) * mm).abs() < 2.0,
            "title not centred: {centre}"
        );
        assert!(t.0.chars().count() >= 4, "title line {:?} is a widow", t.0);
    }
}

#[test]
fn rendering_is_deterministic() {
    let a = render(&fixtures::child_file(), fonts()).unwrap();
    let b = render(&fixtures::child_file(), fonts()).unwrap();
    assert!(a == b, "two renders of the child file differ");
    // A separately created font set gives the same bytes too.
    let c = render(&fixtures::child_file(), &FontSet::bundled()).unwrap();
    assert!(a == c, "a fresh FontSet changed the output");
    let g1 = render(&fixtures::gbt_notice(), fonts()).unwrap();
    let g2 = render(&fixtures::gbt_notice(), fonts()).unwrap();
    assert!(g1 == g2);
}

#[test]
fn pages_rasterise_to_readable_png() {
    for (name, doc) in [
        ("child_png", fixtures::child_file()),
        ("notice_png", fixtures::gbt_notice()),
        ("roster_png", fixtures::roster(60)),
    ] {
        let out = render_to_file(name, &doc);
        let pngs = poppler::to_png(&out.pdf, &out.dir, 60);
        assert_eq!(
            pngs.len(),
            out.rendered.page_count,
            "{name}: one PNG per page"
        );
        for p in &pngs {
            let bytes = std::fs::read(p).unwrap();
            assert!(
                bytes.starts_with(b"\x89PNG"),
                "{name}: {} is not a PNG",
                p.display()
            );
        }
        // Ink: a page of text is mostly white but clearly printed on.
        let ink = poppler::ink_ratio(&out.pdf, &out.dir, 1, 60);
        assert!(
            (0.005..0.35).contains(&ink),
            "{name}: page 1 ink ratio {ink:.4} (blank or black page?)"
        );
    }
}
