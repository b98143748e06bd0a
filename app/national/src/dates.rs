//! Age and calendar arithmetic for eligibility rules.
//!
//! This module owns how Hutong counts ages (周岁, full years), birthdays,
//! month arithmetic for "6 months or more" thresholds and "from the next
//! month" benefit rules, and the Chinese date formats used in documents.
//! It is national because age limits (under 16 / under 18) and month-based
//! start/stop dates are set by national policy, and every plug-in must
//! count them the same way. No function reads the clock.
//!
//! Convention: a child's age increases **on** the birthday (a child born
//! 2009-06-12 is 18 on 2027-06-12). Criminal law counts "满 N 周岁" from the
//! day after the birthday; that convention is not used here.
//!
//! Arithmetic that would leave chrono's representable range saturates to
//! [`NaiveDate::MAX`] instead of panicking; real casework dates never get
//! near it.

use chrono::{Datelike, Months, NaiveDate};

/// Age in full years (周岁) on `on`. Zero if `on` is before `birth`.
///
/// Consistent with [`anniversary`]: a child born on 29 February turns a year
/// older on 1 March in common years.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < birth {
        return 0;
    }
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// The day the child turns `years` old.
///
/// For a 29 February birth in a common year this is **1 March**, not
/// 28 February. On 28 February the child has not yet reached the calendar
/// day of birth, so the full years are not complete; choosing 1 March also
/// means an age limit never cuts a benefit off a day early, and it matches
/// [`age_on`], which compares (month, day) pairs.
pub fn anniversary(birth: NaiveDate, years: u32) -> NaiveDate {
    let Some(year) = i32::try_from(years)
        .ok()
        .and_then(|y| birth.year().checked_add(y))
    else {
        return NaiveDate::MAX;
    };
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// The 16th birthday (age limit for 留守 and 流动儿童).
pub fn turns_16_on(birth: NaiveDate) -> NaiveDate {
    anniversary(birth, 16)
}

/// The 18th birthday (age limit for 孤儿, 事实无人抚养 and 困境儿童).
pub fn turns_18_on(birth: NaiveDate) -> NaiveDate {
    anniversary(birth, 18)
}

/// Adds calendar months, clamping to the end of the target month:
/// 2023-01-10 + 6 = 2023-07-10; 2023-08-31 + 6 = 2024-02-29.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// The first day of the month after `date` (benefits start or stop "from the
/// next month").
pub fn first_of_next_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1)
        .and_then(|d| d.checked_add_months(Months::new(1)))
        .unwrap_or(NaiveDate::MAX)
}

/// Whole months from `from` to `to`: the largest `n` with
/// `add_months(from, n) <= to`. So "6 months or more" is
/// `months_elapsed(from, to) >= 6`. If `to` is before `from` the result is
/// `-months_elapsed(to, from)`.
pub fn months_elapsed(from: NaiveDate, to: NaiveDate) -> i32 {
    if to < from {
        return -months_elapsed(to, from);
    }
    let mut n = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    // `add_months(from, n)` lands in `to`'s month; step back once if it is
    // past `to`. `n` is non-negative because `to >= from`.
    if let Ok(un) = u32::try_from(n)
        && add_months(from, un) > to
    {
        n -= 1;
    }
    n
}

/// `"2025年5月22日"` (no zero padding).
pub fn format_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// `"2025年5月"`.
pub fn format_zh_month(date: NaiveDate) -> String {
    format!("{}年{}月", date.year(), date.month())
}

/// Parses the date forms caseworkers type or paste: `2025-05-22`,
/// `2025/5/22`, `2025.5.22`, `20250522` and `2025年5月22日` (the final 日 may
/// be omitted). Surrounding whitespace is ignored; the year must have four
/// digits, month and day one or two. Returns `None` for anything else or for
/// an impossible date.
pub fn parse_flexible(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return ymd(s.get(..4)?, s.get(4..6)?, s.get(6..8)?);
    }
    if let Some((y, rest)) = s.split_once('年') {
        let (m, d) = rest.split_once('月')?;
        let d = d.strip_suffix('日').unwrap_or(d);
        return ymd(y, m, d);
    }
    for sep in ['-', '/', '.'] {
        let mut parts = s.split(sep);
        if let (Some(y), Some(m), Some(d), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        {
            return ymd(y, m, d);
        }
    }
    None
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let digits = |t: &str, min: usize, max: usize| {
        (min..=max).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn age_boundaries() {
        let birth = d(2009, 6, 12);
        assert_eq!(age_on(birth, d(2027, 6, 11)), 17);
        assert_eq!(age_on(birth, d(2027, 6, 12)), 18);
        assert_eq!(age_on(birth, d(2027, 12, 31)), 18);
        assert_eq!(age_on(birth, birth), 0);
        assert_eq!(age_on(birth, d(2000, 1, 1)), 0);
        assert_eq!(age_on(d(2013, 4, 15), d(2025, 5, 22)), 12);
    }

    #[test]
    fn turning_ages() {
        assert_eq!(turns_18_on(d(2009, 6, 12)), d(2027, 6, 12));
        assert_eq!(turns_16_on(d(2015, 8, 22)), d(2031, 8, 22));
    }

    #[test]
    fn leap_day_anniversary() {
        let birth = d(2008, 2, 29);
        assert_eq!(anniversary(birth, 1), d(2009, 3, 1));
        assert_eq!(anniversary(birth, 4), d(2012, 2, 29));
        assert_eq!(turns_18_on(birth), d(2026, 3, 1));
        assert_eq!(age_on(birth, d(2026, 2, 28)), 17);
        assert_eq!(age_on(birth, d(2026, 3, 1)), 18);
        assert_eq!(age_on(birth, d(2012, 2, 29)), 4);
        assert_eq!(anniversary(birth, u32::MAX), NaiveDate::MAX);
    }

    #[test]
    fn month_arithmetic() {
        assert_eq!(add_months(d(2023, 1, 10), 6), d(2023, 7, 10));
        assert_eq!(add_months(d(2023, 8, 31), 6), d(2024, 2, 29));
        assert_eq!(add_months(d(2023, 8, 31), 1), d(2023, 9, 30));
        assert_eq!(add_months(d(2023, 8, 31), 0), d(2023, 8, 31));
        assert_eq!(first_of_next_month(d(2027, 6, 12)), d(2027, 7, 1));
        assert_eq!(first_of_next_month(d(2024, 12, 31)), d(2025, 1, 1));
    }

    #[test]
    fn elapsed_months() {
        let from = d(2023, 1, 10);
        assert_eq!(months_elapsed(from, d(2023, 7, 9)), 5);
        assert_eq!(months_elapsed(from, d(2023, 7, 10)), 6);
        assert_eq!(months_elapsed(from, from), 0);
        assert_eq!(months_elapsed(d(2023, 8, 31), d(2024, 2, 29)), 6);
        assert_eq!(months_elapsed(d(2023, 8, 31), d(2024, 2, 28)), 5);
        assert_eq!(months_elapsed(d(2022, 3, 1), d(2025, 5, 22)), 38);
        assert_eq!(months_elapsed(d(2023, 7, 10), from), -6);
        for n in 0..30 {
            assert_eq!(
                months_elapsed(d(2023, 8, 31), add_months(d(2023, 8, 31), n)),
                n as i32
            );
        }
    }

    #[test]
    fn formatting() {
        assert_eq!(format_zh(d(2025, 5, 22)), "2025年5月22日");
        assert_eq!(format_zh(d(2025, 1, 2)), "2025年1月2日");
        assert_eq!(format_zh_month(d(2025, 5, 22)), "2025年5月");
    }

    #[test]
    fn flexible_parsing() {
        let want = Some(d(2025, 5, 22));
        for s in [
            "2025-05-22",
            "2025/5/22",
            "20250522",
            "2025.5.22",
            "2025年5月22日",
            "2025年05月22",
            " 2025-5-22 ",
        ] {
            assert_eq!(parse_flexible(s), want, "{s}");
        }
        for s in [
            "",
            "2025-02-30",
            "2025-5",
            "25-5-22",
            "2025-5/22",
            "2025-5-22-1",
            "2025年5月",
            "2025052",
            "abcd-ef-gh",
            "2025-+5-22",
        ] {
            assert_eq!(parse_flexible(s), None, "{s}");
        }
    }
}
