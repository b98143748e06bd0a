//! Core case categories and parental situations (DOMAIN §1.7 and §1.5).
//!
//! This module owns the national vocabulary a child's file is tagged with:
//! the ten case categories and the ten parental situations used by the
//! 事实无人抚养儿童 rules, with their stable storage codes, Chinese and
//! English labels, and the facts that do not vary by province (age limits,
//! which situations need a 6-month duration). Which combinations qualify,
//! and which category is "primary", are provincial and live in plug-ins.
//!
//! Serde uses the storage codes (e.g. `"ORPHAN_SCATTERED"`), the same
//! strings as `code()`, so stored data and wire formats stay readable.

/// How long a restriction of liberty (a sentence, compulsory rehabilitation,
/// another restriction) or a 失联 counted from 公安's acceptance must last
/// before a parent counts as unable to raise the child (DOMAIN §1.5).
pub const SITUATION_MIN_MONTHS: u32 = 6;

/// A case category. One child may hold several at once.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaseCategory {
    /// 散居孤儿
    OrphanScattered,
    /// 集中养育孤儿
    OrphanInstitutional,
    /// 事实无人抚养儿童
    DeFactoUnsupported,
    /// 家庭困境儿童
    DifficultFamily,
    /// 自身困境儿童
    DifficultSelf,
    /// 安全困境儿童
    DifficultSafety,
    /// 临时困境儿童
    DifficultTemporary,
    /// 农村留守儿童
    LeftBehindRural,
    /// 流动儿童
    Migrant,
    /// 艾滋病病毒感染儿童
    HivAffected,
}

impl CaseCategory {
    pub const ALL: [CaseCategory; 10] = [
        CaseCategory::OrphanScattered,
        CaseCategory::OrphanInstitutional,
        CaseCategory::DeFactoUnsupported,
        CaseCategory::DifficultFamily,
        CaseCategory::DifficultSelf,
        CaseCategory::DifficultSafety,
        CaseCategory::DifficultTemporary,
        CaseCategory::LeftBehindRural,
        CaseCategory::Migrant,
        CaseCategory::HivAffected,
    ];

    /// Storage code, exactly as in DOMAIN §1.7.
    pub fn code(self) -> &'static str {
        match self {
            CaseCategory::OrphanScattered => "ORPHAN_SCATTERED",
            CaseCategory::OrphanInstitutional => "ORPHAN_INSTITUTIONAL",
            CaseCategory::DeFactoUnsupported => "DE_FACTO_UNSUPPORTED",
            CaseCategory::DifficultFamily => "DIFFICULT_FAMILY",
            CaseCategory::DifficultSelf => "DIFFICULT_SELF",
            CaseCategory::DifficultSafety => "DIFFICULT_SAFETY",
            CaseCategory::DifficultTemporary => "DIFFICULT_TEMPORARY",
            CaseCategory::LeftBehindRural => "LEFT_BEHIND_RURAL",
            CaseCategory::Migrant => "MIGRANT",
            CaseCategory::HivAffected => "HIV_AFFECTED",
        }
    }

    /// Inverse of [`CaseCategory::code`]; exact match only.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            CaseCategory::OrphanScattered => "散居孤儿",
            CaseCategory::OrphanInstitutional => "集中养育孤儿",
            CaseCategory::DeFactoUnsupported => "事实无人抚养儿童",
            CaseCategory::DifficultFamily => "家庭困境儿童",
            CaseCategory::DifficultSelf => "自身困境儿童",
            CaseCategory::DifficultSafety => "安全困境儿童",
            CaseCategory::DifficultTemporary => "临时困境儿童",
            CaseCategory::LeftBehindRural => "农村留守儿童",
            CaseCategory::Migrant => "流动儿童",
            CaseCategory::HivAffected => "艾滋病病毒感染儿童",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CaseCategory::OrphanScattered => "Orphan in kinship or foster care",
            CaseCategory::OrphanInstitutional => "Orphan in institutional care",
            CaseCategory::DeFactoUnsupported => "De facto unsupported child",
            CaseCategory::DifficultFamily => "Child in family hardship",
            CaseCategory::DifficultSelf => "Child with serious illness or disability",
            CaseCategory::DifficultSafety => "Child at safety risk",
            CaseCategory::DifficultTemporary => "Child in temporary hardship",
            CaseCategory::LeftBehindRural => "Rural left-behind child",
            CaseCategory::Migrant => "Migrant child",
            CaseCategory::HivAffected => "Child living with HIV",
        }
    }

    /// The category applies while the child is younger than this many full
    /// years: 16 for 留守 (国发〔2016〕13号) and 流动 (2024 方案), 18 otherwise.
    pub fn age_limit(self) -> u32 {
        match self {
            CaseCategory::LeftBehindRural | CaseCategory::Migrant => 16,
            _ => 18,
        }
    }
}

/// A parent's situation, as used by the 事实无人抚养儿童 rules (DOMAIN §1.5).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParentalSituation {
    /// 重残
    SevereDisability,
    /// 重病
    SevereIllness,
    /// 服刑在押
    Imprisoned,
    /// 强制隔离戒毒
    CompulsoryRehab,
    /// 被执行其他限制人身自由的措施
    OtherRestriction,
    /// 失联
    LostContact,
    /// 被撤销监护资格
    GuardianshipRevoked,
    /// 被遣送（驱逐）出境
    Deported,
    /// 死亡
    Dead,
    /// 失踪 (declared by a court)
    MissingDeclared,
}

impl ParentalSituation {
    pub const ALL: [Self; 10] = [
        Self::SevereDisability,
        Self::SevereIllness,
        Self::Imprisoned,
        Self::CompulsoryRehab,
        Self::OtherRestriction,
        Self::LostContact,
        Self::GuardianshipRevoked,
        Self::Deported,
        Self::Dead,
        Self::MissingDeclared,
    ];

    /// The six situations of the 2019 core rule (民发〔2019〕62号).
    pub const CORE_SIX: [Self; 6] = [
        Self::SevereDisability,
        Self::SevereIllness,
        Self::Imprisoned,
        Self::CompulsoryRehab,
        Self::OtherRestriction,
        Self::LostContact,
    ];

    /// Storage code, exactly as in DOMAIN §1.5.
    pub fn code(self) -> &'static str {
        match self {
            Self::SevereDisability => "SEVERE_DISABILITY",
            Self::SevereIllness => "SEVERE_ILLNESS",
            Self::Imprisoned => "IMPRISONED",
            Self::CompulsoryRehab => "COMPULSORY_REHAB",
            Self::OtherRestriction => "OTHER_RESTRICTION",
            Self::LostContact => "LOST_CONTACT",
            Self::GuardianshipRevoked => "GUARDIANSHIP_REVOKED",
            Self::Deported => "DEPORTED",
            Self::Dead => "DEAD",
            Self::MissingDeclared => "MISSING_DECLARED",
        }
    }

    /// Inverse of [`ParentalSituation::code`]; exact match only.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SevereDisability => "重残",
            Self::SevereIllness => "重病",
            Self::Imprisoned => "服刑在押",
            Self::CompulsoryRehab => "强制隔离戒毒",
            Self::OtherRestriction => "被执行其他限制人身自由的措施",
            Self::LostContact => "失联",
            Self::GuardianshipRevoked => "被撤销监护资格",
            Self::Deported => "被遣送（驱逐）出境",
            Self::Dead => "死亡",
            Self::MissingDeclared => "失踪",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::SevereDisability => "Severe disability",
            Self::SevereIllness => "Severe illness",
            Self::Imprisoned => "Imprisoned",
            Self::CompulsoryRehab => "Compulsory drug rehabilitation",
            Self::OtherRestriction => "Other restriction of personal liberty",
            Self::LostContact => "Lost contact",
            Self::GuardianshipRevoked => "Guardianship revoked",
            Self::Deported => "Deported",
            Self::Dead => "Dead",
            Self::MissingDeclared => "Declared missing",
        }
    }

    /// Situations that count only after lasting 6 months or more (sentence
    /// term, rehabilitation, other restriction, or time since 公安 accepted
    /// the missing-contact report).
    pub fn needs_six_months(self) -> bool {
        matches!(
            self,
            Self::Imprisoned | Self::CompulsoryRehab | Self::OtherRestriction | Self::LostContact
        )
    }

    /// The day a situation that began on `since` first counts: six months
    /// on for those that must last ([`needs_six_months`](Self::needs_six_months)),
    /// at once for the others. The one place the 6-month threshold is
    /// written: the plugins' rules (through the SDK) and the host's life
    /// events both ask here.
    pub fn counts_from(self, since: crate::NaiveDate) -> crate::NaiveDate {
        if self.needs_six_months() {
            crate::dates::add_months(since, SITUATION_MIN_MONTHS)
        } else {
            since
        }
    }

    /// 死亡 or 失踪: the "one parent" side of rule B in DOMAIN §1.5.
    pub fn is_dead_or_missing(self) -> bool {
        matches!(self, Self::Dead | Self::MissingDeclared)
    }

    /// One of the six situations of the 2019 core rule.
    pub fn is_core_six(self) -> bool {
        Self::CORE_SIX.contains(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_situation_that_must_last_counts_six_months_on_and_the_others_at_once() {
        let since = crate::NaiveDate::from_ymd_opt(2023, 8, 31).unwrap();
        let six_on = crate::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(ParentalSituation::Imprisoned.counts_from(since), six_on);
        assert_eq!(ParentalSituation::LostContact.counts_from(since), six_on);
        assert_eq!(ParentalSituation::Dead.counts_from(since), since);
        assert_eq!(
            ParentalSituation::SevereDisability.counts_from(since),
            since
        );
    }
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer};
    use std::collections::HashSet;

    fn de<'a, T: Deserialize<'a>>(s: &'a str) -> Result<T, DeError> {
        let d: StrDeserializer<'a, DeError> = s.into_deserializer();
        T::deserialize(d)
    }

    #[test]
    fn category_codes_round_trip() {
        let mut seen = HashSet::new();
        for c in CaseCategory::ALL {
            assert_eq!(CaseCategory::from_code(c.code()), Some(c));
            assert_eq!(de::<CaseCategory>(c.code()), Ok(c), "serde uses code");
            assert!(seen.insert(c.code()));
            assert!(!c.label_zh().is_empty() && !c.label_en().is_empty());
        }
        assert_eq!(CaseCategory::from_code("orphan_scattered"), None);
        assert!(de::<CaseCategory>("OrphanScattered").is_err());
        assert_eq!(
            CaseCategory::DeFactoUnsupported.code(),
            "DE_FACTO_UNSUPPORTED"
        );
        assert_eq!(CaseCategory::HivAffected.label_zh(), "艾滋病病毒感染儿童");
    }

    #[test]
    fn age_limits() {
        assert_eq!(CaseCategory::LeftBehindRural.age_limit(), 16);
        assert_eq!(CaseCategory::Migrant.age_limit(), 16);
        assert_eq!(CaseCategory::DeFactoUnsupported.age_limit(), 18);
        assert_eq!(CaseCategory::OrphanScattered.age_limit(), 18);
    }

    #[test]
    fn situation_codes_round_trip() {
        let mut seen = HashSet::new();
        for p in ParentalSituation::ALL {
            assert_eq!(ParentalSituation::from_code(p.code()), Some(p));
            assert_eq!(de::<ParentalSituation>(p.code()), Ok(p), "serde uses code");
            assert!(seen.insert(p.code()));
        }
        assert_eq!(ParentalSituation::from_code("DEAD "), None);
        assert_eq!(
            ParentalSituation::OtherRestriction.label_zh(),
            "被执行其他限制人身自由的措施"
        );
    }

    #[test]
    fn situation_properties() {
        let six_months: Vec<_> = ParentalSituation::ALL
            .into_iter()
            .filter(|p| p.needs_six_months())
            .collect();
        assert_eq!(
            six_months,
            vec![
                ParentalSituation::Imprisoned,
                ParentalSituation::CompulsoryRehab,
                ParentalSituation::OtherRestriction,
                ParentalSituation::LostContact,
            ]
        );
        let dm: Vec<_> = ParentalSituation::ALL
            .into_iter()
            .filter(|p| p.is_dead_or_missing())
            .collect();
        assert_eq!(
            dm,
            vec![ParentalSituation::Dead, ParentalSituation::MissingDeclared]
        );
        assert!(ParentalSituation::LostContact.is_core_six());
        assert!(!ParentalSituation::Deported.is_core_six());
        assert!(!ParentalSituation::Dead.is_core_six());
    }
}
