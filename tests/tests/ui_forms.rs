//! The workstation's 省级表单 tab with the real 河南 plugin installed: the
//! form renders from the plugin's definition, the plugin's errors show
//! beside the field and block saving, and a fixed form saves a version
//! that appears in the store and in 历史, and is classified again.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hutong::egui;
use hutong::gui::{HutongApp, Screen};
use hutong_core::{audit, children, forms};
use hutong_tests::{hutong as run_hutong, install_signed_plugin};

/// Steps the UI until the plugin worker has answered (plugin calls run off
/// the UI thread), then lets the frame settle.
fn settle(h: &mut Harness<'static, HutongApp>) {
    for _ in 0..2000 {
        h.step();
        if !h.state().busy() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(
        !h.state().busy(),
        "the plugin worker (or the 工作台 figures) did not finish"
    );
    // A finished progress bar may still ask for a few repaints.
    h.run_steps(8);
    let _ = h.run_ok();
}

/// The workstation on `db`, logged in as the demo caseworker, with the file
/// of the child named `name` open.
fn open_file_as_caseworker(db: &std::path::Path, name: &str) -> Harness<'static, HutongApp> {
    let path = db.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1280.0, 900.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| HutongApp::new(path));
    h.get_by_label("用户名").focus();
    h.step();
    h.get_by_label("用户名").type_text("caseworker");
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text("hutong-demo");
    settle(&mut h);
    h.get_by_label("登录").click();
    settle(&mut h);
    h.get_by_label("儿童档案").click();
    settle(&mut h);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text(name);
    settle(&mut h);
    h.get_by_label(name).click();
    settle(&mut h);
    h
}

#[test]
fn a_caseworker_fills_the_henan_migrant_form_fixes_an_error_and_saves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    assert!(
        run_hutong(&db, &["demo", "--children", "50"], None)
            .status
            .success()
    );
    install_signed_plugin(&db, dir.path(), "hutong_plugin_henan.wasm", "41");
    let mut h = open_file_as_caseworker(&db, "马文博");
    assert_eq!(h.state().screen(), Screen::ChildFile);
    h.get_by_label("省级表单").click();
    settle(&mut h);
    h.get_by_label("流动儿童监测登记表（示例）").click();
    settle(&mut h);

    // The demo filled his form once (第 1 版, arrival 2023-05-15). Clearing
    // the required date brings the plugin's error beside the field.
    assert!(h.query_by_label("日历：2023年5月15日").is_some());
    h.get_by_label("来本地居住日期 *").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    settle(&mut h);
    assert!(
        h.query_by_label_contains("请填写“来本地居住日期”")
            .is_some(),
        "the plugin's error shows beside the field"
    );
    assert!(
        h.query_by_label("请先改正标红的错误").is_some(),
        "errors block saving"
    );

    // A date in the future is an error too.
    h.get_by_label("来本地居住日期 *").focus();
    h.step();
    h.get_by_label("来本地居住日期 *").type_text("2099-01-01");
    settle(&mut h);
    assert!(h.query_by_label_contains("晚于今天").is_some());
    // Fix it: select the text and type a real date.
    h.get_by_label("来本地居住日期 *").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("来本地居住日期 *").type_text("2023-05-10");
    settle(&mut h);
    assert!(
        h.query_by_label_contains("晚于今天").is_none(),
        "the error goes once the date is fixed"
    );
    assert!(
        h.query_by_label_contains("请填写“来本地居住日期”")
            .is_none()
    );
    // The Chinese date picker shows the typed date, and picking a day sets it.
    h.get_by_label("日历：2023年5月10日").click();
    settle(&mut h);
    assert!(h.query_by_label("今天").is_some(), "the month grid opens");
    assert!(
        h.query_by_label("2023年5月").is_some(),
        "the month grid opens on the field's month"
    );
    h.get_by_label("12").click();
    settle(&mut h);
    assert!(
        h.query_by_label("日历：2023年5月12日").is_some(),
        "picking a day sets the date"
    );

    // The remaining required answers.
    h.get_by_label("随迁情况 *").click();
    settle(&mut h);
    h.get_by_label("随父母一方").click();
    settle(&mut h);
    h.get_by_label("仅在本市中心城区市辖区之间流动 *").click();
    settle(&mut h);
    h.get_by_label("仅在本市中心城区市辖区之间流动 *").click();
    settle(&mut h);
    assert!(
        h.query_by_label("请先改正标红的错误").is_none(),
        "no errors left"
    );
    h.get_by_label("保存表单").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("第 2 版").is_some());

    let store = hutong_tests::open_db(&db).unwrap();
    let child = children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        "630106201203030579",
    )
    .unwrap()
    .unwrap();
    let rec = forms::latest(store.conn(), child.id, "cn.hutong.henan", "migrant-monitor")
        .unwrap()
        .expect("a saved form version");
    let text = serde_json::to_string(&rec.values).unwrap();
    assert!(
        text.contains("2023-05-12") && text.contains("one_parent") && text.contains("马文博"),
        "{text}"
    );
    // Saving the form classified the child again (plugins classify on form
    // values), right after the save, under the same user.
    let history = audit::history(store.conn(), "children", &child.id.to_string()).unwrap();
    let actions: Vec<&str> = history.iter().take(2).map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["eligibility.classify", "form.save"]);
    assert!(history[..2].iter().all(|e| e.actor == "caseworker"));
}

/// #20's test: a child who lives across a county line becomes a 流动儿童
/// as soon as the caseworker saves the 河南 monitoring form (no other
/// action), and the form's 历史 has one line per changed field.
#[test]
fn saving_the_henan_monitoring_form_makes_the_child_a_migrant_child_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    assert!(
        run_hutong(&db, &["demo", "--children", "50"], None)
            .status
            .success()
    );
    install_signed_plugin(&db, dir.path(), "hutong_plugin_henan.wasm", "41");
    // Hukou in 武汉市江岸区, living in 固始县 插花村: no category yet.
    let added = run_hutong(
        &db,
        &[
            "child",
            "add",
            "--id-number",
            "420102201503030015",
            "--name",
            "江小流",
            "--village",
            "411525102201",
            "--hukou",
            "420102",
        ],
        None,
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let mut h = open_file_as_caseworker(&db, "江小流");
    h.get_by_label("类别").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("流动儿童（有效）").is_none());

    h.get_by_label("省级表单").click();
    settle(&mut h);
    h.get_by_label("流动儿童监测登记表（示例）").click();
    settle(&mut h);
    h.get_by_label("来本地居住日期 *").focus();
    h.step();
    h.get_by_label("来本地居住日期 *").type_text("2024-03-01");
    settle(&mut h);
    h.get_by_label("随迁情况 *").click();
    settle(&mut h);
    h.get_by_label("随父母一方").click();
    settle(&mut h);
    // Unset → 是 → 否: not a move between one city's central districts.
    h.get_by_label("仅在本市中心城区市辖区之间流动 *").click();
    settle(&mut h);
    h.get_by_label("仅在本市中心城区市辖区之间流动 *").click();
    settle(&mut h);
    h.get_by_label("保存表单").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("第 1 版").is_some());

    // No 刷新, no reopening: the category is there.
    h.get_by_label("类别").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("流动儿童（有效）").is_some(),
        "the plugin's 流动儿童 finding shows in 类别 right after the save"
    );
    h.get_by_label("历史").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("保存省级表单").is_some());
    assert!(h.query_by_label_contains("认定类别").is_some());
    for line in [
        "来本地居住日期：（空） → 2024-03-01",
        "随迁情况：（空） → 随父母一方",
        "仅在本市中心城区市辖区之间流动：（空） → 否",
        "身份证号：（空） → 420102***********5#",
    ] {
        assert!(
            h.query_by_label_contains(line).is_some(),
            "历史 lacks “{line}”"
        );
    }
    assert!(
        h.query_by_label_contains("420102201503030015").is_none(),
        "the full ID number never shows in 历史"
    );

    // A second version that changes only the date lists only that field
    // (and the months the plugin computes from it).
    h.get_by_label("省级表单").click();
    settle(&mut h);
    h.get_by_label("来本地居住日期 *").focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("来本地居住日期 *").type_text("2024-02-01");
    settle(&mut h);
    h.get_by_label("保存表单").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("第 2 版").is_some());
    let store = hutong_tests::open_db(&db).unwrap();
    let child = children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        "420102201503030015",
    )
    .unwrap()
    .unwrap();
    let history = audit::history(store.conn(), "children", &child.id.to_string()).unwrap();
    let second = history
        .iter()
        .find(|e| e.action == "form.save")
        .expect("the second save's entry");
    let detail: serde_json::Value = serde_json::from_str(&second.detail).unwrap();
    let fields: Vec<&str> = detail["changes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert!(fields.contains(&"来本地居住日期"), "{fields:?}");
    assert!(
        fields
            .iter()
            .all(|f| ["来本地居住日期", "已在本地居住（月）"].contains(f)),
        "only the changed fields: {fields:?}"
    );
    assert_eq!(
        detail["changes"]["来本地居住日期"],
        serde_json::json!(["2024-03-01", "2024-02-01"])
    );
}
