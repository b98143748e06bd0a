//! 审计校验 (设置): the audit chain, its signed anchors, every page of the
//! file and every row against its audit digest, checked on a job thread by the same use case as `hutong audit
//! verify --deep`. Shown to roles that may read the audit log.

use super::HutongApp;
use super::jobs::{self, Job, Outcome};
use eframe::egui;

#[derive(Default)]
pub struct AuditCheckState {
    job: Option<Job<(bool, Vec<String>)>>,
    /// Whether everything held, and one line per finding.
    result: Option<(bool, Vec<String>)>,
}

impl AuditCheckState {
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }
}

/// The check's findings as lines a user reads, the first saying whether
/// the whole held.
fn lines(check: &hutong_services::audit_check::AuditCheck) -> (bool, Vec<String>) {
    let mut out = Vec::new();
    match &check.chain.first_broken {
        None => out.push(format!(
            "审计链完整：共校验 {} 条记录",
            check.chain.entries_checked
        )),
        Some(b) => out.push(format!(
            "审计链在第 {} 条记录处断裂：{}（此前 {} 条完整）",
            b.seq, b.reason, check.chain.entries_checked
        )),
    }
    match &check.anchors.latest {
        Some(a) => out.push(format!(
            "最新审计锚点：第 {} 条（{}，{}），共核对 {} 个",
            a.seq, a.reason, a.at, check.anchors.anchors_checked
        )),
        None => out.push("没有找到审计锚点".into()),
    }
    out.extend(check.anchors.problems.iter().cloned());
    out.extend(check.unreadable_anchors.iter().cloned());
    if let Some(pages) = &check.damaged_pages {
        if pages.is_empty() {
            out.push("逐页校验：文件完好".into());
        } else {
            out.push(format!("逐页校验发现损坏：{}", pages.join("；")));
        }
    }
    if let Some(rows) = &check.rows {
        if rows.problems.is_empty() {
            out.push(format!(
                "逐条记录校验：{} 条记录与审计记录一致",
                rows.rows_checked
            ));
        } else {
            out.push(format!(
                "逐条记录校验：{} 条记录在护童之外被改动",
                rows.problems.len()
            ));
            for p in rows.problems.iter().take(20) {
                out.push(format!("{} {}：{}", p.table, p.id, p.reason));
            }
        }
    }
    (check.is_intact(), out)
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.can(hutong_services::Action::ViewAudit) {
        return;
    }
    let Some(session) = app.session.clone() else {
        return;
    };
    let st = &mut app.audit_check;
    if let Some(job) = &st.job
        && let Some(o) = job.poll()
    {
        st.job = None;
        st.result = Some(match o {
            Outcome::Finished(r) => r,
            Outcome::Failed(e) => (false, vec![format!("无法校验：{e}")]),
            Outcome::Cancelled => (false, vec!["已取消".into()]),
        });
    }
    ui.separator();
    ui.strong("审计校验");
    ui.weak(
        "核对审计链、数据库内外保存的签名锚点，逐页校验文件并逐条核对记录；与 hutong audit verify --deep 相同",
    );
    if ui
        .add_enabled(st.job.is_none(), egui::Button::new("开始校验"))
        .clicked()
    {
        let db = app.store.database();
        st.result = None;
        st.job = Some(jobs::spawn("审计校验", move |p| {
            p.note("校验审计链、锚点与文件各页…");
            let mut store = db.open().map_err(|e| e.to_string())?;
            let check = hutong_services::audit_check::verify(&session, &mut store, &[], true)
                .map_err(|e| e.to_string())?;
            Ok(lines(&check))
        }));
    }
    let st = &app.audit_check;
    if let Some(j) = &st.job {
        j.show(ui, "取消");
    }
    if let Some((ok, found)) = &st.result {
        let colour = crate::gui::theme::outcome(*ok);
        for line in found {
            ui.colored_label(colour, line);
        }
    }
}
