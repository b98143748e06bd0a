//! 微心愿: a child's small wish, published, claimed by a sponsor, fulfilled
//! or cancelled.

use super::{child_in_scope, not_found, write};
use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::national::NaiveDate;
use hutong_core::wishes::{self as ws, Sponsor, Wish, WishRow, WishStatus};
use hutong_core::{RowId, Store};

/// Wishes within the scope (or a division inside it), by status.
pub fn list(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    status: Option<WishStatus>,
) -> Result<Vec<WishRow>> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, division)?;
    Ok(ws::list(store.conn(), scope.code(), status)?)
}

/// How many wishes are in each status, within the scope or a division.
pub fn counts(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
) -> Result<Vec<(WishStatus, u64)>> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, division)?;
    Ok(ws::counts(store.conn(), scope.code())?)
}

/// One wish, if its child lies within the scope.
pub fn get(store: &mut Store, session: &Session, id: RowId) -> Result<Wish> {
    session.require(store, Action::ViewCases)?;
    let w = ws::get(store.conn(), id)?.ok_or_else(|| not_found("微心愿", id))?;
    child_in_scope(store, session, w.child_id)?;
    Ok(w)
}

pub fn add(
    store: &mut Store,
    session: &Session,
    child: RowId,
    wish: &str,
    estimate_cents: Option<i64>,
    recorded_on: NaiveDate,
) -> Result<Wish> {
    write(store, session, Action::EditCases, |tx| {
        ws::add(tx, child, wish, estimate_cents, recorded_on)
    })
}

pub fn edit(
    store: &mut Store,
    session: &Session,
    id: RowId,
    wish: &str,
    estimate_cents: Option<i64>,
) -> Result<Wish> {
    write(store, session, Action::EditCases, |tx| {
        ws::edit(tx, id, wish, estimate_cents)
    })
}

pub fn publish(store: &mut Store, session: &Session, id: RowId, on: NaiveDate) -> Result<Wish> {
    write(store, session, Action::EditCases, |tx| {
        ws::publish(tx, id, on)
    })
}

pub fn claim(
    store: &mut Store,
    session: &Session,
    id: RowId,
    sponsor: &Sponsor,
    on: NaiveDate,
) -> Result<Wish> {
    write(store, session, Action::EditCases, |tx| {
        ws::claim(tx, id, sponsor, on)
    })
}

pub fn fulfil(
    store: &mut Store,
    session: &Session,
    id: RowId,
    on: NaiveDate,
    photo_ref: Option<&str>,
) -> Result<Wish> {
    write(store, session, Action::EditCases, |tx| {
        ws::fulfil(tx, id, on, photo_ref)
    })
}

pub fn cancel(store: &mut Store, session: &Session, id: RowId, reason: &str) -> Result<Wish> {
    write(store, session, Action::EditCases, |tx| {
        ws::cancel(tx, id, reason)
    })
}
