//! The services' error type. Messages are Chinese and say what was refused
//! and why; a refusal names the action and the role.

use crate::permissions::Action;
use hutong_core::CoreError;
use hutong_core::users::Role;

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The role may not do this at all (the permission table).
    #[error("权限不足：{}无权{}。未作任何改动，此次尝试已记入审计日志", .role.label_zh(), .action.label_zh())]
    Denied { action: Action, role: Role },

    /// An administrator reset the password; nothing else is allowed until
    /// the user has chosen a new one.
    #[error("账户“{0}”的密码已由管理员重置，请先修改密码再继续")]
    MustChangePassword(String),

    #[error(transparent)]
    Core(#[from] CoreError),

    #[error("{0}")]
    Plugin(#[from] hutong_plugin_host::PluginError),

    #[error("{0}")]
    Report(#[from] hutong_report::ReportError),

    /// A step that failed, with what was being done.
    #[error("{context}：{message}")]
    Failed { context: String, message: String },
}

impl ServiceError {
    /// Whether this is a refusal (permission or division scope), which the
    /// caller has already had audited.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ServiceError::Denied { .. }
                | ServiceError::MustChangePassword(_)
                | ServiceError::Core(CoreError::OutOfScope { .. })
        )
    }
}

/// `.context("…")` for any error, into a [`ServiceError::Failed`].
pub trait Context<T> {
    fn context(self, context: impl Into<String>) -> Result<T>;
}

impl<T, E: std::fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|e| ServiceError::Failed {
            context: context.into(),
            message: e.to_string(),
        })
    }
}
