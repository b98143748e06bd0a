//! The `hutong` command line, end to end, on real database files.

use hutong_tests::{hutong, hutong_as, hutong_bin, stderr, stdout};
use std::time::{Duration, Instant};

#[test]
fn init_creates_a_county_with_an_admin_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    let out = hutong(
        &db,
        &[
            "init",
            "--county",
            "411525",
            "--admin",
            "admin",
            "--password-stdin",
        ],
        Some("s3cret-pass\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("河南省 信阳市 固始县"),
        "{}",
        stdout(&out)
    );
    let conn = hutong_tests::raw_conn_as(&db, "admin", "s3cret-pass").unwrap();
    let (role, scope): (String, String) = conn
        .query_row(
            "SELECT role, scope_code FROM users WHERE username='admin'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((role.as_str(), scope.as_str()), ("county_admin", "411525"));
    drop(conn);

    // A second init on the same file is refused: a county is set up once,
    // and further administrators are added by an administrator.
    let out = hutong(
        &db,
        &[
            "init",
            "--county",
            "320903",
            "--admin",
            "other",
            "--password-stdin",
        ],
        Some("s3cret-pass\n"),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("已存在"), "{}", stderr(&out));
    let conn = hutong_tests::raw_conn_as(&db, "admin", "s3cret-pass").unwrap();
    let users: i64 = conn
        .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1, "no second administrator was added");
    drop(conn);

    // A short password and an unknown county are refused.
    let db2 = dir.path().join("c2.db");
    let out = hutong(
        &db2,
        &[
            "init",
            "--county",
            "411525",
            "--admin",
            "a",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("密码"), "{}", stderr(&out));
    let out = hutong(
        &db2,
        &[
            "init",
            "--county",
            "abc",
            "--admin",
            "a",
            "--password-stdin",
        ],
        Some("long-enough\n"),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--county"), "{}", stderr(&out));
}

#[test]
fn demo_list_search_show_add_close_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = hutong(&db, &["demo", "--children", "500"], None);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = hutong(&db, &["child", "list", "--search", "zxy", "--json"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let zhang = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "张小雨")
        .expect("张小雨 found by zxy");
    assert_eq!(
        zhang["id_number"], "411525***********4",
        "IDs are masked in lists"
    );
    assert_eq!(zhang["village"], "插花村民委员会");

    let out = hutong(
        &db,
        &["child", "list", "--village", "411525102201", "--json"],
        None,
    );
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["village_code"] == "411525102201")
    );
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "李浩然")
    );

    // Revealing IDs needs a purpose and is audited.
    let out = hutong(
        &db,
        &[
            "child",
            "list",
            "--search",
            "411525201304150124",
            "--reveal",
        ],
        None,
    );
    assert!(
        !out.status.success(),
        "--reveal without --purpose must fail"
    );
    let out = hutong(
        &db,
        &[
            "child",
            "list",
            "--search",
            "411525201304150124",
            "--reveal",
            "--purpose",
            "核对补贴发放",
        ],
        None,
    );
    assert!(stdout(&out).contains("411525201304150124"));
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let reveals: i64 = conn.query_row("SELECT count(*) FROM audit_log WHERE action='child.reveal_id' AND reason='核对补贴发放'", [], |r| r.get(0)).unwrap();
    assert_eq!(reveals, 1);
    drop(conn);

    let out = hutong(&db, &["child", "show", "411525201304150124"], None);
    let text = stdout(&out);
    assert!(
        text.contains("河南省 信阳市 固始县 黎集镇 插花村民委员会"),
        "{text}"
    );
    assert!(
        text.contains("服刑在押") && text.contains("失联") && text.contains("事实无人抚养儿童"),
        "{text}"
    );

    // Adding: a bad check digit is refused, naming the field; a good one works.
    let out = hutong(
        &db,
        &[
            "child",
            "add",
            "--id-number",
            "411525201508220252",
            "--name",
            "测试",
            "--village",
            "411525102201",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("身份证号") && stderr(&out).contains("校验码"),
        "{}",
        stderr(&out)
    );
    let out = hutong(
        &db,
        &[
            "child",
            "add",
            "--id-number",
            "32090320110107031x",
            "--name",
            "王子轩",
            "--village",
            "411525102201",
        ],
        None,
    );
    assert!(!out.status.success(), "the demo already holds 王子轩");
    assert!(stderr(&out).contains("已有档案"), "{}", stderr(&out));
    let body = "41152520180101001";
    let check = hutong_core::national::id_number::check_char(body).unwrap();
    let new_id = format!("{body}{check}");
    // A name that would break out of a quoted command line is refused,
    // naming the field and the character; nothing is written.
    let out = hutong(
        &db,
        &[
            "child",
            "add",
            "--id-number",
            &new_id,
            "--name",
            "a’;calc;’",
            "--village",
            "411525102201",
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("姓名") && stderr(&out).contains("U+2019"),
        "{}",
        stderr(&out)
    );
    let out = hutong(&db, &["child", "show", &new_id], None);
    assert!(!out.status.success(), "the refused child was not filed");
    let out = hutong(
        &db,
        &[
            "child",
            "add",
            "--id-number",
            &new_id,
            "--name",
            "新建档",
            "--village",
            "411525102201",
            "--category",
            "LEFT_BEHIND_RURAL",
            "--basis",
            "父母外出务工",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong(
        &db,
        &["child", "close", &new_id, "--reason", "随父母迁往广东"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong(
        &db,
        &["child", "list", "--status", "closed", "--json"],
        None,
    );
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["name"], "新建档");

    let out = hutong(&db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn tampering_with_one_audit_row_makes_verify_fail_and_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert!(
        hutong(&db, &["demo", "--children", "50"], None)
            .status
            .success()
    );
    assert!(hutong(&db, &["audit", "verify"], None).status.success());
    let conn = hutong_tests::raw_conn(&db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; UPDATE audit_log SET actor = '某人' WHERE seq = 20;",
    )
    .unwrap();
    drop(conn);
    let out = hutong(&db, &["audit", "verify"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("第 20 条"), "{}", stderr(&out));
}

#[test]
fn export_import_round_trip_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.db");
    let b = dir.path().join("b.db");
    let file = dir.path().join("export.json");
    let file2 = dir.path().join("export2.json");
    assert!(
        hutong(&a, &["demo", "--children", "300"], None)
            .status
            .success()
    );
    let out = hutong(
        &a,
        &[
            "export",
            "--format",
            "json",
            "--purpose",
            "迁移到新电脑",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The new computer's database is set up first, then its administrator
    // imports the bundle.
    let out = hutong_as(
        &b,
        None,
        &[
            "init",
            "--county",
            "411525",
            "--admin",
            "admin",
            "--password-stdin",
        ],
        Some("hutong-demo\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong(
        &b,
        &[
            "import",
            hutong_core::sealed::sealed_path(&file).to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong(
        &b,
        &["export", "--format", "json", file2.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The bundle carries full ID numbers, so it left sealed: FILE.zip,
    // whose bytes hold no child's number.
    let sealed = hutong_core::sealed::sealed_path(&file);
    let sealed2 = hutong_core::sealed::sealed_path(&file2);
    assert!(!file.exists() && sealed.exists());
    let raw = std::fs::read(&sealed).unwrap();
    assert!(!raw.windows(18).any(|w| w == b"411525201304150124"));
    assert!(hutong_core::sealed::read(&sealed, "not-the-passphrase", 1 << 30).is_err());
    let mut one: serde_json::Value =
        serde_json::from_slice(&hutong_tests::unseal(&sealed)).unwrap();
    let mut two: serde_json::Value =
        serde_json::from_slice(&hutong_tests::unseal(&sealed2)).unwrap();
    one["exported_at"] = serde_json::Value::Null;
    two["exported_at"] = serde_json::Value::Null;
    assert_eq!(one["children"].as_array().unwrap().len(), 307);
    assert_eq!(one, two);

    // A broken file is reported with its path, and nothing is written.
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        b"{\"format\": \"hutong-export\", \"format_version\": 1, \"children\": [",
    )
    .unwrap();
    let out = hutong(&b, &["import", broken.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("broken.json"), "{}", stderr(&out));
}

#[test]
fn a_demo_killed_midway_leaves_a_database_that_opens_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("killed.db");
    let mut child = std::process::Command::new(hutong_bin())
        .arg("--db")
        .arg(&db)
        .args(["demo", "--children", "100000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until some batches of 2,000 have committed (its progress line
    // says how many children are written), then kill it hard. The file is
    // not opened meanwhile: opening it would take the key file's lock.
    let mut progress = child.stderr.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let n = std::io::Read::read(&mut progress, &mut buf).unwrap();
        assert!(n > 0, "demo finished before it could be killed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        let done = seen
            .rsplit('：')
            .next()
            .and_then(|t| t.split('/').next())
            .and_then(|d| d.trim().parse::<u64>().ok())
            .unwrap_or(0);
        if done >= 6_000 {
            break;
        }
        assert!(Instant::now() < deadline, "demo made no progress: {seen}");
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let out = hutong(&db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    // Every child that made it has its audit entry: batches are all-or-nothing.
    let children: i64 = conn
        .query_row("SELECT count(*) FROM children", [], |r| r.get(0))
        .unwrap();
    let created: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action='child.create'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(children, created);
    assert!(
        children >= 4_000,
        "batches committed before the kill: {children}"
    );
    assert!(children < 100_007, "the kill must have interrupted the run");
    drop(conn);
    let out = hutong(&db, &["child", "list", "--search", "zxy", "--json"], None);
    assert!(out.status.success(), "{}", stderr(&out));
}
