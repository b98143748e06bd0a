//! One loaded plugin: its pre-instantiated component, its live instance,
//! and the typed calls. A failed call drops the instance (it may be
//! poisoned); the next call instantiates a fresh one from the
//! `InstancePre`, which costs microseconds.

use crate::bindings::{ProvincePlugin, ProvincePluginPre};
use crate::cache::CacheOutcome;
use crate::convert::{self, Budget};
use crate::error::{CallFailure, PluginError};
use crate::limits::Limits;
use crate::runtime::{EPOCH_TICK, Runtime};
use crate::sandbox::{HostState, Refusal};
use hutong_core::document::Document;
use hutong_core::province as p;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wasmtime::component::Component;
use wasmtime::{Engine, Store, Trap};

/// How the plugin was loaded.
#[derive(Debug, Clone)]
pub struct LoadInfo {
    pub from_cache: bool,
    pub load_time: Duration,
    /// The contract the component exports, e.g. "hutong:province/plugin@1.0.0".
    pub contract: String,
}

struct Live {
    store: Store<HostState>,
    bindings: ProvincePlugin,
}

pub struct Plugin {
    engine: Engine,
    limits: Limits,
    pre: ProvincePluginPre<HostState>,
    live: Option<Live>,
    manifest: p::Manifest,
    forms: Option<Vec<p::FormDef>>,
    scales: Option<Vec<p::ScaleDef>>,
    origin: PathBuf,
    load_info: LoadInfo,
    instances_created: u64,
}

const EXPORT_PREFIX: &str = "hutong:province/plugin@";

/// Finds the contract version the component exports and refuses majors we
/// do not support, with a message that says which version is needed.
fn check_contract(
    engine: &Engine,
    origin: &Path,
    component: &Component,
) -> Result<String, PluginError> {
    let ty = component.component_type();
    let names: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    let Some(export) = names.iter().find(|n| n.starts_with(EXPORT_PREFIX)) else {
        return Err(PluginError::InvalidComponent {
            path: origin.to_path_buf(),
            message: format!(
                "没有导出 {EXPORT_PREFIX}{}（导出了：{}）",
                crate::CONTRACT_VERSION,
                if names.is_empty() {
                    "无".to_string()
                } else {
                    names.join("、")
                }
            ),
        });
    };
    let version = &export[EXPORT_PREFIX.len()..];
    let major = version.split('.').next().unwrap_or("");
    let ours = crate::CONTRACT_VERSION.split('.').next().unwrap_or("1");
    if major != ours {
        return Err(PluginError::IncompatibleContract {
            path: origin.to_path_buf(),
            found: export.clone(),
            supported: crate::CONTRACT_VERSION.into(),
        });
    }
    Ok(export.clone())
}

impl Plugin {
    pub(crate) fn new(
        runtime: &Runtime,
        origin: &Path,
        component: Component,
        outcome: CacheOutcome,
        load_time: Duration,
    ) -> Result<Plugin, PluginError> {
        let contract = check_contract(&runtime.engine, origin, &component)?;
        let invalid = |e: wasmtime::Error| PluginError::InvalidComponent {
            path: origin.to_path_buf(),
            message: format!("{e:#}"),
        };
        let instance_pre = runtime
            .linker
            .instantiate_pre(&component)
            .map_err(invalid)?;
        let pre = ProvincePluginPre::new(instance_pre).map_err(invalid)?;
        let mut plugin = Plugin {
            engine: runtime.engine.clone(),
            limits: runtime.limits.clone(),
            pre,
            live: None,
            manifest: p::Manifest {
                id: origin.display().to_string(),
                name: String::new(),
                province_code: String::new(),
                version: "?".into(),
                contract_version: String::new(),
                description: String::new(),
                categories: vec![],
                visit_policy: p::VisitPolicy {
                    default_days: 30,
                    by_level: vec![],
                    escalate_township_after_days: 0,
                    escalate_county_after_days: 0,
                },
                screening_cycle: p::ScreeningCycle::HalfYearly,
            },
            forms: None,
            scales: None,
            origin: origin.to_path_buf(),
            load_info: LoadInfo {
                from_cache: outcome == CacheOutcome::Hit,
                load_time,
                contract,
            },
            instances_created: 0,
        };
        let manifest = plugin.call(
            "get-manifest",
            |b, s| b.hutong_province_plugin().call_get_manifest(s),
            convert::manifest,
        )?;
        let major = manifest.contract_version.split('.').next().unwrap_or("");
        if major != crate::CONTRACT_VERSION.split('.').next().unwrap_or("1") {
            return Err(PluginError::IncompatibleContract {
                path: origin.to_path_buf(),
                found: format!("{EXPORT_PREFIX}{}（清单声明）", manifest.contract_version),
                supported: crate::CONTRACT_VERSION.into(),
            });
        }
        plugin.manifest = manifest;
        Ok(plugin)
    }

    pub fn manifest(&self) -> &p::Manifest {
        &self.manifest
    }

    pub fn origin(&self) -> &Path {
        &self.origin
    }

    pub fn load_info(&self) -> &LoadInfo {
        &self.load_info
    }

    /// How many instances have been created (a new one after each failure).
    pub fn instances_created(&self) -> u64 {
        self.instances_created
    }

    /// Drops the live instance; the next call makes a fresh one. Used after
    /// a plugin upgrade and by benchmarks that measure instantiation.
    pub fn reset_instance(&mut self) {
        self.live = None;
    }

    /// `plugin-id@version`, as stored with results.
    pub fn reference(&self) -> String {
        format!("{}@{}", self.manifest.id, self.manifest.version)
    }

    /// The live instance, instantiating a fresh one when there is none. A
    /// failed instantiation is classified like a failed call (a component
    /// with too many memories is refused here).
    fn live(&mut self) -> Result<&mut Live, CallFailure> {
        if self.live.is_none() {
            let mut store = Store::new(&self.engine, HostState::new(&self.limits));
            store.limiter(|s| &mut s.limiter);
            store.set_hostcall_fuel(self.limits.max_copy_bytes);
            let ticks = (self.limits.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
            // Instantiation runs the guest's start code, which costs fuel too.
            let instantiated = store.set_fuel(self.limits.fuel).and_then(|_| {
                store.set_epoch_deadline(ticks);
                store.epoch_deadline_trap();
                self.pre.instantiate(&mut store)
            });
            let bindings = match instantiated {
                Ok(b) => b,
                Err(e) => {
                    return Err(match classify(&e, &store, &self.limits) {
                        CallFailure::Trap { message, log } => CallFailure::Trap {
                            message: format!("无法创建实例：{message}"),
                            log,
                        },
                        other => other,
                    });
                }
            };
            self.instances_created += 1;
            self.live = Some(Live { store, bindings });
        }
        // Just filled above when empty.
        self.live.as_mut().ok_or_else(|| CallFailure::Trap {
            message: "无法创建实例".into(),
            log: String::new(),
        })
    }

    /// Runs one export under the limits, converts its output, and turns
    /// every failure into a typed error. Any failure drops the instance.
    fn call<R, T>(
        &mut self,
        export: &'static str,
        f: impl FnOnce(&ProvincePlugin, &mut Store<HostState>) -> wasmtime::Result<R>,
        convert: impl FnOnce(&mut Budget<'_>, R) -> Result<T, CallFailure>,
    ) -> Result<T, PluginError> {
        let limits = self.limits.clone();
        let result: Result<R, CallFailure> = match self.live() {
            Err(failure) => Err(failure),
            Ok(live) => {
                let store = &mut live.store;
                store.data_mut().limiter.refused = None;
                let ticks = (limits.deadline.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64;
                let setup = store.set_fuel(limits.fuel).map(|_| {
                    store.set_epoch_deadline(ticks);
                    store.epoch_deadline_trap();
                });
                match setup.and_then(|_| f(&live.bindings, store)) {
                    Ok(r) => Ok(r),
                    Err(e) => Err(classify(&e, store, &limits)),
                }
            }
        };
        let converted = result.and_then(|r| {
            let mut budget = Budget::new(&limits);
            convert(&mut budget, r)
        });
        converted.map_err(|failure| {
            // The instance may be poisoned (trap) or hold a hostile state
            // (malformed output): start fresh next time.
            if !matches!(failure, CallFailure::Rejected { .. }) {
                self.live = None;
            }
            PluginError::Call {
                plugin: self.manifest.id.clone(),
                version: self.manifest.version.clone(),
                export,
                failure,
            }
        })
    }

    pub fn forms(&mut self) -> Result<Vec<p::FormDef>, PluginError> {
        if let Some(forms) = &self.forms {
            return Ok(forms.clone());
        }
        let forms = self.call(
            "list-forms",
            |b, s| b.hutong_province_plugin().call_list_forms(s),
            convert::forms,
        )?;
        self.forms = Some(forms.clone());
        Ok(forms)
    }

    pub fn evaluate_form(
        &mut self,
        form_id: &str,
        values: &[p::FieldValue],
        today: &str,
        child: Option<&p::ChildSnapshot>,
    ) -> Result<p::FormEvaluation, PluginError> {
        let form = self
            .forms()?
            .into_iter()
            .find(|f| f.id == form_id)
            .ok_or_else(|| PluginError::Call {
                plugin: self.manifest.id.clone(),
                version: self.manifest.version.clone(),
                export: "evaluate-form",
                failure: CallFailure::Rejected {
                    message: format!("插件没有表单“{form_id}”"),
                },
            })?;
        let wit_values = convert::field_values_to_wit(values);
        let ctx = crate::bindings::hutong::province::types::EvalContext {
            today: today.to_string(),
            child: child.map(convert::child_to_wit),
        };
        self.call(
            "evaluate-form",
            |b, s| {
                b.hutong_province_plugin()
                    .call_evaluate_form(s, form_id, &wit_values, &ctx)
            },
            |budget, r| match r {
                Ok(e) => convert::evaluation(budget, &form, e),
                Err(message) => Err(CallFailure::Rejected { message }),
            },
        )
    }

    pub fn scales(&mut self) -> Result<Vec<p::ScaleDef>, PluginError> {
        if let Some(scales) = &self.scales {
            return Ok(scales.clone());
        }
        let scales = self.call(
            "list-scales",
            |b, s| b.hutong_province_plugin().call_list_scales(s),
            convert::scales,
        )?;
        self.scales = Some(scales.clone());
        Ok(scales)
    }

    /// Runs a scale. Before the plugin is called, the answers are checked
    /// against the scale's own definition: every item of a scale the plugin
    /// lists must be answered with one of its options, or the call is
    /// refused with [`CallFailure::Unanswered`] naming the items — a missing
    /// answer must never read as "no risk". (A scale id the plugin does not
    /// list goes to the plugin, which refuses it.)
    pub fn assess(
        &mut self,
        scale_id: &str,
        input: &p::AssessInput,
    ) -> Result<p::Assessment, PluginError> {
        let missing = {
            let scales = match &self.scales {
                Some(s) => s,
                None => {
                    self.scales()?;
                    self.scales.get_or_insert_with(Vec::new)
                }
            };
            scales
                .iter()
                .find(|s| s.id == scale_id)
                .map(|scale| crate::answers::missing_required_items(scale, &input.answers))
                .unwrap_or_default()
        };
        if !missing.is_empty() {
            return Err(PluginError::Call {
                plugin: self.manifest.id.clone(),
                version: self.manifest.version.clone(),
                export: "assess",
                failure: CallFailure::Unanswered {
                    scale: scale_id.to_string(),
                    items: missing.iter().map(ToString::to_string).collect(),
                },
            });
        }
        let wit_input = convert::assess_input_to_wit(input);
        self.call(
            "assess",
            |b, s| {
                b.hutong_province_plugin()
                    .call_assess(s, scale_id, &wit_input)
            },
            |budget, r| match r {
                Ok(a) => convert::assessment(budget, a),
                Err(message) => Err(CallFailure::Rejected { message }),
            },
        )
    }

    pub fn classify(
        &mut self,
        child: &p::ChildSnapshot,
        today: &str,
    ) -> Result<Vec<p::Finding>, PluginError> {
        let wit_child = convert::child_to_wit(child);
        self.call(
            "classify",
            |b, s| {
                b.hutong_province_plugin()
                    .call_classify(s, &wit_child, today)
            },
            convert::findings,
        )
    }

    pub fn service_catalog(&mut self) -> Result<Vec<p::ServiceItem>, PluginError> {
        self.call(
            "service-catalog",
            |b, s| b.hutong_province_plugin().call_service_catalog(s),
            convert::services,
        )
    }

    pub fn report_templates(&mut self) -> Result<Vec<p::TemplateInfo>, PluginError> {
        self.call(
            "report-templates",
            |b, s| b.hutong_province_plugin().call_report_templates(s),
            convert::templates,
        )
    }

    pub fn render_report(
        &mut self,
        template_id: &str,
        input: &p::ReportInput,
    ) -> Result<Document, PluginError> {
        let wit_input = convert::report_input_to_wit(input);
        self.call(
            "render-report",
            |b, s| {
                b.hutong_province_plugin()
                    .call_render_report(s, template_id, &wit_input)
            },
            |budget, r| match r {
                Ok(d) => convert::document(budget, d),
                Err(message) => Err(CallFailure::Rejected { message }),
            },
        )
    }
}

/// Turns a wasmtime error into a typed failure, using what the store saw.
fn classify(e: &wasmtime::Error, store: &Store<HostState>, limits: &Limits) -> CallFailure {
    match store.data().limiter.refused {
        Some(Refusal::Memory { requested }) => {
            return CallFailure::MemoryLimit {
                requested,
                limit: limits.memory_bytes,
            };
        }
        Some(Refusal::Table { requested }) => {
            return CallFailure::TableLimit {
                requested,
                limit: limits.max_table_elements,
            };
        }
        None => {}
    }
    let text = format!("{e:#}");
    // wasmtime's own words (pinned by tests/tests/plugin_limits.rs): the
    // per-store counts, and the hostcall fuel that bounds lifting.
    for (word, what, limit) in [
        ("instance count too high", "实例", limits.max_instances),
        ("memory count too high", "内存", limits.max_memories),
        ("table count too high", "表", limits.max_tables),
    ] {
        if text.contains(word) {
            return CallFailure::TooManyResources { what, limit };
        }
    }
    if text.contains("too much data is being copied between the host and the guest") {
        return CallFailure::CopyLimit {
            limit: limits.max_copy_bytes,
        };
    }
    if store.data().log_full(limits.log_bytes) {
        return CallFailure::LogFlood {
            limit: limits.log_bytes,
        };
    }
    let log = store.data().log();
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => CallFailure::FuelExhausted {
            budget: limits.fuel,
        },
        Some(Trap::Interrupt) => CallFailure::DeadlineExceeded {
            millis: limits.deadline.as_millis() as u64,
        },
        other => {
            if let Some(line) = log
                .lines()
                .rev()
                .find(|l| l.contains("插件崩溃") || l.contains("panicked at"))
            {
                return CallFailure::Panic {
                    message: line.trim_start_matches("插件崩溃：").to_string(),
                };
            }
            CallFailure::Trap {
                message: other.map(|t| t.to_string()).unwrap_or(text),
                log,
            }
        }
    }
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("id", &self.manifest.id)
            .field("version", &self.manifest.version)
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}
