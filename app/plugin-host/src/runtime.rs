//! The shared engine: configuration, the epoch ticker, the WASI linker and
//! the compiled-code cache. One `Runtime` serves all plugins of the app.

use crate::cache::{CacheTrust, CompiledCache};
use crate::error::PluginError;
use crate::limits::Limits;
use crate::plugin::Plugin;
use crate::sandbox::HostState;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use wasmtime::component::Linker;
use wasmtime::{Config, Engine};

/// How often the epoch advances; the deadline is counted in these ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

#[derive(Debug, Clone, Default)]
pub struct RuntimeConfig {
    pub limits: Limits,
    /// Where compiled code is cached; `None` disables the cache. Entries
    /// are read and written only by the `*_cached` loads, which check each
    /// entry's hash against a [`CacheTrust`].
    pub cache_dir: Option<PathBuf>,
}

pub struct Runtime {
    pub(crate) engine: Engine,
    pub(crate) linker: Arc<Linker<HostState>>,
    pub(crate) limits: Limits,
    cache: CompiledCache,
    stop_ticker: Arc<AtomicBool>,
}

impl Runtime {
    pub fn new(config: RuntimeConfig) -> Result<Runtime, PluginError> {
        let mut cfg = Config::new();
        cfg.wasm_component_model(true);
        cfg.consume_fuel(true);
        cfg.epoch_interruption(true);
        let engine = Engine::new(&cfg).map_err(|e| PluginError::Engine(e.to_string()))?;
        let mut linker = Linker::<HostState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| PluginError::Engine(e.to_string()))?;
        let stop = Arc::new(AtomicBool::new(false));
        {
            // The backstop: a ticker thread advances the epoch; a call whose
            // deadline passes traps with `Trap::Interrupt`.
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("hutong-plugin-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| PluginError::Engine(e.to_string()))?;
        }
        let cache = CompiledCache::new(&engine, config.cache_dir.clone());
        Ok(Runtime {
            engine,
            linker: Arc::new(linker),
            limits: config.limits,
            cache,
            stop_ticker: stop,
        })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Loads a plugin file, checks its contract version and manifest. The
    /// wasm is compiled; the on-disk cache is not used (see
    /// [`Runtime::load_file_cached`]).
    pub fn load_file(&self, path: &Path) -> Result<Plugin, PluginError> {
        self.load_file_inner(path, None)
    }

    /// Like [`Runtime::load_file`], using the compiled-code cache: an entry
    /// is loaded only if `trust` recorded its hash for this wasm.
    pub fn load_file_cached(
        &self,
        path: &Path,
        trust: &dyn CacheTrust,
    ) -> Result<Plugin, PluginError> {
        self.load_file_inner(path, Some(trust))
    }

    fn load_file_inner(
        &self,
        path: &Path,
        trust: Option<&dyn CacheTrust>,
    ) -> Result<Plugin, PluginError> {
        let bytes = std::fs::read(path).map_err(|source| PluginError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        self.load(path, &bytes, trust)
    }

    /// Loads a plugin from bytes; `origin` names it in errors. Compiles the
    /// wasm without the on-disk cache.
    pub fn load_bytes(&self, origin: &Path, wasm: &[u8]) -> Result<Plugin, PluginError> {
        self.load(origin, wasm, None)
    }

    /// Loads a plugin from bytes using the compiled-code cache, whose
    /// entries `trust` authenticates (any other entry is a miss).
    pub fn load_bytes_cached(
        &self,
        origin: &Path,
        wasm: &[u8],
        trust: &dyn CacheTrust,
    ) -> Result<Plugin, PluginError> {
        self.load(origin, wasm, Some(trust))
    }

    fn load(
        &self,
        origin: &Path,
        wasm: &[u8],
        trust: Option<&dyn CacheTrust>,
    ) -> Result<Plugin, PluginError> {
        let started = std::time::Instant::now();
        let (component, outcome) = self.cache.load(&self.engine, wasm, trust).map_err(|e| {
            PluginError::InvalidComponent {
                path: origin.to_path_buf(),
                message: format!("{e:#}"),
            }
        })?;
        let compile_time = started.elapsed();
        Plugin::new(self, origin, component, outcome, compile_time)
    }

    /// Where the cache entry for `wasm` lives (or would), if there is a
    /// cache folder. For tests that tamper with entries.
    pub fn cache_entry_path(&self, wasm: &[u8]) -> Option<PathBuf> {
        self.cache.entry_path(wasm)
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
    }
}
