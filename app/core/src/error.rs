//! The core's error type. Messages are Chinese first, because they reach
//! caseworkers through the UI and CLI, and each names the field, row or file
//! it concerns.

use hutong_national::id_number::IdError;
use std::path::PathBuf;

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("数据库错误：{0}")]
    Sqlite(rusqlite::Error),

    /// A read or write outside the session's division scope. Raised by the
    /// store's scope triggers on writes and by scoped reads.
    #[error("超出管辖范围：{what}不在本账户的管辖范围（{scope}）内，未作任何改动")]
    OutOfScope {
        what: String,
        scope: String,
        /// Whether the refusal is already in the audit log (a refused
        /// write records itself; a refused read is recorded by services).
        audited: bool,
    },

    #[error("账户“{username}”因连续输错密码已被锁定，请在 {until} 之后再试")]
    AccountLocked { username: String, until: String },

    #[error("无法打开数据库 {path}：{source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error(
        "数据库 {path} 由较新版本的护童创建（数据结构版本 {found}），本程序最高支持版本 {supported}。请升级护童后再打开，数据未被改动。"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("数据库 {path} 尚未初始化：请先运行 hutong init 或 hutong demo")]
    NotInitialised { path: PathBuf },

    #[error("字段“{field}”：{source}")]
    InvalidIdNumber {
        field: &'static str,
        #[source]
        source: IdError,
    },

    #[error("字段“{field}”：{message}")]
    Field { field: String, message: String },

    #[error("未找到{what}：{key}")]
    NotFound { what: &'static str, key: String },

    #[error("身份证号 {0} 已有档案，不能重复建档")]
    DuplicateIdNumber(String),

    #[error("区划代码 {0} 不在本数据库的区划表中")]
    UnknownDivision(String),

    #[error("用户名或密码错误")]
    BadCredentials,

    #[error("恢复码不正确")]
    BadRecoveryCode,

    /// A damaged page met while reading or writing.
    #[error(
        "数据库文件已损坏（页校验失败：{0}）。数据未被改动；请用 hutong audit verify --deep 查看，并从备份恢复（hutong restore）"
    )]
    Corrupt(String),

    /// The key file beside the database is missing, damaged or foreign.
    #[error("密钥文件：{0}")]
    KeyFile(String),

    /// A plaintext database from an older version: the county administrator
    /// encrypts it on first log-in.
    #[error(
        "数据库 {path} 尚未加密（旧版本创建）。请由县级管理员登录一次，护童会先将其加密再打开；其他账户在加密完成前不能登录"
    )]
    Unencrypted { path: PathBuf },

    /// SQLCipher could not read the file with the key its slot gave.
    #[error(
        "数据库 {path} 无法读取：文件已损坏、被改动，或与密钥文件不配套。数据未被改动；请从备份恢复（hutong restore）"
    )]
    Damaged { path: PathBuf },

    #[error("{path}：{message}")]
    BadFile { path: PathBuf, message: String },

    /// A file went past one of the readers' limits (SECURITY.md §7): it is
    /// refused before it can exhaust memory, and nothing is imported.
    #[error(
        "{}{}：{what}超过上限（{limit}），已停止读取，未导入任何数据",
        .path.display(),
        .sheet.as_ref().map(|s| format!("（工作表“{s}”）")).unwrap_or_default()
    )]
    LimitExceeded {
        path: PathBuf,
        /// The worksheet, for workbooks.
        sheet: Option<String>,
        /// What is too big, with where it was found: "第3行的列数（1000001列）".
        what: String,
        /// The limit, in words: "每行最多 1000 列".
        limit: String,
    },

    #[error("读写文件 {path} 失败：{source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("JSON 错误：{0}")]
    Json(#[from] serde_json::Error),

    #[error("密码处理失败：{0}")]
    Password(String),

    /// A bug in Hutong rather than bad input: e.g. a write that forgot its audit entry.
    #[error("内部错误：{0}")]
    Internal(String),
}

/// The message prefix of the store's scope triggers (`RAISE(ABORT, …)`).
pub(crate) const OUT_OF_SCOPE_MARK: &str = "hutong-out-of-scope:";

impl From<rusqlite::Error> for CoreError {
    fn from(e: rusqlite::Error) -> Self {
        // A page whose MAC does not match (SQLCipher) or a broken b-tree:
        // the file was damaged or edited outside Hutong.
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase
            )
        {
            return CoreError::Corrupt(e.to_string());
        }
        // A scope trigger aborted the statement: say so in words, naming
        // what was refused, instead of a raw SQLite constraint message.
        if let rusqlite::Error::SqliteFailure(_, Some(msg)) = &e
            && let Some(rest) = msg.strip_prefix(OUT_OF_SCOPE_MARK)
        {
            let (table, scope) = rest.split_once(':').unwrap_or((rest, ""));
            return CoreError::OutOfScope {
                what: crate::store::scope_guard::table_label(table).to_string(),
                scope: scope.to_string(),
                audited: false,
            };
        }
        CoreError::Sqlite(e)
    }
}

impl CoreError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}
