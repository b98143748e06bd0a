//! Pinyin keys for searching names: `zxy` and `zhangxiaoyu` both find 张小雨.
//!
//! Uses the `pinyin` crate's first reading of each character. Polyphonic
//! surnames (单 shàn, 曾 zēng, 解 xiè) may get the common reading instead;
//! searching by the full name or ID still finds them. Characters without a
//! reading (rare 生僻字, Latin letters, Tibetan) are kept as-is lower-cased in
//! the full key and skipped in the initials.

use pinyin::ToPinyin;

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
