//! The county's 儿童督导员 and 儿童主任, 儿童之家 and a training.

use super::DemoOptions;
use super::generator::{Generator, date};
use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::divisions;
use crate::error::Result;
use crate::store::{Actor, Store};
use crate::workforce as wf;
use hutong_national::division::DivisionLevel;
use hutong_national::id_number::Sex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// "插花村民委员会" → "插花村".
fn short_village(name: &str) -> String {
    for (suffix, short) in [
        ("村民委员会", "村"),
        ("居民委员会", "社区"),
        ("村委会", "村"),
        ("居委会", "社区"),
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return format!("{stem}{short}");
        }
    }
    name.to_string()
}

/// Villages (every `DIRECTOR_GAP_EVERY`-th) and townships (every
/// `SUPERVISOR_GAP_EVERY`-th) left without a worker, so the network view has
/// gaps to show.
const DIRECTOR_GAP_EVERY: usize = 11;
const SUPERVISOR_GAP_EVERY: usize = 6;

/// The county's 儿童督导员 and 儿童主任, with a few deliberate gaps, one
/// training and two 儿童之家. Skipped when the register is not empty (a
/// second `hutong demo` run). Its own random stream, so the children stay
/// the same whatever this adds.
pub(super) fn demo_workforce(
    store: &mut Store,
    actor: &Actor,
    county: &str,
    opts: &DemoOptions,
) -> Result<usize> {
    let existing: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM workers", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(0);
    }
    let townships = divisions::within(store.conn(), county, DivisionLevel::Township)?;
    let villages = divisions::within(store.conn(), county, DivisionLevel::Village)?;
    let mut g = Generator::new(
        ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5757_0000),
        opts.today,
    );
    let now = crate::store::now_text();
    let mut workers = Vec::new();
    for (i, t) in townships.iter().enumerate() {
        if i % SUPERVISOR_GAP_EVERY == SUPERVISOR_GAP_EVERY - 1 {
            continue;
        }
        let sex = if g.rng.gen_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        workers.push(wf::Worker {
            id: RowId::new(),
            role: wf::WorkerRole::Supervisor,
            name: g.name(sex),
            division_code: t.code.clone(),
            phone: Some(g.phone()),
            appointed_on: g.date_between(date(2019, 6, 1), date(2023, 12, 31)),
            left_on: None,
            left_reason: None,
            note: Some("乡镇民政办".into()),
        });
    }
    for (i, v) in villages.iter().enumerate() {
        // The reference village keeps its 主任 (the demo account 张敏).
        if i % DIRECTOR_GAP_EVERY == DIRECTOR_GAP_EVERY - 1 && v.code != "411525102201" {
            continue;
        }
        // Female committee members are preferred (DOMAIN §2.5).
        let sex = if g.rng.gen_bool(0.7) {
            Sex::Female
        } else {
            Sex::Male
        };
        let name = if v.code == "411525102201" {
            "张敏".to_string()
        } else {
            g.name(sex)
        };
        workers.push(wf::Worker {
            id: RowId::new(),
            role: wf::WorkerRole::Director,
            name,
            division_code: v.code.clone(),
            phone: Some(g.phone()),
            appointed_on: g.date_between(date(2019, 6, 1), date(2024, 12, 31)),
            left_on: None,
            left_reason: None,
            note: Some("村（居）委会委员".into()),
        });
    }
    let count = workers.len();
    store.write(actor, |tx| {
        for w in &workers {
            wf::insert_worker(tx.conn(), w, &now)?;
            tx.audit(
                AuditEntryInput::new(AuditAction::WorkerAdd, "workers", Some(w.id.to_string()))
                    .detail(serde_json::json!({
                        "role": w.role.code(),
                        "name": w.name,
                        "division": w.division_code,
                        "source": "demo",
                    })),
            )?;
        }
        let attendees: Vec<RowId> = workers.iter().take(30).map(|w| w.id).collect();
        if !attendees.is_empty() {
            wf::add_training(
                tx,
                date(2025, 3, 10),
                "强制报告制度与儿童主任工作职责",
                4.0,
                Some("县民政局"),
                &attendees,
            )?;
        }
        for v in villages.iter().take(2) {
            let home = wf::add_home(
                tx,
                &format!("{}儿童之家", short_village(&v.name)),
                &v.code,
                None,
                date(2022, 6, 1),
            )?;
            wf::add_activity(
                tx,
                home.id,
                date(2025, 4, 12),
                "防溺水安全教育",
                Some(18),
                Some("儿童主任"),
            )?;
        }
        Ok(())
    })?;
    Ok(count)
}
