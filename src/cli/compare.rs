//! `chancheng compare`: scenarios × replications on common random numbers; final-year means with
//! confidence intervals and paired differences to the first scenario.

use super::UsageError;
use crate::experiment::compare::{
    Comparison, Estimate, KEY_INDICATORS, RunDigest, final_mean, replicate, year_mean,
};
use crate::output::folder::OutputFolder;
use crate::plot::{Lang, name};
use crate::report::comparison::{Choices, write_figures};
use std::fmt::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// Scenario files; the first is the reference (`baseline` = the built-in baseline). None:
    /// the built-in set (status quo, the report's four packages, all recommendations).
    pub scenarios: Vec<PathBuf>,
    /// Replications per scenario (replication r of every scenario shares its seed).
    #[arg(long, default_value_t = 20)]
    pub runs: u64,
    /// Master seed from which replication seeds are derived.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Indicators to compare, comma-separated; the default includes the cost and implementation
    /// indicators (`chancheng indicators` lists them all).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "gdp,modelled_firm_value_added,employment,unemployment_rate,pendulum_index,zone_residents,industry_subsystem,city_subsystem,coupling_coordination,debt_incl_ppp,public_cost_cumulative,capital_cut_cumulative,capital_cut_share,occupancy.public_rental"
    )]
    pub indicators: Vec<String>,
    /// Years to report, each the mean of its 12 months, comma-separated (`final` = the last
    /// `--final-months` months of the run).
    #[arg(long, value_delimiter = ',', default_value = "final")]
    pub years: Vec<String>,
    /// Months at the end of the run that `final` averages over (12 = the final year).
    #[arg(long, default_value_t = 12)]
    pub final_months: usize,
    /// A district's values instead of the region's (for district-level indicators).
    #[arg(long)]
    pub district: Option<String>,
    /// Output folder for compare.csv, compare.md and replications.csv.
    #[arg(long, default_value = "output/compare")]
    pub out: PathBuf,
    /// Language of the table: headers, indicator and scenario names.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// Replace an output folder that holds other results.
    #[arg(long)]
    pub force: bool,
    /// Run scenarios larger than the start-up budget on agents (see the README).
    #[arg(long)]
    pub allow_large: bool,
    /// Set a number of the scenario without editing a file: `--set labour.quit_rate_per_month=0.02`
    /// (dotted key; repeatable; `true`/`false` for switches).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Also write report.html (self-contained, printable to A4) and its Markdown twin report.md.
    #[arg(long)]
    pub report: bool,
    /// The indicator of the fan chart (its distribution over time per scenario).
    #[arg(long, default_value = "pendulum_index")]
    pub fan: String,
    /// The scenario drawn beside the reference on the district map (its name; default: the last).
    #[arg(long)]
    pub map_policy: Option<String>,
    #[arg(long, short)]
    pub quiet: bool,
}

/// A reporting period: a calendar year, or the end of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Year(i32),
    Final,
}

impl Period {
    fn label(self, final_months: usize) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::Final if final_months == 12 => "final".into(),
            Period::Final => format!("final-{final_months}m"),
        }
    }
}

/// The first and last calendar years a scenario's run covers in full.
fn full_years(scenario: &crate::scenario::Scenario) -> (i32, i32) {
    let t = &scenario.spec().time;
    let (y0, m0) = crate::scenario::parse_year_month(&t.start).unwrap_or((2016, 1));
    let first = if m0 == 1 { y0 } else { y0 + 1 };
    let end = (m0 as i32 - 1) + t.months as i32; // months since January of y0, exclusive
    let last = y0 + end / 12 - 1;
    (first, last)
}

/// The indicator ids a run records for the region (or a district): those of a one-month run of
/// `scenario` (families such as `public_cost.<lever>` included).
fn recorded_indicators(
    scenario: &crate::scenario::Scenario,
    district: Option<&str>,
) -> Vec<String> {
    let mut sim = crate::model::Simulation::new(scenario, 1);
    let d = district.and_then(|d| sim.districts().iter().position(|x| x.id == d));
    sim.step()
        .rows()
        .filter(|r| r.district == d)
        .map(|r| r.indicator.to_string())
        .collect()
}

pub fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let scenarios = if args.scenarios.is_empty() {
        crate::scenario::load_builtin_set()?
    } else {
        args.scenarios
            .iter()
            .map(|p| {
                if p.as_os_str() == "baseline" && !p.exists() {
                    crate::scenario::load_builtin()
                } else {
                    crate::scenario::load_file(p)
                }
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let scenarios = scenarios
        .into_iter()
        .map(|s| super::with_settings(s, &args.set))
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
    let (first, last) = scenarios
        .iter()
        .map(full_years)
        .fold((i32::MIN, i32::MAX), |a, b| (a.0.max(b.0), a.1.min(b.1)));
    let mut periods = Vec::new();
    for y in &args.years {
        let period = match y.trim() {
            "final" => Period::Final,
            text => match text.parse::<i32>() {
                Ok(y) if (first..=last).contains(&y) => Period::Year(y),
                _ => {
                    return Err(usage(format!(
                        "--years: `{text}` is not a year every scenario covers in full \
                         ({first}–{last}) nor `final`"
                    )));
                }
            },
        };
        if !periods.contains(&period) {
            periods.push(period);
        }
    }
    let district = match &args.district {
        None => None,
        Some(d) => {
            for s in &scenarios {
                if !s.spec().districts.contains_key(d) {
                    let ids: Vec<&str> = s.spec().districts.keys().map(String::as_str).collect();
                    return Err(usage(format!(
                        "--district `{d}`: scenario `{}` has no such district (it has {})",
                        s.name(),
                        ids.join(", ")
                    )));
                }
            }
            Some(d.clone())
        }
    };
    let known = recorded_indicators(&scenarios[0], district.as_deref());
    for id in &args.indicators {
        if !known.contains(id) {
            let hint = crate::scenario::closest(id, known.iter().map(String::as_str))
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            return Err(usage(format!(
                "--indicators: `{id}` is not an indicator of {}{hint} \
                 (`chancheng indicators` lists them)",
                district.as_deref().unwrap_or("the region")
            )));
        }
    }
    if !KEY_INDICATORS.contains(&args.fan.as_str()) {
        return Err(usage(format!(
            "--fan: `{}` is not kept year by year; one of {}",
            args.fan,
            KEY_INDICATORS.join(", ")
        )));
    }
    let map_policy = match &args.map_policy {
        None => scenarios.len() - 1,
        Some(n) => scenarios
            .iter()
            .position(|s| s.name() == n)
            .ok_or_else(|| {
                let names: Vec<&str> = scenarios.iter().map(|s| s.name()).collect();
                usage(format!(
                    "--map-policy: no scenario is named `{n}` (they are {})",
                    names.join(", ")
                ))
            })?,
    };
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
    // Per scenario, per replication: the value of (indicator k, period j) at k·P + j, and the
    // digest the figures draw.
    let results: Vec<Vec<(Vec<f64>, RunDigest)>> = scenarios
        .iter()
        .map(|s| {
            replicate(
                s,
                args.seed,
                args.runs,
                |out| {
                    let d = district
                        .as_ref()
                        .and_then(|d| out.district_ids.iter().position(|x| x == d));
                    let values = ids
                        .iter()
                        .flat_map(|id| {
                            periods.iter().map(move |p| match p {
                                Period::Final => final_mean(out, d, id, args.final_months),
                                Period::Year(y) => year_mean(out, d, id, *y),
                            })
                        })
                        .collect::<Vec<f64>>();
                    (values, RunDigest::of(out))
                },
                || bar.inc(1),
            )
        })
        .collect::<Result<_, _>>()?;
    bar.finish_and_clear();
    let (results, digests): (Vec<Vec<Vec<f64>>>, Vec<Vec<RunDigest>>) = results
        .into_iter()
        .map(|runs| runs.into_iter().unzip())
        .unzip();
    let zh = args.lang == Lang::Zh;
    let scope = district.clone().unwrap_or_else(|| "region".into());
    let np = periods.len();
    // replications.csv: one row per run and value, with the run's seed.
    let mut reps = csv::Writer::from_writer(Vec::new());
    reps.write_record([
        "scenario",
        "replication",
        "seed",
        "indicator",
        "district",
        "year",
        "value",
    ])?;
    for (s, scenario) in scenarios.iter().enumerate() {
        for (r, values) in results[s].iter().enumerate() {
            let seed = crate::experiment::replication_seed(args.seed, r as u64);
            for (k, id) in ids.iter().enumerate() {
                for (j, p) in periods.iter().enumerate() {
                    reps.write_record([
                        scenario.name().to_string(),
                        r.to_string(),
                        seed.to_string(),
                        id.clone(),
                        scope.clone(),
                        p.label(args.final_months),
                        values[k * np + j].to_string(),
                    ])?;
                }
            }
        }
    }
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "scenario",
        "indicator",
        "district",
        "year",
        "runs",
        "mean",
        "ci95_low",
        "ci95_high",
        "diff_vs_reference",
        "diff_ci95_low",
        "diff_ci95_high",
    ])?;
    let mut md = String::new();
    let (t_indicator, t_unit, t_ref) = if zh {
        ("指标", "单位", "参照")
    } else {
        ("indicator", "unit", "reference")
    };
    writeln!(
        md,
        "{}",
        if zh {
            format!(
                "{} 个情景 × {} 次重复（主种子 {}，第 r 次重复在各情景中使用同一种子）；均值及 95% 置信区间；Δ = 与“{}”的配对差{}。",
                scenarios.len(),
                args.runs,
                args.seed,
                scenarios[0].label(true),
                district
                    .as_ref()
                    .map_or(String::new(), |d| format!("；区域：{d}"))
            )
        } else {
            format!(
                "{} scenarios × {} replications (master seed {}; replication r of every scenario shares its seed); means with 95 % confidence intervals; Δ = paired difference to “{}”{}.",
                scenarios.len(),
                args.runs,
                args.seed,
                scenarios[0].label(false),
                district
                    .as_ref()
                    .map_or(String::new(), |d| format!("; district: {d}"))
            )
        }
    )?;
    for (j, p) in periods.iter().enumerate() {
        let title = match (p, zh) {
            (Period::Year(y), true) => format!("{y} 年"),
            (Period::Year(y), false) => format!("{y}"),
            (Period::Final, true) => format!("期末（最后 {} 个月）", args.final_months),
            (Period::Final, false) => format!("final (last {} months)", args.final_months),
        };
        writeln!(md, "\n### {title}\n")?;
        let mut header = format!("| {t_indicator} | {t_unit} |");
        let mut rule = String::from("|---|---|");
        for (s, scenario) in scenarios.iter().enumerate() {
            let label = scenario.label(zh);
            if s == 0 {
                if zh {
                    write!(header, " {label}（{t_ref}） |")?;
                } else {
                    write!(header, " {label} ({t_ref}) |")?;
                }
            } else {
                write!(header, " {label} | Δ |")?;
                rule.push_str("---:|");
            }
            rule.push_str("---:|");
        }
        writeln!(md, "{header}\n{rule}")?;
        for (k, id) in ids.iter().enumerate() {
            let human = crate::plot::human::Human::of(id, zh);
            let mut line = format!("| {} | {} |", name(id, args.lang), human.unit);
            let reference: Vec<f64> = results[0].iter().map(|r| r[k * np + j]).collect();
            for (s, scenario) in scenarios.iter().enumerate() {
                let sample: Vec<f64> = results[s].iter().map(|r| r[k * np + j]).collect();
                let e = human.clip(Estimate::of(&sample, 0.95));
                let d = Estimate::paired(&sample, &reference, 0.95);
                write!(
                    line,
                    " {} [{}, {}] |",
                    human.value(e.mean),
                    human.value(e.low),
                    human.value(e.high)
                )?;
                if s > 0 {
                    write!(
                        line,
                        " {} [{}, {}] |",
                        human.diff(d.mean),
                        human.diff(d.low),
                        human.diff(d.high)
                    )?;
                }
                let blank = |x: f64| if s == 0 { String::new() } else { x.to_string() };
                csv.write_record([
                    scenario.name().to_string(),
                    id.clone(),
                    scope.clone(),
                    p.label(args.final_months),
                    e.n.to_string(),
                    e.mean.to_string(),
                    e.low.to_string(),
                    e.high.to_string(),
                    blank(d.mean),
                    blank(d.low),
                    blank(d.high),
                ])?;
            }
            writeln!(md, "{line}")?;
        }
    }
    crate::output::write_atomic(&folder.path().join("compare.csv"), &csv.into_inner()?)?;
    crate::output::write_atomic(&folder.path().join("replications.csv"), &reps.into_inner()?)?;
    crate::output::write_atomic(&folder.path().join("compare.md"), md.as_bytes())?;
    let comparison = Comparison::new(&scenarios, digests, args.seed);
    let last_year = *comparison.years().last().unwrap_or(&last);
    let choices = Choices {
        years: periods
            .iter()
            .map(|p| match p {
                Period::Year(y) => *y,
                Period::Final => last_year,
            })
            .fold(Vec::new(), |mut v, y| {
                if !v.contains(&y) {
                    v.push(y);
                }
                v
            }),
        fan: args.fan.clone(),
        map_policy,
        lang: args.lang,
    };
    let figures = write_figures(&comparison, &choices, &folder.path().join("figures"))?;
    if args.report {
        let report = crate::report::comparison::build(&comparison, &scenarios, &choices, figures);
        crate::output::write_atomic(
            &folder.path().join("report.html"),
            report.html()?.as_bytes(),
        )?;
        crate::output::write_atomic(
            &folder.path().join("report.md"),
            report.markdown(folder.path()).as_bytes(),
        )?;
    }
    let out = folder.commit()?;
    super::print_out(md.as_bytes())?;
    eprintln!(
        "\nwrote {}, compare.md, replications.csv, figures/{}",
        out.join("compare.csv").display(),
        if args.report {
            " and report.html/report.md"
        } else {
            ""
        }
    );
    Ok(())
}
