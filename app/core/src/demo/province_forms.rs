//! The province's 流动儿童 monitoring form, filled for the children it
//! applies to.
//!
//! The 河南 and 青海 plugins decide 流动儿童 from this form (the move date
//! and whether the move was only between one city's central districts;
//! SDK `migrant_monitor::migrant`). Without it their rule answers "evidence
//! missing" for every child living outside the hukou county, so the demo
//! fills it, with the field ids of each plugin's form. 江苏 and 西藏 do not
//! classify 流动儿童, and get no form.

use crate::RowId;
use crate::children::Child;
use crate::forms::FormRecord;
use crate::province::{FieldValue, Value};
use hutong_national::NaiveDate;

/// Priority-reason codes of the SDK (`migrant_monitor::PriorityReason`).
pub(super) const FAMILY_HARDSHIP: &str = "FAMILY_HARDSHIP";

/// Which form a province's plugin reads for 流动儿童.
struct MigrantForm {
    plugin_id: &'static str,
    form_id: &'static str,
    arrived: &'static str,
    central_only: &'static str,
    accompanied: &'static str,
    priority: &'static str,
}

/// The plugins' version as built from `plugins/` (workspace version).
const PLUGIN_VERSION: &str = "1.0.0";

fn form_for(province: &str) -> Option<MigrantForm> {
    match province {
        // plugins/henan/src/forms.rs `migrant()`.
        "41" => Some(MigrantForm {
            plugin_id: "cn.hutong.henan",
            form_id: "migrant-monitor",
            arrived: "arrived_on",
            central_only: "within_central_districts",
            accompanied: "flow_with",
            priority: "priority",
        }),
        // plugins/qinghai/src/forms.rs `MIGRANT_FORM`.
        "63" => Some(MigrantForm {
            plugin_id: "cn.hutong.qinghai",
            form_id: "migrant",
            arrived: "moved_in_on",
            central_only: "central_districts_only",
            accompanied: "accompanied_by",
            priority: "priority_reasons",
        }),
        _ => None,
    }
}

/// Whom the child came with.
#[derive(Debug, Clone, Copy)]
pub(super) enum CameWith {
    BothParents,
    OneParent,
    /// A guardian or carer who is not a parent.
    OtherGuardian,
}

impl CameWith {
    /// The choice code in the province's form (the parents' codes are the
    /// same in both; the other guardian's differs).
    fn code(self, province: &str) -> &'static str {
        match (self, province) {
            (CameWith::BothParents, _) => "both_parents",
            (CameWith::OneParent, _) => "one_parent",
            (CameWith::OtherGuardian, "63") => "guardian",
            (CameWith::OtherGuardian, _) => "other_guardian",
        }
    }
}

/// The filled monitoring form for a child living outside the hukou county,
/// or `None` when the province's plugin has no such form.
pub(super) fn migrant_form(
    province: &str,
    child: &Child,
    arrived_on: NaiveDate,
    came_with: CameWith,
    priority: &[&str],
    now: &str,
) -> Option<FormRecord> {
    let f = form_for(province)?;
    let text = |id: &str, v: &str| FieldValue {
        field_id: id.to_string(),
        row: None,
        value: Value::Text(v.to_string()),
    };
    let mut values = vec![
        text("name", &child.name),
        text("id_number", &child.id_number),
        text("birth_date", &child.birth_date.to_string()),
        text(
            "hukou_division",
            child.hukou_division.as_deref().unwrap_or_default(),
        ),
        text("residence_division", &child.residence_division),
        text(f.arrived, &arrived_on.to_string()),
        FieldValue {
            field_id: f.accompanied.to_string(),
            row: None,
            value: Value::Choice(came_with.code(province).to_string()),
        },
        // The demo's moves cross a prefecture or province line, never only
        // between one city's central districts.
        FieldValue {
            field_id: f.central_only.to_string(),
            row: None,
            value: Value::Boolean(false),
        },
    ];
    if !priority.is_empty() {
        values.push(FieldValue {
            field_id: f.priority.to_string(),
            row: None,
            value: Value::Choices(priority.iter().map(|p| p.to_string()).collect()),
        });
    }
    Some(FormRecord {
        id: RowId::new(),
        child_id: child.id,
        plugin_id: f.plugin_id.to_string(),
        plugin_version: PLUGIN_VERSION.to_string(),
        form_id: f.form_id.to_string(),
        form_version: "1".to_string(),
        version: 1,
        supersedes: None,
        values,
        author: "hutong demo".to_string(),
        recorded_at: now.to_string(),
    })
}
