//! The 西藏 (54) and 青海 (63) province plugins, loaded through the real
//! host: PSC-17 cut-offs and item-id keying, the 监护能力 rubric's levels
//! and hard override, fixture eligibility (from the plugins' own `cases/`),
//! forms, the 21-item placeholder catalogue, reports rendered to PDF, and
//! signing.
//!
//! Set HUTONG_TEST_PDF_OUT=<dir> to keep the rendered PDFs for a look.

use hutong_core::province as p;
use hutong_plugin_host::{Plugin, Runtime, RuntimeConfig, signing};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const TODAY: &str = "2025-05-22";
const TIBETAN_NAME: &str = "ཚེ་རིང་སྒྲོལ་མ";

fn wasm(name: &str) -> PathBuf {
    let path = Path::new(env!("HUTONG_PLUGIN_DIR")).join(format!("{name}.wasm"));
    assert!(path.exists(), "{} missing", path.display());
    path
}

fn load(province: &str) -> Plugin {
    Runtime::new(RuntimeConfig::default())
        .unwrap()
        .load_file(&wasm(&format!("hutong_plugin_{province}")))
        .unwrap()
}

fn answers(pairs: &[(&str, &str)]) -> p::AssessInput {
    p::AssessInput {
        today: TODAY.into(),
        answers: pairs
            .iter()
            .map(|(i, c)| p::Answer {
                item_id: (*i).into(),
                code: (*c).into(),
            })
            .collect(),
        child: None,
    }
}

/// The items the host names when it refuses a questionnaire with gaps or
/// codes the item does not offer (issue #18), joined.
fn unanswered(err: hutong_plugin_host::PluginError) -> String {
    match err.failure() {
        Some(hutong_plugin_host::CallFailure::Unanswered { items, .. }) => items.join("；"),
        other => panic!("expected unanswered items, got {other:?}"),
    }
}

fn rejection(err: hutong_plugin_host::PluginError) -> String {
    match err.failure() {
        Some(hutong_plugin_host::CallFailure::Rejected { message }) => message.clone(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

// ------------------------------------------------------------------ PSC-17

const INTERNALISING: [&str; 5] = [
    "psc_sad",
    "psc_hopeless",
    "psc_down_on_self",
    "psc_less_fun",
    "psc_worries",
];
const ATTENTION: [&str; 5] = [
    "psc_fidgety",
    "psc_daydreams",
    "psc_concentrating",
    "psc_motor",
    "psc_distracted",
];
const EXTERNALISING: [&str; 7] = [
    "psc_share",
    "psc_feelings",
    "psc_fights",
    "psc_blames",
    "psc_rules",
    "psc_teases",
    "psc_takes",
];

/// Spreads `points` over a subscale's items (2 per item, then 1).
fn spread(items: &[&'static str], mut points: u32, out: &mut Vec<(&'static str, String)>) {
    for id in items {
        let v = points.min(2);
        points -= v;
        out.push((id, v.to_string()));
    }
    assert_eq!(points, 0, "too many points for the subscale");
}

fn psc(i: u32, a: u32, e: u32) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    spread(&INTERNALISING, i, &mut out);
    spread(&ATTENTION, a, &mut out);
    spread(&EXTERNALISING, e, &mut out);
    out
}

/// The item ids of the PSC-17 scale, in the scale's order.
fn xz_scale_ids(plugin: &mut Plugin) -> Vec<String> {
    plugin
        .scales()
        .unwrap()
        .into_iter()
        .find(|s| s.id == "psc17")
        .unwrap()
        .items
        .into_iter()
        .map(|i| i.id)
        .collect()
}

/// The 1-based number the host gives `id`.
fn ordered_position(ids: &[String], id: &str) -> usize {
    ids.iter().position(|i| i == id).unwrap() + 1
}

fn assess_psc(plugin: &mut Plugin, pairs: &[(&'static str, String)]) -> p::Assessment {
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(i, c)| (*i, c.as_str())).collect();
    plugin.assess("psc17", &answers(&pairs)).unwrap()
}

fn flagged(a: &p::Assessment, name: &str) -> bool {
    a.sub_scores
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sub-score {name}: {:?}", a.sub_scores))
        .flagged
}

#[test]
fn psc17_cut_offs_hold_exactly_at_each_boundary() {
    let mut xz = load("xizang");
    let scale = xz.scales().unwrap().into_iter().find(|s| s.id == "psc17");
    let scale = scale.expect("PSC-17 scale");
    assert_eq!(scale.items.len(), 17);
    assert!(scale.credit.contains("Gardner") && scale.credit.contains("Jellinek"));
    assert!(scale.credit.contains("MGH"));

    // (I, A, E) → expected (positive, total, I, A, E flags)
    let cases = [
        ((4, 5, 5), false, [false, false, false, false]), // total 14
        ((4, 5, 6), true, [true, false, false, false]),   // total 15
        ((4, 0, 0), false, [false, false, false, false]),
        ((5, 0, 0), true, [false, true, false, false]),
        ((0, 6, 0), false, [false, false, false, false]),
        ((0, 7, 0), true, [false, false, true, false]),
        ((0, 0, 6), false, [false, false, false, false]),
        ((0, 0, 7), true, [false, false, false, true]),
    ];
    for ((i, a, e), positive, flags) in cases {
        let r = assess_psc(&mut xz, &psc(i, a, e));
        let want = if positive { "positive" } else { "negative" };
        assert_eq!(r.level_code, want, "I{i} A{a} E{e}: {:?}", r.reasons);
        assert_eq!(r.level_label, if positive { "阳性" } else { "阴性" });
        assert_eq!(r.score, Some(f64::from(i + a + e)));
        let got = [
            flagged(&r, "总分"),
            flagged(&r, "内化（情绪）"),
            flagged(&r, "注意力"),
            flagged(&r, "外化（行为）"),
        ];
        assert_eq!(got, flags, "I{i} A{a} E{e}");
    }
}

#[test]
fn psc17_is_keyed_by_item_id_not_position_and_rejects_bad_input_by_name() {
    let mut xz = load("xizang");
    let ordered = psc(5, 3, 2);
    let mut shuffled = ordered.clone();
    shuffled.reverse();
    shuffled.rotate_left(5);
    assert_ne!(ordered, shuffled);
    let a = assess_psc(&mut xz, &ordered);
    let b = assess_psc(&mut xz, &shuffled);
    assert_eq!(a, b);
    assert_eq!(a.level_code, "positive");

    // An answer to an item the scale lacks is the plugin's to refuse.
    let mut unknown: Vec<(&str, &str)> = ordered.iter().map(|(i, c)| (*i, c.as_str())).collect();
    unknown.push(("psc_nonexistent", "0"));
    let msg = rejection(xz.assess("psc17", &answers(&unknown)).unwrap_err());
    assert!(msg.contains("psc_nonexistent"), "{msg}");
    // A renamed item leaves the real one unanswered: the host names it.
    unknown.pop();
    unknown[0].0 = "psc_nonexistent";
    let msg = unanswered(xz.assess("psc17", &answers(&unknown)).unwrap_err());
    assert!(
        msg.starts_with("第1项") && msg.contains("尚未作答"),
        "{msg}"
    );

    let mut bad: Vec<(&str, &str)> = ordered.iter().map(|(i, c)| (*i, c.as_str())).collect();
    bad[3].1 = "3";
    let msg = unanswered(xz.assess("psc17", &answers(&bad)).unwrap_err());
    let n = ordered_position(&xz_scale_ids(&mut xz), bad[3].0);
    assert!(
        msg.contains(&format!("第{n}项")) && msg.contains("答案“3”不是有效选项"),
        "{msg}"
    );

    let short: Vec<(&str, &str)> = ordered[1..].iter().map(|(i, c)| (*i, c.as_str())).collect();
    let msg = unanswered(xz.assess("psc17", &answers(&short)).unwrap_err());
    let n = ordered_position(&xz_scale_ids(&mut xz), ordered[0].0);
    assert_eq!(msg.matches("尚未作答").count(), 1, "{msg}");
    assert!(msg.starts_with(&format!("第{n}项")), "{msg}");
}

// ------------------------------------------------------------------ 监护能力

const DIMENSIONS: [&str; 9] = [
    "gc_willingness",
    "gc_provision",
    "gc_education",
    "gc_relations",
    "gc_safety",
    "gs_daily",
    "gs_health",
    "gs_education",
    "gs_safety",
];

fn rubric(total: u32, situations: &[&'static str]) -> Vec<(&'static str, String)> {
    let mut left = total;
    let mut out: Vec<(&'static str, String)> = DIMENSIONS
        .iter()
        .map(|d| {
            let v = left.min(4);
            left -= v;
            (*d, v.to_string())
        })
        .collect();
    assert_eq!(left, 0);
    out.extend(situations.iter().map(|s| (*s, "1".to_string())));
    out
}

/// Runs the rubric; situation items not listed are answered "0" (否): the
/// host refuses a questionnaire with gaps (issue #18).
fn assess_rubric(plugin: &mut Plugin, pairs: &[(&'static str, String)]) -> p::Assessment {
    let scale = plugin
        .scales()
        .unwrap()
        .into_iter()
        .find(|s| s.id == "guardianship")
        .unwrap();
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(i, c)| (i.to_string(), c.clone()))
        .collect();
    for item in &scale.items {
        if !pairs.iter().any(|(i, _)| *i == item.id) {
            assert!(
                item.options.iter().any(|o| o.code == "0"),
                "{} is not a yes/no situation",
                item.id
            );
            pairs.push((item.id.clone(), "0".into()));
        }
    }
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(i, c)| (i.as_str(), c.as_str()))
        .collect();
    plugin.assess("guardianship", &answers(&pairs)).unwrap()
}

#[test]
fn guardianship_levels_change_exactly_at_the_thresholds_and_mandatory_situations_override() {
    let mut qh = load("qinghai");
    let scale = qh
        .scales()
        .unwrap()
        .into_iter()
        .find(|s| s.id == "guardianship");
    let scale = scale.expect("guardianship scale");
    assert!(scale.name.contains("示例"));
    for (total, code, label, colour) in [
        (36, "normal", "监护正常", p::Colour::Green),
        (27, "normal", "监护正常", p::Colour::Green),
        (26, "insufficient", "监护不足", p::Colour::Yellow),
        (18, "insufficient", "监护不足", p::Colour::Yellow),
        (17, "improper", "监护失当", p::Colour::Orange),
        (10, "improper", "监护失当", p::Colour::Orange),
        (9, "absent", "监护缺失", p::Colour::Red),
        (0, "absent", "监护缺失", p::Colour::Red),
    ] {
        let r = assess_rubric(&mut qh, &rubric(total, &[]));
        assert_eq!(
            (r.level_code.as_str(), r.level_label.as_str()),
            (code, label),
            "total {total}"
        );
        assert_eq!(r.colour, Some(colour));
        assert_eq!(r.score, Some(f64::from(total)));
    }
    // Full marks, but a §2.4 situation is flagged: 监护缺失 regardless.
    let r = assess_rubric(&mut qh, &rubric(36, &["MULTI_INJURY_NEGLECT"]));
    assert_eq!(r.level_code, "absent");
    assert!(r.reasons.iter().any(|x| x.contains("MULTI_INJURY_NEGLECT")));
    // "0" for a situation is "no": the score decides.
    let mut no = rubric(36, &[]);
    no.push(("ABANDONED_UNCARED", "0".into()));
    assert_eq!(assess_rubric(&mut qh, &no).level_code, "normal");

    let bad: Vec<(&str, &str)> = vec![("gc_willingness", "5")];
    let msg = unanswered(qh.assess("guardianship", &answers(&bad)).unwrap_err());
    assert!(
        msg.contains("监护意愿") && msg.contains("答案“5”不是有效选项"),
        "{msg}"
    );
    // A complete rubric plus an item the scale lacks: the plugin refuses it.
    let full = rubric(36, &[]);
    let mut unknown: Vec<(&str, &str)> = full.iter().map(|(i, c)| (*i, c.as_str())).collect();
    let scale = qh
        .scales()
        .unwrap()
        .into_iter()
        .find(|s| s.id == "guardianship")
        .unwrap();
    let situations: Vec<String> = scale
        .items
        .iter()
        .filter(|i| !unknown.iter().any(|(id, _)| *id == i.id))
        .map(|i| i.id.clone())
        .collect();
    unknown.extend(situations.iter().map(|i| (i.as_str(), "0")));
    unknown.push(("gc_unknown", "1"));
    let msg = rejection(qh.assess("guardianship", &answers(&unknown)).unwrap_err());
    assert!(msg.contains("gc_unknown"), "{msg}");
}

// ------------------------------------------------------------------ fixtures

struct Case {
    file: String,
    today: String,
    child: p::ChildSnapshot,
    expect: HashMap<String, p::FindingStatus>,
}

fn cases(province: &str) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins")
        .join(province)
        .join("cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            Case {
                file: f.file_name().unwrap().to_string_lossy().into_owned(),
                today: v["today"].as_str().unwrap().into(),
                child: serde_json::from_value(v["child"].clone()).unwrap(),
                expect: serde_json::from_value(v["expect"].clone()).unwrap(),
            }
        })
        .collect()
}

fn check_fixtures(province: &str, must_include: &[&str]) {
    let mut plugin = load(province);
    let categories = plugin.manifest().categories.clone();
    let all = cases(province);
    assert!(all.len() >= 5, "{province}: {} cases", all.len());
    for name in must_include {
        assert!(
            all.iter().any(|c| c.child.name == *name),
            "{province}: no fixture for {name}"
        );
    }
    for case in &all {
        let findings = plugin.classify(&case.child, &case.today).unwrap();
        let got: Vec<&str> = findings.iter().map(|f| f.category.as_str()).collect();
        assert_eq!(
            got, categories,
            "{}: one finding per manifest category",
            case.file
        );
        assert_eq!(case.expect.len(), categories.len(), "{}", case.file);
        for (category, want) in &case.expect {
            let f = findings
                .iter()
                .find(|f| &f.category == category)
                .unwrap_or_else(|| panic!("{}: no finding for {category}", case.file));
            assert_eq!(&f.status, want, "{} {category}: {:?}", case.file, f.reasons);
        }
    }
}

#[test]
fn xizang_fixtures_classify_as_expected_including_the_negatives() {
    check_fixtures("xizang", &["次仁卓玛", "央金", "扎西"]);
}

#[test]
fn qinghai_fixtures_classify_as_expected_including_the_negatives() {
    check_fixtures("qinghai", &["马文博", "张小雨"]);
}

#[test]
fn the_six_situation_provinces_do_not_count_revoked_guardianship_or_short_terms() {
    for province in ["xizang", "qinghai"] {
        let mut plugin = load(province);
        let all = cases(province);
        let revoked = all
            .iter()
            .find(|c| {
                c.child
                    .relations
                    .iter()
                    .any(|r| r.situation == "GUARDIANSHIP_REVOKED")
            })
            .expect("a revoked-guardianship fixture");
        let f = plugin.classify(&revoked.child, &revoked.today).unwrap();
        let de_facto = f
            .iter()
            .find(|f| f.category == "DE_FACTO_UNSUPPORTED")
            .unwrap();
        assert_eq!(de_facto.status, p::FindingStatus::NotEligible);
        assert_eq!(de_facto.citation, "民发〔2019〕62号");

        // The same child with the father imprisoned (6+ months) instead is eligible,
        // so the negative above is about the situation, not the data.
        let mut child = revoked.child.clone();
        let father = child
            .relations
            .iter_mut()
            .find(|r| r.relation == "FATHER")
            .unwrap();
        father.situation = "IMPRISONED".into();
        father.situation_since = Some("2022-01-01".into());
        father.situation_until = Some("2029-01-01".into());
        let f = plugin.classify(&child, &revoked.today).unwrap();
        let de_facto = f
            .iter()
            .find(|f| f.category == "DE_FACTO_UNSUPPORTED")
            .unwrap();
        assert_eq!(de_facto.status, p::FindingStatus::Eligible, "{province}");
    }
}

#[test]
fn ma_wenbo_stops_being_a_migrant_child_on_his_sixteenth_birthday_and_needs_six_months() {
    let mut qh = load("qinghai");
    let ma = cases("qinghai")
        .into_iter()
        .find(|c| c.child.name == "马文博")
        .unwrap();
    let migrant = |plugin: &mut Plugin, child: &p::ChildSnapshot, today: &str| {
        plugin
            .classify(child, today)
            .unwrap()
            .into_iter()
            .find(|f| f.category == "MIGRANT")
            .unwrap()
    };
    assert_eq!(
        migrant(&mut qh, &ma.child, "2028-03-02").status,
        p::FindingStatus::Eligible
    );
    assert_eq!(
        migrant(&mut qh, &ma.child, "2028-03-03").status,
        p::FindingStatus::NotEligible
    );
    // Arrived 2023-05-01: six months are reached on 2023-11-01.
    assert_eq!(
        migrant(&mut qh, &ma.child, "2023-10-31").status,
        p::FindingStatus::NotEligible
    );
    assert_eq!(
        migrant(&mut qh, &ma.child, "2023-11-01").status,
        p::FindingStatus::Eligible
    );
    // Without the registration form the move date is missing evidence.
    let mut bare = ma.child.clone();
    bare.forms.clear();
    assert_eq!(
        migrant(&mut qh, &bare, TODAY).status,
        p::FindingStatus::EvidenceMissing
    );
}

// ------------------------------------------------------------------ manifest, catalogue

#[test]
fn manifests_declare_cycles_and_categories() {
    let xz = load("xizang");
    let m = xz.manifest();
    assert_eq!(m.province_code, "54");
    assert_eq!(m.screening_cycle, p::ScreeningCycle::Monthly);
    assert_eq!(m.categories, ["ORPHAN_SCATTERED", "DE_FACTO_UNSUPPORTED"]);
    let qh = load("qinghai");
    let m = qh.manifest();
    assert_eq!(m.province_code, "63");
    assert_eq!(
        m.categories,
        ["ORPHAN_SCATTERED", "DE_FACTO_UNSUPPORTED", "MIGRANT"]
    );
}

#[test]
fn the_qinghai_21_item_catalogue_is_all_placeholders_in_six_areas() {
    let mut qh = load("qinghai");
    let items = qh.service_catalog().unwrap();
    assert_eq!(items.len(), 21);
    for (n, item) in items.iter().enumerate() {
        assert!(item.placeholder, "{} must be a placeholder", item.code);
        assert_eq!(item.name, format!("（待补充）第{}项", n + 1));
    }
    let codes: std::collections::BTreeSet<&str> = items.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes.len(), 21, "codes unique");
    // Items come grouped by area, in this order.
    let mut areas: Vec<&str> = items.iter().map(|i| i.area.as_str()).collect();
    areas.dedup();
    assert_eq!(
        areas,
        [
            "幼有所育",
            "学有所教",
            "病有所医",
            "住有所居",
            "弱有所扶",
            "发展保障"
        ]
    );
}

// ------------------------------------------------------------------ forms

fn fv(id: &str, value: p::Value) -> p::FieldValue {
    p::FieldValue {
        field_id: id.into(),
        row: None,
        value,
    }
}

fn text(v: &str) -> p::Value {
    p::Value::Text(v.into())
}

fn pick(v: &str) -> p::Value {
    p::Value::Choice(v.into())
}

fn issue<'a>(e: &'a p::FormEvaluation, field: &str) -> Option<&'a p::FieldIssue> {
    e.issues.iter().find(|i| i.field_id == field)
}

#[test]
fn the_wish_form_hides_claim_fields_until_claimed_and_checks_amount_and_dates() {
    let mut xz = load("xizang");
    let forms = xz.forms().unwrap();
    let wish = forms.iter().find(|f| f.id == "wish").unwrap();
    let binding = |id: &str| {
        wish.fields
            .iter()
            .find(|f| f.id == id)
            .unwrap()
            .core_binding
            .clone()
    };
    assert_eq!(binding("child_name"), "child.name");
    assert_eq!(binding("child_name_alt"), "child.name_alt");

    let base = vec![
        fv("child_name", text("次仁卓玛")),
        fv("child_name_alt", text(TIBETAN_NAME)),
        fv("wish_text", text("一套画笔")),
        fv("category", pick("study")),
        fv("amount", p::Value::Decimal(80.0)),
        fv("registered_on", text("2025-05-01")),
        fv("status", pick("open")),
    ];
    let e = xz.evaluate_form("wish", &base, TODAY, None).unwrap();
    assert!(!e.has_errors(), "{:?}", e.issues);
    for h in ["sponsor", "claimed_on", "fulfilled_on", "category_other"] {
        assert!(
            e.hidden.iter().any(|x| x == h),
            "{h} hidden: {:?}",
            e.hidden
        );
    }

    let mut claimed = base.clone();
    claimed[6] = fv("status", pick("fulfilled"));
    let e = xz.evaluate_form("wish", &claimed, TODAY, None).unwrap();
    assert!(!e.hidden.iter().any(|x| x == "sponsor"));
    assert_eq!(
        issue(&e, "sponsor").map(|i| i.severity),
        Some(p::Severity::Error)
    );
    claimed.push(fv("sponsor", text("某企业")));
    claimed.push(fv("claimed_on", text("2025-05-10")));
    claimed.push(fv("fulfilled_on", text("2025-05-09")));
    let e = xz.evaluate_form("wish", &claimed, TODAY, None).unwrap();
    assert!(issue(&e, "fulfilled_on").unwrap().message.contains("早于"));

    let mut big = base.clone();
    big[4] = fv("amount", p::Value::Decimal(800.0));
    let e = xz.evaluate_form("wish", &big, TODAY, None).unwrap();
    assert_eq!(
        issue(&e, "amount").map(|i| i.severity),
        Some(p::Severity::Warning)
    );
    assert!(!e.has_errors());
    big[4] = fv("amount", p::Value::Decimal(0.0));
    let e = xz.evaluate_form("wish", &big, TODAY, None).unwrap();
    assert_eq!(
        issue(&e, "amount").map(|i| i.severity),
        Some(p::Severity::Error)
    );
}

#[test]
fn the_psc17_form_names_unanswered_items_and_computes_the_result() {
    let mut xz = load("xizang");
    let mut values = vec![
        fv("child_name", text("次仁卓玛")),
        fv("screen_date", text("2025-05-20")),
        fv("informant", text("舅舅")),
    ];
    values.extend(psc(5, 0, 0).into_iter().map(|(i, c)| fv(i, pick(&c))));
    let e = xz.evaluate_form("psc17", &values, TODAY, None).unwrap();
    assert!(!e.has_errors(), "{:?}", e.issues);
    assert!(
        e.computed
            .iter()
            .any(|c| c.field_id == "psc_total" && c.value == p::Value::Integer(5))
    );
    assert!(e
        .computed
        .iter()
        .any(|c| matches!(&c.value, p::Value::Text(t) if c.field_id == "psc_result" && t.starts_with("阳性"))));
    values.retain(|v| v.field_id != "psc_worries");
    let e = xz.evaluate_form("psc17", &values, TODAY, None).unwrap();
    assert!(e.has_errors());
    assert!(issue(&e, "psc_worries").unwrap().message.contains("担心"));
    assert!(e.computed.is_empty());
}

#[test]
fn qinghai_forms_validate_activities_migrants_and_the_rubric() {
    let mut qh = load("qinghai");
    let activity = |participants: i64, kind: &str| {
        vec![
            fv("venue", text("泗洱河村儿童之家")),
            fv("date", text("2025-05-17")),
            fv("activity_type", pick(kind)),
            fv("participants", p::Value::Integer(participants)),
            fv("staff", text("李春梅")),
            fv("content", text("团体心理游戏与绘画分享，家长旁听。")),
        ]
    };
    let e = qh
        .evaluate_form(
            "children-home-activity",
            &activity(18, "psych"),
            TODAY,
            None,
        )
        .unwrap();
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert_eq!(e.hidden, ["activity_type_other"]);
    let e = qh
        .evaluate_form("children-home-activity", &activity(0, "other"), TODAY, None)
        .unwrap();
    assert_eq!(
        issue(&e, "participants").map(|i| i.severity),
        Some(p::Severity::Error)
    );
    assert!(e.hidden.is_empty());
    assert!(issue(&e, "activity_type_other").is_some());
    let e = qh
        .evaluate_form(
            "children-home-activity",
            &activity(150, "psych"),
            TODAY,
            None,
        )
        .unwrap();
    assert_eq!(
        issue(&e, "participants").map(|i| i.severity),
        Some(p::Severity::Warning)
    );
    let mut future = activity(18, "psych");
    future[1] = fv("date", text("2025-06-01"));
    let e = qh
        .evaluate_form("children-home-activity", &future, TODAY, None)
        .unwrap();
    assert_eq!(
        issue(&e, "date").map(|i| i.severity),
        Some(p::Severity::Error)
    );

    // A move between two districts of one city asks the central-district question.
    let migrant = |hukou: &str| {
        vec![
            fv("hukou_division", text(hukou)),
            fv("residence_division", text("630106100200")),
            fv("moved_in_on", text("2023-05-01")),
            fv("accompanied_by", pick("one_parent")),
        ]
    };
    let e = qh
        .evaluate_form("migrant", &migrant("632122"), TODAY, None)
        .unwrap();
    assert!(e.hidden.iter().any(|h| h == "central_districts_only"));
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    let e = qh
        .evaluate_form("migrant", &migrant("630104"), TODAY, None)
        .unwrap();
    assert!(!e.hidden.iter().any(|h| h == "central_districts_only"));
    assert_eq!(
        issue(&e, "central_districts_only").map(|i| i.severity),
        Some(p::Severity::Error)
    );

    let mut rubric_values: Vec<p::FieldValue> = rubric(30, &[])
        .into_iter()
        .map(|(d, c)| fv(d, pick(&c)))
        .collect();
    rubric_values.push(fv("assessed_on", text("2025-05-15")));
    rubric_values.push(fv("assessor", text("韩桂英")));
    let e = qh
        .evaluate_form("guardianship", &rubric_values, TODAY, None)
        .unwrap();
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert!(e.hidden.iter().any(|h| h == "report_receipt"));
    assert!(e.computed.contains(&fv("level", text("监护正常"))));
    rubric_values.push(fv(
        "mandatory_situations",
        p::Value::Choices(vec!["ABANDONED_UNCARED".into()]),
    ));
    let e = qh
        .evaluate_form("guardianship", &rubric_values, TODAY, None)
        .unwrap();
    assert!(!e.hidden.iter().any(|h| h == "report_receipt"));
    assert_eq!(
        issue(&e, "mandatory_situations").map(|i| i.severity),
        Some(p::Severity::Warning)
    );
    assert!(e.computed.contains(&fv("level", text("监护缺失"))));
    rubric_values.retain(|v| v.field_id != "gs_health");
    let e = qh
        .evaluate_form("guardianship", &rubric_values, TODAY, None)
        .unwrap();
    assert!(issue(&e, "gs_health").unwrap().message.contains("健康"));
}

// ------------------------------------------------------------------ reports

fn pdftotext(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Renders through hutong-report and returns the PDF's extracted text.
fn render_pdf(plugin: &mut Plugin, template: &str, children: Vec<p::ChildSnapshot>) -> String {
    let input = p::ReportInput {
        today: TODAY.into(),
        county_name: "测试县".into(),
        office_name: "测试县民政局".into(),
        children,
        params: vec![("activities".into(), "6".into())],
    };
    let doc = plugin.render_report(template, &input).unwrap();
    let pdf = hutong_report::render(&doc, &hutong_report::FontSet::bundled()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{template}.pdf"));
    std::fs::write(&path, &pdf).unwrap();
    if let Ok(keep) = std::env::var("HUTONG_TEST_PDF_OUT") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&path, Path::new(&keep).join(format!("{template}.pdf"))).unwrap();
    }
    pdftotext(&path)
}

/// Every "text" string in a serialised document, in node order.
fn texts_of(v: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("text", serde_json::Value::String(s)) => out.push(s.clone()),
                        _ => walk(x, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

fn fixture(province: &str, name: &str) -> p::ChildSnapshot {
    cases(province)
        .into_iter()
        .find(|c| c.child.name == name)
        .unwrap_or_else(|| panic!("{province}: no fixture {name}"))
        .child
}

#[test]
fn every_xizang_report_prints_the_chinese_and_the_tibetan_name() {
    let mut xz = load("xizang");
    let templates = xz.report_templates().unwrap();
    assert_eq!(templates.len(), 2);
    let child = fixture("xizang", "次仁卓玛");
    assert_eq!(child.name_alt, TIBETAN_NAME);
    for t in &templates {
        let text = render_pdf(&mut xz, &t.id, vec![child.clone()]);
        assert!(text.contains("次仁卓玛"), "{}: {text}", t.id);
        assert!(text.contains(TIBETAN_NAME), "{}: {text}", t.id);
    }
    let text = render_pdf(&mut xz, "psc17-result", vec![child.clone()]);
    // 次仁卓玛's saved answers: I 6 (≥5) → positive although total 12 < 15.
    assert!(text.contains("阳性"), "{text}");
    assert!(text.contains("Gardner"), "{text}");
    let text = render_pdf(&mut xz, "wish-register", vec![child.clone()]);
    assert!(text.contains("画笔") && text.contains("已实现"), "{text}");

    // No saved screening: the report says which form is missing.
    let mut bare = child;
    bare.forms.clear();
    let input = p::ReportInput {
        today: TODAY.into(),
        children: vec![bare],
        ..Default::default()
    };
    let msg = rejection(xz.render_report("psc17-result", &input).unwrap_err());
    assert!(msg.contains("PSC-17"), "{msg}");
}

#[test]
fn every_qinghai_report_renders_with_names_levels_and_counts() {
    let mut qh = load("qinghai");
    let templates = qh.report_templates().unwrap();
    assert_eq!(templates.len(), 2);

    let ma = fixture("qinghai", "马文博");
    let text = render_pdf(&mut qh, "guardianship-report", vec![ma.clone()]);
    assert!(
        text.contains("马文博") && text.contains("监护不足"),
        "{text}"
    );
    let absent = cases("qinghai")
        .into_iter()
        .find(|c| {
            c.child
                .relations
                .iter()
                .any(|r| r.situation == "GUARDIANSHIP_REVOKED")
        })
        .unwrap()
        .child;
    let text = render_pdf(&mut qh, "guardianship-report", vec![absent.clone()]);
    assert!(
        text.contains(&absent.name) && text.contains("监护缺失"),
        "{text}"
    );

    let mut everyone: Vec<p::ChildSnapshot> =
        cases("qinghai").into_iter().map(|c| c.child).collect();
    everyone.push(fixture("xizang", "次仁卓玛"));
    let doc = qh
        .render_report(
            "monthly-statistics",
            &p::ReportInput {
                today: TODAY.into(),
                children: everyone.clone(),
                ..Default::default()
            },
        )
        .unwrap();
    // Table cells are created row by row, so in the node arena a label's
    // count is the next text after it (within the table's section).
    let texts = texts_of(&serde_json::to_value(&doc).unwrap());
    let count_after = |section: &str, label: &str| -> String {
        let start = texts.iter().position(|t| t.contains(section)).unwrap();
        let at = start + texts[start..].iter().position(|t| t == label).unwrap();
        texts[at + 1].clone()
    };
    // 马文博 不足, 张小雨 正常, the revoked case 缺失; three unassessed.
    let by_level = "按监护能力评估等级";
    assert_eq!(count_after(by_level, "监护正常"), "1");
    assert_eq!(count_after(by_level, "监护不足"), "1");
    assert_eq!(count_after(by_level, "监护失当"), "0");
    assert_eq!(count_after(by_level, "监护缺失"), "1");
    assert_eq!(count_after(by_level, "未评估"), "3");
    let by_category = "按儿童类别";
    assert_eq!(count_after(by_category, "流动儿童"), "1");
    assert_eq!(count_after(by_category, "散居孤儿"), "1");
    assert_eq!(count_after(by_category, "家庭困境儿童"), "1");
    assert_eq!(count_after(by_category, "未认定类别"), "4");
    let text = render_pdf(&mut qh, "monthly-statistics", everyone);
    for name in ["马文博", "张小雨", "次仁卓玛", TIBETAN_NAME] {
        assert!(text.contains(name), "{name}: {text}");
    }
    assert!(text.contains("2025年5月"), "{text}");
}

// ------------------------------------------------------------------ signing

#[test]
fn both_plugins_sign_and_verify_and_tampering_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("test.key");
    let public = signing::keygen(&key).unwrap();
    for province in ["xizang", "qinghai"] {
        let plugin = dir.path().join(format!("{province}.wasm"));
        std::fs::copy(wasm(&format!("hutong_plugin_{province}")), &plugin).unwrap();
        let bytes = std::fs::read(&plugin).unwrap();
        signing::sign(&key, &plugin).unwrap();
        assert_eq!(
            signing::verify(&plugin, &bytes, std::slice::from_ref(&public)).unwrap(),
            public
        );
        let mut tampered = bytes.clone();
        let mid = tampered.len() / 2;
        tampered[mid] ^= 0x01;
        assert!(signing::verify(&plugin, &tampered, std::slice::from_ref(&public)).is_err());
    }
}
