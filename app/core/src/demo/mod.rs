//! The demo county: the seven DOMAIN §5 cases plus N generated children,
//! and a year of casework around them.
//!
//! Generated children are plausible, not random noise: ID numbers unique
//! by construction (`ids`) whose address code is the county (or, for
//! 流动儿童, another county), real village codes, common surnames (Tibetan
//! names in 西藏 and 青海), parents and carers whose facts give the child's
//! categories under the province plugin's own rules (`families`), the
//! province's 流动儿童 monitoring form where its plugin reads one
//! (`province_forms`), and a year of visits on and off schedule (`visits`).
//! `workforce` adds the county's 督导员 and 儿童主任; [`add_history`] (a
//! second step) adds 强制报告, services and referrals, the allowance
//! ledger, wishes, counselling and a 摸排 round in progress. The generator is seeded,
//! so the same options give the same county.
//!
//! Children are written in batches, each batch one transaction with an audit
//! entry per child. A demo killed midway leaves a consistent database with
//! the batches that finished.

mod families;
mod generator;
mod history;
mod ids;
mod names;
mod province_forms;
mod reference_cases;
mod visits;
mod workforce;

pub use history::HistorySummary;

use crate::access::Scope;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::children;
use crate::divisions;
use crate::error::{CoreError, Result};
use crate::setup;
use crate::store::{Actor, Store};
use crate::users::{self, NewUser, Role};
use families::{County, Family, generated_family, insert_family, is_rural};
use generator::Generator;
use hutong_national::NaiveDate;
use hutong_national::division::DivisionLevel;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rusqlite::OptionalExtension;

/// The password of every demo account. Printed by `hutong demo`.
pub const DEMO_PASSWORD: &str = "hutong-demo";

/// Children per transaction: big enough to be fast, small enough that a
/// killed run loses little.
const BATCH: usize = 2_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub county_code: String,
    pub generated_children: usize,
    pub seed: u64,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub children: usize,
    pub persons: usize,
    pub visits: usize,
    pub users: Vec<(String, Role)>,
    /// 儿童督导员 and 儿童主任 registered.
    pub workers: usize,
    /// Province monitoring forms filled.
    pub forms: usize,
}

/// Whether this database was made as a demo (`meta.demo`): only then do
/// the demo accounts and the log-in screen's hint exist.
pub fn is_demo(store: &Store) -> Result<bool> {
    Ok(store
        .conn()
        .query_row("SELECT value FROM meta WHERE key = 'demo'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .is_some_and(|v| v == "1"))
}

/// Counties a 流动儿童 of this county may come from: the province's
/// counties outside this county's city (so the move is never only between
/// one city's central districts), else any other county of the province.
fn origins(store: &Store, county: &str) -> Result<Vec<String>> {
    let province = county.get(..2).unwrap_or_default();
    let city = county.get(..4).unwrap_or_default();
    let others: Vec<String> = divisions::within(store.conn(), province, DivisionLevel::County)?
        .into_iter()
        .map(|d| d.code)
        .filter(|c| c != county)
        .collect();
    let outside_city: Vec<String> = others
        .iter()
        .filter(|c| !c.starts_with(city))
        .cloned()
        .collect();
    Ok(if outside_city.is_empty() {
        others
    } else {
        outside_city
    })
}

/// Builds the demo county. `progress(done, total)` is called after each
/// batch; returning `false` stops early (what finished stays, consistent).
pub fn generate(
    store: &mut Store,
    opts: &DemoOptions,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<DemoSummary> {
    // Demo accounts have a published password: they may only ever exist in
    // a database that was made as a demo, never in a county's real one (one
    // that has accounts of its own).
    let has_accounts = !users::list(store.conn())?.is_empty();
    if store.county_code()?.is_some() && has_accounts && !is_demo(store)? {
        return Err(CoreError::field(
            "数据库",
            "这是县级正式数据库，不是示例数据库：不能在其中生成示例数据或示例账户",
        ));
    }
    let actor = Actor::system("hutong demo", Scope::parse(&opts.county_code)?);
    setup::initialise_county(store, &actor.name, &opts.county_code)?;
    store.write(&actor, |tx| {
        tx.conn().execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('demo', '1')",
            [],
        )?;
        tx.audit(AuditEntryInput::new(
            AuditAction::CountyDemo,
            "meta",
            Some("demo".into()),
        ))
    })?;
    let code = opts.county_code.clone();
    let villages: Vec<String> = divisions::within(store.conn(), &code, DivisionLevel::Village)?
        .into_iter()
        .map(|d| d.code)
        .collect();
    if villages.is_empty() {
        return Err(CoreError::field(
            "县级区划代码",
            format!("{code} 没有村级区划"),
        ));
    }
    let townships = divisions::within(store.conn(), &code, DivisionLevel::Township)?;
    let mut summary = DemoSummary {
        users: demo_accounts(store, &actor, &code, &villages)?,
        ..Default::default()
    };
    let visitors: Vec<String> = townships
        .iter()
        .take(20)
        .map(|t| format!("{}儿童主任", t.name.trim_end_matches(['镇', '乡'])))
        .collect();
    let county = County {
        province: code.get(..2).unwrap_or_default().to_string(),
        rural_villages: villages.iter().filter(|v| is_rural(v)).cloned().collect(),
        origins: origins(store, &code)?,
        visitors: if visitors.is_empty() {
            vec!["儿童主任".to_string()]
        } else {
            visitors
        },
        now: crate::store::now_text(),
        villages,
        code,
    };

    let mut g = Generator::new(ChaCha8Rng::seed_from_u64(opts.seed), opts.today);
    // ID numbers already in the database (an earlier run, or children
    // entered by hand) are never handed out again.
    {
        let mut stmt = store.conn().prepare(
            "SELECT id_number FROM children
             UNION ALL SELECT id_number FROM persons WHERE id_number IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            g.ids.reserve(&r?);
        }
    }
    // The reference cases have fixed numbers: no generated child or
    // relative may be given one of them.
    for id in REFERENCE_IDS {
        g.ids.reserve(id);
    }

    let total = opts.generated_children + REFERENCE_IDS.len();
    let cases = reference_cases::reference_cases(&mut g, &county)?;
    let mut pending: Vec<Family> = Vec::with_capacity(BATCH);
    let mut done = 0;
    for f in cases {
        if children::get_by_id_number_any(store.conn(), &f.child.id_number)?.is_some() {
            done += 1;
        } else {
            pending.push(f);
        }
    }
    let mut generated = 0;
    loop {
        while pending.len() < BATCH && generated < opts.generated_children {
            pending.push(generated_family(&mut g, &county)?);
            generated += 1;
        }
        if pending.is_empty() {
            break;
        }
        let batch = std::mem::take(&mut pending);
        store.write(&actor, |tx| {
            for f in &batch {
                insert_family(tx, f, "demo")?;
            }
            Ok(())
        })?;
        for f in &batch {
            summary.persons += f.persons.len();
            summary.visits += f.visits.len();
            summary.forms += f.forms.len();
        }
        done += batch.len();
        summary.children += batch.len();
        if !progress(done, total) {
            return Ok(summary);
        }
    }
    summary.workers = workforce::demo_workforce(store, &actor, &county.code, opts)?;
    Ok(summary)
}

/// Adds a year of casework to a demo made by [`generate`] with the same
/// options: 强制报告, services and referrals, the allowance ledger, wishes,
/// counselling and a 摸排 round in progress (see `history`). A separate
/// step because a county with an open round and a year of records is not
/// the blank slate some screens' tests start from; `hutong demo` and the
/// first-run demo call both. Adds nothing the second time, and refuses a
/// database that is not a demo.
pub fn add_history(store: &mut Store, opts: &DemoOptions) -> Result<HistorySummary> {
    if !is_demo(store)? {
        return Err(CoreError::field(
            "数据库",
            "这不是示例数据库：不能在其中生成示例业务记录",
        ));
    }
    let actor = Actor::system("hutong demo", Scope::parse(&opts.county_code)?);
    history::add_history(store, &actor, opts)
}

/// The ID numbers of the seven DOMAIN §5 cases.
pub const REFERENCE_IDS: [&str; 7] = [
    "411525201304150124",
    "411525201508220251",
    "32090320110107031X",
    "540124201609300445",
    "630106201203030579",
    "411603200906120689",
    "410225201402280718",
];

/// Demo accounts, one per role, unless they exist from an earlier run.
fn demo_accounts(
    store: &mut Store,
    actor: &Actor,
    county: &str,
    villages: &[String],
) -> Result<Vec<(String, Role)>> {
    let first_village = if county == "411525" && villages.iter().any(|v| v == "411525102201") {
        "411525102201".to_string()
    } else {
        villages[0].clone()
    };
    let first_township = first_village[..9].to_string();
    let accounts: [(&str, &str, Role, &str); 5] = [
        ("admin", "县民政局管理员", Role::CountyAdmin, county),
        ("caseworker", "县民政局 王芳", Role::Caseworker, county),
        (
            "supervisor",
            "乡镇督导员 李明",
            Role::TownshipSupervisor,
            first_township.as_str(),
        ),
        (
            "director",
            "儿童主任 张敏",
            Role::VillageDirector,
            first_village.as_str(),
        ),
        ("auditor", "审计员 赵静", Role::Auditor, county),
    ];
    let mut out = Vec::new();
    for (username, display, role, scope) in accounts {
        if users::get_by_username(store.conn(), username)?.is_none() {
            store.write(actor, |tx| {
                users::create(
                    tx,
                    &NewUser {
                        username,
                        display_name: display,
                        role,
                        scope_code: scope,
                        phone: None,
                        password: DEMO_PASSWORD,
                        worker_id: None,
                        must_change_password: false,
                    },
                )
            })?;
        }
        out.push((username.to_string(), role));
    }
    Ok(out)
}
