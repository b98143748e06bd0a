//! Render benchmarks against the DESIGN §5 bars (release build):
//! a 3-page child file < 20 ms and < 135 KB; a 1,000-row roster < 0.5 s.
//! Fonts are loaded once up front, as the app does. The `raster` group
//! times the in-app preview (`cargo bench -p hutong-report --bench render -- raster`):
//! page 1 at 1.5 px/pt (893 × 1263 px) took about 40 ms on the 2-core
//! development machine when it was added.

use criterion::{Criterion, criterion_group, criterion_main};
use hutong_report::{FontSet, Preview, render};

#[path = "../tests/common/fixtures.rs"]
mod fixtures;

fn bench(c: &mut Criterion) {
    let fonts = FontSet::bundled();
    let child = fixtures::child_file();
    let roster = fixtures::roster(1000);
    // Warm-up: parses the faces the fixtures use (once per process).
    let child_pdf = render(&child, &fonts).expect("child file renders");
    let roster_pdf = render(&roster, &fonts).expect("roster renders");
    println!(
        "sizes: child file {} bytes ({:.1} KB, bar 135 KB); 1,000-row roster {} bytes ({:.1} KB)",
        child_pdf.len(),
        child_pdf.len() as f64 / 1024.0,
        roster_pdf.len(),
        roster_pdf.len() as f64 / 1024.0
    );

    let mut g = c.benchmark_group("render");
    g.sample_size(20);
    g.bench_function("child_file_3_pages", |b| {
        b.iter(|| render(&child, &fonts).expect("render"))
    });
    g.sample_size(10);
    g.bench_function("roster_1000_rows", |b| {
        b.iter(|| render(&roster, &fonts).expect("render"))
    });
    g.finish();

    // The in-app preview: page 1 of the child file at 1.5 px/pt (108 dpi),
    // from a document already laid out (as the print centre keeps it).
    let preview = Preview::new(&child, &fonts).expect("child file lays out");
    let mut g = c.benchmark_group("raster");
    g.sample_size(20);
    g.bench_function("child_file_page1_1.5x", |b| {
        b.iter(|| preview.rasterize(0, 1.5).expect("rasterise"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
