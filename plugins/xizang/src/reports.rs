//! 西藏 reports: 心理筛查结果 and 微心愿登记表.
//!
//! Both read the child's *saved form values* (ChildSnapshot.forms), not
//! report params: the host already passes every saved form with the child,
//! and the answers then have one home (the form the 儿童主任 filled in).
//! 心理筛查结果 re-scores the latest saved "psc17" form with the same code
//! as `assess`, so the printed result can never differ from the scale's.

use crate::forms::{PSC_FORM, WISH_CATEGORIES, WISH_FORM, WISH_STATUS, label_of, text};
use crate::psc17::{self, Sub};
use hutong_plugin_sdk::doc::{bold, style};
use hutong_plugin_sdk::prelude::*;

pub const PSC_REPORT: &str = "psc17-result";
pub const WISH_REPORT: &str = "wish-register";

pub fn templates() -> Vec<TemplateInfo> {
    vec![
        TemplateInfo {
            id: PSC_REPORT.into(),
            name: "心理筛查结果（PSC-17）".into(),
            kind: TemplateKind::OneChild,
        },
        TemplateInfo {
            id: WISH_REPORT.into(),
            name: "微心愿登记表".into(),
            kind: TemplateKind::OneChild,
        },
    ]
}

/// "次仁卓玛 / ཚེ་རིང་སྒྲོལ་མ" when a Tibetan name is on file.
pub fn display_name(c: &ChildSnapshot) -> String {
    let alt = c.name_alt.trim();
    if alt.is_empty() {
        c.name.clone()
    } else {
        format!("{} / {alt}", c.name)
    }
}

fn sex(c: &ChildSnapshot) -> &'static str {
    match c.sex.as_str() {
        "M" => "男",
        "F" => "女",
        _ => "",
    }
}

fn age(c: &ChildSnapshot, today: &str) -> String {
    match (
        national::dates::parse_flexible(&c.birth_date),
        national::dates::parse_flexible(today),
    ) {
        (Some(b), Some(t)) => format!("{}周岁", national::dates::age_on(b, t)),
        _ => String::new(),
    }
}

fn child_header(d: &mut DocBuilder, c: &ChildSnapshot, today: &str) {
    let name = display_name(c);
    let id = national::id_number::mask(&c.id_number);
    let age = age(c, today);
    d.key_values(
        2,
        &[
            ("姓名", name.as_str()),
            ("性别", sex(c)),
            ("出生日期", c.birth_date.as_str()),
            ("年龄", age.as_str()),
            ("民族", c.ethnicity.as_str()),
            ("身份证号", id.as_str()),
            ("现居住地", c.residence_name.as_str()),
        ],
        style(FontRole::Song, 11.0),
    );
}

fn office_line(d: &mut DocBuilder, input: &ReportInput) {
    let line = [input.county_name.as_str(), input.office_name.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    if !line.is_empty() {
        d.paragraph(&line, style(FontRole::Song, 10.5), Align::Center);
    }
}

fn saved<'a>(c: &'a ChildSnapshot, form: &str) -> Vec<&'a [FieldValue]> {
    c.forms
        .iter()
        .filter(|f| f.form_id == form)
        .map(|f| f.values.as_slice())
        .collect()
}

pub fn render(template_id: &str, input: &ReportInput) -> Result<Document, String> {
    let child = input
        .children
        .first()
        .ok_or("报表需要一名儿童（report-input.children 为空）")?;
    match template_id {
        PSC_REPORT => psc_report(child, input),
        WISH_REPORT => wish_report(child, input),
        other => Err(format!("未知报表模板：{other}")),
    }
}

fn psc_report(child: &ChildSnapshot, input: &ReportInput) -> Result<Document, String> {
    // Latest screening by its date (ISO dates sort as text).
    let values = saved(child, PSC_FORM)
        .into_iter()
        .max_by_key(|v| text(v, "screen_date"))
        .ok_or_else(|| {
            format!(
                "心理筛查结果需要“{}”已保存的“儿童心理筛查（PSC-17）”表单",
                child.name
            )
        })?;
    let mut answers = Vec::new();
    for (id, text_zh, _) in psc17::ITEMS {
        let code = text(values, id);
        if code.is_empty() {
            return Err(format!("PSC-17 表单中题目“{id}”（{text_zh}）未作答"));
        }
        answers.push((id, code));
    }
    let r = psc17::score(answers.iter().map(|(i, c)| (*i, c.as_str())))?;

    let mut d = DocBuilder::new("心理筛查结果");
    // 15 mm top/bottom so the 17 items, scores and conclusion fit one page.
    d.page().margins.top_mm = 15.0;
    d.page().margins.bottom_mm = 15.0;
    d.heading(
        1,
        "儿童心理筛查结果（PSC-17）",
        bold(FontRole::XiaoBiaoSong, 18.0),
        Align::Center,
    );
    office_line(&mut d, input);
    child_header(&mut d, child, &input.today);
    let informant = match text(values, "informant_relation") {
        rel if rel.is_empty() => text(values, "informant"),
        rel => format!("{}（{rel}）", text(values, "informant")),
    };
    // One line rather than another bordered row keeps the result on page 1.
    d.paragraph(
        &format!(
            "筛查日期：{}　　填表人：{informant}",
            text(values, "screen_date")
        ),
        style(FontRole::Song, 11.0),
        Align::Left,
    );
    d.heading(2, "一、题目与回答", bold(FontRole::Hei, 12.0), Align::Left);
    let mut rows = vec![vec![
        "序号".to_string(),
        "题目".into(),
        "分量表".into(),
        "回答".into(),
    ]];
    for (i, (id, text_zh, sub)) in psc17::ITEMS.iter().enumerate() {
        let code = r.code_of(id).map(|c| c.to_string()).unwrap_or_default();
        rows.push(vec![
            (i + 1).to_string(),
            (*text_zh).into(),
            sub.label().into(),
            format!("{code} {}", psc17::option_label(&code)),
        ]);
    }
    d.table(
        &[0.08, 0.52, 0.2, 0.2],
        1,
        &rows,
        style(FontRole::Song, 10.5),
    );

    d.heading(
        2,
        "二、得分与临界值",
        bold(FontRole::Hei, 12.0),
        Align::Left,
    );
    let flag = |v: u32, cut: u32| {
        if v >= cut {
            "达到临界值"
        } else {
            "未达临界值"
        }
    };
    let mut rows = vec![vec![
        "项目".to_string(),
        "得分".into(),
        "临界值".into(),
        "结果".into(),
    ]];
    rows.push(vec![
        "总分".into(),
        r.total.to_string(),
        format!("≥{}", psc17::TOTAL_CUTOFF),
        flag(r.total, psc17::TOTAL_CUTOFF).into(),
    ]);
    for (s, v) in r.subs {
        rows.push(vec![
            s.label().into(),
            v.to_string(),
            format!("≥{}", s.cutoff()),
            flag(v, s.cutoff()).into(),
        ]);
    }
    d.table(&[0.3, 0.2, 0.2, 0.3], 1, &rows, style(FontRole::Song, 9.5));

    let conclusion = if r.positive() {
        let which: Vec<&str> = std::iter::once(("总分", r.total_flagged()))
            .chain(
                r.subs
                    .iter()
                    .map(|(s, v): &(Sub, u32)| (s.label(), *v >= s.cutoff())),
            )
            .filter(|(_, f)| *f)
            .map(|(l, _)| l)
            .collect();
        format!(
            "筛查结果：阳性（{}达到临界值）。建议转介心理咨询站或专业机构进一步评估，并在台账中登记跟进。",
            which.join("、")
        )
    } else {
        "筛查结果：阴性。按常态化月度摸排继续关注。".to_string()
    };
    d.paragraph(&conclusion, bold(FontRole::Song, 12.0), Align::Left);
    d.paragraph(
        &format!(
            "说明：PSC-17 仅为筛查工具，结果不作为诊断依据。{}",
            psc17::CREDIT
        ),
        style(FontRole::Song, 8.0),
        Align::Left,
    );
    d.signatures(
        &[
            ("筛查人", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    Ok(d.build())
}

fn wish_report(child: &ChildSnapshot, input: &ReportInput) -> Result<Document, String> {
    let wishes = saved(child, WISH_FORM);
    if wishes.is_empty() {
        return Err(format!(
            "微心愿登记表需要“{}”已保存的“圆梦微心愿登记”表单",
            child.name
        ));
    }
    let mut d = DocBuilder::new("微心愿登记表");
    d.heading(
        1,
        "圆梦微心愿登记表",
        bold(FontRole::XiaoBiaoSong, 18.0),
        Align::Center,
    );
    office_line(&mut d, input);
    child_header(&mut d, child, &input.today);
    let mut rows = vec![vec![
        "序号".to_string(),
        "心愿内容".into(),
        "类别".into(),
        "金额（元）".into(),
        "登记日期".into(),
        "状态".into(),
        "认领方".into(),
        "实现日期".into(),
    ]];
    for (i, v) in wishes.iter().enumerate() {
        let category = match text(v, "category").as_str() {
            "other" => text(v, "category_other"),
            code => label_of(&WISH_CATEGORIES, code),
        };
        rows.push(vec![
            (i + 1).to_string(),
            text(v, "wish_text"),
            category,
            text(v, "amount"),
            text(v, "registered_on"),
            label_of(&WISH_STATUS, &text(v, "status")),
            text(v, "sponsor"),
            text(v, "fulfilled_on"),
        ]);
    }
    d.table(
        &[0.06, 0.23, 0.1, 0.09, 0.14, 0.08, 0.16, 0.14],
        1,
        &rows,
        style(FontRole::Song, 9.5),
    );
    let notes: Vec<String> = wishes
        .iter()
        .map(|v| text(v, "note"))
        .filter(|n| !n.is_empty())
        .collect();
    if !notes.is_empty() {
        d.paragraph(
            &format!("实现情况：{}", notes.join("；")),
            style(FontRole::Song, 11.0),
            Align::Left,
        );
    }
    d.paragraph(
        &format!("打印日期：{}", input.today),
        style(FontRole::Song, 10.5),
        Align::Right,
    );
    d.signatures(
        &[
            ("儿童或监护人", SignatureKind::Signature),
            ("儿童主任", SignatureKind::Signature),
            ("日期", SignatureKind::Date),
        ],
        style(FontRole::Song, 11.0),
    );
    Ok(d.build())
}
