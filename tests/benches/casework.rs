//! Casework benchmarks (release): re-assessing a county's children with the
//! real 河南 plugin, against baselines measured in the same run.
//!
//! - `snapshots_only`: building every child's snapshot from the store (the
//!   part of a re-assessment that is ours, not the plugin's);
//! - `assess_only`: the plugin's `assess` on prepared snapshots;
//! - `preview_upgrade`: the whole read-only re-assessment (snapshot, assess
//!   and classify per child), as run before a plugin upgrade is applied.
//!
//! `HUTONG_BENCH_CHILDREN` sets the county size (default 2,000). Run:
//! `cargo bench -p hutong-tests --bench casework`.

use criterion::{Criterion, criterion_group, criterion_main};
use hutong::casework::{self, BatchOptions};
use hutong_core::demo::{self, DemoOptions};
use hutong_core::province::AssessInput;
use hutong_core::{Store, assessments, snapshot};
use hutong_plugin_host::{Runtime, RuntimeConfig};
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

fn benches(c: &mut Criterion) {
    let n: usize = std::env::var("HUTONG_BENCH_CHILDREN")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::create_encrypted(&dir.path().join("bench.db"), true).expect("open");
    let today = chrono::Local::now().date_naive();
    demo::generate(
        &mut store,
        &DemoOptions {
            county_code: "411525".into(),
            generated_children: n,
            seed: 1,
            today,
        },
        |_, _| true,
    )
    .expect("demo");
    let runtime = Runtime::new(RuntimeConfig::default()).expect("runtime");
    let mut plugin = runtime
        .load_file(&Path::new(env!("HUTONG_PLUGIN_DIR")).join("hutong_plugin_henan.wasm"))
        .expect("henan plugin");
    let actor =
        hutong_services::Session::system(&store, hutong_services::SystemJob::EligibilitySweep)
            .expect("system session");
    let cancel = AtomicBool::new(false);

    // One full batch with writes, timed once.
    let t = Instant::now();
    let r = casework::assess_all(
        &mut store,
        &mut plugin,
        &actor,
        today,
        &BatchOptions {
            include_unassessed: true,
            ..Default::default()
        },
        &mut |_, _| {},
        &cancel,
    )
    .expect("assess all");
    eprintln!(
        "assess_all (writes): {} children in {:.3} s",
        r.assessed,
        t.elapsed().as_secs_f64()
    );

    let ids: Vec<_> = assessments::latest_per_child(store.conn(), None, None)
        .expect("plan")
        .into_iter()
        .map(|(id, a)| (id, a.map(|a| (a.scale_id, a.answers)).unwrap_or_default()))
        .collect();
    let inputs: Vec<(String, AssessInput)> = ids
        .iter()
        .map(|(id, (scale, answers))| {
            (
                scale.clone(),
                AssessInput {
                    today: today.to_string(),
                    answers: answers.clone(),
                    child: Some(snapshot::child_snapshot(store.conn(), *id).expect("snapshot")),
                },
            )
        })
        .collect();

    let mut g = c.benchmark_group(format!("casework_{n}_children"));
    g.sample_size(10);
    g.bench_function("snapshots_only", |b| {
        b.iter(|| {
            for (id, _) in &ids {
                black_box(snapshot::child_snapshot(store.conn(), *id).expect("snapshot"));
            }
        })
    });
    g.bench_function("assess_only", |b| {
        b.iter(|| {
            for (scale, input) in &inputs {
                black_box(plugin.assess(scale, input).expect("assess"));
            }
        })
    });
    g.bench_function("preview_upgrade", |b| {
        b.iter(|| {
            black_box(
                casework::preview_upgrade(&store, &mut plugin, today, &mut |_, _| {}, &cancel)
                    .expect("preview"),
            )
        })
    });
    g.finish();
}

criterion_group!(casework_benches, benches);
criterion_main!(casework_benches);
