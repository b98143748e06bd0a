//! 微心愿: record → publish → claimed by a sponsor (company or person) →
//! fulfilled with a date and a photo reference; or cancelled. Listed by
//! status with counts; each wish shows its history.

use super::{
    ChildPick, child_row, form_grid, history_ui, load_history, opt, parse_date, parse_opt_yuan,
    section, text_row,
};
use crate::gui::notices::Place;
use crate::gui::{HutongApp, serve};
use crate::i18n::Lang;
use crate::t;
use eframe::egui;
use hutong_core::allowances::format_yuan;
use hutong_core::audit::AuditEntry;
use hutong_core::wishes::{Sponsor, SponsorKind, Wish, WishRow, WishStatus};
use hutong_services::records as rec;

/// A wish's status in the UI language (every variant named).
pub(super) fn wish_status(lang: Lang, status: WishStatus) -> String {
    let key = match status {
        WishStatus::Recorded => "wish-status-recorded",
        WishStatus::Published => "wish-status-published",
        WishStatus::Claimed => "wish-status-claimed",
        WishStatus::Fulfilled => "wish-status-fulfilled",
        WishStatus::Cancelled => "wish-status-cancelled",
    };
    t!(lang, key)
}

/// A sponsor's kind in the UI language (every variant named).
fn sponsor_kind(lang: Lang, kind: SponsorKind) -> String {
    let key = match kind {
        SponsorKind::Company => "wish-kind-company",
        SponsorKind::Person => "wish-kind-person",
    };
    t!(lang, key)
}

#[derive(Default)]
pub struct State {
    status: Option<WishStatus>,
    rows: Vec<WishRow>,
    counts: Vec<(WishStatus, u64)>,
    loaded: bool,
    form: Option<Form>,
    selected: Option<Selected>,
}

impl State {
    pub fn new_form(&mut self, child: ChildPick) {
        self.form = Some(Form {
            child,
            on: super::today().to_string(),
            ..Form::default()
        });
    }
}

#[derive(Default)]
struct Form {
    child: ChildPick,
    wish: String,
    estimate: String,
    on: String,
}

struct Selected {
    wish: Wish,
    child_name: String,
    history: Vec<AuditEntry>,
    on: String,
    sponsor_kind: SponsorKind,
    sponsor: String,
    contact: String,
    photo: String,
    reason: String,
    edit_text: String,
    edit_estimate: String,
}

fn select(app: &mut HutongApp, wish: Wish, child_name: String) -> Selected {
    Selected {
        history: load_history(app, "wishes", wish.id),
        on: super::today().to_string(),
        sponsor_kind: SponsorKind::Company,
        sponsor: String::new(),
        contact: String::new(),
        photo: String::new(),
        reason: String::new(),
        edit_text: wish.wish.clone(),
        edit_estimate: wish.estimate_cents.map(format_yuan).unwrap_or_default(),
        wish,
        child_name,
    }
}

fn reload(app: &mut HutongApp) {
    let lang = app.lang;
    let status = app.records.wishes.status;
    let rows = app.call(|store, s| rec::wishes::list(store, s, None, status));
    let counts = app
        .call(|store, s| rec::wishes::counts(store, s, None))
        .unwrap_or_default();
    match rows {
        Ok(rows) => app.records.wishes.rows = rows,
        Err(e) => app.notices.error(
            Place::RecordsWishes,
            t!(lang, "wish-load-failed", error = e),
        ),
    }
    let st = &mut app.records.wishes;
    st.counts = counts;
    st.loaded = true;
}

enum Step {
    Add,
    Edit,
    Publish,
    Claim,
    Fulfil,
    Cancel,
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    if !app.records.wishes.loaded {
        reload(app);
    }
    let lang = app.lang;
    let mut step = None;
    let mut open = None;
    {
        let HutongApp {
            store,
            records,
            session,
            notices,
            ..
        } = &mut *app;
        let st = &mut records.wishes;
        notices.show_here(ui, Place::RecordsWishes);
        ui.horizontal(|ui| {
            for (s, n) in &st.counts {
                ui.label(t!(
                    lang,
                    "wish-count",
                    status = wish_status(lang, *s),
                    n = *n
                ));
            }
        });
        ui.horizontal(|ui| {
            let mut changed = ui
                .selectable_value(&mut st.status, None, t!(lang, "wish-all"))
                .changed();
            for s in WishStatus::ALL {
                changed |= ui
                    .selectable_value(&mut st.status, Some(s), wish_status(lang, s))
                    .changed();
            }
            if changed {
                st.loaded = false;
            }
            if ui.button(t!(lang, "wish-add")).clicked() {
                st.new_form(ChildPick::default());
            }
        });
        if let Some(f) = st.form.as_mut() {
            section(ui, &t!(lang, "wish-form-title"), |ui| {
                form_grid("wish-form", ui, |ui| {
                    child_row(ui, store, session.as_ref(), &mut f.child);
                    text_row(ui, &t!(lang, "wish-text"), &mut f.wish);
                    text_row(ui, &t!(lang, "wish-estimate"), &mut f.estimate);
                    text_row(ui, &t!(lang, "wish-recorded-on"), &mut f.on);
                });
                if ui.button(t!(lang, "wish-save")).clicked() {
                    step = Some(Step::Add);
                }
            });
        }
        egui::Grid::new("wish-list")
            .striped(true)
            .num_columns(7)
            .show(ui, |ui| {
                for key in [
                    "wish-recorded-on",
                    "wish-col-child",
                    "wish-col-village",
                    "wish-col-wish",
                    "wish-sponsor",
                    "wish-col-status",
                ] {
                    ui.strong(t!(lang, key));
                }
                ui.strong("");
                ui.end_row();
                for (i, r) in st.rows.iter().enumerate() {
                    ui.label(r.wish.recorded_on.to_string());
                    ui.label(&r.child_name);
                    ui.label(&r.village_name);
                    ui.label(&r.wish.wish);
                    ui.label(
                        r.wish
                            .sponsor
                            .as_ref()
                            .map(|s| {
                                t!(
                                    lang,
                                    "wish-sponsor-cell",
                                    name = s.name.as_str(),
                                    kind = sponsor_kind(lang, s.kind)
                                )
                            })
                            .unwrap_or_default(),
                    );
                    ui.label(wish_status(lang, r.wish.status));
                    if ui.small_button(t!(lang, "wish-handle")).clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if st.rows.is_empty() {
            ui.weak(t!(lang, "wish-none"));
        }
        if let Some(s) = st.selected.as_mut() {
            let w = &s.wish;
            section(
                ui,
                &t!(
                    lang,
                    "wish-selected",
                    name = s.child_name.as_str(),
                    wish = w.wish.as_str()
                ),
                |ui| {
                    let part = |key: &str, d: Option<hutong_core::national::NaiveDate>| {
                        d.map(|d| t!(lang, key, date = d.to_string()))
                            .unwrap_or_default()
                    };
                    ui.label(t!(
                        lang,
                        "wish-status-line",
                        status = wish_status(lang, w.status),
                        recorded = w.recorded_on.to_string(),
                        published = part("wish-published-part", w.published_on),
                        claimed = part("wish-claimed-part", w.claimed_on),
                        fulfilled = part("wish-fulfilled-part", w.fulfilled_on),
                    ));
                    if let Some(p) = &w.photo_ref {
                        ui.label(t!(lang, "wish-photo-line", photo = p.as_str()));
                    }
                    if let Some(sp) = &w.sponsor {
                        ui.label(t!(
                            lang,
                            "wish-sponsor-line",
                            name = sp.name.as_str(),
                            kind = sponsor_kind(lang, sp.kind),
                            contact = sp.contact.clone().unwrap_or_default()
                        ));
                    }
                    form_grid("wish-step", ui, |ui| match w.status {
                        WishStatus::Recorded | WishStatus::Published => {
                            text_row(ui, &t!(lang, "wish-text"), &mut s.edit_text);
                            text_row(ui, &t!(lang, "wish-estimate"), &mut s.edit_estimate);
                            text_row(ui, &t!(lang, "wish-date"), &mut s.on);
                            if w.status == WishStatus::Published {
                                ui.label(t!(lang, "wish-sponsor-side"));
                                ui.horizontal(|ui| {
                                    ui.radio_value(
                                        &mut s.sponsor_kind,
                                        SponsorKind::Company,
                                        t!(lang, "wish-company"),
                                    );
                                    ui.radio_value(
                                        &mut s.sponsor_kind,
                                        SponsorKind::Person,
                                        t!(lang, "wish-person"),
                                    );
                                });
                                ui.end_row();
                                text_row(ui, &t!(lang, "wish-sponsor"), &mut s.sponsor);
                                text_row(ui, &t!(lang, "wish-sponsor-contact"), &mut s.contact);
                            }
                        }
                        WishStatus::Claimed => {
                            text_row(ui, &t!(lang, "wish-fulfilled-on"), &mut s.on);
                            text_row(ui, &t!(lang, "wish-photo"), &mut s.photo);
                        }
                        _ => {}
                    });
                    ui.horizontal(|ui| match w.status {
                        WishStatus::Recorded => {
                            if ui.button(t!(lang, "wish-save-edit")).clicked() {
                                step = Some(Step::Edit);
                            }
                            if ui.button(t!(lang, "wish-publish")).clicked() {
                                step = Some(Step::Publish);
                            }
                        }
                        WishStatus::Published => {
                            if ui.button(t!(lang, "wish-save-edit")).clicked() {
                                step = Some(Step::Edit);
                            }
                            if ui.button(t!(lang, "wish-claim")).clicked() {
                                step = Some(Step::Claim);
                            }
                        }
                        WishStatus::Claimed
                            if ui.button(t!(lang, "wish-mark-fulfilled")).clicked() =>
                        {
                            step = Some(Step::Fulfil);
                        }
                        _ => {}
                    });
                    if !matches!(w.status, WishStatus::Fulfilled | WishStatus::Cancelled) {
                        ui.horizontal(|ui| {
                            let l = ui.label(t!(lang, "wish-cancel-reason"));
                            ui.add(egui::TextEdit::singleline(&mut s.reason).desired_width(200.0))
                                .labelled_by(l.id);
                            if ui.button(t!(lang, "wish-cancel")).clicked() {
                                step = Some(Step::Cancel);
                            }
                        });
                    }
                    history_ui(ui, &t!(lang, "wish-history"), &s.history);
                },
            );
        }
    }
    if let Some(i) = open {
        let r = app.records.wishes.rows[i].clone();
        app.records.wishes.selected = Some(select(app, r.wish, r.child_name));
    }
    if let Some(step) = step {
        run(app, step);
    }
}

fn run(app: &mut HutongApp, step: Step) {
    let lang = app.lang;
    let HutongApp {
        store,
        records,
        session,
        ..
    } = &mut *app;
    let session = session.as_ref();
    let st = &records.wishes;
    let result: Result<Wish, String> = match step {
        Step::Add => {
            let Some(f) = &st.form else { return };
            (|| {
                let child = f.child.require()?;
                let estimate = parse_opt_yuan(&t!(lang, "wish-estimate-field"), &f.estimate)?;
                let on = parse_date(&t!(lang, "wish-recorded-on"), &f.on)?;
                serve(store, session, |store, s| {
                    rec::wishes::add(store, s, child, &f.wish, estimate, on)
                })
            })()
        }
        _ => {
            let Some(s) = &st.selected else { return };
            let id = s.wish.id;
            (|| match step {
                Step::Edit => {
                    let estimate =
                        parse_opt_yuan(&t!(lang, "wish-estimate-field"), &s.edit_estimate)?;
                    serve(store, session, |store, ss| {
                        rec::wishes::edit(store, ss, id, &s.edit_text, estimate)
                    })
                }
                Step::Publish => {
                    let on = parse_date(&t!(lang, "wish-date"), &s.on)?;
                    serve(store, session, |store, ss| {
                        rec::wishes::publish(store, ss, id, on)
                    })
                }
                Step::Claim => {
                    let on = parse_date(&t!(lang, "wish-date"), &s.on)?;
                    let sponsor = Sponsor {
                        kind: s.sponsor_kind,
                        name: s.sponsor.clone(),
                        contact: opt(&s.contact),
                    };
                    serve(store, session, |store, ss| {
                        rec::wishes::claim(store, ss, id, &sponsor, on)
                    })
                }
                Step::Fulfil => {
                    let on = parse_date(&t!(lang, "wish-fulfilled-on"), &s.on)?;
                    let photo = opt(&s.photo);
                    serve(store, session, |store, ss| {
                        rec::wishes::fulfil(store, ss, id, on, photo.as_deref())
                    })
                }
                Step::Cancel => serve(store, session, |store, ss| {
                    rec::wishes::cancel(store, ss, id, &s.reason)
                }),
                Step::Add => Err(String::new()),
            })()
        }
    };
    match result {
        Ok(w) => {
            let name = match (&app.records.wishes.selected, &app.records.wishes.form) {
                (Some(s), _) if s.wish.id == w.id => s.child_name.clone(),
                (_, Some(f)) => f.child.chosen.clone().map(|c| c.1).unwrap_or_default(),
                _ => super::child_name(app, w.child_id),
            };
            let msg = t!(
                lang,
                "wish-result",
                wish = w.wish.as_str(),
                status = wish_status(lang, w.status)
            );
            let sel = select(app, w, name);
            let st = &mut app.records.wishes;
            st.selected = Some(sel);
            st.form = None;
            st.loaded = false;
            app.notices.success(Place::RecordsWishes, msg);
        }
        Err(e) => app.notices.error(Place::RecordsWishes, e),
    }
}
