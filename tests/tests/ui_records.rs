//! 业务台账 (#9) driven with egui_kittest against a real database file: a
//! small demo county made by the real binary, the real screens, and the file
//! dialog as the only fake.
//!
//! - a late 强制报告 entered on the screen shows the late flag and is written
//!   with its audit entry; its referral letter PDF names the child and the
//!   agency and is audited with the file's hash;
//! - a role that may not see the reporter sees （保密）, a caseworker sees it;
//! - the allowance ledger of 张小雨 (DOMAIN §5 case 1, confirmed 2023-08-01)
//!   starts in 2023-09 and, once her category ends on 2023-10-15, stops
//!   after 2023-10, all generated from the screen;
//! - the 县—乡—村 network lists a village whose only 主任 left.

use egui_kittest::Harness;
use egui_kittest::kittest::{By, Queryable};
use hutong::egui::{Key, Modifiers};
use hutong::gui::HutongApp;
use hutong::platform::{DialogRequest, FileDialogs, Platform};
use hutong_core::{Actor, categories, workforce};
use hutong_tests::{hutong as run_hutong, pdftotext, stderr};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const ZHAO: &str = "410225201402280718";
const ZHANG: &str = "411525201304150124";

#[derive(Default)]
struct FakeDialogs {
    answers: Mutex<VecDeque<Option<PathBuf>>>,
}

impl FileDialogs for FakeDialogs {
    fn ask(&self, _r: &DialogRequest) -> Option<PathBuf> {
        self.answers.lock().unwrap().pop_front().flatten()
    }
}

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("county.db");
    let out = run_hutong(&db, &["demo", "--children", "20", "--no-history"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn cli(db: &Path, args: &[&str]) {
    let out = run_hutong(db, args, None);
    assert!(out.status.success(), "hutong {args:?}: {}", stderr(&out));
}

fn settle(h: &mut Harness<'static, HutongApp>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    h.run_steps(2);
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

fn harness(db: &Path, user: &str, dialogs: Arc<FakeDialogs>) -> Harness<'static, HutongApp> {
    let path = db.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1280.0, 900.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| {
            let mut app = HutongApp::new(path);
            app.set_platform(Platform {
                dialogs,
                ..Platform::default()
            });
            app
        });
    h.get_by_label("用户名").focus();
    h.step();
    h.get_by_label("用户名").type_text(user);
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text("hutong-demo");
    settle(&mut h);
    h.get_by_label("登录").click();
    settle(&mut h);
    h.get_by_label("业务台账").click();
    settle(&mut h);
    h
}

fn click(h: &mut Harness<'static, HutongApp>, label: &str) {
    h.get_by_label(label).click_accesskit();
    settle(h);
}

/// Replaces the text of the form field labelled `label` (a text input, not
/// a column header of the same name).
fn fill(h: &mut Harness<'static, HutongApp>, label: &str, text: &str) {
    let by = || {
        By::new()
            .label(label)
            .predicate(|n| format!("{:?}", n.role()).contains("TextInput"))
    };
    h.get(by()).focus();
    h.step();
    h.key_combination_modifiers(Modifiers::COMMAND, &[Key::A]);
    h.get(by()).type_text(text);
    h.step();
}

/// Types a child's name into the picker and picks the match.
fn pick_child(h: &mut Harness<'static, HutongApp>, name: &str) {
    fill(h, "儿童", name);
    settle(h);
    h.get_by_label_contains(&format!("{name}（"))
        .click_accesskit();
    settle(h);
}

/// Whether some node's label contains `text` (several may).
fn has(h: &Harness<'static, HutongApp>, text: &str) -> bool {
    h.query_all(By::new().label_contains(text)).next().is_some()
}

/// Whether some node's label is exactly `text`.
fn has_exact(h: &Harness<'static, HutongApp>, text: &str) -> bool {
    h.query_all(By::new().label(text)).next().is_some()
}

fn audit_actions(db: &Path, action: &str) -> Vec<serde_json::Value> {
    let conn = hutong_tests::raw_conn(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT detail FROM audit_log WHERE action = ?1 ORDER BY seq")
        .unwrap();
    stmt.query_map([action], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|d| serde_json::from_str(&d.unwrap()).unwrap())
        .collect()
}

#[test]
fn a_late_report_from_the_screen_is_flagged_written_audited_and_its_letter_names_child_and_agency()
{
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, "caseworker", dialogs.clone());

    click(&mut h, "＋ 登记强制报告");
    pick_child(&mut h, "赵一鸣");
    click(
        &mut h,
        "身体存在多处损伤、严重营养不良、意识不清，存在或疑似存在家庭暴力、欺凌、虐待、殴打或被人麻醉等情形",
    );
    fill(&mut h, "报告人单位", "葡萄架乡中心小学");
    fill(&mut h, "报告人身份", "班主任");
    fill(&mut h, "发现时间", "2025-03-10 08:00");
    fill(&mut h, "报告时间", "2025-03-12 09:30");
    settle(&mut h);
    assert!(has(&h, "将标记为迟报"), "the form warns before saving");
    // The receiving agency is required: the message names the field and nothing is written.
    click(&mut h, "保存强制报告");
    assert!(
        has(&h, "字段“接报机关”：不能为空"),
        "the missing agency is named"
    );
    assert!(audit_actions(&db, "mreport.add").is_empty());
    fill(&mut h, "接报机关", "长垣市公安局葡萄架派出所");
    click(&mut h, "保存强制报告");

    assert!(
        has(&h, "⚠ 迟报：发现后 2 天 1 小时 才报告"),
        "the late flag shows on the saved report"
    );
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let (agency, unit, found, reported): (String, String, String, String) = conn
        .query_row(
            "SELECT m.receiving_agency, m.reporter_unit, m.found_at, m.reported_at
             FROM mandatory_reports m JOIN children c ON c.id = m.child_id WHERE c.id_number = ?1",
            [ZHAO],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(agency, "长垣市公安局葡萄架派出所");
    assert_eq!(unit, "葡萄架乡中心小学");
    assert_eq!(
        (found.as_str(), reported.as_str()),
        ("2025-03-10 08:00", "2025-03-12 09:30")
    );
    let added = audit_actions(&db, "mreport.add");
    assert_eq!(added.len(), 1);
    assert_eq!(added[0]["late"], true);
    assert!(
        !added[0].to_string().contains("葡萄架乡中心小学"),
        "the reporter stays out of the audit detail"
    );

    // The referral letter, saved through the file dialog.
    let out = dir.path().join("转介函.pdf");
    dialogs.answers.lock().unwrap().push_back(Some(out.clone()));
    click(&mut h, "生成转介函 PDF…");
    settle(&mut h);
    assert!(has(&h, "已保存转介函"));
    let text = pdftotext(&out);
    assert!(text.contains("赵一鸣"), "{text}");
    assert!(text.contains("长垣市公安局葡萄架派出所"), "{text}");
    assert!(
        !text.contains("葡萄架乡中心小学"),
        "the reporter is never printed: {text}"
    );
    let printed = audit_actions(&db, "report.print");
    assert_eq!(printed.len(), 1);
    let sha: String = Sha256::digest(std::fs::read(&out).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(printed[0]["sha256"], sha.as_str());
    assert_eq!(printed[0]["template"], "强制报告转介函");
}

#[test]
fn the_reporter_is_redacted_for_a_village_director_and_shown_to_a_caseworker() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    cli(
        &db,
        &[
            "mreport",
            "add",
            "--child",
            ZHANG,
            "--situation",
            "ABANDONED_UNCARED",
            "--reporter-unit",
            "插花村小学",
            "--reporter-role",
            "校长",
            "--found",
            "2025-05-01 10:00",
            "--reported",
            "2025-05-01 15:00",
            "--channel",
            "civil_affairs",
            "--agency",
            "固始县民政局",
        ],
    );
    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, "director", dialogs.clone());
    assert!(has_exact(&h, "张小雨"), "the director sees the report");
    assert!(has_exact(&h, "（保密）"));
    assert!(!has(&h, "插花村小学"));
    click(&mut h, "查看 #1");
    assert!(!has(&h, "插花村小学"));
    assert!(has(&h, "（保密）"));
    drop(h);

    let mut h = harness(&db, "caseworker", dialogs);
    assert!(has_exact(&h, "插花村小学"));
    click(&mut h, "查看 #1");
    assert!(has(&h, "插花村小学　校长"));
}

#[test]
fn the_ledger_of_a_domain_case_starts_the_month_after_confirmation_and_stops_after_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, "admin", dialogs);
    click(&mut h, "补贴发放");

    // The county standard, set on the screen.
    click(&mut h, "事实无人抚养儿童");
    fill(&mut h, "标准金额（元）", "1174");
    fill(&mut h, "执行起始日期", "2023-01-01");
    fill(&mut h, "标准依据", "固民〔2023〕3号");
    click(&mut h, "设定标准");
    assert!(has(&h, "已设定事实无人抚养儿童标准"));

    let generate = |h: &mut Harness<'static, HutongApp>, month: &str| {
        fill(h, "发放月份", month);
        click(h, "生成本月发放记录");
    };
    // 张小雨 was confirmed on 2023-08-01: nothing for August, paid from September.
    generate(&mut h, "2023-08");
    generate(&mut h, "2023-09");
    pick_child(&mut h, "张小雨");
    assert!(
        has(&h, "2023年9月起发放"),
        "the window starts the month after confirmation"
    );
    assert!(has_exact(&h, "2023-09"));
    assert!(!has_exact(&h, "2023-08"));

    // Her category ends on 2023-10-15: October is paid, November is not.
    let mut store = hutong_tests::open_db(&db).unwrap();
    let child = hutong_core::children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        ZHANG,
    )
    .unwrap()
    .unwrap();
    let cat = categories::for_child(store.conn(), child.id)
        .unwrap()
        .into_iter()
        .find(|c| c.category.code() == "DE_FACTO_UNSUPPORTED")
        .unwrap();
    store
        .write(
            &Actor::system("test", store.county_scope().unwrap()),
            |tx| {
                categories::end(
                    tx,
                    cat.id,
                    chrono::NaiveDate::from_ymd_opt(2023, 10, 15).unwrap(),
                    "父亲刑满释放",
                )
            },
        )
        .unwrap();
    generate(&mut h, "2023-10");
    generate(&mut h, "2023-11");
    assert!(has_exact(&h, "2023-10"));
    assert!(!has_exact(&h, "2023-11"));
    assert!(
        has(&h, "2023年11月起停发"),
        "the window says when payment stops"
    );
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let months: Vec<String> = conn
        .prepare(
            "SELECT p.month FROM allowance_payments p JOIN children c ON c.id = p.child_id
             WHERE c.id_number = ?1 ORDER BY p.month",
        )
        .unwrap()
        .query_map([ZHANG], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(months, ["2023-09", "2023-10"]);
}

#[test]
fn the_network_view_lists_a_village_whose_director_left() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // One village that has a 主任 today: its 主任 leaves.
    let mut store = hutong_tests::open_db(&db).unwrap();
    let today = chrono::Local::now().date_naive();
    let directors = workforce::list_workers(
        store.conn(),
        &store.county_scope().unwrap(),
        Some(workforce::WorkerRole::Director),
        Some(today),
    )
    .unwrap();
    let gone = directors[0].clone();
    let still: Vec<_> = directors
        .iter()
        .filter(|w| w.division_code == gone.division_code)
        .map(|w| w.id)
        .collect();
    for id in still {
        store
            .write(
                &Actor::system("test", store.county_scope().unwrap()),
                |tx| workforce::leave(tx, id, today, "调离"),
            )
            .unwrap();
    }
    let covered = directors
        .iter()
        .find(|w| w.division_code != gone.division_code)
        .unwrap()
        .division_code
        .clone();
    drop(store);

    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, "admin", dialogs);
    click(&mut h, "工作队伍");
    settle(&mut h);
    assert!(
        has(&h, &format!("（{}）：无儿童主任", gone.division_code)),
        "the village without a 主任 is listed among the gaps"
    );
    assert!(
        !has(&h, &format!("（{covered}）：无儿童主任")),
        "a covered village is not a gap"
    );
}
