//! Data exchange end to end (issue #10): messy spreadsheets in, lists out,
//! the 数据比对 workbench, statistics, backup and restore — on real SQLite
//! files, with files generated here (rust_xlsxwriter for XLSX with merged
//! cells, date serials and numeric IDs; encoding_rs for GBK CSV), through
//! the real `hutong` binary where the command line is what is tested.

use hutong_core::compare::{self, FlagKind, Group, Source};
use hutong_core::national::id_number;
use hutong_core::table::{self, Field};
use hutong_core::{Actor, audit};
use hutong_tests::{hutong, stderr, stdout};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::path::Path;

/// A valid 18-digit ID for a birth date `YYYYMMDD` and sequence.
fn make_id(address: &str, birth: &str, seq: u32) -> String {
    let body = format!("{address}{birth}{seq:03}");
    let check = id_number::check_char(&body).expect("17 digits");
    format!("{body}{check}")
}

/// The same ID with a wrong check character.
fn break_check(id: &str) -> String {
    let last = id.chars().last().unwrap();
    let wrong = if last == '0' { '1' } else { '0' };
    format!("{}{wrong}", &id[..17])
}

fn demo(db: &Path, children: usize) {
    let out = hutong(db, &["demo", "--children", &children.to_string()], None);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn count(db: &Path, sql: &str) -> i64 {
    hutong_tests::raw_conn(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

/// Villages of 黎集镇 (411525102) in the database: (code, name).
fn liji_villages(db: &Path) -> Vec<(String, String)> {
    let conn = hutong_tests::raw_conn(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT code, name FROM divisions WHERE parent_code = '411525102' ORDER BY code")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

/// Every row of every table, as text, leaving out the audit entries of
/// log-ins (each CLI command logs in, and that is recorded).
fn content_except_log_ins(db: &Path) -> Vec<String> {
    let conn = hutong_tests::raw_conn(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let filter = match t.as_str() {
            "audit_log" => " WHERE action <> 'user.login'",
            // The rows a log-in touched (the account's last log-in).
            "audit_rows" => {
                " WHERE entry_id NOT IN (SELECT id FROM audit_log WHERE action = 'user.login')"
            }
            _ => "",
        };
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\"{filter}"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        for row in rows {
            out.push(format!("{t}: {}", row.unwrap()));
        }
    }
    out
}

fn audit_verifies(db: &Path) {
    let out = hutong(db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn messy_xlsx_is_read_correctly_and_every_bad_row_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 0);
    let villages = liji_villages(&db);
    assert!(villages.len() >= 3, "{villages:?}");
    let before = count(&db, "SELECT count(*) FROM children");

    let id_a = make_id("411525", "20140305", 12);
    let id_b = make_id("411525", "20150611", 22);
    let id_c = make_id("411525", "20160101", 33);
    let id_d = make_id("411525", "20120910", 44);
    let id_e = make_id("411525", "20130120", 55);
    let id_d_bad = break_check(&id_d);
    let path = dir.path().join("花名册.xlsx");
    {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
        // A title merged across the top, a blank row, then the header on row 3.
        ws.merge_range(0, 0, 0, 6, "固始县困境儿童花名册（2025年）", &Format::new())
            .unwrap();
        for (c, h) in [
            "序号",
            "姓名",
            "身份证号",
            "出生日期",
            "乡镇",
            "村（居）",
            "儿童类别",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        // Township merged over all data rows; a village name merged over three.
        ws.merge_range(3, 4, 11, 4, "黎集镇", &Format::new())
            .unwrap();
        ws.merge_range(3, 5, 5, 5, villages[1].1.as_str(), &Format::new())
            .unwrap();
        let rows: Vec<(&str, Option<&str>, &str)> = vec![
            // line 4: valid, birth date a real date cell.
            ("王小明", Some(id_a.as_str()), "LEFT_BEHIND_RURAL"),
            // line 5: valid, birth date as a bare serial number.
            ("李小红", Some(id_b.as_str()), "农村留守儿童"),
            // line 6: valid, birth date as text.
            ("赵小刚", Some(id_c.as_str()), ""),
            // line 7: bad check digit.
            ("钱多多", Some(id_d_bad.as_str()), ""),
            // line 8: ID stored as a number (written below).
            ("孙小美", None, ""),
            // line 9: duplicate of line 4.
            ("王小明", Some(id_a.as_str()), ""),
            // line 10: already in the database (张小雨).
            ("张小雨", Some("411525201304150124"), ""),
            // line 11: no name, and an unknown village code.
            ("", Some(id_e.as_str()), ""),
        ];
        for (i, (name, id, cat)) in rows.iter().enumerate() {
            let r = 3 + i as u32;
            ws.write_number(r, 0, (i + 1) as f64).unwrap();
            if !name.is_empty() {
                ws.write_string(r, 1, *name).unwrap();
            }
            match id {
                Some(id) => {
                    ws.write_string(r, 2, *id).unwrap();
                }
                None => {
                    ws.write_number(r, 2, 4.11525201304150e17).unwrap();
                }
            }
            if !cat.is_empty() {
                ws.write_string(r, 6, *cat).unwrap();
            }
        }
        ws.write_datetime_with_format(
            3,
            3,
            ExcelDateTime::from_ymd(2014, 3, 5).unwrap(),
            &date_fmt,
        )
        .unwrap();
        ws.write_number(4, 3, 42166.0).unwrap(); // 2015-06-11
        ws.write_string(5, 3, "2016年1月1日").unwrap();
        // Villages below the merged block: a code, names, an unknown code.
        ws.write_string(6, 5, villages[0].0.as_str()).unwrap();
        ws.write_string(7, 5, villages[2].1.as_str()).unwrap();
        ws.write_string(8, 5, villages[0].1.as_str()).unwrap();
        ws.write_string(9, 5, villages[0].1.as_str()).unwrap();
        ws.write_string(10, 5, "411525102999").unwrap();
        // Formatted but empty trailing rows, as Excel leaves them.
        for r in 11..40 {
            ws.write_blank(r, 1, &date_fmt).unwrap();
        }
        wb.save(&path).unwrap();
    }
    let file = path.to_str().unwrap();

    let out = hutong(&db, &["table", "import", file], None);
    let text = stdout(&out);
    assert!(
        !out.status.success(),
        "invalid rows must fail the import\n{text}"
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM children"),
        before,
        "nothing imported"
    );
    assert!(text.contains("表头在第3行"), "{text}");
    assert!(text.contains("合并单元格已按左上角的值填充"), "{text}");
    assert!(text.contains("共 8 行：有效 3 行，有错误 5 行"), "{text}");
    assert!(text.contains("第7行 C列（身份证号）：校验码错误"), "{text}");
    assert!(
        text.contains("第8行 C列（身份证号）：身份证号被 Excel 存成了数字，后几位已丢失"),
        "{text}"
    );
    assert!(
        text.contains("第9行 C列（身份证号）：与第4行的身份证号重复"),
        "{text}"
    );
    assert!(
        text.contains("第10行 C列（身份证号）：本库已有此身份证号的档案（张小雨）"),
        "{text}"
    );
    assert!(text.contains("第11行 B列（姓名）：姓名为空"), "{text}");
    assert!(
        text.contains("第11行 F列（村(居)）：村（居）代码 411525102999 不在本县的区划表中"),
        "{text}"
    );
    // The merged village and the merged township were filled down.
    assert!(
        text.contains("第5行\t李小红\t女\t2015-06-11\t411525*****"),
        "{text}"
    );

    // Dry run with --skip-invalid still writes nothing.
    let out = hutong(
        &db,
        &["table", "import", file, "--dry-run", "--skip-invalid"],
        None,
    );
    assert!(stdout(&out).contains("试运行：未写入任何数据"));
    assert_eq!(count(&db, "SELECT count(*) FROM children"), before);

    let out = hutong(
        &db,
        &[
            "table",
            "import",
            file,
            "--skip-invalid",
            "--mapping",
            "乡镇花名册",
        ],
        None,
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("已导入 3 名儿童"), "{}", stdout(&out));
    assert_eq!(count(&db, "SELECT count(*) FROM children"), before + 3);
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let (birth, village): (String, String) = conn
        .query_row(
            "SELECT birth_date, residence_division FROM children WHERE id_number = ?1",
            [&id_b],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(birth, "2015-06-11");
    assert_eq!(village, villages[1].0, "merged village filled down");
    let cats: i64 = conn
        .query_row(
            "SELECT count(*) FROM categories k JOIN children c ON c.id = k.child_id
             WHERE c.id_number IN (?1, ?2) AND k.category = 'LEFT_BEHIND_RURAL' AND k.source = 'import'",
            [&id_a, &id_b],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cats, 2, "category by code and by label");
    // One audit entry for the whole import, naming the file's hash.
    let (n, detail): (i64, String) = conn
        .query_row(
            "SELECT count(*), max(detail) FROM audit_log WHERE action = 'table.import'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert!(detail.contains("\"inserted\":3"), "{detail}");
    // The mapping was saved under its name and is listed.
    let out = hutong(&db, &["table", "mappings"], None);
    assert!(stdout(&out).contains("乡镇花名册"), "{}", stdout(&out));
    audit_verifies(&db);
}

#[test]
fn gbk_csv_from_excel_with_scientific_ids_is_read_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 0);
    let villages = liji_villages(&db);
    let good = make_id("411525", "20140708", 71);
    let legacy15 = "411525140709072"; // legacy 15-digit number
    let csv = format!(
        "2025年留守儿童名单,,,\r\n制表单位：黎集镇,,,\r\n姓名,身份证号码,村（居）,出生日期\r\n\
         周一鸣,{good},{},2014/7/8\r\n\
         吴二妹,4.11525E+17,{},2014/7/9\r\n\
         郑三,{legacy15},{},\r\n\
         ,,,\r\n,,,\r\n",
        villages[0].0, villages[0].0, villages[1].0
    );
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&csv);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GBK");
    let path = dir.path().join("名单.csv");
    std::fs::write(&path, &bytes).unwrap();
    let file = path.to_str().unwrap();
    let out = hutong(&db, &["table", "import", file, "--dry-run"], None);
    let text = stdout(&out);
    assert!(!out.status.success());
    assert!(text.contains("文件编码：GBK"), "{text}");
    assert!(text.contains("表头在第3行"), "{text}");
    assert!(text.contains("共 3 行：有效 2 行，有错误 1 行"), "{text}");
    assert!(
        text.contains("第5行 B列（身份证号码）：身份证号被 Excel 存成了数字，后几位已丢失"),
        "{text}"
    );
    assert!(text.contains("15位旧号已转换为"), "{text}");
    assert!(text.contains("周一鸣"), "names decoded from GBK: {text}");
    let out = hutong(&db, &["table", "import", file, "--skip-invalid"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let name: String = conn
        .query_row(
            "SELECT name FROM children WHERE id_number = ?1",
            [&good],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, "周一鸣");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM children WHERE id_number LIKE '41152519140709072%'"
        ),
        1,
        "the 15-digit number was converted"
    );
}

#[test]
fn export_masks_ids_neutralises_formulas_records_the_purpose_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 150);
    let villages = liji_villages(&db);
    let evil_id = make_id("411525", "20150303", 91);
    let out = hutong(
        &db,
        &[
            "child",
            "add",
            "--id-number",
            &evil_id,
            "--name",
            "=HYPERLINK(A1)",
            "--village",
            &villages[0].0,
            "--phone",
            "+8613800000000",
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let active = count(&db, "SELECT count(*) FROM children WHERE status = 'active'");

    // Without a purpose, nothing is exported.
    let csv = dir.path().join("名单.csv");
    let out = hutong(
        &db,
        &[
            "table",
            "export",
            "--list",
            "children",
            "--purpose",
            " ",
            "--out",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("导出用途"), "{}", stderr(&out));
    assert!(!csv.exists());

    let out = hutong(
        &db,
        &[
            "table",
            "export",
            "--list",
            "children",
            "--purpose",
            "报送县妇儿工委",
            "--out",
            csv.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM for Excel");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count() as i64, active + 1);
    assert!(text.contains("'=HYPERLINK"), "formula neutralised");
    // The phone is masked in a masked list, and what remains of it still
    // starts with '+' and is neutralised.
    assert!(text.contains("'+86*******0000"), "{text}");
    assert!(!text.contains("8613800000000"), "{text}");
    assert!(!text.contains(&evil_id), "IDs masked by default");
    assert!(text.contains(&id_number::mask(&evil_id)));

    // A village's list as XLSX, full IDs, read back through our own reader.
    let xlsx = dir.path().join("村名单.xlsx");
    let out = hutong(
        &db,
        &[
            "table",
            "export",
            "--village",
            &villages[0].0,
            "--purpose",
            "入户核查",
            "--full-ids",
            "--out",
            xlsx.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // Full IDs leave sealed: 村名单.xlsx.zip, no number readable in it.
    let sealed = hutong_core::sealed::sealed_path(&xlsx);
    assert!(!xlsx.exists() && sealed.exists(), "{}", stdout(&out));
    assert!(
        !std::fs::read(&sealed)
            .unwrap()
            .windows(evil_id.len())
            .any(|w| w == evil_id.as_bytes())
    );
    std::fs::write(&xlsx, hutong_tests::unseal(&sealed)).unwrap();
    let t = table::read_file(&xlsx, &table::mapping::is_known_header).unwrap();
    let id_col = t.headers.iter().position(|h| h == "身份证号").unwrap();
    let name_col = t.headers.iter().position(|h| h == "姓名").unwrap();
    let in_village = count(
        &db,
        &format!(
            "SELECT count(*) FROM children WHERE status='active' AND residence_division = '{}'",
            villages[0].0
        ),
    );
    assert_eq!(t.rows.len() as i64, in_village);
    let evil = t
        .rows
        .iter()
        .find(|r| r.get(id_col).display() == evil_id)
        .expect("full ID, as text");
    assert_eq!(evil.get(name_col).display(), "'=HYPERLINK(A1)");

    let conn = hutong_tests::raw_conn(&db).unwrap();
    let purposes: Vec<(String, String)> = conn
        .prepare("SELECT reason, detail FROM audit_log WHERE action = 'table.export' ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(purposes.len(), 2);
    assert_eq!(purposes[0].0, "报送县妇儿工委");
    assert!(purposes[0].1.contains("\"full_ids\":false"));
    assert_eq!(purposes[1].0, "入户核查");
    assert!(purposes[1].1.contains("\"full_ids\":true"));

    // The full-ID export re-imports into a fresh county database.
    let db2 = dir.path().join("other.db");
    demo(&db2, 0);
    let before2 = count(&db2, "SELECT count(*) FROM children");
    let before_ids2: std::collections::BTreeSet<String> =
        our_children(&db2).into_iter().map(|c| c.0).collect();
    let out = hutong(
        &db2,
        &["table", "import", xlsx.to_str().unwrap(), "--skip-invalid"],
        None,
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // Expected from the data, not from the importer's report: every
    // exported number the fresh county lacked is added (the demo's
    // reference cases exist in both), and then all of them are there.
    let ids_in = |db: &Path| -> std::collections::BTreeSet<String> {
        our_children(db).into_iter().map(|c| c.0).collect()
    };
    let exported: std::collections::BTreeSet<String> =
        t.rows.iter().map(|r| r.get(id_col).display()).collect();
    assert_eq!(exported.len() as i64, in_village);
    let after = ids_in(&db2);
    let new_ones = exported
        .iter()
        .filter(|id| !before_ids2.contains(*id))
        .count() as i64;
    assert!(new_ones > 0, "{new_ones}");
    assert_eq!(
        count(&db2, "SELECT count(*) FROM children"),
        before2 + new_ones,
        "{}",
        stdout(&out)
    );
    assert!(exported.is_subset(&after));
}

/// The demo county's active children: (id_number, name, birth, village, age).
fn our_children(db: &Path) -> Vec<(String, String, String, String)> {
    let conn = hutong_tests::raw_conn(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT id_number, name, birth_date, residence_division FROM children WHERE status='active' ORDER BY id_number")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn age(birth: &str) -> u32 {
    let b: chrono::NaiveDate = birth.parse().unwrap();
    hutong_core::national::dates::age_on(b, chrono::Local::now().date_naive())
}

#[test]
fn comparison_with_a_student_registry_finds_exactly_the_planted_differences() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 2000);
    let ours = our_children(&db);
    let villages = liji_villages(&db);
    let mut births: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in &ours {
        *births.entry(c.2.as_str()).or_default() += 1;
    }
    let school_age: Vec<usize> = (0..ours.len())
        .filter(|&i| (7..=14).contains(&age(&ours[i].2)) && !ours[i].1.starts_with('张'))
        .collect();
    // Planted: 4 school-age children left out; 3 renamed; 2 moved; one with
    // a wrong check digit (unique birth date, so the fuzzy match is certain);
    // one marked 辍学; 3 children they have and we do not.
    let omitted: Vec<usize> = school_age[0..4].to_vec();
    let renamed: Vec<usize> = school_age[4..7].to_vec();
    let moved: Vec<usize> = school_age[7..9].to_vec();
    let dropout = school_age[9];
    let fuzzy = *school_age[10..]
        .iter()
        .find(|&&i| births[ours[i].2.as_str()] == 1)
        .expect("a child with a unique birth date");
    let extras: Vec<(String, String, String)> = (0..3)
        .map(|k| {
            let birth = format!("2012010{}", k + 1);
            (
                make_id("411525", &birth, 900 + k),
                format!("外来测试{k}号"),
                birth,
            )
        })
        .collect();

    let path = dir.path().join("学籍库.xlsx");
    {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in [
            "学生姓名",
            "身份证号码",
            "出生日期",
            "村（居）代码",
            "学籍状态",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let mut r = 1u32;
        for (i, (idn, name, birth, village)) in ours.iter().enumerate() {
            if omitted.contains(&i) {
                continue;
            }
            let name = if renamed.contains(&i) {
                format!("{name}改")
            } else {
                name.clone()
            };
            let village = if moved.contains(&i) {
                villages.iter().find(|v| v.0 != *village).unwrap().0.clone()
            } else {
                village.clone()
            };
            let idn = if i == fuzzy {
                break_check(idn)
            } else {
                idn.clone()
            };
            ws.write_string(r, 0, &name).unwrap();
            ws.write_string(r, 1, &idn).unwrap();
            if r.is_multiple_of(2) {
                ws.write_string(r, 2, birth).unwrap();
            } else {
                let d: chrono::NaiveDate = birth.parse().unwrap();
                let serial =
                    (d - chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days();
                ws.write_number(r, 2, serial as f64).unwrap();
            }
            ws.write_string(r, 3, &village).unwrap();
            ws.write_string(r, 4, if i == dropout { "辍学" } else { "在读" })
                .unwrap();
            r += 1;
        }
        for (idn, name, birth) in &extras {
            ws.write_string(r, 0, name).unwrap();
            ws.write_string(r, 1, idn).unwrap();
            ws.write_string(r, 2, birth).unwrap();
            ws.write_string(r, 3, &villages[0].0).unwrap();
            ws.write_string(r, 4, "在读").unwrap();
            r += 1;
        }
        wb.save(&path).unwrap();
    }
    let out_xlsx = dir.path().join("比对结果.xlsx");
    let out = hutong(
        &db,
        &[
            "compare",
            path.to_str().unwrap(),
            "--source",
            "学籍",
            "--json",
            "--out",
            out_xlsx.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let by_group =
        |g: &str| -> Vec<&serde_json::Value> { rows.iter().filter(|r| r["group"] == g).collect() };

    let different = by_group("different");
    assert_eq!(
        different.len(),
        6,
        "3 renamed + 2 moved + 1 fuzzy: {different:#?}"
    );
    for &i in &renamed {
        let r = different
            .iter()
            .find(|r| r["child_name"] == ours[i].1.as_str())
            .unwrap();
        assert_eq!(r["diffs"].as_array().unwrap().len(), 1);
        assert_eq!(r["diffs"][0]["field"], "name");
        assert_eq!(r["diffs"][0]["theirs"], format!("{}改", ours[i].1));
    }
    for &i in &moved {
        let r = different
            .iter()
            .find(|r| r["child_name"] == ours[i].1.as_str())
            .unwrap();
        assert_eq!(r["diffs"][0]["field"], "village");
        assert_eq!(r["diffs"][0]["ours"], ours[i].3.as_str());
    }
    let f = different
        .iter()
        .find(|r| r["child_name"] == ours[fuzzy].1.as_str())
        .unwrap();
    assert_eq!(f["method"], "name_birth");
    assert_eq!(f["diffs"][0]["field"], "id_number");
    assert_eq!(f["flags"][0]["kind"], "their_id_invalid");

    let only_ours = by_group("only_ours");
    let mut got: Vec<&str> = only_ours
        .iter()
        .map(|r| r["child_name"].as_str().unwrap())
        .collect();
    let mut want: Vec<&str> = omitted.iter().map(|&i| ours[i].1.as_str()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(
        only_ours
            .iter()
            .all(|r| r["flags"][0]["kind"] == "dropout_risk")
    );

    let only_theirs = by_group("only_theirs");
    assert_eq!(only_theirs.len(), 3);
    assert!(only_theirs.iter().all(|r| {
        r["theirs"]["name"]
            .as_str()
            .unwrap()
            .starts_with("外来测试")
    }));

    let flags: Vec<&serde_json::Value> = rows
        .iter()
        .flat_map(|r| r["flags"].as_array().unwrap())
        .collect();
    assert_eq!(
        flags.len(),
        4 + 1 + 1,
        "4 missing + 1 辍学 + 1 bad ID: {flags:#?}"
    );
    let same = by_group("same");
    assert_eq!(same.len(), ours.len() - 4 - 6);
    assert!(same.iter().any(|r| r["flags"][0]["kind"] == "dropout_risk"));

    // Saved and audited; the workbook has the four groups and the flags.
    assert_eq!(count(&db, "SELECT count(*) FROM comparisons"), 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM comparison_rows") as usize,
        rows.len()
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action IN ('compare.run','compare.export')"
        ),
        2
    );
    let t =
        table::read::read_workbook_bytes(&std::fs::read(&out_xlsx).unwrap(), "r.xlsx", &|_| true)
            .unwrap();
    assert_eq!(t.rows.len(), same.len(), "first sheet: 一致");

    // Per-field decisions with provenance: accept one rename, reject another.
    let mut store = hutong_tests::open_db(&db).unwrap();
    let actor = Actor::system("审核员 王芳", store.county_scope().unwrap());
    let cmp_id = compare::list(store.conn()).unwrap()[0].id;
    let stored = compare::load_rows(store.conn(), cmp_id, Some(Group::Different)).unwrap();
    assert_eq!(stored.len(), 6);
    let pick = |name: &str| {
        let child: String = name.to_string();
        stored
            .iter()
            .find(|r| r.theirs.as_ref().and_then(|t| t.name.clone()) == Some(format!("{child}改")))
            .unwrap()
            .row_id
    };
    let r0 = pick(&ours[renamed[0]].1);
    let r1 = pick(&ours[renamed[1]].1);
    compare::decide(
        &mut store,
        &actor,
        r0,
        Field::Name,
        true,
        Some("学籍库为准"),
    )
    .unwrap();
    compare::decide(&mut store, &actor, r1, Field::Name, false, None).unwrap();
    // Sex is derived from the ID: there is no such diff to accept.
    assert!(compare::decide(&mut store, &actor, r1, Field::Sex, true, None).is_err());
    let conn = store.conn();
    let new_name: String = conn
        .query_row(
            "SELECT name FROM children WHERE id_number = ?1",
            [&ours[renamed[0]].0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(new_name, format!("{}改", ours[renamed[0]].1));
    let kept: String = conn
        .query_row(
            "SELECT name FROM children WHERE id_number = ?1",
            [&ours[renamed[1]].0],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, ours[renamed[1]].1);
    let reason: String = conn
        .query_row(
            "SELECT reason FROM audit_log WHERE action = 'compare.accept'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(reason.contains("学籍库《学籍库.xlsx》第"), "{reason}");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'child.update'"
        ),
        1
    );
    let decided = compare::load_rows(store.conn(), cmp_id, Some(Group::Different)).unwrap();
    assert_eq!(decided.iter().map(|r| r.decisions.len()).sum::<usize>(), 2);
    assert!(audit::verify(store.conn()).unwrap().is_intact());
}

#[test]
fn police_list_flags_a_parents_death_or_release_for_recheck() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 300);
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let parents = |sql: &str| -> Vec<(String, String)> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    // Two fathers with no recorded situation, one imprisoned father, one dead one.
    let plain = parents(
        "SELECT p.id_number, p.name FROM persons p JOIN child_relations r ON r.person_id = p.id
         WHERE r.relation = 'FATHER' AND r.situation IS NULL AND p.id_number IS NOT NULL
         GROUP BY p.id HAVING count(*) = 1 LIMIT 2",
    );
    let jailed = parents(
        "SELECT p.id_number, p.name FROM persons p JOIN child_relations r ON r.person_id = p.id
         WHERE r.situation = 'IMPRISONED' AND p.id_number IS NOT NULL GROUP BY p.id HAVING count(*) = 1 LIMIT 1",
    );
    let dead = parents(
        "SELECT p.id_number, p.name FROM persons p JOIN child_relations r ON r.person_id = p.id
         WHERE r.situation = 'DEAD' AND p.id_number IS NOT NULL GROUP BY p.id HAVING count(*) = 1 LIMIT 1",
    );
    assert_eq!((plain.len(), jailed.len(), dead.len()), (2, 1, 1));
    drop(conn);
    let mut csv = String::from("姓名,公民身份号码,人员状态\n");
    csv += &format!("{},{},死亡注销\n", plain[0].1, plain[0].0);
    csv += &format!("{},{},正常\n", plain[1].1, plain[1].0);
    csv += &format!("{},{},刑满释放\n", jailed[0].1, jailed[0].0);
    // Already recorded as dead: no new flag.
    csv += &format!("{},{},死亡注销\n", dead[0].1, dead[0].0);
    let path = dir.path().join("公安.csv");
    std::fs::write(&path, csv).unwrap();

    let mut store = hutong_tests::open_db(&db).unwrap();
    let actor = Actor::system("测试", store.county_scope().unwrap());
    let cmp = compare::compare_file(
        &mut store,
        &actor,
        &path,
        Source::PoliceHukou,
        None,
        chrono::Local::now().date_naive(),
    )
    .unwrap();
    let flags: Vec<_> = cmp.flags().map(|(_, f)| f.clone()).collect();
    assert_eq!(flags.len(), 2, "{flags:#?}");
    assert!(flags.iter().all(|f| f.kind == FlagKind::EligibilityRecheck));
    assert!(
        flags
            .iter()
            .any(|f| f.message.contains("死亡注销") && f.message.contains(&plain[0].1))
    );
    assert!(
        flags
            .iter()
            .any(|f| f.message.contains("刑满释放") && f.message.contains("服刑在押"))
    );
    let c = cmp.counts();
    assert_eq!(c.only_theirs, 0, "every row matched a parent");
    assert_eq!(c.their_rows, 4);
}

#[test]
fn backup_and_restore_verify_the_audit_chain_and_refuse_a_tampered_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 100);
    let backup = dir.path().join("backups").join("b1.db");
    let out = hutong(&db, &["backup", "--out", backup.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("已校验"), "{}", stdout(&out));
    let in_backup = count(&db, "SELECT count(*) FROM children");
    // Refuses to overwrite.
    let out = hutong(&db, &["backup", "--out", backup.to_str().unwrap()], None);
    assert!(!out.status.success());

    // A change after the backup, then restore: the change is gone, the old
    // file is kept, and the chain verifies with the restore recorded.
    let villages = liji_villages(&db);
    let id = make_id("411525", "20170202", 17);
    let out = hutong(
        &db,
        &[
            "child",
            "add",
            "--id-number",
            &id,
            "--name",
            "新增儿童",
            "--village",
            &villages[0].0,
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong(&db, &["restore", backup.to_str().unwrap()], None);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("完整"), "{}", stdout(&out));
    assert_eq!(count(&db, "SELECT count(*) FROM children"), in_backup);
    assert!(dir.path().join("county.db.bak").exists());
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'restore'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'backup'"
        ),
        1,
        "the backup holds its own entry"
    );
    audit_verifies(&db);

    // A backup whose audit log was edited is refused; nothing changes.
    let bad = dir.path().join("tampered.db");
    hutong_tests::copy_db(&backup, &bad);
    {
        // Edited with the key, triggers off for the edit: the schema is
        // untouched, the keyed chain is not.
        let conn = hutong_tests::raw_conn(&bad).unwrap();
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER,
            false,
        )
        .unwrap();
        conn.execute("UPDATE audit_log SET actor = '某人' WHERE seq = 3", [])
            .unwrap();
    }
    let before = content_except_log_ins(&db);
    let out = hutong(&db, &["restore", bad.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("审计日志校验未通过：第3条记录"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("当前数据库未改动"),
        "{}",
        stderr(&out)
    );
    // The refused restore changed nothing; the log-in it took was audited.
    assert_eq!(content_except_log_ins(&db), before);
    // Not a database at all.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not sqlite").unwrap();
    let out = hutong(&db, &["restore", junk.to_str().unwrap()], None);
    assert!(!out.status.success());
    audit_verifies(&db);

    // Daily backups: one file per day.
    let folder = dir.path().join("daily");
    let out = hutong(&db, &["backup", "--folder", folder.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = hutong(&db, &["backup", "--folder", folder.to_str().unwrap()], None);
    assert!(
        stdout(&out).contains("今天的备份已存在"),
        "{}",
        stdout(&out)
    );
    // Today's backup, its key file and the audit anchor signed for it;
    // nothing else.
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let name = hutong_core::backup::daily_name(chrono::Local::now().date_naive());
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files[0].starts_with("anchor-411525-"), "{files:?}");
    assert_eq!(files[1], name);
    assert_eq!(files[2], format!("{name}.keys"));
    // The anchor beside the backup is one `audit verify` finds and checks.
    let out = hutong(&db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("最新审计锚点"), "{}", stdout(&out));
}

#[test]
fn statistics_print_and_export_to_xlsx_and_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 300);
    let active = count(&db, "SELECT count(*) FROM children WHERE status='active'");
    let out = hutong(&db, &["stats", "--json"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["total"]["children"].as_i64(), Some(active));
    let t = &v["total"];
    assert_eq!(
        t["visited"].as_i64().unwrap() + t["due"].as_i64().unwrap(),
        active
    );
    let sum: i64 = v["townships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["children"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, active);
    // The demo's plugin assessed every child: the colour counts are those
    // of each child's latest result, and none is left unassessed.
    let colours = t["colours"].as_object().unwrap();
    let total: i64 = colours.values().map(|n| n.as_i64().unwrap()).sum();
    assert_eq!(total, active, "{colours:?}");
    assert_eq!(
        colours.get("未评估").and_then(|n| n.as_i64()).unwrap_or(0),
        0
    );
    let red = count(
        &db,
        "SELECT count(*) FROM children c WHERE c.status='active' AND (SELECT a.colour FROM assessments a
         WHERE a.child_id = c.id ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1) = 'red'",
    );
    assert!(red > 0);
    assert_eq!(
        colours.get("red").and_then(|n| n.as_i64()),
        Some(red),
        "{colours:?}"
    );

    let xlsx = dir.path().join("统计.xlsx");
    let out = hutong(&db, &["stats", "--out", xlsx.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let t = table::read::read_workbook_bytes(&std::fs::read(&xlsx).unwrap(), "s.xlsx", &|h| {
        h == "在档儿童" || h == "乡镇(街道)"
    })
    .unwrap();
    let total = t
        .rows
        .iter()
        .find(|r| r.get(0).display() == "合计")
        .unwrap();
    assert_eq!(total.get(1).display(), active.to_string());

    let pdf = dir.path().join("统计.pdf");
    let out = hutong(&db, &["stats", "--out", pdf.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    // The printed figures are the data's: the first table's 合计 row
    // starts with the children on file, and the colour table's 合计 row
    // adds up to them (every child assessed) with the red count among them.
    let text = hutong_tests::pdftotext(&pdf);
    let totals = hutong_tests::numbers_on_rows(&text, "合计");
    assert_eq!(totals.len(), 2, "{text}");
    assert_eq!(totals[0].first(), Some(&active), "{text}");
    assert_eq!(totals[1].iter().sum::<i64>(), active, "{text}");
    assert!(totals[1].contains(&red), "{text}");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'stats.export'"
        ),
        2
    );
}

#[test]
fn stats_bundle_is_signed_verifies_and_a_tampered_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    demo(&db, 40);
    let bundle = dir.path().join("上报");
    let out = hutong(&db, &["stats", "--bundle", bundle.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let key = std::fs::read_to_string(bundle.join("county-public-key.txt")).unwrap();
    let files: Vec<String> = std::fs::read_dir(&bundle)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for ext in [".json", ".json.sig", ".pdf", ".pdf.sig"] {
        assert!(files.iter().any(|f| f.ends_with(ext)), "{ext} in {files:?}");
    }
    let json = files
        .iter()
        .find(|f| f.starts_with("统计-") && f.ends_with(".json"))
        .unwrap();
    // The bundle carries a signed anchor of the county's audit chain, and
    // the chain agrees with it.
    let anchor = files
        .iter()
        .find(|f| f.starts_with("anchor-") && f.ends_with(".json"))
        .unwrap();
    let out = hutong(
        &db,
        &[
            "audit",
            "verify",
            "--anchor",
            bundle.join(anchor).to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join(json)).unwrap()).unwrap();
    assert_eq!(v["format"], "hutong-statistics");
    assert_eq!(
        v["statistics"]["total"]["children"].as_i64().unwrap(),
        count(&db, "SELECT count(*) FROM children WHERE status = 'active'")
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM audit_log WHERE action = 'stats.bundle'"
        ),
        1
    );
    let verify = |key: &str| {
        hutong(
            &db,
            &[
                "stats",
                "--verify-bundle",
                bundle.to_str().unwrap(),
                "--key",
                key,
            ],
            None,
        )
    };
    let ok = verify(key.trim());
    assert!(ok.status.success(), "{}", stderr(&ok));
    // The statistics, their PDF and the audit anchor.
    assert_eq!(stdout(&ok).matches("签名有效").count(), 3);
    // One changed figure breaks the signature.
    let path = bundle.join(json);
    let text =
        std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"children\": ", "\"children\": 1", 1);
    std::fs::write(&path, text).unwrap();
    assert!(!verify(key.trim()).status.success());
}
