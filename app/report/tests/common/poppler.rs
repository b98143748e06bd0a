//! Thin wrappers over poppler-utils (pdftotext, pdfinfo, pdffonts,
//! pdftoppm). A missing tool is a test failure with a clear message, never
//! a skip: CI installs poppler-utils.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{tool}` ({e}). These tests need poppler-utils: \
             install it with `apt-get install poppler-utils`."
        )
    });
    assert!(
        out.status.success(),
        "`{tool} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("poppler prints UTF-8")
}

pub fn write_pdf(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Extracted text with NBSPs as plain spaces.
pub fn text(pdf: &Path, layout: bool, page: Option<usize>) -> String {
    let mut args: Vec<String> = vec!["-enc".into(), "UTF-8".into()];
    if layout {
        args.push("-layout".into());
    }
    if let Some(n) = page {
        args.extend(["-f".into(), n.to_string(), "-l".into(), n.to_string()]);
    }
    args.push(s(pdf).into());
    args.push("-".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run("pdftotext", &args).replace('\u{a0}', " ")
}

/// Text with all whitespace removed: for checking strings that layout may
/// have wrapped or spaced.
pub fn squeezed(t: &str) -> String {
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

pub struct Info {
    pub pages: usize,
    pub width_pt: f32,
    pub height_pt: f32,
}

pub fn info(pdf: &Path) -> Info {
    let out = run("pdfinfo", &[s(pdf)]);
    let mut pages = 0;
    let (mut w, mut h) = (0.0, 0.0);
    for line in out.lines() {
        if let Some(v) = line.strip_prefix("Pages:") {
            pages = v.trim().parse().unwrap();
        }
        if let Some(v) = line.strip_prefix("Page size:") {
            // "595.276 x 841.89 pts (A4)"
            let parts: Vec<&str> = v.split_whitespace().collect();
            w = parts[0].parse().unwrap();
            h = parts[2].parse().unwrap();
        }
    }
    Info {
        pages,
        width_pt: w,
        height_pt: h,
    }
}

pub struct FontRow {
    pub name: String,
    pub emb: bool,
    pub sub: bool,
}

pub fn fonts(pdf: &Path) -> Vec<FontRow> {
    let out = run("pdffonts", &[s(pdf)]);
    out.lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // name type... emb sub uni object ID: the last five are fixed.
            let n = cols.len();
            FontRow {
                name: cols[0].to_string(),
                emb: cols[n - 5] == "yes",
                sub: cols[n - 4] == "yes",
            }
        })
        .collect()
}

/// Words with their boxes on one page: (word, xmin, ymin, xmax, ymax), in
/// points from the top-left.
pub fn words(pdf: &Path, page: usize) -> Vec<(String, f32, f32, f32, f32)> {
    let n = page.to_string();
    let out = run(
        "pdftotext",
        &["-bbox", "-enc", "UTF-8", "-f", &n, "-l", &n, s(pdf), "-"],
    );
    let mut v = Vec::new();
    for line in out.lines() {
        let line = line.trim();
        if !line.starts_with("<word") {
            continue;
        }
        let attr = |name: &str| -> f32 {
            let key = format!("{name}=\"");
            let start = line.find(&key).unwrap() + key.len();
            let end = start + line[start..].find('"').unwrap();
            line[start..end].parse().unwrap()
        };
        let text_start = line.find('>').unwrap() + 1;
        let text_end = line.rfind("</word>").unwrap();
        v.push((
            line[text_start..text_end].to_string(),
            attr("xMin"),
            attr("yMin"),
            attr("xMax"),
            attr("yMax"),
        ));
    }
    v
}

/// Renders pages to PNG at `dpi`; returns the files, in page order.
pub fn to_png(pdf: &Path, dir: &Path, dpi: u32) -> Vec<PathBuf> {
    let prefix = dir.join("page");
    run(
        "pdftoppm",
        &["-r", &dpi.to_string(), "-png", s(pdf), s(&prefix)],
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "png")
                && p.file_name().unwrap().to_str().unwrap().starts_with("page")
        })
        .collect();
    files.sort();
    files
}

/// A greyscale rendering of one page: `width × height` bytes, 0 = black.
pub struct Gray {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// Renders page `page` (1-based) in greyscale at `dpi` with pdftoppm.
pub fn gray_page(pdf: &Path, dir: &Path, page: usize, dpi: u32) -> Gray {
    let prefix = dir.join(format!("gray{page}-{dpi}"));
    let n = page.to_string();
    run(
        "pdftoppm",
        &[
            "-gray",
            "-r",
            &dpi.to_string(),
            "-f",
            &n,
            "-l",
            &n,
            "-singlefile",
            s(pdf),
            s(&prefix),
        ],
    );
    let data = std::fs::read(prefix.with_extension("pgm")).unwrap();
    // Binary PGM: "P5\n<w> <h>\n255\n" then one byte per pixel.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5", "pdftoppm -gray did not write a binary PGM");
    let width: usize = fields[1].parse().unwrap();
    let height: usize = fields[2].parse().unwrap();
    let pixels = data[i + 1..].to_vec();
    assert_eq!(pixels.len(), width * height, "truncated PGM");
    Gray {
        width,
        height,
        pixels,
    }
}

/// Share of dark pixels on page `n`, from a greyscale rendering.
pub fn ink_ratio(pdf: &Path, dir: &Path, page: usize, dpi: u32) -> f64 {
    let g = gray_page(pdf, dir, page, dpi);
    let dark = g.pixels.iter().filter(|p| **p < 128).count();
    dark as f64 / g.pixels.len() as f64
}
