//! What can go wrong while applying the log, sorted by what the follower does about it.
//!
//! A storage, file or reading error is the service's: the follower retries the batch from the
//! checkpoint and reports the error (not ready) until it clears. A refusal of one entry by a read
//! model is the entry's: retrying would fail the same way for ever and hold up every entry after
//! it, so the applier quarantines that entry instead (docs/decisions/009-consumers-guard-themselves.md).

/// Applying entries to a service's state failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// sled failed; the batch is retried from the checkpoint.
    #[error("sled: {0}")]
    Storage(#[from] sled::Error),
    /// A value the applier or the read model stored cannot be read back.
    #[error("corrupt stored value under {key}: {reason}")]
    Corrupt {
        /// The key, printable.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file beside the database failed; retried.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// The read model cannot apply this entry; the applier quarantines it.
    #[error("{0}")]
    Refused(String),
    /// Reading the log failed; retried.
    #[error("reading the log: {0}")]
    Read(#[from] crate::ReadError),
    /// The log found is not the one this database follows; nothing is applied until it is.
    #[error("{0}")]
    WrongLog(String),
    /// A blocking task failed (it panicked or was cancelled); retried.
    #[error("{0}")]
    Task(String),
}

impl ApplyError {
    /// A read model's refusal of one entry (quarantined, never retried).
    pub fn refused(reason: impl Into<String>) -> Self {
        Self::Refused(reason.into())
    }

    /// A value that cannot be decoded.
    pub fn corrupt(key: impl AsRef<[u8]>, reason: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            key: String::from_utf8_lossy(key.as_ref()).into_owned(),
            reason: reason.to_string(),
        }
    }

    /// Whether the error is the entry's own (the applier quarantines the entry) rather than the
    /// service's (the follower retries the batch, and reports the error until it clears).
    pub fn blames_entry(&self) -> bool {
        matches!(self, Self::Refused(_))
    }
}

impl<E: std::fmt::Debug> From<sled::transaction::TransactionError<E>> for ApplyError {
    fn from(e: sled::transaction::TransactionError<E>) -> Self {
        match e {
            sled::transaction::TransactionError::Abort(reason) => {
                Self::Refused(format!("transaction aborted: {reason:?}"))
            }
            sled::transaction::TransactionError::Storage(e) => Self::Storage(e),
        }
    }
}
