//! 强制报告 (mandatory reports): list, open, add, edit, feedback, temporary
//! custody, referral letter and void.
//!
//! The reporter is confidential: a session without `ViewReporter` gets
//! every report with the reporter redacted (core does the redaction for the
//! role it is given; here that role is the session's only if the table
//! grants `ViewReporter`).

use super::{child_in_scope, not_found, write};
use crate::error::{Context, Result};
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::mandatory_reports::{
    self as mr, MandatoryReport, ReportInput, ReportQuery, ReportRow, TemporaryCustody,
};
use hutong_core::national::NaiveDate;
use hutong_core::services::{self as sv, Referral};
use hutong_core::users::Role;
use hutong_core::{RowId, Store};
use std::path::Path;

/// Which reports to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A division inside the session's scope, or the whole scope.
    pub division: Option<String>,
    pub open_only: bool,
    pub late_only: bool,
    pub include_voided: bool,
}

/// The role core redacts for: the session's own if it may see reporters,
/// else one that may not.
pub(crate) fn viewer(session: &Session) -> Role {
    match session.role() {
        Some(role) if session.can(Action::ViewReporter) => role,
        _ => Role::Auditor,
    }
}

/// Reports within the scope, newest first.
pub fn list(store: &mut Store, session: &Session, f: &Filter) -> Result<Vec<ReportRow>> {
    session.require(store, Action::ViewCases)?;
    let q = ReportQuery {
        scope: session.narrowed(store, f.division.as_deref())?,
        open_only: f.open_only,
        late_only: f.late_only,
        include_voided: f.include_voided,
    };
    Ok(mr::list(store.conn(), &q, viewer(session))?)
}

/// One report, if its child lies within the scope.
pub fn get(store: &mut Store, session: &Session, id: RowId) -> Result<MandatoryReport> {
    session.require(store, Action::ViewCases)?;
    let report =
        mr::get(store.conn(), id, viewer(session))?.ok_or_else(|| not_found("强制报告", id))?;
    child_in_scope(store, session, report.child_id)?;
    Ok(report)
}

/// The referrals made from a report.
pub fn referrals(store: &mut Store, session: &Session, id: RowId) -> Result<Vec<Referral>> {
    get(store, session, id)?;
    Ok(sv::referrals_for_report(store.conn(), id)?)
}

pub fn add(store: &mut Store, session: &Session, input: &ReportInput) -> Result<MandatoryReport> {
    write(store, session, Action::EditCases, |tx| mr::add(tx, input))
}

/// Changes a report; an old report is changed only with a reason (core).
/// A session that may not see the reporter was shown it redacted, so the
/// stored reporter is kept rather than overwritten with the redaction.
pub fn update(
    store: &mut Store,
    session: &Session,
    id: RowId,
    input: &ReportInput,
    reason: Option<&str>,
) -> Result<MandatoryReport> {
    session.require(store, Action::EditCases)?;
    let mut input = input.clone();
    if !session.can(Action::ViewReporter) {
        let stored = mr::get(store.conn(), id, Role::CountyAdmin)?
            .ok_or_else(|| not_found("强制报告", id))?;
        input.reporter = stored.reporter;
    }
    write(store, session, Action::EditCases, |tx| {
        mr::update(tx, id, &input, reason)
    })
}

/// Records the receiving agency's feedback, which closes the report.
pub fn record_feedback(
    store: &mut Store,
    session: &Session,
    id: RowId,
    feedback: &str,
    on: NaiveDate,
) -> Result<MandatoryReport> {
    write(store, session, Action::EditCases, |tx| {
        mr::record_feedback(tx, id, feedback, on)
    })
}

pub fn start_custody(
    store: &mut Store,
    session: &Session,
    id: RowId,
    custody: &TemporaryCustody,
) -> Result<MandatoryReport> {
    write(store, session, Action::EditCases, |tx| {
        mr::start_custody(tx, id, custody)
    })
}

pub fn void(store: &mut Store, session: &Session, id: RowId, reason: &str) -> Result<()> {
    write(store, session, Action::EditCases, |tx| {
        mr::void(tx, id, reason)
    })
}

/// A written referral letter.
#[derive(Debug, Clone)]
pub struct Letter {
    pub pages: usize,
    pub bytes: usize,
    pub sha256: String,
}

/// Renders the 转介函 of a report, writes it to `out` and audits the file
/// with its SHA-256 like every print. Needs `Print`, and the report's child
/// within the scope (the letter names the child and the place).
pub fn letter(
    store: &mut Store,
    session: &Session,
    id: RowId,
    letter_no: Option<String>,
    today: NaiveDate,
    fonts: &hutong_report::FontSet,
    out: &Path,
) -> Result<Letter> {
    session.require(store, Action::Print)?;
    let report = get(store, session, id)?;
    let ctx = mr::LetterContext {
        office_name: super::office_name(store)?,
        today,
        letter_no,
    };
    let doc = mr::referral_letter(store.conn(), id, &ctx)?;
    let rendered = hutong_report::render_detailed(&doc, fonts)?;
    hutong_core::files::write_atomic(out, &rendered.pdf)
        .context(format!("写入 {}", out.display()))?;
    let file = out.display().to_string();
    write(store, session, Action::Print, |tx| {
        super::audit_print(
            tx,
            "强制报告转介函",
            id.to_string(),
            &[report.child_id],
            &file,
            &rendered.pdf,
        )
    })?;
    Ok(Letter {
        pages: rendered.page_count,
        bytes: rendered.pdf.len(),
        sha256: crate::printing::pdf_sha256(&rendered.pdf),
    })
}
