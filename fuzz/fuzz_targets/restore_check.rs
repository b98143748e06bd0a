//! Any bytes as a backup handed to restore: the checks a restore runs
//! before it touches the live file (header, page checks, schema, planted
//! triggers and views, the audit chain, the county). Inputs starting with
//! an even byte are whole files; the others are patches to a real backup of
//! a small county (offset, length, bytes, repeated), which reach the deeper
//! checks that random bytes never pass. Any outcome is fine except a panic,
//! and the live database must be unchanged.
#![no_main]

use hutong_core::{Actor, Database, Store, backup, restore, setup};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Fixture {
    database: Database,
    live: PathBuf,
    live_bytes: Vec<u8>,
    backup: Vec<u8>,
    candidate: PathBuf,
}

/// A county and a backup of it, made once per fuzzing process in a folder
/// of its own (the restore checks stage copies beside the database).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hutong-fuzz-restore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("fixture folder");
        let live = dir.join("county.db");
        let mut store = Store::open_unencrypted(&live).expect("county database");
        setup::initialise_county(&mut store, "fuzz", "411525").expect("county");
        let actor = Actor::system("fuzz", store.county_scope().expect("scope"));
        let backup_path = dir.join("backup.db");
        backup::backup_to(&mut store, &actor, &backup_path).expect("backup");
        let database = store.database();
        drop(store);
        Fixture {
            database,
            live_bytes: std::fs::read(&live).expect("live bytes"),
            live,
            backup: std::fs::read(&backup_path).expect("backup bytes"),
            candidate: dir.join("candidate.db"),
        }
    })
}

/// Applies `patches` to a copy of `base`: each patch is a 3-byte offset
/// (scaled to the file), a length and that many bytes.
fn patched(base: &[u8], mut patches: &[u8]) -> Vec<u8> {
    let mut out = base.to_vec();
    while patches.len() >= 4 && !out.is_empty() {
        let at = u32::from_le_bytes([patches[0], patches[1], patches[2], 0]) as usize % out.len();
        let len = usize::from(patches[3]).min(patches.len() - 4);
        for (i, b) in patches[4..4 + len].iter().enumerate() {
            if let Some(slot) = out.get_mut(at + i) {
                *slot = *b;
            }
        }
        patches = &patches[4 + len..];
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        patched(&f.backup, rest)
    };
    if std::fs::write(&f.candidate, &bytes).is_err() {
        return;
    }
    let _ = restore::preview(&f.database, &f.candidate);
    // A preview only reads: the live file is as it was.
    assert!(
        std::fs::read(&f.live).is_ok_and(|now| now == f.live_bytes),
        "restore's checks changed the live database"
    );
});
