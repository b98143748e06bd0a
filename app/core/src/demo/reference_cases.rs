//! The seven cases of DOMAIN §5, with facts that give their categories
//! under the province plugins' rules (see `families` for the rules).

use super::families::{County, Family, category, is_rural, relation};
use super::generator::{Generator, date, days};
use super::province_forms::{CameWith, FAMILY_HARDSHIP, migrant_form};
use super::visits::visit_history;
use crate::RowId;
use crate::children::{Child, ChildStatus};
use crate::error::{CoreError, Result};
use crate::names::pinyin_keys;
use crate::persons::RelationKind;
use hutong_national::category::{CaseCategory, ParentalSituation};
use hutong_national::dates;
use hutong_national::id_number::{self, Sex};

fn base_child(name: &str, id_number: &str, residence: &str, now: &str) -> Result<Child> {
    let parsed = id_number::parse(id_number, date(2100, 1, 1))
        .map_err(|e| CoreError::Internal(format!("示例身份证号 {id_number} 无效：{e}")))?;
    let (py, ini) = pinyin_keys(name);
    Ok(Child {
        id: RowId::new(),
        id_number: parsed.number,
        name: name.to_string(),
        name_pinyin: py,
        name_initials: ini,
        name_alt: None,
        sex: parsed.sex,
        birth_date: parsed.birth_date,
        ethnicity: Some("汉族".into()),
        hukou_division: None,
        hukou_address: None,
        residence_division: residence.to_string(),
        residence_address: None,
        phone: None,
        schooling: Some("小学".into()),
        school: None,
        grade: None,
        health: Some("健康".into()),
        disability_type: None,
        disability_grade: None,
        status: ChildStatus::Active,
        close_reason: None,
        closed_on: None,
        created_at: now.to_string(),
    })
}

/// The seven cases of DOMAIN §5. They live in the demo county; those from
/// other counties keep their ID numbers and hukou.
pub(super) fn reference_cases(g: &mut Generator, county: &County) -> Result<Vec<Family>> {
    let now = county.now.as_str();
    // A case lives in its own village when the demo is its county, else in
    // one of the demo's villages: a 村委会 for the 留守 cases, whose rule
    // needs a rural hukou or residence.
    let home = |code: &str, fallback: usize| -> String {
        let villages = if is_rural(code) && !county.rural_villages.is_empty() {
            &county.rural_villages
        } else {
            &county.villages
        };
        if code.starts_with(&county.code) && county.villages.iter().any(|v| v == code) {
            code.to_string()
        } else {
            villages[fallback % villages.len()].clone()
        }
    };
    let mut out = Vec::new();

    // 1. 张小雨: 事实无人抚养 (father imprisoned 8 years, mother lost contact).
    let mut c = base_child(
        "张小雨",
        "411525201304150124",
        &home("411525102201", 0),
        now,
    )?;
    c.hukou_division = Some("411525102201".into());
    let father = g.adult("张建军".into(), Sex::Male, "411525", 1985, 1988, now)?;
    let mother = g.adult("陈丽".into(), Sex::Female, "411525", 1988, 1990, now)?;
    let grandma = g.adult("王秀英".into(), Sex::Female, "411525", 1958, 1960, now)?;
    let mut rf = relation(c.id, father.id, RelationKind::Father);
    rf.situation = Some(ParentalSituation::Imprisoned);
    rf.situation_since = Some(date(2022, 3, 1));
    rf.situation_until = Some(date(2030, 3, 1));
    rf.situation_evidence = Some("刑事判决书（有期徒刑八年）".into());
    let mut rm = relation(c.id, mother.id, RelationKind::Mother);
    rm.situation = Some(ParentalSituation::LostContact);
    rm.situation_since = Some(date(2023, 1, 10));
    rm.situation_evidence = Some("公安受理回执 2023-01-10；查找无果说明".into());
    let mut rg = relation(c.id, grandma.id, RelationKind::PaternalGrandmother);
    rg.is_guardian = true;
    let cat = category(
        c.id,
        CaseCategory::DeFactoUnsupported,
        "父亲服刑在押（8年），母亲失联满6个月（自2023-01-10公安受理起算）",
        date(2023, 8, 1),
        Some(dates::turns_18_on(c.birth_date)),
    );
    out.push(Family {
        persons: vec![father, mother, grandma],
        relations: vec![rf, rm, rg],
        categories: vec![cat],
        visits: vec![],
        forms: vec![],
        child: c,
    });

    // 2. 李浩然: 农村留守, both parents in 广东 since 2021-02, entrusted to grandfather.
    let mut c = base_child(
        "李浩然",
        "411525201508220251",
        &home("411525102201", 1),
        now,
    )?;
    c.hukou_division = Some("411525102201".into());
    let father = g.adult("李强".into(), Sex::Male, "411525", 1986, 1989, now)?;
    let mother = g.adult("刘芳".into(), Sex::Female, "411525", 1987, 1990, now)?;
    let grandpa = g.adult("李德明".into(), Sex::Male, "411525", 1955, 1958, now)?;
    let mut persons_v = vec![father, mother, grandpa];
    for p in persons_v.iter_mut().take(2) {
        p.occupation = Some("务工".into());
        p.address = Some("广东省东莞市".into());
    }
    let rf = relation(c.id, persons_v[0].id, RelationKind::Father);
    let rm = relation(c.id, persons_v[1].id, RelationKind::Mother);
    let mut rg = relation(c.id, persons_v[2].id, RelationKind::PaternalGrandfather);
    rg.is_entrusted_carer = true;
    rg.entrustment_reason = Some("父母双方自2021年2月起在广东务工".into());
    rg.entrustment_confirmed_on = Some(date(2021, 2, 20));
    let cat = category(
        c.id,
        CaseCategory::LeftBehindRural,
        "父母双方跨县外出务工（广东，自2021年2月）",
        date(2021, 3, 1),
        Some(dates::turns_16_on(c.birth_date)),
    );
    out.push(Family {
        persons: persons_v,
        relations: vec![rf, rm, rg],
        categories: vec![cat],
        visits: vec![],
        forms: vec![],
        child: c,
    });

    // 3. 王子轩: 自身困境 (肢体残疾二级) + 留守; hukou 盐都区.
    let mut c = base_child(
        "王子轩",
        "32090320110107031X",
        &home("320903100200", 2),
        now,
    )?;
    c.hukou_division = Some("320903100200".into());
    c.hukou_address = Some("江苏省盐城市盐都区大纵湖镇鱼范村".into());
    c.disability_type = Some("肢体残疾".into());
    c.disability_grade = Some(2);
    c.schooling = Some("初中".into());
    let mut father = g.adult("王海".into(), Sex::Male, "320903", 1982, 1985, now)?;
    let mut mother = g.adult("孙梅".into(), Sex::Female, "320903", 1983, 1986, now)?;
    // 留守: both parents work away (the rule reads the occupation 务工).
    father.occupation = Some("务工".into());
    mother.occupation = Some("务工".into());
    let grandma = g.adult("王桂兰".into(), Sex::Female, "320903", 1955, 1958, now)?;
    let rf = relation(c.id, father.id, RelationKind::Father);
    let rm = relation(c.id, mother.id, RelationKind::Mother);
    let mut rg = relation(c.id, grandma.id, RelationKind::PaternalGrandmother);
    rg.is_entrusted_carer = true;
    rg.entrustment_confirmed_on = Some(date(2022, 3, 1));
    let cats = vec![
        category(
            c.id,
            CaseCategory::DifficultSelf,
            "肢体残疾二级，康复与照料困难",
            date(2022, 5, 1),
            Some(dates::turns_18_on(c.birth_date)),
        ),
        category(
            c.id,
            CaseCategory::LeftBehindRural,
            "父母双方外出务工",
            date(2022, 3, 1),
            Some(dates::turns_16_on(c.birth_date)),
        ),
    ];
    out.push(Family {
        persons: vec![father, mother, grandma],
        relations: vec![rf, rm, rg],
        categories: cats,
        visits: vec![],
        forms: vec![],
        child: c,
    });

    // 4. 次仁卓玛: 散居孤儿, both parents dead, guardian her maternal uncle.
    let mut c = base_child(
        "次仁卓玛",
        "540124201609300445",
        &home("540124100201", 3),
        now,
    )?;
    c.name_alt = Some("ཚེ་རིང་སྒྲོལ་མ".into());
    c.ethnicity = Some("藏族".into());
    c.hukou_division = Some("540124100201".into());
    c.hukou_address = Some("西藏自治区拉萨市曲水县曲水镇曲水村".into());
    let father = g.adult("扎西".into(), Sex::Male, "540124", 1984, 1986, now)?;
    let mother = g.adult("央金".into(), Sex::Female, "540124", 1986, 1988, now)?;
    let uncle = g.adult("多吉".into(), Sex::Male, "540124", 1980, 1983, now)?;
    let mut rf = relation(c.id, father.id, RelationKind::Father);
    rf.situation = Some(ParentalSituation::Dead);
    rf.situation_since = Some(date(2020, 6, 3));
    rf.situation_evidence = Some("死亡证明".into());
    let mut rm = relation(c.id, mother.id, RelationKind::Mother);
    rm.situation = Some(ParentalSituation::Dead);
    rm.situation_since = Some(date(2021, 1, 15));
    rm.situation_evidence = Some("死亡证明".into());
    let mut ru = relation(c.id, uncle.id, RelationKind::OtherRelative);
    ru.is_guardian = true;
    let cat = category(
        c.id,
        CaseCategory::OrphanScattered,
        "父母双亡（死亡证明）",
        date(2021, 3, 1),
        Some(dates::turns_18_on(c.birth_date)),
    );
    out.push(Family {
        persons: vec![father, mother, uncle],
        relations: vec![rf, rm, ru],
        categories: vec![cat],
        visits: vec![],
        forms: vec![],
        child: c,
    });

    // 5. 马文博: 流动儿童, came from another county in 2023-05; family hardship.
    let mut c = base_child(
        "马文博",
        "630106201203030579",
        &home("630106100200", 4),
        now,
    )?;
    c.hukou_division = Some("630106100200".into());
    c.hukou_address = Some("青海省西宁市湟中区田家寨镇泗洱河村".into());
    if county.code == "630106" {
        // In a demo of 湟中区 itself he would live in his hukou county and
        // not be 流动 under the rule; there his family's hukou is in 大通县
        // (same city, not a central district). The ID number keeps 630106.
        c.hukou_division = Some("630121".into());
        c.hukou_address = Some("青海省西宁市大通回族土族自治县".into());
    }
    c.ethnicity = Some("回族".into());
    c.schooling = Some("初中".into());
    let father = g.adult("马强".into(), Sex::Male, "630106", 1980, 1984, now)?;
    let mut rf = relation(c.id, father.id, RelationKind::Father);
    rf.is_guardian = true;
    let cat = category(
        c.id,
        CaseCategory::Migrant,
        "随父跨县流动，自2023年5月在本地居住满6个月；家庭经济困难，列入重点关爱台账",
        date(2023, 11, 1),
        Some(dates::turns_16_on(c.birth_date)),
    );
    out.push(Family {
        persons: vec![father],
        relations: vec![rf],
        categories: vec![cat],
        visits: vec![],
        forms: vec![],
        child: c,
    });

    // 6. 刘欣怡: 事实无人抚养, ends when she turns 18 on 2027-06-12.
    let mut c = base_child(
        "刘欣怡",
        "411603200906120689",
        &home("411603100201", 5),
        now,
    )?;
    c.hukou_division = Some("411603100201".into());
    c.schooling = Some("高中".into());
    let father = g.adult("刘卫东".into(), Sex::Male, "411603", 1978, 1981, now)?;
    let mother = g.adult("郑红".into(), Sex::Female, "411603", 1980, 1983, now)?;
    let aunt = g.adult("刘红梅".into(), Sex::Female, "411603", 1975, 1978, now)?;
    let mut rf = relation(c.id, father.id, RelationKind::Father);
    rf.situation = Some(ParentalSituation::Dead);
    rf.situation_since = Some(date(2019, 9, 1));
    rf.situation_evidence = Some("死亡证明".into());
    let mut rm = relation(c.id, mother.id, RelationKind::Mother);
    rm.situation = Some(ParentalSituation::SevereDisability);
    rm.situation_evidence = Some("残疾人证：精神残疾三级".into());
    let mut ra = relation(c.id, aunt.id, RelationKind::OtherRelative);
    ra.is_guardian = true;
    let mut persons_v = vec![father, mother, aunt];
    persons_v[1].disability_type = Some("精神残疾".into());
    persons_v[1].disability_grade = Some(3);
    let cat = category(
        c.id,
        CaseCategory::DeFactoUnsupported,
        "父亲死亡，母亲精神残疾三级（重残）",
        date(2020, 1, 1),
        Some(dates::turns_18_on(c.birth_date)),
    );
    out.push(Family {
        persons: persons_v,
        relations: vec![rf, rm, ra],
        categories: vec![cat],
        visits: vec![],
        forms: vec![],
        child: c,
    });

    // 7. 赵一鸣: 安全困境; the school filed a mandatory report.
    let mut c = base_child(
        "赵一鸣",
        "410225201402280718",
        &home("410225208200", 6),
        now,
    )?;
    c.hukou_division = Some("410225208200".into());
    let father = g.adult("赵刚".into(), Sex::Male, "410225", 1984, 1987, now)?;
    let rf = relation(c.id, father.id, RelationKind::Father);
    let cat = category(
        c.id,
        CaseCategory::DifficultSafety,
        "学校强制报告：多处伤痕，疑似家庭暴力（MULTI_INJURY_NEGLECT）；民政依未保法第九十二条（六）临时监护",
        date(2025, 3, 12),
        None,
    );
    out.push(Family {
        persons: vec![father],
        relations: vec![rf],
        categories: vec![cat],
        visits: vec![],
        forms: vec![],
        child: c,
    });

    finish(g, county, &mut out);
    Ok(out)
}

/// Visits for every case, and the province's 流动儿童 monitoring form for
/// each case under 16 living outside its hukou county: 马文博 came in
/// 2023-05 with his father (eligible, as his category says); the others
/// came with a carer two months ago, so the rule does not count them yet
/// (6 months are needed) and agrees with their categories.
fn finish(g: &mut Generator, county: &County, cases: &mut [Family]) {
    let today = g.today;
    for f in cases.iter_mut() {
        let from = f
            .categories
            .iter()
            .map(|c| c.effective_from)
            .min()
            .unwrap_or(today);
        f.visits = visit_history(g, &f.child, from, &county.visitors, &county.now);
        let hukou_county = f.child.hukou_division.as_deref().and_then(|h| h.get(..6));
        let cross_county = hukou_county != f.child.residence_division.get(..6);
        if !cross_county || dates::turns_16_on(f.child.birth_date) <= today {
            continue;
        }
        let migrant = f
            .categories
            .iter()
            .any(|c| c.category == CaseCategory::Migrant);
        let with_parent = f.relations.iter().any(|r| {
            r.is_guardian && matches!(r.relation, RelationKind::Father | RelationKind::Mother)
        });
        let came_with = if with_parent {
            CameWith::OneParent
        } else {
            CameWith::OtherGuardian
        };
        let form = if migrant {
            migrant_form(
                &county.province,
                &f.child,
                date(2023, 5, 15),
                came_with,
                &[FAMILY_HARDSHIP],
                &county.now,
            )
        } else {
            migrant_form(
                &county.province,
                &f.child,
                today - days(60),
                came_with,
                &[],
                &county.now,
            )
        };
        f.forms.extend(form);
    }
}
