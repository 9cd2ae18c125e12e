//! `GET /v1/log/stream`: the log's events as they are appended, as Server-Sent Events whose `id`
//! is the sequence, filtered like a page (type, organization, topic, factuality).
//!
//! Resumable and lossless: a client reconnecting with `Last-Event-ID: N` gets every event after
//! `N`. Nothing is buffered for a client beyond the ordered consumer's pull batch: the response
//! body asks the consumer for the next entry only when the client has taken the last one, so a
//! slow client reads the log at its own pace from its own sequence, and a burst larger than any
//! buffer waits in the stream, where it already is. A filtered tail sends a comment every
//! [`PROGRESS_EVERY`] entries skipped so that the client (and proxies) see it is alive.

use std::convert::Infallible;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use liaison_proto::log::LogStreamRequest;
use liaison_proto::query::StreamStart;
use liaison_runtime::Problem;

use super::{LogError, LogState};
use crate::http_api::params;
use crate::sse::StreamClients;

/// Entries skipped by the filter between two progress comments.
pub const PROGRESS_EVERY: u64 = 1000;

/// The SSE handler.
pub async fn stream(
    State(s): State<LogState>,
    Extension(clients): Extension<StreamClients>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let p: LogStreamRequest = params(&q, &[])?;
    let header = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    LogError::parameter(
                        "Last-Event-ID",
                        format!("Last-Event-ID: a sequence, got {v:?}"),
                    )
                })
        })
        .transpose()?;
    let start = match (header.or(p.last_event_id), p.from) {
        (Some(after), _) => after + 1,
        (None, Some(StreamStart::Start)) => 1,
        (None, None) => super::jetstream::bounds(&s.js).await?.1 + 1,
    };
    let admitted = clients.admit()?;
    let filter = p.filter();
    let mut skipped = 0u64;
    let events = liaison_log::read_from(&s.js, start).filter_map(move |entry| {
        let _client = &admitted;
        let out = match entry {
            Err(e) => {
                tracing::warn!(error = %e, "the log's tail lost its reader");
                Some(Event::default().comment("the log's reader failed; reconnect"))
            }
            Ok(entry) => match super::page::matching(&entry, &filter) {
                Some(stored) => {
                    skipped = 0;
                    let data = serde_json::to_string(&stored).unwrap_or_default();
                    Some(
                        Event::default()
                            .id(entry.sequence.to_string())
                            .event("event")
                            .data(data),
                    )
                }
                None => {
                    skipped += 1;
                    skipped
                        .is_multiple_of(PROGRESS_EVERY)
                        .then(|| Event::default().comment(format!("at {}", entry.sequence)))
                }
            },
        };
        std::future::ready(out.map(Ok))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
