//! `GET /v1/stream`: Server-Sent Events of projection changes — every change of a relationship's
//! current status, with before and after ([`StatusChange`]), in log order.
//!
//! Changes are stored with the batch that caused them (table `c`), so the stream is resumable:
//! each SSE `id` is `"{sequence}-{index}"`, and a client reconnecting with `Last-Event-ID` gets
//! every change after it. A new client without one starts at the end (`?from=start` replays all).
//!
//! Each client holds a task and a reader of the store for as long as it stays, so the number of
//! clients is bounded ([`StreamClients`]): one more gets `503` with `Retry-After`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use liaison_proto::query::{StatusChange, StreamRequest, StreamStart};
use liaison_runtime::Problem;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast};

use crate::http_api::{ApiState, params};
use crate::queries::Queries;
use crate::store::keys;

/// Clients of the stream connected now (a gauge).
pub const STREAM_CLIENTS: &str = "liaison_projection_stream_clients";
/// Clients refused because the stream served its bound already.
pub const STREAM_REFUSED: &str = "liaison_projection_stream_refused_total";
/// The `Retry-After` of a refused client, in seconds.
pub const STREAM_RETRY_AFTER: u64 = 5;

/// The bound of clients of `GET /v1/stream`: one permit per open stream, given back when the
/// client goes away (its response body is dropped).
#[derive(Debug, Clone)]
pub struct StreamClients {
    permits: Arc<Semaphore>,
    max: usize,
}

impl StreamClients {
    /// At most `max` clients at once.
    pub fn new(max: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// A place for one more client, or the `503` that refuses it.
    pub(crate) fn admit(&self) -> Result<Admitted, Problem> {
        match self.permits.clone().try_acquire_owned() {
            Ok(permit) => {
                metrics::gauge!(STREAM_CLIENTS).increment(1.0);
                Ok(Admitted { _permit: permit })
            }
            Err(_) => {
                metrics::counter!(STREAM_REFUSED).increment(1);
                Err(Problem::unavailable(
                    format!(
                        "the stream serves {} clients already, its bound; retry later",
                        self.max
                    ),
                    Some(STREAM_RETRY_AFTER),
                ))
            }
        }
    }
}

/// One admitted client; its place is given back when dropped.
pub(crate) struct Admitted {
    _permit: OwnedSemaphorePermit,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        metrics::gauge!(STREAM_CLIENTS).decrement(1.0);
    }
}

/// Reads an SSE id `"{sequence}-{index}"` into the key of that change.
fn parse_id(id: &str) -> Option<Vec<u8>> {
    let (seq, index) = id.split_once('-')?;
    Some(keys::change(seq.parse().ok()?, index.parse().ok()?))
}

struct Cursor {
    _client: Admitted,
    queries: Arc<Queries>,
    /// The key of the last change sent (`[c]` before the first).
    after: Vec<u8>,
    wake: broadcast::Receiver<u64>,
    buffer: VecDeque<(String, String)>,
}

impl Cursor {
    /// Loads the changes after `after` (at most 256 at a time).
    fn load(&mut self) {
        let store = self.queries.store();
        let mut start = self.after.clone();
        start.push(0);
        for item in store.tree().range(start..).take(256) {
            let Ok((k, v)) = item else { break };
            if k.first() != Some(&keys::CHANGE) {
                break;
            }
            self.after = k.to_vec();
            if let Ok(change) = serde_json::from_slice::<StatusChange>(&v) {
                let id = format!("{}-{}", change.sequence, change.index);
                self.buffer
                    .push_back((id, String::from_utf8_lossy(&v).into_owned()));
            }
        }
    }
}

/// The SSE handler.
pub async fn stream(
    State(s): State<ApiState>,
    Extension(clients): Extension<StreamClients>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let p: StreamRequest = params(&q, &[])?;
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(p.last_event_id);
    let after = match (last_id, p.from) {
        (Some(id), _) => parse_id(&id).ok_or_else(|| {
            Problem::bad_request(format!(
                "Last-Event-ID: expected \"<sequence>-<index>\", got {id:?}"
            ))
        })?,
        (None, Some(StreamStart::Start)) => vec![keys::CHANGE],
        (None, None) => {
            // The end: the last change stored now.
            let store = s.queries.store();
            let last = store
                .tree()
                .scan_prefix([keys::CHANGE])
                .keys()
                .next_back()
                .and_then(Result::ok);
            last.map_or(vec![keys::CHANGE], |k| k.to_vec())
        }
    };
    let cursor = Cursor {
        _client: clients.admit()?,
        queries: s.queries.clone(),
        after,
        wake: s.applier.model().subscribe(),
        buffer: VecDeque::new(),
    };
    let events = futures::stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some((id, data)) = c.buffer.pop_front() {
                let event = Event::default().id(id).event("status").data(data);
                return Some((Ok(event), c));
            }
            c.load();
            if !c.buffer.is_empty() {
                continue;
            }
            // Wait for the next applied batch (or poll, in case of a missed wake-up or a switch).
            if let Ok(Err(broadcast::error::RecvError::Closed)) =
                tokio::time::timeout(Duration::from_secs(1), c.wake.recv()).await
            {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
