//! The store state of one plugin instance: a WASI context that grants
//! nothing, a memory limiter that remembers why it refused, and the captured
//! plugin log.

use std::time::Duration;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{
    HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};

/// A clock stopped at 2000-01-01: plugins get "today" as an argument, so
/// any clock read is either a bug or an attempt to be non-deterministic.
struct FixedWallClock;
impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        Duration::from_secs(946_684_800)
    }
}

struct FixedMonotonicClock;
impl HostMonotonicClock for FixedMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        0
    }
}

/// What the limiter refused, so the error can name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Growing (or creating) a memory would take the plugin's memories to
    /// `requested` bytes in total.
    Memory { requested: usize },
    /// A table asked for `requested` elements.
    Table { requested: usize },
}

/// Caps the sum of all of a plugin's memories and every table's size, and
/// records the refused request, so the error can say "asked for 1024 MiB,
/// cap 64 MiB" instead of wasmtime's generic trap. The counts of instances,
/// memories and tables are capped here too; each plugin instance has its
/// own store, so every figure is per plugin.
pub(crate) struct RecordingLimiter {
    /// Cap on the sum of all memories, in bytes.
    pub limit: usize,
    /// Current sum of all memories, in bytes.
    pub used: usize,
    pub max_table_elements: usize,
    pub max_instances: usize,
    pub max_memories: usize,
    pub max_tables: usize,
    pub refused: Option<Refusal>,
}

impl ResourceLimiter for RecordingLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Called for every memory, also when it is created (current 0):
        // the total is what the others hold plus this one's new size.
        let total = self.used.saturating_sub(current).saturating_add(desired);
        if total > self.limit {
            self.refused = Some(Refusal::Memory { requested: total });
            return Ok(false);
        }
        self.used = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_table_elements {
            self.refused = Some(Refusal::Table { requested: desired });
            // Trap rather than let `table.grow` return -1: the plugin is
            // stopped whether or not it checks the result.
            return Err(wasmtime::Error::msg(format!(
                "table of {desired} elements refused (cap {})",
                self.max_table_elements
            )));
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        self.max_instances
    }

    fn memories(&self) -> usize {
        self.max_memories
    }

    fn tables(&self) -> usize {
        self.max_tables
    }
}

pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: RecordingLimiter,
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
}

impl HostState {
    pub fn new(limits: &crate::limits::Limits) -> Self {
        let log_bytes = limits.log_bytes;
        let stdout = MemoryOutputPipe::new(log_bytes);
        let stderr = MemoryOutputPipe::new(log_bytes);
        // No preopened directories, no environment, no arguments, no network
        // (the builder grants none by default), fixed clocks, and
        // deterministic randomness (HashMap seeds need *some* bytes).
        let wasi = WasiCtxBuilder::new()
            .stdout(stdout.clone())
            .stderr(stderr.clone())
            .wall_clock(FixedWallClock)
            .monotonic_clock(FixedMonotonicClock)
            .secure_random(wasmtime_wasi::Deterministic::new(vec![
                7, 42, 99, 3, 11, 250, 18, 64,
            ]))
            .insecure_random(wasmtime_wasi::Deterministic::new(vec![
                1, 2, 3, 4, 5, 6, 7, 8,
            ]))
            .insecure_random_seed(0x6875_746f_6e67)
            .build();
        HostState {
            wasi,
            table: ResourceTable::new(),
            limiter: RecordingLimiter {
                limit: limits.memory_bytes,
                used: 0,
                max_table_elements: limits.max_table_elements,
                max_instances: limits.max_instances,
                max_memories: limits.max_memories,
                max_tables: limits.max_tables,
                refused: None,
            },
            stdout,
            stderr,
        }
    }

    /// True when stdout or stderr filled its buffer: the plugin flooded its log.
    pub fn log_full(&self, log_bytes: usize) -> bool {
        self.stdout.contents().len() >= log_bytes || self.stderr.contents().len() >= log_bytes
    }

    /// The plugin's captured output (stderr then stdout), trimmed for messages.
    pub fn log(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.stderr.contents()).into_owned();
        let out = String::from_utf8_lossy(&self.stdout.contents()).into_owned();
        if !out.is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&out);
        }
        let trimmed = text.trim();
        // Keep the tail: the last lines say what happened.
        let chars: Vec<char> = trimmed.chars().collect();
        let start = chars.len().saturating_sub(500);
        chars[start..].iter().collect()
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
