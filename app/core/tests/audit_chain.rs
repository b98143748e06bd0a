//! The keyed audit chain covers every field of every entry: changing any
//! one of them, in an encrypted database, by someone holding the key but
//! not going through Hutong, is named by `audit::verify` at that entry.

use hutong_core::demo::{self, DemoOptions};
use hutong_core::{Store, audit};
use rusqlite::config::DbConfig;

fn unlock(path: &std::path::Path) -> Store {
    Store::unlock(path, "admin", demo::DEMO_PASSWORD).unwrap().0
}

#[test]
fn changing_any_single_field_of_an_entry_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let original = dir.path().join("county.db");
    {
        let mut store = Store::create_encrypted(&original, true).unwrap();
        demo::generate(
            &mut store,
            &DemoOptions {
                county_code: "411525".into(),
                generated_children: 3,
                seed: 1,
                today: chrono::Local::now().date_naive(),
            },
            |_, _| true,
        )
        .unwrap();
        assert!(audit::verify(store.conn()).unwrap().is_intact());
    }
    // An entry in the middle whose entity id and row digest are set, so
    // that every field holds a value that can be changed.
    let seq: i64 = unlock(&original)
        .conn()
        .query_row(
            "SELECT min(seq) FROM audit_log WHERE entity_id IS NOT NULL AND row_digest IS NOT NULL AND seq > 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let edits = [
        ("id", "randomblob(16)"),
        ("at", "'2020-01-01T00:00:00+08:00'"),
        ("actor", "actor || '改'"),
        ("action", "action || '改'"),
        ("entity", "entity || '改'"),
        ("entity_id", "entity_id || '改'"),
        ("reason", "coalesce(reason, '') || '改'"),
        ("detail", "detail || ' '"),
        ("prev_hash", "'0000'"),
        ("hash", "'m1:00'"),
        ("row_digest", "row_digest || '0'"),
    ];
    for (field, value) in edits {
        let copy = dir.path().join(format!("{field}.db"));
        std::fs::copy(&original, &copy).unwrap();
        std::fs::copy(
            hutong_core::store::keyfile_path(&original),
            hutong_core::store::keyfile_path(&copy),
        )
        .unwrap();
        {
            let raw = unlock(&copy).database().open_raw_connection().unwrap();
            raw.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)
                .unwrap();
            let changed = raw
                .execute(
                    &format!("UPDATE audit_log SET {field} = {value} WHERE seq = ?1"),
                    [seq],
                )
                .unwrap();
            assert_eq!(changed, 1, "{field}");
        }
        let report = audit::verify(unlock(&copy).conn()).unwrap();
        let broken = report
            .first_broken
            .unwrap_or_else(|| panic!("changing {field} went unnoticed"));
        assert_eq!(broken.seq, seq, "{field}: {}", broken.reason);
    }
    // A removed entry is named too (the sequence has a gap).
    let copy = dir.path().join("removed.db");
    std::fs::copy(&original, &copy).unwrap();
    std::fs::copy(
        hutong_core::store::keyfile_path(&original),
        hutong_core::store::keyfile_path(&copy),
    )
    .unwrap();
    {
        let raw = unlock(&copy).database().open_raw_connection().unwrap();
        raw.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)
            .unwrap();
        raw.execute("DELETE FROM audit_log WHERE seq = ?1", [seq])
            .unwrap();
    }
    let broken = audit::verify(unlock(&copy).conn())
        .unwrap()
        .first_broken
        .unwrap();
    assert_eq!(broken.seq, seq + 1);
}

#[test]
fn a_chain_rebuilt_without_the_key_is_refused_whole() {
    // Someone without the key rewrites every hash as plain SHA-256 (the
    // format of an unencrypted store): an encrypted database accepts no
    // unkeyed entry after a keyed one.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    let mut store = Store::create_encrypted(&db, true).unwrap();
    demo::generate(
        &mut store,
        &DemoOptions {
            county_code: "411525".into(),
            generated_children: 0,
            seed: 1,
            today: chrono::Local::now().date_naive(),
        },
        |_, _| true,
    )
    .unwrap();
    let raw = store.database().open_raw_connection().unwrap();
    raw.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)
        .unwrap();
    raw.execute(
        "UPDATE audit_log SET hash = substr(hash, 4) WHERE seq = 5",
        [],
    )
    .unwrap();
    let broken = audit::verify(store.conn()).unwrap().first_broken.unwrap();
    assert_eq!(broken.seq, 5);
    assert!(broken.reason.contains("未签名"), "{}", broken.reason);
}
