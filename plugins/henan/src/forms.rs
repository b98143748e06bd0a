//! Henan forms: 流动儿童监测登记表 and 关爱服务落实登记.

use crate::services;
use hutong_plugin_sdk::migrant_monitor::{MigrantFacts, PriorityReason};
use hutong_plugin_sdk::national::{NaiveDate, dates};
use hutong_plugin_sdk::prelude::*;

pub const MIGRANT: &str = "migrant-monitor";
pub const SERVICES: &str = "service-plan";

fn single(options: Vec<Choice>) -> FieldKind {
    FieldKind::SingleChoice(ChoiceField {
        options,
        parent: String::new(),
    })
}

fn multi(options: Vec<Choice>) -> FieldKind {
    FieldKind::MultiChoice(ChoiceField {
        options,
        parent: String::new(),
    })
}

pub fn migrant() -> FormDef {
    let f = FieldBuilder::new;
    FormBuilder::new(MIGRANT, "1", "流动儿童监测登记表（示例）")
        .description("《加强流动儿童关爱保护行动方案》：不满16周岁、随父母或其他监护人离开户籍地跨县居住满6个月（同一城市中心城区市辖区之间流动除外），至少每半年更新一次。")
        .section("basic", "基本信息")
        .field(f("name", "姓名", FieldKind::Text).required().bind("child.name"))
        .field(f("id_number", "身份证号", FieldKind::IdNumber).bind("child.id_number"))
        .field(f("birth_date", "出生日期", FieldKind::Date).bind("child.birth_date"))
        .field(f("hukou_division", "户籍地", FieldKind::Division).required().bind("child.hukou_division"))
        .field(f("residence_division", "现居住地", FieldKind::Division).required().bind("child.residence_division"))
        .section("flow", "流动情况")
        .field(f("arrived_on", "来本地居住日期", FieldKind::Date).required())
        .field(f("flow_with", "随迁情况", single(vec![
            choice("both_parents", "随父母双方"),
            choice("one_parent", "随父母一方"),
            choice("other_guardian", "随其他监护人"),
        ])).required())
        .field(f("within_central_districts", "仅在本市中心城区市辖区之间流动", FieldKind::Boolean).required()
            .help("是：不纳入流动儿童监测"))
        .field(f("months_here", "已在本地居住（月）", FieldKind::Integer).help("自动计算"))
        .section("priority", "重点关爱")
        .field(f("priority", "重点关爱情形", multi(PriorityReason::ALL.iter().map(|r| choice(r.code(), r.label_zh())).collect())))
        .field(f("priority_note", "情况说明", FieldKind::LongText))
        .section("contact", "监护人联系")
        .field(f("guardian_name", "监护人姓名", FieldKind::Text))
        .field(f("guardian_phone", "监护人电话", FieldKind::Phone))
        .build()
}

pub fn service_plan() -> FormDef {
    let options = || {
        services::catalog()
            .into_iter()
            .map(|s| choice(&s.code, &format!("{}：{}", s.area, s.name)))
            .collect::<Vec<_>>()
    };
    let f = FieldBuilder::new;
    FormBuilder::new(SERVICES, "1", "流动儿童关爱服务落实登记（示例）")
        .section("plan", "服务落实")
        .field(f("received", "已享受服务", multi(options())))
        .field(f("needed", "尚需协调服务", multi(options())))
        .field(f("note", "备注", FieldKind::LongText))
        .build()
}

fn issue(field: &str, severity: Severity, message: String) -> FieldIssue {
    FieldIssue {
        field_id: field.into(),
        row: None,
        severity,
        message,
    }
}

fn text(v: Option<&Value>) -> Option<&str> {
    match v {
        Some(Value::Text(s)) | Some(Value::Choice(s)) if !s.trim().is_empty() => Some(s.as_str()),
        _ => None,
    }
}

fn choices(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Choices(c)) => c.clone(),
        Some(Value::Choice(c)) => vec![c.clone()],
        _ => vec![],
    }
}

fn blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Empty) => true,
        Some(Value::Text(s)) => s.trim().is_empty(),
        Some(Value::Choices(c)) => c.is_empty(),
        _ => false,
    }
}

/// The monitoring facts saved on a child's file, for classify and reports.
pub fn facts(child: &ChildSnapshot) -> MigrantFacts {
    let Some(values) = child
        .forms
        .iter()
        .find(|f| f.form_id == MIGRANT)
        .map(|f| &f.values)
    else {
        return MigrantFacts::default();
    };
    MigrantFacts {
        arrived_on: text(value_of(values, "arrived_on")).and_then(dates::parse_flexible),
        within_central_districts: match value_of(values, "within_central_districts") {
            Some(Value::Boolean(b)) => Some(*b),
            _ => None,
        },
        recorded: choices(value_of(values, "priority"))
            .iter()
            .filter_map(|c| PriorityReason::from_code(c))
            .collect(),
    }
}

pub fn evaluate(
    form_id: &str,
    values: &[FieldValue],
    ctx: &EvalContext,
) -> Result<FormEvaluation, String> {
    let today = dates::parse_flexible(&ctx.today)
        .ok_or_else(|| format!("今天的日期无效：{}", ctx.today))?;
    match form_id {
        MIGRANT => Ok(evaluate_migrant(values, ctx, today)),
        SERVICES => Ok(evaluate_services(values)),
        other => Err(format!("未知表单：{other}")),
    }
}

fn evaluate_migrant(values: &[FieldValue], ctx: &EvalContext, today: NaiveDate) -> FormEvaluation {
    let mut hidden = Vec::new();
    let mut issues = Vec::new();
    let mut computed = Vec::new();
    if choices(value_of(values, "priority")).is_empty() {
        hidden.push("priority_note".to_string());
    }
    for fl in migrant().fields.iter().filter(|f| f.required) {
        if blank(value_of(values, &fl.id)) {
            issues.push(issue(
                &fl.id,
                Severity::Error,
                format!("请填写“{}”", fl.label),
            ));
        }
    }
    if let Some(s) = text(value_of(values, "arrived_on")) {
        match dates::parse_flexible(s) {
            None => issues.push(issue(
                "arrived_on",
                Severity::Error,
                format!("“来本地居住日期”不是有效日期：{s}"),
            )),
            Some(d) if d > today => issues.push(issue(
                "arrived_on",
                Severity::Error,
                format!("来本地居住日期{}晚于今天", dates::format_zh(d)),
            )),
            Some(d) => {
                let months = dates::months_elapsed(d, today);
                computed.push(FieldValue {
                    field_id: "months_here".into(),
                    row: None,
                    value: Value::Integer(i64::from(months)),
                });
                if dates::add_months(d, 6) > today {
                    issues.push(issue(
                        "arrived_on",
                        Severity::Warning,
                        format!(
                            "来本地居住未满6个月，{}满6个月后纳入监测",
                            dates::format_zh(dates::add_months(d, 6))
                        ),
                    ));
                }
            }
        }
    }
    let county = |id: &str| text(value_of(values, id)).and_then(|s| s.get(..6));
    if let (Some(a), Some(b)) = (county("hukou_division"), county("residence_division"))
        && a == b
    {
        issues.push(issue(
            "residence_division",
            Severity::Warning,
            "户籍地与现居住地属同一县（市、区），不属于跨县流动".into(),
        ));
    }
    if let Some(Value::Boolean(true)) = value_of(values, "within_central_districts") {
        issues.push(issue(
            "within_central_districts",
            Severity::Warning,
            "同一城市中心城区市辖区之间流动，不纳入流动儿童监测".into(),
        ));
    }
    // Age from the form, else from the child file.
    let birth = text(value_of(values, "birth_date"))
        .or(ctx.child.as_ref().map(|c| c.birth_date.as_str()))
        .and_then(dates::parse_flexible);
    if let Some(b) = birth
        && today >= dates::turns_16_on(b)
    {
        issues.push(issue(
            "birth_date",
            Severity::Warning,
            format!(
                "已于{}年满16周岁，不属于流动儿童监测范围",
                dates::format_zh(dates::turns_16_on(b))
            ),
        ));
    }
    FormEvaluation {
        hidden,
        computed,
        issues,
    }
}

fn evaluate_services(values: &[FieldValue]) -> FormEvaluation {
    let mut issues = Vec::new();
    let received = choices(value_of(values, "received"));
    let needed = choices(value_of(values, "needed"));
    let catalog = services::catalog();
    for code in received.iter().filter(|c| needed.contains(c)) {
        issues.push(issue(
            "needed",
            Severity::Error,
            format!("服务“{code}”不能同时为已享受和尚需协调"),
        ));
    }
    for (field, codes) in [("received", &received), ("needed", &needed)] {
        for code in codes {
            if catalog.iter().any(|s| &s.code == code && s.placeholder) {
                issues.push(issue(
                    field,
                    Severity::Warning,
                    format!("“{code}”是待补充的占位项目，请以正式清单为准"),
                ));
            }
        }
    }
    FormEvaluation {
        hidden: vec![],
        computed: vec![],
        issues,
    }
}
