//! Eligibility rules shared by province plugins (DOMAIN §1.4, §1.5).
//!
//! Provinces differ in *which* parental situations count toward
//! 事实无人抚养 (6 or 8 situations, placed differently), not in how a
//! situation is judged. So the judging lives here once, and each plugin
//! passes its own [`DeFactoConfig`].

use crate::bindings::hutong::province::types::*;
use hutong_national::NaiveDate;
use hutong_national::category::{CaseCategory, ParentalSituation};
use hutong_national::dates;

/// Which situations count, per DOMAIN §1.5's two configurable sets.
#[derive(Debug, Clone, Copy)]
pub struct DeFactoConfig {
    /// Both parents in any of these (rule A).
    pub both_parent: &'static [ParentalSituation],
    /// One parent dead or declared missing, the other in any of these (rule B).
    pub other_when_one_dead_or_missing: &'static [ParentalSituation],
    /// Legal citation printed with the finding.
    pub citation: &'static str,
}

use ParentalSituation::*;

/// The 2019 national rule (民发〔2019〕62号): six situations in both lists.
pub const SIX_SITUATIONS: DeFactoConfig = DeFactoConfig {
    both_parent: &[
        SevereDisability,
        SevereIllness,
        Imprisoned,
        CompulsoryRehab,
        OtherRestriction,
        LostContact,
    ],
    other_when_one_dead_or_missing: &[
        SevereDisability,
        SevereIllness,
        Imprisoned,
        CompulsoryRehab,
        OtherRestriction,
        LostContact,
    ],
    citation: "民发〔2019〕62号",
};

/// The extended rule many provinces adopted after 2020: 被撤销监护资格 and
/// 被遣送（驱逐）出境 added to both lists (Heilongjiang 2024 style).
pub const EIGHT_SITUATIONS: DeFactoConfig = DeFactoConfig {
    both_parent: &[
        SevereDisability,
        SevereIllness,
        Imprisoned,
        CompulsoryRehab,
        OtherRestriction,
        LostContact,
        GuardianshipRevoked,
        Deported,
    ],
    other_when_one_dead_or_missing: &[
        SevereDisability,
        SevereIllness,
        Imprisoned,
        CompulsoryRehab,
        OtherRestriction,
        LostContact,
        GuardianshipRevoked,
        Deported,
    ],
    citation: "民发〔2019〕62号及省级扩展（8种情形）",
};

/// How one parent's recorded situation is judged on a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judged {
    /// The situation holds and meets its thresholds.
    Holds(ParentalSituation),
    /// Recorded, but below a threshold (e.g. a 4-month sentence); the reason says why.
    Below(ParentalSituation, String),
    /// Recorded, but a date the rule needs is missing.
    NeedsEvidence(ParentalSituation, String),
    /// No situation recorded.
    None,
}

fn date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref().and_then(dates::parse_flexible)
}

/// Judges a parent's situation on `today` (DOMAIN §1.5 definitions):
/// - 服刑在押 / 强制隔离戒毒 / 其他限制人身自由: the term (since → until) must be
///   6 months or more; with no end date, 6 months must have passed;
/// - 失联: 6 months counted from the day 公安 accepted the report;
/// - 重残: grade 1–2 of any type, or grade 3–4 精神/智力 disability.
pub fn judge(rel: &RelationSnapshot, today: NaiveDate) -> Judged {
    let Some(sit) = ParentalSituation::from_code(&rel.situation) else {
        return Judged::None;
    };
    let since = date(&rel.situation_since);
    let until = date(&rel.situation_until);
    match sit {
        Imprisoned | CompulsoryRehab | OtherRestriction => {
            let Some(since) = since else {
                return Judged::NeedsEvidence(sit, format!("{}缺少起始日期", sit.label_zh()));
            };
            match until {
                Some(until) if until < sit.counts_from(since) => Judged::Below(
                    sit,
                    format!("{}期限不足6个月（{} 至 {}）", sit.label_zh(), since, until),
                ),
                Some(until) if until <= today => Judged::Below(
                    sit,
                    format!("{}已于{}结束", sit.label_zh(), dates::format_zh(until)),
                ),
                Some(_) => Judged::Holds(sit),
                None if sit.counts_from(since) <= today => Judged::Holds(sit),
                None => Judged::NeedsEvidence(
                    sit,
                    format!("{}未满6个月且无刑期/期限证明", sit.label_zh()),
                ),
            }
        }
        LostContact => match since {
            None => Judged::NeedsEvidence(sit, "失联缺少公安受理日期".into()),
            Some(since) if sit.counts_from(since) <= today => Judged::Holds(sit),
            Some(since) => Judged::Below(
                sit,
                format!(
                    "失联自公安受理（{}）起未满6个月，{}满6个月",
                    dates::format_zh(since),
                    dates::format_zh(sit.counts_from(since))
                ),
            ),
        },
        SevereDisability => {
            let mental =
                rel.disability_type.contains("精神") || rel.disability_type.contains("智力");
            match rel.disability_grade {
                Some(1 | 2) => Judged::Holds(sit),
                Some(3 | 4) if mental => Judged::Holds(sit),
                Some(g) => Judged::Below(sit, format!("{}{}级不属于重残", rel.disability_type, g)),
                None => Judged::NeedsEvidence(sit, "重残缺少残疾等级".into()),
            }
        }
        _ => Judged::Holds(sit),
    }
}

fn parent<'a>(child: &'a ChildSnapshot, relation: &str) -> Option<&'a RelationSnapshot> {
    child.relations.iter().find(|r| r.relation == relation)
}

fn finding(
    category: CaseCategory,
    status: FindingStatus,
    reasons: Vec<String>,
    citation: &str,
    until: Option<NaiveDate>,
) -> Finding {
    Finding {
        category: category.code().into(),
        status,
        reasons,
        citation: citation.into(),
        effective_from: None,
        effective_until: until.map(|d| d.to_string()),
    }
}

fn is_dead_or_missing(j: &Judged) -> bool {
    matches!(j, Judged::Holds(Dead | MissingDeclared))
}

/// 事实无人抚养儿童 under a province's configuration.
pub fn de_facto_unsupported(
    child: &ChildSnapshot,
    today: NaiveDate,
    config: &DeFactoConfig,
) -> Finding {
    let cat = CaseCategory::DeFactoUnsupported;
    let Some(birth) = dates::parse_flexible(&child.birth_date) else {
        return finding(
            cat,
            FindingStatus::EvidenceMissing,
            vec!["缺少出生日期".into()],
            config.citation,
            None,
        );
    };
    let ends = dates::turns_18_on(birth);
    if today >= ends {
        return finding(
            cat,
            FindingStatus::NotEligible,
            vec![format!("已于{}年满18周岁", dates::format_zh(ends))],
            config.citation,
            Some(ends),
        );
    }
    let father = parent(child, "FATHER")
        .map(|r| judge(r, today))
        .unwrap_or(Judged::None);
    let mother = parent(child, "MOTHER")
        .map(|r| judge(r, today))
        .unwrap_or(Judged::None);
    let mut reasons = Vec::new();
    for (who, j) in [("父亲", &father), ("母亲", &mother)] {
        match j {
            Judged::Holds(s) => reasons.push(format!("{who}：{}", s.label_zh())),
            Judged::Below(_, why) | Judged::NeedsEvidence(_, why) => {
                reasons.push(format!("{who}：{why}"))
            }
            Judged::None => reasons.push(format!("{who}：无登记情形")),
        }
    }
    let counts =
        |j: &Judged, list: &[ParentalSituation]| matches!(j, Judged::Holds(s) if list.contains(s));
    // Both dead/missing is 孤儿, not 事实无人抚养.
    if is_dead_or_missing(&father) && is_dead_or_missing(&mother) {
        reasons.push("父母双方死亡或失踪，应认定为孤儿".into());
        return finding(
            cat,
            FindingStatus::NotEligible,
            reasons,
            config.citation,
            Some(ends),
        );
    }
    let rule_a = counts(&father, config.both_parent) && counts(&mother, config.both_parent);
    let rule_b = (is_dead_or_missing(&father)
        && counts(&mother, config.other_when_one_dead_or_missing))
        || (is_dead_or_missing(&mother) && counts(&father, config.other_when_one_dead_or_missing));
    if rule_a || rule_b {
        reasons.push(format!("至{}年满18周岁", dates::format_zh(ends)));
        return finding(
            cat,
            FindingStatus::Eligible,
            reasons,
            config.citation,
            Some(ends),
        );
    }
    let missing = [&father, &mother]
        .iter()
        .any(|j| matches!(j, Judged::NeedsEvidence(..)));
    let status = if missing {
        FindingStatus::EvidenceMissing
    } else {
        FindingStatus::NotEligible
    };
    finding(cat, status, reasons, config.citation, Some(ends))
}

/// 孤儿 (国办发〔2010〕54号): both parents dead, one dead and one declared
/// missing, or both declared missing; under 18.
pub fn orphan(child: &ChildSnapshot, today: NaiveDate) -> Finding {
    let cat = CaseCategory::OrphanScattered;
    let citation = "国办发〔2010〕54号";
    let Some(birth) = dates::parse_flexible(&child.birth_date) else {
        return finding(
            cat,
            FindingStatus::EvidenceMissing,
            vec!["缺少出生日期".into()],
            citation,
            None,
        );
    };
    let ends = dates::turns_18_on(birth);
    let father = parent(child, "FATHER")
        .map(|r| judge(r, today))
        .unwrap_or(Judged::None);
    let mother = parent(child, "MOTHER")
        .map(|r| judge(r, today))
        .unwrap_or(Judged::None);
    if today >= ends {
        return finding(
            cat,
            FindingStatus::NotEligible,
            vec![format!("已于{}年满18周岁", dates::format_zh(ends))],
            citation,
            Some(ends),
        );
    }
    if is_dead_or_missing(&father) && is_dead_or_missing(&mother) {
        return finding(
            cat,
            FindingStatus::Eligible,
            vec!["父母双方死亡或宣告失踪".into()],
            citation,
            Some(ends),
        );
    }
    finding(
        cat,
        FindingStatus::NotEligible,
        vec!["父母并非均已死亡或宣告失踪".into()],
        citation,
        Some(ends),
    )
}

/// What `classify` returns when the host's "today" cannot be read: one
/// evidence-missing finding per category, so no category silently vanishes.
pub fn unreadable_today(today: &str, categories: &[CaseCategory]) -> Vec<Finding> {
    categories
        .iter()
        .map(|c| Finding {
            category: c.code().into(),
            status: FindingStatus::EvidenceMissing,
            reasons: vec![format!("认定日期“{today}”无效")],
            citation: String::new(),
            effective_from: None,
            effective_until: None,
        })
        .collect()
}

/// The end date of an age-limited category (16 for 留守/流动, else 18).
pub fn category_end(child: &ChildSnapshot, category: CaseCategory) -> Option<NaiveDate> {
    dates::parse_flexible(&child.birth_date).map(|b| dates::anniversary(b, category.age_limit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(
        relation: &str,
        situation: ParentalSituation,
        since: &str,
        until: Option<&str>,
    ) -> RelationSnapshot {
        RelationSnapshot {
            relation: relation.into(),
            is_guardian: false,
            is_entrusted_carer: false,
            situation: situation.code().into(),
            situation_since: Some(since.into()),
            situation_until: until.map(str::to_string),
            disability_type: String::new(),
            disability_grade: None,
            entrustment_confirmed_on: None,
            occupation: String::new(),
        }
    }

    fn child(relations: Vec<RelationSnapshot>) -> ChildSnapshot {
        ChildSnapshot {
            id_number: "411525201304150124".into(),
            name: "张小雨".into(),
            name_alt: String::new(),
            sex: "F".into(),
            birth_date: "2013-04-15".into(),
            ethnicity: String::new(),
            hukou_division: String::new(),
            residence_division: String::new(),
            residence_name: String::new(),
            schooling: String::new(),
            health: String::new(),
            disability_type: String::new(),
            disability_grade: None,
            categories: vec![],
            relations,
            visits: vec![],
            forms: vec![],
        }
    }

    fn day(s: &str) -> NaiveDate {
        dates::parse_flexible(s).unwrap()
    }

    #[test]
    fn zhang_xiaoyu_is_eligible_once_the_mother_has_been_lost_for_six_months() {
        let c = child(vec![
            rel("FATHER", Imprisoned, "2022-03-01", Some("2030-03-01")),
            rel("MOTHER", LostContact, "2023-01-10", None),
        ]);
        assert_eq!(
            de_facto_unsupported(&c, day("2023-07-09"), &SIX_SITUATIONS).status,
            FindingStatus::NotEligible
        );
        let f = de_facto_unsupported(&c, day("2023-07-10"), &SIX_SITUATIONS);
        assert_eq!(f.status, FindingStatus::Eligible);
        assert_eq!(f.effective_until.as_deref(), Some("2031-04-15"));
    }

    #[test]
    fn a_four_month_sentence_is_below_the_threshold() {
        let c = child(vec![
            rel("FATHER", Imprisoned, "2024-01-01", Some("2024-05-01")),
            rel("MOTHER", LostContact, "2023-01-10", None),
        ]);
        let f = de_facto_unsupported(&c, day("2024-03-01"), &SIX_SITUATIONS);
        assert_eq!(f.status, FindingStatus::NotEligible);
        assert!(f.reasons.iter().any(|r| r.contains("不足6个月")));
    }

    #[test]
    fn grade_three_physical_disability_is_not_severe_but_mental_is() {
        let mut mother = rel("MOTHER", SevereDisability, "2020-01-01", None);
        mother.disability_type = "肢体残疾".into();
        mother.disability_grade = Some(3);
        let c = child(vec![
            rel("FATHER", Dead, "2019-09-01", None),
            mother.clone(),
        ]);
        assert_eq!(
            de_facto_unsupported(&c, day("2025-05-22"), &SIX_SITUATIONS).status,
            FindingStatus::NotEligible
        );
        mother.disability_type = "精神残疾".into();
        let c = child(vec![rel("FATHER", Dead, "2019-09-01", None), mother]);
        assert_eq!(
            de_facto_unsupported(&c, day("2025-05-22"), &SIX_SITUATIONS).status,
            FindingStatus::Eligible
        );
    }

    #[test]
    fn both_parents_dead_is_an_orphan_not_de_facto_unsupported() {
        let c = child(vec![
            rel("FATHER", Dead, "2020-06-03", None),
            rel("MOTHER", Dead, "2021-01-15", None),
        ]);
        assert_eq!(
            de_facto_unsupported(&c, day("2025-05-22"), &EIGHT_SITUATIONS).status,
            FindingStatus::NotEligible
        );
        assert_eq!(
            orphan(&c, day("2025-05-22")).status,
            FindingStatus::Eligible
        );
    }

    #[test]
    fn revoked_guardianship_counts_only_under_the_eight_situation_rule() {
        let c = child(vec![
            rel("FATHER", GuardianshipRevoked, "2022-01-01", None),
            rel("MOTHER", Dead, "2020-01-01", None),
        ]);
        assert_eq!(
            de_facto_unsupported(&c, day("2025-05-22"), &SIX_SITUATIONS).status,
            FindingStatus::NotEligible
        );
        assert_eq!(
            de_facto_unsupported(&c, day("2025-05-22"), &EIGHT_SITUATIONS).status,
            FindingStatus::Eligible
        );
    }

    #[test]
    fn eligibility_ends_on_the_eighteenth_birthday() {
        let mut c = child(vec![rel("FATHER", Dead, "2019-09-01", None), {
            let mut m = rel("MOTHER", SevereDisability, "2020-01-01", None);
            m.disability_type = "精神残疾".into();
            m.disability_grade = Some(3);
            m
        }]);
        c.birth_date = "2009-06-12".into();
        assert_eq!(
            de_facto_unsupported(&c, day("2027-06-11"), &SIX_SITUATIONS).status,
            FindingStatus::Eligible
        );
        let f = de_facto_unsupported(&c, day("2027-06-12"), &SIX_SITUATIONS);
        assert_eq!(f.status, FindingStatus::NotEligible);
        assert_eq!(f.effective_until.as_deref(), Some("2027-06-12"));
    }
}
