//! 西藏 forms: PSC-17 心理筛查 (the saved answers the report reads) and
//! 圆梦微心愿 (日喀则 practice, DOMAIN §0.1).
//!
//! Tibetan labels (`label_alt`, `title_alt`) are left empty on purpose: no
//! reviewed Tibetan wording is available and a wrong label is worse than
//! none. The child's *name* is bilingual: the two name fields bind to the
//! core "child.name" and "child.name_alt".

use crate::psc17;
use hutong_plugin_sdk::prelude::*;

pub const PSC_FORM: &str = "psc17";
pub const WISH_FORM: &str = "wish";

/// 示例 cap: a 微心愿 is small; larger sums are usually another programme.
pub const WISH_AMOUNT_WARN: f64 = 500.0;

pub fn name_fields(b: FormBuilder) -> FormBuilder {
    b.field(
        FieldBuilder::new("child_name", "儿童姓名（汉文）", FieldKind::Text)
            .required()
            .bind("child.name"),
    )
    .field(
        FieldBuilder::new("child_name_alt", "儿童姓名（藏文）", FieldKind::Text)
            .help("藏文姓名，如 ཚེ་རིང་སྒྲོལ་མ；没有则留空")
            .bind("child.name_alt"),
    )
}

fn single(options: &[(&str, &str)]) -> FieldKind {
    FieldKind::SingleChoice(ChoiceField {
        options: options.iter().map(|(c, l)| choice(c, l)).collect(),
        parent: String::new(),
    })
}

pub const WISH_CATEGORIES: [(&str, &str); 6] = [
    ("study", "学习用品"),
    ("books", "图书"),
    ("clothing", "衣物鞋帽"),
    ("daily", "生活用品"),
    ("sport", "体育文娱"),
    ("other", "其他"),
];

pub const WISH_STATUS: [(&str, &str); 4] = [
    ("open", "待认领"),
    ("claimed", "已认领"),
    ("fulfilled", "已实现"),
    ("cancelled", "已取消"),
];

pub fn label_of(table: &[(&str, &str)], code: &str) -> String {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| (*l).to_string())
        .unwrap_or_else(|| code.to_string())
}

pub fn forms() -> Vec<FormDef> {
    let mut psc = name_fields(
        FormBuilder::new(PSC_FORM, "1", "儿童心理筛查（PSC-17）")
            .description("由家长或照护人按近期情况填写。仅为筛查，不作诊断。")
            .section("who", "基本信息"),
    )
    .field(FieldBuilder::new("screen_date", "筛查日期", FieldKind::Date).required())
    .field(FieldBuilder::new("informant", "填表人", FieldKind::Text).required())
    .field(FieldBuilder::new(
        "informant_relation",
        "填表人与儿童关系",
        FieldKind::Text,
    ))
    .section("items", "题目（0 从不 / 1 有时 / 2 经常）");
    for (id, text, _) in psc17::ITEMS {
        psc = psc.field(
            FieldBuilder::new(
                id,
                text,
                FieldKind::SingleChoice(ChoiceField {
                    options: psc17::options(),
                    parent: String::new(),
                }),
            )
            .required(),
        );
    }
    let psc = psc
        .section("result", "结果（自动计算）")
        .field(FieldBuilder::new("psc_total", "总分", FieldKind::Integer))
        .field(FieldBuilder::new("psc_result", "筛查结果", FieldKind::Text))
        .build();

    let wish = name_fields(
        FormBuilder::new(WISH_FORM, "1", "圆梦微心愿登记")
            .description("登记儿童的微心愿，记录认领与实现情况（示例）。")
            .section("child", "儿童"),
    )
    .section("wish", "心愿")
    .field(FieldBuilder::new("wish_text", "心愿内容", FieldKind::LongText).required())
    .field(FieldBuilder::new("category", "心愿类别", single(&WISH_CATEGORIES)).required())
    .field(FieldBuilder::new(
        "category_other",
        "其他类别说明",
        FieldKind::Text,
    ))
    .field(
        FieldBuilder::new("amount", "估计金额（元）", FieldKind::Decimal)
            .required()
            .help("示例：超过500元会提示核实"),
    )
    .field(FieldBuilder::new("registered_on", "登记日期", FieldKind::Date).required())
    .section("claim", "认领与实现")
    .field(FieldBuilder::new("status", "状态", single(&WISH_STATUS)).required())
    .field(FieldBuilder::new(
        "sponsor",
        "认领单位或个人",
        FieldKind::Text,
    ))
    .field(FieldBuilder::new(
        "sponsor_phone",
        "认领方电话",
        FieldKind::Phone,
    ))
    .field(FieldBuilder::new("claimed_on", "认领日期", FieldKind::Date))
    .field(FieldBuilder::new(
        "fulfilled_on",
        "实现日期",
        FieldKind::Date,
    ))
    .field(FieldBuilder::new(
        "note",
        "实现情况或取消原因",
        FieldKind::LongText,
    ))
    .build();
    vec![psc, wish]
}

/// The text of a value, for printing and checks (empty when absent).
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

/// A date field: parsed, or an error when present but unreadable.
fn date(
    values: &[FieldValue],
    id: &str,
    label: &str,
    issues: &mut Vec<FieldIssue>,
) -> Option<national::NaiveDate> {
    let s = text(values, id);
    if s.is_empty() {
        return None;
    }
    let d = national::dates::parse_flexible(&s);
    if d.is_none() {
        issue(
            issues,
            id,
            Severity::Error,
            format!("{label}“{s}”不是有效日期"),
        );
    }
    d
}

fn required(values: &[FieldValue], id: &str, label: &str, issues: &mut Vec<FieldIssue>) {
    if text(values, id).is_empty() {
        issue(issues, id, Severity::Error, format!("请填写{label}"));
    }
}

fn not_future(
    d: Option<national::NaiveDate>,
    today: Option<national::NaiveDate>,
    id: &str,
    label: &str,
    issues: &mut Vec<FieldIssue>,
) {
    if let (Some(d), Some(t)) = (d, today)
        && d > t
    {
        issue(issues, id, Severity::Error, format!("{label}不能晚于今天"));
    }
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
        PSC_FORM => {
            required(values, "child_name", "儿童姓名（汉文）", &mut issues);
            required(values, "informant", "填表人", &mut issues);
            required(values, "screen_date", "筛查日期", &mut issues);
            let d = date(values, "screen_date", "筛查日期", &mut issues);
            not_future(d, today, "screen_date", "筛查日期", &mut issues);
            let mut answers = Vec::new();
            for (id, text_zh, _) in psc17::ITEMS {
                let code = text(values, id);
                if code.is_empty() {
                    issue(
                        &mut issues,
                        id,
                        Severity::Error,
                        format!("题目“{text_zh}”未作答"),
                    );
                } else {
                    answers.push((id, code));
                }
            }
            if answers.len() == psc17::ITEMS.len() {
                let r = psc17::score(answers.iter().map(|(i, c)| (*i, c.as_str())))?;
                computed.push(FieldValue {
                    field_id: "psc_total".into(),
                    row: None,
                    value: Value::Integer(i64::from(r.total)),
                });
                let positive = r.positive();
                computed.push(FieldValue {
                    field_id: "psc_result".into(),
                    row: None,
                    value: Value::Text(
                        if positive {
                            "阳性（建议转介进一步评估）"
                        } else {
                            "阴性"
                        }
                        .into(),
                    ),
                });
                if positive {
                    issue(
                        &mut issues,
                        "psc_result",
                        Severity::Warning,
                        "筛查阳性：请在台账中登记并转介心理咨询站进一步评估".into(),
                    );
                }
            }
        }
        WISH_FORM => {
            required(values, "child_name", "儿童姓名（汉文）", &mut issues);
            required(values, "wish_text", "心愿内容", &mut issues);
            let wish = text(values, "wish_text");
            if wish.chars().count() > 100 {
                issue(
                    &mut issues,
                    "wish_text",
                    Severity::Warning,
                    "心愿内容超过100字，微心愿宜简短具体".into(),
                );
            }
            let category = text(values, "category");
            if category.is_empty() {
                issue(
                    &mut issues,
                    "category",
                    Severity::Error,
                    "请选择心愿类别".into(),
                );
            }
            if category == "other" {
                required(values, "category_other", "其他类别说明", &mut issues);
            } else {
                hidden.push("category_other".to_string());
            }
            let amount = match value_of(values, "amount") {
                Some(Value::Decimal(a)) => Some(*a),
                Some(Value::Integer(a)) => Some(*a as f64),
                _ => None,
            };
            match amount {
                None => issue(
                    &mut issues,
                    "amount",
                    Severity::Error,
                    "请填写估计金额（元）".into(),
                ),
                Some(a) if a.is_nan() || a <= 0.0 => issue(
                    &mut issues,
                    "amount",
                    Severity::Error,
                    "估计金额应大于0元".into(),
                ),
                Some(a) if a > WISH_AMOUNT_WARN => issue(
                    &mut issues,
                    "amount",
                    Severity::Warning,
                    format!(
                        "估计金额{a}元，超过微心愿一般上限{WISH_AMOUNT_WARN}元（示例），请核实"
                    ),
                ),
                Some(_) => {}
            }
            required(values, "registered_on", "登记日期", &mut issues);
            let registered = date(values, "registered_on", "登记日期", &mut issues);
            not_future(registered, today, "registered_on", "登记日期", &mut issues);
            let claimed = date(values, "claimed_on", "认领日期", &mut issues);
            let fulfilled = date(values, "fulfilled_on", "实现日期", &mut issues);
            // Which claim fields show follows the wish's life cycle.
            match text(values, "status").as_str() {
                "open" => hidden.extend(
                    [
                        "sponsor",
                        "sponsor_phone",
                        "claimed_on",
                        "fulfilled_on",
                        "note",
                    ]
                    .map(String::from),
                ),
                "claimed" => {
                    hidden.extend(["fulfilled_on", "note"].map(String::from));
                    required(values, "sponsor", "认领单位或个人", &mut issues);
                    required(values, "claimed_on", "认领日期", &mut issues);
                }
                "fulfilled" => {
                    required(values, "sponsor", "认领单位或个人", &mut issues);
                    required(values, "claimed_on", "认领日期", &mut issues);
                    required(values, "fulfilled_on", "实现日期", &mut issues);
                    if text(values, "note").is_empty() {
                        issue(
                            &mut issues,
                            "note",
                            Severity::Warning,
                            "建议简要记录实现情况（如物品发放、合影回访）".into(),
                        );
                    }
                }
                "cancelled" => {
                    hidden.extend(
                        ["sponsor", "sponsor_phone", "claimed_on", "fulfilled_on"]
                            .map(String::from),
                    );
                    required(values, "note", "取消原因", &mut issues);
                }
                "" => issue(&mut issues, "status", Severity::Error, "请选择状态".into()),
                other => issue(
                    &mut issues,
                    "status",
                    Severity::Error,
                    format!("状态“{other}”无效"),
                ),
            }
            let shown = |id: &str| !hidden.iter().any(|h| h == id);
            if shown("claimed_on") {
                not_future(claimed, today, "claimed_on", "认领日期", &mut issues);
                if let (Some(r), Some(c)) = (registered, claimed)
                    && c < r
                {
                    issue(
                        &mut issues,
                        "claimed_on",
                        Severity::Error,
                        "认领日期早于登记日期".into(),
                    );
                }
            }
            if shown("fulfilled_on") {
                not_future(fulfilled, today, "fulfilled_on", "实现日期", &mut issues);
                if let (Some(c), Some(f)) = (claimed, fulfilled)
                    && f < c
                {
                    issue(
                        &mut issues,
                        "fulfilled_on",
                        Severity::Error,
                        "实现日期早于认领日期".into(),
                    );
                }
            }
            issues.retain(|i| shown(&i.field_id));
        }
        other => return Err(format!("未知表单：{other}")),
    }
    Ok(FormEvaluation {
        hidden,
        computed,
        issues,
    })
}
