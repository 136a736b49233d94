//! The baseline reproduces the stylized facts of MODEL.md §7 on five seeds, the prefecture its
//! published totals, and every shipped scenario keeps the invariants over its whole run.

use crate::common;
use chancheng::experiment::replication_seed;
use chancheng::experiment::validate::{Check, checks, run_checked, validate};
use chancheng::scenario::{load_builtin, load_file};
use std::path::Path;
use std::sync::OnceLock;

const SEEDS: u64 = 5;

fn baseline_checks() -> &'static Vec<Vec<Check>> {
    static CHECKS: OnceLock<Vec<Vec<Check>>> = OnceLock::new();
    CHECKS.get_or_init(|| validate(&load_builtin().expect("baseline"), 1, SEEDS, || {}))
}

/// Asserts that a check passes on every seed.
fn passes_on_every_seed(id: &str) {
    for (seed, checks) in baseline_checks().iter().enumerate() {
        let c = checks.iter().find(|c| c.id == id).expect("check exists");
        assert!(
            c.passed(),
            "{id} on seed {seed}: measured {:.4}, target [{}, {}]",
            c.measured,
            c.target.0,
            c.target.1
        );
    }
}

#[test]
fn firm_sizes_are_heavy_tailed() {
    passes_on_every_seed("firm_size_ccdf_slope");
}

#[test]
fn the_pendulum_is_there_in_2016_and_not_ended_by_the_status_quo() {
    passes_on_every_seed("pendulum_2016");
    passes_on_every_seed("pendulum_final_year");
}

#[test]
fn unemployment_entry_and_exit_rates_are_plausible() {
    passes_on_every_seed("unemployment_rate");
    passes_on_every_seed("firm_entry_rate");
    passes_on_every_seed("firm_exit_rate");
}

#[test]
fn zone_employment_grows_fast_in_the_first_years() {
    passes_on_every_seed("zone_employment_growth_2016_2020");
}

/// Levels against Henan and Chinese data: zone size, wages, value added per worker, commutes.
#[test]
fn levels_match_the_henan_data() {
    passes_on_every_seed("zone_employment_2016");
    passes_on_every_seed("avg_wage_2016");
    passes_on_every_seed("zone_value_added_per_worker_2016");
    passes_on_every_seed("commute_minutes_2016");
}

#[test]
fn the_baseline_is_stock_flow_consistent() {
    passes_on_every_seed("stock_flow_consistency");
}

#[test]
fn the_agglomeration_elasticity_estimated_on_the_panel_is_in_range() {
    passes_on_every_seed("agglomeration_elasticity");
}

/// The panel regression measures the model, not itself: without agglomeration in production it
/// finds none (and the check fails), with twice the baseline's it finds clearly more.
#[test]
fn the_agglomeration_estimate_follows_the_parameter() {
    let estimate = |gamma: f64| {
        let s = common::baseline_months(120)
            .with_overrides(&[("firms.agglomeration_elasticity".into(), gamma)])
            .expect("override");
        let run = run_checked(&s, replication_seed(3, 0));
        checks(&s, &run)
            .into_iter()
            .find(|c| c.id == "agglomeration_elasticity")
            .expect("check")
    };
    let none = estimate(0.0);
    let double = estimate(0.12);
    assert!(
        none.measured.abs() < 0.02 && !none.passed(),
        "γ = 0 estimated as {:.4}",
        none.measured
    );
    assert!(
        double.measured > 0.08,
        "γ = 0.12 estimated as {:.4}",
        double.measured
    );
}

#[test]
fn every_shipped_scenario_keeps_the_invariants_over_its_whole_run() {
    use rayon::prelude::*;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        // The prefecture's whole run is checked by `the_prefecture_matches_its_published_totals`.
        .filter(|p| !p.ends_with(PREFECTURE))
        .collect();
    paths.sort();
    assert!(paths.len() >= 13);
    let failures: Vec<String> = paths
        .par_iter()
        .filter_map(|p| {
            let s = load_file(p).expect("scenario loads");
            let run = run_checked(&s, replication_seed(7, 0));
            run.violation.map(|v| format!("{}: {v}", p.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

const PREFECTURE: &str = "zhumadian.toml";

/// The whole prefecture over its whole run, on one seed: every check of `validate` passes — the
/// stylized facts, the invariants every month, and the published totals (GDP 2016–2021, growth,
/// sector split, 2020 census population, manufacturing jobs) — with at least 300,000 worker agents.
#[test]
fn the_prefecture_matches_its_published_totals() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(PREFECTURE);
    let s = load_file(&path).expect("prefecture loads");
    let run = run_checked(&s, replication_seed(1, 0));
    assert!(
        run.output.peak_workers >= 300_000,
        "{} worker agents",
        run.output.peak_workers
    );
    let all = checks(&s, &run);
    let published = all
        .iter()
        .filter(|c| c.id.starts_with("prefecture_"))
        .count();
    assert!(published >= 15, "{published} published checks");
    let failed: Vec<String> = all
        .iter()
        .filter(|c| !c.passed())
        .map(|c| {
            format!(
                "{}: measured {:.4}, target [{}, {}]",
                c.id, c.measured, c.target.0, c.target.1
            )
        })
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
}
