//! 工作台: counts by category, overdue visits by village. Each item opens
//! the list, already filtered.

use super::{HutongApp, Screen};
use eframe::egui;
use hutong_core::{categories, children};

/// Until the province plugin's visit policy drives schedules, "overdue"
/// means no visit in this many days (the national monthly visit norm).
const DEFAULT_CADENCE_DAYS: i64 = 30;

/// The figures on the 工作台. Computing them scans the county (about a
/// second at 100,000 children), so they are computed when the screen is
/// entered, not on every frame.
#[derive(Default)]
pub struct HomeStats {
    pub fresh: bool,
    total: u64,
    counts: Vec<(hutong_core::national::category::CaseCategory, u64)>,
    overdue: Vec<(String, String, u64)>,
}

fn compute(app: &mut HutongApp) {
    let scope = app.scope();
    let conn = app.store.conn();
    let today = chrono::Local::now().date_naive();
    app.home = HomeStats {
        fresh: true,
        total: children::count(conn, Some(&scope)).unwrap_or(0),
        counts: categories::counts(conn, Some(&scope)).unwrap_or_default(),
        overdue: hutong_core::visits::overdue_by_village(conn, &scope, today, DEFAULT_CADENCE_DAYS)
            .unwrap_or_default(),
    };
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.home.fresh {
        compute(app);
    }
    let total = app.home.total;
    let counts = app.home.counts.clone();
    let overdue = app.home.overdue.clone();
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
