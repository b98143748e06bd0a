//! `audit verify`: the chain, the signed anchors wherever they were kept,
//! and (deep) every page of the file and every row the log has a digest of. Written once for the CLI and the GUI.

use crate::error::Result;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::anchors::{self, Anchor, AnchorCheck};
use hutong_core::audit::{self, RowReport, VerifyReport};
use hutong_core::{Store, backup};
use std::path::{Path, PathBuf};

/// What `audit verify` found.
#[derive(Debug, Clone)]
pub struct AuditCheck {
    pub chain: VerifyReport,
    pub anchors: AnchorCheck,
    /// Where anchors were looked for.
    pub searched: Vec<PathBuf>,
    /// Anchor files that could not be read or whose signature is forged.
    pub unreadable_anchors: Vec<String>,
    /// With `deep`: damaged pages (SQLCipher's page MACs, SQLite's checks).
    pub damaged_pages: Option<Vec<String>>,
    /// With `deep`, on an intact chain: rows changed outside Hutong.
    pub rows: Option<RowReport>,
}

impl AuditCheck {
    pub fn is_intact(&self) -> bool {
        self.chain.is_intact()
            && self.anchors.problems.is_empty()
            && self.unreadable_anchors.is_empty()
            && self.damaged_pages.as_ref().is_none_or(Vec::is_empty)
            && self.rows.as_ref().is_none_or(|r| r.problems.is_empty())
    }
}

/// Checks the audit chain against the latest anchors it can find: those
/// recorded in the database, the folder beside it, the daily-backup folder,
/// and any extra files or folders given (a backup's folder, a received
/// statistics bundle).
pub fn verify(
    session: &Session,
    store: &mut Store,
    extra: &[PathBuf],
    deep: bool,
) -> Result<AuditCheck> {
    session.require(store, Action::ViewAudit)?;
    let chain = audit::verify(store.conn())?;
    let mut found: Vec<Anchor> = anchors::stored(store.conn())?;
    let mut searched = vec![anchors::anchors_dir(store.path())];
    if let Some(folder) = backup::schedule(store.conn())? {
        searched.push(folder);
    }
    searched.extend(extra.iter().cloned());
    let mut unreadable_anchors = Vec::new();
    for place in &searched {
        if place.is_file() {
            match anchors::read_file(place) {
                Ok(a) => found.push(a),
                Err(e) => unreadable_anchors.push(e.to_string()),
            }
        } else {
            let (mut a, problems) = anchors::files_in(place);
            found.append(&mut a);
            unreadable_anchors.extend(problems);
        }
    }
    let anchors = anchors::check(store.conn(), &found)?;
    let damaged_pages = if deep {
        Some(store.integrity_problems()?)
    } else {
        None
    };
    // Row digests are only as good as the entries carrying them: on a
    // broken chain or a damaged file they prove nothing, and the chain's or
    // the pages' report says why.
    let rows = if deep && chain.is_intact() && damaged_pages.as_ref().is_some_and(Vec::is_empty) {
        Some(audit::verify_rows(store.conn())?)
    } else {
        None
    };
    Ok(AuditCheck {
        chain,
        anchors,
        searched,
        unreadable_anchors,
        damaged_pages,
        rows,
    })
}

/// Whether the anchors folder beside `db` exists (for messages).
pub fn has_anchor_folder(db: &Path) -> bool {
    anchors::anchors_dir(db).is_dir()
}
