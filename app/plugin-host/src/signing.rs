//! Ed25519 signing of plugin files.
//!
//! A province signs its `.wasm` with its private key and ships a detached
//! `.wasm.sig`. A county admin trusts the province's public key; the host
//! then refuses any plugin whose signature does not verify against a trusted
//! key, unless developer mode is on.
//!
//! Files:
//! - key file: the signing key as PKCS#8 PEM (keep it secret);
//! - signature file: three lines, `hutong-plugin-signature-v1`,
//!   `key: <base64 public key>`, `sig: <base64 signature over the wasm bytes>`.

use crate::error::PluginError;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::path::{Path, PathBuf};

pub use ed25519_dalek::SigningKey as Ed25519SigningKey;

const SIG_HEADER: &str = "hutong-plugin-signature-v1";

/// The detached signature path for a plugin file.
pub fn signature_path(wasm: &Path) -> PathBuf {
    let mut s = wasm.as_os_str().to_owned();
    s.push(".sig");
    PathBuf::from(s)
}

/// Creates a key, writes it to `key_file` (PKCS#8 PEM), returns the public key (base64).
pub fn keygen(key_file: &Path) -> Result<String, PluginError> {
    let key = SigningKey::generate(&mut rand_core::OsRng);
    let pem = key
        .to_pkcs8_pem(Default::default())
        .map_err(|e| PluginError::BadKeyFile {
            path: key_file.to_path_buf(),
            reason: e.to_string(),
        })?;
    // A private key: never over an existing file, readable by the owner only.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(key_file).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            PluginError::BadKeyFile {
                path: key_file.to_path_buf(),
                reason: "文件已存在，不会覆盖已有密钥".into(),
            }
        } else {
            PluginError::Read {
                path: key_file.to_path_buf(),
                source,
            }
        }
    })?;
    std::io::Write::write_all(&mut file, pem.as_bytes()).map_err(|source| PluginError::Read {
        path: key_file.to_path_buf(),
        source,
    })?;
    Ok(B64.encode(key.verifying_key().as_bytes()))
}

fn read_key(key_file: &Path) -> Result<SigningKey, PluginError> {
    let pem = std::fs::read_to_string(key_file).map_err(|source| PluginError::Read {
        path: key_file.to_path_buf(),
        source,
    })?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|e| PluginError::BadKeyFile {
        path: key_file.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Signs a plugin file, writing `PLUGIN.wasm.sig`. Returns the signature path.
pub fn sign(key_file: &Path, wasm: &Path) -> Result<PathBuf, PluginError> {
    sign_with_key(&read_key(key_file)?, wasm)
}

/// The public key (base64) of a key file, e.g. to name a key being retired.
pub fn public_key_of_file(key_file: &Path) -> Result<String, PluginError> {
    Ok(public_key_b64(&read_key(key_file)?))
}

/// A signing key's public key as base64, as in signature files.
pub fn public_key_b64(key: &SigningKey) -> String {
    B64.encode(key.verifying_key().as_bytes())
}

/// Signs any file with a key held in memory (the county key lives inside
/// the encrypted database), writing `FILE.sig` in the same format as
/// plugin signatures. Returns the signature path.
pub fn sign_with_key(key: &SigningKey, file: &Path) -> Result<PathBuf, PluginError> {
    let bytes = std::fs::read(file).map_err(|source| PluginError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let sig = key.sign(&bytes);
    let text = format!(
        "{SIG_HEADER}\nkey: {}\nsig: {}\n",
        public_key_b64(key),
        B64.encode(sig.to_bytes())
    );
    let path = signature_path(file);
    std::fs::write(&path, text).map_err(|source| PluginError::Read {
        path: path.clone(),
        source,
    })?;
    Ok(path)
}

/// Parses a base64 public key.
pub fn parse_public_key(b64: &str) -> Result<VerifyingKey, String> {
    let bytes = B64
        .decode(b64.trim())
        .map_err(|e| format!("不是有效的 base64：{e}"))?;
    let arr: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("公钥应为32字节，实际为{}字节", bytes.len()))?;
    VerifyingKey::from_bytes(&arr).map_err(|e| format!("不是有效的 Ed25519 公钥：{e}"))
}

/// A signature file is three short lines; anything larger is not one.
const MAX_SIGNATURE_BYTES: u64 = 4096;

fn read_signature_file(sig_path: &Path) -> std::io::Result<String> {
    let len = std::fs::metadata(sig_path)?.len();
    if len > MAX_SIGNATURE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("签名文件超过 {MAX_SIGNATURE_BYTES} 字节，不是护童签名文件"),
        ));
    }
    std::fs::read_to_string(sig_path)
}

/// The public key (base64) a plugin's signature file names, without
/// checking the signature: to say which key signed a plugin that no longer
/// verifies (e.g. a revoked one). `None` when there is no readable
/// signature file.
pub fn claimed_key(wasm_path: &Path) -> Option<String> {
    let text = read_signature_file(&signature_path(wasm_path)).ok()?;
    let mut lines = text.lines();
    if lines.next() != Some(SIG_HEADER) {
        return None;
    }
    lines
        .find_map(|l| l.strip_prefix("key: "))
        .map(|k| k.trim().to_string())
}

/// Verifies `wasm` bytes against its detached signature and the trusted
/// keys. Returns the base64 public key that signed it.
pub fn verify(wasm_path: &Path, wasm: &[u8], trusted: &[String]) -> Result<String, PluginError> {
    let sig_path = signature_path(wasm_path);
    let text = match read_signature_file(&sig_path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PluginError::Unsigned {
                path: wasm_path.to_path_buf(),
                sig: sig_path,
            });
        }
        Err(source) => {
            return Err(PluginError::Read {
                path: sig_path,
                source,
            });
        }
    };
    let bad = |reason: String| PluginError::BadSignature {
        path: wasm_path.to_path_buf(),
        reason,
    };
    let mut lines = text.lines();
    if lines.next() != Some(SIG_HEADER) {
        return Err(bad(format!("{} 不是护童签名文件", sig_path.display())));
    }
    let mut key_b64 = None;
    let mut sig_b64 = None;
    for line in lines {
        if let Some(v) = line.strip_prefix("key: ") {
            key_b64 = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("sig: ") {
            sig_b64 = Some(v.trim().to_string());
        }
    }
    let (Some(key_b64), Some(sig_b64)) = (key_b64, sig_b64) else {
        return Err(bad("签名文件缺少 key 或 sig".into()));
    };
    if !trusted.iter().any(|t| t.trim() == key_b64) {
        return Err(bad(format!("签名公钥 {key_b64} 不在本县信任的公钥中")));
    }
    let key = parse_public_key(&key_b64).map_err(bad)?;
    let sig_bytes = B64
        .decode(&sig_b64)
        .map_err(|e| bad(format!("签名不是有效的 base64：{e}")))?;
    let sig = Signature::from_slice(&sig_bytes).map_err(|e| bad(format!("签名格式错误：{e}")))?;
    key.verify(wasm, &sig)
        .map_err(|_| bad("签名与文件内容不符（文件可能被篡改）".into()))?;
    Ok(key_b64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keygen_is_create_new_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.pem");
        let public = keygen(&key).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let before = std::fs::read(&key).unwrap();
        let again = keygen(&key).unwrap_err().to_string();
        assert!(again.contains("不会覆盖"), "{again}");
        assert_eq!(std::fs::read(&key).unwrap(), before);
        assert_eq!(public_key_of_file(&key).unwrap(), public);
    }

    #[test]
    fn a_key_in_memory_signs_like_a_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("统计.json");
        std::fs::write(&file, b"{}").unwrap();
        let key = SigningKey::from_bytes(&[7u8; 32]);
        sign_with_key(&key, &file).unwrap();
        let public = public_key_b64(&key);
        assert_eq!(
            verify(&file, b"{}", std::slice::from_ref(&public)).unwrap(),
            public
        );
        assert!(verify(&file, b"{ }", &[public]).is_err());
    }
}
