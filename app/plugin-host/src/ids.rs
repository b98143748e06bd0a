//! What a plugin's manifest may call itself.
//!
//! The id and version come from the plugin, so they are hostile input. They
//! are checked when the manifest is read, before any caller can build a
//! path, a file name or a log line from them: an id is 1 to 64 lowercase
//! ASCII letters, digits, `.`, `-` or `_`, starting with a letter or digit,
//! with no `..` (so no `/`, `\`, drive letter such as `C:`, space or control
//! character can ever appear); a version is semver-like
//! (`MAJOR.MINOR.PATCH`, optionally `-PRERELEASE`, at most 64 characters).
//! Installed files are named by their hash anyway; these checks keep ids
//! and versions harmless everywhere else too.

use std::cmp::Ordering;

/// The longest plugin id or version accepted.
pub const MAX_LEN: usize = 64;

/// Checks a plugin id; the error says in Chinese what is wrong.
pub fn validate_plugin_id(id: &str) -> Result<(), String> {
    let shown = printable(id);
    if id.is_empty() {
        return Err("插件 id 为空".into());
    }
    if id.len() > MAX_LEN {
        return Err(format!("插件 id“{shown}”超过 {MAX_LEN} 个字符"));
    }
    let what = if id.contains(['/', '\\']) {
        Some("路径分隔符".to_string())
    } else if id.contains(':') {
        Some("冒号（盘符）".to_string())
    } else if let Some(c) = id.chars().find(|c| c.is_control()) {
        Some(format!("控制字符 U+{:04X}", c as u32))
    } else {
        id.chars()
            .find(|c| {
                !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
            })
            .map(|c| {
                if c.is_ascii_uppercase() {
                    format!("大写字母“{c}”")
                } else {
                    format!("字符“{c}”")
                }
            })
    };
    if let Some(what) = what {
        return Err(format!(
            "插件 id“{shown}”含有{what}；只允许小写字母、数字和 . - _"
        ));
    }
    if id.contains("..") {
        return Err(format!("插件 id“{shown}”含有“..”"));
    }
    if !id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(format!("插件 id“{shown}”须以小写字母或数字开头"));
    }
    if id.ends_with('.') {
        return Err(format!("插件 id“{shown}”不能以“.”结尾"));
    }
    Ok(())
}

/// A parsed semver-like version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// Dot-separated identifiers after `-`; empty for a release.
    pub pre: Vec<String>,
}

impl Version {
    /// Parses `MAJOR.MINOR.PATCH[-PRE]`; the error says in Chinese what is wrong.
    pub fn parse(v: &str) -> Result<Version, String> {
        let shown = printable(v);
        let bad =
            || format!("插件版本“{shown}”不是 主版本.次版本.修订号（如 1.2.0，可带 -预发布标识）");
        if v.is_empty() || v.len() > MAX_LEN {
            return Err(bad());
        }
        let (core, pre) = match v.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (v, None),
        };
        let nums: Vec<&str> = core.split('.').collect();
        if nums.len() != 3 {
            return Err(bad());
        }
        let mut parsed = [0u64; 3];
        for (slot, n) in parsed.iter_mut().zip(&nums) {
            let digits_only =
                !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit());
            if !digits_only || (n.len() > 1 && n.starts_with('0')) {
                return Err(bad());
            }
            *slot = n.parse().map_err(|_| bad())?;
        }
        let pre = match pre {
            None => Vec::new(),
            Some(p) => {
                let ids: Vec<String> = p.split('.').map(str::to_string).collect();
                let ok = ids.iter().all(|i| {
                    !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
                if !ok {
                    return Err(bad());
                }
                ids
            }
        };
        Ok(Version {
            major: parsed[0],
            minor: parsed[1],
            patch: parsed[2],
            pre,
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    /// Semver precedence: numbers first; a pre-release sorts before its
    /// release; pre-release identifiers compare numerically when both are
    /// numbers, else as text, numbers before text.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let o = match (a.parse::<u64>(), b.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => a.cmp(b),
                        };
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            })
    }
}

/// Checks a version string.
pub fn validate_version(v: &str) -> Result<(), String> {
    Version::parse(v).map(|_| ())
}

/// Compares two versions; `None` when either is not semver-like (records
/// made before versions were checked).
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    Some(Version::parse(a).ok()?.cmp(&Version::parse(b).ok()?))
}

/// At most 80 characters of untrusted text, control characters escaped, for
/// messages.
fn printable(s: &str) -> String {
    let mut out: String = s
        .chars()
        .take(80)
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_could_name_a_path_are_refused() {
        for good in ["cn.hutong.henan", "test.hostile", "a", "x-1_2.y", "41henan"] {
            assert!(validate_plugin_id(good).is_ok(), "{good}");
        }
        let long = "a".repeat(65);
        for bad in [
            "",
            "../evil",
            "cn/../../etc",
            "a/b",
            "a\\b",
            "..",
            "a..b",
            "C:",
            "c:\\windows",
            "C:evil",
            "Cn.Hutong",
            "a b",
            "a\nb",
            "a\0b",
            ".hidden",
            "-x",
            "x.",
            "河南",
            long.as_str(),
        ] {
            let e = validate_plugin_id(bad).expect_err(bad);
            assert!(e.contains("插件 id"), "{e}");
        }
        assert!(
            validate_plugin_id("../x")
                .unwrap_err()
                .contains("路径分隔符")
        );
        assert!(validate_plugin_id("C:x").unwrap_err().contains("盘符"));
        assert!(
            validate_plugin_id("a\u{7}")
                .unwrap_err()
                .contains("控制字符")
        );
    }

    #[test]
    fn versions_are_semver_like_and_ordered() {
        for good in ["1.0.0", "0.1.12", "10.20.30", "1.1.0-rc.1", "2.0.0-beta-2"] {
            assert!(validate_version(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "v1.0.0",
            "01.0.0",
            "1.0.0-",
            "1.0.0-a..b",
            "1.0.0+x",
            "1.0.0/..",
            "../1.0.0",
            "1.0.0 ",
            "1.a.0",
        ] {
            assert!(validate_version(bad).is_err(), "{bad}");
        }
        let lt = |a: &str, b: &str| compare_versions(a, b) == Some(Ordering::Less);
        assert!(lt("1.0.0", "1.1.0"));
        assert!(lt("1.9.0", "1.10.0"));
        assert!(lt("1.1.0-rc.1", "1.1.0"));
        assert!(lt("1.1.0-alpha", "1.1.0-beta"));
        assert!(lt("1.1.0-2", "1.1.0-10"));
        assert!(lt("1.1.0-rc", "1.1.0-rc.1"));
        assert_eq!(compare_versions("1.0.0", "1.0.0"), Some(Ordering::Equal));
        assert_eq!(compare_versions("1.0", "1.0.0"), None);
    }
}
