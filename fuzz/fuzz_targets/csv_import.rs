//! Any bytes as a CSV file: decoding, header detection, row validation.
#![no_main]

mod common;

use hutong_core::table::{mapping, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::exercise(read::read_csv_bytes(
        data,
        "fuzz.csv",
        &mapping::is_known_header,
    ));
});
