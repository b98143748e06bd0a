//! The seeded generator: names, dates, phone numbers and people with ID
//! numbers from the [`IdAllocator`].

use super::ids::IdAllocator;
use super::names::{GIVEN_BOY, GIVEN_GIRL, RARE, SURNAMES, TIBETAN, pick, weighted};
use crate::RowId;
use crate::error::{CoreError, Result};
use crate::persons::Person;
use hutong_national::NaiveDate;
use hutong_national::id_number::Sex;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(super) struct Generator {
    pub(super) rng: ChaCha8Rng,
    pub(super) ids: IdAllocator,
    pub(super) today: NaiveDate,
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

pub(super) fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

impl Generator {
    pub(super) fn new(rng: ChaCha8Rng, today: NaiveDate) -> Self {
        Generator {
            rng,
            ids: IdAllocator::default(),
            today,
        }
    }

    pub(super) fn sex(&mut self, male_share: f64) -> Sex {
        if self.rng.gen_bool(male_share) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// A name for a person of this ethnicity: 藏族 names are two Tibetan
    /// names without a surname; others a surname and one or two characters.
    pub(super) fn name_for(&mut self, sex: Sex, ethnicity: &str) -> String {
        if ethnicity == "藏族" {
            return format!(
                "{}{}",
                pick(&mut self.rng, TIBETAN),
                pick(&mut self.rng, TIBETAN)
            );
        }
        self.name(sex)
    }

    pub(super) fn name(&mut self, sex: Sex) -> String {
        let surname = *weighted(&mut self.rng, SURNAMES);
        let given = self.given(sex);
        format!("{surname}{given}")
    }

    /// One or two given-name characters, now and then a 生僻字.
    pub(super) fn given(&mut self, sex: Sex) -> String {
        let pool = match sex {
            Sex::Male => GIVEN_BOY,
            Sex::Female => GIVEN_GIRL,
        };
        let mut name = String::new();
        let len = if self.rng.gen_bool(0.7) { 2 } else { 1 };
        for i in 0..len {
            if i == len - 1 && self.rng.gen_bool(0.01) {
                name.push_str(pick(&mut self.rng, RARE));
            } else {
                name.push_str(pick(&mut self.rng, pool));
            }
        }
        name
    }

    /// An ID number for this address and sex, born on `birth` or the nearest
    /// later day with a free sequence.
    pub(super) fn id_number(
        &mut self,
        address: &str,
        birth: NaiveDate,
        sex: Sex,
    ) -> Result<(String, NaiveDate)> {
        self.ids
            .allocate_near(&mut self.rng, address, birth, sex)
            .ok_or_else(|| {
                CoreError::Internal(format!("无法为地址码 {address} 生成不重复的示例身份证号"))
            })
    }

    pub(super) fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1);
        from + days(self.rng.gen_range(0..span))
    }

    pub(super) fn phone(&mut self) -> String {
        let prefix = ["138", "139", "150", "151", "186", "187", "135", "177"];
        format!(
            "{}{:08}",
            prefix[self.rng.gen_range(0..prefix.len())],
            self.rng.gen_range(0..100_000_000u32)
        )
    }

    /// An adult born between two years, with an ID number from `address`.
    pub(super) fn adult(
        &mut self,
        name: String,
        sex: Sex,
        address: &str,
        born_from: i32,
        born_to: i32,
        now: &str,
    ) -> Result<Person> {
        let from = NaiveDate::from_ymd_opt(born_from, 1, 1).unwrap_or(self.today);
        let to = NaiveDate::from_ymd_opt(born_to, 12, 31).unwrap_or(self.today);
        let birth = self.date_between(from, to);
        let (id, birth) = self.id_number(address, birth, sex)?;
        let phone = self.phone();
        Ok(Person {
            id: RowId::new(),
            name,
            id_number: Some(id),
            sex: Some(sex),
            birth_date: Some(birth),
            phone: Some(phone),
            hukou_address: None,
            address: None,
            health: Some("健康".into()),
            disability_type: None,
            disability_grade: None,
            occupation: None,
            created_at: now.to_string(),
        })
    }
}
