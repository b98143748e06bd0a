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
    let path = db.clone();
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
    h.get_by_label("搜索").type_text("马文博");
    settle(&mut h);
    h.get_by_label("马文博").click();
    settle(&mut h);
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
    let text = rec.values.to_string();
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
