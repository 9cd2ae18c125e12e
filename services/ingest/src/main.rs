//! The `liaison-ingest` binary: parses flags and environment, starts the service, and serves until
//! Ctrl-C or SIGTERM. Everything else is in the library.

use clap::Parser;
use liaison_ingest::{Application, Config};
use liaison_runtime::shutdown::Shutdown;
use liaison_runtime::telemetry::init_tracing;

/// Accepts events and appends them to the Liaison log.
#[derive(Parser)]
#[command(name = "liaison-ingest", version, about)]
struct Cli {
    #[command(flatten)]
    config: Config,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let _logs = init_tracing("ingest", cli.config.common.log_format);
    tracing::info!(config = ?cli.config, "starting liaison-ingest");
    let app = Application::build_with_shutdown(cli.config, Shutdown::on_signals()).await?;
    tracing::info!(address = %app.address(), "liaison-ingest ready to serve");
    app.run_until_stopped().await?;
    Ok(())
}
