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

/// Caps memory and records the refused request, so the error can say
/// "asked for 1024 MiB, cap 64 MiB" instead of wasmtime's generic trap.
pub(crate) struct RecordingLimiter {
    pub limit: usize,
    pub refused: Option<usize>,
}

impl ResourceLimiter for RecordingLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limit {
            self.refused = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
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
    pub fn new(memory_bytes: usize, log_bytes: usize) -> Self {
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
                limit: memory_bytes,
                refused: None,
            },
            stdout,
            stderr,
        }
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
