//! #17: the county file is safe to lose, copy or hand over, tampering is
//! visible, and a restore cannot be used against the county. Real encrypted
//! databases made by the real `hutong` binary.

use hutong_tests::{DEMO_ADMIN, hutong, hutong_bin, stderr, stdout};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// 张小雨, one of the seven reference cases every demo holds.
const NAME: &str = "张小雨";
const ID: &str = "411525201304150124";

fn demo(dir: &Path) -> PathBuf {
    let db = dir.join("county.db");
    let out = hutong(&db, &["demo", "--children", "40"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn contains(path: &Path, needle: &[u8]) -> bool {
    std::fs::read(path)
        .unwrap()
        .windows(needle.len())
        .any(|w| w == needle)
}

fn sha(path: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
}

#[test]
fn nothing_readable_in_the_database_its_wal_a_backup_or_a_full_id_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Keep a WAL around: a second connection writes while the first is open.
    let backup = dir.path().join("备份.db");
    let out = hutong(&db, &["backup", "--out", backup.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let export = dir.path().join("全县.json");
    let out = hutong(
        &db,
        &["export", "--purpose", "测试", export.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sealed = hutong_core::sealed::sealed_path(&export);

    let mut files = vec![db.clone(), backup.clone(), sealed.clone()];
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    if wal.exists() {
        files.push(wal);
    }
    for f in &files {
        assert!(
            !contains(f, NAME.as_bytes()),
            "{NAME} readable in {}",
            f.display()
        );
        assert!(
            !contains(f, ID.as_bytes()),
            "{ID} readable in {}",
            f.display()
        );
    }
    // What sqlite3 would do: the file is not a database without the key.
    let plain = rusqlite::Connection::open(&db).unwrap();
    let err = plain
        .query_row("SELECT count(*) FROM children", [], |r| r.get::<_, i64>(0))
        .unwrap_err();
    assert!(err.to_string().contains("not a database"), "{err}");
    // Every file Hutong wrote is owner-only.
    #[cfg(unix)]
    for e in std::fs::read_dir(dir.path()).unwrap() {
        use std::os::unix::fs::PermissionsExt;
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            let mode = e.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", e.path().display());
        }
    }
    // The backup opens with the key and holds the child.
    let copy =
        hutong_core::restore::preview(&hutong_tests::open_db(&db).unwrap().database(), &backup)
            .unwrap();
    assert!(copy.verification.children >= 47);
}

#[test]
fn a_wrong_password_fails_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let before = sha(&db);
    let out = hutong_tests::hutong_as(
        &db,
        Some(("admin", "wrong-password")),
        &["child", "list"],
        None,
    );
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("用户名或密码错误"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sha(&db), before, "the database file is untouched");
    // The attempt is in the audit log once the right password opens it.
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let failed: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'user.login_failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, 1);
}

#[test]
fn a_flipped_byte_in_the_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Fold the WAL in, so the damage is in the file itself.
    hutong_tests::raw_conn(&db)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let mut bytes = std::fs::read(&db).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x40;
    std::fs::write(&db, &bytes).unwrap();
    let out = hutong(&db, &["audit", "verify", "--deep"], None);
    assert!(!out.status.success(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("损坏") || err.contains("逐页校验"),
        "the damage is named: {err}"
    );
}

/// Runs `hutong audit verify` and returns (success, stdout + stderr).
fn verify(db: &Path, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let out = hutong(db, &args, None);
    (
        out.status.success(),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

#[test]
fn a_cut_tail_and_a_rewritten_chain_are_caught_by_the_anchors() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    // Backups sign the chain's head and keep the anchor beside them.
    let backups = dir.path().join("backups");
    let out = hutong(
        &db,
        &["backup", "--out", backups.join("b.db").to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (ok, text) = verify(&db, &["--anchor", backups.to_str().unwrap()]);
    assert!(ok, "{text}");
    assert!(text.contains("最新审计锚点"), "{text}");

    // Someone with the key deletes the tail (anchors inside the database
    // and beside it included); the anchor beside the backup remains.
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let anchored: i64 = conn
        .query_row("SELECT max(seq) FROM audit_anchors", [], |r| r.get(0))
        .unwrap();
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
        false,
    )
    .unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq > ?1", [anchored - 5])
        .unwrap();
    conn.execute("DELETE FROM audit_anchors", []).unwrap();
    drop(conn);
    std::fs::remove_dir_all(hutong_core::anchors::anchors_dir(&db)).unwrap();
    let (ok, text) = verify(&db, &["--anchor", backups.to_str().unwrap()]);
    assert!(!ok, "{text}");
    assert!(text.contains("审计日志被截断"), "{text}");
    assert!(text.contains(&format!("第 {anchored} 条")), "{text}");

    // New entries written on the cut chain make a valid-looking chain that
    // disagrees with the anchor at its sequence number.
    for _ in 0..8 {
        let out = hutong(&db, &["child", "list"], None);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let (ok, text) = verify(&db, &["--anchor", backups.to_str().unwrap()]);
    assert!(!ok, "{text}");
    assert!(text.contains("审计链被改写"), "{text}");
}

#[test]
fn a_crafted_backup_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let backup = dir.path().join("b.db");
    let out = hutong(&db, &["backup", "--out", backup.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));

    // A planted trigger that would delete every new reveal entry.
    let planted = dir.path().join("planted.db");
    hutong_tests::copy_db(&backup, &planted);
    hutong_tests::raw_conn(&planted)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER quiet AFTER INSERT ON audit_log WHEN NEW.action = 'child.reveal_id'
             BEGIN DELETE FROM audit_log WHERE seq = NEW.seq; END;",
        )
        .unwrap();
    let out = hutong(&db, &["restore", planted.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("多出触发器“quiet”"),
        "{}",
        stderr(&out)
    );
    // The village director promoted to county administrator.
    let promoted = dir.path().join("promoted.db");
    hutong_tests::copy_db(&backup, &promoted);
    hutong_tests::raw_conn(&promoted)
        .unwrap()
        .execute(
            "UPDATE users SET role = 'county_admin', scope_code = '411525' WHERE username = 'director'",
            [],
        )
        .unwrap();
    let out = hutong(&db, &["restore", promoted.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("账户 director：village_director"),
        "the change is named: {}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    hutong_tests::raw_conn(&db)
        .unwrap()
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    let after = hutong_tests::raw_conn(&db)
        .unwrap()
        .query_row(
            "SELECT role FROM users WHERE username = 'director'",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap();
    assert_eq!(after, "village_director");
}

#[test]
fn a_restore_killed_at_each_step_leaves_a_database_that_opens() {
    let dir = tempfile::tempdir().unwrap();
    let template = demo(dir.path());
    let backup = dir.path().join("b.db");
    let out = hutong(
        &template,
        &["backup", "--out", backup.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for step in [
        "checked",
        "checkpointed",
        "kept",
        "side-files-removed",
        "renamed",
    ] {
        let case = dir.path().join(step);
        std::fs::create_dir(&case).unwrap();
        let db = case.join("county.db");
        hutong_tests::copy_db(&template, &db);
        let out = Command::new(hutong_bin())
            .arg("--db")
            .arg(&db)
            .args(["restore", backup.to_str().unwrap()])
            .env("HUTONG_USER", DEMO_ADMIN.0)
            .env("HUTONG_PASSWORD", DEMO_ADMIN.1)
            .env("HUTONG_RESTORE_CRASH_AT", step)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{step}: the restore was killed");
        assert!(db.exists(), "{step}: a database is at the path");
        let out = hutong(&db, &["child", "list"], None);
        assert!(out.status.success(), "{step}: {}", stderr(&out));
        assert!(stdout(&out).contains(NAME), "{step}");
    }
    // The same restore, not killed, completes and says what it kept.
    let db = dir.path().join("checked").join("county.db");
    let out = hutong(&db, &["restore", backup.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("原数据库已保留为"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_old_plaintext_database_is_encrypted_by_the_administrators_first_log_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    {
        let mut store = hutong_core::Store::open_unencrypted(&db).unwrap();
        hutong_core::demo::generate(
            &mut store,
            &hutong_core::demo::DemoOptions {
                county_code: "411525".into(),
                generated_children: 20,
                seed: 7,
                today: chrono::Local::now().date_naive(),
            },
            |_, _| true,
        )
        .unwrap();
    }
    assert!(contains(&db, NAME.as_bytes()), "the old file is plaintext");
    // Only the county administrator may do it.
    let out = hutong_tests::hutong_as(
        &db,
        Some(("director", DEMO_ADMIN.1)),
        &["child", "list"],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("尚未加密"), "{}", stderr(&out));
    let out = hutong(&db, &["child", "list"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("恢复码"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("director"),
        "accounts needing a reset: {}",
        stderr(&out)
    );
    assert!(!hutong_core::store::is_plaintext(&db));
    assert!(!contains(&db, NAME.as_bytes()));
    // The chain still verifies: old unkeyed entries, then keyed ones.
    let (ok, text) = verify(&db, &[]);
    assert!(ok, "{text}");
    // Other accounts need a reset before they can open it.
    let out = hutong_tests::hutong_as(
        &db,
        Some(("director", DEMO_ADMIN.1)),
        &["child", "list"],
        None,
    );
    assert!(!out.status.success());
}

#[test]
fn a_row_edited_with_the_key_outside_hutong_is_named_by_deep_verify() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());
    let (ok, text) = verify(&db, &["--deep"]);
    assert!(ok, "{text}");
    assert!(text.contains("逐条记录校验"), "{text}");
    // Someone with the password changes a child's name with an SQLCipher
    // tool: the chain still holds, the row no longer matches its digest.
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let (id, name): (Vec<u8>, String) = conn
        .query_row(
            "SELECT id, name FROM children ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    conn.execute("UPDATE children SET name = '改名' WHERE id = ?1", [&id])
        .unwrap();
    drop(conn);
    let (ok, plain) = verify(&db, &[]);
    assert!(ok, "without --deep only the chain is checked: {plain}");
    let (ok, text) = verify(&db, &["--deep"]);
    assert!(!ok, "{text}");
    let id_text = uuid::Uuid::from_slice(&id).unwrap().to_string();
    assert!(
        text.contains(&format!("children {id_text}")) && text.contains("在护童之外被改动"),
        "{text}"
    );
    assert!(!text.contains(&name), "the report names the row by id only");
}
