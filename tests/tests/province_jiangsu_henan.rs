//! The 江苏 (32) and 河南 (41) province plugins through the real host: the
//! DOMAIN §5 fixtures in `plugins/<p>/cases/`, the 8- vs 6-situation
//! difference, the 四色 and 困境级别 scales, forms, the service catalogue,
//! every report template rendered to PDF, and signing.
//!
//! Expectations live here, not in the case files, so editing a fixture
//! cannot quietly change what is asserted.

use hutong_core::province as p;
use hutong_plugin_host::{CallFailure, Plugin, Runtime, RuntimeConfig, signing};
use std::path::{Path, PathBuf};
use std::process::Command;

const JIANGSU: &str = "hutong_plugin_jiangsu";
const HENAN: &str = "hutong_plugin_henan";

fn wasm(name: &str) -> PathBuf {
    let path = Path::new(env!("HUTONG_PLUGIN_DIR")).join(format!("{name}.wasm"));
    assert!(path.exists(), "{} missing", path.display());
    path
}

fn load(name: &str) -> Plugin {
    Runtime::new(RuntimeConfig::default())
        .unwrap()
        .load_file(&wasm(name))
        .unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A fixture case: (child, today).
fn case(province: &str, file: &str) -> (p::ChildSnapshot, String) {
    let path = repo()
        .join("plugins")
        .join(province)
        .join("cases")
        .join(format!("{file}.json"));
    let text = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let child = serde_json::from_value(v["child"].clone()).unwrap();
    (child, v["today"].as_str().unwrap().to_string())
}

fn finding(plugin: &mut Plugin, child: &p::ChildSnapshot, today: &str, cat: &str) -> p::Finding {
    plugin
        .classify(child, today)
        .unwrap()
        .into_iter()
        .find(|f| f.category == cat)
        .unwrap_or_else(|| panic!("no {cat} finding"))
}

fn status(
    plugin: &mut Plugin,
    child: &p::ChildSnapshot,
    today: &str,
    cat: &str,
) -> p::FindingStatus {
    finding(plugin, child, today, cat).status
}

use p::FindingStatus::{Eligible, EvidenceMissing, NotEligible};
const DE_FACTO: &str = "DE_FACTO_UNSUPPORTED";
const ORPHAN: &str = "ORPHAN_SCATTERED";
const LEFT: &str = "LEFT_BEHIND_RURAL";
const MIGRANT: &str = "MIGRANT";

/// The de-facto fixtures both provinces share give the same answers.
fn shared_fixtures(plugin: &mut Plugin, province: &str) {
    let (zhang, today) = case(province, "01-zhang-xiaoyu");
    assert_eq!(today, "2023-07-10");
    let f = finding(plugin, &zhang, &today, DE_FACTO);
    assert_eq!(f.status, Eligible, "{:?}", f.reasons);
    assert_eq!(f.effective_until.as_deref(), Some("2031-04-15"));
    assert_eq!(status(plugin, &zhang, "2023-07-09", DE_FACTO), NotEligible);

    let (li, today) = case(province, "02-li-haoran");
    let f = finding(plugin, &li, &today, LEFT);
    assert_eq!(f.status, Eligible, "{:?}", f.reasons);
    assert!(f.reasons.iter().any(|r| r.contains("委托照护确认书")));
    assert_eq!(f.effective_until.as_deref(), Some("2031-08-22"));
    assert_eq!(status(plugin, &li, "2031-08-22", LEFT), NotEligible);
    assert_eq!(status(plugin, &li, &today, DE_FACTO), NotEligible);

    let (liu, today) = case(province, "04-liu-xinyi");
    assert_eq!(status(plugin, &liu, &today, DE_FACTO), Eligible);
    assert_eq!(status(plugin, &liu, "2027-06-12", DE_FACTO), NotEligible);

    let (c, today) = case(province, "05-neg-imprisoned-4-months");
    let f = finding(plugin, &c, &today, DE_FACTO);
    assert_eq!(f.status, NotEligible);
    assert!(
        f.reasons.iter().any(|r| r.contains("不足6个月")),
        "{:?}",
        f.reasons
    );

    let (c, today) = case(province, "06-neg-mother-limb-grade3");
    let f = finding(plugin, &c, &today, DE_FACTO);
    assert_eq!(f.status, NotEligible);
    assert!(
        f.reasons.iter().any(|r| r.contains("不属于重残")),
        "{:?}",
        f.reasons
    );

    let (c, today) = case(province, "07-neg-both-dead-orphan");
    assert_eq!(status(plugin, &c, &today, DE_FACTO), NotEligible);
    assert_eq!(status(plugin, &c, &today, ORPHAN), Eligible);
    assert_eq!(status(plugin, &zhang, "2023-07-10", ORPHAN), NotEligible);
}

#[test]
fn jiangsu_fixtures_are_classified_as_domain_section_5_says() {
    let mut js = load(JIANGSU);
    shared_fixtures(&mut js, "jiangsu");
    let (wang, today) = case("jiangsu", "03-wang-zixuan");
    assert_eq!(status(&mut js, &wang, &today, LEFT), Eligible);
    assert_eq!(status(&mut js, &wang, &today, "DIFFICULT_SELF"), Eligible);
    // Grade 3 would not be 自身困境 under the plugin's grade-2 threshold.
    let mut grade3 = wang.clone();
    grade3.disability_grade = Some(3);
    assert_eq!(
        status(&mut js, &grade3, &today, "DIFFICULT_SELF"),
        NotEligible
    );
    // A city 居委会 child is not 农村留守.
    let mut urban = wang.clone();
    urban.hukou_division = "320903001001".into();
    urban.residence_division = "320903001001".into();
    assert_eq!(status(&mut js, &urban, &today, LEFT), NotEligible);
    // One parent away and the other severely disabled is 留守 too.
    let mut one_away = wang;
    one_away.relations[1] = p::RelationSnapshot {
        relation: "MOTHER".into(),
        situation: "SEVERE_DISABILITY".into(),
        disability_type: "精神残疾".into(),
        disability_grade: Some(3),
        ..Default::default()
    };
    assert_eq!(status(&mut js, &one_away, &today, LEFT), Eligible);
    one_away.relations[1].situation.clear();
    assert_eq!(status(&mut js, &one_away, &today, LEFT), NotEligible);
}

#[test]
fn henan_fixtures_are_classified_and_ma_wenbo_is_a_priority_migrant_child() {
    let mut hn = load(HENAN);
    shared_fixtures(&mut hn, "henan");
    let (ma, today) = case("henan", "09-ma-wenbo");
    let f = finding(&mut hn, &ma, &today, MIGRANT);
    assert_eq!(f.status, Eligible, "{:?}", f.reasons);
    let all = f.reasons.join("；");
    assert!(
        all.contains("重点关爱") && all.contains("家庭经济困难"),
        "{all}"
    );
    assert_eq!(f.effective_until.as_deref(), Some("2028-03-03"));

    // Fewer than 6 months here: not yet.
    let mut recent = ma.clone();
    recent.forms[0].values[0].value = p::Value::Text("2025-01-01".into());
    assert_eq!(status(&mut hn, &recent, &today, MIGRANT), NotEligible);
    // Same county: not a 流动儿童.
    let mut local = ma.clone();
    local.hukou_division = "630106100201".into();
    assert_eq!(status(&mut hn, &local, &today, MIGRANT), NotEligible);
    // Only between central districts of one city: excluded.
    let mut central = ma.clone();
    central.forms[0].values[1].value = p::Value::Boolean(true);
    assert_eq!(status(&mut hn, &central, &today, MIGRANT), NotEligible);
    // No monitoring form: the arrival date is missing.
    let mut bare = ma.clone();
    bare.forms.clear();
    let f = finding(&mut hn, &bare, &today, MIGRANT);
    assert_eq!(f.status, EvidenceMissing);
    assert!(f.reasons.iter().any(|r| r.contains("来本地居住日期")));
    // Without a recorded reason and no hardship category: 流动 but not 重点关爱.
    let mut plain = ma;
    plain.categories = vec!["MIGRANT".into()];
    plain.forms[0].values[2].value = p::Value::Choices(vec![]);
    let f = finding(&mut hn, &plain, &today, MIGRANT);
    assert_eq!(f.status, Eligible);
    assert!(!f.reasons.join("").contains("重点关爱"), "{:?}", f.reasons);
}

#[test]
fn revoked_guardianship_counts_in_jiangsu_eight_situations_but_not_henan_six() {
    let mut js = load(JIANGSU);
    let mut hn = load(HENAN);
    let (c, today) = case("jiangsu", "08-revoked-guardianship");
    let (c2, today2) = case("henan", "08-revoked-guardianship");
    assert_eq!(c, c2, "both provinces test the same child");
    assert_eq!(today, today2);
    let j = finding(&mut js, &c, &today, DE_FACTO);
    let h = finding(&mut hn, &c, &today, DE_FACTO);
    assert_eq!(j.status, Eligible, "{:?}", j.reasons);
    assert_eq!(h.status, NotEligible, "{:?}", h.reasons);
    assert!(j.citation.contains("8种情形"), "{}", j.citation);
    assert_eq!(h.citation, "民发〔2019〕62号");
}

#[test]
fn manifests_state_province_cycle_categories_and_cadence() {
    let js = load(JIANGSU);
    let m = js.manifest();
    assert_eq!(m.province_code, "32");
    assert_eq!(m.screening_cycle, p::ScreeningCycle::HalfYearly);
    assert_eq!(m.visit_policy.default_days, 30, "一月一访");
    let days = |m: &p::Manifest, l: &str| {
        m.visit_policy
            .by_level
            .iter()
            .find(|c| c.level == l)
            .map(|c| c.days)
    };
    assert_eq!(days(m, "red"), Some(7));
    assert_eq!(days(m, "yellow"), Some(14));
    assert_eq!(days(m, "blue"), Some(30));
    assert_eq!(days(m, "green"), Some(30));
    assert!(m.description.contains("示例"));
    for c in [DE_FACTO, ORPHAN, LEFT, "DIFFICULT_SELF"] {
        assert!(m.categories.iter().any(|x| x == c), "{c}");
    }

    let hn = load(HENAN);
    let m = hn.manifest();
    assert_eq!(m.province_code, "41");
    assert_eq!(m.screening_cycle, p::ScreeningCycle::HalfYearly);
    assert_eq!(days(m, "L1"), Some(7));
    assert_eq!(days(m, "L3"), Some(30));
    assert_eq!(days(m, "L5"), Some(90));
    for c in [DE_FACTO, ORPHAN, LEFT, MIGRANT] {
        assert!(m.categories.iter().any(|x| x == c), "{c}");
    }
}

fn answers(pairs: &[(&str, &str)]) -> p::AssessInput {
    p::AssessInput {
        today: "2025-05-22".into(),
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

/// `pairs`, with every other item of `scale` answered with its first
/// option (the 0-point one in both provinces' tables): the host refuses a
/// questionnaire with gaps (issue #18), so "nothing risky" must be said.
fn full(scales: &[p::ScaleDef], scale: &str, pairs: &[(&str, &str)]) -> p::AssessInput {
    let def = scales.iter().find(|s| s.id == scale).expect("scale");
    let mut input = answers(pairs);
    for item in &def.items {
        if !pairs.iter().any(|(i, _)| *i == item.id) {
            input.answers.push(p::Answer {
                item_id: item.id.clone(),
                code: item.options[0].code.clone(),
            });
        }
    }
    input
}

/// The items the host names when it refuses a questionnaire.
fn unanswered(err: hutong_plugin_host::PluginError) -> Vec<String> {
    match err.failure() {
        Some(CallFailure::Unanswered { items, .. }) => items.clone(),
        other => panic!("expected unanswered items, got {other:?}"),
    }
}

fn rejected(err: hutong_plugin_host::PluginError) -> String {
    match err.failure() {
        Some(CallFailure::Rejected { message }) => message.clone(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn wang_zixuan_is_yellow_on_the_jiangsu_four_colour_scale() {
    let mut js = load(JIANGSU);
    let js_scales = js.scales().unwrap();
    let scale = &js_scales[0];
    assert_eq!(scale.id, "four-colour");
    let groups: std::collections::BTreeSet<&str> =
        scale.items.iter().map(|i| i.group.as_str()).collect();
    assert_eq!(
        groups,
        ["监护风险", "生理风险", "行为风险"].into_iter().collect()
    );
    assert!(scale.items.iter().all(|i| i.options.len() >= 2));

    // The answers in the fixture reflect 肢体残疾二级 and both parents away.
    let text =
        std::fs::read_to_string(repo().join("plugins/jiangsu/cases/03-wang-zixuan.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let input = p::AssessInput {
        today: "2025-05-22".into(),
        answers: serde_json::from_value(v["assess"][0]["answers"].clone()).unwrap(),
        child: None,
    };
    assert!(
        input
            .answers
            .iter()
            .any(|a| a.item_id == "p_disability" && a.code == "grade12")
    );
    let a = js.assess("four-colour", &input).unwrap();
    assert_eq!(a.colour, Some(p::Colour::Yellow), "{:?}", a.reasons);
    assert_eq!(a.level_code, "yellow");
    assert_eq!(a.next_visit_days, Some(14));
    assert_eq!(a.score, Some(5.0));
    let physical = a.sub_scores.iter().find(|s| s.name == "生理风险").unwrap();
    assert!(physical.flagged && physical.value == 3.0);
    assert_eq!(a.sub_scores.len(), 3);

    let green = js
        .assess("four-colour", &full(&js_scales, "four-colour", &[]))
        .unwrap();
    assert_eq!(green.colour, Some(p::Colour::Green));
    assert_eq!(green.next_visit_days, Some(30));
    let blue = js
        .assess(
            "four-colour",
            &full(&js_scales, "four-colour", &[("g_parents", "both_away")]),
        )
        .unwrap();
    assert_eq!(blue.colour, Some(p::Colour::Blue));
    // A single red-flag answer is red whatever the total.
    let red = js
        .assess(
            "four-colour",
            &full(&js_scales, "four-colour", &[("g_harm", "yes")]),
        )
        .unwrap();
    assert_eq!(red.colour, Some(p::Colour::Red));
    assert_eq!(red.next_visit_days, Some(7));
    // Two flagged dimensions are red too.
    let red2 = js
        .assess(
            "four-colour",
            &full(
                &js_scales,
                "four-colour",
                &[("p_disability", "grade12"), ("b_school", "dropout")],
            ),
        )
        .unwrap();
    assert_eq!(red2.colour, Some(p::Colour::Red));

    // A code the item does not offer is refused by the host, naming it.
    let items = unanswered(
        js.assess(
            "four-colour",
            &full(&js_scales, "four-colour", &[("p_disability", "grade9")]),
        )
        .unwrap_err(),
    );
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(items[0].contains("grade9"), "{items:?}");
    // And an empty questionnaire names every item instead of reading as 绿.
    let items = unanswered(js.assess("four-colour", &answers(&[])).unwrap_err());
    assert_eq!(items.len(), js_scales[0].items.len());
    assert!(items[0].starts_with("第1项"), "{items:?}");
    let msg = rejected(
        js.assess(
            "four-colour",
            &full(&js_scales, "four-colour", &[("nope", "1")]),
        )
        .unwrap_err(),
    );
    assert!(msg.contains("nope"), "{msg}");
}

/// (answers, expected score, level code, colour).
type Band<'a> = (&'a [(&'a str, &'a str)], f64, &'a str, p::Colour);

#[test]
fn henan_hardship_levels_follow_the_bands_and_the_emergency_override() {
    let mut hn = load(HENAN);
    let hn_scales = hn.scales().unwrap();
    let scale = &hn_scales[0];
    assert_eq!(scale.id, "hardship-level");
    // Answer sets with known totals (points from DOMAIN §2.3 c).
    let cases: &[Band] = &[
        (&[], 0.0, "L5", p::Colour::Green),
        (&[("structure", "remarried")], 0.5, "L5", p::Colour::Green),
        (&[("health", "unwell")], 1.0, "L4", p::Colour::Green),
        (&[("motivation", "truant")], 5.0, "L4", p::Colour::Green),
        (
            &[("motivation", "truant"), ("health", "unwell")],
            6.0,
            "L3",
            p::Colour::Yellow,
        ),
        (
            &[
                ("motivation", "truant"),
                ("no_guardian", "yes"),
                ("night_out", "yes"),
                ("parent_child", "poor"),
            ],
            15.0,
            "L3",
            p::Colour::Yellow,
        ),
        (
            &[
                ("motivation", "truant"),
                ("no_guardian", "yes"),
                ("night_out", "yes"),
                ("parent_child", "poor"),
                ("health", "unwell"),
            ],
            16.0,
            "L2",
            p::Colour::Orange,
        ),
        (
            &[
                ("motivation", "truant"),
                ("no_guardian", "yes"),
                ("night_out", "yes"),
                ("parent_child", "poor"),
                ("teacher", "hostile"),
                ("life_state", "decadent"),
                ("dropout", "yes"),
                ("parent_time", "holidays"),
                ("guardian_body", "both"),
            ],
            25.0,
            "L2",
            p::Colour::Orange,
        ),
        (
            &[
                ("motivation", "truant"),
                ("no_guardian", "yes"),
                ("night_out", "yes"),
                ("parent_child", "poor"),
                ("teacher", "hostile"),
                ("life_state", "decadent"),
                ("dropout", "yes"),
                ("parent_time", "holidays"),
                ("guardian_body", "both"),
                ("health", "unwell"),
            ],
            26.0,
            "L1",
            p::Colour::Red,
        ),
        // 祖父母监护充足 takes a point off: 6 − 1 = 5 is back to Level 4.
        (
            &[
                ("motivation", "truant"),
                ("health", "unwell"),
                ("grandparent_time", "ample"),
            ],
            5.0,
            "L4",
            p::Colour::Green,
        ),
    ];
    for (pairs, score, level, colour) in cases {
        let a = hn
            .assess("hardship-level", &full(&hn_scales, "hardship-level", pairs))
            .unwrap();
        assert_eq!(a.score, Some(*score), "{pairs:?}");
        assert_eq!(a.level_code, *level, "score {score}");
        assert_eq!(a.colour, Some(*colour), "score {score}");
    }
    // Any emergency answer is Level 1 at once, without a score.
    let a = hn
        .assess(
            "hardship-level",
            &full(
                &hn_scales,
                "hardship-level",
                &[("e_runaway", "yes"), ("health", "good")],
            ),
        )
        .unwrap();
    assert_eq!(a.level_code, "L1");
    assert_eq!(a.colour, Some(p::Colour::Red));
    assert_eq!(a.score, None, "scoring is skipped");
    assert!(a.reasons[0].contains("离家出走"), "{:?}", a.reasons);
    // "No" to every emergency item does not trigger it.
    let a = hn
        .assess(
            "hardship-level",
            &full(&hn_scales, "hardship-level", &[("e_runaway", "no")]),
        )
        .unwrap();
    assert_eq!(a.level_code, "L5");

    let items = unanswered(
        hn.assess(
            "hardship-level",
            &full(&hn_scales, "hardship-level", &[("motivation", "sometimes")]),
        )
        .unwrap_err(),
    );
    assert!(
        items.len() == 1 && items[0].contains("sometimes"),
        "{items:?}"
    );
}

fn fv(id: &str, row: Option<u32>, value: p::Value) -> p::FieldValue {
    p::FieldValue {
        field_id: id.into(),
        row,
        value,
    }
}

fn has_issue(e: &p::FormEvaluation, field: &str, sev: p::Severity) -> bool {
    e.issues
        .iter()
        .any(|i| i.field_id == field && i.severity == sev)
}

#[test]
fn jiangsu_forms_bind_core_fields_and_evaluate_errors_warnings_and_hidden() {
    use p::Severity::{Error, Warning};
    use p::Value::{Boolean, Choice, Integer, Text};
    let mut js = load(JIANGSU);
    let forms = js.forms().unwrap();
    let wuqing = forms.iter().find(|f| f.id == "wuqing").unwrap();
    let titles: Vec<&str> = wuqing.sections.iter().map(|s| s.title.as_str()).collect();
    for t in [
        "数据清",
        "基本情况清",
        "社会关系清",
        "成长需求清",
        "重要情况清",
    ] {
        assert!(titles.iter().any(|x| x.contains(t)), "{t} in {titles:?}");
    }
    let bound = |id: &str| {
        wuqing
            .fields
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.core_binding.as_str())
    };
    assert_eq!(bound("name"), Some("child.name"));
    assert_eq!(bound("id_number"), Some("child.id_number"));
    assert_eq!(
        bound("residence_division"),
        Some("child.residence_division")
    );
    assert_eq!(bound("phone"), Some("child.phone"));
    assert_eq!(bound("school_stage"), Some("child.schooling"));
    assert!(
        wuqing
            .fields
            .iter()
            .any(|f| f.group == "members" && f.id == "member_name")
    );
    match &wuqing
        .fields
        .iter()
        .find(|f| f.id == "school_grade")
        .unwrap()
        .kind
    {
        p::FieldKind::SingleChoice(c) => {
            assert_eq!(c.parent, "school_stage");
            assert!(c.options.iter().all(|o| !o.parent_code.is_empty()));
        }
        other => panic!("{other:?}"),
    }

    // The fixture's 五清 values are complete.
    let text =
        std::fs::read_to_string(repo().join("plugins/jiangsu/cases/03-wang-zixuan.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let values: Vec<p::FieldValue> =
        serde_json::from_value(v["forms"][0]["values"].clone()).unwrap();
    let e = js
        .evaluate_form("wuqing", &values, "2025-05-22", None)
        .unwrap();
    assert!(!e.has_errors(), "{:?}", e.issues);
    assert!(!e.hidden.contains(&"school_grade".to_string()));

    // Dropping out hides the grade and warns; a grade from another stage is an error;
    // a household row without a name is an error on that row.
    let mut bad = values.clone();
    for v in bad.iter_mut() {
        if v.field_id == "school_grade" {
            v.value = Choice("小学-3".into());
        }
        if v.field_id == "member_name" && v.row == Some(1) {
            v.value = Text(String::new());
        }
    }
    let e = js
        .evaluate_form("wuqing", &bad, "2025-05-22", None)
        .unwrap();
    assert!(has_issue(&e, "school_grade", Error), "{:?}", e.issues);
    assert!(
        e.issues
            .iter()
            .any(|i| i.field_id == "member_name" && i.row == Some(1) && i.severity == Error)
    );
    for v in bad.iter_mut() {
        if v.field_id == "school_stage" {
            v.value = Choice("辍学".into());
        }
    }
    let e = js
        .evaluate_form("wuqing", &bad, "2025-05-22", None)
        .unwrap();
    assert!(e.hidden.contains(&"school_grade".to_string()));
    assert!(!has_issue(&e, "school_grade", Error));
    assert!(has_issue(&e, "school_stage", Warning));
    let empty = js.evaluate_form("wuqing", &[], "2025-05-22", None).unwrap();
    assert!(has_issue(&empty, "name", Error) && has_issue(&empty, "record_date", Error));

    // The entrusted-care form (未保法 第二十三条).
    let base = vec![
        fv("carer_name", None, Text("李建国".into())),
        fv(
            "carer_relation",
            None,
            Choice("PATERNAL_GRANDFATHER".into()),
        ),
        fv("carer_capable", None, Boolean(true)),
        fv("confirmation_date", None, Text("2021-02-15".into())),
        fv("carer_confirmed", None, Boolean(true)),
        fv("weekly_contact", None, Boolean(true)),
        fv("contacts_per_month", None, Integer(6)),
    ];
    let ok = js
        .evaluate_form("entrusted-care", &base, "2025-05-22", None)
        .unwrap();
    assert!(ok.issues.is_empty(), "{:?}", ok.issues);
    assert_eq!(ok.hidden, vec!["no_contact_reason".to_string()]);

    let mut few = base.clone();
    few[6].value = Integer(3);
    let e = js
        .evaluate_form("entrusted-care", &few, "2025-05-22", None)
        .unwrap();
    assert!(!e.has_errors());
    assert!(has_issue(&e, "contacts_per_month", Warning));

    let mut no_weekly = base.clone();
    no_weekly[5].value = Boolean(false);
    no_weekly[4].value = Boolean(false);
    let e = js
        .evaluate_form("entrusted-care", &no_weekly, "2025-05-22", None)
        .unwrap();
    assert!(e.hidden.is_empty(), "the reason is asked for");
    assert!(has_issue(&e, "no_contact_reason", Error));
    assert!(has_issue(&e, "weekly_contact", Warning));
    assert!(has_issue(&e, "carer_confirmed", Error));

    let mut future = base;
    future[3].value = Text("2026-01-01".into());
    let e = js
        .evaluate_form("entrusted-care", &future, "2025-05-22", None)
        .unwrap();
    assert!(has_issue(&e, "confirmation_date", Error));
    let missing = js
        .evaluate_form("entrusted-care", &[], "2025-05-22", None)
        .unwrap();
    assert!(
        has_issue(&missing, "carer_name", Error) && has_issue(&missing, "weekly_contact", Error)
    );
}

#[test]
fn henan_migrant_form_computes_months_and_warns_and_hides() {
    use p::Severity::{Error, Warning};
    let mut hn = load(HENAN);
    let (ma, today) = case("henan", "09-ma-wenbo");
    let values = vec![
        fv("name", None, p::Value::Text("马文博".into())),
        fv(
            "hukou_division",
            None,
            p::Value::Text("632221100201".into()),
        ),
        fv(
            "residence_division",
            None,
            p::Value::Text("630106100200".into()),
        ),
        fv("arrived_on", None, p::Value::Text("2023-05-10".into())),
        fv("flow_with", None, p::Value::Choice("both_parents".into())),
        fv("within_central_districts", None, p::Value::Boolean(false)),
    ];
    let e = hn
        .evaluate_form("migrant-monitor", &values, &today, Some(&ma))
        .unwrap();
    assert!(e.issues.is_empty(), "{:?}", e.issues);
    assert_eq!(e.hidden, vec!["priority_note".to_string()]);
    let months = e
        .computed
        .iter()
        .find(|c| c.field_id == "months_here")
        .unwrap();
    assert_eq!(months.value, p::Value::Integer(24));

    let mut recent = values.clone();
    recent[3].value = p::Value::Text("2025-03-01".into());
    recent.push(fv(
        "priority",
        None,
        p::Value::Choices(vec!["DISABILITY".into()]),
    ));
    let e = hn
        .evaluate_form("migrant-monitor", &recent, &today, Some(&ma))
        .unwrap();
    assert!(has_issue(&e, "arrived_on", Warning));
    assert!(e.hidden.is_empty());
    let mut same = values;
    same[1].value = p::Value::Text("630106100201".into());
    same[3].value = p::Value::Text("2026-01-01".into());
    let e = hn
        .evaluate_form("migrant-monitor", &same, &today, Some(&ma))
        .unwrap();
    assert!(has_issue(&e, "residence_division", Warning));
    assert!(has_issue(&e, "arrived_on", Error));
}

#[test]
fn henan_service_catalogue_has_19_items_in_the_6_areas() {
    let mut hn = load(HENAN);
    let items = hn.service_catalog().unwrap();
    assert_eq!(items.len(), 19);
    let areas = [
        "幼有所育",
        "学有所教",
        "病有所医",
        "住有所居",
        "弱有所扶",
        "发展保障",
    ];
    for a in areas {
        assert!(items.iter().any(|i| i.area == a), "{a} has no item");
    }
    assert!(items.iter().all(|i| areas.contains(&i.area.as_str())));
    let codes: std::collections::BTreeSet<&str> = items.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes.len(), 19, "codes are unique");
    for named in [
        "预防接种",
        "异地就医直接结算",
        "临时救助",
        "就近入读公办学校",
    ] {
        let i = items.iter().find(|i| i.name.contains(named)).unwrap();
        assert!(!i.placeholder, "{named}");
    }
    let placeholders: Vec<_> = items.iter().filter(|i| i.placeholder).collect();
    assert!(!placeholders.is_empty());
    assert!(
        placeholders
            .iter()
            .all(|i| i.name.starts_with("（待补充）") && i.name.contains(&i.area))
    );
    assert!(
        items
            .iter()
            .filter(|i| i.name.contains("待补充"))
            .all(|i| i.placeholder)
    );
}

/// Renders through hutong-report and returns (pdf text, page count).
fn pdf_text(doc: &p::ReportDocument, dir: &Path, stem: &str) -> (String, usize) {
    let fonts = hutong_report::FontSet::bundled();
    let r = hutong_report::render_detailed(doc, &fonts).unwrap();
    assert!(r.missing_chars.is_empty(), "{stem}: {:?}", r.missing_chars);
    let pdf = dir.join(format!("{stem}.pdf"));
    std::fs::write(&pdf, &r.pdf).unwrap();
    // Keep the files for a human look when asked to.
    if let Ok(keep) = std::env::var("HUTONG_KEEP_PDF_DIR") {
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pdf, Path::new(&keep).join(format!("{stem}.pdf"))).unwrap();
    }
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    (String::from_utf8(out.stdout).unwrap(), r.page_count)
}

fn input(children: Vec<p::ChildSnapshot>, params: &[(&str, &str)]) -> p::ReportInput {
    p::ReportInput {
        today: "2025-05-22".into(),
        county_name: "示例县".into(),
        office_name: "示例县民政局".into(),
        children,
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// `n` copies of a child with distinct names, for a multi-page roster.
fn many(child: &p::ChildSnapshot, n: usize) -> Vec<p::ChildSnapshot> {
    (0..n)
        .map(|i| {
            let mut c = child.clone();
            c.name = format!("{}{}", child.name, i + 1);
            c
        })
        .collect()
}

fn pages(text: &str) -> Vec<&str> {
    text.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect()
}

#[test]
fn every_jiangsu_and_henan_template_renders_to_a_pdf_with_the_child_and_title() {
    let dir = tempfile::tempdir().unwrap();
    let mut js = load(JIANGSU);
    let (wang, _) = case("jiangsu", "03-wang-zixuan");
    let wuqing = {
        let text =
            std::fs::read_to_string(repo().join("plugins/jiangsu/cases/03-wang-zixuan.json"))
                .unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        p::FormValues {
            form_id: "wuqing".into(),
            values: serde_json::from_value(v["forms"][0]["values"].clone()).unwrap(),
        }
    };
    let mut wang_full = wang.clone();
    wang_full.forms.push(wuqing);
    let templates = js.report_templates().unwrap();
    assert_eq!(templates.len(), 4);

    let doc = js
        .render_report("dossier", &input(vec![wang_full], &[]))
        .unwrap();
    let (t, _) = pdf_text(&doc, dir.path(), "js-dossier");
    for s in [
        "一人一档档案表",
        "王子轩",
        "32090320110107031X",
        "2011年1月7日",
        "王桂英",
        "大纵湖初级中学",
        "示例",
    ] {
        assert!(t.contains(s), "dossier lacks {s}:\n{t}");
    }

    let doc = js
        .render_report("visits", &input(vec![wang.clone()], &[]))
        .unwrap();
    let (t, _) = pdf_text(&doc, dir.path(), "js-visits");
    assert!(
        t.contains("走访记录表") && t.contains("王子轩") && t.contains("2025年5月10日"),
        "{t}"
    );
    let doc = js
        .render_report(
            "visits",
            &input(vec![wang.clone()], &[("visit_date", "2025-05-10")]),
        )
        .unwrap();
    let (t, _) = pdf_text(&doc, dir.path(), "js-visit-one");
    assert!(t.contains("康复训练") && t.contains("一月一访"), "{t}");
    let err = js
        .render_report(
            "visits",
            &input(vec![wang.clone()], &[("visit_date", "2020-01-01")]),
        )
        .unwrap_err();
    assert!(rejected(err).contains("没有"));

    // A filled-in sheet answers every item (the scale refuses gaps).
    let js_scales = js.scales().unwrap();
    let sheet = full(
        &js_scales,
        "four-colour",
        &[("g_parents", "both_away"), ("p_disability", "grade12")],
    );
    let params: Vec<(&str, &str)> = sheet
        .answers
        .iter()
        .map(|a| (a.item_id.as_str(), a.code.as_str()))
        .collect();
    let doc = js
        .render_report("four-colour-sheet", &input(vec![wang.clone()], &params))
        .unwrap();
    let (t, _) = pdf_text(&doc, dir.path(), "js-four-colour");
    for s in [
        "四色管理评估表",
        "王子轩",
        "监护风险",
        "生理风险",
        "行为风险",
        "黄色",
        "总分：5",
    ] {
        assert!(t.contains(s), "sheet lacks {s}:\n{t}");
    }
    let doc = js
        .render_report("four-colour-sheet", &input(vec![wang.clone()], &[]))
        .unwrap();
    let (t, _) = pdf_text(&doc, dir.path(), "js-four-colour-blank");
    assert!(!t.contains("总分："), "a blank sheet has no result");

    let doc = js
        .render_report("village-roster", &input(many(&wang, 60), &[]))
        .unwrap();
    let (t, n) = pdf_text(&doc, dir.path(), "js-roster");
    assert!(n >= 2, "60 children span pages, got {n}");
    assert!(t.contains("鱼范村委会农村留守儿童和困境儿童花名册"), "{t}");
    let ps = pages(&t);
    assert_eq!(ps.len(), n);
    // Every page that carries roster rows starts with the header again; a
    // last page with only the total and signatures has no table.
    assert!(ps.iter().filter(|p| p.contains("王子轩")).count() >= 2);
    for (i, page) in ps.iter().enumerate().filter(|(_, p)| p.contains("王子轩")) {
        assert!(
            page.contains("序号") && page.contains("身份证号"),
            "header not repeated on page {}",
            i + 1
        );
    }
    assert!(t.contains("王子轩60") && t.contains("共60人"));

    let mut hn = load(HENAN);
    let (ma, _) = case("henan", "09-ma-wenbo");
    let doc = hn
        .render_report("service-list", &input(vec![ma.clone()], &[]))
        .unwrap();
    let (t, _) = pdf_text(&doc, dir.path(), "hn-service-list");
    for s in [
        "关爱服务清单",
        "马文博",
        "预防接种",
        "待补充",
        "家庭经济困难",
        "已享受",
    ] {
        assert!(t.contains(s), "service list lacks {s}:\n{t}");
    }
    let doc = hn
        .render_report("migrant-roster", &input(many(&ma, 60), &[]))
        .unwrap();
    let (t, n) = pdf_text(&doc, dir.path(), "hn-roster");
    assert!(n >= 2, "got {n} pages");
    assert!(t.contains("流动儿童台账") && t.contains("马文博60"));
    let ps = pages(&t);
    assert!(ps.iter().filter(|p| p.contains("马文博")).count() >= 2);
    for (i, page) in ps.iter().enumerate().filter(|(_, p)| p.contains("马文博")) {
        assert!(
            page.contains("序号") && page.contains("来本地日期"),
            "header not repeated on page {}",
            i + 1
        );
    }
    assert!(t.contains("重点关爱服务对象60人"), "{t}");
    for tpl in hn.report_templates().unwrap() {
        assert!(["migrant-roster", "service-list"].contains(&tpl.id.as_str()));
    }
}

#[test]
fn both_plugins_sign_and_verify_with_a_test_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("province.key");
    let public = signing::keygen(&key).unwrap();
    for name in [JIANGSU, HENAN] {
        let copy = dir.path().join(format!("{name}.wasm"));
        std::fs::copy(wasm(name), &copy).unwrap();
        let bytes = std::fs::read(&copy).unwrap();
        assert!(signing::verify(&copy, &bytes, std::slice::from_ref(&public)).is_err());
        signing::sign(&key, &copy).unwrap();
        assert_eq!(
            signing::verify(&copy, &bytes, std::slice::from_ref(&public)).unwrap(),
            public
        );
        let mut tampered = bytes.clone();
        tampered[bytes.len() / 2] ^= 0x01;
        assert!(signing::verify(&copy, &tampered, std::slice::from_ref(&public)).is_err());
    }
}
