//! Any bytes as a JSON export bundle: the typed parse (size limit, nesting
//! limit, format checks) and the validation of every record.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::exercise_bundle(data);
});
