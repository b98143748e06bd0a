//! 打印中心: choose a province report template and the children, preview
//! the pages inside the app, save the PDF, send it to the printer, or print
//! a batch (one file per child). Rendering, saving and printing run as
//! background jobs with progress and 取消; dialogs open off the UI thread.
//! Every print is audited with the file's SHA-256 (`crate::printing`).

use super::HutongApp;
use super::jobs::{JobName, Outcome, Progress};
use super::notices::Place;
use super::worker::RenderHandle;
use crate::i18n::Lang;
use crate::platform::{DialogKind, DialogRequest};
use crate::printing::{self, Destination, PrintRecord};
use crate::t;
use eframe::egui;
use hutong_core::province::TemplateKind;
use hutong_core::{RowId, Store};
use hutong_services::Session;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, OnceLock};

/// Pages rasterised for the preview; a longer report is still saved and
/// printed whole.
const MAX_PREVIEW_PAGES: usize = 30;
/// Preview resolution, pixels per PDF point.
const PREVIEW_SCALE: f32 = 1.25;

/// The report fonts, parsed once per process (tens of MB).
pub(super) fn fonts() -> &'static hutong_report::FontSet {
    static FONTS: OnceLock<hutong_report::FontSet> = OnceLock::new();
    FONTS.get_or_init(hutong_report::FontSet::with_system_fonts)
}

/// Which children a print covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// The child whose file is open.
    #[default]
    OpenChild,
    /// The children of the 儿童档案 list as currently filtered.
    List,
}

/// A chosen template: the plugin's index on the worker and its template.
#[derive(Debug, Clone)]
struct Chosen {
    plugin: usize,
    plugin_ref: String,
    id: String,
    name: String,
    kind: TemplateKind,
}

/// What the preview job hands back.
pub struct Rendered {
    pdf: Vec<u8>,
    page_count: usize,
    pages: Vec<hutong_report::RasterPage>,
    missing: Vec<char>,
    children: Vec<RowId>,
}

/// A finished batch.
pub struct BatchDone {
    files: usize,
    printed: usize,
    folder: PathBuf,
}

enum Dialog {
    SavePdf(Receiver<Option<PathBuf>>),
    BatchFolder(Receiver<Option<PathBuf>>, bool),
}

#[derive(Default)]
pub struct PrintCentre {
    chosen: Option<Chosen>,
    pub source: Source,
    preview: Option<Rendered>,
    textures: Vec<egui::TextureHandle>,
    page: usize,
    dialog: Option<Dialog>,
}

/// The jobs of the print centre.
const JOBS: [JobName; 3] = [
    JobName::PrintPreview,
    JobName::PrintBatch,
    JobName::PrintSend,
];

impl PrintCentre {
    /// Pages in the current preview, if any.
    pub fn preview_pages(&self) -> Option<usize> {
        self.preview.as_ref().map(|r| r.page_count)
    }

    /// Whether a dialog is open (rendering, batches and printing run in
    /// `app.jobs`).
    pub fn busy(&self) -> bool {
        self.dialog.is_some()
    }
}

/// Whether a dialog or a job of the print centre runs.
fn busy(app: &HutongApp) -> bool {
    app.print.busy() || JOBS.iter().any(|j| app.jobs.running(*j))
}

/// The children the chosen source covers, and the division of a roster.
fn selection(app: &HutongApp) -> (Vec<RowId>, Option<String>) {
    match app.print.source {
        Source::OpenChild => (
            app.file.iter().map(|f| f.child.id).collect(),
            app.file
                .as_ref()
                .map(|f| f.child.residence_division.clone()),
        ),
        Source::List => (
            app.list.rows.iter().map(|r| r.id).collect(),
            app.list.division.clone(),
        ),
    }
}

/// Renders the preview; `ctx` holds its pages' textures.
fn start_preview(app: &mut HutongApp, ctx: &egui::Context) {
    let Some(chosen) = app.print.chosen.clone() else {
        return;
    };
    let (children, division) = selection(app);
    if children.is_empty() {
        let text = match app.print.source {
            Source::OpenChild => app.t("print-need_open_child"),
            Source::List => app.t("print-list_empty"),
        };
        app.notices.error(Place::Print, text);
        return;
    }
    // A one-child template previews the first child; the batch prints all.
    let children = if chosen.kind == TemplateKind::OneChild {
        children.into_iter().take(1).collect()
    } else {
        children
    };
    if let Err(refusal) = app.require(hutong_services::Action::Print) {
        app.notices.error(Place::Print, refusal);
        return;
    }
    let db = app.store.database();
    let render = app.plugins.render_handle();
    let session = app.session.clone();
    let lang = app.lang;
    let ctx = ctx.clone();
    app.notices.clear(Place::Print);
    app.jobs.start(
        JobName::PrintPreview,
        t!(lang, "print-make_preview"),
        move |p| {
            p.set_total(3);
            let session = session.ok_or_else(|| t!(lang, "print-not_logged_in"))?;
            let mut store = db.open()?;
            let today = chrono::Local::now().date_naive();
            let input = printing::report_input(
                &mut store,
                &session,
                &children,
                division.as_deref(),
                today,
            )?;
            p.step();
            p.note(t!(lang, "print-note_plugin"));
            let doc = render.render_blocking(chosen.plugin, &chosen.id, input)?;
            p.step();
            if p.cancelled() {
                return Err(String::new().into());
            }
            p.note(t!(lang, "print-note_layout"));
            let fonts = fonts();
            let pdf = hutong_report::render_detailed(&doc, fonts).map_err(|e| e.to_string())?;
            // Seeing the report is seeing its data: the preview is audited
            // with the document's hash before any page is shown. The audit log
            // is kept in Chinese, whatever the UI language.
            let on_screen = t!(Lang::ZH, "print-screen_preview");
            printing::record_print(
                &mut store,
                &session,
                &printing::PrintRecord {
                    template_id: &chosen.id,
                    template_name: &chosen.name,
                    plugin: &chosen.plugin_ref,
                    children: &children,
                    file: &on_screen,
                    pdf: &pdf.pdf,
                    destination: printing::Destination::Preview,
                },
            )?;
            let preview = hutong_report::Preview::new(&doc, fonts).map_err(|e| e.to_string())?;
            let count = preview.page_count().min(MAX_PREVIEW_PAGES);
            p.set_total(3 + count);
            let mut pages = Vec::with_capacity(count);
            for i in 0..count {
                if p.cancelled() {
                    return Err(String::new().into());
                }
                p.note(t!(lang, "print-note_page", n = i + 1));
                pages.push(
                    preview
                        .rasterize(i, PREVIEW_SCALE)
                        .map_err(|e| e.to_string())?,
                );
                p.step();
            }
            Ok(Rendered {
                pdf: pdf.pdf,
                page_count: pdf.page_count,
                pages,
                missing: pdf.missing_chars,
                children,
            })
        },
        move |app: &mut HutongApp, outcome: Outcome<Rendered>| finish_preview(app, &ctx, outcome),
    );
}

/// The rendered pages become textures; what went wrong is told.
fn finish_preview(app: &mut HutongApp, ctx: &egui::Context, outcome: Outcome<Rendered>) {
    let lang = app.lang;
    match outcome {
        Outcome::Finished(r) => {
            app.print.textures = r
                .pages
                .iter()
                .enumerate()
                .map(|(i, page)| {
                    let image = egui::ColorImage::from_rgba_unmultiplied(
                        [page.width as usize, page.height as usize],
                        &page.rgba,
                    );
                    ctx.load_texture(
                        format!("print-preview-{i}"),
                        image,
                        egui::TextureOptions::LINEAR,
                    )
                })
                .collect();
            app.print.page = 0;
            if !r.missing.is_empty() {
                app.notices.error(
                    Place::Print,
                    t!(
                        lang,
                        "print-missing_chars",
                        chars = r.missing.iter().collect::<String>()
                    ),
                );
            }
            app.print.preview = Some(r);
        }
        Outcome::Failed(e) => app
            .notices
            .error(Place::Print, t!(lang, "print-render_failed", error = e)),
        Outcome::Cancelled => app.notices.error(Place::Print, t!(lang, "print-cancelled")),
    }
}

/// Renders and writes one child's PDF for the batch; returns the file.
fn batch_one(
    lang: Lang,
    render: &RenderHandle,
    store: &mut Store,
    session: &Session,
    chosen: &Chosen,
    child: RowId,
    folder: &Path,
) -> Result<(PathBuf, Vec<u8>), String> {
    let today = chrono::Local::now().date_naive();
    let input = printing::report_input(store, session, &[child], None, today)
        .map_err(|e| format!("{e:#}"))?;
    let name = input
        .children
        .first()
        .map(|c| (c.name.clone(), c.id_number.clone()))
        .unwrap_or_default();
    let doc = render.render_blocking(chosen.plugin, &chosen.id, input)?;
    let pdf = hutong_report::render(&doc, fonts()).map_err(|e| {
        t!(
            lang,
            "print-child_error",
            name = name.0.as_str(),
            error = e.to_string()
        )
    })?;
    // The tail of the ID tells namesakes apart without exposing it.
    let tail = name.1.get(name.1.len().saturating_sub(4)..).unwrap_or("");
    let path = folder.join(format!(
        "{}.pdf",
        printing::file_stem(&[&chosen.name, &name.0, tail])
    ));
    std::fs::write(&path, &pdf).map_err(|e| write_failed(lang, &path, &e))?;
    printing::record_print(
        store,
        session,
        &PrintRecord {
            template_id: &chosen.id,
            template_name: &chosen.name,
            plugin: &chosen.plugin_ref,
            children: &[child],
            file: &path.display().to_string(),
            pdf: &pdf,
            destination: Destination::File,
        },
    )
    .map_err(|e| format!("{e:#}"))?;
    Ok((path, pdf))
}

fn start_batch(app: &mut HutongApp, folder: PathBuf, to_printer: bool) {
    let Some(chosen) = app.print.chosen.clone() else {
        return;
    };
    let (children, _) = selection(app);
    let db = app.store.database();
    let render = app.plugins.render_handle();
    let session = app.session.clone();
    let printer = app.platform.printer.clone();
    let lang = app.lang;
    // The files written so far, for the message when the batch stops.
    let written = Arc::new(AtomicUsize::new(0));
    let counted = written.clone();
    app.jobs.start(
        JobName::PrintBatch,
        t!(lang, "print-job_batch"),
        move |p: &Progress| {
            p.set_total(children.len());
            let session = session.ok_or_else(|| t!(lang, "print-not_logged_in"))?;
            let mut store = db.open()?;
            let mut printed = 0;
            for (i, child) in children.iter().enumerate() {
                if p.cancelled() {
                    break;
                }
                let (path, _) = batch_one(
                    lang, &render, &mut store, &session, &chosen, *child, &folder,
                )?;
                if to_printer {
                    printer.print(&path, &chosen.name)?;
                    printed += 1;
                }
                p.set_done(i + 1);
                counted.store(i + 1, Ordering::Relaxed);
            }
            Ok(BatchDone {
                files: p.counts().0,
                printed,
                folder,
            })
        },
        move |app: &mut HutongApp, outcome: Outcome<BatchDone>| {
            let done = written.load(Ordering::Relaxed);
            match outcome {
                Outcome::Finished(b) => app.notices.success(
                    Place::Print,
                    t!(
                        lang,
                        if b.printed > 0 {
                            "print-batch_done_printed"
                        } else {
                            "print-batch_done"
                        },
                        files = b.files,
                        folder = b.folder.display().to_string(),
                        printed = b.printed
                    ),
                ),
                Outcome::Failed(e) => app.notices.error(
                    Place::Print,
                    t!(lang, "print-batch_failed", n = done, error = e),
                ),
                Outcome::Cancelled => app
                    .notices
                    .error(Place::Print, t!(lang, "print-batch_cancelled", n = done)),
            }
        },
    );
}

/// The audit record of the previewed report leaving as `destination`.
fn record_of<'a>(
    chosen: &'a Chosen,
    preview: &'a Rendered,
    file: &'a str,
    destination: Destination,
) -> PrintRecord<'a> {
    PrintRecord {
        template_id: &chosen.id,
        template_name: &chosen.name,
        plugin: &chosen.plugin_ref,
        children: &preview.children,
        file,
        pdf: &preview.pdf,
        destination,
    }
}

fn save_pdf(app: &mut HutongApp, path: &Path) {
    let (Some(chosen), Some(preview)) = (&app.print.chosen, &app.print.preview) else {
        return;
    };
    let lang = app.lang;
    let file = path.display().to_string();
    let record = record_of(chosen, preview, &file, Destination::File);
    let result = std::fs::write(path, &preview.pdf)
        .map_err(|e| write_failed(lang, path, &e))
        .and_then(|_| match &app.session {
            Some(session) => printing::record_print(&mut app.store, session, &record)
                .map_err(|e| format!("{e:#}")),
            None => Err(t!(lang, "print-not_logged_in")),
        });
    match result {
        Ok(()) => app
            .notices
            .success(Place::Print, t!(lang, "print-saved", path = file.clone())),
        Err(e) => app.notices.error(Place::Print, e),
    }
}

fn start_print(app: &mut HutongApp) {
    let (Some(chosen), Some(preview)) = (app.print.chosen.clone(), &app.print.preview) else {
        return;
    };
    // The spooler reads a file: an owner-only one in a folder beside the
    // database, removed once the printer has it (the audit entry keeps its
    // SHA-256, which matches the paper copy).
    let spool = spool_dir(&app.db_path);
    let path = spool.join(format!(
        "{}-{}.pdf",
        printing::file_stem(&[&chosen.name]),
        &printing::pdf_sha256(&preview.pdf)[..12]
    ));
    let write = std::fs::create_dir_all(&spool).and_then(|_| std::fs::write(&path, &preview.pdf));
    if let Err(e) = write {
        let text = write_failed(app.lang, &path, &e);
        app.notices.error(Place::Print, text);
        return;
    }
    let file = path.display().to_string();
    let print = record_of(&chosen, preview, &file, Destination::Printer);
    let record = match &app.session {
        Some(session) => printing::record_print(&mut app.store, session, &print),
        None => Err(anyhow::anyhow!(app.t("print-not_logged_in"))),
    };
    if let Err(e) = record {
        app.notices.error(Place::Print, format!("{e:#}"));
        return;
    }
    let printer = app.platform.printer.clone();
    let title = chosen.name.clone();
    let lang = app.lang;
    let job_title = app.t("print-job_send");
    app.jobs.start(
        JobName::PrintSend,
        job_title,
        move |_| {
            let sent = printer.print(&path, &title)?;
            // Once the printer holds its own copy the spool file goes; one a
            // PDF program may still be reading waits for the next start.
            if sent.file_released {
                let _ = std::fs::remove_file(&path);
            }
            Ok(sent.message)
        },
        move |app: &mut HutongApp, outcome: Outcome<String>| match outcome {
            Outcome::Finished(id) => app
                .notices
                .success(Place::Print, t!(lang, "print-sent", id = id)),
            Outcome::Failed(e) => app.notices.error(Place::Print, e),
            Outcome::Cancelled => app.notices.error(Place::Print, t!(lang, "print-cancelled")),
        },
    );
}

/// The message for a file that could not be written.
fn write_failed(lang: Lang, path: &Path, e: &std::io::Error) -> String {
    t!(
        lang,
        "print-write_failed",
        path = path.display().to_string(),
        error = e.to_string()
    )
}

/// Where print files wait for the spooler.
fn spool_dir(db: &Path) -> std::path::PathBuf {
    db.parent().unwrap_or(Path::new(".")).join("spool")
}

/// Removes print files a previous run left (every job of that run has
/// ended by now). Called at start.
pub fn clean_spool(db: &Path) {
    if let Ok(entries) = std::fs::read_dir(spool_dir(db)) {
        for e in entries.flatten() {
            if e.path().extension().is_some_and(|x| x == "pdf") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// Takes a dialog's answer; keeps frames coming while work runs.
fn poll(app: &mut HutongApp, ctx: &egui::Context) {
    match &app.print.dialog {
        Some(Dialog::SavePdf(rx)) => {
            if let Ok(answer) = rx.try_recv() {
                app.print.dialog = None;
                if let Some(path) = answer {
                    save_pdf(app, &path);
                }
            }
        }
        Some(Dialog::BatchFolder(rx, to_printer)) => {
            let to_printer = *to_printer;
            if let Ok(answer) = rx.try_recv() {
                app.print.dialog = None;
                if let Some(folder) = answer {
                    start_batch(app, folder, to_printer);
                }
            }
        }
        None => {}
    }
    if busy(app) {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
}

fn template_picker(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let mut picked = None;
    for (index, info) in app.plugins.infos().iter().enumerate() {
        ui.strong(&info.manifest.name);
        for t in &info.templates {
            let selected = app
                .print
                .chosen
                .as_ref()
                .is_some_and(|c| c.plugin == index && c.id == t.id);
            let kind = match t.kind {
                TemplateKind::OneChild => "print-kind-one_child",
                TemplateKind::OneVisit => "print-kind-one_visit",
                TemplateKind::Roster => "print-kind-roster",
                TemplateKind::Statistics => "print-kind-statistics",
                TemplateKind::Referral => "print-kind-referral",
            };
            let label = t!(
                lang,
                "print-template_item",
                name = t.name.as_str(),
                kind = t!(lang, kind)
            );
            if ui.selectable_label(selected, label).clicked() {
                picked = Some(Chosen {
                    plugin: index,
                    plugin_ref: info.reference.clone(),
                    id: t.id.clone(),
                    name: t.name.clone(),
                    kind: t.kind,
                });
            }
        }
        ui.add_space(6.0);
    }
    if let Some(c) = picked {
        // A different template means the preview no longer matches.
        app.print.chosen = Some(c);
        app.print.preview = None;
        app.print.textures.clear();
    }
}

pub fn show(app: &mut HutongApp, ui: &mut egui::Ui) {
    let ctx = ui.ctx().clone();
    poll(app, &ctx);
    ui.heading(app.t("nav-print"));
    if app.plugins.infos().is_empty() {
        ui.label(app.t("print-no_plugins"));
        return;
    }
    egui::Panel::left("print-templates")
        .resizable(true)
        .default_size(260.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("templates")
                .show(ui, |ui| {
                    ui.label(app.t("print-templates"));
                    template_picker(app, ui);
                });
        });
    controls(app, ui);
    ui.separator();
    preview_pages(app, ui);
}

fn controls(app: &mut HutongApp, ui: &mut egui::Ui) {
    let open_child = app.file.as_ref().map(|f| f.child.name.clone());
    let listed = app.list.rows.len();
    let lang = app.lang;
    ui.horizontal(|ui| {
        ui.label(t!(lang, "print-children"));
        ui.radio_value(
            &mut app.print.source,
            Source::OpenChild,
            match &open_child {
                Some(n) => t!(lang, "print-open_child", name = n.as_str()),
                None => t!(lang, "print-open_child_none"),
            },
        );
        ui.radio_value(
            &mut app.print.source,
            Source::List,
            t!(lang, "print-list_source", n = listed),
        );
    });
    let busy = busy(app);
    let chosen = app.print.chosen.clone();
    ui.horizontal(|ui| {
        let can_preview = chosen.is_some() && !busy;
        if ui
            .add_enabled(
                can_preview,
                egui::Button::new(t!(lang, "print-make_preview")),
            )
            .clicked()
        {
            start_preview(app, ui.ctx());
        }
        let has_preview = app.print.preview.is_some() && !busy;
        if ui
            .add_enabled(has_preview, egui::Button::new(t!(lang, "print-save_pdf")))
            .clicked()
            && let Some(c) = &chosen
        {
            let request =
                DialogRequest::new(DialogKind::SaveFile, t!(lang, "print-save_pdf_title"))
                    .filter(t!(lang, "print-filter_pdf"), &["pdf"])
                    .file_name(format!("{}.pdf", printing::file_stem(&[&c.name])));
            app.print.dialog = Some(Dialog::SavePdf(super::ask_dialog(
                app.platform.dialogs.clone(),
                request,
            )));
        }
        if ui
            .add_enabled(has_preview, egui::Button::new(t!(lang, "print-print")))
            .clicked()
        {
            start_print(app);
        }
        let batch = chosen
            .as_ref()
            .is_some_and(|c| c.kind == TemplateKind::OneChild)
            && app.print.source == Source::List
            && listed > 0
            && !busy;
        for (label, to_printer) in [("print-batch_pdf", false), ("print-batch_print", true)] {
            if ui
                .add_enabled(batch, egui::Button::new(t!(lang, label)))
                .on_disabled_hover_text(t!(lang, "print-batch_hint"))
                .clicked()
            {
                let request =
                    DialogRequest::new(DialogKind::PickFolder, t!(lang, "print-batch_folder"));
                app.print.dialog = Some(Dialog::BatchFolder(
                    super::ask_dialog(app.platform.dialogs.clone(), request),
                    to_printer,
                ));
            }
        }
    });
    for job in JOBS {
        app.jobs.show(ui, job);
    }
    if app.print.dialog.is_some() {
        ui.weak(app.t("print-waiting_dialog"));
    }
    app.notices.show_here(ui, Place::Print);
}

fn preview_pages(app: &mut HutongApp, ui: &mut egui::Ui) {
    let lang = app.lang;
    let Some(preview) = &app.print.preview else {
        ui.weak(t!(lang, "print-preview_hint"));
        return;
    };
    let shown = app.print.textures.len();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                app.print.page > 0,
                egui::Button::new(t!(lang, "print-prev_page")),
            )
            .clicked()
        {
            app.print.page -= 1;
        }
        ui.label(t!(
            lang,
            "print-page_of",
            page = app.print.page + 1,
            pages = preview.page_count
        ));
        if ui
            .add_enabled(
                app.print.page + 1 < shown,
                egui::Button::new(t!(lang, "print-next_page")),
            )
            .clicked()
        {
            app.print.page += 1;
        }
        if preview.page_count > shown {
            ui.weak(t!(lang, "print-preview_first", n = shown));
        }
    });
    if let Some(texture) = app.print.textures.get(app.print.page) {
        egui::ScrollArea::both().id_salt("preview").show(ui, |ui| {
            // Fit the page width to the panel; the texture is 1.25 px/pt.
            let size = texture.size_vec2();
            let width = ui.available_width().clamp(200.0, size.x);
            let scale = width / size.x;
            egui::Frame::new()
                .stroke(egui::Stroke::new(1.0, egui::Color32::GRAY))
                .show(ui, |ui| {
                    ui.add(egui::Image::new((texture.id(), size * scale)))
                        .on_hover_text(t!(lang, "print-page", n = app.print.page + 1));
                });
        });
    }
}
