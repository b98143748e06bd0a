//! The administrative divisions (区划): reference data from the national
//! code list, not case data, so reading them needs a store but no
//! permission. The faces use these for pickers and names instead of SQL.

use crate::error::Result;
use hutong_core::Store;
use hutong_core::divisions::{self, Division};
use hutong_core::national::division::DivisionLevel;

/// One division by code.
pub fn get(store: &Store, code: &str) -> Result<Option<Division>> {
    Ok(divisions::get(store.conn(), code)?)
}

/// The divisions directly under `code` (a township's villages).
pub fn children(store: &Store, code: &str) -> Result<Vec<Division>> {
    Ok(divisions::children(store.conn(), code)?)
}

/// The divisions of `level` inside `scope` (a county's townships).
pub fn within(store: &Store, scope: &str, level: DivisionLevel) -> Result<Vec<Division>> {
    Ok(divisions::within(store.conn(), scope, level)?)
}

/// "河南省信阳市固始县…" for a code.
pub fn full_name(store: &Store, code: &str) -> Result<String> {
    Ok(divisions::full_name(store.conn(), code)?)
}
