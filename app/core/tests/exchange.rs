//! Data exchange through the core API on real SQLite files: the same
//! services the 数据比对 and import screens call. (`tests/tests/exchange.rs`
//! runs the same scenarios through the `hutong` binary.)

use hutong_core::compare::{self, FlagKind, Group, Source};
use hutong_core::national::{NaiveDate, id_number};
use hutong_core::table::{self, ExportRequest, Field, ListKind};
use hutong_core::{Actor, Store, audit, backup, demo, stats};
use rusqlite::Connection;
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};

/// The test's actor: a system actor over the database's whole county.
fn actor(store: &hutong_core::Store) -> Actor {
    Actor::system(
        "测试员",
        store.county_scope().expect("an initialised county"),
    )
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn demo_db(dir: &Path, n: usize) -> (Store, PathBuf) {
    let path = dir.join("county.db");
    let mut store = Store::open_unencrypted(&path).unwrap();
    demo::generate(
        &mut store,
        &demo::DemoOptions {
            county_code: "411525".into(),
            generated_children: n,
            seed: 7,
            today: today(),
        },
        |_, _| true,
    )
    .unwrap();
    (store, path)
}

fn make_id(address: &str, birth: &str, seq: u32) -> String {
    let body = format!("{address}{birth}{seq:03}");
    format!("{body}{}", id_number::check_char(&body).unwrap())
}

fn villages(store: &Store) -> Vec<(String, String)> {
    let mut stmt = store
        .conn()
        .prepare("SELECT code, name FROM divisions WHERE parent_code = '411525102' ORDER BY code")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn n_children(store: &Store) -> i64 {
    store
        .conn()
        .query_row("SELECT count(*) FROM children", [], |r| r.get(0))
        .unwrap()
}

fn preview(store: &Store, path: &Path) -> table::ImportPreview {
    table::preview_children_file(store.conn(), path, None, today()).unwrap()
}

fn messages(p: &table::ImportPreview) -> Vec<String> {
    p.errors.iter().map(|e| e.to_string()).collect()
}

#[test]
fn xlsx_with_title_merged_cells_serials_and_numeric_ids() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = demo_db(dir.path(), 0);
    let v = villages(&store);
    let good = make_id("411525", "20150611", 22);
    let path = dir.path().join("a.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.merge_range(0, 0, 0, 3, "花名册", &Format::new())
        .unwrap();
    for (c, h) in ["姓名", "身份证号", "出生日期", "村（居）"]
        .iter()
        .enumerate()
    {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    ws.merge_range(2, 3, 4, 3, v[0].0.as_str(), &Format::new())
        .unwrap();
    ws.write_string(2, 0, "甲").unwrap();
    ws.write_string(2, 1, &good).unwrap();
    ws.write_number(2, 2, 42166.0).unwrap();
    ws.write_string(3, 0, "乙").unwrap();
    ws.write_number(3, 1, 4.11525201304150e17).unwrap();
    ws.write_string(4, 0, "丙").unwrap();
    ws.write_string(4, 1, &good).unwrap();
    wb.save(&path).unwrap();

    let p = preview(&store, &path);
    assert_eq!(p.header_line, 2);
    assert_eq!(p.total_rows, 3);
    let m = messages(&p);
    assert_eq!(m.len(), 2, "{m:#?}");
    assert!(
        m[0].starts_with("第4行 B列（身份证号）：身份证号被 Excel 存成了数字"),
        "{m:#?}"
    );
    assert_eq!(m[1], "第5行 B列（身份证号）：与第3行的身份证号重复");
    let before = n_children(&store);
    let county_actor = actor(&store);
    assert!(table::import_children(&mut store, &county_actor, &p, false).is_err());
    assert_eq!(n_children(&store), before);
    let county_actor = actor(&store);
    let out = table::import_children(&mut store, &county_actor, &p, true).unwrap();
    assert_eq!(out.inserted, 1);
    let (birth, village): (String, String) = store
        .conn()
        .query_row(
            "SELECT birth_date, residence_division FROM children WHERE id_number = ?1",
            [&good],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (birth.as_str(), village.as_str()),
        ("2015-06-11", v[0].0.as_str())
    );
    assert!(audit::verify(store.conn()).unwrap().is_intact());
}

#[test]
fn gbk_csv_is_decoded_and_scientific_ids_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = demo_db(dir.path(), 0);
    let v = villages(&store);
    let good = make_id("411525", "20140708", 71);
    let csv = format!(
        "名单,,\n姓名,身份证号码,村（居）\n周一鸣,{good},{}\n吴二妹,4.11525E+17,{}\n,,\n",
        v[0].0, v[0].0
    );
    let (bytes, _, _) = encoding_rs::GBK.encode(&csv);
    let path = dir.path().join("b.csv");
    std::fs::write(&path, &bytes).unwrap();
    let p = preview(&store, &path);
    assert!(p.notes.iter().any(|n| n.contains("GBK")), "{:?}", p.notes);
    assert_eq!(p.valid.len(), 1);
    assert_eq!(p.valid[0].child.name, "周一鸣");
    assert_eq!(
        messages(&p),
        vec!["第4行 B列（身份证号码）：身份证号被 Excel 存成了数字，后几位已丢失；请在源文件中把该列设为“文本”格式后重新录入".to_string()]
    );
}

#[test]
fn export_masks_and_neutralises_and_stats_count_everyone() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = demo_db(dir.path(), 100);
    let out = dir.path().join("x.csv");
    let req = ExportRequest {
        list: ListKind::Children,
        division: None,
        include_closed: false,
        purpose: "核对".into(),
        full_ids: false,
        search: None,
        category: None,
        status: None,
    };
    let county_actor = actor(&store);
    let r = table::export_list(&mut store, &county_actor, &req, &out, None).unwrap();
    let text = String::from_utf8(std::fs::read(&out).unwrap()[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), r.rows + 1);
    assert!(text.contains(&id_number::mask("411525201304150124")));
    assert!(!text.contains("411525201304150124"));
    let county_actor = actor(&store);
    let bad = table::export_list(
        &mut store,
        &county_actor,
        &ExportRequest {
            purpose: "".into(),
            ..req
        },
        &dir.path().join("y.csv"),
        None,
    );
    assert!(bad.is_err());

    let s = stats::compute(store.conn(), &store.county_scope().unwrap(), today(), 30).unwrap();
    let active: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM children WHERE status = 'active'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(s.total.children as i64, active);
    assert_eq!((s.total.visited + s.total.due) as i64, active);
    let doc = stats::to_document(&s);
    assert!(doc.block_count() > 3);
    assert!(!stats::to_xlsx(&s).unwrap().is_empty());
}

#[test]
fn comparison_finds_planted_differences_and_decisions_keep_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = demo_db(dir.path(), 400);
    let ours: Vec<(String, String, String)> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT id_number, name, birth_date FROM children WHERE status='active' ORDER BY id_number")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let age = |b: &str| hutong_core::national::dates::age_on(b.parse().unwrap(), today());
    let school: Vec<usize> = (0..ours.len())
        .filter(|&i| (7..=14).contains(&age(&ours[i].2)))
        .collect();
    let (missing, renamed) = (school[0], school[1]);
    let mut csv = String::from("学生姓名,身份证号,出生日期,学籍状态\n");
    for (i, (idn, name, birth)) in ours.iter().enumerate() {
        if i == missing {
            continue;
        }
        let name = if i == renamed {
            format!("{name}改")
        } else {
            name.clone()
        };
        csv += &format!("{name},{idn},{birth},在读\n");
    }
    let extra = make_id("411525", "20100101", 999);
    csv += &format!("外来测试,{extra},2010-01-01,在读\n");
    csv += ",,,\n";
    let path = dir.path().join("学籍.csv");
    std::fs::write(&path, csv).unwrap();
    let county_actor = actor(&store);
    let cmp = compare::compare_file(
        &mut store,
        &county_actor,
        &path,
        Source::StudentRegistry,
        None,
        today(),
    )
    .unwrap();
    let c = cmp.counts();
    assert_eq!(
        (c.different, c.only_ours, c.only_theirs),
        (1, 1, 1),
        "{c:?}"
    );
    assert_eq!(c.same, ours.len() - 2);
    let only_ours = cmp.group(Group::OnlyOurs).next().unwrap();
    assert_eq!(
        only_ours.child_name.as_deref(),
        Some(ours[missing].1.as_str())
    );
    assert_eq!(only_ours.flags[0].kind, FlagKind::DropoutRisk);
    let diff = cmp.group(Group::Different).next().unwrap();
    assert_eq!(diff.diffs.len(), 1);
    assert_eq!(diff.diffs[0].field, Field::Name);
    assert!(!compare::to_xlsx(&cmp).unwrap().is_empty());
    let county_actor = actor(&store);

    let d = compare::decide(
        &mut store,
        &county_actor,
        diff.row_id,
        Field::Name,
        true,
        Some("以学籍为准"),
    )
    .unwrap();
    assert!(d.accepted);
    let name: String = store
        .conn()
        .query_row(
            "SELECT name FROM children WHERE id_number = ?1",
            [&ours[renamed].0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, format!("{}改", ours[renamed].1));
    let rows = compare::load_rows(store.conn(), cmp.id, Some(Group::Different)).unwrap();
    assert_eq!(rows[0].decisions, vec![(Field::Name, true)]);
    assert_eq!(compare::list(store.conn()).unwrap()[0].counts, c);
    assert!(audit::verify(store.conn()).unwrap().is_intact());
}

#[test]
fn backup_restore_round_trip_and_tampered_backup_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, db) = demo_db(dir.path(), 50);
    let b = dir.path().join("b.db");
    let county_actor = actor(&store);
    let info = backup::backup_to(&mut store, &county_actor, &b).unwrap();
    assert!(info.verification.audit.is_intact());
    let county_actor = actor(&store);
    assert!(
        backup::backup_to(&mut store, &county_actor, &b).is_err(),
        "no overwrite"
    );
    let n = n_children(&store);
    let restorer = actor(&store);
    let database = store.database();
    drop(store);

    let tampered = dir.path().join("t.db");
    std::fs::copy(&b, &tampered).unwrap();
    // An edited entry (triggers switched off for the edit, the schema left
    // as it was) breaks the chain.
    let conn = Connection::open(&tampered).unwrap();
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
        false,
    )
    .unwrap();
    conn.execute("UPDATE audit_log SET detail = '{}' WHERE seq = 2", [])
        .unwrap();
    drop(conn);
    let err = hutong_core::restore::restore(&database, &tampered, &restorer)
        .unwrap_err()
        .to_string();
    assert!(err.contains("审计日志校验未通过：第2条记录"), "{err}");
    // A guard dropped from the schema is named.
    let dropped = dir.path().join("d.db");
    std::fs::copy(&b, &dropped).unwrap();
    Connection::open(&dropped)
        .unwrap()
        .execute_batch("DROP TRIGGER audit_no_update;")
        .unwrap();
    let err = hutong_core::restore::restore(&database, &dropped, &restorer)
        .unwrap_err()
        .to_string();
    assert!(err.contains("缺少触发器“audit_no_update”"), "{err}");

    let report = hutong_core::restore::restore(&database, &b, &restorer).unwrap();
    assert!(report.audit_after.is_intact());
    assert!(report.previous_kept_as.as_ref().is_some_and(|p| p.exists()));
    let store = Store::open_existing_unencrypted(&db).unwrap();
    assert_eq!(n_children(&store), n);
    let folder = dir.path().join("daily");
    let mut store = store;
    let county_actor = actor(&store);
    assert!(
        backup::backup_due(&mut store, &county_actor, &folder, today())
            .unwrap()
            .is_some()
    );
    let county_actor = actor(&store);
    assert!(
        backup::backup_due(&mut store, &county_actor, &folder, today())
            .unwrap()
            .is_none()
    );
}

#[test]
fn persons_are_imported_linked_to_children_or_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = demo_db(dir.path(), 30);
    let (child_id, child_no): (hutong_core::RowId, String) = store
        .conn()
        .query_row("SELECT id, id_number FROM children LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let mother = make_id("411525", "19880302", 44);
    let unknown_child = make_id("411525", "20160101", 991);
    let path = dir.path().join("亲属.csv");
    std::fs::write(
        &path,
        format!(
            "儿童身份证号,姓名,身份证号,与儿童关系,是否监护人,联系电话\n\
             {child_no},王秀英,{mother},妈妈,是,13800000000\n\
             {unknown_child},李四,,父亲,否,\n\
             {child_no},张三,,邻居,否,\n"
        ),
    )
    .unwrap();
    let t = table::read_file(&path, &|h| table::mapping::is_known_header(h)).unwrap();
    let m = table::mapping::auto_map_persons("亲属名单", &t.headers);
    assert_eq!(m.column_for(Field::ChildIdNumber), Some("儿童身份证号"));
    assert_eq!(m.column_for(Field::IdNumber), Some("身份证号"));
    let p = table::persons::prepare_persons(store.conn(), &t, &m, "x", today()).unwrap();
    let msgs: Vec<String> = p.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(p.valid.len(), 1, "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("第3行 A列（儿童身份证号）：本库没有")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.starts_with("第4行 D列（与儿童关系）：“邻居”")),
        "{msgs:?}"
    );
    let before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM child_relations", [], |r| r.get(0))
        .unwrap();
    let county_actor = actor(&store);
    assert!(table::persons::import_persons(&mut store, &county_actor, &p, false).is_err());
    let county_actor = actor(&store);
    let out = table::persons::import_persons(&mut store, &county_actor, &p, true).unwrap();
    assert_eq!((out.relations, out.skipped_invalid), (1, 2));
    let (relation, guardian): (String, bool) = store
        .conn()
        .query_row(
            "SELECT r.relation, r.is_guardian FROM child_relations r JOIN persons p ON p.id = r.person_id
             WHERE r.child_id = ?1 AND p.id_number = ?2",
            rusqlite::params![child_id, mother],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((relation.as_str(), guardian), ("MOTHER", true));
    let after: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM child_relations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, before + 1);
    assert!(audit::verify(store.conn()).unwrap().is_intact());
}

/// Times compare + save on a county of `HUTONG_BENCH_ROWS` children (default
/// 10,000) against a 学籍 list of all of them with 1% planted differences,
/// and the old way of saving (a JSON copy of every row) for comparison.
/// Debug builds only show the ratio; the 5 s bar is for the release bench
/// (`cargo bench -p hutong-core --bench exchange`).
#[test]
#[ignore = "timing, run by hand: cargo test --workspace --test exchange -- --ignored --nocapture"]
fn compare_and_save_timing() {
    use std::time::Instant;
    let n: usize = std::env::var("HUTONG_BENCH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("county.db");
    let mut store = Store::open_unencrypted(&path).unwrap();
    hutong_core::setup::initialise_county(&mut store, "测试员", "411525").unwrap();
    let v: Vec<String> = {
        let mut stmt = store
            .conn()
            .prepare("SELECT code FROM divisions WHERE level = 5 ORDER BY code")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let start = NaiveDate::from_ymd_opt(2008, 1, 1).unwrap();
    let people: Vec<(String, String, NaiveDate, String)> = (0..n)
        .map(|i| {
            let birth = start + chrono::Duration::days((i % 6000) as i64);
            let id = make_id(
                "411525",
                &birth.format("%Y%m%d").to_string(),
                (i / 6000) as u32,
            );
            let name = format!("测{}{}", ["浩", "宇", "轩", "欣"][i % 4], i % 977);
            (id, name, birth, v[i % v.len()].clone())
        })
        .collect();
    let ours = dir.path().join("ours.csv");
    let mut w = csv::Writer::from_path(&ours).unwrap();
    w.write_record(["姓名", "身份证号", "出生日期", "村（居）代码"])
        .unwrap();
    for (id, name, birth, village) in &people {
        w.write_record([name.as_str(), id, &birth.to_string(), village])
            .unwrap();
    }
    w.flush().unwrap();
    let pre = table::preview_children_file(store.conn(), &ours, None, today()).unwrap();
    let county_actor = actor(&store);
    table::import_children(&mut store, &county_actor, &pre, false).unwrap();
    let theirs = dir.path().join("xueji.csv");
    let mut w = csv::Writer::from_path(&theirs).unwrap();
    w.write_record(["姓名", "身份证号", "出生日期", "学籍状态"])
        .unwrap();
    for (i, (id, name, birth, _)) in people.iter().enumerate() {
        let name = if i % 100 == 7 {
            format!("{name}改")
        } else {
            name.clone()
        };
        w.write_record([name.as_str(), id, &birth.to_string(), "在读"])
            .unwrap();
    }
    w.flush().unwrap();

    let t0 = Instant::now();
    let tbl = table::read_with_mapping(store.conn(), &theirs, None).unwrap();
    let (m, _) = table::mapping_for(store.conn(), None, &tbl).unwrap();
    let read = t0.elapsed();
    let t1 = Instant::now();
    let cmp = compare::run(
        store.conn(),
        Source::StudentRegistry,
        &tbl,
        &m,
        "x",
        today(),
    )
    .unwrap();
    let run = t1.elapsed();
    assert_eq!(cmp.counts().different, n / 100 + usize::from(n % 100 > 7));
    let t2 = Instant::now();
    let county_actor = actor(&store);
    compare::save(&mut store, &county_actor, &cmp).unwrap();
    let save = t2.elapsed();

    // The previous save, replayed: every row with a JSON copy of theirs.
    let conn = Connection::open(&path).unwrap();
    let t3 = Instant::now();
    conn.execute_batch("BEGIN").unwrap();
    let old_id = hutong_core::RowId::new();
    conn.execute(
        "INSERT INTO comparisons (id, source, file_name, file_sha256, mapping_json, run_on, their_rows,
            same, different, only_ours, only_theirs, flags, created_at)
         SELECT ?1, source, file_name, file_sha256, mapping_json, run_on, their_rows, same, different,
            only_ours, only_theirs, flags, created_at FROM comparisons WHERE id = ?2",
        rusqlite::params![old_id, cmp.id],
    )
    .unwrap();
    {
        let mut stmt = conn
            .prepare_cached(
                "INSERT INTO comparison_rows (id, comparison_id, grp, child_id, person_id, their_line,
                    match_method, their_json, diffs_json, flags_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .unwrap();
        for r in &cmp.rows {
            stmt.execute(rusqlite::params![
                hutong_core::RowId::new(),
                old_id,
                r.group.code(),
                r.child_id,
                r.person_id,
                r.theirs.as_ref().map(|t| t.line as i64),
                r.method.map(|m| serde_json::to_value(m)
                    .unwrap()
                    .as_str()
                    .unwrap_or_default()
                    .to_string()),
                r.theirs.as_ref().map(|t| serde_json::to_string(t).unwrap()),
                serde_json::to_string(&r.diffs).unwrap(),
                serde_json::to_string(&r.flags).unwrap(),
            ])
            .unwrap();
        }
    }
    conn.execute_batch("COMMIT").unwrap();
    let old_save = t3.elapsed();
    let rows = compare::load_rows(store.conn(), cmp.id, Some(Group::Different)).unwrap();
    assert_eq!(rows.len(), cmp.counts().different);
    assert!(
        rows.iter()
            .all(|r| r.theirs.is_some() && r.child_name.is_some())
    );
    eprintln!(
        "{n} rows: read {:.0} ms, compare {:.0} ms, save {:.0} ms (previous save {:.0} ms)",
        read.as_secs_f64() * 1e3,
        run.as_secs_f64() * 1e3,
        save.as_secs_f64() * 1e3,
        old_save.as_secs_f64() * 1e3
    );
}

#[test]
fn daily_backup_schedule_is_stored_audited_and_runs_once_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = demo_db(dir.path(), 5);
    let county_actor = actor(&store);
    assert!(
        backup::run_scheduled(&mut store, &county_actor, today())
            .unwrap()
            .is_none()
    );
    let missing = dir.path().join("nowhere");
    let county_actor = actor(&store);
    assert!(backup::set_schedule(&mut store, &county_actor, Some(&missing)).is_err());
    let folder = dir.path().join("daily");
    std::fs::create_dir(&folder).unwrap();
    let county_actor = actor(&store);
    backup::set_schedule(&mut store, &county_actor, Some(&folder)).unwrap();
    assert_eq!(
        backup::schedule(store.conn()).unwrap(),
        Some(folder.clone())
    );
    let county_actor = actor(&store);
    let first = backup::run_scheduled(&mut store, &county_actor, today()).unwrap();
    assert!(first.is_some_and(|i| i.path == folder.join(backup::daily_name(today()))));
    let county_actor = actor(&store);
    assert!(
        backup::run_scheduled(&mut store, &county_actor, today())
            .unwrap()
            .is_none()
    );
    let county_actor = actor(&store);
    backup::set_schedule(&mut store, &county_actor, None).unwrap();
    assert_eq!(backup::schedule(store.conn()).unwrap(), None);
    let entries: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'backup.schedule'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(entries, 2);
}
