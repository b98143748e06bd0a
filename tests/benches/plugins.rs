//! Plugin host benchmarks (release): cold compile vs cache load, fresh
//! instance, a trivial call, `assess` over a realistic ~2 KB child record
//! against the same rule in native Rust, and `render-report` of a
//! ~200-node roster.
//!
//! Run: `cargo bench -p hutong-tests --bench plugins`.

use criterion::{Criterion, criterion_group, criterion_main};
use hutong_core::province as p;
use hutong_plugin_host::{Runtime, RuntimeConfig};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn template() -> PathBuf {
    Path::new(env!("HUTONG_PLUGIN_DIR")).join("hutong_plugin_template.wasm")
}

/// A realistic child record: about 2 KB once serialised.
fn child() -> p::ChildSnapshot {
    let rel = |relation: &str, occupation: &str, situation: &str| p::RelationSnapshot {
        relation: relation.into(),
        occupation: occupation.into(),
        situation: situation.into(),
        is_guardian: relation.starts_with("PATERNAL"),
        situation_since: Some("2022-03-01".into()),
        ..Default::default()
    };
    p::ChildSnapshot {
        id_number: "411525201304150124".into(),
        name: "张小雨".into(),
        sex: "F".into(),
        birth_date: "2013-04-15".into(),
        ethnicity: "汉族".into(),
        hukou_division: "411525102201".into(),
        residence_division: "411525102201".into(),
        residence_name: "河南省 信阳市 固始县 黎集镇 插花村民委员会".into(),
        schooling: "小学".into(),
        health: "健康".into(),
        disability_type: "肢体残疾".into(),
        disability_grade: Some(3),
        categories: vec!["DE_FACTO_UNSUPPORTED".into()],
        relations: vec![
            rel("FATHER", "务工", "IMPRISONED"),
            rel("MOTHER", "务工", "LOST_CONTACT"),
            rel("PATERNAL_GRANDMOTHER", "务农", ""),
        ],
        visits: (1..=6)
            .map(|m| p::VisitSnapshot {
                date: format!("2025-0{m}-10"),
                mode: "home".into(),
                visitor: "黎集镇儿童主任 张敏".into(),
                findings: "祖母照料，生活正常，学习情况良好，按时上学，无异常情况。".into(),
            })
            .collect(),
        forms: vec![],
        ..Default::default()
    }
}

/// The template plugin's `record-risk` rule, written again in native Rust
/// as the baseline (keep in step with plugins/template/src/lib.rs).
fn native_record_risk(child: &p::ChildSnapshot, today: &str) -> (f64, &'static str, Vec<String>) {
    let mut score = 0.0;
    let mut reasons = Vec::new();
    let away = child
        .relations
        .iter()
        .filter(|r| (r.relation == "FATHER" || r.relation == "MOTHER") && r.occupation == "务工")
        .count();
    if away >= 2 {
        score += 2.0;
        reasons.push("父母双方外出务工".to_string());
    }
    for r in &child.relations {
        if !r.situation.is_empty() {
            score += 3.0;
            reasons.push(format!("{}：{}", r.relation, r.situation));
        }
    }
    if let Some(g) = child.disability_grade {
        score += f64::from(5u8.saturating_sub(g));
        reasons.push(format!("{}{}级", child.disability_type, g));
    }
    let last_visit = child
        .visits
        .iter()
        .map(|v| v.date.as_str())
        .max()
        .unwrap_or("");
    if last_visit.is_empty() || last_visit < today.get(..7).unwrap_or("") {
        score += 1.0;
        reasons.push("本月尚未走访".to_string());
    }
    let code = if score >= 6.0 {
        "high"
    } else if score >= 3.0 {
        "medium"
    } else {
        "low"
    };
    (score, code, reasons)
}

fn benches(c: &mut Criterion) {
    let wasm = std::fs::read(template()).unwrap();
    let child = child();
    eprintln!(
        "child record: {} bytes as JSON",
        serde_json::to_string(&child).unwrap().len()
    );

    let mut g = c.benchmark_group("plugin_load");
    g.sample_size(10);
    g.bench_function("cold_compile", |b| {
        let rt = Runtime::new(RuntimeConfig::default()).unwrap();
        b.iter(|| black_box(rt.load_bytes(Path::new("template.wasm"), &wasm).unwrap()))
    });
    let cache = tempfile::tempdir().unwrap();
    let trust = hutong_plugin_host::MemoryTrust::default();
    let rt = Runtime::new(RuntimeConfig {
        cache_dir: Some(cache.path().to_path_buf()),
        ..Default::default()
    })
    .unwrap();
    rt.load_bytes_cached(Path::new("template.wasm"), &wasm, &trust)
        .unwrap();
    g.sample_size(50);
    g.bench_function("load_from_cache", |b| {
        b.iter(|| {
            let p = rt
                .load_bytes_cached(Path::new("template.wasm"), &wasm, &trust)
                .unwrap();
            assert!(p.load_info().from_cache);
            black_box(p)
        })
    });
    g.finish();

    let mut plugin = rt.load_bytes(Path::new("template.wasm"), &wasm).unwrap();
    let mut g = c.benchmark_group("plugin_call");
    g.bench_function("fresh_instance_plus_trivial_call", |b| {
        b.iter(|| {
            plugin.reset_instance();
            black_box(plugin.report_templates().unwrap())
        })
    });
    g.bench_function("trivial_call", |b| {
        b.iter(|| black_box(plugin.report_templates().unwrap()))
    });
    let input = p::AssessInput {
        today: "2025-06-22".into(),
        answers: vec![],
        child: Some(child.clone()),
    };
    let wasm_result = plugin.assess("record-risk", &input).unwrap();
    let native = native_record_risk(&child, "2025-06-22");
    assert_eq!(
        wasm_result.score,
        Some(native.0),
        "the baseline must compute the same result"
    );
    assert_eq!(wasm_result.level_code, native.1);
    g.bench_function("assess_2kb_record_wasm", |b| {
        b.iter(|| black_box(plugin.assess("record-risk", &input).unwrap()))
    });
    g.bench_function("assess_2kb_record_native", |b| {
        b.iter(|| black_box(native_record_risk(black_box(&child), "2025-06-22")))
    });
    let roster = p::ReportInput {
        today: "2025-06-22".into(),
        children: (0..32).map(|_| child.clone()).collect(),
        ..Default::default()
    };
    let doc = plugin.render_report("roster", &roster).unwrap();
    eprintln!("roster document: {} blocks", doc.block_count());
    g.bench_function("render_report_200_nodes", |b| {
        b.iter(|| black_box(plugin.render_report("roster", &roster).unwrap()))
    });
    g.finish();
}

criterion_group!(plugin_benches, benches);
criterion_main!(plugin_benches);
