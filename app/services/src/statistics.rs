//! 统计报表: the table per township and category (children, categories,
//! visits), once for the 统计 screen and `hutong stats`.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::Store;
use hutong_core::national::NaiveDate;
use hutong_core::stats::{self, Statistics};

/// The statistics of the session's scope, or of `division` inside it (a
/// division outside it is refused and the attempt audited). Needs
/// `Statistics`.
pub fn compute(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    today: NaiveDate,
    cadence_days: i64,
) -> Result<Statistics> {
    session.require(store, Action::Statistics)?;
    let scope = session.narrowed(store, division)?;
    Ok(stats::compute(store.conn(), &scope, today, cadence_days)?)
}

/// Writes an exported statistics file (XLSX or PDF) owner-only and audits
/// it with its SHA-256 and the template that laid it out. Written once for
/// the 统计 screen and `hutong stats --out`.
pub fn export(
    store: &mut Store,
    session: &Session,
    s: &Statistics,
    path: &std::path::Path,
    bytes: &[u8],
    template: &str,
) -> Result<()> {
    use hutong_core::audit::{AuditAction, AuditEntryInput};
    use sha2::{Digest, Sha256};
    session.require(store, Action::Statistics)?;
    session.narrowed(store, Some(&s.total.code))?;
    hutong_core::files::write_atomic(path, bytes)?;
    let sha = hex::encode(Sha256::digest(bytes));
    let written = store.write(&session.actor(), |tx| {
        tx.audit(
            AuditEntryInput::new(
                AuditAction::StatsExport,
                "statistics",
                Some(s.total.code.clone()),
            )
            .detail(serde_json::json!({
                "file": path.display().to_string(),
                "sha256": sha,
                "template": template,
            })),
        )
    });
    session.checked(store, written)
}

/// The active children within the session's scope, for a province
/// statistics template that lists them.
pub fn children_in_scope(store: &mut Store, session: &Session) -> Result<Vec<hutong_core::RowId>> {
    use hutong_core::children::{ChildQuery, ChildStatus};
    let (rows, _) = crate::children::list(
        store,
        session,
        &ChildQuery {
            status: Some(ChildStatus::Active),
            ..Default::default()
        },
    )?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}
