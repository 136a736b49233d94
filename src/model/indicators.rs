//! Step 9: the indicators of MODEL.md §5, per district and for the region, every month.
//! The catalogue below is the one place that names them (id, Chinese, English, unit).
//!
//! A submodel on explicit state: `observe` reads an `ObserveContext` (districts, travel
//! times, sectors, parameters) and the `ObservedState` (agents, aggregates, accounts) and
//! returns the month's [`MonthRecord`]; it writes nothing. Its passes are `firm_totals` and
//! `people_totals` (per-scope sums), then rows per scope. The record is a column of values in
//! a [`RecordLayout`] shared by the run's months, keyed by interned [`IndicatorId`]s.

use super::agents::{Firm, FirmStatus, NO_FIRM, Origin};
use super::background::Background;
use super::costs::{CAPITAL_KINDS, CapitalLedger, Cost, PublicCosts};
use super::public::{Government, GuaranteeFund};
use super::world::{District, Land, Sector, Tenure};
use super::{Households, Markets, MonthCounters, Pools, Previous, Simulation};
use crate::scenario::{CouplingSpec, DistrictKind, Premises, SectorGroup};
use nalgebra::DMatrix;
use std::borrow::Cow;
use std::sync::Arc;

pub struct IndicatorDef {
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit: &'static str,
}

macro_rules! ind {
    ($id:literal, $zh:literal, $en:literal, $unit:literal) => {
        IndicatorDef {
            id: $id,
            name_zh: $zh,
            name_en: $en,
            unit: $unit,
        }
    };
}

pub const INDICATORS: &[IndicatorDef] = &[
    ind!("gdp", "地区生产总值", "GDP (value added)", "CNY/yr"),
    ind!(
        "industrial_value_added",
        "工业增加值",
        "Industrial value added",
        "CNY/yr"
    ),
    ind!(
        "leading_industry_share",
        "主导产业占工业比重",
        "Leading-industry share of industry",
        "share"
    ),
    ind!(
        "chain_completeness",
        "产业链完整度",
        "Chain completeness",
        "share"
    ),
    ind!("firms", "运营企业数", "Operating firms", "firms"),
    ind!("firm_entries", "新投产企业", "Firm entries", "firms/month"),
    ind!("firm_exits", "退出企业", "Firm exits", "firms/month"),
    ind!(
        "firm_entry_rate",
        "企业进入率",
        "Firm entry rate",
        "share/yr"
    ),
    ind!("firm_exit_rate", "企业退出率", "Firm exit rate", "share/yr"),
    ind!("prospects", "意向项目", "Firm prospects", "projects/month"),
    ind!(
        "price_index",
        "产品价格指数",
        "Output price index (region markets)",
        "2015 = 1"
    ),
    ind!("hires", "招聘入职", "Hires", "workers/month"),
    ind!(
        "relocations",
        "为就业迁居",
        "Moves for a job beyond commuting reach",
        "workers/month"
    ),
    ind!(
        "arrivals",
        "新进入劳动力",
        "Arrivals in the labour market",
        "workers/month"
    ),
    ind!(
        "departures",
        "离开劳动力",
        "Departures from the labour market",
        "workers/month"
    ),
    ind!("employment", "就业人数", "Employment", "workers"),
    ind!(
        "employment_low",
        "低技能就业",
        "Employment, low skill",
        "workers"
    ),
    ind!(
        "employment_mid",
        "中技能就业",
        "Employment, mid skill",
        "workers"
    ),
    ind!(
        "employment_high",
        "高技能就业",
        "Employment, high skill",
        "workers"
    ),
    ind!(
        "high_skill_share",
        "高技能就业比重",
        "High-skill share of employment",
        "share"
    ),
    ind!("unemployment_rate", "失业率", "Unemployment rate", "share"),
    ind!("in_training", "在训人数", "Workers in training", "workers"),
    ind!("avg_wage", "平均工资", "Average wage", "CNY/month"),
    ind!(
        "commute_minutes",
        "平均单程通勤时间",
        "Mean one-way commute",
        "minutes"
    ),
    ind!(
        "commute_within_45_share",
        "45分钟通勤比重",
        "Share of employed workers commuting at most 45 minutes one way",
        "share"
    ),
    ind!(
        "labour_productivity",
        "劳动生产率",
        "Labour productivity",
        "CNY/worker/yr"
    ),
    ind!(
        "value_added_per_ha",
        "亩均效益（每公顷增加值）",
        "Value added per hectare",
        "CNY/ha/yr"
    ),
    ind!(
        "idle_land_share",
        "闲置土地比例",
        "Idle land share",
        "share"
    ),
    ind!(
        "serviced_land_free",
        "可供应工业用地",
        "Serviced land available",
        "ha"
    ),
    ind!("rd_intensity", "研发强度", "R&D intensity", "share of VA"),
    ind!("patents", "专利累计", "Patents (cumulative)", "patents"),
    ind!(
        "high_tech_firms",
        "高新技术企业",
        "High-tech firms",
        "firms"
    ),
    ind!(
        "zone_residents",
        "常住人口",
        "Resident population",
        "persons"
    ),
    ind!(
        "households",
        "模型住户",
        "Modelled households living here",
        "households"
    ),
    ind!("worker_agents", "劳动者主体数", "Worker agents", "agents"),
    ind!(
        "pendulum_index",
        "钟摆指数（外住比例）",
        "Pendulum index (share of workers living elsewhere)",
        "share"
    ),
    ind!(
        "settled_migrants",
        "市民化人数",
        "Settled migrants",
        "households"
    ),
    ind!(
        "left_behind_children",
        "留守儿童",
        "Left-behind children",
        "children"
    ),
    ind!(
        "housing_occupancy",
        "住房入住率",
        "Housing occupancy",
        "share"
    ),
    ind!("market_rent", "市场租金", "Market rent", "CNY/month"),
    ind!("rent_burden", "租金负担", "Rent burden", "share of wage"),
    ind!(
        "school_seats_per_child",
        "每名儿童学位",
        "School seats per child",
        "seats/child"
    ),
    ind!(
        "hospital_beds_per_1000",
        "每千人病床",
        "Hospital beds per 1,000",
        "beds/1000"
    ),
    ind!("fiscal_revenue", "财政收入", "Fiscal revenue", "CNY/yr"),
    ind!(
        "fiscal_expenditure",
        "财政支出",
        "Fiscal expenditure",
        "CNY/yr"
    ),
    ind!(
        "land_revenue",
        "土地出让收入",
        "Land-transfer revenue",
        "CNY/yr"
    ),
    ind!(
        "capital_spending",
        "公共投资",
        "Public capital spending",
        "CNY/yr"
    ),
    ind!(
        "capital_cut",
        "被削减的公共投资",
        "Public capital cut for lack of funds",
        "CNY/yr"
    ),
    ind!("government_debt", "政府债务", "Government debt", "CNY"),
    ind!("ppp_obligations", "PPP支付义务", "PPP obligations", "CNY"),
    ind!(
        "debt_to_revenue",
        "债务率（债务/年收入）",
        "Debt to annual revenue",
        "ratio"
    ),
    ind!("government_cash", "财政存量资金", "Government cash", "CNY"),
    ind!(
        "guarantee_fund_capital",
        "担保基金资本",
        "Guarantee-fund capital",
        "CNY"
    ),
    ind!(
        "guarantee_fund_losses",
        "担保代偿损失累计",
        "Guarantee-fund losses (cumulative)",
        "CNY"
    ),
    ind!(
        "public_capital",
        "公共基础设施资本",
        "Public infrastructure capital (roads, utilities, logistics, digital, innovation)",
        "CNY"
    ),
    ind!(
        "firm_capital",
        "企业资本存量",
        "Capital of operating firms",
        "CNY"
    ),
    ind!(
        "anchor_capital",
        "龙头企业资本",
        "Capital of anchor firms",
        "CNY"
    ),
    ind!(
        "automation_share",
        "自动化程度",
        "Automation (employment-weighted)",
        "share"
    ),
    ind!(
        "guaranteed_loans",
        "在保贷款余额",
        "Loans outstanding under guarantee",
        "CNY"
    ),
    ind!(
        "credit_gap",
        "融资缺口",
        "Investment firms could not finance (credit rationing)",
        "CNY/yr"
    ),
    ind!(
        "job_finding_rate",
        "求职成功率",
        "Hires per job searcher",
        "share/month"
    ),
    ind!(
        "high_skill_workers",
        "高技能劳动者",
        "High-skill worker agents (employed or not)",
        "workers"
    ),
    ind!(
        "occupancy.market",
        "商品房入住率",
        "Occupancy of market housing",
        "share"
    ),
    ind!(
        "occupancy.public_rental",
        "公租房入住率",
        "Occupancy of public rental housing",
        "share"
    ),
    ind!(
        "occupancy.resettlement",
        "安置房入住率",
        "Occupancy of resettlement housing",
        "share"
    ),
    ind!(
        "occupancy.dormitory",
        "宿舍入住率",
        "Occupancy of dormitories",
        "share"
    ),
    ind!(
        "pollution_ratio",
        "污染/生态红线",
        "Pollution to red line",
        "ratio"
    ),
    ind!(
        "coupling_coordination",
        "产城融合度D",
        "Industry–city coupling coordination D",
        "0–1"
    ),
    ind!(
        "coupling_band",
        "融合等级",
        "Coupling band (1 = extreme imbalance … 10 = high-quality coordination)",
        "band"
    ),
    ind!(
        "industry_subsystem",
        "产业子系统U1",
        "Industry subsystem U1",
        "0–1"
    ),
    ind!("city_subsystem", "城市子系统U2", "City subsystem U2", "0–1"),
    ind!(
        "coupling_type",
        "产城关系类型",
        "Which subsystem lags (−1 city lags, 0 synchronous, +1 industry lags)",
        "type"
    ),
    ind!(
        "rural_reserve",
        "农村剩余劳动力",
        "Rural labour reserve",
        "workers"
    ),
    ind!(
        "migrant_pool",
        "区外潜在流入人口",
        "Potential migrants outside",
        "workers"
    ),
    ind!(
        "travel_minutes_to_city",
        "至中心城区通勤时间",
        "Travel time to the city",
        "minutes"
    ),
    ind!(
        "bank_loans",
        "企业银行贷款余额",
        "Bank loans of firms (without guarantees)",
        "CNY"
    ),
    ind!(
        "unfilled_vacancies",
        "未填补岗位",
        "Vacancies left open after matching",
        "positions"
    ),
    ind!(
        "arrivals_high_skill",
        "新进入高技能劳动者",
        "High-skill arrivals",
        "workers/month"
    ),
    ind!(
        "commercial_m2_per_resident",
        "人均商业面积",
        "Commercial floor per resident",
        "m²/person"
    ),
    ind!(
        "gdp_primary",
        "第一产业增加值",
        "Value added, primary sector",
        "CNY/yr"
    ),
    ind!(
        "gdp_secondary",
        "第二产业增加值",
        "Value added, secondary sector",
        "CNY/yr"
    ),
    ind!(
        "gdp_tertiary",
        "第三产业增加值",
        "Value added, tertiary sector",
        "CNY/yr"
    ),
    ind!(
        "modelled_firm_value_added",
        "模型企业增加值",
        "Value added of the modelled firms",
        "CNY/yr"
    ),
    ind!(
        "background_value_added",
        "其他经济增加值",
        "Value added outside the modelled firms (agriculture, construction, other industry and services)",
        "CNY/yr"
    ),
    ind!(
        "zone_value_added",
        "集聚区企业增加值",
        "Value added of the firms in the cluster zone(s)",
        "CNY/yr"
    ),
    ind!("residents", "常住人口（全部）", "Residents, all", "persons"),
    ind!(
        "capital_planned",
        "计划公共投资",
        "Public capital planned",
        "CNY/yr"
    ),
    ind!(
        "capital_planned_cumulative",
        "累计计划公共投资",
        "Public capital planned since the start",
        "CNY"
    ),
    ind!(
        "capital_cut_cumulative",
        "累计被削减的公共投资",
        "Public capital cut for lack of funds since the start",
        "CNY"
    ),
    ind!(
        "capital_cut_share",
        "公共投资削减比例",
        "Share of planned public capital cut since the start",
        "share"
    ),
    ind!(
        "other_public_spending",
        "模型外公共支出",
        "Surplus spent on public services outside the model (salaries, pensions, culture…)",
        "CNY/yr"
    ),
    ind!(
        "debt_incl_ppp",
        "债务（含PPP支付义务）",
        "Government debt incl. PPP obligations",
        "CNY"
    ),
    ind!(
        "zone_account_debt",
        "管委会债务",
        "Zone account debt",
        "CNY"
    ),
    ind!(
        "zone_account_cash",
        "管委会存量资金",
        "Zone account cash",
        "CNY"
    ),
    ind!(
        "zone_account_revenue",
        "管委会收入",
        "Zone account revenue",
        "CNY/yr"
    ),
    ind!(
        "city_budget_debt",
        "城区财政债务",
        "City budget debt",
        "CNY"
    ),
    ind!(
        "city_budget_cash",
        "城区财政存量资金",
        "City budget cash",
        "CNY"
    ),
    ind!(
        "city_budget_revenue",
        "城区财政收入",
        "City budget revenue",
        "CNY/yr"
    ),
    ind!(
        "public_cost_cumulative",
        "累计公共成本",
        "Public cost of all levers and the capital plan since the start (budget, debt and PPP)",
        "CNY"
    ),
    ind!(
        "public_rental_units",
        "公租房套数",
        "Public rental units",
        "units"
    ),
    ind!(
        "public_rental_waiting",
        "公租房轮候家庭",
        "Households on public rental waiting lists (eligible, applied, no unit yet)",
        "households"
    ),
];

/// The ten bands of the coupling coordination degree D (0.1 wide).
pub const COUPLING_BANDS_ZH: [&str; 10] = [
    "极度失调",
    "严重失调",
    "中度失调",
    "轻度失调",
    "濒临失调",
    "勉强协调",
    "初级协调",
    "中级协调",
    "良好协调",
    "优质协调",
];
pub const COUPLING_BANDS_EN: [&str; 10] = [
    "extreme imbalance",
    "serious imbalance",
    "moderate imbalance",
    "mild imbalance",
    "verge of imbalance",
    "barely coordinated",
    "primary coordination",
    "intermediate coordination",
    "good coordination",
    "high-quality coordination",
];

pub fn indicator(id: &str) -> Option<&'static IndicatorDef> {
    INDICATORS.iter().find(|d| d.id == id)
}

/// Whether an indicator counts people or things (and so can never be negative).
pub fn is_count(id: &str) -> bool {
    let base = id.split('.').next().unwrap_or(id);
    indicator(base).is_some_and(|d| {
        matches!(
            d.unit,
            "workers"
                | "persons"
                | "firms"
                | "households"
                | "units"
                | "children"
                | "agents"
                | "ha"
                | "patents"
                | "positions"
        )
    })
}

/// What an indicator counts: every label a planner reads carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything in the district: the modelled firms and the rest of the economy, all residents.
    /// The region is 驿城区 as its statistics define it.
    Economy,
    /// The modelled firms located there.
    Firms,
    /// The worker agents (the modelled labour market) working or living there.
    Workers,
    /// The cluster zone; at region level all cluster districts together.
    Zone,
    /// The public accounts: the zone account and the city budget together unless named.
    Public,
    /// Labour outside the modelled market.
    Pools,
}

impl Scope {
    pub fn name(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Scope::Economy, true) => "全区经济",
            (Scope::Economy, false) => "whole economy",
            (Scope::Firms, true) => "模型企业",
            (Scope::Firms, false) => "modelled firms",
            (Scope::Workers, true) => "模型劳动者",
            (Scope::Workers, false) => "worker agents",
            (Scope::Zone, true) => "集聚区",
            (Scope::Zone, false) => "cluster zone",
            (Scope::Public, true) => "公共财政",
            (Scope::Public, false) => "public accounts",
            (Scope::Pools, true) => "区外劳动力",
            (Scope::Pools, false) => "labour outside the market",
        }
    }
}

/// The scope of an indicator (dotted ids by their prefix).
pub fn scope(id: &str) -> Scope {
    let base = id.split('.').next().unwrap_or(id);
    match base {
        "gdp"
        | "gdp_primary"
        | "gdp_secondary"
        | "gdp_tertiary"
        | "background_value_added"
        | "residents"
        | "market_rent"
        | "travel_minutes_to_city"
        | "housing_occupancy"
        | "occupancy" => Scope::Economy,
        "hires"
        | "relocations"
        | "arrivals"
        | "departures"
        | "unemployment_rate"
        | "in_training"
        | "avg_wage"
        | "commute_minutes"
        | "commute_within_45_share"
        | "households"
        | "worker_agents"
        | "pendulum_index"
        | "settled_migrants"
        | "left_behind_children"
        | "rent_burden"
        | "job_finding_rate"
        | "high_skill_workers"
        | "arrivals_high_skill" => Scope::Workers,
        "zone_residents"
        | "value_added_per_ha"
        | "idle_land_share"
        | "serviced_land_free"
        | "school_seats_per_child"
        | "hospital_beds_per_1000"
        | "commercial_m2_per_resident"
        | "pollution_ratio"
        | "coupling_coordination"
        | "coupling_band"
        | "coupling_type"
        | "industry_subsystem"
        | "city_subsystem"
        | "zone_value_added" => Scope::Zone,
        "fiscal_revenue"
        | "fiscal_expenditure"
        | "land_revenue"
        | "capital_planned"
        | "capital_spending"
        | "other_public_spending"
        | "capital_cut"
        | "government_debt"
        | "ppp_obligations"
        | "debt_incl_ppp"
        | "debt_to_revenue"
        | "government_cash"
        | "guarantee_fund_capital"
        | "guarantee_fund_losses"
        | "public_capital"
        | "zone_account_debt"
        | "zone_account_cash"
        | "zone_account_revenue"
        | "city_budget_debt"
        | "city_budget_cash"
        | "city_budget_revenue"
        | "public_cost_cumulative"
        | "public_cost"
        | "capital_planned_cumulative"
        | "capital_cut_cumulative"
        | "capital_cut_share"
        | "public_rental_units"
        | "public_rental_waiting" => Scope::Public,
        "rural_reserve" | "migrant_pool" => Scope::Pools,
        _ => Scope::Firms,
    }
}

/// An indicator's name with its scope, as every figure and table labels it (ASCII brackets: the
/// embedded font draws full-width ones with wide gaps).
pub fn label(id: &str, zh: bool) -> String {
    let scope = scope(id).name(zh);
    match indicator(id) {
        Some(d) if zh => format!("{}({scope})", d.name_zh),
        Some(d) => format!("{} ({scope})", d.name_en),
        None if zh => format!("{id}({scope})"),
        None => format!("{id} ({scope})"),
    }
}

/// An indicator's interned id: its index in a run's name table ([`RecordLayout`]), the
/// catalogue's entries first, in catalogue order, then the run's families
/// (`employment.<sector>`, `public_cost.<lever>`, `capital_planned.<kind>`, `capital_cut.<kind>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IndicatorId(u16);

impl IndicatorId {
    /// The id of a catalogue entry. In a `const` context (the module's `id!` macro) a name that
    /// is not in the catalogue does not compile.
    pub const fn of(name: &str) -> IndicatorId {
        let mut i = 0;
        while i < INDICATORS.len() {
            if const_str_eq(INDICATORS[i].id, name) {
                return IndicatorId(i as u16);
            }
            i += 1;
        }
        panic!("not an indicator of the catalogue");
    }

    /// Its index in the run's name table.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The id of a catalogue entry, checked when the crate compiles.
macro_rules! id {
    ($name:literal) => {
        const { IndicatorId::of($name) }
    };
}

/// The shape of a run's monthly records, shared by all of them: the indicator names by id, and
/// the (district, indicator) of each value in the order the rows are written. The rows of a
/// month are fixed by the scenario's districts and sectors, so one layout serves the run.
#[derive(Debug)]
pub struct RecordLayout {
    names: Vec<Cow<'static, str>>,
    keys: Vec<(Option<usize>, IndicatorId)>,
}

/// The families of indicators after the catalogue, in id order.
const PUBLIC_COST_FAMILY: usize = Cost::ALL.len();
const CAPITAL_FAMILY: usize = 2 * CAPITAL_KINDS.len();

impl RecordLayout {
    /// The name table of a run with these sectors (no rows yet).
    fn names(sectors: &[Sector]) -> Vec<Cow<'static, str>> {
        let mut names: Vec<Cow<'static, str>> = INDICATORS.iter().map(|d| d.id.into()).collect();
        names.extend(
            sectors
                .iter()
                .map(|s| format!("employment.{}", s.id).into()),
        );
        names.extend(
            Cost::ALL
                .iter()
                .map(|c| format!("public_cost.{}", c.id()).into()),
        );
        for (_, kind) in CAPITAL_KINDS {
            names.push(format!("capital_planned.{kind}").into());
            names.push(format!("capital_cut.{kind}").into());
        }
        names
    }

    /// Whether the name table is that of a run with these sectors.
    fn names_fit(&self, sectors: &[Sector]) -> bool {
        let employment = &self.names[INDICATORS.len()..];
        employment.len() == sectors.len() + PUBLIC_COST_FAMILY + CAPITAL_FAMILY
            && sectors
                .iter()
                .zip(employment)
                .all(|(s, n)| n.strip_prefix("employment.").is_some_and(|id| id == s.id))
    }

    fn family(&self, offset: usize) -> IndicatorId {
        IndicatorId((INDICATORS.len() + offset) as u16)
    }

    /// `employment.<sector>` of the sector with index `sector`.
    fn employment(&self, sector: usize) -> IndicatorId {
        self.family(sector)
    }

    fn sectors(&self) -> usize {
        self.names.len() - INDICATORS.len() - PUBLIC_COST_FAMILY - CAPITAL_FAMILY
    }

    /// `public_cost.<lever>`.
    fn public_cost(&self, cost: Cost) -> IndicatorId {
        self.family(self.sectors() + cost as usize)
    }

    /// `capital_planned.<kind>` (`cut` false) or `capital_cut.<kind>` of `CAPITAL_KINDS[kind]`.
    fn capital(&self, kind: usize, cut: bool) -> IndicatorId {
        self.family(self.sectors() + PUBLIC_COST_FAMILY + 2 * kind + usize::from(cut))
    }

    /// An indicator's name.
    pub fn name(&self, id: IndicatorId) -> &str {
        &self.names[id.index()]
    }

    /// The id of an indicator name, if the run records it.
    pub fn id(&self, name: &str) -> Option<IndicatorId> {
        self.names
            .iter()
            .position(|n| n == name)
            .map(|i| IndicatorId(i as u16))
    }

    /// Values a month holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// One indicator value: district index (`None` = region), indicator id, value.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub district: Option<usize>,
    pub indicator: &'a str,
    pub value: f64,
}

/// The indicators of one month: a column of values in the run's [`RecordLayout`]; rows are made
/// only when read.
#[derive(Debug, Clone)]
pub struct MonthRecord {
    pub month: u32,
    pub label: String,
    layout: Arc<RecordLayout>,
    values: Vec<f64>,
}

impl MonthRecord {
    /// The rows in the order they are written.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = Row<'_>> + '_ {
        self.layout
            .keys
            .iter()
            .zip(&self.values)
            .map(|(&(district, id), &value)| Row {
                district,
                indicator: self.layout.name(id),
                value,
            })
    }

    /// The layout the record shares with the run's other months.
    pub fn layout(&self) -> &Arc<RecordLayout> {
        &self.layout
    }

    /// The first value no run may report, with why: not a finite number, or a negative count of
    /// people or things.
    pub fn first_invalid(&self) -> Option<(Row<'_>, &'static str)> {
        self.rows().find_map(|r| {
            if !r.value.is_finite() {
                Some((r, "not a finite number"))
            } else if r.value < 0.0 && is_count(r.indicator) {
                Some((r, "negative, but it counts people or things"))
            } else {
                None
            }
        })
    }

    pub fn get(&self, district: Option<usize>, id: &str) -> Option<f64> {
        let id = self.layout.id(id)?;
        self.layout
            .keys
            .iter()
            .position(|&k| k == (district, id))
            .map(|i| self.values[i])
    }
}

pub use super::coupling::band as coupling_band;

/// Totals of the modelled firms for one scope (a district, the region or the zone).
#[derive(Debug, Default, Clone)]
pub(crate) struct FirmTotals {
    /// Value added, CNY a year.
    va: f64,
    ind_va: f64,
    leading_va: f64,
    chain_w: f64,
    chain_x: f64,
    firms: f64,
    emp: [f64; 3],
    /// Industrial land held or rented, ha.
    ind_land: f64,
    rd: f64,
    patents: f64,
    high_tech: f64,
    capital: f64,
    bank_loans: f64,
    anchor_capital: f64,
    automation_w: f64,
}

/// Totals of the worker households for one scope: where they work (the workers-here block) and
/// where they live (the rest).
#[derive(Debug, Default, Clone)]
pub(crate) struct PeopleTotals {
    workers_here: f64,
    wage_sum: f64,
    commute_sum: f64,
    /// Workers employed here whose one-way commute takes at most 45 minutes.
    commute_within_45: f64,
    /// Workers employed here who live in another district (for the zone: outside every cluster).
    living_elsewhere: f64,
    /// Children of the workers employed here who live elsewhere.
    elsewhere_children: f64,
    unemployed: f64,
    labour_force: f64,
    households: f64,
    residents: f64,
    settled: f64,
    migrant_like: f64,
    left_behind: f64,
    children_here: f64,
    children_all: f64,
    rent_sum: f64,
    rent_n: f64,
    in_training: f64,
}

/// The scopes an agent in district `d` counts in: the district, the region (`nd`) and, for a
/// cluster district, the zone (`nd + 1`). No allocation: this runs per agent.
#[inline]
fn scopes(d: usize, cluster: bool, nd: usize) -> impl Iterator<Item = usize> {
    [d, nd, nd + 1]
        .into_iter()
        .take(if cluster { 3 } else { 2 })
}

/// Monthly housing cost of a household by tenure, the numerator of its rent burden.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rents {
    /// Share of the market rent an owner pays (`housing.ownership_cost_share`).
    pub ownership_cost_share: f64,
    /// Discount on the market rent of public rental housing (`policy.public_rental_rent_discount`).
    pub public_rental_discount: f64,
    pub resettlement: f64,
    pub dormitory: f64,
    /// Rent of a village home for households not from the village.
    pub rural: f64,
}

impl Rents {
    fn of(&self, tenure: Tenure, origin: Origin, market_rent: f64) -> f64 {
        match tenure {
            Tenure::Market => market_rent,
            Tenure::Owned => market_rent * self.ownership_cost_share,
            Tenure::PublicRental => market_rent * (1.0 - self.public_rental_discount),
            Tenure::Resettlement => self.resettlement,
            Tenure::Dormitory => self.dormitory,
            Tenure::RuralHome => {
                if origin == Origin::LocalRural {
                    0.0
                } else {
                    self.rural
                }
            }
        }
    }
}

/// What the observation reads of the world besides the agents and the accounts.
pub(crate) struct ObserveContext<'a> {
    pub districts: &'a [District],
    pub is_cluster: &'a [bool],
    pub rural: &'a [bool],
    /// The district travel time to the city is measured to.
    pub city: usize,
    /// Travel minutes between districts (home → work).
    pub minutes: &'a DMatrix<f64>,
    pub sectors: &'a [Sector],
    pub rents: Rents,
    /// Pollution stock at the ecological red line.
    pub red_line: f64,
    pub background_children_per_resident: f64,
    pub coupling: &'a CouplingSpec,
}

/// The state the month's record describes.
pub(crate) struct ObservedState<'a> {
    pub month: u32,
    pub label: String,
    pub firms: &'a [Firm],
    pub households: &'a Households,
    /// This month's aggregates (updated before the observation).
    pub prev: &'a Previous,
    pub counters: &'a MonthCounters,
    pub markets: &'a Markets,
    pub background: &'a Background,
    /// The zone account and the city budget, their month closed.
    pub accounts: &'a [Government; 2],
    pub costs: &'a PublicCosts,
    pub capital: &'a CapitalLedger,
    pub fund: &'a GuaranteeFund,
    pub pools: &'a Pools,
    /// The layout of last month's record, which this month's follows.
    pub layout: Option<&'a Arc<RecordLayout>>,
}

/// The month's record, and the value added outside the modelled firms (CNY a year, all
/// districts) that next month's city budget taxes.
pub(crate) struct Observation {
    pub record: MonthRecord,
    pub background_va: f64,
}

/// Totals of the modelled firms per scope (districts, then the region, then the zone): the
/// operating firms' production, jobs and capital, and the patents and high-tech status of every
/// firm that has not exited.
pub(crate) fn firm_totals(
    firms: &[Firm],
    sectors: &[Sector],
    is_cluster: &[bool],
    chain: &[Vec<f64>],
) -> Vec<FirmTotals> {
    let nd = is_cluster.len();
    let mut acc = vec![FirmTotals::default(); nd + 2];
    for f in firms {
        if f.status != FirmStatus::Operating {
            continue;
        }
        let sector = &sectors[f.sector];
        for s in scopes(f.district, is_cluster[f.district], nd) {
            let a = &mut acc[s];
            a.va += f.value_added * 12.0;
            a.firms += 1.0;
            for k in 0..3 {
                a.emp[k] += f.employees[k] as f64;
            }
            a.rd += f.rd_spend * 12.0;
            a.capital += f.capital;
            a.bank_loans += f.debt;
            if f.anchor {
                a.anchor_capital += f.capital;
            }
            a.automation_w += f.automation * f.workers() as f64;
            if sector.is_industry() {
                a.ind_va += f.value_added * 12.0;
                if sector.group == SectorGroup::Leading {
                    a.leading_va += f.value_added * 12.0;
                }
                a.chain_w += f.output;
                a.chain_x += f.output * chain[f.district][f.sector];
            }
            if sector.premises == Premises::IndustrialLand {
                a.ind_land += f.land_ha + f.floor_rented / 10_000.0;
            }
        }
    }
    for f in firms {
        if f.status == FirmStatus::Exited {
            continue;
        }
        for s in scopes(f.district, is_cluster[f.district], nd) {
            acc[s].patents += f.patents as f64;
            acc[s].high_tech += f64::from(u8::from(f.high_tech));
        }
    }
    acc
}

/// Totals of the worker households per scope (districts, then the region, then the zone): where
/// they work (by their employer's district) and where they live (by their residence; the region
/// and the zone summed from the districts).
pub(crate) fn people_totals(
    hh: &Households,
    firms: &[Firm],
    ctx: &ObserveContext,
) -> Vec<PeopleTotals> {
    let nd = ctx.is_cluster.len();
    let zone = nd + 1;
    let mut acc = vec![PeopleTotals::default(); nd + 2];
    for i in 0..hh.len() {
        let home = hh.home(i);
        let children = f64::from(hh.children[i]);
        let res_cluster = ctx.is_cluster[home];
        // Counts where the household lives go to its district only; the region and the zone
        // are summed from the districts after the loop (whole numbers: exact in any order).
        {
            let a = &mut acc[home];
            a.households += 1.0;
            a.residents += 1.0;
            if hh.children_with[i] {
                a.residents += children;
                a.children_here += children;
            }
            a.children_all += children;
            if hh.origin[i].is_migrant_like() {
                a.migrant_like += 1.0;
                if hh.settled[i] {
                    a.settled += 1.0;
                }
            }
            if hh.children[i] > 0 && !hh.children_with[i] && !ctx.rural[home] {
                a.left_behind += children;
            }
            if hh.in_training(i) {
                a.in_training += 1.0;
            } else {
                a.labour_force += 1.0;
                if !hh.is_employed(i) {
                    a.unemployed += 1.0;
                }
            }
        }
        if hh.employer[i] != NO_FIRM {
            let wd = firms[hh.employer[i] as usize].district;
            let wc = ctx.is_cluster[wd];
            let commute = ctx.minutes[(home, wd)];
            for s in scopes(wd, wc, nd) {
                let a = &mut acc[s];
                a.workers_here += 1.0;
                a.wage_sum += hh.wage[i];
                a.commute_sum += commute;
                if commute <= 45.0 {
                    a.commute_within_45 += 1.0;
                }
                let elsewhere = if s == zone { !res_cluster } else { home != wd };
                if elsewhere {
                    a.living_elsewhere += 1.0;
                    a.elsewhere_children += children;
                }
            }
            let rent = ctx
                .rents
                .of(hh.tenure[i], hh.origin[i], ctx.districts[home].market_rent);
            for s in scopes(home, res_cluster, nd) {
                acc[s].rent_sum += rent / hh.wage[i].max(1.0);
                acc[s].rent_n += 1.0;
            }
        }
    }
    for d in 0..nd {
        let from = acc[d].clone();
        let targets: &[usize] = if ctx.is_cluster[d] {
            &[nd, zone]
        } else {
            &[nd]
        };
        for &t in targets {
            let a = &mut acc[t];
            a.households += from.households;
            a.residents += from.residents;
            a.children_here += from.children_here;
            a.children_all += from.children_all;
            a.migrant_like += from.migrant_like;
            a.settled += from.settled;
            a.left_behind += from.left_behind;
            a.in_training += from.in_training;
            a.labour_force += from.labour_force;
            a.unemployed += from.unemployed;
        }
    }
    acc
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// The month's values as they are pushed, scope by scope, into last month's layout while the
/// rows follow it (they always do within a run), or into a new one from the first row that
/// departs from it.
struct Recorder {
    layout: Arc<RecordLayout>,
    /// Whether the rows so far follow `layout.keys`; if not, `keys` holds them.
    following: bool,
    keys: Vec<(Option<usize>, IndicatorId)>,
    values: Vec<f64>,
    district: Option<usize>,
}

impl Recorder {
    /// A recorder following `previous` if its names fit the sectors, else a fresh layout.
    fn new(previous: Option<&Arc<RecordLayout>>, sectors: &[Sector], capacity: usize) -> Self {
        let (layout, following) = match previous {
            Some(l) if l.names_fit(sectors) => (Arc::clone(l), true),
            _ => (
                Arc::new(RecordLayout {
                    names: RecordLayout::names(sectors),
                    keys: Vec::new(),
                }),
                false,
            ),
        };
        let capacity = if following {
            layout.keys.len()
        } else {
            capacity
        };
        Recorder {
            layout,
            following,
            keys: Vec::new(),
            values: Vec::with_capacity(capacity),
            district: None,
        }
    }

    fn push(&mut self, id: IndicatorId, value: f64) {
        let key = (self.district, id);
        let k = self.values.len();
        if self.following {
            if self.layout.keys.get(k) != Some(&key) {
                self.following = false;
                self.keys = self.layout.keys[..k].to_vec();
                self.keys.push(key);
            }
        } else {
            self.keys.push(key);
        }
        // Non-finite values are kept: the run stops on them (experiment::run_single).
        self.values.push(value);
    }

    fn finish(mut self, month: u32, label: String) -> MonthRecord {
        if self.following && self.values.len() < self.layout.keys.len() {
            self.following = false;
            self.keys = self.layout.keys[..self.values.len()].to_vec();
        }
        let layout = if self.following {
            self.layout
        } else {
            Arc::new(RecordLayout {
                names: self.layout.names.clone(),
                keys: self.keys,
            })
        };
        MonthRecord {
            month,
            label,
            layout,
            values: self.values,
        }
    }
}

/// Step 9: the month's indicators from the state, per district and for the region.
pub(crate) fn observe(ctx: &ObserveContext, state: &ObservedState) -> Observation {
    let nd = ctx.districts.len();
    let zone = nd + 1;
    let firms = firm_totals(state.firms, ctx.sectors, ctx.is_cluster, &state.prev.chain);
    let people = people_totals(state.households, state.firms, ctx);
    // Everyone living in each district, and the economy outside the modelled firms there.
    let residents_all: Vec<f64> = (0..nd)
        .map(|d| people[d].residents + ctx.districts[d].background_residents)
        .collect();
    let background_va = state.background.by_district(&residents_all, ctx.rural);
    let background_va_total = background_va.iter().map(|v| v.iter().sum::<f64>()).sum();
    let mut rows = Recorder::new(state.layout, ctx.sectors, 64 * (nd + 1));
    let red_line = ctx.red_line;
    let bg_children = ctx.background_children_per_resident;
    for scope in 0..=nd {
        let district = (scope < nd).then_some(scope);
        rows.district = district;
        // The region's residence-side figures describe the zone (all clusters together).
        let (f, p) = (&firms[scope], &people[scope]);
        let (zf, zp) = if scope == nd {
            (&firms[zone], &people[zone])
        } else {
            (f, p)
        };
        let mut push = |id: IndicatorId, value: f64| rows.push(id, value);
        let emp: f64 = f.emp.iter().sum();
        let (background, residents_here) = match district {
            Some(d) => (background_va[d], residents_all[d]),
            None => (
                background_va
                    .iter()
                    .fold([0.0; 3], |t, v| [t[0] + v[0], t[1] + v[1], t[2] + v[2]]),
                residents_all.iter().sum(),
            ),
        };
        push(id!("gdp"), f.va + background.iter().sum::<f64>());
        push(id!("gdp_primary"), background[0]);
        push(id!("gdp_secondary"), f.ind_va + background[1]);
        push(id!("gdp_tertiary"), f.va - f.ind_va + background[2]);
        push(id!("modelled_firm_value_added"), f.va);
        push(
            id!("background_value_added"),
            background.iter().sum::<f64>(),
        );
        push(id!("residents"), residents_here);
        if district.is_none() {
            push(id!("zone_value_added"), firms[zone].va);
        }
        push(id!("industrial_value_added"), f.ind_va);
        push(id!("leading_industry_share"), ratio(f.leading_va, f.ind_va));
        push(id!("chain_completeness"), ratio(f.chain_x, f.chain_w));
        push(id!("firms"), f.firms);
        push(id!("employment"), emp);
        push(id!("employment_low"), f.emp[0]);
        push(id!("employment_mid"), f.emp[1]);
        push(id!("employment_high"), f.emp[2]);
        push(id!("high_skill_share"), ratio(f.emp[2], emp));
        push(
            id!("unemployment_rate"),
            ratio(p.unemployed, p.labour_force),
        );
        push(id!("in_training"), p.in_training);
        push(id!("avg_wage"), ratio(p.wage_sum, p.workers_here));
        push(id!("commute_minutes"), ratio(p.commute_sum, p.workers_here));
        push(
            id!("commute_within_45_share"),
            ratio(p.commute_within_45, p.workers_here),
        );
        push(id!("labour_productivity"), ratio(f.va, emp));
        let va_per_ha = ratio(zf.ind_va, zf.ind_land);
        push(id!("value_added_per_ha"), va_per_ha);
        push(id!("rd_intensity"), ratio(f.rd, f.va));
        push(id!("patents"), f.patents);
        push(id!("high_tech_firms"), f.high_tech);
        let st = district_stocks(ctx.districts, district, red_line);
        push(
            id!("zone_residents"),
            zp.residents + st.background_residents,
        );
        push(id!("households"), p.households);
        let pendulum = ratio(zp.living_elsewhere, zp.workers_here);
        push(id!("pendulum_index"), pendulum);
        push(id!("settled_migrants"), p.settled);
        push(id!("left_behind_children"), p.left_behind);
        push(id!("rent_burden"), ratio(p.rent_sum, p.rent_n));
        push(
            id!("idle_land_share"),
            ratio(st.land.idle, st.land.occupied + st.land.idle),
        );
        push(id!("serviced_land_free"), st.land.serviced_free);
        push(id!("housing_occupancy"), ratio(st.occupied, st.housing));
        // Seats per child of the households living here, whether the child lives with them or
        // was left behind for lack of a seat.
        let children = zp.children_all + st.background_residents * bg_children;
        let seats_per_child = ratio(st.seats, children);
        push(id!("school_seats_per_child"), seats_per_child);
        let residents = zp.residents + st.background_residents;
        push(
            id!("commercial_m2_per_resident"),
            ratio(st.commercial, residents),
        );
        let beds_per_1000 = ratio(st.beds, residents / 1000.0);
        push(id!("hospital_beds_per_1000"), beds_per_1000);
        push(id!("pollution_ratio"), st.pollution);
        push(id!("firm_capital"), f.capital);
        push(id!("anchor_capital"), f.anchor_capital);
        push(id!("bank_loans"), f.bank_loans);
        push(id!("automation_share"), ratio(f.automation_w, emp));
        if let Some(d) = district {
            let dd = &ctx.districts[d];
            for (stock, id) in [
                (0, id!("occupancy.market")),
                (1, id!("occupancy.public_rental")),
                (2, id!("occupancy.resettlement")),
                (3, id!("occupancy.dormitory")),
            ] {
                let background = if stock == 0 {
                    f64::from(dd.background_market_units)
                } else {
                    0.0
                };
                push(
                    id,
                    ratio(
                        dd.occupied[stock] as f64 + background,
                        dd.housing[stock].floor(),
                    ),
                );
            }
            push(
                id!("public_capital"),
                dd.roads + dd.utilities + dd.logistics + dd.digital + dd.innovation,
            );
            push(id!("market_rent"), dd.market_rent);
            push(id!("travel_minutes_to_city"), ctx.minutes[(d, ctx.city)]);
        }
        let is_zone_scope = district.is_none_or(|d| ctx.is_cluster[d]);
        if is_zone_scope {
            let z_emp: f64 = zf.emp.iter().sum();
            // City functions are measured against the people the zone's industry employs: its
            // residents plus its workers living elsewhere and their children. Workers moving
            // in then change where people live, not how many the services must serve.
            let served = residents + zp.living_elsewhere + zp.elsewhere_children;
            let served_children = children + zp.elsewhere_children;
            let inputs: super::coupling::Inputs = [
                va_per_ha,
                ratio(zf.va, z_emp),
                ratio(zf.rd, zf.va),
                ratio(zf.chain_x, zf.chain_w),
                ratio(zp.workers_here - zp.living_elsewhere, zp.workers_here),
                ratio(st.seats, served_children),
                ratio(st.beds, served / 1000.0),
                ratio(st.commercial, served),
                ratio(zp.settled, zp.migrant_like),
                st.pollution,
            ];
            let (u1, u2) = super::coupling::subsystems(&inputs, ctx.coupling);
            let dd = super::coupling::coordination(u1, u2);
            push(id!("industry_subsystem"), u1);
            push(id!("city_subsystem"), u2);
            push(
                id!("coupling_type"),
                super::coupling::lag_type(u1, u2, ctx.coupling.synchronous_gap),
            );
            push(id!("coupling_coordination"), dd);
            push(id!("coupling_band"), coupling_band(dd) as f64);
        }
        if district.is_none() {
            region_rows(&mut rows, ctx, state, f.firms);
        }
    }
    Observation {
        record: rows.finish(state.month, state.label.clone()),
        background_va: background_va_total,
    }
}

/// The stocks of a district, or of all cluster districts together (`None`), that the record
/// divides by.
struct Stocks {
    land: Land,
    housing: f64,
    occupied: f64,
    seats: f64,
    beds: f64,
    commercial: f64,
    /// Pollution to the red line (the worst cluster's for the zone).
    pollution: f64,
    background_residents: f64,
}

fn district_stocks(districts: &[District], district: Option<usize>, red_line: f64) -> Stocks {
    match district {
        Some(d) => {
            let d = &districts[d];
            Stocks {
                land: d.land.clone(),
                housing: d.housing[..4].iter().sum::<f64>(),
                occupied: d.occupied[..4].iter().map(|x| *x as f64).sum::<f64>()
                    + f64::from(d.background_market_units),
                seats: d.school_seats,
                beds: d.hospital_beds,
                commercial: d.commercial_floor,
                pollution: d.pollution / red_line,
                background_residents: d.background_residents,
            }
        }
        None => {
            let cl: Vec<&District> = districts
                .iter()
                .filter(|d| d.kind == DistrictKind::Cluster)
                .collect();
            let mut land = Land::default();
            for d in &cl {
                land.total += d.land.total;
                land.reserve += d.land.reserve;
                land.serviced_free += d.land.serviced_free;
                land.occupied += d.land.occupied;
                land.idle += d.land.idle;
            }
            Stocks {
                land,
                housing: cl.iter().map(|d| d.housing[..4].iter().sum::<f64>()).sum(),
                occupied: cl
                    .iter()
                    .map(|d| {
                        d.occupied[..4].iter().map(|x| *x as f64).sum::<f64>()
                            + f64::from(d.background_market_units)
                    })
                    .sum(),
                seats: cl.iter().map(|d| d.school_seats).sum(),
                beds: cl.iter().map(|d| d.hospital_beds).sum(),
                commercial: cl.iter().map(|d| d.commercial_floor).sum(),
                pollution: cl
                    .iter()
                    .map(|d| d.pollution / red_line)
                    .fold(0.0, f64::max),
                background_residents: cl.iter().map(|d| d.background_residents).sum(),
            }
        }
    }
}

/// The region's own rows: the month's events, prices, the public accounts, the labour pools and
/// the families (employment by sector, public cost by lever, capital planned and cut by kind).
/// `operating` is the region's operating firms (the entry and exit rates' base).
fn region_rows(rows: &mut Recorder, ctx: &ObserveContext, state: &ObservedState, operating: f64) {
    let nd = ctx.districts.len();
    let mut push = |id: IndicatorId, value: f64| rows.push(id, value);
    let c = state.counters;
    let active = operating.max(1.0);
    push(id!("firm_entries"), c.entries as f64);
    push(id!("firm_exits"), c.exits as f64);
    push(id!("firm_entry_rate"), c.entries as f64 * 12.0 / active);
    push(id!("firm_exit_rate"), c.exits as f64 * 12.0 / active);
    push(id!("prospects"), c.prospects as f64);
    push(id!("hires"), c.hires as f64);
    push(id!("relocations"), c.relocations as f64);
    push(id!("arrivals"), c.arrivals as f64);
    push(id!("departures"), c.departures as f64);
    let (mut pv, mut v) = (0.0, 0.0);
    let markets = state.markets;
    for (i, p) in markets.price.iter().enumerate() {
        if i % (nd + 1) == nd {
            pv += p * markets.supply[i];
            v += markets.supply[i];
        }
    }
    push(id!("price_index"), ratio(pv, v));
    push(id!("worker_agents"), state.households.len() as f64);
    let [zone_gov, city_gov] = state.accounts;
    let both = |f: fn(&Government) -> f64| f(zone_gov) + f(city_gov);
    let revenue = both(|g| g.annual_revenue());
    push(id!("fiscal_revenue"), revenue);
    push(id!("fiscal_expenditure"), both(|g| g.annual_expenditure()));
    push(id!("land_revenue"), both(|g| g.flows.land_revenue) * 12.0);
    push(
        id!("capital_planned"),
        both(|g| g.flows.capital_planned) * 12.0,
    );
    push(
        id!("capital_spending"),
        both(|g| g.flows.capital_spending) * 12.0,
    );
    push(id!("capital_cut"), both(|g| g.flows.capital_cut) * 12.0);
    push(
        id!("other_public_spending"),
        both(|g| g.flows.other_spending) * 12.0,
    );
    let debt = both(|g| g.debt());
    let ppp = both(|g| g.ppp_obligations());
    push(id!("government_debt"), debt);
    push(id!("ppp_obligations"), ppp);
    push(id!("debt_incl_ppp"), debt + ppp);
    push(id!("debt_to_revenue"), ratio(debt, revenue));
    push(id!("government_cash"), both(|g| g.cash));
    push(id!("zone_account_debt"), zone_gov.debt());
    push(id!("zone_account_cash"), zone_gov.cash);
    push(id!("zone_account_revenue"), zone_gov.annual_revenue());
    push(id!("city_budget_debt"), city_gov.debt());
    push(id!("city_budget_cash"), city_gov.cash);
    push(id!("city_budget_revenue"), city_gov.annual_revenue());
    push(id!("public_cost_cumulative"), state.costs.total());
    let planned: f64 = state.capital.planned.iter().sum();
    let cut: f64 = state.capital.cut.iter().sum();
    push(id!("capital_planned_cumulative"), planned);
    push(id!("capital_cut_cumulative"), cut);
    push(id!("capital_cut_share"), ratio(cut, planned));
    let units: f64 = ctx.districts.iter().map(|d| d.housing[1].floor()).sum();
    let occupied: f64 = ctx.districts.iter().map(|d| d.occupied[1] as f64).sum();
    push(id!("public_rental_units"), units);
    push(id!("occupancy.public_rental"), ratio(occupied, units));
    let waiting: u32 = ctx.districts.iter().map(|d| d.public_rental_waiting).sum();
    push(id!("public_rental_waiting"), f64::from(waiting));
    let fund = state.fund;
    push(id!("guarantee_fund_capital"), fund.capital);
    push(id!("guarantee_fund_losses"), fund.cumulative_losses);
    push(id!("guaranteed_loans"), fund.outstanding);
    push(id!("credit_gap"), c.credit_gap * 12.0);
    push(id!("unfilled_vacancies"), c.unfilled_vacancies as f64);
    push(id!("arrivals_high_skill"), c.arrivals_high_skill as f64);
    push(
        id!("job_finding_rate"),
        ratio(state.prev.hires, state.prev.searchers),
    );
    push(
        id!("high_skill_workers"),
        state.households.skill.iter().filter(|&&k| k == 2).count() as f64,
    );
    push(id!("rural_reserve"), state.pools.rural_reserve.iter().sum());
    push(id!("migrant_pool"), state.pools.migrant_pool);
    for si in 0..ctx.sectors.len() {
        let e: f64 = (0..nd).map(|d| state.prev.employment[d][si]).sum();
        let id = rows.layout.employment(si);
        rows.push(id, e);
    }
    for cost in Cost::ALL {
        let id = rows.layout.public_cost(cost);
        rows.push(id, state.costs.get(cost));
    }
    for k in 0..CAPITAL_KINDS.len() {
        for (cut, values) in [(false, &state.capital.planned), (true, &state.capital.cut)] {
            let id = rows.layout.capital(k, cut);
            rows.push(id, values[k]);
        }
    }
}

// Wiring: the schedule's call of this submodel.
impl Simulation {
    /// Step 9: closes the accounts' month and this month's aggregates, then records the month.
    pub(crate) fn observe(&mut self) -> MonthRecord {
        for gov in &mut self.accounts {
            gov.close_month();
        }
        self.update_previous_aggregates();
        let is_cluster: Vec<bool> = (0..self.districts.len())
            .map(|d| self.is_cluster(d))
            .collect();
        let rural = self.rural_districts();
        let ctx = ObserveContext {
            districts: &self.districts,
            is_cluster: &is_cluster,
            rural: &rural,
            city: self.first_district_of(DistrictKind::City),
            minutes: &self.travel.minutes,
            sectors: &self.economy.sectors,
            rents: Rents {
                ownership_cost_share: self.s.housing.ownership_cost_share,
                public_rental_discount: self.s.policy.public_rental_rent_discount,
                resettlement: self.s.housing.resettlement_rent_cny_month,
                dormitory: self.s.housing.dormitory_rent_cny_month,
                rural: self.s.housing.rural_rent_cny_month,
            },
            red_line: self.s.environment.red_line_stock,
            background_children_per_resident: self.s.households.background_children_per_resident,
            coupling: &self.s.coupling,
        };
        let state = ObservedState {
            month: self.month,
            label: self.month_label(self.month),
            firms: &self.firms,
            households: &self.households,
            prev: &self.prev,
            counters: &self.counters,
            markets: &self.markets,
            background: &self.background,
            accounts: &self.accounts,
            costs: &self.costs,
            capital: &self.capital,
            fund: &self.fund,
            pools: &self.pools,
            layout: self.record_layout.as_ref(),
        };
        let observation = observe(&ctx, &state);
        self.prev.background_va = observation.background_va;
        self.record_layout = Some(Arc::clone(observation.record.layout()));
        observation.record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::agents::Worker;

    /// A hand-made world: district 0 a cluster zone, district 1 the city, 5 minutes within the
    /// zone, 10 within the city, 40 between them; every sector and parameter from the baseline.
    struct World {
        spec: crate::scenario::ScenarioFile,
        districts: Vec<District>,
        sectors: Vec<Sector>,
        minutes: DMatrix<f64>,
        is_cluster: Vec<bool>,
        rural: Vec<bool>,
    }

    fn world() -> World {
        let spec = crate::model::tests::baseline_spec();
        let districts = vec![
            District::from_spec("zone", &spec.districts["zone"]),
            District::from_spec("city", &spec.districts["city"]),
        ];
        assert_eq!(districts[0].kind, DistrictKind::Cluster);
        assert_eq!(districts[1].kind, DistrictKind::City);
        let sectors = super::super::world::Economy::from_spec(&spec).sectors;
        World {
            districts,
            sectors,
            minutes: DMatrix::from_row_slice(2, 2, &[5.0, 40.0, 40.0, 10.0]),
            is_cluster: vec![true, false],
            rural: vec![false, false],
            spec,
        }
    }

    fn context(w: &World) -> ObserveContext<'_> {
        ObserveContext {
            districts: &w.districts,
            is_cluster: &w.is_cluster,
            rural: &w.rural,
            city: 1,
            minutes: &w.minutes,
            sectors: &w.sectors,
            rents: Rents {
                ownership_cost_share: 0.5,
                public_rental_discount: 0.3,
                resettlement: 300.0,
                dormitory: 100.0,
                rural: 200.0,
            },
            red_line: w.spec.environment.red_line_stock,
            background_children_per_resident: 0.0,
            coupling: &w.spec.coupling,
        }
    }

    /// An operating firm of the first sector in `district` with `workers` mid-skill employees.
    fn firm(id: u32, district: usize, workers: u32) -> Firm {
        let mut f = Firm::new(id, u64::from(id), 0, district, FirmStatus::Operating);
        f.employees = [0, workers, 0];
        f.value_added = 1000.0;
        f
    }

    fn household(home: u16, employer: u32, training_left: u8) -> Worker {
        Worker {
            key: 0,
            skill: 1,
            origin: Origin::Migrant,
            residence: home,
            anchor: 0,
            tenure: Tenure::Market,
            employer,
            wage: if employer == NO_FIRM { 0.0 } else { 4000.0 },
            reservation: 0.0,
            months_unemployed: 0,
            months_employed: 0,
            settled: false,
            children: 1,
            children_with: true,
            training_left,
            ordered_by: NO_FIRM,
            review_residence: false,
            waiting: Default::default(),
        }
    }

    /// Two firms (0 in the zone, 1 in the city) and five households: one living and working in
    /// the zone, one living in the city and working in the zone, one living and working in the
    /// city, one unemployed and one in training, both living in the zone.
    fn agents() -> (Vec<Firm>, Households) {
        let firms = vec![firm(0, 0, 2), firm(1, 1, 1)];
        let mut hh = Households::default();
        hh.push(household(0, 0, 0));
        hh.push(household(1, 0, 0));
        hh.push(household(1, 1, 0));
        hh.push(household(0, NO_FIRM, 0));
        hh.push(household(0, NO_FIRM, 3));
        (firms, hh)
    }

    /// The month's record of the hand-made world (every account, counter and pool empty).
    fn record(w: &World, firms: &[Firm], hh: &Households) -> MonthRecord {
        record_following(w, firms, hh, None)
    }

    /// The same, following the layout of an earlier record.
    fn record_following(
        w: &World,
        firms: &[Firm],
        hh: &Households,
        layout: Option<&Arc<RecordLayout>>,
    ) -> MonthRecord {
        let ns = w.sectors.len();
        let prev = Previous {
            employment: vec![vec![0.0; ns]; 2],
            chain: vec![vec![0.5; ns]; 2],
            ..Previous::default()
        };
        let state = ObservedState {
            month: 0,
            label: "2016-01".into(),
            firms,
            households: hh,
            prev: &prev,
            counters: &MonthCounters::default(),
            markets: &Markets::default(),
            background: &Background::new(&w.spec.background),
            accounts: &[Government::new(0.0, 0.0), Government::new(0.0, 0.0)],
            costs: &PublicCosts::default(),
            capital: &CapitalLedger::default(),
            fund: &GuaranteeFund::default(),
            pools: &Pools::default(),
            layout,
        };
        observe(&context(w), &state).record
    }

    /// The pendulum index counts the workers employed in a place who live outside it; for the
    /// region, the zone's workers who live outside every cluster.
    #[test]
    fn the_pendulum_index_counts_the_workers_of_the_zone_living_outside_it() {
        let w = world();
        let (firms, hh) = agents();
        let r = record(&w, &firms, &hh);
        assert_eq!(r.get(Some(0), "pendulum_index"), Some(0.5));
        assert_eq!(r.get(Some(1), "pendulum_index"), Some(0.0));
        assert_eq!(r.get(None, "pendulum_index"), Some(0.5));
        let people = people_totals(&hh, &firms, &context(&w));
        let zone = &people[3];
        assert_eq!((zone.workers_here, zone.living_elsewhere), (2.0, 1.0));
        // The city resident's child counts among the zone workers' children living elsewhere.
        assert_eq!(zone.elsewhere_children, 1.0);
    }

    /// Commute minutes average over the employed, by where they work.
    #[test]
    fn commute_minutes_average_over_the_employed() {
        let w = world();
        let (firms, hh) = agents();
        let r = record(&w, &firms, &hh);
        assert_eq!(r.get(Some(0), "commute_minutes"), Some((5.0 + 40.0) / 2.0));
        assert_eq!(r.get(Some(1), "commute_minutes"), Some(10.0));
        assert_eq!(
            r.get(None, "commute_minutes"),
            Some((5.0 + 40.0 + 10.0) / 3.0)
        );
        assert_eq!(r.get(Some(0), "avg_wage"), Some(4000.0));
    }

    /// Unemployment counts the labour force where people live, without those in training.
    #[test]
    fn unemployment_counts_the_labour_force_without_trainees() {
        let w = world();
        let (firms, hh) = agents();
        let r = record(&w, &firms, &hh);
        assert_eq!(r.get(Some(0), "unemployment_rate"), Some(0.5));
        assert_eq!(r.get(Some(1), "unemployment_rate"), Some(0.0));
        assert_eq!(r.get(None, "unemployment_rate"), Some(0.25));
        assert_eq!(r.get(Some(0), "in_training"), Some(1.0));
        assert_eq!(r.get(None, "in_training"), Some(1.0));
        assert_eq!(r.get(Some(0), "households"), Some(3.0));
        assert_eq!(r.get(None, "worker_agents"), Some(5.0));
    }

    /// Operating firms count their production and jobs; a firm that has not exited keeps its
    /// patents in the count even while idle.
    #[test]
    fn idle_firms_keep_their_patents_but_not_their_production() {
        let w = world();
        let (mut firms, _) = agents();
        let mut idle = firm(2, 0, 0);
        idle.status = FirmStatus::Idle;
        idle.patents = 3;
        firms.push(idle);
        let mut gone = firm(3, 0, 0);
        gone.status = FirmStatus::Exited;
        gone.patents = 5;
        firms.push(gone);
        let chain = vec![vec![0.5; w.sectors.len()]; 2];
        let t = firm_totals(&firms, &w.sectors, &w.is_cluster, &chain);
        assert_eq!(t.len(), 4);
        assert_eq!(
            (t[0].firms, t[1].firms, t[2].firms, t[3].firms),
            (1.0, 1.0, 2.0, 1.0)
        );
        assert_eq!(t[0].va, 12_000.0);
        assert_eq!(t[2].va, 24_000.0);
        assert_eq!(t[0].emp, [0.0, 2.0, 0.0]);
        assert_eq!((t[0].patents, t[2].patents, t[3].patents), (3.0, 3.0, 3.0));
    }

    #[test]
    fn every_recorded_indicator_is_in_the_catalogue() {
        let scenario = crate::scenario::load_builtin()
            .expect("baseline")
            .with_overrides(&[("time.months".into(), 2.0)])
            .expect("override");
        let mut sim = Simulation::new(&scenario, 1);
        let record = sim.step();
        for row in record.rows() {
            let known = indicator(row.indicator).is_some()
                || row
                    .indicator
                    .strip_prefix("employment.")
                    .is_some_and(|s| sim.economy().sectors.iter().any(|x| x.id == s))
                || row
                    .indicator
                    .strip_prefix("public_cost.")
                    .is_some_and(|s| crate::model::costs::Cost::ALL.iter().any(|c| c.id() == s))
                || ["capital_planned.", "capital_cut."].iter().any(|p| {
                    row.indicator.strip_prefix(p).is_some_and(|s| {
                        crate::model::costs::CAPITAL_KINDS
                            .iter()
                            .any(|(_, k)| *k == s)
                    })
                });
            assert!(
                known,
                "indicator `{}` is recorded but not catalogued",
                row.indicator
            );
        }
        // The next month's record follows the same layout: no new names, no new keys.
        let next = sim.step();
        assert!(Arc::ptr_eq(record.layout(), next.layout()));
        assert_eq!(next.rows().len(), record.rows().len());
    }

    /// The interned ids are the catalogue's indices, each name has one, and a record's rows
    /// resolve back to their values by name.
    #[test]
    fn the_interned_ids_cover_the_catalogue() {
        for (i, d) in INDICATORS.iter().enumerate() {
            assert_eq!(
                IndicatorId::of(d.id).index(),
                i,
                "`{}` catalogued twice",
                d.id
            );
        }
        assert!(INDICATORS.len() < usize::from(u16::MAX));
        let w = world();
        let (firms, hh) = agents();
        let r = record(&w, &firms, &hh);
        let layout = r.layout();
        for (i, d) in INDICATORS.iter().enumerate() {
            let id = IndicatorId(i as u16);
            assert_eq!(layout.name(id), d.id);
            assert_eq!(layout.id(d.id), Some(id));
            assert!(
                r.rows().any(|row| row.indicator == d.id),
                "`{}` is catalogued but never recorded",
                d.id
            );
        }
        let sector = &w.sectors[0].id;
        let employment = format!("employment.{sector}");
        assert_eq!(layout.name(layout.employment(0)), employment);
        assert_eq!(
            layout.name(layout.public_cost(Cost::ALL[0])),
            format!("public_cost.{}", Cost::ALL[0].id())
        );
        let kind = CAPITAL_KINDS[2].1;
        assert_eq!(
            layout.name(layout.capital(2, false)),
            format!("capital_planned.{kind}")
        );
        assert_eq!(
            layout.name(layout.capital(2, true)),
            format!("capital_cut.{kind}")
        );
        assert_eq!(layout.len(), r.rows().len());
        for (k, row) in r.rows().enumerate() {
            let first = r
                .rows()
                .position(|x| (x.district, x.indicator) == (row.district, row.indicator));
            assert_eq!(
                first,
                Some(k),
                "`{}` recorded twice for {:?}",
                row.indicator,
                row.district
            );
            assert_eq!(r.get(row.district, row.indicator), Some(row.value));
        }
        assert_eq!(r.get(None, "no_such_indicator"), None);
        assert_eq!(r.get(Some(1), "zone_value_added"), None);
    }

    /// A month whose rows depart from last month's layout (the city became a cluster: it gains
    /// the coupling rows) gets a layout of its own, with the rows of a fresh record.
    #[test]
    fn a_record_departing_from_the_layout_gets_its_own() {
        let w = world();
        let (firms, hh) = agents();
        let first = record(&w, &firms, &hh);
        let same = record_following(&w, &firms, &hh, Some(first.layout()));
        assert!(Arc::ptr_eq(first.layout(), same.layout()));
        let mut w2 = world();
        w2.is_cluster = vec![true, true];
        let departed = record_following(&w2, &firms, &hh, Some(first.layout()));
        let fresh = record(&w2, &firms, &hh);
        assert!(!Arc::ptr_eq(first.layout(), departed.layout()));
        assert!(departed.rows().len() > first.rows().len());
        let rows = |r: &MonthRecord| -> Vec<(Option<usize>, String, u64)> {
            r.rows()
                .map(|x| (x.district, x.indicator.to_string(), x.value.to_bits()))
                .collect()
        };
        assert_eq!(rows(&departed), rows(&fresh));
        assert!(departed.get(Some(1), "coupling_coordination").is_some());
        assert!(first.get(Some(1), "coupling_coordination").is_none());
    }

    /// A negative count or a non-finite value is reported with its row.
    #[test]
    fn first_invalid_names_the_row() {
        let w = world();
        let (firms, mut hh) = agents();
        assert!(record(&w, &firms, &hh).first_invalid().is_none());
        hh.wage[0] = f64::NAN;
        let r = record(&w, &firms, &hh);
        let (row, why) = r.first_invalid().expect("NaN wage");
        assert_eq!((row.district, row.indicator), (Some(0), "avg_wage"));
        assert_eq!(why, "not a finite number");
    }
}
