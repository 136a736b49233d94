//! `chancheng run`: one scenario, one seed → timeseries.csv, firms.csv, summary.json, dashboard.

use crate::experiment::run_single;
use crate::output::folder::OutputFolder;
use crate::plot::{self, Lang};
use anyhow::Context;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Scenario file (TOML); the built-in baseline when omitted.
    pub scenario: Option<PathBuf>,
    /// Seed of the random number generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder [default: output/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write firm microdata every N months to firms_panel.csv.
    #[arg(long, value_name = "N")]
    pub snapshot_every: Option<u32>,
    /// Language of figure labels.
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// Replace an output folder that holds another scenario's results.
    #[arg(long)]
    pub force: bool,
    /// Run a scenario larger than the start-up budget on agents (see the README).
    #[arg(long)]
    pub allow_large: bool,
    /// Set a number of the scenario without editing a file: `--set labour.quit_rate_per_month=0.02`
    /// (dotted key; repeatable; `true`/`false` for switches).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: RunArgs) -> anyhow::Result<()> {
    // Everything a user can get wrong is checked before the simulation starts.
    if args.snapshot_every == Some(0) {
        return Err(
            super::UsageError("--snapshot-every must be at least 1 (months)".into()).into(),
        );
    }
    let scenario =
        super::with_settings(super::load_scenario(args.scenario.as_deref())?, &args.set)?;
    super::check_size(&scenario, args.allow_large)?;
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out_dir(scenario.name()));
    let folder = OutputFolder::claim(&target, &format!("run {}", scenario.name()), args.force)?;
    let out = folder.path();
    let months = scenario.spec().time.months as u64;
    let bar = super::progress_bar(
        args.quiet,
        months,
        "{prefix} [{bar:40}] {pos}/{len} months ({eta})",
    );
    bar.set_prefix(scenario.name().to_string());
    let started = Instant::now();
    let result = run_single(&scenario, args.seed, args.snapshot_every, |_| bar.inc(1));
    bar.finish_and_clear();
    let result = result?;
    let wall = started.elapsed().as_secs_f64();
    crate::output::write_run(out, &scenario, args.seed, &result, wall)?;
    let names: Vec<String> = scenario
        .spec()
        .districts
        .values()
        .map(|d| match args.lang {
            Lang::Zh => d.name_zh.clone(),
            Lang::En => d.name_en.clone(),
        })
        .collect();
    plot::dashboard(
        &result.records,
        &names,
        &scenario,
        args.seed,
        args.lang,
        &out.join("dashboard"),
    )
    .context("drawing the dashboard")?;
    let out = folder.commit()?;
    let last = result.records.last();
    let get = |id: &str| last.and_then(|r| r.get(None, id)).unwrap_or(f64::NAN);
    eprintln!(
        "{}: {} months in {wall:.1} s (seed {}); peak {} firms, {} worker agents\n  {}: GDP (whole region) {:.1} 亿元/yr, employment (modelled firms) {:.0}, unemployment (worker agents) {:.1}%, pendulum {:.0}%, D = {:.3} (U1 {:.3}, U2 {:.3})\n  wrote {}",
        scenario.name(),
        result.records.len(),
        args.seed,
        result.peak_firms,
        result.peak_workers,
        last.map(|r| r.label.as_str()).unwrap_or("-"),
        get("gdp") / 1e8,
        get("employment"),
        get("unemployment_rate") * 100.0,
        get("pendulum_index") * 100.0,
        get("coupling_coordination"),
        get("industry_subsystem"),
        get("city_subsystem"),
        out.display()
    );
    for warning in crate::experiment::implementation_warnings(&result) {
        eprintln!("  warning: {warning}");
    }
    Ok(())
}
