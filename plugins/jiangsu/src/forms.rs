//! Jiangsu forms: the 五清 child file and the 留守儿童 entrusted-care record.

use hutong_plugin_sdk::national;
use hutong_plugin_sdk::prelude::*;

pub const WUQING: &str = "wuqing";
pub const ENTRUSTED: &str = "entrusted-care";

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

fn under(parent_code: &str, code: &str, label: &str) -> Choice {
    Choice {
        parent_code: parent_code.into(),
        ..choice(code, label)
    }
}

/// School stages; the stored code is the core's schooling text.
const STAGES: &[&str] = &["未入学", "在园", "小学", "初中", "高中", "中职", "辍学"];

/// Grade options, each shown only under its stage (cascading choice).
fn grades() -> Vec<Choice> {
    let mut out = Vec::new();
    for (stage, n, prefix) in [
        ("小学", 6, ""),
        ("初中", 3, "初"),
        ("高中", 3, "高"),
        ("中职", 3, "中职"),
    ] {
        for g in 1..=n {
            let label = match prefix {
                "" => format!("{}年级", ["一", "二", "三", "四", "五", "六"][g - 1]),
                p => format!("{p}{}", ["一", "二", "三"][g - 1]),
            };
            out.push(under(stage, &format!("{stage}-{g}"), &label));
        }
    }
    out
}

fn member_relations() -> Vec<Choice> {
    ["父母", "祖父母或外祖父母", "兄弟姐妹", "其他亲属", "其他"]
        .iter()
        .map(|l| choice(l, l))
        .collect()
}

fn occupations() -> Vec<Choice> {
    [
        "务工",
        "务农",
        "固定工作",
        "无工作",
        "离退休人员",
        "在读",
        "其他",
    ]
    .iter()
    .map(|l| choice(l, l))
    .collect()
}

pub fn wuqing() -> FormDef {
    let f = FieldBuilder::new;
    FormBuilder::new(WUQING, "1", "一人一档“五清”信息表（示例）")
        .description("江苏“五清”：数据清、基本情况清、社会关系清、成长需求清、监护生活医疗教育等重要情况清。字段为示例。")
        .section("data", "一、数据清")
        .field(f("record_date", "采集日期", FieldKind::Date).required())
        .field(
            f("data_source", "信息来源", single(vec![
                choice("home_visit", "入户核查"),
                choice("dept_compare", "部门数据比对"),
                choice("xueji", "学籍库比对"),
                choice("village", "村（居）上报"),
            ]))
            .required(),
        )
        .field(
            f("xueji_checked", "已与教育部门学籍库比对", FieldKind::Boolean)
                .help("江苏要求民政与学籍库比对，及时发现辍学风险"),
        )
        .section("basic", "二、基本情况清")
        .field(f("name", "姓名", FieldKind::Text).required().bind("child.name"))
        .field(f("id_number", "身份证号", FieldKind::IdNumber).required().bind("child.id_number"))
        .field(f("sex", "性别", single(vec![choice("M", "男"), choice("F", "女")])).bind("child.sex"))
        .field(f("birth_date", "出生日期", FieldKind::Date).bind("child.birth_date"))
        .field(f("ethnicity", "民族", FieldKind::Text).bind("child.ethnicity"))
        .field(f("hukou_division", "户籍地", FieldKind::Division).bind("child.hukou_division"))
        .field(f("residence_division", "现居住地", FieldKind::Division).required().bind("child.residence_division"))
        .field(f("phone", "联系电话", FieldKind::Phone).bind("child.phone"))
        .section("social", "三、社会关系清")
        .field(f("members", "家庭成员", FieldKind::RepeatGroup))
        .field(f("member_name", "姓名", FieldKind::Text).group("members").required())
        .field(f("member_relation", "与儿童关系", single(member_relations())).group("members").required())
        .field(f("member_age", "年龄", FieldKind::Integer).group("members"))
        .field(f("member_occupation", "职业", single(occupations())).group("members"))
        .field(f("member_phone", "电话", FieldKind::Phone).group("members"))
        .field(f("guardian_name", "实际监护（照护）人", FieldKind::Text).required())
        .field(f("guardian_phone", "监护（照护）人电话", FieldKind::Phone))
        .section("needs", "四、成长需求清")
        .field(f("needs", "成长需求", multi(vec![
            choice("study", "学业辅导"),
            choice("psych", "心理疏导"),
            choice("rehab", "康复训练与辅具"),
            choice("living", "生活救助"),
            choice("safety", "安全教育"),
            choice("family", "亲情陪伴"),
        ])))
        .field(f("needs_note", "需求说明", FieldKind::LongText))
        .section("key", "五、监护、生活、医疗、教育等重要情况清")
        .field(f("guardianship", "监护情况", single(vec![
            choice("parents", "父母监护"),
            choice("entrusted", "委托照护"),
            choice("relative", "其他亲属监护"),
            choice("none", "无人监护"),
        ])).required())
        .field(f("living", "生活情况", single(vec![
            choice("good", "良好"),
            choice("fair", "一般"),
            choice("hard", "困难"),
        ])))
        .field(f("health", "健康状况", FieldKind::Text).bind("child.health"))
        .field(f("disability_type", "残疾类型", single(vec![
            choice("none", "无"),
            choice("肢体残疾", "肢体残疾"),
            choice("视力残疾", "视力残疾"),
            choice("听力残疾", "听力残疾"),
            choice("言语残疾", "言语残疾"),
            choice("智力残疾", "智力残疾"),
            choice("精神残疾", "精神残疾"),
            choice("多重残疾", "多重残疾"),
        ])).bind("child.disability_type"))
        .field(f("disability_grade", "残疾等级", FieldKind::Integer).bind("child.disability_grade").help("1–4级"))
        .field(f("school_stage", "就学阶段", single(STAGES.iter().map(|s| choice(s, s)).collect())).required().bind("child.schooling"))
        .field(f("school_grade", "年级", FieldKind::SingleChoice(ChoiceField { options: grades(), parent: "school_stage".into() })))
        .field(f("school_name", "学校", FieldKind::Text))
        .build()
}

pub fn entrusted() -> FormDef {
    let f = FieldBuilder::new;
    FormBuilder::new(ENTRUSTED, "1", "农村留守儿童委托照护情况登记表（示例）")
        .description("《未成年人保护法》第二十三条：父母外出务工应委托具有照护能力的成年人照护，书面告知学校和村（居）委会，并至少每周与儿童和受托人联系一次。")
        .section("carer", "受委托照护人")
        .field(f("carer_name", "受托人姓名", FieldKind::Text).required())
        .field(f("carer_relation", "与儿童关系", single(vec![
            choice("PATERNAL_GRANDFATHER", "祖父"),
            choice("PATERNAL_GRANDMOTHER", "祖母"),
            choice("MATERNAL_GRANDFATHER", "外祖父"),
            choice("MATERNAL_GRANDMOTHER", "外祖母"),
            choice("OTHER_RELATIVE", "其他亲属"),
            choice("OTHER", "其他成年人"),
        ])).required())
        .field(f("carer_id_number", "受托人身份证号", FieldKind::IdNumber))
        .field(f("carer_phone", "受托人电话", FieldKind::Phone))
        .field(f("carer_capable", "受托人具有照护能力", FieldKind::Boolean).required()
            .help("未保法第二十二条：不得委托无民事行为能力、有不良嗜好或曾实施侵害等人员"))
        .section("agreement", "委托照护确认")
        .field(f("confirmation_date", "委托照护确认书签订日期", FieldKind::Date).required())
        .field(f("school_notified", "已书面告知学校和村（居）委会", FieldKind::Boolean))
        .field(f("carer_confirmed", "受托人已签字确认", FieldKind::Boolean).required())
        .section("contact", "父母联系情况")
        .field(f("weekly_contact", "父母每周与儿童联系", FieldKind::Boolean).required())
        .field(f("contacts_per_month", "每月联系次数", FieldKind::Integer).help("每周一次约为每月4次"))
        .field(f("no_contact_reason", "未能每周联系的原因", FieldKind::LongText))
        .build()
}

fn issue(field: &str, row: Option<u32>, severity: Severity, message: String) -> FieldIssue {
    FieldIssue {
        field_id: field.into(),
        row,
        severity,
        message,
    }
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Empty) => true,
        Some(Value::Text(s)) => s.trim().is_empty(),
        Some(Value::Choices(c)) => c.is_empty(),
        _ => false,
    }
}

fn text(v: Option<&Value>) -> Option<&str> {
    match v {
        Some(Value::Text(s)) | Some(Value::Choice(s)) => Some(s.as_str()),
        _ => None,
    }
}

/// Required top-level fields that are not hidden and have no value.
fn required(form: &FormDef, values: &[FieldValue], hidden: &[String], out: &mut Vec<FieldIssue>) {
    for fl in &form.fields {
        if fl.required
            && fl.group.is_empty()
            && !hidden.contains(&fl.id)
            && is_blank(value_of(values, &fl.id))
        {
            out.push(issue(
                &fl.id,
                None,
                Severity::Error,
                format!("请填写“{}”", fl.label),
            ));
        }
    }
}

/// A date field: an error if it is not a date or lies after today.
fn date_check(
    values: &[FieldValue],
    field: &str,
    label: &str,
    today: Option<national::NaiveDate>,
    out: &mut Vec<FieldIssue>,
) {
    let Some(s) = text(value_of(values, field)) else {
        return;
    };
    match national::dates::parse_flexible(s) {
        None => out.push(issue(
            field,
            None,
            Severity::Error,
            format!("“{label}”不是有效日期：{s}"),
        )),
        Some(d) if today.is_some_and(|t| d > t) => out.push(issue(
            field,
            None,
            Severity::Error,
            format!("“{label}”晚于今天（{}）", national::dates::format_zh(d)),
        )),
        _ => {}
    }
}

pub fn evaluate(
    form_id: &str,
    values: &[FieldValue],
    ctx: &EvalContext,
) -> Result<FormEvaluation, String> {
    let today = national::dates::parse_flexible(&ctx.today);
    match form_id {
        WUQING => Ok(evaluate_wuqing(values, today)),
        ENTRUSTED => Ok(evaluate_entrusted(values, today)),
        other => Err(format!("未知表单：{other}")),
    }
}

fn evaluate_wuqing(values: &[FieldValue], today: Option<national::NaiveDate>) -> FormEvaluation {
    let mut hidden = Vec::new();
    let mut issues = Vec::new();
    let stage = text(value_of(values, "school_stage"));
    // No grade to choose before school or after dropping out.
    if matches!(stage, None | Some("未入学" | "在园" | "辍学")) {
        hidden.extend(["school_grade".to_string(), "school_name".to_string()]);
    }
    if matches!(
        text(value_of(values, "disability_type")),
        None | Some("none")
    ) {
        hidden.push("disability_grade".into());
    } else {
        match value_of(values, "disability_grade") {
            Some(Value::Integer(1..=4)) => {}
            Some(Value::Integer(g)) => issues.push(issue(
                "disability_grade",
                None,
                Severity::Error,
                format!("残疾等级应为1–4级，填写的是{g}"),
            )),
            _ => issues.push(issue(
                "disability_grade",
                None,
                Severity::Error,
                "已选残疾类型，请填写残疾等级".into(),
            )),
        }
    }
    required(&wuqing(), values, &hidden, &mut issues);
    date_check(values, "record_date", "采集日期", today, &mut issues);
    // Cascading choice: the grade must belong to the chosen stage.
    if let (Some(stage), Some(grade)) = (stage, text(value_of(values, "school_grade")))
        && !hidden.iter().any(|h| h == "school_grade")
        && !grade.starts_with(&format!("{stage}-"))
    {
        issues.push(issue(
            "school_grade",
            None,
            Severity::Error,
            format!("年级“{grade}”不属于就学阶段“{stage}”"),
        ));
    }
    if stage == Some("辍学") {
        issues.push(issue(
            "school_stage",
            None,
            Severity::Warning,
            "辍学：请与教育部门核实学籍并落实劝返复学".into(),
        ));
    }
    if matches!(
        value_of(values, "xueji_checked"),
        Some(Value::Boolean(false)) | None
    ) {
        issues.push(issue(
            "xueji_checked",
            None,
            Severity::Warning,
            "尚未与学籍库比对（数据清）".into(),
        ));
    }
    // Repeat group: every household row needs a name and a relation.
    let rows: Vec<u32> = {
        let mut r: Vec<u32> = values
            .iter()
            .filter_map(|v| {
                if v.field_id.starts_with("member_") {
                    v.row
                } else {
                    None
                }
            })
            .collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    for row in rows {
        let cell = |id: &str| {
            values
                .iter()
                .find(|v| v.field_id == id && v.row == Some(row))
                .map(|v| &v.value)
        };
        for (id, label) in [("member_name", "姓名"), ("member_relation", "与儿童关系")] {
            if is_blank(cell(id)) {
                issues.push(issue(
                    id,
                    Some(row),
                    Severity::Error,
                    format!("家庭成员第{}行缺少{label}", row + 1),
                ));
            }
        }
        if let Some(Value::Integer(age)) = cell("member_age")
            && !(0..=120).contains(age)
        {
            issues.push(issue(
                "member_age",
                Some(row),
                Severity::Error,
                format!("家庭成员第{}行年龄{age}不合理", row + 1),
            ));
        }
    }
    FormEvaluation {
        hidden,
        computed: vec![],
        issues,
    }
}

fn evaluate_entrusted(values: &[FieldValue], today: Option<national::NaiveDate>) -> FormEvaluation {
    let mut hidden = Vec::new();
    let mut issues = Vec::new();
    match value_of(values, "weekly_contact") {
        // The reason is asked only when weekly contact is not kept.
        Some(Value::Boolean(true)) => hidden.push("no_contact_reason".to_string()),
        Some(Value::Boolean(false)) => {
            issues.push(issue(
                "weekly_contact",
                None,
                Severity::Warning,
                "父母未做到每周联系，违反未保法第二十三条，请督促".into(),
            ));
            if is_blank(value_of(values, "no_contact_reason")) {
                issues.push(issue(
                    "no_contact_reason",
                    None,
                    Severity::Error,
                    "请填写未能每周联系的原因".into(),
                ));
            }
        }
        _ => hidden.push("no_contact_reason".to_string()),
    }
    required(&entrusted(), values, &hidden, &mut issues);
    date_check(
        values,
        "confirmation_date",
        "委托照护确认书签订日期",
        today,
        &mut issues,
    );
    match value_of(values, "contacts_per_month") {
        Some(Value::Integer(n)) if *n < 0 => issues.push(issue(
            "contacts_per_month",
            None,
            Severity::Error,
            format!("每月联系次数不能为负数：{n}"),
        )),
        Some(Value::Integer(n)) if *n < 4 => issues.push(issue(
            "contacts_per_month",
            None,
            Severity::Warning,
            format!("每月联系{n}次，少于每周一次（每月4次）"),
        )),
        _ => {}
    }
    if let Some(Value::Boolean(false)) = value_of(values, "carer_capable") {
        issues.push(issue(
            "carer_capable",
            None,
            Severity::Error,
            "受托人不具备照护能力，应另行委托具有照护能力的成年人".into(),
        ));
    }
    if let Some(Value::Boolean(false)) = value_of(values, "carer_confirmed") {
        issues.push(issue(
            "carer_confirmed",
            None,
            Severity::Error,
            "受托人尚未签字确认，委托照护未完成".into(),
        ));
    }
    if let Some(Value::Boolean(false)) = value_of(values, "school_notified") {
        issues.push(issue(
            "school_notified",
            None,
            Severity::Warning,
            "尚未书面告知学校和村（居）委会".into(),
        ));
    }
    FormEvaluation {
        hidden,
        computed: vec![],
        issues,
    }
}
