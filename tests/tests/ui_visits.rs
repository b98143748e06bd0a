//! 走访计划, the child's 走访 tab and 摸底排查, driven with egui_kittest
//! against a real demo database with the real, signed 河南 plugin. File
//! dialogs are the only fake (a real one would block the test).
//!
//! - recording a visit from the child's 走访 tab writes the row and its
//!   audit entry, and the child leaves 已超期 in 走访计划;
//! - a next-visit override without a reason is refused with a Chinese
//!   message naming the field; with the reason it is stored; a visit is
//!   voided with a reason, never deleted;
//! - a round started on 摸底排查 counts each village right after recording
//!   children, and closing it locks the round and writes the summary PDF,
//!   audited with the file's hash.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hutong::gui::{HutongApp, Screen};
use hutong::platform::{DialogRequest, FileDialogs, Platform};
use hutong_core::schedule::{self, ScheduleFilter};
use hutong_core::{Actor, RowId, Store, demo, plugin_registry};
use hutong_plugin_host::{Runtime, RuntimeConfig, signing};
use hutong_tests::{pdftotext, plugin_wasm};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const HENAN: &str = "hutong_plugin_henan.wasm";

/// Answers file dialogs from a queue.
#[derive(Default)]
struct FakeDialogs {
    answers: Mutex<VecDeque<Option<PathBuf>>>,
    asked: Mutex<Vec<String>>,
}

impl FakeDialogs {
    fn answer(&self, a: Option<PathBuf>) {
        self.answers.lock().unwrap().push_back(a);
    }
}

impl FileDialogs for FakeDialogs {
    fn ask(&self, r: &DialogRequest) -> Option<PathBuf> {
        self.asked.lock().unwrap().push(r.title.clone());
        self.answers.lock().unwrap().pop_front().flatten()
    }
}

fn settle(h: &mut Harness<'static, HutongApp>) {
    step_until(h, "background work", |a| !a.busy());
}

/// Steps frames until `done` holds and no background work runs.
fn step_until(h: &mut Harness<'static, HutongApp>, what: &str, done: impl Fn(&HutongApp) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    // A click is handled on the next frame; only then may work have started.
    h.step();
    while !done(h.state()) || h.state().busy() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}; message: {:?}",
            h.state().campaign_message()
        );
        h.step();
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
    h.get_by_label("用户名").type_text("caseworker");
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text("hutong-demo");
    settle(&mut h);
    h.get_by_label("登录").click();
    settle(&mut h);
    h
}

/// A demo county (河南 411525) with the signed 河南 plugin installed, set up
/// in-process through the same library calls as `hutong demo` and `hutong
/// plugin keygen|sign|trust|install` (the shared `hutong` binary may belong
/// to another build).
fn demo_with_henan(dir: &Path, children: usize) -> PathBuf {
    let db = dir.join("county.db");
    let mut store = Store::create_encrypted(&db, true).unwrap();
    demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: children,
            seed: 20250522,
            today: chrono::Local::now().date_naive(),
        },
        |_, _| true,
    )
    .unwrap();
    let key = dir.join("41.pem");
    let wasm = dir.join(HENAN);
    std::fs::copy(plugin_wasm(HENAN), &wasm).unwrap();
    let public = signing::keygen(&key).unwrap();
    signing::sign(&key, &wasm).unwrap();
    let actor = Actor::system("测试", store.county_scope().unwrap());
    store
        .write(&actor, |tx| {
            plugin_registry::trust_key(tx, "41", &public, Some("河南测试密钥"))
        })
        .unwrap();
    // Installing is the administrator's: the demo's admin account.
    let admin = hutong::session::login(&mut store, "admin", demo::DEMO_PASSWORD).unwrap();
    hutong::installed::install_from_file(&db, &mut store, &admin, &wasm).unwrap();
    db
}

fn conn(db: &Path) -> rusqlite::Connection {
    hutong_tests::raw_conn(db).unwrap()
}

fn child_id(db: &Path, name: &str) -> RowId {
    conn(db)
        .query_row("SELECT id FROM children WHERE name = ?1", [name], |r| {
            r.get(0)
        })
        .unwrap()
}

/// (actor, entity id, reason) of each audit entry with `action`.
fn audit(db: &Path, action: &str) -> Vec<(String, Option<String>, Option<String>, String)> {
    let c = conn(db);
    let mut stmt = c
        .prepare(
            "SELECT actor, entity_id, reason, detail FROM audit_log WHERE action = ?1 ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([action], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn search_and_open(h: &mut Harness<'static, HutongApp>, name: &str) {
    h.get_by_label("儿童档案").click();
    settle(h);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text(name);
    settle(h);
    h.get_by_label(name).click();
    settle(h);
    assert_eq!(h.state().screen(), Screen::ChildFile);
}

#[test]
fn recording_a_visit_writes_the_row_and_audit_and_takes_the_child_out_of_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_with_henan(dir.path(), 150);
    let policy = Runtime::new(RuntimeConfig::default())
        .unwrap()
        .load_file(&plugin_wasm(HENAN))
        .unwrap()
        .manifest()
        .visit_policy
        .clone();
    // The most overdue children head the list (most days first): take one
    // with a name no other child has, so the row can be clicked by name.
    let today = chrono::Local::now().date_naive();
    let store = hutong_tests::open_db(&db).unwrap();
    let overdue = schedule::compute(
        store.conn(),
        &store.county_scope().unwrap(),
        &policy,
        today,
        &ScheduleFilter {
            overdue_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    let most = overdue.iter().map(|e| e.days_overdue).max().unwrap();
    let top: Vec<_> = overdue.iter().filter(|e| e.days_overdue == most).collect();
    assert!(top.len() < 15, "the chosen child shows on the first screen");
    let unique = |n: &str| overdue.iter().filter(|e| e.name == n).count() == 1;
    let target = top.iter().find(|e| unique(&e.name)).unwrap();
    let name = target.name.clone();
    drop(store);

    let mut h = harness(&db, Arc::new(FakeDialogs::default()));
    h.get_by_label("走访计划").click();
    settle(&mut h);
    // The filter comes first; the rows below say 已超期 too.
    h.get_all_by_label("已超期").next().unwrap().click();
    settle(&mut h);
    assert!(h.state().visit_plan_names().contains(&name));
    assert!(
        h.state()
            .visit_plan_names()
            .iter()
            .all(|n| overdue.iter().any(|e| &e.name == n)),
        "已超期 lists only overdue children"
    );
    h.get_by_label(&name).click();
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::ChildFile);
    assert_eq!(h.state().open_child_name(), Some(name.as_str()));
    assert!(
        h.query_by_label(&format!("已超期 {most} 天")).is_some(),
        "the 走访 tab opens and shows the overdue days"
    );

    h.get_by_label("记录走访").click();
    settle(&mut h);
    assert!(
        h.query_by_label(&format!(
            "日历：{}",
            hutong_core::national::dates::format_zh(today)
        ))
        .is_some(),
        "the visit date defaults to today"
    );
    h.get_by_label("电话").click();
    h.get_by_label("走访情况 *").focus();
    h.step();
    h.get_by_label("走访情况 *")
        .type_text("电话联系监护人，孩子在校正常");
    h.get_by_label("后续跟进").focus();
    h.step();
    h.get_by_label("后续跟进").type_text("下月入户");
    settle(&mut h);
    h.get_by_label("保存走访").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("已记录").is_some());

    let id = target.child_id;
    let (date, mode, visitor, findings, follow): (String, String, String, String, String) =
        conn(&db)
            .query_row(
                "SELECT visit_date, mode, visitor, findings, follow_up FROM visits
             WHERE child_id = ?1 ORDER BY recorded_at DESC LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
    assert_eq!(date, today.to_string());
    assert_eq!(mode, "phone");
    assert_eq!(visitor, "县民政局 王芳");
    assert_eq!(findings, "电话联系监护人，孩子在校正常");
    assert_eq!(follow, "下月入户");
    let added = audit(&db, "visit.add");
    assert!(
        added
            .iter()
            .any(|(actor, e, _, _)| actor == "caseworker" && e.as_deref() == Some(&id.to_string())),
        "the visit is audited for the child by the signed-in user"
    );
    assert!(
        h.query_by_label_contains("已超期").is_none(),
        "the tab no longer says overdue"
    );

    // 返回 leads back to where the file was opened from, 已超期 still
    // chosen (#20).
    h.get_by_label("返回走访计划").click();
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::VisitPlan);
    assert!(
        !h.state().visit_plan_names().contains(&name),
        "the child left 已超期"
    );
    assert!(!h.state().visit_plan_names().is_empty());
    assert!(
        h.state()
            .visit_plan_names()
            .iter()
            .all(|n| overdue.iter().any(|e| &e.name == n)),
        "the 已超期 filter is kept"
    );
}

#[test]
fn an_override_needs_its_reason_and_a_visit_is_voided_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_with_henan(dir.path(), 30);
    let mut h = harness(&db, Arc::new(FakeDialogs::default()));
    search_and_open(&mut h, "马文博");
    let id = child_id(&db, "马文博");
    let count = |db: &Path| -> i64 {
        conn(db)
            .query_row(
                "SELECT count(*) FROM visits WHERE child_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = count(&db);
    h.get_by_label("走访").click();
    settle(&mut h);
    h.get_by_label("记录走访").click();
    settle(&mut h);
    h.get_by_label("走访情况 *").focus();
    h.step();
    h.get_by_label("走访情况 *")
        .type_text("入户走访，家中有变故");
    h.get_by_label("调整下次走访日期").click();
    settle(&mut h);
    // A date is needed first.
    h.get_by_label("保存走访").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("字段“下次走访日期”").is_some(),
        "a missing date names its field"
    );
    // Next month's 15th, from the picker.
    h.get_by_label("日历：选择日期").click();
    settle(&mut h);
    h.get_by_label("▶").click();
    settle(&mut h);
    h.get_by_label("15").click();
    settle(&mut h);
    h.get_by_label("保存走访").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("字段“调整下次走访日期的原因”")
            .is_some(),
        "the refusal names the reason field in Chinese"
    );
    assert_eq!(count(&db), before, "nothing is written without the reason");

    h.get_by_label("调整原因 *").focus();
    h.step();
    h.get_by_label("调整原因 *")
        .type_text("家中有变故，下月中旬再访");
    settle(&mut h);
    h.get_by_label("保存走访").click();
    settle(&mut h);
    assert_eq!(count(&db), before + 1);
    let (next, reason, visit): (String, String, RowId) = conn(&db)
        .query_row(
            "SELECT next_due_override, override_reason, id FROM visits
             WHERE child_id = ?1 ORDER BY recorded_at DESC LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(next.ends_with("-15"), "{next}");
    assert_eq!(reason, "家中有变故，下月中旬再访");
    assert!(
        h.query_by_label_contains("人工调整：家中有变故").is_some(),
        "the next visit follows the override"
    );

    // Void it: refused without a reason, then kept as voided.
    h.get_all_by_label("作废").next().unwrap().click();
    settle(&mut h);
    h.get_by_label("确认作废").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("字段“作废原因”").is_some());
    h.get_by_label("作废原因 *").focus();
    h.step();
    h.get_by_label("作废原因 *").type_text("录错了儿童");
    settle(&mut h);
    h.get_by_label("确认作废").click();
    settle(&mut h);
    let (status, why): (String, String) = conn(&db)
        .query_row(
            "SELECT status, void_reason FROM visits WHERE id = ?1",
            [visit],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), why.as_str()), ("voided", "录错了儿童"));
    assert_eq!(count(&db), before + 1, "voided, not deleted");
    let voided = audit(&db, "visit.void");
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0].2.as_deref(), Some("录错了儿童"));
    assert!(h.query_by_label_contains("已作废：录错了儿童").is_some());
}

#[test]
fn a_round_started_on_screen_counts_each_village_and_closing_writes_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_with_henan(dir.path(), 200);
    let dialogs = Arc::new(FakeDialogs::default());
    let mut h = harness(&db, dialogs.clone());
    // The village with the most children: counted in the database, not by the app.
    let (village, village_name, n): (String, String, u64) = conn(&db)
        .query_row(
            "SELECT c.residence_division, d.name, count(*) n FROM children c
             JOIN divisions d ON d.code = c.residence_division
             WHERE c.status = 'active' GROUP BY c.residence_division
             ORDER BY n DESC, c.residence_division LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(n >= 3, "{village_name} has {n} children");
    let township = village[..9].to_string();
    let township_name: String = conn(&db)
        .query_row(
            "SELECT name FROM divisions WHERE code = ?1",
            [&township],
            |r| r.get(0),
        )
        .unwrap();

    h.get_by_label("摸底排查").click();
    settle(&mut h);
    h.get_by_label("乡镇").click();
    settle(&mut h);
    h.get_by_label(&township_name).click();
    settle(&mut h);
    h.get_by_label("村（居）").click();
    settle(&mut h);
    // A township has dozens of villages: the list scrolls.
    h.get_by_label(&village_name).scroll_to_me();
    settle(&mut h);
    h.get_by_label(&village_name).click();
    settle(&mut h);
    h.get_by_label("开始摸排").click();
    settle(&mut h);
    assert!(
        h.state()
            .campaign_message()
            .is_some_and(|m| m.starts_with("已开始")),
        "{:?}",
        h.state().campaign_message()
    );
    let (campaign, division, cycle): (RowId, String, String) = conn(&db)
        .query_row(
            "SELECT id, division_code, cycle FROM campaigns WHERE status = 'open'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(division, village, "the village picked on screen");
    assert!(cycle.contains("一年两排"), "河南's cycle: {cycle}");
    assert_eq!(audit(&db, "campaign.start").len(), 1);
    let shown = h.state().campaign_village(&village).unwrap_or_else(|| {
        panic!(
            "{village} not shown; message {:?}",
            h.state().campaign_message()
        )
    });
    assert_eq!((shown.0, shown.4), (n, n), "all pending at the start");
    // The round starts today: one day of a half-year asks for no child yet,
    // so the village is not shown as 滞后 before any work was due.
    assert!(!shown.5, "not late on the round's first day");

    // The picker shows the name too; the table's row comes after it.
    h.get_all_by_label(&village_name).last().unwrap().click();
    settle(&mut h);
    h.get_all_by_label("核实").next().unwrap().click();
    settle(&mut h);
    h.get_all_by_label("更新").nth(1).unwrap().click();
    settle(&mut h);
    // 销档 closes the file, so it needs the reason.
    h.get_all_by_label("销档").nth(2).unwrap().click();
    settle(&mut h);
    assert!(
        h.state()
            .campaign_message()
            .is_some_and(|m| m.contains("结案原因")),
        "{:?}",
        h.state().campaign_message()
    );
    h.get_by_label("备注 / 结案原因（销档时必填）").focus();
    h.step();
    h.get_by_label("备注 / 结案原因（销档时必填）")
        .type_text("随父母迁往外省");
    settle(&mut h);
    h.get_all_by_label("销档").nth(2).unwrap().click();
    settle(&mut h);

    let c = conn(&db);
    let outcomes: Vec<(RowId, String)> = c
        .prepare("SELECT child_id, outcome FROM campaign_items WHERE campaign_id = ?1 ORDER BY recorded_at")
        .unwrap()
        .query_map([campaign], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let kinds: Vec<&str> = outcomes.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(kinds, ["confirmed", "updated", "closed"]);
    let distinct: std::collections::HashSet<_> = outcomes.iter().map(|(id, _)| *id).collect();
    assert_eq!(distinct.len(), 3, "three different children");
    let closed_status: String = c
        .query_row(
            "SELECT status FROM children WHERE id = ?1",
            [outcomes[2].0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(closed_status, "closed", "销档 closes the file");
    assert_eq!(
        h.state()
            .campaign_village(&village)
            .map(|v| (v.0, v.1, v.2, v.3, v.4)),
        Some((n, 1, 1, 1, n - 3)),
        "the village's counts after recording"
    );
    assert!(
        h.query_by_label_contains("已核实 1，已更新 1，已销档 1")
            .is_some(),
        "the totals show"
    );

    // Close: confirm, the summary renders, the dialog answers, the PDF is written.
    let out = dir.path().join("摸排总结.pdf");
    dialogs.answer(Some(out.clone()));
    h.get_by_label("结束本轮并生成总结…").click();
    settle(&mut h);
    h.get_by_label("确认结束").click();
    step_until(&mut h, "the saved summary", |a| {
        a.campaign_message()
            .is_some_and(|m| m.starts_with("已保存"))
    });
    let state: String = conn(&db)
        .query_row(
            "SELECT status FROM campaigns WHERE id = ?1",
            [campaign],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(state, "closed");
    assert_eq!(audit(&db, "campaign.close").len(), 1);
    let bytes = std::fs::read(&out).unwrap();
    let printed = audit(&db, "report.print");
    assert_eq!(printed.len(), 1);
    let detail: serde_json::Value = serde_json::from_str(&printed[0].3).unwrap();
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(detail["sha256"].as_str(), Some(sha.as_str()));
    let text = pdftotext(&out);
    assert!(text.contains("摸排总结"), "{text}");
    assert!(text.contains(&village_name), "{text}");
    assert!(text.contains("已核实"), "{text}");
    assert!(
        h.query_by_label("核实").is_none(),
        "a closed round takes no records"
    );
    assert!(
        dialogs
            .asked
            .lock()
            .unwrap()
            .iter()
            .any(|t| t.contains("摸排总结"))
    );
}
