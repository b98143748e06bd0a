childrec-window = { $category }：{ $first }起发放，末次 { $last }，{ $stop }起停发
childrec-month = { $year }年{ $month }月
childrec-reports = 强制报告
childrec-services = 关爱服务
childrec-referrals = 转介
childrec-ledger = 基本生活费台账
childrec-wishes = 微心愿
childrec-care = 心理关爱
childrec-block = { $title }（{ $n }）
childrec-none = 暂无记录
childrec-report-line = { $found } → { $reported }　{ $situations }　报告人：{ $reporter }　{ $status }
childrec-custody = 　临时监护：{ $agency } 自 { $from } 起（第九十二条{ $clause }）
childrec-service-line = { $date }　{ $area }·{ $item }　{ $provider }（{ $department }）{ $outcome }{ $voided }
childrec-outcome = 　结果：{ $outcome }
childrec-voided = （已作废）
childrec-referral-line = { $date } → { $department }：{ $reason }（{ $status }）{ $source }
childrec-from-mreport = 　来自强制报告
childrec-payment-line = { $month }　{ $category }　{ $amount } 元　{ $status }
childrec-grant-line = { $date }　{ $programme }：{ $item }{ $amount }
childrec-grant-amount = 　{ $amount } 元
childrec-wish-line = { $date }　{ $wish }　{ $status }{ $sponsor }
childrec-wish-sponsor = （认领：{ $name }）
childrec-session-line = 辅导 { $date }　{ $mode }　{ $counsellor }：{ $summary }
childrec-screening-line = 筛查 { $date }　{ $scale }　{ $level }
childrec-followup-line = 随访 { $date }　{ $action }　{ $status }
childrec-overdue = { $text }（已逾期）
# ReportStatus (core mandatory_reports::ReportStatus::label_zh)
childrec-report-open = 待反馈
childrec-report-closed = 已反馈
childrec-report-voided = 已作废
# Situation (core mandatory_reports::Situation::short_zh)
childrec-situation-genital_injury = 隐私部位损伤
childrec-situation-under14_sexual = 不满14周岁女性性侵
childrec-situation-over14_sexual_preg = 14周岁以上女性性侵致孕
childrec-situation-multi_injury_neglect = 多处损伤/家暴虐待
childrec-situation-abnormal_disability_death = 非正常伤残死亡
childrec-situation-abandoned_uncared = 遗弃/无人照料
childrec-situation-unknown_missing_trafficked = 来源不明/失踪/拐卖
childrec-situation-organised_begging = 被组织乞讨
childrec-situation-hotline_12349 = 12349 线索
childrec-situation-other_serious = 其他严重侵害
# 《未成年人保护法》第九十二条 (core mandatory_reports::custody_clause_label)
childrec-clause-1 = （一）流浪乞讨或者身份不明，暂时查找不到父母或者其他监护人
childrec-clause-2 = （二）监护人下落不明且无其他人可以担任监护人
childrec-clause-3 = （三）监护人因自身客观原因或者因发生自然灾害、事故灾难、公共卫生事件等突发事件不能履行监护职责，导致未成年人监护缺失
childrec-clause-4 = （四）监护人拒绝或者怠于履行监护职责，导致未成年人处于无人照料的状态
childrec-clause-5 = （五）监护人教唆、利用未成年人实施违法犯罪行为，未成年人需要被带离安置
childrec-clause-6 = （六）未成年人遭受监护人严重伤害或者面临人身安全威胁，需要被紧急安置
childrec-clause-7 = （七）法律规定的其他情形
# PaymentStatus (core allowances::PaymentStatus::label_zh)
childrec-payment-due = 待发放
childrec-payment-paid = 已发放
childrec-payment-voided = 已作废
# Programme (core allowances::Programme::label_zh)
childrec-programme-fucai_dream = 福彩圆梦
childrec-programme-tomorrow_plan = 明天计划
