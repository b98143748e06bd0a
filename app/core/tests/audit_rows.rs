//! Row digests (issue #17, item 3): every audit entry about a row records a
//! digest of that row as its write left it, and `audit::verify_rows` (what
//! `hutong audit verify --deep` runs) names any row changed since without
//! Hutong: with the key, by SQL, outside the program.

use hutong_core::demo::{self, DemoOptions};
use hutong_core::{Store, audit};
use rusqlite::config::DbConfig;

fn demo_county() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create_encrypted(&dir.path().join("county.db"), true).unwrap();
    let opts = DemoOptions {
        county_code: "411525".into(),
        generated_children: 40,
        seed: 7,
        today: "2025-05-22".parse().unwrap(),
    };
    demo::generate(&mut store, &opts, |_, _| true).unwrap();
    demo::add_history(&mut store, &opts).unwrap();
    (dir, store)
}

fn unlock(path: &std::path::Path) -> Store {
    Store::unlock(path, "admin", demo::DEMO_PASSWORD).unwrap().0
}

/// A raw connection with the key (what someone holding the password could
/// open with any SQLCipher tool), triggers off so append-only tables can be
/// edited too.
fn raw(store: &Store) -> rusqlite::Connection {
    let raw = store.database().open_raw_connection().unwrap();
    raw.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)
        .unwrap();
    raw
}

/// Tables with an `id` column, other than the audit log's own.
fn data_tables(conn: &rusqlite::Connection) -> Vec<String> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    names
        .into_iter()
        .filter(|t| !t.starts_with("audit_"))
        .filter(|t| {
            conn.query_row(
                "SELECT count(*) FROM pragma_table_info(?1) WHERE name = 'id'",
                [t],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
                > 0
        })
        .collect()
}

fn one_id(conn: &rusqlite::Connection, table: &str) -> (Vec<u8>, String) {
    let id: Vec<u8> = conn
        .query_row(
            &format!("SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET 1"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    let text = uuid::Uuid::from_slice(&id).unwrap().to_string();
    (id, text)
}

#[test]
fn every_row_of_a_demo_county_is_digested_and_matches() {
    let (_dir, store) = demo_county();
    let conn = store.conn();
    let total: i64 = data_tables(conn)
        .iter()
        .map(|t| {
            conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
        })
        .sum();
    // The demo writes children, guardians, relations, categories, visits,
    // forms, services, campaigns and the workforce: hundreds of rows.
    assert!(total > 1000, "{total}");
    let report = audit::verify_rows(conn).unwrap();
    assert!(
        report.problems.is_empty(),
        "{:?}",
        &report.problems[..report.problems.len().min(5)]
    );
    assert_eq!(report.rows_checked, total as u64);
    assert_eq!(report.legacy_rows, 0);
}

#[test]
fn a_row_changed_with_the_key_outside_hutong_is_named() {
    let (dir, store) = demo_county();
    let path = store.path().to_path_buf();
    drop(store);
    // One edit per kind of record, each in a fresh copy: the report must
    // name that row and no other.
    let edits = [
        (
            "children",
            "UPDATE children SET name = name || '改' WHERE id = ?1",
        ),
        (
            "persons",
            "UPDATE persons SET phone = '13900000000' WHERE id = ?1",
        ),
        (
            "visits",
            "UPDATE visits SET findings = findings || '补' WHERE id = ?1",
        ),
        (
            "categories",
            "UPDATE categories SET evidence = coalesce(evidence, '') || '改' WHERE id = ?1",
        ),
        (
            "child_relations",
            "UPDATE child_relations SET relation = relation || '改' WHERE id = ?1",
        ),
        (
            "users",
            "UPDATE users SET phone = '13900000001' WHERE id = ?1",
        ),
        (
            "form_records",
            "UPDATE form_records SET values_json = '{}' WHERE id = ?1",
        ),
        (
            "service_records",
            "UPDATE service_records SET outcome = '改' WHERE id = ?1",
        ),
    ];
    for (table, sql) in edits {
        let copy = dir.path().join(format!("{table}.db"));
        std::fs::copy(&path, &copy).unwrap();
        std::fs::copy(
            hutong_core::store::keyfile_path(&path),
            hutong_core::store::keyfile_path(&copy),
        )
        .unwrap();
        let store = unlock(&copy);
        let (id, id_text) = one_id(store.conn(), table);
        let changed = raw(&store).execute(sql, [&id]).unwrap();
        assert_eq!(changed, 1, "{table}");
        // The chain itself is intact: only the rows know.
        assert!(audit::verify(store.conn()).unwrap().is_intact());
        let report = audit::verify_rows(store.conn()).unwrap();
        let named: Vec<_> = report
            .problems
            .iter()
            .map(|p| (p.table.as_str(), p.id.as_str()))
            .collect();
        assert_eq!(named, vec![(table, id_text.as_str())], "{table}");
        assert!(
            report.problems[0].reason.contains("改动"),
            "{}",
            report.problems[0].reason
        );
    }
}

#[test]
fn a_deleted_row_an_inserted_row_and_an_altered_digest_list_are_named() {
    let (_dir, store) = demo_county();
    let conn = raw(&store);
    let (visit, visit_text) = one_id(&conn, "visits");
    conn.execute("DELETE FROM visits WHERE id = ?1", [&visit])
        .unwrap();
    // A guardian copied in by SQL, under a new id.
    conn.execute_batch(
        "CREATE TEMP TABLE p AS SELECT * FROM persons LIMIT 1;
         UPDATE p SET id = randomblob(16), id_number = NULL;
         INSERT INTO persons SELECT * FROM p;",
    )
    .unwrap();
    let inserted: Vec<u8> = conn
        .query_row("SELECT id FROM temp.p", [], |r| r.get(0))
        .unwrap();
    // Someone covers an edit of a child by rewriting that child's digest.
    let (child, child_text) = one_id(&conn, "children");
    conn.execute("UPDATE children SET name = '某某' WHERE id = ?1", [&child])
        .unwrap();
    let seq: i64 = conn
        .query_row(
            "SELECT max(seq) FROM audit_rows WHERE tbl = 'children' AND row_id = ?1",
            [&child],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute(
        "UPDATE audit_rows SET digest = zeroblob(16) WHERE tbl = 'children' AND row_id = ?1 AND seq = ?2",
        rusqlite::params![child, seq],
    )
    .unwrap();

    let report = audit::verify_rows(store.conn()).unwrap();
    let find = |table: &str, id: &str| {
        report
            .problems
            .iter()
            .find(|p| p.table == table && p.id == id)
            .map(|p| p.reason.clone())
    };
    assert!(find("visits", &visit_text).unwrap().contains("删除"));
    let inserted_text = uuid::Uuid::from_slice(&inserted).unwrap().to_string();
    assert!(find("persons", &inserted_text).unwrap().contains("插入"));
    assert!(
        find("audit_rows", &seq.to_string())
            .unwrap()
            .contains("清单")
    );
    // The rewritten digest no longer matches the edited row either.
    assert!(find("children", &child_text).is_some());
    assert_eq!(report.problems.len(), 4, "{:?}", report.problems);
}

#[test]
fn a_write_through_hutong_after_the_edit_records_the_row_again() {
    // A row fixed by Hutong itself (a later audited write) is current again:
    // the latest digest is what counts.
    let (_dir, mut store) = demo_county();
    let (child, _) = one_id(store.conn(), "children");
    raw(&store)
        .execute("UPDATE children SET name = '某某' WHERE id = ?1", [&child])
        .unwrap();
    assert_eq!(audit::verify_rows(store.conn()).unwrap().problems.len(), 1);
    let actor = hutong_core::store::Actor::system("测试", store.county_scope().unwrap());
    store
        .write(&actor, |tx| {
            tx.conn()
                .execute("UPDATE children SET name = '王某' WHERE id = ?1", [&child])?;
            tx.audit(hutong_core::audit::AuditEntryInput::new(
                hutong_core::audit::AuditAction::ChildUpdate,
                "children",
                None,
            ))
        })
        .unwrap();
    assert!(
        audit::verify_rows(store.conn())
            .unwrap()
            .problems
            .is_empty()
    );
}

#[test]
fn rows_older_than_digests_are_counted_not_named() {
    // A database upgraded to digests (migration 11 notes the first seq it
    // wrote with them) still holds rows no write digested: they are counted
    // as older rows, since they cannot be told from rows inserted outside.
    let (_dir, store) = demo_county();
    let conn = raw(&store);
    conn.execute_batch(
        "CREATE TEMP TABLE p AS SELECT * FROM persons LIMIT 1;
         UPDATE p SET id = randomblob(16), id_number = NULL;
         INSERT INTO persons SELECT * FROM p;",
    )
    .unwrap();
    assert_eq!(audit::verify_rows(store.conn()).unwrap().problems.len(), 1);
    conn.execute(
        "UPDATE meta SET value = '500' WHERE key = 'row_digests_from_seq'",
        [],
    )
    .unwrap();
    let report = audit::verify_rows(store.conn()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.legacy_rows, 1);
}

#[test]
fn a_list_whose_entry_was_cut_off_is_named() {
    // Cutting the chain's tail leaves the cut writes' row lists behind
    // (they are keyed by the entry's id, so a new entry reusing the seq
    // does not adopt them).
    let (_dir, store) = demo_county();
    let conn = raw(&store);
    let seq: i64 = conn
        .query_row(
            "SELECT max(seq) FROM audit_log WHERE row_digest IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq >= ?1", [seq])
        .unwrap();
    let report = audit::verify_rows(store.conn()).unwrap();
    let orphan = report
        .problems
        .iter()
        .find(|p| p.table == "audit_rows" && p.seq == seq)
        .unwrap_or_else(|| panic!("{:?}", report.problems));
    assert!(orphan.reason.contains("截去"), "{}", orphan.reason);
}
