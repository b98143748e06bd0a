//! 河南省级插件（示例）— skeleton; see the province plugin issue.

use hutong_plugin_sdk::prelude::*;

struct Province;

impl Plugin for Province {
    fn manifest() -> Manifest {
        Manifest {
            id: "cn.hutong.henan".into(),
            name: "河南（示例）".into(),
            province_code: "41".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            contract_version: CONTRACT_VERSION.into(),
            description: "示例，非正式政策。".into(),
            categories: vec![],
            visit_policy: VisitPolicy {
                default_days: 30,
                by_level: vec![],
                escalate_township_after_days: 7,
                escalate_county_after_days: 30,
            },
            screening_cycle: ScreeningCycle::HalfYearly,
        }
    }
}

hutong_plugin_sdk::export_plugin!(Province);
