//! `liaison`: parses the command line, runs the command, and turns its outcome into an exit
//! code scripts can rely on (0 ok, 1 the server said no, 2 usage, 3 unreachable or 5xx).

use std::process::ExitCode;

use clap::Parser;
use liaison::cli::Cli;
use liaison::error::EXIT_USAGE;

fn main() -> ExitCode {
    let cli = Cli::parse(); // exits with 2 on a usage error, 0 for --help
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let e = anyhow::Error::new(e).context("cannot start the async runtime");
            eprintln!("error: {e:#}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match runtime.block_on(liaison::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
