//! Which log a database follows: the stream's name and the instant the server created it.
//!
//! A service stores the identity of the log with its checkpoint (CONTRACT.md, "Consumers guard
//! themselves"). A stream that was deleted and created again has the same name but another
//! creation time, and sequences that start again from 1: a follower that went on from its
//! checkpoint would silently skip the new stream's first entries, and ingest would acknowledge
//! appends into a log the services do not hold. Comparing identities (and the log's length with
//! the checkpoint) tells (docs/decisions/010-the-log-has-an-identity.md).

use async_nats::jetstream;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The identity of a stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogIdentity {
    /// The stream's name.
    pub stream: String,
    /// When the server created it (kept across server restarts, new on every re-creation).
    pub created: DateTime<Utc>,
}

impl std::fmt::Display for LogIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} created {}", self.stream, self.created.to_rfc3339())
    }
}

/// What the server says about a stream now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamFacts {
    /// Its identity.
    pub identity: LogIdentity,
    /// Its last sequence (0 when empty).
    pub last_sequence: u64,
}

/// Why the stream's facts could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    /// The server says there is no such stream.
    #[error("the log {0} does not exist")]
    Missing(String),
    /// The server could not be asked (NATS down, a timeout, no JetStream).
    #[error("cannot read the state of the log {stream}: {message}")]
    Unreachable {
        /// The stream asked about.
        stream: String,
        /// What the client said.
        message: String,
    },
}

/// The identity and length of the stream `name`.
pub async fn stream_facts(js: &jetstream::Context, name: &str) -> Result<StreamFacts, FactsError> {
    let unreachable = |e: &dyn std::fmt::Display| FactsError::Unreachable {
        stream: name.to_owned(),
        message: e.to_string(),
    };
    let mut stream = match js.get_stream(name).await {
        Ok(stream) => stream,
        Err(e)
            if matches!(e.kind(), jetstream::context::GetStreamErrorKind::JetStream(inner)
                if inner.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND) =>
        {
            return Err(FactsError::Missing(name.to_owned()));
        }
        Err(e) => return Err(unreachable(&e)),
    };
    let info = stream.info().await.map_err(|e| unreachable(&e))?;
    // A stalled leader answers for its stream, but appends nothing (crate::quorum).
    if let Some(why) = crate::quorum::quorum_lost(info.config.num_replicas, info.cluster.as_ref()) {
        return Err(unreachable(&why));
    }
    let created = DateTime::from_timestamp_nanos(
        i64::try_from(info.created.unix_timestamp_nanos()).unwrap_or(i64::MAX),
    );
    Ok(StreamFacts {
        identity: LogIdentity {
            stream: info.config.name.clone(),
            created,
        },
        last_sequence: info.state.last_sequence,
    })
}

/// Why a stream is not the log a database follows, if it is not: another identity, or fewer
/// entries than the database applied.
pub fn mismatch(
    stored: Option<&LogIdentity>,
    checkpoint: u64,
    found: &StreamFacts,
) -> Option<String> {
    if let Some(stored) = stored
        && *stored != found.identity
    {
        return Some(format!(
            "the log found ({}) is not the one this database follows ({stored}): it was deleted \
             and created again; if that was meant, delete this service's data directory (it \
             rebuilds from the new log)",
            found.identity
        ));
    }
    if found.last_sequence < checkpoint {
        return Some(format!(
            "the log {} ends at sequence {}, below this database's checkpoint {checkpoint}: it is \
             not the log this database was built from (restored from an older copy?)",
            found.identity.stream, found.last_sequence
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(created: i64, last: u64) -> StreamFacts {
        StreamFacts {
            identity: LogIdentity {
                stream: "LIAISON_EVENTS".into(),
                created: DateTime::from_timestamp(created, 0).unwrap(),
            },
            last_sequence: last,
        }
    }

    #[test]
    fn another_creation_or_a_shorter_log_is_another_log() {
        let found = facts(100, 10);
        assert_eq!(mismatch(None, 0, &found), None);
        assert_eq!(mismatch(Some(&found.identity), 10, &found), None);
        let other = facts(200, 10).identity;
        assert!(
            mismatch(Some(&other), 3, &found)
                .unwrap()
                .contains("created again")
        );
        assert!(mismatch(None, 11, &found).unwrap().contains("below"));
    }
}
