//! The 儿童档案 use cases, once for the workstation and the command line:
//! list, open a file, reveal its numbers, change and close it.
//!
//! Every call takes the session: the permission is checked here, the
//! division scope in core, and a refusal is audited either way.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::audit::{self, AuditEntry};
use hutong_core::categories::{self, CategoryRecord};
use hutong_core::children::{self, Child, ChildInput, ChildQuery, ChildRow};
use hutong_core::persons::{self, RelatedPerson};
use hutong_core::visits::{self, Visit};
use hutong_core::{RowId, Store, divisions};

/// A child's whole file as one screen or command shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChildFile {
    pub child: Child,
    /// "河南省 信阳市 固始县 黎集镇 插花村民委员会".
    pub residence_path: String,
    pub relations: Vec<RelatedPerson>,
    pub categories: Vec<CategoryRecord>,
    pub visits: Vec<Visit>,
    /// The file's 历史, newest first (numbers masked in the log itself).
    pub history: Vec<AuditEntry>,
}

/// The 儿童档案 list within the session's scope (and the query's division,
/// which must lie inside it), with the scope's total.
pub fn list(store: &mut Store, session: &Session, q: &ChildQuery) -> Result<(Vec<ChildRow>, u64)> {
    session.require(store, Action::ViewCases)?;
    let rows = children::list(store.conn(), session.scope(), q);
    let rows = session.checked(store, rows)?;
    let total = children::count(store.conn(), session.scope())?;
    Ok((rows, total))
}

/// Opens a file by its row id. A file outside the scope is refused and the
/// attempt audited; the relatives, categories, visits and history are read
/// only after that check.
pub fn open(store: &mut Store, session: &Session, id: RowId) -> Result<Option<ChildFile>> {
    session.require(store, Action::ViewCases)?;
    let found = children::get(store.conn(), session.scope(), id);
    match session.checked(store, found)? {
        Some(child) => Ok(Some(whole_file(store, child)?)),
        None => Ok(None),
    }
}

/// Opens a file by ID number (any form the ID rules accept).
pub fn open_by_id_number(
    store: &mut Store,
    session: &Session,
    id_number: &str,
) -> Result<Option<ChildFile>> {
    session.require(store, Action::ViewCases)?;
    let found = children::get_by_id_number(store.conn(), session.scope(), id_number);
    match session.checked(store, found)? {
        Some(child) => Ok(Some(whole_file(store, child)?)),
        None => Ok(None),
    }
}

fn whole_file(store: &Store, child: Child) -> Result<ChildFile> {
    let conn = store.conn();
    let id = child.id;
    Ok(ChildFile {
        residence_path: divisions::full_name(conn, &child.residence_division)?,
        relations: persons::for_child(conn, id)?,
        categories: categories::for_child(conn, id)?,
        visits: visits::for_child(conn, id)?,
        history: audit::history(conn, "children", &id.to_string())?,
        child,
    })
}

/// The file's 历史 again (after a save or a background change).
pub fn history(store: &mut Store, session: &Session, id: RowId) -> Result<Vec<AuditEntry>> {
    session.require(store, Action::ViewCases)?;
    let found = audit::history_in_scope(store.conn(), session.scope(), "children", &id.to_string());
    session.checked(store, found)
}

/// Shows the child's full ID number, and with it the relatives' numbers and
/// phones, for a stated purpose: one audited write (`child.reveal_id`,
/// `person.reveal_id`). Returns the child's number.
pub fn reveal(store: &mut Store, session: &Session, id: RowId, purpose: &str) -> Result<String> {
    session.require(store, Action::RevealId)?;
    let written = store.write(&session.actor(), |tx| {
        let full = children::reveal_id_number(tx, id, purpose)?;
        persons::reveal_for_child(tx, id, purpose)?;
        Ok(full)
    });
    session.checked(store, written)
}

/// Masks the numbers of a file for a view without a reveal: the child's ID
/// and phone, and every relative's ID and phone.
pub fn mask(file: &mut ChildFile) {
    use hutong_core::national::id_number::{mask, mask_phone};
    file.child.id_number = mask(&file.child.id_number);
    file.child.phone = file.child.phone.as_deref().map(mask_phone);
    for rp in &mut file.relations {
        rp.person.id_number = rp.person.id_number.as_deref().map(mask);
        rp.person.phone = rp.person.phone.as_deref().map(mask_phone);
    }
}

/// Saves the 基本信息 of a file (audited with old → new, numbers masked),
/// with the ID rules' warnings.
pub fn update(
    store: &mut Store,
    session: &Session,
    id: RowId,
    input: &ChildInput,
) -> Result<(Child, Vec<hutong_core::national::id_number::IdWarning>)> {
    session.require(store, Action::EditCases)?;
    let written = store.write(&session.actor(), |tx| children::update(tx, id, input));
    session.checked(store, written)
}

/// Shows the full ID numbers of listed children for a purpose: one audited
/// write with a `child.reveal_id` entry per child. Returns the numbers in
/// the order given.
pub fn reveal_list(
    store: &mut Store,
    session: &Session,
    ids: &[RowId],
    purpose: &str,
) -> Result<Vec<String>> {
    session.require(store, Action::RevealId)?;
    let written = store.write(&session.actor(), |tx| {
        ids.iter()
            .map(|id| children::reveal_id_number(tx, *id, purpose))
            .collect::<hutong_core::Result<Vec<_>>>()
    });
    session.checked(store, written)
}

/// Opens a new file (一人一档) in a village inside the scope, with its first
/// category (a manual one, until the child's age limit for it) if one is
/// given, in one audited write. Returns the ID rules' warnings beside the
/// new child.
pub fn add(
    store: &mut Store,
    session: &Session,
    input: &ChildInput,
    category: Option<(hutong_core::national::category::CaseCategory, &str)>,
) -> Result<(Child, Vec<hutong_core::national::id_number::IdWarning>)> {
    use hutong_core::categories::{self, CategoryInput, CategorySource};
    use hutong_core::national::dates;
    session.require(store, Action::EditCases)?;
    let today = chrono::Local::now().date_naive();
    let written = store.write(&session.actor(), |tx| {
        let (child, warnings) = children::add(tx, input)?;
        if let Some((category, basis)) = category {
            categories::add(
                tx,
                child.id,
                &CategoryInput {
                    category,
                    basis: basis.to_string(),
                    source: CategorySource::Manual,
                    source_ref: None,
                    effective_from: today,
                    effective_until: Some(dates::anniversary(
                        child.birth_date,
                        category.age_limit(),
                    )),
                    evidence: None,
                },
            )?;
        }
        Ok((child, warnings))
    });
    session.checked(store, written)
}

/// Closes a file (结案) with its reason; nothing is deleted.
pub fn close(
    store: &mut Store,
    session: &Session,
    id: RowId,
    on: hutong_core::national::NaiveDate,
    reason: &str,
) -> Result<()> {
    session.require(store, Action::EditCases)?;
    let written = store.write(&session.actor(), |tx| children::close(tx, id, on, reason));
    session.checked(store, written)
}
