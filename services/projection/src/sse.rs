//! `GET /v1/stream`: Server-Sent Events of projection changes — every change of a relationship's
//! current status, with before and after ([`StatusChange`]), in log order.
//!
//! Changes are stored with the batch that caused them (table `c`), so the stream is resumable:
//! each SSE `id` is `"{sequence}-{index}"`, and a client reconnecting with `Last-Event-ID` gets
//! every change after it. A new client without one starts at the end (`?from=start` replays all).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use liaison_proto::query::StatusChange;
use liaison_runtime::Problem;
use tokio::sync::broadcast;

use crate::http_api::ApiState;
use crate::queries::Queries;
use crate::store::keys;
use std::collections::HashMap;
use std::sync::Arc;

/// Reads an SSE id `"{sequence}-{index}"` into the key of that change.
fn parse_id(id: &str) -> Option<Vec<u8>> {
    let (seq, index) = id.split_once('-')?;
    Some(keys::change(seq.parse().ok()?, index.parse().ok()?))
}

struct Cursor {
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
    headers: HeaderMap,
    Query(p): Query<HashMap<String, String>>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let last_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| p.get("last_event_id").cloned());
    let after = match (last_id, p.get("from").map(String::as_str)) {
        (Some(id), _) => parse_id(&id).ok_or_else(|| {
            Problem::bad_request(format!(
                "Last-Event-ID: expected \"<sequence>-<index>\", got {id:?}"
            ))
        })?,
        (None, Some("start")) => vec![keys::CHANGE],
        (None, Some(other)) => {
            return Err(Problem::bad_request(format!(
                "from: only \"start\" is understood, got {other:?}"
            )));
        }
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
