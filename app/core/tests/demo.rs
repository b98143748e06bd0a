//! The demo county (issue #19 part 2): unique ID numbers for any seed, a
//! year of casework, categories that agree with the province rules, and a
//! demo county in each of the four provinces.

use hutong_core::campaigns;
use hutong_core::counselling as care;
use hutong_core::demo::{self, DemoOptions, DemoSummary, HistorySummary};
use hutong_core::mandatory_reports::{self as mr, ReportQuery, ReportStatus};
use hutong_core::national::NaiveDate;
use hutong_core::national::category::CaseCategory;
use hutong_core::national::{dates, division, id_number};
use hutong_core::province::{ChildSnapshot, RelationSnapshot, Value, VisitPolicy};
use hutong_core::schedule::{self, DueStatus, Escalation, ScheduleFilter};
use hutong_core::users::Role;
use hutong_core::{RowId, Store, snapshot};
use std::collections::HashSet;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const TODAY: &str = "2025-05-22";

fn options(county: &str, children: usize, seed: u64) -> DemoOptions {
    DemoOptions {
        county_code: county.into(),
        generated_children: children,
        seed,
        today: day(TODAY),
    }
}

/// A demo county with its year of casework, as `hutong demo` makes it.
fn make(
    county: &str,
    children: usize,
    seed: u64,
) -> (tempfile::TempDir, Store, DemoSummary, HistorySummary) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create_encrypted(&dir.path().join("demo.db"), true).unwrap();
    let opts = options(county, children, seed);
    let summary = demo::generate(&mut store, &opts, |_, _| true).unwrap();
    let history = demo::add_history(&mut store, &opts).unwrap();
    (dir, store, summary, history)
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every number distinct (children and relatives together), valid, and
/// of the child's sex.
fn assert_ids_unique_and_valid(store: &Store) {
    let total = count(
        store,
        "SELECT count(*) FROM (SELECT id_number FROM children
           UNION ALL SELECT id_number FROM persons WHERE id_number IS NOT NULL)",
    );
    let distinct = count(
        store,
        "SELECT count(*) FROM (SELECT id_number FROM children
           UNION SELECT id_number FROM persons WHERE id_number IS NOT NULL)",
    );
    assert_eq!(total, distinct, "duplicate ID numbers");
    let mut stmt = store
        .conn()
        .prepare("SELECT id_number, sex, birth_date FROM children")
        .unwrap();
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (id, sex, birth) in rows {
        let p = id_number::parse(&id, day("2100-01-01")).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            p.sex.code(),
            sex,
            "{id}: sex digit disagrees with the child's sex"
        );
        assert_eq!(p.birth_date.to_string(), birth, "{id}: birth date");
    }
}

#[test]
fn id_numbers_are_unique_for_any_seed() {
    for seed in [20250522, 1, 2, 3] {
        let (_dir, store, summary, _) = make("411525", 3_000, seed);
        assert_eq!(summary.children, 3_007);
        assert_eq!(
            count(&store, "SELECT count(DISTINCT id_number) FROM children"),
            3_007
        );
        assert_ids_unique_and_valid(&store);
    }
}

/// `cargo test -p hutong-core --test demo -- --ignored big --nocapture`:
/// the README's 100,000 children with the default seed and three others.
#[test]
#[ignore = "100,000 children with four seeds, several minutes: cargo test -p hutong-core --test demo -- --ignored"]
fn big_demo_has_unique_id_numbers_with_four_seeds() {
    for seed in [20250522, 1, 2, 3] {
        let started = std::time::Instant::now();
        let (_dir, store, summary, _) = make("411525", 100_000, seed);
        eprintln!(
            "seed {seed}: {} children in {:.1}s",
            summary.children,
            started.elapsed().as_secs_f64()
        );
        assert_eq!(summary.children, 100_007);
        assert_eq!(
            count(&store, "SELECT count(DISTINCT id_number) FROM children"),
            100_007
        );
        assert_ids_unique_and_valid(&store);
    }
}

#[test]
fn extending_a_demo_with_the_same_seed_adds_new_numbers_and_no_second_history() {
    let (dir, store, _, first) = make("411525", 400, 5);
    assert!(first.mandatory_reports > 0);
    let database = store.database();
    drop(store);
    let _ = &dir;
    let mut store = database.open().unwrap();
    let opts = options("411525", 400, 5);
    let second = demo::generate(&mut store, &opts, |_, _| true).unwrap();
    let second_history = demo::add_history(&mut store, &opts).unwrap();
    // The seven cases exist already; the 400 new children get new numbers.
    assert_eq!(second.children, 400);
    assert_eq!(count(&store, "SELECT count(*) FROM children"), 807);
    assert_ids_unique_and_valid(&store);
    assert_eq!(second_history, HistorySummary::default());
    assert_eq!(
        count(&store, "SELECT count(*) FROM mandatory_reports") as usize,
        first.mandatory_reports
    );
}

/// The policy every province plugin gives when no assessment picks a level.
fn default_policy() -> VisitPolicy {
    VisitPolicy {
        default_days: 30,
        by_level: vec![],
        escalate_township_after_days: 7,
        escalate_county_after_days: 30,
    }
}

#[test]
fn a_year_of_visits_is_mostly_on_schedule_with_some_overdue_and_escalated() {
    let (_dir, store, summary, _) = make("411525", 2_000, 20250522);
    assert!(summary.visits > 2_007 * 8, "{} visits", summary.visits);
    let scope = store.county_scope().unwrap();
    let entries = schedule::compute(
        store.conn(),
        &scope,
        &default_policy(),
        day(TODAY),
        &ScheduleFilter::default(),
    )
    .unwrap();
    assert_eq!(entries.len(), 2_007);
    let n = |f: &dyn Fn(&&schedule::ScheduleEntry) -> bool| entries.iter().filter(f).count();
    let overdue = n(&|e| e.status == DueStatus::Overdue);
    let this_week = n(&|e| e.status == DueStatus::DueThisWeek);
    let upcoming = n(&|e| e.status == DueStatus::Upcoming);
    assert!(
        (100..=400).contains(&overdue),
        "overdue {overdue} of 2007 (expected about 17%)"
    );
    assert!(this_week > 20, "due this week: {this_week}");
    assert!(upcoming > 1_400, "on schedule: {upcoming}");
    assert!(n(&|e| e.escalation == Escalation::Township) > 10);
    assert!(n(&|e| e.escalation == Escalation::County) > 50);
    // Visits span the year and none is in the future.
    let (first, last): (String, String) = store
        .conn()
        .query_row(
            "SELECT min(visit_date), max(visit_date) FROM visits",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(first.as_str() <= "2024-06-15", "{first}");
    assert!(last.as_str() <= TODAY, "{last}");
    assert!(
        count(
            &store,
            "SELECT count(*) FROM visits WHERE follow_up IS NOT NULL"
        ) > 100
    );
}

#[test]
fn casework_history_has_every_state() {
    let (_dir, store, _, h) = make("411525", 2_000, 20250522);
    let scope = store.county_scope().unwrap();
    // 强制报告: waiting, closed, voided, with custody, late.
    let reports = mr::list(
        store.conn(),
        &ReportQuery::within(scope.clone()),
        Role::CountyAdmin,
    )
    .unwrap();
    let voided = count(
        &store,
        "SELECT count(*) FROM mandatory_reports WHERE status = 'voided'",
    );
    // The list leaves voided reports out.
    assert_eq!(reports.len() + voided as usize, h.mandatory_reports);
    let status = |s: ReportStatus| {
        count(
            &store,
            &format!(
                "SELECT count(*) FROM mandatory_reports WHERE status = '{}'",
                s.code()
            ),
        )
    };
    for s in [
        ReportStatus::Open,
        ReportStatus::Closed,
        ReportStatus::Voided,
    ] {
        assert!(status(s) >= 1, "no report {}", s.label_zh());
    }
    assert!(
        count(
            &store,
            "SELECT count(*) FROM mandatory_reports WHERE custody_from IS NOT NULL"
        ) >= 2
    );
    let late = count(
        &store,
        "SELECT count(*) FROM mandatory_reports
         WHERE (julianday(reported_at) - julianday(found_at)) * 24 > 24",
    );
    assert!(late >= 1, "no late report");
    // Services and referrals in several states.
    assert!(h.services > 150, "{h:?}");
    let referral_states = count(&store, "SELECT count(DISTINCT status) FROM referrals");
    assert!(referral_states >= 4, "{referral_states} referral states");
    // Allowance ledger: a year of months, paid except the current one.
    let months = count(
        &store,
        "SELECT count(DISTINCT month) FROM allowance_payments",
    );
    assert!(months >= 12, "{months} months");
    assert!(
        count(
            &store,
            "SELECT count(*) FROM allowance_payments WHERE status = 'paid'"
        ) > 0
    );
    assert!(
        count(
            &store,
            "SELECT count(*) FROM allowance_payments WHERE status = 'due' AND month = '2025-05'"
        ) > 0
    );
    // Wishes from recorded to fulfilled, and cancelled.
    assert_eq!(
        count(&store, "SELECT count(DISTINCT status) FROM wishes"),
        5
    );
    // Counselling: follow-ups overdue, due soon, done.
    let due_by_today = care::due_followups(store.conn(), &scope, day(TODAY)).unwrap();
    assert!(due_by_today.iter().any(|f| f.is_overdue(day(TODAY))));
    assert!(
        count(
            &store,
            "SELECT count(*) FROM care_followups WHERE status = 'open' AND due_on > '2025-05-22'"
        ) > 0
    );
    assert!(
        count(
            &store,
            "SELECT count(*) FROM care_followups WHERE status = 'done'"
        ) > 0
    );
    assert!(h.counselling_sessions > 0);
    // A 摸排 round in progress with recorded and unrecorded children, and
    // villages behind pace.
    let open = campaigns::open(store.conn()).unwrap();
    assert_eq!(open.len(), 1);
    let st = campaigns::status(store.conn(), open[0].id, day(TODAY)).unwrap();
    assert_eq!(st.children, 2_007);
    assert_eq!((st.confirmed + st.updated) as usize, h.campaign_recorded);
    assert!(
        st.pending > 300 && st.confirmed > 800,
        "{} pending",
        st.pending
    );
    assert!(st.updated > 0);
    assert!(!st.late_villages().is_empty());
    assert!(st.villages.iter().any(|v| !v.late));
    // Every write is in the audit chain.
    assert!(
        hutong_core::audit::verify(store.conn())
            .unwrap()
            .is_intact()
    );
}

// ------------------------------------------------------------------ rules

/// The parts of plugin-sdk `rules::judge` the demo's facts use.
fn holds(r: &RelationSnapshot, today: NaiveDate) -> Option<&str> {
    let d = |s: &Option<String>| s.as_deref().and_then(dates::parse_flexible);
    let ok = match r.situation.as_str() {
        "" => false,
        "IMPRISONED" | "COMPULSORY_REHAB" | "OTHER_RESTRICTION" => {
            match (d(&r.situation_since), d(&r.situation_until)) {
                (Some(s), Some(u)) => u >= dates::add_months(s, 6) && u > today,
                (Some(s), None) => dates::add_months(s, 6) <= today,
                _ => false,
            }
        }
        "LOST_CONTACT" => d(&r.situation_since).is_some_and(|s| dates::add_months(s, 6) <= today),
        "SEVERE_DISABILITY" => match r.disability_grade {
            Some(1 | 2) => true,
            Some(3 | 4) => r.disability_type.contains("精神") || r.disability_type.contains("智力"),
            _ => false,
        },
        _ => true,
    };
    ok.then_some(r.situation.as_str())
}

const SIX: [&str; 6] = [
    "SEVERE_DISABILITY",
    "SEVERE_ILLNESS",
    "IMPRISONED",
    "COMPULSORY_REHAB",
    "OTHER_RESTRICTION",
    "LOST_CONTACT",
];

/// What the plugin rules (plugin-sdk rules/left_behind/migrant_monitor and
/// 江苏's difficult_self) say about a child, as categories held.
fn rule_categories(
    c: &ChildSnapshot,
    today: NaiveDate,
    migrant_form: &str,
) -> HashSet<CaseCategory> {
    let mut out = HashSet::new();
    let birth = dates::parse_flexible(&c.birth_date).unwrap();
    let under_16 = today < dates::turns_16_on(birth);
    let under_18 = today < dates::turns_18_on(birth);
    let parent = |rel: &str| c.relations.iter().find(|r| r.relation == rel);
    let (f, m) = (parent("FATHER"), parent("MOTHER"));
    let fs = f.and_then(|r| holds(r, today));
    let ms = m.and_then(|r| holds(r, today));
    let dead = |s: Option<&str>| matches!(s, Some("DEAD" | "MISSING_DECLARED"));
    let six = |s: Option<&str>| s.is_some_and(|s| SIX.contains(&s));
    if under_18 && dead(fs) && dead(ms) {
        out.insert(CaseCategory::OrphanScattered);
    } else if under_18 && ((six(fs) && six(ms)) || (dead(fs) && six(ms)) || (dead(ms) && six(fs))) {
        out.insert(CaseCategory::DeFactoUnsupported);
    }
    let rural = [&c.hukou_division, &c.residence_division]
        .iter()
        .any(|d| division::is_rural(d) == Some(true));
    let away = |r: Option<&RelationSnapshot>| {
        r.is_some_and(|r| r.occupation == "务工" || r.occupation.contains("外出"))
    };
    assert!(
        !(away(f) ^ away(m)) || !(fs.is_some() || ms.is_some()),
        "{}: one parent away and the other in a situation is a case the demo should not make",
        c.name
    );
    if under_16 && rural && away(f) && away(m) {
        out.insert(CaseCategory::LeftBehindRural);
    }
    let cross = c.hukou_division.get(..6) != c.residence_division.get(..6);
    // Only 河南 and 青海 classify 流动 (from their monitoring form).
    if under_16 && cross && !migrant_form.is_empty() {
        let form = c.forms.iter().find(|x| x.form_id == migrant_form);
        let arrived = form.and_then(|x| {
            x.values
                .iter()
                .find_map(|v| match (&v.field_id[..], &v.value) {
                    ("arrived_on" | "moved_in_on", Value::Text(s)) => dates::parse_flexible(s),
                    _ => None,
                })
        });
        let arrived = arrived.unwrap_or_else(|| {
            panic!(
                "{}: lives across a county line without the monitoring form",
                c.name
            )
        });
        if dates::add_months(arrived, 6) <= today {
            out.insert(CaseCategory::Migrant);
        }
    }
    if under_18
        && (matches!(c.disability_grade, Some(1 | 2))
            || c.health.contains("重病")
            || c.health.contains("大病"))
    {
        out.insert(CaseCategory::DifficultSelf);
    }
    out
}

/// For each child, the categories the rules decide (those the plugin
/// classifies) are exactly those the demo assigned, and every category
/// ends after today.
fn assert_categories_agree(store: &Store, classified: &[CaseCategory], migrant_form: &str) {
    let today = day(TODAY);
    let ids: Vec<RowId> = {
        let mut stmt = store.conn().prepare("SELECT id FROM children").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut checked = 0;
    for id in ids {
        let snap = snapshot::child_snapshot(store.conn(), id).unwrap();
        let held: HashSet<CaseCategory> = snap
            .categories
            .iter()
            .filter_map(|c| CaseCategory::from_code(c))
            .filter(|c| classified.contains(c))
            .collect();
        let mut rules = rule_categories(&snap, today, migrant_form);
        rules.retain(|c| classified.contains(c));
        assert_eq!(
            held, rules,
            "{} ({}) held {:?}, rules say {:?}",
            snap.name, snap.id_number, held, rules
        );
        checked += 1;
    }
    assert!(checked > 0);
    let expired = count(
        store,
        &format!(
            "SELECT count(*) FROM categories WHERE status = 'active' AND effective_until <= '{TODAY}'"
        ),
    );
    assert_eq!(expired, 0, "categories that a sweep today would end");
}

#[test]
fn henan_categories_agree_with_the_henan_rules() {
    let (_dir, store, summary, _) = make("411525", 2_000, 20250522);
    assert!(summary.forms > 100, "{} monitoring forms", summary.forms);
    // 河南 classifies 事实无人抚养, 孤儿, 留守 and 流动 (plugins/henan/src/lib.rs).
    assert_categories_agree(
        &store,
        &[
            CaseCategory::DeFactoUnsupported,
            CaseCategory::OrphanScattered,
            CaseCategory::LeftBehindRural,
            CaseCategory::Migrant,
        ],
        "migrant-monitor",
    );
    // Each of the four categories is there, so the check is not vacuous.
    for c in [
        "DE_FACTO_UNSUPPORTED",
        "ORPHAN_SCATTERED",
        "LEFT_BEHIND_RURAL",
        "MIGRANT",
    ] {
        assert!(
            count(
                &store,
                &format!("SELECT count(*) FROM categories WHERE category = '{c}'")
            ) > 20,
            "{c}"
        );
    }
    // The generator makes no 集中供养孤儿: the SDK's 孤儿 rule would start 散居 for one.
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM categories WHERE category = 'ORPHAN_INSTITUTIONAL'"
        ),
        0
    );
}

#[test]
fn jiangsu_categories_agree_with_the_jiangsu_rules() {
    let (_dir, store, _, _) = make("320903", 600, 11);
    // 江苏 classifies 事实无人抚养 (8 situations; the demo uses none of the
    // two extra), 孤儿, 留守 and 困境（自身）.
    assert_categories_agree(
        &store,
        &[
            CaseCategory::DeFactoUnsupported,
            CaseCategory::OrphanScattered,
            CaseCategory::LeftBehindRural,
            CaseCategory::DifficultSelf,
        ],
        "",
    );
}

#[test]
fn qinghai_and_xizang_categories_agree_with_their_rules() {
    let (_dir, store, _, _) = make("630106", 600, 12);
    assert_categories_agree(
        &store,
        &[
            CaseCategory::OrphanScattered,
            CaseCategory::DeFactoUnsupported,
            CaseCategory::Migrant,
        ],
        "migrant",
    );
    let (_dir, store, _, _) = make("540124", 600, 13);
    assert_categories_agree(
        &store,
        &[
            CaseCategory::OrphanScattered,
            CaseCategory::DeFactoUnsupported,
        ],
        "",
    );
}

#[test]
fn a_demo_county_in_each_province_uses_its_own_divisions_and_address_codes() {
    for county in ["320903", "540124", "630106", "411525"] {
        let (_dir, store, summary, _) = make(county, 300, 3);
        assert_eq!(summary.children, 307, "{county}");
        let outside = count(
            &store,
            &format!("SELECT count(*) FROM children WHERE residence_division NOT LIKE '{county}%'"),
        );
        assert_eq!(outside, 0, "{county}: children living outside the county");
        let not_village = count(
            &store,
            "SELECT count(*) FROM children c LEFT JOIN divisions d ON d.code = c.residence_division
             WHERE d.code IS NULL OR length(d.code) <> 12",
        );
        assert_eq!(
            not_village, 0,
            "{county}: residence not a village of the county"
        );
        // Children who are not 流动 carry the county's address code.
        let foreign = count(
            &store,
            &format!(
                "SELECT count(*) FROM children c WHERE substr(c.id_number, 1, 6) <> '{county}'
                 AND NOT EXISTS (SELECT 1 FROM categories k WHERE k.child_id = c.id AND k.category = 'MIGRANT')
                 AND c.id_number NOT IN ({})",
                demo::REFERENCE_IDS.iter().map(|i| format!("'{i}'")).collect::<Vec<_>>().join(",")
            ),
        );
        assert_eq!(foreign, 0, "{county}: ID address codes from elsewhere");
        assert_ids_unique_and_valid(&store);
    }
    // 西藏: most children are 藏族 with Tibetan names (no surname).
    let (_dir, store, _, _) = make("540124", 300, 3);
    let tibetan = count(
        &store,
        "SELECT count(*) FROM children WHERE ethnicity = '藏族'",
    );
    assert!(tibetan > 200, "{tibetan} 藏族 children of 307");
}
