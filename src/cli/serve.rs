//! `chancheng serve`: the planner's live explorer on a local web server.

use crate::explorer::{Options, request::Base};
use crate::plot::Lang;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The status quo the levers move away from (the built-in baseline when omitted).
    pub scenario: Option<PathBuf>,
    /// Port to listen on (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; loopback unless you mean to share the page on a network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Language the page opens in (it has a switch).
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// Simulations run at once [default: the number of cores].
    #[arg(long)]
    pub workers: Option<usize>,
    /// Paired replications per view (replication r of both arms shares its seed).
    #[arg(long, default_value_t = 20)]
    pub runs: u64,
    /// Master seed of the replications (as `compare --seed`).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The server's output folder: briefings are written here and nowhere else.
    #[arg(long, default_value = "output/explorer")]
    pub out: PathBuf,
    /// Set a number of the status quo (and of every view): `--set time.months=120` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    use super::UsageError;
    if args.runs < 2 {
        return Err(UsageError(format!(
            "--runs {} is too few: a confidence interval needs at least 2 replications",
            args.runs
        ))
        .into());
    }
    let scenario =
        super::with_settings(super::load_scenario(args.scenario.as_deref())?, &args.set)?;
    super::check_size(&scenario, false)?;
    let (extends, dir) = match &args.scenario {
        None => (
            crate::scenario::BASELINE_FILE_NAME.to_string(),
            std::env::current_dir()?,
        ),
        Some(path) => {
            let canonical = path.canonicalize()?;
            let name = canonical
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| UsageError(format!("{}: not a file", path.display())))?;
            let dir = canonical
                .parent()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            (name, dir)
        }
    };
    std::fs::create_dir_all(&args.out)?;
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let options = Options {
        base: Base {
            scenario,
            extends,
            dir,
            settings: args.set.clone(),
        },
        lang: args.lang,
        workers,
        runs: args.runs,
        seed: args.seed,
        out: args.out.clone(),
    };
    crate::explorer::serve(options, &args.bind, args.port)
}
