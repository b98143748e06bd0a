//! Jiangsu report templates: 一人一档档案表, 走访记录表, 四色评估表, 村级花名册.

use crate::forms;
use crate::scale;
use hutong_plugin_sdk::display::{
    categories_zh, date_zh, relation_zh, sex_zh, situation_zh, visit_mode_zh,
};
use hutong_plugin_sdk::doc::{bold, style};
use hutong_plugin_sdk::prelude::*;

pub const DOSSIER: &str = "dossier";
pub const VISITS: &str = "visits";
pub const ASSESSMENT: &str = "four-colour-sheet";
pub const ROSTER: &str = "village-roster";

pub fn templates() -> Vec<TemplateInfo> {
    [
        (DOSSIER, "一人一档档案表", TemplateKind::OneChild),
        (VISITS, "走访记录表", TemplateKind::OneVisit),
        (ASSESSMENT, "四色管理评估表", TemplateKind::OneChild),
        (ROSTER, "村级花名册", TemplateKind::Roster),
    ]
    .into_iter()
    .map(|(id, name, kind)| TemplateInfo {
        id: id.into(),
        name: name.into(),
        kind,
    })
    .collect()
}

pub fn render(template_id: &str, input: &ReportInput) -> Result<Document, String> {
    match template_id {
        DOSSIER => dossier(input),
        VISITS => visits(input),
        ASSESSMENT => assessment(input),
        ROSTER => Ok(roster(input)),
        other => Err(format!("未知报表模板：{other}")),
    }
}

fn body() -> TextStyle {
    style(FontRole::Song, 10.5)
}

fn param<'a>(input: &'a ReportInput, key: &str) -> Option<&'a str> {
    input
        .params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn first_child(input: &ReportInput) -> Result<&ChildSnapshot, String> {
    input
        .children
        .first()
        .ok_or_else(|| "报表需要一名儿童（children 为空）".to_string())
}

/// Title block shared by every Jiangsu report: title, 示例 note, office line.
fn title(d: &mut DocBuilder, text: &str, input: &ReportInput) {
    d.heading(1, text, bold(FontRole::XiaoBiaoSong, 18.0), Align::Center);
    d.paragraph(
        "江苏省农村留守儿童和困境儿童关爱服务（示例格式，非官方表样）",
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
    line.push(format!("打印日期：{}", date_zh(&input.today)));
    d.paragraph(&line.join("　　"), body(), Align::Left);
}

fn disability(c: &ChildSnapshot) -> String {
    match c.disability_grade {
        Some(g) => format!("{}{}级", c.disability_type, g),
        None if c.disability_type.is_empty() => "无".into(),
        None => c.disability_type.clone(),
    }
}

fn basics(d: &mut DocBuilder, c: &ChildSnapshot) {
    let cats = categories_zh(&c.categories);
    let birth = date_zh(&c.birth_date);
    let dis = disability(c);
    d.key_values(
        2,
        &[
            ("姓名", c.name.as_str()),
            ("性别", sex_zh(&c.sex)),
            ("身份证号", c.id_number.as_str()),
            ("出生日期", birth.as_str()),
            ("民族", c.ethnicity.as_str()),
            ("儿童类别", cats.as_str()),
            ("就学情况", c.schooling.as_str()),
            ("健康状况", c.health.as_str()),
            ("残疾类型等级", dis.as_str()),
            ("户籍地代码", c.hukou_division.as_str()),
            ("现居住地", c.residence_name.as_str()),
            ("居住地代码", c.residence_division.as_str()),
        ],
        style(FontRole::Song, 11.0),
    );
}

/// A stored value as the reader should see it: choice codes as labels.
fn shown(form: &FormDef, field_id: &str, v: &Value) -> String {
    let options = form
        .fields
        .iter()
        .find(|f| f.id == field_id)
        .and_then(|f| match &f.kind {
            FieldKind::SingleChoice(c) | FieldKind::MultiChoice(c) => Some(&c.options),
            _ => None,
        });
    let label = |code: &str| {
        options
            .and_then(|o| o.iter().find(|c| c.code == code))
            .map(|c| c.label.clone())
            .unwrap_or_else(|| code.to_string())
    };
    match v {
        Value::Empty => String::new(),
        Value::Text(s) => date_zh(s),
        Value::Integer(i) => i.to_string(),
        Value::Decimal(x) => x.to_string(),
        Value::Boolean(b) => if *b { "是" } else { "否" }.into(),
        Value::Choice(c) => label(c),
        Value::Choices(cs) => cs.iter().map(|c| label(c)).collect::<Vec<_>>().join("、"),
    }
}

fn saved<'a>(c: &'a ChildSnapshot, form_id: &str) -> Option<&'a [FieldValue]> {
    c.forms
        .iter()
        .find(|f| f.form_id == form_id)
        .map(|f| f.values.as_slice())
}

fn dossier(input: &ReportInput) -> Result<Document, String> {
    let c = first_child(input)?;
    let mut d = DocBuilder::new(&format!("一人一档档案表 {}", c.name));
    title(&mut d, "一人一档档案表", input);
    let h2 = bold(FontRole::Hei, 12.0);
    d.heading(2, "一、基本情况", h2, Align::Left);
    basics(&mut d, c);

    d.heading(2, "二、家庭成员与监护情况", h2, Align::Left);
    let mut rows = vec![
        [
            "关系",
            "监护人",
            "受托照护人",
            "父母情形",
            "情形起止",
            "职业",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in &c.relations {
        let span = match (&r.situation_since, &r.situation_until) {
            (Some(a), Some(b)) => format!("{}至{}", date_zh(a), date_zh(b)),
            (Some(a), None) => format!("{}起", date_zh(a)),
            _ => String::new(),
        };
        rows.push(vec![
            relation_zh(&r.relation).to_string(),
            if r.is_guardian { "是" } else { "" }.into(),
            match (&r.is_entrusted_carer, &r.entrustment_confirmed_on) {
                (true, Some(on)) => format!("是（确认书{}）", date_zh(on)),
                (true, None) => "是".into(),
                _ => String::new(),
            },
            situation_zh(&r.situation),
            span,
            r.occupation.clone(),
        ]);
    }
    if rows.len() == 1 {
        rows.push(vec![
            "（未登记）".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ]);
    }
    d.table(&[0.12, 0.1, 0.22, 0.2, 0.24, 0.12], 1, &rows, body());

    d.heading(2, "三、“五清”信息", h2, Align::Left);
    match saved(c, forms::WUQING) {
        Some(values) => {
            let form = forms::wuqing();
            let mut items: Vec<(String, String)> = Vec::new();
            for f in form.fields.iter().filter(|f| {
                f.group.is_empty()
                    && !matches!(f.kind, FieldKind::RepeatGroup)
                    && f.core_binding.is_empty()
            }) {
                if let Some(v) = value_of(values, &f.id) {
                    items.push((f.label.clone(), shown(&form, &f.id, v)));
                }
            }
            let pairs: Vec<(&str, &str)> = items
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            d.key_values(2, &pairs, style(FontRole::Song, 11.0));
            let member_fields = [
                "member_name",
                "member_relation",
                "member_age",
                "member_occupation",
                "member_phone",
            ];
            let mut members = vec![
                ["姓名", "与儿童关系", "年龄", "职业", "电话"]
                    .map(String::from)
                    .to_vec(),
            ];
            let mut row = 0u32;
            while values.iter().any(|v| v.row == Some(row)) {
                members.push(
                    member_fields
                        .iter()
                        .map(|id| {
                            values
                                .iter()
                                .find(|v| v.field_id == *id && v.row == Some(row))
                                .map(|v| shown(&form, id, &v.value))
                                .unwrap_or_default()
                        })
                        .collect(),
                );
                row += 1;
            }
            if members.len() > 1 {
                d.paragraph("家庭成员：", bold(FontRole::Song, 10.5), Align::Left);
                d.table(&[0.2, 0.22, 0.12, 0.2, 0.26], 1, &members, body());
            }
        }
        None => d.paragraph("尚未填写“五清”信息表。", body(), Align::Left),
    }

    d.heading(2, "四、最近走访", h2, Align::Left);
    visit_table(&mut d, c, 5);
    d.signatures(
        &[
            ("儿童主任", SignatureKind::Signature),
            ("儿童督导员", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    Ok(d.build())
}

/// The child's latest `limit` visits, newest first.
fn visit_table(d: &mut DocBuilder, c: &ChildSnapshot, limit: usize) {
    let mut visits: Vec<&VisitSnapshot> = c.visits.iter().collect();
    visits.sort_by(|a, b| b.date.cmp(&a.date));
    if visits.is_empty() {
        d.paragraph("暂无走访记录。", body(), Align::Left);
        return;
    }
    let mut rows = vec![
        ["走访日期", "方式", "走访人", "走访发现与跟进"]
            .map(String::from)
            .to_vec(),
    ];
    for v in visits.into_iter().take(limit) {
        rows.push(vec![
            date_zh(&v.date),
            visit_mode_zh(&v.mode).to_string(),
            v.visitor.clone(),
            v.findings.clone(),
        ]);
    }
    d.table(&[0.2, 0.14, 0.16, 0.5], 1, &rows, body());
}

fn visits(input: &ReportInput) -> Result<Document, String> {
    let c = first_child(input)?;
    let mut d = DocBuilder::new(&format!("走访记录表 {}", c.name));
    title(&mut d, "走访记录表", input);
    let birth = date_zh(&c.birth_date);
    let cats = categories_zh(&c.categories);
    d.key_values(
        2,
        &[
            ("儿童姓名", c.name.as_str()),
            ("出生日期", birth.as_str()),
            ("儿童类别", cats.as_str()),
            ("现居住地", c.residence_name.as_str()),
        ],
        style(FontRole::Song, 11.0),
    );
    // One visit in full when the host names its date; otherwise the log.
    match param(input, "visit_date") {
        Some(day) => {
            let v = c
                .visits
                .iter()
                .find(|v| v.date == day)
                .ok_or_else(|| format!("{}没有{}的走访记录", c.name, date_zh(day)))?;
            let when = date_zh(&v.date);
            d.key_values(
                2,
                &[
                    ("走访日期", when.as_str()),
                    ("走访方式", visit_mode_zh(&v.mode)),
                    ("走访人", v.visitor.as_str()),
                    ("走访频次", "一月一访（江苏）"),
                ],
                style(FontRole::Song, 11.0),
            );
            d.heading(2, "走访发现与跟进", bold(FontRole::Hei, 12.0), Align::Left);
            d.paragraph(&v.findings, style(FontRole::Song, 11.0), Align::Justify);
        }
        None => {
            d.paragraph(
                "走访频次：一月一访；按四色评估结果加密走访（示例）。",
                body(),
                Align::Left,
            );
            visit_table(&mut d, c, usize::MAX);
        }
    }
    d.signatures(
        &[
            ("走访人", SignatureKind::Signature),
            ("被访人", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    Ok(d.build())
}

fn assessment(input: &ReportInput) -> Result<Document, String> {
    let c = first_child(input)?;
    let mut d = DocBuilder::new(&format!("四色管理评估表 {}", c.name));
    title(&mut d, "四色管理评估表", input);
    let birth = date_zh(&c.birth_date);
    d.key_values(
        2,
        &[
            ("儿童姓名", c.name.as_str()),
            ("出生日期", birth.as_str()),
            ("身份证号", c.id_number.as_str()),
            ("现居住地", c.residence_name.as_str()),
        ],
        style(FontRole::Song, 11.0),
    );
    // Answers may come as params keyed by item id (a filled sheet);
    // without them the sheet prints blank for paper use.
    let answers: Vec<Answer> = scale::ITEMS
        .iter()
        .filter_map(|i| {
            param(input, i.id).map(|code| Answer {
                item_id: i.id.into(),
                code: code.into(),
            })
        })
        .collect();
    let result = if answers.is_empty() {
        None
    } else {
        Some(scale::assess(&AssessInput {
            today: input.today.clone(),
            answers: answers.clone(),
            child: None,
        })?)
    };
    let small = style(FontRole::Song, 10.0);
    for dim in [scale::GUARDIAN, scale::PHYSICAL, scale::BEHAVIOUR] {
        d.heading(2, dim, bold(FontRole::Hei, 12.0), Align::Left);
        for item in scale::ITEMS.iter().filter(|i| i.group == dim) {
            let chosen = answers
                .iter()
                .find(|a| a.item_id == item.id)
                .map(|a| a.code.as_str());
            let labels: Vec<String> = item
                .options
                .iter()
                .map(|(_, label, pts)| format!("{label}（{pts}分）"))
                .collect();
            let opts: Vec<(&str, bool)> = item
                .options
                .iter()
                .zip(&labels)
                .map(|((code, _, _), l)| (l.as_str(), chosen == Some(*code)))
                .collect();
            d.checkboxes(Some(item.text), &opts, small);
        }
    }
    d.heading(2, "评估结果", bold(FontRole::Hei, 12.0), Align::Left);
    let colours: Vec<(&str, bool)> = scale::TIERS
        .iter()
        .map(|t| {
            (
                t.label,
                result.as_ref().is_some_and(|r| r.level_code == t.code),
            )
        })
        .collect();
    d.checkboxes(Some("颜色等级"), &colours, style(FontRole::Song, 11.0));
    if let Some(r) = &result {
        let subs: Vec<String> = r
            .sub_scores
            .iter()
            .map(|s| format!("{}{}分", s.name, s.value))
            .collect();
        d.paragraph(
            &format!(
                "总分：{}分（{}）；下次走访：{}天内。",
                r.score.unwrap_or(0.0),
                subs.join("，"),
                r.next_visit_days.unwrap_or(30)
            ),
            style(FontRole::Song, 11.0),
            Align::Left,
        );
        for reason in &r.reasons {
            d.paragraph(&format!("· {reason}"), body(), Align::Left);
        }
    }
    d.paragraph(
        "判定规则（示例）：任一红色警示项、总分≥10或两个维度≥3分为红色，7天内走访；一个维度≥3分或总分≥5为黄色，14天内走访；其余有得分为蓝色、0分为绿色，一月一访。",
        style(FontRole::Kai, 10.0),
        Align::Left,
    );
    d.signatures(
        &[
            ("评估人", SignatureKind::Signature),
            ("儿童督导员审核", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    Ok(d.build())
}

fn carer(c: &ChildSnapshot) -> String {
    c.relations
        .iter()
        .find(|r| r.is_entrusted_carer)
        .or_else(|| c.relations.iter().find(|r| r.is_guardian))
        .map(|r| relation_zh(&r.relation).to_string())
        .unwrap_or_default()
}

fn parents(c: &ChildSnapshot) -> String {
    c.relations
        .iter()
        .filter(|r| r.relation == "FATHER" || r.relation == "MOTHER")
        .filter_map(|r| {
            let what = if !r.situation.is_empty() {
                situation_zh(&r.situation)
            } else if !r.occupation.is_empty() {
                r.occupation.clone()
            } else {
                return None;
            };
            Some(format!("{}{}", relation_zh(&r.relation), what))
        })
        .collect::<Vec<_>>()
        .join("，")
}

fn roster(input: &ReportInput) -> Document {
    // The village is named by the host, else by the last part of the first
    // child's residence path (e.g. "鱼范村委会").
    let village = param(input, "village")
        .map(str::to_string)
        .or_else(|| {
            input.children.first().and_then(|c| {
                c.residence_name
                    .split_whitespace()
                    .last()
                    .map(str::to_string)
            })
        })
        .unwrap_or_default();
    let heading = format!("{village}农村留守儿童和困境儿童花名册");
    let mut d = DocBuilder::new(&heading);
    d.page().orientation = Orientation::Landscape;
    d.page().margins = Margins {
        top_mm: 20.0,
        bottom_mm: 20.0,
        left_mm: 15.0,
        right_mm: 15.0,
    };
    title(&mut d, &heading, input);
    let mut rows = vec![
        [
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号",
            "儿童类别",
            "监护（照护）人",
            "父母情况",
            "最近走访",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for (i, c) in input.children.iter().enumerate() {
        let last = c
            .visits
            .iter()
            .map(|v| v.date.as_str())
            .max()
            .map(date_zh)
            .unwrap_or_default();
        rows.push(vec![
            (i + 1).to_string(),
            c.name.clone(),
            sex_zh(&c.sex).into(),
            date_zh(&c.birth_date),
            c.id_number.clone(),
            categories_zh(&c.categories),
            carer(c),
            parents(c),
            last,
        ]);
    }
    d.table(
        &[0.05, 0.08, 0.05, 0.12, 0.17, 0.16, 0.1, 0.15, 0.12],
        1,
        &rows,
        style(FontRole::Song, 9.0),
    );
    d.paragraph(
        &format!(
            "共{}人。摸排周期：一年两排；走访：一月一访。",
            input.children.len()
        ),
        body(),
        Align::Left,
    );
    d.signatures(
        &[
            ("儿童主任", SignatureKind::Signature),
            ("村（居）委会盖章", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 10.5),
    );
    d.build()
}
