//! Who may do what: one table of role × action, enforced here.
//!
//! Deny by default: an action a role is not listed for is refused. The
//! division check (which children) is separate and lives in core: every
//! read takes the session's scope and every write is bounded by it.
//! `docs/SECURITY.md` carries the same table for people; a test keeps the
//! two in step.

use hutong_core::users::Role;
use serde::Serialize;

/// Everything a session can ask to do, at the granularity roles differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Read children's files within the scope (list, search, file, history).
    ViewCases,
    /// Casework writes within the scope: files, relatives, visits,
    /// assessments, province forms, records, 摸排 outcomes, closing a file.
    EditCases,
    /// Show a full ID number or phone, with a purpose (audited).
    RevealId,
    /// Start or close a 摸排 round over a division within the scope.
    ManageCampaigns,
    /// Lists that span the whole county: the allowance roster, standards
    /// and monthly ledger generation, the network of workers.
    CountyLists,
    /// The confidential reporter of a 强制报告.
    ViewReporter,
    /// Print or save a report (audited with the file's hash).
    Print,
    /// Export lists with masked ID numbers.
    ExportMasked,
    /// Export lists or bundles with full ID numbers.
    ExportFullIds,
    /// Import children, relatives or a JSON bundle.
    Import,
    /// 数据比对 with another department's list (county-wide by nature).
    Compare,
    /// Statistics tables, PDFs and the signed upward bundle.
    Statistics,
    /// Make a backup or set the daily backup folder.
    Backup,
    /// Replace the live database with a backup.
    Restore,
    /// Install province plugins.
    InstallPlugin,
    /// Trust or revoke a province signing key.
    TrustKeys,
    /// Switch developer mode (unsigned plugins) on or off.
    DeveloperMode,
    /// Create, disable, enable, reset and change the role of accounts;
    /// county settings such as the idle lock.
    ManageUsers,
    /// Read and verify the audit log.
    ViewAudit,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::ViewCases,
        Action::EditCases,
        Action::RevealId,
        Action::ManageCampaigns,
        Action::CountyLists,
        Action::ViewReporter,
        Action::Print,
        Action::ExportMasked,
        Action::ExportFullIds,
        Action::Import,
        Action::Compare,
        Action::Statistics,
        Action::Backup,
        Action::Restore,
        Action::InstallPlugin,
        Action::TrustKeys,
        Action::DeveloperMode,
        Action::ManageUsers,
        Action::ViewAudit,
    ];

    /// The action's stable audit code and its words in Chinese and English,
    /// in one row so the three cannot drift apart.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Action::ViewCases => ("view_cases", "查看儿童档案", "view children's files"),
            Action::EditCases => (
                "edit_cases",
                "修改儿童档案和业务记录",
                "change children's files and records",
            ),
            Action::RevealId => ("reveal_id", "查看完整身份证号", "see full ID numbers"),
            Action::ManageCampaigns => (
                "manage_campaigns",
                "发起或结束摸底排查",
                "start or close screening rounds",
            ),
            Action::CountyLists => (
                "county_lists",
                "查看全县名单和台账",
                "see county-wide lists and ledgers",
            ),
            Action::ViewReporter => (
                "view_reporter",
                "查看强制报告的报告人",
                "see the reporter of a mandatory report",
            ),
            Action::Print => ("print", "打印报表", "print reports"),
            Action::ExportMasked => ("export_masked", "导出名单", "export lists"),
            Action::ExportFullIds => (
                "export_full_ids",
                "导出完整身份证号",
                "export full ID numbers",
            ),
            Action::Import => ("import", "导入数据", "import data"),
            Action::Compare => (
                "compare",
                "数据比对",
                "compare with other departments' data",
            ),
            Action::Statistics => ("statistics", "统计报表", "produce statistics"),
            Action::Backup => ("backup", "备份数据库", "back up the database"),
            Action::Restore => (
                "restore",
                "从备份恢复数据库",
                "restore the database from a backup",
            ),
            Action::InstallPlugin => ("install_plugin", "安装省级插件", "install province plugins"),
            Action::TrustKeys => (
                "trust_keys",
                "信任或吊销插件签名密钥",
                "trust or revoke plugin signing keys",
            ),
            Action::DeveloperMode => ("developer_mode", "开关开发者模式", "switch developer mode"),
            Action::ManageUsers => (
                "manage_users",
                "管理用户与权限",
                "manage users and permissions",
            ),
            Action::ViewAudit => ("view_audit", "查看审计日志", "read the audit log"),
        }
    }

    /// The action in words, for refusals ("……无权导出完整身份证号").
    pub fn label_zh(self) -> &'static str {
        self.names().1
    }

    pub fn label_en(self) -> &'static str {
        self.names().2
    }

    /// The stable code stored in the audit log.
    pub fn code(self) -> &'static str {
        self.names().0
    }
}

/// The permission table. A `match` on the role with an explicit list per
/// role, so adding an [`Action`] grants it to nobody until someone decides.
pub fn permits(role: Role, action: Action) -> bool {
    use Action::*;
    let granted: &[Action] = match role {
        Role::CountyAdmin => &Action::ALL,
        Role::Caseworker => &[
            ViewCases,
            EditCases,
            RevealId,
            ManageCampaigns,
            CountyLists,
            ViewReporter,
            Print,
            ExportMasked,
            ExportFullIds,
            Import,
            Compare,
            Statistics,
            Backup,
        ],
        Role::TownshipSupervisor => &[
            ViewCases,
            EditCases,
            RevealId,
            ManageCampaigns,
            Print,
            ExportMasked,
            Statistics,
        ],
        Role::VillageDirector => &[ViewCases, EditCases, RevealId, Print, ExportMasked],
        Role::Auditor => &[ViewCases, Statistics, ViewAudit],
    };
    granted.contains(&action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roles_of_the_issue() {
        // county_admin: everything.
        assert!(Action::ALL.iter().all(|a| permits(Role::CountyAdmin, *a)));
        // caseworker: no accounts, keys or restore.
        for a in [
            Action::ManageUsers,
            Action::TrustKeys,
            Action::Restore,
            Action::InstallPlugin,
            Action::DeveloperMode,
        ] {
            assert!(!permits(Role::Caseworker, a), "{a:?}");
        }
        assert!(permits(Role::Caseworker, Action::Import));
        // village director: no county lists, full-ID exports, imports or comparisons.
        for a in [
            Action::CountyLists,
            Action::ExportFullIds,
            Action::Import,
            Action::Compare,
            Action::ViewReporter,
        ] {
            assert!(!permits(Role::VillageDirector, a), "{a:?}");
        }
        assert!(permits(Role::VillageDirector, Action::EditCases));
        // auditor: read-only plus the audit log.
        assert!(permits(Role::Auditor, Action::ViewAudit));
        for a in [
            Action::EditCases,
            Action::RevealId,
            Action::Print,
            Action::Import,
        ] {
            assert!(!permits(Role::Auditor, a), "{a:?}");
        }
    }

    #[test]
    fn the_documented_table_matches_the_code() {
        let doc = include_str!("../../../docs/SECURITY.md");
        for action in Action::ALL {
            let line = doc
                .lines()
                .find(|l| l.starts_with(&format!("| `{}` ", action.code())))
                .unwrap_or_else(|| panic!("docs/SECURITY.md has no row for {}", action.code()));
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | code | label | admin | caseworker | supervisor | director | auditor |
            for (i, role) in Role::ALL.iter().enumerate() {
                let documented = cells[3 + i] == "✓";
                assert_eq!(
                    documented,
                    permits(*role, action),
                    "docs/SECURITY.md says {} for {} / {}",
                    cells[3 + i],
                    action.code(),
                    role.code()
                );
            }
        }
    }
}
