//! Builds the [`ChildSnapshot`] that plugin rules and reports read, from the
//! store. One place decides what a plugin may see about a child.

use crate::error::{CoreError, Result};
use crate::province::{ChildSnapshot, FormValues, RelationSnapshot, VisitSnapshot};
use crate::{RowId, categories, children, divisions, forms, persons, visits};
use rusqlite::Connection;
use std::collections::HashMap;

pub fn child_snapshot(conn: &Connection, child_id: RowId) -> Result<ChildSnapshot> {
    child_snapshot_cached(conn, child_id, &mut HashMap::new())
}

/// [`child_snapshot`] with a cache of residence names (division code →
/// full name path), for batch runs over many children of the same villages.
pub fn child_snapshot_cached(
    conn: &Connection,
    child_id: RowId,
    names: &mut HashMap<String, String>,
) -> Result<ChildSnapshot> {
    let c = children::get_any(conn, child_id)?.ok_or_else(|| CoreError::NotFound {
        what: "儿童档案",
        key: child_id.to_string(),
    })?;
    let relations = persons::for_child(conn, child_id)?
        .into_iter()
        .filter(|rp| rp.relation.active)
        .map(|rp| RelationSnapshot {
            relation: rp.relation.relation.code().to_string(),
            is_guardian: rp.relation.is_guardian,
            is_entrusted_carer: rp.relation.is_entrusted_carer,
            situation: rp
                .relation
                .situation
                .map(|s| s.code().to_string())
                .unwrap_or_default(),
            situation_since: rp.relation.situation_since.map(|d| d.to_string()),
            situation_until: rp.relation.situation_until.map(|d| d.to_string()),
            disability_type: rp.person.disability_type.unwrap_or_default(),
            disability_grade: rp.person.disability_grade,
            entrustment_confirmed_on: rp.relation.entrustment_confirmed_on.map(|d| d.to_string()),
            occupation: rp.person.occupation.unwrap_or_default(),
        })
        .collect();
    let visit_list = visits::for_child(conn, child_id)?
        .into_iter()
        .filter(|v| v.active)
        .map(|v| VisitSnapshot {
            date: v.visit_date.to_string(),
            mode: v.mode.code().to_string(),
            visitor: v.visitor,
            findings: v.findings,
        })
        .collect();
    // Latest version of each form only.
    let mut latest: Vec<forms::FormRecord> = Vec::new();
    for f in forms::history(conn, child_id)? {
        match latest
            .iter_mut()
            .find(|l| l.plugin_id == f.plugin_id && l.form_id == f.form_id)
        {
            Some(l) if l.version < f.version => *l = f,
            Some(_) => {}
            None => latest.push(f),
        }
    }
    let form_values = latest
        .into_iter()
        .map(|f| FormValues {
            form_id: f.form_id,
            values: f.values,
        })
        .collect();
    let residence_name = match names.get(&c.residence_division) {
        Some(n) => n.clone(),
        None => {
            let n = divisions::full_name(conn, &c.residence_division)?;
            names.insert(c.residence_division.clone(), n.clone());
            n
        }
    };
    Ok(ChildSnapshot {
        residence_name,
        id_number: c.id_number,
        name: c.name,
        name_alt: c.name_alt.unwrap_or_default(),
        sex: c.sex.code().to_string(),
        birth_date: c.birth_date.to_string(),
        ethnicity: c.ethnicity.unwrap_or_default(),
        hukou_division: c.hukou_division.unwrap_or_default(),
        residence_division: c.residence_division,
        schooling: c.schooling.unwrap_or_default(),
        health: c.health.unwrap_or_default(),
        disability_type: c.disability_type.unwrap_or_default(),
        disability_grade: c.disability_grade,
        categories: categories::for_child(conn, child_id)?
            .into_iter()
            .filter(|k| k.active)
            .map(|k| k.category.code().to_string())
            .collect(),
        relations,
        visits: visit_list,
        forms: form_values,
    })
}
