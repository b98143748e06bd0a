//! End-to-end tests live in `tests/tests/*.rs`. They run the real `hutong`
//! binary against real SQLite files in temporary directories.
