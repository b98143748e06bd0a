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
# Situation (core mandatory_reports::Situation::short_zh)
# 《未成年人保护法》第九十二条 (core mandatory_reports::custody_clause_label)
# PaymentStatus (core allowances::PaymentStatus::label_zh)
# Programme (core allowances::Programme::label_zh)
