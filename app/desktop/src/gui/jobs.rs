//! Long work off the UI thread: a job runs on its own thread, reports
//! progress through shared counters, and stops when the user presses 取消.
//! The UI polls the job each frame; a frame never waits for it.

use eframe::egui;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::sync::{Arc, Mutex};

/// What a running job shares with the UI.
#[derive(Default)]
pub struct Progress {
    done: AtomicUsize,
    total: AtomicUsize,
    cancel: AtomicBool,
    note: Mutex<String>,
}

impl Progress {
    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    pub fn set_done(&self, done: usize) {
        self.done.store(done, Ordering::Relaxed);
    }

    pub fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }

    pub fn note(&self, note: impl Into<String>) {
        if let Ok(mut n) = self.note.lock() {
            *n = note.into();
        }
    }

    /// The job checks this between units of work and stops when set.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn request_cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            0.0
        } else {
            (self.done.load(Ordering::Relaxed) as f32 / total as f32).clamp(0.0, 1.0)
        }
    }

    pub fn counts(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    fn note_text(&self) -> String {
        self.note.lock().map(|n| n.clone()).unwrap_or_default()
    }
}

/// How a job ended.
pub enum Outcome<T> {
    Finished(T),
    Failed(String),
    Cancelled,
}

/// A job running in the background (held by the [`JobRegistry`]).
struct Job<T> {
    title: String,
    progress: Arc<Progress>,
    rx: Receiver<Outcome<T>>,
}

/// Runs `work` on a new thread. `work` returns `Err` for a failure; if it
/// sees [`Progress::cancelled`] it should return early, and the job then
/// reports [`Outcome::Cancelled`] whatever it returned.
fn spawn<T, F>(title: impl Into<String>, work: F) -> Job<T>
where
    T: Send + 'static,
    F: FnOnce(&Progress) -> Result<T, String> + Send + 'static,
{
    let progress = Arc::new(Progress::default());
    let (tx, rx) = channel();
    let shared = progress.clone();
    let title = title.into();
    let spawned = std::thread::Builder::new()
        .name(format!("hutong-job-{title}"))
        .spawn(move || {
            let outcome = match work(&shared) {
                _ if shared.cancelled() => Outcome::Cancelled,
                Ok(v) => Outcome::Finished(v),
                Err(e) => Outcome::Failed(e),
            };
            let _ = tx.send(outcome);
        });
    let (tx_err, rx_err) = channel();
    match spawned {
        Ok(_) => Job {
            title,
            progress,
            rx,
        },
        Err(e) => {
            let _ = tx_err.send(Outcome::Failed(crate::t!(
                crate::i18n::current(),
                "jobs-cannot_start",
                error = e.to_string()
            )));
            Job {
                title,
                progress,
                rx: rx_err,
            }
        }
    }
}

impl<T> Job<T> {
    /// The outcome, once the job has ended.
    fn poll(&self) -> Option<Outcome<T>> {
        match self.rx.try_recv() {
            Ok(o) => Some(o),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Outcome::Failed(crate::t!(
                crate::i18n::current(),
                "jobs-ended_without_result"
            ))),
        }
    }
}

/// A job's title, progress bar, 取消 and note on one row. Keeps frames
/// coming while the job runs so the bar moves.
fn progress_row(ui: &mut egui::Ui, title: &str, p: &Progress, cancel_label: &str) {
    let (done, total) = p.counts();
    ui.horizontal(|ui| {
        ui.label(title);
        let text = if total > 0 {
            format!("{done} / {total}")
        } else {
            "…".to_string()
        };
        let bar = if total > 0 {
            egui::ProgressBar::new(p.fraction()).text(text)
        } else {
            egui::ProgressBar::new(0.0).animate(true).text(text)
        };
        ui.add(bar.desired_width(240.0));
        if p.cancelled() {
            ui.weak(crate::t!(super::ui_lang(ui), "jobs-cancelling"));
        } else if ui.button(cancel_label).clicked() {
            p.request_cancel();
        }
        let note = p.note_text();
        if !note.is_empty() {
            ui.weak(note);
        }
    });
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(50));
}

/// What went wrong in a job, as the user is told it: a job returns any
/// error of ours with `?` and the registry turns it into one message.
#[derive(Debug)]
pub struct JobError(String);

impl JobError {
    pub fn message(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for JobError {
    fn from(s: String) -> Self {
        JobError(s)
    }
}

impl From<&str> for JobError {
    fn from(s: &str) -> Self {
        JobError(s.to_string())
    }
}

impl From<hutong_services::ServiceError> for JobError {
    fn from(e: hutong_services::ServiceError) -> Self {
        JobError(e.to_string())
    }
}

impl From<hutong_core::CoreError> for JobError {
    fn from(e: hutong_core::CoreError) -> Self {
        JobError(e.to_string())
    }
}

impl From<hutong_services::casework::CaseworkError> for JobError {
    fn from(e: hutong_services::casework::CaseworkError) -> Self {
        JobError(e.to_string())
    }
}

impl From<anyhow::Error> for JobError {
    fn from(e: anyhow::Error) -> Self {
        // The whole chain: the context says what was being done, the
        // cause says why it failed.
        JobError(format!("{e:#}"))
    }
}

/// The background jobs a window runs, by name: one running job per name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobName {
    HomeFigures,
    VisitPlan,
    EligibilitySweep,
    UpgradePreview,
    UpgradeApply,
    CampaignStatus,
    CampaignSummary,
    PrintPreview,
    PrintBatch,
    PrintSend,
    StatsCompute,
    StatsOutput,
    BackupDaily,
    Backup,
    BackupVerify,
    Restore,
    ImportRead,
    ImportCheck,
    Import,
    Export,
    CompareRead,
    Compare,
    CompareExport,
    AuditCheck,
    AllowanceGenerate,
    AllowanceExport,
    ServiceCoverage,
    ReportLetter,
    WorkforceNetwork,
}

/// A job's completion, run on the UI thread with the whole window at hand.
type Completion = Box<dyn FnOnce(&mut super::HutongApp)>;

struct Running {
    name: JobName,
    job_title: String,
    progress: Arc<Progress>,
    /// Polls the job's channel; returns its completion once it has ended.
    finished: Box<dyn FnMut() -> Option<Completion>>,
}

/// Every background job of the window, polled once per frame
/// ([`super::HutongApp::poll_jobs`]): the window asks which are running,
/// shows their progress where they were started, and runs each one's
/// completion when it ends.
#[derive(Default)]
pub struct JobRegistry {
    running: Vec<Running>,
}

impl JobRegistry {
    /// Starts `work` on its own thread under `name`; a job already running
    /// under that name is cancelled and forgotten (its completion never
    /// runs). `done` runs on the UI thread with the outcome.
    pub fn start<T, W, D>(&mut self, name: JobName, title: impl Into<String>, work: W, done: D)
    where
        T: Send + 'static,
        W: FnOnce(&Progress) -> Result<T, JobError> + Send + 'static,
        D: FnOnce(&mut super::HutongApp, Outcome<T>) + 'static,
    {
        self.cancel(name);
        self.running.retain(|r| r.name != name);
        let job = spawn(title, move |p| work(p).map_err(|e| e.0));
        let progress = job.progress.clone();
        let job_title = job.title.clone();
        let mut done = Some(done);
        let finished = move || {
            let outcome = job.poll()?;
            let done = done.take()?;
            Some(Box::new(move |app: &mut super::HutongApp| done(app, outcome)) as Completion)
        };
        self.running.push(Running {
            name,
            job_title,
            progress,
            finished: Box::new(finished),
        });
    }

    pub fn running(&self, name: JobName) -> bool {
        self.running.iter().any(|r| r.name == name)
    }

    pub fn any_running(&self) -> bool {
        !self.running.is_empty()
    }

    pub fn names(&self) -> Vec<JobName> {
        self.running.iter().map(|r| r.name).collect()
    }

    /// Asks the job to stop; it ends at its next check.
    pub fn cancel(&self, name: JobName) {
        for r in self.running.iter().filter(|r| r.name == name) {
            r.progress.request_cancel();
        }
    }

    /// The completions of the jobs that have ended, which leave the
    /// registry.
    pub(super) fn take_finished(&mut self) -> Vec<Completion> {
        let mut done = Vec::new();
        self.running.retain_mut(|r| match (r.finished)() {
            Some(c) => {
                done.push(c);
                false
            }
            None => true,
        });
        done
    }

    /// The named job's progress bar with its 取消 button, where it was
    /// started; nothing when it is not running.
    pub fn show(&self, ui: &mut egui::Ui, name: JobName) {
        let lang = super::ui_lang(ui);
        for r in self.running.iter().filter(|r| r.name == name) {
            progress_row(
                ui,
                &r.job_title,
                &r.progress,
                &crate::t!(lang, "common-cancel"),
            );
        }
    }
}
