//! 关爱服务清单: 19 items in 6 areas (河南省流动儿童在居住地享有关爱服务
//! 基础清单（第二版）, 豫民文〔2025〕256号). Only the press summary was found
//! (DOMAIN §2.6): the items it names are listed in paraphrase, the rest are
//! marked placeholder so no county prints them as official text.

use hutong_plugin_sdk::prelude::*;

/// (code, area, name, department); an empty name is a placeholder.
const ITEMS: &[(&str, &str, &str, &str)] = &[
    ("HN-NUR-01", "幼有所育", "", "卫生健康"),
    ("HN-NUR-02", "幼有所育", "", "教育"),
    ("HN-EDU-01", "学有所教", "就近入读公办学校", "教育"),
    ("HN-EDU-02", "学有所教", "幼儿园至高中阶段升学衔接", "教育"),
    (
        "HN-EDU-03",
        "学有所教",
        "符合条件的在居住地参加中考、高考",
        "教育",
    ),
    (
        "HN-EDU-04",
        "学有所教",
        "家庭经济困难学生资助（生活补助、国家助学金、学费减免）",
        "教育",
    ),
    ("HN-MED-01", "病有所医", "预防接种", "卫生健康、疾控"),
    ("HN-MED-02", "病有所医", "健康体检", "卫生健康"),
    ("HN-MED-03", "病有所医", "家庭医生签约服务", "卫生健康"),
    ("HN-MED-04", "病有所医", "异地就医直接结算", "医保"),
    (
        "HN-HOU-01",
        "住有所居",
        "住房困难家庭公租房保障或住房补贴",
        "住房城乡建设",
    ),
    ("HN-HOU-02", "住有所居", "", "住房城乡建设"),
    (
        "HN-WEAK-01",
        "弱有所扶",
        "孤儿、事实无人抚养儿童基本生活费跨省通办",
        "民政",
    ),
    (
        "HN-WEAK-02",
        "弱有所扶",
        "残疾儿童康复救助和教育资助",
        "残联、教育",
    ),
    ("HN-WEAK-03", "弱有所扶", "临时救助", "民政"),
    ("HN-WEAK-04", "弱有所扶", "", "民政"),
    (
        "HN-DEV-01",
        "发展保障",
        "学校和社区心理健康与文化生活服务",
        "教育、民政、文旅",
    ),
    ("HN-DEV-02", "发展保障", "", "共青团、妇联"),
    ("HN-DEV-03", "发展保障", "", "民政"),
];

pub fn catalog() -> Vec<ServiceItem> {
    ITEMS
        .iter()
        .map(|(code, area, name, dept)| {
            let placeholder = name.is_empty();
            let name = if placeholder {
                // Numbered within the area by the code's last digits.
                let n = code
                    .rsplit('-')
                    .next()
                    .unwrap_or("")
                    .trim_start_matches('0');
                format!("（待补充）{area}服务项目 {n}")
            } else {
                (*name).to_string()
            };
            ServiceItem {
                code: (*code).into(),
                area: (*area).into(),
                name,
                department: (*dept).into(),
                placeholder,
            }
        })
        .collect()
}
