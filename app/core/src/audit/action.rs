//! What an audit entry records having been done: one closed list.
//!
//! Every write names its action with an [`AuditAction`], so an action can
//! not be misspelt at one call site and go unnoticed by the readers that
//! look for it (历史, `hutong history`, the reassessment hint). The log
//! keeps the dotted text of [`AuditAction::as_str`]: entries already
//! written, their chained hashes and the tests all depend on those exact
//! strings, so a variant's text never changes once written. A new action
//! is a new variant; the text of one no longer written stays here so old
//! logs still read back.

use std::fmt;

/// Declares the actions once: the enum, its text, the parser and the list
/// come from the same lines, so they cannot drift apart.
macro_rules! audit_actions {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        /// An audit action (see the module documentation).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum AuditAction {
            $($(#[$doc])* $variant,)*
        }

        impl AuditAction {
            /// Every action, in declaration order.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The text the audit log stores.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(AuditAction::$variant => $text,)*
                }
            }

            /// The action a stored text names; `None` for text this build
            /// does not know (an entry written by a newer version).
            pub fn parse(text: &str) -> Option<AuditAction> {
                match text {
                    $($text => Some(AuditAction::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_actions! {
    // Access and accounts.
    /// A refused attempt: no permission, or a write outside the actor's scope.
    AccessDenied = "access.denied",
    /// A successful log-in.
    UserLogin = "user.login",
    /// A wrong password, an unknown name or a log-in to a locked account.
    UserLoginFailed = "user.login_failed",
    /// An account locked after repeated failures.
    UserLocked = "user.locked",
    /// A session ended by the user (退出登录).
    UserLogout = "user.logout",
    /// A session ended by the idle lock.
    UserLockedIdle = "user.locked_idle",
    UserCreate = "user.create",
    UserEnable = "user.enable",
    UserDisable = "user.disable",
    UserResetPassword = "user.reset_password",
    UserChangePassword = "user.change_password",
    UserSetRole = "user.set_role",
    /// A user's own display preferences.
    UserPreferences = "user.preferences",
    /// An administrator account recovered with the county's recovery code.
    UserRecover = "user.recover",
    /// The county's idle-lock setting.
    SettingsIdleLock = "settings.idle_lock",

    // The county, its keys and the database file.
    CountyInit = "county.init",
    CountyRecoveryCode = "county.recovery_code",
    /// The county key that signs audit anchors was created or replaced.
    CountySigningKey = "county.signing_key",
    /// A signing-key file left beside the database by an older version was removed.
    CountySigningKeyFileRemoved = "county.signing_key_file_removed",
    /// A demo county was generated.
    CountyDemo = "county.demo",
    /// A year of demo casework was added.
    CountyDemoHistory = "county.demo_history",
    /// A plaintext database was encrypted.
    DbEncrypt = "db.encrypt",
    DivisionsLoad = "divisions.load",
    /// A signed anchor of the audit chain was made.
    AuditAnchor = "audit.anchor",
    Backup = "backup",
    BackupSchedule = "backup.schedule",
    Restore = "restore",

    // Children, their people and categories.
    ChildCreate = "child.create",
    ChildUpdate = "child.update",
    ChildClose = "child.close",
    /// A full ID number was shown, with the reason.
    ChildRevealId = "child.reveal_id",
    /// A relative's full ID number was shown, with the reason.
    PersonRevealId = "person.reveal_id",
    RelationAdd = "relation.add",
    CategoryAdd = "category.add",
    CategoryEnd = "category.end",
    /// A category's dates moved to follow a new classification.
    CategoryReschedule = "category.reschedule",

    // Province forms, assessments, eligibility and visits.
    FormSave = "form.save",
    AssessmentAdd = "assessment.add",
    AssessmentBatch = "assessment.batch",
    EligibilityClassify = "eligibility.classify",
    EligibilitySweep = "eligibility.sweep",
    VisitAdd = "visit.add",
    VisitVoid = "visit.void",

    // 摸排 campaigns.
    CampaignStart = "campaign.start",
    CampaignRecord = "campaign.record",
    CampaignClose = "campaign.close",

    // 强制报告.
    MreportAdd = "mreport.add",
    MreportUpdate = "mreport.update",
    MreportFeedback = "mreport.feedback",
    /// 临时监护 started because of a report.
    MreportCustody = "mreport.custody",
    MreportVoid = "mreport.void",

    // Services and referrals.
    ServiceAdd = "service.add",
    ServiceUpdate = "service.update",
    ServiceVoid = "service.void",
    ReferralAdd = "referral.add",
    ReferralStatus = "referral.status",

    // Allowances and grants.
    /// A county standard set.
    AllowanceStandard = "allowance.standard",
    AllowanceStandardUpdate = "allowance.standard.update",
    /// A month's payments generated.
    AllowanceGenerate = "allowance.generate",
    AllowancePaid = "allowance.paid",
    AllowanceVoid = "allowance.void",
    GrantAdd = "grant.add",
    GrantUpdate = "grant.update",
    GrantVoid = "grant.void",

    // 微心愿.
    WishAdd = "wish.add",
    WishUpdate = "wish.update",
    WishPublish = "wish.publish",
    WishClaim = "wish.claim",
    WishFulfil = "wish.fulfil",
    WishCancel = "wish.cancel",

    // Psychological care.
    CounsellingAdd = "counselling.add",
    CounsellingUpdate = "counselling.update",
    ScreeningAdd = "screening.add",
    ScreeningUpdate = "screening.update",
    /// A counselling session or a screening voided.
    CareVoid = "care.void",
    FollowupAdd = "followup.add",
    FollowupClose = "followup.close",

    // The workforce and 儿童之家.
    WorkerAdd = "worker.add",
    WorkerUpdate = "worker.update",
    WorkerLeave = "worker.leave",
    TrainingAdd = "training.add",
    TrainingAttendees = "training.attendees",
    HomeAdd = "home.add",
    HomeClose = "home.close",
    HomeActivity = "home.activity",

    // Exchange, comparison and statistics.
    /// The whole database exported.
    Export = "export",
    /// A whole database imported.
    Import = "import",
    TableImport = "table.import",
    TableImportPersons = "table.import_persons",
    TableExport = "table.export",
    /// A column mapping for imports saved.
    MappingSave = "mapping.save",
    CompareRun = "compare.run",
    CompareAccept = "compare.accept",
    CompareReject = "compare.reject",
    CompareExport = "compare.export",
    StatsExport = "stats.export",
    /// A signed statistics bundle written.
    StatsBundle = "stats.bundle",

    // Printing.
    /// A document printed to a file (or a roster exported).
    ReportPrint = "report.print",
    ReportPrintPrinter = "report.print.printer",
    ReportPreview = "report.preview",

    // Province plugins and their keys.
    PluginInstall = "plugin.install",
    /// An older version installed over a newer one, with the reason.
    PluginDowngrade = "plugin.downgrade",
    PluginRemove = "plugin.remove",
    PluginTrustKey = "plugin.trust_key",
    PluginRevokeKey = "plugin.revoke_key",
    PluginDeveloperMode = "plugin.developer_mode",
    /// A compiled plugin stored in the database's cache.
    PluginCacheEntry = "plugin.cache_entry",
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored action text this build does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAuditAction(pub String);

impl fmt::Display for UnknownAuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "未知的审计动作：{}", self.0)
    }
}

impl std::error::Error for UnknownAuditAction {}

impl std::str::FromStr for AuditAction {
    type Err = UnknownAuditAction;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        AuditAction::parse(text).ok_or_else(|| UnknownAuditAction(text.to_string()))
    }
}

impl serde::Serialize for AuditAction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_action_round_trips_and_is_unique() {
        let mut seen = HashSet::new();
        for &action in AuditAction::ALL {
            let text = action.as_str();
            assert!(seen.insert(text), "{text} is named by two variants");
            assert_eq!(AuditAction::parse(text), Some(action));
            assert_eq!(text.parse::<AuditAction>(), Ok(action));
            assert_eq!(action.to_string(), text);
            // The log's texts are lower-case dotted words; anything else
            // is a typo in a variant.
            assert!(
                !text.is_empty()
                    && text.split('.').all(|w| {
                        !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    }),
                "{text}"
            );
        }
        assert_eq!(AuditAction::parse("child.crate"), None);
        assert!("".parse::<AuditAction>().is_err());
    }

    #[test]
    fn stored_texts_are_unchanged() {
        // A sample of texts already in county databases: renaming any
        // breaks reading them back.
        for (action, text) in [
            (AuditAction::ChildCreate, "child.create"),
            (AuditAction::MreportVoid, "mreport.void"),
            (AuditAction::UserLoginFailed, "user.login_failed"),
            (
                AuditAction::AllowanceStandardUpdate,
                "allowance.standard.update",
            ),
            (AuditAction::ReportPrintPrinter, "report.print.printer"),
            (AuditAction::Export, "export"),
        ] {
            assert_eq!(action.as_str(), text);
        }
    }

    /// Calls that name an action by a string literal: with the enum they
    /// cannot compile, so a hit means someone gave an audit API a `&str`
    /// again. Whitespace is removed before matching, so a call split over
    /// lines is caught too.
    const LITERAL_CALLS: &[&str] = &[
        "AuditEntryInput::new(\"",
        "audit_add(tx,\"",
        "audit_edit(tx,\"",
        "audit_edit(&muttx,\"",
        "audit_add(&muttx,\"",
        "record_session_end(store,session,\"",
        "transition(tx,old,new,\"",
    ];

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_audit_call_names_its_action_by_a_literal() {
        let core = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [core.join("src"), core.join("../services/src")] {
            rust_files(&dir, &mut files);
        }
        assert!(
            files.len() > 40,
            "found only {} source files: wrong directory?",
            files.len()
        );
        // Dotted action texts in Rust or SQL quotes, outside this file:
        // writers name actions through the enum and readers compare with
        // it. (One-word actions such as `export` are ordinary words too,
        // so only the call shapes above catch those.)
        let quoted: Vec<String> = AuditAction::ALL
            .iter()
            .map(|a| a.as_str())
            .filter(|t| t.contains('.'))
            .flat_map(|t| [format!("\"{t}\""), format!("'{t}'")])
            .collect();
        let mut hits = Vec::new();
        for path in &files {
            let Ok(source) = std::fs::read_to_string(path) else {
                hits.push(format!("{}: unreadable", path.display()));
                continue;
            };
            let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
            for pattern in LITERAL_CALLS {
                if compact.contains(pattern) {
                    hits.push(format!("{}: {pattern}", path.display()));
                }
            }
            // This file is where the texts live.
            if path.ends_with("audit/action.rs") {
                continue;
            }
            for text in &quoted {
                if source.contains(text.as_str()) {
                    hits.push(format!("{}: {text}", path.display()));
                }
            }
        }
        assert!(
            hits.is_empty(),
            "audit actions written as string literals (use AuditAction):\n{}",
            hits.join("\n")
        );
    }
}
