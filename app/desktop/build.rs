//! Records the git commit the program was built from, for `hutong
//! --version` and the 设置 screen. A build outside a git checkout (a source
//! tarball) says "unknown".

fn main() {
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=HUTONG_GIT_COMMIT={commit}");
    // A new commit moves the branch ref; a checkout of another branch
    // changes HEAD.
    println!("cargo:rerun-if-changed=../../.git/HEAD");
    println!("cargo:rerun-if-changed=../../.git/refs/heads");
}
