//! Casework services that call the province plugin: assessments, the
//! eligibility sweep, and re-assessment after a plugin upgrade. Not GUI
//! code: the CLI and the workstation both call these, the workstation on a
//! background thread (long runs take a progress callback and a cancel flag).
//!
//! The rules live elsewhere: the plugin decides (scales, `classify`), the
//! core stores and derives (`hutong_core::{assessments, eligibility,
//! schedule, campaigns}`). This module only carries data between them.

use crate::error::ServiceError;
use crate::permissions::Action;
use crate::session::Session;
use hutong_core::assessments::{self, NewAssessment, StoredAssessment};
use hutong_core::eligibility::{self, CategoryChange};
use hutong_core::national::NaiveDate;
use hutong_core::province::{Answer, AssessInput, Colour, FindingStatus, Manifest, ScaleDef};
use hutong_core::{CoreError, RowId, Store, children, snapshot};
use hutong_plugin_host::{Plugin, PluginError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum CaseworkError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Plugin(#[from] PluginError),
    #[error(
        "没有本县（{county}）所在省份的省级插件：已安装 {installed}。请先用 hutong plugin install 安装"
    )]
    NoProvincePlugin { county: String, installed: String },
    #[error("插件 {plugin} 没有量表“{scale}”（可用：{known}）")]
    UnknownScale {
        plugin: String,
        scale: String,
        known: String,
    },
    #[error("插件 {plugin} 没有任何评估量表")]
    NoScales { plugin: String },
    #[error("量表“{scale}”没有题目{}，未评估", .items.iter().map(|i| format!("“{i}”")).collect::<Vec<_>>().join("、"))]
    UnknownItems { scale: String, items: Vec<String> },
    /// A refusal (permission or scope), already audited.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// The permission, then the child inside the session's scope.
fn may_edit_child(store: &mut Store, session: &Session, child: RowId) -> Result<()> {
    crate::records::child_for(store, session, Action::EditCases, child)?;
    Ok(())
}

/// Casework over the whole county (the sweep): `EditCases` with a scope
/// that is the county, as the system job's is.
fn may_edit_county(store: &mut Store, session: &Session, what: &str) -> Result<()> {
    session.require(store, Action::EditCases)?;
    Ok(session.require_county_wide(store, what)?)
}

pub type Result<T, E = CaseworkError> = std::result::Result<T, E>;

/// Picks the province plugin for a county among the installed ones: the one
/// whose manifest names the county's province; if none does and exactly one
/// plugin is installed, that one.
pub fn province_plugin_index(manifests: &[&Manifest], county_code: &str) -> Option<usize> {
    let province = county_code.get(..2).unwrap_or("");
    manifests
        .iter()
        .position(|m| m.province_code == province)
        .or((manifests.len() == 1).then_some(0))
}

/// Takes the county's province plugin out of the loaded plugins.
pub fn take_province_plugin(mut plugins: Vec<Plugin>, county_code: &str) -> Result<Plugin> {
    let manifests: Vec<&Manifest> = plugins.iter().map(|p| p.manifest()).collect();
    match province_plugin_index(&manifests, county_code) {
        Some(i) => Ok(plugins.swap_remove(i)),
        None => Err(CaseworkError::NoProvincePlugin {
            county: county_code.to_string(),
            installed: if plugins.is_empty() {
                "无".into()
            } else {
                plugins
                    .iter()
                    .map(|p| p.reference())
                    .collect::<Vec<_>>()
                    .join("、")
            },
        }),
    }
}

/// The scale to use: the named one, or the plugin's first.
pub fn pick_scale(plugin: &mut Plugin, scale_id: Option<&str>) -> Result<ScaleDef> {
    let scales = plugin.scales()?;
    match scale_id {
        Some(id) => {
            scales
                .iter()
                .find(|s| s.id == id)
                .cloned()
                .ok_or_else(|| CaseworkError::UnknownScale {
                    plugin: plugin.reference(),
                    scale: id.to_string(),
                    known: scales
                        .iter()
                        .map(|s| format!("{}（{}）", s.id, s.name))
                        .collect::<Vec<_>>()
                        .join("、"),
                })
        }
        None => scales
            .first()
            .cloned()
            .ok_or_else(|| CaseworkError::NoScales {
                plugin: plugin.reference(),
            }),
    }
}

/// Runs one scale for one child (input = the child's snapshot + answers) and
/// stores the result immutably with its audit entry.
pub fn assess_child(
    store: &mut Store,
    plugin: &mut Plugin,
    session: &Session,
    child_id: RowId,
    scale: &ScaleDef,
    answers: Vec<Answer>,
    today: NaiveDate,
) -> Result<StoredAssessment> {
    may_edit_child(store, session, child_id)?;
    // An answer to an item the scale does not have is a typing mistake;
    // name it rather than leave the item it was meant for unanswered.
    let unknown: Vec<String> = answers
        .iter()
        .filter(|a| !scale.items.iter().any(|i| i.id == a.item_id))
        .map(|a| a.item_id.clone())
        .collect();
    if !unknown.is_empty() {
        return Err(CaseworkError::UnknownItems {
            scale: scale.id.clone(),
            items: unknown,
        });
    }
    let child = snapshot::child_snapshot(store.conn(), child_id)?;
    let input = AssessInput {
        today: today.to_string(),
        answers,
        child: Some(child),
    };
    let result = plugin.assess(&scale.id, &input)?;
    let m = plugin.manifest().clone();
    store_result(store, session, &m, child_id, scale, &input, &result)
}

/// Stores what a plugin answered for one scale run (the workstation runs
/// the plugin on its worker thread and stores the answer here), with the
/// plugin's id@version and the input hash, immutably.
pub fn store_result(
    store: &mut Store,
    session: &Session,
    plugin: &Manifest,
    child_id: RowId,
    scale: &ScaleDef,
    input: &AssessInput,
    result: &hutong_core::province::Assessment,
) -> Result<StoredAssessment> {
    may_edit_child(store, session, child_id)?;
    Ok(store.write(&session.actor(), |tx| {
        assessments::record(
            tx,
            &NewAssessment {
                child_id,
                scale_id: &scale.id,
                scale_version: &scale.version,
                plugin_id: &plugin.id,
                plugin_version: &plugin.version,
                input,
                result,
            },
        )
    })?)
}

/// Applies `classify` findings the workstation got from its plugin worker
/// (on save of the child's file, or on request), with the audit entry.
pub fn apply_findings(
    store: &mut Store,
    session: &Session,
    plugin: &Manifest,
    child_id: RowId,
    today: NaiveDate,
    findings: &[hutong_core::province::Finding],
) -> Result<Vec<CategoryChange>> {
    may_edit_child(store, session, child_id)?;
    Ok(store.write(&session.actor(), |tx| {
        eligibility::apply_classification(
            tx,
            child_id,
            &plugin.id,
            &plugin.version,
            today,
            findings,
        )
    })?)
}

/// Loads the county's province plugin from the installed ones, for a
/// background job (each job has its own runtime; keep it alive while the
/// plugin runs, its ticker enforces the deadlines).
pub fn load_province_plugin(
    db: &std::path::Path,
    store: &Store,
) -> std::result::Result<(hutong_plugin_host::Runtime, Plugin), String> {
    let runtime = crate::installed::runtime_for(Some(db)).map_err(|e| format!("{e:#}"))?;
    let plugins =
        crate::installed::load_installed(db, store, &runtime).map_err(|e| format!("{e:#}"))?;
    let county = store
        .county_code()
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let plugin = take_province_plugin(plugins, &county).map_err(|e| e.to_string())?;
    Ok((runtime, plugin))
}

/// What `assess --all` does.
#[derive(Debug, Clone, Default)]
pub struct BatchOptions {
    /// Only this scale (default: each child's latest scale; the plugin's
    /// first scale for children never assessed).
    pub scale: Option<String>,
    /// Also look at children with no result yet. They have no answers, so
    /// they are counted in `without_answers` rather than scored: a missing
    /// answer must never read as "no risk" (#18).
    pub include_unassessed: bool,
    /// A division subtree (default: the whole county).
    pub division: Option<String>,
}

/// What a batch did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BatchReport {
    pub children: usize,
    /// New results stored.
    pub assessed: usize,
    /// Skipped: same plugin, scale, answers and child data as the latest result.
    pub unchanged: usize,
    /// Skipped: never assessed (without `include_unassessed`).
    pub not_assessed_before: usize,
    /// Skipped: a required item of the scale has no answer (children never
    /// assessed, or a result stored before answers were required).
    pub without_answers: usize,
    /// Children whose colour changed, with (old, new) level codes.
    pub level_changes: Vec<LevelChange>,
    /// Children the plugin refused, with its message.
    pub failed: Vec<(RowId, String)>,
    pub cancelled: bool,
    pub millis: u128,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelChange {
    pub child_id: RowId,
    pub from: Option<String>,
    pub from_colour: Option<Colour>,
    pub to: String,
    pub to_colour: Option<Colour>,
}

/// Children per transaction in batch writes.
const BATCH: usize = 2_000;

/// Re-assesses every active child in scope, reusing each child's latest
/// answers for the scale, and stores the new results (one transaction and
/// one audit entry per 2,000 children). `progress(done, total)` is called
/// after each batch; setting `cancel` stops after the current child, and
/// what was stored stays.
pub fn assess_all(
    store: &mut Store,
    plugin: &mut Plugin,
    session: &Session,
    today: NaiveDate,
    opts: &BatchOptions,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<BatchReport> {
    // The batch covers the division asked for, inside the scope; without
    // one, the whole scope (never the whole file).
    session.require(store, Action::EditCases)?;
    let within = session.narrowed(store, opts.division.as_deref())?;
    let opts = &BatchOptions {
        division: Some(within.code().to_string()),
        ..opts.clone()
    };
    let actor = &session.actor();
    let started = Instant::now();
    let scales: HashMap<String, ScaleDef> = plugin
        .scales()?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let default_scale = pick_scale(plugin, opts.scale.as_deref())?;
    let plan = assessments::latest_per_child(
        store.conn(),
        opts.division.as_deref(),
        opts.scale.as_deref(),
    )?;
    let m = plugin.manifest().clone();
    let plugin_ref = plugin.reference();
    let mut report = BatchReport {
        children: plan.len(),
        ..Default::default()
    };
    let total = plan.len();
    let mut done = 0;
    let mut names = HashMap::new();
    for chunk in plan.chunks(BATCH) {
        let mut pending: Vec<(
            RowId,
            ScaleDef,
            AssessInput,
            hutong_core::province::Assessment,
        )> = Vec::with_capacity(chunk.len());
        for (child_id, latest) in chunk {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
            }
            let (scale, answers) = match latest {
                Some(a) => match scales.get(&a.scale_id) {
                    Some(s) => (s.clone(), a.answers.clone()),
                    None => {
                        report.failed.push((
                            *child_id,
                            format!("插件 {plugin_ref} 已没有量表“{}”", a.scale_id),
                        ));
                        continue;
                    }
                },
                None if opts.include_unassessed => (default_scale.clone(), Vec::new()),
                None => {
                    report.not_assessed_before += 1;
                    continue;
                }
            };
            if !hutong_plugin_host::missing_required_items(&scale, &answers).is_empty() {
                report.without_answers += 1;
                continue;
            }
            let child = snapshot::child_snapshot_cached(store.conn(), *child_id, &mut names)?;
            if let Some(a) = latest {
                let hash = assessments::input_hash(&plugin_ref, &scale.id, &answers, Some(&child))?;
                if hash == a.input_sha256 {
                    report.unchanged += 1;
                    continue;
                }
            }
            let input = AssessInput {
                today: today.to_string(),
                answers,
                child: Some(child),
            };
            match plugin.assess(&scale.id, &input) {
                Ok(result) => {
                    let old_level = latest.as_ref().map(|a| a.level_code.clone());
                    if old_level.as_deref() != Some(result.level_code.as_str()) {
                        report.level_changes.push(LevelChange {
                            child_id: *child_id,
                            from: old_level,
                            from_colour: latest.as_ref().and_then(|a| a.colour),
                            to: result.level_code.clone(),
                            to_colour: result.colour,
                        });
                    }
                    pending.push((*child_id, scale, input, result));
                }
                Err(e) => report.failed.push((*child_id, e.to_string())),
            }
        }
        if !pending.is_empty() {
            let items: Vec<NewAssessment<'_>> = pending
                .iter()
                .map(|(child_id, scale, input, result)| NewAssessment {
                    child_id: *child_id,
                    scale_id: &scale.id,
                    scale_version: &scale.version,
                    plugin_id: &m.id,
                    plugin_version: &m.version,
                    input,
                    result,
                })
                .collect();
            store.write(actor, |tx| {
                assessments::record_batch(tx, "批量重新评估", &items)
            })?;
            report.assessed += items.len();
        }
        done += chunk.len();
        progress(done.min(total), total);
        if report.cancelled {
            break;
        }
    }
    report.millis = started.elapsed().as_millis();
    Ok(report)
}

/// Runs `classify` on one child and applies the findings (on save, or when
/// a caseworker asks). Returns what changed and why.
pub fn classify_child(
    store: &mut Store,
    plugin: &mut Plugin,
    session: &Session,
    child_id: RowId,
    today: NaiveDate,
) -> Result<Vec<CategoryChange>> {
    may_edit_child(store, session, child_id)?;
    let child = snapshot::child_snapshot(store.conn(), child_id)?;
    let findings = plugin.classify(&child, &today.to_string())?;
    let m = plugin.manifest().clone();
    Ok(store.write(&session.actor(), |tx| {
        eligibility::apply_classification(tx, child_id, &m.id, &m.version, today, &findings)
    })?)
}

/// What the daily sweep did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SweepReport {
    pub swept_on: Option<NaiveDate>,
    /// The previous sweep's date: life events after it were considered.
    pub previous: Option<NaiveDate>,
    pub checked: usize,
    pub changes: Vec<CategoryChange>,
    pub failed: Vec<(RowId, String)>,
    pub cancelled: bool,
    pub millis: u128,
}

/// The daily eligibility sweep: re-classifies the children with a life
/// event since the previous sweep (or never classified), applies the
/// findings with audit entries, and records the sweep. Returns what changed
/// and why. A cancelled sweep keeps what it applied but is not recorded, so
/// the next run covers the same days again.
pub fn eligibility_sweep(
    store: &mut Store,
    plugin: &mut Plugin,
    session: &Session,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<SweepReport> {
    may_edit_county(store, session, "全县资格复核")?;
    let actor = &session.actor();
    let started = Instant::now();
    let previous = eligibility::last_sweep(store.conn())?;
    let due = eligibility::due_for_review(store.conn(), previous, today)?;
    let m = plugin.manifest().clone();
    let mut report = SweepReport {
        previous,
        ..Default::default()
    };
    let total = due.len();
    let mut names = HashMap::new();
    for chunk in due.chunks(500) {
        let mut classified = Vec::with_capacity(chunk.len());
        for r in chunk {
            if cancel.load(Ordering::Relaxed) {
                report.cancelled = true;
                break;
            }
            let child = snapshot::child_snapshot_cached(store.conn(), r.child_id, &mut names)?;
            match plugin.classify(&child, &today.to_string()) {
                Ok(f) => classified.push((r.child_id, f)),
                Err(e) => report.failed.push((r.child_id, e.to_string())),
            }
        }
        if !classified.is_empty() {
            let changes = store.write(actor, |tx| {
                let mut all = Vec::new();
                for (child_id, findings) in &classified {
                    all.extend(eligibility::apply_classification(
                        tx, *child_id, &m.id, &m.version, today, findings,
                    )?);
                }
                Ok(all)
            })?;
            report.changes.extend(changes);
            report.checked += classified.len();
        }
        progress(report.checked + report.failed.len(), total);
        if report.cancelled {
            break;
        }
    }
    if !report.cancelled {
        let (checked, changes) = (report.checked, report.changes.len());
        store.write(actor, |tx| {
            eligibility::record_sweep(tx, today, &m.id, &m.version, checked, changes)
        })?;
        report.swept_on = Some(today);
    }
    report.millis = started.elapsed().as_millis();
    Ok(report)
}

/// One child whose results would change under a new plugin version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpgradeDiff {
    pub child_id: RowId,
    pub name: String,
    pub village_code: String,
    pub scale_id: Option<String>,
    pub old_level: Option<String>,
    pub old_colour: Option<Colour>,
    pub new_level: Option<String>,
    pub new_colour: Option<Colour>,
    /// (category, old status, new status) for findings that differ.
    pub eligibility: Vec<(String, Option<FindingStatus>, FindingStatus)>,
    /// Why: the new version's assessment reasons (when the colour changes)
    /// and the reasons of each changed finding, as "类别：reason".
    pub reasons: Vec<String>,
    /// The new plugin refused this child (its message).
    pub error: Option<String>,
}

impl UpgradeDiff {
    pub fn level_changed(&self) -> bool {
        self.old_level != self.new_level && self.new_level.is_some()
    }
}

/// The review list before an upgrade is applied.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpgradePreview {
    pub plugin: String,
    pub today: Option<NaiveDate>,
    pub checked: usize,
    pub diffs: Vec<UpgradeDiff>,
    pub cancelled: bool,
    pub millis: u128,
}

/// Re-assesses and re-classifies every active child with `new_plugin`
/// WITHOUT writing anything, and lists the children whose colour or
/// eligibility would change. Each child's latest scale and answers are
/// reused; children never assessed are only re-classified.
pub fn preview_upgrade(
    store: &Store,
    new_plugin: &mut Plugin,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<UpgradePreview> {
    let started = Instant::now();
    let conn = store.conn();
    let plan = assessments::latest_per_child(conn, None, None)?;
    let scales: HashMap<String, ScaleDef> = new_plugin
        .scales()?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let mut out = UpgradePreview {
        plugin: new_plugin.reference(),
        today: Some(today),
        ..Default::default()
    };
    let total = plan.len();
    let mut last_report = Instant::now();
    let mut names = HashMap::new();
    for (i, (child_id, latest)) in plan.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            out.cancelled = true;
            break;
        }
        let child = snapshot::child_snapshot_cached(conn, *child_id, &mut names)?;
        let mut diff = UpgradeDiff {
            child_id: *child_id,
            name: child.name.clone(),
            village_code: child.residence_division.clone(),
            scale_id: latest.as_ref().map(|a| a.scale_id.clone()),
            old_level: latest.as_ref().map(|a| a.level_code.clone()),
            old_colour: latest.as_ref().and_then(|a| a.colour),
            new_level: None,
            new_colour: None,
            eligibility: Vec::new(),
            reasons: Vec::new(),
            error: None,
        };
        if let Some(a) = latest {
            if scales.contains_key(&a.scale_id) {
                let input = AssessInput {
                    today: today.to_string(),
                    answers: a.answers.clone(),
                    child: Some(child.clone()),
                };
                match new_plugin.assess(&a.scale_id, &input) {
                    Ok(r) => {
                        diff.new_level = Some(r.level_code);
                        diff.new_colour = r.colour;
                        if diff.level_changed() {
                            diff.reasons.extend(r.reasons);
                        }
                    }
                    Err(e) => diff.error = Some(e.to_string()),
                }
            } else {
                diff.error = Some(format!("新版本没有量表“{}”", a.scale_id));
            }
        }
        let old: HashMap<String, FindingStatus> = eligibility::latest_findings(conn, *child_id)?
            .into_iter()
            .map(|f| (f.category, f.status))
            .collect();
        match new_plugin.classify(&child, &today.to_string()) {
            Ok(findings) => {
                for f in findings {
                    let before = old.get(&f.category).copied();
                    if before != Some(f.status) {
                        let label =
                            hutong_core::national::category::CaseCategory::from_code(&f.category)
                                .map(|c| c.label_zh().to_string())
                                .unwrap_or_else(|| f.category.clone());
                        for r in &f.reasons {
                            diff.reasons.push(format!("{label}：{r}"));
                        }
                        diff.eligibility.push((f.category, before, f.status));
                    }
                }
            }
            Err(e) => diff.error = Some(e.to_string()),
        }
        if diff.level_changed() || !diff.eligibility.is_empty() || diff.error.is_some() {
            out.diffs.push(diff);
        }
        out.checked += 1;
        if last_report.elapsed() >= Duration::from_millis(50) || i + 1 == total {
            progress(i + 1, total);
            last_report = Instant::now();
        }
    }
    out.millis = started.elapsed().as_millis();
    Ok(out)
}

/// What applying an upgrade did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub assessed: usize,
    pub changes: Vec<CategoryChange>,
    pub failed: Vec<(RowId, String)>,
    pub cancelled: bool,
}

/// Applies a reviewed preview: for each listed child, stores the new
/// plugin's assessment (same scale and answers) and applies its findings.
/// The plugin is run again, so what is stored is what the plugin says now.
pub fn apply_upgrade(
    store: &mut Store,
    new_plugin: &mut Plugin,
    session: &Session,
    preview: &UpgradePreview,
    progress: &mut dyn FnMut(usize, usize),
    cancel: &AtomicBool,
) -> Result<ApplyReport> {
    let today = preview
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut report = ApplyReport::default();
    let total = preview.diffs.len();
    for (i, d) in preview.diffs.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            report.cancelled = true;
            break;
        }
        if d.level_changed()
            && let Some(scale_id) = &d.scale_id
        {
            let answers = assessments::latest(store.conn(), d.child_id, Some(scale_id))?
                .map(|a| a.answers)
                .unwrap_or_default();
            match pick_scale(new_plugin, Some(scale_id)).and_then(|scale| {
                assess_child(
                    store, new_plugin, session, d.child_id, &scale, answers, today,
                )
            }) {
                Ok(_) => report.assessed += 1,
                Err(e) => report.failed.push((d.child_id, e.to_string())),
            }
        }
        if !d.eligibility.is_empty() {
            match classify_child(store, new_plugin, session, d.child_id, today) {
                Ok(c) => report.changes.extend(c),
                Err(e) => report.failed.push((d.child_id, e.to_string())),
            }
        }
        progress(i + 1, total);
    }
    Ok(report)
}

/// Re-assessment due for a child, with the reason (for the child's file).
pub fn reassessment_due(
    store: &Store,
    child_id: RowId,
) -> Result<Option<assessments::ReassessmentDue>> {
    let current = snapshot::child_snapshot(store.conn(), child_id)?;
    Ok(assessments::reassessment_due(
        store.conn(),
        child_id,
        &current,
    )?)
}

/// Finds an active or closed child by ID number within `scope`, for
/// commands (a child outside it is refused).
pub fn child_by_id_number(
    store: &Store,
    scope: &hutong_core::Scope,
    id_number: &str,
) -> Result<Option<RowId>> {
    Ok(children::get_by_id_number(store.conn(), scope, id_number)?.map(|c| c.id))
}
