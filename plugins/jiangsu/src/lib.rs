//! 江苏省级插件（示例）: 四色管理, 一年两排、一月一访, 五清, 委托照护,
//! 事实无人抚养 under the 8-situation rule, 孤儿, 留守 and 自身困境.
//!
//! Sources are DOMAIN §0.1 (江南时报 report of the 三年行动实施方案) and
//! §2.3 a (武进 四色档案). Where the official text was not found, the values
//! are this plugin's examples and say 示例 in their own text.

mod forms;
mod reports;
mod scale;

use hutong_plugin_sdk::left_behind;
use hutong_plugin_sdk::national::category::CaseCategory;
use hutong_plugin_sdk::national::{NaiveDate, dates};
use hutong_plugin_sdk::prelude::*;

struct Province;

/// 自身困境 threshold (示例): disability grade 1–2, or a recorded 重病.
const DIFFICULT_SELF_CITATION: &str = "国发〔2016〕36号（示例口径：残疾二级及以上或患重病）";

fn difficult_self(child: &ChildSnapshot, today: NaiveDate) -> Finding {
    let cat = CaseCategory::DifficultSelf;
    let ends = dates::parse_flexible(&child.birth_date).map(dates::turns_18_on);
    let mut f = Finding {
        category: cat.code().into(),
        status: FindingStatus::NotEligible,
        reasons: vec![],
        citation: DIFFICULT_SELF_CITATION.into(),
        effective_from: None,
        effective_until: ends.map(|d| d.to_string()),
    };
    let Some(ends) = ends else {
        f.status = FindingStatus::EvidenceMissing;
        f.reasons.push("缺少出生日期".into());
        return f;
    };
    if today >= ends {
        f.reasons
            .push(format!("已于{}年满18周岁", dates::format_zh(ends)));
        return f;
    }
    match child.disability_grade {
        Some(g @ 1..=2) => {
            f.status = FindingStatus::Eligible;
            f.reasons.push(format!("{}{}级", child.disability_type, g));
        }
        Some(g) => f
            .reasons
            .push(format!("{}{}级，未达二级及以上", child.disability_type, g)),
        None if !child.disability_type.is_empty() => {
            f.status = FindingStatus::EvidenceMissing;
            f.reasons
                .push(format!("登记了{}但缺少残疾等级", child.disability_type));
        }
        None => f.reasons.push("无残疾登记".into()),
    }
    if child.health.contains("重病") || child.health.contains("大病") {
        f.status = FindingStatus::Eligible;
        f.reasons.push(format!("健康状况：{}", child.health));
    }
    f
}

impl Plugin for Province {
    fn manifest() -> Manifest {
        let by_level = scale::TIERS
            .iter()
            .map(|t| LevelCadence {
                level: t.code.into(),
                days: t.days,
            })
            .collect();
        Manifest {
            id: "cn.hutong.jiangsu".into(),
            name: "江苏省农村留守儿童和困境儿童关爱（示例）".into(),
            province_code: "32".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: CONTRACT_VERSION.into(),
            description:
                "一年两排、一月一访；五清一人一档；四色管理（红黄蓝绿）；留守儿童委托照护；\
事实无人抚养按8种情形认定。四色量表、红黄走访天数为示例，非江苏省正式政策。"
                    .into(),
            categories: [
                CaseCategory::DeFactoUnsupported,
                CaseCategory::OrphanScattered,
                CaseCategory::LeftBehindRural,
                CaseCategory::DifficultSelf,
            ]
            .iter()
            .map(|c| c.code().to_string())
            .collect(),
            visit_policy: VisitPolicy {
                // 一月一访 is Jiangsu's stated rule; red/yellow are 示例.
                default_days: 30,
                by_level,
                escalate_township_after_days: 7,
                escalate_county_after_days: 30,
            },
            screening_cycle: ScreeningCycle::HalfYearly,
        }
    }

    fn forms() -> Vec<FormDef> {
        vec![forms::wuqing(), forms::entrusted()]
    }

    fn evaluate_form(
        form_id: String,
        values: Vec<FieldValue>,
        context: EvalContext,
    ) -> Result<FormEvaluation, String> {
        forms::evaluate(&form_id, &values, &context)
    }

    fn scales() -> Vec<ScaleDef> {
        vec![scale::scale()]
    }

    fn assess(scale_id: String, input: AssessInput) -> Result<Assessment, String> {
        if scale_id != scale::SCALE_ID {
            return Err(format!("未知量表：{scale_id}"));
        }
        scale::assess(&input)
    }

    fn classify(child: ChildSnapshot, today: String) -> Vec<Finding> {
        let Some(today) = dates::parse_flexible(&today) else {
            return rules::unreadable_today(&today, &[CaseCategory::DeFactoUnsupported]);
        };
        vec![
            rules::de_facto_unsupported(&child, today, &rules::EIGHT_SITUATIONS),
            rules::orphan(&child, today),
            left_behind::left_behind_rural(&child, today),
            difficult_self(&child, today),
        ]
    }

    fn report_templates() -> Vec<TemplateInfo> {
        reports::templates()
    }

    fn render_report(template_id: String, input: ReportInput) -> Result<Document, String> {
        reports::render(&template_id, &input)
    }
}

hutong_plugin_sdk::export_plugin!(Province);
