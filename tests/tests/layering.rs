//! The layering of docs/ARCHITECTURE.md, checked rather than trusted: the
//! desktop crate (the egui screens and the command line) opens no SQL and
//! holds no audit actor of its own; every use case goes through
//! `hutong-services`, which checks the session's permission and scope.

use std::path::{Path, PathBuf};

fn desktop() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/desktop")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_desktop_crate_has_no_sql_and_no_actor() {
    let manifest = std::fs::read_to_string(desktop().join("Cargo.toml")).unwrap();
    assert!(
        !manifest.contains("rusqlite"),
        "app/desktop/Cargo.toml depends on rusqlite"
    );
    let mut files = Vec::new();
    rust_files(&desktop().join("src"), &mut files);
    assert!(
        files.len() > 40,
        "the desktop sources were found: {}",
        files.len()
    );
    // What would mean a face went around the services layer.
    let forbidden = [
        ".conn()",
        "rusqlite::",
        "store.write(",
        ".write(&actor",
        "Actor::system(",
        "actor_of(",
    ];
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for pattern in forbidden {
                if code.contains(pattern) {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the desktop crate bypasses hutong-services:\n{}",
        found.join("\n")
    );
}
