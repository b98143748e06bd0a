//! What province plugins provide, as core types.
//!
//! The plugin host converts the WIT contract's types into these, so no
//! other crate sees wasmtime or wit-bindgen. They mirror
//! `schemas/wit/v1/types.wit`; read that file for each field's meaning.

use crate::document::Document;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScreeningCycle {
    Monthly,
    HalfYearly,
    Yearly,
    EveryMonths(u32),
}

impl ScreeningCycle {
    /// Months between full screenings.
    pub fn months(&self) -> u32 {
        match self {
            ScreeningCycle::Monthly => 1,
            ScreeningCycle::HalfYearly => 6,
            ScreeningCycle::Yearly => 12,
            ScreeningCycle::EveryMonths(n) => (*n).max(1),
        }
    }

    pub fn label_zh(&self) -> String {
        match self {
            ScreeningCycle::Monthly => "每月一次".into(),
            ScreeningCycle::HalfYearly => "每半年一次（一年两排）".into(),
            ScreeningCycle::Yearly => "每年一次".into(),
            ScreeningCycle::EveryMonths(n) => format!("每{n}个月一次"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelCadence {
    pub level: String,
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitPolicy {
    pub default_days: u32,
    pub by_level: Vec<LevelCadence>,
    pub escalate_township_after_days: u32,
    pub escalate_county_after_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub id: String,
    pub name: String,
    pub province_code: String,
    pub version: String,
    pub contract_version: String,
    pub description: String,
    pub categories: Vec<String>,
    pub visit_policy: VisitPolicy,
    pub screening_cycle: ScreeningCycle,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: String,
    pub label_alt: String,
    pub parent_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceField {
    pub options: Vec<Choice>,
    pub parent: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    Text,
    LongText,
    Integer,
    Decimal,
    Date,
    Boolean,
    SingleChoice(ChoiceField),
    MultiChoice(ChoiceField),
    IdNumber,
    Phone,
    Division,
    RepeatGroup,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub label: String,
    pub label_alt: String,
    pub kind: FieldKind,
    pub required: bool,
    pub help: String,
    pub section: String,
    pub group: String,
    pub core_binding: String,
}

impl Field {
    /// The core field this form field mirrors, when the plugin named one
    /// core knows (an unknown name binds nothing).
    pub fn binding(&self) -> Option<CoreBinding> {
        CoreBinding::from_code(&self.core_binding)
    }
}

/// The core fields a province form field may mirror (`core-binding` in the
/// plugin contract). Core resolves them against the child's snapshot, so
/// no screen interprets the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreBinding {
    Name,
    NameAlt,
    IdNumber,
    BirthDate,
    Sex,
    Ethnicity,
    HukouDivision,
    ResidenceDivision,
    Schooling,
    Health,
}

impl CoreBinding {
    pub const ALL: [CoreBinding; 10] = [
        CoreBinding::Name,
        CoreBinding::NameAlt,
        CoreBinding::IdNumber,
        CoreBinding::BirthDate,
        CoreBinding::Sex,
        CoreBinding::Ethnicity,
        CoreBinding::HukouDivision,
        CoreBinding::ResidenceDivision,
        CoreBinding::Schooling,
        CoreBinding::Health,
    ];

    /// The name a plugin writes, e.g. `child.name`.
    pub fn code(self) -> &'static str {
        match self {
            CoreBinding::Name => "child.name",
            CoreBinding::NameAlt => "child.name_alt",
            CoreBinding::IdNumber => "child.id_number",
            CoreBinding::BirthDate => "child.birth_date",
            CoreBinding::Sex => "child.sex",
            CoreBinding::Ethnicity => "child.ethnicity",
            CoreBinding::HukouDivision => "child.hukou_division",
            CoreBinding::ResidenceDivision => "child.residence_division",
            CoreBinding::Schooling => "child.schooling",
            CoreBinding::Health => "child.health",
        }
    }

    pub fn from_code(code: &str) -> Option<CoreBinding> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }
}

impl ChildSnapshot {
    /// The child's value of a bound core field, as the form shows it.
    pub fn bound(&self, binding: CoreBinding) -> &str {
        match binding {
            CoreBinding::Name => &self.name,
            CoreBinding::NameAlt => &self.name_alt,
            CoreBinding::IdNumber => &self.id_number,
            CoreBinding::BirthDate => &self.birth_date,
            CoreBinding::Sex => &self.sex,
            CoreBinding::Ethnicity => &self.ethnicity,
            CoreBinding::HukouDivision => &self.hukou_division,
            CoreBinding::ResidenceDivision => &self.residence_division,
            CoreBinding::Schooling => &self.schooling,
            CoreBinding::Health => &self.health,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub title_alt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDef {
    pub id: String,
    pub version: String,
    pub title: String,
    pub title_alt: String,
    pub description: String,
    pub sections: Vec<Section>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Empty,
    Text(String),
    Integer(i64),
    Decimal(f64),
    Boolean(bool),
    Choice(String),
    Choices(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    pub field_id: String,
    pub row: Option<u32>,
    pub value: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    pub field_id: String,
    pub row: Option<u32>,
    pub severity: Severity,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormEvaluation {
    pub hidden: Vec<String>,
    pub computed: Vec<FieldValue>,
    pub issues: Vec<FieldIssue>,
}

impl FormEvaluation {
    /// Saving is blocked only by errors.
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RelationSnapshot {
    pub relation: String,
    pub is_guardian: bool,
    pub is_entrusted_carer: bool,
    pub situation: String,
    pub situation_since: Option<String>,
    pub situation_until: Option<String>,
    pub disability_type: String,
    pub disability_grade: Option<u8>,
    pub entrustment_confirmed_on: Option<String>,
    pub occupation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VisitSnapshot {
    pub date: String,
    pub mode: String,
    pub visitor: String,
    pub findings: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FormValues {
    pub form_id: String,
    pub values: Vec<FieldValue>,
}

/// Everything about one child that plugin rules and reports may read.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildSnapshot {
    pub id_number: String,
    pub name: String,
    pub name_alt: String,
    pub sex: String,
    pub birth_date: String,
    pub ethnicity: String,
    pub hukou_division: String,
    pub residence_division: String,
    pub residence_name: String,
    pub schooling: String,
    pub health: String,
    pub disability_type: String,
    pub disability_grade: Option<u8>,
    pub categories: Vec<String>,
    pub relations: Vec<RelationSnapshot>,
    pub visits: Vec<VisitSnapshot>,
    pub forms: Vec<FormValues>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleItem {
    pub id: String,
    pub text: String,
    pub text_alt: String,
    pub help: String,
    pub group: String,
    pub options: Vec<Choice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleDef {
    pub id: String,
    pub version: String,
    pub name: String,
    pub description: String,
    pub credit: String,
    pub items: Vec<ScaleItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub item_id: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct AssessInput {
    pub today: String,
    pub answers: Vec<Answer>,
    pub child: Option<ChildSnapshot>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    Red,
    Orange,
    Yellow,
    Blue,
    Green,
}

impl Colour {
    pub fn label_zh(self) -> &'static str {
        match self {
            Colour::Red => "红",
            Colour::Orange => "橙",
            Colour::Yellow => "黄",
            Colour::Blue => "蓝",
            Colour::Green => "绿",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubScore {
    pub name: String,
    pub value: f64,
    pub flagged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub level_code: String,
    pub level_label: String,
    pub colour: Option<Colour>,
    pub score: Option<f64>,
    pub sub_scores: Vec<SubScore>,
    pub reasons: Vec<String>,
    pub next_visit_days: Option<u32>,
    pub suggested_services: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingStatus {
    Eligible,
    NotEligible,
    EvidenceMissing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub category: String,
    pub status: FindingStatus,
    pub reasons: Vec<String>,
    pub citation: String,
    pub effective_from: Option<String>,
    pub effective_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub code: String,
    pub area: String,
    pub name: String,
    pub department: String,
    pub placeholder: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    OneChild,
    OneVisit,
    Roster,
    Statistics,
    Referral,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInfo {
    pub id: String,
    pub name: String,
    pub kind: TemplateKind,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReportInput {
    pub today: String,
    pub county_name: String,
    pub office_name: String,
    pub children: Vec<ChildSnapshot>,
    pub params: Vec<(String, String)>,
}

/// A rendered report before layout.
pub type ReportDocument = Document;
