childrec-window = { $category }: paid from { $first }, last payment { $last }, stops from { $stop }
childrec-month = { $ym }
childrec-reports = Mandatory reports
childrec-services = Care services
childrec-referrals = Referrals
childrec-ledger = Basic living allowance ledger
childrec-wishes = Small wishes
childrec-care = Psychological care
childrec-block = { $title } ({ $n })
childrec-none = No records yet
childrec-report-line = { $found } → { $reported }   { $situations }   Reporter: { $reporter }   { $status }
childrec-custody = Temporary guardianship: { $agency } from { $from } (Article 92 { $clause })
childrec-service-line = { $date }   { $area }·{ $item }   { $provider } ({ $department }){ $outcome }{ $voided }
childrec-outcome = {"   "}Outcome: { $outcome }
childrec-voided = {" "}(void)
childrec-referral-line = { $date } → { $department }: { $reason } ({ $status }){ $source }
childrec-from-mreport = {"   "}from a mandatory report
childrec-payment-line = { $month }   { $category }   { $amount } yuan   { $status }
childrec-grant-line = { $date }   { $programme }: { $item }{ $amount }
childrec-grant-amount = {"   "}{ $amount } yuan
childrec-wish-line = { $date }   { $wish }   { $status }{ $sponsor }
childrec-wish-sponsor = {" "}(sponsor: { $name })
childrec-session-line = Counselling { $date }   { $mode }   { $counsellor }: { $summary }
childrec-screening-line = Screening { $date }   { $scale }   { $level }
childrec-followup-line = Follow-up { $date }   { $action }   { $status }
childrec-overdue = { $text } (overdue)
# ReportStatus (core mandatory_reports::ReportStatus::label_zh)
# Situation (core mandatory_reports::Situation::short_zh)
# 《未成年人保护法》第九十二条 (core mandatory_reports::custody_clause_label)
# PaymentStatus (core allowances::PaymentStatus::label_zh)
# Programme (core allowances::Programme::label_zh)
