//! Typed plugin errors. Every call failure names the plugin, its version and
//! the export, and says in Chinese what went wrong.

use std::fmt;
use std::path::PathBuf;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum CallFailure {
    /// The guest trapped (e.g. `unreachable`, out-of-bounds access).
    Trap { message: String, log: String },
    /// The guest panicked; the SDK's hook wrote the message to stderr.
    Panic { message: String },
    /// The fuel budget ran out: an endless or far too long loop.
    FuelExhausted { budget: u64 },
    /// The wall-clock backstop fired.
    DeadlineExceeded { millis: u64 },
    /// The guest tried to grow memory past the cap. `requested` is the sum
    /// of all the plugin's memories it asked for.
    MemoryLimit { requested: usize, limit: usize },
    /// A table asked for more elements than the cap (`table.grow` or a
    /// table's initial size).
    TableLimit { requested: usize, limit: usize },
    /// The component wanted more core instances, memories or tables than a
    /// plugin may have. `what` is 实例, 内存 or 表.
    TooManyResources { what: &'static str, limit: usize },
    /// Lifting the result would copy more than the cap out of the guest
    /// (e.g. thousands of strings pointing at one buffer).
    CopyLimit { limit: usize },
    /// The plugin wrote more to stdout/stderr than the log buffer holds.
    LogFlood { limit: usize },
    /// `assess` was not called: items of the scale have no valid answer.
    /// Each item reads "第3项“…”尚未作答".
    Unanswered { scale: String, items: Vec<String> },
    /// The output exceeded a size cap.
    OutputTooLarge { what: String, limit: usize },
    /// The output broke the contract (bad index, cycle, unknown code...).
    Malformed { message: String },
    /// The plugin itself returned an error (e.g. unknown form id).
    Rejected { message: String },
}

impl fmt::Display for CallFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallFailure::Trap { message, log } => {
                write!(f, "插件异常终止（{message}）")?;
                if !log.is_empty() {
                    write!(f, "；插件输出：{log}")?;
                }
                Ok(())
            }
            CallFailure::Panic { message } => write!(f, "插件崩溃：{message}"),
            CallFailure::FuelExhausted { budget } => {
                write!(
                    f,
                    "计算量超过上限（{budget} 燃料单位），可能陷入死循环，已停止"
                )
            }
            CallFailure::DeadlineExceeded { millis } => {
                write!(f, "运行超过 {millis} 毫秒，已停止")
            }
            CallFailure::MemoryLimit { requested, limit } => write!(
                f,
                "内存超过上限：申请 {} MiB，上限 {} MiB，已停止",
                requested / (1024 * 1024),
                limit / (1024 * 1024)
            ),
            CallFailure::TableLimit { requested, limit } => write!(
                f,
                "函数表超过上限：申请 {requested} 项，上限 {limit} 项，已停止"
            ),
            CallFailure::TooManyResources { what, limit } => {
                write!(f, "插件需要的{what}数量超过上限 {limit}，已拒绝实例化")
            }
            CallFailure::CopyLimit { limit } => write!(
                f,
                "输出需从插件复制的数据超过上限 {} MiB（可能是大量字符串指向同一块内存），已停止",
                limit / (1024 * 1024)
            ),
            CallFailure::LogFlood { limit } => {
                write!(f, "插件的标准输出/错误输出超过上限 {limit} 字节，已停止")
            }
            CallFailure::Unanswered { scale, items } => write!(
                f,
                "量表“{scale}”有 {} 道题尚未作答，未评估：{}",
                items.len(),
                items.join("；")
            ),
            CallFailure::OutputTooLarge { what, limit } => {
                write!(f, "输出过大：{what} 超过上限 {limit}")
            }
            CallFailure::Malformed { message } => write!(f, "输出不符合契约：{message}"),
            CallFailure::Rejected { message } => write!(f, "{message}"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("无法读取插件文件 {path}：{source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("插件文件 {path} 不是有效的护童插件组件：{message}")]
    InvalidComponent { path: PathBuf, message: String },

    #[error(
        "插件 {path} 基于契约 {found} 构建，本程序支持 hutong:province@{supported}（1.x）。请使用与本程序匹配的插件版本。"
    )]
    IncompatibleContract {
        path: PathBuf,
        found: String,
        supported: String,
    },

    #[error("插件 {plugin}@{version} 的 {export} 调用失败：{failure}")]
    Call {
        plugin: String,
        version: String,
        export: &'static str,
        failure: CallFailure,
    },

    #[error("插件引擎初始化失败：{0}")]
    Engine(String),

    #[error("插件 {path} 未签名（缺少 {sig}）；只有开发者模式可以加载未签名插件")]
    Unsigned { path: PathBuf, sig: PathBuf },

    #[error("插件 {path} 的签名无效：{reason}")]
    BadSignature { path: PathBuf, reason: String },

    #[error("签名文件或密钥文件 {path} 无效：{reason}")]
    BadKeyFile { path: PathBuf, reason: String },
}

impl PluginError {
    /// The failure of a call, if this is one.
    pub fn failure(&self) -> Option<&CallFailure> {
        match self {
            PluginError::Call { failure, .. } => Some(failure),
            _ => None,
        }
    }
}
