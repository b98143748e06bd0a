//! 流动儿童 monitoring definition and the 重点关爱服务对象 criteria, from the
//! national 《加强流动儿童关爱保护行动方案》 (民政部等21部门, 2024; DOMAIN
//! §1.6). Every province applies the same definition; the facts the child
//! file lacks (arrival date, central-district moves, priority reasons) come
//! from the province's own monitoring form, so the plugin passes them in.

use crate::bindings::hutong::province::types::*;
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use hutong_national::dates;

pub const CITATION: &str = "《加强流动儿童关爱保护行动方案》（民政部等21部门，2024）";

/// Why a 流动儿童 is a 重点关爱服务对象.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityReason {
    FamilyHardship,
    Disability,
    GuardianshipMissing,
    Vagrancy,
    PsychBehaviour,
}

impl PriorityReason {
    pub const ALL: [Self; 5] = [
        Self::FamilyHardship,
        Self::Disability,
        Self::GuardianshipMissing,
        Self::Vagrancy,
        Self::PsychBehaviour,
    ];
    /// Storage code used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::FamilyHardship => "FAMILY_HARDSHIP",
            Self::Disability => "DISABILITY",
            Self::GuardianshipMissing => "GUARDIANSHIP_MISSING",
            Self::Vagrancy => "VAGRANCY",
            Self::PsychBehaviour => "PSYCH_BEHAVIOUR",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::FamilyHardship => "家庭经济困难",
            Self::Disability => "残疾",
            Self::GuardianshipMissing => "监护缺失",
            Self::Vagrancy => "流浪",
            Self::PsychBehaviour => "心理行为异常",
        }
    }
}

/// Facts from the province's monitoring form.
#[derive(Debug, Clone, Default)]
pub struct MigrantFacts {
    /// The day the child began living here (来本地居住日期).
    pub arrived_on: Option<NaiveDate>,
    /// Whether the move was only between the 市辖区 of one city's central
    /// urban area (excluded by the definition); None when not recorded.
    pub within_central_districts: Option<bool>,
    /// Priority reasons the worker recorded.
    pub recorded: Vec<PriorityReason>,
}

/// Priority reasons: those recorded, plus those the child file already
/// shows (a disability grade; a family-hardship, orphan or 事实无人抚养
/// category), so a ledger never misses a child the office already knows.
pub fn priority_reasons(child: &ChildSnapshot, facts: &MigrantFacts) -> Vec<PriorityReason> {
    let has = |c: CaseCategory| child.categories.iter().any(|x| x == c.code());
    let mut out = facts.recorded.clone();
    let mut add = |r: PriorityReason, yes: bool| {
        if yes && !out.contains(&r) {
            out.push(r);
        }
    };
    add(
        PriorityReason::Disability,
        child.disability_grade.is_some() || has(CaseCategory::DifficultSelf),
    );
    add(
        PriorityReason::FamilyHardship,
        has(CaseCategory::DifficultFamily),
    );
    add(
        PriorityReason::GuardianshipMissing,
        has(CaseCategory::DeFactoUnsupported)
            || has(CaseCategory::OrphanScattered)
            || has(CaseCategory::DifficultSafety),
    );
    out.sort_by_key(|r| PriorityReason::ALL.iter().position(|x| x == r));
    out
}

fn finding(status: FindingStatus, reasons: Vec<String>, until: Option<NaiveDate>) -> Finding {
    Finding {
        category: CaseCategory::Migrant.code().into(),
        status,
        reasons,
        citation: CITATION.into(),
        effective_from: None,
        effective_until: until.map(|d| d.to_string()),
    }
}

/// The 流动儿童 finding on `today`: under 16, left the hukou county with a
/// parent or guardian, lived here across a county line for 6 months or
/// more, and not a move only between one city's central districts. When
/// eligible and a priority reason applies, the reasons name 重点关爱.
pub fn migrant(child: &ChildSnapshot, today: NaiveDate, facts: &MigrantFacts) -> Finding {
    let Some(birth) = dates::parse_flexible(&child.birth_date) else {
        return finding(
            FindingStatus::EvidenceMissing,
            vec!["缺少出生日期，无法判断是否未满16周岁".into()],
            None,
        );
    };
    let ends = dates::turns_16_on(birth);
    let until = Some(ends);
    if today >= ends {
        return finding(
            FindingStatus::NotEligible,
            vec![format!("已于{}年满16周岁", dates::format_zh(ends))],
            until,
        );
    }
    let (Some(hukou), Some(here)) = (
        child.hukou_division.get(..6),
        child.residence_division.get(..6),
    ) else {
        return finding(
            FindingStatus::EvidenceMissing,
            vec!["缺少户籍地或现居住地区划代码（至少到县级6位）".into()],
            until,
        );
    };
    if hukou == here {
        return finding(
            FindingStatus::NotEligible,
            vec![format!("户籍地与居住地同在县级区划{here}，未跨县流动")],
            until,
        );
    }
    let mut reasons = vec![format!("户籍地{hukou}，现居住地{here}，跨县流动")];
    match facts.within_central_districts {
        Some(true) => {
            reasons.push("仅在同一城市中心城区市辖区之间流动，不纳入流动儿童监测".into());
            return finding(FindingStatus::NotEligible, reasons, until);
        }
        None if hukou.get(..4) == here.get(..4) => {
            reasons.push(
                "同一地级市内跨区县流动：请在监测表中确认是否仅在中心城区市辖区之间流动".into(),
            );
            return finding(FindingStatus::EvidenceMissing, reasons, until);
        }
        _ => {}
    }
    let Some(arrived) = facts.arrived_on else {
        reasons.push("缺少来本地居住日期".into());
        return finding(FindingStatus::EvidenceMissing, reasons, until);
    };
    let six = dates::add_months(arrived, 6);
    if six > today {
        reasons.push(format!(
            "{}来本地居住，未满6个月，{}满6个月",
            dates::format_zh(arrived),
            dates::format_zh(six)
        ));
        return finding(FindingStatus::NotEligible, reasons, until);
    }
    reasons.push(format!(
        "{}来本地居住，已满6个月",
        dates::format_zh(arrived)
    ));
    let priority = priority_reasons(child, facts);
    if !priority.is_empty() {
        let names: Vec<&str> = priority.iter().map(|r| r.label_zh()).collect();
        reasons.push(format!("列入重点关爱服务对象台账：{}", names.join("、")));
    }
    reasons.push(format!("至{}年满16周岁", dates::format_zh(ends)));
    finding(FindingStatus::Eligible, reasons, until)
}
