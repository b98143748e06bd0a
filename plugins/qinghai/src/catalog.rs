//! 《青海省流动儿童在居住地享有关爱服务基础清单》: 21 items.
//!
//! DOMAIN §2.6/§6: the item text was NOT found. This table keeps the
//! structure (21 items under the national list's six areas) so screens and
//! reports work now, and every row is `placeholder: true`.
//!
//! To replace it with the official list: edit `ITEMS` only — one row per
//! item with its code, area, name and lead department — and set
//! `placeholder` to false on each verified row. Keep the codes stable once
//! counties have recorded services against them. How the 21 items split
//! over the six areas is also unknown; the split below is an assumption.

use hutong_plugin_sdk::prelude::*;

/// One catalogue row.
pub struct Item {
    pub code: &'static str,
    pub area: &'static str,
    pub name: &'static str,
    pub department: &'static str,
    pub placeholder: bool,
}

const fn todo(code: &'static str, area: &'static str, name: &'static str) -> Item {
    Item {
        code,
        area,
        name,
        department: "（待补充）",
        placeholder: true,
    }
}

/// Areas follow the national basic list's six (2024 行动方案): 幼有所育、
/// 学有所教、病有所医、住有所居、弱有所扶、发展保障.
pub const ITEMS: [Item; 21] = [
    todo("QH-01", "幼有所育", "（待补充）第1项"),
    todo("QH-02", "幼有所育", "（待补充）第2项"),
    todo("QH-03", "幼有所育", "（待补充）第3项"),
    todo("QH-04", "学有所教", "（待补充）第4项"),
    todo("QH-05", "学有所教", "（待补充）第5项"),
    todo("QH-06", "学有所教", "（待补充）第6项"),
    todo("QH-07", "学有所教", "（待补充）第7项"),
    todo("QH-08", "病有所医", "（待补充）第8项"),
    todo("QH-09", "病有所医", "（待补充）第9项"),
    todo("QH-10", "病有所医", "（待补充）第10项"),
    todo("QH-11", "病有所医", "（待补充）第11项"),
    todo("QH-12", "住有所居", "（待补充）第12项"),
    todo("QH-13", "住有所居", "（待补充）第13项"),
    todo("QH-14", "弱有所扶", "（待补充）第14项"),
    todo("QH-15", "弱有所扶", "（待补充）第15项"),
    todo("QH-16", "弱有所扶", "（待补充）第16项"),
    todo("QH-17", "弱有所扶", "（待补充）第17项"),
    todo("QH-18", "发展保障", "（待补充）第18项"),
    todo("QH-19", "发展保障", "（待补充）第19项"),
    todo("QH-20", "发展保障", "（待补充）第20项"),
    todo("QH-21", "发展保障", "（待补充）第21项"),
];

pub fn catalog() -> Vec<ServiceItem> {
    ITEMS
        .iter()
        .map(|i| ServiceItem {
            code: i.code.into(),
            area: i.area.into(),
            name: i.name.into(),
            department: i.department.into(),
            placeholder: i.placeholder,
        })
        .collect()
}
