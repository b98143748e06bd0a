//! UI strings: zh-CN by default, English on request (设置 → Language).
//!
//! A small keyed table rather than a framework: the UI has a few dozen
//! labels, and a missing key shows the key itself, which tests catch.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The locale code a user's preference stores.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        [Lang::Zh, Lang::En].into_iter().find(|l| l.code() == code)
    }
}

const STRINGS: &[(&str, &str, &str)] = &[
    (
        "app.title",
        "护童 · 困境儿童关爱保护工作站",
        "Hutong · Child welfare workstation",
    ),
    ("login.title", "登录", "Log in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Log in"),
    (
        "login.demo_hint",
        "示例账号：admin / caseworker / supervisor / director / auditor，密码 hutong-demo",
        "Demo accounts: admin / caseworker / supervisor / director / auditor, password hutong-demo",
    ),
    ("nav.home", "工作台", "Home"),
    ("nav.children", "儿童档案", "Children"),
    ("nav.visit_plan", "走访计划", "Visit plan"),
    ("nav.campaigns", "摸底排查", "Screening"),
    ("nav.records", "业务台账", "Records"),
    ("nav.exchange", "数据交换", "Data exchange"),
    ("nav.print", "打印中心", "Print centre"),
    ("nav.plugins", "插件", "Plugins"),
    ("nav.settings", "设置", "Settings"),
    ("nav.logout", "退出登录", "Log out"),
    ("home.total", "在档儿童", "Children on file"),
    ("home.by_category", "按类别", "By category"),
    (
        "home.overdue",
        "超过30天未走访（按村）",
        "Not visited for 30+ days (by village)",
    ),
    (
        "home.no_overdue",
        "没有超期未走访的儿童",
        "No overdue visits",
    ),
    ("list.search", "搜索", "Search"),
    (
        "list.search_hint",
        "姓名、拼音首字母（如 zxy）或身份证号",
        "Name, pinyin initials (e.g. zxy) or ID number",
    ),
    ("list.category", "类别", "Category"),
    ("list.all", "全部", "All"),
    ("list.status", "状态", "Status"),
    ("list.name", "姓名", "Name"),
    ("list.sex", "性别", "Sex"),
    ("list.birth", "出生日期", "Date of birth"),
    ("list.id", "身份证号", "ID number"),
    ("list.village", "村（居）", "Village"),
    ("list.categories", "类别", "Categories"),
    ("list.open", "打开", "Open"),
    ("list.reveal", "显示", "Show"),
    (
        "list.truncated",
        "仅显示前 {n} 条，请用搜索或筛选缩小范围",
        "Showing the first {n}; narrow the list with search or filters",
    ),
    ("list.count", "共 {n} 条", "{n} rows"),
    (
        "reveal.title",
        "显示完整身份证号",
        "Reveal the full ID number",
    ),
    (
        "reveal.reason",
        "查看原因（将记入审计日志）",
        "Reason (recorded in the audit log)",
    ),
    ("reveal.confirm", "确认显示", "Reveal"),
    ("common.cancel", "取消", "Cancel"),
    ("common.save", "保存", "Save"),
    ("common.back", "返回列表", "Back to list"),
    ("file.basic", "基本信息", "Basic"),
    ("file.family", "家庭与监护", "Family & guardianship"),
    ("file.province_forms", "省级表单", "Province forms"),
    ("file.categories", "类别", "Categories"),
    ("file.visits", "走访", "Visits"),
    ("file.assessments", "评估", "Assessments"),
    ("file.records", "服务与记录", "Services & records"),
    ("file.history", "历史", "History"),
    ("file.saved", "已保存", "Saved"),
    ("file.unsaved", "有未保存的修改", "Unsaved changes"),
    ("file.discard", "放弃修改", "Discard"),
    (
        "file.unsaved_body",
        "离开前要保存对本档案的修改吗？",
        "Save your changes to this file before leaving?",
    ),
    (
        "plugins.title",
        "已安装的省级插件",
        "Installed province plugins",
    ),
    (
        "plugins.none",
        "尚未安装插件（hutong plugin install）",
        "No plugins installed (hutong plugin install)",
    ),
    ("plugins.signed", "已签名", "Signed"),
    (
        "plugins.unsigned",
        "未签名（开发者模式）",
        "Unsigned (developer mode)",
    ),
    (
        "banner.dev_mode",
        "开发者模式已开启：可加载未签名插件，请勿用于正式工作",
        "Developer mode is on: unsigned plugins may load; not for production work",
    ),
    ("settings.language", "界面语言", "Language"),
    ("settings.text_size", "字号", "Text size"),
    ("settings.db", "数据库", "Database"),
    ("settings.version", "版本", "Version"),
    ("settings.renderer", "图形渲染", "Renderer"),
];

mod assess;
mod casework;
mod exchange;
mod records;
mod users;

/// Every table of strings: the core screens' and one per feature area, so
/// that each area keeps its labels next to each other.
const TABLES: &[&[(&str, &str, &str)]] = &[
    STRINGS,
    assess::STRINGS,
    casework::STRINGS,
    records::STRINGS,
    exchange::STRINGS,
    users::STRINGS,
];

pub fn tr(lang: Lang, key: &str) -> String {
    TABLES
        .iter()
        .flat_map(|t| t.iter())
        .find(|(k, _, _)| *k == key)
        .map(|(_, zh, en)| match lang {
            Lang::Zh => (*zh).to_string(),
            Lang::En => (*en).to_string(),
        })
        .unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_is_unique() {
        let mut keys = std::collections::HashSet::new();
        for (k, zh, en) in TABLES.iter().flat_map(|t| t.iter()) {
            assert!(keys.insert(*k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k}");
        }
        assert_eq!(tr(Lang::Zh, "nav.children"), "儿童档案");
        assert_eq!(tr(Lang::En, "nav.children"), "Children");
    }
}
