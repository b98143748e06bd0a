//! Resident identity numbers (居民身份证号, GB 11643-1999).
//!
//! This module owns normalisation, check-character computation (ISO 7064
//! MOD 11-2), parsing into address code / birth date / sex, conversion of
//! legacy 15-digit numbers, and display masking. It lives in the national
//! crate because the format is fixed by a national standard and every
//! province plug-in and screen must agree on what a valid number is.
//!
//! Two deliberate policies (DOMAIN §3.1):
//! - an address code missing from the current division list is a *warning*,
//!   never an error, because the code is frozen at issue time and may have
//!   been abolished since;
//! - "today" is passed in by the caller, so the future-birth-date check is
//!   reproducible and works without a clock.

use chrono::NaiveDate;
use std::fmt;

/// Sex as encoded by the parity of digit 17 (odd = male, even = female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// Storage code: `"M"` or `"F"`.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }

    /// Inverse of [`Sex::code`]; exact match only.
    pub fn from_code(s: &str) -> Option<Sex> {
        match s {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            _ => None,
        }
    }

    /// Chinese label: 男 / 女.
    pub fn label_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Sex::Male => "Male",
            Sex::Female => "Female",
        }
    }
}

/// A successfully parsed identity number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParsedId {
    /// Normalised 18-character number, check character upper-case `X`.
    pub number: String,
    /// Digits 1–6: county-level code at the time of issue.
    pub address_code: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    /// True when the input was a legacy 15-digit number.
    pub converted_from_15: bool,
}

/// Why an identity number was rejected. Messages are shown to caseworkers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("身份证号为空")]
    Empty,
    #[error("身份证号应为18位（或15位旧号），实际为{len}位")]
    WrongLength { len: usize },
    /// `position` is 1-based, counted in the normalised number.
    #[error("第{position}位字符“{ch}”无效")]
    InvalidCharacter { position: usize, ch: char },
    #[error("出生日期{text}不是有效日期")]
    InvalidBirthDate { text: String },
    #[error("出生日期{date}晚于今天")]
    BirthDateInFuture { date: NaiveDate },
    #[error("校验码错误：应为{expected}，实际为{found}")]
    BadChecksum { expected: char, found: char },
}

/// Non-fatal findings about a valid number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdWarning {
    UnknownAddressCode { code: String },
}

impl fmt::Display for IdWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdWarning::UnknownAddressCode { code } => {
                write!(f, "地址码{code}不在区划列表中（可能是已撤销的旧代码）")
            }
        }
    }
}

/// ISO 7064 MOD 11-2 weights for body positions 1–17.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character indexed by (weighted sum mod 11).
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Normalises typed or pasted input: trims, removes all whitespace (including
/// the full-width space), maps full-width digits and `ｘ`/`Ｘ` to ASCII, and
/// upper-cases `x`. Other characters are kept so that [`parse`] can report
/// them precisely.
pub fn normalize(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'x' | 'ｘ' | 'Ｘ' => 'X',
            other => other,
        })
        .collect()
}

/// Computes the check character for a 17-digit body (ISO 7064 MOD 11-2).
/// Returns `None` unless `body17` is exactly 17 ASCII digits.
pub fn check_char(body17: &str) -> Option<char> {
    if body17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in body17.chars().zip(WEIGHTS) {
        // `to_digit` accepts only ASCII '0'..='9' for radix 10.
        sum += c.to_digit(10)? * w;
    }
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

/// Parses an 18-digit number, or a legacy 15-digit one (converted by
/// inserting `19` before the two-digit year and computing the check
/// character). Checks, in order: length, characters, birth date is a real
/// date, birth date not after `today`, check character.
pub fn parse(input: &str, today: NaiveDate) -> Result<ParsedId, IdError> {
    let n = normalize(input);
    let chars: Vec<char> = n.chars().collect();
    if chars.is_empty() {
        return Err(IdError::Empty);
    }
    let converted_from_15 = match chars.len() {
        18 => false,
        15 => true,
        len => return Err(IdError::WrongLength { len }),
    };

    for (i, &ch) in chars.iter().enumerate() {
        let ok = ch.is_ascii_digit() || (ch == 'X' && !converted_from_15 && i == 17);
        if !ok {
            return Err(IdError::InvalidCharacter {
                position: i + 1,
                ch,
            });
        }
    }
    // From here on `n` is pure ASCII, so byte slicing is safe.
    let body17 = if converted_from_15 {
        format!("{}19{}", &n[..6], &n[6..15])
    } else {
        n[..17].to_string()
    };

    let date_text = &body17[6..14];
    let birth_date = parse_yyyymmdd(date_text).ok_or_else(|| IdError::InvalidBirthDate {
        text: date_text.to_string(),
    })?;
    if birth_date > today {
        return Err(IdError::BirthDateInFuture { date: birth_date });
    }

    // `body17` is 17 ASCII digits here, so this cannot fail; map the
    // impossible case to a character error rather than panicking.
    let expected = check_char(&body17).ok_or(IdError::InvalidCharacter {
        position: 1,
        ch: chars[0],
    })?;
    let number = if converted_from_15 {
        format!("{body17}{expected}")
    } else {
        let found = chars[17];
        if found != expected {
            return Err(IdError::BadChecksum { expected, found });
        }
        n.clone()
    };

    let sex = match body17.as_bytes()[16].wrapping_sub(b'0') % 2 {
        1 => Sex::Male,
        _ => Sex::Female,
    };

    Ok(ParsedId {
        address_code: body17[..6].to_string(),
        number,
        birth_date,
        sex,
        converted_from_15,
    })
}

/// [`parse`], then checks the address code with `county_known`. An unknown
/// code yields a warning, not an error (the code may have been abolished
/// after the number was issued).
pub fn validate(
    input: &str,
    today: NaiveDate,
    county_known: impl Fn(&str) -> bool,
) -> Result<(ParsedId, Vec<IdWarning>), IdError> {
    let parsed = parse(input, today)?;
    let mut warnings = Vec::new();
    if !county_known(&parsed.address_code) {
        warnings.push(IdWarning::UnknownAddressCode {
            code: parsed.address_code.clone(),
        });
    }
    Ok((parsed, warnings))
}

/// Masks an ID number for display: the first six characters (the place of
/// registration) and the check character stay, the birth date and the
/// sequence are hidden: `411525***********4`.
///
/// Why these: masked views show the birth date, the village and the sex
/// beside the number (SECURITY.md §5). The old mask (first 4, last 4) left
/// the sequence and check visible, so with the birth date beside it the
/// number was rebuilt at the first guess. Hiding the sequence leaves, for
/// a known place, birth date and sex, 500 sequences of which about one in
/// eleven matches the shown check character: some 45 equally possible
/// numbers (`tests/tests/masking.rs` measures it on the demo county).
/// Anything that is not an 18- or 15-character number is hidden whole
/// except its last character.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let len = chars.len();
    if len < 15 {
        return "*".repeat(len);
    }
    let mut out = String::with_capacity(len);
    out.extend(&chars[..6]);
    out.push_str(&"*".repeat(len - 7));
    out.push(chars[len - 1]);
    out
}

/// Masks a phone number: the first three and last four digits of a mobile
/// number stay (`138****5678`); shorter numbers keep only their last two.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let len = chars.len();
    if len >= 11 {
        let mut out: String = chars[..3].iter().collect();
        out.push_str(&"*".repeat(len - 7));
        out.extend(&chars[len - 4..]);
        out
    } else if len > 2 {
        let mut out = "*".repeat(len - 2);
        out.extend(&chars[len - 2..]);
        out
    } else {
        "*".repeat(len)
    }
}

/// For as-you-type validation: true if the (normalised) input could still
/// become a valid number — only ASCII digits, at most 18 characters, and an
/// `X` only as the 18th character. The empty string is a plausible prefix.
pub fn is_plausible_prefix(input: &str) -> bool {
    let n = normalize(input);
    let len = n.chars().count();
    len <= 18
        && n.chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (c == 'X' && i == 17))
}

/// Parses exactly 8 ASCII digits `YYYYMMDD` into a real calendar date.
fn parse_yyyymmdd(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    let month: u32 = s[4..6].parse().ok()?;
    let day: u32 = s[6..8].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn today() -> NaiveDate {
        d(2025, 5, 22)
    }

    #[test]
    fn domain_fixtures_parse() {
        let cases = [
            ("411525201304150124", Sex::Female, d(2013, 4, 15), "411525"),
            ("411525201508220251", Sex::Male, d(2015, 8, 22), "411525"),
            ("32090320110107031X", Sex::Male, d(2011, 1, 7), "320903"),
            ("540124201609300445", Sex::Female, d(2016, 9, 30), "540124"),
            ("630106201203030579", Sex::Male, d(2012, 3, 3), "630106"),
            ("411603200906120689", Sex::Female, d(2009, 6, 12), "411603"),
            ("410225201402280718", Sex::Male, d(2014, 2, 28), "410225"),
        ];
        for (id, sex, birth, addr) in cases {
            let p = parse(id, today()).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(p.number, id);
            assert_eq!(p.sex, sex, "{id}");
            assert_eq!(p.birth_date, birth, "{id}");
            assert_eq!(p.address_code, addr);
            assert!(!p.converted_from_15);
        }
    }

    #[test]
    fn standard_examples_validate() {
        for id in ["11010519491231002X", "440524188001010014"] {
            let (p, warnings) = validate(id, today(), |_| true).expect(id);
            assert_eq!(p.number, id);
            assert!(warnings.is_empty());
        }
        let (p, _) = validate("440524188001010014", today(), |_| true).expect("valid");
        assert_eq!(p.birth_date, d(1880, 1, 1));
        assert_eq!(p.sex, Sex::Male);
    }

    #[test]
    fn check_char_values() {
        assert_eq!(check_char("41152520130415012"), Some('4'));
        assert_eq!(check_char("32090320110107031"), Some('X'));
        assert_eq!(check_char("1101051949123100"), None);
        assert_eq!(check_char("3209032011010703A"), None);
        assert_eq!(check_char("３２０９０３２０１１０１０７０３"), None);
    }

    #[test]
    fn changed_last_char_is_bad_checksum() {
        assert_eq!(
            parse("411525201304150125", today()),
            Err(IdError::BadChecksum {
                expected: '4',
                found: '5'
            })
        );
        assert_eq!(
            IdError::BadChecksum {
                expected: '4',
                found: '5'
            }
            .to_string(),
            "校验码错误：应为4，实际为5"
        );
    }

    #[test]
    fn impossible_date_is_rejected_even_with_good_check_char() {
        let body = "41152520130230012";
        let check = check_char(body).expect("17 digits");
        let id = format!("{body}{check}");
        let err = parse(&id, today()).expect_err("20130230 is not a date");
        assert_eq!(
            err,
            IdError::InvalidBirthDate {
                text: "20130230".into()
            }
        );
        assert_eq!(err.to_string(), "出生日期20130230不是有效日期");
    }

    #[test]
    fn wrong_length_and_empty() {
        assert_eq!(
            parse("41152520130415012", today()),
            Err(IdError::WrongLength { len: 17 })
        );
        assert_eq!(
            parse("41152520130415012", today())
                .expect_err("17")
                .to_string(),
            "身份证号应为18位（或15位旧号），实际为17位"
        );
        assert_eq!(parse("   ", today()), Err(IdError::Empty));
        assert_eq!(IdError::Empty.to_string(), "身份证号为空");
    }

    #[test]
    fn letters_in_body_are_rejected() {
        assert_eq!(
            parse("4115A5201304150124", today()),
            Err(IdError::InvalidCharacter {
                position: 5,
                ch: 'A'
            })
        );
        // X is only allowed as the 18th character.
        assert_eq!(
            parse("3209032011010703X1", today()),
            Err(IdError::InvalidCharacter {
                position: 17,
                ch: 'X'
            })
        );
        assert_eq!(
            IdError::InvalidCharacter {
                position: 5,
                ch: 'A'
            }
            .to_string(),
            "第5位字符“A”无效"
        );
    }

    #[test]
    fn future_birth_date_is_rejected() {
        let body = "41152520300101012";
        let id = format!("{body}{}", check_char(body).expect("digits"));
        let err = parse(&id, today()).expect_err("future");
        assert_eq!(
            err,
            IdError::BirthDateInFuture {
                date: d(2030, 1, 1)
            }
        );
        assert_eq!(err.to_string(), "出生日期2030-01-01晚于今天");
        // Born today is fine.
        let body = "41152520250522012";
        let id = format!("{body}{}", check_char(body).expect("digits"));
        assert!(parse(&id, today()).is_ok());
    }

    #[test]
    fn lower_case_x_is_stored_upper_case() {
        let p = parse("32090320110107031x", today()).expect("valid");
        assert_eq!(p.number, "32090320110107031X");
    }

    #[test]
    fn full_width_input_is_normalised() {
        assert_eq!(
            normalize(" ４１１５２５ 2013 0415 012４ "),
            "411525201304150124"
        );
        let p = parse("３２０９０３２０１１０１０７０３１ｘ", today()).expect("valid");
        assert_eq!(p.number, "32090320110107031X");
        let p = parse("３２０９０３２０１１０１０７０３１Ｘ", today()).expect("valid");
        assert_eq!(p.sex, Sex::Male);
    }

    #[test]
    fn legacy_15_digit_converts() {
        let p = parse("110105491231002", today()).expect("valid legacy");
        assert_eq!(p.number, "11010519491231002X");
        assert!(p.converted_from_15);
        assert_eq!(p.birth_date, d(1949, 12, 31));
        assert_eq!(p.sex, Sex::Female);
        assert_eq!(
            parse("11010549123100X", today()),
            Err(IdError::InvalidCharacter {
                position: 15,
                ch: 'X'
            })
        );
        assert!(matches!(
            parse("110105490231002", today()),
            Err(IdError::InvalidBirthDate { .. })
        ));
    }

    #[test]
    fn unknown_address_code_is_a_warning() {
        let (p, warnings) =
            validate("411525201304150124", today(), |c| c == "411500").expect("still valid");
        assert_eq!(p.address_code, "411525");
        assert_eq!(
            warnings,
            vec![IdWarning::UnknownAddressCode {
                code: "411525".into()
            }]
        );
        assert_eq!(
            warnings[0].to_string(),
            "地址码411525不在区划列表中（可能是已撤销的旧代码）"
        );
        let (_, warnings) =
            validate("411525201304150124", today(), |c| c == "411525").expect("valid");
        assert!(warnings.is_empty());
        // Errors still come through validate.
        assert!(validate("411525201304150125", today(), |_| true).is_err());
    }

    #[test]
    fn masking() {
        assert_eq!(mask("411525201304150124"), "411525***********4");
        assert_eq!(mask("41152520130415012X"), "411525***********X");
        assert_eq!(mask("110105491231002"), "110105********2");
        assert_eq!(mask("12345678"), "********");
        assert_eq!(mask(""), "");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("0376-1234567"), "037*****4567");
        assert_eq!(mask_phone("12345"), "***45");
    }

    #[test]
    fn plausible_prefixes() {
        assert!(is_plausible_prefix(""));
        assert!(is_plausible_prefix("4115"));
        assert!(is_plausible_prefix("32090320110107031X"));
        assert!(is_plausible_prefix("32090320110107031x"));
        assert!(!is_plausible_prefix("4115X"));
        assert!(!is_plausible_prefix("41a"));
        assert!(!is_plausible_prefix("4115252013041501245"));
    }

    #[test]
    fn sex_codes() {
        for s in [Sex::Male, Sex::Female] {
            assert_eq!(Sex::from_code(s.code()), Some(s));
        }
        assert_eq!(Sex::from_code("X"), None);
        assert_eq!(Sex::Female.label_zh(), "女");
        assert_eq!(Sex::Male.label_en(), "Male");
    }
}
