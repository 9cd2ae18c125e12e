//! The poller: a background task (it stops with the service) that fetches each feed when its
//! interval has passed — conditionally, so an unchanged feed costs a `304` — and reads each item
//! it has not read yet as an article, once. An item whose reading the reader refuses (`4xx`) is
//! not tried again; one that failed on the reader's side (`5xx`: NATS away) is, at the next poll.

use std::time::Duration;

use chrono::Utc;
use liaison_proto::reader::Feed;
use liaison_runtime::shutdown::Shutdown;

use super::Feeds;
use super::fetch::{FeedClient, Fetched};
use super::items::items;
use crate::reading::Reading;

/// How often the poller looks for feeds that are due.
pub const TICK: Duration = Duration::from_secs(1);

/// Polls every feed at its interval until `shutdown`.
pub async fn run(feeds: Feeds, reading: Reading, client: FeedClient, shutdown: Shutdown) {
    loop {
        if let Ok(list) = feeds.feeds() {
            for feed in list {
                if shutdown.is_triggered() {
                    return;
                }
                if due(&feeds, &feed) {
                    tokio::select! {
                        () = shutdown.wait() => return,
                        () = poll(&feeds, &reading, &client, &feed) => {}
                    }
                }
            }
        }
        tokio::select! {
            () = shutdown.wait() => return,
            () = feeds.wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
        }
    }
}

fn due(feeds: &Feeds, feed: &Feed) -> bool {
    let Ok(state) = feeds.poll_state(feed.id) else {
        return false;
    };
    state.last_polled.is_none_or(|last| {
        let elapsed = Utc::now().signed_duration_since(last);
        elapsed.num_seconds() >= i64::try_from(feed.interval_seconds).unwrap_or(i64::MAX)
    })
}

/// Polls `feed` once.
pub async fn poll(feeds: &Feeds, reading: &Reading, client: &FeedClient, feed: &Feed) {
    let mut state = feeds.poll_state(feed.id).unwrap_or_default();
    let fetched = client
        .fetch(
            &feed.url,
            state.etag.as_deref(),
            state.last_modified.as_deref(),
        )
        .await;
    state.last_polled = Some(Utc::now());
    match fetched {
        Ok(Fetched::NotModified) => state.last_outcome = Some("304 not modified".to_owned()),
        Ok(Fetched::Document {
            body,
            etag,
            last_modified,
        }) => {
            let parsed = tokio::task::spawn_blocking(move || items(&body, Utc::now())).await;
            match parsed {
                Ok(Ok(items)) => {
                    let (read, failed) = read_items(feeds, reading, feed, items).await;
                    state.last_outcome = Some(format!("200, {read} new items read"));
                    // Validators kept only when every item was dealt with: otherwise the next
                    // poll must get the document again.
                    if failed == 0 {
                        state.etag = etag;
                        state.last_modified = last_modified;
                    } else {
                        state.last_outcome =
                            Some(format!("200, {read} new items read, {failed} to retry"));
                    }
                }
                Ok(Err(e)) => state.last_outcome = Some(e),
                Err(e) => state.last_outcome = Some(format!("parsing failed: {e}")),
            }
        }
        Err(e) => state.last_outcome = Some(format!("fetching failed: {e}")),
    }
    tracing::debug!(feed = %feed.id, url = feed.url, outcome = ?state.last_outcome, "feed polled");
    if let Err(e) = feeds.set_poll_state(feed.id, &state) {
        tracing::warn!(feed = %feed.id, error = %e, "cannot record the feed's poll");
    }
}

/// Reads the items not read yet; how many were read, and how many must be tried again.
async fn read_items(
    feeds: &Feeds,
    reading: &Reading,
    feed: &Feed,
    items: Vec<super::items::Item>,
) -> (usize, usize) {
    let (mut read, mut failed) = (0, 0);
    for item in items {
        if item.key.is_empty() || feeds.seen(feed.id, &item.key).unwrap_or(false) {
            continue;
        }
        let done = match item.request {
            None => true,
            Some(request) => match reading.read(request, false, Some(feed.id)).await {
                Ok(outcome) => {
                    read += usize::from(outcome.status == axum::http::StatusCode::CREATED);
                    true
                }
                Err(problem) if problem.status < 500 => {
                    tracing::info!(feed = %feed.id, item = item.key, problem = %problem.detail,
                        "a feed item cannot be read; skipped for good");
                    true
                }
                Err(problem) => {
                    tracing::warn!(feed = %feed.id, item = item.key, problem = %problem.detail,
                        "reading a feed item failed; tried again at the next poll");
                    false
                }
            },
        };
        if done {
            if let Err(e) = feeds.mark_seen(feed.id, &item.key) {
                tracing::warn!(feed = %feed.id, error = %e, "cannot record a feed item as read");
            }
        } else {
            failed += 1;
        }
    }
    (read, failed)
}
