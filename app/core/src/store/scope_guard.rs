//! The division check on writes, enforced by the database connection itself.
//!
//! Every write runs under its actor's [`Scope`](crate::access::Scope). Rather
//! than trusting each of the many write functions to check it, the store
//! installs TEMP triggers on the connection (never in the file's schema, so
//! a backup's schema is unchanged) that refuse any inserted or updated row
//! outside the scope:
//! - `children`: the residence division, before and after the change;
//! - every table with a `child_id`: that child must be inside the scope;
//! - every table with a `division_code` (rounds, workers, 儿童之家): the
//!   division must be inside the scope;
//! - `persons`: an update needs a related child inside the scope (a person
//!   with no relation yet is being created and is not visible to anyone).
//!
//! The triggers read the current scope through the SQL function
//! `hutong_scope()`, which [`Store::write`](super::Store::write) sets for the
//! length of one transaction and clears after. Outside a write it returns
//! a pattern that matches nothing, so a write that bypassed `Store::write`
//! would be refused as well (deny by default).

use crate::error::OUT_OF_SCOPE_MARK;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use std::sync::{Arc, Mutex};

/// A GLOB pattern that no division code matches.
const MATCH_NOTHING: &str = "-";

/// The scope pattern shared between the store and its SQL function.
#[derive(Clone)]
pub(crate) struct ScopeCell(Arc<Mutex<String>>);

impl ScopeCell {
    fn new() -> Self {
        ScopeCell(Arc::new(Mutex::new(MATCH_NOTHING.to_string())))
    }

    fn get(&self) -> String {
        match self.0.lock() {
            Ok(g) => g.clone(),
            Err(_) => MATCH_NOTHING.to_string(),
        }
    }

    pub(crate) fn set(&self, pattern: String) {
        if let Ok(mut g) = self.0.lock() {
            *g = pattern;
        }
    }

    pub(crate) fn clear(&self) {
        self.set(MATCH_NOTHING.to_string());
    }
}

/// Registers `hutong_scope()` and creates the TEMP triggers for every table
/// of the current schema. Called once per connection, after migrations.
pub(crate) fn install(conn: &Connection) -> rusqlite::Result<ScopeCell> {
    let cell = ScopeCell::new();
    let shared = cell.clone();
    conn.create_scalar_function(
        "hutong_scope",
        0,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |_| Ok(shared.get()),
    )?;
    let tables: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut sql = String::new();
    for table in &tables {
        let columns: Vec<String> = {
            let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
            stmt.query_map([table], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let has = |c: &str| columns.iter().any(|x| x == c);
        let refuse = format!("SELECT RAISE(ABORT, '{OUT_OF_SCOPE_MARK}{table}')");
        if table == "children" {
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER scope_children_ins BEFORE INSERT ON main.children
                   WHEN NOT (NEW.residence_division GLOB hutong_scope()) BEGIN {refuse}; END;
                 CREATE TEMP TRIGGER scope_children_upd BEFORE UPDATE ON main.children
                   WHEN NOT (OLD.residence_division GLOB hutong_scope() AND NEW.residence_division GLOB hutong_scope())
                   BEGIN {refuse}; END;\n"
            ));
            continue;
        }
        if table == "persons" {
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER scope_persons_upd BEFORE UPDATE ON main.persons
                   WHEN EXISTS (SELECT 1 FROM main.child_relations r WHERE r.person_id = OLD.id)
                    AND NOT EXISTS (SELECT 1 FROM main.child_relations r JOIN main.children c ON c.id = r.child_id
                                    WHERE r.person_id = OLD.id AND c.residence_division GLOB hutong_scope())
                   BEGIN {refuse}; END;\n"
            ));
            continue;
        }
        if has("child_id") {
            let outside = |row: &str| {
                format!(
                    "({row}.child_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM main.children c
                        WHERE c.id = {row}.child_id AND c.residence_division GLOB hutong_scope()))"
                )
            };
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER scope_{table}_child_ins BEFORE INSERT ON main.{table}
                   WHEN {new} BEGIN {refuse}; END;
                 CREATE TEMP TRIGGER scope_{table}_child_upd BEFORE UPDATE ON main.{table}
                   WHEN {old} OR {new} BEGIN {refuse}; END;\n",
                new = outside("NEW"),
                old = outside("OLD"),
            ));
        }
        if has("division_code") {
            sql.push_str(&format!(
                "CREATE TEMP TRIGGER scope_{table}_div_ins BEFORE INSERT ON main.{table}
                   WHEN NOT (NEW.division_code GLOB hutong_scope()) BEGIN {refuse}; END;
                 CREATE TEMP TRIGGER scope_{table}_div_upd BEFORE UPDATE ON main.{table}
                   WHEN NOT (OLD.division_code GLOB hutong_scope() AND NEW.division_code GLOB hutong_scope())
                   BEGIN {refuse}; END;\n"
            ));
        }
    }
    conn.execute_batch(&sql)?;
    Ok(cell)
}

/// What a refused table holds, in words for the message.
pub(crate) fn table_label(table: &str) -> &'static str {
    match table {
        "children" => "该儿童档案",
        "persons" => "该家庭成员",
        "child_relations" => "该儿童的家庭关系",
        "categories" => "该儿童的类别",
        "form_records" => "该儿童的省级表单",
        "visits" => "该儿童的走访记录",
        "assessments" => "该儿童的评估",
        "eligibility_findings" => "该儿童的认定结果",
        "campaigns" => "该摸排范围",
        "campaign_items" => "该儿童的摸排核实",
        "comparison_rows" | "comparison_decisions" => "该比对结果",
        "mandatory_reports" => "该儿童的强制报告",
        "service_records" => "该儿童的关爱服务",
        "referrals" => "该儿童的转介",
        "allowance_payments" => "该儿童的补贴发放",
        "grants" => "该儿童的助学记录",
        "wishes" => "该儿童的微心愿",
        "counselling_sessions" | "screenings" | "care_followups" => "该儿童的心理关爱记录",
        "workers" => "该工作人员所在区划",
        "child_homes" => "该儿童之家所在区划",
        _ => "该记录",
    }
}
