//! Labels that reports in every province print the same way: relation and
//! sex codes, category codes and dates in Chinese.

use hutong_national::category::{CaseCategory, ParentalSituation};
use hutong_national::dates;

/// Chinese label of a core relation code (FATHER → 父亲); unknown codes as is.
pub fn relation_zh(code: &str) -> &str {
    match code {
        "FATHER" => "父亲",
        "MOTHER" => "母亲",
        "PATERNAL_GRANDFATHER" => "祖父",
        "PATERNAL_GRANDMOTHER" => "祖母",
        "MATERNAL_GRANDFATHER" => "外祖父",
        "MATERNAL_GRANDMOTHER" => "外祖母",
        "SIBLING" => "兄弟姐妹",
        "OTHER_RELATIVE" => "其他亲属",
        "OTHER" => "其他",
        other => other,
    }
}

/// 男 / 女 / empty.
pub fn sex_zh(code: &str) -> &'static str {
    match code {
        "M" => "男",
        "F" => "女",
        _ => "",
    }
}

/// "2025年5月22日" from any date form caseworkers type; the input unchanged
/// when it is not a date (so a report never hides what was recorded).
pub fn date_zh(s: &str) -> String {
    dates::parse_flexible(s)
        .map(dates::format_zh)
        .unwrap_or_else(|| s.to_string())
}

/// Chinese labels of category codes, joined with 、.
pub fn categories_zh(codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| {
            CaseCategory::from_code(c)
                .map(|k| k.label_zh().to_string())
                .unwrap_or_else(|| c.clone())
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// Chinese label of a parental situation code; empty stays empty.
pub fn situation_zh(code: &str) -> String {
    ParentalSituation::from_code(code)
        .map(|s| s.label_zh().to_string())
        .unwrap_or_else(|| code.to_string())
}

/// Visit mode code (home / phone / school) in Chinese.
pub fn visit_mode_zh(code: &str) -> &str {
    match code {
        "home" => "入户走访",
        "phone" => "电话联系",
        "school" => "到校走访",
        other => other,
    }
}
