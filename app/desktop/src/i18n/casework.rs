//! Strings for 评估、走访计划、摸底排查、插件升级复核 (#8).

pub const STRINGS: &[(&str, &str, &str)] = &[];
