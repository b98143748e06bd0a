//! 数据比对 workbench: another department's list (学籍库, 低保, 残联, 公安户籍,
//! 医保) with its column mapping, compared in a background job and saved
//! (audited); then the four groups, field-level accept/reject (provenance
//! kept by the core), the flags, and an XLSX of the result.

use super::Pending;
use super::sheet::{Kind, SheetPick};
use crate::gui::HutongApp;
use crate::gui::jobs::{self, Job, Outcome};
use crate::platform::{DialogKind, DialogRequest};
use eframe::egui;

use hutong_core::compare::{Comparison, ComparisonSummary, Counts, Group, Source, StoredRow};
use hutong_core::national::id_number;
use hutong_core::table::mapping::Field;
use hutong_services::exchange;

/// A comparison on screen: its stored rows (and the full result, when it
/// was run in this session, for the XLSX).
pub struct Shown {
    title: String,
    counts: Counts,
    rows: Vec<StoredRow>,
    full: Option<Box<Comparison>>,
}

pub struct CompareState {
    source: Source,
    sheet: SheetPick,
    job: Option<Job<Shown>>,
    shown: Option<Shown>,
    group: Group,
    history: Option<Vec<ComparisonSummary>>,
    dialog: Option<Pending<()>>,
    export_job: Option<Job<String>>,
    pub message: Option<(bool, String)>,
}

impl Default for CompareState {
    fn default() -> Self {
        CompareState {
            source: Source::StudentRegistry,
            sheet: SheetPick {
                source: Source::StudentRegistry.label_zh().into(),
                ..Default::default()
            },
            job: None,
            shown: None,
            group: Group::Different,
            history: None,
            dialog: None,
            export_job: None,
            message: None,
        }
    }
}

impl CompareState {
    pub fn busy(&self) -> bool {
        self.sheet.busy()
            || self.job.is_some()
            || self.dialog.is_some()
            || self.export_job.is_some()
    }
}

fn poll(app: &mut HutongApp) {
    let db = app.store.database();
    let s = &mut app.exchange.compare;
    s.sheet.poll(&db, Kind::Other);
    if let Some(job) = &s.job
        && let Some(o) = job.poll()
    {
        s.job = None;
        match o {
            Outcome::Finished(shown) => {
                s.message = None;
                s.shown = Some(shown);
                s.history = None;
            }
            Outcome::Failed(e) => s.message = Some((false, e)),
            Outcome::Cancelled => {}
        }
    }
    if let Some((_, answer)) = super::take_answer(&mut s.dialog)
        && let Some(path) = answer
    {
        start_export(app, path);
    }
    let s = &mut app.exchange.compare;
    if let Some(job) = &s.export_job
        && let Some(o) = job.poll()
    {
        s.export_job = None;
        s.message = match o {
            Outcome::Finished(m) => Some((true, m)),
            Outcome::Failed(m) => Some((false, m)),
            Outcome::Cancelled => None,
        };
    }
}

fn start_run(app: &mut HutongApp) {
    let session = app.session.clone();
    let db = app.store.database();
    let s = &mut app.exchange.compare;
    let (Some(l), Some(m)) = (&s.sheet.loaded, s.sheet.mapping()) else {
        return;
    };
    if m.name.is_empty() {
        s.message = Some((false, "请填写来源名称（用于保存列映射）".into()));
        return;
    }
    let (tbl, sha, source) = (l.table.clone(), l.sha256.clone(), s.source);
    s.message = None;
    s.job = Some(jobs::spawn("数据比对", move |p| {
        p.set_total(3);
        p.note("匹配身份证号、姓名与出生日期…");
        let session = session.ok_or_else(|| "未登录".to_string())?;
        let mut store = db.open().map_err(|e| e.to_string())?;
        let today = chrono::Local::now().date_naive();
        let cmp = exchange::compare(&mut store, &session, source, &tbl, &m, &sha, today)
            .map_err(|e| e.to_string())?;
        p.step();
        if p.cancelled() {
            return Err(String::new());
        }
        p.note("保存结果（审计）…");
        exchange::save_comparison(&mut store, &session, &cmp, Some(&m))
            .map_err(|e| e.to_string())?;
        p.step();
        let rows = exchange::comparison_rows(&mut store, &session, cmp.id, None)
            .map_err(|e| e.to_string())?;
        p.step();
        Ok(Shown {
            title: format!("{}《{}》 {}", source.label_zh(), cmp.file_name, cmp.run_on),
            counts: cmp.counts(),
            rows,
            full: Some(Box::new(cmp)),
        })
    }));
}

fn open_saved(app: &mut HutongApp, summary: ComparisonSummary) {
    let db = app.store.database();
    let session = app.session.clone();
    app.exchange.compare.job = Some(jobs::spawn("打开比对结果", move |_| {
        let session = session.ok_or_else(|| "未登录".to_string())?;
        let mut store = db.open().map_err(|e| e.to_string())?;
        let rows = exchange::comparison_rows(&mut store, &session, summary.id, None)
            .map_err(|e| e.to_string())?;
        Ok(Shown {
            title: format!(
                "{}《{}》 {}",
                summary.source, summary.file_name, summary.run_on
            ),
            counts: summary.counts,
            rows,
            full: None,
        })
    }));
}

fn start_export(app: &mut HutongApp, path: std::path::PathBuf) {
    let session = app.session.clone();
    let db = app.store.database();
    let s = &mut app.exchange.compare;
    let Some(cmp) = s.shown.as_ref().and_then(|x| x.full.clone()) else {
        return;
    };
    s.export_job = Some(jobs::spawn("导出比对结果", move |_| {
        let session = session.ok_or_else(|| "未登录".to_string())?;
        let mut store = db.open().map_err(|e| e.to_string())?;
        exchange::export_comparison(&mut store, &session, &cmp, &path)
            .map_err(|e| format!("导出到 {}：{e}", path.display()))?;
        Ok(format!(
            "比对结果已导出到 {}（身份证号已脱敏，已记入审计日志）",
            path.display()
        ))
    }));
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    poll(app);
    if app.exchange.compare.shown.is_some() {
        workbench(app, ui);
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("compare-setup")
        .show(ui, |ui| setup(app, ui));
}

fn setup(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.horizontal(|ui| {
        let l = ui.label(t("ex.their_list"));
        let s = &mut app.exchange.compare;
        let before = s.source;
        egui::ComboBox::from_id_salt("compare-source")
            .selected_text(s.source.label_zh())
            .show_ui(ui, |ui| {
                for src in Source::ALL {
                    ui.selectable_value(&mut s.source, src, src.label_zh());
                }
            })
            .response
            .labelled_by(l.id);
        if s.source != before {
            s.sheet.source = s.source.label_zh().into();
        }
    });
    let mut sheet = std::mem::take(&mut app.exchange.compare.sheet);
    sheet.show(app, ui, Kind::Other);
    let loaded = sheet.loaded.is_some();
    app.exchange.compare.sheet = sheet;
    if loaded {
        let busy = app.exchange.compare.busy();
        if ui
            .add_enabled(!busy, egui::Button::new(t("ex.run_compare")))
            .clicked()
        {
            start_run(app);
        }
    }
    if let Some(j) = &app.exchange.compare.job {
        j.show(ui, &t("common.cancel"));
    }
    crate::gui::status_message(ui, app.exchange.compare.message.as_ref());
    ui.separator();
    ui.strong(t("ex.saved_comparisons"));
    if app.exchange.compare.history.is_none() {
        app.exchange.compare.history = Some(
            app.call(hutong_services::exchange::comparisons)
                .unwrap_or_default(),
        );
    }
    let mut open = None;
    if app
        .exchange
        .compare
        .history
        .as_ref()
        .is_some_and(Vec::is_empty)
    {
        ui.weak("（暂无）");
    }
    for c in app.exchange.compare.history.iter().flatten().take(20) {
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} {}《{}》：一致 {}，不一致 {}，仅我方 {}，仅对方 {}，提示 {}",
                c.run_on,
                c.source,
                c.file_name,
                c.counts.same,
                c.counts.different,
                c.counts.only_ours,
                c.counts.only_theirs,
                c.counts.flags
            ));
            if ui.small_button(t("ex.open")).clicked() {
                open = Some(c.clone());
            }
        });
    }
    if let Some(c) = open {
        open_saved(app, c);
    }
}

fn count_of(c: &Counts, g: Group) -> usize {
    match g {
        Group::Same => c.same,
        Group::Different => c.different,
        Group::OnlyOurs => c.only_ours,
        Group::OnlyTheirs => c.only_theirs,
    }
}

fn workbench(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let t = |k: &str| crate::i18n::tr(lang, k);
    let mut close = false;
    let mut export = false;
    {
        let s = &mut app.exchange.compare;
        let Some(shown) = &s.shown else { return };
        ui.horizontal(|ui| {
            if ui.button(t("ex.back")).clicked() {
                close = true;
            }
            ui.strong(&shown.title);
            let can = shown.full.is_some() && s.export_job.is_none() && s.dialog.is_none();
            let b = ui.add_enabled(can, egui::Button::new(t("ex.export_result")));
            if shown.full.is_none() {
                b.on_disabled_hover_text("只能导出本次运行的比对结果");
            } else if b.clicked() {
                export = true;
            }
        });
        ui.horizontal(|ui| {
            for g in Group::ALL {
                let label = format!("{}（{}）", g.label_zh(), count_of(&shown.counts, g));
                if ui.selectable_label(s.group == g, label).clicked() {
                    s.group = g;
                }
            }
            ui.separator();
            ui.label(format!("提示 {}", shown.counts.flags));
        });
        if let Some(j) = &s.export_job {
            j.show(ui, &t("common.cancel"));
        }
        crate::gui::status_message(ui, s.message.as_ref());
    }
    if close {
        app.exchange.compare.shown = None;
        return;
    }
    if export {
        let request = DialogRequest::new(DialogKind::SaveFile, t("ex.export_result"))
            .filter("Excel 工作簿", &["xlsx"])
            .file_name(super::suggested_name("数据比对结果", "xlsx"));
        app.exchange.compare.dialog = Some(Pending::ask(app, (), request));
    }
    flags(app, ui);
    ui.separator();
    let group = app.exchange.compare.group;
    if group == Group::Different {
        differences(app, ui);
    } else {
        plain_rows(app, ui, group);
    }
}

/// Dropout risks and eligibility re-checks, across all groups.
fn flags(app: &HutongApp, ui: &mut egui::Ui) {
    let Some(shown) = &app.exchange.compare.shown else {
        return;
    };
    let list: Vec<_> = shown.rows.iter().flat_map(|r| r.flags.iter()).collect();
    if list.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("提示（{}）", list.len()))
        .default_open(true)
        .show(ui, |ui| {
            let h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
            egui::ScrollArea::vertical()
                .id_salt("flags")
                .max_height(140.0)
                .show_rows(ui, h, list.len(), |ui, range| {
                    for f in &list[range] {
                        ui.label(format!("【{}】{}", f.kind.label_zh(), f.message));
                    }
                });
        });
}

fn masked(s: Option<&str>) -> String {
    s.map(id_number::mask).unwrap_or_default()
}

fn shown_value(field: Field, v: &Option<String>) -> String {
    match (field, v) {
        (Field::IdNumber, Some(s)) => id_number::mask(s),
        (_, Some(s)) => s.clone(),
        (_, None) => "（空）".into(),
    }
}

/// 不一致: each differing field with 采纳 / 不采纳, or the decision taken.
fn differences(app: &mut HutongApp, ui: &mut egui::Ui) {
    let mut decision: Option<(usize, Field, bool)> = None;
    {
        let Some(shown) = &app.exchange.compare.shown else {
            return;
        };
        let rows: Vec<usize> = shown
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.group == Group::Different)
            .map(|(i, _)| i)
            .collect();
        egui::ScrollArea::vertical()
            .id_salt("diffs")
            .show(ui, |ui| {
                // Only the first 300 rows are laid out; decisions remove rows
                // from view, and the XLSX holds them all.
                for &i in rows.iter().take(300) {
                    let r = &shown.rows[i];
                    let their = r.theirs.as_ref();
                    ui.horizontal(|ui| {
                        ui.strong(r.child_name.clone().unwrap_or_default());
                        ui.weak(format!(
                            "对方第{}行　{}　按{}匹配",
                            r.their_line.unwrap_or_default(),
                            masked(their.and_then(|t| t.id_raw.as_deref())),
                            r.method.map(|m| m.label_zh()).unwrap_or("—")
                        ));
                    });
                    egui::Grid::new(("diff", i)).striped(true).show(ui, |ui| {
                        for d in &r.diffs {
                            ui.label(format!("　{}", d.field.label_zh()));
                            ui.label(format!("我方：{}", shown_value(d.field, &d.ours)));
                            ui.label(format!("对方：{}", shown_value(d.field, &d.theirs)));
                            match r.decisions.iter().rev().find(|(f, _)| *f == d.field) {
                                Some((_, true)) => {
                                    ui.colored_label(crate::gui::theme::SUCCESS, "已采纳");
                                }
                                Some((_, false)) => {
                                    ui.weak("未采纳");
                                }
                                None => {
                                    ui.horizontal(|ui| {
                                        if ui.small_button("采纳").clicked() {
                                            decision = Some((i, d.field, true));
                                        }
                                        if ui.small_button("不采纳").clicked() {
                                            decision = Some((i, d.field, false));
                                        }
                                    });
                                }
                            }
                            ui.end_row();
                        }
                    });
                    ui.add_space(4.0);
                }
                if rows.len() > 300 {
                    ui.weak(format!("……另有 {} 行，请导出结果查看", rows.len() - 300));
                }
            });
    }
    let Some((i, field, accept)) = decision else {
        return;
    };
    let Some(row_id) = app
        .exchange
        .compare
        .shown
        .as_ref()
        .map(|s| s.rows[i].row_id)
    else {
        return;
    };
    // One small audited write: fast enough for the frame.
    match app.call(|store, session| exchange::decide(store, session, row_id, field, accept, None)) {
        Ok(d) => {
            if let Some(s) = &mut app.exchange.compare.shown {
                s.rows[i].decisions.push((field, accept));
            }
            app.exchange.compare.message = Some((
                true,
                format!(
                    "{}“{}”已{}（来源与决定已记入审计日志）",
                    field.label_zh(),
                    shown_value(field, &d.theirs),
                    if accept {
                        "采纳，档案已更新"
                    } else {
                        "不采纳"
                    }
                ),
            ));
            app.list.dirty = true;
        }
        Err(e) => app.exchange.compare.message = Some((false, e.to_string())),
    }
}

/// 一致, 仅我方, 仅对方: one line per row, virtualised.
fn plain_rows(app: &HutongApp, ui: &mut egui::Ui, group: Group) {
    let Some(shown) = &app.exchange.compare.shown else {
        return;
    };
    let rows: Vec<&StoredRow> = shown.rows.iter().filter(|r| r.group == group).collect();
    if rows.is_empty() {
        ui.weak("（无）");
        return;
    }
    let h = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    egui::ScrollArea::vertical()
        .id_salt(("plain", group.code()))
        .show_rows(ui, h, rows.len(), |ui, range| {
            for r in &rows[range] {
                let their = r.theirs.as_ref();
                let name = r
                    .child_name
                    .clone()
                    .or_else(|| their.and_then(|t| t.name.clone()))
                    .unwrap_or_default();
                let line = match r.their_line {
                    Some(l) => format!("对方第{l}行"),
                    None => "—".into(),
                };
                let extra = their
                    .map(|t| {
                        t.fields
                            .iter()
                            .filter(|(f, _)| !matches!(f, Field::IdNumber | Field::Name))
                            .map(|(f, v)| format!("{}：{v}", f.label_zh()))
                            .collect::<Vec<_>>()
                            .join("　")
                    })
                    .unwrap_or_default();
                ui.horizontal(|ui| {
                    ui.label(name);
                    ui.weak(line);
                    ui.monospace(masked(their.and_then(|t| t.id_raw.as_deref())));
                    ui.weak(r.method.map(|m| m.label_zh()).unwrap_or(""));
                    ui.weak(extra);
                });
            }
        });
}
