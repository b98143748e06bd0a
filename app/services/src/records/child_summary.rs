//! The child file's 服务与记录 tab: every record of one child, read once.

use super::child_in_scope;
use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::allowances::{self as al, Grant};
use hutong_core::mandatory_reports::MandatoryReport;
use hutong_core::services::{self as sv, Referral, ServiceRecord};
use hutong_core::wishes::{self as ws, Wish};
use hutong_core::{RowId, Store};

/// A child's records, each kind as its module reads it (the reporter of a
/// 强制报告 redacted unless the session may see it).
#[derive(Debug, Clone)]
pub struct ChildRecords {
    pub child: RowId,
    pub reports: Vec<MandatoryReport>,
    pub services: Vec<ServiceRecord>,
    pub referrals: Vec<Referral>,
    pub ledger: super::allowances::Ledger,
    pub grants: Vec<Grant>,
    pub wishes: Vec<Wish>,
    pub care: super::care::ChildCare,
}

pub fn for_child(store: &mut Store, session: &Session, child: RowId) -> Result<ChildRecords> {
    session.require(store, Action::ViewCases)?;
    child_in_scope(store, session, child)?;
    let ledger = super::allowances::ledger(store, session, child)?;
    let care = super::care::for_child(store, session, child)?;
    let viewer = super::mreport::viewer(session);
    let conn = store.conn();
    Ok(ChildRecords {
        child,
        reports: hutong_core::mandatory_reports::for_child(conn, child, viewer)?,
        services: sv::for_child(conn, child)?,
        referrals: sv::referrals_for_child(conn, child)?,
        ledger,
        grants: al::grants_for_child(conn, child)?,
        wishes: ws::for_child(conn, child)?,
        care,
    })
}
