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

/// A job running in the background.
pub struct Job<T> {
    pub title: String,
    pub progress: Arc<Progress>,
    rx: Receiver<Outcome<T>>,
}

/// Runs `work` on a new thread. `work` returns `Err` for a failure; if it
/// sees [`Progress::cancelled`] it should return early, and the job then
/// reports [`Outcome::Cancelled`] whatever it returned.
pub fn spawn<T, F>(title: impl Into<String>, work: F) -> Job<T>
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
            let _ = tx_err.send(Outcome::Failed(format!("无法启动后台任务：{e}")));
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
    pub fn poll(&self) -> Option<Outcome<T>> {
        match self.rx.try_recv() {
            Ok(o) => Some(o),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Outcome::Failed("后台任务意外中止".into())),
        }
    }

    /// A progress bar with the job's title and a 取消 button. Keeps frames
    /// coming while the job runs so the bar moves.
    pub fn show(&self, ui: &mut egui::Ui, cancel_label: &str) {
        let p = &self.progress;
        let (done, total) = p.counts();
        ui.horizontal(|ui| {
            ui.label(&self.title);
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
                ui.weak("正在取消…");
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
}
