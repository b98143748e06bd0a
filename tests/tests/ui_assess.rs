//! The child file's 评估 tab, the daily eligibility sweep and the plugin
//! upgrade review (#8), driven with egui_kittest against a real database
//! and the real, signed 河南 plugin. The upgrade installs a second version
//! of it (`tests/fixtures/plugins/henan-next`, 1.1.0: a score of 3–5 is
//! yellow instead of green) from the 插件 screen; the file dialog is the
//! only fake.
//!
//! - an unanswered item is refused with a Chinese message naming it, and
//!   nothing is stored; a filled questionnaire is run by the plugin and
//!   stored with its id@version, and the colour shown is the stored one;
//! - log-in runs today's eligibility sweep once, and the child's findings
//!   show with their citations;
//! - installing 1.1.0 lists the child whose colour changes (green →
//!   yellow) and no other; 取消 changes nothing; 确认应用 stores the new
//!   result with 1.1.0.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hutong::gui::{HutongApp, Screen};
use hutong::platform::{DialogRequest, FileDialogs, Platform};
use hutong_core::assessments;
use hutong_core::province::{Answer, Colour, ScaleDef};
use hutong_plugin_host::{Plugin, Runtime, RuntimeConfig};
use hutong_tests::{hutong as run_hutong, install_signed_plugin, plugin_wasm, stderr};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Answers file dialogs from a queue.
#[derive(Default)]
struct FakeDialogs {
    answers: Mutex<VecDeque<Option<PathBuf>>>,
}

impl FileDialogs for FakeDialogs {
    fn ask(&self, _: &DialogRequest) -> Option<PathBuf> {
        self.answers.lock().unwrap().pop_front().flatten()
    }
}

fn settle(h: &mut Harness<'static, HutongApp>) {
    step_until(h, "background work", |a| !a.busy());
}

/// Steps frames until `done` holds; background work runs on other threads.
fn step_until(h: &mut Harness<'static, HutongApp>, what: &str, done: impl Fn(&HutongApp) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !done(h.state()) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    while h.state().busy() {
        assert!(
            std::time::Instant::now() < deadline,
            "background work did not end"
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(8);
    let _ = h.run_ok();
}

fn harness(db: &Path, platform: Platform) -> Harness<'static, HutongApp> {
    let path = db.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1280.0, 2400.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| {
            let mut app = HutongApp::new(path);
            app.set_platform(platform);
            app
        });
    h.get_by_label("用户名").focus();
    h.step();
    // The administrator: these flows install plugins and restore backups.
    h.get_by_label("用户名").type_text("admin");
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text("hutong-demo");
    settle(&mut h);
    h.get_by_label("登录").click();
    settle(&mut h);
    h
}

fn open_child(h: &mut Harness<'static, HutongApp>, name: &str) {
    h.get_by_label("儿童档案").click();
    settle(h);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text(name);
    settle(h);
    h.get_by_label(name).click();
    settle(h);
    assert_eq!(h.state().screen(), Screen::ChildFile);
    assert_eq!(h.state().open_child_name(), Some(name));
}

fn demo_with_henan(dir: &Path) -> PathBuf {
    let db = dir.join("county.db");
    // Without the plugin the program carries (and so without the demo's
    // assessments): these tests assess from a blank slate.
    let out = run_hutong(&db, &["demo", "--children", "40", "--no-plugin"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    install_signed_plugin(&db, dir, "hutong_plugin_henan.wasm", "41");
    db
}

fn henan() -> Plugin {
    Runtime::new(RuntimeConfig::default())
        .unwrap()
        .load_file(&plugin_wasm("hutong_plugin_henan.wasm"))
        .unwrap()
}

fn scale_of(p: &mut Plugin) -> ScaleDef {
    p.scales().unwrap().remove(0)
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = hutong_tests::raw_conn(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn child_id(db: &Path, name: &str) -> hutong_core::RowId {
    let conn = hutong_tests::raw_conn(db).unwrap();
    conn.query_row("SELECT id FROM children WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .unwrap()
}

fn colour_zh(code: Option<&str>) -> &'static str {
    code.and_then(assessments::colour_from_code)
        .map(Colour::label_zh)
        .unwrap_or("无颜色")
}

/// Every item answered with its first option, except `motivation`: 逃学
/// (5 points in the 河南 scheme: 四级, green, under 1.0.0).
fn answers_scoring_five(scale: &ScaleDef) -> Vec<Answer> {
    scale
        .items
        .iter()
        .map(|i| Answer {
            item_id: i.id.clone(),
            code: if i.id == "motivation" {
                "truant".into()
            } else {
                i.options[0].code.clone()
            },
        })
        .collect()
}

#[test]
fn a_scale_is_validated_run_by_the_plugin_and_stored_with_its_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_with_henan(dir.path());
    let scale = scale_of(&mut henan());
    let mut h = harness(&db, Platform::default());

    // Log-in runs today's eligibility sweep (a background job), once, and
    // says what it did.
    step_until(&mut h, "the sweep", |_| {
        count(&db, "SELECT count(*) FROM eligibility_sweeps") > 0
    });
    h.run_steps(4);
    assert_eq!(count(&db, "SELECT count(*) FROM eligibility_sweeps"), 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'eligibility.sweep' AND actor = '系统：每日资格复核'"
        ),
        1
    );
    assert!(h.query_by_label("今日资格核查：").is_some());

    open_child(&mut h, "马文博");
    let child = child_id(&db, "马文博");
    h.get_by_label("评估").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("尚未评估").is_some());

    // The findings of the sweep show with their citations.
    let citation: String = {
        let conn = hutong_tests::raw_conn(&db).unwrap();
        conn.query_row(
            "SELECT citation FROM eligibility_findings WHERE child_id = ?1 AND citation <> '' LIMIT 1",
            [child],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert!(
        h.query_by_label(&format!("依据：{citation}")).is_some(),
        "the citation {citation} shows"
    );

    // Nothing answered: the first item is named, nothing is stored.
    h.get_by_label("提交评估").click();
    settle(&mut h);
    let first = &scale.items[0];
    assert!(
        h.query_by_label_contains(&format!("第1项“{}”", first.text))
            .is_some(),
        "the unanswered item is named"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM assessments"), 0);

    // Answer every item with its first option, then 学习动机: 逃学.
    let mut labels: Vec<&str> = scale
        .items
        .iter()
        .map(|i| i.options[0].label.as_str())
        .collect();
    labels.dedup();
    labels.sort();
    labels.dedup();
    for label in labels {
        for node in h.get_all_by_label(label) {
            node.click();
        }
        h.run_steps(2);
    }
    h.get_by_label("逃学").click();
    h.run_steps(2);
    h.get_by_label("提交评估").click();
    step_until(&mut h, "the stored result", |_| {
        count(&db, "SELECT count(*) FROM assessments") == 1
    });

    let conn = hutong_tests::raw_conn(&db).unwrap();
    let (plugin_id, version, colour, label, answers): (String, String, Option<String>, String, String) = conn
        .query_row(
            "SELECT plugin_id, plugin_version, colour, level_label, answers_json FROM assessments WHERE child_id = ?1",
            [child],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    let installed: (String, String) = conn
        .query_row(
            "SELECT plugin_id, version FROM installed_plugins WHERE status = 'active'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((plugin_id.clone(), version.clone()), installed);
    let stored: Vec<Answer> = serde_json::from_str(&answers).unwrap();
    assert_eq!(stored, answers_scoring_five(&scale), "the answers clicked");
    // What the screen shows is what was stored.
    assert!(
        h.query_by_label_contains(&format!("{label}（{}色）", colour_zh(colour.as_deref())))
            .is_some(),
        "the saved message shows {label} and the stored colour"
    );
    assert!(
        h.query_by_label_contains(&format!("，{plugin_id}@{version}"))
            .is_some(),
        "the saved message names the plugin version"
    );
    // The history table lists it too (the findings name the plugin as well).
    assert!(
        h.query_all_by_label(&format!("{plugin_id}@{version}"))
            .count()
            >= 2
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'assessment.add' AND actor = 'admin'"
        ),
        1
    );
    assert!(h.query_by_label_contains("尚未评估").is_none());
}

#[test]
fn an_upgrade_lists_the_changed_child_and_applies_only_on_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_with_henan(dir.path());
    // Two children assessed with 1.0.0: 马文博 scores 5 (green; yellow
    // under 1.1.0), 刘欣怡 scores 0 (green under both).
    {
        let mut store = hutong_tests::open_db(&db).unwrap();
        let mut p = henan();
        let scale = scale_of(&mut p);
        let today = chrono::Local::now().date_naive();
        let zero: Vec<Answer> = scale
            .items
            .iter()
            .map(|i| Answer {
                item_id: i.id.clone(),
                code: i.options[0].code.clone(),
            })
            .collect();
        for (name, answers) in [("马文博", answers_scoring_five(&scale)), ("刘欣怡", zero)] {
            let id = child_id(&db, name);
            let county_actor = hutong_services::Session::system(
                &store,
                hutong_services::SystemJob::EligibilitySweep,
            )
            .unwrap();
            let a = hutong::casework::assess_child(
                &mut store,
                &mut p,
                &county_actor,
                id,
                &scale,
                answers,
                today,
            )
            .unwrap();
            assert_eq!(a.colour, Some(Colour::Green), "{name}");
        }
    }
    // The newer version, signed with the province key already trusted.
    let next = dir.path().join("henan-1.1.0.wasm");
    std::fs::copy(plugin_wasm("henan_next_plugin.wasm"), &next).unwrap();
    let key = dir.path().join("41.pem");
    let out = run_hutong(
        &db,
        &[
            "plugin",
            "sign",
            "--key",
            key.to_str().unwrap(),
            next.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(
        &db,
        Platform {
            dialogs: dialogs.clone(),
            ..Platform::default()
        },
    );
    let rows = |db: &Path| count(db, "SELECT count(*) FROM assessments");
    let categories = |db: &Path| count(db, "SELECT count(*) FROM categories");
    let (rows_before, categories_before) = (rows(&db), categories(&db));

    h.get_by_label("插件").click();
    settle(&mut h);
    dialogs
        .answers
        .lock()
        .unwrap()
        .push_back(Some(next.clone()));
    h.get_by_label("从文件安装插件…").click();
    step_until(&mut h, "the review", |a| {
        a.upgrade_review_children().is_some()
    });
    assert_eq!(
        h.state().upgrade_review_children(),
        Some(vec!["马文博".to_string()])
    );
    assert!(h.query_by_label("马文博").is_some());
    assert!(h.query_by_label("黄").is_some(), "the new colour shows");
    assert!(
        h.query_by_label_contains("1.1.0 版").is_some(),
        "the reason shows"
    );
    // Nothing was written by the preview.
    assert_eq!(
        (rows(&db), categories(&db)),
        (rows_before, categories_before)
    );

    h.get_by_label("取消（不作更改）").click();
    settle(&mut h);
    assert_eq!(h.state().upgrade_review_children(), None);
    assert_eq!(
        (rows(&db), categories(&db)),
        (rows_before, categories_before)
    );

    h.get_by_label("用当前插件版本复核变化…").click();
    step_until(&mut h, "the second review", |a| {
        a.upgrade_review_children().is_some()
    });
    h.get_by_label("确认应用").click();
    step_until(&mut h, "the applied upgrade", |a| {
        a.upgrade_review_children().is_none()
    });
    assert_eq!(rows(&db), rows_before + 1);
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let (version, colour): (String, String) = conn
        .query_row(
            "SELECT plugin_version, colour FROM assessments WHERE child_id = ?1 ORDER BY assessed_at DESC LIMIT 1",
            [child_id(&db, "马文博")],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version.as_str(), colour.as_str()), ("1.1.0", "yellow"));
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'assessment.add' AND actor = 'admin'"
        ),
        1
    );
}
