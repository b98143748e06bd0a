//! Issue #16: the 业务台账 use cases (`hutong_services::records`) check the
//! permission table and the division scope themselves, whichever face
//! calls them. Each refusal is a `ServiceError::Denied` (or an out-of-scope
//! refusal) with an `access.denied` audit entry; the grant is shown with a
//! role that has the permission.
//!
//! One small demo county (encrypted, with the demo accounts) is made per
//! test; the accounts log in with the demo password.

use hutong_core::allowances::{GrantInput, IdDisplay, Programme, YearMonth};
use hutong_core::children::{ChildQuery, ChildRow};
use hutong_core::counselling::{SessionInput, SessionMode};
use hutong_core::demo::{DEMO_PASSWORD, DemoOptions};
use hutong_core::mandatory_reports::{Channel, ReportInput, Reporter, Situation};
use hutong_core::national::NaiveDate;
use hutong_core::national::category::CaseCategory;
use hutong_core::services::{ItemSnapshot, ServiceInput};
use hutong_core::workforce::{WorkerInput, WorkerRole};
use hutong_core::{CoreError, Store, children};
use hutong_services::records::{
    self as rec, allowances, care, mreport, services, wishes, workforce,
};
use hutong_services::{Action, ServiceError, Session, SystemJob};

struct County {
    _dir: tempfile::TempDir,
    store: Store,
}

fn county() -> County {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create_encrypted(&dir.path().join("demo.db"), true).unwrap();
    let opts = DemoOptions {
        county_code: "411525".into(),
        generated_children: 200,
        seed: 7,
        today: today(),
    };
    hutong_core::demo::generate(&mut store, &opts, |_, _| true).unwrap();
    County { _dir: dir, store }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

impl County {
    fn login(&mut self, user: &str) -> Session {
        hutong_services::login(&mut self.store, user, DEMO_PASSWORD).unwrap()
    }

    fn refusals(&self) -> i64 {
        self.store
            .conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'access.denied'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// The last refusal's entity id: the action's code, or `out_of_scope`.
    fn last_refusal(&self) -> String {
        self.store
            .conn()
            .query_row(
                "SELECT coalesce(entity_id, '') FROM audit_log
                 WHERE action = 'access.denied' ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// A child inside `session`'s scope, and one outside it.
    fn inside_and_outside(&self, session: &Session) -> (ChildRow, ChildRow) {
        let all = children::list(
            self.store.conn(),
            &self.store.county_scope().unwrap(),
            &ChildQuery::default(),
        )
        .unwrap();
        let inside = all
            .iter()
            .find(|c| session.scope().contains(&c.residence_division))
            .expect("a child in the session's scope")
            .clone();
        let outside = all
            .iter()
            .find(|c| !session.scope().contains(&c.residence_division))
            .expect("a child outside the session's scope")
            .clone();
        (inside, outside)
    }
}

/// Asserts a refusal of `action` that was audited.
fn assert_denied<T: std::fmt::Debug>(
    c: &County,
    before: i64,
    result: hutong_services::Result<T>,
    action: Action,
) {
    match result {
        Err(ServiceError::Denied { action: a, .. }) => assert_eq!(a, action),
        other => panic!("expected a refusal of {action:?}, got {other:?}"),
    }
    assert_eq!(c.refusals(), before + 1, "the refusal is audited");
    assert_eq!(c.last_refusal(), action.code());
}

/// Asserts an out-of-scope refusal that was audited.
fn assert_out_of_scope<T: std::fmt::Debug>(
    c: &County,
    before: i64,
    result: hutong_services::Result<T>,
) {
    match result {
        Err(ServiceError::Core(CoreError::OutOfScope { .. })) => {}
        other => panic!("expected an out-of-scope refusal, got {other:?}"),
    }
    assert_eq!(c.refusals(), before + 1, "the refusal is audited");
    assert_eq!(c.last_refusal(), "out_of_scope");
}

fn report_for(child: &ChildRow) -> ReportInput {
    let now = chrono::Local::now().naive_local() - chrono::Duration::hours(1);
    ReportInput {
        child_id: child.id,
        situations: vec![Situation::ALL[0]],
        reporter: Reporter {
            unit: "某某小学".into(),
            role: "班主任".into(),
            contact: None,
        },
        found_at: now - chrono::Duration::hours(2),
        reported_at: now,
        channel: Channel::Police110,
        receiving_agency: "县公安局".into(),
        receipt_no: None,
        perpetrator_relation: None,
        safety_action: None,
    }
}

#[test]
fn mandatory_reports_keep_the_reporter_confidential_and_need_edit_cases_to_write() {
    let mut c = county();
    let caseworker = c.login("caseworker");
    let supervisor = c.login("supervisor");
    let auditor = c.login("auditor");
    let (child, _) = c.inside_and_outside(&supervisor);

    // Writing needs EditCases: the auditor is refused, the caseworker not.
    let before = c.refusals();
    let refused = mreport::add(&mut c.store, &auditor, &report_for(&child));
    assert_denied(&c, before, refused, Action::EditCases);
    let report = mreport::add(&mut c.store, &caseworker, &report_for(&child)).unwrap();

    // ViewReporter: the caseworker sees the reporter, the supervisor (no
    // ViewReporter) gets the report redacted, in the list and the detail.
    let seen = mreport::get(&mut c.store, &caseworker, report.id).unwrap();
    assert!(!seen.reporter_redacted);
    assert_eq!(seen.reporter.unit, "某某小学");
    let hidden = mreport::get(&mut c.store, &supervisor, report.id).unwrap();
    assert!(hidden.reporter_redacted);
    assert_ne!(hidden.reporter.unit, "某某小学");
    let listed = mreport::list(&mut c.store, &supervisor, &mreport::Filter::default()).unwrap();
    let row = listed.iter().find(|r| r.report.id == report.id).unwrap();
    assert!(row.report.reporter_redacted);

    // The supervisor edits what they were shown: the stored reporter is kept,
    // not overwritten with the redaction.
    let mut edit = report_for(&child);
    edit.reporter = hidden.reporter.clone();
    edit.receiving_agency = "县检察院".into();
    mreport::update(
        &mut c.store,
        &supervisor,
        report.id,
        &edit,
        Some("更正接报机关"),
    )
    .unwrap();
    let after = mreport::get(&mut c.store, &caseworker, report.id).unwrap();
    assert_eq!(after.reporter.unit, "某某小学");
    assert_eq!(after.receiving_agency, "县检察院");

    // A system job that may not read cases is refused the list.
    let job = Session::system(&c.store, SystemJob::ScheduledBackup).unwrap();
    let before = c.refusals();
    let refused = mreport::list(&mut c.store, &job, &mreport::Filter::default());
    assert_denied(&c, before, refused, Action::ViewCases);
}

#[test]
fn a_referral_letter_needs_print_and_the_child_in_scope() {
    let mut c = county();
    let caseworker = c.login("caseworker");
    let director = c.login("director");
    let auditor = c.login("auditor");
    let (_, outside) = c.inside_and_outside(&director);
    let report = mreport::add(&mut c.store, &caseworker, &report_for(&outside)).unwrap();
    let out = c._dir.path().join("letter.pdf");
    let fonts = hutong_report::FontSet::with_system_fonts();

    let before = c.refusals();
    let refused = mreport::letter(
        &mut c.store,
        &auditor,
        report.id,
        None,
        today(),
        &fonts,
        &out,
    );
    assert_denied(&c, before, refused, Action::Print);

    // The director may print, but not a letter about a child of another village.
    let before = c.refusals();
    let refused = mreport::letter(
        &mut c.store,
        &director,
        report.id,
        None,
        today(),
        &fonts,
        &out,
    );
    assert_out_of_scope(&c, before, refused);
    assert!(!out.exists(), "nothing written when refused");

    let letter = mreport::letter(
        &mut c.store,
        &caseworker,
        report.id,
        Some("固民函〔2025〕1号".into()),
        today(),
        &fonts,
        &out,
    )
    .unwrap();
    assert!(letter.pages >= 1);
    assert_eq!(
        hutong_services::printing::pdf_sha256(&std::fs::read(&out).unwrap()),
        letter.sha256
    );
}

#[test]
fn county_lists_guard_the_allowance_standards_generation_roster_and_export() {
    let mut c = county();
    let caseworker = c.login("caseworker");
    let director = c.login("director");
    let from = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let month = YearMonth::of(today());

    let before = c.refusals();
    let refused = allowances::set_standard(
        &mut c.store,
        &director,
        CaseCategory::OrphanScattered,
        120_000,
        from,
        "县民政局文件",
    );
    assert_denied(&c, before, refused, Action::CountyLists);
    allowances::set_standard(
        &mut c.store,
        &caseworker,
        CaseCategory::OrphanScattered,
        120_000,
        from,
        "县民政局文件",
    )
    .unwrap();

    let before = c.refusals();
    let refused = allowances::standards(&mut c.store, &director);
    assert_denied(&c, before, refused, Action::CountyLists);
    assert_eq!(
        allowances::standards(&mut c.store, &caseworker)
            .unwrap()
            .len(),
        1
    );

    let before = c.refusals();
    let refused = allowances::generate(&mut c.store, &director, month);
    assert_denied(&c, before, refused, Action::CountyLists);
    allowances::generate(&mut c.store, &caseworker, month).unwrap();

    let before = c.refusals();
    let refused = allowances::roster(&mut c.store, &director, month, None);
    assert_denied(&c, before, refused, Action::CountyLists);
    let roster = allowances::roster(&mut c.store, &caseworker, month, None).unwrap();

    let export = allowances::RosterExport {
        format: allowances::RosterFormat::Xlsx,
        ids: IdDisplay::Masked,
        reason: "",
        passphrase: None,
        today: today(),
    };
    let fonts = hutong_report::FontSet::with_system_fonts();
    let out = c._dir.path().join("roster.xlsx");
    let before = c.refusals();
    let refused =
        allowances::export_roster(&mut c.store, &director, &roster, &export, &fonts, &out);
    assert_denied(&c, before, refused, Action::CountyLists);
    assert!(!out.exists());
    let done = allowances::export_roster(&mut c.store, &caseworker, &roster, &export, &fonts, &out)
        .unwrap();
    assert_eq!(done.path, out);
    assert!(out.exists());
}

#[test]
fn county_lists_guard_the_workforce_register_which_is_read_within_the_scope() {
    let mut c = county();
    let caseworker = c.login("caseworker");
    let director = c.login("director");
    let village = director.scope().code().to_string();
    let input = WorkerInput {
        role: WorkerRole::Director,
        name: "王建国".into(),
        division_code: village.clone(),
        phone: None,
        appointed_on: today(),
        note: None,
    };

    let before = c.refusals();
    let refused = workforce::add_worker(&mut c.store, &director, &input);
    assert_denied(&c, before, refused, Action::CountyLists);
    let w = workforce::add_worker(&mut c.store, &caseworker, &input).unwrap();

    let before = c.refusals();
    let refused = workforce::add_home(
        &mut c.store,
        &director,
        "插花村儿童之家",
        &village,
        None,
        today(),
    );
    assert_denied(&c, before, refused, Action::CountyLists);

    // The director reads the register of their own village only.
    let listed = workforce::list_workers(&mut c.store, &director, None, None, None).unwrap();
    assert!(listed.iter().any(|(x, _)| x.id == w.id));
    assert!(
        listed
            .iter()
            .all(|(x, _)| director.scope().contains(&x.division_code)),
        "only workers within the village"
    );
    let county_wide = workforce::list_workers(&mut c.store, &caseworker, None, None, None).unwrap();
    assert!(county_wide.len() > listed.len());

    // A worker of another village is refused by id.
    let other = county_wide
        .iter()
        .find(|(x, _)| !director.scope().contains(&x.division_code))
        .unwrap()
        .0
        .id;
    let before = c.refusals();
    let refused = workforce::get_worker(&mut c.store, &director, other);
    assert_out_of_scope(&c, before, refused);
}

#[test]
fn record_writes_need_edit_cases() {
    let mut c = county();
    let caseworker = c.login("caseworker");
    let auditor = c.login("auditor");
    // The caseworker's scope is the whole county: every child is inside,
    // so the child is one of the director's village (inside both).
    let director = c.login("director");
    let (child, _) = c.inside_and_outside(&director);
    let service = ServiceInput {
        child_id: child.id,
        item: ItemSnapshot {
            code: "edu-01".into(),
            name: "课业辅导".into(),
            area: "教育".into(),
        },
        service_date: today(),
        provider: "志愿者".into(),
        department: "县教育局".into(),
        outcome: None,
    };
    let grant = GrantInput {
        child_id: child.id,
        programme: Programme::FucaiDream,
        granted_on: today(),
        item: "助学金".into(),
        amount_cents: Some(100_000),
        provider: None,
        note: None,
    };
    let counselling = SessionInput {
        child_id: child.id,
        session_date: today(),
        counsellor: "李老师".into(),
        mode: SessionMode::Individual,
        summary: "情绪稳定".into(),
    };

    let before = c.refusals();
    let refused = services::add(&mut c.store, &auditor, &service, today());
    assert_denied(&c, before, refused, Action::EditCases);
    services::add(&mut c.store, &caseworker, &service, today()).unwrap();

    let before = c.refusals();
    let refused = allowances::add_grant(&mut c.store, &auditor, &grant);
    assert_denied(&c, before, refused, Action::EditCases);
    allowances::add_grant(&mut c.store, &caseworker, &grant).unwrap();

    let before = c.refusals();
    let refused = wishes::add(&mut c.store, &auditor, child.id, "一个书包", None, today());
    assert_denied(&c, before, refused, Action::EditCases);
    let wish = wishes::add(
        &mut c.store,
        &caseworker,
        child.id,
        "一个书包",
        None,
        today(),
    )
    .unwrap();

    let before = c.refusals();
    let refused = wishes::publish(&mut c.store, &auditor, wish.id, today());
    assert_denied(&c, before, refused, Action::EditCases);

    let before = c.refusals();
    let refused = care::save_session(&mut c.store, &auditor, None, &counselling);
    assert_denied(&c, before, refused, Action::EditCases);
    care::save_session(&mut c.store, &caseworker, None, &counselling).unwrap();

    // The auditor may still read them.
    let summary = rec::child_summary::for_child(&mut c.store, &auditor, child.id).unwrap();
    assert_eq!(summary.services.len(), 1);
    assert_eq!(summary.grants.len(), 1);
    assert_eq!(summary.wishes.len(), 1);
    assert_eq!(summary.care.sessions.len(), 1);
}

#[test]
fn records_read_by_id_are_bounded_by_the_scope_and_lists_leave_other_children_out() {
    let mut c = county();
    let caseworker = c.login("caseworker");
    let director = c.login("director");
    let (inside, outside) = c.inside_and_outside(&director);
    let wish = wishes::add(
        &mut c.store,
        &caseworker,
        outside.id,
        "一双球鞋",
        None,
        today(),
    )
    .unwrap();
    for child in [&inside, &outside] {
        let grant = GrantInput {
            child_id: child.id,
            programme: Programme::TomorrowPlan,
            granted_on: today(),
            item: "康复".into(),
            amount_cents: None,
            provider: None,
            note: None,
        };
        allowances::add_grant(&mut c.store, &caseworker, &grant).unwrap();
    }

    let before = c.refusals();
    let refused = wishes::get(&mut c.store, &director, wish.id);
    assert_out_of_scope(&c, before, refused);

    let before = c.refusals();
    let refused = rec::history(&mut c.store, &director, "wishes", wish.id);
    assert_out_of_scope(&c, before, refused);

    let before = c.refusals();
    let refused = care::for_child(&mut c.store, &director, outside.id);
    assert_out_of_scope(&c, before, refused);

    let before = c.refusals();
    let refused = allowances::ledger(&mut c.store, &director, outside.id);
    assert_out_of_scope(&c, before, refused);

    // Granted within the scope.
    assert_eq!(
        wishes::get(&mut c.store, &caseworker, wish.id).unwrap().id,
        wish.id
    );
    assert!(
        !rec::history(&mut c.store, &caseworker, "wishes", wish.id)
            .unwrap()
            .is_empty()
    );
    allowances::ledger(&mut c.store, &director, inside.id).unwrap();

    // Grants: the county's list, filtered to the director's children.
    let theirs = allowances::list_grants(&mut c.store, &director, None, None).unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].0.child_id, inside.id);
    assert_eq!(theirs[0].1, inside.name);
    let all = allowances::list_grants(&mut c.store, &caseworker, None, None).unwrap();
    assert_eq!(all.len(), 2);
}

#[test]
fn service_coverage_is_a_statistic() {
    let mut c = county();
    let caseworker = c.login("caseworker");
    let director = c.login("director");
    let before = c.refusals();
    let refused = services::coverage(&mut c.store, &director, None, None, None, &[]);
    assert_denied(&c, before, refused, Action::Statistics);
    // The grant: a county caseworker gets the table (empty here: the demo
    // has no plugin, so no service catalogue), and no refusal is recorded.
    let granted = services::coverage(&mut c.store, &caseworker, None, None, None, &[]);
    assert!(granted.is_ok(), "{granted:?}");
    assert_eq!(c.refusals(), before + 1, "only the director was refused");
}

#[test]
fn statistics_need_the_permission_and_stay_in_the_scope() {
    use hutong_services::statistics;
    let mut c = county();
    let caseworker = c.login("caseworker");
    let supervisor = c.login("supervisor");
    let director = c.login("director");
    let cadence = hutong_core::visits::DEFAULT_CADENCE_DAYS;

    let before = c.refusals();
    let refused = statistics::compute(&mut c.store, &director, None, today(), cadence);
    assert_denied(&c, before, refused, Action::Statistics);

    // The grant: the county caseworker's table covers every child.
    let county = statistics::compute(&mut c.store, &caseworker, None, today(), cadence).unwrap();
    let all = children::count(c.store.conn(), &c.store.county_scope().unwrap()).unwrap();
    assert_eq!(county.total.children, all);

    // A township supervisor gets the township, and a village of another
    // township is refused and audited.
    let (inside, outside) = c.inside_and_outside(&supervisor);
    let own = statistics::compute(&mut c.store, &supervisor, None, today(), cadence).unwrap();
    assert!(own.total.children > 0 && own.total.children < all);
    let village = statistics::compute(
        &mut c.store,
        &supervisor,
        Some(&inside.residence_division),
        today(),
        cadence,
    )
    .unwrap();
    assert!(village.total.children <= own.total.children);
    let before = c.refusals();
    let refused = statistics::compute(
        &mut c.store,
        &supervisor,
        Some(&outside.residence_division),
        today(),
        cadence,
    );
    assert_out_of_scope(&c, before, refused);
}

// ------------------------------------------------------------ 摸底排查 rounds

#[test]
fn rounds_are_started_by_caseworkers_and_recorded_within_the_scope() {
    use hutong_core::campaigns::{NewCampaign, Outcome};
    use hutong_core::province::ScreeningCycle;
    use hutong_services::campaigns as rounds;
    let mut c = county();
    let director = c.login("director");
    let caseworker = c.login("caseworker");
    let county_code = c.store.county_code().unwrap().unwrap();
    let new = NewCampaign {
        division_code: &county_code,
        cycle: &ScreeningCycle::HalfYearly,
        start: today(),
        plugin_ref: None,
    };

    // Starting a round is ManageCampaigns: refused to the director.
    let before = c.refusals();
    let refused = rounds::start(&mut c.store, &director, &new);
    assert_denied(&c, before, refused, Action::ManageCampaigns);
    let round = rounds::start(&mut c.store, &caseworker, &new).unwrap();

    // The director sees the county-wide round, but only her village's
    // coverage, and the totals are her village's.
    assert!(
        rounds::list(&mut c.store, &director)
            .unwrap()
            .iter()
            .any(|r| r.id == round.id)
    );
    let mine = rounds::status(&mut c.store, &director, round.id, today()).unwrap();
    let all = rounds::status(&mut c.store, &caseworker, round.id, today()).unwrap();
    assert!(!mine.villages.is_empty());
    assert!(
        mine.villages
            .iter()
            .all(|v| director.scope().contains(&v.village_code))
    );
    assert!(all.villages.len() > mine.villages.len());
    assert_eq!(
        mine.children,
        mine.villages.iter().map(|v| v.children).sum::<u64>()
    );
    assert!(mine.children < all.children);

    // Another village's children are refused (and the refusal audited).
    let (inside, outside) = c.inside_and_outside(&director);
    let before = c.refusals();
    let refused = rounds::village_children(
        &mut c.store,
        &director,
        round.id,
        &outside.residence_division,
    );
    assert_out_of_scope(&c, before, refused);
    let listed = rounds::village_children(
        &mut c.store,
        &director,
        round.id,
        &inside.residence_division,
    )
    .unwrap();
    assert!(listed.iter().any(|v| v.child_id == inside.id));
    assert!(
        listed.iter().all(|v| v.id_number.contains('*')),
        "ID numbers masked"
    );

    // Recording: her own child is granted, another township's is refused.
    rounds::record(
        &mut c.store,
        &director,
        round.id,
        inside.id,
        Outcome::Confirmed,
        None,
        today(),
    )
    .unwrap();
    let before = c.refusals();
    let refused = rounds::record(
        &mut c.store,
        &director,
        round.id,
        outside.id,
        Outcome::Confirmed,
        None,
        today(),
    );
    assert_out_of_scope(&c, before, refused);

    // 销档 closes the file in the same write, and needs a reason.
    assert!(
        rounds::record(
            &mut c.store,
            &director,
            round.id,
            inside.id,
            Outcome::Closed,
            None,
            today()
        )
        .is_err()
    );
    rounds::record(
        &mut c.store,
        &director,
        round.id,
        inside.id,
        Outcome::Closed,
        Some("已随父母迁往外省"),
        today(),
    )
    .unwrap();
    let closed = children::get(c.store.conn(), director.scope(), inside.id)
        .unwrap()
        .unwrap();
    assert_eq!(closed.status, children::ChildStatus::Closed);

    // Closing the round is ManageCampaigns too; the auditor may not.
    let auditor = c.login("auditor");
    let before = c.refusals();
    let refused = rounds::close(&mut c.store, &auditor, round.id, today());
    assert_denied(&c, before, refused, Action::ManageCampaigns);
    let closed = rounds::close(&mut c.store, &caseworker, round.id, today()).unwrap();
    assert!(closed.confirmed + closed.closed >= 1);
}

// ------------------------------------------------------------ 数据交换

#[test]
fn imports_and_comparisons_are_county_work() {
    use hutong_core::compare::Source;
    use hutong_services::exchange;
    let mut c = county();
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("名单.csv");
    std::fs::write(
        &sheet,
        "姓名,身份证号,性别,出生日期,村（居）代码\n张小雨,411525201304150124,女,2013-04-15,411525102201\n",
    )
    .unwrap();
    let raw = exchange::read_table(&c.store, &sheet, None).unwrap();
    let (m, proposed) = exchange::mapping_for_children(&c.store, Some("民政名单"), &raw).unwrap();
    assert!(proposed);

    // A village director and a township supervisor may neither import nor
    // compare; each refusal names the action and is audited.
    for user in ["director", "supervisor", "auditor"] {
        let s = c.login(user);
        let before = c.refusals();
        let refused = exchange::check_children(&mut c.store, &s, &raw, &m, "0", today());
        assert_denied(&c, before, refused, Action::Import);
        let before = c.refusals();
        let refused = exchange::compare(
            &mut c.store,
            &s,
            Source::StudentRegistry,
            &raw,
            &m,
            "0",
            today(),
        );
        assert_denied(&c, before, refused, Action::Compare);
        let before = c.refusals();
        let refused = exchange::comparisons(&mut c.store, &s);
        assert_denied(&c, before, refused, Action::Compare);
    }

    // The caseworker may: the check reads the sheet against the county, the
    // comparison is kept and listed.
    let caseworker = c.login("caseworker");
    let preview =
        exchange::check_children(&mut c.store, &caseworker, &raw, &m, "0", today()).unwrap();
    assert_eq!(preview.total_rows, 1);
    let cmp = exchange::compare(
        &mut c.store,
        &caseworker,
        Source::StudentRegistry,
        &raw,
        &m,
        "0",
        today(),
    )
    .unwrap();
    exchange::save_comparison(&mut c.store, &caseworker, &cmp, Some(&m)).unwrap();
    let kept = exchange::comparisons(&mut c.store, &caseworker).unwrap();
    assert!(kept.iter().any(|k| k.id == cmp.id));
    // The mapping used was remembered under its name.
    assert_eq!(
        exchange::saved_mapping(&c.store, "民政名单").unwrap(),
        Some(m)
    );
}

// ------------------------------------------------------------ printing

#[test]
fn a_report_is_given_only_the_children_the_session_may_print() {
    use hutong_services::printing;
    let mut c = county();
    let director = c.login("director");
    let (inside, outside) = c.inside_and_outside(&director);
    // The auditor reads but does not print.
    let auditor = c.login("auditor");
    let before = c.refusals();
    let refused = printing::report_input(&mut c.store, &auditor, &[inside.id], None, today())
        .map_err(|e| e.downcast::<ServiceError>().map_err(|e| e.to_string()));
    match refused {
        Err(Ok(ServiceError::Denied { action, .. })) => assert_eq!(action, Action::Print),
        other => panic!("expected a refusal of Print, got {other:?}"),
    }
    assert_eq!(c.refusals(), before + 1);
    // The director prints her own child; one from another township among
    // them refuses the whole report, audited.
    let input =
        printing::report_input(&mut c.store, &director, &[inside.id], None, today()).unwrap();
    assert_eq!(input.children.len(), 1);
    let before = c.refusals();
    let refused = printing::report_input(
        &mut c.store,
        &director,
        &[inside.id, outside.id],
        None,
        today(),
    );
    assert!(refused.is_err());
    assert_eq!(c.refusals(), before + 1);
    assert_eq!(c.last_refusal(), "out_of_scope");
}

// ------------------------------------------------------------ exports and backups

#[test]
fn exports_and_backups_follow_the_table() {
    use hutong_core::table::{ExportRequest, ListKind};
    use hutong_services::{backup, exchange};
    let mut c = county();
    let dir = tempfile::tempdir().unwrap();
    let director = c.login("director");
    let village = director.scope().code().to_string();
    let request = |full_ids: bool, division: Option<String>| ExportRequest {
        list: ListKind::Children,
        division,
        include_closed: false,
        purpose: "入户走访名单".into(),
        full_ids,
        search: None,
        category: None,
        status: None,
    };
    // Full ID numbers: refused to the director, whatever the passphrase.
    let before = c.refusals();
    let refused = exchange::export_list(
        &mut c.store,
        &director,
        &request(true, None),
        &dir.path().join("全.xlsx"),
        Some("口令口令口令12"),
    );
    assert_denied(&c, before, refused, Action::ExportFullIds);
    // A masked list of her village is granted; another village is refused.
    let out = exchange::export_list(
        &mut c.store,
        &director,
        &request(false, Some(village)),
        &dir.path().join("村.xlsx"),
        None,
    )
    .unwrap();
    assert!(out.rows > 0);
    let (_, outside) = c.inside_and_outside(&director);
    let before = c.refusals();
    let refused = exchange::export_list(
        &mut c.store,
        &director,
        &request(false, Some(outside.residence_division.clone())),
        &dir.path().join("外村.xlsx"),
        None,
    );
    assert_out_of_scope(&c, before, refused);

    // Backups: the caseworker may, the supervisor may not.
    let supervisor = c.login("supervisor");
    let before = c.refusals();
    let refused = backup::backup_to(&mut c.store, &supervisor, &dir.path().join("b1.db"));
    assert_denied(&c, before, refused, Action::Backup);
    assert!(!dir.path().join("b1.db").exists());
    let caseworker = c.login("caseworker");
    let info = backup::backup_to(&mut c.store, &caseworker, &dir.path().join("b2.db")).unwrap();
    assert!(info.bytes > 0);
}
