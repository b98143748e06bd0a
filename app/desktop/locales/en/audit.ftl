# Audit check (app/desktop/src/gui/audit_check.rs)
audit-chain_intact = Audit chain intact: { $n } entries checked
audit-chain_broken = The audit chain breaks at entry { $seq }: { $reason } ({ $n } intact before it)
audit-anchor_latest = Latest audit anchor: entry { $seq } ({ $reason }, { $at }); { $n } anchors checked
audit-no_anchor = No audit anchor found
audit-pages_ok = Page check: the file is intact
audit-pages_damaged = Page check found damage: { $pages }
audit-separator = ;{" "}
audit-rows_ok = Row check: { $n } rows match the audit log
audit-rows_changed = Row check: { $n } rows were changed outside Hutong
audit-row_problem = { $table } { $id }: { $reason }
audit-cannot_check = Cannot check: { $error }
audit-cancelled = Cancelled
audit-title = Audit check
audit-hint = Checks the audit chain, the signed anchors kept inside and outside the database, every page of the file and every row; the same as hutong audit verify --deep
audit-start = Start check
audit-note = Checking the audit chain, the anchors and every page of the file…
