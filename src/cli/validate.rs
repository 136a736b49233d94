//! `chancheng validate`: the stylized-fact checks of MODEL.md §7 on any scenario, over several
//! seeds, as a pass/fail table with the measured figures and the targets.

use crate::experiment::validate::validate;
use crate::format::figure;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Scenario file; the built-in baseline when omitted.
    pub scenario: Option<PathBuf>,
    /// Number of seeds (replications) to run.
    #[arg(long, default_value_t = 5)]
    pub seeds: u64,
    /// Master seed from which the replication seeds are derived.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run a scenario larger than the start-up budget on agents (see the README).
    #[arg(long)]
    pub allow_large: bool,
    /// Set a number of the scenario without editing a file: `--set labour.quit_rate_per_month=0.02`
    /// (dotted key; repeatable; `true`/`false` for switches).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output: a table for people, or JSON for scripts (every check with its target, each seed's
    /// figure and whether it passed).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// A target bound: as written in the check (0.03, −1.3), grouped when large (10,000).
fn target(x: f64) -> String {
    if x.abs() >= 1000.0 {
        figure(x)
    } else {
        x.to_string()
    }
}

/// A figure for JSON: NaN (a check a run could not measure) as null.
fn finite_or_null(x: f64) -> serde_json::Value {
    if x.is_finite() {
        x.into()
    } else {
        serde_json::Value::Null
    }
}

/// Returns whether every check passed on every seed.
pub fn run(args: ValidateArgs) -> anyhow::Result<bool> {
    if args.seeds == 0 {
        return Err(super::UsageError("--seeds must be at least 1".into()).into());
    }
    let scenario =
        super::with_settings(super::load_scenario(args.scenario.as_deref())?, &args.set)?;
    super::check_size(&scenario, args.allow_large)?;
    if !args.quiet {
        eprintln!(
            "validating `{}` over {} seeds ({} months each)…",
            scenario.name(),
            args.seeds,
            scenario.spec().time.months
        );
    }
    let bar = super::progress_bar(
        args.quiet,
        args.seeds,
        "validate [{bar:40}] {pos}/{len} seeds ({eta})",
    );
    let results = validate(&scenario, args.seed, args.seeds, || bar.inc(1));
    bar.finish_and_clear();
    let Some(first) = results.first() else {
        anyhow::bail!("no seed was run");
    };
    if args.format == Format::Json {
        let seeds: Vec<u64> = (0..args.seeds)
            .map(|r| crate::experiment::replication_seed(args.seed, r))
            .collect();
        let checks: Vec<serde_json::Value> = first
            .iter()
            .enumerate()
            .map(|(i, c)| {
                serde_json::json!({
                    "id": c.id,
                    "description": c.description,
                    "target": [c.target.0, c.target.1],
                    "measured": results.iter().map(|r| finite_or_null(r[i].measured)).collect::<Vec<_>>(),
                    "passed": results.iter().map(|r| r[i].passed()).collect::<Vec<_>>(),
                })
            })
            .collect();
        let all = results.iter().all(|r| r.iter().all(|c| c.passed()));
        let value = serde_json::json!({
            "scenario": scenario.name(),
            "seeds": seeds,
            "passed": all,
            "checks": checks,
        });
        super::print_out((serde_json::to_string_pretty(&value)? + "\n").as_bytes())?;
        return Ok(all);
    }
    let mut text = String::new();
    use std::fmt::Write;
    writeln!(
        text,
        "{:<34} {:>17} {:>10} {:>21}  {:<6} what",
        "check", "target", "mean", "min … max (seeds)", "result"
    )?;
    let mut all = true;
    for (i, check) in first.iter().enumerate() {
        let values: Vec<f64> = results.iter().map(|r| r[i].measured).collect();
        let passed = results.iter().filter(|r| r[i].passed()).count();
        let ok = passed == results.len();
        all &= ok;
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let min = values.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        writeln!(
            text,
            "{:<34} {:>17} {:>10} {:>21}  {:<6} {}",
            check.id,
            format!("[{}, {}]", target(check.target.0), target(check.target.1)),
            figure(mean),
            format!("{} … {}", figure(min), figure(max)),
            if ok {
                "PASS".to_string()
            } else {
                format!("FAIL {}/{}", results.len() - passed, results.len())
            },
            check.description
        )?;
    }
    writeln!(
        text,
        "\n{}",
        if all {
            "all checks passed"
        } else {
            "some checks failed"
        }
    )?;
    super::print_out(text.as_bytes())?;
    Ok(all)
}
