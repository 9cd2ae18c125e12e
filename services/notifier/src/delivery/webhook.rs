//! Calling a rule's webhook with one alert: a `POST` of the alert as JSON, signed per Standard
//! Webhooks ([`super::signature`]). Any 2xx is a success; anything else, a timeout or a
//! connection error is a failed attempt.
//!
//! The call is made from inside the network on a URL a rule author chose, so it reveals and
//! reaches nothing more than a delivery needs (issue 13):
//!
//! - only addresses the [`TargetPolicy`] allows are connected to: an address written in the URL
//!   is checked before the call, a name by the client's only resolver, [`PolicyResolver`];
//!   no proxy from the environment (a proxy would resolve the name itself);
//! - redirects are not followed (a `3xx` is a failed attempt, `HTTP 302`);
//! - the response's body is never read: only its status;
//! - a failed attempt is recorded as a class ([`AttemptFailure`]: `timeout`, `refused`,
//!   `forbidden_address`, `tls`, `HTTP 503`, …), never as the error's text, which would tell the
//!   rule's author what answers behind an address (a port scanner through `GET /v1/alerts`).
//!
//! [`PolicyResolver`]: super::target_policy::PolicyResolver

use std::io;
use std::time::Duration;

use chrono::Utc;
use liaison_proto::Alert;
use reqwest::Url;

use super::signature::sign;
use super::target_policy::{ForbiddenAddress, TargetPolicy, Unresolvable};

/// Why a webhook attempt failed, as recorded and shown in the alert's attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// The receiver answered with a status other than 2xx (a redirect included).
    Status(u16),
    /// The URL's address, or an address its name resolves to, is forbidden by the policy.
    ForbiddenAddress,
    /// The host name does not resolve.
    Dns,
    /// The connection was refused (nothing listens on the port).
    Refused,
    /// The connection was reset or closed before an answer.
    Reset,
    /// No route to the host or its network.
    Unreachable,
    /// No answer within the webhook timeout.
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Another failure to connect.
    Connect,
    /// The receiver answered something that is not HTTP.
    Protocol,
    /// The URL cannot be called.
    BadUrl,
    /// The rule's secret does not open (sealed for another rule or URL, altered) or is not a
    /// usable signing key.
    BadSecret,
    /// The key that sealed the rule's secret is not among this notifier's secrets keys.
    KeyMissing,
    /// The instance that made the attempt stopped before recording its outcome.
    Unrecorded,
    /// Anything else.
    Request,
}

impl AttemptFailure {
    /// The class as recorded in the attempt's `detail`.
    pub fn as_str(self) -> std::borrow::Cow<'static, str> {
        let class = match self {
            Self::Status(code) => return format!("HTTP {code}").into(),
            Self::ForbiddenAddress => "forbidden_address",
            Self::Dns => "dns",
            Self::Refused => "refused",
            Self::Reset => "reset",
            Self::Unreachable => "unreachable",
            Self::Timeout => "timeout",
            Self::Tls => "tls",
            Self::Connect => "connect",
            Self::Protocol => "protocol",
            Self::BadUrl => "bad_url",
            Self::BadSecret => "bad_secret",
            Self::KeyMissing => "key_missing",
            Self::Unrecorded => "unrecorded",
            Self::Request => "request",
        };
        class.into()
    }

    /// The class of a failed call to a URL of scheme `https` or not.
    fn of(error: &reqwest::Error, https: bool) -> Self {
        let chain = || std::iter::successors(Some(error as &dyn std::error::Error), |e| e.source());
        if chain().any(|e| e.is::<ForbiddenAddress>()) {
            return Self::ForbiddenAddress;
        }
        if chain().any(|e| e.is::<Unresolvable>()) {
            return Self::Dns;
        }
        if error.is_timeout() {
            return Self::Timeout;
        }
        let io_kind = chain().find_map(|e| e.downcast_ref::<io::Error>().map(io::Error::kind));
        match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => Self::Refused,
            Some(
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof,
            ) => Self::Reset,
            Some(
                io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable,
            ) => Self::Unreachable,
            Some(io::ErrorKind::TimedOut) => Self::Timeout,
            // rustls' errors reach us as invalid data (or other) in the connect phase.
            Some(io::ErrorKind::InvalidData | io::ErrorKind::Other)
                if https && error.is_connect() =>
            {
                Self::Tls
            }
            _ if error.is_connect() => Self::Connect,
            _ if error.is_request() || error.is_body() => Self::Protocol,
            _ => Self::Request,
        }
    }
}

impl std::fmt::Display for AttemptFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// Sends alerts to webhooks.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    http: reqwest::Client,
    policy: TargetPolicy,
}

impl WebhookSender {
    /// A sender whose calls time out after `timeout` and reach only what `policy` allows.
    pub fn new(timeout: Duration, policy: TargetPolicy) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(policy.resolver())
            .user_agent(concat!("liaison-notifier/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with rustls");
        Self { http, policy }
    }

    /// Posts `alert` to `url`, signed with the HMAC `key` (the rule's secret, opened just for
    /// this: [`crate::secrets::Secrets::signing_key`]); `Ok` with the status line on a 2xx, the
    /// failure's class otherwise.
    pub async fn send(
        &self,
        url: &str,
        key: &[u8],
        alert: &Alert,
    ) -> Result<String, AttemptFailure> {
        let url = Url::parse(url).map_err(|_| AttemptFailure::BadUrl)?;
        self.policy
            .check_url(&url)
            .map_err(|_| AttemptFailure::ForbiddenAddress)?;
        let https = url.scheme() == "https";
        let body = serde_json::to_vec(alert).expect("alerts serialize");
        let id = alert.id.to_string();
        let timestamp = Utc::now().timestamp();
        let signature = sign(key, &id, timestamp, &body);
        let response = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| {
                let class = AttemptFailure::of(&e, https);
                // The text stays in the operator's log, without the URL (it may hold credentials).
                tracing::debug!(alert = %alert.id, %class, error = %without_url(&e), "webhook call failed");
                class
            })?;
        // Only the status: the body is dropped unread.
        let status = response.status();
        if status.is_success() {
            Ok(format!("HTTP {}", status.as_u16()))
        } else {
            Err(AttemptFailure::Status(status.as_u16()))
        }
    }
}

/// The error's chain of causes without the URL (which may carry credentials in its query).
fn without_url(e: &reqwest::Error) -> String {
    let mut detail = String::from("request error");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_are_short_fixed_words() {
        assert_eq!(AttemptFailure::Status(503).as_str(), "HTTP 503");
        assert_eq!(
            AttemptFailure::ForbiddenAddress.as_str(),
            "forbidden_address"
        );
        assert_eq!(AttemptFailure::Refused.to_string(), "refused");
        assert_eq!(AttemptFailure::KeyMissing.as_str(), "key_missing");
        assert_eq!(AttemptFailure::BadSecret.as_str(), "bad_secret");
    }
}
