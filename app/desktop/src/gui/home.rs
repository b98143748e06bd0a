//! 工作台: counts by category, overdue visits by village. Each item opens
//! the list, already filtered.

use super::jobs::{self, Job, Outcome, Progress};
use super::{HutongApp, Screen};
use eframe::egui;
use hutong_core::{categories, children};

/// The figures on the 工作台. Computing them scans the county (about 0.6 s
/// at 100,000 children), so they are computed in the background, on a
/// second read-only connection (WAL lets it read while the UI writes), when
/// the screen is entered.
#[derive(Default)]
pub struct HomeStats {
    pub fresh: bool,
    figures: Option<Figures>,
    pending: Option<Job<Figures>>,
    error: Option<String>,
}

#[derive(Clone, Default)]
struct Figures {
    total: u64,
    counts: Vec<(hutong_core::national::category::CaseCategory, u64)>,
    overdue: Vec<(String, String, u64)>,
}

impl HomeStats {
    /// Whether the figures are still being computed.
    pub fn pending(&self) -> bool {
        self.pending.is_some()
    }
}

fn figures(
    conn: &hutong_core::store::Connection,
    scope: &str,
    p: &Progress,
) -> hutong_core::Result<Figures> {
    let today = chrono::Local::now().date_naive();
    p.set_total(3);
    let total = children::count(conn, Some(scope))?;
    p.step();
    let counts = categories::counts(conn, Some(scope))?;
    p.step();
    let overdue = hutong_core::visits::overdue_by_village(
        conn,
        scope,
        today,
        hutong_core::visits::DEFAULT_CADENCE_DAYS,
    )?;
    p.step();
    Ok(Figures {
        total,
        counts,
        overdue,
    })
}

fn start(app: &mut HutongApp) {
    let scope = app.scope();
    let path = app.db_path.clone();
    app.home.fresh = true;
    app.home.error = None;
    app.home.pending = Some(jobs::spawn("统计工作台数据", move |p| {
        let store = hutong_core::Store::open_existing(&path).map_err(|e| e.to_string())?;
        figures(store.conn(), &scope, p).map_err(|e| e.to_string())
    }));
}

/// Collects the figures once computed; runs every frame, whatever the
/// screen, so a job finished while the user was elsewhere is not left
/// pending.
pub fn poll(app: &mut HutongApp) {
    let Some(job) = &app.home.pending else {
        return;
    };
    match job.poll() {
        Some(Outcome::Finished(f)) => app.home.figures = Some(f),
        Some(Outcome::Failed(e)) => app.home.error = Some(format!("统计失败：{e}")),
        Some(Outcome::Cancelled) => {
            app.home.error = Some("统计已取消；切换页面后重新进入工作台即可重新统计".into())
        }
        None => return,
    }
    app.home.pending = None;
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.home.fresh {
        start(app);
    }
    if let Some(job) = &app.home.pending {
        job.show(ui, &app.t("common.cancel"));
    }
    if let Some(e) = &app.home.error {
        ui.colored_label(egui::Color32::from_rgb(200, 30, 30), e);
    }
    let Some(f) = app.home.figures.clone() else {
        if app.home.pending.is_some() {
            ui.heading(format!("{}：统计中…", app.t("home.total")));
        }
        return;
    };
    let (total, counts, overdue) = (f.total, f.counts, f.overdue);
    ui.heading(format!("{}：{} 名", app.t("home.total"), total));
    ui.add_space(8.0);
    ui.columns(2, |cols| {
        cols[0].strong(app.t("home.by_category"));
        for (cat, n) in &counts {
            if cols[0]
                .link(format!("{}  {} 名", cat.label_zh(), n))
                .clicked()
            {
                app.list = Default::default();
                app.list.category = Some(*cat);
                app.navigate(Screen::Children);
            }
        }
        cols[1].strong(app.t("home.overdue"));
        if overdue.is_empty() {
            cols[1].label(app.t("home.no_overdue"));
        }
        egui::ScrollArea::vertical()
            .id_salt("overdue")
            .max_height(500.0)
            .show(&mut cols[1], |ui| {
                for (code, name, n) in overdue.iter().take(200) {
                    if ui.link(format!("{name}  {n} 名")).clicked() {
                        app.list = Default::default();
                        app.list.division = Some(code.clone());
                        app.navigate(Screen::Children);
                    }
                }
            });
    });
}
