//! 农村留守儿童 (国发〔2016〕13号), shared by province plugins: both parents
//! working away, or one away and the other without guardianship capacity,
//! under 16, rural. The definition is national; provinces only choose
//! whether to classify it, so it is written once here.

use crate::bindings::hutong::province::types::*;
use crate::display::relation_zh;
use crate::rules::{Judged, judge};
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use hutong_national::{dates, division};

/// Citation printed with the finding.
pub const CITATION: &str = "国发〔2016〕13号；《未成年人保护法》第二十三条";

/// Whether a parent works away from home. The core records this as the
/// occupation 务工 (DOMAIN §2.1 occupation list); "外出…" is accepted too
/// because counties type it that way.
pub fn is_away(rel: &RelationSnapshot) -> bool {
    rel.occupation == "务工" || rel.occupation.contains("外出")
}

fn parent<'a>(child: &'a ChildSnapshot, relation: &str) -> Option<&'a RelationSnapshot> {
    child.relations.iter().find(|r| r.relation == relation)
}

fn finding(status: FindingStatus, reasons: Vec<String>, until: Option<NaiveDate>) -> Finding {
    Finding {
        category: CaseCategory::LeftBehindRural.code().into(),
        status,
        reasons,
        citation: CITATION.into(),
        effective_from: None,
        effective_until: until.map(|d| d.to_string()),
    }
}

/// The 留守 finding on `today`.
pub fn left_behind_rural(child: &ChildSnapshot, today: NaiveDate) -> Finding {
    let Some(birth) = dates::parse_flexible(&child.birth_date) else {
        return finding(
            FindingStatus::EvidenceMissing,
            vec!["缺少出生日期，无法判断是否未满16周岁".into()],
            None,
        );
    };
    let ends = dates::turns_16_on(birth);
    if today >= ends {
        return finding(
            FindingStatus::NotEligible,
            vec![format!("已于{}年满16周岁", dates::format_zh(ends))],
            Some(ends),
        );
    }
    let rural = [&child.hukou_division, &child.residence_division]
        .iter()
        .map(|c| division::is_rural(c))
        .collect::<Vec<_>>();
    let mut reasons = Vec::new();
    if !rural.contains(&Some(true)) {
        if rural.contains(&Some(false)) {
            return finding(
                FindingStatus::NotEligible,
                vec!["户籍地和居住地均为城镇社区（居委会），不属于农村留守儿童".into()],
                Some(ends),
            );
        }
        reasons.push("未能从区划代码判断是否农村，请核实户籍地".into());
    }
    let father = parent(child, "FATHER");
    let mother = parent(child, "MOTHER");
    let away = |p: Option<&RelationSnapshot>| p.is_some_and(is_away);
    let state = |p: Option<&RelationSnapshot>| p.map(|r| judge(r, today)).unwrap_or(Judged::None);
    let status = match (away(father), away(mother)) {
        (true, true) => {
            reasons.push("父母双方外出务工".into());
            FindingStatus::Eligible
        }
        (true, false) | (false, true) => {
            let (away_who, other_who, other) = if away(father) {
                ("父亲", "母亲", state(mother))
            } else {
                ("母亲", "父亲", state(father))
            };
            match other {
                Judged::Holds(s) => {
                    reasons.push(format!(
                        "{away_who}外出务工，{other_who}{}，无监护能力",
                        s.label_zh()
                    ));
                    FindingStatus::Eligible
                }
                Judged::NeedsEvidence(_, why) => {
                    reasons.push(format!("{away_who}外出务工；{other_who}：{why}"));
                    FindingStatus::EvidenceMissing
                }
                Judged::Below(_, why) => {
                    reasons.push(format!("{away_who}外出务工；{other_who}：{why}，仍可监护"));
                    FindingStatus::NotEligible
                }
                Judged::None => {
                    reasons.push(format!("仅{away_who}外出务工，{other_who}在家监护"));
                    FindingStatus::NotEligible
                }
            }
        }
        (false, false) => {
            reasons.push("父母均未登记外出务工".into());
            FindingStatus::NotEligible
        }
    };
    if status == FindingStatus::Eligible {
        match child.relations.iter().find(|r| r.is_entrusted_carer) {
            Some(c) => reasons.push(
                match c
                    .entrustment_confirmed_on
                    .as_deref()
                    .and_then(dates::parse_flexible)
                {
                    Some(d) => format!(
                        "受委托照护人：{}，委托照护确认书签订于{}",
                        relation_zh(&c.relation),
                        dates::format_zh(d)
                    ),
                    None => format!(
                        "受委托照护人：{}，尚未登记委托照护确认书签订日期",
                        relation_zh(&c.relation)
                    ),
                },
            ),
            None => reasons
                .push("未登记受委托照护人（未保法第二十三条要求委托有照护能力的成年人）".into()),
        }
        reasons.push(format!("至{}年满16周岁", dates::format_zh(ends)));
    }
    finding(status, reasons, Some(ends))
}
