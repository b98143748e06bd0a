//! The sandbox's promises (docs/ARCHITECTURE.md, "Host"), tried from the
//! plugin's side (issue #18). The hostile fixture reports what it managed
//! to do; each test fails if a promise is broken.
//!
//! | promise | test |
//! |---|---|
//! | no directories | `no_files_can_be_read_listed_or_written` |
//! | no network | `no_network` |
//! | no environment | `no_environment_or_arguments` |
//! | fixed clocks | `the_clocks_are_fixed` |
//! | deterministic randomness | `randomness_is_deterministic` |
//! | stdout/stderr captured, small | `a_stdout_flood_is_stopped_at_the_log_buffer` |
//! | fuel budget per call | `fuel_is_reset_on_every_call` (and `plugins.rs`: loop) |
//! | epoch deadline | `plugins.rs`: `the_wall_clock_deadline_is_a_backstop…` |
//! | memory cap | `plugins.rs` (flood), `plugin_limits.rs` (all memories together) |
//! | output caps: nodes, strings, lists, depth | `plugins.rs`, `output_depth_and_list_length_are_capped` |
//! | a failure drops the instance | `plugins.rs`, and every test here ends with a good call |

use hutong_core::province as p;
use hutong_plugin_host::{CallFailure, Limits, Plugin, PluginError, Runtime, RuntimeConfig};
use std::path::{Path, PathBuf};

fn wasm(name: &str) -> PathBuf {
    let path = Path::new(env!("HUTONG_PLUGIN_DIR")).join(format!("{name}.wasm"));
    assert!(path.exists(), "{} missing", path.display());
    path
}

fn hostile_with(limits: Limits) -> Plugin {
    Runtime::new(RuntimeConfig {
        limits,
        cache_dir: None,
    })
    .unwrap()
    .load_file(&wasm("hostile_plugin"))
    .unwrap()
}

fn hostile() -> Plugin {
    hostile_with(Limits::default())
}

fn failure(err: PluginError) -> CallFailure {
    match err {
        PluginError::Call {
            plugin, failure, ..
        } => {
            assert_eq!(plugin, "test.hostile");
            failure
        }
        other => panic!("expected a call failure, got {other}"),
    }
}

/// What the fixture reported (it answers through the error channel).
fn report(plugin: &mut Plugin, scale: &str) -> String {
    match failure(
        plugin
            .assess(scale, &p::AssessInput::default())
            .unwrap_err(),
    ) {
        CallFailure::Rejected { message } => message,
        other => panic!("{scale}: {other:?}"),
    }
}

/// After any of this the plugin still answers.
fn still_answers(plugin: &mut Plugin) {
    assert!(report(plugin, "nope").contains("未知量表"));
}

#[test]
fn no_files_can_be_read_listed_or_written() {
    let escape = Path::new("/tmp/hutong-hostile-escape.txt");
    let _ = std::fs::remove_file(escape);
    let mut h = hostile();
    assert_eq!(
        report(&mut h, "open-file"),
        "read:false|list:false|write:false"
    );
    assert!(!escape.exists(), "the plugin wrote a file on the host");
    still_answers(&mut h);
}

#[test]
fn no_network() {
    let mut h = hostile();
    assert_eq!(report(&mut h, "network"), "tcp:false|udp:false|dns:false");
}

#[test]
fn no_environment_or_arguments() {
    // SAFETY: set before any thread of this test binary reads it.
    unsafe { std::env::set_var("HUTONG_SECRET_FOR_TEST", "x") };
    let mut h = hostile();
    assert_eq!(report(&mut h, "env"), "vars:0|args:0|home:false");
}

#[test]
fn the_clocks_are_fixed() {
    let mut h = hostile();
    let first = report(&mut h, "clock");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = report(&mut h, "clock");
    // 2000-01-01T00:00:00Z, and a monotonic clock that never moves, even
    // across a million-step loop inside the plugin.
    assert!(first.starts_with("wall:946684800|elapsed:0|"), "{first}");
    assert_eq!(first, second);
}

#[test]
fn randomness_is_deterministic() {
    let mut h = hostile();
    let a = report(&mut h, "random");
    h.reset_instance();
    let b = report(&mut h, "random");
    let mut other = hostile();
    let c = report(&mut other, "random");
    assert!(a.starts_with("hash:"), "{a}");
    assert_eq!(a, b, "a fresh instance sees the same seed");
    assert_eq!(a, c, "another plugin instance sees the same seed");
}

#[test]
fn a_stdout_flood_is_stopped_at_the_log_buffer() {
    let limits = Limits::default();
    let log = limits.log_bytes;
    let mut h = hostile_with(limits);
    let started = std::time::Instant::now();
    match failure(
        h.assess("flood-stdout", &p::AssessInput::default())
            .unwrap_err(),
    ) {
        CallFailure::LogFlood { limit } => assert_eq!(limit, log),
        other => panic!("flood: {other:?}"),
    }
    assert!(started.elapsed().as_secs() < 10);
    still_answers(&mut h);
}

#[test]
fn output_depth_and_list_length_are_capped() {
    let limits = Limits::default();
    let mut h = hostile_with(limits.clone());
    let input = p::ReportInput {
        today: "2025-05-22".into(),
        county_name: "固始县".into(),
        office_name: "固始县民政局".into(),
        children: vec![],
        params: vec![],
    };
    match failure(h.render_report("deep", &input).unwrap_err()) {
        CallFailure::OutputTooLarge { what, limit } => {
            assert_eq!((what.as_str(), limit), ("文档嵌套层数", limits.max_depth))
        }
        other => panic!("deep: {other:?}"),
    }
    match failure(
        h.assess("many-reasons", &p::AssessInput::default())
            .unwrap_err(),
    ) {
        CallFailure::OutputTooLarge { limit, .. } => assert_eq!(limit, limits.max_list_len),
        other => panic!("many reasons: {other:?}"),
    }
    still_answers(&mut h);
}

#[test]
fn fuel_is_reset_on_every_call() {
    // A tight budget, and a scale that burns fuel in proportion to N.
    let budget = 20_000_000;
    let mut h = hostile_with(Limits {
        fuel: budget,
        ..Limits::default()
    });
    let burns = |h: &mut Plugin, n: u64| -> bool {
        match h.assess(&format!("burn:{n}"), &p::AssessInput::default()) {
            Ok(_) => true,
            Err(e) => match failure(e) {
                CallFailure::FuelExhausted { budget: b } => {
                    assert_eq!(b, budget);
                    false
                }
                other => panic!("burn:{n}: {other:?}"),
            },
        }
    };
    // The most one call may burn.
    let (mut lo, mut hi) = (0u64, 1u64);
    while burns(&mut h, hi) {
        lo = hi;
        hi *= 2;
        assert!(hi < 1 << 40, "the budget never ran out");
    }
    while hi - lo > lo / 100 + 1 {
        let mid = lo + (hi - lo) / 2;
        if burns(&mut h, mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // Two thirds of that, five times on one live instance: 3.3 budgets in
    // all, so only a budget refilled before each call lets them all pass.
    let n = lo * 2 / 3;
    assert!(burns(&mut h, n));
    let instance = h.instances_created();
    for round in 0..5 {
        assert!(burns(&mut h, n), "call {round} ran out: fuel was not reset");
    }
    assert_eq!(
        h.instances_created(),
        instance,
        "the same instance answered"
    );
    // And twice the most one call may burn is still refused.
    assert!(!burns(&mut h, lo * 2));
    still_answers(&mut h);
}
