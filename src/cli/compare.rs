//! `chancheng compare`: scenarios × replications on common random numbers; final-year means with
//! confidence intervals and paired differences to the first scenario.

use super::UsageError;
use crate::experiment::compare::{Estimate, final_mean, replicate};
use crate::output::folder::OutputFolder;
use crate::plot::{Lang, name};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// Scenario files; the first is the reference (`baseline` = the built-in baseline).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Replications per scenario (replication r of every scenario shares its seed).
    #[arg(long, default_value_t = 20)]
    pub runs: u64,
    /// Master seed from which replication seeds are derived.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Indicators to compare (region values), comma-separated; the default includes the cost and
    /// implementation indicators (`chancheng indicators` lists them all).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "gdp,modelled_firm_value_added,employment,unemployment_rate,pendulum_index,zone_residents,industry_subsystem,city_subsystem,coupling_coordination,debt_incl_ppp,public_cost_cumulative,capital_cut_cumulative,capital_cut_share,occupancy.public_rental"
    )]
    pub indicators: Vec<String>,
    /// Months at the end of the run to average over (12 = the final year).
    #[arg(long, default_value_t = 12)]
    pub final_months: usize,
    /// Output folder for compare.csv.
    #[arg(long, default_value = "output/compare")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// Replace an output folder that holds other results.
    #[arg(long)]
    pub force: bool,
    /// Run scenarios larger than the start-up budget on agents (see the README).
    #[arg(long)]
    pub allow_large: bool,
    #[arg(long, short)]
    pub quiet: bool,
}

/// The indicator ids a run records for the region: those of a one-month run of `scenario`
/// (families such as `public_cost.<lever>` included).
fn region_indicators(scenario: &crate::scenario::Scenario) -> Vec<String> {
    let mut sim = crate::model::Simulation::new(scenario, 1);
    sim.step()
        .rows
        .into_iter()
        .filter(|r| r.district.is_none())
        .map(|r| r.indicator)
        .collect()
}

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let scenarios = args
        .scenarios
        .iter()
        .map(|p| {
            if p.as_os_str() == "baseline" && !p.exists() {
                crate::scenario::load_builtin()
            } else {
                crate::scenario::load_file(p)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Every flag is checked before the first replication.
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    if args.runs < 2 {
        return Err(usage(format!(
            "--runs {} is too few: a confidence interval needs at least 2 replications",
            args.runs
        )));
    }
    let shortest = scenarios
        .iter()
        .map(|s| s.spec().time.months as usize)
        .min()
        .unwrap_or(0);
    if args.final_months == 0 || args.final_months > shortest {
        return Err(usage(format!(
            "--final-months {} is not allowed: 1 to {shortest} (the shortest scenario's months)",
            args.final_months
        )));
    }
    let known = region_indicators(&scenarios[0]);
    for id in &args.indicators {
        if !known.contains(id) {
            let hint = crate::scenario::closest(id, known.iter().map(String::as_str))
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            return Err(usage(format!(
                "--indicators: `{id}` is not an indicator of the region{hint} \
                 (`chancheng indicators` lists them)"
            )));
        }
    }
    for scenario in &scenarios {
        super::check_size(scenario, args.allow_large)?;
    }
    let folder = OutputFolder::claim(&args.out, "compare", args.force)?;
    let total = args.runs * scenarios.len() as u64;
    let bar = super::progress_bar(
        args.quiet,
        total,
        "compare [{bar:40}] {pos}/{len} runs ({eta})",
    );
    let ids = args.indicators.clone();
    let results: Vec<Vec<Vec<f64>>> = scenarios
        .iter()
        .map(|s| {
            replicate(
                s,
                args.seed,
                args.runs,
                |out| {
                    ids.iter()
                        .map(|id| final_mean(out, None, id, args.final_months))
                        .collect::<Vec<f64>>()
                },
                || bar.inc(1),
            )
        })
        .collect::<Result<_, _>>()?;
    bar.finish_and_clear();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "scenario",
        "indicator",
        "runs",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff_vs_reference",
        "diff_ci95_low",
        "diff_ci95_high",
    ])?;
    let mut text = String::new();
    writeln!(
        text,
        "{} scenarios × {} runs (master seed {}); mean of the last {} months, 95% CI; Δ = paired difference to `{}`",
        scenarios.len(),
        args.runs,
        args.seed,
        args.final_months,
        scenarios[0].name()
    )?;
    for (k, id) in ids.iter().enumerate() {
        writeln!(text, "\n{} [{id}]", name(id, args.lang))?;
        let reference: Vec<f64> = results[0].iter().map(|r| r[k]).collect();
        for (s, scenario) in scenarios.iter().enumerate() {
            let sample: Vec<f64> = results[s].iter().map(|r| r[k]).collect();
            let e = Estimate::of(&sample, 0.95);
            let d = Estimate::paired(&sample, &reference, 0.95);
            let diff = if s == 0 {
                String::new()
            } else {
                format!(
                    "Δ {:>14} [{}, {}]",
                    super::signed_figure(d.mean),
                    super::signed_figure(d.low),
                    super::signed_figure(d.high)
                )
            };
            writeln!(
                text,
                "  {:<26} {:>14} [{}, {}]  {diff}",
                scenario.name(),
                super::figure(e.mean),
                super::figure(e.low),
                super::figure(e.high)
            )?;
            csv.write_record([
                scenario.name().to_string(),
                id.clone(),
                e.n.to_string(),
                e.mean.to_string(),
                e.low.to_string(),
                e.high.to_string(),
                if s == 0 {
                    String::new()
                } else {
                    d.mean.to_string()
                },
                if s == 0 {
                    String::new()
                } else {
                    d.low.to_string()
                },
                if s == 0 {
                    String::new()
                } else {
                    d.high.to_string()
                },
            ])?;
        }
    }
    crate::output::write_atomic(&folder.path().join("compare.csv"), &csv.into_inner()?)?;
    let out = folder.commit()?;
    super::print_out(text.as_bytes())?;
    eprintln!("\nwrote {}", out.join("compare.csv").display());
    Ok(())
}
