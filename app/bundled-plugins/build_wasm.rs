// Building a cargo workspace of plugins for wasm32-wasip2 from a build
// script. Shared, by `include!`, between the bundled plugins' build script
// (app/bundled-plugins/build.rs) and the tests' (tests/build.rs), so the
// target check and the clean environment are written once.

/// The wasm target plugins are built for.
const WASM_TARGET: &str = "wasm32-wasip2";

/// Makes sure the active toolchain can build for wasm32-wasip2. rustup adds
/// the targets of `rust-toolchain.toml` only when it installs the toolchain
/// itself, so a machine whose pinned toolchain was already there lacks it:
/// add it then, or stop with the one command that fixes it.
fn ensure_wasm_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = std::process::Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let installed = |root: &str| {
        std::path::Path::new(root)
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .is_dir()
    };
    if sysroot.as_deref().is_some_and(installed) {
        return;
    }
    let mut add = std::process::Command::new("rustup");
    add.args(["target", "add", WASM_TARGET]);
    if let Ok(toolchain) = std::env::var("RUSTUP_TOOLCHAIN") {
        add.args(["--toolchain", &toolchain]);
    }
    println!("cargo:warning=adding the {WASM_TARGET} target for the province plugins (rustup target add {WASM_TARGET})");
    let added = add.status().is_ok_and(|s| s.success());
    if !added || !sysroot.as_deref().is_some_and(installed) {
        panic!(
            "the province plugins need the {WASM_TARGET} target, which this toolchain lacks and which could not be added automatically.\n\
             Run this once, then build again:\n\n    rustup target add {WASM_TARGET}\n\n\
             省级插件需要 {WASM_TARGET} 编译目标，当前工具链没有且无法自动安装。请先运行上面的命令，再重新构建。"
        );
    }
}

/// Lists every file under `dir` (except `target/`) as a rerun trigger.
fn watch_tree(dir: &std::path::Path) {
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

/// Builds the plugin workspace `manifest` (relative to `root`) in release
/// mode for wasm32-wasip2 into `target_dir`, and returns the folder of the
/// `.wasm` files. The plugins use their own target directory, so this
/// nested cargo never waits on the outer build's lock.
fn build_wasm_workspace(
    root: &std::path::Path,
    manifest: &str,
    target_dir: &std::path::Path,
) -> std::path::PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(&cargo)
        .current_dir(root)
        .args(["build", "--release", "--target", WASM_TARGET, "--manifest-path", manifest, "--target-dir"])
        .arg(target_dir)
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
        .env_remove("CARGO_PROFILE_RELEASE_LTO")
        .env_remove("CARGO_PROFILE_RELEASE_STRIP")
        .env_remove("CARGO_PROFILE_RELEASE_PANIC")
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("building {manifest} for {WASM_TARGET} failed ({s}); see the cargo output above"),
        Err(e) => panic!("could not run cargo to build {manifest}: {e}"),
    }
    target_dir.join(WASM_TARGET).join("release")
}
