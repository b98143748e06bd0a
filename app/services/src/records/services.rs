//! 服务记录 (services delivered to a child) and 转介 (referrals to another
//! department).

use super::{child_in_scope, not_found, write};
use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::national::NaiveDate;
use hutong_core::services::{
    self as sv, CoverageRow, Referral, ReferralInput, ReferralStatus, ServiceInput, ServiceRecord,
    ServiceRow,
};
use hutong_core::{RowId, Store, divisions};

/// Services within the scope (or a division inside it), in a date range.
pub fn list(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<ServiceRow>> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, division)?;
    Ok(sv::list(store.conn(), &scope, from, to)?)
}

/// One child's services still in force, in a date range, as list rows.
pub fn for_child(
    store: &mut Store,
    session: &Session,
    child: RowId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<ServiceRow>> {
    session.require(store, Action::ViewCases)?;
    let child = child_in_scope(store, session, child)?;
    let village = divisions::get(store.conn(), &child.residence_division)?
        .map(|d| d.name)
        .unwrap_or_default();
    Ok(sv::for_child(store.conn(), child.id)?
        .into_iter()
        .filter(|s| s.active)
        .filter(|s| from.is_none_or(|f| s.service_date >= f))
        .filter(|s| to.is_none_or(|t| s.service_date <= t))
        .map(|s| ServiceRow {
            service: s,
            child_name: child.name.clone(),
            village_name: village.clone(),
        })
        .collect())
}

/// One service record, if its child lies within the scope.
pub fn get(store: &mut Store, session: &Session, id: RowId) -> Result<ServiceRecord> {
    session.require(store, Action::ViewCases)?;
    let rec = sv::get(store.conn(), id)?.ok_or_else(|| not_found("服务记录", id))?;
    child_in_scope(store, session, rec.child_id)?;
    Ok(rec)
}

/// Service coverage per township and area: a statistic, so `Statistics`.
pub fn coverage(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    areas: &[String],
) -> Result<Vec<CoverageRow>> {
    session.require(store, Action::Statistics)?;
    let scope = session.narrowed(store, division)?;
    Ok(sv::coverage(store.conn(), &scope, from, to, areas)?)
}

pub fn add(
    store: &mut Store,
    session: &Session,
    input: &ServiceInput,
    today: NaiveDate,
) -> Result<ServiceRecord> {
    write(store, session, Action::EditCases, |tx| {
        sv::add(tx, input, today)
    })
}

pub fn update(
    store: &mut Store,
    session: &Session,
    id: RowId,
    input: &ServiceInput,
    today: NaiveDate,
) -> Result<ServiceRecord> {
    write(store, session, Action::EditCases, |tx| {
        sv::update(tx, id, input, today)
    })
}

pub fn void(store: &mut Store, session: &Session, id: RowId, reason: &str) -> Result<()> {
    write(store, session, Action::EditCases, |tx| {
        sv::void(tx, id, reason)
    })
}

pub fn refer(store: &mut Store, session: &Session, input: &ReferralInput) -> Result<Referral> {
    write(store, session, Action::EditCases, |tx| sv::refer(tx, input))
}

pub fn set_referral_status(
    store: &mut Store,
    session: &Session,
    id: RowId,
    status: ReferralStatus,
    on: NaiveDate,
    note: Option<&str>,
) -> Result<Referral> {
    write(store, session, Action::EditCases, |tx| {
        sv::set_referral_status(tx, id, status, on, note)
    })
}

/// A child's referrals.
pub fn referrals_for_child(
    store: &mut Store,
    session: &Session,
    child: RowId,
) -> Result<Vec<Referral>> {
    session.require(store, Action::ViewCases)?;
    child_in_scope(store, session, child)?;
    Ok(sv::referrals_for_child(store.conn(), child)?)
}

/// Referrals not yet done within the scope.
pub fn open_referrals(store: &mut Store, session: &Session) -> Result<Vec<Referral>> {
    session.require(store, Action::ViewCases)?;
    Ok(sv::open_referrals(store.conn(), session.scope())?)
}
