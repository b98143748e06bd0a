//! Shared by the importer targets: a county database in memory, set up once
//! per fuzzing process, so each input runs the whole import validation
//! (reader, mapping, row checks) against real divisions.

use hutong_core::table::{self, mapping};
use hutong_core::{Store, setup};
use std::cell::RefCell;
use std::path::Path;

thread_local! {
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 5, 22).unwrap_or_default()
}

/// Runs a table through the children and persons previews and the comparison; any
/// outcome is fine except a panic.
#[allow(dead_code)]
pub fn exercise(result: hutong_core::Result<table::RawTable>) {
    let Ok(t) = result else {
        return;
    };
    STORE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut store =
                Store::open_unencrypted(Path::new(":memory:")).expect("in-memory store");
            setup::initialise_county(&mut store, "fuzz", "411525").expect("county");
            *slot = Some(store);
        }
        let Some(store) = slot.as_ref() else {
            return;
        };
        let m = mapping::auto_map("fuzz", &t.headers);
        let _ = table::prepare_children(store.conn(), &t, &m, "", today());
        let pm = mapping::auto_map_persons("fuzz", &t.headers);
        let _ = table::persons::prepare_persons(store.conn(), &t, &pm, "", today());
        let _ = hutong_core::compare::run(
            store.conn(),
            hutong_core::compare::Source::StudentRegistry,
            &t,
            &m,
            "",
            today(),
        );
    });
}

/// Parses bytes as a JSON export bundle and validates every record against
/// the in-memory county, as an import does before writing; any outcome is
/// fine except a panic.
#[allow(dead_code)]
pub fn exercise_bundle(data: &[u8]) {
    let Ok(bundle) = hutong_core::exchange::parse_bundle(data, Path::new("fuzz.json")) else {
        return;
    };
    STORE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut store =
                Store::open_unencrypted(Path::new(":memory:")).expect("in-memory store");
            setup::initialise_county(&mut store, "fuzz", "411525").expect("county");
            *slot = Some(store);
        }
        if let Some(store) = slot.as_ref() {
            let _ = hutong_core::exchange::validate(store.conn(), &bundle, today());
        }
    });
}

/// Lets a panic raised inside a third-party parser unwind to the app's own
/// guard, as it does in the shipped program: `read_workbook_bytes` catches
/// it and reports the file as damaged (its test in app/core/tests/
/// hostile_input.rs). libFuzzer's hook aborts on every panic, caught or
/// not, so without this a known-contained calamine bug would fail CI while
/// the app reports the file and goes on.
///
/// Only panics located in a dependency's source (the cargo registry) are
/// let through, and each place is printed once. A panic in Hutong's own
/// code still aborts, and so does any panic that escapes the guard
/// (libfuzzer-sys aborts when a test input unwinds).
/// `FUZZ_STRICT=1` keeps libFuzzer's abort for these too, to hunt them.
#[allow(dead_code)]
pub fn let_guarded_parser_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("FUZZ_STRICT").is_some() {
            return;
        }
        let fuzzer_hook = std::panic::take_hook();
        let seen = std::sync::Mutex::new(std::collections::BTreeSet::<String>::new());
        std::panic::set_hook(Box::new(move |info| {
            let place = info
                .location()
                .filter(|l| l.file().contains("/registry/src/"))
                .map(|l| format!("{}:{}", l.file(), l.line()));
            match place {
                Some(place) => {
                    if seen.lock().is_ok_and(|mut s| s.insert(place.clone())) {
                        eprintln!("parser panic left to the app's guard: {place}: {info}");
                    }
                }
                None => fuzzer_hook(info),
            }
        }));
    });
}
