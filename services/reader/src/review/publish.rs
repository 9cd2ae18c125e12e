//! Writing the review queue: an entry is published into `LIAISON_ARTICLES` once (its
//! `Nats-Msg-Id` makes a retry store nothing), and the write is answered only when the reader's
//! own review queue has applied it, within a bounded wait — a client that reads right after its
//! write sees it (read your writes).

use std::time::Duration;

use liaison_log::{AppendError, Appender, Follower, OutgoingEvent};
use liaison_proto::reader::{ArticlesEntry, MAX_ARTICLES_ENTRY_BYTES};

/// Why an entry was not written (or not applied in time).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The entry is larger than the stream takes.
    #[error(
        "the entry is {0} bytes, more than the {MAX_ARTICLES_ENTRY_BYTES} of an articles entry"
    )]
    TooLarge(usize),
    /// The stream could not be reached or refused it.
    #[error("the articles stream: {0}")]
    Append(#[from] AppendError),
    /// It was stored at `sequence`, but the review queue did not apply it in time.
    #[error("stored at sequence {0}, but not applied by the review queue in time")]
    NotApplied(u64),
}

/// Publishes entries into the articles stream and waits for the review queue.
#[derive(Debug, Clone)]
pub struct Publisher {
    appender: Appender,
    follower: Follower,
    wait: Duration,
}

impl Publisher {
    /// A publisher on `appender` whose writes are applied by `follower`, waiting at most `wait`.
    pub fn new(appender: Appender, follower: Follower, wait: Duration) -> Self {
        Self {
            appender,
            follower,
            wait,
        }
    }

    /// The follower of the articles stream.
    pub fn follower(&self) -> &Follower {
        &self.follower
    }

    /// Publishes `entry` and waits until the review queue applied it; its sequence, and whether
    /// the stream already held it (a duplicate within the window: nothing new stored).
    pub async fn publish(&self, entry: &ArticlesEntry) -> Result<(u64, bool), PublishError> {
        let payload = serde_json::to_vec(entry).expect("an articles entry serializes");
        if payload.len() > MAX_ARTICLES_ENTRY_BYTES {
            return Err(PublishError::TooLarge(payload.len()));
        }
        let mut outgoing = OutgoingEvent::new(entry.subject(), entry.message_id(), payload.into());
        outgoing.headers.insert("Content-Type", "application/json");
        let appended = self.appender.append(outgoing).await?;
        self.follower.observe_log_sequence(appended.sequence);
        if self
            .follower
            .wait_applied(appended.sequence, self.wait)
            .await
        {
            Ok((appended.sequence, appended.duplicate))
        } else {
            Err(PublishError::NotApplied(appended.sequence))
        }
    }
}
