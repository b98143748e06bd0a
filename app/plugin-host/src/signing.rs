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
    let key = read_key(key_file)?;
    let bytes = std::fs::read(wasm).map_err(|source| PluginError::Read {
        path: wasm.to_path_buf(),
        source,
    })?;
    let sig = key.sign(&bytes);
    let text = format!(
        "{SIG_HEADER}\nkey: {}\nsig: {}\n",
        B64.encode(key.verifying_key().as_bytes()),
        B64.encode(sig.to_bytes())
    );
    let path = signature_path(wasm);
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

/// Verifies `wasm` bytes against its detached signature and the trusted
/// keys. Returns the base64 public key that signed it.
pub fn verify(wasm_path: &Path, wasm: &[u8], trusted: &[String]) -> Result<String, PluginError> {
    let sig_path = signature_path(wasm_path);
    let text = match std::fs::read_to_string(&sig_path) {
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
