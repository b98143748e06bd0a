//! Data-exchange benchmarks (DESIGN §5: "a 100,000-row XLSX or CSV list is
//! imported and compared in under 5 s").
//!
//! - `import_100k`: read a 100,000-row CSV, validate every row, insert in one
//!   transaction. Baseline: just parsing the same file with the `csv` crate.
//! - `import_xlsx_100k`: the same rows as XLSX (calamine).
//! - `compare_100k`: a 100,000-row 学籍 list against a county of 100,000
//!   children, with planted differences; read + match + diff + save.
//!   Baseline: a bare HashMap join of the ID numbers.
//!
//! Run: `cargo bench -p hutong-core --bench exchange`
//! (`HUTONG_BENCH_ROWS=10000` for a quicker run).

use criterion::{Criterion, criterion_group, criterion_main};
use hutong_core::compare::{self, Source};
use hutong_core::national::{NaiveDate, id_number};
use hutong_core::table::{self, mapping};
use hutong_core::{Actor, Store, setup};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn rows() -> usize {
    std::env::var("HUTONG_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 5, 22).unwrap()
}

fn county(dir: &Path, name: &str) -> Store {
    let mut store = Store::open_unencrypted(&dir.join(name)).unwrap();
    setup::initialise_county(&mut store, "bench", "411525").unwrap();
    store
}

fn villages(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT code FROM divisions WHERE level = 5 ORDER BY code")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

const GIVEN: [&str; 20] = [
    "浩", "宇", "轩", "欣", "怡", "雨", "萱", "梓", "涵", "子", "博", "文", "琪", "佳", "明", "杰",
    "晨", "阳", "宁", "睿",
];
const SURNAME: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];

/// n children: (id, name, birth, village).
fn people(n: usize, villages: &[String]) -> Vec<(String, String, NaiveDate, String)> {
    let start = NaiveDate::from_ymd_opt(2008, 1, 1).unwrap();
    (0..n)
        .map(|i| {
            let birth = start + chrono::Duration::days((i % 6000) as i64);
            let seq = i / 6000;
            let body = format!("411525{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{body}{}", id_number::check_char(&body).unwrap());
            let name = format!(
                "{}{}{}",
                SURNAME[i % 10],
                GIVEN[(i / 10) % 20],
                GIVEN[(i / 200) % 20]
            );
            (id, name, birth, villages[i % villages.len()].clone())
        })
        .collect()
}

fn write_csv(
    path: &Path,
    people: &[(String, String, NaiveDate, String)],
    status: impl Fn(usize) -> &'static str,
) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["姓名", "身份证号", "出生日期", "村（居）代码", "学籍状态"])
        .unwrap();
    for (i, (id, name, birth, village)) in people.iter().enumerate() {
        w.write_record([name.as_str(), id, &birth.to_string(), village, status(i)])
            .unwrap();
    }
    w.flush().unwrap();
}

fn import(c: &mut Criterion) {
    let n = rows();
    let dir = tempfile::tempdir().unwrap();
    let probe = county(dir.path(), "probe.db");
    let v = villages(&probe);
    drop(probe);
    let list = people(n, &v);
    let csv_path = dir.path().join("list.csv");
    write_csv(&csv_path, &list, |_| "在读");
    let xlsx_path = dir.path().join("list.xlsx");
    {
        let sheet = table::export::Sheet {
            name: "名单".into(),
            headers: ["姓名", "身份证号", "出生日期", "村（居）代码"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            rows: list
                .iter()
                .map(|(id, name, birth, village)| {
                    vec![name.clone(), id.clone(), birth.to_string(), village.clone()]
                })
                .collect(),
        };
        std::fs::write(&xlsx_path, table::export::xlsx_bytes(&[sheet]).unwrap()).unwrap();
    }

    let mut group = c.benchmark_group(format!("import_{}k", n / 1000));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    let run = |path: PathBuf| {
        move |b: &mut criterion::Bencher| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for i in 0..iters {
                    let d = tempfile::tempdir().unwrap();
                    let mut store = county(d.path(), &format!("b{i}.db"));
                    let started = Instant::now();
                    let preview =
                        table::preview_children_file(store.conn(), &path, None, today()).unwrap();
                    assert!(preview.is_clean(), "{:?}", preview.errors.first());
                    let bench_actor = Actor::system("bench", store.county_scope().unwrap());
                    let out =
                        table::import_children(&mut store, &bench_actor, &preview, false).unwrap();
                    total += started.elapsed();
                    assert_eq!(out.inserted, n);
                }
                total
            })
        }
    };
    group.bench_function("csv", run(csv_path.clone()));
    group.bench_function("xlsx", run(xlsx_path.clone()));
    group.bench_function("baseline_csv_parse", |b| {
        b.iter(|| {
            let mut r = csv::Reader::from_path(&csv_path).unwrap();
            black_box(r.records().filter_map(|x| x.ok()).count())
        })
    });
    group.finish();
}

fn compare_bench(c: &mut Criterion) {
    let n = rows();
    let dir = tempfile::tempdir().unwrap();
    let mut store = county(dir.path(), "county.db");
    let v = villages(&store);
    let list = people(n, &v);
    let ours_csv = dir.path().join("ours.csv");
    write_csv(&ours_csv, &list, |_| "");
    let preview = table::preview_children_file(store.conn(), &ours_csv, None, today()).unwrap();
    let bench_actor = Actor::system("bench", store.county_scope().unwrap());
    table::import_children(&mut store, &bench_actor, &preview, false).unwrap();
    // Their list: every 100th child missing, every 97th renamed, every
    // 1000th marked 辍学, plus 500 children we do not have.
    let mut theirs: Vec<_> = list
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 100 != 0)
        .map(|(i, p)| {
            let mut p = p.clone();
            if i % 97 == 0 {
                p.1.push('改');
            }
            p
        })
        .collect();
    let extra_birth = NaiveDate::from_ymd_opt(2006, 6, 1).unwrap();
    for k in 0..500 {
        let body = format!(
            "411525{}{:03}",
            (extra_birth + chrono::Duration::days(k)).format("%Y%m%d"),
            5
        );
        let id = format!("{body}{}", id_number::check_char(&body).unwrap());
        theirs.push((
            id,
            format!("外来{k}"),
            extra_birth + chrono::Duration::days(k),
            v[0].clone(),
        ));
    }
    let theirs_csv = dir.path().join("xueji.csv");
    write_csv(&theirs_csv, &theirs, |i| {
        if i % 1000 == 0 { "辍学" } else { "在读" }
    });
    let expected_missing = list
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 100 == 0)
        .count();

    let mut group = c.benchmark_group(format!("compare_{}k", n / 1000));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("read_match_diff_save", |b| {
        b.iter(|| {
            let bench_actor = Actor::system("bench", store.county_scope().unwrap());
            let cmp = compare::compare_file(
                &mut store,
                &bench_actor,
                &theirs_csv,
                Source::StudentRegistry,
                None,
                today(),
            )
            .unwrap();
            let counts = cmp.counts();
            assert_eq!(counts.only_ours, expected_missing);
            assert_eq!(counts.only_theirs, 500);
            black_box(counts)
        })
    });
    group.bench_function("read_match_diff", |b| {
        b.iter(|| {
            let t = table::read_with_mapping(store.conn(), &theirs_csv, None).unwrap();
            let m = mapping::auto_map("学籍库", &t.headers);
            black_box(
                compare::run(store.conn(), Source::StudentRegistry, &t, &m, "", today())
                    .unwrap()
                    .counts(),
            )
        })
    });
    group.bench_function("baseline_hash_join", |b| {
        b.iter(|| {
            let mut r = csv::Reader::from_path(&theirs_csv).unwrap();
            let ours: std::collections::HashSet<String> = {
                let mut stmt = store
                    .conn()
                    .prepare("SELECT id_number FROM children")
                    .unwrap();
                stmt.query_map([], |r| r.get(0))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect()
            };
            black_box(
                r.records()
                    .filter_map(|x| x.ok())
                    .filter(|rec| rec.get(1).is_some_and(|id| ours.contains(id)))
                    .count(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, import, compare_bench);
criterion_main!(benches);
