//! 工作台 figures, computed once for any face: children by category, the
//! 四色 colour distribution, visits due this week and overdue, escalation
//! alerts and the villages with overdue visits, all within the session's
//! scope. Computing them scans the scope (the schedule reads every child's
//! latest visit and assessment), so callers run it in the background.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::province::{Colour, VisitPolicy};
use hutong_core::schedule::{self, DueStatus, Escalation, ScheduleFilter, VillageSchedule};
use hutong_core::{RowId, Store, categories, children};

/// Alerts listed on the 工作台; the rest are in 走访计划.
const MAX_ALERTS: usize = 30;
/// Villages listed with overdue visits.
const MAX_VILLAGES: usize = 30;

#[derive(Clone, Default)]
pub struct Figures {
    pub total: u64,
    pub counts: Vec<(hutong_core::national::category::CaseCategory, u64)>,
    /// None when no province plugin gives a visit policy.
    pub schedule: Option<ScheduleFigures>,
}

#[derive(Clone)]
pub struct ScheduleFigures {
    pub plugin: String,
    pub policy: VisitPolicy,
    /// Red … green, then 未评估; colours with no child are left out.
    pub colours: Vec<(Option<Colour>, u64)>,
    pub due_this_week: u64,
    pub overdue: u64,
    pub township: u64,
    pub county: u64,
    /// Escalated children, most overdue first.
    pub alerts: Vec<Alert>,
    /// Villages with overdue visits, most first.
    pub villages: Vec<VillageSchedule>,
}

#[derive(Clone)]
pub struct Alert {
    pub child_id: RowId,
    pub name: String,
    pub village: String,
    pub colour: Option<Colour>,
    pub days_overdue: i64,
    pub escalation: Escalation,
}

fn schedule_figures(
    conn: &hutong_core::store::Connection,
    scope: &hutong_core::Scope,
    plugin: String,
    policy: VisitPolicy,
) -> hutong_core::Result<ScheduleFigures> {
    let today = chrono::Local::now().date_naive();
    let entries = schedule::compute(conn, scope, &policy, today, &ScheduleFilter::default())?;
    let order = [
        Some(Colour::Red),
        Some(Colour::Orange),
        Some(Colour::Yellow),
        Some(Colour::Blue),
        Some(Colour::Green),
        None,
    ];
    let mut counts = [0u64; 6];
    let (mut week, mut overdue, mut township, mut county) = (0, 0, 0, 0);
    let mut alerts = Vec::new();
    for e in &entries {
        if let Some(i) = order.iter().position(|c| *c == e.colour) {
            counts[i] += 1;
        }
        match e.status {
            DueStatus::DueThisWeek => week += 1,
            DueStatus::Overdue => overdue += 1,
            DueStatus::Upcoming => {}
        }
        match e.escalation {
            Escalation::Township => township += 1,
            Escalation::County => county += 1,
            Escalation::None => continue,
        }
        alerts.push(Alert {
            child_id: e.child_id,
            name: e.name.clone(),
            village: e.village_name.clone(),
            colour: e.colour,
            days_overdue: e.days_overdue,
            escalation: e.escalation,
        });
    }
    alerts.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.name.cmp(&b.name))
    });
    alerts.truncate(MAX_ALERTS);
    let mut villages: Vec<VillageSchedule> = schedule::by_village(&entries)
        .into_iter()
        .filter(|v| v.overdue > 0)
        .collect();
    villages.truncate(MAX_VILLAGES);
    Ok(ScheduleFigures {
        plugin,
        policy,
        colours: order
            .into_iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .collect(),
        due_this_week: week,
        overdue,
        township,
        county,
        alerts,
        villages,
    })
}

/// The figures of the session's scope. `plugin` is the province plugin's
/// reference and visit policy (no schedule figures without one); `step` is
/// called after each of the three parts, for a progress bar.
pub fn figures(
    store: &mut Store,
    session: &Session,
    plugin: Option<(String, VisitPolicy)>,
    mut step: impl FnMut(),
) -> Result<Figures> {
    session.require(store, Action::ViewCases)?;
    let (conn, scope) = (store.conn(), session.scope());
    let total = children::count(conn, scope)?;
    step();
    let counts = categories::counts(conn, scope)?;
    step();
    let schedule = plugin
        .map(|(reference, policy)| schedule_figures(conn, scope, reference, policy))
        .transpose()?;
    step();
    Ok(Figures {
        total,
        counts,
        schedule,
    })
}
