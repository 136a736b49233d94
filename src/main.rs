use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = chancheng::cli::Cli::parse();
    match chancheng::cli::main_with(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {}", chancheng::cli::error_message(&e));
            // Bad input exits 2, like clap's usage errors, so a script can tell it from a run
            // that failed (1).
            ExitCode::from(chancheng::cli::exit_code(&e))
        }
    }
}
