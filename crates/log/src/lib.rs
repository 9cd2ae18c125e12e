//! The JetStream log that every Liaison service shares: thin wrappers, so that each service
//! creates, appends to and reads the log the same way.
//!
//! - [`ensure_events_stream`] / [`ensure_alerts_stream`]: the streams, with the settings the
//!   architecture fixes (file storage, `discard: new`, `deny_delete`, `deny_purge`, atomic batches).
//! - [`Appender`]: exactly-once appends with `Nats-Msg-Id` ([`Appender::append`]) and atomic batches
//!   ([`Appender::append_batch`], ADR-50), with errors that tell "the log is unreachable" from "the
//!   log refused" ([`AppendError`]).
//! - [`read_from`], [`last_sequence`], [`get`]: replay and point reads.
//! - [`durable_pull`], [`durable_pull_on`]: durable consumers that a service's instances share.
//! - [`follower`]: the loop that keeps a service's sled state current with the log.
//! - [`checkpoint`]: the last applied sequence, in the service's sled database.
//!
//! Names come from [`liaison_proto::subjects`].

mod ack;
mod append;
mod batch;
pub mod checkpoint;
mod durable;
mod error;
pub mod follower;
mod read;
mod settings;
mod streams;

pub use append::{
    AppendOptions, Appended, Appender, EXPECTED_LAST_SUBJECT_SEQUENCE, OutgoingEvent,
};
pub use batch::{FLOW_EVERY, MAX_BATCH};
pub use durable::{DurableError, durable_pull, durable_pull_on};
pub use error::{
    AppendError, ERR_BATCH_DUPLICATE_MSG_ID, ERR_BATCH_INCOMPLETE, ERR_BATCH_TOO_LARGE,
    ERR_MESSAGE_TOO_LARGE, ERR_WRONG_LAST_SEQUENCE,
};
pub use follower::{
    Apply, ApplyError, Follower, FollowerOptions, FollowerStatus, spawn_follower,
    spawn_follower_with,
};
pub use read::{LogEntry, ReadError, get, last_sequence, read_from, read_stream_from};
pub use settings::LogSettings;
pub use streams::{
    StreamSetupError, alerts_stream_config, ensure_alerts_stream, ensure_events_stream,
    events_stream_config,
};
