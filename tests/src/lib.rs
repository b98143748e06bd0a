//! Helpers for the end-to-end tests in `tests/tests/*.rs`, which run the
//! real `hutong` binary against real SQLite files in temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `hutong` binary built by `cargo test --workspace` (it sits next to
/// the `deps/` folder that holds this test executable).
pub fn hutong_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target directory");
    let bin = dir.join(format!("hutong{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} not found: run the tests with `cargo test --workspace`, which builds it",
        bin.display()
    );
    // `cargo test -p hutong-tests` rebuilds the libraries these tests link,
    // but not the program: refuse a program older than the code it runs
    // rather than test yesterday's code.
    // Checked once per test process: every CLI call comes through here.
    static CHECKED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    CHECKED.get_or_init(|| {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let app = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app");
        if let (Some(code), Some(program)) = (newest_source(&app), modified(&bin)) {
            assert!(
                program >= code,
                "{} is older than the code under app/: run `cargo test --workspace` (or `cargo build -p hutong`) first",
                bin.display()
            );
        }
    });
    bin
}

/// The newest modification time of the Rust sources and manifests under
/// `dir` (the program's code).
fn newest_source(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()?.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs" || e == "toml")
                && let Ok(t) = entry.metadata().and_then(|m| m.modified())
            {
                newest = newest.max(Some(t));
            }
        }
    }
    newest
}

/// The demo administrator's log-in, which most tests act as.
pub const DEMO_ADMIN: (&str, &str) = ("admin", "hutong-demo");

/// The passphrase tests seal full-ID exports with (given to every command
/// through `HUTONG_EXPORT_PASSPHRASE`).
pub const EXPORT_PASSPHRASE: &str = "测试口令-export-2026";

/// The plain content of a sealed export (an AES-256 ZIP).
pub fn unseal(zip: &Path) -> Vec<u8> {
    hutong_core::sealed::read(zip, EXPORT_PASSPHRASE, 512 << 20).expect("open the sealed export")
}

/// A bare connection to an encrypted demo database with its key, as an
/// outside tool holding the key would have (no triggers, no audit key):
/// for reading behind Hutong's back and for tampering tests.
pub fn raw_conn(db: &Path) -> hutong_core::Result<hutong_core::store::Connection> {
    raw_conn_as(db, DEMO_ADMIN.0, DEMO_ADMIN.1)
}

/// [`raw_conn`] for a database whose administrator is not the demo's.
pub fn raw_conn_as(
    db: &Path,
    user: &str,
    password: &str,
) -> hutong_core::Result<hutong_core::store::Connection> {
    let (store, _) = hutong_core::Store::unlock(db, user, password)?;
    store.database().open_raw_connection()
}

/// Copies a database with its key file (an encrypted database is useless
/// without it).
pub fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).expect("copy the database");
    std::fs::copy(
        hutong_core::store::keyfile_path(from),
        hutong_core::store::keyfile_path(to),
    )
    .expect("copy the key file");
}

/// Opens a demo database the way the workstation does: the demo
/// administrator's password unlocks it.
pub fn open_db(db: &Path) -> hutong_core::Result<hutong_core::Store> {
    hutong_core::Store::unlock(db, DEMO_ADMIN.0, DEMO_ADMIN.1).map(|(store, _)| store)
}

/// Runs `hutong --db DB args...` logged in as the demo administrator (through
/// `HUTONG_USER` / `HUTONG_PASSWORD`), with optional stdin.
pub fn hutong(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    hutong_as(db, Some(DEMO_ADMIN), args, stdin)
}

/// Runs `hutong --db DB args...` as `login` (user, password), or with no
/// log-in at all, with optional stdin.
pub fn hutong_as(
    db: &Path,
    login: Option<(&str, &str)>,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    use std::io::Write;
    let mut command = Command::new(hutong_bin());
    command
        .env_remove("HUTONG_USER")
        .env_remove("HUTONG_PASSWORD")
        .env("HUTONG_EXPORT_PASSPHRASE", EXPORT_PASSPHRASE);
    if let Some((user, password)) = login {
        command
            .env("HUTONG_USER", user)
            .env("HUTONG_PASSWORD", password);
    }
    let mut child = command
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hutong");
    if let Some(input) = stdin {
        let written = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes());
        // A command may reject its arguments and exit before reading stdin;
        // the pipe is then closed, which is not a test failure.
        if let Err(e) = written
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            panic!("write stdin: {e}");
        }
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().expect("hutong output")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A province plugin built by `tests/build.rs` (e.g. `hutong_plugin_henan.wasm`).
pub fn plugin_wasm(file_name: &str) -> PathBuf {
    Path::new(env!("HUTONG_PLUGIN_DIR")).join(file_name)
}

/// Installs a province plugin the way a county does: a province key is
/// made and trusted for `province`, the plugin is signed with it, then
/// installed through the CLI. `dir` holds the key and the signed copy.
pub fn install_signed_plugin(db: &Path, dir: &Path, wasm_file_name: &str, province: &str) {
    let key = dir.join(format!("{province}.pem"));
    let plugin = dir.join(wasm_file_name);
    std::fs::copy(plugin_wasm(wasm_file_name), &plugin).expect("copy the built plugin");
    let path = |p: &Path| p.to_str().expect("UTF-8 temp path").to_string();
    let out = hutong(db, &["plugin", "keygen", "--out", &path(&key)], None);
    assert!(out.status.success(), "keygen: {}", stderr(&out));
    let public = stdout(&out)
        .lines()
        .find_map(|l| {
            l.strip_prefix("公钥（提供给各县信任）：")
                .map(str::to_string)
        })
        .expect("keygen prints the public key");
    let out = hutong(
        db,
        &["plugin", "sign", "--key", &path(&key), &path(&plugin)],
        None,
    );
    assert!(out.status.success(), "sign: {}", stderr(&out));
    let out = hutong(
        db,
        &["plugin", "trust", &public, "--province", province],
        None,
    );
    assert!(out.status.success(), "trust: {}", stderr(&out));
    let out = hutong(db, &["plugin", "install", &path(&plugin)], None);
    assert!(out.status.success(), "install: {}", stderr(&out));
}

/// The text of a PDF, through poppler's pdftotext.
pub fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (apt-get install poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The whitespace-separated word that follows `label` on its line in a
/// PDF's text (`pdftotext -layout` keeps a key-value grid's label and
/// value on one line), for checking printed figures against the data.
pub fn value_after<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines().find_map(|line| {
        let (_, rest) = line.split_once(label)?;
        rest.split_whitespace().next()
    })
}

/// The whole numbers on each line whose first word is `label`, line by
/// line (a table's 合计 row, say).
pub fn numbers_on_rows(text: &str, label: &str) -> Vec<Vec<i64>> {
    text.lines()
        .filter(|line| line.split_whitespace().next() == Some(label))
        .map(|line| {
            line.split_whitespace()
                .skip(1)
                .filter_map(|w| w.parse().ok())
                .collect()
        })
        .collect()
}
