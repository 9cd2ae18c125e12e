//! The entry point of every service binary: parse flags and environment, log, build, serve until
//! SIGTERM or Ctrl-C.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};

use super::{App, Service, StartError};
use crate::shutdown::Shutdown;
use crate::telemetry::init_tracing;

/// The command line of a service: its `Config`, flattened.
#[derive(Parser)]
struct Cli<C: clap::Args> {
    #[command(flatten)]
    config: C,
}

/// Runs service `S` as a process: the whole `main` of a service binary.
pub fn main<S: Service>() -> ExitCode {
    run::<S>(parse::<S>())
}

/// The configuration of `S` from the command line and the environment (flags win); exits with
/// clap's message on a usage error or `--help`.
pub fn parse<S: Service>() -> S::Config {
    let command = Cli::<S::Config>::command()
        .name(S::KIND.binary_name())
        .bin_name(S::KIND.binary_name())
        .about(S::ABOUT)
        .version(env!("CARGO_PKG_VERSION"));
    let matches = command.get_matches();
    match Cli::<S::Config>::from_arg_matches(&matches) {
        Ok(cli) => cli.config,
        Err(e) => e.exit(),
    }
}

/// Serves `S` with `config` on a new async runtime until SIGTERM or Ctrl-C; the exit code.
pub fn run<S: Service>(config: S::Config) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!(
                "{}: cannot start the async runtime: {e}",
                S::KIND.binary_name()
            );
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve::<S>(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "{} failed", S::KIND.binary_name());
            eprintln!("{}: {e}", S::KIND.binary_name());
            ExitCode::FAILURE
        }
    }
}

/// Serves `S` with `config` until SIGTERM or Ctrl-C, in the caller's async runtime.
pub async fn serve<S: Service>(config: S::Config) -> Result<(), StartError> {
    // Held to the end: dropping it flushes the log lines still queued.
    let _logs = init_tracing(S::KIND.name(), S::common(&config).log_format);
    tracing::info!(?config, "starting {}", S::KIND.binary_name());
    let app = App::<S>::build(config, Shutdown::on_signals()).await?;
    tracing::info!(address = %app.address(), "{} ready to serve", S::KIND.binary_name());
    app.run_until_stopped().await
}
