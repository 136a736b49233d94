//! `chancheng sweep` and `chancheng merge`: a design run on the model, one row per run in
//! `runs.csv`, appended as runs finish (an interrupted sweep keeps them and `--resume` completes
//! it), in parts with `--shard i/N` (or a Slurm array task) that `merge` joins.
//!
//! Files of a sweep folder: `sweep.json` (what was asked: a resumed or merged sweep must match
//! it), `design.csv` (the samples), `runs.partial.csv` (the journal: finished runs in the order
//! they finished), `runs.csv` (every run in run order, written at the end; a shard writes
//! `runs.shard-I-of-N.csv`). The final bytes depend only on what was asked, never on threads,
//! shards or interruptions.

use super::UsageError;
use super::design::DesignMethod;
use crate::experiment::sweep::{OutputSpec, Plan, run_id_of};
use crate::sensitivity::design::design;
use crate::sensitivity::params::{Parameter, parameters_of_text, read_parameters};
use anyhow::Context as _;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

const DEFAULT_OUTPUTS: &str = "gdp@final,employment@final,pendulum_index@final,coupling_coordination@final,max:debt_to_revenue";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Filter {
    Validate,
}

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// Scenario file (the built-in baseline when omitted).
    pub scenario: Option<PathBuf>,
    /// Design over the parameters (see `chancheng design`).
    #[arg(long, value_enum)]
    pub design: DesignMethod,
    /// Samples (mc, lhs), base samples (saltelli) or trajectories (morris).
    #[arg(long)]
    pub n: usize,
    /// Runs of each sample, on the replication seeds of `compare`.
    #[arg(long, default_value_t = 1)]
    pub replications: u64,
    /// Outputs: `indicator@YEAR`, `indicator@final`, `max:`/`min:`/`mean:indicator`, with
    /// `indicator[district]` for a district; comma-separated.
    #[arg(long, value_delimiter = ',', default_value = DEFAULT_OUTPUTS)]
    pub outputs: Vec<String>,
    /// File whose `[uncertainty]` table is swept (default: the scenario's own, with what it extends).
    #[arg(long)]
    pub params: Option<PathBuf>,
    /// Master seed: of the design and of the replications.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Saltelli: also the rows for second-order indices.
    #[arg(long)]
    pub second_order: bool,
    /// Group the parameters by the first K parts of their dotted names (1: by section), instead
    /// of the file's `group`s: Sobol indices per group, from far fewer runs.
    #[arg(long, value_name = "K")]
    pub group_by_prefix: Option<usize>,
    /// Morris: levels of the grid.
    #[arg(long, default_value_t = 4)]
    pub levels: u32,
    /// Indicators whose monthly values every run also records, comma-separated (`id` or
    /// `id[district]`): `series.csv` (run, month, indicator, value). None by default: a sweep is
    /// compact.
    #[arg(long, value_delimiter = ',')]
    pub series: Vec<String>,
    /// `validate`: also run `chancheng validate`'s checks on every run and name those that fail in
    /// a `validate_failed` column (behavioural filtering; the checked run costs more).
    #[arg(long, value_enum)]
    pub filter: Option<Filter>,
    /// Give every sample its own random numbers (default: replication r of every sample shares
    /// its seed, so outputs differ by the parameters alone).
    #[arg(long)]
    pub independent_seeds: bool,
    /// Output folder [default: output/sweep-<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Complete an interrupted sweep in this folder (the same command and flags); with nothing
    /// to complete, start it.
    #[arg(long)]
    pub resume: bool,
    /// Start over in a folder that holds another sweep.
    #[arg(long)]
    pub force: bool,
    /// Run part i of N (0 ≤ i < N); default from SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT.
    #[arg(long)]
    pub shard: Option<String>,
    /// Run a scenario larger than the start-up budget on agents.
    #[arg(long)]
    pub allow_large: bool,
    /// After the sweep, analyse it (Sobol for a saltelli design, Morris for a morris one) and
    /// write its figures, report.html and report.md in the output folder.
    #[arg(long)]
    pub report: bool,
    /// Language of the report and its figures.
    #[arg(long, value_enum, default_value_t = crate::plot::Lang::En)]
    pub lang: crate::plot::Lang,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(clap::Args, Debug)]
pub struct SlurmArgs {
    /// The sweep to run on the cluster: the arguments of `chancheng sweep` (scenario, --design,
    /// --n, --outputs, …), written after `--`.
    #[arg(last = true, required = true)]
    pub sweep: Vec<String>,
    /// Array tasks: each runs one shard of the sweep (a batch of runs; Slurm takes about a second
    /// to schedule a task, so a task should hold many runs).
    #[arg(long)]
    pub tasks: u64,
    /// The sweep's output folder (the tasks write their shards there, the merge job runs.csv).
    #[arg(long)]
    pub out: PathBuf,
    /// CPUs per task (the task's runs use them all).
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: u32,
    /// Wall-clock limit per task (Slurm's format).
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// Partition to submit to (the cluster's default if omitted).
    #[arg(long)]
    pub partition: Option<String>,
}

/// Writes `sweep.sbatch` (an array of `tasks` tasks, each one shard), `merge.sbatch` and
/// `submit.sh` (submits the array, then the merge to run after every task succeeded).
pub fn slurm(args: SlurmArgs) -> anyhow::Result<()> {
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    if args.tasks == 0 {
        return Err(usage("--tasks must be at least 1".into()));
    }
    if args.sweep.iter().any(|a| {
        a == "--out" || a == "--shard" || a.starts_with("--out=") || a.starts_with("--shard=")
    }) {
        return Err(usage(
            "the sweep's --out is slurm's --out, and each task takes its --shard from Slurm".into(),
        ));
    }
    // The sweep's arguments must parse: a mistake shows now, not on the cluster.
    let parsed = <super::Cli as clap::Parser>::try_parse_from(
        ["chancheng", "sweep"]
            .into_iter()
            .map(String::from)
            .chain(args.sweep.iter().cloned()),
    )
    .map_err(|e| usage(format!("the sweep's arguments: {e}")))?;
    drop(parsed);
    std::fs::create_dir_all(&args.out).map_err(|e| {
        usage(format!(
            "--out {}: cannot create the folder: {e}",
            args.out.display()
        ))
    })?;
    let out = args
        .out
        .canonicalize()
        .map_err(|e| usage(format!("--out {}: {e}", args.out.display())))?;
    let exe = std::env::current_exe()?;
    // Paths in the sweep's arguments become absolute: tasks start in another folder.
    let absolute: Vec<String> = args
        .sweep
        .iter()
        .map(|a| {
            let p = std::path::Path::new(a);
            if !a.starts_with('-') && p.exists() {
                p.canonicalize()
                    .map_or(a.clone(), |c| c.display().to_string())
            } else {
                a.clone()
            }
        })
        .collect();
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    let sweep_cmd = std::iter::once(quote(&exe.display().to_string()))
        .chain(std::iter::once("sweep".to_string()))
        .chain(absolute.iter().map(|a| quote(a)))
        .chain(["--out".to_string(), quote(&out.display().to_string())])
        .chain(["--quiet".to_string(), "--resume".to_string()])
        .collect::<Vec<_>>()
        .join(" ");
    let partition = args
        .partition
        .as_ref()
        .map_or(String::new(), |p| format!("#SBATCH --partition={p}\n"));
    let log = out.join("slurm-logs");
    std::fs::create_dir_all(&log)?;
    let sweep_script = format!(
        "#!/bin/bash\n\
         # One shard of a chancheng sweep per array task (written by `chancheng slurm`).\n\
         #SBATCH --job-name=chancheng-sweep\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --time={time}\n\
         #SBATCH --output={log}/sweep-%A_%a.out\n\
         {partition}\
         set -euo pipefail\n\
         export RAYON_NUM_THREADS=\"${{SLURM_CPUS_PER_TASK:-1}}\"\n\
         # The task's shard comes from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT; --resume\n\
         # makes a requeued task finish its shard rather than start it over.\n\
         {sweep_cmd}\n",
        last = args.tasks - 1,
        cpus = args.cpus_per_task,
        time = args.time,
        log = log.display(),
    );
    let merge_script = format!(
        "#!/bin/bash\n\
         # Joins the shards into runs.csv once every task has succeeded (written by `chancheng slurm`).\n\
         #SBATCH --job-name=chancheng-merge\n\
         #SBATCH --time=00:10:00\n\
         #SBATCH --output={log}/merge-%j.out\n\
         {partition}\
         set -euo pipefail\n\
         {exe} merge {out}\n",
        log = log.display(),
        exe = quote(&exe.display().to_string()),
        out = quote(&out.display().to_string()),
    );
    let submit = format!(
        "#!/bin/bash\n\
         # Submits the sweep's array, then the merge to run after all of its tasks succeed.\n\
         set -euo pipefail\n\
         cd {out}\n\
         array=$(sbatch --parsable sweep.sbatch)\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --dependency=afterok:$array merge.sbatch)\n\
         echo \"submitted array $array and merge ${{merge%%;*}}\"\n",
        out = quote(&out.display().to_string()),
    );
    use std::os::unix::fs::PermissionsExt as _;
    for (name, text) in [
        ("sweep.sbatch", &sweep_script),
        ("merge.sbatch", &merge_script),
        ("submit.sh", &submit),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    }
    eprintln!(
        "wrote {0}/sweep.sbatch ({1} array tasks), {0}/merge.sbatch and {0}/submit.sh; run {0}/submit.sh",
        out.display(),
        args.tasks
    );
    Ok(())
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// A sweep folder holding every `runs.shard-I-of-N.csv`.
    pub folder: PathBuf,
}

/// Part `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shard {
    index: u64,
    count: u64,
}

fn parse_shard(text: &str) -> Result<Shard, UsageError> {
    let bad = || {
        UsageError(format!(
            "--shard {text}: expected i/N with 0 ≤ i < N, e.g. 0/4"
        ))
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (index, count) = (
        i.trim().parse::<u64>().map_err(|_| bad())?,
        n.trim().parse::<u64>().map_err(|_| bad())?,
    );
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// The shard of a Slurm array task: task ids from SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT
/// tasks.
fn slurm_shard() -> Result<Option<Shard>, UsageError> {
    let var = |k: &str| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    match (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT")) {
        (Some(id), Some(count)) => {
            let min = var("SLURM_ARRAY_TASK_MIN").unwrap_or(0);
            let index = id.checked_sub(min).ok_or_else(|| {
                UsageError(format!(
                    "SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                ))
            })?;
            parse_shard(&format!("{index}/{count}")).map(Some)
        }
        _ => Ok(None),
    }
}

pub fn sweep(args: SweepArgs) -> anyhow::Result<()> {
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    let scenario = super::load_scenario(args.scenario.as_deref())?;
    super::check_size(&scenario, args.allow_large)?;
    let mut params: Vec<Parameter> = match (&args.params, &args.scenario) {
        (Some(p), _) | (None, Some(p)) => read_parameters(p),
        (None, None) => {
            parameters_of_text(crate::scenario::BASELINE_TOML, "baseline.toml (built in)")
        }
    }
    .map_err(|e| usage(e.to_string()))?;
    if let Some(k) = args.group_by_prefix {
        crate::sensitivity::params::group_by_prefix(&mut params, k);
    }
    for p in &params {
        if scenario.number_at(&p.name).is_none() {
            return Err(usage(format!(
                "parameter `{}` is not a number of scenario `{}` that a run can set",
                p.name,
                scenario.name()
            )));
        }
    }
    if args.replications == 0 {
        return Err(usage("--replications must be at least 1".into()));
    }
    if args.report && !matches!(args.design, DesignMethod::Saltelli | DesignMethod::Morris) {
        return Err(usage(format!(
            "--report draws sensitivity indices: it needs --design saltelli or morris, not {}",
            args.design.name()
        )));
    }
    let outputs = check_outputs(&scenario, &args.outputs)?;
    let series = if args.series.iter().all(|s| s.trim().is_empty()) {
        Vec::new()
    } else {
        let specs = check_outputs(&scenario, &args.series)?;
        if let Some(s) = specs.iter().find(|s| s.text.contains(['@', ':'])) {
            return Err(usage(format!(
                "--series `{}`: a series is every month of an indicator (`id` or `id[district]`)",
                s.text
            )));
        }
        specs
    };
    let method = args.design.method(args.second_order, args.levels);
    let samples = design(&params, method, args.n, args.seed).map_err(|e| usage(e.0))?;
    let plan = Plan {
        scenario: &scenario,
        parameters: params.iter().map(|p| p.name.clone()).collect(),
        samples,
        replications: args.replications,
        outputs,
        seed: args.seed,
        independent_seeds: args.independent_seeds,
        series,
        validate: args.filter == Some(Filter::Validate),
    };
    let shard = match &args.shard {
        Some(s) => Some(parse_shard(s)?),
        None => slurm_shard()?,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out_dir(&format!("sweep-{}", scenario.name())));
    std::fs::create_dir_all(&out).map_err(|e| {
        usage(format!(
            "--out {}: cannot create the folder: {e}",
            out.display()
        ))
    })?;
    // One writer per part: shards of a sweep run side by side in one folder.
    let lock_name = match shard {
        Some(s) => format!(".sweep.shard-{}-of-{}.lock", s.index, s.count),
        None => ".sweep.lock".to_string(),
    };
    let lock = std::fs::File::create(out.join(lock_name))
        .map_err(|e| usage(format!("--out {}: cannot write there: {e}", out.display())))?;
    if lock.try_lock().is_err() {
        return Err(usage(format!(
            "{}: another sweep is writing there now",
            out.display()
        )));
    }
    let manifest = manifest(&args, &scenario, &plan);
    let manifest_path = out.join("sweep.json");
    let (journal_path, final_path) = match shard {
        Some(s) => (
            out.join(format!("runs.shard-{}-of-{}.partial.csv", s.index, s.count)),
            out.join(format!("runs.shard-{}-of-{}.csv", s.index, s.count)),
        ),
        None => (out.join("runs.partial.csv"), out.join("runs.csv")),
    };
    match std::fs::read_to_string(&manifest_path) {
        Ok(existing)
            if existing == manifest
                && !args.resume
                && !args.force
                && (journal_path.exists() || final_path.exists()) =>
        {
            return Err(usage(format!(
                "{} holds this sweep already: --resume completes it, --force starts it over",
                out.display()
            )));
        }
        Ok(existing) if existing == manifest => {}
        Ok(_) if !args.force => {
            return Err(usage(format!(
                "{} holds another sweep (sweep.json differs from this command's){}; --force \
                 starts over there, or choose another --out",
                out.display(),
                if args.resume {
                    ": --resume needs the same scenario, design, seed, replications and outputs"
                } else {
                    ""
                }
            )));
        }
        _ => {}
    }
    let series_dir = out.join("series");
    if args.force || !args.resume {
        for f in [&journal_path, &final_path] {
            let _ = std::fs::remove_file(f);
        }
        if shard.is_none() {
            let _ = std::fs::remove_dir_all(&series_dir);
            let _ = std::fs::remove_file(out.join("series.csv"));
        }
    }
    if !plan.series.is_empty() {
        std::fs::create_dir_all(&series_dir)
            .with_context(|| format!("cannot write {}", series_dir.display()))?;
    }
    write_atomic(&manifest_path, manifest.as_bytes())?;
    let mut design_csv = Vec::new();
    {
        let mut names = vec!["sample".to_string()];
        names.extend(plan.parameters.iter().cloned());
        let rows: Vec<Vec<f64>> = plan
            .samples
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut row = vec![i as f64];
                row.extend(r.iter().copied());
                row
            })
            .collect();
        crate::sensitivity::write_csv(&names, &rows, &mut design_csv)?;
    }
    write_atomic(&out.join("design.csv"), &design_csv)?;

    // Runs already in the journal (complete lines only), then the rest.
    let mut done: BTreeMap<u64, String> = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(&journal_path) {
        for line in text.split_inclusive('\n').filter(|l| l.ends_with('\n')) {
            if let Some(id) = run_id_of(line)
                && id < plan.runs()
            {
                done.insert(id, line.to_string());
            }
        }
        // Rewrite it without a torn last line, so that appends start on a fresh line.
        let clean: String = done.values().map(String::as_str).collect();
        write_atomic(&journal_path, clean.as_bytes())?;
    }
    let mine = |i: &u64| shard.is_none_or(|s| i % s.count == s.index);
    let pending: Vec<u64> = (0..plan.runs())
        .filter(mine)
        .filter(|i| !done.contains_key(i))
        .collect();
    let total = (0..plan.runs()).filter(mine).count() as u64;
    let journal = std::sync::Mutex::new(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&journal_path)
            .with_context(|| format!("cannot write {}", journal_path.display()))?,
    );
    let bar = super::progress_bar(
        args.quiet,
        total,
        "sweep [{bar:40}] {pos}/{len} runs ({eta})",
    );
    bar.set_position(total - pending.len() as u64);
    let started = std::time::Instant::now();
    use rayon::prelude::*;
    let written: Result<Vec<(u64, String)>, std::io::Error> = pending
        .par_iter()
        .map(|&i| {
            let result = plan.run(i);
            // A run's series is on disk before the journal says it is done.
            if !result.series.is_empty() {
                let file = series_dir.join(series_file(i));
                let partial = series_dir.join(format!(".{}.partial", series_file(i)));
                std::fs::write(&partial, result.series.as_bytes())?;
                std::fs::rename(&partial, &file)?;
            }
            {
                let mut f = journal.lock().unwrap_or_else(|e| e.into_inner());
                f.write_all(result.line.as_bytes())?;
                f.flush()?;
            }
            bar.inc(1);
            Ok((i, result.line))
        })
        .collect();
    bar.finish_and_clear();
    for (i, line) in written.with_context(|| format!("cannot write {}", journal_path.display()))? {
        done.insert(i, line);
    }
    let mut text = plan.header();
    let mut failed = 0;
    for line in done.values() {
        if !line.trim_end().ends_with(",ok") {
            failed += 1;
        }
        text.push_str(line);
    }
    write_atomic(&final_path, text.as_bytes())?;
    let _ = std::fs::remove_file(&journal_path);
    if !plan.series.is_empty() && shard.is_none() {
        join_series(&out, plan.runs())?;
    }
    let report = format!(
        "sweep `{}`: {} runs ({} samples × {} replications{}) in {:.1} s, {} run now; {} did not finish; wrote {}\n",
        scenario.name(),
        total,
        plan.samples.len(),
        plan.replications,
        shard.map_or(String::new(), |s| format!(
            ", shard {} of {}",
            s.index, s.count
        )),
        started.elapsed().as_secs_f64(),
        pending.len(),
        failed,
        final_path.display()
    );
    if !args.quiet {
        eprint!("{report}");
    }
    if args.report && shard.is_none() {
        if failed > 0 {
            return Err(usage(format!(
                "--report: {failed} runs did not finish; the indices need every run (see {})",
                final_path.display()
            )));
        }
        let analyze = super::analyze::AnalyzeArgs {
            method: if args.design == DesignMethod::Morris {
                super::analyze::AnalyzeMethod::Morris
            } else {
                super::analyze::AnalyzeMethod::Sobol
            },
            params: PathBuf::new(),
            samples: out.join("design.csv"),
            outputs: final_path.clone(),
            second_order: args.second_order,
            resamples: None,
            seed: args.seed,
            group_by_prefix: None,
            format: super::analyze::Format::Table,
            report: None,
            lang: args.lang,
        };
        let analyses = super::analyze::analyse(&analyze, params.clone())?.indices;
        let source = crate::report::sensitivity::SourceInfo {
            what: {
                let hash = &scenario.content_hash()[..8.min(scenario.content_hash().len())];
                if args.lang.zh() {
                    format!("{} 的扫描（情景哈希 {hash}）", scenario.name())
                } else {
                    format!("sweep of {} (scenario hash {hash})", scenario.name())
                }
            },
            count: plan.runs() as usize,
            base_samples: (args.design == DesignMethod::Saltelli).then_some(args.n),
            seed: Some(args.seed),
        };
        let names = super::analyze::factor_names(args.params.as_deref(), args.lang)?;
        let files = crate::report::sensitivity::write(&analyses, &source, args.lang, &names, &out)?;
        if !args.quiet {
            eprintln!("wrote {}", files.join(", "));
        }
    }
    Ok(())
}

/// Checks the outputs before any run: known indicators and districts (from a one-month probe),
/// years the run covers.
fn check_outputs(
    scenario: &crate::scenario::Scenario,
    texts: &[String],
) -> Result<Vec<OutputSpec>, UsageError> {
    let mut sim = crate::model::Simulation::new(scenario, 1);
    let districts: Vec<String> = sim.districts().iter().map(|d| d.id.clone()).collect();
    let record = sim.step();
    let first_year = record.label[..4].parse::<i32>().unwrap_or(0);
    let months = scenario.spec().time.months as i32;
    let last_year = first_year + (months + record.label[5..7].parse::<i32>().unwrap_or(1) - 2) / 12;
    let mut specs = Vec::new();
    for text in texts.iter().filter(|t| !t.trim().is_empty()) {
        let spec = OutputSpec::parse(text).map_err(|m| UsageError(format!("--outputs: {m}")))?;
        let district = match &spec.district {
            Some(d) => match districts.iter().position(|x| x == d) {
                Some(i) => Some(i),
                None => {
                    return Err(UsageError(format!(
                        "--outputs `{}`: no district `{d}` (districts: {})",
                        spec.text,
                        districts.join(", ")
                    )));
                }
            },
            None => None,
        };
        let known: Vec<&str> = record
            .rows()
            .filter(|r| r.district == district)
            .map(|r| r.indicator)
            .collect();
        if !known.contains(&spec.indicator.as_str()) {
            let hint = crate::scenario::closest(&spec.indicator, known.iter().copied())
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            return Err(UsageError(format!(
                "--outputs `{}`: `{}` is not an indicator of {}{hint} (`chancheng indicators` lists them)",
                spec.text,
                spec.indicator,
                spec.district.as_deref().unwrap_or("the region")
            )));
        }
        if let crate::experiment::sweep::Aggregate::Year(y) = spec.aggregate
            && !(first_year..=last_year).contains(&y)
        {
            return Err(UsageError(format!(
                "--outputs `{}`: the run covers {first_year}–{last_year}",
                spec.text
            )));
        }
        if specs.iter().any(|s: &OutputSpec| s.text == spec.text) {
            return Err(UsageError(format!(
                "--outputs `{}` is given twice",
                spec.text
            )));
        }
        specs.push(spec);
    }
    if specs.is_empty() {
        return Err(UsageError("--outputs: at least one output".into()));
    }
    Ok(specs)
}

/// The file of run `i`'s series in the `series/` folder.
fn series_file(i: u64) -> String {
    format!("run-{i:010}.csv")
}

/// Joins the runs' series files into `series.csv` in run order, then removes them (a run that
/// did not finish has none).
fn join_series(out: &Path, runs: u64) -> anyhow::Result<()> {
    let dir = out.join("series");
    let mut text = String::from("run,month,indicator,value\n");
    for i in 0..runs {
        if let Ok(part) = std::fs::read_to_string(dir.join(series_file(i))) {
            text.push_str(&part);
        }
    }
    write_atomic(&out.join("series.csv"), text.as_bytes())?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// What was asked, as JSON: a resumed sweep and every shard must ask the same.
fn manifest(args: &SweepArgs, scenario: &crate::scenario::Scenario, plan: &Plan) -> String {
    let method = args.design.name();
    let value = serde_json::json!({
        "chancheng": env!("CARGO_PKG_VERSION"),
        "scenario": scenario.name(),
        "scenario_files": scenario.sources(),
        "design": method,
        "n": args.n,
        "second_order": args.second_order,
        "levels": args.levels,
        "group_by_prefix": args.group_by_prefix,
        "seed": args.seed,
        "replications": args.replications,
        "independent_seeds": args.independent_seeds,
        "series": plan.series.iter().map(|o| o.text.clone()).collect::<Vec<_>>(),
        "filter_validate": plan.validate,
        "parameters": plan.parameters,
        "outputs": plan.outputs.iter().map(|o| o.text.clone()).collect::<Vec<_>>(),
        "samples": plan.samples.len(),
        "runs": plan.runs(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    super::write_text_or_stdout(Some(path), bytes)
}

/// Joins the shards of a sweep into `runs.csv`, the bytes an unsharded sweep writes.
pub fn merge(args: MergeArgs) -> anyhow::Result<()> {
    let usage = |m: String| -> anyhow::Error { UsageError(m).into() };
    let dir = &args.folder;
    let manifest = std::fs::read_to_string(dir.join("sweep.json"))
        .map_err(|e| usage(format!("{}: no sweep.json ({e})", dir.display())))?;
    let runs = serde_json::from_str::<serde_json::Value>(&manifest)
        .ok()
        .and_then(|v| v["runs"].as_u64())
        .ok_or_else(|| usage(format!("{}: sweep.json has no run count", dir.display())))?;
    let mut shards: BTreeMap<u64, (u64, PathBuf)> = BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| usage(format!("{}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(mid) = name
            .strip_prefix("runs.shard-")
            .and_then(|r| r.strip_suffix(".csv"))
            .filter(|m| !m.ends_with(".partial"))
        else {
            continue;
        };
        let Some((i, n)) = mid.split_once("-of-") else {
            continue;
        };
        if let (Ok(i), Ok(n)) = (i.parse::<u64>(), n.parse::<u64>()) {
            shards.insert(i, (n, entry.path()));
        }
    }
    let Some(&(count, _)) = shards.values().next() else {
        return Err(usage(format!(
            "{}: no runs.shard-I-of-N.csv to merge",
            dir.display()
        )));
    };
    let missing: Vec<String> = (0..count)
        .filter(|i| shards.get(i).is_none_or(|(n, _)| *n != count))
        .map(|i| i.to_string())
        .collect();
    if !missing.is_empty() || shards.len() as u64 != count {
        return Err(usage(format!(
            "{}: shards of {count} expected; missing or of another count: {}",
            dir.display(),
            if missing.is_empty() {
                "shards of other counts are present".to_string()
            } else {
                missing.join(", ")
            }
        )));
    }
    let mut header: Option<String> = None;
    let mut lines: BTreeMap<u64, String> = BTreeMap::new();
    for (i, (_, path)) in &shards {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut parts = text.split_inclusive('\n');
        let h = parts.next().unwrap_or_default().to_string();
        match &header {
            None => header = Some(h),
            Some(first) if *first != h => {
                return Err(usage(format!(
                    "{}: its header differs from shard 0's: not the same sweep",
                    path.display()
                )));
            }
            _ => {}
        }
        for line in parts {
            let id = run_id_of(line).filter(|id| id % count == *i && *id < runs);
            match id {
                Some(id) if lines.insert(id, line.to_string()).is_none() => {}
                _ => {
                    return Err(usage(format!(
                        "{}: a line that is not one of this shard's runs: {}",
                        path.display(),
                        line.trim_end()
                    )));
                }
            }
        }
    }
    if lines.len() as u64 != runs {
        return Err(usage(format!(
            "{}: {} of {runs} runs in the shards: complete the missing shards (sweep --shard i/{count} --resume)",
            dir.display(),
            lines.len()
        )));
    }
    let mut text = header.unwrap_or_default();
    for line in lines.values() {
        text.push_str(line);
    }
    write_atomic(&dir.join("runs.csv"), text.as_bytes())?;
    if dir.join("series").is_dir() {
        join_series(dir, runs)?;
    }
    eprintln!(
        "merged {count} shards: {runs} runs in {}",
        dir.join("runs.csv").display()
    );
    Ok(())
}
