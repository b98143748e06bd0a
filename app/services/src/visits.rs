//! 走访 (home visits) and the 四色 visit schedule, once for the workstation
//! and the command line: a child's visits and next due date, recording and
//! voiding a visit, and the schedule of every child in a division.
//!
//! Reads open the child (or narrow the division) within the session's scope
//! first, so a child or village outside it is refused and audited. The
//! schedule carries ID numbers masked: it is a work list, not a register.

use crate::error::Result;
use crate::permissions::Action;
use crate::records::{child_for, write};
use crate::session::Session;
use hutong_core::national::{NaiveDate, id_number};
use hutong_core::province::VisitPolicy;
use hutong_core::schedule::{self, ScheduleEntry, ScheduleFilter};
use hutong_core::visits::{self, Visit, VisitInput};
use hutong_core::{RowId, Store};

/// A child's visits, newest first.
pub fn for_child(store: &mut Store, session: &Session, child: RowId) -> Result<Vec<Visit>> {
    child_for(store, session, Action::ViewCases, child)?;
    Ok(visits::for_child(store.conn(), child)?)
}

/// When the child is next due a visit under `policy`; `None` for a closed
/// file.
pub fn next_due(
    store: &mut Store,
    session: &Session,
    policy: &VisitPolicy,
    today: NaiveDate,
    child: RowId,
) -> Result<Option<ScheduleEntry>> {
    child_for(store, session, Action::ViewCases, child)?;
    Ok(schedule::for_child(store.conn(), policy, today, child)?.map(masked))
}

/// Records a visit to a child inside the scope.
pub fn add(store: &mut Store, session: &Session, input: &VisitInput) -> Result<Visit> {
    child_for(store, session, Action::EditCases, input.child_id)?;
    write(store, session, Action::EditCases, |tx| {
        visits::add(tx, input)
    })
}

/// Voids a visit (kept, marked void, with the reason).
pub fn void(store: &mut Store, session: &Session, visit: RowId, reason: &str) -> Result<Visit> {
    session.require(store, Action::EditCases)?;
    write(store, session, Action::EditCases, |tx| {
        visits::void(tx, visit, reason)
    })
}

/// The schedule of every active child in `filter.division` (inside the
/// scope; the whole scope when none), ID numbers masked.
pub fn plan(
    store: &mut Store,
    session: &Session,
    policy: &VisitPolicy,
    today: NaiveDate,
    filter: &ScheduleFilter,
) -> Result<Vec<ScheduleEntry>> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, filter.division.as_deref())?;
    let filter = ScheduleFilter {
        division: None,
        ..filter.clone()
    };
    let entries = schedule::compute(store.conn(), &scope, policy, today, &filter)?;
    Ok(entries.into_iter().map(masked).collect())
}

fn masked(mut e: ScheduleEntry) -> ScheduleEntry {
    e.id_number = id_number::mask(&e.id_number);
    e
}
