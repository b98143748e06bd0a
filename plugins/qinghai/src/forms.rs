//! 青海 forms: 儿童之家活动记录 (DOMAIN §0.1: 1,000 示范性儿童之家),
//! 流动儿童信息登记 (the move date the 流动儿童 rule needs) and
//! 监护能力评估 (the saved rubric the report reads).

use crate::guardianship::{self as g, DIMENSIONS, MANDATORY, SCORE_OPTIONS};
use hutong_plugin_sdk::migrant_monitor::PriorityReason;
use hutong_plugin_sdk::prelude::*;

pub const ACTIVITY_FORM: &str = "children-home-activity";
pub const MIGRANT_FORM: &str = "migrant";
pub const GUARDIANSHIP_FORM: &str = "guardianship";

/// 示例: more than this many children in one activity is checked by a person.
pub const PARTICIPANTS_WARN: i64 = 100;

pub const ACTIVITY_TYPES: [(&str, &str); 6] = [
    ("after_school", "课后托管"),
    ("psych", "心理关爱"),
    ("family_edu", "家庭教育指导"),
    ("safety", "安全教育"),
    ("culture", "文体活动"),
    ("other", "其他"),
];

pub const ACCOMPANIED: [(&str, &str); 4] = [
    ("both_parents", "随父母双方"),
    ("one_parent", "随父母一方"),
    ("guardian", "随其他监护人"),
    ("none", "无父母或监护人随行"),
];

fn options(table: &[(&str, &str)]) -> ChoiceField {
    ChoiceField {
        options: table.iter().map(|(c, l)| choice(c, l)).collect(),
        parent: String::new(),
    }
}

pub fn forms() -> Vec<FormDef> {
    let activity = FormBuilder::new(ACTIVITY_FORM, "1", "儿童之家活动记录")
        .description("每次活动登记一条（示例）。")
        .section("where", "时间与地点")
        .field(FieldBuilder::new("venue", "儿童之家名称", FieldKind::Text).required())
        .field(FieldBuilder::new(
            "venue_division",
            "所在村（社区）",
            FieldKind::Division,
        ))
        .field(FieldBuilder::new("date", "活动日期", FieldKind::Date).required())
        .section("what", "活动")
        .field(
            FieldBuilder::new(
                "activity_type",
                "活动类型",
                FieldKind::SingleChoice(options(&ACTIVITY_TYPES)),
            )
            .required(),
        )
        .field(FieldBuilder::new(
            "activity_type_other",
            "其他类型说明",
            FieldKind::Text,
        ))
        .field(FieldBuilder::new("participants", "参加儿童人数", FieldKind::Integer).required())
        .field(FieldBuilder::new("staff", "负责人（儿童主任或社工）", FieldKind::Text).required())
        .field(FieldBuilder::new(
            "volunteers",
            "志愿者人数",
            FieldKind::Integer,
        ))
        .field(FieldBuilder::new("content", "活动内容", FieldKind::LongText).required())
        .build();

    let migrant = FormBuilder::new(MIGRANT_FORM, "1", "流动儿童信息登记")
        .description(
            "《加强流动儿童关爱保护行动方案》监测口径：未满16周岁、随父母或监护人跨县居住满6个月。",
        )
        .section("move", "流动情况")
        .field(
            FieldBuilder::new("hukou_division", "户籍地", FieldKind::Division)
                .required()
                .bind("child.hukou_division"),
        )
        .field(
            FieldBuilder::new("residence_division", "现居住地", FieldKind::Division)
                .required()
                .bind("child.residence_division"),
        )
        .field(FieldBuilder::new("moved_in_on", "来到现居住地日期", FieldKind::Date).required())
        .field(
            FieldBuilder::new(
                "accompanied_by",
                "随迁情况",
                FieldKind::SingleChoice(options(&ACCOMPANIED)),
            )
            .required(),
        )
        .field(
            FieldBuilder::new(
                "central_districts_only",
                "是否仅在本市中心城区市辖区之间流动",
                FieldKind::Boolean,
            )
            .help("同一城市内跨区流动时填写；仅在中心城区之间流动的不纳入监测"),
        )
        .section("priority", "重点关爱服务对象台账")
        .field(FieldBuilder::new(
            "priority_reasons",
            "重点关爱情形",
            FieldKind::MultiChoice(ChoiceField {
                options: PriorityReason::ALL
                    .iter()
                    .map(|r| choice(r.code(), r.label_zh()))
                    .collect(),
                parent: String::new(),
            }),
        ))
        .build();

    let mut rubric = FormBuilder::new(GUARDIANSHIP_FORM, "1", "监护能力评估（示例）")
        .description(&g::thresholds_text())
        .section("who", "评估信息")
        .field(FieldBuilder::new("assessed_on", "评估日期", FieldKind::Date).required())
        .field(FieldBuilder::new("assessor", "评估人", FieldKind::Text).required())
        .field(FieldBuilder::new(
            "guardian_name",
            "监护人姓名",
            FieldKind::Text,
        ))
        .field(FieldBuilder::new(
            "guardian_relation",
            "监护人与儿童关系",
            FieldKind::Text,
        ))
        .section("capacity", "监护能力（每项0–4分）");
    let dimension = |(id, name, _): &(&str, &str, &str)| {
        FieldBuilder::new(id, name, FieldKind::SingleChoice(options(&SCORE_OPTIONS))).required()
    };
    for d in DIMENSIONS.iter().filter(|d| d.2 == g::CAPACITY) {
        rubric = rubric.field(dimension(d));
    }
    rubric = rubric.section("status", "监护状况（每项0–4分）");
    for d in DIMENSIONS.iter().filter(|d| d.2 == g::STATUS) {
        rubric = rubric.field(dimension(d));
    }
    let rubric = rubric
        .section("mandatory", "强制报告情形")
        .field(
            FieldBuilder::new(
                "mandatory_situations",
                "发现的强制报告情形",
                FieldKind::MultiChoice(options(&MANDATORY)),
            )
            .help("任一情形即评为监护缺失，须立即向公安报告（高检发〔2020〕9号）"),
        )
        .field(FieldBuilder::new(
            "report_receipt",
            "公安受理回执号",
            FieldKind::Text,
        ))
        .section("result", "结果（自动计算）")
        .field(FieldBuilder::new("total", "总分", FieldKind::Integer))
        .field(FieldBuilder::new("level", "评估等级", FieldKind::Text))
        .field(FieldBuilder::new("notes", "评估意见", FieldKind::LongText))
        .build();
    vec![activity, migrant, rubric]
}

/// The text of a value (empty when absent).
pub fn text(values: &[FieldValue], id: &str) -> String {
    match value_of(values, id) {
        Some(Value::Text(s)) | Some(Value::Choice(s)) => s.trim().to_string(),
        Some(Value::Integer(n)) => n.to_string(),
        Some(Value::Decimal(d)) => format!("{d}"),
        Some(Value::Boolean(b)) => if *b { "是" } else { "否" }.into(),
        Some(Value::Choices(cs)) => cs.join("、"),
        Some(Value::Empty) | None => String::new(),
    }
}

fn issue(out: &mut Vec<FieldIssue>, field: &str, severity: Severity, message: String) {
    out.push(FieldIssue {
        field_id: field.into(),
        row: None,
        severity,
        message,
    });
}

fn required(values: &[FieldValue], id: &str, label: &str, issues: &mut Vec<FieldIssue>) {
    if text(values, id).is_empty() {
        issue(issues, id, Severity::Error, format!("请填写{label}"));
    }
}

/// A date that must be present, readable and not in the future.
fn past_date(
    values: &[FieldValue],
    id: &str,
    label: &str,
    today: Option<national::NaiveDate>,
    issues: &mut Vec<FieldIssue>,
) -> Option<national::NaiveDate> {
    let s = text(values, id);
    if s.is_empty() {
        issue(issues, id, Severity::Error, format!("请填写{label}"));
        return None;
    }
    let Some(d) = national::dates::parse_flexible(&s) else {
        issue(
            issues,
            id,
            Severity::Error,
            format!("{label}“{s}”不是有效日期"),
        );
        return None;
    };
    if today.is_some_and(|t| d > t) {
        issue(issues, id, Severity::Error, format!("{label}不能晚于今天"));
    }
    Some(d)
}

pub fn evaluate(
    form_id: &str,
    values: &[FieldValue],
    ctx: &EvalContext,
) -> Result<FormEvaluation, String> {
    let today = national::dates::parse_flexible(&ctx.today);
    let mut issues = Vec::new();
    let mut hidden = Vec::new();
    let mut computed = Vec::new();
    match form_id {
        ACTIVITY_FORM => {
            required(values, "venue", "儿童之家名称", &mut issues);
            past_date(values, "date", "活动日期", today, &mut issues);
            match text(values, "activity_type").as_str() {
                "" => issue(
                    &mut issues,
                    "activity_type",
                    Severity::Error,
                    "请选择活动类型".into(),
                ),
                "other" => required(values, "activity_type_other", "其他类型说明", &mut issues),
                _ => hidden.push("activity_type_other".to_string()),
            }
            match value_of(values, "participants") {
                Some(Value::Integer(n)) if *n <= 0 => issue(
                    &mut issues,
                    "participants",
                    Severity::Error,
                    "参加儿童人数应大于0".into(),
                ),
                Some(Value::Integer(n)) if *n > PARTICIPANTS_WARN => issue(
                    &mut issues,
                    "participants",
                    Severity::Warning,
                    format!("参加儿童{n}人，超过{PARTICIPANTS_WARN}人（示例），请核实"),
                ),
                Some(Value::Integer(_)) => {}
                _ => issue(
                    &mut issues,
                    "participants",
                    Severity::Error,
                    "请填写参加儿童人数".into(),
                ),
            }
            if let Some(Value::Integer(n)) = value_of(values, "volunteers")
                && *n < 0
            {
                issue(
                    &mut issues,
                    "volunteers",
                    Severity::Error,
                    "志愿者人数不能为负数".into(),
                );
            }
            required(values, "staff", "负责人", &mut issues);
            let content = text(values, "content");
            if content.is_empty() {
                issue(
                    &mut issues,
                    "content",
                    Severity::Error,
                    "请填写活动内容".into(),
                );
            } else if content.chars().count() < 10 {
                issue(
                    &mut issues,
                    "content",
                    Severity::Warning,
                    "活动内容过于简略，请写明做了什么、谁参加".into(),
                );
            }
        }
        MIGRANT_FORM => {
            let hukou = text(values, "hukou_division");
            let home = text(values, "residence_division");
            required(values, "hukou_division", "户籍地", &mut issues);
            required(values, "residence_division", "现居住地", &mut issues);
            if let (Some(h), Some(r)) = (hukou.get(..6), home.get(..6))
                && h == r
            {
                issue(
                    &mut issues,
                    "residence_division",
                    Severity::Warning,
                    "户籍地与现居住地同属一县，不属于跨县流动".into(),
                );
            }
            // Only a move inside one city can be a central-district move.
            let same_city_other_county = matches!(
                (hukou.get(..4), home.get(..4), hukou.get(..6), home.get(..6)),
                (Some(a), Some(b), Some(c), Some(d)) if a == b && c != d
            );
            if !same_city_other_county {
                hidden.push("central_districts_only".to_string());
            } else if value_of(values, "central_districts_only").is_none() {
                issue(
                    &mut issues,
                    "central_districts_only",
                    Severity::Error,
                    "同一城市内跨区流动：请填写是否仅在中心城区市辖区之间流动".into(),
                );
            }
            past_date(
                values,
                "moved_in_on",
                "来到现居住地日期",
                today,
                &mut issues,
            );
            match text(values, "accompanied_by").as_str() {
                "" => issue(
                    &mut issues,
                    "accompanied_by",
                    Severity::Error,
                    "请选择随迁情况".into(),
                ),
                "none" => issue(
                    &mut issues,
                    "accompanied_by",
                    Severity::Warning,
                    "无父母或监护人随行：不属于流动儿童监测口径，请立即核查监护情况".into(),
                ),
                _ => {}
            }
        }
        GUARDIANSHIP_FORM => {
            past_date(values, "assessed_on", "评估日期", today, &mut issues);
            required(values, "assessor", "评估人", &mut issues);
            for (id, name, _) in DIMENSIONS {
                if text(values, id).is_empty() {
                    issue(
                        &mut issues,
                        id,
                        Severity::Error,
                        format!("请为“{name}”评分"),
                    );
                }
            }
            let flagged = matches!(value_of(values, "mandatory_situations"), Some(Value::Choices(cs)) if !cs.is_empty());
            if flagged {
                issue(
                    &mut issues,
                    "mandatory_situations",
                    Severity::Warning,
                    "已勾选强制报告情形：评为监护缺失，须立即向公安报告并通报民政".into(),
                );
                if text(values, "report_receipt").is_empty() {
                    issue(
                        &mut issues,
                        "report_receipt",
                        Severity::Warning,
                        "请在报告后补填公安受理回执号".into(),
                    );
                }
            } else {
                hidden.push("report_receipt".to_string());
            }
            if !issues.iter().any(|i| {
                i.severity == Severity::Error && DIMENSIONS.iter().any(|d| d.0 == i.field_id)
            }) {
                let answers = g::answers_from_form(values);
                let r = g::score(answers.iter().map(|(i, c)| (i.as_str(), c.as_str())))?;
                computed.push(FieldValue {
                    field_id: "total".into(),
                    row: None,
                    value: Value::Integer(i64::from(r.total)),
                });
                computed.push(FieldValue {
                    field_id: "level".into(),
                    row: None,
                    value: Value::Text(r.level.label().into()),
                });
            }
        }
        other => return Err(format!("未知表单：{other}")),
    }
    Ok(FormEvaluation {
        hidden,
        computed,
        issues,
    })
}
