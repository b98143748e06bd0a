//! `hutong history`: a record's history (old → new) from the audit log.

use super::*;

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// A record id (强制报告, service, wish, worker...).
    id: String,
    #[arg(long)]
    json: bool,
}

pub fn history(db: &Path, session: &Session, a: HistoryArgs) -> Result<ExitCode> {
    let mut store = open(db)?;
    let id = parse_row_id("记录编号", &a.id)?;
    let Some(entries) = rec::history_of_id(&mut store, session, id)? else {
        bail!("审计日志中没有记录 {id} 的历史");
    };
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
