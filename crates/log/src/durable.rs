//! Durable pull consumers shared by the instances of one service (the notifier): each message
//! goes to one instance, and one that is not acknowledged within the ack wait is delivered again.

use std::time::Duration;

use async_nats::jetstream::{self, consumer};
use liaison_proto::subjects::EVENTS_STREAM;

/// Creating or binding the durable consumer failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot create or bind durable consumer {name}: {message}")]
pub struct DurableError {
    /// The consumer's name.
    pub name: String,
    /// What went wrong.
    pub message: String,
}

/// Creates (or binds to, when it exists with the same configuration) the durable pull consumer
/// `name` on the event log: unfiltered, explicit acknowledgements, redelivery after `ack_wait`,
/// starting at the beginning of the log.
pub async fn durable_pull(
    js: &jetstream::Context,
    name: &str,
    ack_wait: Duration,
) -> Result<consumer::PullConsumer, DurableError> {
    durable_pull_on(
        js,
        EVENTS_STREAM,
        name,
        consumer::pull::Config {
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait,
            deliver_policy: consumer::DeliverPolicy::All,
            ..Default::default()
        },
    )
    .await
}

/// Creates the durable pull consumer `name` on `stream` with `config` (its `durable_name` set to
/// `name`), or binds to it when it exists. An existing consumer is bound as it is: the first
/// instance to create it fixes its configuration, so every instance shares one.
pub async fn durable_pull_on(
    js: &jetstream::Context,
    stream: &str,
    name: &str,
    config: consumer::pull::Config,
) -> Result<consumer::PullConsumer, DurableError> {
    let error = |message: String| DurableError {
        name: name.to_owned(),
        message,
    };
    let stream = js
        .get_stream(stream)
        .await
        .map_err(|e| error(e.to_string()))?;
    stream
        .get_or_create_consumer(
            name,
            consumer::pull::Config {
                durable_name: Some(name.to_owned()),
                ..config
            },
        )
        .await
        .map_err(|e| error(e.to_string()))
}
