//! 河南省级插件（示例）: 流动儿童监测与重点关爱, 19项关爱服务清单, 困境级别
//! 记分（五级，紧急情况直接一级）, 事实无人抚养按6种情形, 孤儿, 留守;
//! 摸排半年一次. Sources: DOMAIN §0.1 (公益时报 2024-12-10), §1.6, §2.3 c,
//! §2.6. Values not found in official text say 示例.

mod forms;
mod reports;
mod scale;
mod services;

use hutong_plugin_sdk::left_behind;
use hutong_plugin_sdk::migrant_monitor;
use hutong_plugin_sdk::national::category::CaseCategory;
use hutong_plugin_sdk::national::dates;
use hutong_plugin_sdk::prelude::*;

struct Province;

impl Plugin for Province {
    fn manifest() -> Manifest {
        Manifest {
            id: "cn.hutong.henan".into(),
            name: "河南省困境儿童与流动儿童关爱（示例）".into(),
            province_code: "41".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: CONTRACT_VERSION.into(),
            description: "流动儿童监测摸排（至少每半年更新）与重点关爱服务对象台账；关爱服务清单6个领域19项（部分为待补充占位）；\
困境级别记分五级；事实无人抚养按6种情形认定。量表颜色与走访天数为示例，非河南省正式政策。"
                .into(),
            categories: [
                CaseCategory::DeFactoUnsupported,
                CaseCategory::OrphanScattered,
                CaseCategory::LeftBehindRural,
                CaseCategory::Migrant,
            ]
            .iter()
            .map(|c| c.code().to_string())
            .collect(),
            visit_policy: VisitPolicy {
                default_days: 30,
                by_level: scale::LEVELS
                    .iter()
                    .map(|l| LevelCadence { level: l.code.into(), days: l.days })
                    .collect(),
                escalate_township_after_days: 7,
                escalate_county_after_days: 30,
            },
            screening_cycle: ScreeningCycle::HalfYearly,
        }
    }

    fn forms() -> Vec<FormDef> {
        vec![forms::migrant(), forms::service_plan()]
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
            rules::de_facto_unsupported(&child, today, &rules::SIX_SITUATIONS),
            rules::orphan(&child, today),
            left_behind::left_behind_rural(&child, today),
            migrant_monitor::migrant(&child, today, &forms::facts(&child)),
        ]
    }

    fn service_catalog() -> Vec<ServiceItem> {
        services::catalog()
    }

    fn report_templates() -> Vec<TemplateInfo> {
        reports::templates()
    }

    fn render_report(template_id: String, input: ReportInput) -> Result<Document, String> {
        reports::render(&template_id, &input)
    }
}

hutong_plugin_sdk::export_plugin!(Province);
