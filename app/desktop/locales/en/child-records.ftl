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
childrec-report-open = Awaiting feedback
childrec-report-closed = Feedback received
childrec-report-voided = Void
# Situation (core mandatory_reports::Situation::short_zh)
childrec-situation-genital_injury = Injury to private parts
childrec-situation-under14_sexual = Sexual abuse of a girl under 14
childrec-situation-over14_sexual_preg = Pregnancy from sexual abuse, girl 14 or over
childrec-situation-multi_injury_neglect = Multiple injuries / domestic abuse
childrec-situation-abnormal_disability_death = Abnormal disability or death
childrec-situation-abandoned_uncared = Abandoned / left uncared for
childrec-situation-unknown_missing_trafficked = Unknown origin / missing / trafficked
childrec-situation-organised_begging = Organised begging
childrec-situation-hotline_12349 = 12349 hotline lead
childrec-situation-other_serious = Other serious harm
# 《未成年人保护法》第九十二条 (core mandatory_reports::custody_clause_label)
childrec-clause-1 = (1) wandering and begging or of unknown identity, parents or other guardians temporarily not found
childrec-clause-2 = (2) guardian's whereabouts unknown and no one else can act as guardian
childrec-clause-3 = (3) guardian unable to perform guardianship duties for personal reasons or because of a natural disaster, accident, public health event or other emergency, leaving the minor without guardianship
childrec-clause-4 = (4) guardian refuses or neglects guardianship duties, leaving the minor uncared for
childrec-clause-5 = (5) guardian incites or uses the minor to commit crimes, and the minor must be removed and placed
childrec-clause-6 = (6) minor seriously harmed by the guardian or facing threats to personal safety, needing emergency placement
childrec-clause-7 = (7) other circumstances provided by law
# PaymentStatus (core allowances::PaymentStatus::label_zh)
childrec-payment-due = Due
childrec-payment-paid = Paid
childrec-payment-voided = Void
# Programme (core allowances::Programme::label_zh)
childrec-programme-fucai_dream = Welfare Lottery Dream Fulfilment
childrec-programme-tomorrow_plan = Tomorrow Plan
