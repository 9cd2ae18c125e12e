//! Calling a rule's webhook with one alert: a `POST` of the alert as JSON, signed per Standard
//! Webhooks ([`super::signature`]). Any 2xx is a success; anything else, a timeout or a
//! connection error is a failed attempt. Redirects are not followed.

use std::time::Duration;

use chrono::Utc;
use liaison_proto::Alert;
use liaison_proto::events::Webhook;

use super::signature::{secret_key, sign};

/// Sends alerts to webhooks.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    http: reqwest::Client,
}

impl WebhookSender {
    /// A sender whose calls time out after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("liaison-notifier/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with rustls");
        Self { http }
    }

    /// Posts `alert` to `webhook`; `Ok` with the status line on a 2xx, `Err` otherwise.
    pub async fn send(&self, webhook: &Webhook, alert: &Alert) -> Result<String, String> {
        let key = secret_key(&webhook.secret).map_err(|e| e.to_string())?;
        let body = serde_json::to_vec(alert).expect("alerts serialize");
        let id = alert.id.to_string();
        let timestamp = Utc::now().timestamp();
        let signature = sign(&key, &id, timestamp, &body);
        let response = self
            .http
            .post(&webhook.url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("POST failed: {}", without_url(&e)))?;
        let status = response.status();
        if status.is_success() {
            Ok(format!("HTTP {}", status.as_u16()))
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    }
}

/// The error without the URL (which may carry credentials in its query).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request error"
    };
    let mut detail = kind.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    detail
}
