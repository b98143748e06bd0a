//! Children's files (一人一档): creating, updating, closing, finding.
//!
//! Birth date and sex are never typed in: they are derived from the
//! validated ID number. Files are closed with a reason, never deleted.
//! ID numbers leave this module unmasked; masking is the presenter's job,
//! and revealing one in a list is audited through [`reveal_id_number`].

use crate::access::Scope;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::names::pinyin_keys;
use crate::store::{WriteTx, today};
use crate::{RowId, divisions};
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use hutong_national::division::{self, DivisionLevel};
use hutong_national::id_number::{self, IdWarning, Sex};
use rusqlite::{Connection, OptionalExtension, ToSql, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildStatus {
    Active,
    Closed,
}

impl ChildStatus {
    pub fn code(self) -> &'static str {
        match self {
            ChildStatus::Active => "active",
            ChildStatus::Closed => "closed",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s {
            "active" => Some(ChildStatus::Active),
            "closed" => Some(ChildStatus::Closed),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ChildStatus::Active => "在档",
            ChildStatus::Closed => "已结案",
        }
    }
}

/// What a caseworker enters for a new file, or the full set of editable
/// fields for an update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildInput {
    pub id_number: String,
    pub name: String,
    pub name_alt: Option<String>,
    pub ethnicity: Option<String>,
    pub hukou_division: Option<String>,
    pub hukou_address: Option<String>,
    pub residence_division: String,
    pub residence_address: Option<String>,
    pub phone: Option<String>,
    pub schooling: Option<String>,
    pub school: Option<String>,
    pub grade: Option<String>,
    pub health: Option<String>,
    pub disability_type: Option<String>,
    pub disability_grade: Option<u8>,
}

/// A stored child file. Also the export format's child record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    pub id: RowId,
    pub id_number: String,
    pub name: String,
    pub name_pinyin: String,
    pub name_initials: String,
    pub name_alt: Option<String>,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub ethnicity: Option<String>,
    pub hukou_division: Option<String>,
    pub hukou_address: Option<String>,
    pub residence_division: String,
    pub residence_address: Option<String>,
    pub phone: Option<String>,
    pub schooling: Option<String>,
    pub school: Option<String>,
    pub grade: Option<String>,
    pub health: Option<String>,
    pub disability_type: Option<String>,
    pub disability_grade: Option<u8>,
    pub status: ChildStatus,
    pub close_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub created_at: String,
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Validates and normalises input. Returns the derived identity and any
/// warnings (such as an address code missing from the division list).
pub fn validate(
    conn: &Connection,
    input: &ChildInput,
) -> Result<(ChildInput, id_number::ParsedId, Vec<IdWarning>)> {
    let (parsed, warnings) = id_number::validate(&input.id_number, today(), |code| {
        divisions::county_known(conn, code)
    })
    .map_err(|source| CoreError::InvalidIdNumber {
        field: "身份证号",
        source,
    })?;
    let name = input.name.trim().to_string();
    if let Some(problem) = crate::names::name_problem(&name) {
        return Err(CoreError::field("姓名", problem));
    }
    let residence = division::normalize_code(&input.residence_division).ok_or_else(|| {
        CoreError::field(
            "现居住村（居）",
            format!("“{}”不是有效的区划代码", input.residence_division),
        )
    })?;
    if division::level_of(&residence) != Some(DivisionLevel::Village) {
        return Err(CoreError::field(
            "现居住村（居）",
            format!("应为12位村级代码，“{residence}”不是"),
        ));
    }
    if !divisions::exists(conn, &residence)? {
        return Err(CoreError::field(
            "现居住村（居）",
            format!("{residence} 不在本县的区划表中"),
        ));
    }
    let hukou = match clean(&input.hukou_division) {
        Some(code) => Some(division::normalize_code(&code).ok_or_else(|| {
            CoreError::field("户籍地区划", format!("“{code}”不是有效的区划代码"))
        })?),
        None => None,
    };
    if let Some(grade) = input.disability_grade
        && !(1..=4).contains(&grade)
    {
        return Err(CoreError::field(
            "残疾等级",
            format!("应为1–4级，实际为{grade}"),
        ));
    }
    let normalized = ChildInput {
        id_number: parsed.number.clone(),
        name,
        name_alt: clean(&input.name_alt),
        ethnicity: clean(&input.ethnicity),
        hukou_division: hukou,
        hukou_address: clean(&input.hukou_address),
        residence_division: residence,
        residence_address: clean(&input.residence_address),
        phone: clean(&input.phone),
        schooling: clean(&input.schooling),
        school: clean(&input.school),
        grade: clean(&input.grade),
        health: clean(&input.health),
        disability_type: clean(&input.disability_type),
        disability_grade: input.disability_grade,
    };
    Ok((normalized, parsed, warnings))
}

/// Opens a new file. Fails if the ID number already has one.
pub fn add(tx: &mut WriteTx<'_>, input: &ChildInput) -> Result<(Child, Vec<IdWarning>)> {
    let (input, parsed, warnings) = validate(tx.conn(), input)?;
    if find_id_by_number(tx.conn(), &input.id_number)?.is_some() {
        return Err(CoreError::DuplicateIdNumber(input.id_number));
    }
    let child = apply_input(
        Child {
            id: RowId::new(),
            status: ChildStatus::Active,
            close_reason: None,
            closed_on: None,
            created_at: tx.now().to_string(),
            ..Child::placeholder()
        },
        input,
        &parsed,
    );
    insert_row(tx.conn(), &child)?;
    tx.audit(
        AuditEntryInput::new(
            AuditAction::ChildCreate,
            "children",
            Some(child.id.to_string()),
        )
        .detail(serde_json::json!({
            "name": child.name,
            "residence": child.residence_division,
            "warnings": warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        })),
    )?;
    Ok((child, warnings))
}

/// The editable fields of `input` (already validated) and the identity
/// derived from its ID number, applied over `base` (which keeps id, status
/// and creation time).
fn apply_input(base: Child, input: ChildInput, parsed: &id_number::ParsedId) -> Child {
    let (name_pinyin, name_initials) = pinyin_keys(&input.name);
    Child {
        id_number: input.id_number,
        name: input.name,
        name_pinyin,
        name_initials,
        name_alt: input.name_alt,
        sex: parsed.sex,
        birth_date: parsed.birth_date,
        ethnicity: input.ethnicity,
        hukou_division: input.hukou_division,
        hukou_address: input.hukou_address,
        residence_division: input.residence_division,
        residence_address: input.residence_address,
        phone: input.phone,
        schooling: input.schooling,
        school: input.school,
        grade: input.grade,
        health: input.health,
        disability_type: input.disability_type,
        disability_grade: input.disability_grade,
        ..base
    }
}

impl Child {
    /// An empty record to build from; every field is overwritten by callers.
    fn placeholder() -> Child {
        Child {
            id: RowId(uuid::Uuid::nil()),
            id_number: String::new(),
            name: String::new(),
            name_pinyin: String::new(),
            name_initials: String::new(),
            name_alt: None,
            sex: Sex::Female,
            birth_date: NaiveDate::MIN,
            ethnicity: None,
            hukou_division: None,
            hukou_address: None,
            residence_division: String::new(),
            residence_address: None,
            phone: None,
            schooling: None,
            school: None,
            grade: None,
            health: None,
            disability_type: None,
            disability_grade: None,
            status: ChildStatus::Active,
            close_reason: None,
            closed_on: None,
            created_at: String::new(),
        }
    }
}

/// Inserts a fully formed row (used by [`add`], the demo and import).
pub(crate) fn insert_row(conn: &Connection, c: &Child) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO children (id, id_number, name, name_pinyin, name_initials, name_alt, sex, birth_date,
            ethnicity, hukou_division, hukou_address, residence_division, residence_address, phone,
            schooling, school, grade, health, disability_type, disability_grade, status, close_reason,
            closed_on, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
            ?20, ?21, ?22, ?23, ?24)",
    )?
    .execute(params![
        c.id,
        c.id_number,
        c.name,
        c.name_pinyin,
        c.name_initials,
        c.name_alt,
        c.sex.code(),
        c.birth_date.to_string(),
        c.ethnicity,
        c.hukou_division,
        c.hukou_address,
        c.residence_division,
        c.residence_address,
        c.phone,
        c.schooling,
        c.school,
        c.grade,
        c.health,
        c.disability_type,
        c.disability_grade,
        c.status.code(),
        c.close_reason,
        c.closed_on.map(|d| d.to_string()),
        c.created_at,
    ])?;
    Ok(())
}

/// Field-by-field changes `(field, old, new)` between two files.
fn diff(old: &Child, new: &Child) -> Vec<(&'static str, serde_json::Value, serde_json::Value)> {
    let a = serde_json::to_value(old).unwrap_or_default();
    let b = serde_json::to_value(new).unwrap_or_default();
    const FIELDS: &[&str] = &[
        "id_number",
        "name",
        "name_alt",
        "ethnicity",
        "hukou_division",
        "hukou_address",
        "residence_division",
        "residence_address",
        "phone",
        "schooling",
        "school",
        "grade",
        "health",
        "disability_type",
        "disability_grade",
    ];
    FIELDS
        .iter()
        .filter(|f| a.get(**f) != b.get(**f))
        .map(|f| {
            (
                *f,
                a.get(*f).cloned().unwrap_or_default(),
                b.get(*f).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

/// Replaces the editable fields of a file. The audit entry records each
/// changed field as old → new; an update that changes nothing writes nothing.
pub fn update(
    tx: &mut WriteTx<'_>,
    id: RowId,
    input: &ChildInput,
) -> Result<(Child, Vec<IdWarning>)> {
    let old = get_any(tx.conn(), id)?.ok_or_else(|| CoreError::NotFound {
        what: "儿童档案",
        key: id.to_string(),
    })?;
    let (input, parsed, warnings) = validate(tx.conn(), input)?;
    if input.id_number != old.id_number && find_id_by_number(tx.conn(), &input.id_number)?.is_some()
    {
        return Err(CoreError::DuplicateIdNumber(input.id_number));
    }
    let new = apply_input(old.clone(), input, &parsed);
    let changes = diff(&old, &new);
    if changes.is_empty() {
        return Ok((old, warnings));
    }
    tx.conn().execute(
        "UPDATE children SET id_number=?2, name=?3, name_pinyin=?4, name_initials=?5, name_alt=?6, sex=?7,
            birth_date=?8, ethnicity=?9, hukou_division=?10, hukou_address=?11, residence_division=?12,
            residence_address=?13, phone=?14, schooling=?15, school=?16, grade=?17, health=?18,
            disability_type=?19, disability_grade=?20
         WHERE id=?1",
        params![
            id,
            new.id_number,
            new.name,
            new.name_pinyin,
            new.name_initials,
            new.name_alt,
            new.sex.code(),
            new.birth_date.to_string(),
            new.ethnicity,
            new.hukou_division,
            new.hukou_address,
            new.residence_division,
            new.residence_address,
            new.phone,
            new.schooling,
            new.school,
            new.grade,
            new.health,
            new.disability_type,
            new.disability_grade
        ],
    )?;
    let detail: serde_json::Map<String, serde_json::Value> = changes
        .into_iter()
        .map(|(f, a, b)| (f.to_string(), serde_json::json!([a, b])))
        .collect();
    tx.audit(
        AuditEntryInput::new(AuditAction::ChildUpdate, "children", Some(id.to_string()))
            .detail(serde_json::json!({ "changes": detail })),
    )?;
    Ok((new, warnings))
}

/// Closes a file with a reason (moved away, turned 18, died, duplicate...).
pub fn close(tx: &mut WriteTx<'_>, id: RowId, on: NaiveDate, reason: &str) -> Result<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(CoreError::field("结案原因", "不能为空"));
    }
    let child = get_any(tx.conn(), id)?.ok_or_else(|| CoreError::NotFound {
        what: "儿童档案",
        key: id.to_string(),
    })?;
    if child.status == ChildStatus::Closed {
        return Err(CoreError::field("状态", "该档案已结案"));
    }
    tx.conn().execute(
        "UPDATE children SET status='closed', close_reason=?2, closed_on=?3 WHERE id=?1",
        params![id, reason, on.to_string()],
    )?;
    tx.audit(
        AuditEntryInput::new(AuditAction::ChildClose, "children", Some(id.to_string()))
            .reason(reason)
            .detail(
                serde_json::json!({ "closed_on": on.to_string(), "status": ["active", "closed"] }),
            ),
    )?;
    Ok(())
}

/// Records that a user saw an unmasked ID number, and why.
pub fn reveal_id_number(tx: &mut WriteTx<'_>, id: RowId, purpose: &str) -> Result<String> {
    let child = get_any(tx.conn(), id)?.ok_or_else(|| CoreError::NotFound {
        what: "儿童档案",
        key: id.to_string(),
    })?;
    tx.audit(
        AuditEntryInput::new(AuditAction::ChildRevealId, "children", Some(id.to_string()))
            .reason(purpose)
            .detail(serde_json::json!({ "masked": id_number::mask(&child.id_number) })),
    )?;
    Ok(child.id_number)
}

pub(crate) const CHILD_COLUMNS: &str = "id, id_number, name, name_pinyin, name_initials, name_alt, sex, birth_date,
    ethnicity, hukou_division, hukou_address, residence_division, residence_address, phone, schooling,
    school, grade, health, disability_type, disability_grade, status, close_reason, closed_on, created_at";

fn parse_date(idx: usize, s: String) -> rusqlite::Result<NaiveDate> {
    s.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub(crate) fn row_to_child(r: &rusqlite::Row<'_>) -> rusqlite::Result<Child> {
    let sex: String = r.get(6)?;
    let status: String = r.get(20)?;
    let closed_on: Option<String> = r.get(22)?;
    Ok(Child {
        id: r.get(0)?,
        id_number: r.get(1)?,
        name: r.get(2)?,
        name_pinyin: r.get(3)?,
        name_initials: r.get(4)?,
        name_alt: r.get(5)?,
        sex: Sex::from_code(&sex).unwrap_or(Sex::Female),
        birth_date: parse_date(7, r.get(7)?)?,
        ethnicity: r.get(8)?,
        hukou_division: r.get(9)?,
        hukou_address: r.get(10)?,
        residence_division: r.get(11)?,
        residence_address: r.get(12)?,
        phone: r.get(13)?,
        schooling: r.get(14)?,
        school: r.get(15)?,
        grade: r.get(16)?,
        health: r.get(17)?,
        disability_type: r.get(18)?,
        disability_grade: r.get(19)?,
        status: ChildStatus::from_code(&status).unwrap_or(ChildStatus::Active),
        close_reason: r.get(21)?,
        closed_on: closed_on.map(|s| parse_date(22, s)).transpose()?,
        created_at: r.get(23)?,
    })
}

/// A child's file, if it exists and lies inside `scope`. A file outside the
/// scope is refused ([`CoreError::OutOfScope`]), so the caller can audit it.
pub fn get(conn: &Connection, scope: &Scope, id: RowId) -> Result<Option<Child>> {
    match get_any(conn, id)? {
        Some(child) if !scope.contains(&child.residence_division) => Err(CoreError::OutOfScope {
            what: format!("儿童档案“{}”", child.name),
            scope: scope.code().to_string(),
            audited: false,
        }),
        found => Ok(found),
    }
}

/// Any child's file, whatever the scope: for core's own use inside writes
/// (which the store's scope triggers bound) and derived computations.
pub(crate) fn get_any(conn: &Connection, id: RowId) -> Result<Option<Child>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CHILD_COLUMNS} FROM children WHERE id = ?1"
        ))?
        .query_row([id], row_to_child)
        .optional()?)
}

fn find_id_by_number(conn: &Connection, number: &str) -> Result<Option<RowId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM children WHERE id_number = ?1")?
        .query_row([number], |r| r.get(0))
        .optional()?)
}

/// Finds a file by ID number within `scope`, accepting any input form the
/// ID rules accept (lower-case x, full-width digits, legacy 15 digits). A
/// file outside the scope is refused ([`CoreError::OutOfScope`], without
/// the child's name) so the attempt can be audited.
pub fn get_by_id_number(conn: &Connection, scope: &Scope, input: &str) -> Result<Option<Child>> {
    match get_by_id_number_any(conn, input)? {
        Some(c) if !scope.contains(&c.residence_division) => Err(CoreError::OutOfScope {
            what: format!("身份证号 {} 的儿童档案", id_number::mask(&c.id_number)),
            scope: scope.code().to_string(),
            audited: false,
        }),
        found => Ok(found),
    }
}

pub(crate) fn get_by_id_number_any(conn: &Connection, input: &str) -> Result<Option<Child>> {
    let normalized = id_number::normalize(input);
    let number = match id_number::parse(&normalized, today()) {
        Ok(p) => p.number,
        Err(_) => normalized,
    };
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CHILD_COLUMNS} FROM children WHERE id_number = ?1"
        ))?
        .query_row([number], row_to_child)
        .optional()?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Village,
    Name,
    BirthDate,
    IdNumber,
}

/// A list request. Everything is optional; the session's scope is a
/// separate, mandatory argument of [`list`].
#[derive(Debug, Clone, Default)]
pub struct ChildQuery {
    /// A division inside the scope to narrow to (village, township).
    pub division: Option<String>,
    pub search: Option<String>,
    pub category: Option<CaseCategory>,
    pub status: Option<ChildStatus>,
    pub sort: SortKey,
    pub descending: bool,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// One row of the 儿童档案 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildRow {
    pub id: RowId,
    pub id_number: String,
    pub name: String,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub residence_division: String,
    pub village_name: String,
    pub categories: Vec<CaseCategory>,
    pub status: ChildStatus,
}

/// How a search text is interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SearchKind {
    /// Digits, possibly ending in X: an ID-number prefix.
    IdPrefix(String),
    /// ASCII letters: pinyin initials or full-pinyin prefix.
    Pinyin(String),
    /// Anything else: a name prefix, then a name substring.
    Name(String),
}

fn classify_search(text: &str) -> Option<SearchKind> {
    let t = id_number::normalize(text);
    if t.is_empty() {
        return None;
    }
    if t.chars().all(|c| c.is_ascii_digit() || c == 'X')
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        return Some(SearchKind::IdPrefix(t));
    }
    let trimmed = text.trim();
    if trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(SearchKind::Pinyin(trimmed.to_ascii_lowercase()));
    }
    Some(SearchKind::Name(trimmed.to_string()))
}

/// Escapes GLOB metacharacters so user text matches literally.
fn glob_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '*' | '?' | '[' | ']' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Lists files matching a query. Prefix searches use indexes (GLOB with a
/// literal prefix is index-assisted in SQLite), so a village or a search
/// over 100,000 children answers in milliseconds.
pub fn list(conn: &Connection, scope: &Scope, q: &ChildQuery) -> Result<Vec<ChildRow>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut push = |clause: &str, arg: Box<dyn ToSql>, clauses: &mut Vec<String>| {
        args.push(arg);
        clauses.push(clause.replace('?', &format!("?{}", args.len())));
    };
    push(
        "c.residence_division GLOB ?",
        Box::new(scope.glob()),
        &mut clauses,
    );
    if let Some(div) = q.division.as_deref().filter(|d| !d.is_empty()) {
        // A division outside the scope is refused, not silently emptied, so
        // the user learns why and the attempt can be audited.
        let within = scope.narrow_to(div)?;
        push(
            "c.residence_division GLOB ?",
            Box::new(within.glob()),
            &mut clauses,
        );
    }
    if let Some(status) = q.status {
        push("c.status = ?", Box::new(status.code()), &mut clauses);
    }
    if let Some(cat) = q.category {
        push(
            "EXISTS (SELECT 1 FROM categories k WHERE k.child_id = c.id AND k.status = 'active' AND k.category = ?)",
            Box::new(cat.code()),
            &mut clauses,
        );
    }
    let search = q.search.as_deref().and_then(classify_search);
    // A substring search scans the table anyway; ordering through an index
    // would then cost a random lookup per row (5× slower on 100,000
    // children), so `+` makes SQLite sort the few matches instead.
    let no_index = if matches!(search, Some(SearchKind::Name(_))) {
        "+"
    } else {
        ""
    };
    match search {
        Some(SearchKind::IdPrefix(p)) => {
            push(
                "c.id_number GLOB ?",
                Box::new(format!("{}*", glob_literal(&p))),
                &mut clauses,
            );
        }
        Some(SearchKind::Pinyin(p)) => {
            let pattern = format!("{}*", glob_literal(&p));
            args.push(Box::new(pattern));
            let n = args.len();
            clauses.push(format!(
                "(c.name_initials GLOB ?{n} OR c.name_pinyin GLOB ?{n})"
            ));
        }
        Some(SearchKind::Name(p)) => {
            let prefix = format!("{}*", glob_literal(&p));
            args.push(Box::new(prefix));
            let n = args.len();
            args.push(Box::new(p));
            let m = args.len();
            clauses.push(format!(
                "(c.name GLOB ?{n} OR instr(c.name, ?{m}) > 0 OR instr(coalesce(c.name_alt, ''), ?{m}) > 0)"
            ));
        }
        None => {}
    }
    let where_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let order = match q.sort {
        SortKey::Village => format!("{no_index}c.residence_division, c.name_pinyin"),
        SortKey::Name => format!("{no_index}c.name_pinyin, c.name"),
        SortKey::BirthDate => format!("{no_index}c.birth_date, c.name_pinyin"),
        SortKey::IdNumber => format!("{no_index}c.id_number"),
    };
    let dir = if q.descending { "DESC" } else { "ASC" };
    let limit = q.limit.map(|l| l as i64).unwrap_or(-1);
    let sql = format!(
        "SELECT c.id, c.id_number, c.name, c.sex, c.birth_date, c.residence_division,
                coalesce(d.name, ''), c.status,
                (SELECT group_concat(k.category) FROM categories k WHERE k.child_id = c.id AND k.status = 'active')
         FROM children c LEFT JOIN divisions d ON d.code = c.residence_division
         {where_sql} ORDER BY {order} {dir} LIMIT {limit} OFFSET {}",
        q.offset
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let params: Vec<&dyn ToSql> = args.iter().map(|b| b.as_ref()).collect();
    let rows = stmt.query_map(params.as_slice(), |r| {
        let sex: String = r.get(3)?;
        let status: String = r.get(7)?;
        let cats: Option<String> = r.get(8)?;
        let mut categories: Vec<CaseCategory> = cats
            .unwrap_or_default()
            .split(',')
            .filter_map(CaseCategory::from_code)
            .collect();
        categories.sort();
        categories.dedup();
        Ok(ChildRow {
            id: r.get(0)?,
            id_number: r.get(1)?,
            name: r.get(2)?,
            sex: Sex::from_code(&sex).unwrap_or(Sex::Female),
            birth_date: parse_date(4, r.get(4)?)?,
            residence_division: r.get(5)?,
            village_name: r.get(6)?,
            status: ChildStatus::from_code(&status).unwrap_or(ChildStatus::Active),
            categories,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Number of files within a scope.
pub fn count(conn: &Connection, scope: &Scope) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM children WHERE residence_division GLOB ?1",
        [scope.glob()],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_classified_by_shape() {
        assert_eq!(
            classify_search("4115"),
            Some(SearchKind::IdPrefix("4115".into()))
        );
        assert_eq!(
            classify_search("４１１５"),
            Some(SearchKind::IdPrefix("4115".into()))
        );
        assert_eq!(
            classify_search("ZXY"),
            Some(SearchKind::Pinyin("zxy".into()))
        );
        assert_eq!(
            classify_search("张小"),
            Some(SearchKind::Name("张小".into()))
        );
        assert_eq!(classify_search("  "), None);
    }

    #[test]
    fn glob_metacharacters_are_escaped() {
        assert_eq!(glob_literal("a*b?"), "a[*]b[?]");
    }
}
