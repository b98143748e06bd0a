//! On-disk cache of compiled plugin code, authenticated by the caller.
//!
//! Compiling a 100 KB component costs about 150 ms; loading the serialized
//! artifact costs about a millisecond. The file is keyed by the wasm's
//! SHA-256 plus wasmtime's compatibility hash, so a wasmtime upgrade or
//! different CPU features never load stale code.
//!
//! A cache entry is native code that `Component::deserialize` runs outside
//! the sandbox, and the folder it lives in is not protected the way the
//! encrypted database is. So an entry is trusted only when its own SHA-256
//! (of the serialized bytes) was recorded, by Hutong, for this wasm: the
//! caller supplies a [`CacheTrust`] (the services crate keeps the records
//! inside the encrypted database). The file is read into memory once, hashed,
//! checked and deserialised from that same buffer. Anything else, a missing
//! record, an entry recorded for another module, random bytes, an entry
//! wasmtime refuses, is a miss: the wasm is compiled again, the entry is
//! overwritten and its hash recorded. Without a `CacheTrust` the disk is not
//! touched at all.

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use wasmtime::Engine;
use wasmtime::component::Component;

/// Entries larger than this are not ours (a compiled province plugin is a
/// few MiB); they are a miss and are never read into memory.
const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;

/// Which compiled-code cache entries may be loaded. Implemented by the
/// caller that owns a trustworthy store (the encrypted county database);
/// the hashes are lowercase hex SHA-256.
pub trait CacheTrust {
    /// Whether `entry_sha256` was recorded for the wasm whose hash is
    /// `wasm_sha256`.
    fn is_trusted(&self, wasm_sha256: &str, entry_sha256: &str) -> bool;
    /// Records an entry just written for `wasm_sha256`. An error is logged
    /// and the entry removed (it will simply be a miss next time).
    fn record(&self, wasm_sha256: &str, entry_sha256: &str) -> Result<(), String>;
}

/// Trusts the entries this process wrote itself, for tests, benchmarks and
/// `hutong plugin test` (nothing outlives the process).
#[derive(Debug, Default)]
pub struct MemoryTrust {
    entries: Mutex<HashSet<(String, String)>>,
}

impl CacheTrust for MemoryTrust {
    fn is_trusted(&self, wasm_sha256: &str, entry_sha256: &str) -> bool {
        self.entries
            .lock()
            .is_ok_and(|e| e.contains(&(wasm_sha256.to_string(), entry_sha256.to_string())))
    }

    fn record(&self, wasm_sha256: &str, entry_sha256: &str) -> Result<(), String> {
        self.entries
            .lock()
            .map_err(|_| "缓存记录表已损坏".to_string())?
            .insert((wasm_sha256.to_string(), entry_sha256.to_string()));
        Ok(())
    }
}

pub(crate) struct CompiledCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

/// How a component was obtained (reported for benchmarks and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Deserialised from a cache entry whose hash was recorded for this wasm.
    Hit,
    /// Compiled; the entry was (re)written and recorded.
    Miss,
    /// Compiled; no cache folder, or no [`CacheTrust`] to check entries with.
    Disabled,
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl CompiledCache {
    pub fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        CompiledCache {
            dir,
            engine_key: format!("{:016x}", h.finish()),
        }
    }

    fn path_for(&self, dir: &Path, wasm_sha: &str) -> PathBuf {
        dir.join(format!("{wasm_sha}-{}.cwasm", self.engine_key))
    }

    /// The entry's bytes if the file exists, is of a sane size, and its hash
    /// was recorded for this wasm. `None` is a miss.
    fn trusted_entry(path: &Path, wasm_sha: &str, trust: &dyn CacheTrust) -> Option<Vec<u8>> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_ENTRY_BYTES {
            tracing::warn!(path = %path.display(), "cache entry is not a plain file of sane size; recompiling");
            return None;
        }
        // Read into memory rather than mmap the file: a file truncated or
        // rewritten under a live mapping would crash the process (SIGBUS),
        // and the bytes hashed must be the bytes deserialised.
        let bytes = std::fs::read(path).ok()?;
        let entry_sha = sha256_hex(&bytes);
        if trust.is_trusted(wasm_sha, &entry_sha) {
            Some(bytes)
        } else {
            tracing::warn!(path = %path.display(), "cache entry not recorded for this plugin; recompiling");
            None
        }
    }

    /// Returns the component, compiled or from the cache. With no folder or
    /// no `trust`, the wasm is compiled and nothing is read or written.
    pub fn load(
        &self,
        engine: &Engine,
        wasm: &[u8],
        trust: Option<&dyn CacheTrust>,
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let (Some(dir), Some(trust)) = (&self.dir, trust) else {
            return Ok((Component::new(engine, wasm)?, CacheOutcome::Disabled));
        };
        let wasm_sha = sha256_hex(wasm);
        let path = self.path_for(dir, &wasm_sha);
        if let Some(bytes) = Self::trusted_entry(&path, &wasm_sha, trust) {
            // SAFETY: `bytes` hash to a value Hutong recorded (in the
            // encrypted database) when it serialised this very wasm with an
            // engine of the same compatibility hash (it is in the file
            // name); they were read once into memory, so they cannot change
            // between the check and this call. wasmtime also checks the
            // header and refuses mismatched artifacts.
            match unsafe { Component::deserialize(engine, &bytes) } {
                Ok(c) => return Ok((c, CacheOutcome::Hit)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "bad cache entry; recompiling");
                }
            }
        }
        let component = Component::new(engine, wasm)?;
        match component.serialize() {
            Ok(bytes) => self.store_entry(dir, &path, &wasm_sha, &bytes, trust),
            Err(e) => tracing::warn!(error = %e, "could not serialise compiled plugin"),
        }
        Ok((component, CacheOutcome::Miss))
    }

    /// Writes an entry (owner-only, atomically, replacing whatever was
    /// there) and records its hash. A failure only costs a compile later.
    fn store_entry(
        &self,
        dir: &Path,
        path: &Path,
        wasm_sha: &str,
        bytes: &[u8],
        trust: &dyn CacheTrust,
    ) {
        if let Err(e) = std::fs::create_dir_all(dir) {
            tracing::warn!(dir = %dir.display(), error = %e, "cannot create plugin cache folder");
            return;
        }
        if let Err(e) = hutong_core::files::write_atomic(path, bytes) {
            tracing::warn!(path = %path.display(), error = %e, "cannot write plugin cache entry");
            return;
        }
        if let Err(e) = trust.record(wasm_sha, &sha256_hex(bytes)) {
            tracing::warn!(path = %path.display(), error = %e, "cannot record plugin cache entry; removing it");
            let _ = std::fs::remove_file(path);
        }
    }

    /// The entry path for a wasm (tests swap and corrupt entries).
    pub fn entry_path(&self, wasm: &[u8]) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|dir| self.path_for(dir, &sha256_hex(wasm)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A component holding one core module whose function returns `n`, so
    /// each `n` compiles to different native code. Hand-assembled: the
    /// crate has no `wat` parser.
    pub(crate) fn tiny_component(n: u8) -> Vec<u8> {
        assert!(n < 64, "one-byte signed LEB128");
        // (module (func (export "f") (result i32) i32.const n))
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend_from_slice(&[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f]); // type
        module.extend_from_slice(&[0x03, 0x02, 0x01, 0x00]); // func
        module.extend_from_slice(&[0x07, 0x05, 0x01, 0x01, b'f', 0x00, 0x00]); // export
        module.extend_from_slice(&[0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, n, 0x0b]); // code
        let mut component = b"\0asm\x0d\0\x01\0".to_vec();
        component.push(0x01); // core module section
        component.push(u8::try_from(module.len()).unwrap());
        component.extend_from_slice(&module);
        component
    }

    fn engine() -> Engine {
        let mut cfg = wasmtime::Config::new();
        cfg.wasm_component_model(true);
        Engine::new(&cfg).unwrap()
    }

    #[test]
    fn hand_built_components_compile_and_differ() {
        let engine = engine();
        let a = Component::new(&engine, tiny_component(1)).unwrap();
        let b = Component::new(&engine, tiny_component(2)).unwrap();
        assert_ne!(a.serialize().unwrap(), b.serialize().unwrap());
    }

    #[test]
    fn only_recorded_entries_for_the_same_wasm_are_loaded() {
        let engine = engine();
        let dir = tempfile::tempdir().unwrap();
        let cache = CompiledCache::new(&engine, Some(dir.path().to_path_buf()));
        let trust = MemoryTrust::default();
        let (a, b) = (tiny_component(1), tiny_component(2));

        // First load compiles and records; the second is a hit.
        assert_eq!(
            cache.load(&engine, &a, Some(&trust)).unwrap().1,
            CacheOutcome::Miss
        );
        assert_eq!(
            cache.load(&engine, &a, Some(&trust)).unwrap().1,
            CacheOutcome::Hit
        );
        let path_a = cache.entry_path(&a).unwrap();
        let entry_a = std::fs::read(&path_a).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path_a).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "cache entries are owner-only");
        }

        // Without a trust, nothing is read or written.
        assert_eq!(
            cache.load(&engine, &b, None).unwrap().1,
            CacheOutcome::Disabled
        );
        let path_b = cache.entry_path(&b).unwrap();
        assert!(!path_b.exists());

        // A's valid, recorded entry placed where B's belongs: a miss, B is
        // compiled, its own entry overwrites the planted one.
        std::fs::write(&path_b, &entry_a).unwrap();
        assert_eq!(
            cache.load(&engine, &b, Some(&trust)).unwrap().1,
            CacheOutcome::Miss
        );
        let entry_b = std::fs::read(&path_b).unwrap();
        assert_ne!(entry_b, entry_a);
        assert_eq!(
            cache.load(&engine, &b, Some(&trust)).unwrap().1,
            CacheOutcome::Hit
        );

        // Random bytes, and a valid entry of the same module that was never
        // recorded (another process's trust): misses, then hits again.
        std::fs::write(&path_a, b"not compiled code at all").unwrap();
        assert_eq!(
            cache.load(&engine, &a, Some(&trust)).unwrap().1,
            CacheOutcome::Miss
        );
        let other = MemoryTrust::default();
        assert_eq!(
            cache.load(&engine, &a, Some(&other)).unwrap().1,
            CacheOutcome::Miss
        );
        assert_eq!(
            cache.load(&engine, &a, Some(&other)).unwrap().1,
            CacheOutcome::Hit
        );
    }

    #[test]
    fn an_entry_that_cannot_be_recorded_is_removed() {
        struct Refuses;
        impl CacheTrust for Refuses {
            fn is_trusted(&self, _: &str, _: &str) -> bool {
                false
            }
            fn record(&self, _: &str, _: &str) -> Result<(), String> {
                Err("只读".into())
            }
        }
        let engine = engine();
        let dir = tempfile::tempdir().unwrap();
        let cache = CompiledCache::new(&engine, Some(dir.path().to_path_buf()));
        let a = tiny_component(3);
        assert_eq!(
            cache.load(&engine, &a, Some(&Refuses)).unwrap().1,
            CacheOutcome::Miss
        );
        assert!(!cache.entry_path(&a).unwrap().exists());
    }
}
