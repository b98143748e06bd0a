//! 监护能力评估（示例）, DOMAIN §4.4.
//!
//! Our own rubric following the published *structure* of Beijing's
//! 《未成年人家庭监护能力评估办法》 (5 capacity + 4 status dimensions) and
//! Hubei's four result levels; no scoring table is copied from any local
//! standard. Each dimension scores 0–4 (total 0–36). The thresholds are the
//! plugin's own 示例 values. Hard override: any §2.4 强制报告 situation
//! flagged → 监护缺失, whatever the score.

use hutong_plugin_sdk::prelude::*;

pub const SCALE_ID: &str = "guardianship";

pub const CAPACITY: &str = "监护能力";
pub const STATUS: &str = "监护状况";

/// (id, dimension, group).
pub const DIMENSIONS: [(&str, &str, &str); 9] = [
    ("gc_willingness", "监护意愿", CAPACITY),
    ("gc_provision", "生活保障能力", CAPACITY),
    ("gc_education", "家庭教育能力", CAPACITY),
    ("gc_relations", "处理家庭关系能力", CAPACITY),
    ("gc_safety", "安全保护能力", CAPACITY),
    ("gs_daily", "日常生活", STATUS),
    ("gs_health", "健康", STATUS),
    ("gs_education", "教育", STATUS),
    ("gs_safety", "安全", STATUS),
];

pub const SCORE_OPTIONS: [(&str, &str); 5] = [
    ("0", "0 缺失或严重不足"),
    ("1", "1 明显不足"),
    ("2", "2 基本可以"),
    ("3", "3 较好"),
    ("4", "4 良好"),
];

/// §2.4 mandatory-report situations (codes as in DOMAIN).
pub const MANDATORY: [(&str, &str); 10] = [
    (
        "GENITAL_INJURY",
        "生殖器官或隐私部位遭受或疑似遭受非正常损伤",
    ),
    (
        "UNDER14_SEXUAL",
        "不满14周岁的女性遭受或疑似遭受性侵害、怀孕、流产",
    ),
    (
        "OVER14_SEXUAL_PREG",
        "14周岁以上女性遭受或疑似遭受性侵害所致怀孕、流产",
    ),
    (
        "MULTI_INJURY_NEGLECT",
        "身体多处损伤、严重营养不良、意识不清，存在或疑似存在家庭暴力、欺凌、虐待、殴打或被人麻醉",
    ),
    (
        "ABNORMAL_DISABILITY_DEATH",
        "因自杀、自残、工伤、中毒、被人麻醉、殴打等非正常原因导致伤残、死亡",
    ),
    ("ABANDONED_UNCARED", "被遗弃或长期处于无人照料状态"),
    ("UNKNOWN_MISSING_TRAFFICKED", "来源不明、失踪或被拐卖、收买"),
    ("ORGANISED_BEGGING", "被组织乞讨"),
    ("HOTLINE_12349", "12349 热线接到的线索（贵州做法）"),
    ("OTHER_SERIOUS", "其他严重侵害或正在面临不法侵害"),
];

/// 示例 thresholds on the 0–36 total (lower bound of each level).
pub const NORMAL_MIN: u32 = 27;
pub const INSUFFICIENT_MIN: u32 = 18;
pub const IMPROPER_MIN: u32 = 10;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Level {
    Normal,
    Insufficient,
    Improper,
    Absent,
}

impl Level {
    pub const ALL: [Level; 4] = [
        Level::Normal,
        Level::Insufficient,
        Level::Improper,
        Level::Absent,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Level::Normal => "normal",
            Level::Insufficient => "insufficient",
            Level::Improper => "improper",
            Level::Absent => "absent",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Level::Normal => "监护正常",
            Level::Insufficient => "监护不足",
            Level::Improper => "监护失当",
            Level::Absent => "监护缺失",
        }
    }
    fn colour(self) -> Colour {
        match self {
            Level::Normal => Colour::Green,
            Level::Insufficient => Colour::Yellow,
            Level::Improper => Colour::Orange,
            Level::Absent => Colour::Red,
        }
    }
    /// Days to the next visit (示例).
    pub fn visit_days(self) -> u32 {
        match self {
            Level::Normal => 30,
            Level::Insufficient => 14,
            Level::Improper => 7,
            Level::Absent => 1,
        }
    }
    pub fn from_total(total: u32) -> Level {
        if total >= NORMAL_MIN {
            Level::Normal
        } else if total >= INSUFFICIENT_MIN {
            Level::Insufficient
        } else if total >= IMPROPER_MIN {
            Level::Improper
        } else {
            Level::Absent
        }
    }
}

pub fn thresholds_text() -> String {
    format!(
        "示例阈值：≥{NORMAL_MIN} 监护正常；{INSUFFICIENT_MIN}–{} 监护不足；{IMPROPER_MIN}–{} 监护失当；≤{} 监护缺失；任一强制报告情形 → 监护缺失",
        NORMAL_MIN - 1,
        INSUFFICIENT_MIN - 1,
        IMPROPER_MIN - 1
    )
}

fn choices(table: &[(&str, &str)]) -> Vec<Choice> {
    table.iter().map(|(c, l)| choice(c, l)).collect()
}

pub fn scale() -> ScaleDef {
    let mut items: Vec<ScaleItem> = DIMENSIONS
        .iter()
        .map(|(id, name, group)| ScaleItem {
            id: (*id).into(),
            text: (*name).into(),
            text_alt: String::new(),
            help: "0–4 分".into(),
            group: (*group).into(),
            options: choices(&SCORE_OPTIONS),
        })
        .collect();
    items.extend(MANDATORY.iter().map(|(code, text)| ScaleItem {
        id: (*code).into(),
        text: (*text).into(),
        text_alt: String::new(),
        help: "可不答；答“是”即监护缺失，并须立即向公安报告（高检发〔2020〕9号）".into(),
        group: "强制报告情形".into(),
        options: choices(&[("0", "否"), ("1", "是")]),
    }));
    ScaleDef {
        id: SCALE_ID.into(),
        version: "1".into(),
        name: "监护能力评估（示例）".into(),
        description: format!(
            "5项监护能力（监护意愿、生活保障能力、家庭教育能力、处理家庭关系能力、安全保护能力）与4项监护状况（日常生活、健康、教育、安全），每项0–4分，总分0–36。{}。",
            thresholds_text()
        ),
        credit: "护童示例量表：维度参照北京市《未成年人家庭监护能力评估办法》，等级参照湖北 DB42/T 1969-2023 的四级结果；分值与阈值为插件自定，未复制任何地方标准的评分表。".into(),
        items,
    }
}

/// A checked rubric.
#[derive(Debug, Clone)]
pub struct Rubric {
    /// (id, dimension, group, score) in dimension order.
    pub scores: Vec<(&'static str, &'static str, &'static str, u32)>,
    /// Flagged §2.4 situations: (code, text).
    pub situations: Vec<(&'static str, &'static str)>,
    pub total: u32,
    pub by_score: Level,
    pub level: Level,
}

impl Rubric {
    pub fn group_total(&self, group: &str) -> u32 {
        self.scores
            .iter()
            .filter(|(_, _, g, _)| *g == group)
            .map(|(_, _, _, s)| s)
            .sum()
    }
}

/// Checks (item id, code) answers: every dimension once with 0–4;
/// situation items optional with 0/1. Errors name the item.
pub fn score<'a>(answers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Rubric, String> {
    let mut scores = Vec::new();
    let mut situations = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (item, code) in answers {
        if seen.contains(&item) {
            return Err(format!("监护能力评估题目“{item}”重复作答"));
        }
        seen.push(item);
        if let Some((id, name, group)) = DIMENSIONS.iter().find(|(id, _, _)| *id == item) {
            let Some(v) = code.parse::<u32>().ok().filter(|v| *v <= 4) else {
                return Err(format!(
                    "监护能力评估“{name}”（{id}）的得分“{code}”无效，应为 0–4"
                ));
            };
            scores.push((*id, *name, *group, v));
        } else if let Some((c, text)) = MANDATORY.iter().find(|(c, _)| *c == item) {
            match code {
                "1" => situations.push((*c, *text)),
                "0" => {}
                other => {
                    return Err(format!(
                        "强制报告情形“{c}”的答案“{other}”无效，应为 0 否 / 1 是"
                    ));
                }
            }
        } else {
            return Err(format!("监护能力评估没有题目“{item}”"));
        }
    }
    let missing: Vec<&str> = DIMENSIONS
        .iter()
        .filter(|(id, _, _)| !scores.iter().any(|(s, _, _, _)| s == id))
        .map(|(_, name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "监护能力评估以下维度未评分：{}",
            missing.join("、")
        ));
    }
    scores.sort_by_key(|(id, _, _, _)| DIMENSIONS.iter().position(|(d, _, _)| d == id));
    let total = scores.iter().map(|(_, _, _, s)| s).sum();
    let by_score = Level::from_total(total);
    let level = if situations.is_empty() {
        by_score
    } else {
        Level::Absent
    };
    Ok(Rubric {
        scores,
        situations,
        total,
        by_score,
        level,
    })
}

pub fn reasons(r: &Rubric) -> Vec<String> {
    let mut out = vec![
        format!(
            "总分 {}（监护能力 {}/20，监护状况 {}/16）→ 按分数为{}",
            r.total,
            r.group_total(CAPACITY),
            r.group_total(STATUS),
            r.by_score.label()
        ),
        thresholds_text(),
    ];
    let low: Vec<String> = r
        .scores
        .iter()
        .filter(|(_, _, _, s)| *s <= 1)
        .map(|(_, name, _, s)| format!("{name}{s}分"))
        .collect();
    if !low.is_empty() {
        out.push(format!("明显不足的维度：{}", low.join("、")));
    }
    for (code, text) in &r.situations {
        out.push(format!(
            "强制报告情形 {code}：{text} → 监护缺失，须立即向公安报告并通报民政"
        ));
    }
    out
}

pub fn assessment(r: &Rubric) -> Assessment {
    let mut sub_scores = vec![
        SubScore {
            name: CAPACITY.into(),
            value: f64::from(r.group_total(CAPACITY)),
            flagged: false,
        },
        SubScore {
            name: STATUS.into(),
            value: f64::from(r.group_total(STATUS)),
            flagged: false,
        },
    ];
    // A dimension at 0–1 is flagged so the visit plan can target it.
    sub_scores.extend(r.scores.iter().map(|(_, name, _, s)| SubScore {
        name: (*name).into(),
        value: f64::from(*s),
        flagged: *s <= 1,
    }));
    Assessment {
        level_code: r.level.code().into(),
        level_label: r.level.label().into(),
        colour: Some(r.level.colour()),
        score: Some(f64::from(r.total)),
        sub_scores,
        reasons: reasons(r),
        next_visit_days: Some(r.level.visit_days()),
        suggested_services: vec![],
    }
}

/// Answers from a saved "guardianship" form: one single choice per
/// dimension and a multi-choice of §2.4 codes.
pub fn answers_from_form(values: &[FieldValue]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (id, _, _) in DIMENSIONS {
        match value_of(values, id) {
            Some(Value::Choice(c)) | Some(Value::Text(c)) => out.push((id.to_string(), c.clone())),
            Some(Value::Integer(n)) => out.push((id.to_string(), n.to_string())),
            _ => {}
        }
    }
    if let Some(Value::Choices(cs)) = value_of(values, "mandatory_situations") {
        for c in cs {
            out.push((c.clone(), "1".to_string()));
        }
    }
    out
}
