//! Versioned schema migrations, tracked in SQLite's `user_version`.
//!
//! Each step runs in its own transaction and bumps `user_version`, so a crash
//! mid-migration leaves the previous version intact. Never edit a released
//! step: add a new one.

use crate::error::{CoreError, Result};
use rusqlite::Connection;
use std::path::Path;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const MIGRATIONS: &[&str] = &[
    V1,
    V2,
    V3_CASEWORK,
    V4_EXCHANGE,
    V5_RECORDS,
    V6_REFERRAL_SOURCE,
    V7_ACCOUNTS,
    V8_ANCHORS,
    V9_RESTORE_CARRY,
    V10_PLUGIN_CACHE,
    V11_ROW_DIGESTS,
];

pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(CoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied schema migration");
    }
    Ok(())
}

/// The schema objects (tables, indexes, triggers, views) a database of
/// `version` has: `(type, name, sql)`, sorted. Built by migrating an empty
/// in-memory database, so it is exactly what this build's migrations make.
/// Used to refuse a backup whose schema differs from its version's.
pub(crate) fn schema_at(version: i64) -> Result<Vec<(String, String, String)>> {
    if !(1..=SCHEMA_VERSION).contains(&version) {
        return Err(CoreError::Internal(format!("没有数据结构版本 {version}")));
    }
    let conn = Connection::open_in_memory()?;
    for sql in MIGRATIONS.iter().take(version as usize) {
        conn.execute_batch(sql)?;
    }
    schema_of(&conn, "main")
}

/// The schema objects of a database (see [`schema_at`]); SQLite's own
/// internal objects are left out.
pub(crate) fn schema_of(conn: &Connection, schema: &str) -> Result<Vec<(String, String, String)>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT type, name, coalesce(sql, '') FROM \"{schema}\".sqlite_schema
         WHERE type IN ('table', 'index', 'trigger', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
         ORDER BY type, name"
    ))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Version 1: the tables of DESIGN §2 that the foundation needs.
///
/// Conventions:
/// - synced rows have `id BLOB PRIMARY KEY` holding a UUIDv7 (16 bytes);
/// - divisions keep their natural statistical codes;
/// - no `updated_at` in synced rows: change times live in `audit_log`;
/// - nothing is hard-deleted: DELETE triggers refuse, rows carry a status;
/// - dates are ISO `YYYY-MM-DD` text, timestamps RFC 3339 text.
const V1: &str = r#"
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE divisions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    parent_code TEXT REFERENCES divisions(code)
) WITHOUT ROWID;
CREATE INDEX divisions_parent ON divisions(parent_code);

CREATE TABLE users (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('county_admin','caseworker','township_supervisor','village_director','auditor')),
    scope_code    TEXT NOT NULL REFERENCES divisions(code),
    phone         TEXT,
    password_hash TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','disabled')),
    created_at    TEXT NOT NULL
);

CREATE TABLE children (
    id                 BLOB PRIMARY KEY CHECK (length(id) = 16),
    id_number          TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    name_pinyin        TEXT NOT NULL,
    name_initials      TEXT NOT NULL,
    name_alt           TEXT,
    sex                TEXT NOT NULL CHECK (sex IN ('M','F')),
    birth_date         TEXT NOT NULL,
    ethnicity          TEXT,
    hukou_division     TEXT,
    hukou_address      TEXT,
    residence_division TEXT NOT NULL REFERENCES divisions(code),
    residence_address  TEXT,
    phone              TEXT,
    schooling          TEXT,
    school             TEXT,
    grade              TEXT,
    health             TEXT,
    disability_type    TEXT,
    disability_grade   INTEGER CHECK (disability_grade BETWEEN 1 AND 4),
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed')),
    close_reason       TEXT,
    closed_on          TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX children_residence ON children(residence_division);
CREATE INDEX children_name ON children(name);
CREATE INDEX children_initials ON children(name_initials);
CREATE INDEX children_pinyin ON children(name_pinyin);

CREATE TABLE persons (
    id               BLOB PRIMARY KEY CHECK (length(id) = 16),
    name             TEXT NOT NULL,
    id_number        TEXT,
    sex              TEXT CHECK (sex IN ('M','F')),
    birth_date       TEXT,
    phone            TEXT,
    hukou_address    TEXT,
    address          TEXT,
    health           TEXT,
    disability_type  TEXT,
    disability_grade INTEGER CHECK (disability_grade BETWEEN 1 AND 4),
    occupation       TEXT,
    created_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX persons_id_number ON persons(id_number) WHERE id_number IS NOT NULL;

-- Parents, guardians and entrusted carers of a child (DOMAIN §1.5, §2.1).
CREATE TABLE child_relations (
    id                   BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id             BLOB NOT NULL REFERENCES children(id),
    person_id            BLOB NOT NULL REFERENCES persons(id),
    relation             TEXT NOT NULL,
    is_guardian          INTEGER NOT NULL DEFAULT 0 CHECK (is_guardian IN (0,1)),
    is_entrusted_carer   INTEGER NOT NULL DEFAULT 0 CHECK (is_entrusted_carer IN (0,1)),
    situation            TEXT,
    situation_since      TEXT,
    situation_until      TEXT,
    situation_evidence   TEXT,
    entrustment_reason   TEXT,
    entrustment_confirmed_on TEXT,
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended')),
    ended_on             TEXT
);
CREATE INDEX child_relations_child ON child_relations(child_id);
CREATE INDEX child_relations_person ON child_relations(person_id);

CREATE TABLE categories (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id        BLOB NOT NULL REFERENCES children(id),
    category        TEXT NOT NULL,
    basis           TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('manual','plugin','import')),
    source_ref      TEXT,
    effective_from  TEXT NOT NULL,
    effective_until TEXT,
    evidence        TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','ended')),
    end_reason      TEXT
);
CREATE INDEX categories_child ON categories(child_id);
CREATE INDEX categories_category ON categories(category, status);

-- Province form values. Append-only: a change writes a new version.
CREATE TABLE form_records (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id       BLOB NOT NULL REFERENCES children(id),
    plugin_id      TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    form_id        TEXT NOT NULL,
    form_version   TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    supersedes     BLOB REFERENCES form_records(id),
    values_json    TEXT NOT NULL CHECK (json_valid(values_json)),
    author         TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    UNIQUE (child_id, plugin_id, form_id, version)
);

CREATE TABLE visits (
    id                BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id          BLOB NOT NULL REFERENCES children(id),
    visit_date        TEXT NOT NULL,
    mode              TEXT NOT NULL CHECK (mode IN ('home','phone','school')),
    visitor           TEXT NOT NULL,
    findings          TEXT NOT NULL,
    follow_up         TEXT,
    next_due_override TEXT,
    override_reason   TEXT,
    status            TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason       TEXT,
    recorded_at       TEXT NOT NULL
);
CREATE INDEX visits_child ON visits(child_id, visit_date);

-- Append-only and hash-chained: hash = SHA-256 over this entry's fields and
-- the previous entry's hash. `hutong audit verify` walks the chain.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    id        BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT,
    reason    TEXT,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);

-- Nothing is hard-deleted; history is never rewritten.
CREATE TRIGGER children_no_delete BEFORE DELETE ON children BEGIN SELECT RAISE(ABORT, '儿童档案不可删除，请以原因结案'); END;
CREATE TRIGGER persons_no_delete BEFORE DELETE ON persons BEGIN SELECT RAISE(ABORT, '人员记录不可删除'); END;
CREATE TRIGGER relations_no_delete BEFORE DELETE ON child_relations BEGIN SELECT RAISE(ABORT, '关系记录不可删除，请标记结束'); END;
CREATE TRIGGER categories_no_delete BEFORE DELETE ON categories BEGIN SELECT RAISE(ABORT, '类别记录不可删除，请标记结束'); END;
CREATE TRIGGER users_no_delete BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, '用户不可删除，请停用'); END;
CREATE TRIGGER visits_no_delete BEFORE DELETE ON visits BEGIN SELECT RAISE(ABORT, '走访记录不可删除，请作废'); END;
CREATE TRIGGER form_records_no_update BEFORE UPDATE ON form_records BEGIN SELECT RAISE(ABORT, '表单记录只可追加新版本'); END;
CREATE TRIGGER form_records_no_delete BEFORE DELETE ON form_records BEGIN SELECT RAISE(ABORT, '表单记录只可追加新版本'); END;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '审计日志只可追加'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, '审计日志只可追加'); END;
"#;

/// Version 2: province plugins: the keys a county trusts and what is installed.
const V2: &str = r#"
CREATE TABLE trusted_keys (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    province_code TEXT NOT NULL CHECK (length(province_code) = 2),
    public_key    TEXT NOT NULL,
    label         TEXT,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','revoked')),
    added_at      TEXT NOT NULL,
    UNIQUE (province_code, public_key)
);

CREATE TABLE installed_plugins (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    plugin_id     TEXT NOT NULL,
    version       TEXT NOT NULL,
    province_code TEXT NOT NULL,
    name          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    signed_by     TEXT,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','removed')),
    installed_at  TEXT NOT NULL
);
CREATE TRIGGER trusted_keys_no_delete BEFORE DELETE ON trusted_keys BEGIN SELECT RAISE(ABORT, '信任公钥不可删除，请吊销'); END;
CREATE TRIGGER installed_plugins_no_delete BEFORE DELETE ON installed_plugins BEGIN SELECT RAISE(ABORT, '插件记录不可删除，请卸载'); END;
"#;

/// Version 3: casework (issue #8): immutable assessment results, the
/// eligibility findings that drive categories, the daily sweeps, and 摸排
/// campaigns with per-child coverage. Self-contained so it can be
/// renumbered on merge.
///
/// - `assessments` and `eligibility_findings` are append-only (UPDATE and
///   DELETE refused): a new result is a new row.
/// - `campaigns` may change only while open (closing writes the locked
///   snapshot); a closed campaign refuses every UPDATE, and no item can be
///   added to it.
/// - `campaign_items` are append-only; the latest item per child counts.
const V3_CASEWORK: &str = r#"
CREATE TABLE assessments (
    id               BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id         BLOB NOT NULL REFERENCES children(id),
    scale_id         TEXT NOT NULL,
    scale_version    TEXT NOT NULL,
    plugin_id        TEXT NOT NULL,
    plugin_version   TEXT NOT NULL,
    -- SHA-256 of the canonical input (scale, answers, child snapshot; not the date).
    input_sha256     TEXT NOT NULL CHECK (length(input_sha256) = 64),
    -- SHA-256 of the child's data without visits: a change makes a re-assessment due.
    data_sha256      TEXT NOT NULL CHECK (length(data_sha256) = 64),
    answers_json     TEXT NOT NULL CHECK (json_valid(answers_json)),
    level_code       TEXT NOT NULL,
    level_label      TEXT NOT NULL,
    colour           TEXT CHECK (colour IN ('red','orange','yellow','blue','green')),
    score            REAL,
    sub_scores_json  TEXT NOT NULL CHECK (json_valid(sub_scores_json)),
    reasons_json     TEXT NOT NULL CHECK (json_valid(reasons_json)),
    next_visit_days  INTEGER CHECK (next_visit_days >= 0),
    services_json    TEXT NOT NULL CHECK (json_valid(services_json)),
    assessed_on      TEXT NOT NULL,
    assessed_at      TEXT NOT NULL,
    author           TEXT NOT NULL
);
CREATE INDEX assessments_child ON assessments(child_id, assessed_at);
CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments BEGIN SELECT RAISE(ABORT, '评估结果不可修改，请重新评估'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments BEGIN SELECT RAISE(ABORT, '评估结果不可删除'); END;

-- A plugin's eligibility finding for one category of one child. A row is
-- written when the finding differs from the latest one for that category.
CREATE TABLE eligibility_findings (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id        BLOB NOT NULL REFERENCES children(id),
    plugin_id       TEXT NOT NULL,
    plugin_version  TEXT NOT NULL,
    category        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('eligible','not_eligible','evidence_missing')),
    reasons_json    TEXT NOT NULL CHECK (json_valid(reasons_json)),
    citation        TEXT NOT NULL,
    effective_from  TEXT,
    effective_until TEXT,
    classified_on   TEXT NOT NULL,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX eligibility_findings_child ON eligibility_findings(child_id, category, recorded_at);
CREATE TRIGGER eligibility_findings_no_update BEFORE UPDATE ON eligibility_findings BEGIN SELECT RAISE(ABORT, '资格认定结果不可修改'); END;
CREATE TRIGGER eligibility_findings_no_delete BEFORE DELETE ON eligibility_findings BEGIN SELECT RAISE(ABORT, '资格认定结果不可删除'); END;

-- One run of the daily eligibility sweep: life events after the previous
-- run's date are re-checked.
CREATE TABLE eligibility_sweeps (
    id               BLOB PRIMARY KEY CHECK (length(id) = 16),
    swept_on         TEXT NOT NULL,
    plugin_id        TEXT NOT NULL,
    plugin_version   TEXT NOT NULL,
    children_checked INTEGER NOT NULL,
    changes          INTEGER NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE TRIGGER eligibility_sweeps_no_update BEFORE UPDATE ON eligibility_sweeps BEGIN SELECT RAISE(ABORT, '筛查记录不可修改'); END;
CREATE TRIGGER eligibility_sweeps_no_delete BEFORE DELETE ON eligibility_sweeps BEGIN SELECT RAISE(ABORT, '筛查记录不可删除'); END;

-- 摸排 rounds over a division subtree on the plugin's screening cycle.
CREATE TABLE campaigns (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    division_code  TEXT NOT NULL REFERENCES divisions(code),
    title          TEXT NOT NULL,
    cycle          TEXT NOT NULL,
    period_start   TEXT NOT NULL,
    period_end     TEXT NOT NULL,
    plugin_ref     TEXT,
    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    started_by     TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    closed_by      TEXT,
    closed_at      TEXT,
    snapshot_json  TEXT CHECK (snapshot_json IS NULL OR json_valid(snapshot_json))
);
CREATE INDEX campaigns_status ON campaigns(status, division_code);
CREATE TRIGGER campaigns_no_delete BEFORE DELETE ON campaigns BEGIN SELECT RAISE(ABORT, '摸排记录不可删除'); END;
CREATE TRIGGER campaigns_locked BEFORE UPDATE ON campaigns WHEN OLD.status = 'closed' BEGIN SELECT RAISE(ABORT, '摸排已结束并锁定，不可修改'); END;

CREATE TABLE campaign_items (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    campaign_id   BLOB NOT NULL REFERENCES campaigns(id),
    child_id      BLOB NOT NULL REFERENCES children(id),
    village_code  TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('confirmed','updated','closed')),
    note          TEXT,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX campaign_items_campaign ON campaign_items(campaign_id, child_id);
CREATE TRIGGER campaign_items_no_update BEFORE UPDATE ON campaign_items BEGIN SELECT RAISE(ABORT, '摸排记录只可追加'); END;
CREATE TRIGGER campaign_items_no_delete BEFORE DELETE ON campaign_items BEGIN SELECT RAISE(ABORT, '摸排记录只可追加'); END;
CREATE TRIGGER campaign_items_closed BEFORE INSERT ON campaign_items
    WHEN (SELECT status FROM campaigns WHERE id = NEW.campaign_id) = 'closed'
    BEGIN SELECT RAISE(ABORT, '摸排已结束并锁定，不能再登记'); END;
"#;

/// Data exchange (issue #10): saved column mappings, and the 数据比对
/// workbench's comparisons, their rows and the per-field decisions.
/// Self-contained so it can be renumbered when branches merge.
const V4_EXCHANGE: &str = r#"
CREATE TABLE column_mappings (
    id           BLOB PRIMARY KEY CHECK (length(id) = 16),
    name         TEXT NOT NULL UNIQUE,
    columns_json TEXT NOT NULL CHECK (json_valid(columns_json)),
    created_at   TEXT NOT NULL
);

-- One run of the 数据比对 workbench against another department's list.
CREATE TABLE comparisons (
    id           BLOB PRIMARY KEY CHECK (length(id) = 16),
    source       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    mapping_json TEXT NOT NULL CHECK (json_valid(mapping_json)),
    run_on       TEXT NOT NULL,
    their_rows   INTEGER NOT NULL,
    same         INTEGER NOT NULL,
    different    INTEGER NOT NULL,
    only_ours    INTEGER NOT NULL,
    only_theirs  INTEGER NOT NULL,
    flags        INTEGER NOT NULL,
    created_at   TEXT NOT NULL
);

-- One row of a comparison's result. grp: same / different / only_ours /
-- only_theirs. diffs_json: [{field, ours, theirs}]; flags_json: [{kind, message}].
CREATE TABLE comparison_rows (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    comparison_id BLOB NOT NULL REFERENCES comparisons(id),
    grp           TEXT NOT NULL CHECK (grp IN ('same','different','only_ours','only_theirs')),
    child_id      BLOB REFERENCES children(id),
    person_id     BLOB REFERENCES persons(id),
    their_line    INTEGER,
    match_method  TEXT,
    their_json    TEXT CHECK (their_json IS NULL OR json_valid(their_json)),
    diffs_json    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(diffs_json)),
    flags_json    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags_json))
);
CREATE INDEX comparison_rows_comparison ON comparison_rows(comparison_id, grp);
CREATE INDEX comparison_rows_child ON comparison_rows(child_id);

-- A reviewer's decision on one differing field, with its provenance.
-- Append-only: a changed mind is a new row.
CREATE TABLE comparison_decisions (
    id          BLOB PRIMARY KEY CHECK (length(id) = 16),
    row_id      BLOB NOT NULL REFERENCES comparison_rows(id),
    field       TEXT NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('accept','reject')),
    ours        TEXT,
    theirs      TEXT,
    note        TEXT,
    decided_by  TEXT NOT NULL,
    decided_at  TEXT NOT NULL
);
CREATE INDEX comparison_decisions_row ON comparison_decisions(row_id);

CREATE TRIGGER column_mappings_no_delete BEFORE DELETE ON column_mappings BEGIN SELECT RAISE(ABORT, '列映射不可删除'); END;
CREATE TRIGGER comparisons_no_delete BEFORE DELETE ON comparisons BEGIN SELECT RAISE(ABORT, '比对记录不可删除'); END;
CREATE TRIGGER comparisons_no_update BEFORE UPDATE ON comparisons BEGIN SELECT RAISE(ABORT, '比对记录只可追加'); END;
CREATE TRIGGER comparison_rows_no_delete BEFORE DELETE ON comparison_rows BEGIN SELECT RAISE(ABORT, '比对结果不可删除'); END;
CREATE TRIGGER comparison_rows_no_update BEFORE UPDATE ON comparison_rows BEGIN SELECT RAISE(ABORT, '比对结果只可追加'); END;
CREATE TRIGGER comparison_decisions_no_delete BEFORE DELETE ON comparison_decisions BEGIN SELECT RAISE(ABORT, '比对决定不可删除'); END;
CREATE TRIGGER comparison_decisions_no_update BEFORE UPDATE ON comparison_decisions BEGIN SELECT RAISE(ABORT, '比对决定只可追加'); END;
"#;

/// Casework records (issue #9): 强制报告, services and referrals, allowances
/// and grants, 微心愿, psychological care, and the workforce (督导员, 儿童主任,
/// training, 儿童之家). Self-contained: it only references tables of V1.
///
/// Dates are ISO text; times of a 强制报告 are `YYYY-MM-DD HH:MM` local time;
/// money is integer 分 (cents). Every table refuses DELETE: records are
/// voided, closed or ended with a reason.
const V5_RECORDS: &str = r#"
-- 强制报告 (DOMAIN §2.4). Reporter columns are confidential: services redact
-- them for roles other than county_admin and caseworker.
CREATE TABLE mandatory_reports (
    id                   BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id             BLOB NOT NULL REFERENCES children(id),
    situations           TEXT NOT NULL CHECK (json_valid(situations)),
    reporter_unit        TEXT NOT NULL,
    reporter_role        TEXT NOT NULL,
    reporter_contact     TEXT,
    found_at             TEXT NOT NULL,
    reported_at          TEXT NOT NULL,
    channel              TEXT NOT NULL CHECK (channel IN ('110','police','civil_affairs','12349','education','other')),
    receiving_agency     TEXT NOT NULL,
    receipt_no           TEXT,
    perpetrator_relation TEXT,
    safety_action        TEXT,
    feedback             TEXT,
    feedback_on          TEXT,
    custody_agency       TEXT,
    custody_from         TEXT,
    custody_clause       INTEGER CHECK (custody_clause BETWEEN 1 AND 7),
    status               TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed','voided')),
    void_reason          TEXT,
    recorded_at          TEXT NOT NULL
);
CREATE INDEX mandatory_reports_child ON mandatory_reports(child_id);

-- Services delivered against a plugin catalogue item (code, name and area
-- are a snapshot of the catalogue at the time).
CREATE TABLE service_records (
    id           BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id     BLOB NOT NULL REFERENCES children(id),
    item_code    TEXT NOT NULL,
    item_name    TEXT NOT NULL,
    item_area    TEXT NOT NULL,
    service_date TEXT NOT NULL,
    provider     TEXT NOT NULL,
    department   TEXT NOT NULL,
    outcome      TEXT,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason  TEXT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX service_records_child ON service_records(child_id, service_date);

CREATE TABLE referrals (
    id          BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id    BLOB NOT NULL REFERENCES children(id),
    department  TEXT NOT NULL,
    item_code   TEXT,
    item_name   TEXT,
    reason      TEXT NOT NULL,
    sent_on     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent','accepted','done','declined','voided')),
    status_on   TEXT,
    note        TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX referrals_child ON referrals(child_id);

-- County allowance standards (DOMAIN §2.7), per category, from a date.
CREATE TABLE allowance_standards (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    category       TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
    effective_from TEXT NOT NULL,
    basis          TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason    TEXT,
    recorded_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX allowance_standards_one ON allowance_standards(category, effective_from) WHERE status = 'active';

-- The monthly ledger: one basic-allowance payment per child per month.
CREATE TABLE allowance_payments (
    id           BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id     BLOB NOT NULL REFERENCES children(id),
    category_id  BLOB NOT NULL REFERENCES categories(id),
    category     TEXT NOT NULL,
    month        TEXT NOT NULL CHECK (length(month) = 7),
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    standard_id  BLOB REFERENCES allowance_standards(id),
    status       TEXT NOT NULL DEFAULT 'due' CHECK (status IN ('due','paid','voided')),
    paid_on      TEXT,
    pay_ref      TEXT,
    void_reason  TEXT,
    generated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX allowance_payments_one ON allowance_payments(child_id, month) WHERE status <> 'voided';
CREATE INDEX allowance_payments_month ON allowance_payments(month);

-- 福彩圆梦 grants and 明天计划 records.
CREATE TABLE grants (
    id           BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id     BLOB NOT NULL REFERENCES children(id),
    programme    TEXT NOT NULL CHECK (programme IN ('fucai_dream','tomorrow_plan')),
    granted_on   TEXT NOT NULL,
    item         TEXT NOT NULL,
    amount_cents INTEGER CHECK (amount_cents >= 0),
    provider     TEXT,
    note         TEXT,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason  TEXT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX grants_child ON grants(child_id);

-- 微心愿: recorded → published → claimed → fulfilled (or cancelled).
CREATE TABLE wishes (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id        BLOB NOT NULL REFERENCES children(id),
    wish            TEXT NOT NULL,
    estimate_cents  INTEGER CHECK (estimate_cents >= 0),
    status          TEXT NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded','published','claimed','fulfilled','cancelled')),
    recorded_on     TEXT NOT NULL,
    published_on    TEXT,
    sponsor_kind    TEXT CHECK (sponsor_kind IN ('company','person')),
    sponsor_name    TEXT,
    sponsor_contact TEXT,
    claimed_on      TEXT,
    fulfilled_on    TEXT,
    photo_ref       TEXT,
    cancel_reason   TEXT,
    recorded_at     TEXT NOT NULL
);
CREATE INDEX wishes_child ON wishes(child_id);
CREATE INDEX wishes_status ON wishes(status);

-- Psychological care: sessions, screening results, follow-ups.
CREATE TABLE counselling_sessions (
    id           BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id     BLOB NOT NULL REFERENCES children(id),
    session_date TEXT NOT NULL,
    counsellor   TEXT NOT NULL,
    mode         TEXT NOT NULL CHECK (mode IN ('individual','group','phone','online')),
    summary      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason  TEXT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX counselling_sessions_child ON counselling_sessions(child_id);

CREATE TABLE screenings (
    id          BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id    BLOB NOT NULL REFERENCES children(id),
    screened_on TEXT NOT NULL,
    scale       TEXT NOT NULL,
    score       REAL,
    level       TEXT NOT NULL,
    screener    TEXT NOT NULL,
    note        TEXT,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX screenings_child ON screenings(child_id);

CREATE TABLE care_followups (
    id          BLOB PRIMARY KEY CHECK (length(id) = 16),
    child_id    BLOB NOT NULL REFERENCES children(id),
    source_id   BLOB,
    due_on      TEXT NOT NULL,
    action      TEXT NOT NULL,
    done_on     TEXT,
    done_note   TEXT,
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),
    recorded_at TEXT NOT NULL
);
CREATE INDEX care_followups_due ON care_followups(status, due_on);

-- The workforce (DOMAIN §2.5): 儿童督导员 (township) and 儿童主任 (village).
CREATE TABLE workers (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    role          TEXT NOT NULL CHECK (role IN ('supervisor','director')),
    name          TEXT NOT NULL,
    division_code TEXT NOT NULL REFERENCES divisions(code),
    phone         TEXT,
    appointed_on  TEXT NOT NULL,
    left_on       TEXT,
    left_reason   TEXT,
    note          TEXT,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX workers_division ON workers(division_code);

CREATE TABLE trainings (
    id          BLOB PRIMARY KEY CHECK (length(id) = 16),
    held_on     TEXT NOT NULL,
    topic       TEXT NOT NULL,
    hours       REAL NOT NULL CHECK (hours > 0),
    organiser   TEXT,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason TEXT,
    recorded_at TEXT NOT NULL
);

CREATE TABLE training_attendees (
    training_id BLOB NOT NULL REFERENCES trainings(id),
    worker_id   BLOB NOT NULL REFERENCES workers(id),
    PRIMARY KEY (training_id, worker_id)
) WITHOUT ROWID;

-- 儿童之家 venues and their activities.
CREATE TABLE child_homes (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    name          TEXT NOT NULL,
    division_code TEXT NOT NULL REFERENCES divisions(code),
    address       TEXT,
    opened_on     TEXT NOT NULL,
    closed_on     TEXT,
    close_reason  TEXT,
    recorded_at   TEXT NOT NULL
);

CREATE TABLE home_activities (
    id           BLOB PRIMARY KEY CHECK (length(id) = 16),
    home_id      BLOB NOT NULL REFERENCES child_homes(id),
    held_on      TEXT NOT NULL,
    title        TEXT NOT NULL,
    participants INTEGER CHECK (participants >= 0),
    organiser    TEXT,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','voided')),
    void_reason  TEXT,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX home_activities_home ON home_activities(home_id, held_on);

CREATE TRIGGER mandatory_reports_no_delete BEFORE DELETE ON mandatory_reports BEGIN SELECT RAISE(ABORT, '强制报告记录不可删除，请作废'); END;
CREATE TRIGGER service_records_no_delete BEFORE DELETE ON service_records BEGIN SELECT RAISE(ABORT, '服务记录不可删除，请作废'); END;
CREATE TRIGGER referrals_no_delete BEFORE DELETE ON referrals BEGIN SELECT RAISE(ABORT, '转介记录不可删除，请作废'); END;
CREATE TRIGGER allowance_standards_no_delete BEFORE DELETE ON allowance_standards BEGIN SELECT RAISE(ABORT, '补贴标准不可删除，请作废'); END;
CREATE TRIGGER allowance_payments_no_delete BEFORE DELETE ON allowance_payments BEGIN SELECT RAISE(ABORT, '发放记录不可删除，请作废'); END;
CREATE TRIGGER grants_no_delete BEFORE DELETE ON grants BEGIN SELECT RAISE(ABORT, '资助记录不可删除，请作废'); END;
CREATE TRIGGER wishes_no_delete BEFORE DELETE ON wishes BEGIN SELECT RAISE(ABORT, '微心愿不可删除，请取消'); END;
CREATE TRIGGER counselling_sessions_no_delete BEFORE DELETE ON counselling_sessions BEGIN SELECT RAISE(ABORT, '心理辅导记录不可删除，请作废'); END;
CREATE TRIGGER screenings_no_delete BEFORE DELETE ON screenings BEGIN SELECT RAISE(ABORT, '筛查记录不可删除，请作废'); END;
CREATE TRIGGER care_followups_no_delete BEFORE DELETE ON care_followups BEGIN SELECT RAISE(ABORT, '随访记录不可删除，请取消'); END;
CREATE TRIGGER workers_no_delete BEFORE DELETE ON workers BEGIN SELECT RAISE(ABORT, '人员记录不可删除，请登记离任'); END;
CREATE TRIGGER trainings_no_delete BEFORE DELETE ON trainings BEGIN SELECT RAISE(ABORT, '培训记录不可删除，请作废'); END;
CREATE TRIGGER training_attendees_no_delete BEFORE DELETE ON training_attendees BEGIN SELECT RAISE(ABORT, '培训签到不可删除'); END;
CREATE TRIGGER child_homes_no_delete BEFORE DELETE ON child_homes BEGIN SELECT RAISE(ABORT, '儿童之家记录不可删除，请登记关闭'); END;
CREATE TRIGGER home_activities_no_delete BEFORE DELETE ON home_activities BEGIN SELECT RAISE(ABORT, '活动记录不可删除，请作废'); END;
"#;

/// Version 6: a referral may name the 强制报告 it came from, so the report's
/// view lists the departments it was referred to (issue #9).
const V6_REFERRAL_SOURCE: &str = r#"
ALTER TABLE referrals ADD COLUMN mreport_id BLOB REFERENCES mandatory_reports(id);
CREATE INDEX referrals_mreport ON referrals(mreport_id);
"#;

/// Version 7: accounts that can be managed (issue #16). A reset password
/// must be changed at the next log-in; wrong passwords in a row lock the
/// account for a while (longer after each lock); an account may be linked
/// to its 工作队伍 register entry.
const V7_ACCOUNTS: &str = r#"
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN worker_id BLOB REFERENCES workers(id);
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT;
ALTER TABLE users ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 8: signed anchors of the audit chain (see `anchors.rs`),
/// append-only like the chain itself.
const V8_ANCHORS: &str = r#"
CREATE TABLE audit_anchors (
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    at         TEXT NOT NULL,
    reason     TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature  TEXT NOT NULL
);
CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors BEGIN SELECT RAISE(ABORT, '审计锚点只可追加'); END;
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors BEGIN SELECT RAISE(ABORT, '审计锚点只可追加'); END;
"#;

/// Version 9: audit entries a restore would have dropped (those written
/// after the backup was taken) are carried into the restored database here,
/// so a restore cannot be used to erase the record of what happened since.
const V9_RESTORE_CARRY: &str = r#"
CREATE TABLE audit_carried (
    restore_seq INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    id          BLOB NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    reason      TEXT,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE TRIGGER audit_carried_no_update BEFORE UPDATE ON audit_carried BEGIN SELECT RAISE(ABORT, '审计日志只可追加'); END;
CREATE TRIGGER audit_carried_no_delete BEFORE DELETE ON audit_carried BEGIN SELECT RAISE(ABORT, '审计日志只可追加'); END;
"#;

/// Version 10: plugins and keys (issue #17, item 5).
///
/// - `plugin_cache`: the SHA-256 of every compiled-plugin cache entry
///   Hutong wrote, per wasm hash. An entry on disk is deserialised (it is
///   native code) only if its hash is recorded here. Append-only.
/// - `trusted_keys.revoked_at`: when a key was revoked (status `revoked`);
///   plugins signed by it no longer load.
const V10_PLUGIN_CACHE: &str = r#"
CREATE TABLE plugin_cache (
    wasm_sha256  TEXT NOT NULL CHECK (length(wasm_sha256) = 64),
    entry_sha256 TEXT NOT NULL CHECK (length(entry_sha256) = 64),
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (wasm_sha256, entry_sha256)
) WITHOUT ROWID;
CREATE TRIGGER plugin_cache_no_update BEFORE UPDATE ON plugin_cache BEGIN SELECT RAISE(ABORT, '插件缓存记录只可追加'); END;
CREATE TRIGGER plugin_cache_no_delete BEFORE DELETE ON plugin_cache BEGIN SELECT RAISE(ABORT, '插件缓存记录只可追加'); END;
ALTER TABLE trusted_keys ADD COLUMN revoked_at TEXT;
"#;

/// Version 11: row digests (issue #17, item 3). Every write keeps the
/// digest of each row it changed, as it left it, in `audit_rows` under the
/// seq and id of its last audit entry, and that entry's `row_digest` covers
/// the list (so the chain covers it). The entry's id, not only its seq,
/// names the owner: after a cut tail, new entries reuse the cut seqs. `audit verify --deep` compares today's
/// rows with their latest digests. Append-only, like the log. The first seq
/// written with digests is noted in `meta`: rows of an older database have
/// none, and are counted rather than named.
const V11_ROW_DIGESTS: &str = r#"
ALTER TABLE audit_log ADD COLUMN row_digest TEXT;
ALTER TABLE audit_carried ADD COLUMN row_digest TEXT;
CREATE TABLE audit_rows (
    tbl      TEXT NOT NULL,
    row_id   BLOB NOT NULL,
    seq      INTEGER NOT NULL,
    entry_id BLOB NOT NULL CHECK (length(entry_id) = 16),
    digest   BLOB NOT NULL CHECK (length(digest) = 16),
    PRIMARY KEY (tbl, row_id, seq, entry_id)
) WITHOUT ROWID;
CREATE TRIGGER audit_rows_no_update BEFORE UPDATE ON audit_rows BEGIN SELECT RAISE(ABORT, '审计日志只可追加'); END;
CREATE TRIGGER audit_rows_no_delete BEFORE DELETE ON audit_rows BEGIN SELECT RAISE(ABORT, '审计日志只可追加'); END;
INSERT OR REPLACE INTO meta (key, value)
    SELECT 'row_digests_from_seq', CAST(coalesce(max(seq), 0) + 1 AS TEXT) FROM audit_log;
"#;
