//! Column mappings: which column of a file holds which field.
//!
//! A mapping names columns by their header text, not position, so it keeps
//! working when another department reorders its columns. Mappings are saved
//! by name in the database (one per source, e.g. "学籍库"), and
//! [`auto_map`] proposes one from the usual Chinese header names.

use super::read::{Cell, RawTable, excel_serial_to_date, format_number, normalize_header};
use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::error::{CoreError, Result};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// A field a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    IdNumber,
    Name,
    Sex,
    BirthDate,
    /// Residence village: a 12-digit code or a village name.
    Village,
    /// Township name or 9-digit code (narrows village names).
    Township,
    Ethnicity,
    HukouDivision,
    HukouAddress,
    ResidenceAddress,
    Phone,
    Schooling,
    School,
    Grade,
    Health,
    DisabilityType,
    DisabilityGrade,
    /// A case category (code or Chinese label).
    Category,
    /// A person's status in another department's list: 在校, 辍学, 死亡, 刑满释放…
    Status,
    /// Persons import: the ID number of the child the person is related to.
    ChildIdNumber,
    /// Persons import: 父亲, 母亲, 祖父…
    Relation,
    /// Persons import: whether the person is the child's guardian (是/否).
    Guardian,
    /// Persons import: occupation or work (外出务工…).
    Occupation,
}

impl Field {
    pub const ALL: [Field; 23] = [
        Field::IdNumber,
        Field::Name,
        Field::Sex,
        Field::BirthDate,
        Field::Village,
        Field::Township,
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
        Field::Category,
        Field::Status,
        Field::ChildIdNumber,
        Field::Relation,
        Field::Guardian,
        Field::Occupation,
    ];

    /// The fields of a persons (parents, guardians) file.
    pub const PERSON_FIELDS: [Field; 9] = [
        Field::ChildIdNumber,
        Field::Name,
        Field::IdNumber,
        Field::Relation,
        Field::Guardian,
        Field::Phone,
        Field::ResidenceAddress,
        Field::Health,
        Field::Occupation,
    ];

    pub fn label_zh(self) -> &'static str {
        self.aliases()[0]
    }

    /// Header texts (normalised) that mean this field; the first is the label.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::IdNumber => &[
                "身份证号",
                "身份证号码",
                "公民身份号码",
                "儿童身份证号",
                "学生身份证号",
                "证件号码",
                "证件号",
                "身份证",
            ],
            Field::Name => &["姓名", "儿童姓名", "学生姓名", "名字"],
            Field::Sex => &["性别"],
            Field::BirthDate => &["出生日期", "出生年月", "生日"],
            Field::Village => &[
                "村(居)",
                "村(居)代码",
                "村(居)委会",
                "村居",
                "村",
                "村委会",
                "所在村",
                "村(社区)",
                "社区",
                "现居住村(居)",
                "居住地区划代码",
                "村级区划代码",
            ],
            Field::Township => &["乡镇(街道)", "乡镇", "乡(镇)", "街道", "所在乡镇"],
            Field::Ethnicity => &["民族"],
            Field::HukouDivision => &["户籍地区划", "户籍区划代码"],
            Field::HukouAddress => &["户籍地址", "户籍地", "户口所在地"],
            Field::ResidenceAddress => &["现住址", "居住地址", "家庭住址", "住址", "详细地址"],
            Field::Phone => &["联系电话", "电话", "手机", "手机号", "监护人电话"],
            Field::Schooling => &["就学情况", "就学状况", "就读情况", "学段"],
            Field::School => &["就读学校", "学校", "学校名称"],
            Field::Grade => &["年级", "班级"],
            Field::Health => &["健康状况", "健康情况"],
            Field::DisabilityType => &["残疾类别", "残疾类型"],
            Field::DisabilityGrade => &["残疾等级"],
            Field::Category => &["儿童类别", "类别", "保障类别"],
            Field::Status => &[
                "人员状态",
                "状态",
                "学籍状态",
                "在校状态",
                "户籍状态",
                "变动情况",
                "变动类型",
            ],
            Field::ChildIdNumber => &[
                "儿童身份证号",
                "关联儿童身份证号",
                "儿童证件号码",
                "子女身份证号",
            ],
            Field::Relation => &["与儿童关系", "关系", "亲属关系", "与儿童的关系", "称谓"],
            Field::Guardian => &["是否监护人", "监护人", "是否为监护人"],
            Field::Occupation => &["职业", "工作情况", "务工情况"],
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Field::IdNumber => "id_number",
            Field::Name => "name",
            Field::Sex => "sex",
            Field::BirthDate => "birth_date",
            Field::Village => "village",
            Field::Township => "township",
            Field::Ethnicity => "ethnicity",
            Field::HukouDivision => "hukou_division",
            Field::HukouAddress => "hukou_address",
            Field::ResidenceAddress => "residence_address",
            Field::Phone => "phone",
            Field::Schooling => "schooling",
            Field::School => "school",
            Field::Grade => "grade",
            Field::Health => "health",
            Field::DisabilityType => "disability_type",
            Field::DisabilityGrade => "disability_grade",
            Field::Category => "category",
            Field::Status => "status",
            Field::ChildIdNumber => "child_id_number",
            Field::Relation => "relation",
            Field::Guardian => "guardian",
            Field::Occupation => "occupation",
        }
    }

    pub fn from_code(s: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == s)
    }

    /// The field a header text names, if any.
    pub fn for_header(header: &str) -> Option<Field> {
        let h = normalize_header(header);
        Field::ALL
            .into_iter()
            .find(|f| f.aliases().contains(&h.as_str()))
    }
}

/// Whether a header text is one [`auto_map`] knows (used to find the header row).
pub fn is_known_header(h: &str) -> bool {
    Field::for_header(h).is_some()
}

/// One column's assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMap {
    /// The header text, normalised.
    pub header: String,
    pub field: Field,
}

/// A named mapping, saved per source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub name: String,
    pub columns: Vec<ColumnMap>,
}

impl Mapping {
    pub fn column_for(&self, field: Field) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.field == field)
            .map(|c| c.header.as_str())
    }
}

/// Proposes a mapping for a persons file: 儿童身份证号 is the linked child
/// (not the person's own number, as in a children's file), then the usual
/// names.
pub fn auto_map_persons(name: &str, headers: &[String]) -> Mapping {
    let mut columns: Vec<ColumnMap> = Vec::new();
    for h in headers {
        let header = normalize_header(h);
        let field = [
            Field::ChildIdNumber,
            Field::Relation,
            Field::Guardian,
            Field::Occupation,
        ]
        .into_iter()
        .find(|f| f.aliases().contains(&header.as_str()))
        .or_else(|| Field::for_header(&header))
        .filter(|f| Field::PERSON_FIELDS.contains(f));
        if let Some(field) = field
            && !columns.iter().any(|c| c.field == field)
        {
            columns.push(ColumnMap { header, field });
        }
    }
    Mapping {
        name: name.to_string(),
        columns,
    }
}

/// Proposes a mapping from header names. The first column that names a
/// field wins; columns naming no known field are ignored.
pub fn auto_map(name: &str, headers: &[String]) -> Mapping {
    let mut columns: Vec<ColumnMap> = Vec::new();
    for h in headers {
        let Some(field) = Field::for_header(h) else {
            continue;
        };
        let header = normalize_header(h);
        match columns.iter_mut().find(|c| c.field == field) {
            None => columns.push(ColumnMap { header, field }),
            // A code column beats a name column for the same field
            // (村（居）代码 over 村（居）): codes are unambiguous.
            Some(existing) if header.contains("代码") && !existing.header.contains("代码") => {
                existing.header = header;
            }
            Some(_) => {}
        }
    }
    Mapping {
        name: name.to_string(),
        columns,
    }
}

/// A mapping applied to one table: field → column index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub columns: Vec<(Field, usize)>,
}

impl Resolved {
    pub fn col(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| *c)
    }
}

/// Finds each mapped header in the table. A mapped header missing from the
/// file is an error naming it; so is a missing required field.
pub fn resolve(mapping: &Mapping, table: &RawTable, required: &[Field]) -> Result<Resolved> {
    let mut columns = Vec::new();
    for c in &mapping.columns {
        let want = normalize_header(&c.header);
        match table.headers.iter().position(|h| *h == want) {
            Some(i) => columns.push((c.field, i)),
            None => {
                return Err(CoreError::BadFile {
                    path: table.source.clone().into(),
                    message: format!(
                        "映射“{}”要求的列“{}”（{}）不在第{}行的表头中；表头为：{}",
                        mapping.name,
                        c.header,
                        c.field.label_zh(),
                        table.header_line,
                        table.headers.join("、")
                    ),
                });
            }
        }
    }
    for field in required {
        if !columns.iter().any(|(f, _)| f == field) {
            return Err(CoreError::BadFile {
                path: table.source.clone().into(),
                message: format!(
                    "缺少必需的列“{}”（映射“{}”中没有它；表头为：{}）",
                    field.label_zh(),
                    mapping.name,
                    table.headers.join("、")
                ),
            });
        }
    }
    Ok(Resolved { columns })
}

/// Saves (creates or replaces) a mapping by name, audited.
pub fn save(tx: &mut WriteTx<'_>, mapping: &Mapping) -> Result<()> {
    let name = mapping.name.trim();
    if name.is_empty() {
        return Err(CoreError::field("映射名称", "不能为空"));
    }
    let json = serde_json::to_string(&mapping.columns)?;
    let existing: Option<(RowId, String)> = tx
        .conn()
        .query_row(
            "SELECT id, columns_json FROM column_mappings WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let id = match &existing {
        Some((id, _)) => {
            tx.conn().execute(
                "UPDATE column_mappings SET columns_json = ?2 WHERE id = ?1",
                params![id, json],
            )?;
            *id
        }
        None => {
            let id = RowId::new();
            tx.conn().execute(
                "INSERT INTO column_mappings (id, name, columns_json, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![id, name, json, tx.now()],
            )?;
            id
        }
    };
    tx.audit(
        AuditEntryInput::new(AuditAction::MappingSave, "column_mappings", Some(id.to_string())).detail(
            serde_json::json!({
                "name": name,
                "columns": mapping.columns.iter().map(|c| format!("{}→{}", c.header, c.field.code())).collect::<Vec<_>>(),
                "previous": existing.map(|(_, old)| old),
            }),
        ),
    )?;
    Ok(())
}

pub fn load(conn: &Connection, name: &str) -> Result<Option<Mapping>> {
    let json: Option<String> = conn
        .query_row(
            "SELECT columns_json FROM column_mappings WHERE name = ?1",
            [name.trim()],
            |r| r.get(0),
        )
        .optional()?;
    match json {
        Some(j) => Ok(Some(Mapping {
            name: name.trim().to_string(),
            columns: serde_json::from_str(&j)?,
        })),
        None => Ok(None),
    }
}

/// Saved mapping names, alphabetically.
pub fn list(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare("SELECT name FROM column_mappings ORDER BY name")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

// ---------------------------------------------------------------------------
// Cell converters. Each returns a message fit for a row report.

/// Plain text of a cell, `None` when empty.
/// A leading apostrophe before `= + - @` is the mark our exports (and
/// careful users) put against formula injection; it is not part of the value.
pub fn text(cell: &Cell) -> Option<String> {
    let s = cell.display();
    let mut s = s.trim();
    if let Some(rest) = s.strip_prefix('\'')
        && rest.starts_with(['=', '+', '-', '@'])
    {
        s = rest;
    }
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

/// The message for an ID number Excel turned into a number.
pub const ID_AS_NUMBER: &str =
    "身份证号被 Excel 存成了数字，后几位已丢失；请在源文件中把该列设为“文本”格式后重新录入";

/// Recognises Excel's scientific notation such as `4.11525E+17`.
fn looks_scientific(s: &str) -> bool {
    let s = s.trim();
    let Some((mantissa, exp)) = s.split_once(['E', 'e']) else {
        return false;
    };
    let exp = exp.trim_start_matches('+');
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
}

/// The ID-number text of a cell, or why it cannot be one. A number cell
/// holding 18 digits has lost its last digits (Excel keeps 15 significant
/// digits), as has text in scientific notation. A 15-digit number is an
/// exact legacy number and is accepted.
pub fn id_text(cell: &Cell) -> std::result::Result<Option<String>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(f) => {
            if f.is_finite() && f.fract() == 0.0 && (1e14..1e15).contains(f) {
                Ok(Some(format_number(*f)))
            } else if f.is_finite() && *f >= 1e15 {
                Err(ID_AS_NUMBER.into())
            } else {
                Err(format!("“{}”不是身份证号", format_number(*f)))
            }
        }
        Cell::Text(s) => {
            let t = s.trim().trim_start_matches(['\'', '`', '‘']).trim();
            if t.is_empty() {
                Ok(None)
            } else if looks_scientific(t) {
                Err(ID_AS_NUMBER.into())
            } else {
                Ok(Some(t.to_string()))
            }
        }
        Cell::Date(_) | Cell::Bool(_) => Err(format!("“{}”不是身份证号", cell.display())),
        Cell::Error(e) => Err(format!("单元格是 Excel 错误值 {e}")),
    }
}

/// Hint added when a checksum fails on a number ending in zeros: the
/// typical trace of a number that went through Excel as a number.
pub fn lost_digits_hint(id: &str) -> bool {
    id.len() == 18 && id.ends_with("000")
}

/// A date from a date cell, an Excel serial, or text in the usual forms.
pub fn date(cell: &Cell) -> std::result::Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(f) => {
            // 20130415 typed as a number.
            if (1e7..1e8).contains(f) && f.fract() == 0.0 {
                return hutong_national::dates::parse_flexible(&format_number(*f))
                    .map(Some)
                    .ok_or_else(|| format!("“{}”不是有效日期", format_number(*f)));
            }
            excel_serial_to_date(*f)
                .map(Some)
                .ok_or_else(|| format!("“{}”不是有效的 Excel 日期", format_number(*f)))
        }
        Cell::Text(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if let Some(d) = hutong_national::dates::parse_flexible(t) {
                return Ok(Some(d));
            }
            // A datetime text such as "2013-04-15 00:00:00".
            if let Some(d) = t.get(..10).and_then(hutong_national::dates::parse_flexible) {
                return Ok(Some(d));
            }
            // A serial that went through CSV as text.
            if let Ok(f) = t.parse::<f64>()
                && let Some(d) = excel_serial_to_date(f)
                && (1.0..80_000.0).contains(&f)
            {
                return Ok(Some(d));
            }
            Err(format!(
                "“{t}”不是有效日期（可写作 2013-04-15 或 2013年4月15日）"
            ))
        }
        Cell::Bool(_) | Cell::Error(_) => Err(format!("“{}”不是日期", cell.display())),
    }
}

/// A division code written as a number or text.
pub fn code_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Number(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 1e13 => Some(format_number(*f)),
        other => text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_damaged_by_excel_are_recognised() {
        assert_eq!(
            id_text(&Cell::Number(4.11525201304150e17)),
            Err(ID_AS_NUMBER.to_string())
        );
        assert_eq!(
            id_text(&Cell::Text("4.11525E+17".into())),
            Err(ID_AS_NUMBER.to_string())
        );
        assert_eq!(
            id_text(&Cell::Number(411525130415012.0)),
            Ok(Some("411525130415012".into()))
        );
        assert_eq!(
            id_text(&Cell::Text("'411525201304150124".into())),
            Ok(Some("411525201304150124".into()))
        );
        assert_eq!(id_text(&Cell::Empty), Ok(None));
    }

    #[test]
    fn dates_in_every_shape() {
        let d = NaiveDate::from_ymd_opt(2013, 4, 15);
        assert_eq!(date(&Cell::Number(41379.0)), Ok(d));
        assert_eq!(date(&Cell::Number(20130415.0)), Ok(d));
        assert_eq!(date(&Cell::Text("2013/4/15".into())), Ok(d));
        assert_eq!(date(&Cell::Text("2013年4月15日".into())), Ok(d));
        assert_eq!(date(&Cell::Text("41379".into())), Ok(d));
        assert_eq!(date(&Cell::Text("2013-04-15 00:00:00".into())), Ok(d));
        assert!(date(&Cell::Text("明天".into())).is_err());
    }

    #[test]
    fn headers_map_automatically() {
        let headers: Vec<String> = ["序号", "学生姓名", "身份证号码", "村（居）", "就读学校"]
            .iter()
            .map(|h| normalize_header(h))
            .collect();
        let m = auto_map("学籍库", &headers);
        assert_eq!(m.column_for(Field::Name), Some("学生姓名"));
        assert_eq!(m.column_for(Field::IdNumber), Some("身份证号码"));
        assert_eq!(m.column_for(Field::Village), Some("村(居)"));
        assert_eq!(m.column_for(Field::School), Some("就读学校"));
        assert_eq!(m.columns.len(), 4);
    }
}
