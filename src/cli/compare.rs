//! `chancheng compare`: scenarios × replications on common random numbers; final-year means with
//! confidence intervals and paired differences to the first scenario.

use super::UsageError;
use crate::experiment::attribution;
use crate::experiment::compare::{
    Comparison, DEFAULT_TABLE_INDICATORS, Estimate, KEY_INDICATORS, Period, RunDigest, TableSpec,
    replicate,
};
use crate::output::folder::OutputFolder;
use crate::plot::{Lang, name};
use crate::report::comparison::{Choices, paired_csv, paired_rows, write_figures};
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
        default_values_t = DEFAULT_TABLE_INDICATORS.map(String::from)
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
    /// Which lever of a package does what: runs each lever of PACKAGE alone over the reference
    /// (the first scenario, or the built-in baseline) and PACKAGE without each lever, and writes
    /// each lever's alone-effect and marginal contribution with the interaction remainder
    /// (attribution.md, attribution.csv). Costs 2 runs per lever and replication.
    #[arg(long, value_name = "PACKAGE")]
    pub attribute: Option<PathBuf>,
    #[arg(long, short)]
    pub quiet: bool,
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
    // Every flag is checked before the first replication.
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    let scenarios = match &args.attribute {
        None => scenarios,
        Some(_) if args.scenarios.len() > 1 => {
            return Err(usage(
                "--attribute compares one package with one reference: name at most one scenario \
                 (the reference; the built-in baseline when none)"
                    .into(),
            ));
        }
        Some(package) => {
            let reference = if args.scenarios.is_empty() {
                crate::scenario::load_builtin()?
            } else {
                scenarios
                    .into_iter()
                    .next()
                    .ok_or_else(|| usage("no reference".into()))?
            };
            vec![reference, crate::scenario::load_file(package)?]
        }
    };
    let scenarios = scenarios
        .into_iter()
        .map(|s| super::with_settings(s, &args.set))
        .collect::<Result<Vec<_>, _>>()?;
    let attribution = match &args.attribute {
        None => None,
        Some(path) => {
            let levers = attribution::package_levers(&scenarios[0], &scenarios[1]);
            if levers.is_empty() {
                return Err(usage(format!(
                    "--attribute {}: the package departs from `{}` on no lever of the catalogue \
                     (`chancheng levers` lists them)",
                    path.display(),
                    scenarios[0].name()
                )));
            }
            let arms = attribution::arms(&scenarios[0], &scenarios[1], &levers)?;
            Some((levers, arms))
        }
    };
    if args.runs < 2 {
        return Err(usage(format!(
            "--runs {} is too few: a confidence interval needs at least 2 replications",
            args.runs
        )));
    }
    let spec = TableSpec::new(
        &scenarios,
        args.indicators.clone(),
        &args.years,
        args.final_months,
        args.district.clone(),
    )
    .map_err(|e| usage(format!("--{e}")))?;
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
    let extra = attribution
        .as_ref()
        .map_or(0, |(levers, _)| 2 * levers.len() as u64);
    let total = args.runs * (scenarios.len() as u64 + extra);
    let bar = super::progress_bar(
        args.quiet,
        total,
        "compare [{bar:40}] {pos}/{len} runs ({eta})",
    );
    // Per scenario, per replication: the table's values and the digest the figures draw.
    let results: Vec<Vec<(Vec<f64>, RunDigest)>> = scenarios
        .iter()
        .map(|s| {
            replicate(
                s,
                args.seed,
                args.runs,
                |out| (spec.values(out), RunDigest::of(out)),
                || bar.inc(1),
            )
        })
        .collect::<Result<_, _>>()?;
    // Per lever: the replications' values of the lever alone and of the package without it.
    let attribution_values: Vec<ArmValues> = match &attribution {
        None => Vec::new(),
        Some((_, arms)) => arms
            .iter()
            .map(|(alone, without)| {
                let run = |s| {
                    replicate(
                        s,
                        args.seed,
                        args.runs,
                        |out| spec.values(out),
                        || bar.inc(1),
                    )
                };
                Ok::<_, Box<crate::experiment::RunError>>((run(alone)?, run(without)?))
            })
            .collect::<Result<_, _>>()?,
    };
    bar.finish_and_clear();
    let (results, digests): (Vec<Vec<Vec<f64>>>, Vec<Vec<RunDigest>>) = results
        .into_iter()
        .map(|runs| runs.into_iter().unzip())
        .unzip();
    let zh = args.lang == Lang::Zh;
    let (ids, periods, np) = (&spec.indicators, &spec.periods, spec.periods.len());
    let scope = spec.scope().to_string();
    let rows = paired_rows(&scenarios, &spec, &results);
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
                spec.district
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
                spec.district
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
            for s in 0..scenarios.len() {
                let row = &rows[(j * ids.len() + k) * scenarios.len() + s];
                let e = row.estimate;
                write!(
                    line,
                    " {} [{}, {}] |",
                    human.value(e.mean),
                    human.value(e.low),
                    human.value(e.high)
                )?;
                if let Some(d) = row.diff {
                    write!(
                        line,
                        " {} [{}, {}] |",
                        human.diff(d.mean),
                        human.diff(d.low),
                        human.diff(d.high)
                    )?;
                }
            }
            writeln!(md, "{line}")?;
        }
    }
    crate::output::write_atomic(&folder.path().join("compare.csv"), &paired_csv(&rows)?)?;
    crate::output::write_atomic(&folder.path().join("replications.csv"), &reps.into_inner()?)?;
    crate::output::write_atomic(&folder.path().join("compare.md"), md.as_bytes())?;
    let comparison = Comparison::new(&scenarios, digests, args.seed);
    let last_year = comparison
        .years()
        .last()
        .copied()
        .unwrap_or_else(|| crate::experiment::compare::full_years(&scenarios[0]).1);
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
    // Which lever does what: tables, CSV and the waterfall (also in the report).
    let attribution_out = match &attribution {
        None => None,
        Some((levers, _)) => {
            let out = attribution_tables(
                &scenarios,
                &spec,
                levers,
                [&results[0], &results[1]],
                &attribution_values,
                args.lang,
                args.indicators == DEFAULT_TABLE_INDICATORS.map(String::from).to_vec(),
            )?;
            crate::output::write_atomic(&folder.path().join("attribution.csv"), &out.csv)?;
            crate::output::write_atomic(
                &folder.path().join("attribution.md"),
                out.markdown.as_bytes(),
            )?;
            let title = if args.lang == Lang::Zh {
                format!("逐项政策分解：{}", scenarios[1].label(true))
            } else {
                format!("Lever by lever: {}", scenarios[1].label(false))
            };
            let source = crate::plot::Source {
                scenario_hashes: scenarios
                    .iter()
                    .map(|s| s.content_hash().to_string())
                    .collect(),
                runs: args.runs as usize,
                seed: args.seed,
            }
            .line(args.lang);
            let figure = crate::plot::attribution::Waterfall {
                panels: out.panels.clone(),
                lang: args.lang,
            };
            let [png, _] = crate::plot::save(
                &figure,
                &title,
                &source,
                &folder.path().join("figures/attribution"),
            )?;
            let caption = if args.lang == Lang::Zh {
                "各项政策单独作用（自参照起逐项累加）、交互余项与方案总效应（黑线为95%置信区间）。"
                    .to_string()
            } else {
                "Each lever alone, stacked from the reference, then the interaction remainder and the package's total (black: its 95 % interval).".to_string()
            };
            Some((
                out,
                crate::report::FigureRef {
                    title,
                    caption,
                    png,
                },
            ))
        }
    };
    let figures = write_figures(&comparison, &choices, &folder.path().join("figures"))?;
    if args.report {
        let mut report =
            crate::report::comparison::build(&comparison, &scenarios, &choices, figures);
        if let Some((out, figure)) = &attribution_out {
            report.figures.push(figure.clone());
            report.appendix.extend(out.tables.iter().cloned());
        }
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
    if let Some((out, _)) = &attribution_out {
        super::print_out(format!("\n{}", out.markdown).as_bytes())?;
    }
    eprintln!(
        "\nwrote {}, compare.md, replications.csv, figures/{}{}",
        out.join("compare.csv").display(),
        if args.report {
            " and report.html/report.md"
        } else {
            ""
        },
        if attribution_out.is_some() {
            ", attribution.md, attribution.csv and figures/attribution.png"
        } else {
            ""
        }
    );
    Ok(())
}

/// What `--attribute` writes: the Markdown tables, the CSV, the report's tables and the
/// waterfall's panels.
struct AttributionOut {
    markdown: String,
    csv: Vec<u8>,
    tables: Vec<crate::report::Table>,
    panels: Vec<crate::plot::attribution::WaterfallPanel>,
}

/// Per lever: the replications' table values of the lever alone and of the package without it.
type ArmValues = (Vec<Vec<f64>>, Vec<Vec<f64>>);

/// The indicators a decomposition reports when the user kept compare's default list.
const ATTRIBUTION_HEADLINE: [&str; 4] = [
    "gdp",
    "employment",
    "pendulum_index",
    "coupling_coordination",
];

/// `attribution.md` and `attribution.csv`: per period and indicator, each lever's alone-effect and
/// marginal contribution, the sum of the alone-effects, the interaction remainder and the total.
fn attribution_tables(
    scenarios: &[crate::scenario::Scenario],
    spec: &TableSpec,
    levers: &[attribution::PackageLever],
    [reference, package]: [&Vec<Vec<f64>>; 2],
    arms: &[ArmValues],
    lang: Lang,
    headline_only: bool,
) -> anyhow::Result<AttributionOut> {
    let mut tables = Vec::new();
    let mut panels = Vec::new();
    let zh = lang == Lang::Zh;
    let np = spec.periods.len();
    let mut md = String::new();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "package",
        "lever",
        "report_ids",
        "indicator",
        "district",
        "year",
        "effect",
        "runs",
        "mean",
        "ci95_low",
        "ci95_high",
    ])?;
    let (package_label, reference_label) = (scenarios[1].label(zh), scenarios[0].label(zh));
    if zh {
        writeln!(
            md,
            "## 逐项政策分解：{package_label}（相对于“{reference_label}”）\n\n单项效应 = 参照 + 该项 − 参照；边际贡献 = 方案 − 方案去掉该项；交互余项 = 方案总效应 − 单项效应之和。均为配对差与 95% 置信区间（{} 次重复）。",
            reference.len()
        )?;
    } else {
        writeln!(
            md,
            "## Lever by lever: {package_label} (against “{reference_label}”)\n\nalone = reference + the lever − reference; marginal = package − package without the lever; interaction = the package's total − the sum of the alone-effects. Paired differences with 95 % intervals ({} replications).",
            reference.len()
        )?;
    }
    for (j, period) in spec.periods.iter().enumerate() {
        for (k, id) in spec.indicators.iter().enumerate() {
            if headline_only && !ATTRIBUTION_HEADLINE.contains(&id.as_str()) {
                continue;
            }
            let at =
                |runs: &Vec<Vec<f64>>| -> Vec<f64> { runs.iter().map(|r| r[k * np + j]).collect() };
            let alone: Vec<Vec<f64>> = arms.iter().map(|(a, _)| at(a)).collect();
            let without: Vec<Vec<f64>> = arms.iter().map(|(_, w)| at(w)).collect();
            let d = attribution::decompose(&at(reference), &at(package), &alone, &without);
            let human = crate::plot::human::Human::of(id, zh);
            let cell = |e: &Estimate| {
                format!(
                    "{} [{}, {}]",
                    human.diff(e.mean),
                    human.diff(e.low),
                    human.diff(e.high)
                )
            };
            let label = period.label(spec.final_months);
            writeln!(md, "\n### {} ({}), {label}\n", name(id, lang), human.unit)?;
            if zh {
                writeln!(
                    md,
                    "| 政策 | 报告出处 | 单项效应 | 边际贡献 |\n|---|---|---:|---:|"
                )?;
            } else {
                writeln!(
                    md,
                    "| lever | report | alone | marginal |\n|---|---|---:|---:|"
                )?;
            }
            let mut record = |lever: &str, report: &str, effect: &str, e: &Estimate| {
                csv.write_record([
                    scenarios[1].name().to_string(),
                    lever.to_string(),
                    report.to_string(),
                    id.clone(),
                    spec.scope().to_string(),
                    label.clone(),
                    effect.to_string(),
                    e.n.to_string(),
                    e.mean.to_string(),
                    e.low.to_string(),
                    e.high.to_string(),
                ])
            };
            for (lever, (a, m)) in levers.iter().zip(&d.levers) {
                let lever_name = if zh { lever.name_zh } else { lever.name_en };
                writeln!(
                    md,
                    "| {lever_name} | {} | {} | {} |",
                    lever.report_ids,
                    cell(a),
                    cell(m)
                )?;
                record(lever.id, lever.report_ids, "alone", a)?;
                record(lever.id, lever.report_ids, "marginal", m)?;
            }
            let sum: f64 = d.levers.iter().map(|(a, _)| a.mean).sum();
            let (sum_label, interaction_label, total_label) = if zh {
                ("单项效应之和", "交互余项", "方案总效应")
            } else {
                (
                    "sum of the alone-effects",
                    "interaction remainder",
                    "package total",
                )
            };
            writeln!(md, "| {sum_label} | | {} | |", human.diff(sum))?;
            writeln!(md, "| {interaction_label} | | {} | |", cell(&d.interaction))?;
            writeln!(md, "| **{total_label}** | | **{}** | |", cell(&d.total))?;
            record("", "", "interaction", &d.interaction)?;
            record("", "", "total", &d.total)?;
            let title = format!("{} ({}), {label}", name(id, lang), human.unit);
            let mut rows: Vec<Vec<String>> = levers
                .iter()
                .zip(&d.levers)
                .map(|(lever, (a, m))| {
                    vec![
                        (if zh { lever.name_zh } else { lever.name_en }).to_string(),
                        lever.report_ids.to_string(),
                        cell(a),
                        cell(m),
                    ]
                })
                .collect();
            rows.push(vec![
                sum_label.into(),
                String::new(),
                human.diff(sum),
                String::new(),
            ]);
            rows.push(vec![
                interaction_label.into(),
                String::new(),
                cell(&d.interaction),
                String::new(),
            ]);
            rows.push(vec![
                format!("**{total_label}**"),
                String::new(),
                format!("**{}**", cell(&d.total)),
                String::new(),
            ]);
            tables.push(crate::report::Table {
                caption: title.clone(),
                header: if zh {
                    ["政策", "报告出处", "单项效应", "边际贡献"]
                } else {
                    ["lever", "report", "alone", "marginal"]
                }
                .map(String::from)
                .to_vec(),
                rows,
                note: String::new(),
            });
            if j + 1 == np {
                panels.push(crate::plot::attribution::WaterfallPanel {
                    indicator: id.clone(),
                    title,
                    steps: levers
                        .iter()
                        .zip(&d.levers)
                        .map(|(lever, (a, _))| {
                            (
                                (if zh { lever.name_zh } else { lever.name_en }).to_string(),
                                *a,
                            )
                        })
                        .collect(),
                    interaction: d.interaction,
                    total: d.total,
                });
            }
        }
    }
    Ok(AttributionOut {
        markdown: md,
        csv: csv.into_inner()?,
        tables,
        panels,
    })
}
