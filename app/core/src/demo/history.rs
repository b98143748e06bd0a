//! A year of casework around the generated children, written through each
//! record type's own API (so every write is validated and audited as a
//! caseworker's would be): 强制报告 in each state, services and referrals,
//! the allowance ledger with a year of monthly payments, wishes, counselling
//! with follow-ups some overdue, and a 摸排 round in progress.
//!
//! Added once per database (`meta.demo_history`), from its own random
//! stream so the children stay the same whatever this adds. Dates are
//! relative to `DemoOptions::today`.

use super::DemoOptions;
use super::generator::days;
use super::names::pick;
use crate::RowId;
use crate::allowances::{self as al, YearMonth};
use crate::audit::{AuditAction, AuditEntryInput};
use crate::campaigns::{self, NewCampaign, Outcome};
use crate::counselling::{self as care, FollowUpStatus, ScreeningInput, SessionInput, SessionMode};
use crate::error::Result;
use crate::mandatory_reports::{
    self as mr, Channel, ReportInput, Reporter, Situation, TemporaryCustody,
};
use crate::province::ScreeningCycle;
use crate::services::{self as sv, ItemSnapshot, ReferralInput, ReferralStatus, ServiceInput};
use crate::store::{Actor, Store};
use crate::wishes::{self, Sponsor, SponsorKind};
use chrono::{Datelike, NaiveDateTime};
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use hutong_national::dates;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::OptionalExtension;

/// What the history added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistorySummary {
    pub mandatory_reports: usize,
    pub services: usize,
    pub referrals: usize,
    pub payments: usize,
    pub wishes: usize,
    pub counselling_sessions: usize,
    pub followups: usize,
    /// Children recorded in the 摸排 round in progress.
    pub campaign_recorded: usize,
}

/// A child as the history needs it.
struct Kid {
    id: RowId,
    id_number: String,
    birth: NaiveDate,
    residence: String,
    categories: Vec<CaseCategory>,
}

impl Kid {
    fn has(&self, c: CaseCategory) -> bool {
        self.categories.contains(&c)
    }
}

fn kids(store: &Store) -> Result<Vec<Kid>> {
    let mut stmt = store.conn().prepare(
        "SELECT c.id, c.id_number, c.birth_date, c.residence_division,
                coalesce((SELECT group_concat(k.category) FROM categories k
                          WHERE k.child_id = c.id AND k.status = 'active'), '')
         FROM children c WHERE c.status = 'active' ORDER BY c.id_number",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, RowId>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, id_number, birth, residence, cats) = row?;
        let Ok(birth) = birth.parse() else { continue };
        out.push(Kid {
            id,
            id_number,
            birth,
            residence,
            categories: cats
                .split(',')
                .filter_map(CaseCategory::from_code)
                .collect(),
        });
    }
    Ok(out)
}

fn at(day: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    day.and_hms_opt(h, m, 0).unwrap_or_default()
}

/// The number of records of a kind: one per `per` children, within bounds.
fn share(children: usize, per: usize, min: usize, max: usize) -> usize {
    (children / per).clamp(min, max).min(children)
}

pub(super) fn add_history(
    store: &mut Store,
    actor: &Actor,
    opts: &DemoOptions,
) -> Result<HistorySummary> {
    let done: Option<String> = store
        .conn()
        .query_row(
            "SELECT value FROM meta WHERE key = 'demo_history'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if done.is_some() {
        return Ok(HistorySummary::default());
    }
    let all = kids(store)?;
    if all.is_empty() {
        return Ok(HistorySummary::default());
    }
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0x4849_5354);
    let today = opts.today;
    let mut s = HistorySummary::default();
    store.write(actor, |tx| {
        s.mandatory_reports = mandatory_reports(tx, &mut rng, &all, today)?;
        Ok(())
    })?;
    store.write(actor, |tx| {
        let (services, referrals) = services(tx, &mut rng, &all, today)?;
        s.services = services;
        s.referrals = referrals;
        Ok(())
    })?;
    store.write(actor, |tx| {
        s.payments = allowances(tx, today)?;
        Ok(())
    })?;
    store.write(actor, |tx| {
        s.wishes = wishes_for(tx, &mut rng, &all, today)?;
        Ok(())
    })?;
    store.write(actor, |tx| {
        let (sessions, followups) = counselling(tx, &mut rng, &all, today)?;
        s.counselling_sessions = sessions;
        s.followups = followups;
        Ok(())
    })?;
    s.campaign_recorded = campaign(store, actor, &mut rng, &all, opts)?;
    store.write(actor, |tx| {
        tx.conn().execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('demo_history', '1')",
            [],
        )?;
        tx.audit(
            AuditEntryInput::new(
                AuditAction::CountyDemoHistory,
                "meta",
                Some("demo_history".into()),
            )
            .detail(serde_json::json!({
                "mandatory_reports": s.mandatory_reports,
                "services": s.services,
                "referrals": s.referrals,
                "payments": s.payments,
                "wishes": s.wishes,
                "counselling_sessions": s.counselling_sessions,
                "followups": s.followups,
                "campaign_recorded": s.campaign_recorded,
            })),
        )
    })?;
    Ok(s)
}

/// 强制报告 in every state: waiting for feedback (on time and late), closed
/// with feedback, with 临时监护, and voided. 赵一鸣's school report (DOMAIN
/// §5 case 7) is one of them when he is in this county.
fn mandatory_reports(
    tx: &mut crate::store::WriteTx<'_>,
    rng: &mut ChaCha8Rng,
    all: &[Kid],
    today: NaiveDate,
) -> Result<usize> {
    let mut count = 0;
    if let Some(zhao) = all.iter().find(|k| k.id_number == "410225201402280718") {
        let found = if NaiveDate::from_ymd_opt(2025, 3, 12).is_some_and(|d| d <= today) {
            NaiveDate::from_ymd_opt(2025, 3, 12).unwrap_or(today)
        } else {
            today - days(20)
        };
        let r = mr::add(
            tx,
            &ReportInput {
                child_id: zhao.id,
                situations: vec![Situation::MultiInjuryNeglect],
                reporter: Reporter {
                    unit: "县实验小学".into(),
                    role: "班主任".into(),
                    contact: None,
                },
                found_at: at(found, 8, 30),
                reported_at: at(found, 9, 10),
                channel: Channel::Police110,
                receiving_agency: "县公安局城关派出所".into(),
                receipt_no: Some(format!("JJ{}0001", found.format("%Y%m%d"))),
                perpetrator_relation: Some("父亲".into()),
                safety_action: Some("民政部门临时监护，安置于县儿童福利机构".into()),
            },
        )?;
        mr::start_custody(
            tx,
            r.id,
            &TemporaryCustody {
                agency: "县儿童福利指导中心".into(),
                from: found,
                clause: 6,
            },
        )?;
        count += 1;
    }
    // Children of the 安全困境 category first: their reports are the
    // reason they hold it; then others at random.
    let mut targets: Vec<&Kid> = all
        .iter()
        .filter(|k| k.has(CaseCategory::DifficultSafety) && k.id_number != "410225201402280718")
        .collect();
    targets.shuffle(rng);
    let n = share(all.len(), 250, 12, 400);
    targets.truncate(n);
    let units = [
        (
            "镇中心小学",
            "班主任",
            Channel::Police110,
            Situation::MultiInjuryNeglect,
        ),
        (
            "乡镇卫生院",
            "接诊医生",
            Channel::Police,
            Situation::MultiInjuryNeglect,
        ),
        (
            "村民委员会",
            "儿童主任",
            Channel::CivilAffairs,
            Situation::AbandonedUncared,
        ),
        (
            "县人民医院",
            "急诊科医生",
            Channel::Police110,
            Situation::AbnormalDisabilityDeath,
        ),
        (
            "12349 热线",
            "接线员",
            Channel::Hotline12349,
            Situation::Hotline12349,
        ),
        (
            "镇初级中学",
            "心理教师",
            Channel::Education,
            Situation::OtherSerious,
        ),
    ];
    for (i, kid) in targets.iter().enumerate() {
        let (unit, role, channel, situation) = units[i % units.len()];
        let found = today - days(rng.gen_range(1..=330));
        let found_at = at(found, rng.gen_range(8..18), rng.gen_range(0..60));
        // Every fifth report was late (more than 24 hours after finding).
        let delay_minutes = if i % 5 == 1 {
            rng.gen_range(30 * 60..72 * 60)
        } else {
            rng.gen_range(10..180)
        };
        // Never after yesterday evening: the API refuses times after now,
        // and the demo's today may be the real today.
        let reported_at =
            (found_at + chrono::Duration::minutes(delay_minutes)).min(at(today - days(1), 23, 59));
        let reported_at = reported_at.max(found_at);
        let r = mr::add(
            tx,
            &ReportInput {
                child_id: kid.id,
                situations: vec![situation],
                reporter: Reporter {
                    unit: unit.into(),
                    role: role.into(),
                    contact: None,
                },
                found_at,
                reported_at,
                channel,
                receiving_agency: match channel {
                    Channel::Education => "县教育局",
                    Channel::CivilAffairs | Channel::Hotline12349 => "县民政局",
                    _ => "县公安局",
                }
                .into(),
                receipt_no: None,
                perpetrator_relation: None,
                safety_action: None,
            },
        )?;
        count += 1;
        let reported_on = reported_at.date();
        match i % 6 {
            // Closed: the agency's feedback came within a few weeks.
            2 | 3 => {
                let on = (reported_on + days(rng.gen_range(3..30))).min(today);
                mr::record_feedback(
                    tx,
                    r.id,
                    "已核查处置，儿童由监护人照料，村儿童主任持续关注",
                    on,
                )?;
            }
            // 临时监护 under 第九十二条（六）, then closed.
            4 => {
                mr::start_custody(
                    tx,
                    r.id,
                    &TemporaryCustody {
                        agency: "县儿童福利指导中心".into(),
                        from: reported_on,
                        clause: 6,
                    },
                )?;
                let on = (reported_on + days(rng.gen_range(7..40))).min(today);
                mr::record_feedback(tx, r.id, "公安机关已立案，儿童由民政部门临时监护", on)?;
            }
            // Entered twice by mistake: voided.
            5 => mr::void(tx, r.id, "重复录入")?,
            // 0 and 1 stay open, waiting for feedback.
            _ => {}
        }
    }
    Ok(count)
}

/// Service items common to the provinces' catalogues (national 关爱服务
/// areas); the codes are the demo's own.
const SERVICE_ITEMS: &[(&str, &str, &str, &str)] = &[
    ("DEMO-EDU-01", "学业辅导", "教育", "县教育局"),
    ("DEMO-EDU-02", "控辍保学", "教育", "县教育局"),
    ("DEMO-HEA-01", "健康体检", "医疗卫生", "县卫生健康委"),
    ("DEMO-HEA-02", "康复救助", "医疗卫生", "县残联"),
    ("DEMO-PSY-01", "心理疏导", "心理关爱", "县民政局"),
    ("DEMO-LIF-01", "临时救助", "基本生活", "县民政局"),
    ("DEMO-SAF-01", "安全教育", "安全保护", "县公安局"),
    ("DEMO-FAM-01", "家庭教育指导", "家庭监护", "县妇联"),
];

fn item(i: usize) -> ItemSnapshot {
    let (code, name, area, _) = SERVICE_ITEMS[i % SERVICE_ITEMS.len()];
    ItemSnapshot {
        code: code.into(),
        name: name.into(),
        area: area.into(),
    }
}

/// Services for one child in ten or so, and referrals in every state.
fn services(
    tx: &mut crate::store::WriteTx<'_>,
    rng: &mut ChaCha8Rng,
    all: &[Kid],
    today: NaiveDate,
) -> Result<(usize, usize)> {
    let mut served = 0;
    let n = share(all.len(), 10, 20, 12_000);
    let mut order: Vec<&Kid> = all.iter().collect();
    order.shuffle(rng);
    for kid in order.iter().take(n) {
        for _ in 0..rng.gen_range(1..=3) {
            let i = rng.gen_range(0..SERVICE_ITEMS.len());
            let on = today - days(rng.gen_range(0..365));
            if on < kid.birth {
                continue;
            }
            sv::add(
                tx,
                &ServiceInput {
                    child_id: kid.id,
                    item: item(i),
                    service_date: on,
                    provider: "乡镇民政办".into(),
                    department: SERVICE_ITEMS[i].3.into(),
                    outcome: Some("已落实".into()),
                },
                today,
            )?;
            served += 1;
        }
    }
    let mut referred = 0;
    let n = share(all.len(), 100, 10, 1_000);
    for (i, kid) in order.iter().skip(n).take(n).enumerate() {
        let it = rng.gen_range(0..SERVICE_ITEMS.len());
        let sent = today - days(rng.gen_range(2..200));
        let r = sv::refer(
            tx,
            &ReferralInput {
                child_id: kid.id,
                department: SERVICE_ITEMS[it].3.into(),
                item: Some(item(it)),
                reason: "走访发现需要专业部门跟进".into(),
                sent_on: sent,
                mreport_id: None,
            },
        )?;
        referred += 1;
        let on = (sent + days(rng.gen_range(1..20))).min(today);
        match i % 4 {
            1 => {
                sv::set_referral_status(tx, r.id, ReferralStatus::Accepted, on, None)?;
            }
            2 => {
                sv::set_referral_status(tx, r.id, ReferralStatus::Accepted, on, None)?;
                sv::set_referral_status(tx, r.id, ReferralStatus::Done, on, Some("已办结"))?;
            }
            3 => {
                sv::set_referral_status(
                    tx,
                    r.id,
                    ReferralStatus::Declined,
                    on,
                    Some("不属于本部门职责，建议转介乡镇卫生院"),
                )?;
            }
            _ => {}
        }
    }
    Ok((served, referred))
}

/// 示例 monthly standards (元 × 100 = 分) for the allowance categories,
/// from a year ago; not any province's official amounts.
const STANDARDS: &[(CaseCategory, i64)] = &[
    (CaseCategory::OrphanInstitutional, 1_800 * 100),
    (CaseCategory::OrphanScattered, 1_300 * 100),
    (CaseCategory::DeFactoUnsupported, 1_300 * 100),
    (CaseCategory::HivAffected, 1_300 * 100),
];

/// The ledger for the last twelve months: standards set, every month
/// generated, all but the current month paid on the 10th.
fn allowances(tx: &mut crate::store::WriteTx<'_>, today: NaiveDate) -> Result<usize> {
    let this_month = YearMonth {
        year: today.year(),
        month: today.month(),
    };
    let start = dates::first_of_next_month(today - days(380));
    let existing = al::standards(tx.conn())?;
    for (cat, cents) in STANDARDS {
        if existing.iter().any(|s| s.category == *cat && s.active) {
            continue;
        }
        al::set_standard(tx, *cat, *cents, start, "示例标准（非正式文件）")?;
    }
    let mut created = 0;
    let mut month_day = start;
    while month_day <= today {
        let month = YearMonth {
            year: month_day.year(),
            month: month_day.month(),
        };
        created += al::generate(tx, month)?.created as usize;
        if month < this_month {
            let paid_on = month_day + days(9);
            al::mark_paid(tx, month, None, paid_on, Some(&format!("示例批次{month}")))?;
        }
        month_day = dates::first_of_next_month(month_day);
    }
    Ok(created)
}

const WISHES: &[(&str, i64)] = &[
    ("一个新书包", 150 * 100),
    ("一套课外读物", 200 * 100),
    ("一双运动鞋", 180 * 100),
    ("一台学习用台灯", 120 * 100),
    ("一件冬季棉衣", 260 * 100),
    ("一副羽毛球拍", 100 * 100),
];

/// Wishes in each state, from recorded to fulfilled.
fn wishes_for(
    tx: &mut crate::store::WriteTx<'_>,
    rng: &mut ChaCha8Rng,
    all: &[Kid],
    today: NaiveDate,
) -> Result<usize> {
    let n = share(all.len(), 40, 10, 2_500);
    let mut order: Vec<&Kid> = all
        .iter()
        .filter(|k| dates::age_on(k.birth, today) >= 4)
        .collect();
    order.shuffle(rng);
    let sponsors = [
        "县爱心企业联合会",
        "县供电公司团委",
        "张女士",
        "县实验中学教职工",
    ];
    for (i, kid) in order.iter().take(n).enumerate() {
        let (wish, cents) = WISHES[rng.gen_range(0..WISHES.len())];
        let recorded = today - days(rng.gen_range(20..200));
        let w = wishes::add(tx, kid.id, wish, Some(cents), recorded)?;
        let step = |d: i64| (recorded + days(d)).min(today);
        match i % 5 {
            0 => {}
            1 => {
                wishes::publish(tx, w.id, step(3))?;
            }
            2 | 3 => {
                wishes::publish(tx, w.id, step(3))?;
                let sponsor = Sponsor {
                    kind: if i % 2 == 0 {
                        SponsorKind::Company
                    } else {
                        SponsorKind::Person
                    },
                    name: pick(rng, &sponsors).into(),
                    contact: None,
                };
                wishes::claim(tx, w.id, &sponsor, step(8))?;
                if i % 5 == 3 {
                    wishes::fulfil(tx, w.id, step(15), Some("示例照片"))?;
                }
            }
            _ => {
                wishes::cancel(tx, w.id, "儿童已随父母迁出本县")?;
            }
        }
    }
    Ok(n.min(order.len()))
}

/// Counselling for a few children: a screening, sessions, and follow-ups
/// (some done, some due soon, some overdue).
fn counselling(
    tx: &mut crate::store::WriteTx<'_>,
    rng: &mut ChaCha8Rng,
    all: &[Kid],
    today: NaiveDate,
) -> Result<(usize, usize)> {
    let n = share(all.len(), 60, 8, 1_500);
    let mut order: Vec<&Kid> = all
        .iter()
        .filter(|k| dates::age_on(k.birth, today) >= 6)
        .collect();
    order.shuffle(rng);
    let (mut sessions, mut followups) = (0, 0);
    for (i, kid) in order.iter().take(n).enumerate() {
        let screened = today - days(rng.gen_range(30..300));
        let positive = i % 3 != 2;
        let sc = care::add_screening(
            tx,
            &ScreeningInput {
                child_id: kid.id,
                screened_on: screened,
                scale: "PSC-17".into(),
                score: Some(if positive { 17.0 } else { 8.0 }),
                level: if positive { "阳性" } else { "阴性" }.into(),
                screener: "县心理健康服务中心".into(),
                note: None,
            },
        )?;
        if !positive {
            continue;
        }
        let mut last = screened;
        for _ in 0..rng.gen_range(1..=4) {
            last = (last + days(rng.gen_range(7..30))).min(today);
            care::add_session(
                tx,
                &SessionInput {
                    child_id: kid.id,
                    session_date: last,
                    counsellor: "县心理健康服务中心 刘老师".into(),
                    mode: SessionMode::ALL[rng.gen_range(0..SessionMode::ALL.len())],
                    summary: "情绪较前稳定，继续关注亲子沟通".into(),
                },
            )?;
            sessions += 1;
        }
        let due = match i % 3 {
            0 => today - days(rng.gen_range(3..40)),
            _ => today + days(rng.gen_range(1..21)),
        };
        let f = care::add_followup(tx, kid.id, Some(sc.id), due, "复评 PSC-17 并电话回访监护人")?;
        followups += 1;
        if i % 4 == 3 && due <= today {
            care::close_followup(tx, f.id, FollowUpStatus::Done, today, "已复评，分数下降")?;
        }
    }
    Ok((sessions, followups))
}

/// Children per transaction while recording the 摸排 round.
const CAMPAIGN_BATCH: usize = 2_000;

/// A half-yearly 摸排 round that began six weeks ago, with about 60% of the
/// children recorded: whole villages done, some half done, and every
/// seventh village not started, so the round shows villages behind pace.
fn campaign(
    store: &mut Store,
    actor: &Actor,
    rng: &mut ChaCha8Rng,
    all: &[Kid],
    opts: &DemoOptions,
) -> Result<usize> {
    if !campaigns::open(store.conn())?.is_empty() {
        return Ok(0);
    }
    let county = opts.county_code.clone();
    let start = today_minus(opts.today, 42);
    let c = store.write(actor, |tx| {
        campaigns::start(
            tx,
            &NewCampaign {
                division_code: &county,
                cycle: &ScreeningCycle::HalfYearly,
                start,
                plugin_ref: None,
            },
        )
    })?;
    let mut villages: Vec<&str> = all.iter().map(|k| k.residence.as_str()).collect();
    villages.sort_unstable();
    villages.dedup();
    let progress = |v: &str| -> u32 {
        let i = villages.binary_search(&v).unwrap_or(0);
        match i % 7 {
            6 => 0,
            4 | 5 => 50,
            _ => 80,
        }
    };
    let chosen: Vec<RowId> = all
        .iter()
        .filter(|k| rng.gen_range(0..100) < progress(&k.residence))
        .map(|k| k.id)
        .collect();
    for batch in chosen.chunks(CAMPAIGN_BATCH) {
        let outcomes: Vec<(RowId, Outcome)> = batch
            .iter()
            .map(|id| {
                let o = if rng.gen_bool(0.1) {
                    Outcome::Updated
                } else {
                    Outcome::Confirmed
                };
                (*id, o)
            })
            .collect();
        store.write(actor, |tx| {
            for (id, outcome) in &outcomes {
                let note = (*outcome == Outcome::Updated).then_some("更新了联系电话和就学情况");
                campaigns::record(tx, c.id, *id, *outcome, note)?;
            }
            Ok(())
        })?;
    }
    Ok(chosen.len())
}

fn today_minus(today: NaiveDate, n: i64) -> NaiveDate {
    today - days(n)
}
