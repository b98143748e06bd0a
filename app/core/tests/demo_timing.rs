//! Timing of the demo generator (run by hand):
//! `HUTONG_DEMO_CHILDREN=100000 HUTONG_DEMO_SEED=20250522 cargo test -p hutong-core --test demo_timing -- --nocapture`
use hutong_core::Store;
use hutong_core::demo;
use hutong_core::national::NaiveDate;

#[test]
fn timed_demo() {
    let Ok(n) = std::env::var("HUTONG_DEMO_CHILDREN") else {
        return;
    };
    let n: usize = n.parse().unwrap();
    let seed: u64 = std::env::var("HUTONG_DEMO_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20250522);
    let county = std::env::var("HUTONG_DEMO_COUNTY").unwrap_or_else(|_| "411525".into());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.db")).unwrap();
    let started = std::time::Instant::now();
    let result = demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: county,
            generated_children: n,
            seed,
            today: std::env::var("HUTONG_DEMO_TODAY")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()),
        },
        |done, _| {
            if done % 10_000 < 2_000 {
                eprintln!("{done} after {:.1}s", started.elapsed().as_secs_f64());
            }
            true
        },
    );
    eprintln!(
        "demo {n} seed {seed}: {:?} in {:.1}s",
        result.as_ref().map(|s| s.children),
        started.elapsed().as_secs_f64()
    );
    result.unwrap();
}
