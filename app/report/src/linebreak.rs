//! Where a line may end: Unicode UAX #14 via `unicode-linebreak`.
//!
//! UAX #14 already carries the Chinese rules we need (禁则): no line starts
//! with ，。、；：？！）》」 and no line ends with （《「, and it allows a break
//! between any two hanzi. Tibetan breaks after the tsheg (་).

use unicode_linebreak::{BreakOpportunity, linebreaks};

/// A place a line may (or must) end: the byte offset of the next character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Break {
    pub at: usize,
    pub mandatory: bool,
}

/// All break opportunities in `text`, in order. The last is always the end
/// of the text (mandatory).
pub(crate) fn opportunities(text: &str) -> Vec<Break> {
    let mut out: Vec<Break> = linebreaks(text)
        .map(|(at, kind)| Break {
            at,
            mandatory: kind == BreakOpportunity::Mandatory,
        })
        .collect();
    if out.last().is_none_or(|b| b.at != text.len()) {
        out.push(Break {
            at: text.len(),
            mandatory: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_after(text: &str) -> Vec<&str> {
        let mut prev = 0;
        opportunities(text)
            .into_iter()
            .map(|b| {
                let s = &text[prev..b.at];
                prev = b.at;
                s
            })
            .collect()
    }

    #[test]
    fn closing_punctuation_never_starts_a_segment() {
        let segs = lines_after("儿童，福利。（一）");
        assert!(
            segs.iter()
                .all(|s| !s.starts_with('，') && !s.starts_with('。'))
        );
        assert!(segs.iter().all(|s| !s.ends_with('（')), "{segs:?}");
        assert!(segs.contains(&"童，"));
    }

    #[test]
    fn latin_words_and_numbers_stay_whole() {
        let segs = lines_after("ID 110101200501011234 号");
        assert!(segs.contains(&"110101200501011234 "), "{segs:?}");
    }

    #[test]
    fn newline_is_mandatory() {
        let b = opportunities("甲\n乙");
        assert!(b.iter().any(|b| b.mandatory && b.at == "甲\n".len()));
    }
}
