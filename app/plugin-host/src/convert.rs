//! WIT types → core types, with output caps and document validation.
//!
//! Plugin output is untrusted. Before anything else sees it, every string is
//! counted against the byte cap, every list against the length cap, and the
//! document arena is checked: indices in bounds, no node used twice (which
//! also rules out cycles), containers holding the right kinds, depth capped.

use crate::bindings::hutong::province::types as w;
use crate::error::CallFailure;
use crate::limits::Limits;
use hutong_core::document as d;
use hutong_core::province as p;

pub(crate) struct Budget<'a> {
    limits: &'a Limits,
    string_bytes: usize,
}

impl<'a> Budget<'a> {
    pub fn new(limits: &'a Limits) -> Self {
        Budget {
            limits,
            string_bytes: 0,
        }
    }

    fn s(&mut self, s: String) -> Result<String, CallFailure> {
        self.string_bytes += s.len();
        if self.string_bytes > self.limits.max_string_bytes {
            return Err(CallFailure::OutputTooLarge {
                what: "文本总字节数".into(),
                limit: self.limits.max_string_bytes,
            });
        }
        Ok(s)
    }

    fn opt(&mut self, s: Option<String>) -> Result<Option<String>, CallFailure> {
        s.map(|s| self.s(s)).transpose()
    }

    fn list<T, U>(
        &mut self,
        what: &str,
        items: Vec<T>,
        mut f: impl FnMut(&mut Self, T) -> Result<U, CallFailure>,
    ) -> Result<Vec<U>, CallFailure> {
        if items.len() > self.limits.max_list_len {
            return Err(CallFailure::OutputTooLarge {
                what: format!("列表“{what}”的长度 {}", items.len()),
                limit: self.limits.max_list_len,
            });
        }
        items.into_iter().map(|i| f(self, i)).collect()
    }

    fn strings(&mut self, what: &str, items: Vec<String>) -> Result<Vec<String>, CallFailure> {
        self.list(what, items, |b, s| b.s(s))
    }
}

fn malformed(message: impl Into<String>) -> CallFailure {
    CallFailure::Malformed {
        message: message.into(),
    }
}

// ------------------------------------------------------------------ manifest

pub(crate) fn manifest(b: &mut Budget<'_>, m: w::Manifest) -> Result<p::Manifest, CallFailure> {
    let cycle = match m.screening_cycle {
        w::ScreeningCycle::Monthly => p::ScreeningCycle::Monthly,
        w::ScreeningCycle::HalfYearly => p::ScreeningCycle::HalfYearly,
        w::ScreeningCycle::Yearly => p::ScreeningCycle::Yearly,
        w::ScreeningCycle::EveryMonths(0) => return Err(malformed("筛查周期不能为 0 个月")),
        w::ScreeningCycle::EveryMonths(n) => p::ScreeningCycle::EveryMonths(n),
    };
    if m.id.trim().is_empty() {
        return Err(malformed("清单缺少插件 id"));
    }
    // Hostile input: checked before anyone builds a path or message from it.
    crate::ids::validate_plugin_id(&m.id).map_err(malformed)?;
    crate::ids::validate_version(&m.version).map_err(malformed)?;
    if m.province_code.len() != 2 || !m.province_code.bytes().all(|c| c.is_ascii_digit()) {
        return Err(malformed(format!(
            "省级代码“{}”应为两位数字",
            m.province_code
        )));
    }
    for c in &m.categories {
        if hutong_core::national::category::CaseCategory::from_code(c).is_none() {
            return Err(malformed(format!("未知的儿童类别代码“{c}”")));
        }
    }
    Ok(p::Manifest {
        id: b.s(m.id)?,
        name: b.s(m.name)?,
        province_code: m.province_code,
        version: b.s(m.version)?,
        contract_version: b.s(m.contract_version)?,
        description: b.s(m.description)?,
        categories: b.strings("categories", m.categories)?,
        visit_policy: p::VisitPolicy {
            default_days: m.visit_policy.default_days,
            by_level: b.list("by-level", m.visit_policy.by_level, |b, l| {
                Ok(p::LevelCadence {
                    level: b.s(l.level)?,
                    days: l.days,
                })
            })?,
            escalate_township_after_days: m.visit_policy.escalate_township_after_days,
            escalate_county_after_days: m.visit_policy.escalate_county_after_days,
        },
        screening_cycle: cycle,
    })
}

// ------------------------------------------------------------------ forms

fn choice(b: &mut Budget<'_>, c: w::Choice) -> Result<p::Choice, CallFailure> {
    Ok(p::Choice {
        code: b.s(c.code)?,
        label: b.s(c.label)?,
        label_alt: b.s(c.label_alt)?,
        parent_code: b.s(c.parent_code)?,
    })
}

fn choice_field(b: &mut Budget<'_>, c: w::ChoiceField) -> Result<p::ChoiceField, CallFailure> {
    Ok(p::ChoiceField {
        options: b.list("options", c.options, choice)?,
        parent: b.s(c.parent)?,
    })
}

pub(crate) fn forms(
    b: &mut Budget<'_>,
    forms: Vec<w::FormDef>,
) -> Result<Vec<p::FormDef>, CallFailure> {
    b.list("forms", forms, |b, f| {
        let form_id = f.id.clone();
        let fields = b.list("fields", f.fields, |b, fl| {
            let kind = match fl.kind {
                w::FieldKind::Text => p::FieldKind::Text,
                w::FieldKind::LongText => p::FieldKind::LongText,
                w::FieldKind::Integer => p::FieldKind::Integer,
                w::FieldKind::Decimal => p::FieldKind::Decimal,
                w::FieldKind::Date => p::FieldKind::Date,
                w::FieldKind::Boolean => p::FieldKind::Boolean,
                w::FieldKind::SingleChoice(c) => p::FieldKind::SingleChoice(choice_field(b, c)?),
                w::FieldKind::MultiChoice(c) => p::FieldKind::MultiChoice(choice_field(b, c)?),
                w::FieldKind::IdNumber => p::FieldKind::IdNumber,
                w::FieldKind::Phone => p::FieldKind::Phone,
                w::FieldKind::Division => p::FieldKind::Division,
                w::FieldKind::RepeatGroup => p::FieldKind::RepeatGroup,
            };
            Ok(p::Field {
                id: b.s(fl.id)?,
                label: b.s(fl.label)?,
                label_alt: b.s(fl.label_alt)?,
                kind,
                required: fl.required,
                help: b.s(fl.help)?,
                section: b.s(fl.section)?,
                group: b.s(fl.group)?,
                core_binding: b.s(fl.core_binding)?,
            })
        })?;
        // Every field id unique; every group names a repeat-group field.
        let mut seen = std::collections::HashSet::new();
        for fl in &fields {
            if !seen.insert(fl.id.as_str()) {
                return Err(malformed(format!(
                    "表单 {form_id} 的字段 id“{}”重复",
                    fl.id
                )));
            }
        }
        for fl in &fields {
            if !fl.group.is_empty()
                && !fields
                    .iter()
                    .any(|g| g.id == fl.group && g.kind == p::FieldKind::RepeatGroup)
            {
                return Err(malformed(format!(
                    "表单 {form_id} 的字段“{}”属于不存在的重复组“{}”",
                    fl.id, fl.group
                )));
            }
        }
        Ok(p::FormDef {
            id: b.s(f.id)?,
            version: b.s(f.version)?,
            title: b.s(f.title)?,
            title_alt: b.s(f.title_alt)?,
            description: b.s(f.description)?,
            sections: b.list("sections", f.sections, |b, s| {
                Ok(p::Section {
                    id: b.s(s.id)?,
                    title: b.s(s.title)?,
                    title_alt: b.s(s.title_alt)?,
                })
            })?,
            fields,
        })
    })
}

pub(crate) fn value_to_wit(v: &p::Value) -> w::Value {
    match v {
        p::Value::Empty => w::Value::Empty,
        p::Value::Text(s) => w::Value::Text(s.clone()),
        p::Value::Integer(i) => w::Value::Integer(*i),
        p::Value::Decimal(f) => w::Value::Decimal(*f),
        p::Value::Boolean(x) => w::Value::Boolean(*x),
        p::Value::Choice(c) => w::Value::Choice(c.clone()),
        p::Value::Choices(c) => w::Value::Choices(c.clone()),
    }
}

fn value(b: &mut Budget<'_>, v: w::Value) -> Result<p::Value, CallFailure> {
    Ok(match v {
        w::Value::Empty => p::Value::Empty,
        w::Value::Text(s) => p::Value::Text(b.s(s)?),
        w::Value::Integer(i) => p::Value::Integer(i),
        w::Value::Decimal(f) => p::Value::Decimal(f),
        w::Value::Boolean(x) => p::Value::Boolean(x),
        w::Value::Choice(c) => p::Value::Choice(b.s(c)?),
        w::Value::Choices(c) => p::Value::Choices(b.strings("choices", c)?),
    })
}

pub(crate) fn field_values_to_wit(values: &[p::FieldValue]) -> Vec<w::FieldValue> {
    values
        .iter()
        .map(|v| w::FieldValue {
            field_id: v.field_id.clone(),
            row: v.row,
            value: value_to_wit(&v.value),
        })
        .collect()
}

/// Converts an evaluation and checks it against the form: computed values
/// and issues must name real fields, and choice codes must be real options.
pub(crate) fn evaluation(
    b: &mut Budget<'_>,
    form: &p::FormDef,
    e: w::FormEvaluation,
) -> Result<p::FormEvaluation, CallFailure> {
    let field = |id: &str| form.fields.iter().find(|f| f.id == id);
    let hidden = b.strings("hidden", e.hidden)?;
    for h in &hidden {
        if field(h).is_none() {
            return Err(malformed(format!(
                "要隐藏的字段“{h}”不在表单 {} 中",
                form.id
            )));
        }
    }
    let computed = b.list("computed", e.computed, |b, fv| {
        let Some(f) = field(&fv.field_id) else {
            return Err(malformed(format!(
                "计算值的字段“{}”不在表单 {} 中",
                fv.field_id, form.id
            )));
        };
        let v = value(b, fv.value)?;
        let options = match &f.kind {
            p::FieldKind::SingleChoice(c) | p::FieldKind::MultiChoice(c) => Some(&c.options),
            _ => None,
        };
        if let Some(options) = options {
            let codes: Vec<&String> = match &v {
                p::Value::Choice(c) => vec![c],
                p::Value::Choices(cs) => cs.iter().collect(),
                _ => vec![],
            };
            for code in codes {
                if !options.iter().any(|o| &o.code == code) {
                    return Err(malformed(format!(
                        "字段“{}”的选项代码“{code}”不在选项列表中",
                        f.label
                    )));
                }
            }
        }
        Ok(p::FieldValue {
            field_id: fv.field_id,
            row: fv.row,
            value: v,
        })
    })?;
    let issues = b.list("issues", e.issues, |b, i| {
        if field(&i.field_id).is_none() {
            return Err(malformed(format!(
                "提示所指字段“{}”不在表单 {} 中",
                i.field_id, form.id
            )));
        }
        Ok(p::FieldIssue {
            field_id: i.field_id,
            row: i.row,
            severity: match i.severity {
                w::Severity::Error => p::Severity::Error,
                w::Severity::Warning => p::Severity::Warning,
            },
            message: b.s(i.message)?,
        })
    })?;
    Ok(p::FormEvaluation {
        hidden,
        computed,
        issues,
    })
}

// ------------------------------------------------------------------ child data (host → guest)

fn relation_to_wit(r: &p::RelationSnapshot) -> w::RelationSnapshot {
    w::RelationSnapshot {
        relation: r.relation.clone(),
        is_guardian: r.is_guardian,
        is_entrusted_carer: r.is_entrusted_carer,
        situation: r.situation.clone(),
        situation_since: r.situation_since.clone(),
        situation_until: r.situation_until.clone(),
        disability_type: r.disability_type.clone(),
        disability_grade: r.disability_grade,
        entrustment_confirmed_on: r.entrustment_confirmed_on.clone(),
        occupation: r.occupation.clone(),
    }
}

pub(crate) fn child_to_wit(c: &p::ChildSnapshot) -> w::ChildSnapshot {
    w::ChildSnapshot {
        id_number: c.id_number.clone(),
        name: c.name.clone(),
        name_alt: c.name_alt.clone(),
        sex: c.sex.clone(),
        birth_date: c.birth_date.clone(),
        ethnicity: c.ethnicity.clone(),
        hukou_division: c.hukou_division.clone(),
        residence_division: c.residence_division.clone(),
        residence_name: c.residence_name.clone(),
        schooling: c.schooling.clone(),
        health: c.health.clone(),
        disability_type: c.disability_type.clone(),
        disability_grade: c.disability_grade,
        categories: c.categories.clone(),
        relations: c.relations.iter().map(relation_to_wit).collect(),
        visits: c
            .visits
            .iter()
            .map(|v| w::VisitSnapshot {
                date: v.date.clone(),
                mode: v.mode.clone(),
                visitor: v.visitor.clone(),
                findings: v.findings.clone(),
            })
            .collect(),
        forms: c
            .forms
            .iter()
            .map(|f| w::FormValues {
                form_id: f.form_id.clone(),
                values: field_values_to_wit(&f.values),
            })
            .collect(),
    }
}

pub(crate) fn assess_input_to_wit(i: &p::AssessInput) -> w::AssessInput {
    w::AssessInput {
        today: i.today.clone(),
        answers: i
            .answers
            .iter()
            .map(|a| w::Answer {
                item_id: a.item_id.clone(),
                code: a.code.clone(),
            })
            .collect(),
        child: i.child.as_ref().map(child_to_wit),
    }
}

pub(crate) fn report_input_to_wit(i: &p::ReportInput) -> w::ReportInput {
    w::ReportInput {
        today: i.today.clone(),
        county_name: i.county_name.clone(),
        office_name: i.office_name.clone(),
        children: i.children.iter().map(child_to_wit).collect(),
        params: i.params.clone(),
    }
}

// ------------------------------------------------------------------ scales, findings, services, templates

pub(crate) fn scales(
    b: &mut Budget<'_>,
    s: Vec<w::ScaleDef>,
) -> Result<Vec<p::ScaleDef>, CallFailure> {
    b.list("scales", s, |b, s| {
        Ok(p::ScaleDef {
            id: b.s(s.id)?,
            version: b.s(s.version)?,
            name: b.s(s.name)?,
            description: b.s(s.description)?,
            credit: b.s(s.credit)?,
            items: b.list("items", s.items, |b, i| {
                Ok(p::ScaleItem {
                    id: b.s(i.id)?,
                    text: b.s(i.text)?,
                    text_alt: b.s(i.text_alt)?,
                    help: b.s(i.help)?,
                    group: b.s(i.group)?,
                    options: b.list("options", i.options, choice)?,
                })
            })?,
        })
    })
}

pub(crate) fn assessment(
    b: &mut Budget<'_>,
    a: w::Assessment,
) -> Result<p::Assessment, CallFailure> {
    let colour = a.colour.map(|c| match c {
        w::Colour::Red => p::Colour::Red,
        w::Colour::Orange => p::Colour::Orange,
        w::Colour::Yellow => p::Colour::Yellow,
        w::Colour::Blue => p::Colour::Blue,
        w::Colour::Green => p::Colour::Green,
    });
    if a.score.is_some_and(|s| !s.is_finite()) {
        return Err(malformed("评估得分不是有限数值"));
    }
    Ok(p::Assessment {
        level_code: b.s(a.level_code)?,
        level_label: b.s(a.level_label)?,
        colour,
        score: a.score,
        sub_scores: b.list("sub-scores", a.sub_scores, |b, s| {
            Ok(p::SubScore {
                name: b.s(s.name)?,
                value: s.value,
                flagged: s.flagged,
            })
        })?,
        reasons: b.strings("reasons", a.reasons)?,
        next_visit_days: a.next_visit_days,
        suggested_services: b.strings("suggested-services", a.suggested_services)?,
    })
}

pub(crate) fn findings(
    b: &mut Budget<'_>,
    f: Vec<w::Finding>,
) -> Result<Vec<p::Finding>, CallFailure> {
    b.list("findings", f, |b, f| {
        if hutong_core::national::category::CaseCategory::from_code(&f.category).is_none() {
            return Err(malformed(format!("未知的儿童类别代码“{}”", f.category)));
        }
        for d in [&f.effective_from, &f.effective_until]
            .into_iter()
            .flatten()
        {
            if hutong_core::national::dates::parse_flexible(d).is_none() {
                return Err(malformed(format!("日期“{d}”无效")));
            }
        }
        Ok(p::Finding {
            category: b.s(f.category)?,
            status: match f.status {
                w::FindingStatus::Eligible => p::FindingStatus::Eligible,
                w::FindingStatus::NotEligible => p::FindingStatus::NotEligible,
                w::FindingStatus::EvidenceMissing => p::FindingStatus::EvidenceMissing,
            },
            reasons: b.strings("reasons", f.reasons)?,
            citation: b.s(f.citation)?,
            effective_from: b.opt(f.effective_from)?,
            effective_until: b.opt(f.effective_until)?,
        })
    })
}

pub(crate) fn services(
    b: &mut Budget<'_>,
    s: Vec<w::ServiceItem>,
) -> Result<Vec<p::ServiceItem>, CallFailure> {
    b.list("services", s, |b, s| {
        Ok(p::ServiceItem {
            code: b.s(s.code)?,
            area: b.s(s.area)?,
            name: b.s(s.name)?,
            department: b.s(s.department)?,
            placeholder: s.placeholder,
        })
    })
}

pub(crate) fn templates(
    b: &mut Budget<'_>,
    t: Vec<w::TemplateInfo>,
) -> Result<Vec<p::TemplateInfo>, CallFailure> {
    b.list("templates", t, |b, t| {
        Ok(p::TemplateInfo {
            id: b.s(t.id)?,
            name: b.s(t.name)?,
            kind: match t.kind {
                w::TemplateKind::OneChild => p::TemplateKind::OneChild,
                w::TemplateKind::OneVisit => p::TemplateKind::OneVisit,
                w::TemplateKind::Roster => p::TemplateKind::Roster,
                w::TemplateKind::Statistics => p::TemplateKind::Statistics,
                w::TemplateKind::Referral => p::TemplateKind::Referral,
            },
        })
    })
}

// ------------------------------------------------------------------ documents

fn style(s: w::TextStyle) -> Result<d::TextStyle, CallFailure> {
    if !(s.size_pt.is_finite() && (4.0..=96.0).contains(&s.size_pt)) {
        return Err(malformed(format!("字号 {} 不在 4–96 磅之间", s.size_pt)));
    }
    Ok(d::TextStyle {
        font: match s.font {
            w::FontRole::Song => d::FontRole::Song,
            w::FontRole::Hei => d::FontRole::Hei,
            w::FontRole::Kai => d::FontRole::Kai,
            w::FontRole::Fangsong => d::FontRole::Fangsong,
            w::FontRole::XiaoBiaoSong => d::FontRole::XiaoBiaoSong,
        },
        size_pt: s.size_pt,
        bold: s.bold,
        underline: s.underline,
    })
}

fn align(a: w::Align) -> d::Align {
    match a {
        w::Align::Left => d::Align::Left,
        w::Align::Center => d::Align::Center,
        w::Align::Right => d::Align::Right,
        w::Align::Justify => d::Align::Justify,
    }
}

fn runs(b: &mut Budget<'_>, runs: Vec<w::Run>) -> Result<Vec<d::Run>, CallFailure> {
    b.list("runs", runs, |b, r| {
        Ok(d::Run {
            text: b.s(r.text)?,
            style: style(r.style)?,
        })
    })
}

fn finite(v: f32, what: &str, max: f32) -> Result<f32, CallFailure> {
    if v.is_finite() && (0.0..=max).contains(&v) {
        Ok(v)
    } else {
        Err(malformed(format!("{what} {v} 超出范围 0–{max}")))
    }
}

struct Arena<'a, 'b> {
    nodes: Vec<Option<w::Node>>,
    budget: &'a mut Budget<'b>,
    max_depth: usize,
}

impl Arena<'_, '_> {
    /// Takes node `i` out of the arena: a second use (sharing or a cycle)
    /// finds it gone and is refused.
    fn take(&mut self, i: u32, parent: &str) -> Result<w::Node, CallFailure> {
        let len = self.nodes.len();
        let slot = self
            .nodes
            .get_mut(i as usize)
            .ok_or_else(|| malformed(format!("{parent}引用了不存在的节点 {i}（共 {len} 个）")))?;
        slot.take()
            .ok_or_else(|| malformed(format!("节点 {i} 被多次引用（重复使用或存在循环）")))
    }

    fn block(&mut self, i: u32, depth: usize) -> Result<d::Block, CallFailure> {
        if depth > self.max_depth {
            return Err(CallFailure::OutputTooLarge {
                what: "文档嵌套层数".into(),
                limit: self.max_depth,
            });
        }
        let node = self.take(i, "文档")?;
        let b = &mut *self.budget;
        let leaf = |children: &Vec<u32>, what: &str| -> Result<(), CallFailure> {
            if children.is_empty() {
                Ok(())
            } else {
                Err(malformed(format!("{what}节点不能有子节点")))
            }
        };
        Ok(match node.kind {
            w::NodeKind::Heading(h) => {
                leaf(&node.children, "标题")?;
                d::Block::Heading {
                    level: h.level.clamp(1, 6),
                    runs: runs(b, h.runs)?,
                    align: align(h.align),
                }
            }
            w::NodeKind::Paragraph(p) => {
                leaf(&node.children, "段落")?;
                d::Block::Paragraph(d::Paragraph {
                    runs: runs(b, p.runs)?,
                    align: align(p.align),
                    first_line_indent_chars: finite(p.first_line_indent_chars, "首行缩进", 20.0)?,
                    space_before_pt: finite(p.space_before_pt, "段前距", 200.0)?,
                    space_after_pt: finite(p.space_after_pt, "段后距", 200.0)?,
                })
            }
            w::NodeKind::KeyValue(k) => {
                leaf(&node.children, "键值表")?;
                if k.pairs_per_row == 0 || k.pairs_per_row > 6 {
                    return Err(malformed("键值表每行对数应为 1–6"));
                }
                d::Block::KeyValue(d::KeyValueGrid {
                    pairs_per_row: k.pairs_per_row,
                    label_fraction: finite(k.label_fraction, "标签宽度比例", 1.0)?,
                    items: b.list("key-value items", k.items, |b, it| {
                        Ok(d::KeyValueItem {
                            label: b.s(it.label)?,
                            value: b.s(it.value)?,
                            span: it.span.max(1),
                        })
                    })?,
                    style: style(k.style)?,
                })
            }
            w::NodeKind::Table(t) => {
                if t.column_fractions.is_empty() || t.column_fractions.len() > 64 {
                    return Err(malformed("表格列数应为 1–64"));
                }
                for f in &t.column_fractions {
                    if !(f.is_finite() && *f > 0.0) {
                        return Err(malformed("表格列宽比例应为正数"));
                    }
                }
                let columns = t.column_fractions.len();
                let mut rows = Vec::with_capacity(node.children.len());
                for r in node.children {
                    let row = self.take(r, "表格")?;
                    if !matches!(row.kind, w::NodeKind::TableRow) {
                        return Err(malformed(format!("表格的子节点 {r} 不是表格行")));
                    }
                    let mut cells = Vec::with_capacity(row.children.len());
                    let mut span_total = 0usize;
                    for c in row.children {
                        let cell = self.take(c, "表格行")?;
                        let w::NodeKind::TableCell(info) = cell.kind else {
                            return Err(malformed(format!("表格行的子节点 {c} 不是单元格")));
                        };
                        let mut blocks = Vec::with_capacity(cell.children.len());
                        for child in cell.children {
                            blocks.push(self.block(child, depth + 1)?);
                        }
                        span_total += info.col_span.max(1) as usize;
                        cells.push(d::TableCell {
                            blocks,
                            col_span: info.col_span.max(1),
                            align: align(info.align),
                        });
                    }
                    if span_total > columns {
                        return Err(malformed(format!(
                            "表格行占 {span_total} 列，超过表格的 {columns} 列"
                        )));
                    }
                    rows.push(d::TableRow { cells });
                }
                d::Block::Table(d::Table {
                    column_fractions: t.column_fractions,
                    header_rows: t.header_rows,
                    rows,
                })
            }
            w::NodeKind::TableRow | w::NodeKind::TableCell(_) => {
                return Err(malformed(format!(
                    "节点 {i} 是表格行或单元格，只能放在表格中"
                )));
            }
            w::NodeKind::Checkboxes(c) => {
                leaf(&node.children, "勾选项")?;
                d::Block::Checkboxes(d::CheckboxList {
                    label: b.opt(c.label)?,
                    options: b.list("checkbox options", c.options, |b, o| {
                        Ok(d::CheckboxOption {
                            label: b.s(o.label)?,
                            checked: o.checked,
                        })
                    })?,
                    style: style(c.style)?,
                })
            }
            w::NodeKind::SignatureLine(s) => {
                leaf(&node.children, "签名行")?;
                d::Block::SignatureLine {
                    items: b.list("signature items", s.items, |b, it| {
                        Ok(d::SignatureItem {
                            label: b.s(it.label)?,
                            kind: match it.kind {
                                w::SignatureKind::Signature => d::SignatureKind::Signature,
                                w::SignatureKind::Date => d::SignatureKind::Date,
                            },
                        })
                    })?,
                    align: align(s.align),
                    style: style(s.style)?,
                }
            }
            w::NodeKind::SealPlaceholder(label) => d::Block::SealPlaceholder { label: b.s(label)? },
            w::NodeKind::Rule(t) => d::Block::Rule {
                thickness_pt: finite(t, "线宽", 10.0)?,
            },
            w::NodeKind::Spacer(h) => d::Block::Spacer {
                height_pt: finite(h, "空白高度", 800.0)?,
            },
            w::NodeKind::PageBreak => d::Block::PageBreak,
            w::NodeKind::Image(img) => d::Block::Image {
                reference: b.s(img.reference)?,
                width_mm: finite(img.width_mm, "图片宽度", 400.0)?,
                height_mm: finite(img.height_mm, "图片高度", 400.0)?,
                caption: b.opt(img.caption)?,
            },
        })
    }
}

pub(crate) fn document(b: &mut Budget<'_>, doc: w::Document) -> Result<d::Document, CallFailure> {
    let limits_nodes = b.limits.max_nodes;
    let max_depth = b.limits.max_depth;
    if doc.nodes.len() > limits_nodes {
        return Err(CallFailure::OutputTooLarge {
            what: format!("文档节点数 {}", doc.nodes.len()),
            limit: limits_nodes,
        });
    }
    let page = doc.page;
    let margins = d::Margins {
        top_mm: finite(page.margins.top_mm, "上边距", 100.0)?,
        bottom_mm: finite(page.margins.bottom_mm, "下边距", 100.0)?,
        left_mm: finite(page.margins.left_mm, "左边距", 100.0)?,
        right_mm: finite(page.margins.right_mm, "右边距", 100.0)?,
    };
    let page_setup = d::PageSetup {
        orientation: match page.orientation {
            w::Orientation::Portrait => d::Orientation::Portrait,
            w::Orientation::Landscape => d::Orientation::Landscape,
        },
        margins,
        header: b.opt(page.header)?,
        footer: b.opt(page.footer)?,
        page_number: b.opt(page.page_number)?,
        preset: page.preset.map(|p| match p {
            w::Preset::Gbt9704 => d::Preset::GbT9704,
        }),
    };
    let title = b.s(doc.title)?;
    let body_idx = doc.body;
    let mut arena = Arena {
        nodes: doc.nodes.into_iter().map(Some).collect(),
        budget: b,
        max_depth,
    };
    let mut body = Vec::with_capacity(body_idx.len());
    for i in body_idx {
        body.push(arena.block(i, 1)?);
    }
    Ok(d::Document {
        title,
        page: page_setup,
        body,
    })
}
