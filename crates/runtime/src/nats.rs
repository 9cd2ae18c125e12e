//! The NATS connection every service opens, and its health.
//!
//! The contract: a service started with an unreachable NATS keeps retrying and says so in
//! its log and `/readyz`; it never exits silently. So [`connect`] never fails because NATS
//! is down — it returns a client at once that connects in the background
//! (`retry_on_initial_connect`), reconnects forever with a capped exponential backoff, and
//! logs every connection event. [`NatsHealth`] is the cheap handle `/readyz` reads.
//!
//! Credentials and TLS come from the `LIAISON_NATS_*` settings through `liaison-secure` (the
//! same code as `liaison`'s): its files are checked before the first attempt, so a wrong path
//! stops the service at start; credentials in a URL are taken out of it, so no log line shows
//! them; replies come to the service's own inbox prefix, `_INBOX.<service>`, the only one its
//! role may read on a secured server (deploy/nats/roles.conf).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::{Event, ServerAddr};
use liaison_secure::{AccessError, Servers, inbox_prefix};

use crate::config::CommonArgs;
use crate::http::{Check, Readiness};

/// The longest wait between two reconnection attempts.
pub const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(5);

/// Why [`connect`] could not even start connecting (never because NATS is down).
#[derive(Debug, thiserror::Error)]
pub enum NatsError {
    /// A URL, credential or TLS setting cannot be used (the message names it, never a secret).
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The client refused the options.
    #[error("cannot set up the NATS client: {0}")]
    Connect(#[from] async_nats::ConnectError),
}

#[derive(Debug, Default)]
struct HealthState {
    connected: AtomicBool,
    last_error: Mutex<Option<String>>,
}

/// A cheap, cloneable view of the NATS connection's health, fed by its events.
#[derive(Debug, Clone, Default)]
pub struct NatsHealth {
    state: Arc<HealthState>,
}

impl NatsHealth {
    /// Whether the client is connected to a server now.
    pub fn is_connected(&self) -> bool {
        self.state.connected.load(Ordering::SeqCst)
    }

    /// The last error the connection reported (kept after a reconnection, for diagnosis).
    pub fn last_error(&self) -> Option<String> {
        self.state
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// A `/readyz` check named `nats`: `connected`, or `disconnected: <last error>`.
    pub fn check(&self) -> Check {
        if self.is_connected() {
            Check::pass("nats", "connected")
        } else {
            match self.last_error() {
                Some(error) => Check::fail("nats", format!("disconnected: {error}")),
                None => Check::fail("nats", "connecting"),
            }
        }
    }

    fn set_connected(&self, connected: bool) {
        self.state.connected.store(connected, Ordering::SeqCst);
    }

    fn set_error(&self, error: String) {
        *self
            .state
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(error);
    }

    fn on_event(&self, servers: &str, event: Event) {
        match event {
            Event::Connected => {
                self.set_connected(true);
                tracing::info!(servers, "NATS connected");
            }
            Event::Disconnected => {
                self.set_connected(false);
                tracing::warn!(servers, "NATS disconnected; reconnecting");
            }
            Event::ClientError(error) => {
                let error = error.to_string();
                tracing::warn!(servers, %error, "NATS connection attempt failed; retrying");
                self.set_error(error);
            }
            Event::ServerError(error) => {
                let error = error.to_string();
                tracing::warn!(servers, %error, "NATS server error");
                self.set_error(error);
            }
            Event::Closed => {
                self.set_connected(false);
                self.set_error("connection closed".to_owned());
                tracing::warn!(servers, "NATS connection closed");
            }
            Event::LameDuckMode => {
                tracing::warn!(
                    servers,
                    "NATS server entered lame duck mode; it will go away"
                )
            }
            Event::SlowConsumer(sid) => {
                tracing::warn!(servers, sid, "NATS slow consumer: messages dropped")
            }
            Event::Draining => tracing::info!(servers, "NATS connection draining"),
        }
    }
}

/// A service whose only readiness condition is NATS can pass its health to
/// [`crate::http::service_router`] directly.
impl Readiness for NatsHealth {
    fn checks(&self) -> Vec<Check> {
        vec![self.check()]
    }
}

/// The delay before reconnection attempt `attempts`: none for the first, then doubling
/// from 100 ms up to [`MAX_RECONNECT_DELAY`].
pub fn reconnect_delay(attempts: usize) -> Duration {
    if attempts <= 1 {
        return Duration::ZERO;
    }
    let exponent = u32::try_from(attempts - 2).unwrap_or(u32::MAX).min(16);
    Duration::from_millis(100u64 << exponent).min(MAX_RECONNECT_DELAY)
}

/// Parses the configured URLs (each entry may itself be a comma-separated list), without the
/// credentials a URL may carry.
pub fn server_addrs(urls: &[String]) -> Result<Vec<ServerAddr>, NatsError> {
    Ok(Servers::parse(urls)?.addrs().to_vec())
}

/// Connects `liaison-<service>` to NATS as configured in `args`.
///
/// Returns at once with a client that connects in the background and reconnects forever;
/// requests made while disconnected wait or time out, they do not crash the service.
/// Fails only for configuration errors (bad URL, unreadable credentials or TLS files,
/// two ways of authenticating at once).
pub async fn connect(
    args: &CommonArgs,
    service: &str,
) -> Result<(async_nats::Client, NatsHealth), NatsError> {
    let servers = Servers::parse(&args.nats_urls)?;
    // Scheme, host and port only: the credentials a URL carried were taken out.
    let shown = servers.shown();
    let access = args.nats_access();
    let health = NatsHealth::default();
    let mut options = access
        .connect_options(&servers, &inbox_prefix(service))
        .await?;

    let events = health.clone();
    let event_servers = shown.clone();
    options = options
        .name(format!("liaison-{service}"))
        .retry_on_initial_connect()
        .max_reconnects(None)
        .reconnect_delay_callback(reconnect_delay)
        .connection_timeout(Duration::from_secs(5))
        // A node that hangs (frozen, its machine gone without a reset) keeps the TCP connection
        // open: with the client's default 60 s pings a service would wait on it for two minutes
        // before moving to another node of the cluster; with 10 s it moves within about 30 s.
        .ping_interval(PING_INTERVAL)
        .event_callback(move |event| {
            let health = events.clone();
            let servers = event_servers.clone();
            async move { health.on_event(&servers, event) }
        });

    tracing::info!(
        servers = %shown,
        authentication = access.method(&servers),
        tls = if access.requires_tls() { "required" } else { "if the server asks" },
        "connecting to NATS (in the background, retrying until it answers)"
    );
    let client = options.connect(servers.addrs().to_vec()).await?;
    Ok((client, health))
}

/// How often a service pings its NATS server; two unanswered pings close the connection and the
/// client reconnects to another node (docs/decisions/022-the-cluster.md).
pub const PING_INTERVAL: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(reconnect_delay(0), Duration::ZERO);
        assert_eq!(reconnect_delay(1), Duration::ZERO);
        assert_eq!(reconnect_delay(2), Duration::from_millis(100));
        assert_eq!(reconnect_delay(3), Duration::from_millis(200));
        assert_eq!(reconnect_delay(7), Duration::from_millis(3200));
        assert_eq!(reconnect_delay(8), MAX_RECONNECT_DELAY);
        assert_eq!(reconnect_delay(usize::MAX), MAX_RECONNECT_DELAY);
    }

    #[test]
    fn urls_may_be_a_comma_separated_list() {
        let addrs = server_addrs(&["nats://a:4222, nats://b:4223".to_owned()]).unwrap();
        assert_eq!(addrs.len(), 2);
        assert!(matches!(
            server_addrs(&[]),
            Err(NatsError::Access(AccessError::NoUrl))
        ));
        assert!(matches!(
            server_addrs(&["http://nope".to_owned()]),
            Err(NatsError::Access(AccessError::InvalidUrl { .. }))
        ));
        let stripped = server_addrs(&["nats://svc:pw@a:4222".to_owned()]).unwrap();
        assert_eq!(stripped[0].password(), None);
    }

    #[test]
    fn health_follows_events() {
        let health = NatsHealth::default();
        assert_eq!(health.check(), Check::fail("nats", "connecting"));
        health.on_event(
            "s",
            Event::ClientError(async_nats::ClientError::Other("refused".into())),
        );
        assert!(!health.check().ok);
        assert!(health.check().detail.contains("refused"));
        health.on_event("s", Event::Connected);
        assert_eq!(health.check(), Check::pass("nats", "connected"));
        health.on_event("s", Event::Disconnected);
        assert!(!health.is_connected());
    }
}
