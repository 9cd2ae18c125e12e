//! The JetStream log that every Liaison service shares, and the one way to follow it.
//!
//! - [`ensure_events_stream`] / [`ensure_alerts_stream`] / [`ensure_articles_stream_if`]: the streams, with the settings the
//!   architecture fixes (file storage, `discard: new`, `deny_delete`, `deny_purge`, atomic
//!   batches), created when absent and never changed once they exist.
//! - [`Appender`]: exactly-once appends with `Nats-Msg-Id` ([`Appender::append`]) and atomic batches
//!   ([`Appender::append_batch`], ADR-50), with errors that tell "the log is unreachable" from "the
//!   log refused" ([`AppendError`]), and what each means for the events ([`Outcome`]: refused,
//!   not appended, already appended, or not known — [`PUBLISH_CODES`]).
//! - [`read_from`], [`get`]: replay and point reads; [`stream_facts`]: the log's identity and
//!   length.
//! - [`durable_pull`], [`durable_pull_on`]: durable consumers that a service's instances share.
//! - [`apply`]: the one applier — the gate that checks every entry, the quarantine, the
//!   checkpoint and the log's identity, around the [`ReadModel`] a service implements; generic
//!   over the stream and its entry check ([`EntryGate`]), the log's being [`EventGate`].
//! - [`follower`]: the loop that keeps a service's sled state current with the log.
//!
//! Names come from [`liaison_proto::subjects`].

mod ack;
mod append;
pub mod apply;
mod batch;
mod durable;
mod error;
pub mod follower;
mod identity;
mod outcome;
mod quorum;
mod read;
mod settings;
mod streams;

pub use append::{
    AppendOptions, Appended, Appender, EXPECTED_LAST_SUBJECT_SEQUENCE, OutgoingEvent,
};
pub use apply::{
    Applied, Applier, ApplyError, Checked, EntryGate, EventGate, QUARANTINED_TOTAL, ReadModel,
    Staged, StagedTree,
};
pub use batch::{FLOW_EVERY, MAX_BATCH};
pub use durable::{DurableError, durable_pull, durable_pull_on};
pub use error::{
    AppendError, ERR_BATCH_DUPLICATE_MSG_ID, ERR_BATCH_INCOMPLETE, ERR_BATCH_TOO_LARGE,
    ERR_DUPLICATE_IN_PROCESS, ERR_MESSAGE_TOO_LARGE, ERR_WRONG_LAST_SEQUENCE,
};
pub use follower::{
    Apply, Follower, FollowerOptions, FollowerStatus, spawn_follower, spawn_follower_with,
};
pub use identity::{FactsError, LogIdentity, StreamFacts, stream_facts};
pub use outcome::{Outcome, PUBLISH_CODES, PublishCode, Refusal, classify};
pub use quorum::quorum_lost;
pub use read::{LogEntry, ReadError, get, last_sequence, read_from, read_stream_from};
pub use settings::{LogSettings, StreamPlacement};
pub use streams::{
    StreamSetup, StreamSetupError, alerts_stream_config, articles_stream_config, differences,
    ensure_alerts_stream, ensure_articles_stream_if, ensure_events_stream, ensure_events_stream_if,
    events_stream_config,
};
