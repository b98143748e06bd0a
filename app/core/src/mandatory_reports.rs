//! 强制报告 (mandatory reports, DOMAIN §2.4).
//!
//! A report links to a child and records the situation codes, the reporter
//! (confidential), when the harm was found and when it was reported, the
//! channel, the receiving agency and its receipt number, the immediate
//! safety action and, later, the feedback. It stays open until feedback is
//! recorded (未保法 第十一条第三款 obliges the receiving agency to respond).
//! It may start 临时监护 under 未保法 第九十二条, and it prints a referral
//! letter ([`referral_letter`]).
//!
//! **The statutory clock.** The 2020 意见 (高检发〔2020〕9号) requires a report
//! "立即" (immediately), without a number of hours. Hutong flags a report
//! as late when more than [`REPORT_DEADLINE_HOURS`] (24) hours passed between
//! finding and reporting: a report made the same day or overnight counts as
//! immediate, anything slower is visibly late to the office and to the
//! procuratorate that supervises compliance. The threshold is a core
//! constant so every county counts the same way.
//!
//! **Confidentiality.** The reporter's unit, role and contact are visible only
//! to [`Role::CountyAdmin`] and [`Role::Caseworker`]. Every reading function
//! takes the viewer's role and redacts otherwise; edits of the reporter are
//! audited as "changed" without the values.

use crate::RowId;
use crate::access::Scope;
use crate::audit::AuditAction;
use crate::document::{
    Align, Block, Document, FontRole, KeyValueGrid, KeyValueItem, PageSetup, Paragraph, Preset,
    Run, TextStyle, zihao,
};
use crate::error::{CoreError, Result};
use crate::record_util::{
    self, Record, VoidShown, Voidable, audit_add, code_col, columns_as, ensure_child, load,
    opt_date_col, optional, required, select,
};
use crate::store::WriteTx;
use crate::users::Role;
use chrono::NaiveDateTime;
use hutong_national::NaiveDate;
use hutong_national::dates;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

/// Hours between finding and reporting after which a report is late.
/// See the module documentation for why 24 (DOMAIN §2.4: "report immediately").
pub const REPORT_DEADLINE_HOURS: i64 = 24;

/// Text shown instead of a confidential reporter field.
pub const REDACTED: &str = "（保密）";

/// Reportable situations (DOMAIN §2.4 table; items 1–8 and 10 are the 2020
/// 意见 第四条, item 9 is a Guizhou 民政 addition).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Situation {
    GenitalInjury,
    Under14Sexual,
    Over14SexualPreg,
    MultiInjuryNeglect,
    AbnormalDisabilityDeath,
    AbandonedUncared,
    UnknownMissingTrafficked,
    OrganisedBegging,
    #[serde(rename = "HOTLINE_12349")]
    Hotline12349,
    OtherSerious,
}

impl Situation {
    pub const ALL: [Situation; 10] = [
        Situation::GenitalInjury,
        Situation::Under14Sexual,
        Situation::Over14SexualPreg,
        Situation::MultiInjuryNeglect,
        Situation::AbnormalDisabilityDeath,
        Situation::AbandonedUncared,
        Situation::UnknownMissingTrafficked,
        Situation::OrganisedBegging,
        Situation::Hotline12349,
        Situation::OtherSerious,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Situation::GenitalInjury => "GENITAL_INJURY",
            Situation::Under14Sexual => "UNDER14_SEXUAL",
            Situation::Over14SexualPreg => "OVER14_SEXUAL_PREG",
            Situation::MultiInjuryNeglect => "MULTI_INJURY_NEGLECT",
            Situation::AbnormalDisabilityDeath => "ABNORMAL_DISABILITY_DEATH",
            Situation::AbandonedUncared => "ABANDONED_UNCARED",
            Situation::UnknownMissingTrafficked => "UNKNOWN_MISSING_TRAFFICKED",
            Situation::OrganisedBegging => "ORGANISED_BEGGING",
            Situation::Hotline12349 => "HOTLINE_12349",
            Situation::OtherSerious => "OTHER_SERIOUS",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Situation::ALL.into_iter().find(|x| x.code() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Situation::GenitalInjury => "生殖器官或隐私部位遭受或疑似遭受非正常损伤",
            Situation::Under14Sexual => "不满十四周岁的女性遭受或疑似遭受性侵害、怀孕、流产",
            Situation::Over14SexualPreg => "十四周岁以上女性因遭受或疑似遭受性侵害怀孕、流产",
            Situation::MultiInjuryNeglect => {
                "身体存在多处损伤、严重营养不良、意识不清，存在或疑似存在家庭暴力、欺凌、虐待、殴打或被人麻醉等情形"
            }
            Situation::AbnormalDisabilityDeath => {
                "因自杀、自残、工伤、中毒、被人麻醉、殴打等非正常原因导致伤残、死亡"
            }
            Situation::AbandonedUncared => "被遗弃或长期处于无人照料状态",
            Situation::UnknownMissingTrafficked => "来源不明、失踪或者被拐卖、收买",
            Situation::OrganisedBegging => "被组织乞讨",
            Situation::Hotline12349 => "12349 热线接报线索",
            Situation::OtherSerious => "其他严重侵害未成年人身心健康或正在面临不法侵害的情形",
        }
    }

    /// A short label for lists.
    pub fn short_zh(self) -> &'static str {
        match self {
            Situation::GenitalInjury => "隐私部位损伤",
            Situation::Under14Sexual => "不满14周岁女性性侵",
            Situation::Over14SexualPreg => "14周岁以上女性性侵致孕",
            Situation::MultiInjuryNeglect => "多处损伤/家暴虐待",
            Situation::AbnormalDisabilityDeath => "非正常伤残死亡",
            Situation::AbandonedUncared => "遗弃/无人照料",
            Situation::UnknownMissingTrafficked => "来源不明/失踪/拐卖",
            Situation::OrganisedBegging => "被组织乞讨",
            Situation::Hotline12349 => "12349 线索",
            Situation::OtherSerious => "其他严重侵害",
        }
    }
}

/// Where the report went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    #[serde(rename = "110")]
    Police110,
    Police,
    CivilAffairs,
    #[serde(rename = "12349")]
    Hotline12349,
    Education,
    Other,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::Police110,
        Channel::Police,
        Channel::CivilAffairs,
        Channel::Hotline12349,
        Channel::Education,
        Channel::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Channel::Police110 => "110",
            Channel::Police => "police",
            Channel::CivilAffairs => "civil_affairs",
            Channel::Hotline12349 => "12349",
            Channel::Education => "education",
            Channel::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Channel::ALL.into_iter().find(|c| c.code() == s.trim())
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Channel::Police110 => "110 报警",
            Channel::Police => "公安机关",
            Channel::CivilAffairs => "民政部门",
            Channel::Hotline12349 => "12349 热线",
            Channel::Education => "教育部门",
            Channel::Other => "其他",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Waiting for feedback.
    Open,
    /// Feedback recorded.
    Closed,
    Voided,
}

impl ReportStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReportStatus::Open => "open",
            ReportStatus::Closed => "closed",
            ReportStatus::Voided => "voided",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        [
            ReportStatus::Open,
            ReportStatus::Closed,
            ReportStatus::Voided,
        ]
        .into_iter()
        .find(|x| x.code() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            ReportStatus::Open => "待反馈",
            ReportStatus::Closed => "已反馈",
            ReportStatus::Voided => "已作废",
        }
    }
}

/// The reporter. Confidential (DOMAIN §2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reporter {
    pub unit: String,
    pub role: String,
    pub contact: Option<String>,
}

/// 临时监护 started under 未保法 第九十二条.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryCustody {
    pub agency: String,
    pub from: NaiveDate,
    /// The item (1–7) of 第九十二条, e.g. 6 = 遭受监护人严重伤害需紧急安置.
    pub clause: u8,
}

/// The items of 《未成年人保护法》第九十二条 (民政部门临时监护).
pub fn custody_clause_label(clause: u8) -> Option<&'static str> {
    Some(match clause {
        1 => "（一）流浪乞讨或者身份不明，暂时查找不到父母或者其他监护人",
        2 => "（二）监护人下落不明且无其他人可以担任监护人",
        3 => {
            "（三）监护人因自身客观原因或者因发生自然灾害、事故灾难、公共卫生事件等突发事件不能履行监护职责，导致未成年人监护缺失"
        }
        4 => "（四）监护人拒绝或者怠于履行监护职责，导致未成年人处于无人照料的状态",
        5 => "（五）监护人教唆、利用未成年人实施违法犯罪行为，未成年人需要被带离安置",
        6 => "（六）未成年人遭受监护人严重伤害或者面临人身安全威胁，需要被紧急安置",
        7 => "（七）法律规定的其他情形",
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MandatoryReport {
    pub id: RowId,
    pub child_id: RowId,
    pub situations: Vec<Situation>,
    pub reporter: Reporter,
    /// True when the reporter fields were replaced by [`REDACTED`].
    pub reporter_redacted: bool,
    pub found_at: NaiveDateTime,
    pub reported_at: NaiveDateTime,
    pub channel: Channel,
    pub receiving_agency: String,
    pub receipt_no: Option<String>,
    pub perpetrator_relation: Option<String>,
    pub safety_action: Option<String>,
    pub feedback: Option<String>,
    pub feedback_on: Option<NaiveDate>,
    pub custody: Option<TemporaryCustody>,
    pub status: ReportStatus,
    pub void_reason: Option<String>,
    pub recorded_at: String,
}

impl MandatoryReport {
    /// Whole minutes between finding and reporting.
    pub fn delay_minutes(&self) -> i64 {
        (self.reported_at - self.found_at).num_minutes()
    }

    /// Reported more than [`REPORT_DEADLINE_HOURS`] after the harm was found.
    pub fn is_late(&self) -> bool {
        is_late(self.found_at, self.reported_at)
    }

    /// "3 小时 20 分" / "2 天 4 小时".
    pub fn delay_zh(&self) -> String {
        let m = self.delay_minutes().max(0);
        let (d, h, mi) = (m / 1440, (m % 1440) / 60, m % 60);
        if d > 0 {
            format!("{d} 天 {h} 小时")
        } else if h > 0 {
            format!("{h} 小时 {mi} 分")
        } else {
            format!("{mi} 分钟")
        }
    }
}

/// The statutory clock as a pure rule.
pub fn is_late(found_at: NaiveDateTime, reported_at: NaiveDateTime) -> bool {
    (reported_at - found_at).num_minutes() > REPORT_DEADLINE_HOURS * 60
}

/// Whether a role may read the reporter's identity.
pub fn can_see_reporter(role: Role) -> bool {
    matches!(role, Role::CountyAdmin | Role::Caseworker)
}

/// Parses "2025-03-12 08:30" (also with `T`, seconds, or `/`).
pub fn parse_time(field: &str, s: &str) -> Result<NaiveDateTime> {
    let t = s.trim().replace('/', "-").replace('T', " ");
    for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(v) = NaiveDateTime::parse_from_str(&t, fmt) {
            return Ok(v);
        }
    }
    Err(CoreError::field(
        field,
        format!("“{s}”不是有效的时间，应为 YYYY-MM-DD HH:MM"),
    ))
}

/// What a caseworker enters.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub child_id: RowId,
    pub situations: Vec<Situation>,
    pub reporter: Reporter,
    pub found_at: NaiveDateTime,
    pub reported_at: NaiveDateTime,
    pub channel: Channel,
    pub receiving_agency: String,
    pub receipt_no: Option<String>,
    pub perpetrator_relation: Option<String>,
    pub safety_action: Option<String>,
}

const TIME_FMT: &str = "%Y-%m-%d %H:%M";

fn validate(input: &ReportInput, now: NaiveDateTime) -> Result<ReportInput> {
    let mut situations = input.situations.clone();
    situations.sort();
    situations.dedup();
    if situations.is_empty() {
        return Err(CoreError::field("报告情形", "至少选择一项"));
    }
    if input.reported_at < input.found_at {
        return Err(CoreError::field("报告时间", "早于发现时间"));
    }
    // A few minutes of clock skew between machines are tolerated.
    let slack = chrono::Duration::minutes(10);
    if input.found_at > now + slack {
        return Err(CoreError::field("发现时间", "不能晚于当前时间"));
    }
    if input.reported_at > now + slack {
        return Err(CoreError::field("报告时间", "不能晚于当前时间"));
    }
    Ok(ReportInput {
        child_id: input.child_id,
        situations,
        reporter: Reporter {
            unit: required("报告人单位", &input.reporter.unit)?,
            role: required("报告人身份", &input.reporter.role)?,
            contact: optional(&input.reporter.contact),
        },
        found_at: input.found_at,
        reported_at: input.reported_at,
        channel: input.channel,
        receiving_agency: required("接报机关", &input.receiving_agency)?,
        receipt_no: optional(&input.receipt_no),
        perpetrator_relation: optional(&input.perpetrator_relation),
        safety_action: optional(&input.safety_action),
    })
}

fn local_now() -> NaiveDateTime {
    chrono::Local::now().naive_local()
}

fn situations_json(s: &[Situation]) -> String {
    serde_json::to_string(&s.iter().map(|x| x.code()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

pub fn add(tx: &mut WriteTx<'_>, input: &ReportInput) -> Result<MandatoryReport> {
    ensure_child(tx.conn(), input.child_id)?;
    let input = validate(input, local_now())?;
    let r = MandatoryReport {
        id: RowId::new(),
        child_id: input.child_id,
        situations: input.situations,
        reporter: input.reporter,
        reporter_redacted: false,
        found_at: input.found_at,
        reported_at: input.reported_at,
        channel: input.channel,
        receiving_agency: input.receiving_agency,
        receipt_no: input.receipt_no,
        perpetrator_relation: input.perpetrator_relation,
        safety_action: input.safety_action,
        feedback: None,
        feedback_on: None,
        custody: None,
        status: ReportStatus::Open,
        void_reason: None,
        recorded_at: tx.now().to_string(),
    };
    tx.conn().execute(
        "INSERT INTO mandatory_reports (id, child_id, situations, reporter_unit, reporter_role,
            reporter_contact, found_at, reported_at, channel, receiving_agency, receipt_no,
            perpetrator_relation, safety_action, status, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'open', ?14)",
        params![
            r.id,
            r.child_id,
            situations_json(&r.situations),
            r.reporter.unit,
            r.reporter.role,
            r.reporter.contact,
            r.found_at.format(TIME_FMT).to_string(),
            r.reported_at.format(TIME_FMT).to_string(),
            r.channel.code(),
            r.receiving_agency,
            r.receipt_no,
            r.perpetrator_relation,
            r.safety_action,
            r.recorded_at,
        ],
    )?;
    // The reporter is deliberately not in the audit detail.
    audit_add(
        tx,
        AuditAction::MreportAdd,
        "mandatory_reports",
        r.id,
        serde_json::json!({
            "child": r.child_id.to_string(),
            "situations": r.situations.iter().map(|s| s.code()).collect::<Vec<_>>(),
            "found_at": r.found_at.format(TIME_FMT).to_string(),
            "reported_at": r.reported_at.format(TIME_FMT).to_string(),
            "channel": r.channel.code(),
            "late": r.is_late(),
        }),
    )?;
    Ok(r)
}

/// Replaces the entered fields of a report (not feedback or custody). Each
/// changed field is audited as old → new; reporter changes without values.
pub fn update(
    tx: &mut WriteTx<'_>,
    id: RowId,
    input: &ReportInput,
    reason: Option<&str>,
) -> Result<MandatoryReport> {
    let old: MandatoryReport = load(tx.conn(), id)?;
    if old.status == ReportStatus::Voided {
        return Err(CoreError::field("状态", "该强制报告已作废，不能修改"));
    }
    if input.child_id != old.child_id {
        return Err(CoreError::field("儿童", "不能把报告改到另一名儿童名下"));
    }
    let input = validate(input, local_now())?;
    let new = MandatoryReport {
        situations: input.situations,
        reporter: input.reporter,
        found_at: input.found_at,
        reported_at: input.reported_at,
        channel: input.channel,
        receiving_agency: input.receiving_agency,
        receipt_no: input.receipt_no,
        perpetrator_relation: input.perpetrator_relation,
        safety_action: input.safety_action,
        ..old.clone()
    };
    record_util::update(
        tx,
        AuditAction::MreportUpdate,
        reason,
        old,
        new,
        |conn, new| {
            conn.execute(
                "UPDATE mandatory_reports SET situations=?2, reporter_unit=?3, reporter_role=?4,
                reporter_contact=?5, found_at=?6, reported_at=?7, channel=?8, receiving_agency=?9,
                receipt_no=?10, perpetrator_relation=?11, safety_action=?12 WHERE id=?1",
                params![
                    id,
                    situations_json(&new.situations),
                    new.reporter.unit,
                    new.reporter.role,
                    new.reporter.contact,
                    new.found_at.format(TIME_FMT).to_string(),
                    new.reported_at.format(TIME_FMT).to_string(),
                    new.channel.code(),
                    new.receiving_agency,
                    new.receipt_no,
                    new.perpetrator_relation,
                    new.safety_action,
                ],
            )
        },
    )
}

/// Records the receiving agency's feedback; the report closes.
pub fn record_feedback(
    tx: &mut WriteTx<'_>,
    id: RowId,
    feedback: &str,
    on: NaiveDate,
) -> Result<MandatoryReport> {
    let old: MandatoryReport = load(tx.conn(), id)?;
    let feedback = required("反馈情况", feedback)?;
    if old.status == ReportStatus::Voided {
        return Err(CoreError::field("状态", "该强制报告已作废"));
    }
    if on < old.reported_at.date() {
        return Err(CoreError::field("反馈日期", "早于报告日期"));
    }
    let new = MandatoryReport {
        feedback: Some(feedback),
        feedback_on: Some(on),
        status: ReportStatus::Closed,
        ..old.clone()
    };
    record_util::step(
        tx,
        AuditAction::MreportFeedback,
        None,
        &old,
        new,
        |conn, new| {
            conn.execute(
            "UPDATE mandatory_reports SET feedback=?2, feedback_on=?3, status='closed' WHERE id=?1",
            params![id, new.feedback, on.to_string()],
        )
        },
    )
}

/// Records that 民政 started 临时监护 (未保法 第九十二条) because of this report.
pub fn start_custody(
    tx: &mut WriteTx<'_>,
    id: RowId,
    custody: &TemporaryCustody,
) -> Result<MandatoryReport> {
    let old: MandatoryReport = load(tx.conn(), id)?;
    if old.status == ReportStatus::Voided {
        return Err(CoreError::field("状态", "该强制报告已作废"));
    }
    if old.custody.is_some() {
        return Err(CoreError::field("临时监护", "该报告已登记临时监护"));
    }
    let agency = required("临时监护机构", &custody.agency)?;
    if custody_clause_label(custody.clause).is_none() {
        return Err(CoreError::field(
            "第九十二条情形",
            format!("应为 1–7，实际为 {}", custody.clause),
        ));
    }
    if custody.from < old.found_at.date() {
        return Err(CoreError::field("临时监护开始日期", "早于发现日期"));
    }
    let new = MandatoryReport {
        custody: Some(TemporaryCustody {
            agency: agency.clone(),
            from: custody.from,
            clause: custody.clause,
        }),
        ..old.clone()
    };
    record_util::step(
        tx,
        AuditAction::MreportCustody,
        None,
        &old,
        new,
        |conn, _| {
            conn.execute(
            "UPDATE mandatory_reports SET custody_agency=?2, custody_from=?3, custody_clause=?4 WHERE id=?1",
            params![id, agency, custody.from.to_string(), custody.clause],
        )
        },
    )
}

const VOID: Voidable = Voidable {
    tables: &[MandatoryReport::TABLE],
    what: MandatoryReport::WHAT,
    already_voided: "该强制报告已作废",
    shown: VoidShown::Status,
    action: AuditAction::MreportVoid,
};

/// Voids a report entered in error.
pub fn void(tx: &mut WriteTx<'_>, id: RowId, reason: &str) -> Result<()> {
    record_util::void(tx, &VOID, id, reason)
}

fn time_col(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<NaiveDateTime> {
    let s: String = r.get(idx)?;
    NaiveDateTime::parse_from_str(&s, TIME_FMT).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("时间格式无效：{s}").into(),
        )
    })
}

/// Read unredacted: [`get`], [`for_child`] and [`list`] redact for the
/// viewer; the shared reads serve this module's writes.
impl Record for MandatoryReport {
    const TABLE: &'static str = "mandatory_reports";
    const COLUMNS: &'static str = "id, child_id, situations, reporter_unit, reporter_role,
        reporter_contact, found_at, reported_at, channel, receiving_agency, receipt_no,
        perpetrator_relation, safety_action, feedback, feedback_on, custody_agency, custody_from,
        custody_clause, status, void_reason, recorded_at";
    const WHAT: &'static str = "强制报告";
    /// The reporter is confidential (module documentation).
    const SECRET: &'static [&'static str] = &["reporter"];

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        row_to_report(r)
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

fn row_to_report(r: &rusqlite::Row<'_>) -> rusqlite::Result<MandatoryReport> {
    let situations: String = r.get(2)?;
    let codes: Vec<String> = serde_json::from_str(&situations).unwrap_or_default();
    let custody_agency: Option<String> = r.get(15)?;
    let custody_from = opt_date_col(r, 16)?;
    let clause: Option<u8> = r.get(17)?;
    Ok(MandatoryReport {
        id: r.get(0)?,
        child_id: r.get(1)?,
        situations: codes
            .iter()
            .filter_map(|c| Situation::from_code(c))
            .collect(),
        reporter: Reporter {
            unit: r.get(3)?,
            role: r.get(4)?,
            contact: r.get(5)?,
        },
        reporter_redacted: false,
        found_at: time_col(r, 6)?,
        reported_at: time_col(r, 7)?,
        channel: code_col(r, 8, Channel::from_code)?,
        receiving_agency: r.get(9)?,
        receipt_no: r.get(10)?,
        perpetrator_relation: r.get(11)?,
        safety_action: r.get(12)?,
        feedback: r.get(13)?,
        feedback_on: opt_date_col(r, 14)?,
        custody: match (custody_agency, custody_from, clause) {
            (Some(agency), Some(from), Some(clause)) => Some(TemporaryCustody {
                agency,
                from,
                clause,
            }),
            _ => None,
        },
        status: code_col(r, 18, ReportStatus::from_code)?,
        void_reason: r.get(19)?,
        recorded_at: r.get(20)?,
    })
}

fn redact_for(mut r: MandatoryReport, viewer: Role) -> MandatoryReport {
    if !can_see_reporter(viewer) {
        r.reporter = Reporter {
            unit: REDACTED.into(),
            role: REDACTED.into(),
            contact: None,
        };
        r.reporter_redacted = true;
    }
    r
}

/// One report as `viewer` may see it.
pub fn get(conn: &Connection, id: RowId, viewer: Role) -> Result<Option<MandatoryReport>> {
    Ok(record_util::get(conn, id)?.map(|r| redact_for(r, viewer)))
}

/// A child's reports, newest first, as `viewer` may see them.
pub fn for_child(conn: &Connection, child_id: RowId, viewer: Role) -> Result<Vec<MandatoryReport>> {
    Ok(select(
        conn,
        "WHERE child_id = ?1 ORDER BY found_at DESC",
        [child_id],
    )?
    .into_iter()
    .map(|r| redact_for(r, viewer))
    .collect())
}

#[derive(Debug, Clone)]
pub struct ReportQuery {
    /// The viewer's scope, or a division inside it (`Scope::narrow_to`).
    pub scope: Scope,
    pub open_only: bool,
    pub late_only: bool,
    pub include_voided: bool,
}

impl ReportQuery {
    /// Every report of children within `scope` that is not voided.
    pub fn within(scope: Scope) -> Self {
        ReportQuery {
            scope,
            open_only: false,
            late_only: false,
            include_voided: false,
        }
    }
}

/// A report with the child's name and village, for lists.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportRow {
    pub report: MandatoryReport,
    pub child_name: String,
    pub village_code: String,
    pub village_name: String,
    pub late: bool,
}

/// Reports across the county, newest first, as `viewer` may see them.
pub fn list(conn: &Connection, q: &ReportQuery, viewer: Role) -> Result<Vec<ReportRow>> {
    let cols = columns_as::<MandatoryReport>("m");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {cols}, c.name, c.residence_division, coalesce(d.name, '')
         FROM mandatory_reports m JOIN children c ON c.id = m.child_id
         LEFT JOIN divisions d ON d.code = c.residence_division
         WHERE c.residence_division GLOB ?1
         ORDER BY m.found_at DESC"
    ))?;
    let pattern = q.scope.glob();
    let rows = stmt.query_map([pattern], |r| {
        Ok((
            row_to_report(r)?,
            r.get::<_, String>(21)?,
            r.get::<_, String>(22)?,
            r.get::<_, String>(23)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (report, child_name, village_code, village_name) = row?;
        let late = report.is_late();
        if (q.open_only && report.status != ReportStatus::Open)
            || (q.late_only && !late)
            || (!q.include_voided && report.status == ReportStatus::Voided)
        {
            continue;
        }
        out.push(ReportRow {
            report: redact_for(report, viewer),
            child_name,
            village_code,
            village_name,
            late,
        });
    }
    Ok(out)
}

/// Who issues the letter.
#[derive(Debug, Clone)]
pub struct LetterContext {
    /// e.g. "固始县民政局".
    pub office_name: String,
    pub today: NaiveDate,
    /// Letter number such as "固民函〔2025〕12号"; optional.
    pub letter_no: Option<String>,
}

/// The referral letter (转介函) to the receiving agency, as a GB/T 9704
/// document. The reporter's identity is never printed.
pub fn referral_letter(conn: &Connection, id: RowId, ctx: &LetterContext) -> Result<Document> {
    let r: MandatoryReport = load(conn, id)?;
    if r.status == ReportStatus::Voided {
        return Err(CoreError::field("状态", "该强制报告已作废，不能出具转介函"));
    }
    let child = crate::children::get_any(conn, r.child_id)?.ok_or_else(|| CoreError::NotFound {
        what: "儿童档案",
        key: r.child_id.to_string(),
    })?;
    let place = crate::divisions::name_path(conn, &child.residence_division)?.join("");
    let age = dates::age_on(child.birth_date, r.found_at.date());
    let fs = TextStyle {
        font: FontRole::Fangsong,
        size_pt: zihao::SAN,
        ..TextStyle::default()
    };
    let title_style = TextStyle {
        font: FontRole::XiaoBiaoSong,
        size_pt: zihao::ER,
        ..TextStyle::default()
    };
    let p = |t: String| {
        Block::Paragraph(Paragraph {
            first_line_indent_chars: 2.0,
            align: Align::Justify,
            ..Paragraph::text(t, fs)
        })
    };
    let title = format!("关于转介{}强制报告线索的函", child.name);
    let mut body = Vec::new();
    if let Some(no) = ctx.letter_no.as_deref().filter(|s| !s.trim().is_empty()) {
        body.push(Block::Paragraph(Paragraph {
            align: Align::Center,
            ..Paragraph::text(no.trim(), fs)
        }));
        body.push(Block::Spacer { height_pt: 14.0 });
    }
    body.push(Block::Heading {
        level: 1,
        runs: vec![Run::new(title.clone(), title_style)],
        align: Align::Center,
    });
    body.push(Block::Spacer { height_pt: 14.0 });
    body.push(Block::Paragraph(Paragraph::text(
        format!("{}：", r.receiving_agency),
        fs,
    )));
    let situations: Vec<&str> = r.situations.iter().map(|s| s.label_zh()).collect();
    body.push(p(format!(
        "{}，{}接到强制报告：儿童{}（{}，{}周岁，现居{}）存在以下情形：{}。依据《中华人民共和国未成年人保护法》第十一条和《关于建立侵害未成年人案件强制报告制度的意见（试行）》，现将有关线索转介贵单位依法处置。",
        dates::format_zh(r.reported_at.date()),
        ctx.office_name,
        child.name,
        child.sex.label_zh(),
        age,
        place,
        situations.join("；"),
    )));
    body.push(Block::KeyValue(KeyValueGrid {
        pairs_per_row: 1,
        label_fraction: 0.28,
        items: [
            (
                "发现时间",
                r.found_at.format("%Y年%m月%d日 %H:%M").to_string(),
            ),
            (
                "报告时间",
                r.reported_at.format("%Y年%m月%d日 %H:%M").to_string(),
            ),
            ("报告渠道", r.channel.label_zh().to_string()),
            (
                "接报回执号",
                r.receipt_no.clone().unwrap_or_else(|| "—".into()),
            ),
            (
                "疑似侵害人关系",
                r.perpetrator_relation.clone().unwrap_or_else(|| "—".into()),
            ),
            (
                "已采取的保护措施",
                r.safety_action.clone().unwrap_or_else(|| "—".into()),
            ),
            ("报告人", "依法保密".to_string()),
        ]
        .into_iter()
        .map(|(l, v)| KeyValueItem {
            label: l.into(),
            value: v,
            span: 1,
        })
        .collect(),
        style: TextStyle {
            font: FontRole::Fangsong,
            size_pt: zihao::SI,
            ..TextStyle::default()
        },
    }));
    if let Some(c) = &r.custody {
        body.push(p(format!(
            "根据《中华人民共和国未成年人保护法》第九十二条{}，{}已自{}起对该儿童实施临时监护。",
            custody_clause_label(c.clause).unwrap_or(""),
            c.agency,
            dates::format_zh(c.from),
        )));
    }
    body.push(p(
        "请贵单位依法及时处置，并依照《中华人民共和国未成年人保护法》第十一条第三款将处理结果书面反馈我局。报告人身份信息依法予以保密。".into(),
    ));
    body.push(p("特此函告。".into()));
    body.push(Block::Spacer { height_pt: 28.0 });
    body.push(Block::SealPlaceholder {
        label: ctx.office_name.clone(),
    });
    body.push(Block::Paragraph(Paragraph {
        align: Align::Right,
        ..Paragraph::text(format!("{}　　　　", ctx.office_name), fs)
    }));
    body.push(Block::Paragraph(Paragraph {
        align: Align::Right,
        ..Paragraph::text(format!("{}　　　　", dates::format_zh(ctx.today)), fs)
    }));
    Ok(Document {
        title,
        page: PageSetup {
            preset: Some(Preset::GbT9704),
            page_number: Some("— {n} —".into()),
            ..PageSetup::default()
        },
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        parse_time("t", s).unwrap()
    }

    #[test]
    fn the_clock_flags_reports_after_24_hours() {
        assert!(!is_late(t("2025-03-12 08:00"), t("2025-03-12 09:30")));
        assert!(!is_late(t("2025-03-12 08:00"), t("2025-03-13 08:00")));
        assert!(is_late(t("2025-03-12 08:00"), t("2025-03-13 08:01")));
        assert!(is_late(t("2025-03-10 08:00"), t("2025-03-14 08:00")));
    }

    #[test]
    fn codes_round_trip_and_times_parse() {
        for s in Situation::ALL {
            assert_eq!(Situation::from_code(s.code()), Some(s));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::from_code(c.code()), Some(c));
        }
        assert_eq!(t("2025/03/12T08:30"), t("2025-03-12 08:30"));
        assert!(parse_time("发现时间", "2025-03-12").is_err());
        assert!(custody_clause_label(6).is_some_and(|l| l.contains("紧急安置")));
        assert!(custody_clause_label(8).is_none());
    }

    #[test]
    fn only_county_roles_see_the_reporter() {
        assert!(can_see_reporter(Role::CountyAdmin));
        assert!(can_see_reporter(Role::Caseworker));
        assert!(!can_see_reporter(Role::VillageDirector));
        assert!(!can_see_reporter(Role::TownshipSupervisor));
        assert!(!can_see_reporter(Role::Auditor));
    }
}
