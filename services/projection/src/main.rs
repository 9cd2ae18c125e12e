//! `liaison-projection`: serve (default), or `rebuild` the read models from the log.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use liaison_projection::{Application, DEFAULT_HTTP_ADDR, SERVICE, Settings};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_runtime::telemetry::init_tracing;

/// Consumes the Liaison log, builds the read models, answers queries.
#[derive(Debug, Parser)]
#[command(name = "liaison-projection", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    /// `/readyz` is not ready while the lag (last sequence in the log − last applied) is above this.
    #[arg(long, env = "LIAISON_MAX_LAG", default_value_t = 1000)]
    max_lag: u64,
    /// How long a query with `min_sequence` waits before answering 503, in milliseconds.
    #[arg(long, env = "LIAISON_MIN_SEQUENCE_WAIT_MS", default_value_t = 5000)]
    min_sequence_wait_ms: u64,
    /// Do not answer queries over NATS request-reply (HTTP only).
    #[arg(long, env = "LIAISON_NO_NATS_QUERIES")]
    no_nats_queries: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve (the default).
    Serve,
    /// Replay the log into a fresh database and switch to it atomically. Asks the instance
    /// running at --http-addr to do it (queries keep answering from the old state meanwhile);
    /// when none answers there, rebuilds the data directory offline.
    Rebuild,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let _logs = init_tracing(SERVICE, cli.common.log_format);
    match cli.command {
        None | Some(Command::Serve) => serve(cli).await,
        Some(Command::Rebuild) => rebuild(cli).await,
    }
}

async fn serve(cli: Cli) -> anyhow::Result<()> {
    let shutdown = Shutdown::on_signals();
    let settings = Settings {
        max_lag: cli.max_lag,
        min_sequence_wait: Duration::from_millis(cli.min_sequence_wait_ms),
        nats_queries: !cli.no_nats_queries,
        ..Settings::new(cli.common)
    };
    let app = Application::build(settings)
        .await
        .context("starting liaison-projection")?;
    app.run_until_stopped(shutdown).await?;
    Ok(())
}

async fn rebuild(cli: Cli) -> anyhow::Result<()> {
    let addr = cli
        .common
        .http_addr(DEFAULT_HTTP_ADDR.parse().expect("a valid address"));
    let url = format!("http://{addr}/v1/admin/rebuild?wait=true");
    let mut request = reqwest::Client::new().post(&url);
    if let Some(token) = cli.common.api_token() {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            anyhow::ensure!(status.is_success(), "{url} answered {status}: {body}");
            println!("{body}");
            Ok(())
        }
        Err(e) if e.is_connect() => {
            tracing::info!(%addr, "no running instance; rebuilding offline");
            let stores = std::sync::Arc::new(
                liaison_projection::switch::StoreSwitch::open(
                    &cli.common.data_dir(SERVICE),
                    cli.common.sled_cache_mib,
                )
                .context("opening the data directory (is an instance running elsewhere?)")?,
            );
            let (client, _health) = liaison_runtime::nats::connect(&cli.common, SERVICE).await?;
            let js = async_nats::jetstream::new(client);
            let report = liaison_projection::rebuild::rebuild(&js, &stores, None).await?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(())
        }
        Err(e) => Err(e).context(format!("asking {url} to rebuild")),
    }
}
