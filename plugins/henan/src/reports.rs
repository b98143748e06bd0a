//! Henan reports: 流动儿童台账 (roster) and the per-child 关爱服务清单.

use crate::forms;
use crate::services;
use hutong_plugin_sdk::display::{date_zh, relation_zh, sex_zh};
use hutong_plugin_sdk::doc::{bold, style};
use hutong_plugin_sdk::migrant_monitor::priority_reasons;
use hutong_plugin_sdk::prelude::*;

pub const ROSTER: &str = "migrant-roster";
pub const SERVICE_LIST: &str = "service-list";

pub fn templates() -> Vec<TemplateInfo> {
    vec![
        TemplateInfo {
            id: ROSTER.into(),
            name: "流动儿童台账".into(),
            kind: TemplateKind::Roster,
        },
        TemplateInfo {
            id: SERVICE_LIST.into(),
            name: "流动儿童关爱服务清单".into(),
            kind: TemplateKind::OneChild,
        },
    ]
}

pub fn render(template_id: &str, input: &ReportInput) -> Result<Document, String> {
    match template_id {
        ROSTER => Ok(roster(input)),
        SERVICE_LIST => service_list(input),
        other => Err(format!("未知报表模板：{other}")),
    }
}

fn body() -> TextStyle {
    style(FontRole::Song, 10.5)
}

fn title(d: &mut DocBuilder, text: &str, input: &ReportInput) {
    d.heading(1, text, bold(FontRole::XiaoBiaoSong, 18.0), Align::Center);
    d.paragraph(
        "河南省流动儿童关爱服务（示例格式，非官方表样）",
        style(FontRole::Kai, 10.5),
        Align::Center,
    );
    let mut line = Vec::new();
    if !input.county_name.is_empty() {
        line.push(format!("县（市、区）：{}", input.county_name));
    }
    if !input.office_name.is_empty() {
        line.push(format!("填报单位：{}", input.office_name));
    }
    line.push(format!("填报日期：{}", date_zh(&input.today)));
    d.paragraph(&line.join("　　"), body(), Align::Left);
}

fn saved<'a>(c: &'a ChildSnapshot, form_id: &str, field: &str) -> Option<&'a Value> {
    c.forms
        .iter()
        .find(|f| f.form_id == form_id)
        .and_then(|f| value_of(&f.values, field))
}

fn saved_text(c: &ChildSnapshot, form_id: &str, field: &str) -> String {
    match saved(c, form_id, field) {
        Some(Value::Text(s)) => s.clone(),
        Some(Value::Choice(s)) => s.clone(),
        _ => String::new(),
    }
}

fn saved_codes(c: &ChildSnapshot, form_id: &str, field: &str) -> Vec<String> {
    match saved(c, form_id, field) {
        Some(Value::Choices(v)) => v.clone(),
        _ => vec![],
    }
}

fn flow_with(code: &str) -> &str {
    match code {
        "both_parents" => "随父母双方",
        "one_parent" => "随父母一方",
        "other_guardian" => "随其他监护人",
        other => other,
    }
}

fn roster(input: &ReportInput) -> Document {
    let heading = "流动儿童台账";
    let mut d = DocBuilder::new(heading);
    d.page().orientation = Orientation::Landscape;
    d.page().margins = Margins {
        top_mm: 20.0,
        bottom_mm: 20.0,
        left_mm: 15.0,
        right_mm: 15.0,
    };
    title(&mut d, heading, input);
    let mut rows = vec![
        [
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "户籍地",
            "现居住地",
            "来本地日期",
            "随迁情况",
            "重点关爱情形",
            "监护人电话",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut priority_count = 0;
    for (i, c) in input.children.iter().enumerate() {
        let reasons = priority_reasons(c, &forms::facts(c));
        if !reasons.is_empty() {
            priority_count += 1;
        }
        rows.push(vec![
            (i + 1).to_string(),
            c.name.clone(),
            sex_zh(&c.sex).into(),
            date_zh(&c.birth_date),
            c.id_number.clone(),
            c.hukou_division.clone(),
            c.residence_name.clone(),
            date_zh(&saved_text(c, forms::MIGRANT, "arrived_on")),
            flow_with(&saved_text(c, forms::MIGRANT, "flow_with")).to_string(),
            reasons
                .iter()
                .map(|r| r.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
            saved_text(c, forms::MIGRANT, "guardian_phone"),
        ]);
    }
    d.table(
        &[
            0.04, 0.07, 0.04, 0.1, 0.14, 0.1, 0.16, 0.09, 0.08, 0.1, 0.08,
        ],
        1,
        &rows,
        style(FontRole::Song, 8.5),
    );
    d.paragraph(
        &format!(
            "共{}人，其中重点关爱服务对象{}人。台账至少每半年更新一次。",
            input.children.len(),
            priority_count
        ),
        body(),
        Align::Left,
    );
    d.signatures(
        &[
            ("填报人", SignatureKind::Signature),
            ("审核人", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        body(),
    );
    d.build()
}

fn service_list(input: &ReportInput) -> Result<Document, String> {
    let c = input
        .children
        .first()
        .ok_or_else(|| "报表需要一名儿童（children 为空）".to_string())?;
    let mut d = DocBuilder::new(&format!("关爱服务清单 {}", c.name));
    title(&mut d, "流动儿童在居住地享有关爱服务清单", input);
    let birth = date_zh(&c.birth_date);
    let guardian = c
        .relations
        .iter()
        .filter(|r| r.is_guardian)
        .map(|r| relation_zh(&r.relation))
        .collect::<Vec<_>>()
        .join("、");
    let reasons = priority_reasons(c, &forms::facts(c));
    let priority = if reasons.is_empty() {
        "否".to_string()
    } else {
        format!(
            "是（{}）",
            reasons
                .iter()
                .map(|r| r.label_zh())
                .collect::<Vec<_>>()
                .join("、")
        )
    };
    d.key_values(
        2,
        &[
            ("儿童姓名", c.name.as_str()),
            ("性别", sex_zh(&c.sex)),
            ("出生日期", birth.as_str()),
            ("身份证号", c.id_number.as_str()),
            ("现居住地", c.residence_name.as_str()),
            ("监护人", guardian.as_str()),
            ("重点关爱服务对象", priority.as_str()),
            ("户籍地代码", c.hukou_division.as_str()),
        ],
        style(FontRole::Song, 11.0),
    );
    let received = saved_codes(c, forms::SERVICES, "received");
    let needed = saved_codes(c, forms::SERVICES, "needed");
    let mut rows = vec![
        ["序号", "服务领域", "服务项目", "责任部门", "落实情况"]
            .map(String::from)
            .to_vec(),
    ];
    for (i, s) in services::catalog().iter().enumerate() {
        let state = if received.contains(&s.code) {
            "已享受"
        } else if needed.contains(&s.code) {
            "需协调"
        } else {
            ""
        };
        rows.push(vec![
            (i + 1).to_string(),
            s.area.clone(),
            s.name.clone(),
            s.department.clone(),
            state.into(),
        ]);
    }
    d.table(
        &[0.07, 0.13, 0.5, 0.16, 0.14],
        1,
        &rows,
        style(FontRole::Song, 10.0),
    );
    d.paragraph(
        "说明：清单共6个领域19项，依据《河南省流动儿童在居住地享有关爱服务基础清单（第二版）》公开报道概括；标“（待补充）”者为占位项目，须以正式文件替换。",
        style(FontRole::Kai, 9.5),
        Align::Left,
    );
    d.signatures(
        &[
            ("儿童主任", SignatureKind::Signature),
            ("监护人", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    Ok(d.build())
}
