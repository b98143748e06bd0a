//! Where Hutong keeps its files by default.

use std::path::PathBuf;

/// The default database: `<platform data dir>/hutong.db`, e.g.
/// `~/.local/share/hutong/hutong.db` on Linux and
/// `%APPDATA%\hutong\Hutong\data\hutong.db` on Windows.
pub fn default_db() -> PathBuf {
    directories::ProjectDirs::from("cn", "hutong", "hutong")
        .map(|d| d.data_dir().join("hutong.db"))
        .unwrap_or_else(|| PathBuf::from("hutong.db"))
}
