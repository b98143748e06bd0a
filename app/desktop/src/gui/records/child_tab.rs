//! The child file's 服务与记录 tab: this child's 强制报告 (reporter redacted
//! for roles that may not see it; the late flag), services and referrals,
//! allowance ledger with its payment window, grants, wishes, and
//! psychological care, each with a quick-add that opens 业务台账 on the
//! right form with the child filled in.

use super::Sub;
use crate::gui::notices::Place;
use crate::gui::{HutongApp, Screen};
use crate::i18n::{Lang, zh_or_en};
use crate::t;
use eframe::egui;
use hutong_core::RowId;
use hutong_core::allowances::{self as al, format_yuan};
use hutong_core::counselling as cs;
use hutong_core::mandatory_reports as mr;
use hutong_core::services as sv;
use hutong_core::wishes as ws;
use hutong_services::records as rec;

/// What the tab shows, read once per child (and again after 刷新 or a
/// quick-add).
#[derive(Default)]
pub struct Cache {
    child: RowId,
    /// The store's commit count when read: a write anywhere (a report
    /// recorded in 业务台账, say) makes the tab read again.
    commits: u64,
    reports: Vec<mr::MandatoryReport>,
    services: Vec<sv::ServiceRecord>,
    referrals: Vec<sv::Referral>,
    windows: Vec<rec::allowances::Window>,
    ledger: Vec<al::Payment>,
    grants: Vec<al::Grant>,
    wishes: Vec<ws::Wish>,
    sessions: Vec<cs::Session>,
    screenings: Vec<cs::Screening>,
    followups: Vec<cs::FollowUp>,
}

/// Reads the child's records through the services (permission and scope
/// checked there); a refusal shows an empty tab, and why it could not be
/// read is the tab's notice.
fn load(app: &mut HutongApp, child: RowId) -> Cache {
    let commits = app.store.commits();
    let r = match app.call(|store, s| rec::child_summary::for_child(store, s, child)) {
        Ok(r) => r,
        Err(e) => {
            app.notices.error(Place::FileRecords, e);
            return Cache {
                child,
                commits,
                ..Default::default()
            };
        }
    };
    app.notices.clear(Place::FileRecords);
    Cache {
        child,
        commits,
        reports: r.reports,
        services: r.services,
        referrals: r.referrals,
        windows: r.ledger.windows,
        ledger: r.ledger.payments,
        grants: r.grants,
        wishes: r.wishes,
        sessions: r.care.sessions,
        screenings: r.care.screenings,
        followups: r.care.followups,
    }
}

/// The child file's 服务与记录 tab.
pub fn child_tab(app: &mut HutongApp, ui: &mut egui::Ui) {
    let Some((child, name)) = app
        .file
        .as_ref()
        .map(|f| (f.child.id, f.child.name.clone()))
    else {
        return;
    };
    let commits = app.store.commits();
    if app
        .records
        .child_cache
        .as_ref()
        .map(|c| (c.child, c.commits))
        != Some((child, commits))
    {
        app.records.child_cache = Some(load(app, child));
    }
    let mut quick = None;
    let today = super::today();
    let lang = app.lang;
    let Some(c) = &app.records.child_cache else {
        return;
    };
    let t = |k: &str| crate::i18n::tr(lang, k);
    ui.horizontal(|ui| {
        ui.label(t("rec-quick"));
        for (sub, key) in [
            (Sub::Reports, "rec-quick-report"),
            (Sub::Services, "rec-quick-service"),
            (Sub::Allowances, "rec-quick-ledger"),
            (Sub::Wishes, "rec-quick-wish"),
            (Sub::Care, "rec-quick-care"),
        ] {
            if ui.button(t(key)).clicked() {
                quick = Some(sub);
            }
        }
    });
    ui.separator();
    app.notices.show_here(ui, Place::FileRecords);
    let voided = |active: bool| {
        if active {
            String::new()
        } else {
            t("childrec-voided")
        }
    };
    block(ui, lang, "childrec-reports", c.reports.len(), |ui| {
        for r in &c.reports {
            ui.horizontal(|ui| {
                ui.label(t!(
                    lang,
                    "childrec-report-line",
                    found = r.found_at.format("%Y-%m-%d %H:%M").to_string(),
                    reported = r.reported_at.format("%Y-%m-%d %H:%M").to_string(),
                    situations = r
                        .situations
                        .iter()
                        .map(|s| super::mreport::situation_short(lang, *s))
                        .collect::<Vec<_>>()
                        .join(&t("list-separator")),
                    reporter = r.reporter.unit.as_str(),
                    status = super::mreport::status_label(lang, r.status)
                ));
                if r.is_late() {
                    ui.colored_label(crate::gui::theme::ERROR, super::mreport::late_text(r));
                }
            });
            if let Some(cu) = &r.custody {
                ui.label(t!(
                    lang,
                    "childrec-custody",
                    agency = cu.agency.as_str(),
                    from = cu.from.to_string(),
                    clause = super::mreport::clause_label(lang, cu.clause)
                ));
            }
        }
    });
    block(ui, lang, "childrec-services", c.services.len(), |ui| {
        for s in &c.services {
            ui.label(t!(
                lang,
                "childrec-service-line",
                date = s.service_date.to_string(),
                area = s.item.area.as_str(),
                item = s.item.name.as_str(),
                provider = s.provider.as_str(),
                department = s.department.as_str(),
                outcome = s
                    .outcome
                    .as_ref()
                    .map(|o| t!(lang, "childrec-outcome", outcome = o.as_str()))
                    .unwrap_or_default(),
                voided = voided(s.active)
            ));
        }
    });
    block(ui, lang, "childrec-referrals", c.referrals.len(), |ui| {
        for r in &c.referrals {
            ui.label(t!(
                lang,
                "childrec-referral-line",
                date = r.sent_on.to_string(),
                department = r.department.as_str(),
                reason = r.reason.as_str(),
                status = super::services::referral_status(lang, r.status),
                source = if r.mreport_id.is_some() {
                    t("childrec-from-mreport")
                } else {
                    String::new()
                }
            ));
        }
    });
    block(ui, lang, "childrec-ledger", c.ledger.len(), |ui| {
        for w in &c.windows {
            ui.strong(t!(
                lang,
                "childrec-window",
                category = zh_or_en(lang, w.category.label_zh(), w.category.label_en()),
                first = month(lang, w.first),
                last = month(lang, w.last),
                stop = month(lang, w.last.next())
            ));
        }
        for p in &c.ledger {
            ui.label(t!(
                lang,
                "childrec-payment-line",
                month = p.month.to_string(),
                category = zh_or_en(lang, p.category.label_zh(), p.category.label_en()),
                amount = format_yuan(p.amount_cents),
                status = super::allowances::status_label(lang, p.status)
            ));
        }
        for g in &c.grants {
            ui.label(t!(
                lang,
                "childrec-grant-line",
                date = g.granted_on.to_string(),
                programme = super::allowances::programme_label(lang, g.programme),
                item = g.item.as_str(),
                amount = g
                    .amount_cents
                    .map(|a| t!(lang, "childrec-grant-amount", amount = format_yuan(a)))
                    .unwrap_or_default()
            ));
        }
    });
    block(ui, lang, "childrec-wishes", c.wishes.len(), |ui| {
        for w in &c.wishes {
            ui.label(t!(
                lang,
                "childrec-wish-line",
                date = w.recorded_on.to_string(),
                wish = w.wish.as_str(),
                status = super::wishes::wish_status(lang, w.status),
                sponsor = w
                    .sponsor
                    .as_ref()
                    .map(|s| t!(lang, "childrec-wish-sponsor", name = s.name.as_str()))
                    .unwrap_or_default()
            ));
        }
    });
    block(
        ui,
        lang,
        "childrec-care",
        c.sessions.len() + c.screenings.len() + c.followups.len(),
        |ui| {
            for s in &c.sessions {
                ui.label(t!(
                    lang,
                    "childrec-session-line",
                    date = s.session_date.to_string(),
                    mode = super::care::session_mode(lang, s.mode),
                    counsellor = s.counsellor.as_str(),
                    summary = s.summary.as_str()
                ));
            }
            for s in &c.screenings {
                ui.label(t!(
                    lang,
                    "childrec-screening-line",
                    date = s.screened_on.to_string(),
                    scale = s.scale.as_str(),
                    level = s.level.as_str()
                ));
            }
            for f in &c.followups {
                let text = t!(
                    lang,
                    "childrec-followup-line",
                    date = f.due_on.to_string(),
                    action = f.action.as_str(),
                    status = super::care::followup_status(lang, f.status)
                );
                if f.is_overdue(today) {
                    ui.colored_label(
                        crate::gui::theme::ERROR,
                        t!(lang, "childrec-overdue", text = text),
                    );
                } else {
                    ui.label(text);
                }
            }
        },
    );
    if let Some(sub) = quick {
        app.records.child_cache = None;
        app.records.quick_add(sub, child, &name);
        app.navigate(Screen::Records);
    }
}

/// A collapsible block titled by `key` with its count; the key, not the
/// translated title, identifies it (its open state survives a language
/// change).
fn block(ui: &mut egui::Ui, lang: Lang, key: &str, n: usize, add: impl FnOnce(&mut egui::Ui)) {
    egui::CollapsingHeader::new(t!(lang, "childrec-block", title = t!(lang, key), n = n))
        .id_salt(("child-records", key))
        .default_open(true)
        .show(ui, |ui| {
            if n == 0 {
                ui.weak(t!(lang, "childrec-none"));
            }
            add(ui);
        });
}

/// A month as the ledger window names it ("2027年6月").
fn month(lang: Lang, m: al::YearMonth) -> String {
    t!(
        lang,
        "childrec-month",
        year = m.year,
        month = m.month,
        ym = m.to_string()
    )
}
