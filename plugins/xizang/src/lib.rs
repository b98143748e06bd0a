//! 西藏省级插件（示例） / Xizang (Tibet, 54) province plugin.
//!
//! - 常态化月调度摸底排查 → a monthly screening cycle (DOMAIN §2.2).
//! - PSC-17 心理筛查 as a scale and a form (`psc17`), with a result report.
//! - 日喀则 圆梦微心愿 form and register (`forms`, `reports`).
//! - 孤儿 and 事实无人抚养 (the 2019 six-situation rule) from the shared SDK
//!   rules; national categories and dates come from `national`.
//! - Names are bilingual (汉文 / 藏文); other Tibetan labels are left empty
//!   until a reviewed translation exists.
//!
//! Everything here is 示例 (an example), not official Xizang policy.

mod forms;
mod psc17;
mod reports;

use hutong_plugin_sdk::national::category::CaseCategory;
use hutong_plugin_sdk::prelude::*;

struct Province;

impl Plugin for Province {
    fn manifest() -> Manifest {
        Manifest {
            id: "cn.hutong.xizang".into(),
            name: "西藏自治区困境儿童关爱（示例）".into(),
            province_code: "54".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: CONTRACT_VERSION.into(),
            description: "常态化月度摸排；PSC-17 心理筛查；圆梦微心愿；孤儿与事实无人抚养（6种情形）认定；汉藏双语姓名。示例，非正式政策。".into(),
            categories: vec![
                CaseCategory::OrphanScattered.code().into(),
                CaseCategory::DeFactoUnsupported.code().into(),
            ],
            visit_policy: VisitPolicy {
                default_days: 30,
                // A positive PSC-17 screen is followed up within two weeks (示例).
                by_level: vec![
                    LevelCadence {
                        level: "positive".into(),
                        days: 14,
                    },
                    LevelCadence {
                        level: "negative".into(),
                        days: 30,
                    },
                ],
                escalate_township_after_days: 7,
                escalate_county_after_days: 30,
            },
            screening_cycle: ScreeningCycle::Monthly,
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
        vec![psc17::scale()]
    }

    fn assess(scale_id: String, input: AssessInput) -> Result<Assessment, String> {
        if scale_id != psc17::SCALE_ID {
            return Err(format!("未知量表：{scale_id}"));
        }
        let r = psc17::score(
            input
                .answers
                .iter()
                .map(|a| (a.item_id.as_str(), a.code.as_str())),
        )?;
        Ok(psc17::assessment(&r))
    }

    fn classify(child: ChildSnapshot, today: String) -> Vec<Finding> {
        let Some(day) = national::dates::parse_flexible(&today) else {
            return rules::unreadable_today(
                &today,
                &[
                    CaseCategory::OrphanScattered,
                    CaseCategory::DeFactoUnsupported,
                ],
            );
        };
        vec![
            rules::orphan(&child, day),
            rules::de_facto_unsupported(&child, day, &rules::SIX_SITUATIONS),
        ]
    }

    fn service_catalog() -> Vec<ServiceItem> {
        // Practices named in the 西藏商报 report (DOMAIN §0.1); no official
        // item list was found, so every row is a placeholder.
        [
            ("XZ-PSY", "心理关爱", "心理咨询站疏导与转介（示例）", "民政"),
            ("XZ-WISH", "成长发展", "圆梦微心愿（示例）", "民政、共青团"),
            (
                "XZ-MED",
                "病有所医",
                "重病儿童救治资金筹措（示例）",
                "民政、医保",
            ),
            ("XZ-EDU", "监护指导", "监护人政策宣讲（示例）", "民政"),
        ]
        .iter()
        .map(|(code, area, name, dept)| ServiceItem {
            code: (*code).into(),
            area: (*area).into(),
            name: (*name).into(),
            department: (*dept).into(),
            placeholder: true,
        })
        .collect()
    }

    fn report_templates() -> Vec<TemplateInfo> {
        reports::templates()
    }

    fn render_report(template_id: String, input: ReportInput) -> Result<Document, String> {
        reports::render(&template_id, &input)
    }
}

hutong_plugin_sdk::export_plugin!(Province);
