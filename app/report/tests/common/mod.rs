//! Shared test helpers: fixture documents and poppler wrappers.
pub mod fixtures;
pub mod poppler;
