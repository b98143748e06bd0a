//! The workforce (工作队伍): 儿童督导员 and 儿童主任, their training, the
//! county–township–village network, and 儿童之家 with their activities.
//!
//! Reading is casework within the scope (`ViewCases`, as `hutong workforce
//! list` always was); keeping the register, training and 儿童之家 is the
//! county's (`CountyLists`).

use super::{not_found, write};
use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::divisions::{self, Division};
use hutong_core::national::NaiveDate;
use hutong_core::national::division::DivisionLevel;
use hutong_core::workforce::{
    self as wf, ChildHome, HomeActivity, Network, Training, Worker, WorkerInput, WorkerRole,
};
use hutong_core::{CoreError, RowId, Store};

/// Refuses (and audits) a record whose division lies outside the scope.
fn in_scope(store: &mut Store, session: &Session, what: &str, division: &str) -> Result<()> {
    if session.scope().contains(division) {
        return Ok(());
    }
    let refused: hutong_core::Result<()> = Err(CoreError::OutOfScope {
        what: what.to_string(),
        scope: session.scope().code().to_string(),
        audited: false,
    });
    session.checked(store, refused)
}

/// A division's own name ("插花村民委员会"), or its code when unknown.
fn division_name(store: &Store, code: &str) -> Result<String> {
    Ok(divisions::get(store.conn(), code)?
        .map(|d| d.name)
        .unwrap_or_else(|| code.to_string()))
}

/// Workers within the scope (or a division inside it), with the name of
/// each one's division; `in_post_on` keeps those in post that day.
pub fn list_workers(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    role: Option<WorkerRole>,
    in_post_on: Option<NaiveDate>,
) -> Result<Vec<(Worker, String)>> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, division)?;
    wf::list_workers(store.conn(), &scope, role, in_post_on)?
        .into_iter()
        .map(|w| {
            let name = division_name(store, &w.division_code)?;
            Ok((w, name))
        })
        .collect()
}

pub fn get_worker(store: &mut Store, session: &Session, id: RowId) -> Result<Worker> {
    session.require(store, Action::ViewCases)?;
    let w = wf::get_worker(store.conn(), id)?.ok_or_else(|| not_found("人员", id))?;
    in_scope(
        store,
        session,
        &format!("人员“{}”", w.name),
        &w.division_code,
    )?;
    Ok(w)
}

/// The worker's division in full ("河南省 信阳市 固始县 …").
pub fn division_full_name(store: &mut Store, session: &Session, code: &str) -> Result<String> {
    session.require(store, Action::ViewCases)?;
    Ok(divisions::full_name(store.conn(), code)?)
}

/// The townships and villages within the scope, for the register's pickers.
pub fn divisions_in_scope(
    store: &mut Store,
    session: &Session,
) -> Result<(Vec<Division>, Vec<Division>)> {
    session.require(store, Action::ViewCases)?;
    let code = session.scope().code();
    Ok((
        divisions::within(store.conn(), code, DivisionLevel::Township)?,
        divisions::within(store.conn(), code, DivisionLevel::Village)?,
    ))
}

pub fn add_worker(store: &mut Store, session: &Session, input: &WorkerInput) -> Result<Worker> {
    write(store, session, Action::CountyLists, |tx| {
        wf::add_worker(tx, input)
    })
}

pub fn update_worker(
    store: &mut Store,
    session: &Session,
    id: RowId,
    input: &WorkerInput,
) -> Result<Worker> {
    write(store, session, Action::CountyLists, |tx| {
        wf::update_worker(tx, id, input)
    })
}

pub fn leave(
    store: &mut Store,
    session: &Session,
    id: RowId,
    on: NaiveDate,
    reason: &str,
) -> Result<Worker> {
    write(store, session, Action::CountyLists, |tx| {
        wf::leave(tx, id, on, reason)
    })
}

/// The county–township–village network within the scope (or a division
/// inside it) on a day: who is in post where, and the gaps.
pub fn network(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    on: NaiveDate,
) -> Result<Network> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, division)?;
    Ok(wf::network(store.conn(), &scope, on)?)
}

/// The county's trainings (they name workers, not children).
pub fn list_trainings(store: &mut Store, session: &Session) -> Result<Vec<Training>> {
    session.require(store, Action::ViewCases)?;
    Ok(wf::list_trainings(store.conn())?)
}

pub fn add_training(
    store: &mut Store,
    session: &Session,
    held_on: NaiveDate,
    topic: &str,
    hours: f64,
    organiser: Option<&str>,
    attendees: &[RowId],
) -> Result<Training> {
    write(store, session, Action::CountyLists, |tx| {
        wf::add_training(tx, held_on, topic, hours, organiser, attendees)
    })
}

/// 儿童之家 within the scope (or a division inside it), each with its
/// village's name and its activities.
pub fn list_homes(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
) -> Result<Vec<(ChildHome, String, Vec<HomeActivity>)>> {
    session.require(store, Action::ViewCases)?;
    let scope = session.narrowed(store, division)?;
    wf::list_homes(store.conn(), &scope)?
        .into_iter()
        .map(|h| {
            let name = division_name(store, &h.division_code)?;
            let acts = wf::activities(store.conn(), h.id)?;
            Ok((h, name, acts))
        })
        .collect()
}

/// A 儿童之家's activities, if the home lies within the scope.
pub fn activities(store: &mut Store, session: &Session, home: RowId) -> Result<Vec<HomeActivity>> {
    session.require(store, Action::ViewCases)?;
    let h = wf::get_home(store.conn(), home)?.ok_or_else(|| not_found("儿童之家", home))?;
    in_scope(
        store,
        session,
        &format!("儿童之家“{}”", h.name),
        &h.division_code,
    )?;
    Ok(wf::activities(store.conn(), home)?)
}

pub fn add_home(
    store: &mut Store,
    session: &Session,
    name: &str,
    village: &str,
    address: Option<&str>,
    opened_on: NaiveDate,
) -> Result<ChildHome> {
    write(store, session, Action::CountyLists, |tx| {
        wf::add_home(tx, name, village, address, opened_on)
    })
}

pub fn close_home(
    store: &mut Store,
    session: &Session,
    id: RowId,
    on: NaiveDate,
    reason: &str,
) -> Result<ChildHome> {
    write(store, session, Action::CountyLists, |tx| {
        wf::close_home(tx, id, on, reason)
    })
}

pub fn add_activity(
    store: &mut Store,
    session: &Session,
    home: RowId,
    held_on: NaiveDate,
    title: &str,
    participants: Option<u32>,
    organiser: Option<&str>,
) -> Result<HomeActivity> {
    write(store, session, Action::CountyLists, |tx| {
        wf::add_activity(tx, home, held_on, title, participants, organiser)
    })
}
