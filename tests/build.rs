//! Builds the province plugins (`plugins/`) and the hostile test plugins
//! (`tests/fixtures/plugins/`) for wasm32-wasip2, the way wasmtime's
//! test-programs do, and tells the tests where the `.wasm` files are.
//!
//! The plugins build into their own target directory (`target/plugins`),
//! so the nested cargo never waits on the outer build's lock.

use std::path::{Path, PathBuf};
use std::process::Command;

fn watch(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
    }
}

fn main() {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.parent().expect("workspace root").to_path_buf();
    let target_dir = root.join("target").join("plugins");
    for dir in [
        "plugins",
        "tests/fixtures/plugins",
        "plugin-sdk/src",
        "schemas/wit/v1",
        "app/national/src",
    ] {
        watch(&root.join(dir));
    }
    println!(
        "cargo:rerun-if-changed={}",
        root.join("plugin-sdk/Cargo.toml").display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for workspace in ["plugins/Cargo.toml", "tests/fixtures/plugins/Cargo.toml"] {
        let status = Command::new(&cargo)
            .current_dir(&root)
            .args([
                "build",
                "--release",
                "--target",
                "wasm32-wasip2",
                "--manifest-path",
                workspace,
                "--target-dir",
            ])
            .arg(&target_dir)
            // The outer build's settings must not leak into the guest build.
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove("RUSTC_WRAPPER")
            .env_remove("CLIPPY_ARGS")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_BUILD_TARGET")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_MAKEFLAGS")
            .env_remove("CARGO_PROFILE_RELEASE_DEBUG")
            .status()
            .expect("run cargo for the plugins");
        assert!(
            status.success(),
            "building {workspace} for wasm32-wasip2 failed (is the target installed? `rustup target add wasm32-wasip2`)"
        );
    }
    let out = target_dir.join("wasm32-wasip2").join("release");
    println!("cargo:rustc-env=HUTONG_PLUGIN_DIR={}", out.display());
}
