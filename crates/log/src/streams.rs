//! Creating the log streams, idempotently, with the settings the architecture fixes.
//!
//! Every service calls [`ensure_events_stream`] at start: the first one creates the stream, the
//! others find it and (if a setting changed, e.g. the replica count) update it. async-nats 0.51
//! knows `allow_atomic` (`stream::Config::allow_atomic_publish`), so no raw API request is needed.

use async_nats::jetstream::{self, stream};
use liaison_proto::subjects::{ALERTS_ALL, ALERTS_STREAM, EVENTS_ALL, EVENTS_STREAM};

use crate::LogSettings;

/// Creating or updating a stream failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot create or update stream {stream}: {source}")]
pub struct StreamSetupError {
    /// The stream's name.
    pub stream: String,
    /// What the client or server said.
    #[source]
    pub source: jetstream::context::CreateStreamError,
}

/// The configuration of the log, [`EVENTS_STREAM`] on [`EVENTS_ALL`]: file storage, nothing ever
/// dropped or deleted (`discard: new`, no limits, `deny_delete`, `deny_purge`), atomic batches
/// allowed, direct get allowed (for [`crate::get`]).
pub fn events_stream_config(settings: &LogSettings) -> stream::Config {
    stream::Config {
        name: EVENTS_STREAM.to_owned(),
        description: Some("Liaison: the event log, the single source of truth".to_owned()),
        subjects: vec![EVENTS_ALL.to_owned()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::New,
        deny_delete: true,
        deny_purge: true,
        allow_atomic_publish: true,
        allow_direct: true,
        ..common(settings)
    }
}

/// The configuration of [`ALERTS_STREAM`] on [`ALERTS_ALL`]: file storage, limits retention, the
/// oldest alerts dropped first if a limit is ever set (alerts are derived, not the truth).
pub fn alerts_stream_config(settings: &LogSettings) -> stream::Config {
    stream::Config {
        name: ALERTS_STREAM.to_owned(),
        description: Some("Liaison: alerts published by the notifier".to_owned()),
        subjects: vec![ALERTS_ALL.to_owned()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::Old,
        allow_direct: true,
        ..common(settings)
    }
}

fn common(settings: &LogSettings) -> stream::Config {
    stream::Config {
        num_replicas: settings.replicas,
        duplicate_window: settings.duplicate_window,
        max_message_size: settings.max_message_size,
        max_bytes: -1,
        max_messages: -1,
        max_messages_per_subject: -1,
        max_consumers: -1,
        ..Default::default()
    }
}

/// Creates the event log stream, or updates it to `settings`; calling it again is a no-op.
pub async fn ensure_events_stream(
    js: &jetstream::Context,
    settings: &LogSettings,
) -> Result<stream::Info, StreamSetupError> {
    ensure(js, events_stream_config(settings)).await
}

/// Creates the alerts stream, or updates it to `settings`; calling it again is a no-op.
pub async fn ensure_alerts_stream(
    js: &jetstream::Context,
    settings: &LogSettings,
) -> Result<stream::Info, StreamSetupError> {
    ensure(js, alerts_stream_config(settings)).await
}

async fn ensure(
    js: &jetstream::Context,
    config: stream::Config,
) -> Result<stream::Info, StreamSetupError> {
    let name = config.name.clone();
    js.create_or_update_stream(config)
        .await
        .map_err(|source| StreamSetupError {
            stream: name,
            source,
        })
}
