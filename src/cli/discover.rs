//! `chancheng discover`: PRIM scenario discovery on a sweep's runs — boxes of the swept
//! parameters where a condition on the outputs holds (`debt_to_revenue@2035 > 1.5`).

use super::UsageError;
use crate::sensitivity::prim::{choose, peel};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct DiscoverArgs {
    /// A sweep's runs.csv (its sweep.json beside it names the parameters).
    #[arg(long)]
    pub runs: PathBuf,
    /// The cases of interest: `COLUMN OP NUMBER` with OP one of > >= < <=, joined by `&&`, e.g.
    /// "max:debt_to_revenue > 1.5 && gdp@2035 < 9e10".
    #[arg(long = "where")]
    pub condition: String,
    /// Share of the box's points peeled off at each step.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Stop when the box holds less than this share of all runs.
    #[arg(long, default_value_t = 0.05)]
    pub min_mass: f64,
    /// The box reported: the densest whose coverage is at least this.
    #[arg(long, default_value_t = 0.5)]
    pub min_coverage: f64,
    #[arg(long, value_enum, default_value_t = super::analyze::Format::Table)]
    pub format: super::analyze::Format,
    /// Also draw the coverage–density trade-off and the chosen box, and write report.html and
    /// report.md, in this folder.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Language of the report and its figure.
    #[arg(long, value_enum, default_value_t = crate::plot::Lang::En)]
    pub lang: crate::plot::Lang,
}

/// One comparison of the condition.
struct Clause {
    column: usize,
    op: &'static str,
    value: f64,
}

fn parse_condition(text: &str, header: &[String]) -> Result<Vec<Clause>, String> {
    let mut clauses = Vec::new();
    for part in text.split("&&") {
        let part = part.trim();
        let (at, op) = [">=", "<=", ">", "<"]
            .iter()
            .find_map(|op| part.find(op).map(|i| (i, *op)))
            .ok_or_else(|| {
                format!("--where `{part}`: expected COLUMN OP NUMBER with OP one of > >= < <=")
            })?;
        let (name, value) = (part[..at].trim(), part[at + op.len()..].trim());
        let column = header.iter().position(|h| h == name).ok_or_else(|| {
            let hint = crate::scenario::closest(name, header.iter().map(String::as_str))
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            format!("--where: no column `{name}` in the runs{hint}")
        })?;
        let value = value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("--where `{part}`: `{value}` is not a number"))?;
        clauses.push(Clause { column, op, value });
    }
    Ok(clauses)
}

pub fn run(args: DiscoverArgs) -> anyhow::Result<()> {
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    let in_range = (0.0..0.5).contains(&args.alpha)
        && args.alpha > 0.0
        && (0.0..1.0).contains(&args.min_mass)
        && args.min_mass > 0.0;
    if !in_range {
        return Err(usage(
            "--alpha must lie in (0, 0.5) and --min-mass in (0, 1)".into(),
        ));
    }
    let manifest_path = args
        .runs
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("sweep.json");
    let parameters: Vec<String> = std::fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v["parameters"].as_array().map(|a| {
                a.iter()
                    .filter_map(|p| p.as_str().map(String::from))
                    .collect()
            })
        })
        .ok_or_else(|| {
            usage(format!(
                "{}: no sweep.json naming the parameters beside the runs",
                manifest_path.display()
            ))
        })?;
    let mut reader = csv::Reader::from_path(&args.runs)
        .map_err(|e| usage(format!("cannot read {}: {e}", args.runs.display())))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| usage(format!("{}: {e}", args.runs.display())))?
        .iter()
        .map(str::to_string)
        .collect();
    let inputs: Vec<usize> = parameters
        .iter()
        .map(|p| header.iter().position(|h| h == p))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            usage(format!(
                "{}: not the runs of its sweep.json",
                args.runs.display()
            ))
        })?;
    let clauses = parse_condition(&args.condition, &header).map_err(usage)?;
    let status = header.iter().position(|h| h == "status");
    let (mut x, mut y, mut skipped) = (Vec::new(), Vec::new(), 0usize);
    for record in reader.records() {
        let record = record.map_err(|e| usage(format!("{}: {e}", args.runs.display())))?;
        if status.is_some_and(|s| record.get(s) != Some("ok")) {
            skipped += 1;
            continue;
        }
        let num = |c: usize| record.get(c).and_then(|v| v.parse::<f64>().ok());
        let row: Option<Vec<f64>> = inputs.iter().map(|&c| num(c)).collect();
        let holds: Option<bool> = clauses
            .iter()
            .map(|c| {
                num(c.column).map(|v| match c.op {
                    ">" => v > c.value,
                    ">=" => v >= c.value,
                    "<" => v < c.value,
                    _ => v <= c.value,
                })
            })
            .try_fold(true, |all, h| h.map(|h| all && h));
        match (row, holds) {
            (Some(r), Some(h)) => {
                x.push(r);
                y.push(h);
            }
            _ => skipped += 1,
        }
    }
    let cases = y.iter().filter(|&&b| b).count();
    if x.len() < 10 || cases == 0 || cases == x.len() {
        return Err(usage(format!(
            "{} runs, {cases} of them cases of `{}`: PRIM needs at least 10 runs with some cases \
             and some not",
            x.len(),
            args.condition
        )));
    }
    let trajectory = peel(&x, &y, args.alpha, args.min_mass);
    let chosen = choose(&trajectory, args.min_coverage).map(|i| (i, &trajectory[i]));
    let out = match args.format {
        super::analyze::Format::Json => {
            let steps: Vec<serde_json::Value> = trajectory
                .iter()
                .map(|s| {
                    serde_json::json!({
                        "coverage": s.coverage, "density": s.density, "mass": s.mass,
                        "points": s.points,
                        "restricted": s.restricted.iter().map(|&j| parameters[j].clone()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let chosen_json = chosen.map(|(i, s)| {
                let limits: serde_json::Map<String, serde_json::Value> = s
                    .restricted
                    .iter()
                    .map(|&j| (parameters[j].clone(), serde_json::json!([s.limits[j].0, s.limits[j].1])))
                    .collect();
                serde_json::json!({ "step": i, "coverage": s.coverage, "density": s.density, "mass": s.mass, "limits": limits })
            });
            serde_json::to_string_pretty(&serde_json::json!({
                "where": args.condition, "runs": x.len(), "cases": cases, "skipped": skipped,
                "trajectory": steps, "box": chosen_json,
            }))? + "\n"
        }
        super::analyze::Format::Table => {
            let mut t = String::new();
            writeln!(
                t,
                "PRIM on {} runs ({} cases of `{}`, {} runs left out); peeling {} a step to a mass of {}",
                x.len(),
                cases,
                args.condition,
                skipped,
                args.alpha,
                args.min_mass
            )?;
            writeln!(
                t,
                "{:>4}  {:>8}  {:>8}  {:>6}  restricted",
                "step", "coverage", "density", "mass"
            )?;
            for (i, s) in trajectory.iter().enumerate() {
                writeln!(
                    t,
                    "{i:>4}  {:>8.3}  {:>8.3}  {:>6.3}  {}",
                    s.coverage,
                    s.density,
                    s.mass,
                    s.restricted.len()
                )?;
            }
            match chosen {
                None => writeln!(t, "\nno box has coverage ≥ {}", args.min_coverage)?,
                Some((i, s)) => {
                    writeln!(
                        t,
                        "\nbox of step {i} (the densest with coverage ≥ {}): coverage {:.3}, density {:.3}, mass {:.3}",
                        args.min_coverage, s.coverage, s.density, s.mass
                    )?;
                    let full = &trajectory[0].limits;
                    for &j in &s.restricted {
                        writeln!(
                            t,
                            "  {:<50} [{}, {}]   (swept [{}, {}])",
                            parameters[j], s.limits[j].0, s.limits[j].1, full[j].0, full[j].1
                        )?;
                    }
                }
            }
            t
        }
    };
    super::print_out(out.as_bytes())?;
    if let Some(dir) = &args.report {
        let result = crate::report::sensitivity::PrimResult {
            trajectory: &trajectory,
            chosen: chosen.map(|(i, _)| i),
            inputs: &parameters,
            condition: &args.condition,
            min_coverage: args.min_coverage,
        };
        let source = crate::report::sensitivity::SourceInfo {
            what: args.runs.display().to_string(),
            count: x.len(),
            base_samples: None,
            seed: None,
        };
        let files = crate::report::sensitivity::write_prim(&result, &source, args.lang, dir)?;
        eprintln!("wrote {}", files.join(", "));
    }
    Ok(())
}
