//! The request body on its way to a service: streamed as it arrives, never buffered whole, and cut
//! off at the console's bound so that a client cannot push more than `--max-body-bytes` through.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use bytes::Bytes;
use futures::{Stream, StreamExt};

/// Why a forwarded body stopped.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The client sent more than the bound.
    #[error("the request body is larger than {max} bytes")]
    TooLarge {
        /// The bound.
        max: usize,
    },
    /// Reading from the client failed.
    #[error("reading the request body failed: {0}")]
    Read(#[from] axum::Error),
}

/// Whether a bounded body went over its bound (set before the error reaches the HTTP client, so
/// the proxy can answer `413` rather than `502`).
#[derive(Debug, Clone, Default)]
pub struct Overflow(Arc<AtomicBool>);

impl Overflow {
    /// Whether the bound was passed.
    pub fn happened(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// `body` as a stream of at most `max` bytes; past it the stream ends with
/// [`BodyError::TooLarge`] and `overflow` says so.
pub fn bounded(
    body: Body,
    max: usize,
    overflow: Overflow,
) -> impl Stream<Item = Result<Bytes, BodyError>> + Send + 'static {
    let mut seen = 0usize;
    body.into_data_stream().map(move |chunk| {
        let chunk = chunk?;
        seen = seen.saturating_add(chunk.len());
        if seen > max {
            overflow.0.store(true, Ordering::Release);
            return Err(BodyError::TooLarge { max });
        }
        Ok(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_within_the_bound_passes_whole() {
        let overflow = Overflow::default();
        let chunks: Vec<_> = bounded(Body::from("hello"), 5, overflow.clone())
            .collect()
            .await;
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].as_ref().unwrap(), "hello");
        assert!(!overflow.happened());
    }

    #[tokio::test]
    async fn a_larger_body_ends_in_an_error() {
        let overflow = Overflow::default();
        let stream = futures::stream::iter(["abc", "def"].map(Ok::<_, std::io::Error>));
        let chunks: Vec<_> = bounded(Body::from_stream(stream), 4, overflow.clone())
            .collect()
            .await;
        assert!(chunks[0].is_ok());
        assert!(matches!(chunks[1], Err(BodyError::TooLarge { max: 4 })));
        assert!(overflow.happened());
    }
}
