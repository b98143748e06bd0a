//! Every label goes through the locale files: no Chinese text in a string
//! or character literal anywhere under `src/gui/` (comments may be Chinese;
//! the text a user reads may not be written in the code).

use hutong::i18n::is_chinese;
use std::path::{Path, PathBuf};

/// The string and character literals of a Rust source file, with their
/// line numbers; comments are skipped.
fn literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if c == 'r'
            && (at(i + 1) == '#' || at(i + 1) == '"')
            && !ident(at(i.wrapping_sub(1)))
        {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                i += 1;
                continue;
            }
            let start_line = line;
            let mut text = String::new();
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|k| at(j + 1 + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                if chars[j] == '\n' {
                    line += 1;
                }
                text.push(chars[j]);
                j += 1;
            }
            out.push((start_line, text));
            i = j;
        } else if c == '"' {
            let start_line = line;
            let mut text = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    text.push(chars[i]);
                    i += 1;
                }
                if chars[i] == '\n' {
                    line += 1;
                }
                text.push(chars[i]);
                i += 1;
            }
            out.push((start_line, text));
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '中'); a lifetime has no
            // closing quote two or three characters on.
            if at(i + 1) == '\\' {
                let end = (i + 2..chars.len().min(i + 12)).find(|&k| chars[k] == '\'');
                if let Some(end) = end {
                    out.push((line, chars[i + 1..end].iter().collect()));
                    i = end + 1;
                    continue;
                }
            } else if at(i + 2) == '\'' {
                out.push((line, at(i + 1).to_string()));
                i += 3;
                continue;
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

fn ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_scanner_finds_chinese_in_literals_but_not_in_comments() {
    let source = "// 注释\n/* 块注释 */ let a = \"保存\";\nlet b = r#\"已\"#; let c = '、'; let d: &'static str = \"ok\";";
    let found: Vec<(usize, String)> = literals(source)
        .into_iter()
        .filter(|(_, s)| s.chars().any(is_chinese))
        .collect();
    assert_eq!(
        found,
        vec![
            (2, "保存".to_string()),
            (3, "已".to_string()),
            (3, "、".to_string())
        ]
    );
}

#[test]
fn no_chinese_text_is_written_in_the_gui_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/gui");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    assert!(files.len() > 30, "only {} files under src/gui", files.len());
    let mut found = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("read a source file");
        for (line, text) in literals(&source) {
            if text.chars().any(is_chinese) {
                let name = file.strip_prefix(&root).unwrap_or(file).display();
                found.push(format!("{name}:{line}: {text:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} literals with Chinese text under src/gui (put them in locales/):\n{}",
        found.len(),
        found.join("\n")
    );
}
