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
    /// Guest linear-memory cap in bytes.
    pub memory_bytes: usize,
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
            max_nodes: 200_000,
            max_depth: 32,
            max_string_bytes: 16 * 1024 * 1024,
            max_list_len: 200_000,
            log_bytes: 64 * 1024,
        }
    }
}
