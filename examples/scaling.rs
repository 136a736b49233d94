//! One run of the baseline with its population multiplied, for measuring time and memory per
//! worker agent (docs/PERFORMANCE.md):
//!
//! `cargo build --release --examples && /usr/bin/time -v target/release/examples/scaling 4 120`
//! runs the baseline ×4 for 120 months and prints peak worker agents and worker-agent-months per
//! second; `/usr/bin/time` adds the peak resident memory.

use chancheng::experiment::run_single;
use chancheng::experiment::scale::scaled_population;
use chancheng::scenario::load_builtin;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let factor: f64 = args.next().as_deref().unwrap_or("1").parse()?;
    let months: f64 = args.next().as_deref().unwrap_or("240").parse()?;
    let scenario = scaled_population(&load_builtin()?, factor)?
        .with_overrides(&[("time.months".to_string(), months)])?;
    let started = Instant::now();
    let out = run_single(&scenario, 1, None, |_| {})?;
    let seconds = started.elapsed().as_secs_f64();
    let agent_months: f64 = out
        .records
        .iter()
        .filter_map(|r| r.get(None, "worker_agents"))
        .sum();
    println!(
        "factor {factor}: {months} months in {seconds:.2} s; peak {} worker agents, {} firms; \
         {:.2} M worker-agent-months per second",
        out.peak_workers,
        out.peak_firms,
        agent_months / seconds / 1e6
    );
    Ok(())
}
