//! UI text: every label and message a user reads comes from a Fluent file
//! (`app/desktop/locales/<locale>/<area>.ftl`), zh-CN by default, English
//! complete, other locales (Tibetan, `bo`) as far as they go.
//!
//! The build embeds whatever `.ftl` files it finds (build.rs), so a locale
//! is added by adding its folder: no code names a locale but zh-CN (the
//! county's official language, which every other locale falls back to)
//! and English. A key missing everywhere shows as the key itself, and is
//! remembered so that tests can fail on it ([`missing_keys`]).
//!
//! Screens call [`t!`](crate::t): `t!(lang, "list-count", n = shown)`.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/locales.rs"));
}

/// The locale every other one falls back to.
const FALLBACK: &str = "zh-CN";

/// A UI language: the code of one of the embedded locales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lang(&'static str);

impl Default for Lang {
    fn default() -> Self {
        Lang::ZH
    }
}

impl Lang {
    pub const ZH: Lang = Lang(FALLBACK);
    pub const EN: Lang = Lang("en");

    /// The locale code a user's preference stores.
    pub fn code(self) -> &'static str {
        self.0
    }

    /// The embedded locale with this code, if there is one.
    pub fn from_code(code: &str) -> Option<Lang> {
        locales()
            .iter()
            .find(|l| l.code == code)
            .map(|l| Lang(l.code))
    }

    /// Every embedded locale: zh-CN, English, then the others by code.
    pub fn all() -> Vec<Lang> {
        let mut all: Vec<Lang> = locales().iter().map(|l| Lang(l.code)).collect();
        all.sort_by_key(|l| match l.0 {
            FALLBACK => (0, l.0),
            "en" => (1, l.0),
            other => (2, other),
        });
        all
    }

    /// The language's own name for itself (`language-name` in its files).
    pub fn name(self) -> String {
        tr(self, "language-name")
    }
}

struct Locale {
    code: &'static str,
    bundle: FluentBundle<FluentResource>,
    keys: BTreeSet<String>,
}

/// Problems found while loading the embedded files (a syntax error, a key
/// defined twice). Tests assert there are none; the program logs them and
/// uses what did load.
static LOAD_PROBLEMS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static MISSING: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());

fn locales() -> &'static [Locale] {
    static LOCALES: OnceLock<Vec<Locale>> = OnceLock::new();
    LOCALES.get_or_init(load)
}

fn load() -> Vec<Locale> {
    let mut out: Vec<Locale> = Vec::new();
    let mut problems = Vec::new();
    for (code, file, text) in embedded::FILES {
        let index = match out.iter().position(|l| l.code == *code) {
            Some(i) => i,
            None => {
                let langid = code.parse().unwrap_or_else(|_| {
                    problems.push(format!("{code}: not a language tag"));
                    unic_langid::LanguageIdentifier::default()
                });
                let mut bundle = FluentBundle::new_concurrent(vec![langid]);
                // Unicode isolation marks around arguments show as boxes in
                // egui and in printed text; no text here mixes directions.
                bundle.set_use_isolating(false);
                out.push(Locale {
                    code,
                    bundle,
                    keys: BTreeSet::new(),
                });
                out.len() - 1
            }
        };
        let resource = match FluentResource::try_new(text.to_string()) {
            Ok(r) => r,
            Err((partial, errors)) => {
                for e in errors {
                    problems.push(format!("{code}/{file}: {e:?}"));
                }
                partial
            }
        };
        let locale = &mut out[index];
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry
                && !locale.keys.insert(m.id.name.to_string())
            {
                problems.push(format!("{code}/{file}: {} is defined twice", m.id.name));
            }
        }
        if let Err(errors) = locale.bundle.add_resource(resource) {
            for e in errors {
                problems.push(format!("{code}/{file}: {e:?}"));
            }
        }
    }
    for p in &problems {
        tracing::error!("locale files: {p}");
    }
    if let Ok(mut all) = LOAD_PROBLEMS.lock() {
        all.extend(problems);
    }
    out
}

fn format(locale: &Locale, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let pattern = locale.bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = locale.bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!("{}: {key}: {errors:?}", locale.code);
    }
    Some(text.into_owned())
}

/// The text of `key` in `lang`, else in zh-CN, else the key itself.
pub fn tr(lang: Lang, key: &str) -> String {
    tr_args(lang, key, None)
}

/// [`tr`] with arguments (`{ $n }` in the file).
pub fn tr_args(lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
    let all = locales();
    for code in [lang.code(), FALLBACK] {
        if let Some(text) = all
            .iter()
            .find(|l| l.code == code)
            .and_then(|l| format(l, key, args))
        {
            return text;
        }
    }
    if let Ok(mut missing) = MISSING.lock() {
        missing.insert(key.to_string());
    }
    key.to_string()
}

/// The workstation's UI language, for text made away from the screens
/// (a background job's or the plugin thread's own messages). One user works
/// a workstation at a time; the window sets it every frame.
static CURRENT: Mutex<Lang> = Mutex::new(Lang::ZH);

pub fn set_current(lang: Lang) {
    if let Ok(mut c) = CURRENT.lock() {
        *c = lang;
    }
}

/// The language [`set_current`] last set (zh-CN before any window).
pub fn current() -> Lang {
    CURRENT.lock().map(|c| *c).unwrap_or_default()
}

/// A core type's name in the UI language, where core keeps a Chinese and an
/// English name for it (categories, sex, roles): core prints them in
/// reports and the CLI too. Other locales fall back to Chinese.
pub fn zh_or_en(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::EN { en } else { zh }
}

/// Whether a character reads as Chinese in another language's interface:
/// Han ideographs (extensions included), CJK punctuation and full-width
/// forms. The locale tests use it to find text that missed its key.
pub fn is_chinese(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3134F)
}

/// A date as the UI language writes it: 2025年5月22日 in Chinese (as the
/// reports do), 2025-05-22 otherwise.
pub fn date(lang: Lang, d: chrono::NaiveDate) -> String {
    if lang == Lang::ZH {
        hutong_core::national::dates::format_zh(d)
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

/// A stored time (RFC 3339, UTC) as the county reads a clock: China
/// Standard Time, UTC+8 all year (no daylight saving), to the minute. A
/// value that does not parse is shown as stored.
pub fn local_time(at: &str) -> String {
    const CHINA: i32 = 8 * 3600;
    match (
        chrono::DateTime::parse_from_rfc3339(at),
        chrono::FixedOffset::east_opt(CHINA),
    ) {
        (Ok(t), Some(china)) => t.with_timezone(&china).format("%Y-%m-%d %H:%M").to_string(),
        _ => at.to_string(),
    }
}

/// The arguments of one message, for [`t!`](crate::t).
pub fn args() -> FluentArgs<'static> {
    FluentArgs::new()
}

/// Keys asked for that no locale has, since the program started.
pub fn missing_keys() -> Vec<String> {
    MISSING
        .lock()
        .map(|m| m.iter().cloned().collect())
        .unwrap_or_default()
}

/// Syntax errors and duplicate keys in the embedded files.
pub fn load_problems() -> Vec<String> {
    locales();
    LOAD_PROBLEMS.lock().map(|p| p.clone()).unwrap_or_default()
}

/// The keys a locale defines (for the completeness tests).
pub fn keys(lang: Lang) -> BTreeSet<String> {
    locales()
        .iter()
        .find(|l| l.code == lang.code())
        .map(|l| l.keys.clone())
        .unwrap_or_default()
}

/// A UI string: `t!(lang, "key")`, or with arguments
/// `t!(lang, "key", name = value, …)`. Values are numbers, `&str` or
/// `String` (anything `Into<FluentValue>`).
#[macro_export]
macro_rules! t {
    ($lang:expr, $key:expr $(,)?) => {
        $crate::i18n::tr($lang, $key)
    };
    ($lang:expr, $key:expr, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::i18n::args();
        $( args.set(stringify!($name), $value); )+
        $crate::i18n::tr_args($lang, $key, Some(&args))
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_load_without_problems() {
        assert_eq!(load_problems(), Vec::<String>::new());
    }

    #[test]
    fn zh_cn_and_english_define_the_same_keys() {
        let zh = keys(Lang::ZH);
        let en = keys(Lang::EN);
        assert!(zh.len() > 200, "zh-CN has only {} keys", zh.len());
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "missing in en: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in zh-CN: {only_en:?}");
    }

    #[test]
    fn other_locales_only_translate_keys_that_exist() {
        let zh = keys(Lang::ZH);
        for lang in Lang::all() {
            let extra: Vec<_> = keys(lang).difference(&zh).cloned().collect();
            assert!(extra.is_empty(), "{}: unknown keys {extra:?}", lang.code());
        }
    }

    #[test]
    fn arguments_fill_in_and_a_partial_locale_falls_back_to_chinese() {
        assert_eq!(t!(Lang::ZH, "list-count", n = 12), "共 12 条");
        assert_eq!(t!(Lang::EN, "list-count", n = 12), "12 rows");
        let bo = Lang::from_code("bo").expect("the Tibetan locale is embedded");
        assert_ne!(tr(bo, "nav-home"), tr(Lang::ZH, "nav-home"));
        // The Tibetan file covers log-in and navigation only.
        assert_eq!(tr(bo, "list-search_hint"), tr(Lang::ZH, "list-search_hint"));
        assert_eq!(tr(Lang::EN, "no-such-key"), "no-such-key");
        assert!(missing_keys().contains(&"no-such-key".to_string()));
    }

    #[test]
    fn stored_utc_times_show_in_china_time() {
        assert_eq!(local_time("2025-05-22T16:30:00Z"), "2025-05-23 00:30");
        assert_eq!(
            local_time("2025-05-22T01:05:59.123+00:00"),
            "2025-05-22 09:05"
        );
        assert_eq!(local_time("not a time"), "not a time");
    }

    #[test]
    fn every_locale_names_itself() {
        let names: Vec<String> = Lang::all().iter().map(|l| l.name()).collect();
        assert_eq!(&names[..2], ["中文", "English"]);
        assert!(names.iter().all(|n| n != "language-name"), "{names:?}");
    }
}
