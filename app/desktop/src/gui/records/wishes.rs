//! 微心愿: record → publish → claimed by a sponsor (company or person) →
//! fulfilled with a date and a photo reference; or cancelled. Listed by
//! status with counts; each wish shows its history.

use super::{
    ChildPick, child_row, form_grid, history_ui, load_history, opt, parse_date, parse_opt_yuan,
    section, text_row,
};
use crate::gui::{HutongApp, serve, status_message};
use eframe::egui;
use hutong_core::allowances::format_yuan;
use hutong_core::audit::AuditEntry;
use hutong_core::wishes::{Sponsor, SponsorKind, Wish, WishRow, WishStatus};
use hutong_services::records as rec;

#[derive(Default)]
pub struct State {
    status: Option<WishStatus>,
    rows: Vec<WishRow>,
    counts: Vec<(WishStatus, u64)>,
    loaded: bool,
    form: Option<Form>,
    selected: Option<Selected>,
    message: Option<(bool, String)>,
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
    let status = app.records.wishes.status;
    let rows = app.call(|store, s| rec::wishes::list(store, s, None, status));
    let counts = app
        .call(|store, s| rec::wishes::counts(store, s, None))
        .unwrap_or_default();
    let st = &mut app.records.wishes;
    match rows {
        Ok(rows) => st.rows = rows,
        Err(e) => st.message = Some((false, format!("读取微心愿失败：{e}"))),
    }
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
    let mut step = None;
    let mut open = None;
    {
        let HutongApp {
            store,
            records,
            session,
            ..
        } = &mut *app;
        let st = &mut records.wishes;
        status_message(ui, st.message.as_ref());
        ui.horizontal(|ui| {
            for (s, n) in &st.counts {
                ui.label(format!("{} {}", s.label_zh(), n));
            }
        });
        ui.horizontal(|ui| {
            let mut changed = ui.selectable_value(&mut st.status, None, "全部").changed();
            for s in WishStatus::ALL {
                changed |= ui
                    .selectable_value(&mut st.status, Some(s), s.label_zh())
                    .changed();
            }
            if changed {
                st.loaded = false;
            }
            if ui.button("＋ 登记心愿").clicked() {
                st.new_form(ChildPick::default());
            }
        });
        if let Some(f) = st.form.as_mut() {
            section(ui, "登记微心愿", |ui| {
                form_grid("wish-form", ui, |ui| {
                    child_row(ui, store, session.as_ref(), &mut f.child);
                    text_row(ui, "心愿内容", &mut f.wish);
                    text_row(ui, "预估金额（元）", &mut f.estimate);
                    text_row(ui, "登记日期", &mut f.on);
                });
                if ui.button("保存心愿").clicked() {
                    step = Some(Step::Add);
                }
            });
        }
        egui::Grid::new("wish-list")
            .striped(true)
            .num_columns(7)
            .show(ui, |ui| {
                for h in ["登记日期", "儿童", "村（居）", "心愿", "认领人", "状态", ""]
                {
                    ui.strong(h);
                }
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
                            .map(|s| format!("{}（{}）", s.name, s.kind.label_zh()))
                            .unwrap_or_default(),
                    );
                    ui.label(r.wish.status.label_zh());
                    if ui.small_button("办理").clicked() {
                        open = Some(i);
                    }
                    ui.end_row();
                }
            });
        if st.rows.is_empty() {
            ui.weak("没有微心愿");
        }
        if let Some(s) = st.selected.as_mut() {
            let w = &s.wish;
            section(
                ui,
                &format!("微心愿：{} · {}", s.child_name, w.wish),
                |ui| {
                    ui.label(format!(
                        "状态：{}　登记 {}{}{}{}",
                        w.status.label_zh(),
                        w.recorded_on,
                        w.published_on
                            .map(|d| format!("　发布 {d}"))
                            .unwrap_or_default(),
                        w.claimed_on
                            .map(|d| format!("　认领 {d}"))
                            .unwrap_or_default(),
                        w.fulfilled_on
                            .map(|d| format!("　实现 {d}"))
                            .unwrap_or_default(),
                    ));
                    if let Some(p) = &w.photo_ref {
                        ui.label(format!("照片编号：{p}"));
                    }
                    if let Some(sp) = &w.sponsor {
                        ui.label(format!(
                            "认领人：{}（{}）{}",
                            sp.name,
                            sp.kind.label_zh(),
                            sp.contact.clone().unwrap_or_default()
                        ));
                    }
                    form_grid("wish-step", ui, |ui| match w.status {
                        WishStatus::Recorded | WishStatus::Published => {
                            text_row(ui, "心愿内容", &mut s.edit_text);
                            text_row(ui, "预估金额（元）", &mut s.edit_estimate);
                            text_row(ui, "日期", &mut s.on);
                            if w.status == WishStatus::Published {
                                ui.label("认领方");
                                ui.horizontal(|ui| {
                                    ui.radio_value(
                                        &mut s.sponsor_kind,
                                        SponsorKind::Company,
                                        "企业",
                                    );
                                    ui.radio_value(
                                        &mut s.sponsor_kind,
                                        SponsorKind::Person,
                                        "个人",
                                    );
                                });
                                ui.end_row();
                                text_row(ui, "认领人", &mut s.sponsor);
                                text_row(ui, "认领人联系方式", &mut s.contact);
                            }
                        }
                        WishStatus::Claimed => {
                            text_row(ui, "实现日期", &mut s.on);
                            text_row(ui, "照片编号", &mut s.photo);
                        }
                        _ => {}
                    });
                    ui.horizontal(|ui| match w.status {
                        WishStatus::Recorded => {
                            if ui.button("保存修改").clicked() {
                                step = Some(Step::Edit);
                            }
                            if ui.button("发布").clicked() {
                                step = Some(Step::Publish);
                            }
                        }
                        WishStatus::Published => {
                            if ui.button("保存修改").clicked() {
                                step = Some(Step::Edit);
                            }
                            if ui.button("登记认领").clicked() {
                                step = Some(Step::Claim);
                            }
                        }
                        WishStatus::Claimed if ui.button("标记已实现").clicked() => {
                            step = Some(Step::Fulfil);
                        }
                        _ => {}
                    });
                    if !matches!(w.status, WishStatus::Fulfilled | WishStatus::Cancelled) {
                        ui.horizontal(|ui| {
                            let l = ui.label("取消原因");
                            ui.add(egui::TextEdit::singleline(&mut s.reason).desired_width(200.0))
                                .labelled_by(l.id);
                            if ui.button("取消心愿").clicked() {
                                step = Some(Step::Cancel);
                            }
                        });
                    }
                    history_ui(ui, "办理历史", &s.history);
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
                let estimate = parse_opt_yuan("预估金额", &f.estimate)?;
                let on = parse_date("登记日期", &f.on)?;
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
                    let estimate = parse_opt_yuan("预估金额", &s.edit_estimate)?;
                    serve(store, session, |store, ss| {
                        rec::wishes::edit(store, ss, id, &s.edit_text, estimate)
                    })
                }
                Step::Publish => {
                    let on = parse_date("日期", &s.on)?;
                    serve(store, session, |store, ss| {
                        rec::wishes::publish(store, ss, id, on)
                    })
                }
                Step::Claim => {
                    let on = parse_date("日期", &s.on)?;
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
                    let on = parse_date("实现日期", &s.on)?;
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
            let msg = format!("心愿“{}”：{}", w.wish, w.status.label_zh());
            let sel = select(app, w, name);
            let st = &mut app.records.wishes;
            st.selected = Some(sel);
            st.form = None;
            st.message = Some((true, msg));
            st.loaded = false;
        }
        Err(e) => app.records.wishes.message = Some((false, e)),
    }
}
