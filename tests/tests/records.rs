//! Casework records (issue #9) through the real `hutong` binary on a real
//! demo database: allowances, 强制报告, 微心愿, services and the workforce.

use hutong_tests::{hutong, hutong_as, stderr, stdout};
use serde_json::Value;
use std::path::Path;

fn ok(db: &Path, args: &[&str]) -> String {
    let out = hutong(db, args, None);
    assert!(
        out.status.success(),
        "hutong {args:?} failed: {}",
        stderr(&out)
    );
    stdout(&out)
}

fn fails(db: &Path, args: &[&str]) -> String {
    let out = hutong(db, args, None);
    assert!(!out.status.success(), "hutong {args:?} should fail");
    stderr(&out)
}

fn json(db: &Path, args: &[&str]) -> Value {
    let text = ok(db, args);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: {e}\n{text}"))
}

fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed; .ci/run installs it");
    assert!(out.status.success());
    // Lines wrap anywhere in Chinese text: compare without whitespace.
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn months(ledger: &Value) -> Vec<String> {
    ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["month"].as_str().unwrap().to_string())
        .collect()
}

const LIU: &str = "411603200906120689";
const ZHANG: &str = "411525201304150124";
const ZHAO: &str = "410225201402280718";
const LI: &str = "411525201508220251";

fn demo(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let db = dir.path().join("county.db");
    ok(&db, &["demo", "--children", "20", "--no-history"]);
    db
}

#[test]
fn allowance_ledger_roster_and_grants() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    for cat in [
        "DE_FACTO_UNSUPPORTED",
        "ORPHAN_SCATTERED",
        "ORPHAN_INSTITUTIONAL",
    ] {
        ok(
            &db,
            &[
                "allowance",
                "standard",
                "--category",
                cat,
                "--amount",
                "1174",
                "--from",
                "2025-01-01",
                "--basis",
                "固民〔2025〕8号",
            ],
        );
    }
    let err = fails(
        &db,
        &[
            "allowance",
            "standard",
            "--category",
            "LEFT_BEHIND_RURAL",
            "--amount",
            "100",
            "--from",
            "2025-01-01",
            "--basis",
            "x",
        ],
    );
    assert!(err.contains("--category"), "{err}");

    // 刘欣怡 turns 18 on 2027-06-12: paid for June, not from July.
    let june = json(
        &db,
        &["allowance", "generate", "--month", "2027-06", "--json"],
    );
    assert!(june["created"].as_u64().unwrap() >= 2, "{june}");
    let again = json(
        &db,
        &["allowance", "generate", "--month", "2027-06", "--json"],
    );
    assert_eq!(again["created"], 0, "generation is idempotent");
    assert_eq!(again["already"], june["created"]);
    ok(&db, &["allowance", "generate", "--month", "2027-07"]);
    let liu = json(&db, &["allowance", "ledger", "--child", LIU, "--json"]);
    assert_eq!(months(&liu), ["2027-06"]);
    assert_eq!(liu[0]["amount_cents"], 117_400);
    let zhang = json(&db, &["allowance", "ledger", "--child", ZHANG, "--json"]);
    assert_eq!(months(&zhang), ["2027-06", "2027-07"]);
    // A left-behind child draws nothing.
    let li = json(&db, &["allowance", "ledger", "--child", LI, "--json"]);
    assert!(li.as_array().unwrap().is_empty());

    let paid = ok(
        &db,
        &[
            "allowance",
            "pay",
            "--month",
            "2027-06",
            "--on",
            "2027-06-20",
            "--ref",
            "BANK-0620",
        ],
    );
    assert!(paid.contains("已标记"), "{paid}");
    let liu = json(&db, &["allowance", "ledger", "--child", LIU, "--json"]);
    assert_eq!(liu[0]["status"], "paid");

    // The roster as PDF and XLSX.
    let pdf = dir.path().join("roster.pdf");
    ok(
        &db,
        &[
            "allowance",
            "roster",
            "--month",
            "2027-06",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    let text = pdftotext(&pdf);
    assert!(
        text.contains("花名册") && text.contains("刘欣怡") && text.contains("张小雨"),
        "{text}"
    );
    assert!(
        text.contains("1,174.00") && text.contains("已发放"),
        "{text}"
    );
    assert!(!text.contains(LIU), "ID numbers are masked: {text}");
    let xlsx = dir.path().join("roster.xlsx");
    ok(
        &db,
        &[
            "allowance",
            "roster",
            "--month",
            "2027-06",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    let out = std::process::Command::new("unzip")
        .args(["-p"])
        .arg(&xlsx)
        .arg("xl/sharedStrings.xml")
        .output()
        .expect("unzip");
    let strings = String::from_utf8_lossy(&out.stdout);
    assert!(
        strings.contains("刘欣怡") && strings.contains("花名册"),
        "{strings}"
    );
    assert!(!strings.contains(LIU), "masked in the XLSX too");
    // The full-ID official copy: the purpose is required and audited.
    let official = dir.path().join("roster-official.xlsx");
    let err = fails(
        &db,
        &[
            "allowance",
            "roster",
            "--month",
            "2027-06",
            "--out",
            official.to_str().unwrap(),
            "--full-ids",
            " ",
        ],
    );
    assert!(err.contains("完整身份证号用途"), "{err}");
    assert!(!official.exists(), "nothing is written without the purpose");
    ok(
        &db,
        &[
            "allowance",
            "roster",
            "--month",
            "2027-06",
            "--out",
            official.to_str().unwrap(),
            "--full-ids",
            "报送县农商银行代发",
        ],
    );
    // With full ID numbers the spreadsheet left sealed (roster.xlsx.zip);
    // opened with the passphrase it holds the child's full number.
    let sealed = hutong_core::sealed::sealed_path(&official);
    assert!(!official.exists() && sealed.exists());
    std::fs::write(&official, hutong_tests::unseal(&sealed)).unwrap();
    let out = std::process::Command::new("unzip")
        .args(["-p"])
        .arg(&official)
        .arg("xl/sharedStrings.xml")
        .output()
        .expect("unzip");
    assert!(String::from_utf8_lossy(&out.stdout).contains(LIU));
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let (reason, detail): (Option<String>, String) = conn
        .query_row(
            "SELECT reason, detail FROM audit_log WHERE action = 'report.print' ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(reason.as_deref(), Some("报送县农商银行代发"));
    assert!(detail.contains("\"full_ids\":true"), "{detail}");
    let err = fails(
        &db,
        &[
            "allowance",
            "roster",
            "--month",
            "2030-01",
            "--out",
            pdf.to_str().unwrap(),
        ],
    );
    assert!(err.contains("没有发放记录"), "{err}");

    // 明天计划 for 次仁卓玛 is not in this county's demo; use 刘欣怡.
    ok(
        &db,
        &[
            "allowance",
            "grant",
            "add",
            "--child",
            LIU,
            "--programme",
            "fucai_dream",
            "--on",
            "2025-08-20",
            "--item",
            "大学新生助学",
            "--amount",
            "5000",
        ],
    );
    let grants = json(&db, &["allowance", "grant", "list", "--json"]);
    assert_eq!(grants.as_array().unwrap().len(), 1);
    assert_eq!(grants[0]["programme"], "fucai_dream");
}

#[test]
fn mandatory_reports_wishes_services_and_workforce() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo(&dir);
    let add = |found: &str, reported: &str| {
        json(
            &db,
            &[
                "mreport",
                "add",
                "--child",
                ZHAO,
                "--situation",
                "MULTI_INJURY_NEGLECT",
                "--reporter-unit",
                "葡萄架乡中心小学",
                "--reporter-role",
                "班主任",
                "--reporter-contact",
                "13800000000",
                "--found",
                found,
                "--reported",
                reported,
                "--channel",
                "110",
                "--agency",
                "固始县公安局",
                "--action",
                "学校安排老师陪护，送医检查",
                "--json",
            ],
        )
    };
    let timely = add("2025-03-12 08:10", "2025-03-12 09:05");
    assert_eq!(timely["late"], false);
    let late = add("2025-03-01 16:00", "2025-03-04 10:00");
    assert_eq!(late["late"], true);
    let late_id = late["id"].as_str().unwrap().to_string();

    // The text output warns about the late report.
    let out = ok(
        &db,
        &[
            "mreport",
            "add",
            "--child",
            ZHAO,
            "--situation",
            "ABANDONED_UNCARED,OTHER_SERIOUS",
            "--reporter-unit",
            "村委会",
            "--reporter-role",
            "儿童主任",
            "--found",
            "2025-02-01 08:00",
            "--reported",
            "2025-02-03 08:00",
            "--channel",
            "civil_affairs",
            "--agency",
            "固始县民政局",
        ],
    );
    assert!(out.contains("迟报"), "{out}");
    let err = fails(
        &db,
        &[
            "mreport",
            "add",
            "--child",
            ZHAO,
            "--situation",
            "NOT_A_CODE",
            "--reporter-unit",
            "x",
            "--reporter-role",
            "x",
            "--found",
            "2025-02-01 08:00",
            "--reported",
            "2025-02-01 09:00",
            "--channel",
            "110",
            "--agency",
            "x",
        ],
    );
    assert!(err.contains("--situation"), "{err}");

    // Redacted for a role that may not see the reporter (the auditor sees
    // the whole county), visible to a caseworker or administrator.
    let as_auditor = |args: &[&str]| {
        let out = hutong_as(&db, Some(("auditor", "hutong-demo")), args, None);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let rows: Value = serde_json::from_str(&as_auditor(&["mreport", "list", "--json"])).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 3);
    for r in rows.as_array().unwrap() {
        assert_eq!(r["reporter_redacted"], true);
        assert_eq!(r["reporter"]["unit"], "（保密）");
    }
    let text = as_auditor(&["mreport", "list"]);
    assert!(
        !text.contains("班主任") && text.contains("（保密）"),
        "{text}"
    );
    let rows = json(&db, &["mreport", "list", "--late", "--json"]);
    assert_eq!(rows.as_array().unwrap().len(), 2, "two late reports");
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["reporter"]["unit"] == "葡萄架乡中心小学")
    );

    // Edit with history; custody; letter; feedback.
    ok(
        &db,
        &[
            "mreport",
            "edit",
            &late_id,
            "--receipt",
            "GS-2025-0301",
            "--reason",
            "补录回执号",
        ],
    );
    let history = ok(&db, &["history", &late_id]);
    assert!(
        history.contains("receipt_no: （空） → GS-2025-0301") && history.contains("补录回执号"),
        "{history}"
    );
    ok(
        &db,
        &[
            "mreport",
            "custody",
            &late_id,
            "--agency",
            "固始县未成年人救助保护中心",
            "--from",
            "2025-03-04",
            "--clause",
            "6",
        ],
    );
    let letter = dir.path().join("letter.pdf");
    ok(
        &db,
        &[
            "mreport",
            "letter",
            &late_id,
            "--out",
            letter.to_str().unwrap(),
        ],
    );
    let text = pdftotext(&letter);
    assert!(
        text.contains("赵一鸣") && text.contains("转介") && text.contains("固始县公安局"),
        "{text}"
    );
    assert!(text.contains("临时监护"), "{text}");
    assert!(
        !text.contains("班主任") && !text.contains("13800000000"),
        "{text}"
    );
    ok(
        &db,
        &[
            "mreport",
            "feedback",
            &late_id,
            "--text",
            "公安已立案",
            "--on",
            "2025-03-20",
        ],
    );
    let open = json(&db, &["mreport", "list", "--open", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 2);

    // 微心愿: claim before publish is refused; then the whole path.
    let w = json(
        &db,
        &[
            "wish",
            "add",
            "--child",
            LI,
            "--wish",
            "一双运动鞋",
            "--estimate",
            "200",
            "--on",
            "2025-05-01",
            "--json",
        ],
    );
    let wish_id = w["id"].as_str().unwrap().to_string();
    let err = fails(&db, &["wish", "claim", &wish_id, "--sponsor", "农商银行"]);
    assert!(err.contains("须先发布"), "{err}");
    let err = fails(&db, &["wish", "fulfil", &wish_id]);
    assert!(err.contains("已登记"), "{err}");
    ok(&db, &["wish", "publish", &wish_id, "--on", "2025-05-02"]);
    ok(
        &db,
        &[
            "wish",
            "claim",
            &wish_id,
            "--sponsor",
            "固始县农商银行",
            "--kind",
            "company",
            "--on",
            "2025-05-03",
        ],
    );
    ok(
        &db,
        &[
            "wish",
            "fulfil",
            &wish_id,
            "--on",
            "2025-05-20",
            "--photo",
            "2025/0520.jpg",
        ],
    );
    let wishes = json(&db, &["wish", "list", "--status", "fulfilled", "--json"]);
    assert_eq!(wishes.as_array().unwrap().len(), 1);
    assert_eq!(wishes[0]["wish"]["sponsor"]["name"], "固始县农商银行");

    // Services and coverage.
    let s = json(
        &db,
        &[
            "service",
            "add",
            "--child",
            LI,
            "--code",
            "HA-YL-01",
            "--name",
            "家庭医生签约",
            "--area",
            "病有所医",
            "--department",
            "卫生健康委",
            "--provider",
            "黎集镇卫生院",
            "--date",
            "2025-04-02",
            "--json",
        ],
    );
    let sid = s["id"].as_str().unwrap().to_string();
    ok(&db, &["service", "edit", &sid, "--outcome", "已签约"]);
    let history = ok(&db, &["history", &sid]);
    assert!(history.contains("outcome: （空） → 已签约"), "{history}");
    let cov = json(&db, &["service", "coverage", "--json"]);
    let row = cov
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["township_code"] == "411525102" && r["area"] == "病有所医")
        .expect("coverage row for 黎集镇");
    assert_eq!(row["children_served"], 1);
    let text = ok(&db, &["service", "coverage"]);
    assert!(text.contains("病有所医"), "{text}");

    // The workforce: the demo leaves deliberate gaps; filling one removes it.
    let gaps = json(&db, &["workforce", "gaps", "--json"]);
    let missing = gaps["villages_without_director"].as_array().unwrap();
    assert!(!missing.is_empty(), "{gaps}");
    assert!(
        !gaps["townships_without_supervisor"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let first = missing[0]["code"].as_str().unwrap().to_string();
    ok(
        &db,
        &[
            "workforce",
            "add",
            "--role",
            "director",
            "--name",
            "王秀兰",
            "--division",
            &first,
            "--phone",
            "13812345678",
            "--appointed",
            "2025-01-01",
        ],
    );
    let after = json(&db, &["workforce", "gaps", "--json"]);
    assert_eq!(
        after["villages_without_director"].as_array().unwrap().len(),
        missing.len() - 1
    );
    let text = ok(&db, &["workforce", "gaps"]);
    assert!(text.contains("没有儿童主任的村（居）"), "{text}");
    let err = fails(
        &db,
        &[
            "workforce",
            "add",
            "--role",
            "supervisor",
            "--name",
            "错位",
            "--division",
            &first,
        ],
    );
    assert!(err.contains("所在区划"), "{err}");
    let list = json(&db, &["workforce", "list", "--role", "director", "--json"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|w| w["name"] == "王秀兰")
    );

    // Every write was audited and the chain is intact.
    ok(&db, &["audit", "verify"]);
}
