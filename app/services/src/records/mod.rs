//! 业务台账 (#9) use cases, once for the workstation and the command line:
//! 强制报告, services and referrals, allowances and grants, 微心愿,
//! psychological care and the workforce. One module per record kind.
//!
//! Every function takes the session. Writes need `EditCases` (the county's
//! registers `CountyLists`) and are bounded by the session's scope in core;
//! reads of a child's records first open the child within the scope, so a
//! record id guessed from outside the scope is refused and audited rather
//! than shown.

pub mod allowances;
pub mod care;
pub mod child_summary;
pub mod mreport;
pub mod services;
pub mod wishes;
pub mod workforce;

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::audit::{self, AuditAction, AuditEntry, AuditEntryInput};
use hutong_core::children::{self, Child, ChildQuery, ChildRow};
use hutong_core::store::WriteTx;
use hutong_core::{CoreError, RowId, Store, divisions};

/// One audited write under `action`: the permission first, then the write
/// bounded by the session's scope, an out-of-scope refusal audited.
pub(crate) fn write<T>(
    store: &mut Store,
    session: &Session,
    action: Action,
    f: impl FnOnce(&mut WriteTx<'_>) -> hutong_core::Result<T>,
) -> Result<T> {
    session.require(store, action)?;
    let written = store.write(&session.actor(), f);
    session.checked(store, written)
}

/// The child behind a record, if it lies in the session's scope; a child
/// outside it is refused (and audited), a missing one is `NotFound`.
pub(crate) fn child_in_scope(store: &mut Store, session: &Session, id: RowId) -> Result<Child> {
    let found = children::get(store.conn(), session.scope(), id);
    session.checked(store, found)?.ok_or_else(|| {
        CoreError::NotFound {
            what: "儿童档案",
            key: id.to_string(),
        }
        .into()
    })
}

/// The permission first (a refusal names the action), then the child
/// inside the scope: the opening of every use case about one child.
pub(crate) fn child_for(
    store: &mut Store,
    session: &Session,
    action: Action,
    id: RowId,
) -> Result<Child> {
    session.require(store, action)?;
    child_in_scope(store, session, id)
}

/// A record that was not found, named for the message.
pub(crate) fn not_found(what: &'static str, id: RowId) -> crate::ServiceError {
    CoreError::NotFound {
        what,
        key: id.to_string(),
    }
    .into()
}

/// Children matching a name, pinyin or ID prefix within the scope, for a
/// form's child picker.
pub fn find_children(
    store: &mut Store,
    session: &Session,
    search: &str,
    limit: usize,
) -> Result<Vec<ChildRow>> {
    session.require(store, Action::ViewCases)?;
    let q = ChildQuery {
        search: Some(search.to_string()),
        limit: Some(limit),
        ..Default::default()
    };
    let rows = children::list(store.conn(), session.scope(), &q);
    session.checked(store, rows)
}

/// A child named by ID number (`--child`), within the scope.
pub fn child_by_id_number(store: &mut Store, session: &Session, id_number: &str) -> Result<Child> {
    session.require(store, Action::ViewCases)?;
    let found = children::get_by_id_number(store.conn(), session.scope(), id_number);
    session.checked(store, found)?.ok_or_else(|| {
        use hutong_core::national::id_number::{mask, normalize};
        crate::ServiceError::Failed {
            context: "--child".into(),
            message: format!(
                "未找到身份证号为 {} 的儿童档案",
                mask(&normalize(id_number))
            ),
        }
    })
}

/// The names of listed children, for rows that hold only the child's id.
/// A child outside the scope shows as "?" (such rows are not listed to the
/// session in the first place; this never reveals a name).
pub fn child_name(store: &Store, session: &Session, id: RowId) -> String {
    if !session.can(Action::ViewCases) {
        return "?".into();
    }
    children::get(store.conn(), session.scope(), id)
        .ok()
        .flatten()
        .map(|c| c.name)
        .unwrap_or_else(|| "?".into())
}

/// The county office's name, "固始县民政局", for letters and rosters.
pub fn office_name(store: &Store) -> Result<String> {
    let county = store.county_code()?.unwrap_or_default();
    let path = divisions::name_path(store.conn(), &county)?;
    Ok(format!(
        "{}民政局",
        path.last().cloned().unwrap_or_default()
    ))
}

/// A record's history, newest first, if the record lies within the scope.
/// `entity` is the record's table (`mandatory_reports`, `services`...).
pub fn history(
    store: &mut Store,
    session: &Session,
    entity: &str,
    id: RowId,
) -> Result<Vec<AuditEntry>> {
    session.require(store, Action::ViewCases)?;
    let found = audit::history_in_scope(store.conn(), session.scope(), entity, &id.to_string());
    session.checked(store, found)
}

/// `hutong history ID`: the history of any record by its id alone; the
/// table is found from the audit log. `None` when the log has no entry.
pub fn history_of_id(
    store: &mut Store,
    session: &Session,
    id: RowId,
) -> Result<Option<Vec<AuditEntry>>> {
    session.require(store, Action::ViewCases)?;
    let entity = audit::entity_of(store.conn(), &id.to_string())?;
    match entity {
        Some(entity) => history(store, session, &entity, id).map(Some),
        None => Ok(None),
    }
}

/// Records a file a record screen or command wrote (a letter, a roster) in
/// the audit log with its SHA-256, like every print. `children` are the
/// children it names.
pub(crate) fn audit_print(
    tx: &mut WriteTx<'_>,
    what: &str,
    entity_id: String,
    children: &[RowId],
    file: &str,
    bytes: &[u8],
) -> hutong_core::Result<()> {
    tx.audit(
        AuditEntryInput::new(AuditAction::ReportPrint, "report", Some(entity_id)).detail(
            serde_json::json!({
                "template": what,
                "children": children.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                "file": file,
                "sha256": crate::printing::pdf_sha256(bytes),
                "bytes": bytes.len(),
            }),
        ),
    )
}
