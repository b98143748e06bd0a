//! Psychological care: counselling sessions, screenings and follow-ups.

use super::{child_in_scope, not_found, write};
use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::counselling::{
    self as cs, FollowUp, FollowUpStatus, Screening, ScreeningInput, SessionInput,
};
use hutong_core::national::NaiveDate;
use hutong_core::{RowId, Store};

/// A child's care record: sessions, screenings and follow-ups.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ChildCare {
    pub sessions: Vec<cs::Session>,
    pub screenings: Vec<Screening>,
    pub followups: Vec<FollowUp>,
}

pub fn for_child(store: &mut Store, session: &Session, child: RowId) -> Result<ChildCare> {
    session.require(store, Action::ViewCases)?;
    child_in_scope(store, session, child)?;
    let conn = store.conn();
    Ok(ChildCare {
        sessions: cs::sessions_for_child(conn, child)?,
        screenings: cs::screenings_for_child(conn, child)?,
        followups: cs::followups_for_child(conn, child)?,
    })
}

/// Follow-ups due by `by` within the scope (or a division inside it).
pub fn due_followups(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    by: NaiveDate,
) -> Result<Vec<FollowUp>> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, division)?;
    Ok(cs::due_followups(store.conn(), &scope, by)?)
}

/// One screening, if its child lies within the scope.
pub fn get_screening(store: &mut Store, session: &Session, id: RowId) -> Result<Screening> {
    session.require(store, Action::ViewCases)?;
    let s = cs::get_screening(store.conn(), id)?.ok_or_else(|| not_found("心理筛查", id))?;
    child_in_scope(store, session, s.child_id)?;
    Ok(s)
}

/// Adds a counselling session, or changes one (`id`).
pub fn save_session(
    store: &mut Store,
    session: &Session,
    id: Option<RowId>,
    input: &SessionInput,
) -> Result<cs::Session> {
    write(store, session, Action::EditCases, |tx| match id {
        Some(id) => cs::update_session(tx, id, input),
        None => cs::add_session(tx, input),
    })
}

/// Adds a screening, or changes one (`id`).
pub fn save_screening(
    store: &mut Store,
    session: &Session,
    id: Option<RowId>,
    input: &ScreeningInput,
) -> Result<Screening> {
    write(store, session, Action::EditCases, |tx| match id {
        Some(id) => cs::update_screening(tx, id, input),
        None => cs::add_screening(tx, input),
    })
}

pub fn add_followup(
    store: &mut Store,
    session: &Session,
    child: RowId,
    source: Option<RowId>,
    due_on: NaiveDate,
    action: &str,
) -> Result<FollowUp> {
    write(store, session, Action::EditCases, |tx| {
        cs::add_followup(tx, child, source, due_on, action)
    })
}

pub fn close_followup(
    store: &mut Store,
    session: &Session,
    id: RowId,
    status: FollowUpStatus,
    on: NaiveDate,
    note: &str,
) -> Result<FollowUp> {
    write(store, session, Action::EditCases, |tx| {
        cs::close_followup(tx, id, status, on, note)
    })
}

/// Voids a session or a screening.
pub fn void(store: &mut Store, session: &Session, id: RowId, reason: &str) -> Result<()> {
    write(store, session, Action::EditCases, |tx| {
        cs::void(tx, id, reason)
    })
}
