//! PSC-17 (Pediatric Symptom Checklist-17), DOMAIN §4.2.
//!
//! Items are keyed by stable ids, never by position: published layouts order
//! the 17 items differently, and a stored answer must keep its meaning if a
//! county prints another layout. The Chinese wording is the Hutong project's
//! own translation (no official Chinese version was found).

use hutong_plugin_sdk::prelude::*;

pub const SCALE_ID: &str = "psc17";

pub const CREDIT: &str = "PSC-17: W. Gardner & K. Kelleher (1999), from the PSC by M. Jellinek et al. (1988); the form states it may be freely reproduced. 中文为护童项目自译，正式使用前请向 MGH 确认。";

/// A subscale with its published cut-off (positive when the sum ≥ cut-off).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sub {
    Internalising,
    Attention,
    Externalising,
}

impl Sub {
    pub const ALL: [Sub; 3] = [Sub::Internalising, Sub::Attention, Sub::Externalising];

    pub fn label(self) -> &'static str {
        match self {
            Sub::Internalising => "内化（情绪）",
            Sub::Attention => "注意力",
            Sub::Externalising => "外化（行为）",
        }
    }

    pub fn cutoff(self) -> u32 {
        match self {
            Sub::Internalising => 5,
            Sub::Attention => 7,
            Sub::Externalising => 7,
        }
    }
}

pub const TOTAL_CUTOFF: u32 = 15;

/// (id, 中文, subscale). I 5 items, A 5 items, E 7 items.
pub const ITEMS: [(&str, &str, Sub); 17] = [
    ("psc_sad", "感到悲伤、不开心", Sub::Internalising),
    ("psc_hopeless", "感到没有希望", Sub::Internalising),
    (
        "psc_down_on_self",
        "看不起自己、对自己评价很低",
        Sub::Internalising,
    ),
    (
        "psc_less_fun",
        "似乎不如以前那样觉得有乐趣",
        Sub::Internalising,
    ),
    ("psc_worries", "担心的事情很多", Sub::Internalising),
    ("psc_fidgety", "坐立不安，不能安静地坐着", Sub::Attention),
    ("psc_daydreams", "过多地做白日梦、发呆走神", Sub::Attention),
    ("psc_concentrating", "难以集中注意力", Sub::Attention),
    ("psc_motor", "好像装了马达一样停不下来", Sub::Attention),
    ("psc_distracted", "容易分心", Sub::Attention),
    ("psc_share", "不肯和别人分享", Sub::Externalising),
    ("psc_feelings", "不理解别人的感受", Sub::Externalising),
    ("psc_fights", "和其他孩子打架", Sub::Externalising),
    ("psc_blames", "把自己的麻烦归咎于别人", Sub::Externalising),
    ("psc_rules", "不遵守规则", Sub::Externalising),
    ("psc_teases", "取笑、捉弄别人", Sub::Externalising),
    ("psc_takes", "拿不属于自己的东西", Sub::Externalising),
];

/// Response codes: 0 从不 / 1 有时 / 2 经常.
pub const OPTIONS: [(&str, &str); 3] = [("0", "从不"), ("1", "有时"), ("2", "经常")];

pub fn options() -> Vec<Choice> {
    OPTIONS.iter().map(|(c, l)| choice(c, l)).collect()
}

pub fn option_label(code: &str) -> &'static str {
    OPTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("未作答")
}

pub fn scale() -> ScaleDef {
    ScaleDef {
        id: SCALE_ID.into(),
        version: "1".into(),
        name: "儿童心理筛查（PSC-17）".into(),
        description: "由家长或照护人填写，按近期情况作答：0 从不 / 1 有时 / 2 经常。总分≥15、内化≥5、注意力≥7、外化≥7 任一项为阳性，建议转介进一步评估。仅为筛查，不作诊断。".into(),
        credit: CREDIT.into(),
        items: ITEMS
            .iter()
            .map(|(id, text, sub)| ScaleItem {
                id: (*id).into(),
                text: (*text).into(),
                // No verified Tibetan wording; left empty rather than guessed.
                text_alt: String::new(),
                help: String::new(),
                group: sub.label().into(),
                options: options(),
            })
            .collect(),
    }
}

/// A scored questionnaire.
#[derive(Debug, Clone)]
pub struct Psc17 {
    /// (item id, code) in item order.
    pub answers: Vec<(&'static str, u32)>,
    pub total: u32,
    pub subs: [(Sub, u32); 3],
}

impl Psc17 {
    pub fn total_flagged(&self) -> bool {
        self.total >= TOTAL_CUTOFF
    }
    pub fn positive(&self) -> bool {
        self.total_flagged() || self.subs.iter().any(|(s, v)| *v >= s.cutoff())
    }
    pub fn code_of(&self, id: &str) -> Option<u32> {
        self.answers.iter().find(|(i, _)| *i == id).map(|(_, c)| *c)
    }
}

/// Checks and scores (item id, code) pairs. Every item must be answered once
/// with 0, 1 or 2; any other input is an error naming the item.
pub fn score<'a>(answers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Psc17, String> {
    let mut got: Vec<(&'static str, u32)> = Vec::new();
    for (item_id, code) in answers {
        let Some((id, text, _)) = ITEMS.iter().find(|(id, _, _)| *id == item_id) else {
            return Err(format!("PSC-17 没有题目“{item_id}”"));
        };
        if got.iter().any(|(g, _)| g == id) {
            return Err(format!("PSC-17 题目“{id}”（{text}）重复作答"));
        }
        let value = match code {
            "0" => 0,
            "1" => 1,
            "2" => 2,
            other => {
                return Err(format!(
                    "PSC-17 题目“{id}”（{text}）的答案“{other}”无效，应为 0 从不 / 1 有时 / 2 经常"
                ));
            }
        };
        got.push((id, value));
    }
    let missing: Vec<String> = ITEMS
        .iter()
        .filter(|(id, _, _)| !got.iter().any(|(g, _)| g == id))
        .map(|(id, text, _)| format!("{id}（{text}）"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("PSC-17 以下题目未作答：{}", missing.join("、")));
    }
    let mut ordered = Vec::with_capacity(ITEMS.len());
    for (id, _, _) in ITEMS.iter() {
        if let Some(pair) = got.iter().find(|(g, _)| g == id) {
            ordered.push(*pair);
        }
    }
    let sum = |s: Sub| -> u32 {
        ITEMS
            .iter()
            .filter(|(_, _, sub)| *sub == s)
            .filter_map(|(id, _, _)| ordered.iter().find(|(g, _)| g == id).map(|(_, v)| *v))
            .sum()
    };
    let subs = Sub::ALL.map(|s| (s, sum(s)));
    let total = subs.iter().map(|(_, v)| v).sum();
    Ok(Psc17 {
        answers: ordered,
        total,
        subs,
    })
}

/// The scale result as the contract's assessment.
pub fn assessment(r: &Psc17) -> Assessment {
    let mut reasons = Vec::new();
    let mark = |v: u32, cut: u32| if v >= cut { "≥" } else { "<" };
    reasons.push(format!(
        "总分 {} {} {}",
        r.total,
        mark(r.total, TOTAL_CUTOFF),
        TOTAL_CUTOFF
    ));
    for (s, v) in r.subs {
        reasons.push(format!(
            "{}分 {} {} {}",
            s.label(),
            v,
            mark(v, s.cutoff()),
            s.cutoff()
        ));
    }
    let positive = r.positive();
    reasons.push(if positive {
        "筛查阳性：建议转介专业机构进一步评估（仅为筛查，不作诊断）".to_string()
    } else {
        "筛查阴性：按常规每月摸排关注".to_string()
    });
    let mut sub_scores = vec![SubScore {
        name: "总分".into(),
        value: f64::from(r.total),
        flagged: r.total_flagged(),
    }];
    sub_scores.extend(r.subs.iter().map(|(s, v)| SubScore {
        name: s.label().into(),
        value: f64::from(*v),
        flagged: *v >= s.cutoff(),
    }));
    Assessment {
        level_code: if positive { "positive" } else { "negative" }.into(),
        level_label: if positive { "阳性" } else { "阴性" }.into(),
        // A screening result is not a 四色 risk tier, so no colour.
        colour: None,
        score: Some(f64::from(r.total)),
        sub_scores,
        reasons,
        next_visit_days: Some(if positive { 14 } else { 30 }),
        suggested_services: if positive {
            vec!["XZ-PSY".into()]
        } else {
            vec![]
        },
    }
}
