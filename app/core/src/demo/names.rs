//! Name, schooling and ethnicity pools for generated people, weighted
//! roughly as in the population (surnames after the 2020 census ranking).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(super) const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 70),
    ("张", 68),
    ("刘", 53),
    ("陈", 46),
    ("杨", 32),
    ("黄", 25),
    ("赵", 22),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 15),
    ("马", 14),
    ("朱", 13),
    ("胡", 12),
    ("郭", 12),
    ("何", 10),
    ("高", 10),
    ("林", 10),
    ("罗", 9),
    ("郑", 9),
    ("梁", 8),
    ("谢", 7),
    ("宋", 6),
    ("唐", 6),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 5),
    ("曹", 5),
    ("彭", 5),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 4),
    ("潘", 4),
    ("于", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 2),
    ("谭", 2),
    ("陆", 2),
    ("汪", 2),
    ("范", 2),
    ("金", 2),
    ("石", 2),
    ("廖", 2),
    ("贾", 2),
    ("夏", 2),
    ("欧阳", 1),
    ("司马", 1),
];

pub(super) const GIVEN_BOY: &[&str] = &[
    "浩", "宇", "轩", "子", "梓", "俊", "博", "文", "涛", "明", "杰", "磊", "鹏", "辉", "强", "伟",
    "晨", "阳", "宁", "睿", "泽", "嘉", "一", "天", "振", "航", "然", "豪", "凯", "昊", "铭", "锦",
    "志", "建", "斌", "思", "奕", "钰", "逸", "承",
];
pub(super) const GIVEN_GIRL: &[&str] = &[
    "欣", "怡", "雨", "萱", "梓", "涵", "子", "诗", "琪", "佳", "雅", "静", "婷", "慧", "敏", "丽",
    "芳", "玲", "悦", "可", "晴", "彤", "语", "思", "妍", "若", "曦", "梦", "瑶", "璐", "馨", "蕊",
    "依", "安", "雪", "颖", "月", "心", "艺", "舒",
];
/// 生僻字 that real names use and that fonts often lack; they keep the
/// font fallback honest.
pub(super) const RARE: &[&str] = &["堃", "喆", "赟", "䶮", "玥", "珺", "祎", "彧", "昇", "犇"];

pub(super) const SCHOOLING: &[&str] = &[
    "小学", "小学", "小学", "初中", "初中", "高中", "中职", "在园",
];
/// Ethnic mix by province (示例 weights in the order of the province's
/// census shares): 西藏 and 青海 children are mostly not 汉族, and a demo
/// of their counties should look it.
pub(super) fn ethnicity_mix(province: &str) -> &'static [(&'static str, u32)] {
    match province {
        "54" => &[("藏族", 90), ("汉族", 8), ("门巴族", 1), ("回族", 1)],
        "63" => &[
            ("汉族", 50),
            ("藏族", 25),
            ("回族", 15),
            ("土族", 5),
            ("撒拉族", 4),
            ("蒙古族", 1),
        ],
        "32" => &[("汉族", 99), ("回族", 1)],
        _ => &[("汉族", 95), ("回族", 3), ("满族", 1), ("蒙古族", 1)],
    }
}

/// Tibetan personal names (藏族 names have no surname; two of these make
/// a name, e.g. 次仁卓玛).
pub(super) const TIBETAN: &[&str] = &[
    "扎西", "次仁", "卓玛", "格桑", "央金", "达瓦", "尼玛", "拉姆", "德吉", "旺堆", "平措", "普布",
    "边巴", "多吉", "索朗", "曲珍", "益西", "白玛", "洛桑", "巴桑", "旦增", "仁青", "措姆", "罗布",
];

pub(super) fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total.max(1));
    for (item, w) in items {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    &items[0].0
}

pub(super) fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}
