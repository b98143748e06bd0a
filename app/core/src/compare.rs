//! The 数据比对 workbench: compare our children's files with another
//! department's list (学籍库, 低保, 残联, 公安户籍, 医保).
//!
//! Matching, in order:
//! 1. by ID number, after its check digit is validated: against our
//!    children, then against the parents and carers in our files;
//! 2. for rows whose ID is missing, invalid or unknown: by birth date and
//!    name (equal, or one character different in a name of the same length),
//!    only when exactly one of our children fits.
//!
//! Every row lands in one of four groups: the same; matched but different
//! (with a field-level diff, each field accepted or rejected separately by a
//! reviewer, with provenance); only ours; only theirs. Flags:
//! - a child aged 6–15 missing from 学籍库, or marked 辍学/休学 there, is a
//!   dropout risk;
//! - a parent whom the other list reports dead, or released from prison,
//!   needs the child's eligibility re-checked.
//!
//! [`run`] computes without writing; [`save`] stores the result (tables
//! `comparisons`, `comparison_rows`) with one audit entry; [`decide`] records
//! a per-field decision (`comparison_decisions`) and applies an accepted
//! value to the child's file in the same transaction.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::children::{self, Child, ChildInput};
use crate::error::{CoreError, Result};
use crate::persons::RelationKind;
use crate::store::{Actor, Store};
use crate::table::export::{Sheet, xlsx_bytes};
use crate::table::import::{RowProblem, VillageIndex, check_id};
use crate::table::mapping::{self, Field, Mapping, Resolved};
use crate::table::read::RawTable;
use hutong_national::NaiveDate;
use hutong_national::category::ParentalSituation;
use hutong_national::{dates, id_number};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The departments whose lists a county compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// 学籍库 (education): pupils; missing school-age children are dropout risks.
    StudentRegistry,
    /// 低保 (minimum living allowance) households.
    Dibao,
    /// 残联 (disabled persons' federation).
    DisabledFederation,
    /// 公安户籍 (police household registration): deaths, releases.
    PoliceHukou,
    /// 医保 (medical insurance).
    MedicalInsurance,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::StudentRegistry,
        Source::Dibao,
        Source::DisabledFederation,
        Source::PoliceHukou,
        Source::MedicalInsurance,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Source::StudentRegistry => "学籍库",
            Source::Dibao => "低保",
            Source::DisabledFederation => "残联",
            Source::PoliceHukou => "公安户籍",
            Source::MedicalInsurance => "医保",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Source::StudentRegistry => "student_registry",
            Source::Dibao => "dibao",
            Source::DisabledFederation => "disabled_federation",
            Source::PoliceHukou => "police_hukou",
            Source::MedicalInsurance => "medical_insurance",
        }
    }

    /// From the Chinese name (学籍, 学籍库, 公安, 公安户籍…) or the code.
    pub fn from_name(s: &str) -> Option<Source> {
        let t = s.trim();
        Source::ALL.into_iter().find(|src| {
            src.code() == t
                || src.label_zh() == t
                || (t.chars().count() >= 2 && src.label_zh().starts_with(t))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Same,
    Different,
    OnlyOurs,
    OnlyTheirs,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::Same,
        Group::Different,
        Group::OnlyOurs,
        Group::OnlyTheirs,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Group::Same => "same",
            Group::Different => "different",
            Group::OnlyOurs => "only_ours",
            Group::OnlyTheirs => "only_theirs",
        }
    }
    pub fn from_code(s: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Group::Same => "一致",
            Group::Different => "匹配但有差异",
            Group::OnlyOurs => "仅我方有",
            Group::OnlyTheirs => "仅对方有",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    /// The child's ID number.
    IdNumber,
    /// A parent's or carer's ID number.
    PersonId,
    /// Birth date and name (fuzzy).
    NameBirth,
}

impl MatchMethod {
    /// The stored code (the serde name).
    pub fn code(self) -> &'static str {
        match self {
            MatchMethod::IdNumber => "id_number",
            MatchMethod::PersonId => "person_id",
            MatchMethod::NameBirth => "name_birth",
        }
    }

    pub fn from_code(s: &str) -> Option<MatchMethod> {
        [
            MatchMethod::IdNumber,
            MatchMethod::PersonId,
            MatchMethod::NameBirth,
        ]
        .into_iter()
        .find(|m| m.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            MatchMethod::IdNumber => "身份证号",
            MatchMethod::PersonId => "父母/监护人身份证号",
            MatchMethod::NameBirth => "姓名+出生日期（模糊）",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// A school-age child missing from 学籍 or marked as dropped out.
    DropoutRisk,
    /// A parent's death or release reported: re-check eligibility.
    EligibilityRecheck,
    /// Their ID number failed validation.
    TheirIdInvalid,
}

impl FlagKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            FlagKind::DropoutRisk => "失学辍学风险",
            FlagKind::EligibilityRecheck => "需复核保障资格",
            FlagKind::TheirIdInvalid => "对方身份证号有误",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub kind: FlagKind,
    pub child_id: Option<RowId>,
    pub message: String,
}

/// One differing field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDiff {
    pub field: Field,
    pub ours: Option<String>,
    /// Their value as written.
    pub theirs: Option<String>,
    /// Their value as it would be stored if accepted (a village name
    /// resolved to its code), when it can be.
    pub theirs_value: Option<String>,
}

/// A row of the other department's list, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TheirRecord {
    pub line: usize,
    /// The ID as written, and the validated number if it passed.
    pub id_raw: Option<String>,
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    /// Every mapped field as text.
    pub fields: BTreeMap<Field, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    /// Key of the stored row (assigned before saving, so decisions can name it).
    pub row_id: RowId,
    pub group: Group,
    pub child_id: Option<RowId>,
    pub child_name: Option<String>,
    pub person_id: Option<RowId>,
    pub theirs: Option<TheirRecord>,
    pub method: Option<MatchMethod>,
    pub diffs: Vec<FieldDiff>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub their_rows: usize,
    pub same: usize,
    pub different: usize,
    pub only_ours: usize,
    pub only_theirs: usize,
    pub flags: usize,
}

/// A comparison's full result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub id: RowId,
    pub source: Source,
    pub file_name: String,
    pub file_sha256: String,
    pub mapping: Mapping,
    pub run_on: NaiveDate,
    pub rows: Vec<ResultRow>,
    /// Their rows that could not be compared at all (no ID and no name).
    pub problems: Vec<RowProblem>,
}

impl Comparison {
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            their_rows: self.rows.iter().filter(|r| r.theirs.is_some()).count()
                + self.problems.len(),
            ..Default::default()
        };
        for r in &self.rows {
            match r.group {
                Group::Same => c.same += 1,
                Group::Different => c.different += 1,
                Group::OnlyOurs => c.only_ours += 1,
                Group::OnlyTheirs => c.only_theirs += 1,
            }
            c.flags += r.flags.len();
        }
        c
    }

    pub fn group(&self, g: Group) -> impl Iterator<Item = &ResultRow> {
        self.rows.iter().filter(move |r| r.group == g)
    }

    pub fn flags(&self) -> impl Iterator<Item = (&ResultRow, &Flag)> {
        self.rows
            .iter()
            .flat_map(|r| r.flags.iter().map(move |f| (r, f)))
    }
}

/// Text compared without spaces, with full-width ASCII made half-width.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

fn name_key(s: &str) -> String {
    norm(s).chars().filter(|c| *c != '·' && *c != '•').collect()
}

/// 1.0 for equal names, 0.8 for one different character in a name of the
/// same length (张小雨 / 张晓雨), else 0.
pub fn name_similarity(a: &str, b: &str) -> f32 {
    let (a, b) = (name_key(a), name_key(b));
    if a == b {
        return 1.0;
    }
    let (ac, bc): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ac.len() == bc.len() && ac.len() >= 2 {
        let differing = ac.iter().zip(&bc).filter(|(x, y)| x != y).count();
        if differing == 1 && ac[0] == bc[0] {
            return 0.8;
        }
    }
    0.0
}

/// The fields a diff looks at, with our value.
fn our_value(c: &Child, f: Field) -> Option<String> {
    match f {
        Field::Name => Some(c.name.clone()),
        Field::Sex => Some(c.sex.label_zh().to_string()),
        Field::BirthDate => Some(c.birth_date.to_string()),
        Field::Village => Some(c.residence_division.clone()),
        Field::Ethnicity => c.ethnicity.clone(),
        Field::HukouDivision => c.hukou_division.clone(),
        Field::HukouAddress => c.hukou_address.clone(),
        Field::ResidenceAddress => c.residence_address.clone(),
        Field::Phone => c.phone.clone(),
        Field::Schooling => c.schooling.clone(),
        Field::School => c.school.clone(),
        Field::Grade => c.grade.clone(),
        Field::Health => c.health.clone(),
        Field::DisabilityType => c.disability_type.clone(),
        Field::DisabilityGrade => c.disability_grade.map(|g| g.to_string()),
        Field::IdNumber => Some(c.id_number.clone()),
        Field::Township
        | Field::Category
        | Field::Status
        | Field::ChildIdNumber
        | Field::Relation
        | Field::Guardian
        | Field::Occupation => None,
    }
}

const DIFF_FIELDS: [Field; 15] = [
    Field::Name,
    Field::Sex,
    Field::BirthDate,
    Field::Village,
    Field::Ethnicity,
    Field::HukouDivision,
    Field::HukouAddress,
    Field::ResidenceAddress,
    Field::Phone,
    Field::Schooling,
    Field::School,
    Field::Grade,
    Field::Health,
    Field::DisabilityType,
    Field::DisabilityGrade,
];

fn status_is_dropout(s: &str) -> bool {
    ["辍学", "休学", "失学", "退学", "流失"]
        .iter()
        .any(|k| s.contains(k))
}
fn status_is_death(s: &str) -> bool {
    ["死亡", "身故", "已故", "注销(死亡)"]
        .iter()
        .any(|k| s.contains(k))
}
fn status_is_release(s: &str) -> bool {
    ["释放", "刑满", "解除强制"].iter().any(|k| s.contains(k))
}

/// A parent or carer of one of our children, by ID number.
struct ParentLink {
    person_id: RowId,
    name: String,
    child_id: RowId,
    relation: RelationKind,
    situation: Option<ParentalSituation>,
}

fn parent_links(conn: &Connection) -> Result<HashMap<String, Vec<ParentLink>>> {
    let mut stmt = conn.prepare(
        "SELECT p.id_number, p.id, p.name, r.child_id, r.relation, r.situation
         FROM persons p JOIN child_relations r ON r.person_id = p.id
         JOIN children c ON c.id = r.child_id
         WHERE p.id_number IS NOT NULL AND r.status = 'active' AND c.status = 'active'",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, RowId>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, RowId>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    let mut out: HashMap<String, Vec<ParentLink>> = HashMap::new();
    for row in rows {
        let (idn, person_id, name, child_id, rel, sit) = row?;
        let Some(relation) = RelationKind::from_code(&rel) else {
            continue;
        };
        out.entry(idn).or_default().push(ParentLink {
            person_id,
            name,
            child_id,
            relation,
            situation: sit.as_deref().and_then(ParentalSituation::from_code),
        });
    }
    Ok(out)
}

fn their_record(
    table: &RawTable,
    cols: &Resolved,
    row: &crate::table::read::RawRow,
    today: NaiveDate,
) -> (TheirRecord, Option<String>) {
    let mut fields = BTreeMap::new();
    for (f, c) in &cols.columns {
        let cell = row.get(*c);
        let v = match f {
            Field::Village | Field::HukouDivision => mapping::code_text(cell),
            Field::BirthDate => mapping::date(cell).ok().flatten().map(|d| d.to_string()),
            Field::IdNumber => mapping::id_text(cell).ok().flatten(),
            _ => mapping::text(cell),
        };
        if let Some(v) = v {
            fields.insert(*f, v);
        }
    }
    let id_cell = cols.col(Field::IdNumber).map(|c| row.get(c));
    let (id_number, id_problem) = match id_cell {
        Some(cell) if !cell.is_empty() => match check_id(cell, today) {
            Ok(p) => (Some(p.number), None),
            Err(m) => (None, Some(m)),
        },
        _ => (None, None),
    };
    let id_raw = id_cell.filter(|c| !c.is_empty()).map(|c| c.display());
    let birth_date = cols
        .col(Field::BirthDate)
        .and_then(|c| mapping::date(row.get(c)).ok().flatten())
        .or_else(|| {
            // From the ID's date digits, even when its check digit is wrong.
            let n = id_number::normalize(id_raw.as_deref().unwrap_or(""));
            n.get(6..14)
                .and_then(hutong_national::dates::parse_flexible)
        });
    let _ = table;
    (
        TheirRecord {
            line: row.line,
            id_raw,
            id_number,
            name: fields.get(&Field::Name).cloned(),
            birth_date,
            fields,
        },
        id_problem,
    )
}

/// Compares a table (already read) with our active children. Writes nothing.
pub fn run(
    conn: &Connection,
    source: Source,
    table: &RawTable,
    mapping: &Mapping,
    file_sha256: &str,
    today: NaiveDate,
) -> Result<Comparison> {
    let cols = mapping::resolve(mapping, table, &[])?;
    if cols.col(Field::IdNumber).is_none()
        && (cols.col(Field::Name).is_none() || cols.col(Field::BirthDate).is_none())
    {
        return Err(CoreError::BadFile {
            path: table.source.clone().into(),
            message: "比对需要“身份证号”列，或“姓名”和“出生日期”两列".into(),
        });
    }
    let villages = VillageIndex::load(conn)?;
    let ours: Vec<Child> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT {} FROM children WHERE status = 'active'",
            children::CHILD_COLUMNS
        ))?;
        let rows = stmt.query_map([], children::row_to_child)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let by_id: HashMap<&str, usize> = ours
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id_number.as_str(), i))
        .collect();
    let mut by_birth: HashMap<NaiveDate, Vec<usize>> = HashMap::new();
    for (i, c) in ours.iter().enumerate() {
        by_birth.entry(c.birth_date).or_default().push(i);
    }
    let parents = parent_links(conn)?;
    let names: HashMap<RowId, &str> = ours.iter().map(|c| (c.id, c.name.as_str())).collect();
    let mut matched = vec![false; ours.len()];
    let mut rows = Vec::with_capacity(table.rows.len() + ours.len() / 4);
    let mut problems = Vec::new();

    // First pass: exact ID matches, so fuzzy matching never steals a child
    // that a later row names by ID.
    let mut records = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let (rec, id_problem) = their_record(table, &cols, row, today);
        if rec.id_raw.is_none() && rec.name.is_none() {
            problems.push(RowProblem {
                line: row.line,
                column: None,
                message: "既无身份证号也无姓名，无法比对".into(),
            });
            continue;
        }
        let hit = rec.id_number.as_deref().and_then(|n| by_id.get(n).copied());
        if let Some(i) = hit {
            matched[i] = true;
        }
        records.push((rec, id_problem, hit));
    }

    for (rec, id_problem, hit) in records {
        let mut flags = Vec::new();
        if let Some(m) = &id_problem {
            flags.push(Flag {
                kind: FlagKind::TheirIdInvalid,
                child_id: None,
                // The other department's number is masked like ours: the
                // flag names the row, which the office can open in its file.
                message: format!(
                    "对方第{}行身份证号“{}”：{m}",
                    rec.line,
                    hutong_national::id_number::mask(rec.id_raw.as_deref().unwrap_or_default())
                ),
            });
        }
        let status = rec.fields.get(&Field::Status).cloned().unwrap_or_default();
        let (child_idx, method) = match hit {
            Some(i) => (Some(i), Some(MatchMethod::IdNumber)),
            None => {
                // Fuzzy: same birth date, similar name, exactly one candidate.
                let fuzzy = match (&rec.name, rec.birth_date) {
                    (Some(name), Some(birth)) => {
                        let cands: Vec<(usize, f32)> = by_birth
                            .get(&birth)
                            .map(|v| {
                                v.iter()
                                    .filter(|&&i| !matched[i])
                                    .map(|&i| (i, name_similarity(name, &ours[i].name)))
                                    .filter(|(_, s)| *s >= 0.8)
                                    .collect()
                            })
                            .unwrap_or_default();
                        let best = cands.iter().map(|(_, s)| *s).fold(0.0f32, f32::max);
                        let top: Vec<usize> = cands
                            .iter()
                            .filter(|(_, s)| *s == best)
                            .map(|(i, _)| *i)
                            .collect();
                        match top.as_slice() {
                            [one] => Some(*one),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                match fuzzy {
                    Some(i) => {
                        matched[i] = true;
                        (Some(i), Some(MatchMethod::NameBirth))
                    }
                    None => (None, None),
                }
            }
        };
        if let Some(i) = child_idx {
            let c = &ours[i];
            let mut diffs = Vec::new();
            for f in DIFF_FIELDS {
                let Some(theirs) = rec.fields.get(&f) else {
                    continue;
                };
                let ours_v = our_value(c, f);
                let (same, theirs_value) = match f {
                    Field::Village => match villages
                        .resolve(theirs, rec.fields.get(&Field::Township).map(String::as_str))
                    {
                        Ok(code) => (code == c.residence_division, Some(code)),
                        Err(_) => (false, None),
                    },
                    Field::Sex => (
                        norm(theirs).starts_with(c.sex.label_zh())
                            || norm(theirs).eq_ignore_ascii_case(c.sex.code()),
                        None,
                    ),
                    Field::Name => (name_key(theirs) == name_key(&c.name), Some(theirs.clone())),
                    Field::BirthDate | Field::HukouDivision => {
                        (Some(norm(theirs)) == ours_v.as_deref().map(norm), None)
                    }
                    _ => (
                        Some(norm(theirs)) == ours_v.as_deref().map(norm),
                        Some(theirs.clone()),
                    ),
                };
                if !same {
                    diffs.push(FieldDiff {
                        field: f,
                        ours: ours_v,
                        theirs: Some(theirs.clone()),
                        theirs_value,
                    });
                }
            }
            if method == Some(MatchMethod::NameBirth)
                && let Some(raw) = &rec.id_raw
                && rec.id_number.as_deref() != Some(c.id_number.as_str())
            {
                diffs.push(FieldDiff {
                    field: Field::IdNumber,
                    ours: Some(c.id_number.clone()),
                    theirs: Some(raw.clone()),
                    theirs_value: rec.id_number.clone(),
                });
            }
            if source == Source::StudentRegistry && status_is_dropout(&status) {
                flags.push(Flag {
                    kind: FlagKind::DropoutRisk,
                    child_id: Some(c.id),
                    message: format!("{}在学籍库中的状态为“{status}”", c.name),
                });
            }
            if status_is_death(&status) {
                flags.push(Flag {
                    kind: FlagKind::EligibilityRecheck,
                    child_id: Some(c.id),
                    message: format!(
                        "{}本人在{}中为“{status}”，请核实并结案",
                        c.name,
                        source.label_zh()
                    ),
                });
            }
            rows.push(ResultRow {
                row_id: RowId::new(),
                group: if diffs.is_empty() {
                    Group::Same
                } else {
                    Group::Different
                },
                child_id: Some(c.id),
                child_name: Some(c.name.clone()),
                person_id: None,
                theirs: Some(rec),
                method,
                diffs,
                flags,
            });
            continue;
        }
        // A parent or carer of our children?
        if let Some(links) = rec.id_number.as_deref().and_then(|n| parents.get(n)) {
            for l in links {
                let dead = status_is_death(&status);
                let released = status_is_release(&status);
                let needs = (dead && l.situation != Some(ParentalSituation::Dead))
                    || (released
                        && matches!(
                            l.situation,
                            Some(
                                ParentalSituation::Imprisoned
                                    | ParentalSituation::CompulsoryRehab
                                    | ParentalSituation::OtherRestriction
                            )
                        ));
                if needs {
                    flags.push(Flag {
                        kind: FlagKind::EligibilityRecheck,
                        child_id: Some(l.child_id),
                        message: format!(
                            "{}的{}{}在{}中为“{status}”（我方记录：{}），需复核保障资格",
                            names.get(&l.child_id).copied().unwrap_or(""),
                            l.relation.label_zh(),
                            l.name,
                            source.label_zh(),
                            l.situation.map(|s| s.label_zh()).unwrap_or("无特殊情况"),
                        ),
                    });
                }
            }
            let first = &links[0];
            let name_diff = rec
                .name
                .as_ref()
                .filter(|n| name_key(n) != name_key(&first.name))
                .map(|n| FieldDiff {
                    field: Field::Name,
                    ours: Some(first.name.clone()),
                    theirs: Some(n.clone()),
                    theirs_value: None,
                });
            rows.push(ResultRow {
                row_id: RowId::new(),
                group: if name_diff.is_some() {
                    Group::Different
                } else {
                    Group::Same
                },
                child_id: Some(first.child_id),
                child_name: names.get(&first.child_id).map(|s| s.to_string()),
                person_id: Some(first.person_id),
                theirs: Some(rec),
                method: Some(MatchMethod::PersonId),
                diffs: name_diff.into_iter().collect(),
                flags,
            });
            continue;
        }
        rows.push(ResultRow {
            row_id: RowId::new(),
            group: Group::OnlyTheirs,
            child_id: None,
            child_name: None,
            person_id: None,
            theirs: Some(rec),
            method: None,
            diffs: Vec::new(),
            flags,
        });
    }

    for (i, c) in ours.iter().enumerate() {
        if matched[i] {
            continue;
        }
        let mut flags = Vec::new();
        let age = dates::age_on(c.birth_date, today);
        if source == Source::StudentRegistry && (6..=15).contains(&age) {
            flags.push(Flag {
                kind: FlagKind::DropoutRisk,
                child_id: Some(c.id),
                message: format!(
                    "{}（{age}岁，义务教育年龄）不在学籍库中，可能失学辍学",
                    c.name
                ),
            });
        }
        rows.push(ResultRow {
            row_id: RowId::new(),
            group: Group::OnlyOurs,
            child_id: Some(c.id),
            child_name: Some(c.name.clone()),
            person_id: None,
            theirs: None,
            method: None,
            diffs: Vec::new(),
            flags,
        });
    }

    Ok(Comparison {
        id: RowId::new(),
        source,
        file_name: table.source.clone(),
        file_sha256: file_sha256.to_string(),
        mapping: mapping.clone(),
        run_on: today,
        rows,
        problems,
    })
}

/// Stores a comparison and its rows with one audit entry.
pub fn save(store: &mut Store, actor: &Actor, cmp: &Comparison) -> Result<()> {
    let counts = cmp.counts();
    store.write(actor, |tx| {
        tx.conn().execute(
            "INSERT INTO comparisons (id, source, file_name, file_sha256, mapping_json, run_on, their_rows,
                same, different, only_ours, only_theirs, flags, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                cmp.id,
                cmp.source.code(),
                cmp.file_name,
                cmp.file_sha256,
                serde_json::to_string(&cmp.mapping)?,
                cmp.run_on.to_string(),
                counts.their_rows as i64,
                counts.same as i64,
                counts.different as i64,
                counts.only_ours as i64,
                counts.only_theirs as i64,
                counts.flags as i64,
                tx.now(),
            ],
        )?;
        // One prepared statement per row shape, in the one transaction.
        // Rows whose values agree (一致, 仅我方) store only their keys: their
        // record adds nothing the child's file does not hold, and writing
        // 100,000 JSON copies of it was most of the save time. Differences,
        // flags and the other side's rows keep everything the workbench and
        // the provenance of a decision need.
        {
            let mut keys_only = tx.conn().prepare_cached(
                "INSERT INTO comparison_rows (id, comparison_id, grp, child_id, person_id, their_line, match_method)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            let mut full = tx.conn().prepare_cached(
                "INSERT INTO comparison_rows (id, comparison_id, grp, child_id, person_id, their_line,
                    match_method, their_json, diffs_json, flags_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for r in &cmp.rows {
                let line = r.theirs.as_ref().map(|t| t.line as i64);
                let method = r.method.map(MatchMethod::code);
                let compact = matches!(r.group, Group::Same | Group::OnlyOurs)
                    && r.diffs.is_empty()
                    && r.flags.is_empty();
                if compact {
                    keys_only.execute(params![
                        r.row_id,
                        cmp.id,
                        r.group.code(),
                        r.child_id,
                        r.person_id,
                        line,
                        method,
                    ])?;
                } else {
                    full.execute(params![
                        r.row_id,
                        cmp.id,
                        r.group.code(),
                        r.child_id,
                        r.person_id,
                        line,
                        method,
                        r.theirs.as_ref().map(serde_json::to_string).transpose()?,
                        serde_json::to_string(&r.diffs)?,
                        serde_json::to_string(&r.flags)?,
                    ])?;
                }
            }
        }
        tx.audit(
            AuditEntryInput::new(AuditAction::CompareRun, "comparisons", Some(cmp.id.to_string())).detail(
                serde_json::json!({
                    "source": cmp.source.label_zh(),
                    "file": cmp.file_name,
                    "file_sha256": cmp.file_sha256,
                    "mapping": cmp.mapping.name,
                    "counts": counts,
                    "unreadable_lines": cmp.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
                }),
            ),
        )
    })
}

/// Reads a file, compares it and saves the result: what `hutong compare` does.
pub fn compare_file(
    store: &mut Store,
    actor: &Actor,
    path: &std::path::Path,
    source: Source,
    mapping_name: Option<&str>,
    today: NaiveDate,
) -> Result<Comparison> {
    let table = crate::table::read_with_mapping(store.conn(), path, mapping_name)?;
    let (mapping, _) = crate::table::mapping_for(
        store.conn(),
        mapping_name.or(Some(source.label_zh())),
        &table,
    )?;
    let sha = crate::table::file_sha256(path)?;
    let cmp = run(store.conn(), source, &table, &mapping, &sha, today)?;
    save(store, actor, &cmp)?;
    Ok(cmp)
}

/// A reviewer's decision on one field of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub id: RowId,
    pub row_id: RowId,
    pub field: Field,
    pub accepted: bool,
    pub ours: Option<String>,
    pub theirs: Option<String>,
}

/// Accepts or rejects one differing field. Accepting writes their value
/// into the child's file (validated like any edit, and audited as a change
/// with the comparison as its source); both record the decision with its
/// provenance: source, file, line, reviewer and time.
pub fn decide(
    store: &mut Store,
    actor: &Actor,
    row_id: RowId,
    field: Field,
    accept: bool,
    note: Option<&str>,
) -> Result<Decision> {
    type RowInfo = (RowId, Option<RowId>, Option<i64>, String, String, String);
    let row: Option<RowInfo> = store
        .conn()
        .query_row(
            "SELECT r.comparison_id, r.child_id, r.their_line, r.diffs_json, c.source, c.file_name
             FROM comparison_rows r JOIN comparisons c ON c.id = r.comparison_id WHERE r.id = ?1",
            [row_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((comparison_id, child_id, line, diffs_json, source, file_name)) = row else {
        return Err(CoreError::NotFound {
            what: "比对结果行",
            key: row_id.to_string(),
        });
    };
    let diffs: Vec<FieldDiff> = serde_json::from_str(&diffs_json)?;
    let Some(diff) = diffs.into_iter().find(|d| d.field == field) else {
        return Err(CoreError::field(field.label_zh(), "这一行的该字段没有差异"));
    };
    let source_label = Source::ALL
        .into_iter()
        .find(|s| s.code() == source)
        .map(|s| s.label_zh())
        .unwrap_or("其他部门");
    let provenance = format!(
        "数据比对：{source_label}《{file_name}》第{}行",
        line.unwrap_or_default()
    );
    store.write(actor, |tx| {
        if accept {
            let child_id = child_id.ok_or_else(|| CoreError::field("比对结果", "该行没有对应的儿童档案"))?;
            let value = diff.theirs_value.clone().ok_or_else(|| {
                CoreError::field(
                    field.label_zh(),
                    format!(
                        "对方的值“{}”无法直接采纳（该字段由身份证号决定，或无法识别），请手工核实",
                        diff.theirs.clone().unwrap_or_default()
                    ),
                )
            })?;
            let child = children::get(tx.conn(), tx.actor().scope(), child_id)?.ok_or_else(|| CoreError::NotFound {
                what: "儿童档案",
                key: child_id.to_string(),
            })?;
            let mut input = ChildInput {
                id_number: child.id_number.clone(),
                name: child.name.clone(),
                name_alt: child.name_alt.clone(),
                ethnicity: child.ethnicity.clone(),
                hukou_division: child.hukou_division.clone(),
                hukou_address: child.hukou_address.clone(),
                residence_division: child.residence_division.clone(),
                residence_address: child.residence_address.clone(),
                phone: child.phone.clone(),
                schooling: child.schooling.clone(),
                school: child.school.clone(),
                grade: child.grade.clone(),
                health: child.health.clone(),
                disability_type: child.disability_type.clone(),
                disability_grade: child.disability_grade,
            };
            match field {
                Field::IdNumber => input.id_number = value,
                Field::Name => input.name = value,
                Field::Village => input.residence_division = value,
                Field::Ethnicity => input.ethnicity = Some(value),
                Field::HukouAddress => input.hukou_address = Some(value),
                Field::ResidenceAddress => input.residence_address = Some(value),
                Field::Phone => input.phone = Some(value),
                Field::Schooling => input.schooling = Some(value),
                Field::School => input.school = Some(value),
                Field::Grade => input.grade = Some(value),
                Field::Health => input.health = Some(value),
                Field::DisabilityType => input.disability_type = Some(value),
                Field::DisabilityGrade => {
                    input.disability_grade = Some(value.trim().parse().map_err(|_| {
                        CoreError::field("残疾等级", format!("“{value}”不是1–4级"))
                    })?)
                }
                other => {
                    return Err(CoreError::field(
                        other.label_zh(),
                        "该字段不能从比对结果直接采纳",
                    ));
                }
            }
            children::update(tx, child_id, &input)?;
        }
        let id = RowId::new();
        tx.conn().execute(
            "INSERT INTO comparison_decisions (id, row_id, field, decision, ours, theirs, note, decided_by, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                id,
                row_id,
                field.code(),
                if accept { "accept" } else { "reject" },
                diff.ours,
                diff.theirs,
                note,
                tx.actor().name,
                tx.now(),
            ],
        )?;
        tx.audit(
            AuditEntryInput::new(
                if accept { AuditAction::CompareAccept } else { AuditAction::CompareReject },
                "children",
                child_id.map(|c| c.to_string()),
            )
            .reason(&provenance)
            .detail(serde_json::json!({
                "comparison": comparison_id.to_string(),
                "row": row_id.to_string(),
                "field": field.code(),
                "ours": diff.ours,
                "theirs": diff.theirs,
                "note": note,
            })),
        )?;
        Ok(Decision {
            id,
            row_id,
            field,
            accepted: accept,
            ours: diff.ours.clone(),
            theirs: diff.theirs.clone(),
        })
    })
}

/// A stored comparison's headline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparisonSummary {
    pub id: RowId,
    pub source: String,
    pub file_name: String,
    pub run_on: String,
    pub counts: Counts,
}

/// Stored comparisons, newest first.
pub fn list(conn: &Connection) -> Result<Vec<ComparisonSummary>> {
    let mut stmt = conn.prepare(
        "SELECT id, source, file_name, run_on, their_rows, same, different, only_ours, only_theirs, flags
         FROM comparisons ORDER BY created_at DESC, id DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        let source: String = r.get(1)?;
        Ok(ComparisonSummary {
            id: r.get(0)?,
            source: Source::ALL
                .into_iter()
                .find(|s| s.code() == source)
                .map(|s| s.label_zh().to_string())
                .unwrap_or(source),
            file_name: r.get(2)?,
            run_on: r.get(3)?,
            counts: Counts {
                their_rows: r.get::<_, i64>(4)? as usize,
                same: r.get::<_, i64>(5)? as usize,
                different: r.get::<_, i64>(6)? as usize,
                only_ours: r.get::<_, i64>(7)? as usize,
                only_theirs: r.get::<_, i64>(8)? as usize,
                flags: r.get::<_, i64>(9)? as usize,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stored row, for the workbench's lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRow {
    pub row_id: RowId,
    pub group: Group,
    pub child_id: Option<RowId>,
    /// The child's name now (rows of agreeing records keep no copy of theirs).
    pub child_name: Option<String>,
    pub method: Option<MatchMethod>,
    pub their_line: Option<i64>,
    pub theirs: Option<TheirRecord>,
    pub diffs: Vec<FieldDiff>,
    pub flags: Vec<Flag>,
    /// Decisions taken so far: (field, accepted), latest last.
    pub decisions: Vec<(Field, bool)>,
}

/// The rows of one stored comparison, optionally one group only.
pub fn load_rows(
    conn: &Connection,
    comparison_id: RowId,
    group: Option<Group>,
) -> Result<Vec<StoredRow>> {
    let mut stmt = conn.prepare(
        "SELECT r.id, r.grp, r.child_id, r.their_line, r.their_json, r.diffs_json, r.flags_json,
                c.name, r.match_method
         FROM comparison_rows r LEFT JOIN children c ON c.id = r.child_id
         WHERE r.comparison_id = ?1 AND (?2 IS NULL OR r.grp = ?2) ORDER BY r.their_line, r.rowid",
    )?;
    let raw = stmt.query_map(params![comparison_id, group.map(|g| g.code())], |r| {
        Ok((
            (
                r.get::<_, RowId>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<RowId>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ),
            r.get::<_, Option<String>>(7)?,
            r.get::<_, Option<String>>(8)?,
        ))
    })?;
    let mut dec = conn.prepare_cached(
        "SELECT field, decision FROM comparison_decisions WHERE row_id = ?1 ORDER BY decided_at, rowid",
    )?;
    let mut out = Vec::new();
    for r in raw {
        let ((row_id, grp, child_id, their_line, their_json, diffs_json, flags_json), name, method) =
            r?;
        let decisions = dec
            .query_map([row_id], |d| {
                Ok((d.get::<_, String>(0)?, d.get::<_, String>(1)?))
            })?
            .filter_map(|d| d.ok())
            .filter_map(|(f, d)| Field::from_code(&f).map(|f| (f, d == "accept")))
            .collect();
        out.push(StoredRow {
            row_id,
            group: Group::from_code(&grp).unwrap_or(Group::OnlyTheirs),
            child_id,
            child_name: name,
            method: method.as_deref().and_then(MatchMethod::from_code),
            their_line,
            theirs: their_json.map(|j| serde_json::from_str(&j)).transpose()?,
            diffs: serde_json::from_str(&diffs_json)?,
            flags: serde_json::from_str(&flags_json)?,
            decisions,
        });
    }
    Ok(out)
}

/// The result as a workbook: one sheet per group, plus the flags. ID
/// numbers are masked; rows are identified by name and their line.
pub fn to_xlsx(cmp: &Comparison) -> Result<Vec<u8>> {
    let masked = |s: &Option<String>| s.as_deref().map(id_number::mask).unwrap_or_default();
    let mut sheets = Vec::new();
    for g in Group::ALL {
        let mut sheet = Sheet {
            name: g.label_zh().into(),
            headers: [
                "对方行号",
                "姓名",
                "身份证号（脱敏）",
                "匹配方式",
                "差异",
                "提示",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            rows: Vec::new(),
        };
        for r in cmp.group(g) {
            let theirs = r.theirs.as_ref();
            sheet.rows.push(vec![
                theirs.map(|t| t.line.to_string()).unwrap_or_default(),
                r.child_name
                    .clone()
                    .or_else(|| theirs.and_then(|t| t.name.clone()))
                    .unwrap_or_default(),
                masked(&theirs.and_then(|t| t.id_raw.clone())),
                r.method
                    .map(|m| m.label_zh().to_string())
                    .unwrap_or_default(),
                r.diffs
                    .iter()
                    .map(|d| {
                        let show = |v: &Option<String>| match (d.field, v) {
                            (Field::IdNumber, Some(s)) => id_number::mask(s),
                            (_, Some(s)) => s.clone(),
                            (_, None) => "（空）".into(),
                        };
                        format!(
                            "{}：我方“{}”，对方“{}”",
                            d.field.label_zh(),
                            show(&d.ours),
                            show(&d.theirs)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
                r.flags
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
            ]);
        }
        sheets.push(sheet);
    }
    let mut flags = Sheet {
        name: "提示".into(),
        headers: vec!["类型".into(), "说明".into()],
        rows: Vec::new(),
    };
    for (_, f) in cmp.flags() {
        flags
            .rows
            .push(vec![f.kind.label_zh().into(), f.message.clone()]);
    }
    for p in &cmp.problems {
        flags.rows.push(vec!["无法比对".into(), p.to_string()]);
    }
    sheets.push(flags);
    xlsx_bytes(&sheets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_fuzzily_but_not_loosely() {
        assert_eq!(name_similarity("张小雨", "张小雨"), 1.0);
        assert_eq!(name_similarity("张小雨", " 张小雨 "), 1.0);
        assert_eq!(name_similarity("张小雨", "张晓雨"), 0.8);
        assert_eq!(name_similarity("张小雨", "李小雨"), 0.0);
        assert_eq!(name_similarity("张小雨", "张雨"), 0.0);
        assert_eq!(name_similarity("张雨", "张宇"), 0.8);
    }

    #[test]
    fn sources_by_name() {
        assert_eq!(Source::from_name("学籍"), Some(Source::StudentRegistry));
        assert_eq!(Source::from_name("学籍库"), Some(Source::StudentRegistry));
        assert_eq!(Source::from_name("公安"), Some(Source::PoliceHukou));
        assert_eq!(Source::from_name("医保"), Some(Source::MedicalInsurance));
        assert_eq!(Source::from_name("税务"), None);
    }
}
