//! Store behaviour on real SQLite files in temporary directories.

use hutong_core::audit::{self, AuditAction, AuditEntryInput};
use hutong_core::categories::{self, CategoryInput, CategorySource};
use hutong_core::children::{self, ChildInput, ChildQuery, ChildStatus};
use hutong_core::national::NaiveDate;
use hutong_core::national::category::{CaseCategory, ParentalSituation};
use hutong_core::persons::{self, PersonInput, RelationInput, RelationKind};
use hutong_core::province::{FieldValue, Value};
use hutong_core::store::SCHEMA_VERSION;
use hutong_core::{
    Actor, CoreError, Store, demo, divisions, exchange, forms, setup, users, visits,
};
use rusqlite::Connection;
use std::path::PathBuf;

/// The test's actor: a system actor over the database's whole county.
fn actor(store: &hutong_core::Store) -> Actor {
    Actor::system(
        "测试员",
        store.county_scope().expect("an initialised county"),
    )
}

fn county_db(dir: &tempfile::TempDir) -> (Store, PathBuf) {
    let path = dir.path().join("county.db");
    let mut store = Store::open_unencrypted(&path).unwrap();
    setup::initialise_county(&mut store, "测试员", "411525").unwrap();
    (store, path)
}

fn zhang_xiaoyu() -> ChildInput {
    ChildInput {
        id_number: "411525201304150124".into(),
        name: "张小雨".into(),
        residence_division: "411525102201".into(),
        ..Default::default()
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn migrations_build_every_table_from_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    let store = Store::open_unencrypted(&path).unwrap();
    let version: i64 = store
        .conn()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    for table in [
        "divisions",
        "users",
        "children",
        "persons",
        "child_relations",
        "categories",
        "form_records",
        "visits",
        "audit_log",
    ] {
        let n: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "table {table} missing");
    }
    let mode: String = store
        .conn()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode.to_lowercase(), "wal");
    let fk: i64 = store
        .conn()
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    drop(store);
    // Re-opening an up-to-date file is a no-op, not an error.
    Store::open_unencrypted(&path).unwrap();
}

#[test]
fn a_database_from_a_newer_hutong_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newer.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
            .unwrap();
    }
    match Store::open_unencrypted(&path) {
        Err(CoreError::NewerSchema {
            found, supported, ..
        }) => {
            assert_eq!(found, SCHEMA_VERSION + 5);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a newer database must be refused"),
    }
    let conn = Connection::open(&path).unwrap();
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(
        v,
        SCHEMA_VERSION + 5,
        "the refused file must not be changed"
    );
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 0);
}

#[test]
fn divisions_load_with_lookups_and_full_name_path() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = county_db(&dir);
    let conn = store.conn();
    assert_eq!(
        divisions::full_name(conn, "411525102201").unwrap(),
        "河南省 信阳市 固始县 黎集镇 插花村民委员会"
    );
    assert_eq!(
        divisions::parent(conn, "411525102201")
            .unwrap()
            .unwrap()
            .name,
        "黎集镇"
    );
    let villages = divisions::children(conn, "411525102").unwrap();
    assert!(
        villages
            .iter()
            .any(|v| v.code == "411525102001" && v.name == "黎集社区居民委员会")
    );
    assert!(
        villages
            .iter()
            .all(|v| v.parent_code.as_deref() == Some("411525102"))
    );
    // Other counties are known to county level (for hukou names), not below.
    assert_eq!(
        divisions::get(conn, "630106").unwrap().unwrap().name,
        "湟中区"
    );
    assert!(divisions::get(conn, "630106100200").unwrap().is_none());
    // 直辖市 placeholder "市辖区" is skipped in the path.
    assert_eq!(
        divisions::full_name(conn, "110101").unwrap(),
        "北京市 东城区"
    );
}

#[test]
fn an_unknown_county_is_refused_with_the_field_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_unencrypted(&dir.path().join("x.db")).unwrap();
    let err = setup::initialise_county(&mut store, "测试员", "419999").unwrap_err();
    assert!(err.to_string().contains("县级区划代码"), "{err}");
    assert!(
        store.county_code().unwrap().is_none(),
        "nothing may be written"
    );
}

#[test]
fn adding_a_child_derives_identity_and_writes_one_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let mut input = zhang_xiaoyu();
    input.id_number = "４１１５２５２０１３０４１５０１２４".into(); // full-width, as pasted from a form
    let (child, warnings) = store
        .write(&actor(&store), |tx| children::add(tx, &input))
        .unwrap();
    assert!(warnings.is_empty());
    assert_eq!(child.id_number, "411525201304150124");
    assert_eq!(child.birth_date, date(2013, 4, 15));
    assert_eq!(child.sex, hutong_core::national::id_number::Sex::Female);
    assert_eq!(child.name_initials, "zxy");
    let after: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, before + 1);
    let history = audit::history(store.conn(), "children", &child.id.to_string()).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].action, "child.create");
    assert_eq!(history[0].actor, "测试员");
}

#[test]
fn bad_child_input_names_the_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let count = |s: &Store| -> i64 {
        s.conn()
            .query_row("SELECT count(*) FROM children", [], |r| r.get(0))
            .unwrap()
    };
    let cases: Vec<(ChildInput, &str)> = vec![
        (
            ChildInput {
                id_number: "411525201304150125".into(),
                ..zhang_xiaoyu()
            },
            "身份证号",
        ),
        (
            ChildInput {
                name: "  ".into(),
                ..zhang_xiaoyu()
            },
            "姓名",
        ),
        (
            ChildInput {
                residence_division: "411525102".into(),
                ..zhang_xiaoyu()
            },
            "现居住村（居）",
        ),
        (
            ChildInput {
                residence_division: "320903100200".into(),
                ..zhang_xiaoyu()
            },
            "现居住村（居）",
        ),
        (
            ChildInput {
                disability_grade: Some(7),
                ..zhang_xiaoyu()
            },
            "残疾等级",
        ),
    ];
    for (input, field) in cases {
        let err = store
            .write(&actor(&store), |tx| children::add(tx, &input))
            .unwrap_err();
        assert!(
            err.to_string().contains(field),
            "expected field {field} in: {err}"
        );
    }
    assert_eq!(count(&store), 0);
    store
        .write(&actor(&store), |tx| children::add(tx, &zhang_xiaoyu()))
        .unwrap();
    let dup = store
        .write(&actor(&store), |tx| children::add(tx, &zhang_xiaoyu()))
        .unwrap_err();
    assert!(matches!(dup, CoreError::DuplicateIdNumber(_)), "{dup}");
    assert_eq!(count(&store), 1);
}

#[test]
fn an_id_with_an_unknown_address_code_is_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    // 410101 is not a county in the 2023 list (郑州's 市辖区 has no code of its
    // own there), like the abolished codes old ID numbers still carry.
    let body = "41010120150101002";
    let check = hutong_core::national::id_number::check_char(body).unwrap();
    let input = ChildInput {
        id_number: format!("{body}{check}"),
        name: "王旧码".into(),
        ..zhang_xiaoyu()
    };
    let (_, warnings) = store
        .write(&actor(&store), |tx| children::add(tx, &input))
        .unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}

#[test]
fn a_write_without_an_audit_entry_is_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let err = store
        .write(&actor(&store), |tx| {
            tx.conn()
                .execute("INSERT INTO meta (key, value) VALUES ('sneaky', 'x')", [])?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, CoreError::Internal(_)));
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM meta WHERE key='sneaky'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 0);
}

#[test]
fn a_failed_write_leaves_neither_rows_nor_audit_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let audit_before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let result = store.write(&actor(&store), |tx| {
        children::add(tx, &zhang_xiaoyu())?;
        // The second step fails: the first must not survive.
        children::add(
            tx,
            &ChildInput {
                name: String::new(),
                ..zhang_xiaoyu()
            },
        )
    });
    assert!(result.is_err());
    let children_n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM children", [], |r| r.get(0))
        .unwrap();
    let audit_after: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(children_n, 0);
    assert_eq!(audit_after, audit_before);
}

#[test]
fn nothing_is_hard_deleted_and_files_close_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let (child, _) = store
        .write(&actor(&store), |tx| children::add(tx, &zhang_xiaoyu()))
        .unwrap();
    let err = store
        .conn()
        .execute("DELETE FROM children", [])
        .unwrap_err();
    assert!(err.to_string().contains("不可删除"), "{err}");
    let err = store
        .write(&actor(&store), |tx| {
            children::close(tx, child.id, date(2025, 5, 22), " ")
        })
        .unwrap_err();
    assert!(err.to_string().contains("结案原因"));
    store
        .write(&actor(&store), |tx| {
            children::close(tx, child.id, date(2025, 5, 22), "迁出本县")
        })
        .unwrap();
    let closed = children::get(store.conn(), &store.county_scope().unwrap(), child.id)
        .unwrap()
        .unwrap();
    assert_eq!(closed.status, ChildStatus::Closed);
    assert_eq!(closed.close_reason.as_deref(), Some("迁出本县"));
    let history = audit::history(store.conn(), "children", &child.id.to_string()).unwrap();
    assert_eq!(history[0].action, "child.close");
    assert_eq!(history[0].reason.as_deref(), Some("迁出本县"));
}

#[test]
fn updates_record_old_and_new_values() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let (child, _) = store
        .write(&actor(&store), |tx| children::add(tx, &zhang_xiaoyu()))
        .unwrap();
    let changed = ChildInput {
        phone: Some("13800000000".into()),
        school: Some("黎集镇中心小学".into()),
        ..zhang_xiaoyu()
    };
    store
        .write(&actor(&store), |tx| {
            children::update(tx, child.id, &changed)
        })
        .unwrap();
    let history = audit::history(store.conn(), "children", &child.id.to_string()).unwrap();
    assert_eq!(history[0].action, "child.update");
    let detail: serde_json::Value = serde_json::from_str(&history[0].detail).unwrap();
    // Phones and ID numbers are stored masked, with a keyed hash.
    let phone = &detail["changes"]["phone"];
    assert!(phone[0].is_null(), "{phone}");
    assert!(
        phone[1].as_str().unwrap().starts_with("138****0000#"),
        "{phone}"
    );
    assert!(!history[0].detail.contains("13800000000"));
    assert_eq!(
        detail["changes"]["school"],
        serde_json::json!([null, "黎集镇中心小学"])
    );
    assert!(detail["changes"].get("name").is_none());
    // An update that changes nothing writes nothing.
    let n_before = audit::history(store.conn(), "children", &child.id.to_string())
        .unwrap()
        .len();
    let _ = store.write(&actor(&store), |tx| {
        children::update(tx, child.id, &changed)?;
        // The write needs an entry of its own to commit; it is about
        // another entity, so the child's history must not grow.
        tx.audit(AuditEntryInput::new(AuditAction::ChildUpdate, "test", None))
    });
    assert_eq!(
        audit::history(store.conn(), "children", &child.id.to_string())
            .unwrap()
            .len(),
        n_before
    );
}

#[test]
fn audit_chain_verifies_and_names_the_first_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, path) = county_db(&dir);
    for (id, name) in [
        ("411525201304150124", "张小雨"),
        ("411525201508220251", "李浩然"),
    ] {
        let input = ChildInput {
            id_number: id.into(),
            name: name.into(),
            ..zhang_xiaoyu()
        };
        store
            .write(&actor(&store), |tx| children::add(tx, &input))
            .unwrap();
    }
    let report = audit::verify(store.conn()).unwrap();
    assert!(report.is_intact());
    // county.init, divisions.load, then the two children.
    assert_eq!(report.entries_checked, 4);
    drop(store);

    // Appending through SQL is refused by the trigger...
    let conn = Connection::open(&path).unwrap();
    assert!(
        conn.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 2", [])
            .is_err()
    );
    // ...so a tamperer drops it first. The chain still catches the edit.
    conn.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit_log SET detail = '{\"name\":\"王五\"}' WHERE seq = 2;").unwrap();
    let report = audit::verify(&conn).unwrap();
    let broken = report.first_broken.expect("tampering must be detected");
    assert_eq!(broken.seq, 2);
    assert_eq!(report.entries_checked, 1);

    // Removing an entry is caught as a gap.
    let dir2 = tempfile::tempdir().unwrap();
    let (mut store2, path2) = county_db(&dir2);
    let county_actor = actor(&store2);
    store2
        .write(&county_actor, |tx| children::add(tx, &zhang_xiaoyu()))
        .unwrap();
    drop(store2);
    let conn2 = Connection::open(&path2).unwrap();
    conn2
        .execute_batch("DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE seq = 1;")
        .unwrap();
    let broken = audit::verify(&conn2).unwrap().first_broken.unwrap();
    assert_eq!(broken.seq, 2);
}

#[test]
fn users_authenticate_with_argon2_and_respect_scope_levels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u.db");
    let mut store = Store::open_unencrypted(&path).unwrap();
    let admin = setup::init(&mut store, "411525", "admin", "correct horse").unwrap();
    assert_eq!(admin.role, users::Role::CountyAdmin);
    let hash: String = store
        .conn()
        .query_row("SELECT password_hash FROM users", [], |r| r.get(0))
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(users::authenticate(store.conn(), "admin", "correct horse").is_ok());
    assert!(matches!(
        users::authenticate(store.conn(), "admin", "wrong"),
        Err(CoreError::BadCredentials)
    ));
    assert!(matches!(
        users::authenticate(store.conn(), "nobody", "correct horse"),
        Err(CoreError::BadCredentials)
    ));
    let err = store
        .write(&actor(&store), |tx| {
            users::create(
                tx,
                &users::NewUser {
                    username: "d",
                    display_name: "主任",
                    role: users::Role::VillageDirector,
                    scope_code: "411525102", // a township, not a village
                    phone: None,
                    password: "12345678",
                    worker_id: None,
                    must_change_password: false,
                },
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("管辖范围"), "{err}");
    let director = store
        .write(&actor(&store), |tx| {
            users::create(
                tx,
                &users::NewUser {
                    username: "d",
                    display_name: "主任",
                    role: users::Role::VillageDirector,
                    scope_code: "411525102201",
                    phone: None,
                    password: "12345678",
                    worker_id: None,
                    must_change_password: false,
                },
            )
        })
        .unwrap();
    assert!(director.can_see("411525102201"));
    assert!(!director.can_see("411525102001"));
}

#[test]
fn search_finds_by_initials_pinyin_name_and_id_prefix_within_scope() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: 300,
            seed: 7,
            today: date(2025, 5, 22),
        },
        |_, _| true,
    )
    .unwrap();
    let county = store.county_scope().unwrap();
    let find = |q: ChildQuery| children::list(store.conn(), &county, &q).unwrap();
    let by_initials = find(ChildQuery {
        search: Some("zxy".into()),
        ..Default::default()
    });
    assert!(by_initials.iter().any(|r| r.name == "张小雨"));
    assert!(by_initials.iter().all(|r| {
        hutong_core::names::pinyin_keys(&r.name)
            .1
            .starts_with("zxy")
    }));
    let by_pinyin = find(ChildQuery {
        search: Some("zhangxiaoyu".into()),
        ..Default::default()
    });
    assert!(by_pinyin.iter().any(|r| r.name == "张小雨"));
    let by_substring = find(ChildQuery {
        search: Some("小雨".into()),
        ..Default::default()
    });
    assert!(by_substring.iter().any(|r| r.name == "张小雨"));
    let by_id = find(ChildQuery {
        search: Some("41152520130415".into()),
        ..Default::default()
    });
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0].categories, vec![CaseCategory::DeFactoUnsupported]);
    // A village director's scope hides other villages.
    let scoped = children::list(
        store.conn(),
        &county.narrow_to("411525102001").unwrap(),
        &ChildQuery {
            search: Some("zxy".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        scoped
            .iter()
            .all(|r| r.residence_division == "411525102001")
    );
    assert!(!scoped.iter().any(|r| r.name == "张小雨"));
    // Category filter.
    let left = find(ChildQuery {
        category: Some(CaseCategory::LeftBehindRural),
        ..Default::default()
    });
    assert!(left.iter().any(|r| r.name == "李浩然"));
    assert!(
        left.iter()
            .all(|r| r.categories.contains(&CaseCategory::LeftBehindRural))
    );
}

#[test]
fn relations_categories_forms_and_visits_are_stored_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let (child, _) = store
        .write(&actor(&store), |tx| children::add(tx, &zhang_xiaoyu()))
        .unwrap();
    let mut rel = RelationInput::new(RelationKind::Father);
    rel.situation = Some(ParentalSituation::Imprisoned);
    rel.situation_since = Some(date(2022, 3, 1));
    store
        .write(&actor(&store), |tx| {
            persons::add_relation(
                tx,
                child.id,
                &PersonInput {
                    name: "张建军".into(),
                    ..Default::default()
                },
                &rel,
            )
        })
        .unwrap();
    // A situation on a non-parent is refused.
    let mut bad = RelationInput::new(RelationKind::PaternalGrandmother);
    bad.situation = Some(ParentalSituation::Dead);
    let err = store
        .write(&actor(&store), |tx| {
            persons::add_relation(
                tx,
                child.id,
                &PersonInput {
                    name: "王秀英".into(),
                    ..Default::default()
                },
                &bad,
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("父母情形"));
    let related = persons::for_child(store.conn(), child.id).unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(
        related[0].relation.situation,
        Some(ParentalSituation::Imprisoned)
    );

    let cat = CategoryInput {
        category: CaseCategory::DeFactoUnsupported,
        basis: "父亲服刑".into(),
        source: CategorySource::Manual,
        source_ref: None,
        effective_from: date(2023, 8, 1),
        effective_until: Some(date(2031, 4, 15)),
        evidence: None,
    };
    let rec = store
        .write(&actor(&store), |tx| categories::add(tx, child.id, &cat))
        .unwrap();
    let dup = store
        .write(&actor(&store), |tx| categories::add(tx, child.id, &cat))
        .unwrap_err();
    assert!(dup.to_string().contains("已有有效"));
    store
        .write(&actor(&store), |tx| {
            categories::end(tx, rec.id, date(2024, 1, 1), "父亲刑满释放")
        })
        .unwrap();
    assert!(!categories::for_child(store.conn(), child.id).unwrap()[0].active);

    let form = |v: Vec<FieldValue>| forms::FormInput {
        child_id: child.id,
        plugin_id: "cn.example.province",
        plugin_version: "1.0.0",
        form_id: "child-basic",
        form_version: "1",
        values: v,
        definition: None,
    };
    let field = |id: &str, row: Option<u32>, value: Value| FieldValue {
        field_id: id.into(),
        row,
        value,
    };
    let text = |s: &str| Value::Text(s.into());
    let v1 = store
        .write(&actor(&store), |tx| {
            forms::save(
                tx,
                form(vec![
                    field("school", None, text("黎集小学")),
                    field("guardian_id", None, text("411525198001010015")),
                    field("contact", Some(0), text("13812345678")),
                    field("boarding", None, Value::Boolean(false)),
                ]),
            )
        })
        .unwrap();
    let v2 = store
        .write(&actor(&store), |tx| {
            forms::save(
                tx,
                form(vec![
                    field("school", None, text("固始一中")),
                    field("guardian_id", None, text("411525198001010015")),
                    field("contact", Some(0), text("13812345678")),
                    field("contact", Some(1), text("王芳")),
                ]),
            )
        })
        .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(v2.supersedes, Some(v1.id));
    assert_eq!(v2.values.len(), 4, "the typed values come back");
    // The audit entry of version 2 names each changed field, row by row;
    // unchanged fields are not listed.
    let saves: Vec<serde_json::Value> =
        hutong_core::audit::history(store.conn(), "children", &child.id.to_string())
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "form.save")
            .map(|e| serde_json::from_str(&e.detail).unwrap())
            .collect();
    let latest = &saves[0]["changes"];
    assert_eq!(
        latest,
        &serde_json::json!({
            "school": ["黎集小学", "固始一中"],
            "contact（第2行）": [null, "王芳"],
            "boarding": ["否", null],
        })
    );
    // Version 1's entry has every field, and a full ID number or mobile
    // under a plugin's own field id is masked in the audit log.
    let first = saves[1]["changes"].to_string();
    assert!(!first.contains("411525198001010015"), "{first}");
    assert!(!first.contains("13812345678"), "{first}");
    assert!(first.contains("411525***********5#"), "{first}");
    assert!(first.contains("138****5678#"), "{first}");
    assert!(
        store
            .conn()
            .execute("UPDATE form_records SET values_json = '{}'", [])
            .is_err(),
        "form records are append-only"
    );
    assert_eq!(forms::history(store.conn(), child.id).unwrap().len(), 2);

    let visit = visits::VisitInput {
        child_id: child.id,
        visit_date: date(2025, 5, 20),
        mode: visits::VisitMode::Home,
        visitor: "张敏".into(),
        findings: "祖母照料，生活正常".into(),
        follow_up: None,
        next_due_override: Some(date(2025, 6, 1)),
        override_reason: None,
    };
    let err = store
        .write(&actor(&store), |tx| visits::add(tx, &visit))
        .unwrap_err();
    assert!(
        err.to_string().contains("原因"),
        "an override needs a reason: {err}"
    );
    let visit = visits::VisitInput {
        override_reason: Some("暑期加密走访".into()),
        ..visit
    };
    store
        .write(&actor(&store), |tx| visits::add(tx, &visit))
        .unwrap();
    assert_eq!(visits::for_child(store.conn(), child.id).unwrap().len(), 1);
    assert!(audit::verify(store.conn()).unwrap().is_intact());
}

#[test]
fn export_then_import_into_a_fresh_database_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: 200,
            seed: 3,
            today: date(2025, 5, 22),
        },
        |_, _| true,
    )
    .unwrap();
    let child = children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        "411525201304150124",
    )
    .unwrap()
    .unwrap();
    store
        .write(&actor(&store), |tx| {
            forms::save(
                tx,
                forms::FormInput {
                    child_id: child.id,
                    plugin_id: "p",
                    plugin_version: "1.0.0",
                    form_id: "f",
                    form_version: "1",
                    definition: None,
                    values: vec![hutong_core::province::FieldValue {
                        field_id: "嵌套".into(),
                        row: Some(2),
                        value: hutong_core::province::Value::Choices(vec![
                            "一".into(),
                            "三".into(),
                        ]),
                    }],
                },
            )
        })
        .unwrap();
    let county_actor = actor(&store);
    let first = exchange::export(&mut store, &county_actor, "往返测试").unwrap();
    let file = dir.path().join("export.json");
    exchange::write_file(&first, &file).unwrap();
    assert!(
        first.children.len() == 207
            && !first.persons.is_empty()
            && !first.visits.is_empty()
            // The one saved above, besides the demo's 流动儿童 monitoring forms.
            && first.form_records.iter().filter(|f| f.plugin_id == "p").count() == 1
    );

    let dir2 = tempfile::tempdir().unwrap();
    let mut fresh = Store::open_unencrypted(&dir2.path().join("fresh.db")).unwrap();
    setup::initialise_county(&mut fresh, "测试员", "411525").unwrap();
    let (bundle, hash) = exchange::read_file(&file).unwrap();
    let county_actor = actor(&store);
    let report = exchange::import(&mut fresh, &county_actor, &bundle, &hash).unwrap();
    let total = first.children.len()
        + first.persons.len()
        + first.relations.len()
        + first.categories.len()
        + first.form_records.len()
        + first.visits.len();
    assert_eq!(report.inserted as usize, total);
    let county_actor = actor(&store);
    let second = exchange::export(&mut fresh, &county_actor, "往返测试").unwrap();
    assert_eq!(second.children, first.children);
    assert_eq!(second.persons, first.persons);
    assert_eq!(second.relations, first.relations);
    assert_eq!(second.categories, first.categories);
    assert_eq!(second.form_records, first.form_records);
    assert_eq!(second.visits, first.visits);
    let county_actor = actor(&store);

    // Importing the same file again changes nothing.
    let again = exchange::import(&mut fresh, &county_actor, &bundle, &hash).unwrap();
    assert_eq!(again.inserted, 0);
    assert_eq!(again.unchanged as usize, total);
    // The export and both imports are in the audit log.
    let actions: Vec<String> = {
        let mut stmt = fresh
            .conn()
            .prepare("SELECT action FROM audit_log ORDER BY seq")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(actions.iter().filter(|a| *a == "import").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "export").count(), 1);
}

#[test]
fn an_import_that_conflicts_writes_nothing_and_names_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    store
        .write(&actor(&store), |tx| children::add(tx, &zhang_xiaoyu()))
        .unwrap();
    let county_actor = actor(&store);
    let mut bundle = exchange::export(&mut store, &county_actor, "测试").unwrap();
    bundle.children[0].name = "张小语".into();
    let county_actor = actor(&store);
    let err = exchange::import(&mut store, &county_actor, &bundle, "x").unwrap_err();
    assert!(err.to_string().contains("children"), "{err}");
    assert_eq!(
        children::get(
            store.conn(),
            &store.county_scope().unwrap(),
            bundle.children[0].id
        )
        .unwrap()
        .unwrap()
        .name,
        "张小雨"
    );

    // A bad checksum inside the file is named by its index.
    let mut bad = bundle.clone();
    bad.children[0].id_number = "411525201304150125".into();
    let county_actor = actor(&store);
    let err = exchange::import(&mut store, &county_actor, &bad, "x").unwrap_err();
    assert!(err.to_string().contains("children[0]"), "{err}");
}

#[test]
fn garbage_files_are_reported_with_their_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{ not json").unwrap();
    let err = exchange::read_file(&path).unwrap_err().to_string();
    assert!(err.contains("bad.json") && err.contains("第1行"), "{err}");
    std::fs::write(&path, r#"{"format": "something-else"}"#).unwrap();
    let err = exchange::read_file(&path).unwrap_err().to_string();
    assert!(err.contains("不是护童导出文件"), "{err}");
    std::fs::write(
        &path,
        r#"{"format": "hutong-export", "format_version": 99}"#,
    )
    .unwrap();
    let err = exchange::read_file(&path).unwrap_err().to_string();
    assert!(err.contains("99"), "{err}");
}

#[test]
fn demo_contains_the_seven_reference_cases_with_valid_generated_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let mut store = Store::open_unencrypted(&path).unwrap();
    let summary = demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: 500,
            seed: 1,
            today: date(2025, 5, 22),
        },
        |_, _| true,
    )
    .unwrap();
    assert_eq!(summary.children, 507);
    for id in [
        "411525201304150124",
        "411525201508220251",
        "32090320110107031X",
        "540124201609300445",
        "630106201203030579",
        "411603200906120689",
        "410225201402280718",
    ] {
        let c = children::get_by_id_number(store.conn(), &store.county_scope().unwrap(), id)
            .unwrap()
            .unwrap_or_else(|| panic!("case {id} missing"));
        assert!(
            c.residence_division.starts_with("411525"),
            "case {id} must live in the demo county"
        );
    }
    let zhuoma = children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        "540124201609300445",
    )
    .unwrap()
    .unwrap();
    assert_eq!(zhuoma.hukou_division.as_deref(), Some("540124100201"));
    assert_eq!(zhuoma.name_alt.as_deref(), Some("ཚེ་རིང་སྒྲོལ་མ"));
    // Every stored ID number passes the national rule, and every residence is a real village.
    let mut stmt = store
        .conn()
        .prepare("SELECT id_number, residence_division FROM children")
        .unwrap();
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, village) in &rows {
        hutong_core::national::id_number::parse(id, date(2025, 5, 22))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(divisions::get(store.conn(), village).unwrap().is_some_and(|d| d.level == hutong_core::national::division::DivisionLevel::Village));
    }
    let without_guardian_or_parent: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM children c WHERE NOT EXISTS (SELECT 1 FROM child_relations r WHERE r.child_id = c.id)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(without_guardian_or_parent, 0);
    assert!(audit::verify(store.conn()).unwrap().is_intact());
    // Same seed, same county.
    let dir2 = tempfile::tempdir().unwrap();
    let mut other = Store::open_unencrypted(&dir2.path().join("demo2.db")).unwrap();
    demo::generate(
        &mut other,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: 500,
            seed: 1,
            today: date(2025, 5, 22),
        },
        |_, _| true,
    )
    .unwrap();
    let names = |s: &Store| -> Vec<String> {
        let mut st = s
            .conn()
            .prepare("SELECT id_number || name FROM children ORDER BY id_number")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(names(&store), names(&other));
}
