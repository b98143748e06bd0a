//! Point-table questionnaires shared by province scales (江苏 四色, 河南
//! 困境级别记分, ...). Provinces differ in items, points and bands, not in how
//! answers are checked and summed, so the checking lives here once.

use crate::bindings::hutong::province::types::*;

/// One option of a scored item: code stored with the answer, label, points.
pub type ScoredOption = (&'static str, &'static str, f64);

/// One questionnaire item with its point table.
#[derive(Debug, Clone, Copy)]
pub struct ScoredItem {
    pub id: &'static str,
    pub text: &'static str,
    /// Dimension or subscale the item's points add to.
    pub group: &'static str,
    pub help: &'static str,
    pub options: &'static [ScoredOption],
}

/// The items as the contract's scale items (what the host shows).
pub fn scale_items(items: &[ScoredItem]) -> Vec<ScaleItem> {
    items
        .iter()
        .map(|i| ScaleItem {
            id: i.id.into(),
            text: i.text.into(),
            text_alt: String::new(),
            help: i.help.into(),
            group: i.group.into(),
            options: i
                .options
                .iter()
                .map(|(code, label, _)| crate::forms::choice(code, label))
                .collect(),
        })
        .collect()
}

/// One answered item after checking.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub item: ScoredItem,
    pub code: &'static str,
    pub label: &'static str,
    pub points: f64,
}

/// Checked and summed answers.
#[derive(Debug, Clone, Default)]
pub struct Scored {
    pub total: f64,
    /// (group, sum) in the order groups first appear in the item list.
    pub by_group: Vec<(&'static str, f64)>,
    pub chosen: Vec<Chosen>,
    /// Items without an answer. Always empty: [`score`] refuses a
    /// questionnaire with unanswered items (kept so existing code compiles).
    pub unanswered: Vec<&'static str>,
}

impl Scored {
    pub fn group(&self, group: &str) -> f64 {
        self.by_group
            .iter()
            .find(|(g, _)| *g == group)
            .map(|(_, v)| *v)
            .unwrap_or(0.0)
    }

    /// The chosen option of an item, if answered.
    pub fn code_of(&self, item_id: &str) -> Option<&'static str> {
        self.chosen
            .iter()
            .find(|c| c.item.id == item_id)
            .map(|c| c.code)
    }

    /// Reasons for every answer worth points (non-zero), e.g. "肢体残疾：一至二级（+3）".
    pub fn reasons(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .chosen
            .iter()
            .filter(|c| c.points != 0.0)
            .map(|c| format!("{}：{}（{:+}）", c.item.text, c.label, c.points))
            .collect();
        if !self.unanswered.is_empty() {
            out.push(format!(
                "以下题目未作答，按0分计：{}",
                self.unanswered.join("、")
            ));
        }
        out
    }
}

/// Checks every answer against the items and sums points. An unknown item,
/// an unknown option or a repeated item is an error naming the item, so a
/// stale client never scores silently wrong. So is an item without an
/// answer: a missing answer must never count as 0 points, which would read
/// as "no risk" ("第3项“…”尚未作答").
pub fn score(items: &[ScoredItem], answers: &[Answer]) -> Result<Scored, String> {
    let mut s = Scored::default();
    for i in items {
        if !s.by_group.iter().any(|(g, _)| *g == i.group) {
            s.by_group.push((i.group, 0.0));
        }
    }
    for a in answers {
        let Some(item) = items.iter().find(|i| i.id == a.item_id) else {
            return Err(format!("题目“{}”不在本量表中", a.item_id));
        };
        if s.chosen.iter().any(|c| c.item.id == item.id) {
            return Err(format!("题目“{}”（{}）重复作答", item.id, item.text));
        }
        let Some((code, label, points)) = item.options.iter().find(|(c, _, _)| *c == a.code) else {
            return Err(format!(
                "题目“{}”（{}）的答案“{}”不是有效选项",
                item.id, item.text, a.code
            ));
        };
        s.total += points;
        if let Some(g) = s.by_group.iter_mut().find(|(g, _)| *g == item.group) {
            g.1 += points;
        }
        s.chosen.push(Chosen {
            item: *item,
            code,
            label,
            points: *points,
        });
    }
    let missing: Vec<String> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| !s.chosen.iter().any(|c| c.item.id == i.id))
        .map(|(n, i)| format!("第{}项“{}”尚未作答", n + 1, i.text))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "有 {} 道题尚未作答，未评估：{}",
            missing.len(),
            missing.join("；")
        ));
    }
    Ok(s)
}
