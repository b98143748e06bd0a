//! 模板插件 / Template province plugin.
//!
//! Copy this folder to start a province plugin. It shows each export:
//! a manifest, one form with validation, one scale, an eligibility rule that
//! uses the national date rules, a service catalogue and one report.
//! Everything here is 示例 (example), not official policy.

use hutong_plugin_sdk::doc::{bold, style};
use hutong_plugin_sdk::prelude::*;

struct Template;

const PLUGIN_ID: &str = "cn.hutong.template";

impl Plugin for Template {
    fn manifest() -> Manifest {
        Manifest {
            id: PLUGIN_ID.into(),
            name: "模板插件（示例）".into(),
            province_code: "00".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: CONTRACT_VERSION.into(),
            description: "演示插件契约的每一个导出函数。示例，非正式政策。".into(),
            categories: vec!["LEFT_BEHIND_RURAL".into()],
            visit_policy: VisitPolicy {
                default_days: 30,
                by_level: vec![
                    LevelCadence {
                        level: "high".into(),
                        days: 7,
                    },
                    LevelCadence {
                        level: "low".into(),
                        days: 30,
                    },
                ],
                escalate_township_after_days: 7,
                escalate_county_after_days: 30,
            },
            screening_cycle: ScreeningCycle::HalfYearly,
        }
    }

    fn forms() -> Vec<FormDef> {
        vec![
            FormBuilder::new("contact", "1", "联系情况登记（示例）")
                .section("main", "联系情况")
                .field(
                    FieldBuilder::new("weekly_contact", "父母每周联系", FieldKind::Boolean)
                        .required(),
                )
                .field(
                    FieldBuilder::new("contacts_per_month", "每月联系次数", FieldKind::Integer)
                        .help("未成年人保护法第二十三条：至少每周联系一次"),
                )
                .build(),
        ]
    }

    fn evaluate_form(
        form_id: String,
        values: Vec<FieldValue>,
        _ctx: EvalContext,
    ) -> Result<FormEvaluation, String> {
        if form_id != "contact" {
            return Err(format!("未知表单：{form_id}"));
        }
        let mut issues = Vec::new();
        let mut hidden = Vec::new();
        match value_of(&values, "weekly_contact") {
            Some(Value::Boolean(true)) => {}
            Some(Value::Boolean(false)) => hidden.push("contacts_per_month".to_string()),
            _ => issues.push(FieldIssue {
                field_id: "weekly_contact".into(),
                row: None,
                severity: Severity::Error,
                message: "请选择父母是否每周联系".into(),
            }),
        }
        if let Some(Value::Integer(n)) = value_of(&values, "contacts_per_month")
            && *n < 4
        {
            issues.push(FieldIssue {
                field_id: "contacts_per_month".into(),
                row: None,
                severity: Severity::Warning,
                message: format!("每月联系{n}次，少于每周一次"),
            });
        }
        Ok(FormEvaluation {
            hidden,
            computed: vec![],
            issues,
        })
    }

    fn scales() -> Vec<ScaleDef> {
        let yes_no = || vec![choice("0", "否"), choice("1", "是")];
        vec![
            ScaleDef {
                id: "simple-risk".into(),
                version: "1".into(),
                name: "简易风险筛查（示例）".into(),
                description: "三个是非题，任一为是即为高风险。".into(),
                credit: "护童示例".into(),
                items: ["alone", "injury", "dropout"]
                    .iter()
                    .zip(["独自居住", "身上有伤", "辍学"])
                    .map(|(id, text)| ScaleItem {
                        id: (*id).into(),
                        text: text.into(),
                        text_alt: String::new(),
                        help: String::new(),
                        group: "risk".into(),
                        options: yes_no(),
                    })
                    .collect(),
            },
            ScaleDef {
                id: "record-risk".into(),
                version: "1".into(),
                name: "档案风险评分（示例）".into(),
                description: "依据档案自动评分：父母外出、父母情形、残疾等级、本月是否走访。"
                    .into(),
                credit: "护童示例".into(),
                items: vec![],
            },
        ]
    }

    fn assess(scale_id: String, input: AssessInput) -> Result<Assessment, String> {
        if scale_id == "record-risk" {
            let child = input.child.as_ref().ok_or("“档案风险”量表需要儿童档案")?;
            return Ok(record_risk(child, &input.today));
        }
        if scale_id != "simple-risk" {
            return Err(format!("未知量表：{scale_id}"));
        }
        let mut score = 0.0;
        let mut reasons = Vec::new();
        for a in &input.answers {
            match a.code.as_str() {
                "1" => {
                    score += 1.0;
                    reasons.push(format!("{}：是", a.item_id));
                }
                "0" => {}
                other => return Err(format!("题目 {} 的答案“{other}”无效", a.item_id)),
            }
        }
        let high = score > 0.0;
        Ok(Assessment {
            level_code: if high { "high" } else { "low" }.into(),
            level_label: if high { "高风险" } else { "低风险" }.into(),
            colour: Some(if high { Colour::Red } else { Colour::Green }),
            score: Some(score),
            sub_scores: vec![],
            reasons,
            next_visit_days: Some(if high { 7 } else { 30 }),
            suggested_services: vec![],
        })
    }

    fn classify(child: ChildSnapshot, today: String) -> Vec<Finding> {
        // Uses the national rules: the day a child turns 16.
        let (Some(birth), Some(today)) = (
            national::dates::parse_flexible(&child.birth_date),
            national::dates::parse_flexible(&today),
        ) else {
            return vec![];
        };
        let ends = national::dates::turns_16_on(birth);
        let away = child
            .relations
            .iter()
            .filter(|r| {
                (r.relation == "FATHER" || r.relation == "MOTHER") && r.occupation == "务工"
            })
            .count();
        let status = if today >= ends {
            FindingStatus::NotEligible
        } else if away >= 2 {
            FindingStatus::Eligible
        } else {
            FindingStatus::NotEligible
        };
        vec![Finding {
            category: "LEFT_BEHIND_RURAL".into(),
            status,
            reasons: vec![
                format!("父母外出务工{away}人"),
                format!("年满16周岁之日：{}", national::dates::format_zh(ends)),
            ],
            citation: "国发〔2016〕13号".into(),
            effective_from: None,
            effective_until: Some(ends.to_string()),
        }]
    }

    fn service_catalog() -> Vec<ServiceItem> {
        vec![ServiceItem {
            code: "T01".into(),
            area: "示例".into(),
            name: "定期探访".into(),
            department: "民政".into(),
            placeholder: true,
        }]
    }

    fn report_templates() -> Vec<TemplateInfo> {
        vec![
            TemplateInfo {
                id: "card".into(),
                name: "儿童信息卡（示例）".into(),
                kind: TemplateKind::OneChild,
            },
            TemplateInfo {
                id: "roster".into(),
                name: "花名册（示例）".into(),
                kind: TemplateKind::Roster,
            },
        ]
    }

    fn render_report(template_id: String, input: ReportInput) -> Result<Document, String> {
        if template_id == "roster" {
            let mut d = DocBuilder::new("花名册");
            d.heading(
                1,
                "儿童花名册（示例）",
                bold(FontRole::Hei, 16.0),
                Align::Center,
            );
            let mut rows = vec![vec![
                "序号".to_string(),
                "姓名".into(),
                "性别".into(),
                "出生日期".into(),
                "现居住地".into(),
            ]];
            for (i, c) in input.children.iter().enumerate() {
                rows.push(vec![
                    (i + 1).to_string(),
                    c.name.clone(),
                    if c.sex == "M" { "男" } else { "女" }.into(),
                    c.birth_date.clone(),
                    c.residence_name.clone(),
                ]);
            }
            d.table(
                &[0.08, 0.17, 0.1, 0.2, 0.45],
                1,
                &rows,
                style(FontRole::Song, 10.5),
            );
            return Ok(d.build());
        }
        if template_id != "card" {
            return Err(format!("未知报表模板：{template_id}"));
        }
        let child = input.children.first().ok_or("报表需要一名儿童")?;
        let mut d = DocBuilder::new("儿童信息卡");
        d.heading(
            1,
            "儿童信息卡（示例）",
            bold(FontRole::Hei, 18.0),
            Align::Center,
        );
        d.key_values(
            2,
            &[
                ("姓名", child.name.as_str()),
                ("性别", if child.sex == "M" { "男" } else { "女" }),
                ("出生日期", child.birth_date.as_str()),
                ("现居住地", child.residence_name.as_str()),
            ],
            style(FontRole::Song, 12.0),
        );
        d.paragraph(
            &format!("打印单位：{}", input.office_name),
            style(FontRole::Song, 10.5),
            Align::Right,
        );
        Ok(d.build())
    }
}

/// A record-based risk score (示例): reads the child's file rather than
/// answers. Benchmarks compare it with the same rule in native Rust.
fn record_risk(child: &ChildSnapshot, today: &str) -> Assessment {
    let mut score = 0.0;
    let mut reasons = Vec::new();
    let away = child
        .relations
        .iter()
        .filter(|r| (r.relation == "FATHER" || r.relation == "MOTHER") && r.occupation == "务工")
        .count();
    if away >= 2 {
        score += 2.0;
        reasons.push("父母双方外出务工".to_string());
    }
    for r in &child.relations {
        if !r.situation.is_empty() {
            score += 3.0;
            reasons.push(format!("{}：{}", r.relation, r.situation));
        }
    }
    if let Some(g) = child.disability_grade {
        score += f64::from(5u8.saturating_sub(g));
        reasons.push(format!("{}{}级", child.disability_type, g));
    }
    let last_visit = child
        .visits
        .iter()
        .map(|v| v.date.as_str())
        .max()
        .unwrap_or("");
    if last_visit.is_empty() || last_visit < today.get(..7).unwrap_or("") {
        score += 1.0;
        reasons.push("本月尚未走访".to_string());
    }
    let (code, label, colour, days) = if score >= 6.0 {
        ("high", "高风险", Colour::Red, 7)
    } else if score >= 3.0 {
        ("medium", "中风险", Colour::Yellow, 14)
    } else {
        ("low", "低风险", Colour::Green, 30)
    };
    Assessment {
        level_code: code.into(),
        level_label: label.into(),
        colour: Some(colour),
        score: Some(score),
        sub_scores: vec![],
        reasons,
        next_visit_days: Some(days),
        suggested_services: vec![],
    }
}

hutong_plugin_sdk::export_plugin!(Template);
