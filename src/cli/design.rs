//! `chancheng design`: a design of experiments over any file's `[uncertainty]` table, as CSV.

use super::UsageError;
use crate::sensitivity::design::{Method, design};
use crate::sensitivity::params::read_parameters;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DesignMethod {
    /// Independent draws.
    Mc,
    /// Latin hypercube.
    Lhs,
    /// Saltelli's scheme for Sobol indices: N·(F+2) rows, N·(2F+2) with --second-order.
    Saltelli,
    /// Morris trajectories: N·(D+1) rows.
    Morris,
}

impl DesignMethod {
    /// The design with its options.
    pub fn method(self, second_order: bool, levels: u32) -> Method {
        match self {
            DesignMethod::Mc => Method::MonteCarlo,
            DesignMethod::Lhs => Method::LatinHypercube,
            DesignMethod::Saltelli => Method::Saltelli { second_order },
            DesignMethod::Morris => Method::Morris { levels },
        }
    }

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DesignMethod::Mc => "mc",
            DesignMethod::Lhs => "lhs",
            DesignMethod::Saltelli => "saltelli",
            DesignMethod::Morris => "morris",
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct DesignArgs {
    /// Design method.
    #[arg(long, value_enum)]
    pub method: DesignMethod,
    /// Any TOML file with an `[uncertainty]` table (a scenario file, with what it extends, or a
    /// file holding only the table).
    #[arg(long)]
    pub params: PathBuf,
    /// Samples (mc, lhs), base samples (saltelli) or trajectories (morris).
    #[arg(long)]
    pub n: usize,
    /// Seed of the design's random numbers (mc, lhs, morris; saltelli is a fixed Sobol sequence).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Saltelli: also the rows for second-order indices.
    #[arg(long)]
    pub second_order: bool,
    /// Morris: levels of the grid (even).
    #[arg(long, default_value_t = 4)]
    pub levels: u32,
    /// Group the parameters by the first K parts of their dotted names (1: by section), instead
    /// of the file's `group`s: Sobol indices per group, from far fewer runs.
    #[arg(long, value_name = "K")]
    pub group_by_prefix: Option<usize>,
    /// CSV file to write (standard output if omitted).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: DesignArgs) -> anyhow::Result<()> {
    let mut params = read_parameters(&args.params).map_err(|e| UsageError(e.to_string()))?;
    if let Some(k) = args.group_by_prefix {
        crate::sensitivity::params::group_by_prefix(&mut params, k);
    }
    let method = args.method.method(args.second_order, args.levels);
    if args.second_order && args.method != DesignMethod::Saltelli {
        return Err(UsageError("--second-order applies to --method saltelli only".into()).into());
    }
    let rows = design(&params, method, args.n, args.seed).map_err(|e| UsageError(e.0))?;
    let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    let mut text = Vec::new();
    crate::sensitivity::write_csv(&names, &rows, &mut text)?;
    super::write_text_or_stdout(args.out.as_deref(), &text)
}
