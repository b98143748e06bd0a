# 审计校验（app/desktop/src/gui/audit_check.rs）
audit-chain_intact = 审计链完整：共校验 { $n } 条记录
audit-chain_broken = 审计链在第 { $seq } 条记录处断裂：{ $reason }（此前 { $n } 条完整）
audit-anchor_latest = 最新审计锚点：第 { $seq } 条（{ $reason }，{ $at }），共核对 { $n } 个
audit-no_anchor = 没有找到审计锚点
audit-pages_ok = 逐页校验：文件完好
audit-pages_damaged = 逐页校验发现损坏：{ $pages }
audit-separator = ；
audit-rows_ok = 逐条记录校验：{ $n } 条记录与审计记录一致
audit-rows_changed = 逐条记录校验：{ $n } 条记录在护童之外被改动
audit-row_problem = { $table } { $id }：{ $reason }
audit-cannot_check = 无法校验：{ $error }
audit-cancelled = 已取消
audit-title = 审计校验
audit-hint = 核对审计链、数据库内外保存的签名锚点，逐页校验文件并逐条核对记录；与 hutong audit verify --deep 相同
audit-start = 开始校验
audit-note = 校验审计链、锚点与文件各页…
