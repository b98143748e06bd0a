//! A date picker: "2025年5月22日" on a button (2025-05-22 in English);
//! clicking opens a month grid (一 … 日, Monday first) with year and month
//! steppers.
//! egui_extras' picker is English-only, and dates are typed wrong often
//! enough (2025/5/22, 20250522) that picking beats typing.

use eframe::egui;
use hutong_core::national::NaiveDate;

/// The weekday headings, Monday first.
const WEEKDAYS: [&str; 7] = [
    "date-mon", "date-tue", "date-wed", "date-thu", "date-fri", "date-sat", "date-sun",
];

fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    match (NaiveDate::from_ymd_opt(y, m, 1), next) {
        (Some(a), Some(b)) => (b - a).num_days() as u32,
        _ => 30,
    }
}

/// Draws the picker; returns true when the user picked a date.
pub fn date_picker(
    ui: &mut egui::Ui,
    id_salt: impl std::hash::Hash + std::fmt::Debug,
    value: &mut Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    let id = ui.make_persistent_id(id_salt);
    let mut open: bool = ui.data(|d| d.get_temp(id)).unwrap_or(false);
    let shown = value.unwrap_or(today);
    let mut view: (i32, u32) = ui.data(|d| d.get_temp(id.with("view"))).unwrap_or((
        chrono::Datelike::year(&shown),
        chrono::Datelike::month(&shown),
    ));
    let lang = super::ui_lang(ui);
    let label = value
        .map(|d| crate::i18n::date(lang, d))
        .unwrap_or_else(|| crate::t!(lang, "date-choose"));
    if ui
        .button(crate::t!(lang, "date-calendar", date = label))
        .clicked()
    {
        open = !open;
        // Each opening starts on the field's own month.
        view = (
            chrono::Datelike::year(&shown),
            chrono::Datelike::month(&shown),
        );
    }
    let mut picked = false;
    if open {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui.small_button("◀").clicked() {
                    view = if view.1 == 1 {
                        (view.0 - 1, 12)
                    } else {
                        (view.0, view.1 - 1)
                    };
                }
                ui.strong(crate::t!(lang, "date-month", year = view.0, month = view.1));
                if ui.small_button("▶").clicked() {
                    view = if view.1 == 12 {
                        (view.0 + 1, 1)
                    } else {
                        (view.0, view.1 + 1)
                    };
                }
                if ui.small_button(crate::t!(lang, "date-today")).clicked() {
                    *value = Some(today);
                    picked = true;
                }
            });
            egui::Grid::new(id.with("grid"))
                .num_columns(7)
                .show(ui, |ui| {
                    for w in WEEKDAYS {
                        ui.weak(crate::t!(lang, w));
                    }
                    ui.end_row();
                    let Some(first) = NaiveDate::from_ymd_opt(view.0, view.1, 1) else {
                        return;
                    };
                    let offset = chrono::Datelike::weekday(&first).num_days_from_monday();
                    for _ in 0..offset {
                        ui.label("");
                    }
                    for day in 1..=days_in_month(view.0, view.1) {
                        let Some(d) = NaiveDate::from_ymd_opt(view.0, view.1, day) else {
                            continue;
                        };
                        let selected = *value == Some(d);
                        if ui.selectable_label(selected, day.to_string()).clicked() {
                            *value = Some(d);
                            picked = true;
                        }
                        if (offset + day) % 7 == 0 {
                            ui.end_row();
                        }
                    }
                });
        });
    }
    if picked {
        open = false;
    }
    ui.data_mut(|d| {
        d.insert_temp(id, open);
        d.insert_temp(id.with("view"), view);
    });
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_lengths_follow_the_calendar() {
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2025, 2), 28);
        assert_eq!(days_in_month(2025, 12), 31);
        assert_eq!(days_in_month(2025, 4), 30);
    }
}
