//! 审计校验 (设置): the audit chain, its signed anchors, every page of the
//! file and every row against its audit digest, checked on a job thread by the same use case as `hutong audit
//! verify --deep`. Shown to roles that may read the audit log.

use super::HutongApp;
use super::jobs::{self, Job, Outcome};
use crate::i18n::Lang;
use crate::t;
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
fn lines(lang: Lang, check: &hutong_services::audit_check::AuditCheck) -> (bool, Vec<String>) {
    let mut out = Vec::new();
    match &check.chain.first_broken {
        None => out.push(t!(
            lang,
            "audit-chain_intact",
            n = check.chain.entries_checked
        )),
        Some(b) => out.push(t!(
            lang,
            "audit-chain_broken",
            seq = b.seq,
            reason = b.reason.to_string(),
            n = check.chain.entries_checked
        )),
    }
    match &check.anchors.latest {
        Some(a) => out.push(t!(
            lang,
            "audit-anchor_latest",
            seq = a.seq,
            reason = a.reason.to_string(),
            at = a.at.to_string(),
            n = check.anchors.anchors_checked
        )),
        None => out.push(t!(lang, "audit-no_anchor")),
    }
    out.extend(check.anchors.problems.iter().cloned());
    out.extend(check.unreadable_anchors.iter().cloned());
    if let Some(pages) = &check.damaged_pages {
        if pages.is_empty() {
            out.push(t!(lang, "audit-pages_ok"));
        } else {
            out.push(t!(
                lang,
                "audit-pages_damaged",
                pages = pages.join(&t!(lang, "audit-separator"))
            ));
        }
    }
    if let Some(rows) = &check.rows {
        if rows.problems.is_empty() {
            out.push(t!(lang, "audit-rows_ok", n = rows.rows_checked));
        } else {
            out.push(t!(lang, "audit-rows_changed", n = rows.problems.len()));
            for p in rows.problems.iter().take(20) {
                out.push(t!(
                    lang,
                    "audit-row_problem",
                    table = p.table.to_string(),
                    id = p.id.to_string(),
                    reason = p.reason.to_string()
                ));
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
    let lang = app.lang;
    let st = &mut app.audit_check;
    if let Some(job) = &st.job
        && let Some(o) = job.poll()
    {
        st.job = None;
        st.result = Some(match o {
            Outcome::Finished(r) => r,
            Outcome::Failed(e) => (false, vec![t!(lang, "audit-cannot_check", error = e)]),
            Outcome::Cancelled => (false, vec![t!(lang, "audit-cancelled")]),
        });
    }
    ui.separator();
    ui.strong(t!(lang, "audit-title"));
    ui.weak(t!(lang, "audit-hint"));
    if ui
        .add_enabled(st.job.is_none(), egui::Button::new(t!(lang, "audit-start")))
        .clicked()
    {
        let db = app.store.database();
        st.result = None;
        st.job = Some(jobs::spawn(t!(lang, "audit-title"), move |p| {
            p.note(t!(lang, "audit-note"));
            let mut store = db.open().map_err(|e| e.to_string())?;
            let check = hutong_services::audit_check::verify(&session, &mut store, &[], true)
                .map_err(|e| e.to_string())?;
            Ok(lines(lang, &check))
        }));
    }
    let st = &app.audit_check;
    if let Some(j) = &st.job {
        j.show(ui, &t!(lang, "common-cancel"));
    }
    if let Some((ok, found)) = &st.result {
        let colour = crate::gui::theme::outcome(*ok);
        for line in found {
            ui.colored_label(colour, line);
        }
    }
}
