//! The 孤儿 / 事实无人抚养儿童 basic living allowance (DOMAIN §1.4, §1.5, §2.7),
//! 福彩圆梦 grants and 明天计划 records (§2.8).
//!
//! **Standards.** The county sets an amount per category, effective from the
//! first day of a month; a later standard supersedes an earlier one from its
//! month on.
//!
//! **The ledger rule** ([`payment_window`]). Payment starts the month *after*
//! confirmation (the category's `effective_from`: §1.5 "the month after
//! confirmation", §2.7 step 4 "the month after approval") and stops the
//! month after the category ends: the last paid month is the month holding
//! the end date. The end date is the category's `effective_until`, else the
//! 18th birthday; a closed file ends it too. So 刘欣怡 (18 on 2027-06-12) is
//! paid for 2027-06 and not from 2027-07; a child confirmed on 2025-03-15
//! is first paid for 2025-04. Continuation past 18 for a student is recorded
//! by giving the category a later `effective_until`.
//!
//! **Generation** of a month is idempotent: one payment per child per month
//! (a unique index), so running it twice creates nothing new.

use crate::RowId;
use crate::access::Scope;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::document::{
    Align, Block, Document, FontRole, Orientation, PageSetup, Paragraph, Table, TableCell,
    TableRow, TextStyle, zihao,
};
use crate::error::{CoreError, Result};
use crate::record_util::{
    self, Record, VoidShown, Voidable, active_col, audit_add, code_col, columns_as, date_col,
    ensure_child, load, opt_date_col, optional, query_rows, required, select,
};
use crate::store::WriteTx;
use chrono::Datelike;
use hutong_national::NaiveDate;
use hutong_national::category::CaseCategory;
use hutong_national::{dates, id_number};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::record_util::{format_yuan, parse_yuan};

/// Categories that draw the basic living allowance. 艾滋病病毒感染儿童 are
/// paid like 孤儿 where the county sets a standard for them (DOMAIN §1.7).
pub const ALLOWANCE_CATEGORIES: [CaseCategory; 4] = [
    CaseCategory::OrphanInstitutional,
    CaseCategory::OrphanScattered,
    CaseCategory::DeFactoUnsupported,
    CaseCategory::HivAffected,
];

/// A calendar month, "2027-06".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

impl YearMonth {
    pub fn of(date: NaiveDate) -> Self {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn next(self) -> Self {
        YearMonth::of(dates::first_of_next_month(self.first_day()))
    }
    /// "2027年6月".
    pub fn label_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
    /// Parses "2027-06" (also "2027-6", "202706", "2027年6月").
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        let (y, m) = if let Some((y, m)) = t.split_once('-') {
            (y, m)
        } else if let Some((y, m)) = t.split_once('年') {
            (y, m.trim_end_matches('月'))
        } else if t.len() == 6 && t.is_ascii() {
            (&t[..4], &t[4..])
        } else {
            return None;
        };
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        if !(1900..=2200).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        Some(YearMonth { year, month })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl From<YearMonth> for String {
    fn from(m: YearMonth) -> String {
        m.to_string()
    }
}

impl TryFrom<String> for YearMonth {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        YearMonth::parse(&s).ok_or_else(|| format!("无效月份：{s}"))
    }
}

/// The months a category pays: `(first, last)`; `last < first` means none.
/// `end` is the category's end date, or the 18th birthday, or the file's
/// closing date, whichever comes first (see the module documentation).
pub fn payment_window(confirmed_on: NaiveDate, end: NaiveDate) -> (YearMonth, YearMonth) {
    (
        YearMonth::of(dates::first_of_next_month(confirmed_on)),
        YearMonth::of(end),
    )
}

/// The end date that stops payment for one category of one child.
pub fn allowance_end(
    effective_until: Option<NaiveDate>,
    birth_date: NaiveDate,
    closed_on: Option<NaiveDate>,
) -> NaiveDate {
    let mut end = effective_until.unwrap_or_else(|| dates::turns_18_on(birth_date));
    if let Some(c) = closed_on {
        end = end.min(c);
    }
    end
}

/// Whether `month` is payable for a category confirmed on `confirmed_on`
/// and ending on `end`.
pub fn is_payable(confirmed_on: NaiveDate, end: NaiveDate, month: YearMonth) -> bool {
    let (first, last) = payment_window(confirmed_on, end);
    first <= month && month <= last
}

// ---------------------------------------------------------------- standards

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    pub id: RowId,
    pub category: CaseCategory,
    pub amount_cents: i64,
    pub effective_from: NaiveDate,
    /// The county document setting it, e.g. "固民〔2025〕8号".
    pub basis: String,
    pub active: bool,
    pub void_reason: Option<String>,
}

fn check_category(category: CaseCategory) -> Result<()> {
    if !ALLOWANCE_CATEGORIES.contains(&category) {
        return Err(CoreError::field(
            "类别",
            format!("“{}”不发放基本生活费", category.label_zh()),
        ));
    }
    Ok(())
}

/// Sets the county standard for a category from the first day of a month.
pub fn set_standard(
    tx: &mut WriteTx<'_>,
    category: CaseCategory,
    amount_cents: i64,
    effective_from: NaiveDate,
    basis: &str,
) -> Result<Standard> {
    check_category(category)?;
    if amount_cents <= 0 {
        return Err(CoreError::field("标准金额", "必须大于 0"));
    }
    if effective_from.day() != 1 {
        return Err(CoreError::field(
            "执行起始日期",
            "应为某月 1 日（标准按月执行）",
        ));
    }
    let basis = required("依据文件", basis)?;
    let exists: bool = tx.conn().query_row(
        "SELECT count(*) > 0 FROM allowance_standards WHERE category=?1 AND effective_from=?2 AND status='active'",
        params![category.code(), effective_from.to_string()],
        |r| r.get(0),
    )?;
    if exists {
        return Err(CoreError::field(
            "执行起始日期",
            format!(
                "“{}”自 {} 起已有标准，请修改或作废原标准",
                category.label_zh(),
                effective_from
            ),
        ));
    }
    let s = Standard {
        id: RowId::new(),
        category,
        amount_cents,
        effective_from,
        basis,
        active: true,
        void_reason: None,
    };
    tx.conn().execute(
        "INSERT INTO allowance_standards (id, category, amount_cents, effective_from, basis, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6)",
        params![
            s.id,
            category.code(),
            amount_cents,
            effective_from.to_string(),
            s.basis,
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::AllowanceStandard,
        "allowance_standards",
        s.id,
        serde_json::json!({
            "category": category.code(),
            "amount": format_yuan(amount_cents),
            "effective_from": effective_from.to_string(),
            "basis": s.basis,
        }),
    )?;
    Ok(s)
}

/// Corrects a standard's amount or basis; audited old → new.
pub fn update_standard(
    tx: &mut WriteTx<'_>,
    id: RowId,
    amount_cents: i64,
    basis: &str,
) -> Result<Standard> {
    let old: Standard = load(tx.conn(), id)?;
    if !old.active {
        return Err(CoreError::field("状态", "该标准已作废"));
    }
    if amount_cents <= 0 {
        return Err(CoreError::field("标准金额", "必须大于 0"));
    }
    let new = Standard {
        amount_cents,
        basis: required("依据文件", basis)?,
        ..old.clone()
    };
    record_util::update(
        tx,
        AuditAction::AllowanceStandardUpdate,
        None,
        old,
        new,
        |conn, new| {
            conn.execute(
                "UPDATE allowance_standards SET amount_cents=?2, basis=?3 WHERE id=?1",
                params![id, amount_cents, new.basis],
            )
        },
    )
}

impl Record for Standard {
    const TABLE: &'static str = "allowance_standards";
    const COLUMNS: &'static str =
        "id, category, amount_cents, effective_from, basis, status, void_reason";
    const WHAT: &'static str = "补贴标准";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Standard {
            id: r.get(0)?,
            category: code_col(r, 1, CaseCategory::from_code)?,
            amount_cents: r.get(2)?,
            effective_from: date_col(r, 3)?,
            basis: r.get(4)?,
            active: active_col(r, 5)?,
            void_reason: r.get(6)?,
        })
    }

    /// A county standard is about no child.
    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, None)
    }
}

pub fn get_standard(conn: &Connection, id: RowId) -> Result<Option<Standard>> {
    record_util::get(conn, id)
}

/// All standards, by category then date.
pub fn standards(conn: &Connection) -> Result<Vec<Standard>> {
    select(conn, "ORDER BY category, effective_from", [])
}

/// The standard in force for a category in a month.
pub fn standard_for(
    conn: &Connection,
    category: CaseCategory,
    month: YearMonth,
) -> Result<Option<Standard>> {
    Ok(select(
        conn,
        "WHERE category=?1 AND status='active' AND effective_from <= ?2
         ORDER BY effective_from DESC LIMIT 1",
        params![category.code(), month.first_day().to_string()],
    )?
    .pop())
}

// ---------------------------------------------------------------- payments

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Due,
    Paid,
    Voided,
}

impl PaymentStatus {
    pub fn code(self) -> &'static str {
        match self {
            PaymentStatus::Due => "due",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Voided => "voided",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [
            PaymentStatus::Due,
            PaymentStatus::Paid,
            PaymentStatus::Voided,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            PaymentStatus::Due => "待发放",
            PaymentStatus::Paid => "已发放",
            PaymentStatus::Voided => "已作废",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub id: RowId,
    pub child_id: RowId,
    pub category_id: RowId,
    pub category: CaseCategory,
    pub month: YearMonth,
    pub amount_cents: i64,
    pub standard_id: Option<RowId>,
    pub status: PaymentStatus,
    pub paid_on: Option<NaiveDate>,
    pub pay_ref: Option<String>,
    pub void_reason: Option<String>,
}

impl Record for Payment {
    const TABLE: &'static str = "allowance_payments";
    const COLUMNS: &'static str = "id, child_id, category_id, category, month, amount_cents,
        standard_id, status, paid_on, pay_ref, void_reason";
    const WHAT: &'static str = "发放记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Payment {
            id: r.get(0)?,
            child_id: r.get(1)?,
            category_id: r.get(2)?,
            category: code_col(r, 3, CaseCategory::from_code)?,
            month: code_col(r, 4, YearMonth::parse)?,
            amount_cents: r.get(5)?,
            standard_id: r.get(6)?,
            status: code_col(r, 7, PaymentStatus::from_code)?,
            paid_on: opt_date_col(r, 8)?,
            pay_ref: r.get(9)?,
            void_reason: r.get(10)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

/// What generating a month did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GenerateSummary {
    pub month: String,
    /// Payments created by this run.
    pub created: u64,
    /// Children already in the month's ledger (not duplicated).
    pub already: u64,
    pub total_cents: i64,
    /// Categories with payable children but no standard for the month.
    pub missing_standard: Vec<CaseCategory>,
}

/// One payable category of one child in a month.
#[derive(Debug, Clone)]
struct Payable {
    child_id: RowId,
    category_id: RowId,
    category: CaseCategory,
}

fn payable_in(conn: &Connection, month: YearMonth) -> Result<Vec<Payable>> {
    let codes: Vec<String> = ALLOWANCE_CATEGORIES
        .iter()
        .map(|c| format!("'{}'", c.code()))
        .collect();
    let mut stmt = conn.prepare(&format!(
        "SELECT k.id, k.child_id, k.category, k.effective_from, k.effective_until,
                c.birth_date, c.closed_on
         FROM categories k JOIN children c ON c.id = k.child_id
         WHERE k.category IN ({}) AND k.effective_from < ?1
         ORDER BY k.effective_from DESC",
        codes.join(",")
    ))?;
    let rows = stmt.query_map([month.first_day().to_string()], |r| {
        Ok((
            r.get::<_, RowId>(0)?,
            r.get::<_, RowId>(1)?,
            code_col(r, 2, CaseCategory::from_code)?,
            date_col(r, 3)?,
            opt_date_col(r, 4)?,
            date_col(r, 5)?,
            opt_date_col(r, 6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (category_id, child_id, category, from, until, birth, closed) = row?;
        if is_payable(from, allowance_end(until, birth, closed), month) {
            out.push(Payable {
                child_id,
                category_id,
                category,
            });
        }
    }
    Ok(out)
}

/// Creates the month's due payments for every payable child that has none
/// yet. Running it again creates nothing new.
pub fn generate(tx: &mut WriteTx<'_>, month: YearMonth) -> Result<GenerateSummary> {
    let payable = payable_in(tx.conn(), month)?;
    let mut summary = GenerateSummary {
        month: month.to_string(),
        ..Default::default()
    };
    let mut standards: Vec<(CaseCategory, Option<Standard>)> = Vec::new();
    let now = tx.now().to_string();
    for p in &payable {
        let standard = match standards.iter().find(|(c, _)| *c == p.category) {
            Some((_, s)) => s.clone(),
            None => {
                let s = standard_for(tx.conn(), p.category, month)?;
                standards.push((p.category, s.clone()));
                s
            }
        };
        let Some(standard) = standard else {
            if !summary.missing_standard.contains(&p.category) {
                summary.missing_standard.push(p.category);
            }
            continue;
        };
        let inserted = tx.conn().execute(
            "INSERT OR IGNORE INTO allowance_payments (id, child_id, category_id, category, month,
                amount_cents, standard_id, status, generated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'due', ?8)",
            params![
                RowId::new(),
                p.child_id,
                p.category_id,
                p.category.code(),
                month.to_string(),
                standard.amount_cents,
                standard.id,
                now
            ],
        )?;
        if inserted == 1 {
            summary.created += 1;
            summary.total_cents += standard.amount_cents;
        }
    }
    let in_ledger: i64 = tx.conn().query_row(
        "SELECT count(DISTINCT child_id) FROM allowance_payments WHERE month = ?1 AND status <> 'voided'",
        [month.to_string()],
        |r| r.get(0),
    )?;
    summary.already = (in_ledger as u64).saturating_sub(summary.created);
    tx.audit(
        AuditEntryInput::new(
            AuditAction::AllowanceGenerate,
            "allowance_payments",
            Some(month.to_string()),
        )
        .detail(serde_json::json!({
            "month": month.to_string(),
            "created": summary.created,
            "already": summary.already,
            "total": format_yuan(summary.total_cents),
            "missing_standard": summary.missing_standard.iter().map(|c| c.code()).collect::<Vec<_>>(),
        })),
    )?;
    Ok(summary)
}

/// Marks the month's due payments paid (all of them, or only `ids`).
/// Returns how many changed.
pub fn mark_paid(
    tx: &mut WriteTx<'_>,
    month: YearMonth,
    ids: Option<&[RowId]>,
    paid_on: NaiveDate,
    pay_ref: Option<&str>,
) -> Result<u64> {
    if paid_on < month.first_day() {
        return Err(CoreError::field("发放日期", "早于发放月份"));
    }
    let due: Vec<RowId> = {
        let mut stmt = tx.conn().prepare(
            "SELECT id FROM allowance_payments WHERE month = ?1 AND status = 'due' ORDER BY id",
        )?;
        let rows = stmt.query_map([month.to_string()], |r| r.get::<_, RowId>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let targets: Vec<RowId> = match ids {
        None => due,
        Some(ids) => {
            for id in ids {
                if !due.contains(id) {
                    return Err(CoreError::field(
                        "发放记录",
                        format!("{id} 不是 {month} 的待发放记录"),
                    ));
                }
            }
            ids.to_vec()
        }
    };
    let pay_ref = pay_ref.map(str::trim).filter(|s| !s.is_empty());
    for id in &targets {
        tx.conn().execute(
            "UPDATE allowance_payments SET status='paid', paid_on=?2, pay_ref=?3 WHERE id=?1",
            params![id, paid_on.to_string(), pay_ref],
        )?;
    }
    if !targets.is_empty() {
        tx.audit(
            AuditEntryInput::new(
                AuditAction::AllowancePaid,
                "allowance_payments",
                Some(month.to_string()),
            )
            .detail(serde_json::json!({
                "payments": targets.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
                "changes": { "status": ["due", "paid"] },
                "paid_on": paid_on.to_string(),
                "pay_ref": pay_ref,
            })),
        )?;
    }
    Ok(targets.len() as u64)
}

/// Voids one payment (wrong amount, child moved) with a reason. The month
/// can then be generated again for that child if it is still payable.
pub fn void_payment(tx: &mut WriteTx<'_>, id: RowId, reason: &str) -> Result<()> {
    record_util::void(tx, &PAYMENT_VOID, id, reason)
}

const PAYMENT_VOID: Voidable = Voidable {
    tables: &[Payment::TABLE],
    what: Payment::WHAT,
    already_voided: "该发放记录已作废",
    shown: VoidShown::Status,
    action: AuditAction::AllowanceVoid,
};

/// A child's ledger, by month.
pub fn ledger(conn: &Connection, child_id: RowId) -> Result<Vec<Payment>> {
    select(
        conn,
        "WHERE child_id=?1 ORDER BY month, generated_at",
        [child_id],
    )
}

/// One line of a monthly roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterRow {
    pub payment: Payment,
    pub child_name: String,
    /// Unmasked; presenters mask it.
    pub id_number: String,
    pub township_name: String,
    pub village_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Roster {
    pub month: YearMonth,
    pub rows: Vec<RosterRow>,
    pub total_cents: i64,
}

/// The month's non-voided payments within `scope`, by township, village, name.
pub fn roster(conn: &Connection, month: YearMonth, scope: &Scope) -> Result<Roster> {
    let cols = columns_as::<Payment>("p");
    let rows = query_rows(
        conn,
        &format!(
            "SELECT {cols}, c.name, c.id_number, coalesce(t.name, ''), coalesce(v.name, '')
             FROM allowance_payments p JOIN children c ON c.id = p.child_id
             LEFT JOIN divisions v ON v.code = c.residence_division
             LEFT JOIN divisions t ON t.code = substr(c.residence_division, 1, 9)
             WHERE p.month = ?1 AND p.status <> 'voided' AND c.residence_division GLOB ?2
             ORDER BY c.residence_division, c.name_pinyin"
        ),
        params![month.to_string(), scope.glob()],
        |r| {
            Ok(RosterRow {
                payment: Payment::from_row(r)?,
                child_name: r.get(11)?,
                id_number: r.get(12)?,
                township_name: r.get(13)?,
                village_name: r.get(14)?,
            })
        },
    )?;
    let total_cents = rows.iter().map(|r| r.payment.amount_cents).sum();
    Ok(Roster {
        month,
        rows,
        total_cents,
    })
}

/// The roster as a printable document (landscape table, masked IDs).
pub fn roster_document(roster: &Roster, office_name: &str, today: NaiveDate) -> Document {
    roster_document_with(roster, office_name, today, IdDisplay::Masked)
}

/// How a roster shows ID numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdDisplay {
    /// `4115…0124`: the default for every copy that may travel.
    #[default]
    Masked,
    /// The full number: only for the official copy the bank or finance
    /// section needs, exported with a reason that is audited
    /// ([`audit_roster_export`]).
    Full,
}

impl IdDisplay {
    pub fn show(self, id: &str) -> String {
        match self {
            IdDisplay::Masked => id_number::mask(id),
            IdDisplay::Full => id.to_string(),
        }
    }
}

/// Why the full-ID copy of a roster is needed, and who may ask: the reason
/// is required.
pub fn check_full_id_reason(ids: IdDisplay, reason: &str) -> Result<Option<String>> {
    match ids {
        IdDisplay::Masked => Ok(None),
        IdDisplay::Full => required("完整身份证号用途", reason).map(Some),
    }
}

/// Records a roster export (PDF or XLSX): month, file, SHA-256, and whether
/// full ID numbers were printed, with the reason for them.
pub fn audit_roster_export(
    tx: &mut WriteTx<'_>,
    roster: &Roster,
    file: &str,
    sha256: &str,
    ids: IdDisplay,
    reason: &str,
) -> Result<()> {
    let reason = check_full_id_reason(ids, reason)?;
    let mut entry = AuditEntryInput::new(
        AuditAction::ReportPrint,
        "report",
        Some(roster.month.to_string()),
    )
    .detail(serde_json::json!({
        "template": "基本生活费发放花名册",
        "month": roster.month.to_string(),
        "rows": roster.rows.len(),
        "file": file,
        "sha256": sha256,
        "full_ids": ids == IdDisplay::Full,
        "children": roster.rows.iter().map(|r| r.payment.child_id.to_string()).collect::<Vec<_>>(),
    }));
    if let Some(r) = &reason {
        entry = entry.reason(r);
    }
    tx.audit(entry)
}

/// The roster as a printable document, with ID numbers shown as `ids` says.
pub fn roster_document_with(
    roster: &Roster,
    office_name: &str,
    today: NaiveDate,
    ids: IdDisplay,
) -> Document {
    let title = format!(
        "{}孤儿和事实无人抚养儿童基本生活费发放花名册（{}）",
        office_name,
        roster.month.label_zh()
    );
    let body_style = TextStyle {
        font: FontRole::Song,
        size_pt: zihao::WU,
        ..TextStyle::default()
    };
    let head_style = TextStyle {
        font: FontRole::Hei,
        size_pt: zihao::WU,
        ..TextStyle::default()
    };
    let cell = |t: &str, s: TextStyle, a: Align| TableCell::text(t, s, a);
    let mut rows = vec![TableRow {
        cells: [
            "序号",
            "姓名",
            "身份证号",
            "乡镇（街道）",
            "村（居）",
            "类别",
            "金额（元）",
            "状态",
        ]
        .iter()
        .map(|h| cell(h, head_style, Align::Center))
        .collect(),
    }];
    for (i, r) in roster.rows.iter().enumerate() {
        rows.push(TableRow {
            cells: vec![
                cell(&(i + 1).to_string(), body_style, Align::Center),
                cell(&r.child_name, body_style, Align::Left),
                cell(&ids.show(&r.id_number), body_style, Align::Left),
                cell(&r.township_name, body_style, Align::Left),
                cell(&r.village_name, body_style, Align::Left),
                cell(r.payment.category.label_zh(), body_style, Align::Left),
                cell(
                    &format_yuan(r.payment.amount_cents),
                    body_style,
                    Align::Right,
                ),
                cell(r.payment.status.label_zh(), body_style, Align::Center),
            ],
        });
    }
    let mut total = cell(
        &format!("合计 {} 人", roster.rows.len()),
        head_style,
        Align::Left,
    );
    total.col_span = 6;
    rows.push(TableRow {
        cells: vec![
            total,
            cell(&format_yuan(roster.total_cents), head_style, Align::Right),
            cell("", body_style, Align::Center),
        ],
    });
    Document {
        title: title.clone(),
        page: PageSetup {
            orientation: Orientation::Landscape,
            ..PageSetup::default()
        },
        body: vec![
            Block::Heading {
                level: 1,
                runs: vec![crate::document::Run::new(
                    title,
                    TextStyle {
                        font: FontRole::Hei,
                        size_pt: zihao::XIAO_ER,
                        ..TextStyle::default()
                    },
                )],
                align: Align::Center,
            },
            Block::Paragraph(Paragraph {
                align: Align::Right,
                ..Paragraph::text(format!("制表日期：{}", dates::format_zh(today)), body_style)
            }),
            Block::Table(Table {
                column_fractions: vec![0.5, 1.0, 1.8, 1.3, 1.6, 1.4, 1.0, 0.8],
                header_rows: 1,
                rows,
            }),
            Block::Spacer { height_pt: 18.0 },
            Block::SignatureLine {
                items: vec![
                    crate::document::SignatureItem {
                        label: "制表人".into(),
                        kind: crate::document::SignatureKind::Signature,
                    },
                    crate::document::SignatureItem {
                        label: "审核人".into(),
                        kind: crate::document::SignatureKind::Signature,
                    },
                    crate::document::SignatureItem {
                        label: "日期".into(),
                        kind: crate::document::SignatureKind::Date,
                    },
                ],
                align: Align::Left,
                style: body_style,
            },
        ],
    }
}

// ---------------------------------------------------------------- grants

/// 福彩圆梦 (lottery-funded grants, e.g. for orphans entering college) and
/// 明天计划 (孤儿医疗康复明天计划: surgery, rehabilitation, health checks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Programme {
    FucaiDream,
    TomorrowPlan,
}

impl Programme {
    pub fn code(self) -> &'static str {
        match self {
            Programme::FucaiDream => "fucai_dream",
            Programme::TomorrowPlan => "tomorrow_plan",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [Programme::FucaiDream, Programme::TomorrowPlan]
            .into_iter()
            .find(|p| p.code() == s.trim())
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Programme::FucaiDream => "福彩圆梦",
            Programme::TomorrowPlan => "明天计划",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub id: RowId,
    pub child_id: RowId,
    pub programme: Programme,
    pub granted_on: NaiveDate,
    /// e.g. "大学新生助学", "唇腭裂手术", "年度体检".
    pub item: String,
    pub amount_cents: Option<i64>,
    /// Hospital, institution or fund.
    pub provider: Option<String>,
    pub note: Option<String>,
    pub active: bool,
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct GrantInput {
    pub child_id: RowId,
    pub programme: Programme,
    pub granted_on: NaiveDate,
    pub item: String,
    pub amount_cents: Option<i64>,
    pub provider: Option<String>,
    pub note: Option<String>,
}

fn check_grant(i: &GrantInput) -> Result<()> {
    if i.amount_cents.is_some_and(|a| a < 0) {
        return Err(CoreError::field("金额", "不能为负数"));
    }
    Ok(())
}

pub fn add_grant(tx: &mut WriteTx<'_>, input: &GrantInput) -> Result<Grant> {
    ensure_child(tx.conn(), input.child_id)?;
    check_grant(input)?;
    let g = Grant {
        id: RowId::new(),
        child_id: input.child_id,
        programme: input.programme,
        granted_on: input.granted_on,
        item: required("资助项目", &input.item)?,
        amount_cents: input.amount_cents,
        provider: optional(&input.provider),
        note: optional(&input.note),
        active: true,
        void_reason: None,
    };
    tx.conn().execute(
        "INSERT INTO grants (id, child_id, programme, granted_on, item, amount_cents, provider, note, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'active', ?9)",
        params![
            g.id,
            g.child_id,
            g.programme.code(),
            g.granted_on.to_string(),
            g.item,
            g.amount_cents,
            g.provider,
            g.note,
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::GrantAdd,
        "grants",
        g.id,
        serde_json::json!({
            "child": g.child_id.to_string(),
            "programme": g.programme.code(),
            "item": g.item,
            "date": g.granted_on.to_string(),
        }),
    )?;
    Ok(g)
}

pub fn update_grant(tx: &mut WriteTx<'_>, id: RowId, input: &GrantInput) -> Result<Grant> {
    let old: Grant = load(tx.conn(), id)?;
    if !old.active {
        return Err(CoreError::field("状态", "该资助记录已作废"));
    }
    check_grant(input)?;
    let new = Grant {
        programme: input.programme,
        granted_on: input.granted_on,
        item: required("资助项目", &input.item)?,
        amount_cents: input.amount_cents,
        provider: optional(&input.provider),
        note: optional(&input.note),
        ..old.clone()
    };
    record_util::update(tx, AuditAction::GrantUpdate, None, old, new, |conn, new| {
        conn.execute(
            "UPDATE grants SET programme=?2, granted_on=?3, item=?4, amount_cents=?5, provider=?6, note=?7 WHERE id=?1",
            params![
                id,
                new.programme.code(),
                new.granted_on.to_string(),
                new.item,
                new.amount_cents,
                new.provider,
                new.note
            ],
        )
    })
}

impl Record for Grant {
    const TABLE: &'static str = "grants";
    const COLUMNS: &'static str = "id, child_id, programme, granted_on, item, amount_cents,
        provider, note, status, void_reason";
    const WHAT: &'static str = "资助记录";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(Grant {
            id: r.get(0)?,
            child_id: r.get(1)?,
            programme: code_col(r, 2, Programme::from_code)?,
            granted_on: date_col(r, 3)?,
            item: r.get(4)?,
            amount_cents: r.get(5)?,
            provider: r.get(6)?,
            note: r.get(7)?,
            active: active_col(r, 8)?,
            void_reason: r.get(9)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

pub fn get_grant(conn: &Connection, id: RowId) -> Result<Option<Grant>> {
    record_util::get(conn, id)
}

pub fn grants_for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Grant>> {
    select(
        conn,
        "WHERE child_id=?1 ORDER BY granted_on DESC",
        [child_id],
    )
}

/// Active grants of a programme (or all) in a year (or all years).
pub fn list_grants(
    conn: &Connection,
    programme: Option<Programme>,
    year: Option<i32>,
) -> Result<Vec<Grant>> {
    select(
        conn,
        "WHERE status='active'
           AND (?1 IS NULL OR programme = ?1) AND (?2 IS NULL OR substr(granted_on, 1, 4) = ?2)
         ORDER BY granted_on DESC",
        params![programme.map(|p| p.code()), year.map(|y| format!("{y:04}"))],
    )
}

const GRANT_VOID: Voidable = Voidable {
    tables: &[Grant::TABLE],
    what: Grant::WHAT,
    already_voided: "该资助记录已作废",
    shown: VoidShown::Active,
    action: AuditAction::GrantVoid,
};

pub fn void_grant(tx: &mut WriteTx<'_>, id: RowId, reason: &str) -> Result<()> {
    record_util::void(tx, &GRANT_VOID, id, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn m(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn liu_xinyi_is_paid_through_her_18th_birthday_month() {
        // DOMAIN §5 case 6: born 2009-06-12, 事实无人抚养 from 2020-01-01.
        let birth = d("2009-06-12");
        let end = allowance_end(None, birth, None);
        assert_eq!(end, d("2027-06-12"));
        assert!(!is_payable(d("2020-01-01"), end, m("2020-01")));
        assert!(is_payable(d("2020-01-01"), end, m("2020-02")));
        assert!(is_payable(d("2020-01-01"), end, m("2027-06")));
        assert!(!is_payable(d("2020-01-01"), end, m("2027-07")));
        // The category's recorded end date rules when it is set.
        let end = allowance_end(Some(d("2027-06-12")), birth, None);
        assert_eq!(payment_window(d("2020-01-01"), end).1, m("2027-06"));
    }

    #[test]
    fn a_mid_month_confirmation_starts_next_month() {
        let end = d("2031-04-15");
        assert!(!is_payable(d("2025-03-15"), end, m("2025-03")));
        assert!(is_payable(d("2025-03-15"), end, m("2025-04")));
        assert!(!is_payable(d("2025-03-01"), end, m("2025-03")));
        assert!(is_payable(d("2025-03-31"), end, m("2025-04")));
        // December confirmation pays from January.
        assert!(is_payable(d("2025-12-20"), end, m("2026-01")));
    }

    #[test]
    fn a_closed_file_stops_payment_after_its_month() {
        let end = allowance_end(None, d("2013-04-15"), Some(d("2026-02-10")));
        assert!(is_payable(d("2023-08-01"), end, m("2026-02")));
        assert!(!is_payable(d("2023-08-01"), end, m("2026-03")));
    }

    #[test]
    fn months_parse_and_step() {
        assert_eq!(m("2027-6").to_string(), "2027-06");
        assert_eq!(m("202706"), m("2027-06"));
        assert_eq!(m("2027年6月"), m("2027-06"));
        assert_eq!(m("2027-12").next(), m("2028-01"));
        assert!(YearMonth::parse("2027-13").is_none());
        assert!(YearMonth::parse("June").is_none());
    }
}
