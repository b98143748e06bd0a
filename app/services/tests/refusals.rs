//! Issue #16, "done means": one negative test per path, for the village
//! 儿童主任 (`director`), the township 督导员 (`supervisor`) and the
//! `auditor`. Each path is tried by each role against a child (or the
//! division) of another township; what must happen is derived from the
//! permission table and the role's scope, not written down per case:
//!
//! - the role lacks the path's permission: `Denied` naming that action;
//! - it holds it but the target lies outside its scope: out of scope;
//! - otherwise (the auditor reads county-wide): granted.
//!
//! Every refusal leaves exactly one `access.denied` entry; a grant none.

use hutong_core::children::{ChildQuery, ChildRow};
use hutong_core::demo::{DEMO_PASSWORD, DemoOptions};
use hutong_core::national::NaiveDate;
use hutong_core::table::{ExportRequest, ListKind};
use hutong_core::visits::{VisitInput, VisitMode};
use hutong_core::{CoreError, Store, children};
use hutong_services::permissions::permits;
use hutong_services::{Action, ServiceError, Session};

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn refusals(store: &Store) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'access.denied'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// What a path needs, and whether it names something outside the scoped
/// roles' areas.
struct Path {
    name: &'static str,
    action: Action,
    outside: bool,
    run: fn(&mut Store, &Session, &Target) -> Result<(), ServiceError>,
}

struct Target {
    child: ChildRow,
    county: String,
    dir: std::path::PathBuf,
}

fn service<T, E: Into<anyhow::Error>>(r: Result<T, E>) -> Result<(), ServiceError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) => match e.into().downcast::<ServiceError>() {
            Ok(s) => Err(s),
            Err(other) => panic!("not a service refusal: {other:#}"),
        },
    }
}

fn paths() -> Vec<Path> {
    use hutong_services::{
        audit_check, backup, campaigns, child_casework, exchange, installed, printing, records,
        statistics, visits,
    };
    vec![
        Path {
            name: "打开档案",
            action: Action::ViewCases,
            outside: true,
            run: |s, u, t| service(hutong_services::children::open(s, u, t.child.id)),
        },
        Path {
            name: "档案历史",
            action: Action::ViewCases,
            outside: true,
            run: |s, u, t| service(hutong_services::children::history(s, u, t.child.id)),
        },
        Path {
            name: "显示身份证号",
            action: Action::RevealId,
            outside: true,
            run: |s, u, t| service(hutong_services::children::reveal(s, u, t.child.id, "核对")),
        },
        Path {
            name: "结案",
            action: Action::EditCases,
            outside: true,
            run: |s, u, t| {
                service(hutong_services::children::close(
                    s,
                    u,
                    t.child.id,
                    today(),
                    "测试",
                ))
            },
        },
        Path {
            name: "走访记录",
            action: Action::ViewCases,
            outside: true,
            run: |s, u, t| service(visits::for_child(s, u, t.child.id)),
        },
        Path {
            name: "记录走访",
            action: Action::EditCases,
            outside: true,
            run: |s, u, t| {
                service(visits::add(
                    s,
                    u,
                    &VisitInput {
                        child_id: t.child.id,
                        visit_date: today(),
                        mode: VisitMode::Home,
                        visitor: "测试".into(),
                        findings: "正常".into(),
                        follow_up: None,
                        next_due_override: None,
                        override_reason: None,
                    },
                ))
            },
        },
        Path {
            name: "评估与资格",
            action: Action::ViewCases,
            outside: true,
            run: |s, u, t| service(child_casework::assessment_view(s, u, t.child.id, today())),
        },
        Path {
            name: "强制报告列表",
            action: Action::ViewCases,
            outside: true,
            run: |s, u, t| {
                let f = records::mreport::Filter {
                    division: Some(t.child.residence_division.clone()),
                    ..Default::default()
                };
                service(records::mreport::list(s, u, &f))
            },
        },
        Path {
            name: "开始摸排",
            action: Action::ManageCampaigns,
            outside: true,
            run: |s, u, t| {
                service(campaigns::start(
                    s,
                    u,
                    &hutong_core::campaigns::NewCampaign {
                        division_code: &t.county,
                        cycle: &hutong_core::province::ScreeningCycle::HalfYearly,
                        start: today(),
                        plugin_ref: None,
                    },
                ))
            },
        },
        Path {
            name: "打印",
            action: Action::Print,
            outside: true,
            run: |s, u, t| service(printing::report_input(s, u, &[t.child.id], None, today())),
        },
        Path {
            name: "统计",
            action: Action::Statistics,
            outside: true,
            run: |s, u, t| service(statistics::compute(s, u, Some(&t.county), today(), 30)),
        },
        Path {
            name: "导出完整身份证号",
            action: Action::ExportFullIds,
            outside: true,
            run: |s, u, t| {
                service(exchange::export_list(
                    s,
                    u,
                    &ExportRequest {
                        list: ListKind::Children,
                        division: None,
                        include_closed: false,
                        purpose: "测试".into(),
                        full_ids: true,
                        search: None,
                        category: None,
                        status: None,
                    },
                    &t.dir.join("全.xlsx"),
                    Some("口令口令口令12"),
                ))
            },
        },
        Path {
            name: "数据比对",
            action: Action::Compare,
            outside: true,
            run: |s, u, _| service(exchange::comparisons(s, u)),
        },
        Path {
            name: "备份",
            action: Action::Backup,
            outside: false,
            run: |s, u, t| service(backup::backup_to(s, u, &t.dir.join("备份.db"))),
        },
        Path {
            name: "信任公钥",
            action: Action::TrustKeys,
            outside: false,
            run: |s, u, _| {
                service(installed::trust_key(
                    s,
                    u,
                    "41",
                    "ed25519:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                    None,
                ))
            },
        },
        Path {
            name: "开发者模式",
            action: Action::DeveloperMode,
            outside: false,
            run: |s, u, _| service(installed::set_developer_mode(s, u, true)),
        },
        Path {
            name: "账户列表",
            action: Action::ManageUsers,
            outside: false,
            run: |s, u, _| service(hutong_services::accounts::list(s, u)),
        },
        Path {
            name: "审计校验",
            action: Action::ViewAudit,
            outside: false,
            run: |s, u, _| service(audit_check::verify(u, s, &[], false)),
        },
    ]
}

#[test]
fn every_path_refuses_the_director_supervisor_and_auditor_by_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_county(&dir, 200, 11);
    let supervisor = hutong_services::login(&mut store, "supervisor", DEMO_PASSWORD).unwrap();
    let all = children::list(
        store.conn(),
        &store.county_scope().unwrap(),
        &ChildQuery::default(),
    )
    .unwrap();
    let target = Target {
        child: all
            .into_iter()
            .find(|c| !supervisor.scope().contains(&c.residence_division))
            .expect("a child of another township"),
        county: store.county_code().unwrap().unwrap(),
        dir: dir.path().to_path_buf(),
    };
    let mut checked = 0;
    for user in ["director", "supervisor", "auditor"] {
        let session = hutong_services::login(&mut store, user, DEMO_PASSWORD).unwrap();
        let role = session.role().unwrap();
        let county_wide = session.scope().contains(&target.county);
        for path in paths() {
            let before = refusals(&store);
            let result = (path.run)(&mut store, &session, &target);
            let what = format!("{user} · {}", path.name);
            if !permits(role, path.action) {
                match result {
                    Err(ServiceError::Denied { action, .. }) => {
                        assert_eq!(action, path.action, "{what}")
                    }
                    other => panic!(
                        "{what}: expected a refusal of {:?}, got {other:?}",
                        path.action
                    ),
                }
            } else if path.outside && !county_wide {
                assert!(
                    matches!(
                        result,
                        Err(ServiceError::Core(CoreError::OutOfScope {
                            audited: true,
                            ..
                        }))
                    ),
                    "{what}: expected out of scope, got {result:?}"
                );
            } else {
                assert!(result.is_ok(), "{what}: expected a grant, got {result:?}");
                assert_eq!(
                    refusals(&store),
                    before,
                    "{what}: a grant audits no refusal"
                );
                continue;
            }
            assert_eq!(
                refusals(&store),
                before + 1,
                "{what}: the refusal is audited once"
            );
            checked += 1;
        }
    }
    // Most paths are refusals for these three roles; the count guards
    // against a table that grants everything by mistake.
    assert!(checked >= 40, "{checked} refusals checked");
}

/// Language and text size follow the user, not the workstation: each user
/// sets only their own, a system job has none, and bad values are refused
/// naming the field.
#[test]
fn each_user_keeps_their_own_language_and_text_size() {
    use hutong_core::users::Preferences;
    use hutong_services::accounts::{my_preferences, set_my_preferences};
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_county(&dir, 0, 3);
    let caseworker = hutong_services::login(&mut store, "caseworker", DEMO_PASSWORD).unwrap();
    let director = hutong_services::login(&mut store, "director", DEMO_PASSWORD).unwrap();
    assert_eq!(
        my_preferences(&store, &caseworker).unwrap(),
        Preferences::default()
    );
    let english = Preferences {
        language: Some("en".into()),
        text_size: Some(17.0),
    };
    set_my_preferences(&mut store, &director, &english).unwrap();
    assert_eq!(my_preferences(&store, &director).unwrap(), english);
    assert_eq!(
        my_preferences(&store, &caseworker).unwrap(),
        Preferences::default(),
        "another user's choice is not the caseworker's"
    );
    let entries = audit_count(&store, "user.preferences");
    assert_eq!(entries, 1);
    // Saving the same again writes nothing.
    set_my_preferences(&mut store, &director, &english).unwrap();
    assert_eq!(audit_count(&store, "user.preferences"), 1);
    for (bad, field) in [
        (
            Preferences {
                language: Some("zh CN; DROP".into()),
                text_size: None,
            },
            "界面语言",
        ),
        (
            Preferences {
                language: None,
                text_size: Some(200.0),
            },
            "字号",
        ),
    ] {
        let err = set_my_preferences(&mut store, &caseworker, &bad).unwrap_err();
        assert!(err.to_string().contains(field), "{err}");
    }
    let system = Session::system(&store, hutong_services::SystemJob::EligibilitySweep).unwrap();
    assert!(set_my_preferences(&mut store, &system, &english).is_err());
    assert_eq!(
        my_preferences(&store, &system).unwrap(),
        Preferences::default()
    );
}

fn audit_count(store: &Store, action: &str) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
}

/// A demo county (固始县) of `children` generated children in `dir`.
fn demo_county(dir: &tempfile::TempDir, children: usize, seed: u64) -> Store {
    let mut store = Store::create_encrypted(&dir.path().join("demo.db"), true).unwrap();
    hutong_core::demo::generate(
        &mut store,
        &DemoOptions {
            county_code: "411525".into(),
            generated_children: children,
            seed,
            today: today(),
        },
        |_, _| true,
    )
    .unwrap();
    store
}

/// The history names people: any case role reads the accounts' display
/// names; a system job that reads no cases (the nightly backup) is refused.
#[test]
fn case_roles_read_the_names_of_staff_and_the_backup_job_does_not() {
    use hutong_services::accounts::display_names;
    let dir = tempfile::tempdir().unwrap();
    let mut store = demo_county(&dir, 0, 5);
    let director = hutong_services::login(&mut store, "director", DEMO_PASSWORD).unwrap();
    let names = display_names(&mut store, &director).unwrap();
    let caseworker = hutong_core::users::get_by_username(store.conn(), "caseworker")
        .unwrap()
        .unwrap();
    assert_eq!(names.get("caseworker"), Some(&caseworker.display_name));
    assert!(!caseworker.display_name.is_empty() && caseworker.display_name != "caseworker");
    let before = refusals(&store);
    let backup =
        hutong_services::Session::system(&store, hutong_services::SystemJob::ScheduledBackup)
            .unwrap();
    let refused = display_names(&mut store, &backup).unwrap_err();
    assert!(refused.to_string().contains("查看儿童档案"), "{refused}");
    assert_eq!(refusals(&store), before + 1, "the refusal is audited");
}
