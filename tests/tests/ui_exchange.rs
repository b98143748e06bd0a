//! The 数据交换 screen driven with egui_kittest on a real SQLite file (a
//! small generated demo county). File dialogs are the only fake.
//!
//! - a messy CSV goes through the mapping screen: the row report names the
//!   bad rows, nothing is imported while rows are invalid, the valid rows
//!   are imported with 跳过无效行, and the mapping is remembered;
//! - a 学籍库 list with planted differences lands in the right groups, and
//!   accepting a field updates the child with an audit entry;
//! - a backup restored through the screen verifies its audit chain.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hutong::gui::HutongApp;
use hutong::platform::{DialogRequest, FileDialogs, Platform};
use hutong_core::national::id_number;
use hutong_core::{Store, audit, demo};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct FakeDialogs {
    answers: Mutex<VecDeque<Option<PathBuf>>>,
}

impl FakeDialogs {
    fn answer(&self, a: Option<PathBuf>) {
        self.answers.lock().unwrap().push_back(a);
    }
}

impl FileDialogs for FakeDialogs {
    fn ask(&self, _: &DialogRequest) -> Option<PathBuf> {
        self.answers.lock().unwrap().pop_front().flatten()
    }
}

fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("county.db");
    let mut store = Store::create_encrypted(&db, true).unwrap();
    demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: 40,
            seed: 11,
            today: chrono::Local::now().date_naive(),
        },
        |_, _| true,
    )
    .unwrap();
    db
}

/// Steps frames until no background work runs, then lets the frame settle.
fn settle(h: &mut Harness<'static, HutongApp>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        h.step();
        if !h.state().busy() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "background work did not end; message: {:?}",
            h.state().exchange_message()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(8);
    let _ = h.run_ok();
}

fn harness(db: &Path, dialogs: Arc<FakeDialogs>) -> Harness<'static, HutongApp> {
    let path = db.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1280.0, 900.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| {
            let mut app = HutongApp::new(path);
            app.set_platform(Platform {
                dialogs,
                ..Default::default()
            });
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
    h.get_by_label("数据交换").click();
    settle(&mut h);
    h
}

fn count(db: &Path, sql: &str) -> i64 {
    hutong_tests::raw_conn(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn make_id(birth: &str, seq: u32) -> String {
    let body = format!("411525{birth}{seq:03}");
    format!("{body}{}", id_number::check_char(&body).unwrap())
}

fn first_village(db: &Path) -> String {
    hutong_tests::raw_conn(db)
        .unwrap()
        .query_row(
            "SELECT code FROM divisions WHERE level = 5 ORDER BY code LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn messy_csv_through_the_mapping_screen_is_all_or_nothing_unless_skipping() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let village = first_village(&db);
    let (a, b) = (make_id("20150304", 801), make_id("20160506", 802));
    let mut bad_check = make_id("20140101", 803);
    bad_check.replace_range(17.., if bad_check.ends_with('1') { "2" } else { "1" });
    let csv = format!(
        "某镇困境儿童花名册,,\n儿童名字,身份证号,村（居）\n\
         甲一,{a},{village}\n乙二,{b},{village}\n丙三,{bad_check},{village}\n\
         丁四,{},999999999999\n甲一,{a},{village}\n戊五,4.11525E+17,{village}\n,,\n",
        make_id("20130708", 804)
    );
    let file = dir.path().join("花名册.csv");
    std::fs::write(&file, csv).unwrap();
    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, dialogs.clone());
    let before = count(&db, "SELECT count(*) FROM children");

    h.get_by_label("来源名称").focus();
    h.step();
    h.get_by_label("来源名称").type_text("某镇花名册");
    dialogs.answer(Some(file.clone()));
    h.get_by_label("选择文件…").click();
    settle(&mut h);
    // 儿童名字 is no usual header: map it by hand.
    h.get_by_label("姓名 ←").click();
    h.run_steps(2);
    h.get_by_label("A列 儿童名字").click();
    h.run_steps(2);
    h.get_by_label("检查数据").click();
    settle(&mut h);
    for expected in [
        "第5行 B列（身份证号）",
        "第6行 C列（村(居)）",
        "第7行 B列（身份证号）：与第3行的身份证号重复",
        "第8行 B列（身份证号）",
    ] {
        assert!(
            h.query_by_label_contains(expected).is_some(),
            "report row {expected} not shown"
        );
    }
    assert!(
        h.query_by_label_contains("共 6 行：有效 2 行，有错误 4 行")
            .is_some()
    );
    // Invalid rows: the import button stays disabled until skipping is chosen.
    h.get_by_label_contains("导入有效行（").click();
    settle(&mut h);
    assert_eq!(count(&db, "SELECT count(*) FROM children"), before);

    h.get_by_label("跳过无效行，只导入有效行").click();
    h.run_steps(2);
    h.get_by_label_contains("导入有效行（").click();
    settle(&mut h);
    assert!(
        h.state()
            .exchange_message()
            .is_some_and(|m| m.contains("已导入 2 名儿童")),
        "{:?}",
        h.state().exchange_message()
    );
    assert_eq!(count(&db, "SELECT count(*) FROM children"), before + 2);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'table.import'"
        ),
        1
    );
    let saved: String = hutong_tests::raw_conn(&db)
        .unwrap()
        .query_row(
            "SELECT columns_json FROM column_mappings WHERE name = '某镇花名册'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(saved.contains("儿童名字"), "mapping remembered: {saved}");
}

#[test]
fn comparison_groups_and_accepting_a_field_updates_the_child_with_audit() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let kids: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT id_number, name, birth_date FROM children WHERE status = 'active' ORDER BY id_number LIMIT 3",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let stranger = make_id("20120909", 901);
    let mut csv = String::from("姓名,身份证号,就读学校\n");
    csv += &format!("{},{},\n", kids[0].1, kids[0].0);
    csv += &format!("{},{},城关镇第一小学\n", kids[1].1, kids[1].0);
    csv += &format!("{},{},\n", kids[2].1, kids[2].0);
    csv += &format!("陌生人,{stranger},\n");
    let file = dir.path().join("学籍.csv");
    std::fs::write(&file, csv).unwrap();
    let active = count(&db, "SELECT count(*) FROM children WHERE status = 'active'");

    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, dialogs.clone());
    h.get_by_label("数据比对").click();
    settle(&mut h);
    dialogs.answer(Some(file.clone()));
    h.get_by_label("选择文件…").click();
    settle(&mut h);
    h.get_by_label("开始比对").click();
    settle(&mut h);
    assert!(h.query_by_label("一致（2）").is_some());
    assert!(h.query_by_label("匹配但有差异（1）").is_some());
    assert!(h.query_by_label("仅对方有（1）").is_some());
    assert!(
        h.query_by_label(&format!("仅我方有（{}）", active - 3))
            .is_some()
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'compare.run'"
        ),
        1
    );
    h.get_by_label("采纳").click();
    settle(&mut h);
    let school: Option<String> = conn
        .query_row(
            "SELECT school FROM children WHERE id_number = ?1",
            [&kids[1].0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(school.as_deref(), Some("城关镇第一小学"));
    let reason: String = conn
        .query_row(
            "SELECT reason FROM audit_log WHERE action = 'compare.accept'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(reason.contains("学籍库《学籍.csv》第3行"), "{reason}");
    assert!(h.query_by_label("已采纳").is_some());
}

#[test]
fn backup_then_restore_through_the_screen_verifies_the_audit_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let backup = dir.path().join("备份.db");
    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, dialogs.clone());
    h.get_by_label("备份与恢复").click();
    settle(&mut h);
    dialogs.answer(Some(backup.clone()));
    h.get_by_label("备份到文件…").click();
    settle(&mut h);
    assert!(backup.exists(), "{:?}", h.state().exchange_message());
    let children = count(&db, "SELECT count(*) FROM children");

    dialogs.answer(Some(backup.clone()));
    h.get_by_label("选择备份文件…").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("审计链完整").is_some());
    h.get_by_label("我已了解，确认用此备份替换当前数据库")
        .click();
    h.run_steps(2);
    // Not without the password typed again.
    assert!(h.get_by_label("确认恢复").accesskit_node().is_disabled());
    h.get_by_label("再次输入您的密码").focus();
    h.step();
    h.get_by_label("再次输入您的密码").type_text("hutong-demo");
    h.run_steps(2);
    h.get_by_label("确认恢复").click();
    settle(&mut h);
    let msg = h.state().exchange_message().unwrap_or_default().to_string();
    assert!(msg.contains("审计链校验通过"), "{msg}");
    let store = hutong_tests::open_db(&db).unwrap();
    assert!(audit::verify(store.conn()).unwrap().is_intact());
    assert_eq!(count(&db, "SELECT count(*) FROM children"), children);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'restore'"
        ),
        1
    );
    assert!(db.with_extension("db.bak").exists());
    // The workstation works on the restored file.
    h.get_by_label("儿童档案").click();
    settle(&mut h);
    assert!(!h.state().listed_names().is_empty());
}

#[test]
fn the_lists_export_takes_its_filter_and_needs_a_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let name: String = hutong_tests::raw_conn(&db)
        .unwrap()
        .query_row(
            "SELECT name FROM children WHERE status = 'active' ORDER BY id_number LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, dialogs.clone());
    h.get_by_label("儿童档案").click();
    settle(&mut h);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text(&name);
    settle(&mut h);
    let listed = h.state().listed_names();
    assert!(!listed.is_empty() && listed.len() < 40);
    h.get_by_label("导出…").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains(&format!("搜索“{name}”"))
            .is_some()
    );
    // No purpose, no export: the button does nothing.
    let out = dir.path().join("名单.csv");
    h.get_by_label("CSV").click();
    h.get_by_label("导出…").click();
    settle(&mut h);
    assert!(!out.exists());
    h.get_by_label("导出用途").focus();
    h.step();
    h.get_by_label("导出用途").type_text("报送教育局核对就学");
    h.step();
    dialogs.answer(Some(out.clone()));
    h.get_by_label("导出…").click();
    settle(&mut h);
    let text = String::from_utf8(std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(text.lines().count(), listed.len() + 1, "{text}");
    assert!(text.contains(&name));
    let reason: String = hutong_tests::raw_conn(&db)
        .unwrap()
        .query_row(
            "SELECT reason FROM audit_log WHERE action = 'table.export'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(reason, "报送教育局核对就学");
}
