//! 微心愿 (micro-wishes): a child's small wish is recorded, published,
//! claimed by a sponsor (a company or a person) and fulfilled, with a date
//! and a photo reference. The steps are enforced in order; a wish that will
//! not be fulfilled is cancelled with a reason, never deleted.

use crate::RowId;
use crate::audit::AuditAction;
use crate::error::{CoreError, Result};
use crate::record_util::{
    self, Record, audit_add, code_col, columns_as, date_col, ensure_child, load, opt_date_col,
    optional, query_rows, required, select,
};
use crate::store::WriteTx;
use hutong_national::NaiveDate;
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WishStatus {
    Recorded,
    Published,
    Claimed,
    Fulfilled,
    Cancelled,
}

impl WishStatus {
    pub const ALL: [WishStatus; 5] = [
        WishStatus::Recorded,
        WishStatus::Published,
        WishStatus::Claimed,
        WishStatus::Fulfilled,
        WishStatus::Cancelled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            WishStatus::Recorded => "recorded",
            WishStatus::Published => "published",
            WishStatus::Claimed => "claimed",
            WishStatus::Fulfilled => "fulfilled",
            WishStatus::Cancelled => "cancelled",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        WishStatus::ALL.into_iter().find(|x| x.code() == s.trim())
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            WishStatus::Recorded => "已登记",
            WishStatus::Published => "已发布",
            WishStatus::Claimed => "已认领",
            WishStatus::Fulfilled => "已实现",
            WishStatus::Cancelled => "已取消",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SponsorKind {
    Company,
    Person,
}

impl SponsorKind {
    pub fn code(self) -> &'static str {
        match self {
            SponsorKind::Company => "company",
            SponsorKind::Person => "person",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        match s.trim() {
            "company" => Some(SponsorKind::Company),
            "person" => Some(SponsorKind::Person),
            _ => None,
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            SponsorKind::Company => "单位",
            SponsorKind::Person => "个人",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sponsor {
    pub kind: SponsorKind,
    pub name: String,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wish {
    pub id: RowId,
    pub child_id: RowId,
    pub wish: String,
    pub estimate_cents: Option<i64>,
    pub status: WishStatus,
    pub recorded_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    pub sponsor: Option<Sponsor>,
    pub claimed_on: Option<NaiveDate>,
    pub fulfilled_on: Option<NaiveDate>,
    pub photo_ref: Option<String>,
    pub cancel_reason: Option<String>,
}

fn check_estimate(estimate_cents: Option<i64>) -> Result<()> {
    if estimate_cents.is_some_and(|c| c < 0) {
        return Err(CoreError::field("预估金额", "不能为负数"));
    }
    Ok(())
}

pub fn add(
    tx: &mut WriteTx<'_>,
    child_id: RowId,
    wish: &str,
    estimate_cents: Option<i64>,
    recorded_on: NaiveDate,
) -> Result<Wish> {
    ensure_child(tx.conn(), child_id)?;
    check_estimate(estimate_cents)?;
    let w = Wish {
        id: RowId::new(),
        child_id,
        wish: required("心愿内容", wish)?,
        estimate_cents,
        status: WishStatus::Recorded,
        recorded_on,
        published_on: None,
        sponsor: None,
        claimed_on: None,
        fulfilled_on: None,
        photo_ref: None,
        cancel_reason: None,
    };
    tx.conn().execute(
        "INSERT INTO wishes (id, child_id, wish, estimate_cents, status, recorded_on, recorded_at)
         VALUES (?1, ?2, ?3, ?4, 'recorded', ?5, ?6)",
        params![
            w.id,
            child_id,
            w.wish,
            estimate_cents,
            recorded_on.to_string(),
            tx.now().to_string()
        ],
    )?;
    audit_add(
        tx,
        AuditAction::WishAdd,
        "wishes",
        w.id,
        serde_json::json!({ "child": child_id.to_string(), "wish": w.wish }),
    )?;
    Ok(w)
}

/// Edits the wish text or estimate, while it is not yet claimed.
pub fn edit(
    tx: &mut WriteTx<'_>,
    id: RowId,
    wish: &str,
    estimate_cents: Option<i64>,
) -> Result<Wish> {
    let old: Wish = load(tx.conn(), id)?;
    if !matches!(old.status, WishStatus::Recorded | WishStatus::Published) {
        return Err(CoreError::field(
            "心愿内容",
            format!("心愿已{}，不能再修改内容", old.status.label_zh()),
        ));
    }
    check_estimate(estimate_cents)?;
    let new = Wish {
        wish: required("心愿内容", wish)?,
        estimate_cents,
        ..old.clone()
    };
    record_util::update(tx, AuditAction::WishUpdate, None, old, new, |conn, new| {
        conn.execute(
            "UPDATE wishes SET wish=?2, estimate_cents=?3 WHERE id=?1",
            params![id, new.wish, estimate_cents],
        )
    })
}

fn step_error(w: &Wish, action: &str, needs: WishStatus) -> CoreError {
    let hint = match (w.status, needs) {
        (WishStatus::Recorded, WishStatus::Published) => "，须先发布",
        (WishStatus::Recorded, WishStatus::Claimed) => "，须先发布并由爱心人士认领",
        (WishStatus::Published, WishStatus::Claimed) => "，须先由爱心人士认领",
        _ => "",
    };
    CoreError::field(
        "心愿状态",
        format!(
            "心愿当前为“{}”，不能{}（需要“{}”状态{}）",
            w.status.label_zh(),
            action,
            needs.label_zh(),
            hint
        ),
    )
}

fn transition(
    tx: &mut WriteTx<'_>,
    old: Wish,
    new: Wish,
    action: AuditAction,
    reason: Option<&str>,
) -> Result<Wish> {
    record_util::step(tx, action, reason, &old, new, |conn, new| {
        conn.execute(
            "UPDATE wishes SET status=?2, published_on=?3, sponsor_kind=?4, sponsor_name=?5,
                sponsor_contact=?6, claimed_on=?7, fulfilled_on=?8, photo_ref=?9, cancel_reason=?10
             WHERE id=?1",
            params![
                new.id,
                new.status.code(),
                new.published_on.map(|d| d.to_string()),
                new.sponsor.as_ref().map(|s| s.kind.code()),
                new.sponsor.as_ref().map(|s| s.name.clone()),
                new.sponsor.as_ref().and_then(|s| s.contact.clone()),
                new.claimed_on.map(|d| d.to_string()),
                new.fulfilled_on.map(|d| d.to_string()),
                new.photo_ref,
                new.cancel_reason,
            ],
        )
    })
}

/// recorded → published.
pub fn publish(tx: &mut WriteTx<'_>, id: RowId, on: NaiveDate) -> Result<Wish> {
    let old: Wish = load(tx.conn(), id)?;
    if old.status != WishStatus::Recorded {
        return Err(step_error(&old, "发布", WishStatus::Recorded));
    }
    if on < old.recorded_on {
        return Err(CoreError::field("发布日期", "早于登记日期"));
    }
    let new = Wish {
        status: WishStatus::Published,
        published_on: Some(on),
        ..old.clone()
    };
    transition(tx, old, new, AuditAction::WishPublish, None)
}

/// published → claimed by a sponsor.
pub fn claim(tx: &mut WriteTx<'_>, id: RowId, sponsor: &Sponsor, on: NaiveDate) -> Result<Wish> {
    let old: Wish = load(tx.conn(), id)?;
    if old.status != WishStatus::Published {
        return Err(step_error(&old, "认领", WishStatus::Published));
    }
    if old.published_on.is_some_and(|p| on < p) {
        return Err(CoreError::field("认领日期", "早于发布日期"));
    }
    let new = Wish {
        status: WishStatus::Claimed,
        sponsor: Some(Sponsor {
            kind: sponsor.kind,
            name: required("认领人", &sponsor.name)?,
            contact: optional(&sponsor.contact),
        }),
        claimed_on: Some(on),
        ..old.clone()
    };
    transition(tx, old, new, AuditAction::WishClaim, None)
}

/// claimed → fulfilled, with the date and a photo reference.
pub fn fulfil(
    tx: &mut WriteTx<'_>,
    id: RowId,
    on: NaiveDate,
    photo_ref: Option<&str>,
) -> Result<Wish> {
    let old: Wish = load(tx.conn(), id)?;
    if old.status != WishStatus::Claimed {
        return Err(step_error(&old, "标记实现", WishStatus::Claimed));
    }
    if old.claimed_on.is_some_and(|c| on < c) {
        return Err(CoreError::field("实现日期", "早于认领日期"));
    }
    let new = Wish {
        status: WishStatus::Fulfilled,
        fulfilled_on: Some(on),
        photo_ref: photo_ref
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        ..old.clone()
    };
    transition(tx, old, new, AuditAction::WishFulfil, None)
}

/// Cancels a wish that is not yet fulfilled.
pub fn cancel(tx: &mut WriteTx<'_>, id: RowId, reason: &str) -> Result<Wish> {
    let reason = required("取消原因", reason)?;
    let old: Wish = load(tx.conn(), id)?;
    if matches!(old.status, WishStatus::Fulfilled | WishStatus::Cancelled) {
        return Err(CoreError::field(
            "心愿状态",
            format!("心愿已{}，不能取消", old.status.label_zh()),
        ));
    }
    let new = Wish {
        status: WishStatus::Cancelled,
        cancel_reason: Some(reason.clone()),
        ..old.clone()
    };
    transition(tx, old, new, AuditAction::WishCancel, Some(&reason))
}

impl Record for Wish {
    const TABLE: &'static str = "wishes";
    const COLUMNS: &'static str = "id, child_id, wish, estimate_cents, status, recorded_on,
        published_on, sponsor_kind, sponsor_name, sponsor_contact, claimed_on, fulfilled_on,
        photo_ref, cancel_reason";
    const WHAT: &'static str = "微心愿";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        let kind: Option<String> = r.get(7)?;
        let name: Option<String> = r.get(8)?;
        Ok(Wish {
            id: r.get(0)?,
            child_id: r.get(1)?,
            wish: r.get(2)?,
            estimate_cents: r.get(3)?,
            status: code_col(r, 4, WishStatus::from_code)?,
            recorded_on: date_col(r, 5)?,
            published_on: opt_date_col(r, 6)?,
            sponsor: match (kind.as_deref().and_then(SponsorKind::from_code), name) {
                (Some(kind), Some(name)) => Some(Sponsor {
                    kind,
                    name,
                    contact: r.get(9)?,
                }),
                _ => None,
            },
            claimed_on: opt_date_col(r, 10)?,
            fulfilled_on: opt_date_col(r, 11)?,
            photo_ref: r.get(12)?,
            cancel_reason: r.get(13)?,
        })
    }

    fn ids(&self) -> (RowId, Option<RowId>) {
        (self.id, Some(self.child_id))
    }
}

pub fn get(conn: &Connection, id: RowId) -> Result<Option<Wish>> {
    record_util::get(conn, id)
}

pub fn for_child(conn: &Connection, child_id: RowId) -> Result<Vec<Wish>> {
    select(
        conn,
        "WHERE child_id=?1 ORDER BY recorded_on DESC",
        [child_id],
    )
}

/// A wish with the child's name and village.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WishRow {
    pub wish: Wish,
    pub child_name: String,
    pub village_name: String,
}

/// Wishes of children within `scope`, optionally of one status.
pub fn list(conn: &Connection, scope: &str, status: Option<WishStatus>) -> Result<Vec<WishRow>> {
    let cols = columns_as::<Wish>("w");
    query_rows(
        conn,
        &format!(
            "SELECT {cols}, c.name, coalesce(d.name, '')
             FROM wishes w JOIN children c ON c.id = w.child_id
             LEFT JOIN divisions d ON d.code = c.residence_division
             WHERE c.residence_division GLOB ?1 AND (?2 IS NULL OR w.status = ?2)
             ORDER BY w.recorded_on DESC, w.id"
        ),
        params![format!("{scope}*"), status.map(|s| s.code())],
        |r| {
            Ok(WishRow {
                wish: Wish::from_row(r)?,
                child_name: r.get(14)?,
                village_name: r.get(15)?,
            })
        },
    )
}

/// Counts per status within `scope`, for a summary line.
pub fn counts(conn: &Connection, scope: &str) -> Result<Vec<(WishStatus, u64)>> {
    let mut out = Vec::new();
    for s in WishStatus::ALL {
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM wishes w JOIN children c ON c.id = w.child_id
             WHERE w.status = ?1 AND c.residence_division GLOB ?2",
            params![s.code(), format!("{scope}*")],
            |r| r.get(0),
        )?;
        out.push((s, n as u64));
    }
    Ok(out)
}
