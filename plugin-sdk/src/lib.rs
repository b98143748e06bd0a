//! hutong-plugin-sdk: the crate a provincial IT team writes plugins against.
//!
//! A plugin is plain Rust: implement [`Plugin`] for a unit struct and call
//! [`export_plugin!`] once. The SDK hides wit-bindgen, offers builders for
//! forms ([`forms`]) and documents ([`doc`]), and re-exports the national
//! rules ([`national`]: ID numbers, ages on a date, categories), so a
//! national rule is written once and runs on both sides of the sandbox.
//!
//! It depends only on `schemas/wit` (through wit-bindgen) and on
//! hutong-national, never on the other `app/*` crates.
//!
//! ```ignore
//! use hutong_plugin_sdk::prelude::*;
//! struct MyProvince;
//! impl Plugin for MyProvince {
//!     fn manifest() -> Manifest { /* ... */ }
//! }
//! hutong_plugin_sdk::export_plugin!(MyProvince);
//! ```

pub use hutong_national as national;

pub mod display;
pub mod doc;
pub mod forms;
pub mod left_behind;
pub mod migrant_monitor;
pub mod rules;
pub mod scoring;

/// Generated bindings for `schemas/wit/v1`. Plugin authors rarely need these
/// directly; the [`prelude`] re-exports the types.
#[allow(missing_docs, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../schemas/wit/v1",
        world: "province-plugin",
        pub_export_macro: true,
        default_bindings_module: "hutong_plugin_sdk::bindings",
    });
}

pub use bindings::exports::hutong::province::plugin::Guest;
pub use bindings::hutong::province::types::*;

/// The contract version this SDK builds plugins against.
pub const CONTRACT_VERSION: &str = "1.0.0";

/// Everything a plugin file usually needs.
pub mod prelude {
    pub use crate::bindings::hutong::province::types::*;
    pub use crate::doc::DocBuilder;
    pub use crate::forms::{FieldBuilder, FormBuilder, choice, value_of};
    pub use crate::national;
    pub use crate::rules;
    pub use crate::{CONTRACT_VERSION, Plugin};
}

/// A province plugin. Only [`Plugin::manifest`] is required; the other
/// exports default to "nothing offered".
pub trait Plugin {
    fn manifest() -> Manifest;

    fn forms() -> Vec<FormDef> {
        Vec::new()
    }

    fn evaluate_form(
        form_id: String,
        _values: Vec<FieldValue>,
        _context: EvalContext,
    ) -> Result<FormEvaluation, String> {
        Err(format!("未知表单：{form_id}"))
    }

    fn scales() -> Vec<ScaleDef> {
        Vec::new()
    }

    fn assess(scale_id: String, _input: AssessInput) -> Result<Assessment, String> {
        Err(format!("未知量表：{scale_id}"))
    }

    fn classify(_child: ChildSnapshot, _today: String) -> Vec<Finding> {
        Vec::new()
    }

    fn service_catalog() -> Vec<ServiceItem> {
        Vec::new()
    }

    fn report_templates() -> Vec<TemplateInfo> {
        Vec::new()
    }

    fn render_report(template_id: String, _input: ReportInput) -> Result<Document, String> {
        Err(format!("未知报表模板：{template_id}"))
    }
}

/// Installs a panic hook (once) that writes "插件崩溃：message at file:line"
/// to stderr, which the host captures and shows in its error. Called by the
/// code [`export_plugin!`] generates.
#[doc(hidden)]
pub fn __install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "未知原因".to_string());
            let at = info
                .location()
                .map(|l| format!(" ({}:{})", l.file(), l.line()))
                .unwrap_or_default();
            eprintln!("插件崩溃：{msg}{at}");
        }));
    });
}

/// Exports a type implementing [`Plugin`] as the plugin's entry points.
#[macro_export]
macro_rules! export_plugin {
    ($ty:ident) => {
        impl $crate::Guest for $ty {
            fn get_manifest() -> $crate::Manifest {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::manifest()
            }
            fn list_forms() -> ::std::vec::Vec<$crate::FormDef> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::forms()
            }
            fn evaluate_form(
                form_id: ::std::string::String,
                values: ::std::vec::Vec<$crate::FieldValue>,
                context: $crate::EvalContext,
            ) -> ::std::result::Result<$crate::FormEvaluation, ::std::string::String> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::evaluate_form(form_id, values, context)
            }
            fn list_scales() -> ::std::vec::Vec<$crate::ScaleDef> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::scales()
            }
            fn assess(
                scale_id: ::std::string::String,
                input: $crate::AssessInput,
            ) -> ::std::result::Result<$crate::Assessment, ::std::string::String> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::assess(scale_id, input)
            }
            fn classify(
                child: $crate::ChildSnapshot,
                today: ::std::string::String,
            ) -> ::std::vec::Vec<$crate::Finding> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::classify(child, today)
            }
            fn service_catalog() -> ::std::vec::Vec<$crate::ServiceItem> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::service_catalog()
            }
            fn report_templates() -> ::std::vec::Vec<$crate::TemplateInfo> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::report_templates()
            }
            fn render_report(
                template_id: ::std::string::String,
                input: $crate::ReportInput,
            ) -> ::std::result::Result<$crate::Document, ::std::string::String> {
                $crate::__install_panic_hook();
                <$ty as $crate::Plugin>::render_report(template_id, input)
            }
        }
        $crate::bindings::export!($ty with_types_in $crate::bindings);
    };
}
