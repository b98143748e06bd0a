//! 青海省级插件（示例） / Qinghai (63) province plugin.
//!
//! - 儿童之家活动记录 form (1,000 示范性儿童之家, DOMAIN §0.1).
//! - 《青海省流动儿童在居住地享有关爱服务基础清单》 21 items: structure
//!   only, every item a placeholder (`catalog`, one table to replace).
//! - 监护能力评估（示例） rubric as a scale, a form and a report.
//! - 统计月报 over the children in the report input.
//! - classify: 孤儿, 事实无人抚养 (2019 six-situation rule) and 流动儿童
//!   (national definition, move date from the 流动儿童信息登记 form).
//!
//! Screening is half-yearly: the national 流动儿童 rule is "at least every
//! half year"; no Qinghai-specific cycle was found (DOMAIN §2.2 default).
//! Everything here is 示例 (an example), not official Qinghai policy.

mod catalog;
mod forms;
mod guardianship;
mod reports;

use hutong_plugin_sdk::migrant_monitor::{self as migrant, MigrantFacts, PriorityReason};
use hutong_plugin_sdk::national::category::CaseCategory;
use hutong_plugin_sdk::prelude::*;

struct Province;

const CATEGORIES: [CaseCategory; 3] = [
    CaseCategory::OrphanScattered,
    CaseCategory::DeFactoUnsupported,
    CaseCategory::Migrant,
];

/// The 流动儿童 finding: the national rule (SDK `migrant_monitor`) with the
/// move facts from the child's latest saved 流动儿童信息登记. The national
/// definition also needs the child to have moved *with* a parent or
/// guardian; the SDK rule does not check that, so it is checked here.
fn migrant_finding(child: &ChildSnapshot, day: national::NaiveDate) -> Finding {
    let values = child
        .forms
        .iter()
        .filter(|f| f.form_id == forms::MIGRANT_FORM)
        .max_by_key(|f| forms::text(&f.values, "moved_in_on"))
        .map(|f| f.values.as_slice())
        .unwrap_or(&[]);
    let facts = MigrantFacts {
        arrived_on: national::dates::parse_flexible(&forms::text(values, "moved_in_on")),
        within_central_districts: match value_of(values, "central_districts_only") {
            Some(Value::Boolean(b)) => Some(*b),
            _ => None,
        },
        recorded: match value_of(values, "priority_reasons") {
            Some(Value::Choices(cs)) => cs
                .iter()
                .filter_map(|c| PriorityReason::from_code(c))
                .collect(),
            _ => vec![],
        },
    };
    let mut f = migrant::migrant(child, day, &facts);
    if forms::text(values, "accompanied_by") == "none" && f.status == FindingStatus::Eligible {
        f.status = FindingStatus::NotEligible;
        f.reasons
            .push("未随父母或其他监护人流动，不属于流动儿童监测口径（请核查监护情况）".into());
    }
    f
}

impl Plugin for Province {
    fn manifest() -> Manifest {
        Manifest {
            id: "cn.hutong.qinghai".into(),
            name: "青海省困境儿童关爱（示例）".into(),
            province_code: "63".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: CONTRACT_VERSION.into(),
            description: "儿童之家活动记录；流动儿童关爱服务清单（21项，条目待补充）；监护能力评估（示例）；统计月报；孤儿、事实无人抚养（6种情形）与流动儿童认定。示例，非正式政策。".into(),
            categories: CATEGORIES.iter().map(|c| c.code().to_string()).collect(),
            visit_policy: VisitPolicy {
                default_days: 30,
                by_level: guardianship::Level::ALL
                    .iter()
                    .map(|l| LevelCadence {
                        level: l.code().into(),
                        days: l.visit_days(),
                    })
                    .collect(),
                escalate_township_after_days: 7,
                escalate_county_after_days: 30,
            },
            screening_cycle: ScreeningCycle::HalfYearly,
        }
    }

    fn forms() -> Vec<FormDef> {
        forms::forms()
    }

    fn evaluate_form(
        form_id: String,
        values: Vec<FieldValue>,
        context: EvalContext,
    ) -> Result<FormEvaluation, String> {
        forms::evaluate(&form_id, &values, &context)
    }

    fn scales() -> Vec<ScaleDef> {
        vec![guardianship::scale()]
    }

    fn assess(scale_id: String, input: AssessInput) -> Result<Assessment, String> {
        if scale_id != guardianship::SCALE_ID {
            return Err(format!("未知量表：{scale_id}"));
        }
        let r = guardianship::score(
            input
                .answers
                .iter()
                .map(|a| (a.item_id.as_str(), a.code.as_str())),
        )?;
        Ok(guardianship::assessment(&r))
    }

    fn classify(child: ChildSnapshot, today: String) -> Vec<Finding> {
        let Some(day) = national::dates::parse_flexible(&today) else {
            return rules::unreadable_today(&today, &CATEGORIES);
        };
        vec![
            rules::orphan(&child, day),
            rules::de_facto_unsupported(&child, day, &rules::SIX_SITUATIONS),
            migrant_finding(&child, day),
        ]
    }

    fn service_catalog() -> Vec<ServiceItem> {
        catalog::catalog()
    }

    fn report_templates() -> Vec<TemplateInfo> {
        reports::templates()
    }

    fn render_report(template_id: String, input: ReportInput) -> Result<Document, String> {
        reports::render(&template_id, &input)
    }
}

hutong_plugin_sdk::export_plugin!(Province);
