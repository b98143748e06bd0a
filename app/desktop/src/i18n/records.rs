//! Strings for 业务台账：强制报告、服务、补贴、微心愿、心理关爱、工作队伍 (#9).

pub const STRINGS: &[(&str, &str, &str)] = &[];
