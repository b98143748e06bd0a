//! 审计校验 (设置): the audit chain, its signed anchors, every page of the
//! file and every row against its audit digest, checked on a job thread by the same use case as `hutong audit
//! verify --deep`. Shown to roles that may read the audit log.

use super::HutongApp;
use super::jobs::{JobName, Outcome};
use super::notices::Place;
use crate::i18n::Lang;
use crate::t;
use eframe::egui;

#[derive(Default)]
pub struct AuditCheckState {
    /// Whether everything held, and one line per finding.
    result: Option<(bool, Vec<String>)>,
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
    ui.separator();
    ui.strong(t!(lang, "audit-title"));
    ui.weak(t!(lang, "audit-hint"));
    let idle = !app.jobs.running(JobName::AuditCheck);
    if ui
        .add_enabled(idle, egui::Button::new(t!(lang, "audit-start")))
        .clicked()
    {
        let db = app.store.database();
        app.audit_check.result = None;
        app.notices.clear(Place::AuditCheck);
        app.jobs.start(
            JobName::AuditCheck,
            t!(lang, "audit-title"),
            move |p| {
                p.note(t!(lang, "audit-note"));
                let mut store = db.open()?;
                let check = hutong_services::audit_check::verify(&session, &mut store, &[], true)?;
                Ok(lines(lang, &check))
            },
            move |app: &mut HutongApp, o: Outcome<(bool, Vec<String>)>| match o {
                Outcome::Finished(r) => app.audit_check.result = Some(r),
                Outcome::Failed(e) => app
                    .notices
                    .error(Place::AuditCheck, t!(lang, "audit-cannot_check", error = e)),
                Outcome::Cancelled => app
                    .notices
                    .error(Place::AuditCheck, t!(lang, "audit-cancelled")),
            },
        );
    }
    app.jobs.show(ui, JobName::AuditCheck);
    app.notices.show_here(ui, Place::AuditCheck);
    if let Some((ok, found)) = &app.audit_check.result {
        let colour = crate::gui::theme::outcome(*ok);
        for line in found {
            ui.colored_label(colour, line);
        }
    }
}
