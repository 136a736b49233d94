//! Speed of the model (plots and files off): initialisation, one month of the baseline, a whole
//! baseline run, and the cost of a year as the population grows ×1, ×2, ×4, ×8.
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

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = baseline, population
}
criterion_main!(benches);
