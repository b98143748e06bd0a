//! Importing parents, guardians and other relatives from a spreadsheet:
//! one row per person and child, linked by the child's ID number.
//!
//! Like the children's import: [`prepare_persons`] validates every row and
//! writes nothing; [`import_persons`] writes all valid rows in one
//! transaction with one audit entry, or nothing when a row is invalid
//! unless the caller chose to skip invalid rows. A person whose ID number
//! is already on file is reused, not duplicated.

use super::import::{RowProblem, check_id};
use super::mapping::{self, Field, Mapping};
use super::read::{Cell, RawTable};
use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::persons::{self, Person, PersonInput, Relation, RelationKind};
use crate::store::{Actor, Store};
use hutong_national::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A row that passed validation.
#[derive(Debug, Clone)]
pub struct PreparedPerson {
    pub line: usize,
    pub child_id: RowId,
    pub child_name: String,
    pub person: PersonInput,
    pub relation: RelationKind,
    pub is_guardian: bool,
}

/// The row report of a persons import.
#[derive(Debug, Clone)]
pub struct PersonsPreview {
    pub source: String,
    pub file_sha256: String,
    pub mapping: Mapping,
    pub total_rows: usize,
    pub valid: Vec<PreparedPerson>,
    pub errors: Vec<RowProblem>,
    pub warnings: Vec<RowProblem>,
    pub invalid_lines: BTreeSet<usize>,
}

impl PersonsPreview {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What a persons import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonsOutcome {
    pub relations: usize,
    pub new_persons: usize,
    pub reused_persons: usize,
    pub skipped_invalid: usize,
}

/// 父亲, 爸爸, 外婆, 姥姥… → the relation code.
pub fn parse_relation(s: &str) -> Option<RelationKind> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(k) = RelationKind::ALL
        .into_iter()
        .find(|k| k.label_zh() == t || k.code().eq_ignore_ascii_case(&t))
    {
        return Some(k);
    }
    Some(match t.as_str() {
        "父" | "爸爸" | "父子" | "父女" => RelationKind::Father,
        "母" | "妈妈" | "母子" | "母女" => RelationKind::Mother,
        "爷爷" | "祖孙" => RelationKind::PaternalGrandfather,
        "奶奶" => RelationKind::PaternalGrandmother,
        "外公" | "姥爷" | "外祖孙" => RelationKind::MaternalGrandfather,
        "外婆" | "姥姥" => RelationKind::MaternalGrandmother,
        "兄" | "弟" | "姐" | "妹" | "哥哥" | "弟弟" | "姐姐" | "妹妹" | "兄弟" | "姐妹" => {
            RelationKind::Sibling
        }
        "叔叔" | "伯父" | "伯伯" | "姑姑" | "舅舅" | "姨妈" | "阿姨" | "婶婶" | "舅妈" | "亲属" => {
            RelationKind::OtherRelative
        }
        _ => return None,
    })
}

fn parse_yes_no(s: &str) -> Option<bool> {
    match s.trim() {
        "是" | "Y" | "y" | "yes" | "√" | "1" | "监护人" => Some(true),
        "否" | "N" | "n" | "no" | "" | "0" => Some(false),
        _ => None,
    }
}

/// Active children by ID number: (id, name).
fn children_by_id(conn: &Connection) -> Result<HashMap<String, (RowId, String)>> {
    let mut stmt = conn.prepare("SELECT id_number, id, name FROM children")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// (child, person ID number) pairs already related, active or not.
fn existing_links(conn: &Connection) -> Result<HashSet<(RowId, String)>> {
    let mut stmt = conn.prepare(
        "SELECT r.child_id, p.id_number FROM child_relations r JOIN persons p ON p.id = r.person_id
         WHERE p.id_number IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Validates every row as a relative of one of our children. Writes nothing.
pub fn prepare_persons(
    conn: &Connection,
    table: &RawTable,
    mapping: &Mapping,
    file_sha256: &str,
    today: NaiveDate,
) -> Result<PersonsPreview> {
    let cols = mapping::resolve(
        mapping,
        table,
        &[Field::ChildIdNumber, Field::Name, Field::Relation],
    )?;
    let children = children_by_id(conn)?;
    let links = existing_links(conn)?;
    let mut seen: HashMap<(RowId, String), usize> = HashMap::new();
    let mut out = PersonsPreview {
        source: table.source.clone(),
        file_sha256: file_sha256.to_string(),
        mapping: mapping.clone(),
        total_rows: table.rows.len(),
        valid: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        invalid_lines: BTreeSet::new(),
    };
    for row in &table.rows {
        let cell = |f: Field| cols.col(f).map(|c| row.get(c)).unwrap_or(&Cell::Empty);
        let text = |f: Field| mapping::text(cell(f));
        let at = |f: Field, message: String| RowProblem {
            line: row.line,
            column: cols.col(f).map(|c| table.column_label(c)),
            message,
        };
        let mut errors = Vec::new();
        let child = match check_id(cell(Field::ChildIdNumber), today) {
            Ok(p) => match children.get(&p.number) {
                Some(c) => Some(c.clone()),
                None => {
                    errors.push(at(
                        Field::ChildIdNumber,
                        format!("本库没有身份证号为 {} 的儿童档案", id_mask(&p.number)),
                    ));
                    None
                }
            },
            Err(m) => {
                errors.push(at(Field::ChildIdNumber, format!("儿童{m}")));
                None
            }
        };
        let name = text(Field::Name);
        match &name {
            None => errors.push(at(Field::Name, "姓名为空".into())),
            Some(n) => {
                if let Some(problem) = crate::names::name_problem(n) {
                    errors.push(at(Field::Name, format!("姓名{problem}")));
                }
            }
        }
        // The person's own ID is optional (a parent abroad may have none on
        // file), but if written it must be valid.
        let person_id = match mapping::id_text(cell(Field::IdNumber)) {
            Ok(None) => None,
            Ok(Some(_)) | Err(_) => match check_id(cell(Field::IdNumber), today) {
                Ok(p) => Some(p.number),
                Err(m) => {
                    errors.push(at(Field::IdNumber, m));
                    None
                }
            },
        };
        let relation = match text(Field::Relation) {
            None => {
                errors.push(at(Field::Relation, "与儿童关系为空".into()));
                None
            }
            Some(r) => match parse_relation(&r) {
                Some(k) => Some(k),
                None => {
                    errors.push(at(
                        Field::Relation,
                        format!("“{r}”不是可识别的关系（父亲、母亲、祖父、外祖母、兄弟姐妹等）"),
                    ));
                    None
                }
            },
        };
        let is_guardian = match text(Field::Guardian) {
            None => false,
            Some(g) => parse_yes_no(&g).unwrap_or_else(|| {
                errors.push(at(Field::Guardian, format!("“{g}”应为“是”或“否”")));
                false
            }),
        };
        if let (Some((child_id, _)), Some(pid)) = (&child, &person_id) {
            let key = (*child_id, pid.clone());
            if let Some(first) = seen.get(&key) {
                errors.push(at(
                    Field::IdNumber,
                    format!("与第{first}行重复（同一儿童、同一人）"),
                ));
            } else {
                seen.insert(key.clone(), row.line);
            }
            if links.contains(&key) {
                errors.push(at(Field::IdNumber, "此人已登记为该儿童的亲属".into()));
            }
        }
        let ok = errors.is_empty();
        if !ok {
            out.invalid_lines.insert(row.line);
        }
        out.errors.extend(errors);
        let (Some((child_id, child_name)), Some(name), Some(relation), true) =
            (child, name, relation, ok)
        else {
            continue;
        };
        out.valid.push(PreparedPerson {
            line: row.line,
            child_id,
            child_name,
            person: PersonInput {
                name,
                id_number: person_id,
                phone: text(Field::Phone),
                hukou_address: None,
                address: text(Field::ResidenceAddress),
                health: text(Field::Health),
                disability_type: None,
                disability_grade: None,
                occupation: text(Field::Occupation),
            },
            relation,
            is_guardian,
        });
    }
    Ok(out)
}

fn id_mask(n: &str) -> String {
    hutong_national::id_number::mask(n)
}

/// Writes the valid rows in one transaction with one audit entry.
pub fn import_persons(
    store: &mut Store,
    actor: &Actor,
    preview: &PersonsPreview,
    skip_invalid: bool,
) -> Result<PersonsOutcome> {
    if !preview.is_clean() && !skip_invalid {
        return Err(CoreError::BadFile {
            path: preview.source.clone().into(),
            message: format!(
                "{} 行有错误（共 {} 处），未导入任何数据；改正后重试，或选择跳过错误行",
                preview.invalid_lines.len(),
                preview.errors.len()
            ),
        });
    }
    if preview.valid.is_empty() {
        return Err(CoreError::BadFile {
            path: preview.source.clone().into(),
            message: "没有可导入的行".into(),
        });
    }
    store.write(actor, |tx| {
        let now = tx.now().to_string();
        let (mut new_persons, mut reused) = (0, 0);
        // A person named twice in the file (two children) is stored once.
        let mut inserted: HashMap<String, RowId> = HashMap::new();
        for p in &preview.valid {
            let built: Person = persons::build_person(&p.person, &now)?;
            let existing = match &built.id_number {
                Some(n) => match inserted.get(n) {
                    Some(id) => Some(*id),
                    None => tx
                        .conn()
                        .prepare_cached("SELECT id FROM persons WHERE id_number = ?1")?
                        .query_row([n], |r| r.get::<_, RowId>(0))
                        .optional()?,
                },
                None => None,
            };
            let person_id = match existing {
                Some(id) => {
                    reused += 1;
                    id
                }
                None => {
                    persons::insert_person(tx.conn(), &built)?;
                    if let Some(n) = &built.id_number {
                        inserted.insert(n.clone(), built.id);
                    }
                    new_persons += 1;
                    built.id
                }
            };
            persons::insert_relation(
                tx.conn(),
                &Relation {
                    id: RowId::new(),
                    child_id: p.child_id,
                    person_id,
                    relation: p.relation,
                    is_guardian: p.is_guardian,
                    is_entrusted_carer: false,
                    situation: None,
                    situation_since: None,
                    situation_until: None,
                    situation_evidence: None,
                    entrustment_reason: None,
                    entrustment_confirmed_on: None,
                    active: true,
                    ended_on: None,
                },
            )?;
        }
        tx.audit(
            AuditEntryInput::new(AuditAction::TableImportPersons, "persons", None).detail(
                serde_json::json!({
                    "file": preview.source,
                    "file_sha256": preview.file_sha256,
                    "mapping": preview.mapping.name,
                    "rows_in_file": preview.total_rows,
                    "relations": preview.valid.len(),
                    "new_persons": new_persons,
                    "reused_persons": reused,
                    "skipped_invalid_lines": preview.invalid_lines.iter().collect::<Vec<_>>(),
                }),
            ),
        )?;
        Ok(PersonsOutcome {
            relations: preview.valid.len(),
            new_persons,
            reused_persons: reused,
            skipped_invalid: preview.invalid_lines.len(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_by_label_or_everyday_word() {
        assert_eq!(parse_relation("母亲"), Some(RelationKind::Mother));
        assert_eq!(
            parse_relation("奶奶"),
            Some(RelationKind::PaternalGrandmother)
        );
        assert_eq!(
            parse_relation("姥姥"),
            Some(RelationKind::MaternalGrandmother)
        );
        assert_eq!(parse_relation("FATHER"), Some(RelationKind::Father));
        assert_eq!(parse_relation("邻居"), None);
    }
}
