//! Store benchmarks: demo generation + insert, listing a village, searching
//! 100,000 children by name prefix, initials and ID prefix, against a raw
//! indexed SQLite query as the baseline, each on a plain and an encrypted
//! file in the same run.
//!
//! Run: `cargo bench -p hutong-core --bench store`.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use hutong_core::children::{self, ChildQuery};
use hutong_core::national::NaiveDate;
use hutong_core::{Store, demo};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn options(n: usize) -> demo::DemoOptions {
    demo::DemoOptions {
        county_code: "411525".into(),
        generated_children: n,
        seed: 42,
        today: NaiveDate::from_ymd_opt(2025, 5, 22).unwrap(),
    }
}

fn insert(c: &mut Criterion) {
    let mut group = c.benchmark_group("demo_insert");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    {
        let n = 10_000usize;
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().unwrap();
                    let mut store = Store::open_unencrypted(&dir.path().join("b.db")).unwrap();
                    // County setup (division load) is outside the measurement.
                    hutong_core::setup::initialise_county(&mut store, "bench", "411525").unwrap();
                    let start = Instant::now();
                    demo::generate(&mut store, &options(n), |_, _| true).unwrap();
                    total += start.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

/// The 100,000-child list and search on a plain file and on an encrypted
/// one (SQLCipher, raw key, 128 MiB page cache), in the same run, so the
/// ratio is read off one report (SECURITY §3: warm reads should match).
fn queries(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut plain = Store::open_unencrypted(&dir.path().join("plain.db")).unwrap();
    demo::generate(&mut plain, &options(100_000), |_, _| true).unwrap();
    let mut encrypted = Store::create_encrypted(&dir.path().join("encrypted.db"), true).unwrap();
    demo::generate(&mut encrypted, &options(100_000), |_, _| true).unwrap();

    let mut group = c.benchmark_group("query_100k");
    for (label, store) in [("plain", &plain), ("encrypted", &encrypted)] {
        let conn = store.conn();
        let county = store.county_scope().unwrap();
        let county = &county;
        group.bench_function(format!("{label}/baseline_raw_indexed_village"), |b| {
            let mut stmt = conn
                .prepare("SELECT id, name FROM children WHERE residence_division = ?1")
                .unwrap();
            b.iter(|| {
                let n = stmt
                    .query_map(["411525102201"], |r| r.get::<_, String>(1))
                    .unwrap()
                    .count();
                black_box(n)
            })
        });
        let run =
            |q: ChildQuery| move || black_box(children::list(conn, county, &q).unwrap().len());
        group.bench_function(format!("{label}/list_village"), |b| {
            b.iter(run(ChildQuery {
                division: Some("411525102201".into()),
                ..Default::default()
            }))
        });
        group.bench_function(format!("{label}/list_county_first_page"), |b| {
            b.iter(run(ChildQuery {
                limit: Some(200),
                ..Default::default()
            }))
        });
        group.bench_function(format!("{label}/search_name_prefix"), |b| {
            b.iter(run(ChildQuery {
                search: Some("张小".into()),
                limit: Some(200),
                ..Default::default()
            }))
        });
        group.bench_function(format!("{label}/search_initials"), |b| {
            b.iter(run(ChildQuery {
                search: Some("zxy".into()),
                limit: Some(200),
                ..Default::default()
            }))
        });
        group.bench_function(format!("{label}/search_id_prefix"), |b| {
            b.iter(run(ChildQuery {
                search: Some("41152520130415".into()),
                limit: Some(200),
                ..Default::default()
            }))
        });
        group.bench_function(format!("{label}/get_by_id_number"), |b| {
            b.iter(|| {
                black_box(children::get_by_id_number(conn, county, "411525201304150124").unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, insert, queries);
criterion_main!(benches);
