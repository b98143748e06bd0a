//! 基本生活费 (allowances of 孤儿 and 事实无人抚养儿童): the county's
//! standards, the monthly ledger and roster, one child's ledger, and grants
//! (助学, 临时救助...).
//!
//! Standards, monthly generation and the roster span the county
//! (`CountyLists`); paying, voiding and grants are casework (`EditCases`);
//! a child's ledger and the grant list are read within the scope.

use super::{child_in_scope, not_found, write};
use crate::error::{Context, Result};
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::allowances::{
    self as al, ALLOWANCE_CATEGORIES, GenerateSummary, Grant, GrantInput, IdDisplay, Payment,
    Programme, Roster, Standard, YearMonth,
};
use hutong_core::categories;
use hutong_core::national::NaiveDate;
use hutong_core::national::category::CaseCategory;
use hutong_core::{RowId, Store};
use std::path::{Path, PathBuf};

pub fn standards(store: &mut Store, session: &Session) -> Result<Vec<Standard>> {
    session.require(store, Action::CountyLists)?;
    Ok(al::standards(store.conn())?)
}

pub fn get_standard(store: &mut Store, session: &Session, id: RowId) -> Result<Standard> {
    session.require(store, Action::CountyLists)?;
    al::get_standard(store.conn(), id)?.ok_or_else(|| not_found("补贴标准", id))
}

pub fn set_standard(
    store: &mut Store,
    session: &Session,
    category: CaseCategory,
    amount_cents: i64,
    effective_from: NaiveDate,
    basis: &str,
) -> Result<Standard> {
    write(store, session, Action::CountyLists, |tx| {
        al::set_standard(tx, category, amount_cents, effective_from, basis)
    })
}

pub fn update_standard(
    store: &mut Store,
    session: &Session,
    id: RowId,
    amount_cents: i64,
    basis: &str,
) -> Result<Standard> {
    write(store, session, Action::CountyLists, |tx| {
        al::update_standard(tx, id, amount_cents, basis)
    })
}

/// Generates the month's payments for every eligible child of the county.
pub fn generate(store: &mut Store, session: &Session, month: YearMonth) -> Result<GenerateSummary> {
    write(store, session, Action::CountyLists, |tx| {
        al::generate(tx, month)
    })
}

/// Marks the month's payments (all, or `ids`) as paid.
pub fn mark_paid(
    store: &mut Store,
    session: &Session,
    month: YearMonth,
    ids: Option<&[RowId]>,
    paid_on: NaiveDate,
    pay_ref: Option<&str>,
) -> Result<u64> {
    write(store, session, Action::EditCases, |tx| {
        al::mark_paid(tx, month, ids, paid_on, pay_ref)
    })
}

pub fn void_payment(store: &mut Store, session: &Session, id: RowId, reason: &str) -> Result<()> {
    write(store, session, Action::EditCases, |tx| {
        al::void_payment(tx, id, reason)
    })
}

/// The month's roster within the scope (or a division inside it).
pub fn roster(
    store: &mut Store,
    session: &Session,
    month: YearMonth,
    division: Option<&str>,
) -> Result<Roster> {
    session.require(store, Action::CountyLists)?;
    let scope = session.narrowed(store, division)?;
    Ok(al::roster(store.conn(), month, &scope)?)
}

/// One allowance category's payment window for a child.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Window {
    pub category: CaseCategory,
    pub confirmed: NaiveDate,
    pub end: NaiveDate,
    pub first: YearMonth,
    pub last: YearMonth,
}

/// A child's ledger: each allowance category's window, and the payments.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ledger {
    pub child: RowId,
    pub windows: Vec<Window>,
    pub payments: Vec<Payment>,
}

pub fn ledger(store: &mut Store, session: &Session, child: RowId) -> Result<Ledger> {
    session.require(store, Action::ViewCases)?;
    let c = child_in_scope(store, session, child)?;
    let windows = categories::for_child(store.conn(), child)?
        .into_iter()
        .filter(|k| ALLOWANCE_CATEGORIES.contains(&k.category))
        .map(|k| {
            let end = al::allowance_end(k.effective_until, c.birth_date, c.closed_on);
            let (first, last) = al::payment_window(k.effective_from, end);
            Window {
                category: k.category,
                confirmed: k.effective_from,
                end,
                first,
                last,
            }
        })
        .collect();
    Ok(Ledger {
        child,
        windows,
        payments: al::ledger(store.conn(), child)?,
    })
}

/// A roster file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterFormat {
    Pdf,
    Xlsx,
}

/// How a roster is exported: with full ID numbers only for a stated reason
/// (and, for a spreadsheet, sealed with a passphrase).
pub struct RosterExport<'a> {
    pub format: RosterFormat,
    pub ids: IdDisplay,
    pub reason: &'a str,
    pub passphrase: Option<&'a str>,
    pub today: NaiveDate,
}

/// Checks a full-ID export's reason and passphrase before a file is asked
/// for, so the user is told at once.
pub fn check_export(e: &RosterExport<'_>) -> Result<()> {
    al::check_full_id_reason(e.ids, e.reason)?;
    if e.ids == IdDisplay::Full && e.format == RosterFormat::Xlsx {
        hutong_core::sealed::check_passphrase(e.passphrase.unwrap_or_default())?;
    }
    Ok(())
}

/// A written roster: the file (sealed `.zip` for a full-ID spreadsheet),
/// its size and SHA-256.
#[derive(Debug)]
pub struct ExportedRoster {
    pub path: PathBuf,
    pub bytes: usize,
    pub sha256: String,
}

/// Renders the roster, writes it and audits the file with whether full IDs
/// were printed and why. The roster is county-wide (`CountyLists`); full
/// ID numbers also need `ExportFullIds`.
pub fn export_roster(
    store: &mut Store,
    session: &Session,
    roster: &Roster,
    e: &RosterExport<'_>,
    fonts: &hutong_report::FontSet,
    out: &Path,
) -> Result<ExportedRoster> {
    session.require(store, Action::CountyLists)?;
    if e.ids == IdDisplay::Full {
        session.require(store, Action::ExportFullIds)?;
    }
    check_export(e)?;
    let office = super::office_name(store)?;
    let bytes = match e.format {
        RosterFormat::Pdf => hutong_report::render(
            &al::roster_document_with(roster, &office, e.today, e.ids),
            fonts,
        )?,
        RosterFormat::Xlsx => crate::xlsx::allowance_roster_with(roster, &office, e.ids)
            .context("生成 XLSX 花名册")?,
    };
    // A spreadsheet with full ID numbers leaves sealed; the PDF is the
    // signed paper copy and is printed as it is.
    let path = if e.ids == IdDisplay::Full && e.format == RosterFormat::Xlsx {
        hutong_core::sealed::write(out, &bytes, e.passphrase.unwrap_or_default())?
    } else {
        hutong_core::files::write_atomic(out, &bytes)?;
        out.to_path_buf()
    };
    let sha = crate::printing::pdf_sha256(&bytes);
    let file = path.display().to_string();
    write(store, session, Action::CountyLists, |tx| {
        al::audit_roster_export(tx, roster, &file, &sha, e.ids, e.reason)
    })?;
    Ok(ExportedRoster {
        path,
        bytes: bytes.len(),
        sha256: sha,
    })
}

// ---------------------------------------------------------------- grants

pub fn add_grant(store: &mut Store, session: &Session, input: &GrantInput) -> Result<Grant> {
    write(store, session, Action::EditCases, |tx| {
        al::add_grant(tx, input)
    })
}

pub fn update_grant(
    store: &mut Store,
    session: &Session,
    id: RowId,
    input: &GrantInput,
) -> Result<Grant> {
    write(store, session, Action::EditCases, |tx| {
        al::update_grant(tx, id, input)
    })
}

pub fn void_grant(store: &mut Store, session: &Session, id: RowId, reason: &str) -> Result<()> {
    write(store, session, Action::EditCases, |tx| {
        al::void_grant(tx, id, reason)
    })
}

/// One grant, if its child lies within the scope.
pub fn get_grant(store: &mut Store, session: &Session, id: RowId) -> Result<Grant> {
    session.require(store, Action::ViewCases)?;
    let g = al::get_grant(store.conn(), id)?.ok_or_else(|| not_found("资助记录", id))?;
    child_in_scope(store, session, g.child_id)?;
    Ok(g)
}

/// Grants of the children within the scope, with each child's name. Core
/// lists the county's grants; those of children outside the scope are left
/// out here.
pub fn list_grants(
    store: &mut Store,
    session: &Session,
    programme: Option<Programme>,
    year: Option<i32>,
) -> Result<Vec<(Grant, String)>> {
    session.require(store, Action::ViewCases)?;
    let conn = store.conn();
    let mut out = Vec::new();
    for g in al::list_grants(conn, programme, year)? {
        if let Ok(Some(c)) = hutong_core::children::get(conn, session.scope(), g.child_id) {
            out.push((g, c.name));
        }
    }
    Ok(out)
}
