//! Persons around a child (parents, guardians, entrusted carers) and their
//! relations to the child, with the parental situation codes of DOMAIN §1.5.
//!
//! A person can relate to several children (siblings share parents), so the
//! person row is separate from the relation row. Relations end; they are
//! never deleted.

use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::{WriteTx, today};
use hutong_national::NaiveDate;
use hutong_national::category::ParentalSituation;
use hutong_national::id_number::{self, Sex};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// How a person is related to the child (code list after DOMAIN §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RelationKind {
    Father,
    Mother,
    PaternalGrandfather,
    PaternalGrandmother,
    MaternalGrandfather,
    MaternalGrandmother,
    Sibling,
    OtherRelative,
    Other,
}

impl RelationKind {
    pub const ALL: [RelationKind; 9] = [
        RelationKind::Father,
        RelationKind::Mother,
        RelationKind::PaternalGrandfather,
        RelationKind::PaternalGrandmother,
        RelationKind::MaternalGrandfather,
        RelationKind::MaternalGrandmother,
        RelationKind::Sibling,
        RelationKind::OtherRelative,
        RelationKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RelationKind::Father => "FATHER",
            RelationKind::Mother => "MOTHER",
            RelationKind::PaternalGrandfather => "PATERNAL_GRANDFATHER",
            RelationKind::PaternalGrandmother => "PATERNAL_GRANDMOTHER",
            RelationKind::MaternalGrandfather => "MATERNAL_GRANDFATHER",
            RelationKind::MaternalGrandmother => "MATERNAL_GRANDMOTHER",
            RelationKind::Sibling => "SIBLING",
            RelationKind::OtherRelative => "OTHER_RELATIVE",
            RelationKind::Other => "OTHER",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        RelationKind::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RelationKind::Father => "父亲",
            RelationKind::Mother => "母亲",
            RelationKind::PaternalGrandfather => "祖父",
            RelationKind::PaternalGrandmother => "祖母",
            RelationKind::MaternalGrandfather => "外祖父",
            RelationKind::MaternalGrandmother => "外祖母",
            RelationKind::Sibling => "兄弟姐妹",
            RelationKind::OtherRelative => "其他亲属",
            RelationKind::Other => "其他",
        }
    }

    pub fn is_parent(self) -> bool {
        matches!(self, RelationKind::Father | RelationKind::Mother)
    }
}

/// A stored person. Also the export format's person record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: RowId,
    pub name: String,
    pub id_number: Option<String>,
    pub sex: Option<Sex>,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub hukou_address: Option<String>,
    pub address: Option<String>,
    pub health: Option<String>,
    pub disability_type: Option<String>,
    pub disability_grade: Option<u8>,
    pub occupation: Option<String>,
    pub created_at: String,
}

/// A person's relation to one child. Also the export format's relation record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub id: RowId,
    pub child_id: RowId,
    pub person_id: RowId,
    pub relation: RelationKind,
    pub is_guardian: bool,
    pub is_entrusted_carer: bool,
    /// The parental situation (事实无人抚养 rules), for parents.
    pub situation: Option<ParentalSituation>,
    /// When the situation began: imprisonment start, the day 公安 accepted a
    /// missing-person report, the date of death.
    pub situation_since: Option<NaiveDate>,
    /// When it ends, if known: a release date.
    pub situation_until: Option<NaiveDate>,
    pub situation_evidence: Option<String>,
    pub entrustment_reason: Option<String>,
    /// Date the 委托照护确认书 was signed (未保法 第二十三条).
    pub entrustment_confirmed_on: Option<NaiveDate>,
    pub active: bool,
    pub ended_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub hukou_address: Option<String>,
    pub address: Option<String>,
    pub health: Option<String>,
    pub disability_type: Option<String>,
    pub disability_grade: Option<u8>,
    pub occupation: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RelationInput {
    pub relation: RelationKind,
    pub is_guardian: bool,
    pub is_entrusted_carer: bool,
    pub situation: Option<ParentalSituation>,
    pub situation_since: Option<NaiveDate>,
    pub situation_until: Option<NaiveDate>,
    pub situation_evidence: Option<String>,
    pub entrustment_reason: Option<String>,
    pub entrustment_confirmed_on: Option<NaiveDate>,
}

impl RelationInput {
    pub fn new(relation: RelationKind) -> Self {
        RelationInput {
            relation,
            is_guardian: false,
            is_entrusted_carer: false,
            situation: None,
            situation_since: None,
            situation_until: None,
            situation_evidence: None,
            entrustment_reason: None,
            entrustment_confirmed_on: None,
        }
    }
}

/// Builds a person row from input, validating the ID number if given.
pub(crate) fn build_person(input: &PersonInput, now: &str) -> Result<Person> {
    let name = input.name.trim();
    if let Some(problem) = crate::names::name_problem(name) {
        return Err(CoreError::field("监护人/亲属姓名", problem));
    }
    let parsed =
        match input
            .id_number
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => Some(id_number::parse(raw, today()).map_err(|source| {
                CoreError::InvalidIdNumber {
                    field: "监护人/亲属身份证号",
                    source,
                }
            })?),
            None => None,
        };
    Ok(Person {
        id: RowId::new(),
        name: name.to_string(),
        id_number: parsed.as_ref().map(|p| p.number.clone()),
        sex: parsed.as_ref().map(|p| p.sex),
        birth_date: parsed.as_ref().map(|p| p.birth_date),
        phone: input.phone.clone().filter(|s| !s.trim().is_empty()),
        hukou_address: input.hukou_address.clone(),
        address: input.address.clone(),
        health: input.health.clone(),
        disability_type: input.disability_type.clone(),
        disability_grade: input.disability_grade,
        occupation: input.occupation.clone(),
        created_at: now.to_string(),
    })
}

pub(crate) fn insert_person(conn: &Connection, p: &Person) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO persons (id, name, id_number, sex, birth_date, phone, hukou_address, address, health,
            disability_type, disability_grade, occupation, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        p.id,
        p.name,
        p.id_number,
        p.sex.map(|s| s.code()),
        p.birth_date.map(|d| d.to_string()),
        p.phone,
        p.hukou_address,
        p.address,
        p.health,
        p.disability_type,
        p.disability_grade,
        p.occupation,
        p.created_at
    ])?;
    Ok(())
}

pub(crate) fn insert_relation(conn: &Connection, r: &Relation) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO child_relations (id, child_id, person_id, relation, is_guardian, is_entrusted_carer,
            situation, situation_since, situation_until, situation_evidence, entrustment_reason,
            entrustment_confirmed_on, status, ended_on)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        r.id,
        r.child_id,
        r.person_id,
        r.relation.code(),
        r.is_guardian,
        r.is_entrusted_carer,
        r.situation.map(|s| s.code()),
        r.situation_since.map(|d| d.to_string()),
        r.situation_until.map(|d| d.to_string()),
        r.situation_evidence,
        r.entrustment_reason,
        r.entrustment_confirmed_on.map(|d| d.to_string()),
        if r.active { "active" } else { "ended" },
        r.ended_on.map(|d| d.to_string()),
    ])?;
    Ok(())
}

fn person_by_id_number(conn: &Connection, number: &str) -> Result<Option<RowId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM persons WHERE id_number = ?1")?
        .query_row([number], |r| r.get(0))
        .optional()?)
}

/// Adds a person (or reuses the existing person with the same ID number)
/// and relates them to a child, in one audited write.
pub fn add_relation(
    tx: &mut WriteTx<'_>,
    child_id: RowId,
    person: &PersonInput,
    relation: &RelationInput,
) -> Result<Relation> {
    if crate::children::get(tx.conn(), tx.actor().scope(), child_id)?.is_none() {
        return Err(CoreError::NotFound {
            what: "儿童档案",
            key: child_id.to_string(),
        });
    }
    if relation.situation.is_some() && !relation.relation.is_parent() {
        return Err(CoreError::field(
            "父母情形",
            "只有父亲或母亲可以登记父母情形",
        ));
    }
    let built = build_person(person, tx.now())?;
    let person_id = match built
        .id_number
        .as_deref()
        .map(|n| person_by_id_number(tx.conn(), n))
        .transpose()?
        .flatten()
    {
        Some(existing) => existing,
        None => {
            insert_person(tx.conn(), &built)?;
            built.id
        }
    };
    let rel = Relation {
        id: RowId::new(),
        child_id,
        person_id,
        relation: relation.relation,
        is_guardian: relation.is_guardian,
        is_entrusted_carer: relation.is_entrusted_carer,
        situation: relation.situation,
        situation_since: relation.situation_since,
        situation_until: relation.situation_until,
        situation_evidence: relation.situation_evidence.clone(),
        entrustment_reason: relation.entrustment_reason.clone(),
        entrustment_confirmed_on: relation.entrustment_confirmed_on,
        active: true,
        ended_on: None,
    };
    insert_relation(tx.conn(), &rel)?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::RelationAdd,
            "children",
            Some(child_id.to_string()),
        )
        .detail(serde_json::json!({
            "relation": rel.relation.code(),
            "person": built.name,
            "situation": rel.situation.map(|s| s.code()),
        })),
    )?;
    Ok(rel)
}

/// A relation joined with its person, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelatedPerson {
    pub relation: Relation,
    pub person: Person,
}

const PERSON_COLUMNS: &str =
    "p.id, p.name, p.id_number, p.sex, p.birth_date, p.phone, p.hukou_address,
    p.address, p.health, p.disability_type, p.disability_grade, p.occupation, p.created_at";
const RELATION_COLUMNS: &str = "r.id, r.child_id, r.person_id, r.relation, r.is_guardian,
    r.is_entrusted_carer, r.situation, r.situation_since, r.situation_until, r.situation_evidence,
    r.entrustment_reason, r.entrustment_confirmed_on, r.status, r.ended_on";

fn opt_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| s.parse().ok())
}

pub(crate) fn row_to_person(r: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<Person> {
    let sex: Option<String> = r.get(base + 3)?;
    Ok(Person {
        id: r.get(base)?,
        name: r.get(base + 1)?,
        id_number: r.get(base + 2)?,
        sex: sex.and_then(|s| Sex::from_code(&s)),
        birth_date: opt_date(r.get(base + 4)?),
        phone: r.get(base + 5)?,
        hukou_address: r.get(base + 6)?,
        address: r.get(base + 7)?,
        health: r.get(base + 8)?,
        disability_type: r.get(base + 9)?,
        disability_grade: r.get(base + 10)?,
        occupation: r.get(base + 11)?,
        created_at: r.get(base + 12)?,
    })
}

pub(crate) fn row_to_relation(r: &rusqlite::Row<'_>, base: usize) -> rusqlite::Result<Relation> {
    let kind: String = r.get(base + 3)?;
    let situation: Option<String> = r.get(base + 6)?;
    let status: String = r.get(base + 12)?;
    Ok(Relation {
        id: r.get(base)?,
        child_id: r.get(base + 1)?,
        person_id: r.get(base + 2)?,
        relation: RelationKind::from_code(&kind).unwrap_or(RelationKind::Other),
        is_guardian: r.get(base + 4)?,
        is_entrusted_carer: r.get(base + 5)?,
        situation: situation.and_then(|s| ParentalSituation::from_code(&s)),
        situation_since: opt_date(r.get(base + 7)?),
        situation_until: opt_date(r.get(base + 8)?),
        situation_evidence: r.get(base + 9)?,
        entrustment_reason: r.get(base + 10)?,
        entrustment_confirmed_on: opt_date(r.get(base + 11)?),
        active: status == "active",
        ended_on: opt_date(r.get(base + 13)?),
    })
}

/// Everyone related to a child, parents first.
pub fn for_child(conn: &Connection, child_id: RowId) -> Result<Vec<RelatedPerson>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RELATION_COLUMNS}, {PERSON_COLUMNS}
         FROM child_relations r JOIN persons p ON p.id = r.person_id
         WHERE r.child_id = ?1 ORDER BY r.relation IN ('FATHER','MOTHER') DESC, r.relation, p.name"
    ))?;
    let rows = stmt.query_map([child_id], |r| {
        Ok(RelatedPerson {
            relation: row_to_relation(r, 0)?,
            person: row_to_person(r, 14)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records that a user saw the full ID numbers and phones of a child's
/// relatives, and why: one audit entry naming each person with the number
/// masked. The child must lie inside the writer's scope.
pub fn reveal_for_child(tx: &mut WriteTx<'_>, child_id: RowId, purpose: &str) -> Result<()> {
    if purpose.trim().is_empty() {
        return Err(CoreError::field("查看用途", "查看完整号码前必须说明用途"));
    }
    if crate::children::get(tx.conn(), tx.actor().scope(), child_id)?.is_none() {
        return Err(CoreError::NotFound {
            what: "儿童档案",
            key: child_id.to_string(),
        });
    }
    let people: Vec<serde_json::Value> = for_child(tx.conn(), child_id)?
        .iter()
        .map(|rp| {
            serde_json::json!({
                "person": rp.person.id.to_string(),
                "name": rp.person.name,
                "id_number": rp.person.id_number.as_deref().map(id_number::mask),
                "phone": rp.person.phone.as_deref().map(id_number::mask_phone),
            })
        })
        .collect();
    tx.audit(
        AuditEntryInput::new(
            AuditAction::PersonRevealId,
            "children",
            Some(child_id.to_string()),
        )
        .reason(purpose.trim())
        .detail(serde_json::json!({ "persons": people })),
    )
}
