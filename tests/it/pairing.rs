//! Paired comparisons pair: a difference between two scenarios on the same seed is caused by the
//! policy and nothing else (synchronised random streams, ODD §7.0).

use chancheng::experiment::compare::final_mean;
use chancheng::experiment::{RunOutput, replication_seed, run_single};
use chancheng::output::timeseries_csv;
use chancheng::scenario::{Scenario, load_file, load_str};
use std::path::Path;

fn scenarios_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
}

/// A child of the baseline given as text, cut to `months`.
fn child(text: &str, months: u32) -> Scenario {
    load_str(text, "test-child.toml", scenarios_dir())
        .expect("valid child scenario")
        .with_overrides(&[("time.months".into(), f64::from(months))])
        .expect("time.months can be overridden")
}

/// The time series as CSV rows, with one scenario label so that only values are compared.
fn rows(out: &RunOutput) -> Vec<String> {
    let bytes = timeseries_csv("x", 0, 0, &out.records, &out.district_ids, false).expect("csv");
    String::from_utf8(bytes)
        .expect("utf-8")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_lever_at_its_baseline_value_changes_nothing() {
    let baseline = child("extends = \"baseline.toml\"\nname = \"b\"\n", 36);
    let same = child(
        "extends = \"baseline.toml\"\nname = \"same\"\n\
         [policy]\napproval_months = 9.0\n\
         [policy.investment.zone]\npublic_rental_units_per_year = 0.0\n",
        36,
    );
    for r in 0..3 {
        let seed = replication_seed(5, r);
        let a = run_single(&baseline, seed, None, |_| {}).expect("the run completes");
        let b = run_single(&same, seed, None, |_| {}).expect("the run completes");
        assert!(rows(&a) == rows(&b), "replication {r} differs");
    }
}

#[test]
fn a_lever_from_2025_leaves_every_earlier_month_identical() {
    // 2016-01 … 2025-06: nine years before the lever and six months after it.
    let months = 114;
    let baseline = child("extends = \"baseline.toml\"\nname = \"b\"\n", months);
    let later = child(
        "extends = \"baseline.toml\"\nname = \"later\"\n\
         [policy]\n\
         approval_months = { value = 3.0, from = \"2025-01\" }\n\
         public_rental_eligibility = { value = \"zone_migrants\", from = \"2025-01\" }\n\
         public_rental_rent_discount = { value = 0.4, from = \"2025-01\" }\n\
         [policy.investment.zone]\n\
         public_rental_units_per_year = { value = 2000.0, from = \"2025-01\" }\n",
        months,
    );
    let seed = replication_seed(11, 0);
    let a = rows(&run_single(&baseline, seed, None, |_| {}).expect("the run completes"));
    let b = rows(&run_single(&later, seed, None, |_| {}).expect("the run completes"));
    assert_eq!(a.len(), b.len());
    let (before_a, after_a): (Vec<&String>, Vec<&String>) = a
        .iter()
        .partition(|row| row.split(',').nth(3) < Some("2025-01"));
    let (before_b, after_b): (Vec<&String>, Vec<&String>) = b
        .iter()
        .partition(|row| row.split(',').nth(3) < Some("2025-01"));
    assert!(!before_a.is_empty());
    for (x, y) in before_a.iter().zip(&before_b) {
        assert_eq!(x, y, "a month before the lever differs");
    }
    assert!(
        after_a != after_b,
        "the lever had no effect from 2025-01 on"
    );
}

/// Standard deviation of a sample (n − 1).
fn sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Ratio of the spread of paired differences to the spread across seeds, for each indicator in
/// the final year over 20 replications.
fn pairing_ratios(policy: &Scenario, baseline: &Scenario, indicators: &[&str]) -> Vec<f64> {
    let means_of = |s: &Scenario, r: u64| -> Vec<f64> {
        let out = run_single(s, replication_seed(1, r), None, |_| {}).expect("the run completes");
        indicators
            .iter()
            .map(|id| final_mean(&out, None, id, 12))
            .collect()
    };
    use rayon::prelude::*;
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = (0..20u64)
        .into_par_iter()
        .map(|r| (means_of(baseline, r), means_of(policy, r)))
        .collect();
    (0..indicators.len())
        .map(|k| {
            let base: Vec<f64> = pairs.iter().map(|p| p.0[k]).collect();
            let diff: Vec<f64> = pairs.iter().map(|p| p.1[k] - p.0[k]).collect();
            sd(&diff) / sd(&base)
        })
        .collect()
}

/// 20 seeds × 3 scenarios × 20 years: run by `.ci/run` (`cargo test --release -- --ignored`),
/// kept out of the everyday suite for its length.
#[test]
#[ignore = "long: 60 full runs; CI runs it with --ignored"]
fn paired_differences_are_at_most_half_as_noisy_as_levels() {
    let baseline = chancheng::scenario::load_builtin().expect("baseline");
    let housing = load_file(&scenarios_dir().join("public-housing.toml")).expect("scenario");
    let approval = load_file(&scenarios_dir().join("approval-reform.toml")).expect("scenario");
    // Target indicators: where households live (public housing) and the jobs the projects bring
    // (approval reform) are at most half as noisy paired as in levels. The count of firms pairs
    // less well, and not for want of synchronised streams (1.6 before them): the reform's gain in
    // firms is itself uneven across seeds, because where the zone's serviced land runs out in
    // the 2030s the reform only brings entries forward (seed 10993867919764085851: +218 firms at
    // the end of 2025, −2 in 2035's mean). Measured 0.57 with 200 million CNY of start-up cash in
    // the zone account and 0.76 with 100 million, which leaves a little less land serviced; an
    // estimate from 20 pairs is itself uncertain by about 15 %. The bound, 0.9, still fails if
    // the streams desynchronise.
    let cases: [(&Scenario, &[(&str, f64)]); 2] = [
        (&housing, &[("pendulum_index", 0.5)]),
        (&approval, &[("employment", 0.5), ("firms", 0.9)]),
    ];
    for (scenario, targets) in cases {
        let ids: Vec<&str> = targets.iter().map(|t| t.0).collect();
        let ratios = pairing_ratios(scenario, &baseline, &ids);
        for ((indicator, bound), ratio) in targets.iter().zip(ratios) {
            eprintln!(
                "{}: sd(paired diff) / sd(levels) of {indicator} in 2035 = {ratio:.3}",
                scenario.name()
            );
            assert!(
                ratio <= *bound,
                "{}: paired differences of {indicator} are {ratio:.2} × as spread as levels",
                scenario.name()
            );
        }
    }
}
