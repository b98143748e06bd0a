//! Any bytes as a workbook (XLSX/XLS/ODS via calamine), then validation.
//! Seed the corpus with real .xlsx files for useful coverage.
#![no_main]

mod common;

use hutong_core::table::{mapping, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::let_guarded_parser_panics_unwind();
    common::exercise(read::read_workbook_bytes(
        data,
        "fuzz.xlsx",
        &mapping::is_known_header,
    ));
});
