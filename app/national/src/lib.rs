//! National (country-wide) child-welfare rules for Hutong, as pure functions.
//!
//! This crate owns the rules that are the same in every province: the
//! resident identity number (GB 11643-1999), administrative division codes
//! (GB/T 2260 and the 12-digit statistical codes), age and date arithmetic,
//! and the core case categories and parental situations. Province-specific
//! rules live in plug-ins and build on these.
//!
//! Everything here is deterministic: no I/O and no clock reads. Callers pass
//! "today" explicitly, so the same functions run natively, inside wasm32-wasip2
//! plug-ins, and in tests with fixed dates.

pub mod category;
pub mod dates;
pub mod division;
pub mod id_number;

pub use chrono::NaiveDate;
