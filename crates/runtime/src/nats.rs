//! The NATS connection every service opens, and its health.
//!
//! The contract: a service started with an unreachable NATS keeps retrying and says so in
//! its log and `/readyz`; it never exits silently. So [`connect`] never fails because NATS
//! is down — it returns a client at once that connects in the background
//! (`retry_on_initial_connect`), reconnects forever with a capped exponential backoff, and
//! logs every connection event. [`NatsHealth`] is the cheap handle `/readyz` reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::{ConnectOptions, Event, ServerAddr};

use crate::config::CommonArgs;
use crate::http::{Check, Readiness};

/// The longest wait between two reconnection attempts.
pub const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(5);

/// Why [`connect`] could not even start connecting (never because NATS is down).
#[derive(Debug, thiserror::Error)]
pub enum NatsError {
    /// A NATS URL does not parse.
    #[error("invalid NATS URL {url:?}: {source}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it is invalid.
        source: std::io::Error,
    },
    /// No NATS URL was given.
    #[error("no NATS URL given (set --nats-url or LIAISON_NATS_URL)")]
    NoUrl,
    /// The credentials file could not be read or parsed.
    #[error("cannot use NATS credentials file {path}: {source}")]
    Credentials {
        /// The file.
        path: String,
        /// Why it could not be used.
        source: std::io::Error,
    },
    /// The client refused the options (for example, unreadable TLS files).
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

/// Parses the configured URLs (each entry may itself be a comma-separated list).
pub fn server_addrs(urls: &[String]) -> Result<Vec<ServerAddr>, NatsError> {
    let addrs = urls
        .iter()
        .flat_map(|u| u.split(','))
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|url| {
            url.parse::<ServerAddr>()
                .map_err(|source| NatsError::InvalidUrl {
                    url: url.to_owned(),
                    source,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if addrs.is_empty() {
        return Err(NatsError::NoUrl);
    }
    Ok(addrs)
}

/// Connects `liaison-<service>` to NATS as configured in `args`.
///
/// Returns at once with a client that connects in the background and reconnects forever;
/// requests made while disconnected wait or time out, they do not crash the service.
/// Fails only for configuration errors (bad URL, unreadable credentials or TLS files).
pub async fn connect(
    args: &CommonArgs,
    service: &str,
) -> Result<(async_nats::Client, NatsHealth), NatsError> {
    let addrs = server_addrs(&args.nats_urls)?;
    // Scheme, host and port only: a URL may carry a user and password.
    let servers = addrs
        .iter()
        .map(|a| format!("{}://{}:{}", a.scheme(), a.host(), a.port()))
        .collect::<Vec<_>>()
        .join(",");
    let health = NatsHealth::default();

    let mut options = match &args.nats_creds {
        Some(path) => ConnectOptions::with_credentials_file(path)
            .await
            .map_err(|source| NatsError::Credentials {
                path: path.display().to_string(),
                source,
            })?,
        None => ConnectOptions::new(),
    };
    if let (Some(user), Some(password)) = (&args.nats_user, &args.nats_password) {
        options = options.user_and_password(user.clone(), password.clone());
    }
    if let Some(token) = &args.nats_token {
        options = options.token(token.clone());
    }
    if let Some(ca) = &args.nats_tls_ca {
        options = options.add_root_certificates(ca.clone());
    }
    if let (Some(cert), Some(key)) = (&args.nats_tls_cert, &args.nats_tls_key) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    if args.nats_tls_required {
        options = options.require_tls(true);
    }

    let events = health.clone();
    let event_servers = servers.clone();
    options = options
        .name(format!("liaison-{service}"))
        .retry_on_initial_connect()
        .max_reconnects(None)
        .reconnect_delay_callback(reconnect_delay)
        .connection_timeout(Duration::from_secs(5))
        .event_callback(move |event| {
            let health = events.clone();
            let servers = event_servers.clone();
            async move { health.on_event(&servers, event) }
        });

    tracing::info!(%servers, "connecting to NATS (in the background, retrying until it answers)");
    let client = options.connect(addrs).await?;
    Ok((client, health))
}

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
        assert!(matches!(server_addrs(&[]), Err(NatsError::NoUrl)));
        assert!(matches!(
            server_addrs(&["http://nope".to_owned()]),
            Err(NatsError::InvalidUrl { .. })
        ));
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
