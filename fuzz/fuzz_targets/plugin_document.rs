//! Any bytes as a report document returned by a plugin: the host's
//! conversion (indices, shared nodes and cycles, depth, sizes, non-finite
//! numbers), then, for a document it accepts, the layout into a PDF. Any
//! outcome is fine except a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn fonts() -> &'static hutong_report::FontSet {
    static FONTS: OnceLock<hutong_report::FontSet> = OnceLock::new();
    FONTS.get_or_init(hutong_report::FontSet::bundled)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = hutong_plugin_host::fuzzing::document_from_bytes(data) {
        let _ = hutong_report::render(&doc, fonts());
    }
});
