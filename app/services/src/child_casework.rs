//! What a child's file shows beside the basic record, read once for any
//! face: the snapshot plugins work on, province form records, and the
//! assessment and eligibility picture (history, trend, whether a
//! re-assessment is due, findings, categories ending, life events).
//!
//! Every read opens the child within the session's scope first, so a child
//! outside it is refused and audited. Saving a form is casework
//! (`EditCases`).

use crate::error::Result;
use crate::permissions::Action;
use crate::records::{child_for, write};
use crate::session::Session;
use hutong_core::assessments::{self, ReassessmentDue, StoredAssessment, TrendPoint};
use hutong_core::eligibility::{self, CategoryChange, FindingRecord, LifeEvent};
use hutong_core::forms::{self, FormInput, FormRecord};
use hutong_core::national::NaiveDate;
use hutong_core::province::ChildSnapshot;
use hutong_core::{RowId, Store, snapshot};

/// Opens the child for reading: the permission, then the scope.
fn readable(store: &mut Store, session: &Session, child: RowId) -> Result<()> {
    child_for(store, session, Action::ViewCases, child)?;
    Ok(())
}

/// The child as plugins see it (forms, assessments, classification).
pub fn snapshot(store: &mut Store, session: &Session, child: RowId) -> Result<ChildSnapshot> {
    readable(store, session, child)?;
    Ok(snapshot::child_snapshot(store.conn(), child)?)
}

/// The latest saved version of a province form for the child.
pub fn latest_form(
    store: &mut Store,
    session: &Session,
    child: RowId,
    plugin_id: &str,
    form_id: &str,
) -> Result<Option<FormRecord>> {
    readable(store, session, child)?;
    Ok(forms::latest(store.conn(), child, plugin_id, form_id)?)
}

/// Saves a new version of a province form.
pub fn save_form(store: &mut Store, session: &Session, input: FormInput<'_>) -> Result<FormRecord> {
    child_for(store, session, Action::EditCases, input.child_id)?;
    write(store, session, Action::EditCases, |tx| {
        forms::save(tx, input)
    })
}

/// The assessment and eligibility picture of one child on `today`.
#[derive(Debug, Clone, Default)]
pub struct AssessmentView {
    pub history: Vec<StoredAssessment>,
    pub due: Option<ReassessmentDue>,
    pub findings: Vec<FindingRecord>,
    /// Categories that will end (an age limit, a period) after `today`.
    pub coming: Vec<CategoryChange>,
    /// Life events after `today` (birthdays that change a category).
    pub events: Vec<LifeEvent>,
}

pub fn assessment_view(
    store: &mut Store,
    session: &Session,
    child: RowId,
    today: NaiveDate,
) -> Result<AssessmentView> {
    readable(store, session, child)?;
    let conn = store.conn();
    let current = snapshot::child_snapshot(conn, child)?;
    Ok(AssessmentView {
        history: assessments::for_child(conn, child)?,
        due: assessments::reassessment_due(conn, child, &current)?,
        findings: eligibility::latest_findings(conn, child)?,
        coming: eligibility::projected_ends(conn, child, today)?,
        events: eligibility::life_events(conn, child)?
            .into_iter()
            .filter(|e| e.on > today)
            .collect(),
    })
}

/// The child's latest assessment on a scale (any scale when `None`).
pub fn latest_assessment(
    store: &mut Store,
    session: &Session,
    child: RowId,
    scale: Option<&str>,
) -> Result<Option<StoredAssessment>> {
    readable(store, session, child)?;
    Ok(assessments::latest(store.conn(), child, scale)?)
}

/// The child's scores over time.
pub fn trend(store: &mut Store, session: &Session, child: RowId) -> Result<Vec<TrendPoint>> {
    readable(store, session, child)?;
    Ok(assessments::trend(store.conn(), child)?)
}

/// The eligibility findings of the child's latest check.
pub fn findings(store: &mut Store, session: &Session, child: RowId) -> Result<Vec<FindingRecord>> {
    readable(store, session, child)?;
    Ok(eligibility::latest_findings(store.conn(), child)?)
}

/// The day of the last eligibility sweep (county-level information).
pub fn last_sweep(store: &mut Store, session: &Session) -> Result<Option<NaiveDate>> {
    session.require(store, Action::ViewCases)?;
    Ok(eligibility::last_sweep(store.conn())?)
}
