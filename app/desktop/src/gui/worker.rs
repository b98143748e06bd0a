//! The plugin worker: province plugin calls run on their own thread, never
//! on the UI thread, so a slow or hostile plugin cannot freeze a frame (the
//! host's fuel and deadline still stop it). The UI keeps a copy of each
//! plugin's manifest and forms, submits jobs, and polls for results.

use hutong_core::document::Document;
use hutong_core::province::{
    AssessInput, Assessment, ChildSnapshot, FieldValue, Finding, FormDef, FormEvaluation, Manifest,
    ReportInput, ScaleDef, ServiceItem, TemplateInfo,
};
use hutong_plugin_host::{Plugin, Runtime};
use std::sync::mpsc::{Receiver, Sender, channel};

/// What the UI knows about a loaded plugin without calling it.
pub struct PluginInfo {
    pub manifest: Manifest,
    /// `id@version`, as the audit log names a plugin.
    pub reference: String,
    pub forms: Vec<FormDef>,
    pub templates: Vec<TemplateInfo>,
    /// The plugin's assessment scales (the 评估 tab renders them).
    pub scales: Vec<ScaleDef>,
    /// The province's service catalogue (业务台账 → 关爱服务), read once at
    /// start like the forms.
    pub services: Vec<ServiceItem>,
}

struct Job {
    id: u64,
    plugin: usize,
    form_id: String,
    values: Vec<FieldValue>,
    today: String,
    child: Option<ChildSnapshot>,
}

struct RenderJob {
    plugin: usize,
    template: String,
    input: ReportInput,
    reply: Sender<Result<Document, String>>,
}

/// A scale run or a classification for one child (the 评估 tab, and
/// `classify` on save). The answer comes back on `reply`.
struct AssessJob {
    plugin: usize,
    scale_id: String,
    input: AssessInput,
    reply: Sender<Result<Assessment, String>>,
}

struct ClassifyJob {
    plugin: usize,
    child: ChildSnapshot,
    today: String,
    reply: Sender<Result<Vec<Finding>, String>>,
}

enum Request {
    // Boxed: an evaluation carries the child snapshot, much larger than a render request.
    Evaluate(Box<Job>),
    Render(RenderJob),
    Assess(Box<AssessJob>),
    Classify(Box<ClassifyJob>),
}

/// A handle any thread may use to render reports on the plugin worker (the
/// print centre's batch job does, one child after another).
#[derive(Clone)]
pub struct RenderHandle {
    jobs: Option<Sender<Request>>,
}

impl RenderHandle {
    /// Renders a template and waits for the document. Never call this on
    /// the UI thread.
    pub fn render_blocking(
        &self,
        plugin: usize,
        template: &str,
        input: ReportInput,
    ) -> Result<Document, String> {
        let (reply, rx) = channel();
        self.jobs
            .as_ref()
            .ok_or_else(|| worker_text("worker-not_running"))?
            .send(Request::Render(RenderJob {
                plugin,
                template: template.to_string(),
                input,
                reply,
            }))
            .map_err(|_| worker_text("worker-stopped"))?;
        rx.recv().map_err(|_| worker_text("worker-stopped"))?
    }
}

pub struct Done {
    pub id: u64,
    pub result: Result<FormEvaluation, String>,
}

pub struct PluginWorker {
    infos: Vec<PluginInfo>,
    jobs: Option<Sender<Request>>,
    done: Option<Receiver<Done>>,
    next_id: u64,
}

impl PluginWorker {
    /// Moves the plugins (and the runtime whose ticker enforces deadlines)
    /// onto a worker thread, keeping their manifests and forms here.
    pub fn start(
        mut plugins: Vec<Plugin>,
        runtime: Option<Runtime>,
    ) -> (PluginWorker, Vec<String>) {
        let mut errors = Vec::new();
        let infos = plugins
            .iter_mut()
            .map(|p| PluginInfo {
                manifest: p.manifest().clone(),
                reference: p.reference(),
                forms: p.forms().unwrap_or_else(|e| {
                    errors.push(e.to_string());
                    Vec::new()
                }),
                templates: p.report_templates().unwrap_or_else(|e| {
                    errors.push(e.to_string());
                    Vec::new()
                }),
                scales: p.scales().unwrap_or_else(|e| {
                    errors.push(e.to_string());
                    Vec::new()
                }),
                services: p.service_catalog().unwrap_or_else(|e| {
                    errors.push(e.to_string());
                    Vec::new()
                }),
            })
            .collect();
        let (job_tx, job_rx) = channel::<Request>();
        let (done_tx, done_rx) = channel::<Done>();
        let spawned = std::thread::Builder::new()
            .name("hutong-plugins".into())
            .spawn(move || {
                let _runtime = runtime;
                // Ends when the UI drops its sender.
                while let Ok(request) = job_rx.recv() {
                    match request {
                        Request::Evaluate(job) => {
                            let result = match plugins.get_mut(job.plugin) {
                                Some(p) => p
                                    .evaluate_form(
                                        &job.form_id,
                                        &job.values,
                                        &job.today,
                                        job.child.as_ref(),
                                    )
                                    .map_err(|e| e.to_string()),
                                None => Err(worker_text("worker-no_such_plugin")),
                            };
                            // The UI may have gone; keep serving renders.
                            let _ = done_tx.send(Done { id: job.id, result });
                        }
                        Request::Render(job) => {
                            let result = match plugins.get_mut(job.plugin) {
                                Some(p) => p
                                    .render_report(&job.template, &job.input)
                                    .map_err(|e| e.to_string()),
                                None => Err(worker_text("worker-no_such_plugin")),
                            };
                            let _ = job.reply.send(result);
                        }
                        Request::Assess(job) => {
                            let result = match plugins.get_mut(job.plugin) {
                                Some(p) => p
                                    .assess(&job.scale_id, &job.input)
                                    .map_err(|e| e.to_string()),
                                None => Err(worker_text("worker-no_such_plugin")),
                            };
                            let _ = job.reply.send(result);
                        }
                        Request::Classify(job) => {
                            let result = match plugins.get_mut(job.plugin) {
                                Some(p) => p
                                    .classify(&job.child, &job.today)
                                    .map_err(|e| e.to_string()),
                                None => Err(worker_text("worker-no_such_plugin")),
                            };
                            let _ = job.reply.send(result);
                        }
                    }
                }
            });
        let (jobs, done) = match spawned {
            Ok(_) => (Some(job_tx), Some(done_rx)),
            Err(e) => {
                errors.push(crate::t!(
                    crate::i18n::current(),
                    "worker-cannot_start",
                    error = e.to_string()
                ));
                (None, None)
            }
        };
        (
            PluginWorker {
                infos,
                jobs,
                done,
                next_id: 1,
            },
            errors,
        )
    }

    pub fn infos(&self) -> &[PluginInfo] {
        &self.infos
    }

    /// Queues an evaluation; returns its id, or `None` if the worker is gone.
    pub fn evaluate(
        &mut self,
        plugin: usize,
        form_id: &str,
        values: Vec<FieldValue>,
        today: String,
        child: Option<ChildSnapshot>,
    ) -> Option<u64> {
        let id = self.next_id;
        self.next_id += 1;
        let job = Job {
            id,
            plugin,
            form_id: form_id.to_string(),
            values,
            today,
            child,
        };
        self.jobs
            .as_ref()?
            .send(Request::Evaluate(Box::new(job)))
            .ok()
            .map(|_| id)
    }

    /// Queues a scale run; the result arrives on the receiver (`None`: the
    /// worker is gone).
    pub fn assess(
        &self,
        plugin: usize,
        scale_id: &str,
        input: AssessInput,
    ) -> Option<Receiver<Result<Assessment, String>>> {
        let (reply, rx) = channel();
        self.jobs
            .as_ref()?
            .send(Request::Assess(Box::new(AssessJob {
                plugin,
                scale_id: scale_id.to_string(),
                input,
                reply,
            })))
            .ok()
            .map(|_| rx)
    }

    /// Queues a `classify` of one child; the findings arrive on the receiver.
    pub fn classify(
        &self,
        plugin: usize,
        child: ChildSnapshot,
        today: String,
    ) -> Option<Receiver<Result<Vec<Finding>, String>>> {
        let (reply, rx) = channel();
        self.jobs
            .as_ref()?
            .send(Request::Classify(Box::new(ClassifyJob {
                plugin,
                child,
                today,
                reply,
            })))
            .ok()
            .map(|_| rx)
    }

    /// The index of the county's province plugin among the loaded ones.
    pub fn province_index(&self, county_code: &str) -> Option<usize> {
        let manifests: Vec<&Manifest> = self.infos.iter().map(|i| &i.manifest).collect();
        crate::casework::province_plugin_index(&manifests, county_code)
    }

    /// A handle for rendering reports from a background job.
    pub fn render_handle(&self) -> RenderHandle {
        RenderHandle {
            jobs: self.jobs.clone(),
        }
    }

    /// A finished job, if one is waiting.
    pub fn try_result(&self) -> Option<Done> {
        self.done.as_ref()?.try_recv().ok()
    }
}

/// The plugin thread's own messages, in the workstation's language.
fn worker_text(key: &str) -> String {
    crate::i18n::tr(crate::i18n::current(), key)
}
