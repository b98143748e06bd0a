//! Pinyin keys for searching names: `zxy` and `zhangxiaoyu` both find 张小雨.
//!
//! Uses the `pinyin` crate's first reading of each character. Polyphonic
//! surnames (单 shàn, 曾 zēng, 解 xiè) may get the common reading instead;
//! searching by the full name or ID still finds them. Characters without a
//! reading (rare 生僻字, Latin letters, Tibetan) are kept as-is lower-cased in
//! the full key and skipped in the initials.

use pinyin::ToPinyin;

/// Longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 50;

/// Characters no name may hold: control characters, bidirectional marks
/// and overrides (which make a name read differently than it sorts and
/// prints) and quotes of every kind (which end up in file names and
/// commands). The middle dot of 买买提·艾力 is a name character.
fn forbidden_in_name(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '"' | '\'' | '`' | '‘' | '’' | '“' | '”')
}

/// What is wrong with `name` as a person's name (child, relative, visitor),
/// in Chinese and without the word 姓名 (callers name the field), or `None`
/// when it is acceptable. Every path that stores a name asks this: the
/// forms, the command line, spreadsheets and JSON bundles.
pub fn name_problem(name: &str) -> Option<String> {
    let n = name.trim();
    if n.is_empty() {
        return Some("不能为空".into());
    }
    if n.chars().count() > MAX_NAME_CHARS {
        return Some(format!("超过{MAX_NAME_CHARS}个字符"));
    }
    n.chars().find(|&c| forbidden_in_name(c)).map(|c| {
        format!(
            "含控制字符、双向控制符或引号（U+{:04X}），不能作为姓名",
            c as u32
        )
    })
}

/// `(full pinyin without tones, initials)`, both lower-case ASCII where possible.
pub fn pinyin_keys(name: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for (ch, py) in name.chars().zip(name.to_pinyin()) {
        match py {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if ch.is_ascii_alphanumeric() => {
                let lower = ch.to_ascii_lowercase();
                full.push(lower);
                initials.push(lower);
            }
            None if ch.is_whitespace() || ch == '·' || ch == '•' => {}
            None => full.extend(ch.to_lowercase()),
        }
    }
    (full, initials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_middle_dot_and_refuse_quotes_controls_and_overrides() {
        assert_eq!(name_problem("买买提·艾力"), None);
        assert_eq!(name_problem("扎西顿珠"), None);
        assert_eq!(name_problem("  "), Some("不能为空".into()));
        assert_eq!(name_problem(&"王".repeat(51)), Some("超过50个字符".into()));
        assert_eq!(name_problem(&"王".repeat(50)), None);
        for bad in [
            "a’;calc;’",
            "王\"五",
            "王'五",
            "王\u{202E}五",
            "王\n五",
            "王\u{2067}五",
        ] {
            let problem = name_problem(bad).unwrap_or_default();
            assert!(problem.contains("U+"), "{bad:?}: {problem}");
        }
    }

    #[test]
    fn common_names_get_full_pinyin_and_initials() {
        assert_eq!(pinyin_keys("张小雨"), ("zhangxiaoyu".into(), "zxy".into()));
        assert_eq!(pinyin_keys("李浩然"), ("lihaoran".into(), "lhr".into()));
    }

    #[test]
    fn separators_and_latin_letters_are_handled() {
        assert_eq!(pinyin_keys("阿依·木"), ("ayimu".into(), "aym".into()));
        assert_eq!(pinyin_keys("王A"), ("wanga".into(), "wa".into()));
    }
}
