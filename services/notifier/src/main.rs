//! `liaison-notifier`: flags and environment → [`liaison_notifier::Application`].

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use liaison_notifier::delivery::backoff::Backoff;
use liaison_notifier::delivery::worker::DeliveryConfig;
use liaison_notifier::{Application, Config, SERVICE};
use liaison_runtime::config::CommonArgs;
use liaison_runtime::shutdown::Shutdown;
use liaison_runtime::telemetry::init_tracing;

/// Follows the Liaison log, matches alert rules, delivers alerts to NATS and webhooks.
#[derive(Debug, Parser)]
#[command(name = "liaison-notifier", version)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    /// Webhook attempts before an alert is `failed` (dead-lettered).
    #[arg(long, env = "LIAISON_WEBHOOK_ATTEMPTS", default_value_t = 8)]
    webhook_attempts: u32,
    /// How long one webhook call may take, in milliseconds.
    #[arg(long, env = "LIAISON_WEBHOOK_TIMEOUT_MS", default_value_t = 10_000)]
    webhook_timeout: u64,
    /// The delay after a first failed delivery, in milliseconds (doubles each time, with jitter).
    #[arg(long, env = "LIAISON_BACKOFF_BASE_MS", default_value_t = 500)]
    backoff_base: u64,
    /// The longest delay between two delivery attempts, in milliseconds.
    #[arg(long, env = "LIAISON_BACKOFF_MAX_MS", default_value_t = 300_000)]
    backoff_max: u64,
    /// Replicas of the alerts stream (3 on a cluster).
    #[arg(long, env = "LIAISON_REPLICAS")]
    replicas: Option<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let _logs = init_tracing(SERVICE, cli.common.log_format);
    let config = Config {
        common: cli.common,
        delivery: DeliveryConfig {
            webhook_attempts: cli.webhook_attempts.max(1),
            webhook_timeout: Duration::from_millis(cli.webhook_timeout),
            backoff: Backoff {
                base: Duration::from_millis(cli.backoff_base),
                max: Duration::from_millis(cli.backoff_max.max(cli.backoff_base)),
            },
            ..DeliveryConfig::default()
        },
        alerts_replicas: cli.replicas,
    };
    let app = Application::build(config, Shutdown::on_signals())
        .await
        .context("starting liaison-notifier")?;
    app.run_until_stopped()
        .await
        .context("running liaison-notifier")?;
    Ok(())
}
