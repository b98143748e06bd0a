//! Exports that carry full ID numbers leave the office encrypted: an
//! AES-256 ZIP (WinZip AE-2) sealed with a passphrase the user types, a
//! format 7-Zip, WinRAR, Bandizip and 360压缩 open on any office PC. The
//! passphrase is never stored. Masked exports stay plain.

use crate::error::{CoreError, Result};
use crate::files;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{AesMode, CompressionMethod, ZipArchive, ZipWriter};

/// The shortest passphrase accepted for an encrypted export.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Checks a passphrase before anything is written.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(CoreError::field(
            "加密口令",
            format!("至少需要{MIN_PASSPHRASE_CHARS}个字符（含完整身份证号的文件必须加密）"),
        ));
    }
    Ok(())
}

/// The name the sealed file gets: `名单.xlsx` → `名单.xlsx.zip`; a name
/// that already ends in `.zip` is kept.
pub fn sealed_path(path: &Path) -> PathBuf {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return path.to_path_buf();
    }
    let mut name = path.as_os_str().to_os_string();
    name.push(".zip");
    PathBuf::from(name)
}

/// The file's own name inside the archive (`名单.xlsx`).
fn inner_name(path: &Path) -> String {
    let sealed = sealed_path(path);
    let stem = sealed
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    if stem.contains('.') {
        stem
    } else {
        format!("{stem}.dat")
    }
}

/// Writes `bytes` into an AES-256 ZIP at [`sealed_path`]`(path)`,
/// owner-only and atomically; returns the path written.
pub fn write(path: &Path, bytes: &[u8], passphrase: &str) -> Result<PathBuf> {
    check_passphrase(passphrase)?;
    let out = sealed_path(path);
    let zip_err = |e: zip::result::ZipError| CoreError::Io {
        path: out.clone(),
        source: std::io::Error::other(e.to_string()),
    };
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = ZipWriter::new(&mut buf);
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .with_aes_encryption(AesMode::Aes256, passphrase);
        zip.start_file(inner_name(path), options).map_err(zip_err)?;
        zip.write_all(bytes).map_err(|source| CoreError::Io {
            path: out.clone(),
            source,
        })?;
        zip.finish().map_err(zip_err)?;
    }
    files::write_atomic(&out, &buf.into_inner())?;
    Ok(out)
}

/// Whether a file starts like a ZIP archive.
pub fn is_zip(path: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|()| head == *b"PK\x03\x04")
        .unwrap_or(false)
}

/// Reads the one file inside a sealed export, refusing more than
/// `max_bytes` (checked from the archive's directory before reading, and
/// again while reading) and a wrong passphrase, naming the file.
pub fn read(path: &Path, passphrase: &str, max_bytes: u64) -> Result<Vec<u8>> {
    let bad = |message: String| CoreError::BadFile {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|source| CoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut zip = ZipArchive::new(file).map_err(|e| bad(format!("不是有效的加密压缩包：{e}")))?;
    if zip.len() != 1 {
        return Err(bad(format!(
            "加密压缩包应只含一个文件，实含 {} 个",
            zip.len()
        )));
    }
    let mut entry = zip
        .by_index_decrypt(0, passphrase.as_bytes())
        .map_err(|_| bad("加密口令不正确，或文件已损坏".into()))?;
    if entry.size() > max_bytes {
        return Err(CoreError::LimitExceeded {
            path: path.to_path_buf(),
            sheet: None,
            what: format!("解压后大小（{} MB）", entry.size() / 1_048_576),
            limit: format!("最大 {} MB", max_bytes / 1_048_576),
        });
    }
    let mut bytes = Vec::new();
    (&mut entry)
        .take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| bad("加密口令不正确，或文件已损坏（校验失败）".into()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(bad("解压后超过大小上限".into()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_export_opens_with_its_passphrase_only_and_hides_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("名单.xlsx");
        let secret = "411525201304150124 王小明".as_bytes();
        assert!(
            write(&path, secret, "short").is_err(),
            "a short passphrase is refused"
        );
        let out = write(&path, secret, "correct horse").unwrap();
        assert_eq!(out, dir.path().join("名单.xlsx.zip"));
        let raw = std::fs::read(&out).unwrap();
        assert!(
            !raw.windows(18).any(|w| w == &secret[..18]),
            "the number is not in the file"
        );
        assert_eq!(read(&out, "correct horse", 1 << 20).unwrap(), secret);
        assert!(read(&out, "wrong horse!", 1 << 20).is_err());
        assert!(matches!(
            read(&out, "correct horse", 4),
            Err(CoreError::LimitExceeded { .. })
        ));
    }
}
