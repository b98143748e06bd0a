//! Fixture documents shared by the tests and the bench: a 3-page child
//! file (一人一档), an N-row roster (花名册) and a GB/T 9704 notice. All
//! people are fictitious.

#![allow(dead_code)]

use hutong_core::document::*;

pub const TIBETAN_NAME: &str = "ཚེ་རིང་སྒྲོལ་མ";
pub const RARE_NAMES: [&str; 4] = ["王堃", "刘䶮", "李㛃", "赵赟"];
pub const EXT_B_NAME: &str = "张𡒄";

fn style(font: FontRole, size: f32) -> TextStyle {
    TextStyle {
        font,
        size_pt: size,
        bold: false,
        underline: false,
    }
}

fn song(size: f32) -> TextStyle {
    style(FontRole::Song, size)
}

fn heading(level: u8, text: &str, font: FontRole, size: f32, align: Align) -> Block {
    Block::Heading {
        level,
        runs: vec![Run::new(text, style(font, size))],
        align,
    }
}

fn para(text: &str, size: f32) -> Block {
    Block::Paragraph(Paragraph {
        first_line_indent_chars: 2.0,
        align: Align::Justify,
        space_after_pt: 4.0,
        ..Paragraph::text(text, song(size))
    })
}

fn kv(label: &str, value: &str, span: u16) -> KeyValueItem {
    KeyValueItem {
        label: label.into(),
        value: value.into(),
        span,
    }
}

fn cell(text: &str, size: f32, align: Align) -> TableCell {
    TableCell::text(text, song(size), align)
}

fn header_cell(text: &str, size: f32) -> TableCell {
    TableCell::text(
        text,
        TextStyle {
            font: FontRole::Hei,
            ..song(size)
        },
        Align::Center,
    )
}

fn checkboxes(label: &str, options: &[(&str, bool)]) -> Block {
    Block::Checkboxes(CheckboxList {
        label: Some(label.into()),
        options: options
            .iter()
            .map(|(l, c)| CheckboxOption {
                label: (*l).into(),
                checked: *c,
            })
            .collect(),
        style: song(zihao::XIAO_SI),
    })
}

/// 一人一档 档案表: three pages (page breaks between the sections).
pub fn child_file() -> Document {
    let s = zihao::WU;
    let mut body = vec![
        heading(
            1,
            "困境儿童一人一档信息表",
            FontRole::Hei,
            zihao::XIAO_ER,
            Align::Center,
        ),
        Block::Paragraph(Paragraph {
            align: Align::Right,
            ..Paragraph::text(
                "档案编号：HT-130123-2025-0042　填表日期：2025年3月18日",
                song(s),
            )
        }),
        heading(2, "一、儿童基本信息", FontRole::Hei, zihao::SI, Align::Left),
        Block::KeyValue(KeyValueGrid {
            pairs_per_row: 2,
            label_fraction: 0.32,
            style: song(s),
            items: vec![
                kv("姓名", "王堃", 1),
                kv("曾用名", "刘䶮", 1),
                kv("藏文姓名", TIBETAN_NAME, 1),
                kv("性别", "男", 1),
                kv("民族", "藏族", 1),
                kv("出生日期", "2014年6月12日", 1),
                kv("公民身份号码", "130123201406120035", 1),
                kv("联系电话", "0311-82345678", 1),
                kv("户籍地址", "河北省石家庄市正定县新安镇吴兴村三组17号", 2),
                kv(
                    "实际居住地",
                    "河北省石家庄市正定县新安镇吴兴村三组17号（随祖母居住）",
                    2,
                ),
                kv("困境类别", "事实无人抚养儿童（父亲服刑、母亲失联）", 2),
                kv("健康状况", "良好", 1),
                kv("残疾类型及等级", "无", 1),
                kv("就学情况", "在读小学", 1),
                kv("学校及年级", "新安镇中心小学 五年级", 1),
                kv("保障标准", "每月 1,380 元", 1),
                kv("领取人", "李㛃（祖母）", 1),
            ],
        }),
        Block::Spacer { height_pt: 6.0 },
        checkboxes(
            "儿童类别",
            &[
                ("孤儿", false),
                ("事实无人抚养儿童", true),
                ("重病重残儿童", false),
                ("留守儿童", false),
                ("流动儿童", false),
                ("其他困境儿童", false),
            ],
        ),
        checkboxes(
            "保障措施",
            &[
                ("基本生活保障", true),
                ("医疗救助", true),
                ("教育资助", true),
                ("心理关爱", false),
                ("临时救助", false),
            ],
        ),
        heading(2, "二、监护情况", FontRole::Hei, zihao::SI, Align::Left),
        para(
            "儿童父亲王喆于2021年起在河北省某监狱服刑，刑期至2029年；母亲赵赟自2019年外出务工后失联，经公安机关查找未果。\
             儿童现随祖母李㛃共同生活，祖母患有高血压，靠务农及低保维持生活。村儿童主任每月入户走访一次，\
             了解儿童学习、生活和心理状况，协助落实各项保障政策。",
            s,
        ),
        para(
            "委托照护人：李㛃，与儿童关系为祖母，身体状况一般，具备基本监护能力。已签订《委托照护确认书》，\
             约定照护期限至儿童父亲刑满释放之日止。",
            s,
        ),
        Block::PageBreak,
        heading(2, "三、家庭成员情况", FontRole::Hei, zihao::SI, Align::Left),
    ];
    let members = [
        [
            "李㛃",
            "女",
            "祖母",
            "67",
            "高血压",
            "无",
            "务农",
            "低保 420 元",
        ],
        ["王喆", "男", "父亲", "39", "无", "无", "服刑", "—"],
        ["赵赟", "女", "母亲", "36", "不详", "不详", "失联", "—"],
        [
            "王堃",
            "男",
            "本人",
            "10",
            "无",
            "无",
            "在读小学",
            "保障金 1,380 元",
        ],
        [
            "王玥",
            "女",
            "姐姐",
            "15",
            "无",
            "无",
            "在读初中",
            "教育资助 1,250 元/年",
        ],
    ];
    let mut rows = vec![TableRow {
        cells: [
            "姓名",
            "性别",
            "与儿童关系",
            "年龄",
            "重病病种",
            "残疾等级",
            "职业/就学",
            "收入",
        ]
        .iter()
        .map(|h| header_cell(h, s))
        .collect(),
    }];
    for m in members {
        rows.push(TableRow {
            cells: m.iter().map(|v| cell(v, s, Align::Center)).collect(),
        });
    }
    body.push(Block::Table(Table {
        column_fractions: vec![1.0, 0.7, 1.2, 0.7, 1.1, 1.0, 1.3, 1.8],
        header_rows: 1,
        rows,
    }));
    body.push(heading(
        2,
        "四、走访记录",
        FontRole::Hei,
        zihao::SI,
        Align::Left,
    ));
    let visits = [
        (
            "2025-01-08",
            "儿童主任",
            "入户",
            "儿童身体健康，寒假作业按时完成；祖母血压控制平稳。",
            "继续关注祖母健康",
        ),
        (
            "2025-02-10",
            "儿童督导员",
            "电话",
            "春节期间随祖母在家，情绪稳定，无安全隐患。",
            "无",
        ),
        (
            "2025-03-12",
            "儿童主任",
            "入户",
            "新学期已返校，班主任反映学习认真，数学成绩有进步。",
            "协调学校心理辅导",
        ),
        (
            "2025-03-18",
            "民政局工作人员",
            "入户",
            "核实保障金发放情况，领取人李㛃确认按月足额到账。",
            "更新档案",
        ),
    ];
    let mut vrows = vec![TableRow {
        cells: ["走访日期", "走访人", "方式", "走访发现", "后续跟进"]
            .iter()
            .map(|h| header_cell(h, s))
            .collect(),
    }];
    for (d, who, how, found, follow) in visits {
        vrows.push(TableRow {
            cells: vec![
                cell(d, s, Align::Center),
                cell(who, s, Align::Center),
                cell(how, s, Align::Center),
                cell(found, s, Align::Left),
                cell(follow, s, Align::Left),
            ],
        });
    }
    body.push(Block::Table(Table {
        column_fractions: vec![1.2, 1.2, 0.6, 3.2, 1.6],
        header_rows: 1,
        rows: vrows,
    }));
    body.push(checkboxes(
        "走访方式",
        &[
            ("入户", true),
            ("电话", true),
            ("学校", false),
            ("视频", false),
        ],
    ));
    body.push(Block::PageBreak);
    body.push(heading(
        2,
        "五、评估与帮扶",
        FontRole::Hei,
        zihao::SI,
        Align::Left,
    ));
    body.push(Block::KeyValue(KeyValueGrid {
        pairs_per_row: 3,
        label_fraction: 0.45,
        style: song(s),
        items: vec![
            kv("风险等级", "黄色", 1),
            kv("评估日期", "2025-03-18", 1),
            kv("评估人", "赵赟", 1),
            kv(
                "帮扶建议",
                "落实事实无人抚养儿童基本生活保障；联系学校开展心理关爱；协助祖母办理慢性病门诊。",
                3,
            ),
        ],
    }));
    body.push(para(
        "经入户核查，该儿童符合事实无人抚养儿童认定条件，相关材料与申请一致。建议继续按月发放基本生活保障金，\
         并由村儿童主任每月至少走访一次，发现异常情况及时报告乡镇儿童督导员。",
        s,
    ));
    body.push(Block::Image {
        reference: "photo:child/42/front".into(),
        width_mm: 35.0,
        height_mm: 45.0,
        caption: Some("儿童近期照片".into()),
    });
    body.push(Block::Rule { thickness_pt: 0.5 });
    body.push(Block::SignatureLine {
        items: vec![
            SignatureItem {
                label: "调查人".into(),
                kind: SignatureKind::Signature,
            },
            SignatureItem {
                label: "被调查人".into(),
                kind: SignatureKind::Signature,
            },
        ],
        align: Align::Justify,
        style: song(zihao::XIAO_SI),
    });
    body.push(Block::SignatureLine {
        items: vec![SignatureItem {
            label: "填表日期".into(),
            kind: SignatureKind::Date,
        }],
        align: Align::Right,
        style: song(zihao::XIAO_SI),
    });
    body.push(Block::SealPlaceholder {
        label: "正定县民政局（盖章）".into(),
    });
    Document {
        title: "困境儿童一人一档信息表".into(),
        page: PageSetup {
            header: Some("正定县民政局 · 儿童福利档案".into()),
            footer: Some("本表一式两份，县民政局、乡镇人民政府各存一份".into()),
            ..PageSetup::default()
        },
        body,
    }
}

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "子涵", "浩然", "欣怡", "梓轩", "雨桐", "宇航", "诗琪", "俊杰", "堃", "赟", "玥", "思远",
];
const VILLAGES: [&str; 6] = [
    "吴兴村",
    "东关村",
    "西柏棠村",
    "南楼村",
    "北早现村",
    "塔元庄村",
];
const CATEGORIES: [&str; 4] = ["事实无人抚养儿童", "孤儿", "留守儿童", "重病重残儿童"];

pub const ROSTER_HEADER: [&str; 8] = [
    "序号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "村（社区）",
    "类别",
    "监护人",
];

/// 花名册 with `n` children: a landscape table with one header row that
/// must repeat on every page.
pub fn roster(n: usize) -> Document {
    let s = zihao::WU;
    let mut rows = vec![TableRow {
        cells: ROSTER_HEADER.iter().map(|h| header_cell(h, s)).collect(),
    }];
    for i in 0..n {
        let name = match i {
            3 => "刘䶮".to_string(),
            5 => EXT_B_NAME.to_string(),
            7 => TIBETAN_NAME.to_string(),
            _ => format!("{}{}", SURNAMES[i % 12], GIVEN[(i / 12 + i * 7) % 12]),
        };
        let year = 2008 + (i % 15);
        let month = 1 + (i % 12);
        let day = 1 + (i % 28);
        let id = format!("130123{year:04}{month:02}{day:02}{:03}{}", i % 1000, i % 10);
        rows.push(TableRow {
            cells: vec![
                cell(&(i + 1).to_string(), s, Align::Center),
                cell(&name, s, Align::Center),
                cell(if i % 2 == 0 { "男" } else { "女" }, s, Align::Center),
                cell(&format!("{year}-{month:02}-{day:02}"), s, Align::Center),
                cell(&id, s, Align::Center),
                cell(VILLAGES[i % 6], s, Align::Center),
                cell(CATEGORIES[i % 4], s, Align::Center),
                cell(
                    &format!("{}某某（祖父母）", SURNAMES[(i + 3) % 12]),
                    s,
                    Align::Center,
                ),
            ],
        });
    }
    Document {
        title: "困境儿童花名册".into(),
        page: PageSetup {
            orientation: Orientation::Landscape,
            margins: Margins {
                top_mm: 18.0,
                bottom_mm: 18.0,
                left_mm: 15.0,
                right_mm: 15.0,
            },
            header: Some("正定县困境儿童花名册（2025年第一季度）".into()),
            footer: None,
            page_number: Some("第 {n} 页 共 {total} 页".into()),
            preset: None,
        },
        body: vec![
            heading(
                1,
                "困境儿童花名册",
                FontRole::Hei,
                zihao::XIAO_ER,
                Align::Center,
            ),
            Block::Table(Table {
                column_fractions: vec![0.6, 1.2, 0.6, 1.3, 2.2, 1.3, 1.8, 1.6],
                header_rows: 1,
                rows,
            }),
        ],
    }
}

/// A GB/T 9704 notice (通知), about two pages.
pub fn gbt_notice() -> Document {
    let fs = style(FontRole::Fangsong, zihao::SAN);
    let p = |t: &str| {
        Block::Paragraph(Paragraph {
            first_line_indent_chars: 2.0,
            align: Align::Justify,
            ..Paragraph::text(t, fs)
        })
    };
    let h = |level: u8, t: &str| Block::Heading {
        level,
        runs: vec![Run::new(t, fs)],
        align: Align::Left,
    };
    Document {
        title: "关于做好2025年困境儿童摸底排查工作的通知".into(),
        page: PageSetup {
            preset: Some(Preset::GbT9704),
            page_number: Some("— {n} —".into()),
            ..PageSetup::default()
        },
        body: vec![
            Block::Heading {
                level: 1,
                runs: vec![Run::new("关于做好2025年困境儿童摸底排查工作的通知", fs)],
                align: Align::Center,
            },
            Block::Paragraph(Paragraph::text("各乡镇人民政府，县直有关单位：", fs)),
            p(
                "为深入贯彻落实《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）和民政部等部门关于进一步加强事实无人抚养儿童保障工作的部署，全面掌握我县困境儿童基本情况，确保各项保障政策精准落实，现就做好2025年困境儿童摸底排查工作通知如下。",
            ),
            h(2, "一、排查范围"),
            p(
                "本次排查对象为户籍在我县或在我县居住满六个月的未满十八周岁儿童，重点包括孤儿、事实无人抚养儿童、重病重残儿童、留守儿童和流动儿童等群体。各乡镇要以村（社区）为单位，做到不漏一户、不落一人。",
            ),
            h(2, "二、工作要求"),
            h(3, "（一）压实工作责任。"),
            p(
                "各乡镇人民政府是摸底排查工作的责任主体，主要负责同志要亲自部署，分管负责同志要具体抓落实。乡镇儿童督导员、村（社区）儿童主任要逐户走访，如实填写《困境儿童基本信息采集表》，做到一人一档、动态更新。",
            ),
            h(3, "（二）规范信息录入。"),
            p(
                "采集信息须与户籍、残联、教育等部门数据比对核实，儿童姓名中的生僻字（如“堃”“䶮”“㛃”等）须准确录入，不得以同音字或拼音代替。少数民族儿童姓名应同时录入本民族文字，例如藏族儿童“ཚེ་རིང་སྒྲོལ་མ”。",
            ),
            h(3, "（三）加强数据安全。"),
            p(
                "摸底排查涉及大量儿童个人信息，各单位要严格落实信息安全管理制度，不得泄露、篡改、毁损儿童信息，不得将儿童信息用于与保障工作无关的用途。",
            ),
            h(2, "三、时间安排"),
            p(
                "2025年4月1日至4月30日为入户排查阶段；5月1日至5月20日为数据核实阶段；5月31日前各乡镇将排查结果报县民政局儿童福利股。",
            ),
            h(2, "四、联系方式"),
            p("县民政局儿童福利股，联系电话：0311-88012345。"),
            Block::Spacer { height_pt: 28.95 },
            Block::Paragraph(Paragraph {
                align: Align::Right,
                ..Paragraph::text("正定县民政局　　　　", fs)
            }),
            Block::Paragraph(Paragraph {
                align: Align::Right,
                ..Paragraph::text("2025年3月20日　　　　", fs)
            }),
        ],
    }
}
