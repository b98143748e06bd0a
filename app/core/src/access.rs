//! Division scopes: the part of the county a session may see and change.
//!
//! A [`Scope`] is a validated division code (county, township or village),
//! never empty and never free text. Only this crate makes one: from a
//! signed-in user's row (`users::authenticate`), or the county itself for
//! system jobs ([`crate::Store::county_scope`]). Callers cannot build a
//! scope from a string, so a screen or a command cannot widen its own view.
//!
//! Reads take `&Scope` and filter in SQL. Writes are checked by the store
//! itself: every write runs under its actor's scope, and temporary triggers
//! refuse any row outside it (see `store::scope_guard`).

use crate::error::{CoreError, Result};
use hutong_national::division::{self, DivisionLevel};
use serde::Serialize;

/// A division subtree: a county, a township or a village.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Scope {
    code: String,
}

impl Scope {
    /// Validates a division code as a scope. Only digits of a county,
    /// township or village length pass, so the code is safe inside a GLOB
    /// pattern and can never be empty (an empty scope would match all).
    pub(crate) fn parse(code: &str) -> Result<Scope> {
        match division::level_of(code) {
            Some(DivisionLevel::County | DivisionLevel::Township | DivisionLevel::Village) => {
                Ok(Scope {
                    code: code.to_string(),
                })
            }
            _ => Err(CoreError::field(
                "管辖范围",
                format!("“{code}”不是县、乡镇或村级区划代码"),
            )),
        }
    }

    /// The scope of no one: matches no division, so every read under it
    /// finds nothing and every write is refused. What a signed-out screen
    /// gets if it asks (deny by default), never a wider scope.
    pub fn nothing() -> Scope {
        Scope {
            code: String::new(),
        }
    }

    /// The division code (empty for [`Scope::nothing`]).
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn level(&self) -> DivisionLevel {
        // `parse` admitted only codes whose level is known.
        division::level_of(&self.code).unwrap_or(DivisionLevel::Village)
    }

    /// Whether a division lies inside this scope.
    pub fn contains(&self, division_code: &str) -> bool {
        !self.code.is_empty() && division::is_within(division_code, &self.code)
    }

    /// The GLOB pattern of the subtree (`4115251*`). The code is digits only,
    /// so nothing in it needs escaping; [`Scope::nothing`] gives a pattern
    /// no division code matches.
    pub fn glob(&self) -> String {
        if self.code.is_empty() {
            return "-".to_string();
        }
        format!("{}*", self.code)
    }

    /// The narrower of this scope and a division the user asked for: the
    /// division if it lies inside, else a refusal naming both.
    pub fn narrow_to(&self, division_code: &str) -> Result<Scope> {
        let wanted = Scope::parse(division_code)?;
        if self.contains(wanted.code()) {
            Ok(wanted)
        } else {
            Err(CoreError::OutOfScope {
                what: format!("区划 {division_code}"),
                scope: self.code.clone(),
                audited: false,
            })
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_county_township_and_village_codes_are_scopes() {
        assert!(Scope::parse("411525").is_ok());
        assert!(Scope::parse("411525102").is_ok());
        assert!(Scope::parse("411525102201").is_ok());
        for bad in ["", "41", "4115", "41152*", "411525' OR 1", "41152510220"] {
            assert!(Scope::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn nothing_matches_nothing() {
        let none = Scope::nothing();
        assert!(!none.contains("411525102201"));
        assert!(!none.contains(""));
        assert_eq!(none.glob(), "-");
        assert!(none.narrow_to("411525").is_err());
    }

    #[test]
    fn narrowing_stays_inside() {
        let township = Scope::parse("411525102").unwrap();
        assert_eq!(
            township.narrow_to("411525102201").unwrap().code(),
            "411525102201"
        );
        assert!(township.narrow_to("411525103201").is_err());
        assert!(township.narrow_to("411525").is_err());
        assert!(township.contains("411525102201"));
        assert!(!township.contains("411525103201"));
    }
}
