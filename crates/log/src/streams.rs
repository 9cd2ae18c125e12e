//! Creating the log streams with the settings the architecture fixes — never changing one that
//! exists.
//!
//! A stream found on the server is the deployment's: an operator may have made it R3, or a
//! service may run with other settings than the one that created it. Settings that differ from
//! this service's are reported (a warning, and in the answer) and never written back, so that no
//! service started with default flags can turn an R3 log into R1
//! (docs/decisions/010-the-log-has-an-identity.md). async-nats 0.51 knows `allow_atomic`
//! (`stream::Config::allow_atomic_publish`), so no raw API request is needed.

use async_nats::jetstream::{self, stream};
use liaison_proto::subjects::{
    ALERTS_ALL, ALERTS_STREAM, ARTICLES_ALL, ARTICLES_STREAM, EVENTS_ALL, EVENTS_STREAM,
};

use crate::LogSettings;
use crate::identity::{FactsError, stream_facts};

/// Setting up a stream failed.
#[derive(Debug, thiserror::Error)]
pub enum StreamSetupError {
    /// The stream does not exist and this caller may not create it.
    #[error("the stream {stream} does not exist, and {why}")]
    Missing {
        /// The stream's name.
        stream: String,
        /// Why it is not created here.
        why: String,
    },
    /// The server could not be asked, or refused to create the stream.
    #[error("cannot set up stream {stream}: {message}")]
    Request {
        /// The stream's name.
        stream: String,
        /// What the client or server said.
        message: String,
    },
}

/// What setting up a stream found.
#[derive(Debug, Clone)]
pub enum StreamSetup {
    /// It did not exist; it was created with these settings.
    Created(Box<stream::Info>),
    /// It existed; these of its settings differ from the caller's (empty when none do).
    Found {
        /// What the server holds.
        info: Box<stream::Info>,
        /// One line per differing setting: `replicas: 3 on the server, 1 here`.
        differences: Vec<String>,
    },
}

impl StreamSetup {
    /// The stream's information.
    pub fn info(&self) -> &stream::Info {
        match self {
            Self::Created(info) | Self::Found { info, .. } => info,
        }
    }
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

/// The configuration of the reader's [`ARTICLES_STREAM`] on [`ARTICLES_ALL`]: like the log's —
/// file storage, nothing ever dropped or deleted (`discard: new`, `deny_delete`, `deny_purge`) —
/// because the review queue and its decisions are folded from it and nowhere else
/// (docs/decisions/017-the-reader-service.md).
pub fn articles_stream_config(settings: &LogSettings) -> stream::Config {
    stream::Config {
        name: ARTICLES_STREAM.to_owned(),
        description: Some(
            "Liaison: articles read, candidate events and review decisions of the reader"
                .to_owned(),
        ),
        subjects: vec![ARTICLES_ALL.to_owned()],
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        discard: stream::DiscardPolicy::New,
        deny_delete: true,
        deny_purge: true,
        allow_direct: true,
        ..common(settings)
    }
}

fn common(settings: &LogSettings) -> stream::Config {
    stream::Config {
        num_replicas: settings.replicas,
        placement: settings.placement.to_jetstream(),
        duplicate_window: settings.duplicate_window,
        max_message_size: settings.max_message_size,
        max_bytes: -1,
        max_messages: -1,
        max_messages_per_subject: -1,
        max_consumers: -1,
        ..Default::default()
    }
}

/// Creates the event log when it is absent; reports an existing one's differing settings.
pub async fn ensure_events_stream(
    js: &jetstream::Context,
    settings: &LogSettings,
) -> Result<StreamSetup, StreamSetupError> {
    ensure(js, events_stream_config(settings), Ok(())).await
}

/// Like [`ensure_events_stream`], creating the log only when `may_create` says so (its `Err`
/// says why not, and becomes [`StreamSetupError::Missing`]): ingest never creates a log again
/// once it has appended to one (docs/decisions/010-the-log-has-an-identity.md).
pub async fn ensure_events_stream_if(
    js: &jetstream::Context,
    settings: &LogSettings,
    may_create: Result<(), String>,
) -> Result<StreamSetup, StreamSetupError> {
    ensure(js, events_stream_config(settings), may_create).await
}

/// Creates the alerts stream when it is absent; reports an existing one's differing settings.
pub async fn ensure_alerts_stream(
    js: &jetstream::Context,
    settings: &LogSettings,
) -> Result<StreamSetup, StreamSetupError> {
    ensure(js, alerts_stream_config(settings), Ok(())).await
}

/// Creates the articles stream when absent and `may_create` allows it (the reader: only when it
/// never followed one, as ingest for the log); reports an existing one's differing settings.
pub async fn ensure_articles_stream_if(
    js: &jetstream::Context,
    settings: &LogSettings,
    may_create: Result<(), String>,
) -> Result<StreamSetup, StreamSetupError> {
    ensure(js, articles_stream_config(settings), may_create).await
}

async fn ensure(
    js: &jetstream::Context,
    config: stream::Config,
    may_create: Result<(), String>,
) -> Result<StreamSetup, StreamSetupError> {
    let name = config.name.clone();
    let request = |message: String| StreamSetupError::Request {
        stream: name.clone(),
        message,
    };
    match stream_facts(js, &name).await {
        Ok(_) => {}
        Err(FactsError::Missing(_)) => {
            if let Err(why) = may_create {
                return Err(StreamSetupError::Missing { stream: name, why });
            }
            // Another instance may create it at the same time: `create_stream` of an identical
            // configuration succeeds, and a different one fails, then is found below.
            match js.create_stream(config.clone()).await {
                Ok(mut created) => {
                    let info = created.info().await.map_err(|e| request(e.to_string()))?;
                    tracing::info!(
                        stream = name,
                        replicas = info.config.num_replicas,
                        "stream created"
                    );
                    return Ok(StreamSetup::Created(Box::new(info.clone())));
                }
                Err(e) => {
                    tracing::info!(stream = name, error = %e, "creating the stream failed; reading it");
                    // On a secured server only the admin may create a stream: this client's
                    // request is dropped (a permissions violation) and times out.
                    if let Err(FactsError::Missing(_)) = stream_facts(js, &name).await {
                        return Err(StreamSetupError::Missing {
                            stream: name,
                            why: format!(
                                "it could not be created here ({e}); an admin must create it \
                                 (`liaison admin init-streams` with the admin's NATS credentials)"
                            ),
                        });
                    }
                }
            }
        }
        Err(e @ FactsError::Unreachable { .. }) => return Err(request(e.to_string())),
    }
    let mut stream = js
        .get_stream(&name)
        .await
        .map_err(|e| request(e.to_string()))?;
    let info = stream
        .info()
        .await
        .map_err(|e| request(e.to_string()))?
        .clone();
    let differences = differences(&config, &info.config);
    for difference in &differences {
        tracing::warn!(stream = name, %difference,
            "the stream's setting differs from this service's; the server's is kept");
    }
    Ok(StreamSetup::Found {
        info: Box::new(info),
        differences,
    })
}

/// The settings of `server` that differ from `wanted`, one line each.
pub fn differences(wanted: &stream::Config, server: &stream::Config) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, here: String, there: String| {
        if here != there {
            out.push(format!("{name}: {there} on the server, {here} here"));
        }
    };
    check(
        "replicas",
        wanted.num_replicas.to_string(),
        server.num_replicas.to_string(),
    );
    check(
        "placement",
        format!("{:?}", wanted.placement),
        format!("{:?}", server.placement),
    );
    check(
        "subjects",
        format!("{:?}", wanted.subjects),
        format!("{:?}", server.subjects),
    );
    check(
        "storage",
        format!("{:?}", wanted.storage),
        format!("{:?}", server.storage),
    );
    check(
        "retention",
        format!("{:?}", wanted.retention),
        format!("{:?}", server.retention),
    );
    check(
        "discard",
        format!("{:?}", wanted.discard),
        format!("{:?}", server.discard),
    );
    check(
        "deny_delete",
        wanted.deny_delete.to_string(),
        server.deny_delete.to_string(),
    );
    check(
        "deny_purge",
        wanted.deny_purge.to_string(),
        server.deny_purge.to_string(),
    );
    check(
        "allow_atomic",
        wanted.allow_atomic_publish.to_string(),
        server.allow_atomic_publish.to_string(),
    );
    check(
        "allow_direct",
        wanted.allow_direct.to_string(),
        server.allow_direct.to_string(),
    );
    check(
        "max_message_size",
        wanted.max_message_size.to_string(),
        server.max_message_size.to_string(),
    );
    check(
        "duplicate_window",
        format!("{:?}", wanted.duplicate_window),
        format!("{:?}", server.duplicate_window),
    );
    out
}
