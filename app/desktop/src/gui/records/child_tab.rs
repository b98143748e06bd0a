//! The child file's 服务与记录 tab: this child's 强制报告 (reporter redacted
//! for roles that may not see it; the late flag), services and referrals,
//! allowance ledger with its payment window, grants, wishes, and
//! psychological care, each with a quick-add that opens 业务台账 on the
//! right form with the child filled in.

use super::Sub;
use crate::gui::{HutongApp, Screen};
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
    /// Why the records could not be read, shown instead of empty lists.
    error: Option<String>,
    reports: Vec<mr::MandatoryReport>,
    services: Vec<sv::ServiceRecord>,
    referrals: Vec<sv::Referral>,
    windows: Vec<String>,
    ledger: Vec<al::Payment>,
    grants: Vec<al::Grant>,
    wishes: Vec<ws::Wish>,
    sessions: Vec<cs::Session>,
    screenings: Vec<cs::Screening>,
    followups: Vec<cs::FollowUp>,
}

/// Reads the child's records through the services (permission and scope
/// checked there); a refusal shows an empty tab.
fn load(app: &mut HutongApp, child: RowId) -> Cache {
    let commits = app.store.commits();
    let r = match app.call(|store, s| rec::child_summary::for_child(store, s, child)) {
        Ok(r) => r,
        Err(e) => {
            return Cache {
                child,
                commits,
                error: Some(e),
                ..Default::default()
            };
        }
    };
    let windows = r
        .ledger
        .windows
        .iter()
        .map(|w| {
            format!(
                "{}：{}起发放，末次 {}，{}起停发",
                w.category.label_zh(),
                w.first.label_zh(),
                w.last.label_zh(),
                w.last.next().label_zh()
            )
        })
        .collect();
    Cache {
        child,
        commits,
        error: None,
        reports: r.reports,
        services: r.services,
        referrals: r.referrals,
        windows,
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
    let Some(c) = &app.records.child_cache else {
        return;
    };
    let t = |k: &str| crate::i18n::tr(app.lang, k);
    ui.horizontal(|ui| {
        ui.label(t("rec.quick"));
        for (sub, key) in [
            (Sub::Reports, "rec.quick.report"),
            (Sub::Services, "rec.quick.service"),
            (Sub::Allowances, "rec.quick.ledger"),
            (Sub::Wishes, "rec.quick.wish"),
            (Sub::Care, "rec.quick.care"),
        ] {
            if ui.button(t(key)).clicked() {
                quick = Some(sub);
            }
        }
    });
    ui.separator();
    if let Some(e) = &c.error {
        ui.colored_label(crate::gui::theme::ERROR, e);
    }
    block(ui, "强制报告", c.reports.len(), |ui| {
        for r in &c.reports {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{} → {}　{}　报告人：{}　{}",
                    r.found_at.format("%Y-%m-%d %H:%M"),
                    r.reported_at.format("%Y-%m-%d %H:%M"),
                    r.situations
                        .iter()
                        .map(|s| s.short_zh())
                        .collect::<Vec<_>>()
                        .join("、"),
                    r.reporter.unit,
                    r.status.label_zh()
                ));
                if r.is_late() {
                    ui.colored_label(crate::gui::theme::ERROR, super::mreport::late_text(r));
                }
            });
            if let Some(cu) = &r.custody {
                ui.label(format!(
                    "　临时监护：{} 自 {} 起（第九十二条{}）",
                    cu.agency,
                    cu.from,
                    mr::custody_clause_label(cu.clause).unwrap_or("")
                ));
            }
        }
    });
    block(ui, "关爱服务", c.services.len(), |ui| {
        for s in &c.services {
            ui.label(format!(
                "{}　{}·{}　{}（{}）{}{}",
                s.service_date,
                s.item.area,
                s.item.name,
                s.provider,
                s.department,
                s.outcome
                    .as_ref()
                    .map(|o| format!("　结果：{o}"))
                    .unwrap_or_default(),
                if s.active { "" } else { "（已作废）" }
            ));
        }
    });
    block(ui, "转介", c.referrals.len(), |ui| {
        for r in &c.referrals {
            ui.label(format!(
                "{} → {}：{}（{}）{}",
                r.sent_on,
                r.department,
                r.reason,
                r.status.label_zh(),
                if r.mreport_id.is_some() {
                    "　来自强制报告"
                } else {
                    ""
                }
            ));
        }
    });
    block(ui, "基本生活费台账", c.ledger.len(), |ui| {
        for w in &c.windows {
            ui.strong(w);
        }
        for p in &c.ledger {
            ui.label(format!(
                "{}　{}　{} 元　{}",
                p.month,
                p.category.label_zh(),
                format_yuan(p.amount_cents),
                p.status.label_zh()
            ));
        }
        for g in &c.grants {
            ui.label(format!(
                "{}　{}：{}{}",
                g.granted_on,
                g.programme.label_zh(),
                g.item,
                g.amount_cents
                    .map(|a| format!("　{} 元", format_yuan(a)))
                    .unwrap_or_default()
            ));
        }
    });
    block(ui, "微心愿", c.wishes.len(), |ui| {
        for w in &c.wishes {
            ui.label(format!(
                "{}　{}　{}{}",
                w.recorded_on,
                w.wish,
                w.status.label_zh(),
                w.sponsor
                    .as_ref()
                    .map(|s| format!("（认领：{}）", s.name))
                    .unwrap_or_default()
            ));
        }
    });
    block(
        ui,
        "心理关爱",
        c.sessions.len() + c.screenings.len() + c.followups.len(),
        |ui| {
            for s in &c.sessions {
                ui.label(format!(
                    "辅导 {}　{}　{}：{}",
                    s.session_date,
                    s.mode.label_zh(),
                    s.counsellor,
                    s.summary
                ));
            }
            for s in &c.screenings {
                ui.label(format!("筛查 {}　{}　{}", s.screened_on, s.scale, s.level));
            }
            for f in &c.followups {
                let text = format!("随访 {}　{}　{}", f.due_on, f.action, f.status.label_zh());
                if f.is_overdue(today) {
                    ui.colored_label(crate::gui::theme::ERROR, format!("{text}（已逾期）"));
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

fn block(ui: &mut egui::Ui, title: &str, n: usize, add: impl FnOnce(&mut egui::Ui)) {
    egui::CollapsingHeader::new(format!("{title}（{n}）"))
        .id_salt(("child-records", title))
        .default_open(true)
        .show(ui, |ui| {
            if n == 0 {
                ui.weak("暂无记录");
            }
            add(ui);
        });
}
