//! Strings for 数据交换：导入、导出、数据比对、统计、备份 (#10).

pub const STRINGS: &[(&str, &str, &str)] = &[];
