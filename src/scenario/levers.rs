//! The lever catalogue: every recommendation of the 2015 report that the model represents, with its
//! names, unit, allowed range, report IDs and the mechanism it acts through. Defaults are not stored
//! here: they are the baseline scenario's values (the 2015 status quo), read by [`lever_value`].

use super::Scenario;
use super::schema::{InvestmentPlan, PolicySpec};

/// Where a lever's value lives in the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeverKey {
    /// `policy.<field>`.
    Policy(&'static str),
    /// `policy.investment.<district>.<field>`, one value per district.
    Investment(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct Lever {
    pub id: &'static str,
    pub key: LeverKey,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub report_ids: &'static str,
    pub mechanism: &'static str,
}

macro_rules! lever {
    ($id:literal, $key:expr, $zh:literal, $en:literal, $unit:literal, $min:expr, $max:expr, $rep:literal, $mech:literal) => {
        Lever {
            id: $id,
            key: $key,
            name_zh: $zh,
            name_en: $en,
            unit: $unit,
            min: $min,
            max: $max,
            report_ids: $rep,
            mechanism: $mech,
        }
    };
}

use LeverKey::{Investment as I, Policy as P};

pub const LEVERS: &[Lever] = &[
    lever!(
        "promotion",
        P("promotion_cny_per_year"),
        "招商推介经费",
        "Investment-promotion spending",
        "CNY/yr",
        0.0,
        5e9,
        "R1.1, R4.2",
        "Raises the Poisson arrival rate of firm prospects (diminishing returns); paid from the budget."
    ),
    lever!(
        "chain_targeting",
        P("chain_targeting_share"),
        "围绕产业链招商",
        "Chain-targeted investment attraction",
        "share",
        0.0,
        1.0,
        "R1.1, R4.2",
        "Tilts prospect arrivals toward sectors that buy from or sell to present anchor firms (I–O links)."
    ),
    lever!(
        "ipo_support",
        P("ipo_listings_per_year"),
        "企业上市扶持",
        "IPO support for key firms",
        "listings/yr",
        0.0,
        20.0,
        "R1.1, R3.1",
        "Selected anchor firms receive an equity injection that relaxes their credit constraint on investment."
    ),
    lever!(
        "ipo_equity",
        P("ipo_equity_cny"),
        "上市融资额",
        "Equity raised per listing",
        "CNY",
        0.0,
        5e9,
        "R1.1, R3.1",
        "Size of the equity injection per listed firm (private money; the listing support costs a fixed fee)."
    ),
    lever!(
        "interest_subsidy",
        P("interest_subsidy_per_year"),
        "政府贴息",
        "Interest subsidy for key firms",
        "rate points/yr",
        0.0,
        0.05,
        "R1.1, R3.1",
        "Lowers the loan rate of anchor firms, so their user cost of capital falls and they invest more; budget pays the points."
    ),
    lever!(
        "rd_subsidy",
        P("rd_subsidy_share"),
        "研发补助",
        "R&D subsidy",
        "share of R&D",
        0.0,
        0.8,
        "R1.2, R3.4",
        "Budget reimburses a share of firms' R&D spending, so firms spend more: their R&D stock, and with it their productivity, grows (elasticity 0.07), and patents come more often."
    ),
    lever!(
        "tech_upgrade",
        P("tech_upgrade_subsidy_share"),
        "技术改造补助",
        "Technical-upgrade subsidy (CNC, robots)",
        "share of investment",
        0.0,
        0.5,
        "R1.2",
        "Lowers the net cost of automation (CNC, robots): firms automate low-skill jobs when the present value of the wages saved over the machines' life beats the cost (a per-job part that follows robot prices and a fixed part that differs across firms); the machines replace those jobs at equal output and move part of the low-skill elasticity to capital."
    ),
    lever!(
        "incubators",
        P("incubator_cny_per_year"),
        "孵化器",
        "Incubators",
        "CNY/yr",
        0.0,
        2e9,
        "R1.2, R3.4",
        "Incubator capital cuts the fixed cost of young emerging-sector firms, so more of them survive their first years."
    ),
    lever!(
        "innovation_platforms",
        I("innovation_cny_per_year"),
        "创新平台（研发中心、重点实验室）",
        "Innovation platforms (R&D centres, labs)",
        "CNY/yr per district",
        0.0,
        5e9,
        "R1.2, R3.4",
        "Innovation-platform capital makes firms' R&D in the district more effective: their R&D stock, and with it productivity, grows faster, and patents come more often."
    ),
    lever!(
        "digital_platforms",
        I("digital_cny_per_year"),
        "互联网+数字平台",
        "Internet+ / digital platforms",
        "CNY/yr per district",
        0.0,
        5e9,
        "R1.3",
        "Digital capital raises firm productivity through the infrastructure-quality term and job-matching samples."
    ),
    lever!(
        "rural_ecommerce",
        P("rural_ecommerce_cny_per_year"),
        "农村电商",
        "Rural e-commerce",
        "CNY/yr",
        0.0,
        2e9,
        "R1.3",
        "Widens the external market of sectors with an e-commerce reach (agri-food chiefly; logistics and trade a little)."
    ),
    lever!(
        "roads",
        I("roads_cny_per_year"),
        "道路（打通断头路）",
        "Roads (open dead-end roads)",
        "CNY/yr per district",
        0.0,
        2e10,
        "R1.4, R2.2, R4.3",
        "Road capital on a district's links cuts travel minutes, so commuting costs less and labour catchments widen."
    ),
    lever!(
        "utilities",
        I("utilities_cny_per_year"),
        "水电气暖等基础设施（含集中供热）",
        "Utilities and central heating",
        "CNY/yr per district",
        0.0,
        2e10,
        "R1.4, R2.2",
        "Services reserve land (reserve → serviced), displacing farmers, and raises the utility-quality term of production."
    ),
    lever!(
        "environment",
        I("environment_cny_per_year"),
        "污水、垃圾处理设施",
        "Sewage and waste treatment",
        "CNY/yr per district",
        0.0,
        1e10,
        "R1.4, R2.2, R4.1",
        "Adds treatment capacity that removes emissions before they accumulate in the pollution stock."
    ),
    lever!(
        "logistics",
        I("logistics_cny_per_year"),
        "物流园区",
        "Logistics park",
        "CNY/yr per district",
        0.0,
        1e10,
        "R1.4, R2.6",
        "Logistics capital raises the logistics-quality term of production (lower logistics cost)."
    ),
    lever!(
        "five_plans",
        P("five_plans_in_one"),
        "五规合一",
        "Five-plans-in-one planning",
        "on/off",
        0.0,
        1.0,
        "R2.1, R4.1",
        "Shortens construction lags of public capital and housing and cuts the share of investment wasted by mismatch."
    ),
    lever!(
        "approval_months",
        P("approval_months"),
        "审批时限（一站式服务、代办、绿色通道）",
        "Approval time (one-stop, agents, green channel)",
        "months",
        0.5,
        36.0,
        "R2.3, R2.4, R3.5, R4.4",
        "Months a prospect waits before construction: enters the location logit and a monthly abandonment hazard."
    ),
    lever!(
        "training_seats",
        I("training_seats_per_year"),
        "职业培训学位",
        "Vocational training seats",
        "seats/yr per district",
        0.0,
        50_000.0,
        "R2.5, R3.3",
        "Adds training seats; enrolled workers upgrade one skill level on completion with the success share."
    ),
    lever!(
        "order_training",
        P("order_training_share"),
        "订单式培训",
        "Order-based training",
        "share of seats",
        0.0,
        1.0,
        "R2.5, R3.3",
        "Share of graduates placed directly into a vacancy of a firm that ordered the course."
    ),
    lever!(
        "employment_services",
        P("employment_service_cny_per_year"),
        "公共就业服务（招聘会、网上招聘）",
        "Public employment services / job matching",
        "CNY/yr",
        0.0,
        1e9,
        "R3.3",
        "Each job searcher sees more vacancies per month, so matching is faster and better."
    ),
    lever!(
        "talent_grant",
        P("talent_settling_grant_cny"),
        "人才安家补助",
        "Talent settling-in grant",
        "CNY per talent",
        0.0,
        1e6,
        "R2.5, R3.3",
        "Raises the perceived income of high-skill migrants (paid once on arrival from the budget)."
    ),
    lever!(
        "talent_salary",
        P("talent_salary_topup_share"),
        "人才薪酬补贴",
        "Talent salary top-up",
        "share of wage",
        0.0,
        0.5,
        "R2.5, R3.3",
        "Budget tops up high-skill wages in the zones, raising in-migration and retention of talents."
    ),
    lever!(
        "talent_housing",
        P("talent_housing"),
        "人才住房",
        "Talent housing priority",
        "on/off",
        0.0,
        1.0,
        "R2.5, R3.3",
        "High-skill workers are eligible for public rental housing whatever the eligibility rule, and go to the head of its waiting list."
    ),
    lever!(
        "guarantee_capital",
        P("guarantee_fund_capital_cny"),
        "融资担保基金",
        "Credit-guarantee fund capital",
        "CNY",
        0.0,
        2e10,
        "R2.5, R3.1",
        "Funds a guarantee company that backs loans banks refuse, up to a multiple of its capital; losses on defaults."
    ),
    lever!(
        "guarantee_leverage",
        P("guarantee_leverage"),
        "担保放大倍数",
        "Guarantee leverage multiple",
        "×",
        0.0,
        20.0,
        "R2.5, R3.1",
        "Guarantees outstanding may reach this multiple of the fund's capital."
    ),
    lever!(
        "bank_matching",
        P("bank_enterprise_matching"),
        "银企对接",
        "Bank–enterprise matching",
        "on/off",
        0.0,
        1.0,
        "R2.5, R3.1",
        "Banks accept more collateral per yuan of firm assets (better information), relaxing credit limits."
    ),
    lever!(
        "special_bonds",
        P("special_bond_quota_cny_per_year"),
        "专项债券额度",
        "Special-purpose bond quota",
        "CNY/yr",
        0.0,
        5e10,
        "R2.5, R3.1",
        "Lets the government borrow at the bond rate instead of the platform rate, up to the yearly quota."
    ),
    lever!(
        "ppp_share",
        P("ppp_share"),
        "PPP模式比例",
        "PPP share of infrastructure",
        "share",
        0.0,
        1.0,
        "R3.1",
        "Private partners build that share of planned public capital now; the budget pays availability payments later."
    ),
    lever!(
        "ppp_years",
        P("ppp_contract_years"),
        "PPP合同年限",
        "PPP contract years",
        "years",
        5.0,
        40.0,
        "R3.1",
        "Length of the availability-payment stream."
    ),
    lever!(
        "ppp_cost",
        P("ppp_private_cost_of_capital"),
        "社会资本资金成本",
        "Private cost of capital (PPP)",
        "rate/yr",
        0.0,
        0.2,
        "R3.1",
        "Discount rate of the annuity that prices availability payments."
    ),
    lever!(
        "ppp_efficiency",
        P("ppp_efficiency_gain"),
        "PPP效率提升",
        "PPP efficiency gain",
        "share of cost",
        0.0,
        0.5,
        "R3.1",
        "Private partners build the same capacity for less."
    ),
    lever!(
        "insurance_capital",
        P("insurance_capital_cny_per_year"),
        "保险资金",
        "Insurance capital for infrastructure",
        "CNY/yr",
        0.0,
        2e10,
        "R3.1",
        "Long-term loans from insurers, at their own rate, used before platform debt."
    ),
    lever!(
        "min_far",
        P("min_floor_area_ratio"),
        "最低容积率",
        "Minimum floor-area ratio",
        "ratio",
        0.0,
        5.0,
        "R3.2",
        "New projects use less land per floor area (land = floor / max(base FAR, minimum))."
    ),
    lever!(
        "idle_land_reclaim",
        P("idle_land_reclaim_months"),
        "闲置土地收回期限",
        "Idle-land reclamation after",
        "months (0 = never)",
        0.0,
        120.0,
        "R3.2",
        "Land of stalled projects and closed plants idle longer than this returns to serviced-free land."
    ),
    lever!(
        "standard_factories",
        I("standard_factory_m2_per_year"),
        "多层标准化厂房",
        "Multi-storey standard factories",
        "m²/yr per district",
        0.0,
        5e6,
        "R3.2",
        "Government-built floor that small firms rent instead of buying land: entry without land purchase."
    ),
    lever!(
        "public_rental",
        I("public_rental_units_per_year"),
        "公租房、廉租房",
        "Public rental and low-rent housing",
        "units/yr per district",
        0.0,
        50_000.0,
        "R2.2, R4.3, R4.4",
        "Adds units rationed by eligibility at a discount rent: eligible workers can live where they work."
    ),
    lever!(
        "public_rental_discount",
        P("public_rental_rent_discount"),
        "公租房租金折扣",
        "Public-rental rent discount",
        "share of market rent",
        0.0,
        0.9,
        "R2.2, R4.3",
        "Discount on the market rent of the district for public-rental tenants."
    ),
    lever!(
        "public_rental_eligibility",
        P("public_rental_eligibility"),
        "公租房准入条件",
        "Public-rental eligibility",
        "talents_only | as_allocated | zone_migrants | zone_workers",
        0.0,
        3.0,
        "R2.2, R4.4",
        "Who may queue for public rental: talents only; as Henan's cities allocate it (low-income urban households, new employees, insured migrant workers with a stable job, talents); that and all rural-origin zone workers; that and all zone workers."
    ),
    lever!(
        "resettlement",
        I("resettlement_units_per_year"),
        "失地农民安置房",
        "Resettlement housing for landless farmers",
        "units/yr per district",
        0.0,
        50_000.0,
        "R2.2, R4.3, R4.4",
        "Units reserved for landless farmers, who otherwise stay in villages and commute."
    ),
    lever!(
        "schools",
        I("school_seats_per_year"),
        "学校",
        "Schools in the zone",
        "seats/yr per district",
        0.0,
        50_000.0,
        "R4.3",
        "School seats decide whether children can live with the worker; seats per child enter residence utility."
    ),
    lever!(
        "hospitals",
        I("hospital_beds_per_year"),
        "医院",
        "Hospitals in the zone",
        "beds/yr per district",
        0.0,
        5_000.0,
        "R4.3",
        "Beds per 1,000 residents enter residence utility."
    ),
    lever!(
        "shops_leisure",
        I("commercial_floor_m2_per_year"),
        "商业、餐饮、娱乐设施",
        "Shops, restaurants and leisure",
        "m²/yr per district",
        0.0,
        2e6,
        "R4.3",
        "Commercial floor per resident enters residence utility and lets consumer-service firms locate."
    ),
    lever!(
        "social_security",
        P("social_security_coverage"),
        "社会保障覆盖",
        "Social security for migrants",
        "share covered",
        0.0,
        1.0,
        "R4.4",
        "Settled migrants' social insurance paid by the budget; covered migrants value settling and leave less."
    ),
    lever!(
        "citizenisation",
        P("citizenisation_months_cut"),
        "农业转移人口市民化（放宽落户）",
        "Citizenisation of rural migrants",
        "share of waiting months cut",
        0.0,
        1.0,
        "R4.4",
        "Cuts the months of stable employment a migrant needs before settling (市民化)."
    ),
    lever!(
        "red_line",
        P("environmental_red_line"),
        "生态红线",
        "Environmental red line",
        "on/off",
        0.0,
        1.0,
        "R1.4, R4.1",
        "When a district's pollution exceeds the red line, polluting prospects cannot locate there."
    ),
    lever!(
        "land_price_discount",
        P("land_price_discount"),
        "工业用地价格优惠",
        "Industrial land-price discount",
        "share",
        0.0,
        0.9,
        "R3.2 (county competition)",
        "Cheaper land attracts prospects in the location logit but cuts land-transfer revenue."
    ),
];

/// The numeric value of a field of the policy table (booleans as 0/1, enums as their index).
impl PolicySpec {
    pub fn number(&self, field: &str) -> Option<f64> {
        let value = serde_json::to_value(self).ok()?;
        json_number(value.get(field)?, field)
    }
}

impl InvestmentPlan {
    pub fn number(&self, field: &str) -> Option<f64> {
        let value = serde_json::to_value(self).ok()?;
        json_number(value.get(field)?, field)
    }
}

fn json_number(value: &serde_json::Value, field: &str) -> Option<f64> {
    match value {
        serde_json::Value::Bool(b) => Some(f64::from(u8::from(*b))),
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) if field == "public_rental_eligibility" => {
            crate::scenario::PublicRentalEligibility::NAMES
                .iter()
                .position(|x| x == s)
                .map(|i| i as f64)
        }
        _ => None,
    }
}

/// A lever's value in a scenario, as shown in tables (investment levers: summed over districts).
pub fn lever_value(scenario: &Scenario, lever: &Lever) -> String {
    let policy = &scenario.spec().policy;
    match lever.key {
        LeverKey::Policy("public_rental_eligibility") => {
            format!("{:?}", policy.public_rental_eligibility).to_lowercase()
        }
        LeverKey::Policy(field) => policy.number(field).map(format_number).unwrap_or_default(),
        LeverKey::Investment(field) => {
            let parts: Vec<String> = policy
                .investment
                .iter()
                .filter_map(|(d, plan)| {
                    plan.number(field)
                        .map(|v| format!("{d}={}", format_number(v)))
                })
                .collect();
            parts.join(" ")
        }
    }
}

fn format_number(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{v:.3e}")
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}
