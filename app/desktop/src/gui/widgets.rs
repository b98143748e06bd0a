//! Widgets and helpers several screens share: the 四色 swatch and labels,
//! the escalation text, the 乡镇/村（居） picker, and the county's province
//! plugin. Screens import these, never each other.

use super::HutongApp;
use eframe::egui;
use hutong_core::divisions::Division;
use hutong_core::national::division::{DivisionLevel, level_of};
use hutong_core::province::{Colour, Manifest};
use hutong_core::schedule::Escalation;
use hutong_services::divisions;

use crate::i18n::Lang;

/// The county's province plugin among the loaded ones: its manifest holds
/// the visit policy and the screening cycle.
pub(super) fn province_manifest(app: &HutongApp) -> Option<(String, Manifest)> {
    let county = app.store.county_code().ok().flatten().unwrap_or_default();
    let infos = app.plugins.infos();
    let manifests: Vec<&Manifest> = infos.iter().map(|i| &i.manifest).collect();
    let i = crate::casework::province_plugin_index(&manifests, &county)?;
    infos
        .get(i)
        .map(|info| (info.reference.clone(), info.manifest.clone()))
}

pub(super) fn colour_label(lang: Lang, c: Option<Colour>) -> String {
    let key = match c {
        Some(Colour::Red) => "widget-colour_red",
        Some(Colour::Orange) => "widget-colour_orange",
        Some(Colour::Yellow) => "widget-colour_yellow",
        Some(Colour::Blue) => "widget-colour_blue",
        Some(Colour::Green) => "widget-colour_green",
        None => "widget-not_assessed",
    };
    crate::t!(lang, key)
}

/// A small filled square in the colour, then its label.
pub(super) fn swatch(ui: &mut egui::Ui, c: Option<Colour>, text: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter()
            .rect_filled(rect, 2.0, super::theme::risk_colour(c));
        ui.label(text)
    })
    .inner
}

pub(super) fn escalation_text(app: &HutongApp, e: Escalation) -> String {
    match e {
        Escalation::None => String::new(),
        Escalation::Township => app.t("visit-escalated_township"),
        Escalation::County => app.t("visit-escalated_county"),
    }
}

/// 乡镇 and 村（居） pickers within the user's scope; the villages of the
/// chosen township are looked up when it changes, never every frame.
#[derive(Default)]
pub(super) struct DivisionPicker {
    scope: Option<String>,
    townships: Vec<Division>,
    villages_of: Option<String>,
    villages: Vec<Division>,
}

impl DivisionPicker {
    /// Draws the pickers; returns true when `value` changed.
    pub(super) fn show(
        &mut self,
        ui: &mut egui::Ui,
        salt: &str,
        store: &hutong_core::Store,
        scope: &str,
        value: &mut Option<String>,
    ) -> bool {
        if self.scope.as_deref() != Some(scope) {
            self.townships =
                divisions::within(store, scope, DivisionLevel::Township).unwrap_or_default();
            self.scope = Some(scope.to_string());
        }
        let current = value.clone().unwrap_or_default();
        let township = match level_of(&current) {
            Some(DivisionLevel::Township) => Some(current.clone()),
            Some(DivisionLevel::Village) => current.get(..9).map(str::to_string),
            _ => None,
        };
        if self.villages_of != township {
            self.villages = township
                .as_deref()
                .map(|t| divisions::children(store, t).unwrap_or_default())
                .unwrap_or_default();
            self.villages_of = township.clone();
        }
        // A village director's scope is one village: nothing to pick.
        if level_of(scope) == Some(DivisionLevel::Village) {
            return false;
        }
        let mut picked: Option<Option<String>> = None;
        let lang = super::ui_lang(ui);
        let all = crate::t!(lang, "list-all");
        let l = ui.label(crate::t!(lang, "widget-township"));
        let selected = township
            .as_ref()
            .and_then(|c| self.townships.iter().find(|t| &t.code == c))
            .map(|t| t.name.clone())
            .unwrap_or_else(|| all.clone());
        egui::ComboBox::from_id_salt((salt, "township"))
            .selected_text(selected)
            .show_ui(ui, |ui| {
                if ui.selectable_label(township.is_none(), &all).clicked() {
                    picked = Some(None);
                }
                for t in &self.townships {
                    if ui
                        .selectable_label(township.as_deref() == Some(&t.code), &t.name)
                        .clicked()
                    {
                        picked = Some(Some(t.code.clone()));
                    }
                }
            })
            .response
            .labelled_by(l.id);
        if let Some(t) = &township {
            let l = ui.label(crate::t!(lang, "list-village"));
            let selected = self
                .villages
                .iter()
                .find(|v| v.code == current)
                .map(|v| v.name.clone())
                .unwrap_or_else(|| all.clone());
            egui::ComboBox::from_id_salt((salt, "village"))
                .selected_text(selected)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(current == *t, &all).clicked() {
                        picked = Some(Some(t.clone()));
                    }
                    for v in &self.villages {
                        if ui.selectable_label(current == v.code, &v.name).clicked() {
                            picked = Some(Some(v.code.clone()));
                        }
                    }
                })
                .response
                .labelled_by(l.id);
        }
        match picked {
            Some(p) if p != *value => {
                *value = p;
                true
            }
            _ => false,
        }
    }
}
