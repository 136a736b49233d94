//! `chancheng analyze`: Sobol or Morris sensitivity indices from a design's samples and outputs.

use super::UsageError;
use crate::sensitivity::analyze::{Indices, MorrisIndex, SobolIndex, morris, sobol};
use crate::sensitivity::params::{Factors, Parameter, read_parameters};
use crate::sensitivity::read_csv;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AnalyzeMethod {
    Sobol,
    Morris,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    #[arg(long, value_enum)]
    pub method: AnalyzeMethod,
    /// The file the design was made from (its `[uncertainty]` table).
    #[arg(long)]
    pub params: PathBuf,
    /// The design (CSV written by `chancheng design`).
    #[arg(long)]
    pub samples: PathBuf,
    /// The outputs: a header row of output names, one row per sample in the design's order.
    #[arg(long)]
    pub outputs: PathBuf,
    /// Sobol: the design has the rows for second-order indices.
    #[arg(long)]
    pub second_order: bool,
    /// Bootstrap resamples for the 95 % intervals (default: 100 for Sobol, 1000 for Morris).
    #[arg(long)]
    pub resamples: Option<usize>,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Group the parameters by the first K parts of their dotted names (1: by section), instead
    /// of the file's `group`s: Sobol indices per group, from far fewer runs.
    #[arg(long, value_name = "K")]
    pub group_by_prefix: Option<usize>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also draw the indices (tornado or μ*–σ figures) and write report.html and report.md in
    /// this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Language of the report and its figures.
    #[arg(long, value_enum, default_value_t = crate::plot::Lang::En)]
    pub lang: crate::plot::Lang,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<()> {
    let usage = |m: String| UsageError(m);
    let params = read_parameters(&args.params).map_err(|e| usage(e.to_string()))?;
    let analysis = analyse(&args, params)?;
    let out = match args.format {
        Format::Table => analysis.text,
        Format::Json => serde_json::to_string_pretty(&analysis.json)? + "\n",
    };
    super::print_out(out.as_bytes())?;
    if let Some(dir) = &args.report {
        let source = crate::report::sensitivity::SourceInfo {
            what: format!("{} + {}", args.samples.display(), args.outputs.display()),
            count: read_csv(&args.samples).map(|t| t.rows.len()).unwrap_or(0),
            base_samples: analysis.base_samples,
            seed: Some(args.seed),
        };
        let names = factor_names(Some(&args.params), args.lang)?;
        let files =
            crate::report::sensitivity::write(&analysis.indices, &source, args.lang, &names, dir)?;
        eprintln!("wrote {}", files.join(", "));
    }
    Ok(())
}

/// The readers' names of a parameter file's groups in `lang` (its `[groups]` table; none without
/// a file).
pub fn factor_names(
    params: Option<&std::path::Path>,
    lang: crate::plot::Lang,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let Some(path) = params else {
        return Ok(Default::default());
    };
    let labels = crate::sensitivity::params::read_group_labels(path)
        .map_err(|e| UsageError(e.to_string()))?;
    let which = usize::from(!lang.zh());
    Ok(labels
        .into_iter()
        .map(|(group, names)| (group, names[which].clone()))
        .collect())
}

/// What `analyse` computed.
pub struct Analysis {
    /// A table for the console.
    pub text: String,
    /// The same as JSON.
    pub json: serde_json::Map<String, serde_json::Value>,
    /// The indices of each output.
    pub indices: Vec<(String, Indices)>,
    /// A Saltelli design's base samples N (its rows over its rows per base sample).
    pub base_samples: Option<usize>,
}

/// Reads the design and outputs of `args` and computes the indices of every output: a table, JSON
/// and the indices themselves.
pub fn analyse(args: &AnalyzeArgs, mut params: Vec<Parameter>) -> anyhow::Result<Analysis> {
    let usage = |m: String| UsageError(m);
    if let Some(k) = args.group_by_prefix {
        crate::sensitivity::params::group_by_prefix(&mut params, k);
    }
    let mut samples = read_csv(&args.samples).map_err(|e| usage(e.to_string()))?;
    // A sweep's design.csv numbers its samples in a first column.
    if samples.names.first().is_some_and(|n| n == "sample") {
        samples.names.remove(0);
        for row in &mut samples.rows {
            row.remove(0);
        }
    }
    let outputs = read_outputs(&args.outputs, params.len()).map_err(usage)?;
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    if samples.names != names {
        let first = names
            .iter()
            .zip(&samples.names)
            .position(|(a, b)| a != b)
            .unwrap_or(names.len().min(samples.names.len()));
        return Err(usage(format!(
            "{}: its columns are not the parameters of {} ({} columns for {} parameters; the first \
             difference is column {})",
            args.samples.display(),
            args.params.display(),
            samples.names.len(),
            names.len(),
            first + 1
        ))
        .into());
    }
    if samples.rows.len() != outputs.rows.len() {
        return Err(usage(format!(
            "{} has {} rows but {} has {}: one output row per sample, in the same order",
            args.samples.display(),
            samples.rows.len(),
            args.outputs.display(),
            outputs.rows.len()
        ))
        .into());
    }
    let mut text = String::new();
    let mut json = serde_json::Map::new();
    let mut analyses = Vec::new();
    let base_samples = (args.method == AnalyzeMethod::Sobol).then(|| {
        let step = crate::sensitivity::design::saltelli_step(
            Factors::of(&params).len(),
            args.second_order,
        );
        samples.rows.len() / step
    });
    for (o, output) in outputs.names.iter().enumerate() {
        let y: Vec<f64> = outputs.rows.iter().map(|r| r[o]).collect();
        let fail =
            |e: crate::sensitivity::analyze::AnalyzeError| usage(format!("output `{output}`: {e}"));
        match args.method {
            AnalyzeMethod::Sobol => {
                let factors = Factors::of(&params);
                check_saltelli_layout(&params, &factors, &samples.rows, args.second_order)
                    .map_err(usage)?;
                let indices = sobol(
                    &y,
                    &factors.names,
                    args.second_order,
                    args.resamples.unwrap_or(100),
                    args.seed,
                )
                .map_err(fail)?;
                json.insert(output.clone(), sobol_json(&indices));
                sobol_table(
                    &mut text,
                    output,
                    &indices,
                    samples.rows.len(),
                    base_samples,
                );
                analyses.push((output.clone(), Indices::Sobol(indices)));
            }
            AnalyzeMethod::Morris => {
                let indices = morris(
                    &params,
                    &samples.rows,
                    &y,
                    args.resamples.unwrap_or(1000),
                    args.seed,
                )
                .map_err(fail)?;
                json.insert(output.clone(), morris_json(&indices));
                morris_table(&mut text, output, &indices, samples.rows.len());
                analyses.push((output.clone(), Indices::Morris(indices)));
            }
        }
    }
    Ok(Analysis {
        text,
        json,
        indices: analyses,
        base_samples,
    })
}

/// Outputs from a CSV of numbers, or from a sweep's `runs.csv` (header `run,sample,replication,
/// seed`, the parameters, the outputs, `status`): each output averaged over a sample's
/// replications, in sample order.
fn read_outputs(
    path: &std::path::Path,
    parameters: usize,
) -> Result<crate::sensitivity::Table, String> {
    let shown = path.display();
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{shown}: no header row ({e})"))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.get(..4) != Some(&["run", "sample", "replication", "seed"].map(String::from)[..]) {
        return read_csv(path).map_err(|e| e.to_string());
    }
    let first = 4 + parameters;
    // Outputs end at `status`, or at `validate_failed` where a sweep flagged its runs.
    let last = header
        .iter()
        .position(|h| h == "validate_failed")
        .unwrap_or(header.len().saturating_sub(1));
    let status_column = header.len().saturating_sub(1);
    if header.get(status_column).map(String::as_str) != Some("status") || first >= last {
        return Err(format!(
            "{shown}: a sweep's runs.csv of {parameters} parameters has the outputs between them and `status`"
        ));
    }
    let names = header[first..last].to_vec();
    let mut sums: Vec<(Vec<f64>, u32)> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{shown}: line {}: {e}", i + 2))?;
        let sample: usize = record
            .get(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("{shown}: line {}: no sample number", i + 2))?;
        if record.get(status_column) != Some("ok") {
            return Err(format!(
                "{shown}: run {} did not finish ({}): rerun it or leave its sample out",
                record.get(0).unwrap_or("?"),
                record.get(status_column).unwrap_or("")
            ));
        }
        if sample >= sums.len() {
            sums.resize(sample + 1, (vec![0.0; names.len()], 0));
        }
        for (k, v) in record.iter().skip(first).take(names.len()).enumerate() {
            sums[sample].0[k] += v
                .parse::<f64>()
                .map_err(|_| format!("{shown}: line {}: `{v}` is not a number", i + 2))?;
        }
        sums[sample].1 += 1;
    }
    if let Some(s) = sums.iter().position(|(_, n)| *n == 0) {
        return Err(format!("{shown}: sample {s} has no run"));
    }
    Ok(crate::sensitivity::Table {
        names,
        rows: sums
            .into_iter()
            .map(|(sum, n)| sum.into_iter().map(|x| x / f64::from(n)).collect())
            .collect(),
    })
}

/// The first base samples must have Saltelli's layout: A, then for each factor f a row equal to
/// A but for f's columns, which are B's (then, with second order, B but for f's columns, which
/// are A's), then B. A design made with other parameters, groups or flags fails here.
fn check_saltelli_layout(
    params: &[Parameter],
    factors: &Factors,
    rows: &[Vec<f64>],
    second_order: bool,
) -> Result<(), String> {
    let f_count = factors.len();
    let step = crate::sensitivity::design::saltelli_step(f_count, second_order);
    let flag = if second_order {
        "with --second-order"
    } else {
        "without --second-order"
    };
    if rows.len() < step || !rows.len().is_multiple_of(step) {
        return Err(format!(
            "{} rows is not a whole number of base samples of {step} rows: the samples are not a \
             Saltelli design of these parameters {flag}",
            rows.len()
        ));
    }
    for (base, block) in rows.chunks(step).take(4).enumerate() {
        let (a, b) = (&block[0], &block[step - 1]);
        let mixed = |row: &[f64], outside: &[f64], inside: &[f64], members: &[usize]| {
            (0..params.len()).all(|j| {
                let want = if members.contains(&j) {
                    inside[j]
                } else {
                    outside[j]
                };
                row[j] == want
            })
        };
        for (f, members) in factors.members.iter().enumerate() {
            let ab_ok = mixed(&block[1 + f], a, b, members);
            let ba_ok = !second_order || mixed(&block[1 + f_count + f], b, a, members);
            if !(ab_ok && ba_ok) {
                return Err(format!(
                    "the samples are not a Saltelli design of these parameters {flag}: base sample \
                     {} (rows {}–{}) does not vary `{}` as the design does",
                    base + 1,
                    base * step + 1,
                    base * step + step,
                    factors.names[f]
                ));
            }
        }
    }
    Ok(())
}

fn sobol_json(indices: &[SobolIndex]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for i in indices {
        let mut e = serde_json::json!({
            "S1": i.s1, "S1_conf": i.s1_conf, "ST": i.st, "ST_conf": i.st_conf,
        });
        if !i.s2.is_empty() {
            let s2: serde_json::Map<String, serde_json::Value> =
                i.s2.iter()
                    .map(|(k, v, _)| (k.clone(), (*v).into()))
                    .collect();
            let s2c: serde_json::Map<String, serde_json::Value> =
                i.s2.iter()
                    .map(|(k, _, c)| (k.clone(), (*c).into()))
                    .collect();
            e["S2"] = s2.into();
            e["S2_conf"] = s2c.into();
        }
        m.insert(i.factor.clone(), e);
    }
    m.into()
}

fn morris_json(indices: &[MorrisIndex]) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for i in indices {
        m.insert(
            i.parameter.clone(),
            serde_json::json!({
                "mu_star": i.mu_star, "mu_star_conf": i.mu_star_conf, "mu": i.mu, "sigma": i.sigma,
            }),
        );
    }
    m.into()
}

fn width(names: impl Iterator<Item = usize>) -> usize {
    names.max().unwrap_or(6).clamp(6, 60)
}

/// Factors sorted by total effect, largest first.
fn sobol_table(
    text: &mut String,
    output: &str,
    indices: &[SobolIndex],
    rows: usize,
    base_samples: Option<usize>,
) {
    let w = width(indices.iter().map(|i| i.factor.chars().count()));
    let base = base_samples
        .map(|n| format!(", N = {n} base samples"))
        .unwrap_or_default();
    let _ = writeln!(
        text,
        "Sobol indices of `{output}` ({rows} runs{base}; ± = 95 % bootstrap interval)"
    );
    let _ = writeln!(text, "{:<w$}  {:>16}  {:>16}", "factor", "S1", "ST");
    let mut sorted: Vec<&SobolIndex> = indices.iter().collect();
    sorted.sort_by(|a, b| b.st.total_cmp(&a.st));
    for i in sorted {
        let _ = writeln!(
            text,
            "{:<w$}  {:>7.4} ± {:<6.4}  {:>7.4} ± {:<6.4}",
            i.factor, i.s1, i.s1_conf, i.st, i.st_conf
        );
    }
    let pairs: Vec<(String, String, f64, f64)> = indices
        .iter()
        .flat_map(|i| {
            i.s2.iter()
                .filter(|(other, _, _)| i.factor < *other)
                .map(|(other, v, c)| (i.factor.clone(), other.clone(), *v, *c))
        })
        .collect();
    if !pairs.is_empty() {
        let _ = writeln!(text, "second order:");
        for (a, b, v, c) in pairs {
            let _ = writeln!(text, "  {a} × {b}: {v:.4} ± {c:.4}");
        }
    }
    text.push('\n');
}

/// Parameters sorted by μ*, largest first.
fn morris_table(text: &mut String, output: &str, indices: &[MorrisIndex], rows: usize) {
    let w = width(indices.iter().map(|i| i.parameter.chars().count()));
    let _ = writeln!(
        text,
        "Morris measures of `{output}` ({rows} runs; effects per unit of each parameter's quantile; ± = 95 % bootstrap interval)"
    );
    let _ = writeln!(
        text,
        "{:<w$}  {:>22}  {:>11}  {:>11}",
        "parameter", "μ*", "μ", "σ"
    );
    let mut sorted: Vec<&MorrisIndex> = indices.iter().collect();
    sorted.sort_by(|a, b| b.mu_star.total_cmp(&a.mu_star));
    for i in sorted {
        let _ = writeln!(
            text,
            "{:<w$}  {:>11.4e} ± {:<8.2e}  {:>11.4e}  {:>11.4e}",
            i.parameter, i.mu_star, i.mu_star_conf, i.mu, i.sigma
        );
    }
    text.push('\n');
}
