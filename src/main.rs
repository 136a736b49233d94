use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = chancheng::cli::Cli::parse();
    match chancheng::cli::main_with(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
