//! Casework records (issue #9) on real SQLite files: each record type is
//! created, listed, edited with history (old → new in the audit log) and
//! reported on.

use hutong_core::allowances::{self as al, Programme, YearMonth};
use hutong_core::audit;
use hutong_core::categories::{self, CategoryInput, CategorySource};
use hutong_core::children::{self, ChildInput};
use hutong_core::counselling as care;
use hutong_core::document::Block;
use hutong_core::mandatory_reports::{self as mr, Channel, Reporter, Situation};
use hutong_core::national::NaiveDate;
use hutong_core::national::category::CaseCategory;
use hutong_core::services::{self as sv, ItemSnapshot, ReferralStatus};
use hutong_core::users::Role;
use hutong_core::wishes::{self, SponsorKind, WishStatus};
use hutong_core::workforce::{self as wf, WorkerRole};
use hutong_core::{Actor, RowId, Store, setup};
use std::path::PathBuf;

/// The test's actor: a system actor over the database's whole county.
fn actor(store: &hutong_core::Store) -> Actor {
    Actor::system(
        "测试员",
        store.county_scope().expect("an initialised county"),
    )
}

fn county_db(dir: &tempfile::TempDir) -> (Store, PathBuf) {
    let path = dir.path().join("county.db");
    let mut store = Store::open_unencrypted(&path).unwrap();
    setup::initialise_county(&mut store, "测试员", "411525").unwrap();
    (store, path)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn child(store: &mut Store, id_number: &str, name: &str, village: &str) -> RowId {
    store
        .write(&actor(store), |tx| {
            children::add(
                tx,
                &ChildInput {
                    id_number: id_number.into(),
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

fn category(
    store: &mut Store,
    child: RowId,
    cat: CaseCategory,
    from: &str,
    until: Option<&str>,
) -> RowId {
    store
        .write(&actor(store), |tx| {
            categories::add(
                tx,
                child,
                &CategoryInput {
                    category: cat,
                    basis: "测试认定".into(),
                    source: CategorySource::Manual,
                    source_ref: None,
                    effective_from: d(from),
                    effective_until: until.map(d),
                    evidence: None,
                },
            )
        })
        .unwrap()
        .id
}

/// The newest audit entry about a record, its detail parsed.
fn last_change(store: &Store, entity: &str, id: RowId) -> (String, serde_json::Value) {
    let h = audit::history(store.conn(), entity, &id.to_string()).unwrap();
    let e = h.first().expect("history entry");
    (e.action.clone(), serde_json::from_str(&e.detail).unwrap())
}

fn report_input(child: RowId, found: &str, reported: &str) -> mr::ReportInput {
    mr::ReportInput {
        child_id: child,
        situations: vec![Situation::MultiInjuryNeglect],
        reporter: Reporter {
            unit: "葡萄架乡中心小学".into(),
            role: "班主任".into(),
            contact: Some("13800000000".into()),
        },
        found_at: mr::parse_time("发现时间", found).unwrap(),
        reported_at: mr::parse_time("报告时间", reported).unwrap(),
        channel: Channel::Police110,
        receiving_agency: "固始县公安局".into(),
        receipt_no: None,
        perpetrator_relation: Some("父亲".into()),
        safety_action: Some("学校安排老师陪护，送医检查".into()),
    }
}

#[test]
fn mandatory_reports_flag_late_redact_the_reporter_and_keep_history() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let zhao = child(&mut store, "410225201402280718", "赵一鸣", "411525102201");

    let timely = store
        .write(&actor(&store), |tx| {
            mr::add(
                tx,
                &report_input(zhao, "2025-03-12 08:10", "2025-03-12 09:05"),
            )
        })
        .unwrap();
    assert!(!timely.is_late());
    let late = store
        .write(&actor(&store), |tx| {
            mr::add(
                tx,
                &report_input(zhao, "2025-03-01 16:00", "2025-03-04 10:00"),
            )
        })
        .unwrap();
    assert!(late.is_late(), "reported 2 days 18 hours after finding");

    // Reported before found, and an empty situation list, are refused.
    let err = store
        .write(&actor(&store), |tx| {
            mr::add(
                tx,
                &report_input(zhao, "2025-03-12 10:00", "2025-03-12 09:00"),
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("报告时间"), "{err}");
    let mut empty = report_input(zhao, "2025-03-12 08:00", "2025-03-12 09:00");
    empty.situations.clear();
    let err = store
        .write(&actor(&store), |tx| mr::add(tx, &empty))
        .unwrap_err();
    assert!(err.to_string().contains("报告情形"), "{err}");

    // Lists: late only; redacted for a village director, visible to a caseworker.
    let q = mr::ReportQuery {
        late_only: true,
        ..mr::ReportQuery::within(store.county_scope().unwrap())
    };
    let rows = mr::list(store.conn(), &q, Role::Caseworker).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].report.id, late.id);
    assert_eq!(rows[0].report.reporter.unit, "葡萄架乡中心小学");
    let rows = mr::list(
        store.conn(),
        &mr::ReportQuery::within(store.county_scope().unwrap()),
        Role::VillageDirector,
    )
    .unwrap();
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(r.report.reporter_redacted);
        assert_eq!(r.report.reporter.unit, mr::REDACTED);
        assert_eq!(r.report.reporter.contact, None);
    }
    let seen = mr::get(store.conn(), late.id, Role::TownshipSupervisor)
        .unwrap()
        .unwrap();
    assert!(seen.reporter_redacted);

    // Edit: the receipt number is audited old → new; the reporter change is
    // audited without its values.
    let mut edit = report_input(zhao, "2025-03-01 16:00", "2025-03-04 10:00");
    edit.receipt_no = Some("GS-2025-0301".into());
    edit.reporter.contact = Some("13911112222".into());
    store
        .write(&actor(&store), |tx| {
            mr::update(tx, late.id, &edit, Some("补录回执号"))
        })
        .unwrap();
    let (action, detail) = last_change(&store, "mandatory_reports", late.id);
    assert_eq!(action, "mreport.update");
    assert_eq!(
        detail["changes"]["receipt_no"],
        serde_json::json!([null, "GS-2025-0301"])
    );
    assert!(detail["changes"].get("reporter").is_some());
    let all_audit: String = store
        .conn()
        .query_row("SELECT group_concat(detail, '|') FROM audit_log", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        !all_audit.contains("13911112222") && !all_audit.contains("葡萄架乡中心小学"),
        "the audit log must not leak the reporter"
    );

    // Custody and feedback; feedback closes the report.
    store
        .write(&actor(&store), |tx| {
            mr::start_custody(
                tx,
                late.id,
                &mr::TemporaryCustody {
                    agency: "固始县未成年人救助保护中心".into(),
                    from: d("2025-03-04"),
                    clause: 6,
                },
            )
        })
        .unwrap();
    let open = mr::list(
        store.conn(),
        &mr::ReportQuery {
            open_only: true,
            ..mr::ReportQuery::within(store.county_scope().unwrap())
        },
        Role::Caseworker,
    )
    .unwrap();
    assert_eq!(open.len(), 2);
    let closed = store
        .write(&actor(&store), |tx| {
            mr::record_feedback(tx, late.id, "公安已立案侦查", d("2025-03-20"))
        })
        .unwrap();
    assert_eq!(closed.status, mr::ReportStatus::Closed);
    let (action, detail) = last_change(&store, "mandatory_reports", late.id);
    assert_eq!(action, "mreport.feedback");
    assert_eq!(
        detail["changes"]["status"],
        serde_json::json!(["open", "closed"])
    );

    // The referral letter names the child and the custody, never the reporter.
    let doc = mr::referral_letter(
        store.conn(),
        late.id,
        &mr::LetterContext {
            office_name: "固始县民政局".into(),
            today: d("2025-03-05"),
            letter_no: None,
        },
    )
    .unwrap();
    let text = serde_json::to_string(&doc).unwrap();
    assert!(text.contains("赵一鸣") && text.contains("固始县公安局"));
    assert!(text.contains("第九十二条") && text.contains("紧急安置"));
    assert!(!text.contains("班主任") && !text.contains("葡萄架乡中心小学"));
    assert!(matches!(doc.body.first(), Some(Block::Heading { .. })));

    // A referral remembers the report it came from; another child's
    // report is refused as its source.
    let referral = store
        .write(&actor(&store), |tx| {
            sv::refer(
                tx,
                &sv::ReferralInput {
                    child_id: zhao,
                    department: "县公安局".into(),
                    item: None,
                    reason: "依强制报告转介".into(),
                    sent_on: d("2025-03-05"),
                    mreport_id: Some(late.id),
                },
            )
        })
        .unwrap();
    let from_report = sv::referrals_for_report(store.conn(), late.id).unwrap();
    assert_eq!(from_report.len(), 1);
    assert_eq!(from_report[0].id, referral.id);
    assert_eq!(from_report[0].mreport_id, Some(late.id));
    assert!(
        sv::referrals_for_report(store.conn(), timely.id)
            .unwrap()
            .is_empty()
    );
    let other = child(&mut store, "411525201304150124", "张小雨", "411525102201");
    let err = store
        .write(&actor(&store), |tx| {
            sv::refer(
                tx,
                &sv::ReferralInput {
                    child_id: other,
                    department: "县公安局".into(),
                    item: None,
                    reason: "x".into(),
                    sent_on: d("2025-03-05"),
                    mreport_id: Some(late.id),
                },
            )
        })
        .unwrap_err();
    assert!(err.to_string().contains("来源强制报告"), "{err}");

    // Nothing is hard-deleted.
    assert!(
        store
            .conn()
            .execute("DELETE FROM mandatory_reports", [])
            .is_err()
    );
}

#[test]
fn the_allowance_ledger_starts_and_stops_on_the_right_months() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    // DOMAIN §5 case 6: 刘欣怡 turns 18 on 2027-06-12.
    let liu = child(&mut store, "411603200906120689", "刘欣怡", "411525102201");
    category(
        &mut store,
        liu,
        CaseCategory::DeFactoUnsupported,
        "2020-01-01",
        Some("2027-06-12"),
    );
    // Confirmed mid-month: first payment the month after.
    let zhang = child(&mut store, "411525201304150124", "张小雨", "411525102201");
    category(
        &mut store,
        zhang,
        CaseCategory::DeFactoUnsupported,
        "2025-03-15",
        None,
    );
    // A left-behind child draws no allowance.
    let li = child(&mut store, "411525201508220251", "李浩然", "411525102201");
    category(
        &mut store,
        li,
        CaseCategory::LeftBehindRural,
        "2021-03-01",
        None,
    );

    let m = |s: &str| YearMonth::parse(s).unwrap();
    let run = |store: &mut Store, month: &str| {
        store
            .write(&actor(store), |tx| al::generate(tx, m(month)))
            .unwrap()
    };

    // No standard yet: nothing generated, and the gap is reported.
    let s = run(&mut store, "2025-04");
    assert_eq!(s.created, 0);
    assert_eq!(s.missing_standard, vec![CaseCategory::DeFactoUnsupported]);

    let std_old = store
        .write(&actor(&store), |tx| {
            al::set_standard(
                tx,
                CaseCategory::DeFactoUnsupported,
                100_000,
                d("2020-01-01"),
                "县民政局 2020 年标准",
            )
        })
        .unwrap();
    store
        .write(&actor(&store), |tx| {
            al::set_standard(
                tx,
                CaseCategory::DeFactoUnsupported,
                117_400,
                d("2025-01-01"),
                "县民政局 2025 年标准",
            )
        })
        .unwrap();
    // Standards start on the first of a month; the same month twice is refused.
    assert!(
        store
            .write(&actor(&store), |tx| {
                al::set_standard(
                    tx,
                    CaseCategory::DeFactoUnsupported,
                    1,
                    d("2025-01-15"),
                    "x",
                )
            })
            .is_err()
    );
    assert!(
        store
            .write(&actor(&store), |tx| {
                al::set_standard(tx, CaseCategory::LeftBehindRural, 1, d("2025-01-01"), "x")
            })
            .is_err()
    );

    // 2020-01 is the confirmation month: no payment. 2020-02 pays the old standard.
    assert_eq!(run(&mut store, "2020-01").created, 0);
    let s = run(&mut store, "2020-02");
    assert_eq!((s.created, s.total_cents), (1, 100_000));

    // 张小雨: confirmed 2025-03-15 → nothing for March, paid from April.
    let s = run(&mut store, "2025-03");
    assert_eq!(s.created, 1, "only 刘欣怡 in March");
    let s = run(&mut store, "2025-04");
    assert_eq!((s.created, s.total_cents), (2, 234_800));
    // Idempotent.
    let s = run(&mut store, "2025-04");
    assert_eq!((s.created, s.already), (0, 2));

    // 刘欣怡: paid for 2027-06 (her birthday month), not from 2027-07.
    assert_eq!(run(&mut store, "2027-06").created, 2);
    assert_eq!(run(&mut store, "2027-07").created, 1, "only 张小雨");
    let ledger = al::ledger(store.conn(), liu).unwrap();
    let months: Vec<String> = ledger.iter().map(|p| p.month.to_string()).collect();
    assert_eq!(
        months,
        ["2020-02", "2025-03", "2025-04", "2027-06"],
        "刘欣怡's ledger"
    );
    assert_eq!(
        al::ledger(store.conn(), zhang)
            .unwrap()
            .iter()
            .map(|p| p.month.to_string())
            .collect::<Vec<_>>(),
        ["2025-04", "2027-06", "2027-07"]
    );
    assert!(al::ledger(store.conn(), li).unwrap().is_empty());

    // Paid, roster, edit of a standard with history.
    let n = store
        .write(&actor(&store), |tx| {
            al::mark_paid(tx, m("2025-04"), None, d("2025-04-20"), Some("BANK-0420"))
        })
        .unwrap();
    assert_eq!(n, 2);
    let roster = al::roster(store.conn(), m("2025-04"), &store.county_scope().unwrap()).unwrap();
    assert_eq!(roster.rows.len(), 2);
    assert_eq!(roster.total_cents, 234_800);
    assert!(
        roster
            .rows
            .iter()
            .all(|r| r.payment.status == al::PaymentStatus::Paid)
    );
    let doc = al::roster_document(&roster, "固始县民政局", d("2025-04-21"));
    let text = serde_json::to_string(&doc).unwrap();
    assert!(text.contains("刘欣怡") && text.contains("2,348.00"));
    assert!(
        !text.contains("411603200906120689"),
        "ID numbers are masked"
    );

    // The full-ID official copy needs its purpose, which the audit keeps.
    let full = al::roster_document_with(
        &roster,
        "固始县民政局",
        d("2025-04-21"),
        al::IdDisplay::Full,
    );
    assert!(
        serde_json::to_string(&full)
            .unwrap()
            .contains("411603200906120689")
    );
    let err = store
        .write(&actor(&store), |tx| {
            al::audit_roster_export(tx, &roster, "/tmp/x.pdf", "00", al::IdDisplay::Full, "  ")
        })
        .unwrap_err();
    assert!(err.to_string().contains("完整身份证号用途"), "{err}");
    store
        .write(&actor(&store), |tx| {
            al::audit_roster_export(
                tx,
                &roster,
                "/tmp/x.pdf",
                "00",
                al::IdDisplay::Full,
                "报送县农商银行代发",
            )
        })
        .unwrap();
    let (reason, detail): (Option<String>, String) = store
        .conn()
        .query_row(
            "SELECT reason, detail FROM audit_log WHERE action = 'report.print' ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(reason.as_deref(), Some("报送县农商银行代发"));
    assert!(detail.contains("\"full_ids\":true"), "{detail}");

    store
        .write(&actor(&store), |tx| {
            al::update_standard(tx, std_old.id, 105_000, "县民政局 2020 年标准（更正）")
        })
        .unwrap();
    let (_, detail) = last_change(&store, "allowance_standards", std_old.id);
    assert_eq!(
        detail["changes"]["amount_cents"],
        serde_json::json!([100_000, 105_000])
    );

    // Grants: 明天计划 and 福彩圆梦, edited with history.
    let g = store
        .write(&actor(&store), |tx| {
            al::add_grant(
                tx,
                &al::GrantInput {
                    child_id: liu,
                    programme: Programme::TomorrowPlan,
                    granted_on: d("2025-05-10"),
                    item: "年度健康体检".into(),
                    amount_cents: None,
                    provider: Some("固始县人民医院".into()),
                    note: None,
                },
            )
        })
        .unwrap();
    store
        .write(&actor(&store), |tx| {
            al::update_grant(
                tx,
                g.id,
                &al::GrantInput {
                    child_id: liu,
                    programme: Programme::TomorrowPlan,
                    granted_on: d("2025-05-10"),
                    item: "年度健康体检".into(),
                    amount_cents: Some(30_000),
                    provider: Some("固始县人民医院".into()),
                    note: None,
                },
            )
        })
        .unwrap();
    let (_, detail) = last_change(&store, "grants", g.id);
    assert_eq!(
        detail["changes"]["amount_cents"],
        serde_json::json!([null, 30_000])
    );
    assert_eq!(
        al::list_grants(store.conn(), Some(Programme::TomorrowPlan), Some(2025))
            .unwrap()
            .len(),
        1
    );
    assert!(
        store
            .conn()
            .execute("DELETE FROM allowance_payments", [])
            .is_err()
    );
}

#[test]
fn the_wish_state_machine_refuses_skipped_steps() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let li = child(&mut store, "411525201508220251", "李浩然", "411525102201");
    let w = store
        .write(&actor(&store), |tx| {
            wishes::add(tx, li, "一双运动鞋", Some(20_000), d("2025-05-01"))
        })
        .unwrap();
    let sponsor = wishes::Sponsor {
        kind: SponsorKind::Company,
        name: "固始县农商银行".into(),
        contact: None,
    };
    // Claiming or fulfilling a wish that was never published is refused.
    let err = store
        .write(&actor(&store), |tx| {
            wishes::claim(tx, w.id, &sponsor, d("2025-05-02"))
        })
        .unwrap_err();
    assert!(err.to_string().contains("须先发布"), "{err}");
    let err = store
        .write(&actor(&store), |tx| {
            wishes::fulfil(tx, w.id, d("2025-05-02"), None)
        })
        .unwrap_err();
    assert!(err.to_string().contains("已登记"), "{err}");

    store
        .write(&actor(&store), |tx| {
            wishes::edit(tx, w.id, "一双运动鞋（38码）", Some(20_000))
        })
        .unwrap();
    let (_, detail) = last_change(&store, "wishes", w.id);
    assert_eq!(
        detail["changes"]["wish"],
        serde_json::json!(["一双运动鞋", "一双运动鞋（38码）"])
    );
    store
        .write(&actor(&store), |tx| {
            wishes::publish(tx, w.id, d("2025-05-03"))
        })
        .unwrap();
    assert!(
        store
            .write(&actor(&store), |tx| wishes::publish(
                tx,
                w.id,
                d("2025-05-03")
            ))
            .is_err(),
        "published twice"
    );
    let err = store
        .write(&actor(&store), |tx| {
            wishes::fulfil(tx, w.id, d("2025-05-04"), None)
        })
        .unwrap_err();
    assert!(err.to_string().contains("认领"), "{err}");
    store
        .write(&actor(&store), |tx| {
            wishes::claim(tx, w.id, &sponsor, d("2025-05-05"))
        })
        .unwrap();
    assert!(
        store
            .write(&actor(&store), |tx| wishes::edit(tx, w.id, "别的", None))
            .is_err(),
        "a claimed wish keeps its text"
    );
    let done = store
        .write(&actor(&store), |tx| {
            wishes::fulfil(tx, w.id, d("2025-05-20"), Some("照片/2025/0520-李浩然.jpg"))
        })
        .unwrap();
    assert_eq!(done.status, WishStatus::Fulfilled);
    assert!(
        store
            .write(&actor(&store), |tx| wishes::cancel(tx, w.id, "重复"))
            .is_err()
    );
    let rows = wishes::list(store.conn(), "411525", Some(WishStatus::Fulfilled)).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].child_name, "李浩然");
    assert_eq!(
        rows[0].wish.sponsor.as_ref().map(|s| s.name.as_str()),
        Some("固始县农商银行")
    );
    let history = audit::history(store.conn(), "wishes", &w.id.to_string()).unwrap();
    let actions: Vec<&str> = history.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "wish.add",
            "wish.update",
            "wish.publish",
            "wish.claim",
            "wish.fulfil"
        ]
    );
}

#[test]
fn services_referrals_and_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let a = child(&mut store, "411525201508220251", "李浩然", "411525102201");
    let _b = child(&mut store, "411525201304150124", "张小雨", "411525102201");
    let item = ItemSnapshot {
        code: "HA-YL-01".into(),
        name: "家庭医生签约".into(),
        area: "病有所医".into(),
    };
    let input = sv::ServiceInput {
        child_id: a,
        item: item.clone(),
        service_date: d("2025-04-02"),
        provider: "黎集镇卫生院".into(),
        department: "卫生健康委".into(),
        outcome: None,
    };
    let s = store
        .write(&actor(&store), |tx| sv::add(tx, &input, d("2025-05-01")))
        .unwrap();
    let mut edit = input.clone();
    edit.outcome = Some("已签约，每季度随访".into());
    store
        .write(&actor(&store), |tx| {
            sv::update(tx, s.id, &edit, d("2025-05-01"))
        })
        .unwrap();
    let (_, detail) = last_change(&store, "service_records", s.id);
    assert_eq!(
        detail["changes"]["outcome"],
        serde_json::json!([null, "已签约，每季度随访"])
    );
    // A future date is refused.
    let mut future = input.clone();
    future.service_date = d("2025-06-01");
    assert!(
        store
            .write(&actor(&store), |tx| sv::add(tx, &future, d("2025-05-01")))
            .is_err()
    );

    let cov = sv::coverage(
        store.conn(),
        &store.county_scope().unwrap(),
        None,
        None,
        &["学有所教".to_string()],
    )
    .unwrap();
    let health = cov
        .iter()
        .find(|r| r.township_code == "411525102" && r.area == "病有所医")
        .unwrap();
    assert_eq!(
        (
            health.active_children,
            health.children_served,
            health.services
        ),
        (2, 1, 1)
    );
    assert!((health.percent() - 50.0).abs() < 1e-9);
    let school = cov
        .iter()
        .find(|r| r.township_code == "411525102" && r.area == "学有所教")
        .unwrap();
    assert_eq!(school.children_served, 0);

    let r = store
        .write(&actor(&store), |tx| {
            sv::refer(
                tx,
                &sv::ReferralInput {
                    child_id: a,
                    department: "县残联".into(),
                    item: None,
                    reason: "康复评估".into(),
                    sent_on: d("2025-04-03"),
                    mreport_id: None,
                },
            )
        })
        .unwrap();
    store
        .write(&actor(&store), |tx| {
            sv::set_referral_status(tx, r.id, ReferralStatus::Accepted, d("2025-04-05"), None)
        })
        .unwrap();
    let err = store
        .write(&actor(&store), |tx| {
            sv::set_referral_status(tx, r.id, ReferralStatus::Declined, d("2025-04-06"), None)
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("不能从“已受理”改为“未受理”"),
        "{err}"
    );
    store
        .write(&actor(&store), |tx| {
            sv::set_referral_status(
                tx,
                r.id,
                ReferralStatus::Done,
                d("2025-04-20"),
                Some("已完成评估"),
            )
        })
        .unwrap();
    assert!(
        sv::open_referrals(store.conn(), &store.county_scope().unwrap())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn counselling_screenings_and_followups() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let a = child(&mut store, "411525201508220251", "李浩然", "411525102201");
    let s = store
        .write(&actor(&store), |tx| {
            care::add_screening(
                tx,
                &care::ScreeningInput {
                    child_id: a,
                    screened_on: d("2025-04-01"),
                    scale: "PSC-17".into(),
                    score: Some(16.0),
                    level: "阳性".into(),
                    screener: "县心理服务中心 周老师".into(),
                    note: None,
                },
            )
        })
        .unwrap();
    store
        .write(&actor(&store), |tx| {
            care::update_screening(
                tx,
                s.id,
                &care::ScreeningInput {
                    child_id: a,
                    screened_on: d("2025-04-01"),
                    scale: "PSC-17".into(),
                    score: Some(14.0),
                    level: "阳性".into(),
                    screener: "县心理服务中心 周老师".into(),
                    note: Some("复核计分".into()),
                },
            )
        })
        .unwrap();
    let (_, detail) = last_change(&store, "screenings", s.id);
    assert_eq!(detail["changes"]["score"], serde_json::json!([16.0, 14.0]));
    store
        .write(&actor(&store), |tx| {
            care::add_session(
                tx,
                &care::SessionInput {
                    child_id: a,
                    session_date: d("2025-04-08"),
                    counsellor: "周老师".into(),
                    mode: care::SessionMode::Individual,
                    summary: "情绪低落，思念父母".into(),
                },
            )
        })
        .unwrap();
    let f = store
        .write(&actor(&store), |tx| {
            care::add_followup(tx, a, Some(s.id), d("2025-05-08"), "复测 PSC-17")
        })
        .unwrap();
    assert_eq!(
        care::due_followups(
            store.conn(),
            &store.county_scope().unwrap(),
            d("2025-05-10")
        )
        .unwrap()
        .len(),
        1
    );
    assert!(f.is_overdue(d("2025-05-09")));
    store
        .write(&actor(&store), |tx| {
            care::close_followup(
                tx,
                f.id,
                care::FollowUpStatus::Done,
                d("2025-05-07"),
                "复测 9 分，转阴",
            )
        })
        .unwrap();
    assert!(
        care::due_followups(
            store.conn(),
            &store.county_scope().unwrap(),
            d("2025-05-10")
        )
        .unwrap()
        .is_empty()
    );
    assert_eq!(care::sessions_for_child(store.conn(), a).unwrap().len(), 1);
}

#[test]
fn the_network_view_lists_villages_without_a_director() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let township = "411525102";
    let villages: Vec<String> = hutong_core::divisions::children(store.conn(), township)
        .unwrap()
        .into_iter()
        .map(|v| v.code)
        .collect();
    assert!(villages.len() >= 3, "{villages:?}");
    let add = |store: &mut Store, role: WorkerRole, name: &str, div: &str| {
        store.write(&actor(store), |tx| {
            wf::add_worker(
                tx,
                &wf::WorkerInput {
                    role,
                    name: name.into(),
                    division_code: div.into(),
                    phone: Some("13700000001".into()),
                    appointed_on: d("2024-01-01"),
                    note: None,
                },
            )
        })
    };
    // A director on a township code, or a supervisor on a village, is refused.
    let err = add(&mut store, WorkerRole::Director, "错位", township).unwrap_err();
    assert!(err.to_string().contains("所在区划"), "{err}");
    assert!(add(&mut store, WorkerRole::Supervisor, "错位", &villages[0]).is_err());

    let sup = add(&mut store, WorkerRole::Supervisor, "李明", township).unwrap();
    let mut directors = Vec::new();
    for (i, v) in villages.iter().enumerate().skip(1) {
        directors.push(add(&mut store, WorkerRole::Director, &format!("主任{i}"), v).unwrap());
    }
    let net = wf::network(
        store.conn(),
        &store.county_scope().unwrap().narrow_to(township).unwrap(),
        d("2025-05-01"),
    )
    .unwrap();
    let gaps: Vec<&str> = net
        .villages_without_director()
        .iter()
        .map(|g| g.0)
        .collect();
    assert_eq!(gaps, [villages[0].as_str()]);
    assert!(net.townships_without_supervisor().is_empty());

    // A director leaves: that village becomes a gap from the leaving day on.
    store
        .write(&actor(&store), |tx| {
            wf::leave(tx, directors[0].id, d("2025-06-01"), "调任乡政府")
        })
        .unwrap();
    let before = wf::network(
        store.conn(),
        &store.county_scope().unwrap().narrow_to(township).unwrap(),
        d("2025-05-31"),
    )
    .unwrap();
    assert_eq!(before.villages_without_director().len(), 1);
    let after = wf::network(
        store.conn(),
        &store.county_scope().unwrap().narrow_to(township).unwrap(),
        d("2025-06-01"),
    )
    .unwrap();
    assert_eq!(after.villages_without_director().len(), 2);

    // County view: every other township lacks a supervisor.
    let county = wf::network(
        store.conn(),
        &store.county_scope().unwrap(),
        d("2025-05-01"),
    )
    .unwrap();
    assert_eq!(
        county.townships_without_supervisor().len(),
        county.townships.len() - 1
    );

    // Edit with history; training; 儿童之家.
    let mut edit = wf::WorkerInput {
        role: WorkerRole::Supervisor,
        name: "李明".into(),
        division_code: township.into(),
        phone: Some("13700000002".into()),
        appointed_on: d("2024-01-01"),
        note: None,
    };
    store
        .write(&actor(&store), |tx| wf::update_worker(tx, sup.id, &edit))
        .unwrap();
    let (_, detail) = last_change(&store, "workers", sup.id);
    // The audit log keeps phones masked, with a keyed hash that still
    // shows the number changed (and the full numbers nowhere).
    let pair = detail["changes"]["phone"].as_array().unwrap();
    let (old, new) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
    assert!(old.starts_with("137****0001#"), "{old}");
    assert!(new.starts_with("137****0002#"), "{new}");
    assert!(!detail.to_string().contains("13700000002"), "{detail}");
    edit.phone = Some("abc".into());
    assert!(
        store
            .write(&actor(&store), |tx| wf::update_worker(tx, sup.id, &edit))
            .is_err()
    );
    let t = store
        .write(&actor(&store), |tx| {
            wf::add_training(
                tx,
                d("2025-03-10"),
                "强制报告制度与儿童主任职责",
                4.0,
                Some("县民政局"),
                &[sup.id, directors[1].id],
            )
        })
        .unwrap();
    assert_eq!(t.attendees.len(), 2);
    let hours = wf::training_hours(store.conn(), 2025).unwrap();
    assert_eq!(hours.len(), 2);
    let home = store
        .write(&actor(&store), |tx| {
            wf::add_home(tx, "插花村儿童之家", &villages[1], None, d("2023-06-01"))
        })
        .unwrap();
    store
        .write(&actor(&store), |tx| {
            wf::add_activity(tx, home.id, d("2025-04-12"), "安全教育课", Some(23), None)
        })
        .unwrap();
    assert!(
        store
            .write(&actor(&store), |tx| {
                wf::add_activity(tx, home.id, d("2023-01-01"), "开放前", None, None)
            })
            .is_err()
    );
    assert_eq!(wf::activities(store.conn(), home.id).unwrap().len(), 1);
    assert!(store.conn().execute("DELETE FROM workers", []).is_err());
}

/// Every kind of casework record is voided by one implementation: pinned
/// here per kind, since each keeps its own words and its own way of
/// showing the change (`active` or `status`).
#[test]
fn voiding_checks_and_audits_every_record_kind_alike() {
    type Void = fn(&mut hutong_core::WriteTx<'_>, RowId, &str) -> hutong_core::Result<()>;
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = county_db(&dir);
    let a = child(&mut store, "411603200906120689", "刘欣怡", "411525102201");
    category(
        &mut store,
        a,
        CaseCategory::DeFactoUnsupported,
        "2025-01-15",
        None,
    );
    let w =
        |store: &mut Store,
         f: &mut dyn FnMut(&mut hutong_core::WriteTx<'_>) -> hutong_core::Result<RowId>| {
            store.write(&actor(store), |tx| f(tx)).unwrap()
        };
    let service = w(&mut store, &mut |tx| {
        sv::add(
            tx,
            &sv::ServiceInput {
                child_id: a,
                item: ItemSnapshot {
                    code: "HA-YL-01".into(),
                    name: "家庭医生签约".into(),
                    area: "病有所医".into(),
                },
                service_date: d("2025-04-02"),
                provider: "黎集镇卫生院".into(),
                department: "卫生健康委".into(),
                outcome: None,
            },
            d("2025-05-01"),
        )
        .map(|s| s.id)
    });
    let screening = w(&mut store, &mut |tx| {
        care::add_screening(
            tx,
            &care::ScreeningInput {
                child_id: a,
                screened_on: d("2025-04-01"),
                scale: "PSC-17".into(),
                score: None,
                level: "阳性".into(),
                screener: "周老师".into(),
                note: None,
            },
        )
        .map(|s| s.id)
    });
    let report = w(&mut store, &mut |tx| {
        mr::add(tx, &report_input(a, "2025-03-01 08:00", "2025-03-01 09:00")).map(|r| r.id)
    });
    let grant = w(&mut store, &mut |tx| {
        al::add_grant(
            tx,
            &al::GrantInput {
                child_id: a,
                programme: Programme::TomorrowPlan,
                granted_on: d("2025-02-01"),
                item: "体检".into(),
                amount_cents: None,
                provider: None,
                note: None,
            },
        )
        .map(|g| g.id)
    });
    w(&mut store, &mut |tx| {
        al::set_standard(
            tx,
            CaseCategory::DeFactoUnsupported,
            117_400,
            d("2025-01-01"),
            "标准",
        )
        .map(|s| s.id)
    });
    let month = YearMonth::parse("2025-04").unwrap();
    store
        .write(&actor(&store), |tx| al::generate(tx, month))
        .unwrap();
    let payment = al::ledger(store.conn(), a).unwrap()[0].id;

    // (void, id, its table, action, the words, the change it shows)
    let kinds: [(Void, RowId, &str, &str, &str, &str, serde_json::Value); 5] = [
        (
            sv::void,
            service,
            "service_records",
            "service.void",
            "服务记录",
            "该服务记录已作废",
            serde_json::json!({"active": [true, false]}),
        ),
        (
            care::void,
            screening,
            "screenings",
            "care.void",
            "心理关爱记录",
            "该记录已作废",
            serde_json::json!({"active": [true, false]}),
        ),
        (
            mr::void,
            report,
            "mandatory_reports",
            "mreport.void",
            "强制报告",
            "该强制报告已作废",
            serde_json::json!({"status": ["open", "voided"]}),
        ),
        (
            al::void_grant,
            grant,
            "grants",
            "grant.void",
            "资助记录",
            "该资助记录已作废",
            serde_json::json!({"active": [true, false]}),
        ),
        (
            al::void_payment,
            payment,
            "allowance_payments",
            "allowance.void",
            "发放记录",
            "该发放记录已作废",
            serde_json::json!({"status": ["due", "voided"]}),
        ),
    ];
    for (void, id, table, action, what, already, shown) in kinds {
        let attempt = |store: &mut Store, id: RowId, reason: &str| {
            store
                .write(&actor(store), |tx| void(tx, id, reason))
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            attempt(&mut store, id, "  "),
            Err("字段“作废原因”：不能为空".to_string()),
            "{action}"
        );
        let missing = RowId::new();
        assert_eq!(
            attempt(&mut store, missing, "录错"),
            Err(format!("未找到{what}：{missing}")),
            "{action}"
        );
        attempt(&mut store, id, " 录错 ").unwrap();
        let (done, detail) = last_change(&store, table, id);
        assert_eq!(done, action);
        assert_eq!(detail["changes"], shown, "{action}");
        assert_eq!(
            detail["child"],
            serde_json::json!(a.to_string()),
            "{action}"
        );
        let entry = &audit::history(store.conn(), table, &id.to_string()).unwrap()[0];
        assert_eq!(entry.reason.as_deref(), Some("录错"), "{action}");
        let (status, reason): (String, String) = store
            .conn()
            .query_row(
                &format!("SELECT status, void_reason FROM {table} WHERE id = ?1"),
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), reason.as_str()), ("voided", "录错"));
        assert_eq!(
            attempt(&mut store, id, "录错"),
            Err(format!("字段“状态”：{already}")),
            "{action}"
        );
    }
}
