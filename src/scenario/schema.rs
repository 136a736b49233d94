//! The scenario file format: plain serde structs that mirror the TOML one to one.
//!
//! Every struct denies unknown fields, so a misspelt key is an error that names the key and lists the
//! allowed ones. Every field is required in the merged scenario (the baseline sets them all); a child
//! scenario only overrides what it changes through `extends`. Units are in the field names
//! (`_cny`, `_months`, `_per_year`, `_ha`, `_share`, …) and documented in `scenarios/baseline.toml`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Parent scenario this file overrides (resolved before deserialisation).
    #[serde(default)]
    pub extends: Option<String>,
    pub name: String,
    pub description: String,
    /// The description in Chinese, for Chinese reports (the English one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_zh: Option<String>,
    /// Short labels of the scenario in tables and legends (the name when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
    /// The published statistics `validate` holds the region's totals against.
    #[serde(default)]
    pub statistics: PublishedStatistics,
    pub time: TimeSpec,
    #[serde(rename = "macro")]
    pub macro_: MacroSpec,
    pub districts: BTreeMap<String, DistrictSpec>,
    pub travel: TravelSpec,
    pub sectors: BTreeMap<String, SectorSpec>,
    pub firms: FirmSpec,
    pub entry: EntrySpec,
    pub labour: LabourSpec,
    pub households: HouseholdSpec,
    pub housing: HousingSpec,
    pub land: LandSpec,
    pub infrastructure: InfrastructureSpec,
    pub government: GovernmentSpec,
    pub city_budget: CityBudgetSpec,
    pub lever_costs: LeverCostSpec,
    pub finance: FinanceSpec,
    pub environment: EnvironmentSpec,
    pub background: BackgroundSpec,
    pub coupling: CouplingSpec,
    pub policy: PolicySpec,
    /// Uncertain parameters for sweeps: dotted key → distribution.
    #[serde(default)]
    pub uncertainty: BTreeMap<String, UncertainSpec>,
    /// Later policies of a scenario with timed policy values (`key = { value = V, from = "YYYY-MM" }`),
    /// sorted by month, one per month at which some value changes; empty when nothing is timed.
    /// [`ScenarioFile::policy`] is the policy in force at month 0. Filled by the loader, not read
    /// from the file.
    #[serde(skip)]
    pub policy_schedule: Vec<PolicyChange>,
    /// The policy before the start: the root scenario's of the `extends` chain (for the
    /// baseline, its own). The projects already under way in 2015 went through it, so every
    /// scenario starts from the same history. Filled by the loader.
    #[serde(skip)]
    pub history_policy: Option<PolicySpec>,
}

/// A complete policy that takes effect at a month.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    /// 0-based month index relative to `[time] start` (month 0 is the first simulated month).
    pub month: u32,
    pub policy: PolicySpec,
}

impl ScenarioFile {
    /// The policy in force at a 0-based month (month 0 is `[time] start`).
    pub fn policy_at(&self, month: u32) -> &PolicySpec {
        self.policy_schedule
            .iter()
            .rev()
            .find(|change| change.month <= month)
            .map_or(&self.policy, |change| &change.policy)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TimeSpec {
    /// First simulated month, `YYYY-MM`.
    pub start: String,
    pub months: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MacroSpec {
    /// Real growth of the wage workers can earn outside the region (2015 prices).
    pub outside_wage_growth_per_year: f64,
    /// Nominal benchmark rate; the model pays it in real terms (see `inflation_per_year`).
    pub interest_rate_per_year: f64,
    /// Consumer-price inflation that turns nominal interest rates into real ones: every CNY
    /// amount of the model is in 2015 prices.
    pub inflation_per_year: f64,
    /// Exogenous technical progress available to every firm (and every entrant).
    pub tfp_growth_per_year: f64,
    pub external_demand_growth_per_year: f64,
    /// The trend growth rate itself falls by this fraction each year (China's slowdown).
    pub demand_growth_decay_per_year: f64,
    pub demand_shock_ar1: f64,
    pub demand_shock_sd: f64,
    pub price_elasticity: f64,
    pub price_min: f64,
    pub price_max: f64,
}

/// Which published geography a scenario's region stands for: its totals are checked against that
/// geography's statistics (../shared/data/zhumadian/FACTS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishedStatistics {
    /// 驿城区 with its development and cluster zones, as its bulletins define it (the baseline).
    #[default]
    YichengDistrict,
    /// The whole prefecture, 驻马店市 (the central district and nine counties).
    ZhumadianPrefecture,
    /// No published geography (a stylised region): only the stylized facts are checked.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DistrictKind {
    Cluster,
    City,
    Rural,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DistrictSpec {
    pub kind: DistrictKind,
    pub name_zh: String,
    pub name_en: String,
    pub land_total_ha: f64,
    pub land_serviced_free_ha: f64,
    pub land_occupied_ha: f64,
    pub land_idle_ha: f64,
    pub industrial_land_price_cny_per_ha: f64,
    pub roads_cny: f64,
    pub utilities_cny: f64,
    /// Share of the district's 2015 emissions its treatment capacity removes; the capacity in
    /// pollution units a month (`share / environment.removal_share` of the 2015 emissions, at most
    /// all of them) is derived from the 2015 firms at the start.
    pub environment_treatment_share: f64,
    pub logistics_cny: f64,
    pub digital_cny: f64,
    pub innovation_cny: f64,
    pub training_seats: f64,
    pub school_seats: f64,
    pub hospital_beds: f64,
    pub commercial_floor_m2: f64,
    pub standard_factory_floor_m2: f64,
    pub market_housing_units: f64,
    pub public_rental_units: f64,
    pub resettlement_units: f64,
    pub dormitory_units: f64,
    pub rural_home_units: f64,
    pub market_rent_cny_month: f64,
    /// Residents outside the modelled labour market (children, retirees, other jobs): they spend
    /// locally and use schools and hospitals.
    pub background_residents: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TravelSpec {
    /// Free-flow-less travel minutes between districts today: `minutes.a.b`.
    pub minutes: BTreeMap<String, BTreeMap<String, f64>>,
    pub road_elasticity: f64,
    pub road_reference_cny: f64,
    pub min_share_of_base: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectorGroup {
    Leading,
    Emerging,
    ProducerServices,
    ConsumerServices,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarketScope {
    /// One market for the whole region (traded goods and producer services).
    Region,
    /// One market per district (consumer services sold where people live).
    District,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Premises {
    IndustrialLand,
    CommercialFloor,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SectorSpec {
    pub name_zh: String,
    pub name_en: String,
    pub group: SectorGroup,
    pub market: MarketScope,
    /// Districts kinds where firms of this sector may locate.
    pub locates_in: Vec<DistrictKind>,
    pub capital_elasticity: f64,
    pub labour_elasticity_low: f64,
    pub labour_elasticity_mid: f64,
    pub labour_elasticity_high: f64,
    pub floor_m2_per_worker: f64,
    pub pollution_per_million_cny: f64,
    pub rd_share_of_revenue: f64,
    pub fixed_cost_cny_month: f64,
    pub initial_firms: BTreeMap<String, u32>,
    pub entry_prospects_per_year: f64,
    /// What the firm occupies: industrial land (or standard-factory floor) or commercial floor.
    pub premises: Premises,
    /// Extra external demand per unit of rural e-commerce spending relative to its reference.
    pub ecommerce_demand_gain: f64,
    /// Share of household consumption spent on this sector.
    pub household_budget_share: f64,
    /// Input–output row: inputs bought from each sector per yuan of output.
    pub inputs: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FirmSpec {
    pub size_pareto_shape: f64,
    pub size_min_workers: f64,
    pub size_max_workers: f64,
    pub entrant_size_min_workers: f64,
    pub productivity_shock_sd: f64,
    pub agglomeration_elasticity: f64,
    pub agglomeration_reference_workers: f64,
    pub local_input_cost_saving: f64,
    pub logistics_productivity_gain: f64,
    pub digital_productivity_gain: f64,
    pub utility_productivity_gain: f64,
    pub infrastructure_half_saturation_cny_per_worker: f64,
    pub hiring_adjustment_per_month: f64,
    pub layoff_adjustment_per_month: f64,
    pub layoff_tolerance: f64,
    pub capital_depreciation_per_year: f64,
    pub investment_adjustment_per_month: f64,
    pub wage_premium_step: f64,
    pub wage_premium_max: f64,
    pub idle_after_loss_months: u32,
    pub exit_after_idle_months: u32,
    pub exit_cash_floor_months_of_fixed_cost: f64,
    pub relocation_hazard_per_year: f64,
    pub innovation_rate_per_rd_share: f64,
    /// Elasticity of substitution between firms' varieties (σ): each firm's value added per unit
    /// falls with its output as (y / demand base)^(−1/σ).
    pub demand_elasticity: f64,
    /// Elasticity of productivity to the firm's R&D stock (Hall, Mairesse & Mohnen 2010: 0.05–0.1).
    pub rd_stock_elasticity: f64,
    /// Depreciation of the R&D stock (perpetual inventory).
    pub rd_depreciation_per_year: f64,
    pub high_skill_innovation_gain: f64,
    pub platform_innovation_gain: f64,
    pub high_tech_patent_threshold: u32,
    pub anchor_min_workers: f64,
    pub initial_cash_months_of_revenue: f64,
    /// Cash above this many months of revenue is paid out to owners (dividends leave the region).
    pub max_cash_months_of_revenue: f64,
    pub stalled_project_share: f64,
    pub local_purchase_share: f64,
    pub upgrade_cost_cny_per_low_worker: f64,
    pub upgrade_automation_step: f64,
    /// Years over which an upgrade's wage savings are valued (discounted at the real loan rate).
    pub upgrade_horizon_years: f64,
    /// Mean fixed cost of an upgrade; firms differ by a lognormal factor of mean 1.
    pub upgrade_fixed_cost_cny: f64,
    pub upgrade_fixed_cost_sd_log: f64,
    /// Real yearly change of the per-job cost of automation (robot prices).
    pub robot_price_change_per_year: f64,
    pub max_automation: f64,
    pub rd_subsidy_response: f64,
    pub incubator_fixed_cost_cut: f64,
    pub incubation_months: u32,
    pub incubator_cny_per_firm: f64,
    pub entrant_equity_share: f64,
    pub calibration_scale_workers: f64,
    /// Workers added to each skill's count in production, Y ∝ Π(Lₖ + offset)^βₖ, so that a firm
    /// without a worker of one skill still produces.
    pub labour_offset_workers: f64,
    /// Lower bound on the net price where productivity is backed out (a numerical guard).
    pub net_price_floor: f64,
    /// Monthly fall of a firm's wage premium while its positions fill.
    pub wage_premium_decay_per_month: f64,
    /// 2015 firms were founded up to this many months before the start (uniform).
    pub initial_age_max_months: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySpec {
    pub profit_weight: f64,
    pub land_price_weight_per_million_cny: f64,
    pub approval_weight_per_month: f64,
    pub infrastructure_weight: f64,
    pub supplier_weight: f64,
    pub labour_weight: f64,
    pub outside_option_utility: f64,
    pub approval_abandon_per_month: f64,
    pub construction_months: u32,
    pub land_buffer_share: f64,
    pub promotion_elasticity: f64,
    pub promotion_reference_cny_per_year: f64,
    pub chain_targeting_gain: f64,
    /// Weight of the log wage cost (regional wage relative to the outside wage, times the
    /// district's average premium) in the location logit (MODEL.md §4).
    pub wage_weight: f64,
    /// Lower bound on the profit index before its logarithm (a numerical guard).
    pub profit_index_floor: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabourSpec {
    pub initial_wage_low_cny: f64,
    pub initial_wage_mid_cny: f64,
    pub initial_wage_high_cny: f64,
    pub initial_unemployment_rate: f64,
    pub vacancies_sampled: u32,
    pub employment_service_extra_samples: f64,
    pub employment_service_reference_cny_per_year: f64,
    pub on_the_job_search_share: f64,
    pub quit_rate_per_month: f64,
    pub wage_tightness_response: f64,
    /// Tightness (vacancies − unemployed, per employed) is clamped to ± this before it moves wages.
    pub wage_tightness_bound: f64,
    /// Share of the gap to the outside wage closed each month.
    pub outside_wage_pull_per_month: f64,
    pub reservation_wage_share_of_market: f64,
    pub reservation_decay_per_month: f64,
    pub commute_value_cny_per_minute_month: f64,
    pub max_commute_minutes: f64,
    /// A searcher without a job may take one beyond `max_commute_minutes` by moving into a free
    /// flat or dormitory bed within reach of it (docs/ODD.md §7.6).
    pub relocate_for_work: bool,
    pub retirement_rate_per_year: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdSpec {
    /// 2015 workers have been employed up to this many months (uniform); with
    /// `settlement_months_employed` it sets how many 2015 migrants have settled.
    pub initial_months_employed_max: u32,
    pub rural_reserve_workers: f64,
    pub rural_entry_rate_per_month: f64,
    pub rural_reserve_growth_per_year: f64,
    pub migrant_pool_workers: f64,
    pub migrant_entry_rate_per_month: f64,
    pub city_entrants_per_year: f64,
    pub attractiveness_delay_months: f64,
    pub income_elasticity_of_migration: f64,
    pub skill_share_rural: [f64; 3],
    pub skill_share_migrant: [f64; 3],
    pub skill_share_city: [f64; 3],
    pub children_mean: f64,
    /// Children per household are Poisson(children_mean), capped here.
    pub max_children: u8,
    pub residence_review_share_per_month: f64,
    pub residence_choice_scale_cny: f64,
    pub amenity_school_cny: f64,
    pub amenity_hospital_cny_per_bed_per_1000: f64,
    pub amenity_shops_cny_per_m2_per_capita: f64,
    pub amenity_pollution_cny: f64,
    pub settlement_months_employed: u32,
    pub settlement_rate_per_month: f64,
    pub unemployed_leave_after_months: u32,
    pub unemployed_leave_rate_per_month: f64,
    pub left_behind_children_leave_rate_per_month: f64,
    pub consumption_share_of_income: f64,
    pub training_months: u32,
    pub training_success_share: f64,
    pub training_enrol_rate_per_month: f64,
    pub landless_farmers_per_ha: f64,
    pub background_children_per_resident: f64,
    pub moving_cost_cny: f64,
    pub talent_grant_amortisation_months: f64,
    pub social_security_settlement_gain: f64,
    pub social_security_leave_cut: f64,
    pub ecommerce_reference_cny_per_year: f64,
    /// Origins of the 2015 workforce: local urban, local rural, landless farmer, migrant.
    pub initial_origin_shares: [f64; 4],
    pub dormitory_amenity_cny: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HousingSpec {
    pub construction_months: u32,
    pub construction_cost_cny_per_unit: f64,
    pub developer_margin: f64,
    pub developer_capitalisation_months: f64,
    pub developer_start_share_per_month: f64,
    pub units_per_ha: f64,
    pub rent_adjustment: f64,
    pub target_occupancy: f64,
    pub rural_rent_cny_month: f64,
    pub dormitory_rent_cny_month: f64,
    pub resettlement_rent_cny_month: f64,
    pub depreciation_per_year: f64,
    pub ownership_cost_share: f64,
    /// Market rents do not fall below this yield on the cost of a new unit (building + land).
    pub rent_floor_yield_per_year: f64,
    /// Public rental rules under `as_allocated` eligibility: an urban household is low-income
    /// below this share of the mid-skill wage (its wage; nothing when out of work).
    pub public_rental_income_limit_share: f64,
    /// A skilled worker counts as a new employee for this many months in a job.
    pub public_rental_new_employee_months: u32,
    /// A migrant worker qualifies after this many months in a job (with social insurance).
    pub public_rental_migrant_months_employed: u32,
    /// Share of migrant workers whose employer pays their social insurance.
    pub migrant_insured_share: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LandSpec {
    pub servicing_cost_cny_per_ha: f64,
    pub base_floor_area_ratio: f64,
    pub standard_factory_rent_cny_per_m2_month: f64,
    pub standard_factory_max_workers: f64,
    pub standard_factory_cost_cny_per_m2: f64,
    pub commercial_rent_cny_per_m2_month: f64,
    pub residential_price_cny_per_ha: f64,
    /// Share of idle plots sold on by their owners each year (private resale, without any rule).
    pub idle_resale_share_per_year: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InfrastructureSpec {
    pub construction_months: u32,
    pub depreciation_per_year: f64,
    pub planning_waste_share: f64,
    pub five_plans_waste_share: f64,
    pub five_plans_lag_cut_share: f64,
    pub environment_cost_cny_per_unit_month: f64,
    pub school_seat_cost_cny: f64,
    pub hospital_bed_cost_cny: f64,
    pub commercial_floor_cost_cny_per_m2: f64,
    pub training_seat_cost_cny: f64,
    pub public_housing_cost_cny_per_unit: f64,
    pub maintenance_share_per_year: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GovernmentSpec {
    pub initial_cash_cny: f64,
    pub initial_debt_cny: f64,
    pub vat_rate: f64,
    pub vat_local_share: f64,
    pub income_tax_rate: f64,
    pub income_tax_local_share: f64,
    pub fees_cny_per_worker_month: f64,
    pub transfers_cny_per_year: f64,
    pub administration_cny_per_year: f64,
    pub administration_growth_per_year: f64,
    pub debt_interest_per_year: f64,
    pub bond_interest_per_year: f64,
    pub debt_repayment_share_per_year: f64,
    pub debt_limit_revenue_multiple: f64,
    pub social_security_cny_per_settled_month: f64,
    pub service_cost_cny_per_resident_month: f64,
    pub training_cost_cny_per_seat_month: f64,
    pub cash_buffer_months: f64,
    /// The debt rule compares debt with the average yearly revenue over this many months.
    pub debt_rule_revenue_months: u32,
    /// Land-sale receipts go to a land fund that pays them into the budget over this many months.
    pub land_revenue_spread_months: f64,
    /// Cash above this many months of mandatory spending repays debt (the treasurer's rule).
    pub working_balance_months: f64,
    /// Cash left above the working balance once debt is repaid funds more of the account's capital
    /// plan, in its proportions, up to this multiple of the month's plan; the rest is spent on
    /// public services outside the model's scope (both accounts).
    pub surplus_plan_multiple: f64,
    /// Share of the principal falling due that is refinanced by new debt (借新还旧, refinancing
    /// bonds) rather than repaid from cash (both accounts).
    pub debt_rollover_share: f64,
    /// Share of the cash above the working balance that repays debt early (the rest funds more
    /// of the plan and public services). 0: debt is only repaid as it falls due.
    pub surplus_debt_prepayment_share: f64,
    /// Capital plans follow the economy: each account's plan is its 2015 plan × (its average
    /// yearly revenue / its first year's revenue)^this elasticity (0: fixed in 2015 CNY; 1: a
    /// fixed share of revenue, as investment plans set as shares of the economy behave).
    pub capital_plan_revenue_elasticity: f64,
    /// New-debt quota (新增债务限额): each account may issue government bonds of this share of
    /// its last 12 months' revenue a year, accruing a twelfth a month and lapsing in January,
    /// within its debt limit, to pay its capital plan (bonds finance projects; the revenue they
    /// free pays current spending). 0: no new debt unless cash runs short.
    pub new_debt_quota_revenue_share: f64,
}

/// The city (district) budget: the general budget of the non-zone districts. It collects the
/// taxes of the economy outside the zone and pays the city's services and capital plan; the zone
/// account ([government]) pays the zone's. Interest, repayment and land-fund rules are those of
/// [government].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CityBudgetSpec {
    pub initial_cash_cny: f64,
    pub initial_debt_cny: f64,
    pub transfers_cny_per_year: f64,
    pub administration_cny_per_year: f64,
    pub administration_growth_per_year: f64,
    pub debt_limit_revenue_multiple: f64,
    /// Public services per resident not in the modelled labour market (background residents),
    /// CNY a month.
    pub service_cost_cny_per_background_resident_month: f64,
    pub working_balance_months: f64,
}

/// What the levers without a budget line of their own cost to run.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LeverCostSpec {
    /// Staff and running costs of the one-stop approval centre, CNY a year per month of approval
    /// time cut below `approval_reference_months`.
    pub approval_centre_cny_per_year_per_month_cut: f64,
    pub approval_reference_months: f64,
    /// The promotion team's work (trips, fairs, due diligence) per prospect it targets.
    pub chain_targeting_cny_per_prospect: f64,
    /// Joint planning work of five plans in one, CNY a year.
    pub five_plans_cny_per_year: f64,
    /// The bank–enterprise matching programme, CNY a year.
    pub bank_matching_cny_per_year: f64,
    /// Order training: curriculum and placement work per trainee a firm orders.
    pub order_training_cny_per_trainee: f64,
    /// Compensation to the holder per CNY of the land price of reclaimed idle land.
    pub land_reclamation_compensation_share: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FinanceSpec {
    pub loan_rate_premium_per_year: f64,
    pub collateral_ratio: f64,
    pub bank_matching_collateral_gain: f64,
    pub guarantee_fee_share: f64,
    pub default_recovery_share: f64,
    pub loan_term_months: f64,
    pub ipo_support_cost_cny: f64,
    /// Dividends a listed firm pays on the equity it raised, a year: the raised equity dilutes
    /// the owners rather than being a gift.
    pub listed_dividend_yield_per_year: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentSpec {
    pub decay_per_month: f64,
    /// Share of the emissions a plant treats that it removes: treatment is never complete, so
    /// the pollution stock stays above zero while firms emit, however much capacity is built.
    pub removal_share: f64,
    pub red_line_stock: f64,
    pub red_line_pollution_threshold: f64,
    /// Elasticity of emissions per unit of output to the technology level (exogenous TFP): 1
    /// means emission intensity falls as fast as TFP rises.
    pub intensity_technology_elasticity: f64,
}

/// The district's economy outside the modelled firms, as exogenous growth paths (2015 prices).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundSpec {
    /// Agriculture value added at the start, CNY a year.
    pub primary_cny_per_year: f64,
    pub primary_growth_per_year: f64,
    /// Construction and industry outside the modelled sectors, CNY a year at the start.
    pub secondary_cny_per_year: f64,
    pub secondary_growth_per_year: f64,
    /// Public and other services outside the modelled sectors, per resident and year.
    pub services_cny_per_resident_year: f64,
    pub services_growth_per_year: f64,
    /// Each growth rate slows by this share of itself a year.
    pub growth_decay_per_year: f64,
    /// Local general-budget revenue per CNY of background value added (the city budget's).
    pub tax_share: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CouplingSpec {
    /// Normalisation range and entropy weight of each sub-indicator, from the reference panel
    /// `scenarios/reference/coupling_panel.csv` (see `chancheng coupling-weights`). Money in 2015
    /// prices. Weights are relative within each subsystem.
    pub value_added_per_ha_cny_year: CouplingReference,
    pub labour_productivity_cny_year: CouplingReference,
    pub rd_intensity: CouplingReference,
    pub chain_completeness: CouplingReference,
    pub resident_worker_share: CouplingReference,
    pub school_seats_per_child: CouplingReference,
    pub hospital_beds_per_1000: CouplingReference,
    pub commercial_m2_per_resident: CouplingReference,
    pub settled_share: CouplingReference,
    /// A negative indicator: more pollution is worse.
    pub pollution_to_red_line: CouplingReference,
    /// |U₁ − U₂| at or below which the subsystems count as synchronous (同步型).
    pub synchronous_gap: f64,
}

/// The panel's minimum and maximum of a sub-indicator and its entropy weight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CouplingReference {
    pub min: f64,
    pub max: f64,
    pub weight: f64,
}

/// Infrastructure and public-service investment of one district, per year. Items a plan does not
/// list are not built (0).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct InvestmentPlan {
    pub roads_cny_per_year: f64,
    pub utilities_cny_per_year: f64,
    pub environment_cny_per_year: f64,
    pub logistics_cny_per_year: f64,
    pub digital_cny_per_year: f64,
    pub innovation_cny_per_year: f64,
    pub training_seats_per_year: f64,
    pub school_seats_per_year: f64,
    pub hospital_beds_per_year: f64,
    pub commercial_floor_m2_per_year: f64,
    pub standard_factory_m2_per_year: f64,
    pub public_rental_units_per_year: f64,
    pub resettlement_units_per_year: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicRentalEligibility {
    /// Only high-skill talents.
    TalentsOnly,
    /// As Henan's cities allocate public rental housing (公租房): low-income urban households,
    /// new employees, migrant workers with a stable job and social insurance, and talents, under
    /// the limits of `[housing]`'s `public_rental_*` rules.
    AsAllocated,
    /// Those `as_allocated` admits, and every rural-origin worker (migrants, landless farmers,
    /// local rural) employed in a cluster zone.
    ZoneMigrants,
    /// Those `as_allocated` admits, and anyone employed in a cluster zone.
    ZoneWorkers,
}

impl PublicRentalEligibility {
    /// The rules in order of widening eligibility, by their names in scenario files.
    pub const NAMES: [&'static str; 4] = [
        "talents_only",
        "as_allocated",
        "zone_migrants",
        "zone_workers",
    ];
}

/// The report's levers (R1.1 … R4.4). The baseline holds the 2015 status quo.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    pub promotion_cny_per_year: f64,
    pub chain_targeting_share: f64,
    pub ipo_listings_per_year: f64,
    pub ipo_equity_cny: f64,
    pub interest_subsidy_per_year: f64,
    pub rd_subsidy_share: f64,
    pub tech_upgrade_subsidy_share: f64,
    pub incubator_cny_per_year: f64,
    pub rural_ecommerce_cny_per_year: f64,
    pub five_plans_in_one: bool,
    pub approval_months: f64,
    pub employment_service_cny_per_year: f64,
    pub order_training_share: f64,
    pub talent_settling_grant_cny: f64,
    pub talent_salary_topup_share: f64,
    pub talent_housing: bool,
    pub guarantee_fund_capital_cny: f64,
    pub guarantee_leverage: f64,
    pub bank_enterprise_matching: bool,
    pub special_bond_quota_cny_per_year: f64,
    pub ppp_share: f64,
    pub ppp_contract_years: f64,
    pub ppp_private_cost_of_capital: f64,
    pub ppp_efficiency_gain: f64,
    pub insurance_capital_cny_per_year: f64,
    pub insurance_capital_rate_per_year: f64,
    pub min_floor_area_ratio: f64,
    pub idle_land_reclaim_months: f64,
    pub public_rental_rent_discount: f64,
    pub public_rental_eligibility: PublicRentalEligibility,
    pub social_security_coverage: f64,
    pub citizenisation_months_cut: f64,
    pub environmental_red_line: bool,
    pub land_price_discount: f64,
    pub investment: BTreeMap<String, InvestmentPlan>,
}

/// A distribution for an uncertain parameter (used by sweeps and sensitivity designs):
/// `{ dist = "uniform", low = …, high = … }` or `{ dist = "triangular", low, mode, high }`, with
/// `integer = true` for a whole-number parameter (sampled values are rounded, and only those) and
/// `group = "…"` to compute Sobol indices for a group of parameters together.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UncertainSpec {
    pub dist: Dist,
    pub low: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    pub high: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// The shape of an uncertain parameter's distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dist {
    Uniform,
    Triangular,
}
