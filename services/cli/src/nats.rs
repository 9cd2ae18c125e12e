//! NATS access of the CLI: connecting with the user's credentials and TLS settings, with errors
//! that say what to do, and reading single events of the log (for the evidence of the events a
//! relationship lists).

use std::collections::HashMap;
use std::time::Duration;

use async_nats::{ConnectErrorKind, jetstream};
use liaison_proto::events::Evidence;
use liaison_proto::{Envelope, StoredEvent};
use liaison_secure::{CLI_CLIENT, NatsAccess, Servers, inbox_prefix};
use uuid::Uuid;

use crate::error::{CliError, CliResult};

/// Connects to `url` (comma-separated for a cluster) with `access`, its replies under the CLI's
/// inbox prefix (`_INBOX.cli`, the one the read-only user may read), failing fast with a
/// message that says how to start the stack, or which credentials or CA to give.
pub async fn connect(url: &str, access: &NatsAccess) -> CliResult<async_nats::Client> {
    let servers =
        Servers::parse(&[url]).map_err(|e| CliError::usage(format!("--nats-url: {e}")))?;
    let options = access
        .connect_options(&servers, &inbox_prefix(CLI_CLIENT))
        .await
        .map_err(|e| CliError::usage(e.to_string()))?;
    let shown = servers.shown();
    options
        .connection_timeout(Duration::from_secs(5))
        .name("liaison-cli")
        .connect(servers.addrs().to_vec())
        .await
        .map_err(|e| CliError::Nats(explain(&shown, &e)))
}

/// What a failed connection means for the user.
fn explain(servers: &str, e: &async_nats::ConnectError) -> String {
    let text = e.to_string();
    match e.kind() {
        ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication => format!(
            "NATS at {servers} refused these credentials ({text}): give your NATS user with \
             --nats-nkey or LIAISON_NATS_NKEY (for `liaison dev`: `source \
             <data-dir>/nats-secrets/cli.env`)"
        ),
        _ if e.kind() == ConnectErrorKind::Tls || text.contains("certificate") => format!(
            "TLS with NATS at {servers} failed ({text}): give the CA that signed its certificate \
             with --nats-tls-ca or LIAISON_NATS_TLS_CA (for `liaison dev`: \
             <data-dir>/nats-secrets/ca.pem)"
        ),
        _ => format!(
            "cannot reach NATS at {servers} ({text}): is the stack running? start it with \
             `liaison dev`"
        ),
    }
}

/// The log's event at `sequence`, if there is one.
pub async fn stored_event(
    js: &jetstream::Context,
    sequence: u64,
) -> CliResult<Option<StoredEvent>> {
    let entry = liaison_log::get(js, sequence)
        .await
        .map_err(|e| CliError::Nats(log_error(&e)))?;
    Ok(entry.and_then(|entry| {
        serde_json::from_slice::<Envelope>(&entry.payload)
            .ok()
            .map(|event| StoredEvent {
                sequence: entry.sequence,
                event,
            })
    }))
}

/// The evidence of the events at `sequences`, by event id; events without evidence are left out.
pub async fn evidence_of(
    js: &jetstream::Context,
    sequences: impl IntoIterator<Item = u64>,
) -> CliResult<HashMap<Uuid, Evidence>> {
    let mut out = HashMap::new();
    for sequence in sequences {
        if let Some(stored) = stored_event(js, sequence).await?
            && let Some(evidence) = stored.event.event.evidence()
        {
            out.insert(stored.event.id, evidence.clone());
        }
    }
    Ok(out)
}

/// A read error of the log, with what to do about it.
pub fn log_error(e: &liaison_log::ReadError) -> String {
    match e {
        liaison_log::ReadError::Stream { .. } => format!(
            "{e}: the log does not exist yet (the admin creates it: `liaison admin init-streams`; \
             `liaison dev` does), NATS has no JetStream, or this NATS user may not read the log"
        ),
        _ => e.to_string(),
    }
}
