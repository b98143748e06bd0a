//! 数据交换 use cases on spreadsheets, once for the workstation and the
//! command line: reading a file with a column mapping, checking and
//! importing children or guardians, and 数据比对 against another
//! department's list (run, open, decide).
//!
//! Imports (`Import`) and comparisons (`Compare`) are county work: both sides
//! of a comparison are the whole county (its 仅我方 group lists every child
//! there), so a session whose scope is narrower than the county is refused
//! and the refusal audited, even for a role that holds the permission.
//! The column mappings are the county's settings; a mapping that changed is
//! remembered, audited, with the import or comparison that used it.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::compare::{
    self, Comparison, ComparisonSummary, Decision, Group, Source, StoredRow,
};
use hutong_core::national::NaiveDate;
use hutong_core::table::persons::{self, PersonsOutcome, PersonsPreview};
use hutong_core::table::{self, ImportOutcome, ImportPreview, Mapping, RawTable, mapping};
use hutong_core::{RowId, Store};
use std::path::Path;

/// The permission, then a county-wide scope (see the module comment).
fn county_work(store: &mut Store, session: &Session, action: Action, what: &str) -> Result<()> {
    session.require(store, action)?;
    session.require_county_wide(store, what)
}

/// The saved mapping names (the county's settings).
pub fn mapping_names(store: &Store) -> Result<Vec<String>> {
    Ok(mapping::list(store.conn())?)
}

/// One saved mapping.
pub fn saved_mapping(store: &Store, name: &str) -> Result<Option<Mapping>> {
    Ok(mapping::load(store.conn(), name)?)
}

/// Reads a spreadsheet, with the header row and sheet a saved mapping
/// names (the file is read, nothing in the database).
pub fn read_table(store: &Store, path: &Path, mapping_name: Option<&str>) -> Result<RawTable> {
    Ok(table::read_with_mapping(store.conn(), path, mapping_name)?)
}

/// The saved mapping of that name, or one proposed from the headers
/// (`true` when proposed), for children.
pub fn mapping_for_children(
    store: &Store,
    name: Option<&str>,
    raw: &RawTable,
) -> Result<(Mapping, bool)> {
    Ok(table::mapping_for(store.conn(), name, raw)?)
}

/// As [`mapping_for_children`], for guardians and relations.
pub fn mapping_for_persons(
    store: &Store,
    name: Option<&str>,
    raw: &RawTable,
) -> Result<(Mapping, bool)> {
    Ok(table::mapping_for_persons(store.conn(), name, raw)?)
}

/// Saves the mapping if it differs from the one saved under its name.
fn remember(store: &mut Store, session: &Session, m: &Mapping) -> Result<()> {
    if mapping::load(store.conn(), &m.name)?.as_ref() == Some(m) {
        return Ok(());
    }
    let written = store.write(&session.actor(), |tx| mapping::save(tx, m));
    session.checked(store, written)
}

/// Checks every row of a children's sheet (ID numbers, villages,
/// duplicates against the county's files) without writing.
pub fn check_children(
    store: &mut Store,
    session: &Session,
    raw: &RawTable,
    m: &Mapping,
    sha256: &str,
    today: NaiveDate,
) -> Result<ImportPreview> {
    county_work(store, session, Action::Import, "导入儿童名单")?;
    Ok(table::prepare_children(
        store.conn(),
        raw,
        m,
        sha256,
        today,
    )?)
}

/// Checks every row of a guardians' sheet without writing.
pub fn check_persons(
    store: &mut Store,
    session: &Session,
    raw: &RawTable,
    m: &Mapping,
    sha256: &str,
    today: NaiveDate,
) -> Result<PersonsPreview> {
    county_work(store, session, Action::Import, "导入亲属名单")?;
    Ok(persons::prepare_persons(
        store.conn(),
        raw,
        m,
        sha256,
        today,
    )?)
}

/// Imports a checked children's sheet in one audited transaction, then,
/// with `remember_mapping`, saves its mapping under its name.
pub fn import_children(
    store: &mut Store,
    session: &Session,
    preview: &ImportPreview,
    skip_invalid: bool,
    remember_mapping: bool,
) -> Result<ImportOutcome> {
    county_work(store, session, Action::Import, "导入儿童名单")?;
    let done = table::import_children(store, &session.actor(), preview, skip_invalid);
    let done = session.checked(store, done)?;
    if remember_mapping {
        remember(store, session, &preview.mapping)?;
    }
    Ok(done)
}

/// Imports a checked guardians' sheet, then, with `remember_mapping`,
/// saves its mapping.
pub fn import_persons(
    store: &mut Store,
    session: &Session,
    preview: &PersonsPreview,
    skip_invalid: bool,
    remember_mapping: bool,
) -> Result<PersonsOutcome> {
    county_work(store, session, Action::Import, "导入亲属名单")?;
    let done = persons::import_persons(store, &session.actor(), preview, skip_invalid);
    let done = session.checked(store, done)?;
    if remember_mapping {
        remember(store, session, &preview.mapping)?;
    }
    Ok(done)
}

/// 数据比对, step one: matches the sheet against the county's children
/// (nothing written). `save_comparison` keeps the result.
pub fn compare(
    store: &mut Store,
    session: &Session,
    source: Source,
    raw: &RawTable,
    m: &Mapping,
    sha256: &str,
    today: NaiveDate,
) -> Result<Comparison> {
    county_work(store, session, Action::Compare, "全县数据比对")?;
    Ok(compare::run(store.conn(), source, raw, m, sha256, today)?)
}

/// Keeps a comparison (audited) and remembers the mapping it used, if
/// one is given.
pub fn save_comparison(
    store: &mut Store,
    session: &Session,
    cmp: &Comparison,
    m: Option<&Mapping>,
) -> Result<()> {
    county_work(store, session, Action::Compare, "全县数据比对")?;
    let saved = compare::save(store, &session.actor(), cmp);
    session.checked(store, saved)?;
    match m {
        Some(m) => remember(store, session, m),
        None => Ok(()),
    }
}

/// The comparisons kept, newest first.
pub fn comparisons(store: &mut Store, session: &Session) -> Result<Vec<ComparisonSummary>> {
    county_work(store, session, Action::Compare, "全县数据比对")?;
    Ok(compare::list(store.conn())?)
}

/// The rows of a kept comparison, all or one group.
pub fn comparison_rows(
    store: &mut Store,
    session: &Session,
    id: RowId,
    group: Option<Group>,
) -> Result<Vec<StoredRow>> {
    county_work(store, session, Action::Compare, "全县数据比对")?;
    Ok(compare::load_rows(store.conn(), id, group)?)
}

/// Accepts or rejects the other department's value of one field of one
/// row (audited with its source).
pub fn decide(
    store: &mut Store,
    session: &Session,
    row: RowId,
    field: table::Field,
    accept: bool,
    note: Option<&str>,
) -> Result<Decision> {
    county_work(store, session, Action::Compare, "全县数据比对")?;
    let decided = compare::decide(store, &session.actor(), row, field, accept, note);
    session.checked(store, decided)
}

/// 数据比对 of a file in one call (the CLI's): read it with the mapping
/// named (or the source's own), match, and keep the result.
pub fn compare_file(
    store: &mut Store,
    session: &Session,
    path: &Path,
    source: Source,
    mapping_name: Option<&str>,
    today: NaiveDate,
) -> Result<Comparison> {
    county_work(store, session, Action::Compare, "全县数据比对")?;
    let done = compare::compare_file(store, &session.actor(), path, source, mapping_name, today);
    session.checked(store, done)
}

/// Writes a comparison's result as XLSX (ID numbers masked) to `out`,
/// owner-only, and audits the export with the file's SHA-256. Returns the
/// bytes written.
pub fn export_comparison(
    store: &mut Store,
    session: &Session,
    cmp: &Comparison,
    out: &Path,
) -> Result<u64> {
    use hutong_core::audit::{AuditAction, AuditEntryInput};
    use sha2::{Digest, Sha256};
    county_work(store, session, Action::Compare, "全县数据比对")?;
    let bytes = compare::to_xlsx(cmp)?;
    hutong_core::files::write_atomic(out, &bytes)?;
    let sha = hex::encode(Sha256::digest(&bytes));
    let written = store.write(&session.actor(), |tx| {
        tx.audit(
            AuditEntryInput::new(
                AuditAction::CompareExport,
                "comparisons",
                Some(cmp.id.to_string()),
            )
            .reason("数据比对结果导出")
            .detail(serde_json::json!({
                "file": out.display().to_string(),
                "sha256": sha,
                "ids": "masked",
            })),
        )
    });
    session.checked(store, written)?;
    Ok(bytes.len() as u64)
}

/// Exports a list (the 儿童档案 list within the scope, or a division of
/// it) as XLSX or CSV with its purpose audited. Full ID numbers need
/// `ExportFullIds` and a passphrase (the file is then an AES-256 ZIP);
/// masked lists need `ExportMasked`.
pub fn export_list(
    store: &mut Store,
    session: &Session,
    req: &table::ExportRequest,
    path: &Path,
    passphrase: Option<&str>,
) -> Result<table::ExportOutcome> {
    let action = if req.full_ids {
        Action::ExportFullIds
    } else {
        Action::ExportMasked
    };
    session.require(store, action)?;
    session.narrowed(store, req.division.as_deref())?;
    let done = table::export_list(store, &session.actor(), req, path, passphrase);
    session.checked(store, done)
}

/// The county's whole record (`hutong export`): every file with full ID
/// numbers, for moving a county to another workstation. `ExportFullIds`
/// over the whole county; the caller seals it with a passphrase.
pub fn export_county(
    store: &mut Store,
    session: &Session,
    purpose: &str,
) -> Result<hutong_core::exchange::Bundle> {
    county_work(store, session, Action::ExportFullIds, "导出全县档案")?;
    let done = hutong_core::exchange::export(store, &session.actor(), purpose);
    session.checked(store, done)
}

/// Imports a county bundle (`hutong import`) into this county's database.
pub fn import_county(
    store: &mut Store,
    session: &Session,
    bundle: &hutong_core::exchange::Bundle,
    file_hash: &str,
) -> Result<hutong_core::exchange::ImportReport> {
    county_work(store, session, Action::Import, "导入全县档案")?;
    let done = hutong_core::exchange::import(store, &session.actor(), bundle, file_hash);
    session.checked(store, done)
}
