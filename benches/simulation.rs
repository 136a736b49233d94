//! Speed of the model: one year of the baseline (initialisation excluded), and initialisation.
//! Run with `cargo bench --bench simulation`; compare ratios, not absolute times, across machines.

#![allow(clippy::disallowed_methods)]

use chancheng::model::Simulation;
use chancheng::scenario::load_builtin;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn baseline_year(c: &mut Criterion) {
    let scenario = load_builtin().expect("baseline");
    let mut group = c.benchmark_group("baseline");
    group.sample_size(10);
    group.bench_function("initialise", |b| {
        b.iter(|| black_box(Simulation::new(&scenario, 1)))
    });
    group.bench_function("first_12_months", |b| {
        b.iter_batched(
            || Simulation::new(&scenario, 1),
            |mut sim| {
                for _ in 0..12 {
                    black_box(sim.step());
                }
                sim
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = baseline_year
}
criterion_main!(benches);
