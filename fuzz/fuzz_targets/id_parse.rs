//! Any text as an ID number: normalise, parse, mask, prefix check, and the
//! importer's cell converters.
#![no_main]

use hutong_core::national::id_number;
use hutong_core::table::{Cell, mapping};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let today = chrono::NaiveDate::from_ymd_opt(2025, 5, 22).unwrap_or_default();
    let n = id_number::normalize(s);
    if let Ok(p) = id_number::parse(s, today) {
        // A parsed number parses again to itself.
        assert_eq!(
            id_number::parse(&p.number, today).map(|q| q.number),
            Ok(p.number.clone())
        );
        assert_eq!(p.number.len(), 18);
    }
    let _ = id_number::mask(&n);
    let _ = id_number::is_plausible_prefix(s);
    let cell = Cell::Text(s.to_string());
    let _ = mapping::id_text(&cell);
    let _ = mapping::date(&cell);
    if let Ok(f) = s.trim().parse::<f64>() {
        let _ = mapping::id_text(&Cell::Number(f));
        let _ = mapping::date(&Cell::Number(f));
    }
});
