//! On-disk cache of compiled plugin code.
//!
//! Compiling a 100 KB component costs about 150 ms; loading the serialized
//! artifact costs well under 1 ms. The key is the wasm's SHA-256 plus
//! wasmtime's compatibility hash, so a wasmtime upgrade or different CPU
//! features never load stale code. Loading is `unsafe` in wasmtime (the
//! bytes are trusted machine code), so the cache lives in the app's private
//! data directory, and any entry that fails to load is a miss, never an error.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

pub(crate) struct CompiledCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

/// How a component was obtained (reported for benchmarks and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    Hit,
    Miss,
    Disabled,
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

    fn path_for(&self, dir: &Path, wasm: &[u8]) -> PathBuf {
        let digest = hex::encode(Sha256::digest(wasm));
        dir.join(format!("{digest}-{}.cwasm", self.engine_key))
    }

    /// Returns the component, compiled or from the cache.
    pub fn load(
        &self,
        engine: &Engine,
        wasm: &[u8],
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let Some(dir) = &self.dir else {
            return Ok((Component::new(engine, wasm)?, CacheOutcome::Disabled));
        };
        let path = self.path_for(dir, wasm);
        if path.exists() {
            // SAFETY (for `deserialize` below): the file is in our private cache directory and was
            // written by `Component::serialize` for an engine with the same
            // compatibility hash (it is in the file name). wasmtime also
            // checks the header and refuses mismatched artifacts.
            // Read into memory rather than mmap the file: a file truncated or
            // rewritten under a live mapping would crash the process (SIGBUS).
            let loaded = std::fs::read(&path)
                .map_err(wasmtime::Error::from)
                .and_then(|bytes| unsafe { Component::deserialize(engine, &bytes) });
            match loaded {
                Ok(c) => return Ok((c, CacheOutcome::Hit)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "bad cache entry; recompiling");
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
        let component = Component::new(engine, wasm)?;
        if let Ok(bytes) = component.serialize() {
            // Write then rename, so a crash never leaves a half-written entry.
            let tmp = path.with_extension("tmp");
            if std::fs::create_dir_all(dir).is_ok() && std::fs::write(&tmp, &bytes).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
        Ok((component, CacheOutcome::Miss))
    }
}
