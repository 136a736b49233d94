//! The command line: clap structs close to the flags, one file per command.

mod compare;
mod levers;
mod run;
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
    /// Compare scenarios over replications on common random numbers.
    Compare(compare::CompareArgs),
    /// Check a scenario against the stylized facts (firm sizes, agglomeration, pendulum, rates).
    Validate(validate::ValidateArgs),
}

/// Runs a command; `Ok(false)` means it ran but its checks failed (exit code 2).
pub fn main_with(cli: Cli) -> anyhow::Result<bool> {
    match cli.command {
        Command::Run(args) => run::run(args).map(|_| true),
        Command::Levers(args) => levers::levers(args).map(|_| true),
        Command::Compare(args) => compare::compare(args).map(|_| true),
        Command::Validate(args) => validate::run(args),
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

/// Progress bars only on a terminal, never under CI or `--quiet`.
pub fn show_progress(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::env::var_os("CI").is_none() && std::io::stderr().is_terminal()
}

pub fn default_out_dir(name: &str) -> PathBuf {
    PathBuf::from("output").join(name)
}
