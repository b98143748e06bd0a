//! What the workstation asks of the operating system: file dialogs and the
//! printer. Both sit behind traits so UI tests replace them (a real dialog
//! would block a test forever, and CI has no printer), and the UI calls them
//! off its own thread.

use std::path::{Path, PathBuf};
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

    pub fn filter(mut self, name: impl AsRef<str>, extensions: &[&str]) -> Self {
        self.filters.push((
            name.as_ref().to_string(),
            extensions.iter().map(|e| e.to_string()).collect(),
        ));
        self
    }

    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }
}

/// How a dialog ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAnswer {
    Picked(PathBuf),
    Cancelled,
    /// No dialog could be shown (no desktop portal, no zenity): the window
    /// asks for the path to be typed instead.
    Unavailable,
}

/// Opens file dialogs. `None` means the user cancelled. Implementations may
/// block; the UI calls them on a worker thread.
pub trait FileDialogs: Send + Sync {
    fn ask(&self, request: &DialogRequest) -> Option<PathBuf>;

    /// [`ask`](Self::ask), telling a dialog that could not open from one
    /// the user cancelled, where the implementation can.
    fn answer(&self, request: &DialogRequest) -> DialogAnswer {
        match self.ask(request) {
            Some(p) => DialogAnswer::Picked(p),
            None => DialogAnswer::Cancelled,
        }
    }
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

    /// rfd answers `None` both when the user cancels and when no dialog
    /// could be shown (on Linux: no desktop portal and no zenity, as on a
    /// bare 信创 desktop). No person cancels a dialog within a quarter of a
    /// second of its opening, so a `None` that quick means it never opened.
    fn answer(&self, r: &DialogRequest) -> DialogAnswer {
        let started = std::time::Instant::now();
        match self.ask(r) {
            Some(p) => DialogAnswer::Picked(p),
            None if started.elapsed() < std::time::Duration::from_millis(250) => {
                DialogAnswer::Unavailable
            }
            None => DialogAnswer::Cancelled,
        }
    }
}

/// What a printer said when it took a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// The spooler's words (a job id, usually); may be empty.
    pub message: String,
    /// Whether the printer holds its own copy now, so the spool file can be
    /// removed. When not, the file waits for the next start's clean-up.
    pub file_released: bool,
}

/// Sends a PDF file to a printer.
pub trait Printer: Send + Sync {
    /// Returns what the spooler said, or an error in Chinese that says what
    /// to do.
    fn print(&self, pdf: &Path, title: &str) -> Result<Printed, String>;
}

/// The system's printing: `lp` (CUPS) on Linux and macOS, the shell's
/// print verb on Windows. Neither goes through a shell: the file's path is
/// handed over as data, never spliced into a command line, because names
/// in it come from imports and plugins.
pub struct SystemPrinter;

impl Printer for SystemPrinter {
    #[cfg(not(windows))]
    fn print(&self, pdf: &Path, title: &str) -> Result<Printed, String> {
        let out = std::process::Command::new("lp")
            .arg("-t")
            .arg(title)
            .arg("--")
            .arg(pdf)
            .output()
            .map_err(|e| format!("无法调用 lp（需要安装 CUPS 并配置打印机）：{e}"))?;
        if out.status.success() {
            // `lp` has copied the file into the print queue when it returns.
            Ok(Printed {
                message: String::from_utf8_lossy(&out.stdout).trim().to_string(),
                file_released: true,
            })
        } else {
            Err(format!(
                "打印失败：{}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    #[cfg(windows)]
    fn print(&self, pdf: &Path, _title: &str) -> Result<Printed, String> {
        windows_print::print(pdf)
    }
}

/// Printing on Windows through `ShellExecuteExW` with the `print` verb: the
/// default PDF program prints the file. The path travels as a UTF-16
/// argument, so no character of a file name can become syntax (an earlier
/// PowerShell `Start-Process '…'` string could be broken out of with ’).
#[cfg(windows)]
mod windows_print {
    use super::Printed;
    use std::ffi::OsStr;
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;
    use windows_sys::Win32::Foundation::{CloseHandle, GetLastError, WAIT_OBJECT_0};
    use windows_sys::Win32::System::Threading::WaitForSingleObject;
    use windows_sys::Win32::UI::Shell::{
        SEE_MASK_FLAG_NO_UI, SEE_MASK_NOASYNC, SEE_MASK_NOCLOSEPROCESS, SHELLEXECUTEINFOW,
        ShellExecuteExW,
    };
    use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWMINNOACTIVE;

    /// How long to wait for the PDF program to finish printing before the
    /// spool file is left for the next start's clean-up.
    const WAIT_MS: u32 = 120_000;

    fn wide(s: &OsStr) -> Vec<u16> {
        s.encode_wide().chain(std::iter::once(0)).collect()
    }

    pub fn print(pdf: &Path) -> Result<Printed, String> {
        let verb = wide(OsStr::new("print"));
        let file = wide(pdf.as_os_str());
        // SAFETY: SHELLEXECUTEINFOW is a plain C struct of integers,
        // pointers and a union of handles; all-zero is its documented
        // empty value.
        let mut info: SHELLEXECUTEINFOW = unsafe { std::mem::zeroed() };
        info.cbSize = std::mem::size_of::<SHELLEXECUTEINFOW>() as u32;
        info.fMask = SEE_MASK_NOCLOSEPROCESS | SEE_MASK_FLAG_NO_UI | SEE_MASK_NOASYNC;
        info.lpVerb = verb.as_ptr();
        info.lpFile = file.as_ptr();
        info.nShow = SW_SHOWMINNOACTIVE;
        // SAFETY: `info` is initialised above; `verb` and `file` are
        // NUL-terminated and outlive the call.
        let ok = unsafe { ShellExecuteExW(&mut info) };
        if ok == 0 {
            // SAFETY: reads the calling thread's last error; no pointers.
            let code = unsafe { GetLastError() };
            return Err(match code {
                // ERROR_NO_ASSOCIATION: no program is registered to print PDFs.
                1155 => {
                    "没有可以打印 PDF 的程序：请安装 PDF 阅读器并设为默认程序，或保存 PDF 后再打印"
                        .to_string()
                }
                2 | 3 => format!("找不到要打印的文件 {}", pdf.display()),
                _ => format!("系统打印失败（Windows 错误代码 {code}）"),
            });
        }
        let mut finished = false;
        if !info.hProcess.is_null() {
            // SAFETY: hProcess is the handle ShellExecuteExW returned because
            // of SEE_MASK_NOCLOSEPROCESS; it is closed exactly once.
            unsafe {
                finished = WaitForSingleObject(info.hProcess, WAIT_MS) == WAIT_OBJECT_0;
                CloseHandle(info.hProcess);
            }
        }
        Ok(Printed {
            message: if finished {
                String::new()
            } else {
                "（PDF 程序仍在处理）".to_string()
            },
            // A program that has exited has read the file; one still running
            // (or handed off through DDE, with no process) may not have.
            file_released: finished,
        })
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
