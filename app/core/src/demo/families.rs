//! One child with parents, carers, categories, visits and the province's
//! monitoring form, and how a generated child's facts are chosen so that
//! the province plugin's own rules give the categories the demo assigns.
//!
//! The facts each category needs (plugin-sdk `rules`, `left_behind`,
//! `migrant_monitor`, plugins/jiangsu `difficult_self`):
//! - 农村留守: under 16; both parents' occupation 务工; hukou or residence a
//!   村委会 (village code digits 10–12 in 200–399); an entrusted carer.
//!   No other child has both parents 务工.
//! - 事实无人抚养: under 18; both parents in one of the six situations, or
//!   one dead and the other in one of them; 服刑 with a term of 6 months or
//!   more still running, 失联 counted 6 months from 公安 acceptance, 重残
//!   grade 1–2 or grade 3–4 精神/智力 on the parent's own record.
//! - 孤儿 (散居): both parents dead. The SDK rule only knows 散居孤儿, so
//!   the demo generates no 集中供养孤儿 (the rule would start 散居 for them).
//! - 流动儿童: under 16; hukou county differs from the residence county;
//!   moved 6 months ago or more, not only between central districts (the
//!   monitoring form, `province_forms`). Every other child's hukou is its
//!   residence village.
//! - 困境（自身）(江苏): disability grade 1–2 or health 重病; only children
//!   holding it have either.

use super::generator::{Generator, days};
use super::names::{SCHOOLING, SURNAMES, ethnicity_mix, pick, weighted};
use super::province_forms::{self, CameWith, FAMILY_HARDSHIP};
use super::visits::visit_history;
use crate::RowId;
use crate::audit::{AuditAction, AuditEntryInput};
use crate::categories::{self, CategoryRecord, CategorySource};
use crate::children::{self, Child, ChildStatus};
use crate::error::Result;
use crate::forms::{self, FormRecord};
use crate::names::pinyin_keys;
use crate::persons::{self, Person, Relation, RelationKind};
use crate::store::WriteTx;
use crate::visits::{self, Visit};
use hutong_national::NaiveDate;
use hutong_national::category::{CaseCategory, ParentalSituation};
use hutong_national::id_number::Sex;
use hutong_national::{dates, division};
use rand::Rng;

/// What a generated family needs to know about the county.
pub(super) struct County {
    pub(super) code: String,
    pub(super) province: String,
    pub(super) villages: Vec<String>,
    /// 村委会 only: 农村留守 children live in one.
    pub(super) rural_villages: Vec<String>,
    /// Counties a 流动儿童 may come from: outside this one's city where the
    /// province has any, so no move is only between central districts.
    pub(super) origins: Vec<String>,
    pub(super) visitors: Vec<String>,
    pub(super) now: String,
}

/// One child with everything around it, ready to insert.
pub(super) struct Family {
    pub(super) child: Child,
    pub(super) persons: Vec<Person>,
    pub(super) relations: Vec<Relation>,
    pub(super) categories: Vec<CategoryRecord>,
    pub(super) visits: Vec<Visit>,
    pub(super) forms: Vec<FormRecord>,
}

pub(super) fn relation(child: RowId, person: RowId, kind: RelationKind) -> Relation {
    Relation {
        id: RowId::new(),
        child_id: child,
        person_id: person,
        relation: kind,
        is_guardian: false,
        is_entrusted_carer: false,
        situation: None,
        situation_since: None,
        situation_until: None,
        situation_evidence: None,
        entrustment_reason: None,
        entrustment_confirmed_on: None,
        active: true,
        ended_on: None,
    }
}

pub(super) fn category(
    child: RowId,
    cat: CaseCategory,
    basis: &str,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> CategoryRecord {
    CategoryRecord {
        id: RowId::new(),
        child_id: child,
        category: cat,
        basis: basis.to_string(),
        source: CategorySource::Manual,
        source_ref: None,
        effective_from: from,
        effective_until: until,
        evidence: None,
        active: true,
        end_reason: None,
    }
}

/// Writes a family in the caller's transaction: one `child.create` audit
/// entry naming its categories and visits, and a `form.save` entry per form.
pub(super) fn insert_family(tx: &mut WriteTx<'_>, f: &Family, source: &str) -> Result<()> {
    children::insert_row(tx.conn(), &f.child)?;
    for p in &f.persons {
        persons::insert_person(tx.conn(), p)?;
    }
    for r in &f.relations {
        persons::insert_relation(tx.conn(), r)?;
    }
    for c in &f.categories {
        categories::insert_row(tx.conn(), c)?;
    }
    for v in &f.visits {
        visits::insert_row(tx.conn(), v)?;
    }
    tx.audit(
        AuditEntryInput::new(
            AuditAction::ChildCreate,
            "children",
            Some(f.child.id.to_string()),
        )
        .detail(serde_json::json!({
            "name": f.child.name,
            "residence": f.child.residence_division,
            "source": source,
            "categories": f.categories.iter().map(|c| c.category.code()).collect::<Vec<_>>(),
            "visits": f.visits.len(),
        })),
    )?;
    for form in &f.forms {
        forms::insert_row(tx.conn(), form)?;
        tx.audit(
            AuditEntryInput::new(
                AuditAction::FormSave,
                "children",
                Some(f.child.id.to_string()),
            )
            .detail(serde_json::json!({
                "plugin": format!("{}@{}", form.plugin_id, form.plugin_version),
                "form": form.form_id,
                "version": form.version,
                "source": source,
            })),
        )?;
    }
    Ok(())
}

/// Which categories a generated child holds, with their weights. No
/// 集中供养孤儿: see the module comment.
const CATEGORY_WEIGHTS: &[(CaseCategory, u32)] = &[
    (CaseCategory::LeftBehindRural, 44),
    (CaseCategory::DifficultFamily, 18),
    (CaseCategory::Migrant, 10),
    (CaseCategory::DifficultSelf, 8),
    (CaseCategory::DeFactoUnsupported, 7),
    (CaseCategory::OrphanScattered, 4),
    (CaseCategory::DifficultSafety, 3),
    (CaseCategory::DifficultTemporary, 3),
    (CaseCategory::HivAffected, 1),
];

/// Days of margin before a 16th birthday: a child this close to 16 is not
/// given a category that ends at 16, so a sweep in the demo's first month
/// does not end it.
const AGE_MARGIN_DAYS: i64 = 31;

/// The surname a generated name starts with (two-character ones included).
fn surname_of(name: &str) -> String {
    SURNAMES
        .iter()
        .map(|(s, _)| *s)
        .filter(|s| s.chars().count() == 2)
        .find(|s| name.starts_with(s))
        .map(str::to_string)
        .unwrap_or_else(|| name.chars().take(1).collect())
}

pub(super) fn generated_family(g: &mut Generator, county: &County) -> Result<Family> {
    let today = g.today;
    let now = county.now.as_str();
    let sex = g.sex(0.52);
    let birth = g.date_between(today - days(17 * 365 + 200), today - days(200));
    let mut primary = *weighted(&mut g.rng, CATEGORY_WEIGHTS);
    let near_16 = dates::turns_16_on(birth) <= today + days(AGE_MARGIN_DAYS);
    if matches!(
        primary,
        CaseCategory::LeftBehindRural | CaseCategory::Migrant
    ) && near_16
        || primary == CaseCategory::LeftBehindRural && county.rural_villages.is_empty()
        || primary == CaseCategory::Migrant && county.origins.is_empty()
    {
        primary = CaseCategory::DifficultFamily;
    }
    let migrant = primary == CaseCategory::Migrant;
    let address = if migrant {
        county.origins[g.rng.gen_range(0..county.origins.len())].clone()
    } else {
        county.code.clone()
    };
    let ethnicity = weighted(&mut g.rng, ethnicity_mix(&county.province)).to_string();
    let name = g.name_for(sex, &ethnicity);
    let (id, birth) = g.id_number(&address, birth, sex)?;
    let homes = if primary == CaseCategory::LeftBehindRural {
        &county.rural_villages
    } else {
        &county.villages
    };
    let residence = homes[g.rng.gen_range(0..homes.len())].clone();
    let (py, ini) = pinyin_keys(&name);
    let age = dates::age_on(birth, today);
    let schooling = if age < 3 {
        None
    } else if age < 6 {
        Some("在园".to_string())
    } else {
        Some(pick(&mut g.rng, SCHOOLING).to_string())
    };
    let self_difficult = primary == CaseCategory::DifficultSelf;
    // 8% of 留守 children are also 困境（自身） for a serious illness; their
    // health says 重病, which is what 江苏's rule reads.
    let ill_left_behind = primary == CaseCategory::LeftBehindRural && g.rng.gen_bool(0.08);
    let poor_migrant = migrant && g.rng.gen_bool(0.3);
    let mut child = Child {
        id: RowId::new(),
        id_number: id,
        name: name.clone(),
        name_pinyin: py,
        name_initials: ini,
        name_alt: None,
        sex,
        birth_date: birth,
        ethnicity: Some(ethnicity.clone()),
        hukou_division: Some(if migrant {
            address.clone()
        } else {
            residence.clone()
        }),
        hukou_address: None,
        residence_division: residence,
        residence_address: None,
        phone: None,
        schooling,
        school: None,
        grade: None,
        health: Some(
            if ill_left_behind {
                "重病"
            } else if self_difficult {
                "患病"
            } else {
                "健康"
            }
            .into(),
        ),
        disability_type: self_difficult.then(|| "肢体残疾".to_string()),
        disability_grade: None,
        status: ChildStatus::Active,
        close_reason: None,
        closed_on: None,
        created_at: now.to_string(),
    };
    if self_difficult {
        child.disability_grade = Some(g.rng.gen_range(1..=2));
    }
    let tibetan = ethnicity == "藏族";
    let surname = surname_of(&name);
    let father_name = if tibetan {
        g.name_for(Sex::Male, &ethnicity)
    } else {
        format!("{surname}{}", pick(&mut g.rng, super::names::GIVEN_BOY))
    };
    let mother_name = g.name_for(Sex::Female, &ethnicity);
    let birth_year = birth
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap_or(2015);
    let mut father = g.adult(
        father_name,
        Sex::Male,
        &address,
        birth_year - 38,
        birth_year - 24,
        now,
    )?;
    let mut mother = g.adult(
        mother_name,
        Sex::Female,
        &address,
        birth_year - 36,
        birth_year - 22,
        now,
    )?;
    let mut rf = relation(child.id, father.id, RelationKind::Father);
    let mut rm = relation(child.id, mother.id, RelationKind::Mother);
    let mut persons_v = Vec::new();
    let mut relations_v = Vec::new();
    let since = g.date_between(today - days(3 * 365), today - days(200));
    let grandparent_name = if tibetan {
        g.name_for(Sex::Male, &ethnicity)
    } else {
        format!("{surname}{}", pick(&mut g.rng, super::names::GIVEN_BOY))
    };
    let grandparent = g.adult(
        grandparent_name,
        Sex::Male,
        &address,
        birth_year - 65,
        birth_year - 48,
        now,
    )?;
    let guardian_grandparent = |rels: &mut Vec<Relation>, persons: &mut Vec<Person>| {
        let mut rg = relation(child.id, grandparent.id, RelationKind::PaternalGrandfather);
        rg.is_guardian = true;
        rels.push(rg);
        persons.push(grandparent.clone());
    };
    match primary {
        CaseCategory::LeftBehindRural => {
            father.occupation = Some("务工".into());
            mother.occupation = Some("务工".into());
            let mut rg = relation(child.id, grandparent.id, RelationKind::PaternalGrandfather);
            rg.is_entrusted_carer = true;
            rg.entrustment_reason = Some("父母双方外出务工".into());
            rg.entrustment_confirmed_on = Some(since);
            persons_v.push(grandparent.clone());
            relations_v.push(rg);
        }
        CaseCategory::DeFactoUnsupported => {
            de_facto_situation(g, &mut rf, &mut rm, &mut father, &mut mother, since);
            guardian_grandparent(&mut relations_v, &mut persons_v);
        }
        CaseCategory::OrphanScattered => {
            for r in [&mut rf, &mut rm] {
                r.situation = Some(ParentalSituation::Dead);
                r.situation_since = Some(since);
                r.situation_evidence = Some("死亡证明".into());
            }
            guardian_grandparent(&mut relations_v, &mut persons_v);
        }
        CaseCategory::Migrant => {
            // One parent works; never both, or a rural child would also be 留守.
            father.occupation = Some("务工".into());
            mother.occupation = Some(pick(&mut g.rng, &["家务", "个体经营", "灵活就业"]).into());
            rf.is_guardian = true;
            rm.is_guardian = true;
        }
        _ => {
            father.occupation =
                Some(pick(&mut g.rng, &["务农", "务工", "个体经营", "无业"]).into());
            mother.occupation = Some(pick(&mut g.rng, &["务农", "家务", "个体经营"]).into());
            rf.is_guardian = true;
            rm.is_guardian = true;
        }
    }
    persons_v.insert(0, mother);
    persons_v.insert(0, father);
    relations_v.insert(0, rm);
    relations_v.insert(0, rf);
    let until = Some(dates::anniversary(birth, primary.age_limit()));
    let from = since.max(birth);
    let basis = match primary {
        CaseCategory::Migrant => "跨县随父母流动满6个月（示例数据）",
        _ => "摸底排查登记（示例数据）",
    };
    let mut cats = vec![category(child.id, primary, basis, from, until)];
    if ill_left_behind {
        cats.push(category(
            child.id,
            CaseCategory::DifficultSelf,
            "重病（示例数据）",
            from,
            Some(dates::turns_18_on(birth)),
        ));
    }
    if poor_migrant {
        cats.push(category(
            child.id,
            CaseCategory::DifficultFamily,
            "家庭经济困难（示例数据）",
            from,
            Some(dates::turns_18_on(birth)),
        ));
    }
    let mut forms_v = Vec::new();
    if migrant {
        let priority: &[&str] = if poor_migrant {
            &[FAMILY_HARDSHIP]
        } else {
            &[]
        };
        let came_with = if g.rng.gen_bool(0.6) {
            CameWith::BothParents
        } else {
            CameWith::OneParent
        };
        forms_v.extend(province_forms::migrant_form(
            &county.province,
            &child,
            since,
            came_with,
            priority,
            now,
        ));
    }
    let visits_v = visit_history(g, &child, from, &county.visitors, now);
    Ok(Family {
        child,
        persons: persons_v,
        relations: relations_v,
        categories: cats,
        visits: visits_v,
        forms: forms_v,
    })
}

/// The parents' situations of a 事实无人抚养 child: one of the shapes the
/// 2019 rule accepts, each meeting its thresholds on the demo's today.
fn de_facto_situation(
    g: &mut Generator,
    rf: &mut Relation,
    rm: &mut Relation,
    father: &mut Person,
    mother: &mut Person,
    since: NaiveDate,
) {
    let imprisoned = |r: &mut Relation, years: i64| {
        r.situation = Some(ParentalSituation::Imprisoned);
        r.situation_since = Some(since);
        r.situation_until = Some(since + days(365 * years));
        r.situation_evidence = Some("刑事判决书".into());
    };
    let dead = |r: &mut Relation| {
        r.situation = Some(ParentalSituation::Dead);
        r.situation_since = Some(since);
        r.situation_evidence = Some("死亡证明".into());
    };
    match g.rng.gen_range(0..4) {
        // 父亲服刑 + 母亲失联 (counted from 公安 acceptance, 200+ days ago).
        0 | 1 => {
            imprisoned(rf, g.rng.gen_range(4..=10));
            rm.situation = Some(ParentalSituation::LostContact);
            rm.situation_since = Some(since);
            rm.situation_evidence = Some("公安受理回执".into());
        }
        // 父亲死亡 + 母亲重残 (精神 grade 3 or 肢体 grade 1).
        2 => {
            dead(rf);
            rm.situation = Some(ParentalSituation::SevereDisability);
            if g.rng.gen_bool(0.5) {
                mother.disability_type = Some("精神残疾".into());
                mother.disability_grade = Some(3);
            } else {
                mother.disability_type = Some("肢体残疾".into());
                mother.disability_grade = Some(1);
            }
            rm.situation_evidence = Some("残疾人证".into());
        }
        // 母亲死亡 + 父亲服刑.
        _ => {
            dead(rm);
            imprisoned(rf, g.rng.gen_range(4..=10));
        }
    }
    // Neither parent of a 事实无人抚养 child works away: that would read as 留守.
    father.occupation = None;
    mother.occupation = None;
}

/// Whether a village code is a 村委会 (rural for the 留守 rule).
pub(super) fn is_rural(code: &str) -> bool {
    division::is_rural(code) == Some(true)
}
