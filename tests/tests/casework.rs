//! Casework end to end (issue #8): real SQLite files, the real province
//! plugins built from `plugins/`, the real `hutong` binary. Covers the
//! DOMAIN §5 eligibility cases (刘欣怡 ends at 18, the 4-month prison case,
//! 失联 counted from the 公安 acceptance date), colours driving due dates,
//! escalation after the plugin's days, campaign coverage, immutability of
//! assessments, batch re-assessment, the upgrade preview, and the CLI.

use hutong::casework::{self, BatchOptions};
use hutong_core::campaigns::{self, CampaignState, NewCampaign, Outcome};
use hutong_core::children::{self, ChildInput};
use hutong_core::demo::{self, DemoOptions};
use hutong_core::eligibility::{self, ChangeKind, LifeEventKind};
use hutong_core::national::NaiveDate;
use hutong_core::national::category::ParentalSituation;
use hutong_core::national::division::DivisionLevel;
use hutong_core::national::id_number;
use hutong_core::persons::{self, PersonInput, RelationInput, RelationKind};
use hutong_core::province::{Answer, Colour, FindingStatus, ScaleDef};
use hutong_core::schedule::{self, DueBasis, DueStatus, Escalation, ScheduleFilter};
use hutong_core::visits::{self, VisitInput, VisitMode};
use hutong_core::{Actor, RowId, Store, assessments, divisions};
use hutong_plugin_host::{Plugin, Runtime, RuntimeConfig};
use hutong_tests::{hutong as hutong_cli, stderr, stdout};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

const JIANGSU: &str = "hutong_plugin_jiangsu";
const HENAN: &str = "hutong_plugin_henan";
const DE_FACTO: &str = "DE_FACTO_UNSUPPORTED";

fn wasm(name: &str) -> PathBuf {
    let path = Path::new(env!("HUTONG_PLUGIN_DIR")).join(format!("{name}.wasm"));
    assert!(path.exists(), "{} missing", path.display());
    path
}

fn plugin(name: &str) -> Plugin {
    Runtime::new(RuntimeConfig::default())
        .unwrap()
        .load_file(&wasm(name))
        .unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn real_today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The test's actor: a system actor over the database's whole county.
fn actor(store: &Store) -> Actor {
    Actor::system(
        "测试 王芳",
        store.county_scope().expect("an initialised county"),
    )
}

/// The session casework runs under in these tests: the county's own
/// system job (the daily sweep's), whose scope is the whole county.
fn session(store: &Store) -> hutong_services::Session {
    hutong_services::Session::system(store, hutong_services::SystemJob::EligibilitySweep)
        .expect("a system session over an initialised county")
}

/// Whether a text holds a run of 18 ID characters (a full ID number).
fn has_full_id(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_digit() || c == 'X' {
            run += 1;
            if run >= 18 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

fn no_progress() -> impl FnMut(usize, usize) {
    |_, _| {}
}

/// A demo county in a fresh database file.
fn county(code: &str, generated: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create_encrypted(&dir.path().join("county.db"), true).unwrap();
    demo::generate(
        &mut store,
        &DemoOptions {
            county_code: code.into(),
            generated_children: generated,
            seed: 8,
            today: real_today(),
        },
        |_, _| true,
    )
    .unwrap();
    (dir, store)
}

fn first_village(store: &Store, county: &str) -> String {
    divisions::within(store.conn(), county, DivisionLevel::Village).unwrap()[0]
        .code
        .clone()
}

/// A valid ID number for a birth date (yyyymmdd) and sequence.
fn id_for(county6: &str, birth: &str, seq: u32, female: bool) -> String {
    let seq = seq * 2 + u32::from(!female);
    let body = format!("{county6}{birth}{:03}", seq % 1000);
    format!("{body}{}", id_number::check_char(&body).unwrap())
}

fn add_child(store: &mut Store, id: &str, name: &str, village: &str) -> RowId {
    store
        .write(&actor(store), |tx| {
            children::add(
                tx,
                &ChildInput {
                    id_number: id.into(),
                    name: name.into(),
                    residence_division: village.into(),
                    ..Default::default()
                },
            )
        })
        .unwrap()
        .0
        .id
}

#[allow(clippy::too_many_arguments)]
fn add_parent(
    store: &mut Store,
    child: RowId,
    kind: RelationKind,
    name: &str,
    situation: ParentalSituation,
    since: &str,
    until: Option<&str>,
    disability: Option<(&str, u8)>,
) {
    store
        .write(&actor(store), |tx| {
            let mut r = RelationInput::new(kind);
            r.situation = Some(situation);
            r.situation_since = Some(d(since));
            r.situation_until = until.map(d);
            persons::add_relation(
                tx,
                child,
                &PersonInput {
                    name: name.into(),
                    disability_type: disability.map(|(t, _)| t.to_string()),
                    disability_grade: disability.map(|(_, g)| g),
                    ..Default::default()
                },
                &r,
            )
        })
        .unwrap();
}

fn add_visit(store: &mut Store, child: RowId, on: NaiveDate, over: Option<(NaiveDate, &str)>) {
    store
        .write(&actor(store), |tx| {
            visits::add(
                tx,
                &VisitInput {
                    child_id: child,
                    visit_date: on,
                    mode: VisitMode::Home,
                    visitor: "儿童主任 张敏".into(),
                    findings: "生活照料正常".into(),
                    follow_up: None,
                    next_due_override: over.map(|(d, _)| d),
                    override_reason: over.map(|(_, r)| r.to_string()),
                },
            )
        })
        .unwrap();
}

/// A complete questionnaire: the given answers, and the first option of
/// every other item (a missing answer is refused, never read as "no risk").
fn complete(scale: &ScaleDef, pairs: &[(&str, &str)]) -> Vec<Answer> {
    scale
        .items
        .iter()
        .map(|item| {
            let code = pairs
                .iter()
                .find(|(i, _)| *i == item.id)
                .map(|(_, c)| (*c).to_string())
                .unwrap_or_else(|| item.options[0].code.clone());
            Answer {
                item_id: item.id.clone(),
                code,
            }
        })
        .collect()
}

// ------------------------------------------------------------------ eligibility

#[test]
fn liu_xinyi_ends_on_her_18th_birthday_and_the_allowance_stops_from_july() {
    let (_dir, mut store) = county("411525", 20);
    let mut henan = plugin(HENAN);
    let cancel = AtomicBool::new(false);
    let liu = children::get_by_id_number(
        store.conn(),
        &store.county_scope().unwrap(),
        "411603200906120689",
    )
    .unwrap()
    .unwrap();
    let county_actor = session(&store);

    // The day before: every child is classified for the first time; 刘欣怡
    // is still eligible and her (manual) category stays.
    let first = casework::eligibility_sweep(
        &mut store,
        &mut henan,
        &county_actor,
        d("2027-06-11"),
        &mut no_progress(),
        &cancel,
    )
    .unwrap();
    assert_eq!(first.previous, None);
    assert_eq!(first.checked, 27, "7 reference cases + 20 generated");
    assert!(
        !first
            .changes
            .iter()
            .any(|c| c.child_id == liu.id && c.category == DE_FACTO),
        "{:#?}",
        first.changes
    );
    let f = eligibility::latest_findings(store.conn(), liu.id).unwrap();
    let de = f.iter().find(|f| f.category == DE_FACTO).unwrap();
    assert_eq!(de.status, FindingStatus::Eligible, "{:?}", de.reasons);
    assert!(!de.citation.is_empty());
    let county_actor = session(&store);

    // Her birthday: only children with a life event are re-checked.
    let second = casework::eligibility_sweep(
        &mut store,
        &mut henan,
        &county_actor,
        d("2027-06-12"),
        &mut no_progress(),
        &cancel,
    )
    .unwrap();
    assert_eq!(second.previous, Some(d("2027-06-11")));
    assert!(
        second.checked >= 1 && second.checked < 27,
        "{}",
        second.checked
    );
    let ended = second
        .changes
        .iter()
        .find(|c| c.child_id == liu.id && c.category == DE_FACTO)
        .unwrap_or_else(|| panic!("{:#?}", second.changes));
    assert_eq!(ended.kind, ChangeKind::Ended);
    assert_eq!(ended.on, d("2027-06-12"));
    assert_eq!(ended.allowance_stops_from, Some(d("2027-07-01")));
    assert!(
        ended.describe_zh().contains("2027年7月"),
        "{}",
        ended.describe_zh()
    );
    let cat = hutong_core::categories::for_child(store.conn(), liu.id)
        .unwrap()
        .into_iter()
        .find(|c| c.category.code() == DE_FACTO)
        .unwrap();
    assert!(!cat.active);
    assert_eq!(cat.effective_until, Some(d("2027-06-12")));
    let history =
        hutong_core::audit::history(store.conn(), "children", &liu.id.to_string()).unwrap();
    assert!(history.iter().any(|e| e.action == "category.end"));
    assert!(history.iter().any(|e| e.action == "eligibility.classify"));
    assert!(
        hutong_core::audit::verify(store.conn())
            .unwrap()
            .is_intact()
    );
}

#[test]
fn plugin_findings_start_and_end_categories_with_their_dates() {
    let (_dir, mut store) = county("411525", 0);
    let mut henan = plugin(HENAN);
    let village = first_village(&store, "411525");
    // The 刘欣怡 situation for a child with no category yet.
    let id = id_for("411525", "20090612", 41, true);
    let child = add_child(&mut store, &id, "刘欣然", &village);
    add_parent(
        &mut store,
        child,
        RelationKind::Father,
        "刘父",
        ParentalSituation::Dead,
        "2019-09-01",
        None,
        None,
    );
    add_parent(
        &mut store,
        child,
        RelationKind::Mother,
        "郑母",
        ParentalSituation::SevereDisability,
        "2020-01-01",
        None,
        Some(("精神残疾", 3)),
    );
    let county_actor = session(&store);
    let started = casework::classify_child(
        &mut store,
        &mut henan,
        &county_actor,
        child,
        d("2026-01-05"),
    )
    .unwrap();
    let s = started
        .iter()
        .find(|c| c.category == DE_FACTO)
        .unwrap_or_else(|| panic!("{started:#?}"));
    assert_eq!(s.kind, ChangeKind::Started);
    let cat = hutong_core::categories::for_child(store.conn(), child)
        .unwrap()
        .into_iter()
        .find(|c| c.category.code() == DE_FACTO && c.active)
        .unwrap();
    assert_eq!(cat.source, hutong_core::categories::CategorySource::Plugin);
    assert_eq!(cat.effective_until, Some(d("2027-06-12")));
    assert!(cat.source_ref.unwrap().starts_with("cn.hutong.henan@"));
    let county_actor = session(&store);
    // Same answer again: nothing new is stored or changed.
    let again = casework::classify_child(
        &mut store,
        &mut henan,
        &county_actor,
        child,
        d("2026-01-06"),
    )
    .unwrap();
    assert!(again.is_empty(), "{again:#?}");
    let county_actor = session(&store);
    // Turning 18, classified late: it ends on the birthday, not the run day.
    let ended = casework::classify_child(
        &mut store,
        &mut henan,
        &county_actor,
        child,
        d("2027-06-20"),
    )
    .unwrap();
    let e = ended.iter().find(|c| c.category == DE_FACTO).unwrap();
    assert_eq!((e.kind, e.on), (ChangeKind::Ended, d("2027-06-12")));
    assert_eq!(e.allowance_stops_from, Some(d("2027-07-01")));
}

#[test]
fn four_months_in_prison_is_not_eligible_and_lost_contact_counts_from_the_police_date() {
    let (_dir, mut store) = county("411525", 0);
    let mut henan = plugin(HENAN);
    let village = first_village(&store, "411525");

    // DOMAIN §5 negative case: father imprisoned for 4 months.
    let a = add_child(
        &mut store,
        &id_for("411525", "20140501", 7, false),
        "陈思远",
        &village,
    );
    add_parent(
        &mut store,
        a,
        RelationKind::Father,
        "陈父",
        ParentalSituation::Imprisoned,
        "2024-01-01",
        Some("2024-05-01"),
        None,
    );
    add_parent(
        &mut store,
        a,
        RelationKind::Mother,
        "陈母",
        ParentalSituation::LostContact,
        "2023-01-10",
        None,
        None,
    );
    let county_actor = session(&store);
    let changes =
        casework::classify_child(&mut store, &mut henan, &county_actor, a, d("2024-03-01"))
            .unwrap();
    assert!(
        !changes.iter().any(|c| c.category == DE_FACTO),
        "{changes:#?}"
    );
    let f = eligibility::latest_findings(store.conn(), a).unwrap();
    let de = f.iter().find(|f| f.category == DE_FACTO).unwrap();
    assert_eq!(de.status, FindingStatus::NotEligible);
    assert!(
        de.reasons.iter().any(|r| r.contains("不足6个月")),
        "{:?}",
        de.reasons
    );
    // The release date is a life event the sweep watches.
    let events = eligibility::life_events(store.conn(), a).unwrap();
    assert!(events.iter().any(|e| e.on == d("2024-05-01")
        && matches!(&e.kind, LifeEventKind::SituationEnds { situation, .. } if situation == "IMPRISONED")));

    // 张小雨's mother: 失联 from the 公安 acceptance date 2023-01-10; 6 months
    // are reached on 2023-07-10, and the sweep picks her up that day.
    let b = add_child(
        &mut store,
        &id_for("411525", "20130415", 12, true),
        "张小雪",
        &village,
    );
    add_parent(
        &mut store,
        b,
        RelationKind::Father,
        "张父",
        ParentalSituation::Imprisoned,
        "2022-03-01",
        Some("2030-03-01"),
        None,
    );
    add_parent(
        &mut store,
        b,
        RelationKind::Mother,
        "陈母",
        ParentalSituation::LostContact,
        "2023-01-10",
        None,
        None,
    );
    let county_actor = session(&store);
    let before =
        casework::classify_child(&mut store, &mut henan, &county_actor, b, d("2023-07-09"))
            .unwrap();
    assert!(
        !before
            .iter()
            .any(|c| c.category == DE_FACTO && c.kind == ChangeKind::Started)
    );
    let due =
        eligibility::due_for_review(store.conn(), Some(d("2023-07-09")), d("2023-07-10")).unwrap();
    let mine = due.iter().find(|r| r.child_id == b).unwrap();
    assert!(mine.events.iter().any(|e| matches!(&e.kind,
        LifeEventKind::SixMonthsReached { situation, .. } if situation == "LOST_CONTACT")));
    let county_actor = session(&store);
    let after = casework::classify_child(&mut store, &mut henan, &county_actor, b, d("2023-07-10"))
        .unwrap();
    let s = after.iter().find(|c| c.category == DE_FACTO).unwrap();
    assert_eq!(s.kind, ChangeKind::Started, "{after:#?}");
}

// ------------------------------------------------------------------ schedule

#[test]
fn colours_drive_due_dates_and_overdue_visits_escalate_after_the_plugins_days() {
    let (_dir, mut store) = county("320903", 5);
    let mut js = plugin(JIANGSU);
    let policy = js.manifest().visit_policy.clone();
    assert_eq!(
        (
            policy.escalate_township_after_days,
            policy.escalate_county_after_days
        ),
        (7, 30)
    );
    let scale = casework::pick_scale(&mut js, Some("four-colour")).unwrap();
    let village = first_village(&store, "320903");
    let v0 = real_today() - chrono::Duration::days(40);
    let mk = |store: &mut Store, seq: u32, name: &str| {
        let c = add_child(
            store,
            &id_for("320903", "20150301", seq, seq.is_multiple_of(2)),
            name,
            &village,
        );
        add_visit(store, c, v0, None);
        c
    };
    let red = mk(&mut store, 1, "红一");
    let yellow = mk(&mut store, 2, "黄二");
    let green = mk(&mut store, 3, "绿三");
    let never = mk(&mut store, 4, "未评四");
    let county_actor = session(&store);
    let a = casework::assess_child(
        &mut store,
        &mut js,
        &county_actor,
        red,
        &scale,
        complete(&scale, &[("g_harm", "yes")]),
        v0,
    )
    .unwrap();
    assert_eq!(
        (a.level_code.as_str(), a.colour),
        ("red", Some(Colour::Red))
    );
    let county_actor = session(&store);
    let a = casework::assess_child(
        &mut store,
        &mut js,
        &county_actor,
        yellow,
        &scale,
        complete(&scale, &[("p_disability", "grade12")]),
        v0,
    )
    .unwrap();
    assert_eq!(a.colour, Some(Colour::Yellow));
    let county_actor = session(&store);
    let a = casework::assess_child(
        &mut store,
        &mut js,
        &county_actor,
        green,
        &scale,
        complete(&scale, &[]),
        v0,
    )
    .unwrap();
    assert_eq!(a.colour, Some(Colour::Green));

    let due = |store: &Store, c: RowId, today: NaiveDate| {
        schedule::for_child(store.conn(), &policy, today, c)
            .unwrap()
            .unwrap()
    };
    let days = |n: i64| v0 + chrono::Duration::days(n);
    assert_eq!(due(&store, red, v0).due_on, days(7));
    assert_eq!(due(&store, yellow, v0).due_on, days(14));
    assert_eq!(due(&store, green, v0).due_on, days(30));
    let n = due(&store, never, v0);
    assert_eq!(n.due_on, days(30));
    assert!(matches!(n.basis, DueBasis::PolicyDefault { days: 30 }));

    // Escalation: strictly more than 7 days late → township, more than 30 → county.
    let e = due(&store, red, days(7 + 7));
    assert_eq!(
        (e.status, e.days_overdue, e.escalation),
        (DueStatus::Overdue, 7, Escalation::None)
    );
    let e = due(&store, red, days(7 + 8));
    assert_eq!((e.days_overdue, e.escalation), (8, Escalation::Township));
    let e = due(&store, red, days(7 + 31));
    assert_eq!((e.days_overdue, e.escalation), (31, Escalation::County));
    assert_eq!(
        due(&store, yellow, days(7 + 31)).escalation,
        Escalation::Township
    );

    // A visit's override, with its reason, sets the next date.
    add_visit(
        &mut store,
        green,
        days(1),
        Some((days(3), "家中有变故，三天后再访")),
    );
    let g = due(&store, green, days(1));
    assert_eq!(g.due_on, days(3));
    assert!(matches!(&g.basis, DueBasis::Override { reason } if reason.contains("变故")));

    // The village lists.
    let all = schedule::compute(
        store.conn(),
        &store.county_scope().unwrap(),
        &policy,
        days(15),
        &ScheduleFilter {
            division: Some(village.clone()),
            ..Default::default()
        },
    )
    .unwrap();
    let overdue = schedule::compute(
        store.conn(),
        &store.county_scope().unwrap(),
        &policy,
        days(15),
        &ScheduleFilter {
            division: Some(village.clone()),
            overdue_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(overdue.iter().all(|e| e.status == DueStatus::Overdue));
    assert!(overdue.iter().any(|e| e.child_id == red));
    assert!(overdue.iter().any(|e| e.child_id == yellow));
    assert!(overdue.iter().any(|e| e.child_id == green));
    assert!(!overdue.iter().any(|e| e.child_id == never));
    let v = schedule::by_village(&all);
    let mine = v.iter().find(|v| v.village_code == village).unwrap();
    assert_eq!(mine.children as usize, all.len());
    assert_eq!(mine.overdue as usize, overdue.len());
    assert!(mine.escalated_township >= 1);
}

// ------------------------------------------------------------------ assessments

#[test]
fn assessments_are_immutable_trend_and_reassessment_due_follow_the_data() {
    let (_dir, mut store) = county("320903", 5);
    let mut js = plugin(JIANGSU);
    let scale = casework::pick_scale(&mut js, None).unwrap();
    let village = first_village(&store, "320903");
    let child = add_child(
        &mut store,
        &id_for("320903", "20120708", 9, false),
        "周小川",
        &village,
    );
    let county_actor = session(&store);
    let first = casework::assess_child(
        &mut store,
        &mut js,
        &county_actor,
        child,
        &scale,
        complete(&scale, &[]),
        real_today(),
    )
    .unwrap();
    assert_eq!(first.plugin_ref(), js.reference());
    assert_eq!(first.input_sha256.len(), 64);
    assert_eq!(casework::reassessment_due(&store, child).unwrap(), None);

    // The database itself refuses to change or remove a result, even to a
    // connection outside Hutong (no scope triggers of ours on it).
    let raw = hutong_tests::raw_conn(store.path()).unwrap();
    let err = raw
        .execute(
            "UPDATE assessments SET level_code = 'green' WHERE id = ?1",
            [first.id],
        )
        .unwrap_err();
    assert!(err.to_string().contains("评估结果不可修改"), "{err}");
    let err = raw
        .execute("DELETE FROM assessments WHERE id = ?1", [first.id])
        .unwrap_err();
    assert!(err.to_string().contains("评估结果不可删除"), "{err}");

    // A visit is not a data change; an edit to the file is.
    add_visit(&mut store, child, real_today(), None);
    assert_eq!(casework::reassessment_due(&store, child).unwrap(), None);
    store
        .write(&actor(&store), |tx| {
            let c = children::get(tx.conn(), tx.actor().scope(), child)?.unwrap();
            children::update(
                tx,
                child,
                &ChildInput {
                    id_number: c.id_number,
                    name: c.name,
                    residence_division: c.residence_division,
                    health: Some("慢性病".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    match casework::reassessment_due(&store, child).unwrap() {
        Some(assessments::ReassessmentDue::DataChanged { changes, .. }) => {
            assert!(changes.contains(&"child.update".to_string()), "{changes:?}")
        }
        other => panic!("expected a data change, got {other:?}"),
    }
    let county_actor = session(&store);
    casework::assess_child(
        &mut store,
        &mut js,
        &county_actor,
        child,
        &scale,
        complete(&scale, &[("g_harm", "yes")]),
        real_today(),
    )
    .unwrap();
    assert_eq!(casework::reassessment_due(&store, child).unwrap(), None);
    let trend = assessments::trend(store.conn(), child).unwrap();
    assert_eq!(
        trend.iter().map(|t| t.colour).collect::<Vec<_>>(),
        vec![Some(Colour::Green), Some(Colour::Red)]
    );
}

#[test]
fn batch_reassessment_skips_unchanged_children_and_the_upgrade_preview_writes_nothing() {
    let (_dir, mut store) = county("320903", 40);
    let mut js = plugin(JIANGSU);
    let cancel = AtomicBool::new(false);
    let total = children::count(store.conn(), &store.county_scope().unwrap()).unwrap() as usize;
    let county_actor = session(&store);

    let r = casework::assess_all(
        &mut store,
        &mut js,
        &county_actor,
        real_today(),
        &BatchOptions::default(),
        &mut no_progress(),
        &cancel,
    )
    .unwrap();
    assert_eq!((r.assessed, r.not_assessed_before), (0, total));
    let mut calls = Vec::new();
    let county_actor = session(&store);
    let r = casework::assess_all(
        &mut store,
        &mut js,
        &county_actor,
        real_today(),
        &BatchOptions {
            include_unassessed: true,
            ..Default::default()
        },
        &mut |done, all| calls.push((done, all)),
        &cancel,
    )
    .unwrap();
    // Children never assessed have no answers: they are counted, not scored
    // (a missing answer is never "no risk"), and nothing is stored.
    assert_eq!((r.assessed, r.without_answers), (0, total));
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    assert_eq!(calls.last(), Some(&(total, total)));
    assert_eq!(
        assessments::latest_per_child(store.conn(), None, None)
            .unwrap()
            .iter()
            .filter(|(_, a)| a.is_some())
            .count(),
        0
    );
    // Each child assessed once with a filled questionnaire; a batch then
    // finds nothing changed.
    let scale = casework::pick_scale(&mut js, None).unwrap();
    let ids: Vec<RowId> = assessments::latest_per_child(store.conn(), None, None)
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    for id in ids {
        let county_actor = session(&store);
        casework::assess_child(
            &mut store,
            &mut js,
            &county_actor,
            id,
            &scale,
            complete(&scale, &[]),
            real_today(),
        )
        .unwrap();
    }
    let county_actor = session(&store);
    let r = casework::assess_all(
        &mut store,
        &mut js,
        &county_actor,
        real_today(),
        &BatchOptions::default(),
        &mut no_progress(),
        &cancel,
    )
    .unwrap();
    assert_eq!((r.assessed, r.unchanged), (0, total));

    // An older plugin version scored one child green on answers that the
    // current version scores red.
    let victim = assessments::latest_per_child(store.conn(), None, None).unwrap()[3].0;
    let snap = hutong_core::snapshot::child_snapshot(store.conn(), victim).unwrap();
    let input = hutong_core::province::AssessInput {
        today: real_today().to_string(),
        answers: complete(&scale, &[("g_harm", "yes")]),
        child: Some(snap),
    };
    let old = hutong_core::province::Assessment {
        level_code: "green".into(),
        level_label: "绿色".into(),
        colour: Some(Colour::Green),
        score: Some(0.0),
        sub_scores: vec![],
        reasons: vec![],
        next_visit_days: Some(30),
        suggested_services: vec![],
    };
    store
        .write(&actor(&store), |tx| {
            assessments::record(
                tx,
                &assessments::NewAssessment {
                    child_id: victim,
                    scale_id: "four-colour",
                    scale_version: "1",
                    plugin_id: "cn.hutong.jiangsu",
                    plugin_version: "0.9.0",
                    input: &input,
                    result: &old,
                },
            )
        })
        .unwrap();
    let rows_before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM assessments", [], |r| r.get(0))
        .unwrap();
    let audit_before: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let preview =
        casework::preview_upgrade(&store, &mut js, real_today(), &mut no_progress(), &cancel)
            .unwrap();
    assert_eq!(preview.checked, total);
    let level_diffs: Vec<_> = preview.diffs.iter().filter(|d| d.level_changed()).collect();
    assert_eq!(level_diffs.len(), 1, "{level_diffs:#?}");
    assert_eq!(level_diffs[0].child_id, victim);
    assert_eq!(
        (level_diffs[0].old_colour, level_diffs[0].new_colour),
        (Some(Colour::Green), Some(Colour::Red))
    );
    // Never classified: every child's eligibility is "new".
    assert!(
        preview
            .diffs
            .iter()
            .filter(|d| !d.eligibility.is_empty())
            .count()
            == total
    );
    let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM assessments"), rows_before);
    assert_eq!(count("SELECT count(*) FROM audit_log"), audit_before);
    assert_eq!(count("SELECT count(*) FROM eligibility_findings"), 0);
    let county_actor = session(&store);

    let applied = casework::apply_upgrade(
        &mut store,
        &mut js,
        &county_actor,
        &preview,
        &mut no_progress(),
        &cancel,
    )
    .unwrap();
    assert_eq!(applied.assessed, 1);
    assert!(applied.failed.is_empty(), "{:?}", applied.failed);
    let latest = assessments::latest(store.conn(), victim, None)
        .unwrap()
        .unwrap();
    assert_eq!(latest.colour, Some(Colour::Red));
    assert_eq!(latest.plugin_ref(), js.reference());
    let again =
        casework::preview_upgrade(&store, &mut js, real_today(), &mut no_progress(), &cancel)
            .unwrap();
    assert!(again.diffs.is_empty(), "{:#?}", again.diffs);

    // Cancelled before it starts: nothing checked.
    let stop = AtomicBool::new(true);
    let p = casework::preview_upgrade(&store, &mut js, real_today(), &mut no_progress(), &stop)
        .unwrap();
    assert!(p.cancelled);
    assert_eq!(p.checked, 0);
}

// ------------------------------------------------------------------ campaigns

#[test]
fn campaign_coverage_is_counted_per_village_and_closing_locks_it() {
    let (dir, mut store) = county("320903", 60);
    let js = plugin(JIANGSU);
    let village = first_village(&store, "320903");
    let township = village[..9].to_string();
    let ids: Vec<RowId> = (0..6)
        .map(|i| {
            add_child(
                &mut store,
                &id_for("320903", "20160101", 100 + i, i % 2 == 0),
                &format!("摸排{i}"),
                &village,
            )
        })
        .collect();
    // Two more villages of the township with no demo children, built for
    // the pace rule: 5 children where nothing will be done, 2 where one
    // will.
    let scope = store.county_scope().unwrap();
    let others: Vec<String> = divisions::within(store.conn(), &township, DivisionLevel::Village)
        .unwrap()
        .into_iter()
        .map(|d| d.code)
        .filter(|c| {
            *c != village
                && children::count(store.conn(), &scope.narrow_to(c).unwrap()).unwrap() == 0
        })
        .take(2)
        .collect();
    assert_eq!(
        others.len(),
        2,
        "the township has two villages without children"
    );
    let (idle_village, paced_village) = (others[0].clone(), others[1].clone());
    for i in 0..5 {
        add_child(
            &mut store,
            &id_for("320903", "20150505", 200 + i, i % 2 == 0),
            &format!("未排{i}"),
            &idle_village,
        );
    }
    let paced: Vec<RowId> = (0..2)
        .map(|i| {
            add_child(
                &mut store,
                &id_for("320903", "20150606", 300 + i, i % 2 == 0),
                &format!("按时{i}"),
                &paced_village,
            )
        })
        .collect();
    let in_village = children::count(
        store.conn(),
        &store.county_scope().unwrap().narrow_to(&village).unwrap(),
    )
    .unwrap();
    let in_township = children::count(
        store.conn(),
        &store.county_scope().unwrap().narrow_to(&township).unwrap(),
    )
    .unwrap();
    let start = d("2026-01-01");
    let cycle = js.manifest().screening_cycle.clone();
    let reference = js.reference();
    let c = store
        .write(&actor(&store), |tx| {
            campaigns::start(
                tx,
                &NewCampaign {
                    division_code: &township,
                    cycle: &cycle,
                    start,
                    plugin_ref: Some(&reference),
                },
            )
        })
        .unwrap();
    assert_eq!(c.period_end, d("2026-06-30"), "一年两排: half a year");
    // An overlapping round is refused.
    let err = store
        .write(&actor(&store), |tx| {
            campaigns::start(
                tx,
                &NewCampaign {
                    division_code: &village,
                    cycle: &cycle,
                    start,
                    plugin_ref: None,
                },
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("尚未结束"), "{err}");

    let outcomes = [
        Outcome::Confirmed,
        Outcome::Confirmed,
        Outcome::Confirmed,
        Outcome::Updated,
        Outcome::Updated,
        Outcome::Closed,
    ];
    store
        .write(&actor(&store), |tx| {
            for (id, o) in ids.iter().zip(outcomes) {
                campaigns::record(tx, c.id, *id, o, None)?;
            }
            campaigns::record(tx, c.id, paced[0], Outcome::Confirmed, None)?;
            // A second record for the same child supersedes the first.
            campaigns::record(tx, c.id, ids[0], Outcome::Confirmed, Some("复核"))
        })
        .unwrap();
    store
        .write(&actor(&store), |tx| {
            children::close(tx, ids[5], start, "迁出本县")
        })
        .unwrap();

    let s = campaigns::status(store.conn(), c.id, d("2026-03-31")).unwrap();
    assert_eq!(
        s.children, in_township,
        "a closed file stays counted in the round"
    );
    let v = s
        .villages
        .iter()
        .find(|v| v.village_code == village)
        .unwrap();
    assert_eq!(v.children, in_village);
    assert_eq!((v.confirmed, v.updated, v.closed), (3, 2, 1));
    assert_eq!(v.pending, in_village - 6);
    assert_eq!(
        (s.confirmed, s.updated, s.closed, s.pending),
        (4, 2, 1, in_township - 7)
    );
    // Half-way through (31 March of a January–June round), the pace asks
    // for floor(share × children) covered children.
    assert!(s.expected_share > 0.45 && s.expected_share < 0.55);
    let coverage = |code: &str| {
        s.villages
            .iter()
            .find(|v| v.village_code == code)
            .unwrap_or_else(|| panic!("village {code} is in the round"))
    };
    let idle = coverage(&idle_village);
    assert_eq!((idle.children, idle.pending), (5, 5));
    assert!(idle.late, "none of 5 covered, 2 owed: behind");
    let on_pace = coverage(&paced_village);
    assert_eq!((on_pace.children, on_pace.pending), (2, 1));
    assert!(!on_pace.late, "1 of 2 covered, 1 owed: on pace");
    // The village of the six records: 6 covered; late only if the pace
    // asks for more than 6 (13 or more children half-way).
    let due_here = (s.expected_share * v.children as f64).floor() as u64;
    assert_eq!(v.late, 6 < due_here, "{v:?}");
    assert!(!s.late_villages().is_empty());
    // On the round's first day nothing is due yet, so no village is late.
    let first_day = campaigns::status(store.conn(), c.id, start).unwrap();
    assert!(first_day.villages.iter().all(|v| !v.late));

    let closed = store
        .write(&actor(&store), |tx| {
            campaigns::close(tx, c.id, d("2026-07-01"))
        })
        .unwrap();
    assert_eq!(closed.campaign.state, CampaignState::Closed);
    assert_eq!(closed.expected_share, 1.0);
    assert!(closed.villages.iter().all(|v| v.late == (v.pending > 0)));
    // Locked: the stored snapshot is what status returns, and nothing changes it.
    let again = campaigns::status(store.conn(), c.id, d("2027-01-01")).unwrap();
    assert_eq!(again, closed);
    let err = store
        .write(&actor(&store), |tx| {
            campaigns::record(tx, c.id, ids[1], Outcome::Updated, None)
        })
        .unwrap_err();
    assert!(err.to_string().contains("锁定"), "{err}");
    let err = hutong_tests::raw_conn(store.path())
        .unwrap()
        .execute("UPDATE campaigns SET title = 'x' WHERE id = ?1", [c.id])
        .unwrap_err();
    assert!(err.to_string().contains("锁定"), "{err}");
    let snap = campaigns::locked_snapshot(store.conn(), c.id).unwrap();
    assert_eq!(snap.children.len() as u64, in_township);

    // The summary prints.
    let doc = campaigns::summary_document(&closed);
    let pdf = hutong_report::render(&doc, &hutong_report::FontSet::bundled()).unwrap();
    let file = dir.path().join("summary.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = hutong_tests::pdftotext(&file);
    let figure = |label: &str| hutong_tests::value_after(&text, label).map(str::to_string);
    assert_eq!(
        figure("应排查儿童"),
        Some(in_township.to_string()),
        "{text}"
    );
    assert_eq!(figure("已核实"), Some("4".into()), "{text}");
    assert_eq!(figure("已更新"), Some("2".into()), "{text}");
    assert_eq!(figure("已销档"), Some("1".into()), "{text}");
    assert_eq!(
        figure("未排查"),
        Some((in_township - 7).to_string()),
        "{text}"
    );
    // The village where nothing was done is marked, on its own row.
    let idle_name = divisions::get(store.conn(), &idle_village)
        .unwrap()
        .unwrap()
        .name;
    assert_eq!(
        hutong_tests::numbers_on_rows(&text, &format!("{idle_name}（滞后）")),
        vec![vec![5, 0, 0, 0, 5]],
        "{text}"
    );
    assert!(
        hutong_core::audit::verify(store.conn())
            .unwrap()
            .is_intact()
    );
}

// ------------------------------------------------------------------ CLI

#[test]
fn the_cli_assesses_schedules_runs_a_campaign_and_sweeps_eligibility() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let run = |args: &[&str]| {
        let out = hutong_cli(&db, args, None);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    };
    run(&["demo", "--children", "60", "--no-history"]);
    run(&["plugin", "dev-mode", "on"]);
    run(&["plugin", "install", wasm(HENAN).to_str().unwrap()]);

    // assess --all: nobody has answers yet, so nobody is scored (a missing
    // answer is never "no risk"), and nothing is stored.
    let json: serde_json::Value =
        serde_json::from_str(&run(&["assess", "--all", "--include-unassessed", "--json"])).unwrap();
    assert_eq!(json["children"], 67);
    assert_eq!(json["assessed"], 0);
    assert_eq!(json["without_answers"], 67);
    // One child without answers: refused, naming the unanswered items.
    let unanswered = hutong_cli(&db, &["assess", "--child", "411525201304150124"], None);
    assert!(!unanswered.status.success());
    assert!(
        stderr(&unanswered).contains("尚未作答"),
        "{}",
        stderr(&unanswered)
    );
    // With every item answered (the first option of each).
    let scale = casework::pick_scale(&mut plugin(HENAN), None).unwrap();
    let pairs: Vec<String> = scale
        .items
        .iter()
        .map(|i| format!("{}={}", i.id, i.options[0].code))
        .collect();
    let mut args = vec!["assess", "--child", "411525201304150124"];
    for p in &pairs {
        args.extend(["--answer", p.as_str()]);
    }
    let text = run(&args);
    assert!(text.contains("颜色趋势"), "{text}");
    assert!(text.contains("cn.hutong.henan@"), "{text}");
    assert!(
        !text.contains("411525201304150124"),
        "ID numbers are masked: {text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["assess", "--child", "411525201304150124", "--json"])).unwrap();
    assert_eq!(json["trend"].as_array().unwrap().len(), 2);
    let text = run(&["assess", "--all"]);
    assert!(
        text.contains("未变化 1 人") && text.contains("从未评估 66 人"),
        "{text}"
    );
    let bad = hutong_cli(
        &db,
        &[
            "assess",
            "--child",
            "411525201304150124",
            "--answer",
            "nonsense=1",
        ],
        None,
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("nonsense"), "{}", stderr(&bad));

    // schedule: the same rows as a table and as JSON.
    let table = run(&["schedule", "--village", "411525102"]);
    assert!(
        table.contains("应走访日期") && table.contains("张小雨"),
        "{table}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["schedule", "--village", "411525102", "--json"])).unwrap();
    let entries = json["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert_eq!(
        table.lines().filter(|l| has_full_id(l)).count(),
        0,
        "masked"
    );
    assert!(
        table.contains(&format!("共 {} 人", entries.len())),
        "{table}"
    );
    let far = run(&["schedule", "--overdue", "--today", "2099-01-01", "--json"]);
    let far: serde_json::Value = serde_json::from_str(&far).unwrap();
    assert!(
        far["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["escalation"] == "county")
    );

    // campaign start / record / status / close.
    let out = run(&[
        "campaign",
        "start",
        "--division",
        "411525102",
        "--today",
        "2026-01-01",
    ]);
    assert!(out.contains("2026-06-30"), "{out}");
    run(&[
        "campaign",
        "record",
        "--child",
        "411525201304150124",
        "--outcome",
        "confirmed",
    ]);
    run(&[
        "campaign",
        "record",
        "--child",
        "411525201508220251",
        "--outcome",
        "updated",
        "--note",
        "电话变更",
    ]);
    let status: serde_json::Value = serde_json::from_str(&run(&[
        "campaign",
        "status",
        "--json",
        "--today",
        "2026-03-01",
    ]))
    .unwrap();
    assert_eq!(
        (status["confirmed"].as_u64(), status["updated"].as_u64()),
        (Some(1), Some(1))
    );
    let text = run(&["campaign", "status", "--today", "2026-03-01"]);
    assert!(text.contains("覆盖率") && text.contains("合计"), "{text}");
    let pdf = dir.path().join("campaign.pdf");
    let text = run(&[
        "campaign",
        "close",
        "--today",
        "2026-07-01",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(text.contains("已结束并锁定"), "{text}");
    // The summary prints the round's figures: the two outcomes recorded.
    let printed = hutong_tests::pdftotext(&pdf);
    assert_eq!(
        hutong_tests::value_after(&printed, "已核实"),
        Some("1"),
        "{printed}"
    );
    assert_eq!(
        hutong_tests::value_after(&printed, "已更新"),
        Some("1"),
        "{printed}"
    );
    let out = hutong_cli(
        &db,
        &[
            "campaign",
            "record",
            "--child",
            "411525201304150124",
            "--outcome",
            "confirmed",
        ],
        None,
    );
    assert!(!out.status.success());

    // eligibility: 刘欣怡's case ends on her 18th birthday.
    run(&["eligibility", "sweep", "--today", "2027-06-11"]);
    let text = run(&["eligibility", "sweep", "--today", "2027-06-12"]);
    assert!(
        text.contains("刘欣怡") && text.contains("终止") && text.contains("2027年7月"),
        "{text}"
    );
    let out = hutong_cli(&db, &["audit", "verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn plugin_casework_needs_edit_cases_and_the_childs_scope() {
    use hutong_services::{Action, ServiceError};
    let (_dir, mut store) = county("411525", 40);
    let mut henan = plugin("hutong_plugin_henan");
    let login = |store: &mut Store, user: &str| {
        hutong_services::login(store, user, hutong_core::demo::DEMO_PASSWORD).unwrap()
    };
    let director = login(&mut store, "director");
    let auditor = login(&mut store, "auditor");
    let all = hutong_core::children::list(
        store.conn(),
        &store.county_scope().unwrap(),
        &Default::default(),
    )
    .unwrap();
    let inside = all
        .iter()
        .find(|c| director.scope().contains(&c.residence_division))
        .unwrap()
        .id;
    let outside = all
        .iter()
        .find(|c| !director.scope().contains(&c.residence_division))
        .unwrap()
        .id;
    let today = real_today();
    let denied = |r: &casework::Result<Vec<hutong_core::eligibility::CategoryChange>>| {
        matches!(
            r,
            Err(casework::CaseworkError::Service(ServiceError::Denied {
                action: Action::EditCases,
                ..
            }))
        )
    };
    // The auditor reads but does not classify.
    let r = casework::classify_child(&mut store, &mut henan, &auditor, inside, today);
    assert!(denied(&r), "{r:?}");
    // The director classifies her own child, not another village's.
    casework::classify_child(&mut store, &mut henan, &director, inside, today).unwrap();
    let r = casework::classify_child(&mut store, &mut henan, &director, outside, today);
    assert!(
        matches!(
            r,
            Err(casework::CaseworkError::Service(ServiceError::Core(
                hutong_core::CoreError::OutOfScope { .. }
            )))
        ),
        "{r:?}"
    );
    // The county sweep is county work: refused to the director.
    let r = casework::eligibility_sweep(
        &mut store,
        &mut henan,
        &director,
        today,
        &mut no_progress(),
        &AtomicBool::new(false),
    );
    assert!(r.is_err(), "a village director may not sweep the county");
    // Each refusal is in the audit log.
    let refusals: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'access.denied'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(refusals, 3);
}
