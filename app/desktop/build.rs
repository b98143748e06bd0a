//! Records the git commit the program was built from, for `hutong
//! --version` and the 设置 screen. A build outside a git checkout (a source
//! tarball) says "unknown".
//!
//! For Windows it also compiles the program's resources into `hutong.exe`:
//! the icon Explorer and the taskbar show, and the version information of
//! the file's properties (with mingw-w64's windres when cross-building).

fn windows_resources() {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let manifest =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let icon = manifest.join("../../assets/icon/hutong.ico");
    println!("cargo:rerun-if-changed={}", icon.display());
    let version = std::env::var("CARGO_PKG_VERSION").expect("CARGO_PKG_VERSION");
    let mut parts: Vec<u16> = version
        .split(['.', '-'])
        .filter_map(|p| p.parse().ok())
        .collect();
    parts.resize(4, 0);
    let numeric = parts
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",");
    // Strings stay ASCII: windres reads the script in the build machine's
    // code page.
    let rc = format!(
        r#"1 ICON "{icon}"
1 VERSIONINFO
FILEVERSION {numeric}
PRODUCTVERSION {numeric}
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "080404B0"
    BEGIN
      VALUE "CompanyName", "Hutong"
      VALUE "FileDescription", "Hutong child welfare workstation"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "hutong"
      VALUE "OriginalFilename", "hutong.exe"
      VALUE "ProductName", "Hutong"
      VALUE "ProductVersion", "{version}"
      VALUE "LegalCopyright", "MIT OR Apache-2.0"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x0804, 1200
  END
END
"#,
        icon = icon.display().to_string().replace('\\', "/"),
    );
    let script = out.join("hutong.rc");
    std::fs::write(&script, rc).expect("write hutong.rc");
    embed_resource::compile(&script, embed_resource::NONE)
        .manifest_optional()
        .expect("compile the Windows resources (windres)");
}

/// Embeds every `locales/<code>/<area>.ftl` file: a locale is added by
/// adding its folder, with no code change (i18n reads the generated list).
fn embed_locales() {
    let manifest =
        std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest.join("locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    for locale in std::fs::read_dir(&root).expect("read locales/") {
        let locale = locale.expect("locales/ entry").path();
        if !locale.is_dir() {
            continue;
        }
        let code = locale
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a locale folder's name is its code")
            .to_string();
        for file in std::fs::read_dir(&locale).expect("read a locale folder") {
            let file = file.expect("locale entry").path();
            if file.extension().and_then(|e| e.to_str()) == Some("ftl") {
                let name = file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("")
                    .to_string();
                files.push((code.clone(), name, file));
            }
        }
    }
    // A stable order: the same program from the same sources.
    files.sort();
    let mut rs = String::from("pub const FILES: &[(&str, &str, &str)] = &[\n");
    for (code, name, path) in &files {
        rs.push_str(&format!(
            "    ({code:?}, {name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    rs.push_str("];\n");
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("locales.rs"), rs).expect("write locales.rs");
}

fn main() {
    embed_locales();
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resources();
    }
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
