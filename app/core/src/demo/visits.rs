//! A year of visits for one child, on and off schedule.
//!
//! The schedule (`schedule::compute`) makes the next visit due a cadence
//! after the latest visit: the plugin's row for the child's assessed level,
//! else its default (30 days in all four province plugins). The demo has
//! no assessments, so 30 days is the yardstick here:
//! - most children (80%) were visited every 3–5 weeks for the past year
//!   and last within 30 days, some of them due this week;
//! - some (12%) were last visited 5 weeks to 5 months ago: overdue, most of
//!   them by more than 7 days (the 督导员 is alerted) and some by more than
//!   30 (the county is);
//! - a few (5%) were last visited 7–12 months ago, found no one home, and
//!   have a follow-up asking the township to go again;
//! - the rest (3%) have no visit yet.

use super::generator::{Generator, days};
use super::names::pick;
use crate::RowId;
use crate::children::Child;
use crate::visits::{Visit, VisitMode};
use hutong_national::NaiveDate;
use hutong_national::dates;
use rand::Rng;

const FINDINGS: &[&str] = &[
    "生活照料正常，学习情况良好",
    "监护人履职正常，儿童身体健康",
    "家中卫生尚可，儿童按时上学",
    "与父母每周视频联系，情绪稳定",
    "儿童近期学习成绩有所下降，已与班主任沟通",
    "居住条件较差，已告知村委会协调改善",
    "监护人年迈，照料能力有限，需持续关注",
    "儿童性格内向，建议开展心理关爱活动",
];

const FOLLOW_UPS: &[&str] = &[
    "协调学校开展课后辅导",
    "联系乡镇卫生院上门体检",
    "申请临时救助",
    "转介社工开展心理疏导",
    "督促监护人办理残疾证",
];

/// Visits for a child whose file (or category) began on `from`.
pub(super) fn visit_history(
    g: &mut Generator,
    child: &Child,
    from: NaiveDate,
    visitors: &[String],
    now: &str,
) -> Vec<Visit> {
    let today = g.today;
    let earliest = from.max(child.birth_date).max(today - days(365));
    let school_age = dates::age_on(child.birth_date, today) >= 6;
    let roll = g.rng.gen_range(0..100);
    let last = match roll {
        0..80 => today - days(g.rng.gen_range(0..=29)),
        80..92 => today - days(g.rng.gen_range(36..=150)),
        92..97 => today - days(g.rng.gen_range(210..=350)),
        _ => return Vec::new(),
    };
    if last < earliest {
        // A file opened since: one visit on the day it was opened, if that
        // is not in the future.
        return if earliest <= today {
            vec![visit(g, child, earliest, school_age, visitors, now)]
        } else {
            Vec::new()
        };
    }
    let mut out = Vec::new();
    let mut on = last;
    while on >= earliest {
        out.push(visit(g, child, on, school_age, visitors, now));
        on -= days(g.rng.gen_range(21..=35));
    }
    if roll >= 92
        && let Some(latest) = out.first_mut()
    {
        latest.mode = VisitMode::Home;
        latest.findings = "入户未见到儿童及监护人，电话未接通".into();
        latest.follow_up = Some("请乡镇督导员协调村委会再次入户核实".into());
    }
    out
}

fn visit(
    g: &mut Generator,
    child: &Child,
    on: NaiveDate,
    school_age: bool,
    visitors: &[String],
    now: &str,
) -> Visit {
    let mode = match g.rng.gen_range(0..100) {
        0..60 => VisitMode::Home,
        60..85 => VisitMode::Phone,
        _ if school_age => VisitMode::School,
        _ => VisitMode::Home,
    };
    let follow_up = g
        .rng
        .gen_bool(0.08)
        .then(|| pick(&mut g.rng, FOLLOW_UPS).to_string());
    Visit {
        id: RowId::new(),
        child_id: child.id,
        visit_date: on,
        mode,
        visitor: visitors[g.rng.gen_range(0..visitors.len())].clone(),
        findings: pick(&mut g.rng, FINDINGS).to_string(),
        follow_up,
        next_due_override: None,
        override_reason: None,
        active: true,
        void_reason: None,
        recorded_at: now.to_string(),
    }
}
