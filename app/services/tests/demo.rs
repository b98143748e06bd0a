//! Issue #19, items 1 and 2: the demo county comes with its province's
//! plugin (embedded in the program, signed with the public demo key) and
//! with that plugin's assessments; a county database never trusts the demo
//! key.

use hutong_core::demo::DemoOptions;
use hutong_core::plugin_registry::{self, DEMO_PLUGIN_KEY};
use hutong_core::schedule::{self, DueStatus, ScheduleFilter};
use hutong_core::{Actor, Store, assessments, setup};
use hutong_services::casework;
use hutong_services::demo::{self, DemoRequest};
use hutong_services::{Session, SystemJob};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn request(county: &str, children: usize) -> DemoRequest {
    DemoRequest {
        options: DemoOptions {
            county_code: county.into(),
            generated_children: children,
            seed: 7,
            today: chrono::Local::now().date_naive(),
        },
        history: true,
        plugin: true,
    }
}

fn demo_county(dir: &Path, county: &str, children: usize) -> (Store, demo::DemoReport) {
    let db = dir.join("demo.db");
    let mut store = Store::create_encrypted(&db, true).unwrap();
    let report = demo::build(&db, &mut store, &request(county, children), |_, _| true).unwrap();
    (store, report)
}

/// Latest colour per child, counted.
fn colours(store: &Store) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (_, latest) in assessments::latest_per_child(store.conn(), None, None).unwrap() {
        let colour = latest
            .and_then(|a| a.colour)
            .map_or("none", assessments::colour_code);
        *out.entry(colour.to_string()).or_default() += 1;
    }
    out
}

#[test]
fn the_henan_demo_has_its_plugin_all_four_colours_due_and_overdue_visits_and_a_quiet_first_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let (mut store, report) = demo_county(dir.path(), "411525", 600);

    let installed = report.plugin.expect("the 河南 plugin is installed");
    assert_eq!(installed.manifest.province_code, "41");
    assert_eq!(installed.signed_by.as_deref(), Some(DEMO_PLUGIN_KEY));
    assert!(installed.warning.is_none(), "not a developer-mode install");

    // Every child has a result from the plugin, in all four colours, most
    // of them green and some red.
    let counts = colours(&store);
    let children: usize = counts.values().sum();
    assert_eq!(report.assessments.as_ref().unwrap().children, children);
    for colour in ["green", "yellow", "orange", "red"] {
        assert!(
            counts.get(colour).copied().unwrap_or(0) > 0,
            "{colour}: {counts:?}"
        );
    }
    assert!(counts["green"] > children / 2, "{counts:?}");
    assert!(counts["red"] < children / 5, "{counts:?}");
    assert!(!counts.contains_key("none"), "{counts:?}");

    // Assessed at the children's visits, so the schedule has visits due
    // this week and overdue ones.
    let plugin_policy = installed.manifest.visit_policy.clone();
    let today = chrono::Local::now().date_naive();
    let entries = schedule::compute(
        store.conn(),
        &store.county_scope().unwrap(),
        &plugin_policy,
        today,
        &ScheduleFilter::default(),
    )
    .unwrap();
    let overdue = entries
        .iter()
        .filter(|e| e.status == DueStatus::Overdue)
        .count();
    let this_week = entries
        .iter()
        .filter(|e| e.status == DueStatus::DueThisWeek)
        .count();
    assert!(
        overdue > 0 && this_week > 0,
        "overdue {overdue}, this week {this_week}"
    );
    assert!(
        overdue < entries.len() / 2,
        "overdue {overdue} of {}",
        entries.len()
    );

    // The demo's categories agree with its plugin's rules.
    let (_rt, mut plugin) = casework::load_province_plugin(&db, &store).unwrap();
    let system = Session::system(&store, SystemJob::EligibilitySweep).unwrap();
    let sweep = casework::eligibility_sweep(
        &mut store,
        &mut plugin,
        &system,
        today,
        &mut |_, _| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert!(sweep.checked >= children, "{} checked", sweep.checked);
    assert!(sweep.changes.is_empty(), "{:?}", sweep.changes);
    assert!(sweep.failed.is_empty(), "{:?}", sweep.failed);
}

#[test]
fn each_bundled_province_gets_its_plugin_and_a_spread_of_results() {
    for (county, colours_wanted) in [
        ("320903", &["green", "blue", "yellow", "red"][..]),
        ("630106", &["green", "yellow", "orange", "red"][..]),
        // 西藏's scale is a screening (PSC-17): levels, no colours.
        ("540124", &["none"][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (store, report) = demo_county(dir.path(), county, 300);
        let installed = report
            .plugin
            .unwrap_or_else(|| panic!("{county}: no plugin"));
        assert_eq!(installed.manifest.province_code, county[..2]);
        let counts = colours(&store);
        for colour in colours_wanted {
            assert!(
                counts.get(*colour).copied().unwrap_or(0) > 0,
                "{county} {colour}: {counts:?}"
            );
        }
        // A screening still has more than one level.
        let levels: std::collections::BTreeSet<String> =
            assessments::latest_per_child(store.conn(), None, None)
                .unwrap()
                .into_iter()
                .filter_map(|(_, a)| a.map(|a| a.level_code))
                .collect();
        assert!(levels.len() >= 2, "{county}: {levels:?}");
    }
}

#[test]
fn a_county_without_a_bundled_plugin_gets_a_demo_without_one() {
    let dir = tempfile::tempdir().unwrap();
    // 北京市东城区: the program carries no 北京 plugin.
    let (store, report) = demo_county(dir.path(), "110101", 50);
    assert!(report.plugin.is_none());
    assert!(report.assessments.is_none());
    assert!(plugin_registry::installed(store.conn()).unwrap().is_empty());
    assert!(
        plugin_registry::trusted_keys(store.conn(), None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_county_database_refuses_the_demo_key_and_the_bundled_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    let mut store = Store::create_encrypted(&db, false).unwrap();
    setup::initialise_county(&mut store, "测试", "411525").unwrap();
    let actor = Actor::system("测试", store.county_scope().unwrap());
    // Even a session that may install and trust keys: the demo key is the
    // demo's only.
    let session = Session::system(&store, SystemJob::BuildDemo).unwrap();

    let refused = demo::install_bundled(&db, &mut store, &session, "41").unwrap_err();
    assert!(
        format!("{refused:#}").contains("只能装入示例数据库"),
        "{refused:#}"
    );

    let refused = store
        .write(&actor, |tx| {
            plugin_registry::trust_key(tx, "41", DEMO_PLUGIN_KEY, Some("demo"))
        })
        .unwrap_err();
    assert!(
        refused.to_string().contains("只有示例数据库可以信任"),
        "{refused}"
    );
    assert!(
        plugin_registry::trusted_keys(store.conn(), None)
            .unwrap()
            .is_empty()
    );
    assert!(plugin_registry::installed(store.conn()).unwrap().is_empty());
    assert!(!dir.path().join("plugins").exists());

    // Even listed in the file by other means (an old version, a hand-made
    // file), the demo key does not count for a county.
    store
        .conn()
        .execute(
            "INSERT INTO trusted_keys (id, province_code, public_key, label, added_at)
             VALUES (?1, '41', ?2, 'planted', '2026-01-01')",
            (hutong_core::RowId::new(), DEMO_PLUGIN_KEY),
        )
        .unwrap();
    assert!(
        plugin_registry::trusted_keys(store.conn(), Some("41"))
            .unwrap()
            .is_empty()
    );
    let bundled = hutong_bundled_plugins::for_province("41").unwrap();
    let wasm = dir.path().join(bundled.file_name);
    std::fs::write(&wasm, bundled.wasm).unwrap();
    std::fs::write(
        hutong_plugin_host::signing::signature_path(&wasm),
        bundled.signature,
    )
    .unwrap();
    let refused = hutong_services::installed::install_from_file(&db, &mut store, &session, &wasm)
        .unwrap_err();
    assert!(
        format!("{refused:#}").contains("不在本县信任的公钥中"),
        "{refused:#}"
    );
    assert!(plugin_registry::installed(store.conn()).unwrap().is_empty());
}
