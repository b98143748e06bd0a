//! `hutong history`: a record's history (old → new) from the audit log.

use super::*;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A record id (强制报告, service, wish, worker...).
    id: String,
    #[arg(long)]
    json: bool,
}

pub fn history(db: &Path, actor: &Actor, a: HistoryArgs) -> Result<ExitCode> {
    let store = open(db)?;
    let id = parse_row_id("记录编号", &a.id)?.to_string();
    let mut stmt = store
        .conn()
        .prepare("SELECT entity FROM audit_log WHERE entity_id = ?1 ORDER BY seq LIMIT 1")?;
    let entity: Option<String> = stmt.query_map([&id], |r| r.get(0))?.next().transpose()?;
    let Some(entity) = entity else {
        bail!("审计日志中没有记录 {id} 的历史");
    };
    let entries = audit::history_in_scope(store.conn(), actor.scope(), &entity, &id)?;
    if a.json {
        return print_json(&entries).map(|_| ExitCode::SUCCESS);
    }
    for e in entries.iter().rev() {
        let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
        let mut line = format!("{}\t{}\t{}", e.at, e.actor, e.action);
        if let Some(changes) = detail.get("changes").and_then(|c| c.as_object()) {
            let parts: Vec<String> = changes
                .iter()
                .map(|(k, v)| {
                    let show = |x: Option<&serde_json::Value>| match x {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(serde_json::Value::Null) | None => "（空）".into(),
                        Some(other) => other.to_string(),
                    };
                    format!("{k}: {} → {}", show(v.get(0)), show(v.get(1)))
                })
                .collect();
            line.push('\t');
            line.push_str(&parts.join("；"));
        }
        if let Some(r) = &e.reason {
            line.push_str(&format!("\t原因：{r}"));
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
