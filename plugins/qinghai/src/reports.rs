//! 青海 reports: 监护能力评估报告 (one child) and 统计月报 (all children in
//! the input).
//!
//! The rubric is read from the child's latest saved "guardianship" form
//! (ChildSnapshot.forms) and re-scored with the same code as `assess`, so
//! the printed level always matches the scale. 统计月报 counts categories
//! from ChildSnapshot.categories (the active tags) and 监护 levels from each
//! child's latest saved rubric; params: "month" (YYYY-MM, default: the
//! month of `today`) and "activities" (本月儿童之家活动次数, optional).

use crate::forms::{GUARDIANSHIP_FORM, text};
use crate::guardianship::{self as g, Level, Rubric};
use hutong_plugin_sdk::doc::{bold, style};
use hutong_plugin_sdk::national::category::CaseCategory;
use hutong_plugin_sdk::prelude::*;

pub const GUARDIANSHIP_REPORT: &str = "guardianship-report";
pub const MONTHLY_REPORT: &str = "monthly-statistics";

pub fn templates() -> Vec<TemplateInfo> {
    vec![
        TemplateInfo {
            id: GUARDIANSHIP_REPORT.into(),
            name: "监护能力评估报告（示例）".into(),
            kind: TemplateKind::OneChild,
        },
        TemplateInfo {
            id: MONTHLY_REPORT.into(),
            name: "统计月报".into(),
            kind: TemplateKind::Statistics,
        },
    ]
}

pub fn render(template_id: &str, input: &ReportInput) -> Result<Document, String> {
    match template_id {
        GUARDIANSHIP_REPORT => {
            let child = input
                .children
                .first()
                .ok_or("报表需要一名儿童（report-input.children 为空）")?;
            guardianship_report(child, input)
        }
        MONTHLY_REPORT => Ok(monthly(input)),
        other => Err(format!("未知报表模板：{other}")),
    }
}

/// "汉文名 / 藏文名" when a second-language name is on file.
fn display_name(c: &ChildSnapshot) -> String {
    match c.name_alt.trim() {
        "" => c.name.clone(),
        alt => format!("{} / {alt}", c.name),
    }
}

/// The latest saved rubric (by 评估日期) and its values.
fn latest_rubric(c: &ChildSnapshot) -> Option<&[FieldValue]> {
    c.forms
        .iter()
        .filter(|f| f.form_id == GUARDIANSHIP_FORM)
        .max_by_key(|f| text(&f.values, "assessed_on"))
        .map(|f| f.values.as_slice())
}

fn rubric_of(values: &[FieldValue]) -> Result<Rubric, String> {
    let answers = g::answers_from_form(values);
    g::score(answers.iter().map(|(i, c)| (i.as_str(), c.as_str())))
}

fn office_line(d: &mut DocBuilder, input: &ReportInput) {
    let line = [input.county_name.as_str(), input.office_name.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !line.is_empty() {
        d.paragraph(&line, style(FontRole::Song, 10.5), Align::Center);
    }
}

fn advice(level: Level) -> &'static str {
    match level {
        Level::Normal => "家庭监护正常。按常规周期走访，关注儿童成长需求。",
        Level::Insufficient => {
            "家庭监护存在不足。儿童主任每两周走访一次，开展家庭教育指导，链接生活、教育等关爱服务。"
        }
        Level::Improper => {
            "家庭监护失当。每周走访，书面告知监护人改进事项，必要时联合村（居）委会、学校督促履行监护职责。"
        }
        Level::Absent => {
            "家庭监护缺失。立即核实儿童安全，涉及强制报告情形的须向公安报告；报县级民政部门，依法采取临时监护等措施（未成年人保护法第九十二条）。"
        }
    }
}

fn guardianship_report(child: &ChildSnapshot, input: &ReportInput) -> Result<Document, String> {
    let values = latest_rubric(child).ok_or_else(|| {
        format!(
            "监护能力评估报告需要“{}”已保存的“监护能力评估（示例）”表单",
            child.name
        )
    })?;
    let r = rubric_of(values)?;
    let mut d = DocBuilder::new("监护能力评估报告");
    d.heading(
        1,
        "监护能力评估报告（示例）",
        bold(FontRole::XiaoBiaoSong, 18.0),
        Align::Center,
    );
    office_line(&mut d, input);
    let name = display_name(child);
    let id = national::id_number::mask(&child.id_number);
    let sex = match child.sex.as_str() {
        "M" => "男",
        "F" => "女",
        _ => "",
    };
    let guardian = match text(values, "guardian_relation") {
        rel if rel.is_empty() => text(values, "guardian_name"),
        rel => format!("{}（{rel}）", text(values, "guardian_name")),
    };
    let assessed_on = text(values, "assessed_on");
    let assessor = text(values, "assessor");
    d.key_values(
        2,
        &[
            ("儿童姓名", name.as_str()),
            ("性别", sex),
            ("出生日期", child.birth_date.as_str()),
            ("身份证号", id.as_str()),
            ("现居住地", child.residence_name.as_str()),
            ("监护人", guardian.as_str()),
            ("评估日期", assessed_on.as_str()),
            ("评估人", assessor.as_str()),
        ],
        style(FontRole::Song, 11.0),
    );
    d.heading(2, "一、评分", bold(FontRole::Hei, 12.0), Align::Left);
    let mut rows = vec![vec![
        "维度".to_string(),
        "类别".into(),
        "得分（0–4）".into(),
    ]];
    for (_, name, group, s) in &r.scores {
        rows.push(vec![(*name).into(), (*group).into(), s.to_string()]);
    }
    rows.push(vec![
        "监护能力小计".into(),
        g::CAPACITY.into(),
        format!("{}/20", r.group_total(g::CAPACITY)),
    ]);
    rows.push(vec![
        "监护状况小计".into(),
        g::STATUS.into(),
        format!("{}/16", r.group_total(g::STATUS)),
    ]);
    rows.push(vec![
        "总分".into(),
        String::new(),
        format!("{}/36", r.total),
    ]);
    d.table(&[0.45, 0.3, 0.25], 1, &rows, style(FontRole::Song, 10.5));

    d.heading(
        2,
        "二、强制报告情形",
        bold(FontRole::Hei, 12.0),
        Align::Left,
    );
    let situations: Vec<(&str, bool)> = g::MANDATORY
        .iter()
        .map(|(code, text)| (*text, r.situations.iter().any(|(c, _)| c == code)))
        .collect();
    d.checkboxes(None, &situations, style(FontRole::Song, 10.5));

    d.heading(2, "三、评估结论", bold(FontRole::Hei, 12.0), Align::Left);
    d.paragraph(
        &format!("评估等级：{}", r.level.label()),
        bold(FontRole::Song, 13.0),
        Align::Left,
    );
    for reason in g::reasons(&r) {
        d.paragraph(&reason, style(FontRole::Song, 10.5), Align::Left);
    }
    d.heading(
        2,
        "四、家庭监护建议",
        bold(FontRole::Hei, 12.0),
        Align::Left,
    );
    d.paragraph(advice(r.level), style(FontRole::Song, 11.0), Align::Left);
    let notes = text(values, "notes");
    if !notes.is_empty() {
        d.paragraph(
            &format!("评估意见：{notes}"),
            style(FontRole::Song, 11.0),
            Align::Left,
        );
    }
    d.paragraph(
        "本评估为示例量表（维度参照北京市评估办法，等级参照湖北地方标准的四级结果；分值与阈值为插件自定），不作为撤销监护资格的唯一依据。",
        style(FontRole::Song, 9.0),
        Align::Left,
    );
    d.signatures(
        &[
            ("评估人", SignatureKind::Signature),
            ("监护人（已知悉）", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    Ok(d.build())
}

fn param<'a>(input: &'a ReportInput, key: &str) -> Option<&'a str> {
    input
        .params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The child's 监护 level for the statistics, as a label.
fn level_label(c: &ChildSnapshot) -> &'static str {
    match latest_rubric(c).map(rubric_of) {
        None => "未评估",
        Some(Err(_)) => "评估数据不完整",
        Some(Ok(r)) => r.level.label(),
    }
}

fn category_label(code: &str) -> String {
    CaseCategory::from_code(code)
        .map(|c| c.label_zh().to_string())
        .unwrap_or_else(|| code.to_string())
}

fn monthly(input: &ReportInput) -> Document {
    let month = param(input, "month")
        .map(str::to_string)
        .unwrap_or_else(|| input.today.get(..7).unwrap_or("").to_string());
    let month_zh = national::dates::parse_flexible(&format!("{month}-01"))
        .map(national::dates::format_zh_month)
        .unwrap_or_else(|| month.clone());
    let mut d = DocBuilder::new("统计月报");
    d.heading(
        1,
        &format!("困境儿童关爱服务统计月报（{month_zh}）"),
        bold(FontRole::XiaoBiaoSong, 18.0),
        Align::Center,
    );
    office_line(&mut d, input);

    let visits_in_month = |c: &ChildSnapshot| {
        c.visits
            .iter()
            .filter(|v| !month.is_empty() && v.date.starts_with(&month))
            .count()
    };
    let total_visits: usize = input.children.iter().map(visits_in_month).sum();
    let n = input.children.len().to_string();
    let visits = total_visits.to_string();
    let activities = param(input, "activities").unwrap_or("—");
    d.key_values(
        2,
        &[
            ("统计月份", month_zh.as_str()),
            ("报告日期", input.today.as_str()),
            ("纳入统计儿童", n.as_str()),
            ("本月走访人次", visits.as_str()),
            ("本月儿童之家活动", activities),
        ],
        style(FontRole::Song, 11.0),
    );

    d.heading(
        2,
        "表一  按儿童类别",
        bold(FontRole::Hei, 12.0),
        Align::Left,
    );
    // Every national category, in the national order, then any unknown code.
    let mut codes: Vec<String> = CaseCategory::ALL
        .iter()
        .map(|c| c.code().to_string())
        .collect();
    for c in &input.children {
        for code in &c.categories {
            if !codes.contains(code) {
                codes.push(code.clone());
            }
        }
    }
    let mut rows = vec![vec!["类别".to_string(), "人数".into()]];
    for code in &codes {
        let count = input
            .children
            .iter()
            .filter(|c| c.categories.contains(code))
            .count();
        rows.push(vec![category_label(code), count.to_string()]);
    }
    let none = input
        .children
        .iter()
        .filter(|c| c.categories.is_empty())
        .count();
    rows.push(vec!["未认定类别".into(), none.to_string()]);
    d.table(&[0.7, 0.3], 1, &rows, style(FontRole::Song, 10.5));
    d.paragraph(
        "注：一名儿童可同时属于多个类别，各类别人数之和可能大于儿童总数。",
        style(FontRole::Song, 9.0),
        Align::Left,
    );

    d.heading(
        2,
        "表二  按监护能力评估等级",
        bold(FontRole::Hei, 12.0),
        Align::Left,
    );
    let labels: Vec<&str> = Level::ALL
        .iter()
        .map(|l| l.label())
        .chain(["评估数据不完整", "未评估"])
        .collect();
    let levels: Vec<&str> = input.children.iter().map(level_label).collect();
    let mut rows = vec![vec!["等级".to_string(), "人数".into()]];
    for l in &labels {
        rows.push(vec![
            (*l).into(),
            levels.iter().filter(|x| *x == l).count().to_string(),
        ]);
    }
    d.table(&[0.7, 0.3], 1, &rows, style(FontRole::Song, 10.5));

    d.heading(2, "附表  儿童明细", bold(FontRole::Hei, 12.0), Align::Left);
    let mut rows = vec![vec![
        "序号".to_string(),
        "姓名".into(),
        "类别".into(),
        "监护等级".into(),
        "本月走访".into(),
    ]];
    for (i, c) in input.children.iter().enumerate() {
        rows.push(vec![
            (i + 1).to_string(),
            display_name(c),
            c.categories
                .iter()
                .map(|code| category_label(code))
                .collect::<Vec<_>>()
                .join("、"),
            levels[i].into(),
            visits_in_month(c).to_string(),
        ]);
    }
    d.table(
        &[0.08, 0.3, 0.3, 0.17, 0.15],
        1,
        &rows,
        style(FontRole::Song, 10.0),
    );
    d.signatures(
        &[
            ("填报人", SignatureKind::Signature),
            ("审核人", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    d.build()
}
