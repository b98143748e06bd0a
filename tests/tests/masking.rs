//! Masking that cannot be undone (#16): from what a masked list shows
//! beside the ID number (birth date, village code, sex), an attacker tries
//! to rebuild the full number. For at least 99% of demo children at least
//! 20 full numbers must remain equally possible.
//!
//! The attack uses the real outputs: `child list --json` and the masked
//! CSV and XLSX exports. It is checked to be a real attack: the true number
//! (from an audited reveal) is always among the candidates it finds.
//!
//! `HUTONG_MASKING_CHILDREN=100000 cargo test --release -p hutong-tests
//! --test masking` runs it on a county of 100,000 children.

use hutong_core::national::id_number::{self, Sex};
use hutong_tests::{hutong, stderr, stdout};
use std::collections::HashMap;
use std::path::Path;

/// What a masked row shows about one child.
#[derive(Debug, Clone)]
struct Shown {
    masked: String,
    birth_date: String,
    sex: Sex,
    village_code: String,
}

/// Every valid 18-digit number consistent with what is shown: the place of
/// registration is the shown prefix (or, if that were hidden, the village's
/// county), the birth date is the shown one, the sequence's last digit has
/// the shown sex's parity, and every shown character matches.
fn candidates(s: &Shown) -> Vec<String> {
    let chars: Vec<char> = s.masked.chars().collect();
    assert_eq!(chars.len(), 18, "masked number {:?}", s.masked);
    let prefix: String = chars[..6].iter().collect();
    let address = if prefix.contains('*') {
        s.village_code[..6].to_string()
    } else {
        prefix
    };
    let birth = s.birth_date.replace('-', "");
    let mut out = Vec::new();
    for seq in 0..1000u32 {
        let male = seq % 2 == 1;
        if male != (s.sex == Sex::Male) {
            continue;
        }
        let body = format!("{address}{birth}{seq:03}");
        let Some(check) = id_number::check_char(&body) else {
            continue;
        };
        let full = format!("{body}{check}");
        let consistent = full
            .chars()
            .zip(chars.iter())
            .all(|(f, m)| *m == '*' || f == *m);
        if consistent {
            out.push(full);
        }
    }
    out
}

fn demo(dir: &Path) -> std::path::PathBuf {
    let n: usize = std::env::var("HUTONG_MASKING_CHILDREN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    let db = dir.join("demo.db");
    let out = hutong(&db, &["demo", "--children", &n.to_string()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn list_json(db: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["child", "list", "--json"];
    args.extend_from_slice(extra);
    let out = hutong(db, &args, None);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str::<serde_json::Value>(&stdout(&out))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Runs the attack on every row and checks the bar; returns the smallest
/// and the median candidate count, for the closing note.
/// The true numbers behind what a row shows (two children of a village
/// may share a birth date and a mask, so there may be more than one).
type Truth = HashMap<(String, String, String), Vec<String>>;

fn truth_key(village: &str, birth: &str, masked: &str) -> (String, String, String) {
    (village.to_string(), birth.to_string(), masked.to_string())
}

fn attack(source: &str, rows: &[Shown], truth: &Truth) -> (usize, usize) {
    assert!(rows.len() >= 100, "{source}: too few rows to judge");
    let mut counts = Vec::with_capacity(rows.len());
    for row in rows {
        let found = candidates(row);
        // The attack is real: the child's true number is among what it finds.
        let real = truth
            .get(&truth_key(&row.village_code, &row.birth_date, &row.masked))
            .unwrap_or_else(|| panic!("{source}: no revealed child matches a row"));
        assert!(
            real.iter().any(|r| found.contains(r)),
            "{source}: the attack misses the true number of a child born {}",
            row.birth_date
        );
        counts.push(found.len());
    }
    counts.sort_unstable();
    let protected = counts.iter().filter(|c| **c >= 20).count();
    let share = protected as f64 / counts.len() as f64;
    eprintln!(
        "{source}: {} rows, candidates min {} / median {} / max {}, {:.2}% with at least 20",
        counts.len(),
        counts[0],
        counts[counts.len() / 2],
        counts[counts.len() - 1],
        share * 100.0
    );
    assert!(
        share >= 0.99,
        "{source}: only {:.2}% of children keep 20 or more possible numbers",
        share * 100.0
    );
    (counts[0], counts[counts.len() / 2])
}

fn sex_of(label: &str) -> Sex {
    match label {
        "男" | "male" => Sex::Male,
        "女" | "female" => Sex::Female,
        other => panic!("unknown sex {other:?}"),
    }
}

#[test]
fn masked_lists_and_exports_cannot_be_reversed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(dir.path());

    // The truth, through an audited reveal, keyed by what a row shows.
    let revealed = list_json(&db, &["--reveal", "--purpose", "掩码测试"]);
    let mut truth: Truth = HashMap::new();
    for r in &revealed {
        let full = r["id_number"].as_str().unwrap().to_string();
        truth
            .entry(truth_key(
                r["village_code"].as_str().unwrap(),
                r["birth_date"].as_str().unwrap(),
                &id_number::mask(&full),
            ))
            .or_default()
            .push(full);
    }

    // 1. `child list --json`.
    let rows: Vec<Shown> = list_json(&db, &[])
        .iter()
        .map(|r| Shown {
            masked: r["id_number"].as_str().unwrap().to_string(),
            birth_date: r["birth_date"].as_str().unwrap().to_string(),
            sex: Sex::from_code(r["sex"].as_str().unwrap()).unwrap(),
            village_code: r["village_code"].as_str().unwrap().to_string(),
        })
        .collect();
    assert!(
        rows.iter().all(|r| r.masked.contains('*')),
        "a masked list shows a full number"
    );
    attack("child list --json", &rows, &truth);

    // 2. The masked CSV and XLSX exports (the same columns).
    for ext in ["csv", "xlsx"] {
        let file = dir.path().join(format!("名单.{ext}"));
        let out = hutong(
            &db,
            &[
                "table",
                "export",
                "--list",
                "children",
                "--purpose",
                "入户核查",
                "--out",
                file.to_str().unwrap(),
            ],
            None,
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let table = read_sheet(&file);
        let col = |name: &str| {
            table[0]
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("{ext}: no column {name}"))
        };
        let (id, birth, sex, village) = (
            col("身份证号"),
            col("出生日期"),
            col("性别"),
            col("村（居）代码"),
        );
        let rows: Vec<Shown> = table[1..]
            .iter()
            .map(|r| Shown {
                masked: r[id].clone(),
                birth_date: r[birth].clone(),
                sex: sex_of(&r[sex]),
                village_code: r[village].clone(),
            })
            .collect();
        attack(&format!("masked {ext} export"), &rows, &truth);
    }
}

/// A sheet's cells as text, through the same readers an office would use.
fn read_sheet(path: &Path) -> Vec<Vec<String>> {
    if path.extension().is_some_and(|e| e == "csv") {
        let text = std::fs::read_to_string(path).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        return text
            .lines()
            .map(|l| {
                l.split(',')
                    .map(|c| c.trim_matches('"').to_string())
                    .collect()
            })
            .collect();
    }
    use calamine::{Reader, open_workbook_auto};
    let mut book = open_workbook_auto(path).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}
