//! The demo county: the seven DOMAIN §5 cases plus N generated children.
//!
//! Generated children are plausible, not random noise: valid ID numbers
//! whose address code is the county (or, for 流动儿童, another county),
//! real village codes, common surnames, parents and carers whose parental
//! situations match the child's categories, and a few past visits. The
//! generator is seeded, so the same options give the same county.
//!
//! Children are written in batches, each batch one transaction with an audit
//! entry per child. A demo killed midway leaves a consistent database with
//! the batches that finished.

use crate::RowId;
use crate::access::Scope;
use crate::audit::AuditEntryInput;
use crate::categories::{self, CategoryRecord, CategorySource};
use crate::children::{self, Child, ChildStatus};
use crate::divisions;
use crate::error::{CoreError, Result};
use crate::names::pinyin_keys;
use crate::persons::{self, Person, Relation, RelationKind};
use crate::setup;
use crate::store::{Actor, Store};
use crate::users::{self, NewUser, Role};
use crate::visits::{self, Visit, VisitMode};
use crate::workforce as wf;
use hutong_national::NaiveDate;
use hutong_national::category::{CaseCategory, ParentalSituation};
use hutong_national::dates;
use hutong_national::division::DivisionLevel;
use hutong_national::id_number::{self, Sex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::OptionalExtension;
use std::collections::HashSet;

/// The password of every demo account. Printed by `hutong demo`.
pub const DEMO_PASSWORD: &str = "hutong-demo";

/// Children per transaction: big enough to be fast, small enough that a
/// killed run loses little.
const BATCH: usize = 2_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub county_code: String,
    pub generated_children: usize,
    pub seed: u64,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub children: usize,
    pub persons: usize,
    pub visits: usize,
    pub users: Vec<(String, Role)>,
    /// 儿童督导员 and 儿童主任 registered.
    pub workers: usize,
}

const SURNAMES: &[(&str, u32)] = &[
    ("王", 72),
    ("李", 70),
    ("张", 68),
    ("刘", 53),
    ("陈", 46),
    ("杨", 32),
    ("黄", 25),
    ("赵", 22),
    ("吴", 20),
    ("周", 19),
    ("徐", 15),
    ("孙", 15),
    ("马", 14),
    ("朱", 13),
    ("胡", 12),
    ("郭", 12),
    ("何", 10),
    ("高", 10),
    ("林", 10),
    ("罗", 9),
    ("郑", 9),
    ("梁", 8),
    ("谢", 7),
    ("宋", 6),
    ("唐", 6),
    ("许", 6),
    ("韩", 6),
    ("冯", 6),
    ("邓", 5),
    ("曹", 5),
    ("彭", 5),
    ("曾", 5),
    ("肖", 5),
    ("田", 5),
    ("董", 5),
    ("袁", 4),
    ("潘", 4),
    ("于", 4),
    ("蒋", 4),
    ("蔡", 4),
    ("余", 4),
    ("杜", 4),
    ("叶", 4),
    ("程", 4),
    ("苏", 3),
    ("魏", 3),
    ("吕", 3),
    ("丁", 3),
    ("任", 3),
    ("沈", 3),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 2),
    ("谭", 2),
    ("陆", 2),
    ("汪", 2),
    ("范", 2),
    ("金", 2),
    ("石", 2),
    ("廖", 2),
    ("贾", 2),
    ("夏", 2),
    ("欧阳", 1),
    ("司马", 1),
];

const GIVEN_BOY: &[&str] = &[
    "浩", "宇", "轩", "子", "梓", "俊", "博", "文", "涛", "明", "杰", "磊", "鹏", "辉", "强", "伟",
    "晨", "阳", "宁", "睿", "泽", "嘉", "一", "天", "振", "航", "然", "豪", "凯", "昊", "铭", "锦",
    "志", "建", "斌", "思", "奕", "钰", "逸", "承",
];
const GIVEN_GIRL: &[&str] = &[
    "欣", "怡", "雨", "萱", "梓", "涵", "子", "诗", "琪", "佳", "雅", "静", "婷", "慧", "敏", "丽",
    "芳", "玲", "悦", "可", "晴", "彤", "语", "思", "妍", "若", "曦", "梦", "瑶", "璐", "馨", "蕊",
    "依", "安", "雪", "颖", "月", "心", "艺", "舒",
];
/// 生僻字 that real names use and that fonts often lack; they keep the
/// font fallback honest.
const RARE: &[&str] = &["堃", "喆", "赟", "䶮", "玥", "珺", "祎", "彧", "昇", "犇"];

const SCHOOLING: &[&str] = &[
    "小学", "小学", "小学", "初中", "初中", "高中", "中职", "在园",
];
const ETHNICITY: &[(&str, u32)] = &[("汉族", 95), ("回族", 3), ("满族", 1), ("蒙古族", 1)];

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.gen_range(0..total.max(1));
    for (item, w) in items {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    &items[0].0
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

struct Generator {
    rng: ChaCha8Rng,
    used_ids: HashSet<String>,
    today: NaiveDate,
}

impl Generator {
    fn name(&mut self, sex: Sex) -> String {
        let surname = *weighted(&mut self.rng, SURNAMES);
        let pool = match sex {
            Sex::Male => GIVEN_BOY,
            Sex::Female => GIVEN_GIRL,
        };
        let mut name = surname.to_string();
        let len = if self.rng.gen_bool(0.7) { 2 } else { 1 };
        for i in 0..len {
            if i == len - 1 && self.rng.gen_bool(0.01) {
                name.push_str(pick(&mut self.rng, RARE));
            } else {
                name.push_str(pick(&mut self.rng, pool));
            }
        }
        name
    }

    /// A fresh, valid, unused 18-digit ID number.
    fn id_number(&mut self, address: &str, birth: NaiveDate, sex: Sex) -> String {
        loop {
            let seq2 = self.rng.gen_range(0..100);
            let mut d17 = self.rng.gen_range(0..5) * 2; // even
            if sex == Sex::Male {
                d17 += 1;
            }
            let body = format!("{address}{}{seq2:02}{d17}", birth.format("%Y%m%d"));
            let Some(check) = id_number::check_char(&body) else {
                continue;
            };
            let id = format!("{body}{check}");
            if self.used_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1);
        from + chrono::Duration::days(self.rng.gen_range(0..span))
    }

    fn phone(&mut self) -> String {
        let prefix = ["138", "139", "150", "151", "186", "187", "135", "177"];
        format!(
            "{}{:08}",
            prefix[self.rng.gen_range(0..prefix.len())],
            self.rng.gen_range(0..100_000_000u32)
        )
    }

    fn adult(
        &mut self,
        name: String,
        sex: Sex,
        address: &str,
        born_from: i32,
        born_to: i32,
        now: &str,
    ) -> Person {
        let from = NaiveDate::from_ymd_opt(born_from, 1, 1).unwrap_or(self.today);
        let to = NaiveDate::from_ymd_opt(born_to, 12, 31).unwrap_or(self.today);
        let birth = self.date_between(from, to);
        let id = self.id_number(address, birth, sex);
        let phone = self.phone();
        Person {
            id: RowId::new(),
            name,
            id_number: Some(id),
            sex: Some(sex),
            birth_date: Some(birth),
            phone: Some(phone),
            hukou_address: None,
            address: None,
            health: Some("健康".into()),
            disability_type: None,
            disability_grade: None,
            occupation: None,
            created_at: now.to_string(),
        }
    }
}

fn relation(child: RowId, person: RowId, kind: RelationKind) -> Relation {
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

fn category(
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

/// One child with everything around it, ready to insert.
struct Family {
    child: Child,
    persons: Vec<Person>,
    relations: Vec<Relation>,
    categories: Vec<CategoryRecord>,
    visits: Vec<Visit>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn insert_family(tx: &mut crate::store::WriteTx<'_>, f: &Family, source: &str) -> Result<()> {
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
        AuditEntryInput::new("child.create", "children", Some(f.child.id.to_string())).detail(
            serde_json::json!({
                "name": f.child.name,
                "residence": f.child.residence_division,
                "source": source,
                "categories": f.categories.iter().map(|c| c.category.code()).collect::<Vec<_>>(),
            }),
        ),
    )
}

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
fn domain_cases(
    g: &mut Generator,
    villages: &[String],
    county: &str,
    now: &str,
) -> Result<Vec<Family>> {
    let home = |code: &str, fallback: usize| -> String {
        if code.starts_with(county) && villages.iter().any(|v| v == code) {
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
    let father = g.adult("张建军".into(), Sex::Male, "411525", 1985, 1988, now);
    let mother = g.adult("陈丽".into(), Sex::Female, "411525", 1988, 1990, now);
    let grandma = g.adult("王秀英".into(), Sex::Female, "411525", 1958, 1960, now);
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
    let father = g.adult("李强".into(), Sex::Male, "411525", 1986, 1989, now);
    let mother = g.adult("刘芳".into(), Sex::Female, "411525", 1987, 1990, now);
    let grandpa = g.adult("李德明".into(), Sex::Male, "411525", 1955, 1958, now);
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
    let father = g.adult("王海".into(), Sex::Male, "320903", 1982, 1985, now);
    let mother = g.adult("孙梅".into(), Sex::Female, "320903", 1983, 1986, now);
    let grandma = g.adult("王桂兰".into(), Sex::Female, "320903", 1955, 1958, now);
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
    let father = g.adult("扎西".into(), Sex::Male, "540124", 1984, 1986, now);
    let mother = g.adult("央金".into(), Sex::Female, "540124", 1986, 1988, now);
    let uncle = g.adult("多吉".into(), Sex::Male, "540124", 1980, 1983, now);
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
    c.ethnicity = Some("回族".into());
    c.schooling = Some("初中".into());
    let father = g.adult("马强".into(), Sex::Male, "630106", 1980, 1984, now);
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
    let father = g.adult("刘卫东".into(), Sex::Male, "411603", 1978, 1981, now);
    let mother = g.adult("郑红".into(), Sex::Female, "411603", 1980, 1983, now);
    let aunt = g.adult("刘红梅".into(), Sex::Female, "411603", 1975, 1978, now);
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
    let father = g.adult("赵刚".into(), Sex::Male, "410225", 1984, 1987, now);
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
        child: c,
    });

    Ok(out)
}

/// Which categories a generated child holds, with their weights.
const CATEGORY_WEIGHTS: &[(CaseCategory, u32)] = &[
    (CaseCategory::LeftBehindRural, 44),
    (CaseCategory::DifficultFamily, 18),
    (CaseCategory::Migrant, 10),
    (CaseCategory::DifficultSelf, 8),
    (CaseCategory::DeFactoUnsupported, 7),
    (CaseCategory::OrphanScattered, 3),
    (CaseCategory::DifficultSafety, 3),
    (CaseCategory::DifficultTemporary, 3),
    (CaseCategory::OrphanInstitutional, 1),
    (CaseCategory::HivAffected, 1),
];

fn generated_family(
    g: &mut Generator,
    villages: &[String],
    other_counties: &[String],
    county: &str,
    visitors: &[String],
    now: &str,
) -> Family {
    let sex = if g.rng.gen_bool(0.52) {
        Sex::Male
    } else {
        Sex::Female
    };
    let name = g.name(sex);
    let today = g.today;
    let birth = g.date_between(
        today - chrono::Duration::days(17 * 365 + 200),
        today - chrono::Duration::days(200),
    );
    let primary = *weighted(&mut g.rng, CATEGORY_WEIGHTS);
    let migrant = primary == CaseCategory::Migrant;
    let address = if migrant && !other_counties.is_empty() {
        other_counties[g.rng.gen_range(0..other_counties.len())].clone()
    } else {
        county.to_string()
    };
    let id = g.id_number(&address, birth, sex);
    let residence = villages[g.rng.gen_range(0..villages.len())].clone();
    let (py, ini) = pinyin_keys(&name);
    let age = dates::age_on(birth, today);
    let schooling = if age < 3 {
        None
    } else if age < 6 {
        Some("在园".to_string())
    } else {
        Some(pick(&mut g.rng, SCHOOLING).to_string())
    };
    let child = Child {
        id: RowId::new(),
        id_number: id,
        name: name.clone(),
        name_pinyin: py,
        name_initials: ini,
        name_alt: None,
        sex,
        birth_date: birth,
        ethnicity: Some(weighted(&mut g.rng, ETHNICITY).to_string()),
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
            if primary == CaseCategory::DifficultSelf {
                "患病"
            } else {
                "健康"
            }
            .into(),
        ),
        disability_type: (primary == CaseCategory::DifficultSelf).then(|| "肢体残疾".to_string()),
        disability_grade: (primary == CaseCategory::DifficultSelf).then(|| g.rng.gen_range(1..=2)),
        status: ChildStatus::Active,
        close_reason: None,
        closed_on: None,
        created_at: now.to_string(),
    };
    let surname: String = name.chars().take(1).collect();
    let father_name = format!("{surname}{}", pick(&mut g.rng, GIVEN_BOY));
    let mother_name = format!(
        "{}{}",
        weighted(&mut g.rng, SURNAMES),
        pick(&mut g.rng, GIVEN_GIRL)
    );
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
    );
    let mut mother = g.adult(
        mother_name,
        Sex::Female,
        &address,
        birth_year - 36,
        birth_year - 22,
        now,
    );
    let mut rf = relation(child.id, father.id, RelationKind::Father);
    let mut rm = relation(child.id, mother.id, RelationKind::Mother);
    let mut persons_v = Vec::new();
    let mut relations_v = Vec::new();
    let since = g.date_between(
        today - chrono::Duration::days(3 * 365),
        today - chrono::Duration::days(200),
    );
    let mut grandparent = || {
        let gname = format!("{surname}{}", pick(&mut g.rng, GIVEN_BOY));
        g.adult(
            gname,
            Sex::Male,
            &address,
            birth_year - 65,
            birth_year - 48,
            now,
        )
    };
    match primary {
        CaseCategory::LeftBehindRural => {
            father.occupation = Some("务工".into());
            mother.occupation = Some("务工".into());
            let gp = grandparent();
            let mut rg = relation(child.id, gp.id, RelationKind::PaternalGrandfather);
            rg.is_entrusted_carer = true;
            rg.entrustment_reason = Some("父母双方外出务工".into());
            rg.entrustment_confirmed_on = Some(since);
            persons_v.push(gp);
            relations_v.push(rg);
        }
        CaseCategory::DeFactoUnsupported => {
            rf.situation = Some(ParentalSituation::Imprisoned);
            rf.situation_since = Some(since);
            rf.situation_until = Some(since + chrono::Duration::days(365 * 5));
            rf.situation_evidence = Some("刑事判决书".into());
            rm.situation = Some(ParentalSituation::LostContact);
            rm.situation_since = Some(since);
            rm.situation_evidence = Some("公安受理回执".into());
            let gp = grandparent();
            let mut rg = relation(child.id, gp.id, RelationKind::PaternalGrandfather);
            rg.is_guardian = true;
            persons_v.push(gp);
            relations_v.push(rg);
        }
        CaseCategory::OrphanScattered | CaseCategory::OrphanInstitutional => {
            for r in [&mut rf, &mut rm] {
                r.situation = Some(ParentalSituation::Dead);
                r.situation_since = Some(since);
                r.situation_evidence = Some("死亡证明".into());
            }
            let gp = grandparent();
            let mut rg = relation(child.id, gp.id, RelationKind::PaternalGrandfather);
            rg.is_guardian = true;
            persons_v.push(gp);
            relations_v.push(rg);
        }
        _ => {
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
    let mut cats = vec![category(
        child.id,
        primary,
        "摸底排查登记（示例数据）",
        from,
        until,
    )];
    if primary == CaseCategory::LeftBehindRural && g.rng.gen_bool(0.08) {
        cats.push(category(
            child.id,
            CaseCategory::DifficultSelf,
            "重病（示例数据）",
            from,
            Some(dates::turns_18_on(birth)),
        ));
    }
    let n_visits = g.rng.gen_range(0..=3);
    let mut visits_v = Vec::new();
    for _ in 0..n_visits {
        let mode = VisitMode::ALL[g.rng.gen_range(0..3)];
        visits_v.push(Visit {
            id: RowId::new(),
            child_id: child.id,
            visit_date: g.date_between(today - chrono::Duration::days(180), today),
            mode,
            visitor: visitors[g.rng.gen_range(0..visitors.len())].clone(),
            findings: "生活照料正常，学习情况良好".into(),
            follow_up: None,
            next_due_override: None,
            override_reason: None,
            active: true,
            void_reason: None,
            recorded_at: now.to_string(),
        });
    }
    Family {
        child,
        persons: persons_v,
        relations: relations_v,
        categories: cats,
        visits: visits_v,
    }
}

/// Whether this database was made as a demo (`meta.demo`): only then do
/// the demo accounts and the log-in screen's hint exist.
pub fn is_demo(store: &Store) -> Result<bool> {
    Ok(store
        .conn()
        .query_row("SELECT value FROM meta WHERE key = 'demo'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .is_some_and(|v| v == "1"))
}

/// Builds the demo county. `progress(done, total)` is called after each
/// batch; returning `false` stops early (what finished stays, consistent).
pub fn generate(
    store: &mut Store,
    opts: &DemoOptions,
    mut progress: impl FnMut(usize, usize) -> bool,
) -> Result<DemoSummary> {
    // Demo accounts have a published password: they may only ever exist in
    // a database that was made as a demo, never in a county's real one (one
    // that has accounts of its own).
    let has_accounts = !users::list(store.conn())?.is_empty();
    if store.county_code()?.is_some() && has_accounts && !is_demo(store)? {
        return Err(CoreError::field(
            "数据库",
            "这是县级正式数据库，不是示例数据库：不能在其中生成示例数据或示例账户",
        ));
    }
    let actor = Actor::system("hutong demo", Scope::parse(&opts.county_code)?);
    setup::initialise_county(store, &actor.name, &opts.county_code)?;
    store.write(&actor, |tx| {
        tx.conn().execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('demo', '1')",
            [],
        )?;
        tx.audit(AuditEntryInput::new(
            "county.demo",
            "meta",
            Some("demo".into()),
        ))
    })?;
    let county = opts.county_code.clone();
    let villages: Vec<String> = divisions::within(store.conn(), &county, DivisionLevel::Village)?
        .into_iter()
        .map(|d| d.code)
        .collect();
    if villages.is_empty() {
        return Err(CoreError::field(
            "县级区划代码",
            format!("{county} 没有村级区划"),
        ));
    }
    let townships = divisions::within(store.conn(), &county, DivisionLevel::Township)?;
    let province = &county[..2];
    let other_counties: Vec<String> =
        divisions::within(store.conn(), province, DivisionLevel::County)?
            .into_iter()
            .map(|d| d.code)
            .filter(|c| c != &county)
            .collect();
    let mut summary = DemoSummary::default();

    // Demo accounts, one per role, unless they exist from an earlier run.
    let first_village = if county == "411525" && villages.iter().any(|v| v == "411525102201") {
        "411525102201".to_string()
    } else {
        villages[0].clone()
    };
    let first_township = first_village[..9].to_string();
    let accounts: [(&str, &str, Role, &str); 5] = [
        (
            "admin",
            "县民政局管理员",
            Role::CountyAdmin,
            county.as_str(),
        ),
        (
            "caseworker",
            "县民政局 王芳",
            Role::Caseworker,
            county.as_str(),
        ),
        (
            "supervisor",
            "乡镇督导员 李明",
            Role::TownshipSupervisor,
            first_township.as_str(),
        ),
        (
            "director",
            "儿童主任 张敏",
            Role::VillageDirector,
            first_village.as_str(),
        ),
        ("auditor", "审计员 赵静", Role::Auditor, county.as_str()),
    ];
    for (username, display, role, scope) in accounts {
        if users::get_by_username(store.conn(), username)?.is_none() {
            store.write(&actor, |tx| {
                users::create(
                    tx,
                    &NewUser {
                        username,
                        display_name: display,
                        role,
                        scope_code: scope,
                        phone: None,
                        password: DEMO_PASSWORD,
                        worker_id: None,
                        must_change_password: false,
                    },
                )
            })?;
        }
        summary.users.push((username.to_string(), role));
    }

    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(opts.seed),
        used_ids: HashSet::new(),
        today: opts.today,
    };
    // IDs already in the database (an earlier, interrupted run) stay unique.
    {
        let mut stmt = store.conn().prepare("SELECT id_number FROM children UNION ALL SELECT id_number FROM persons WHERE id_number IS NOT NULL")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            g.used_ids.insert(r?);
        }
    }
    let visitors: Vec<String> = townships
        .iter()
        .take(20)
        .map(|t| format!("{}儿童主任", t.name.trim_end_matches(['镇', '乡'])))
        .collect();
    let visitors = if visitors.is_empty() {
        vec!["儿童主任".to_string()]
    } else {
        visitors
    };

    let total = opts.generated_children + 7;
    let now = crate::store::now_text();
    let cases = domain_cases(&mut g, &villages, &county, &now)?;
    // The reference cases have fixed numbers: no generated child or relative
    // may draw one of them (a 100,000-child county otherwise did, by chance).
    for f in &cases {
        g.used_ids.insert(f.child.id_number.clone());
        for p in &f.persons {
            if let Some(id) = &p.id_number {
                g.used_ids.insert(id.clone());
            }
        }
    }
    let mut pending: Vec<Family> = cases
        .into_iter()
        .filter(|f| !g_has_child(store, &f.child.id_number))
        .collect();
    let mut done = 7 - pending.len();
    let mut generated = 0;
    loop {
        while pending.len() < BATCH && generated < opts.generated_children {
            pending.push(generated_family(
                &mut g,
                &villages,
                &other_counties,
                &county,
                &visitors,
                &now,
            ));
            generated += 1;
        }
        if pending.is_empty() {
            break;
        }
        let batch = std::mem::take(&mut pending);
        store.write(&actor, |tx| {
            for f in &batch {
                insert_family(tx, f, "demo")?;
            }
            Ok(())
        })?;
        for f in &batch {
            summary.persons += f.persons.len();
            summary.visits += f.visits.len();
        }
        done += batch.len();
        summary.children += batch.len();
        if !progress(done, total) {
            return Ok(summary);
        }
    }
    summary.workers = demo_workforce(store, &actor, &county, opts)?;
    Ok(summary)
}

/// "插花村民委员会" → "插花村".
fn short_village(name: &str) -> String {
    for (suffix, short) in [
        ("村民委员会", "村"),
        ("居民委员会", "社区"),
        ("村委会", "村"),
        ("居委会", "社区"),
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return format!("{stem}{short}");
        }
    }
    name.to_string()
}

/// Villages (every `DIRECTOR_GAP_EVERY`-th) and townships (every
/// `SUPERVISOR_GAP_EVERY`-th) left without a worker, so the network view has
/// gaps to show.
const DIRECTOR_GAP_EVERY: usize = 11;
const SUPERVISOR_GAP_EVERY: usize = 6;

/// The county's 儿童督导员 and 儿童主任, with a few deliberate gaps, one
/// training and two 儿童之家. Skipped when the register is not empty (a
/// second `hutong demo` run). Its own random stream, so the children stay
/// the same whatever this adds.
fn demo_workforce(
    store: &mut Store,
    actor: &Actor,
    county: &str,
    opts: &DemoOptions,
) -> Result<usize> {
    let existing: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM workers", [], |r| r.get(0))?;
    if existing > 0 {
        return Ok(0);
    }
    let townships = divisions::within(store.conn(), county, DivisionLevel::Township)?;
    let villages = divisions::within(store.conn(), county, DivisionLevel::Village)?;
    let mut g = Generator {
        rng: ChaCha8Rng::seed_from_u64(opts.seed ^ 0x5757_0000),
        used_ids: HashSet::new(),
        today: opts.today,
    };
    let now = crate::store::now_text();
    let mut workers = Vec::new();
    for (i, t) in townships.iter().enumerate() {
        if i % SUPERVISOR_GAP_EVERY == SUPERVISOR_GAP_EVERY - 1 {
            continue;
        }
        let sex = if g.rng.gen_bool(0.5) {
            Sex::Male
        } else {
            Sex::Female
        };
        workers.push(wf::Worker {
            id: RowId::new(),
            role: wf::WorkerRole::Supervisor,
            name: g.name(sex),
            division_code: t.code.clone(),
            phone: Some(g.phone()),
            appointed_on: g.date_between(date(2019, 6, 1), date(2023, 12, 31)),
            left_on: None,
            left_reason: None,
            note: Some("乡镇民政办".into()),
        });
    }
    for (i, v) in villages.iter().enumerate() {
        // The reference village keeps its 主任 (the demo account 张敏).
        if i % DIRECTOR_GAP_EVERY == DIRECTOR_GAP_EVERY - 1 && v.code != "411525102201" {
            continue;
        }
        // Female committee members are preferred (DOMAIN §2.5).
        let sex = if g.rng.gen_bool(0.7) {
            Sex::Female
        } else {
            Sex::Male
        };
        let name = if v.code == "411525102201" {
            "张敏".to_string()
        } else {
            g.name(sex)
        };
        workers.push(wf::Worker {
            id: RowId::new(),
            role: wf::WorkerRole::Director,
            name,
            division_code: v.code.clone(),
            phone: Some(g.phone()),
            appointed_on: g.date_between(date(2019, 6, 1), date(2024, 12, 31)),
            left_on: None,
            left_reason: None,
            note: Some("村（居）委会委员".into()),
        });
    }
    let count = workers.len();
    store.write(actor, |tx| {
        for w in &workers {
            wf::insert_worker(tx.conn(), w, &now)?;
            tx.audit(
                AuditEntryInput::new("worker.add", "workers", Some(w.id.to_string())).detail(
                    serde_json::json!({
                        "role": w.role.code(),
                        "name": w.name,
                        "division": w.division_code,
                        "source": "demo",
                    }),
                ),
            )?;
        }
        let attendees: Vec<RowId> = workers.iter().take(30).map(|w| w.id).collect();
        if !attendees.is_empty() {
            wf::add_training(
                tx,
                date(2025, 3, 10),
                "强制报告制度与儿童主任工作职责",
                4.0,
                Some("县民政局"),
                &attendees,
            )?;
        }
        for v in villages.iter().take(2) {
            let home = wf::add_home(
                tx,
                &format!("{}儿童之家", short_village(&v.name)),
                &v.code,
                None,
                date(2022, 6, 1),
            )?;
            wf::add_activity(
                tx,
                home.id,
                date(2025, 4, 12),
                "防溺水安全教育",
                Some(18),
                Some("儿童主任"),
            )?;
        }
        Ok(())
    })?;
    Ok(count)
}

fn g_has_child(store: &Store, id_number: &str) -> bool {
    children::get_by_id_number_any(store.conn(), id_number)
        .map(|c| c.is_some())
        .unwrap_or(false)
}
