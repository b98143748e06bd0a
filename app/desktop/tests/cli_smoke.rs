//! Having an integration test here makes `cargo test --workspace` build the
//! real `hutong` binary, which the end-to-end tests in `tests/` run.

use std::process::Command;

#[test]
fn unknown_subcommands_fail_with_usage_and_a_non_zero_exit() {
    let out = Command::new(env!("CARGO_BIN_EXE_hutong"))
        .args(["--db", "/nonexistent/x.db", "frobnicate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
}

#[test]
fn commands_on_a_missing_database_say_how_to_create_one() {
    let dir = std::env::temp_dir().join(format!("hutong-smoke-{}", std::process::id()));
    let db = dir.join("missing.db");
    let out = Command::new(env!("CARGO_BIN_EXE_hutong"))
        .args(["--db", db.to_str().unwrap(), "child", "list"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("hutong init") && err.contains("missing.db"),
        "{err}"
    );
    assert!(!db.exists(), "a read command must not create a database");
}

#[test]
fn version_names_the_commit_and_the_plugin_contract() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hutong"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!("hutong {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    assert!(text.contains("commit "), "{text}");
    assert!(
        text.contains(&format!(
            "插件协议 {}",
            hutong_plugin_host::CONTRACT_VERSION
        )),
        "{text}"
    );
}
