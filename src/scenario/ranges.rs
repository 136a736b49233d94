//! The allowed range of every numeric parameter of a scenario, in one table.
//!
//! The loader walks the whole parsed scenario and looks every number up here (policy levers in
//! [`LEVERS`]): a number with no entry is a bug a test catches, so no key goes unchecked. A value
//! must be finite and inside its range; `count` marks whole numbers. Consistency between keys
//! (sums, orderings, references to districts) is checked in `validate.rs`.
//!
//! The ranges say what the model can run with, not what is plausible: plausible ranges for
//! sweeps are in the scenario's `[uncertainty]` table, which must lie inside these.

use super::levers::{LEVERS, LeverKey};

/// One entry: a dotted key pattern (`*` stands for one id: a district, a sector, a component).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamRange {
    pub pattern: &'static str,
    pub low: f64,
    pub high: f64,
    /// The low end itself is not allowed (a positive quantity, a divisor).
    pub low_open: bool,
    /// A whole number (a count of months, firms, samples).
    pub integer: bool,
}

const fn real(pattern: &'static str, low: f64, high: f64) -> ParamRange {
    ParamRange {
        pattern,
        low,
        high,
        low_open: false,
        integer: false,
    }
}
const fn above(pattern: &'static str, low: f64, high: f64) -> ParamRange {
    ParamRange {
        pattern,
        low,
        high,
        low_open: true,
        integer: false,
    }
}
const fn count(pattern: &'static str, low: u32, high: u32) -> ParamRange {
    ParamRange {
        pattern,
        low: low as f64,
        high: high as f64,
        low_open: false,
        integer: true,
    }
}

/// Every numeric key of a scenario but the policy levers, in the order of `baseline.toml`.
pub const PARAMETERS: &[ParamRange] = &[
    // [time]
    count("time.months", 1, 1200),
    // [macro]
    real("macro.outside_wage_growth_per_year", -0.2, 0.3),
    real("macro.interest_rate_per_year", 0.0, 0.3),
    real("macro.inflation_per_year", -0.1, 0.3),
    real("macro.tfp_growth_per_year", -0.1, 0.2),
    real("macro.external_demand_growth_per_year", -0.2, 0.4),
    real("macro.demand_growth_decay_per_year", 0.0, 1.0),
    real("macro.demand_shock_ar1", 0.0, 0.999),
    real("macro.demand_shock_sd", 0.0, 0.5),
    real("macro.price_elasticity", 0.5, 50.0),
    real("macro.price_min", 0.01, 1.0),
    real("macro.price_max", 1.0, 100.0),
    // [districts]
    above("districts.*.land_total_ha", 0.0, 2.0e6),
    real("districts.*.land_serviced_free_ha", 0.0, 2.0e6),
    real("districts.*.land_occupied_ha", 0.0, 2.0e6),
    real("districts.*.land_idle_ha", 0.0, 2.0e6),
    real("districts.*.industrial_land_price_cny_per_ha", 0.0, 1.0e10),
    real("districts.*.roads_cny", 0.0, 1.0e13),
    real("districts.*.utilities_cny", 0.0, 1.0e13),
    real("districts.*.environment_treatment_share", 0.0, 1.0),
    real("districts.*.logistics_cny", 0.0, 1.0e13),
    real("districts.*.digital_cny", 0.0, 1.0e13),
    real("districts.*.innovation_cny", 0.0, 1.0e13),
    real("districts.*.training_seats", 0.0, 1.0e7),
    real("districts.*.school_seats", 0.0, 1.0e7),
    real("districts.*.hospital_beds", 0.0, 1.0e7),
    real("districts.*.commercial_floor_m2", 0.0, 1.0e9),
    real("districts.*.standard_factory_floor_m2", 0.0, 1.0e9),
    real("districts.*.market_housing_units", 0.0, 1.0e7),
    real("districts.*.public_rental_units", 0.0, 1.0e7),
    real("districts.*.resettlement_units", 0.0, 1.0e7),
    real("districts.*.dormitory_units", 0.0, 1.0e7),
    real("districts.*.rural_home_units", 0.0, 1.0e7),
    real("districts.*.market_rent_cny_month", 0.0, 1.0e5),
    real("districts.*.background_residents", 0.0, 1.0e8),
    // [travel]
    real("travel.road_elasticity", 0.0, 1.0),
    above("travel.road_reference_cny", 0.0, 1.0e13),
    real("travel.min_share_of_base", 0.05, 1.0),
    real("travel.minutes.*.*", 1.0, 600.0),
    // [sectors]
    real("sectors.*.capital_elasticity", 0.0, 0.9),
    real("sectors.*.labour_elasticity_low", 0.0, 0.9),
    real("sectors.*.labour_elasticity_mid", 0.0, 0.9),
    real("sectors.*.labour_elasticity_high", 0.0, 0.9),
    above("sectors.*.floor_m2_per_worker", 0.0, 1.0e4),
    real("sectors.*.pollution_per_million_cny", 0.0, 1.0e4),
    real("sectors.*.rd_share_of_revenue", 0.0, 1.0),
    real("sectors.*.fixed_cost_cny_month", 0.0, 1.0e9),
    count("sectors.*.initial_firms.*", 0, 20000),
    real("sectors.*.entry_prospects_per_year", 0.0, 1.0e5),
    real("sectors.*.ecommerce_demand_gain", 0.0, 10.0),
    real("sectors.*.household_budget_share", 0.0, 1.0),
    real("sectors.*.inputs.*", 0.0, 0.9),
    // [firms]
    real("firms.size_pareto_shape", 0.3, 5.0),
    real("firms.size_min_workers", 1.0, 1000.0),
    real("firms.size_max_workers", 1.0, 1.0e6),
    real("firms.entrant_size_min_workers", 1.0, 1000.0),
    real("firms.calibration_scale_workers", 1.0, 10000.0),
    real("firms.labour_offset_workers", 0.01, 10.0),
    real("firms.net_price_floor", 1.0e-6, 0.5),
    count("firms.initial_age_max_months", 1, 1200),
    real("firms.productivity_shock_sd", 0.0, 0.5),
    real("firms.agglomeration_elasticity", 0.0, 0.5),
    above("firms.agglomeration_reference_workers", 0.0, 1.0e7),
    real("firms.local_input_cost_saving", 0.0, 1.0),
    real("firms.logistics_productivity_gain", 0.0, 1.0),
    real("firms.digital_productivity_gain", 0.0, 1.0),
    real("firms.utility_productivity_gain", 0.0, 1.0),
    above(
        "firms.infrastructure_half_saturation_cny_per_worker",
        0.0,
        1.0e9,
    ),
    real("firms.hiring_adjustment_per_month", 0.0, 1.0),
    real("firms.layoff_adjustment_per_month", 0.0, 1.0),
    real("firms.layoff_tolerance", 0.0, 1.0),
    real("firms.capital_depreciation_per_year", 0.0, 1.0),
    real("firms.investment_adjustment_per_month", 0.0, 1.0),
    real("firms.wage_premium_step", 0.0, 0.5),
    real("firms.wage_premium_decay_per_month", 0.0, 0.5),
    real("firms.wage_premium_max", 0.0, 2.0),
    count("firms.idle_after_loss_months", 1, 120),
    count("firms.exit_after_idle_months", 1, 240),
    real("firms.exit_cash_floor_months_of_fixed_cost", 0.0, 240.0),
    real("firms.relocation_hazard_per_year", 0.0, 1.0),
    real("firms.innovation_rate_per_rd_share", 0.0, 100.0),
    real("firms.demand_elasticity", 1.5, 1000.0),
    real("firms.rd_stock_elasticity", 0.0, 0.3),
    real("firms.rd_depreciation_per_year", 0.01, 1.0),
    real("firms.high_skill_innovation_gain", 0.0, 20.0),
    real("firms.platform_innovation_gain", 0.0, 20.0),
    count("firms.high_tech_patent_threshold", 1, 1000),
    real("firms.anchor_min_workers", 1.0, 1.0e6),
    real("firms.initial_cash_months_of_revenue", 0.0, 120.0),
    real("firms.max_cash_months_of_revenue", 0.0, 120.0),
    real("firms.stalled_project_share", 0.0, 1.0),
    real("firms.local_purchase_share", 0.0, 1.0),
    real("firms.upgrade_cost_cny_per_low_worker", 0.0, 1.0e8),
    real("firms.upgrade_automation_step", 0.0, 1.0),
    real("firms.upgrade_horizon_years", 1.0, 30.0),
    real("firms.upgrade_fixed_cost_cny", 0.0, 1.0e10),
    real("firms.upgrade_fixed_cost_sd_log", 0.0, 3.0),
    real("firms.robot_price_change_per_year", -0.3, 0.3),
    real("firms.max_automation", 0.0, 1.0),
    real("firms.rd_subsidy_response", 0.0, 10.0),
    real("firms.incubator_fixed_cost_cut", 0.0, 1.0),
    count("firms.incubation_months", 1, 240),
    above("firms.incubator_cny_per_firm", 0.0, 1.0e9),
    real("firms.entrant_equity_share", 0.0, 1.0),
    // [entry]
    real("entry.profit_weight", 0.0, 100.0),
    real("entry.land_price_weight_per_million_cny", 0.0, 100.0),
    real("entry.approval_weight_per_month", 0.0, 10.0),
    real("entry.infrastructure_weight", 0.0, 100.0),
    real("entry.supplier_weight", 0.0, 100.0),
    real("entry.labour_weight", 0.0, 100.0),
    real("entry.outside_option_utility", -100.0, 100.0),
    real("entry.approval_abandon_per_month", 0.0, 1.0),
    count("entry.construction_months", 0, 120),
    real("entry.land_buffer_share", 0.0, 1.0),
    real("entry.wage_weight", 0.0, 50.0),
    real("entry.profit_index_floor", 1.0e-9, 0.5),
    real("entry.promotion_elasticity", 0.0, 2.0),
    above("entry.promotion_reference_cny_per_year", 0.0, 1.0e12),
    real("entry.chain_targeting_gain", 0.0, 10.0),
    // [labour]
    real("labour.initial_wage_low_cny", 100.0, 1.0e6),
    real("labour.initial_wage_mid_cny", 100.0, 1.0e6),
    real("labour.initial_wage_high_cny", 100.0, 1.0e6),
    real("labour.initial_unemployment_rate", 0.0, 0.5),
    count("labour.vacancies_sampled", 1, 50),
    real("labour.employment_service_extra_samples", 0.0, 50.0),
    above(
        "labour.employment_service_reference_cny_per_year",
        0.0,
        1.0e12,
    ),
    real("labour.on_the_job_search_share", 0.0, 1.0),
    real("labour.quit_rate_per_month", 0.0, 1.0),
    real("labour.wage_tightness_response", 0.0, 1.0),
    real("labour.wage_tightness_bound", 0.0, 10.0),
    real("labour.outside_wage_pull_per_month", 0.0, 1.0),
    real("labour.reservation_wage_share_of_market", 0.0, 1.0),
    real("labour.reservation_decay_per_month", 0.0, 1.0),
    real("labour.commute_value_cny_per_minute_month", 0.0, 1000.0),
    above("labour.max_commute_minutes", 0.0, 600.0),
    real("labour.retirement_rate_per_year", 0.0, 1.0),
    // [households]
    real("households.rural_reserve_workers", 0.0, 1.0e8),
    real("households.rural_entry_rate_per_month", 0.0, 1.0),
    real("households.rural_reserve_growth_per_year", -0.5, 0.5),
    real("households.migrant_pool_workers", 0.0, 1.0e8),
    real("households.migrant_entry_rate_per_month", 0.0, 1.0),
    real("households.city_entrants_per_year", 0.0, 1.0e6),
    real("households.attractiveness_delay_months", 1.0, 120.0),
    real("households.income_elasticity_of_migration", 0.0, 20.0),
    real("households.skill_share_rural", 0.0, 1.0),
    real("households.skill_share_migrant", 0.0, 1.0),
    real("households.skill_share_city", 0.0, 1.0),
    real("households.initial_origin_shares", 0.0, 1.0),
    real("households.children_mean", 0.0, 4.0),
    count("households.max_children", 0, 10),
    real("households.residence_review_share_per_month", 0.0, 1.0),
    above("households.residence_choice_scale_cny", 0.0, 1.0e6),
    real("households.amenity_school_cny", 0.0, 1.0e5),
    real(
        "households.amenity_hospital_cny_per_bed_per_1000",
        0.0,
        1.0e5,
    ),
    real("households.amenity_shops_cny_per_m2_per_capita", 0.0, 1.0e5),
    real("households.amenity_pollution_cny", 0.0, 1.0e5),
    count("households.settlement_months_employed", 0, 600),
    count("households.initial_months_employed_max", 1, 600),
    real("households.settlement_rate_per_month", 0.0, 1.0),
    count("households.unemployed_leave_after_months", 0, 600),
    real("households.unemployed_leave_rate_per_month", 0.0, 1.0),
    real(
        "households.left_behind_children_leave_rate_per_month",
        0.0,
        1.0,
    ),
    real("households.consumption_share_of_income", 0.0, 1.0),
    count("households.training_months", 1, 60),
    real("households.training_success_share", 0.0, 1.0),
    real("households.training_enrol_rate_per_month", 0.0, 1.0),
    real("households.landless_farmers_per_ha", 0.0, 100.0),
    real("households.background_children_per_resident", 0.0, 2.0),
    real("households.moving_cost_cny", 0.0, 1.0e6),
    real("households.talent_grant_amortisation_months", 1.0, 600.0),
    real("households.social_security_settlement_gain", 0.0, 20.0),
    real("households.social_security_leave_cut", 0.0, 1.0),
    above("households.ecommerce_reference_cny_per_year", 0.0, 1.0e12),
    real("households.dormitory_amenity_cny", -1.0e5, 1.0e5),
    // [housing]
    count("housing.construction_months", 1, 120),
    above("housing.construction_cost_cny_per_unit", 0.0, 1.0e8),
    real("housing.developer_margin", 0.0, 5.0),
    real("housing.developer_capitalisation_months", 12.0, 2400.0),
    real("housing.developer_start_share_per_month", 0.0, 1.0),
    above("housing.units_per_ha", 0.0, 1.0e4),
    real("housing.rent_adjustment", 0.0, 1.0),
    real("housing.target_occupancy", 0.0, 1.0),
    real("housing.rural_rent_cny_month", 0.0, 1.0e5),
    real("housing.dormitory_rent_cny_month", 0.0, 1.0e5),
    real("housing.resettlement_rent_cny_month", 0.0, 1.0e5),
    real("housing.depreciation_per_year", 0.0, 1.0),
    real("housing.ownership_cost_share", 0.0, 2.0),
    real("housing.rent_floor_yield_per_year", 0.0, 0.2),
    real("housing.public_rental_income_limit_share", 0.0, 5.0),
    count("housing.public_rental_new_employee_months", 0, 600),
    count("housing.public_rental_migrant_months_employed", 0, 600),
    real("housing.migrant_insured_share", 0.0, 1.0),
    // [land]
    above("land.servicing_cost_cny_per_ha", 0.0, 1.0e10),
    real("land.base_floor_area_ratio", 0.1, 5.0),
    real("land.standard_factory_rent_cny_per_m2_month", 0.0, 1.0e4),
    real("land.standard_factory_max_workers", 1.0, 1.0e5),
    real("land.standard_factory_cost_cny_per_m2", 0.0, 1.0e6),
    real("land.commercial_rent_cny_per_m2_month", 0.0, 1.0e4),
    real("land.residential_price_cny_per_ha", 0.0, 1.0e10),
    real("land.idle_resale_share_per_year", 0.0, 1.0),
    // [infrastructure]
    count("infrastructure.construction_months", 1, 120),
    real("infrastructure.depreciation_per_year", 0.0, 1.0),
    real("infrastructure.planning_waste_share", 0.0, 1.0),
    real("infrastructure.five_plans_waste_share", 0.0, 1.0),
    real("infrastructure.five_plans_lag_cut_share", 0.0, 1.0),
    real(
        "infrastructure.environment_cost_cny_per_unit_month",
        0.0,
        1.0e10,
    ),
    real("infrastructure.school_seat_cost_cny", 0.0, 1.0e8),
    real("infrastructure.hospital_bed_cost_cny", 0.0, 1.0e9),
    real(
        "infrastructure.commercial_floor_cost_cny_per_m2",
        0.0,
        1.0e6,
    ),
    real("infrastructure.training_seat_cost_cny", 0.0, 1.0e8),
    real(
        "infrastructure.public_housing_cost_cny_per_unit",
        0.0,
        1.0e8,
    ),
    real("infrastructure.maintenance_share_per_year", 0.0, 1.0),
    // [government]
    real("government.initial_cash_cny", 0.0, 1.0e13),
    real("government.initial_debt_cny", 0.0, 1.0e13),
    real("government.vat_rate", 0.0, 1.0),
    real("government.vat_local_share", 0.0, 1.0),
    real("government.income_tax_rate", 0.0, 1.0),
    real("government.income_tax_local_share", 0.0, 1.0),
    real("government.fees_cny_per_worker_month", 0.0, 1.0e5),
    real("government.transfers_cny_per_year", 0.0, 1.0e12),
    real("government.administration_cny_per_year", 0.0, 1.0e12),
    real("government.administration_growth_per_year", -0.2, 0.3),
    real("government.debt_interest_per_year", 0.0, 0.5),
    real("government.bond_interest_per_year", 0.0, 0.5),
    real("government.debt_repayment_share_per_year", 0.0, 1.0),
    real("government.debt_limit_revenue_multiple", 0.0, 20.0),
    real(
        "government.social_security_cny_per_settled_month",
        0.0,
        1.0e5,
    ),
    real("government.service_cost_cny_per_resident_month", 0.0, 1.0e5),
    real("government.training_cost_cny_per_seat_month", 0.0, 1.0e6),
    real("government.cash_buffer_months", 0.0, 120.0),
    count("government.debt_rule_revenue_months", 1, 120),
    real("government.land_revenue_spread_months", 1.0, 600.0),
    real("government.working_balance_months", 0.0, 120.0),
    real("government.surplus_plan_multiple", 0.0, 10.0),
    real("government.debt_rollover_share", 0.0, 1.0),
    real("government.surplus_debt_prepayment_share", 0.0, 1.0),
    real("government.capital_plan_revenue_elasticity", 0.0, 3.0),
    real("government.new_debt_quota_revenue_share", 0.0, 1.0),
    // [city_budget]
    real("city_budget.initial_cash_cny", 0.0, 1.0e13),
    real("city_budget.initial_debt_cny", 0.0, 1.0e13),
    real("city_budget.transfers_cny_per_year", 0.0, 1.0e12),
    real("city_budget.administration_cny_per_year", 0.0, 1.0e12),
    real("city_budget.administration_growth_per_year", -0.2, 0.3),
    real("city_budget.debt_limit_revenue_multiple", 0.0, 20.0),
    real(
        "city_budget.service_cost_cny_per_background_resident_month",
        0.0,
        1.0e5,
    ),
    real("city_budget.working_balance_months", 0.0, 120.0),
    // [lever_costs]
    real(
        "lever_costs.approval_centre_cny_per_year_per_month_cut",
        0.0,
        1.0e10,
    ),
    real("lever_costs.approval_reference_months", 0.0, 120.0),
    real("lever_costs.chain_targeting_cny_per_prospect", 0.0, 1.0e10),
    real("lever_costs.five_plans_cny_per_year", 0.0, 1.0e10),
    real("lever_costs.bank_matching_cny_per_year", 0.0, 1.0e10),
    real("lever_costs.order_training_cny_per_trainee", 0.0, 1.0e10),
    real("lever_costs.land_reclamation_compensation_share", 0.0, 2.0),
    // [finance]
    real("finance.loan_rate_premium_per_year", 0.0, 0.5),
    real("finance.collateral_ratio", 0.0, 1.0),
    real("finance.bank_matching_collateral_gain", 0.0, 1.0),
    real("finance.guarantee_fee_share", 0.0, 1.0),
    real("finance.default_recovery_share", 0.0, 1.0),
    real("finance.loan_term_months", 1.0, 600.0),
    real("finance.ipo_support_cost_cny", 0.0, 1.0e10),
    real("finance.listed_dividend_yield_per_year", 0.0, 1.0),
    // [environment]
    real("environment.decay_per_month", 0.0, 1.0),
    above("environment.removal_share", 0.0, 1.0),
    above("environment.red_line_stock", 0.0, 1.0e12),
    real("environment.intensity_technology_elasticity", 0.0, 5.0),
    real("environment.red_line_pollution_threshold", 0.0, 1.0e6),
    // [background]
    real("background.primary_cny_per_year", 0.0, 1.0e13),
    real("background.primary_growth_per_year", -0.2, 0.3),
    real("background.secondary_cny_per_year", 0.0, 1.0e13),
    real("background.secondary_growth_per_year", -0.2, 0.3),
    real("background.services_cny_per_resident_year", 0.0, 1.0e7),
    real("background.services_growth_per_year", -0.2, 0.3),
    real("background.growth_decay_per_year", 0.0, 1.0),
    real("background.tax_share", 0.0, 1.0),
    // [coupling]
    real("coupling.synchronous_gap", 0.0, 1.0),
    // [policy] keys that are not levers (the levers' ranges are in the lever catalogue)
    real("policy.insurance_capital_rate_per_year", 0.0, 0.3),
    // [coupling] (reference ranges and weights, `chancheng coupling-weights`)
    real("coupling.*.min", -1.0e15, 1.0e15),
    real("coupling.*.max", -1.0e15, 1.0e15),
    real("coupling.*.weight", 0.0, 1.0),
];

impl ParamRange {
    pub fn contains(&self, value: f64) -> bool {
        // Written so that NaN fails.
        let above_low = if self.low_open {
            value > self.low
        } else {
            value >= self.low
        };
        above_low && value <= self.high && (!self.integer || value.fract() == 0.0)
    }

    /// What is allowed, for an error message.
    pub fn allowed(&self) -> String {
        let open = if self.low_open { "(" } else { "[" };
        let kind = if self.integer {
            "a whole number"
        } else {
            "a number"
        };
        format!(
            "{kind} in {open}{}, {}]",
            format_number(self.low),
            format_number(self.high)
        )
    }
}

fn matches(pattern: &str, key: &str) -> bool {
    let mut p = pattern.split('.');
    let mut k = key.split('.');
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// The range of a dotted key (`policy.*` from the lever catalogue), if it is a parameter.
pub fn range_of(key: &str) -> Option<ParamRange> {
    let parts: Vec<&str> = key.split('.').collect();
    let lever = match parts.as_slice() {
        ["policy", field] => LEVERS
            .iter()
            .find(|l| matches!(l.key, LeverKey::Policy(f) if f == *field))
            .map(|l| (l.min, l.max)),
        ["policy", "investment", _, field] => LEVERS
            .iter()
            .find(|l| matches!(l.key, LeverKey::Investment(f) if f == *field))
            .map(|l| (l.min, l.max)),
        _ => None,
    };
    if let Some((low, high)) = lever {
        return Some(real("policy", low, high));
    }
    PARAMETERS.iter().find(|r| matches(r.pattern, key)).copied()
}

/// A number as people read it in a message: no 309-digit bounds, NaN and infinities by name.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else if x != 0.0 && (x.abs() >= 1e7 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Checks every number of a scenario (serialised as TOML, `[uncertainty]` excluded) against its
/// range: (dotted key, what is wrong and what is allowed).
pub fn check_numbers(value: &toml::Value) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    walk(value, &mut String::new(), &mut problems);
    problems
}

fn walk(value: &toml::Value, key: &mut String, problems: &mut Vec<(String, String)>) {
    match value {
        toml::Value::Table(table) => {
            for (name, child) in table {
                let len = key.len();
                if !key.is_empty() {
                    key.push('.');
                }
                key.push_str(name);
                walk(child, key, problems);
                key.truncate(len);
            }
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(x) = as_number(item) {
                    check_one(key, x, Some(i), problems);
                }
            }
        }
        other => {
            if let Some(x) = as_number(other) {
                check_one(key, x, None, problems);
            }
        }
    }
}

fn as_number(value: &toml::Value) -> Option<f64> {
    match value {
        toml::Value::Float(x) => Some(*x),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

fn check_one(key: &str, x: f64, element: Option<usize>, problems: &mut Vec<(String, String)>) {
    let what = match element {
        Some(i) => format!("element {} = {}", i + 1, format_number(x)),
        None => format!("value {}", format_number(x)),
    };
    match range_of(key) {
        Some(range) if range.contains(x) => {}
        Some(range) => problems.push((
            key.to_string(),
            format!("{what} is not allowed: {}", range.allowed()),
        )),
        None => problems.push((
            key.to_string(),
            format!(
                "{what} has no declared range (a bug in chancheng: add it to scenario/ranges.rs)"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_keys(value: &toml::Value, key: &str, out: &mut Vec<(String, toml::Value)>) {
        match value {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let child = if key.is_empty() {
                        k.clone()
                    } else {
                        format!("{key}.{k}")
                    };
                    numeric_keys(v, &child, out);
                }
            }
            toml::Value::Array(items) => {
                for item in items {
                    numeric_keys(item, key, out);
                }
            }
            toml::Value::Integer(_) | toml::Value::Float(_) => {
                out.push((key.to_string(), value.clone()))
            }
            _ => {}
        }
    }

    fn baseline_keys() -> Vec<(String, toml::Value)> {
        let scenario = crate::scenario::load_builtin().expect("baseline loads");
        let mut value = toml::Value::try_from(scenario.spec()).expect("serialises");
        if let Some(t) = value.as_table_mut() {
            t.remove("uncertainty");
        }
        let mut keys = Vec::new();
        numeric_keys(&value, "", &mut keys);
        keys
    }

    #[test]
    fn every_entry_names_a_key_with_the_right_type() {
        let keys = baseline_keys();
        for range in PARAMETERS {
            let hits: Vec<&toml::Value> = keys
                .iter()
                .filter(|(k, _)| matches(range.pattern, k))
                .map(|(_, v)| v)
                .collect();
            assert!(
                !hits.is_empty(),
                "`{}` names no key of the baseline",
                range.pattern
            );
            for v in hits {
                assert_eq!(
                    range.integer,
                    v.is_integer(),
                    "`{}`: whole-number flag differs from the schema's type",
                    range.pattern
                );
            }
            assert!(
                range.low < range.high && range.high.is_finite(),
                "{}",
                range.pattern
            );
        }
    }

    #[test]
    fn the_baseline_and_its_uncertainty_table_lie_inside_the_ranges() {
        for (key, value) in baseline_keys() {
            let x = value.as_float().or(value.as_integer().map(|i| i as f64));
            let range = range_of(&key).unwrap_or_else(|| panic!("`{key}` has no range"));
            assert!(range.contains(x.unwrap_or(f64::NAN)), "{key} = {value}");
        }
        let scenario = crate::scenario::load_builtin().expect("baseline loads");
        assert!(!scenario.spec().uncertainty.is_empty());
        for key in scenario.spec().uncertainty.keys() {
            assert!(range_of(key).is_some(), "uncertain `{key}` has no range");
        }
    }

    #[test]
    fn numbers_read_well_in_messages() {
        assert_eq!(format_number(f64::MAX), "1.7976931348623157e308");
        assert_eq!(format_number(1e12), "1e12");
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(format_number(-150.0), "-150");
        assert_eq!(format_number(f64::NAN), "NaN");
    }
}
