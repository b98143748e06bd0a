//! Killed at any moment, nothing lost: the program is killed with SIGKILL
//! at random moments while it saves a file, imports a spreadsheet and
//! restores a backup, 54 times in all. After each kill the database must
//! open, pass `PRAGMA integrity_check` and `audit verify`, and hold either
//! the whole write or none of it.
//!
//! The moments are random but reproducible: the seed is printed, and
//! `HUTONG_KILL_SEED=<seed>` replays a run. Each kill works on a fresh copy
//! of one small demo county, so the rounds are independent.

use hutong_core::national::id_number;
use hutong_tests::{copy_db, hutong, hutong_bin, raw_conn, stderr, stdout};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Kills to make, spread evenly over the three kinds of write.
const KILLS: usize = 54;
/// Runs to try at most: a run can end before its kill comes.
const MAX_RUNS: usize = 90;
/// Children in the imported spreadsheet (one all-or-nothing write).
const IMPORTED: i64 = 3_000;

#[derive(Clone, Copy, Debug)]
enum Write {
    /// `child add`: one file, its category and their audit entries.
    Save,
    /// `table import`: 3,000 children in one transaction.
    Import,
    /// `restore --yes`: a backup from before the import replaces the file.
    Restore,
}

fn make_id(birth: &str, seq: u32) -> String {
    let body = format!("411525{birth}{seq:03}");
    let check = id_number::check_char(&body).expect("17 digits");
    format!("{body}{check}")
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = raw_conn(db).unwrap_or_else(|e| panic!("{} opens: {e}", db.display()));
    conn.query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Runs `hutong --db DB args` as the demo administrator, killing it with
/// SIGKILL after `delay` unless it has ended by then. Returns whether it
/// ran to the end (successfully).
fn run_and_kill(db: &Path, args: &[&str], delay: Duration) -> bool {
    let mut child = Command::new(hutong_bin())
        .arg("--db")
        .arg(db)
        .args(args)
        .env("HUTONG_USER", hutong_tests::DEMO_ADMIN.0)
        .env("HUTONG_PASSWORD", hutong_tests::DEMO_ADMIN.1)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn hutong");
    let deadline = Instant::now() + delay;
    loop {
        if let Some(status) = child.try_wait().expect("poll hutong") {
            return status.success();
        }
        if Instant::now() >= deadline {
            // `Child::kill` sends SIGKILL on Unix: no handler, no clean-up.
            child.kill().expect("SIGKILL");
            child.wait().expect("reap hutong");
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// How long a write takes when nobody kills it (the slowest of three), so
/// the kills can be spread over its whole run.
fn duration_of(scratch: &Path, pristine: &Path, args: &[&str]) -> Duration {
    (0..3)
        .map(|_| {
            copy_db(pristine, scratch);
            let start = Instant::now();
            let out = hutong(scratch, args, None);
            assert!(out.status.success(), "{args:?}: {}", stderr(&out));
            start.elapsed()
        })
        .max()
        .expect("three runs")
}

/// What every kill must leave: a database that opens, is intact, whose
/// audit chain verifies, and in which every child has its audit entry:
/// `child.create` for one, or a `table.import` entry counting its rows.
fn assert_whole(db: &Path, what: &str) {
    let out = hutong(db, &["audit", "verify"], None);
    assert!(
        out.status.success(),
        "{what}: audit verify: {}{}",
        stdout(&out),
        stderr(&out)
    );
    let conn = raw_conn(db).unwrap_or_else(|e| panic!("{what}: the database opens: {e}"));
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(ok, "ok", "{what}");
    drop(conn);
    assert_eq!(
        count(db, "SELECT count(*) FROM children"),
        count(
            db,
            "SELECT (SELECT count(*) FROM audit_log WHERE action = 'child.create') \
                  + (SELECT coalesce(sum(json_extract(detail, '$.inserted')), 0) \
                     FROM audit_log WHERE action = 'table.import')"
        ),
        "{what}: every child has its audit entry (one each, or an import's count)"
    );
}

#[test]
fn killed_at_random_moments_saves_imports_and_restores_lose_nothing() {
    let seed = std::env::var("HUTONG_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("kill loop seed: {seed} (replay with HUTONG_KILL_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);

    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine.db");
    let out = hutong(
        &pristine,
        &["demo", "--children", "150", "--no-plugin"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let base = count(&pristine, "SELECT count(*) FROM children");
    let village: String = raw_conn(&pristine)
        .unwrap()
        .query_row(
            "SELECT residence_division FROM children ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();

    // The spreadsheet: IMPORTED new children (born in January 2013, so no
    // demo number collides), one row each.
    let csv_path = dir.path().join("名单.csv");
    let mut csv = String::from("姓名,身份证号码,村（居）,出生日期\n");
    let given: Vec<char> = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸子丑寅卯辰"
        .chars()
        .collect();
    for i in 0..IMPORTED as u32 {
        let name = format!(
            "钱{}{}",
            given[i as usize / 25 % 25],
            given[i as usize % 25]
        );
        // 500 numbers per birth date, so no two rows share one.
        let birth = format!("201301{:02}", 1 + i / 500);
        let id = make_id(&birth, 100 + i % 500);
        csv.push_str(&format!(
            "{name},{id},{village},{}-{}-{}\n",
            &birth[..4],
            &birth[4..6],
            &birth[6..]
        ));
    }
    std::fs::write(&csv_path, csv).unwrap();
    let csv_arg = csv_path.to_str().unwrap().to_string();
    let import_args = ["table", "import", csv_arg.as_str()];

    // The restore: a backup of the county as it is now, restored over a
    // copy that has since imported the spreadsheet, so the restored file
    // has IMPORTED children fewer. (A backup must be the start of the
    // current history; one from a copy that went another way is refused.)
    let backup = dir.path().join("before-import.backup");
    let backup_arg = backup.to_str().unwrap().to_string();
    let out = hutong(&pristine, &["backup", "--out", &backup_arg], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let scratch = dir.path().join("scratch.db");
    let import_time = duration_of(&scratch, &pristine, &import_args);
    assert_eq!(
        count(&scratch, "SELECT count(*) FROM children"),
        base + IMPORTED,
        "the uninterrupted import writes every row"
    );
    let imported = dir.path().join("imported.db");
    copy_db(&scratch, &imported);
    let restore_args = ["restore", "--yes", backup_arg.as_str()];
    let restore_time = duration_of(&scratch, &imported, &restore_args);
    assert_eq!(
        count(&scratch, "SELECT count(*) FROM children"),
        base,
        "the uninterrupted restore brings back the county before the import"
    );
    let save_args = |id: &str| -> Vec<String> {
        [
            "child",
            "add",
            "--id-number",
            id,
            "--name",
            "保存测试",
            "--village",
            &village,
            "--category",
            "LEFT_BEHIND_RURAL",
            "--basis",
            "父母均外出务工",
        ]
        .map(String::from)
        .to_vec()
    };
    let probe_id = make_id("20120101", 901);
    let probe = save_args(&probe_id);
    let probe: Vec<&str> = probe.iter().map(String::as_str).collect();
    let save_time = duration_of(&scratch, &pristine, &probe);
    eprintln!(
        "uninterrupted: save {save_time:?}, import {import_time:?}, restore {restore_time:?}"
    );

    let mut completed = 0;
    let mut killed = 0;
    // Per kind: killed runs that left none of the write, and the whole.
    let mut outcomes = std::collections::BTreeMap::<String, (u32, u32)>::new();
    let mut round = 0;
    while killed < KILLS && round < MAX_RUNS {
        let kind = [Write::Save, Write::Import, Write::Restore][round % 3];
        {
            let case_dir: PathBuf = dir.path().join(format!("{round}-{kind:?}"));
            std::fs::create_dir(&case_dir).unwrap();
            let db = case_dir.join("county.db");
            copy_db(
                match kind {
                    Write::Restore => &imported,
                    _ => &pristine,
                },
                &db,
            );
            let (args, time) = match kind {
                Write::Save => (
                    save_args(&make_id("20120102", 101 + round as u32)),
                    save_time,
                ),
                Write::Import => (import_args.map(String::from).to_vec(), import_time),
                Write::Restore => (restore_args.map(String::from).to_vec(), restore_time),
            };
            // Most of a short command's life is logging in (Argon2), and
            // the write comes at its end: saves are killed in the later
            // part of their run, the long writes anywhere in it.
            let from = match kind {
                Write::Save => time.mul_f64(0.4),
                _ => Duration::ZERO,
            };
            let delay = rng.gen_range(from..time.mul_f64(1.05));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let finished = run_and_kill(&db, &args, delay);
            if finished {
                completed += 1;
            } else {
                killed += 1;
            }
            let what = format!("round {round}, {kind:?} killed after {delay:?} (seed {seed})");
            assert_whole(&db, &what);
            let children = count(&db, "SELECT count(*) FROM children");
            let untouched = match kind {
                Write::Save | Write::Import => base,
                Write::Restore => base + IMPORTED,
            };
            if !finished {
                let tally = outcomes.entry(format!("{kind:?}")).or_default();
                if children == untouched {
                    tally.0 += 1;
                } else {
                    tally.1 += 1;
                }
            }
            match kind {
                Write::Save => {
                    let id = make_id("20120102", 101 + round as u32);
                    let saved = count(
                        &db,
                        &format!("SELECT count(*) FROM children WHERE id_number = '{id}'"),
                    );
                    let categorised = count(
                        &db,
                        &format!(
                            "SELECT count(*) FROM categories cc JOIN children c \
                             ON c.id = cc.child_id WHERE c.id_number = '{id}'"
                        ),
                    );
                    assert_eq!(saved, categorised, "{what}: the file and its category");
                    assert_eq!(children, base + saved, "{what}");
                    if finished {
                        assert_eq!(saved, 1, "{what}: a save that finished is kept");
                    }
                }
                Write::Import | Write::Restore => {
                    assert!(
                        children == base || children == base + IMPORTED,
                        "{what}: {children} children, neither {base} nor {}",
                        base + IMPORTED
                    );
                    if finished {
                        let expected = match kind {
                            Write::Import => base + IMPORTED,
                            _ => base,
                        };
                        assert_eq!(children, expected, "{what}: finished");
                    }
                }
            }
        }
        round += 1;
    }
    eprintln!("kills: {killed}, runs that ended before their kill: {completed}");
    for (kind, (none, whole)) in &outcomes {
        eprintln!(
            "{kind}: killed {} times, left none of the write {none}, all of it {whole}",
            none + whole
        );
    }
    assert!(
        killed >= KILLS,
        "only {killed} of {round} runs were killed before {MAX_RUNS} tries"
    );
}
