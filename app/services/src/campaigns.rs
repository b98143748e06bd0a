//! 摸底排查 rounds, once for the workstation and the command line: which
//! rounds a session sees, their coverage, a village's children, and the
//! writes (start, record an outcome, close).
//!
//! A round covers a division's subtree, often the whole county, while a
//! township 督导员 or village 儿童主任 works inside it: they see the rounds
//! over or inside their scope, and the coverage of their own villages only.
//! Starting and closing a round is `ManageCampaigns`; recording an outcome
//! is casework (`EditCases`), bounded by the scope in core.

use crate::error::Result;
use crate::permissions::Action;
use crate::records::{child_for, not_found, write};
use crate::session::Session;
use hutong_core::campaigns::{
    self, Campaign, CampaignItem, CampaignState, CampaignStatus, NewCampaign, Outcome, VillageChild,
};
use hutong_core::children::{self, ChildStatus};
use hutong_core::national::NaiveDate;
use hutong_core::{RowId, Scope, Store};

/// Whether a round concerns the session: its division lies inside the
/// scope, or the scope lies inside its division (division codes are
/// normalised, so a subtree's codes start with its root's).
fn concerns(session: &Session, c: &Campaign) -> bool {
    session.scope().contains(&c.division_code)
        || session.scope().code().starts_with(c.division_code.as_str())
}

/// The rounds over or inside the session's scope, newest first.
pub fn list(store: &mut Store, session: &Session) -> Result<Vec<Campaign>> {
    session.require(store, Action::ViewCases)?;
    Ok(campaigns::list(store.conn())?
        .into_iter()
        .filter(|c| concerns(session, c))
        .collect())
}

/// One round, if it concerns the session.
pub fn get(store: &mut Store, session: &Session, id: RowId) -> Result<Campaign> {
    session.require(store, Action::ViewCases)?;
    let c = campaigns::get(store.conn(), id)?.ok_or_else(|| not_found("摸排", id))?;
    if !concerns(session, &c) {
        return Err(not_found("摸排", id));
    }
    Ok(c)
}

/// The open rounds the session sees.
pub fn open_rounds(store: &mut Store, session: &Session) -> Result<Vec<Campaign>> {
    Ok(list(store, session)?
        .into_iter()
        .filter(|c| c.state == CampaignState::Open)
        .collect())
}

/// A round's coverage on `today`, over the villages inside the session's
/// scope (totals recomputed from them, so a 儿童主任 sees her village's
/// figures, not the county's).
pub fn status(
    store: &mut Store,
    session: &Session,
    id: RowId,
    today: NaiveDate,
) -> Result<CampaignStatus> {
    get(store, session, id)?;
    let status = campaigns::status(store.conn(), id, today)?;
    Ok(within_scope(status, session.scope()))
}

fn within_scope(mut s: CampaignStatus, scope: &Scope) -> CampaignStatus {
    if scope.contains(&s.campaign.division_code) {
        return s;
    }
    s.villages.retain(|v| scope.contains(&v.village_code));
    let sum = |f: fn(&campaigns::VillageCoverage) -> u64| s.villages.iter().map(f).sum::<u64>();
    s.children = sum(|v| v.children);
    s.confirmed = sum(|v| v.confirmed);
    s.updated = sum(|v| v.updated);
    s.closed = sum(|v| v.closed);
    s.pending = sum(|v| v.pending);
    s.coverage = if s.children == 0 {
        1.0
    } else {
        (s.children - s.pending) as f64 / s.children as f64
    };
    s
}

/// The children a round counts in one village inside the scope (a village
/// outside it is refused and audited), ID numbers masked.
pub fn village_children(
    store: &mut Store,
    session: &Session,
    id: RowId,
    village_code: &str,
) -> Result<Vec<VillageChild>> {
    get(store, session, id)?;
    session.narrowed(store, Some(village_code))?;
    let mut rows = campaigns::village_children(store.conn(), id, village_code)?;
    for r in &mut rows {
        r.id_number = hutong_core::national::id_number::mask(&r.id_number);
    }
    Ok(rows)
}

/// Starts a round over `division_code` (inside the scope).
pub fn start(store: &mut Store, session: &Session, new: &NewCampaign<'_>) -> Result<Campaign> {
    // The permission first: a refusal names the action, not the division.
    session.require(store, Action::ManageCampaigns)?;
    session.narrowed(store, Some(new.division_code))?;
    write(store, session, Action::ManageCampaigns, |tx| {
        campaigns::start(tx, new)
    })
}

/// Records a child's outcome. 销档 (closed) also closes the child's file in
/// the same write, with the note as the reason: the child is no longer in
/// care here.
pub fn record(
    store: &mut Store,
    session: &Session,
    id: RowId,
    child: RowId,
    outcome: Outcome,
    note: Option<&str>,
    today: NaiveDate,
) -> Result<CampaignItem> {
    session.require(store, Action::EditCases)?;
    get(store, session, id)?;
    let found = child_for(store, session, Action::EditCases, child)?;
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    // Without a note core refuses the closing (结案原因 不能为空), and the
    // outcome rolls back with it.
    write(store, session, Action::EditCases, |tx| {
        let item = campaigns::record(tx, id, child, outcome, note)?;
        if outcome == Outcome::Closed && found.status == ChildStatus::Active {
            children::close(tx, child, today, note.unwrap_or_default())?;
        }
        Ok(item)
    })
}

/// Closes a round and locks its snapshot.
pub fn close(
    store: &mut Store,
    session: &Session,
    id: RowId,
    today: NaiveDate,
) -> Result<CampaignStatus> {
    session.require(store, Action::ManageCampaigns)?;
    get(store, session, id)?;
    write(store, session, Action::ManageCampaigns, |tx| {
        campaigns::close(tx, id, today)
    })
}

/// The round named by `id`, else the only open one (the CLI's default).
pub fn pick(store: &mut Store, session: &Session, id: Option<RowId>) -> Result<Campaign> {
    if let Some(id) = id {
        return get(store, session, id);
    }
    let open = open_rounds(store, session)?;
    match open.len() {
        0 => Err(hutong_core::CoreError::field(
            "摸排",
            "没有进行中的摸排：用 hutong campaign start --division 代码 开始",
        )
        .into()),
        1 => open
            .into_iter()
            .next()
            .ok_or_else(|| hutong_core::CoreError::Internal("摸排列表为空".into()).into()),
        n => Err(hutong_core::CoreError::field(
            "摸排",
            format!(
                "有 {n} 轮摸排在进行中，请用 --id 指定：{}",
                open.iter()
                    .map(|c| format!("{}（{}）", c.id, c.title))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )
        .into()),
    }
}
