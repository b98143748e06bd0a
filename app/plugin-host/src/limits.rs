//! The budgets every plugin call runs under.

use std::time::Duration;

/// Per-call limits. Defaults follow DESIGN §3 and TECH-NOTES: a realistic
/// `assess` uses about 50k fuel, so a billion is generous for honest work and
/// stops an endless loop within a fraction of a second.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Fuel per call (deterministic: the same on a slow and a fast PC).
    pub fuel: u64,
    /// Wall-clock backstop per call.
    pub deadline: Duration,
    /// Cap on the sum of all of a plugin instance's linear memories, in
    /// bytes (one store per instance, so this is per plugin, not per memory).
    pub memory_bytes: usize,
    /// Core instances one plugin instance may create (a Rust plugin built
    /// for wasm32-wasip2 needs 3: its module plus wit-component's shim and
    /// fix-up modules; `plugin_limits.rs` measures the real plugins).
    pub max_instances: usize,
    /// Linear memories one plugin instance may define.
    pub max_memories: usize,
    /// Tables one plugin instance may define (the real plugins define 2).
    pub max_tables: usize,
    /// Elements any one table may hold (initially or after `table.grow`).
    pub max_table_elements: usize,
    /// Bytes wasmtime may copy out of the guest while lifting one call's
    /// result ("hostcall fuel"). Set explicitly so that a wasmtime upgrade
    /// cannot loosen it: it stops aliased output (thousands of strings
    /// pointing at one big buffer) before the host allocates it. Sized to
    /// the largest legitimate output with room to spare: a 1,000-child roster
    /// from the 河南 plugin copies about 2.6 MiB (`tests/tests/plugin_limits.rs`
    /// measures it), and the output caps below allow 16 MiB of text.
    pub max_copy_bytes: usize,
    /// Maximum document nodes in one report.
    pub max_nodes: usize,
    /// Maximum nesting depth of a document.
    pub max_depth: usize,
    /// Maximum total bytes of strings in one call's output.
    pub max_string_bytes: usize,
    /// Maximum length of any list in the output.
    pub max_list_len: usize,
    /// Bytes of plugin stdout/stderr kept for error messages.
    pub log_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 1_000_000_000,
            deadline: Duration::from_secs(2),
            memory_bytes: 64 * 1024 * 1024,
            max_instances: 10,
            max_memories: 2,
            max_tables: 10,
            max_table_elements: 20_000,
            max_copy_bytes: 32 * 1024 * 1024,
            max_nodes: 200_000,
            max_depth: 32,
            max_string_bytes: 16 * 1024 * 1024,
            max_list_len: 200_000,
            log_bytes: 64 * 1024,
        }
    }
}
