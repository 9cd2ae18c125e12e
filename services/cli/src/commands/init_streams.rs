//! `liaison admin init-streams`: the operator's step before the services start on a secured
//! NATS — only the admin may create a stream, so the log (LIAISON_EVENTS), the alerts
//! (LIAISON_ALERTS) and the reader's articles (LIAISON_ARTICLES) are created here, with the settings of `liaison_log`, and checked when they
//! exist (never changed: differing settings are listed).

use async_nats::jetstream;
use liaison_log::{
    LogSettings, StreamPlacement, StreamSetup, StreamSetupError, ensure_alerts_stream,
    ensure_articles_stream_if, ensure_events_stream,
};
use liaison_proto::subjects::{ALERTS_STREAM, ARTICLES_STREAM, EVENTS_STREAM};

use crate::cli::InitStreamsArgs;
use crate::commands::{Context, out};
use crate::error::{CliError, CliResult};
use crate::nats;

/// Runs the command.
pub async fn run(args: InitStreamsArgs, ctx: &Context) -> CliResult {
    let client = nats::connect(&ctx.global.nats_url, &ctx.global.nats_access.access()).await?;
    let js = jetstream::new(client);
    let settings = LogSettings {
        replicas: usize::from(args.replicas),
        placement: StreamPlacement {
            cluster: args.placement_cluster,
            tags: args.placement_tags,
        },
        ..LogSettings::default()
    };
    let events = ensure_events_stream(&js, &settings).await;
    out(&report(EVENTS_STREAM, events)?)?;
    let alerts = ensure_alerts_stream(&js, &settings).await;
    out(&report(ALERTS_STREAM, alerts)?)?;
    let articles = ensure_articles_stream_if(&js, &settings, Ok(())).await;
    out(&report(ARTICLES_STREAM, articles)?)
}

/// One line (and the differing settings) for a stream, or the error that says whose
/// credentials are needed.
pub fn report(name: &str, setup: Result<StreamSetup, StreamSetupError>) -> CliResult<String> {
    match setup {
        Ok(StreamSetup::Created(info)) => Ok(format!(
            "{name}: created ({} replica{})\n",
            info.config.num_replicas,
            if info.config.num_replicas == 1 {
                ""
            } else {
                "s"
            }
        )),
        Ok(StreamSetup::Found { differences, .. }) if differences.is_empty() => {
            Ok(format!("{name}: found, with Liaison's settings\n"))
        }
        Ok(StreamSetup::Found { differences, .. }) => Ok(format!(
            "{name}: found and kept as it is; these settings differ from Liaison's:\n{}",
            differences
                .iter()
                .map(|d| format!("  - {d}\n"))
                .collect::<String>()
        )),
        Err(e) => Err(CliError::Nats(format!(
            "{e}; creating and checking the streams needs the NATS admin's credentials \
             (--nats-nkey <data-dir>/nats-secrets/admin.nk with --nats-tls-ca \
             <data-dir>/nats-secrets/ca.pem for a stack of `liaison admin nats-config`)"
        ))),
    }
}
