//! Speed of the model (plots and files off): initialisation, one month of the baseline, a whole
//! baseline run, the cost of a year as the population grows ×1, ×2, ×4, ×8, four submodels alone
//! (labour market, residence review, production, entry) at ≈ 15 k and 150 k worker agents (and
//! 1.5 M with `CHANCHENG_BENCH_LARGE=1`), and the whole prefecture (`scenarios/zhumadian.toml`)
//! for a year and a whole run.
//!
//! `cargo bench --bench simulation` (all), or e.g. `cargo bench --bench simulation -- population`.
//! Compare ratios, not absolute times, across machines; docs/PERFORMANCE.md has the figures.

#![allow(clippy::disallowed_methods)]

use chancheng::experiment::run_single;
use chancheng::experiment::scale::scaled_population;
use chancheng::model::Simulation;
use chancheng::scenario::load_builtin;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn baseline(c: &mut Criterion) {
    let scenario = load_builtin().expect("baseline");
    let mut group = c.benchmark_group("baseline");
    group.sample_size(10);
    group.bench_function("initialise", |b| {
        b.iter(|| black_box(Simulation::new(&scenario, 1)))
    });
    // One month from the state of 2020 (five years in: the zone has grown).
    let mut warm = Simulation::new(&scenario, 1);
    for _ in 0..60 {
        warm.step();
    }
    group.bench_function("one_month_2021", |b| {
        b.iter_batched(
            || warm.clone(),
            |mut sim| black_box(sim.step()),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("whole_run_240_months", |b| {
        b.iter(|| black_box(run_single(&scenario, 1, None, |_| {}).expect("runs")))
    });
    group.finish();
}

/// A year of the baseline with everything multiplied: the time per worker-agent-month should
/// stay flat (linear cost).
fn population(c: &mut Criterion) {
    let base = load_builtin().expect("baseline");
    let mut group = c.benchmark_group("population_year");
    group.sample_size(10);
    for factor in [1.0, 2.0, 4.0, 8.0] {
        let scenario = scaled_population(&base, factor)
            .and_then(|s| s.with_overrides(&[("time.months".to_string(), 12.0)]))
            .expect("scaled scenario");
        let workers = Simulation::new(&scenario, 1).worker_count() as u64;
        group.throughput(Throughput::Elements(workers * 12));
        group.bench_function(format!("x{factor}"), |b| {
            b.iter(|| black_box(run_single(&scenario, 1, None, |_| {}).expect("runs")))
        });
    }
    group.finish();
}

/// The state of 2021 (five years in) of the baseline with its population scaled by `factor`.
fn warm_state(factor: f64, months: u32) -> Simulation {
    let base = load_builtin().expect("baseline");
    let scenario = scaled_population(&base, factor).expect("scaled scenario");
    let mut warm = Simulation::new(&scenario, 1);
    for _ in 0..months {
        warm.step();
    }
    warm
}

/// Population factors that give about 15 k, 150 k and 1.5 M worker agents in 2021 (the baseline
/// has about 74 k then); 1.5 M only with `CHANCHENG_BENCH_LARGE=1` (≈ 0.5 GB, minutes to set up).
fn agent_scales() -> Vec<(f64, u32)> {
    let mut scales = vec![(0.2, 60), (2.0, 60)];
    if std::env::var_os("CHANCHENG_BENCH_LARGE").is_some() {
        scales.push((20.0, 12));
    }
    scales
}

/// One submodel alone, from a warm state at each agent scale; throughput in what it returns
/// (searchers, households, firms).
fn submodel(c: &mut Criterion, name: &str, run: fn(&mut Simulation) -> usize) {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    for (factor, months) in agent_scales() {
        let warm = warm_state(factor, months);
        let agents = warm.worker_count();
        let elements = run(&mut warm.clone());
        group.throughput(Throughput::Elements(elements as u64));
        group.bench_function(format!("agents_{agents}"), |b| {
            b.iter_batched(
                || warm.clone(),
                |mut sim| black_box(run(&mut sim)),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// The labour market (wages, separations, search and matching): throughput in searchers.
fn labour_market(c: &mut Criterion) {
    submodel(c, "labour_market_month", Simulation::labour_market_alone);
}

/// Residence review and the school places after it: throughput in households.
fn residence_choice(c: &mut Criterion) {
    submodel(
        c,
        "residence_review_month",
        Simulation::residence_review_alone,
    );
}

/// Production, accounts and investment: throughput in operating firms.
fn production(c: &mut Criterion) {
    submodel(c, "production_month", Simulation::production_alone);
}

/// Firm entry (prospects, location choice, approval and construction): throughput in firms.
fn entry(c: &mut Criterion) {
    submodel(c, "entry_month", Simulation::entry_alone);
}

/// The whole prefecture: a year, and a whole run (each sample of the whole run takes tens of
/// seconds on a laptop core; criterion's ten samples then take minutes).
fn prefecture(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/zhumadian.toml");
    let scenario = chancheng::scenario::load_file(&path).expect("prefecture");
    let year = scenario
        .with_overrides(&[("time.months".to_string(), 12.0)])
        .expect("a year");
    let mut group = c.benchmark_group("prefecture");
    group.sample_size(10);
    let workers = Simulation::new(&scenario, 1).worker_count() as u64;
    group.throughput(Throughput::Elements(workers * 12));
    group.bench_function("first_year", |b| {
        b.iter(|| black_box(run_single(&year, 1, None, |_| {}).expect("runs")))
    });
    group.throughput(Throughput::Elements(workers * 240));
    group.bench_function("whole_run_240_months", |b| {
        b.iter(|| black_box(run_single(&scenario, 1, None, |_| {}).expect("runs")))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = baseline, population, labour_market, residence_choice, production, entry, prefecture
}
criterion_main!(benches);
