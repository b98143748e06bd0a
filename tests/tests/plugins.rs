//! The plugin host against real plugins built from `plugins/` and the
//! hostile fixtures in `tests/fixtures/plugins/`.

use hutong_core::province as p;
use hutong_plugin_host::{
    CallFailure, Limits, Plugin, PluginError, Runtime, RuntimeConfig, signing,
};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn wasm(name: &str) -> PathBuf {
    let path = Path::new(env!("HUTONG_PLUGIN_DIR")).join(format!("{name}.wasm"));
    assert!(
        path.exists(),
        "{} missing: tests/build.rs should have built it",
        path.display()
    );
    path
}

fn runtime() -> Runtime {
    Runtime::new(RuntimeConfig::default()).unwrap()
}

fn failure(err: PluginError) -> CallFailure {
    match err {
        PluginError::Call {
            failure,
            plugin,
            version,
            export,
        } => {
            assert_eq!(plugin, "test.hostile");
            assert_eq!(version, "6.6.6");
            assert!(!export.is_empty());
            failure
        }
        other => panic!("expected a call failure, got: {other}"),
    }
}

fn answer_template(template: &mut Plugin) {
    // The well-behaved plugin keeps answering next to the hostile one.
    // Every item answered: the host refuses a questionnaire with gaps.
    let input = p::AssessInput {
        today: "2025-05-22".into(),
        answers: ["alone", "injury", "dropout"]
            .iter()
            .zip(["1", "0", "0"])
            .map(|(i, c)| p::Answer {
                item_id: (*i).into(),
                code: c.into(),
            })
            .collect(),
        child: None,
    };
    let a = template.assess("simple-risk", &input).unwrap();
    assert_eq!(a.level_code, "high");
    assert_eq!(a.colour, Some(p::Colour::Red));
}

#[test]
fn the_template_plugin_loads_and_answers_every_export() {
    let rt = runtime();
    let mut plugin = rt.load_file(&wasm("hutong_plugin_template")).unwrap();
    let m = plugin.manifest().clone();
    assert_eq!(m.id, "cn.hutong.template");
    assert_eq!(m.contract_version, "1.0.0");
    assert_eq!(m.screening_cycle, p::ScreeningCycle::HalfYearly);
    assert_eq!(plugin.load_info().contract, "hutong:province/plugin@1.0.0");

    let forms = plugin.forms().unwrap();
    assert_eq!(forms[0].id, "contact");
    let missing = plugin
        .evaluate_form("contact", &[], "2025-05-22", None)
        .unwrap();
    assert!(missing.has_errors());
    assert_eq!(missing.issues[0].field_id, "weekly_contact");
    let values = vec![
        p::FieldValue {
            field_id: "weekly_contact".into(),
            row: None,
            value: p::Value::Boolean(true),
        },
        p::FieldValue {
            field_id: "contacts_per_month".into(),
            row: None,
            value: p::Value::Integer(2),
        },
    ];
    let eval = plugin
        .evaluate_form("contact", &values, "2025-05-22", None)
        .unwrap();
    assert!(!eval.has_errors());
    assert_eq!(eval.issues.len(), 1, "a warning about 2 contacts a month");
    assert_eq!(eval.issues[0].severity, p::Severity::Warning);

    let err = plugin.assess(
        "simple-risk",
        &p::AssessInput {
            today: "2025-05-22".into(),
            answers: vec![p::Answer {
                item_id: "alone".into(),
                code: "maybe".into(),
            }],
            child: None,
        },
    );
    // The host checks the answers against the scale before the plugin runs
    // (issue #18): the bad code and the unanswered items are named.
    match err.unwrap_err().failure() {
        Some(CallFailure::Unanswered { scale, items }) => {
            assert_eq!(scale, "simple-risk");
            assert_eq!(
                items,
                &[
                    "第1项“独自居住”的答案“maybe”不是有效选项",
                    "第2项“身上有伤”尚未作答",
                    "第3项“辍学”尚未作答"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    answer_template(&mut plugin);

    // classify uses the national date rule inside the sandbox.
    let child = p::ChildSnapshot {
        birth_date: "2015-08-22".into(),
        relations: vec![
            p::RelationSnapshot {
                relation: "FATHER".into(),
                occupation: "务工".into(),
                ..Default::default()
            },
            p::RelationSnapshot {
                relation: "MOTHER".into(),
                occupation: "务工".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let findings = plugin.classify(&child, "2025-05-22").unwrap();
    assert_eq!(findings[0].status, p::FindingStatus::Eligible);
    assert_eq!(findings[0].effective_until.as_deref(), Some("2031-08-22"));
    let findings = plugin.classify(&child, "2031-08-22").unwrap();
    assert_eq!(
        findings[0].status,
        p::FindingStatus::NotEligible,
        "turns 16 that day"
    );

    assert_eq!(plugin.service_catalog().unwrap()[0].code, "T01");
    let templates = plugin.report_templates().unwrap();
    assert_eq!(templates[0].kind, p::TemplateKind::OneChild);
    let doc = plugin
        .render_report(
            "card",
            &p::ReportInput {
                today: "2025-05-22".into(),
                office_name: "固始县民政局".into(),
                children: vec![p::ChildSnapshot {
                    name: "张小雨".into(),
                    sex: "F".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(doc.title, "儿童信息卡");
    let text = serde_json::to_string(&doc).unwrap();
    assert!(text.contains("张小雨") && text.contains("固始县民政局"));
}

#[test]
fn every_hostile_behaviour_is_stopped_with_its_own_error_and_the_good_plugin_goes_on() {
    let rt = Runtime::new(RuntimeConfig {
        limits: Limits {
            deadline: Duration::from_secs(10),
            ..Limits::default()
        },
        cache_dir: None,
    })
    .unwrap();
    let mut hostile = rt.load_file(&wasm("hostile_plugin")).unwrap();
    let mut good = rt.load_file(&wasm("hutong_plugin_template")).unwrap();
    let input = p::AssessInput::default();

    assert!(matches!(
        failure(hostile.assess("loop", &input).unwrap_err()),
        CallFailure::FuelExhausted { .. }
    ));
    answer_template(&mut good);
    match failure(hostile.assess("flood", &input).unwrap_err()) {
        CallFailure::MemoryLimit { requested, limit } => {
            assert!(requested > limit);
            assert_eq!(limit, 64 * 1024 * 1024);
        }
        other => panic!("flood: {other:?}"),
    }
    answer_template(&mut good);
    assert!(matches!(
        failure(hostile.assess("trap", &input).unwrap_err()),
        CallFailure::Trap { .. }
    ));
    match failure(hostile.assess("panic", &input).unwrap_err()) {
        CallFailure::Panic { message } => assert!(message.contains("故意崩溃"), "{message}"),
        other => panic!("panic: {other:?}"),
    }
    match failure(hostile.assess("stack", &input).unwrap_err()) {
        CallFailure::Trap { message, .. } => assert!(message.contains("stack"), "{message}"),
        other => panic!("stack: {other:?}"),
    }
    assert!(matches!(
        failure(hostile.assess("nan", &input).unwrap_err()),
        CallFailure::Malformed { .. }
    ));
    answer_template(&mut good);

    let report = p::ReportInput::default();
    assert!(matches!(
        failure(hostile.render_report("huge-doc", &report).unwrap_err()),
        CallFailure::MemoryLimit { .. }
    ));
    match failure(hostile.render_report("many-nodes", &report).unwrap_err()) {
        CallFailure::OutputTooLarge { limit, .. } => assert_eq!(limit, Limits::default().max_nodes),
        other => panic!("many-nodes: {other:?}"),
    }
    assert!(matches!(
        failure(hostile.render_report("huge-string", &report).unwrap_err()),
        CallFailure::MemoryLimit { .. }
    ));
    assert!(matches!(
        failure(hostile.render_report("big-string", &report).unwrap_err()),
        CallFailure::OutputTooLarge { .. }
    ));
    match failure(hostile.render_report("cycle", &report).unwrap_err()) {
        CallFailure::Malformed { message } => assert!(
            message.contains("多次引用") || message.contains("循环"),
            "{message}"
        ),
        other => panic!("cycle: {other:?}"),
    }
    match failure(hostile.render_report("bad-index", &report).unwrap_err()) {
        CallFailure::Malformed { message } => assert!(message.contains("999"), "{message}"),
        other => panic!("bad-index: {other:?}"),
    }
    match failure(
        hostile
            .evaluate_form("f", &[], "2025-05-22", None)
            .unwrap_err(),
    ) {
        CallFailure::Malformed { message } => assert!(message.contains("purple"), "{message}"),
        other => panic!("unknown choice: {other:?}"),
    }
    answer_template(&mut good);
    // The hostile plugin itself recovers with a fresh instance.
    let before = hostile.instances_created();
    assert!(hostile.manifest().id == "test.hostile");
    assert!(matches!(
        failure(hostile.assess("nope", &input).unwrap_err()),
        CallFailure::Rejected { .. }
    ));
    assert_eq!(
        hostile.instances_created(),
        before + 1,
        "a poisoned instance is replaced by a fresh one"
    );
}

#[test]
fn the_wall_clock_deadline_is_a_backstop_when_fuel_is_plentiful() {
    let rt = Runtime::new(RuntimeConfig {
        limits: Limits {
            fuel: u64::MAX / 2,
            deadline: Duration::from_millis(300),
            ..Limits::default()
        },
        cache_dir: None,
    })
    .unwrap();
    let mut hostile = rt.load_file(&wasm("hostile_plugin")).unwrap();
    match failure(
        hostile
            .assess("loop", &p::AssessInput::default())
            .unwrap_err(),
    ) {
        CallFailure::DeadlineExceeded { millis } => assert_eq!(millis, 300),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_plugin_for_another_contract_version_is_refused_with_the_version_needed() {
    let err = runtime()
        .load_file(&wasm("wrong_version_plugin"))
        .unwrap_err();
    match &err {
        PluginError::IncompatibleContract {
            found, supported, ..
        } => {
            assert_eq!(found, "hutong:province/plugin@2.0.0");
            assert_eq!(supported, "1.0.0");
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("1.x"), "{err}");
}

#[test]
fn garbage_is_not_a_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.wasm");
    std::fs::write(&path, b"\0asm not really").unwrap();
    let err = runtime().load_file(&path).unwrap_err();
    assert!(matches!(err, PluginError::InvalidComponent { .. }), "{err}");
    assert!(err.to_string().contains("junk.wasm"));
}

#[test]
fn compiled_code_is_cached_and_a_bad_cache_entry_is_a_miss() {
    let dir = tempfile::tempdir().unwrap();
    let config = RuntimeConfig {
        limits: Limits::default(),
        cache_dir: Some(dir.path().join("cache")),
    };
    // Entries are trusted only when their hash was recorded (here in
    // memory; the app records them in the encrypted database).
    let trust = hutong_plugin_host::MemoryTrust::default();
    let rt = Runtime::new(config.clone()).unwrap();
    let first = rt
        .load_file_cached(&wasm("hutong_plugin_template"), &trust)
        .unwrap();
    assert!(!first.load_info().from_cache);
    let second = rt
        .load_file_cached(&wasm("hutong_plugin_template"), &trust)
        .unwrap();
    assert!(
        second.load_info().from_cache,
        "a second load must not recompile"
    );
    // Without a trust the cache is not read.
    let uncached = rt.load_file(&wasm("hutong_plugin_template")).unwrap();
    assert!(!uncached.load_info().from_cache);
    // Corrupt every cache entry: the next load recompiles instead of failing.
    for entry in std::fs::read_dir(dir.path().join("cache")).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let rt2 = Runtime::new(config).unwrap();
    let mut third = rt2
        .load_file_cached(&wasm("hutong_plugin_template"), &trust)
        .unwrap();
    assert!(!third.load_info().from_cache);
    answer_template(&mut third);
}

#[test]
fn signatures_verify_and_tampering_or_untrusted_keys_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("province.key");
    let public = signing::keygen(&key).unwrap();
    assert!(signing::keygen(&key).is_err(), "never overwrite a key");
    let plugin = dir.path().join("p.wasm");
    std::fs::copy(wasm("hutong_plugin_template"), &plugin).unwrap();
    let bytes = std::fs::read(&plugin).unwrap();

    let unsigned = signing::verify(&plugin, &bytes, std::slice::from_ref(&public)).unwrap_err();
    assert!(
        matches!(unsigned, PluginError::Unsigned { .. }),
        "{unsigned}"
    );

    signing::sign(&key, &plugin).unwrap();
    assert_eq!(
        signing::verify(&plugin, &bytes, std::slice::from_ref(&public)).unwrap(),
        public
    );

    let other_key = dir.path().join("other.key");
    let other_public = signing::keygen(&other_key).unwrap();
    let untrusted = signing::verify(&plugin, &bytes, &[other_public]).unwrap_err();
    assert!(
        untrusted.to_string().contains("不在本县信任"),
        "{untrusted}"
    );

    let mut tampered = bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    let err = signing::verify(&plugin, &tampered, &[public]).unwrap_err();
    assert!(err.to_string().contains("篡改"), "{err}");
}

#[test]
fn the_cli_signs_trusts_installs_lists_and_refuses_tampered_plugins() {
    use hutong_tests::{hutong, stderr, stdout};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    assert!(
        hutong(&db, &["demo", "--children", "10"], None)
            .status
            .success()
    );
    let plugin = dir.path().join("template.wasm");
    std::fs::copy(wasm("hutong_plugin_template"), &plugin).unwrap();
    let key = dir.path().join("province.pem");
    let out = hutong(
        &db,
        &["plugin", "keygen", "--out", key.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let public = stdout(&out)
        .lines()
        .find_map(|l| {
            l.split_once('：')
                .filter(|(k, _)| k.starts_with("公钥"))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap();

    // Unsigned: refused.
    let out = hutong(&db, &["plugin", "install", plugin.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("未签名"), "{}", stderr(&out));

    assert!(
        hutong(
            &db,
            &[
                "plugin",
                "sign",
                "--key",
                key.to_str().unwrap(),
                plugin.to_str().unwrap()
            ],
            None
        )
        .status
        .success()
    );
    // Signed but the key is not trusted: refused.
    let out = hutong(&db, &["plugin", "install", plugin.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("不在本县信任"), "{}", stderr(&out));
    // Trusted for another province: refused after loading.
    assert!(
        hutong(&db, &["plugin", "trust", &public, "--province", "41"], None)
            .status
            .success()
    );
    let out = hutong(&db, &["plugin", "install", plugin.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("省份"), "{}", stderr(&out));
    // Trusted for its province: installed, copied, listed.
    assert!(
        hutong(&db, &["plugin", "trust", &public, "--province", "00"], None)
            .status
            .success()
    );
    let out = hutong(&db, &["plugin", "install", plugin.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", stderr(&out));
    // The copy is named by its hash: a manifest never chooses a path.
    let sha = hutong_plugin_host::sha256_hex(&std::fs::read(&plugin).unwrap());
    assert!(
        dir.path()
            .join("plugins")
            .join(format!("{sha}.wasm"))
            .exists()
    );
    let out = hutong(&db, &["plugin", "list"], None);
    assert!(
        stdout(&out).contains("cn.hutong.template\t1.0.0") && stdout(&out).contains("已签名"),
        "{}",
        stdout(&out)
    );

    // A copy changed after signing is refused as tampered, before it is compiled.
    let tampered = dir.path().join("tampered.wasm");
    let mut bytes = std::fs::read(&plugin).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&tampered, &bytes).unwrap();
    std::fs::copy(
        signing::signature_path(&plugin),
        signing::signature_path(&tampered),
    )
    .unwrap();
    let out = hutong(
        &db,
        &["plugin", "install", tampered.to_str().unwrap()],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("篡改"), "{}", stderr(&out));
    // Developer mode lets an unsigned plugin in, and says so.
    let unsigned = dir.path().join("unsigned.wasm");
    std::fs::copy(wasm("hutong_plugin_template"), &unsigned).unwrap();
    assert!(
        hutong(&db, &["plugin", "dev-mode", "on"], None)
            .status
            .success()
    );
    let out = hutong(
        &db,
        &["plugin", "install", unsigned.to_str().unwrap()],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("开发者模式"));
    let out = hutong(&db, &["plugin", "list"], None);
    assert!(
        stdout(&out).contains("开发者模式已开启") && stdout(&out).contains("未签名"),
        "{}",
        stdout(&out)
    );
    assert!(hutong(&db, &["audit", "verify"], None).status.success());

    // `plugin test` runs the template's fixture cases.
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/template/cases");
    let out_dir = dir.path().join("out");
    let out = hutong(
        &db,
        &[
            "plugin",
            "test",
            wasm("hutong_plugin_template").to_str().unwrap(),
            "--cases",
            cases.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("高风险") && stdout(&out).contains("2031年8月22日"),
        "{}",
        stdout(&out)
    );
    assert!(out_dir.join("left-behind-card.json").exists());
    let pdf = out_dir.join("left-behind-card.pdf");
    assert!(
        std::fs::read(&pdf).unwrap().starts_with(b"%PDF"),
        "plugin test writes each report as a PDF"
    );
    assert!(pdftotext(&pdf).contains("李浩然"));
}

#[test]
fn reports_print_to_pdf_through_the_installed_plugin_and_are_audited() {
    use hutong_tests::{hutong, stderr, stdout};
    use sha2_free_hash::file_sha256;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.db");
    assert!(
        hutong(&db, &["demo", "--children", "100", "--no-plugin"], None)
            .status
            .success()
    );
    let out = hutong(&db, &["report", "--list"], None);
    assert!(!out.status.success(), "no plugin installed yet");
    assert!(stderr(&out).contains("plugin install"), "{}", stderr(&out));
    assert!(
        hutong(&db, &["plugin", "dev-mode", "on"], None)
            .status
            .success()
    );
    assert!(
        hutong(
            &db,
            &[
                "plugin",
                "install",
                wasm("hutong_plugin_template").to_str().unwrap()
            ],
            None
        )
        .status
        .success()
    );
    let out = hutong(&db, &["report", "--list"], None);
    assert!(
        stdout(&out).contains("card") && stdout(&out).contains("roster"),
        "{}",
        stdout(&out)
    );

    let card = dir.path().join("card.pdf");
    let out = hutong(
        &db,
        &[
            "report",
            "--template",
            "card",
            "--child",
            "411525201304150124",
            "--out",
            card.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdftotext(&card);
    assert!(
        text.contains("张小雨") && text.contains("插花村民委员会") && text.contains("固始县民政局"),
        "{text}"
    );

    let roster = dir.path().join("roster.pdf");
    let out = hutong(
        &db,
        &[
            "report",
            "--template",
            "roster",
            "--village",
            "411525102201",
            "--out",
            roster.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdftotext(&roster);
    assert!(
        text.contains("花名册") && text.contains("李浩然") && text.contains("张小雨"),
        "{text}"
    );

    // The print is audited with the file's hash.
    let conn = hutong_tests::raw_conn(&db).unwrap();
    let detail: String = conn
        .query_row(
            "SELECT detail FROM audit_log WHERE action='report.print' AND entity_id='roster'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let detail: serde_json::Value = serde_json::from_str(&detail).unwrap();
    assert_eq!(detail["sha256"].as_str().unwrap(), file_sha256(&roster));

    // An unknown template and a missing child are clear errors.
    let out = hutong(
        &db,
        &[
            "report",
            "--template",
            "nope",
            "--child",
            "411525201304150124",
            "--out",
            card.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success() && stderr(&out).contains("nope"));
    let out = hutong(
        &db,
        &[
            "report",
            "--template",
            "card",
            "--child",
            "110105194912310021",
            "--out",
            card.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        !out.status.success() && stderr(&out).contains("未找到"),
        "{}",
        stderr(&out)
    );
}

fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed; .ci/run installs it");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// SHA-256 of a file via the `sha256sum` tool, independent of the code under test.
mod sha2_free_hash {
    pub fn file_sha256(path: &std::path::Path) -> String {
        let out = std::process::Command::new("sha256sum")
            .arg(path)
            .output()
            .expect("sha256sum");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}
