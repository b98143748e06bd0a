//! Who may do what, through the real `hutong` binary on a real demo county:
//! logging in, the permission table, division scopes, accounts and the
//! lock after wrong passwords. Every refusal is checked for its message,
//! for nothing written, and for its `access.denied` audit entry.

use hutong_tests::{DEMO_ADMIN, hutong, hutong_as, stderr, stdout};
use std::path::Path;
use std::sync::OnceLock;

const PASSWORD: &str = "hutong-demo";
/// 插花村, the demo director's village, and 黎集镇, the supervisor's township.
const DIRECTOR_VILLAGE: &str = "411525102201";
const SUPERVISOR_TOWNSHIP: &str = "411525102";
/// A village of 陈淋子镇, outside both.
const OTHER_TOWNSHIP_VILLAGE: &str = "411525101002";

/// One demo county for the read-only checks (writes use their own copy).
fn shared_demo() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, std::path::PathBuf)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("demo.db");
        let out = hutong_as(&db, None, &["demo", "--children", "300"], None);
        assert!(out.status.success(), "demo: {}", stderr(&out));
        (dir, db)
    })
    .1
}

fn fresh_demo(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("demo.db");
    hutong_tests::copy_db(shared_demo(), &db);
    db
}

fn as_user(db: &Path, user: &str, args: &[&str]) -> std::process::Output {
    hutong_as(db, Some((user, PASSWORD)), args, None)
}

/// A valid ID number from its first 17 digits.
fn valid_id(body: &str) -> String {
    let check = hutong_core::national::id_number::check_char(body).unwrap();
    format!("{body}{check}")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

/// `access.denied` entries in the audit log: (actor, entity id, reason).
fn refusals(db: &Path) -> Vec<(String, String, String)> {
    let conn = hutong_tests::raw_conn(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT actor, coalesce(entity_id, ''), coalesce(reason, '') FROM audit_log
             WHERE action = 'access.denied' ORDER BY seq",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn audit_count(db: &Path, action: &str) -> i64 {
    let conn = hutong_tests::raw_conn(db).unwrap();
    conn.query_row(
        "SELECT count(*) FROM audit_log WHERE action = ?1",
        [action],
        |r| r.get(0),
    )
    .unwrap()
}

/// All children as the administrator sees them: (id number, village code).
fn all_children(db: &Path) -> Vec<(String, String)> {
    let out = hutong(
        db,
        &[
            "child",
            "list",
            "--json",
            "--reveal",
            "--purpose",
            "测试准备",
        ],
        None,
    );
    json(&out)
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id_number"].as_str().unwrap().to_string(),
                r["village_code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn without_a_login_nothing_is_shown_and_the_message_says_how() {
    let db = shared_demo();
    let out = hutong_as(db, None, &["child", "list"], None);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty(), "printed: {}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("--user") && err.contains("HUTONG_USER"),
        "{err}"
    );
    // A wrong password is refused the same way as an unknown name.
    let wrong = hutong_as(
        db,
        Some(("admin", "wrong-password")),
        &["child", "list"],
        None,
    );
    let unknown = hutong_as(
        db,
        Some(("nobody", "wrong-password")),
        &["child", "list"],
        None,
    );
    assert!(!wrong.status.success() && !unknown.status.success());
    assert!(stdout(&wrong).is_empty() && stdout(&unknown).is_empty());
    assert!(
        stderr(&wrong).contains("用户名或密码错误"),
        "{}",
        stderr(&wrong)
    );
    assert!(
        stderr(&unknown).contains("用户名或密码错误"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn the_director_sees_only_her_village() {
    let db = shared_demo();
    let everyone = all_children(db);
    let inside: Vec<_> = everyone
        .iter()
        .filter(|(_, v)| v == DIRECTOR_VILLAGE)
        .collect();
    assert!(
        !inside.is_empty() && inside.len() < everyone.len(),
        "the demo must have children inside and outside 插花村"
    );
    let listed = json(&as_user(db, "director", &["child", "list", "--json"]));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), inside.len());
    assert!(
        listed
            .iter()
            .all(|r| r["village_code"].as_str() == Some(DIRECTOR_VILLAGE))
    );
    // A file elsewhere cannot be opened by its number.
    let (outside_id, _) = everyone
        .iter()
        .find(|(_, v)| v != DIRECTOR_VILLAGE)
        .unwrap();
    let out = as_user(db, "director", &["child", "show", outside_id]);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    // Nor by narrowing to another village.
    let out = as_user(
        db,
        "director",
        &["child", "list", "--village", OTHER_TOWNSHIP_VILLAGE],
    );
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(stderr(&out).contains("管辖范围"), "{}", stderr(&out));

    // The supervisor sees the township, the caseworker the county.
    let listed = json(&as_user(db, "supervisor", &["child", "list", "--json"]));
    let in_township = everyone
        .iter()
        .filter(|(_, v)| v.starts_with(SUPERVISOR_TOWNSHIP))
        .count();
    assert_eq!(listed.as_array().unwrap().len(), in_township);
    let listed = json(&as_user(db, "caseworker", &["child", "list", "--json"]));
    assert_eq!(listed.as_array().unwrap().len(), everyone.len());
}

#[test]
fn writes_outside_the_scope_are_refused_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_demo(dir.path());
    let everyone = all_children(&db);
    let (outside, _) = everyone
        .iter()
        .find(|(_, v)| !v.starts_with(SUPERVISOR_TOWNSHIP))
        .unwrap()
        .clone();
    let (inside, _) = everyone
        .iter()
        .find(|(_, v)| v == DIRECTOR_VILLAGE)
        .unwrap()
        .clone();
    let closes_before = audit_count(&db, "child.close");

    for user in ["director", "supervisor"] {
        let before = refusals(&db).len();
        let out = as_user(
            &db,
            user,
            &["child", "close", &outside, "--reason", "迁出本县"],
        );
        assert!(!out.status.success(), "{user} closed a file outside");
        assert!(stdout(&out).is_empty());
        let after = refusals(&db);
        assert_eq!(after.len(), before + 1, "{user}'s refusal is audited");
        assert_eq!(after.last().unwrap().0, user);
    }
    assert_eq!(audit_count(&db, "child.close"), closes_before);

    // A child added in another village by the director is refused too.
    let out = as_user(
        &db,
        "director",
        &[
            "child",
            "add",
            "--id-number",
            &valid_id("41152520180101001"),
            "--name",
            "测试",
            "--village",
            OTHER_TOWNSHIP_VILLAGE,
        ],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("管辖范围"), "{}", stderr(&out));

    // Inside her village the same write succeeds.
    let out = as_user(
        &db,
        "director",
        &["child", "close", &inside, "--reason", "迁出本县"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(audit_count(&db, "child.close"), closes_before + 1);
}

#[test]
fn each_role_is_refused_what_the_table_denies() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_demo(dir.path());
    let sheet = dir.path().join("名单.csv");
    std::fs::write(&sheet, "姓名,身份证号\n张三,411525201304150124\n").unwrap();
    let sheet = sheet.to_str().unwrap();
    let out_xlsx = dir.path().join("out.xlsx");
    let out_xlsx = out_xlsx.to_str().unwrap();
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "director",
            &["table", "import", sheet, "--dry-run"],
            "导入数据",
        ),
        (
            "director",
            &["compare", sheet, "--source", "学籍库"],
            "数据比对",
        ),
        (
            "director",
            &[
                "table",
                "export",
                "--list",
                "children",
                "--purpose",
                "核对",
                "--full-ids",
                "--out",
                out_xlsx,
            ],
            "导出完整身份证号",
        ),
        (
            "director",
            &[
                "allowance",
                "roster",
                "--month",
                "2025-05",
                "--out",
                out_xlsx,
            ],
            "查看全县名单和台账",
        ),
        ("director", &["stats"], "统计报表"),
        (
            "supervisor",
            &["table", "import", sheet, "--dry-run"],
            "导入数据",
        ),
        ("supervisor", &["backup", "--out", out_xlsx], "备份数据库"),
        ("caseworker", &["restore", out_xlsx], "从备份恢复数据库"),
        ("caseworker", &["user", "list"], "管理用户与权限"),
        (
            "caseworker",
            &["plugin", "dev-mode", "on"],
            "开关开发者模式",
        ),
        (
            "auditor",
            &["child", "close", "411525201304150124", "--reason", "x"],
            "修改儿童档案和业务记录",
        ),
        (
            "auditor",
            &["child", "list", "--reveal", "--purpose", "看看"],
            "查看完整身份证号",
        ),
        ("auditor", &["report", "--list"], "打印报表"),
    ];
    for (user, args, action) in cases {
        let before = refusals(&db).len();
        let out = as_user(&db, user, args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{user} {args:?} was allowed");
        assert!(stdout(&out).is_empty(), "{user} {args:?}: {}", stdout(&out));
        assert!(
            err.contains("权限不足") && err.contains(action),
            "{user} {args:?}: {err}"
        );
        let after = refusals(&db);
        assert_eq!(after.len(), before + 1, "{user} {args:?} refusal audited");
        let (actor, _, reason) = after.last().unwrap();
        assert_eq!(actor, user);
        assert_eq!(reason, action);
    }
    // The grants on the other side of the same rows.
    assert!(
        as_user(&db, "auditor", &["audit", "verify"])
            .status
            .success()
    );
    assert!(as_user(&db, "caseworker", &["stats"]).status.success());
    // The sheet lacks required columns, so the dry run may report rows, but
    // the caseworker is not refused for the permission.
    let out = as_user(&db, "caseworker", &["table", "import", sheet, "--dry-run"]);
    assert!(!stderr(&out).contains("权限不足"), "{}", stderr(&out));
    assert!(as_user(&db, "admin", &["user", "list"]).status.success());
}

#[test]
fn five_wrong_passwords_lock_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_demo(dir.path());
    for i in 1..=5 {
        let out = hutong_as(
            &db,
            Some(("caseworker", "not-the-password")),
            &["child", "list"],
            None,
        );
        assert!(!out.status.success());
        if i < 5 {
            assert!(
                stderr(&out).contains("用户名或密码错误"),
                "{}",
                stderr(&out)
            );
        } else {
            assert!(stderr(&out).contains("锁定"), "{}", stderr(&out));
        }
    }
    // Now even the right password is refused until the lock ends.
    let out = as_user(&db, "caseworker", &["child", "list"]);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("锁定"), "{}", stderr(&out));
    assert_eq!(audit_count(&db, "user.login_failed"), 6);
    assert_eq!(audit_count(&db, "user.locked"), 1);
    // Other accounts are not affected, and an administrator's reset lifts it.
    let out = hutong_as(
        &db,
        Some(DEMO_ADMIN),
        &["user", "reset-password", "caseworker"],
        Some("temporary-pass\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong_as(
        &db,
        Some(("caseworker", "temporary-pass")),
        &["child", "list"],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("user passwd"), "{}", stderr(&out));
}

#[test]
fn an_initialised_county_gets_a_supervisor_who_must_change_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    let admin = ("chief", "chief-password");
    let out = hutong_as(
        &db,
        None,
        &[
            "init",
            "--county",
            "411525",
            "--admin",
            admin.0,
            "--password-stdin",
        ],
        Some("chief-password\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // init refuses an existing file; demo refuses a county's real database.
    let out = hutong_as(
        &db,
        None,
        &[
            "init",
            "--county",
            "411525",
            "--admin",
            "x",
            "--password-stdin",
        ],
        Some("another-pass\n"),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("已存在"), "{}", stderr(&out));
    let out = hutong_as(&db, Some(admin), &["demo", "--children", "5"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("不是示例数据库"), "{}", stderr(&out));

    // Two children, one in 黎集镇 and one elsewhere.
    for (id, village) in [
        (valid_id("41152520130415012"), "411525102201"),
        (valid_id("41152520150611002"), OTHER_TOWNSHIP_VILLAGE),
    ] {
        let out = hutong_as(
            &db,
            Some(admin),
            &[
                "child",
                "add",
                "--id-number",
                &id,
                "--name",
                "测试儿童",
                "--village",
                village,
            ],
            None,
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = hutong_as(
        &db,
        Some(admin),
        &[
            "user",
            "add",
            "li",
            "--name",
            "李明",
            "--role",
            "township_supervisor",
            "--scope",
            SUPERVISOR_TOWNSHIP,
        ],
        Some("first-password\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let supervisor = ("li", "first-password");
    // Before changing the password nothing else is allowed.
    let out = hutong_as(&db, Some(supervisor), &["child", "list"], None);
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("user passwd"), "{}", stderr(&out));
    let out = hutong_as(
        &db,
        Some(supervisor),
        &["user", "passwd"],
        Some("first-password\nmy-own-password\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong_as(
        &db,
        Some(("li", "my-own-password")),
        &["child", "list", "--json"],
        None,
    );
    let listed = json(&out);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["village_code"], "411525102201");
    // The supervisor cannot manage accounts; the last admin cannot be disabled.
    let out = hutong_as(
        &db,
        Some(("li", "my-own-password")),
        &["user", "list"],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("管理用户与权限"), "{}", stderr(&out));
    let out = hutong_as(&db, Some(admin), &["user", "disable", "chief"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("唯一"), "{}", stderr(&out));
    let out = hutong_as(
        &db,
        Some(admin),
        &["user", "set-role", "chief", "--role", "caseworker"],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("唯一"), "{}", stderr(&out));
    // Disabling the supervisor stops their log-in.
    let out = hutong_as(&db, Some(admin), &["user", "disable", "li"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong_as(
        &db,
        Some(("li", "my-own-password")),
        &["child", "list"],
        None,
    );
    assert!(!out.status.success());
    // A disabled account's password no longer opens the file itself.
    assert!(matches!(
        hutong_core::Store::unlock(&db, "li", "my-own-password"),
        Err(hutong_core::CoreError::BadCredentials)
    ));
    // init's administrator and the supervisor; one password change; one disable.
    let conn = hutong_tests::raw_conn_as(&db, admin.0, admin.1).unwrap();
    let count = |action: &str| -> i64 {
        conn.query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(count("user.create"), 2);
    for action in ["user.change_password", "user.disable"] {
        assert_eq!(count(action), 1, "{action}");
    }
}
