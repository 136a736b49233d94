//! The indicators a planner reads mean what their labels say: the coupling coordination degree
//! responds to integration rather than time, and every lever has a public cost.

use crate::common::baseline_months;
use chancheng::experiment::compare::{Estimate, replicate};
use chancheng::experiment::coupling_panel;
use chancheng::experiment::run_single;
use chancheng::model::indicators::MonthRecord;
use chancheng::scenario::{Scenario, load_builtin, load_file};
use std::path::Path;

const MONTHS: u32 = 96;
const RUNS: u64 = 8;
const SEED: u64 = 2035;

fn manifest(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn with(base: &Scenario, overrides: &[(&str, f64)]) -> Scenario {
    let list: Vec<(String, f64)> = overrides.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    base.with_overrides(&list).unwrap_or_else(|e| panic!("{e}"))
}

/// Final-year means of some region indicators, per replication.
fn final_year(scenario: &Scenario, ids: &[&str]) -> Vec<Vec<f64>> {
    replicate(
        scenario,
        SEED,
        RUNS,
        |out| {
            let last = &out.records[out.records.len() - 12..];
            ids.iter()
                .map(|id| {
                    last.iter().filter_map(|r| r.get(None, id)).sum::<f64>() / last.len() as f64
                })
                .collect()
        },
        || {},
    )
    .expect("every replication completes")
}

fn paired(alt: &[Vec<f64>], base: &[Vec<f64>], k: usize) -> Estimate {
    let a: Vec<f64> = alt.iter().map(|r| r[k]).collect();
    let b: Vec<f64> = base.iter().map(|r| r[k]).collect();
    Estimate::paired(&a, &b, 0.99)
}

#[test]
fn the_frozen_coupling_block_is_the_one_the_reference_panel_implies() {
    let refs = coupling_panel::references(&manifest("scenarios/reference/coupling_panel.csv"))
        .expect("the panel reads");
    let baseline = load_builtin().expect("baseline");
    for ((component, frozen), computed) in chancheng::model::coupling::COMPONENTS
        .iter()
        .zip(baseline.spec().coupling.references())
        .zip(refs)
    {
        assert_eq!(frozen.min, computed.min, "{}: min", component.key);
        assert_eq!(frozen.max, computed.max, "{}: max", component.key);
        assert!(
            (frozen.weight - computed.weight).abs() < 5e-5,
            "{}: weight {} in baseline.toml, {} from the panel (run `chancheng coupling-weights`)",
            component.key,
            frozen.weight,
            computed.weight
        );
    }
}

#[test]
fn coupling_and_its_subsystems_stay_below_saturation_over_the_baseline() {
    let scenario = load_builtin().expect("baseline");
    let out = run_single(&scenario, 1, None, |_| {}).expect("the run completes");
    for record in &out.records {
        for id in [
            "coupling_coordination",
            "industry_subsystem",
            "city_subsystem",
        ] {
            let v = record.get(None, id).expect("recorded");
            assert!(
                (0.0..=0.95).contains(&v),
                "{id} = {v} in {}: saturated or out of range",
                record.label
            );
        }
    }
    // D is not a clock: it does not start in the coordinated bands for the zone the report calls
    // poorly integrated.
    let first: &MonthRecord = &out.records[11];
    let d0 = first.get(None, "coupling_coordination").expect("D");
    assert!(
        d0 < 0.7,
        "D in 2016 is {d0}: the zone starts poorly integrated"
    );
}

#[test]
fn more_homes_in_the_zone_lower_the_pendulum_raise_u2_and_do_not_lower_d() {
    let base = baseline_months(MONTHS);
    let housing = with(&base, &[("districts.zone.market_housing_units", 12_000.0)]);
    let ids = [
        "pendulum_index",
        "zone_residents",
        "coupling_coordination",
        "city_subsystem",
    ];
    let (b, a) = (final_year(&base, &ids), final_year(&housing, &ids));
    let pendulum = paired(&a, &b, 0);
    assert!(pendulum.high < 0.0, "pendulum {pendulum:?}");
    let residents = paired(&a, &b, 1);
    assert!(residents.low > 0.0, "zone residents {residents:?}");
    let d = paired(&a, &b, 2);
    assert!(d.high >= 0.0, "D fell: {d:?}");
    let u2 = paired(&a, &b, 3);
    assert!(u2.low > 0.0, "U2 did not rise: {u2:?}");
}

#[test]
fn faster_technical_progress_moves_the_industry_subsystem_more_than_the_city() {
    let base = baseline_months(MONTHS);
    let faster = with(&base, &[("macro.tfp_growth_per_year", 0.05)]);
    let ids = ["industry_subsystem", "city_subsystem"];
    let (b, a) = (final_year(&base, &ids), final_year(&faster, &ids));
    let u1 = paired(&a, &b, 0);
    let u2 = paired(&a, &b, 1);
    assert!(u1.low > 0.0, "U1 does not rise with TFP: {u1:?}");
    assert!(
        u2.mean.abs() < u1.mean.abs(),
        "U2 moved {:.4}, U1 {:.4}",
        u2.mean,
        u1.mean
    );
}

#[test]
fn every_lever_of_the_report_has_a_public_cost() {
    // All recommendations set every lever that had no budget line before; each must now cost
    // money that the status quo does not spend.
    let months = 48.0;
    let all = load_file(&manifest("scenarios/all-recommendations.toml"))
        .expect("all-recommendations")
        .with_overrides(&[("time.months".into(), months)])
        .expect("override");
    let base = baseline_months(months as u32);
    let last = |s: &Scenario| {
        run_single(s, 7, None, |_| {})
            .expect("the run completes")
            .records
            .pop()
            .expect("a month")
    };
    let (base_end, all_end) = (last(&base), last(&all));
    let cost = |r: &MonthRecord, id: &str| {
        r.get(None, &format!("public_cost.{id}"))
            .expect("public cost recorded")
    };
    for lever in [
        "approval_centre",
        "chain_targeting",
        "five_plans_in_one",
        "bank_enterprise_matching",
        "order_training",
        "land_reclamation",
        "ipo_support",
        "rural_ecommerce",
    ] {
        let (b, a) = (cost(&base_end, lever), cost(&all_end, lever));
        assert!(
            a > b && a > 0.0,
            "{lever}: public cost {a} under all recommendations, {b} under the status quo"
        );
    }
}

#[test]
fn a_lever_paid_from_the_zone_surplus_crowds_out_the_rest_of_the_plan() {
    // Under the treasurer's rule the zone spends its surplus on more of its plan; beds it adds
    // to the plan take a share of that money from the housing and schools it would have built.
    let base = baseline_months(MONTHS);
    let beds = with(
        &base,
        &[("policy.investment.zone.hospital_beds_per_year", 200.0)],
    );
    let ids = ["zone_residents", "hospital_beds_per_1000"];
    let (b, a) = (final_year(&base, &ids), final_year(&beds, &ids));
    assert!(paired(&a, &b, 1).low > 0.0, "beds per 1,000 rose");
    let residents = paired(&a, &b, 0);
    assert!(residents.high < 0.0, "zone residents {residents:?}");
}
