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

/// The workspace's own crates and, for each, the crates it depends on
/// (normal and build dependencies; tests may use anything).
fn crate_graph(manifest: &Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let mut graph = std::collections::BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        let deps = p["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].as_str() != Some("dev"))
            .filter_map(|d| d["name"].as_str().map(str::to_string))
            .collect();
        graph.insert(p["name"].as_str().expect("name").to_string(), deps);
    }
    graph
}

fn ours(deps: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = deps
        .iter()
        .map(String::as_str)
        .filter(|d| d.starts_with("hutong"))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// DESIGN.md §1's invariants 1–4, read from the manifests as cargo sees
/// them (a dependency added under another name or through a workspace
/// entry is caught too).
#[test]
fn the_crate_graph_keeps_the_layering() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let graph = crate_graph(&root.join("Cargo.toml"));
    let deps = |name: &str| -> &Vec<String> {
        graph
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in the workspace: {:?}", graph.keys()))
    };
    let has = |name: &str, dep: &str| deps(name).iter().any(|d| d == dep);
    let ui_crates = ["egui", "eframe", "egui_extras", "egui_kittest", "rfd"];

    assert_eq!(ours(deps("hutong-national")), Vec::<&str>::new());
    assert_eq!(ours(deps("hutong-core")), ["hutong-national"]);
    for heavy in ["egui", "eframe", "wasmtime", "printpdf"] {
        assert!(!has("hutong-core", heavy), "hutong-core depends on {heavy}");
    }
    for layer in ["hutong-plugin-host", "hutong-report"] {
        let mine = ours(deps(layer));
        assert!(
            mine.iter()
                .all(|d| ["hutong-core", "hutong-national"].contains(d)),
            "{layer} depends on {mine:?}"
        );
    }
    let services = ours(deps("hutong-services"));
    assert!(
        services.iter().all(|d| [
            "hutong-core",
            "hutong-national",
            "hutong-plugin-host",
            "hutong-report",
            "hutong-bundled-plugins"
        ]
        .contains(d)),
        "hutong-services depends on {services:?}"
    );
    for ui in ui_crates.iter().chain(&["clap"]) {
        assert!(
            !has("hutong-services", ui),
            "hutong-services depends on {ui}"
        );
    }
    // Only the desktop crate knows egui.
    for (name, d) in &graph {
        if name != "hutong" {
            for ui in ui_crates {
                assert!(!d.iter().any(|x| x == ui), "{name} depends on {ui}");
            }
        }
    }
    assert!(
        !has("hutong", "rusqlite"),
        "the desktop crate depends on rusqlite"
    );
    assert_eq!(ours(deps("hutong-plugin-sdk")), ["hutong-national"]);

    // The province plugins are their own workspace.
    let plugins = crate_graph(&root.join("plugins/Cargo.toml"));
    assert!(plugins.len() >= 4, "plugins found: {:?}", plugins.keys());
    for (name, d) in &plugins {
        let mine = ours(d);
        assert!(
            mine.iter()
                .all(|x| ["hutong-plugin-sdk", "hutong-national"].contains(x)),
            "plugin {name} depends on {mine:?}"
        );
    }
}

/// DESIGN.md §1 invariant 5: variation between provinces comes through the
/// plugin contract, so no host crate compares a province (or county) code.
/// The demo generator is the one exception: it makes a sample county of a
/// given province, with that province's names and forms, as data.
#[test]
fn no_host_crate_compares_a_province_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app");
    let mut files = Vec::new();
    for krate in ["core", "services", "plugin-host", "report", "desktop"] {
        rust_files(&root.join(krate).join("src"), &mut files);
    }
    let demo = root.join("core/src/demo");
    let is_code = |s: &str| {
        (s.len() == 2 || s.len() == 4 || s.len() == 6) && s.bytes().all(|b| b.is_ascii_digit())
    };
    let mut found = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(&demo)) {
        let text = std::fs::read_to_string(f).unwrap();
        // Unit tests inside a module may name real codes as inputs.
        let code_part = text.split("#[cfg(test)]").next().unwrap_or(&text);
        for (n, line) in code_part.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // A quoted all-digit literal next to a comparison or a match arm.
            for (i, piece) in code.split('"').enumerate() {
                if i % 2 == 1 && is_code(piece) {
                    let quoted = format!("\"{piece}\"");
                    let compared = [
                        format!("== {quoted}"),
                        format!("!= {quoted}"),
                        format!("{quoted} =="),
                        format!("{quoted} !="),
                        format!("{quoted} =>"),
                        format!("{quoted} |"),
                        format!("starts_with({quoted}"),
                        format!("Some({quoted})"),
                    ];
                    if compared.iter().any(|c| code.contains(c.as_str())) {
                        found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "province or county codes compared in the host:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_desktop_crate_writes_no_sql_text() {
    let mut files = Vec::new();
    rust_files(&desktop().join("src"), &mut files);
    let keywords = [
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
        "CREATE TABLE",
        "PRAGMA ",
    ];
    let mut found = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for k in keywords {
                if code.contains(&format!("\"{k}")) {
                    found.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL in the desktop crate:\n{}",
        found.join("\n")
    );
}
