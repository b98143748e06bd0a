//! The database's data key and the key slots that unlock it.
//!
//! Every county database is encrypted with SQLCipher under a random 256-bit
//! *data key*, used as a raw key (`PRAGMA key = "x'…'"`), so opening costs
//! no key derivation inside SQLite. The data key itself is never stored in
//! clear: it sits in the key file beside the database (`county.db.keys`),
//! wrapped once per account (a *slot*) and once for the county's recovery
//! code. A slot's wrapping key is derived from the password with Argon2id
//! (64 MiB, t=3) and the data key is sealed with XChaCha20-Poly1305, the
//! account id as associated data, so a slot cannot be moved to another
//! account. A password change rewraps one slot; nothing is re-encrypted.
//!
//! The key file is not secret (everything in it is sealed) but it is needed:
//! without it, only the recovery code opens the database. Backups carry a
//! copy of it. Its lock-out counters are not authenticated: someone who can
//! write the file can reset them, but such a person can also copy the file
//! and guess offline, where the Argon2id cost is the protection.

use crate::error::{CoreError, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The random key SQLCipher encrypts the database with. Zeroised on drop.
#[derive(Clone)]
pub struct DataKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material, not even in a debug dump.
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    pub(crate) fn random() -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        DataKey(key)
    }

    /// The `PRAGMA key` value: a raw key as an SQL blob literal.
    pub(crate) fn pragma_value(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }

    /// A sub-key for one purpose (the audit MAC, row digests), so the data
    /// key itself is used for nothing but the file.
    pub(crate) fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(b"hutong-subkey-v1|");
        mac.update(purpose.as_bytes());
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&mac.finalize().into_bytes());
        out
    }
}

/// The key file's format version; a newer one is refused, not guessed at.
const KEYFILE_FORMAT: u32 = 1;
/// Argon2id cost for slot keys (SECURITY §2–3: at least 64 MiB, t=3).
const ARGON_M_KIB: u32 = 64 * 1024;
const ARGON_T: u32 = 3;
const ARGON_P: u32 = 1;
/// Five wrong passwords in a row lock the account for 5 minutes, then 10,
/// 20 … at most a day (the same rule as the account table's).
const LOCK_AFTER_FAILURES: u32 = 5;
const FIRST_LOCK_MINUTES: i64 = 5;
const MAX_LOCK_MINUTES: i64 = 24 * 60;
/// Failed attempts kept for the audit log until the next successful open.
const MAX_PENDING_ATTEMPTS: usize = 1_000;
/// A key file larger than this is not ours.
const MAX_KEYFILE_BYTES: u64 = 4 * 1024 * 1024;

/// The key file beside a database: `county.db` → `county.db.keys`.
pub fn keyfile_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push(".keys");
    PathBuf::from(name)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slot {
    /// Which account: a keyed hash of the user name, so the file does not
    /// list the county's account names.
    label: String,
    /// The account's row id, bound into the seal as associated data.
    account: String,
    salt: String,
    m_kib: u32,
    t: u32,
    p: u32,
    nonce: String,
    sealed: String,
    #[serde(default)]
    failures_in_a_row: u32,
    #[serde(default)]
    locked_until: Option<String>,
    #[serde(default)]
    lockouts: u32,
}

/// A wrong password or unknown name, kept until the database is next opened
/// and written into the audit log then.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FailedAttempt {
    pub username: String,
    pub at: String,
    /// The account was locked by this attempt (until this time).
    #[serde(default)]
    pub locked_until: Option<String>,
    /// The account was already locked: refused without checking.
    #[serde(default)]
    pub while_locked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    format: u32,
    /// Salt for the slot labels.
    label_salt: String,
    /// A demo database: the log-in screen may name the demo accounts.
    #[serde(default)]
    demo: bool,
    slots: Vec<Slot>,
    recovery: Option<Slot>,
    #[serde(default)]
    failed_attempts: Vec<FailedAttempt>,
}

/// The key file of one database, loaded.
#[derive(Debug, Clone)]
pub struct KeyRing {
    path: PathBuf,
    file: KeyFile,
}

/// What unlocking found.
pub struct Unlocked {
    pub key: DataKey,
    /// The account id the slot was sealed for.
    pub account: String,
}

fn normalise(username: &str) -> String {
    username.trim().to_lowercase()
}

fn argon(m_kib: u32, t: u32, p: u32) -> Result<Argon2<'static>> {
    let params = Params::new(m_kib, t, p, Some(32))
        .map_err(|e| CoreError::KeyFile(format!("密钥参数无效：{e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn wrapping_key(
    secret: &[u8],
    salt: &[u8],
    m_kib: u32,
    t: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>> {
    // A slot from a tampered file must not make us allocate gigabytes.
    if m_kib > 1024 * 1024 || t > 20 || p > 8 {
        return Err(CoreError::KeyFile("密钥参数超出允许范围".into()));
    }
    let mut out = Zeroizing::new([0u8; 32]);
    argon(m_kib, t, p)?
        .hash_password_into(secret, salt, out.as_mut())
        .map_err(|e| CoreError::KeyFile(format!("密钥派生失败：{e}")))?;
    Ok(out)
}

fn aad(kind: &str, account: &str) -> Vec<u8> {
    format!("hutong-key-slot-v1|{kind}|{account}").into_bytes()
}

fn seal(key: &DataKey, secret: &[u8], kind: &str, account: &str, label: String) -> Result<Slot> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let mut nonce = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let wrap = wrapping_key(secret, &salt, ARGON_M_KIB, ARGON_T, ARGON_P)?;
    let cipher = XChaCha20Poly1305::new(wrap.as_ref().into());
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.0.as_ref(),
                aad: &aad(kind, account),
            },
        )
        .map_err(|_| CoreError::KeyFile("无法封装数据密钥".into()))?;
    Ok(Slot {
        label,
        account: account.to_string(),
        salt: hex::encode(salt),
        m_kib: ARGON_M_KIB,
        t: ARGON_T,
        p: ARGON_P,
        nonce: hex::encode(nonce),
        sealed: hex::encode(sealed),
        failures_in_a_row: 0,
        locked_until: None,
        lockouts: 0,
    })
}

/// `None` for a wrong secret; an error only for a malformed slot.
fn open_slot(slot: &Slot, secret: &[u8], kind: &str) -> Result<Option<DataKey>> {
    let bad = |what: &str| CoreError::KeyFile(format!("密钥槽的{what}格式错误"));
    let salt = hex::decode(&slot.salt).map_err(|_| bad("盐值"))?;
    let nonce = hex::decode(&slot.nonce).map_err(|_| bad("随机数"))?;
    let sealed = hex::decode(&slot.sealed).map_err(|_| bad("密文"))?;
    if nonce.len() != 24 || salt.len() < 8 || sealed.len() != 48 {
        return Err(bad("长度"));
    }
    let wrap = wrapping_key(secret, &salt, slot.m_kib, slot.t, slot.p)?;
    let cipher = XChaCha20Poly1305::new(wrap.as_ref().into());
    let Ok(plain) = cipher.decrypt(
        XNonce::from_slice(&nonce),
        Payload {
            msg: &sealed,
            aad: &aad(kind, &slot.account),
        },
    ) else {
        return Ok(None);
    };
    let plain = Zeroizing::new(plain);
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&plain);
    Ok(Some(DataKey(key)))
}

/// A fixed slot to open when the name is unknown, so an unknown name costs
/// as much time as a wrong password and timing does not reveal accounts.
fn decoy_slot() -> Result<&'static Slot> {
    static DECOY: std::sync::OnceLock<Option<Slot>> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| seal(&DataKey::random(), b"decoy", "user", "decoy", String::new()).ok())
        .as_ref()
        .ok_or_else(|| CoreError::KeyFile("无法准备密钥".into()))
}

fn now_text(now: chrono::DateTime<chrono::FixedOffset>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

impl KeyRing {
    /// A new key file for a new database (not yet written).
    pub(crate) fn new(db: &Path, demo: bool) -> Self {
        let mut salt = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        KeyRing {
            path: keyfile_path(db),
            file: KeyFile {
                format: KEYFILE_FORMAT,
                label_salt: hex::encode(salt),
                demo,
                slots: Vec::new(),
                recovery: None,
                failed_attempts: Vec::new(),
            },
        }
    }

    /// Runs `f` on the key file beside `db` while holding its lock, so two
    /// processes (the workstation and a command, say) never lose each
    /// other's changes to it. `f` saves what it changes.
    pub fn locked<T>(db: &Path, f: impl FnOnce(&mut KeyRing) -> Result<T>) -> Result<T> {
        let mut name = keyfile_path(db).into_os_string();
        name.push(".lock");
        let lock_path = PathBuf::from(name);
        let lock = crate::files::create_private_keep(&lock_path)?;
        lock.lock().map_err(|source| CoreError::Io {
            path: lock_path.clone(),
            source,
        })?;
        let mut ring = KeyRing::load(db)?;
        let out = f(&mut ring);
        let _ = lock.unlock();
        out
    }

    /// Whether the database at `db` has a key file.
    pub fn exists(db: &Path) -> bool {
        keyfile_path(db).exists()
    }

    /// Loads the key file beside `db`.
    pub fn load(db: &Path) -> Result<Self> {
        Self::load_file(&keyfile_path(db))
    }

    /// Loads a key file by its own path (a backup's copy).
    pub fn load_file(path: &Path) -> Result<Self> {
        let missing = || {
            CoreError::KeyFile(format!(
                "找不到密钥文件 {}（它与数据库放在一起，备份中另有一份）",
                path.display()
            ))
        };
        let meta = std::fs::metadata(path).map_err(|_| missing())?;
        if meta.len() > MAX_KEYFILE_BYTES {
            return Err(CoreError::KeyFile(format!(
                "{} 过大，不是护童的密钥文件",
                path.display()
            )));
        }
        let bytes = std::fs::read(path).map_err(|_| missing())?;
        let file: KeyFile = serde_json::from_slice(&bytes).map_err(|e| {
            CoreError::KeyFile(format!(
                "{} 已损坏或不是护童的密钥文件：{e}",
                path.display()
            ))
        })?;
        if file.format != KEYFILE_FORMAT {
            return Err(CoreError::KeyFile(format!(
                "{} 的格式版本为 {}，本程序只支持 {KEYFILE_FORMAT}；请升级护童",
                path.display(),
                file.format
            )));
        }
        Ok(KeyRing {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Writes the key file: owner-only, to a temporary name, synced, then
    /// renamed over the old one, so a crash leaves the old or the new file.
    pub fn save(&self) -> Result<()> {
        let json = serde_json::to_vec_pretty(&self.file)
            .map_err(|e| CoreError::KeyFile(format!("无法写出密钥文件：{e}")))?;
        crate::files::write_atomic(&self.path, &json)
    }

    /// A copy of this key file at another path (beside a backup).
    pub fn save_copy(&self, path: &Path) -> Result<()> {
        let mut copy = self.clone();
        copy.path = path.to_path_buf();
        // Pending failures belong to the live database's audit log only.
        copy.file.failed_attempts.clear();
        copy.save()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_demo(&self) -> bool {
        self.file.demo
    }

    fn label(&self, username: &str) -> String {
        let salt = hex::decode(&self.file.label_salt).unwrap_or_default();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&salt)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        mac.update(normalise(username).as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Seals `key` for an account (replacing its old slot).
    pub(crate) fn set_slot(
        &mut self,
        key: &DataKey,
        account: &str,
        username: &str,
        password: &str,
    ) -> Result<()> {
        let label = self.label(username);
        let slot = seal(key, password.as_bytes(), "user", account, label.clone())?;
        self.file
            .slots
            .retain(|s| s.label != label && s.account != account);
        self.file.slots.push(slot);
        Ok(())
    }

    /// Removes an account's slot (a disabled account cannot open the file).
    pub(crate) fn remove_slot(&mut self, account: &str) {
        self.file.slots.retain(|s| s.account != account);
    }

    pub fn has_slot(&self, username: &str) -> bool {
        let label = self.label(username);
        self.file.slots.iter().any(|s| s.label == label)
    }

    /// Makes a new recovery code and seals `key` with it. The code is
    /// returned once, to be shown to the administrator and printed.
    pub(crate) fn new_recovery(&mut self, key: &DataKey) -> Result<Zeroizing<String>> {
        let mut secret = Zeroizing::new([0u8; 20]);
        rand::rngs::OsRng.fill_bytes(secret.as_mut());
        let code = Zeroizing::new(format_recovery(
            &data_encoding::BASE32_NOPAD.encode(secret.as_ref()),
        ));
        self.file.recovery = Some(seal(
            key,
            canonical_recovery(&code).as_bytes(),
            "recovery",
            "county",
            String::new(),
        )?);
        Ok(code)
    }

    /// Opens the data key with the recovery code.
    pub fn unlock_with_recovery(&self, code: &str) -> Result<DataKey> {
        let slot = self
            .file
            .recovery
            .as_ref()
            .ok_or_else(|| CoreError::KeyFile("此数据库没有恢复码".into()))?;
        open_slot(slot, canonical_recovery(code).as_bytes(), "recovery")?
            .ok_or(CoreError::BadRecoveryCode)
    }

    /// Opens the data key with an account's password, counting wrong
    /// passwords toward a lock. The key file is saved when counters change.
    pub fn unlock(
        &mut self,
        username: &str,
        password: &str,
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<Unlocked> {
        let label = self.label(username);
        let Some(index) = self.file.slots.iter().position(|s| s.label == label) else {
            let _ = open_slot(decoy_slot()?, password.as_bytes(), "user");
            self.record_failure(username, now, None, false)?;
            return Err(CoreError::BadCredentials);
        };
        let locked = self.file.slots[index]
            .locked_until
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .filter(|until| *until > now);
        let opened = open_slot(&self.file.slots[index], password.as_bytes(), "user")?;
        if let Some(until) = locked {
            self.record_failure(username, now, None, true)?;
            return Err(CoreError::AccountLocked {
                username: username.trim().to_string(),
                until: until.format("%Y-%m-%d %H:%M:%S").to_string(),
            });
        }
        match opened {
            Some(key) => {
                let slot = &mut self.file.slots[index];
                if slot.failures_in_a_row > 0 || slot.locked_until.is_some() {
                    slot.failures_in_a_row = 0;
                    slot.locked_until = None;
                    self.save()?;
                }
                Ok(Unlocked {
                    key,
                    account: self.file.slots[index].account.clone(),
                })
            }
            None => {
                let slot = &mut self.file.slots[index];
                slot.failures_in_a_row += 1;
                let mut locked_until = None;
                if slot.failures_in_a_row >= LOCK_AFTER_FAILURES {
                    let minutes =
                        (FIRST_LOCK_MINUTES << slot.lockouts.min(10)).min(MAX_LOCK_MINUTES);
                    let until = now + chrono::Duration::minutes(minutes);
                    slot.failures_in_a_row = 0;
                    slot.lockouts += 1;
                    slot.locked_until = Some(now_text(until));
                    locked_until = Some(until);
                }
                self.record_failure(username, now, locked_until.map(now_text), false)?;
                match locked_until {
                    Some(until) => Err(CoreError::AccountLocked {
                        username: username.trim().to_string(),
                        until: until.format("%Y-%m-%d %H:%M:%S").to_string(),
                    }),
                    None => Err(CoreError::BadCredentials),
                }
            }
        }
    }

    fn record_failure(
        &mut self,
        username: &str,
        now: chrono::DateTime<chrono::FixedOffset>,
        locked_until: Option<String>,
        while_locked: bool,
    ) -> Result<()> {
        if self.file.failed_attempts.len() < MAX_PENDING_ATTEMPTS {
            // Only the first few hundred characters of a typed name.
            let username: String = username.trim().chars().take(64).collect();
            self.file.failed_attempts.push(FailedAttempt {
                username,
                at: now_text(now),
                locked_until,
                while_locked,
            });
        }
        self.save()
    }

    /// The failed attempts since the database was last opened, for the
    /// audit log; they are removed from the file once taken.
    pub(crate) fn pending_attempts(&self) -> &[FailedAttempt] {
        &self.file.failed_attempts
    }

    /// Removes the first `n` pending attempts (those just written into the
    /// audit log; any that arrived since stay).
    pub(crate) fn clear_pending_attempts(&mut self, n: usize) {
        let n = n.min(self.file.failed_attempts.len());
        self.file.failed_attempts.drain(..n);
    }
}

/// `ABCD-EFGH-…`: groups of four are easier to copy from paper.
fn format_recovery(raw: &str) -> String {
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed code with dashes, spaces and lower case accepted. The code's
/// alphabet (A–Z, 2–7) has no 0, 1 or 8, so those are read as the letters
/// they are mistaken for on paper.
fn canonical_recovery(code: &str) -> Zeroizing<String> {
    Zeroizing::new(
        code.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| match c.to_ascii_uppercase() {
                '0' => 'O',
                '1' => 'I',
                '8' => 'B',
                other => other,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> chrono::DateTime<chrono::FixedOffset> {
        chrono::DateTime::parse_from_rfc3339("2026-12-07T10:00:00+08:00").unwrap_or_default()
    }

    #[test]
    fn a_slot_opens_with_its_password_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let key = DataKey::random();
        let mut ring = KeyRing::new(&db, false);
        ring.set_slot(&key, "acc-1", "Admin", "right password")
            .unwrap();
        ring.save().unwrap();
        // The file does not list account names.
        let text = std::fs::read_to_string(keyfile_path(&db)).unwrap();
        assert!(!text.to_lowercase().contains("admin"), "{text}");
        let mut ring = KeyRing::load(&db).unwrap();
        let opened = ring.unlock(" admin ", "right password", now()).unwrap();
        assert_eq!(opened.key.0.as_ref(), key.0.as_ref());
        assert_eq!(opened.account, "acc-1");
        assert!(matches!(
            ring.unlock("admin", "wrong", now()),
            Err(CoreError::BadCredentials)
        ));
        assert!(matches!(
            ring.unlock("nobody", "right password", now()),
            Err(CoreError::BadCredentials)
        ));
        assert_eq!(ring.pending_attempts().len(), 2);
    }

    #[test]
    fn a_slot_moved_to_another_account_does_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let key = DataKey::random();
        let mut ring = KeyRing::new(&db, false);
        ring.set_slot(&key, "acc-1", "a", "pw-a-123456").unwrap();
        ring.file.slots[0].account = "acc-2".into();
        assert!(matches!(
            ring.unlock("a", "pw-a-123456", now()),
            Err(CoreError::BadCredentials)
        ));
    }

    #[test]
    fn five_wrong_passwords_lock_the_slot() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let key = DataKey::random();
        let mut ring = KeyRing::new(&db, false);
        ring.set_slot(&key, "acc-1", "a", "pw-a-123456").unwrap();
        for _ in 0..4 {
            assert!(matches!(
                ring.unlock("a", "nope", now()),
                Err(CoreError::BadCredentials)
            ));
        }
        assert!(matches!(
            ring.unlock("a", "nope", now()),
            Err(CoreError::AccountLocked { .. })
        ));
        assert!(matches!(
            ring.unlock("a", "pw-a-123456", now()),
            Err(CoreError::AccountLocked { .. })
        ));
        let later = now() + chrono::Duration::minutes(6);
        assert!(ring.unlock("a", "pw-a-123456", later).is_ok());
        assert!(
            ring.pending_attempts()
                .iter()
                .any(|a| a.locked_until.is_some())
        );
    }

    #[test]
    fn the_recovery_code_opens_the_key_typed_loosely() {
        let dir = tempfile::tempdir().unwrap();
        let key = DataKey::random();
        let mut ring = KeyRing::new(&dir.path().join("c.db"), false);
        let code = ring.new_recovery(&key).unwrap();
        assert_eq!(canonical_recovery(&code).len(), 32);
        let typed = code
            .to_lowercase()
            .replace('-', " ")
            .replace('o', "0")
            .replace('i', "1");
        assert_eq!(
            ring.unlock_with_recovery(&typed).unwrap().0.as_ref(),
            key.0.as_ref()
        );
        assert!(matches!(
            ring.unlock_with_recovery("AAAA-BBBB"),
            Err(CoreError::BadRecoveryCode)
        ));
    }
}
