//! Fonts: which face prints which character, loaded once per process.
//!
//! Every [`FontRole`] maps to a *chain* of faces. A character prints in the
//! first face of its chain that has a glyph for it, because no single open
//! font covers everything children's names need (GB 18030 hanzi, Ext-A,
//! Ext-B–F such as 𡒄, and Tibetan). The chain is: the role's own face(s) →
//! Noto Sans SC → Noto Serif Tibetan → HanaMinB.
//!
//! Bundled faces are compiled in with `include_bytes!` and parsed lazily, at
//! most once per process (they live in a process-wide table), so creating a
//! [`FontSet`] is cheap. Official fonts found on the machine (仿宋_GB2312,
//! 方正小标宋简体, 黑体, 楷体 …) are used *in front of* the bundled ones when
//! [`FontSet::with_system_fonts`] is asked for them; they are embedded only
//! as subsets in the PDFs we write and are never copied anywhere else.
//!
//! There is no open 仿宋: without an installed 仿宋 the Fangsong role falls
//! back to Noto Serif SC (a 宋体 design), which is the closest open look.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};

use hutong_core::document::FontRole;

use crate::error::ReportError;
use crate::pdf_writer::EngineFont;

/// Index of a face inside a [`FontSet`].
pub(crate) type FaceId = usize;

/// How a face's bytes are stored.
enum Source {
    /// Ready to parse (bundled uncompressed, or a system font read once).
    Plain(&'static [u8]),
    /// zstd-compressed; decompressed on first use (every bundled face).
    Zstd(&'static [u8]),
}

/// A parsed face: the bytes, the shaper's view of them, and metrics.
pub(crate) struct LoadedFace {
    pub bytes: &'static [u8],
    pub index: u32,
    pub shaper: rustybuzz::Face<'static>,
    pub units_per_em: f32,
}

/// One face: where it comes from and its lazily parsed forms.
pub(crate) struct FaceSlot {
    /// Human-readable name, used in errors and as the PDF font's base name.
    pub name: String,
    /// A genuinely bold design (so bold text needs no synthetic emboldening).
    pub bold: bool,
    index: u32,
    source: Source,
    loaded: OnceLock<Result<LoadedFace, String>>,
    /// The PDF engine's parsed copy, built on first use by `pdf_writer`.
    pub(crate) engine: EngineFont,
}

impl FaceSlot {
    fn new(name: &str, bold: bool, index: u32, source: Source) -> Self {
        FaceSlot {
            name: name.to_string(),
            bold,
            index,
            source,
            loaded: OnceLock::new(),
            engine: EngineFont::default(),
        }
    }

    /// The parsed face, decompressing and parsing it on first use.
    pub(crate) fn load(&self) -> Result<&LoadedFace, ReportError> {
        self.loaded
            .get_or_init(|| {
                let bytes = match self.source {
                    Source::Plain(b) => b,
                    Source::Zstd(z) => decompress_once(&self.name, z)?,
                };
                let shaper = rustybuzz::Face::from_slice(bytes, self.index)
                    .ok_or_else(|| "不是有效的 OpenType 字体".to_string())?;
                let units_per_em = shaper.units_per_em().max(1) as f32;
                Ok(LoadedFace {
                    bytes,
                    index: self.index,
                    shaper,
                    units_per_em,
                })
            })
            .as_ref()
            .map_err(|reason| ReportError::Font {
                name: self.name.clone(),
                reason: reason.clone(),
            })
    }

    /// Whether this face has a real glyph for `c`. A face that fails to load
    /// has none, so the chain simply moves on to the next one.
    pub(crate) fn has_char(&self, c: char) -> bool {
        self.load()
            .map(|f| f.shaper.glyph_index(c).is_some_and(|g| g.0 != 0))
            .unwrap_or(false)
    }
}

/// Decompressed bytes are kept for the life of the process: the parsed faces
/// borrow them, and decompressing HanaMinB again per `FontSet` would waste
/// ~100 ms and 30 MB each time.
fn decompress_once(name: &str, compressed: &'static [u8]) -> Result<&'static [u8], String> {
    static CACHE: OnceLock<Mutex<HashMap<usize, &'static [u8]>>> = OnceLock::new();
    let key = compressed.as_ptr() as usize;
    let cache = CACHE.get_or_init(Default::default);
    let cached = |map: &HashMap<usize, &'static [u8]>| map.get(&key).copied();
    if let Some(b) = cached(&*cache.lock().map_err(|_| "字体缓存不可用".to_string())?) {
        return Ok(b);
    }
    // Decompressed without holding the lock, so one face (HanaMinB, warmed
    // on a background thread) does not hold up another (the UI's font).
    let mut out = Vec::new();
    ruzstd::decoding::StreamingDecoder::new(compressed)
        .map_err(|e| format!("{name} 解压失败：{e}"))?
        .read_to_end(&mut out)
        .map_err(|e| format!("{name} 解压失败：{e}"))?;
    let mut map = cache.lock().map_err(|_| "字体缓存不可用".to_string())?;
    // Another thread may have finished the same face meanwhile: keep one.
    if let Some(b) = cached(&map) {
        return Ok(b);
    }
    let leaked: &'static [u8] = Box::leak(out.into_boxed_slice());
    map.insert(key, leaked);
    Ok(leaked)
}

// Bundled faces, in the order of `BundledFace`.
// All stored zstd-compressed (`zstd --ultra -22`), 41 MB raw in 29 MB, to
// keep the program small; each is decompressed once, on first use.
static NOTO_SANS_SC: &[u8] = include_bytes!("../../../assets/fonts/NotoSansSC-Regular.otf.zst");
static NOTO_SERIF_SC: &[u8] = include_bytes!("../../../assets/fonts/NotoSerifSC-Regular.otf.zst");
static NOTO_SERIF_SC_BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSerifSC-Bold.otf.zst");
static HUTONG_KAI: &[u8] = include_bytes!("../../../assets/fonts/HutongKai-Regular.ttf.zst");
static NOTO_SERIF_TIBETAN: &[u8] =
    include_bytes!("../../../assets/fonts/NotoSerifTibetan-Regular.ttf.zst");
static HANAMIN_B_ZST: &[u8] = include_bytes!("../../../assets/fonts/HanaMinB.ttf.zst");

/// The bundled faces, in a fixed order (their `FaceId`s in every `FontSet`).
#[derive(Clone, Copy)]
enum Bundled {
    SansSc = 0,
    SerifSc = 1,
    SerifScBold = 2,
    Kai = 3,
    Tibetan = 4,
    HanaMinB = 5,
}

/// The process-wide bundled slots: parsed once, shared by every `FontSet`.
fn bundled_slots() -> &'static [Arc<FaceSlot>] {
    static SLOTS: OnceLock<Vec<Arc<FaceSlot>>> = OnceLock::new();
    SLOTS.get_or_init(|| {
        vec![
            Arc::new(FaceSlot::new(
                "NotoSansSC",
                false,
                0,
                Source::Zstd(NOTO_SANS_SC),
            )),
            Arc::new(FaceSlot::new(
                "NotoSerifSC",
                false,
                0,
                Source::Zstd(NOTO_SERIF_SC),
            )),
            Arc::new(FaceSlot::new(
                "NotoSerifSC-Bold",
                true,
                0,
                Source::Zstd(NOTO_SERIF_SC_BOLD),
            )),
            Arc::new(FaceSlot::new(
                "HutongKai",
                false,
                0,
                Source::Zstd(HUTONG_KAI),
            )),
            Arc::new(FaceSlot::new(
                "NotoSerifTibetan",
                false,
                0,
                Source::Zstd(NOTO_SERIF_TIBETAN),
            )),
            Arc::new(FaceSlot::new(
                "HanaMinB",
                false,
                0,
                Source::Zstd(HANAMIN_B_ZST),
            )),
        ]
    })
}

const ROLES: [FontRole; 5] = [
    FontRole::Song,
    FontRole::Hei,
    FontRole::Kai,
    FontRole::Fangsong,
    FontRole::XiaoBiaoSong,
];

fn role_index(role: FontRole) -> usize {
    match role {
        FontRole::Song => 0,
        FontRole::Hei => 1,
        FontRole::Kai => 2,
        FontRole::Fangsong => 3,
        FontRole::XiaoBiaoSong => 4,
    }
}

/// Official font family names to look for, per role, best first.
fn official_names(role: FontRole) -> &'static [&'static str] {
    match role {
        FontRole::Song => &["宋体", "SimSun", "中易宋体"],
        FontRole::Hei => &["黑体", "SimHei", "中易黑体"],
        FontRole::Kai => &["楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "中易楷体"],
        FontRole::Fangsong => &[
            "仿宋_GB2312",
            "FangSong_GB2312",
            "仿宋",
            "FangSong",
            "中易仿宋",
        ],
        FontRole::XiaoBiaoSong => &[
            "方正小标宋简体",
            "FZXiaoBiaoSong-B05S",
            "方正小标宋_GBK",
            "FZXiaoBiaoSong-B05",
        ],
    }
}

/// The fonts a report is set in: faces plus, per role, the fallback chain.
///
/// Cheap to clone (faces are shared). Create one per process, or per
/// settings change, and reuse it for every render.
#[derive(Clone)]
pub struct FontSet {
    pub(crate) faces: Vec<Arc<FaceSlot>>,
    /// `chains[role][bold as usize]`: face ids, best first.
    chains: [[Vec<FaceId>; 2]; 5],
    /// Official fonts in use, as (role, family name), for display in settings.
    system: Vec<(FontRole, String)>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field(
                "faces",
                &self
                    .faces
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("system", &self.system)
            .finish()
    }
}

impl FontSet {
    /// Only the fonts compiled into the program: the same output on every
    /// machine. Nothing is parsed until a character needs it.
    pub fn bundled() -> FontSet {
        let faces: Vec<Arc<FaceSlot>> = bundled_slots().to_vec();
        use Bundled::*;
        let common = [SansSc as FaceId, Tibetan as FaceId, HanaMinB as FaceId];
        let chain = |own: &[Bundled]| -> Vec<FaceId> {
            let mut v: Vec<FaceId> = own.iter().map(|b| *b as FaceId).collect();
            for c in common {
                if !v.contains(&c) {
                    v.push(c);
                }
            }
            v
        };
        // Serif bold holds only GB2312 level 1; rarer characters in bold
        // titles fall back to the regular serif (emboldened synthetically).
        let song = [chain(&[SerifSc]), chain(&[SerifScBold, SerifSc])];
        let hei = [chain(&[SansSc]), chain(&[SansSc])];
        let kai = [chain(&[Kai, SerifSc]), chain(&[Kai, SerifSc])];
        // No open 仿宋 exists: use the serif.
        let fangsong = song.clone();
        // 小标宋 is a heavy display 宋: bold serif is the nearest open face.
        let xbs = [
            chain(&[SerifScBold, SerifSc]),
            chain(&[SerifScBold, SerifSc]),
        ];
        FontSet {
            faces,
            chains: [song, hei, kai, fangsong, xbs],
            system: Vec::new(),
        }
    }

    /// The bundled fonts, with the official fonts installed on this machine
    /// (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体 …) put first in their roles.
    ///
    /// Fonts whose OS/2 embedding permission forbids embedding or subsetting
    /// are skipped. Scanning the system takes a while (100 ms or more):
    /// call this once and keep the result.
    pub fn with_system_fonts() -> FontSet {
        let mut set = FontSet::bundled();
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        for role in ROLES {
            if let Some((family, slot)) = find_official(&db, role) {
                let id = set.faces.len();
                set.faces.push(Arc::new(slot));
                for chain in set.chains[role_index(role)].iter_mut() {
                    chain.insert(0, id);
                }
                set.system.push((role, family));
            }
        }
        set
    }

    /// Official fonts this set uses, as (role, family name).
    pub fn system_fonts(&self) -> &[(FontRole, String)] {
        &self.system
    }

    pub(crate) fn chain(&self, role: FontRole, bold: bool) -> &[FaceId] {
        &self.chains[role_index(role)][usize::from(bold)]
    }

    pub(crate) fn slot(&self, id: FaceId) -> Option<&FaceSlot> {
        self.faces.get(id).map(|a| a.as_ref())
    }

    /// The face that prints `c` in `role`, or `None` if no face has it.
    pub(crate) fn face_for_char(&self, role: FontRole, bold: bool, c: char) -> Option<FaceId> {
        self.chain(role, bold)
            .iter()
            .copied()
            .find(|&id| self.slot(id).is_some_and(|s| s.has_char(c)))
    }

    /// The first face of the role's chain that loads: used for characters
    /// no face has (they print as the font's missing-glyph box).
    pub(crate) fn primary_face(&self, role: FontRole, bold: bool) -> Result<FaceId, ReportError> {
        self.chain(role, bold)
            .iter()
            .copied()
            .find(|&id| self.slot(id).is_some_and(|s| s.load().is_ok()))
            .ok_or_else(|| ReportError::NoFont(format!("{role:?}")))
    }
}

/// Finds an installed official font for `role` and reads it once.
fn find_official(db: &fontdb::Database, role: FontRole) -> Option<(String, FaceSlot)> {
    for wanted in official_names(role) {
        for face in db.faces() {
            let matches = face
                .families
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(wanted));
            if !matches {
                continue;
            }
            let Some(bytes) = read_system_face(db, face.id) else {
                continue;
            };
            if !embedding_allowed(bytes, face.index) {
                continue;
            }
            let slot = FaceSlot::new(wanted, false, face.index, Source::Plain(bytes));
            return Some((wanted.to_string(), slot));
        }
    }
    None
}

/// System font bytes, read at most once per process per face: the parsed
/// faces borrow them for the life of the process.
fn read_system_face(db: &fontdb::Database, id: fontdb::ID) -> Option<&'static [u8]> {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static [u8]>>> = OnceLock::new();
    let key = match db.face_source(id)? {
        (fontdb::Source::File(path), index) => format!("{}#{index}", path.display()),
        (fontdb::Source::SharedFile(path, _), index) => format!("{}#{index}", path.display()),
        (fontdb::Source::Binary(_), _) => return None,
    };
    let mut map = CACHE.get_or_init(Default::default).lock().ok()?;
    if let Some(b) = map.get(&key) {
        return Some(b);
    }
    let bytes = db.with_face_data(id, |data, _| data.to_vec())?;
    let leaked: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    map.insert(key, leaked);
    Some(leaked)
}

/// OS/2 fsType: a "restricted licence" font, or one that forbids
/// subsetting, must not be embedded in our PDFs.
fn embedding_allowed(bytes: &[u8], index: u32) -> bool {
    let Ok(face) = ttf_parser::Face::parse(bytes, index) else {
        return false;
    };
    let restricted = matches!(
        face.permissions(),
        Some(ttf_parser::Permissions::Restricted)
    );
    !restricted && face.is_subsetting_allowed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_name_characters_resolve_to_some_face() {
        let fonts = FontSet::bundled();
        for c in ['王', '堃', '赟', '䶮', '㛃', '𡒄', 'ཚ', 'A', '1', '，'] {
            assert!(
                fonts.face_for_char(FontRole::Song, false, c).is_some(),
                "no face for {c}"
            );
        }
    }

    #[test]
    fn ext_b_comes_from_hanamin_and_tibetan_from_noto_tibetan() {
        let fonts = FontSet::bundled();
        let hana = fonts.face_for_char(FontRole::Fangsong, false, '𡒄');
        assert_eq!(hana, Some(Bundled::HanaMinB as FaceId));
        let tib = fonts.face_for_char(FontRole::Hei, false, 'ཚ');
        assert_eq!(tib, Some(Bundled::Tibetan as FaceId));
        // 䶮 (Ext-A) stays in the serif for 宋/仿宋 rather than dropping to sans.
        let ext_a = fonts.face_for_char(FontRole::Song, false, '䶮');
        assert_eq!(ext_a, Some(Bundled::SerifSc as FaceId));
    }

    #[test]
    fn serif_covers_every_unified_ideograph_of_the_basic_block() {
        // Guards the bundled subset: a broken cmap once sent 限 and 释 to
        // the sans fallback, mixing styles mid-sentence.
        let fonts = FontSet::bundled();
        let serif = fonts.slot(Bundled::SerifSc as FaceId).unwrap();
        let lacking: Vec<char> = ('\u{4E00}'..='\u{9FA5}')
            .filter(|c| !serif.has_char(*c))
            .collect();
        assert!(
            lacking.is_empty(),
            "serif lacks {} chars, e.g. {:?}",
            lacking.len(),
            &lacking[..lacking.len().min(10)]
        );
    }

    /// A copy of `font` with its OS/2 fsType set to `fs_type`.
    fn with_fs_type(font: &[u8], fs_type: u16) -> Vec<u8> {
        let mut out = font.to_vec();
        let tables = usize::from(u16::from_be_bytes([font[4], font[5]]));
        for i in 0..tables {
            let rec = 12 + 16 * i;
            if &font[rec..rec + 4] == b"OS/2" {
                let off = u32::from_be_bytes([
                    font[rec + 8],
                    font[rec + 9],
                    font[rec + 10],
                    font[rec + 11],
                ]) as usize;
                out[off + 8..off + 10].copy_from_slice(&fs_type.to_be_bytes());
            }
        }
        out
    }

    #[test]
    fn embedding_permission_is_honoured() {
        let tibetan = shared_faces::noto_serif_tibetan().unwrap();
        assert!(embedding_allowed(tibetan, 0));
        // Restricted licence embedding.
        assert!(!embedding_allowed(&with_fs_type(tibetan, 0x0002), 0));
        // Print-and-preview is fine, unless subsetting is forbidden.
        assert!(embedding_allowed(&with_fs_type(tibetan, 0x0004), 0));
        assert!(!embedding_allowed(&with_fs_type(tibetan, 0x0104), 0));
        assert!(!embedding_allowed(b"not a font", 0));
    }

    #[test]
    fn system_fonts_only_add_official_families() {
        let fonts = FontSet::with_system_fonts();
        for (role, family) in fonts.system_fonts() {
            assert!(official_names(*role).contains(&family.as_str()), "{family}");
        }
        // Whatever was found, every role still resolves common and rare text.
        for role in ROLES {
            for c in ['王', '堃', '𡒄', 'ཚ'] {
                assert!(
                    fonts.face_for_char(role, false, c).is_some(),
                    "{role:?} {c}"
                );
            }
        }
    }

    #[test]
    fn unknown_character_has_no_face() {
        let fonts = FontSet::bundled();
        // A private-use code point: no bundled font has it.
        assert_eq!(fonts.face_for_char(FontRole::Song, false, '\u{E000}'), None);
    }
}

/// The bundled font files, shared with the desktop UI so the binary carries
/// one copy of each.
pub mod shared_faces {
    /// Noto Sans CJK SC (the UI's Chinese font), decompressed on first
    /// call (14 MB) and kept for the life of the process.
    pub fn noto_sans_sc() -> Result<&'static [u8], String> {
        super::decompress_once("NotoSansSC", super::NOTO_SANS_SC)
    }

    /// Noto Serif Tibetan, decompressed on first call.
    pub fn noto_serif_tibetan() -> Result<&'static [u8], String> {
        super::decompress_once("NotoSerifTibetan", super::NOTO_SERIF_TIBETAN)
    }

    /// HanaMinB (CJK Extension B–F), decompressed on first call (about
    /// 30 MB, ~0.1 s) and kept for the life of the process.
    pub fn hanamin_b() -> Result<&'static [u8], String> {
        super::decompress_once("HanaMinB", super::HANAMIN_B_ZST)
    }
}
