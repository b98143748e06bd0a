## Home (home.rs)
home-failed = Counting failed: { $error }
home-cancelled = Counting cancelled; leave and come back to Home to count again
home-people = { $n }
home-see_in_plan = Show in the visit plan
home-policy = Visit rules of { $plugin }: a child not yet assessed is visited every { $days } days; { $township }+ days overdue goes to the township supervisor, { $county }+ days to the county civil-affairs bureau.
home-total_computing = Children on file: counting…
home-total_n = Children on file: { $n }
home-category_n = { $category }  { $n }
home-overdue_days = { $days } days overdue · { $escalation }
home-village_overdue = { $village }  { $overdue } overdue ({ $escalated } escalated)

## Shared widgets (widgets.rs)
widget-colour_red = Red
widget-colour_orange = Orange
widget-colour_yellow = Yellow
widget-colour_blue = Blue
widget-colour_green = Green
widget-not_assessed = Not assessed
widget-township = Township

## Children list (list.rs)
lst-clear_division = Clear: { $name }
lst-status_active = On file
lst-status_closed = Closed
lst-searched = search “{ $text }”
lst-export_all = Children list (all, { $n })
lst-export_filtered = Children list: { $filter } ({ $n } shown)
lst-filter_separator = ,{" "}

## Visit plan (visit_plan.rs)
plan-failed = Could not compute the visit plan: { $error }
plan-cancelled = Cancelled
plan-policy = As of { $date }, visit rules of { $plugin }: { $township }+ days overdue goes to the township supervisor, { $county }+ days to the county civil-affairs bureau. { $n } rows.
plan-colour_and_level = { $colour } ({ $level })
plan-days = { $n } days

## Background jobs and the plugin thread (jobs.rs, worker.rs)
jobs-cannot_start = Cannot start the background job: { $error }
jobs-ended_without_result = The background job stopped unexpectedly
jobs-cancelling = Cancelling…
worker-not_running = The plugin thread is not running
worker-stopped = The plugin thread has stopped
worker-no_such_plugin = No such plugin
worker-cannot_start = Cannot start the plugin thread: { $error }

## Date picker (date_picker.rs)
date-mon = Mo
date-tue = Tu
date-wed = We
date-thu = Th
date-fri = Fr
date-sat = Sa
date-sun = Su
date-choose = Choose a date
date-calendar = Calendar: { $date }
date-month = { $year }-{ $month }
date-today = Today

## Daily eligibility sweep (eligibility_sweep.rs)
sweep-job_title = Daily eligibility sweep
sweep-failed = The eligibility sweep did not finish: { $error }
sweep-cancelled = Eligibility sweep cancelled: the changes made so far stay; the same period is checked again tomorrow (or at the next log-in)
sweep-cannot_start = The eligibility sweep could not start: { $error }
sweep-failed_child = · { $child }: { $error }
sweep-checked_since = { $n } children with life events since the last sweep ({ $date }), or never checked, were re-assessed by the province plugin: { $changes } changes
sweep-checked_first = First sweep: { $n } children were re-assessed by the province plugin: { $changes } changes
sweep-summary = { $checked }{ $failed ->
        [0] {""}
       *[other] , { $failed } failed
    } ({ $millis } ms)

## Province forms (province_form.rs)
pform-worker_stopped = The plugin thread has stopped; please restart Hutong
pform-choose = Choose
pform-date_hint = e.g. 2025-05-22
pform-id_hint = 18-digit ID number
pform-no_plugin = No province plugin installed yet
pform-choose_form = Choose a form
pform-add_row = Add a row
pform-checking = Checking…
pform-save = Save form
pform-fix_errors = Correct the errors marked in red first
pform-issue_error = Error: { $message }
pform-issue_warning = Note: { $message }
pform-saved = Saved “{ $form }”, version { $version }
