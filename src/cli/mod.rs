//! The command line: clap structs close to the flags, one file per command.

mod analyze;
mod compare;
mod design;
mod discover;
mod indicators;
mod levers;
mod run;
mod serve;
mod sweep;
mod validate;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "chancheng",
    version,
    about = "产城 — simulate how an industrial cluster zone and its city grow together or apart"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario (the built-in baseline if no file is given) and write data and a dashboard.
    Run(run::RunArgs),
    /// Print the catalogue of policy levers from the 2015 report.
    Levers(levers::LeversArgs),
    /// Compare scenarios over replications on common random numbers; tables and figures.
    Compare(compare::CompareArgs),
    /// `compare` with its briefing: report.html (self-contained, A4) and report.md beside the
    /// tables and figures.
    Report(compare::CompareArgs),
    /// Check a scenario against the stylized facts (firm sizes, agglomeration, pendulum, rates).
    Validate(validate::ValidateArgs),
    /// Print the catalogue of indicators: id, names, unit and scope (what each counts).
    Indicators(indicators::IndicatorsArgs),
    /// Compute the `[coupling]` block (normalisation ranges, entropy weights) from the panel.
    CouplingWeights(indicators::CouplingWeightsArgs),
    /// Write a design of experiments (mc, lhs, saltelli, morris) over a file's `[uncertainty]` table.
    Design(design::DesignArgs),
    /// Sobol or Morris sensitivity indices from a design's samples and outputs (CSV files).
    Analyze(analyze::AnalyzeArgs),
    /// Run a design over a scenario's uncertain parameters: one row of outputs per run.
    Sweep(sweep::SweepArgs),
    /// Join the shards of a sweep (`sweep --shard i/N`) into its runs.csv.
    Merge(sweep::MergeArgs),
    /// PRIM scenario discovery: boxes of swept parameters where a condition on outputs holds.
    Discover(discover::DiscoverArgs),
    /// Write a Slurm array job for a sweep (one shard per task) and a dependent merge job.
    Slurm(sweep::SlurmArgs),
    /// The planner's live explorer: the report's levers in a browser, paired results as they
    /// arrive (a local web server; every asset embedded).
    Serve(serve::ServeArgs),
}

/// A flag or value that cannot work, detected before any simulation (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit code of a failed command: 2 for bad input detected before the run (a scenario, a
/// flag, an output folder), 1 for a failure during or after it.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    let input = e.chain().any(|cause| {
        cause.is::<crate::scenario::ScenarioError>()
            || cause.is::<UsageError>()
            || cause
                .downcast_ref::<crate::output::folder::FolderError>()
                .is_some_and(|f| f.is_input_error())
    });
    if input { 2 } else { 1 }
}

/// An error and its causes on one line, each cause once (a message that already quotes its
/// cause is not followed by it again).
pub fn error_message(e: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}

/// Writes a command's text to stdout; a reader that stops early (`| head`) is not an error.
pub fn print_out(text: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Runs a command; `Ok(false)` means it ran but its checks failed (exit code 2).
pub fn main_with(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::Run(args) => run::run(args).map(|_| true),
        Command::Levers(args) => levers::levers(args).map(|_| true),
        Command::Compare(args) => compare::compare(args).map(|_| true),
        Command::Report(args) => compare::compare(compare::CompareArgs {
            report: true,
            ..args
        })
        .map(|_| true),
        Command::Validate(args) => validate::run(args),
        Command::Indicators(args) => indicators::indicators(args).map(|_| true),
        Command::CouplingWeights(args) => indicators::coupling_weights(args).map(|_| true),
        Command::Design(args) => design::run(args).map(|_| true),
        Command::Analyze(args) => analyze::run(args).map(|_| true),
        Command::Sweep(args) => sweep::sweep(args).map(|_| true),
        Command::Merge(args) => sweep::merge(args).map(|_| true),
        Command::Discover(args) => discover::run(args).map(|_| true),
        Command::Slurm(args) => sweep::slurm(args).map(|_| true),
        Command::Serve(args) => serve::serve(args).map(|_| true),
    }
}

/// A scenario from a path, or the built-in baseline when none is given.
pub fn load_scenario(
    path: Option<&Path>,
) -> Result<crate::scenario::Scenario, crate::scenario::ScenarioError> {
    match path {
        None => crate::scenario::load_builtin(),
        Some(p) => crate::scenario::load_file(p),
    }
}

/// A scenario with `--set KEY=VALUE` settings applied (validated like a file; exit code 2 when a
/// setting cannot work).
pub fn with_settings(
    scenario: crate::scenario::Scenario,
    settings: &[String],
) -> anyhow::Result<crate::scenario::Scenario> {
    use crate::scenario::ScenarioError;
    match scenario.with_settings(settings) {
        Ok(s) => Ok(s),
        Err(ScenarioError::Setting(message)) => Err(UsageError(format!("--set {message}")).into()),
        Err(e) => Err(e.into()),
    }
}

/// Refuses, before the run, a scenario that could create more agents than the start-up budget.
pub fn check_size(
    scenario: &crate::scenario::Scenario,
    allow_large: bool,
) -> Result<(), UsageError> {
    match crate::experiment::scale::too_large(scenario) {
        Some(reason) if !allow_large => Err(UsageError(reason)),
        _ => Ok(()),
    }
}

/// Progress bars only on a terminal, never under CI or `--quiet`.
pub fn show_progress(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal()
}

/// A progress bar of `len` steps drawn with `template` (indicatif syntax), or a hidden one when
/// [`show_progress`] says no.
pub fn progress_bar(quiet: bool, len: u64, template: &str) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressStyle};
    if !show_progress(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Writes a command's text to `out` (replaced whole: written beside it, then renamed) or, without
/// one, to standard output.
pub fn write_text_or_stdout(out: Option<&Path>, text: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    match out {
        None => Ok(print_out(text)?),
        Some(path) => {
            let name = path
                .file_name()
                .ok_or_else(|| UsageError(format!("--out {}: not a file name", path.display())))?;
            let partial = path.with_file_name(format!(
                ".{}.partial-{}",
                name.to_string_lossy(),
                std::process::id()
            ));
            std::fs::write(&partial, text)
                .with_context(|| format!("cannot write {}", partial.display()))?;
            std::fs::rename(&partial, path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(())
        }
    }
}

pub fn default_out_dir(name: &str) -> PathBuf {
    PathBuf::from("output").join(name)
}
