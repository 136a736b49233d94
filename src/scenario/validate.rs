//! Range and consistency checks that turn a parsed [`ScenarioFile`] into a runnable scenario.
//! Each problem is returned as (dotted key, message saying what is allowed).

use super::levers::{LEVERS, LeverKey};
use super::schema::*;

struct Checker {
    problems: Vec<(String, String)>,
}

impl Checker {
    fn range(&mut self, key: impl Into<String>, value: f64, low: f64, high: f64) {
        if !value.is_finite() || value < low || value > high {
            self.problems.push((
                key.into(),
                format!("value {value} is out of range: allowed {low} ..= {high}"),
            ));
        }
    }
    fn share(&mut self, key: impl Into<String>, value: f64) {
        self.range(key, value, 0.0, 1.0);
    }
    fn non_negative(&mut self, key: impl Into<String>, value: f64) {
        self.range(key, value, 0.0, f64::MAX);
    }
    fn positive(&mut self, key: impl Into<String>, value: f64) {
        if !value.is_finite() || value <= 0.0 {
            self.problems.push((
                key.into(),
                format!("value {value} must be a finite number > 0"),
            ));
        }
    }
    fn fail(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push((key.into(), message.into()));
    }
}

/// Parse `YYYY-MM` into (year, month).
pub fn parse_year_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    let year: i32 = y.parse().ok()?;
    let month: u32 = m.parse().ok()?;
    ((1900..=2200).contains(&year) && (1..=12).contains(&month) && m.len() == 2)
        .then_some((year, month))
}

pub fn validate(s: &ScenarioFile) -> Vec<(String, String)> {
    let mut c = Checker {
        problems: Vec::new(),
    };
    if s.name.trim().is_empty()
        || !s
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        c.fail(
            "name",
            format!(
                "`{}` is not allowed: use letters, digits, '-' and '_' (it names the output folder)",
                s.name
            ),
        );
    }
    if parse_year_month(&s.time.start).is_none() {
        c.fail(
            "time.start",
            format!(
                "`{}` is not a month: write YYYY-MM, e.g. \"2016-01\"",
                s.time.start
            ),
        );
    }
    c.range("time.months", s.time.months as f64, 1.0, 1200.0);

    let m = &s.macro_;
    c.range(
        "macro.outside_wage_growth_per_year",
        m.outside_wage_growth_per_year,
        -0.2,
        0.3,
    );
    c.range(
        "macro.interest_rate_per_year",
        m.interest_rate_per_year,
        0.0,
        0.3,
    );
    c.range("macro.inflation_per_year", m.inflation_per_year, -0.1, 0.3);
    c.range(
        "macro.tfp_growth_per_year",
        m.tfp_growth_per_year,
        -0.1,
        0.2,
    );
    c.range(
        "macro.external_demand_growth_per_year",
        m.external_demand_growth_per_year,
        -0.2,
        0.4,
    );
    c.share(
        "macro.demand_growth_decay_per_year",
        m.demand_growth_decay_per_year,
    );
    c.range("macro.demand_shock_ar1", m.demand_shock_ar1, 0.0, 0.999);
    c.range("macro.demand_shock_sd", m.demand_shock_sd, 0.0, 0.5);
    c.range("macro.price_elasticity", m.price_elasticity, 0.5, 50.0);
    c.range("macro.price_min", m.price_min, 0.01, 1.0);
    c.range("macro.price_max", m.price_max, 1.0, 100.0);

    check_districts(&mut c, s);
    check_sectors(&mut c, s);
    check_shares_and_rates(&mut c, s);
    check_policy(&mut c, s);
    c.problems
}

fn check_districts(c: &mut Checker, s: &ScenarioFile) {
    if !s
        .districts
        .values()
        .any(|d| d.kind == DistrictKind::Cluster)
    {
        c.fail(
            "districts",
            "at least one district must have kind = \"cluster\"",
        );
    }
    for (id, d) in &s.districts {
        let k = |f: &str| format!("districts.{id}.{f}");
        c.positive(k("land_total_ha"), d.land_total_ha);
        c.share(
            k("environment_treatment_share"),
            d.environment_treatment_share,
        );
        for (f, v) in [
            ("land_serviced_free_ha", d.land_serviced_free_ha),
            ("land_occupied_ha", d.land_occupied_ha),
            ("land_idle_ha", d.land_idle_ha),
            (
                "industrial_land_price_cny_per_ha",
                d.industrial_land_price_cny_per_ha,
            ),
            ("roads_cny", d.roads_cny),
            ("utilities_cny", d.utilities_cny),
            ("logistics_cny", d.logistics_cny),
            ("digital_cny", d.digital_cny),
            ("innovation_cny", d.innovation_cny),
            ("training_seats", d.training_seats),
            ("school_seats", d.school_seats),
            ("hospital_beds", d.hospital_beds),
            ("commercial_floor_m2", d.commercial_floor_m2),
            ("standard_factory_floor_m2", d.standard_factory_floor_m2),
            ("market_housing_units", d.market_housing_units),
            ("public_rental_units", d.public_rental_units),
            ("resettlement_units", d.resettlement_units),
            ("dormitory_units", d.dormitory_units),
            ("rural_home_units", d.rural_home_units),
            ("market_rent_cny_month", d.market_rent_cny_month),
            ("background_residents", d.background_residents),
        ] {
            c.non_negative(k(f), v);
        }
        let used = d.land_serviced_free_ha + d.land_occupied_ha + d.land_idle_ha;
        if used > d.land_total_ha {
            c.fail(
                k("land_total_ha"),
                format!(
                    "serviced-free + occupied + idle land = {used} ha exceeds the total {} ha",
                    d.land_total_ha
                ),
            );
        }
    }
    let ids: Vec<&String> = s.districts.keys().collect();
    for (from, row) in &s.travel.minutes {
        if !s.districts.contains_key(from) {
            c.fail(
                format!("travel.minutes.{from}"),
                format!("unknown district; allowed: {ids:?}"),
            );
        }
        for (to, minutes) in row {
            if !s.districts.contains_key(to) {
                c.fail(
                    format!("travel.minutes.{from}.{to}"),
                    format!("unknown district; allowed: {ids:?}"),
                );
            }
            c.range(format!("travel.minutes.{from}.{to}"), *minutes, 1.0, 600.0);
        }
    }
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i..] {
            let given =
                |x: &str, y: &str| s.travel.minutes.get(x).is_some_and(|r| r.contains_key(y));
            if !given(a, b) && !given(b, a) {
                c.fail(
                    "travel.minutes",
                    format!("no travel time between `{a}` and `{b}` (within a district too): add travel.minutes.{a}.{b}"),
                );
            }
        }
    }
    c.range("travel.road_elasticity", s.travel.road_elasticity, 0.0, 1.0);
    c.positive("travel.road_reference_cny", s.travel.road_reference_cny);
    c.range(
        "travel.min_share_of_base",
        s.travel.min_share_of_base,
        0.05,
        1.0,
    );
}

fn check_sectors(c: &mut Checker, s: &ScenarioFile) {
    if s.sectors.is_empty() {
        c.fail("sectors", "at least one sector is needed");
    }
    let sector_ids: Vec<&String> = s.sectors.keys().collect();
    let district_ids: Vec<&String> = s.districts.keys().collect();
    for (id, sec) in &s.sectors {
        let k = |f: &str| format!("sectors.{id}.{f}");
        c.range(k("capital_elasticity"), sec.capital_elasticity, 0.0, 0.9);
        c.range(
            k("labour_elasticity_low"),
            sec.labour_elasticity_low,
            0.0,
            0.9,
        );
        c.range(
            k("labour_elasticity_mid"),
            sec.labour_elasticity_mid,
            0.0,
            0.9,
        );
        c.range(
            k("labour_elasticity_high"),
            sec.labour_elasticity_high,
            0.0,
            0.9,
        );
        let labour =
            sec.labour_elasticity_low + sec.labour_elasticity_mid + sec.labour_elasticity_high;
        if labour <= 0.0 {
            c.fail(
                k("labour_elasticity_low"),
                "the three labour elasticities must sum to > 0",
            );
        }
        let returns = sec.capital_elasticity + labour;
        if returns >= 0.95 {
            c.fail(
                k("capital_elasticity"),
                format!(
                    "capital + labour elasticities = {returns:.3} must stay below 0.95 \
                     (decreasing returns give firms a finite size)"
                ),
            );
        }
        let inputs: f64 = sec.inputs.values().sum();
        if inputs >= 0.9 {
            c.fail(
                k("inputs"),
                format!("input coefficients sum to {inputs:.3}; allowed below 0.9"),
            );
        }
        c.positive(k("floor_m2_per_worker"), sec.floor_m2_per_worker);
        c.non_negative(
            k("pollution_per_million_cny"),
            sec.pollution_per_million_cny,
        );
        c.share(k("rd_share_of_revenue"), sec.rd_share_of_revenue);
        c.non_negative(k("fixed_cost_cny_month"), sec.fixed_cost_cny_month);
        c.non_negative(k("entry_prospects_per_year"), sec.entry_prospects_per_year);
        c.non_negative(k("ecommerce_demand_gain"), sec.ecommerce_demand_gain);
        c.share(k("household_budget_share"), sec.household_budget_share);
        if sec.locates_in.is_empty() {
            c.fail(
                k("locates_in"),
                "list at least one district kind: cluster, city or rural",
            );
        }
        for (input, coef) in &sec.inputs {
            if !s.sectors.contains_key(input) {
                c.fail(
                    format!("sectors.{id}.inputs.{input}"),
                    format!("unknown sector; allowed: {sector_ids:?}"),
                );
            }
            c.range(format!("sectors.{id}.inputs.{input}"), *coef, 0.0, 0.9);
        }
        for (district, n) in &sec.initial_firms {
            match s.districts.get(district) {
                None => c.fail(
                    format!("sectors.{id}.initial_firms.{district}"),
                    format!("unknown district; allowed: {district_ids:?}"),
                ),
                Some(d) if *n > 0 && !sec.locates_in.contains(&d.kind) => c.fail(
                    format!("sectors.{id}.initial_firms.{district}"),
                    format!(
                        "district `{district}` is of kind {:?}, where this sector does not locate \
                         (locates_in = {:?})",
                        d.kind, sec.locates_in
                    ),
                ),
                _ => {}
            }
        }
    }
    let budget: f64 = s.sectors.values().map(|x| x.household_budget_share).sum();
    if budget > 1.0 + 1e-9 {
        c.fail(
            "sectors",
            format!("household_budget_share sums to {budget:.3} over sectors; allowed at most 1"),
        );
    }
}

fn check_shares_and_rates(c: &mut Checker, s: &ScenarioFile) {
    let f = &s.firms;
    c.range("firms.size_pareto_shape", f.size_pareto_shape, 0.3, 5.0);
    c.range("firms.size_min_workers", f.size_min_workers, 1.0, 1000.0);
    c.range(
        "firms.size_max_workers",
        f.size_max_workers,
        f.size_min_workers,
        1e6,
    );
    c.range(
        "firms.entrant_size_min_workers",
        f.entrant_size_min_workers,
        1.0,
        1000.0,
    );
    c.range(
        "firms.productivity_shock_sd",
        f.productivity_shock_sd,
        0.0,
        0.5,
    );
    c.range(
        "firms.agglomeration_elasticity",
        f.agglomeration_elasticity,
        0.0,
        0.5,
    );
    c.positive(
        "firms.agglomeration_reference_workers",
        f.agglomeration_reference_workers,
    );
    c.share("firms.local_input_cost_saving", f.local_input_cost_saving);
    c.range(
        "firms.hiring_adjustment_per_month",
        f.hiring_adjustment_per_month,
        0.0,
        1.0,
    );
    c.range(
        "firms.layoff_adjustment_per_month",
        f.layoff_adjustment_per_month,
        0.0,
        1.0,
    );
    c.share(
        "firms.capital_depreciation_per_year",
        f.capital_depreciation_per_year,
    );
    c.share(
        "firms.investment_adjustment_per_month",
        f.investment_adjustment_per_month,
    );
    c.share("firms.stalled_project_share", f.stalled_project_share);
    c.share(
        "firms.relocation_hazard_per_year",
        f.relocation_hazard_per_year,
    );
    c.share("firms.local_purchase_share", f.local_purchase_share);
    c.range(
        "firms.max_cash_months_of_revenue",
        f.max_cash_months_of_revenue,
        0.0,
        120.0,
    );
    c.share("firms.max_automation", f.max_automation);
    c.share("firms.upgrade_automation_step", f.upgrade_automation_step);
    c.share("firms.incubator_fixed_cost_cut", f.incubator_fixed_cost_cut);
    c.share("firms.entrant_equity_share", f.entrant_equity_share);
    c.positive("firms.incubator_cny_per_firm", f.incubator_cny_per_firm);
    c.range(
        "firms.upgrade_horizon_years",
        f.upgrade_horizon_years,
        1.0,
        30.0,
    );
    c.non_negative("firms.upgrade_fixed_cost_cny", f.upgrade_fixed_cost_cny);
    c.range(
        "firms.upgrade_fixed_cost_sd_log",
        f.upgrade_fixed_cost_sd_log,
        0.0,
        3.0,
    );
    c.range(
        "firms.robot_price_change_per_year",
        f.robot_price_change_per_year,
        -0.3,
        0.3,
    );
    c.positive(
        "firms.infrastructure_half_saturation_cny_per_worker",
        f.infrastructure_half_saturation_cny_per_worker,
    );

    let e = &s.entry;
    c.share(
        "entry.approval_abandon_per_month",
        e.approval_abandon_per_month,
    );
    c.share("entry.land_buffer_share", e.land_buffer_share);
    c.positive(
        "entry.promotion_reference_cny_per_year",
        e.promotion_reference_cny_per_year,
    );

    let l = &s.labour;
    for (k, v) in [
        ("labour.initial_wage_low_cny", l.initial_wage_low_cny),
        ("labour.initial_wage_mid_cny", l.initial_wage_mid_cny),
        ("labour.initial_wage_high_cny", l.initial_wage_high_cny),
    ] {
        c.range(k, v, 100.0, 1e6);
    }
    c.range(
        "labour.initial_unemployment_rate",
        l.initial_unemployment_rate,
        0.0,
        0.5,
    );
    c.range(
        "labour.vacancies_sampled",
        l.vacancies_sampled as f64,
        1.0,
        50.0,
    );
    c.share("labour.on_the_job_search_share", l.on_the_job_search_share);
    c.share(
        "labour.outside_wage_pull_per_month",
        l.outside_wage_pull_per_month,
    );
    c.share("labour.quit_rate_per_month", l.quit_rate_per_month);
    c.share(
        "labour.reservation_wage_share_of_market",
        l.reservation_wage_share_of_market,
    );
    c.share(
        "labour.reservation_decay_per_month",
        l.reservation_decay_per_month,
    );
    c.share(
        "labour.retirement_rate_per_year",
        l.retirement_rate_per_year,
    );
    c.positive("labour.max_commute_minutes", l.max_commute_minutes);

    let h = &s.households;
    for (k, shares) in [
        ("households.skill_share_rural", h.skill_share_rural),
        ("households.skill_share_migrant", h.skill_share_migrant),
        ("households.skill_share_city", h.skill_share_city),
    ] {
        let sum: f64 = shares.iter().sum();
        if shares.iter().any(|x| *x < 0.0) || (sum - 1.0).abs() > 1e-6 {
            c.fail(
                k,
                format!("three shares (low, mid, high) ≥ 0 summing to 1; these sum to {sum}"),
            );
        }
    }
    c.share(
        "households.rural_entry_rate_per_month",
        h.rural_entry_rate_per_month,
    );
    c.share(
        "households.migrant_entry_rate_per_month",
        h.migrant_entry_rate_per_month,
    );
    c.share(
        "households.residence_review_share_per_month",
        h.residence_review_share_per_month,
    );
    c.share(
        "households.settlement_rate_per_month",
        h.settlement_rate_per_month,
    );
    c.share(
        "households.unemployed_leave_rate_per_month",
        h.unemployed_leave_rate_per_month,
    );
    c.share(
        "households.consumption_share_of_income",
        h.consumption_share_of_income,
    );
    c.share(
        "households.training_success_share",
        h.training_success_share,
    );
    c.share(
        "households.training_enrol_rate_per_month",
        h.training_enrol_rate_per_month,
    );
    c.range(
        "households.attractiveness_delay_months",
        h.attractiveness_delay_months,
        1.0,
        120.0,
    );
    c.positive(
        "households.residence_choice_scale_cny",
        h.residence_choice_scale_cny,
    );
    c.range("households.children_mean", h.children_mean, 0.0, 4.0);
    c.range("households.max_children", h.max_children as f64, 0.0, 10.0);

    let hs = &s.housing;
    c.range(
        "firms.demand_elasticity",
        s.firms.demand_elasticity,
        1.5,
        1000.0,
    );
    c.range(
        "firms.rd_stock_elasticity",
        s.firms.rd_stock_elasticity,
        0.0,
        0.3,
    );
    c.range(
        "firms.rd_depreciation_per_year",
        s.firms.rd_depreciation_per_year,
        0.01,
        1.0,
    );
    c.range(
        "firms.labour_offset_workers",
        s.firms.labour_offset_workers,
        0.01,
        10.0,
    );
    c.range("firms.net_price_floor", s.firms.net_price_floor, 1e-6, 0.5);
    c.range(
        "firms.wage_premium_decay_per_month",
        s.firms.wage_premium_decay_per_month,
        0.0,
        0.5,
    );
    c.range(
        "firms.initial_age_max_months",
        f64::from(s.firms.initial_age_max_months),
        1.0,
        1200.0,
    );
    c.range("entry.wage_weight", s.entry.wage_weight, 0.0, 50.0);
    c.range(
        "entry.profit_index_floor",
        s.entry.profit_index_floor,
        1e-9,
        0.5,
    );
    c.range(
        "labour.wage_tightness_bound",
        s.labour.wage_tightness_bound,
        0.0,
        10.0,
    );
    c.range(
        "households.initial_months_employed_max",
        f64::from(s.households.initial_months_employed_max),
        1.0,
        600.0,
    );
    c.share("housing.target_occupancy", hs.target_occupancy);
    c.share(
        "housing.developer_start_share_per_month",
        hs.developer_start_share_per_month,
    );
    c.positive("housing.units_per_ha", hs.units_per_ha);
    c.positive(
        "housing.construction_cost_cny_per_unit",
        hs.construction_cost_cny_per_unit,
    );
    c.share("housing.depreciation_per_year", hs.depreciation_per_year);
    c.range(
        "housing.rent_floor_yield_per_year",
        hs.rent_floor_yield_per_year,
        0.0,
        0.2,
    );

    c.positive(
        "land.servicing_cost_cny_per_ha",
        s.land.servicing_cost_cny_per_ha,
    );
    c.range(
        "land.base_floor_area_ratio",
        s.land.base_floor_area_ratio,
        0.1,
        5.0,
    );

    let i = &s.infrastructure;
    c.share(
        "infrastructure.depreciation_per_year",
        i.depreciation_per_year,
    );
    c.share(
        "infrastructure.planning_waste_share",
        i.planning_waste_share,
    );
    c.share(
        "infrastructure.five_plans_waste_share",
        i.five_plans_waste_share,
    );
    c.share(
        "infrastructure.five_plans_lag_cut_share",
        i.five_plans_lag_cut_share,
    );
    c.share(
        "infrastructure.maintenance_share_per_year",
        i.maintenance_share_per_year,
    );

    let g = &s.government;
    c.share("government.vat_rate", g.vat_rate);
    c.range(
        "government.debt_rule_revenue_months",
        f64::from(g.debt_rule_revenue_months),
        1.0,
        120.0,
    );
    c.range(
        "government.land_revenue_spread_months",
        g.land_revenue_spread_months,
        1.0,
        600.0,
    );
    c.share("government.vat_local_share", g.vat_local_share);
    c.share("government.income_tax_rate", g.income_tax_rate);
    c.share(
        "government.income_tax_local_share",
        g.income_tax_local_share,
    );
    c.share(
        "government.debt_repayment_share_per_year",
        g.debt_repayment_share_per_year,
    );
    c.range(
        "government.debt_limit_revenue_multiple",
        g.debt_limit_revenue_multiple,
        0.0,
        20.0,
    );
    c.non_negative("government.initial_debt_cny", g.initial_debt_cny);

    let fin = &s.finance;
    c.share("finance.collateral_ratio", fin.collateral_ratio);
    c.share("finance.default_recovery_share", fin.default_recovery_share);
    c.share("finance.guarantee_fee_share", fin.guarantee_fee_share);
    c.range("finance.loan_term_months", fin.loan_term_months, 1.0, 600.0);

    c.share("environment.decay_per_month", s.environment.decay_per_month);
    c.positive("environment.red_line_stock", s.environment.red_line_stock);
    c.range(
        "environment.intensity_technology_elasticity",
        s.environment.intensity_technology_elasticity,
        0.0,
        5.0,
    );

    for (component, r) in crate::model::coupling::COMPONENTS
        .iter()
        .zip(s.coupling.references())
    {
        let key = format!("coupling.{}", component.key);
        // Written so that NaN fails too.
        if !(r.max > r.min && r.weight >= 0.0 && r.min.is_finite() && r.max.is_finite()) {
            c.fail(
                key,
                format!(
                    "needs finite min < max and weight >= 0; got min = {}, max = {}, weight = {}",
                    r.min, r.max, r.weight
                ),
            );
        }
    }
    c.range(
        "coupling.synchronous_gap",
        s.coupling.synchronous_gap,
        0.0,
        1.0,
    );

    let b = &s.background;
    c.non_negative("background.primary_cny_per_year", b.primary_cny_per_year);
    c.non_negative(
        "background.secondary_cny_per_year",
        b.secondary_cny_per_year,
    );
    c.non_negative(
        "background.services_cny_per_resident_year",
        b.services_cny_per_resident_year,
    );
    for (key, rate) in [
        ("primary_growth_per_year", b.primary_growth_per_year),
        ("secondary_growth_per_year", b.secondary_growth_per_year),
        ("services_growth_per_year", b.services_growth_per_year),
    ] {
        c.range(format!("background.{key}"), rate, -0.2, 0.3);
    }
    c.share("background.growth_decay_per_year", b.growth_decay_per_year);
    c.share("background.tax_share", b.tax_share);

    c.range(
        "government.working_balance_months",
        g.working_balance_months,
        0.0,
        120.0,
    );
    c.range(
        "government.surplus_plan_multiple",
        g.surplus_plan_multiple,
        0.0,
        10.0,
    );
    let cb = &s.city_budget;
    c.non_negative("city_budget.initial_cash_cny", cb.initial_cash_cny);
    c.non_negative("city_budget.initial_debt_cny", cb.initial_debt_cny);
    c.non_negative(
        "city_budget.transfers_cny_per_year",
        cb.transfers_cny_per_year,
    );
    c.non_negative(
        "city_budget.administration_cny_per_year",
        cb.administration_cny_per_year,
    );
    c.range(
        "city_budget.administration_growth_per_year",
        cb.administration_growth_per_year,
        -0.2,
        0.3,
    );
    c.range(
        "city_budget.debt_limit_revenue_multiple",
        cb.debt_limit_revenue_multiple,
        0.0,
        20.0,
    );
    c.non_negative(
        "city_budget.service_cost_cny_per_background_resident_month",
        cb.service_cost_cny_per_background_resident_month,
    );
    c.range(
        "city_budget.working_balance_months",
        cb.working_balance_months,
        0.0,
        120.0,
    );
    let lc = &s.lever_costs;
    for (key, value) in [
        (
            "approval_centre_cny_per_year_per_month_cut",
            lc.approval_centre_cny_per_year_per_month_cut,
        ),
        ("approval_reference_months", lc.approval_reference_months),
        (
            "chain_targeting_cny_per_prospect",
            lc.chain_targeting_cny_per_prospect,
        ),
        ("five_plans_cny_per_year", lc.five_plans_cny_per_year),
        ("bank_matching_cny_per_year", lc.bank_matching_cny_per_year),
        (
            "order_training_cny_per_trainee",
            lc.order_training_cny_per_trainee,
        ),
    ] {
        c.non_negative(format!("lever_costs.{key}"), value);
    }
    c.range(
        "lever_costs.land_reclamation_compensation_share",
        lc.land_reclamation_compensation_share,
        0.0,
        2.0,
    );
    c.share(
        "finance.listed_dividend_yield_per_year",
        s.finance.listed_dividend_yield_per_year,
    );
    for (key, u) in &s.uncertainty {
        let ok = match u {
            UncertainSpec::Uniform { low, high } => low < high,
            UncertainSpec::Triangular { low, mode, high } => {
                low <= mode && mode <= high && low < high
            }
        };
        if !ok {
            c.fail(
                format!("uncertainty.{key}"),
                "needs low ≤ mode ≤ high and low < high",
            );
        }
    }
}

fn check_policy(c: &mut Checker, s: &ScenarioFile) {
    let district_ids: Vec<&String> = s.districts.keys().collect();
    for district in s.policy.investment.keys() {
        if !s.districts.contains_key(district) {
            c.fail(
                format!("policy.investment.{district}"),
                format!("unknown district; allowed: {district_ids:?}"),
            );
        }
    }
    for lever in LEVERS {
        match lever.key {
            LeverKey::Policy(field) => {
                if let Some(value) = s.policy.number(field) {
                    c.range(format!("policy.{field}"), value, lever.min, lever.max);
                }
            }
            LeverKey::Investment(field) => {
                for (district, plan) in &s.policy.investment {
                    if let Some(value) = plan.number(field) {
                        c.range(
                            format!("policy.investment.{district}.{field}"),
                            value,
                            lever.min,
                            lever.max,
                        );
                    }
                }
            }
        }
    }
}
