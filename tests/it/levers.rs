//! Each lever moves its direct target in the documented direction, through its mechanism.
//!
//! Every test runs the lever scenario and its reference over the same replications on common
//! random numbers (replication r of both shares its seed) and asserts that the 99 % confidence
//! interval of the paired difference excludes zero on the documented side. These are tests of
//! mechanisms, not of tuned numbers: they only fix the sign of a direct effect. Effects far
//! sharper than their noise use 6 replications (`RUNS_SHARP`) or 4 (`RUNS_VERY_SHARP`), the
//! others 12.
//!
//! Three levers act on targets whose aggregate effect over this horizon is smaller than the
//! run-to-run noise of 12 replications (digital/logistics capital on output, IPO support on
//! anchor capital, the red line on polluting employment); their mechanisms are tested directly
//! in the model's unit tests (`src/model/tests.rs`).

use crate::common::baseline_months;
use chancheng::experiment::compare::{Estimate, replicate};
use chancheng::model::indicators::MonthRecord;
use chancheng::scenario::{Scenario, load_file};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// Horizon of the mechanism tests: 2016-01 … 2023-12.
const MONTHS: u32 = 96;
/// Replications per scenario.
const RUNS: u64 = 12;
/// Replications for effects far sharper than their noise: with 12 runs, the 99 % interval of
/// each of these tests' paired differences lay at least 8 half-widths from zero (measured with
/// `CHANCHENG_TEST_MARGINS=1`, 2026-11-29); with 6 runs (half-widths ≈ 1.8× wider) the smallest
/// measured margin is 4.9 (approval reform). They use the first 6 replications of the shared
/// reference runs.
const RUNS_SHARP: u64 = 6;
/// Replications for the sharpest effects: with 6 runs, each of these tests' intervals lay at least
/// 9.5 half-widths from zero; with 4 they lie at least 4.7 from it, as the 6-run tests' smallest
/// margin (4.9) does (`CHANCHENG_TEST_MARGINS=1`, 2026-12-04, 4 runs: standard factories 4.7,
/// resettlement 4.9, public housing 6.1, R&D subsidy 7.8, promotion 7.9, citizenisation 10.3,
/// schools 29, five plans in one: no noise at all).
const RUNS_VERY_SHARP: u64 = 4;
const MASTER_SEED: u64 = 2016;

#[derive(Clone, Copy, Debug)]
enum Window {
    /// Mean over the last n months.
    Last(usize),
    /// Mean over the whole run (flows such as entries).
    Whole,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Direction {
    Up,
    Down,
}
use Direction::{Down, Up};

type Runs = Vec<Vec<MonthRecord>>;

fn simulate(scenario: &Scenario) -> Runs {
    simulate_runs(scenario, RUNS)
}

fn simulate_sharp(scenario: &Scenario) -> Runs {
    simulate_runs(scenario, RUNS_SHARP)
}

fn simulate_very_sharp(scenario: &Scenario) -> Runs {
    simulate_runs(scenario, RUNS_VERY_SHARP)
}

fn simulate_runs(scenario: &Scenario, runs: u64) -> Runs {
    replicate(
        scenario,
        MASTER_SEED,
        runs,
        |out| out.records.clone(),
        || {},
    )
    .expect("every replication completes")
}

/// Reference runs, computed once per reference scenario and shared by the tests.
fn reference(key: &str, make: impl FnOnce() -> Scenario) -> Arc<Runs> {
    type Cell = Arc<OnceLock<Arc<Runs>>>;
    static CACHE: OnceLock<Mutex<BTreeMap<String, Cell>>> = OnceLock::new();
    let cell = {
        let mut map = CACHE
            .get_or_init(|| Mutex::new(BTreeMap::new()))
            .lock()
            .expect("cache lock");
        map.entry(key.to_string()).or_default().clone()
    };
    cell.get_or_init(|| Arc::new(simulate(&make()))).clone()
}

/// The mechanism tests switch off the treasurer's reinvestment of surplus cash
/// (`government.surplus_plan_multiple = 0`), so that a lever's own effect is not mixed with what
/// its cost crowds out of the surplus-funded plan; `tests/it/indicators.rs` measures that.
const NO_REINVESTMENT: (&str, f64) = ("government.surplus_plan_multiple", 0.0);

fn baseline() -> Scenario {
    with(&baseline_months(MONTHS), &[NO_REINVESTMENT])
}

fn baseline_runs() -> Arc<Runs> {
    reference("baseline", baseline)
}

fn shipped(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"));
    load_file(&path)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .with_overrides(&[
            ("time.months".into(), MONTHS as f64),
            (NO_REINVESTMENT.0.into(), NO_REINVESTMENT.1),
        ])
        .expect("horizon override")
}

fn with(base: &Scenario, overrides: &[(&str, f64)]) -> Scenario {
    let list: Vec<(String, f64)> = overrides.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    base.with_overrides(&list).unwrap_or_else(|e| panic!("{e}"))
}

fn district(scenario: &Scenario, id: &str) -> Option<usize> {
    scenario.spec().districts.keys().position(|d| d == id)
}

fn metric(records: &[MonthRecord], district: Option<usize>, id: &str, window: Window) -> f64 {
    let from = match window {
        Window::Last(n) => records.len().saturating_sub(n),
        Window::Whole => 0,
    };
    let values: Vec<f64> = records[from..]
        .iter()
        .filter_map(|r| r.get(district, id))
        .collect();
    assert!(!values.is_empty(), "indicator {id} missing");
    values.iter().sum::<f64>() / values.len() as f64
}

/// Asserts the paired effect of `lever` against `reference` on one indicator.
fn assert_effect(
    what: &str,
    reference: &Runs,
    lever: &Runs,
    district: Option<usize>,
    id: &str,
    window: Window,
    direction: Direction,
) -> Estimate {
    // Replication r of both shares its seed; a lever run with fewer replications pairs with the
    // reference's first ones.
    let base: Vec<f64> = reference
        .iter()
        .take(lever.len())
        .map(|r| metric(r, district, id, window))
        .collect();
    let alt: Vec<f64> = lever
        .iter()
        .map(|r| metric(r, district, id, window))
        .collect();
    let d = Estimate::paired(&alt, &base, 0.99);
    if std::env::var_os("CHANCHENG_TEST_MARGINS").is_some() {
        // How far the interval is from zero, in half-widths: what fewer runs could afford.
        let half = (d.high - d.low) / 2.0;
        eprintln!("MARGIN {what} | {id} | {:.2}", d.mean.abs() / half);
    }
    let ok = match direction {
        Up => d.low > 0.0,
        Down => d.high < 0.0,
    };
    assert!(
        ok,
        "{what}: expected {id} to go {direction:?}; paired difference {:.5} with 99% CI [{:.5}, {:.5}] \
         over {} runs (reference mean {:.5})",
        d.mean,
        d.low,
        d.high,
        d.n,
        base.iter().sum::<f64>() / base.len() as f64
    );
    d
}

const REGION: Option<usize> = None;

#[test]
fn public_rental_housing_lowers_the_pendulum_and_costs_the_budget() {
    let s = shipped("public-housing");
    let zone = district(&s, "zone");
    let (base, alt) = (baseline_runs(), simulate_very_sharp(&s));
    assert_effect(
        "public housing",
        &base,
        &alt,
        REGION,
        "pendulum_index",
        Window::Last(12),
        Down,
    );
    assert_effect(
        "public housing",
        &base,
        &alt,
        zone,
        "zone_residents",
        Window::Last(12),
        Up,
    );
    // The trade-off: the units are paid by the public accounts.
    assert_effect(
        "public housing",
        &base,
        &alt,
        REGION,
        "public_cost_cumulative",
        Window::Last(12),
        Up,
    );
}

#[test]
fn approval_reform_raises_entries() {
    let (base, alt) = (baseline_runs(), simulate_sharp(&shipped("approval-reform")));
    assert_effect(
        "approval reform",
        &base,
        &alt,
        REGION,
        "firm_entries",
        Window::Whole,
        Up,
    );
}

/// A variant where the budget is tight (debt limit 1.5 × revenue), so the capital plan is cut.
/// A zone account at its debt limit, without transfers and with a heavier administration: its own
/// plan outruns what it may spend for years.
fn tight_budget() -> Scenario {
    with(
        &baseline(),
        &[
            ("government.debt_limit_revenue_multiple", 1.0),
            ("government.transfers_cny_per_year", 0.0),
            ("government.administration_cny_per_year", 400_000_000.0),
        ],
    )
}

#[test]
fn ppp_brings_capacity_earlier_and_leaves_obligations() {
    let zone = district(&baseline(), "zone");
    let base = reference("tight_budget", tight_budget);
    let alt = simulate(&with(&tight_budget(), &[("policy.ppp_share", 0.4)]));
    // Partners build their share even when the budget is at its debt limit: less is cut, more
    // capacity stands in the zone…
    assert_effect(
        "PPP",
        &base,
        &alt,
        REGION,
        "capital_cut",
        Window::Whole,
        Down,
    );
    assert_effect(
        "PPP",
        &base,
        &alt,
        zone,
        "public_capital",
        Window::Last(12),
        Up,
    );
    // …and availability payments are owed for years after.
    assert_effect(
        "PPP",
        &base,
        &alt,
        REGION,
        "ppp_obligations",
        Window::Last(12),
        Up,
    );
}

#[test]
fn vocational_training_raises_the_high_skill_share() {
    let (base, alt) = (baseline_runs(), simulate(&shipped("vocational-training")));
    assert_effect(
        "training",
        &base,
        &alt,
        REGION,
        "in_training",
        Window::Whole,
        Up,
    );
    assert_effect(
        "training",
        &base,
        &alt,
        REGION,
        "high_skill_share",
        Window::Last(12),
        Up,
    );
}

#[test]
fn land_reclamation_lowers_idle_land() {
    let s = shipped("land-reclamation");
    let zone = district(&s, "zone");
    let (base, alt) = (baseline_runs(), simulate(&s));
    assert_effect(
        "reclamation",
        &base,
        &alt,
        zone,
        "idle_land_share",
        Window::Last(12),
        Down,
    );
}

#[test]
fn talent_package_attracts_high_skill_workers() {
    let (base, alt) = (baseline_runs(), simulate_sharp(&shipped("talent-subsidy")));
    assert_effect(
        "talent package",
        &base,
        &alt,
        REGION,
        "arrivals_high_skill",
        Window::Whole,
        Up,
    );
}

#[test]
fn guarantee_fund_extends_credit_to_firms() {
    let (base, alt) = (baseline_runs(), simulate(&shipped("guarantee-fund")));
    assert_effect(
        "guarantee fund",
        &base,
        &alt,
        REGION,
        "guaranteed_loans",
        Window::Last(12),
        Up,
    );
    assert_effect(
        "guarantee fund",
        &base,
        &alt,
        REGION,
        "credit_gap",
        Window::Whole,
        Down,
    );
}

#[test]
fn bank_matching_raises_bank_lending() {
    let base = baseline_runs();
    // Matching meetings with a strong effect on what banks accept as collateral.
    let alt = simulate(&with(
        &baseline(),
        &[
            ("policy.bank_enterprise_matching", 1.0),
            ("finance.bank_matching_collateral_gain", 1.0),
        ],
    ));
    assert_effect(
        "bank–enterprise matching",
        &base,
        &alt,
        REGION,
        "bank_loans",
        Window::Last(12),
        Up,
    );
}

#[test]
fn interest_subsidy_raises_anchor_investment() {
    let base = baseline_runs();
    let alt = simulate(&with(
        &baseline(),
        &[("policy.interest_subsidy_per_year", 0.03)],
    ));
    assert_effect(
        "interest subsidy",
        &base,
        &alt,
        REGION,
        "anchor_capital",
        Window::Last(12),
        Up,
    );
}

#[test]
fn rd_subsidy_and_innovation_platforms_raise_patents() {
    let base = baseline_runs();
    let rd = simulate_very_sharp(&with(&baseline(), &[("policy.rd_subsidy_share", 0.5)]));
    assert_effect(
        "R&D subsidy",
        &base,
        &rd,
        REGION,
        "patents",
        Window::Last(12),
        Up,
    );
    let platforms = simulate_sharp(&with(
        &baseline(),
        &[("policy.investment.zone.innovation_cny_per_year", 300e6)],
    ));
    assert_effect(
        "innovation platforms",
        &base,
        &platforms,
        REGION,
        "patents",
        Window::Last(12),
        Up,
    );
}

#[test]
fn promotion_and_chain_targeting_raise_prospects() {
    let base = baseline_runs();
    let promo = simulate_very_sharp(&with(
        &baseline(),
        &[("policy.promotion_cny_per_year", 200e6)],
    ));
    assert_effect(
        "promotion",
        &base,
        &promo,
        REGION,
        "prospects",
        Window::Whole,
        Up,
    );
    let chain = simulate_sharp(&with(&baseline(), &[("policy.chain_targeting_share", 1.0)]));
    assert_effect(
        "chain targeting",
        &base,
        &chain,
        REGION,
        "prospects",
        Window::Whole,
        Up,
    );
}

#[test]
fn employment_services_fill_more_vacancies() {
    let base = baseline_runs();
    let alt = simulate(&with(
        &baseline(),
        &[("policy.employment_service_cny_per_year", 60e6)],
    ));
    assert_effect(
        "employment services",
        &base,
        &alt,
        REGION,
        "unfilled_vacancies",
        Window::Whole,
        Down,
    );
}

#[test]
fn roads_cut_travel_time_to_the_city() {
    let s = with(
        &baseline(),
        &[("policy.investment.zone.roads_cny_per_year", 1.5e9)],
    );
    let zone = district(&s, "zone");
    let (base, alt) = (baseline_runs(), simulate_sharp(&s));
    assert_effect(
        "roads",
        &base,
        &alt,
        zone,
        "travel_minutes_to_city",
        Window::Last(12),
        Down,
    );
}

#[test]
fn utilities_service_more_land() {
    let s = with(
        &baseline(),
        &[("policy.investment.zone.utilities_cny_per_year", 600e6)],
    );
    let zone = district(&s, "zone");
    let (base, alt) = (baseline_runs(), simulate(&s));
    assert_effect(
        "utilities",
        &base,
        &alt,
        zone,
        "serviced_land_free",
        Window::Last(24),
        Up,
    );
}

/// A variant of the baseline whose zone has no treatment plant, so pollution accumulates.
fn polluted() -> Scenario {
    with(
        &baseline(),
        &[
            ("districts.zone.environment_treatment_share", 0.0),
            ("environment.red_line_stock", 1000.0),
        ],
    )
}

#[test]
fn treatment_capacity_lowers_pollution() {
    let zone = district(&baseline(), "zone");
    let base = reference("polluted", polluted);
    let treatment = simulate(&with(
        &polluted(),
        &[("policy.investment.zone.environment_cny_per_year", 400e6)],
    ));
    assert_effect(
        "treatment capacity",
        &base,
        &treatment,
        zone,
        "pollution_ratio",
        Window::Last(12),
        Down,
    );
}

#[test]
fn schools_bring_children_to_the_zone() {
    let s = with(
        &baseline(),
        &[("policy.investment.zone.school_seats_per_year", 4000.0)],
    );
    let zone = district(&s, "zone");
    let (base, alt) = (baseline_runs(), simulate_very_sharp(&s));
    assert_effect(
        "schools",
        &base,
        &alt,
        zone,
        "school_seats_per_child",
        Window::Last(12),
        Up,
    );
    assert_effect(
        "schools",
        &base,
        &alt,
        zone,
        "left_behind_children",
        Window::Last(12),
        Down,
    );
}

#[test]
fn hospitals_and_shops_raise_city_functions_in_the_zone() {
    let zone = district(&baseline(), "zone");
    let base = baseline_runs();
    let beds = simulate(&with(
        &baseline(),
        &[("policy.investment.zone.hospital_beds_per_year", 200.0)],
    ));
    assert_effect(
        "hospitals",
        &base,
        &beds,
        zone,
        "hospital_beds_per_1000",
        Window::Last(12),
        Up,
    );
    // Downstream: a better-served zone draws households to live there.
    assert_effect(
        "hospitals",
        &base,
        &beds,
        zone,
        "zone_residents",
        Window::Last(12),
        Up,
    );
    let shops = simulate(&with(
        &baseline(),
        &[(
            "policy.investment.zone.commercial_floor_m2_per_year",
            150_000.0,
        )],
    ));
    assert_effect(
        "shops and leisure",
        &base,
        &shops,
        zone,
        "commercial_m2_per_resident",
        Window::Last(12),
        Up,
    );
    assert_effect(
        "shops and leisure",
        &base,
        &shops,
        zone,
        "zone_residents",
        Window::Last(12),
        Up,
    );
}

#[test]
fn citizenisation_and_social_security_raise_settlement() {
    let base = baseline_runs();
    let alt = simulate_very_sharp(&with(
        &baseline(),
        &[
            ("policy.citizenisation_months_cut", 0.7),
            ("policy.social_security_coverage", 0.8),
        ],
    ));
    assert_effect(
        "citizenisation",
        &base,
        &alt,
        REGION,
        "settled_migrants",
        Window::Last(12),
        Up,
    );
}

/// A variant where the zone takes farmland fast (six times the utilities), leaving many
/// landless farmers owed resettlement housing.
fn land_taking() -> Scenario {
    with(
        &baseline(),
        &[("policy.investment.zone.utilities_cny_per_year", 900e6)],
    )
}

#[test]
fn resettlement_housing_brings_landless_farmers_into_the_zone() {
    let zone = district(&baseline(), "zone");
    let base = reference("land_taking", land_taking);
    let alt = simulate_very_sharp(&with(
        &land_taking(),
        &[("policy.investment.zone.resettlement_units_per_year", 5000.0)],
    ));
    assert_effect(
        "resettlement",
        &base,
        &alt,
        zone,
        "households",
        Window::Last(24),
        Up,
    );
}

#[test]
fn minimum_floor_area_ratio_saves_land() {
    let s = with(&baseline(), &[("policy.min_floor_area_ratio", 1.5)]);
    let zone = district(&s, "zone");
    let (base, alt) = (baseline_runs(), simulate(&s));
    assert_effect(
        "minimum FAR",
        &base,
        &alt,
        zone,
        "serviced_land_free",
        Window::Last(24),
        Up,
    );
}

/// A variant where serviced land runs short: no new servicing and little land in stock.
fn land_scarce() -> Scenario {
    with(
        &baseline(),
        &[
            ("policy.investment.zone.utilities_cny_per_year", 0.0),
            ("districts.zone.land_serviced_free_ha", 20.0),
            ("districts.zone.standard_factory_floor_m2", 20_000.0),
        ],
    )
}

#[test]
fn standard_factories_and_cheap_land_raise_entries() {
    let scarce = reference("land_scarce", land_scarce);
    let factories = simulate_very_sharp(&with(
        &land_scarce(),
        &[(
            "policy.investment.zone.standard_factory_m2_per_year",
            300_000.0,
        )],
    ));
    assert_effect(
        "standard factories",
        &scarce,
        &factories,
        REGION,
        "firm_entries",
        Window::Whole,
        Up,
    );
    let base = baseline_runs();
    let discount = simulate_sharp(&with(&baseline(), &[("policy.land_price_discount", 0.6)]));
    assert_effect(
        "land-price discount",
        &base,
        &discount,
        REGION,
        "firm_entries",
        Window::Whole,
        Up,
    );
    // The trade-off: cheaper land earns less land-transfer revenue.
    assert_effect(
        "land-price discount",
        &base,
        &discount,
        REGION,
        "land_revenue",
        Window::Whole,
        Down,
    );
}

#[test]
fn five_plans_in_one_builds_more_capacity_from_the_same_money() {
    let s = with(&baseline(), &[("policy.five_plans_in_one", 1.0)]);
    let zone = district(&s, "zone");
    let (base, alt) = (baseline_runs(), simulate_very_sharp(&s));
    assert_effect(
        "five plans in one",
        &base,
        &alt,
        zone,
        "public_capital",
        Window::Last(12),
        Up,
    );
}

#[test]
fn rural_ecommerce_raises_agri_food_employment() {
    let base = baseline_runs();
    let alt = simulate(&with(
        &baseline(),
        &[("policy.rural_ecommerce_cny_per_year", 150e6)],
    ));
    assert_effect(
        "rural e-commerce",
        &base,
        &alt,
        REGION,
        "employment.agri_food",
        Window::Last(12),
        Up,
    );
}

#[test]
fn special_bonds_spare_capital_spending() {
    let base = reference("tight_budget", tight_budget);
    let bonds = simulate(&with(
        &tight_budget(),
        &[("policy.special_bond_quota_cny_per_year", 1e9)],
    ));
    assert_effect(
        "special bonds",
        &base,
        &bonds,
        REGION,
        "capital_cut",
        Window::Whole,
        Down,
    );
}

#[test]
fn incubators_keep_young_firms_alive() {
    let base = baseline_runs();
    let alt = simulate(&with(
        &baseline(),
        &[("policy.incubator_cny_per_year", 300e6)],
    ));
    // Young firms that survive stay in the stock of operating firms; the monthly exit count
    // (≈ 6.3 a month, mostly older firms) moves by ≈ −0.02, too little for 12 replications.
    assert_effect(
        "incubators",
        &base,
        &alt,
        REGION,
        "firms",
        Window::Whole,
        Up,
    );
}

/// At the shipped robot price and its path, a subsidy brings automation forward within the
/// test's eight years, and the machines replace low-skill jobs.
#[test]
fn tech_upgrade_subsidy_automates_low_skill_work() {
    let base = baseline_runs();
    let alt = simulate_sharp(&with(
        &baseline(),
        &[("policy.tech_upgrade_subsidy_share", 0.5)],
    ));
    assert_effect(
        "technical upgrading",
        &base,
        &alt,
        REGION,
        "automation_share",
        Window::Last(12),
        Up,
    );
    assert_effect(
        "technical upgrading",
        &base,
        &alt,
        REGION,
        "employment_low",
        Window::Last(12),
        Down,
    );
}
