//! 统计报表: the table per township and category (children, categories,
//! visits), once for the 统计 screen and `hutong stats`.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::Store;
use hutong_core::national::NaiveDate;
use hutong_core::stats::{self, Statistics};

/// The statistics of the session's scope, or of `division` inside it (a
/// division outside it is refused and the attempt audited). Needs
/// `Statistics`.
pub fn compute(
    store: &mut Store,
    session: &Session,
    division: Option<&str>,
    today: NaiveDate,
    cadence_days: i64,
) -> Result<Statistics> {
    session.require(store, Action::Statistics)?;
    let scope = session.narrowed(store, division)?;
    Ok(stats::compute(store.conn(), &scope, today, cadence_days)?)
}
