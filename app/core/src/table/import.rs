//! Importing children's files from a spreadsheet: preview, row report,
//! then one all-or-nothing transaction with one audit entry.
//!
//! [`prepare_children`] validates every row without writing: ID number
//! (length, characters, date, check digit, Excel damage), name, village
//! (code or name, within the county), sex and birth date against the ID,
//! duplicates within the file and against the database. [`import_children`]
//! writes the valid rows, or nothing when any row is invalid unless the
//! caller chose to skip invalid rows.

use super::mapping::{self, Field, Mapping, Resolved};
use super::read::{Cell, RawRow, RawTable};
use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::categories::{self, CategoryRecord, CategorySource};
use crate::children::{self, Child, ChildStatus};
use crate::error::{CoreError, Result};
use crate::names::pinyin_keys;
use crate::store::{Actor, Store};
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use hutong_national::division::{self, DivisionLevel};
use hutong_national::id_number::{self, Sex};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

/// One finding about one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// 1-based line in the file (the Excel row number).
    pub line: usize,
    /// "C列（身份证号）", when one column is at fault.
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "第{}行 {c}：{}", self.line, self.message),
            None => write!(f, "第{}行：{}", self.line, self.message),
        }
    }
}

/// A row that passed validation, ready to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedChild {
    pub line: usize,
    pub child: Child,
    pub categories: Vec<CaseCategory>,
}

/// The preview and row report of an import.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub source: String,
    pub file_sha256: String,
    pub header_line: usize,
    pub headers: Vec<String>,
    pub notes: Vec<String>,
    pub mapping: Mapping,
    /// Data rows in the file (empty rows not counted).
    pub total_rows: usize,
    pub valid: Vec<PreparedChild>,
    pub errors: Vec<RowProblem>,
    pub warnings: Vec<RowProblem>,
    /// Lines with at least one error.
    pub invalid_lines: BTreeSet<usize>,
}

impl ImportPreview {
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub inserted: usize,
    pub skipped_invalid: usize,
    pub categories: usize,
}

/// Village codes and names of the county, for resolving the village column.
pub struct VillageIndex {
    codes: HashSet<String>,
    by_name: HashMap<String, Vec<String>>,
    townships: HashMap<String, String>,
}

/// A village name without its committee suffix: 插花村民委员会, 插花村委会
/// and 插花村 all become 插花.
pub fn village_key(name: &str) -> String {
    let mut n: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    for suffix in ["村民委员会", "居民委员会", "村委会", "居委会", "委员会"] {
        if let Some(s) = n.strip_suffix(suffix) {
            n = s.to_string();
            break;
        }
    }
    if let Some(s) = n.strip_suffix('村')
        && !s.is_empty()
    {
        n = s.to_string();
    }
    n
}

fn township_key(name: &str) -> String {
    let n: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    for suffix in ["街道办事处", "街道", "镇", "乡"] {
        if let Some(s) = n.strip_suffix(suffix)
            && !s.is_empty()
        {
            return s.to_string();
        }
    }
    n
}

impl VillageIndex {
    pub fn load(conn: &Connection) -> Result<VillageIndex> {
        let mut codes = HashSet::new();
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        let mut townships = HashMap::new();
        let mut stmt = conn.prepare("SELECT code, name, level FROM divisions WHERE level >= 4")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (code, name, level) = row?;
            if level == 4 {
                townships.insert(township_key(&name), code.clone());
                townships.insert(name, code);
            } else {
                by_name
                    .entry(village_key(&name))
                    .or_default()
                    .push(code.clone());
                codes.insert(code);
            }
        }
        Ok(VillageIndex {
            codes,
            by_name,
            townships,
        })
    }

    pub fn contains(&self, code: &str) -> bool {
        self.codes.contains(code)
    }

    /// A village code from a code or a name, optionally narrowed by a
    /// township (name or code).
    pub fn resolve(
        &self,
        raw: &str,
        township: Option<&str>,
    ) -> std::result::Result<String, String> {
        let raw = raw.trim();
        if let Some(code) = division::normalize_code(raw) {
            if division::level_of(&code) != Some(DivisionLevel::Village) {
                return Err(format!("应为12位村级代码，“{raw}”不是"));
            }
            if !self.codes.contains(&code) {
                return Err(format!("村（居）代码 {code} 不在本县的区划表中"));
            }
            return Ok(code);
        }
        let candidates = self
            .by_name
            .get(&village_key(raw))
            .cloned()
            .unwrap_or_default();
        let town_code = township.and_then(|t| {
            let t = t.trim();
            division::normalize_code(t)
                .or_else(|| self.townships.get(t).cloned())
                .or_else(|| self.townships.get(&township_key(t)).cloned())
        });
        let narrowed: Vec<String> = match &town_code {
            Some(tc) => candidates
                .iter()
                .filter(|c| c.starts_with(tc.as_str()))
                .cloned()
                .collect(),
            None => candidates.clone(),
        };
        match narrowed.len() {
            1 => Ok(narrowed[0].clone()),
            0 if candidates.is_empty() => Err(format!("本县没有名为“{raw}”的村（居）")),
            0 => Err(format!("“{raw}”不在所填乡镇中")),
            n => Err(format!(
                "本县有{n}个名为“{raw}”的村（居），请填写12位村级代码或乡镇"
            )),
        }
    }
}

fn parse_sex(s: &str) -> Option<Sex> {
    match s.trim() {
        "男" | "M" | "m" | "男性" => Some(Sex::Male),
        "女" | "F" | "f" | "女性" => Some(Sex::Female),
        _ => None,
    }
}

fn parse_grade(s: &str) -> Option<u8> {
    let t = s.trim().trim_end_matches('级');
    match t {
        "1" | "一" => Some(1),
        "2" | "二" => Some(2),
        "3" | "三" => Some(3),
        "4" | "四" => Some(4),
        _ => None,
    }
}

/// A category from its code or Chinese label.
pub fn parse_category(s: &str) -> Option<CaseCategory> {
    let t = s.trim();
    if let Some(c) = CaseCategory::from_code(t) {
        return Some(c);
    }
    if let Some(c) = CaseCategory::ALL.into_iter().find(|c| c.label_zh() == t) {
        return Some(c);
    }
    // A short form such as 留守 or 事实无人抚养, if it names exactly one.
    let partial: Vec<CaseCategory> = CaseCategory::ALL
        .into_iter()
        .filter(|c| t.chars().count() >= 2 && c.label_zh().contains(t))
        .collect();
    match partial.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Existing children's ID numbers and names.
fn existing_ids(conn: &Connection) -> Result<HashMap<String, String>> {
    let mut stmt = conn.prepare("SELECT id_number, name FROM children")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// County-level codes in the database (for the ID address-code warning).
pub(crate) fn known_counties(conn: &Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare("SELECT code FROM divisions WHERE level = 3")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

struct RowCtx<'a> {
    table: &'a RawTable,
    cols: &'a Resolved,
    row: &'a RawRow,
    errors: Vec<RowProblem>,
    warnings: Vec<RowProblem>,
}

impl RowCtx<'_> {
    fn cell(&self, f: Field) -> &Cell {
        match self.cols.col(f) {
            Some(c) => self.row.get(c),
            None => &Cell::Empty,
        }
    }
    fn problem(&self, f: Option<Field>, message: impl Into<String>) -> RowProblem {
        RowProblem {
            line: self.row.line,
            column: f
                .and_then(|f| self.cols.col(f))
                .map(|c| self.table.column_label(c)),
            message: message.into(),
        }
    }
    fn error(&mut self, f: Option<Field>, message: impl Into<String>) {
        let p = self.problem(f, message);
        self.errors.push(p);
    }
    fn warn(&mut self, f: Option<Field>, message: impl Into<String>) {
        let p = self.problem(f, message);
        self.warnings.push(p);
    }
    fn text(&self, f: Field) -> Option<String> {
        mapping::text(self.cell(f))
    }
}

/// Validates a parsed ID cell; shared with the comparison.
pub(crate) fn check_id(
    cell: &Cell,
    today: NaiveDate,
) -> std::result::Result<id_number::ParsedId, String> {
    let raw = mapping::id_text(cell)?.ok_or_else(|| "身份证号为空".to_string())?;
    id_number::parse(&raw, today).map_err(|e| {
        let n = id_number::normalize(&raw);
        if matches!(e, id_number::IdError::BadChecksum { .. }) && mapping::lost_digits_hint(&n) {
            format!("{e}（末几位是0，可能被 Excel 当作数字截断过）")
        } else {
            e.to_string()
        }
    })
}

/// Validates every row of `table` as a child file. Writes nothing.
pub fn prepare_children(
    conn: &Connection,
    table: &RawTable,
    mapping: &Mapping,
    file_sha256: &str,
    today: NaiveDate,
) -> Result<ImportPreview> {
    let cols = mapping::resolve(
        mapping,
        table,
        &[Field::IdNumber, Field::Name, Field::Village],
    )?;
    let villages = VillageIndex::load(conn)?;
    let counties = known_counties(conn)?;
    let existing = existing_ids(conn)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut preview = ImportPreview {
        source: table.source.clone(),
        file_sha256: file_sha256.to_string(),
        header_line: table.header_line,
        headers: table.headers.clone(),
        notes: table.notes.clone(),
        mapping: mapping.clone(),
        total_rows: table.rows.len(),
        valid: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        invalid_lines: BTreeSet::new(),
    };
    for row in &table.rows {
        let mut ctx = RowCtx {
            table,
            cols: &cols,
            row,
            errors: Vec::new(),
            warnings: Vec::new(),
        };
        if row
            .cells
            .iter()
            .any(|c| matches!(c, Cell::Text(t) if t.contains('\u{FFFD}')))
        {
            ctx.error(
                None,
                "含无法识别的字符（文件编码可能有误），请另存为 UTF-8 或 Excel 格式",
            );
        }
        let parsed = match check_id(ctx.cell(Field::IdNumber), today) {
            Ok(p) => Some(p),
            Err(m) => {
                ctx.error(Some(Field::IdNumber), m);
                None
            }
        };
        if let Some(p) = &parsed {
            if !counties.contains(&p.address_code) {
                ctx.warn(
                    Some(Field::IdNumber),
                    format!(
                        "地址码{}不在区划列表中（可能是已撤销的旧代码）",
                        p.address_code
                    ),
                );
            }
            if p.converted_from_15 {
                ctx.warn(
                    Some(Field::IdNumber),
                    format!("15位旧号已转换为 {}", p.number),
                );
            }
            if let Some(first) = seen.get(&p.number) {
                ctx.error(
                    Some(Field::IdNumber),
                    format!("与第{first}行的身份证号重复"),
                );
            } else {
                seen.insert(p.number.clone(), row.line);
            }
            if let Some(name) = existing.get(&p.number) {
                ctx.error(
                    Some(Field::IdNumber),
                    format!("本库已有此身份证号的档案（{name}），不能重复建档"),
                );
            }
        }
        let name = ctx.text(Field::Name);
        match &name {
            None => ctx.error(Some(Field::Name), "姓名为空"),
            Some(n) => {
                if let Some(problem) = crate::names::name_problem(n) {
                    ctx.error(Some(Field::Name), format!("姓名{problem}"));
                }
            }
        }
        if let (Some(s), Some(p)) = (ctx.text(Field::Sex), &parsed) {
            match parse_sex(&s) {
                Some(sex) if sex != p.sex => ctx.error(
                    Some(Field::Sex),
                    format!("性别“{s}”与身份证号（{}）不符", p.sex.label_zh()),
                ),
                Some(_) => {}
                None => ctx.warn(Some(Field::Sex), format!("“{s}”不是性别，已按身份证号确定")),
            }
        }
        if let Some(p) = &parsed {
            match mapping::date(ctx.cell(Field::BirthDate)) {
                Ok(Some(d)) if d != p.birth_date => ctx.error(
                    Some(Field::BirthDate),
                    format!("出生日期 {d} 与身份证号（{}）不符", p.birth_date),
                ),
                Ok(_) => {}
                Err(m) => ctx.warn(Some(Field::BirthDate), format!("{m}；已按身份证号确定")),
            }
        }
        let township = ctx.text(Field::Township);
        let village = match mapping::code_text(ctx.cell(Field::Village)) {
            None => {
                ctx.error(Some(Field::Village), "村（居）为空");
                None
            }
            Some(v) => match villages.resolve(&v, township.as_deref()) {
                Ok(code) => Some(code),
                Err(m) => {
                    ctx.error(Some(Field::Village), m);
                    None
                }
            },
        };
        let hukou = match mapping::code_text(ctx.cell(Field::HukouDivision)) {
            Some(h) => match division::normalize_code(&h) {
                Some(code) => Some(code),
                None => {
                    ctx.error(
                        Some(Field::HukouDivision),
                        format!("“{h}”不是有效的区划代码"),
                    );
                    None
                }
            },
            None => None,
        };
        let disability_grade = match ctx.text(Field::DisabilityGrade) {
            Some(g) => match parse_grade(&g) {
                Some(n) => Some(n),
                None => {
                    ctx.error(Some(Field::DisabilityGrade), format!("“{g}”不是1–4级"));
                    None
                }
            },
            None => None,
        };
        let mut categories_v = Vec::new();
        if let Some(text) = ctx.text(Field::Category) {
            for part in text
                .split(['、', ',', '，', ';', '；', '/'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                match parse_category(part) {
                    Some(cat) if !categories_v.contains(&cat) => categories_v.push(cat),
                    Some(_) => {}
                    None => ctx.error(Some(Field::Category), format!("未知的儿童类别“{part}”")),
                }
            }
        }
        let RowCtx {
            errors, warnings, ..
        } = ctx;
        let ok = errors.is_empty();
        if !ok {
            preview.invalid_lines.insert(row.line);
        }
        preview.errors.extend(errors);
        preview.warnings.extend(warnings);
        let (Some(p), Some(name), Some(village), true) = (parsed, name, village, ok) else {
            continue;
        };
        let ctx_text = |f: Field| cols.col(f).and_then(|c| mapping::text(row.get(c)));
        let (name_pinyin, name_initials) = pinyin_keys(&name);
        preview.valid.push(PreparedChild {
            line: row.line,
            categories: categories_v,
            child: Child {
                id: RowId::new(),
                id_number: p.number,
                name,
                name_pinyin,
                name_initials,
                name_alt: None,
                sex: p.sex,
                birth_date: p.birth_date,
                ethnicity: ctx_text(Field::Ethnicity),
                hukou_division: hukou,
                hukou_address: ctx_text(Field::HukouAddress),
                residence_division: village,
                residence_address: ctx_text(Field::ResidenceAddress),
                phone: ctx_text(Field::Phone),
                schooling: ctx_text(Field::Schooling),
                school: ctx_text(Field::School),
                grade: ctx_text(Field::Grade),
                health: ctx_text(Field::Health),
                disability_type: ctx_text(Field::DisabilityType),
                disability_grade,
                status: ChildStatus::Active,
                close_reason: None,
                closed_on: None,
                created_at: String::new(),
            },
        });
    }
    Ok(preview)
}

/// Writes the valid rows in one transaction with one audit entry. With
/// invalid rows and `skip_invalid` false, writes nothing and fails.
pub fn import_children(
    store: &mut Store,
    actor: &Actor,
    preview: &ImportPreview,
    skip_invalid: bool,
) -> Result<ImportOutcome> {
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
        let mut categories_added = 0;
        for p in &preview.valid {
            let mut child = p.child.clone();
            child.created_at = now.clone();
            children::insert_row(tx.conn(), &child).map_err(|e| match e {
                CoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    CoreError::BadFile {
                        path: preview.source.clone().into(),
                        message: format!(
                            "第{}行：身份证号 {} 已有档案（预览之后被录入），未导入任何数据",
                            p.line,
                            id_number::mask(&child.id_number)
                        ),
                    }
                }
                other => other,
            })?;
            for &cat in &p.categories {
                categories::insert_row(
                    tx.conn(),
                    &CategoryRecord {
                        id: RowId::new(),
                        child_id: child.id,
                        category: cat,
                        basis: format!("从 {} 第{}行导入", preview.source, p.line),
                        source: CategorySource::Import,
                        source_ref: Some(preview.file_sha256.clone()),
                        effective_from: crate::store::today().max(child.birth_date),
                        effective_until: None,
                        evidence: None,
                        active: true,
                        end_reason: None,
                    },
                )?;
                categories_added += 1;
            }
        }
        let first = preview.valid.first().map(|p| p.child.id.to_string());
        let last = preview.valid.last().map(|p| p.child.id.to_string());
        tx.audit(
            AuditEntryInput::new(AuditAction::TableImport, "children", None).detail(
                serde_json::json!({
                    "file": preview.source,
                    "file_sha256": preview.file_sha256,
                    "mapping": preview.mapping.name,
                    "rows_in_file": preview.total_rows,
                    "inserted": preview.valid.len(),
                    "skipped_invalid_lines": preview.invalid_lines.iter().collect::<Vec<_>>(),
                    "categories": categories_added,
                    "first_id": first,
                    "last_id": last,
                }),
            ),
        )?;
        Ok(ImportOutcome {
            inserted: preview.valid.len(),
            skipped_invalid: preview.invalid_lines.len(),
            categories: categories_added,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn village_names_lose_their_suffixes() {
        assert_eq!(village_key("插花村民委员会"), "插花");
        assert_eq!(village_key("插花村"), "插花");
        assert_eq!(village_key("插花村委会"), "插花");
        assert_eq!(village_key("黎集社区居民委员会"), "黎集社区");
        assert_eq!(township_key("黎集镇"), "黎集");
    }

    #[test]
    fn categories_by_code_or_label() {
        assert_eq!(
            parse_category("LEFT_BEHIND_RURAL"),
            Some(CaseCategory::LeftBehindRural)
        );
        assert_eq!(parse_category("不存在"), None);
    }
}
