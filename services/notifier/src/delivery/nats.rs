//! Publishing an alert on NATS: a CloudEvents document of type `liaison.alert` on
//! `liaison.alerts.<rule>` in the alerts stream, with `Nats-Msg-Id` = the alert id so that the
//! server drops a second publish of the same alert (a retry, a replay, another instance) within
//! the stream's duplicate window; plus a core-NATS publish on the rule's extra subject, if any.

use std::time::Duration;

use async_nats::header::{self, HeaderMap};
use async_nats::jetstream;
use bytes::Bytes;
use liaison_proto::AlertEvent;
use liaison_proto::subjects::alert_subject;

use crate::store::AlertRecord;

/// The content type of an alert on NATS (structured-mode CloudEvents).
pub const CLOUDEVENTS_JSON: &str = "application/cloudevents+json";

/// Publishes alerts on NATS.
#[derive(Debug, Clone)]
pub struct NatsPublisher {
    client: async_nats::Client,
    js: jetstream::Context,
    ack_timeout: Duration,
}

impl NatsPublisher {
    /// A publisher on `client`, waiting at most `ack_timeout` for the stream's acknowledgement.
    pub fn new(client: async_nats::Client, ack_timeout: Duration) -> Self {
        Self {
            js: jetstream::new(client.clone()),
            client,
            ack_timeout,
        }
    }

    /// Publishes `record`'s alert; `Err` says why it was not acknowledged.
    pub async fn publish(&self, record: &AlertRecord) -> Result<String, String> {
        let alert = &record.alert;
        let event = AlertEvent::new(alert.clone(), record.raised_at);
        let body = Bytes::from(serde_json::to_vec(&event).expect("alerts serialize"));
        let mut headers = HeaderMap::new();
        headers.insert(header::NATS_MESSAGE_ID, alert.id.to_string().as_str());
        headers.insert("Content-Type", CLOUDEVENTS_JSON);
        let subject = alert_subject(alert.rule.as_str());
        let publish = async {
            let ack = self
                .js
                .publish_with_headers(subject.clone(), headers.clone(), body.clone())
                .await
                .map_err(|e| format!("publish on {subject}: {e}"))?;
            ack.await.map_err(|e| format!("no ack on {subject}: {e}"))
        };
        let ack = tokio::time::timeout(self.ack_timeout, publish)
            .await
            .map_err(|_| format!("no ack on {subject} within {:?}", self.ack_timeout))??;
        if let Some(extra) = &record.extra_subject {
            self.client
                .publish_with_headers(extra.clone(), headers, body)
                .await
                .map_err(|e| format!("publish on {extra}: {e}"))?;
        }
        Ok(format!(
            "stream sequence {}{}",
            ack.sequence,
            if ack.duplicate { " (duplicate)" } else { "" }
        ))
    }
}
