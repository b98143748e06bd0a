//! Strings for 评估、走访计划、摸底排查、插件升级复核 (#8).

pub const STRINGS: &[(&str, &str, &str)] = &[
    // 工作台
    ("home.computing", "统计工作台数据", "Computing the figures"),
    ("home.colours", "风险颜色：", "Risk colours:"),
    ("home.due_week", "本周到期走访", "Visits due this week"),
    ("home.overdue_now", "已超期走访", "Overdue visits"),
    (
        "home.escalated_township",
        "已上报乡镇督导员",
        "Escalated to the township",
    ),
    (
        "home.escalated_county",
        "已上报县民政局",
        "Escalated to the county",
    ),
    (
        "home.alerts",
        "升级提醒（超期最久）",
        "Escalation alerts (most overdue)",
    ),
    (
        "home.no_alerts",
        "没有需要上报的超期走访",
        "No escalated visits",
    ),
    (
        "home.overdue_villages",
        "超期走访较多的村（居）",
        "Villages with overdue visits",
    ),
    (
        "home.no_overdue_villages",
        "没有超期走访的村（居）",
        "No village has overdue visits",
    ),
    // 走访计划 and the 走访 tab
    (
        "visit.no_plugin",
        "未找到本省的省级插件，无法按风险颜色计算走访计划；请先在“插件”中安装",
        "No province plugin: the visit plan cannot be computed; install one under Plugins",
    ),
    (
        "visit.computing",
        "计算走访计划",
        "Computing the visit plan",
    ),
    ("visit.refresh", "刷新", "Refresh"),
    (
        "visit.filter_all",
        "全部（本周到期及超期）",
        "All due and overdue",
    ),
    ("visit.filter_week", "本周到期", "Due this week"),
    ("visit.filter_overdue", "已超期", "Overdue"),
    ("visit.filter_escalated", "已升级", "Escalated"),
    ("visit.col_name", "姓名", "Name"),
    ("visit.col_id", "身份证号", "ID number"),
    ("visit.col_village", "村（居）", "Village"),
    ("visit.col_colour", "风险颜色", "Colour"),
    ("visit.col_due", "应走访日期", "Due on"),
    ("visit.col_days", "超期天数", "Days overdue"),
    ("visit.col_status", "状态", "Status"),
    ("visit.col_escalation", "升级", "Escalation"),
    (
        "visit.escalated_township",
        "已上报乡镇督导员",
        "Township supervisor alerted",
    ),
    ("visit.escalated_county", "已上报县民政局", "County alerted"),
    // 摸底排查
    (
        "campaign.no_plugin",
        "未找到本省的省级插件，无法确定摸排周期；请先在“插件”中安装",
        "No province plugin: the screening cycle is unknown; install one under Plugins",
    ),
    ("campaign.new", "开始新一轮摸排", "Start a screening round"),
    ("campaign.scope", "摸排范围：", "Area:"),
    ("campaign.start_date", "开始日期：", "Start date:"),
    ("campaign.start", "开始摸排", "Start the round"),
    ("campaign.rounds", "各轮摸排", "Rounds"),
    ("campaign.none", "尚无摸排记录", "No rounds yet"),
    ("campaign.counting", "统计覆盖情况", "Counting coverage"),
    (
        "campaign.rendering",
        "生成摸排总结",
        "Rendering the summary",
    ),
    ("campaign.refresh", "刷新", "Refresh"),
    (
        "campaign.close",
        "结束本轮并生成总结…",
        "Close the round and write the summary…",
    ),
    (
        "campaign.save_summary",
        "保存总结 PDF…",
        "Save the summary PDF…",
    ),
    (
        "campaign.pick_village",
        "点击村（居）名称，逐一登记儿童的核实、更新或销档",
        "Click a village to record each child as confirmed, updated or closed",
    ),
];
