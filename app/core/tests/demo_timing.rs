//! Timing of the demo generator and its year of casework (run by hand; does
//! nothing without the variable):
//! `HUTONG_DEMO_CHILDREN=100000 HUTONG_DEMO_SEED=20250522 cargo test -p hutong-core --test demo_timing -- --nocapture`
//! (`HUTONG_DEMO_COUNTY` and `HUTONG_DEMO_TODAY` optional).
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
    let today = std::env::var("HUTONG_DEMO_TODAY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(NaiveDate::from_ymd_opt(2025, 5, 22).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create_encrypted(&dir.path().join("demo.db"), true).unwrap();
    let opts = demo::DemoOptions {
        county_code: county,
        generated_children: n,
        seed,
        today,
    };
    let started = std::time::Instant::now();
    let summary = demo::generate(&mut store, &opts, |done, _| {
        if done % 20_000 < 2_000 {
            eprintln!("{done} after {:.1}s", started.elapsed().as_secs_f64());
        }
        true
    })
    .unwrap();
    let children_took = started.elapsed().as_secs_f64();
    let history = demo::add_history(&mut store, &opts).unwrap();
    eprintln!(
        "demo {n} seed {seed}: {} children, {} visits, {} forms in {children_took:.1}s; \
         history {history:?}; total {:.1}s",
        summary.children,
        summary.visits,
        summary.forms,
        started.elapsed().as_secs_f64()
    );
}
