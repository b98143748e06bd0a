//! 18-digit ID numbers that are unique by construction.
//!
//! An ID number is address (6) + birth date (8) + sequence (3) + check
//! character; the sequence's last digit is odd for a man and even for a
//! woman. So for one address, birth date and sex there are exactly 500
//! numbers. The allocator walks those 500 once, from a seeded starting
//! point, and skips numbers already taken (the DOMAIN §5 reference cases,
//! children and relatives already in the database). A number is therefore
//! never handed out twice, whatever the seed; when all 500 of a day are
//! used, the caller moves the birth date by a day.

use hutong_national::NaiveDate;
use hutong_national::id_number::{self, Sex};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};

/// Numbers per (address, birth date, sex): sequences 000–999 of one parity.
const PER_DAY: u16 = 500;

#[derive(Default)]
pub(super) struct IdAllocator {
    /// Numbers that exist outside this allocator (database, reference cases).
    taken: HashSet<String>,
    /// Per (address, birth date, sex): the seeded first slot and how many
    /// slots have been walked.
    cursors: HashMap<(String, NaiveDate, bool), (u16, u16)>,
}

impl IdAllocator {
    /// Marks a number as used elsewhere, so it is never allocated.
    pub(super) fn reserve(&mut self, id: &str) {
        self.taken.insert(id.to_ascii_uppercase());
    }

    /// The next free number for this address, birth date and sex, or `None`
    /// when all 500 are used.
    pub(super) fn allocate(
        &mut self,
        rng: &mut ChaCha8Rng,
        address: &str,
        birth: NaiveDate,
        sex: Sex,
    ) -> Option<String> {
        let male = sex == Sex::Male;
        let key = (address.to_string(), birth, male);
        let cursor = match self.cursors.get_mut(&key) {
            Some(c) => c,
            None => {
                let start = rng.gen_range(0..PER_DAY);
                self.cursors.entry(key).or_insert((start, 0))
            }
        };
        let date = birth.format("%Y%m%d");
        while cursor.1 < PER_DAY {
            let slot = (cursor.0 + cursor.1) % PER_DAY;
            cursor.1 += 1;
            let seq = slot * 2 + u16::from(male);
            let body = format!("{address}{date}{seq:03}");
            let Some(check) = id_number::check_char(&body) else {
                // Not 17 digits: the address is not a 6-digit code.
                return None;
            };
            let id = format!("{body}{check}");
            if !self.taken.contains(&id) {
                return Some(id);
            }
        }
        None
    }

    /// A number for this address and sex, born on `birth` or, when that day
    /// is full, on the nearest later day. Returns the number and the birth
    /// date it encodes.
    pub(super) fn allocate_near(
        &mut self,
        rng: &mut ChaCha8Rng,
        address: &str,
        birth: NaiveDate,
        sex: Sex,
    ) -> Option<(String, NaiveDate)> {
        // A year of full days is far beyond any county; the bound only keeps
        // a bad address from looping.
        for shift in 0..366 {
            let day = birth + chrono::Duration::days(shift);
            if let Some(id) = self.allocate(rng, address, day, sex) {
                return Some((id, day));
            }
            if address.len() != 6 || !address.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn one_day_yields_exactly_five_hundred_distinct_numbers_of_the_right_parity() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut ids = IdAllocator::default();
        let day = NaiveDate::from_ymd_opt(2015, 3, 1).unwrap_or_default();
        let body = "41152520150301001";
        let reserved = format!("{body}{}", id_number::check_char(body).unwrap_or('0'));
        ids.reserve(&reserved);
        let mut seen = HashSet::new();
        while let Some(id) = ids.allocate(&mut rng, "411525", day, Sex::Male) {
            let parsed = id_number::parse(&id, day).map_err(|e| e.to_string());
            assert_eq!(parsed.map(|p| p.sex), Ok(Sex::Male), "{id}");
            assert!(seen.insert(id));
        }
        // 500 male numbers, less the reserved one.
        assert_eq!(seen.len(), 499);
        assert!(!seen.contains(&reserved));
        let (id, moved) = ids
            .allocate_near(&mut rng, "411525", day, Sex::Male)
            .unwrap_or_default();
        assert_eq!(moved, day + chrono::Duration::days(1));
        assert!(id.starts_with("41152520150302"));
        assert!(ids.allocate(&mut rng, "411525", day, Sex::Female).is_some());
    }
}
