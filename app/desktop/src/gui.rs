//! The egui workstation. For now a status window that shows which database
//! is open and how many children it holds; the full workstation (log-in,
//! 工作台, 儿童档案) arrives with the desktop issue.

use anyhow::{Context, Result};
use hutong_core::{Store, children, demo, divisions};
use std::path::Path;
use std::process::ExitCode;

/// Number of generated children in the demo created on first run.
const FIRST_RUN_DEMO_CHILDREN: usize = 2_000;

struct StatusApp {
    db_path: String,
    county: String,
    children: u64,
}

impl eframe::App for StatusApp {
    fn ui(&mut self, ui: &mut eframe::egui::Ui, _frame: &mut eframe::Frame) {
        eframe::egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("护童 Hutong");
            ui.label(format!("数据库：{}", self.db_path));
            ui.label(format!("县：{}", self.county));
            ui.label(format!("在册儿童：{} 名", self.children));
        });
    }
}

pub fn run(db: &Path) -> Result<ExitCode> {
    if !db.exists() {
        eprintln!("首次运行：正在创建示例数据库 {} …", db.display());
        let mut store = Store::open(db).with_context(|| format!("创建数据库 {}", db.display()))?;
        demo::generate(
            &mut store,
            &demo::DemoOptions {
                county_code: "411525".into(),
                generated_children: FIRST_RUN_DEMO_CHILDREN,
                seed: 20250522,
                today: chrono::Local::now().date_naive(),
            },
            |_, _| true,
        )
        .context("生成示例数据")?;
    }
    let store = crate::cli::open(db)?;
    let county_code = store.county_code()?.unwrap_or_default();
    let app = StatusApp {
        db_path: db.display().to_string(),
        county: divisions::full_name(store.conn(), &county_code)?,
        children: children::count(store.conn(), None)?,
    };
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("护童 Hutong")
            .with_inner_size([640.0, 360.0]),
        ..Default::default()
    };
    eframe::run_native(
        "护童",
        options,
        Box::new(|cc| {
            crate::fonts::install(&cc.egui_ctx);
            // Offices work in daylight on printed forms: light by default.
            cc.egui_ctx.set_theme(eframe::egui::ThemePreference::Light);
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("无法打开窗口：{e}"))?;
    Ok(ExitCode::SUCCESS)
}
