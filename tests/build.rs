//! Builds the province plugins (`plugins/`) and the hostile test plugins
//! (`tests/fixtures/plugins/`) for wasm32-wasip2, the way wasmtime's
//! test-programs do, and tells the tests where the `.wasm` files are.
//!
//! The plugins build into their own target directory (`target/plugins`),
//! so the nested cargo never waits on the outer build's lock.
//! (`hutong-bundled-plugins` builds `plugins/` too, into the same folder;
//! whichever runs second finds nothing to do.)

use std::path::PathBuf;

include!("../app/bundled-plugins/build_wasm.rs");

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
        watch_tree(&root.join(dir));
    }
    println!(
        "cargo:rerun-if-changed={}",
        root.join("plugin-sdk/Cargo.toml").display()
    );
    println!("cargo:rerun-if-changed=../app/bundled-plugins/build_wasm.rs");
    ensure_wasm_target();
    let mut out = target_dir.clone();
    for workspace in ["plugins/Cargo.toml", "tests/fixtures/plugins/Cargo.toml"] {
        out = build_wasm_workspace(&root, workspace, &target_dir);
    }
    println!("cargo:rustc-env=HUTONG_PLUGIN_DIR={}", out.display());
}
