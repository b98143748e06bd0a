//! 困境级别记分 (five service levels with an emergency override), re-authored
//! from the scheme in DOMAIN §2.3 c. The item points and bands follow that
//! scheme; the colours and visit days are DOMAIN's suggested default and are
//! 示例, not Henan policy.

use hutong_plugin_sdk::prelude::*;
use hutong_plugin_sdk::scoring::{self, ScoredItem};

pub const SCALE_ID: &str = "hardship-level";
pub const EMERGENCY: &str = "紧急情况";
const SCORED: &str = "困境记分";

const NO_YES: &[(&str, &str, f64)] = &[("no", "否", 0.0), ("yes", "是", 0.0)];

pub const ITEMS: &[ScoredItem] = &[
    ScoredItem {
        id: "e_violence",
        text: "正在遭受家庭暴力、拐卖或非法用工",
        group: EMERGENCY,
        help: "任一紧急情况为“是”，直接定为一级（红色），不再记分",
        options: NO_YES,
    },
    ScoredItem {
        id: "e_runaway",
        text: "离家出走或流浪乞讨",
        group: EMERGENCY,
        help: "",
        options: NO_YES,
    },
    ScoredItem {
        id: "e_family_event",
        text: "家庭发生重大变故，儿童可能失去生活来源",
        group: EMERGENCY,
        help: "",
        options: NO_YES,
    },
    ScoredItem {
        id: "e_life_threat",
        text: "其他危及生命安全的情况",
        group: EMERGENCY,
        help: "",
        options: NO_YES,
    },
    ScoredItem {
        id: "health",
        text: "健康状况",
        group: SCORED,
        help: "",
        options: &[("good", "健康", 0.0), ("unwell", "非健康", 1.0)],
    },
    ScoredItem {
        id: "family_relations",
        text: "家庭、邻里关系",
        group: SCORED,
        help: "",
        options: &[("ok", "和睦", 0.0), ("conflict", "有矛盾", 1.0)],
    },
    ScoredItem {
        id: "economy",
        text: "家庭经济",
        group: SCORED,
        help: "",
        options: &[("ok", "一般及以上", 0.0), ("poor", "简陋", 1.0)],
    },
    ScoredItem {
        id: "night_out",
        text: "夜不归宿",
        group: SCORED,
        help: "",
        options: &[
            ("no", "没有", 0.0),
            ("mentioned", "没有但提过", 1.0),
            ("yes", "有", 3.0),
        ],
    },
    ScoredItem {
        id: "parent_child",
        text: "亲子关系",
        group: SCORED,
        help: "",
        options: &[("ok", "和谐", 0.0), ("poor", "不和谐", 2.0)],
    },
    ScoredItem {
        id: "motivation",
        text: "学习动机",
        group: SCORED,
        help: "",
        options: &[
            ("ok", "正常", 0.0),
            ("dislike", "不喜欢上学", 1.0),
            ("thought", "有逃学念头", 3.0),
            ("truant", "逃学", 5.0),
        ],
    },
    ScoredItem {
        id: "teacher",
        text: "与老师关系",
        group: SCORED,
        help: "",
        options: &[("ok", "正常", 0.0), ("hostile", "敌对", 2.0)],
    },
    ScoredItem {
        id: "classmates",
        text: "与同学关系",
        group: SCORED,
        help: "",
        options: &[("ok", "正常", 0.0), ("very_poor", "很差", 1.0)],
    },
    ScoredItem {
        id: "life_state",
        text: "生活状态",
        group: SCORED,
        help: "",
        options: &[
            ("ok", "积极", 0.0),
            ("negative", "消极", 1.0),
            ("decadent", "颓废", 2.0),
        ],
    },
    ScoredItem {
        id: "dropout",
        text: "辍学且未工作",
        group: SCORED,
        help: "",
        options: &[("no", "否", 0.0), ("yes", "是", 2.0)],
    },
    ScoredItem {
        id: "grandparent_time",
        text: "祖父母监护时间",
        group: SCORED,
        help: "充足时减1分",
        options: &[("not_ample", "不足或无", 0.0), ("ample", "充足", -1.0)],
    },
    ScoredItem {
        id: "parent_work",
        text: "父母工作地点",
        group: SCORED,
        help: "",
        options: &[
            ("near", "至少一方在本地", 0.0),
            ("both_far", "双方均在外地", 1.0),
        ],
    },
    ScoredItem {
        id: "parent_time",
        text: "父母监护时间",
        group: SCORED,
        help: "",
        options: &[
            ("weekly", "同住或每周联系", 0.0),
            ("other", "其他", 1.0),
            ("holidays", "仅节假日见面", 2.0),
        ],
    },
    ScoredItem {
        id: "support_burden",
        text: "赡养压力",
        group: SCORED,
        help: "家中患病或残疾需赡养的人数",
        options: &[
            ("none", "无", 0.0),
            ("one", "1人", 0.5),
            ("two_plus", "2人及以上", 1.0),
        ],
    },
    ScoredItem {
        id: "guardian_habits",
        text: "监护人不良嗜好",
        group: SCORED,
        help: "",
        options: &[("no", "无", 0.0), ("yes", "有", 1.0)],
    },
    ScoredItem {
        id: "guardian_body",
        text: "监护人身体",
        group: SCORED,
        help: "",
        options: &[
            ("ok", "健康", 0.0),
            ("one", "一方患病或残疾", 1.0),
            ("both", "双方患病或残疾", 2.0),
        ],
    },
    ScoredItem {
        id: "structure",
        text: "家庭结构",
        group: SCORED,
        help: "",
        options: &[
            ("intact", "完整", 0.0),
            ("remarried", "重组", 0.5),
            ("single", "单亲", 1.0),
        ],
    },
    ScoredItem {
        id: "no_guardian",
        text: "事实无监护人",
        group: SCORED,
        help: "",
        options: &[("no", "否", 0.0), ("yes", "是", 5.0)],
    },
];

/// One service level with its colour and visit days (示例 per DOMAIN §2.3).
pub struct Level {
    pub code: &'static str,
    pub label: &'static str,
    pub colour: Colour,
    pub days: u32,
    /// Lowest score in this band; bands are checked from Level 1 down.
    pub min_score: f64,
}

pub const LEVELS: [Level; 5] = [
    Level {
        code: "L1",
        label: "一级：须紧急介入",
        colour: Colour::Red,
        days: 7,
        min_score: 26.0,
    },
    Level {
        code: "L2",
        label: "二级：严重困境",
        colour: Colour::Orange,
        days: 14,
        min_score: 16.0,
    },
    Level {
        code: "L3",
        label: "三级：比较严重",
        colour: Colour::Yellow,
        days: 30,
        min_score: 6.0,
    },
    Level {
        code: "L4",
        label: "四级：一般困境（亚困境）",
        colour: Colour::Green,
        days: 90,
        min_score: 1.0,
    },
    Level {
        code: "L5",
        label: "五级：非困境",
        colour: Colour::Green,
        days: 90,
        min_score: f64::NEG_INFINITY,
    },
];

/// The band for a score: 26+ L1, 16–25 L2, 6–15 L3, 1–5 L4, below 1 L5.
pub fn level_for(score: f64) -> &'static Level {
    LEVELS
        .iter()
        .find(|l| score >= l.min_score)
        .unwrap_or(&LEVELS[4])
}

pub fn scale() -> ScaleDef {
    ScaleDef {
        id: SCALE_ID.into(),
        version: "1".into(),
        name: "困境级别记分（示例）".into(),
        description: "先筛紧急情况：任一为“是”直接定为一级（红色）立即介入。否则逐项记分：26分及以上一级，16–25分二级，\
6–15分三级，1–5分四级，不足1分五级。颜色与走访（示例）：一级红色每周，二级橙色每两周，三级黄色每月，四、五级绿色每季度。"
            .into(),
        credit: "据公开论文中的困境级别记分法改编（护童示例）；非河南省正式量表".into(),
        items: scoring::scale_items(ITEMS),
    }
}

fn result(level: &Level, score: Option<f64>, reasons: Vec<String>) -> Assessment {
    Assessment {
        level_code: level.code.into(),
        level_label: level.label.into(),
        colour: Some(level.colour),
        score,
        sub_scores: vec![],
        reasons,
        next_visit_days: Some(level.days),
        suggested_services: vec![],
    }
}

pub fn assess(input: &AssessInput) -> Result<Assessment, String> {
    let s = scoring::score(ITEMS, &input.answers)?;
    let emergencies: Vec<&str> = s
        .chosen
        .iter()
        .filter(|c| c.item.group == EMERGENCY && c.code == "yes")
        .map(|c| c.item.text)
        .collect();
    if !emergencies.is_empty() {
        // The override skips scoring on purpose: the child is seen at once.
        let mut reasons = vec![format!("紧急情况：{}", emergencies.join("、"))];
        reasons.push("直接定为一级，24小时内介入，不再记分".into());
        return Ok(result(&LEVELS[0], None, reasons));
    }
    let level = level_for(s.total);
    let mut reasons = vec![format!("记分合计{}分", s.total)];
    reasons.extend(s.reasons());
    let mut a = result(level, Some(s.total), reasons);
    a.sub_scores = vec![SubScore {
        name: SCORED.into(),
        value: s.total,
        flagged: s.total >= LEVELS[2].min_score,
    }];
    Ok(a)
}
