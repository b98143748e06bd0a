//! Which items of a scale still need an answer (issue #18: a missing answer
//! must never read as "no risk").
//!
//! The contract has no optional scale items: every item a scale lists is
//! required, and an answer counts only when its code is one of the item's
//! options. The host checks this before `assess` ([`crate::Plugin::assess`]);
//! the services layer, the CLI and bulk re-assessment can call
//! [`missing_required_items`] themselves to skip or report a child.

use hutong_core::province::{Answer, ScaleDef};
use std::fmt;

/// An item without a valid answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingItem {
    /// 1-based position in the scale, as the questionnaire numbers it.
    pub number: usize,
    pub id: String,
    pub text: String,
    /// The answer given, when it is not one of the item's options.
    pub invalid_code: Option<String>,
}

impl fmt::Display for MissingItem {
    /// "第3项“家庭经济状况”尚未作答", or "…的答案“x”不是有效选项".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if self.text.trim().is_empty() {
            &self.id
        } else {
            &self.text
        };
        match &self.invalid_code {
            None => write!(f, "第{}项“{text}”尚未作答", self.number),
            Some(code) => write!(f, "第{}项“{text}”的答案“{code}”不是有效选项", self.number),
        }
    }
}

/// The items of `scale` that `answers` leave unanswered (or answer with a
/// code the item does not offer), in the scale's order. Empty means every
/// item is answered.
pub fn missing_required_items(scale: &ScaleDef, answers: &[Answer]) -> Vec<MissingItem> {
    scale
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let given = answers
                .iter()
                .find(|a| a.item_id == item.id && !a.code.trim().is_empty());
            let invalid_code = match given {
                None => None,
                Some(a)
                    if item.options.is_empty() || item.options.iter().any(|o| o.code == a.code) =>
                {
                    return None;
                }
                Some(a) => Some(a.code.clone()),
            };
            Some(MissingItem {
                number: i + 1,
                id: item.id.clone(),
                text: item.text.clone(),
                invalid_code,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::province::{Choice, ScaleItem};

    fn item(id: &str, text: &str) -> ScaleItem {
        ScaleItem {
            id: id.into(),
            text: text.into(),
            text_alt: String::new(),
            help: String::new(),
            group: String::new(),
            options: vec![
                Choice {
                    code: "0".into(),
                    label: "否".into(),
                    label_alt: String::new(),
                    parent_code: String::new(),
                },
                Choice {
                    code: "1".into(),
                    label: "是".into(),
                    label_alt: String::new(),
                    parent_code: String::new(),
                },
            ],
        }
    }

    fn answer(id: &str, code: &str) -> Answer {
        Answer {
            item_id: id.into(),
            code: code.into(),
        }
    }

    #[test]
    fn unanswered_and_invalid_items_are_named_in_order() {
        let scale = ScaleDef {
            id: "s".into(),
            version: "1".into(),
            name: "测试量表".into(),
            description: String::new(),
            credit: String::new(),
            items: vec![
                item("a", "监护情况"),
                item("b", "经济状况"),
                item("c", "健康状况"),
            ],
        };
        assert!(
            missing_required_items(
                &scale,
                &[answer("a", "0"), answer("b", "1"), answer("c", "0")]
            )
            .is_empty()
        );
        let missing = missing_required_items(&scale, &[answer("b", "9"), answer("c", " ")]);
        let shown: Vec<String> = missing.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "第1项“监护情况”尚未作答",
                "第2项“经济状况”的答案“9”不是有效选项",
                "第3项“健康状况”尚未作答",
            ]
        );
        assert_eq!(missing_required_items(&scale, &[]).len(), 3);
    }
}
