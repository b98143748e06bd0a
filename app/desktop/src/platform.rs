//! What the workstation asks of the operating system: file dialogs and the
//! printer. Both sit behind traits so UI tests replace them (a real dialog
//! would block a test forever, and CI has no printer), and the UI calls them
//! off its own thread.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

/// What kind of dialog to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    OpenFile,
    SaveFile,
    PickFolder,
}

/// One dialog: its title, file-type filters and suggested file name.
#[derive(Debug, Clone)]
pub struct DialogRequest {
    pub kind: DialogKind,
    pub title: String,
    /// (description, extensions without the dot), e.g. ("PDF 文件", ["pdf"]).
    pub filters: Vec<(String, Vec<String>)>,
    pub file_name: Option<String>,
}

impl DialogRequest {
    pub fn new(kind: DialogKind, title: impl Into<String>) -> Self {
        DialogRequest {
            kind,
            title: title.into(),
            filters: Vec::new(),
            file_name: None,
        }
    }

    pub fn filter(mut self, name: &str, extensions: &[&str]) -> Self {
        self.filters.push((
            name.to_string(),
            extensions.iter().map(|e| e.to_string()).collect(),
        ));
        self
    }

    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }
}

/// Opens file dialogs. `None` means the user cancelled (or no dialog could
/// be shown). Implementations may block; the UI calls them on a worker
/// thread.
pub trait FileDialogs: Send + Sync {
    fn ask(&self, request: &DialogRequest) -> Option<PathBuf>;
}

/// The system's dialogs through rfd (the desktop portal or zenity on Linux,
/// the common dialogs on Windows).
pub struct SystemDialogs;

impl FileDialogs for SystemDialogs {
    fn ask(&self, r: &DialogRequest) -> Option<PathBuf> {
        let mut d = rfd::FileDialog::new().set_title(&r.title);
        for (name, exts) in &r.filters {
            d = d.add_filter(name, exts);
        }
        if let Some(n) = &r.file_name {
            d = d.set_file_name(n);
        }
        match r.kind {
            DialogKind::OpenFile => d.pick_file(),
            DialogKind::SaveFile => d.save_file(),
            DialogKind::PickFolder => d.pick_folder(),
        }
    }
}

/// Sends a PDF file to a printer.
pub trait Printer: Send + Sync {
    /// Returns what the spooler said (a job id, usually), or an error in
    /// Chinese that says what to do.
    fn print(&self, pdf: &Path, title: &str) -> Result<String, String>;
}

/// The system's printing: `lp` (CUPS) on Linux and macOS, the shell's
/// print verb on Windows.
pub struct SystemPrinter;

impl Printer for SystemPrinter {
    fn print(&self, pdf: &Path, title: &str) -> Result<String, String> {
        let mut cmd = if cfg!(windows) {
            // The shell hands the file to the default PDF viewer's print verb.
            let mut c = Command::new("powershell");
            c.args(["-NoProfile", "-NonInteractive", "-Command"])
                .arg(format!(
                    "Start-Process -FilePath '{}' -Verb Print",
                    pdf.display().to_string().replace('\'', "''")
                ));
            c
        } else {
            let mut c = Command::new("lp");
            c.arg("-t").arg(title).arg("--").arg(pdf);
            c
        };
        let out = cmd.output().map_err(|e| {
            if cfg!(windows) {
                format!("无法调用系统打印：{e}")
            } else {
                format!("无法调用 lp（需要安装 CUPS 并配置打印机）：{e}")
            }
        })?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(format!(
                "打印失败：{}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }
}

/// The operating-system services the UI uses; tests swap in fakes.
#[derive(Clone)]
pub struct Platform {
    pub dialogs: Arc<dyn FileDialogs>,
    pub printer: Arc<dyn Printer>,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            dialogs: Arc::new(SystemDialogs),
            printer: Arc::new(SystemPrinter),
        }
    }
}
