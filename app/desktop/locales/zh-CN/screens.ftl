## 工作台 (home.rs)
home-failed = 统计失败：{ $error }
home-cancelled = 统计已取消；切换页面后重新进入工作台即可重新统计
home-people = { $n } 名
home-see_in_plan = 在走访计划中查看
home-policy = 依据 { $plugin } 的走访规则：未评估每 { $days } 天走访一次；超期 { $township } 天以上上报乡镇督导员，{ $county } 天以上上报县民政局。
home-total_computing = 在档儿童：统计中…
home-total_n = 在档儿童：{ $n } 名
home-category_n = { $category }  { $n } 名
home-overdue_days = 超期 { $days } 天 · { $escalation }
home-village_overdue = { $village }  超期 { $overdue } 名（已上报 { $escalated } 名）

## Shared widgets (widgets.rs)
widget-colour_red = 红
widget-colour_orange = 橙
widget-colour_yellow = 黄
widget-colour_blue = 蓝
widget-colour_green = 绿
widget-not_assessed = 未评估
widget-township = 乡镇

## 儿童档案 list (list.rs)
lst-clear_division = 清除：{ $name }
lst-status_active = 在档
lst-status_closed = 已结案
lst-searched = 搜索“{ $text }”
lst-export_all = 儿童档案列表（全部，{ $n } 人）
lst-export_filtered = 儿童档案列表：{ $filter }（当前显示 { $n } 人）
lst-filter_separator = ，

## 走访计划 (visit_plan.rs)
plan-failed = 计算走访计划失败：{ $error }
plan-cancelled = 已取消
plan-policy = 截至 { $date }，依据 { $plugin } 的走访规则：超期 { $township } 天以上上报乡镇督导员，{ $county } 天以上上报县民政局。共 { $n } 条。
plan-colour_and_level = { $colour }（{ $level }）
plan-days = { $n } 天

## Background jobs and the plugin thread (jobs.rs, worker.rs)
jobs-cannot_start = 无法启动后台任务：{ $error }
jobs-ended_without_result = 后台任务意外中止
jobs-cancelling = 正在取消…
worker-not_running = 插件线程未运行
worker-stopped = 插件线程已停止
worker-no_such_plugin = 插件不存在
worker-cannot_start = 无法启动插件线程：{ $error }

## Date picker (date_picker.rs)
date-mon = 一
date-tue = 二
date-wed = 三
date-thu = 四
date-fri = 五
date-sat = 六
date-sun = 日
date-choose = 选择日期
date-calendar = 日历：{ $date }
date-month = { $year }年{ $month }月
date-today = 今天

## 每日资格核查 (eligibility_sweep.rs)
sweep-job_title = 每日资格核查
sweep-failed = 资格核查未完成：{ $error }
sweep-cancelled = 资格核查已取消：已作出的变更保留，明天（或下次登录）将重新核查同一时段
sweep-cannot_start = 资格核查未能开始：{ $error }
sweep-failed_child = · { $child }：{ $error }
sweep-checked_since = 自上次核查（{ $date }）以来有生活事件或从未核查的{ $n }名儿童已由省级插件重新认定，{ $changes }项变动
sweep-checked_first = 首次核查：{ $n }名儿童已由省级插件重新认定，{ $changes }项变动
sweep-summary = { $checked }{ $failed ->
        [0] {""}
       *[other] ，{ $failed }名失败
    }（{ $millis } 毫秒）

## 省级表单 (province_form.rs)
pform-worker_stopped = 插件线程已停止，请重新打开护童
pform-choose = 请选择
pform-date_hint = 如 2025-05-22
pform-id_hint = 18位身份证号
pform-no_plugin = 尚未安装省级插件
pform-choose_form = 请选择一张表单
pform-add_row = 添加一行
pform-checking = 正在检查…
pform-save = 保存表单
pform-fix_errors = 请先改正标红的错误
pform-issue_error = 错误：{ $message }
pform-issue_warning = 提示：{ $message }
pform-saved = 已保存“{ $form }”第 { $version } 版
