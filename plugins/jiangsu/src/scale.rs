//! 四色管理 risk scale (示例). Dimensions follow 常州市武进区 "四色档案"
//! (监护风险、生理风险、行为风险; DOMAIN §2.3 a); the items, points and cut-offs
//! are this plugin's own example, not official Jiangsu policy.

use hutong_plugin_sdk::prelude::*;
use hutong_plugin_sdk::scoring::{self, ScoredItem};

pub const SCALE_ID: &str = "four-colour";

pub const GUARDIAN: &str = "监护风险";
pub const PHYSICAL: &str = "生理风险";
pub const BEHAVIOUR: &str = "行为风险";

/// A dimension at or above this is flagged, and makes the child at least 黄.
const DIMENSION_FLAG: f64 = 3.0;
/// Totals at or above these give 黄 / 红.
const TOTAL_YELLOW: f64 = 5.0;
const TOTAL_RED: f64 = 10.0;

/// Options that mean a child must be seen at once, whatever the total.
const RED_FLAGS: &[(&str, &str)] = &[
    ("g_harm", "yes"),
    ("b_psych", "severe"),
    ("g_parents", "none"),
];

pub const ITEMS: &[ScoredItem] = &[
    ScoredItem {
        id: "g_parents",
        text: "父母监护状况",
        group: GUARDIAN,
        help: "",
        options: &[
            ("home", "父母至少一方在家履行监护", 0.0),
            ("both_away", "父母双方外出，已委托照护", 2.0),
            ("one_away_other_unable", "一方外出，另一方无监护能力", 3.0),
            ("none", "父母均不能履行监护且无人照护", 5.0),
        ],
    },
    ScoredItem {
        id: "g_carer",
        text: "实际照护人照护能力",
        group: GUARDIAN,
        help: "年老体弱、患病或同时照护多名儿童视为一般",
        options: &[
            ("good", "良好", 0.0),
            ("fair", "一般", 1.0),
            ("poor", "较差", 3.0),
        ],
    },
    ScoredItem {
        id: "g_contact",
        text: "外出父母与儿童联系",
        group: GUARDIAN,
        help: "未成年人保护法第二十三条：至少每周联系一次",
        options: &[
            ("weekly", "每周至少一次或父母在家", 0.0),
            ("monthly", "每月一至三次", 1.0),
            ("rarely", "少于每月一次", 2.0),
        ],
    },
    ScoredItem {
        id: "g_harm",
        text: "遭受或疑似遭受家庭暴力、虐待、遗弃",
        group: GUARDIAN,
        help: "选“是”直接评为红色，并按强制报告制度报告",
        options: &[("no", "否", 0.0), ("yes", "是", 5.0)],
    },
    ScoredItem {
        id: "p_disability",
        text: "残疾状况",
        group: PHYSICAL,
        help: "按残疾人证等级",
        options: &[
            ("none", "无残疾", 0.0),
            ("grade34", "三至四级", 1.0),
            ("grade12", "一至二级", 3.0),
        ],
    },
    ScoredItem {
        id: "p_illness",
        text: "疾病状况",
        group: PHYSICAL,
        help: "",
        options: &[
            ("healthy", "健康", 0.0),
            ("chronic", "慢性病", 1.0),
            ("serious", "重病、大病", 3.0),
        ],
    },
    ScoredItem {
        id: "p_growth",
        text: "营养与发育",
        group: PHYSICAL,
        help: "",
        options: &[
            ("normal", "正常", 0.0),
            ("concern", "营养不良或发育迟缓", 2.0),
        ],
    },
    ScoredItem {
        id: "b_school",
        text: "就学情况",
        group: BEHAVIOUR,
        help: "与教育部门学籍库比对",
        options: &[
            ("normal", "正常就学", 0.0),
            ("struggling", "厌学或学业困难", 1.0),
            ("dropout", "辍学或有辍学风险", 3.0),
        ],
    },
    ScoredItem {
        id: "b_psych",
        text: "心理与情绪",
        group: BEHAVIOUR,
        help: "有自伤、自杀念头或行为选“严重”，直接评为红色",
        options: &[
            ("normal", "正常", 0.0),
            ("mild", "情绪问题", 1.0),
            ("severe", "严重（自伤、自杀念头或行为）", 5.0),
        ],
    },
    ScoredItem {
        id: "b_conduct",
        text: "不良行为",
        group: BEHAVIOUR,
        help: "",
        options: &[
            ("none", "无", 0.0),
            ("minor", "轻微（夜不归宿、沉迷网络等）", 1.0),
            ("serious", "严重（流浪、违法）", 3.0),
        ],
    },
];

/// A colour tier with its level code (as used in visit_policy.by_level).
pub struct Tier {
    pub code: &'static str,
    pub label: &'static str,
    pub colour: Colour,
    pub days: u32,
}

pub const RED: Tier = Tier {
    code: "red",
    label: "红色：高风险，立即介入",
    colour: Colour::Red,
    days: 7,
};
pub const YELLOW: Tier = Tier {
    code: "yellow",
    label: "黄色：中风险，定期介入",
    colour: Colour::Yellow,
    days: 14,
};
pub const BLUE: Tier = Tier {
    code: "blue",
    label: "蓝色：低风险，保持关注",
    colour: Colour::Blue,
    days: 30,
};
pub const GREEN: Tier = Tier {
    code: "green",
    label: "绿色：健康成长，保持关注",
    colour: Colour::Green,
    days: 30,
};
pub const TIERS: [&Tier; 4] = [&RED, &YELLOW, &BLUE, &GREEN];

pub fn scale() -> ScaleDef {
    ScaleDef {
        id: SCALE_ID.into(),
        version: "1".into(),
        name: "四色管理风险评估（示例）".into(),
        description: "监护风险、生理风险、行为风险三个维度。任一红色警示项、或总分≥10、或两个维度≥3分为红色；\
一个维度≥3分或总分≥5为黄色；总分1–4为蓝色；0分为绿色。走访：红7天、黄14天（示例），蓝、绿一月一访。"
            .into(),
        credit: "护童示例，维度参照常州市武进区“四色档案”；非江苏省正式量表".into(),
        items: scoring::scale_items(ITEMS),
    }
}

/// Scores the answers and picks the colour.
pub fn assess(input: &AssessInput) -> Result<Assessment, String> {
    let s = scoring::score(ITEMS, &input.answers)?;
    let dims = [GUARDIAN, PHYSICAL, BEHAVIOUR];
    let flagged = dims.iter().filter(|d| s.group(d) >= DIMENSION_FLAG).count();
    let red_flag: Vec<&str> = RED_FLAGS
        .iter()
        .filter(|(item, code)| s.code_of(item) == Some(*code))
        .filter_map(|(item, _)| ITEMS.iter().find(|i| i.id == *item).map(|i| i.text))
        .collect();
    let mut reasons = Vec::new();
    let tier = if !red_flag.is_empty() {
        reasons.push(format!("红色警示项：{}", red_flag.join("、")));
        &RED
    } else if s.total >= TOTAL_RED || flagged >= 2 {
        reasons.push(format!("总分{}，{}个维度≥3分", s.total, flagged));
        &RED
    } else if flagged == 1 || s.total >= TOTAL_YELLOW {
        reasons.push(format!("总分{}，{}个维度≥3分", s.total, flagged));
        &YELLOW
    } else if s.total > 0.0 {
        &BLUE
    } else {
        &GREEN
    };
    reasons.extend(s.reasons());
    Ok(Assessment {
        level_code: tier.code.into(),
        level_label: tier.label.into(),
        colour: Some(tier.colour),
        score: Some(s.total),
        sub_scores: dims
            .iter()
            .map(|d| SubScore {
                name: (*d).into(),
                value: s.group(d),
                flagged: s.group(d) >= DIMENSION_FLAG,
            })
            .collect(),
        reasons,
        next_visit_days: Some(tier.days),
        suggested_services: vec![],
    })
}
