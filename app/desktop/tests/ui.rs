//! The workstation driven through egui_kittest against a real database:
//! log in, search by pinyin initials, open a file, edit and save it, and
//! see the change in 历史.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use hutong::gui::{HutongApp, Screen};
use hutong_core::national::NaiveDate;
use hutong_core::{Store, audit, children, demo};
use std::path::PathBuf;

fn demo_db(dir: &tempfile::TempDir) -> PathBuf {
    let path = dir.path().join("ui.db");
    let mut store = Store::create_encrypted(&path, true).unwrap();
    demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: 300,
            seed: 11,
            today: NaiveDate::from_ymd_opt(2025, 5, 22).unwrap(),
        },
        |_, _| true,
    )
    .unwrap();
    path
}

/// The database as the workstation opens it: unlocked by the demo
/// administrator's password.
fn open_db(path: &std::path::Path) -> hutong_core::Result<Store> {
    Store::unlock(path, "admin", demo::DEMO_PASSWORD).map(|(store, _)| store)
}

fn harness(path: PathBuf) -> Harness<'static, HutongApp> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| HutongApp::new(path))
}

fn log_in(h: &mut Harness<'static, HutongApp>, user: &str, password: &str) {
    h.get_by_label("用户名").focus();
    h.step();
    h.get_by_label("用户名").type_text(user);
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text(password);
    h.run();
    h.get_by_label("登录").click();
    settle(h);
}

/// Steps until background work (the 工作台 figures) has ended; its progress
/// bar repaints every frame while it runs, so `run()` alone would not settle.
fn settle(h: &mut Harness<'static, HutongApp>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while h.state().busy() {
        assert!(
            std::time::Instant::now() < deadline,
            "background work did not end: {}",
            h.state().busy_report()
        );
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(8);
    let _ = h.run_ok();
}

#[test]
fn a_caseworker_logs_in_finds_zhang_xiaoyu_by_initials_edits_and_sees_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());

    log_in(&mut h, "caseworker", "wrong-password");
    assert!(h.state().current_user().is_none());
    assert!(
        h.query_by_label("用户名或密码错误").is_some(),
        "a wrong password says so"
    );

    // A fresh window for the real log-in (the failed one left the name typed).
    let mut h = harness(path.clone());
    log_in(&mut h, "caseworker", "hutong-demo");
    assert_eq!(
        h.state().current_user().map(|u| u.username.as_str()),
        Some("caseworker")
    );
    assert!(
        h.query_by_label_contains("在档儿童").is_some(),
        "the home screen shows the count"
    );
    // The figures are computed in the background; wait for them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while h.query_by_label_contains("在档儿童：307 名").is_none()
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
        h.step();
    }
    assert!(
        h.query_by_label_contains("在档儿童：307 名").is_some(),
        "300 generated + 7 reference children"
    );
    assert!(
        h.query_by_label_contains("事实无人抚养儿童").is_some(),
        "counts by category"
    );

    h.get_by_label("儿童档案").click();
    h.run();
    assert_eq!(h.state().screen(), Screen::Children);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text("zxy");
    h.run();
    let names = h.state().listed_names();
    assert!(names.iter().any(|n| n == "张小雨"), "{names:?}");
    assert!(
        h.query_by_label("411525***********4").is_some(),
        "IDs are masked in the list"
    );

    h.get_by_label("张小雨").click();
    h.run();
    assert_eq!(h.state().screen(), Screen::ChildFile);
    assert_eq!(h.state().open_child_name(), Some("张小雨"));

    h.get_by_label("联系电话").focus();
    h.step();
    h.get_by_label("联系电话").type_text("13800001111");
    h.run();
    assert!(h.query_by_label("有未保存的修改").is_some());
    h.get_by_label("保存").click();
    h.run();
    assert!(h.query_by_label_contains("已保存").is_some());

    let store = open_db(&path).unwrap();
    let child = children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        "411525201304150124",
    )
    .unwrap()
    .unwrap();
    assert_eq!(child.phone.as_deref(), Some("13800001111"));
    let history = audit::history(store.conn(), "children", &child.id.to_string()).unwrap();
    assert_eq!(history[0].action, "child.update");
    assert_eq!(history[0].actor, "caseworker");

    h.get_by_label("历史").click();
    h.run();
    // 历史 shows that the phone changed, masked (the audit log never holds
    // a full phone number).
    assert!(
        h.query_by_label_contains("138****1111").is_some(),
        "历史 shows old → new, masked"
    );
    assert!(h.query_by_label_contains("13800001111").is_none());
}

#[test]
fn leaving_a_file_with_unsaved_changes_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(demo_db(&dir));
    log_in(&mut h, "caseworker", "hutong-demo");
    h.get_by_label("儿童档案").click();
    h.run();
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text("李浩然");
    h.run();
    h.get_by_label("李浩然").click();
    h.run();
    h.get_by_label("学校").focus();
    h.step();
    h.get_by_label("学校").type_text("黎集小学");
    h.run();
    h.get_by_label("返回列表").click();
    h.run();
    assert_eq!(
        h.state().screen(),
        Screen::ChildFile,
        "still on the file until the user answers"
    );
    assert!(h.query_by_label("离开前要保存对本档案的修改吗？").is_some());
    h.get_by_label("取消").click();
    h.run();
    assert_eq!(h.state().open_child_name(), Some("李浩然"));
}

#[test]
fn a_village_director_sees_only_their_village() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "director", "hutong-demo");
    h.get_by_label("儿童档案").click();
    h.run();
    let names = h.state().listed_names();
    assert!(!names.is_empty());
    let store = open_db(&path).unwrap();
    let in_village: Vec<String> = children::list(
        store.conn(),
        &store.county_scope().unwrap(),
        &children::ChildQuery {
            division: Some("411525102201".into()),
            limit: None,
            ..Default::default()
        },
    )
    .unwrap()
    .into_iter()
    .map(|r| r.name)
    .collect();
    assert_eq!(names.len(), in_village.len());
    assert!(names.iter().all(|n| in_village.contains(n)));
}

#[test]
fn a_tibetan_name_shows_beside_the_chinese_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(demo_db(&dir));
    log_in(&mut h, "caseworker", "hutong-demo");
    h.get_by_label("儿童档案").click();
    h.run();
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text("次仁卓玛");
    h.run();
    h.get_by_label("次仁卓玛").click();
    h.run();
    // kittest fails on a glyph no font has, so rendering this at all proves the fallback.
    assert!(h.query_by_label_contains("次仁卓玛 / ཚེ་རིང་སྒྲོལ་མ").is_some());
}

#[test]
fn first_run_creates_a_county_with_its_admin_then_asks_for_log_in() {
    use hutong::gui::{FirstRun, Root};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new-county.db");
    let p = path.clone();
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| Root::FirstRun(Box::new(FirstRun::new(p))));
    assert!(
        h.query_by_label("固始县").is_some(),
        "the default county code is looked up"
    );
    // A short password is refused with the field named, and leaves no file behind.
    h.get_by_label("管理员密码").focus();
    h.step();
    h.get_by_label("管理员密码").type_text("short");
    h.run();
    h.get_by_label("新建县数据库").click();
    h.run();
    assert!(
        h.query_by_label_contains("至少需要8个字符").is_some(),
        "the password rule is named"
    );
    assert!(!path.exists(), "a failed set-up leaves no database");
    h.get_by_label("管理员密码").focus();
    h.step();
    h.get_by_label("管理员密码").type_text("-but-long-now");
    h.run();
    h.get_by_label("新建县数据库").click();
    h.run();
    // The county's recovery code is shown once, before anything else.
    assert!(h.query_by_label("县级恢复码").is_some());
    let code = h
        .query_all(egui_kittest::kittest::by().predicate(|n| {
            n.label().or_else(|| n.value()).is_some_and(|l| {
                l.len() == 39
                    && l.split('-').count() == 8
                    && l.chars().all(|c| c == '-' || c.is_ascii_alphanumeric())
            })
        }))
        .next()
        .and_then(|n| {
            n.accesskit_node()
                .label()
                .or_else(|| n.accesskit_node().value())
        })
        .expect("the recovery code is on the screen");
    assert!(
        h.query_by_label("用户名").is_none(),
        "not before the code is acknowledged"
    );
    h.get_by_label("我已记下恢复码，进入登录").click();
    h.run();
    assert!(
        h.query_by_label("用户名").is_some(),
        "the log-in screen follows"
    );
    let store = Store::unlock(&path, "admin", "short-but-long-now")
        .unwrap()
        .0;
    assert_eq!(store.county_code().unwrap().as_deref(), Some("411525"));
    drop(store);
    // The code opens the database by itself; a wrong one does not.
    assert!(Store::unlock_with_recovery(&path, &code).is_ok());
    assert!(Store::unlock_with_recovery(&path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH").is_err());
    assert!(Store::unlock(&path, "admin", "wrong-password").is_err());
}

#[test]
fn the_list_filters_by_township_then_village() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "caseworker", "hutong-demo");
    h.get_by_label("儿童档案").click();
    h.run();
    h.get_by_label("乡镇").click();
    h.run();
    h.get_by_label("黎集镇").click();
    h.run();
    let store = open_db(&path).unwrap();
    let in_township = children::list(
        store.conn(),
        &store.county_scope().unwrap(),
        &children::ChildQuery {
            division: Some("411525102".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(h.state().listed_names().len(), in_township.len());
    // "村（居）" is also a column header: ask for the combo box by role.
    h.get_by_role_and_label(hutong::egui::accesskit::Role::ComboBox, "村（居）")
        .click();
    h.run();
    // The village name is also a label in the rows; the option is a button.
    h.get_by_role_and_label(hutong::egui::accesskit::Role::Button, "插花村民委员会")
        .click();
    h.run();
    let in_village: Vec<String> = children::list(
        store.conn(),
        &store.county_scope().unwrap(),
        &children::ChildQuery {
            division: Some("411525102201".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .into_iter()
    .map(|r| r.name)
    .collect();
    let names = h.state().listed_names();
    assert_eq!(names, in_village);
    assert!(names.contains(&"张小雨".to_string()) && in_village.len() < in_township.len());
}

#[test]
fn the_file_masks_the_id_until_an_audited_reveal() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "caseworker", "hutong-demo");
    h.get_by_label("儿童档案").click();
    settle(&mut h);
    h.get_by_label("搜索").focus();
    h.step();
    h.get_by_label("搜索").type_text("zxy");
    h.run();
    h.get_by_label("张小雨").click();
    h.run();
    assert_eq!(h.state().screen(), Screen::ChildFile);
    // The file shows the masked number beside a reveal button, not a field.
    assert!(h.query_by_label("显示并修改").is_some());
    assert!(h.query_all_by_label("411525***********4").count() >= 1);
    let reveals = |path: &std::path::Path| {
        let store = open_db(path).unwrap();
        let child = children::get_by_id_number(
            store.conn(),
            &store.county_scope().unwrap(),
            "411525201304150124",
        )
        .unwrap()
        .unwrap();
        audit::history(store.conn(), "children", &child.id.to_string())
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "child.reveal_id")
            .count()
    };

    h.get_by_label("显示并修改").click();
    h.run();
    // Without a reason the reveal cannot be confirmed: the prompt stays.
    h.get_by_label("确认显示").click();
    h.run();
    assert!(h.query_by_label("确认显示").is_some());
    assert_eq!(reveals(&path), 0);
    let reason = "查看原因（将记入审计日志）";
    h.get_by_label(reason).focus();
    h.step();
    h.get_by_label(reason).type_text("核对户籍");
    h.run();
    h.get_by_label("确认显示").click();
    h.run();
    assert!(h.query_by_label("确认显示").is_none(), "the prompt closed");
    assert!(
        h.query_by_label("显示并修改").is_none(),
        "revealed, the number is an editable field instead"
    );
    assert_eq!(reveals(&path), 1);

    let store = open_db(&path).unwrap();
    let child = children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        "411525201304150124",
    )
    .unwrap()
    .unwrap();
    let history = audit::history(store.conn(), "children", &child.id.to_string()).unwrap();
    let reveal = history
        .iter()
        .find(|e| e.action == "child.reveal_id")
        .expect("the reveal is audited");
    assert_eq!(reveal.reason.as_deref(), Some("核对户籍"));
    assert_eq!(reveal.actor, "caseworker");
}

/// Every text the screen shows (labels and field values), one per line.
fn screen_texts(h: &Harness<'static, HutongApp>) -> Vec<String> {
    h.query_all_by(|_| true)
        .flat_map(|n| {
            let node = n.accesskit_node();
            [node.label(), node.value()]
        })
        .flatten()
        .collect()
}

/// The navigation's screens, and the sub-tabs of those that have them.
const SCREENS: &[(&str, &[&str])] = &[
    ("工作台", &[]),
    ("儿童档案", &[]),
    ("走访计划", &[]),
    ("摸底排查", &[]),
    (
        "业务台账",
        &[
            "强制报告",
            "关爱服务",
            "补贴发放",
            "微心愿",
            "心理关爱",
            "工作队伍",
        ],
    ),
    ("数据交换", &[]),
    ("打印中心", &[]),
    ("插件", &[]),
    ("设置", &[]),
];

/// Visits every screen the navigation offers, and each sub-tab, and
/// returns everything shown on the way.
fn visit_every_screen(h: &mut Harness<'static, HutongApp>) -> Vec<String> {
    let mut seen = Vec::new();
    for (screen, tabs) in SCREENS {
        let offered = match h.query_by_label(screen) {
            Some(nav) => {
                nav.click();
                true
            }
            None => false,
        };
        if !offered {
            continue;
        }
        settle(h);
        seen.extend(screen_texts(h));
        for tab in *tabs {
            let clicked = match h.query_all_by_label(tab).next() {
                Some(t) => {
                    t.click();
                    true
                }
                None => false,
            };
            if clicked {
                settle(h);
                seen.extend(screen_texts(h));
            }
        }
    }
    seen
}

#[test]
fn after_log_out_the_next_user_sees_nothing_of_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    // Children outside 插花村 whose names no child of 插花村 shares.
    let store = open_db(&path).unwrap();
    let county = store.county_scope().unwrap();
    let all = children::list(store.conn(), &county, &Default::default()).unwrap();
    let inside: std::collections::HashSet<&str> = all
        .iter()
        .filter(|c| c.residence_division == "411525102201")
        .map(|c| c.name.as_str())
        .collect();
    let outside: Vec<String> = all
        .iter()
        .filter(|c| c.residence_division != "411525102201" && !inside.contains(c.name.as_str()))
        .map(|c| c.name.clone())
        .collect();
    assert!(outside.len() > 100 && !inside.is_empty());
    drop(store);

    let mut h = harness(path);
    log_in(&mut h, "caseworker", "hutong-demo");
    let seen_by_caseworker = visit_every_screen(&mut h);
    // The caseworker's screens do show children outside 插花村 (else the
    // check below could not fail), and a file of one is open.
    let shown: Vec<&String> = outside
        .iter()
        .filter(|n| seen_by_caseworker.contains(n))
        .collect();
    assert!(!shown.is_empty(), "the caseworker saw no county child");
    // A caseworker may start a 摸排 round (ManageCampaigns)...
    h.get_by_label("摸底排查").click();
    settle(&mut h);
    assert!(h.query_by_label("开始新一轮摸排").is_some());
    h.get_by_label("儿童档案").click();
    settle(&mut h);
    h.get_by_label(shown[0]).click();
    settle(&mut h);
    assert_eq!(h.state().open_child_name(), Some(shown[0].as_str()));

    h.get_by_label("退出登录").click();
    settle(&mut h);
    assert!(h.state().current_user().is_none());
    log_in(&mut h, "director", "hutong-demo");
    assert_eq!(
        h.state().current_user().map(|u| u.username.as_str()),
        Some("director")
    );
    assert_eq!(h.state().open_child_name(), None);
    let seen_by_director = visit_every_screen(&mut h);
    let leaked: Vec<&String> = outside
        .iter()
        .filter(|n| seen_by_director.contains(n))
        .collect();
    assert!(leaked.is_empty(), "the director saw {leaked:?}");
    assert!(
        inside
            .iter()
            .any(|n| seen_by_director.iter().any(|s| s == n)),
        "the director sees her own village"
    );
    // The director is not offered what her role lacks.
    assert!(h.query_by_label("用户与权限").is_none());
    // ...a village 儿童主任 may not: the screen shows her rounds only.
    h.get_by_label("摸底排查").click();
    settle(&mut h);
    assert!(h.query_by_label("开始新一轮摸排").is_none());
}

#[test]
fn an_administrator_creates_a_supervisor_who_must_change_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "admin", "hutong-demo");
    h.get_by_label("用户与权限").click();
    settle(&mut h);
    h.get_by_label("初始密码").focus();
    h.step();
    h.get_by_label("初始密码").type_text("first-pass-1");
    for (field, text) in [("用户名", "lisi"), ("姓名", "李四")] {
        // The table's headers share these words: ask for the text fields.
        h.get_by_role_and_label(hutong::egui::accesskit::Role::TextInput, field)
            .focus();
        h.step();
        h.get_by_role_and_label(hutong::egui::accesskit::Role::TextInput, field)
            .type_text(text);
    }
    h.run();
    use hutong::egui::accesskit::Role as A11y;
    h.get_by_role_and_label(A11y::ComboBox, "角色").click();
    h.run();
    h.get_by_role_and_label(A11y::Button, "乡镇儿童督导员")
        .click();
    settle(&mut h);
    h.get_by_label("建立账户").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("已建立账户").is_some(),
        "{:?}",
        screen_texts(&h)
            .iter()
            .filter(|t| t.contains("账户") || t.contains("错误"))
            .collect::<Vec<_>>()
    );
    let store = open_db(&path).unwrap();
    let user = hutong_core::users::get_by_username(store.conn(), "lisi")
        .unwrap()
        .unwrap();
    assert_eq!(user.role, hutong_core::users::Role::TownshipSupervisor);
    assert_eq!(
        user.scope.level(),
        hutong_core::national::division::DivisionLevel::Township
    );
    assert!(user.must_change_password);
    drop(store);

    h.get_by_label("退出登录").click();
    settle(&mut h);
    log_in(&mut h, "lisi", "first-pass-1");
    // Nothing but the password change until it is done.
    assert!(h.query_all_by_label("修改密码").next().is_some());
    assert!(h.query_by_label("儿童档案").is_none());
    for (field, text) in [
        ("原密码", "first-pass-1"),
        ("新密码", "second-pass-2"),
        ("再次输入新密码", "second-pass-2"),
    ] {
        h.get_by_label(field).focus();
        h.step();
        h.get_by_label(field).type_text(text);
    }
    h.run();
    h.get_all_by_label("修改密码").last().unwrap().click();
    settle(&mut h);
    assert!(
        h.query_by_label("儿童档案").is_some(),
        "the workstation opens"
    );
    h.get_by_label("儿童档案").click();
    settle(&mut h);
    // Only the township's children, whichever township was offered first.
    let listed = h.state().listed_names();
    let store = open_db(&path).unwrap();
    let county = store.county_scope().unwrap();
    let all = children::list(store.conn(), &county, &Default::default()).unwrap();
    let in_township: std::collections::HashSet<&str> = all
        .iter()
        .filter(|c| user.scope.contains(&c.residence_division))
        .map(|c| c.name.as_str())
        .collect();
    assert!(!listed.is_empty(), "the township has children in the demo");
    assert!(
        listed.iter().all(|n| in_township.contains(n.as_str())),
        "{listed:?}"
    );
    assert!(listed.len() < all.len());
}

#[test]
fn the_workstation_locks_after_the_idle_time_and_forgets_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "caseworker", "hutong-demo");
    h.get_by_label("儿童档案").click();
    settle(&mut h);
    assert!(!h.state().listed_names().is_empty());
    // 14 minutes without input: still open.
    h.state_mut()
        .pretend_idle_for(std::time::Duration::from_secs(14 * 60));
    h.step();
    assert!(h.state().current_user().is_some());
    // Past the default 15 minutes: locked, the list gone, the name kept.
    h.state_mut()
        .pretend_idle_for(std::time::Duration::from_secs(16 * 60));
    h.step();
    settle(&mut h);
    assert!(h.state().current_user().is_none());
    assert!(h.state().listed_names().is_empty());
    assert!(h.query_by_label_contains("长时间未操作").is_some());
    let store = open_db(&path).unwrap();
    let locks: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'user.locked_idle' AND actor = 'caseworker'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(locks, 1);
    // The same person signs in again with the password only.
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text("hutong-demo");
    h.run();
    h.get_by_label("登录").click();
    settle(&mut h);
    assert_eq!(
        h.state().current_user().map(|u| u.username.as_str()),
        Some("caseworker")
    );
}

#[test]
fn settings_checks_the_audit_chain_anchors_and_pages_for_those_who_may_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "auditor", "hutong-demo");
    h.get_by_label("设置").click();
    settle(&mut h);
    h.get_by_label("开始校验").click();
    // One frame takes the click and starts the job; then wait for it.
    h.step();
    settle(&mut h);
    let found: Vec<String> = h
        .query_all(egui_kittest::kittest::by().predicate(|n| {
            n.label()
                .is_some_and(|l| l.contains("校验") || l.contains("审计"))
        }))
        .filter_map(|n| n.accesskit_node().label())
        .collect();
    assert!(
        h.query_by_label_contains("审计链完整").is_some(),
        "{found:?}"
    );
    // The log-in of the day signed an anchor, and the file is sound.
    assert!(h.query_by_label_contains("最新审计锚点").is_some());
    assert!(h.query_by_label_contains("逐页校验：文件完好").is_some());

    // A village director may not read the audit log: no such control.
    let mut h = harness(path);
    log_in(&mut h, "director", "hutong-demo");
    h.get_by_label("设置").click();
    settle(&mut h);
    assert!(h.query_by_label("开始校验").is_none());
}

/// Steps a first-run window until `done` holds, or fails naming `what`.
fn step_root_until(
    h: &mut Harness<'static, hutong::gui::Root>,
    what: &str,
    done: impl Fn(&Harness<'static, hutong::gui::Root>) -> bool,
) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done(h) {
        if std::time::Instant::now() > deadline {
            let texts: Vec<String> = h
                .query_all_by(|_| true)
                .flat_map(|n| [n.accesskit_node().label(), n.accesskit_node().value()])
                .flatten()
                .collect();
            panic!("timed out waiting for {what}; on screen: {texts:?}");
        }
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.run_steps(4);
}

/// Issue #19, "done means": a new database opens as the 河南 demo county
/// with its plugin, so 工作台 shows the four colours with counts, visits
/// due this week and overdue, and 打印中心 lists the plugin's templates.
#[test]
fn the_first_run_demo_shows_the_plugins_colours_visits_and_templates() {
    use hutong::gui::{FirstRun, Root};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("first-run.db");
    let p = path.clone();
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| Root::FirstRun(Box::new(FirstRun::new(p))));
    h.get_by_label("打开示例县（固始县，含示例数据）").click();
    step_root_until(&mut h, "the log-in screen", |h| {
        h.query_by_label("用户名").is_some()
    });
    h.get_by_label("用户名").focus();
    h.step();
    h.get_by_label("用户名").type_text("caseworker");
    h.get_by_label("密码").focus();
    h.step();
    h.get_by_label("密码").type_text(demo::DEMO_PASSWORD);
    h.run();
    h.get_by_label("登录").click();
    // 工作台: a count for every colour (e.g. "红 37"), more than none.
    let count_of = |h: &Harness<'static, Root>, prefix: &str| -> Option<u64> {
        h.query_all_by(|_| true)
            .flat_map(|n| [n.accesskit_node().label(), n.accesskit_node().value()])
            .flatten()
            .find_map(|l| l.strip_prefix(prefix).and_then(|n| n.trim().parse().ok()))
    };
    step_root_until(&mut h, "the colour counts on 工作台", |h| {
        count_of(h, "绿 ").is_some()
    });
    for colour in ["红 ", "橙 ", "黄 ", "绿 "] {
        let n = count_of(&h, colour).unwrap_or(0);
        assert!(n > 0, "{colour}: {n}");
    }
    assert!(
        count_of(&h, "未评估 ").is_none(),
        "every demo child is assessed"
    );
    assert!(h.query_by_label_contains("未找到本省的省级插件").is_none());
    // The due-this-week and overdue tiles follow their labels.
    let tile_after = |h: &Harness<'static, Root>, label: &str| -> u64 {
        let texts: Vec<String> = h
            .query_all_by(|_| true)
            .flat_map(|n| [n.accesskit_node().label(), n.accesskit_node().value()])
            .flatten()
            .collect();
        let at = texts
            .iter()
            .position(|t| t == label)
            .unwrap_or_else(|| panic!("{label}"));
        texts[at + 1..]
            .iter()
            .find_map(|t| t.strip_suffix(" 名").and_then(|n| n.parse().ok()))
            .unwrap_or_else(|| panic!("no figure after {label}"))
    };
    assert!(tile_after(&h, "本周到期走访") > 0);
    assert!(tile_after(&h, "已超期走访") > 0);

    // 打印中心 lists the plugin's templates.
    h.get_by_label("打印中心").click();
    step_root_until(&mut h, "the 河南 templates", |h| {
        h.query_by_label_contains("流动儿童台账").is_some()
    });
    assert!(h.query_by_label_contains("流动儿童关爱服务清单").is_some());
}

/// Issue #19, item 1: in a demo database the 插件 screen installs the
/// plugins the program carries; a county database offers none of them.
#[test]
fn a_demo_database_installs_a_carried_plugin_and_a_county_database_offers_none() {
    use hutong_core::plugin_registry::{self, DEMO_PLUGIN_KEY};
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "admin", demo::DEMO_PASSWORD);
    h.get_by_label("插件").click();
    settle(&mut h);
    assert!(
        h.query_by_label("随程序附带的示例插件（仅示例数据库可安装）")
            .is_some()
    );
    h.get_by_label("安装江苏省示例插件").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("已安装 cn.hutong.jiangsu@")
            .is_some(),
        "the outcome is shown"
    );
    drop(h);
    let store = open_db(&path).unwrap();
    let jiangsu = plugin_registry::installed(store.conn())
        .unwrap()
        .into_iter()
        .find(|p| p.plugin_id == "cn.hutong.jiangsu")
        .expect("recorded as installed");
    assert_eq!(jiangsu.signed_by.as_deref(), Some(DEMO_PLUGIN_KEY));
    drop(store);

    let county = dir.path().join("county.db");
    let mut store = Store::create_encrypted(&county, false).unwrap();
    hutong_core::setup::init(&mut store, "411525", "admin", "county-password-1").unwrap();
    drop(store);
    let mut h = harness(county);
    log_in(&mut h, "admin", "county-password-1");
    h.get_by_label("插件").click();
    settle(&mut h);
    assert!(
        h.query_by_label("从文件安装插件…").is_some(),
        "an administrator may install"
    );
    assert!(h.query_by_label_contains("随程序附带的示例插件").is_none());
    assert!(h.query_by_label("安装河南省示例插件").is_none());
}

/// The language and text size chosen in 设置 are the user's: they come
/// back at the user's next log-in, and the next user at the same
/// workstation gets their own (the defaults).
#[test]
fn language_and_text_size_follow_the_user_not_the_workstation() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = harness(path.clone());
    log_in(&mut h, "caseworker", "hutong-demo");
    h.get_by_label("设置").click();
    settle(&mut h);
    h.get_by_label("English").click();
    settle(&mut h);
    h.get_by_label("17").click();
    settle(&mut h);
    // The whole UI is in English now, and the body text is larger.
    assert!(h.query_by_label("Log out").is_some());
    let body = h.ctx.global_style().text_styles[&hutong::egui::TextStyle::Body].size;
    assert!((body - 17.0).abs() < 0.01, "{body}");

    h.get_by_label("Log out").click();
    settle(&mut h);
    log_in(&mut h, "director", "hutong-demo");
    assert!(
        h.query_by_label("退出登录").is_some(),
        "the director's UI is in Chinese"
    );
    let body = h.ctx.global_style().text_styles[&hutong::egui::TextStyle::Body].size;
    assert!((body - 13.0).abs() < 0.01, "{body}");
    h.get_by_label("退出登录").click();
    settle(&mut h);

    log_in(&mut h, "caseworker", "hutong-demo");
    assert!(h.query_by_label("Log out").is_some(), "English again");
    let body = h.ctx.global_style().text_styles[&hutong::egui::TextStyle::Body].size;
    assert!((body - 17.0).abs() < 0.01, "{body}");
}

/// A desktop with no file chooser: every dialog answers "could not open".
struct NoFileChooser;

impl hutong::platform::FileDialogs for NoFileChooser {
    fn ask(&self, _r: &hutong::platform::DialogRequest) -> Option<PathBuf> {
        None
    }

    fn answer(&self, _r: &hutong::platform::DialogRequest) -> hutong::platform::DialogAnswer {
        hutong::platform::DialogAnswer::Unavailable
    }
}

/// Issue #20: a file dialog that cannot open says so and takes a typed
/// path, which reaches the screen that asked as the dialog's answer would.
#[test]
fn a_file_dialog_that_cannot_open_asks_for_a_typed_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = demo_db(&dir);
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_context_setup(hutong::gui::setup_context)
        .build_eframe(move |_cc| {
            let mut app = HutongApp::new(path);
            app.set_platform(hutong::platform::Platform {
                dialogs: std::sync::Arc::new(NoFileChooser),
                ..Default::default()
            });
            app
        });
    h.run_steps(2);
    h.get_by_label("打开其他数据库…").click();
    let mut steps = 0;
    while !h.state().asks_for_typed_path() {
        steps += 1;
        assert!(steps < 2_000, "the typed-path request never came");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("无法打开系统的文件对话框")
            .is_some()
    );

    // A path to nothing is refused in the window, which stays open.
    let missing = dir.path().join("没有这个文件.db");
    h.get_by_label("路径").focus();
    h.step();
    h.get_by_label("路径")
        .type_text(&missing.display().to_string());
    h.run_steps(2);
    h.get_by_label("确定").click();
    h.run_steps(3);
    assert!(
        h.query_by_label_contains("文件不存在").is_some(),
        "a missing file is named"
    );
    assert!(h.state().asks_for_typed_path());

    // An existing file that is no database: the log-in screen gets it, as
    // from a dialog, and says what it is not.
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(&not_a_db, "hello").unwrap();
    h.get_by_label("路径").focus();
    h.step();
    h.key_combination_modifiers(hutong::egui::Modifiers::COMMAND, &[hutong::egui::Key::A]);
    h.step();
    h.get_by_label("路径")
        .type_text(&not_a_db.display().to_string());
    h.run_steps(2);
    h.get_by_label("确定").click();
    h.run_steps(6);
    assert!(!h.state().asks_for_typed_path(), "the window closed");
    assert!(
        h.query_by_label_contains("不是护童数据库").is_some(),
        "the log-in screen received the typed path"
    );
}
