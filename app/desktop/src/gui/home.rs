//! 工作台: counts by category, overdue visits by village. Each item opens
//! the list, already filtered.

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
    pending: Option<std::sync::mpsc::Receiver<Figures>>,
}

#[derive(Clone, Default)]
struct Figures {
    total: u64,
    counts: Vec<(hutong_core::national::category::CaseCategory, u64)>,
    overdue: Vec<(String, String, u64)>,
}

fn figures(conn: &hutong_core::store::Connection, scope: &str) -> Figures {
    let today = chrono::Local::now().date_naive();
    Figures {
        total: children::count(conn, Some(scope)).unwrap_or(0),
        counts: categories::counts(conn, Some(scope)).unwrap_or_default(),
        overdue: hutong_core::visits::overdue_by_village(
            conn,
            scope,
            today,
            hutong_core::visits::DEFAULT_CADENCE_DAYS,
        )
        .unwrap_or_default(),
    }
}

fn start(app: &mut HutongApp) {
    let scope = app.scope();
    let path = app.db_path.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("hutong-home".into())
        .spawn(move || {
            if let Ok(store) = hutong_core::Store::open_existing(&path) {
                let _ = tx.send(figures(store.conn(), &scope));
            }
        });
    app.home.fresh = true;
    match spawned {
        Ok(_) => app.home.pending = Some(rx),
        // No thread: compute here rather than show nothing.
        Err(_) => app.home.figures = Some(figures(app.store.conn(), &app.scope())),
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.home.fresh {
        start(app);
    }
    if let Some(rx) = &app.home.pending {
        match rx.try_recv() {
            Ok(f) => {
                app.home.figures = Some(f);
                app.home.pending = None;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                ui.ctx()
                    .request_repaint_after(std::time::Duration::from_millis(50));
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => app.home.pending = None,
        }
    }
    let Some(f) = app.home.figures.clone() else {
        ui.heading(format!("{}：统计中…", app.t("home.total")));
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
