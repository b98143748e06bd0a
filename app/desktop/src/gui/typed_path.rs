//! When no file dialog can open (a desktop without a portal or zenity), the
//! window says so and asks for the path to be typed. The screen that asked
//! gets the typed path through the channel it was already waiting on, as if
//! the dialog had answered.

use crate::i18n::Lang;
use crate::platform::{DialogKind, DialogRequest, FileDialogs};
use eframe::egui;
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};

struct Pending {
    /// Whose dialogs failed: each window answers its own requests (UI
    /// tests run several windows in one process).
    owner: usize,
    request: DialogRequest,
    reply: Sender<Option<PathBuf>>,
    text: String,
    problem: Option<String>,
}

/// Requests from dialog threads, answered one at a time by their window.
static PENDING: Mutex<Vec<Pending>> = Mutex::new(Vec::new());

fn owner(dialogs: &Arc<dyn FileDialogs>) -> usize {
    Arc::as_ptr(dialogs) as *const () as usize
}

/// Called on a dialog's thread when the dialog could not open.
pub(super) fn ask(
    dialogs: &Arc<dyn FileDialogs>,
    request: DialogRequest,
    reply: Sender<Option<PathBuf>>,
) {
    if let Ok(mut pending) = PENDING.lock() {
        pending.push(Pending {
            owner: owner(dialogs),
            request,
            reply,
            text: String::new(),
            problem: None,
        });
    }
}

/// Whether the window with these dialogs asks for a typed path.
pub fn waiting(dialogs: &Arc<dyn FileDialogs>) -> bool {
    let me = owner(dialogs);
    PENDING
        .lock()
        .map(|p| p.iter().any(|p| p.owner == me))
        .unwrap_or(false)
}

/// Why a typed path cannot be what the dialog asked for.
fn check(kind: DialogKind, path: &std::path::Path, lang: Lang) -> Option<String> {
    let shown = path.display().to_string();
    match kind {
        DialogKind::OpenFile if !path.is_file() => {
            Some(crate::t!(lang, "typed-no_such_file", path = shown))
        }
        DialogKind::PickFolder if !path.is_dir() => {
            Some(crate::t!(lang, "typed-no_such_folder", path = shown))
        }
        DialogKind::SaveFile => {
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            match parent {
                Some(dir) if !dir.is_dir() => Some(crate::t!(
                    lang,
                    "typed-no_such_folder",
                    path = dir.display().to_string()
                )),
                _ if path.is_dir() => Some(crate::t!(lang, "typed-is_a_folder", path = shown)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Draws the request, if there is one: the dialog's title, why it is asked
/// here, a path field, 确定 and 取消.
pub(super) fn show(ctx: &egui::Context, lang: Lang, dialogs: &Arc<dyn FileDialogs>) {
    let me = owner(dialogs);
    let Ok(mut pending) = PENDING.lock() else {
        return;
    };
    let Some(index) = pending.iter().position(|p| p.owner == me) else {
        return;
    };
    let p = &mut pending[index];
    let mut done: Option<Option<PathBuf>> = None;
    let title = if p.request.title.is_empty() {
        crate::t!(lang, "typed-title")
    } else {
        p.request.title.clone()
    };
    egui::Window::new(title)
        .id(egui::Id::unique("hutong-typed-path"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.colored_label(super::theme::WARNING, crate::t!(lang, "typed-why"));
            let kinds: Vec<String> = p
                .request
                .filters
                .iter()
                .map(|(name, exts)| format!("{name} (*.{})", exts.join(", *.")))
                .collect();
            if !kinds.is_empty() {
                ui.weak(kinds.join("; "));
            }
            let l = ui.label(crate::t!(lang, "typed-path"));
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut p.text)
                        .desired_width(420.0)
                        .hint_text(p.request.file_name.clone().unwrap_or_default()),
                )
                .labelled_by(l.id);
            if let Some(problem) = &p.problem {
                ui.colored_label(super::theme::ERROR, problem);
            }
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui.button(crate::t!(lang, "typed-ok")).clicked() || entered {
                    let path = PathBuf::from(p.text.trim());
                    p.problem = if p.text.trim().is_empty() {
                        Some(crate::t!(lang, "typed-empty"))
                    } else {
                        check(p.request.kind, &path, lang)
                    };
                    if p.problem.is_none() {
                        done = Some(Some(path));
                    }
                }
                if ui.button(crate::t!(lang, "common-cancel")).clicked() {
                    done = Some(None);
                }
            });
        });
    if let Some(answer) = done {
        let p = pending.remove(index);
        // The screen may have gone (log-out); nothing waits then.
        let _ = p.reply.send(answer);
    }
}
