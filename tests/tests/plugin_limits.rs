//! Plugin limits per plugin, not per memory (issue #18).
//!
//! Components that no Rust plugin would produce are assembled here: a dummy
//! implementation of the `province-plugin` world (wit-component) whose core
//! module is edited as WAT to define extra memories or a table that grows.
//! The aliased-output plugin is the real hostile fixture. Each is stopped
//! with its own typed error naming the plugin and the export, and the
//! template plugin keeps answering afterwards.

use hutong_core::province as p;
use hutong_plugin_host::{CallFailure, Limits, Plugin, PluginError, Runtime, RuntimeConfig};
use std::path::{Path, PathBuf};

fn wasm(name: &str) -> PathBuf {
    let path = Path::new(env!("HUTONG_PLUGIN_DIR")).join(format!("{name}.wasm"));
    assert!(path.exists(), "{} missing", path.display());
    path
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).unwrap()
}

/// The template plugin answers a full questionnaire.
fn answer_template(template: &mut Plugin) {
    let input = p::AssessInput {
        today: "2025-05-22".into(),
        answers: ["alone", "injury", "dropout"]
            .iter()
            .zip(["1", "0", "0"])
            .map(|(i, c)| p::Answer {
                item_id: (*i).into(),
                code: c.into(),
            })
            .collect(),
        child: None,
    };
    let a = template.assess("simple-risk", &input).unwrap();
    assert_eq!(a.level_code, "high");
}

/// A component for the province-plugin world whose exports all trap, with
/// its memory starting at `memory_pages` and `extra` WAT fields added to
/// its core module.
fn assembled(memory_pages: u32, extra: &str) -> Vec<u8> {
    let mut resolve = wit_parser::Resolve::default();
    let (pkg, _) = resolve.push_dir(repo().join("schemas/wit/v1")).unwrap();
    let world = resolve
        .select_world(&[pkg], Some("province-plugin"))
        .unwrap();
    let module = wit_component::dummy_module(
        &resolve,
        world,
        wit_parser::ManglingAndAbi::Legacy(wit_parser::LiftLowerAbi::Sync),
    );
    let wat = wasmprinter::print_bytes(&module).unwrap();
    let memory = "(memory (;0;) 0)";
    assert!(wat.contains(memory), "dummy module changed shape:\n{wat}");
    let mut wat = wat.replacen(memory, &format!("(memory (;0;) {memory_pages})"), 1);
    let end = wat.rfind(')').unwrap();
    wat.insert_str(end, extra);
    let mut module = wat::parse_str(&wat).unwrap();
    wit_component::embed_component_metadata(
        &mut module,
        &resolve,
        world,
        wit_component::StringEncoding::UTF8,
    )
    .unwrap();
    wit_component::ComponentEncoder::default()
        .module(&module)
        .unwrap()
        .validate(true)
        .encode()
        .unwrap()
}

/// Loads an assembled component: the first call (get-manifest, made while
/// loading) instantiates it, and that must fail with a typed error naming
/// the file and the export.
fn load_failure(rt: &Runtime, name: &str, component: &[u8]) -> CallFailure {
    match rt.load_bytes(Path::new(name), component) {
        Ok(_) => panic!("{name} loaded"),
        Err(PluginError::Call {
            plugin,
            export,
            failure,
            ..
        }) => {
            assert!(plugin.contains(name), "plugin named: {plugin}");
            assert_eq!(export, "get-manifest");
            let text = PluginError::Call {
                plugin: plugin.clone(),
                version: "?".into(),
                export,
                failure: failure.clone(),
            }
            .to_string();
            assert!(
                text.contains(name) && text.contains("get-manifest"),
                "{text}"
            );
            failure
        }
        Err(other) => panic!("{name}: expected a call failure, got {other}"),
    }
}

#[test]
fn a_component_with_more_memories_than_a_plugin_may_have_is_refused() {
    let rt = runtime();
    let mut template = rt.load_file(&wasm("hutong_plugin_template")).unwrap();
    let limit = Limits::default().max_memories;
    let many = assembled(1, &"(memory 1)".repeat(limit + 2));
    match load_failure(&rt, "many-memories.wasm", &many) {
        CallFailure::TooManyResources { what, limit: l } => {
            assert_eq!((what, l), ("内存", limit));
        }
        other => panic!("many memories: {other:?}"),
    }
    answer_template(&mut template);
}

#[test]
fn the_memory_cap_covers_all_of_a_plugins_memories_together() {
    let rt = runtime();
    let mut template = rt.load_file(&wasm("hutong_plugin_template")).unwrap();
    let cap = Limits::default().memory_bytes;
    // 600 pages is 37.5 MiB: each memory alone is under the 64 MiB cap.
    let pages = 600u32;
    let one = assembled(pages, "");
    match load_failure(&rt, "one-memory.wasm", &one) {
        // Instantiated, then its get-manifest traps (the dummy's body).
        CallFailure::Trap { .. } => {}
        other => panic!("one 37.5 MiB memory must be allowed: {other:?}"),
    }
    let two = assembled(pages, &format!("(memory {pages})"));
    match load_failure(&rt, "two-memories.wasm", &two) {
        CallFailure::MemoryLimit { requested, limit } => {
            assert_eq!(limit, cap);
            assert_eq!(requested, 2 * pages as usize * 65_536, "the sum is counted");
        }
        other => panic!("two memories over the cap together: {other:?}"),
    }
    answer_template(&mut template);
}

#[test]
fn a_table_grown_past_its_limit_is_stopped() {
    let rt = runtime();
    let mut template = rt.load_file(&wasm("hutong_plugin_template")).unwrap();
    let cap = Limits::default().max_table_elements;
    // Grows its table by a million at start-up, and would trap itself if
    // refused; the host stops it first, whatever the guest does with -1.
    let grow = assembled(
        1,
        "(table $t 1 funcref)
         (func $grow (drop (table.grow $t (ref.null func) (i32.const 1000000))))
         (start $grow)",
    );
    match load_failure(&rt, "table-grow.wasm", &grow) {
        CallFailure::TableLimit { requested, limit } => {
            assert_eq!((requested, limit), (1_000_001, cap));
        }
        other => panic!("table.grow: {other:?}"),
    }
    // A table declared past the limit from the start.
    let big = assembled(1, &format!("(table {} funcref)", cap + 1));
    match load_failure(&rt, "table-big.wasm", &big) {
        CallFailure::TableLimit { requested, limit } => {
            assert_eq!((requested, limit), (cap + 1, cap));
        }
        other => panic!("big table: {other:?}"),
    }
    // One under the limit is a table like any other.
    let ok = assembled(1, &format!("(table {cap} funcref)"));
    assert!(matches!(
        load_failure(&rt, "table-ok.wasm", &ok),
        CallFailure::Trap { .. }
    ));
    answer_template(&mut template);
}

#[test]
fn aliased_output_is_stopped_by_the_per_call_copy_limit() {
    // 20,000 service names all pointing at one 40 MB buffer in the guest:
    // 800 GB if the host copied them all.
    let rt = runtime();
    let mut hostile = rt.load_file(&wasm("hostile_plugin")).unwrap();
    let mut template = rt.load_file(&wasm("hutong_plugin_template")).unwrap();
    let err = hostile.service_catalog().unwrap_err();
    let text = err.to_string();
    match err {
        PluginError::Call {
            plugin,
            export,
            failure,
            ..
        } => {
            assert_eq!(
                (plugin.as_str(), export),
                ("test.hostile", "service-catalog")
            );
            assert_eq!(
                failure,
                CallFailure::CopyLimit {
                    limit: Limits::default().max_copy_bytes
                }
            );
        }
        other => panic!("{other}"),
    }
    assert!(
        text.contains("test.hostile") && text.contains("32 MiB"),
        "{text}"
    );
    // The hostile plugin itself goes on with a fresh instance, and so does
    // the good one.
    assert!(matches!(
        hostile.assess("nope", &p::AssessInput::default()),
        Err(PluginError::Call {
            failure: CallFailure::Rejected { .. },
            ..
        })
    ));
    answer_template(&mut template);
}

/// The 河南 plugin's 流动儿童台账 for `n` children.
fn roster(n: usize) -> p::ReportInput {
    let text =
        std::fs::read_to_string(repo().join("plugins/henan/cases/09-ma-wenbo.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let child: p::ChildSnapshot = serde_json::from_value(v["child"].clone()).unwrap();
    p::ReportInput {
        today: "2025-05-22".into(),
        county_name: "固始县".into(),
        office_name: "固始县民政局".into(),
        children: (0..n)
            .map(|i| {
                let mut c = child.clone();
                c.name = format!("{}{}", child.name, i + 1);
                c
            })
            .collect(),
        params: vec![],
    }
}

#[test]
fn the_copy_limit_leaves_room_for_a_1000_child_roster() {
    // Measures what the largest legitimate output copies: the smallest copy
    // limit under which the 1,000-child roster still renders.
    let cache = tempfile::tempdir().unwrap();
    let trust = hutong_plugin_host::MemoryTrust::default();
    let input = roster(1000);
    let renders = |copy: usize| -> bool {
        let rt = Runtime::new(RuntimeConfig {
            limits: Limits {
                max_copy_bytes: copy,
                ..Limits::default()
            },
            cache_dir: Some(cache.path().to_path_buf()),
        })
        .unwrap();
        // Loading copies the manifest out, which a tiny limit refuses too.
        let mut henan = match rt.load_file_cached(&wasm("hutong_plugin_henan"), &trust) {
            Ok(p) => p,
            Err(PluginError::Call {
                failure: CallFailure::CopyLimit { .. },
                ..
            }) => return false,
            Err(other) => panic!("{other}"),
        };
        match henan.render_report("migrant-roster", &input) {
            Ok(doc) => {
                assert!(serde_json::to_string(&doc).unwrap().contains("马文博1000"));
                true
            }
            Err(PluginError::Call {
                failure: CallFailure::CopyLimit { .. },
                ..
            }) => false,
            Err(other) => panic!("{other}"),
        }
    };
    let default = Limits::default().max_copy_bytes;
    assert!(renders(default), "the roster must render under the default");
    let (mut lo, mut hi) = (0usize, default);
    while hi - lo > 4096 {
        let mid = lo + (hi - lo) / 2;
        if renders(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    println!(
        "a 1,000-child roster copies about {} KiB; the limit is {} MiB",
        hi / 1024,
        default / (1024 * 1024)
    );
    assert!(lo > 0, "the roster copies something: the limit is live");
    assert!(
        default >= 8 * hi,
        "the limit ({default}) should leave 8× room over the roster ({hi})"
    );
}

#[test]
fn instance_memory_and_table_counts_are_enforced_per_plugin() {
    // The template plugin needs more than one core instance and at least
    // one table; a budget below that refuses it with the typed error, and
    // the default budget admits every real plugin (the other tests load them).
    for (limits, what) in [
        (
            Limits {
                max_instances: 1,
                ..Limits::default()
            },
            "实例",
        ),
        (
            Limits {
                max_tables: 0,
                ..Limits::default()
            },
            "表",
        ),
        (
            Limits {
                max_memories: 0,
                ..Limits::default()
            },
            "内存",
        ),
    ] {
        let expected = match what {
            "实例" => limits.max_instances,
            "表" => limits.max_tables,
            _ => limits.max_memories,
        };
        let rt = Runtime::new(RuntimeConfig {
            limits,
            cache_dir: None,
        })
        .unwrap();
        match rt.load_file(&wasm("hutong_plugin_template")) {
            Err(PluginError::Call {
                export,
                failure: CallFailure::TooManyResources { what: w, limit },
                ..
            }) => {
                assert_eq!((export, w, limit), ("get-manifest", what, expected));
            }
            Err(other) => panic!("{what}: {other}"),
            Ok(_) => panic!("{what}: loaded under a budget of {expected}"),
        }
    }
    // What the real plugins need, against the defaults: the smallest
    // instance and table budgets each loads under.
    let defaults = Limits::default();
    for name in [
        "hutong_plugin_template",
        "hutong_plugin_henan",
        "hutong_plugin_jiangsu",
    ] {
        let needs = |set: &dyn Fn(usize) -> Limits, max: usize| -> usize {
            (0..=max)
                .find(|n| {
                    Runtime::new(RuntimeConfig {
                        limits: set(*n),
                        cache_dir: None,
                    })
                    .unwrap()
                    .load_file(&wasm(name))
                    .is_ok()
                })
                .unwrap_or_else(|| panic!("{name} does not load within the defaults"))
        };
        let instances = needs(
            &|n| Limits {
                max_instances: n,
                ..Limits::default()
            },
            defaults.max_instances,
        );
        let tables = needs(
            &|n| Limits {
                max_tables: n,
                ..Limits::default()
            },
            defaults.max_tables,
        );
        println!("{name}: {instances} core instances, {tables} tables");
        assert!(
            defaults.max_instances >= 2 * instances,
            "{name}: {instances}"
        );
        assert!(defaults.max_tables >= 2 * tables, "{name}: {tables}");
    }
    let mut template = runtime()
        .load_file(&wasm("hutong_plugin_template"))
        .unwrap();
    answer_template(&mut template);
}
